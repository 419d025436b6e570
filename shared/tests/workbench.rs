//! Hand-worked tests of what the health-score workbench computes: trend
//! measures, the live panel (bands, MRR per currency, movements, back-test
//! with precision/recall and the AUC verdict) and the scoring-data format.
//! They run natively and, through `wasm_bindgen_test`, in headless Chromium.

use chrono::NaiveDate;
use kizuna_shared::api::scoring_data::{
    decode, encode, parse_lags, AccountRow, Accounts, DecodeError, ScoringData, ScoringDataQuery,
};
use kizuna_shared::domain::{Currency, Tier};
use kizuna_shared::metrics::{
    auc, auc_standard_error, backtest, AucVerdict, BacktestOptions, BacktestReport, Backtester,
    Band, Bands, Column, Curve, DataError, HealthModel, Histogram, Measure, MissingPolicy,
    ModelError, Panel, PanelError, PanelInputs, PanelOptions, Scorer, SignalTable, Trend,
    TrendKind,
};

#[path = "../benches/support/synth.rs"]
#[allow(dead_code)]
mod synth;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

const NAN: f64 = f64::NAN;

fn lin(p: &[(f64, f64)]) -> Curve {
    Curve::Linear(p.to_vec())
}

fn rel(days: u32) -> Trend {
    Trend {
        days,
        kind: TrendKind::Relative,
    }
}

fn abs(days: u32) -> Trend {
    Trend {
        days,
        kind: TrendKind::Absolute,
    }
}

// ------------------------------------------------------------------ trends

#[test]
fn trend_values_by_hand() {
    // Active users 50 → 39 over 60 days: −11 users, −22 %.
    assert_eq!(abs(60).of(39.0, 50.0), -11.0);
    assert!(close(rel(60).of(39.0, 50.0), -22.0));
    // A rise from a negative base is positive: −10 → −5 is +50 %.
    assert!(close(rel(30).of(-5.0, -10.0), 50.0));
    // Missing earlier value → missing trend (either kind).
    assert!(abs(60).of(39.0, NAN).is_nan());
    assert!(rel(60).of(NAN, 50.0).is_nan());
    // Zero base: no percentage (documented), the absolute change exists.
    assert!(rel(60).of(5.0, 0.0).is_nan());
    assert!(rel(60).of(0.0, -0.0).is_nan());
    assert_eq!(abs(60).of(5.0, 0.0), 5.0);
    assert_eq!(rel(60).to_string(), "60-day change %");
}

/// users: value at as-of and 60 days earlier for five accounts.
fn trend_table() -> SignalTable {
    let mut t = SignalTable::new(5);
    t.add("users", vec![39.0, 40.0, 10.0, NAN, 20.0])
        .expect("column");
    t.add_lagged("users", 60, vec![50.0, 40.0, 0.0, 30.0, NAN])
        .expect("lagged column");
    t
}

#[test]
fn trend_measure_scores_by_hand() {
    // Value measure: 0 users → 0 points, 50 → 100 (weight 1, skip).
    // Trend measure: −40 % → 0, 0 % → 100 (weight 3, skip).
    let model = HealthModel::new(vec![
        Measure::new("users", 1.0, lin(&[(0.0, 0.0), (50.0, 100.0)])),
        Measure::new("users", 3.0, lin(&[(-40.0, 0.0), (0.0, 100.0)])).with_trend(rel(60)),
    ]);
    let scorer = Scorer::new(&model).expect("valid: value and trend of one signal");
    let (s, b) = scorer.score(&trend_table());
    // 0: value 39 → 78; trend −22 % → 45: (78 + 3·45)/4 = 53.25
    // 1: value 40 → 80; trend 0 % → 100: (80 + 300)/4 = 95
    // 2: value 10 → 20; base 0 → trend missing (skip): 20
    // 3: value missing, trend missing: no score
    // 4: value 20 → 40; earlier missing → trend missing: 40
    let expected = [53.25, 95.0, 20.0, NAN, 40.0];
    for (i, (x, e)) in s.iter().zip(expected).enumerate() {
        assert!(x.is_nan() && e.is_nan() || close(*x, e), "{i}: {x} vs {e}");
    }
    assert_eq!(
        b,
        vec![
            Some(Band::Yellow),
            Some(Band::Green),
            Some(Band::Red),
            None,
            Some(Band::Yellow)
        ]
    );

    // The per-account explanation reads the trend, and so does score_one.
    let ex = scorer.explain(&trend_table(), 0).expect("in range");
    assert_eq!(ex.measures[1].trend, Some(rel(60)));
    assert!(close(ex.measures[1].value.expect("trend"), -22.0));
    assert!(close(ex.measures[1].points.expect("points"), 45.0));
    let one = scorer.score_one(|signal, days| match (signal, days) {
        ("users", 0) => Some(39.0),
        ("users", 60) => Some(50.0),
        _ => None,
    });
    assert!(close(one.expect("scored"), 53.25));

    // The values behind the curve editor are the trends.
    let mut v = Vec::new();
    assert!(scorer.values_into(&trend_table(), 1, &mut v));
    assert!(close(v[0], -22.0) && v[1] == 0.0 && v[2].is_nan() && v[4].is_nan());
}

