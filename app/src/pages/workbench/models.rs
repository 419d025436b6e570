//! Saving and publishing the draft, and the model versions: undo/redo,
//! "Save draft", "Publish" with a note (a stale publish shows the conflict
//! and offers to reload, overwriting nothing), the version history (author,
//! time, note) and the comparison of any two versions.

use kizuna_shared::api::{
    CompareQuery, HealthModelVersion, ModelComparison, ModelStatus, NewHealthModel, PublishModel,
    UpdateHealthModel,
};
use kizuna_shared::metrics::Band;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::state::{forget_draft, SavedDraft, Wb};
use super::Reloader;
use crate::api::ApiError;
use crate::components::form::{ErrorAlert, FormAlert, FormErrors};
use crate::components::labels::band_label;
use crate::format;
use crate::i18n::*;

/// Saves the draft: creates it the first time, then updates it at the
/// version read. A draft created on another base than the page's (a new
/// version was published meanwhile) is a conflict.
async fn save(wb: Wb, note: String) -> Result<SavedDraft, ApiError> {
    let model = wb.model.get_untracked();
    let name = wb
        .published
        .with_untracked(|p| p.as_ref().map(|p| p.name.clone()))
        .unwrap_or_else(|| "Health model".to_owned());
    let saved = match wb.saved.get_untracked() {
        Some(s) => {
            let v = crate::api::update_health_model(
                s.id,
                &UpdateHealthModel {
                    name,
                    model,
                    note,
                    version: s.version,
                },
            )
            .await?;
            SavedDraft {
                id: v.id,
                version: v.version,
            }
        }
        None => {
            let v = crate::api::create_health_model(&NewHealthModel { name, model, note }).await?;
            let base = wb.published.with_untracked(|p| p.as_ref().map(|p| p.id));
            let saved = SavedDraft {
                id: v.id,
                version: v.version,
            };
            wb.saved.set(Some(saved));
            if v.based_on != base {
                return Err(stale());
            }
            saved
        }
    };
    wb.saved.set(Some(saved));
    Ok(saved)
}

/// The conflict of a draft started on an older published version.
fn stale() -> ApiError {
    ApiError::Problem(kizuna_shared::api::Problem {
        type_: "about:blank".into(),
        title: "Conflict".into(),
        status: 409,
        code: kizuna_shared::api::ProblemCode::ModelPublished,
        detail: None,
        errors: Vec::new(),
    })
}

