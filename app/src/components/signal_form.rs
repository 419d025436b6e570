//! The form that adds a usage signal or edits one — the signals page's,
//! and the import wizard's "define this column" — and the key it suggests
//! for a column header.

use crate::components::form::{FormAlert, FormErrors, TextField};
use crate::components::labels::signal_kind_label;
use crate::i18n::*;
use kizuna_shared::api::{NewSignal, SignalDefinition, SignalKind, SignalUpdate};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;

/// The form's words for a field the shared rules or the server rejected.
fn field_message(i18n: I18nContext<Locale>, field: &str) -> String {
    let locale = i18n.get_locale();
    match field {
        "key" => td_string!(locale, signals.error_key).to_string(),
        "label" => td_string!(locale, error_required_text).to_string(),
        "label_ja" => td_string!(locale, error_text).to_string(),
        "unit" => td_string!(locale, signals.error_unit).to_string(),
        "description" => td_string!(locale, signals.error_description).to_string(),
        _ => td_string!(locale, error_text).to_string(),
    }
}

/// A key suggested for a column header: the header itself when it is a
/// valid key, otherwise its ASCII letters and digits in lower case joined
/// by `_` (empty when nothing is left, e.g. a Japanese header).
pub fn suggest_key(header: &str) -> String {
    let mut key = String::new();
    for c in header.trim().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    let key = key.trim_start_matches(|c: char| c.is_ascii_digit() || c == '_');
    key.chars()
        .take(kizuna_shared::api::MAX_SIGNAL_KEY)
        .collect::<String>()
        .trim_end_matches('_')
        .to_owned()
}

/// What the form edits: every field of a definition as typed.
#[derive(Debug, Clone, PartialEq, Default)]
struct Draft {
    key: String,
    label: String,
    label_ja: String,
    unit: String,
    description: String,
    higher_is_better: bool,
    kind: SignalKind,
}

impl Draft {
    fn of(signal: &SignalDefinition) -> Self {
        Draft {
            key: signal.key.clone(),
            label: signal.label.clone(),
            label_ja: signal.label_ja.clone().unwrap_or_default(),
            unit: signal.unit.clone(),
            description: signal.description.clone(),
            higher_is_better: signal.higher_is_better,
            kind: signal.kind,
        }
    }

    fn label_ja(&self) -> Option<String> {
        let ja = self.label_ja.trim();
        (!ja.is_empty()).then(|| ja.to_owned())
    }

    fn new_signal(&self) -> NewSignal {
        NewSignal {
            key: self.key.trim().to_owned(),
            label: self.label.trim().to_owned(),
            label_ja: self.label_ja(),
            unit: self.unit.trim().to_owned(),
            description: self.description.trim().to_owned(),
            higher_is_better: self.higher_is_better,
            kind: self.kind,
        }
    }

    fn update(&self) -> SignalUpdate {
        SignalUpdate {
            label: self.label.trim().to_owned(),
            label_ja: self.label_ja(),
            unit: self.unit.trim().to_owned(),
            description: self.description.trim().to_owned(),
            higher_is_better: self.higher_is_better,
            kind: Some(self.kind),
            retired: None,
        }
    }
}

