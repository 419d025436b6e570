//! Database access: the connection pool, embedded migrations and one module
//! of queries per area. All SQL of the server lives below this module.

/// Runs `$body` with `$c` bound to the backend-specific inner connection, for
/// statements that only the concrete backends support (e.g. multi-row inserts).
macro_rules! per_backend {
    ($conn:expr, |$c:ident| $body:expr) => {{
        #[cfg(feature = "postgres")]
        {
            match $conn {
                $crate::db::multi::DbConnection::Sqlite($c) => $body,
                $crate::db::multi::DbConnection::Pg($c) => $body,
            }
        }
        #[cfg(not(feature = "postgres"))]
        {
            let $c = &mut *$conn;
            $body
        }
    }};
}

pub mod accounts;
pub mod audit;
pub mod bulk;
pub mod contacts;
pub mod duplicates;
pub mod events;
pub mod history;
pub mod imports;
pub mod kpi;
pub mod models;
#[cfg(feature = "postgres")]
pub mod multi;
pub mod paging;
pub mod refs;
pub mod revenue;
pub mod schema;
pub mod scoring;
pub mod secrets;
pub mod sessions;
pub mod sheets;
pub mod signals;
pub mod surveys;
pub mod tasks;
pub mod templates;
pub mod users;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use kizuna_shared::api::ProblemCode;

/// The connection type the queries run on: SQLite, or with the `postgres`
/// feature an enum over SQLite and PostgreSQL.
#[cfg(not(feature = "postgres"))]
pub type DbConn = SqliteConnection;

/// The connection type the queries run on: SQLite, or with the `postgres`
/// feature an enum over SQLite and PostgreSQL.
#[cfg(feature = "postgres")]
pub type DbConn = multi::DbConnection;

/// The backend of [`DbConn`], for boxed queries.
pub type DbBackend = <DbConn as diesel::Connection>::Backend;

/// A pool of database connections, cheap to clone.
pub type DbPool = Pool<ConnectionManager<DbConn>>;

/// A connection checked out of the pool.
pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

/// The SQLite migrations, compiled into the binary.
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// The PostgreSQL migrations (same names as the SQLite ones).
#[cfg(feature = "postgres")]
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Errors of the database layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The asking user may not do this to this record (an ownership rule
    /// of `kizuna_shared::domain`, checked inside the write transaction by
    /// [`authorize`]).
    #[error("forbidden")]
    Forbidden,
    /// A unique key or version check failed; the code names which kind of
    /// conflict (a 409 code), the sentence says what happened in words
    /// that never quote the database.
    #[error("{1}")]
    Conflict(ProblemCode, String),
    /// The input refers to something that does not fit the stored data
    /// (e.g. an owner id that is no user); one entry per field.
    #[error("invalid input")]
    Invalid(Vec<kizuna_shared::api::FieldError>),
    /// A stored value could not be read back (e.g. an unknown enum name).
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// No connection could be obtained from the pool.
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    /// Disabling or demoting this user would leave no active admin.
    #[error("{0}")]
    LastAdmin(String),
    /// Any other diesel error.
    #[error("database: {0}")]
    Diesel(diesel::result::Error),
}

impl From<diesel::result::Error> for DbError {
    /// A constraint that a concurrent write broke between a check and the
    /// write (the checks run first, so only a race gets here) becomes a
    /// conflict with a code; the database's own message, which names
    /// tables and columns, is logged and never answered.
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => DbError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::info!(constraint = %constraint_of(info.as_ref()), "unique key taken by a concurrent write");
                let (code, message) = unique_conflict(info.as_ref());
                DbError::Conflict(code, message.to_owned())
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                tracing::info!(constraint = %constraint_of(info.as_ref()), "a referenced row was removed by a concurrent write");
                DbError::Conflict(
                    ProblemCode::ReferenceGone,
                    "Something this change refers to was removed meanwhile; reload and try again."
                        .to_owned(),
                )
            }
            other => DbError::Diesel(other),
        }
    }
}

/// The constraint a database error names, for the log: PostgreSQL's
/// constraint name, else the message (SQLite: `UNIQUE constraint failed:
/// users.email`).
fn constraint_of(info: &(dyn diesel::result::DatabaseErrorInformation + Send + Sync)) -> String {
    info.constraint_name()
        .map_or_else(|| info.message().to_owned(), str::to_owned)
}

/// The conflict a unique-key violation means, from the table and column
/// (or PostgreSQL constraint) it names.
fn unique_conflict(
    info: &(dyn diesel::result::DatabaseErrorInformation + Send + Sync),
) -> (ProblemCode, &'static str) {
    let named = format!(
        "{} {} {}",
        info.table_name().unwrap_or_default(),
        info.constraint_name().unwrap_or_default(),
        info.message()
    );
    if named.contains("users") && named.contains("email") {
        (
            ProblemCode::EmailTaken,
            "A user with this e-mail address already exists.",
        )
    } else if named.contains("signal_definitions") {
        (
            ProblemCode::SignalKeyTaken,
            "A signal with this key exists already.",
        )
    } else if named.contains("survey_responses") {
        (
            ProblemCode::AlreadyAnswered,
            "This link was already answered.",
        )
    } else {
        (
            ProblemCode::Duplicate,
            "This exists already (it was just created by someone else); reload and try again.",
        )
    }
}

