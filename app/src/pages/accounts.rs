//! The accounts list: server-side paging, sorting, search and filters, all
//! kept in the URL query so a view can be bookmarked, shared and reloaded.
//! The last sort is also remembered in localStorage and restored when the
//! URL names none; the CSV export link carries the current filters.

use crate::components::form::ErrorAlert;
use crate::components::labels::{band_label, tier_label, BandPill, StatusPill};
use crate::components::pager::{page_param, PagePosition, Pager};
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{Account, AccountQuery, AccountSort, SortDir};
use kizuna_shared::domain::{AccountStatus, Tier};
use kizuna_shared::metrics::Band;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

/// The list state as it appears in the URL.
#[derive(Debug, Clone, PartialEq, Default)]
struct ListState {
    q: String,
    status: Option<AccountStatus>,
    owner: Option<i64>,
    tier: Option<Tier>,
    band: Option<Band>,
    sort: AccountSort,
    dir: SortDir,
    page: u32,
}

impl ListState {
    /// Reads the state from the URL; unknown values fall back to defaults.
    fn from_query(q: &ParamsMap) -> Self {
        ListState {
            q: q.get("q").unwrap_or_default(),
            status: q.get("status").and_then(|s| s.parse().ok()),
            owner: q.get("owner").and_then(|s| s.parse().ok()),
            tier: q.get("tier").and_then(|s| s.parse().ok()),
            band: q.get("band").and_then(|s| parse_band(&s)),
            sort: q
                .get("sort")
                .and_then(|s| s.parse().ok())
                .unwrap_or_default(),
            dir: q
                .get("dir")
                .and_then(|s| s.parse().ok())
                .unwrap_or_default(),
            page: page_param(q),
        }
    }

