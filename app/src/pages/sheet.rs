//! One sheet (`/sheets/:id`): its items by phase with due dates (overdue
//! ones marked with a sign and a word, not colour alone), who is
//! responsible, ticking an item (with an optional note and the day it was
//! done) and unticking it (the reason is required and kept in the item's
//! history), and the completion date once every required item is done.

use crate::api::ApiError;
use crate::clock::today;
use crate::components::form::ErrorAlert;
use crate::components::labels::{phase_label, responsible_label, sheet_kind_label};
use crate::components::progress::Progress;
use crate::components::texts::show;
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{ItemAction, SheetDetail, SheetItem, TickItem};
use kizuna_shared::domain::SheetPhase;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The sheet page.
#[component]
pub fn SheetPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let detail = RwSignal::new(None::<Result<SheetDetail, ApiError>>);
    Effect::new(move |_| {
        let id = id();
        leptos::task::spawn_local(async move {
            detail.set(Some(crate::api::sheet(id).await));
        });
    });
    view! {
        <p class="breadcrumb"><a href="/sheets">"← " {tr!(i18n, sheets_title)}</a></p>
        {move || match detail.get() {
            None => view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any(),
            Some(Err(err)) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
            Some(Ok(d)) => view! { <SheetView detail=d on_change=Callback::new(move |d| detail.set(Some(Ok(d)))) /> }.into_any(),
        }}
    }
}

#[component]
fn SheetView(detail: SheetDetail, on_change: Callback<SheetDetail>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let s = detail.sheet.clone();
    let id = |p: &Option<kizuna_shared::api::UserSummary>| p.as_ref().map(|p| p.id);
    // A customer sheet's owner is the account's owner; a teammate sheet's
    // owner is the member's guide.
    let may_tick =
        untrack(|| session.can_tick_sheet(s.kind, id(&s.owner), id(&s.member), id(&s.owner)));
    let locale = i18n.get_locale_untracked();
    let subject = match (&s.account, &s.member) {
        (Some(a), _) => {
            view! { <a href=format!("/accounts/{}", a.id)>{a.name.clone()}</a> }.into_any()
        }
        (_, Some(m)) => view! { <span>{m.name.clone()}</span> }.into_any(),
        _ => view! { <span></span> }.into_any(),
    };
    let p = s.progress;
    let progress_label = t_string!(
        i18n,
        required_done_of,
        done = p.required_done,
        total = p.required
    )
    .to_string();
    let phases = SheetPhase::ALL
        .iter()
        .filter_map(|phase| {
            let items: Vec<SheetItem> = detail.items.iter().filter(|i| i.phase == *phase).cloned().collect();
            (!items.is_empty()).then(|| {
                let sheet_id = s.id;
                view! {
                    <section class="card section phase" aria-labelledby=format!("phase-{}", phase.as_str())>
                        <h2 id=format!("phase-{}", phase.as_str())>{phase_label(i18n, *phase)}</h2>
                        <ul class="sheet-items">
                            {items.into_iter().map(|item| view! {
                                <ItemRow sheet=sheet_id item=item may_tick=may_tick on_change=on_change />
                            }).collect_view()}
                        </ul>
                    </section>
                }
            })
        })
        .collect_view();
    view! {
        <div class="page-head">
            <div>
                <h1 data-testid="sheet-name">{show(&s.name, locale)}</h1>
                <p class="lead">{sheet_kind_label(i18n, s.kind)} " · " {subject}
                    " · " {tr!(i18n, col_owner)} ": " {s.owner.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| t_string!(i18n, unassigned).to_string())}
                    " · " {tr!(i18n, col_started)} " " {format::date(s.started_on, locale)}</p>
            </div>
            <div class="kpi">
                <span class="kpi-label">{tr!(i18n, col_required_done)}</span>
                <Progress done=p.required_done total=p.required label=progress_label />
            </div>
        </div>
        {match s.completed_on {
            Some(d) => view! {
                <p class="alert alert-success" role="status" data-testid="sheet-complete">
                    <span aria-hidden="true">"✓ "</span>{t!(i18n, sheet_completed_on, date = format::date(d, locale))}
                </p>
            }.into_any(),
            None => view! {
                <p class="alert alert-info" data-testid="sheet-open">
                    {t!(i18n, sheet_remaining, n = p.required - p.required_done)}
                    {(p.overdue > 0).then(|| view! { " · " <strong>{t!(i18n, n_overdue, n = p.overdue)}</strong> })}
                </p>
            }.into_any(),
        }}
        {phases}
    }
}

