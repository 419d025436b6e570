//! The NPS, CSAT, onboarding, time-to-value and at-risk MRR tiles.

use crate::format;
use crate::i18n::*;
use kizuna_shared::api::KpiResponse;
use kizuna_shared::domain::Currency;
use leptos_i18n::I18nContext;

use super::{TileData, Unit};

/// The NPS, CSAT, onboarding completion, time-to-value and at-risk MRR
/// tiles, for the sources the server has (`KpiBasis::sources`); the
/// numbers are the server's, computed with `kizuna_shared`.
pub fn experience_tiles(
    i18n: I18nContext<Locale>,
    r: &KpiResponse,
    currency: Currency,
    locale: Locale,
) -> Vec<TileData> {
    let count = |v: usize| format::count(v as u64, locale);
    let has = |source: &str| r.basis.sources.iter().any(|s| s == source);
    let mut tiles = Vec::new();
    if let (true, Some(s)) = (has("surveys"), r.current.surveys) {
        let p = r.previous.surveys.unwrap_or_default();
        let margin = |m: Option<f64>| {
            m.map_or_else(
                || "—".to_owned(),
                |m| format!("± {}", format::score(m, locale)),
            )
        };
        tiles.push(TileData {
            id: "nps",
            label: t_string!(i18n, tile_nps).to_string(),
            value: s.nps,
            previous: p.nps,
            unit: Unit::Score,
            basis: vec![
                (
                    t_string!(i18n, count_promoters).to_string(),
                    count(s.promoters),
                ),
                (
                    t_string!(i18n, count_passives).to_string(),
                    count(s.passives),
                ),
                (
                    t_string!(i18n, count_detractors).to_string(),
                    count(s.detractors),
                ),
                (
                    t_string!(i18n, count_answers).to_string(),
                    count(s.nps_responses),
                ),
                (
                    t_string!(i18n, count_margin_of_error).to_string(),
                    margin(s.nps_moe95),
                ),
            ],
        });
        tiles.push(TileData {
            id: "csat",
            label: t_string!(i18n, tile_csat).to_string(),
            value: s.csat_pct,
            previous: p.csat_pct,
            unit: Unit::Pct {
                higher_is_better: true,
            },
            basis: vec![
                (
                    t_string!(i18n, count_satisfied).to_string(),
                    count(s.csat_satisfied),
                ),
                (
                    t_string!(i18n, count_answers).to_string(),
                    count(s.csat_responses),
                ),
                (
                    t_string!(i18n, count_margin_of_error).to_string(),
                    margin(s.csat_moe95),
                ),
            ],
        });
    }
    if let (true, Some(o)) = (has("onboarding"), r.current.onboarding) {
        let p = r.previous.onboarding.unwrap_or_default();
        tiles.push(TileData {
            id: "onboarding",
            label: t_string!(i18n, tile_onboarding).to_string(),
            value: o.onboarding_completion_pct,
            previous: p.onboarding_completion_pct,
            unit: Unit::Pct {
                higher_is_better: true,
            },
            basis: vec![
                (
                    t_string!(i18n, count_sheets_started).to_string(),
                    count(o.sheets_started),
                ),
                (
                    t_string!(i18n, count_sheets_completed).to_string(),
                    count(o.sheets_completed),
                ),
            ],
        });
        tiles.push(TileData {
            id: "ttv",
            label: t_string!(i18n, tile_ttv).to_string(),
            value: o.ttv_median_days,
            previous: p.ttv_median_days,
            unit: Unit::Days,
            basis: vec![(
                t_string!(i18n, count_ttv_completions).to_string(),
                count(o.ttv_completions),
            )],
        });
    }
    if let (true, Some(h)) = (has("health"), r.current.health.as_ref()) {
        let at_risk = |h: Option<&kizuna_shared::metrics::kpi::HealthKpis>| {
            h.and_then(|h| h.mrr_of(currency)).map(|m| m.at_risk as f64)
        };
        let share = h.mrr_of(currency).and_then(|m| m.at_risk_pct);
        tiles.push(TileData {
            id: "at-risk",
            label: t_string!(i18n, tile_at_risk).to_string(),
            value: at_risk(Some(h)),
            previous: at_risk(r.previous.health.as_ref()),
            unit: Unit::RiskMoney,
            basis: vec![
                (
                    t_string!(i18n, count_red_accounts).to_string(),
                    format!("{} / {}", count(h.red), count(h.scored)),
                ),
                (
                    t_string!(i18n, count_at_risk_share).to_string(),
                    share.map_or_else(|| "—".to_owned(), |v| format::percent(v, locale)),
                ),
                (
                    t_string!(i18n, count_not_scored).to_string(),
                    count(h.not_scored),
                ),
                (
                    t_string!(i18n, count_scored_on).to_string(),
                    h.scored_on
                        .map_or_else(|| "—".to_owned(), |d| format::date(d, locale)),
                ),
            ],
        });
    }
    tiles
}
