//! `shared/tests/wasm_bench.rs` compiled in this package (see Cargo.toml).
#![cfg(target_arch = "wasm32")]

#[path = "../../../tests/wasm_bench.rs"]
mod bench;
