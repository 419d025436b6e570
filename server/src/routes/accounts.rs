//! `/api/v1/accounts`: the account list, single accounts with their revenue
//! history, signals and contacts, and creating, editing and deleting them.
//!
//! Who may write is decided by the rules of `kizuna_shared::domain`:
//! managers and admins any account and field; a CSM the relationship fields
//! of the accounts they own (not MRR, currency, status, churn date, external
//! id or owner); executives nothing.

use actix_web::http::header;
use actix_web::{delete, get, post, put, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{
    Account, AccountDetail, AccountInput, AccountQuery, Contact, ContactInput, MrrEntry, Page,
    Problem, SignalHistoryQuery, SignalValue, UpdateAccount,
};
use kizuna_shared::domain::Capability;
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::{self, DbConn, DbError, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;
use crate::routes::body::Body;

/// Names the account in a 404 instead of the generic message.
fn not_found(id: i64) -> impl Fn(ApiError) -> ApiError {
    move |e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("There is no account {id}.")),
        other => other,
    }
}

/// Reads something of account `id` with `read`, or answers 404 when there is
/// no such account (an empty list would not tell the two apart).
async fn of_account<T, F>(pool: &web::Data<DbPool>, id: i64, read: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn, i64) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    blocking(pool, move |conn| {
        if !db::accounts::exists(conn, id)? {
            return Err(DbError::NotFound);
        }
        read(conn, id)
    })
    .await
    .map_err(not_found(id))
}

/// Accounts matching the filters, sorted and paged, each with the latest
/// value of its signals.
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

/// Creates an account (managers and admins).
#[utoipa::path(
    tag = "accounts",
    request_body = AccountInput,
    responses(
        (status = 201, description = "The new account", body = Account),
        (status = 400, description = "Invalid fields (including an unknown owner or a taken external id)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only managers and admins create accounts", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts")]
pub async fn create_account(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    body: Body<AccountInput>,
) -> Result<HttpResponse, ApiError> {
    let actor = user.actor();
    user.require(Capability::ManageAccounts)?;
    let input = body.into_inner();
    input.validate()?;
    let account = blocking(&pool, move |conn| {
        db::accounts::create(conn, &input, &actor)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/accounts/{}", account.id)))
        .json(account))
}

/// One account with its MRR history, the latest value of each signal and
/// its contacts.
#[utoipa::path(
    tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, description = "The account", body = AccountDetail),
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
) -> Result<web::Json<AccountDetail>, ApiError> {
    let id = id.into_inner();
    let detail = blocking(&pool, move |conn| db::accounts::detail(conn, id))
        .await
        .map_err(not_found(id))?;
    Ok(web::Json(detail))
}

/// Replaces an account's fields. The body carries the `version` the change
/// was made from; if the account changed since, the answer is 409 and
/// nothing changes. A change to a field the user's role may not change
/// (a CSM: MRR, currency, status, churn date, external id, owner), or to the
/// MRR or currency of an account whose MRR comes from its revenue history,
/// is a 400 with an error on that field.
#[utoipa::path(
    tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    request_body = UpdateAccount,
    responses(
        (status = 200, description = "The account after the change", body = Account),
        (status = 400, description = "Invalid fields, fields the role may not change, or MRR that comes from the revenue history", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not change this account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account changed since it was read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/accounts/{id}")]
pub async fn update_account(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: Body<UpdateAccount>,
) -> Result<web::Json<Account>, ApiError> {
    let id = id.into_inner();
    let actor = user.actor();
    let body = body.into_inner();
    body.validate()?;
    let account = blocking(&pool, move |conn| {
        db::accounts::update(conn, id, body.version, &body.account, &actor)
    })
    .await
    .map_err(not_found(id))?;
    Ok(web::Json(account))
}

/// Query of `DELETE /api/v1/accounts/{id}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeleteQuery {
    /// The version of the account the user saw.
    pub version: i64,
}

/// Deletes an account with its revenue history, signals and contacts
/// (managers and admins).
#[utoipa::path(
    tag = "accounts",
    params(("id" = i64, Path, description = "Account id"), DeleteQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only managers and admins delete accounts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account changed since it was read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/accounts/{id}")]
pub async fn delete_account(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    query: web::Query<DeleteQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = user.actor();
    user.require(Capability::ManageAccounts)?;
    let id = id.into_inner();
    let version = query.version;
    blocking(&pool, move |conn| {
        db::accounts::delete(conn, id, version, &actor)
    })
    .await
    .map_err(not_found(id))?;
    Ok(HttpResponse::NoContent().finish())
}

/// The account's monthly MRR per product, oldest month first.
#[utoipa::path(
    tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, description = "MRR history", body = Page<MrrEntry>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts/{id}/mrr")]
pub async fn account_mrr(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<web::Json<Page<MrrEntry>>, ApiError> {
    let id = id.into_inner();
    let history = of_account(&pool, id, db::revenue::history).await?;
    Ok(web::Json(Page::whole(history)))
}

/// The account's signal values over time, by signal then date.
#[utoipa::path(
    tag = "accounts",
    params(("id" = i64, Path, description = "Account id"), SignalHistoryQuery),
    responses(
        (status = 200, description = "Signal history", body = Page<SignalValue>),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts/{id}/signals")]
pub async fn account_signals(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    query: web::Query<SignalHistoryQuery>,
) -> Result<web::Json<Page<SignalValue>>, ApiError> {
    let id = id.into_inner();
    let query = query.into_inner();
    query.validate()?;
    let history = of_account(&pool, id, move |conn, id| {
        db::signals::history(conn, id, &query)
    })
    .await?;
    Ok(web::Json(Page::whole(history)))
}

/// The account's contacts, the champion first.
#[utoipa::path(
    tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, description = "Contacts", body = Page<Contact>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts/{id}/contacts")]
pub async fn list_contacts(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<web::Json<Page<Contact>>, ApiError> {
    let id = id.into_inner();
    let contacts = of_account(&pool, id, move |conn, id| {
        db::contacts::of_account(conn, id)
    })
    .await?;
    Ok(web::Json(Page::whole(contacts)))
}

/// Adds a contact; `is_champion` makes it the account's champion.
#[utoipa::path(
    tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    request_body = ContactInput,
    responses(
        (status = 201, description = "The new contact", body = Contact),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not change this account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/accounts/{id}/contacts")]
pub async fn create_contact(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: Body<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.into_inner();
    input.validate()?;
    let actor = user.actor();
    let contact = blocking(&pool, move |conn| {
        db::contacts::create(conn, id, &input, &actor)
    })
    .await
    .map_err(not_found(id))?;
    Ok(HttpResponse::Created().json(contact))
}

/// Removes a contact.
#[utoipa::path(
    tag = "accounts",
    params(
        ("id" = i64, Path, description = "Account id"),
        ("contact_id" = i64, Path, description = "Contact id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not change this account", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account or contact", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/accounts/{id}/contacts/{contact_id}")]
pub async fn delete_contact(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, contact_id) = path.into_inner();
    let actor = user.actor();
    blocking(&pool, move |conn| {
        db::contacts::delete(conn, id, contact_id, &actor)
    })
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => {
            ApiError::NotFound(format!("Account {id} has no contact {contact_id}."))
        }
        other => other,
    })?;
    Ok(HttpResponse::NoContent().finish())
}
