//! Queries on `account_mrr`: monthly MRR per account and product line.

use chrono::NaiveDate;
use diesel::prelude::*;
use kizuna_shared::api::MrrEntry;

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

/// The account's MRR in its latest month of history (all products), or
/// `None` without history. The accounts' current MRR is kept equal to this
/// whenever history changes (imports, merges).
pub fn latest_month_total(conn: &mut DbConn, account_id: i64) -> Result<Option<i64>, DbError> {
    let latest: Option<NaiveDate> = account_mrr::table
        .filter(account_mrr::account_id.eq(account_id))
        .select(diesel::dsl::max(account_mrr::month))
        .first(conn)?;
    let Some(month) = latest else {
        return Ok(None);
    };
    let amounts: Vec<i64> = account_mrr::table
        .filter(account_mrr::account_id.eq(account_id))
        .filter(account_mrr::month.eq(month))
        .select(account_mrr::amount_minor)
        .load(conn)?;
    Ok(Some(amounts.iter().sum()))
}
