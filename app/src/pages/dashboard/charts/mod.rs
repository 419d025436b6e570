//! The dashboard's chart cards, one module per chart: the MRR waterfall,
//! the revenue trends, the cohort heatmap, and — for the sources the server
//! has — NPS answers, health bands and onboarding; the per-period ones are
//! built by `period_chart`.

mod cohorts;
mod health;
mod nps;
mod onboarding;
mod period_chart;
mod revenue;
mod waterfall;

use std::sync::Arc;

use crate::charts::card::ChartCard;
use crate::format;
use crate::i18n::*;
use kizuna_shared::api::{KpiResponse, KpiSeriesResponse, PeriodKpis};
use kizuna_shared::domain::Currency;
use leptos::prelude::*;
use period_chart::{period_chart, Names, PeriodChart};

/// The charts of the dashboard.
#[component]
pub fn Charts(
    r: KpiResponse,
    series: Option<KpiSeriesResponse>,
    currency: Currency,
) -> impl IntoView {
    let i18n = use_i18n();
    let current = r.current.revenue_of(currency).cloned().unwrap_or_default();
    let kind = r.period_kind;
    let periods: Vec<PeriodKpis> = series
        .as_ref()
        .map(|s| s.periods.clone())
        .unwrap_or_default();
    let cohorts = series
        .as_ref()
        .map(|s| s.cohorts.clone())
        .unwrap_or_default();
    let waterfall = waterfall::chart(i18n, current, currency);

    // Trends and stacked charts: one builder, `period_chart`.
    let names: Names = {
        let periods = periods.clone();
        Arc::new(move |locale| {
            periods
                .iter()
                .map(|p| format::period(p.period, kind, locale))
                .collect()
        })
    };
    let chart = |spec: PeriodChart| period_chart(i18n, names.clone(), currency, spec);
    let retention = chart(revenue::retention(&periods, currency));
    let churn_chart = chart(revenue::churn(&periods, currency));
    let has = |source: &str| r.basis.sources.iter().any(|s| s == source);
    let mut extra = Vec::new();
    if has("surveys") {
        extra.push(chart(nps::chart(&periods)));
    }
    if has("health") {
        extra.push(chart(health::chart(&periods, currency)));
    }
    if has("onboarding") {
        extra.push(chart(onboarding::sheets(&periods)));
        extra.push(chart(onboarding::time_to_value(&periods)));
    }
    let cohort_chart = cohorts::chart(i18n, cohorts);

    view! {
        <div class="chart-grid">
            <ChartCard spec=waterfall />
            <ChartCard spec=retention />
            <ChartCard spec=churn_chart />
            <ChartCard spec=cohort_chart />
            {extra.into_iter().map(|spec| view! { <ChartCard spec=spec /> }).collect_view()}
        </div>
    }
}
