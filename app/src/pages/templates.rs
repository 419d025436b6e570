//! Onboarding sheet templates: the list (`/sheet-templates`) and the editor
//! (`/sheet-templates/new`, `/sheet-templates/:id`) where managers write the
//! items — title and description in English and Japanese, phase, due offset
//! in days from the start, responsible role, required — reorder, edit,
//! remove and add them, choose the tier whose new accounts get the template
//! and archive it. Others see the same page read only. Sheets already
//! started keep the items they were started with.

use crate::api::ApiError;
use crate::components::form::field_error;
use crate::components::form::ErrorAlert;
use crate::components::labels::{phase_label, responsible_label, sheet_kind_label, tier_label};
use crate::components::texts::show;
use crate::components::texts::TextsField;
use crate::i18n::*;
use crate::session::use_session;
use garde::Validate;
use kizuna_shared::api::{
    FieldError, SheetTemplate, TemplateInput, TemplateItemInput, TemplateQuery, Texts,
    UpdateTemplate,
};
use kizuna_shared::domain::{ResponsibleRole, SheetKind, SheetPhase, Tier};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

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

/// One item being edited; `key` keeps rows stable while they move.
#[derive(Clone)]
struct ItemDraft {
    key: u32,
    title: RwSignal<Texts>,
    description: RwSignal<Texts>,
    phase: RwSignal<SheetPhase>,
    offset: RwSignal<String>,
    role: RwSignal<ResponsibleRole>,
    required: RwSignal<bool>,
}

impl ItemDraft {
    fn new(key: u32, item: Option<&TemplateItemInput>) -> Self {
        ItemDraft {
            key,
            title: RwSignal::new(item.map(|i| i.title.clone()).unwrap_or_default()),
            description: RwSignal::new(item.map(|i| i.description.clone()).unwrap_or_default()),
            phase: RwSignal::new(item.map_or(SheetPhase::Onboarding, |i| i.phase)),
            offset: RwSignal::new(item.map_or(7, |i| i.due_offset_days).to_string()),
            role: RwSignal::new(item.map_or(ResponsibleRole::Csm, |i| i.role)),
            required: RwSignal::new(item.is_none_or(|i| i.required)),
        }
    }

