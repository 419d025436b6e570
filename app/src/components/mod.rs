//! Reusable pieces of the UI: widgets more than one page (or the shell)
//! uses. Components import nothing from `pages`, `shell` or `router`.

pub mod account_picker;
pub mod form;
pub mod import_messages;
pub mod labels;
pub mod language_switch;
pub mod pager;
pub mod progress;
pub mod route_params;
pub mod sheets;
pub mod signal_form;
pub mod task_list;
pub mod texts;
