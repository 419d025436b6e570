//! The cross-site request guard: every state-changing request under `/api`
//! must carry the `x-kizuna-csrf` header (which a cross-site form cannot
//! send) and, when the browser sends `Origin`, come from our own host.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use kizuna_shared::api::CSRF_HEADER;

use crate::error::ApiError;

/// Middleware function (use with `actix_web::middleware::from_fn`).
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    check(&req)?;
    next.call(req).await
}

fn is_state_changing(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

fn check(req: &ServiceRequest) -> Result<(), ApiError> {
    let path = req.path();
    if !(path == "/api" || path.starts_with("/api/")) || !is_state_changing(req.method()) {
        return Ok(());
    }
    let has_token = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.trim().is_empty());
    if !has_token {
        return Err(ApiError::CsrfRejected(format!(
            "the {CSRF_HEADER} header is missing"
        )));
    }
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()))
            .unwrap_or_default();
        if !origin_matches_host(origin, host) {
            return Err(ApiError::CsrfRejected(
                "the request comes from another origin".into(),
            ));
        }
    }
    Ok(())
}

/// Whether the `Origin` header value (`scheme://host[:port]`) names `host`.
fn origin_matches_host(origin: &str, host: &str) -> bool {
    let Some((_, authority)) = origin.split_once("://") else {
        return false;
    };
    !host.is_empty() && authority.trim_end_matches('/').eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_only_the_same_host_and_port() {
        assert!(origin_matches_host(
            "http://127.0.0.1:8080",
            "127.0.0.1:8080"
        ));
        assert!(origin_matches_host(
            "https://Kizuna.example",
            "kizuna.example"
        ));
        assert!(!origin_matches_host(
            "http://evil.example",
            "kizuna.example"
        ));
        assert!(!origin_matches_host(
            "http://127.0.0.1:9999",
            "127.0.0.1:8080"
        ));
        assert!(!origin_matches_host("null", "kizuna.example"));
    }
}
