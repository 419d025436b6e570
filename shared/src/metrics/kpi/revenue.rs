//! MRR movements and the revenue KPIs (NRR, GRR, logo churn, retention,
//! upsell / cross-sell rates, ARPA, LTV), per currency.
//!
//! Every amount is summed exactly ([`MoneySum`], the crate's one overflow
//! policy) into [`RevenueSums`]; [`finish`] reads the totals back as `i64`
//! and fails with [`MoneyError::Overflow`] when one does not fit.

use super::pct;
use crate::api::{MoneyError, MoneySum};
use crate::domain::Currency;
use crate::metrics::period::{Month, Period};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One MRR row: an account's recurring revenue for one product in one month,
/// in minor units of `currency`. Several rows for the same account, product
/// and month add up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MrrRow<A = String, P = String> {
    /// Account key.
    pub account: A,
    /// Product key.
    pub product: P,
    /// The month.
    pub month: Month,
    /// Amount in minor units (`amount` is accepted on input).
    #[serde(alias = "amount")]
    pub amount_minor: i64,
    /// Currency of the amount.
    pub currency: Currency,
}

/// Revenue movements and KPIs of one currency over one period.
///
/// Amounts are integer minor units; ratios are `None` when undefined (no
/// customer at the start, or no churn for LTV).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevenueMovements {
    /// MRR of the start cohort in the start snapshot.
    pub start_mrr: i64,
    /// End MRR of accounts that never had MRR up to the start snapshot.
    pub new: i64,
    /// End MRR of returning accounts (MRR 0 at the start, some earlier).
    pub reactivation: i64,
    /// Growth of cohort accounts.
    pub expansion: i64,
    /// Shrinkage of cohort accounts still paying.
    pub contraction: i64,
    /// Start MRR of cohort accounts with no MRR at the end.
    pub churn: i64,
    /// Total MRR in the end snapshot.
    pub end_mrr: i64,
    /// Net revenue retention, %.
    pub nrr_pct: Option<f64>,
    /// Gross revenue retention, %.
    pub grr_pct: Option<f64>,
    /// Accounts with MRR > 0 in the start snapshot (the cohort).
    pub customers_at_start: usize,
    /// Cohort accounts with no MRR at the end.
    pub churned_customers: usize,
    /// `churned_customers ÷ customers_at_start × 100`.
    pub logo_churn_pct: Option<f64>,
    /// `100 − logo_churn_pct`.
    pub retention_pct: Option<f64>,
    /// Cohort accounts with a product that grew.
    pub upsell_customers: usize,
    /// Cohort accounts paying at the end for a product they had no MRR in
    /// at the start.
    pub cross_sell_customers: usize,
    /// `upsell_customers ÷ customers_at_start × 100`.
    pub upsell_pct: Option<f64>,
    /// `cross_sell_customers ÷ customers_at_start × 100`.
    pub cross_sell_pct: Option<f64>,
    /// Average start MRR per cohort account (minor units).
    pub arpa: Option<f64>,
    /// `ARPA × gross margin ÷ monthly gross revenue churn` (minor units).
    pub ltv: Option<f64>,
}

impl RevenueMovements {
    /// Whether `start + new + reactivation + expansion − contraction − churn
    /// = end` holds (it always does for results of this module).
    #[must_use]
    pub fn is_balanced(&self) -> bool {
        let w = i128::from;
        w(self.start_mrr) + w(self.new) + w(self.reactivation) + w(self.expansion)
            - w(self.contraction)
            - w(self.churn)
            == w(self.end_mrr)
    }
}

/// The additive part of [`RevenueMovements`] for one currency, with exact
/// amounts ([`MoneySum`]): what [`accumulate`] adds each account to and
/// [`finish`] turns into the movements and ratios.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RevenueSums {
    /// MRR of the start cohort in the start snapshot.
    pub start_mrr: MoneySum,
    /// End MRR of new accounts.
    pub new: MoneySum,
    /// End MRR of returning accounts.
    pub reactivation: MoneySum,
    /// Growth of cohort accounts.
    pub expansion: MoneySum,
    /// Shrinkage of cohort accounts still paying.
    pub contraction: MoneySum,
    /// Start MRR of cohort accounts with no MRR at the end.
    pub churn: MoneySum,
    /// Total MRR in the end snapshot.
    pub end_mrr: MoneySum,
    /// Accounts with MRR > 0 in the start snapshot.
    pub customers_at_start: usize,
    /// Cohort accounts with no MRR at the end.
    pub churned_customers: usize,
    /// Cohort accounts with a product that grew.
    pub upsell_customers: usize,
    /// Cohort accounts paying at the end for a product new to them.
    pub cross_sell_customers: usize,
}

