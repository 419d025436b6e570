//! Onboarding completion rate and time to value.

use super::pct;
use crate::metrics::period::Period;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An onboarding sheet of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnboardingSheet<A = String> {
    /// Account key.
    pub account: A,
    /// Start date.
    pub started_on: NaiveDate,
    /// Completion date, if completed.
    pub completed_on: Option<NaiveDate>,
}

/// Lifecycle dates of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDates<A = String> {
    /// Account key.
    pub account: A,
    /// Contract start.
    pub contract_start: NaiveDate,
    /// Churn date, if churned.
    #[serde(default)]
    pub churned_on: Option<NaiveDate>,
}

/// Onboarding KPIs of a period.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnboardingKpis {
    /// Sheets started in the period.
    pub sheets_started: usize,
    /// Of those, completed on or before the as-of date.
    pub sheets_completed: usize,
    /// `sheets_completed ÷ sheets_started × 100`.
    pub onboarding_completion_pct: Option<f64>,
    /// Sheets completed in the period whose account has a contract start
    /// (the sample of the median).
    pub ttv_completions: usize,
    /// Median days from contract start to completion.
    pub ttv_median_days: Option<f64>,
}

/// Median of integers (mean of the two middle values for an even count).
#[must_use]
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let m = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[m] as f64
    } else {
        (values[m - 1] as f64 + values[m] as f64) / 2.0
    })
}

/// Completion rate of the sheets started in `period` (completed on or before
/// `as_of`) and median time to value of the sheets completed in `period`;
/// `contract_start` gives an account's contract start (sheets of accounts
/// without one are left out of the time to value).
#[must_use]
pub fn onboarding_kpis<'a, A: 'a>(
    sheets: impl IntoIterator<Item = &'a OnboardingSheet<A>>,
    mut contract_start: impl FnMut(&A) -> Option<NaiveDate>,
    period: Period,
    as_of: NaiveDate,
) -> OnboardingKpis {
    let mut r = OnboardingKpis::default();
    let mut days = Vec::new();
    for s in sheets {
        if period.contains(s.started_on) {
            r.sheets_started += 1;
            if s.completed_on.is_some_and(|c| c <= as_of) {
                r.sheets_completed += 1;
            }
        }
        if let Some(done) = s.completed_on.filter(|d| period.contains(*d)) {
            if let Some(start) = contract_start(&s.account) {
                days.push((done - start).num_days());
            }
        }
    }
    r.onboarding_completion_pct = pct(r.sheets_completed, r.sheets_started);
    r.ttv_completions = days.len();
    r.ttv_median_days = median(&mut days);
    r
}
