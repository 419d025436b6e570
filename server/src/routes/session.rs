//! `/api/v1/session`: sign in, who am I, sign out, change my password.
//!
//! Signing in reads the user and password hash, gives the connection back
//! to the pool, and only then runs Argon2 — on the blocking pool, at most
//! one verification per core at a time — so a burst of sign-ins can neither
//! hold every database connection nor every core. Attempts are limited per
//! account, per client address and globally; every outcome is audited.

use actix_web::http::header;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{
    AuditKind, AuditTarget, ChangePassword, FieldError, LoginRequest, Problem, SessionUser,
};

use crate::auth::password::PasswordWork;
use crate::auth::rate_limit::{Limit, LoginLimiter};
use crate::auth::session::{self, SessionCookies};
use crate::auth::{client_addr, CurrentUser};
use crate::db::audit::{self, Actor, Event};
use crate::db::sessions::NewSession;
use crate::db::{self, DbConn, DbError, DbPool};
use crate::error::ApiError;
use crate::events::EventHub;
use crate::routes::blocking;
use crate::routes::body::Body;

/// Longest user agent kept with a session.
const MAX_USER_AGENT: usize = 300;

/// Stores a new session for `user_id` (deleting dead ones first) and returns
/// its cookie token; call inside the caller's write transaction.
fn open_session(
    conn: &mut DbConn,
    user_id: i64,
    cookies: &SessionCookies,
    client: Option<String>,
    user_agent: Option<String>,
) -> Result<String, DbError> {
    let now = chrono::Utc::now().naive_utc();
    let lifetime = cookies.lifetime();
    db::sessions::delete_dead(conn, now, lifetime)?;
    let (token, token_hash) = session::new_token();
    db::sessions::insert(
        conn,
        &NewSession {
            token_hash,
            user_id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + lifetime.absolute,
            client_addr: client,
            user_agent,
        },
    )?;
    Ok(token)
}

fn user_agent(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(MAX_USER_AGENT).collect())
}

/// Signs in with e-mail and password and sets the session cookie.
#[utoipa::path(
    tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in; the session cookie (`__Host-kizuna_session`) is set", body = SessionUser),
        (status = 400, description = "Malformed or invalid body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong e-mail or password, or a disabled user (`invalid_credentials`, the same answer for all three)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "CSRF header missing or foreign origin", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this account, from this address or overall (`rate_limited`); `Retry-After` says how many seconds to wait",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
    )
)]
#[post("/session")]
pub async fn login(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    limiter: web::Data<LoginLimiter>,
    work: web::Data<PasswordWork>,
    cookies: web::Data<SessionCookies>,
    body: Body<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    let LoginRequest { email, password } = body;
    let addr = client_addr(&req);
    let client = addr.map(|a| a.to_string());
    if let Err(refused) = limiter.check(&email, addr) {
        let seconds = refused.retry_after.as_secs_f64().ceil().max(1.0) as u64;
        tracing::warn!(
            client = client.as_deref().unwrap_or("-"),
            peer = ?req.peer_addr(),
            limit = match refused.limit {
                Limit::Account => "account",
                Limit::Address => "address",
                Limit::Global => "global",
            },
            retry_after = seconds,
            "sign-in rate limited"
        );
        return Err(ApiError::RateLimited(seconds));
    }
    let lookup_email = email.clone();
    let found = blocking(&pool, move |conn| {
        db::users::find_login(conn, &lookup_email)
    })
    .await?;
    // The connection is back in the pool before Argon2 runs.
    let verified = match &found {
        Some(login) => work
            .verify(password, login.password_hash.clone())
            .await
            .map_err(ApiError::internal)?,
        // Same work as for a known user, so timing does not tell which
        // e-mail addresses exist.
        None => work
            .verify_dummy(password)
            .await
            .map_err(ApiError::internal)?,
    };
    let actor = Actor::anonymous(client.clone());
    match found {
        Some(login) if verified && !login.disabled => {
            let user = login.user;
            let user_id = user.id;
            let who = user.principal();
            let agent = user_agent(&req);
            let cookies_for_tx = cookies.clone();
            let label = user.email.clone();
            let token = blocking(&pool, move |conn| {
                db::write_tx(conn, |conn| {
                    let token =
                        open_session(conn, user_id, &cookies_for_tx, client.clone(), agent)?;
                    db::users::record_sign_in(conn, user_id, chrono::Utc::now().naive_utc())?;
                    audit::record(
                        conn,
                        &Actor::user(who, client),
                        Event::new(AuditKind::SignIn, "Signed in.").target(
                            AuditTarget::User,
                            Some(user_id),
                            label,
                        ),
                    )?;
                    Ok(token)
                })
            })
            .await?;
            tracing::info!(user_id, "signed in");
            Ok(HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .cookie(cookies.issue(&token))
                .json(user))
        }
        Some(login) => {
            let (kind, summary) = if verified {
                (
                    AuditKind::SignInRefusedDisabled,
                    "Sign-in refused: the user is disabled.",
                )
            } else {
                (AuditKind::SignInFailed, "Sign-in failed: wrong password.")
            };
            tracing::warn!(
                client = actor.client_addr.as_deref().unwrap_or("-"),
                peer = ?req.peer_addr(),
                user_id = login.user.id,
                ?kind,
                "sign-in refused"
            );
            let user = login.user;
            blocking(&pool, move |conn| {
                audit::record(
                    conn,
                    &actor,
                    Event::new(kind, summary).target(AuditTarget::User, Some(user.id), user.email),
                )
            })
            .await?;
            Err(ApiError::InvalidCredentials)
        }
        None => {
            tracing::warn!(
                client = actor.client_addr.as_deref().unwrap_or("-"),
                peer = ?req.peer_addr(),
                "sign-in failed: unknown e-mail"
            );
            let tried = email.to_string();
            blocking(&pool, move |conn| {
                audit::record(
                    conn,
                    &actor,
                    Event::new(
                        AuditKind::SignInFailed,
                        "Sign-in failed: unknown e-mail address.",
                    )
                    .target(AuditTarget::User, None, tried),
                )
            })
            .await?;
            Err(ApiError::InvalidCredentials)
        }
    }
}

