//! A columnar fact set for the revenue KPIs and cohorts: MRR per account ×
//! product line × month in dense columns, plus the account attributes the
//! dashboards filter by (segment, tier, owner, plan).
//!
//! It exists for speed: a period's KPIs need only the start and end
//! snapshots and whether an account paid before, so with dense columns one
//! period over 100,000 accounts is a single pass of a few hundred thousand
//! additions instead of a walk over millions of MRR rows. The arithmetic is
//! not repeated here: every account goes through
//! [`revenue::accumulate`](super::revenue::accumulate) and
//! [`revenue::finish`](super::revenue::finish), the same functions the
//! row-based [`revenue_movements`](super::revenue_movements) uses, and a
//! property test proves both give identical results.
//!
//! An *account* here is an account in one currency (as in
//! [`revenue_movements`](super::revenue_movements), amounts in different
//! currencies are never added); almost every account has one currency.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::health_bands::{HealthHistory, HealthKpis, HealthTally};
use super::revenue::{accumulate, finish, RevenueMovements, RevenueSums};
use crate::api::{MoneyError, MoneySum};
use crate::domain::{Currency, Tenure, Tier};
use crate::metrics::period::{Month, Period};

/// What the dashboards filter accounts by. Text values are kept in the fact
/// set's dictionaries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountAttrs {
    /// Segment (the account's industry).
    pub segment: Option<String>,
    /// Coverage tier of the account's current MRR.
    pub tier: Option<Tier>,
    /// Owner CSM's user id.
    pub owner: Option<i64>,
    /// Plan name.
    pub plan: Option<String>,
    /// Contract start (for time to value, and when the account became a
    /// customer).
    pub contract_start: Option<NaiveDate>,
    /// Whether the account's status is churned.
    pub churned: bool,
    /// Churn date, when churned.
    pub churn_date: Option<NaiveDate>,
}

impl AccountAttrs {
    /// When the account is a customer (contract start, churn).
    #[must_use]
    pub fn tenure(&self) -> Tenure {
        Tenure {
            contract_start: self.contract_start,
            churn_date: self.churn_date,
            churned: self.churned,
        }
    }
}

/// Account filters of the KPI API (`None` = any). A text value that no
/// account has matches no account (an empty segment, not an error).
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
pub struct FactFilter {
    /// Only this segment (industry).
    pub segment: Option<String>,
    /// Only this tier.
    pub tier: Option<Tier>,
    /// Only accounts of this owner.
    pub owner: Option<i64>,
    /// Only this plan.
    pub plan: Option<String>,
}

/// What a [`FactFilter`] looks at, with text values as dictionary ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Keys {
    segment: Option<u32>,
    plan: Option<u32>,
    owner: Option<i64>,
    tier: Option<Tier>,
}

/// One account in one currency.
#[derive(Debug, Clone, PartialEq)]
struct Unit {
    account: i64,
    currency: Currency,
    keys: Keys,
    /// `lines[first_line..end_line]` are this unit's product lines.
    first_line: u32,
    end_line: u32,
    /// Offset of the first month whose MRR sum is > 0.
    first_paid: Option<u32>,
}

/// The columnar fact set; build it with [`KpiFactsBuilder`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KpiFacts {
    first_month: Option<Month>,
    months: u32,
    units: Vec<Unit>,
    /// Product of each line (index into `products`).
    line_product: Vec<u32>,
    /// `amounts[line * months + offset]`, minor units.
    amounts: Vec<i64>,
    /// Bit `line * months + offset`: a row exists (even with amount 0).
    present: Vec<u64>,
    products: Vec<String>,
    segments: Vec<String>,
    plans: Vec<String>,
    /// Accounts with attributes (with or without MRR rows).
    accounts: usize,
    attrs: HashMap<i64, AccountAttrs>,
    /// The filter keys of every account in `attrs` (account id order): counting
    /// the accounts behind a filter is a scan of this column instead of
    /// string comparisons through the map (28 ms → well under 1 ms at
    /// 100,000 accounts, BENCHMARKS.md).
    attr_keys: Vec<Keys>,
    /// The account ids of `attr_keys`, ascending (for the merge with the
    /// health snapshots, which are in account order too).
    attr_ids: Vec<i64>,
    /// Whether the largest cell (in absolute value) times the most product
    /// lines of one unit fits in `i64`: then an account's total over its
    /// lines cannot overflow and the revenue loop adds them in `i64` (the
    /// exact `MoneySum` result, at no cost per line); always so with the
    /// amount cap and a few products.
    line_sums_fit: bool,
    /// When each account of `attr_ids` is a customer (health KPIs count the
    /// customers at a period's end).
    attr_tenure: Vec<Tenure>,
}

