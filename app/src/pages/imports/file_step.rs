//! The wizard's second step: the file, picked or dropped; the server is
//! asked at once how it reads it.

use crate::components::form::ErrorAlert;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use wasm_bindgen::JsCast;

use super::wizard::Wizard;

/// Picking or dropping the file, and why it was refused.
pub fn file_step(i18n: I18nContext<Locale>, w: Wizard) -> impl IntoView {
    let Wizard {
        file_problem, read, ..
    } = w;
    let dragging = RwSignal::new(false);
    let take_file = move |f: web_sys::File| w.take_file(i18n, f);

    let on_file = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        if let Some(f) = input.and_then(|i| i.files()).and_then(|l| l.get(0)) {
            take_file(f);
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(f) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|l| l.get(0))
        {
            take_file(f);
        }
    };

    view! {
        <li class="card section">
            <h2>{tr!(i18n, step_file)}</h2>
            <div class="dropzone" class:dropzone-active=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <label for="import-file">{tr!(i18n, choose_file)}</label>
                <input id="import-file" type="file" accept=".csv,.tsv,.txt,text/csv" on:change=on_file data-testid="import-file" />
                <p class="small muted">{tr!(i18n, drop_hint)}</p>
            </div>
            {move || file_problem.get().map(|p| view! { <p class="alert alert-error" role="alert">{p}</p> })}
            {move || match read.get() {
                Some(Err(error)) => Some(view! { <ErrorAlert error import_file=true /> }),
                _ => None,
            }}
        </li>
    }
}
