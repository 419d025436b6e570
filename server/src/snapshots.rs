//! The daily score snapshot: at start, if today's is missing, then shortly
//! after each UTC midnight, every account is scored with the published
//! model and stored in `health_scores` (`db::models::snapshot_if_missing`),
//! so each account has a score trend even on days nobody publishes. With
//! several instances each tries; the first writes the day, the others find
//! it done (the check and the write share one immediate transaction).

use std::time::Duration;

use chrono::{NaiveDate, Utc};

use crate::db::{self, DbPool};

/// Writes `date`'s snapshot unless it exists; logs the outcome.
pub fn run_once(pool: &DbPool, date: NaiveDate) -> bool {
    let result = pool
        .get()
        .map_err(db::DbError::from)
        .and_then(|mut conn| db::models::snapshot_if_missing(&mut conn, date));
    match result {
        Ok(wrote) => {
            if wrote {
                tracing::info!(%date, "daily score snapshot written");
            }
            wrote
        }
        Err(e) => {
            tracing::error!(%date, error = %e, "daily score snapshot failed");
            false
        }
    }
}

/// Time until one minute past the next UTC midnight.
fn until_next_day() -> Duration {
    let now = Utc::now();
    let next = (now.date_naive() + chrono::Days::new(1))
        .and_hms_opt(0, 1, 0)
        .map(|t| t.and_utc());
    next.and_then(|t| (t - now).to_std().ok())
        .unwrap_or(Duration::from_secs(3600))
}

/// Spawns the daily snapshot task on the current Tokio runtime.
pub fn spawn_daily(pool: DbPool) {
    tokio::spawn(async move {
        loop {
            let p = pool.clone();
            let today = Utc::now().date_naive();
            if let Err(e) = tokio::task::spawn_blocking(move || run_once(&p, today)).await {
                tracing::error!(error = %e, "daily score snapshot task");
            }
            tokio::time::sleep(until_next_day()).await;
        }
    });
}
