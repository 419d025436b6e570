//! Hand-worked unit tests of the metrics, each with its arithmetic written
//! out. They run natively (`cargo test`) and in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown`).

use chrono::NaiveDate;
use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::kpi::{
    self, at_risk_mrr, csat, nps, onboarding_kpis, revenue_movements, survey_kpis, AccountDates,
    KpiInputs, MrrRow, OnboardingSheet, SurveyAnswer, SurveyKind,
};
use kizuna_shared::metrics::{
    auc, backtest, compare_bands, fit_weights, mrr_by_band, roc_curve, Band, BandCounts, Bands,
    Currencies, Curve, FitError, FitOptions, HealthModel, Histogram, Measure, MissingPolicy,
    ModelError, Month, Period, Scorer, SignalTable,
};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn measure(signal: &str, weight: f64, missing: MissingPolicy, curve: Curve) -> Measure {
    Measure {
        signal: signal.into(),
        trend: None,
        weight,
        missing,
        curve,
    }
}

/// login: linear (0,100) (30,40) (60,0), weight 3, skip;
/// seats: steps (0,0) (50,50) (80,100), weight 1, zero.
fn model() -> HealthModel {
    HealthModel::new(vec![
        measure(
            "login",
            3.0,
            MissingPolicy::Skip,
            Curve::Linear(vec![(0.0, 100.0), (30.0, 40.0), (60.0, 0.0)]),
        ),
        measure(
            "seats",
            1.0,
            MissingPolicy::Zero,
            Curve::Steps(vec![(0.0, 0.0), (50.0, 50.0), (80.0, 100.0)]),
        ),
    ])
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn m(s: &str) -> Month {
    s.parse().expect("month")
}

// ---------------------------------------------------------------- model

#[test]
fn validation_names_the_problem() {
    let mut dup = model();
    dup.measures[1].signal = "login".into();
    assert_eq!(
        dup.validate(),
        Err(ModelError::DuplicateSignal {
            signal: "login".into(),
            trend: None,
        })
    );

    let mut unsorted = model();
    unsorted.measures[0].curve = Curve::Linear(vec![(0.0, 100.0), (30.0, 40.0), (30.0, 0.0)]);
    assert!(matches!(
        unsorted.validate(),
        Err(ModelError::NonMonotonePoints { index: 2, .. })
    ));

    let mut zero = model();
    zero.measures.iter_mut().for_each(|m| m.weight = 0.0);
    assert_eq!(zero.validate(), Err(ModelError::WeightsAllZero));

    let mut neg = model();
    neg.measures[1].weight = -1.0;
    assert!(matches!(
        neg.validate(),
        Err(ModelError::InvalidWeight { weight, .. }) if weight == -1.0
    ));
    neg.measures[1].weight = f64::NAN;
    assert!(matches!(
        neg.validate(),
        Err(ModelError::InvalidWeight { .. })
    ));

    let mut cuts = model();
    cuts.cuts = Bands {
        red: 80.0,
        green: 70.0,
    };
    assert!(matches!(
        cuts.validate(),
        Err(ModelError::CutsOutOfOrder { .. })
    ));

    let mut empty = model();
    empty.measures[0].curve = Curve::Steps(vec![]);
    assert_eq!(
        empty.validate(),
        Err(ModelError::EmptyCurve {
            signal: "login".into()
        })
    );
    assert_eq!(
        HealthModel::new(vec![]).validate(),
        Err(ModelError::NoMeasures)
    );
    assert!(
        ModelError::WeightsAllZero.to_string().contains("zero"),
        "messages are readable"
    );
}

#[test]
fn model_json_defaults_cuts_and_policy() {
    let json = r#"{"measures":[{"signal":"s","weight":1,
        "curve":{"kind":"steps","points":[[0,0],[1,100]]}}]}"#;
    let model: HealthModel = serde_json::from_str(json).expect("parses");
    assert_eq!(model.cuts, Bands::default());
    assert_eq!(model.measures[0].missing, MissingPolicy::Skip);
    let back = serde_json::to_value(&model).expect("ser");
    assert_eq!(back["cuts"], serde_json::json!([40.0, 70.0]));
    assert_eq!(back["measures"][0]["curve"]["kind"], "steps");
}

