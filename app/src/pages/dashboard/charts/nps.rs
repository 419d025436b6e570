//! NPS answers per period: promoters, passives and detractors stacked, the
//! NPS itself in hover, table and CSV.

use super::period_chart::{per_period, Col, PeriodChart, Show, Style};
use crate::charts::workbench::BAND_COLOURS;
use crate::i18n::*;
use kizuna_shared::api::PeriodKpis;
use kizuna_shared::metrics::kpi::SurveyKpis;

/// The NPS answers chart.
pub fn chart(periods: &[PeriodKpis]) -> PeriodChart {
    let [red, yellow, green] = BAND_COLOURS;
    let n = |f: fn(&SurveyKpis) -> usize| per_period(periods, &|p| p.surveys.map(|s| f(&s) as f64));
    PeriodChart {
        id: "nps",
        title: |l| td_string!(l, chart_nps).to_string(),
        style: Style::Stacked,
        axis: Show::Count,
        cols: vec![
            Col::new(
                |l| td_string!(l, short_promoters).to_string(),
                Some(green),
                Show::Count,
                n(|s| s.promoters),
            ),
            Col::new(
                |l| td_string!(l, short_passives).to_string(),
                Some(yellow),
                Show::Count,
                n(|s| s.passives),
            ),
            Col::new(
                |l| td_string!(l, short_detractors).to_string(),
                Some(red),
                Show::Count,
                n(|s| s.detractors),
            ),
            Col::new(
                |l| td_string!(l, short_nps).to_string(),
                None,
                Show::Score,
                per_period(periods, &|p| p.surveys.and_then(|s| s.nps)),
            ),
        ],
    }
}