/// Undo/redo, save and publish.
#[component]
pub fn Toolbar() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let reloader = expect_context::<Reloader>();
    let errors = FormErrors::new(|i18n, field| match field {
        "note" => t_string!(i18n, workbench.note_invalid).to_string(),
        _ => t_string!(i18n, workbench.model_rejected).to_string(),
    });
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(false);
    let on_fail = move |e: ApiError| {
        conflict.set(e.status() == Some(409));
        errors.fail(e);
    };
    let save_click = move |_| {
        errors.clear();
        done.set(None);
        busy.set(true);
        spawn_local(async move {
            match save(wb, String::new()).await {
                Ok(_) => done.set(Some(t_string!(i18n, workbench.saved).to_string())),
                Err(e) => on_fail(e),
            }
            busy.set(false);
        });
    };
    let publish_click = move |_| {
        errors.clear();
        done.set(None);
        let input = PublishModel {
            version: 1,
            note: note.get_untracked(),
        };
        if !errors.validate(&input) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = async {
                let saved = save(wb, input.note.clone()).await?;
                crate::api::publish_health_model(
                    saved.id,
                    &PublishModel {
                        version: saved.version,
                        note: input.note,
                    },
                )
                .await
            }
            .await;
            match result {
                Ok(report) => {
                    let base = wb
                        .published
                        .with_untracked(|p| p.as_ref().map_or(0, |p| p.id));
                    forget_draft(&wb.storage_key(base));
                    let version = report.model.published_version.unwrap_or_default();
                    done.set(Some(
                        t_string!(i18n, workbench.published, version = version).to_string(),
                    ));
                    note.set(String::new());
                    reloader.run();
                }
                Err(e) => on_fail(e),
            }
            busy.set(false);
        });
    };
    let reload = move |_| {
        conflict.set(false);
        errors.clear();
        reloader.run();
    };
    let base_label = move || {
        wb.published.with(|p| {
            p.as_ref().map(|p| {
                let v = p.published_version.unwrap_or_default();
                if wb.editable {
                    t_string!(i18n, workbench.based_on, version = v).to_string()
                } else {
                    t_string!(i18n, workbench.viewing_version, version = v).to_string()
                }
            })
        })
    };
    view! {
        <div class="card wb-toolbar" data-testid="wb-toolbar">
            <p class="muted" data-testid="base-version">{base_label}</p>
            <Show when=move || wb.editable fallback=move || view! {
                <p class="muted" data-testid="read-only">{tr!(i18n, workbench.read_only)}</p>
            }>
                <div class="toolbar-row">
                    <button type="button" class="button button-quiet" data-testid="undo"
                        on:click=move |_| wb.undo() disabled=move || !wb.can_undo()
                        aria-keyshortcuts="Control+Z Meta+Z">{tr!(i18n, workbench.undo)}</button>
                    <button type="button" class="button button-quiet" data-testid="redo"
                        on:click=move |_| wb.redo() disabled=move || !wb.can_redo()
                        aria-keyshortcuts="Shift+Control+Z Shift+Meta+Z">{tr!(i18n, workbench.redo)}</button>
                    <button type="button" class="button" data-testid="save-draft"
                        on:click=save_click disabled=move || busy.get()>{tr!(i18n, workbench.save_draft)}</button>
                    <label for="wb-note">{tr!(i18n, workbench.note)}</label>
                    <input type="text" id="wb-note" maxlength="1000" data-testid="publish-note"
                        prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))
                        aria-invalid=errors.invalid("note") aria-describedby="wb-note-error" />
                    <button type="button" class="button button-primary" data-testid="publish"
                        on:click=publish_click disabled=move || busy.get()>{tr!(i18n, workbench.publish)}</button>
                </div>
                {errors.under("note", "wb-note-error")}
                {errors.under("model", "wb-model-error")}
                <FormAlert errors=errors />
                <Show when=move || conflict.get()>
                    <button type="button" class="button" data-testid="reload" on:click=reload>
                        {tr!(i18n, workbench.reload)}
                    </button>
                </Show>
                <p class="muted" role="status" data-testid="wb-status">{move || done.get()}</p>
            </Show>
        </div>
    }
}

