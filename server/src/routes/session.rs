//! `/api/v1/session`: sign in, who am I, sign out.

use actix_identity::Identity;
use actix_web::{delete, get, post, web, HttpMessage, HttpRequest, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{LoginRequest, Problem, SessionUser};

use crate::auth::rate_limit::LoginLimiter;
use crate::auth::{password, CurrentUser};
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;

/// Signs in with e-mail and password and sets the session cookie.
#[utoipa::path(
    tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SessionUser),
        (status = 400, description = "Malformed or invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong e-mail or password (`invalid_credentials`)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "CSRF header missing or foreign origin", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts (`rate_limited`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/session")]
pub async fn login(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    limiter: web::Data<LoginLimiter>,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<SessionUser>, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    let LoginRequest { email, password } = body;
    if !limiter.check(&email, req.peer_addr().map(|a| a.ip())) {
        return Err(ApiError::RateLimited(60));
    }
    let user = blocking(&pool, move |conn| {
        Ok(match db::users::find_credentials(conn, &email)? {
            Some((user, hash)) => password::verify(&password, &hash).then_some(user),
            None => {
                // Same work as for a known user, so timing does not tell
                // which e-mail addresses exist.
                password::verify(&password, password::dummy_hash());
                None
            }
        })
    })
    .await?
    .ok_or(ApiError::InvalidCredentials)?;
    Identity::login(&req.extensions(), user.id.to_string()).map_err(ApiError::internal)?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(web::Json(user))
}

/// The signed-in user.
#[utoipa::path(
    tag = "session",
    responses(
        (status = 200, description = "The signed-in user", body = SessionUser),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/session")]
pub async fn current(user: CurrentUser) -> web::Json<SessionUser> {
    web::Json(user.0)
}

/// Signs out (always succeeds).
#[utoipa::path(
    tag = "session",
    responses(
        (status = 204, description = "Signed out; the session cookie is removed"),
        (status = 403, description = "CSRF header missing or foreign origin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/session")]
pub async fn logout(identity: Option<Identity>) -> HttpResponse {
    if let Some(identity) = identity {
        identity.logout();
    }
    HttpResponse::NoContent().finish()
}
