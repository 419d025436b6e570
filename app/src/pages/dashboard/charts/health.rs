//! Health bands per period (accounts per band, stacked, and the not
//! scored), with the at-risk MRR and its share in hover, table and CSV.

use super::period_chart::{per_period, Col, PeriodChart, Show, Style, GREY};
use crate::charts::workbench::BAND_COLOURS;
use crate::components::labels::band_label;
use crate::i18n::*;
use kizuna_shared::api::PeriodKpis;
use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::kpi::{HealthKpis, HealthMrr};
use kizuna_shared::metrics::Band;

/// The health bands chart; MRR figures in `currency`.
pub fn chart(periods: &[PeriodKpis], currency: Currency) -> PeriodChart {
    let [red, yellow, green] = BAND_COLOURS;
    let n = |f: fn(&HealthKpis) -> usize| {
        per_period(periods, &|p| p.health.as_ref().map(|h| f(h) as f64))
    };
    let mrr = |f: fn(&HealthMrr) -> Option<f64>| {
        per_period(periods, &|p| {
            p.health
                .as_ref()
                .and_then(|h| h.mrr_of(currency))
                .and_then(f)
        })
    };
    PeriodChart {
        id: "health",
        title: |l| td_string!(l, chart_health).to_string(),
        style: Style::Stacked,
        axis: Show::Count,
        cols: vec![
            Col::new(
                |l| band_label(l, Band::Red),
                Some(red),
                Show::Count,
                n(|h| h.red),
            ),
            Col::new(
                |l| band_label(l, Band::Yellow),
                Some(yellow),
                Show::Count,
                n(|h| h.yellow),
            ),
            Col::new(
                |l| band_label(l, Band::Green),
                Some(green),
                Show::Count,
                n(|h| h.green),
            ),
            Col::new(
                |l| td_string!(l, short_not_scored).to_string(),
                Some(GREY),
                Show::Count,
                n(|h| h.not_scored),
            ),
            Col::new(
                |l| td_string!(l, short_at_risk).to_string(),
                None,
                Show::Money,
                mrr(|m| Some(m.at_risk as f64)),
            ),
            Col::new(
                |l| td_string!(l, count_at_risk_share).to_string(),
                None,
                Show::Pct,
                mrr(|m| m.at_risk_pct),
            ),
        ],
    }
}
