//! `/api/v1/accounts`: the account list and single accounts.

use actix_web::{get, web};
use garde::Validate;
use kizuna_shared::api::{Account, AccountQuery, Page, Problem};

use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;

/// Accounts matching the filters, sorted and paged.
#[utoipa::path(
    tag = "accounts",
    params(AccountQuery),
    responses(
        (status = 200, description = "One page of accounts", body = Page<Account>),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts")]
pub async fn list_accounts(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<AccountQuery>,
) -> Result<web::Json<Page<Account>>, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let page = blocking(&pool, move |conn| db::accounts::list(conn, &query)).await?;
    Ok(web::Json(page))
}

/// One account.
#[utoipa::path(
    tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, description = "The account", body = Account),
        (status = 400, description = "The id is not a number", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts/{id}")]
pub async fn get_account(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<web::Json<Account>, ApiError> {
    let id = id.into_inner();
    let account = blocking(&pool, move |conn| db::accounts::find(conn, id))
        .await
        .map_err(|e| match e {
            ApiError::NotFound(_) => ApiError::NotFound(format!("There is no account {id}.")),
            other => other,
        })?;
    Ok(web::Json(account))
}
