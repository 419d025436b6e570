//! The health-score workbench (`/workbench`, issue 10): managers edit the
//! measures, curves, weights and band cut-offs of a draft model and see,
//! on every input event, every account re-scored (histogram, counts and MRR
//! per band, movers against the published model) and the churn back-test;
//! they can ask for suggested weights, undo and redo, save the draft and
//! publish it. CSMs and executives see the published model and its results
//! read-only.
//!
//! The scoring data is fetched once per as-of date / window (binary,
//! decoded in wasm) and kept with one `Panel` in wasm memory
//! ([`state::Core`]); each edit calls `Panel::update` once.

mod measures;
mod models;
mod results;
mod state;

use kizuna_shared::api::scoring_data::ScoringDataQuery;
use kizuna_shared::api::ModelStatus;
use kizuna_shared::domain::Capability;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::form::ErrorAlert;
use crate::i18n::*;
use crate::session::use_session;
use state::{forget_draft, store_draft, stored_draft, StoredDraft, Wb};

/// The workbench page: waits for the session, then builds the workbench.
#[component]
pub fn WorkbenchPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let body = move || {
        let user = session.user.get()?;
        let editable = user.principal().may(Capability::ManageHealth);
        Some(view! { <Workbench editable=editable user_id=user.id user_name=user.name.clone() /> })
    };
    view! {
        <section class="page workbench" data-testid="workbench">
            <h1>{tr!(i18n, workbench.title)}</h1>
            <p class="lead">{tr!(i18n, workbench.lead)}</p>
            {body}
        </section>
    }
}

/// Loads the models and signals, then the data; wires the live update.
#[component]
fn Workbench(editable: bool, user_id: i64, user_name: String) -> impl IntoView {
    let i18n = use_i18n();
    let today = chrono::Local::now().date_naive();
    let wb = Wb::new(editable, user_id, today);
    provide_context(wb);
    let load_error = RwSignal::new(None);
    let loaded = RwSignal::new(false);

    // Models and signals; the user's draft (localStorage first, then the
    // server draft) or the published model.
    let load = move |fresh: bool| {
        let user_name = user_name.clone();
        spawn_local(async move {
            let signals = crate::api::signal_definitions().await;
            let versions = crate::api::health_models().await;
            let (signals, versions) = match (signals, versions) {
                (Ok(s), Ok(v)) => (s, v),
                (Err(e), _) | (_, Err(e)) => {
                    load_error.set(Some(e));
                    return;
                }
            };
            let published = versions.iter().find(|v| v.current).cloned();
            let base = published.as_ref().map_or(0, |p| p.id);
            let key = wb.storage_key(base);
            if fresh {
                forget_draft(&key);
            }
            let server_draft = versions
                .iter()
                .filter(|v| {
                    v.status == ModelStatus::Draft
                        && v.author == user_name
                        && v.based_on == published.as_ref().map(|p| p.id)
                })
                .max_by_key(|v| v.updated_at)
                .cloned();
            let (model, saved) = match (
                editable.then(|| stored_draft(&key)).flatten(),
                &server_draft,
            ) {
                (Some(d), _) => (d.model, d.saved),
                (None, Some(d)) if editable => (
                    d.model.clone(),
                    Some(state::SavedDraft {
                        id: d.id,
                        version: d.version,
                    }),
                ),
                _ => (
                    published
                        .as_ref()
                        .map(|p| p.model.clone())
                        .unwrap_or_else(|| wb.model.get_untracked()),
                    None,
                ),
            };
            wb.signals.set(signals);
            wb.versions.set(versions);
            wb.published.set(published);
            wb.saved.set(saved);
            wb.reset(model);
            load_error.set(None);
            loaded.set(true);
            // A reload after a conflict: the base may have changed.
            wb.data_gen.update(|_| {});
            refetch(wb);
        });
    };
    let load_first = load.clone();
    load_first(false);
    provide_context(Reloader(StoredValue::new(std::sync::Arc::new(move || {
        load(true)
    }))));

    // Refetch the data when the trend lags the draft needs change.
    let lags = Memo::new(move |_| wb.model.with(Wb::lags));
    Effect::new(move |prev: Option<Vec<u32>>| {
        let l = lags.get();
        if prev.is_some_and(|p| p != l) && loaded.get_untracked() {
            refetch(wb);
        }
        l
    });

    // The live update: every draft change (and new data) is one Panel::update.
    Effect::new(move |_| {
        wb.data_gen.track();
        wb.model.with(|m| wb.recompute(m));
    });

    // The draft survives a reload.
    Effect::new(move |_| {
        let model = wb.model.get();
        let saved = wb.saved.get();
        if !editable || !loaded.get_untracked() {
            return;
        }
        let base = wb
            .published
            .with_untracked(|p| p.as_ref().map_or(0, |p| p.id));
        store_draft(&wb.storage_key(base), &StoredDraft { model, saved });
    });

    // Ctrl/Cmd+Z undoes, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redoes, except while
    // typing in a text field (the browser's own undo works there).
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        let typing = ev
            .target()
            .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
            .is_some_and(|i| matches!(i.type_().as_str(), "text" | "search" | "date"));
        if typing {
            return;
        }
        match (ev.key().to_lowercase().as_str(), ev.shift_key()) {
            ("z", false) => {
                ev.prevent_default();
                wb.undo();
            }
            ("z", true) | ("y", false) => {
                ev.prevent_default();
                wb.redo();
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    view! {
        {move || load_error.get().map(|e| view! { <ErrorAlert error=e /> })}
        <Show when=move || loaded.get() fallback=move || view! { <p class="muted">{tr!(i18n, loading)}</p> }>
            <models::Toolbar />
            <div class="workbench-grid">
                <div class="workbench-col">
                    <measures::MeasuresEditor />
                </div>
                <div class="workbench-col">
                    <results::Results />
                    <results::Backtest />
                </div>
            </div>
            <models::Versions />
        </Show>
    }
}

/// Reloads models and signals from the server, dropping the local draft
/// (after a conflict).
#[derive(Clone, Copy)]
struct Reloader(StoredValue<std::sync::Arc<dyn Fn() + Send + Sync>>);

impl Reloader {
    fn run(&self) {
        self.0.with_value(|f| f());
    }
}

/// Fetches the scoring data for the as-of date, window and lags in use.
fn refetch(wb: Wb) {
    let query = ScoringDataQuery {
        as_of: wb.as_of.get_untracked(),
        window_days: wb.window_days.get_untracked(),
        lags: {
            let lags = wb.model.with_untracked(Wb::lags);
            (!lags.is_empty()).then(|| {
                lags.iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            })
        },
    };
    wb.fetching.set(true);
    spawn_local(async move {
        let started = state::now();
        match crate::api::scoring_data(&query).await {
            Ok(data) => {
                wb.load_ms.set(Some(state::now() - started));
                wb.data_error.set(None);
                wb.load_data(data);
            }
            Err(e) => wb.data_error.set(Some(e)),
        }
        wb.fetching.set(false);
    });
}
