//! CSV import of accounts, monthly MRR and signal values.
//!
//! A file is read ([`read`]), every row is checked against the database and
//! turned into a plan (create, update or leave unchanged, with every problem
//! listed by row and column), and — unless it is a dry run or any row has a
//! problem — the plan is applied in one transaction and recorded in the
//! history. Re-importing the same file finds every row unchanged. Records
//! are keyed by the accounts' external (CRM) id.

mod accounts;
pub mod export;
pub mod progress;
pub mod read;
mod revenue;
mod signals;

use std::collections::BTreeMap;

use diesel::Connection;
use kizuna_shared::api::{
    AuditKind, AuditTarget, DataChangeKind, ImportAction, ImportChange, ImportError, ImportKind,
    ImportReport, MAX_PREVIEW_CHANGES, MAX_REPORTED_ERRORS,
};

use crate::db::history::{self, NewDataChange};
use crate::db::{DbConn, DbError};
use read::ReadError;

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
    pub user_id: i64,
    /// Where the upload came from (for the audit log).
    pub client_addr: Option<String>,
}

/// Why an import could not even be checked.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The file is unreadable (answered with 400).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<diesel::result::Error> for ImportFailure {
    fn from(e: diesel::result::Error) -> Self {
        ImportFailure::Db(e.into())
    }
}

/// Reports progress: phase (`reading`, `checking`, `writing`, `done`), rows
/// done, rows in total.
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// Every problem found, the first [`MAX_REPORTED_ERRORS`] kept in full.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<ImportError>,
    count: u64,
}

impl Problems {
    pub(crate) fn push(&mut self, row: u64, column: Option<&str>, code: &str, message: String) {
        self.count += 1;
        if self.list.len() < MAX_REPORTED_ERRORS {
            self.list.push(ImportError {
                row,
                column: column.map(str::to_owned),
                code: code.to_owned(),
                message,
            });
        }
    }
}

/// The outcome of checking a file: what each row would do.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) problems: Problems,
    pub(crate) changes: Vec<ImportChange>,
    pub(crate) created: u64,
    pub(crate) updated: u64,
    pub(crate) unchanged: u64,
}

impl Outcome {
    pub(crate) fn change(
        &mut self,
        row: u64,
        action: ImportAction,
        key: String,
        account_name: Option<String>,
    ) {
        match action {
            ImportAction::Create => self.created += 1,
            ImportAction::Update => self.updated += 1,
            ImportAction::Unchanged => self.unchanged += 1,
        }
        self.changes.push(ImportChange {
            row,
            action,
            key,
            account_name,
        });
    }
}

/// A checked file ready to be written.
trait Plan {
    fn outcome(&self) -> &Outcome;
    fn apply(&self, conn: &mut DbConn, progress: Progress<'_>) -> Result<(), DbError>;
}

fn check(
    conn: &mut DbConn,
    kind: ImportKind,
    table: &read::Table,
    columns: &read::Columns,
    progress: Progress<'_>,
) -> Result<Box<dyn Plan>, DbError> {
    Ok(match kind {
        ImportKind::Accounts => Box::new(accounts::check(conn, table, columns, progress)?),
        ImportKind::Mrr => Box::new(revenue::check(conn, table, columns, progress)?),
        ImportKind::Signals => Box::new(signals::check(conn, table, columns, progress)?),
    })
}

/// Reads, checks and (unless a dry run or any problem) applies a file in one
/// transaction, recording it in the history.
pub fn run(
    conn: &mut DbConn,
    bytes: &[u8],
    options: &Options,
    progress: Progress<'_>,
) -> Result<ImportReport, ImportFailure> {
    progress("reading", 0, 0);
    let table = read::read(bytes, &|done| progress("reading", done, 0))?;
    let (columns, column_errors) = read::resolve(options.kind, &table.headers, &options.mapping)?;
    let rows = u64::try_from(table.rows.len()).unwrap_or(u64::MAX);
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
        changes: Vec::new(),
    };
    if !column_errors.is_empty() {
        // Without the required columns no row can be read meaningfully.
        report.error_count = u64::try_from(column_errors.len()).unwrap_or(u64::MAX);
        report.errors = column_errors;
        progress("done", rows, rows);
        return Ok(report);
    }
    let result = conn.transaction::<_, ImportFailure, _>(|conn| {
        let plan = check(conn, options.kind, &table, &columns, progress)?;
        let mut id = None;
        let outcome = plan.outcome();
        let ok = outcome.problems.count == 0;
        if ok && !options.dry_run {
            let last_account = crate::db::sheets::last_account_id(conn)?;
            plan.apply(conn, progress)?;
            if options.kind == ImportKind::Accounts {
                // New accounts get their tier's onboarding sheet.
                let today = chrono::Utc::now().date_naive();
                crate::db::sheets::start_for_new_accounts(conn, last_account, today)?;
            }
            let mut entry = NewDataChange::new(
                match options.kind {
                    ImportKind::Accounts => DataChangeKind::Accounts,
                    ImportKind::Mrr => DataChangeKind::Mrr,
                    ImportKind::Signals => DataChangeKind::Signals,
                },
                options.user_id,
            );
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
            id = Some(history::record(conn, &entry)?);
            crate::db::audit::record(
                conn,
                &crate::db::audit::Actor::user(options.user_id, options.client_addr.clone()),
                crate::db::audit::Event::new(AuditKind::ImportApplied, entry.detail.clone())
                    .target(
                        AuditTarget::Import,
                        id,
                        options.file_name.clone().unwrap_or_default(),
                    ),
            )?;
        }
        Ok((plan, id, ok))
    })?;
    let (plan, id, ok) = result;
    let outcome = plan.outcome();
    report.id = id;
    report.applied = ok && !options.dry_run;
    report.created = outcome.created;
    report.updated = outcome.updated;
    report.unchanged = outcome.unchanged;
    report.error_count = outcome.problems.count;
    report.errors = outcome.problems.list.clone();
    let mut changes = outcome.changes.clone();
    // Creates and updates first, each in row order.
    changes.sort_by_key(|c| (c.action == ImportAction::Unchanged, c.row));
    changes.truncate(MAX_PREVIEW_CHANGES);
    report.changes = changes;
    progress("done", rows, rows);
    Ok(report)
}

/// Calls `progress` every 2,000 rows of a phase.
pub(crate) fn tick(progress: Progress<'_>, phase: &str, i: usize, total: usize) {
    if i % 2_000 == 0 {
        progress(
            phase,
            u64::try_from(i).unwrap_or(0),
            u64::try_from(total).unwrap_or(0),
        );
    }
}
