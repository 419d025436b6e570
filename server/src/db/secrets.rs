//! Server secrets stored in the database, so that restarts and several
//! instances share them (e.g. the session signing key).

use diesel::prelude::*;

use super::schema::server_secrets;
use super::{DbConn, DbError};

/// Returns the secret called `name`, storing `generate()` first when there is
/// none. Two instances racing here both end up with the first one stored.
pub fn get_or_create(
    conn: &mut DbConn,
    name: &str,
    generate: impl FnOnce() -> String,
) -> Result<String, DbError> {
    let existing = server_secrets::table
        .filter(server_secrets::name.eq(name))
        .select(server_secrets::value)
        .first::<String>(conn)
        .optional()?;
    if let Some(value) = existing {
        return Ok(value);
    }
    let values = (
        server_secrets::name.eq(name),
        server_secrets::value.eq(generate()),
        server_secrets::created_at.eq(chrono::Utc::now().naive_utc()),
    );
    per_backend!(conn, |c| diesel::insert_into(server_secrets::table)
        .values(values)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(server_secrets::table
        .filter(server_secrets::name.eq(name))
        .select(server_secrets::value)
        .first::<String>(conn)?)
}

/// Replaces (or stores) the secret called `name`.
pub fn set(conn: &mut DbConn, name: &str, value: &str) -> Result<(), DbError> {
    diesel::delete(server_secrets::table.filter(server_secrets::name.eq(name))).execute(conn)?;
    diesel::insert_into(server_secrets::table)
        .values((
            server_secrets::name.eq(name),
            server_secrets::value.eq(value),
            server_secrets::created_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}
