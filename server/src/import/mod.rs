//! CSV import of accounts, monthly MRR and signal values.
//!
//! A file is read ([`read`]), every row is checked against the database and
//! turned into a plan (create, update or leave unchanged, with every problem
//! listed by row and column, and warnings for cells read but not used), and
//! — unless it is a dry run or any row has a problem — the plan is applied in
//! one transaction and recorded in the history. Re-importing the same file
//! finds every row unchanged. Records are keyed by the accounts' external id
//! key. One import applies at a time per database ([`run`] takes the lock in
//! `db::imports`).
//!
//! The three checkers (`accounts`, `revenue`, `signals`) read cells through
//! [`RowCheck`], which reports missing and unreadable cells the same way for
//! all of them; all SQL is in `crate::db`.

mod accounts;
pub mod export;
pub mod progress;
pub mod read;
mod revenue;
mod signals;

use kizuna_shared::api::ImportCode;
use std::collections::{BTreeMap, HashMap};

use kizuna_shared::api::{
    AuditKind, AuditTarget, DataChangeKind, ImportAction, ImportChange, ImportError, ImportKind,
    ImportPhase, ImportReport, MAX_PREVIEW_CHANGES, MAX_REPORTED_ERRORS,
};
use kizuna_shared::cells::CellError;
use kizuna_shared::domain::Currency;

use crate::db::history::{self, NewDataChange};
use crate::db::imports::{self as queries, KnownAccount};
use crate::db::{DbConn, DbError};
use read::{Columns, ReadError, Row, Table};

/// What to import and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// What the file holds.
    pub kind: ImportKind,
    /// Check only; write nothing.
    pub dry_run: bool,
    /// File name for the history.
    pub file_name: Option<String>,
    /// Our column → their header.
    pub mapping: BTreeMap<String, String>,
    /// Who imports.
    pub user: kizuna_shared::domain::Principal,
    /// Where the upload came from (for the audit log).
    pub client_addr: Option<String>,
    /// The currency of rows without a currency cell.
    pub currency: Option<Currency>,
    /// The date of every value of a wide signals file without a date column.
    pub date: Option<chrono::NaiveDate>,
}

/// Why an import could not even be checked.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file is unreadable or too large (answered with 400 or 413).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Another import is applying (answered with 409 `import_running`).
    #[error("An import is running; try again when it has finished.")]
    Running,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ImportFailure {
    fn from(e: diesel::result::Error) -> Self {
        ImportFailure::Db(e.into())
    }
}

/// Reports progress: phase, rows done, rows in total.
pub type Progress<'a> = &'a (dyn Fn(ImportPhase, u64, u64) + Sync);

/// Row problems (or warnings): all counted, the first
/// [`MAX_REPORTED_ERRORS`] kept in full.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<ImportError>,
    count: u64,
}

impl Problems {
    pub(crate) fn push(
        &mut self,
        row: u64,
        column: Option<&str>,
        code: ImportCode,
        message: String,
    ) {
        self.count += 1;
        if self.list.len() < MAX_REPORTED_ERRORS {
            self.list.push(ImportError {
                row,
                column: column.map(str::to_owned),
                code,
                message,
            });
        }
    }
}

/// The outcome of checking a file: what each row would do. Only the changes
/// a report lists are kept (creates and updates first, then unchanged rows,
/// each in row order, at most [`MAX_PREVIEW_CHANGES`] of each), so a large
/// file does not hold a change per row in memory.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) problems: Problems,
    pub(crate) warnings: Problems,
    changed: Vec<ImportChange>,
    unchanged_rows: Vec<ImportChange>,
    pub(crate) created: u64,
    pub(crate) updated: u64,
    pub(crate) unchanged: u64,
    /// Wide signals files: headers that match no signal.
    pub(crate) unknown_columns: Vec<String>,
}

impl Outcome {
    pub(crate) fn change(
        &mut self,
        row: u64,
        action: ImportAction,
        key: impl FnOnce() -> String,
        account_name: &str,
    ) {
        let list = match action {
            ImportAction::Create => {
                self.created += 1;
                &mut self.changed
            }
            ImportAction::Update => {
                self.updated += 1;
                &mut self.changed
            }
            ImportAction::Unchanged => {
                self.unchanged += 1;
                &mut self.unchanged_rows
            }
        };
        if list.len() < MAX_PREVIEW_CHANGES {
            list.push(ImportChange {
                row,
                action,
                key: key(),
                account_name: Some(account_name.to_owned()),
            });
        }
    }

