//! `/api/v1/imports`: CSV imports (preview and apply), their progress and
//! the history of imports, merges and edits.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use garde::Validate;
use kizuna_shared::api::{
    DataChange, DataChangeQuery, ImportProgress, ImportQuery, ImportReport, Page, Problem,
    MAX_IMPORT_BYTES,
};
use kizuna_shared::domain::Capability;

use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::import::progress::ProgressRegistry;
use crate::import::read::ReadError;
use crate::import::{self, ImportFailure, Options};
use crate::routes::blocking;

/// Reads the request body, refusing it as soon as it passes the limit (and
/// at once when `Content-Length` already says so).
async fn read_body(req: &HttpRequest, mut payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_IMPORT_BYTES) {
        return Err(ApiError::PayloadTooLarge(MAX_IMPORT_BYTES));
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0).min(MAX_IMPORT_BYTES));
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("The upload broke off: {e}")))?;
        if body.len() + chunk.len() > MAX_IMPORT_BYTES {
            return Err(ApiError::PayloadTooLarge(MAX_IMPORT_BYTES));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Media types an import accepts (`Content-Type`, parameters such as
/// `charset` ignored). Anything else is refused before the body is read, so
/// a cross-site no-cors `fetch` (which can only send `text/plain`, form or
/// multipart bodies) can never reach the importer.
pub const IMPORT_MEDIA_TYPES: [&str; 2] = ["text/csv", "text/tab-separated-values"];

/// Refuses any `Content-Type` but [`IMPORT_MEDIA_TYPES`] with 415.
fn check_media_type(req: &HttpRequest) -> Result<(), ApiError> {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if IMPORT_MEDIA_TYPES.contains(&essence.as_str()) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "Send the file as the body with Content-Type {} (got {}).",
            IMPORT_MEDIA_TYPES.join(" or "),
            if essence.is_empty() { "none" } else { &essence }
        )))
    }
}

/// Checks a CSV file and, unless `dry_run`, applies it in one transaction.
///
/// The body is the file itself (`Content-Type: text/csv`, or
/// `text/tab-separated-values`; any other type is a 415 and nothing is
/// read), in UTF-8 (with or without BOM)
/// or Shift_JIS, comma- or tab-separated, at most 32 MiB, 200,000 data rows
/// and 100 columns. A dry run is also how a client reads a file's headers:
/// the answer has them, the encoding, the separator and the suggested
/// mapping even when required columns are unmapped. The answer lists every
/// problem by row and column; a file with any problem applies nothing (422).
/// Warnings (cells read but not used) do not stop it. Re-importing the same
/// file changes nothing. One import applies at a time per database.
#[utoipa::path(
    tag = "imports",
    params(ImportQuery),
    request_body(
        description = "The file: CSV (`text/csv`) or TSV (`text/tab-separated-values`); other types get 415",
        content(
            (String = "text/csv"),
            (String = "text/tab-separated-values"),
        ),
    ),
    responses(
        (status = 200, description = "The preview (dry run) or the applied import", body = ImportReport),
        (status = 400, description = "Unreadable file, more than 100 columns, or bad parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only managers and admins import", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another import is applying (`import_running`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than 32 MiB or has more than 200,000 data rows", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The Content-Type is not text/csv or text/tab-separated-values (`unsupported_media_type`); nothing was read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file has problems; nothing was applied", body = ImportReport),
    )
)]
#[post("/imports")]
pub async fn create_import(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    registry: web::Data<ProgressRegistry>,
    query: web::Query<ImportQuery>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = user.actor();
    let user = user.require(Capability::ManageAccounts)?.clone();
    check_media_type(&req)?;
    let query = query.into_inner();
    query.validate()?;
    let mapping: BTreeMap<String, String> = match query.mapping.as_deref() {
        None | Some("") => BTreeMap::new(),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            ApiError::BadRequest(format!(
                "The column mapping must be a JSON object of our column to your header: {e}"
            ))
        })?,
    };
    let body = read_body(&req, payload).await?;
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "The request body is empty; send the CSV file as the body.".into(),
        ));
    }
    let options = Options {
        kind: query.kind,
        dry_run: query.dry_run,
        file_name: query.file_name.clone(),
        mapping,
        user: user.principal(),
        client_addr: actor.client_addr,
        currency: query.currency,
        date: query.date,
    };
    let token = query.progress.clone();
    let pool = pool.clone();
    let registry = registry.into_inner();
    let report = web::block(move || {
        let mut conn = pool.get().map_err(db::DbError::from)?;
        let progress = |phase, done: u64, total: u64| {
            if let Some(token) = &token {
                registry.set(token, phase, done, total);
            }
        };
        import::run(&mut conn, &body, &options, &progress)
    })
    .await?
    .map_err(|e| match e {
        ImportFailure::Read(e @ ReadError::TooManyRows) => ApiError::TooManyRows(e.to_string()),
        ImportFailure::Read(e @ ReadError::TooManyColumns(..)) => {
            ApiError::TooManyColumns(e.to_string())
        }
        ImportFailure::Read(e) => ApiError::BadRequest(e.to_string()),
        ImportFailure::Running => ApiError::ImportRunning,
        ImportFailure::Db(e) => e.into(),
    })?;
    let status = if report.error_count > 0 && !report.dry_run {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(report))
}

/// How far the import started with `progress=<token>` has got.
#[utoipa::path(
    tag = "imports",
    params(("token" = String, Path, description = "The token sent with the import")),
    responses(
        (status = 200, description = "Phase and rows done", body = ImportProgress),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No import with this token on this server", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/progress/{token}")]
pub async fn import_progress(
    _user: CurrentUser,
    registry: web::Data<ProgressRegistry>,
    token: web::Path<String>,
) -> Result<web::Json<ImportProgress>, ApiError> {
    registry.get(&token).map(web::Json).ok_or_else(|| {
        ApiError::NotFound("No import with this progress token is running here.".into())
    })
}

/// The history of imports, merges and account edits, newest first.
#[utoipa::path(
    tag = "imports",
    params(DataChangeQuery),
    responses(
        (status = 200, description = "One page of history", body = Page<DataChange>),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports")]
pub async fn list_imports(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<DataChangeQuery>,
) -> Result<web::Json<Page<DataChange>>, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    Ok(web::Json(
        blocking(&pool, move |conn| db::history::list(conn, &query)).await?,
    ))
}