    /// The query string (without `?`) of this state; defaults are left out.
    fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.trim().is_empty() {
            parts.push(format!("q={}", crate::api::encode(self.q.trim())));
        }
        if let Some(status) = self.status {
            parts.push(format!("status={status}"));
        }
        if let Some(owner) = self.owner {
            parts.push(format!("owner={owner}"));
        }
        if let Some(tier) = self.tier {
            parts.push(format!("tier={tier}"));
        }
        if let Some(band) = self.band {
            parts.push(format!("band={}", band.as_str()));
        }
        // The sort is always written: a URL without one means "the sort
        // used last", so the default must be explicit too.
        parts.push(format!("sort={}", self.sort.as_str()));
        if self.dir != SortDir::default() {
            parts.push(format!("dir={}", self.dir.as_str()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    /// The API query of this state (one page of [`PER_PAGE`] rows).
    fn api_query(&self) -> AccountQuery {
        let q = self.q.trim();
        AccountQuery {
            page: Some(self.page),
            per_page: Some(PER_PAGE),
            sort: Some(self.sort),
            dir: Some(self.dir),
            q: (!q.is_empty()).then(|| q.to_owned()),
            status: self.status,
            owner: self.owner,
            tier: self.tier,
            band: self.band,
        }
    }
}

/// A band's name in the URL (`red`, `yellow`, `green`).
fn parse_band(value: &str) -> Option<Band> {
    Band::ALL.into_iter().find(|b| b.as_str() == value)
}

const PER_PAGE: u32 = 50;

/// localStorage key of the last sort (`column:dir`).
const SORT_KEY: &str = "kizuna.accounts.sort";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Parses a saved sort (`mrr:desc`).
pub fn parse_saved_sort(saved: &str) -> Option<(AccountSort, SortDir)> {
    let (column, dir) = saved.split_once(':')?;
    Some((column.parse().ok()?, dir.parse().ok()?))
}

fn save_sort(sort: AccountSort, dir: SortDir) {
    if let Some(s) = storage() {
        // Not being able to remember a sort is harmless.
        let _ = s.set_item(SORT_KEY, &format!("{}:{}", sort.as_str(), dir.as_str()));
    }
}

/// The accounts list page.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let navigate = use_navigate();
    let session = use_session();
    let state = Memo::new(move |_| {
        query.with(|q| {
            let mut s = ListState::from_query(q);
            // A URL without a sort gets the one used last.
            if q.get("sort").is_none() {
                if let Some((sort, dir)) = storage()
                    .and_then(|st| st.get_item(SORT_KEY).ok().flatten())
                    .and_then(|saved| parse_saved_sort(&saved))
                {
                    s.sort = sort;
                    s.dir = dir;
                }
            }
            s
        })
    });

    let set_state = move |next: ListState| {
        let qs = next.to_query();
        let url = if qs.is_empty() {
            "/accounts".to_owned()
        } else {
            format!("/accounts?{qs}")
        };
        navigate(
            &url,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };

    let accounts = LocalResource::new(move || {
        let query = state.get().api_query();
        async move { crate::api::accounts(&query).await }
    });
    let owners = LocalResource::new(crate::api::owners);

    // Changing a filter goes back to page 1.
    let update = {
        let set_state = set_state.clone();
        move |change: &dyn Fn(&mut ListState)| {
            let mut next = state.get_untracked();
            change(&mut next);
            next.page = 1;
            set_state(next);
        }
    };
    let update_search = update.clone();
    let update_status = update.clone();
    let update_owner = update.clone();
    let update_tier = update.clone();
    let update_band = update.clone();
    let clear = update.clone();

    let sort_by = {
        let set_state = set_state.clone();
        move |column: AccountSort| {
            let mut next = state.get_untracked();
            if next.sort == column {
                next.dir = next.dir.reversed();
            } else {
                next.sort = column;
                // Money and dates are most useful biggest/latest first.
                next.dir = match column {
                    AccountSort::Mrr => SortDir::Desc,
                    _ => SortDir::Asc,
                };
            }
            next.page = 1;
            save_sort(next.sort, next.dir);
            set_state(next);
        }
    };
    let go_to_page = Callback::new(move |page: u32| {
        let mut next = state.get_untracked();
        next.page = page;
        set_state(next);
    });

    let header = {
        let sort_by = sort_by.clone();
        move |column: AccountSort, label: Signal<String>, numeric: bool| {
            let sort_by = sort_by.clone();
            let aria_sort = move || {
                let s = state.get();
                if s.sort != column {
                    "none"
                } else if s.dir == SortDir::Asc {
                    "ascending"
                } else {
                    "descending"
                }
            };
            let arrow = move || match aria_sort() {
                "ascending" => "▲",
                "descending" => "▼",
                _ => "↕",
            };
            view! {
                <th scope="col" aria-sort=aria_sort class:num=numeric>
                    <button
                        type="button"
                        class="sort-button"
                        data-sort=column.as_str()
                        on:click=move |_| sort_by(column)
                    >
                        {move || label.get()}
                        <span class="sort-arrow" aria-hidden="true">{arrow}</span>
                    </button>
                </th>
            }
        }
    };

    let table = move || {
        accounts.get().map(|result| match result {
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
            Ok(page) if page.items.is_empty() => view! {
                <div class="empty-state" data-testid="accounts-empty">
                    <p class="empty-title">{tr!(i18n, no_accounts)}</p>
                    <p>{tr!(i18n, no_accounts_hint)}</p>
                </div>
            }
            .into_any(),
            Ok(page) => {
                let locale = i18n.get_locale();
                let rows = page
                    .items
                    .iter()
                    .map(|a| account_row(i18n, locale, a))
                    .collect_view();
                let at = PagePosition::of(&page);
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="accounts-table">
                            <thead>
                                <tr>
                                    {header(AccountSort::Name, tr_signal!(i18n, col_name), false)}
                                    <th scope="col">{tr!(i18n, col_domain_industry)}</th>
                                    <th scope="col">{tr!(i18n, col_plan)}</th>
                                    <th scope="col">{tr!(i18n, col_tier)}</th>
                                    {header(AccountSort::Mrr, tr_signal!(i18n, col_mrr), true)}
                                    {header(AccountSort::Owner, tr_signal!(i18n, col_owner), false)}
                                    {header(AccountSort::RenewalDate, tr_signal!(i18n, col_renewal), false)}
                                    {header(AccountSort::Status, tr_signal!(i18n, col_status), false)}
                                    {header(AccountSort::Score, tr_signal!(i18n, health.column), false)}
                                    <th scope="col" class="num">{tr!(i18n, col_days_since_login)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <Pager at go=go_to_page count_testid="accounts-count" />
                }
                .into_any()
            }
        })
    };

    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, accounts_title)}</h1>
                <p class="lead">{tr!(i18n, accounts_lead)}</p>
            </div>
            <div class="page-actions">
                <a class="button" href=move || crate::api::accounts_export_url(&state.get().api_query()) download="kizuna-accounts.csv" data-testid="export-csv">
                    <span aria-hidden="true">"⤓ "</span>{tr!(i18n, export_csv)}
                </a>
                <Show when=move || session.can_manage()>
                    <a class="button button-primary" href="/accounts/new" data-testid="new-account">
                        {tr!(i18n, new_account)}
                    </a>
                </Show>
            </div>
        </div>
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
        <section class="card" aria-live="polite" aria-busy=move || accounts.get().is_none().to_string()>
            {move || table().unwrap_or_else(|| view! {
                <p class="loading" role="status">{tr!(i18n, loading)}</p>
            }.into_any())}
        </section>
    }
}