/// Adds a signal (`existing` is `None`; `key` and `label` pre-fill it) or
/// edits one. Checks the shared rules before sending and marks the fields
/// the server refuses; `saved` gets the stored definition.
#[component]
pub fn SignalForm(
    /// The signal to edit; `None` adds one.
    existing: Option<SignalDefinition>,
    /// A key to start from (a new signal).
    #[prop(optional)]
    key: String,
    /// An English label to start from (a new signal).
    #[prop(optional)]
    label: String,
    /// A Japanese label to start from (a new signal).
    #[prop(optional)]
    label_ja: String,
    /// Prefix of the inputs' ids (two forms may share a page).
    id: &'static str,
    saved: Callback<SignalDefinition>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editing = existing.clone();
    let draft = RwSignal::new(existing.as_ref().map_or_else(
        || Draft {
            key,
            label,
            label_ja,
            higher_is_better: true,
            ..Draft::default()
        },
        Draft::of,
    ));
    let errors = FormErrors::new(field_message);
    let busy = RwSignal::new(false);
    let is_new = editing.is_none();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let d = draft.get_untracked();
        let editing = editing.clone();
        match &editing {
            None if !errors.validate(&d.new_signal()) => return,
            Some(_) if !errors.validate(&d.update()) => return,
            _ => {}
        }
        busy.set(true);
        spawn_local(async move {
            let result = match editing {
                None => crate::api::create_signal(&d.new_signal()).await,
                Some(s) => crate::api::update_signal(&s.key, &d.update()).await,
            };
            busy.set(false);
            if let Some(signal) = errors.take(result) {
                saved.run(signal);
            }
        });
    };
    let ids = move |field: &str| format!("{id}-{field}");
    let field = |name: &'static str,
                 label: Signal<String>,
                 f: fn(&mut Draft, String),
                 get: fn(&Draft) -> String,
                 input_id: &'static str| {
        view! {
            <TextField errors field=name id=input_id label
                value=Signal::derive(move || draft.with(get))
                set=Callback::new(move |v: String| draft.update(|d| f(d, v))) />
        }
    };
    // `TextField` takes static ids: the page's form and the wizard's form
    // have their own sets.
    let [key_id, label_id, label_ja_id, unit_id] = if id == "wizard-signal" {
        [
            "wizard-signal-key",
            "wizard-signal-label",
            "wizard-signal-label-ja",
            "wizard-signal-unit",
        ]
    } else {
        [
            "signal-key",
            "signal-label",
            "signal-label-ja",
            "signal-unit",
        ]
    };
    view! {
        <form class="form signal-form" data-testid="signal-form" on:submit=submit novalidate>
            <FormAlert errors />
            <div class="form-grid">
                {if is_new {
                    field("key", tr_signal!(i18n, signals.field_key), |d, v| d.key = v, |d| d.key.clone(), key_id).into_any()
                } else {
                    view! {
                        <div class="field">
                            <span class="field-label">{tr!(i18n, signals.field_key)}</span>
                            <code data-testid="signal-key">{move || draft.with(|d| d.key.clone())}</code>
                        </div>
                    }.into_any()
                }}
                {field("label", tr_signal!(i18n, signals.field_label), |d, v| d.label = v, |d| d.label.clone(), label_id)}
                {field("label_ja", tr_signal!(i18n, signals.field_label_ja), |d, v| d.label_ja = v, |d| d.label_ja.clone(), label_ja_id)}
                {field("unit", tr_signal!(i18n, signals.field_unit), |d, v| d.unit = v, |d| d.unit.clone(), unit_id)}
                <div class="field">
                    <label for=ids("kind")>{tr!(i18n, signals.field_kind)}</label>
                    <select id=ids("kind") data-testid="signal-kind"
                        on:change=move |ev| if let Ok(k) = event_target_value(&ev).parse() { draft.update(|d| d.kind = k) }>
                        {SignalKind::ALL.iter().copied().map(|k| view! {
                            <option value=k.as_str() selected=move || draft.with(|d| d.kind == k)>{move || signal_kind_label(i18n, k)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <fieldset class="field">
                    <legend>{tr!(i18n, signals.field_direction)}</legend>
                    <label class="check">
                        <input type="radio" name=ids("direction") value="higher" data-testid="direction-higher"
                            prop:checked=move || draft.with(|d| d.higher_is_better)
                            on:change=move |_| draft.update(|d| d.higher_is_better = true) />
                        {tr!(i18n, signals.higher_is_better)}
                    </label>
                    <label class="check">
                        <input type="radio" name=ids("direction") value="lower" data-testid="direction-lower"
                            prop:checked=move || draft.with(|d| !d.higher_is_better)
                            on:change=move |_| draft.update(|d| d.higher_is_better = false) />
                        {tr!(i18n, signals.lower_is_better)}
                    </label>
                </fieldset>
                <div class="field field-wide">
                    <label for=ids("description")>{tr!(i18n, signals.field_description)}</label>
                    <textarea id=ids("description") name="description" rows="2"
                        aria-invalid=errors.invalid("description") aria-describedby=ids("description-error")
                        prop:value=move || draft.with(|d| d.description.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.description = v); }></textarea>
                    {errors.under("description", ids("description-error"))}
                </div>
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" data-testid="save-signal" disabled=move || busy.get()>
                    {move || if is_new { t_string!(i18n, signals.add) } else { t_string!(i18n, signals.save) }}
                </button>
                <button type="button" class="button button-quiet" on:click=move |_| cancel.run(())>{tr!(i18n, cancel)}</button>
            </div>
        </form>
    }
}
