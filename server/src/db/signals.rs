//! Queries on `signal_definitions` and `signal_values`: what each usage
//! signal means and its dated values per account.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use kizuna_shared::api::ProblemCode;
use kizuna_shared::api::{
    AuditKind, AuditTarget, FieldChange, NewSignal, SignalDefinition, SignalHistoryQuery,
    SignalUpdate, SignalValue,
};

use super::audit::{self, Actor, Event};
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
    /// Japanese label.
    pub label_ja: Option<String>,
    /// `number` or `yes_no`.
    pub kind: String,
    /// When it was retired.
    pub retired_at: Option<chrono::NaiveDateTime>,
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
            label_ja: r.label_ja,
            // The column's CHECK allows only the two names.
            kind: r.kind.parse().unwrap_or_default(),
            retired: r.retired_at.is_some(),
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

/// One definition by key.
pub fn definition(conn: &mut DbConn, key: &str) -> Result<SignalDefinition, DbError> {
    Ok(signal_definitions::table
        .find(key)
        .select(DefinitionRow::as_select())
        .first::<DefinitionRow>(conn)?
        .into())
}

/// Defines a signal (audited); 409 when the key is taken.
pub fn create(
    conn: &mut DbConn,
    input: &NewSignal,
    actor: &Actor,
) -> Result<SignalDefinition, DbError> {
    super::write_tx(conn, |conn| {
        let taken = signal_definitions::table
            .find(&input.key)
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if taken {
            return Err(DbError::Conflict(
                ProblemCode::SignalKeyTaken,
                format!("A signal with the key “{}” exists already.", input.key),
            ));
        }
        diesel::insert_into(signal_definitions::table)
            .values((
                signal_definitions::key.eq(&input.key),
                signal_definitions::label.eq(input.label.trim()),
                signal_definitions::label_ja.eq(input.label_ja.as_deref().map(str::trim)),
                signal_definitions::unit.eq(input.unit.trim()),
                signal_definitions::description.eq(input.description.trim()),
                signal_definitions::higher_is_better.eq(input.higher_is_better),
                signal_definitions::kind.eq(input.kind.as_str()),
                signal_definitions::builtin.eq(false),
                signal_definitions::created_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::SignalDefined,
                format!(
                    "Defined the signal “{}” ({}).",
                    input.label.trim(),
                    input.key
                ),
            )
            .target(AuditTarget::Signal, None, input.key.clone()),
        )?;
        definition(conn, &input.key)
    })
}

/// Changes a definition (audited, with the changed fields). Retiring a
/// signal the published model reads is refused (409): publish a model
/// without it first.
pub fn update(
    conn: &mut DbConn,
    key: &str,
    input: &SignalUpdate,
    actor: &Actor,
) -> Result<SignalDefinition, DbError> {
    super::write_tx(conn, |conn| {
        let before = definition(conn, key)?;
        let retire = input.retired.unwrap_or(before.retired);
        if retire && !before.retired {
            if let Some(current) = super::models::published(conn)? {
                if current.model.measures.iter().any(|m| m.signal == key) {
                    return Err(DbError::Conflict(ProblemCode::SignalInUse, format!(
                        "The published model (version {}) reads “{key}”; publish a model without it before retiring it.",
                        current.published_version.unwrap_or_default()
                    )));
                }
            }
        }
        let kind = input.kind.unwrap_or(before.kind);
        let label_ja = input.label_ja.as_deref().map(str::trim).map(str::to_owned);
        let retired_at = match (retire, before.retired) {
            (true, false) => Some(Some(chrono::Utc::now().naive_utc())),
            (false, true) => Some(None),
            _ => None,
        };
        let mut changes = Vec::new();
        let mut note = |field: &str, old: String, new: String| {
            if old != new {
                changes.push(FieldChange {
                    field: field.to_owned(),
                    old: Some(old),
                    new: Some(new),
                });
            }
        };
        note("label", before.label.clone(), input.label.trim().to_owned());
        note(
            "label_ja",
            before.label_ja.clone().unwrap_or_default(),
            label_ja.clone().unwrap_or_default(),
        );
        note("unit", before.unit.clone(), input.unit.trim().to_owned());
        note(
            "description",
            before.description.clone(),
            input.description.trim().to_owned(),
        );
        note(
            "higher_is_better",
            before.higher_is_better.to_string(),
            input.higher_is_better.to_string(),
        );
        note("kind", before.kind.to_string(), kind.to_string());
        note("retired", before.retired.to_string(), retire.to_string());
        diesel::update(signal_definitions::table.find(key))
            .set((
                signal_definitions::label.eq(input.label.trim()),
                signal_definitions::label_ja.eq(&label_ja),
                signal_definitions::unit.eq(input.unit.trim()),
                signal_definitions::description.eq(input.description.trim()),
                signal_definitions::higher_is_better.eq(input.higher_is_better),
                signal_definitions::kind.eq(kind.as_str()),
            ))
            .execute(conn)?;
        if let Some(at) = retired_at {
            diesel::update(signal_definitions::table.find(key))
                .set(signal_definitions::retired_at.eq(at))
                .execute(conn)?;
        }
        let summary = match retired_at {
            Some(Some(_)) => format!("Retired the signal “{key}”."),
            Some(None) => format!("Brought back the signal “{key}”."),
            None => format!("Changed the signal “{key}”."),
        };
        audit::record(
            conn,
            actor,
            Event::new(AuditKind::SignalChanged, summary)
                .target(AuditTarget::Signal, None, key.to_owned())
                .changes(changes),
        )?;
        definition(conn, key)
    })
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
