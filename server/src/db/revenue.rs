//! Queries on `account_mrr`: monthly MRR per account and product line, and
//! the one rule of the current-MRR invariant ([`with_history`]).

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use kizuna_shared::api::{Money, MrrEntry};
use kizuna_shared::domain::Currency;

use super::schema::account_mrr;
use super::{DbConn, DbError};

/// One month of one product line of one account, to insert.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = account_mrr)]
pub struct NewMrr {
    /// The account.
    pub account_id: i64,
    /// First day of the month.
    pub month: NaiveDate,
    /// Product line.
    pub product: String,
    /// Amount in minor units (never negative).
    pub amount_minor: i64,
    /// ISO currency code.
    pub currency: String,
}

/// A stored MRR row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = account_mrr)]
pub struct MrrRow {
    /// Row id.
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// First day of the month.
    pub month: NaiveDate,
    /// Product line.
    pub product: String,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO currency code.
    pub currency: String,
}

impl MrrRow {
    /// The row as the API type.
    pub fn into_entry(self) -> Result<MrrEntry, DbError> {
        let currency = self
            .currency
            .parse()
            .map_err(|e| DbError::Corrupt(format!("account_mrr {}: {e}", self.id)))?;
        Ok(MrrEntry {
            month: self.month,
            product: self.product,
            amount_minor: self.amount_minor,
            currency,
        })
    }
}

/// Rows per multi-row `INSERT` (5 columns × 2,000 rows stays below SQLite's
/// limit of 32,766 bound variables).
const INSERT_BATCH: usize = 2_000;

/// Inserts MRR rows in batches; call inside a transaction for speed.
pub fn insert_many(conn: &mut DbConn, rows: &[NewMrr]) -> Result<usize, DbError> {
    let mut inserted = 0;
    for chunk in rows.chunks(INSERT_BATCH) {
        inserted += per_backend!(conn, |c| diesel::insert_into(account_mrr::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(inserted)
}

/// The MRR history of one account, oldest month first, products by name.
pub fn history(conn: &mut DbConn, account_id: i64) -> Result<Vec<MrrEntry>, DbError> {
    account_mrr::table
        .filter(account_mrr::account_id.eq(account_id))
        .order_by((account_mrr::month.asc(), account_mrr::product.asc()))
        .select(MrrRow::as_select())
        .load::<MrrRow>(conn)?
        .into_iter()
        .map(MrrRow::into_entry)
        .collect()
}

/// Which of `account_ids` have monthly MRR history. This one function
/// decides the current-MRR invariant: for these accounts
/// `accounts.mrr_minor` (and `currency`) come from the latest month of the
/// history and nothing else writes them — an account edit that changes them
/// is refused (`db::accounts::update`), an accounts import ignores its MRR
/// cell with a warning (`import::accounts`), and `Account::mrr_from_history`
/// tells the form to show them read-only.
pub fn with_history(conn: &mut DbConn, account_ids: &[i64]) -> Result<HashSet<i64>, DbError> {
    let mut found = HashSet::new();
    // Chunks keep the bound variables under SQLite's limit.
    for chunk in account_ids.chunks(5_000) {
        let ids: Vec<i64> = account_mrr::table
            .filter(account_mrr::account_id.eq_any(chunk))
            .select(account_mrr::account_id)
            .distinct()
            .load(conn)?;
        found.extend(ids);
    }
    Ok(found)
}

/// Whether account `id` has MRR history (see [`with_history`]).
pub fn has_history(conn: &mut DbConn, account_id: i64) -> Result<bool, DbError> {
    Ok(with_history(conn, &[account_id])?.contains(&account_id))
}

/// Adds amounts of one currency, as a database error when the stored rows
/// mix currencies or overflow (the import and the form make both
/// impossible, so either means the data was changed behind Kizuna's back).
pub fn sum_stored(
    what: &str,
    currency: Currency,
    amounts: impl IntoIterator<Item = Money>,
) -> Result<Money, DbError> {
    Money::checked_sum(currency, amounts).map_err(|e| DbError::Corrupt(format!("{what}: {e}")))
}

/// The account's MRR in its latest month of history (all products), or
/// `None` without history. The accounts' current MRR is kept equal to this
/// whenever history changes (imports, merges); the sum is checked.
pub fn latest_month_total(conn: &mut DbConn, account_id: i64) -> Result<Option<Money>, DbError> {
    let latest: Option<NaiveDate> = account_mrr::table
        .filter(account_mrr::account_id.eq(account_id))
        .select(diesel::dsl::max(account_mrr::month))
        .first(conn)?;
    let Some(month) = latest else {
        return Ok(None);
    };
    let rows: Vec<(i64, String)> = account_mrr::table
        .filter(account_mrr::account_id.eq(account_id))
        .filter(account_mrr::month.eq(month))
        .select((account_mrr::amount_minor, account_mrr::currency))
        .load(conn)?;
    let what = format!("MRR of account {account_id} in {month}");
    let amounts = rows
        .into_iter()
        .map(|(amount, currency)| {
            let currency: Currency = currency
                .parse()
                .map_err(|e| DbError::Corrupt(format!("{what}: {e}")))?;
            Ok(Money::new(amount, currency))
        })
        .collect::<Result<Vec<Money>, DbError>>()?;
    let Some(first) = amounts.first() else {
        return Ok(None);
    };
    sum_stored(&what, first.currency, amounts.iter().copied()).map(Some)
}
