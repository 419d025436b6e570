//! Authentication and authorisation: password hashing, server-side
//! sessions behind a signed cookie, the signed-in user extractor, role
//! guards, the cross-site request guard, the client address and sign-in
//! rate limits.

pub mod client;
pub mod csrf;
pub mod password;
pub mod public_limit;
pub mod rate_limit;
pub mod session;

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use kizuna_shared::api::SessionUser;
use kizuna_shared::domain::{Capability, Principal};

use crate::db::{self, audit::Actor, DbPool};
use crate::error::ApiError;
use client::ClientAddrPolicy;
use session::SessionCookies;

/// The signed-in user and their session, looked up in the database on every
/// request (the session must exist, be neither idle too long nor past its
/// absolute end, and belong to a user who is not disabled), so that signing
/// out, a role change or disabling a user takes effect at once everywhere.
/// Extracting it from a request without such a session fails with
/// `401 unauthenticated`.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub SessionUser, pub SessionInfo);

/// The session behind a [`CurrentUser`] and where the request came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The `sessions` row.
    pub session_id: i64,
    /// The client address (see [`ClientAddrPolicy`]).
    pub client_addr: Option<IpAddr>,
}

impl CurrentUser {
    /// Fails with `403 forbidden` unless the user's role allows
    /// `capability` (the shared rule `Role::may`).
    pub fn require(&self, capability: Capability) -> Result<&SessionUser, ApiError> {
        if self.0.role.may(capability) {
            Ok(&self.0)
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The user as the asking party of the shared ownership rules.
    pub fn principal(&self) -> Principal {
        self.0.principal()
    }

    /// The user as the actor of audited changes.
    pub fn actor(&self) -> Actor {
        Actor::user(self.principal(), self.1.client_addr.map(|a| a.to_string()))
    }

    /// The session of `req`, if it has a live one (`Ok(None)` when signed
    /// out; errors only when the database fails). Cached per request.
    pub async fn lookup(req: &HttpRequest) -> Result<Option<CurrentUser>, ApiError> {
        if let Some(found) = req.extensions().get::<Option<CurrentUser>>() {
            return Ok(found.clone());
        }
        let cookies = app_data::<SessionCookies>(req)?;
        let client_addr = client_addr(req);
        let found = match cookies.token(req) {
            None => None,
            Some(token) => {
                let pool = app_data::<DbPool>(req)?;
                let hash = session::hash_token(&token);
                let lifetime = cookies.lifetime();
                web::block(move || {
                    let mut conn = pool.get().map_err(db::DbError::from)?;
                    db::sessions::find_live(
                        &mut conn,
                        &hash,
                        chrono::Utc::now().naive_utc(),
                        lifetime,
                    )
                })
                .await??
                .map(|(session_id, user)| {
                    CurrentUser(
                        user,
                        SessionInfo {
                            session_id,
                            client_addr,
                        },
                    )
                })
            }
        };
        req.extensions_mut().insert(found.clone());
        Ok(found)
    }
}

/// Shared state the server registered with `app_data`.
pub(crate) fn app_data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, ApiError> {
    req.app_data::<web::Data<T>>().cloned().ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "{} is not registered",
            std::any::type_name::<T>()
        ))
    })
}

/// The client address of `req` under the configured proxy policy (the peer
/// address when none is configured).
pub fn client_addr(req: &HttpRequest) -> Option<IpAddr> {
    match req.app_data::<web::Data<ClientAddrPolicy>>() {
        Some(policy) => policy.client_addr(req),
        None => req.peer_addr().map(|a| a.ip()),
    }
}

/// Executives read and never write: every state-changing `/api/v1` request
/// of a role without [`Capability::Write`] answers `403` before its handler
/// (or its body) is even looked at, except their own session (the routes
/// [`SELF_SERVICE_ROUTES`]: signing out, their own password). A middleware
/// rather than a check in each handler, so that a route added later is
/// covered without anyone remembering to.
///
/// It decides on the path the router matches, not on the raw request
/// target: actix percent-decodes the path before matching
/// (`/%61pi/v1/accounts` reaches `POST /api/v1/accounts`), so a check of
/// the raw text would let encoded spellings through to the handler. The
/// exemption is by matched route pattern, so `/api/v1/sessionx` or
/// `/api/v1/session/../accounts` are not mistaken for the session.
pub async fn read_only_executives(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    use actix_web::http::Method;
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if write && guarded_write(req.request()) {
        let user = CurrentUser::from_request(req.request(), &mut Payload::None).await;
        if matches!(user, Ok(CurrentUser(ref u, _)) if !u.role.may(Capability::Write)) {
            let response = actix_web::ResponseError::error_response(&ApiError::Forbidden);
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The `/api/v1` routes every signed-in role may write to: their own
/// session (sign out) and their own password.
pub const SELF_SERVICE_ROUTES: &[&str] = &["/api/v1/session", "/api/v1/session/password"];

/// Whether a write to `req` falls under the executives' guard: the path as
/// the router matches it (percent-decoded) is under `/api/v1/` — or the raw
/// one is — and the route it matches is not one of [`SELF_SERVICE_ROUTES`].
fn guarded_write(req: &HttpRequest) -> bool {
    let routed = req.match_info().as_str();
    if !routed.starts_with("/api/v1/") && !req.path().starts_with("/api/v1/") {
        return false;
    }
    let pattern = req.resource_map().match_pattern(routed);
    !matches!(pattern.as_deref(), Some(p) if SELF_SERVICE_ROUTES.contains(&p))
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            CurrentUser::lookup(&req)
                .await?
                .ok_or(ApiError::Unauthenticated)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kizuna_shared::domain::Role;

    fn user(role: Role) -> CurrentUser {
        let info = SessionInfo {
            session_id: 1,
            client_addr: None,
        };
        CurrentUser(
            SessionUser {
                id: 1,
                email: "a@b.c".into(),
                name: "A".into(),
                role,
            },
            info,
        )
    }

    #[test]
    fn the_capability_guard_follows_the_shared_role_table() {
        for role in Role::ALL {
            for capability in Capability::ALL {
                let current = user(*role);
                let answer = current.require(*capability);
                assert_eq!(
                    answer.is_ok(),
                    role.may(*capability),
                    "{role} {capability:?}"
                );
                if let Err(err) = answer {
                    assert!(matches!(err, ApiError::Forbidden));
                }
            }
        }
    }
}
