//! The administration contract: user accounts as admins manage them
//! (`/api/v1/users`), a user changing their own password
//! (`/api/v1/session/password`) and the audit log (`/api/v1/audit`).
//!
//! The audit event kinds are an enum here so the app can translate them;
//! each kind belongs to one [`AuditCategory`], which decides who may see it
//! (admins everything, managers data events only).

use chrono::{DateTime, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

use crate::domain::Role;

/// The least number of characters (not bytes) a password must have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The most characters a password may have (Argon2 hashes anything, but a
/// megabyte "password" is an attack, not a password).
pub const MAX_PASSWORD_CHARS: usize = 1024;

string_enum!(
    /// What an audit log entry records.
    AuditKind, "audit event kind", {
        /// A user signed in.
        SignIn => "sign_in",
        /// A sign-in with a wrong e-mail or password.
        SignInFailed => "sign_in_failed",
        /// The right password for a disabled user: refused.
        SignInRefusedDisabled => "sign_in_refused_disabled",
        /// A user signed out.
        SignOut => "sign_out",
        /// An admin created a user.
        UserCreated => "user_created",
        /// An admin changed a user's name.
        UserChanged => "user_changed",
        /// An admin disabled a user (their sessions end).
        UserDisabled => "user_disabled",
        /// An admin enabled a disabled user again.
        UserEnabled => "user_enabled",
        /// An admin changed a user's role (their sessions end).
        RoleChanged => "role_changed",
        /// A user changed their own password.
        PasswordChanged => "password_changed",
        /// An admin reset a user's password.
        PasswordReset => "password_reset",
        /// `kizuna rotate-session-key`: every session ended.
        SessionKeyRotated => "session_key_rotated",
        /// Someone downloaded the audit log as CSV.
        AuditExported => "audit_exported",
        /// An account was created by hand.
        AccountCreated => "account_created",
        /// An account was edited (with the changed fields).
        AccountEdited => "account_edited",
        /// An account was deleted.
        AccountDeleted => "account_deleted",
        /// Two accounts were merged.
        AccountsMerged => "accounts_merged",
        /// A contact was added to an account.
        ContactAdded => "contact_added",
        /// A contact was removed from an account.
        ContactRemoved => "contact_removed",
        /// An account's champion changed.
        ChampionChanged => "champion_changed",
        /// A CSV import was applied.
        ImportApplied => "import_applied",
        /// The accounts were exported as CSV.
        ExportDownloaded => "export_downloaded",
        /// The workbench's scoring data (every customer's name, owner, MRR
        /// and signals) was read.
        ScoringDataRead => "scoring_data_read",
        /// A manager defined a signal.
        SignalDefined => "signal_defined",
        /// A signal's definition changed (or it was retired or brought back).
        SignalChanged => "signal_changed",
        /// A health model draft was created or edited.
        ModelDraftSaved => "model_draft_saved",
        /// A health model was published (with its snapshot of every account).
        ModelPublished => "model_published",
        /// A manager created a survey.
        SurveyCreated => "survey_created",
        /// A manager changed or archived a survey.
        SurveyChanged => "survey_changed",
        /// A CSM recorded an answer heard on a call (a proxy answer).
        SurveyAnswerRecorded => "survey_answer_recorded",
        /// Personal survey links were issued.
        SurveyLinksIssued => "survey_links_issued",
        /// A personal survey link was withdrawn.
        SurveyLinkRevoked => "survey_link_revoked",
        /// A survey's answers were exported as CSV.
        SurveyAnswersExported => "survey_answers_exported",
        /// A manager created an onboarding sheet template.
        TemplateCreated => "template_created",
        /// A manager changed or archived a template.
        TemplateChanged => "template_changed",
        /// A sheet was started for an account or a team member.
        SheetStarted => "sheet_started",
        /// A sheet's last required item was ticked.
        SheetCompleted => "sheet_completed",
        /// A required item of a completed sheet was unticked.
        SheetReopened => "sheet_reopened",
        /// A sheet was deleted.
        SheetDeleted => "sheet_deleted",
        /// A task was marked done.
        TaskDone => "task_done",
        /// A done task was opened again.
        TaskReopened => "task_reopened",
    }
);

pub use crate::domain::AuditCategory;

impl AuditKind {
    /// The category of this kind of event.
    pub const fn category(self) -> AuditCategory {
        match self {
            AuditKind::SignIn
            | AuditKind::SignInFailed
            | AuditKind::SignInRefusedDisabled
            | AuditKind::SignOut
            | AuditKind::UserCreated
            | AuditKind::UserChanged
            | AuditKind::UserDisabled
            | AuditKind::UserEnabled
            | AuditKind::RoleChanged
            | AuditKind::PasswordChanged
            | AuditKind::PasswordReset
            | AuditKind::SessionKeyRotated
            | AuditKind::AuditExported => AuditCategory::Security,
            AuditKind::AccountCreated
            | AuditKind::AccountEdited
            | AuditKind::AccountDeleted
            | AuditKind::AccountsMerged
            | AuditKind::ContactAdded
            | AuditKind::ContactRemoved
            | AuditKind::ChampionChanged
            | AuditKind::ImportApplied
            | AuditKind::ExportDownloaded
            | AuditKind::ScoringDataRead
            | AuditKind::SignalDefined
            | AuditKind::SignalChanged
            | AuditKind::ModelDraftSaved
            | AuditKind::ModelPublished
            | AuditKind::SurveyCreated
            | AuditKind::SurveyChanged
            | AuditKind::SurveyAnswerRecorded
            | AuditKind::SurveyLinksIssued
            | AuditKind::SurveyLinkRevoked
            | AuditKind::SurveyAnswersExported
            | AuditKind::TemplateCreated
            | AuditKind::TemplateChanged
            | AuditKind::SheetStarted
            | AuditKind::SheetCompleted
            | AuditKind::SheetReopened
            | AuditKind::SheetDeleted
            | AuditKind::TaskDone
            | AuditKind::TaskReopened => AuditCategory::Data,
        }
    }
}

string_enum!(
    /// What an audit entry is about.
    AuditTarget, "audit target", {
        /// A user (`target_id` is the user id).
        User => "user",
        /// A customer account (`target_id` is the account id).
        Account => "account",
        /// A contact (`target_id` is the contact id).
        Contact => "contact",
        /// An import (`target_id` is the data-change history entry).
        Import => "import",
        /// A CSV export.
        Export => "export",
        /// A signal definition (`target_label` is its key).
        Signal => "signal",
        /// A health model (`target_id` is the model id).
        HealthModel => "health_model",
        /// The session signing key.
        SessionKey => "session_key",
        /// A survey (`target_id` is the survey id).
        Survey => "survey",
        /// An onboarding sheet template (`target_id` is the template id).
        SheetTemplate => "sheet_template",
        /// An onboarding sheet (`target_id` is the sheet id).
        Sheet => "sheet",
        /// A task (`target_id` is the task id).
        Task => "task",
    }
);

/// One changed field of an audited change, values as text (`null` when the
/// field was or became empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    /// The field's API name (e.g. `mrr_minor`, `role`).
    pub field: String,
    /// The value before.
    pub old: Option<String>,
    /// The value after.
    pub new: Option<String>,
}

