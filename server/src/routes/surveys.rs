//! `/api/v1/surveys`: NPS/CSAT surveys (managers write them), their answers
//! (a CSM records the ones heard on calls), the answer summary and CSV
//! export, and personal links (issued for chosen accounts and contacts).
//!
//! Who may do what: everyone signed in reads; managers and admins create
//! and change surveys; managers, admins and CSMs record answers and issue
//! or revoke links — a CSM only for the accounts they own.

use actix_web::http::header;
use actix_web::{delete, get, post, put, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{
    IssueLinks, IssuedLink, LinkQuery, Page, Problem, RecordAnswer, ResponseQuery, Survey,
    SurveyInput, SurveyLink, SurveyQuery, SurveyResponse, SurveySummary, UpdateSurvey,
};
use kizuna_shared::domain::Capability;

use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;
use crate::routes::body::Body;

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// Names the survey in a 404 instead of the generic message.
fn no_survey(id: i64) -> impl Fn(ApiError) -> ApiError {
    move |e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("There is no survey {id}.")),
        other => other,
    }
}

/// Surveys, newest first (archived ones only when asked).
#[utoipa::path(
    tag = "surveys",
    params(SurveyQuery),
    responses((status = 200, description = "One page of surveys", body = Page<Survey>))
)]
#[get("/surveys")]
pub async fn list_surveys(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<SurveyQuery>,
) -> Result<web::Json<Page<Survey>>, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let page = blocking(&pool, move |conn| db::surveys::list(conn, &query, now())).await?;
    Ok(web::Json(page))
}

