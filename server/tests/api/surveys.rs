//! Surveys through the API: managers write them, CSMs record answers heard
//! on calls (flagged as proxy answers), negative answers create follow-up
//! tasks, the answer list filters, summarises (with the shared metrics) and
//! exports, and personal links are issued, listed and revoked.

use std::sync::Arc;

use kizuna_server::db::accounts::NewAccount;
use kizuna_shared::api::{
    IssuedLink, Page, ScoreStats, Survey, SurveyLink, SurveyResponse, SurveySummary, Task,
    CSRF_HEADER,
};
use kizuna_shared::domain::{AnswerChannel, LinkStatus, Role, ScoreGroup, SurveyKind};
use reqwest::cookie::Jar;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use crate::helpers::{account, assert_problem, spawn_app, TestApp, PASSWORD};

/// A signed-in user with their own cookie jar.
pub struct User {
    pub id: i64,
    pub client: reqwest::Client,
    base: String,
}

impl User {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client.delete(self.url(path)).send().await.unwrap()
    }

    /// `GET path` decoded, asserting 200.
    pub async fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }
}

/// Creates a user of `role` named `name` and signs them in.
pub async fn sign_in(app: &TestApp, role: Role, name: &str) -> User {
    let email = format!("{}@surveys.kizuna", name.to_lowercase().replace(' ', "."));
    let id = app.create_user(&email, name, role);
    let mut headers = HeaderMap::new();
    headers.insert(CSRF_HEADER, HeaderValue::from_static("1"));
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::new(Jar::default()))
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "signing in {email}");
    User {
        id,
        client,
        base: app.address.clone(),
    }
}

/// Runs one SQL statement directly (to put the data in a state the API
/// cannot reach, e.g. an expired link).
pub fn execute(app: &TestApp, sql: &str) {
    use diesel::RunQueryDsl;
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(sql).execute(&mut conn).unwrap();
}

/// An account owned by `owner`.
pub fn owned_account(app: &TestApp, name: &str, mrr: i64, owner: i64) -> i64 {
    app.insert_account(&NewAccount {
        owner_id: Some(owner),
        ..account(name, mrr)
    })
}

/// Creates a survey of `kind` as `manager` and returns it.
pub async fn create_survey(manager: &User, kind: &str, name: &str) -> Survey {
    let response = manager
        .post(
            "/api/v1/surveys",
            &json!({
                "kind": kind,
                "name": name,
                "question": { "en": "How likely are you to recommend us?", "ja": "当社を友人や同僚にすすめる可能性はどのくらいありますか？" },
                "follow_up": { "en": "Why?", "ja": "その理由を教えてください。" },
            }),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// Records an answer as `user` and returns the response.
pub async fn record(
    user: &User,
    survey: i64,
    account: i64,
    score: u8,
    comment: Option<&str>,
) -> reqwest::Response {
    user.post(
        &format!("/api/v1/surveys/{survey}/responses"),
        &json!({ "account_id": account, "score": score, "comment": comment }),
    )
    .await
}

/// Issues one link per account and returns them.
pub async fn issue(user: &User, survey: i64, accounts: &[i64]) -> Vec<IssuedLink> {
    let targets: Vec<Value> = accounts
        .iter()
        .map(|a| json!({ "account_id": a }))
        .collect();
    let response = user
        .post(
            &format!("/api/v1/surveys/{survey}/links"),
            &json!({ "targets": targets }),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn managers_create_surveys_and_other_roles_cannot() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let exec = sign_in(&app, Role::Executive, "Eiji").await;
    let survey = create_survey(&manager, "nps", "Relationship NPS").await;
    assert_eq!(survey.kind, SurveyKind::Nps);
    assert_eq!(survey.responses, 0);
    assert_eq!(
        survey
            .question
            .ja
            .as_deref()
            .map(|q| q.contains("すすめる")),
        Some(true)
    );
    for user in [&csm, &exec] {
        let response = user
            .post(
                "/api/v1/surveys",
                &json!({ "kind": "csat", "name": "X", "question": { "en": "Q" } }),
            )
            .await;
        assert_problem(response, 403, "forbidden").await;
    }
    // Everyone reads.
    let page: Page<Survey> = exec.json("/api/v1/surveys").await;
    assert_eq!(page.total, 1);
    assert!(app.audit_kinds().contains(&"survey_created".to_owned()));
}

#[tokio::test]
async fn an_invalid_survey_is_refused_with_field_errors_and_nothing_is_stored() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let response = manager
        .post(
            "/api/v1/surveys",
            &json!({ "kind": "nps", "name": " ", "question": {},
                     "opens_on": "2026-05-01", "closes_on": "2026-04-01" }),
        )
        .await;
    let problem = assert_problem(response, 400, "validation_failed").await;
    let fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"name"), "{fields:?}");
    assert!(fields.contains(&"question"), "{fields:?}");
    assert!(fields.contains(&"closes_on"), "{fields:?}");
    let unknown = manager
        .post(
            "/api/v1/surveys",
            &json!({ "kind": "nps", "name": "N", "question": { "en": "Q" }, "color": "red" }),
        )
        .await;
    assert_problem(unknown, 400, "bad_request").await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM surveys"), 0);
}

