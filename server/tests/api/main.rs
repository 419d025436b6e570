//! Integration tests of the HTTP API: each test starts the real application
//! on a free port with its own SQLite database (see `helpers`).

mod account_edit;
mod account_rules;
mod accounts;
mod audit;
mod authz_matrix;
mod concurrency;
mod csrf;
mod demo;
mod duplicates;
mod events;
mod health_models;
mod helpers;
mod import_rules;
mod imports;
mod kpis;
mod liveness;
mod login_limits;
mod openapi;
mod public_survey;
mod schema;
mod security;
mod session;
mod sheets;
mod spa;
mod surveys;
mod users;
