//! Kizuna's HTTP server as a library: configuration, database access, the
//! `/api` routes and the single-page app, so that `main.rs` only parses the
//! command line and the integration tests can start the real application.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod auth;
pub mod cli;
pub mod config;
pub mod csv_file;
pub mod db;
pub mod demo;
pub mod error;
pub mod events;
pub mod import;
pub mod kpi;
pub mod openapi;
pub mod routes;
pub mod scoring_cache;
pub mod snapshots;
pub mod spa;
pub mod startup;
pub mod survey_page;
pub mod telemetry;

pub use error::ApiError;
pub use startup::{build_state, run, AppState};
