//! The revenue trends per period: NRR and GRR, and logo churn.

use super::period_chart::{Col, PeriodChart, Show, Style};
use crate::charts::PALETTE;
use crate::i18n::*;
use kizuna_shared::api::PeriodKpis;
use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::kpi::RevenueMovements;

/// One revenue figure of every period, in `currency`.
fn pick(
    periods: &[PeriodKpis],
    currency: Currency,
    f: fn(&RevenueMovements) -> Option<f64>,
) -> Vec<Option<f64>> {
    periods
        .iter()
        .map(|p| p.revenue_of(currency).and_then(f))
        .collect()
}

/// NRR and GRR per period, as lines.
pub fn retention(periods: &[PeriodKpis], currency: Currency) -> PeriodChart {
    let line = Some(PALETTE[0]);
    PeriodChart {
        id: "retention-trend",
        title: |l| td_string!(l, chart_retention_trend).to_string(),
        style: Style::Lines,
        axis: Show::Pct,
        cols: vec![
            Col::new(
                |l| td_string!(l, short_nrr).to_string(),
                line,
                Show::Pct,
                pick(periods, currency, |m| m.nrr_pct),
            ),
            Col::new(
                |l| td_string!(l, short_grr).to_string(),
                line,
                Show::Pct,
                pick(periods, currency, |m| m.grr_pct),
            ),
        ],
    }
}

/// Logo churn per period, as a line.
pub fn churn(periods: &[PeriodKpis], currency: Currency) -> PeriodChart {
    PeriodChart {
        id: "churn-trend",
        title: |l| td_string!(l, chart_churn_trend).to_string(),
        style: Style::Lines,
        axis: Show::Pct,
        cols: vec![Col::new(
            |l| td_string!(l, tile_logo_churn).to_string(),
            Some(PALETTE[0]),
            Show::Pct,
            pick(periods, currency, |m| m.logo_churn_pct),
        )],
    }
}
