//! Checking and applying a signal values file, upserted by (account,
//! signal, date). Two layouts: *long*, one row per account, signal and date
//! (`external_id, signal, date, value`); *wide*, as spreadsheets keep it,
//! one row per account with a date column (or one date for the whole file,
//! `date=`) and one column per signal, headed by the signal's key or label
//! (English or Japanese). In a wide file a blank cell is a missing value
//! (nothing is written, never a zero), and a column that matches no signal
//! is listed in the report's `unknown_columns` instead of failing the file.
//! Only signals defined in Kizuna and not retired take values.

use kizuna_shared::api::ImportCode;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kizuna_shared::api::{ImportAction, ImportError, ImportKind, ImportPhase};
use kizuna_shared::cells::{parse_date, parse_number};

use super::read::{self, header_key};
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
                    ImportCode::UnknownSignal,
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
        accept(
            &mut check,
            &mut seen,
            &mut parsed,
            account,
            signal,
            date,
            value,
        );
    }
    parsed
}

/// Adds one value of a checked row, unless an earlier row gave the same
/// account, signal and date (then a `duplicate_key` problem).
fn accept(
    check: &mut RowCheck<'_, '_>,
    seen: &mut HashMap<(i64, String, NaiveDate), u64>,
    parsed: &mut Vec<Parsed>,
    account: &queries::KnownAccount,
    signal: &str,
    date: NaiveDate,
    value: f64,
) {
    let dup_key = (account.id, signal.to_owned(), date);
    if let Some(first) = seen.get(&dup_key) {
        check.problem(
            Some("date"),
            ImportCode::DuplicateKey,
            format!(
                "Row {first} already gives {signal} of {} on {date}.",
                account.name
            ),
        );
        return;
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

/// Whether a signals file is in the wide layout: it has neither a `signal`
/// nor a `value` column (the column check reports both missing).
pub(super) fn is_wide(column_errors: &[ImportError]) -> bool {
    let missing = |c: &str| {
        column_errors
            .iter()
            .any(|e| e.code == ImportCode::MissingColumn && e.column.as_deref() == Some(c))
    };
    missing("signal") && missing("value")
}

/// The signal columns of a wide file: `(file column, signal key)`, and the
/// headers that match no signal. A header matches a signal by its key or
/// its English or Japanese label (compared as header names are: width
/// folded, case and spaces ignored). The id and date columns, and columns
/// an accounts file would read (name, owner…), are neither.
fn wide_columns(
    input: &Input<'_>,
    definitions: &[kizuna_shared::api::SignalDefinition],
) -> (Vec<(usize, String)>, Vec<String>) {
    let headers = &input.table.headers;
    let mut ours: HashSet<String> = input.cols.mapping.values().map(|h| header_key(h)).collect();
    if let Ok((account_cols, _)) = read::resolve(
        ImportKind::Accounts,
        headers,
        &std::collections::BTreeMap::new(),
        true,
    ) {
        ours.extend(account_cols.mapping.values().map(|h| header_key(h)));
    }
    let mut by_name: HashMap<String, &str> = HashMap::new();
    for d in definitions.iter().filter(|d| !d.retired) {
        for name in [Some(&d.key), Some(&d.label), d.label_ja.as_ref()]
            .into_iter()
            .flatten()
        {
            by_name.entry(header_key(name)).or_insert(&d.key);
        }
    }
    let (mut signals, mut unknown) = (Vec::new(), Vec::new());
    for (i, h) in headers.iter().enumerate() {
        let key = header_key(h);
        if key.is_empty() || ours.contains(&key) {
            continue;
        }
        match by_name.get(&key) {
            Some(signal) => signals.push((i, (*signal).to_owned())),
            None => unknown.push(h.clone()),
        }
    }
    (signals, unknown)
}

/// Reads a wide file: each non-blank signal cell of a row is one value.
fn read_wide_rows(
    input: &Input<'_>,
    file_date: Option<NaiveDate>,
    known: &HashMap<String, queries::KnownAccount>,
    columns: &[(usize, String)],
    outcome: &mut Outcome,
) -> Vec<Parsed> {
    let mut parsed = Vec::new();
    let mut seen: HashMap<(i64, String, NaiveDate), u64> = HashMap::new();
    let total = input.table.row_count();
    for (i, row) in input.table.rows().enumerate() {
        tick(input.progress, ImportPhase::Checking, i, total);
        let mut check = RowCheck::new(input.table, row, input.cols, &mut outcome.problems);
        let account = check.account(known);
        let date = match (check.cell("date"), file_date) {
            (None, Some(d)) => Some(d),
            _ => check.required("date", parse_date),
        };
        let mut values = Vec::new();
        for (col, signal) in columns {
            let Some(text) = check.cell_at(*col) else {
                continue; // blank: missing, not zero
            };
            match parse_number(text) {
                Ok(v) => values.push((signal, v)),
                Err(e) => {
                    let header = &input.table.headers[*col];
                    check.problem(Some(signal), e.code(), format!("“{header}”: {e}."));
                }
            }
        }
        if check.has_problems() {
            continue;
        }
        let (Some(account), Some(date)) = (account, date) else {
            continue;
        };
        for (signal, value) in values {
            accept(
                &mut check,
                &mut seen,
                &mut parsed,
                account,
                signal,
                date,
                value,
            );
        }
    }
    parsed
}

pub(super) fn check(conn: &mut DbConn, input: &Input<'_>) -> Result<SignalsPlan, DbError> {
    let known = queries::known_accounts(conn)?;
    let definitions = signals::definitions(conn)?;
    // Retired signals keep their history but take no new values.
    let defined: HashSet<String> = definitions
        .iter()
        .filter(|d| !d.retired)
        .map(|d| d.key.clone())
        .collect();
    let mut outcome = Outcome::default();
    let parsed = match input.wide {
        None => read_rows(input, &known, &defined, &mut outcome),
        Some(file_date) => {
            let (columns, unknown) = wide_columns(input, &definitions);
            outcome.unknown_columns = unknown;
            read_wide_rows(input, file_date, &known, &columns, &mut outcome)
        }
    };

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
