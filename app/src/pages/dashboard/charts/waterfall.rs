//! The MRR movement waterfall of the current period: start, new,
//! reactivation, expansion, contraction, churn, end.

use std::sync::Arc;

use crate::charts::card::{Area, ChartSpec, Hit, HitMap};
use crate::charts::kpi::{csv, draw_waterfall, waterfall_spans, waterfall_steps, Step, StepKind};
use crate::format;
use crate::i18n::*;
use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::kpi::RevenueMovements;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The waterfall card of `current`'s movements in `currency`.
pub fn chart(
    i18n: I18nContext<Locale>,
    current: RevenueMovements,
    currency: Currency,
) -> ChartSpec {
    let step_names = move || {
        [
            t_string!(i18n, step_start),
            t_string!(i18n, step_new),
            t_string!(i18n, step_reactivation),
            t_string!(i18n, step_expansion),
            t_string!(i18n, step_contraction),
            t_string!(i18n, step_churn),
            t_string!(i18n, step_end),
        ]
        .map(|s| s.to_string())
    };
    let steps = {
        let current = current.clone();
        move || waterfall_steps(&current, step_names())
    };
    let wf_steps = steps.clone();
    ChartSpec {
        id: "waterfall",
        title: Signal::derive(move || t_string!(i18n, chart_waterfall).to_string()),
        height: 300,
        draw: Arc::new(move |area: &Area, hit: Option<Hit>| {
            let locale = i18n.get_locale_untracked();
            let highlight = match hit {
                Some(Hit::Slot(i)) => Some(i),
                _ => None,
            };
            draw_waterfall(
                area,
                &wf_steps(),
                &|v| format::money_short(v, currency, locale),
                highlight,
            )
            .ok()
            .map(HitMap::Slots)
        }),
        hover: {
            let steps = steps.clone();
            Arc::new(move |hit: Hit| {
                let Hit::Slot(i) = hit else { return None };
                let s = steps();
                let step = s.get(i)?;
                let locale = i18n.get_locale_untracked();
                let sign = match step.kind {
                    StepKind::Total => "",
                    StepKind::Up => "+",
                    StepKind::Down => "−",
                };
                Some(format!(
                    "{}: {sign}{}",
                    step.label,
                    format::money(step.value, currency, locale)
                ))
            })
        },
        table: {
            let steps = steps.clone();
            Arc::new(move || {
                let locale = i18n.get_locale_untracked();
                let header = vec![
                    t_string!(i18n, col_step).to_string(),
                    format!("{} ({currency})", t_string!(i18n, col_amount)),
                ];
                let rows = steps()
                    .into_iter()
                    .map(|s: Step| vec![s.label, format::money(s.value, currency, locale)])
                    .collect();
                (header, rows)
            })
        },
        csv: {
            let steps = steps.clone();
            Arc::new(move || {
                let header = vec![
                    t_string!(i18n, col_step).to_string(),
                    format!("{} ({currency}, minor units)", t_string!(i18n, col_amount)),
                ];
                let spans = waterfall_spans(&steps());
                let rows = steps()
                    .into_iter()
                    .zip(spans)
                    .map(|(s, _)| vec![s.label, s.value.to_string()])
                    .collect::<Vec<_>>();
                csv(&header, &rows)
            })
        },
    }
}
