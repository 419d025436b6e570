//! Calendar months and reporting periods (a whole number of months).
//!
//! A [`Period`] is `first_month` plus `months` (1 = month, 3 = quarter,
//! 12 = year). Its *start snapshot* is the month before `first_month`, its
//! *end snapshot* its last month; a date belongs to it when it falls between
//! the first day of `first_month` and the last day of the last month.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why a month or a period could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The text is not `YYYY-MM` with a month in 1–12.
    #[error("invalid month `{0}` (expected YYYY-MM)")]
    InvalidMonth(String),
    /// A period must span at least one month.
    #[error("a period must span at least one month")]
    ZeroMonths,
    /// The month lies outside the range chrono dates support.
    #[error("month out of range")]
    OutOfRange,
}

/// A calendar month, serialised as `"YYYY-MM"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `month` (1–12) of `year`; `None` when `month` is out of range
    /// or the year is outside chrono's date range.
    #[must_use]
    pub fn new(year: i32, month: u32) -> Option<Self> {
        if (1..=12).contains(&month) && NaiveDate::from_ymd_opt(year, month, 1).is_some() {
            Some(Self { year, month })
        } else {
            None
        }
    }

    /// The month a date falls in.
    #[must_use]
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    #[must_use]
    pub const fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1–12.
    #[must_use]
    pub const fn month(self) -> u32 {
        self.month
    }

    /// Months since year 0 (a dense, ordered index).
    #[must_use]
    pub const fn index(self) -> i64 {
        self.year as i64 * 12 + (self.month as i64 - 1)
    }

    /// The month `n` months later (`n` may be negative); `None` out of range.
    #[must_use]
    pub fn plus(self, n: i64) -> Option<Self> {
        let idx = self.index().checked_add(n)?;
        let year = i32::try_from(idx.div_euclid(12)).ok()?;
        let month = u32::try_from(idx.rem_euclid(12) + 1).ok()?;
        Self::new(year, month)
    }

    /// The first day of the month.
    #[must_use]
    pub fn first_day(self) -> NaiveDate {
        // `new` guarantees the date exists.
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the month.
    #[must_use]
    pub fn last_day(self) -> NaiveDate {
        match self.plus(1) {
            Some(next) => next.first_day().pred_opt().unwrap_or(NaiveDate::MAX),
            None => NaiveDate::MAX,
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = PeriodError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || PeriodError::InvalidMonth(s.to_owned());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if m.len() != 2 || y.is_empty() {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        Self::new(year, month).ok_or_else(bad)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A reporting period: `months` whole calendar months from `first_month`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawPeriod", into = "RawPeriod")]
pub struct Period {
    first_month: Month,
    months: u32,
}

#[derive(Serialize, Deserialize)]
struct RawPeriod {
    first_month: Month,
    months: u32,
}

impl TryFrom<RawPeriod> for Period {
    type Error = PeriodError;
    fn try_from(r: RawPeriod) -> Result<Self, Self::Error> {
        Period::new(r.first_month, r.months)
    }
}

impl From<Period> for RawPeriod {
    fn from(p: Period) -> Self {
        RawPeriod {
            first_month: p.first_month,
            months: p.months,
        }
    }
}

impl Period {
    /// `months` months from `first_month` (at least one, and the last month
    /// must be representable).
    pub fn new(first_month: Month, months: u32) -> Result<Self, PeriodError> {
        if months == 0 {
            return Err(PeriodError::ZeroMonths);
        }
        first_month
            .plus(i64::from(months) - 1)
            .and(first_month.plus(-1))
            .ok_or(PeriodError::OutOfRange)?;
        Ok(Self {
            first_month,
            months,
        })
    }

    /// The single month `m`.
    #[must_use]
    pub fn month(m: Month) -> Self {
        Self {
            first_month: m,
            months: 1,
        }
    }

    /// The calendar quarter containing `m`.
    #[must_use]
    pub fn quarter_of(m: Month) -> Self {
        let first = (m.month - 1) / 3 * 3 + 1;
        Self {
            first_month: Month {
                year: m.year,
                month: first,
            },
            months: 3,
        }
    }

    /// The calendar year `year` (`None` out of chrono's range).
    #[must_use]
    pub fn year(year: i32) -> Option<Self> {
        Self::new(Month::new(year, 1)?, 12).ok()
    }

    /// The first month.
    #[must_use]
    pub const fn first_month(self) -> Month {
        self.first_month
    }

    /// The number of months.
    #[must_use]
    pub const fn months(self) -> u32 {
        self.months
    }

    /// The last month (the end snapshot).
    #[must_use]
    pub fn last_month(self) -> Month {
        self.first_month
            .plus(i64::from(self.months) - 1)
            .unwrap_or(self.first_month)
    }

    /// The month before the first month (the start snapshot).
    #[must_use]
    pub fn start_snapshot(self) -> Month {
        self.first_month.plus(-1).unwrap_or(self.first_month)
    }

    /// The period of the same length right after this one (`None` out of range).
    #[must_use]
    pub fn next(self) -> Option<Self> {
        Self::new(self.first_month.plus(i64::from(self.months))?, self.months).ok()
    }

    /// `count` consecutive periods of this length starting with this one.
    pub fn series(self, count: usize) -> impl Iterator<Item = Period> {
        std::iter::successors(Some(self), |p| p.next()).take(count)
    }

    /// The first day of the period.
    #[must_use]
    pub fn first_day(self) -> NaiveDate {
        self.first_month.first_day()
    }

    /// The last day of the period.
    #[must_use]
    pub fn last_day(self) -> NaiveDate {
        self.last_month().last_day()
    }

    /// Whether `date` falls in the period (both ends included).
    #[must_use]
    pub fn contains(self, date: NaiveDate) -> bool {
        date >= self.first_day() && date <= self.last_day()
    }

    /// Whether month `m` is one of the period's months.
    #[must_use]
    pub fn contains_month(self, m: Month) -> bool {
        m >= self.first_month && m <= self.last_month()
    }
}
