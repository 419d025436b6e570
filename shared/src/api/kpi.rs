//! The KPI API (`GET /api/v1/kpis`, `GET /api/v1/kpis/series`) and the
//! live event stream (`GET /api/v1/events`): queries, answers and events.
//!
//! A query names a period kind (month, quarter, year) and a range of months
//! (`from`, `to`); both ends are widened to whole periods of that kind.
//! `/kpis` answers the whole range as one period together with the period of
//! the same length right before it; `/kpis/series` answers each period of
//! the range in turn, for charts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

use crate::domain::{Currency, Tier};
use crate::metrics::kpi::{
    Cohort, FactFilter, HealthKpis, OnboardingKpis, RevenueMovements, SurveyKpis,
};
use crate::metrics::period::{Month, Period};

/// Most periods one series may hold (ten years of months).
pub const MAX_SERIES_PERIODS: usize = 120;

/// Most months one `/kpis` range may span (ten years).
pub const MAX_RANGE_MONTHS: u32 = 120;

string_enum!(
    /// Length of the periods of a KPI query.
    #[derive(Default)]
    PeriodKind, "period", {
        /// Calendar months.
        #[default]
        Month => "month",
        /// Calendar quarters.
        Quarter => "quarter",
        /// Calendar years.
        Year => "year",
    }
);

impl PeriodKind {
    /// Months in one period of this kind.
    #[must_use]
    pub const fn months(self) -> u32 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Year => 12,
        }
    }

    /// The first month of the period of this kind containing `m`.
    #[must_use]
    pub fn start_of(self, m: Month) -> Month {
        let len = self.months();
        let first = (m.month() - 1) / len * len + 1;
        Month::new(m.year(), first).unwrap_or(m)
    }

    /// The last month of the period of this kind containing `m`.
    #[must_use]
    pub fn end_of(self, m: Month) -> Month {
        let start = self.start_of(m);
        start.plus(i64::from(self.months()) - 1).unwrap_or(start)
    }
}

/// Query of `GET /api/v1/kpis` and `GET /api/v1/kpis/series`. Unknown
/// parameters are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct KpiQuery {
    /// Period kind (default `month`).
    #[garde(skip)]
    pub period: Option<PeriodKind>,
    /// First month of the range, `YYYY-MM` (default: the period holding `to`).
    #[garde(skip)]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$", example = "2025-01"))]
    pub from: Option<Month>,
    /// Last month of the range, `YYYY-MM` (default: the latest month with
    /// revenue data, or the current month when there is none).
    #[garde(skip)]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>, pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$", example = "2025-12"))]
    pub to: Option<Month>,
    /// Only accounts of this segment (industry).
    #[garde(length(chars, min = 1, max = 200))]
    #[cfg_attr(feature = "openapi", param(min_length = 1, max_length = 200))]
    pub segment: Option<String>,
    /// Only accounts of this MRR tier (of their current MRR).
    #[garde(skip)]
    pub tier: Option<Tier>,
    /// Only accounts owned by this user id.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub owner: Option<i64>,
    /// Only accounts on this plan.
    #[garde(length(chars, min = 1, max = 200))]
    #[cfg_attr(feature = "openapi", param(min_length = 1, max_length = 200))]
    pub plan: Option<String>,
}

impl KpiQuery {
    /// The period kind with its default.
    #[must_use]
    pub fn kind(&self) -> PeriodKind {
        self.period.unwrap_or_default()
    }

    /// The account filter of the query.
    #[must_use]
    pub fn filter(&self) -> FactFilter {
        FactFilter {
            segment: self.segment.clone(),
            tier: self.tier,
            owner: self.owner,
            plan: self.plan.clone(),
        }
    }

    /// The range widened to whole periods, with `latest` (the last month
    /// with data) as the default end: `(first month, last month)`.
    ///
    /// # Errors
    /// A message when `from` is after `to` or the range is longer than
    /// [`MAX_RANGE_MONTHS`].
    pub fn range(&self, latest: Month) -> Result<(Month, Month), String> {
        let kind = self.kind();
        let to = kind.end_of(self.to.unwrap_or(latest));
        let from = kind.start_of(self.from.unwrap_or(to));
        if from > to {
            return Err(format!("`from` ({from}) must not be after `to` ({to})."));
        }
        let months = to.index() - from.index() + 1;
        if months > i64::from(MAX_RANGE_MONTHS) {
            return Err(format!(
                "The range spans {months} months; at most {MAX_RANGE_MONTHS} are allowed."
            ));
        }
        Ok((from, to))
    }