/// The resolved form of a [`FactFilter`]: dictionary ids, or "matches
/// nothing" when a text value is unknown.
struct Resolved<'a> {
    filter: &'a FactFilter,
    segment: Option<Option<u32>>,
    plan: Option<Option<u32>>,
}

impl Resolved<'_> {
    fn matches(&self, u: &Unit) -> bool {
        self.matches_keys(&u.keys)
    }

    fn matches_keys(&self, k: &Keys) -> bool {
        let f = self.filter;
        if let Some(want) = self.segment {
            if want.is_none() || k.segment != want {
                return false;
            }
        }
        if let Some(want) = self.plan {
            if want.is_none() || k.plan != want {
                return false;
            }
        }
        f.tier.is_none_or(|t| k.tier == Some(t)) && f.owner.is_none_or(|o| k.owner == Some(o))
    }
}

impl KpiFacts {
    /// The first and last month with MRR rows, if any.
    #[must_use]
    pub fn month_range(&self) -> Option<(Month, Month)> {
        let first = self.first_month?;
        (self.months > 0).then(|| {
            let last = first.plus(i64::from(self.months) - 1).unwrap_or(first);
            (first, last)
        })
    }

    /// Number of accounts known (with attributes or MRR rows).
    #[must_use]
    pub fn accounts(&self) -> usize {
        self.accounts
    }

    /// Number of MRR cells (product lines × months) held.
    #[must_use]
    pub fn cells(&self) -> usize {
        self.amounts.len()
    }

    /// The segments (industries) present, sorted.
    #[must_use]
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The plans present, sorted.
    #[must_use]
    pub fn plans(&self) -> &[String] {
        &self.plans
    }

    /// The product lines present, sorted.
    #[must_use]
    pub fn products(&self) -> &[String] {
        &self.products
    }

    /// The attributes of an account, if known.
    #[must_use]
    pub fn attrs(&self, account: i64) -> Option<&AccountAttrs> {
        self.attrs.get(&account)
    }

    /// Whether `account` passes `filter` (unknown accounts never do, unless
    /// the filter is empty).
    #[must_use]
    pub fn account_matches(&self, account: i64, filter: &FactFilter) -> bool {
        if *filter == FactFilter::default() {
            return true;
        }
        let Some(a) = self.attrs.get(&account) else {
            return false;
        };
        filter
            .segment
            .as_ref()
            .is_none_or(|s| a.segment.as_ref() == Some(s))
            && filter
                .plan
                .as_ref()
                .is_none_or(|p| a.plan.as_ref() == Some(p))
            && filter.tier.is_none_or(|t| a.tier == Some(t))
            && filter.owner.is_none_or(|o| a.owner == Some(o))
    }

    /// Accounts passing `filter` (counted once whatever their currencies).
    #[must_use]
    pub fn matching_accounts(&self, filter: &FactFilter) -> usize {
        if *filter == FactFilter::default() {
            return self.accounts;
        }
        let resolved = self.resolve(filter);
        self.attr_keys
            .iter()
            .filter(|k| resolved.matches_keys(k))
            .count()
    }