    /// The listed changes: creates and updates first, each in row order.
    fn listed(&mut self) -> Vec<ImportChange> {
        let mut changes = std::mem::take(&mut self.changed);
        changes.sort_by_key(|c| c.row);
        let mut unchanged = std::mem::take(&mut self.unchanged_rows);
        unchanged.sort_by_key(|c| c.row);
        changes.extend(unchanged);
        changes.truncate(MAX_PREVIEW_CHANGES);
        changes
    }
}

/// One row being checked: its cells by our column names and the problems it
/// adds. Every checker reads cells through this, so a missing or unreadable
/// cell is reported the same way in every kind of file.
pub(crate) struct RowCheck<'a, 'p> {
    /// The spreadsheet row number.
    pub(crate) n: u64,
    row: Row<'a>,
    cols: &'a Columns,
    problems: &'p mut Problems,
    before: u64,
}

impl<'a, 'p> RowCheck<'a, 'p> {
    /// Starts checking `row`, reporting a row whose cell count differs from
    /// the header's (a stray separator or quote).
    pub(crate) fn new(
        table: &Table,
        row: Row<'a>,
        cols: &'a Columns,
        problems: &'p mut Problems,
    ) -> Self {
        let before = problems.count;
        let mut check = RowCheck {
            n: row.number,
            row,
            cols,
            problems,
            before,
        };
        if row.len() != table.headers.len() {
            check.problem(
                None,
                ImportCode::BadRow,
                format!(
                    "The row has {} cells but the header has {}; check for a stray separator or quote.",
                    row.len(),
                    table.headers.len()
                ),
            );
        }
        check
    }

    /// The trimmed, non-empty cell of our `column`.
    pub(crate) fn cell(&self, column: &str) -> Option<&'a str> {
        self.cols.cell(&self.row, column)
    }

    /// Reports a problem in this row.
    pub(crate) fn problem(&mut self, column: Option<&str>, code: ImportCode, message: String) {
        self.problems.push(self.n, column, code, message);
    }

    /// Reports an empty required cell.
    pub(crate) fn missing(&mut self, column: &str) {
        self.problem(
            Some(column),
            ImportCode::MissingValue,
            format!("“{column}” is required and empty."),
        );
    }

    fn cell_error(&mut self, column: &str, e: &CellError) {
        self.problem(Some(column), e.code(), format!("“{column}”: {e}."));
    }

    /// Reads an optional cell: `None` when empty, or when unreadable (then
    /// reported).
    pub(crate) fn optional<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, CellError>,
    ) -> Option<T> {
        let text = self.cell(column)?;
        parse(text).map_err(|e| self.cell_error(column, &e)).ok()
    }

    /// Reads a required cell, reporting it when empty or unreadable.
    pub(crate) fn required<T>(
        &mut self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, CellError>,
    ) -> Option<T> {
        if self.cell(column).is_none() {
            self.missing(column);
            return None;
        }
        self.optional(column, parse)
    }

    /// Reads a required text cell of at most `max` characters.
    pub(crate) fn required_text(&mut self, column: &str, max: usize) -> Option<&'a str> {
        match self.cell(column) {
            None => {
                self.missing(column);
                None
            }
            Some(t) if t.chars().count() > max => {
                self.problem(
                    Some(column),
                    ImportCode::InvalidValue,
                    format!("“{column}” must be at most {max} characters."),
                );
                None
            }
            Some(t) => Some(t),
        }
    }

    /// The row's currency: its `currency` cell, or else the file's
    /// (`default`); reported when neither is there or the cell names a
    /// currency Kizuna does not handle.
    pub(crate) fn currency(&mut self, default: Option<Currency>) -> Option<Currency> {
        match self.cell("currency") {
            None => {
                if default.is_none() {
                    self.problem(
                        Some("currency"),
                        ImportCode::MissingValue,
                        "“currency” is empty: fill it in, or choose the currency of the whole file.".into(),
                    );
                }
                default
            }
            Some(text) => match text.to_uppercase().parse::<Currency>() {
                Ok(c) => Some(c),
                Err(_) => {
                    self.problem(
                        Some("currency"),
                        ImportCode::UnknownCurrency,
                        format!("“{text}” is not a currency Kizuna handles (JPY, USD, EUR)."),
                    );
                    None
                }
            },
        }
    }

    /// The account the row's `external_id` names, reporting an empty cell
    /// or an id no account has.
    pub(crate) fn account<'k>(
        &mut self,
        known: &'k HashMap<String, KnownAccount>,
    ) -> Option<&'k KnownAccount> {
        let Some(text) = self.cell("external_id") else {
            self.missing("external_id");
            return None;
        };
        let found = crate::db::accounts::external_id_key(Some(text)).and_then(|k| known.get(&k));
        if found.is_none() {
            self.problem(
                Some("external_id"),
                ImportCode::UnknownAccount,
                format!("No account has the external id {text}; import the accounts file first."),
            );
        }
        found
    }

    /// The trimmed, non-empty cell at file column `i` (a wide file's signal
    /// columns, which are no column of ours).
    pub(crate) fn cell_at(&self, i: usize) -> Option<&'a str> {
        self.row.cell(i).map(str::trim).filter(|t| !t.is_empty())
    }

    /// Whether this row has had a problem so far.
    pub(crate) fn has_problems(&self) -> bool {
        self.problems.count > self.before
    }
}

