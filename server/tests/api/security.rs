//! Issue 17's defects, tried as an attacker would: survey tokens in the
//! request log, contact e-mails that smuggle `mailto:` parameters, formula
//! cells in every CSV export, an unaudited bulk read, and database words in
//! answers. (The executives' guard on encoded paths and event streams that
//! outlive their session are tested in `events.rs`.)

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kizuna_shared::api::CSRF_HEADER;
use kizuna_shared::domain::Role;
use serde_json::{json, Value};

use crate::helpers::{account, assert_problem, bare_client, raw_request, spawn_app};
use crate::surveys::{create_survey, issue, owned_account, record, sign_in};

/// Everything the server logged while this test binary ran.
static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// The writer of the captured log.
#[derive(Clone, Copy)]
struct Captured;

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut log) = LOG.lock() {
            log.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        Captured
    }
}

fn log_text() -> String {
    String::from_utf8_lossy(&LOG.lock().unwrap()).into_owned()
}

/// Waits until the log holds `needle` (a request line is written when its
/// span closes, just after the answer went out).
fn wait_for_log(needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let text = log_text();
        if text.contains(needle) || Instant::now() > deadline {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn survey_link_tokens_never_reach_the_request_log() {
    // The server's own subscriber (as `main` installs it), writing here.
    kizuna_server::telemetry::init_with(
        Captured,
        false,
        tracing_subscriber::EnvFilter::new("info"),
    );
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Logan").await;
    let survey = create_survey(&manager, "nps", "Logged NPS").await;
    let a = owned_account(&app, "Sakura KK", 100_000, manager.id);
    let links = issue(&manager, survey.id, &[a, a]).await;
    let customer = bare_client();
    let mut tokens = Vec::new();
    for link in &links {
        let token = link.path.trim_start_matches("/s/").to_owned();
        assert!(token.len() >= 40, "{token}");
        let page = customer.get(app.url(&link.path)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let question = customer
            .get(app.url(&format!("/api/public/surveys/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(question.status(), 200);
        tokens.push(token);
    }
    let answer = customer
        .post(app.url(&format!("/api/public/surveys/{}", tokens[0])))
        .header(CSRF_HEADER, "1")
        .json(&json!({ "score": 9, "comment": "Great" }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    // An encoded spelling routes to the same page: redacted too.
    let encoded = format!("/%73/{}", tokens[1]);
    assert_eq!(raw_request(&app, "GET", &encoded, &[], b"").await, 200);
    let log = wait_for_log("/api/public/surveys/[redacted]");
    assert!(log.contains("http.target=/s/[redacted]"), "{log}");
    assert!(log.contains("http.target=/api/public/surveys/[redacted]"));
    for token in &tokens {
        assert!(!log.contains(token.as_str()), "a token reached the log");
    }
    // Other requests keep their full target.
    assert!(log.contains("http.target=/api/v1/surveys"));
}

#[tokio::test]
async fn contact_emails_with_link_parameters_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let a = app.insert_account(&account("Sakura KK", 100_000));
    let path = format!("/api/v1/accounts/{a}/contacts");
    for email in [
        "jane?bcc=attacker%40evil.example&subject=x@customer.example",
        "jane&cc=x@customer.example",
        "jane%3Fbcc@customer.example",
        "jane#x@customer.example",
    ] {
        let r = app
            .post_json(&path, &json!({ "name": "Jane", "email": email }))
            .await;
        let problem = assert_problem(r, 400, "validation_failed").await;
        assert_eq!(problem.errors[0].field, "email", "{email}");
        assert!(problem.errors[0].message.contains('?'), "{problem:?}");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM contacts"), 0);
    let ok = app
        .post_json(
            &path,
            &json!({ "name": "Jane", "email": "jane+cs@customer.example" }),
        )
        .await;
    assert_eq!(ok.status(), 201);
}

/// The data rows of a CSV download, BOM checked.
async fn csv_rows(response: reqwest::Response) -> Vec<Vec<String>> {
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn every_csv_export_guards_formulas_the_same_way_full_width_included() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Formula").await;
    let name = "＝HYPERLINK(\"http://evil.example\")";
    let a = app.insert_account(&kizuna_server::db::accounts::NewAccount {
        external_id: Some("CRM-1".into()),
        owner_id: Some(manager.id),
        ..account(name, 100_000)
    });
    let survey = create_survey(&manager, "nps", "Guarded NPS").await;
    // A comment that starts with Excel's own text prefix and a formula.
    let comment = "'=1+1 and ＠SUM(A1)";
    assert_eq!(
        record(&manager, survey.id, a, 3, Some(comment))
            .await
            .status(),
        201
    );

    // Accounts: the name is guarded, and the file imports back unchanged.
    let accounts = csv_rows(manager.get("/api/v1/accounts/export").await).await;
    assert_eq!(accounts[0][1], format!("'{name}"));

    // Answers: the account name and the comment, the latter doubled.
    let answers = csv_rows(
        manager
            .get(&format!("/api/v1/surveys/{}/responses/export", survey.id))
            .await,
    )
    .await;
    assert_eq!(answers[0][2], format!("'{name}"));
    assert_eq!(answers[0][11], format!("'{comment}"));
    assert_eq!(
        kizuna_shared::cells::restore_formula(&answers[0][11]),
        comment,
        "the guard must round-trip"
    );

    // Audit: the target label of the answer's entry names the account.
    let admin = sign_in(&app, Role::Admin, "Auditor").await;
    let audit = csv_rows(admin.get("/api/v1/audit/export").await).await;
    for row in &audit {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@', '＝', '＋', '－', '＠']),
                "unguarded audit cell {cell:?}"
            );
        }
    }
    assert!(audit.iter().flatten().any(|c| c.contains(name)));

    // The accounts export imports back without a change.
    let file = manager
        .get("/api/v1/accounts/export")
        .await
        .bytes()
        .await
        .unwrap();
    let r = manager
        .client
        .post(manager.url("/api/v1/imports?kind=accounts&dry_run=true&file_name=back.csv"))
        .header("content-type", "text/csv")
        .body(file.to_vec())
        .send()
        .await
        .unwrap();
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["error_count"], 0, "{report}");
    assert_eq!(report["unchanged"], 1, "{report}");
}

#[tokio::test]
async fn reading_the_scoring_data_is_audited_like_an_export() {
    let app = spawn_app().await;
    for (i, role) in [Role::Csm, Role::Executive, Role::Manager]
        .into_iter()
        .enumerate()
    {
        let user = sign_in(&app, role, &format!("Reader {i}")).await;
        let r = user
            .get("/api/v1/scoring-data?as_of=2026-01-31&window_days=180&lags=30")
            .await;
        assert_eq!(r.status(), 200, "{role}");
        let reads = app.count(&format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE kind = 'scoring_data_read' AND actor_id = {}",
            user.id
        ));
        assert_eq!(reads, 1, "{role}");
    }
    let admin = sign_in(&app, Role::Admin, "Auditor").await;
    let entries: Value = admin.json("/api/v1/audit?kind=scoring_data_read").await;
    assert_eq!(entries["total"], 3);
    let summary = entries["items"][0]["summary"].as_str().unwrap();
    assert!(summary.contains("2026-01-31"), "{summary}");
    assert!(summary.contains("180"), "{summary}");
}

/// A unique key taken between the check and the write answers a 409 with
/// a code; the database's words (table and column names, `UNIQUE`,
/// constraint names) never reach the answer.
#[tokio::test]
async fn a_race_for_a_unique_key_answers_a_code_without_the_databases_words() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    let body = json!({ "email": "twin@example.com", "name": "Twin", "role": "csm",
        "password": "a long enough password" });
    assert_eq!(app.post_json("/api/v1/users", &body).await.status(), 201);
    // The second insert meets the unique index (there is no check before
    // it that a race could slip past: the index is the check).
    let problem = assert_problem(
        app.post_json("/api/v1/users", &body).await,
        409,
        "email_taken",
    )
    .await;
    let text = serde_json::to_string(&problem).unwrap().to_lowercase();
    for word in [
        "unique",
        "constraint",
        "users.email",
        "users_email",
        "duplicate key",
    ] {
        assert!(!text.contains(word), "{word} in {text}");
    }
    // Same for a signal key taken by a concurrent definition: the database
    // layer maps the violation itself.
    use kizuna_server::db;
    let mut conn = app.pool.get().unwrap();
    let err = diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "INSERT INTO signal_definitions (key, label, unit, description, higher_is_better, builtin, created_at, kind) \
             SELECT key, label, unit, description, higher_is_better, builtin, created_at, kind FROM signal_definitions LIMIT 1",
        ),
        &mut conn,
    )
    .unwrap_err();
    match db::DbError::from(err) {
        db::DbError::Conflict(code, message) => {
            assert_eq!(code.as_str(), "signal_key_taken");
            assert!(
                !message.to_lowercase().contains("signal_definitions"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_account_edit_of_only_the_language_is_audited_with_that_field() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let a = app.insert_account(&account("Sakura KK", 100_000));
    // The stored account with only its language changed.
    let body = json!({ "version": 1, "name": "Sakura KK", "mrr_minor": 100_000,
        "currency": "JPY", "status": "active", "industry": "SaaS", "plan": "Growth",
        "contract_start": "2024-04-01", "renewal_date": "2026-04-01",
        "expansion_potential": "none", "language": "en" });
    let r = app
        .client
        .put(app.url(&format!("/api/v1/accounts/{a}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (summary, changes): (String, String) = {
        use diesel::prelude::*;
        use kizuna_server::db::schema::audit_log;
        let mut conn = app.pool.get().unwrap();
        audit_log::table
            .filter(audit_log::kind.eq("account_edited"))
            .select((audit_log::summary, audit_log::changes))
            .first(&mut conn)
            .unwrap()
    };
    assert!(!summary.contains("without changes"), "{summary}");
    assert!(summary.contains("language"), "{summary}");
    assert!(changes.contains("\"language\""), "{changes}");
    let after: Value = app
        .get(&format!("/api/v1/accounts/{a}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["language"], "en");
}
