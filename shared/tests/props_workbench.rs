//! Property tests of the workbench core (native only: proptest does not run
//! in the browser test runner): the scoring-data decoder on arbitrary and
//! corrupted bytes, exact round trips, fast and portable kernels, trend
//! scoring against the reference curves, and the live panel against the
//! stand-alone functions.
#![cfg(not(target_arch = "wasm32"))]

use chrono::NaiveDate;
use kizuna_shared::api::scoring_data::{decode, encode, AccountRow, Accounts, ScoringData};
use kizuna_shared::domain::{Currency, Tier};
use kizuna_shared::metrics::{
    backtest, compare_bands, mrr_by_band, BacktestOptions, BacktestReport, Backtester, Band,
    Currencies, HealthModel, Histogram, Measure, MissingPolicy, Panel, PanelInputs, PanelOptions,
    Scorer, SignalTable, Trend, TrendKind,
};
use proptest::prelude::*;

mod strategies;
use strategies::curve;

/// A signal value as databases hold them: small integers, one or two
/// decimals, large numbers, arbitrary doubles, or missing.
fn value() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        2 => Just(f64::NAN),
        4 => (-120i32..=120).prop_map(f64::from),
        3 => (-99_999i32..=99_999).prop_map(|i| f64::from(i) / 10.0),
        1 => (-9_999_999i32..=9_999_999).prop_map(|i| f64::from(i) / 100.0),
        1 => (-3e9f64..3e9).prop_map(f64::round),
        1 => any::<f32>().prop_filter("not NaN", |v| !v.is_nan()).prop_map(f64::from),
        1 => any::<f64>().prop_filter("not NaN", |v| !v.is_nan()),
    ]
}

fn currency() -> impl Strategy<Value = Currency> + Clone {
    prop::sample::select(Currency::ALL.to_vec())
}

fn tier() -> impl Strategy<Value = Tier> + Clone {
    prop::sample::select(Tier::ALL.to_vec())
}

/// `(id, name, owner, tier, mrr, currency, churned)` per account, and up to
/// four signals (one of them f32) with up to two lags.
fn scoring_data() -> impl Strategy<Value = ScoringData> {
    let account = (
        any::<i64>(),
        "[a-zA-Z0-9 株式会社ü]{0,12}",
        prop::option::of(0i64..5),
        tier(),
        any::<i64>(),
        currency(),
        any::<bool>(),
    );
    (0usize..40).prop_flat_map(move |n| {
        (
            prop::collection::vec(account.clone(), n),
            prop::collection::vec(prop::collection::vec(value(), n), 0..5),
            prop::collection::vec(
                (0usize..4, 1u32..400, prop::collection::vec(value(), n)),
                0..3,
            ),
            -100_000i32..100_000,
            1u32..731,
        )
            .prop_map(move |(rows, signals, lagged, day, window)| {
                let mut a = Accounts::with_capacity(n);
                let owners = ["", "佐藤", "Kim", "Ann", "Bob"];
                for (id, name, owner, tier, mrr_minor, currency, churned) in &rows {
                    a.push(AccountRow {
                        id: *id,
                        name,
                        owner: owner.map(|o| (o, owners[o as usize])),
                        tier: *tier,
                        mrr_minor: *mrr_minor,
                        currency: *currency,
                        churned: *churned,
                    });
                }
                let mut t = SignalTable::new(n);
                for (k, col) in signals.into_iter().enumerate() {
                    if k == 3 {
                        let col: Vec<f32> = col.iter().map(|&v| v as f32).collect();
                        t.add(format!("s{k}"), col).expect("fresh");
                    } else {
                        t.add(format!("s{k}"), col).expect("fresh");
                    }
                }
                for (k, lag, col) in lagged {
                    // A repeated (signal, lag) pair is simply not added.
                    let _ = t.add_lagged(format!("s{k}"), lag, col);
                }
                let as_of = NaiveDate::from_ymd_opt(1970, 1, 1)
                    .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(i64::from(day))))
                    .expect("in range");
                ScoringData::new(as_of, window, a, t).expect("same length")
            })
    })
}

