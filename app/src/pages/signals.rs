//! The signals page (`/signals`): what every usage signal means — the six
//! built-in ones and the team's own — in both languages. Managers and
//! admins add signals, edit them and retire them (a retired signal keeps
//! its history and is listed apart; it can be brought back); other roles
//! read, through `components::signal_form::SignalForm` (also the import
//! wizard's "define this column").

use crate::api::ApiError;
use crate::components::form::ErrorAlert;
use crate::components::labels::{signal_kind_label, signal_label};
use crate::components::signal_form::SignalForm;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::SignalDefinition;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;

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
    let manager = move || session.may(kizuna_shared::domain::Capability::ManageHealth);
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
        {move || action_error.get().map(|error| view! { <ErrorAlert error /> })}
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
            <td>{signal_kind_label(i18n, s.kind)}</td>
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
