//! Change events for live dashboards: the in-process hub every instance
//! runs, fed from the `data_events` table.
//!
//! A write records its event in its own transaction
//! ([`db::events::record`](crate::db::events::record)). Each instance runs a
//! watcher thread that reads the events it has not seen yet, moves the data
//! version forward (which invalidates the KPI fact cache, see `crate::kpi`)
//! and broadcasts them to the open `/api/v1/events` streams. The watcher
//! looks when it is woken and at a steady interval:
//!
//! - **SQLite** (one instance): a handler that wrote calls
//!   [`EventHub::nudge`], so its own events go out at once; the interval
//!   (250 ms) picks up writes of other processes (`kizuna import`).
//! - **PostgreSQL** (several instances): `record` also sends `NOTIFY` on
//!   [`CHANNEL`](crate::db::events::CHANNEL); a listener thread per
//!   instance holds its own connection with `LISTEN` and wakes the watcher,
//!   so an event raised on one instance reaches the dashboards of every
//!   other within a few milliseconds. The interval (5 s) is only a safety
//!   net for a dropped listener connection.
//!
//! The threads hold only a weak reference to the hub and end when the
//! application that owns it is dropped.
//!
//! **A stream lives no longer than its session.** Each open stream is
//! registered with its session and role; the watcher checks them against
//! the `sessions` table (one query for all of this instance's streams)
//! before it broadcasts any event, whenever this instance ended a session
//! ([`EventHub::sessions_changed`]: sign-out, a password change, a user
//! disabled or given another role), and every [`SESSION_CHECK`] otherwise.
//! A stream whose session ended or whose user's role changed is closed
//! before another event reaches it — whichever instance ended the session,
//! since the check reads the shared table.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

use kizuna_shared::api::ChangeEvent;
use kizuna_shared::domain::Role;
use tokio::sync::{broadcast, oneshot};

use crate::db::sessions::Lifetime;
use crate::db::{self, DbPool};

/// How often open streams' sessions are checked when nothing else
/// prompts it (another instance ended a session, or one timed out).
pub const SESSION_CHECK: Duration = Duration::from_secs(5);

/// Events a slow stream may fall behind by before it is told to reload.
const CAPACITY: usize = 256;

/// Events read per look at the table.
const BATCH: i64 = 500;

/// The hub of one server instance.
pub struct EventHub {
    tx: broadcast::Sender<ChangeEvent>,
    version: AtomicI64,
    wake: (Mutex<bool>, Condvar),
    /// The open streams of this instance, by stream number.
    streams: Mutex<HashMap<u64, OpenStream>>,
    next_stream: AtomicU64,
    /// Set when this instance ended a session: check the streams now.
    sessions_changed: AtomicBool,
    lifetime: Lifetime,
}

/// An open stream's session; dropping `close` ends the stream.
struct OpenStream {
    session_id: i64,
    role: Role,
    /// Never read: dropping it is what ends the stream.
    _close: oneshot::Sender<()>,
}

/// An open stream's place in the hub: dropped with the stream (the client
/// went away or the stream timed out), it unregisters it.
pub struct StreamTicket {
    hub: Weak<EventHub>,
    id: u64,
}

impl Drop for StreamTicket {
    fn drop(&mut self) {
        if let Some(hub) = self.hub.upgrade() {
            if let Ok(mut streams) = hub.streams.lock() {
                streams.remove(&self.id);
            }
        }
    }
}

impl std::fmt::Debug for EventHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventHub")
            .field("version", &self.version())
            .finish_non_exhaustive()
    }
}

