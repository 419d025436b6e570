//! Who may do what: every permission rule of Kizuna, written once.
//!
//! The server's handlers (and the database functions that check ownership
//! inside their write transaction), the CSV import and the app's buttons
//! all ask these functions, so the browser never offers what the server
//! refuses and no two places can disagree. Role variants are named only
//! here (and in labels and tests): a tidy test fails on any other use.
//!
//! Two kinds of rule:
//! - [`Capability`]: what a role may do whatever the record
//!   ([`Role::may`]), e.g. managing surveys or administering users;
//! - rules that also depend on whom a record belongs to
//!   ([`can_edit_account`], [`can_work_account`], [`can_change_task`],
//!   [`can_tick_sheet`], [`editable_account_fields`]), given the asking
//!   [`Principal`] and the owners as [`UserId`]s.

use serde::{Deserialize, Serialize};

use super::{AccountField, SheetKind};

/// A user's id (the `users` row).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// An account's id (the `accounts` row).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(transparent)]
pub struct AccountId(pub i64);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

string_enum!(
    /// What a signed-in user may do.
    Role, "role", {
        /// Users, roles, settings, backups.
        Admin => "admin",
        /// CS manager / CS Ops: imports data, tunes and publishes score models.
        Manager => "manager",
        /// Customer success manager: works their accounts.
        Csm => "csm",
        /// Reads dashboards.
        Executive => "executive",
    }
);

/// Someone asking to do something: a user and their role as the session
/// knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    /// The user.
    pub id: UserId,
    /// Their role.
    pub role: Role,
}

impl Principal {
    /// The user `id` with `role`.
    pub const fn new(id: i64, role: Role) -> Self {
        Principal {
            id: UserId(id),
            role,
        }
    }

    /// Whether their role allows `capability` ([`Role::may`]).
    pub const fn may(self, capability: Capability) -> bool {
        self.role.may(capability)
    }

    /// Whether `owner` is this user.
    fn owns(self, owner: Option<UserId>) -> bool {
        matches!(owner, Some(o) if o.0 == self.id.0)
    }
}

/// What a role may do, whatever the record. See [`Role::may`] for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Change anything beyond their own session (signing out, their own
    /// password). Every role but executives, who read dashboards and are
    /// refused every write (403) before any handler runs.
    Write,
    /// Manage accounts as a whole: import files, create, delete and merge
    /// accounts, give an account to another owner, change the commercial
    /// fields (MRR, currency, status and churn date, external id), see every
    /// account's duplicates. Managers and admins.
    ManageAccounts,
    /// Own (be the CSM of) accounts: CSMs and managers, the people who work
    /// accounts. Admins administer Kizuna and executives read dashboards;
    /// neither is offered as an owner nor accepted as a new one.
    OwnAccounts,
    /// Work accounts: record survey answers, issue and withdraw personal
    /// links, start onboarding sheets, act on tasks — for the accounts
    /// [`can_work_account`] allows. Admins, managers and CSMs.
    WorkAccounts,
    /// Shape the health score: define and retire signals, save health
    /// model drafts and publish them. Managers and admins.
    ManageHealth,
    /// Create and change NPS/CSAT surveys. Managers and admins.
    ManageSurveys,
    /// Create and change onboarding sheet templates. Managers and admins.
    ManageTemplates,
    /// Guide a new teammate through an enablement sheet (be named its
    /// guide). Everyone who works accounts: admins, managers and CSMs.
    Guide,
    /// Administer users: create them, change roles, disable, reset
    /// passwords, read security events. Admins; the last active one cannot
    /// be demoted or disabled.
    AdministerUsers,
    /// Read the audit log's data events (changes to and exports of
    /// customer data). Managers and admins.
    ReadDataAudit,
}

impl Capability {
    /// Every capability, for tables and tests.
    pub const ALL: &'static [Capability] = &[
        Capability::Write,
        Capability::ManageAccounts,
        Capability::OwnAccounts,
        Capability::WorkAccounts,
        Capability::ManageHealth,
        Capability::ManageSurveys,
        Capability::ManageTemplates,
        Capability::Guide,
        Capability::AdministerUsers,
        Capability::ReadDataAudit,
    ];
}

impl Role {
    /// The role a new user is offered first: a CSM, who works their own
    /// accounts and changes nothing beyond them.
    pub const FOR_NEW_USER: Role = Role::Csm;

    /// Whether this role may do `capability`: the one table of role rules.
    ///
    /// | capability | admin | manager | csm | executive |
    /// |---|---|---|---|---|
    /// | write | ✓ | ✓ | ✓ | |
    /// | manage accounts | ✓ | ✓ | | |
    /// | own accounts | | ✓ | ✓ | |
    /// | work accounts | ✓ | ✓ | ✓ | |
    /// | manage health, surveys, templates | ✓ | ✓ | | |
    /// | guide | ✓ | ✓ | ✓ | |
    /// | administer users | ✓ | | | |
    /// | read data audit | ✓ | ✓ | | |
    pub const fn may(self, capability: Capability) -> bool {
        use Capability as C;
        match self {
            Role::Admin => !matches!(capability, C::OwnAccounts),
            Role::Manager => !matches!(capability, C::AdministerUsers),
            Role::Csm => matches!(
                capability,
                C::Write | C::OwnAccounts | C::WorkAccounts | C::Guide
            ),
            Role::Executive => false,
        }
    }
}