    fn resolve<'a>(&self, filter: &'a FactFilter) -> Resolved<'a> {
        let find = |dict: &[String], v: &String| {
            dict.binary_search(v)
                .ok()
                .and_then(|i| u32::try_from(i).ok())
        };
        Resolved {
            filter,
            segment: filter.segment.as_ref().map(|s| find(&self.segments, s)),
            plan: filter.plan.as_ref().map(|p| find(&self.plans, p)),
        }
    }

    /// Offset of `m` in the columns (may be outside `0..months`).
    fn offset(&self, m: Month) -> Option<i64> {
        Some(m.index() - self.first_month?.index())
    }

    fn cell(&self, line: u32, offset: i64) -> Option<usize> {
        let months = i64::from(self.months);
        (0..months)
            .contains(&offset)
            .then(|| usize::try_from(i64::from(line) * months + offset).ok())
            .flatten()
    }

    fn amount(&self, line: u32, offset: i64) -> i64 {
        self.cell(line, offset)
            .and_then(|c| self.amounts.get(c).copied())
            .unwrap_or(0)
    }

    fn is_present(&self, line: u32, offset: i64) -> bool {
        self.cell(line, offset).is_some_and(|c| {
            self.present
                .get(c / 64)
                .is_some_and(|w| w >> (c % 64) & 1 == 1)
        })
    }

    fn unit_total(&self, u: &Unit, offset: i64) -> MoneySum {
        (u.first_line..u.end_line)
            .map(|l| self.amount(l, offset))
            .sum()
    }

    /// Revenue movements and KPIs of `period` for the accounts passing
    /// `filter`, per currency: identical to
    /// [`revenue_movements`](super::revenue_movements) over the same rows,
    /// overflow of a total included.
    pub fn revenue(
        &self,
        filter: &FactFilter,
        period: Period,
        gross_margin: f64,
    ) -> Result<BTreeMap<Currency, RevenueMovements>, MoneyError> {
        let mut out: BTreeMap<Currency, RevenueMovements> = BTreeMap::new();
        let (Some(s_off), Some(e_off)) = (
            self.offset(period.start_snapshot()),
            self.offset(period.last_month()),
        ) else {
            return Ok(out);
        };
        let resolved = self.resolve(filter);
        // The two snapshot columns, when they lie inside the data.
        let months = i64::from(self.months);
        let column = |off: i64| {
            (0..months)
                .contains(&off)
                .then(|| usize::try_from(off).ok())
                .flatten()
        };
        let (s_col, e_col) = (column(s_off), column(e_off));
        let width = usize::try_from(months).unwrap_or(0);
        // One account's (start, end) per product line, reused across
        // accounts: the line cells are read once, not once per question
        // `accumulate` asks of them.
        let mut pairs: Vec<(i64, i64)> = Vec::with_capacity(8);
        // Per currency in first-seen order; almost always one or two.
        let mut sums: Vec<(Currency, RevenueSums)> = Vec::new();
        let exact_lines = !self.line_sums_fit;
        for u in self.units.iter().filter(|u| resolved.matches(u)) {
            pairs.clear();
            let (mut start, mut end, mut present) = (0_i64, 0_i64, false);
            for line in u.first_line as usize..u.end_line as usize {
                let base = line * width;
                let mut read = |col: Option<usize>| match col {
                    Some(c) => {
                        let cell = base + c;
                        present |= self
                            .present
                            .get(cell / 64)
                            .is_some_and(|w| w >> (cell % 64) & 1 == 1);
                        self.amounts.get(cell).copied().unwrap_or(0)
                    }
                    None => 0,
                };
                let (ps, pe) = (read(s_col), read(e_col));
                // Exact when `line_sums_fit` (no add can overflow), else
                // redone exactly below.
                start = start.wrapping_add(ps);
                end = end.wrapping_add(pe);
                pairs.push((ps, pe));
            }
            if !present {
                continue;
            }
            if exact_lines {
                (start, end) = exact_totals(&pairs, u.currency)?;
            }
            let paid_before = u.first_paid.is_some_and(|f| i64::from(f) < s_off);
            let slot = match sums.iter().position(|(c, _)| *c == u.currency) {
                Some(i) => i,
                None => {
                    sums.push((u.currency, RevenueSums::default()));
                    sums.len() - 1
                }
            };
            accumulate(
                &mut sums[slot].1,
                start,
                end,
                pairs.iter().copied(),
                paid_before,
            );
        }
        for (c, m) in sums {
            out.insert(c, finish(&m, c, period.months(), gross_margin)?);
        }
        Ok(out)
    }

    /// Health KPIs of `period` for the accounts passing `filter` (those
    /// with attributes) that are customers on the period's last day
    /// ([`Tenure::is_customer_on`]): bands from the snapshot of `history`
    /// standing at that day, MRR of the period's last month; identical to
    /// [`health_kpis`](super::health_kpis) over the same accounts. One
    /// merge in account order of the accounts, their MRR units and the
    /// snapshot: no lookups. An MRR total beyond `i64` is
    /// [`MoneyError::Overflow`].
    pub fn health(
        &self,
        filter: &FactFilter,
        period: Period,
        history: &HealthHistory,
        listed: &[Currency],
    ) -> Result<HealthKpis, MoneyError> {
        let day = period.last_day();
        let snapshot = history.at(day);
        let bands = snapshot.map_or(&[][..], |s| s.bands());
        let end = self.offset(period.last_month());
        let resolved = self.resolve(filter);
        let (mut b, mut u) = (0_usize, 0_usize);
        let mut tally = HealthTally::default();
        for ((id, keys), tenure) in self
            .attr_ids
            .iter()
            .zip(&self.attr_keys)
            .zip(&self.attr_tenure)
        {
            if !resolved.matches_keys(keys) || !tenure.is_customer_on(day) {
                continue;
            }
            while bands.get(b).is_some_and(|(x, _)| x < id) {
                b += 1;
            }
            let band = bands.get(b).filter(|(x, _)| x == id).map(|(_, band)| *band);
            tally.account(band);
            while self.units.get(u).is_some_and(|x| x.account < *id) {
                u += 1;
            }
            while let Some(unit) = self.units.get(u).filter(|x| x.account == *id) {
                let amount = end.map_or(MoneySum::ZERO, |off| self.unit_total(unit, off));
                tally.mrr(band, unit.currency, amount);
                u += 1;
            }
        }
        tally.finish(snapshot.map(|s| s.scored_on), listed)
    }

    /// The currencies of the accounts passing `filter` that have MRR rows.
    #[must_use]
    pub fn currencies(&self, filter: &FactFilter) -> BTreeSet<Currency> {
        let resolved = self.resolve(filter);
        self.units
            .iter()
            .filter(|u| u.end_line > u.first_line && resolved.matches(u))
            .map(|u| u.currency)
            .collect()
    }

    /// Monthly cohorts of the accounts passing `filter` whose first month
    /// with MRR > 0 lies in `from..=to`: for each cohort and each month
    /// since its start (up to the last month of data), how many of its
    /// accounts still pay and how much MRR they pay per currency (a total
    /// beyond `i64` is [`MoneyError::Overflow`]).
    pub fn cohorts(
        &self,
        filter: &FactFilter,
        from: Month,
        to: Month,
    ) -> Result<Vec<Cohort>, MoneyError> {
        let (Some(first), Some((_, last))) = (self.first_month, self.month_range()) else {
            return Ok(Vec::new());
        };
        let resolved = self.resolve(filter);
        let mut by_start: BTreeMap<u32, Vec<&Unit>> = BTreeMap::new();
        for u in self.units.iter().filter(|u| resolved.matches(u)) {
            if let Some(f) = u.first_paid {
                let m = first.plus(i64::from(f));
                if m.is_some_and(|m| m >= from && m <= to) {
                    by_start.entry(f).or_default().push(u);
                }
            }
        }
        let last_off = last.index() - first.index();
        by_start
            .into_iter()
            .filter_map(|(f, units)| {
                let start = first.plus(i64::from(f))?;
                let span = usize::try_from(last_off - i64::from(f) + 1).ok()?;
                let mut retained = vec![0_usize; span];
                let mut mrr: BTreeMap<Currency, Vec<MoneySum>> = BTreeMap::new();
                for u in &units {
                    let row = mrr
                        .entry(u.currency)
                        .or_insert_with(|| vec![MoneySum::ZERO; span]);
                    for (k, slot) in retained.iter_mut().enumerate() {
                        let total = self.unit_total(u, i64::from(f) + k as i64).at_least_zero();
                        if total > MoneySum::ZERO {
                            *slot += 1;
                        }
                        row[k] += total;
                    }
                }
                Some(Cohort::finish(start, units.len(), retained, mrr))
            })
            .collect()
    }
}

