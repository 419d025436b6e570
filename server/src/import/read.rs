//! Reading an uploaded CSV file: the encoding (UTF-8 with or without BOM, or
//! Shift_JIS as Japanese Excel saves it), the separator (comma or tab), the
//! header row, the limits on rows and columns, and which of the file's
//! columns feeds each of ours (exact names, then the aliases people use in
//! Japanese and English sheets, or the user's mapping).
//!
//! This is the only header reader: the import wizard shows what a dry run
//! of this code found (headers, encoding, separator, suggested mapping).

use kizuna_shared::api::ImportCode;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use kizuna_shared::api::{ImportError, ImportKind, MAX_IMPORT_COLUMNS, MAX_IMPORT_ROWS};
use kizuna_shared::cells::{fold_width, non_empty, restore_formula};

/// Why a file cannot be read at all (answered with 400, or 413 for too
/// many rows).
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
    /// More data rows than [`MAX_IMPORT_ROWS`].
    #[error("The file has more than {} data rows, the most one import takes; split it into several files.", thousands(MAX_IMPORT_ROWS))]
    TooManyRows,
    /// A row with more cells than [`MAX_IMPORT_COLUMNS`].
    #[error("Row {0} has {1} columns; an import file may have at most {MAX_IMPORT_COLUMNS}. Remove the columns Kizuna does not read.")]
    TooManyColumns(u64, usize),
}

/// `200000` → `200,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A decoded, parsed file. The cells of all rows are kept in one string
/// with one `u32` end offset per cell (4 bytes of bookkeeping a cell instead
/// of a `String`'s 24 plus its allocation), so a 32 MiB file of one-character
/// cells stays within a few hundred MB (BENCHMARKS.md).
#[derive(Debug)]
pub struct Table {
    /// `UTF-8`, `UTF-8 with BOM` or `Shift_JIS`.
    pub encoding: &'static str,
    /// `comma` or `tab`.
    pub delimiter: &'static str,
    /// The header row as found.
    pub headers: Vec<String>,
    /// Every data cell's text, one after another.
    text: String,
    /// The end of each cell in `text`.
    cell_ends: Vec<u32>,
    /// Per data row: its spreadsheet number and its first cell's index in
    /// `cell_ends` (the next row's first cell ends it).
    rows: Vec<(u32, u32)>,
}

/// One data row of a [`Table`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    /// Row number as a spreadsheet shows it (the header is row 1).
    pub number: u64,
    text: &'a str,
    /// Where the first cell starts in `text`.
    start: u32,
    /// The ends of this row's cells in `text`.
    ends: &'a [u32],
}

impl<'a> Row<'a> {
    /// How many cells the row has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no cells (never true for a kept row).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The text of cell `i`, as read (with a formula guard removed).
    pub fn cell(&self, i: usize) -> Option<&'a str> {
        let end = *self.ends.get(i)? as usize;
        let start = match i {
            0 => self.start as usize,
            _ => self.ends[i - 1] as usize,
        };
        self.text.get(start..end)
    }
}

impl Table {
    /// How many data rows the file has (blank rows left out).
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// The data rows, in file order.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        (0..self.rows.len()).map(move |i| {
            let (number, first) = self.rows[i];
            let last = self
                .rows
                .get(i + 1)
                .map_or(self.cell_ends.len(), |(_, next)| *next as usize);
            let first = first as usize;
            let start = match first {
                0 => 0,
                _ => self.cell_ends[first - 1],
            };
            Row {
                number: u64::from(number),
                text: &self.text,
                start,
                ends: &self.cell_ends[first..last],
            }
        })
    }
}

/// Decodes `bytes`: a UTF-8 BOM means UTF-8; valid UTF-8 is UTF-8; anything
/// else must be valid Shift_JIS (Windows-31J, what Excel writes in Japan).
/// UTF-8 is borrowed, not copied.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), ReadError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (Cow::Borrowed(s), "UTF-8 with BOM"))
            .map_err(|_| ReadError::Encoding);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), "UTF-8"));
    }
    encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| (Cow::Owned(text.into_owned()), "Shift_JIS"))
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

/// An offset into the cell text; the text is at most the decoded file,
/// far below 4 GiB (the upload limit is 32 MiB).
fn offset(n: usize) -> Result<u32, ReadError> {
    u32::try_from(n).map_err(|_| ReadError::TooManyRows)
}

