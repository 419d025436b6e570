//! Reading an uploaded CSV file: the encoding (UTF-8 with or without BOM, or
//! Shift_JIS as Japanese Excel saves it), the separator (comma or tab), the
//! header row and which of the file's columns feeds each of ours.

use std::collections::{BTreeMap, HashMap};

use kizuna_shared::api::{ImportError, ImportKind};
use kizuna_shared::cells::{fold_width, non_empty};

/// Why a file cannot be read at all (answered with 400).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Neither UTF-8 nor Shift_JIS.
    #[error("The file is not text in UTF-8 or Shift_JIS; save it as “CSV UTF-8” or “CSV” from your spreadsheet.")]
    Encoding,
    /// No header row.
    #[error("The file is empty; the first row must name the columns.")]
    Empty,
    /// The CSV structure is broken (e.g. an unterminated quote).
    #[error("The file is not valid CSV: {0}")]
    Csv(String),
    /// The mapping names a column we do not have.
    #[error("The column mapping names “{0}”, which is not a column of this kind of file (expected one of: {1}).")]
    UnknownMappedColumn(String, String),
}

/// One data row: its spreadsheet row number (header = 1) and cells.
#[derive(Debug, Clone)]
pub struct Row {
    /// Row number as a spreadsheet shows it.
    pub number: u64,
    /// The cells, as many as the row has.
    pub cells: Vec<String>,
}

/// A decoded, parsed file.
#[derive(Debug)]
pub struct Table {
    /// `UTF-8`, `UTF-8 with BOM` or `Shift_JIS`.
    pub encoding: &'static str,
    /// `comma` or `tab`.
    pub delimiter: &'static str,
    /// The header row as found.
    pub headers: Vec<String>,
    /// The data rows; rows whose cells are all empty are left out.
    pub rows: Vec<Row>,
}

/// Decodes `bytes`: a UTF-8 BOM means UTF-8; valid UTF-8 is UTF-8; anything
/// else must be valid Shift_JIS (Windows-31J, what Excel writes in Japan).
pub fn decode(bytes: &[u8]) -> Result<(String, &'static str), ReadError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_owned(), "UTF-8 with BOM"))
            .map_err(|_| ReadError::Encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((text.to_owned(), "UTF-8"));
    }
    encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| (text.into_owned(), "Shift_JIS"))
        .ok_or(ReadError::Encoding)
}

/// Tab when the header line has more tabs than commas, else comma.
fn delimiter(text: &str) -> (u8, &'static str) {
    let first = text.lines().next().unwrap_or_default();
    let tabs = first.matches('\t').count();
    let commas = first.matches(',').count();
    if tabs > commas {
        (b'\t', "tab")
    } else {
        (b',', "comma")
    }
}

/// Decodes and parses a file; `progress` is called every few thousand rows.
pub fn read(bytes: &[u8], progress: &dyn Fn(u64)) -> Result<Table, ReadError> {
    let (text, encoding) = decode(bytes)?;
    let (delim, delimiter) = delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ReadError::Csv(e.to_string()))?
        .iter()
        .map(|h| {
            h.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
                .to_owned()
        })
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(ReadError::Empty);
    }
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ReadError::Csv(e.to_string()))?;
        if record.iter().all(|c| non_empty(c).is_none()) {
            continue;
        }
        let number = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(2);
        rows.push(Row {
            number,
            cells: record.iter().map(str::to_owned).collect(),
        });
        if i % 5_000 == 0 {
            progress(u64::try_from(i).unwrap_or(0));
        }
    }
    Ok(Table {
        encoding,
        delimiter,
        headers,
        rows,
    })
}

/// A header in comparable form: width folded, lower case, spaces and
/// hyphens as underscores.
fn header_key(header: &str) -> String {
    fold_width(header.trim())
        .to_lowercase()
        .replace([' ', '-'], "_")
}

/// Japanese and common English headers understood without a mapping. Kept
/// short on purpose: anything else is mapped by the user in the wizard.
const ALIASES: &[(&str, &str)] = &[
    ("外部id", "external_id"),
    ("顧客id", "external_id"),
    ("crm_id", "external_id"),
    ("id", "external_id"),
    ("会社名", "name"),
    ("企業名", "name"),
    ("顧客名", "name"),
    ("company", "name"),
    ("account_name", "name"),
    ("ドメイン", "domain"),
    ("業種", "industry"),
    ("プラン", "plan"),
    ("金額", "mrr"),
    ("月額", "mrr"),
    ("amount", "mrr"),
    ("通貨", "currency"),
    ("契約開始日", "contract_start"),
    ("更新日", "renewal_date"),
    ("担当者メール", "owner_email"),
    ("owner", "owner_email"),
    ("ステータス", "status"),
    ("解約日", "churn_date"),
    ("解約理由", "churn_reason"),
    ("チャンピオン", "champion_name"),
    ("月", "month"),
    ("年月", "month"),
    ("商品", "product"),
    ("製品", "product"),
    ("シグナル", "signal"),
    ("signal_key", "signal"),
    ("日付", "date"),
    ("observed_on", "date"),
    ("値", "value"),
];

