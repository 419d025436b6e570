//! Property tests of the metrics' invariants (native only: proptest does not
//! run in the browser test runner).
#![cfg(not(target_arch = "wasm32"))]

use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::kpi::{revenue_movements, MrrRow};
use kizuna_shared::metrics::{
    auc, backtest, roc_curve, Bands, Curve, HealthModel, Histogram, Measure, MissingPolicy, Month,
    Period, RocPoint, Scorer, SignalTable,
};
use proptest::prelude::*;

mod strategies;
use strategies::curve;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

fn model() -> impl Strategy<Value = HealthModel> {
    prop::collection::vec((curve(), 0.0f64..10.0, any::<bool>()), 1..=8).prop_map(|ms| {
        let mut measures: Vec<Measure> = ms
            .into_iter()
            .enumerate()
            .map(|(i, (curve, weight, zero))| Measure {
                signal: format!("s{i}"),
                trend: None,
                weight,
                missing: if zero {
                    MissingPolicy::Zero
                } else {
                    MissingPolicy::Skip
                },
                curve,
            })
            .collect();
        measures[0].weight += 0.5; // never all zero
        HealthModel::new(measures)
    })
}

/// A table of `n` accounts for up to 8 signals, values in −60..160, ~15 % NaN.
fn table_for(n: usize, raw: &[Option<f64>]) -> SignalTable {
    let mut t = SignalTable::new(n);
    for j in 0..8 {
        let col: Vec<f64> = (0..n)
            .map(|i| raw[(i * 8 + j) % raw.len()].unwrap_or(f64::NAN))
            .collect();
        t.add(format!("s{j}"), col).expect("fresh column");
    }
    t
}

