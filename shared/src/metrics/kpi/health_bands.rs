//! Health KPIs of a period: how many accounts are in each health band and
//! how much MRR they pay, and the at-risk MRR (product.md: "MRR of accounts
//! in the red band"), from the published score snapshots.
//!
//! A period counts the **customers at its end**: the accounts that are
//! customers on its last day ([`Tenure::is_customer_on`]: contract started
//! on or before it, or not recorded, and not churned on or before it). An
//! account that churned earlier is in no band and not among the *not
//! scored* either: it is not counted at all, whatever an older snapshot
//! said of it. Each customer is judged by the snapshot as it stood at the
//! period's end: the latest one dated on or before the period's last day
//! ([`HealthHistory::at`]). Customers that snapshot has no band for (not
//! yet scored, no data) count as *not scored*, never as a band. MRR is each
//! customer's MRR in the period's last month, per currency: amounts of
//! different currencies are never added.
//!
//! [`health_kpis`] is the plain definition over a list of accounts;
//! [`KpiFacts::health`](super::KpiFacts::health) computes the same from the
//! columnar fact set, and a property test proves both agree. Both count
//! through [`HealthTally`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::api::{MoneyError, MoneySum};
use crate::domain::{Currency, Tenure};
use crate::metrics::model::Band;

/// One published score snapshot: the band of every account that had one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BandSnapshot {
    /// The snapshot's day.
    pub scored_on: NaiveDate,
    /// `(account, band)`, ascending by account, one entry per account.
    bands: Vec<(i64, Band)>,
}

impl BandSnapshot {
    /// A snapshot of `scored_on` from `(account, band)` pairs in any order
    /// (a repeated account keeps its last band).
    #[must_use]
    pub fn new(scored_on: NaiveDate, mut bands: Vec<(i64, Band)>) -> Self {
        // Stable sort, then keep the last of each account.
        bands.sort_by_key(|(id, _)| *id);
        let mut out: Vec<(i64, Band)> = Vec::with_capacity(bands.len());
        for (id, b) in bands {
            match out.last_mut() {
                Some(last) if last.0 == id => last.1 = b,
                _ => out.push((id, b)),
            }
        }
        BandSnapshot {
            scored_on,
            bands: out,
        }
    }

    /// The band of `account`, if it has one.
    #[must_use]
    pub fn band(&self, account: i64) -> Option<Band> {
        self.bands
            .binary_search_by_key(&account, |(id, _)| *id)
            .ok()
            .map(|i| self.bands[i].1)
    }

    /// `(account, band)` ascending by account.
    #[must_use]
    pub fn bands(&self) -> &[(i64, Band)] {
        &self.bands
    }
}

/// The published score snapshots, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HealthHistory {
    snapshots: Vec<BandSnapshot>,
}

impl HealthHistory {
    /// A history from snapshots in any order (one per day; a repeated day
    /// keeps the last given).
    #[must_use]
    pub fn new(snapshots: impl IntoIterator<Item = BandSnapshot>) -> Self {
        let mut snapshots: Vec<BandSnapshot> = snapshots.into_iter().collect();
        snapshots.sort_by_key(|s| s.scored_on);
        let mut out: Vec<BandSnapshot> = Vec::with_capacity(snapshots.len());
        for s in snapshots {
            match out.last_mut() {
                Some(last) if last.scored_on == s.scored_on => *last = s,
                _ => out.push(s),
            }
        }
        HealthHistory { snapshots: out }
    }

    /// The snapshots, oldest first.
    #[must_use]
    pub fn snapshots(&self) -> &[BandSnapshot] {
        &self.snapshots
    }

    /// The snapshot as it stood at the end of `day`: the latest dated on or
    /// before it (`None` before the first).
    #[must_use]
    pub fn at(&self, day: NaiveDate) -> Option<&BandSnapshot> {
        let after = self.snapshots.partition_point(|s| s.scored_on <= day);
        after.checked_sub(1).and_then(|i| self.snapshots.get(i))
    }
}

