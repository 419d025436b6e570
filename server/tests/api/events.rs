//! `GET /api/v1/events`: the Server-Sent Events stream of changes, across
//! instances, with replay on reconnect; and executives refused every write.

use std::sync::Arc;
use std::time::{Duration, Instant};

use kizuna_shared::api::{ChangeEvent, ChangeKind, StreamReady, CSRF_HEADER};
use kizuna_shared::domain::Role;
use reqwest::cookie::Jar;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use crate::helpers::{
    account, assert_problem, raw_request, spawn_app, spawn_second_instance, TestApp, PASSWORD,
};

/// A client with its own cookies, signed in as a new user of `role`.
async fn signed_in(app: &TestApp, role: Role) -> reqwest::Client {
    signed_in_with_id(app, role).await.0
}

/// [`signed_in`] and the new user's id.
async fn signed_in_with_id(app: &TestApp, role: Role) -> (reqwest::Client, i64) {
    let email = format!("{}-{}@events.test", role.as_str(), rand_suffix());
    let id = app.create_user(&email, "Events", role);
    let mut headers = HeaderMap::new();
    headers.insert(CSRF_HEADER, HeaderValue::from_static("1"));
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::new(Jar::default()))
        .default_headers(headers)
        .build()
        .unwrap();
    let r = client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    (client, id)
}

fn rand_suffix() -> String {
    kizuna_server::auth::password::random_password(8).to_lowercase()
}

/// An open event stream and the text received but not parsed yet.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

/// One parsed SSE event.
#[derive(Debug)]
struct Sse {
    event: String,
    id: Option<String>,
    data: String,
}

impl Stream {
    async fn open(client: &reqwest::Client, app: &TestApp, last_id: Option<i64>) -> Stream {
        let mut request = client.get(app.url("/api/v1/events"));
        if let Some(id) = last_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert_eq!(response.headers()["content-encoding"], "identity");
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (comments and `retry:` skipped), or `None` when
    /// nothing came within `timeout`.
    async fn next(&mut self, timeout: Duration) -> Option<Sse> {
        let deadline = Instant::now() + timeout;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let mut sse = Sse {
                    event: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in frame.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        sse.event = v.trim().into();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id:") {
                        sse.id = Some(v.trim().into());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        sse.data.push_str(v.trim());
                        any = true;
                    }
                }
                if any {
                    return Some(sse);
                }
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Whether the stream ended (the server closed it) within `within`;
    /// fails if a change event arrives first.
    async fn ends_without_a_change(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            assert!(
                !self.buffer.contains("event: change") && !self.buffer.contains("event:change"),
                "a change event reached a stream whose session ended: {}",
                self.buffer
            );
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Ok(None) | Err(_)) => return true,
                Err(_) => return false,
            }
        }
    }

    async fn ready(&mut self) -> StreamReady {
        let first = self
            .next(Duration::from_secs(5))
            .await
            .expect("ready event");
        assert_eq!(first.event, "ready");
        serde_json::from_str(&first.data).unwrap()
    }

    async fn change(&mut self, within: Duration) -> ChangeEvent {
        let e = self.next(within).await.expect("a change event in time");
        assert_eq!(e.event, "change", "{e:?}");
        let event: ChangeEvent = serde_json::from_str(&e.data).unwrap();
        assert_eq!(e.id, Some(event.id.to_string()));
        event
    }
}

fn new_account() -> Value {
    json!({ "name": format!("Live {}", rand_suffix()), "mrr_minor": 90_000, "currency": "JPY",
            "status": "active", "expansion_potential": "none" })
}

#[tokio::test]
async fn the_event_stream_needs_a_session() {
    let app = spawn_app().await;
    assert_problem(app.get("/api/v1/events").await, 401, "unauthenticated").await;
}

