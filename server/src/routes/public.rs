//! The public survey endpoints, which need no session: the JSON API at
//! `/api/public/surveys/{token}` (GET the question in the link's language,
//! POST the answer) and the answer page at `/s/{token}` with its stylesheet
//! and script. Every request counts against the per-address rate limit
//! (429 with `Retry-After`); bodies with unknown fields are refused.
//!
//! The POST is a state-changing request like any other: it must carry the
//! `x-kizuna-csrf` header (the page's script sends it), so no cross-site
//! form can submit answers in a customer's name.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{
    FieldError, Problem, ProblemCode, PublicAnswer, PublicAnswerReceipt, PublicSurvey,
};
use kizuna_shared::domain::Language;
use serde::Deserialize;

use crate::auth::public_limit::PublicLimiter;
use crate::db::surveys::{self, PublicLink, Refusal};
use crate::db::DbPool;
use crate::error::ApiError;
use crate::routes::blocking;
use crate::routes::body::Body;
use crate::survey_page::{self, Notice};

/// Longest token accepted (a token is 43 characters); anything longer is
/// unknown without a database look-up.
const MAX_TOKEN_LEN: usize = 64;

/// Counts the request against the per-address limit.
fn limit(req: &HttpRequest, limiter: &PublicLimiter) -> Result<(), ApiError> {
    limiter
        .check(crate::auth::client_addr(req))
        .map_err(|wait| ApiError::RateLimited(wait.as_secs().max(1)))
}

fn well_formed(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// The link with this token (`None` when the token is unknown).
async fn find(pool: &web::Data<DbPool>, token: &str) -> Result<Option<PublicLink>, ApiError> {
    if !well_formed(token) {
        return Ok(None);
    }
    let hash = surveys::token_hash(token);
    blocking(pool, move |conn| surveys::public_link(conn, &hash)).await
}

fn refusal_error(refusal: Refusal) -> ApiError {
    let gone = |code, message: &str| ApiError::LinkGone {
        code,
        message: message.to_owned(),
    };
    match refusal {
        Refusal::Unknown => ApiError::NotFound("There is no survey link with this token.".into()),
        Refusal::Expired => gone(ProblemCode::LinkExpired, "This survey link has expired."),
        Refusal::Revoked => gone(ProblemCode::LinkRevoked, "This survey link was withdrawn."),
        Refusal::Closed => gone(
            ProblemCode::SurveyClosed,
            "The survey no longer takes answers.",
        ),
        Refusal::Answered => ApiError::AlreadyAnswered,
        Refusal::BadScore { min, max } => ApiError::Validation(vec![FieldError {
            field: "score".into(),
            message: format!("must be between {min} and {max}"),
        }]),
    }
}

/// Query of the public question.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LanguageQuery {
    /// Show the texts in this language instead of the link's.
    pub lang: Option<Language>,
}

/// The question of an open personal link, in the link's language (or the
/// one asked for). No session needed; rate-limited per client address.
#[utoipa::path(
    tag = "public",
    params(
        ("token" = String, Path, description = "The link's token", max_length = 64),
        LanguageQuery,
    ),
    security(()),
    responses(
        (status = 200, description = "The question", body = PublicSurvey),
        (status = 404, description = "No link has this token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link was already answered (`already_answered`)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link expired (`link_expired`), was withdrawn (`link_revoked`) or its survey closed (`survey_closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address (`rate_limited`); `Retry-After` says how many seconds to wait",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    )
)]
#[get("/surveys/{token}")]
pub async fn public_question(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    limiter: web::Data<PublicLimiter>,
    token: web::Path<String>,
    query: web::Query<LanguageQuery>,
) -> Result<web::Json<PublicSurvey>, ApiError> {
    limit(&req, &limiter)?;
    let link = find(&pool, &token)
        .await?
        .ok_or(refusal_error(Refusal::Unknown))?;
    if let Some(refusal) = link.refusal(now()) {
        return Err(refusal_error(refusal));
    }
    Ok(web::Json(link.question(query.lang)?))
}

