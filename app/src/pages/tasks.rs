//! Tasks: `/tasks` (by default the signed-in user's open ones) and the task
//! list of an account's page. A detractor answer creates a follow-up task
//! for the account's owner; its owner or a manager marks it done.

use crate::components::task_list::TaskList;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::domain::TaskStatus;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The tasks page.
#[component]
pub fn TasksPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map();
    let account = query.with_untracked(|q| q.get("account").and_then(|s| s.parse::<i64>().ok()));
    let me = session.user.with_untracked(|u| u.as_ref().map(|u| u.id));
    // An account's tasks (from a link) are everyone's; otherwise mine.
    let owner = RwSignal::new(if account.is_some() { None } else { me });
    let status = RwSignal::new(Some(TaskStatus::Open));
    let owners = LocalResource::new(crate::api::owners);
    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, tasks_title)}</h1>
                <p class="lead">{tr!(i18n, tasks_lead)}</p>
            </div>
        </div>
        <form class="filters" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="task-owner">{tr!(i18n, filter_owner)}</label>
                <select id="task-owner" on:change=move |ev| owner.set(event_target_value(&ev).parse().ok())>
                    <option value="" selected=owner.get_untracked().is_none()>{tr!(i18n, all)}</option>
                    {move || owners.get().and_then(Result::ok).map(|p| p.items.into_iter().map(|u| {
                        let selected = owner.get_untracked() == Some(u.id);
                        view! { <option value=u.id.to_string() selected=selected>{u.name}</option> }
                    }).collect_view())}
                </select>
            </div>
            <div class="field">
                <label for="task-status">{tr!(i18n, col_status)}</label>
                <select id="task-status" on:change=move |ev| status.set(event_target_value(&ev).parse().ok())>
                    <option value="open" selected=true>{tr!(i18n, task_open)}</option>
                    <option value="done">{tr!(i18n, task_done)}</option>
                    <option value="">{tr!(i18n, all)}</option>
                </select>
            </div>
        </form>
        <section class="card">
            <TaskList owner=owner status=status account=account />
        </section>
    }
}
