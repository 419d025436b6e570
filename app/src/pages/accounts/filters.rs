//! The accounts list's search and filters (status, owner, tier, health
//! band); a change goes back to page 1.

use crate::api::ApiError;
use crate::components::labels::band_label;
use crate::i18n::*;
use kizuna_shared::api::{Page, UserSummary};
use kizuna_shared::metrics::Band;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::state::{parse_band, ListState, SetState};

/// The search box and the filters.
pub fn account_filters(
    i18n: I18nContext<Locale>,
    state: Memo<ListState>,
    set_state: SetState,
    owners: LocalResource<Result<Page<UserSummary>, ApiError>>,
) -> impl IntoView {
    // Changing a filter goes back to page 1.
    let update = move |change: &dyn Fn(&mut ListState)| {
        let mut next = state.get_untracked();
        change(&mut next);
        next.page = 1;
        set_state(next);
    };
    let update_search = update.clone();
    let update_status = update.clone();
    let update_owner = update.clone();
    let update_tier = update.clone();
    let update_band = update.clone();
    let clear = update.clone();
    view! {
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            <div class="field field-grow">
                <label for="account-search">{tr!(i18n, search)}</label>
                <input
                    id="account-search"
                    type="search"
                    placeholder=tr!(i18n, search_placeholder)
                    prop:value=move || state.get().q
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        update_search(&|s: &mut ListState| s.q = value.clone());
                    }
                />
            </div>
            <div class="field">
                <label for="filter-status">{tr!(i18n, filter_status)}</label>
                <select
                    id="filter-status"
                    prop:value=move || state.get().status.map(|s| s.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let value = event_target_value(&ev).parse().ok();
                        update_status(&|s: &mut ListState| s.status = value);
                    }
                >
                    <option value="">{tr!(i18n, all)}</option>
                    <option value="active">{tr!(i18n, status_active)}</option>
                    <option value="churned">{tr!(i18n, status_churned)}</option>
                </select>
            </div>
            <div class="field">
                <label for="filter-owner">{tr!(i18n, filter_owner)}</label>
                <select
                    id="filter-owner"
                    prop:value=move || state.get().owner.map(|o| o.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let value = event_target_value(&ev).parse().ok();
                        update_owner(&|s: &mut ListState| s.owner = value);
                    }
                >
                    <option value="">{tr!(i18n, all)}</option>
                    {move || owners.get().and_then(Result::ok).map(|page| {
                        let selected = state.get_untracked().owner;
                        page.items.into_iter().map(|u| view! {
                            <option value=u.id.to_string() selected=selected == Some(u.id)>{u.name}</option>
                        }).collect_view()
                    })}
                </select>
            </div>
            <div class="field">
                <label for="filter-tier">{tr!(i18n, filter_tier)}</label>
                <select
                    id="filter-tier"
                    prop:value=move || state.get().tier.map(|t| t.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let value = event_target_value(&ev).parse().ok();
                        update_tier(&|s: &mut ListState| s.tier = value);
                    }
                >
                    <option value="">{tr!(i18n, all)}</option>
                    <option value="high">{tr!(i18n, tier_high)}</option>
                    <option value="low">{tr!(i18n, tier_low)}</option>
                    <option value="tech">{tr!(i18n, tier_tech)}</option>
                </select>
            </div>
            <div class="field">
                <label for="filter-band">{tr!(i18n, health.filter_band)}</label>
                <select
                    id="filter-band"
                    data-testid="filter-band"
                    prop:value=move || state.get().band.map(|b| b.as_str().to_owned()).unwrap_or_default()
                    on:change=move |ev| {
                        let value = parse_band(&event_target_value(&ev));
                        update_band(&|s: &mut ListState| s.band = value);
                    }
                >
                    <option value="">{tr!(i18n, all)}</option>
                    {Band::ALL.into_iter().map(|b| view! {
                        <option value=b.as_str()>{move || band_label(i18n.get_locale(), b)}</option>
                    }).collect_view()}
                </select>
            </div>
            <button
                type="button"
                class="button button-quiet"
                on:click=move |_| clear(&|s: &mut ListState| {
                    *s = ListState { sort: s.sort, dir: s.dir, ..ListState::default() };
                })
            >
                {tr!(i18n, clear_filters)}
            </button>
        </form>
    }
}
