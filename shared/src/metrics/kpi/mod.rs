//! Customer-success KPIs from plain inputs: MRR rows, account dates, survey
//! answers and onboarding sheets.
//!
//! Every KPI is computed for a [`Period`] (month, quarter, year: see
//! [`Period::series`] for consecutive periods) and can be cut by any grouping
//! of accounts (segment, owner, plan…) with the `*_by` functions, which take a
//! closure from account key to group. Each result carries the counts it was
//! computed from; undefined ratios are `None` (JSON `null`). Money stays in
//! integer minor units, one result per currency, summed exactly
//! ([`MoneySum`]): a total beyond `i64` is
//! [`MoneyError::Overflow`].

pub mod facts;
pub mod health_bands;
pub mod onboarding;
pub mod revenue;
pub mod survey;

pub use facts::{AccountAttrs, Cohort, FactFilter, KpiFacts, KpiFactsBuilder};
pub use health_bands::{
    health_kpis, BandSnapshot, HealthHistory, HealthKpis, HealthMrr, HealthTally,
};
pub use onboarding::{median, onboarding_kpis, AccountDates, OnboardingKpis, OnboardingSheet};
pub use revenue::{revenue_movements, revenue_movements_by, MrrRow, RevenueMovements, RevenueSums};
pub use survey::{csat, nps, survey_kpis, Csat, Nps, SurveyAnswer, SurveyKind, SurveyKpis};

use crate::api::{MoneyError, MoneySum};
use crate::domain::Currency;
use crate::metrics::model::Band;
use crate::metrics::period::Period;
use crate::metrics::scoring::{mrr_by_band, Currencies, DataError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `part ÷ whole × 100`, `None` when `whole` is 0.
pub(crate) fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * 100.0)
}

/// All KPI inputs of a data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "A: Serialize, P: Serialize",
    deserialize = "A: Deserialize<'de>, P: Deserialize<'de>"
))]
pub struct KpiInputs<A = String, P = String> {
    /// Monthly MRR rows.
    pub mrr: Vec<MrrRow<A, P>>,
    /// Account lifecycle dates.
    pub accounts: Vec<AccountDates<A>>,
    /// Survey answers.
    #[serde(alias = "responses")]
    pub answers: Vec<SurveyAnswer<A>>,
    /// Onboarding sheets.
    pub sheets: Vec<OnboardingSheet<A>>,
}

/// Every KPI of one period (and one group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiReport {
    /// The period.
    pub period: Period,
    /// Revenue movements and KPIs per currency.
    pub revenue: BTreeMap<Currency, RevenueMovements>,
    /// NPS and CSAT.
    pub surveys: SurveyKpis,
    /// Onboarding completion and time to value.
    pub onboarding: OnboardingKpis,
}

fn report_of<A: Ord, P: Ord>(
    mrr: &[&MrrRow<A, P>],
    starts: &BTreeMap<&A, NaiveDate>,
    answers: &[&SurveyAnswer<A>],
    sheets: &[&OnboardingSheet<A>],
    period: Period,
    as_of: NaiveDate,
    gross_margin: f64,
) -> Result<KpiReport, MoneyError> {
    Ok(KpiReport {
        period,
        revenue: revenue_movements(mrr.iter().copied(), period, gross_margin)?,
        surveys: survey_kpis(answers.iter().copied(), period),
        onboarding: onboarding_kpis(
            sheets.iter().copied(),
            |a| starts.get(a).copied(),
            period,
            as_of,
        ),
    })
}

impl<A: Ord, P: Ord> KpiInputs<A, P> {
    fn starts(&self) -> BTreeMap<&A, NaiveDate> {
        self.accounts
            .iter()
            .map(|a| (&a.account, a.contract_start))
            .collect()
    }

