//! Onboarding sheet templates: the list (`/sheet-templates`) and the editor
//! (`/sheet-templates/new`, `/sheet-templates/:id`) where managers write the
//! items — title and description in English and Japanese, phase, due offset
//! in days from the start, responsible role, required — reorder, edit,
//! remove and add them, choose the tier whose new accounts get the template
//! and archive it. Others see the same page read only. Sheets already
//! started keep the items they were started with.
//!
//! `editor.rs` is the editor, `items.rs` its item rows.

mod editor;
mod items;

use crate::components::form::ErrorAlert;
use crate::components::labels::{sheet_kind_label, tier_label};
use crate::components::texts::show;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::TemplateQuery;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use editor::TemplateEditor;

/// The template list.
#[component]
pub fn TemplatesPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let archived = RwSignal::new(false);
    let templates = LocalResource::new(move || {
        let archived = archived.get();
        async move {
            crate::api::sheet_templates(&TemplateQuery {
                archived: Some(archived),
                kind: None,
            })
            .await
            .map(|p| p.items)
        }
    });
    let rows = move || {
        templates.get().map(|r| match r {
            Err(err) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
            Ok(list) => {
                let locale = i18n.get_locale();
                list.into_iter().map(|t| {
                    let required = t.items.iter().filter(|i| i.required).count();
                    view! {
                        <tr>
                            <th scope="row"><a href=format!("/sheet-templates/{}", t.id)>{show(&t.name, locale)}</a>
                                <span class="muted small block">{show(&t.description, locale)}</span></th>
                            <td>{sheet_kind_label(i18n, t.kind)}</td>
                            <td>{t.tier.map(|tier| tier_label(i18n, tier)).unwrap_or_default()}</td>
                            <td class="num">{t.items.len()} " / " {required}</td>
                            <td class="num">{t.sheets}</td>
                            <td>{t.archived.then(|| view! { <span class="pill pill-neutral">{tr!(i18n, state_archived)}</span> })}</td>
                        </tr>
                    }
                }).collect_view().into_any()
            }
        })
    };
    view! {
        <p class="breadcrumb"><a href="/sheets">"← " {tr!(i18n, sheets_title)}</a></p>
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, templates_title)}</h1>
                <p class="lead">{tr!(i18n, templates_lead)}</p>
            </div>
            <Show when=move || session.can_manage()>
                <a class="button button-primary" href="/sheet-templates/new" data-testid="new-template">{tr!(i18n, new_template)}</a>
            </Show>
        </div>
        <label class="check filters">
            <input type="checkbox" prop:checked=archived on:change=move |ev| archived.set(event_target_checked(&ev)) />
            {tr!(i18n, show_archived)}
        </label>
        <section class="card">
            <div class="table-wrap"><table class="data-table" data-testid="templates-table">
                <thead><tr>
                    <th scope="col">{tr!(i18n, col_template)}</th>
                    <th scope="col">{tr!(i18n, col_kind)}</th>
                    <th scope="col">{tr!(i18n, col_tier_default)}</th>
                    <th scope="col" class="num">{tr!(i18n, col_items_required)}</th>
                    <th scope="col" class="num">{tr!(i18n, col_sheets)}</th>
                    <th scope="col"><span class="visually-hidden">{tr!(i18n, col_status)}</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        </section>
    }
}

/// `/sheet-templates/new` and `/sheet-templates/:id`.
#[component]
pub fn TemplateEditorPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let template = LocalResource::new(move || async move {
        match id {
            Some(id) => crate::api::sheet_template(id).await.map(Some),
            None => Ok(None),
        }
    });
    move || match template.get() {
        None => view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any(),
        Some(Err(err)) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
        Some(Ok(t)) => view! { <TemplateEditor template=t /> }.into_any(),
    }
}