/// Answers a personal link: the score (0–10 NPS, 1–5 CSAT) and an optional
/// comment; unknown fields are refused. A link takes one answer: the second
/// submission, even a concurrent one, gets 409. A negative answer creates a
/// follow-up task for the account's owner.
#[utoipa::path(
    tag = "public",
    params(("token" = String, Path, description = "The link's token", max_length = 64)),
    request_body = PublicAnswer,
    security(()),
    responses(
        (status = 201, description = "The answer was stored", body = PublicAnswerReceipt),
        (status = 400, description = "Invalid body: a score outside the survey's range, a comment over 2,000 characters, unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The CSRF header is missing or the request comes from another origin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No link has this token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link was already answered (`already_answered`)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The link expired (`link_expired`), was withdrawn (`link_revoked`) or its survey closed (`survey_closed`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address (`rate_limited`); `Retry-After` says how many seconds to wait",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    )
)]
#[post("/surveys/{token}")]
pub async fn public_answer(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    limiter: web::Data<PublicLimiter>,
    token: web::Path<String>,
    body: Body<PublicAnswer>,
) -> Result<HttpResponse, ApiError> {
    limit(&req, &limiter)?;
    let answer = body.into_inner();
    answer.validate()?;
    let token = token.into_inner();
    if !well_formed(&token) {
        return Err(refusal_error(Refusal::Unknown));
    }
    let hash = surveys::token_hash(&token);
    let outcome = blocking(&pool, move |conn| {
        surveys::public_answer(conn, &hash, &answer, now())
    })
    .await?;
    match outcome {
        Ok(answered_at) => Ok(HttpResponse::Created()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(PublicAnswerReceipt { answered_at })),
        Err(refusal) => Err(refusal_error(refusal)),
    }
}

/// An HTML answer of the public page.
fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Robots-Tag", "noindex, nofollow"))
        // The token is in the path: never send it on in a Referer.
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .body(body)
}

/// `?lang=` of the page; anything else in the query is ignored (a browser
/// without the script may submit the form's fields as a query).
fn page_language(req: &HttpRequest) -> Option<Language> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()?
        .iter()
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| v.parse().ok())
}

/// The language of a page without a link: `?lang=`, else the browser's.
fn visitor_language(req: &HttpRequest) -> Language {
    page_language(req).unwrap_or(match crate::spa::preferred_lang(req) {
        "ja" => Language::Ja,
        _ => Language::En,
    })
}

/// `GET /s/{token}`: the answer page (server-rendered HTML), or a page that
/// says the link is unknown (404), expired, withdrawn or closed (410), or
/// already answered.
pub async fn answer_page(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    limiter: web::Data<PublicLimiter>,
    token: web::Path<String>,
) -> HttpResponse {
    use actix_web::http::StatusCode;
    if let Err(ApiError::RateLimited(seconds)) = limit(&req, &limiter) {
        let mut response = html(
            StatusCode::TOO_MANY_REQUESTS,
            survey_page::notice_page(visitor_language(&req), Notice::Limited),
        );
        if let Ok(value) = header::HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let link = match find(&pool, &token).await {
        Ok(link) => link,
        Err(err) => return actix_web::ResponseError::error_response(&err),
    };
    let Some(link) = link else {
        return html(
            StatusCode::NOT_FOUND,
            survey_page::notice_page(visitor_language(&req), Notice::Unknown),
        );
    };
    let lang = page_language(&req).unwrap_or(link.language());
    let (status, notice) = match link.refusal(now()) {
        None => (StatusCode::OK, None),
        Some(Refusal::Answered) => (StatusCode::OK, Some(Notice::Answered)),
        Some(Refusal::Expired) => (StatusCode::GONE, Some(Notice::Expired)),
        Some(Refusal::Revoked) => (StatusCode::GONE, Some(Notice::Revoked)),
        Some(Refusal::Closed) => (StatusCode::GONE, Some(Notice::Closed)),
        Some(Refusal::Unknown | Refusal::BadScore { .. }) => {
            (StatusCode::NOT_FOUND, Some(Notice::Unknown))
        }
    };
    if let Some(notice) = notice {
        return html(status, survey_page::notice_page(lang, notice));
    }
    match link.question(Some(lang)) {
        Ok(question) => {
            let expires = match lang {
                Language::En => question.expires_at.format("%Y-%m-%d %H:%M UTC"),
                Language::Ja => question.expires_at.format("%Y/%m/%d %H:%M（UTC）"),
            }
            .to_string();
            html(
                status,
                survey_page::answer_page(&token, &question, &expires),
            )
        }
        Err(err) => actix_web::ResponseError::error_response(&ApiError::from(err)),
    }
}

/// `GET /s/assets/{file}`: the page's stylesheet and script.
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    let (content_type, body) = match file.as_str() {
        "survey.css" => ("text/css; charset=utf-8", survey_page::CSS),
        "survey.js" => ("text/javascript; charset=utf-8", survey_page::JS),
        _ => {
            return actix_web::ResponseError::error_response(&ApiError::NotFound(
                "No such file.".into(),
            ))
        }
    };
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        // The URL carries the content's hash, so a day is safe.
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}
