//! Surveys: the list (`/surveys`) and, for managers, creating
//! (`/surveys/new`) and editing (`/surveys/:id/edit`) one: kind, name, the
//! question and follow-up in English and Japanese, opening dates, archiving.
//! The form checks its input with the same `SurveyInput::validate()` as the
//! server.

use crate::api::ApiError;
use crate::components::form::{ErrorAlert, FormAlert, FormErrors, TextField};
use crate::components::labels::{survey_kind_label, survey_state_label};
use crate::components::texts::show;
use crate::components::texts::TextsField;
use crate::format;
use crate::i18n::*;
use crate::session::{can_survey, use_session};
use kizuna_shared::api::{Survey, SurveyInput, SurveyQuery, SurveyState, Texts, UpdateSurvey};
use kizuna_shared::domain::SurveyKind;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

/// The survey form's words for a field the shared rules (or the server)
/// refused.
fn survey_field_message(i18n: leptos_i18n::I18nContext<Locale>, field: &str) -> String {
    match field {
        "name" => t_string!(i18n, error_survey_name).to_string(),
        "question" => t_string!(i18n, error_survey_question).to_string(),
        "follow_up" => t_string!(i18n, error_survey_follow_up).to_string(),
        "closes_on" => t_string!(i18n, error_closes_on).to_string(),
        _ => t_string!(i18n, error_date).to_string(),
    }
}

