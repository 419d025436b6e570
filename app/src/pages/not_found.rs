//! The page for addresses that match no route.

use crate::i18n::*;
use leptos::prelude::*;

/// "Page not found", with a way back.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main id="main" class="page page-narrow">
            <h1>{tr!(i18n, not_found_title)}</h1>
            <p class="lead">{tr!(i18n, not_found_lead)}</p>
            <a class="button button-primary" href="/accounts">{tr!(i18n, go_home)}</a>
        </main>
    }
}