#[test]
fn curves_follow_the_definitions() {
    let lin = Curve::Linear(vec![(0.0, 100.0), (30.0, 40.0), (60.0, 0.0)]);
    assert_eq!(lin.eval(-5.0), Some(100.0)); // below first x → first y
    assert_eq!(lin.eval(30.0), Some(40.0));
    assert!(close(lin.eval(45.0).expect("value"), 20.0)); // 40 + (0−40)·15/30
    assert_eq!(lin.eval(1e9), Some(0.0));
    assert_eq!(lin.eval(f64::NAN), None);
    let steps = Curve::Steps(vec![(0.0, 100.0), (3.0, 60.0), (10.0, 20.0)]);
    assert_eq!(steps.eval(-1.0), Some(100.0)); // below lowest threshold → its y
    assert_eq!(steps.eval(3.0), Some(60.0)); // highest threshold ≤ 3
    assert_eq!(steps.eval(9.99), Some(60.0));
    assert_eq!(steps.eval(12.0), Some(20.0));
}

// ---------------------------------------------------------------- scoring

fn table() -> SignalTable {
    let nan = f64::NAN;
    SignalTable::new(5)
        .with("login", vec![45.0, nan, nan, 30.0, 0.0])
        .and_then(|t| t.with("seats", vec![60.0, 90.0, nan, 50.0, 10.0]))
        .expect("columns")
}

#[test]
fn scores_by_hand() {
    let scorer = Scorer::new(&model()).expect("valid");
    let (scores, bands) = scorer.score(&table());
    // 0: login 45 → 20, seats 60 → 50: (3·20 + 1·50) / 4 = 27.5 → red
    // 1: login missing (skip), seats 90 → 100: 100 → green
    // 2: login missing (skip), seats missing (zero → 0 points, weight 1): 0 → red
    // 3: login 30 → 40 exactly (a knot), seats 50 → 50: (120 + 50)/4 = 42.5 → yellow
    // 4: login 0 → 100, seats 10 → 0: 300/4 = 75 → green
    let expected = [27.5, 100.0, 0.0, 42.5, 75.0];
    for (s, e) in scores.iter().zip(expected) {
        assert!(close(*s, e), "{s} != {e}");
    }
    use Band::*;
    assert_eq!(
        bands,
        vec![Some(Red), Some(Green), Some(Red), Some(Yellow), Some(Green)]
    );
}

#[test]
fn knots_score_exactly_on_band_cut_offs() {
    // One measure, points 40 and 70 on knots: must be yellow and green, not
    // a rounding error below.
    let model = HealthModel::new(vec![measure(
        "x",
        0.7,
        MissingPolicy::Skip,
        Curve::Linear(vec![(0.0, 0.0), (3.0, 40.0), (7.0, 70.0), (10.0, 100.0)]),
    )]);
    let scorer = Scorer::new(&model).expect("valid");
    let t = SignalTable::new(3)
        .with("x", vec![3.0, 7.0, 10.0])
        .expect("column");
    let (s, b) = scorer.score(&t);
    assert_eq!(s, vec![40.0, 70.0, 100.0]);
    assert_eq!(
        b,
        vec![Some(Band::Yellow), Some(Band::Green), Some(Band::Green)]
    );
}

#[test]
fn no_measure_kept_means_no_score() {
    let mut model = model();
    model.measures[1].missing = MissingPolicy::Skip;
    let scorer = Scorer::new(&model).expect("valid");
    let mut scores = Vec::new();
    let mut bands = Vec::new();
    let counts = scorer.score_into(&table(), &mut scores, &mut bands);
    assert!(scores[2].is_nan());
    assert_eq!(bands[2], None);
    assert_eq!(counts.unscored, 1);
    assert_eq!(counts.total(), 5);
    let ex = scorer.explain(&table(), 2).expect("in range");
    assert_eq!(ex.score, None);
    assert!(ex
        .measures
        .iter()
        .all(|c| c.points.is_none() && c.share == 0.0));
}

#[test]
fn absent_column_is_missing_everywhere() {
    let scorer = Scorer::new(&model()).expect("valid");
    let t = SignalTable::new(2)
        .with("login", vec![0.0, 60.0])
        .expect("column");
    assert_eq!(scorer.absent_signals(&t), vec!["seats"]);
    let (s, _) = scorer.score(&t);
    // seats missing → zero policy: (3·100 + 0)/4 = 75 and (3·0 + 0)/4 = 0.
    assert_eq!(s, vec![75.0, 0.0]);
}

