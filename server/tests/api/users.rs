//! User administration (admins), owners, and changing one's own password.

use kizuna_shared::api::{Page, PasswordReset, UserAccount, UserSummary};
use kizuna_shared::domain::Role;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp, PASSWORD};

async fn patch(app: &TestApp, id: i64, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url(&format!("/api/v1/users/{id}")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn change_password(app: &TestApp, current: &str, new: &str) -> reqwest::Response {
    app.client
        .put(app.url("/api/v1/session/password"))
        .json(&json!({ "current_password": current, "new_password": new }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_csm_gets_403_on_the_user_list_and_an_admin_gets_it() {
    let app = spawn_app().await;
    app.login_as(Role::Csm).await;
    assert_problem(app.get("/api/v1/users").await, 403, "forbidden").await;

    app.login_as(Role::Admin).await;
    let response = app.get("/api/v1/users").await;
    assert_eq!(response.status(), 200);
    let page: Page<UserAccount> = response.json().await.unwrap();
    assert_eq!(page.total, 2);
    let admin = page.items.iter().find(|u| u.role == Role::Admin).unwrap();
    assert!(!admin.disabled);
    assert_eq!(admin.active_sessions, 1);
    assert!(admin.last_sign_in_at.is_some());
    let csm = page.items.iter().find(|u| u.role == Role::Csm).unwrap();
    assert_eq!(csm.active_sessions, 1);
}

#[tokio::test]
async fn the_user_list_pages_and_filters_by_text_role_and_state() {
    let app = spawn_app().await;
    let admin = app.login_as(Role::Admin).await;
    for (email, name, role) in [
        ("aoi@example.com", "Aoi", Role::Csm),
        ("ben@example.com", "Ben", Role::Csm),
        ("chie@example.com", "Chie", Role::Manager),
        ("dai@example.com", "Dai", Role::Executive),
    ] {
        app.create_user(email, name, role);
    }
    let page: Page<UserAccount> = app
        .get("/api/v1/users?per_page=2&page=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((page.total, page.page, page.per_page), (5, 2, 2));
    let names: Vec<_> = page.items.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Chie", "Dai"]);
    let csms: Page<UserAccount> = app
        .get("/api/v1/users?role=csm")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(csms.total, 2);
    let found: Page<UserAccount> = app
        .get("/api/v1/users?q=BEN%40")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.items[0].email, "ben@example.com");
    assert_eq!(found.total, 1);
    let ben = found.items[0].id;
    assert_eq!(
        patch(&app, ben, json!({ "disabled": true })).await.status(),
        200
    );
    let disabled: Page<UserAccount> = app
        .get("/api/v1/users?disabled=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(disabled.items.len(), 1);
    assert_eq!(disabled.items[0].id, ben);
    let active: Page<UserAccount> = app
        .get("/api/v1/users?disabled=false")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(active.total, 4);
    assert!(active.items.iter().any(|u| u.id == admin.id));
    assert_problem(
        app.get("/api/v1/users?per_page=0").await,
        400,
        "validation_failed",
    )
    .await;
    assert_problem(app.get("/api/v1/users?role=boss").await, 400, "bad_request").await;
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
    let user: UserAccount = response.json().await.unwrap();
    assert_eq!(user.email, "new.csm@example.com");
    assert_eq!(user.role, Role::Csm);
    assert_eq!(user.active_sessions, 0);

    assert_problem(
        app.post_json("/api/v1/users", &body).await,
        409,
        "email_taken",
    )
    .await;

    // The new user can sign in.
    let login = app
        .login("new.csm@example.com", "a long enough password")
        .await;
    assert_eq!(login.status(), 200);
    assert_eq!(app.audit_kinds(), ["sign_in", "user_created", "sign_in"]);
}

#[tokio::test]
async fn password_lengths_count_characters_not_bytes() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    let create = |email: &str, password: String| json!({ "email": email, "name": "K", "role": "csm", "password": password });
    // Eleven kana are 33 bytes but only 11 characters: too short.
    let problem = assert_problem(
        app.post_json("/api/v1/users", &create("k1@example.com", "か".repeat(11)))
            .await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "password");
    let response = app
        .post_json("/api/v1/users", &create("k2@example.com", "か".repeat(12)))
        .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        app.login("k2@example.com", &"か".repeat(12)).await.status(),
        200
    );
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
async fn only_admins_create_and_change_users() {
    let app = spawn_app().await;
    let csm = app.create_user("c@example.com", "C", Role::Csm);
    app.login_as(Role::Manager).await;
    let body = json!({ "email": "a@example.com", "name": "A", "role": "admin", "password": "a long enough password" });
    assert_problem(
        app.post_json("/api/v1/users", &body).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        patch(&app, csm, json!({ "role": "admin" })).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post_json(&format!("/api/v1/users/{csm}/password-reset"), &json!({}))
            .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn an_admin_renames_and_changes_roles_with_each_change_audited() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    let id = app.create_user("c@example.com", "Chie", Role::Csm);
    let response = patch(
        &app,
        id,
        json!({ "name": " Chie Sato ", "role": "manager" }),
    )
    .await;
    assert_eq!(response.status(), 200);
    let user: UserAccount = response.json().await.unwrap();
    assert_eq!(user.name, "Chie Sato");
    assert_eq!(user.role, Role::Manager);
    let kinds = app.audit_kinds();
    assert_eq!(kinds[1..], ["user_changed", "role_changed"]);
    assert_problem(
        patch(&app, 9999, json!({ "name": "X" })).await,
        404,
        "not_found",
    )
    .await;
    let problem = assert_problem(
        patch(&app, id, json!({ "name": "  " })).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "name");
    assert_problem(
        patch(&app, id, json!({ "colour": "red" })).await,
        400,
        "bad_request",
    )
    .await;
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_or_disabled() {
    let app = spawn_app().await;
    let me = app.login_as(Role::Admin).await;
    let problem = assert_problem(
        patch(&app, me.id, json!({ "role": "manager" })).await,
        409,
        "last_admin",
    )
    .await;
    assert!(problem.detail.unwrap().contains("last active admin"));
    // Nobody disables themselves, admin or not.
    let problem = assert_problem(
        patch(&app, me.id, json!({ "disabled": true })).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "disabled");
    // A second admin who is disabled does not count.
    let other = app.create_user("b@example.com", "B", Role::Admin);
    assert_eq!(
        patch(&app, other, json!({ "disabled": true }))
            .await
            .status(),
        200
    );
    assert_problem(
        patch(&app, me.id, json!({ "role": "csm" })).await,
        409,
        "last_admin",
    )
    .await;
    // Once the other admin is active again, this one may step down.
    assert_eq!(
        patch(&app, other, json!({ "disabled": false }))
            .await
            .status(),
        200
    );
    assert_eq!(
        patch(&app, me.id, json!({ "role": "manager" }))
            .await
            .status(),
        200
    );
    // Stepping down ended this admin's own sessions too.
    assert_eq!(app.get("/api/v1/session").await.status(), 204);
}

#[tokio::test]
async fn a_disabled_user_is_signed_out_everywhere_and_cannot_sign_in() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    let csm = app.create_user("c@example.com", "C", Role::Csm);
    let laptop = app.session_for("c@example.com").await;
    let phone = app.session_for("c@example.com").await;
    let response = patch(&app, csm, json!({ "disabled": true })).await;
    let user: UserAccount = response.json().await.unwrap();
    assert!(user.disabled);
    assert_eq!(user.active_sessions, 0);
    for cookie in [&laptop, &phone] {
        assert_problem(
            app.get_with_cookie("/api/v1/accounts", cookie).await,
            401,
            "unauthenticated",
        )
        .await;
    }
    // The right password gets the same answer as a wrong one…
    let refused = assert_problem(
        app.login("c@example.com", PASSWORD).await,
        401,
        "invalid_credentials",
    )
    .await;
    let wrong = assert_problem(
        app.login("c@example.com", "nope").await,
        401,
        "invalid_credentials",
    )
    .await;
    assert_eq!(refused, wrong);
    // …but the audit log tells them apart.
    let kinds = app.audit_kinds();
    assert_eq!(
        kinds[kinds.len() - 3..],
        [
            "user_disabled",
            "sign_in_refused_disabled",
            "sign_in_failed"
        ]
    );
    // A disabled user is no candidate owner.
    let owners: Page<UserSummary> = app.get("/api/v1/owners").await.json().await.unwrap();
    assert!(owners.items.iter().all(|u| u.id != csm));
    // Enabled again, they sign in.
    assert_eq!(
        patch(&app, csm, json!({ "disabled": false }))
            .await
            .status(),
        200
    );
    assert_eq!(app.login("c@example.com", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn an_admin_resets_a_password_shown_once_and_the_users_sessions_end() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    let csm = app.create_user("c@example.com", "C", Role::Csm);
    let cookie = app.session_for("c@example.com").await;
    let response = app
        .post_json(&format!("/api/v1/users/{csm}/password-reset"), &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let reset: PasswordReset = response.json().await.unwrap();
    assert_eq!(reset.password.chars().count(), 20);
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        401
    );
    let missing = app
        .post_json("/api/v1/users/9999/password-reset", &json!({}))
        .await;
    assert_problem(missing, 404, "not_found").await;
    assert_eq!(app.login("c@example.com", PASSWORD).await.status(), 401);
    assert_eq!(
        app.login("c@example.com", &reset.password).await.status(),
        200
    );
    assert!(app.audit_kinds().contains(&"password_reset".to_owned()));
    // The password is stored only as a hash.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM users WHERE password_hash LIKE '%{}%'",
            reset.password
        )),
        0
    );
}

#[tokio::test]
async fn a_user_changes_their_own_password_and_other_sessions_end() {
    let app = spawn_app().await;
    let me = app.login_as(Role::Csm).await;
    let elsewhere = app.session_for("csm@test.kizuna").await;

    let problem = assert_problem(
        change_password(&app, "not my password", "a brand new password").await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "current_password");
    // Eleven kana: too short; twelve kana: enough.
    let problem = assert_problem(
        change_password(&app, PASSWORD, &"パ".repeat(11)).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "new_password");
    let problem = assert_problem(
        change_password(&app, PASSWORD, PASSWORD).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "new_password");

    let new = "パ".repeat(12);
    let response = change_password(&app, PASSWORD, &new).await;
    assert_eq!(response.status(), 204);
    // This browser got a fresh session; the other one ended.
    let still: kizuna_shared::api::SessionUser =
        app.get("/api/v1/session").await.json().await.unwrap();
    assert_eq!(still.id, me.id);
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &elsewhere)
            .await
            .status(),
        401
    );
    assert_eq!(app.login("csm@test.kizuna", PASSWORD).await.status(), 401);
    assert_eq!(app.login("csm@test.kizuna", &new).await.status(), 200);
    assert!(app.audit_kinds().contains(&"password_changed".to_owned()));
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM users WHERE password_changed_at IS NOT NULL"),
        1
    );
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
