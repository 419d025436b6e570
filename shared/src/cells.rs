//! Reading values as people type them into spreadsheets and forms: amounts in
//! major units (`79.85`, `520,000`, `￥520,000`), dates (`2025-04-01`,
//! `2025/4/1`, `2025年4月1日`), months, yes/no flags; and the normal forms used
//! to spot duplicate accounts (company names without legal suffixes, e-mail
//! domains, external ids); and the guard against spreadsheet formula
//! injection that every CSV export applies and the import undoes.
//!
//! The CSV import on the server and the account form in the browser both use
//! these functions, so a value accepted in one is accepted in the other.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use crate::api::ImportCode;
use crate::domain::{Currency, MAX_AMOUNT_MAJOR};

/// Why a cell could not be read. The `code` is stable (it appears in import
/// reports); `Display` is a plain English sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    /// Not a number at all.
    #[error("“{0}” is not an amount")]
    NotAnAmount(String),
    /// A negative amount where only zero or more makes sense.
    #[error("the amount {0} is negative")]
    NegativeAmount(String),
    /// More decimals than the currency has (e.g. yen with sen).
    #[error("{currency} amounts have at most {digits} decimal places, “{text}” has more")]
    TooManyDecimals {
        /// The cell text.
        text: String,
        /// The currency.
        currency: Currency,
        /// Its minor digits.
        digits: u32,
    },
    /// The amount is more than [`MAX_AMOUNT_MAJOR`] major units.
    #[error("the amount “{0}” is more than the largest Kizuna accepts ({max})", max = MAX_AMOUNT_MAJOR)]
    AmountTooLarge(String),
    /// Not a date in a form we read.
    #[error("“{0}” is not a date (use 2025-04-01 or 2025/4/1)")]
    NotADate(String),
    /// Not a month in a form we read.
    #[error("“{0}” is not a month (use 2025-04 or 2025/4/1)")]
    NotAMonth(String),
    /// Not yes/no.
    #[error("“{0}” is not yes or no (use true/false, yes/no, 1/0)")]
    NotABool(String),
    /// Not a number.
    #[error("“{0}” is not a number")]
    NotANumber(String),
}

impl CellError {
    /// The stable code used in import reports.
    pub fn code(&self) -> ImportCode {
        match self {
            CellError::NotAnAmount(_) => ImportCode::BadAmount,
            CellError::NegativeAmount(_) => ImportCode::NegativeAmount,
            CellError::TooManyDecimals { .. } => ImportCode::BadAmount,
            CellError::AmountTooLarge(_) => ImportCode::AmountTooLarge,
            CellError::NotADate(_) => ImportCode::BadDate,
            CellError::NotAMonth(_) => ImportCode::BadMonth,
            CellError::NotABool(_) => ImportCode::BadBoolean,
            CellError::NotANumber(_) => ImportCode::BadNumber,
        }
    }
}

/// Folds full-width ASCII (`５２０，０００`, `ＡＢＣ`) and the ideographic space
/// to their ASCII forms; other characters are kept.
pub fn fold_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// Trims a cell and returns `None` when nothing is left: an empty cell in an
/// optional column is a missing value, not an error.
pub fn non_empty(cell: &str) -> Option<&str> {
    let t = cell.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    (!t.is_empty()).then_some(t)
}

