//! `GET /api/v1/accounts/export`: the filtered account list as a CSV
//! download (see `import::export`).

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
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let actor = user.actor();
    let csv = blocking(&pool, move |conn| {
        let csv = accounts_csv(conn, &query)?;
        crate::db::audit::record_export(conn, &actor, &query, csv.len())?;
        Ok(csv)
    })
    .await?;
    Ok(crate::routes::csv_download("kizuna-accounts", csv))
}
