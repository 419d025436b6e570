//! CSV import: the wizard (`/imports/new`: kind → file → column mapping →
//! preview → apply with progress → summary) and the history of imports,
//! merges and edits (`/imports`). The file goes to the server as the raw
//! request body. The browser does not read it: once a file is picked, a dry
//! run asks the server how it reads it (encoding, separator, headers) and
//! which header feeds which of our columns; the wizard prefills the mapping
//! from that answer, and when every required column is found that answer
//! is already the preview.

use std::collections::BTreeMap;

use crate::api::{ApiError, ImportRequest};
use crate::components::form::{problem_message, Conflict, ErrorAlert};
use crate::components::import_messages::import_problem_message;
use crate::components::labels::{delimiter_label, encoding_label, import_column_label};
use crate::components::signal_form::{suggest_key, SignalForm};
use crate::format;
use crate::i18n::*;
use crate::import_file::{needs_file_currency, template_href, Layout};
use crate::session::use_session;
use kizuna_shared::api::{
    DataChangeKind, DataChangeQuery, ImportAction, ImportError, ImportKind, ImportPhase,
    ImportProgress, ImportReport, MAX_IMPORT_BYTES,
};
use kizuna_shared::domain::Currency;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn kind_label(i18n: I18nContext<Locale>, kind: ImportKind) -> String {
    match kind {
        ImportKind::Accounts => t_string!(i18n, import_kind_accounts).to_string(),
        ImportKind::Mrr => t_string!(i18n, import_kind_mrr).to_string(),
        ImportKind::Signals => t_string!(i18n, import_kind_signals).to_string(),
    }
}

/// Waits `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// A random progress token (only needs to be unlikely to collide).
fn progress_token() -> String {
    (0..4)
        .map(|_| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "0..2^16"
            )]
            let n = (js_sys::Math::random() * 65_536.0) as u32;
            format!("{n:04x}")
        })
        .collect()
}

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

/// What one request of the wizard is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Ask the server how it reads the file (a dry run without a mapping).
    Read,
    /// Check the file with the chosen mapping (a dry run).
    Preview,
    /// Import it.
    Apply,
}

