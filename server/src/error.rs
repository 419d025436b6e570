//! The API's error type and its mapping to `application/problem+json`
//! (RFC 9457) answers with a stable machine-readable `code`.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use kizuna_shared::api::{FieldError, Problem, ProblemCode, PROBLEM_CONTENT_TYPE};

use crate::db::DbError;

/// Everything a request handler can fail with. Each variant has a stable
/// problem `code` (see [`ApiError::code`]).
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No (valid) session.
    #[error("Sign in to use this resource.")]
    Unauthenticated,
    /// Wrong e-mail or password (deliberately not saying which).
    #[error("The e-mail address or password is wrong.")]
    InvalidCredentials,
    /// Signed in, but the role does not allow this.
    #[error("Your role does not allow this.")]
    Forbidden,
    /// A state-changing request without the CSRF header or from another origin.
    #[error("Cross-site request rejected: {0}")]
    CsrfRejected(String),
    /// The resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The input is well-formed but invalid; one entry per field.
    #[error("The request has invalid fields.")]
    Validation(Vec<FieldError>),
    /// The request could not be parsed.
    #[error("{0}")]
    BadRequest(String),
    /// The path exists but not with this method (the answer carries `Allow`).
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The request body is larger than allowed.
    #[error("The request body is too large: the limit is {}.", human_size(*.0))]
    PayloadTooLarge(usize),
    /// The change conflicts with existing data (a stale version, a taken
    /// key, …); the code says which (a 409 code of [`ProblemCode`]).
    #[error("{1}")]
    Conflict(ProblemCode, String),
    /// Too many attempts in a short time; try again after this many seconds.
    #[error("Too many attempts; try again in {0} seconds.")]
    RateLimited(u64),
    /// A public survey link that can no longer be answered (expired,
    /// revoked, or its survey closed); `code` says which.
    #[error("{message}")]
    LinkGone {
        /// `link_expired`, `link_revoked` or `survey_closed`.
        code: ProblemCode,
        /// What happened, for people.
        message: String,
    },
    /// A single-use survey link that was already answered.
    #[error("This link was already answered; thank you.")]
    AlreadyAnswered,
    /// The request body has a media type this resource does not take.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The change would leave no active admin.
    #[error("{0}")]
    LastAdmin(String),
    /// Another import is applying to this database.
    #[error("An import is running; try again when it has finished.")]
    ImportRunning,
    /// An import file has more data rows than allowed (the sentence names
    /// the limit).
    #[error("{0}")]
    TooManyRows(String),
    /// An import file has more columns than allowed (the sentence names the
    /// limit).
    #[error("{0}")]
    TooManyColumns(String),
    /// A money total of the answer does not fit in `i64` minor units
    /// (`kizuna_shared::api::MoneySum`: sums never wrap or saturate).
    #[error("{0}")]
    AmountOverflow(String),
    /// The single-page app has not been built, so only the API is served.
    #[error("The web app is not built: run `cargo xtask run` or `trunk build` to create the dist directory.")]
    SpaNotBuilt,
    /// Anything else; details are logged, not returned.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// `33554432` → `32 MiB`, `65536` → `64 KiB`.
fn human_size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

impl ApiError {
    /// The stable machine-readable problem code (which decides the status).
    pub fn code(&self) -> ProblemCode {
        use ProblemCode as P;
        match self {
            ApiError::Unauthenticated => P::Unauthenticated,
            ApiError::InvalidCredentials => P::InvalidCredentials,
            ApiError::Forbidden => P::Forbidden,
            ApiError::CsrfRejected(_) => P::CsrfRejected,
            ApiError::NotFound(_) => P::NotFound,
            ApiError::Validation(_) => P::ValidationFailed,
            ApiError::BadRequest(_) => P::BadRequest,
            ApiError::MethodNotAllowed(_) => P::MethodNotAllowed,
            ApiError::PayloadTooLarge(_) => P::PayloadTooLarge,
            ApiError::Conflict(code, _) => *code,
            ApiError::RateLimited(_) => P::RateLimited,
            ApiError::LinkGone { code, .. } => *code,
            ApiError::AlreadyAnswered => P::AlreadyAnswered,
            ApiError::UnsupportedMediaType(_) => P::UnsupportedMediaType,
            ApiError::LastAdmin(_) => P::LastAdmin,
            ApiError::ImportRunning => P::ImportRunning,
            ApiError::TooManyRows(_) => P::TooManyRows,
            ApiError::TooManyColumns(_) => P::TooManyColumns,
            ApiError::AmountOverflow(_) => P::AmountOverflow,
            ApiError::SpaNotBuilt => P::SpaNotBuilt,
            ApiError::Internal(_) => P::Internal,
        }
    }

