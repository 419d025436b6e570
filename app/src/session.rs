//! The signed-in user, shared through context: loaded once from
//! `GET /api/v1/session` and updated by sign-in and sign-out.

use kizuna_shared::api::SessionUser;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The session state every page can read.
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in user, if any.
    pub user: RwSignal<Option<SessionUser>>,
    /// Whether the first session check has answered.
    pub checked: RwSignal<bool>,
}

/// Creates the session context and starts the first check.
pub fn provide_session() {
    let session = Session {
        user: RwSignal::new(None),
        checked: RwSignal::new(false),
    };
    provide_context(session);
    spawn_local(async move {
        let user = crate::api::get::<SessionUser>("/api/v1/session").await.ok();
        session.user.set(user);
        session.checked.set(true);
    });
}

/// The session context (panics only if `App` did not provide it, a bug).
pub fn use_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    /// The signed-in user's role.
    pub fn role(&self) -> Option<kizuna_shared::domain::Role> {
        self.user.with(|u| u.as_ref().map(|u| u.role))
    }

    /// Managers and admins import, merge, create and delete accounts.
    pub fn can_manage(&self) -> bool {
        use kizuna_shared::domain::Role;
        matches!(self.role(), Some(Role::Manager | Role::Admin))
    }

    /// Whether the user may edit an account owned by `owner_id`: managers
    /// and admins any, a CSM their own, executives none (the server
    /// enforces the same rule; this only hides buttons that would fail).
    pub fn can_edit(&self, owner_id: Option<i64>) -> bool {
        use kizuna_shared::domain::Role;
        self.user.with(|u| match u {
            Some(u) => match u.role {
                Role::Manager | Role::Admin => true,
                Role::Csm => owner_id == Some(u.id),
                Role::Executive => false,
            },
            None => false,
        })
    }
}