#[test]
fn missing_lagged_column_is_missing_everywhere() {
    let model = HealthModel::new(vec![
        Measure::new("users", 1.0, lin(&[(0.0, 0.0), (50.0, 100.0)])),
        Measure::new("users", 1.0, lin(&[(-10.0, 0.0), (10.0, 100.0)]))
            .with_trend(abs(90))
            .with_missing(MissingPolicy::Zero),
    ]);
    let scorer = Scorer::new(&model).expect("valid");
    let t = trend_table();
    assert_eq!(scorer.absent_measures(&t), vec![1]);
    assert_eq!(scorer.absent_signals(&t), vec!["users"]);
    let (s, _) = scorer.score(&t);
    // No 90-day column: the trend is missing and scores 0 under `zero`.
    assert!(close(s[0], 78.0 / 2.0));
}

#[test]
fn trend_models_validate_and_read_old_json() {
    let twice = HealthModel::new(vec![
        Measure::new("users", 1.0, lin(&[(0.0, 0.0)])).with_trend(rel(60)),
        Measure::new("users", 1.0, lin(&[(0.0, 0.0)])).with_trend(rel(60)),
    ]);
    assert_eq!(
        twice.validate(),
        Err(ModelError::DuplicateSignal {
            signal: "users".into(),
            trend: Some(rel(60)),
        })
    );
    assert!(twice
        .validate()
        .unwrap_err()
        .to_string()
        .contains("60-day change %"));
    let mut other_kind = twice.clone();
    other_kind.measures[1].trend = Some(abs(60));
    assert_eq!(other_kind.validate(), Ok(()));
    for days in [0, 3651] {
        let mut bad = other_kind.clone();
        bad.measures[0].trend = Some(rel(days));
        assert_eq!(
            bad.validate(),
            Err(ModelError::InvalidTrendDays {
                signal: "users".into(),
                days
            })
        );
    }
    // JSON: absent trend reads as the value; a trend round-trips.
    let old: HealthModel = serde_json::from_str(
        r#"{"measures":[{"signal":"s","weight":1,"curve":{"kind":"linear","points":[[0,0]]}}]}"#,
    )
    .expect("old JSON");
    assert_eq!(old.measures[0].trend, None);
    let json = serde_json::to_value(&other_kind).expect("ser");
    assert_eq!(
        json["measures"][0]["trend"],
        serde_json::json!({"days": 60, "kind": "relative"})
    );
    assert!(serde_json::to_value(&old).expect("ser")["measures"][0]
        .get("trend")
        .is_none());
    let back: HealthModel = serde_json::from_value(json).expect("de");
    assert_eq!(back, other_kind);
}

#[test]
fn lagged_columns_are_checked() {
    let mut t = SignalTable::new(2);
    assert_eq!(
        t.add_lagged("a", 0, vec![1.0, 2.0]),
        Err(DataError::ZeroLag("a".into()))
    );
    assert!(matches!(
        t.add_lagged("a", 30, vec![1.0]),
        Err(DataError::LengthMismatch { .. })
    ));
    t.add_lagged("a", 30, vec![1.0f32, 2.0])
        .expect("f32 lagged");
    assert_eq!(
        t.add_lagged("a", 30, vec![1.0, 2.0]),
        Err(DataError::DuplicateLaggedColumn {
            signal: "a".into(),
            days: 30
        })
    );
    assert_eq!(t.lagged("a", 30).and_then(|c| c.get(1)), Some(2.0));
    assert_eq!(t.lagged_columns().count(), 1);

    // Row-by-row filling, as the server reads dated values: absent columns
    // start all missing; an f32 column cannot be lent as f64.
    t.values_mut("b", 0).expect("new column")[1] = 7.0;
    t.values_mut("b", 60).expect("new lagged column")[0] = 5.0;
    assert_eq!(
        t.column("b").map(|c| (c.get(0), c.get(1))),
        Some((None, Some(7.0)))
    );
    assert_eq!(t.lagged("b", 60).and_then(|c| c.get(0)), Some(5.0));
    assert!(t.values_mut("a", 30).is_none());
    assert_eq!(t.values_mut("b", 0).map(|v| v.len()), Some(2));
}

// ------------------------------------------------------- kernel identity

