//! The KPI dashboard (`/dashboard`): tiles with the change against the
//! previous period and the counts behind each value, and plotters charts
//! (MRR movement waterfall, NRR/GRR trend, logo churn trend, cohort
//! retention heatmap) with hover values, PNG and CSV export and a table
//! for each. Filters live in the URL, so a view can be bookmarked and
//! shared; the page refetches when the server announces a change
//! (`crate::live`). Every number comes from the KPI API, which computes it
//! with `kizuna_shared`; this page only formats and lays it out. The page
//! has no write controls: it is the same for every role.

use std::sync::Arc;

use crate::api::ApiError;
use crate::charts::card::{Area, ChartCard, ChartSpec, Hit, HitMap};
use crate::charts::kpi::{
    csv, draw_heatmap, draw_lines, draw_stacked, draw_waterfall, waterfall_spans, waterfall_steps,
    Line, Stack, Step, StepKind,
};
use crate::charts::workbench::BAND_COLOURS;
use crate::charts::PALETTE;
use crate::components::labels::{band_label, tier_label};
use crate::format;
use crate::i18n::*;
use crate::live::{use_live_updates, LiveStatus};
use crate::session::use_session;
use kizuna_shared::api::{
    KpiQuery, KpiResponse, KpiSeriesResponse, PeriodKind, PeriodKpis, PeriodSpan, UserSummary,
};
use kizuna_shared::domain::{can_own_accounts, Currency, Tier};
use kizuna_shared::metrics::kpi::{
    HealthKpis, HealthMrr, OnboardingKpis, RevenueMovements, SurveyKpis,
};
use kizuna_shared::metrics::{Band, Month};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;
use plotters::style::RGBColor;

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
fn series_query(query: &KpiQuery, current: PeriodSpan) -> KpiQuery {
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

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query_map = use_query_map();
    let navigate = use_navigate();
    // The page's own state, set at once by a filter change (and then
    // written to the URL), and following the URL when it changes by
    // itself (back/forward, a pasted link). Reading only the router's
    // query map made a quick second filter change race the router's
    // update of the first: the URL showed both filters while the answer
    // shown was for one (seen in the dashboard e2e journey).
    let from_url = Memo::new(move |_| query_map.with(DashState::from_query));
    let local = RwSignal::new(from_url.get_untracked());
    Effect::new(move |_| {
        let s = from_url.get();
        if local.with_untracked(|c| *c != s) {
            local.set(s);
        }
    });
    let state = Memo::new(move |_| local.get());
    let live = use_live_updates();

    let kpis = LocalResource::new(move || {
        let q = state.with(|s| s.query.clone());
        live.changes.track();
        async move { crate::api::kpis(&q).await }
    });
    // The charts' range follows the tiles' answer (its default end month
    // is the latest month with data, known only to the server).
    let series_q = Memo::new(move |_| {
        kpis.get()
            .and_then(|r| r.ok())
            .map(|r| state.with(|s| series_query(&s.query, r.current.period)))
    });
    let series = LocalResource::new(move || {
        let q = series_q.get();
        live.changes.track();
        async move {
            match q {
                Some(q) => crate::api::kpi_series(&q).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let owners = LocalResource::new(|| async {
        crate::api::owners()
            .await
            .map(|page| page.items)
            .unwrap_or_default()
    });

    let set_state = move |f: &dyn Fn(&mut DashState)| {
        let mut next = local.get_untracked();
        f(&mut next);
        local.set(next.clone());
        navigate(
            &next.url(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..NavigateOptions::default()
            },
        );
    };
    let set_state = Arc::new(set_state);

    // The currency shown: the URL's, else the first the answer lists.
    let currency = Memo::new(move |_| {
        let listed: Vec<Currency> = kpis
            .get()
            .and_then(|r| r.ok())
            .map(|r| r.current.revenue.iter().map(|c| c.currency).collect())
            .unwrap_or_default();
        match state.with(|s| s.currency) {
            Some(c) if listed.contains(&c) => Some(c),
            _ => listed.first().copied(),
        }
    });

    view! {
        <div class="page-head">
            <div>
                <h1>{t!(i18n, dashboard_title)}</h1>
                <p class="lead">{t!(i18n, dashboard_lead)}</p>
            </div>
            <LiveBadge status=live.status />
        </div>
        <Filters state=state kpis=kpis series=series owners=owners set_state=set_state.clone() currency=currency owns_accounts=move || session.role().is_some_and(can_own_accounts) my_id=move || session.user.with(|u| u.as_ref().map(|u| u.id)) />
        {move || match kpis.get() {
            None => view! { <p class="loading" role="status">{t!(i18n, loading)}</p> }.into_any(),
            Some(Err(err)) => error_view(i18n, &err).into_any(),
            Some(Ok(r)) => {
                let c = currency.get().unwrap_or(Currency::Jpy);
                view! {
                    <PeriodCaption r=r.clone() />
                    <Tiles r=r currency=c />
                }.into_any()
            }
        }}
        {move || {
            let (Some(Ok(r)), Some(c)) = (kpis.get(), currency.get()) else { return None };
            let s = series.get().and_then(|s| s.ok()).flatten();
            Some(view! { <Charts r=r series=s currency=c /> })
        }}
    }
}

fn error_view(i18n: I18nContext<Locale>, err: &ApiError) -> impl IntoView {
    view! {
        <p class="alert alert-error" role="alert">
            {t!(i18n, unexpected_error, detail = err.detail())}
        </p>
    }
}

/// The offline indicator.
#[component]
fn LiveBadge(status: ReadSignal<LiveStatus>) -> impl IntoView {
    let i18n = use_i18n();
    let class = move || match status.get() {
        LiveStatus::Live => "live-badge live-on",
        LiveStatus::Connecting => "live-badge live-connecting",
        LiveStatus::Offline => "live-badge live-offline",
    };
    let text = move || match status.get() {
        LiveStatus::Live => t_string!(i18n, live_on).to_string(),
        LiveStatus::Connecting => t_string!(i18n, live_connecting).to_string(),
        LiveStatus::Offline => t_string!(i18n, live_offline).to_string(),
    };
    view! {
        <p class=class role="status" data-testid="live-status" data-state=move || format!("{:?}", status.get()).to_lowercase()>
            <span class="live-dot" aria-hidden="true"></span>
            {text}
        </p>
    }
}

/// Changes the state (and so the URL) with a closure.
type SetState = Arc<dyn Fn(&dyn Fn(&mut DashState)) + Send + Sync>;

/// The filter bar; every change rewrites the URL.
#[component]
fn Filters(
    state: Memo<DashState>,
    kpis: LocalResource<Result<KpiResponse, ApiError>>,
    series: LocalResource<Result<Option<KpiSeriesResponse>, ApiError>>,
    owners: LocalResource<Vec<UserSummary>>,
    set_state: SetState,
    currency: Memo<Option<Currency>>,
    owns_accounts: impl Fn() -> bool + Send + Sync + Copy + 'static,
    my_id: impl Fn() -> Option<i64> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let choices = move |pick: fn(&KpiSeriesResponse) -> &Vec<String>| {
        series
            .get()
            .and_then(|s| s.ok())
            .flatten()
            .map(|s| pick(&s).clone())
            .unwrap_or_default()
    };
    let s1 = set_state.clone();
    let on_period = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        s1(&|s| s.query.period = v.parse().ok());
    };
    let s2 = set_state.clone();
    let on_month = move |which: &'static str, ev: leptos::ev::Event| {
        let v: Option<Month> = event_target_value(&ev).parse().ok();
        s2(&|s| {
            if which == "from" {
                s.query.from = v;
            } else {
                s.query.to = v;
            }
        });
    };
    let on_month2 = on_month.clone();
    let s3 = set_state.clone();
    let on_text = move |which: &'static str, ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        let v = (!v.is_empty()).then_some(v);
        s3(&|s| match which {
            "segment" => s.query.segment = v.clone(),
            "plan" => s.query.plan = v.clone(),
            "tier" => s.query.tier = v.as_deref().and_then(|t| t.parse().ok()),
            _ => s.query.owner = v.as_deref().and_then(|t| t.parse().ok()),
        });
    };
    let on_text2 = on_text.clone();
    let on_text3 = on_text.clone();
    let on_text4 = on_text.clone();
    let s4 = set_state.clone();
    let on_mine = move |ev: leptos::ev::Event| {
        let checked = event_target_checked(&ev);
        let me = my_id();
        s4(&|s| s.query.owner = if checked { me } else { None });
    };
    let s5 = set_state.clone();
    let s6 = set_state.clone();
    let currencies = move || {
        kpis.get()
            .and_then(|r| r.ok())
            .map(|r| {
                r.current
                    .revenue
                    .iter()
                    .map(|c| c.currency)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let q = move || state.get().query;
    view! {
        <form class="filters dash-filters" on:submit=|ev| ev.prevent_default() aria-label=move || t_string!(i18n, filters_label)>
            <label class="field">
                <span>{t!(i18n, filter_period)}</span>
                <select on:change=on_period data-testid="filter-period">
                    {PeriodKind::ALL.iter().copied().map(|k| view! {
                        <option value=k.as_str() selected=move || q().kind() == k>{move || period_kind_label(i18n, k)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{t!(i18n, filter_from)}</span>
                <input type="month" data-testid="filter-from" prop:value=move || q().from.map(|m| m.to_string()).unwrap_or_default() on:change=move |ev| on_month("from", ev) />
            </label>
            <label class="field">
                <span>{t!(i18n, filter_to)}</span>
                <input type="month" data-testid="filter-to" prop:value=move || q().to.map(|m| m.to_string()).unwrap_or_default() on:change=move |ev| on_month2("to", ev) />
            </label>
            <label class="field">
                <span>{t!(i18n, filter_segment)}</span>
                <select on:change=move |ev| on_text("segment", ev) data-testid="filter-segment">
                    <option value="" selected=move || q().segment.is_none()>{t!(i18n, all)}</option>
                    {move || choices(|s| &s.segments).into_iter().map(|v| {
                        let selected = q().segment.as_deref() == Some(v.as_str());
                        view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{t!(i18n, filter_tier)}</span>
                <select on:change=move |ev| on_text2("tier", ev) data-testid="filter-tier">
                    <option value="" selected=move || q().tier.is_none()>{t!(i18n, all)}</option>
                    {[Tier::High, Tier::Low, Tier::Tech].into_iter().map(|t| view! {
                        <option value=t.as_str() selected=move || q().tier == Some(t)>{move || tier_label(i18n, t)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{t!(i18n, filter_plan)}</span>
                <select on:change=move |ev| on_text3("plan", ev) data-testid="filter-plan">
                    <option value="" selected=move || q().plan.is_none()>{t!(i18n, all)}</option>
                    {move || choices(|s| &s.plans).into_iter().map(|v| {
                        let selected = q().plan.as_deref() == Some(v.as_str());
                        view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{t!(i18n, filter_owner)}</span>
                <select on:change=move |ev| on_text4("owner", ev) data-testid="filter-owner">
                    <option value="" selected=move || q().owner.is_none()>{t!(i18n, all)}</option>
                    {move || owners.get().unwrap_or_default().into_iter().map(|o| {
                        let selected = q().owner == Some(o.id);
                        view! { <option value=o.id.to_string() selected=selected>{o.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <Show when=owns_accounts>
                <label class="checkbox">
                    <input type="checkbox" data-testid="filter-mine" prop:checked=move || q().owner.is_some() && q().owner == my_id() on:change=on_mine.clone() />
                    {t!(i18n, my_accounts)}
                </label>
            </Show>
            <Show when=move || { currencies().len() > 1 }>
                <fieldset class="segmented">
                    <legend>{t!(i18n, filter_currency)}</legend>
                    {
                        let s5 = s5.clone();
                        move || currencies().into_iter().map(|c| {
                            let s5 = s5.clone();
                            view! {
                                <button type="button" class="button" aria-pressed=move || (currency.get() == Some(c)).to_string()
                                    data-testid=format!("currency-{c}") on:click=move |_| s5(&|s| s.currency = Some(c))>{c.as_str()}</button>
                            }
                        }).collect_view()
                    }
                </fieldset>
            </Show>
            <button type="button" class="button button-quiet" data-testid="filter-reset" on:click=move |_| s6(&|s| *s = DashState::default())>
                {t!(i18n, reset_filters)}
            </button>
        </form>
    }
}

fn period_kind_label(i18n: I18nContext<Locale>, k: PeriodKind) -> String {
    match k {
        PeriodKind::Month => t_string!(i18n, period_month),
        PeriodKind::Quarter => t_string!(i18n, period_quarter),
        PeriodKind::Year => t_string!(i18n, period_year),
    }
    .to_string()
}

/// "March 2025 compared with February 2025 · 7 accounts".
#[component]
fn PeriodCaption(r: KpiResponse) -> impl IntoView {
    let i18n = use_i18n();
    let text = move || {
        let locale = i18n.get_locale();
        let current = format::period(r.current.period, r.period_kind, locale);
        let previous = format::period(r.previous.period, r.period_kind, locale);
        let count = format::count(r.basis.accounts as u64, locale);
        format!(
            "{} · {}",
            t_string!(i18n, compared_with, period = current, previous = previous),
            t_string!(i18n, accounts_in_view, count = count)
        )
    };
    let empty = r.basis.last_data_month.is_none();
    view! {
        <p class="period-caption" data-testid="period-caption">{text}</p>
        <Show when=move || empty>
            <p class="empty-state" data-testid="dashboard-empty">{t!(i18n, dashboard_empty)}</p>
        </Show>
    }
}

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
fn Tiles(r: KpiResponse, currency: Currency) -> impl IntoView {
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
        let money = |v: i64| format::money(v, currency, locale);
        let count = |v: usize| format::count(v as u64, locale);
        let pct = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format::percent(v, locale));
        #[expect(clippy::cast_precision_loss, reason = "display of MRR")]
        let as_f = |v: i64| Some(v as f64);
        let m = &cur;
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
        .into_iter()
        .chain(experience_tiles(i18n, &r, currency, locale))
        .map(|t| tile_view(i18n, t, currency, locale))
        .collect_view()
    };
    view! { <section class="tiles" aria-label=move || t_string!(i18n, tiles_label)>{tiles}</section> }
}

/// The NPS, CSAT, onboarding completion, time-to-value and at-risk MRR
/// tiles, for the sources the server has (`KpiBasis::sources`); the
/// numbers are the server's, computed with `kizuna_shared`.
fn experience_tiles(
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
                <summary>{t!(i18n, based_on)}</summary>
                <dl>
                    {t.basis.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                </dl>
            </details>
        </article>
    }
}

/// The charts of the dashboard.
#[component]
fn Charts(r: KpiResponse, series: Option<KpiSeriesResponse>, currency: Currency) -> impl IntoView {
    let i18n = use_i18n();
    let current = r.current.revenue_of(currency).cloned().unwrap_or_default();
    let kind = r.period_kind;
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
    let periods: Vec<PeriodKpis> = series
        .as_ref()
        .map(|s| s.periods.clone())
        .unwrap_or_default();
    let pick = {
        let periods = periods.clone();
        move |f: fn(&RevenueMovements) -> Option<f64>| {
            periods
                .iter()
                .map(|p| p.revenue_of(currency).and_then(f))
                .collect::<Vec<_>>()
        }
    };
    let nrr = pick(|m| m.nrr_pct);
    let grr = pick(|m| m.grr_pct);
    let churn = pick(|m| m.logo_churn_pct);
    let cohorts = series
        .as_ref()
        .map(|s| s.cohorts.clone())
        .unwrap_or_default();

    // --- waterfall ---
    let wf_steps = steps.clone();
    let waterfall = ChartSpec {
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
    };

    // --- trends and stacked charts (one builder: `period_chart`) ---
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
    let col = |name: fn(Locale) -> String, colour, show, values| Col {
        name,
        colour,
        show,
        values,
    };
    let line = Some(PALETTE[0]);
    let retention = chart(PeriodChart {
        id: "retention-trend",
        title: |l| td_string!(l, chart_retention_trend).to_string(),
        style: Style::Lines,
        axis: Show::Pct,
        cols: vec![
            col(
                |l| td_string!(l, short_nrr).to_string(),
                line,
                Show::Pct,
                nrr,
            ),
            col(
                |l| td_string!(l, short_grr).to_string(),
                line,
                Show::Pct,
                grr,
            ),
        ],
    });
    let churn_chart = chart(PeriodChart {
        id: "churn-trend",
        title: |l| td_string!(l, chart_churn_trend).to_string(),
        style: Style::Lines,
        axis: Show::Pct,
        cols: vec![col(
            |l| td_string!(l, tile_logo_churn).to_string(),
            line,
            Show::Pct,
            churn,
        )],
    });
    let of = |f: &dyn Fn(&PeriodKpis) -> Option<f64>| -> Vec<Option<f64>> {
        periods.iter().map(f).collect()
    };
    let [red, yellow, green] = BAND_COLOURS;
    let grey = RGBColor(160, 168, 178);
    let has = |source: &str| r.basis.sources.iter().any(|s| s == source);
    let mut extra = Vec::new();
    if has("surveys") {
        let n = |f: fn(&SurveyKpis) -> usize| of(&|p| p.surveys.map(|s| f(&s) as f64));
        extra.push(chart(PeriodChart {
            id: "nps",
            title: |l| td_string!(l, chart_nps).to_string(),
            style: Style::Stacked,
            axis: Show::Count,
            cols: vec![
                col(
                    |l| td_string!(l, short_promoters).to_string(),
                    Some(green),
                    Show::Count,
                    n(|s| s.promoters),
                ),
                col(
                    |l| td_string!(l, short_passives).to_string(),
                    Some(yellow),
                    Show::Count,
                    n(|s| s.passives),
                ),
                col(
                    |l| td_string!(l, short_detractors).to_string(),
                    Some(red),
                    Show::Count,
                    n(|s| s.detractors),
                ),
                col(
                    |l| td_string!(l, short_nps).to_string(),
                    None,
                    Show::Score,
                    of(&|p| p.surveys.and_then(|s| s.nps)),
                ),
            ],
        }));
    }
    if has("health") {
        let n = |f: fn(&HealthKpis) -> usize| of(&|p| p.health.as_ref().map(|h| f(h) as f64));
        let mrr = |f: fn(&HealthMrr) -> Option<f64>| {
            of(&|p| {
                p.health
                    .as_ref()
                    .and_then(|h| h.mrr_of(currency))
                    .and_then(f)
            })
        };
        extra.push(chart(PeriodChart {
            id: "health",
            title: |l| td_string!(l, chart_health).to_string(),
            style: Style::Stacked,
            axis: Show::Count,
            cols: vec![
                col(
                    |l| band_label(l, Band::Red),
                    Some(red),
                    Show::Count,
                    n(|h| h.red),
                ),
                col(
                    |l| band_label(l, Band::Yellow),
                    Some(yellow),
                    Show::Count,
                    n(|h| h.yellow),
                ),
                col(
                    |l| band_label(l, Band::Green),
                    Some(green),
                    Show::Count,
                    n(|h| h.green),
                ),
                col(
                    |l| td_string!(l, short_not_scored).to_string(),
                    Some(grey),
                    Show::Count,
                    n(|h| h.not_scored),
                ),
                col(
                    |l| td_string!(l, short_at_risk).to_string(),
                    None,
                    Show::Money,
                    mrr(|m| Some(m.at_risk as f64)),
                ),
                col(
                    |l| td_string!(l, count_at_risk_share).to_string(),
                    None,
                    Show::Pct,
                    mrr(|m| m.at_risk_pct),
                ),
            ],
        }));
    }
    if has("onboarding") {
        let o = |f: fn(&OnboardingKpis) -> Option<f64>| of(&|p| p.onboarding.as_ref().and_then(f));
        extra.push(chart(PeriodChart {
            id: "onboarding",
            title: |l| td_string!(l, chart_onboarding).to_string(),
            style: Style::Stacked,
            axis: Show::Count,
            cols: vec![
                col(
                    |l| td_string!(l, short_completed).to_string(),
                    Some(green),
                    Show::Count,
                    o(|o| Some(o.sheets_completed as f64)),
                ),
                col(
                    |l| td_string!(l, short_started_open).to_string(),
                    Some(grey),
                    Show::Count,
                    o(|o| Some(o.sheets_started.saturating_sub(o.sheets_completed) as f64)),
                ),
                col(
                    |l| td_string!(l, short_completion).to_string(),
                    None,
                    Show::Pct,
                    o(|o| o.onboarding_completion_pct),
                ),
            ],
        }));
        extra.push(chart(PeriodChart {
            id: "ttv",
            title: |l| td_string!(l, chart_ttv).to_string(),
            style: Style::Lines,
            // Whole days on the axis ("100.0 days" would not fit); the
            // title says the unit, hover and table say "n days".
            axis: Show::Count,
            cols: vec![
                col(
                    |l| td_string!(l, short_ttv).to_string(),
                    line,
                    Show::Days,
                    o(|o| o.ttv_median_days),
                ),
                col(
                    |l| td_string!(l, count_ttv_completions).to_string(),
                    None,
                    Show::Count,
                    o(|o| Some(o.ttv_completions as f64)),
                ),
            ],
        }));
    }

    // --- cohorts ---
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
    let cohort_chart = ChartSpec {
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
    };

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

/// How a per-period chart draws its drawn columns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    /// Stacked bars, bottom-up in column order.
    Stacked,
    /// Lines with gaps where a value is undefined.
    Lines,
}

/// How a value reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Show {
    Count,
    Pct,
    Score,
    Money,
    Days,
}

impl Show {
    #[expect(clippy::cast_possible_truncation, reason = "display of amounts")]
    fn text(self, v: f64, currency: Currency, locale: Locale) -> String {
        match self {
            Show::Count => format::count(v.round().max(0.0) as u64, locale),
            Show::Pct => format::percent(v, locale),
            Show::Score => format::score(v, locale),
            Show::Money => format::money(v.round() as i64, currency, locale),
            Show::Days => td_string!(
                locale,
                days_value,
                n = format::score(v, locale).trim_start_matches('+').to_owned()
            )
            .to_string(),
        }
    }

    /// The unit a CSV header names for raw values.
    fn csv_unit(self, currency: Currency) -> String {
        match self {
            Show::Pct => " (%)".to_owned(),
            Show::Money => format!(" ({currency}, minor units)"),
            Show::Days => " (days)".to_owned(),
            Show::Count | Show::Score => String::new(),
        }
    }
}

/// One column of a per-period chart: every column is in the hover text,
/// the table and the CSV; those with a colour are drawn.
#[derive(Clone)]
struct Col {
    name: fn(Locale) -> String,
    colour: Option<RGBColor>,
    show: Show,
    values: Vec<Option<f64>>,
}

/// A chart of one value (or several) per period of the series.
struct PeriodChart {
    id: &'static str,
    title: fn(Locale) -> String,
    style: Style,
    axis: Show,
    cols: Vec<Col>,
}

/// The periods' names in a language.
type Names = Arc<dyn Fn(Locale) -> Vec<String> + Send + Sync>;

/// A chart card's spec for a [`PeriodChart`]: drawn with the one stacked
/// bar drawer or the one line drawer; hover shows every column's exact
/// value of the period under the pointer.
fn period_chart(
    i18n: I18nContext<Locale>,
    names: Names,
    currency: Currency,
    c: PeriodChart,
) -> ChartSpec {
    let cols = Arc::new(c.cols);
    let (style, axis, title) = (c.style, c.axis, c.title);
    let cell = move |col: &Col, i: usize, locale: Locale| {
        col.values
            .get(i)
            .copied()
            .flatten()
            .map(|v| col.show.text(v, currency, locale))
    };
    let draw = {
        let (cols, names) = (cols.clone(), names.clone());
        Arc::new(move |area: &Area, hit: Option<Hit>| {
            let locale = i18n.get_locale_untracked();
            let highlight = match hit {
                Some(Hit::Slot(i)) => Some(i),
                _ => None,
            };
            // Counts label whole numbers only (a 0–1 axis would read
            // "0, 1, 1" otherwise).
            let y_text = move |v: f64| {
                if axis == Show::Count && (v - v.round()).abs() > 1e-6 {
                    String::new()
                } else {
                    axis.text(v, currency, locale)
                }
            };
            let drawn = cols.iter().filter(|c| c.colour.is_some());
            let plotted = match style {
                Style::Stacked => {
                    let stacks: Vec<Stack> = drawn
                        .map(|c| Stack {
                            name: (c.name)(locale),
                            colour: c.colour.unwrap_or(PALETTE[0]),
                            values: c.values.iter().map(|v| v.unwrap_or(0.0)).collect(),
                        })
                        .collect();
                    draw_stacked(area, &names(locale), &stacks, &y_text, highlight)
                }
                Style::Lines => {
                    let lines: Vec<Line> = drawn
                        .map(|c| Line {
                            name: (c.name)(locale),
                            values: c.values.clone(),
                        })
                        .collect();
                    draw_lines(area, &names(locale), &lines, &y_text, highlight)
                }
            };
            plotted.ok().map(HitMap::Slots)
        })
    };
    let hover = {
        let (cols, names) = (cols.clone(), names.clone());
        Arc::new(move |hit: Hit| {
            let Hit::Slot(i) = hit else { return None };
            let locale = i18n.get_locale_untracked();
            let label = names(locale).get(i)?.clone();
            let parts = cols
                .iter()
                .map(|c| {
                    let v =
                        cell(c, i, locale).unwrap_or_else(|| t_string!(i18n, no_value).to_string());
                    format!("{} {v}", (c.name)(locale))
                })
                .collect::<Vec<_>>()
                .join(" · ");
            Some(format!("{label}: {parts}"))
        })
    };
    let table = {
        let (cols, names) = (cols.clone(), names.clone());
        Arc::new(move || {
            let locale = i18n.get_locale_untracked();
            let mut header = vec![t_string!(i18n, col_period).to_string()];
            header.extend(cols.iter().map(|c| (c.name)(locale)));
            let rows = names(locale)
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    let mut row = vec![p];
                    row.extend(
                        cols.iter()
                            .map(|c| cell(c, i, locale).unwrap_or_else(|| "—".to_owned())),
                    );
                    row
                })
                .collect();
            (header, rows)
        })
    };
    let csv_of = Arc::new(move || {
        let locale = i18n.get_locale_untracked();
        let mut header = vec![t_string!(i18n, col_period).to_string()];
        header.extend(
            cols.iter()
                .map(|c| format!("{}{}", (c.name)(locale), c.show.csv_unit(currency))),
        );
        let rows = names(locale)
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut row = vec![p];
                row.extend(cols.iter().map(|c| {
                    c.values
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                }));
                row
            })
            .collect::<Vec<_>>();
        csv(&header, &rows)
    });
    ChartSpec {
        id: c.id,
        title: Signal::derive(move || title(i18n.get_locale())),
        height: 280,
        draw,
        hover,
        table,
        csv: csv_of,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
