//! `GET /api/v1/scoring-data`: every account's signal values as of a date,
//! with what the workbench needs around them (MRR and currency, owner, tier,
//! churned within the outcome window, id and name), in a compact columnar
//! binary form the browser decodes straight into a [`SignalTable`] and a few
//! flat columns — no per-account JSON or JS objects.
//!
//! # Format, version 1
//! All integers little-endian. A 24-byte header:
//!
//! | offset | type | field |
//! |---|---|---|
//! | 0 | 4 bytes | magic `KZSD` |
//! | 4 | u16 | format version (1) |
//! | 6 | u16 | header length in bytes (24; readers skip what they do not know) |
//! | 8 | u32 | accounts `n` |
//! | 12 | i32 | as-of date, days since 1970-01-01 |
//! | 16 | u32 | outcome window in days |
//! | 20 | u32 | number of sections |
//!
//! then that many sections, each `tag: u16, reserved: u16 (0), length: u32`
//! followed by `length` bytes of payload. Readers skip unknown tags, so
//! sections can be added without a new version. Sections 1–7 must appear
//! once each, signal sections any number of times:
//!
//! | tag | section | payload |
//! |---|---|---|
//! | 1 | account ids | `n` × i64, the first as is, then each as the wrapping difference from the previous one (sorted ids become runs of small numbers that compress to almost nothing) |
//! | 2 | names | `n` × u32 byte lengths, then the UTF-8 bytes |
//! | 3 | owners | u32 `k`, `k` × (i64 user id, u32 length, UTF-8 name), then a code column (below) with 0 = no owner, `c` = entry `c − 1` |
//! | 4 | tiers | a string dictionary, then a code column |
//! | 5 | currencies | a string dictionary (ISO codes), then a code column |
//! | 6 | MRR | `n` × i64 minor units (of the account's currency) |
//! | 7 | churned within the window | `⌈n/8⌉` bytes, bit `i % 8` of byte `i / 8` |
//! | 8 | one signal column | u16 key length, UTF-8 key, u32 lag in days (0 = the value at the as-of date, `d` = as it stood `d` days earlier, for trends), then a value column (below) |
//!
//! A *string dictionary* is u16 `k` then `k` × (u16 length, UTF-8). A *code
//! column* is u8 width (1, 2 or 4) then `n` codes of that width.
//!
//! A *value column* is u8 encoding, u8 scale, then `n` values:
//! - `1` f64, `NaN` = missing;
//! - `2` f32, `NaN` = missing (only when every value is exactly an f32);
//! - `3`, `4`, `5`: i32, i16, i8 decimals: the value is `i ÷ 10^scale`
//!   (`scale` 0–6), the type's minimum = missing (only when that division
//!   gives back every value bit for bit and the integers fit: counts, days,
//!   percentages with one decimal — most signals take one or two bytes).
//!
//! The encoder picks the smallest encoding that is exact, so decoding never
//! changes a value and browser and server score the same numbers. Columns
//! of small integers of the same width compress well with the server's
//! brotli or gzip (see BENCHMARKS.md for the sizes at 100,000 accounts).
//!
//! [`decode`] never panics on bad bytes: every length is checked against
//! what is left before anything is read or allocated, and every problem is
//! a [`DecodeError`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use garde::Validate;
use serde::{Deserialize, Serialize};

use crate::domain::{Currency, Tier};
use crate::metrics::{Column, DataError, PanelInputs, SignalTable, MAX_TREND_DAYS};

/// Media type of the response body.
pub const SCORING_DATA_MEDIA_TYPE: &str = "application/vnd.kizuna.scoring-data";

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// Most lags a request may ask for.
pub const MAX_LAGS: usize = 8;

/// Longest outcome window, in days.
pub const MAX_WINDOW_DAYS: u32 = 730;

const MAGIC: &[u8; 4] = b"KZSD";
const HEADER_LEN: u16 = 24;

