//! The account picker: looks up active accounts by name as the user types.

use crate::i18n::*;
use kizuna_shared::api::{Account, AccountQuery};
use kizuna_shared::domain::AccountStatus;
use leptos::prelude::*;

/// Looks up accounts by name and calls `on_pick` with the chosen one.
/// `owner` limits the search to one owner's accounts (a CSM's own).
#[component]
pub fn AccountPicker(
    /// Id of the search input.
    id: &'static str,
    /// Called with the picked account.
    on_pick: Callback<Account>,
    /// Only this owner's accounts.
    #[prop(optional, into)]
    owner: Signal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let results = LocalResource::new(move || {
        let q = query.get();
        let owner = owner.get();
        async move {
            if q.trim().chars().count() < 1 {
                return Ok(Vec::new());
            }
            let query = AccountQuery {
                per_page: Some(8),
                status: Some(AccountStatus::Active),
                q: Some(q.trim().to_owned()),
                owner,
                ..AccountQuery::default()
            };
            crate::api::accounts(&query).await.map(|p| p.items)
        }
    });
    view! {
        <div class="field picker">
            <label for=id>{tr!(i18n, find_account)}</label>
            <input id=id type="search" autocomplete="off"
                placeholder=tr!(i18n, find_account_hint)
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev)) />
            <ul class="picker-results" aria-live="polite">
                {move || results.get().and_then(Result::ok).map(|accounts| {
                    accounts.into_iter().map(|a| {
                        let name = a.name.clone();
                        let label = t_string!(i18n, pick_account, name = name.clone()).to_string();
                        view! {
                            <li>
                                <button type="button" class="button button-quiet" aria-label=label
                                    on:click=move |_| { on_pick.run(a.clone()); query.set(String::new()); }>
                                    "＋ " {name}
                                </button>
                            </li>
                        }
                    }).collect_view()
                })}
            </ul>
        </div>
    }
}
