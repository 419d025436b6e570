//! Queries on `data_changes`: the history of imports, merges and account
//! edits (who, when, which file, counts).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kizuna_shared::api::{ChangeKind, DataChange, DataChangeKind, DataChangeQuery, Page};

use super::schema::{data_changes, users};
use super::users::UserRow;
use super::{DbConn, DbError};

/// A history entry to record.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = data_changes)]
pub struct NewDataChange {
    /// `DataChangeKind::as_str` of the change.
    pub kind: String,
    /// Who.
    pub user_id: Option<i64>,
    /// File imported.
    pub file_name: Option<String>,
    /// Data rows in the file.
    pub rows_total: i64,
    /// Records created.
    pub created: i64,
    /// Records updated.
    pub updated: i64,
    /// Rows that changed nothing.
    pub unchanged: i64,
    /// Account concerned.
    pub account_id: Option<i64>,
    /// A sentence describing the change.
    pub detail: String,
    /// When (UTC).
    pub created_at: NaiveDateTime,
}

impl NewDataChange {
    /// An entry of `kind` by `user_id` now, with zero counts.
    pub fn new(kind: DataChangeKind, user_id: i64) -> Self {
        NewDataChange {
            kind: kind.as_str().to_owned(),
            user_id: Some(user_id),
            file_name: None,
            rows_total: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            account_id: None,
            detail: String::new(),
            created_at: chrono::Utc::now().naive_utc(),
        }
    }
}

/// Records an entry and returns its id (call inside the change's transaction).
///
/// Every history entry is also a change event for live dashboards (see
/// [`super::events::record`]): imports announce `import`, merges and
/// account edits `account_change`.
pub fn record(conn: &mut DbConn, entry: &NewDataChange) -> Result<i64, DbError> {
    let id = diesel::insert_into(data_changes::table)
        .values(entry)
        .returning(data_changes::id)
        .get_result(conn)?;
    let (kind, account) = match entry.kind.parse::<DataChangeKind>().ok() {
        Some(DataChangeKind::Accounts | DataChangeKind::Mrr | DataChangeKind::Signals) => {
            (ChangeKind::Import, entry.account_id)
        }
        // A merge changes two accounts (one of them disappears): the
        // event names none, so caches read everything again.
        Some(DataChangeKind::Merge) => (ChangeKind::AccountChange, None),
        _ => (ChangeKind::AccountChange, entry.account_id),
    };
    super::events::record(conn, kind, account)?;
    Ok(id)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = data_changes)]
struct DataChangeRow {
    id: i64,
    kind: String,
    file_name: Option<String>,
    rows_total: i64,
    created: i64,
    updated: i64,
    unchanged: i64,
    account_id: Option<i64>,
    detail: String,
    created_at: NaiveDateTime,
}

/// One page of the history, newest first.
pub fn list(conn: &mut DbConn, q: &DataChangeQuery) -> Result<Page<DataChange>, DbError> {
    let paging = super::paging::Paging::new(q.page, q.per_page);
    let total: i64 = data_changes::table.count().get_result(conn)?;
    let rows = data_changes::table
        .left_join(users::table)
        .order_by((data_changes::created_at.desc(), data_changes::id.desc()))
        .limit(paging.limit())
        .offset(paging.offset())
        .select((DataChangeRow::as_select(), Option::<UserRow>::as_select()))
        .load::<(DataChangeRow, Option<UserRow>)>(conn)?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    let items = rows
        .into_iter()
        .map(|(r, user)| {
            let kind: DataChangeKind = r
                .kind
                .parse()
                .map_err(|e| DbError::Corrupt(format!("data change {}: {e}", r.id)))?;
            Ok(DataChange {
                id: r.id,
                kind,
                user: user.map(UserRow::into_summary).transpose()?,
                file_name: r.file_name,
                rows: count(r.rows_total),
                created: count(r.created),
                updated: count(r.updated),
                unchanged: count(r.unchanged),
                account_id: r.account_id,
                detail: r.detail,
                at: r.created_at.and_utc(),
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    Ok(paging.envelope(items, total))
}
