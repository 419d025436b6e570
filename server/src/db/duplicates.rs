//! Likely duplicate accounts and merging two accounts into one.
//!
//! Detection runs in memory over every account's name, external id key,
//! domain and contact e-mail domains (a few MB even at 100,000 accounts),
//! with the normal forms of `kizuna_shared::cells`, so the rules are the
//! same as the import's and the form's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use kizuna_shared::api::ProblemCode;
use kizuna_shared::api::{
    Account, DataChangeKind, DuplicateGroup, DuplicateReason, FieldError, MergeReport, MergeRequest,
};
use kizuna_shared::cells::{company_domain, normalize_company_name};

use super::accounts::{external_id_key, AccountRow};
use super::history::{self, NewDataChange};
use super::schema::{accounts, contacts, users};
use super::users::UserRow;
use super::{DbConn, DbError};

/// At most this many groups are listed (the largest data sets need cleaning
/// in rounds anyway).
pub const MAX_GROUPS: usize = 500;

/// Groups larger than this are not duplicates but a shared key (a reseller's
/// domain, a generic name) and are left out.
const MAX_GROUP_SIZE: usize = 20;

/// Likely duplicates: accounts sharing an external id key, a normalised
/// name, or a company domain (their own or a contact's e-mail domain). A set
/// of accounts is listed once, under its strongest reason. An account whose
/// id lost its key to an older account's when the key was introduced (see
/// [`super::accounts::fill_external_id_keys`]) is grouped by the key its id
/// would have, so the pair shows up here for merging.
pub fn find(conn: &mut DbConn) -> Result<Vec<DuplicateGroup>, DbError> {
    type KeyRow = (i64, String, Option<String>, Option<String>, Option<String>);
    let rows: Vec<KeyRow> = accounts::table
        .select((
            accounts::id,
            accounts::name,
            accounts::external_id_key,
            accounts::external_id,
            accounts::domain,
        ))
        .order_by(accounts::id)
        .load(conn)?;
    let emails: Vec<(i64, Option<String>)> = contacts::table
        .filter(contacts::email.is_not_null())
        .select((contacts::account_id, contacts::email))
        .load(conn)?;

    let mut keys: BTreeMap<(DuplicateReason, String), BTreeSet<i64>> = BTreeMap::new();
    for (id, name, key, external_id, domain) in &rows {
        if let Some(k) = key
            .clone()
            .or_else(|| external_id_key(external_id.as_deref()))
        {
            keys.entry((DuplicateReason::ExternalId, k))
                .or_default()
                .insert(*id);
        }
        let n = normalize_company_name(name);
        if !n.is_empty() {
            keys.entry((DuplicateReason::Name, n))
                .or_default()
                .insert(*id);
        }
        if let Some(d) = domain.as_deref().and_then(company_domain) {
            keys.entry((DuplicateReason::Domain, d))
                .or_default()
                .insert(*id);
        }
    }
    for (id, email) in &emails {
        if let Some(d) = email.as_deref().and_then(company_domain) {
            keys.entry((DuplicateReason::Domain, d))
                .or_default()
                .insert(*id);
        }
    }

    let mut seen: BTreeSet<Vec<i64>> = BTreeSet::new();
    let mut groups: Vec<(DuplicateReason, String, Vec<i64>)> = Vec::new();
    // BTreeMap order is by reason first (external id, name, domain), so the
    // strongest reason claims a set of accounts first.
    for ((reason, key), ids) in keys {
        if ids.len() < 2 || ids.len() > MAX_GROUP_SIZE {
            continue;
        }
        let ids: Vec<i64> = ids.into_iter().collect();
        if seen.insert(ids.clone()) {
            groups.push((reason, key, ids));
        }
        if groups.len() >= MAX_GROUPS {
            break;
        }
    }

    let wanted: Vec<i64> = groups
        .iter()
        .flat_map(|(_, _, ids)| ids.iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut by_id: HashMap<i64, Account> = HashMap::with_capacity(wanted.len());
    for chunk in wanted.chunks(5_000) {
        let loaded = accounts::table
            .left_join(users::table)
            .filter(accounts::id.eq_any(chunk))
            .select((AccountRow::as_select(), Option::<UserRow>::as_select()))
            .load::<(AccountRow, Option<UserRow>)>(conn)?;
        let mut accounts = loaded
            .into_iter()
            .map(|(row, owner)| row.into_account(owner))
            .collect::<Result<Vec<_>, _>>()?;
        super::accounts::mark_mrr_from_history(conn, &mut accounts)?;
        by_id.extend(accounts.into_iter().map(|a| (a.id, a)));
    }
    Ok(groups
        .into_iter()
        .map(|(reason, key, ids)| DuplicateGroup {
            reason,
            key,
            accounts: ids.iter().filter_map(|id| by_id.get(id).cloned()).collect(),
        })
        .collect())
}

/// A table whose rows belong to one account and follow it when it is
/// merged into another. Rows of the merged account that would collide with
/// the kept account's (the same month and product, the same signal on the
/// same day) are the same fact recorded twice; the kept account's row wins
/// and the other is deleted with the merged account. Tables added by later
/// features (surveys, onboarding sheets) become a variant here; the compiler
/// then asks for their SQL names and their count in [`MovedRows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OwnedTable {
    /// `account_mrr`.
    Mrr,
    /// `signal_values`.
    Signals,
}

