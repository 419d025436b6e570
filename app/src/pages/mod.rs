//! One module per page of the app.

pub mod account_detail;
pub mod account_form;
pub mod accounts;
pub mod audit;
pub mod dashboard;
pub mod duplicates;
pub mod imports;
pub mod login;
pub mod not_found;
pub mod password;
pub mod record_answer;
pub mod sheet;
pub mod sheets;
pub mod signals;
pub mod survey;
pub mod surveys;
pub mod tasks;
pub mod templates;
pub mod users;
pub mod workbench;