/// Every curve shape the kernel dispatches on (0–5 terms, linear and steps,
/// skip and zero), f64 and f32 columns and a trend, over an odd number of
/// accounts: the explicit-SIMD (wasm) / AVX2 (x86-64) path and the portable
/// path give the same bits.
#[test]
fn fast_and_portable_kernels_agree_bit_for_bit() {
    let n = 2_051;
    let mut t = SignalTable::new(n);
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut measures = Vec::new();
    for k in 0..12usize {
        let col: Vec<f64> = (0..n)
            .map(|i| {
                let r = next();
                // Every 101st account has no value at all.
                if r % 11 == 0 || i % 101 == 0 {
                    NAN
                } else {
                    (r % 2000) as f64 / 17.0 - 30.0
                }
            })
            .collect();
        let key = format!("s{k}");
        if k % 3 == 2 {
            t.add(&key, col.iter().map(|&v| v as f32).collect::<Vec<f32>>())
        } else {
            t.add(&key, col)
        }
        .expect("column");
        let pts: Vec<(f64, f64)> = (0..=(k % 6))
            .map(|j| (j as f64 * 13.0 - 20.0, ((j * 37 + k * 11) % 101) as f64))
            .collect();
        let curve = if k % 2 == 0 {
            Curve::Linear(pts)
        } else {
            Curve::Steps(pts)
        };
        measures.push(Measure::new(key, 1.0 + k as f64 * 0.37, curve));
    }
    let lag: Vec<f64> = (0..n)
        .map(|i| if i % 13 == 0 { NAN } else { (i % 50) as f64 })
        .collect();
    t.add_lagged("s0", 30, lag).expect("lagged");
    measures.push(
        Measure::new(
            "s0",
            2.0,
            lin(&[(-100.0, 0.0), (0.0, 50.0), (100.0, 100.0)]),
        )
        .with_trend(rel(30)),
    );
    let skip_only = HealthModel::new(measures.clone());
    for (k, m) in measures.iter_mut().enumerate() {
        if k % 4 == 1 {
            m.missing = MissingPolicy::Zero;
        }
    }
    for (skip, model) in [(true, skip_only), (false, HealthModel::new(measures))] {
        let scorer = Scorer::new(&model).expect("valid");
        let (mut s1, mut b1, mut s2, mut b2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut h1 = Histogram::percent(50).expect("bins");
        let mut h2 = h1.clone();
        scorer.score_with_histogram_into(&t, &mut s1, &mut b1, &mut h1);
        scorer.score_with_histogram_into_portable(&t, &mut s2, &mut b2, &mut h2);
        let bits = |s: &[f64]| s.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&s1), bits(&s2));
        assert_eq!(b1, b2);
        assert_eq!(h1, h2);
        for band in Band::ALL {
            assert!(b1.contains(&Some(band)), "{band:?} occurs");
        }
        // Unscored accounts only without a `zero` measure.
        assert_eq!(b1.contains(&None), skip);
    }
}