impl EventHub {
    /// Starts the hub of an instance on `pool` (and, for PostgreSQL, a
    /// `LISTEN` connection to `database_url`). The version starts at the
    /// latest event in the database.
    pub fn start(
        pool: DbPool,
        database_url: &str,
        lifetime: Lifetime,
    ) -> anyhow::Result<Arc<Self>> {
        let mut conn = pool.get()?;
        let version = db::events::latest_id(&mut conn)?;
        drop(conn);
        let (tx, _) = broadcast::channel(CAPACITY);
        let hub = Arc::new(EventHub {
            tx,
            version: AtomicI64::new(version),
            wake: (Mutex::new(false), Condvar::new()),
            streams: Mutex::new(HashMap::new()),
            next_stream: AtomicU64::new(0),
            sessions_changed: AtomicBool::new(false),
            lifetime,
        });
        let interval = match db::DatabaseUrl::parse(database_url) {
            db::DatabaseUrl::Sqlite(_) => Duration::from_millis(250),
            db::DatabaseUrl::Postgres(url) => {
                #[cfg(feature = "postgres")]
                listen::spawn(Arc::downgrade(&hub), url)?;
                #[cfg(not(feature = "postgres"))]
                let _ = url;
                Duration::from_secs(5)
            }
        };
        let weak = Arc::downgrade(&hub);
        std::thread::Builder::new()
            .name("kizuna-events".into())
            .spawn(move || watch(&weak, &pool, interval))?;
        Ok(hub)
    }

    /// The data version: the id of the latest event this instance has seen.
    pub fn version(&self) -> i64 {
        self.version.load(Ordering::Acquire)
    }

    /// A receiver of the events broadcast from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.tx.subscribe()
    }

    /// Registers a stream of session `session_id` whose user has `role`:
    /// the ticket unregisters it when dropped (keep it with the stream),
    /// and the receiver resolves when the stream must end because the
    /// session ended or the role changed.
    pub fn register(
        self: &Arc<Self>,
        session_id: i64,
        role: Role,
    ) -> (StreamTicket, oneshot::Receiver<()>) {
        let (close, closed) = oneshot::channel();
        let id = self.next_stream.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut streams) = self.streams.lock() {
            streams.insert(
                id,
                OpenStream {
                    session_id,
                    role,
                    _close: close,
                },
            );
        }
        let ticket = StreamTicket {
            hub: Arc::downgrade(self),
            id,
        };
        (ticket, closed)
    }

    /// This instance ended one or more sessions (sign-out, a password
    /// change, a user disabled or given another role): the watcher checks
    /// the open streams at once.
    pub fn sessions_changed(&self) {
        self.sessions_changed.store(true, Ordering::Release);
        self.nudge();
    }

    /// The number of open streams of this instance.
    pub fn open_streams(&self) -> usize {
        self.streams.lock().map_or(0, |s| s.len())
    }

    /// Closes the streams whose session is no longer live or whose user's
    /// role changed (one query for every open stream of this instance).
    fn check_sessions(&self, conn: &mut db::DbConn) -> Result<(), db::DbError> {
        self.sessions_changed.store(false, Ordering::Release);
        let ids: Vec<i64> = match self.streams.lock() {
            Ok(streams) if !streams.is_empty() => {
                let mut ids: Vec<i64> = streams.values().map(|s| s.session_id).collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            }
            _ => return Ok(()),
        };
        let now = chrono::Utc::now().naive_utc();
        let live = db::sessions::live_roles(conn, &ids, now, self.lifetime)?;
        if let Ok(mut streams) = self.streams.lock() {
            // Removing an entry drops its `close` sender, which ends the stream.
            streams.retain(|_, s| live.get(&s.session_id) == Some(&s.role));
        }
        Ok(())
    }

    /// Makes the watcher look at the table now (after a committed write).
    pub fn nudge(&self) {
        if let Ok(mut flag) = self.wake.0.lock() {
            *flag = true;
            self.wake.1.notify_one();
        }
    }

    /// Waits until nudged or `timeout` passed; whether it was nudged.
    fn wait(&self, timeout: Duration) -> bool {
        let Ok(flag) = self.wake.0.lock() else {
            return false;
        };
        match self.wake.1.wait_timeout_while(flag, timeout, |f| !*f) {
            Ok((mut flag, _)) => std::mem::take(&mut *flag),
            Err(_) => false,
        }
    }

    /// Reads and broadcasts the events after the current version; the
    /// open streams' sessions are checked before any event goes out.
    fn catch_up(&self, pool: &DbPool) -> Result<(), db::DbError> {
        let mut conn = pool.get()?;
        if self.sessions_changed.load(Ordering::Acquire) {
            self.check_sessions(&mut conn)?;
        }
        loop {
            let events = db::events::since(&mut conn, self.version(), BATCH)?;
            let full = events.len() as i64 == BATCH;
            if !events.is_empty() {
                self.check_sessions(&mut conn)?;
            }
            for event in events {
                // The version moves first: a stream that is told its
                // starting version never misses an event above it.
                self.version.fetch_max(event.id, Ordering::AcqRel);
                // No receivers is fine: nobody is watching.
                let _ = self.tx.send(event);
            }
            if !full {
                return Ok(());
            }
        }
    }
}

