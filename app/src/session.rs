//! The signed-in user, shared through context: loaded once from
//! `GET /api/v1/session` and updated by sign-in and sign-out; and what the
//! user may do, asked of the shared role rules (`kizuna_shared::domain`)
//! the server enforces.

use kizuna_shared::api::SessionUser;
use kizuna_shared::domain::{
    can_edit_account, can_manage_accounts, editable_account_fields, AccountField, Role,
};
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
        let user = crate::api::current_session().await.ok().flatten();
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
    pub fn role(&self) -> Option<Role> {
        self.user.with(|u| u.as_ref().map(|u| u.role))
    }

    /// Whether the user manages accounts (imports, merges, creates and
    /// deletes them, changes their commercial fields): the shared rule
    /// `domain::can_manage_accounts` the server enforces.
    pub fn can_manage(&self) -> bool {
        self.role().is_some_and(can_manage_accounts)
    }

    /// Whether the user may edit an account owned by `owner_id` (the shared
    /// rule `domain::can_edit_account`; this only hides buttons that would
    /// fail).
    pub fn can_edit(&self, owner_id: Option<i64>) -> bool {
        self.user.with(|u| {
            u.as_ref()
                .is_some_and(|u| can_edit_account(u.role, u.id, owner_id))
        })
    }

    /// The fields of an account owned by `owner_id` the user may change
    /// (`domain::editable_account_fields`); the form shows the others
    /// read-only.
    pub fn editable_fields(&self, owner_id: Option<i64>) -> Vec<AccountField> {
        self.user.with(|u| match u {
            Some(u) => editable_account_fields(u.role, owner_id == Some(u.id)),
            None => Vec::new(),
        })
    }
}
