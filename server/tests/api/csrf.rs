//! The cross-site request guard on every write whatever the path, the
//! import's media types, and the transport settings (public origin, HSTS,
//! plain HTTP).

use kizuna_shared::api::CSRF_HEADER;
use kizuna_shared::domain::Role;
use serde_json::json;

use crate::helpers::{
    account, assert_problem, raw_request, spawn_app, spawn_app_configured, TestApp, PASSWORD,
};

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
    // Writes outside /api are refused too (nothing there takes writes).
    let response = app
        .client_without_csrf
        .post(app.url("/login"))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "csrf_rejected").await;
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

    // The same request from our own origin passes, spelt with the bound
    // address or (on a loopback bind) as localhost with the same port.
    let localhost = app.address.replace("127.0.0.1", "localhost");
    for origin in [app.address.clone(), localhost] {
        let response = app
            .client
            .post(app.url("/api/v1/session"))
            .header("origin", origin.clone())
            .header(CSRF_HEADER, "1")
            .json(&json!({ "email": "a@example.com", "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{origin}");
    }
}

#[tokio::test]
async fn the_origin_is_checked_against_the_public_origin_not_the_host_header() {
    let app = spawn_app_configured(false, |c| {
        c.public_origin = Some("https://kizuna.example".into());
    })
    .await;
    app.create_user("a@example.com", "A", Role::Admin);
    let login = |origin: &str| {
        app.client
            .post(app.url("/api/v1/session"))
            .header("origin", origin.to_owned())
            .json(&json!({ "email": "a@example.com", "password": PASSWORD }))
            .send()
    };
    // The request's own Host is 127.0.0.1:<port>; an Origin naming it is
    // still foreign, and the scheme counts.
    assert_eq!(login(&app.address).await.unwrap().status(), 403);
    assert_eq!(login("http://kizuna.example").await.unwrap().status(), 403);
    assert_eq!(login("https://kizuna.example").await.unwrap().status(), 200);
    // Behind HTTPS the server asks browsers to stay on HTTPS.
    let response = app.get("/api/health").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn hsts_is_configurable_and_never_sent_for_plain_http() {
    let off = spawn_app_configured(false, |c| {
        c.public_origin = Some("https://kizuna.example".into());
        c.hsts_max_age = 0;
    })
    .await;
    let response = off.get("/api/health").await;
    assert!(response
        .headers()
        .get("strict-transport-security")
        .is_none());
    let short = spawn_app_configured(false, |c| {
        c.public_origin = Some("https://kizuna.example".into());
        c.hsts_max_age = 600;
    })
    .await;
    assert_eq!(
        short.get("/api/health").await.headers()["strict-transport-security"],
        "max-age=600"
    );
    let local = spawn_app().await;
    assert!(local
        .get("/api/health")
        .await
        .headers()
        .get("strict-transport-security")
        .is_none());
}

#[tokio::test]
async fn plain_http_on_a_non_loopback_origin_needs_an_explicit_flag() {
    use kizuna_server::config::Config;
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::new(dir.path().join("k.db").to_string_lossy().into_owned());
    config.public_origin = Some("http://192.168.1.5:8080".into());
    let state = kizuna_server::build_state(&config).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let err = kizuna_server::run(listener, state).err().expect("refused");
    assert!(err.to_string().contains("--allow-insecure-http"), "{err}");

    // With the flag the cookie cannot be Secure, so it also cannot carry
    // the __Host- prefix.
    let app = spawn_app_configured(false, |c| {
        c.public_origin = Some("http://192.168.1.5:8080".into());
        c.allow_insecure_http = true;
    })
    .await;
    app.create_user("a@example.com", "A", Role::Admin);
    let response = app.login("a@example.com", PASSWORD).await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("kizuna_session="), "{cookie}");
    assert!(!cookie.contains("Secure"));
}

/// A manager's session, an account with a contact, and counts of every
/// table a write could touch.
struct Target {
    cookie: String,
    account: i64,
    contact: i64,
    user: i64,
}

async fn target(app: &TestApp) -> Target {
    app.create_user("m@example.com", "M", Role::Admin);
    let user = app.create_user("c@example.com", "C", Role::Csm);
    let cookie = app.session_for("m@example.com").await;
    let account = app.insert_account(&account("Sakura", 100_000));
    let contact = app.insert_contact(account, "Hina");
    Target {
        cookie,
        account,
        contact,
        user,
    }
}

/// A fingerprint of everything a write route could change.
fn state(app: &TestApp) -> Vec<i64> {
    [
        "SELECT COUNT(*) AS n FROM accounts",
        "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) AS n FROM accounts",
        "SELECT COUNT(*) AS n FROM contacts",
        "SELECT COUNT(*) AS n FROM users",
        "SELECT COUNT(*) AS n FROM users WHERE disabled_at IS NOT NULL",
        "SELECT COUNT(*) AS n FROM sessions",
        "SELECT COUNT(*) AS n FROM data_changes",
        "SELECT COUNT(*) AS n FROM audit_log",
    ]
    .iter()
    .map(|sql| app.count(sql))
    .collect()
}

/// Ways of writing `/api/v1/<rest>` that actix routes to the same handler
/// (or that a string-prefix check would misread).
pub(crate) fn spellings(path: &str) -> Vec<String> {
    let rest = path.trim_start_matches("/api/v1/");
    let first = rest.split('/').next().unwrap_or(rest);
    vec![
        path.to_owned(),
        format!("/%61pi/v1/{rest}"),
        format!("/%61%70%69/v1/{rest}"),
        format!("/api%2Fv1/{rest}"),
        format!("/api/v1%2F{rest}"),
        format!("//api/v1/{rest}"),
        format!("/api//v1/{rest}"),
        format!("/api/v1/./{rest}"),
        format!("/./api/v1/{rest}"),
        format!("/api/v1/x/../{rest}"),
        format!("/api/v1/{first}/../{rest}"),
        format!("{path}/x/.."),
        format!("{path}/."),
        format!("{path}/./"),
        format!("/API/v1/{rest}"),
    ]
}

#[tokio::test]
async fn every_write_route_refuses_encoded_paths_without_the_csrf_header() {
    let app = spawn_app().await;
    let t = target(&app).await;
    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut writes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                writes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    assert!(writes.len() >= 10, "write routes: {writes:?}");
    let before = state(&app);
    let csv = "external_id,name,mrr,currency\nCRM-1,Evil Corp,1,JPY\n";
    for (method, template) in &writes {
        let path = template
            .replace(
                "{id}",
                &if template.starts_with("/api/v1/users") {
                    t.user.to_string()
                } else {
                    t.account.to_string()
                },
            )
            .replace("{contact_id}", &t.contact.to_string());
        let query = match (method.as_str(), template.as_str()) {
            ("DELETE", "/api/v1/accounts/{id}") => "?version=1",
            (_, "/api/v1/imports") => "?kind=accounts",
            _ => "",
        };
        let (content_type, body) = if template == "/api/v1/imports" {
            ("text/plain", csv.as_bytes().to_vec())
        } else {
            (
                "application/json",
                json!({
                    "email": "m@example.com", "password": PASSWORD, "name": "x",
                    "role": "admin", "disabled": true,
                    "current_password": PASSWORD, "new_password": "another long password",
                    "keep_id": t.account, "merge_id": t.account, "keep_version": 1, "merge_version": 1,
                })
                .to_string()
                .into_bytes(),
            )
        };
        for spelled in spellings(&path) {
            let target = format!("{spelled}{query}");
            let status = raw_request(
                &app,
                method,
                &target,
                &[("Cookie", &t.cookie), ("Content-Type", content_type)],
                &body,
            )
            .await;
            assert_eq!(status, 403, "{method} {target} without the CSRF header");
        }
    }
    assert_eq!(state(&app), before, "a refused request changed something");
}

#[tokio::test]
async fn an_import_takes_only_csv_or_tsv_and_reads_nothing_else() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let csv = "external_id,name,mrr,currency\nCRM-1,Sakura,1000,JPY\n";
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/json"),
        None,
    ] {
        let mut request = app
            .client
            .post(app.url("/api/v1/imports?kind=accounts"))
            .body(csv);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        let response = request.send().await.unwrap();
        let problem = assert_problem(response, 415, "unsupported_media_type").await;
        assert!(problem.detail.unwrap().contains("text/csv"));
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM accounts"), 0);
    for content_type in ["text/csv; charset=utf-8", "text/tab-separated-values"] {
        let body = if content_type.contains("tab") {
            csv.replace(',', "\t")
        } else {
            csv.to_owned()
        };
        let response = app
            .client
            .post(app.url("/api/v1/imports?kind=accounts"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{content_type}");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM accounts"), 1);
}