/// Fails with [`DbError::Forbidden`] unless `rule` (a
/// `kizuna_shared::domain` predicate) allows the signed-in user who acts.
/// The command line (`kizuna demo`, tests' fixtures) acts with the
/// authority of whoever runs it on the server and is let through; an
/// anonymous actor never is. Call it inside the write transaction, after
/// reading the records the rule looks at, so the check still holds when
/// the change is written.
pub fn authorize(
    actor: &audit::Actor,
    rule: impl FnOnce(kizuna_shared::domain::Principal) -> bool,
) -> Result<(), DbError> {
    match actor.principal() {
        Some(who) if rule(who) => Ok(()),
        None if actor.is_command_line() => Ok(()),
        _ => Err(DbError::Forbidden),
    }
}

/// One SQLite write transaction of this process at a time.
///
/// Without it, concurrent `BEGIN IMMEDIATE`s that find the write lock taken
/// wait in SQLite's busy handler, which sleeps in growing steps (1, 2, 5,
/// 10, … 100 ms) and does not wake when the lock is released: a writer that
/// waited behind a 1 ms transaction could sleep 25–50 ms, which was the p99
/// of public survey answers under 32 clients (BENCHMARKS.md, "Load
/// driver"). Queued on this mutex, the next writer starts as soon as the
/// previous one commits. It is process-wide (not per database file): a
/// process serves one database, and tests that open several only queue
/// their writes. After [`WRITE_GATE_WAIT`] a writer goes ahead without it,
/// so a long writer (an import) or one nested on a second connection makes
/// the others fall back on the busy timeout as before, never deadlock.
/// Other processes (the CLI) are still ordered by SQLite's lock alone.
static SQLITE_WRITE_GATE: parking_lot::Mutex<()> = parking_lot::Mutex::new(());

/// How long a writer queues on [`SQLITE_WRITE_GATE`] before it goes ahead
/// on SQLite's busy timeout alone (the same 5 s as that timeout).
const WRITE_GATE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs `f` in a transaction that writes: on SQLite `BEGIN IMMEDIATE`, which
/// takes the write lock before the first read, so a read-check-then-write
/// can never fail with `SQLITE_BUSY_SNAPSHOT` (a deferred transaction that
/// read before another writer committed cannot upgrade to a writer, and
/// the busy timeout does not help it); concurrent writers wait their turn
/// instead. On PostgreSQL a normal transaction (checks that must hold at
/// the write use `WHERE version = ?` or `SELECT … FOR UPDATE`). Inside an
/// open transaction it is a savepoint, like `Connection::transaction`.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    use diesel::Connection;
    #[cfg(feature = "postgres")]
    if matches!(conn, multi::DbConnection::Pg(_)) {
        return conn.transaction(f);
    }
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .map_err(E::from)?;
    if depth.is_some() {
        return conn.transaction(f);
    }
    // Held until the commit or rollback below (see `SQLITE_WRITE_GATE`).
    let _gate = SQLITE_WRITE_GATE.try_lock_for(WRITE_GATE_WAIT);
    on_sqlite(conn, |c| {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
    })?;
    match f(conn) {
        Ok(value) => {
            on_sqlite(conn, AnsiTransactionManager::commit_transaction)?;
            Ok(value)
        }
        Err(e) => {
            on_sqlite(conn, AnsiTransactionManager::rollback_transaction)?;
            Err(e)
        }
    }
}

/// Runs `op` on the SQLite connection inside `conn` (see [`write_tx`]).
fn on_sqlite(
    conn: &mut DbConn,
    op: impl FnOnce(&mut SqliteConnection) -> diesel::QueryResult<()>,
) -> diesel::QueryResult<()> {
    #[cfg(feature = "postgres")]
    match conn {
        multi::DbConnection::Sqlite(c) => op(c),
        multi::DbConnection::Pg(_) => Err(diesel::result::Error::BrokenTransactionManager),
    }
    #[cfg(not(feature = "postgres"))]
    op(conn)
}

/// Locks the rows of these accounts until the transaction ends (PostgreSQL
/// `SELECT … FOR UPDATE`, in id order so two transactions cannot deadlock;
/// on SQLite the [`write_tx`] already holds the write lock) and returns the
/// ids that exist. Read-check-then-write paths (merge, contact and champion
/// changes) call it first so their checks still hold when they write.
pub fn lock_accounts(conn: &mut DbConn, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    use diesel::prelude::*;
    use schema::accounts;
    let query = accounts::table
        .filter(accounts::id.eq_any(ids.to_vec()))
        .order_by(accounts::id.asc())
        .select(accounts::id);
    #[cfg(feature = "postgres")]
    if let multi::DbConnection::Pg(pg) = conn {
        return Ok(query.for_update().load(pg)?);
    }
    Ok(query.load(conn)?)
}

/// A trivial query: whether the database answers.
pub fn ping(conn: &mut DbConn) -> Result<(), DbError> {
    conn.batch_execute("SELECT 1")?;
    Ok(())
}

