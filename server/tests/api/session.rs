//! Signing in and out; server-side sessions that end on sign-out, role
//! change, idle timeout and absolute expiry, on every instance.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use kizuna_server::db::schema::sessions;
use kizuna_server::db::sessions::Lifetime;
use kizuna_shared::api::{SessionUser, CSRF_HEADER};
use kizuna_shared::domain::Role;
use serde_json::json;

use crate::helpers::{
    assert_problem, bare_client, session_cookie, spawn_app, spawn_app_configured,
    spawn_second_instance, TestApp, PASSWORD,
};

/// Moves every session's `last_seen_at` (and, with `expires`, its end) into
/// the past by `ago`.
fn age_sessions(app: &TestApp, ago: Duration, expires: bool) {
    let when = Utc::now().naive_utc() - ago;
    let mut conn = app.pool.get().unwrap();
    diesel::update(sessions::table)
        .set(sessions::last_seen_at.eq(when))
        .execute(&mut conn)
        .unwrap();
    if expires {
        diesel::update(sessions::table)
            .set(sessions::expires_at.eq(when))
            .execute(&mut conn)
            .unwrap();
    }
}

#[tokio::test]
async fn signing_in_sets_a_host_prefixed_secure_cookie_holding_a_fresh_token() {
    let app = spawn_app().await;
    let id = app.create_user("Misaki@Example.com", "佐藤 美咲", Role::Csm);
    let response = app.login("misaki@example.com", PASSWORD).await;
    assert_eq!(response.status(), 200);
    let set_cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-kizuna_session="))
        .expect("session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
    assert!(!set_cookie.contains("Domain"));
    let user: SessionUser = response.json().await.unwrap();
    assert_eq!(user.id, id);
    assert_eq!(user.role, Role::Csm);

    // reqwest's cookie store (cookie_store) sends `Secure` cookies to
    // http://127.0.0.1, as browsers do, so the jar carries the session.
    let me: SessionUser = app.get("/api/v1/session").await.json().await.unwrap();
    assert_eq!(me, user);

    // Every sign-in is a new session with a new token, and only its hash is
    // stored.
    let first = app.session_for("misaki@example.com").await;
    let second = app.session_for("misaki@example.com").await;
    assert_ne!(first, second);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions"), 3);
    let token = first.split_once('=').unwrap().1;
    let stored = app.count(&format!(
        "SELECT COUNT(*) AS n FROM sessions WHERE token_hash LIKE '%{}%'",
        &token[token.len() - 20..]
    ));
    assert_eq!(stored, 0, "the token itself is never stored");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM users WHERE last_sign_in_at IS NOT NULL"),
        1
    );
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401_and_are_audited() {
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
    // Signed out, the session probe is an empty 204, not an error.
    let probe = app.get("/api/v1/session").await;
    assert_eq!(probe.status(), 204);
    assert_eq!(app.audit_kinds(), ["sign_in_failed", "sign_in_failed"]);
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
    // A value of the wrong type names its field too.
    let problem = assert_problem(
        app.post_json("/api/v1/session", &json!({ "email": 1 }))
            .await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "email");
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
async fn api_routes_answer_401_without_a_session() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/users",
        "/api/v1/owners",
        "/api/v1/accounts",
        "/api/v1/accounts/1",
        "/api/v1/audit",
    ] {
        assert_problem(app.get(path).await, 401, "unauthenticated").await;
    }
}

#[tokio::test]
async fn a_forged_or_tampered_cookie_is_not_a_session() {
    let app = spawn_app().await;
    app.create_user("a@example.com", "A", Role::Manager);
    let cookie = app.session_for("a@example.com").await;
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        200
    );
    // The token without its signature, and the signature with another token.
    let value = cookie.split_once('=').unwrap().1;
    let unsigned = format!("__Host-kizuna_session={}", &value[44..]);
    let tampered = format!("{}x", cookie);
    for forged in [unsigned, tampered] {
        assert_problem(
            app.get_with_cookie("/api/v1/accounts", &forged).await,
            401,
            "unauthenticated",
        )
        .await;
    }
}

