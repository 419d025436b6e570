//! With the `postgres` feature the server talks to SQLite or PostgreSQL
//! through one connection enum (`diesel::MultiConnection`), chosen by the
//! database URL. Statements the common dialect lacks (multi-row inserts,
//! `ON CONFLICT`) run on the inner connection through [`per_backend!`].

use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;

/// A connection to either backend. PostgreSQL comes first because SQLite
/// would accept any string as a file name.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    /// PostgreSQL.
    Pg(PgConnection),
    /// SQLite.
    Sqlite(SqliteConnection),
}
