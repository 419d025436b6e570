//! CSV import: the wizard (`/imports/new`: kind → file → column mapping →
//! preview → apply with progress → summary) and the history of imports,
//! merges and edits (`/imports`). The file goes to the server as the raw
//! request body. The browser does not read it: once a file is picked, a dry
//! run asks the server how it reads it (encoding, separator, headers) and
//! which header feeds which of our columns; the wizard prefills the mapping
//! from that answer, and when every required column is found that answer
//! is already the preview.
//!
//! The wizard's state is `wizard.rs`; its steps are `kind_step.rs`,
//! `file_step.rs`, `mapping_step.rs` and `report_steps.rs` (preview and
//! summary, with `report.rs` and `progress.rs`); the history is
//! `history.rs`.

mod file_step;
mod history;
mod kind_step;
mod mapping_step;
mod progress;
mod report;
mod report_steps;
mod wizard;

pub use history::ImportHistoryPage;

use crate::i18n::*;
use crate::session::use_session;
use leptos::prelude::*;

use file_step::file_step;
use kind_step::kind_step;
use mapping_step::mapping_step;
use progress::ProgressBar;
use report_steps::{preview_step, summary_step};
use wizard::Wizard;

/// The import wizard page.
#[component]
pub fn ImportWizardPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, import_title)}</h1>
                <p class="lead">{tr!(i18n, import_lead)}</p>
            </div>
            <a class="button" href="/imports">{tr!(i18n, nav_import_history)}</a>
        </div>
        <Show when=move || session.can_manage()
            fallback=move || view! { <p class="alert alert-error" role="alert">{tr!(i18n, forbidden)}</p> }>
            <ImportWizard />
        </Show>
    }
}

/// The wizard: kind → file → column mapping → preview → apply with
/// progress → summary.
#[component]
fn ImportWizard() -> impl IntoView {
    let i18n = use_i18n();
    let w = Wizard::new();
    let Wizard {
        preview,
        applied,
        running,
        progress,
        headers,
        ..
    } = w;
    view! {
        <ol class="steps">
            {kind_step(i18n, w)}
            {file_step(i18n, w)}
            <Show when=move || !headers.with(Vec::is_empty)>
                {mapping_step(i18n, w)}
            </Show>
            <Show when=move || running.get()>
                <li class="card section" aria-live="polite">
                    <ProgressBar progress=progress />
                </li>
            </Show>
            {move || preview.get().map(|result| preview_step(i18n, w, result))}
            {move || applied.get().map(|result| summary_step(i18n, result))}
        </ol>
    }
}
