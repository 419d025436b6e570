//! The cross-site request guard and the public origin it checks against.
//!
//! Every POST, PUT, PATCH and DELETE (and any other method but GET, HEAD and
//! OPTIONS) — whatever its path, so no spelling of
//! a path (`/%61pi/…`, `//api/…`, dot segments) can slip past — must carry
//! the `x-kizuna-csrf` header, which a cross-site form or no-cors `fetch`
//! cannot send, and, when the browser sends `Origin`, come from the
//! configured public origin (scheme, host and port), never compared with
//! the request's own `Host` header, which the client controls.

use std::net::{IpAddr, SocketAddr};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web;
use kizuna_shared::api::CSRF_HEADER;
use url::{Host, Url};

use crate::error::ApiError;

/// The origin browsers use to reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicOrigin {
    /// `scheme://host[:port]`, lower case, default port left out (the form
    /// browsers send in `Origin`).
    serialized: String,
    /// Other spellings of the same origin: only for the default origin of a
    /// loopback bind, where `http://localhost:<port>` and
    /// `http://127.0.0.1:<port>` are the same server on the same machine.
    aliases: Vec<String>,
    https: bool,
    loopback: bool,
}

impl PublicOrigin {
    /// Parses `http(s)://host[:port]` (a trailing `/` is allowed; a path,
    /// query or credentials are not).
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let url = Url::parse(text.trim())
            .map_err(|e| anyhow::anyhow!("the public origin `{text}` is no URL: {e}"))?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https"),
            "the public origin `{text}` must start with http:// or https://"
        );
        anyhow::ensure!(
            url.path() == "/"
                && url.query().is_none()
                && url.fragment().is_none()
                && url.username().is_empty()
                && url.password().is_none(),
            "the public origin `{text}` must be scheme://host[:port] only"
        );
        let loopback = match url.host() {
            Some(Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => anyhow::bail!("the public origin `{text}` has no host"),
        };
        Ok(PublicOrigin {
            serialized: url.origin().ascii_serialization(),
            aliases: Vec::new(),
            https: url.scheme() == "https",
            loopback,
        })
    }

    /// `http://<addr>`: the default when no public origin is configured. On
    /// a loopback address, `http://localhost:<port>` (and the other loopback
    /// spelling) are accepted too, so opening the app at either works.
    pub fn of_bound(addr: SocketAddr) -> anyhow::Result<Self> {
        let host = match addr.ip() {
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let mut origin = Self::parse(&format!("http://{host}:{}", addr.port()))?;
        if addr.ip().is_loopback() {
            let port = addr.port();
            origin.aliases = [
                format!("http://localhost:{port}"),
                format!("http://127.0.0.1:{port}"),
                format!("http://[::1]:{port}"),
            ]
            .into_iter()
            .filter(|a| *a != origin.serialized)
            .collect();
        }
        Ok(origin)
    }

    /// Whether browsers reach the server over HTTPS.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// Whether browsers treat this origin as secure (https, or http on
    /// localhost / a loopback address), so `Secure` cookies work.
    pub fn is_secure_context(&self) -> bool {
        self.https || self.loopback
    }

    /// The origin as browsers write it.
    pub fn as_str(&self) -> &str {
        &self.serialized
    }

    /// Whether an `Origin` header value names this origin.
    pub fn matches(&self, origin: &str) -> bool {
        Url::parse(origin.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(|u| u.origin().ascii_serialization())
            .is_some_and(|o| o == self.serialized || self.aliases.contains(&o))
    }
}

/// Middleware function (use with `actix_web::middleware::from_fn`); needs
/// the [`PublicOrigin`] as app data.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    check(&req)?;
    next.call(req).await
}

/// POST, PUT, PATCH, DELETE — and any other method that is not one of the
/// safe ones (GET, HEAD, OPTIONS), so an unusual method is guarded too.
fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn check(req: &ServiceRequest) -> Result<(), ApiError> {
    if !is_state_changing(req.method()) {
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
        let public = req
            .app_data::<web::Data<PublicOrigin>>()
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no public origin configured")))?;
        let origin = origin.to_str().unwrap_or_default();
        if !public.matches(origin) {
            return Err(ApiError::CsrfRejected(
                "the request comes from another origin".into(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_but_the_safe_ones_is_guarded() {
        for m in [
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::TRACE,
        ] {
            assert!(is_state_changing(&m), "{m}");
        }
        assert!(is_state_changing(
            &Method::from_bytes(b"PROPPATCH").unwrap()
        ));
        for m in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert!(!is_state_changing(&m), "{m}");
        }
    }

    #[test]
    fn origins_match_scheme_host_and_port_exactly() {
        let local = PublicOrigin::parse("http://127.0.0.1:8080").unwrap();
        assert!(local.matches("http://127.0.0.1:8080"));
        assert!(!local.matches("https://127.0.0.1:8080"));
        assert!(!local.matches("http://127.0.0.1:9999"));
        assert!(!local.matches("null"));
        assert!(!local.matches("http://evil.example"));
        let public = PublicOrigin::parse("https://Kizuna.example:443/").unwrap();
        assert_eq!(public.as_str(), "https://kizuna.example");
        assert!(public.matches("https://kizuna.example"));
        assert!(public.matches("https://KIZUNA.example:443"));
        assert!(!public.matches("http://kizuna.example"));
        assert!(!public.matches("https://kizuna.example.evil.example"));
    }

    #[test]
    fn a_default_loopback_origin_accepts_localhost_on_the_same_port_only() {
        let bound = PublicOrigin::of_bound("127.0.0.1:8080".parse().unwrap()).unwrap();
        assert_eq!(bound.as_str(), "http://127.0.0.1:8080");
        assert!(bound.matches("http://localhost:8080"));
        assert!(bound.matches("http://[::1]:8080"));
        assert!(!bound.matches("http://localhost:8081"));
        assert!(!bound.matches("https://localhost:8080"));
        let configured = PublicOrigin::parse("http://127.0.0.1:8080").unwrap();
        assert!(!configured.matches("http://localhost:8080"));
        let open = PublicOrigin::of_bound("10.1.2.3:8080".parse().unwrap()).unwrap();
        assert!(!open.matches("http://localhost:8080"));
    }

    #[test]
    fn loopback_and_https_origins_are_secure_contexts() {
        assert!(PublicOrigin::parse("http://localhost:8080")
            .unwrap()
            .is_secure_context());
        assert!(PublicOrigin::of_bound("127.0.0.1:1".parse().unwrap())
            .unwrap()
            .is_secure_context());
        assert!(PublicOrigin::of_bound("[::1]:1".parse().unwrap())
            .unwrap()
            .is_secure_context());
        assert!(PublicOrigin::parse("https://kizuna.example")
            .unwrap()
            .is_secure_context());
        assert!(!PublicOrigin::parse("http://192.168.1.5:8080")
            .unwrap()
            .is_secure_context());
        assert!(!PublicOrigin::of_bound("0.0.0.0:8080".parse().unwrap())
            .unwrap()
            .is_secure_context());
        assert!(PublicOrigin::parse("https://kizuna.example/app").is_err());
        assert!(PublicOrigin::parse("ftp://kizuna.example").is_err());
    }
}
