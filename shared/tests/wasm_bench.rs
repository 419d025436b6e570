//! Browser benchmarks of the health-score workbench on 100,000 synthetic
//! accounts (timed loops with `performance.now()`, p50/p95 over many runs;
//! they never fail on timing, only on wrong results):
//!
//! - score + bands + 50-bin histogram × 8 measures, in wasm (fast path and
//!   portable path) and in a straightforward JavaScript implementation of the
//!   same arithmetic in the same page;
//! - the whole per-slider-move pipeline ([`Panel::update`]) with 8 measures
//!   and with 10 (two of them trends);
//! - decoding the scoring data;
//! - the weight fit ("Suggest weights").
//!
//! ```sh
//! CHROMEDRIVER=/usr/bin/chromedriver TMPDIR=/tmp/wb-tmp cargo test -p kizuna-shared \
//!     --release --target wasm32-unknown-unknown --test wasm_bench -- --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use js_sys::wasm_bindgen::JsValue;
use js_sys::{Array, Float64Array, Function, Uint32Array, Uint8Array};
use kizuna_shared::api::scoring_data::{decode, encode};
use kizuna_shared::metrics::{
    fit_weights, BacktestOptions, BacktestReport, Backtester, Band, FitOptions, Histogram, Panel,
    PanelOptions, Scorer,
};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "../benches/support/synth.rs"]
mod synth;

/// Accounts: 100,000 in release builds; a debug build (`cargo xtask test`
/// runs every wasm test) only checks the results on 10,000.
const N: usize = if cfg!(debug_assertions) {
    10_000
} else {
    100_000
};
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

/// Timings of a run set.
struct Stats {
    p50: f64,
    p95: f64,
    min: f64,
    runs: usize,
}

impl Stats {
    fn of(mut t: Vec<f64>) -> Self {
        t.sort_by(f64::total_cmp);
        let n = t.len();
        Self {
            p50: t[n / 2],
            p95: t[(n * 95).div_ceil(100) - 1],
            min: t[0],
            runs: n,
        }
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50 {:.2} ms, p95 {:.2} ms, min {:.2} ms ({} runs)",
            self.p50, self.p95, self.min, self.runs
        )
    }
}

/// Gives the event loop a turn (a `setTimeout(0)` task), as the browser
/// gets between two input events; the test runner's WebDriver calls time
/// out when the page is busy for 20 s at a stretch.
async fn yield_to_browser() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// Times `f` `runs` times after `warm` untimed runs, yielding to the
/// browser between runs (not timed).
async fn time(warm: usize, runs: usize, mut f: impl FnMut(usize)) -> Stats {
    for i in 0..warm {
        f(i);
        yield_to_browser().await;
    }
    let mut t = Vec::with_capacity(runs);
    for i in 0..runs {
        let t0 = now();
        f(warm + i);
        t.push(now() - t0);
        yield_to_browser().await;
    }
    Stats::of(t)
}

/// Which build this is, for the log line.
fn build() -> String {
    format!(
        "{} build, simd128 {}, label `{}`",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        if cfg!(target_feature = "simd128") {
            "on"
        } else {
            "off"
        },
        option_env!("KIZUNA_BENCH_LABEL").unwrap_or("-"),
    )
}

fn runs(release: usize) -> usize {
    if cfg!(debug_assertions) {
        3
    } else {
        release
    }
}

#[wasm_bindgen_test]
async fn scoring_wasm_vs_js() {
    let runs = runs(300);
    let model = synth::model();
    let columns = synth::columns(N, 42);
    let table = synth::table(N, 42);
    let scorer = Scorer::new(&model).expect("valid model");

    // wasm: reused buffers; the fast path (explicit simd128 kernels when
    // the build has them) and the portable one.
    let (mut scores, mut bands) = (Vec::new(), Vec::new());
    let mut hist = Histogram::percent(BINS).expect("bins");
    let fast = time(10, runs, |_| {
        scorer.score_with_histogram_into(&table, &mut scores, &mut bands, &mut hist);
    })
    .await;
    let (mut ps, mut pb) = (Vec::new(), Vec::new());
    let mut ph = Histogram::percent(BINS).expect("bins");
    let portable = time(10, runs, |_| {
        scorer.score_with_histogram_into_portable(&table, &mut ps, &mut pb, &mut ph);
    })
    .await;
    let bits = |s: &[f64]| s.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&scores), bits(&ps), "fast and portable paths agree");
    assert_eq!((&bands, &hist), (&pb, &ph));
    // The same values in f32 columns (integers: exact in f32).
    let table32 = synth::table_f32(N, 42);
    let (mut s32, mut b32) = (Vec::new(), Vec::new());
    let mut h32 = Histogram::percent(BINS).expect("bins");
    let f32_cols = time(10, runs, |_| {
        scorer.score_with_histogram_into(&table32, &mut s32, &mut b32, &mut h32);
    })
    .await;
    assert_eq!(
        bits(&scores),
        bits(&s32),
        "f32 columns of integers score the same"
    );

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
    let js = time(10, runs / 2, |_| {
        f.apply(&JsValue::NULL, &args).expect("JS scoring runs");
    })
    .await;

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
    assert_eq!(band_mismatch, 0);
    assert_eq!(js_hist.to_vec(), hist.counts);

    console_log!(
        "wasm_bench scoring ({}): {N} accounts x 8 measures, score + bands + {BINS}-bin histogram\n  wasm fast path: {fast}\n  wasm portable:  {portable}\n  wasm fast, f32 columns: {f32_cols}\n  JavaScript:     {js}\n  p95 wasm/JS = {:.2}, p95 vs 8.5 ms = {:.2}; max |score diff| {max_diff:e}",
        build(),
        fast.p95 / js.p95,
        fast.p95 / 8.5,
    );
}