/// FNV-1a over the bits of every score and band of the synthetic data set
/// scored with the trend model.
fn score_fingerprint(portable: bool) -> u64 {
    let data = synth::scoring_data(5_000, 7);
    let scorer = Scorer::new(&synth::trend_model()).expect("valid");
    let (mut s, mut b) = (Vec::new(), Vec::new());
    let mut h = Histogram::percent(50).expect("bins");
    if portable {
        scorer.score_with_histogram_into_portable(data.signals(), &mut s, &mut b, &mut h);
    } else {
        scorer.score_with_histogram_into(data.signals(), &mut s, &mut b, &mut h);
    }
    let mut f = 0xcbf2_9ce4_8422_2325u64;
    let bytes = s
        .iter()
        .flat_map(|v| v.to_bits().to_le_bytes())
        .chain(b.iter().map(|b| b.map_or(3, |b| b.index() as u8)));
    for byte in bytes {
        f = (f ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    f
}

/// The same scores to the bit on every target: this constant was computed
/// natively (x86-64, SSE2 and AVX2 paths) and the test runs unchanged in
/// Chromium, where the wasm build with `simd128` checks both its explicit
/// SIMD and its portable path and a build without `simd128`
/// (`RUSTFLAGS=""`) checks the scalar one.
#[test]
fn scores_are_bit_identical_across_targets() {
    const EXPECTED: u64 = 9_784_212_150_971_408_878;
    assert_eq!(score_fingerprint(false), EXPECTED, "fast path");
    assert_eq!(score_fingerprint(true), EXPECTED, "portable path");
}

// ---------------------------------------------------------------- back-test

#[test]
fn red_precision_recall_and_verdict_by_hand() {
    // Scores 10, 20, 30 (red), 50 (yellow), 80, 90 (green), NaN.
    // Churned: 10, 30, 80, NaN.
    let scores = [10.0, 20.0, 30.0, 50.0, 80.0, 90.0, NAN];
    let churned = [true, false, true, false, true, false, true];
    let r = backtest(&scores, &churned, Bands::default()).expect("lengths");
    // Red: 3 accounts, 2 churned → precision 66.7 %; 3 churned scored, 2
    // red → recall 66.7 %.
    assert!(close(r.red_precision_pct.expect("red"), 200.0 / 3.0));
    assert!(close(r.red_recall_pct.expect("churned"), 200.0 / 3.0));
    assert_eq!(r.churned, 3);
    // Three churned accounts are fewer than ten.
    assert_eq!(
        r.auc_verdict,
        AucVerdict::TooFewChurned {
            churned: 3,
            needed: 10
        }
    );
    assert!(r.auc.is_some(), "the number is still there for the server");
    // No red account → no precision; nobody churned → no recall.
    let none_red = backtest(&[50.0, 60.0], &[true, false], Bands::default()).expect("ok");
    assert_eq!(none_red.red_precision_pct, None);
    assert_eq!(none_red.red_recall_pct, Some(0.0));
    let none_churned = backtest(&[10.0, 60.0], &[false, false], Bands::default()).expect("ok");
    assert_eq!(none_churned.red_recall_pct, None);
    assert_eq!(none_churned.red_precision_pct, Some(0.0));
}

#[test]
fn auc_verdict_rule_at_the_boundary() {
    assert_eq!(AucVerdict::of(10, 10, 10), AucVerdict::Meaningful);
    assert_eq!(
        AucVerdict::of(9, 500, 10),
        AucVerdict::TooFewChurned {
            churned: 9,
            needed: 10
        }
    );
    assert_eq!(
        AucVerdict::of(500, 9, 10),
        AucVerdict::TooFewRetained {
            retained: 9,
            needed: 10
        }
    );
    // Both small: the churned side is named first.
    assert!(matches!(
        AucVerdict::of(0, 0, 10),
        AucVerdict::TooFewChurned { .. }
    ));
    // Through backtest: 10 churned + 10 retained is enough, 9 is not.
    let scores: Vec<f64> = (0..20).map(f64::from).collect();
    let mut churned: Vec<bool> = (0..20).map(|i| i < 10).collect();
    let r = backtest(&scores, &churned, Bands::default()).expect("ok");
    assert_eq!(r.auc_verdict, AucVerdict::Meaningful);
    assert_eq!(r.auc, Some(1.0));
    churned[9] = false;
    let r = backtest(&scores, &churned, Bands::default()).expect("ok");
    assert!(!r.auc_verdict.is_meaningful());
    assert_eq!(
        serde_json::to_value(r.auc_verdict).expect("ser"),
        serde_json::json!({"status": "too_few_churned", "churned": 9, "needed": 10})
    );
}

#[test]
fn auc_standard_error_by_hand() {
    // Hanley–McNeil at A = 0.75, n1 = 10, n2 = 1000:
    // Q1 = 0.75/1.25 = 0.6, Q2 = 2·0.5625/1.75 = 0.642857…
    // var = (0.1875 + 9·(0.6 − 0.5625) + 999·(0.642857… − 0.5625)) / 10000
    let q2: f64 = 2.0 * 0.5625 / 1.75;
    let var = (0.1875 + 9.0 * 0.0375 + 999.0 * (q2 - 0.5625)) / 10_000.0;
    let se = auc_standard_error(0.75, 10, 1000).expect("defined");
    assert!(close(se, var.sqrt()));
    assert!(se > 0.08 && se < 0.1, "about 0.09 (module docs): {se}");
    assert_eq!(auc_standard_error(0.75, 0, 10), None);
}

#[test]
fn decimated_roc_keeps_the_shape_and_the_ends() {
    let n = 5_000;
    let scores: Vec<f64> = (0..n).map(|i| ((i * 7919) % n) as f64).collect();
    let churned: Vec<bool> = (0..n).map(|i| (i * 31 % 97) < 20).collect();
    let full = backtest(&scores, &churned, Bands::default()).expect("ok");
    let mut b = Backtester::new();
    let mut out = BacktestReport::default();
    let opts = BacktestOptions {
        roc_points: Some(100),
        min_class: 10,
    };
    b.run_into(&scores, &churned, Bands::default(), &opts, &mut out)
        .expect("ok");
    assert!(full.roc.len() > 4_000);
    assert!(
        out.roc.len() <= 102 && out.roc.len() > 50,
        "{}",
        out.roc.len()
    );
    assert_eq!(out.roc.first(), full.roc.first());
    assert_eq!(out.roc.last(), full.roc.last());
    // Every kept point is a point of the full curve, in order, and no gap
    // along the curve is much longer than 2/100.
    let mut it = full.roc.iter();
    for p in &out.roc {
        assert!(it.any(|q| q == p), "{p:?} not on the full curve");
    }
    for w in out.roc.windows(2) {
        let gap = (w[1].fpr - w[0].fpr) + (w[1].tpr - w[0].tpr);
        assert!(gap < 0.02 + 2.0 / 1000.0, "gap {gap}");
    }
    // Everything but the ROC is the same as the plain back-test.
    assert_eq!(out.auc, full.auc);
    assert_eq!(out.bands, full.bands);
    assert_eq!(out.auc, auc(&scores, &churned));
    // Reusing the back-tester gives the same answer.
    let roc_ptr = out.roc.as_ptr();
    b.run_into(&scores, &churned, Bands::default(), &opts, &mut out)
        .expect("ok");
    assert_eq!(out.roc.as_ptr(), roc_ptr);
}

// -------------------------------------------------------------------- panel

/// Six accounts, one measure `x` scoring its value (0–100).
struct Fixture {
    table: SignalTable,
    mrr: Vec<i64>,
    currencies: Vec<Currency>,
    churned: Vec<bool>,
}

impl Fixture {
    fn new() -> Self {
        use Currency::{Jpy, Usd};
        Self {
            table: SignalTable::new(6)
                .with("x", vec![10.0, 35.0, 50.0, 65.0, 90.0, NAN])
                .expect("column"),
            mrr: vec![100, 200, 300, 400, 500, 600],
            currencies: vec![Jpy, Usd, Jpy, Usd, Jpy, Jpy],
            churned: vec![true, true, false, false, false, true],
        }
    }

    fn inputs(&self) -> PanelInputs<'_> {
        PanelInputs {
            table: &self.table,
            mrr_minor: &self.mrr,
            currencies: &self.currencies,
            churned: &self.churned,
        }
    }
}

fn identity(cuts: (f64, f64)) -> Scorer {
    let mut m = HealthModel::new(vec![Measure::new(
        "x",
        1.0,
        lin(&[(0.0, 0.0), (100.0, 100.0)]),
    )]);
    m.cuts = cuts.into();
    Scorer::new(&m).expect("valid")
}

#[test]
fn panel_by_hand() {
    let fixture = Fixture::new();
    let inputs = fixture.inputs();
    let mut panel = Panel::new(PanelOptions {
        bins: 10,
        roc_points: 50,
        max_movers: 2,
        min_class: 2,
    })
    .expect("options");
    // Published: cuts 40/70 → red 10, 35; yellow 50, 65; green 90.
    panel
        .set_baseline(&identity((40.0, 70.0)), &inputs)
        .expect("baseline");
    // Draft: cuts 60/80 → red 10, 35, 50; yellow 65; green 90.
    let r = panel.update(&identity((60.0, 80.0)), &inputs).expect("ok");
    assert_eq!(
        (
            r.counts.red,
            r.counts.yellow,
            r.counts.green,
            r.counts.unscored
        ),
        (3, 1, 1, 1)
    );
    // Histogram over 10 bins: 10 → bin 1, 35 → 3, 50 → 5, 65 → 6, 90 → 9.
    assert_eq!(r.histogram.counts, vec![0, 1, 0, 1, 0, 1, 1, 0, 0, 1]);
    assert_eq!(r.histogram_bands[5], [1, 0, 0]);
    assert_eq!(r.histogram_bands[6], [0, 1, 0]);
    assert_eq!(r.histogram_bands[9], [0, 0, 1]);
    // MRR per band per currency, JPY first (Currency::ALL order).
    assert_eq!(r.mrr.len(), 2);
    let (jpy, usd) = (&r.mrr[0], &r.mrr[1]);
    assert_eq!((jpy.currency, usd.currency), (Currency::Jpy, Currency::Usd));
    // JPY: 10 (100, red), 50 (300, red), 90 (500, green), NaN (600, unscored).
    assert_eq!(
        (
            jpy.bands.red,
            jpy.bands.yellow,
            jpy.bands.green,
            jpy.bands.unscored
        ),
        (400, 0, 500, 600)
    );
    assert_eq!(jpy.bands.accounts.red, 2);
    // USD: 35 (200, red), 65 (400, yellow).
    assert_eq!((usd.bands.red, usd.bands.yellow), (200, 400));
    // Movements: only 50 moved (yellow → red).
    let mv = r.movements.as_ref().expect("baseline set");
    assert_eq!((mv.up, mv.down, mv.moved), (0, 1, 1));
    assert_eq!(mv.matrix[1][0], 1);
    assert_eq!(mv.movers[0].account, 2);
    assert_eq!(
        (mv.movers[0].before, mv.movers[0].after),
        (Some(Band::Yellow), Some(Band::Red))
    );
    // Back-test: red 10 (churned), 35 (churned), 50 → precision 2/3; the
    // scored churned are 10 and 35 → recall 100 %.
    let bt = &r.backtest;
    assert!(close(bt.red_precision_pct.expect("red"), 200.0 / 3.0));
    assert_eq!(bt.red_recall_pct, Some(100.0));
    assert_eq!(bt.auc, Some(1.0));
    assert_eq!(bt.auc_verdict, AucVerdict::Meaningful);
    assert_eq!((bt.unscored, bt.churned), (1, 2));
}

#[test]
fn panel_movers_rank_by_change_and_are_capped() {
    let t = SignalTable::new(5)
        .with("x", vec![39.0, 30.0, 20.0, 50.0, NAN])
        .expect("column");
    let t2 = SignalTable::new(5)
        .with("x", vec![41.0, 45.0, 90.0, 50.0, 75.0])
        .expect("column");
    let (mrr, cur, churned) = ([0i64; 5], [Currency::Jpy; 5], [false; 5]);
    let before = PanelInputs {
        table: &t,
        mrr_minor: &mrr,
        currencies: &cur,
        churned: &churned,
    };
    let after = PanelInputs {
        table: &t2,
        ..before
    };
    let mut panel = Panel::new(PanelOptions {
        max_movers: 3,
        ..PanelOptions::default()
    })
    .expect("options");
    let scorer = identity((40.0, 70.0));
    panel.set_baseline(&scorer, &before).expect("baseline");
    let r = panel.update(&scorer, &after).expect("ok");
    let mv = r.movements.as_ref().expect("baseline");
    // 0: 39 → 41 red → yellow (+2); 1: 30 → 45 (+15); 2: 20 → 90 red →
    // green (+70); 3 unchanged; 4: unscored → green (newly scored).
    assert_eq!((mv.up, mv.down, mv.newly_scored, mv.moved), (3, 0, 1, 4));
    let order: Vec<usize> = mv.movers.iter().map(|m| m.account).collect();
    assert_eq!(order, vec![4, 2, 1], "newly scored first, then by change");
    assert_eq!(mv.movers[0].score_before, None);
    // No baseline: no movements.
    panel.clear_baseline();
    assert!(panel
        .update(&scorer, &after)
        .expect("ok")
        .movements
        .is_none());
}

#[test]
fn panel_reuses_its_buffers_and_checks_inputs() {
    let fixture = Fixture::new();
    let inputs = fixture.inputs();
    let mut panel = Panel::new(PanelOptions::default()).expect("options");
    panel
        .set_baseline(&identity((40.0, 70.0)), &inputs)
        .expect("baseline");
    let mut scorer = identity((60.0, 80.0));
    panel.update(&scorer, &inputs).expect("ok");
    panel.update(&scorer, &inputs).expect("ok");
    let ptrs = |p: &Panel| {
        let r = p.result();
        (
            r.scores.as_ptr() as usize,
            r.bands.as_ptr() as usize,
            r.mrr.as_ptr() as usize,
            r.backtest.roc.as_ptr() as usize,
            r.movements.as_ref().map(|m| m.movers.as_ptr() as usize),
        )
    };
    let before = ptrs(&panel);
    for w in [2.0, 3.0, 0.5] {
        scorer.set_weight(0, w).expect("weight");
        panel.update(&scorer, &inputs).expect("ok");
    }
    let after = ptrs(&panel);
    assert_eq!(
        (before.0, before.1, before.2, before.3),
        (after.0, after.1, after.2, after.3)
    );
    // The movers list alternates between two buffers (no allocation).
    assert!(after.4.is_some());

    let short = [1i64; 5];
    let bad = PanelInputs {
        mrr_minor: &short,
        ..inputs
    };
    assert!(matches!(
        panel.update(&scorer, &bad),
        Err(PanelError::Data(DataError::LengthMismatch { .. }))
    ));
    for opts in [
        PanelOptions {
            bins: 0,
            ..PanelOptions::default()
        },
        PanelOptions {
            bins: 257,
            ..PanelOptions::default()
        },
        PanelOptions {
            roc_points: 1,
            ..PanelOptions::default()
        },
    ] {
        assert!(matches!(Panel::new(opts), Err(PanelError::Options(_))));
    }
    // New data of another size needs a new baseline.
    let t3 = SignalTable::new(1).with("x", vec![1.0]).expect("column");
    let other = PanelInputs {
        table: &t3,
        mrr_minor: &[1],
        currencies: &[Currency::Jpy],
        churned: &[false],
    };
    assert!(panel.update(&scorer, &other).is_err());
}

// ------------------------------------------------------------- scoring data

fn small_data() -> ScoringData {
    let mut a = Accounts::with_capacity(4);
    let rows = [
        (
            10,
            "株式会社かもめ",
            Some((7, "佐藤")),
            Tier::High,
            1_200_000,
            Currency::Jpy,
            false,
        ),
        (
            11,
            "Acme Inc.",
            None,
            Tier::Tech,
            9_900,
            Currency::Usd,
            true,
        ),
        (15, "", Some((8, "Kim")), Tier::Low, 0, Currency::Eur, false),
        (
            16,
            "Ünïcødé GmbH",
            Some((7, "佐藤")),
            Tier::Low,
            310_000,
            Currency::Jpy,
            true,
        ),
    ];
    for (id, name, owner, tier, mrr_minor, currency, churned) in rows {
        a.push(AccountRow {
            id,
            name,
            owner,
            tier,
            mrr_minor,
            currency,
            churned,
        });
    }
    let mut t = SignalTable::new(4);
    // Small integers → i8; one decimal up to ±3276.7 → i16 scale 1; larger
    // integers → i32; f32-exact odd fractions → f32; anything else → f64.
    t.add("days", vec![3.0, NAN, 120.0, 0.0]).expect("col");
    t.add("big", vec![100_000.0, 1.0, NAN, -5.0]).expect("col");
    // −0.0 is not an integer's value: the column stays floating point.
    t.add("negzero", vec![-0.0, 1.0, 2.0, NAN]).expect("col");
    t.add("ratio", vec![57.3, 0.1, NAN, 100.0]).expect("col");
    t.add("f32ish", vec![0.5f32, 1e-3, f32::NAN, 3.25])
        .expect("col");
    t.add("pi", vec![std::f64::consts::PI, -0.0, 1e300, NAN])
        .expect("col");
    t.add_lagged("days", 60, vec![1.0, 2.0, NAN, 4.0])
        .expect("lagged");
    let as_of = NaiveDate::from_ymd_opt(2025, 3, 31).expect("date");
    ScoringData::new(as_of, 180, a, t).expect("one row per account")
}

/// `(key, lag) → (encoding, scale)` of every signal section.
fn encodings(bytes: &[u8]) -> Vec<((String, u32), (u8, u8))> {
    let mut out = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let tag = u16::from_le_bytes([bytes[at], bytes[at + 1]]);
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
        let p = &bytes[at + 8..at + 8 + len as usize];
        if tag == 8 {
            let k = usize::from(u16::from_le_bytes([p[0], p[1]]));
            let key = String::from_utf8(p[2..2 + k].to_vec()).expect("utf-8");
            let lag = u32::from_le_bytes([p[2 + k], p[3 + k], p[4 + k], p[5 + k]]);
            out.push(((key, lag), (p[6 + k], p[7 + k])));
        }
        at += 8 + len as usize;
    }
    out
}

