//! `GET /api/health` and security headers.

use kizuna_shared::api::Liveness;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_reports_ok_without_a_session() {
    let app = spawn_app().await;
    let response = app.get("/api/health").await;
    assert_eq!(response.status(), 200);
    let health: Liveness = response.json().await.unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.version, env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/api/health", "/api/v1/session", "/login", "/api/nope"] {
        let response = app.get(path).await;
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["cross-origin-opener-policy"], "same-origin");
        assert!(h["permissions-policy"]
            .to_str()
            .unwrap()
            .contains("camera=()"));
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
    }
}

#[tokio::test]
async fn an_unknown_api_path_is_a_404_problem_not_the_app() {
    let app = spawn_app().await;
    for path in ["/api/v1/nope", "/api/nope", "/api/v2/accounts"] {
        crate::helpers::assert_problem(app.get(path).await, 404, "not_found").await;
    }
}
