//! The language switch (English ⇄ Japanese) of the shell's header and the
//! sign-in page.

use crate::i18n::*;
use leptos::prelude::*;

/// Toggles between English and Japanese and remembers the choice.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |_| {
        let next = match i18n.get_locale_untracked() {
            Locale::en => Locale::ja,
            Locale::ja => Locale::en,
        };
        i18n.set_locale(next);
        crate::format::remember_language(next);
    };
    view! {
        <button
            class="button button-quiet lang-switch"
            type="button"
            data-testid="language-switch"
            on:click=toggle
            title=tr!(i18n, language)
        >
            <span lang=move || match i18n.get_locale() {
                Locale::en => "ja",
                Locale::ja => "en",
            }>{tr!(i18n, switch_to_other_language)}</span>
        </button>
    }
}
