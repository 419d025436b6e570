//! Reproduces every expected value of the reference vectors natively (the
//! same checks run in the browser from `wasm_vectors.rs`).
#![cfg(not(target_arch = "wasm32"))]

mod common;

#[test]
fn reference_vectors_reproduce_natively() {
    let r = common::assert_reference_vectors();
    println!("{} cases, {} values checked", r.cases, r.checked);
}