#[tokio::test]
async fn a_survey_edit_needs_the_current_version_and_its_kind_is_fixed_once_answered() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let survey = create_survey(&manager, "nps", "Q2 NPS").await;
    let body = |version: i64, kind: &str| {
        json!({ "survey": { "kind": kind, "name": "Q2 NPS (renamed)", "question": { "en": "How likely…?" } },
                "archived": false, "version": version })
    };
    let path = format!("/api/v1/surveys/{}", survey.id);
    let renamed: Survey = manager
        .put(&path, &body(1, "nps"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.version),
        ("Q2 NPS (renamed)", 2)
    );
    assert_problem(
        manager.put(&path, &body(1, "nps")).await,
        409,
        "stale_version",
    )
    .await;
    // No answers yet: the kind may change; once answered it may not.
    let csat: Survey = manager
        .put(&path, &body(2, "csat"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(csat.kind, SurveyKind::Csat);
    let a = owned_account(&app, "Sakura KK", 100_000, manager.id);
    assert_eq!(record(&manager, survey.id, a, 4, None).await.status(), 201);
    let problem = assert_problem(
        manager.put(&path, &body(3, "nps")).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "survey.kind");
}

#[tokio::test]
async fn a_csm_records_an_answer_heard_on_a_call_and_it_is_flagged_as_a_proxy_answer() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let survey = create_survey(&manager, "nps", "Relationship NPS").await;
    let a = owned_account(&app, "Sakura KK", 100_000, csm.id);
    let contact = app.insert_contact(a, "Hina Sato");
    let response = csm
        .post(
            &format!("/api/v1/surveys/{}/responses", survey.id),
            &json!({ "account_id": a, "contact_id": contact, "score": 9, "comment": "Support is quick" }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let answer: SurveyResponse = response.json().await.unwrap();
    assert_eq!(answer.channel, AnswerChannel::Call);
    assert_eq!(answer.entered_by.as_ref().map(|u| u.id), Some(csm.id));
    assert_eq!(answer.group, ScoreGroup::Positive);
    assert_eq!(
        answer.contact.as_ref().map(|c| c.name.as_str()),
        Some("Hina Sato")
    );
    assert_eq!(answer.answered_on, chrono::Utc::now().date_naive());
    // Reports can separate proxy answers from direct ones.
    let calls: Page<SurveyResponse> = manager
        .json(&format!(
            "/api/v1/surveys/{}/responses?channel=call",
            survey.id
        ))
        .await;
    assert_eq!(calls.total, 1);
    let links: Page<SurveyResponse> = manager
        .json(&format!(
            "/api/v1/surveys/{}/responses?channel=link",
            survey.id
        ))
        .await;
    assert_eq!(links.total, 0);
    assert!(app
        .audit_kinds()
        .contains(&"survey_answer_recorded".to_owned()));
}

#[tokio::test]
async fn answers_are_refused_for_other_peoples_accounts_and_for_executives() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let other = sign_in(&app, Role::Csm, "Kenta").await;
    let exec = sign_in(&app, Role::Executive, "Eiji").await;
    let survey = create_survey(&manager, "nps", "NPS").await;
    let a = owned_account(&app, "Sakura KK", 100_000, csm.id);
    assert_problem(
        record(&other, survey.id, a, 9, None).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(record(&exec, survey.id, a, 9, None).await, 403, "forbidden").await;
    // The manager may record for any account.
    assert_eq!(record(&manager, survey.id, a, 9, None).await.status(), 201);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM survey_responses"), 1);
}

#[tokio::test]
async fn a_score_outside_the_surveys_range_is_400_and_stores_nothing() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let nps = create_survey(&manager, "nps", "NPS").await;
    let csat = create_survey(&manager, "csat", "CSAT").await;
    let a = owned_account(&app, "Sakura KK", 100_000, manager.id);
    for (survey, score) in [(nps.id, 11), (csat.id, 0), (csat.id, 6)] {
        let problem = assert_problem(
            record(&manager, survey, a, score, None).await,
            400,
            "validation_failed",
        )
        .await;
        assert_eq!(problem.errors[0].field, "score", "{survey} {score}");
    }
    // An unknown account or a contact of another account are field errors.
    let b = owned_account(&app, "Other KK", 100_000, manager.id);
    let contact_of_b = app.insert_contact(b, "Someone Else");
    let response = manager
        .post(
            &format!("/api/v1/surveys/{}/responses", nps.id),
            &json!({ "account_id": a, "contact_id": contact_of_b, "score": 8 }),
        )
        .await;
    let problem = assert_problem(response, 400, "validation_failed").await;
    assert_eq!(problem.errors[0].field, "contact_id");
    let future = manager
        .post(
            &format!("/api/v1/surveys/{}/responses", nps.id),
            &json!({ "account_id": a, "score": 8, "answered_on": "2999-01-01" }),
        )
        .await;
    assert_problem(future, 400, "validation_failed").await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM survey_responses"), 0);
}

#[tokio::test]
async fn a_detractor_answer_creates_a_follow_up_task_for_the_accounts_owner() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let nps = create_survey(&manager, "nps", "Relationship NPS").await;
    let csat = create_survey(&manager, "csat", "Support CSAT").await;
    let a = owned_account(&app, "Sakura KK", 100_000, csm.id);
    // Entered by the manager, the task still goes to the account's owner.
    let detractor: SurveyResponse = record(&manager, nps.id, a, 5, Some("Too slow"))
        .await
        .json()
        .await
        .unwrap();
    let task_id = detractor.task_id.expect("a detractor creates a task");
    // Passives, promoters and CSAT 3–5 create none; CSAT 1–2 does.
    for (survey, score, creates) in [
        (nps.id, 7, false),
        (nps.id, 10, false),
        (csat.id, 3, false),
        (csat.id, 2, true),
        (csat.id, 1, true),
    ] {
        let answer: SurveyResponse = record(&manager, survey, a, score, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(answer.task_id.is_some(), creates, "score {score}");
    }
    let tasks: Page<Task> = csm
        .json(&format!("/api/v1/tasks?account={a}&status=open"))
        .await;
    assert_eq!(tasks.total, 3);
    let task = tasks.items.iter().find(|t| t.id == task_id).unwrap();
    assert_eq!(task.owner.as_ref().map(|o| o.id), Some(csm.id));
    assert_eq!(task.response_id, Some(detractor.id));
    assert!(task.reason.contains("NPS 5/10"), "{}", task.reason);
    assert!(task.reason.contains("Too slow"), "{}", task.reason);
    assert_eq!(
        task.due_on,
        chrono::Utc::now().date_naive() + chrono::Days::new(3)
    );
    let mine: Page<Task> = csm.json(&format!("/api/v1/tasks?owner={}", csm.id)).await;
    assert_eq!(mine.total, 3);
}

#[tokio::test]
async fn tasks_are_marked_done_by_their_owner_or_a_manager_only() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let other = sign_in(&app, Role::Csm, "Kenta").await;
    let exec = sign_in(&app, Role::Executive, "Eiji").await;
    let nps = create_survey(&manager, "nps", "NPS").await;
    let a = owned_account(&app, "Sakura KK", 100_000, csm.id);
    let answer: SurveyResponse = record(&manager, nps.id, a, 0, None)
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/tasks/{}", answer.task_id.unwrap());
    for user in [&other, &exec] {
        assert_problem(
            user.patch(&path, &json!({ "status": "done" })).await,
            403,
            "forbidden",
        )
        .await;
    }
    let done: Task = csm
        .patch(&path, &json!({ "status": "done" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done.done_by.as_ref().map(|u| u.id), Some(csm.id));
    assert!(done.done_at.is_some());
    let open: Task = manager
        .patch(&path, &json!({ "status": "open" }))
        .await
        .json()
        .await
        .unwrap();
    assert!(open.done_at.is_none() && open.done_by.is_none());
    assert_problem(
        manager
            .patch("/api/v1/tasks/9999", &json!({ "status": "done" }))
            .await,
        404,
        "not_found",
    )
    .await;
    let problem = assert_problem(
        manager.patch(&path, &json!({ "status": "finished" })).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "status");
    let kinds = app.audit_kinds();
    assert!(kinds.contains(&"task_done".to_owned()) && kinds.contains(&"task_reopened".to_owned()));
}

#[tokio::test]
async fn a_task_is_changed_by_its_owner_or_the_accounts_owner_now() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let heir = sign_in(&app, Role::Csm, "Kenta").await;
    let stranger = sign_in(&app, Role::Csm, "Sora").await;
    let nps = create_survey(&manager, "nps", "NPS").await;
    let a = owned_account(&app, "Sakura KK", 100_000, csm.id);
    let answer: SurveyResponse = record(&manager, nps.id, a, 2, None)
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/tasks/{}", answer.task_id.unwrap());
    // The account goes to another CSM; the task stays with the first.
    app.execute(&format!(
        "UPDATE accounts SET owner_id = {} WHERE id = {a}",
        heir.id
    ));
    let listed: Page<Task> = heir.json(&format!("/api/v1/tasks?account={a}")).await;
    let task = &listed.items[0];
    assert_eq!(task.owner.as_ref().map(|o| o.id), Some(csm.id));
    // What the app asks `domain::can_change_task` with.
    assert_eq!(task.account_owner_id, Some(heir.id));
    assert_problem(
        stranger.patch(&path, &json!({ "status": "done" })).await,
        403,
        "forbidden",
    )
    .await;
    let done: Task = heir
        .patch(&path, &json!({ "status": "done" }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done.done_by.as_ref().map(|u| u.id), Some(heir.id));
    let reopened: Task = csm
        .patch(&path, &json!({ "status": "open" }))
        .await
        .json()
        .await
        .unwrap();
    assert!(reopened.done_at.is_none());
}

#[tokio::test]
async fn the_answer_list_filters_by_period_segment_owner_group_and_channel() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let nps = create_survey(&manager, "nps", "NPS").await;
    let high = owned_account(&app, "Big KK", 800_000, csm.id);
    let tech = owned_account(&app, "Small KK", 10_000, manager.id);
    let day = |d: &str| Some(d.to_owned());
    for (account, score, on) in [
        (high, 10, day("2026-01-10")),
        (high, 3, day("2026-02-10")),
        (tech, 8, day("2026-02-11")),
        (tech, 9, None),
    ] {
        let response = manager
            .post(
                &format!("/api/v1/surveys/{}/responses", nps.id),
                &json!({ "account_id": account, "score": score, "answered_on": on }),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let total = |query: &str| {
        let path = format!("/api/v1/surveys/{}/responses?{query}", nps.id);
        let manager = &manager;
        async move { manager.json::<Page<SurveyResponse>>(&path).await.total }
    };
    assert_eq!(total("").await, 4);
    assert_eq!(total("from=2026-02-01&to=2026-02-28").await, 2);
    assert_eq!(total("tier=high").await, 2);
    assert_eq!(total("tier=tech").await, 2);
    assert_eq!(total(&format!("owner={}", csm.id)).await, 2);
    assert_eq!(total("group=negative").await, 1);
    assert_eq!(total("group=positive").await, 2);
    assert_eq!(total("group=neutral&tier=tech").await, 1);
    assert_eq!(total(&format!("account={tech}")).await, 2);
    assert_eq!(total("per_page=1&page=2").await, 4);
    let bad = manager
        .get(&format!(
            "/api/v1/surveys/{}/responses?from=2026-03-01&to=2026-01-01",
            nps.id
        ))
        .await;
    assert_problem(bad, 400, "validation_failed").await;
    let unknown = manager
        .get(&format!(
            "/api/v1/surveys/{}/responses?segment=high",
            nps.id
        ))
        .await;
    assert_problem(unknown, 400, "bad_request").await;
    assert_problem(
        manager.get("/api/v1/surveys/999/responses").await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn the_summary_gives_nps_with_counts_and_margin_from_the_shared_metrics() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let nps = create_survey(&manager, "nps", "NPS").await;
    let csat = create_survey(&manager, "csat", "CSAT").await;
    let high = owned_account(&app, "Big KK", 800_000, manager.id);
    let low = owned_account(&app, "Mid KK", 100_000, manager.id);
    let scores = [(high, 10), (high, 9), (low, 8), (low, 6), (low, 3)];
    for (account, score) in scores {
        assert_eq!(
            record(&manager, nps.id, account, score, None)
                .await
                .status(),
            201
        );
    }
    for score in [5, 4, 3, 1] {
        assert_eq!(
            record(&manager, csat.id, low, score, None).await.status(),
            201
        );
    }
    let summary: SurveySummary = manager
        .json(&format!("/api/v1/surveys/{}/summary", nps.id))
        .await;
    let expected = ScoreStats::of(SurveyKind::Nps, scores.iter().map(|s| s.1));
    assert_eq!(summary.overall, expected);
    // By hand: P=2, D=2, N=5 → NPS 0, MoE 1.96·100·√(0.8/5) = 78.4.
    assert_eq!(summary.overall.score, Some(0.0));
    assert!((summary.overall.moe95.unwrap() - 78.4).abs() < 1e-9);
    assert_eq!(
        (
            summary.overall.positive,
            summary.overall.neutral,
            summary.overall.negative
        ),
        (2, 1, 2)
    );
    let high_stats = summary
        .by_tier
        .iter()
        .find(|t| t.tier.as_str() == "high")
        .unwrap();
    assert_eq!(high_stats.stats.score, Some(100.0));
    assert_eq!(summary.by_month.len(), 1);
    assert_eq!(summary.by_channel[0].channel, AnswerChannel::Call);
    let csat_summary: SurveySummary = manager
        .json(&format!("/api/v1/surveys/{}/summary", csat.id))
        .await;
    assert_eq!(csat_summary.overall.score, Some(50.0));
    assert!((csat_summary.overall.moe95.unwrap() - 49.0).abs() < 1e-9);
    let filtered: SurveySummary = manager
        .json(&format!(
            "/api/v1/surveys/{}/summary?tier=low&group=negative",
            nps.id
        ))
        .await;
    assert_eq!(filtered.overall.responses, 2);
}

#[tokio::test]
async fn the_csv_export_has_every_matching_answer_and_neutralises_formulas() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let nps = create_survey(&manager, "nps", "NPS").await;
    let a = owned_account(&app, "=HYPERLINK(\"http://evil\")", 100_000, manager.id);
    record(&manager, nps.id, a, 2, Some("@SUM(A1) 遅い")).await;
    record(&manager, nps.id, a, 10, Some("最高")).await;
    let response = manager
        .get(&format!(
            "/api/v1/surveys/{}/responses/export?group=negative",
            nps.id
        ))
        .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("answered_on,account_id,account,tier"));
    assert!(lines[1].contains("'=HYPERLINK"), "{text}");
    assert!(lines[1].contains("'@SUM(A1) 遅い"), "{text}");
    assert!(lines[1].contains(",negative,call,"), "{text}");
    assert!(app
        .audit_kinds()
        .contains(&"survey_answers_exported".to_owned()));
}

#[tokio::test]
async fn links_are_issued_for_chosen_accounts_and_contacts_with_the_token_shown_once() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let nps = create_survey(&manager, "nps", "NPS").await;
    let mine = owned_account(&app, "Sakura KK", 100_000, csm.id);
    let theirs = owned_account(&app, "Other KK", 100_000, manager.id);
    let usd = app.insert_account(&NewAccount {
        owner_id: Some(csm.id),
        currency: "USD".into(),
        ..account("Acme Inc", 100_000)
    });
    let contact = app.insert_contact(mine, "Hina Sato");
    let response = csm
        .post(
            &format!("/api/v1/surveys/{}/links", nps.id),
            &json!({ "targets": [{ "account_id": mine, "contact_id": contact }, { "account_id": usd }],
                     "expires_in_days": 7 }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let links: Vec<IssuedLink> = response.json().await.unwrap();
    assert_eq!(links.len(), 2);
    let token = links[0].path.strip_prefix("/s/").unwrap();
    assert_eq!(token.len(), 43);
    // The account's language: Japanese for a yen account, English otherwise.
    assert_eq!(links[0].link.language.as_str(), "ja");
    assert_eq!(links[1].link.language.as_str(), "en");
    assert_eq!(links[0].link.contact.as_ref().map(|c| c.id), Some(contact));
    assert_eq!(links[0].link.status, LinkStatus::Open);
    let days = (links[0].link.expires_at - links[0].link.created_at).num_days();
    assert_eq!(days, 7);
    // Only a hash of the token is stored.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM survey_links WHERE token_hash = '{token}'"
        )),
        0
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM survey_links WHERE token_hash = '{}'",
            kizuna_server::db::surveys::token_hash(token)
        )),
        1
    );
    // A CSM issues links for their own accounts only.
    let refused = csm
        .post(
            &format!("/api/v1/surveys/{}/links", nps.id),
            &json!({ "targets": [{ "account_id": theirs }] }),
        )
        .await;
    assert_problem(refused, 403, "forbidden").await;
    let bad = manager
        .post(
            &format!("/api/v1/surveys/{}/links", nps.id),
            &json!({ "targets": [{ "account_id": theirs, "contact_id": contact }, { "account_id": 999_999 }] }),
        )
        .await;
    let problem = assert_problem(bad, 400, "validation_failed").await;
    let fields: Vec<_> = problem.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["targets[0].contact_id", "targets[1].account_id"]);
    let too_long = manager
        .post(
            &format!("/api/v1/surveys/{}/links", nps.id),
            &json!({ "targets": [{ "account_id": theirs }], "expires_in_days": 91 }),
        )
        .await;
    assert_problem(too_long, 400, "validation_failed").await;
    let listed: Page<SurveyLink> = manager
        .json(&format!("/api/v1/surveys/{}/links?status=open", nps.id))
        .await;
    assert_eq!(listed.total, 2);
    let survey: Survey = manager.json(&format!("/api/v1/surveys/{}", nps.id)).await;
    assert_eq!(survey.open_links, 2);
    assert!(app
        .audit_kinds()
        .contains(&"survey_links_issued".to_owned()));
}

