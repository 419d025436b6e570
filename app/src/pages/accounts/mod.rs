//! The accounts list: server-side paging, sorting, search and filters, all
//! kept in the URL query so a view can be bookmarked, shared and reloaded.
//! The last sort is also remembered in localStorage and restored when the
//! URL names none; the CSV export link carries the current filters.
//!
//! `state.rs` the URL state and the saved sort, `filters.rs` the search and
//! filters, `table.rs` the sortable table and its rows.

mod filters;
mod state;
mod table;

pub use state::parse_saved_sort;

use std::sync::Arc;

use crate::i18n::*;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use filters::account_filters;
use state::{storage, ListState, SetState, SORT_KEY};
use table::accounts_table;

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

    let set_state: SetState = Arc::new(move |next: ListState| {
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
    });

    let accounts = LocalResource::new(move || {
        let query = state.get().api_query();
        async move { crate::api::accounts(&query).await }
    });
    let owners = LocalResource::new(crate::api::owners);

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
        {account_filters(i18n, state, set_state.clone(), owners)}
        <section class="card" aria-live="polite" aria-busy=move || accounts.get().is_none().to_string()>
            {accounts_table(i18n, state, set_state, accounts)}
        </section>
    }
}
