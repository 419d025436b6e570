//! Signing in and out.

use kizuna_shared::api::SessionUser;
use kizuna_shared::domain::Role;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app, PASSWORD};

#[tokio::test]
async fn signing_in_with_the_right_password_returns_the_user_and_a_session_cookie() {
    let app = spawn_app().await;
    let id = app.create_user("Misaki@Example.com", "佐藤 美咲", Role::Csm);
    let response = app.login("misaki@example.com", PASSWORD).await;
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("kizuna_session="))
        .expect("session cookie");
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"));
    let user: SessionUser = response.json().await.unwrap();
    assert_eq!(user.id, id);
    assert_eq!(user.role, Role::Csm);

    let me: SessionUser = app.get("/api/v1/session").await.json().await.unwrap();
    assert_eq!(me, user);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let app = spawn_app().await;
    app.create_user("a@example.com", "A", Role::Admin);
    let wrong = assert_problem(
        app.login("a@example.com", "not the password").await,
        401,
        "invalid_credentials",
    )
    .await;
    let unknown = assert_problem(
        app.login("nobody@example.com", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(wrong, unknown);
    assert_eq!(app.get("/api/v1/session").await.status(), 204);
}

#[tokio::test]
async fn a_malformed_login_body_is_a_400_problem() {
    let app = spawn_app().await;
    let problem = assert_problem(
        app.login("not-an-email", "x").await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "email");
    assert_problem(
        app.post_json("/api/v1/session", &json!({ "email": 1 }))
            .await,
        400,
        "bad_request",
    )
    .await;
    let response = app
        .client
        .post(app.url("/api/v1/session"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_problem(response, 400, "bad_request").await;
}

#[tokio::test]
async fn an_oversized_body_is_a_413_problem() {
    let app = spawn_app().await;
    let big = "x".repeat(70 * 1024);
    assert_problem(
        app.post_json(
            "/api/v1/session",
            &json!({ "email": "a@b.co", "password": big }),
        )
        .await,
        413,
        "payload_too_large",
    )
    .await;
}

#[tokio::test]
async fn the_session_probe_answers_204_without_a_session() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/session").await;
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn api_routes_answer_401_without_a_session() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/users",
        "/api/v1/owners",
        "/api/v1/accounts",
        "/api/v1/accounts/1",
    ] {
        assert_problem(app.get(path).await, 401, "unauthenticated").await;
    }
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    assert_eq!(app.get("/api/v1/session").await.status(), 200);
    let response = app
        .client
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(app.get("/api/v1/session").await.status(), 204);
    assert_problem(app.get("/api/v1/accounts").await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn a_deleted_user_is_signed_out() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    let user = app.login_as(Role::Csm).await;
    let mut conn = app.pool.get().unwrap();
    diesel::delete(kizuna_server::db::schema::users::table.find(user.id))
        .execute(&mut conn)
        .unwrap();
    assert_eq!(app.get("/api/v1/session").await.status(), 204);
    assert_problem(app.get("/api/v1/accounts").await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn the_eleventh_login_attempt_in_a_minute_is_rate_limited() {
    let app = spawn_app().await;
    for _ in 0..10 {
        assert_eq!(app.login("x@example.com", "wrong").await.status(), 401);
    }
    let response = app.login("x@example.com", "wrong").await;
    assert_eq!(response.headers()["retry-after"], "60");
    assert_problem(response, 429, "rate_limited").await;
}
