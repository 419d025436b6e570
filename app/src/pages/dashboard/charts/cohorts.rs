//! The cohort retention heatmap: one row per start month, the share of
//! its customers still paying k months later.

use std::sync::Arc;

use crate::charts::card::{Area, ChartSpec, Hit, HitMap};
use crate::charts::kpi::{csv, draw_heatmap};
use crate::format;
use crate::i18n::*;
use kizuna_shared::metrics::kpi::Cohort;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The heatmap card of `cohorts`.
pub fn chart(i18n: I18nContext<Locale>, cohorts: Vec<Cohort>) -> ChartSpec {
    let cohorts = Arc::new(cohorts);
    let rows_of = {
        let cohorts = cohorts.clone();
        move || {
            let locale = i18n.get_locale_untracked();
            cohorts
                .iter()
                .map(|c| format::month(c.start, locale))
                .collect::<Vec<_>>()
        }
    };
    let cells = {
        let cohorts = cohorts.clone();
        move || {
            cohorts
                .iter()
                .map(|c| c.retained_pct.clone())
                .collect::<Vec<_>>()
        }
    };
    let months_since = move |k: usize| t_string!(i18n, months_since, n = k).to_string();
    let heat_height = 48 + 22 * cohorts.len().clamp(1, 36) as u32;
    ChartSpec {
        id: "cohorts",
        title: Signal::derive(move || t_string!(i18n, chart_cohorts).to_string()),
        height: heat_height,
        draw: {
            let rows_of = rows_of.clone();
            let cells = cells.clone();
            Arc::new(move |area: &Area, hit: Option<Hit>| {
                let highlight = match hit {
                    Some(Hit::Cell(r, c)) => Some((r, c)),
                    _ => None,
                };
                draw_heatmap(
                    area,
                    &rows_of(),
                    &|k| {
                        if k % 3 == 0 {
                            format!("+{k}")
                        } else {
                            String::new()
                        }
                    },
                    &cells(),
                    highlight,
                )
                .ok()
                .map(HitMap::Grid)
            })
        },
        hover: {
            let cohorts = cohorts.clone();
            let rows_of = rows_of.clone();
            Arc::new(move |hit: Hit| {
                let Hit::Cell(r, c) = hit else { return None };
                let locale = i18n.get_locale_untracked();
                let cohort = cohorts.get(r)?;
                let pct = cohort.retained_pct.get(c).copied().flatten()?;
                Some(format!(
                    "{} · {}: {} ({} / {})",
                    rows_of().get(r)?,
                    months_since(c),
                    format::percent(pct, locale),
                    format::count(*cohort.retained.get(c)? as u64, locale),
                    format::count(cohort.accounts as u64, locale)
                ))
            })
        },
        table: {
            let cohorts = cohorts.clone();
            let rows_of = rows_of.clone();
            Arc::new(move || {
                let locale = i18n.get_locale_untracked();
                let cols = cohorts.iter().map(|c| c.retained.len()).max().unwrap_or(0);
                let mut header = vec![
                    t_string!(i18n, col_cohort).to_string(),
                    t_string!(i18n, cohort_size).to_string(),
                ];
                header.extend((0..cols).map(months_since));
                let rows =
                    cohorts
                        .iter()
                        .zip(rows_of())
                        .map(|(c, label)| {
                            let mut row = vec![label, format::count(c.accounts as u64, locale)];
                            row.extend(c.retained_pct.iter().map(|v| {
                                v.map_or_else(String::new, |v| format::percent(v, locale))
                            }));
                            row
                        })
                        .collect();
                (header, rows)
            })
        },
        csv: {
            let cohorts = cohorts.clone();
            Arc::new(move || {
                let cols = cohorts.iter().map(|c| c.retained.len()).max().unwrap_or(0);
                let mut header = vec!["start_month".to_owned(), "customers".to_owned()];
                header.extend((0..cols).map(|k| format!("retained_pct_m{k}")));
                let rows = cohorts
                    .iter()
                    .map(|c| {
                        let mut row = vec![c.start.to_string(), c.accounts.to_string()];
                        row.extend(
                            c.retained_pct
                                .iter()
                                .map(|v| v.map(|v| v.to_string()).unwrap_or_default()),
                        );
                        row
                    })
                    .collect::<Vec<_>>();
                csv(&header, &rows)
            })
        },
    }
}
