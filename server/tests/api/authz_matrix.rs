//! The authorisation matrix: every `/api/v1` route and method in the OpenAPI
//! document, called as admin, manager, CSM, executive and nobody, against
//! the status expected for each pair.
//!
//! **Adding a route?** Add a row to `rows()`: the method, the path exactly
//! as the OpenAPI document spells it, the five expected statuses (admin,
//! manager, csm, executive, nobody) and how to call it. A route in the
//! document without a row fails this test, and so does a row whose route is
//! gone. A row builds a fresh target for every role when the call changes
//! or deletes it (see `fresh_account`), so rows never depend on each other.

use std::sync::Arc;

use kizuna_server::db::{self, accounts::NewAccount};
use kizuna_shared::api::CSRF_HEADER;
use kizuna_shared::api::{IssueLinks, RecordAnswer, StartSheet, SurveyInput, TemplateInput};
use kizuna_shared::domain::Role;
use reqwest::cookie::Jar;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use crate::helpers::{account, spawn_app, TestApp, PASSWORD};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Manager,
    Csm,
    Executive,
    Nobody,
}

const EVERYONE: [Who; 5] = [
    Who::Admin,
    Who::Manager,
    Who::Csm,
    Who::Executive,
    Who::Nobody,
];

impl Who {
    fn email(self) -> String {
        format!("{self:?}@matrix.kizuna").to_lowercase()
    }

    fn role(self) -> Option<Role> {
        match self {
            Who::Admin => Some(Role::Admin),
            Who::Manager => Some(Role::Manager),
            Who::Csm => Some(Role::Csm),
            Who::Executive => Some(Role::Executive),
            Who::Nobody => None,
        }
    }
}

/// What a row sends.
enum Body {
    None,
    Json(Value),
    Csv(&'static str),
}

/// One request: the concrete path (with query) and body.
struct Call {
    path: String,
    body: Body,
}

fn get(path: impl Into<String>) -> Call {
    Call {
        path: path.into(),
        body: Body::None,
    }
}

fn with_json(path: impl Into<String>, body: Value) -> Call {
    Call {
        path: path.into(),
        body: Body::Json(body),
    }
}

/// Shared fixtures: the users of each role, an account the CSM owns, and a
/// survey and a sheet on it.
struct Fixture {
    csm_id: i64,
    account: i64,
    survey: i64,
    sheet: i64,
}

/// What a row's call gets to build its request.
struct Ctx<'a> {
    app: &'a TestApp,
    fx: &'a Fixture,
    who: Who,
}

