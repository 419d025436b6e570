//! The import wizard's own rules: which required columns still lack a
//! header, whether the file needs a currency named for all its rows, and
//! the template files. Reading the file (encoding, separator, headers, the
//! suggested mapping) is the server's job: the wizard asks it with a dry run,
//! so the browser and the server can never read a file differently.

use std::collections::BTreeMap;

use kizuna_shared::api::ImportKind;
use kizuna_shared::domain::Currency;

/// Whether files of `kind` have a currency column at all.
pub fn has_currency_column(kind: ImportKind) -> bool {
    kind.columns().iter().any(|(c, _)| *c == "currency")
}

/// Whether the file needs one currency named for all its rows: the kind
/// has a currency column and nothing in the file is mapped to it.
pub fn needs_file_currency(kind: ImportKind, mapping: &BTreeMap<String, String>) -> bool {
    has_currency_column(kind) && !mapping.contains_key("currency")
}

/// Required columns with no header chosen. A currency chosen for the whole
/// file stands in for a currency column.
pub fn missing_required(
    kind: ImportKind,
    mapping: &BTreeMap<String, String>,
    file_currency: Option<Currency>,
) -> Vec<&'static str> {
    kind.columns()
        .iter()
        .filter(|(c, required)| {
            *required && !mapping.contains_key(*c) && !(*c == "currency" && file_currency.is_some())
        })
        .map(|(c, _)| *c)
        .collect()
}

/// How a signals file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// One row per account, signal and date (`external_id, signal, date,
    /// value`).
    #[default]
    Long,
    /// One row per account, one column per signal, a date column or one
    /// date for the whole file.
    Wide,
}

impl Layout {
    /// The layout the server read a signals file in: wide when neither a
    /// `signal` nor a `value` column was found (the server's own rule);
    /// other kinds are always long.
    pub fn detect(kind: ImportKind, mapping: &BTreeMap<String, String>) -> Self {
        if kind == ImportKind::Signals
            && !mapping.contains_key("signal")
            && !mapping.contains_key("value")
        {
            Layout::Wide
        } else {
            Layout::Long
        }
    }

    /// The columns the mapping step offers: a wide file maps only the
    /// account and the date (its other columns are signals).
    pub fn columns(self, kind: ImportKind) -> Vec<(&'static str, bool)> {
        match self {
            Layout::Long => kind.columns().to_vec(),
            Layout::Wide => vec![("external_id", true), ("date", true)],
        }
    }

    /// Required columns with no header chosen. A date for the whole file
    /// stands in for a wide file's date column.
    pub fn missing(
        self,
        kind: ImportKind,
        mapping: &BTreeMap<String, String>,
        file_currency: Option<Currency>,
        file_date: Option<chrono::NaiveDate>,
    ) -> Vec<&'static str> {
        match self {
            Layout::Long => missing_required(kind, mapping, file_currency),
            Layout::Wide => self
                .columns(kind)
                .into_iter()
                .filter(|(c, _)| {
                    !(mapping.contains_key(*c) || (*c == "date" && file_date.is_some()))
                })
                .map(|(c, _)| c)
                .collect(),
        }
    }
}

/// A template file: our header line and one example row.
pub fn template_csv(kind: ImportKind) -> String {
    let header = kind
        .columns()
        .iter()
        .map(|(c, _)| *c)
        .collect::<Vec<_>>()
        .join(",");
    let example = match kind {
        ImportKind::Accounts => {
            "CRM-000001,株式会社サンプル,example.co.jp,製造業,Enterprise,520000,JPY,2025-04-01,2026-04-01,csm@demo.kizuna,active,,,false,false,false,upsell,山田 花子,2025-04-01"
        }
        ImportKind::Mrr => "CRM-000001,2025-04,core,520000,JPY",
        ImportKind::Signals => "CRM-000001,days_since_login,2025-04-30,3",
    };
    format!("{header}\r\n{example}\r\n")
}

/// `template_csv` as a `data:` URL for a download link (with a byte-order
/// mark, so spreadsheet programs read the Japanese example as UTF-8).
pub fn template_href(kind: ImportKind) -> String {
    format!(
        "data:text/csv;charset=utf-8,{}",
        crate::api::encode(&format!("\u{feff}{}", template_csv(kind)))
    )
}
