//! Row-level problems and warnings of an import report in the user's
//! language. The server writes an English `message` with every problem, but
//! the app shows the sentence of its stable `code` (see `ImportError` in
//! `kizuna_shared::api::ImportCode`), naming the column in the user's words.

use crate::components::labels::import_column_label;
use crate::format;
use crate::i18n::*;
use kizuna_shared::api::{ImportCode, ImportError};
use kizuna_shared::domain::{AccountStatus, Currency, ExpansionPotential, MAX_AMOUNT_MAJOR};

/// The stable names of `values`, as a file may spell them (`active, churned`).
fn names<T: Copy>(values: &[T], name: fn(T) -> &'static str) -> String {
    values
        .iter()
        .map(|v| name(*v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sentence for one problem or warning of an import report, in
/// `locale`, chosen by matching its code exhaustively (a new
/// `ImportCode` does not compile until it has its sentence here).
pub fn import_problem_message(locale: Locale, e: &ImportError) -> String {
    let column = e.column.as_deref().unwrap_or_default();
    let label = import_column_label(locale, column);
    use ImportCode as C;
    match (e.code, column) {
        (C::MissingColumn, _) => {
            td_string!(locale, import_problem.missing_column, column = label).to_string()
        }
        (C::MissingValue, "currency") => {
            td_string!(locale, import_problem.missing_currency).to_string()
        }
        (C::MissingValue, _) => {
            td_string!(locale, import_problem.missing_value, column = label).to_string()
        }
        (C::BadDate, _) => td_string!(locale, import_problem.bad_date, column = label).to_string(),
        (C::BadMonth, _) => {
            td_string!(locale, import_problem.bad_month, column = label).to_string()
        }
        (C::BadAmount, _) => {
            td_string!(locale, import_problem.bad_amount, column = label).to_string()
        }
        (C::AmountTooLarge, _) => {
            let max = format::count(MAX_AMOUNT_MAJOR.unsigned_abs(), locale);
            td_string!(
                locale,
                import_problem.amount_too_large,
                column = label,
                max = max
            )
            .to_string()
        }
        (C::NegativeAmount, _) => {
            td_string!(locale, import_problem.negative_amount, column = label).to_string()
        }
        (C::BadNumber, _) => {
            td_string!(locale, import_problem.bad_number, column = label).to_string()
        }
        (C::BadBoolean, _) => {
            td_string!(locale, import_problem.bad_boolean, column = label).to_string()
        }
        (C::UnknownCurrency, _) => {
            let allowed = names(Currency::ALL, Currency::as_str);
            td_string!(locale, import_problem.unknown_currency, allowed = allowed).to_string()
        }
        (C::UnknownOwner, _) => td_string!(locale, import_problem.unknown_owner).to_string(),
        (C::AmbiguousOwner, _) => td_string!(locale, import_problem.ambiguous_owner).to_string(),
        (C::DuplicateKey, _) => td_string!(locale, import_problem.duplicate_key).to_string(),
        (C::UnknownSignal, _) => td_string!(locale, import_problem.unknown_signal).to_string(),
        (C::UnknownAccount, _) => td_string!(locale, import_problem.unknown_account).to_string(),
        (C::CurrencyMismatch, _) => {
            td_string!(locale, import_problem.currency_mismatch).to_string()
        }
        // `invalid_value` is the account form's rules applied to a row:
        // the same sentence the form shows under that field.
        (C::InvalidValue, "domain") => td_string!(locale, error_domain).to_string(),
        (C::InvalidValue, "renewal_date") => td_string!(locale, error_after_start).to_string(),
        (C::InvalidValue, "churn_date") => td_string!(locale, error_churn_date).to_string(),
        (C::InvalidValue, "name") => td_string!(locale, error_required_text).to_string(),
        (C::InvalidValue, "owner_email") => {
            td_string!(locale, import_problem.cannot_own).to_string()
        }
        (C::InvalidValue, "status" | "expansion_potential") => {
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
        (C::InvalidValue, _) => {
            td_string!(locale, import_problem.invalid_value, column = label).to_string()
        }
        (C::BadEncoding, _) => td_string!(locale, import_problem.bad_encoding).to_string(),
        (C::BadRow, _) => td_string!(locale, import_problem.bad_row).to_string(),
        (C::MrrFromHistory, "currency") => {
            td_string!(locale, import_problem.currency_from_history).to_string()
        }
        (C::MrrFromHistory, _) => td_string!(locale, import_problem.mrr_from_history).to_string(),
    }
}