#[derive(Default)]
struct AccountMrr<'a, P> {
    start: MoneySum,
    end: MoneySum,
    products: BTreeMap<&'a P, (MoneySum, MoneySum)>,
}

/// Revenue movements and KPIs of `period`, one entry per currency that has
/// MRR rows in the period's start or end snapshot.
///
/// An account's MRR in a month is the sum of its rows; a negative sum counts
/// as 0. `gross_margin` is a fraction (0.8 = 80 %). Accounts are keyed by
/// `(currency, account)`, so an account billed in two currencies is two
/// accounts and amounts are never added across currencies. A total that does
/// not fit in `i64` minor units is [`MoneyError::Overflow`].
pub fn revenue_movements<'a, A, P>(
    rows: impl IntoIterator<Item = &'a MrrRow<A, P>>,
    period: Period,
    gross_margin: f64,
) -> Result<BTreeMap<Currency, RevenueMovements>, MoneyError>
where
    A: Ord + 'a,
    P: Ord + 'a,
{
    let (s_month, e_month) = (period.start_snapshot(), period.last_month());
    let mut accounts: BTreeMap<(Currency, &A), AccountMrr<'_, P>> = BTreeMap::new();
    let mut before: BTreeMap<(Currency, &A, Month), MoneySum> = BTreeMap::new();
    for r in rows {
        if r.month < s_month {
            *before.entry((r.currency, &r.account, r.month)).or_default() += r.amount_minor;
            continue;
        }
        let at_start = r.month == s_month;
        let at_end = r.month == e_month;
        if !at_start && !at_end {
            continue;
        }
        let acc = accounts
            .entry((r.currency, &r.account))
            .or_insert_with(|| AccountMrr {
                start: MoneySum::ZERO,
                end: MoneySum::ZERO,
                products: BTreeMap::new(),
            });
        let prod = acc.products.entry(&r.product).or_default();
        if at_start {
            acc.start += r.amount_minor;
            prod.0 += r.amount_minor;
        }
        if at_end {
            acc.end += r.amount_minor;
            prod.1 += r.amount_minor;
        }
    }
    let paid_before: BTreeSet<(Currency, &A)> = before
        .into_iter()
        .filter(|(_, v)| *v > MoneySum::ZERO)
        .map(|((c, a, _), _)| (c, a))
        .collect();

    let mut sums: BTreeMap<Currency, RevenueSums> = BTreeMap::new();
    let mut products: Vec<(i64, i64)> = Vec::new();
    for ((cur, account), acc) in &accounts {
        // An account's MRR (and each product's) is a total of its own.
        products.clear();
        for (ps, pe) in acc.products.values() {
            products.push((ps.total(*cur)?, pe.total(*cur)?));
        }
        let m = sums.entry(*cur).or_default();
        accumulate(
            m,
            acc.start.total(*cur)?,
            acc.end.total(*cur)?,
            products.iter().copied(),
            paid_before.contains(&(*cur, *account)),
        );
    }
    sums.into_iter()
        .map(|(c, m)| Ok((c, finish(&m, c, period.months(), gross_margin)?)))
        .collect()
}

/// Adds one account (of one currency) to the sums of its currency:
/// `start` and `end` are its MRR in the start and end snapshots (totals of
/// its products: each a money total that must fit in `i64`, see
/// [`MoneySum`]), `products` the `(start, end)` MRR of each of its
/// products, and `paid_before` whether it had MRR > 0 in some month before
/// the start snapshot. This is the one place where an account is
/// classified (cohort, churn, contraction, expansion, new, reactivation,
/// upsell, cross-sell); the row-based [`revenue_movements`] and the
/// columnar [`KpiFacts`](super::facts::KpiFacts) both call it, then
/// [`finish`]. The amounts of many accounts add up exactly in the sums.
pub fn accumulate(
    m: &mut RevenueSums,
    start: i64,
    end: i64,
    products: impl Iterator<Item = (i64, i64)> + Clone,
    paid_before: bool,
) {
    let (s, e) = (start.max(0), end.max(0));
    m.end_mrr += e;
    if s > 0 {
        m.customers_at_start += 1;
        m.start_mrr += s;
        // Both are ≥ 0: their difference fits.
        if e == 0 {
            m.churn += s;
            m.churned_customers += 1;
        } else if e < s {
            m.contraction += s - e;
        } else {
            m.expansion += e - s;
        }
        if products.clone().any(|(ps, pe)| ps > 0 && pe > ps) {
            m.upsell_customers += 1;
        }
        if products.into_iter().any(|(ps, pe)| ps <= 0 && pe > 0) {
            m.cross_sell_customers += 1;
        }
    } else if e > 0 {
        if paid_before {
            m.reactivation += e;
        } else {
            m.new += e;
        }
    }
}

