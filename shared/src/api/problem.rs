//! Error answers: the `application/problem+json` body (RFC 9457) and the
//! stable codes that name every kind of problem the API answers with.
//!
//! The server maps each of its errors to one [`ProblemCode`]; the app
//! chooses its sentence by matching the code exhaustively, so a new code is
//! a compile error in both until each says what it means.

use serde::{Deserialize, Serialize};

string_enum!(
    /// What went wrong, as a stable machine-readable name. The HTTP status
    /// goes with it ([`ProblemCode::status`]).
    ProblemCode, "problem code", {
        /// 401: no (valid) session.
        Unauthenticated => "unauthenticated",
        /// 401: wrong e-mail or password, or a disabled user.
        InvalidCredentials => "invalid_credentials",
        /// 403: the role (or ownership) does not allow this.
        Forbidden => "forbidden",
        /// 403: a write without the CSRF header or from another origin.
        CsrfRejected => "csrf_rejected",
        /// 404: no such resource.
        NotFound => "not_found",
        /// 400: invalid fields; the problem's `errors` name them.
        ValidationFailed => "validation_failed",
        /// 400: the request could not be read (bad JSON, query or path).
        BadRequest => "bad_request",
        /// 405: the path exists, not with this method.
        MethodNotAllowed => "method_not_allowed",
        /// 413: the body is larger than allowed.
        PayloadTooLarge => "payload_too_large",
        /// 415: a body of a media type this resource does not take.
        UnsupportedMediaType => "unsupported_media_type",
        /// 429: too many attempts; see `Retry-After`.
        RateLimited => "rate_limited",
        /// 409: the record changed since it was read (its `version`
        /// moved); reload and apply the change again.
        StaleVersion => "stale_version",
        /// 409: another user already has this e-mail address.
        EmailTaken => "email_taken",
        /// 409: another version of the health model was published after
        /// this draft was started; reload to see it first.
        ModelPublished => "model_published",
        /// 409: this model version is published and no longer changes;
        /// save a new draft instead.
        ModelImmutable => "model_immutable",
        /// 409: a signal with this key exists already.
        SignalKeyTaken => "signal_key_taken",
        /// 409: the published model reads this signal, so it cannot be
        /// retired.
        SignalInUse => "signal_in_use",
        /// 409: this template already runs for the account or member.
        SheetRunning => "sheet_running",
        /// 409: the survey is closed or archived; it issues no links.
        SurveyNotOpen => "survey_not_open",
        /// 409: the link was answered; an answer cannot be withdrawn.
        LinkAnswered => "link_answered",
        /// 409: the record exists already (a unique key taken by a
        /// concurrent write).
        Duplicate => "duplicate",
        /// 409: something the request refers to was removed meanwhile.
        ReferenceGone => "reference_gone",
        /// 409: the change would leave no active admin.
        LastAdmin => "last_admin",
        /// 409: another import is applying to this database.
        ImportRunning => "import_running",
        /// 409: this personal link was already answered.
        AlreadyAnswered => "already_answered",
        /// 410: the personal link expired.
        LinkExpired => "link_expired",
        /// 410: the personal link was withdrawn.
        LinkRevoked => "link_revoked",
        /// 410: the link's survey is closed.
        SurveyClosed => "survey_closed",
        /// 413: an import file with more data rows than allowed.
        TooManyRows => "too_many_rows",
        /// 400: an import file with more columns than allowed.
        TooManyColumns => "too_many_columns",
        /// 422: amounts too large to add up exactly (beyond 64 bits of
        /// minor units; see `api::MoneySum`).
        AmountOverflow => "amount_overflow",
        /// 503: the web app is not built (only the API is served).
        SpaNotBuilt => "spa_not_built",
        /// 500: anything else; details are logged, not answered.
        Internal => "internal",
    }
);

impl ProblemCode {
    /// The code of an error answer that carried no problem body (a proxy's
    /// page, say): the general code of its status.
    pub const fn of_status(status: u16) -> Self {
        use ProblemCode as P;
        match status {
            401 => P::Unauthenticated,
            403 => P::Forbidden,
            404 => P::NotFound,
            405 => P::MethodNotAllowed,
            413 => P::PayloadTooLarge,
            415 => P::UnsupportedMediaType,
            429 => P::RateLimited,
            400..=499 => P::BadRequest,
            _ => P::Internal,
        }
    }

    /// The HTTP status every answer with this code has.
    pub const fn status(self) -> u16 {
        use ProblemCode as P;
        match self {
            P::Unauthenticated | P::InvalidCredentials => 401,
            P::Forbidden | P::CsrfRejected => 403,
            P::NotFound => 404,
            P::ValidationFailed | P::BadRequest | P::TooManyColumns => 400,
            P::MethodNotAllowed => 405,
            P::PayloadTooLarge | P::TooManyRows => 413,
            P::UnsupportedMediaType => 415,
            P::RateLimited => 429,
            P::StaleVersion
            | P::EmailTaken
            | P::ModelPublished
            | P::ModelImmutable
            | P::SignalKeyTaken
            | P::SignalInUse
            | P::SheetRunning
            | P::SurveyNotOpen
            | P::LinkAnswered
            | P::Duplicate
            | P::ReferenceGone
            | P::LastAdmin
            | P::ImportRunning
            | P::AlreadyAnswered => 409,
            P::LinkExpired | P::LinkRevoked | P::SurveyClosed => 410,
            P::AmountOverflow => 422,
            P::SpaNotBuilt => 503,
            P::Internal => 500,
        }
    }
}

/// An error answer (`application/problem+json`, RFC 9457). `code` is stable
/// and meant for programs; `title` and `detail` are for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI reference naming the problem type (`/problems/<code>`).
    #[serde(rename = "type")]
    pub type_: String,
    /// Short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Stable machine-readable code, e.g. `validation_failed`, `stale_version`.
    pub code: ProblemCode,
    /// Human-readable explanation of this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Field-level errors, when the problem is invalid input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field (or query parameter) name.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// Turns garde's report into field errors.
    pub fn from_report(report: &garde::Report) -> Vec<FieldError> {
        report
            .iter()
            .map(|(path, error)| FieldError {
                field: path.to_string(),
                message: error.message().to_string(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_has_a_status_of_an_error() {
        for code in ProblemCode::ALL {
            assert_eq!(code.as_str().parse::<ProblemCode>(), Ok(*code));
            assert!((400..600).contains(&code.status()), "{code}");
        }
        let json = serde_json::to_string(&ProblemCode::StaleVersion).unwrap();
        assert_eq!(json, "\"stale_version\"");
    }

    #[test]
    fn an_answer_without_a_problem_body_gets_the_general_code_of_its_status() {
        assert_eq!(ProblemCode::of_status(404), ProblemCode::NotFound);
        assert_eq!(ProblemCode::of_status(413), ProblemCode::PayloadTooLarge);
        assert_eq!(ProblemCode::of_status(418), ProblemCode::BadRequest);
        assert_eq!(ProblemCode::of_status(502), ProblemCode::Internal);
        // The general code's own status is the answer's where one exists.
        for status in [401, 403, 404, 405, 413, 415, 429] {
            assert_eq!(ProblemCode::of_status(status).status(), status);
        }
    }
}
