//! Checking and applying a signal values file: one row per account, signal
//! and date, upserted by that key. Only signals defined in Kizuna (the six
//! built-in ones and any added later) are accepted.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use kizuna_shared::api::ImportAction;
use kizuna_shared::cells::{parse_date, parse_number};

use super::read::{Columns, Table};
use super::revenue::{account_of, check_width, known_accounts, missing, required};
use super::{tick, Outcome, Plan, Progress};
use crate::db::schema::signal_values;
use crate::db::signals::{self, NewSignalValue};
use crate::db::{DbConn, DbError};

struct Parsed {
    row: u64,
    account: i64,
    signal: String,
    date: NaiveDate,
    value: f64,
    key: String,
    name: String,
}

/// The checked signals file.
pub(super) struct SignalsPlan {
    outcome: Outcome,
    inserts: Vec<NewSignalValue>,
    updates: Vec<(i64, f64)>,
}

pub(super) fn check(
    conn: &mut DbConn,
    table: &Table,
    cols: &Columns,
    progress: Progress<'_>,
) -> Result<SignalsPlan, DbError> {
    let known = known_accounts(conn)?;
    let defined: HashSet<String> = signals::definitions(conn)?
        .into_iter()
        .map(|d| d.key)
        .collect();
    let mut outcome = Outcome::default();
    let mut parsed = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<(i64, String, NaiveDate), u64> = HashMap::new();
    let total = table.rows.len();
    for (i, row) in table.rows.iter().enumerate() {
        tick(progress, "checking", i, total);
        let n = row.number;
        let p = &mut outcome.problems;
        let before = p.count;
        check_width(p, table, row);
        let cell = |c: &str| cols.cell(row, c);
        let account = account_of(p, n, cell("external_id"), &known);
        let signal = match cell("signal") {
            None => {
                missing(p, n, "signal");
                None
            }
            Some(t) if defined.contains(t) => Some(t.to_owned()),
            Some(t) => {
                let mut keys: Vec<&str> = defined.iter().map(String::as_str).collect();
                keys.sort_unstable();
                p.push(
                    n,
                    Some("signal"),
                    "unknown_signal",
                    format!(
                        "“{t}” is not a defined signal (known: {}).",
                        keys.join(", ")
                    ),
                );
                None
            }
        };
        let date = required(p, n, "date", cell("date"), parse_date);
        let value = required(p, n, "value", cell("value"), parse_number);
        if p.count > before {
            continue;
        }
        let (Some(account), Some(signal), Some(date), Some(value)) = (account, signal, date, value)
        else {
            continue;
        };
        let dup_key = (account.id, signal.clone(), date);
        if let Some(first) = seen.get(&dup_key) {
            p.push(
                n,
                Some("date"),
                "duplicate_key",
                format!(
                    "Row {first} already gives {signal} of {} on {date}.",
                    account.name
                ),
            );
            continue;
        }
        seen.insert(dup_key, n);
        let key = format!(
            "{} {signal} {date}",
            cell("external_id").unwrap_or_default()
        );
        parsed.push(Parsed {
            row: n,
            account: account.id,
            signal,
            date,
            value,
            key,
            name: account.name.clone(),
        });
    }

    let touched: Vec<i64> = parsed
        .iter()
        .map(|p| p.account)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut stored: HashMap<(i64, String, NaiveDate), (i64, f64)> = HashMap::new();
    for chunk in touched.chunks(5_000) {
        let rows: Vec<(i64, i64, String, NaiveDate, f64)> = signal_values::table
            .filter(signal_values::account_id.eq_any(chunk))
            .select((
                signal_values::id,
                signal_values::account_id,
                signal_values::signal_key,
                signal_values::observed_on,
                signal_values::value,
            ))
            .load(conn)?;
        for (id, account, key, date, value) in rows {
            stored.insert((account, key, date), (id, value));
        }
    }
    let mut plan = SignalsPlan {
        outcome,
        inserts: Vec::new(),
        updates: Vec::new(),
    };
    for p in parsed {
        match stored.get(&(p.account, p.signal.clone(), p.date)) {
            Some((_, value)) if *value == p.value => {
                plan.outcome
                    .change(p.row, ImportAction::Unchanged, p.key, Some(p.name));
            }
            Some((id, _)) => {
                plan.updates.push((*id, p.value));
                plan.outcome
                    .change(p.row, ImportAction::Update, p.key, Some(p.name));
            }
            None => {
                plan.inserts.push(NewSignalValue {
                    account_id: p.account,
                    signal_key: p.signal,
                    observed_on: p.date,
                    value: p.value,
                });
                plan.outcome
                    .change(p.row, ImportAction::Create, p.key, Some(p.name));
            }
        }
    }
    Ok(plan)
}

impl Plan for SignalsPlan {
    fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    fn apply(&self, conn: &mut DbConn, progress: Progress<'_>) -> Result<(), DbError> {
        let total = self.inserts.len() + self.updates.len();
        progress("writing", 0, u64::try_from(total).unwrap_or(0));
        signals::insert_many(conn, &self.inserts)?;
        for (i, (id, value)) in self.updates.iter().enumerate() {
            tick(progress, "writing", self.inserts.len() + i, total);
            diesel::update(signal_values::table.find(*id))
                .set(signal_values::value.eq(*value))
                .execute(conn)?;
        }
        Ok(())
    }
}
