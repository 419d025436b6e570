//! Onboarding per period: sheets completed and still open (stacked, the
//! completion rate in hover, table and CSV), and the median time to value.

use super::period_chart::{per_period, Col, PeriodChart, Show, Style, GREY};
use crate::charts::workbench::BAND_COLOURS;
use crate::charts::PALETTE;
use crate::i18n::*;
use kizuna_shared::api::PeriodKpis;
use kizuna_shared::metrics::kpi::OnboardingKpis;

/// One onboarding figure of every period.
fn pick(periods: &[PeriodKpis], f: fn(&OnboardingKpis) -> Option<f64>) -> Vec<Option<f64>> {
    per_period(periods, &|p| p.onboarding.as_ref().and_then(f))
}

/// Onboarding sheets completed and open per period.
pub fn sheets(periods: &[PeriodKpis]) -> PeriodChart {
    let [_, _, green] = BAND_COLOURS;
    PeriodChart {
        id: "onboarding",
        title: |l| td_string!(l, chart_onboarding).to_string(),
        style: Style::Stacked,
        axis: Show::Count,
        cols: vec![
            Col::new(
                |l| td_string!(l, short_completed).to_string(),
                Some(green),
                Show::Count,
                pick(periods, |o| Some(o.sheets_completed as f64)),
            ),
            Col::new(
                |l| td_string!(l, short_started_open).to_string(),
                Some(GREY),
                Show::Count,
                pick(periods, |o| {
                    Some(o.sheets_started.saturating_sub(o.sheets_completed) as f64)
                }),
            ),
            Col::new(
                |l| td_string!(l, short_completion).to_string(),
                None,
                Show::Pct,
                pick(periods, |o| o.onboarding_completion_pct),
            ),
        ],
    }
}

/// The median time to value per period, as a line.
pub fn time_to_value(periods: &[PeriodKpis]) -> PeriodChart {
    PeriodChart {
        id: "ttv",
        title: |l| td_string!(l, chart_ttv).to_string(),
        style: Style::Lines,
        // Whole days on the axis ("100.0 days" would not fit); the
        // title says the unit, hover and table say "n days".
        axis: Show::Count,
        cols: vec![
            Col::new(
                |l| td_string!(l, short_ttv).to_string(),
                Some(PALETTE[0]),
                Show::Days,
                pick(periods, |o| o.ttv_median_days),
            ),
            Col::new(
                |l| td_string!(l, count_ttv_completions).to_string(),
                None,
                Show::Count,
                pick(periods, |o| Some(o.ttv_completions as f64)),
            ),
        ],
    }
}