fn bits(c: Option<f64>) -> u64 {
    c.map_or(u64::MAX, f64::to_bits)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = decode(&bytes);
        // With a valid header in front, the section parser sees them too.
        let mut framed = b"KZSD\x01\x00\x18\x00".to_vec();
        framed.extend_from_slice(&bytes);
        let _ = decode(&framed);
    }

    #[test]
    fn decoding_corrupted_data_never_panics(
        data in scoring_data(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let good = encode(&data);
        let mut bad = good.clone();
        for (at, byte) in &flips {
            let i = at.index(bad.len());
            bad[i] = *byte;
        }
        if let Ok(d) = decode(&bad) {
            // Whatever decodes, encodes and decodes again to the same.
            let again = encode(&d);
            prop_assert_eq!(encode(&decode(&again).expect("re-decodes")), again);
        }
        let _ = decode(&good[..cut.index(good.len() + 1)]);
    }

    #[test]
    fn scoring_data_round_trips_bit_for_bit(data in scoring_data()) {
        let bytes = encode(&data);
        let back = decode(&bytes).expect("decodes");
        prop_assert_eq!(encode(&back), bytes);
        prop_assert_eq!(back.as_of(), data.as_of());
        let (a, b) = (data.accounts(), back.accounts());
        prop_assert_eq!(a.ids(), b.ids());
        prop_assert_eq!(a.mrr_minor(), b.mrr_minor());
        prop_assert_eq!(a.churned(), b.churned());
        prop_assert_eq!(a.tiers(), b.tiers());
        prop_assert_eq!(a.currencies(), b.currencies());
        for i in 0..a.len() {
            prop_assert_eq!(a.name(i), b.name(i));
            prop_assert_eq!(a.owner(i), b.owner(i));
        }
        for (k, c) in data.signals().columns() {
            let d = back.signals().column(k).expect("column");
            for i in 0..data.len() {
                prop_assert_eq!(bits(c.get(i)), bits(d.get(i)), "{} row {}", k, i);
            }
        }
        for (k, lag, c) in data.signals().lagged_columns() {
            let d = back.signals().lagged(k, lag).expect("lagged column");
            for i in 0..data.len() {
                prop_assert_eq!(bits(c.get(i)), bits(d.get(i)));
            }
        }
    }
}

/// Up to 4 value measures over `s0..s3` and up to 2 trend measures.
fn model() -> impl Strategy<Value = HealthModel> {
    let m = (curve(), 0.0f64..10.0, any::<bool>());
    (
        prop::collection::vec(m.clone(), 1..=4),
        prop::collection::vec((m, any::<bool>()), 0..=2),
        (0.0f64..60.0, 0.0f64..50.0),
    )
        .prop_map(|(values, trends, (red, span))| {
            let policy = |zero: bool| {
                if zero {
                    MissingPolicy::Zero
                } else {
                    MissingPolicy::Skip
                }
            };
            let mut measures: Vec<Measure> = values
                .into_iter()
                .enumerate()
                .map(|(i, (c, w, z))| Measure::new(format!("s{i}"), w, c).with_missing(policy(z)))
                .collect();
            for (i, ((c, w, z), relative)) in trends.into_iter().enumerate() {
                let kind = if relative {
                    TrendKind::Relative
                } else {
                    TrendKind::Absolute
                };
                measures.push(
                    Measure::new(format!("s{i}"), w, c)
                        .with_missing(policy(z))
                        .with_trend(Trend { days: 30, kind }),
                );
            }
            measures[0].weight += 0.5;
            let mut model = HealthModel::new(measures);
            model.cuts = (red, red + span).into();
            model
        })
}