/// Adds the sums of `other` (one group of accounts of the same currency and
/// period) into `m`; call [`finish`] afterwards. The sums and counts are
/// additive over disjoint sets of accounts; the ratios are not, which is
/// why they are derived only in [`finish`].
pub fn add_sums(m: &mut RevenueSums, other: &RevenueSums) {
    m.start_mrr += other.start_mrr;
    m.new += other.new;
    m.reactivation += other.reactivation;
    m.expansion += other.expansion;
    m.contraction += other.contraction;
    m.churn += other.churn;
    m.end_mrr += other.end_mrr;
    m.customers_at_start += other.customers_at_start;
    m.churned_customers += other.churned_customers;
    m.upsell_customers += other.upsell_customers;
    m.cross_sell_customers += other.cross_sell_customers;
}

/// The movements of `currency` from the sums `m` (each total narrowed to
/// `i64`: [`MoneyError::Overflow`] when one does not fit) and their ratios
/// (NRR, GRR, logo churn, retention, upsell and cross-sell rates, ARPA,
/// LTV, from the exact sums), for a period of `months` months;
/// `gross_margin` is a fraction.
pub fn finish(
    m: &RevenueSums,
    currency: Currency,
    months: u32,
    gross_margin: f64,
) -> Result<RevenueMovements, MoneyError> {
    let start = m.start_mrr;
    let ratio = |x: MoneySum| (start > MoneySum::ZERO).then(|| x.as_f64() / start.as_f64() * 100.0);
    let nrr_pct = ratio(start + m.expansion - m.contraction - m.churn);
    let grr_pct = ratio(start - m.contraction - m.churn);
    let n = m.customers_at_start;
    let logo_churn_pct = pct(m.churned_customers, n);
    let arpa = (n > 0).then(|| start.as_f64() / n as f64);
    let ltv = match (arpa, grr_pct) {
        (Some(arpa), Some(grr)) => {
            let monthly_churn = 1.0 - (grr / 100.0).powf(1.0 / f64::from(months));
            (monthly_churn > 0.0).then(|| arpa * gross_margin / monthly_churn)
        }
        _ => None,
    };
    let total = |x: MoneySum| x.total(currency);
    Ok(RevenueMovements {
        start_mrr: total(m.start_mrr)?,
        new: total(m.new)?,
        reactivation: total(m.reactivation)?,
        expansion: total(m.expansion)?,
        contraction: total(m.contraction)?,
        churn: total(m.churn)?,
        end_mrr: total(m.end_mrr)?,
        nrr_pct,
        grr_pct,
        customers_at_start: n,
        churned_customers: m.churned_customers,
        logo_churn_pct,
        retention_pct: logo_churn_pct.map(|c| 100.0 - c),
        upsell_customers: m.upsell_customers,
        cross_sell_customers: m.cross_sell_customers,
        upsell_pct: pct(m.upsell_customers, n),
        cross_sell_pct: pct(m.cross_sell_customers, n),
        arpa,
        ltv,
    })
}

/// [`revenue_movements`] per group: `group` maps an account to its group
/// (segment, owner, plan…; `None` leaves the account out).
pub fn revenue_movements_by<'a, A, P, G>(
    rows: impl IntoIterator<Item = &'a MrrRow<A, P>>,
    period: Period,
    gross_margin: f64,
    mut group: impl FnMut(&A) -> Option<G>,
) -> Result<BTreeMap<G, BTreeMap<Currency, RevenueMovements>>, MoneyError>
where
    A: Ord + 'a,
    P: Ord + 'a,
    G: Ord,
{
    let mut groups: BTreeMap<G, Vec<&MrrRow<A, P>>> = BTreeMap::new();
    for r in rows {
        if let Some(g) = group(&r.account) {
            groups.entry(g).or_default().push(r);
        }
    }
    groups
        .into_iter()
        .map(|(g, rows)| Ok((g, revenue_movements(rows, period, gross_margin)?)))
        .collect()
}