/// A checked file ready to be written.
trait Plan {
    fn outcome(&self) -> &Outcome;
    fn outcome_mut(&mut self) -> &mut Outcome;
    fn apply(&self, conn: &mut DbConn, progress: Progress<'_>) -> Result<(), DbError>;
}

/// What every checker gets: the parsed file, the column mapping, the
/// file's currency and the progress callback.
pub(crate) struct Input<'a> {
    pub(crate) table: &'a Table,
    pub(crate) cols: &'a Columns,
    pub(crate) currency: Option<Currency>,
    pub(crate) progress: Progress<'a>,
    /// A wide signals file, with the date for the whole file when it has
    /// no date column.
    pub(crate) wide: Option<Option<chrono::NaiveDate>>,
}

fn check(conn: &mut DbConn, kind: ImportKind, input: &Input<'_>) -> Result<Box<dyn Plan>, DbError> {
    Ok(match kind {
        ImportKind::Accounts => Box::new(accounts::check(conn, input)?),
        ImportKind::Mrr => Box::new(revenue::check(conn, input)?),
        ImportKind::Signals => Box::new(signals::check(conn, input)?),
    })
}

/// A lock holder's name: this process and a random number.
fn lock_holder() -> String {
    format!("{}-{:016x}", std::process::id(), rand::random::<u64>())
}

/// Reads, checks and (unless a dry run or any problem) applies a file in one
/// transaction, recording it in the history. An apply first takes the
/// database's import lock (outside the transaction, so every server
/// instance sees it) and fails with [`ImportFailure::Running`] while
/// another import holds it.
pub fn run(
    conn: &mut DbConn,
    bytes: &[u8],
    options: &Options,
    progress: Progress<'_>,
) -> Result<ImportReport, ImportFailure> {
    if options.dry_run {
        return check_and_apply(conn, bytes, options, progress);
    }
    let holder = lock_holder();
    let now = chrono::Utc::now().naive_utc();
    if !queries::acquire_lock(conn, &holder, options.user.id.0, now)? {
        return Err(ImportFailure::Running);
    }
    let result = check_and_apply(conn, bytes, options, progress);
    // Released whatever happened; if the process dies first, the lock
    // expires (`db::imports::STALE_LOCK`).
    let released = queries::release_lock(conn, &holder);
    let report = result?;
    released?;
    Ok(report)
}