#[tokio::test]
async fn an_account_change_reaches_an_open_stream_at_once() {
    let app = spawn_app().await;
    let exec = signed_in(&app, Role::Executive).await;
    let manager = signed_in(&app, Role::Manager).await;
    let mut stream = Stream::open(&exec, &app, None).await;
    let ready = stream.ready().await;
    let created = manager
        .post(app.url("/api/v1/accounts"))
        .json(&new_account())
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"].as_i64();
    let started = Instant::now();
    let event = stream.change(Duration::from_secs(2)).await;
    assert_eq!(event.kind, ChangeKind::AccountChange);
    assert_eq!(event.account_id, id);
    assert!(event.id > ready.data_version);
    // The handler woke the watcher: no waiting for the next poll.
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_import_on_one_instance_reaches_a_stream_on_another() {
    let app = spawn_app().await;
    let other = spawn_second_instance(&app).await;
    let exec = signed_in(&other, Role::Executive).await;
    let manager = signed_in(&app, Role::Manager).await;
    let mut stream = Stream::open(&exec, &other, None).await;
    stream.ready().await;
    let file = "external_id,name,mrr,currency\nX-1,Across Instances KK,120000,JPY\n";
    let r = manager
        .post(app.url("/api/v1/imports?kind=accounts&file_name=a.csv"))
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // On PostgreSQL this is LISTEN/NOTIFY (the instances' safety-net poll
    // is 5 s); on SQLite the other instance's watcher reads the table.
    let event = stream.change(Duration::from_secs(2)).await;
    assert_eq!(event.kind, ChangeKind::Import);
    // The other instance's KPI cache follows the same version.
    let kpis: Value = exec
        .get(other.url("/api/v1/kpis"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(kpis["basis"]["data_version"].as_i64().unwrap() >= event.id);
    assert_eq!(kpis["basis"]["accounts"], 1);
}

#[tokio::test]
async fn a_reconnecting_stream_is_sent_what_it_missed() {
    let app = spawn_app().await;
    let exec = signed_in(&app, Role::Executive).await;
    let manager = signed_in(&app, Role::Manager).await;
    let mut first = Stream::open(&exec, &app, None).await;
    let seen = first.ready().await.data_version;
    drop(first);
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = manager
            .post(app.url("/api/v1/accounts"))
            .json(&new_account())
            .send()
            .await
            .unwrap();
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64());
    }
    let mut again = Stream::open(&exec, &app, Some(seen)).await;
    let ready = again.ready().await;
    assert!(ready.data_version >= seen + 3);
    let mut missed = Vec::new();
    for _ in 0..3 {
        missed.push(again.change(Duration::from_secs(2)).await.account_id);
    }
    assert_eq!(missed, ids);

    // An id this database never gave (say, from before a reset) makes the
    // client reload instead of waiting for ids it will never see.
    let mut stale = Stream::open(&exec, &app, Some(999_999)).await;
    assert!(stale.ready().await.data_version < 999_999);
    let reset = stale.next(Duration::from_secs(2)).await.expect("reset");
    assert_eq!(reset.event, "reset");
}

/// A change a manager makes (an account created), which every open stream
/// would be told of.
async fn some_change(app: &TestApp, manager: &reqwest::Client) {
    let r = manager
        .post(app.url("/api/v1/accounts"))
        .json(&new_account())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn an_open_stream_ends_at_sign_out_and_is_sent_no_later_change() {
    let app = spawn_app().await;
    let exec = signed_in(&app, Role::Executive).await;
    let manager = signed_in(&app, Role::Manager).await;
    let mut stream = Stream::open(&exec, &app, None).await;
    stream.ready().await;
    // A second stream of the same user in another session stays open.
    let other_session = signed_in(&app, Role::Executive).await;
    let mut unaffected = Stream::open(&other_session, &app, None).await;
    unaffected.ready().await;
    let out = exec
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    some_change(&app, &manager).await;
    assert!(
        stream.ends_without_a_change(Duration::from_secs(3)).await,
        "the stream outlived its session"
    );
    let event = unaffected.change(Duration::from_secs(2)).await;
    assert_eq!(event.kind, ChangeKind::AccountChange);
}

#[tokio::test]
async fn an_open_stream_ends_when_its_user_is_disabled_or_given_another_role() {
    let app = spawn_app().await;
    let admin = signed_in(&app, Role::Admin).await;
    let manager = signed_in(&app, Role::Manager).await;
    for change in [json!({ "disabled": true }), json!({ "role": "manager" })] {
        let (exec, id) = signed_in_with_id(&app, Role::Executive).await;
        let mut stream = Stream::open(&exec, &app, None).await;
        stream.ready().await;
        let r = admin
            .patch(app.url(&format!("/api/v1/users/{id}")))
            .json(&change)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{change}");
        some_change(&app, &manager).await;
        assert!(
            stream.ends_without_a_change(Duration::from_secs(3)).await,
            "the stream outlived {change}"
        );
    }
}

#[tokio::test]
async fn signing_out_on_one_instance_ends_the_stream_open_on_another() {
    let app = spawn_app().await;
    let other = spawn_second_instance(&app).await;
    let exec = signed_in(&app, Role::Executive).await;
    let manager = signed_in(&app, Role::Manager).await;
    // The same browser session, its stream served by the second instance.
    let mut stream = Stream::open(&exec, &other, None).await;
    stream.ready().await;
    let out = exec
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    some_change(&app, &manager).await;
    assert!(
        stream.ends_without_a_change(Duration::from_secs(3)).await,
        "the other instance kept the stream open"
    );
    // Without any change, the periodic check ends it too.
    let exec = signed_in(&app, Role::Executive).await;
    let mut quiet = Stream::open(&exec, &other, None).await;
    quiet.ready().await;
    let out = exec
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert!(
        quiet
            .ends_without_a_change(kizuna_server::events::SESSION_CHECK + Duration::from_secs(3))
            .await,
        "a quiet stream outlived its session"
    );
}

#[tokio::test]
async fn executives_are_refused_every_write_endpoint() {
    let app = spawn_app().await;
    let target = app.insert_account(&account("Untouchable KK", 10_000));
    let exec = signed_in(&app, Role::Executive).await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/session") {
            continue;
        }
        for method in ["post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let concrete = path
                .replace("{id}", &target.to_string())
                .replace("{contact_id}", "1")
                .replace(['{', '}'], "");
            let request = exec.request(method.to_uppercase().parse().unwrap(), app.url(&concrete));
            let response = request.json(&json!({})).send().await.unwrap();
            assert_eq!(response.status(), 403, "{method} {concrete}");
            checked += 1;
        }
    }
    assert!(
        checked >= 6,
        "only {checked} write operations in the document"
    );
    // Nothing changed, and signing out still works.
    let detail: Value = exec
        .get(app.url(&format!("/api/v1/accounts/{target}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["name"], "Untouchable KK");
    let out = exec
        .delete(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success());
}

/// Issue 17: the guard decides on the path the router matches, so no
/// percent-encoded or otherwise odd spelling of a write route reaches its
/// handler with an executive's session: each is refused by the guard (403)
/// or routed nowhere (404/405), and nothing changes.
#[tokio::test]
async fn executives_are_refused_every_write_in_every_spelling_of_its_path() {
    let app = spawn_app().await;
    let target = app.insert_account(&account("Untouchable KK", 10_000));
    app.create_user("exec@spellings.test", "Exec", Role::Executive);
    let cookie = app.session_for("exec@spellings.test").await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let fingerprint = |app: &TestApp| {
        [
            "SELECT COUNT(*) AS n FROM accounts",
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) AS n FROM accounts",
            "SELECT COUNT(*) AS n FROM users",
            "SELECT COUNT(*) AS n FROM surveys",
            "SELECT COUNT(*) AS n FROM signal_definitions",
            "SELECT COUNT(*) AS n FROM health_models",
        ]
        .map(|sql| app.count(sql))
    };
    let before = fingerprint(&app);
    let mut guarded = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/session") {
            continue;
        }
        for method in ["post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let concrete = path
                .replace("{id}", &target.to_string())
                .replace("{contact_id}", "1")
                .replace(['{', '}'], "");
            let method = method.to_uppercase();
            for spelled in crate::csrf::spellings(&concrete) {
                let status = raw_request(
                    &app,
                    &method,
                    &spelled,
                    &[
                        ("Cookie", &cookie),
                        ("Content-Type", "application/json"),
                        (CSRF_HEADER, "1"),
                    ],
                    b"{}",
                )
                .await;
                assert!(
                    (403..=405).contains(&status),
                    "{method} {spelled} reached a handler: {status}"
                );
                if spelled.starts_with("/%61") {
                    // Routed to the handler by actix: the guard must answer.
                    assert_eq!(status, 403, "{method} {spelled}");
                    guarded += 1;
                }
            }
        }
    }
    assert!(guarded >= 12, "only {guarded} encoded spellings checked");
    assert_eq!(
        fingerprint(&app),
        before,
        "a refused request changed something"
    );
}