const TAG_IDS: u16 = 1;
const TAG_NAMES: u16 = 2;
const TAG_OWNERS: u16 = 3;
const TAG_TIERS: u16 = 4;
const TAG_CURRENCIES: u16 = 5;
const TAG_MRR: u16 = 6;
const TAG_CHURNED: u16 = 7;
const TAG_SIGNAL: u16 = 8;

const ENC_F64: u8 = 1;
const ENC_F32: u8 = 2;
const ENC_I32: u8 = 3;
const ENC_I16: u8 = 4;
const ENC_I8: u8 = 5;
/// Largest decimal scale of the i32 encoding.
const MAX_SCALE: u8 = 6;
const POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

/// Query of `GET /api/v1/scoring-data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct ScoringDataQuery {
    /// The date the signal values are taken at (latest reading on or before
    /// it).
    #[garde(skip)]
    pub as_of: NaiveDate,
    /// Outcome window after `as_of`: an account is *churned* when it churned
    /// within these many days (1–730).
    #[garde(range(min = 1, max = MAX_WINDOW_DAYS))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 730))]
    pub window_days: u32,
    /// Comma-separated lags in days for trend measures (e.g. `30,60`): every
    /// signal also comes with its values as they stood that many days
    /// before `as_of`. At most [`MAX_LAGS`], each 1 to `MAX_TREND_DAYS`.
    #[garde(custom(valid_lags))]
    pub lags: Option<String>,
}

fn valid_lags(value: &Option<String>, _ctx: &()) -> garde::Result {
    parse_lags(value.as_deref())
        .map(|_| ())
        .map_err(garde::Error::new)
}

/// Parses the `lags` parameter into distinct, ascending day counts.
pub fn parse_lags(value: Option<&str>) -> Result<Vec<u32>, String> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let mut lags = Vec::new();
    for part in value.split(',') {
        let d: u32 = part
            .trim()
            .parse()
            .map_err(|_| format!("`{}` is not a whole number of days", part.trim()))?;
        if d == 0 || d > MAX_TREND_DAYS {
            return Err(format!("lags must be 1 to {MAX_TREND_DAYS} days, got {d}"));
        }
        lags.push(d);
    }
    lags.sort_unstable();
    lags.dedup();
    if lags.len() > MAX_LAGS {
        return Err(format!("at most {MAX_LAGS} lags"));
    }
    Ok(lags)
}

impl ScoringDataQuery {
    /// The requested lags (empty when none; an invalid list is caught by
    /// validation first).
    #[must_use]
    pub fn lags(&self) -> Vec<u32> {
        parse_lags(self.lags.as_deref()).unwrap_or_default()
    }
}

/// An account owner (a CSM) as the scoring data names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// User id.
    pub id: i64,
    /// Display name.
    pub name: String,
}

/// One account, as the server adds it with [`Accounts::push`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccountRow<'a> {
    /// Account id.
    pub id: i64,
    /// Company name.
    pub name: &'a str,
    /// Owner CSM: user id and display name.
    pub owner: Option<(i64, &'a str)>,
    /// Coverage tier.
    pub tier: Tier,
    /// MRR at the as-of date, minor units of `currency`.
    pub mrr_minor: i64,
    /// Currency of the MRR.
    pub currency: Currency,
    /// Whether the account churned within the outcome window.
    pub churned: bool,
}

/// The per-account columns other than signals (one entry per account).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accounts {
    ids: Vec<i64>,
    /// End offset of each name in `names`.
    name_ends: Vec<u32>,
    names: String,
    /// 0 = no owner, `c` = `owners[c − 1]`.
    owner_codes: Vec<u32>,
    owners: Vec<Owner>,
    owner_index: BTreeMap<i64, u32>,
    tiers: Vec<Tier>,
    mrr_minor: Vec<i64>,
    currencies: Vec<Currency>,
    churned: Vec<bool>,
}

impl Accounts {
    /// No accounts, room for `n`.
    #[must_use]
    pub fn with_capacity(n: usize) -> Self {
        Self {
            ids: Vec::with_capacity(n),
            name_ends: Vec::with_capacity(n),
            names: String::with_capacity(n * 16),
            owner_codes: Vec::with_capacity(n),
            tiers: Vec::with_capacity(n),
            mrr_minor: Vec::with_capacity(n),
            currencies: Vec::with_capacity(n),
            churned: Vec::with_capacity(n),
            ..Self::default()
        }
    }