fn raw_values() -> impl Strategy<Value = Vec<Option<f64>>> {
    prop::collection::vec(
        prop_oneof![1 => Just(None), 6 => (-60.0f64..160.0).prop_map(Some)],
        8..200,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn scaling_all_weights_leaves_scores_unchanged(
        model in model(), raw in raw_values(), n in 1usize..300, k in 0.01f64..1000.0,
    ) {
        let t = table_for(n, &raw);
        let a = Scorer::new(&model).expect("valid");
        let mut scaled = model.clone();
        scaled.measures.iter_mut().for_each(|m| m.weight *= k);
        let b = Scorer::new(&scaled).expect("valid");
        let (sa, _) = a.score(&t);
        let (sb, _) = b.score(&t);
        for (x, y) in sa.iter().zip(&sb) {
            prop_assert!(close(*x, *y, 1e-9), "{x} vs {y}");
        }
    }

    #[test]
    fn batch_scores_match_the_reference_curves(
        model in model(), raw in raw_values(), n in 1usize..200,
    ) {
        let t = table_for(n, &raw);
        let scorer = Scorer::new(&model).expect("valid");
        let (scores, bands) = scorer.score(&t);
        for (i, (&s, b)) in scores.iter().zip(&bands).enumerate() {
            // Straight from the definitions with `Curve::eval`.
            let (mut wp, mut sw) = (0.0, 0.0);
            for m in &model.measures {
                let v = t.column(&m.signal).and_then(|c| c.get(i));
                match v.and_then(|v| m.curve.eval(v)) {
                    Some(p) => { wp += m.weight * p; sw += m.weight; }
                    None if m.missing == MissingPolicy::Zero => sw += m.weight,
                    None => {}
                }
            }
            let expected = if sw > 0.0 { wp / sw } else { f64::NAN };
            prop_assert!(close(s, expected, 1e-9), "account {i}: {s} vs {expected}");
            prop_assert_eq!(b.is_none(), s.is_nan());
            let one = scorer.score_one(|k, days| {
                assert_eq!(days, 0, "no trend measure");
                t.column(k).and_then(|c| c.get(i))
            });
            prop_assert!(close(one.unwrap_or(f64::NAN), s, 1e-9));
        }
    }

    #[test]
    fn fused_histogram_matches_fill(
        values in prop::collection::vec(
            prop_oneof![1 => Just(f64::NAN), 8 => -20.0f64..120.0, 1 => (0u8..=100).prop_map(f64::from)],
            0..3000,
        ),
        bins in 1usize..400,
    ) {
        let identity = HealthModel::new(vec![Measure {
            signal: "v".into(),
            trend: None,
            weight: 1.0,
            missing: MissingPolicy::Skip,
            curve: Curve::Linear(vec![(-1e9, -1e9), (1e9, 1e9)]),
        }]);
        let scorer = Scorer::new(&identity).expect("valid");
        let t = SignalTable::new(values.len()).with("v", values).expect("column");
        let (mut s, mut b) = (Vec::new(), Vec::new());
        let mut fused = Histogram::percent(bins).expect("bins");
        let counts = scorer.score_with_histogram_into(&t, &mut s, &mut b, &mut fused);
        let mut plain = Histogram::percent(bins).expect("bins");
        let counted = plain.fill(&s);
        prop_assert_eq!(&fused, &plain);
        prop_assert_eq!(counted, counts.total() - counts.unscored);
    }

    #[test]
    fn band_counts_sum_to_n(model in model(), raw in raw_values(), n in 0usize..300) {
        let t = table_for(n, &raw);
        let scorer = Scorer::new(&model).expect("valid");
        let (mut s, mut b) = (Vec::new(), Vec::new());
        let counts = scorer.score_into(&t, &mut s, &mut b);
        prop_assert_eq!(counts.total(), n);
        prop_assert_eq!(s.len(), n);
    }

    #[test]
    fn auc_is_a_probability_and_flips_with_the_sign(
        data in prop::collection::vec(((0u8..50).prop_map(f64::from), any::<bool>()), 0..300),
    ) {
        let (s, c): (Vec<f64>, Vec<bool>) = data.into_iter().unzip();
        let neg: Vec<f64> = s.iter().map(|x| -x).collect();
        match (auc(&s, &c), auc(&neg, &c)) {
            (Some(a), Some(b)) => {
                prop_assert!((0.0..=1.0).contains(&a));
                prop_assert!(close(a + b, 1.0, 1e-12));
                // Equals the O(n²) pair count.
                let (mut num, mut den) = (0.0, 0.0);
                for (x, cx) in s.iter().zip(&c) {
                    for (y, cy) in s.iter().zip(&c) {
                        if *cx && !*cy {
                            den += 1.0;
                            num += if x < y { 1.0 } else if x == y { 0.5 } else { 0.0 };
                        }
                    }
                }
                prop_assert!(close(a, num / den, 1e-12));
                let r = backtest(&s, &c, Bands::default()).expect("same length");
                prop_assert_eq!(r.auc, Some(a));
                let last = r.roc.last().expect("points");
                prop_assert_eq!((last.fpr, last.tpr), (1.0, 1.0));
            }
            (None, None) => prop_assert!(c.iter().all(|&x| x) || c.iter().all(|&x| !x)),
            other => prop_assert!(false, "asymmetric {:?}", other),
        }
    }

    /// Scores within 1e-9 are ties: noise below 1e-12 on every score (the
    /// size of a different order of floating-point sums) changes neither
    /// the AUC nor the ROC curve's shape, and the area under the ROC curve
    /// (one point per tie group) is the AUC.
    #[test]
    fn noise_below_a_trillionth_does_not_move_the_auc(
        data in prop::collection::vec(
            ((0u16..400).prop_map(|k| f64::from(k) / 4.0 + 0.1), any::<bool>(), -1000i32..=1000),
            0..300,
        ),
    ) {
        let s: Vec<f64> = data.iter().map(|d| d.0).collect();
        let c: Vec<bool> = data.iter().map(|d| d.1).collect();
        let noisy: Vec<f64> = data
            .iter()
            .map(|(x, _, n)| x + f64::from(*n) * 1e-15)
            .collect();
        prop_assert_eq!(auc(&noisy, &c), auc(&s, &c));
        let (full, moved) = (roc_curve(&s, &c), roc_curve(&noisy, &c));
        let shape = |r: &[RocPoint]| r.iter().map(|p| (p.fpr, p.tpr)).collect::<Vec<_>>();
        prop_assert_eq!(shape(&moved), shape(&full));
        if let Some(a) = auc(&s, &c) {
            let area: f64 = full
                .windows(2)
                .map(|w| (w[1].fpr - w[0].fpr) * (w[1].tpr + w[0].tpr) / 2.0)
                .sum();
            prop_assert!(close(area, a, 1e-12), "area {} auc {}", area, a);
        }
    }

    #[test]
    fn movements_balance_and_nrr_is_at_least_grr(
        rows in prop::collection::vec(
            (0u8..12, 0u8..3, 0u32..8, 0i64..5_000, any::<bool>()),
            0..120,
        ),
        months in prop::sample::select(vec![1u32, 3, 12]),
    ) {
        let rows: Vec<MrrRow> = rows
            .into_iter()
            .map(|(a, p, m, amount, usd)| MrrRow {
                account: format!("a{a}"),
                product: format!("p{p}"),
                month: Month::new(2025, 1).and_then(|x| x.plus(i64::from(m))).expect("month"),
                amount_minor: amount,
                currency: if usd { Currency::Usd } else { Currency::Jpy },
            })
            .collect();
        let first = Month::new(2025, 3).expect("month");
        let period = Period::new(first, months).expect("period");
        for (_, r) in revenue_movements(&rows, period, 0.7).expect("fits") {
            prop_assert!(r.is_balanced(), "{:?}", r);
            if let (Some(n), Some(g)) = (r.nrr_pct, r.grr_pct) {
                prop_assert!(n >= g);
                prop_assert!(g <= 100.0 + 1e-9);
            }
            prop_assert!(r.churned_customers <= r.customers_at_start);
        }
    }
}

proptest! {
    /// NPS and CSAT: the groups partition the valid answers, the scores stay
    /// in their ranges, and the margins of error are finite and non-negative.
    #[test]
    fn survey_scores_partition_and_bound(scores in prop::collection::vec(0u8..=12, 0..200)) {
        use kizuna_shared::domain::{ScoreGroup, SurveyKind};
        use kizuna_shared::metrics::kpi::{csat, nps};
        let n = nps(scores.iter().copied());
        prop_assert_eq!(n.promoters + n.passives + n.detractors, n.responses);
        prop_assert_eq!(n.responses, scores.iter().filter(|s| **s <= 10).count());
        if let (Some(v), Some(m)) = (n.nps, n.moe95) {
            prop_assert!((-100.0..=100.0).contains(&v));
            prop_assert!(m.is_finite() && m >= 0.0);
        }
        let c = csat(scores.iter().copied());
        prop_assert_eq!(c.satisfied + c.neutral + c.dissatisfied, c.responses);
        if let (Some(p), Some(m)) = (c.pct, c.moe95) {
            prop_assert!((0.0..=100.0).contains(&p));
            prop_assert!(m.is_finite() && (0.0..=100.0).contains(&m));
        }
        // The shared score groups count the same answers as the metrics.
        let negative = scores
            .iter()
            .filter(|s| ScoreGroup::of(SurveyKind::Nps, **s) == Some(ScoreGroup::Negative))
            .count();
        prop_assert_eq!(negative, n.detractors);
        let positive = scores
            .iter()
            .filter(|s| ScoreGroup::of(SurveyKind::Csat, **s) == Some(ScoreGroup::Positive))
            .count();
        prop_assert_eq!(positive, c.satisfied);
    }

    /// More answers with the same mix never widen the CSAT margin of error.
    #[test]
    fn csat_margin_shrinks_with_more_answers(sat in 0usize..50, unsat in 0usize..50, k in 2usize..5) {
        use kizuna_shared::metrics::kpi::csat;
        prop_assume!(sat + unsat > 0);
        let once: Vec<u8> = std::iter::repeat_n(5, sat).chain(std::iter::repeat_n(1, unsat)).collect();
        let many: Vec<u8> = once.iter().copied().cycle().take(once.len() * k).collect();
        let (a, b) = (csat(once).moe95.unwrap(), csat(many).moe95.unwrap());
        prop_assert!(b <= a + 1e-9);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The columnar fact set and the row-based function give identical
    /// movements and KPIs for any rows, period and filter (negative amounts
    /// included, which the database forbids but the definitions handle).
    #[test]
    fn columnar_facts_equal_the_row_based_movements(
        rows in prop::collection::vec(
            (0i64..10, 0u8..3, 0u32..10, -500i64..5_000, 0u8..3),
            0..150,
        ),
        owners in prop::collection::vec(0i64..3, 10),
        first in 0u32..10,
        months in prop::sample::select(vec![1u32, 2, 3, 12]),
        owner in prop::option::of(0i64..3),
    ) {
        use kizuna_shared::metrics::kpi::{AccountAttrs, FactFilter, KpiFactsBuilder};
        let currency = |c: u8| [Currency::Jpy, Currency::Usd, Currency::Eur][usize::from(c)];
        let month = |m: u32| Month::new(2025, 1).and_then(|x| x.plus(i64::from(m))).expect("month");
        let rows: Vec<MrrRow<i64, String>> = rows
            .into_iter()
            .map(|(a, p, m, amount, c)| MrrRow {
                account: a,
                product: format!("p{p}"),
                month: month(m),
                amount_minor: amount,
                currency: currency(c),
            })
            .collect();
        let mut builder = KpiFactsBuilder::new();
        for (a, o) in owners.iter().enumerate() {
            builder.account(a as i64, AccountAttrs { owner: Some(*o), ..AccountAttrs::default() });
        }
        for r in &rows {
            builder.row(r.account, r.currency, &r.product, r.month, r.amount_minor);
        }
        let facts = builder.build().expect("fits");
        let filter = FactFilter { owner, ..FactFilter::default() };
        let kept: Vec<&MrrRow<i64, String>> = rows
            .iter()
            .filter(|r| owner.is_none_or(|o| owners[r.account as usize] == o))
            .collect();
        let period = Period::new(month(first), months).expect("period");
        prop_assert_eq!(
            facts.revenue(&filter, period, 0.7).expect("fits"),
            revenue_movements(kept, period, 0.7).expect("fits")
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Counting the accounts behind a filter from the fact set's key column
    /// gives the same number as asking the string-based rule of each
    /// account (`account_matches`), for any attributes and any filter —
    /// values no account has included (they match nothing).
    #[test]
    fn counting_the_accounts_behind_a_filter_follows_the_account_rule(
        accounts in prop::collection::vec(
            (prop::option::of(0u8..4), prop::option::of(0u8..3), prop::option::of(0i64..3), prop::option::of(0u8..3)),
            0..40,
        ),
        segment in prop::option::of(0u8..5),
        plan in prop::option::of(0u8..4),
        owner in prop::option::of(0i64..4),
        tier in prop::option::of(0u8..3),
    ) {
        use kizuna_shared::domain::Tier;
        use kizuna_shared::metrics::kpi::{AccountAttrs, FactFilter, KpiFactsBuilder};
        let tiers = [Tier::High, Tier::Low, Tier::Tech];
        let mut builder = KpiFactsBuilder::new();
        for (id, (s, p, o, t)) in accounts.iter().enumerate() {
            builder.account(id as i64, AccountAttrs {
                segment: s.map(|s| format!("seg{s}")),
                plan: p.map(|p| format!("plan{p}")),
                owner: *o,
                tier: t.map(|t| tiers[usize::from(t)]),
                ..AccountAttrs::default()
            });
        }
        let facts = builder.build().expect("fits");
        let filter = FactFilter {
            segment: segment.map(|s| format!("seg{s}")),
            plan: plan.map(|p| format!("plan{p}")),
            owner,
            tier: tier.map(|t| tiers[usize::from(t)]),
        };
        let by_rule = (0..accounts.len() as i64)
            .filter(|id| facts.account_matches(*id, &filter))
            .count();
        prop_assert_eq!(facts.matching_accounts(&filter), by_rule);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Health KPIs from the columnar fact set equal the plain definition
    /// (`health_kpis` over each filtered account with its tenure and its
    /// MRR of the period's last month per currency, from the snapshot
    /// standing at the period's end); the band counts sum to the scored
    /// accounts, scored plus not scored are the filtered accounts that are
    /// customers on the period's last day (contract started, not churned —
    /// counted here by the rule written out again), and the at-risk MRR is
    /// the red band's MRR in every currency.
    #[test]
    fn health_kpis_from_the_facts_equal_the_definition(
        rows in prop::collection::vec((0i64..12, 0u8..2, 0u32..8, -50i64..5_000, 0u8..3), 0..120),
        owners in prop::collection::vec(0i64..3, 12),
        // Days after 2024-12-01 (up to about 2025-11): contract start, and
        // churn: 0 none, 1 dated, 2 churned without a date.
        tenures in prop::collection::vec(
            (prop::option::of(0u64..340), 0u8..3, 0u64..340),
            12,
        ),
        snapshots in prop::collection::vec(
            (0u32..8, prop::collection::vec((0i64..14, 0u8..4), 0..14)),
            0..4,
        ),
        last in 0u32..10,
        months in prop::sample::select(vec![1u32, 3]),
        owner in prop::option::of(0i64..3),
    ) {
        use kizuna_shared::domain::Tenure;
        use kizuna_shared::metrics::kpi::{
            health_kpis, AccountAttrs, BandSnapshot, FactFilter, HealthHistory, KpiFactsBuilder,
        };
        use kizuna_shared::metrics::Band;
        let currency = |c: u8| [Currency::Jpy, Currency::Usd, Currency::Eur][usize::from(c)];
        let month = |m: u32| Month::new(2025, 1).and_then(|x| x.plus(i64::from(m))).expect("month");
        let day = |n: u64| {
            chrono::NaiveDate::from_ymd_opt(2024, 12, 1).expect("day") + chrono::Days::new(n)
        };
        let tenure = |a: usize| {
            let (start, kind, churn) = tenures[a];
            Tenure {
                contract_start: start.map(day),
                churn_date: (kind == 1).then(|| day(churn)),
                churned: kind > 0,
            }
        };
        let mut builder = KpiFactsBuilder::new();
        for (a, o) in owners.iter().enumerate() {
            let t = tenure(a);
            builder.account(a as i64, AccountAttrs {
                owner: Some(*o),
                contract_start: t.contract_start,
                churned: t.churned,
                churn_date: t.churn_date,
                ..AccountAttrs::default()
            });
        }
        for (a, p, m, amount, c) in &rows {
            builder.row(*a % 12, currency(*c), &format!("p{p}"), month(*m), *amount);
        }
        let facts = builder.build().expect("fits");
        let history = HealthHistory::new(snapshots.iter().map(|(m, bands)| {
            BandSnapshot::new(
                month(*m).last_day(),
                bands
                    .iter()
                    .filter_map(|(a, b)| Band::ALL.get(usize::from(*b)).map(|b| (*a, *b)))
                    .collect(),
            )
        }));
        let period = Period::new(month(last), months).expect("period");
        let end = period.last_month();
        let listed = [Currency::Jpy];
        let filter = FactFilter { owner, ..FactFilter::default() };
        let got = facts.health(&filter, period, &history, &listed).expect("fits");

        // The definition: each kept account's MRR per currency in `end`.
        let kept: Vec<(i64, Vec<(Currency, i64)>)> = (0..12i64)
            .filter(|a| owner.is_none_or(|o| owners[*a as usize] == o))
            .map(|a| {
                let mut per: Vec<(Currency, i64)> = Vec::new();
                for (ra, _, m, amount, c) in &rows {
                    if *ra % 12 != a {
                        continue;
                    }
                    let c = currency(*c);
                    let add = if month(*m) == end { *amount } else { 0 };
                    match per.iter_mut().find(|(x, _)| *x == c) {
                        Some(slot) => slot.1 += add,
                        None => per.push((c, add)),
                    }
                }
                (a, per)
            })
            .collect();
        let want = health_kpis(
            history.at(period.last_day()),
            period.last_day(),
            kept.iter().map(|(a, per)| (*a, tenure(*a as usize), per.as_slice())),
            &listed,
        ).expect("fits");
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(got.red + got.yellow + got.green, got.scored);
        let end_day = period.last_day();
        let customers = kept
            .iter()
            .filter(|(a, _)| {
                let (start, kind, churn) = tenures[*a as usize];
                start.is_none_or(|s| day(s) <= end_day)
                    && match kind {
                        0 => true,
                        1 => day(churn) > end_day,
                        _ => false,
                    }
            })
            .count();
        prop_assert_eq!(got.scored + got.not_scored, customers);
        for m in &got.mrr {
            prop_assert_eq!(m.at_risk, m.red);
        }
    }
}

proptest! {
    /// The CSV formula guard and the import's undoing of it are exact
    /// inverses for any text (so every export imports back unchanged), and
    /// a guarded cell never starts with a formula character.
    #[test]
    fn the_formula_guard_round_trips_any_text(
        cell in "(['=+@\t\r＝＋－＠-]{0,3})(.{0,12})"
    ) {
        use kizuna_shared::cells::{neutralize_formula, restore_formula};
        let guarded = neutralize_formula(&cell);
        prop_assert_eq!(restore_formula(&guarded), cell.as_str());
        prop_assert!(
            !matches!(
                guarded.chars().next(),
                Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠')
            ),
            "{:?} was written as {:?}", cell, guarded
        );
    }
}
