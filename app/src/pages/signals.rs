//! The signals page (`/signals`): what every usage signal means — the six
//! built-in ones and the team's own — in both languages. Managers and
//! admins add signals, edit them and retire them (a retired signal keeps
//! its history and is listed apart; it can be brought back); other roles
//! read. [`SignalForm`] is also the import wizard's "define this column".

use crate::api::ApiError;
use crate::components::form::{Conflict, ErrorAlert, FormAlert, FormErrors, TextField};
use crate::components::labels::signal_label;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{NewSignal, SignalDefinition, SignalKind, SignalUpdate};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;

/// The form's words for a field the shared rules or the server rejected.
fn field_message(i18n: I18nContext<Locale>, field: &str) -> String {
    match field {
        "key" => t_string!(i18n, signals.error_key).to_string(),
        "label" => t_string!(i18n, error_required_text).to_string(),
        "label_ja" => t_string!(i18n, error_text).to_string(),
        "unit" => t_string!(i18n, signals.error_unit).to_string(),
        "description" => t_string!(i18n, signals.error_description).to_string(),
        _ => t_string!(i18n, error_text).to_string(),
    }
}

/// A key suggested for a column header: the header itself when it is a
/// valid key, otherwise its ASCII letters and digits in lower case joined
/// by `_` (empty when nothing is left, e.g. a Japanese header).
pub fn suggest_key(header: &str) -> String {
    let mut key = String::new();
    for c in header.trim().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    let key = key.trim_end_matches('_');
    let key = key.trim_start_matches(|c: char| c.is_ascii_digit() || c == '_');
    key.chars()
        .take(kizuna_shared::api::MAX_SIGNAL_KEY)
        .collect::<String>()
        .trim_end_matches('_')
        .to_owned()
}

/// What the form edits: every field of a definition as typed.
#[derive(Debug, Clone, PartialEq, Default)]
struct Draft {
    key: String,
    label: String,
    label_ja: String,
    unit: String,
    description: String,
    higher_is_better: bool,
    kind: SignalKind,
}

impl Draft {
    fn of(signal: &SignalDefinition) -> Self {
        Draft {
            key: signal.key.clone(),
            label: signal.label.clone(),
            label_ja: signal.label_ja.clone().unwrap_or_default(),
            unit: signal.unit.clone(),
            description: signal.description.clone(),
            higher_is_better: signal.higher_is_better,
            kind: signal.kind,
        }
    }

    fn label_ja(&self) -> Option<String> {
        let ja = self.label_ja.trim();
        (!ja.is_empty()).then(|| ja.to_owned())
    }

    fn new_signal(&self) -> NewSignal {
        NewSignal {
            key: self.key.trim().to_owned(),
            label: self.label.trim().to_owned(),
            label_ja: self.label_ja(),
            unit: self.unit.trim().to_owned(),
            description: self.description.trim().to_owned(),
            higher_is_better: self.higher_is_better,
            kind: self.kind,
        }
    }

    fn update(&self) -> SignalUpdate {
        SignalUpdate {
            label: self.label.trim().to_owned(),
            label_ja: self.label_ja(),
            unit: self.unit.trim().to_owned(),
            description: self.description.trim().to_owned(),
            higher_is_better: self.higher_is_better,
            kind: Some(self.kind),
            retired: None,
        }
    }
}

