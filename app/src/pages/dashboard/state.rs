//! The dashboard's state as the URL holds it, and the periods the charts
//! span.

use std::sync::Arc;

use kizuna_shared::api::{KpiQuery, PeriodKind, PeriodSpan};
use kizuna_shared::domain::Currency;
use leptos_router::params::ParamsMap;

/// Periods the charts show when the filters name a single period.
fn chart_periods(kind: PeriodKind) -> i64 {
    match kind {
        PeriodKind::Month => 12,
        PeriodKind::Quarter => 8,
        PeriodKind::Year => 5,
    }
}

/// The dashboard's state as it appears in the URL: the API query plus the
/// currency shown (the API answers every currency; this picks one).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DashState {
    /// The KPI query (period, range, filters).
    pub query: KpiQuery,
    /// The currency the tiles and charts show.
    pub currency: Option<Currency>,
}

impl DashState {
    /// Reads the state from the URL; values that do not parse are ignored.
    pub fn from_query(q: &ParamsMap) -> Self {
        let text = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
        DashState {
            query: KpiQuery {
                period: q.get("period").and_then(|v| v.parse().ok()),
                from: q.get("from").and_then(|v| v.parse().ok()),
                to: q.get("to").and_then(|v| v.parse().ok()),
                segment: text("segment"),
                tier: q.get("tier").and_then(|v| v.parse().ok()),
                owner: q
                    .get("owner")
                    .and_then(|v| v.parse().ok())
                    .filter(|o| *o > 0),
                plan: text("plan"),
            },
            currency: q.get("currency").and_then(|v| v.parse().ok()),
        }
    }

    /// The page URL of this state.
    pub fn url(&self) -> String {
        let mut q = self.query.to_query_string(crate::api::encode);
        if let Some(c) = self.currency {
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str(&format!("currency={c}"));
        }
        if q.is_empty() {
            "/dashboard".to_owned()
        } else {
            format!("/dashboard?{q}")
        }
    }
}

/// The series query for the charts: the filters' range when it spans
/// several periods, else the last [`chart_periods`] periods ending with
/// the range.
pub fn series_query(query: &KpiQuery, current: PeriodSpan) -> KpiQuery {
    let kind = query.kind();
    let last = current.last_month;
    let from = if current.months > kind.months() {
        current.first_month
    } else {
        kind.start_of(last)
            .plus(-(chart_periods(kind) - 1) * i64::from(kind.months()))
            .unwrap_or(current.first_month)
    };
    KpiQuery {
        from: Some(from),
        to: Some(last),
        ..query.clone()
    }
}

/// Changes the state (and so the URL) with a closure.
pub type SetState = Arc<dyn Fn(&dyn Fn(&mut DashState)) + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;
    use kizuna_shared::metrics::Month;
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn charts_show_twelve_months_or_the_chosen_range() {
        let one = PeriodSpan {
            first_month: m("2025-03"),
            last_month: m("2025-03"),
            months: 1,
        };
        let q = series_query(&KpiQuery::default(), one);
        assert_eq!((q.from, q.to), (Some(m("2024-04")), Some(m("2025-03"))));
        let quarters = KpiQuery {
            period: Some(PeriodKind::Quarter),
            ..KpiQuery::default()
        };
        let q1 = PeriodSpan {
            first_month: m("2025-01"),
            last_month: m("2025-03"),
            months: 3,
        };
        let q = series_query(&quarters, q1);
        assert_eq!((q.from, q.to), (Some(m("2023-04")), Some(m("2025-03"))));
        let range = PeriodSpan {
            first_month: m("2024-01"),
            last_month: m("2024-06"),
            months: 6,
        };
        let q = series_query(&KpiQuery::default(), range);
        assert_eq!((q.from, q.to), (Some(m("2024-01")), Some(m("2024-06"))));
    }
}