/// One audit log entry (`GET /api/v1/audit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Entry id (ascending in time).
    pub id: i64,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: AuditKind,
    /// Security or data event.
    pub category: AuditCategory,
    /// The user who did it; `null` for the command line, an unknown e-mail
    /// or a user deleted since.
    pub actor_id: Option<i64>,
    /// The actor's name at the time.
    pub actor_name: Option<String>,
    /// The actor's e-mail at the time.
    pub actor_email: Option<String>,
    /// The client's address (see the server's trusted proxy settings).
    pub client_addr: Option<String>,
    /// What the event is about.
    pub target_type: Option<AuditTarget>,
    /// The id of the target.
    pub target_id: Option<i64>,
    /// The target's name at the time (account name, user e-mail, file name).
    pub target_label: Option<String>,
    /// One sentence describing the event.
    pub summary: String,
    /// Changed fields, old → new (edits, role changes).
    pub changes: Vec<FieldChange>,
}

/// Query of `GET /api/v1/audit` and `GET /api/v1/audit/export`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
#[garde(allow_unvalidated)]
pub struct AuditQuery {
    /// 1-based page number (default 1; the export ignores paging).
    #[garde(range(min = 1, max = 1_000_000))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// Page size (default 50, at most 500).
    #[garde(range(min = 1, max = super::MAX_PER_PAGE))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub per_page: Option<u32>,
    /// Only events by this user id.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub user: Option<i64>,
    /// Only events of this kind.
    pub kind: Option<AuditKind>,
    /// Only events of this category. Managers see data events only: asking
    /// them for `security` (or a security kind) is a 403.
    pub category: Option<AuditCategory>,
    /// From this instant (inclusive), RFC 3339, e.g. `2026-03-01T00:00:00Z`.
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive), RFC 3339.
    #[garde(custom(not_before_from(&self.from)))]
    pub to: Option<DateTime<Utc>>,
}

