//! Recording an answer heard on a call (`/surveys/record?survey=&account=`):
//! the CSM picks the survey, the account (one of their own) and the contact,
//! the day of the call, the score and what the customer said. The answer is
//! stored as a proxy answer (channel `call`, entered by the CSM); a negative
//! one creates a follow-up task.

use crate::clock::today;
use crate::components::account_picker::AccountPicker;
use crate::components::form::{FormAlert, FormErrors};
use crate::components::labels::{group_label, survey_kind_label};
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{Account, FieldError, RecordAnswer, SurveyQuery, SurveyState};
use kizuna_shared::domain::ScoreGroup;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// The form's words for a field that is missing or that the shared rules
/// (or the server) refused.
fn answer_field_message(i18n: leptos_i18n::I18nContext<Locale>, field: &str) -> String {
    match field {
        "contact_id" => t_string!(i18n, error_answer_contact).to_string(),
        "answered_on" => t_string!(i18n, error_answered_on).to_string(),
        "comment" => t_string!(i18n, error_comment_long).to_string(),
        _ => t_string!(i18n, error_required).to_string(),
    }
}

/// The record-an-answer page.
#[component]
pub fn RecordAnswerPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let surveys = LocalResource::new(|| async {
        crate::api::surveys(&SurveyQuery {
            per_page: Some(200),
            ..SurveyQuery::default()
        })
        .await
    });
    let survey_id = RwSignal::new(
        query.with_untracked(|q| q.get("survey").and_then(|s| s.parse::<i64>().ok())),
    );
    let account = RwSignal::new(None::<(i64, String)>);
    if let Some(id) = query.with_untracked(|q| q.get("account").and_then(|s| s.parse::<i64>().ok()))
    {
        leptos::task::spawn_local(async move {
            if let Ok(a) = crate::api::account(id).await {
                account.set(Some((a.account.id, a.account.name)));
            }
        });
    }
    let contacts = LocalResource::new(move || {
        let id = account.get().map(|a| a.0);
        async move {
            match id {
                Some(id) => crate::api::account_contacts(id).await.unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });
    let contact = RwSignal::new(None::<i64>);
    let day = RwSignal::new(today().to_string());
    let score = RwSignal::new(None::<u8>);
    let comment = RwSignal::new(String::new());
    let errors = FormErrors::new(answer_field_message);
    let open_surveys = move || {
        surveys
            .get()
            .and_then(Result::ok)
            .map(|p| {
                p.items
                    .into_iter()
                    .filter(|s| s.state == SurveyState::Open)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let chosen = Memo::new(move |_| {
        let id = survey_id.get();
        open_surveys().into_iter().find(|s| Some(s.id) == id)
    });
    let own = Signal::derive(move || {
        // Account managers pick any account; everyone else their own.
        (!session.can_manage())
            .then(|| session.user.with(|u| u.as_ref().map(|u| u.id)))
            .flatten()
    });
    let save = Action::new_local(move |(survey, input): &(i64, RecordAnswer)| {
        let (survey, input) = (*survey, input.clone());
        async move { crate::api::record_answer(survey, &input).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(r)) => navigate(
            &format!("/surveys/{}?account={}", r.survey_id, r.account.id),
            NavigateOptions::default(),
        ),
        Some(Err(err)) => errors.fail(err),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        let missing = |field: &str| FieldError {
            field: field.into(),
            message: "required".into(),
        };
        let survey = survey_id.get_untracked();
        if survey.is_none() {
            problems.push(missing("survey"));
        }
        let account_id = account.get_untracked().map(|a| a.0);
        if account_id.is_none() {
            problems.push(missing("account_id"));
        }
        let picked = score.get_untracked();
        if picked.is_none() {
            problems.push(missing("score"));
        }
        let (Some(survey), Some(account_id), Some(picked)) = (survey, account_id, picked) else {
            errors.set_fields(problems);
            return;
        };
        let text = comment.get_untracked();
        let input = RecordAnswer {
            account_id,
            contact_id: contact.get_untracked(),
            score: picked,
            comment: (!text.trim().is_empty()).then(|| text.trim().to_owned()),
            answered_on: day.get_untracked().parse().ok(),
        };
        if errors.validate(&input) {
            save.dispatch((survey, input));
        }
    };
    let error = move |field: &'static str| errors.text(field);
    let scale = move || {
        chosen.get().map(|s| {
            let (min, max) = s.kind.score_range();
            let kind = s.kind;
            let choices = (min..=max).map(|n| {
                let group = ScoreGroup::of(kind, n).unwrap_or(ScoreGroup::Neutral);
                let label = format!("{n} – {}", group_label(i18n, kind, group));
                view! {
                    <label class=format!("score-choice score-{}", group.as_str()) title=label.clone()>
                        <input type="radio" name="score" value=n aria-label=label.clone()
                            prop:checked=move || score.get() == Some(n) on:change=move |_| score.set(Some(n)) />
                        <span>{n}</span>
                    </label>
                }
            }).collect_view();
            view! {
                <fieldset class="score-field" aria-describedby="score-error">
                    <legend>{tr!(i18n, field_score)} " (" {min} "–" {max} ")"</legend>
                    <div class="score-scale">{choices}</div>
                    <p class="field-error" id="score-error">{error("score")}</p>
                </fieldset>
            }
        })
    };
    view! {
        <p class="breadcrumb"><a href="/surveys">"← " {tr!(i18n, surveys_title)}</a></p>
        <h1>{tr!(i18n, record_answer)}</h1>
        <p class="lead">{tr!(i18n, record_answer_lead)}</p>
        <FormAlert errors summary=true />
        <form class="form card" on:submit=submit novalidate=true data-testid="record-form">
            <div class="field">
                <label for="answer-survey">{tr!(i18n, col_survey)}</label>
                <select id="answer-survey" on:change=move |ev| { survey_id.set(event_target_value(&ev).parse().ok()); score.set(None); }>
                    <option value="">{tr!(i18n, choose)}</option>
                    {move || open_surveys().into_iter().map(|s| {
                        let selected = survey_id.get_untracked() == Some(s.id);
                        view! { <option value=s.id.to_string() selected=selected>{s.name.clone()} " (" {survey_kind_label(i18n, s.kind)} ")"</option> }
                    }).collect_view()}
                </select>
                <p class="field-error">{error("survey")}</p>
            </div>
            {move || match account.get() {
                Some((_, name)) => view! {
                    <div class="field">
                        <span class="field-label">{tr!(i18n, col_account)}</span>
                        <p class="chosen" data-testid="chosen-account">{name} " "
                            <button type="button" class="button button-quiet" on:click=move |_| { account.set(None); contact.set(None); }>{tr!(i18n, change)}</button>
                        </p>
                    </div>
                }.into_any(),
                None => view! {
                    <AccountPicker id="answer-account" owner=own
                        on_pick=Callback::new(move |a: Account| account.set(Some((a.id, a.name)))) />
                    <p class="field-error">{error("account_id")}</p>
                }.into_any(),
            }}
            <div class="field">
                <label for="answer-contact">{tr!(i18n, col_contact)}</label>
                <select id="answer-contact" on:change=move |ev| contact.set(event_target_value(&ev).parse().ok())>
                    <option value="">{tr!(i18n, no_contact)}</option>
                    {move || contacts.get().unwrap_or_default().into_iter().map(|c| view! {
                        <option value=c.id.to_string()>{c.name}</option>
                    }).collect_view()}
                </select>
                <p class="field-error">{error("contact_id")}</p>
            </div>
            <div class="field">
                <label for="answer-day">{tr!(i18n, field_call_day)}</label>
                <input id="answer-day" type="date" prop:value=day on:input=move |ev| day.set(event_target_value(&ev)) />
                <p class="field-error">{error("answered_on")}</p>
            </div>
            {scale}
            <div class="field">
                <label for="answer-comment">{move || chosen.get().and_then(|s| {
                    let locale = i18n.get_locale();
                    s.follow_up.get(crate::components::texts::lang_of(locale)).map(str::to_owned)
                }).unwrap_or_else(|| t_string!(i18n, field_comment).to_string())}</label>
                <textarea id="answer-comment" rows="3" prop:value=comment on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <p class="field-error">{error("comment")}</p>
            </div>
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled=move || save.pending().get()>{tr!(i18n, save_answer)}</button>
            </div>
        </form>
    }
}
