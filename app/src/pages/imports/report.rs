//! An import report as the preview and the summary show it: the status,
//! the counts, the errors and warnings by row and column, the planned
//! changes.

use std::collections::BTreeMap;

use crate::api::ApiError;
use crate::components::form::import_problem;
use crate::components::import_messages::import_problem_message;
use crate::components::labels::{delimiter_label, encoding_label, import_column_label};
use crate::format;
use crate::i18n::*;
use kizuna_shared::api::{ImportAction, ImportError, ImportReport};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The name of what the import does to a row.
fn action_label(i18n: I18nContext<Locale>, a: ImportAction) -> String {
    let locale = i18n.get_locale();
    match a {
        ImportAction::Create => td_string!(locale, action_create).to_string(),
        ImportAction::Update => td_string!(locale, action_update).to_string(),
        ImportAction::Unchanged => td_string!(locale, action_unchanged).to_string(),
    }
}

/// The errors or the warnings of a report: row, the row's account (for
/// warnings: `accounts` maps row → account), column, and the sentence of
/// each code in the user's language.
fn problem_table(
    i18n: I18nContext<Locale>,
    locale: Locale,
    testid: &'static str,
    lines: &[ImportError],
    accounts: Option<&BTreeMap<u64, String>>,
) -> impl IntoView {
    let with_account = accounts.is_some();
    let last = move || {
        if with_account {
            t_string!(i18n, col_note).to_string()
        } else {
            t_string!(i18n, col_problem).to_string()
        }
    };
    let rows = lines
        .iter()
        .map(|e| {
            let account = accounts.map(|a| view! { <td>{a.get(&e.row).cloned()}</td> });
            view! {
                <tr data-code=e.code.as_str()>
                    <td class="num">{e.row}</td>
                    {account}
                    <td>{e.column.as_deref().map(|c| import_column_label(locale, c))}</td>
                    <td>{import_problem_message(locale, e)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid=testid>
                <thead><tr>
                    <th scope="col" class="num">{tr!(i18n, col_row)}</th>
                    {with_account.then(|| view! { <th scope="col">{tr!(i18n, col_account)}</th> })}
                    <th scope="col">{tr!(i18n, col_column)}</th>
                    <th scope="col">{last}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A preview or summary: counts, errors, planned changes.
pub fn report_view(i18n: I18nContext<Locale>, result: Result<ImportReport, ApiError>) -> AnyView {
    let report = match result {
        Ok(r) => r,
        Err(err) => {
            let message = import_problem(i18n, &err);
            return view! { <p class="alert alert-error" role="alert">{message}</p> }.into_any();
        }
    };
    // Tracked: the caller's closure renders the report again in the other
    // language when the user switches (the sentences are chosen by code).
    let locale = i18n.get_locale();
    let n = move |v: u64| format::count(v, locale);
    let status = if report.error_count > 0 {
        view! { <p class="alert alert-error" role="alert" data-testid="import-errors-count">
            <span aria-hidden="true">"✕ "</span>{t!(i18n, import_has_errors, count = n(report.error_count))}</p> }.into_any()
    } else if report.applied {
        view! { <p class="alert alert-success" role="status"><span aria-hidden="true">"✓ "</span>{tr!(i18n, import_applied)}</p> }.into_any()
    } else {
        view! { <p class="alert alert-success" role="status"><span aria-hidden="true">"✓ "</span>{tr!(i18n, import_ready)}</p> }.into_any()
    };
    // Warnings do not stop an import: a note beside the status, not an error.
    let warning_count = report.warning_count;
    let applied = report.applied;
    let warned = (warning_count > 0).then(|| {
        view! {
            <p class="alert alert-info" data-testid="import-warnings-count">
                <span aria-hidden="true">"! "</span>
                {move || if applied {
                    t_string!(i18n, import_warnings_applied, count = n(warning_count)).to_string()
                } else {
                    t_string!(i18n, import_has_warnings, count = n(warning_count)).to_string()
                }}
            </p>
        }
    });
    // A warning's row names its account when the preview lists that row.
    let accounts: BTreeMap<u64, String> = report
        .changes
        .iter()
        .map(|c| {
            (
                c.row,
                c.account_name.clone().unwrap_or_else(|| c.key.clone()),
            )
        })
        .collect();
    let errors = problem_table(i18n, locale, "import-errors", &report.errors, None);
    let warnings = problem_table(
        i18n,
        locale,
        "import-warnings",
        &report.warnings,
        Some(&accounts),
    );
    let changes = report
        .changes
        .iter()
        .map(|c| {
            let a = c.action;
            view! {
                <tr>
                    <td class="num">{c.row}</td>
                    <td>{action_label(i18n, a)}</td>
                    <td><code>{c.key.clone()}</code></td>
                    <td>{c.account_name.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let has_errors = !report.errors.is_empty();
    let has_warnings = !report.warnings.is_empty();
    let has_changes = !report.changes.is_empty();
    view! {
        {status}
        {warned}
        <dl class="counts" data-testid="import-counts">
            <div><dt>{tr!(i18n, count_rows)}</dt><dd>{n(report.rows)}</dd></div>
            <div><dt>{tr!(i18n, count_created)}</dt><dd data-testid="count-created">{n(report.created)}</dd></div>
            <div><dt>{tr!(i18n, count_updated)}</dt><dd data-testid="count-updated">{n(report.updated)}</dd></div>
            <div><dt>{tr!(i18n, count_unchanged)}</dt><dd>{n(report.unchanged)}</dd></div>
            <div><dt>{tr!(i18n, count_errors)}</dt><dd>{n(report.error_count)}</dd></div>
            {(warning_count > 0).then(|| view! {
                <div><dt>{tr!(i18n, count_warnings)}</dt><dd data-testid="count-warnings">{n(warning_count)}</dd></div>
            })}
        </dl>
        <p class="small muted">{t!(i18n, detected_format, encoding = encoding_label(i18n, &report.encoding), delimiter = delimiter_label(i18n, &report.delimiter))}</p>
        {has_errors.then(|| view! { <h3>{tr!(i18n, errors_title)}</h3> {errors} })}
        {has_warnings.then(|| view! { <h3>{tr!(i18n, warnings_title)}</h3> {warnings} })}
        {has_changes.then(|| view! {
            <details open=!has_errors>
                <summary>{tr!(i18n, changes_title)}</summary>
                <div class="table-wrap">
                    <table class="data-table" data-testid="import-changes">
                        <thead><tr>
                            <th scope="col" class="num">{tr!(i18n, col_row)}</th>
                            <th scope="col">{tr!(i18n, col_action)}</th>
                            <th scope="col">{tr!(i18n, col_key)}</th>
                            <th scope="col">{tr!(i18n, col_name)}</th>
                        </tr></thead>
                        <tbody>{changes}</tbody>
                    </table>
                </div>
            </details>
        })}
    }
    .into_any()
}
