//! Loading generated history in bulk (`kizuna demo`): the demo's millions
//! of signal values and MRR rows go in as SQL text inside one transaction,
//! with the date indexes dropped for the load and rebuilt once after it.

use diesel::connection::SimpleConnection;

use super::revenue::NewMrr;
use super::signals::NewSignalValue;
use super::{DbConn, DbError};

/// Prepares a bulk load inside the caller's transaction: a large page cache
/// (millions of index entries otherwise spill dirty pages to the WAL again
/// and again) and the date indexes dropped (rebuilt by [`end`]).
pub fn begin(conn: &mut DbConn) -> Result<(), DbError> {
    sqlite_pragma(conn, "PRAGMA cache_size = -1048576")?;
    sqlite_pragma(conn, DROP_DATE_INDEXES)
}

/// Ends a bulk load: the date indexes rebuilt in one sorted pass, the page
/// cache back to SQLite's default.
pub fn end(conn: &mut DbConn) -> Result<(), DbError> {
    let rebuilt = sqlite_pragma(conn, CREATE_DATE_INDEXES);
    sqlite_pragma(conn, "PRAGMA cache_size = -2000")?;
    rebuilt
}

/// The date indexes of the history tables (as in the customer-data
/// migration) and the value-on-a-date seek index (migration
/// `2026-04-01-000004`).
const DROP_DATE_INDEXES: &str = "DROP INDEX IF EXISTS signal_values_observed_on_idx; \
     DROP INDEX IF EXISTS signal_values_seek_idx; \
     DROP INDEX IF EXISTS account_mrr_month_idx;";
const CREATE_DATE_INDEXES: &str =
    "CREATE INDEX IF NOT EXISTS signal_values_observed_on_idx ON signal_values (observed_on); \
     CREATE INDEX IF NOT EXISTS signal_values_seek_idx \
         ON signal_values (account_id, signal_key, observed_on, value); \
     CREATE INDEX IF NOT EXISTS account_mrr_month_idx ON account_mrr (month);";

/// Runs `pragma` on a SQLite connection (nothing on PostgreSQL).
fn sqlite_pragma(conn: &mut DbConn, pragma: &str) -> Result<(), DbError> {
    #[cfg(feature = "postgres")]
    if let crate::db::multi::DbConnection::Sqlite(c) = conn {
        c.batch_execute(pragma)?;
    }
    #[cfg(not(feature = "postgres"))]
    conn.batch_execute(pragma)?;
    Ok(())
}

/// Rows per SQL-text `INSERT` of generated history.
const TEXT_BATCH: usize = 10_000;

/// Inserts generated signal values as SQL text rather than with bound
/// parameters: with millions of rows, binding each value through diesel
/// costs more than SQLite parsing literals. This is safe only because every
/// value comes from the demo generator — integer ids, one of `keys` (its
/// constant signal keys), dates and finite numbers — never from user input.
pub fn insert_signals(
    conn: &mut DbConn,
    rows: &[NewSignalValue],
    keys: &[&str],
    sql: &mut String,
) -> Result<usize, DbError> {
    use std::fmt::Write;
    for chunk in rows.chunks(TEXT_BATCH) {
        sql.clear();
        sql.push_str(
            "INSERT INTO signal_values (account_id, signal_key, observed_on, value) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            if !r.value.is_finite() || !keys.contains(&r.signal_key.as_str()) {
                return Err(DbError::Corrupt(format!("generated signal {r:?}")));
            }
            if i > 0 {
                sql.push(',');
            }
            let _ = write!(
                sql,
                "({},'{}','{}',{:?})",
                r.account_id, r.signal_key, r.observed_on, r.value
            );
        }
        conn.batch_execute(sql)?;
    }
    Ok(rows.len())
}

/// Inserts generated MRR rows as SQL text (see [`insert_signals`]; the
/// products must be among `products` and the currencies known).
pub fn insert_mrr(
    conn: &mut DbConn,
    rows: &[NewMrr],
    products: &[&str],
    sql: &mut String,
) -> Result<usize, DbError> {
    use std::fmt::Write;
    for chunk in rows.chunks(TEXT_BATCH) {
        sql.clear();
        sql.push_str(
            "INSERT INTO account_mrr (account_id, month, product, amount_minor, currency) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            let known = products.contains(&r.product.as_str())
                && r.currency
                    .parse::<kizuna_shared::domain::Currency>()
                    .is_ok();
            if !known {
                return Err(DbError::Corrupt(format!("generated MRR row {r:?}")));
            }
            if i > 0 {
                sql.push(',');
            }
            let _ = write!(
                sql,
                "({},'{}','{}',{},'{}')",
                r.account_id, r.month, r.product, r.amount_minor, r.currency
            );
        }
        conn.batch_execute(sql)?;
    }
    Ok(rows.len())
}