#[test]
fn scoring_data_round_trips() {
    let data = small_data();
    let bytes = encode(&data);
    let enc = |k: &str, lag: u32| {
        encodings(&bytes)
            .into_iter()
            .find(|e| e.0 .0 == k && e.0 .1 == lag)
            .map(|e| e.1)
    };
    // The smallest exact encoding per column: 5 = i8, 4 = i16, 3 = i32,
    // 2 = f32, 1 = f64, with the decimal scale.
    assert_eq!(enc("days", 0), Some((5, 0)));
    assert_eq!(enc("days", 60), Some((5, 0)));
    assert_eq!(enc("ratio", 0), Some((4, 1)));
    assert_eq!(enc("big", 0), Some((3, 0)));
    assert_eq!(enc("f32ish", 0), Some((2, 0)));
    assert_eq!(enc("pi", 0), Some((1, 0)));
    assert_eq!(enc("negzero", 0), Some((2, 0)));
    let back = decode(&bytes).expect("decodes");
    assert_eq!(back.as_of(), data.as_of());
    assert_eq!(back.window_days(), 180);
    let a = back.accounts();
    assert_eq!(a.ids(), &[10, 11, 15, 16]);
    assert_eq!(
        (0..4).map(|i| a.name(i)).collect::<Vec<_>>(),
        vec!["株式会社かもめ", "Acme Inc.", "", "Ünïcødé GmbH"]
    );
    assert_eq!(
        a.owner(0).map(|o| (o.id, o.name.as_str())),
        Some((7, "佐藤"))
    );
    assert_eq!(a.owner(1), None);
    assert_eq!(a.owner(3), a.owner(0));
    assert_eq!(a.owners().len(), 2);
    assert_eq!(a.tiers(), &[Tier::High, Tier::Tech, Tier::Low, Tier::Low]);
    assert_eq!(a.mrr_minor(), &[1_200_000, 9_900, 0, 310_000]);
    assert_eq!(a.churned(), &[false, true, false, true]);
    assert_eq!(a.currencies()[2], Currency::Eur);
    // Every value comes back bit for bit (NaN stays missing).
    let bits = |c: &Column| -> Vec<u64> {
        (0..4)
            .map(|i| c.get(i).map_or(u64::MAX, f64::to_bits))
            .collect()
    };
    for (k, c) in data.signals().columns() {
        let d = back.signals().column(k).expect("column back");
        assert_eq!(bits(c), bits(d), "{k}");
    }
    assert_eq!(
        back.signals().lagged("days", 60).map(bits),
        Some(bits(data.signals().lagged("days", 60).expect("lagged")))
    );
    // Re-encoding the decoded data gives the same bytes (NaN ≠ NaN, so the
    // structs are compared through their encoding).
    assert_eq!(encode(&back), bytes);
    // Panel inputs line up.
    assert_eq!(back.panel_inputs().check(), Ok(()));
}

