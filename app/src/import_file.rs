//! What the import wizard works out in the browser before sending a file:
//! the header line's cells, a first guess at the column mapping, and the
//! template files. The server parses the whole file again; this is only for
//! the mapping step.

use std::collections::BTreeMap;

use kizuna_shared::api::ImportKind;

/// The cells of a CSV/TSV file's first line. Handles a UTF-8 byte-order
/// mark, quoted cells (with `""` escapes) and tab-separated files (a tab in
/// the line and no comma outside quotes means tab-separated, like the server).
pub fn header_cells(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line = first_record(text);
    let delimiter = if line.contains('\t') && !line.contains(',') {
        '\t'
    } else {
        ','
    };
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delimiter && !quoted => cells.push(std::mem::take(&mut cell)),
            c => cell.push(c),
        }
    }
    cells.push(cell);
    let cells: Vec<String> = cells.into_iter().map(|c| c.trim().to_owned()).collect();
    if cells.len() == 1 && cells[0].is_empty() {
        Vec::new()
    } else {
        cells
    }
}

/// The first record: up to the first line break outside quotes.
fn first_record(text: &str) -> &str {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => return &text[..i],
            _ => {}
        }
    }
    text
}

/// Whether decoding as UTF-8 replaced bytes it could not read (the file is
/// most likely Shift_JIS, which the server detects and decodes).
pub fn looks_like_other_encoding(decoded: &str) -> bool {
    decoded.contains('\u{fffd}')
}

/// A first mapping from our columns to the file's headers: an exact match,
/// else one that differs only in case, surrounding spaces, `-`/space for `_`
/// or full-width letters. Columns without a match are left out.
pub fn prefill_mapping(kind: ImportKind, headers: &[String]) -> BTreeMap<String, String> {
    let fold = |s: &str| {
        kizuna_shared::cells::fold_width(s.trim())
            .to_lowercase()
            .replace([' ', '-'], "_")
    };
    let mut mapping = BTreeMap::new();
    for (column, _) in kind.columns() {
        let found = headers
            .iter()
            .find(|h| h.as_str() == *column)
            .or_else(|| headers.iter().find(|h| fold(h) == *column));
        if let Some(h) = found {
            mapping.insert((*column).to_owned(), h.clone());
        }
    }
    mapping
}

/// Required columns with no header chosen.
pub fn missing_required(kind: ImportKind, mapping: &BTreeMap<String, String>) -> Vec<&'static str> {
    kind.columns()
        .iter()
        .filter(|(c, required)| *required && !mapping.contains_key(*c))
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