/// The signed-in user, or 204 No Content when nobody is signed in (a
/// signed-out probe is not an error).
#[utoipa::path(
    tag = "session",
    responses(
        (status = 200, description = "The signed-in user", body = SessionUser),
        (status = 204, description = "Nobody is signed in (no session cookie, or the session ended; an ended session's cookie is removed)"),
    )
)]
#[get("/session")]
pub async fn current(
    req: HttpRequest,
    cookies: web::Data<SessionCookies>,
) -> Result<HttpResponse, ApiError> {
    Ok(match CurrentUser::lookup(&req).await? {
        Some(user) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(user.0),
        // A cookie whose session has ended is removed, so the browser stops
        // sending it.
        None if req.cookie(cookies.name()).is_some() => {
            HttpResponse::NoContent().cookie(cookies.removal()).finish()
        }
        None => HttpResponse::NoContent().finish(),
    })
}

/// Signs out: ends this session on the server (the cookie is useless from
/// now on, even if copied) and asks the browser to forget it.
#[utoipa::path(
    tag = "session",
    responses(
        (status = 204, description = "Signed out (also when no session was open); the session cookie is removed"),
        (status = 403, description = "CSRF header missing or foreign origin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/session")]
pub async fn logout(
    req: HttpRequest,
    pool: web::Data<DbPool>,
    cookies: web::Data<SessionCookies>,
    hub: web::Data<EventHub>,
) -> Result<HttpResponse, ApiError> {
    if let Some(user) = CurrentUser::lookup(&req).await? {
        let actor = user.actor();
        let session_id = user.1.session_id;
        let label = user.0.email.clone();
        blocking(&pool, move |conn| {
            db::write_tx(conn, |conn| {
                db::sessions::delete(conn, session_id)?;
                audit::record(
                    conn,
                    &actor,
                    Event::new(AuditKind::SignOut, "Signed out.").target(
                        AuditTarget::User,
                        actor.user_id,
                        label,
                    ),
                )
            })
        })
        .await?;
        hub.sessions_changed();
    }
    Ok(HttpResponse::NoContent().cookie(cookies.removal()).finish())
}

/// Changes the signed-in user's own password. The current password is
/// required; the new one needs at least 12 characters (characters, not
/// bytes). Every session of the user ends, and this browser gets a fresh
/// one.
#[utoipa::path(
    tag = "session",
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed; other sessions ended and a new session cookie is set"),
        (status = 400, description = "Invalid fields: a wrong `current_password`, a short `new_password` (`validation_failed`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "CSRF header missing or foreign origin", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/session/password")]
pub async fn change_password(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    hub: web::Data<EventHub>,
    work: web::Data<PasswordWork>,
    cookies: web::Data<SessionCookies>,
    req: HttpRequest,
    body: Body<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    body.validate()?;
    let user_id = user.0.id;
    let hash = blocking(&pool, move |conn| db::users::password_hash(conn, user_id)).await?;
    let ok = work
        .verify(body.current_password.clone(), hash)
        .await
        .map_err(ApiError::internal)?;
    if !ok {
        return Err(ApiError::Validation(vec![FieldError {
            field: "current_password".into(),
            message: "the current password is wrong".into(),
        }]));
    }
    if body.new_password == body.current_password {
        return Err(ApiError::Validation(vec![FieldError {
            field: "new_password".into(),
            message: "the new password must differ from the current one".into(),
        }]));
    }
    let new_hash = work
        .hash(body.new_password)
        .await
        .map_err(ApiError::internal)?;
    let actor = user.actor();
    let agent = user_agent(&req);
    let cookies_for_tx = cookies.clone();
    let token = blocking(&pool, move |conn| {
        db::write_tx(conn, |conn| {
            db::users::set_password(conn, user_id, &new_hash, AuditKind::PasswordChanged, &actor)?;
            open_session(
                conn,
                user_id,
                &cookies_for_tx,
                actor.client_addr.clone(),
                agent,
            )
        })
    })
    .await?;
    hub.sessions_changed();
    Ok(HttpResponse::NoContent()
        .cookie(cookies.issue(&token))
        .finish())
}
