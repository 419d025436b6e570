//! The one overflow policy of money sums (`api::MoneySum`): every metric
//! that adds amounts adds them exactly and answers a total beyond `i64`
//! minor units with `MoneyError::Overflow`, never a wrapped or saturated
//! number. Native only: the data sets are large.
#![cfg(not(target_arch = "wasm32"))]

use kizuna_shared::api::MoneyError;
use kizuna_shared::domain::{Currency, MAX_AMOUNT_MAJOR};
use kizuna_shared::metrics::kpi::{
    at_risk_mrr, revenue_movements, AccountAttrs, FactFilter, HealthHistory, KpiFacts,
    KpiFactsBuilder, MrrRow,
};
use kizuna_shared::metrics::{
    mrr_by_band, Band, Currencies, Curve, DataError, HealthModel, Measure, Month, Panel,
    PanelError, PanelInputs, PanelOptions, Period, Scorer, SignalTable,
};

const USD: Currency = Currency::Usd;

/// An amount at the cap: 10¹² dollars, 10¹⁴ cents.
fn cap() -> i64 {
    assert_eq!(MAX_AMOUNT_MAJOR, 1_000_000_000_000);
    USD.max_amount_minor()
}

/// How many accounts at the cap still fit in `i64`: 92,233 (9.2233 × 10¹⁸
/// cents; `i64::MAX` is 9.2234 × 10¹⁸).
fn fitting() -> usize {
    usize::try_from(i64::MAX / cap()).unwrap()
}

fn month() -> Month {
    "2026-01".parse().unwrap()
}

/// `n` new US accounts paying the cap in January 2026.
fn rows(n: usize) -> Vec<MrrRow<i64, &'static str>> {
    (0..n)
        .map(|a| MrrRow {
            account: i64::try_from(a).unwrap(),
            product: "core",
            month: month(),
            amount_minor: cap(),
            currency: USD,
        })
        .collect()
}

fn facts(rows: &[MrrRow<i64, &str>]) -> KpiFacts {
    let mut b = KpiFactsBuilder::with_capacity(rows.len());
    for r in rows {
        b.account(r.account, AccountAttrs::default());
        b.row(r.account, r.currency, r.product, r.month, r.amount_minor);
    }
    b.build().expect("every cell fits")
}

#[test]
fn kpi_totals_are_exact_up_to_i64_and_an_overflow_error_beyond() {
    let n = fitting();
    assert_eq!(n, 92_233);
    let p = Period::month(month());
    let all = FactFilter::default();
    let none = HealthHistory::default();
    let exact = i64::try_from(n).unwrap() * cap();

    // 92,233 accounts: exact totals, the columns equal the rows.
    let ok = rows(n);
    let by_rows = revenue_movements(&ok, p, 0.8).expect("fits");
    assert_eq!((by_rows[&USD].new, by_rows[&USD].end_mrr), (exact, exact));
    assert!(by_rows[&USD].is_balanced());
    let f = facts(&ok);
    assert_eq!(f.revenue(&all, p, 0.8).expect("fits"), by_rows);
    let h = f.health(&all, p, &none, &[USD]).expect("fits");
    assert_eq!(h.mrr_of(USD).map(|m| m.not_scored), Some(exact));
    let c = f.cohorts(&all, month(), month()).expect("fits");
    assert_eq!(c[0].mrr[&USD], [exact]);

    // One more: every total of the period overflows, as an error.
    let over = rows(n + 1);
    let overflow = Some(MoneyError::Overflow(USD));
    assert_eq!(revenue_movements(&over, p, 0.8).err(), overflow);
    let f = facts(&over);
    assert_eq!(f.revenue(&all, p, 0.8).err(), overflow);
    assert_eq!(f.health(&all, p, &none, &[USD]).err(), overflow);
    assert_eq!(f.cohorts(&all, month(), month()).err(), overflow);
    // … but not the previous period, which has no revenue yet.
    let dec = Period::month("2025-12".parse().unwrap());
    assert!(f.revenue(&all, dec, 0.8).expect("empty").is_empty());

    // An account's product lines add up exactly: i64::MAX and −5 is its
    // MRR (the i64 adds would have wrapped on the way, in another order);
    // i64::MAX and 1 is not an MRR.
    for (second, want) in [(-5, Some(i64::MAX - 5)), (1, None)] {
        let rows = [("core", i64::MAX), ("api", second)].map(|(product, amount)| MrrRow {
            account: 1,
            product,
            month: month(),
            amount_minor: amount,
            currency: USD,
        });
        let by_rows = revenue_movements(&rows, p, 0.8).map(|r| r[&USD].new);
        let f = facts(&rows);
        let by_columns = f.revenue(&all, p, 0.8).map(|r| r[&USD].new);
        assert_eq!(by_rows, want.ok_or(MoneyError::Overflow(USD)));
        assert_eq!(by_columns, by_rows);
    }

    // Rows of one cell add up exactly too: two rows of i64::MAX do not fit.
    let mut b = KpiFactsBuilder::new();
    b.row(1, USD, "core", month(), i64::MAX);
    b.row(1, USD, "core", month(), i64::MAX);
    assert_eq!(b.build().err(), overflow);
}

#[test]
fn mrr_per_band_is_exact_up_to_i64_and_an_overflow_error_beyond() {
    let n = fitting();
    let overflow = DataError::Money(MoneyError::Overflow(USD));
    for (accounts, fits) in [(n, true), (n + 1, false)] {
        let bands = vec![Some(Band::Red); accounts];
        let mrr = vec![cap(); accounts];
        let single = Currencies::Single(USD);
        let by_band = mrr_by_band(&bands, &mrr, single);
        let at_risk = at_risk_mrr(&bands, &mrr, single);
        if fits {
            let total = i64::try_from(n).unwrap() * cap();
            assert_eq!(by_band.unwrap()[&USD].red, total);
            assert_eq!(at_risk.unwrap()[&USD].total_mrr_minor, total);
        } else {
            assert_eq!(by_band.err(), Some(overflow.clone()));
            assert_eq!(at_risk.err(), Some(overflow.clone()));
        }

        // The workbench panel: every account red (no signal: 0 points).
        let table = SignalTable::new(accounts)
            .with("logins", vec![0.0; accounts])
            .unwrap();
        let model = HealthModel::new(vec![Measure::new(
            "logins",
            1.0,
            Curve::Linear(vec![(0.0, 0.0), (20.0, 100.0)]),
        )]);
        let currencies = vec![USD; accounts];
        let churned = vec![false; accounts];
        let inputs = PanelInputs {
            table: &table,
            mrr_minor: &mrr,
            currencies: &currencies,
            churned: &churned,
        };
        let mut panel = Panel::new(PanelOptions::default()).unwrap();
        let result = panel.update(&Scorer::new(&model).unwrap(), &inputs);
        if fits {
            let r = result.unwrap();
            assert_eq!(r.mrr[0].bands.red, i64::try_from(n).unwrap() * cap());
        } else {
            assert_eq!(result.err(), Some(PanelError::Data(overflow.clone())));
        }
    }
}
