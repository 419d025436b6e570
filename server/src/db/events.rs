//! Queries on `data_events`: the change events behind live dashboards and
//! the KPI cache version (see `crate::events`).
//!
//! **Raising an event** is one call, [`record`], inside the transaction of
//! the write it announces: the event then exists exactly when the change was
//! committed, whichever instance (or command-line process) made it, and
//! every instance learns of it — at once through PostgreSQL `NOTIFY`, or
//! through the in-process watcher that reads this table (SQLite).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kizuna_shared::api::{ChangeEvent, ChangeKind};

use super::schema::data_events;
use super::{DbConn, DbError};

/// The PostgreSQL channel events are announced on.
pub const CHANNEL: &str = "kizuna_events";

/// Events kept in the table; older ones are pruned (a client that missed
/// more than this many reloads everything anyway).
const KEEP: i64 = 10_000;

/// Records a change event and returns its id, which is the new data
/// version. Call it inside the transaction of the change.
///
/// On PostgreSQL it first takes a transaction-scoped advisory lock, so that
/// events commit in id order (a reader that has seen id `n` has seen every
/// id below it), then announces the id on [`CHANNEL`] (delivered at commit).
pub fn record(
    conn: &mut DbConn,
    kind: ChangeKind,
    account_id: Option<i64>,
) -> Result<i64, DbError> {
    #[cfg(feature = "postgres")]
    if let super::multi::DbConnection::Pg(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(727007)").execute(pg)?;
    }
    let id: i64 = diesel::insert_into(data_events::table)
        .values((
            data_events::kind.eq(kind.as_str()),
            data_events::account_id.eq(account_id),
            data_events::created_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .returning(data_events::id)
        .get_result(conn)?;
    #[cfg(feature = "postgres")]
    if let super::multi::DbConnection::Pg(pg) = conn {
        diesel::sql_query(format!("SELECT pg_notify('{CHANNEL}', $1)"))
            .bind::<diesel::sql_types::Text, _>(id.to_string())
            .execute(pg)?;
    }
    if id % 1_000 == 0 {
        diesel::delete(data_events::table.filter(data_events::id.le(id - KEEP))).execute(conn)?;
    }
    Ok(id)
}

/// The id of the latest event (0 before any): the current data version.
pub fn latest_id(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(data_events::table
        .select(diesel::dsl::max(data_events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// The latest id among the kept events whose kind `affects` (0 when none
/// is): the version of data that only those kinds of change can move. An
/// event of another kind leaves it alone; pruning can lower it, which only
/// makes a cache keyed on it rebuild once more (ids are never reused).
pub fn latest_id_where(
    conn: &mut DbConn,
    affects: impl Fn(ChangeKind) -> bool,
) -> Result<i64, DbError> {
    let kinds: Vec<&str> = ChangeKind::ALL
        .iter()
        .filter(|k| affects(**k))
        .map(|k| k.as_str())
        .collect();
    Ok(data_events::table
        .filter(data_events::kind.eq_any(kinds))
        .select(diesel::dsl::max(data_events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Events after `after`, oldest first, at most `limit`.
pub fn since(conn: &mut DbConn, after: i64, limit: i64) -> Result<Vec<ChangeEvent>, DbError> {
    data_events::table
        .filter(data_events::id.gt(after))
        .order_by(data_events::id.asc())
        .limit(limit)
        .select((
            data_events::id,
            data_events::kind,
            data_events::account_id,
            data_events::created_at,
        ))
        .load::<(i64, String, Option<i64>, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(id, kind, account_id, at)| {
            Ok(ChangeEvent {
                id,
                kind: kind
                    .parse()
                    .map_err(|e| DbError::Corrupt(format!("data_events {id}: {e}")))?,
                account_id,
                at: at.and_utc(),
            })
        })
        .collect()
}

/// A PostgreSQL connection of its own that `LISTEN`s on [`CHANNEL`] (a
/// pooled one would hand its registration to unrelated requests): the
/// event hub's listener thread asks it for notifications.
#[cfg(feature = "postgres")]
pub struct Listener(diesel::pg::PgConnection);

#[cfg(feature = "postgres")]
impl Listener {
    /// Connects to `url` and starts listening.
    pub fn connect(url: &str) -> Result<Listener, diesel::ConnectionError> {
        use diesel::Connection;
        let mut conn = diesel::pg::PgConnection::establish(url)?;
        diesel::sql_query(format!("LISTEN {CHANNEL}"))
            .execute(&mut conn)
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
        Ok(Listener(conn))
    }

    /// Whether any notification arrived since the last call (a
    /// non-blocking read of the socket, not a query).
    pub fn notified(&mut self) -> diesel::QueryResult<bool> {
        let mut any = false;
        for note in self.0.notifications_iter() {
            note?;
            any = true;
        }
        Ok(any)
    }

    /// A trivial query, which notices a connection the server closed.
    pub fn ping(&mut self) -> diesel::QueryResult<()> {
        diesel::sql_query("SELECT 1").execute(&mut self.0).map(drop)
    }
}