    /// Every KPI of `period`; `as_of` bounds onboarding completions and
    /// `gross_margin` (a fraction) feeds the LTV. A money total beyond
    /// `i64` is [`MoneyError::Overflow`].
    pub fn report(
        &self,
        period: Period,
        as_of: NaiveDate,
        gross_margin: f64,
    ) -> Result<KpiReport, MoneyError> {
        let mrr: Vec<_> = self.mrr.iter().collect();
        let answers: Vec<_> = self.answers.iter().collect();
        let sheets: Vec<_> = self.sheets.iter().collect();
        report_of(
            &mrr,
            &self.starts(),
            &answers,
            &sheets,
            period,
            as_of,
            gross_margin,
        )
    }

    /// [`report`](Self::report) per group of accounts: `group` maps an
    /// account to its group (`None` leaves it out). Survey answers without an
    /// account are left out of every group.
    pub fn report_by<G: Ord>(
        &self,
        period: Period,
        as_of: NaiveDate,
        gross_margin: f64,
        mut group: impl FnMut(&A) -> Option<G>,
    ) -> Result<BTreeMap<G, KpiReport>, MoneyError> {
        type Parts<'x, A, P> = (
            Vec<&'x MrrRow<A, P>>,
            Vec<&'x SurveyAnswer<A>>,
            Vec<&'x OnboardingSheet<A>>,
        );
        let mut parts: BTreeMap<G, Parts<'_, A, P>> = BTreeMap::new();
        for r in &self.mrr {
            if let Some(g) = group(&r.account) {
                parts.entry(g).or_default().0.push(r);
            }
        }
        for a in &self.answers {
            if let Some(g) = a.account.as_ref().and_then(&mut group) {
                parts.entry(g).or_default().1.push(a);
            }
        }
        for s in &self.sheets {
            if let Some(g) = group(&s.account) {
                parts.entry(g).or_default().2.push(s);
            }
        }
        let starts = self.starts();
        parts
            .into_iter()
            .map(|(g, (m, a, s))| {
                Ok((
                    g,
                    report_of(&m, &starts, &a, &s, period, as_of, gross_margin)?,
                ))
            })
            .collect()
    }
}

/// Groups items by a key (`None` leaves an item out), keeping their order.
pub fn group_by<'a, T, G: Ord>(
    items: impl IntoIterator<Item = &'a T>,
    mut key: impl FnMut(&T) -> Option<G>,
) -> BTreeMap<G, Vec<&'a T>>
where
    T: 'a,
{
    let mut out: BTreeMap<G, Vec<&'a T>> = BTreeMap::new();
    for it in items {
        if let Some(g) = key(it) {
            out.entry(g).or_default().push(it);
        }
    }
    out
}

/// MRR of the red-band accounts of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct AtRiskMrr {
    /// Red accounts.
    pub accounts: usize,
    /// Their MRR (minor units).
    pub mrr_minor: i64,
    /// MRR of all accounts of the currency.
    pub total_mrr_minor: i64,
    /// `mrr_minor ÷ total_mrr_minor × 100` (`None` when the total is ≤ 0).
    pub share_pct: Option<f64>,
}

/// At-risk MRR (MRR of red-band accounts) per currency, from the bands of a
/// scoring run and each account's current MRR; a total beyond `i64` is
/// [`DataError::Money`].
pub fn at_risk_mrr(
    bands: &[Option<Band>],
    mrr_minor: &[i64],
    currencies: Currencies<'_>,
) -> Result<BTreeMap<Currency, AtRiskMrr>, DataError> {
    mrr_by_band(bands, mrr_minor, currencies)?
        .into_iter()
        .map(|(c, b)| {
            let mut total = MoneySum::ZERO;
            for x in [b.red, b.yellow, b.green, b.unscored] {
                total += x;
            }
            let share_pct = (total > MoneySum::ZERO).then(|| b.red as f64 / total.as_f64() * 100.0);
            Ok((
                c,
                AtRiskMrr {
                    accounts: b.accounts.red,
                    mrr_minor: b.red,
                    total_mrr_minor: total.total(c)?,
                    share_pct,
                },
            ))
        })
        .collect()
}