/// Reads an amount typed in major units and returns minor units of
/// `currency`. Accepts thousands separators (`,`), currency signs (`¥`, `￥`,
/// `$`, `US$`, `€`, `円`), full-width digits and surrounding spaces; rejects
/// negative amounts, more decimals than the currency has and more than
/// [`MAX_AMOUNT_MAJOR`] major units (the same cap as the account form).
///
/// ```
/// use kizuna_shared::{cells::parse_amount, domain::Currency};
/// assert_eq!(parse_amount("79.85", Currency::Usd), Ok(7985));
/// assert_eq!(parse_amount("￥520,000", Currency::Jpy), Ok(520_000));
/// ```
pub fn parse_amount(cell: &str, currency: Currency) -> Result<i64, CellError> {
    let folded = fold_width(cell.trim());
    let mut text = folded.trim();
    let mut negative = false;
    if let Some(rest) = text.strip_prefix('-').or_else(|| text.strip_prefix('−')) {
        negative = true;
        text = rest.trim_start();
    }
    for sign in ["US$", "USD", "JPY", "EUR", "¥", "￥", "$", "€"] {
        if let Some(rest) = text.strip_prefix(sign) {
            text = rest.trim_start();
            break;
        }
    }
    if !negative {
        if let Some(rest) = text.strip_prefix('-') {
            negative = true;
            text = rest.trim_start();
        }
    }
    for suffix in ["円", "USD", "JPY", "EUR"] {
        if let Some(rest) = text.strip_suffix(suffix) {
            text = rest.trim_end();
            break;
        }
    }
    let not_amount = || CellError::NotAnAmount(cell.trim().to_owned());
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return Err(not_amount());
    }
    // Thousands separators are allowed only between groups of three digits.
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped_ok = groups.len() == 1
        || (!groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !grouped_ok || !groups.iter().all(|g| digits_only(g)) || !digits_only(fraction) {
        return Err(not_amount());
    }
    let digits = currency.minor_digits();
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > digits as usize {
        return Err(CellError::TooManyDecimals {
            text: cell.trim().to_owned(),
            currency,
            digits,
        });
    }
    let too_large = || CellError::AmountTooLarge(cell.trim().to_owned());
    let mut minor: i64 = 0;
    for c in groups.concat().chars() {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(i64::from(c.to_digit(10).unwrap_or(0))))
            .ok_or_else(too_large)?;
    }
    let scale = 10_i64.pow(digits);
    minor = minor.checked_mul(scale).ok_or_else(too_large)?;
    let mut frac_minor: i64 = 0;
    for (i, c) in fraction.chars().enumerate() {
        let place = 10_i64.pow(digits - 1 - u32::try_from(i).unwrap_or(0));
        frac_minor += i64::from(c.to_digit(10).unwrap_or(0)) * place;
    }
    minor = minor.checked_add(frac_minor).ok_or_else(too_large)?;
    if negative && minor != 0 {
        return Err(CellError::NegativeAmount(cell.trim().to_owned()));
    }
    if minor > currency.max_amount_minor() {
        return Err(too_large());
    }
    Ok(minor)
}