    fn input(&self) -> TemplateItemInput {
        TemplateItemInput {
            title: self.title.get_untracked().trimmed(),
            description: self.description.get_untracked().trimmed(),
            phase: self.phase.get_untracked(),
            due_offset_days: self.offset.get_untracked().trim().parse().unwrap_or(-1),
            role: self.role.get_untracked(),
            required: self.required.get_untracked(),
        }
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

#[component]
fn TemplateEditor(template: Option<SheetTemplate>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let read_only = Signal::derive(move || !session.can_manage());
    let existing = template.clone();
    let name = RwSignal::new(
        template
            .as_ref()
            .map(|t| t.name.clone())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        template
            .as_ref()
            .map(|t| t.description.clone())
            .unwrap_or_default(),
    );
    let kind = RwSignal::new(template.as_ref().map_or(SheetKind::Customer, |t| t.kind));
    let tier = RwSignal::new(template.as_ref().and_then(|t| t.tier));
    let archived = RwSignal::new(template.as_ref().is_some_and(|t| t.archived));
    let next_key = StoredValue::new(0_u32);
    let new_key = move || {
        let k = next_key.get_value();
        next_key.set_value(k + 1);
        k
    };
    let items = RwSignal::new(match &template {
        Some(t) => t
            .items
            .iter()
            .map(|i| {
                let input = TemplateItemInput {
                    title: i.title.clone(),
                    description: i.description.clone(),
                    phase: i.phase,
                    due_offset_days: i.due_offset_days,
                    role: i.role,
                    required: i.required,
                };
                ItemDraft::new(new_key(), Some(&input))
            })
            .collect(),
        None => vec![ItemDraft::new(new_key(), None)],
    });
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let save = Action::new_local(move |input: &TemplateInput| {
        let input = input.clone();
        let existing = existing.clone();
        let archived = archived.get_untracked();
        async move {
            match existing {
                Some(t) => {
                    let body = UpdateTemplate {
                        template: input,
                        archived,
                        version: t.version,
                    };
                    crate::api::update_sheet_template(t.id, &body).await
                }
                None => crate::api::create_sheet_template(&input).await,
            }
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(_)) => navigate("/sheet-templates", NavigateOptions::default()),
        Some(Err(ApiError::Problem(p))) if !p.errors.is_empty() => errors.set(
            p.errors
                .into_iter()
                .map(|e| FieldError {
                    field: e.field.trim_start_matches("template.").to_owned(),
                    ..e
                })
                .collect(),
        ),
        Some(Err(err)) => failure.set(Some(err)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        let input = TemplateInput {
            name: name.get_untracked().trimmed(),
            description: description.get_untracked().trimmed(),
            kind: kind.get_untracked(),
            tier: tier
                .get_untracked()
                .filter(|_| kind.get_untracked() == SheetKind::Customer),
            items: items.with_untracked(|i| i.iter().map(ItemDraft::input).collect()),
        };
        match input.validate() {
            Ok(()) => {
                errors.set(Vec::new());
                save.dispatch(input);
            }
            Err(report) => errors.set(FieldError::from_report(&report)),
        }
    };
    let error =
        move |field: String| Signal::derive(move || errors.with(|e| field_error(e, &field)));
    let move_item = move |key: u32, by: isize| {
        items.update(|list| {
            if let Some(i) = list.iter().position(|d| d.key == key) {
                let j = i as isize + by;
                if j >= 0 && (j as usize) < list.len() {
                    list.swap(i, j as usize);
                }
            }
        })
    };
    let title = match &template {
        Some(t) => show(&t.name, i18n.get_locale_untracked()),
        None => t_string!(i18n, new_template).to_string(),
    };
    view! {
        <p class="breadcrumb"><a href="/sheet-templates">"← " {tr!(i18n, templates_title)}</a></p>
        <h1>{title}</h1>
        {move || failure.get().map(|e| view! { <ErrorAlert error=e /> })}
        <Show when=move || read_only.get()>
            <p class="alert alert-info">{tr!(i18n, read_only_template)}</p>
        </Show>
        <form class="form" on:submit=submit novalidate=true data-testid="template-form">
            <section class="card">
                <TextsField id="template-name".into() label=tr_signal!(i18n, field_template_name)
                    value=name disabled=read_only error=error("name".into()) />
                <TextsField id="template-description".into() label=tr_signal!(i18n, field_description)
                    value=description multiline=true disabled=read_only error=error("description".into()) />
                <div class="form-grid">
                    <div class="field">
                        <label for="template-kind">{tr!(i18n, field_kind)}</label>
                        <select id="template-kind" disabled=move || read_only.get()
                            on:change=move |ev| kind.set(event_target_value(&ev).parse().unwrap_or(SheetKind::Customer))>
                            {SheetKind::ALL.iter().map(|k| view! {
                                <option value=k.as_str() selected=kind.get_untracked() == *k>{move || sheet_kind_label(i18n, *k)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="template-tier">{tr!(i18n, field_tier_default)}</label>
                        <select id="template-tier" disabled=move || read_only.get() || kind.get() != SheetKind::Customer
                            on:change=move |ev| tier.set(event_target_value(&ev).parse().ok())>
                            <option value="">{tr!(i18n, no_tier)}</option>
                            {Tier::ALL.iter().map(|t| view! {
                                <option value=t.as_str() selected=tier.get_untracked() == Some(*t)>{move || tier_label(i18n, *t)}</option>
                            }).collect_view()}
                        </select>
                        <p class="small muted">{tr!(i18n, tier_default_hint)}</p>
                        <p class="field-error">{move || error("tier".into()).get()}</p>
                    </div>
                </div>
                {template.is_some().then(|| view! {
                    <label class="check">
                        <input type="checkbox" disabled=move || read_only.get() prop:checked=archived
                            on:change=move |ev| archived.set(event_target_checked(&ev)) />
                        {tr!(i18n, archive_template)}
                    </label>
                })}
            </section>
            <section class="card section" aria-labelledby="items-heading">
                <h2 id="items-heading">{tr!(i18n, items_title)}</h2>
                <p class="small muted">{tr!(i18n, items_hint)}</p>
                <p class="field-error">{move || errors.with(|e| e.iter().find(|e| e.field == "items").map(|e| e.message.clone()))}</p>
                <ol class="item-editor">
                    <For each=move || items.get() key=|d| d.key let:d>
                        {
                            let key = d.key;
                            let index = move || items.with(|l| l.iter().position(|x| x.key == key).unwrap_or(0));
                            let prefix = move |f: &str| format!("items[{}].{f}", index());
                            let title_error = Signal::derive(move || errors.with(|e| field_error(e, &prefix("title"))));
                            let offset_error = Signal::derive(move || errors.with(|e| field_error(e, &prefix("due_offset_days"))));
                            let id = |f: &str| format!("item-{key}-{f}");
                            view! {
                                <li class="item-row">
                                    <TextsField id=id("title") label=Signal::derive(move || t_string!(i18n, field_item_title, n = index() + 1).to_string())
                                        value=d.title disabled=read_only error=title_error />
                                    <details>
                                        <summary>{tr!(i18n, field_description)}</summary>
                                        <TextsField id=id("description") label=tr_signal!(i18n, field_description)
                                            value=d.description multiline=true disabled=read_only />
                                    </details>
                                    <div class="item-settings">
                                        <div class="field">
                                            <label for=id("phase")>{tr!(i18n, field_phase)}</label>
                                            <select id=id("phase") disabled=move || read_only.get()
                                                on:change=move |ev| d.phase.set(event_target_value(&ev).parse().unwrap_or(SheetPhase::Onboarding))>
                                                {SheetPhase::ALL.iter().map(|p| view! {
                                                    <option value=p.as_str() selected=d.phase.get_untracked() == *p>{move || phase_label(i18n, *p)}</option>
                                                }).collect_view()}
                                            </select>
                                        </div>
                                        <div class="field field-small">
                                            <label for=id("offset")>{tr!(i18n, field_due_offset)}</label>
                                            <input id=id("offset") type="number" min="0" max="730" disabled=move || read_only.get()
                                                aria-invalid=move || offset_error.with(Option::is_some).to_string()
                                                prop:value=d.offset on:input=move |ev| d.offset.set(event_target_value(&ev)) />
                                            <p class="field-error">{move || offset_error.get()}</p>
                                        </div>
                                        <div class="field">
                                            <label for=id("role")>{tr!(i18n, field_role_responsible)}</label>
                                            <select id=id("role") disabled=move || read_only.get()
                                                on:change=move |ev| d.role.set(event_target_value(&ev).parse().unwrap_or(ResponsibleRole::Csm))>
                                                {ResponsibleRole::ALL.iter().map(|r| view! {
                                                    <option value=r.as_str() selected=d.role.get_untracked() == *r>{move || responsible_label(i18n, *r)}</option>
                                                }).collect_view()}
                                            </select>
                                        </div>
                                        <label class="check">
                                            <input type="checkbox" disabled=move || read_only.get() prop:checked=d.required
                                                on:change=move |ev| d.required.set(event_target_checked(&ev)) />
                                            {tr!(i18n, field_required_item)}
                                        </label>
                                        <Show when=move || !read_only.get()>
                                            <div class="item-buttons">
                                                <button type="button" class="button button-quiet" on:click=move |_| move_item(key, -1)
                                                    aria-label=move || t_string!(i18n, move_up_n, n = index() + 1).to_string()>"↑"</button>
                                                <button type="button" class="button button-quiet" on:click=move |_| move_item(key, 1)
                                                    aria-label=move || t_string!(i18n, move_down_n, n = index() + 1).to_string()>"↓"</button>
                                                <button type="button" class="button button-quiet" on:click=move |_| items.update(|l| l.retain(|x| x.key != key))
                                                    aria-label=move || t_string!(i18n, remove_item_n, n = index() + 1).to_string()>{tr!(i18n, remove)}</button>
                                            </div>
                                        </Show>
                                    </div>
                                </li>
                            }
                        }
                    </For>
                </ol>
                <Show when=move || !read_only.get()>
                    <button type="button" class="button" data-testid="add-item"
                        on:click=move |_| items.update(|l| l.push(ItemDraft::new(new_key(), None)))>{tr!(i18n, add_item)}</button>
                </Show>
            </section>
            <Show when=move || !read_only.get()>
                <div class="form-actions section">
                    <button class="button button-primary" type="submit" disabled=move || save.pending().get()>{tr!(i18n, save)}</button>
                    <a class="button button-quiet" href="/sheet-templates">{tr!(i18n, cancel)}</a>
                </div>
            </Show>
        </form>
    }
}
