//! Queries on `sessions`: one row per signed-in browser, so that signing out,
//! a password change, a role change or disabling a user ends sessions on
//! every server instance at once. The cookie's token is never stored, only
//! its SHA-256 (see `auth::session`).

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kizuna_shared::api::SessionUser;
use kizuna_shared::domain::Role;

use super::schema::{sessions, users};
use super::users::UserRow;
use super::{DbConn, DbError};

/// `last_seen_at` is written at most this often per session, so that a busy
/// page does not turn every read into a write.
pub const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// How long sessions live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in whatever happens.
    pub absolute: Duration,
}

impl Default for Lifetime {
    fn default() -> Self {
        Lifetime {
            idle: Duration::hours(8),
            absolute: Duration::days(7),
        }
    }
}

/// A session to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession {
    /// Hex SHA-256 of the cookie's token.
    pub token_hash: String,
    /// Who signed in.
    pub user_id: i64,
    /// When (UTC).
    pub created_at: NaiveDateTime,
    /// Last request (UTC); starts at `created_at`.
    pub last_seen_at: NaiveDateTime,
    /// Absolute end (UTC).
    pub expires_at: NaiveDateTime,
    /// Client address at sign-in.
    pub client_addr: Option<String>,
    /// Browser at sign-in (truncated).
    pub user_agent: Option<String>,
}

/// Stores a session and returns its id (call inside the sign-in transaction).
pub fn insert(conn: &mut DbConn, session: &NewSession) -> Result<i64, DbError> {
    Ok(diesel::insert_into(sessions::table)
        .values(session)
        .returning(sessions::id)
        .get_result(conn)?)
}

/// The live session with this token hash and its user: not past its
/// absolute end, not idle for `lifetime.idle`, and of a user who is not
/// disabled. A dead session found here is deleted. `last_seen_at` is
/// written when it is older than [`TOUCH_INTERVAL`].
pub fn find_live(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
    lifetime: Lifetime,
) -> Result<Option<(i64, SessionUser)>, DbError> {
    let found: Option<(
        i64,
        NaiveDateTime,
        NaiveDateTime,
        Option<NaiveDateTime>,
        UserRow,
    )> = sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((
            sessions::id,
            sessions::last_seen_at,
            sessions::expires_at,
            users::disabled_at,
            UserRow::as_select(),
        ))
        .first(conn)
        .optional()?;
    let Some((id, last_seen, expires, disabled, user)) = found else {
        return Ok(None);
    };
    if expires <= now || last_seen + lifetime.idle <= now || disabled.is_some() {
        delete(conn, id)?;
        return Ok(None);
    }
    if now - last_seen >= TOUCH_INTERVAL {
        diesel::update(sessions::table.find(id))
            .set(sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(Some((id, user.into_session_user()?)))
}

/// Of the sessions `ids`, those still live (not past their absolute end,
/// not idle for `lifetime.idle`, of a user who is not disabled) with their
/// user's current role. Reads only: the open event streams ask this to
/// end themselves when their session ends, on every instance.
pub fn live_roles(
    conn: &mut DbConn,
    ids: &[i64],
    now: NaiveDateTime,
    lifetime: Lifetime,
) -> Result<HashMap<i64, Role>, DbError> {
    let mut live = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String)> = sessions::table
            .inner_join(users::table)
            .filter(sessions::id.eq_any(chunk))
            .filter(sessions::expires_at.gt(now))
            .filter(sessions::last_seen_at.gt(now - lifetime.idle))
            .filter(users::disabled_at.is_null())
            .select((sessions::id, users::role))
            .load(conn)?;
        for (id, role) in rows {
            let role = role
                .parse()
                .map_err(|e| DbError::Corrupt(format!("session {id}: {e}")))?;
            live.insert(id, role);
        }
    }
    Ok(live)
}

/// Ends one session.
pub fn delete(conn: &mut DbConn, id: i64) -> Result<usize, DbError> {
    Ok(diesel::delete(sessions::table.find(id)).execute(conn)?)
}

/// Ends every session of a user; returns how many there were.
pub fn delete_for_user(conn: &mut DbConn, user_id: i64) -> Result<usize, DbError> {
    Ok(diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)?)
}

/// Ends every session of everyone (`kizuna rotate-session-key`).
pub fn delete_all(conn: &mut DbConn) -> Result<usize, DbError> {
    Ok(diesel::delete(sessions::table).execute(conn)?)
}

/// Deletes sessions that have ended (run at sign-in, so the table holds
/// roughly the live sessions only).
pub fn delete_dead(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lifetime: Lifetime,
) -> Result<usize, DbError> {
    Ok(diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(now)
                .or(sessions::last_seen_at.le(now - lifetime.idle)),
        ),
    )
    .execute(conn)?)
}

/// The number of live sessions of each of `user_ids`.
pub fn live_counts(
    conn: &mut DbConn,
    user_ids: &[i64],
    now: NaiveDateTime,
    lifetime: Lifetime,
) -> Result<HashMap<i64, u64>, DbError> {
    let rows: Vec<(i64, i64)> = sessions::table
        .filter(sessions::user_id.eq_any(user_ids))
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::last_seen_at.gt(now - lifetime.idle))
        .group_by(sessions::user_id)
        .select((sessions::user_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
        .collect())
}
