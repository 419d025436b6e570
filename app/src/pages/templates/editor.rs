//! The template editor (`/sheet-templates/new`, `/sheet-templates/:id`).

use crate::api::ApiError;
use crate::components::form::{FormAlert, FormErrors};
use crate::components::labels::{sheet_kind_label, tier_label};
use crate::components::texts::show;
use crate::components::texts::TextsField;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{
    FieldError, SheetTemplate, TemplateInput, TemplateItemInput, UpdateTemplate,
};
use kizuna_shared::domain::{SheetKind, Tier};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::items::{item_row, ItemDraft};

/// The editor: name, description, kind, default tier, archived, and the
/// items; read only for those who may not manage templates.
#[component]
pub fn TemplateEditor(template: Option<SheetTemplate>) -> impl IntoView {
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
    let errors = FormErrors::by_error(template_field_message);
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
        // An update names the template's fields inside `template`.
        Some(Err(ApiError::Problem(mut p))) => {
            for e in &mut p.errors {
                e.field = e.field.trim_start_matches("template.").to_owned();
            }
            errors.fail(ApiError::Problem(p));
        }
        Some(Err(err)) => errors.fail(err),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = TemplateInput {
            name: name.get_untracked().trimmed(),
            description: description.get_untracked().trimmed(),
            kind: kind.get_untracked(),
            tier: tier
                .get_untracked()
                .filter(|_| kind.get_untracked() == SheetKind::Customer),
            items: items.with_untracked(|i| i.iter().map(ItemDraft::input).collect()),
        };
        if errors.validate(&input) {
            save.dispatch(input);
        }
    };
    let error = move |field: &'static str| Signal::derive(move || errors.message_of(field));
    let title = match &template {
        Some(t) => show(&t.name, i18n.get_locale_untracked()),
        None => t_string!(i18n, new_template).to_string(),
    };
    view! {
        <p class="breadcrumb"><a href="/sheet-templates">"← " {tr!(i18n, templates_title)}</a></p>
        <h1>{title}</h1>
        <FormAlert errors summary=true />
        <Show when=move || read_only.get()>
            <p class="alert alert-info">{tr!(i18n, read_only_template)}</p>
        </Show>
        <form class="form" on:submit=submit novalidate=true data-testid="template-form">
            <section class="card">
                <TextsField id="template-name".into() label=tr_signal!(i18n, field_template_name)
                    value=name disabled=read_only error=error("name") />
                <TextsField id="template-description".into() label=tr_signal!(i18n, field_description)
                    value=description multiline=true disabled=read_only error=error("description") />
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
                        <p class="field-error">{move || errors.message_of("tier")}</p>
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
                <p class="field-error">{move || errors.message_of("items")}</p>
                <ol class="item-editor">
                    <For each=move || items.get() key=|d| d.key let:d>
                        {item_row(i18n, d, items, errors, read_only)}
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

/// The sentence under a wrong field of the template form, by the field's
/// shape (the rows' fields are `items[i].title` and so on).
fn template_field_message(i18n: I18nContext<Locale>, error: &FieldError) -> String {
    let locale = i18n.get_locale();
    let field = error.field.as_str();
    let leaf = field.rsplit('.').next().unwrap_or(field);
    match leaf {
        "name" | "title" => td_string!(locale, error_template_title).to_string(),
        "description" => td_string!(locale, error_template_description).to_string(),
        "due_offset_days" => td_string!(locale, error_due_offset).to_string(),
        "tier" => td_string!(locale, error_template_tier).to_string(),
        _ => td_string!(locale, error_template_items).to_string(),
    }
}