    /// A short human-readable summary of the problem type.
    fn title(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "Not signed in",
            ApiError::InvalidCredentials => "Invalid credentials",
            ApiError::Forbidden => "Forbidden",
            ApiError::CsrfRejected(_) => "Cross-site request rejected",
            ApiError::NotFound(_) => "Not found",
            ApiError::Validation(_) => "Validation failed",
            ApiError::BadRequest(_) => "Bad request",
            ApiError::MethodNotAllowed(_) => "Method not allowed",
            ApiError::PayloadTooLarge(_) => "Payload too large",
            ApiError::Conflict(..) => "Conflict",
            ApiError::RateLimited(_) => "Too many requests",
            ApiError::LinkGone { .. } => "Link no longer valid",
            ApiError::AlreadyAnswered => "Already answered",
            ApiError::UnsupportedMediaType(_) => "Unsupported media type",
            ApiError::LastAdmin(_) => "Last admin",
            ApiError::ImportRunning => "Import running",
            ApiError::TooManyRows(_) => "Too many rows",
            ApiError::TooManyColumns(_) => "Too many columns",
            ApiError::AmountOverflow(_) => "Amount too large",
            ApiError::SpaNotBuilt => "Web app not built",
            ApiError::Internal(_) => "Internal server error",
        }
    }

    /// Shorthand for an internal error from anything displayable.
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(err.into())
    }

    /// The problem body of this error.
    pub fn problem(&self) -> Problem {
        let errors = match self {
            ApiError::Validation(errors) => errors.clone(),
            _ => Vec::new(),
        };
        Problem {
            type_: format!("/problems/{}", self.code()),
            title: self.title().to_owned(),
            status: self.code().status(),
            code: self.code(),
            detail: Some(self.to_string()),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(err) = self {
            tracing::error!(error = ?err, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if let ApiError::RateLimited(seconds) = self {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        match serde_json::to_vec(&self.problem()) {
            Ok(body) => response.body(body),
            Err(_) => response.finish(),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::NotFound => ApiError::NotFound("The resource does not exist.".into()),
            DbError::Forbidden => ApiError::Forbidden,
            DbError::Conflict(code, what) => ApiError::Conflict(code, what),
            DbError::Invalid(errors) => ApiError::Validation(errors),
            DbError::LastAdmin(what) => ApiError::LastAdmin(what),
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

impl From<garde::Report> for ApiError {
    fn from(report: garde::Report) -> Self {
        ApiError::Validation(FieldError::from_report(&report))
    }
}

/// Error handler of `JsonConfig`: JSON body errors become problem answers.
pub fn json_error_handler(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge(*limit),
        JsonPayloadError::ContentType => ApiError::BadRequest(
            "The request body must be JSON (Content-Type: application/json).".into(),
        ),
        JsonPayloadError::Deserialize(e) => ApiError::BadRequest(format!("Invalid JSON body: {e}")),
        other => ApiError::BadRequest(format!("Invalid request body: {other}")),
    };
    api.into()
}

/// Error handler of `QueryConfig`: bad or unknown query parameters.
pub fn query_error_handler(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let detail = match &err {
        QueryPayloadError::Deserialize(e) => format!("Invalid query parameters: {e}"),
        other => format!("Invalid query parameters: {other}"),
    };
    ApiError::BadRequest(detail).into()
}

/// Error handler of `PathConfig`: e.g. a non-numeric id.
pub fn path_error_handler(err: PathError, req: &HttpRequest) -> actix_web::Error {
    // A path that is one of the document's literal paths (e.g.
    // `/api/v1/accounts/export`) reached a parameter route only because the
    // method is not declared on it: that is a 405, not a malformed id.
    if let Some(routes) = req.app_data::<actix_web::web::Data<crate::routes::KnownRoutes>>() {
        let allowed = routes.literal(req.path());
        if let Some(response) = crate::routes::method_not_allowed(req, &allowed) {
            return actix_web::error::InternalError::from_response(err, response).into();
        }
    }
    let detail = match &err {
        PathError::Deserialize(e) => format!("Invalid path parameter: {e}"),
        other => format!("Invalid path parameter: {other}"),
    };
    ApiError::BadRequest(detail).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_maps_to_its_documented_status_and_code() {
        let cases = [
            (ApiError::Unauthenticated, 401, "unauthenticated"),
            (ApiError::InvalidCredentials, 401, "invalid_credentials"),
            (ApiError::Forbidden, 403, "forbidden"),
            (ApiError::CsrfRejected("x".into()), 403, "csrf_rejected"),
            (ApiError::NotFound("x".into()), 404, "not_found"),
            (ApiError::Validation(vec![]), 400, "validation_failed"),
            (ApiError::BadRequest("x".into()), 400, "bad_request"),
            (
                ApiError::MethodNotAllowed("x".into()),
                405,
                "method_not_allowed",
            ),
            (ApiError::PayloadTooLarge(1), 413, "payload_too_large"),
            (
                ApiError::Conflict(ProblemCode::StaleVersion, "x".into()),
                409,
                "stale_version",
            ),
            (ApiError::RateLimited(3), 429, "rate_limited"),
            (
                ApiError::LinkGone {
                    code: ProblemCode::LinkExpired,
                    message: "x".into(),
                },
                410,
                "link_expired",
            ),
            (ApiError::AlreadyAnswered, 409, "already_answered"),
            (
                ApiError::UnsupportedMediaType("x".into()),
                415,
                "unsupported_media_type",
            ),
            (ApiError::LastAdmin("x".into()), 409, "last_admin"),
            (ApiError::ImportRunning, 409, "import_running"),
            (ApiError::TooManyRows("x".into()), 413, "too_many_rows"),
            (
                ApiError::TooManyColumns("x".into()),
                400,
                "too_many_columns",
            ),
            (ApiError::internal(anyhow::anyhow!("boom")), 500, "internal"),
        ];
        for (err, status, code) in cases {
            let problem = err.problem();
            assert_eq!(problem.status, status);
            assert_eq!(problem.code.as_str(), code);
        }
    }

    #[test]
    fn internal_errors_do_not_leak_their_cause() {
        let problem = ApiError::internal(anyhow::anyhow!("secret table name")).problem();
        assert!(!problem.detail.unwrap_or_default().contains("secret"));
    }
}
