//! Kizuna's shared core: the domain types, the HTTP API contract between the
//! server and the browser app, and every metric the product shows.
//!
//! This crate does no I/O and depends on no web or database framework, so it
//! builds for `wasm32-unknown-unknown` and the browser and server compute every
//! number with the same code.

#[macro_use]
mod macros;

pub mod api;
pub mod cells;
pub mod coverage;
pub mod domain;
pub mod metrics;
