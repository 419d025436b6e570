//! One module per page of the app.

pub mod account_detail;
pub mod accounts;
pub mod login;
pub mod not_found;
pub mod users;
