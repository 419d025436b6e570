//! Tasks: `/tasks` (by default the signed-in user's open ones) and the task
//! list of an account's page. A detractor answer creates a follow-up task
//! for the account's owner; its owner or a manager marks it done.

use crate::components::form::ErrorAlert;
use crate::components::labels::{task_kind_label, task_status_label};
use crate::components::pager::{PagePosition, Pager};
use crate::components::work::{page_in_url, today};
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{Task, TaskQuery, UpdateTask};
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
    let may_change = move |t: &Task| {
        session.user.with(|u| match u {
            Some(u) => kizuna_shared::domain::can_edit_account(
                u.role,
                u.id,
                t.owner.as_ref().map(|o| o.id),
            ),
            None => false,
        })
    };
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
