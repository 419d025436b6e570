//! Starting a test application and talking to it.

use std::net::TcpListener;
use std::sync::Arc;

use chrono::NaiveDate;
use kizuna_server::auth::password;
use kizuna_server::config::Config;
use kizuna_server::db::accounts::NewAccount;
use kizuna_server::db::users::NewUser;
use kizuna_server::db::{self, DbPool};
use kizuna_shared::api::{Problem, SessionUser, CSRF_HEADER, PROBLEM_CONTENT_TYPE};
use kizuna_shared::domain::Role;
use reqwest::cookie::Jar;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Response, StatusCode};
use serde_json::json;
use tempfile::TempDir;

/// The password of every user the helpers create.
pub const PASSWORD: &str = "correct horse battery staple";

/// The inline script of the test `index.html`, as Trunk writes it.
pub const INLINE_SCRIPT: &str =
    "import init, * as bindings from '/kizuna-app.js';\nwindow.wasmBindings = bindings;\ninit('/kizuna-app_bg.wasm');";

/// A running application with its own database and dist directory.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// A client with a cookie store that sends the CSRF header.
    pub client: reqwest::Client,
    /// A client sharing the cookies but sending no CSRF header.
    pub client_without_csrf: reqwest::Client,
    /// The application's database.
    pub pool: DbPool,
    /// Its URL (a second instance can share it).
    pub database_url: String,
    _dir: TempDir,
}

/// Starts the app with a dist directory holding `index.html` and `robots.txt`.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(true).await
}

/// Starts the app, with or without a built SPA.
pub async fn spawn_app_with(with_dist: bool) -> TestApp {
    spawn_app_configured(with_dist, |_| {}).await
}

/// Starts the app with the default test configuration changed by `adjust`.
pub async fn spawn_app_configured(with_dist: bool, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    spawn_on(dir, url, with_dist, adjust).await
}

/// Starts a second instance on the same database as `app` (sharing its
/// session key through the database), as a second server would.
pub async fn spawn_second_instance(app: &TestApp) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    spawn_on(dir, app.database_url.clone(), false, |_| {}).await
}

async fn spawn_on(
    dir: TempDir,
    database_url: String,
    with_dist: bool,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let dist = dir.path().join("dist");
    if with_dist {
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(
            dist.join("index.html"),
            format!(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Kizuna</title>\n\
                 <script type=\"module\">{INLINE_SCRIPT}</script>\n</head>\n<body></body>\n</html>\n"
            ),
        )
        .unwrap();
        std::fs::write(dist.join("robots.txt"), "User-agent: *\nDisallow:\n").unwrap();
    }
    let mut config = Config::new(database_url.clone());
    config.dist_dir = dist;
    config.workers = Some(1);
    adjust(&mut config);
    let state = kizuna_server::build_state(&config).unwrap();
    let pool = state.pool.clone();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = kizuna_server::run(listener, state).unwrap();
    tokio::spawn(server);

    let jar = Arc::new(Jar::default());
    let mut headers = HeaderMap::new();
    headers.insert(CSRF_HEADER, HeaderValue::from_static("1"));
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let client_without_csrf = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client,
        client_without_csrf,
        pool,
        database_url,
        _dir: dir,
    }
}

/// A fresh SQLite file in `dir`, or, when `KIZUNA_TEST_POSTGRES_URL` names a
/// PostgreSQL server (e.g. `postgres://kizuna@127.0.0.1:55433`) and the
/// `postgres` feature is on, a fresh database on that server.
pub fn database_url(dir: &std::path::Path) -> String {
    #[cfg(feature = "postgres")]
    if let Ok(base) = std::env::var("KIZUNA_TEST_POSTGRES_URL") {
        use diesel::{Connection, RunQueryDsl};
        let base = base.trim_end_matches('/');
        let name = format!(
            "kizuna_test_{}",
            password::random_password(12).to_lowercase()
        );
        let mut admin = diesel::PgConnection::establish(&format!("{base}/postgres")).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap();
        return format!("{base}/{name}");
    }
    dir.join("db")
        .join("kizuna.db")
        .to_string_lossy()
        .into_owned()
}

impl TestApp {
    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a user directly in the database and returns its id.
    pub fn create_user(&self, email: &str, name: &str, role: Role) -> i64 {
        let mut conn = self.pool.get().unwrap();
        db::users::insert(
            &mut conn,
            &NewUser {
                email: kizuna_shared::api::Email::parse(email).unwrap(),
                name: name.into(),
                role,
                password_hash: password::hash(PASSWORD).unwrap(),
            },
        )
        .unwrap()
        .id
    }

