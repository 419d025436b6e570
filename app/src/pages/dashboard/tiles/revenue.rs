//! The revenue tiles: NRR, GRR, logo churn, retention, LTV and MRR.

use crate::format;
use crate::i18n::*;
use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::kpi::RevenueMovements;
use leptos_i18n::I18nContext;

use super::{TileData, Unit};

/// The revenue tiles of `cur` against `prev` (the previous period), in
/// `currency`; `margin` is the gross margin LTV assumes.
pub fn revenue_tiles(
    i18n: I18nContext<Locale>,
    cur: &RevenueMovements,
    prev: &RevenueMovements,
    margin: f64,
    currency: Currency,
    locale: Locale,
) -> Vec<TileData> {
    let money = |v: i64| format::money(v, currency, locale);
    let count = |v: usize| format::count(v as u64, locale);
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format::percent(v, locale));
    #[expect(clippy::cast_precision_loss, reason = "display of MRR")]
    let as_f = |v: i64| Some(v as f64);
    let m = cur;
    vec![
        TileData {
            id: "nrr",
            label: t_string!(i18n, tile_nrr).to_string(),
            value: m.nrr_pct,
            previous: prev.nrr_pct,
            unit: Unit::Pct {
                higher_is_better: true,
            },
            basis: vec![
                (
                    t_string!(i18n, count_start_mrr).to_string(),
                    money(m.start_mrr),
                ),
                (
                    t_string!(i18n, count_expansion).to_string(),
                    money(m.expansion),
                ),
                (
                    t_string!(i18n, count_contraction).to_string(),
                    money(m.contraction),
                ),
                (t_string!(i18n, count_churn).to_string(), money(m.churn)),
                (
                    t_string!(i18n, count_customers_start).to_string(),
                    count(m.customers_at_start),
                ),
            ],
        },
        TileData {
            id: "grr",
            label: t_string!(i18n, tile_grr).to_string(),
            value: m.grr_pct,
            previous: prev.grr_pct,
            unit: Unit::Pct {
                higher_is_better: true,
            },
            basis: vec![
                (
                    t_string!(i18n, count_start_mrr).to_string(),
                    money(m.start_mrr),
                ),
                (
                    t_string!(i18n, count_contraction).to_string(),
                    money(m.contraction),
                ),
                (t_string!(i18n, count_churn).to_string(), money(m.churn)),
            ],
        },
        TileData {
            id: "logo-churn",
            label: t_string!(i18n, tile_logo_churn).to_string(),
            value: m.logo_churn_pct,
            previous: prev.logo_churn_pct,
            unit: Unit::Pct {
                higher_is_better: false,
            },
            basis: vec![
                (
                    t_string!(i18n, count_churned).to_string(),
                    count(m.churned_customers),
                ),
                (
                    t_string!(i18n, count_customers_start).to_string(),
                    count(m.customers_at_start),
                ),
            ],
        },
        TileData {
            id: "retention",
            label: t_string!(i18n, tile_retention).to_string(),
            value: m.retention_pct,
            previous: prev.retention_pct,
            unit: Unit::Pct {
                higher_is_better: true,
            },
            basis: vec![
                (
                    t_string!(i18n, count_retained).to_string(),
                    count(m.customers_at_start - m.churned_customers),
                ),
                (
                    t_string!(i18n, count_customers_start).to_string(),
                    count(m.customers_at_start),
                ),
            ],
        },
        TileData {
            id: "ltv",
            label: t_string!(i18n, tile_ltv).to_string(),
            value: m.ltv,
            previous: prev.ltv,
            unit: Unit::Money,
            basis: vec![
                (
                    t_string!(i18n, count_arpa).to_string(),
                    m.arpa
                        .map_or_else(|| "—".to_owned(), |a| money(a.round() as i64)),
                ),
                (
                    t_string!(i18n, count_margin).to_string(),
                    format::percent(margin * 100.0, locale),
                ),
                (t_string!(i18n, tile_grr).to_string(), pct(m.grr_pct)),
            ],
        },
        TileData {
            id: "mrr",
            label: t_string!(i18n, tile_mrr).to_string(),
            value: as_f(m.end_mrr),
            previous: as_f(prev.end_mrr),
            unit: Unit::Money,
            basis: vec![
                (t_string!(i18n, count_new).to_string(), money(m.new)),
                (
                    t_string!(i18n, count_reactivation).to_string(),
                    money(m.reactivation),
                ),
                (
                    t_string!(i18n, count_upsell).to_string(),
                    format!("{} ({})", count(m.upsell_customers), pct(m.upsell_pct)),
                ),
                (
                    t_string!(i18n, count_cross_sell).to_string(),
                    format!(
                        "{} ({})",
                        count(m.cross_sell_customers),
                        pct(m.cross_sell_pct)
                    ),
                ),
            ],
        },
    ]
}
