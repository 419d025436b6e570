//! Texts in two languages (`kizuna_shared::api::Texts`): shown in the
//! reader's language, else the other one, and entered side by side.

use crate::i18n::*;
use kizuna_shared::api::Texts;
use kizuna_shared::domain::Language;
use leptos::prelude::*;

/// The product language of a UI locale.
pub fn lang_of(locale: Locale) -> Language {
    match locale {
        Locale::en => Language::En,
        Locale::ja => Language::Ja,
    }
}

/// `texts` in the reader's language, else the other one.
pub fn show(texts: &Texts, locale: Locale) -> String {
    texts.show(lang_of(locale)).to_owned()
}

/// An English and a Japanese input for one text.
#[component]
pub fn TextsField(
    /// Id prefix of the two inputs.
    id: String,
    /// The label above both.
    label: Signal<String>,
    /// The value.
    value: RwSignal<Texts>,
    /// A text area instead of a line.
    #[prop(optional)]
    multiline: bool,
    /// Read only.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// The error to show under the inputs.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let set = move |lang: Language, text: String| {
        value.update(|v| {
            let slot = match lang {
                Language::En => &mut v.en,
                Language::Ja => &mut v.ja,
            };
            *slot = (!text.trim().is_empty()).then_some(text);
        })
    };
    let get = move |lang: Language| {
        value
            .with(|v| match lang {
                Language::En => v.en.clone(),
                Language::Ja => v.ja.clone(),
            })
            .unwrap_or_default()
    };
    let input = move |lang: Language| {
        let input_id = format!("{id}-{}", lang.as_str());
        let name = match lang {
            Language::En => t_string!(i18n, language_en).to_string(),
            Language::Ja => t_string!(i18n, language_ja).to_string(),
        };
        let control = if multiline {
            view! {
                <textarea id=input_id.clone() rows="2" lang=lang.as_str() disabled=move || disabled.get()
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    prop:value=move || get(lang)
                    on:input=move |ev| set(lang, event_target_value(&ev))></textarea>
            }
            .into_any()
        } else {
            view! {
                <input id=input_id.clone() type="text" lang=lang.as_str() disabled=move || disabled.get()
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    prop:value=move || get(lang)
                    on:input=move |ev| set(lang, event_target_value(&ev)) />
            }
            .into_any()
        };
        view! {
            <div class="field">
                <label for=input_id>{move || label.get()} " (" {name} ")"</label>
                {control}
            </div>
        }
    };
    view! {
        <div class="texts-field">
            {input(Language::En)}
            {input(Language::Ja)}
            <p class="field-error texts-error">{move || error.get()}</p>
        </div>
    }
}