impl KpiFacts {
    /// A builder holding everything of this fact set except the accounts in
    /// `skip`: add their new attributes and rows, then build. This is the
    /// cheap path when a few accounts changed (an edit, a merge): no
    /// database read beyond those accounts, and the same columns as a full
    /// load would build.
    #[must_use]
    pub fn builder_without(&self, skip: &BTreeSet<i64>) -> KpiFactsBuilder {
        let mut b = KpiFactsBuilder::with_capacity(self.amounts.len());
        for (id, attrs) in &self.attrs {
            if !skip.contains(id) {
                b.account(*id, attrs.clone());
            }
        }
        let Some(first) = self.first_month else {
            return b;
        };
        for u in self.units.iter().filter(|u| !skip.contains(&u.account)) {
            for line in u.first_line..u.end_line {
                let product = &self.products[self.line_product[line as usize] as usize];
                for off in 0..i64::from(self.months) {
                    if self.is_present(line, off) {
                        if let Some(month) = first.plus(off) {
                            b.row(
                                u.account,
                                u.currency,
                                product,
                                month,
                                self.amount(line, off),
                            );
                        }
                    }
                }
            }
        }
        b
    }
}

/// An account's `(start, end)` totals over its product lines, added
/// exactly (the revenue loop's way when `i64` adds could overflow).
#[cold]
#[inline(never)]
fn exact_totals(pairs: &[(i64, i64)], currency: Currency) -> Result<(i64, i64), MoneyError> {
    let start: MoneySum = pairs.iter().map(|p| p.0).sum();
    let end: MoneySum = pairs.iter().map(|p| p.1).sum();
    Ok((start.total(currency)?, end.total(currency)?))
}

