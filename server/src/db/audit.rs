//! The audit log: who did what, when, from where.
//!
//! **Append-only.** This module inserts and reads `audit_log`; there is no
//! update or delete of it anywhere in the code (and the migration's
//! triggers refuse both, except the foreign key setting `actor_id` to NULL
//! when a user is deleted). The actor's name and e-mail are copied into
//! each entry, so entries keep saying who it was after the user is gone.
//!
//! Every entry is written with [`record`] inside the transaction of the
//! change it describes, so an entry exists exactly when the change does.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kizuna_shared::api::{
    AuditCategory, AuditEntry, AuditKind, AuditQuery, AuditTarget, FieldChange, Page,
};

use kizuna_shared::domain::{Principal, Role};

use super::schema::{audit_log, users};
use super::{DbBackend, DbConn, DbError};

/// Who acts: a signed-in user with their role, or the command line
/// (`user_id` `None`), and the client address the request came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    /// The user, when there is one.
    pub user_id: Option<i64>,
    /// The user's role as their session knows it, for the ownership rules
    /// the database functions check inside their write transaction
    /// ([`super::authorize`]).
    pub role: Option<Role>,
    /// The client address (see `auth::client`), when over HTTP.
    pub client_addr: Option<String>,
    /// Name recorded when there is no user (e.g. `command line`).
    pub label: Option<String>,
}

impl Actor {
    /// The signed-in user `who` at `client_addr`.
    pub fn user(who: Principal, client_addr: Option<String>) -> Self {
        Actor {
            user_id: Some(who.id.0),
            role: Some(who.role),
            client_addr,
            label: None,
        }
    }

    /// Nobody signed in (e.g. a failed sign-in) at `client_addr`.
    pub fn anonymous(client_addr: Option<String>) -> Self {
        Actor {
            client_addr,
            ..Actor::default()
        }
    }

    /// The `kizuna` command line, as `label` (e.g. `kizuna rotate-session-key`).
    pub fn command_line(label: &str) -> Self {
        Actor {
            label: Some(label.to_owned()),
            ..Actor::default()
        }
    }

    /// Whether the command line acts (no user, a label).
    pub fn is_command_line(&self) -> bool {
        self.user_id.is_none() && self.label.is_some()
    }

    /// The user and role asking, when a user acts (`None` for the command
    /// line and anonymous requests).
    pub fn principal(&self) -> Option<Principal> {
        Some(Principal::new(self.user_id?, self.role?))
    }
}

/// One event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: AuditKind,
    /// What it is about.
    pub target_type: Option<AuditTarget>,
    /// Id of the target.
    pub target_id: Option<i64>,
    /// Name of the target at the time.
    pub target_label: Option<String>,
    /// One sentence.
    pub summary: String,
    /// Changed fields, old → new.
    pub changes: Vec<FieldChange>,
}

impl Event {
    /// An event of `kind` described by `summary`, about nothing in particular.
    pub fn new(kind: AuditKind, summary: impl Into<String>) -> Self {
        Event {
            kind,
            target_type: None,
            target_id: None,
            target_label: None,
            summary: summary.into(),
            changes: Vec::new(),
        }
    }

    /// Names the target.
    pub fn target(mut self, kind: AuditTarget, id: Option<i64>, label: impl Into<String>) -> Self {
        self.target_type = Some(kind);
        self.target_id = id;
        self.target_label = Some(label.into());
        self
    }

    /// Lists the changed fields.
    pub fn changes(mut self, changes: Vec<FieldChange>) -> Self {
        self.changes = changes;
        self
    }
}

/// A field change from two displayable values (`None` = empty); `None`
/// when they are equal, so only real changes are listed.
pub fn change<T: PartialEq + ToString>(
    field: &str,
    old: Option<&T>,
    new: Option<&T>,
) -> Option<FieldChange> {
    (old != new).then(|| FieldChange {
        field: field.to_owned(),
        old: old.map(ToString::to_string),
        new: new.map(ToString::to_string),
    })
}

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
struct NewEntry {
    at: NaiveDateTime,
    kind: String,
    category: String,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    actor_email: Option<String>,
    client_addr: Option<String>,
    target_type: Option<String>,
    target_id: Option<i64>,
    target_label: Option<String>,
    summary: String,
    changes: String,
}