/// The published versions and the comparison of two of them.
#[component]
pub fn Versions() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let published = Memo::new(move |_| {
        wb.versions.with(|v| {
            v.iter()
                .filter(|v| v.status == ModelStatus::Published)
                .cloned()
                .collect::<Vec<HealthModelVersion>>()
        })
    });
    let a = RwSignal::new(None::<i64>);
    let b = RwSignal::new(None::<i64>);
    let comparison = RwSignal::new(None::<Result<ModelComparison, ApiError>>);
    let pick = move |ev, target: RwSignal<Option<i64>>| {
        target.set(event_target_value(&ev).parse().ok());
    };
    let compare = move |_| {
        let (Some(a), Some(b)) = (a.get_untracked(), b.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            comparison.set(Some(
                crate::api::compare_health_models(&CompareQuery { a, b }).await,
            ));
        });
    };
    let options = move || {
        published.with(|p| {
            p.iter()
                .map(|v| {
                    let label = format!(
                        "v{} — {}",
                        v.published_version.unwrap_or_default(),
                        v.author
                    );
                    view! { <option value=v.id.to_string()>{label}</option> }
                })
                .collect_view()
        })
    };
    view! {
        <section class="card" aria-labelledby="wb-versions-title" data-testid="wb-versions">
            <h2 id="wb-versions-title">{tr!(i18n, workbench.versions)}</h2>
            <table class="data-table" data-testid="version-history">
                <thead><tr>
                    <th scope="col">{tr!(i18n, workbench.version)}</th>
                    <th scope="col">{tr!(i18n, workbench.author)}</th>
                    <th scope="col">{tr!(i18n, workbench.published_at)}</th>
                    <th scope="col">{tr!(i18n, workbench.note)}</th>
                </tr></thead>
                <tbody>
                    {move || {
                        let locale = i18n.get_locale();
                        published.get().into_iter().map(|v| {
                            let when = v.published_at.map(|t| format::datetime(t, locale)).unwrap_or_default();
                            let current = v.current.then(|| t_string!(i18n, workbench.current).to_string());
                            view! { <tr>
                                <th scope="row">{format!("v{}", v.published_version.unwrap_or_default())}" "
                                    {current.map(|c| view! { <span class="pill">{c}</span> })}</th>
                                <td>{v.author.clone()}</td>
                                <td>{when}</td>
                                <td>{v.note.clone()}</td>
                            </tr> }
                        }).collect_view()
                    }}
                </tbody>
            </table>
            <div class="measure-row">
                <label for="wb-compare-a">{tr!(i18n, workbench.compare_a)}</label>
                <select id="wb-compare-a" on:change=move |ev| pick(ev, a)>
                    <option value="">"—"</option>{options}
                </select>
                <label for="wb-compare-b">{tr!(i18n, workbench.compare_b)}</label>
                <select id="wb-compare-b" on:change=move |ev| pick(ev, b)>
                    <option value="">"—"</option>{options}
                </select>
                <button type="button" class="button" on:click=compare data-testid="compare"
                    disabled=move || a.get().is_none() || b.get().is_none()>{tr!(i18n, workbench.compare)}</button>
            </div>
            {move || comparison.get().map(|c| match c {
                Ok(c) => view! { <Comparison c=c /> }.into_any(),
                Err(e) => view! { <ErrorAlert error=e /> }.into_any(),
            })}
        </section>
    }
}

/// Weights side by side and band movements.
#[component]
fn Comparison(c: ModelComparison) -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let locale = i18n.get_locale_untracked();
    let signals = wb.signals.get_untracked();
    let share = move |v: Option<f64>| {
        v.map_or_else(|| "—".to_owned(), |v| format::percent(v * 100.0, locale))
    };
    let rows = c
        .weights
        .iter()
        .map(|w| {
            let trend = w.trend.clone().map(|t| format!(" ({t})")).unwrap_or_default();
            let name = format!(
                "{}{trend}",
                super::measures::signal_label(i18n, &signals, &w.signal)
            );
            view! { <tr><th scope="row">{name}</th><td class="num">{share(w.a)}</td><td class="num">{share(w.b)}</td></tr> }
        })
        .collect_view();
    let va = format!("v{}", c.a.published_version.unwrap_or_default());
    let vb = format!("v{}", c.b.published_version.unwrap_or_default());
    let matrix = Band::ALL
        .into_iter()
        .map(|from| {
            let cells = Band::ALL.map(|to| c.bands.matrix[from.index()][to.index()]);
            view! { <tr>
                <th scope="row">{band_label(i18n.get_locale(), from)}</th>
                {cells.into_iter().map(|n| view! { <td class="num">{format::count(n as u64, locale)}</td> }).collect_view()}
            </tr> }
        })
        .collect_view();
    let summary = t_string!(
        i18n,
        workbench.compare_summary,
        up = format::count(c.bands.improved as u64, locale),
        down = format::count(c.bands.worsened as u64, locale),
        date = format::date(c.as_of, locale)
    )
    .to_string();
    view! {
        <div data-testid="comparison">
            <table class="data-table">
                <caption>{tr!(i18n, workbench.weights_side_by_side)}</caption>
                <thead><tr><th scope="col">{tr!(i18n, workbench.measure)}</th><th scope="col">{va.clone()}</th><th scope="col">{vb.clone()}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <p>{summary}</p>
            <table class="data-table">
                <caption>{t!(i18n, workbench.band_movements, a = va, b = vb)}</caption>
                <thead><tr>
                    <td></td>
                    {Band::ALL.map(|b| view! { <th scope="col">{band_label(i18n.get_locale(), b)}</th> }).into_iter().collect_view()}
                </tr></thead>
                <tbody>{matrix}</tbody>
            </table>
        </div>
    }
}
