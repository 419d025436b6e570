//! The KPI dashboard (`/dashboard`): tiles with the change against the
//! previous period and the counts behind each value, and plotters charts
//! (MRR movement waterfall, NRR/GRR trend, logo churn trend, cohort
//! retention heatmap) with hover values, PNG and CSV export and a table
//! for each. Filters live in the URL, so a view can be bookmarked and
//! shared; the page refetches when the server announces a change
//! (`crate::live`). Every number comes from the KPI API, which computes it
//! with `kizuna_shared`; this page only formats and lays it out. The page
//! has no write controls: it is the same for every role.
//!
//! `state.rs` the URL state and the charts' range, `filters.rs` the filter
//! bar, `tiles/` the KPI tiles, `charts/` the chart cards (one module per
//! chart, per-period ones through `period_chart.rs`).

mod charts;
mod filters;
mod state;
mod tiles;

use std::sync::Arc;

use crate::api::ApiError;
use crate::format;
use crate::i18n::*;
use crate::live::{use_live_updates, LiveStatus};
use crate::session::use_session;
use kizuna_shared::api::KpiResponse;
use kizuna_shared::domain::{Capability, Currency};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use charts::Charts;
use filters::Filters;
use state::{series_query, DashState};
use tiles::Tiles;

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
                <h1>{tr!(i18n, dashboard_title)}</h1>
                <p class="lead">{tr!(i18n, dashboard_lead)}</p>
            </div>
            <LiveBadge status=live.status />
        </div>
        <Filters state=state kpis=kpis series=series owners=owners set_state=set_state.clone() currency=currency owns_accounts=move || session.may(Capability::OwnAccounts) my_id=move || session.user.with(|u| u.as_ref().map(|u| u.id)) />
        {move || match kpis.get() {
            None => view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any(),
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
            <p class="empty-state" data-testid="dashboard-empty">{tr!(i18n, dashboard_empty)}</p>
        </Show>
    }
}
