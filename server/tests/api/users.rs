//! Users, roles and owners.

use kizuna_shared::api::{Page, UserSummary};
use kizuna_shared::domain::Role;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn a_csm_gets_403_on_the_user_list_and_an_admin_gets_it() {
    let app = spawn_app().await;
    app.login_as(Role::Csm).await;
    assert_problem(app.get("/api/v1/users").await, 403, "forbidden").await;

    app.login_as(Role::Admin).await;
    let response = app.get("/api/v1/users").await;
    assert_eq!(response.status(), 200);
    let page: Page<UserSummary> = response.json().await.unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items.len(), 2);
}

#[tokio::test]
async fn an_admin_creates_a_user_and_a_duplicate_email_is_a_409() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    let body = json!({
        "email": "new.csm@example.com",
        "name": "Hina Tanaka",
        "role": "csm",
        "password": "a long enough password",
    });
    let response = app.post_json("/api/v1/users", &body).await;
    assert_eq!(response.status(), 201);
    let user: UserSummary = response.json().await.unwrap();
    assert_eq!(user.email, "new.csm@example.com");
    assert_eq!(user.role, Role::Csm);

    assert_problem(app.post_json("/api/v1/users", &body).await, 409, "conflict").await;

    // The new user can sign in.
    let login = app
        .login("new.csm@example.com", "a long enough password")
        .await;
    assert_eq!(login.status(), 200);
}

#[tokio::test]
async fn creating_a_user_with_a_short_password_lists_the_invalid_field() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    let body = json!({ "email": "a@example.com", "name": "A", "role": "csm", "password": "short" });
    let problem = assert_problem(
        app.post_json("/api/v1/users", &body).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors.len(), 1);
    assert_eq!(problem.errors[0].field, "password");
}

#[tokio::test]
async fn only_admins_create_users() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let body = json!({ "email": "a@example.com", "name": "A", "role": "admin", "password": "a long enough password" });
    assert_problem(
        app.post_json("/api/v1/users", &body).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn owners_are_the_csms_and_managers_sorted_by_name() {
    let app = spawn_app().await;
    app.create_user("b@example.com", "Bob", Role::Csm);
    app.create_user("a@example.com", "Alice", Role::Manager);
    app.create_user("e@example.com", "Eve", Role::Executive);
    app.login_as(Role::Executive).await;
    let page: Page<UserSummary> = app.get("/api/v1/owners").await.json().await.unwrap();
    let names: Vec<_> = page.items.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Alice", "Bob"]);
    assert_eq!(page.total, 2);
}
