//! The KPI service: a per-process, in-memory fact set (see
//! [`KpiFacts`]) loaded lazily and versioned by the change events, and the
//! answers of `/api/v1/kpis` and `/api/v1/kpis/series` cached per query
//! and data version. Every number comes from `kizuna_shared::metrics::kpi`.
//!
//! The fact set is process state: it is correct only because every write
//! records a change event (`db::events::record`, in the write's own
//! transaction) and the latest event id is the data version. Every request
//! reads that version (one indexed `max(id)`, well under a millisecond) and
//! compares it with the fact set's, so no instance can answer from data
//! older than the request — not even one whose `LISTEN` connection dropped
//! a notification, and not the instance a client reaches right after
//! writing through another one. When the data has moved on, one request
//! rebuilds the set (the others wait for it rather than answer from stale
//! data), and cached answers of older versions are dropped. The event hub
//! (`crate::events`) tells open dashboards to ask again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use kizuna_shared::api::{
    CurrencyRevenue, KpiBasis, KpiQuery, KpiResponse, KpiSeriesResponse, MoneyError, PeriodKpis,
    MAX_SERIES_PERIODS,
};
use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::kpi::{
    onboarding_kpis, survey_kpis, FactFilter, HealthHistory, KpiFacts,
};
use kizuna_shared::metrics::{Month, Period};

use crate::db::{self, DbError, DbPool};

/// Cached answers kept at most (all of one data version).
const MAX_CACHED: usize = 1_024;

/// A fact set and the data version it was read at.
#[derive(Debug)]
pub struct Snapshot {
    /// Data version (latest event id when read).
    pub version: i64,
    /// The facts.
    pub facts: KpiFacts,
    /// Survey answers and onboarding sheets (NPS, CSAT, onboarding KPIs).
    pub experience: db::kpi::Experience,
    /// The published score snapshots (health KPIs): read again only when
    /// the facts are (a model publish or an import moves them; survey
    /// answers, sheets and account edits do not), shared otherwise.
    pub health: Arc<HealthHistory>,
    /// How long reading and building took.
    pub load_time: Duration,
}

/// Which answer a cache entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Endpoint {
    Kpis,
    Series,
}

/// A serialised answer and the data version it was computed from.
type Cached = (i64, Arc<Vec<u8>>);

