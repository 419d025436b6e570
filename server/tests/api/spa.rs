//! The single-page app: static files, client-route fallback, CSP and language.

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, INLINE_SCRIPT};

#[tokio::test]
async fn a_client_route_serves_index_html_with_the_csp_and_the_cookie_language() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/accounts/5"))
        .header("cookie", "kizuna_lang=ja")
        .header("accept-language", "en-US")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(INLINE_SCRIPT));
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'"
        )),
        "{csp}"
    );
    assert!(csp.starts_with("default-src 'self';"));
    let body = response.text().await.unwrap();
    assert!(body.contains("<html lang=\"ja\">"), "{body}");
    assert!(body.contains(INLINE_SCRIPT));
}

#[tokio::test]
async fn the_language_follows_accept_language_without_a_cookie() {
    let app = spawn_app().await;
    let html = |lang: &'static str| {
        let app = &app;
        async move {
            app.client
                .get(app.url("/login"))
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert!(html("ja-JP,ja;q=0.9,en;q=0.8")
        .await
        .contains("<html lang=\"ja\">"));
    assert!(html("en-US,en;q=0.9,ja;q=0.8")
        .await
        .contains("<html lang=\"en\">"));
    assert!(html("fr").await.contains("<html lang=\"en\">"));
    let root = app.get("/").await.text().await.unwrap();
    assert!(root.contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn a_public_file_is_served_as_itself() {
    let app = spawn_app().await;
    let response = app.get("/robots.txt").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(response.text().await.unwrap(), "User-agent: *\nDisallow:\n");
    // A missing asset is a 404, not index.html.
    assert_problem(app.get("/missing.js").await, 404, "not_found").await;
}

#[tokio::test]
async fn without_a_built_app_pages_answer_a_problem_saying_so() {
    let app = spawn_app_with(false).await;
    let problem = assert_problem(app.get("/accounts").await, 503, "spa_not_built").await;
    assert!(problem.detail.unwrap().contains("not built"));
    assert_problem(app.get("/").await, 503, "spa_not_built").await;
    assert_eq!(app.get("/api/health").await.status(), 200);
}