impl Ctx<'_> {
    /// A new account owned by the CSM, for calls that change or delete one.
    fn fresh_account(&self) -> i64 {
        self.app.insert_account(&NewAccount {
            owner_id: Some(self.fx.csm_id),
            ..account(&format!("Matrix {:?} {}", self.who, rand_suffix()), 10_000)
        })
    }

    /// A new contact on a fresh account owned by the CSM.
    fn fresh_contact(&self) -> (i64, i64) {
        let account_id = self.fresh_account();
        (
            account_id,
            self.app.insert_contact(account_id, "Matrix contact"),
        )
    }

    /// A new health model draft (based on the published model), for calls
    /// that change or publish one.
    fn fresh_draft(&self) -> i64 {
        let mut conn = self.app.pool.get().unwrap();
        let model = serde_json::from_value(json!({ "measures": [{ "signal": "setup_progress",
            "weight": 1, "curve": { "kind": "linear", "points": [[0, 0], [100, 100]] } }] }))
        .unwrap();
        kizuna_server::db::models::create_draft(
            &mut conn,
            &kizuna_shared::api::NewHealthModel {
                name: "Matrix draft".into(),
                model,
                note: String::new(),
            },
            &kizuna_server::db::audit::Actor::command_line("matrix"),
        )
        .unwrap()
        .id
    }

    /// A new NPS survey (written by the command line, not by a role).
    fn fresh_survey(&self) -> i64 {
        let input: SurveyInput = serde_json::from_value(json!({
            "kind": "nps", "name": format!("Matrix {}", rand_suffix()),
            "question": { "en": "How likely…?" },
        }))
        .unwrap();
        let mut conn = self.app.pool.get().unwrap();
        db::surveys::create(
            &mut conn,
            &input,
            &matrix_actor(),
            chrono::Utc::now().naive_utc(),
        )
        .unwrap()
        .id
    }

    /// A new link of the fixture's survey for a fresh account of the CSM.
    fn fresh_link(&self) -> i64 {
        let request: IssueLinks =
            serde_json::from_value(json!({ "targets": [{ "account_id": self.fresh_account() }] }))
                .unwrap();
        let mut conn = self.app.pool.get().unwrap();
        let now = chrono::Utc::now().naive_utc();
        db::surveys::issue_links(&mut conn, self.fx.survey, &request, &matrix_actor(), now).unwrap()
            [0]
        .link
        .id
    }

    /// A new follow-up task owned by the CSM (from a detractor answer).
    fn fresh_task(&self) -> i64 {
        let answer: RecordAnswer =
            serde_json::from_value(json!({ "account_id": self.fresh_account(), "score": 1 }))
                .unwrap();
        let mut conn = self.app.pool.get().unwrap();
        let now = chrono::Utc::now().naive_utc();
        db::surveys::record_call(&mut conn, self.fx.survey, &answer, &matrix_actor(), now)
            .unwrap()
            .task_id
            .unwrap()
    }

    /// A new customer template.
    fn fresh_template(&self) -> i64 {
        let input: TemplateInput = serde_json::from_value(template_body()).unwrap();
        let mut conn = self.app.pool.get().unwrap();
        db::templates::create(
            &mut conn,
            &input,
            &matrix_actor(),
            chrono::Utc::now().naive_utc(),
        )
        .unwrap()
        .id
    }

    /// A new sheet of the shipped low-touch template on a fresh account of
    /// the CSM, with its first item.
    fn fresh_sheet(&self) -> (i64, i64) {
        let request: StartSheet = serde_json::from_value(
            json!({ "template_id": LOW_TOUCH_TEMPLATE, "account_id": self.fresh_account() }),
        )
        .unwrap();
        let mut conn = self.app.pool.get().unwrap();
        let now = chrono::Utc::now().naive_utc();
        let detail = db::sheets::start(&mut conn, &request, &matrix_actor(), now).unwrap();
        (detail.sheet.id, detail.items[0].id)
    }

    /// A new CSM user for calls that change one.
    fn fresh_user(&self) -> i64 {
        self.app.create_user(
            &format!("u{}@matrix.kizuna", rand_suffix()),
            "Matrix user",
            Role::Csm,
        )
    }
}

/// The shipped low-touch template (the migration inserts it second).
const LOW_TOUCH_TEMPLATE: i64 = 2;

/// The actor of fixtures written directly to the database.
fn matrix_actor() -> db::audit::Actor {
    db::audit::Actor::command_line("authorisation matrix")
}

/// A one-item customer template.
fn template_body() -> Value {
    json!({
        "name": { "en": format!("Matrix {}", rand_suffix()) }, "kind": "customer",
        "items": [{ "title": { "en": "Kick-off" }, "phase": "onboarding",
                    "due_offset_days": 7, "role": "csm", "required": true }],
    })
}

fn rand_suffix() -> String {
    kizuna_server::auth::password::random_password(10).to_lowercase()
}

/// The body of an account edit that keeps the owner and every field a CSM
/// may not change.
fn account_edit(version: i64, owner: i64) -> Value {
    json!({
        "name": "Renamed in the matrix", "mrr_minor": 10_000, "currency": "JPY",
        "status": "active", "expansion_potential": "none", "owner_id": owner,
        "industry": "SaaS", "plan": "Growth", "contract_start": "2024-04-01",
        "renewal_date": "2026-04-01", "version": version,
    })
}

/// Expected statuses in the order admin, manager, csm, executive, nobody.
type Expect = [u16; 5];

struct Row {
    method: &'static str,
    route: &'static str,
    expect: Expect,
    call: Box<dyn Fn(&Ctx) -> Call>,
}

fn row(
    method: &'static str,
    route: &'static str,
    expect: Expect,
    call: impl Fn(&Ctx) -> Call + 'static,
) -> Row {
    Row {
        method,
        route,
        expect,
        call: Box::new(call),
    }
}

