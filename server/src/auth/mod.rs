//! Authentication and authorisation: password hashing, the session cookie,
//! the signed-in user extractor, role guards, the cross-site request guard
//! and login rate limiting.

pub mod csrf;
pub mod password;
pub mod rate_limit;
pub mod session;

use std::future::Future;
use std::pin::Pin;

use actix_identity::IdentityExt;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use kizuna_shared::api::SessionUser;
use kizuna_shared::domain::Role;

use crate::db::{self, DbPool};
use crate::error::ApiError;

/// The signed-in user, re-read from the database on every request so that a
/// deleted user or a changed role takes effect at once. Extracting it from a
/// request without a valid session fails with `401 unauthenticated`.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub SessionUser);

impl CurrentUser {
    /// Fails with `403 forbidden` unless the user has one of `roles`.
    pub fn require_any(&self, roles: &[Role]) -> Result<&SessionUser, ApiError> {
        require_any(&self.0, roles)?;
        Ok(&self.0)
    }
}

/// Fails with [`ApiError::Forbidden`] unless `user` has one of `roles`.
pub fn require_any(user: &SessionUser, roles: &[Role]) -> Result<(), ApiError> {
    if roles.contains(&user.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Executives read and never write: every state-changing `/api/v1` request
/// of an executive answers `403` before its handler (or its body) is even
/// looked at, except their own session (`/api/v1/session…`: signing out,
/// their own password). A middleware rather than a check in each handler,
/// so that a route added later is covered without anyone remembering to.
pub async fn read_only_executives(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<
    actix_web::dev::ServiceResponse<actix_web::body::EitherBody<impl actix_web::body::MessageBody>>,
    actix_web::Error,
> {
    use actix_web::http::Method;
    let path = req.path();
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if write && path.starts_with("/api/v1/") && !path.starts_with("/api/v1/session") {
        let user = CurrentUser::from_request(req.request(), &mut Payload::None).await;
        if matches!(user, Ok(CurrentUser(ref u)) if u.role == Role::Executive) {
            let response = actix_web::ResponseError::error_response(&ApiError::Forbidden);
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let identity = req.get_identity().map_err(|_| ApiError::Unauthenticated)?;
            let id: i64 = identity
                .id()
                .ok()
                .and_then(|id| id.parse().ok())
                .ok_or(ApiError::Unauthenticated)?;
            let pool = req
                .app_data::<web::Data<DbPool>>()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("no database pool")))?
                .clone();
            let user = web::block(move || {
                let mut conn = pool.get().map_err(db::DbError::from)?;
                db::users::find_by_id(&mut conn, id)
            })
            .await??;
            match user {
                Some(user) => Ok(CurrentUser(user)),
                None => {
                    identity.logout();
                    Err(ApiError::Unauthenticated)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> SessionUser {
        SessionUser {
            id: 1,
            email: "a@b.c".into(),
            name: "A".into(),
            role,
        }
    }

    #[test]
    fn role_guard_admits_a_listed_role() {
        assert!(require_any(&user(Role::Admin), &[Role::Admin]).is_ok());
        assert!(require_any(&user(Role::Csm), &[Role::Manager, Role::Csm]).is_ok());
    }

    #[test]
    fn role_guard_rejects_other_roles_with_forbidden() {
        for role in [Role::Manager, Role::Csm, Role::Executive] {
            let err = require_any(&user(role), &[Role::Admin]).unwrap_err();
            assert!(matches!(err, ApiError::Forbidden));
        }
        assert!(CurrentUser(user(Role::Csm)).require_any(&[]).is_err());
    }
}