    /// Appends an account. The first name given for an owner id is kept.
    pub fn push(&mut self, row: AccountRow<'_>) {
        self.ids.push(row.id);
        self.names.push_str(row.name);
        // Names longer than 4 GiB in total are not a realistic data set;
        // saturate rather than wrap.
        self.name_ends
            .push(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        let code = match row.owner {
            None => 0,
            Some((id, name)) => match self.owner_index.get(&id) {
                Some(&c) => c,
                None => {
                    self.owners.push(Owner {
                        id,
                        name: name.to_owned(),
                    });
                    let c = self.owners.len() as u32;
                    self.owner_index.insert(id, c);
                    c
                }
            },
        };
        self.owner_codes.push(code);
        self.tiers.push(row.tier);
        self.mrr_minor.push(row.mrr_minor);
        self.currencies.push(row.currency);
        self.churned.push(row.churned);
    }

    /// Number of accounts.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is no account.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Account ids.
    #[must_use]
    pub fn ids(&self) -> &[i64] {
        &self.ids
    }

    /// The name of account `i` (empty when out of range).
    #[must_use]
    pub fn name(&self, i: usize) -> &str {
        let Some(&end) = self.name_ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.name_ends[i - 1] };
        self.names
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// The owner of account `i`.
    #[must_use]
    pub fn owner(&self, i: usize) -> Option<&Owner> {
        let c = *self.owner_codes.get(i)?;
        c.checked_sub(1).and_then(|c| self.owners.get(c as usize))
    }

    /// Every distinct owner, in order of first appearance.
    #[must_use]
    pub fn owners(&self) -> &[Owner] {
        &self.owners
    }

    /// Owner code per account: 0 = none, `c` = `owners()[c − 1]` (for
    /// filtering by CSM without a lookup per account).
    #[must_use]
    pub fn owner_codes(&self) -> &[u32] {
        &self.owner_codes
    }

    /// Tiers.
    #[must_use]
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// MRR in minor units of each account's currency.
    #[must_use]
    pub fn mrr_minor(&self) -> &[i64] {
        &self.mrr_minor
    }

    /// Currencies.
    #[must_use]
    pub fn currencies(&self) -> &[Currency] {
        &self.currencies
    }

    /// Churned within the outcome window.
    #[must_use]
    pub fn churned(&self) -> &[bool] {
        &self.churned
    }
}

/// The decoded (or to-be-encoded) scoring data.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringData {
    as_of: NaiveDate,
    window_days: u32,
    accounts: Accounts,
    signals: SignalTable,
}

impl ScoringData {
    /// Puts the parts together; the signal table must have one row per
    /// account.
    pub fn new(
        as_of: NaiveDate,
        window_days: u32,
        accounts: Accounts,
        signals: SignalTable,
    ) -> Result<Self, DataError> {
        if signals.len() != accounts.len() {
            return Err(DataError::LengthMismatch {
                what: "signal table",
                expected: accounts.len(),
                got: signals.len(),
            });
        }
        Ok(Self {
            as_of,
            window_days,
            accounts,
            signals,
        })
    }

    /// The as-of date.
    #[must_use]
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The outcome window in days.
    #[must_use]
    pub fn window_days(&self) -> u32 {
        self.window_days
    }

    /// The accounts.
    #[must_use]
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The signal values (and lagged values).
    #[must_use]
    pub fn signals(&self) -> &SignalTable {
        &self.signals
    }

    /// Number of accounts.
    #[must_use]
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether there is no account.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// What a [`Panel`](crate::metrics::Panel) update reads.
    #[must_use]
    pub fn panel_inputs(&self) -> PanelInputs<'_> {
        PanelInputs {
            table: &self.signals,
            mrr_minor: &self.accounts.mrr_minor,
            currencies: &self.accounts.currencies,
            churned: &self.accounts.churned,
        }
    }
}

