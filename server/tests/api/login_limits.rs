//! Sign-in rate limits (per account, per client address, global), the
//! client address from a trusted proxy, and a login burst that must not
//! starve the connection pool.

use std::time::Duration;

use kizuna_server::auth::rate_limit::LoginLimits;
use kizuna_server::db::PoolOptions;
use kizuna_shared::api::{AuditEntry, Page, CSRF_HEADER};
use kizuna_shared::domain::Role;
use serde_json::json;

use crate::helpers::{assert_problem, bare_client, spawn_app, spawn_app_configured, PASSWORD};

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_eleventh_attempt_on_one_account_in_a_minute_gets_429_with_retry_after() {
    let app = spawn_app().await;
    for _ in 0..10 {
        assert_eq!(app.login("x@example.com", "wrong").await.status(), 401);
    }
    let response = app.login("X@Example.com", "wrong").await;
    let wait = retry_after(&response);
    // 10 a minute refill one every 6 seconds.
    assert!((1..=6).contains(&wait), "Retry-After: {wait}");
    assert_problem(response, 429, "rate_limited").await;
    // Another account from the same address is not held back by this one.
    assert_eq!(app.login("y@example.com", "wrong").await.status(), 401);
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_limited_separately() {
    let app = spawn_app_configured(false, |c| {
        c.login_limits = LoginLimits {
            per_account: 100,
            per_address: 5,
            global: 100,
        };
    })
    .await;
    for i in 0..5 {
        assert_eq!(
            app.login(&format!("u{i}@example.com"), "wrong")
                .await
                .status(),
            401
        );
    }
    let response = app.login("u9@example.com", "wrong").await;
    assert!((1..=12).contains(&retry_after(&response)));
    assert_problem(response, 429, "rate_limited").await;
    // Refused attempts never reach the password check or the audit log.
    assert_eq!(app.audit_kinds().len(), 5);
}

#[tokio::test]
async fn the_global_ceiling_holds_for_every_address_and_account() {
    let app = spawn_app_configured(false, |c| {
        c.login_limits = LoginLimits {
            per_account: 100,
            per_address: 100,
            global: 3,
        };
    })
    .await;
    for i in 0..3 {
        assert_eq!(
            app.login(&format!("u{i}@example.com"), "wrong")
                .await
                .status(),
            401
        );
    }
    assert_problem(
        app.login("other@example.com", "x").await,
        429,
        "rate_limited",
    )
    .await;
}

#[tokio::test]
async fn the_client_address_comes_from_a_trusted_proxy_header_only() {
    let app = spawn_app_configured(false, |c| {
        c.trusted_proxy_header = Some("X-Forwarded-For".into());
        c.trusted_proxies = vec!["127.0.0.1".into()];
        c.login_limits = LoginLimits {
            per_account: 100,
            per_address: 2,
            global: 100,
        };
    })
    .await;
    app.create_user("a@example.com", "A", Role::Admin);
    let login = |forwarded: &'static str, email: &'static str, password: &'static str| {
        bare_client()
            .post(app.url("/api/v1/session"))
            .header(CSRF_HEADER, "1")
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "email": email, "password": password }))
            .send()
    };
    // Each forwarded client has its own per-address budget.
    for client in ["203.0.113.1", "203.0.113.2"] {
        for _ in 0..2 {
            assert_eq!(
                login(client, "a@example.com", "wrong")
                    .await
                    .unwrap()
                    .status(),
                401
            );
        }
    }
    assert_eq!(
        login("203.0.113.1", "a@example.com", "wrong")
            .await
            .unwrap()
            .status(),
        429
    );
    let ok = login("198.51.100.7", "a@example.com", PASSWORD)
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let cookie = crate::helpers::session_cookie(&ok);
    let page: Page<AuditEntry> = app
        .get_with_cookie("/api/v1/audit?kind=sign_in", &cookie)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.items[0].client_addr.as_deref(), Some("198.51.100.7"));

    // Without a trusted proxy setting the header is the client's own claim
    // and is ignored.
    let plain = spawn_app().await;
    plain.create_user("a@example.com", "A", Role::Admin);
    let response = bare_client()
        .post(plain.url("/api/v1/session"))
        .header(CSRF_HEADER, "1")
        .header("x-forwarded-for", "203.0.113.1")
        .json(&json!({ "email": "a@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = crate::helpers::session_cookie(&response);
    let page: Page<AuditEntry> = plain
        .get_with_cookie("/api/v1/audit?kind=sign_in", &cookie)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.items[0].client_addr.as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn a_burst_of_logins_does_not_starve_other_requests_of_connections() {
    // Two connections and a short wait for one: before the fix every login
    // held a connection while Argon2 ran, so a burst of sign-ins with
    // different e-mails made the pool time out for everyone else.
    let app = spawn_app_configured(false, |c| {
        c.pool = PoolOptions {
            max_size: 2,
            timeout: Duration::from_millis(1500),
        };
        c.login_limits = LoginLimits {
            per_account: 100,
            per_address: 10_000,
            global: 10_000,
        };
    })
    .await;
    app.login_as(Role::Manager).await;
    let burst: Vec<_> = (0..80)
        .map(|i| {
            let request = bare_client()
                .post(app.url("/api/v1/session"))
                .header(CSRF_HEADER, "1")
                .json(&json!({ "email": format!("nobody{i}@example.com"), "password": "wrong password" }));
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    let mut reads = Vec::new();
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        reads.push(app.get("/api/v1/accounts").await.status().as_u16());
    }
    let mut logins = Vec::new();
    for task in burst {
        logins.push(task.await.unwrap().unwrap());
    }
    assert!(
        reads.iter().all(|&s| s == 200),
        "account list during the burst: {reads:?}"
    );
    assert!(logins.iter().all(|&s| s == 401), "logins: {logins:?}");
}