#[test]
fn f32_columns_score_like_f64() {
    let scorer = Scorer::new(&model()).expect("valid");
    let nan = f32::NAN;
    let t32 = SignalTable::new(5)
        .with("login", vec![45.0f32, nan, nan, 30.0, 0.0])
        .and_then(|t| t.with("seats", vec![60.0f32, 90.0, nan, 50.0, 10.0]))
        .expect("columns");
    let (a, ab) = scorer.score(&table());
    let (b, bb) = scorer.score(&t32);
    assert_eq!(ab, bb);
    for (x, y) in a.iter().zip(&b) {
        assert!(x.is_nan() && y.is_nan() || close(*x, *y));
    }
}

#[test]
fn rescoring_after_a_weight_change_reuses_the_buffers() {
    let mut scorer = Scorer::new(&model()).expect("valid");
    let t = table();
    let (mut scores, mut bands) = (Vec::new(), Vec::new());
    scorer.score_into(&t, &mut scores, &mut bands);
    let (ps, pb) = (scores.as_ptr(), bands.as_ptr());
    scorer.set_weight(1, 3.0).expect("valid weight");
    scorer.score_into(&t, &mut scores, &mut bands);
    assert_eq!((scores.as_ptr(), bands.as_ptr()), (ps, pb));
    // 0: (3·20 + 3·50)/6 = 35
    assert!(close(scores[0], 35.0));
    assert_eq!(
        scorer.set_weight(0, -2.0),
        Err(ModelError::InvalidWeight {
            signal: "login".into(),
            weight: -2.0
        })
    );
    assert!(matches!(
        scorer.set_weight(9, 1.0),
        Err(ModelError::NoSuchMeasure { index: 9, len: 2 })
    ));
    assert_eq!(
        scorer.set_weights(&[0.0, 0.0]),
        Err(ModelError::WeightsAllZero)
    );
    assert!(matches!(
        scorer.set_weights(&[1.0]),
        Err(ModelError::WeightCount { .. })
    ));
}

#[test]
fn explanation_adds_up() {
    let scorer = Scorer::new(&model()).expect("valid");
    let ex = scorer.explain(&table(), 0).expect("in range");
    // login: 20 points × 3/4 = 15; seats: 50 × 1/4 = 12.5; total 27.5
    assert!(close(ex.measures[0].contribution, 15.0));
    assert!(close(ex.measures[1].contribution, 12.5));
    assert!(close(ex.measures[0].share, 0.75));
    assert_eq!(ex.band, Some(Band::Red));
    assert!(scorer.explain(&table(), 5).is_none());
}

#[test]
fn histogram_bins() {
    let mut h = Histogram::percent(50).expect("bins");
    let n = h.fill(&[0.0, 1.99, 2.0, 50.0, 99.9, 100.0, f64::NAN, -3.0, 250.0]);
    assert_eq!(n, 8);
    assert_eq!(h.counts[0], 3); // 0, 1.99 and −3 (clamped)
    assert_eq!(h.counts[1], 1); // 2.0
    assert_eq!(h.counts[25], 1); // 50
    assert_eq!(h.counts[49], 3); // 99.9, 100 and 250 (clamped)
    assert!(Histogram::new(0, 0.0, 1.0).is_none());

    // The fused path agrees with `fill`.
    let scorer = Scorer::new(&model()).expect("valid");
    let (mut s, mut b) = (Vec::new(), Vec::new());
    let mut fused = Histogram::percent(7).expect("bins");
    scorer.score_with_histogram_into(&table(), &mut s, &mut b, &mut fused);
    let mut plain = Histogram::percent(7).expect("bins");
    plain.fill(&s);
    assert_eq!(fused, plain);
}