/// Which file column feeds each of our columns.
#[derive(Debug, Clone)]
pub struct Columns {
    index: HashMap<&'static str, usize>,
    /// Our column → the file's header, for the report.
    pub mapping: BTreeMap<String, String>,
}

impl Columns {
    /// The trimmed, non-empty cell of `column` in `row`.
    pub fn cell<'a>(&self, row: &'a Row, column: &str) -> Option<&'a str> {
        let i = *self.index.get(column)?;
        row.cells.get(i).and_then(|c| non_empty(c))
    }
}

/// Resolves our columns against the file's headers, honouring `mapping`
/// (our column → their header). Missing required columns are row-1 errors.
pub fn resolve(
    kind: ImportKind,
    headers: &[String],
    mapping: &BTreeMap<String, String>,
) -> Result<(Columns, Vec<ImportError>), ReadError> {
    let ours = kind.columns();
    for key in mapping.keys() {
        if !ours.iter().any(|(c, _)| c == key) {
            let names: Vec<&str> = ours.iter().map(|(c, _)| *c).collect();
            return Err(ReadError::UnknownMappedColumn(
                key.clone(),
                names.join(", "),
            ));
        }
    }
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let mut index = HashMap::new();
    let mut used = BTreeMap::new();
    let mut errors = Vec::new();
    for (column, required) in ours {
        let found = match mapping.get(*column) {
            Some(theirs) => {
                let wanted = header_key(theirs);
                let at = keys.iter().position(|k| *k == wanted);
                if at.is_none() {
                    errors.push(ImportError {
                        row: 1,
                        column: Some((*column).to_owned()),
                        code: "missing_column".into(),
                        message: format!(
                            "The column mapping reads “{column}” from “{theirs}”, but the file has no such header."
                        ),
                    });
                    continue;
                }
                at
            }
            None => keys.iter().position(|k| k == column).or_else(|| {
                keys.iter().position(|k| {
                    ALIASES
                        .iter()
                        .any(|(alias, ours)| ours == column && k == alias)
                })
            }),
        };
        match found {
            Some(i) => {
                index.insert(*column, i);
                used.insert((*column).to_owned(), headers[i].clone());
            }
            None if *required => errors.push(ImportError {
                row: 1,
                column: Some((*column).to_owned()),
                code: "missing_column".into(),
                message: format!(
                    "The required column “{column}” is missing; add it or map one of the file's columns to it."
                ),
            }),
            None => {}
        }
    }
    Ok((
        Columns {
            index,
            mapping: used,
        },
        errors,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected() {
        let (text, enc) = decode("\u{FEFF}a,b".as_bytes()).unwrap();
        assert_eq!((text.as_str(), enc), ("a,b", "UTF-8 with BOM"));
        assert_eq!(decode("名前".as_bytes()).unwrap().1, "UTF-8");
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("会社名,通貨");
        let (text, enc) = decode(&sjis).unwrap();
        assert_eq!((text.as_str(), enc), ("会社名,通貨", "Shift_JIS"));
        assert!(decode(&[0xFF, 0xFF, 0xFF]).is_err());
    }

    #[test]
    fn tabs_and_blank_rows() {
        let table = read(b"a\tb\n1\t2\n\t\n3\t4\n", &|_| {}).unwrap();
        assert_eq!(table.delimiter, "tab");
        assert_eq!(table.rows.len(), 2);
        assert_eq!(
            table.rows[1].number, 4,
            "blank row 3 is skipped but counted"
        );
    }

    #[test]
    fn headers_resolve_by_name_alias_or_mapping() {
        let headers: Vec<String> = ["外部ID", "Company", "Currency", "Their MRR"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mapping = BTreeMap::from([("mrr".to_owned(), "their mrr".to_owned())]);
        let (cols, errors) = resolve(ImportKind::Accounts, &headers, &mapping).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cols.mapping["external_id"], "外部ID");
        assert_eq!(cols.mapping["name"], "Company");
        assert_eq!(cols.mapping["mrr"], "Their MRR");
        let (_, errors) = resolve(ImportKind::Mrr, &headers, &BTreeMap::new()).unwrap();
        let missing: Vec<_> = errors.iter().filter_map(|e| e.column.as_deref()).collect();
        assert_eq!(missing, ["month", "product", "mrr"]);
        let bad = BTreeMap::from([("nope".to_owned(), "x".to_owned())]);
        assert!(resolve(ImportKind::Mrr, &headers, &bad).is_err());
    }
}