/// Decodes and parses a file, refusing more than [`MAX_IMPORT_ROWS`] data
/// rows or [`MAX_IMPORT_COLUMNS`] columns as soon as it meets them;
/// `progress` is called every few thousand rows.
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
            restore_formula(h.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}'))
                .to_owned()
        })
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(ReadError::Empty);
    }
    if headers.len() > MAX_IMPORT_COLUMNS {
        return Err(ReadError::TooManyColumns(1, headers.len()));
    }
    let mut table = Table {
        encoding,
        delimiter,
        headers,
        text: String::new(),
        cell_ends: Vec::new(),
        rows: Vec::new(),
    };
    let mut record = csv::StringRecord::new();
    let mut i: u64 = 0;
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| ReadError::Csv(e.to_string()))?;
        if !more {
            break;
        }
        let number = i.saturating_add(2);
        i += 1;
        if i % 5_000 == 0 {
            progress(i);
        }
        if record.iter().all(|c| non_empty(c).is_none()) {
            continue;
        }
        if table.rows.len() >= MAX_IMPORT_ROWS {
            return Err(ReadError::TooManyRows);
        }
        if record.len() > MAX_IMPORT_COLUMNS {
            return Err(ReadError::TooManyColumns(number, record.len()));
        }
        table.rows.push((
            u32::try_from(number).map_err(|_| ReadError::TooManyRows)?,
            offset(table.cell_ends.len())?,
        ));
        for cell in record.iter() {
            table.text.push_str(restore_formula(cell));
            table.cell_ends.push(offset(table.text.len())?);
        }
    }
    table.text.shrink_to_fit();
    table.cell_ends.shrink_to_fit();
    table.rows.shrink_to_fit();
    Ok(table)
}

/// A header in comparable form: width folded, bracketed units removed
/// (`月額(円)`, `MRR（円）`, `金額[JPY]`, `売上【税抜】` → `月額`, `mrr`, `金額`,
/// `売上`), lower case, without spaces, `_`, `-` and `.` — so `External ID`,
/// `external_id` and `external-id` are one header.
pub fn header_key(header: &str) -> String {
    let folded = fold_width(header.trim()).to_lowercase();
    let mut key = String::with_capacity(folded.len());
    let mut depth = 0_usize;
    for c in folded.chars() {
        match c {
            '(' | '[' | '【' | '〔' | '<' | '〈' | '《' => depth += 1,
            ')' | ']' | '】' | '〕' | '>' | '〉' | '》' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() || matches!(c, '_' | '-' | '.' | '・') => {}
            c => key.push(c),
        }
    }
    key
}