    /// The query string of this query (without `?`), parameters in a fixed
    /// order and defaults left out; the app uses it for its URL and its
    /// API calls.
    #[must_use]
    pub fn to_query_string(&self, encode: impl Fn(&str) -> String) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.period.filter(|p| *p != PeriodKind::Month) {
            parts.push(format!("period={}", p.as_str()));
        }
        if let Some(m) = self.from {
            parts.push(format!("from={m}"));
        }
        if let Some(m) = self.to {
            parts.push(format!("to={m}"));
        }
        if let Some(s) = &self.segment {
            parts.push(format!("segment={}", encode(s)));
        }
        if let Some(t) = self.tier {
            parts.push(format!("tier={t}"));
        }
        if let Some(o) = self.owner {
            parts.push(format!("owner={o}"));
        }
        if let Some(p) = &self.plan {
            parts.push(format!("plan={}", encode(p)));
        }
        parts.join("&")
    }
}

/// A reporting period as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodSpan {
    /// First month, `YYYY-MM`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2025-04"))]
    pub first_month: Month,
    /// Last month, `YYYY-MM`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2025-06"))]
    pub last_month: Month,
    /// Number of months.
    pub months: u32,
}

impl From<Period> for PeriodSpan {
    fn from(p: Period) -> Self {
        PeriodSpan {
            first_month: p.first_month(),
            last_month: p.last_month(),
            months: p.months(),
        }
    }
}

impl PeriodSpan {
    /// The period back.
    #[must_use]
    pub fn period(self) -> Option<Period> {
        Period::new(self.first_month, self.months).ok()
    }
}

/// Revenue KPIs of one currency (never summed across currencies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrencyRevenue {
    /// The currency of every amount here.
    pub currency: Currency,
    /// Movements (start, new, reactivation, expansion, contraction, churn,
    /// end; minor units), the counts behind them and the KPIs derived
    /// from them.
    #[serde(flatten)]
    pub movements: RevenueMovements,
}

/// Every KPI of one period for the filtered accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodKpis {
    /// The period.
    pub period: PeriodSpan,
    /// Revenue KPIs, one entry per currency the filtered accounts have
    /// revenue in (an entry with zero counts and `null` ratios when the
    /// period has no data).
    pub revenue: Vec<CurrencyRevenue>,
    /// NPS and CSAT (counts, margin of error) of the answers dated in the
    /// period, of the accounts the filters keep; `null` only from a server
    /// without the survey data source (see `KpiBasis::sources`).
    pub surveys: Option<SurveyKpis>,
    /// Onboarding completion of the customer sheets started in the period
    /// and time to value of those completed in it; `null` only from a
    /// server without the onboarding data source.
    pub onboarding: Option<OnboardingKpis>,
    /// Health band distribution (accounts, and MRR per currency) and
    /// at-risk MRR of the filtered accounts, from the published score
    /// snapshot standing at the period's end; `null` only from a server
    /// without the health data source.
    pub health: Option<HealthKpis>,
}

impl PeriodKpis {
    /// The revenue KPIs of `currency`, if listed.
    #[must_use]
    pub fn revenue_of(&self, currency: Currency) -> Option<&RevenueMovements> {
        self.revenue
            .iter()
            .find(|r| r.currency == currency)
            .map(|r| &r.movements)
    }
}

/// What the data the answer was computed from covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiBasis {
    /// The data version the answer was computed from (it grows with every
    /// change event; see `/api/v1/events`).
    pub data_version: i64,
    /// Accounts passing the filters.
    pub accounts: usize,
    /// First month with revenue data, if any.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "2024-01"))]
    pub first_data_month: Option<Month>,
    /// Last month with revenue data, if any.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "2025-12"))]
    pub last_data_month: Option<Month>,
    /// Gross margin used for the LTV, as a fraction (a server setting).
    pub gross_margin: f64,
    /// Which optional data sources this server has (surveys, onboarding,
    /// health); the dashboard shows tiles only for those it has.
    pub sources: Vec<String>,
}

