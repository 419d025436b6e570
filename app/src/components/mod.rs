//! Reusable pieces of the UI: the app shell and small widgets.

pub mod form;
pub mod import_messages;
pub mod labels;
pub mod pager;
pub mod shell;
pub mod work;