#[tokio::test]
async fn publishing_a_health_model_reaches_an_open_stream() {
    let app = spawn_app().await;
    let csm = signed_in(&app, Role::Csm).await;
    let manager = signed_in(&app, Role::Manager).await;
    let mut stream = Stream::open(&csm, &app, None).await;
    let ready = stream.ready().await;
    let model = json!({ "measures": [{ "signal": "setup_progress", "weight": 1,
        "curve": { "kind": "linear", "points": [[0, 0], [100, 100]] } }], "cuts": [40, 70] });
    let r = manager
        .post(app.url("/api/v1/health-models"))
        .json(&json!({ "name": "Live draft", "model": model }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let draft: Value = r.json().await.unwrap();
    // Saving a draft changes no score: nothing is announced for it.
    let r = manager
        .post(app.url(&format!(
            "/api/v1/health-models/{}/publish",
            draft["id"].as_i64().unwrap()
        )))
        .json(&json!({ "version": draft["version"], "note": "live" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let event = stream.change(Duration::from_secs(2)).await;
    assert_eq!(event.kind, ChangeKind::ModelPublish);
    assert_eq!(event.account_id, None);
    assert!(event.id > ready.data_version);
}

/// Issue 12 with issue 11's data: a survey answer (recorded by a CSM, or
/// given by the customer through a personal link) and a sheet's completion
/// reach an open stream as change events of their account.
mod surveys_and_sheets {
    use super::*;
    use crate::helpers::bare_client;
    use crate::sheets::{create_template, small_template, start_ok, tick, today};
    use crate::surveys::{create_survey, issue, owned_account, record, sign_in};
    use chrono::Days;

    #[tokio::test]
    async fn the_sse_stream_delivers_an_event_after_a_survey_answer() {
        let app = spawn_app().await;
        let exec = signed_in(&app, Role::Executive).await;
        let manager = sign_in(&app, Role::Manager, "Mana").await;
        let survey = create_survey(&manager, "nps", "Relationship NPS").await;
        let account = owned_account(&app, "Sakura KK", 100_000, manager.id);
        let mut stream = Stream::open(&exec, &app, None).await;
        let ready = stream.ready().await;
        let recorded = record(&manager, survey.id, account, 9, Some("Great")).await;
        assert_eq!(recorded.status(), 201);
        let event = stream.change(Duration::from_secs(5)).await;
        assert_eq!(event.kind, ChangeKind::SurveyAnswer);
        assert_eq!(event.account_id, Some(account));
        assert!(event.id > ready.data_version);
        // A refused answer records nothing: the next event is the link's.
        let refused = record(&manager, survey.id, account, 11, None).await;
        assert_eq!(refused.status(), 400);

        // The customer's own answer through a personal link, no session.
        let link = issue(&manager, survey.id, &[account]).await.remove(0);
        let token = link.path.trim_start_matches("/s/");
        let answered = bare_client()
            .post(app.url(&format!("/api/public/surveys/{token}")))
            .header(CSRF_HEADER, "1")
            .json(&json!({ "score": 3, "comment": "Slow support" }))
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), 201);
        let public = stream.change(Duration::from_secs(5)).await;
        assert_eq!(public.kind, ChangeKind::SurveyAnswer);
        assert_eq!(public.account_id, Some(account));
        assert_eq!(public.id, event.id + 1, "exactly one event per answer");
    }

    #[tokio::test]
    async fn a_sheet_completion_and_its_reopening_reach_an_open_stream() {
        let app = spawn_app().await;
        let exec = signed_in(&app, Role::Executive).await;
        let manager = sign_in(&app, Role::Manager, "Mana").await;
        let template = create_template(&manager, &small_template("Pilot")).await;
        let account = owned_account(&app, "Sakura KK", 100_000, manager.id);
        let mut stream = Stream::open(&exec, &app, None).await;
        stream.ready().await;
        let sheet = start_ok(&manager, template.id, account, today() - Days::new(20)).await;
        let started = stream.change(Duration::from_secs(5)).await;
        assert_eq!(started.kind, ChangeKind::SheetCompletion);
        assert_eq!(started.account_id, Some(account));
        let (goal, training) = (sheet.items[0].id, sheet.items[1].id);
        let first = tick(&manager, sheet.sheet.id, training, json!({ "done": true })).await;
        assert_eq!(first.status(), 200);
        // Not complete yet: no event for an ordinary tick.
        assert!(stream.next(Duration::from_millis(600)).await.is_none());
        let last = tick(&manager, sheet.sheet.id, goal, json!({ "done": true })).await;
        assert_eq!(last.status(), 200);
        let completed = stream.change(Duration::from_secs(5)).await;
        assert_eq!(completed.kind, ChangeKind::SheetCompletion);
        assert_eq!(completed.account_id, Some(account));
        let undone = tick(
            &manager,
            sheet.sheet.id,
            goal,
            json!({ "done": false, "note": "Not really done" }),
        )
        .await;
        assert_eq!(undone.status(), 200);
        let reopened = stream.change(Duration::from_secs(5)).await;
        assert_eq!(reopened.kind, ChangeKind::SheetCompletion);
        assert_eq!(reopened.id, completed.id + 1);
    }
}
