#!/usr/bin/env bash
# Wasm size of the workbench core in the app's build: the size probe
# (src/lib.rs) minus the same crate with the `empty` feature (no call into
# kizuna-shared), both after wasm-bindgen and binaryen `wasm-opt -Oz` as
# Trunk does; brotli at quality 11, window 22 as `cargo xtask build-spa`.
# wasm32 is built with the repository's rustflags (simd128, .cargo/config.toml);
# RUSTFLAGS="" builds without them. kizuna-shared's opt-level is this
# package's override (Cargo.toml); `--config` style changes go through
# CARGO_PROFILE_* environment variables or an edit of Cargo.toml.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
export CARGO_TARGET_DIR="$root/target/app-profile"
wasm_opt="$root/tools/node_modules/.bin/wasm-opt"
out=$(mktemp -d)
for variant in empty full; do
  features=()
  [ "$variant" = empty ] && features=(--features empty)
  cargo build -q --release --target wasm32-unknown-unknown --manifest-path "$here/Cargo.toml" --lib "${features[@]}"
  wasm-bindgen --target web --out-dir "$out/$variant" \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/kizuna_app_profile.wasm"
  "$wasm_opt" -Oz --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/$variant/kizuna_app_profile_bg.wasm" -o "$out/$variant.wasm"
done
KIZUNA_PROBE_WASM="$out/empty.wasm $out/full.wasm" \
  cargo test -q --release --manifest-path "$here/Cargo.toml" --test size -- --nocapture 2>&1 | grep -v '^$' | grep -v 'test result\|running'