string_enum!(
    /// Who may see an audit entry: security events are for user
    /// administrators (admins) only, data events also for managers.
    AuditCategory, "audit category", {
        /// Sign-ins, users, roles, passwords, session keys.
        Security => "security",
        /// Changes to and exports of customer data.
        Data => "data",
    }
);

impl AuditCategory {
    /// The categories `role` may read (empty: none): security events with
    /// [`Capability::AdministerUsers`], data events with
    /// [`Capability::ReadDataAudit`].
    pub fn visible_to(role: Role) -> &'static [AuditCategory] {
        match (
            role.may(Capability::AdministerUsers),
            role.may(Capability::ReadDataAudit),
        ) {
            (true, true) => AuditCategory::ALL,
            (true, false) => &[AuditCategory::Security],
            (false, true) => &[AuditCategory::Data],
            (false, false) => &[],
        }
    }

    /// Whether `role` may read entries of this category.
    pub fn visible_by(self, role: Role) -> bool {
        AuditCategory::visible_to(role).contains(&self)
    }
}

/// Whether `who` may change the account owned by `owner` at all: account
/// managers any account, a CSM the accounts they own, executives none.
/// Which fields they may change is [`editable_account_fields`].
pub fn can_edit_account(who: Principal, owner: Option<UserId>) -> bool {
    who.may(Capability::ManageAccounts) || (who.may(Capability::Write) && who.owns(owner))
}

/// Whether `who` may work the account owned by `owner`: record an answer
/// heard on a call, issue or withdraw its personal survey links, start its
/// onboarding sheet. Account managers for any account, a CSM for the
/// accounts they own.
pub fn can_work_account(who: Principal, owner: Option<UserId>) -> bool {
    who.may(Capability::WorkAccounts) && (who.may(Capability::ManageAccounts) || who.owns(owner))
}

/// Whether `who` may change (complete, reopen) a task given to
/// `task_owner` on an account owned by `account_owner`: account managers
/// any task; a CSM the tasks given to them and the tasks of the accounts
/// they own (someone else may have been asked to help on their account).
pub fn can_change_task(
    who: Principal,
    task_owner: Option<UserId>,
    account_owner: Option<UserId>,
) -> bool {
    who.may(Capability::WorkAccounts)
        && (who.may(Capability::ManageAccounts) || who.owns(task_owner) || who.owns(account_owner))
}

/// Whom a sheet concerns, for [`can_tick_sheet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetParties {
    /// Customer onboarding or teammate enablement.
    pub kind: SheetKind,
    /// The owner of the account (customer sheets).
    pub account_owner: Option<UserId>,
    /// The new team member (teammate sheets).
    pub member: Option<UserId>,
    /// The member's guide (teammate sheets).
    pub guide: Option<UserId>,
}

/// Whether `who` may start a sheet of `kind` (for the account owned by
/// `account_owner`, a customer sheet): account managers any sheet; a CSM
/// the customer sheets of the accounts they own (enablement sheets for new
/// teammates are the managers').
pub fn can_start_sheet(who: Principal, kind: SheetKind, account_owner: Option<UserId>) -> bool {
    who.may(Capability::WorkAccounts)
        && (who.may(Capability::ManageAccounts)
            || (kind == SheetKind::Customer && who.owns(account_owner)))
}

/// Whether `who` may tick and untick the items of a sheet: account
/// managers any sheet; for a customer sheet the account's owner; for a
/// teammate sheet the new member and their guide. Executives none.
pub fn can_tick_sheet(who: Principal, sheet: SheetParties) -> bool {
    if !who.may(Capability::WorkAccounts) {
        return false;
    }
    who.may(Capability::ManageAccounts)
        || match sheet.kind {
            SheetKind::Customer => who.owns(sheet.account_owner),
            SheetKind::Teammate => who.owns(sheet.member) || who.owns(sheet.guide),
        }
}