fn not_before_from(
    from: &Option<DateTime<Utc>>,
) -> impl FnOnce(&Option<DateTime<Utc>>, &()) -> garde::Result + '_ {
    move |to, _| match (from, to) {
        (Some(from), Some(to)) if to < from => Err(garde::Error::new(
            "the end of the period is before its start",
        )),
        _ => Ok(()),
    }
}

/// A user as admins manage it (`GET /api/v1/users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserAccount {
    /// User id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// E-mail address (login name).
    pub email: String,
    /// Role.
    pub role: Role,
    /// Disabled users cannot sign in and have no sessions.
    pub disabled: bool,
    /// When the user was created (UTC).
    pub created_at: DateTime<Utc>,
    /// The last successful sign-in (UTC).
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// The last password change or reset (UTC).
    pub password_changed_at: Option<DateTime<Utc>>,
    /// Sessions that have neither expired nor been idle too long.
    pub active_sessions: u64,
}

/// Query of `GET /api/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
#[garde(allow_unvalidated)]
pub struct UserQuery {
    /// 1-based page number (default 1).
    #[garde(range(min = 1, max = 1_000_000))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// Page size (default 50, at most 500).
    #[garde(range(min = 1, max = super::MAX_PER_PAGE))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub per_page: Option<u32>,
    /// Text search over name and e-mail.
    #[garde(length(chars, max = 200))]
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only disabled (`true`) or only active (`false`) users.
    pub disabled: Option<bool>,
}

/// `PATCH /api/v1/users/{id}` (admins): every field is optional; only the
/// fields sent change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[garde(allow_unvalidated)]
pub struct UpdateUser {
    /// New display name.
    #[garde(custom(non_blank), length(chars, min = 1, max = 100))]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 100, pattern = r"\S")
    )]
    pub name: Option<String>,
    /// New role (ends the user's sessions).
    pub role: Option<Role>,
    /// `true` disables the user (ends their sessions), `false` enables them.
    pub disabled: Option<bool>,
}

fn non_blank(value: &Option<String>, _ctx: &()) -> garde::Result {
    match value {
        Some(v) if v.trim().is_empty() => Err(garde::Error::new("must not be blank")),
        _ => Ok(()),
    }
}

/// Answer of `POST /api/v1/users/{id}/password-reset`: a generated password,
/// shown once and never stored in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordReset {
    /// The new password; give it to the user, who should change it.
    pub password: String,
}

/// `PUT /api/v1/session/password`: a user changes their own password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The password in use now.
    #[garde(length(chars, min = 1, max = MAX_PASSWORD_CHARS))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub current_password: String,
    /// The new password: at least 12 characters (characters, not bytes: 12
    /// kana are enough), different from the current one.
    #[garde(length(chars, min = MIN_PASSWORD_CHARS, max = MAX_PASSWORD_CHARS))]
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 1024))]
    pub new_password: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_counts_characters_not_bytes() {
        let change = |new: &str| ChangePassword {
            current_password: "x".into(),
            new_password: new.into(),
        };
        assert!(change(&"あ".repeat(12)).validate().is_ok());
        assert!(change(&"あ".repeat(11)).validate().is_err());
        assert!(change(&"a".repeat(11)).validate().is_err());
    }

    #[test]
    fn every_kind_has_a_category_and_round_trips() {
        for kind in AuditKind::ALL {
            assert_eq!(kind.as_str().parse::<AuditKind>(), Ok(*kind));
            let _ = kind.category();
        }
        assert_eq!(AuditKind::SignIn.category(), AuditCategory::Security);
        assert_eq!(AuditKind::AccountEdited.category(), AuditCategory::Data);
        assert_eq!(
            AuditCategory::visible_to(Role::Manager),
            [AuditCategory::Data]
        );
        assert!(AuditCategory::visible_to(Role::Csm).is_empty());
    }

    #[test]
    fn an_audit_period_must_not_end_before_it_starts() {
        let at = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        let q = AuditQuery {
            from: at("2026-03-02T00:00:00Z"),
            to: at("2026-03-01T00:00:00Z"),
            ..Default::default()
        };
        assert!(q.validate().is_err());
        let q = AuditQuery {
            from: at("2026-03-01T00:00:00Z"),
            to: at("2026-03-02T00:00:00Z"),
            ..Default::default()
        };
        assert!(q.validate().is_ok());
    }

    #[test]
    fn blank_names_are_refused_in_a_user_update() {
        let u = UpdateUser {
            name: Some("  ".into()),
            ..Default::default()
        };
        assert!(u.validate().is_err());
        assert!(UpdateUser::default().validate().is_ok());
    }
}
