//! Runtime configuration of the server (from the command line and `KIZUNA_*`
//! environment variables, see `cli`).

use std::path::PathBuf;

/// Default SQLite database file.
pub const DEFAULT_DATABASE_URL: &str = "data/kizuna.db";

/// Everything `build_state` needs to start the application.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://path`, a plain path, or (with the `postgres` feature) `postgres://…`.
    pub database_url: String,
    /// Directory of the built single-page app (`index.html` and assets).
    pub dist_dir: PathBuf,
    /// Whether the session cookie is `Secure` (set behind HTTPS).
    pub secure_cookie: bool,
    /// Session signing key (hex or base64, ≥ 64 bytes); generated and stored
    /// in the database when absent.
    pub session_key: Option<String>,
    /// HTTP worker threads (`None`: one per core).
    pub workers: Option<usize>,
    /// Requests per minute per client address to the public survey page
    /// and API.
    pub public_survey_limit: u32,
}

impl Config {
    /// A configuration with defaults for everything but the database.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            dist_dir: PathBuf::from("dist"),
            secure_cookie: false,
            session_key: None,
            workers: None,
            public_survey_limit: crate::auth::public_limit::DEFAULT_PER_MINUTE,
        }
    }
}
