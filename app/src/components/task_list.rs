//! A list of tasks with "done" / "open again" buttons for those who may:
//! the tasks page's and the account page's.

use crate::clock::today;
use crate::components::form::ErrorAlert;
use crate::components::labels::{task_kind_label, task_status_label};
use crate::components::pager::page_in_url;
use crate::components::pager::{PagePosition, Pager};
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{Task, TaskQuery, UpdateTask};
use kizuna_shared::domain::TaskStatus;
use leptos::prelude::*;

/// A list of tasks with "done" / "open again" buttons for those who may.
#[component]
pub fn TaskList(
    /// Only this owner's tasks.
    #[prop(optional, into)]
    owner: Signal<Option<i64>>,
    /// Only tasks in this status.
    #[prop(optional, into)]
    status: Signal<Option<TaskStatus>>,
    /// Only this account's tasks.
    account: Option<i64>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let (page, go_page) = page_in_url();
    let reload = RwSignal::new(0_u32);
    let failure = RwSignal::new(None::<crate::api::ApiError>);
    let tasks = LocalResource::new(move || {
        reload.track();
        let query = TaskQuery {
            page: Some(page.get()),
            per_page: Some(20),
            owner: owner.get(),
            account,
            status: status.get(),
        };
        async move { crate::api::tasks(&query).await }
    });
    let set_status = move |id: i64, status: TaskStatus| {
        leptos::task::spawn_local(async move {
            match crate::api::update_task(id, &UpdateTask { status }).await {
                Ok(_) => reload.update(|n| *n += 1),
                Err(err) => failure.set(Some(err)),
            }
        });
    };
    let may_change =
        move |t: &Task| session.can_change_task(t.owner.as_ref().map(|o| o.id), t.account_owner_id);
    let body = move || {
        tasks.get().map(|r| match r {
            Err(err) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
            Ok(p) if p.items.is_empty() => view! { <p class="empty-state" data-testid="tasks-empty">{tr!(i18n, no_tasks)}</p> }.into_any(),
            Ok(p) => {
                let locale = i18n.get_locale();
                let at = PagePosition::of(&p);
                let rows = p.items.into_iter().map(|t| {
                    let overdue = t.status == TaskStatus::Open && t.due_on < today();
                    let action = may_change(&t).then(|| {
                        let (next, label) = match t.status {
                            TaskStatus::Open => (TaskStatus::Done, t_string!(i18n, mark_done).to_string()),
                            TaskStatus::Done => (TaskStatus::Open, t_string!(i18n, reopen).to_string()),
                        };
                        let id = t.id;
                        view! { <button type="button" class="button" on:click=move |_| set_status(id, next)>{label}</button> }
                    });
                    view! {
                        <tr class:overdue=overdue>
                            <td class="nowrap">{format::date(t.due_on, locale)}
                                {overdue.then(|| view! { <span class="pill pill-overdue"><span aria-hidden="true">"⚠"</span> " " {tr!(i18n, overdue)}</span> })}</td>
                            <th scope="row">{task_kind_label(i18n, t.kind)}<span class="muted small block">{t.reason.clone()}</span></th>
                            <td>{t.account.map(|a| view! { <a href=format!("/accounts/{}", a.id)>{a.name}</a> })}</td>
                            <td>{t.owner.map(|o| o.name).unwrap_or_else(|| t_string!(i18n, unassigned).to_string())}</td>
                            <td>{task_status_label(i18n, t.status)}
                                {t.done_by.map(|u| view! { <span class="muted small block">{u.name}</span> })}</td>
                            <td>{action}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="table-wrap"><table class="data-table" data-testid="tasks-table">
                        <thead><tr>
                            <th scope="col">{tr!(i18n, col_due)}</th>
                            <th scope="col">{tr!(i18n, col_task)}</th>
                            <th scope="col">{tr!(i18n, col_account)}</th>
                            <th scope="col">{tr!(i18n, col_owner)}</th>
                            <th scope="col">{tr!(i18n, col_status)}</th>
                            <th scope="col"><span class="visually-hidden">{tr!(i18n, actions)}</span></th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table></div>
                    <Pager at go=go_page count_testid="tasks-count" />
                }
                .into_any()
            }
        })
    };
    view! {
        {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
        {move || body().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
    }
}