/// MRR per health band of one currency (minor units, MRR in the period's
/// last month).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthMrr {
    /// The currency of every amount here.
    pub currency: Currency,
    /// MRR of the red accounts.
    pub red: i64,
    /// MRR of the yellow accounts.
    pub yellow: i64,
    /// MRR of the green accounts.
    pub green: i64,
    /// MRR of the accounts not scored.
    pub not_scored: i64,
    /// At-risk MRR: the MRR of the accounts in the red band.
    pub at_risk: i64,
    /// `at_risk ÷ (red + yellow + green + not_scored) × 100` (`null` when
    /// that total is 0).
    pub at_risk_pct: Option<f64>,
}

impl HealthMrr {
    /// MRR of one band.
    #[must_use]
    pub fn get(&self, band: Band) -> i64 {
        match band {
            Band::Red => self.red,
            Band::Yellow => self.yellow,
            Band::Green => self.green,
        }
    }
}

/// Health KPIs of one period for the filtered accounts that are customers
/// at its end (on its last day); accounts churned before then are not
/// counted anywhere.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthKpis {
    /// Day of the score snapshot used: the latest on or before the
    /// period's last day (`null` when there is none: every account is not
    /// scored).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date, example = "2025-06-30"))]
    pub scored_on: Option<NaiveDate>,
    /// Customers at the period's end in the red band (the at-risk
    /// accounts).
    pub red: usize,
    /// Customers at the period's end in the yellow band.
    pub yellow: usize,
    /// Customers at the period's end in the green band.
    pub green: usize,
    /// Customers with a band (`red + yellow + green`).
    pub scored: usize,
    /// Customers at the period's end without a band in that snapshot (or
    /// without a snapshot).
    pub not_scored: usize,
    /// MRR per band, one entry per currency (never summed across
    /// currencies).
    pub mrr: Vec<HealthMrr>,
}

impl HealthKpis {
    /// Accounts in one band.
    #[must_use]
    pub fn accounts(&self, band: Band) -> usize {
        match band {
            Band::Red => self.red,
            Band::Yellow => self.yellow,
            Band::Green => self.green,
        }
    }

    /// The MRR per band of `currency`, if listed.
    #[must_use]
    pub fn mrr_of(&self, currency: Currency) -> Option<&HealthMrr> {
        self.mrr.iter().find(|m| m.currency == currency)
    }
}

/// Counts accounts and adds MRR per band; [`finish`](Self::finish) gives the
/// [`HealthKpis`].
#[derive(Debug, Clone, Default)]
pub struct HealthTally {
    /// Red, yellow, green, not scored.
    accounts: [usize; 4],
    /// Per currency in first-seen order: red, yellow, green, not scored
    /// (exact sums: [`MoneySum`]).
    mrr: Vec<(Currency, [MoneySum; 4])>,
}

fn slot(band: Option<Band>) -> usize {
    band.map_or(3, Band::index)
}

impl HealthTally {
    /// Counts one account of `band` (`None`: not scored).
    pub fn account(&mut self, band: Option<Band>) {
        self.accounts[slot(band)] += 1;
    }

    /// Adds one account's `amount` (minor units of `currency`; a negative
    /// amount counts as 0) to the MRR of `band`.
    pub fn mrr(&mut self, band: Option<Band>, currency: Currency, amount: MoneySum) {
        let i = match self.mrr.iter().position(|(c, _)| *c == currency) {
            Some(i) => i,
            None => {
                self.mrr.push((currency, [MoneySum::ZERO; 4]));
                self.mrr.len() - 1
            }
        };
        self.mrr[i].1[slot(band)] += amount.at_least_zero();
    }

    /// The KPIs, with an entry for every currency of `listed` (zero when
    /// no account pays in it) and every other currency seen, in currency
    /// order; an MRR total beyond `i64` is [`MoneyError::Overflow`].
    pub fn finish(
        mut self,
        scored_on: Option<NaiveDate>,
        listed: &[Currency],
    ) -> Result<HealthKpis, MoneyError> {
        for c in listed {
            if !self.mrr.iter().any(|(x, _)| x == c) {
                self.mrr.push((*c, [MoneySum::ZERO; 4]));
            }
        }
        self.mrr.sort_by_key(|(c, _)| *c);
        let [red, yellow, green, not_scored] = self.accounts;
        Ok(HealthKpis {
            scored_on,
            red,
            yellow,
            green,
            scored: red + yellow + green,
            not_scored,
            mrr: self
                .mrr
                .into_iter()
                .map(|(currency, [r, y, g, n])| {
                    let all = r + y + g + n;
                    Ok(HealthMrr {
                        currency,
                        red: r.total(currency)?,
                        yellow: y.total(currency)?,
                        green: g.total(currency)?,
                        not_scored: n.total(currency)?,
                        at_risk: r.total(currency)?,
                        at_risk_pct: (all > MoneySum::ZERO)
                            .then(|| r.as_f64() / all.as_f64() * 100.0),
                    })
                })
                .collect::<Result<_, MoneyError>>()?,
        })
    }
}

