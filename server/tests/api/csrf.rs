//! The cross-site request guard.

use kizuna_shared::api::CSRF_HEADER;
use kizuna_shared::domain::Role;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app, PASSWORD};

#[tokio::test]
async fn a_state_changing_request_without_the_csrf_header_is_rejected() {
    let app = spawn_app().await;
    app.create_user("a@example.com", "A", Role::Admin);
    let response = app
        .client_without_csrf
        .post(app.url("/api/v1/session"))
        .json(&json!({ "email": "a@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "csrf_rejected").await;

    app.login_as(Role::Csm).await;
    let response = app
        .client_without_csrf
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "csrf_rejected").await;
    // Reads need no header.
    let response = app
        .client_without_csrf
        .get(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_request_from_a_foreign_origin_is_rejected() {
    let app = spawn_app().await;
    app.create_user("a@example.com", "A", Role::Admin);
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .header("origin", "https://evil.example")
        .json(&json!({ "email": "a@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "csrf_rejected").await;

    // The same request from our own origin passes.
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .header("origin", app.address.clone())
        .header(CSRF_HEADER, "1")
        .json(&json!({ "email": "a@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
