//! The signed-in user, shared through context: loaded once from
//! `GET /api/v1/session` and updated by sign-in and sign-out; and what the
//! user may do, asked of the shared role rules (`kizuna_shared::domain`)
//! the server enforces; whether the session ended under the user, and the
//! sign-in page's address that brings them back.

use kizuna_shared::api::SessionUser;
use kizuna_shared::domain::{
    can_change_task, can_edit_account, can_start_sheet, can_tick_sheet, can_work_account,
    editable_account_fields, AccountField, Capability, Principal, Role, SheetKind, SheetParties,
    UserId,
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

/// An owner's id as the shared rules take it.
fn owner(id: Option<i64>) -> Option<UserId> {
    id.map(UserId)
}

/// Every question below asks the shared rules (`kizuna_shared::domain`)
/// the server enforces; the answers only hide or disable what would fail.
impl Session {
    /// The signed-in user's role.
    pub fn role(&self) -> Option<Role> {
        self.user.with(|u| u.as_ref().map(|u| u.role))
    }

    /// The signed-in user as the rules take them (tracked).
    pub fn principal(&self) -> Option<Principal> {
        self.user.with(|u| u.as_ref().map(SessionUser::principal))
    }

    /// Whether the signed-in user's role allows `capability`.
    pub fn may(&self, capability: Capability) -> bool {
        self.principal().is_some_and(|p| p.may(capability))
    }

    /// Whether the user manages accounts (imports, merges, creates and
    /// deletes them, changes their commercial fields).
    pub fn can_manage(&self) -> bool {
        self.may(Capability::ManageAccounts)
    }

    /// Whether the user may edit an account owned by `owner_id`.
    pub fn can_edit(&self, owner_id: Option<i64>) -> bool {
        self.principal()
            .is_some_and(|p| can_edit_account(p, owner(owner_id)))
    }

    /// Whether the user may work (record answers, issue links, start
    /// sheets for) the account owned by `owner_id`.
    pub fn can_work(&self, owner_id: Option<i64>) -> bool {
        self.principal()
            .is_some_and(|p| can_work_account(p, owner(owner_id)))
    }

    /// Whether the user may complete or reopen a task given to `task_owner`
    /// on an account owned by `account_owner`.
    pub fn can_change_task(&self, task_owner: Option<i64>, account_owner: Option<i64>) -> bool {
        self.principal()
            .is_some_and(|p| can_change_task(p, owner(task_owner), owner(account_owner)))
    }

    /// Whether the user may start a sheet of `kind` (for the account owned
    /// by `account_owner`).
    pub fn can_start_sheet(&self, kind: SheetKind, account_owner: Option<i64>) -> bool {
        self.principal()
            .is_some_and(|p| can_start_sheet(p, kind, owner(account_owner)))
    }

    /// Whether the user may tick the items of a sheet of `kind` whose
    /// account owner, member and guide are given.
    pub fn can_tick_sheet(
        &self,
        kind: SheetKind,
        account_owner: Option<i64>,
        member: Option<i64>,
        guide: Option<i64>,
    ) -> bool {
        let parties = SheetParties {
            kind,
            account_owner: owner(account_owner),
            member: owner(member),
            guide: owner(guide),
        };
        self.principal().is_some_and(|p| can_tick_sheet(p, parties))
    }

    /// The fields of an account owned by `owner_id` the user may change;
    /// the form shows the others read-only.
    pub fn editable_fields(&self, owner_id: Option<i64>) -> Vec<AccountField> {
        self.principal()
            .map(|p| editable_account_fields(p, owner(owner_id)))
            .unwrap_or_default()
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

/// Whether the signed-in user records answers and issues links (for the
/// accounts [`Session::can_work`] allows).
pub fn can_survey() -> bool {
    use_session().may(Capability::WorkAccounts)
}