#[wasm_bindgen_test]
async fn per_move_pipeline() {
    let runs = runs(200);
    let data = synth::scoring_data(N, 42);
    let inputs = data.panel_inputs();
    for (label, model) in [
        ("8 measures", synth::model()),
        ("10 measures (2 trends)", synth::trend_model()),
    ] {
        let published = Scorer::new(&model).expect("valid model");
        let mut draft = published.clone();
        let mut panel = Panel::new(PanelOptions::default()).expect("options");
        panel.set_baseline(&published, &inputs).expect("baseline");
        let weights = draft.weights();
        // A slider drag: the first weight moves a little on every input event.
        let stats = time(5, runs, |i| {
            let w = weights[0] * (0.5 + (i % 40) as f64 / 40.0);
            draft.set_weight(0, w).expect("weight");
            panel.update(&draft, &inputs).expect("update");
        })
        .await;
        // The parts on their own, for the breakdown.
        let (mut s, mut b) = (Vec::new(), Vec::new());
        let mut h = Histogram::percent(BINS).expect("bins");
        let scoring = time(5, runs / 2, |_| {
            draft.score_with_histogram_into(inputs.table, &mut s, &mut b, &mut h);
        })
        .await;
        let mut bt = Backtester::new();
        let mut report = BacktestReport::default();
        let opts = BacktestOptions {
            roc_points: Some(200),
            ..BacktestOptions::default()
        };
        let backtest = time(5, runs / 2, |_| {
            bt.run_into(&s, inputs.churned, draft.bands(), &opts, &mut report)
                .expect("lengths");
        })
        .await;
        let r = panel.result();
        let mv = r.movements.as_ref().expect("baseline");
        console_log!(
            "wasm_bench panel update ({}), {N} accounts x {label}: {stats}\n  of which scoring: {scoring}\n  of which back-test: {backtest}\n  (score + bands + histogram + per-band histogram + MRR per band per currency + movements with {} movers + back-test: AUC {:?}, {} ROC points, red precision {:?} %, recall {:?} %)",
            build(),
            mv.movers.len(),
            r.backtest.auc,
            r.backtest.roc.len(),
            r.backtest.red_precision_pct.map(|p| (p * 10.0).round() / 10.0),
            r.backtest.red_recall_pct.map(|p| (p * 10.0).round() / 10.0),
        );
    }
}

#[wasm_bindgen_test]
async fn scoring_data_decode() {
    let runs = runs(30);
    let data = synth::scoring_data(N, 42);
    let bytes = encode(&data);
    // The browser receives the body as a JS ArrayBuffer; copying it into
    // wasm memory is part of the cost.
    let js_bytes = Uint8Array::from(bytes.as_slice());
    let mut decoded = None;
    let stats = time(2, runs, |_| {
        let b = js_bytes.to_vec();
        decoded = Some(decode(&b).expect("decodes"));
    })
    .await;
    let back = decoded.expect("decoded");
    assert_eq!(encode(&back), bytes, "decoding keeps every value");
    let signals = back.signals().columns().count() + back.signals().lagged_columns().count();
    console_log!(
        "wasm_bench scoring-data decode ({}): {N} accounts x {signals} signal columns, {} bytes raw: copy + decode {stats}",
        build(),
        bytes.len(),
    );
}

#[wasm_bindgen_test]
async fn weight_fit() {
    let runs = runs(7);
    let table = synth::table(N, 42);
    let scorer = Scorer::new(&synth::model()).expect("valid model");
    let (scores, _) = scorer.score(&table);
    let churned = synth::churned(&scores, 7);
    let mut result = None;
    let stats = time(1, runs, |_| {
        result = Some(fit_weights(
            &scorer,
            &table,
            &churned,
            &FitOptions::default(),
        ));
    })
    .await;
    let s = result.expect("ran").expect("fits");
    console_log!(
        "wasm_bench fit_weights ({}), {N} x 8: {stats}; {} iterations, AUC {:?} → {:?}",
        build(),
        s.iterations,
        s.current_auc,
        s.suggested_auc,
    );
}