/// Answer of `GET /api/v1/kpis`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiResponse {
    /// Period kind of the query.
    pub period_kind: PeriodKind,
    /// The range of the query, as one period.
    pub current: PeriodKpis,
    /// The period of the same length right before it, for comparison.
    pub previous: PeriodKpis,
    /// What the numbers were computed from.
    pub basis: KpiBasis,
}

/// Answer of `GET /api/v1/kpis/series`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KpiSeriesResponse {
    /// Period kind of the query.
    pub period_kind: PeriodKind,
    /// Each period of the range, oldest first.
    pub periods: Vec<PeriodKpis>,
    /// Monthly cohorts starting in the range: logo and revenue retention by
    /// months since the start.
    pub cohorts: Vec<Cohort>,
    /// Segments present in the data (for the filter).
    pub segments: Vec<String>,
    /// Plans present in the data (for the filter).
    pub plans: Vec<String>,
    /// What the numbers were computed from.
    pub basis: KpiBasis,
}

string_enum!(
    /// What changed, as announced on `/api/v1/events`.
    ChangeKind, "change kind", {
        /// A survey answer was recorded.
        SurveyAnswer => "survey_answer",
        /// A CSV import changed data.
        Import => "import",
        /// An account was created, edited, merged or deleted.
        AccountChange => "account_change",
        /// A health-score model was published.
        ModelPublish => "model_publish",
        /// A customer's onboarding sheet was completed, reopened (a
        /// required item unticked), started or deleted: whatever moves the
        /// onboarding KPIs (they count started and completed sheets).
        SheetCompletion => "sheet_completion",
    }
);

impl ChangeKind {
    /// Whether the change can move revenue KPIs (MRR history, accounts).
    #[must_use]
    pub const fn affects_revenue(self) -> bool {
        matches!(self, ChangeKind::Import | ChangeKind::AccountChange)
    }
}

/// One event of `/api/v1/events` (the `data` of an SSE `change` event; its
/// SSE `id` is `id`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeEvent {
    /// Event id: grows with every change, so it is also the data version
    /// the change produced.
    pub id: i64,
    /// What changed.
    pub kind: ChangeKind,
    /// The account concerned, when one is.
    pub account_id: Option<i64>,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// The `data` of the SSE `ready` event sent first on every connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamReady {
    /// The current data version (the last event id, 0 before any).
    pub data_version: i64,
}

/// Per currency, a value for tiles that show one number per currency.
pub type PerCurrency<T> = BTreeMap<Currency, T>;

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_widen_to_whole_periods() {
        let q = KpiQuery {
            period: Some(PeriodKind::Quarter),
            from: Some(m("2025-02")),
            to: Some(m("2025-05")),
            ..KpiQuery::default()
        };
        assert_eq!(q.range(m("2030-01")), Ok((m("2025-01"), m("2025-06"))));
        let year = KpiQuery {
            period: Some(PeriodKind::Year),
            ..KpiQuery::default()
        };
        assert_eq!(year.range(m("2025-05")), Ok((m("2025-01"), m("2025-12"))));
        let month = KpiQuery::default();
        assert_eq!(month.range(m("2025-05")), Ok((m("2025-05"), m("2025-05"))));
    }

    #[test]
    fn backwards_and_overlong_ranges_are_refused() {
        let back = KpiQuery {
            from: Some(m("2025-06")),
            to: Some(m("2025-01")),
            ..KpiQuery::default()
        };
        assert!(back.range(m("2025-01")).is_err());
        let long = KpiQuery {
            from: Some(m("2000-01")),
            to: Some(m("2025-01")),
            ..KpiQuery::default()
        };
        assert!(long.range(m("2025-01")).is_err());
    }

    #[test]
    fn query_strings_leave_defaults_out_and_encode_text() {
        let q = KpiQuery {
            period: Some(PeriodKind::Quarter),
            to: Some(m("2025-06")),
            segment: Some("IT & 通信".into()),
            owner: Some(3),
            ..KpiQuery::default()
        };
        let s = q.to_query_string(|v| v.replace('&', "%26").replace(' ', "%20"));
        assert_eq!(
            s,
            "period=quarter&to=2025-06&segment=IT%20%26%20通信&owner=3"
        );
        assert_eq!(KpiQuery::default().to_query_string(str::to_owned), "");
    }

    #[test]
    fn change_kinds_round_trip() {
        for &k in ChangeKind::ALL {
            assert_eq!(k.as_str().parse::<ChangeKind>(), Ok(k));
        }
    }
}