#[tokio::test]
async fn a_cookie_replayed_after_sign_out_is_refused() {
    let app = spawn_app().await;
    app.create_user("m@example.com", "M", Role::Manager);
    let cookie = app.session_for("m@example.com").await;
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        200
    );
    let response = app.sign_out_with(&cookie).await;
    assert_eq!(response.status(), 204);
    let removal = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(removal.starts_with("__Host-kizuna_session=;"), "{removal}");
    // A copy of the cookie kept from before the sign-out is worthless.
    assert_problem(
        app.get_with_cookie("/api/v1/accounts", &cookie).await,
        401,
        "unauthenticated",
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions"), 0);
    assert_eq!(app.audit_kinds(), ["sign_in", "sign_out"]);
    // Probing with the dead cookie is a 204 that also removes it.
    let probe = app.get_with_cookie("/api/v1/session", &cookie).await;
    assert_eq!(probe.status(), 204);
    assert!(probe.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("__Host-kizuna_session=;"));
}

#[tokio::test]
async fn signing_out_with_the_browser_cookie_jar_ends_the_session() {
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
async fn a_cookie_replayed_after_a_role_change_is_refused() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    let csm = app.create_user("c@example.com", "C", Role::Csm);
    let cookie = app.session_for("c@example.com").await;
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        200
    );
    let response = app
        .client
        .patch(app.url(&format!("/api/v1/users/{csm}")))
        .json(&json!({ "role": "manager" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_problem(
        app.get_with_cookie("/api/v1/accounts", &cookie).await,
        401,
        "unauthenticated",
    )
    .await;
    // Signing in again gives a session with the new role.
    let fresh = app.session_for("c@example.com").await;
    let me: SessionUser = app
        .get_with_cookie("/api/v1/session", &fresh)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me.role, Role::Manager);
}

#[tokio::test]
async fn a_session_idle_longer_than_eight_hours_ends() {
    let app = spawn_app().await;
    app.create_user("m@example.com", "M", Role::Manager);
    let cookie = app.session_for("m@example.com").await;
    age_sessions(&app, Duration::hours(7), false);
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        200
    );
    // That request counted as activity: the idle clock starts again.
    age_sessions(&app, Duration::hours(8) + Duration::seconds(5), false);
    assert_problem(
        app.get_with_cookie("/api/v1/accounts", &cookie).await,
        401,
        "unauthenticated",
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sessions"), 0);
}

#[tokio::test]
async fn a_session_past_its_absolute_lifetime_ends_even_when_active() {
    let app = spawn_app().await;
    app.create_user("m@example.com", "M", Role::Manager);
    let cookie = app.session_for("m@example.com").await;
    let expires: chrono::NaiveDateTime = {
        let mut conn = app.pool.get().unwrap();
        sessions::table
            .select(sessions::expires_at)
            .first(&mut conn)
            .unwrap()
    };
    let lifetime = expires - Utc::now().naive_utc();
    assert!(lifetime > Duration::days(7) - Duration::minutes(1) && lifetime <= Duration::days(7));
    age_sessions(&app, Duration::seconds(1), true);
    assert_problem(
        app.get_with_cookie("/api/v1/accounts", &cookie).await,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn the_idle_timeout_and_lifetime_are_configurable() {
    let app = spawn_app_configured(false, |config| {
        config.session_lifetime = Lifetime {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        };
    })
    .await;
    app.create_user("m@example.com", "M", Role::Manager);
    let response = bare_client()
        .post(app.url("/api/v1/session"))
        .header(CSRF_HEADER, "1")
        .json(&json!({ "email": "m@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.contains("Max-Age=43200"), "{set_cookie}");
    let cookie = session_cookie(&response);
    age_sessions(&app, Duration::minutes(29), false);
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        200
    );
    age_sessions(&app, Duration::minutes(31), false);
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn last_seen_is_written_at_most_once_a_minute() {
    let app = spawn_app().await;
    app.create_user("m@example.com", "M", Role::Manager);
    let cookie = app.session_for("m@example.com").await;
    let last_seen = |app: &TestApp| -> chrono::NaiveDateTime {
        let mut conn = app.pool.get().unwrap();
        sessions::table
            .select(sessions::last_seen_at)
            .first(&mut conn)
            .unwrap()
    };
    let at_sign_in = last_seen(&app);
    for _ in 0..3 {
        assert_eq!(
            app.get_with_cookie("/api/v1/owners", &cookie)
                .await
                .status(),
            200
        );
    }
    assert_eq!(last_seen(&app), at_sign_in, "no write within the minute");
    age_sessions(&app, Duration::seconds(61), false);
    let aged = last_seen(&app);
    assert_eq!(
        app.get_with_cookie("/api/v1/owners", &cookie)
            .await
            .status(),
        200
    );
    assert!(last_seen(&app) > aged + Duration::seconds(60));
}

#[tokio::test]
async fn signing_out_on_one_instance_ends_the_session_on_every_instance() {
    let first = spawn_app().await;
    let second = spawn_second_instance(&first).await;
    first.create_user("m@example.com", "M", Role::Manager);
    let cookie = first.session_for("m@example.com").await;
    // Both instances share the key (stored in the database) and the sessions.
    assert_eq!(
        second
            .get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        200
    );
    let response = first.sign_out_with(&cookie).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        second
            .get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn rotating_the_session_key_ends_every_session() {
    let app = spawn_app().await;
    app.create_user("m@example.com", "M", Role::Manager);
    app.create_user("c@example.com", "C", Role::Csm);
    let manager = app.session_for("m@example.com").await;
    let csm = app.session_for("c@example.com").await;
    let stored_key = |app: &TestApp| -> String {
        use kizuna_server::db::schema::server_secrets;
        let mut conn = app.pool.get().unwrap();
        server_secrets::table
            .filter(server_secrets::name.eq("session_key"))
            .select(server_secrets::value)
            .first(&mut conn)
            .unwrap()
    };
    let old_key = stored_key(&app);
    let (into, ended) = {
        let mut conn = app.pool.get().unwrap();
        kizuna_server::auth::session::rotate_key(&mut conn, None).unwrap()
    };
    assert_eq!(into, kizuna_server::auth::session::RotatedInto::Database);
    assert_eq!(ended, 2);
    assert_ne!(stored_key(&app), old_key);
    for cookie in [&manager, &csm] {
        assert_eq!(
            app.get_with_cookie("/api/v1/accounts", cookie)
                .await
                .status(),
            401
        );
    }
    assert_eq!(app.audit_kinds().last().unwrap(), "session_key_rotated");
    // A server started now signs with the new key and signs in as usual.
    let restarted = spawn_second_instance(&app).await;
    let cookie = restarted.session_for("m@example.com").await;
    assert_eq!(
        restarted
            .get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        200
    );
    // Cookies signed with the old key fail its signature check before any
    // database look-up.
    assert_eq!(
        restarted
            .get_with_cookie("/api/v1/accounts", &manager)
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn a_deleted_user_is_signed_out() {
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
async fn a_key_file_signs_the_cookies_and_the_rotate_command_rewrites_it() {
    use clap::Parser;
    let keys = tempfile::tempdir().unwrap();
    let key_file = keys.path().join("session.key");
    std::fs::write(&key_file, kizuna_server::auth::session::generate_key()).unwrap();
    let file = key_file.clone();
    let app = spawn_app_configured(false, move |c| c.session_key_file = Some(file)).await;
    app.create_user("m@example.com", "M", Role::Manager);
    let cookie = app.session_for("m@example.com").await;
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        200
    );
    // The key stayed out of the database.
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM server_secrets"), 0);

    let before = std::fs::read_to_string(&key_file).unwrap();
    let cli = kizuna_server::cli::Cli::try_parse_from([
        "kizuna",
        "--database-url",
        app.database_url.as_str(),
        "rotate-session-key",
        "--session-key-file",
        key_file.to_str().unwrap(),
    ])
    .unwrap();
    tokio::task::spawn_blocking(move || kizuna_server::cli::run(cli))
        .await
        .unwrap()
        .unwrap();
    let after = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(before, after);
    assert!(kizuna_server::auth::session::decode_key(&after).is_ok());
    assert_eq!(
        app.get_with_cookie("/api/v1/accounts", &cookie)
            .await
            .status(),
        401
    );
    assert_eq!(app.audit_kinds().last().unwrap(), "session_key_rotated");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the key file is private");
    }
}
