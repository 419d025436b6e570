//! Encoded `GET /api/v1/scoring-data` bodies, cached per query (as-of date,
//! outcome window, lags) and data version.
//!
//! Building the body at 100,000 accounts reads millions of dated signal
//! values (BENCHMARKS.md, "Scoring data over loopback"); the workbench asks
//! for the same one on every page load and on every as-of change back and
//! forth. The body is a pure function of the stored data and the query, and
//! every write that can change it (imports of accounts, MRR or signals,
//! account edits, merges, deletions) records a change event in its own
//! transaction, so the latest event id (`db::events::latest_id`, one indexed
//! `max(id)`) names the data it was built from — the same versioning as the
//! KPI cache (`crate::kpi`). A request reads the version first and uses a
//! cached body only when it was built at that version; otherwise it builds
//! one (one build at a time: requests that waited find it ready).

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::web::Bytes;

use chrono::NaiveDate;

use crate::db::{self, DbConn, DbError};

/// Bodies kept at most (all of the latest data version).
const MAX_CACHED: usize = 16;

/// What a body answers: as-of date, window in days, lags in days.
pub type ScoringKey = (NaiveDate, u32, Vec<u32>);

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
        let version = db::events::latest_id(conn)?;
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

    /// How many bodies are cached (for tests and logs).
    pub fn len(&self) -> usize {
        self.bodies.lock().map_or(0, |b| b.len())
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