const READ_ALL: Expect = [200, 200, 200, 200, 401];
const ADMINS: Expect = [200, 403, 403, 403, 401];
const MANAGERS: Expect = [200, 200, 403, 403, 401];

fn rows() -> Vec<Row> {
    vec![
        // Session.
        row("POST", "/api/v1/session", [200, 200, 200, 200, 401], |c| {
            let password = if c.who == Who::Nobody {
                "wrong password"
            } else {
                PASSWORD
            };
            with_json(
                "/api/v1/session",
                json!({ "email": c.who.email(), "password": password }),
            )
        }),
        row("GET", "/api/v1/session", [200, 200, 200, 200, 204], |_| {
            get("/api/v1/session")
        }),
        row(
            "DELETE",
            "/api/v1/session",
            [204, 204, 204, 204, 204],
            |_| get("/api/v1/session"),
        ),
        row(
            "PUT",
            "/api/v1/session/password",
            [400, 400, 400, 400, 401],
            |_| {
                // A wrong current password: authorised, refused, nothing changes.
                with_json(
                    "/api/v1/session/password",
                    json!({ "current_password": "not it", "new_password": "a long new password" }),
                )
            },
        ),
        // Users.
        row("GET", "/api/v1/users", ADMINS, |_| get("/api/v1/users")),
        row("POST", "/api/v1/users", [201, 403, 403, 403, 401], |_| {
            with_json(
                "/api/v1/users",
                json!({ "email": format!("n{}@matrix.kizuna", rand_suffix()), "name": "N",
                        "role": "csm", "password": "a long enough password" }),
            )
        }),
        row("PATCH", "/api/v1/users/{id}", ADMINS, |c| {
            with_json(
                format!("/api/v1/users/{}", c.fresh_user()),
                json!({ "name": "Renamed" }),
            )
        }),
        row("POST", "/api/v1/users/{id}/password-reset", ADMINS, |c| {
            with_json(
                format!("/api/v1/users/{}/password-reset", c.fresh_user()),
                json!({}),
            )
        }),
        row("GET", "/api/v1/owners", READ_ALL, |_| get("/api/v1/owners")),
        // Audit log.
        row("GET", "/api/v1/audit", MANAGERS, |_| get("/api/v1/audit")),
        row("GET", "/api/v1/audit/export", MANAGERS, |_| {
            get("/api/v1/audit/export")
        }),
        // Accounts.
        row("GET", "/api/v1/accounts", READ_ALL, |_| {
            get("/api/v1/accounts")
        }),
        row("POST", "/api/v1/accounts", [201, 201, 403, 403, 401], |c| {
            let mut body = account_edit(1, c.fx.csm_id);
            body.as_object_mut().unwrap().remove("version");
            with_json("/api/v1/accounts", body)
        }),
        row("GET", "/api/v1/accounts/export", READ_ALL, |_| {
            get("/api/v1/accounts/export")
        }),
        row("GET", "/api/v1/accounts/{id}", READ_ALL, |c| {
            get(format!("/api/v1/accounts/{}", c.fx.account))
        }),
        row(
            "PUT",
            "/api/v1/accounts/{id}",
            [200, 200, 200, 403, 401],
            |c| {
                let id = c.fresh_account();
                with_json(
                    format!("/api/v1/accounts/{id}"),
                    account_edit(1, c.fx.csm_id),
                )
            },
        ),
        row(
            "DELETE",
            "/api/v1/accounts/{id}",
            [204, 204, 403, 403, 401],
            |c| get(format!("/api/v1/accounts/{}?version=1", c.fresh_account())),
        ),
        row("GET", "/api/v1/accounts/{id}/mrr", READ_ALL, |c| {
            get(format!("/api/v1/accounts/{}/mrr", c.fx.account))
        }),
        row("GET", "/api/v1/accounts/{id}/signals", READ_ALL, |c| {
            get(format!("/api/v1/accounts/{}/signals", c.fx.account))
        }),
        row("GET", "/api/v1/accounts/{id}/contacts", READ_ALL, |c| {
            get(format!("/api/v1/accounts/{}/contacts", c.fx.account))
        }),
        row(
            "POST",
            "/api/v1/accounts/{id}/contacts",
            [201, 201, 201, 403, 401],
            |c| {
                with_json(
                    format!("/api/v1/accounts/{}/contacts", c.fresh_account()),
                    json!({ "name": "Hina" }),
                )
            },
        ),
        row(
            "DELETE",
            "/api/v1/accounts/{id}/contacts/{contact_id}",
            [204, 204, 204, 403, 401],
            |c| {
                let (account, contact) = c.fresh_contact();
                get(format!("/api/v1/accounts/{account}/contacts/{contact}"))
            },
        ),
        row("GET", "/api/v1/accounts/{id}/score", READ_ALL, |c| {
            get(format!("/api/v1/accounts/{}/score", c.fx.account))
        }),
        row("GET", "/api/v1/signals", READ_ALL, |_| {
            get("/api/v1/signals")
        }),
        row("POST", "/api/v1/signals", [201, 201, 403, 403, 401], |_| {
            with_json(
                "/api/v1/signals",
                json!({ "key": format!("s_{}", rand_suffix()), "label": "Matrix signal",
                        "higher_is_better": true }),
            )
        }),
        row("PUT", "/api/v1/signals/{key}", MANAGERS, |_| {
            with_json(
                "/api/v1/signals/csm_sentiment",
                json!({ "label": "CSM sentiment", "unit": "1-5", "higher_is_better": true }),
            )
        }),
        // Health models and scoring data.
        row("GET", "/api/v1/health-models", READ_ALL, |_| {
            get("/api/v1/health-models")
        }),
        row(
            "POST",
            "/api/v1/health-models",
            [201, 201, 403, 403, 401],
            |_| {
                with_json(
                    "/api/v1/health-models",
                    json!({ "name": "Matrix", "model": { "measures": [{ "signal": "setup_progress",
                    "weight": 1, "curve": { "kind": "steps", "points": [[0, 0], [50, 100]] } }] } }),
                )
            },
        ),
        row("GET", "/api/v1/health-models/{id}", READ_ALL, |_| {
            get("/api/v1/health-models/1")
        }),
        row("PUT", "/api/v1/health-models/{id}", MANAGERS, |c| {
            with_json(
                format!("/api/v1/health-models/{}", c.fresh_draft()),
                json!({ "name": "Matrix edit", "version": 1, "model": { "measures": [{
                    "signal": "setup_progress", "weight": 2,
                    "curve": { "kind": "linear", "points": [[0, 0], [100, 100]] } }] } }),
            )
        }),
        row(
            "POST",
            "/api/v1/health-models/{id}/publish",
            MANAGERS,
            |c| {
                with_json(
                    format!("/api/v1/health-models/{}/publish", c.fresh_draft()),
                    json!({ "version": 1, "note": "matrix" }),
                )
            },
        ),
        row("GET", "/api/v1/health-models/compare", READ_ALL, |_| {
            get("/api/v1/health-models/compare?a=1&b=1")
        }),
        row("GET", "/api/v1/scoring-data", READ_ALL, |_| {
            get("/api/v1/scoring-data?as_of=2026-01-01&window_days=90")
        }),
        // Duplicates.
        row("GET", "/api/v1/duplicates", READ_ALL, |_| {
            get("/api/v1/duplicates")
        }),
        row("POST", "/api/v1/duplicates/merge", MANAGERS, |c| {
            let (keep, merge) = (c.fresh_account(), c.fresh_account());
            with_json(
                "/api/v1/duplicates/merge",
                json!({ "keep_id": keep, "merge_id": merge, "keep_version": 1, "merge_version": 1 }),
            )
        }),
        // Imports.
        row("POST", "/api/v1/imports", MANAGERS, |_| Call {
            path: "/api/v1/imports?kind=accounts&dry_run=true".into(),
            body: Body::Csv("external_id,name,currency\nM-1,Matrix KK,JPY\n"),
        }),
        row("GET", "/api/v1/imports", READ_ALL, |_| {
            get("/api/v1/imports")
        }),
        row(
            "GET",
            "/api/v1/imports/progress/{token}",
            [404, 404, 404, 404, 401],
            |_| get("/api/v1/imports/progress/no-such-token"),
        ),
        // Surveys.
        row("GET", "/api/v1/surveys", READ_ALL, |_| {
            get("/api/v1/surveys")
        }),
        row("POST", "/api/v1/surveys", [201, 201, 403, 403, 401], |_| {
            with_json(
                "/api/v1/surveys",
                json!({ "kind": "csat", "name": "Matrix CSAT", "question": { "ja": "満足度は？" } }),
            )
        }),
        row("GET", "/api/v1/surveys/{id}", READ_ALL, |c| {
            get(format!("/api/v1/surveys/{}", c.fx.survey))
        }),
        row("PUT", "/api/v1/surveys/{id}", MANAGERS, |c| {
            with_json(
                format!("/api/v1/surveys/{}", c.fresh_survey()),
                json!({ "survey": { "kind": "nps", "name": "Renamed", "question": { "en": "Q" } },
                        "archived": false, "version": 1 }),
            )
        }),
        row("GET", "/api/v1/surveys/{id}/responses", READ_ALL, |c| {
            get(format!("/api/v1/surveys/{}/responses", c.fx.survey))
        }),
        row(
            "POST",
            "/api/v1/surveys/{id}/responses",
            [201, 201, 201, 403, 401],
            |c| {
                with_json(
                    format!("/api/v1/surveys/{}/responses", c.fx.survey),
                    json!({ "account_id": c.fx.account, "score": 9 }),
                )
            },
        ),
        row(
            "GET",
            "/api/v1/surveys/{id}/responses/export",
            READ_ALL,
            |c| get(format!("/api/v1/surveys/{}/responses/export", c.fx.survey)),
        ),
        row("GET", "/api/v1/surveys/{id}/summary", READ_ALL, |c| {
            get(format!("/api/v1/surveys/{}/summary", c.fx.survey))
        }),
        row("GET", "/api/v1/surveys/{id}/links", READ_ALL, |c| {
            get(format!("/api/v1/surveys/{}/links", c.fx.survey))
        }),
        row(
            "POST",
            "/api/v1/surveys/{id}/links",
            [201, 201, 201, 403, 401],
            |c| {
                with_json(
                    format!("/api/v1/surveys/{}/links", c.fx.survey),
                    json!({ "targets": [{ "account_id": c.fx.account }] }),
                )
            },
        ),
        row(
            "DELETE",
            "/api/v1/surveys/{id}/links/{link_id}",
            [204, 204, 204, 403, 401],
            |c| {
                get(format!(
                    "/api/v1/surveys/{}/links/{}",
                    c.fx.survey,
                    c.fresh_link()
                ))
            },
        ),
        // Tasks.
        row("GET", "/api/v1/tasks", READ_ALL, |_| get("/api/v1/tasks")),
        row(
            "PATCH",
            "/api/v1/tasks/{id}",
            [200, 200, 200, 403, 401],
            |c| {
                with_json(
                    format!("/api/v1/tasks/{}", c.fresh_task()),
                    json!({ "status": "done" }),
                )
            },
        ),
        // Onboarding sheets.
        row("GET", "/api/v1/sheet-templates", READ_ALL, |_| {
            get("/api/v1/sheet-templates")
        }),
        row(
            "POST",
            "/api/v1/sheet-templates",
            [201, 201, 403, 403, 401],
            |_| with_json("/api/v1/sheet-templates", template_body()),
        ),
        row("GET", "/api/v1/sheet-templates/{id}", READ_ALL, |_| {
            get(format!("/api/v1/sheet-templates/{LOW_TOUCH_TEMPLATE}"))
        }),
        row("PUT", "/api/v1/sheet-templates/{id}", MANAGERS, |c| {
            with_json(
                format!("/api/v1/sheet-templates/{}", c.fresh_template()),
                json!({ "template": template_body(), "archived": false, "version": 1 }),
            )
        }),
        row("GET", "/api/v1/sheets", READ_ALL, |_| get("/api/v1/sheets")),
        row("POST", "/api/v1/sheets", [201, 201, 201, 403, 401], |c| {
            with_json(
                "/api/v1/sheets",
                json!({ "template_id": LOW_TOUCH_TEMPLATE, "account_id": c.fresh_account() }),
            )
        }),
        row("GET", "/api/v1/sheets/kpis", READ_ALL, |_| {
            get("/api/v1/sheets/kpis?from=2026-01&months=3")
        }),
        row("GET", "/api/v1/sheets/{id}", READ_ALL, |c| {
            get(format!("/api/v1/sheets/{}", c.fx.sheet))
        }),
        row(
            "DELETE",
            "/api/v1/sheets/{id}",
            [204, 204, 403, 403, 401],
            |c| get(format!("/api/v1/sheets/{}", c.fresh_sheet().0)),
        ),
        row(
            "PUT",
            "/api/v1/sheets/{id}/items/{item_id}",
            [200, 200, 200, 403, 401],
            |c| {
                let (sheet, item) = c.fresh_sheet();
                with_json(
                    format!("/api/v1/sheets/{sheet}/items/{item}"),
                    json!({ "done": true, "note": "Matrix" }),
                )
            },
        ),
        // Dashboards: every role reads; the event stream answers 200 and
        // is dropped after the status.
        row("GET", "/api/v1/kpis", READ_ALL, |_| {
            get("/api/v1/kpis?period=quarter")
        }),
        row("GET", "/api/v1/kpis/series", READ_ALL, |_| {
            get("/api/v1/kpis/series?period=month&from=2025-01&to=2025-12")
        }),
        row("GET", "/api/v1/events", READ_ALL, |_| get("/api/v1/events")),
    ]
}

