//! The reference vectors in headless Chromium (wasm32): the same checks as
//! the native `vectors.rs`, proving both targets compute the same numbers.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

mod common;

const VECTORS: &str = include_str!("../../../shared/testdata/kpi-vectors.json");

#[wasm_bindgen_test]
fn reference_vectors_reproduce_in_the_browser() {
    let r = common::check_all(VECTORS);
    assert!(
        r.failures.is_empty(),
        "{} mismatches:\n{}",
        r.failures.len(),
        r.failures.join("\n")
    );
    assert_eq!(r.cases, 7 + 4 + 1);
    assert!(r.checked > 300, "only {} values checked", r.checked);
}
