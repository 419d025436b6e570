//! The CSV import's queries (`crate::import` holds no SQL): accounts by
//! external id key, the stored MRR and signal rows of the accounts a file
//! touches, the updates an import writes, and the lock that lets one import
//! apply at a time per database.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use kizuna_shared::domain::Currency;

use super::schema::{account_mrr, accounts, import_lock, signal_values};
use super::{DbConn, DbError};

/// An account as the MRR and signal files refer to it.
#[derive(Debug, Clone)]
pub struct KnownAccount {
    /// Account id.
    pub id: i64,
    /// Company name (for messages).
    pub name: String,
    /// Its currency.
    pub currency: Currency,
    /// Its current MRR in minor units.
    pub mrr_minor: i64,
}

/// Every account with an external id, by its external id key.
pub fn known_accounts(conn: &mut DbConn) -> Result<HashMap<String, KnownAccount>, DbError> {
    let rows: Vec<(i64, Option<String>, String, String, i64)> = accounts::table
        .filter(accounts::external_id_key.is_not_null())
        .select((
            accounts::id,
            accounts::external_id_key,
            accounts::name,
            accounts::currency,
            accounts::mrr_minor,
        ))
        .load(conn)?;
    let mut known = HashMap::with_capacity(rows.len());
    for (id, key, name, currency, mrr_minor) in rows {
        let currency = currency
            .parse()
            .map_err(|e| DbError::Corrupt(format!("account {id}: {e}")))?;
        if let Some(key) = key {
            known.insert(
                key,
                KnownAccount {
                    id,
                    name,
                    currency,
                    mrr_minor,
                },
            );
        }
    }
    Ok(known)
}

/// A stored MRR row: `(row id, account, month, product, amount)`.
pub type StoredMrr = (i64, i64, NaiveDate, String, i64);

/// The MRR rows of `account_ids` (read in chunks).
pub fn mrr_rows_of(conn: &mut DbConn, account_ids: &[i64]) -> Result<Vec<StoredMrr>, DbError> {
    let mut out = Vec::new();
    for chunk in account_ids.chunks(5_000) {
        out.extend(
            account_mrr::table
                .filter(account_mrr::account_id.eq_any(chunk))
                .select((
                    account_mrr::id,
                    account_mrr::account_id,
                    account_mrr::month,
                    account_mrr::product,
                    account_mrr::amount_minor,
                ))
                .load::<StoredMrr>(conn)?,
        );
    }
    Ok(out)
}

/// Sets the amount of MRR rows: `(row id, amount)`.
pub fn set_mrr_amounts(
    conn: &mut DbConn,
    amounts: &[(i64, i64)],
    progress: &dyn Fn(usize),
) -> Result<(), DbError> {
    for (i, (id, amount)) in amounts.iter().enumerate() {
        progress(i);
        diesel::update(account_mrr::table.find(*id))
            .set(account_mrr::amount_minor.eq(*amount))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets the current MRR of accounts to the total of their latest month of
/// history: `(account id, MRR)`; bumps their versions.
pub fn set_current_mrr(conn: &mut DbConn, current: &[(i64, i64)]) -> Result<(), DbError> {
    let now = chrono::Utc::now().naive_utc();
    for (id, mrr) in current {
        diesel::update(accounts::table.find(*id))
            .set((
                accounts::mrr_minor.eq(*mrr),
                accounts::version.eq(accounts::version + 1),
                accounts::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A stored signal value: `(row id, account, signal key, date, value)`.
pub type StoredSignal = (i64, i64, String, NaiveDate, f64);

/// The signal values of `account_ids` (read in chunks).
pub fn signal_values_of(
    conn: &mut DbConn,
    account_ids: &[i64],
) -> Result<Vec<StoredSignal>, DbError> {
    let mut out = Vec::new();
    for chunk in account_ids.chunks(5_000) {
        out.extend(
            signal_values::table
                .filter(signal_values::account_id.eq_any(chunk))
                .select((
                    signal_values::id,
                    signal_values::account_id,
                    signal_values::signal_key,
                    signal_values::observed_on,
                    signal_values::value,
                ))
                .load::<StoredSignal>(conn)?,
        );
    }
    Ok(out)
}

/// Sets signal values: `(row id, value)`.
pub fn set_signal_values(
    conn: &mut DbConn,
    values: &[(i64, f64)],
    progress: &dyn Fn(usize),
) -> Result<(), DbError> {
    for (i, (id, value)) in values.iter().enumerate() {
        progress(i);
        diesel::update(signal_values::table.find(*id))
            .set(signal_values::value.eq(*value))
            .execute(conn)?;
    }
    Ok(())
}

/// A lock older than this belongs to a process that died while importing
/// and is taken over. The largest file applies in well under a minute
/// (BENCHMARKS.md), so a live import never gets near it.
pub const STALE_LOCK: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// Takes the import lock for `holder` unless another import holds it.
/// Returns whether it was taken. Call outside any transaction, so other
/// server instances see the lock at once.
pub fn acquire_lock(
    conn: &mut DbConn,
    holder: &str,
    user_id: i64,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let stale_before = now - STALE_LOCK;
    // Reading first: while another import writes, SQLite would make a
    // writer here wait for it, and a running import is an answer (409).
    let held: Option<NaiveDateTime> = import_lock::table
        .select(import_lock::acquired_at)
        .first(conn)
        .optional()?;
    if held.is_some_and(|at| at >= stale_before) {
        return Ok(false);
    }
    diesel::delete(import_lock::table.filter(import_lock::acquired_at.lt(stale_before)))
        .execute(conn)?;
    let inserted = diesel::insert_into(import_lock::table)
        .values((
            import_lock::id.eq(1),
            import_lock::holder.eq(holder),
            import_lock::user_id.eq(Some(user_id)),
            import_lock::acquired_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Gives the import lock back (only `holder`'s).
pub fn release_lock(conn: &mut DbConn, holder: &str) -> Result<(), DbError> {
    diesel::delete(
        import_lock::table
            .filter(import_lock::id.eq(1))
            .filter(import_lock::holder.eq(holder)),
    )
    .execute(conn)?;
    Ok(())
}
