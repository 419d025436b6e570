//! The signed-in user, shared through context: loaded once from
//! `GET /api/v1/session` and updated by sign-in and sign-out; and what the
//! user may do, asked of the shared role rules (`kizuna_shared::domain`)
//! the server enforces; whether the session ended under the user, and the
//! sign-in page's address that brings them back.

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

/// Whether the session ended under the user (the server answered 401 after
/// sign-in); the sign-in page then says so.
#[derive(Clone, Copy)]
pub struct SessionEnded(pub RwSignal<bool>);

/// Provides [`SessionEnded`] and tells the API layer what a 401 means:
/// forget the user (the shell then redirects to the sign-in page, `next`
/// set to the current page) and remember why, once.
pub fn provide_session_end() {
    let session = use_session();
    let ended = RwSignal::new(false);
    provide_context(SessionEnded(ended));
    crate::api::on_session_ended(move || {
        if session.user.with_untracked(Option::is_some) {
            ended.set(true);
            session.user.set(None);
        }
    });
}

/// The [`SessionEnded`] flag (panics only if `App` did not provide it, a bug).
pub fn use_session_ended() -> RwSignal<bool> {
    expect_context::<SessionEnded>().0
}

/// The sign-in page's address that returns to `here` afterwards.
pub fn login_path(here: &str) -> String {
    format!("/login?next={}", crate::api::encode(here))
}

/// Whether the signed-in user records answers and issues links.
pub fn can_survey() -> bool {
    use kizuna_shared::domain::Role;
    matches!(
        use_session().role(),
        Some(Role::Admin | Role::Manager | Role::Csm)
    )
}