/// Headers understood without a mapping, in [`header_key`] form: what
/// Japanese Excel sheets and CRM exports commonly call our columns (the
/// terms of the Japanese CS Ops articles the product is built from: 顧客,
/// 契約, 月額, 担当, 解約, …). Anything else is mapped by the user in the
/// wizard.
const ALIASES: &[(&str, &[&str])] = &[
    (
        "external_id",
        &[
            "外部id",
            "顧客id",
            "顧客コード",
            "顧客番号",
            "取引先id",
            "取引先コード",
            "取引先番号",
            "企業id",
            "企業コード",
            "会社id",
            "アカウントid",
            "crmid",
            "id",
            "accountid",
            "customerid",
            "customerno",
            "customernumber",
        ],
    ),
    (
        "name",
        &[
            "会社名",
            "企業名",
            "顧客名",
            "取引先名",
            "取引先",
            "社名",
            "法人名",
            "アカウント名",
            "company",
            "companyname",
            "accountname",
            "customer",
            "customername",
            "account",
        ],
    ),
    (
        "domain",
        &[
            "ドメイン",
            "webサイト",
            "ウェブサイト",
            "ホームページ",
            "サイト",
            "url",
            "website",
            "web",
        ],
    ),
    ("industry", &["業種", "業界", "sector"]),
    (
        "plan",
        &[
            "プラン",
            "プラン名",
            "契約プラン",
            "料金プラン",
            "plan名",
            "tier",
        ],
    ),
    (
        "mrr",
        &[
            "金額",
            "月額",
            "月額料金",
            "月額費用",
            "月額利用料",
            "月間利用料",
            "利用料",
            "月額売上",
            "月次売上",
            "売上",
            "mrr",
            "amount",
            "monthlyfee",
            "monthlyrevenue",
            "revenue",
        ],
    ),
    ("currency", &["通貨", "通貨コード", "currencycode"]),
    (
        "contract_start",
        &[
            "契約開始日",
            "契約開始",
            "契約日",
            "利用開始日",
            "導入日",
            "開始日",
            "startdate",
            "contractstartdate",
        ],
    ),
    (
        "renewal_date",
        &[
            "更新日",
            "契約更新日",
            "次回更新日",
            "更新予定日",
            "契約終了日",
            "renewal",
            "renewalon",
            "nextrenewal",
        ],
    ),
    (
        "owner_email",
        &[
            "担当",
            "担当者",
            "担当csm",
            "担当cs",
            "担当者メール",
            "担当者メールアドレス",
            "担当csmメール",
            "担当メール",
            "csm",
            "csmemail",
            "owner",
            "owneremail",
            "accountowner",
        ],
    ),
    (
        "status",
        &["ステータス", "状態", "契約状態", "契約ステータス"],
    ),
    ("churn_date", &["解約日", "解約年月日", "churnedon"]),
    ("churn_reason", &["解約理由", "解約事由"]),
    ("well_known", &["有名企業", "著名企業", "知名度"]),
    ("feedback", &["フィードバック", "要望が多い"]),
    ("influencer", &["影響力", "インフルエンサー"]),
    (
        "expansion_potential",
        &["拡大余地", "拡張余地", "エクスパンション", "expansion"],
    ),
    (
        "champion_name",
        &[
            "チャンピオン",
            "チャンピオン名",
            "キーパーソン",
            "推進者",
            "champion",
        ],
    ),
    (
        "champion_changed_on",
        &[
            "チャンピオン変更日",
            "キーパーソン変更日",
            "championchanged",
        ],
    ),
    (
        "month",
        &[
            "月",
            "年月",
            "対象月",
            "計上月",
            "請求月",
            "売上月",
            "yearmonth",
        ],
    ),
    (
        "product",
        &[
            "商品",
            "商品名",
            "製品",
            "製品名",
            "プロダクト",
            "サービス",
            "サービス名",
            "productline",
        ],
    ),
    (
        "signal",
        &["シグナル", "指標", "項目", "signalkey", "metric"],
    ),
    (
        "date",
        &[
            "日付",
            "計測日",
            "観測日",
            "取得日",
            "observedon",
            "measuredon",
        ],
    ),
    ("value", &["値", "数値", "measurement"]),
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
    pub fn cell<'a>(&self, row: &Row<'a>, column: &str) -> Option<&'a str> {
        let i = *self.index.get(column)?;
        row.cell(i).and_then(non_empty)
    }

    /// Whether the file has `column`.
    pub fn has(&self, column: &str) -> bool {
        self.index.contains_key(column)
    }
}

/// The missing-column error of our `column`.
fn missing_column(column: &str, message: String) -> ImportError {
    ImportError {
        row: 1,
        column: Some(column.to_owned()),
        code: ImportCode::MissingColumn,
        message,
    }
}