/// Retention of one monthly cohort: the accounts whose first month with
/// MRR > 0 is `start`. Index `k` of every vector is `k` months after
/// `start` (0 = the start month itself, always 100 %).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cohort {
    /// The cohort's start month.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2025-04"))]
    pub start: Month,
    /// Accounts in the cohort.
    pub accounts: usize,
    /// Accounts still paying (MRR > 0) `k` months after the start.
    pub retained: Vec<usize>,
    /// `retained[k] ÷ accounts × 100` (logo retention).
    pub retained_pct: Vec<Option<f64>>,
    /// Per currency: the cohort's MRR `k` months after the start.
    pub mrr: BTreeMap<Currency, Vec<i64>>,
    /// Per currency: `mrr[k] ÷ mrr[0] × 100` (net revenue retention of the
    /// cohort; `None` when the start MRR is 0).
    pub mrr_pct: BTreeMap<Currency, Vec<Option<f64>>>,
}

impl Cohort {
    fn finish(
        start: Month,
        accounts: usize,
        retained: Vec<usize>,
        sums: BTreeMap<Currency, Vec<MoneySum>>,
    ) -> Result<Self, MoneyError> {
        let retained_pct = retained.iter().map(|r| super::pct(*r, accounts)).collect();
        let mrr_pct = sums
            .iter()
            .map(|(c, v)| {
                let base = v.first().copied().unwrap_or(MoneySum::ZERO);
                let pct = v
                    .iter()
                    .map(|x| (base > MoneySum::ZERO).then(|| x.as_f64() / base.as_f64() * 100.0))
                    .collect();
                (*c, pct)
            })
            .collect();
        let mrr = sums
            .into_iter()
            .map(|(c, v)| {
                Ok((
                    c,
                    v.into_iter()
                        .map(|x| x.total(c))
                        .collect::<Result<_, _>>()?,
                ))
            })
            .collect::<Result<_, MoneyError>>()?;
        Ok(Cohort {
            start,
            accounts,
            retained,
            retained_pct,
            mrr,
            mrr_pct,
        })
    }
}

/// Collects MRR rows and account attributes, then builds a [`KpiFacts`].
/// Rows may come in any order; rows of the same account, currency,
/// product and month add up.
#[derive(Debug, Default)]
pub struct KpiFactsBuilder {
    rows: Vec<Row>,
    products: HashMap<String, u32>,
    product_names: Vec<String>,
    attrs: HashMap<i64, AccountAttrs>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    account: i64,
    currency: Currency,
    product: u32,
    month: i64,
    amount: i64,
}

