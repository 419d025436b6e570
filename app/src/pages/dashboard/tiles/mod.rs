//! The KPI tiles of the chosen currency: the value, the change against
//! the previous period and the counts behind each.

mod experience;
mod revenue;

use crate::format;
use crate::i18n::*;
use kizuna_shared::api::KpiResponse;
use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::kpi::RevenueMovements;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use experience::experience_tiles;
use revenue::revenue_tiles;

/// How a value is written and whether a rise is good.
#[derive(Clone, Copy)]
enum Unit {
    Pct {
        higher_is_better: bool,
    },
    Money,
    /// Money where a rise is bad (at-risk MRR).
    RiskMoney,
    /// NPS: −100…100, changes in points.
    Score,
    /// Median days (time to value): fewer is better.
    Days,
}

/// One tile's content.
struct TileData {
    id: &'static str,
    label: String,
    value: Option<f64>,
    previous: Option<f64>,
    unit: Unit,
    basis: Vec<(String, String)>,
}

/// The KPI tiles of the chosen currency.
#[component]
pub fn Tiles(r: KpiResponse, currency: Currency) -> impl IntoView {
    let i18n = use_i18n();
    let empty = RevenueMovements::default();
    let cur = r
        .current
        .revenue_of(currency)
        .cloned()
        .unwrap_or_else(|| empty.clone());
    let prev = r.previous.revenue_of(currency).cloned().unwrap_or(empty);
    let margin = r.basis.gross_margin;
    let tiles = move || {
        let locale = i18n.get_locale();
        revenue_tiles(i18n, &cur, &prev, margin, currency, locale)
            .into_iter()
            .chain(experience_tiles(i18n, &r, currency, locale))
            .map(|t| tile_view(i18n, t, currency, locale))
            .collect_view()
    };
    view! { <section class="tiles" aria-label=tr!(i18n, tiles_label)>{tiles}</section> }
}

fn tile_view(
    i18n: I18nContext<Locale>,
    t: TileData,
    currency: Currency,
    locale: Locale,
) -> impl IntoView {
    #[expect(clippy::cast_possible_truncation, reason = "display of an amount")]
    let show = |v: f64| match t.unit {
        Unit::Pct { .. } => format::percent(v, locale),
        Unit::Money | Unit::RiskMoney => format::money(v.round() as i64, currency, locale),
        Unit::Score => format::score(v, locale),
        Unit::Days => t_string!(
            i18n,
            days_value,
            n = format::score(v, locale).trim_start_matches('+').to_owned()
        )
        .to_string(),
    };
    let value = t.value.map(show);
    let delta = match (t.value, t.previous) {
        (Some(v), Some(p)) => {
            let d = v - p;
            let good = match t.unit {
                Unit::Pct { higher_is_better } => (d >= 0.0) == higher_is_better,
                Unit::Money | Unit::Score => d >= 0.0,
                Unit::Days | Unit::RiskMoney => d <= 0.0,
            };
            let arrow = if d > 0.0 {
                "▲"
            } else if d < 0.0 {
                "▼"
            } else {
                "＝"
            };
            let amount = match t.unit {
                Unit::Pct { .. } | Unit::Score => format::points(d, locale),
                Unit::Money | Unit::RiskMoney => {
                    format::signed_money(d.round() as i64, currency, locale)
                }
                Unit::Days => t_string!(i18n, days_value, n = format::score(d, locale)).to_string(),
            };
            let class = if d == 0.0 {
                "delta"
            } else if good {
                "delta delta-good"
            } else {
                "delta delta-bad"
            };
            Some((
                class,
                format!("{arrow} {}", t_string!(i18n, vs_previous, delta = amount)),
            ))
        }
        _ => None,
    };
    let testid = format!("tile-{}", t.id);
    let hint = t_string!(i18n, no_value_hint).to_string();
    view! {
        <article class="tile" data-testid=testid>
            <h2 class="tile-label">{t.label}</h2>
            <p class="tile-value" data-testid="tile-value" data-raw=t.value.map(|v| v.to_string()).unwrap_or_default()>
                {match value {
                    Some(v) => view! { <span>{v}</span> }.into_any(),
                    None => view! { <span class="no-value" title=hint>{t_string!(i18n, no_value).to_string()}</span> }.into_any(),
                }}
            </p>
            {delta.map(|(class, text)| view! { <p class=class>{text}</p> })}
            <details class="tile-basis">
                <summary>{tr!(i18n, based_on)}</summary>
                <dl>
                    {t.basis.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                </dl>
            </details>
        </article>
    }
}
