//! Structured logs: tracing with one line per request (span close), filtered
//! by `KIZUNA_LOG` or `RUST_LOG` (default `info`).
//!
//! Request lines never carry secrets: a personal survey link's token is the
//! customer's only credential (whoever holds it answers as the customer),
//! so the request target of the public answer page and API is logged with
//! the token replaced by `[redacted]` ([`RedactingSpans`]).

use std::io::IsTerminal;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber writing to standard error, filtered by
/// `KIZUNA_LOG` or `RUST_LOG` (default `info`); call once from `main`.
pub fn init() {
    let filter = std::env::var("KIZUNA_LOG")
        .ok()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .or_else(|| EnvFilter::try_from_default_env().ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    init_with(std::io::stderr, std::io::stderr().is_terminal(), filter);
}

/// Installs the global subscriber writing to `writer` through `filter`
/// (tests capture the request lines this way). A second initialisation is
/// harmless: its error is ignored.
pub fn init_with<W>(writer: W, ansi: bool, filter: EnvFilter)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(ansi)
        .with_writer(writer)
        .try_init();
}

/// The paths whose next segment is a survey link's token (checked on the
/// path as the router matches it, percent-decoded, so an encoded spelling
/// is redacted too).
const TOKEN_PREFIXES: &[&str] = &["/s/", "/api/public/surveys/"];

/// The request target as logged: the path the router matches with a survey
/// link's token replaced by `[redacted]`, and the query string. The static
/// files of the answer page (`/s/assets/…`) are not tokens.
pub fn log_target(routed_path: &str, query: &str) -> String {
    let mut path = routed_path.to_owned();
    for prefix in TOKEN_PREFIXES {
        if let Some(rest) = routed_path.strip_prefix(prefix) {
            if *prefix == "/s/" && rest.starts_with("assets/") {
                break;
            }
            let after = rest.find('/').map_or("", |i| &rest[i..]);
            path = format!("{prefix}[redacted]{after}");
            break;
        }
    }
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

/// The root span of every request: tracing-actix-web's fields, with the
/// target logged through [`log_target`] (the default builder logs the raw
/// target, token and all).
pub struct RedactingSpans;

impl RootSpanBuilder for RedactingSpans {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let target = log_target(request.match_info().as_str(), request.query_string());
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "default".to_owned());
        let user_agent = request
            .headers()
            .get("User-Agent")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let connection = request.connection_info();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.flavor = ?request.version(),
            http.scheme = %connection.scheme(),
            http.host = %connection.host(),
            http.client_ip = %connection.realip_remote_addr().unwrap_or(""),
            http.user_agent = %user_agent,
            http.target = %target,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_tokens_are_redacted_from_logged_targets() {
        let token = "Qx7_kP3m9ZtL2vB8nR4sW6yA1cE5gH0jU-dF3kM8pN2";
        assert_eq!(log_target(&format!("/s/{token}"), ""), "/s/[redacted]");
        assert_eq!(
            log_target(&format!("/api/public/surveys/{token}"), "lang=ja"),
            "/api/public/surveys/[redacted]?lang=ja"
        );
        assert_eq!(
            log_target(&format!("/api/public/surveys/{token}/extra"), ""),
            "/api/public/surveys/[redacted]/extra"
        );
        // Not tokens: the page's own files and every other path.
        assert_eq!(log_target("/s/assets/answer.js", ""), "/s/assets/answer.js");
        assert_eq!(
            log_target("/api/v1/accounts", "page=2"),
            "/api/v1/accounts?page=2"
        );
    }
}