#[test]
fn mrr_per_band_never_mixes_currencies() {
    use Band::*;
    let bands = [Some(Red), Some(Red), Some(Green), None, Some(Yellow)];
    let mrr = [100, 2_000, 300, 40, 5];
    let cur = [
        Currency::Jpy,
        Currency::Usd,
        Currency::Jpy,
        Currency::Jpy,
        Currency::Usd,
    ];
    let by = mrr_by_band(&bands, &mrr, Currencies::PerAccount(&cur)).expect("same lengths");
    assert_eq!(by.len(), 2);
    let jpy = by[&Currency::Jpy];
    let usd = by[&Currency::Usd];
    assert_eq!(
        (jpy.red, jpy.yellow, jpy.green, jpy.unscored),
        (100, 0, 300, 40)
    );
    assert_eq!((usd.red, usd.yellow, usd.green), (2_000, 5, 0));
    assert_eq!(usd.accounts.red, 1);
    let single = mrr_by_band(&bands, &mrr, Currencies::Single(Currency::Eur)).expect("ok");
    assert_eq!(single[&Currency::Eur].red, 2_100);
    assert!(mrr_by_band(&bands, &mrr[..2], Currencies::Single(Currency::Eur)).is_err());

    let risk = at_risk_mrr(&bands, &mrr, Currencies::PerAccount(&cur)).expect("ok");
    assert_eq!(risk[&Currency::Jpy].mrr_minor, 100);
    assert_eq!(risk[&Currency::Jpy].total_mrr_minor, 440);
    assert_eq!(risk[&Currency::Usd].accounts, 1);
}

#[test]
fn band_transitions() {
    use Band::*;
    let before = [Some(Red), Some(Yellow), Some(Green), Some(Green), None];
    let after = [
        Some(Yellow),
        Some(Yellow),
        Some(Red),
        Some(Green),
        Some(Red),
    ];
    let c = compare_bands(&before, &after).expect("same length");
    assert_eq!(c.matrix[0][1], 1); // red → yellow
    assert_eq!(c.matrix[1][1], 1);
    assert_eq!(c.matrix[2][0], 1); // green → red
    assert_eq!(c.matrix[2][2], 1);
    assert_eq!(c.moved, vec![0, 2, 4]);
    assert_eq!((c.improved, c.worsened, c.scored_changed), (1, 1, 1));
    assert_eq!(BandCounts::of(&after).red, 2);
}

// ---------------------------------------------------------------- back-test

#[test]
fn auc_by_hand() {
    // churned scores {1, 3}, retained {2, 4}: pairs (1<2) (1<4) (3>2) (3<4) → 3/4.
    let s = [1.0, 2.0, 3.0, 4.0];
    let c = [true, false, true, false];
    assert_eq!(auc(&s, &c), Some(0.75));
    // Negated scores: 1 − 0.75.
    let neg: Vec<f64> = s.iter().map(|x| -x).collect();
    assert_eq!(auc(&neg, &c), Some(0.25));
    // All tied: every pair counts one half.
    assert_eq!(auc(&[5.0; 4], &c), Some(0.5));
    // -0.0 and 0.0 tie.
    assert_eq!(auc(&[-0.0, 0.0], &[true, false]), Some(0.5));
    // One class: undefined; NaN scores are left out.
    assert_eq!(auc(&s, &[false; 4]), None);
    assert_eq!(auc(&[1.0, f64::NAN], &[true, false]), None);
    assert_eq!(auc(&s, &c[..3]), None);
}

#[test]
fn scores_within_a_billionth_of_each_other_are_ties() {
    let sum = 0.1 + 0.2;
    assert_ne!(sum, 0.3, "0.30000000000000004");
    // Churned 0.1 + 0.2 against retained 0.3: one tie, one half (it was
    // 0: the churned score was the higher by 5.6e-17).
    assert_eq!(auc(&[sum, 0.3], &[true, false]), Some(0.5));
    assert_eq!(auc(&[0.3, sum], &[true, false]), Some(0.5));
    // The ROC curve has one point for the group, at its highest score.
    let roc = roc_curve(&[sum, 0.3], &[true, false]);
    let pts: Vec<(f64, f64)> = roc.iter().map(|p| (p.fpr, p.tpr)).collect();
    assert_eq!(pts, vec![(0.0, 0.0), (1.0, 1.0)]);
    assert_eq!(roc[1].threshold, Some(sum));
    // Ties chain: 1, 1 + 0.8e-9 and 1 + 1.6e-9 are one group (each within
    // 1e-9 of the next) …
    let (a, b, c) = (1.0, 1.0 + 0.8e-9, 1.0 + 1.6e-9);
    assert_eq!(auc(&[c, a, b], &[true, false, false]), Some(0.5));
    // … but 1.6e-9 apart with nothing between is a gap.
    assert_eq!(auc(&[c, a], &[true, false]), Some(0.0));
    assert_eq!(auc(&[a, a + 2e-9], &[true, false]), Some(1.0));
}