#[test]
fn scoring_data_layout_by_hand() {
    let mut a = Accounts::with_capacity(2);
    for (id, churned) in [(5, true), (9, false)] {
        a.push(AccountRow {
            id,
            name: "ab",
            owner: None,
            tier: Tier::Tech,
            mrr_minor: 100,
            currency: Currency::Jpy,
            churned,
        });
    }
    let t = SignalTable::new(2)
        .with("s", vec![1.5, NAN])
        .expect("column");
    let as_of = NaiveDate::from_ymd_opt(1970, 1, 11).expect("date");
    let bytes = encode(&ScoringData::new(as_of, 90, a, t).expect("data"));
    // Header.
    assert_eq!(&bytes[0..4], b"KZSD");
    assert_eq!(&bytes[4..8], &[1, 0, 24, 0]); // version 1, header 24 bytes
    assert_eq!(&bytes[8..12], &[2, 0, 0, 0]); // 2 accounts
    assert_eq!(&bytes[12..16], &[10, 0, 0, 0]); // day 10
    assert_eq!(&bytes[16..20], &[90, 0, 0, 0]); // 90-day window
    assert_eq!(&bytes[20..24], &[8, 0, 0, 0]); // 7 account sections + 1 signal
                                               // Ids: tag 1, length 16, then 5 and the difference 4.
    assert_eq!(&bytes[24..32], &[1, 0, 0, 0, 16, 0, 0, 0]);
    assert_eq!(
        &bytes[32..48],
        &[5, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0]
    );
    // The signal section is last: tag 8, 11 bytes: key "s", lag 0, i8
    // decimal (5) with scale 1, values 15 (1.5) and i8::MIN (missing).
    let tail = &bytes[bytes.len() - 19..];
    assert_eq!(&tail[..8], &[8, 0, 0, 0, 11, 0, 0, 0]);
    assert_eq!(&tail[8..11], &[1, 0, b's']);
    assert_eq!(&tail[11..15], &[0, 0, 0, 0]);
    assert_eq!(&tail[15..17], &[5, 1]);
    assert_eq!(&tail[17..19], &[15, 0x80]);
    // Churned bitset: account 0 churned → 0b01.
    let churn_at = bytes
        .windows(8)
        .position(|w| w == [7, 0, 0, 0, 1, 0, 0, 0])
        .expect("churned section");
    assert_eq!(bytes[churn_at + 8], 0b01);
}

