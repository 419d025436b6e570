//! Checking and applying a signal values file: one row per account, signal
//! and date, upserted by that key. Only signals defined in Kizuna (the six
//! built-in ones and any added later) are accepted.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kizuna_shared::api::{ImportAction, ImportPhase};
use kizuna_shared::cells::{parse_date, parse_number};

use super::{tick, Input, Outcome, Plan, Progress, RowCheck};
use crate::db::imports as queries;
use crate::db::signals::{self, NewSignalValue};
use crate::db::{DbConn, DbError};

/// One checked row.
struct Parsed {
    row: u64,
    account: i64,
    signal: String,
    date: NaiveDate,
    value: f64,
    external_id: String,
    name: String,
}

/// The checked signals file.
pub(super) struct SignalsPlan {
    outcome: Outcome,
    inserts: Vec<NewSignalValue>,
    updates: Vec<(i64, f64)>,
}

/// Reads and checks every row; returns the rows that passed.
fn read_rows(
    input: &Input<'_>,
    known: &HashMap<String, queries::KnownAccount>,
    defined: &HashSet<String>,
    outcome: &mut Outcome,
) -> Vec<Parsed> {
    let mut parsed = Vec::with_capacity(input.table.row_count());
    let mut seen: HashMap<(i64, String, NaiveDate), u64> = HashMap::new();
    let total = input.table.row_count();
    for (i, row) in input.table.rows().enumerate() {
        tick(input.progress, ImportPhase::Checking, i, total);
        let mut check = RowCheck::new(input.table, row, input.cols, &mut outcome.problems);
        let account = check.account(known);
        let signal = match check.cell("signal") {
            None => {
                check.missing("signal");
                None
            }
            Some(t) if defined.contains(t) => Some(t),
            Some(t) => {
                let mut keys: Vec<&str> = defined.iter().map(String::as_str).collect();
                keys.sort_unstable();
                check.problem(
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
        let date = check.required("date", parse_date);
        let value = check.required("value", parse_number);
        if check.has_problems() {
            continue;
        }
        let (Some(account), Some(signal), Some(date), Some(value)) = (account, signal, date, value)
        else {
            continue;
        };
        let dup_key = (account.id, signal.to_owned(), date);
        if let Some(first) = seen.get(&dup_key) {
            check.problem(
                Some("date"),
                "duplicate_key",
                format!(
                    "Row {first} already gives {signal} of {} on {date}.",
                    account.name
                ),
            );
            continue;
        }
        seen.insert(dup_key, check.n);
        parsed.push(Parsed {
            row: check.n,
            account: account.id,
            signal: signal.to_owned(),
            date,
            value,
            external_id: check.cell("external_id").unwrap_or_default().to_owned(),
            name: account.name.clone(),
        });
    }
    parsed
}

pub(super) fn check(conn: &mut DbConn, input: &Input<'_>) -> Result<SignalsPlan, DbError> {
    let known = queries::known_accounts(conn)?;
    let defined: HashSet<String> = signals::definitions(conn)?
        .into_iter()
        .map(|d| d.key)
        .collect();
    let mut outcome = Outcome::default();
    let parsed = read_rows(input, &known, &defined, &mut outcome);

    let touched: Vec<i64> = parsed
        .iter()
        .map(|p| p.account)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let stored: HashMap<(i64, String, NaiveDate), (i64, f64)> =
        queries::signal_values_of(conn, &touched)?
            .into_iter()
            .map(|(id, account, key, date, value)| ((account, key, date), (id, value)))
            .collect();
    let mut plan = SignalsPlan {
        outcome,
        inserts: Vec::new(),
        updates: Vec::new(),
    };
    for p in parsed {
        let key = || format!("{} {} {}", p.external_id, p.signal, p.date);
        let action = match stored.get(&(p.account, p.signal.clone(), p.date)) {
            Some((_, value)) if *value == p.value => ImportAction::Unchanged,
            Some((id, _)) => {
                plan.updates.push((*id, p.value));
                ImportAction::Update
            }
            None => ImportAction::Create,
        };
        plan.outcome.change(p.row, action, key, &p.name);
        if action == ImportAction::Create {
            plan.inserts.push(NewSignalValue {
                account_id: p.account,
                signal_key: p.signal,
                observed_on: p.date,
                value: p.value,
            });
        }
    }
    Ok(plan)
}

impl Plan for SignalsPlan {
    fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    fn outcome_mut(&mut self) -> &mut Outcome {
        &mut self.outcome
    }

    fn apply(&self, conn: &mut DbConn, progress: Progress<'_>) -> Result<(), DbError> {
        let total = self.inserts.len() + self.updates.len();
        progress(ImportPhase::Writing, 0, u64::try_from(total).unwrap_or(0));
        signals::insert_many(conn, &self.inserts)?;
        let done = self.inserts.len();
        queries::set_signal_values(conn, &self.updates, &|i| {
            tick(progress, ImportPhase::Writing, done + i, total);
        })
    }
}