impl OwnedTable {
    const ALL: [OwnedTable; 2] = [OwnedTable::Mrr, OwnedTable::Signals];

    /// The table and the columns that must stay unique with `account_id`.
    const fn sql(self) -> (&'static str, &'static [&'static str]) {
        match self {
            OwnedTable::Mrr => ("account_mrr", &["month", "product"]),
            OwnedTable::Signals => ("signal_values", &["signal_key", "observed_on"]),
        }
    }
}

/// How many rows of each owned table a merge moved, by name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct MovedRows {
    mrr: u64,
    signals: u64,
}

impl MovedRows {
    fn of(&mut self, table: OwnedTable) -> &mut u64 {
        match table {
            OwnedTable::Mrr => &mut self.mrr,
            OwnedTable::Signals => &mut self.signals,
        }
    }
}

/// Moves the rows of `table` from `from` to `to` except those that would
/// collide on `unique`; returns how many moved.
fn move_rows(
    conn: &mut DbConn,
    table: &str,
    unique: &[&str],
    from: i64,
    to: i64,
) -> Result<u64, DbError> {
    let same = unique
        .iter()
        .map(|c| format!("k.{c} = {table}.{c}"))
        .collect::<Vec<_>>()
        .join(" AND ");
    // Table and column names come from the constant above, never from
    // input; the three values are bound (`?` on SQLite, `$n` on PostgreSQL).
    let sql = format!(
        "UPDATE {table} SET account_id = ? WHERE account_id = ? AND NOT EXISTS \
         (SELECT 1 FROM {table} k WHERE k.account_id = ? AND {same})"
    );
    let moved = diesel::sql_query(placeholders(&sql))
        .bind::<BigInt, _>(to)
        .bind::<BigInt, _>(from)
        .bind::<BigInt, _>(to)
        .execute(conn)?;
    Ok(u64::try_from(moved).unwrap_or(0))
}

/// Rewrites `?` placeholders as `$1, $2, …` on PostgreSQL.
fn placeholders(sql: &str) -> String {
    if cfg!(feature = "postgres") {
        let mut n = 0;
        sql.split('?')
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_owned()
                } else {
                    n += 1;
                    format!("${n}{part}")
                }
            })
            .collect()
    } else {
        sql.to_owned()
    }
}

fn invalid(field: &str, message: String) -> DbError {
    DbError::Invalid(vec![FieldError {
        field: field.into(),
        message,
    }])
}

