//! Encoded `GET /api/v1/scoring-data` bodies, cached per query (as-of date,
//! outcome window, lags) and data version, and kept fresh in the background.
//!
//! Building the body at 100,000 accounts reads the population, its MRR and
//! its signal values (BENCHMARKS.md, "Scoring data over loopback"); the
//! workbench asks for the same one on every page load and on every as-of
//! change back and forth. The body is a pure function of the stored data
//! and the query, and every write that can change it (imports of accounts,
//! MRR or signals, account edits, merges, deletions) records a change event
//! of a kind that [`ChangeKind::affects_revenue`] in its own transaction,
//! so the latest such event id (`db::events::latest_id_where`) names the
//! data it was built from. Survey answers, sheets and model publishing
//! cannot change the body and do not move that version. A request reads the
//! version first and uses a cached body only when it was built at that
//! version; otherwise it builds one (one build at a time: requests that
//! waited find it ready).
//!
//! [`spawn_refresher`] warms the cache when the server starts (the
//! workbench's default query) and, after each change that affects it,
//! rebuilds the queries that were cached, so the next workbench request
//! after an import is usually answered from memory too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::web::Bytes;
use chrono::{Days, NaiveDate};
use kizuna_shared::api::ChangeKind;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::db::{self, DbConn, DbError, DbPool};
use crate::events::EventHub;

/// Bodies kept at most (all of the latest data version).
const MAX_CACHED: usize = 16;

/// How long the refresher lets a burst of changes (an import's events, a
/// series of edits) settle before it rebuilds.
const SETTLE: Duration = Duration::from_millis(500);

/// The workbench's default query: as-of this many days before today, an
/// outcome window of as many days (`app/src/pages/workbench/state.rs`).
pub const WORKBENCH_DEFAULT_DAYS: u32 = 90;

/// What a body answers: as-of date, window in days, lags in days.
pub type ScoringKey = (NaiveDate, u32, Vec<u32>);

/// Builds the body of a query from the database.
pub type BuildBody = fn(&mut DbConn, &ScoringKey) -> Result<Vec<u8>, DbError>;

/// The data version a body is built at.
fn version(conn: &mut DbConn) -> Result<i64, DbError> {
    db::events::latest_id_where(conn, ChangeKind::affects_revenue)
}

/// The cache of one instance (shared by its workers).
#[derive(Debug, Default)]
pub struct ScoringDataCache {
    bodies: Mutex<HashMap<ScoringKey, (i64, Bytes)>>,
    building: Mutex<()>,
}

impl ScoringDataCache {
    fn cached(&self, key: &ScoringKey, version: i64) -> Option<Bytes> {
        let bodies = self.bodies.lock().unwrap_or_else(|p| p.into_inner());
        bodies
            .get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, body)| body.clone())
    }

    /// The body of `key` at the current data version: cached, or made by
    /// `build` (blocking: call on the blocking pool).
    pub fn get_or_build(
        &self,
        conn: &mut DbConn,
        key: ScoringKey,
        build: impl FnOnce(&mut DbConn) -> Result<Vec<u8>, DbError>,
    ) -> Result<Bytes, DbError> {
        let version = version(conn)?;
        if let Some(body) = self.cached(&key, version) {
            return Ok(body);
        }
        let _guard = self.building.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(body) = self.cached(&key, version) {
            return Ok(body);
        }
        // Built at `version` or later: a write committed meanwhile makes the
        // entry look older than it is (rebuilt once more), never newer.
        let body = Bytes::from(build(conn)?);
        let mut bodies = self.bodies.lock().unwrap_or_else(|p| p.into_inner());
        bodies.retain(|_, (v, _)| *v == version);
        if bodies.len() >= MAX_CACHED {
            bodies.clear();
        }
        bodies.insert(key, (version, body.clone()));
        Ok(body)
    }

    /// The queries cached now (whatever their version).
    fn keys(&self) -> Vec<ScoringKey> {
        let bodies = self.bodies.lock().unwrap_or_else(|p| p.into_inner());
        bodies.keys().cloned().collect()
    }

    /// Brings the bodies of `keys` to the current data version (those that
    /// are current already cost one version read each).
    fn refresh(&self, pool: &DbPool, keys: Vec<ScoringKey>, build: BuildBody) {
        for key in keys {
            let built = pool
                .get()
                .map_err(DbError::from)
                .and_then(|mut conn| self.get_or_build(&mut conn, key.clone(), |c| build(c, &key)));
            if let Err(e) = built {
                tracing::warn!(error = %e, as_of = %key.0, "refreshing cached scoring data failed");
            }
        }
    }

    /// How many bodies are cached (for tests and logs).
    pub fn len(&self) -> usize {
        self.bodies.lock().map_or(0, |b| b.len())
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The workbench's default query today: as-of 90 days before today (UTC)
/// with a 90-day window and the lags of the published model's trend
/// measures (none when nothing is published).
fn workbench_default(conn: &mut DbConn) -> Result<ScoringKey, DbError> {
    let today = chrono::Utc::now().date_naive();
    let as_of = today
        .checked_sub_days(Days::new(u64::from(WORKBENCH_DEFAULT_DAYS)))
        .unwrap_or(today);
    let mut lags: Vec<u32> = db::models::published(conn)?
        .map(|p| {
            p.model
                .measures
                .iter()
                .filter_map(|m| m.trend.map(|t| t.days))
                .collect()
        })
        .unwrap_or_default();
    lags.sort_unstable();
    lags.dedup();
    Ok((as_of, WORKBENCH_DEFAULT_DAYS, lags))
}

/// Starts the thread that keeps `cache` warm: it builds the workbench's
/// default query first, then after every change of a kind that affects the
/// bodies (once a burst has settled) rebuilds every query that was cached.
/// It ends with the event hub (when the application is dropped).
pub fn spawn_refresher(
    cache: Arc<ScoringDataCache>,
    pool: DbPool,
    hub: &EventHub,
    build: BuildBody,
) -> std::io::Result<()> {
    let mut events = hub.subscribe();
    std::thread::Builder::new()
        .name("scoring-refresh".into())
        .spawn(move || {
            match pool
                .get()
                .map_err(DbError::from)
                .and_then(|mut conn| workbench_default(&mut conn))
            {
                Ok(key) => cache.refresh(&pool, vec![key], build),
                Err(e) => tracing::warn!(error = %e, "warming the scoring data failed"),
            }
            loop {
                match events.blocking_recv() {
                    Ok(event) if !event.kind.affects_revenue() => continue,
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                }
                std::thread::sleep(SETTLE);
                loop {
                    match events.try_recv() {
                        Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                        Err(TryRecvError::Empty) => break,
                        Err(TryRecvError::Closed) => return,
                    }
                }
                cache.refresh(&pool, cache.keys(), build);
            }
        })
        .map(|_| ())
}
