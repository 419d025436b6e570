//! Reading the KPI fact set: every account's filter attributes (and when
//! it is a customer: contract start, status, churn date) and every MRR row,
//! with the data version they were read at.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use diesel::prelude::*;
use kizuna_shared::domain::{AccountStatus, Currency, SheetKind, SurveyKind, Tier};
use kizuna_shared::metrics::kpi::{
    AccountAttrs, BandSnapshot, HealthHistory, KpiFacts, KpiFactsBuilder, OnboardingSheet,
    SurveyAnswer,
};
use kizuna_shared::metrics::Month;

use super::schema::{account_mrr, accounts, health_scores, sheets, survey_responses, surveys};
use super::{DbConn, DbError};

/// Reads the fact set. The data version is read first: every change
/// records its event in the change's own transaction, so the facts read
/// afterwards contain at least everything up to that version (a later
/// change only makes the cache rebuild once more).
pub fn load_facts(conn: &mut DbConn) -> Result<(i64, KpiFacts), DbError> {
    let version = super::events::latest_id(conn)?;
    let rows: i64 = account_mrr::table.count().get_result(conn)?;
    let mut builder = KpiFactsBuilder::with_capacity(usize::try_from(rows).unwrap_or(0));
    add_accounts(conn, &mut builder, None)?;
    Ok((version, build(builder)?))
}

/// `facts` brought up to date after changes of the accounts `changed` only
/// (edits, merges, deletions): everything else is copied from the columns,
/// only those accounts are read again.
pub fn patch_facts(
    conn: &mut DbConn,
    facts: &KpiFacts,
    changed: &BTreeSet<i64>,
) -> Result<KpiFacts, DbError> {
    let mut builder = facts.builder_without(changed);
    let ids: Vec<i64> = changed.iter().copied().collect();
    add_accounts(conn, &mut builder, Some(&ids))?;
    build(builder)
}

/// The built fact set. `account_mrr` holds one row per cell (account,
/// month, product), each at most `MAX_AMOUNT_MAJOR`, so a cell that does
/// not fit in `i64` can only be corrupt data.
fn build(builder: KpiFactsBuilder) -> Result<KpiFacts, DbError> {
    builder
        .build()
        .map_err(|e| DbError::Corrupt(format!("account_mrr: {e}")))
}

/// The customer-experience facts beside the revenue facts: every survey
/// answer (NPS and CSAT) and every customer onboarding sheet, by account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Experience {
    /// Survey answers with their account, kind, score and day.
    pub answers: Vec<SurveyAnswer<i64>>,
    /// Customer onboarding sheets with their start and completion days.
    pub sheets: Vec<OnboardingSheet<i64>>,
}

/// Reads every survey answer and customer onboarding sheet (two indexed
/// scans; their rows are small next to the MRR facts).
pub fn load_experience(conn: &mut DbConn) -> Result<Experience, DbError> {
    let mut answers = Vec::new();
    for row in survey_responses::table
        .inner_join(surveys::table)
        .select((
            survey_responses::account_id,
            surveys::kind,
            survey_responses::score,
            survey_responses::answered_on,
        ))
        .load_iter::<(i64, String, i32, NaiveDate), diesel::connection::DefaultLoadingMode>(conn)?
    {
        let (account, kind, score, answered_on) = row?;
        let kind: SurveyKind = kind
            .parse()
            .map_err(|e| DbError::Corrupt(format!("survey kind of an answer: {e}")))?;
        let score = u8::try_from(score)
            .map_err(|e| DbError::Corrupt(format!("survey score {score}: {e}")))?;
        answers.push(SurveyAnswer {
            account: Some(account),
            kind,
            score,
            answered_on,
        });
    }
    let sheets = sheets::table
        .filter(sheets::kind.eq(SheetKind::Customer.as_str()))
        .filter(sheets::account_id.is_not_null())
        .select((sheets::account_id, sheets::started_on, sheets::completed_on))
        .load::<(Option<i64>, NaiveDate, Option<NaiveDate>)>(conn)?
        .into_iter()
        .filter_map(|(account, started_on, completed_on)| {
            Some(OnboardingSheet {
                account: account?,
                started_on,
                completed_on,
            })
        })
        .collect();
    Ok(Experience { answers, sheets })
}

