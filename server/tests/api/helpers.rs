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
    /// The database URL (for a second instance on the same database).
    pub database_url: String,
    _dir: TempDir,
}

/// Starts the app with a dist directory holding `index.html` and `robots.txt`.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(true).await
}

/// Starts the app, with or without a built SPA.
pub async fn spawn_app_with(with_dist: bool) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
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
    let url = database_url(dir.path());
    start(dir, dist, url)
}

/// Starts the app on `database_url` with `dist` (which may not exist).
fn start(dir: TempDir, dist: std::path::PathBuf, url: String) -> TestApp {
    let mut config = Config::new(url.clone());
    config.dist_dir = dist;
    config.workers = Some(1);
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
        database_url: url,
        _dir: dir,
    }
}

/// A fresh SQLite file in `dir`, or, when `KIZUNA_TEST_POSTGRES_URL` names a
/// PostgreSQL server (e.g. `postgres://kizuna@127.0.0.1:55433`) and the
/// `postgres` feature is on, a fresh database on that server.
fn database_url(dir: &std::path::Path) -> String {
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
    /// A second server instance on the same database (as when several
    /// instances run behind a load balancer), with its own cookie jar.
    pub fn another_instance(&self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path().join("no-dist");
        start(dir, dist, self.database_url.clone())
    }

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
                email: email.into(),
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
    assert_eq!(problem.code, code, "problem code ({problem:?})");
    assert_eq!(problem.status, status);
    problem
}