/// Creates a survey (managers and admins).
#[utoipa::path(
    tag = "surveys",
    request_body = SurveyInput,
    responses(
        (status = 201, description = "The new survey", body = Survey),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only managers and admins create surveys (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/surveys")]
pub async fn create_survey(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    body: Body<SurveyInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ManageSurveys)?;
    let actor = user.actor();
    let input = body.into_inner();
    input.validate()?;
    let survey = blocking(&pool, move |conn| {
        db::surveys::create(conn, &input, &actor, now())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/surveys/{}", survey.id)))
        .json(survey))
}

/// One survey with its counts.
#[utoipa::path(
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    responses(
        (status = 200, description = "The survey", body = Survey),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/surveys/{id}")]
pub async fn get_survey(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<web::Json<Survey>, ApiError> {
    let id = id.into_inner();
    let survey = blocking(&pool, move |conn| db::surveys::get(conn, id, now()))
        .await
        .map_err(no_survey(id))?;
    Ok(web::Json(survey))
}

/// Changes a survey (managers and admins); 409 when it changed since it
/// was read. Its kind cannot change once it has answers.
#[utoipa::path(
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    request_body = UpdateSurvey,
    responses(
        (status = 200, description = "The survey after the change", body = Survey),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only managers and admins change surveys (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The survey changed since it was read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/surveys/{id}")]
pub async fn update_survey(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: Body<UpdateSurvey>,
) -> Result<web::Json<Survey>, ApiError> {
    user.require(Capability::ManageSurveys)?;
    let actor = user.actor();
    let id = id.into_inner();
    let update = body.into_inner();
    update.validate()?;
    let survey = blocking(&pool, move |conn| {
        db::surveys::update(conn, id, &update, &actor, now())
    })
    .await
    .map_err(no_survey(id))?;
    Ok(web::Json(survey))
}

/// The survey's answers matching the filters, newest first.
#[utoipa::path(
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"), ResponseQuery),
    responses(
        (status = 200, description = "One page of answers", body = Page<SurveyResponse>),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/surveys/{id}/responses")]
pub async fn list_responses(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    query: web::Query<ResponseQuery>,
) -> Result<web::Json<Page<SurveyResponse>>, ApiError> {
    let id = id.into_inner();
    let query = query.into_inner();
    query.validate()?;
    let page = blocking(&pool, move |conn| {
        db::surveys::list_responses(conn, id, &query)
    })
    .await
    .map_err(no_survey(id))?;
    Ok(web::Json(page))
}

/// Records an answer heard on a call (channel `call`, marked as entered by
/// the signed-in CSM). A negative answer (NPS 0–6, CSAT 1–2) creates a
/// follow-up task for the account's owner.
#[utoipa::path(
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    request_body = RecordAnswer,
    responses(
        (status = 201, description = "The recorded answer", body = SurveyResponse),
        (status = 400, description = "Invalid fields (score outside the survey's range, unknown account or contact, a day outside the survey's dates)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not record answers for this account (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/surveys/{id}/responses")]
pub async fn record_response(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: Body<RecordAnswer>,
) -> Result<HttpResponse, ApiError> {
    let actor = user.actor();
    user.require(Capability::WorkAccounts)?;
    let id = id.into_inner();
    let input = body.into_inner();
    input.validate()?;
    let response = blocking(&pool, move |conn| {
        db::surveys::record_call(conn, id, &input, &actor, now())
    })
    .await
    .map_err(no_survey(id))?;
    Ok(HttpResponse::Created().json(response))
}

/// The answers matching the filters as a CSV download (UTF-8 with BOM,
/// paging ignored).
#[utoipa::path(
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"), ResponseQuery),
    responses(
        (status = 200, description = "CSV file (UTF-8 with BOM)", body = String, content_type = "text/csv"),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/surveys/{id}/responses/export")]
pub async fn export_responses(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    query: web::Query<ResponseQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let query = query.into_inner();
    query.validate()?;
    let actor = user.actor();
    let csv = blocking(&pool, move |conn| {
        let responses = db::surveys::export_responses(conn, id, &query, &actor)?;
        crate::import::export::responses_csv(&responses)
    })
    .await
    .map_err(no_survey(id))?;
    Ok(crate::routes::csv_download(
        &format!("kizuna-survey-{id}"),
        csv,
    ))
}

/// NPS or CSAT of the answers matching the filters, with counts and the
/// 95 % margin of error, overall and per month, segment and channel
/// (computed by `kizuna_shared::metrics`).
#[utoipa::path(
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"), ResponseQuery),
    responses(
        (status = 200, description = "The summary", body = SurveySummary),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/surveys/{id}/summary")]
pub async fn survey_summary(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    query: web::Query<ResponseQuery>,
) -> Result<web::Json<SurveySummary>, ApiError> {
    let id = id.into_inner();
    let query = query.into_inner();
    query.validate()?;
    let summary = blocking(&pool, move |conn| db::surveys::summary(conn, id, &query))
        .await
        .map_err(no_survey(id))?;
    Ok(web::Json(summary))
}

/// The survey's personal links with their status, newest first (tokens
/// are never shown again after issuing).
#[utoipa::path(
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id"), LinkQuery),
    responses(
        (status = 200, description = "One page of links", body = Page<SurveyLink>),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/surveys/{id}/links")]
pub async fn list_links(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    query: web::Query<LinkQuery>,
) -> Result<web::Json<Page<SurveyLink>>, ApiError> {
    let id = id.into_inner();
    let query = query.into_inner();
    query.validate()?;
    let page = blocking(&pool, move |conn| {
        db::surveys::list_links(conn, id, &query, now())
    })
    .await
    .map_err(no_survey(id))?;
    Ok(web::Json(page))
}

/// Issues one personal link per target (an unguessable single-use token
/// with an expiry). The answer carries each link's path with its token,
/// shown this once: only a hash of the token is stored.
#[utoipa::path(
    tag = "surveys",
    params(("id" = i64, Path, description = "Survey id")),
    request_body = IssueLinks,
    responses(
        (status = 201, description = "The new links with their paths", body = Vec<IssuedLink>),
        (status = 400, description = "Invalid fields (unknown account, a contact of another account)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not issue links for these accounts (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The survey is closed or archived", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/surveys/{id}/links")]
pub async fn issue_links(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: Body<IssueLinks>,
) -> Result<HttpResponse, ApiError> {
    let actor = user.actor();
    user.require(Capability::WorkAccounts)?;
    let id = id.into_inner();
    let request = body.into_inner();
    request.validate()?;
    let links = blocking(&pool, move |conn| {
        db::surveys::issue_links(conn, id, &request, &actor, now())
    })
    .await
    .map_err(no_survey(id))?;
    Ok(HttpResponse::Created().json(links))
}

/// Withdraws an unanswered link; an answered one cannot be (409).
#[utoipa::path(
    tag = "surveys",
    params(
        ("id" = i64, Path, description = "Survey id"),
        ("link_id" = i64, Path, description = "Link id"),
    ),
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 403, description = "The role may not revoke this account's links (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such survey or link", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link was answered", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/surveys/{id}/links/{link_id}")]
pub async fn revoke_link(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let actor = user.actor();
    user.require(Capability::WorkAccounts)?;
    let (id, link_id) = path.into_inner();
    let not_found = move |e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("Survey {id} has no link {link_id}.")),
        other => other,
    };
    blocking(&pool, move |conn| {
        db::surveys::revoke_link(conn, id, link_id, &actor, now())
    })
    .await
    .map_err(not_found)?;
    Ok(HttpResponse::NoContent().finish())
}
