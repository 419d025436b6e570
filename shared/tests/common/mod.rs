//! Checks every expected value of `shared/testdata/kpi-vectors.json`; shared by
//! the native test (`vectors.rs`) and the browser test (`wasm_vectors.rs`) so
//! both targets run exactly the same comparisons.

use chrono::NaiveDate;
use kizuna_shared::metrics::kpi::KpiInputs;
use kizuna_shared::metrics::{backtest, Bands, HealthModel, Period, Scorer, SignalTable};
use serde_json::{json, Value};

/// Outcome of a vector run.
#[derive(Debug, Default)]
pub struct Report {
    /// Values compared.
    pub checked: usize,
    /// Mismatches, with their JSON path.
    pub failures: Vec<String>,
    /// Cases run.
    pub cases: usize,
}

impl Report {
    fn fail(&mut self, msg: String) {
        self.failures.push(msg);
    }
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// Compares `actual` against `expected`; every key of an expected object must
/// be present (and, with `strict`, no other key).
fn compare(expected: &Value, actual: &Value, path: &str, strict: bool, r: &mut Report) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => compare(ev, av, &format!("{path}.{k}"), strict, r),
                    None => r.fail(format!("{path}.{k}: missing (expected {ev})")),
                }
            }
            if strict {
                for k in a.keys().filter(|k| !e.contains_key(*k)) {
                    r.fail(format!("{path}.{k}: unexpected key"));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                r.fail(format!(
                    "{path}: length {} != expected {}",
                    a.len(),
                    e.len()
                ));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(ev, av, &format!("{path}[{i}]"), strict, r);
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            r.checked += 1;
            let (e, a) = (
                e.as_f64().unwrap_or(f64::NAN),
                a.as_f64().unwrap_or(f64::NAN),
            );
            if !close(e, a) {
                r.fail(format!("{path}: got {a:?}, expected {e:?}"));
            }
        }
        (e, a) => {
            r.checked += 1;
            if e != a {
                r.fail(format!("{path}: got {a}, expected {e}"));
            }
        }
    }
}

fn date(v: &Value) -> NaiveDate {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .expect("a YYYY-MM-DD date")
}