/// Adds a signal (`existing` is `None`; `key` and `label` pre-fill it) or
/// edits one. Checks the shared rules before sending and marks the fields
/// the server refuses; `saved` gets the stored definition.
#[component]
pub fn SignalForm(
    /// The signal to edit; `None` adds one.
    existing: Option<SignalDefinition>,
    /// A key to start from (a new signal).
    #[prop(optional)]
    key: String,
    /// An English label to start from (a new signal).
    #[prop(optional)]
    label: String,
    /// A Japanese label to start from (a new signal).
    #[prop(optional)]
    label_ja: String,
    /// Prefix of the inputs' ids (two forms may share a page).
    id: &'static str,
    saved: Callback<SignalDefinition>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editing = existing.clone();
    let draft = RwSignal::new(existing.as_ref().map_or_else(
        || Draft {
            key,
            label,
            label_ja,
            higher_is_better: true,
            ..Draft::default()
        },
        Draft::of,
    ));
    let errors = FormErrors::new(field_message, Conflict::SignalKeyTaken);
    let busy = RwSignal::new(false);
    let is_new = editing.is_none();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let d = draft.get_untracked();
        let editing = editing.clone();
        match &editing {
            None if !errors.validate(&d.new_signal()) => return,
            Some(_) if !errors.validate(&d.update()) => return,
            _ => {}
        }
        busy.set(true);
        spawn_local(async move {
            let result = match editing {
                None => crate::api::create_signal(&d.new_signal()).await,
                Some(s) => crate::api::update_signal(&s.key, &d.update()).await,
            };
            busy.set(false);
            if let Some(signal) = errors.take(result) {
                saved.run(signal);
            }
        });
    };
    let ids = move |field: &str| format!("{id}-{field}");
    let field = |name: &'static str,
                 label: Signal<String>,
                 f: fn(&mut Draft, String),
                 get: fn(&Draft) -> String,
                 input_id: &'static str| {
        view! {
            <TextField errors field=name id=input_id label
                value=Signal::derive(move || draft.with(get))
                set=Callback::new(move |v: String| draft.update(|d| f(d, v))) />
        }
    };
    // `TextField` takes static ids: the page's form and the wizard's form
    // have their own sets.
    let [key_id, label_id, label_ja_id, unit_id] = if id == "wizard-signal" {
        [
            "wizard-signal-key",
            "wizard-signal-label",
            "wizard-signal-label-ja",
            "wizard-signal-unit",
        ]
    } else {
        [
            "signal-key",
            "signal-label",
            "signal-label-ja",
            "signal-unit",
        ]
    };
    view! {
        <form class="form signal-form" data-testid="signal-form" on:submit=submit novalidate>
            <FormAlert errors />
            <div class="form-grid">
                {if is_new {
                    field("key", tr_signal!(i18n, signals.field_key), |d, v| d.key = v, |d| d.key.clone(), key_id).into_any()
                } else {
                    view! {
                        <div class="field">
                            <span class="field-label">{tr!(i18n, signals.field_key)}</span>
                            <code data-testid="signal-key">{move || draft.with(|d| d.key.clone())}</code>
                        </div>
                    }.into_any()
                }}
                {field("label", tr_signal!(i18n, signals.field_label), |d, v| d.label = v, |d| d.label.clone(), label_id)}
                {field("label_ja", tr_signal!(i18n, signals.field_label_ja), |d, v| d.label_ja = v, |d| d.label_ja.clone(), label_ja_id)}
                {field("unit", tr_signal!(i18n, signals.field_unit), |d, v| d.unit = v, |d| d.unit.clone(), unit_id)}
                <div class="field">
                    <label for=ids("kind")>{tr!(i18n, signals.field_kind)}</label>
                    <select id=ids("kind") data-testid="signal-kind"
                        on:change=move |ev| if let Ok(k) = event_target_value(&ev).parse() { draft.update(|d| d.kind = k) }>
                        {SignalKind::ALL.iter().copied().map(|k| view! {
                            <option value=k.as_str() selected=move || draft.with(|d| d.kind == k)>{move || kind_label(i18n, k)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <fieldset class="field">
                    <legend>{tr!(i18n, signals.field_direction)}</legend>
                    <label class="check">
                        <input type="radio" name=ids("direction") value="higher" data-testid="direction-higher"
                            prop:checked=move || draft.with(|d| d.higher_is_better)
                            on:change=move |_| draft.update(|d| d.higher_is_better = true) />
                        {tr!(i18n, signals.higher_is_better)}
                    </label>
                    <label class="check">
                        <input type="radio" name=ids("direction") value="lower" data-testid="direction-lower"
                            prop:checked=move || draft.with(|d| !d.higher_is_better)
                            on:change=move |_| draft.update(|d| d.higher_is_better = false) />
                        {tr!(i18n, signals.lower_is_better)}
                    </label>
                </fieldset>
                <div class="field field-wide">
                    <label for=ids("description")>{tr!(i18n, signals.field_description)}</label>
                    <textarea id=ids("description") name="description" rows="2"
                        aria-invalid=errors.invalid("description") aria-describedby=ids("description-error")
                        prop:value=move || draft.with(|d| d.description.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.description = v); }></textarea>
                    {errors.under("description", ids("description-error"))}
                </div>
            </div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" data-testid="save-signal" disabled=move || busy.get()>
                    {move || if is_new { t_string!(i18n, signals.add) } else { t_string!(i18n, signals.save) }}
                </button>
                <button type="button" class="button button-quiet" on:click=move |_| cancel.run(())>{tr!(i18n, cancel)}</button>
            </div>
        </form>
    }
}

/// The translated name of a signal kind.
pub fn kind_label(i18n: I18nContext<Locale>, kind: SignalKind) -> String {
    match kind {
        SignalKind::Number => t_string!(i18n, signals.kind_number).to_string(),
        SignalKind::YesNo => t_string!(i18n, signals.kind_yes_no).to_string(),
    }
}

/// What the page's form is doing.
#[derive(Debug, Clone, PartialEq)]
enum Editing {
    None,
    New,
    Signal(SignalDefinition),
}

/// The signals page.
#[component]
pub fn SignalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let manager = move || {
        session
            .role()
            .is_some_and(kizuna_shared::domain::can_manage_health)
    };
    let signals = LocalResource::new(crate::api::signal_definitions);
    let editing = RwSignal::new(Editing::None);
    let action_error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let saved = Callback::new(move |s: SignalDefinition| {
        editing.set(Editing::None);
        let label = signal_label(i18n.get_locale_untracked(), &s);
        notice.set(Some(
            t_string!(i18n, signals.saved, label = label).to_string(),
        ));
        signals.refetch();
    });
    let cancel = Callback::new(move |()| editing.set(Editing::None));
    let set_retired = Callback::new(move |(signal, retired): (SignalDefinition, bool)| {
        if retired {
            let label = signal_label(i18n.get_locale_untracked(), &signal);
            let question = t_string!(i18n, signals.retire_confirm, label = label).to_string();
            let confirmed = web_sys::window()
                .and_then(|w| w.confirm_with_message(&question).ok())
                .unwrap_or(false);
            if !confirmed {
                return;
            }
        }
        action_error.set(None);
        notice.set(None);
        spawn_local(async move {
            match crate::api::set_signal_retired(&signal, retired).await {
                Ok(_) => signals.refetch(),
                Err(err) => action_error.set(Some(err)),
            }
        });
    });

    let table = move |retired: bool| {
        signals.get().map(|result| match result {
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
            Ok(list) => {
                let locale = i18n.get_locale();
                let rows: Vec<SignalDefinition> =
                    list.into_iter().filter(|s| s.retired == retired).collect();
                if rows.is_empty() {
                    return view! { <p class="muted">{if retired { tr!(i18n, signals.none_retired).into_any() } else { tr!(i18n, signals.none).into_any() }}</p> }.into_any();
                }
                let testid = if retired { "signals-retired" } else { "signals-active" };
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid=testid>
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(i18n, signals.col_signal)}</th>
                                    <th scope="col">{tr!(i18n, signals.field_unit)}</th>
                                    <th scope="col">{tr!(i18n, signals.field_kind)}</th>
                                    <th scope="col">{tr!(i18n, signals.col_direction)}</th>
                                    <th scope="col">{tr!(i18n, signals.field_description)}</th>
                                    <Show when=manager><th scope="col"><span class="visually-hidden">{tr!(i18n, signals.col_actions)}</span></th></Show>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|s| signal_row(i18n, locale, s, retired, manager, editing, set_retired)).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        })
    };

    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, signals.title)}</h1>
                <p class="lead">{tr!(i18n, signals.lead)}</p>
            </div>
            <div class="page-actions">
                <Show when=move || manager() && editing.with(|e| *e == Editing::None)>
                    <button type="button" class="button button-primary" data-testid="new-signal"
                        on:click=move |_| { notice.set(None); editing.set(Editing::New) }>
                        {tr!(i18n, signals.add_title)}
                    </button>
                </Show>
            </div>
        </div>
        <Show when=move || !manager()>
            <p class="alert alert-info" data-testid="signals-read-only">{tr!(i18n, signals.read_only)}</p>
        </Show>
        {move || notice.get().map(|text| view! { <p class="alert alert-success" role="status" data-testid="signal-saved">{text}</p> })}
        {move || action_error.get().map(|error| view! { <ErrorAlert error conflict=Conflict::SignalInModel /> })}
        {move || match editing.get() {
            Editing::None => None,
            Editing::New => Some(view! {
                <section class="card section" aria-labelledby="signal-form-heading">
                    <h2 id="signal-form-heading">{tr!(i18n, signals.add_title)}</h2>
                    <SignalForm existing=None id="signal" saved cancel />
                </section>
            }.into_any()),
            Editing::Signal(s) => {
                let label = signal_label(i18n.get_locale_untracked(), &s);
                Some(view! {
                    <section class="card section" aria-labelledby="signal-form-heading">
                        <h2 id="signal-form-heading">{t!(i18n, signals.edit_title, label = label)}</h2>
                        <SignalForm existing=Some(s) id="signal" saved cancel />
                    </section>
                }.into_any())
            }
        }}
        <section class="card section" aria-labelledby="signals-active-heading" aria-live="polite">
            <h2 id="signals-active-heading">{tr!(i18n, signals.active_title)}</h2>
            {move || table(false).unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </section>
        <section class="card section" aria-labelledby="signals-retired-heading">
            <h2 id="signals-retired-heading">{tr!(i18n, signals.retired_title)}</h2>
            <p class="muted">{tr!(i18n, signals.retired_lead)}</p>
            {move || table(true)}
        </section>
    }
}