impl KpiFactsBuilder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reserves room for `rows` MRR rows.
    #[must_use]
    pub fn with_capacity(rows: usize) -> Self {
        Self {
            rows: Vec::with_capacity(rows),
            ..Self::default()
        }
    }

    /// Sets the attributes of an account (accounts without any are kept
    /// but match only an empty filter).
    pub fn account(&mut self, id: i64, attrs: AccountAttrs) {
        self.attrs.insert(id, attrs);
    }

    /// Adds one MRR row.
    pub fn row(
        &mut self,
        account: i64,
        currency: Currency,
        product: &str,
        month: Month,
        amount: i64,
    ) {
        let product = match self.products.get(product) {
            Some(p) => *p,
            None => {
                let p = u32::try_from(self.product_names.len()).unwrap_or(u32::MAX);
                self.products.insert(product.to_owned(), p);
                self.product_names.push(product.to_owned());
                p
            }
        };
        self.rows.push(Row {
            account,
            currency,
            product,
            month: month.index(),
            amount,
        });
    }

    /// Builds the columns. The rows of one cell (account, currency,
    /// product, month) add up exactly; a cell whose total does not fit in
    /// `i64` minor units is [`MoneyError::Overflow`] (the server's MRR
    /// history has one row per cell, each at most
    /// [`MAX_AMOUNT_MAJOR`](crate::domain::MAX_AMOUNT_MAJOR)).
    pub fn build(mut self) -> Result<KpiFacts, MoneyError> {
        // Products, segments and plans sorted, so ids follow name order.
        let mut order: Vec<u32> =
            (0..u32::try_from(self.product_names.len()).unwrap_or(0)).collect();
        order.sort_by(|a, b| self.product_names[*a as usize].cmp(&self.product_names[*b as usize]));
        let mut rank = vec![0_u32; order.len()];
        for (r, p) in order.iter().enumerate() {
            rank[*p as usize] = u32::try_from(r).unwrap_or(u32::MAX);
        }
        let products: Vec<String> = order
            .iter()
            .map(|p| self.product_names[*p as usize].clone())
            .collect();
        for r in &mut self.rows {
            r.product = rank[r.product as usize];
        }
        let dict = |values: Vec<&String>| -> Vec<String> {
            let set: BTreeSet<&String> = values.into_iter().collect();
            set.into_iter().cloned().collect()
        };
        let segments = dict(
            self.attrs
                .values()
                .filter_map(|a| a.segment.as_ref())
                .collect(),
        );
        let plans = dict(
            self.attrs
                .values()
                .filter_map(|a| a.plan.as_ref())
                .collect(),
        );
        let id_of = |dict: &[String], v: Option<&String>| {
            v.and_then(|v| dict.binary_search(v).ok())
                .and_then(|i| u32::try_from(i).ok())
        };

        let keys_of = |attrs: Option<&AccountAttrs>| Keys {
            segment: id_of(&segments, attrs.and_then(|a| a.segment.as_ref())),
            plan: id_of(&plans, attrs.and_then(|a| a.plan.as_ref())),
            owner: attrs.and_then(|a| a.owner),
            tier: attrs.and_then(|a| a.tier),
        };

        self.rows.sort_unstable();
        let first = self.rows.iter().map(|r| r.month).min();
        let last = self.rows.iter().map(|r| r.month).max();
        let (first_month, months) = match (first, last) {
            (Some(f), Some(l)) => (
                Month::new(
                    i32::try_from(f.div_euclid(12)).unwrap_or(0),
                    u32::try_from(f.rem_euclid(12) + 1).unwrap_or(1),
                ),
                u32::try_from(l - f + 1).unwrap_or(0),
            ),
            _ => (None, 0),
        };
        let first_idx = first.unwrap_or(0);
        let width = months as usize;

        let mut facts = KpiFacts {
            first_month,
            months,
            products,
            ..KpiFacts::default()
        };
        let mut i = 0;
        let (mut max_cell, mut max_lines) = (0_u64, 0_u64);
        while i < self.rows.len() {
            let (account, currency) = (self.rows[i].account, self.rows[i].currency);
            let first_line = u32::try_from(facts.line_product.len()).unwrap_or(u32::MAX);
            let mut totals = vec![MoneySum::ZERO; width];
            while i < self.rows.len()
                && self.rows[i].account == account
                && self.rows[i].currency == currency
            {
                let product = self.rows[i].product;
                let line = facts.line_product.len();
                facts.line_product.push(product);
                facts.amounts.resize((line + 1) * width, 0);
                facts.present.resize(((line + 1) * width).div_ceil(64), 0);
                while i < self.rows.len()
                    && self.rows[i].account == account
                    && self.rows[i].currency == currency
                    && self.rows[i].product == product
                {
                    // The rows of one cell are consecutive (sorted); the
                    // month differs first.
                    let month = self.rows[i].month;
                    let mut sum = MoneySum::from(self.rows[i].amount);
                    i += 1;
                    while i < self.rows.len()
                        && self.rows[i].month == month
                        && self.rows[i].product == product
                        && self.rows[i].currency == currency
                        && self.rows[i].account == account
                    {
                        sum += self.rows[i].amount;
                        i += 1;
                    }
                    let off = usize::try_from(month - first_idx).unwrap_or(0);
                    let cell = line * width + off;
                    facts.amounts[cell] = sum.total(currency)?;
                    max_cell = max_cell.max(facts.amounts[cell].unsigned_abs());
                    facts.present[cell / 64] |= 1 << (cell % 64);
                    totals[off] += sum;
                }
            }
            let attrs = self.attrs.get(&account);
            facts.units.push(Unit {
                account,
                currency,
                keys: keys_of(attrs),
                first_line,
                end_line: u32::try_from(facts.line_product.len()).unwrap_or(u32::MAX),
                first_paid: totals
                    .iter()
                    .position(|t| *t > MoneySum::ZERO)
                    .and_then(|p| u32::try_from(p).ok()),
            });
            let lines = facts.line_product.len() - first_line as usize;
            max_lines = max_lines.max(lines as u64);
        }
        facts.line_sums_fit =
            MoneySum::fits_i64(usize::try_from(max_lines).unwrap_or(usize::MAX), max_cell);
        // In account id order, so equal fact sets compare equal.
        let mut keyed: Vec<(i64, Keys, Tenure)> = self
            .attrs
            .iter()
            .map(|(id, a)| (*id, keys_of(Some(a)), a.tenure()))
            .collect();
        keyed.sort_unstable_by_key(|(id, _, _)| *id);
        facts.attr_ids = keyed.iter().map(|(id, _, _)| *id).collect();
        facts.attr_keys = keyed.iter().map(|(_, k, _)| *k).collect();
        facts.attr_tenure = keyed.iter().map(|(_, _, t)| *t).collect();
        let mut accounts: BTreeSet<i64> = self.attrs.keys().copied().collect();
        accounts.extend(facts.units.iter().map(|u| u.account));
        facts.accounts = accounts.len();
        facts.segments = segments;
        facts.plans = plans;
        facts.attrs = self.attrs;
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::kpi::{revenue_movements, MrrRow};

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn attrs(segment: &str, owner: i64) -> AccountAttrs {
        AccountAttrs {
            segment: Some(segment.into()),
            tier: Some(Tier::Low),
            owner: Some(owner),
            plan: Some("Growth".into()),
            ..AccountAttrs::default()
        }
    }

    /// Three accounts: A pays 100 from Jan to Mar; B starts in Feb with 50
    /// and leaves in Mar; C starts in Mar with 30 and grows to 60 in Apr.
    fn sample() -> KpiFacts {
        let mut b = KpiFactsBuilder::new();
        b.account(1, attrs("SaaS", 7));
        b.account(2, attrs("Retail", 7));
        b.account(3, attrs("SaaS", 8));
        for month in ["2025-01", "2025-02", "2025-03"] {
            b.row(1, Currency::Jpy, "core", m(month), 100);
        }
        b.row(2, Currency::Jpy, "core", m("2025-02"), 50);
        b.row(3, Currency::Jpy, "core", m("2025-03"), 30);
        b.row(3, Currency::Jpy, "core", m("2025-04"), 60);
        b.build().unwrap()
    }

    #[test]
    fn facts_know_their_months_and_dictionaries() {
        let f = sample();
        assert_eq!(f.month_range(), Some((m("2025-01"), m("2025-04"))));
        assert_eq!(f.segments(), ["Retail", "SaaS"]);
        assert_eq!(f.accounts(), 3);
        assert_eq!(f.cells(), 3 * 4);
        let saas = FactFilter {
            segment: Some("SaaS".into()),
            ..FactFilter::default()
        };
        assert_eq!(f.matching_accounts(&saas), 2);
        let nobody = FactFilter {
            segment: Some("Mining".into()),
            ..FactFilter::default()
        };
        assert_eq!(f.matching_accounts(&nobody), 0);
        assert!(f
            .revenue(&nobody, Period::month(m("2025-03")), 0.8)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_month_is_computed_by_hand() {
        // March: start snapshot Feb (A 100, B 50), end Mar (A 100, C 30).
        let f = sample();
        let r = &f
            .revenue(&FactFilter::default(), Period::month(m("2025-03")), 0.8)
            .unwrap()[&Currency::Jpy];
        assert_eq!(r.start_mrr, 150);
        assert_eq!(r.churn, 50);
        assert_eq!(r.new, 30);
        assert_eq!(r.end_mrr, 130);
        assert_eq!(r.customers_at_start, 2);
        assert_eq!(r.churned_customers, 1);
        assert_eq!(r.nrr_pct, Some(100.0 / 150.0 * 100.0));
        assert_eq!(r.logo_churn_pct, Some(50.0));
        // Owner 7 only: A and B.
        let seven = FactFilter {
            owner: Some(7),
            ..FactFilter::default()
        };
        let r7 = &f.revenue(&seven, Period::month(m("2025-03")), 0.8).unwrap()[&Currency::Jpy];
        assert_eq!((r7.start_mrr, r7.new, r7.end_mrr), (150, 0, 100));
    }

    #[test]
    fn cohorts_follow_each_start_month() {
        let f = sample();
        let c = f
            .cohorts(&FactFilter::default(), m("2025-01"), m("2025-04"))
            .unwrap();
        assert_eq!(c.len(), 3);
        // A (Jan): pays every month through Mar, not in Apr.
        assert_eq!(c[0].start, m("2025-01"));
        assert_eq!(c[0].retained, [1, 1, 1, 0]);
        assert_eq!(c[0].retained_pct[3], Some(0.0));
        // B (Feb): gone in Mar.
        assert_eq!(c[1].retained, [1, 0, 0]);
        // C (Mar): 30 → 60, revenue retention 200 %.
        assert_eq!(c[2].mrr[&Currency::Jpy], [30, 60]);
        assert_eq!(c[2].mrr_pct[&Currency::Jpy], [Some(100.0), Some(200.0)]);
    }

    #[test]
    fn a_patched_fact_set_equals_a_fresh_one() {
        let f = sample();
        // Account 2 moves to owner 8 and gets April revenue; account 3 is gone.
        let mut b = f.builder_without(&[2, 3].into_iter().collect());
        b.account(2, attrs("Retail", 8));
        b.row(2, Currency::Jpy, "core", m("2025-02"), 50);
        b.row(2, Currency::Jpy, "core", m("2025-04"), 70);
        let patched = b.build().unwrap();
        let mut fresh = KpiFactsBuilder::new();
        fresh.account(1, attrs("SaaS", 7));
        fresh.account(2, attrs("Retail", 8));
        for month in ["2025-01", "2025-02", "2025-03"] {
            fresh.row(1, Currency::Jpy, "core", m(month), 100);
        }
        fresh.row(2, Currency::Jpy, "core", m("2025-02"), 50);
        fresh.row(2, Currency::Jpy, "core", m("2025-04"), 70);
        assert_eq!(patched, fresh.build().unwrap());
    }

    #[test]
    fn the_columns_equal_the_rows_on_a_small_mixed_case() {
        // Two currencies, a reactivation, a cross-sell and a zero row.
        let rows = vec![
            MrrRow {
                account: 1,
                product: "core",
                month: m("2025-01"),
                amount_minor: 100,
                currency: Currency::Jpy,
            },
            MrrRow {
                account: 1,
                product: "core",
                month: m("2025-03"),
                amount_minor: 80,
                currency: Currency::Jpy,
            },
            MrrRow {
                account: 2,
                product: "core",
                month: m("2025-02"),
                amount_minor: 10,
                currency: Currency::Usd,
            },
            MrrRow {
                account: 2,
                product: "api",
                month: m("2025-03"),
                amount_minor: 5,
                currency: Currency::Usd,
            },
            MrrRow {
                account: 2,
                product: "core",
                month: m("2025-03"),
                amount_minor: 10,
                currency: Currency::Usd,
            },
            MrrRow {
                account: 3,
                product: "core",
                month: m("2025-03"),
                amount_minor: 0,
                currency: Currency::Eur,
            },
        ];
        let mut b = KpiFactsBuilder::new();
        for r in &rows {
            b.row(r.account, r.currency, r.product, r.month, r.amount_minor);
        }
        let f = b.build().unwrap();
        for p in [
            Period::month(m("2025-03")),
            Period::month(m("2025-02")),
            Period::quarter_of(m("2025-02")),
        ] {
            assert_eq!(
                f.revenue(&FactFilter::default(), p, 0.7).unwrap(),
                revenue_movements(&rows, p, 0.7).unwrap(),
                "{p:?}"
            );
        }
    }
}