/// Where the database lives, parsed from `--database-url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (needs the `postgres` feature).
    Postgres(String),
}

impl DatabaseUrl {
    /// Parses `sqlite://path`, `sqlite:path`, `postgres://…` or a plain file path.
    pub fn parse(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return DatabaseUrl::Postgres(url.to_owned());
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        DatabaseUrl::Sqlite(PathBuf::from(path))
    }
}

/// Sets the pragmas every SQLite connection needs: write-ahead logging so
/// readers do not block the writer, foreign keys, and a busy timeout so
/// concurrent writers wait instead of failing.
#[derive(Debug, Clone, Copy)]
pub struct SqliteCustomizer;

/// The pragmas of [`SqliteCustomizer`].
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqliteCustomizer {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(SQLITE_PRAGMAS)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[cfg(feature = "postgres")]
impl CustomizeConnection<multi::DbConnection, diesel::r2d2::Error> for SqliteCustomizer {
    fn on_acquire(&self, conn: &mut multi::DbConnection) -> Result<(), diesel::r2d2::Error> {
        match conn {
            multi::DbConnection::Sqlite(conn) => self.on_acquire(conn),
            multi::DbConnection::Pg(_) => Ok(()),
        }
    }
}

/// Opens a pool on `url`, creating the SQLite file's directory when needed.
pub fn connect_with(url: &str, options: PoolOptions) -> anyhow::Result<DbPool> {
    match DatabaseUrl::parse(url) {
        DatabaseUrl::Sqlite(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating database directory {}", parent.display()))?;
            }
            build_pool(&path.to_string_lossy(), options)
                .with_context(|| format!("opening SQLite database {}", path.display()))
        }
        #[cfg(feature = "postgres")]
        DatabaseUrl::Postgres(url) => build_pool(&url, options).context("connecting to PostgreSQL"),
        #[cfg(not(feature = "postgres"))]
        DatabaseUrl::Postgres(_) => anyhow::bail!(
            "this build has no PostgreSQL support: rebuild with `--features postgres` \
             or use a SQLite path (e.g. data/kizuna.db)"
        ),
    }
}

/// Size of the connection pool and how long a request waits for a
/// connection before failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// Connections kept open.
    pub max_size: u32,
    /// Longest wait for a free connection.
    pub timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 8,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Opens a pool on `url` with the default pool size.
pub fn connect(url: &str) -> anyhow::Result<DbPool> {
    connect_with(url, PoolOptions::default())
}

fn build_pool(url: &str, options: PoolOptions) -> anyhow::Result<DbPool> {
    let manager = ConnectionManager::<DbConn>::new(url);
    Ok(Pool::builder()
        .max_size(options.max_size)
        .connection_timeout(options.timeout)
        .connection_customizer(Box::new(SqliteCustomizer))
        .build(manager)?)
}

/// Runs every pending migration and returns the names of those applied;
/// then fills the data the SQL migrations cannot compute (the external id
/// keys, see [`accounts::fill_external_id_keys`]).
pub fn migrate(pool: &DbPool) -> anyhow::Result<Vec<String>> {
    let mut conn = pool.get().context("getting a database connection")?;
    let applied =
        run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("running migrations: {e}"))?;
    accounts::fill_external_id_keys(&mut conn).context("filling external id keys")?;
    Ok(applied)
}

type MigrationResult = Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>>;

#[cfg(not(feature = "postgres"))]
fn run_migrations(conn: &mut DbConn) -> MigrationResult {
    let applied = conn.run_pending_migrations(SQLITE_MIGRATIONS)?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

#[cfg(feature = "postgres")]
fn run_migrations(conn: &mut DbConn) -> MigrationResult {
    let applied = match conn {
        multi::DbConnection::Sqlite(conn) => conn.run_pending_migrations(SQLITE_MIGRATIONS)?,
        multi::DbConnection::Pg(conn) => conn.run_pending_migrations(POSTGRES_MIGRATIONS)?,
    };
    Ok(applied.iter().map(ToString::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::Connection;

    #[test]
    fn database_urls_accept_sqlite_prefixes_and_plain_paths() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/k.db"),
            DatabaseUrl::Sqlite("data/k.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("data/k.db"),
            DatabaseUrl::Sqlite("data/k.db".into())
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://u@h/db"),
            DatabaseUrl::Postgres(_)
        ));
    }

    #[test]
    fn migrations_apply_and_revert_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let pool = connect(dir.path().join("t.db").to_str().unwrap()).unwrap();
        // Every embedded migration applies (counted from the embedded list, so
        // a new migration does not need this test edited).
        let embedded = diesel::migration::MigrationSource::<diesel::sqlite::Sqlite>::migrations(
            &SQLITE_MIGRATIONS,
        )
        .unwrap()
        .len();
        assert!(embedded >= 4);
        assert_eq!(migrate(&pool).unwrap().len(), embedded);
        let mut conn =
            SqliteConnection::establish(dir.path().join("t.db").to_str().unwrap()).unwrap();
        conn.revert_all_migrations(SQLITE_MIGRATIONS).unwrap();
        conn.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
    }
}