/// Why bytes are not valid scoring data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes do not start with `KZSD`.
    #[error("not Kizuna scoring data (wrong magic bytes)")]
    BadMagic,
    /// Another format version.
    #[error("scoring data format version {0} is not supported (this build reads version {FORMAT_VERSION})")]
    UnsupportedVersion(u16),
    /// The bytes end early.
    #[error("truncated scoring data: {what} needs {needed} bytes, {available} left")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes needed.
        needed: u64,
        /// Bytes left.
        available: u64,
    },
    /// A section's content is inconsistent.
    #[error("invalid scoring data ({what}): {detail}")]
    Invalid {
        /// The section or field.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A section that must appear once appears again.
    #[error("scoring data has two `{0}` sections")]
    DuplicateSection(&'static str),
    /// A required section is absent.
    #[error("scoring data has no `{0}` section")]
    MissingSection(&'static str),
    /// A dictionary holds a value this build does not know.
    #[error("unknown {what} `{value}` in scoring data")]
    UnknownValue {
        /// Tier or currency.
        what: &'static str,
        /// The value.
        value: String,
    },
    /// Signal columns clash.
    #[error(transparent)]
    Data(#[from] DataError),
}

fn invalid(what: &'static str, detail: impl Into<String>) -> DecodeError {
    DecodeError::Invalid {
        what,
        detail: detail.into(),
    }
}

// ------------------------------------------------------------------ encode

fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_str16(out: &mut Vec<u8>, s: &str) {
    // Keys and dictionary values are short; longer ones are cut at a char
    // boundary rather than corrupting the frame.
    let mut end = s.len().min(usize::from(u16::MAX));
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    put_u16(out, end as u16);
    out.extend_from_slice(&s.as_bytes()[..end]);
}

/// Starts a section; returns where its length goes.
fn begin(out: &mut Vec<u8>, tag: u16) -> usize {
    put_u16(out, tag);
    put_u16(out, 0);
    let at = out.len();
    put_u32(out, 0);
    at
}

/// Writes the section length at `at`.
fn end(out: &mut [u8], at: usize) {
    let len = (out.len() - at - 4) as u32;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

fn put_codes(out: &mut Vec<u8>, codes: impl ExactSizeIterator<Item = u32> + Clone) {
    let max = codes.clone().max().unwrap_or(0);
    let width: u8 = if max <= 0xFF {
        1
    } else if max <= 0xFFFF {
        2
    } else {
        4
    };
    out.push(width);
    out.reserve(codes.len() * usize::from(width));
    for c in codes {
        match width {
            1 => out.push(c as u8),
            2 => out.extend_from_slice(&(c as u16).to_le_bytes()),
            _ => out.extend_from_slice(&c.to_le_bytes()),
        }
    }
}

/// A dictionary of the distinct names of `values` (first-appearance
/// order) and the codes.
fn put_dict<T: Copy + Ord>(out: &mut Vec<u8>, values: &[T], name: impl Fn(T) -> &'static str) {
    let mut dict: Vec<T> = Vec::new();
    let mut index: BTreeMap<T, u32> = BTreeMap::new();
    let codes: Vec<u32> = values
        .iter()
        .map(|&v| {
            *index.entry(v).or_insert_with(|| {
                dict.push(v);
                dict.len() as u32 - 1
            })
        })
        .collect();
    put_u16(out, dict.len() as u16);
    for &v in &dict {
        put_str16(out, name(v));
    }
    put_codes(out, codes.iter().copied());
}

/// The smallest exact encoding of a column (see the module docs).
fn value_encoding(values: &[f64]) -> (u8, u8) {
    'scale: for scale in 0..=MAX_SCALE {
        let p = POW10[usize::from(scale)];
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for &v in values {
            if v.is_nan() {
                continue;
            }
            let i = (v * p).round();
            // `i32::MIN` is the missing marker, hence `<` on the left; −0.0
            // would come back as +0.0 from an integer.
            if !(f64::from(i32::MIN) < i && i <= f64::from(i32::MAX))
                || (i / p).to_bits() != v.to_bits()
                || v.to_bits() == (-0.0f64).to_bits()
            {
                continue 'scale;
            }
            lo = lo.min(i);
            hi = hi.max(i);
        }
        let within = |min: f64, max: f64| min < lo && hi <= max;
        let enc = if within(f64::from(i8::MIN), f64::from(i8::MAX)) {
            ENC_I8
        } else if within(f64::from(i16::MIN), f64::from(i16::MAX)) {
            ENC_I16
        } else {
            ENC_I32
        };
        return (enc, scale);
    }
    if values
        .iter()
        .all(|&v| v.is_nan() || f64::from(v as f32).to_bits() == v.to_bits())
    {
        return (ENC_F32, 0);
    }
    (ENC_F64, 0)
}

fn put_values(out: &mut Vec<u8>, column: &Column) {
    let values: Vec<f64> = match column {
        Column::F64(v) => v.clone(),
        Column::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
    };
    let (enc, scale) = value_encoding(&values);
    out.push(enc);
    out.push(scale);
    let p = POW10[usize::from(scale)];
    // In range for the chosen width: checked by `value_encoding`.
    let int = |v: f64| (v * p).round() as i32;
    for &v in &values {
        match enc {
            ENC_I8 => out.push(if v.is_nan() { i8::MIN } else { int(v) as i8 } as u8),
            ENC_I16 => {
                let i = if v.is_nan() { i16::MIN } else { int(v) as i16 };
                out.extend_from_slice(&i.to_le_bytes());
            }
            ENC_I32 => {
                let i = if v.is_nan() { i32::MIN } else { int(v) };
                out.extend_from_slice(&i.to_le_bytes());
            }
            ENC_F32 => out.extend_from_slice(&(v as f32).to_le_bytes()),
            _ => out.extend_from_slice(&v.to_le_bytes()),
        }
    }
}

/// Encodes scoring data (the server's side; see the module docs).
#[must_use]
pub fn encode(data: &ScoringData) -> Vec<u8> {
    let a = &data.accounts;
    let n = a.len();
    let signals = data.signals.columns().count() + data.signals.lagged_columns().count();
    let mut out = Vec::with_capacity(64 + n * (8 + 4 + 16 + 8 + 4 + 4 * signals));
    out.extend_from_slice(MAGIC);
    put_u16(&mut out, FORMAT_VERSION);
    put_u16(&mut out, HEADER_LEN);
    put_u32(&mut out, n as u32);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let days = (data.as_of - epoch).num_days();
    out.extend_from_slice(&(days as i32).to_le_bytes());
    put_u32(&mut out, data.window_days);
    put_u32(&mut out, 7 + signals as u32);

    let at = begin(&mut out, TAG_IDS);
    let mut prev = 0i64;
    for &id in &a.ids {
        out.extend_from_slice(&id.wrapping_sub(prev).to_le_bytes());
        prev = id;
    }
    end(&mut out, at);

    let at = begin(&mut out, TAG_NAMES);
    let mut start = 0u32;
    for &e in &a.name_ends {
        put_u32(&mut out, e - start);
        start = e;
    }
    out.extend_from_slice(a.names.as_bytes());
    end(&mut out, at);

    let at = begin(&mut out, TAG_OWNERS);
    put_u32(&mut out, a.owners.len() as u32);
    for o in &a.owners {
        out.extend_from_slice(&o.id.to_le_bytes());
        put_u32(&mut out, o.name.len() as u32);
        out.extend_from_slice(o.name.as_bytes());
    }
    put_codes(&mut out, a.owner_codes.iter().copied());
    end(&mut out, at);

    let at = begin(&mut out, TAG_TIERS);
    put_dict(&mut out, &a.tiers, Tier::as_str);
    end(&mut out, at);

    let at = begin(&mut out, TAG_CURRENCIES);
    put_dict(&mut out, &a.currencies, Currency::as_str);
    end(&mut out, at);

    let at = begin(&mut out, TAG_MRR);
    for &m in &a.mrr_minor {
        out.extend_from_slice(&m.to_le_bytes());
    }
    end(&mut out, at);

    let at = begin(&mut out, TAG_CHURNED);
    let mut bits = vec![0u8; n.div_ceil(8)];
    for (i, _) in a.churned.iter().enumerate().filter(|(_, &c)| c) {
        bits[i / 8] |= 1 << (i % 8);
    }
    out.extend_from_slice(&bits);
    end(&mut out, at);

    let columns = data
        .signals
        .columns()
        .map(|(k, c)| (k, 0, c))
        .chain(data.signals.lagged_columns());
    for (key, lag, column) in columns {
        let at = begin(&mut out, TAG_SIGNAL);
        put_str16(&mut out, key);
        put_u32(&mut out, lag);
        put_values(&mut out, column);
        end(&mut out, at);
    }
    out
}

// ------------------------------------------------------------------ decode

/// A bounds-checked little-endian reader.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: u64, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let available = self.bytes.len() as u64;
        if len > available {
            return Err(DecodeError::Truncated {
                what,
                needed: len,
                available,
            });
        }
        // `len <= bytes.len()`, so it fits in usize.
        let (head, tail) = self.bytes.split_at(len as usize);
        self.bytes = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N as u64, what)?);
        Ok(a)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        self.array(what).map(u16::from_le_bytes)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        self.array(what).map(u32::from_le_bytes)
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, DecodeError> {
        self.array(what).map(i32::from_le_bytes)
    }

    fn i64(&mut self, what: &'static str) -> Result<i64, DecodeError> {
        self.array(what).map(i64::from_le_bytes)
    }

    fn str(&mut self, len: u64, what: &'static str) -> Result<&'a str, DecodeError> {
        std::str::from_utf8(self.take(len, what)?).map_err(|_| invalid(what, "text is not UTF-8"))
    }

    /// `n` fixed-size items.
    fn items(&mut self, n: usize, size: u64, what: &'static str) -> Result<&'a [u8], DecodeError> {
        self.take(n as u64 * size, what)
    }

    fn done(&self, what: &'static str) -> Result<(), DecodeError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(invalid(
                what,
                format!(
                    "{} bytes left over at the end of the section",
                    self.bytes.len()
                ),
            ))
        }
    }
}

