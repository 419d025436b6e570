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
        trend: None,
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
                        // `+ 0.0`: no −0.0 (a database hands out 0).
                        (lo + (hi - lo) * rng.unit()).round() + 0.0
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

/// Days of the lagged columns [`scoring_data`] carries for trend measures.
#[allow(dead_code)]
pub const LAG_DAYS: u32 = 60;

/// The 8-measure [`model`] plus two trend measures over the
/// [`LAG_DAYS`]-day lagged columns of [`scoring_data`]: the relative change
/// of feature adoption and the absolute change of days since login.
#[allow(dead_code)]
pub fn trend_model() -> HealthModel {
    use kizuna_shared::metrics::{Measure, Trend, TrendKind};
    let mut m = model();
    m.measures.push(
        Measure::new(
            "feature_adoption_pct",
            10.0,
            Curve::Linear(vec![
                (-50.0, 0.0),
                (-10.0, 40.0),
                (0.0, 70.0),
                (20.0, 100.0),
            ]),
        )
        .with_trend(Trend {
            days: LAG_DAYS,
            kind: TrendKind::Relative,
        }),
    );
    m.measures.push(
        Measure::new(
            "days_since_login",
            5.0,
            Curve::Steps(vec![(-1000.0, 100.0), (0.0, 60.0), (15.0, 0.0)]),
        )
        .with_trend(Trend {
            days: LAG_DAYS,
            kind: TrendKind::Absolute,
        }),
    );
    m
}

/// A realistic scoring-data set: `n` accounts with ascending ids, names
/// (a third in Japanese), 40 owners, MRR and tier in JPY (80 %), USD or EUR,
/// the 8 signals of [`model`] (three of them with one decimal, as the
/// database holds percentages), their values [`LAG_DAYS`] days earlier (~8 %
/// missing) and churn outcomes that depend on the score.
#[allow(dead_code)]
pub fn scoring_data(n: usize, seed: u64) -> kizuna_shared::api::scoring_data::ScoringData {
    use kizuna_shared::api::scoring_data::{AccountRow, Accounts, ScoringData};
    use kizuna_shared::domain::{Currency, Tier};
    use kizuna_shared::metrics::Scorer;

    let mut rng = XorShift::new(seed ^ 0x9E37_79B9_7F4A_7C15);
    let decimals = [
        "seat_utilisation_pct",
        "feature_adoption_pct",
        "mrr_growth_pct",
    ];
    let mut table = SignalTable::new(n);
    for (k, mut c) in columns(n, seed) {
        let tenth = decimals.contains(&k.as_str());
        if tenth {
            for v in c.iter_mut().filter(|v| !v.is_nan()) {
                *v = ((*v + rng.unit() - 0.5) * 10.0).round() / 10.0 + 0.0;
            }
        }
        let lagged: Vec<f64> = c
            .iter()
            .map(|&v| {
                if rng.unit() < 0.08 {
                    f64::NAN
                } else {
                    let then = v * (0.7 + 0.6 * rng.unit());
                    if tenth {
                        (then * 10.0).round() / 10.0 + 0.0
                    } else {
                        then.round() + 0.0
                    }
                }
            })
            .collect();
        table
            .add_lagged(k.clone(), LAG_DAYS, lagged)
            .expect("fresh lagged column");
        table.add(k, c).expect("fresh column");
    }
    let scorer = Scorer::new(&model()).expect("valid model");
    let (scores, _) = scorer.score(&table);
    let churned = churned(&scores, seed ^ 7);
    let owners: Vec<String> = (0..40).map(|i| format!("CSM {i:02}")).collect();
    let mut accounts = Accounts::with_capacity(n);
    let mut id = 1000i64;
    let mut name = String::new();
    for (i, &churned) in churned.iter().enumerate() {
        id += 1 + (rng.unit() < 0.1) as i64 * 3;
        let currency = match rng.unit() {
            u if u < 0.8 => Currency::Jpy,
            u if u < 0.95 => Currency::Usd,
            _ => Currency::Eur,
        };
        let mrr_minor = match currency {
            Currency::Jpy => (rng.unit() * 2_000.0).round() as i64 * 1_000,
            _ => (rng.unit() * 20_000.0).round() as i64 * 100,
        };
        name.clear();
        if i % 3 == 0 {
            name.push_str(&format!("株式会社サンプル{i}"));
        } else {
            name.push_str(&format!("Sample Company {i} Inc."));
        }
        let owner = (rng.unit() < 0.95).then(|| {
            let o = (rng.next_u64() % 40) as usize;
            (o as i64 + 1, owners[o].as_str())
        });
        accounts.push(AccountRow {
            id,
            name: &name,
            owner,
            tier: Tier::of(mrr_minor, currency),
            mrr_minor,
            currency,
            churned,
        });
    }
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 3, 31).expect("date");
    ScoringData::new(as_of, 180, accounts, table).expect("one row per account")
}