/// Splits `y?m?d` written with one separator (`-`, `/` or `.`) or as
/// `2025年4月1日`, into numbers.
fn date_parts(text: &str) -> Option<Vec<u32>> {
    let t = fold_width(text.trim());
    let t = t.trim();
    let parts: Vec<&str> = if t.contains('年') {
        t.trim_end_matches('日')
            .split(['年', '月'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        let sep = ['-', '/', '.'].into_iter().find(|s| t.contains(*s))?;
        t.split(sep).map(str::trim).collect()
    };
    parts
        .iter()
        .map(|p| {
            if p.is_empty() || p.len() > 4 || !p.chars().all(|c| c.is_ascii_digit()) {
                None
            } else {
                p.parse().ok()
            }
        })
        .collect()
}

/// Reads a calendar date: `2025-04-01`, `2025/4/1`, `2025.4.1`, `2025年4月1日`,
/// optionally followed by a time (`2025/4/1 0:00`, as Excel writes), which is
/// ignored. Day-first and month-first forms are refused as ambiguous.
pub fn parse_date(cell: &str) -> Result<NaiveDate, CellError> {
    let bad = || CellError::NotADate(cell.trim().to_owned());
    let text = cell.trim();
    let date_text = text.split_once([' ', 'T']).map(|(d, _)| d).unwrap_or(text);
    let parts = date_parts(date_text).ok_or_else(bad)?;
    match parts.as_slice() {
        [y, m, d] if *y >= 1000 => {
            NaiveDate::from_ymd_opt(i32::try_from(*y).map_err(|_| bad())?, *m, *d).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// Reads a month and returns its first day: `2025-04`, `2025/4`, `2025年4月`,
/// or any date of the month.
pub fn parse_month(cell: &str) -> Result<NaiveDate, CellError> {
    let bad = || CellError::NotAMonth(cell.trim().to_owned());
    if let Ok(date) = parse_date(cell) {
        return date.with_day(1).ok_or_else(bad);
    }
    let parts = date_parts(cell).ok_or_else(bad)?;
    match parts.as_slice() {
        [y, m] if *y >= 1000 => {
            NaiveDate::from_ymd_opt(i32::try_from(*y).map_err(|_| bad())?, *m, 1).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// Reads a yes/no cell: `true/false`, `yes/no`, `y/n`, `1/0`, `はい/いいえ`,
/// `○/×`, `有/無` (case-insensitive).
pub fn parse_bool(cell: &str) -> Result<bool, CellError> {
    let t = fold_width(cell.trim()).to_lowercase();
    match t.as_str() {
        "true" | "yes" | "y" | "1" | "はい" | "○" | "〇" | "◯" | "有" | "あり" => {
            Ok(true)
        }
        "false" | "no" | "n" | "0" | "いいえ" | "×" | "✕" | "無" | "なし" => Ok(false),
        _ => Err(CellError::NotABool(cell.trim().to_owned())),
    }
}

/// Reads a plain decimal number (signal values): `12`, `-3.5`, `1,234.5`, `45%`.
pub fn parse_number(cell: &str) -> Result<f64, CellError> {
    let folded = fold_width(cell.trim());
    let t = folded.trim().trim_end_matches('%').trim().replace(',', "");
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(CellError::NotANumber(cell.trim().to_owned())),
    }
}

/// Legal-form words that do not tell two companies apart. Matched after
/// width folding and lower-casing; the longest forms come first.
const LEGAL_FORMS: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "(株)",
    "(有)",
    "(同)",
    "㈱",
    "㈲",
    "incorporated",
    "corporation",
    "company",
    "limited",
    "k.k.",
    "inc.",
    "inc",
    "llc",
    "ltd.",
    "ltd",
    "co.",
    "corp.",
    "corp",
    "gmbh",
    "plc",
    "kk",
];

/// The normal form of a company name for duplicate detection: width folded,
/// lower-cased, legal forms (`株式会社`, `(株)`, `Inc.`, `LLC`, …) removed,
/// spaces and punctuation dropped. `株式会社サクラ` and `サクラ（株）` and
/// `ｻｸﾗ` are not all equal (half-width katakana is kept as is), but
/// `Northwind Inc.` and `NORTHWIND, INC` are.
pub fn normalize_company_name(name: &str) -> String {
    let mut text = fold_width(name).to_lowercase();
    // Remove a legal form wherever it stands (prefix or suffix, with or
    // without spaces); repeat until none is left.
    loop {
        let before = text.len();
        for form in LEGAL_FORMS {
            if form.is_ascii() {
                // ASCII forms only as whole words, so "Cinco" keeps its "inc".
                text = remove_word(&text, form);
            } else {
                text = text.replace(form, " ");
            }
        }
        if text.len() == before {
            break;
        }
    }
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
}

/// Removes `word` where it stands between non-alphanumeric characters.
fn remove_word(text: &str, word: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find(word) {
        let before_ok = rest[..pos]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = &rest[pos + word.len()..];
        let after_ok = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..pos]);
        if before_ok && after_ok {
            out.push(' ');
        } else {
            out.push_str(word);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The domain of an e-mail address or web address, lower-cased, without
/// `www.`; `None` for free-mail domains that many companies share.
pub fn company_domain(text: &str) -> Option<String> {
    let t = fold_width(text.trim()).to_lowercase();
    let host = match t.rsplit_once('@') {
        Some((_, domain)) => domain.to_owned(),
        None => {
            let without_scheme = t.split_once("://").map(|(_, r)| r).unwrap_or(&t);
            without_scheme
                .split(['/', '?', '#', ':'])
                .next()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let host = host.trim_start_matches("www.").trim_end_matches('.');
    if host.is_empty() || !host.contains('.') || FREE_MAIL.contains(&host) {
        None
    } else {
        Some(host.to_owned())
    }
}

/// Mail domains shared by unrelated companies' people.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.jp",
    "ymail.ne.jp",
    "outlook.com",
    "outlook.jp",
    "hotmail.com",
    "hotmail.co.jp",
    "live.jp",
    "icloud.com",
    "me.com",
    "aol.com",
    "docomo.ne.jp",
    "ezweb.ne.jp",
    "au.com",
    "softbank.ne.jp",
    "i.softbank.jp",
    "nifty.com",
    "proton.me",
    "protonmail.com",
];

/// The normal form of an external (CRM) id: width folded, trimmed,
/// upper-cased, so `crm-001 ` and `CRM-001` are the same id.
pub fn normalize_external_id(id: &str) -> String {
    fold_width(id.trim()).trim().to_uppercase()
}

/// The first characters that make a spreadsheet read a cell as a formula:
/// OWASP's `=`, `+`, `-`, `@`, tab and carriage return, and their
/// full-width forms `＝`, `＋`, `－`, `＠`, which Japanese input methods
/// type and spreadsheets in Japan accept as the same.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// Whether a spreadsheet would read `cell` as a formula (it starts with
/// one of [`FORMULA_STARTS`]), or as a cell this module already guarded
/// (`'` before such a cell, so that guarding and [`restore_formula`] undo
/// each other exactly).
fn looks_like_formula(cell: &str) -> bool {
    match cell.chars().next() {
        Some('\'') => looks_like_formula(&cell[1..]),
        Some(c) => FORMULA_STARTS.contains(&c),
        None => false,
    }
}

/// Whether `cell` is a plain decimal number as Kizuna writes numbers
/// (`120000`, `-5`, `-12.25`): a spreadsheet reads it as that number, not
/// a formula, so a CSV writer may leave it unguarded (it still round-trips:
/// [`restore_formula`] keeps an unguarded cell as it is).
pub fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let mut parts = digits.split('.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    parts.next().is_none() && all_digits(whole) && fraction.is_none_or(all_digits)
}

/// Guards a text cell of a CSV export against formula injection (OWASP
/// "CSV injection"): a cell a spreadsheet would run as a formula
/// (`=HYPERLINK(…)`, `+1`, `-2+3`, `@SUM(…)`) gets a leading `'`, which
/// Excel and LibreOffice show as text. [`restore_formula`] undoes exactly
/// this, so an exported file imports back unchanged. Every cell the server
/// writes goes through it (`server/src/csv_file.rs`) but plain numbers
/// ([`is_plain_number`]).
///
/// ```
/// use kizuna_shared::cells::{neutralize_formula, restore_formula};
/// assert_eq!(neutralize_formula("=1+2"), "'=1+2");
/// assert_eq!(neutralize_formula("Sakura KK"), "Sakura KK");
/// assert_eq!(restore_formula(&neutralize_formula("@SUM(A1)")), "@SUM(A1)");
/// ```
pub fn neutralize_formula(cell: &str) -> Cow<'_, str> {
    if looks_like_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undoes [`neutralize_formula`]: strips exactly one leading `'` when what
/// follows would be read as a formula (`'=1+2` → `=1+2`). Any other cell,
/// including `'abc`, is kept as it is. The import reads every cell through
/// this.
pub fn restore_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if looks_like_formula(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(parse_amount("79.85", Currency::Usd), Ok(7985));
        assert_eq!(parse_amount("79.8", Currency::Usd), Ok(7980));
        assert_eq!(parse_amount("79", Currency::Usd), Ok(7900));
        assert_eq!(parse_amount("$1,234.50", Currency::Usd), Ok(123_450));
        assert_eq!(parse_amount("US$ 12", Currency::Usd), Ok(1200));
        assert_eq!(parse_amount("520,000", Currency::Jpy), Ok(520_000));
        assert_eq!(parse_amount("￥520,000", Currency::Jpy), Ok(520_000));
        assert_eq!(parse_amount("¥520000", Currency::Jpy), Ok(520_000));
        assert_eq!(parse_amount("５２０，０００円", Currency::Jpy), Ok(520_000));
        assert_eq!(parse_amount(" 0 ", Currency::Jpy), Ok(0));
        assert_eq!(parse_amount("100.00", Currency::Jpy), Ok(100));
    }

    #[test]
    fn bad_amounts_say_what_is_wrong() {
        assert_eq!(
            parse_amount("-5", Currency::Jpy)
                .unwrap_err()
                .code()
                .as_str(),
            "negative_amount"
        );
        assert_eq!(
            parse_amount("¥-5", Currency::Jpy)
                .unwrap_err()
                .code()
                .as_str(),
            "negative_amount"
        );
        for bad in ["", "abc", "1,23", "12,3456", "1.2.3", "1 000", ",100", "$"] {
            assert_eq!(
                parse_amount(bad, Currency::Usd)
                    .unwrap_err()
                    .code()
                    .as_str(),
                "bad_amount",
                "{bad}"
            );
        }
        let err = parse_amount("10.5", Currency::Jpy).unwrap_err();
        assert!(matches!(err, CellError::TooManyDecimals { .. }));
        assert!(parse_amount("79.855", Currency::Usd).is_err());
        assert!(parse_amount("99999999999999999999", Currency::Usd).is_err());
    }

    #[test]
    fn amounts_are_capped_at_a_trillion_major_units() {
        assert_eq!(
            parse_amount("1,000,000,000,000", Currency::Jpy),
            Ok(1_000_000_000_000)
        );
        assert_eq!(
            parse_amount("1000000000000.00", Currency::Usd),
            Ok(100_000_000_000_000)
        );
        for (text, currency) in [
            ("1000000000001", Currency::Jpy),
            ("1000000000000.01", Currency::Usd),
            ("99999999999999999999", Currency::Jpy),
        ] {
            assert_eq!(
                parse_amount(text, currency).unwrap_err().code().as_str(),
                "amount_too_large",
                "{text}"
            );
        }
    }

    #[test]
    fn formula_cells_are_guarded_for_export_and_restored_on_import() {
        for (cell, guarded) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+81 3 1234", "'+81 3 1234"),
            ("-5", "'-5"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            // Full-width forms, as Japanese input methods type them.
            ("＝HYPERLINK(\"http://x\")", "'＝HYPERLINK(\"http://x\")"),
            ("＋81", "'＋81"),
            ("－1", "'－1"),
            ("＠SUM(A1)", "'＠SUM(A1)"),
            ("'＝x", "''＝x"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("'=already", "''=already"),
        ] {
            assert_eq!(neutralize_formula(cell), guarded, "{cell:?}");
            assert_eq!(restore_formula(guarded), cell, "{guarded:?}");
        }
        for plain in ["", "Sakura KK", "'quoted", "a=b", "５", "''x"] {
            assert_eq!(neutralize_formula(plain), plain);
            assert_eq!(restore_formula(plain), plain);
        }
        // What a person typed with Excel's own text prefix is read as text.
        assert_eq!(restore_formula("'=1+2"), "=1+2");
    }

    #[test]
    fn dates_in_the_usual_spreadsheet_forms() {
        assert_eq!(parse_date("2025-04-01"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_date("2025/4/1"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_date("2025/04/01 0:00"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_date("2025.4.1"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_date("2025年4月1日"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_date("２０２５/４/１"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_date("2025-04-01T09:00:00Z"), Ok(d(2025, 4, 1)));
        for bad in [
            "",
            "2025-02-30",
            "4/1/2025",
            "01/04/2025",
            "2025-04",
            "yesterday",
            "2025//1",
        ] {
            assert_eq!(
                parse_date(bad).unwrap_err().code().as_str(),
                "bad_date",
                "{bad}"
            );
        }
    }

    #[test]
    fn months_are_first_days() {
        assert_eq!(parse_month("2025-04"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_month("2025/4"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_month("2025年4月"), Ok(d(2025, 4, 1)));
        assert_eq!(parse_month("2025/4/17"), Ok(d(2025, 4, 1)));
        assert!(parse_month("2025-13").is_err());
        assert!(parse_month("April").is_err());
    }

    #[test]
    fn flags_and_numbers() {
        for yes in ["true", "YES", "1", "はい", "○", "ｙ"] {
            assert_eq!(parse_bool(yes), Ok(true), "{yes}");
        }
        for no in ["false", "No", "0", "いいえ", "×"] {
            assert_eq!(parse_bool(no), Ok(false), "{no}");
        }
        assert!(parse_bool("maybe").is_err());
        assert_eq!(parse_number("45%"), Ok(45.0));
        assert_eq!(parse_number("1,234.5"), Ok(1234.5));
        assert_eq!(parse_number("-3"), Ok(-3.0));
        assert!(parse_number("NaN").is_err());
        assert!(parse_number("x").is_err());
    }

    #[test]
    fn company_names_ignore_case_width_and_legal_forms() {
        let n = normalize_company_name;
        assert_eq!(
            n("株式会社サクラテクノロジー"),
            n("サクラテクノロジー株式会社")
        );
        assert_eq!(n("サクラテクノロジー（株）"), n("サクラテクノロジー"));
        assert_eq!(n("Northwind Analytics Inc."), n("NORTHWIND ANALYTICS, INC"));
        assert_eq!(n("Ｎｏｒｔｈｗｉｎｄ Analytics LLC"), "northwindanalytics");
        assert_eq!(n("Cinco Foods Co."), "cincofoods");
        assert_ne!(n("Summit Labs"), n("Summit Lab"));
    }

    #[test]
    fn domains_from_emails_and_urls() {
        assert_eq!(
            company_domain("taro@Sakura.co.jp").as_deref(),
            Some("sakura.co.jp")
        );
        assert_eq!(
            company_domain("https://www.northwind.com/about").as_deref(),
            Some("northwind.com")
        );
        assert_eq!(company_domain("someone@gmail.com"), None);
        assert_eq!(company_domain("localhost"), None);
        assert_eq!(normalize_external_id(" crm-００１ "), "CRM-001");
    }

    #[test]
    fn empty_cells_are_missing_values() {
        assert_eq!(non_empty("  "), None);
        assert_eq!(non_empty("\u{feff}x "), Some("x"));
    }
}