/// One item: its state, and the tick/untick form when the user may.
#[component]
fn ItemRow(
    sheet: i64,
    item: SheetItem,
    may_tick: bool,
    on_change: Callback<SheetDetail>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let open = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let day = RwSignal::new(today().to_string());
    let failure = RwSignal::new(None::<ApiError>);
    let done = item.done_on.is_some();
    let item_id = item.id;
    let title = show(&item.title, locale);
    let save = Action::new_local(move |body: &TickItem| {
        let body = body.clone();
        async move { crate::api::tick_item(sheet, item_id, &body).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(d)) => on_change.run(d),
        Some(Err(err)) => failure.set(Some(err)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = note.get_untracked().trim().to_owned();
        if done && text.is_empty() {
            return;
        }
        save.dispatch(TickItem {
            done: !done,
            note: (!text.is_empty()).then_some(text),
            done_on: if done {
                None
            } else {
                day.get_untracked().parse().ok()
            },
        });
    };
    let status = if let Some(d) = item.done_on {
        let by = item
            .done_by
            .as_ref()
            .map(|u| u.name.clone())
            .unwrap_or_default();
        view! { <span class="pill pill-active"><span aria-hidden="true">"✓"</span> " " {t!(i18n, done_by_on, name = by, date = format::date(d, locale))}</span> }.into_any()
    } else if item.overdue {
        view! { <span class="pill pill-overdue"><span aria-hidden="true">"⚠"</span> " " {t!(i18n, overdue_since, date = format::date(item.due_on, locale))}</span> }.into_any()
    } else {
        view! { <span class="pill pill-neutral">{t!(i18n, due_on, date = format::date(item.due_on, locale))}</span> }.into_any()
    };
    let history = item.events.iter().map(|e| {
        let who = e.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
        let when = format::local_minute(e.at);
        let what = match e.action {
            ItemAction::Done => t_string!(i18n, event_done, name = who).to_string(),
            ItemAction::Undone => t_string!(i18n, event_undone, name = who).to_string(),
        };
        view! { <li>{when} " · " {what} {e.note.clone().map(|n| view! { " — “" {n} "”" })}</li> }
    }).collect_view();
    let has_history = !item.events.is_empty();
    let form_id = format!("item-form-{item_id}");
    let action_label = if done {
        t_string!(i18n, untick)
    } else {
        t_string!(i18n, tick)
    }
    .to_string();
    let aria = format!("{action_label}: {title}");
    view! {
        <li class="sheet-item" class:item-done=done class:item-overdue=item.overdue data-testid="sheet-item">
            <div class="item-main">
                <span class="item-mark" aria-hidden="true">{if done { "☑" } else { "☐" }}</span>
                <div class="item-text">
                    <p class="item-title">{title.clone()}
                        {item.required.then(|| view! { <span class="pill pill-required">{tr!(i18n, required_item)}</span> })}</p>
                    <p class="small muted">{show(&item.description, locale)}</p>
                    <p class="small">{status} " · " {responsible_label(i18n, item.role)}
                        {item.note.clone().map(|n| view! { " · “" {n} "”" })}</p>
                </div>
                {may_tick.then(|| view! {
                    <button type="button" class="button" aria-expanded=move || open.get().to_string() aria-controls=form_id.clone()
                        aria-label=aria.clone() on:click=move |_| open.update(|o| *o = !*o)>{action_label.clone()}</button>
                })}
            </div>
            <Show when=move || open.get()>
                <form class="form form-inline item-form" id=format!("item-form-{item_id}") on:submit=submit novalidate=true>
                    {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
                    {(!done).then(|| view! {
                        <div class="field field-small">
                            <label for=format!("day-{item_id}")>{tr!(i18n, field_done_on)}</label>
                            <input id=format!("day-{item_id}") type="date" prop:value=day on:input=move |ev| day.set(event_target_value(&ev)) />
                        </div>
                    })}
                    <div class="field field-grow">
                        <label for=format!("note-{item_id}")>{if done { t_string!(i18n, field_untick_reason) } else { t_string!(i18n, field_tick_note) }}</label>
                        <input id=format!("note-{item_id}") type="text" required=done prop:value=note
                            on:input=move |ev| note.set(event_target_value(&ev)) />
                    </div>
                    <button class="button button-primary" type="submit"
                        disabled=move || save.pending().get() || (done && note.with(|n| n.trim().is_empty()))>
                        {if done { t_string!(i18n, confirm_untick) } else { t_string!(i18n, confirm_tick) }}
                    </button>
                </form>
            </Show>
            {has_history.then(|| view! {
                <details class="item-history">
                    <summary>{tr!(i18n, history)}</summary>
                    <ul class="small">{history}</ul>
                </details>
            })}
        </li>
    }
}