/// The fields of the account owned by `owner` that `who` may change:
/// account managers every field, a CSM the relationship fields of their
/// own accounts, everyone else none.
pub fn editable_account_fields(who: Principal, owner: Option<UserId>) -> Vec<AccountField> {
    AccountField::ALL
        .iter()
        .copied()
        .filter(|f| {
            who.may(Capability::ManageAccounts) || (can_edit_account(who, owner) && !f.is_managed())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Capability as C;

    const ME: i64 = 7;
    const OTHER: i64 = 8;

    fn p(role: Role) -> Principal {
        Principal::new(ME, role)
    }

    fn mine() -> Option<UserId> {
        Some(UserId(ME))
    }

    fn theirs() -> Option<UserId> {
        Some(UserId(OTHER))
    }

    #[test]
    fn the_role_table_reads_as_documented() {
        // capability: admin, manager, csm, executive.
        let table = [
            (C::Write, [true, true, true, false]),
            (C::ManageAccounts, [true, true, false, false]),
            (C::OwnAccounts, [false, true, true, false]),
            (C::WorkAccounts, [true, true, true, false]),
            (C::ManageHealth, [true, true, false, false]),
            (C::ManageSurveys, [true, true, false, false]),
            (C::ManageTemplates, [true, true, false, false]),
            (C::Guide, [true, true, true, false]),
            (C::AdministerUsers, [true, false, false, false]),
            (C::ReadDataAudit, [true, true, false, false]),
        ];
        assert_eq!(table.len(), Capability::ALL.len());
        for (capability, expected) in table {
            for (role, want) in Role::ALL.iter().zip(expected) {
                assert_eq!(role.may(capability), want, "{role} {capability:?}");
            }
        }
    }

    #[test]
    fn account_edits_follow_ownership_for_csms_only() {
        // role, edits own account, edits another's, edits an unowned one.
        let table = [
            (Role::Admin, true, true, true),
            (Role::Manager, true, true, true),
            (Role::Csm, true, false, false),
            (Role::Executive, false, false, false),
        ];
        for (role, own, other, none) in table {
            assert_eq!(can_edit_account(p(role), mine()), own, "{role} own");
            assert_eq!(can_edit_account(p(role), theirs()), other, "{role} other");
            assert_eq!(can_edit_account(p(role), None), none, "{role} none");
            assert_eq!(can_work_account(p(role), mine()), own, "{role} works own");
            assert_eq!(
                can_work_account(p(role), theirs()),
                other,
                "{role} works other"
            );
        }
    }

    #[test]
    fn a_csm_changes_their_tasks_and_the_tasks_of_their_accounts() {
        let csm = p(Role::Csm);
        assert!(can_change_task(csm, mine(), theirs()));
        assert!(can_change_task(csm, theirs(), mine()));
        assert!(can_change_task(csm, None, mine()));
        assert!(!can_change_task(csm, theirs(), theirs()));
        assert!(!can_change_task(csm, None, None));
        for role in [Role::Admin, Role::Manager] {
            assert!(can_change_task(p(role), None, None), "{role}");
        }
        // An executive never, not even a task somehow given to them.
        assert!(!can_change_task(p(Role::Executive), mine(), mine()));
    }

    #[test]
    fn csms_start_customer_sheets_of_their_own_accounts_only() {
        let csm = p(Role::Csm);
        assert!(can_start_sheet(csm, SheetKind::Customer, mine()));
        assert!(!can_start_sheet(csm, SheetKind::Customer, theirs()));
        assert!(!can_start_sheet(csm, SheetKind::Teammate, None));
        for role in [Role::Admin, Role::Manager] {
            assert!(
                can_start_sheet(p(role), SheetKind::Teammate, None),
                "{role}"
            );
            assert!(
                can_start_sheet(p(role), SheetKind::Customer, theirs()),
                "{role}"
            );
        }
        assert!(!can_start_sheet(
            p(Role::Executive),
            SheetKind::Customer,
            mine()
        ));
    }

    #[test]
    fn sheets_are_ticked_by_their_parties_and_managers() {
        let customer = |owner| SheetParties {
            kind: SheetKind::Customer,
            account_owner: owner,
            member: None,
            guide: None,
        };
        let teammate = |member, guide| SheetParties {
            kind: SheetKind::Teammate,
            account_owner: None,
            member,
            guide,
        };
        let csm = p(Role::Csm);
        assert!(can_tick_sheet(csm, customer(mine())));
        assert!(!can_tick_sheet(csm, customer(theirs())));
        assert!(can_tick_sheet(csm, teammate(mine(), None)));
        assert!(can_tick_sheet(csm, teammate(theirs(), mine())));
        assert!(!can_tick_sheet(csm, teammate(theirs(), None)));
        assert!(can_tick_sheet(p(Role::Manager), customer(None)));
        assert!(can_tick_sheet(p(Role::Admin), teammate(None, None)));
        assert!(!can_tick_sheet(p(Role::Executive), customer(mine())));
        assert!(!can_tick_sheet(
            p(Role::Executive),
            teammate(mine(), mine())
        ));
    }

    #[test]
    fn a_csm_edits_relationship_fields_of_their_own_accounts_only() {
        use AccountField::*;
        let csm = editable_account_fields(p(Role::Csm), mine());
        for managed in [ExternalId, MrrMinor, Currency, OwnerId, Status, ChurnDate] {
            assert!(!csm.contains(&managed), "{managed}");
        }
        for free in [
            Name,
            Plan,
            ChampionName,
            ChampionChangedOn,
            FlagFeedback,
            ChurnReason,
            Language,
        ] {
            assert!(csm.contains(&free), "{free}");
        }
        assert!(editable_account_fields(p(Role::Csm), theirs()).is_empty());
        assert!(editable_account_fields(p(Role::Executive), mine()).is_empty());
        for role in [Role::Admin, Role::Manager] {
            assert_eq!(
                editable_account_fields(p(role), theirs()),
                AccountField::ALL
            );
        }
    }
}