/// Runs every case of the vectors file.
pub fn check_all(vectors: &str) -> Report {
    let v: Value = serde_json::from_str(vectors).expect("vectors parse");
    let mut r = Report::default();

    // KPI cases.
    for case in v["kpi_cases"].as_array().expect("kpi_cases") {
        r.cases += 1;
        let name = case["name"].as_str().unwrap_or("?");
        let ds = &v["datasets"][case["dataset"].as_str().expect("dataset")];
        let inputs: KpiInputs = serde_json::from_value(ds.clone()).expect("dataset parses");
        let period: Period = serde_json::from_value(case["period"].clone()).expect("period");
        let margin = case["gross_margin"].as_f64().expect("gross_margin");
        let report = inputs
            .report(period, date(&case["as_of"]), margin)
            .expect("fits");
        for m in report.revenue.values() {
            if !m.is_balanced() {
                r.fail(format!("{name}: revenue identity broken"));
            }
        }
        let mut actual = serde_json::to_value(&report).expect("report serialises");
        // The reference predates the CSAT margin of error (issue 12): it is
        // checked against the reference's own CSAT counts instead, with the
        // same normal-approximation formula as the NPS margin's tests.
        if let Some(moe) = actual["surveys"]
            .as_object_mut()
            .and_then(|s| s.remove("csat_moe95"))
        {
            let n = report.surveys.csat_responses as f64;
            let want = (n > 0.0).then(|| {
                let p = report.surveys.csat_satisfied as f64 / n;
                1.96 * 100.0 * (p * (1.0 - p) / n).sqrt()
            });
            r.checked += 1;
            match (moe.as_f64(), want) {
                (None, None) => {}
                (Some(a), Some(b)) if close(a, b) => {}
                _ => r.fail(format!("{name}.surveys.csat_moe95: {moe} ≠ {want:?}")),
            }
        }
        let expected = &case["expected"];
        for part in ["revenue", "surveys", "onboarding"] {
            compare(
                &expected[part],
                &actual[part],
                &format!("{name}.{part}"),
                true,
                &mut r,
            );
        }
    }

    // Back-test cases (default cut-offs).
    for case in v["backtest_cases"].as_array().expect("backtest_cases") {
        r.cases += 1;
        let name = case["name"].as_str().unwrap_or("?");
        let scores: Vec<f64> = case["scores"]
            .as_array()
            .expect("scores")
            .iter()
            .map(|s| s.as_f64().expect("score"))
            .collect();
        let churned: Vec<bool> = case["churned"]
            .as_array()
            .expect("churned")
            .iter()
            .map(|c| c.as_i64() == Some(1) || c.as_bool() == Some(true))
            .collect();
        let report = backtest(&scores, &churned, Bands::default()).expect("backtest");
        let actual = serde_json::to_value(&report).expect("report serialises");
        let expected = &case["expected"];
        for (k, ev) in expected.as_object().expect("expected object") {
            compare(ev, &actual[k], &format!("{name}.{k}"), true, &mut r);
        }
        // The ROC curve's trapezoid area is the AUC.
        if let Some(auc) = report.auc {
            let area: f64 = report
                .roc
                .windows(2)
                .map(|w| (w[1].fpr - w[0].fpr) * (w[1].tpr + w[0].tpr) / 2.0)
                .sum();
            r.checked += 1;
            if (area - auc).abs() > 1e-12 {
                r.fail(format!("{name}: ROC area {area} != AUC {auc}"));
            }
        }
    }

    // Scoring case.
    {
        r.cases += 1;
        let case = &v["scoring_case"];
        let model: HealthModel = serde_json::from_value(case["model"].clone()).expect("model");
        let scorer = Scorer::new(&model).expect("valid model");
        let accounts = case["accounts"].as_array().expect("accounts");
        let table = SignalTable::from_records(accounts.iter().map(|a| {
            a.as_object()
                .expect("account object")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_f64().expect("number")))
                .collect::<Vec<_>>()
        }));
        let (scores, bands) = scorer.score(&table);
        let actual: Vec<Value> = scores
            .iter()
            .zip(&bands)
            .map(|(s, b)| {
                json!({
                    "score": if s.is_nan() { Value::Null } else { json!(s) },
                    "band": b.map(|b| b.as_str()),
                })
            })
            .collect();
        compare(
            &case["expected"],
            &Value::Array(actual),
            "scoring_case",
            true,
            &mut r,
        );
        // The per-account explanation adds up to the same score.
        for (i, &score) in scores.iter().enumerate() {
            let ex = scorer.explain(&table, i).expect("in range");
            let sum: f64 = ex.measures.iter().map(|c| c.contribution).sum();
            r.checked += 1;
            match ex.score {
                Some(s) if (s - sum).abs() <= 1e-9 && close(s, score) => {}
                None if score.is_nan() => {}
                other => r.fail(format!(
                    "scoring_case[{i}]: explanation {other:?} / {sum} vs {score}"
                )),
            }
        }
        // The model round-trips through JSON unchanged.
        let back: HealthModel =
            serde_json::from_value(serde_json::to_value(&model).expect("ser")).expect("de");
        r.checked += 1;
        if back != model {
            r.fail("scoring_case: model JSON round trip".into());
        }
    }
    r
}

/// The reference vectors, read at compile time from `shared/testdata/` in
/// this repository (see its README for where they come from).
pub const VECTORS: &str = include_str!("../../testdata/kpi-vectors.json");

/// Checks every case of [`VECTORS`] and fails with the list of mismatches.
pub fn assert_reference_vectors() -> Report {
    let r = check_all(VECTORS);
    assert!(
        r.failures.is_empty(),
        "{} mismatches:\n{}",
        r.failures.len(),
        r.failures.join("\n")
    );
    assert_eq!(r.cases, 7 + 4 + 1);
    assert!(r.checked > 300, "only {} values checked", r.checked);
    r
}
