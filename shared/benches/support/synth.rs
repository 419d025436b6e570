//! Deterministic synthetic data for the metrics benchmarks (native criterion
//! bench and the browser bench share it through `#[path]`).

use kizuna_shared::metrics::{Curve, HealthModel, Measure, MissingPolicy, SignalTable};

/// A tiny xorshift64* generator (deterministic, no dependency).
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Signal keys, curves and ranges of the 8 synthetic measures.
pub fn model() -> HealthModel {
    let lin = |p: &[(f64, f64)]| Curve::Linear(p.to_vec());
    let steps = |p: &[(f64, f64)]| Curve::Steps(p.to_vec());
    let m = |signal: &str, weight: f64, missing: MissingPolicy, curve: Curve| Measure {
        signal: signal.to_owned(),
        weight,
        missing,
        curve,
    };
    use MissingPolicy::{Skip, Zero};
    HealthModel::new(vec![
        m(
            "days_since_login",
            20.0,
            Skip,
            lin(&[(0.0, 100.0), (30.0, 40.0), (60.0, 0.0)]),
        ),
        m(
            "seat_utilisation_pct",
            15.0,
            Zero,
            lin(&[(20.0, 0.0), (80.0, 100.0)]),
        ),
        m(
            "tickets_30d",
            10.0,
            Skip,
            steps(&[(0.0, 100.0), (3.0, 60.0), (10.0, 20.0)]),
        ),
        m(
            "csm_sentiment",
            10.0,
            Skip,
            lin(&[(1.0, 0.0), (5.0, 100.0)]),
        ),
        m(
            "nps_last",
            10.0,
            Skip,
            lin(&[(0.0, 0.0), (6.0, 30.0), (8.0, 70.0), (10.0, 100.0)]),
        ),
        m(
            "feature_adoption_pct",
            15.0,
            Zero,
            lin(&[(0.0, 0.0), (50.0, 80.0), (100.0, 100.0)]),
        ),
        m(
            "invoices_overdue",
            10.0,
            Skip,
            steps(&[(0.0, 100.0), (1.0, 50.0), (2.0, 0.0)]),
        ),
        m(
            "mrr_growth_pct",
            10.0,
            Skip,
            lin(&[(-20.0, 0.0), (0.0, 50.0), (20.0, 100.0)]),
        ),
    ])
}

/// Value ranges of the signals, in model order.
pub const RANGES: [(f64, f64); 8] = [
    (0.0, 90.0),
    (0.0, 100.0),
    (0.0, 15.0),
    (1.0, 5.0),
    (0.0, 10.0),
    (0.0, 100.0),
    (0.0, 3.0),
    (-30.0, 30.0),
];

/// `n` accounts × 8 signals, ~5 % missing, as f64 columns.
pub fn columns(n: usize, seed: u64) -> Vec<(String, Vec<f64>)> {
    let mut rng = XorShift::new(seed);
    let model = model();
    model
        .measures
        .iter()
        .zip(RANGES)
        .map(|(m, (lo, hi))| {
            let col = (0..n)
                .map(|_| {
                    if rng.unit() < 0.05 {
                        f64::NAN
                    } else {
                        (lo + (hi - lo) * rng.unit()).round()
                    }
                })
                .collect();
            (m.signal.clone(), col)
        })
        .collect()
}

/// The columns as a [`SignalTable`].
pub fn table(n: usize, seed: u64) -> SignalTable {
    let mut t = SignalTable::new(n);
    for (k, c) in columns(n, seed) {
        t.add(k, c).expect("fresh column of the right length");
    }
    t
}

/// Churn outcomes that depend on the score (logistic), for the fit.
#[allow(dead_code)]
pub fn churned(scores: &[f64], seed: u64) -> Vec<bool> {
    let mut rng = XorShift::new(seed);
    scores
        .iter()
        .map(|&s| {
            let s = if s.is_nan() { 50.0 } else { s };
            let p = 1.0 / (1.0 + (-(2.0 - 5.0 * s / 100.0)).exp());
            rng.unit() < p
        })
        .collect()
}

/// The same data as [`table`] with f32 columns (half the memory traffic).
#[allow(dead_code)]
pub fn table_f32(n: usize, seed: u64) -> SignalTable {
    let mut t = SignalTable::new(n);
    for (k, c) in columns(n, seed) {
        let c: Vec<f32> = c.into_iter().map(|v| v as f32).collect();
        t.add(k, c).expect("fresh column of the right length");
    }
    t
}