fn signal_row(
    i18n: I18nContext<Locale>,
    locale: Locale,
    s: SignalDefinition,
    retired: bool,
    manager: impl Fn() -> bool + Send + Sync + Copy + 'static,
    editing: RwSignal<Editing>,
    set_retired: Callback<(SignalDefinition, bool)>,
) -> impl IntoView {
    let label = signal_label(locale, &s);
    let other = match locale {
        Locale::ja => Some(s.label.clone()).filter(|l| *l != label),
        Locale::en => s.label_ja.clone(),
    };
    let direction = if s.higher_is_better {
        t_string!(i18n, signals.higher_is_better).to_string()
    } else {
        t_string!(i18n, signals.lower_is_better).to_string()
    };
    let key = s.key.clone();
    let row_key = s.key.clone();
    let edit_signal = s.clone();
    let retire_signal = s.clone();
    view! {
        <tr data-signal=row_key>
            <th scope="row">
                {label}
                {s.builtin.then(|| view! { " " <span class="pill pill-data">{tr!(i18n, signals.builtin)}</span> })}
                {other.map(|o| view! { <span class="muted small block" lang=if locale == Locale::en { "ja" } else { "en" }>{o}</span> })}
                <code class="muted small block">{key}</code>
            </th>
            <td>{s.unit.clone()}</td>
            <td>{kind_label(i18n, s.kind)}</td>
            <td>{direction}</td>
            <td class="small">{s.description.clone()}</td>
            <Show when=manager>
                {
                    let edit_signal = edit_signal.clone();
                    let retire_signal = retire_signal.clone();
                    view! {
                        <td class="nowrap">
                            {(!retired).then(|| {
                                let edit_signal = edit_signal.clone();
                                view! {
                                    <button type="button" class="button button-quiet" data-testid="edit-signal"
                                        on:click=move |_| editing.set(Editing::Signal(edit_signal.clone()))>{tr!(i18n, signals.edit)}</button>
                                }
                            })}
                            {
                                let retire_signal = retire_signal.clone();
                                view! {
                                    <button type="button" class=if retired { "button button-quiet" } else { "button button-danger" }
                                        data-testid=if retired { "restore-signal" } else { "retire-signal" }
                                        on:click=move |_| set_retired.run((retire_signal.clone(), !retired))>
                                        {if retired { tr!(i18n, signals.restore).into_any() } else { tr!(i18n, signals.retire).into_any() }}
                                    </button>
                                }
                            }
                        </td>
                    }
                }
            </Show>
        </tr>
    }
}
