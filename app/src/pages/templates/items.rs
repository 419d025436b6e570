//! The template editor's items: one row per item (title and description
//! in both languages, phase, due offset, responsible role, required) with
//! move up/down and remove.

use crate::components::form::FormErrors;
use crate::components::labels::{phase_label, responsible_label};
use crate::components::texts::TextsField;
use crate::i18n::*;
use kizuna_shared::api::{TemplateItemInput, Texts};
use kizuna_shared::domain::{ResponsibleRole, SheetPhase};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// One item being edited; `key` keeps rows stable while they move.
#[derive(Clone)]
pub struct ItemDraft {
    pub key: u32,
    title: RwSignal<Texts>,
    description: RwSignal<Texts>,
    phase: RwSignal<SheetPhase>,
    offset: RwSignal<String>,
    role: RwSignal<ResponsibleRole>,
    required: RwSignal<bool>,
}

impl ItemDraft {
    pub fn new(key: u32, item: Option<&TemplateItemInput>) -> Self {
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

    pub fn input(&self) -> TemplateItemInput {
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

/// One item's row.
pub fn item_row(
    i18n: I18nContext<Locale>,
    d: ItemDraft,
    items: RwSignal<Vec<ItemDraft>>,
    errors: FormErrors,
    read_only: Signal<bool>,
) -> impl IntoView {
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
    let key = d.key;
    let index = move || items.with(|l| l.iter().position(|x| x.key == key).unwrap_or(0));
    let prefix = move |f: &str| format!("items[{}].{f}", index());
    let title_error = Signal::derive(move || errors.message_of(&prefix("title")));
    let offset_error = Signal::derive(move || errors.message_of(&prefix("due_offset_days")));
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
