//! Browser benchmark: scoring + bands + 50-bin histogram of 100,000 accounts
//! × 8 measures in wasm against a straightforward JavaScript implementation
//! of the same arithmetic in the same page. Prints best-of-N timings and the
//! ratio; never fails on timing (it only checks both agree).
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test -p kizuna-shared --release \
//!     --target wasm32-unknown-unknown --test wasm_bench
//! ```
#![cfg(target_arch = "wasm32")]

use js_sys::wasm_bindgen::JsValue;
use js_sys::{Array, Float64Array, Function, Uint32Array, Uint8Array};
use kizuna_shared::metrics::{Band, Histogram, Scorer};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "../benches/support/synth.rs"]
mod synth;

const N: usize = 100_000;
const BINS: usize = 50;

/// The same scoring in plain JavaScript: per account, per measure, the
/// textbook curve evaluation, weighted mean, band and histogram bin.
const JS_SCORE: &str = r#"
const model = JSON.parse(modelJson);
const ms = model.measures, m = ms.length;
const red = model.cuts[0], green = model.cuts[1];
const nb = hist.length;
hist.fill(0);
for (let i = 0; i < n; i++) {
  let wp = 0, sw = 0;
  for (let j = 0; j < m; j++) {
    const me = ms[j], v = cols[j][i], pts = me.curve.points;
    if (v !== v) { if (me.missing === 'zero') sw += me.weight; continue; }
    let p;
    if (me.curve.kind === 'linear') {
      const last = pts.length - 1;
      if (v <= pts[0][0]) p = pts[0][1];
      else if (v >= pts[last][0]) p = pts[last][1];
      else {
        for (let k = 1; k <= last; k++) {
          if (v <= pts[k][0]) {
            const xa = pts[k - 1][0], ya = pts[k - 1][1], xb = pts[k][0], yb = pts[k][1];
            p = ya + (yb - ya) / (xb - xa) * (v - xa);
            break;
          }
        }
      }
    } else {
      p = pts[0][1];
      for (let k = 1; k < pts.length; k++) { if (v >= pts[k][0]) p = pts[k][1]; else break; }
    }
    wp += me.weight * p; sw += me.weight;
  }
  const s = sw > 0 ? wp / sw : NaN;
  scores[i] = s;
  if (s !== s) { bands[i] = 3; continue; }
  bands[i] = s < red ? 0 : (s < green ? 1 : 2);
  let b = Math.floor(s * nb / 100);
  if (b < 0) b = 0; else if (b >= nb) b = nb - 1;
  hist[b]++;
}
"#;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

#[wasm_bindgen_test]
fn wasm_vs_js_scoring() {
    let runs = if cfg!(debug_assertions) { 3 } else { 30 };
    let model = synth::model();
    let columns = synth::columns(N, 42);
    let table = synth::table(N, 42);
    let scorer = Scorer::new(&model).expect("valid model");

    // wasm: reused buffers, best of `runs`.
    let (mut scores, mut bands) = (Vec::new(), Vec::new());
    let mut hist = Histogram::percent(BINS).expect("bins");
    let mut wasm_best = f64::INFINITY;
    for _ in 0..runs {
        let t0 = now();
        scorer.score_with_histogram_into(&table, &mut scores, &mut bands, &mut hist);
        wasm_best = wasm_best.min(now() - t0);
    }

    // JavaScript: columns copied into Float64Arrays once, outside the timing.
    let cols = Array::new();
    for (_, c) in &columns {
        cols.push(&Float64Array::from(c.as_slice()));
    }
    let js_scores = Float64Array::new_with_length(N as u32);
    let js_bands = Uint8Array::new_with_length(N as u32);
    let js_hist = Uint32Array::new_with_length(BINS as u32);
    let model_json = serde_json::to_string(&model).expect("model serialises");
    let f = Function::new_with_args("cols, n, modelJson, scores, bands, hist", JS_SCORE);
    let args = Array::new();
    args.push(&cols);
    args.push(&JsValue::from(N as u32));
    args.push(&JsValue::from_str(&model_json));
    args.push(&js_scores);
    args.push(&js_bands);
    args.push(&js_hist);
    let mut js_best = f64::INFINITY;
    for _ in 0..runs {
        let t0 = now();
        f.apply(&JsValue::NULL, &args).expect("JS scoring runs");
        js_best = js_best.min(now() - t0);
    }

    // Both compute the same numbers.
    let js_s = js_scores.to_vec();
    let max_diff = scores
        .iter()
        .zip(&js_s)
        .map(|(a, b)| {
            if a.is_nan() && b.is_nan() {
                0.0
            } else {
                (a - b).abs()
            }
        })
        .fold(0.0f64, f64::max);
    assert!(max_diff <= 1e-9, "wasm and JS scores differ by {max_diff}");
    let js_b = js_bands.to_vec();
    let band_code = |b: &Option<Band>| b.map_or(3u8, |b| b.index() as u8);
    let band_mismatch = bands
        .iter()
        .zip(&js_b)
        .filter(|(a, b)| band_code(a) != **b)
        .count();
    let js_h = js_hist.to_vec();

    console_log!(
        "wasm_bench ({} build): {N} accounts x 8 measures, score + bands + {BINS}-bin histogram, best of {runs}: wasm {:.2} ms, JS {:.2} ms, wasm/JS = {:.2} (target <= 0.5); max |score diff| {:e}, band mismatches {}, histograms equal: {}",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        wasm_best,
        js_best,
        wasm_best / js_best,
        max_diff,
        band_mismatch,
        js_h == hist.counts,
    );
}