#[test]
fn malformed_scoring_data_is_an_error() {
    let good = encode(&small_data());
    // Every truncation is an error, never a panic.
    for len in 0..good.len() {
        assert!(decode(&good[..len]).is_err(), "prefix of {len} bytes");
    }
    let mut bad = good.clone();
    bad[0] = b'X';
    assert_eq!(decode(&bad), Err(DecodeError::BadMagic));
    let mut bad = good.clone();
    bad[4] = 2;
    assert_eq!(decode(&bad), Err(DecodeError::UnsupportedVersion(2)));
    // Trailing garbage.
    let mut bad = good.clone();
    bad.push(0);
    assert!(matches!(decode(&bad), Err(DecodeError::Invalid { .. })));
    // A huge account count with no room for it.
    let mut bad = good.clone();
    bad[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(decode(&bad), Err(DecodeError::Truncated { .. })));
    // Unknown currency in the dictionary ("JPY" → "XPY").
    let mut bad = good.clone();
    let at = bad
        .windows(3)
        .position(|w| w == b"JPY")
        .expect("JPY in the dictionary");
    bad[at] = b'X';
    assert_eq!(
        decode(&bad),
        Err(DecodeError::UnknownValue {
            what: "currencies",
            value: "XPY".into()
        })
    );
    // Not UTF-8 in a name.
    let mut bad = good.clone();
    let at = bad.windows(4).position(|w| w == b"Acme").expect("name");
    bad[at] = 0xFF;
    assert!(matches!(decode(&bad), Err(DecodeError::Invalid { .. })));
}