#[component]
fn ImportWizard() -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new(ImportKind::Accounts);
    let file = RwSignal::new_local(None::<web_sys::File>);
    let file_name = RwSignal::new(String::new());
    let file_problem = RwSignal::new(None::<String>);
    // The server's reading of the file: encoding, separator, headers and
    // the mapping it suggests.
    let read = RwSignal::new(None::<Result<ImportReport, ApiError>>);
    let mapping = RwSignal::new(BTreeMap::<String, String>::new());
    let file_currency = RwSignal::new(None::<Currency>);
    let preview = RwSignal::new(None::<Result<ImportReport, ApiError>>);
    let applied = RwSignal::new(None::<Result<ImportReport, ApiError>>);
    let running = RwSignal::new(false);
    let progress = RwSignal::new(None::<ImportProgress>);
    let dragging = RwSignal::new(false);
    // A signals file's layout (read from the server's answer, changeable),
    // the date of a wide file without a date column, and the unknown
    // column being defined as a signal.
    let layout = RwSignal::new(Layout::Long);
    let file_date = RwSignal::new(None::<chrono::NaiveDate>);
    let defining = RwSignal::new(None::<String>);
    let session = use_session();
    let health_manager = move || {
        session
            .role()
            .is_some_and(kizuna_shared::domain::can_manage_health)
    };
    // Answers to requests overtaken by a newer one (another file or kind
    // picked meanwhile) are dropped.
    let generation = StoredValue::new(0_u32);

    let reset_results = move || {
        preview.set(None);
        applied.set(None);
    };

    let send = move |step: Step| {
        let Some(f) = file.get_untracked() else {
            return;
        };
        let k = kind.get_untracked();
        let wide = layout.get_untracked() == Layout::Wide;
        let (chosen, currency, date) = match step {
            Step::Read => (None, None, None),
            Step::Preview | Step::Apply => {
                let mut m = mapping.get_untracked();
                if wide {
                    // No signal or value column: the server reads it wide.
                    m.remove("signal");
                    m.remove("value");
                }
                let currency = needs_file_currency(k, &m)
                    .then(|| file_currency.get_untracked())
                    .flatten();
                (
                    Some(m),
                    currency,
                    wide.then(|| file_date.get_untracked()).flatten(),
                )
            }
        };
        let token = progress_token();
        let request = ImportRequest {
            kind: k,
            dry_run: step != Step::Apply,
            file_name: Some(file_name.get_untracked()),
            mapping: chosen,
            currency,
            progress: Some(token.clone()),
            date,
        };
        generation.update_value(|g| *g = g.wrapping_add(1));
        let this = generation.get_value();
        running.set(true);
        progress.set(None);
        if step == Step::Read {
            read.set(None);
        }
        if step != Step::Apply {
            reset_results();
        }
        spawn_local(async move {
            let blob: web_sys::Blob = f.into();
            let result = crate::api::import_file(&request, &blob).await;
            if generation.get_value() != this {
                return;
            }
            running.set(false);
            match step {
                Step::Read => {
                    if let Ok(report) = &result {
                        mapping.set(report.mapping.clone());
                        file_currency.set(None);
                        let read_as = Layout::detect(k, &report.mapping);
                        layout.set(read_as);
                        // Every required column found: this answer is the
                        // preview "Check file" would give.
                        if read_as.missing(k, &report.mapping, None, None).is_empty() {
                            preview.set(Some(result.clone()));
                        }
                    }
                    read.set(Some(result));
                }
                Step::Preview => preview.set(Some(result)),
                Step::Apply => applied.set(Some(result)),
            }
        });
        // Poll progress while the request runs; an unknown token (404)
        // leaves the bar indeterminate.
        spawn_local(async move {
            loop {
                sleep(200).await;
                if !running.get_untracked() || generation.get_value() != this {
                    break;
                }
                if let Ok(p) = crate::api::import_progress(&token).await {
                    progress.set(Some(p));
                }
            }
        });
    };

    let take_file = move |f: web_sys::File| {
        reset_results();
        read.set(None);
        file_problem.set(None);
        #[expect(clippy::cast_precision_loss, reason = "size comparison")]
        if f.size() > MAX_IMPORT_BYTES as f64 {
            file.set(None);
            file_problem.set(Some(t_string!(i18n, import_too_big).to_string()));
            return;
        }
        file_name.set(f.name());
        file.set(Some(f));
        send(Step::Read);
    };

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

    let headers = Memo::new(move |_| {
        read.with(|r| match r {
            Some(Ok(report)) => report.headers.clone(),
            _ => Vec::new(),
        })
    });
    let needs_currency = move || mapping.with(|m| needs_file_currency(kind.get(), m));
    let missing = move || {
        mapping.with(|m| {
            layout
                .get()
                .missing(kind.get(), m, file_currency.get(), file_date.get())
        })
    };
    let has_file = move || file.with(Option::is_some);
    let preview_ok = move || preview.with(|p| matches!(p, Some(Ok(r)) if r.error_count == 0));

    let kind_choice = move || {
        let locale = i18n.get_locale();
        ImportKind::ALL
            .iter()
            .map(|k| {
                let k = *k;
                let columns = k
                    .columns()
                    .iter()
                    .enumerate()
                    .map(|(i, (c, required))| {
                        view! {
                            {(i > 0).then(|| t_string!(i18n, list_separator))}
                            <span class="column-name" class:required=*required>{import_column_label(locale, c)}</span>
                        }
                    })
                    .collect_view();
                view! {
                    <label class="choice" class:choice-selected=move || kind.get() == k>
                        <input type="radio" name="import-kind" value=k.as_str()
                            prop:checked=move || kind.get() == k
                            on:change=move |_| {
                                kind.set(k);
                                // Which header feeds which column depends on
                                // the kind: ask the server again.
                                send(Step::Read);
                            } />
                        <span class="choice-title">{kind_label(i18n, k)}</span>
                        <span class="choice-columns small">{columns}</span>
                        <a class="small" href=template_href(k) download=format!("kizuna-{}-template.csv", k.as_str())>
                            {tr!(i18n, download_template)}
                        </a>
                    </label>
                }
            })
            .collect_view()
    };

    let mapping_rows = move || {
        let k = kind.get();
        let locale = i18n.get_locale();
        let hs = headers.get();
        layout
            .get()
            .columns(k)
            .into_iter()
            .map(|(column, required)| {
                let id = format!("map-{column}");
                let options = hs
                    .iter()
                    .map(|h| {
                        let h2 = h.clone();
                        view! { <option value=h.clone() selected=move || mapping.with(|m| m.get(column) == Some(&h2))>{h.clone()}</option> }
                    })
                    .collect_view();
                view! {
                    <tr>
                        <th scope="row">
                            <label for=id.clone()>{import_column_label(locale, column)}</label>
                            {required.then(|| view! { " " <span class="small muted">{tr!(i18n, required)}</span> })}
                            <code class="small muted block">{column}</code>
                        </th>
                        <td>
                            <select id=id data-column=column on:change=move |ev| {
                                let v = event_target_value(&ev);
                                mapping.update(|m| {
                                    if v.is_empty() { m.remove(column); } else { m.insert(column.to_owned(), v); }
                                });
                                reset_results();
                            }>
                                <option value="" selected=move || mapping.with(|m| !m.contains_key(column))>{tr!(i18n, not_in_file)}</option>
                                {options}
                            </select>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    let detected = move || {
        read.with(|r| match r {
            Some(Ok(report)) => {
                let encoding = encoding_label(i18n, &report.encoding);
                let delimiter = delimiter_label(i18n, &report.delimiter);
                Some(view! {
                    <p class="small muted" data-testid="detected-format">
                        {t!(i18n, detected_format, encoding = encoding.clone(), delimiter = delimiter.clone())}
                    </p>
                })
            }
            _ => None,
        })
    };

    let currency_choice = move || {
        needs_currency().then(|| {
            let unset = move || file_currency.with(Option::is_none);
            view! {
                <div class="field file-currency">
                    <label for="file-currency">{tr!(i18n, file_currency)}</label>
                    <select id="file-currency" data-testid="file-currency"
                        aria-describedby="file-currency-hint"
                        aria-invalid=move || if unset() { "true" } else { "false" }
                        on:change=move |ev| {
                            file_currency.set(event_target_value(&ev).parse().ok());
                            reset_results();
                        }>
                        <option value="" selected=unset>{tr!(i18n, choose_currency)}</option>
                        {Currency::ALL.iter().map(|c| {
                            let c = *c;
                            view! { <option value=c.as_str() selected=move || file_currency.get() == Some(c)>{c.as_str()}</option> }
                        }).collect_view()}
                    </select>
                    <p id="file-currency-hint" class="small muted">{tr!(i18n, file_currency_hint)}</p>
                </div>
            }
        })
    };

    // A signals file: long (one row per value) or wide (one column per
    // signal), as the server read it; a wide file takes its date from a
    // column or one date for the whole file.
    let layout_choice = move || {
        (kind.get() == ImportKind::Signals).then(|| {
            let choose = move |l: Layout| {
                layout.set(l);
                reset_results();
            };
            view! {
                <fieldset class="field layout-choice" data-testid="signals-layout">
                    <legend>{tr!(i18n, signals.layout)}</legend>
                    {[(Layout::Long, "long"), (Layout::Wide, "wide")].into_iter().map(|(l, name)| view! {
                        <label class="check">
                            <input type="radio" name="signals-layout" value=name data-testid=format!("layout-{name}")
                                prop:checked=move || layout.get() == l
                                on:change=move |_| choose(l) />
                            {move || match l {
                                Layout::Long => t_string!(i18n, signals.layout_long),
                                Layout::Wide => t_string!(i18n, signals.layout_wide),
                            }}
                        </label>
                    }).collect_view()}
                </fieldset>
                <Show when=move || layout.get() == Layout::Wide>
                    <div class="field">
                        <label for="file-date">{tr!(i18n, signals.file_date)}</label>
                        <input id="file-date" type="date" data-testid="file-date"
                            aria-describedby="file-date-hint"
                            prop:value=move || file_date.get().map(|d| d.to_string()).unwrap_or_default()
                            on:change=move |ev| {
                                file_date.set(event_target_value(&ev).parse().ok());
                                reset_results();
                            } />
                        <p id="file-date-hint" class="small muted">{tr!(i18n, signals.file_date_hint)}</p>
                    </div>
                </Show>
            }
        })
    };

    // Columns of a wide file no signal matches: a manager defines each as
    // a signal right here (the signals page's form) and the check runs
    // again; others are told their values will not be imported.
    let unknown_columns = move |columns: Vec<String>| {
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
    };

    view! {
        <ol class="steps">
            <li class="card section">
                <h2>{tr!(i18n, step_kind)}</h2>
                <fieldset class="choices">
                    <legend class="visually-hidden">{tr!(i18n, step_kind)}</legend>
                    {kind_choice}
                </fieldset>
                <p class="small muted">{tr!(i18n, required_columns_note)}</p>
            </li>
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
                    Some(Err(error)) => Some(view! { <ErrorAlert error conflict=Conflict::ImportRunning /> }),
                    _ => None,
                }}
            </li>
            <Show when=move || !headers.with(Vec::is_empty)>
                <li class="card section">
                    <h2>{tr!(i18n, step_mapping)}</h2>
                    {detected}
                    <div class="table-wrap">
                        <table class="data-table mapping-table" data-testid="mapping">
                            <thead><tr><th scope="col">{tr!(i18n, our_column)}</th><th scope="col">{tr!(i18n, file_header)}</th></tr></thead>
                            <tbody>{mapping_rows}</tbody>
                        </table>
                    </div>
                    {layout_choice}
                    {currency_choice}
                    {move || {
                        let mut m = missing();
                        let locale = i18n.get_locale();
                        // A missing currency is asked for by the currency
                        // choice, not as a header to pick.
                        let currency = needs_currency() && m.contains(&"currency");
                        m.retain(|c| !(currency && *c == "currency"));
                        let columns = (!m.is_empty()).then(|| {
                            let names = m.iter().map(|c| import_column_label(locale, c)).collect::<Vec<_>>().join(t_string!(i18n, list_separator));
                            view! { <p class="alert alert-error" role="alert">{t!(i18n, mapping_missing, columns = names.clone())}</p> }
                        });
                        let currency = currency.then(|| view! {
                            <p class="alert alert-error" role="alert">{tr!(i18n, file_currency_missing)}</p>
                        });
                        (columns, currency)
                    }}
                    <button class="button button-primary" type="button" data-testid="preview-import"
                        disabled=move || running.get() || !has_file() || !missing().is_empty()
                        on:click=move |_| send(Step::Preview)>
                        {tr!(i18n, check_file)}
                    </button>
                </li>
            </Show>
            <Show when=move || running.get()>
                <li class="card section" aria-live="polite">
                    <ProgressBar progress=progress />
                </li>
            </Show>
            {move || preview.get().map(|result| view! {
                <li class="card section" data-testid="import-preview">
                    <h2>{tr!(i18n, step_preview)}</h2>
                    {unknown_columns(result.as_ref().ok().map(|r| r.unknown_columns.clone()).unwrap_or_default())}
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
            })}
            {move || applied.get().map(|result| view! {
                <li class="card section" data-testid="import-summary">
                    <h2>{tr!(i18n, step_done)}</h2>
                    {report_view(i18n, result)}
                    <p>
                        <a class="button button-primary" href="/accounts">{tr!(i18n, go_to_accounts)}</a>
                        " "
                        <a class="button" href="/imports">{tr!(i18n, nav_import_history)}</a>
                    </p>
                </li>
            })}
        </ol>
    }
}

/// Progress of a running import: a determinate bar when the server reports
/// counts, an indeterminate one otherwise.
#[component]
fn ProgressBar(progress: RwSignal<Option<ImportProgress>>) -> impl IntoView {
    let i18n = use_i18n();
    let phase = move || {
        progress.get().map_or_else(
            || t_string!(i18n, phase_working).to_string(),
            |p| match p.phase {
                ImportPhase::Reading => t_string!(i18n, phase_reading).to_string(),
                ImportPhase::Checking => t_string!(i18n, phase_checking).to_string(),
                ImportPhase::Writing => t_string!(i18n, phase_writing).to_string(),
                ImportPhase::Done => t_string!(i18n, phase_done).to_string(),
            },
        )
    };
    view! {
        <div class="progress" data-testid="import-progress">
            <label for="import-progress-bar">{phase}</label>
            {move || match progress.get() {
                Some(p) if p.total > 0 => {
                    #[expect(clippy::cast_precision_loss, reason = "a progress bar")]
                    let (value, max) = (p.done as f64, p.total as f64);
                    view! { <progress id="import-progress-bar" max=max value=value></progress>
                        <span class="small muted">{format!("{} / {}", p.done, p.total)}</span> }.into_any()
                }
                _ => view! { <progress id="import-progress-bar"></progress> }.into_any(),
            }}
        </div>
    }
}

fn action_label(i18n: I18nContext<Locale>, a: ImportAction) -> String {
    match a {
        ImportAction::Create => t_string!(i18n, action_create).to_string(),
        ImportAction::Update => t_string!(i18n, action_update).to_string(),
        ImportAction::Unchanged => t_string!(i18n, action_unchanged).to_string(),
    }
}

/// The errors or the warnings of a report: row, the row's account (for
/// warnings: `accounts` maps row → account), column, and the sentence of
/// each code in the user's language.
fn problem_table(
    i18n: I18nContext<Locale>,
    locale: Locale,
    testid: &'static str,
    lines: &[ImportError],
    accounts: Option<&BTreeMap<u64, String>>,
) -> impl IntoView {
    let with_account = accounts.is_some();
    let last = move || {
        if with_account {
            t_string!(i18n, col_note).to_string()
        } else {
            t_string!(i18n, col_problem).to_string()
        }
    };
    let rows = lines
        .iter()
        .map(|e| {
            let account = accounts.map(|a| view! { <td>{a.get(&e.row).cloned()}</td> });
            view! {
                <tr data-code=e.code.clone()>
                    <td class="num">{e.row}</td>
                    {account}
                    <td>{e.column.as_deref().map(|c| import_column_label(locale, c))}</td>
                    <td>{import_problem_message(locale, e)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid=testid>
                <thead><tr>
                    <th scope="col" class="num">{tr!(i18n, col_row)}</th>
                    {with_account.then(|| view! { <th scope="col">{tr!(i18n, col_account)}</th> })}
                    <th scope="col">{tr!(i18n, col_column)}</th>
                    <th scope="col">{last}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// A preview or summary: counts, errors, planned changes.
fn report_view(i18n: I18nContext<Locale>, result: Result<ImportReport, ApiError>) -> AnyView {
    let report = match result {
        Ok(r) => r,
        Err(err) => {
            let message = problem_message(i18n, &err, Conflict::ImportRunning);
            return view! { <p class="alert alert-error" role="alert">{message}</p> }.into_any();
        }
    };
    // Tracked: the caller's closure renders the report again in the other
    // language when the user switches (the sentences are chosen by code).
    let locale = i18n.get_locale();
    let n = move |v: u64| format::count(v, locale);
    let status = if report.error_count > 0 {
        view! { <p class="alert alert-error" role="alert" data-testid="import-errors-count">
            <span aria-hidden="true">"✕ "</span>{t!(i18n, import_has_errors, count = n(report.error_count))}</p> }.into_any()
    } else if report.applied {
        view! { <p class="alert alert-success" role="status"><span aria-hidden="true">"✓ "</span>{tr!(i18n, import_applied)}</p> }.into_any()
    } else {
        view! { <p class="alert alert-success" role="status"><span aria-hidden="true">"✓ "</span>{tr!(i18n, import_ready)}</p> }.into_any()
    };
    // Warnings do not stop an import: a note beside the status, not an error.
    let warning_count = report.warning_count;
    let applied = report.applied;
    let warned = (warning_count > 0).then(|| {
        view! {
            <p class="alert alert-info" data-testid="import-warnings-count">
                <span aria-hidden="true">"! "</span>
                {move || if applied {
                    t_string!(i18n, import_warnings_applied, count = n(warning_count)).to_string()
                } else {
                    t_string!(i18n, import_has_warnings, count = n(warning_count)).to_string()
                }}
            </p>
        }
    });
    // A warning's row names its account when the preview lists that row.
    let accounts: BTreeMap<u64, String> = report
        .changes
        .iter()
        .map(|c| {
            (
                c.row,
                c.account_name.clone().unwrap_or_else(|| c.key.clone()),
            )
        })
        .collect();
    let errors = problem_table(i18n, locale, "import-errors", &report.errors, None);
    let warnings = problem_table(
        i18n,
        locale,
        "import-warnings",
        &report.warnings,
        Some(&accounts),
    );
    let changes = report
        .changes
        .iter()
        .map(|c| {
            let a = c.action;
            view! {
                <tr>
                    <td class="num">{c.row}</td>
                    <td>{action_label(i18n, a)}</td>
                    <td><code>{c.key.clone()}</code></td>
                    <td>{c.account_name.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    let has_errors = !report.errors.is_empty();
    let has_warnings = !report.warnings.is_empty();
    let has_changes = !report.changes.is_empty();
    view! {
        {status}
        {warned}
        <dl class="counts" data-testid="import-counts">
            <div><dt>{tr!(i18n, count_rows)}</dt><dd>{n(report.rows)}</dd></div>
            <div><dt>{tr!(i18n, count_created)}</dt><dd data-testid="count-created">{n(report.created)}</dd></div>
            <div><dt>{tr!(i18n, count_updated)}</dt><dd data-testid="count-updated">{n(report.updated)}</dd></div>
            <div><dt>{tr!(i18n, count_unchanged)}</dt><dd>{n(report.unchanged)}</dd></div>
            <div><dt>{tr!(i18n, count_errors)}</dt><dd>{n(report.error_count)}</dd></div>
            {(warning_count > 0).then(|| view! {
                <div><dt>{tr!(i18n, count_warnings)}</dt><dd data-testid="count-warnings">{n(warning_count)}</dd></div>
            })}
        </dl>
        <p class="small muted">{t!(i18n, detected_format, encoding = encoding_label(i18n, &report.encoding), delimiter = delimiter_label(i18n, &report.delimiter))}</p>
        {has_errors.then(|| view! { <h3>{tr!(i18n, errors_title)}</h3> {errors} })}
        {has_warnings.then(|| view! { <h3>{tr!(i18n, warnings_title)}</h3> {warnings} })}
        {has_changes.then(|| view! {
            <details open=!has_errors>
                <summary>{tr!(i18n, changes_title)}</summary>
                <div class="table-wrap">
                    <table class="data-table" data-testid="import-changes">
                        <thead><tr>
                            <th scope="col" class="num">{tr!(i18n, col_row)}</th>
                            <th scope="col">{tr!(i18n, col_action)}</th>
                            <th scope="col">{tr!(i18n, col_key)}</th>
                            <th scope="col">{tr!(i18n, col_name)}</th>
                        </tr></thead>
                        <tbody>{changes}</tbody>
                    </table>
                </div>
            </details>
        })}
    }
    .into_any()
}

fn change_kind_label(i18n: I18nContext<Locale>, k: DataChangeKind) -> String {
    match k {
        DataChangeKind::Accounts => t_string!(i18n, import_kind_accounts).to_string(),
        DataChangeKind::Mrr => t_string!(i18n, import_kind_mrr).to_string(),
        DataChangeKind::Signals => t_string!(i18n, import_kind_signals).to_string(),
        DataChangeKind::Merge => t_string!(i18n, change_merge).to_string(),
        DataChangeKind::Create => t_string!(i18n, change_create).to_string(),
        DataChangeKind::Update => t_string!(i18n, change_update).to_string(),
        DataChangeKind::Delete => t_string!(i18n, change_delete).to_string(),
    }
}

/// The import and data-change history (`/imports`).
#[component]
pub fn ImportHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let page = RwSignal::new(1_u32);
    let history = LocalResource::new(move || {
        let p = page.get();
        let query = DataChangeQuery {
            page: Some(p),
            per_page: Some(50),
        };
        async move { crate::api::data_changes(&query).await }
    });
    let body = move || {
        history.get().map(|r| match r {
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
            Ok(p) if p.items.is_empty() => view! {
                <div class="empty-state"><p class="empty-title">{tr!(i18n, no_history)}</p></div>
            }.into_any(),
            Ok(p) => {
                let locale = i18n.get_locale();
                let pages = p.page_count();
                let current = p.page;
                let rows = p.items.into_iter().map(|c| {
                    let n = move |v: u64| format::count(v, locale);
                    let when = format::datetime(c.at, locale);
                    let imported = matches!(c.kind, DataChangeKind::Accounts | DataChangeKind::Mrr | DataChangeKind::Signals);
                    let sentence = (!imported).then_some(c.detail);
                    let account = c.account_id.map(|id| view! { <a href=format!("/accounts/{id}")>{tr!(i18n, view_account)}</a> });
                    view! {
                        <tr>
                            <td class="nowrap">{when}</td>
                            <td>{c.user.map(|u| u.name).unwrap_or_default()}</td>
                            <td>{change_kind_label(i18n, c.kind)}</td>
                            <td>{c.file_name.unwrap_or_default()}</td>
                            <td class="num">{n(c.rows)}</td>
                            <td class="num">{n(c.created)}</td>
                            <td class="num">{n(c.updated)}</td>
                            <td class="num">{n(c.unchanged)}</td>
                            // An import's entry is all in the columns; an
                            // edit's or merge's sentence (names as they
                            // were) is stored as the server wrote it, in
                            // English (see ARCHITECTURE.md).
                            <td>{sentence.map(|d| view! { <span lang="en">{d}</span> " " })} {account}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="history-table">
                            <thead><tr>
                                <th scope="col">{tr!(i18n, col_when)}</th>
                                <th scope="col">{tr!(i18n, col_who)}</th>
                                <th scope="col">{tr!(i18n, col_kind)}</th>
                                <th scope="col">{tr!(i18n, col_file)}</th>
                                <th scope="col" class="num">{tr!(i18n, count_rows)}</th>
                                <th scope="col" class="num">{tr!(i18n, count_created)}</th>
                                <th scope="col" class="num">{tr!(i18n, count_updated)}</th>
                                <th scope="col" class="num">{tr!(i18n, count_unchanged)}</th>
                                <th scope="col">{tr!(i18n, col_detail)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <nav class="pager" aria-label=move || t_string!(i18n, page_of, page = current, pages = pages).to_string()>
                        <span class="pager-page">{t!(i18n, page_of, page = current, pages = pages)}</span>
                        <div class="pager-buttons">
                            <button type="button" class="button" disabled={current <= 1} on:click=move |_| page.set(current - 1)>{tr!(i18n, previous_page)}</button>
                            <button type="button" class="button" disabled={current >= pages} on:click=move |_| page.set(current + 1)>{tr!(i18n, next_page)}</button>
                        </div>
                    </nav>
                }.into_any()
            }
        })
    };
    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, history_title)}</h1>
                <p class="lead">{tr!(i18n, history_lead)}</p>
            </div>
            <Show when=move || session.can_manage()>
                <a class="button button-primary" href="/imports/new">{tr!(i18n, nav_import)}</a>
            </Show>
        </div>
        <section class="card" aria-live="polite">
            {move || body().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </section>
    }
}
