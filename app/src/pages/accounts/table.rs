//! The accounts table: sortable column headers (the sort is remembered),
//! one row per account with its health cell, and the pager.

use crate::api::ApiError;
use crate::components::form::ErrorAlert;
use crate::components::labels::{tier_label, BandPill, StatusPill};
use crate::components::pager::{PagePosition, Pager};
use crate::format;
use crate::i18n::*;
use kizuna_shared::api::{Account, AccountSort, Page, SortDir};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::state::{save_sort, ListState, SetState};

/// The table of the page of accounts, or why there is none.
pub fn accounts_table(
    i18n: I18nContext<Locale>,
    state: Memo<ListState>,
    set_state: SetState,
    accounts: LocalResource<Result<Page<Account>, ApiError>>,
) -> impl IntoView {
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

    let header = move |column: AccountSort, label: Signal<String>, numeric: bool| {
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

    move || {
        table().unwrap_or_else(|| {
            view! {
                <p class="loading" role="status">{tr!(i18n, loading)}</p>
            }
            .into_any()
        })
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
