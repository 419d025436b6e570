//! Queries on `signal_definitions` and `signal_values`: what each usage
//! signal means and its dated values per account.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use kizuna_shared::api::{SignalDefinition, SignalHistoryQuery, SignalValue};

use super::schema::{signal_definitions, signal_values};
use super::{DbConn, DbError};

/// A signal definition row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = signal_definitions)]
pub struct DefinitionRow {
    /// Key.
    pub key: String,
    /// Label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// Description.
    pub description: String,
    /// Whether higher is healthier.
    pub higher_is_better: bool,
    /// Built in.
    pub builtin: bool,
}

impl From<DefinitionRow> for SignalDefinition {
    fn from(r: DefinitionRow) -> Self {
        SignalDefinition {
            key: r.key,
            label: r.label,
            unit: r.unit,
            description: r.description,
            higher_is_better: r.higher_is_better,
            builtin: r.builtin,
        }
    }
}

/// Every signal definition, built-in ones first.
pub fn definitions(conn: &mut DbConn) -> Result<Vec<SignalDefinition>, DbError> {
    Ok(signal_definitions::table
        .order_by((
            signal_definitions::builtin.desc(),
            signal_definitions::key.asc(),
        ))
        .select(DefinitionRow::as_select())
        .load::<DefinitionRow>(conn)?
        .into_iter()
        .map(SignalDefinition::from)
        .collect())
}

/// One dated value to insert.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = signal_values)]
pub struct NewSignalValue {
    /// The account.
    pub account_id: i64,
    /// Signal key (must be defined).
    pub signal_key: String,
    /// Date of the observation.
    pub observed_on: NaiveDate,
    /// The value.
    pub value: f64,
}

/// Rows per multi-row `INSERT` (4 columns × 4,000 rows stays below SQLite's
/// limit of 32,766 bound variables).
const INSERT_BATCH: usize = 4_000;

/// Inserts signal values in batches; call inside a transaction for speed.
pub fn insert_many(conn: &mut DbConn, rows: &[NewSignalValue]) -> Result<usize, DbError> {
    let mut inserted = 0;
    for chunk in rows.chunks(INSERT_BATCH) {
        inserted += per_backend!(conn, |c| diesel::insert_into(signal_values::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(inserted)
}

/// The history of an account's signals, by key then date.
pub fn history(
    conn: &mut DbConn,
    account_id: i64,
    q: &SignalHistoryQuery,
) -> Result<Vec<SignalValue>, DbError> {
    let mut query = signal_values::table
        .filter(signal_values::account_id.eq(account_id))
        .into_boxed::<super::DbBackend>();
    if let Some(key) = &q.key {
        query = query.filter(signal_values::signal_key.eq(key.clone()));
    }
    if let Some(from) = q.from {
        query = query.filter(signal_values::observed_on.ge(from));
    }
    if let Some(to) = q.to {
        query = query.filter(signal_values::observed_on.le(to));
    }
    Ok(query
        .order_by((
            signal_values::signal_key.asc(),
            signal_values::observed_on.asc(),
        ))
        .select((
            signal_values::signal_key,
            signal_values::observed_on,
            signal_values::value,
        ))
        .load::<(String, NaiveDate, f64)>(conn)?
        .into_iter()
        .map(|(key, observed_on, value)| SignalValue {
            key,
            observed_on,
            value,
        })
        .collect())
}

/// The latest value of each signal for each of `account_ids` (an empty map
/// for an account without signals). One query.
pub fn latest_for(
    conn: &mut DbConn,
    account_ids: &[i64],
) -> Result<BTreeMap<i64, Vec<SignalValue>>, DbError> {
    let mut out: BTreeMap<i64, Vec<SignalValue>> = BTreeMap::new();
    if account_ids.is_empty() {
        return Ok(out);
    }
    let newer = diesel::alias!(signal_values as newer);
    // A value is the latest when no value of the same account and signal is
    // newer; the unique (account, key, date) index answers the sub-query.
    let rows = signal_values::table
        .filter(signal_values::account_id.eq_any(account_ids))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            newer
                .filter(
                    newer
                        .field(signal_values::account_id)
                        .eq(signal_values::account_id),
                )
                .filter(
                    newer
                        .field(signal_values::signal_key)
                        .eq(signal_values::signal_key),
                )
                .filter(
                    newer
                        .field(signal_values::observed_on)
                        .gt(signal_values::observed_on),
                ),
        )))
        .order_by((signal_values::account_id, signal_values::signal_key))
        .select((
            signal_values::account_id,
            signal_values::signal_key,
            signal_values::observed_on,
            signal_values::value,
        ))
        .load::<(i64, String, NaiveDate, f64)>(conn)?;
    for (account_id, key, observed_on, value) in rows {
        out.entry(account_id).or_default().push(SignalValue {
            key,
            observed_on,
            value,
        });
    }
    Ok(out)
}