    /// Signs in with e-mail and password.
    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/v1/session",
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Creates a user with `role` and signs in as them.
    pub async fn login_as(&self, role: Role) -> SessionUser {
        let email = format!("{}@test.kizuna", role.as_str());
        self.create_user(&email, &format!("Test {role}"), role);
        let response = self.login(&email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Inserts an account directly and returns its id.
    pub fn insert_account(&self, account: &NewAccount) -> i64 {
        let mut conn = self.pool.get().unwrap();
        db::accounts::insert(&mut conn, account).unwrap()
    }
}

/// An active JPY account with the given name and MRR; adjust fields as needed.
pub fn account(name: &str, mrr_minor: i64) -> NewAccount {
    let now = chrono::Utc::now().naive_utc();
    NewAccount {
        name: name.into(),
        external_id: None,
        industry: Some("SaaS".into()),
        plan: Some("Growth".into()),
        mrr_minor,
        currency: "JPY".into(),
        contract_start: NaiveDate::from_ymd_opt(2024, 4, 1),
        renewal_date: NaiveDate::from_ymd_opt(2026, 4, 1),
        owner_id: None,
        status: "active".into(),
        churn_date: None,
        churn_reason: None,
        flag_well_known: false,
        flag_feedback: false,
        flag_influencer: false,
        expansion_potential: "none".into(),
        champion_name: None,
        champion_changed_on: None,
        created_at: now,
        updated_at: now,
        domain: None,
    }
}

/// Asserts `response` is an `application/problem+json` answer with this
/// status and code, and returns the problem.
pub async fn assert_problem(response: Response, status: u16, code: &str) -> Problem {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, PROBLEM_CONTENT_TYPE);
    let problem: Problem = response.json().await.unwrap();
    assert_eq!(problem.code.as_str(), code, "problem code ({problem:?})");
    assert_eq!(problem.status, status);
    problem
}

/// The `name=value` of the session cookie a response sets.
pub fn session_cookie(response: &Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-kizuna_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// A client without cookie store or default headers, for replaying cookies
/// by hand.
pub fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    /// Signs in as `email` with a bare client and returns the session cookie.
    pub async fn session_for(&self, email: &str) -> String {
        let response = bare_client()
            .post(self.url("/api/v1/session"))
            .header(CSRF_HEADER, "1")
            .json(&json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        session_cookie(&response)
    }

    /// `DELETE /api/v1/session` with exactly this cookie.
    pub async fn sign_out_with(&self, cookie: &str) -> Response {
        bare_client()
            .delete(self.url("/api/v1/session"))
            .header("cookie", cookie)
            .header(CSRF_HEADER, "1")
            .send()
            .await
            .unwrap()
    }

    /// Inserts a contact on `account_id` directly and returns its id.
    pub fn insert_contact(&self, account_id: i64, name: &str) -> i64 {
        use kizuna_server::db::contacts::NewContact;
        let mut conn = self.pool.get().unwrap();
        db::contacts::insert_many(
            &mut conn,
            &[NewContact {
                account_id,
                name: name.into(),
                email: None,
                title: None,
                phone: None,
                is_champion: false,
                created_at: chrono::Utc::now().naive_utc(),
            }],
        )
        .unwrap();
        self.count(&format!(
            "SELECT MAX(id) AS n FROM contacts WHERE account_id = {account_id}"
        ))
    }

    /// `GET path` with exactly this cookie.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Response {
        bare_client()
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// A query returning one number, e.g. `SELECT COUNT(*) AS n FROM sessions`.
    pub fn count(&self, sql: &str) -> i64 {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.pool.get().unwrap();
        diesel::sql_query(sql).get_result::<N>(&mut conn).unwrap().n
    }

    /// Runs one SQL statement directly (a change no API makes in one step).
    pub fn execute(&self, sql: &str) {
        use diesel::RunQueryDsl;
        let mut conn = self.pool.get().unwrap();
        diesel::sql_query(sql).execute(&mut conn).unwrap();
    }

    /// The audit kinds recorded so far, oldest first.
    pub fn audit_kinds(&self) -> Vec<String> {
        use diesel::prelude::*;
        use kizuna_server::db::schema::audit_log;
        let mut conn = self.pool.get().unwrap();
        audit_log::table
            .order_by(audit_log::id.asc())
            .select(audit_log::kind)
            .load(&mut conn)
            .unwrap()
    }
}

/// Sends one HTTP/1.1 request exactly as written (the path is not
/// normalised, unlike with reqwest's URL type) and returns the status code.
pub async fn raw_request(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"))
}