/// Health KPIs of a period ending on `last_day`, from a list of accounts,
/// each given with its [`Tenure`] and its MRR per currency in the period's
/// last month: the accounts that are customers on `last_day` are counted,
/// judged by `snapshot` (the one standing at the period's end; `None`:
/// every customer is not scored); the others are left out. An MRR total
/// beyond `i64` is [`MoneyError::Overflow`].
pub fn health_kpis<'a>(
    snapshot: Option<&BandSnapshot>,
    last_day: NaiveDate,
    accounts: impl IntoIterator<Item = (i64, Tenure, &'a [(Currency, i64)])>,
    listed: &[Currency],
) -> Result<HealthKpis, MoneyError> {
    let mut tally = HealthTally::default();
    for (id, tenure, mrr) in accounts {
        if !tenure.is_customer_on(last_day) {
            continue;
        }
        let band = snapshot.and_then(|s| s.band(id));
        tally.account(band);
        for (c, amount) in mrr {
            tally.mrr(band, *c, MoneySum::from(*amount));
        }
    }
    tally.finish(snapshot.map(|s| s.scored_on), listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_snapshot_standing_at_a_day_is_the_latest_on_or_before_it() {
        let h = HealthHistory::new([
            BandSnapshot::new(d("2025-03-15"), vec![(1, Band::Green)]),
            BandSnapshot::new(d("2025-01-31"), vec![(1, Band::Red)]),
        ]);
        assert_eq!(h.at(d("2025-01-30")), None);
        assert_eq!(
            h.at(d("2025-01-31")).map(|s| s.scored_on),
            Some(d("2025-01-31"))
        );
        assert_eq!(
            h.at(d("2025-03-14")).map(|s| s.scored_on),
            Some(d("2025-01-31"))
        );
        assert_eq!(
            h.at(d("2025-12-31")).map(|s| s.band(1)),
            Some(Some(Band::Green))
        );
    }

    /// Four accounts: 1 red paying ¥100 and $5, 2 yellow ¥50, 3 not in the
    /// snapshot ¥30, 4 green with no MRR (churned).
    #[test]
    fn bands_and_at_risk_mrr_by_hand() {
        let snap = BandSnapshot::new(
            d("2025-06-30"),
            vec![(4, Band::Green), (1, Band::Red), (2, Band::Yellow)],
        );
        let a1 = [(Currency::Jpy, 100), (Currency::Usd, 5)];
        let a2 = [(Currency::Jpy, 50)];
        let a3 = [(Currency::Jpy, 30)];
        let t = Tenure::default();
        let k = health_kpis(
            Some(&snap),
            d("2025-06-30"),
            [
                (1, t, &a1[..]),
                (2, t, &a2[..]),
                (3, t, &a3[..]),
                (4, t, &[][..]),
            ],
            &[Currency::Eur],
        )
        .unwrap();
        assert_eq!(k.scored_on, Some(d("2025-06-30")));
        assert_eq!((k.red, k.yellow, k.green), (1, 1, 1));
        assert_eq!((k.scored, k.not_scored), (3, 1));
        let jpy = k.mrr_of(Currency::Jpy).unwrap();
        assert_eq!(
            (jpy.red, jpy.yellow, jpy.green, jpy.not_scored),
            (100, 50, 0, 30)
        );
        assert_eq!(jpy.at_risk, 100);
        assert_eq!(jpy.at_risk_pct, Some(100.0 / 180.0 * 100.0));
        let usd = k.mrr_of(Currency::Usd).unwrap();
        assert_eq!((usd.at_risk, usd.at_risk_pct), (5, Some(100.0)));
        // Listed but unpaid: zero, no share.
        let eur = k.mrr_of(Currency::Eur).unwrap();
        assert_eq!((eur.at_risk, eur.at_risk_pct), (0, None));
        // Currency order: JPY, USD, EUR as the enum orders them.
        let mut sorted: Vec<Currency> = k.mrr.iter().map(|m| m.currency).collect();
        sorted.sort();
        assert_eq!(k.mrr.iter().map(|m| m.currency).collect::<Vec<_>>(), sorted);
    }

    /// A quarter ending 2025-06-30 whose standing snapshot is of
    /// 2025-02-28, where all seven accounts are red (¥10 each in June):
    /// 1 stays a customer; 2 churned on 2025-03-10, after that snapshot
    /// but months before the end; 3 churned on the last day itself; 4
    /// churns on 2025-07-01, after it; 5's contract starts on 2025-07-01;
    /// 6 is churned without a date; 7 started on the last day and is not in
    /// the snapshot. Customers at the end: 1, 4 (red) and 7 (not scored).
    #[test]
    fn only_the_customers_at_the_period_end_are_counted() {
        let snap = BandSnapshot::new(d("2025-02-28"), (1..=6).map(|id| (id, Band::Red)).collect());
        let churned = |on: &str| Tenure {
            churn_date: Some(d(on)),
            churned: true,
            ..Tenure::default()
        };
        let starts = |on: &str| Tenure {
            contract_start: Some(d(on)),
            ..Tenure::default()
        };
        let tenures = [
            (1, Tenure::default()),
            (2, churned("2025-03-10")),
            (3, churned("2025-06-30")),
            (4, churned("2025-07-01")),
            (5, starts("2025-07-01")),
            (
                6,
                Tenure {
                    churned: true,
                    ..Tenure::default()
                },
            ),
            (7, starts("2025-06-30")),
        ];
        let ten = [(Currency::Jpy, 10)];
        let k = health_kpis(
            Some(&snap),
            d("2025-06-30"),
            tenures.iter().map(|(id, t)| (*id, *t, &ten[..])),
            &[],
        )
        .unwrap();
        assert_eq!((k.red, k.yellow, k.green), (2, 0, 0));
        assert_eq!((k.scored, k.not_scored), (2, 1));
        let jpy = k.mrr_of(Currency::Jpy).unwrap();
        assert_eq!((jpy.red, jpy.not_scored, jpy.at_risk), (20, 10, 20));
        assert_eq!(jpy.at_risk_pct, Some(20.0 / 30.0 * 100.0));
        // The same accounts in February, before anyone churned or 5 and 7
        // started: 1 to 4 and 6's undated churn… only 1 to 4 are customers.
        let feb = health_kpis(
            Some(&snap),
            d("2025-02-28"),
            tenures.iter().map(|(id, t)| (*id, *t, &ten[..])),
            &[],
        )
        .unwrap();
        assert_eq!((feb.red, feb.scored, feb.not_scored), (4, 4, 0));
    }

    #[test]
    fn before_any_snapshot_every_account_is_not_scored() {
        let a = [(Currency::Jpy, 70)];
        let t = Tenure::default();
        let k = health_kpis(None, d("2025-06-30"), [(1, t, &a[..]), (2, t, &a[..])], &[]).unwrap();
        assert_eq!(k.scored_on, None);
        assert_eq!((k.scored, k.not_scored), (0, 2));
        let jpy = k.mrr_of(Currency::Jpy).unwrap();
        assert_eq!(
            (jpy.not_scored, jpy.at_risk, jpy.at_risk_pct),
            (140, 0, Some(0.0))
        );
    }

    #[test]
    fn negative_mrr_counts_as_zero_and_repeats_keep_the_last() {
        let snap = BandSnapshot::new(d("2025-01-01"), vec![(1, Band::Green), (1, Band::Red)]);
        assert_eq!(snap.band(1), Some(Band::Red));
        let a = [(Currency::Jpy, -40)];
        let k = health_kpis(
            Some(&snap),
            d("2025-01-31"),
            [(1, Tenure::default(), &a[..])],
            &[],
        )
        .unwrap();
        assert_eq!(k.mrr_of(Currency::Jpy).unwrap().at_risk, 0);
        assert_eq!(k.red, 1);
    }
}
