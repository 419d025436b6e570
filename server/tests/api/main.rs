//! Integration tests of the HTTP API: each test starts the real application
//! on a free port with its own SQLite database (see `helpers`).

mod account_edit;
mod account_rules;
mod accounts;
mod csrf;
mod demo;
mod duplicates;
mod health;
mod helpers;
mod import_rules;
mod imports;
mod openapi;
mod session;
mod spa;
mod users;
