//! Reusable pieces of the UI: the app shell and small widgets.

pub mod form;
pub mod labels;
pub mod shell;
pub mod work;