#[test]
fn scoring_data_sections_are_checked() {
    let good = encode(&small_data());
    // Walk the sections: (tag, start, end) of each.
    let mut sections = Vec::new();
    let mut at = 24;
    while at < good.len() {
        let tag = u16::from_le_bytes([good[at], good[at + 1]]);
        let len = u32::from_le_bytes([good[at + 4], good[at + 5], good[at + 6], good[at + 7]]);
        let end = at + 8 + len as usize;
        sections.push((tag, at, end));
        at = end;
    }
    assert_eq!(sections.len(), 7 + 7);
    let with = |count: u32, parts: &[&[u8]]| {
        let mut b = good[..24].to_vec();
        b[20..24].copy_from_slice(&count.to_le_bytes());
        for p in parts {
            b.extend_from_slice(p);
        }
        b
    };
    let body = |i: usize| &good[sections[i].1..sections[i].2];
    let all: Vec<&[u8]> = (0..sections.len()).map(body).collect();
    // A section twice.
    let mut twice = all.clone();
    twice.push(body(0));
    assert_eq!(
        decode(&with(15, &twice)),
        Err(DecodeError::DuplicateSection("account ids"))
    );
    // A required section missing.
    let without: Vec<&[u8]> = all.iter().copied().filter(|s| s[0] != 6).collect();
    assert_eq!(
        decode(&with(13, &without)),
        Err(DecodeError::MissingSection("MRR"))
    );
    // An unknown section is skipped.
    let unknown: &[u8] = &[99, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3];
    let mut more = all.clone();
    more.insert(3, unknown);
    assert_eq!(
        encode(&decode(&with(15, &more)).expect("skips tag 99")),
        good
    );
    // The same signal column twice.
    let mut dup = all.clone();
    dup.push(body(8));
    assert!(matches!(
        decode(&with(15, &dup)),
        Err(DecodeError::Data(DataError::DuplicateColumn(_)))
    ));
}

#[test]
fn scoring_data_query_lags() {
    assert_eq!(parse_lags(None), Ok(vec![]));
    assert_eq!(parse_lags(Some(" 90, 30,30 ")), Ok(vec![30, 90]));
    assert!(parse_lags(Some("0")).is_err());
    assert!(parse_lags(Some("3651")).is_err());
    assert!(parse_lags(Some("a")).is_err());
    assert!(parse_lags(Some("1,2,3,4,5,6,7,8,9")).is_err());
    use garde::Validate;
    let q = ScoringDataQuery {
        as_of: NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        window_days: 180,
        lags: Some("60".into()),
    };
    assert!(q.validate().is_ok());
    assert_eq!(q.lags(), vec![60]);
    assert!(ScoringDataQuery {
        window_days: 0,
        ..q.clone()
    }
    .validate()
    .is_err());
    assert!(ScoringDataQuery {
        lags: Some("x".into()),
        ..q
    }
    .validate()
    .is_err());
}
