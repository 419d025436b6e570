//! Likely duplicate accounts (`/duplicates`): each group with why it matched,
//! the accounts side by side, a choice of which to keep, a confirmation
//! dialog saying what moves and that the other account is deleted, and the
//! merge report.

use crate::api::ApiError;
use crate::components::form::ErrorAlert;
use crate::components::labels::StatusPill;
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{Account, DuplicateGroup, DuplicateReason, MergeReport, MergeRequest};
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

fn reason_label(i18n: I18nContext<Locale>, r: DuplicateReason) -> String {
    let locale = i18n.get_locale();
    match r {
        DuplicateReason::ExternalId => td_string!(locale, reason_external_id).to_string(),
        DuplicateReason::Name => td_string!(locale, reason_name).to_string(),
        DuplicateReason::Domain => td_string!(locale, reason_domain).to_string(),
    }
}

/// The duplicates page.
#[component]
pub fn DuplicatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let groups = LocalResource::new(crate::api::duplicates);
    let report = RwSignal::new(None::<Result<MergeReport, ApiError>>);
    // The merge waiting for confirmation: (keep, merge).
    let pending = RwSignal::new(None::<(Account, Account)>);
    let dialog = NodeRef::<Dialog>::new();
    let merging = RwSignal::new(false);

    let ask = move |keep: Account, other: Account| {
        pending.set(Some((keep, other)));
        if let Some(d) = dialog.get_untracked() {
            let _ = d.show_modal();
        }
    };
    let close = move || {
        if let Some(d) = dialog.get_untracked() {
            d.close();
        }
        pending.set(None);
    };
    let confirm = move |_| {
        let Some((keep, other)) = pending.get_untracked() else {
            return;
        };
        let request = MergeRequest {
            keep_id: keep.id,
            keep_version: keep.version,
            merge_id: other.id,
            merge_version: other.version,
        };
        merging.set(true);
        leptos::task::spawn_local(async move {
            let result = crate::api::merge(&request).await;
            merging.set(false);
            close();
            report.set(Some(result));
            groups.refetch();
        });
    };

    let list = move || {
        groups.get().map(|r| match r {
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
            Ok(gs) if gs.is_empty() => view! {
                <div class="empty-state" data-testid="duplicates-empty"><p class="empty-title">{tr!(i18n, no_duplicates)}</p></div>
            }.into_any(),
            Ok(gs) => gs.into_iter().enumerate().map(|(i, g)| group_view(i18n, i, g, ask, Signal::derive(move || session.can_manage()))).collect_view().into_any(),
        })
    };

    let dialog_body = move || {
        pending.get().map(|(keep, other)| view! {
            <h2 id="merge-dialog-title">{tr!(i18n, merge_confirm_title)}</h2>
            <p>{t!(i18n, merge_confirm_keep, keep = keep.name.clone(), other = other.name.clone())}</p>
            <ul>
                <li>{tr!(i18n, merge_moves_mrr)}</li>
                <li>{tr!(i18n, merge_moves_signals)}</li>
                <li>{tr!(i18n, merge_moves_contacts)}</li>
            </ul>
            <p class="alert alert-error"><span aria-hidden="true">"⚠ "</span>{t!(i18n, merge_deletes, other = other.name.clone())}</p>
        })
    };

    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, duplicates_title)}</h1>
                <p class="lead">{tr!(i18n, duplicates_lead)}</p>
            </div>
        </div>
        {move || report.get().map(|r| match r {
            Ok(rep) => view! {
                <p class="alert alert-success" role="status" data-testid="merge-report">
                    <span aria-hidden="true">"✓ "</span>
                    {t!(i18n, merge_done, name = rep.account.name.clone(), mrr = rep.mrr_moved, signals = rep.signals_moved, contacts = rep.contacts_moved)}
                    " " <a href=format!("/accounts/{}", rep.account.id)>{tr!(i18n, view_account)}</a>
                </p>
            }.into_any(),
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
        })}
        <div aria-live="polite" class="groups">
            {move || list().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </div>
        // Only people who may merge get the (hidden) merge dialog at all:
        // executives and CSMs have no write control in the page.
        <Show when=move || session.can_manage()>
        <dialog node_ref=dialog class="dialog" aria-labelledby="merge-dialog-title" on:close=move |_| pending.set(None)>
            {dialog_body}
            <div class="form-actions">
                <button class="button button-danger" type="button" on:click=confirm disabled=move || merging.get() data-testid="confirm-merge">
                    {tr!(i18n, merge_confirm)}
                </button>
                <button class="button" type="button" on:click=move |_| close()>{tr!(i18n, cancel)}</button>
            </div>
        </dialog>
        </Show>
    }
}

fn group_view(
    i18n: I18nContext<Locale>,
    index: usize,
    g: DuplicateGroup,
    ask: impl Fn(Account, Account) + Copy + Send + Sync + 'static,
    can_manage: Signal<bool>,
) -> impl IntoView {
    let keep = RwSignal::new(g.accounts.first().map(|a| a.id));
    let accounts = StoredValue::new(g.accounts.clone());
    let heading = format!("dup-{index}");
    let cards = g
        .accounts
        .iter()
        .map(|a| {
            let id = a.id;
            let locale = i18n.get_locale_untracked();
            let dash = || t_string!(i18n, not_set).to_string();
            view! {
                <div class="dup-card" class:dup-keep=move || keep.get() == Some(id)>
                    <h3><a href=format!("/accounts/{id}")>{a.name.clone()}</a></h3>
                    <dl class="facts">
                        <dt>{tr!(i18n, col_external_id)}</dt><dd>{a.external_id.clone().unwrap_or_else(dash)}</dd>
                        <dt>{tr!(i18n, col_domain)}</dt><dd>{a.domain.clone().unwrap_or_else(dash)}</dd>
                        <dt>{tr!(i18n, col_mrr)}</dt><dd>{format::money(a.mrr_minor, a.currency, locale)}</dd>
                        <dt>{tr!(i18n, col_owner)}</dt><dd>{a.owner.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| t_string!(i18n, unassigned).to_string())}</dd>
                        <dt>{tr!(i18n, col_status)}</dt><dd><StatusPill status=a.status /></dd>
                    </dl>
                    <Show when=move || can_manage.get()>
                        <label class="check">
                            <input type="radio" name=format!("keep-{index}") prop:checked=move || keep.get() == Some(id)
                                on:change=move |_| keep.set(Some(id)) />
                            {tr!(i18n, keep_this)}
                        </label>
                    </Show>
                </div>
            }
        })
        .collect_view();
    let merge = move |_| {
        let Some(k) = keep.get_untracked() else {
            return;
        };
        accounts.with_value(|list| {
            let keep_account = list.iter().find(|a| a.id == k).cloned();
            let other = list.iter().find(|a| a.id != k).cloned();
            if let (Some(a), Some(b)) = (keep_account, other) {
                ask(a, b);
            }
        });
    };
    view! {
        <section class="card section dup-group" aria-labelledby=heading.clone() data-testid="duplicate-group">
            <h2 id=heading.clone()>
                <span class="pill pill-reason">{reason_label(i18n, g.reason)}</span>
                " " <code>{g.key.clone()}</code>
            </h2>
            <div class="dup-cards">{cards}</div>
            <Show when=move || can_manage.get()>
                <button class="button button-primary" type="button" on:click=merge data-testid="merge">
                    {tr!(i18n, merge_button)}
                </button>
            </Show>
        </section>
    }
}
