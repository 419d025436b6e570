//! Row-level problems and warnings of an import report in the user's
//! language. The server writes an English `message` with every problem, but
//! the app shows the sentence of its stable `code` (see `ImportError` in
//! `kizuna_shared::api`), naming the column in the user's words; the
//! server's sentence is shown only for a code this app does not know yet.

use crate::components::labels::import_column_label;
use crate::format;
use crate::i18n::*;
use kizuna_shared::api::ImportError;
use kizuna_shared::domain::{AccountStatus, Currency, ExpansionPotential, MAX_AMOUNT_MAJOR};

/// Every code the server documents on `ImportError` (errors, then the
/// warnings), each with a sentence in [`import_problem_message`].
pub const IMPORT_CODES: &[&str] = &[
    "missing_column",
    "missing_value",
    "bad_date",
    "bad_month",
    "bad_amount",
    "amount_too_large",
    "negative_amount",
    "bad_number",
    "bad_boolean",
    "unknown_currency",
    "unknown_owner",
    "ambiguous_owner",
    "duplicate_key",
    "unknown_signal",
    "unknown_account",
    "currency_mismatch",
    "invalid_value",
    "bad_encoding",
    "bad_row",
    "mrr_from_history",
];

/// The stable names of `values`, as a file may spell them (`active, churned`).
fn names<T: Copy>(values: &[T], name: fn(T) -> &'static str) -> String {
    values
        .iter()
        .map(|v| name(*v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sentence for one problem or warning of an import report, in
/// `locale`; `None` for a code this app does not know.
pub fn known_import_problem(locale: Locale, e: &ImportError) -> Option<String> {
    let column = e.column.as_deref().unwrap_or_default();
    let label = import_column_label(locale, column);
    let text = match (e.code.as_str(), column) {
        ("missing_column", _) => {
            td_string!(locale, import_problem.missing_column, column = label).to_string()
        }
        ("missing_value", "currency") => {
            td_string!(locale, import_problem.missing_currency).to_string()
        }
        ("missing_value", _) => {
            td_string!(locale, import_problem.missing_value, column = label).to_string()
        }
        ("bad_date", _) => td_string!(locale, import_problem.bad_date, column = label).to_string(),
        ("bad_month", _) => {
            td_string!(locale, import_problem.bad_month, column = label).to_string()
        }
        ("bad_amount", _) => {
            td_string!(locale, import_problem.bad_amount, column = label).to_string()
        }
        ("amount_too_large", _) => {
            let max = format::count(MAX_AMOUNT_MAJOR.unsigned_abs(), locale);
            td_string!(
                locale,
                import_problem.amount_too_large,
                column = label,
                max = max
            )
            .to_string()
        }
        ("negative_amount", _) => {
            td_string!(locale, import_problem.negative_amount, column = label).to_string()
        }
        ("bad_number", _) => {
            td_string!(locale, import_problem.bad_number, column = label).to_string()
        }
        ("bad_boolean", _) => {
            td_string!(locale, import_problem.bad_boolean, column = label).to_string()
        }
        ("unknown_currency", _) => {
            let allowed = names(Currency::ALL, Currency::as_str);
            td_string!(locale, import_problem.unknown_currency, allowed = allowed).to_string()
        }
        ("unknown_owner", _) => td_string!(locale, import_problem.unknown_owner).to_string(),
        ("ambiguous_owner", _) => td_string!(locale, import_problem.ambiguous_owner).to_string(),
        ("duplicate_key", _) => td_string!(locale, import_problem.duplicate_key).to_string(),
        ("unknown_signal", _) => td_string!(locale, import_problem.unknown_signal).to_string(),
        ("unknown_account", _) => td_string!(locale, import_problem.unknown_account).to_string(),
        ("currency_mismatch", _) => {
            td_string!(locale, import_problem.currency_mismatch).to_string()
        }
        // `invalid_value` is the account form's rules applied to a row:
        // the same sentence the form shows under that field.
        ("invalid_value", "domain") => td_string!(locale, error_domain).to_string(),
        ("invalid_value", "renewal_date") => td_string!(locale, error_after_start).to_string(),
        ("invalid_value", "churn_date") => td_string!(locale, error_churn_date).to_string(),
        ("invalid_value", "name") => td_string!(locale, error_required_text).to_string(),
        ("invalid_value", "owner_email") => {
            td_string!(locale, import_problem.cannot_own).to_string()
        }
        ("invalid_value", "status" | "expansion_potential") => {
            let allowed = if column == "status" {
                names(AccountStatus::ALL, AccountStatus::as_str)
            } else {
                names(ExpansionPotential::ALL, ExpansionPotential::as_str)
            };
            td_string!(
                locale,
                import_problem.one_of,
                column = label,
                allowed = allowed
            )
            .to_string()
        }
        ("invalid_value", _) => {
            td_string!(locale, import_problem.invalid_value, column = label).to_string()
        }
        ("bad_encoding", _) => td_string!(locale, import_problem.bad_encoding).to_string(),
        ("bad_row", _) => td_string!(locale, import_problem.bad_row).to_string(),
        ("mrr_from_history", "currency") => {
            td_string!(locale, import_problem.currency_from_history).to_string()
        }
        ("mrr_from_history", _) => td_string!(locale, import_problem.mrr_from_history).to_string(),
        _ => return None,
    };
    Some(text)
}

/// The sentence for one problem or warning of an import report, in
/// `locale`; the server's own (English) sentence for an unknown code.
pub fn import_problem_message(locale: Locale, e: &ImportError) -> String {
    known_import_problem(locale, e).unwrap_or_else(|| e.message.clone())
}