/// A client with its own cookie jar that sends the CSRF header.
fn client() -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(CSRF_HEADER, HeaderValue::from_static("1"));
    reqwest::Client::builder()
        .cookie_provider(Arc::new(Jar::default()))
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_api_route_answers_each_role_as_the_matrix_says() {
    let app = spawn_app().await;
    let mut clients = Vec::new();
    let mut csm_id = 0;
    for who in EVERYONE {
        let client = client();
        if let Some(role) = who.role() {
            let id = app.create_user(&who.email(), &format!("{who:?}"), role);
            if who == Who::Csm {
                csm_id = id;
            }
            let response = client
                .post(app.url("/api/v1/session"))
                .json(&json!({ "email": who.email(), "password": PASSWORD }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
        }
        clients.push((who, client));
    }
    let base = app.insert_account(&NewAccount {
        owner_id: Some(csm_id),
        ..account("Matrix base", 10_000)
    });
    let mut fx = Fixture {
        csm_id,
        account: base,
        survey: 0,
        sheet: 0,
    };
    let setup = Ctx {
        app: &app,
        fx: &fx,
        who: Who::Admin,
    };
    let (survey, (sheet, _)) = (setup.fresh_survey(), setup.fresh_sheet());
    fx.survey = survey;
    fx.sheet = sheet;

    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    let mut rows = rows();
    let missing: Vec<_> = documented
        .iter()
        .filter(|(m, p)| !rows.iter().any(|r| r.method == m && r.route == p))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix: {missing:?}"
    );
    let stale: Vec<_> = rows
        .iter()
        .filter(|r| {
            !documented
                .iter()
                .any(|(m, p)| r.method == m && r.route == p)
        })
        .map(|r| (r.method, r.route))
        .collect();
    assert!(
        stale.is_empty(),
        "matrix rows for routes not in the document: {stale:?}"
    );

    // Signing out ends the clients' sessions, so it runs last.
    rows.sort_by_key(|r| (r.method, r.route) == ("DELETE", "/api/v1/session"));
    let mut wrong = Vec::new();
    for r in &rows {
        for (i, (who, client)) in clients.iter().enumerate() {
            let call = (r.call)(&Ctx {
                app: &app,
                fx: &fx,
                who: *who,
            });
            let method = reqwest::Method::from_bytes(r.method.as_bytes()).unwrap();
            let mut request = client.request(method, app.url(&call.path));
            request = match call.body {
                Body::None => request,
                Body::Json(v) => request.json(&v),
                Body::Csv(text) => request.header("content-type", "text/csv").body(text),
            };
            let status = request.send().await.unwrap().status().as_u16();
            if status != r.expect[i] {
                wrong.push(format!(
                    "{} {} as {who:?}: expected {}, got {status}",
                    r.method, call.path, r.expect[i]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