fn check_and_apply(
    conn: &mut DbConn,
    bytes: &[u8],
    options: &Options,
    progress: Progress<'_>,
) -> Result<ImportReport, ImportFailure> {
    progress(ImportPhase::Reading, 0, 0);
    let table = read::read(bytes, &|done| progress(ImportPhase::Reading, done, 0))?;
    let (columns, mut column_errors) = read::resolve(
        options.kind,
        &table.headers,
        &options.mapping,
        options.currency.is_some(),
    )?;
    // A signals file without `signal` and `value` columns is in the wide
    // layout: one column per signal (see `signals::wide_columns`).
    let wide = options.kind == ImportKind::Signals && signals::is_wide(&column_errors);
    if wide {
        column_errors.retain(|e| {
            let col = e.column.as_deref();
            !(col == Some("signal")
                || col == Some("value")
                || (col == Some("date") && options.date.is_some()))
        });
    }
    let rows = u64::try_from(table.row_count()).unwrap_or(u64::MAX);
    let mut report = ImportReport {
        id: None,
        kind: options.kind,
        dry_run: options.dry_run,
        applied: false,
        file_name: options.file_name.clone(),
        encoding: table.encoding.to_owned(),
        delimiter: table.delimiter.to_owned(),
        headers: table.headers.clone(),
        mapping: columns.mapping.clone(),
        rows,
        created: 0,
        updated: 0,
        unchanged: 0,
        error_count: 0,
        errors: Vec::new(),
        warning_count: 0,
        warnings: Vec::new(),
        changes: Vec::new(),
        unknown_columns: Vec::new(),
    };
    if !column_errors.is_empty() {
        // Without the required columns no row can be read meaningfully; the
        // headers and the mapping found so far still go back, for the wizard.
        report.error_count = u64::try_from(column_errors.len()).unwrap_or(u64::MAX);
        report.errors = column_errors;
        progress(ImportPhase::Done, rows, rows);
        return Ok(report);
    }
    let input = Input {
        table: &table,
        cols: &columns,
        currency: options.currency,
        progress,
        wide: wide.then_some(options.date),
    };
    let (mut plan, id) = crate::db::write_tx::<_, ImportFailure, _>(conn, |conn| {
        let plan = check(conn, options.kind, &input)?;
        let outcome = plan.outcome();
        if outcome.problems.count > 0 || options.dry_run {
            return Ok((plan, None));
        }
        let last_account = crate::db::sheets::last_account_id(conn)?;
        plan.apply(conn, progress)?;
        if options.kind == ImportKind::Accounts {
            // New accounts get their tier's onboarding sheet.
            let today = chrono::Utc::now().date_naive();
            crate::db::sheets::start_for_new_accounts(conn, last_account, today)?;
        }
        let mut entry = NewDataChange::new(DataChangeKind::from(options.kind), options.user.id.0);
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        entry.file_name = options.file_name.clone();
        entry.rows_total = n(rows);
        entry.created = n(outcome.created);
        entry.updated = n(outcome.updated);
        entry.unchanged = n(outcome.unchanged);
        entry.detail = format!(
            "Imported {} ({}): {} created, {} updated, {} unchanged.",
            options.file_name.as_deref().unwrap_or("a file"),
            options.kind.as_str(),
            outcome.created,
            outcome.updated,
            outcome.unchanged
        );
        let id = history::record(conn, &entry)?;
        crate::db::audit::record(
            conn,
            &crate::db::audit::Actor::user(options.user, options.client_addr.clone()),
            crate::db::audit::Event::new(AuditKind::ImportApplied, entry.detail.clone()).target(
                AuditTarget::Import,
                Some(id),
                options.file_name.clone().unwrap_or_default(),
            ),
        )?;
        Ok((plan, Some(id)))
    })?;
    let outcome = plan.outcome_mut();
    report.id = id;
    report.applied = id.is_some();
    report.created = outcome.created;
    report.updated = outcome.updated;
    report.unchanged = outcome.unchanged;
    report.error_count = outcome.problems.count;
    report.errors = std::mem::take(&mut outcome.problems.list);
    report.warning_count = outcome.warnings.count;
    report.warnings = std::mem::take(&mut outcome.warnings.list);
    report.changes = outcome.listed();
    report.unknown_columns = std::mem::take(&mut outcome.unknown_columns);
    progress(ImportPhase::Done, rows, rows);
    Ok(report)
}

/// Calls `progress` every 2,000 rows of a phase.
pub(crate) fn tick(progress: Progress<'_>, phase: ImportPhase, i: usize, total: usize) {
    if i % 2_000 == 0 {
        progress(
            phase,
            u64::try_from(i).unwrap_or(0),
            u64::try_from(total).unwrap_or(0),
        );
    }
}