#[test]
fn roc_curve_by_hand() {
    let roc = roc_curve(&[1.0, 2.0, 3.0, 4.0], &[true, false, true, false]);
    let pts: Vec<(f64, f64)> = roc.iter().map(|p| (p.fpr, p.tpr)).collect();
    assert_eq!(
        pts,
        vec![(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)]
    );
    assert_eq!(roc[1].threshold, Some(1.0));
}

#[test]
fn backtest_bands_and_lift() {
    // red: 10, 20 (1 churned); yellow: 50 (churned); green: 80, 90 (none).
    let r = backtest(
        &[10.0, 20.0, 50.0, 80.0, 90.0, f64::NAN],
        &[true, false, true, false, false, true],
        Bands::default(),
    )
    .expect("same lengths");
    assert_eq!((r.accounts, r.churned, r.unscored), (5, 2, 1));
    assert_eq!(r.bands.red.churn_pct, Some(50.0));
    assert_eq!(r.bands.yellow.churn_pct, Some(100.0));
    assert_eq!(r.base_churn_pct, Some(40.0));
    assert_eq!(r.red_lift, Some(50.0 / 40.0));
    // churned {10, 50} vs retained {20, 80, 90}: 10 lower than all 3, 50 lower than 2 → 5/6.
    assert!(close(r.auc.expect("two classes"), 5.0 / 6.0));
    assert!(backtest(&[1.0], &[], Bands::default()).is_err());
}

// ---------------------------------------------------------------- fit

#[test]
fn fit_prefers_the_predictive_measure() {
    // `good` decides churn exactly (low → churned); `noise` does not.
    let n = 200;
    let good: Vec<f64> = (0..n).map(|i| (i % 100) as f64).collect();
    let noise: Vec<f64> = (0..n).map(|i| ((i * 37) % 100) as f64).collect();
    let churned: Vec<bool> = (0..n).map(|i| (i % 100) < 30 && i % 3 != 0).collect();
    let t = SignalTable::new(n)
        .with("good", good)
        .and_then(|t| t.with("noise", noise))
        .expect("columns");
    let lin = Curve::Linear(vec![(0.0, 0.0), (100.0, 100.0)]);
    let model = HealthModel::new(vec![
        measure("good", 1.0, MissingPolicy::Skip, lin.clone()),
        measure("noise", 1.0, MissingPolicy::Skip, lin),
    ]);
    let scorer = Scorer::new(&model).expect("valid");
    let opts = FitOptions::default();
    let s = fit_weights(&scorer, &t, &churned, &opts).expect("fits");
    assert!(close(s.weights.iter().sum::<f64>(), 100.0));
    assert!(s.weights.iter().all(|w| *w >= 0.0));
    assert!(s.weights[0] > 80.0, "{:?}", s.weights);
    let (cur, new) = (s.current_auc.expect("auc"), s.suggested_auc.expect("auc"));
    assert!(new >= cur, "suggested {new} < current {cur}");
    // Deterministic.
    assert_eq!(fit_weights(&scorer, &t, &churned, &opts), Ok(s));
    assert_eq!(
        fit_weights(&scorer, &t, &vec![false; n], &opts),
        Err(FitError::SingleClass)
    );
}

// ---------------------------------------------------------------- KPIs

fn row(account: &str, product: &str, month: &str, amount: i64, currency: Currency) -> MrrRow {
    MrrRow {
        account: account.into(),
        product: product.into(),
        month: m(month),
        amount_minor: amount,
        currency,
    }
}

