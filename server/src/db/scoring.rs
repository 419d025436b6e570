//! The data health scores are computed from: the accounts that were
//! customers on a date, their signal values as they stood on that date (a
//! later reading is not visible) and, for the back-test, whether they
//! churned within a window after it. Used by snapshots, model comparison,
//! an account's breakdown and `GET /api/v1/scoring-data`.

use std::collections::HashMap;

use chrono::{Datelike, Days, NaiveDate};
use diesel::prelude::*;
use kizuna_shared::domain::{AccountStatus, Currency, Tenure};
use kizuna_shared::metrics::SignalTable;

use super::schema::{account_mrr, accounts, users};
use super::{DbConn, DbError};

/// One account of the population.
#[derive(Debug, Clone)]
pub struct Member {
    /// Account id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Owner id and name.
    pub owner: Option<(i64, String)>,
    /// MRR on the date (the latest month of history on or before it, else
    /// the account's current MRR).
    pub mrr_minor: i64,
    /// Currency.
    pub currency: Currency,
    /// Churn date, when churned.
    pub churn_date: Option<NaiveDate>,
    /// Whether the status is churned.
    pub churned: bool,
}

impl Member {
    /// Whether the account had churned on or before `day` (a churned
    /// account without a churn date always has): the churn half of
    /// [`Tenure::is_customer_on`], the rule [`Scope`] states in SQL.
    pub fn churned_by(&self, day: NaiveDate) -> bool {
        !Tenure {
            contract_start: None,
            churn_date: self.churn_date,
            churned: self.churned,
        }
        .is_customer_on(day)
    }
}

/// Which accounts a population holds (the SQL form of
/// [`Tenure::is_customer_on`] and its churn half).
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Every account (an account's own breakdown).
    All,
    /// The accounts not churned on or before the date (a churned account
    /// without a churn date has churned on every date): what a snapshot of
    /// that date scores.
    NotChurnedOn(NaiveDate),
    /// The customers on the date: not churned on or before it, contract
    /// started (when known) on or before it (scoring data, back-test).
    CustomersOn(NaiveDate),
}

/// Accounts by id (ascending); `only` narrows it to one account.
pub fn population(
    conn: &mut DbConn,
    scope: Scope,
    mrr_on: NaiveDate,
    only: Option<i64>,
) -> Result<Vec<Member>, DbError> {
    let mut query = accounts::table
        .left_join(users::table)
        .into_boxed::<super::DbBackend>();
    if let Some(id) = only {
        query = query.filter(accounts::id.eq(id));
    }
    if let Scope::NotChurnedOn(date) | Scope::CustomersOn(date) = scope {
        query = query
            .filter(
                accounts::churn_date
                    .is_null()
                    .or(accounts::churn_date.gt(date)),
            )
            // A churned account without a churn date cannot be placed in time.
            .filter(
                accounts::status
                    .ne(AccountStatus::Churned.as_str())
                    .or(accounts::churn_date.is_not_null()),
            );
    }
    if let Scope::CustomersOn(date) = scope {
        query = query.filter(
            accounts::contract_start
                .is_null()
                .or(accounts::contract_start.le(date)),
        );
    }
    let rows = query
        .order_by(accounts::id)
        .select((
            accounts::id,
            accounts::name,
            accounts::owner_id,
            users::name.nullable(),
            accounts::mrr_minor,
            accounts::currency,
            accounts::churn_date,
            accounts::status,
        ))
        .load::<(
            i64,
            String,
            Option<i64>,
            Option<String>,
            i64,
            String,
            Option<NaiveDate>,
            String,
        )>(conn)?;
    // MRR per account on the date: the latest month of history up to it.
    let month = mrr_on.with_day0(0).unwrap_or(mrr_on);
    let mut history = account_mrr::table
        .filter(account_mrr::month.le(month))
        .into_boxed::<super::DbBackend>();
    if let Some(id) = only {
        history = history.filter(account_mrr::account_id.eq(id));
    }
    let history = history
        .order_by((account_mrr::account_id, account_mrr::month))
        .select((
            account_mrr::account_id,
            account_mrr::month,
            account_mrr::amount_minor,
        ))
        .load::<(i64, NaiveDate, i64)>(conn)?;
    let mut latest: HashMap<i64, (NaiveDate, i64)> = HashMap::new();
    for (id, m, amount) in history {
        let e = latest.entry(id).or_insert((m, 0));
        if m > e.0 {
            *e = (m, 0);
        }
        e.1 = e.1.saturating_add(amount);
    }
    rows.into_iter()
        .map(
            |(id, name, owner_id, owner_name, mrr, currency, churn_date, status)| {
                let currency: Currency = currency
                    .parse()
                    .map_err(|e| DbError::Corrupt(format!("account {id}: {e}")))?;
                Ok(Member {
                    id,
                    name,
                    owner: owner_id.zip(owner_name),
                    mrr_minor: latest.get(&id).map_or(mrr, |(_, total)| *total),
                    currency,
                    churn_date,
                    churned: status == AccountStatus::Churned.as_str(),
                })
            },
        )
        .collect()
}