/// The survey list (`/surveys`).
#[component]
pub fn SurveysPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let archived = RwSignal::new(false);
    let surveys = LocalResource::new(move || {
        let archived = archived.get();
        let query = SurveyQuery {
            per_page: Some(200),
            archived: Some(archived),
            ..SurveyQuery::default()
        };
        async move { crate::api::surveys(&query).await }
    });
    let rows = move || {
        surveys.get().map(|result| match result {
            Err(err) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
            Ok(page) if page.items.is_empty() => view! {
                <div class="empty-state">
                    <p class="empty-title">{tr!(i18n, no_surveys)}</p>
                    <p>{tr!(i18n, no_surveys_hint)}</p>
                </div>
            }
            .into_any(),
            Ok(page) => {
                let locale = i18n.get_locale();
                let manage = session.can_manage();
                let rows = page
                    .items
                    .into_iter()
                    .map(|s| {
                        let dates = match (s.opens_on, s.closes_on) {
                            (None, None) => t_string!(i18n, no_end).to_string(),
                            (o, c) => format!(
                                "{} – {}",
                                o.map(|d| format::date(d, locale)).unwrap_or_default(),
                                c.map(|d| format::date(d, locale)).unwrap_or_default()
                            ),
                        };
                        let state_class = match s.state {
                            SurveyState::Open => "pill pill-active",
                            _ => "pill pill-neutral",
                        };
                        view! {
                            <tr>
                                <th scope="row"><a href=format!("/surveys/{}", s.id)>{s.name.clone()}</a>
                                    <span class="muted small block">{show(&s.question, locale)}</span></th>
                                <td>{survey_kind_label(i18n, s.kind)}</td>
                                <td><span class=state_class>{survey_state_label(i18n, s.state)}</span></td>
                                <td class="nowrap">{dates}</td>
                                <td class="num">{format::count(s.responses, locale)}</td>
                                <td class="num">{format::count(s.open_links, locale)}</td>
                                <td>{manage.then(|| view! {
                                    <a href=format!("/surveys/{}/edit", s.id)>{tr!(i18n, edit)}</a>
                                })}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="surveys-table">
                            <thead><tr>
                                <th scope="col">{tr!(i18n, col_survey)}</th>
                                <th scope="col">{tr!(i18n, col_kind)}</th>
                                <th scope="col">{tr!(i18n, col_status)}</th>
                                <th scope="col">{tr!(i18n, col_dates)}</th>
                                <th scope="col" class="num">{tr!(i18n, col_answers)}</th>
                                <th scope="col" class="num">{tr!(i18n, col_open_links)}</th>
                                <th scope="col"><span class="visually-hidden">{tr!(i18n, actions)}</span></th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
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
                <h1>{tr!(i18n, surveys_title)}</h1>
                <p class="lead">{tr!(i18n, surveys_lead)}</p>
            </div>
            <div class="page-actions">
                <Show when=can_survey>
                    <a class="button" href="/surveys/record" data-testid="record-answer">{tr!(i18n, record_answer)}</a>
                </Show>
                <Show when=move || session.can_manage()>
                    <a class="button button-primary" href="/surveys/new" data-testid="new-survey">{tr!(i18n, new_survey)}</a>
                </Show>
            </div>
        </div>
        <label class="check filters">
            <input type="checkbox" prop:checked=archived on:change=move |ev| archived.set(event_target_checked(&ev)) />
            {tr!(i18n, show_archived)}
        </label>
        <section class="card">
            {move || rows().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </section>
    }
}

/// `/surveys/new`.
#[component]
pub fn NewSurveyPage() -> impl IntoView {
    view! { <SurveyForm survey=None /> }
}

/// `/surveys/:id/edit`.
#[component]
pub fn EditSurveyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let survey = LocalResource::new(move || {
        let id = params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
        crate::api::survey(id.unwrap_or(0))
    });
    move || match survey.get() {
        None => view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any(),
        Some(Err(err)) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
        Some(Ok(s)) => view! { <SurveyForm survey=Some(s) /> }.into_any(),
    }
}

#[component]
fn SurveyForm(survey: Option<Survey>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let editing = survey.clone();
    let answered = survey.as_ref().is_some_and(|s| s.responses > 0);
    let kind = RwSignal::new(survey.as_ref().map_or(SurveyKind::Nps, |s| s.kind));
    let name = RwSignal::new(survey.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let question = RwSignal::new(survey.as_ref().map(|s| s.question.clone()).unwrap_or_else(
        || {
            Texts::new(
                "How likely are you to recommend us to a friend or colleague?",
                "当社を友人や同僚にすすめる可能性はどのくらいありますか？",
            )
        },
    ));
    let follow_up = RwSignal::new(survey.as_ref().map(|s| s.follow_up.clone()).unwrap_or_else(
        || {
            Texts::new(
                "What is the main reason for your score?",
                "その点数をつけた一番の理由を教えてください。",
            )
        },
    ));
    let date_text = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let opens = RwSignal::new(date_text(survey.as_ref().and_then(|s| s.opens_on)));
    let closes = RwSignal::new(date_text(survey.as_ref().and_then(|s| s.closes_on)));
    let archived = RwSignal::new(survey.as_ref().is_some_and(|s| s.archived));
    let errors = FormErrors::new(survey_field_message);
    let save = Action::new_local(move |input: &SurveyInput| {
        let input = input.clone();
        let editing = editing.clone();
        let archived = archived.get_untracked();
        async move {
            match editing {
                Some(s) => {
                    let body = UpdateSurvey {
                        survey: input,
                        archived,
                        version: s.version,
                    };
                    crate::api::update_survey(s.id, &body).await
                }
                None => crate::api::create_survey(&input).await,
            }
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(s)) => navigate(&format!("/surveys/{}", s.id), NavigateOptions::default()),
        Some(Err(ApiError::Problem(mut p))) => {
            // Field names of an edit are nested under `survey.`.
            for e in &mut p.errors {
                e.field = e.field.trim_start_matches("survey.").to_owned();
            }
            errors.fail(ApiError::Problem(p));
        }
        Some(Err(err)) => errors.fail(err),
        None => {}
    });
    let date = |s: String| s.parse::<chrono::NaiveDate>().ok();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = SurveyInput {
            kind: kind.get_untracked(),
            name: name.get_untracked().trim().to_owned(),
            question: question.get_untracked().trimmed(),
            follow_up: follow_up.get_untracked().trimmed(),
            opens_on: date(opens.get_untracked()),
            closes_on: date(closes.get_untracked()),
        };
        if errors.validate(&input) {
            save.dispatch(input);
        }
    };
    let title = if survey.is_some() {
        t_string!(i18n, edit_survey)
    } else {
        t_string!(i18n, new_survey)
    };
    let kind_choice = move |k: SurveyKind, hint: &'static str| {
        view! {
            <label class="check">
                <input type="radio" name="kind" value=k.as_str() disabled=answered
                    prop:checked=move || kind.get() == k on:change=move |_| kind.set(k) />
                {move || survey_kind_label(i18n, k)} <span class="muted small">{hint}</span>
            </label>
        }
    };
    view! {
        <p class="breadcrumb"><a href="/surveys">"← " {tr!(i18n, surveys_title)}</a></p>
        <h1>{title}</h1>
        <FormAlert errors summary=true />
        <form class="form card" on:submit=submit novalidate=true>
            <fieldset>
                <legend>{tr!(i18n, field_kind)}</legend>
                <div class="checks">
                    {kind_choice(SurveyKind::Nps, "0–10")}
                    {kind_choice(SurveyKind::Csat, "1–5")}
                </div>
                {answered.then(|| view! { <p class="small muted">{tr!(i18n, kind_fixed)}</p> })}
            </fieldset>
            <TextField errors field="name" id="survey-name"
                label=tr_signal!(i18n, field_survey_name)
                value=name set=Callback::new(move |v| name.set(v)) required=true />
            <TextsField id="question".into() label=tr_signal!(i18n, field_question)
                value=question multiline=true error=Signal::derive(errors.text("question")) />
            <TextsField id="follow-up".into() label=tr_signal!(i18n, field_follow_up)
                value=follow_up multiline=true error=Signal::derive(errors.text("follow_up")) />
            <div class="form-grid">
                <div class="field">
                    <label for="opens-on">{tr!(i18n, field_opens_on)}</label>
                    <input id="opens-on" type="date" prop:value=opens aria-invalid=errors.invalid("opens_on")
                        aria-describedby="opens-on-error" on:input=move |ev| opens.set(event_target_value(&ev)) />
                    {errors.under("opens_on", "opens-on-error")}
                </div>
                <div class="field">
                    <label for="closes-on">{tr!(i18n, field_closes_on)}</label>
                    <input id="closes-on" type="date" prop:value=closes aria-invalid=errors.invalid("closes_on")
                        aria-describedby="closes-on-error" on:input=move |ev| closes.set(event_target_value(&ev)) />
                    {errors.under("closes_on", "closes-on-error")}
                </div>
            </div>
            {survey.is_some().then(|| view! {
                <label class="check">
                    <input type="checkbox" prop:checked=archived on:change=move |ev| archived.set(event_target_checked(&ev)) />
                    {tr!(i18n, archive_survey)}
                </label>
            })}
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled=move || save.pending().get()>{tr!(i18n, save)}</button>
                <a class="button button-quiet" href="/surveys">{tr!(i18n, cancel)}</a>
            </div>
        </form>
    }
}
