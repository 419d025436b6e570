//! Authentication and authorisation: password hashing, the session cookie,
//! the signed-in user extractor, role guards, the cross-site request guard
//! and login rate limiting.

pub mod csrf;
pub mod password;
pub mod public_limit;
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