/// Why a KPI query has no answer.
#[derive(Debug, thiserror::Error)]
pub enum KpiError {
    /// The query is well-formed but cannot be answered (e.g. `from` > `to`).
    #[error("{0}")]
    Invalid(String),
    /// A money total of the answer does not fit in `i64` minor units
    /// (`MoneySum`'s policy: an error, never a wrapped or saturated
    /// number); answered as 422 `amount_overflow`.
    #[error(transparent)]
    Overflow(#[from] MoneyError),
    /// Reading the facts failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The answer could not be serialised.
    #[error("serialising: {0}")]
    Json(#[from] serde_json::Error),
}

/// The service of one instance.
#[derive(Debug)]
pub struct KpiService {
    snapshot: RwLock<Option<Arc<Snapshot>>>,
    loading: Mutex<()>,
    answers: Mutex<HashMap<(Endpoint, KpiQuery), Cached>>,
    gross_margin: f64,
}

impl KpiService {
    /// A service computing LTV with `gross_margin` (a fraction).
    pub fn new(gross_margin: f64) -> Self {
        KpiService {
            snapshot: RwLock::new(None),
            loading: Mutex::new(()),
            answers: Mutex::new(HashMap::new()),
            gross_margin,
        }
    }

    /// The gross margin used for LTV.
    pub fn gross_margin(&self) -> f64 {
        self.gross_margin
    }

    fn current(&self) -> Option<Arc<Snapshot>> {
        self.snapshot.read().ok().and_then(|s| s.clone())
    }

    /// The fact set at least as new as `version`, reading it when needed
    /// (blocking: call on the blocking pool).
    pub fn facts(&self, pool: &DbPool, version: i64) -> Result<Arc<Snapshot>, DbError> {
        if let Some(s) = self.current().filter(|s| s.version >= version) {
            return Ok(s);
        }
        // One reader at a time; whoever waited finds the fresh set.
        let _guard = self.loading.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = self.current().filter(|s| s.version >= version) {
            return Ok(s);
        }
        let started = Instant::now();
        let mut conn = pool.get()?;
        let patch = match self.current() {
            Some(old) => patchable(&mut conn, old)?,
            None => None,
        };
        let (read_version, facts, health, how) = match patch {
            // Only survey answers, sheets or scores changed: the revenue
            // facts stay.
            Some(p) if p.accounts.is_empty() => {
                let health = read_health(&mut conn, &p.old, p.scores)?;
                (p.latest, p.old.facts.clone(), health, "kept")
            }
            Some(p) => {
                let facts = db::kpi::patch_facts(&mut conn, &p.old.facts, &p.accounts)?;
                let health = read_health(&mut conn, &p.old, p.scores)?;
                (p.latest, facts, health, "patched")
            }
            None => {
                let (v, f) = db::kpi::load_facts(&mut conn)?;
                // After the version, like the facts: never older than it.
                let h = Arc::new(db::kpi::load_health(&mut conn)?);
                (v, f, h, "loaded")
            }
        };
        // Read after the version, like the facts: never older than it.
        let experience = db::kpi::load_experience(&mut conn)?;
        let snapshot = Arc::new(Snapshot {
            version: read_version.max(version),
            facts,
            experience,
            health,
            load_time: started.elapsed(),
        });
        tracing::info!(
            version = snapshot.version,
            accounts = snapshot.facts.accounts(),
            cells = snapshot.facts.cells(),
            ms = snapshot.load_time.as_millis() as u64,
            how,
            "KPI facts ready"
        );
        if let Ok(mut slot) = self.snapshot.write() {
            *slot = Some(snapshot.clone());
        }
        Ok(snapshot)
    }

    /// The JSON answer of `/api/v1/kpis` for `query`, from the cache when
    /// the data has not changed since it was computed.
    pub fn kpis(&self, pool: &DbPool, query: &KpiQuery) -> Result<Arc<Vec<u8>>, KpiError> {
        self.answer(pool, Endpoint::Kpis, query)
    }

    /// The JSON answer of `/api/v1/kpis/series` for `query`.
    pub fn series(&self, pool: &DbPool, query: &KpiQuery) -> Result<Arc<Vec<u8>>, KpiError> {
        self.answer(pool, Endpoint::Series, query)
    }

    fn answer(
        &self,
        pool: &DbPool,
        endpoint: Endpoint,
        query: &KpiQuery,
    ) -> Result<Arc<Vec<u8>>, KpiError> {
        let version = {
            let mut conn = pool.get().map_err(DbError::from)?;
            db::events::latest_id(&mut conn)?
        };
        let snapshot = self.facts(pool, version)?;
        let key = (endpoint, query.clone());
        if let Some((v, body)) = self.answers.lock().ok().and_then(|a| a.get(&key).cloned()) {
            if v == snapshot.version {
                return Ok(body);
            }
        }
        let body = Arc::new(match endpoint {
            Endpoint::Kpis => {
                serde_json::to_vec(&compute_kpis(&snapshot, query, self.gross_margin)?)?
            }
            Endpoint::Series => {
                serde_json::to_vec(&compute_series(&snapshot, query, self.gross_margin)?)?
            }
        });
        if let Ok(mut answers) = self.answers.lock() {
            if answers.len() >= MAX_CACHED || answers.values().any(|(v, _)| *v != snapshot.version)
            {
                answers.retain(|_, (v, _)| *v == snapshot.version);
                if answers.len() >= MAX_CACHED {
                    answers.clear();
                }
            }
            answers.insert(key, (snapshot.version, body.clone()));
        }
        Ok(body)
    }
}

/// Accounts changed at most by the cheap path; more is a full load.
const PATCH_LIMIT: i64 = 200;

/// What changed since a snapshot, when it can be brought up to date
/// without reading everything again.
struct Patch {
    old: Arc<Snapshot>,
    /// The latest data version.
    latest: i64,
    /// Accounts to read again (edits, merges, deletions).
    accounts: std::collections::BTreeSet<i64>,
    /// Whether score snapshots were written (a model publish, the daily
    /// snapshot): the health history is read again.
    scores: bool,
}

/// The old health history, or a fresh one when `scores` changed.
fn read_health(
    conn: &mut db::DbConn,
    old: &Snapshot,
    scores: bool,
) -> Result<Arc<HealthHistory>, DbError> {
    Ok(if scores {
        Arc::new(db::kpi::load_health(conn)?)
    } else {
        old.health.clone()
    })
}

/// When every change since `old` names its account and is an account
/// change (edit, merge, deletion), or is a survey answer, sheet change or
/// model publish (which leave the revenue facts alone), the patch that
/// brings the snapshot up to date instead of reading everything again.
fn patchable(conn: &mut db::DbConn, old: Arc<Snapshot>) -> Result<Option<Patch>, DbError> {
    use kizuna_shared::api::ChangeKind;
    let latest = db::events::latest_id(conn)?;
    let events = db::events::since(conn, old.version, PATCH_LIMIT + 1)?;
    let complete = events.last().map(|e| e.id) == Some(latest)
        && events.first().map(|e| e.id) == Some(old.version + 1)
        && events.len() as i64 <= PATCH_LIMIT;
    if !complete {
        return Ok(None);
    }
    let mut accounts = std::collections::BTreeSet::new();
    let mut scores = false;
    for e in events {
        match (e.kind, e.account_id) {
            (ChangeKind::AccountChange, Some(id)) => {
                accounts.insert(id);
            }
            (ChangeKind::SurveyAnswer | ChangeKind::SheetCompletion, _) => {}
            (ChangeKind::ModelPublish, _) => scores = true,
            _ => return Ok(None),
        }
    }
    Ok(Some(Patch {
        old,
        latest,
        accounts,
        scores,
    }))
}

/// The month to end on by default: the last month with revenue data, or
/// the current month when there is none.
fn latest_month(facts: &KpiFacts) -> Month {
    facts
        .month_range()
        .map(|(_, last)| last)
        .unwrap_or_else(|| Month::of(chrono::Utc::now().date_naive()))
}

/// A period that runs past the last month with data (the quarter or year
/// in progress) is measured to date: it ends with that month. Widened to
/// the whole period, the months not yet recorded would count every
/// account as churned (end MRR 0, logo churn 100 %). A period wholly
/// after the data stays as asked (an empty period).
fn to_date(p: Period, latest: Month) -> Period {
    if p.first_month() > latest || p.last_month() <= latest {
        return p;
    }
    u32::try_from(latest.index() - p.first_month().index() + 1)
        .ok()
        .and_then(|months| Period::new(p.first_month(), months).ok())
        .unwrap_or(p)
}

/// The currencies every answer lists: those of the whole data set (so the
/// tiles stay put while filtering), or yen for an empty database.
fn listed_currencies(facts: &KpiFacts) -> Vec<Currency> {
    let all = facts.currencies(&FactFilter::default());
    if all.is_empty() {
        vec![Currency::Jpy]
    } else {
        all.into_iter().collect()
    }
}

fn basis(snapshot: &Snapshot, filter: &FactFilter, gross_margin: f64) -> KpiBasis {
    let range = snapshot.facts.month_range();
    KpiBasis {
        data_version: snapshot.version,
        accounts: snapshot.facts.matching_accounts(filter),
        first_data_month: range.map(|(f, _)| f),
        last_data_month: range.map(|(_, l)| l),
        gross_margin,
        sources: SOURCES.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// The optional data sources this server fills (`KpiBasis::sources`): the
/// dashboard shows the NPS/CSAT, onboarding and health tiles for them.
pub const SOURCES: [&str; 3] = ["surveys", "onboarding", "health"];

/// Every KPI of one period.
fn period_kpis(
    snapshot: &Snapshot,
    filter: &FactFilter,
    period: Period,
    currencies: &[Currency],
    gross_margin: f64,
) -> Result<PeriodKpis, MoneyError> {
    let facts = &snapshot.facts;
    let experience = &snapshot.experience;
    let answers = experience.answers.iter().filter(|a| {
        a.account
            .is_some_and(|id| facts.account_matches(id, filter))
    });
    let sheets = experience
        .sheets
        .iter()
        .filter(|s| facts.account_matches(s.account, filter));
    // Completions count up to today (Japan's date included, as ticking
    // allows), whatever the period.
    let as_of = db::sheets::latest_today(chrono::Utc::now().date_naive());
    let onboarding = onboarding_kpis(
        sheets,
        |a| facts.attrs(*a).and_then(|x| x.contract_start),
        period,
        as_of,
    );
    let mut revenue = facts.revenue(filter, period, gross_margin)?;
    Ok(PeriodKpis {
        period: period.into(),
        revenue: currencies
            .iter()
            .map(|c| CurrencyRevenue {
                currency: *c,
                movements: revenue.remove(c).unwrap_or_default(),
            })
            .collect(),
        surveys: Some(survey_kpis(answers, period)),
        onboarding: Some(onboarding),
        health: Some(facts.health(filter, period, &snapshot.health, currencies)?),
    })
}

fn invalid(e: impl ToString) -> KpiError {
    KpiError::Invalid(e.to_string())
}

/// `/api/v1/kpis`: the range as one period and the one before it.
pub fn compute_kpis(
    snapshot: &Snapshot,
    query: &KpiQuery,
    gross_margin: f64,
) -> Result<KpiResponse, KpiError> {
    let facts = &snapshot.facts;
    let (from, to) = query
        .range(latest_month(facts))
        .map_err(KpiError::Invalid)?;
    let months = u32::try_from(to.index() - from.index() + 1).map_err(invalid)?;
    let current = to_date(
        Period::new(from, months).map_err(invalid)?,
        latest_month(facts),
    );
    let months = current.months();
    let previous = from
        .plus(-i64::from(months))
        .and_then(|f| Period::new(f, months).ok())
        .ok_or_else(|| invalid("The period before the range is out of range."))?;
    let filter = query.filter();
    let currencies = listed_currencies(facts);
    Ok(KpiResponse {
        period_kind: query.kind(),
        current: period_kpis(snapshot, &filter, current, &currencies, gross_margin)?,
        previous: period_kpis(snapshot, &filter, previous, &currencies, gross_margin)?,
        basis: basis(snapshot, &filter, gross_margin),
    })
}

/// `/api/v1/kpis/series`: each period of the range, and the cohorts.
pub fn compute_series(
    snapshot: &Snapshot,
    query: &KpiQuery,
    gross_margin: f64,
) -> Result<KpiSeriesResponse, KpiError> {
    let facts = &snapshot.facts;
    let (from, to) = query
        .range(latest_month(facts))
        .map_err(KpiError::Invalid)?;
    let kind = query.kind();
    let first = Period::new(from, kind.months()).map_err(invalid)?;
    let count = usize::try_from((to.index() - from.index() + 1) / i64::from(kind.months()))
        .map_err(invalid)?;
    if count > MAX_SERIES_PERIODS {
        return Err(KpiError::Invalid(format!(
            "The series would hold {count} periods; at most {MAX_SERIES_PERIODS} are allowed."
        )));
    }
    let filter = query.filter();
    let currencies = listed_currencies(facts);
    let latest = latest_month(facts);
    let periods: Vec<PeriodKpis> = first
        .series(count)
        .map(|p| {
            period_kpis(
                snapshot,
                &filter,
                to_date(p, latest),
                &currencies,
                gross_margin,
            )
        })
        .collect::<Result<_, _>>()?;
    Ok(KpiSeriesResponse {
        period_kind: kind,
        periods,
        cohorts: facts.cohorts(&filter, from, to)?,
        segments: facts.segments().to_vec(),
        plans: facts.plans().to_vec(),
        basis: basis(snapshot, &filter, gross_margin),
    })
}
