//! Kizuna's browser app: a Leptos single-page app (client-side rendered,
//! compiled to WebAssembly). It talks to the server only through the JSON API
//! whose types live in `kizuna_shared::api`, and computes every number with
//! `kizuna_shared` so it can never disagree with the server.
//!
//! Layers, top to bottom (each imports only from the layers below it; the
//! tidy test `xtask/tests/tidy_app.rs` checks it): `router` → `shell` →
//! `pages` (one per route, never importing another page) → `components`,
//! `charts` → `api`, `session`, `live`, `format`, `i18n`, `import_file`,
//! `clock`.

// First: its `tr!` / `tr_signal!` macros are used by every module below.
#[macro_use]
pub mod i18n;

pub mod api;
pub mod charts;
pub mod clock;
pub mod components;
pub mod format;
pub mod import_file;
pub mod live;
pub mod pages;
pub mod router;
pub mod session;
pub mod shell;

pub use router::App;