/// Resolves our columns against the file's headers, honouring `mapping`
/// (our column → their header): an exact name first, then an alias. A
/// header feeds at most one of our columns. Missing required columns are
/// row-1 errors; `currency` is not required when `default_currency` says
/// the file's currency.
pub fn resolve(
    kind: ImportKind,
    headers: &[String],
    mapping: &BTreeMap<String, String>,
    default_currency: bool,
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
    let mut taken = vec![false; headers.len()];
    // Mapped columns claim their headers first, so an alias never steals a
    // header the user gave to another column.
    for theirs in mapping.values() {
        let wanted = header_key(theirs);
        if let Some(i) = keys.iter().position(|k| *k == wanted) {
            taken[i] = true;
        }
    }
    let free = |taken: &[bool], i: usize| !taken[i];
    let mut index = HashMap::new();
    let mut used = BTreeMap::new();
    let mut errors = Vec::new();
    for (column, required) in ours {
        let found = match mapping.get(*column) {
            Some(theirs) => {
                let wanted = header_key(theirs);
                let at = keys.iter().position(|k| *k == wanted);
                if at.is_none() {
                    errors.push(missing_column(
                        column,
                        format!("The column mapping reads “{column}” from “{theirs}”, but the file has no such header."),
                    ));
                    continue;
                }
                at
            }
            None => {
                let own = header_key(column);
                let aliases = ALIASES
                    .iter()
                    .find(|(ours, _)| ours == column)
                    .map_or(&[][..], |(_, a)| *a);
                (0..keys.len())
                    .find(|&i| free(&taken, i) && keys[i] == own)
                    .or_else(|| {
                        (0..keys.len())
                            .find(|&i| free(&taken, i) && aliases.contains(&keys[i].as_str()))
                    })
            }
        };
        match found {
            Some(i) => {
                taken[i] = true;
                index.insert(*column, i);
                used.insert((*column).to_owned(), headers[i].clone());
            }
            None if *column == "currency" && default_currency => {}
            None if *column == "currency" => errors.push(missing_column(
                column,
                "The file has no currency column: add one, or choose the currency of the whole file (currency=JPY, USD or EUR).".into(),
            )),
            None if *required => errors.push(missing_column(
                column,
                format!("The required column “{column}” is missing; add it or map one of the file's columns to it."),
            )),
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

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn encodings_are_detected() {
        let (text, enc) = decode("\u{FEFF}a,b".as_bytes()).unwrap();
        assert_eq!((&*text, enc), ("a,b", "UTF-8 with BOM"));
        assert_eq!(decode("名前".as_bytes()).unwrap().1, "UTF-8");
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("会社名,通貨");
        let (text, enc) = decode(&sjis).unwrap();
        assert_eq!((&*text, enc), ("会社名,通貨", "Shift_JIS"));
        assert!(decode(&[0xFF, 0xFF, 0xFF]).is_err());
    }

    #[test]
    fn tabs_and_blank_rows() {
        let table = read(b"a\tb\n1\t2\n\t\n3\t4\n", &|_| {}).unwrap();
        assert_eq!(table.delimiter, "tab");
        assert_eq!(table.row_count(), 2);
        let rows: Vec<Row<'_>> = table.rows().collect();
        assert_eq!(rows[1].number, 4, "blank row 3 is skipped but counted");
        assert_eq!((rows[1].cell(0), rows[1].cell(1)), (Some("3"), Some("4")));
        assert_eq!(rows[0].cell(2), None);
    }

    #[test]
    fn cells_of_ragged_rows_and_empty_cells_are_kept_apart() {
        let table = read(
            "h1,h2,h3\n,x\n\"a,b\",,\"c\"\"d\"\nonly\n".as_bytes(),
            &|_| {},
        )
        .unwrap();
        let rows: Vec<Vec<Option<&str>>> = table
            .rows()
            .map(|r| (0..r.len()).map(|i| r.cell(i)).collect())
            .collect();
        assert_eq!(
            rows,
            [
                vec![Some(""), Some("x")],
                vec![Some("a,b"), Some(""), Some("c\"d")],
                vec![Some("only")],
            ]
        );
    }

    #[test]
    fn guarded_formula_cells_are_read_back_as_they_were() {
        let table = read(b"'=h,b\n'=1+2,'-5\n", &|_| {}).unwrap();
        assert_eq!(table.headers, ["=h", "b"]);
        let row = table.rows().next().unwrap();
        assert_eq!((row.cell(0), row.cell(1)), (Some("=1+2"), Some("-5")));
    }

    #[test]
    fn too_many_columns_or_rows_are_refused() {
        let wide = (0..=MAX_IMPORT_COLUMNS)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(matches!(
            read(wide.as_bytes(), &|_| {}),
            Err(ReadError::TooManyColumns(1, n)) if n == MAX_IMPORT_COLUMNS + 1
        ));
        let ragged = format!("a,b\n1,2\n{wide}\n");
        assert!(matches!(
            read(ragged.as_bytes(), &|_| {}),
            Err(ReadError::TooManyColumns(3, _))
        ));
        let mut long = String::from("a\n");
        for _ in 0..MAX_IMPORT_ROWS {
            long.push_str("1\n");
        }
        assert_eq!(
            read(long.as_bytes(), &|_| {}).unwrap().row_count(),
            MAX_IMPORT_ROWS
        );
        long.push_str("\n\n");
        assert!(
            read(long.as_bytes(), &|_| {}).is_ok(),
            "blank rows do not count"
        );
        long.push_str("1\n");
        let err = read(long.as_bytes(), &|_| {}).unwrap_err();
        assert!(matches!(err, ReadError::TooManyRows));
        assert!(err.to_string().contains("200,000"), "{err}");
    }

    #[test]
    fn header_keys_ignore_width_case_spacing_and_bracketed_units() {
        for (header, key) in [
            ("月額(円)", "月額"),
            ("月額（円）", "月額"),
            ("MRR(円)", "mrr"),
            ("ＭＲＲ［ＪＰＹ］", "mrr"),
            ("売上【税抜】", "売上"),
            (" External ID ", "externalid"),
            ("external_id", "externalid"),
            ("担当 CSM", "担当csm"),
            ("e-mail", "email"),
        ] {
            assert_eq!(header_key(header), key, "{header}");
        }
    }

    #[test]
    fn headers_resolve_by_name_alias_or_mapping() {
        let headers = strings(&["外部ID", "Company", "Currency", "Their MRR"]);
        let mapping = BTreeMap::from([("mrr".to_owned(), "their mrr".to_owned())]);
        let (cols, errors) = resolve(ImportKind::Accounts, &headers, &mapping, false).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(cols.mapping["external_id"], "外部ID");
        assert_eq!(cols.mapping["name"], "Company");
        assert_eq!(cols.mapping["mrr"], "Their MRR");
        let (_, errors) = resolve(ImportKind::Mrr, &headers, &BTreeMap::new(), false).unwrap();
        let missing: Vec<_> = errors.iter().filter_map(|e| e.column.as_deref()).collect();
        assert_eq!(missing, ["month", "product", "mrr"]);
        let bad = BTreeMap::from([("nope".to_owned(), "x".to_owned())]);
        assert!(resolve(ImportKind::Mrr, &headers, &bad, false).is_err());
    }

    #[test]
    fn common_japanese_headers_map_by_themselves() {
        let headers = strings(&[
            "顧客コード",
            "取引先名",
            "月額(円)",
            "契約開始日",
            "次回更新日",
            "担当CSM",
            "業種",
            "解約日",
            "キーパーソン",
        ]);
        let (cols, errors) =
            resolve(ImportKind::Accounts, &headers, &BTreeMap::new(), true).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let got: Vec<(&str, &str)> = cols
            .mapping
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("champion_name", "キーパーソン"),
                ("churn_date", "解約日"),
                ("contract_start", "契約開始日"),
                ("external_id", "顧客コード"),
                ("industry", "業種"),
                ("mrr", "月額(円)"),
                ("name", "取引先名"),
                ("owner_email", "担当CSM"),
                ("renewal_date", "次回更新日"),
            ]
        );
        for (header, ours) in [
            ("MRR(円)", "mrr"),
            ("月額", "mrr"),
            ("担当", "owner_email"),
            ("担当者メール", "owner_email"),
            ("会社名", "name"),
        ] {
            let h = strings(&["外部ID", header]);
            let (cols, _) = resolve(ImportKind::Accounts, &h, &BTreeMap::new(), true).unwrap();
            let header_in_file = cols.mapping.get(ours).map(String::as_str);
            assert_eq!(header_in_file, Some(header), "{header}");
        }
    }

    #[test]
    fn a_file_without_currency_needs_the_files_currency() {
        let headers = strings(&["外部ID", "会社名"]);
        let (_, errors) = resolve(ImportKind::Accounts, &headers, &BTreeMap::new(), false).unwrap();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column.as_deref(), Some("currency"));
        assert!(
            errors[0].message.contains("choose the currency"),
            "{}",
            errors[0].message
        );
        let (_, errors) = resolve(ImportKind::Accounts, &headers, &BTreeMap::new(), true).unwrap();
        assert!(errors.is_empty());
    }

    #[test]
    fn a_header_feeds_one_column_and_a_mapping_wins_over_aliases() {
        // "金額" would be an alias of mrr, but the user mapped it to nothing
        // else; "月額" is mapped to mrr by hand, so "金額" stays free.
        let headers = strings(&["id", "会社名", "金額", "月額", "通貨"]);
        let mapping = BTreeMap::from([("mrr".to_owned(), "月額".to_owned())]);
        let (cols, _) = resolve(ImportKind::Accounts, &headers, &mapping, false).unwrap();
        assert_eq!(cols.mapping["mrr"], "月額");
        let headers = strings(&["external_id", "id", "name", "currency"]);
        let (cols, _) = resolve(ImportKind::Accounts, &headers, &BTreeMap::new(), false).unwrap();
        assert_eq!(
            cols.mapping["external_id"], "external_id",
            "the exact name wins"
        );
    }
}