/// One `(account, key, value)` row of [`values_on`].
#[derive(QueryableByName)]
struct ValueRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    account_id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    signal_key: String,
    /// NULL when the pair has no reading on or before the date.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    value: Option<f64>,
}

/// The value of each signal for each account as it stood on `date` (the
/// latest reading on or before it), as `(account, key, value)`.
///
/// `signal_latest` holds each (account, signal)'s latest reading, kept by
/// triggers on `signal_values` in the writing transaction (migration
/// `2026-04-01-000004`). A pair whose latest reading is on or before `date`
/// takes it from there; a pair read later than `date` seeks its value on
/// `date` in the dated history (one probe of the unique
/// (account, key, date) index). At today's date that second part is empty,
/// so the answer reads one row per pair instead of walking the whole
/// history (BENCHMARKS.md, "Scoring data over loopback"); for a past date
/// it is one index seek per pair. Only the date and an account id are
/// bound; the SQL differs between backends only in its placeholders.
fn values_on(
    conn: &mut DbConn,
    date: NaiveDate,
    only: Option<i64>,
) -> Result<Vec<(i64, String, f64)>, DbError> {
    use diesel::sql_types::{BigInt, Date, Nullable};
    const SQLITE: &str = "SELECT account_id, signal_key, value FROM signal_latest \
         WHERE observed_on <= ? AND (? IS NULL OR account_id = ?) \
         UNION ALL \
         SELECT account_id, signal_key, value FROM (\
           SELECT l.account_id, l.signal_key, \
             (SELECT v.value FROM signal_values v \
              WHERE v.account_id = l.account_id AND v.signal_key = l.signal_key \
                AND v.observed_on <= ? \
              ORDER BY v.observed_on DESC LIMIT 1) AS value \
           FROM signal_latest l \
           WHERE l.observed_on > ? AND (? IS NULL OR l.account_id = ?)\
         ) AS earlier";
    #[cfg(feature = "postgres")]
    const POSTGRES: &str = "SELECT account_id, signal_key, value FROM signal_latest \
         WHERE observed_on <= $1 AND ($2::BIGINT IS NULL OR account_id = $2) \
         UNION ALL \
         SELECT account_id, signal_key, value FROM (\
           SELECT l.account_id, l.signal_key, \
             (SELECT v.value FROM signal_values v \
              WHERE v.account_id = l.account_id AND v.signal_key = l.signal_key \
                AND v.observed_on <= $1 \
              ORDER BY v.observed_on DESC LIMIT 1) AS value \
           FROM signal_latest l \
           WHERE l.observed_on > $1 AND ($2::BIGINT IS NULL OR l.account_id = $2)\
         ) AS earlier";
    macro_rules! sqlite_query {
        ($c:expr) => {
            diesel::sql_query(SQLITE)
                .bind::<Date, _>(date)
                .bind::<Nullable<BigInt>, _>(only)
                .bind::<Nullable<BigInt>, _>(only)
                .bind::<Date, _>(date)
                .bind::<Date, _>(date)
                .bind::<Nullable<BigInt>, _>(only)
                .bind::<Nullable<BigInt>, _>(only)
                .load($c)
        };
    }
    let rows: Vec<ValueRow> = match conn {
        #[cfg(feature = "postgres")]
        super::multi::DbConnection::Pg(c) => diesel::sql_query(POSTGRES)
            .bind::<Date, _>(date)
            .bind::<Nullable<BigInt>, _>(only)
            .load(c)?,
        #[cfg(feature = "postgres")]
        super::multi::DbConnection::Sqlite(c) => sqlite_query!(c)?,
        #[cfg(not(feature = "postgres"))]
        c => sqlite_query!(c)?,
    };
    // A pair without a reading on or before `date` comes back as NULL:
    // filtering it in SQL would run the seek twice.
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.account_id, r.signal_key, r.value?)))
        .collect())
}

/// The signal table of `members` on `date`: one column per signal with a
/// value, plus for each lag the values as they stood that many days
/// earlier. Missing values are NaN.
pub fn table_on(
    conn: &mut DbConn,
    members: &[Member],
    date: NaiveDate,
    lags: &[u32],
) -> Result<SignalTable, DbError> {
    let index: HashMap<i64, usize> = members.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
    let mut table = SignalTable::new(members.len());
    for &lag in std::iter::once(&0).chain(lags) {
        let on = date
            .checked_sub_days(Days::new(u64::from(lag)))
            .unwrap_or(NaiveDate::MIN);
        let only = match members {
            [one] => Some(one.id),
            _ => None,
        };
        for (account, key, value) in values_on(conn, on, only)? {
            let Some(&i) = index.get(&account) else {
                continue;
            };
            if let Some(column) = table.values_mut(&key, lag) {
                column[i] = value;
            }
        }
    }
    Ok(table)
}

/// Whether each member churned within `window_days` after `as_of`.
pub fn churned_within(members: &[Member], as_of: NaiveDate, window_days: u32) -> Vec<bool> {
    let end = as_of
        .checked_add_days(Days::new(u64::from(window_days)))
        .unwrap_or(NaiveDate::MAX);
    members
        .iter()
        .map(|m| m.churn_date.is_some_and(|d| d > as_of && d <= end))
        .collect()
}