/// Appends an entry (call inside the transaction of the change it records)
/// and returns its id. The actor's current name and e-mail are copied.
pub fn record(conn: &mut DbConn, actor: &Actor, event: Event) -> Result<i64, DbError> {
    let (actor_name, actor_email) = match actor.user_id {
        Some(id) => users::table
            .find(id)
            .select((users::name, users::email))
            .first::<(String, String)>(conn)
            .optional()?
            .map_or((None, None), |(n, e)| (Some(n), Some(e))),
        None => (actor.label.clone(), None),
    };
    let changes = serde_json::to_string(&event.changes)
        .map_err(|e| DbError::Corrupt(format!("audit changes: {e}")))?;
    let entry = NewEntry {
        at: chrono::Utc::now().naive_utc(),
        kind: event.kind.as_str().to_owned(),
        category: event.kind.category().as_str().to_owned(),
        actor_id: actor.user_id,
        actor_name,
        actor_email,
        client_addr: actor.client_addr.clone(),
        target_type: event.target_type.map(|t| t.as_str().to_owned()),
        target_id: event.target_id,
        target_label: event.target_label,
        summary: event.summary,
        changes,
    };
    Ok(diesel::insert_into(audit_log::table)
        .values(&entry)
        .returning(audit_log::id)
        .get_result(conn)?)
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct EntryRow {
    id: i64,
    at: NaiveDateTime,
    kind: String,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    actor_email: Option<String>,
    client_addr: Option<String>,
    target_type: Option<String>,
    target_id: Option<i64>,
    target_label: Option<String>,
    summary: String,
    changes: String,
}

impl EntryRow {
    fn into_entry(self) -> Result<AuditEntry, DbError> {
        let corrupt = |what: &str| DbError::Corrupt(format!("audit entry {}: {what}", self.id));
        let kind: AuditKind = self.kind.parse().map_err(|_| corrupt("kind"))?;
        let target_type = match &self.target_type {
            Some(t) => Some(
                t.parse::<AuditTarget>()
                    .map_err(|_| corrupt("target type"))?,
            ),
            None => None,
        };
        let changes: Vec<FieldChange> =
            serde_json::from_str(&self.changes).map_err(|_| corrupt("changes"))?;
        Ok(AuditEntry {
            id: self.id,
            at: self.at.and_utc(),
            kind,
            category: kind.category(),
            actor_id: self.actor_id,
            actor_name: self.actor_name,
            actor_email: self.actor_email,
            client_addr: self.client_addr,
            target_type,
            target_id: self.target_id,
            target_label: self.target_label,
            summary: self.summary,
            changes,
        })
    }
}

/// The entries matching `q` within `visible` categories, as a boxed query.
fn filtered<'a>(q: &AuditQuery, visible: &[AuditCategory]) -> audit_log::BoxedQuery<'a, DbBackend> {
    let mut query = audit_log::table
        .into_boxed::<DbBackend>()
        .filter(audit_log::category.eq_any(visible.iter().map(|c| c.as_str()).collect::<Vec<_>>()));
    if let Some(user) = q.user {
        query = query.filter(audit_log::actor_id.eq(user));
    }
    if let Some(kind) = q.kind {
        query = query.filter(audit_log::kind.eq(kind.as_str()));
    }
    if let Some(category) = q.category {
        query = query.filter(audit_log::category.eq(category.as_str()));
    }
    if let Some(from) = q.from {
        query = query.filter(audit_log::at.ge(from.naive_utc()));
    }
    if let Some(to) = q.to {
        query = query.filter(audit_log::at.lt(to.naive_utc()));
    }
    query
}

/// One page of the entries matching `q` among the `visible` categories,
/// newest first.
pub fn list(
    conn: &mut DbConn,
    q: &AuditQuery,
    visible: &[AuditCategory],
) -> Result<Page<AuditEntry>, DbError> {
    let paging = super::paging::Paging::new(q.page, q.per_page);
    let total: i64 = filtered(q, visible).count().get_result(conn)?;
    let rows = filtered(q, visible)
        .order_by((audit_log::at.desc(), audit_log::id.desc()))
        .limit(paging.limit())
        .offset(paging.offset())
        .select(EntryRow::as_select())
        .load::<EntryRow>(conn)?;
    Ok(paging.envelope(
        rows.into_iter()
            .map(EntryRow::into_entry)
            .collect::<Result<_, _>>()?,
        total,
    ))
}

/// Every entry matching `q` (paging ignored) among the `visible`
/// categories, newest first: the rows of the CSV export.
pub fn all(
    conn: &mut DbConn,
    q: &AuditQuery,
    visible: &[AuditCategory],
) -> Result<Vec<AuditEntry>, DbError> {
    filtered(q, visible)
        .order_by((audit_log::at.desc(), audit_log::id.desc()))
        .select(EntryRow::as_select())
        .load::<EntryRow>(conn)?
        .into_iter()
        .map(EntryRow::into_entry)
        .collect()
}

/// A stored value as the audit log shows it (`None` for empty).
pub trait AsAuditText {
    /// The text, or `None` when empty.
    fn audit_text(&self) -> Option<String>;
}

macro_rules! audit_text_via_display {
    ($($t:ty),*) => {$(
        impl AsAuditText for $t {
            fn audit_text(&self) -> Option<String> {
                Some(self.to_string())
            }
        }
    )*};
}
audit_text_via_display!(String, i64, bool, chrono::NaiveDate);

impl<T: AsAuditText> AsAuditText for Option<T> {
    fn audit_text(&self) -> Option<String> {
        self.as_ref().and_then(AsAuditText::audit_text)
    }
}

/// The fields that differ between an account before and after an edit, by
/// their API names, old → new (the same fields the edit writes:
/// `AccountChanges::changed_fields`).
pub fn account_changes(
    before: &super::accounts::AccountChanges,
    after: &super::accounts::AccountChanges,
) -> Vec<FieldChange> {
    before
        .changed_fields(after)
        .into_iter()
        .map(|f| FieldChange {
            field: f.as_str().to_owned(),
            old: before.text(f),
            new: after.text(f),
        })
        .collect()
}

/// Records an account edit from the row read inside the write transaction
/// (`before`) to the values written (`after`), listing the changed fields.
pub fn record_account_edit(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    before: &super::accounts::AccountRow,
    after: &super::accounts::AccountChanges,
) -> Result<i64, DbError> {
    let changes = account_changes(&super::accounts::AccountChanges::from_row(before), after);
    let fields = changes
        .iter()
        .map(|c| c.field.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let summary = if changes.is_empty() {
        format!("Saved “{}” without changes.", after.name)
    } else {
        format!("Edited “{}”: {fields}.", after.name)
    };
    record(
        conn,
        actor,
        Event::new(AuditKind::AccountEdited, summary)
            .target(AuditTarget::Account, Some(id), after.name.clone())
            .changes(changes),
    )
}

fn account_name(conn: &mut DbConn, id: i64) -> Result<String, DbError> {
    use super::schema::accounts;
    Ok(accounts::table
        .find(id)
        .select(accounts::name)
        .first::<String>(conn)
        .optional()?
        .unwrap_or_default())
}

/// Records a contact added to (`added`) or removed from an account.
pub fn record_contact(
    conn: &mut DbConn,
    actor: &Actor,
    account_id: i64,
    contact_id: i64,
    contact: &str,
    added: bool,
) -> Result<i64, DbError> {
    let account = account_name(conn, account_id)?;
    let (kind, summary, old, new) = if added {
        (
            AuditKind::ContactAdded,
            format!("Added contact {contact} (#{contact_id}) to “{account}”."),
            None,
            Some(contact.to_owned()),
        )
    } else {
        (
            AuditKind::ContactRemoved,
            format!("Removed contact {contact} (#{contact_id}) from “{account}”."),
            Some(contact.to_owned()),
            None,
        )
    };
    record(
        conn,
        actor,
        Event::new(kind, summary)
            .target(AuditTarget::Account, Some(account_id), account)
            .changes(vec![FieldChange {
                field: "contact".into(),
                old,
                new,
            }]),
    )
}

/// Records a change of an account's champion.
pub fn record_champion_change(
    conn: &mut DbConn,
    actor: &Actor,
    account_id: i64,
    previous: Option<String>,
    champion: &str,
) -> Result<i64, DbError> {
    let account = account_name(conn, account_id)?;
    record(
        conn,
        actor,
        Event::new(
            AuditKind::ChampionChanged,
            format!("The champion of “{account}” is now {champion}."),
        )
        .target(AuditTarget::Account, Some(account_id), account)
        .changes(vec![FieldChange {
            field: "champion_name".into(),
            old: previous,
            new: Some(champion.to_owned()),
        }]),
    )
}

/// Records a read of the workbench's scoring data (every customer's name,
/// owner, MRR and signals as of a date), audited like an export.
pub fn record_scoring_data_read(
    conn: &mut DbConn,
    actor: &Actor,
    query: &kizuna_shared::api::scoring_data::ScoringDataQuery,
    bytes: usize,
) -> Result<i64, DbError> {
    let lags = query.lags();
    let lags = if lags.is_empty() {
        String::new()
    } else {
        format!(
            ", trends over {} days",
            lags.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join("/")
        )
    };
    record(
        conn,
        actor,
        Event::new(
            AuditKind::ScoringDataRead,
            format!(
                "Read the scoring data of every customer as of {} (churn window {} days{lags}; {bytes} bytes).",
                query.as_of, query.window_days
            ),
        )
        .target(AuditTarget::Export, None, "scoring data"),
    )
}

/// Records a CSV export of accounts with the filters used.
pub fn record_export(
    conn: &mut DbConn,
    actor: &Actor,
    query: &kizuna_shared::api::AccountQuery,
    bytes: usize,
) -> Result<i64, DbError> {
    let filters = serde_json::to_value(query)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|o| {
            o.into_iter()
                .filter(|(k, v)| !v.is_null() && !matches!(k.as_str(), "page" | "per_page"))
                .map(|(k, v)| format!("{k}={}", v.as_str().map_or(v.to_string(), str::to_owned)))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "none".to_owned());
    record(
        conn,
        actor,
        Event::new(
            AuditKind::ExportDownloaded,
            format!("Exported accounts as CSV ({bytes} bytes; filters: {filters})."),
        )
        .target(AuditTarget::Export, None, "accounts"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::accounts::AccountChanges;

    fn account() -> AccountChanges {
        AccountChanges {
            name: "Sakura".into(),
            external_id: None,
            domain: None,
            industry: Some("SaaS".into()),
            plan: None,
            mrr_minor: 100,
            currency: "JPY".into(),
            contract_start: None,
            renewal_date: None,
            owner_id: Some(3),
            status: "active".into(),
            churn_date: None,
            churn_reason: None,
            flag_well_known: false,
            flag_feedback: false,
            flag_influencer: false,
            expansion_potential: "none".into(),
            champion_name: None,
            champion_changed_on: None,
            language: None,
        }
    }

    #[test]
    fn account_changes_list_only_changed_fields_old_to_new() {
        let before = account();
        let mut after = account();
        after.mrr_minor = 250;
        after.industry = None;
        after.flag_feedback = true;
        after.language = Some("en".into());
        let changes = account_changes(&before, &after);
        let show: Vec<_> = changes
            .iter()
            .map(|c| (c.field.as_str(), c.old.as_deref(), c.new.as_deref()))
            .collect();
        assert_eq!(
            show,
            [
                ("industry", Some("SaaS"), None),
                ("mrr_minor", Some("100"), Some("250")),
                ("flag_feedback", Some("false"), Some("true")),
                ("language", None, Some("en")),
            ]
        );
        assert!(account_changes(&before, &before).is_empty());
    }
}
