//! The reference vectors in headless Chromium (wasm32): the same checks as
//! the native `vectors.rs`, proving both targets compute the same numbers.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

mod common;

#[wasm_bindgen_test]
fn reference_vectors_reproduce_in_the_browser() {
    common::assert_reference_vectors();
}
