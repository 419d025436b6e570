//! Runtime configuration of the server (from the command line and `KIZUNA_*`
//! environment variables, see `cli`).

use std::path::PathBuf;

use crate::auth::rate_limit::LoginLimits;
use crate::db::sessions::Lifetime;
use crate::db::PoolOptions;

/// Default SQLite database file.
pub const DEFAULT_DATABASE_URL: &str = "data/kizuna.db";

/// Default `Strict-Transport-Security` max-age (one year) when the public
/// origin is https.
pub const DEFAULT_HSTS_MAX_AGE: u64 = 365 * 24 * 60 * 60;

/// Everything `build_state` needs to start the application.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://path`, a plain path, or (with the `postgres` feature) `postgres://…`.
    pub database_url: String,
    /// Directory of the built single-page app (`index.html` and assets).
    pub dist_dir: PathBuf,
    /// Session signing key (hex or base64, ≥ 64 bytes).
    pub session_key: Option<String>,
    /// A file holding the session key (outside the database); used when
    /// `session_key` is not set. Without either, the key is generated and
    /// stored in the database.
    pub session_key_file: Option<PathBuf>,
    /// HTTP worker threads (`None`: one per core).
    pub workers: Option<usize>,
    /// Requests per minute per client address to the public survey page
    /// and API.
    pub public_survey_limit: u32,
    /// Gross margin for the LTV KPI, as a fraction (0.8 = 80 %).
    pub gross_margin: f64,
    /// The origin browsers reach the server at (`https://kizuna.example`);
    /// `None`: `http://<bound address>`.
    pub public_origin: Option<String>,
    /// Allows a plain-http public origin on a non-loopback address (cookies
    /// then cannot be `Secure`).
    pub allow_insecure_http: bool,
    /// `Strict-Transport-Security` max-age in seconds when the public origin
    /// is https; 0 sends no header.
    pub hsts_max_age: u64,
    /// Header a trusted reverse proxy writes the client address into.
    pub trusted_proxy_header: Option<String>,
    /// Addresses or networks of the trusted proxies.
    pub trusted_proxies: Vec<String>,
    /// Session idle timeout and absolute lifetime.
    pub session_lifetime: Lifetime,
    /// Sign-in rate limits.
    pub login_limits: LoginLimits,
    /// Database connection pool.
    pub pool: PoolOptions,
}

/// Default gross margin for the LTV KPI (a typical SaaS margin).
pub const DEFAULT_GROSS_MARGIN: f64 = 0.8;

impl Config {
    /// A configuration with defaults for everything but the database.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            dist_dir: PathBuf::from("dist"),
            session_key: None,
            session_key_file: None,
            workers: None,
            public_survey_limit: crate::auth::public_limit::DEFAULT_PER_MINUTE,
            gross_margin: DEFAULT_GROSS_MARGIN,
            public_origin: None,
            allow_insecure_http: false,
            hsts_max_age: DEFAULT_HSTS_MAX_AGE,
            trusted_proxy_header: None,
            trusted_proxies: Vec::new(),
            session_lifetime: Lifetime::default(),
            login_limits: LoginLimits::default(),
            pool: PoolOptions::default(),
        }
    }
}