/// Keeps `keep_id` and folds `merge_id` into it in one transaction: MRR,
/// signals and contacts move, blank fields of the kept account are filled
/// from the other, importance flags are combined, the other account is
/// deleted and the merge is recorded in the history.
pub fn merge(
    conn: &mut DbConn,
    req: &MergeRequest,
    actor: &super::audit::Actor,
) -> Result<MergeReport, DbError> {
    let user_id = actor.user_id.unwrap_or_default();
    if req.keep_id == req.merge_id {
        return Err(invalid(
            "merge_id",
            "an account cannot be merged into itself".into(),
        ));
    }
    super::write_tx(conn, |conn| {
        // Both rows stay locked until the merge is written (PostgreSQL), so
        // the version check below still holds at the write.
        super::lock_accounts(conn, &[req.keep_id, req.merge_id])?;
        let load = |conn: &mut DbConn, id: i64| -> Result<AccountRow, DbError> {
            accounts::table
                .find(id)
                .select(AccountRow::as_select())
                .first(conn)
                .optional()?
                .ok_or(DbError::NotFound)
        };
        let keep = load(conn, req.keep_id)?;
        let other = load(conn, req.merge_id)?;
        for (row, seen) in [(&keep, req.keep_version), (&other, req.merge_version)] {
            if row.version != seen {
                return Err(DbError::Conflict(ProblemCode::StaleVersion, format!(
                    "“{}” was changed by someone else (your version {seen}, now {}); reload the duplicates and try again.",
                    row.name, row.version
                )));
            }
        }
        if keep.currency != other.currency {
            return Err(invalid(
                "merge_id",
                format!(
                    "“{}” bills in {} and “{}” in {}; accounts in different currencies cannot be merged",
                    keep.name, keep.currency, other.name, other.currency
                ),
            ));
        }

        let mut moved = MovedRows::default();
        for table in OwnedTable::ALL {
            let (name, unique) = table.sql();
            *moved.of(table) = move_rows(conn, name, unique, other.id, keep.id)?;
        }
        let keep_has_champion: bool = diesel::select(diesel::dsl::exists(
            contacts::table
                .filter(contacts::account_id.eq(keep.id))
                .filter(contacts::is_champion.eq(true)),
        ))
        .get_result(conn)?;
        if keep_has_champion {
            diesel::update(contacts::table.filter(contacts::account_id.eq(other.id)))
                .set(contacts::is_champion.eq(false))
                .execute(conn)?;
        }
        let contacts_moved =
            diesel::update(contacts::table.filter(contacts::account_id.eq(other.id)))
                .set(contacts::account_id.eq(keep.id))
                .execute(conn)?;
        super::surveys::move_account_rows(conn, other.id, keep.id)?;
        {
            use super::schema::data_changes;
            diesel::update(data_changes::table.filter(data_changes::account_id.eq(other.id)))
                .set(data_changes::account_id.eq(keep.id))
                .execute(conn)?;
        }

        // The merged account goes first so its external id is free for the
        // kept account when that has none.
        diesel::delete(accounts::table.find(other.id)).execute(conn)?;

        // The kept account's MRR is recomputed from the combined history
        // (a checked sum; see `revenue::latest_month_total`).
        let mrr_minor = super::revenue::latest_month_total(conn, keep.id)?
            .map(|total| total.amount_minor)
            .unwrap_or(keep.mrr_minor);
        let external_id = keep.external_id.clone().or(other.external_id.clone());
        let now = chrono::Utc::now().naive_utc();
        let earliest = match (keep.contract_start, other.contract_start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        diesel::update(accounts::table.find(keep.id))
            .set((
                accounts::external_id_key.eq(external_id_key(external_id.as_deref())),
                accounts::external_id.eq(external_id),
                accounts::domain.eq(keep.domain.clone().or(other.domain.clone())),
                accounts::industry.eq(keep.industry.clone().or(other.industry.clone())),
                accounts::plan.eq(keep.plan.clone().or(other.plan.clone())),
                accounts::contract_start.eq(earliest),
                accounts::renewal_date.eq(keep.renewal_date.or(other.renewal_date)),
                accounts::owner_id.eq(keep.owner_id.or(other.owner_id)),
                accounts::champion_name
                    .eq(keep.champion_name.clone().or(other.champion_name.clone())),
                accounts::champion_changed_on
                    .eq(keep.champion_changed_on.or(other.champion_changed_on)),
                accounts::flag_well_known.eq(keep.flag_well_known || other.flag_well_known),
                accounts::flag_feedback.eq(keep.flag_feedback || other.flag_feedback),
                accounts::flag_influencer.eq(keep.flag_influencer || other.flag_influencer),
                accounts::mrr_minor.eq(mrr_minor),
                accounts::version.eq(accounts::version + 1),
                accounts::updated_at.eq(now),
            ))
            .execute(conn)?;

        let contacts_moved = u64::try_from(contacts_moved).unwrap_or(0);
        let mut entry = NewDataChange::new(DataChangeKind::Merge, user_id);
        entry.account_id = Some(keep.id);
        entry.updated = 1;
        entry.rows_total = i64::try_from(
            moved
                .mrr
                .saturating_add(moved.signals)
                .saturating_add(contacts_moved),
        )
        .unwrap_or(i64::MAX);
        entry.detail = format!(
            "Merged “{}” (#{}{}) into “{}” (#{}): {} MRR rows, {} signal values and {} contacts moved.",
            other.name,
            other.id,
            other
                .external_id
                .as_deref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default(),
            keep.name,
            keep.id,
            moved.mrr,
            moved.signals,
            contacts_moved
        );
        let history_id = history::record(conn, &entry)?;
        super::audit::record(
            conn,
            actor,
            super::audit::Event::new(kizuna_shared::api::AuditKind::AccountsMerged, entry.detail)
                .target(
                    kizuna_shared::api::AuditTarget::Account,
                    Some(keep.id),
                    &keep.name,
                ),
        )?;
        Ok(MergeReport {
            account: super::accounts::find(conn, keep.id)?,
            mrr_moved: moved.mrr,
            signals_moved: moved.signals,
            contacts_moved,
            history_id,
        })
    })
}
