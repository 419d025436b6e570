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
