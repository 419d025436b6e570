//! The wizard's last steps: the preview (the server's check of the file
//! with the chosen mapping, unknown columns a manager may define as
//! signals in place, and the import button) and the summary of the import.
//! Plain functions, called inside the wizard's reactive closures, so a
//! language switch renders the report again in the other language.

use crate::api::ApiError;
use crate::components::signal_form::{suggest_key, SignalForm};
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::ImportReport;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::report::report_view;
use super::wizard::{Step, Wizard};

/// The preview step of `result`.
pub fn preview_step(
    i18n: I18nContext<Locale>,
    w: Wizard,
    result: Result<ImportReport, ApiError>,
) -> impl IntoView {
    let Wizard {
        applied, running, ..
    } = w;
    let send = move |step: Step| w.send(step);
    let preview_ok = move || w.preview_ok();
    view! {
        <li class="card section" data-testid="import-preview">
            <h2>{tr!(i18n, step_preview)}</h2>
            {unknown_columns(i18n, w, result.as_ref().ok().map(|r| r.unknown_columns.clone()).unwrap_or_default())}
            {report_view(i18n, result)}
            <Show when=move || applied.with(Option::is_none)>
                <button class="button button-primary" type="button" data-testid="apply-import"
                    disabled=move || running.get() || !preview_ok()
                    on:click=move |_| send(Step::Apply)>
                    {tr!(i18n, apply_import)}
                </button>
                <Show when=move || !preview_ok()>
                    <p class="small muted">{tr!(i18n, fix_errors_first)}</p>
                </Show>
            </Show>
        </li>
    }
}

/// Columns of a wide file no signal matches: a manager defines each as
/// a signal right here (the signals page's form) and the check runs
/// again; others are told their values will not be imported.
fn unknown_columns(i18n: I18nContext<Locale>, w: Wizard, columns: Vec<String>) -> impl IntoView {
    let Wizard { defining, .. } = w;
    let send = move |step: Step| w.send(step);
    let session = use_session();
    let health_manager = move || session.may(kizuna_shared::domain::Capability::ManageHealth);
    (!columns.is_empty()).then(|| {
        let rows = columns
            .into_iter()
            .map(|header| {
                let h = header.clone();
                view! {
                    <li data-column=header.clone()>
                        <span class="column-name">{header.clone()}</span>
                        <Show when=health_manager>
                            {
                                let h = h.clone();
                                view! {
                                    " "
                                    <button type="button" class="button button-quiet" data-testid="define-signal"
                                        on:click=move |_| defining.set(Some(h.clone()))>
                                        {tr!(i18n, signals.define)}
                                    </button>
                                }
                            }
                        </Show>
                    </li>
                }
            })
            .collect_view();
        let saved = Callback::new(move |_| {
            defining.set(None);
            send(Step::Preview);
        });
        let cancel = Callback::new(move |()| defining.set(None));
        view! {
            <div class="alert alert-info" data-testid="unknown-columns">
                <p>{move || if health_manager() { t_string!(i18n, signals.unknown_columns_manager) } else { t_string!(i18n, signals.unknown_columns) }}</p>
                <ul class="unknown-columns">{rows}</ul>
            </div>
            {move || defining.get().map(|header| {
                let ascii = header.is_ascii();
                let key = suggest_key(&header);
                let label = if ascii { header.clone() } else { String::new() };
                let label_ja = if ascii { String::new() } else { header.clone() };
                view! {
                    <section class="card section" aria-labelledby="define-heading" data-testid="define-signal-form">
                        <h3 id="define-heading">{t!(i18n, signals.define_title, column = header.clone())}</h3>
                        <SignalForm existing=None key label label_ja id="wizard-signal" saved cancel />
                    </section>
                }
            })}
        }
    })
}

/// The summary step of `result` (the import's answer).
pub fn summary_step(
    i18n: I18nContext<Locale>,
    result: Result<ImportReport, ApiError>,
) -> impl IntoView {
    view! {
        <li class="card section" data-testid="import-summary">
            <h2>{tr!(i18n, step_done)}</h2>
            {report_view(i18n, result)}
            <p>
                <a class="button button-primary" href="/accounts">{tr!(i18n, go_to_accounts)}</a>
                " "
                <a class="button" href="/imports">{tr!(i18n, nav_import_history)}</a>
            </p>
        </li>
    }
}