fn get_codes(r: &mut Reader<'_>, n: usize, what: &'static str) -> Result<Vec<u32>, DecodeError> {
    let width = r.u8(what)?;
    let codes = match width {
        1 => r.items(n, 1, what)?.iter().map(|&b| u32::from(b)).collect(),
        2 => r
            .items(n, 2, what)?
            .chunks_exact(2)
            .map(|c| u32::from(u16::from_le_bytes([c[0], c[1]])))
            .collect(),
        4 => r
            .items(n, 4, what)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
        w => {
            return Err(invalid(
                what,
                format!("code width {w} (expected 1, 2 or 4)"),
            ))
        }
    };
    Ok(codes)
}

fn get_dict<T: Copy + std::str::FromStr>(
    r: &mut Reader<'_>,
    n: usize,
    what: &'static str,
) -> Result<Vec<T>, DecodeError> {
    let k = r.u16(what)?;
    let mut dict = Vec::with_capacity(usize::from(k));
    for _ in 0..k {
        let len = r.u16(what)?;
        let s = r.str(u64::from(len), what)?;
        dict.push(s.parse::<T>().map_err(|_| DecodeError::UnknownValue {
            what,
            value: s.to_owned(),
        })?);
    }
    let codes = get_codes(r, n, what)?;
    codes
        .iter()
        .map(|&c| {
            dict.get(c as usize)
                .copied()
                .ok_or_else(|| invalid(what, format!("code {c} outside the dictionary of {k}")))
        })
        .collect()
}