#[tokio::test]
async fn a_link_can_be_revoked_until_it_is_answered() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let nps = create_survey(&manager, "nps", "NPS").await;
    let a = owned_account(&app, "Sakura KK", 100_000, manager.id);
    let links = issue(&manager, nps.id, &[a, a]).await;
    let revoke = |id: i64| format!("/api/v1/surveys/{}/links/{id}", nps.id);
    assert_eq!(
        manager.delete(&revoke(links[0].link.id)).await.status(),
        204
    );
    assert_eq!(
        manager.delete(&revoke(links[0].link.id)).await.status(),
        204
    );
    let revoked: Page<SurveyLink> = manager
        .json(&format!("/api/v1/surveys/{}/links?status=revoked", nps.id))
        .await;
    assert_eq!(revoked.items[0].id, links[0].link.id);
    let answered = app
        .client
        .post(app.url(&format!("/api/public/surveys/{}", &links[1].path[3..])))
        .json(&json!({ "score": 9 }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 201);
    assert_problem(
        manager.delete(&revoke(links[1].link.id)).await,
        409,
        "link_answered",
    )
    .await;
    assert_problem(manager.delete(&revoke(999)).await, 404, "not_found").await;
}

#[tokio::test]
async fn links_are_not_issued_for_a_closed_or_archived_survey() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let a = owned_account(&app, "Sakura KK", 100_000, manager.id);
    let response = manager
        .post(
            "/api/v1/surveys",
            &json!({ "kind": "csat", "name": "Old", "question": { "en": "Q" },
                     "opens_on": "2020-01-01", "closes_on": "2020-12-31" }),
        )
        .await;
    let closed: Survey = response.json().await.unwrap();
    let refused = manager
        .post(
            &format!("/api/v1/surveys/{}/links", closed.id),
            &json!({ "targets": [{ "account_id": a }] }),
        )
        .await;
    assert_problem(refused, 409, "survey_not_open").await;
    // Nor can answers be recorded for a day it did not take them.
    let late = record(&manager, closed.id, a, 4, None).await;
    assert_problem(late, 400, "validation_failed").await;
}
