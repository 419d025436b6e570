//! `/api/v1/users` (admins: list, create, change, reset passwords) and
//! `/api/v1/owners` (everyone signed in).

use actix_web::{get, patch, post, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{
    AuditKind, CreateUser, FieldError, Page, PasswordReset, Problem, UpdateUser, UserAccount,
    UserQuery, UserSummary,
};
use kizuna_shared::domain::Capability;

use crate::auth::password::{self, PasswordWork};
use crate::auth::session::SessionCookies;
use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::events::EventHub;
use crate::routes::blocking;
use crate::routes::body::Body;

/// Characters of a generated password (about 119 bits from 62 symbols).
const RESET_PASSWORD_CHARS: usize = 20;

/// Names the user in a 404 instead of the generic message.
fn not_found(id: i64) -> impl Fn(ApiError) -> ApiError {
    move |e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("There is no user {id}.")),
        other => other,
    }
}

/// Users (admins only), sorted by name, paged, with their state and live
/// session counts.
#[utoipa::path(
    tag = "users",
    params(UserQuery),
    responses(
        (status = 200, description = "One page of users", body = Page<UserAccount>),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list_users(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    cookies: web::Data<SessionCookies>,
    query: web::Query<UserQuery>,
) -> Result<web::Json<Page<UserAccount>>, ApiError> {
    user.require(Capability::AdministerUsers)?;
    let query = query.into_inner();
    query.validate()?;
    let lifetime = cookies.lifetime();
    let page = blocking(&pool, move |conn| {
        db::users::list_page(conn, &query, chrono::Utc::now().naive_utc(), lifetime)
    })
    .await?;
    Ok(web::Json(page))
}

/// Creates a user (admins only).
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    responses(
        (status = 201, description = "The new user", body = UserAccount),
        (status = 400, description = "Malformed or invalid body (the password needs at least 12 characters)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin, or CSRF check failed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail address is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    work: web::Data<PasswordWork>,
    cookies: web::Data<SessionCookies>,
    body: Body<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::AdministerUsers)?;
    let body = body.into_inner();
    body.validate()?;
    let password_hash = work.hash(body.password).await.map_err(ApiError::internal)?;
    let actor = user.actor();
    let lifetime = cookies.lifetime();
    let created = blocking(&pool, move |conn| {
        let created = db::users::create(
            conn,
            &db::users::NewUser {
                email: body.email,
                name: body.name,
                role: body.role,
                password_hash,
            },
            &actor,
        )?;
        db::users::account(conn, created.id, chrono::Utc::now().naive_utc(), lifetime)
    })
    .await?;
    tracing::info!(by = user.0.id, user_id = created.id, "user created");
    Ok(HttpResponse::Created().json(created))
}

/// Changes a user's name, role or disabled state (admins only). Only the
/// fields sent change. A role change or disabling ends every session of the
/// user at once; a disabled user cannot sign in. The last active admin
/// cannot be demoted or disabled (409 `last_admin`), and nobody can
/// disable themselves.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "The user after the change", body = UserAccount),
        (status = 400, description = "Invalid fields (a blank name, disabling yourself)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin, or CSRF check failed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave no active admin (`last_admin`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    hub: web::Data<EventHub>,
    cookies: web::Data<SessionCookies>,
    id: web::Path<i64>,
    body: Body<UpdateUser>,
) -> Result<web::Json<UserAccount>, ApiError> {
    user.require(Capability::AdministerUsers)?;
    let id = id.into_inner();
    let patch = body.into_inner();
    patch.validate()?;
    if id == user.0.id && patch.disabled == Some(true) {
        return Err(ApiError::Validation(vec![FieldError {
            field: "disabled".into(),
            message: "you cannot disable your own account".into(),
        }]));
    }
    let actor = user.actor();
    let lifetime = cookies.lifetime();
    let updated = blocking(&pool, move |conn| {
        db::users::update(conn, id, &patch, &actor)?;
        db::users::account(conn, id, chrono::Utc::now().naive_utc(), lifetime)
    })
    .await
    .map_err(not_found(id))?;
    // A role change or disabling ended the user's sessions.
    hub.sessions_changed();
    Ok(web::Json(updated))
}

/// Gives a user a new generated password, shown once in the answer (admins
/// only). Every session of the user ends; the reset is audited.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The new password (20 characters, shown only this once)", body = PasswordReset),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin, or CSRF check failed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/{id}/password-reset")]
pub async fn reset_password(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    hub: web::Data<EventHub>,
    work: web::Data<PasswordWork>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::AdministerUsers)?;
    let id = id.into_inner();
    let generated = password::random_password(RESET_PASSWORD_CHARS);
    let hash = work
        .hash(generated.clone())
        .await
        .map_err(ApiError::internal)?;
    let actor = user.actor();
    blocking(&pool, move |conn| {
        db::users::set_password(conn, id, &hash, AuditKind::PasswordReset, &actor)
    })
    .await
    .map_err(not_found(id))?;
    hub.sessions_changed();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PasswordReset {
            password: generated,
        }))
}

/// Users who can own accounts (CSMs and managers, not disabled), sorted by
/// name, in one page.
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
    Ok(web::Json(Page::whole(owners)))
}
