//! `/api/v1/users` (admin) and `/api/v1/owners` (everyone signed in).

use actix_web::{get, post, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{CreateUser, Page, Problem, UserSummary};
use kizuna_shared::domain::Role;

use crate::auth::{password, CurrentUser};
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;

fn one_page<T>(items: Vec<T>) -> Page<T> {
    let total = items.len();
    Page {
        total: total as u64,
        page: 1,
        per_page: u32::try_from(total.max(1)).unwrap_or(u32::MAX),
        items,
    }
}

/// Every user (admins only), sorted by name, in one page.
#[utoipa::path(
    tag = "users",
    responses(
        (status = 200, description = "All users", body = Page<UserSummary>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<web::Json<Page<UserSummary>>, ApiError> {
    user.require_any(&[Role::Admin])?;
    let users = blocking(&pool, db::users::list_all).await?;
    Ok(web::Json(one_page(users)))
}

/// Creates a user (admins only).
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    responses(
        (status = 201, description = "The new user", body = UserSummary),
        (status = 400, description = "Malformed or invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin, or CSRF check failed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail address is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::Admin])?;
    let body = body.into_inner();
    body.validate()?;
    let created = blocking(&pool, move |conn| {
        let password_hash =
            password::hash(&body.password).map_err(|e| db::DbError::Corrupt(e.to_string()))?;
        db::users::insert(
            conn,
            &db::users::NewUser {
                email: body.email,
                name: body.name,
                role: body.role,
                password_hash,
            },
        )
    })
    .await?;
    tracing::info!(by = user.0.id, user_id = created.id, "user created");
    Ok(HttpResponse::Created().json(created))
}

/// Users who can own accounts (CSMs and managers), sorted by name, in one page.
#[utoipa::path(
    tag = "users",
    responses(
        (status = 200, description = "Possible account owners", body = Page<UserSummary>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/owners")]
pub async fn list_owners(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<web::Json<Page<UserSummary>>, ApiError> {
    let owners = blocking(&pool, db::users::list_owners).await?;
    Ok(web::Json(one_page(owners)))
}
