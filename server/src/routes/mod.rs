//! HTTP handlers. Each one parses and validates its input (shared DTOs),
//! authorises, calls a `db` function in the blocking pool and maps errors.

pub mod accounts;
pub mod audit;
pub mod duplicates;
pub mod export;
pub mod health;
pub mod imports;
pub mod session;
pub mod signals;
pub mod users;

use actix_web::{web, HttpRequest, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::{DbConn, DbError, DbPool};
use crate::error::ApiError;

/// Registers every `/api/v1` route (inside the `/api/v1` scope).
pub fn configure_v1(cfg: &mut ServiceConfig) {
    cfg.service(session::login)
        .service(session::current)
        .service(session::logout)
        .service(session::change_password)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::update_user)
        .service(users::reset_password)
        .service(audit::list_audit)
        .service(audit::export_audit)
        .service(users::list_owners)
        .service(accounts::list_accounts)
        // Before `/accounts/{id}`, which would take "export" for an id.
        .service(export::export_accounts)
        .service(accounts::create_account)
        .service(accounts::get_account)
        .service(accounts::update_account)
        .service(accounts::delete_account)
        .service(accounts::account_mrr)
        .service(accounts::account_signals)
        .service(accounts::list_contacts)
        .service(accounts::create_contact)
        .service(accounts::delete_contact)
        .service(signals::list_signals)
        .service(duplicates::list_duplicates)
        .service(duplicates::merge_accounts)
        .service(imports::create_import)
        .service(imports::import_progress)
        .service(imports::list_imports);
}

/// Runs `f` with a pooled connection on the blocking thread pool, so diesel
/// never blocks the async workers.
pub async fn blocking<T, F>(pool: &web::Data<DbPool>, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let result = web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?;
    Ok(result?)
}

/// A CSV file download named `<prefix>-<today>.csv`, never cached.
pub fn csv_download(prefix: &str, body: Vec<u8>) -> HttpResponse {
    use actix_web::http::header;
    let file = format!(
        "{prefix}-{}.csv",
        chrono::Utc::now().date_naive().format("%Y-%m-%d")
    );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// Any unknown path under `/api`: a 404 problem, never `index.html`.
pub async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "No API resource at {} {}.",
        req.method(),
        req.path()
    )))
}
