//! The wizard's state: every signal its steps share, and the one request
//! each step sends (read the file, check it with a mapping, import it)
//! with progress polling; answers overtaken by a newer request are dropped.

use std::collections::BTreeMap;

use crate::api::{ApiError, ImportRequest};
use crate::i18n::*;
use crate::import_file::{needs_file_currency, Layout};
use kizuna_shared::api::{ImportKind, ImportProgress, ImportReport, MAX_IMPORT_BYTES};
use kizuna_shared::domain::Currency;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use wasm_bindgen_futures::JsFuture;

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

/// What one request of the wizard is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Ask the server how it reads the file (a dry run without a mapping).
    Read,
    /// Check the file with the chosen mapping (a dry run).
    Preview,
    /// Import it.
    Apply,
}

/// The wizard's shared state (signals, so it is `Copy`).
#[derive(Clone, Copy)]
pub struct Wizard {
    /// What the file holds.
    pub kind: RwSignal<ImportKind>,
    /// The picked file.
    pub file: RwSignal<Option<web_sys::File>, LocalStorage>,
    /// Its name, sent with the file.
    pub file_name: RwSignal<String>,
    /// Why the picked file was refused (too big).
    pub file_problem: RwSignal<Option<String>>,
    /// The server's reading of the file: encoding, separator, headers and
    /// the mapping it suggests.
    pub read: RwSignal<Option<Result<ImportReport, ApiError>>>,
    /// Our column → the file's header.
    pub mapping: RwSignal<BTreeMap<String, String>>,
    /// The currency of a file without a currency column.
    pub file_currency: RwSignal<Option<Currency>>,
    /// The dry run with the chosen mapping.
    pub preview: RwSignal<Option<Result<ImportReport, ApiError>>>,
    /// The import's answer.
    pub applied: RwSignal<Option<Result<ImportReport, ApiError>>>,
    /// Whether a request runs.
    pub running: RwSignal<bool>,
    /// The running request's progress, as the server reports it.
    pub progress: RwSignal<Option<ImportProgress>>,
    /// A signals file's layout (read from the server's answer, changeable).
    pub layout: RwSignal<Layout>,
    /// The date of a wide file without a date column.
    pub file_date: RwSignal<Option<chrono::NaiveDate>>,
    /// The unknown column being defined as a signal.
    pub defining: RwSignal<Option<String>>,
    /// The file's headers, once the server read it.
    pub headers: Memo<Vec<String>>,
    /// Answers to requests overtaken by a newer one (another file or kind
    /// picked meanwhile) are dropped.
    generation: StoredValue<u32>,
}

impl Wizard {
    /// A wizard with nothing picked yet.
    pub fn new() -> Self {
        let read = RwSignal::new(None::<Result<ImportReport, ApiError>>);
        Wizard {
            kind: RwSignal::new(ImportKind::Accounts),
            file: RwSignal::new_local(None::<web_sys::File>),
            file_name: RwSignal::new(String::new()),
            file_problem: RwSignal::new(None::<String>),
            read,
            mapping: RwSignal::new(BTreeMap::<String, String>::new()),
            file_currency: RwSignal::new(None::<Currency>),
            preview: RwSignal::new(None::<Result<ImportReport, ApiError>>),
            applied: RwSignal::new(None::<Result<ImportReport, ApiError>>),
            running: RwSignal::new(false),
            progress: RwSignal::new(None::<ImportProgress>),
            layout: RwSignal::new(Layout::Long),
            file_date: RwSignal::new(None::<chrono::NaiveDate>),
            defining: RwSignal::new(None::<String>),
            headers: Memo::new(move |_| {
                read.with(|r| match r {
                    Some(Ok(report)) => report.headers.clone(),
                    _ => Vec::new(),
                })
            }),
            generation: StoredValue::new(0_u32),
        }
    }

    /// Forgets the preview and the import's answer (the choices changed).
    pub fn reset_results(self) {
        self.preview.set(None);
        self.applied.set(None);
    }

    /// Sends the file for `step`, and polls its progress while it runs.
    pub fn send(self, step: Step) {
        let Wizard {
            kind,
            file,
            file_name,
            read,
            mapping,
            file_currency,
            preview,
            applied,
            running,
            progress,
            layout,
            file_date,
            generation,
            ..
        } = self;
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
            self.reset_results();
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
    }

    /// Takes a picked or dropped file and asks the server how it reads it
    /// (a file over the size limit is refused at once).
    pub fn take_file(self, i18n: I18nContext<Locale>, f: web_sys::File) {
        self.reset_results();
        self.read.set(None);
        self.file_problem.set(None);
        #[expect(clippy::cast_precision_loss, reason = "size comparison")]
        if f.size() > MAX_IMPORT_BYTES as f64 {
            self.file.set(None);
            self.file_problem
                .set(Some(t_string!(i18n, import_too_big).to_string()));
            return;
        }
        self.file_name.set(f.name());
        self.file.set(Some(f));
        self.send(Step::Read);
    }

    /// Whether the file needs a currency chosen (no currency column).
    pub fn needs_currency(self) -> bool {
        self.mapping
            .with(|m| needs_file_currency(self.kind.get(), m))
    }

    /// Required columns not mapped yet (and the currency or date when
    /// missing).
    pub fn missing(self) -> Vec<&'static str> {
        self.mapping.with(|m| {
            self.layout.get().missing(
                self.kind.get(),
                m,
                self.file_currency.get(),
                self.file_date.get(),
            )
        })
    }

    /// Whether a file is picked.
    pub fn has_file(self) -> bool {
        self.file.with(Option::is_some)
    }

    /// Whether the preview found no errors.
    pub fn preview_ok(self) -> bool {
        self.preview
            .with(|p| matches!(p, Some(Ok(r)) if r.error_count == 0))
    }
}
