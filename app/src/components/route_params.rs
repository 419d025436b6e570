//! What a route's parameters name, loaded: the account of `/accounts/:id`
//! (its detail page and its edit form).

use crate::api::ApiError;
use kizuna_shared::api::AccountDetail;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The account the route's `:id` names (`Ok(None)` when the id is not a
/// number), re-fetched when the id changes. Shared by the detail page and
/// the edit form.
pub fn account_from_route() -> LocalResource<Result<Option<AccountDetail>, ApiError>> {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let account = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => crate::api::account(id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    account
}