/// Decimal integers of `width` bytes (`MIN` = missing) to values.
fn decimals<const W: usize>(
    bytes: &[u8],
    scale: u8,
    int: impl Fn([u8; W]) -> (i32, bool),
) -> Column {
    let p = POW10[usize::from(scale)];
    let values = bytes.chunks_exact(W).map(|c| {
        let mut a = [0u8; W];
        a.copy_from_slice(c);
        int(a)
    });
    // Two loops so that the common scale 0 needs no division.
    Column::F64(if scale == 0 {
        values
            .map(|(i, missing)| if missing { f64::NAN } else { f64::from(i) })
            .collect()
    } else {
        values
            .map(|(i, missing)| if missing { f64::NAN } else { f64::from(i) / p })
            .collect()
    })
}

fn get_values(r: &mut Reader<'_>, n: usize, what: &'static str) -> Result<Column, DecodeError> {
    let enc = r.u8(what)?;
    let scale = r.u8(what)?;
    if scale > MAX_SCALE || (scale != 0 && !matches!(enc, ENC_I32 | ENC_I16 | ENC_I8)) {
        return Err(invalid(what, format!("decimal scale {scale}")));
    }
    Ok(match enc {
        ENC_F64 => Column::F64(
            r.items(n, 8, what)?
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
        ),
        ENC_F32 => Column::F32(
            r.items(n, 4, what)?
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        ENC_I32 => decimals::<4>(r.items(n, 4, what)?, scale, |b| {
            let i = i32::from_le_bytes(b);
            (i, i == i32::MIN)
        }),
        ENC_I16 => decimals::<2>(r.items(n, 2, what)?, scale, |b| {
            let i = i16::from_le_bytes(b);
            (i32::from(i), i == i16::MIN)
        }),
        ENC_I8 => decimals::<1>(r.items(n, 1, what)?, scale, |b| {
            let i = i8::from_le_bytes(b);
            (i32::from(i), i == i8::MIN)
        }),
        e => return Err(invalid(what, format!("value encoding {e}"))),
    })
}

/// Decodes scoring data (the browser's side; see the module docs). Never
/// panics: any problem with the bytes is a [`DecodeError`].
pub fn decode(bytes: &[u8]) -> Result<ScoringData, DecodeError> {
    let mut r = Reader { bytes };
    if &r.array::<4>("header")? != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    let version = r.u16("header")?;
    if version != FORMAT_VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let header_len = r.u16("header")?;
    if header_len < HEADER_LEN {
        return Err(invalid("header", format!("header length {header_len}")));
    }
    let n = r.u32("header")? as usize;
    let days = r.i32("header")?;
    let as_of = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::TimeDelta::try_days(i64::from(days))?))
        .ok_or_else(|| invalid("header", format!("as-of day {days} is out of range")))?;
    let window_days = r.u32("header")?;
    let sections = r.u32("header")?;
    r.take(u64::from(header_len - HEADER_LEN), "header")?;

    let mut ids: Option<Vec<i64>> = None;
    let mut names: Option<(Vec<u32>, String)> = None;
    let mut owners: Option<(Vec<Owner>, Vec<u32>)> = None;
    let mut tiers: Option<Vec<Tier>> = None;
    let mut currencies: Option<Vec<Currency>> = None;
    let mut mrr: Option<Vec<i64>> = None;
    let mut churned: Option<Vec<bool>> = None;
    let mut table = SignalTable::new(n);

    fn once<T>(slot: &mut Option<T>, what: &'static str, v: T) -> Result<(), DecodeError> {
        if slot.is_some() {
            return Err(DecodeError::DuplicateSection(what));
        }
        *slot = Some(v);
        Ok(())
    }

    for _ in 0..sections {
        let tag = r.u16("section header")?;
        let _reserved = r.u16("section header")?;
        let len = r.u32("section header")?;
        let mut s = Reader {
            bytes: r.take(u64::from(len), "section")?,
        };
        match tag {
            TAG_IDS => {
                let what = "account ids";
                let mut prev = 0i64;
                let v = s
                    .items(n, 8, what)?
                    .chunks_exact(8)
                    .map(|c| {
                        prev = prev.wrapping_add(i64::from_le_bytes([
                            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
                        ]));
                        prev
                    })
                    .collect();
                s.done(what)?;
                once(&mut ids, what, v)?;
            }
            TAG_NAMES => {
                let what = "names";
                let mut ends = Vec::with_capacity(n);
                let mut total = 0u64;
                for c in s.items(n, 4, what)?.chunks_exact(4) {
                    total += u64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
                    let end = u32::try_from(total)
                        .map_err(|_| invalid(what, "names longer than 4 GiB in total"))?;
                    ends.push(end);
                }
                let text = s.str(total, what)?;
                if ends.iter().any(|&e| !text.is_char_boundary(e as usize)) {
                    return Err(invalid(what, "a name ends inside a character"));
                }
                s.done(what)?;
                once(&mut names, what, (ends, text.to_owned()))?;
            }
            TAG_OWNERS => {
                let what = "owners";
                let k = s.u32(what)?;
                // Each entry takes at least 12 bytes: bound the allocation
                // by what the section can hold.
                let mut list = Vec::with_capacity((k as usize).min(s.bytes.len() / 12));
                for _ in 0..k {
                    let id = s.i64(what)?;
                    let len = s.u32(what)?;
                    let name = s.str(u64::from(len), what)?.to_owned();
                    list.push(Owner { id, name });
                }
                let codes = get_codes(&mut s, n, what)?;
                if let Some(&c) = codes.iter().find(|&&c| c as usize > list.len()) {
                    return Err(invalid(what, format!("owner code {c} of {k} owners")));
                }
                s.done(what)?;
                once(&mut owners, what, (list, codes))?;
            }
            TAG_TIERS => {
                let what = "tiers";
                let v = get_dict::<Tier>(&mut s, n, what)?;
                s.done(what)?;
                once(&mut tiers, what, v)?;
            }
            TAG_CURRENCIES => {
                let what = "currencies";
                let v = get_dict::<Currency>(&mut s, n, what)?;
                s.done(what)?;
                once(&mut currencies, what, v)?;
            }
            TAG_MRR => {
                let what = "MRR";
                let v = s
                    .items(n, 8, what)?
                    .chunks_exact(8)
                    .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                    .collect();
                s.done(what)?;
                once(&mut mrr, what, v)?;
            }
            TAG_CHURNED => {
                let what = "churned";
                let bits = s.take(n.div_ceil(8) as u64, what)?;
                let v = (0..n).map(|i| bits[i / 8] >> (i % 8) & 1 == 1).collect();
                s.done(what)?;
                once(&mut churned, what, v)?;
            }
            TAG_SIGNAL => {
                let what = "signal";
                let klen = s.u16(what)?;
                let key = s.str(u64::from(klen), what)?;
                if key.is_empty() {
                    return Err(invalid(what, "empty signal key"));
                }
                let lag = s.u32(what)?;
                let column = get_values(&mut s, n, what)?;
                s.done(what)?;
                if lag == 0 {
                    table.add(key, column)?;
                } else {
                    table.add_lagged(key, lag, column)?;
                }
            }
            // A section added by a later writer: skipped.
            _ => {}
        }
    }
    r.done("scoring data")?;

    let (name_ends, names) = names.ok_or(DecodeError::MissingSection("names"))?;
    let (owners, owner_codes) = owners.ok_or(DecodeError::MissingSection("owners"))?;
    let owner_index = owners
        .iter()
        .enumerate()
        .map(|(i, o)| (o.id, i as u32 + 1))
        .collect();
    let accounts = Accounts {
        ids: ids.ok_or(DecodeError::MissingSection("account ids"))?,
        name_ends,
        names,
        owner_codes,
        owners,
        owner_index,
        tiers: tiers.ok_or(DecodeError::MissingSection("tiers"))?,
        mrr_minor: mrr.ok_or(DecodeError::MissingSection("MRR"))?,
        currencies: currencies.ok_or(DecodeError::MissingSection("currencies"))?,
        churned: churned.ok_or(DecodeError::MissingSection("churned"))?,
    };
    Ok(ScoringData::new(as_of, window_days, accounts, table)?)
}
