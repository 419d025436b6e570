//! MRR movements and the revenue KPIs (NRR, GRR, logo churn, retention,
//! upsell / cross-sell rates, ARPA, LTV), per currency.

use super::pct;
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
        self.start_mrr + self.new + self.reactivation + self.expansion
            - self.contraction
            - self.churn
            == self.end_mrr
    }
}

#[derive(Default)]
struct AccountMrr<'a, P> {
    start: i64,
    end: i64,
    products: BTreeMap<&'a P, (i64, i64)>,
}

/// Revenue movements and KPIs of `period`, one entry per currency that has
/// MRR rows in the period's start or end snapshot.
///
/// An account's MRR in a month is the sum of its rows; a negative sum counts
/// as 0. `gross_margin` is a fraction (0.8 = 80 %). Accounts are keyed by
/// `(currency, account)`, so an account billed in two currencies is two
/// accounts and amounts are never added across currencies.
#[must_use]
pub fn revenue_movements<'a, A, P>(
    rows: impl IntoIterator<Item = &'a MrrRow<A, P>>,
    period: Period,
    gross_margin: f64,
) -> BTreeMap<Currency, RevenueMovements>
where
    A: Ord + 'a,
    P: Ord + 'a,
{
    let (s_month, e_month) = (period.start_snapshot(), period.last_month());
    let mut accounts: BTreeMap<(Currency, &A), AccountMrr<'_, P>> = BTreeMap::new();
    let mut before: BTreeMap<(Currency, &A, Month), i64> = BTreeMap::new();
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
                start: 0,
                end: 0,
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
        .filter(|(_, v)| *v > 0)
        .map(|((c, a, _), _)| (c, a))
        .collect();

    let mut out: BTreeMap<Currency, RevenueMovements> = BTreeMap::new();
    for ((cur, account), acc) in &accounts {
        let m = out.entry(*cur).or_default();
        accumulate(
            m,
            acc.start,
            acc.end,
            acc.products.values().copied(),
            paid_before.contains(&(*cur, *account)),
        );
    }
    for m in out.values_mut() {
        finish(m, period.months(), gross_margin);
    }
    out
}

/// Adds one account (of one currency) to the movements of its currency:
/// `start` and `end` are its MRR sums in the start and end snapshots,
/// `products` the `(start, end)` sums of each of its products, and
/// `paid_before` whether it had MRR > 0 in some month before the start
/// snapshot. This is the one place where an account is classified (cohort,
/// churn, contraction, expansion, new, reactivation, upsell, cross-sell);
/// the row-based [`revenue_movements`] and the columnar
/// [`KpiFacts`](super::facts::KpiFacts) both call it, then [`finish`].
pub fn accumulate(
    m: &mut RevenueMovements,
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
/// period) into `m`; call [`finish`] afterwards. The sums and counts of
/// [`RevenueMovements`] are additive over disjoint sets of accounts; the
/// ratios are not, which is why they are derived only in [`finish`].
pub fn add_sums(m: &mut RevenueMovements, other: &RevenueMovements) {
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

/// Derives the ratios (NRR, GRR, logo churn, retention, upsell and
/// cross-sell rates, ARPA, LTV) of `m` from its sums, for a period of
/// `months` months; `gross_margin` is a fraction.
pub fn finish(m: &mut RevenueMovements, months: u32, gross_margin: f64) {
    let start = m.start_mrr;
    let ratio = |x: i64| (start > 0).then(|| x as f64 / start as f64 * 100.0);
    m.nrr_pct = ratio(start + m.expansion - m.contraction - m.churn);
    m.grr_pct = ratio(start - m.contraction - m.churn);
    let n = m.customers_at_start;
    m.logo_churn_pct = pct(m.churned_customers, n);
    m.retention_pct = m.logo_churn_pct.map(|c| 100.0 - c);
    m.upsell_pct = pct(m.upsell_customers, n);
    m.cross_sell_pct = pct(m.cross_sell_customers, n);
    m.arpa = (n > 0).then(|| start as f64 / n as f64);
    m.ltv = match (m.arpa, m.grr_pct) {
        (Some(arpa), Some(grr)) => {
            let monthly_churn = 1.0 - (grr / 100.0).powf(1.0 / f64::from(months));
            (monthly_churn > 0.0).then(|| arpa * gross_margin / monthly_churn)
        }
        _ => None,
    };
}

/// [`revenue_movements`] per group: `group` maps an account to its group
/// (segment, owner, plan…; `None` leaves the account out).
pub fn revenue_movements_by<'a, A, P, G>(
    rows: impl IntoIterator<Item = &'a MrrRow<A, P>>,
    period: Period,
    gross_margin: f64,
    mut group: impl FnMut(&A) -> Option<G>,
) -> BTreeMap<G, BTreeMap<Currency, RevenueMovements>>
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
        .map(|(g, rows)| (g, revenue_movements(rows, period, gross_margin)))
        .collect()
}
