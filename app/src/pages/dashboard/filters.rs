//! The filter bar: period kind, months, segment, tier, plan, owner, "my
//! accounts", the currency shown; every change rewrites the URL.

use crate::api::ApiError;
use crate::components::labels::tier_label;
use crate::i18n::*;
use kizuna_shared::api::{KpiResponse, KpiSeriesResponse, PeriodKind, UserSummary};
use kizuna_shared::domain::{Currency, Tier};
use kizuna_shared::metrics::Month;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::state::{DashState, SetState};

/// The filter bar; every change rewrites the URL.
#[component]
pub fn Filters(
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
        <form class="filters dash-filters" on:submit=|ev| ev.prevent_default() aria-label=tr!(i18n, filters_label)>
            <label class="field">
                <span>{tr!(i18n, filter_period)}</span>
                <select on:change=on_period data-testid="filter-period">
                    {PeriodKind::ALL.iter().copied().map(|k| view! {
                        <option value=k.as_str() selected=move || q().kind() == k>{move || period_kind_label(i18n, k)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{tr!(i18n, filter_from)}</span>
                <input type="month" data-testid="filter-from" prop:value=move || q().from.map(|m| m.to_string()).unwrap_or_default() on:change=move |ev| on_month("from", ev) />
            </label>
            <label class="field">
                <span>{tr!(i18n, filter_to)}</span>
                <input type="month" data-testid="filter-to" prop:value=move || q().to.map(|m| m.to_string()).unwrap_or_default() on:change=move |ev| on_month2("to", ev) />
            </label>
            <label class="field">
                <span>{tr!(i18n, filter_segment)}</span>
                <select on:change=move |ev| on_text("segment", ev) data-testid="filter-segment">
                    <option value="" selected=move || q().segment.is_none()>{tr!(i18n, all)}</option>
                    {move || choices(|s| &s.segments).into_iter().map(|v| {
                        let selected = q().segment.as_deref() == Some(v.as_str());
                        view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{tr!(i18n, filter_tier)}</span>
                <select on:change=move |ev| on_text2("tier", ev) data-testid="filter-tier">
                    <option value="" selected=move || q().tier.is_none()>{tr!(i18n, all)}</option>
                    {[Tier::High, Tier::Low, Tier::Tech].into_iter().map(|t| view! {
                        <option value=t.as_str() selected=move || q().tier == Some(t)>{move || tier_label(i18n, t)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{tr!(i18n, filter_plan)}</span>
                <select on:change=move |ev| on_text3("plan", ev) data-testid="filter-plan">
                    <option value="" selected=move || q().plan.is_none()>{tr!(i18n, all)}</option>
                    {move || choices(|s| &s.plans).into_iter().map(|v| {
                        let selected = q().plan.as_deref() == Some(v.as_str());
                        view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{tr!(i18n, filter_owner)}</span>
                <select on:change=move |ev| on_text4("owner", ev) data-testid="filter-owner">
                    <option value="" selected=move || q().owner.is_none()>{tr!(i18n, all)}</option>
                    {move || owners.get().unwrap_or_default().into_iter().map(|o| {
                        let selected = q().owner == Some(o.id);
                        view! { <option value=o.id.to_string() selected=selected>{o.name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <Show when=owns_accounts>
                <label class="checkbox">
                    <input type="checkbox" data-testid="filter-mine" prop:checked=move || q().owner.is_some() && q().owner == my_id() on:change=on_mine.clone() />
                    {tr!(i18n, my_accounts)}
                </label>
            </Show>
            <Show when=move || { currencies().len() > 1 }>
                <fieldset class="segmented">
                    <legend>{tr!(i18n, filter_currency)}</legend>
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
                {tr!(i18n, reset_filters)}
            </button>
        </form>
    }
}

fn period_kind_label(i18n: I18nContext<Locale>, k: PeriodKind) -> String {
    let locale = i18n.get_locale();
    match k {
        PeriodKind::Month => td_string!(locale, period_month),
        PeriodKind::Quarter => td_string!(locale, period_quarter),
        PeriodKind::Year => td_string!(locale, period_year),
    }
    .to_string()
}