#[test]
fn periods() {
    let q = Period::quarter_of(m("2026-05"));
    assert_eq!(q.first_month(), m("2026-04"));
    assert_eq!(q.last_month(), m("2026-06"));
    assert_eq!(q.start_snapshot(), m("2026-03"));
    assert!(q.contains(d("2026-06-30")) && !q.contains(d("2026-07-01")));
    assert_eq!(
        Period::year(2026).expect("year").last_day(),
        d("2026-12-31")
    );
    assert_eq!(Period::month(m("2024-02")).last_day(), d("2024-02-29"));
    let months: Vec<String> = Period::month(m("2025-11"))
        .series(3)
        .map(|p| p.first_month().to_string())
        .collect();
    assert_eq!(months, ["2025-11", "2025-12", "2026-01"]);
    assert!("2026-13".parse::<Month>().is_err());
    assert!(Period::new(m("2026-01"), 0).is_err());
    let p: Period = serde_json::from_str(r#"{"first_month":"2026-01","months":3}"#).expect("de");
    assert_eq!(p, Period::quarter_of(m("2026-02")));
}

#[test]
fn empty_inputs_give_empty_results() {
    let rows: Vec<MrrRow> = Vec::new();
    assert!(revenue_movements(&rows, Period::month(m("2026-01")), 0.8)
        .expect("fits")
        .is_empty());
    let answers: Vec<SurveyAnswer> = Vec::new();
    let s = survey_kpis(&answers, Period::month(m("2026-01")));
    assert_eq!((s.nps, s.csat_pct, s.nps_moe95), (None, None, None));
}

#[test]
fn movements_by_hand_and_currency_separation() {
    use Currency::{Jpy, Usd};
    let rows = vec![
        // Start snapshot 2025-12, end 2026-03 (Q1 2026).
        row("a", "core", "2025-12", 1000, Jpy),
        row("a", "core", "2026-03", 1200, Jpy), // expansion 200, upsell
        row("b", "core", "2025-12", 500, Jpy),
        row("b", "core", "2026-03", 300, Jpy), // contraction 200
        row("b", "addon", "2026-03", 100, Jpy), // …net −100, cross-sell
        row("c", "core", "2025-12", 800, Jpy), // churn 800
        row("d", "core", "2025-06", 50, Jpy),
        row("d", "core", "2026-03", 70, Jpy), // reactivation 70
        row("e", "core", "2026-03", 90, Jpy), // new 90
        row("x", "core", "2025-12", 10_00, Usd),
        row("x", "core", "2026-03", 10_00, Usd), // flat, in USD only
    ];
    let out = revenue_movements(&rows, Period::quarter_of(m("2026-01")), 0.5).expect("fits");
    assert_eq!(out.len(), 2);
    let j = &out[&Jpy];
    assert_eq!(j.start_mrr, 2300);
    assert_eq!((j.expansion, j.contraction, j.churn), (200, 100, 800));
    assert_eq!((j.new, j.reactivation), (90, 70));
    assert_eq!(j.end_mrr, 1200 + 400 + 70 + 90);
    assert!(j.is_balanced());
    assert_eq!((j.customers_at_start, j.churned_customers), (3, 1));
    assert_eq!((j.upsell_customers, j.cross_sell_customers), (1, 1));
    // NRR = (2300 + 200 − 100 − 800)/2300; GRR = (2300 − 900)/2300.
    assert!(close(j.nrr_pct.expect("nrr"), 1600.0 / 2300.0 * 100.0));
    assert!(close(j.grr_pct.expect("grr"), 1400.0 / 2300.0 * 100.0));
    assert!(close(j.logo_churn_pct.expect("churn"), 100.0 / 3.0));
    let arpa = 2300.0 / 3.0;
    let monthly = 1.0 - (1400.0f64 / 2300.0).powf(1.0 / 3.0);
    assert!(close(j.ltv.expect("ltv"), arpa * 0.5 / monthly));
    let u = &out[&Usd];
    assert_eq!(
        (u.start_mrr, u.end_mrr, u.customers_at_start),
        (1000, 1000, 1)
    );
    assert_eq!((u.nrr_pct, u.grr_pct), (Some(100.0), Some(100.0)));
    assert_eq!(u.ltv, None); // no churn → LTV undefined
}

#[test]
fn zero_starting_mrr_leaves_ratios_undefined() {
    let rows = vec![row("n", "core", "2026-01", 500, Currency::Eur)];
    let out = revenue_movements(&rows, Period::month(m("2026-01")), 0.8).expect("fits");
    let e = &out[&Currency::Eur];
    assert_eq!((e.start_mrr, e.new, e.end_mrr), (0, 500, 500));
    assert_eq!(
        (e.nrr_pct, e.grr_pct, e.arpa, e.ltv),
        (None, None, None, None)
    );
    assert_eq!(
        (e.logo_churn_pct, e.retention_pct, e.upsell_pct),
        (None, None, None)
    );
}

#[test]
fn nps_and_csat_by_hand() {
    let all = nps([9, 10, 10]);
    assert_eq!(
        (all.promoters, all.nps, all.moe95),
        (3, Some(100.0), Some(0.0))
    );
    // P=2, D=2, N=5: NPS 0; MoE = 1.96·100·√((4/5 − 0)/5) = 196·0.4 = 78.4
    let mixed = nps([10, 9, 8, 6, 3]);
    assert_eq!(mixed.nps, Some(0.0));
    assert!(close(mixed.moe95.expect("moe"), 78.4));
    assert_eq!(nps([11, 200]).responses, 0);
    let c = csat([5, 4, 3, 1, 0]);
    assert_eq!((c.responses, c.satisfied), (4, 2));
    assert_eq!((c.neutral, c.dissatisfied), (1, 1));
    assert_eq!(c.pct, Some(50.0));
    // p = 0.5, N = 4: MoE = 1.96·100·√(0.25/4) = 196·0.25 = 49
    assert!(close(c.moe95.expect("moe"), 49.0));
    // All satisfied: no spread, MoE 0; no answers: none.
    assert_eq!(csat([5, 5, 4]).moe95, Some(0.0));
    assert_eq!(csat([]).moe95, None);
    let answers: Vec<SurveyAnswer> = vec![
        SurveyAnswer {
            account: None,
            kind: SurveyKind::Nps,
            score: 10,
            answered_on: d("2026-01-31"),
        },
        SurveyAnswer {
            account: None,
            kind: SurveyKind::Nps,
            score: 0,
            answered_on: d("2026-02-01"), // outside January
        },
    ];
    let s = survey_kpis(&answers, Period::month(m("2026-01")));
    assert_eq!((s.nps_responses, s.nps), (1, Some(100.0)));
}

#[test]
fn onboarding_by_hand() {
    let sheet = |a: &str, s: &str, c: Option<&str>| OnboardingSheet {
        account: a.to_owned(),
        started_on: d(s),
        completed_on: c.map(d),
    };
    let sheets = vec![
        sheet("a", "2026-01-05", Some("2026-01-20")), // started & completed in Jan
        sheet("b", "2026-01-10", Some("2026-03-01")), // completed after as_of
        sheet("c", "2026-01-15", None),
        sheet("d", "2025-12-01", Some("2026-01-11")), // completed in Jan, started before
    ];
    let start = |a: &String| match a.as_str() {
        "a" => Some(d("2026-01-01")),
        "d" => Some(d("2026-01-01")),
        _ => None,
    };
    let o = onboarding_kpis(&sheets, start, Period::month(m("2026-01")), d("2026-02-01"));
    assert_eq!((o.sheets_started, o.sheets_completed), (3, 1));
    assert!(close(
        o.onboarding_completion_pct.expect("rate"),
        100.0 / 3.0
    ));
    // TTV: a 19 days, d 10 days → median 14.5.
    assert_eq!((o.ttv_completions, o.ttv_median_days), (2, Some(14.5)));
    assert_eq!(kpi::median(&mut [3, 1, 2]), Some(2.0));
    assert_eq!(kpi::median(&mut []), None);
}

#[test]
fn kpis_cut_by_group() {
    use Currency::Jpy;
    let inputs = KpiInputs {
        mrr: vec![
            row("a", "core", "2025-12", 100, Jpy),
            row("a", "core", "2026-01", 100, Jpy),
            row("b", "core", "2025-12", 300, Jpy),
        ],
        accounts: vec![AccountDates {
            account: "a".to_owned(),
            contract_start: d("2025-01-01"),
            churned_on: None,
        }],
        answers: vec![SurveyAnswer {
            account: Some("b".to_owned()),
            kind: SurveyKind::Csat,
            score: 5,
            answered_on: d("2026-01-03"),
        }],
        sheets: vec![],
    };
    let segment = |a: &String| Some(if a == "a" { "smb" } else { "ent" });
    let by = inputs
        .report_by(Period::month(m("2026-01")), d("2026-01-31"), 0.8, segment)
        .expect("fits");
    assert_eq!(by["smb"].revenue[&Jpy].grr_pct, Some(100.0));
    assert_eq!(by["ent"].revenue[&Jpy].churn, 300);
    assert_eq!(by["ent"].surveys.csat_pct, Some(100.0));
    assert_eq!(by["smb"].surveys.csat_responses, 0);
    let all = inputs
        .report(Period::month(m("2026-01")), d("2026-01-31"), 0.8)
        .expect("fits");
    assert_eq!(all.revenue[&Jpy].start_mrr, 400);
    let groups = kpi::group_by(&inputs.mrr, |r| Some(r.account.clone()));
    assert_eq!(groups["a"].len(), 2);
}