/// The watcher loop of one hub (see the module documentation).
fn watch(hub: &Weak<EventHub>, pool: &DbPool, interval: Duration) {
    // Waits are sliced so that a dropped hub ends the thread soon.
    let slice = interval.min(Duration::from_millis(250));
    let mut since_look = interval;
    let mut sessions_checked = Instant::now();
    loop {
        let Some(strong) = hub.upgrade() else {
            return;
        };
        if sessions_checked.elapsed() >= SESSION_CHECK {
            strong.sessions_changed.store(true, Ordering::Release);
            since_look = interval;
        }
        if since_look >= interval {
            if strong.sessions_changed.load(Ordering::Acquire) {
                sessions_checked = Instant::now();
            }
            if let Err(err) = strong.catch_up(pool) {
                tracing::warn!(error = %err, "reading change events failed; retrying");
            }
            since_look = Duration::ZERO;
        }
        if strong.wait(slice) {
            since_look = interval;
        } else {
            since_look += slice;
        }
    }
}

#[cfg(feature = "postgres")]
mod listen {
    //! The `LISTEN` side on PostgreSQL: a dedicated connection (a pooled one
    //! would hand its registrations to unrelated requests) that wakes the
    //! watcher on every notification.

    use std::sync::Weak;
    use std::time::Duration;

    use super::EventHub;
    use crate::db::events::Listener;

    /// How often the connection is asked for notifications: a non-blocking
    /// read of the socket, not a query.
    const POLL: Duration = Duration::from_millis(20);

    pub(super) fn spawn(hub: Weak<EventHub>, url: String) -> anyhow::Result<()> {
        std::thread::Builder::new()
            .name("kizuna-listen".into())
            .spawn(move || run(&hub, &url))?;
        Ok(())
    }

    fn run(hub: &Weak<EventHub>, url: &str) {
        while hub.strong_count() > 0 {
            match Listener::connect(url) {
                Ok(mut listener) => {
                    // Anything committed while the listener was away.
                    if let Some(h) = hub.upgrade() {
                        h.nudge();
                    }
                    if let Err(err) = listen(hub, &mut listener) {
                        tracing::warn!(error = %err, "event listener connection lost; reconnecting");
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "event listener cannot connect; retrying");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
    }

    fn listen(hub: &Weak<EventHub>, listener: &mut Listener) -> diesel::QueryResult<()> {
        let mut idle = Duration::ZERO;
        loop {
            let woke = listener.notified()?;
            let Some(h) = hub.upgrade() else {
                return Ok(());
            };
            if woke {
                h.nudge();
            }
            drop(h);
            std::thread::sleep(POLL);
            idle += POLL;
            // A query now and then notices a connection the server closed.
            if idle >= Duration::from_secs(30) {
                listener.ping()?;
                idle = Duration::ZERO;
            }
        }
    }
}
