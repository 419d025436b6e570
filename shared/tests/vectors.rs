//! Reproduces every expected value of the reference vectors natively (the
//! same checks run in the browser from `wasm_vectors.rs`).
#![cfg(not(target_arch = "wasm32"))]

mod common;

const VECTORS: &str = include_str!("../../../shared/testdata/kpi-vectors.json");

#[test]
fn reference_vectors_reproduce_natively() {
    let r = common::check_all(VECTORS);
    assert!(
        r.failures.is_empty(),
        "{} mismatches:\n{}",
        r.failures.len(),
        r.failures.join("\n")
    );
    assert_eq!(r.cases, 7 + 4 + 1);
    assert!(r.checked > 300, "only {} values checked", r.checked);
    println!("{} cases, {} values checked", r.cases, r.checked);
}