/// Reads the published score snapshots the health KPIs can ask for: the
/// last snapshot of each month. A period always ends on a month's last
/// day, so the snapshot standing at its end is the last one of its final
/// month or of an earlier month: the other days are never needed, and
/// with daily snapshots this reads one day in thirty. Rows without a band
/// (no data) are left out: those accounts are not scored.
pub fn load_health(conn: &mut DbConn) -> Result<HealthHistory, DbError> {
    let days: Vec<NaiveDate> = health_scores::table
        .select(health_scores::scored_on)
        .distinct()
        .load(conn)?;
    let mut last_of_month: std::collections::BTreeMap<Month, NaiveDate> =
        std::collections::BTreeMap::new();
    for d in days {
        let slot = last_of_month.entry(Month::of(d)).or_insert(d);
        *slot = (*slot).max(d);
    }
    let mut snapshots = Vec::with_capacity(last_of_month.len());
    for day in last_of_month.into_values() {
        let mut bands = Vec::new();
        for row in health_scores::table
            .filter(health_scores::scored_on.eq(day))
            .filter(health_scores::band.is_not_null())
            .select((health_scores::account_id, health_scores::band))
            .load_iter::<(i64, Option<String>), diesel::connection::DefaultLoadingMode>(conn)?
        {
            let (account, band) = row?;
            let Some(name) = band else { continue };
            let band = super::models::parse_band(&name).ok_or_else(|| {
                DbError::Corrupt(format!("health_scores band {name:?} of account {account}"))
            })?;
            bands.push((account, band));
        }
        snapshots.push(BandSnapshot::new(day, bands));
    }
    Ok(HealthHistory::new(snapshots))
}

/// Adds the attributes and MRR rows of every account (or of `only`).
fn add_accounts(
    conn: &mut DbConn,
    builder: &mut KpiFactsBuilder,
    only: Option<&[i64]>,
) -> Result<(), DbError> {
    let corrupt = |what: String| DbError::Corrupt(what);
    let mut accounts_q = accounts::table.into_boxed();
    let mut mrr_q = account_mrr::table.into_boxed();
    if let Some(ids) = only {
        accounts_q = accounts_q.filter(accounts::id.eq_any(ids.to_vec()));
        mrr_q = mrr_q.filter(account_mrr::account_id.eq_any(ids.to_vec()));
    }
    for row in accounts_q
        .select((
            accounts::id,
            accounts::industry,
            accounts::plan,
            accounts::owner_id,
            accounts::mrr_minor,
            accounts::currency,
            accounts::contract_start,
            accounts::status,
            accounts::churn_date,
        ))
        .load_iter::<(
            i64,
            Option<String>,
            Option<String>,
            Option<i64>,
            i64,
            String,
            Option<NaiveDate>,
            String,
            Option<NaiveDate>,
        ), diesel::connection::DefaultLoadingMode>(conn)?
    {
        let (id, industry, plan, owner, mrr, currency, contract_start, status, churn_date) = row?;
        let currency: Currency = currency
            .parse()
            .map_err(|e| corrupt(format!("accounts {id}: {e}")))?;
        builder.account(
            id,
            AccountAttrs {
                segment: industry,
                tier: Some(Tier::of(mrr, currency)),
                owner,
                plan,
                contract_start,
                churned: status == AccountStatus::Churned.as_str(),
                churn_date,
            },
        );
    }
    // Currencies and months repeat millions of times: parse each once.
    let mut currencies: Vec<(String, Currency)> = Vec::new();
    let mut last_month: Option<(NaiveDate, Month)> = None;
    for row in mrr_q
        .select((
            account_mrr::account_id,
            account_mrr::month,
            account_mrr::product,
            account_mrr::amount_minor,
            account_mrr::currency,
        ))
        .load_iter::<(i64, NaiveDate, String, i64, String), diesel::connection::DefaultLoadingMode>(
            conn,
        )?
    {
        let (account, date, product, amount, currency) = row?;
        let currency = match currencies.iter().find(|(name, _)| *name == currency) {
            Some((_, c)) => *c,
            None => {
                let c: Currency = currency
                    .parse()
                    .map_err(|e| corrupt(format!("account_mrr of {account}: {e}")))?;
                currencies.push((currency, c));
                c
            }
        };
        let month = match last_month {
            Some((d, m)) if d == date => m,
            _ => {
                let m = Month::of(date);
                last_month = Some((date, m));
                m
            }
        };
        builder.row(account, currency, &product, month, amount);
    }
    Ok(())
}