fn account_row(i18n: I18nContext<Locale>, locale: Locale, a: &Account) -> impl IntoView {
    let href = format!("/accounts/{}", a.id);
    let mrr = format::money(a.mrr_minor, a.currency, locale);
    let tier = tier_label(i18n, a.tier);
    let owner = a
        .owner
        .as_ref()
        .map(|o| o.name.clone())
        .unwrap_or_else(|| t_string!(i18n, unassigned).to_string());
    let renewal = a
        .renewal_date
        .map(|d| format::date(d, locale))
        .unwrap_or_else(|| t_string!(i18n, not_set).to_string());
    let not_set = t_string!(i18n, not_set).to_string();
    let days = a
        .signals
        .get("days_since_login")
        .map(|d| crate::format::trim_number(*d))
        .unwrap_or_else(|| not_set.clone());
    view! {
        <tr>
            <th scope="row" class="cell-name">
                <a href=href>{a.name.clone()}</a>
                {a.external_id.clone().map(|id| view! { <span class="muted small">{id}</span> })}
            </th>
            <td>
                {a.domain.clone().or_else(|| a.industry.clone()).unwrap_or_else(|| not_set.clone())}
                {a.domain.as_ref().and(a.industry.clone()).map(|i| view! { <span class="muted small block">{i}</span> })}
            </td>
            <td>{a.plan.clone().unwrap_or_else(|| not_set.clone())}</td>
            <td class="nowrap">{tier}</td>
            <td class="num">{mrr}</td>
            <td>{owner}</td>
            <td class="nowrap">{renewal}</td>
            <td><StatusPill status=a.status /></td>
            {health_cell(a)}
            <td class="num">{days}</td>
        </tr>
    }
}

/// The health cell: the published score and its band, with `data-band`
/// (`red`, `yellow`, `green`) for scored accounts; "—" without it for
/// unscored ones.
fn health_cell(a: &Account) -> impl IntoView {
    match (a.score, a.band) {
        (Some(score), Some(band)) => view! {
            <td class="nowrap cell-health" data-band=band.as_str()>
                <span class="num health-score">{format!("{score:.0}")}</span>
                " "
                <BandPill band />
            </td>
        }
        .into_any(),
        _ => view! { <td class="muted">"—"</td> }.into_any(),
    }
}
