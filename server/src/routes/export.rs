//! `GET /api/v1/accounts/export`: the filtered account list as a CSV
//! download (see `import::export`).

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{AccountQuery, Problem};

use crate::auth::CurrentUser;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::import::export::accounts_csv;
use crate::routes::blocking;

/// The accounts matching the list's filters (`q`, `status`, `owner`, `tier`,
/// in its sort order; paging is ignored) as a CSV download.
#[utoipa::path(
    tag = "accounts",
    params(AccountQuery),
    responses(
        (status = 200, description = "CSV file (UTF-8 with BOM)", body = String, content_type = "text/csv"),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts/export")]
pub async fn export_accounts(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let csv = blocking(&pool, move |conn| accounts_csv(conn, &query)).await?;
    let file = format!(
        "kizuna-accounts-{}.csv",
        chrono::Utc::now().date_naive().format("%Y-%m-%d")
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(csv))
}