/// Four signals with a 30-day lag each, ~15 % missing, and per-account
/// MRR, currency and churn.
#[derive(Debug, Clone)]
struct Data {
    table: SignalTable,
    mrr: Vec<i64>,
    currencies: Vec<Currency>,
    churned: Vec<bool>,
}

fn data() -> impl Strategy<Value = Data> {
    let v = prop_oneof![1 => Just(f64::NAN), 6 => -60.0f64..160.0, 1 => Just(0.0)];
    (1usize..400).prop_flat_map(move |n| {
        (
            prop::collection::vec(prop::collection::vec(v.clone(), n), 8),
            prop::collection::vec((0i64..1_000_000, currency(), any::<bool>()), n),
        )
            .prop_map(move |(cols, rows)| {
                let mut table = SignalTable::new(n);
                for (k, c) in cols.into_iter().enumerate() {
                    if k < 4 {
                        table.add(format!("s{k}"), c).expect("fresh");
                    } else {
                        table
                            .add_lagged(format!("s{}", k - 4), 30, c)
                            .expect("fresh");
                    }
                }
                Data {
                    table,
                    mrr: rows.iter().map(|r| r.0).collect(),
                    currencies: rows.iter().map(|r| r.1).collect(),
                    churned: rows.iter().map(|r| r.2).collect(),
                }
            })
    })
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn trend_scores_match_the_reference_curves(model in model(), d in data()) {
        let scorer = Scorer::new(&model).expect("valid");
        let (scores, _) = scorer.score(&d.table);
        for (i, &s) in scores.iter().enumerate() {
            let (mut wp, mut sw) = (0.0, 0.0);
            for m in &model.measures {
                let now = d.table.column(&m.signal).and_then(|c| c.get(i));
                let v = match m.trend {
                    None => now,
                    Some(t) => {
                        let then = d.table.lagged(&m.signal, t.days).and_then(|c| c.get(i));
                        now.zip(then).map(|(a, b)| t.of(a, b)).filter(|v| !v.is_nan())
                    }
                };
                match v.and_then(|v| m.curve.eval(v)) {
                    Some(p) => { wp += m.weight * p; sw += m.weight; }
                    None if m.missing == MissingPolicy::Zero => sw += m.weight,
                    None => {}
                }
            }
            let expected = if sw > 0.0 { wp / sw } else { f64::NAN };
            prop_assert!(close(s, expected), "account {}: {} vs {}", i, s, expected);
        }
    }

    #[test]
    fn fast_and_portable_paths_agree(model in model(), d in data(), bins in 1usize..300) {
        let scorer = Scorer::new(&model).expect("valid");
        let (mut s1, mut b1, mut s2, mut b2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut h1 = Histogram::percent(bins).expect("bins");
        let mut h2 = h1.clone();
        let c1 = scorer.score_with_histogram_into(&d.table, &mut s1, &mut b1, &mut h1);
        let c2 = scorer.score_with_histogram_into_portable(&d.table, &mut s2, &mut b2, &mut h2);
        let bits = |s: &[f64]| s.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        prop_assert_eq!(bits(&s1), bits(&s2));
        prop_assert_eq!(b1, b2);
        prop_assert_eq!(h1, h2);
        prop_assert_eq!(c1, c2);
    }

    #[test]
    fn panel_matches_the_standalone_functions(
        published in model(), draft in model(), d in data(), max_movers in 0usize..20,
    ) {
        let inputs = PanelInputs {
            table: &d.table,
            mrr_minor: &d.mrr,
            currencies: &d.currencies,
            churned: &d.churned,
        };
        let (p, s) = (Scorer::new(&published).expect("valid"), Scorer::new(&draft).expect("valid"));
        let opts = PanelOptions { max_movers, ..PanelOptions::default() };
        let mut panel = Panel::new(opts).expect("options");
        panel.set_baseline(&p, &inputs).expect("baseline");
        let r = panel.update(&s, &inputs).expect("update").clone();

        let (scores, bands) = s.score(&d.table);
        let (ps, pb) = p.score(&d.table);
        prop_assert_eq!(&r.bands, &bands);
        // MRR per band per currency.
        let by = mrr_by_band(&bands, &d.mrr, Currencies::PerAccount(&d.currencies)).expect("ok");
        prop_assert_eq!(r.mrr.len(), by.len());
        for cb in &r.mrr {
            prop_assert_eq!(Some(&cb.bands), by.get(&cb.currency));
        }
        // Histogram per band sums to the histogram; each band's part is the
        // histogram of that band's scores.
        for band in Band::ALL {
            let mut h = Histogram::percent(opts.bins).expect("bins");
            let only: Vec<f64> = scores
                .iter()
                .zip(&bands)
                .map(|(&x, b)| if *b == Some(band) { x } else { f64::NAN })
                .collect();
            h.fill(&only);
            let part: Vec<u32> = r.histogram_bands.iter().map(|c| c[band.index()]).collect();
            prop_assert_eq!(part, h.counts);
        }
        // Movements.
        let cmp = compare_bands(&pb, &bands).expect("same length");
        let mv = r.movements.as_ref().expect("baseline");
        prop_assert_eq!(mv.matrix, cmp.matrix);
        prop_assert_eq!((mv.up, mv.down), (cmp.improved, cmp.worsened));
        prop_assert_eq!(mv.newly_scored + mv.newly_unscored, cmp.scored_changed);
        prop_assert_eq!(mv.moved, cmp.moved.len());
        prop_assert_eq!(mv.movers.len(), cmp.moved.len().min(max_movers));
        let change = |i: usize| {
            if ps[i].is_nan() || scores[i].is_nan() { f64::INFINITY } else { (scores[i] - ps[i]).abs() }
        };
        for w in mv.movers.windows(2) {
            prop_assert!(change(w[0].account) >= change(w[1].account));
        }
        if let Some(last) = mv.movers.last() {
            // Nobody left out moved more than the last one listed.
            let listed: Vec<usize> = mv.movers.iter().map(|m| m.account).collect();
            for &i in cmp.moved.iter().filter(|i| !listed.contains(i)) {
                prop_assert!(change(i) <= change(last.account));
            }
        }
        // Back-test: the same as the plain one except the decimated ROC.
        let full = backtest(&scores, &d.churned, s.bands()).expect("ok");
        let mut bt = r.backtest.clone();
        prop_assert!(bt.roc.len() <= opts.roc_points + 2);
        prop_assert_eq!(bt.roc.first(), full.roc.first());
        prop_assert_eq!(bt.roc.last(), full.roc.last());
        bt.roc = full.roc.clone();
        prop_assert_eq!(bt, full);
    }

    #[test]
    fn decimated_roc_is_part_of_the_full_curve(
        scores in prop::collection::vec(prop_oneof![1 => Just(f64::NAN), 9 => (0u8..=100).prop_map(f64::from), 3 => 0.0f64..100.0], 0..2000),
        seed in any::<u64>(),
        points in 2usize..300,
    ) {
        let churned: Vec<bool> = (0..scores.len()).map(|i| (seed >> (i % 64)) & 1 == 1).collect();
        let full = backtest(&scores, &churned, Default::default()).expect("ok");
        let mut out = BacktestReport::default();
        Backtester::new()
            .run_into(&scores, &churned, Default::default(), &BacktestOptions { roc_points: Some(points), min_class: 10 }, &mut out)
            .expect("ok");
        prop_assert!(out.roc.len() <= points + 2, "{} > {}", out.roc.len(), points + 2);
        let mut it = full.roc.iter();
        for p in &out.roc {
            prop_assert!(it.any(|q| q == p));
        }
        prop_assert_eq!(out.roc.is_empty(), full.roc.is_empty());
        prop_assert_eq!(out.roc.last(), full.roc.last());
    }
}
