//! Progress of running imports, for the UI's progress bar.
//!
//! The client picks a token and passes it with the upload; while the request
//! runs, `GET /api/v1/imports/progress/{token}` reads the phase and row count
//! from this registry. It lives in the process: with several server
//! instances behind a load balancer the poll may reach another instance and
//! get a 404, and the UI then shows an indeterminate bar instead.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kizuna_shared::api::{ImportPhase, ImportProgress};

/// How long a finished import's progress stays readable.
const KEEP: Duration = Duration::from_secs(300);

/// Progress by client token.
#[derive(Debug, Default)]
pub struct ProgressRegistry {
    entries: Mutex<HashMap<String, (ImportProgress, Instant)>>,
}

impl ProgressRegistry {
    /// Records the progress of `token` (and forgets entries older than five minutes).
    pub fn set(&self, token: &str, phase: ImportPhase, done: u64, total: u64) {
        // A poisoned lock only means another request panicked mid-update;
        // the map itself is still usable.
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        entries.retain(|_, (_, at)| now.duration_since(*at) < KEEP);
        entries.insert(
            token.to_owned(),
            (ImportProgress { phase, done, total }, now),
        );
    }

    /// The progress of `token`, if known.
    pub fn get(&self, token: &str) -> Option<ImportProgress> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(token).map(|(p, _)| p.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_kept_by_token() {
        let registry = ProgressRegistry::default();
        assert!(registry.get("abc").is_none());
        registry.set("abc", ImportPhase::Checking, 10, 100);
        registry.set("abc", ImportPhase::Writing, 20, 100);
        let p = registry.get("abc").unwrap();
        assert_eq!((p.phase, p.done, p.total), (ImportPhase::Writing, 20, 100));
    }
}
