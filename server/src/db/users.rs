//! Queries on `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kizuna_shared::api::ProblemCode;
use kizuna_shared::api::{
    AuditKind, AuditTarget, Email, Page, SessionUser, UpdateUser, UserAccount, UserQuery,
    UserSummary,
};
use kizuna_shared::domain::{Capability, Role};

use super::accounts::{like_pattern, lower};
use super::audit::{self, Actor, Event};
use super::schema::users;
use super::sessions::{self, Lifetime};
use super::{write_tx, DbBackend, DbConn, DbError};

/// A user row without the password hash.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    /// User id.
    pub id: i64,
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role name.
    pub role: String,
}

impl UserRow {
    fn role(&self) -> Result<Role, DbError> {
        self.role
            .parse()
            .map_err(|e| DbError::Corrupt(format!("user {}: {e}", self.id)))
    }

    /// The row as the API's summary.
    pub fn into_summary(self) -> Result<UserSummary, DbError> {
        let role = self.role()?;
        Ok(UserSummary {
            id: self.id,
            name: self.name,
            email: self.email,
            role,
        })
    }

    /// The row as the signed-in user.
    pub fn into_session_user(self) -> Result<SessionUser, DbError> {
        let role = self.role()?;
        Ok(SessionUser {
            id: self.id,
            email: self.email,
            name: self.name,
            role,
        })
    }
}

/// A user to insert; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// E-mail address (normalised by `Email::parse`).
    pub email: Email,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Inserts a user; a duplicate e-mail is a [`DbError::Conflict`].
pub fn insert(conn: &mut DbConn, user: &NewUser) -> Result<UserSummary, DbError> {
    let values = (
        users::email.eq(user.email.as_str()),
        users::name.eq(user.name.trim()),
        users::role.eq(user.role.as_str()),
        users::password_hash.eq(&user.password_hash),
        users::created_at.eq(chrono::Utc::now().naive_utc()),
    );
    let row = per_backend!(conn, |c| diesel::insert_into(users::table)
        .values(values)
        .returning(UserRow::as_returning())
        .get_result::<UserRow>(c))
    .map_err(|e| match DbError::from(e) {
        DbError::Conflict(..) => DbError::Conflict(
            ProblemCode::EmailTaken,
            "A user with this e-mail address already exists.".into(),
        ),
        other => other,
    })?;
    row.into_summary()
}

/// The user with this id, if any.
pub fn find_by_id(conn: &mut DbConn, id: i64) -> Result<Option<SessionUser>, DbError> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(UserRow::into_session_user)
        .transpose()
}

/// The user with this e-mail and their password hash, for signing in.
pub fn find_credentials(
    conn: &mut DbConn,
    email: &Email,
) -> Result<Option<(SessionUser, String)>, DbError> {
    let found = users::table
        .filter(users::email.eq(email.as_str()))
        .select((UserRow::as_select(), users::password_hash))
        .first::<(UserRow, String)>(conn)
        .optional()?;
    match found {
        Some((row, hash)) => Ok(Some((row.into_session_user()?, hash))),
        None => Ok(None),
    }
}

/// Every user, by name.
pub fn list_all(conn: &mut DbConn) -> Result<Vec<UserSummary>, DbError> {
    users::table
        .order_by((users::name.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(UserRow::into_summary)
        .collect()
}

/// The names of the roles that have `capability` (for a `role IN (…)`
/// filter that follows the shared role table).
fn roles_with(capability: Capability) -> Vec<&'static str> {
    Role::ALL
        .iter()
        .filter(|r| r.may(capability))
        .map(|r| r.as_str())
        .collect()
}

/// Users who can own accounts ([`Capability::OwnAccounts`]) and are not
/// disabled, by name.
pub fn list_owners(conn: &mut DbConn) -> Result<Vec<UserSummary>, DbError> {
    let roles = roles_with(Capability::OwnAccounts);
    users::table
        .filter(users::role.eq_any(roles))
        .filter(users::disabled_at.is_null())
        .order_by((users::name.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .load(conn)?
        .into_iter()
        .map(UserRow::into_summary)
        .collect()
}

/// Ids of the users with this role, in id order.
pub fn ids_with_role(conn: &mut DbConn, role: Role) -> Result<Vec<i64>, DbError> {
    Ok(users::table
        .filter(users::role.eq(role.as_str()))
        .order_by(users::id.asc())
        .select(users::id)
        .load(conn)?)
}

/// The id of the user with this e-mail, if any.
pub fn id_by_email(conn: &mut DbConn, email: &Email) -> Result<Option<i64>, DbError> {
    Ok(users::table
        .filter(users::email.eq(email.as_str()))
        .select(users::id)
        .first(conn)
        .optional()?)
}

/// How many users exist.
pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(conn)?)
}

/// A user row as admins see it (everything but the password hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
struct AdminRow {
    id: i64,
    email: String,
    name: String,
    role: String,
    created_at: NaiveDateTime,
    disabled_at: Option<NaiveDateTime>,
    last_sign_in_at: Option<NaiveDateTime>,
    password_changed_at: Option<NaiveDateTime>,
}

impl AdminRow {
    fn role(&self) -> Result<Role, DbError> {
        self.role
            .parse()
            .map_err(|e| DbError::Corrupt(format!("user {}: {e}", self.id)))
    }

    fn into_account(self, active_sessions: u64) -> Result<UserAccount, DbError> {
        let role = self.role()?;
        Ok(UserAccount {
            id: self.id,
            name: self.name,
            email: self.email,
            role,
            disabled: self.disabled_at.is_some(),
            created_at: self.created_at.and_utc(),
            last_sign_in_at: self.last_sign_in_at.map(|t| t.and_utc()),
            password_changed_at: self.password_changed_at.map(|t| t.and_utc()),
            active_sessions,
        })
    }
}

/// The users matching `q` (name or e-mail search, role, disabled or not).
fn filtered<'a>(q: &UserQuery) -> users::BoxedQuery<'a, DbBackend> {
    let mut query = users::table.into_boxed::<DbBackend>();
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = like_pattern(&text.to_lowercase());
        query = query.filter(
            lower(users::name.nullable())
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::email.nullable()).like(pattern).escape('\\')),
        );
    }
    if let Some(role) = q.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    match q.disabled {
        Some(true) => query = query.filter(users::disabled_at.is_not_null()),
        Some(false) => query = query.filter(users::disabled_at.is_null()),
        None => {}
    }
    query
}

/// One page of users for the admin list, by name, with their live session
/// counts.
pub fn list_page(
    conn: &mut DbConn,
    q: &UserQuery,
    now: NaiveDateTime,
    lifetime: Lifetime,
) -> Result<Page<UserAccount>, DbError> {
    let paging = super::paging::Paging::new(q.page, q.per_page);
    let total: i64 = filtered(q).count().get_result(conn)?;
    let rows = filtered(q)
        .order_by((users::name.asc(), users::id.asc()))
        .limit(paging.limit())
        .offset(paging.offset())
        .select(AdminRow::as_select())
        .load::<AdminRow>(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts = sessions::live_counts(conn, &ids, now, lifetime)?;
    let items = rows
        .into_iter()
        .map(|r| {
            let n = counts.get(&r.id).copied().unwrap_or(0);
            r.into_account(n)
        })
        .collect::<Result<_, _>>()?;
    Ok(paging.envelope(items, total))
}

/// One user as admins see it; not found when there is no such user.
pub fn account(
    conn: &mut DbConn,
    id: i64,
    now: NaiveDateTime,
    lifetime: Lifetime,
) -> Result<UserAccount, DbError> {
    let row = users::table
        .find(id)
        .select(AdminRow::as_select())
        .first::<AdminRow>(conn)?;
    let n = sessions::live_counts(conn, &[id], now, lifetime)?
        .get(&id)
        .copied()
        .unwrap_or(0);
    row.into_account(n)
}

/// What signing in needs to know about an e-mail address.
#[derive(Debug, Clone)]
pub struct Login {
    /// The user.
    pub user: SessionUser,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Whether the user is disabled.
    pub disabled: bool,
}

/// The sign-in record of this e-mail, if there is such a user.
pub fn find_login(conn: &mut DbConn, email: &Email) -> Result<Option<Login>, DbError> {
    let found = users::table
        .filter(users::email.eq(email.as_str()))
        .select((
            UserRow::as_select(),
            users::password_hash,
            users::disabled_at,
        ))
        .first::<(UserRow, String, Option<NaiveDateTime>)>(conn)
        .optional()?;
    match found {
        Some((row, password_hash, disabled_at)) => Ok(Some(Login {
            user: row.into_session_user()?,
            password_hash,
            disabled: disabled_at.is_some(),
        })),
        None => Ok(None),
    }
}

/// The password hash of user `id` (for a password change).
pub fn password_hash(conn: &mut DbConn, id: i64) -> Result<String, DbError> {
    Ok(users::table
        .find(id)
        .select(users::password_hash)
        .first(conn)?)
}

/// Records a successful sign-in time.
pub fn record_sign_in(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set(users::last_sign_in_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

/// Creates a user and records it in the audit log, in one transaction.
pub fn create(conn: &mut DbConn, user: &NewUser, actor: &Actor) -> Result<UserSummary, DbError> {
    write_tx(conn, |conn| {
        let created = insert(conn, user)?;
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::UserCreated,
                format!(
                    "Created {} <{}> as {}.",
                    created.name, created.email, created.role
                ),
            )
            .target(AuditTarget::User, Some(created.id), created.email.clone()),
        )?;
        Ok(created)
    })
}

/// Ids of the active (not disabled) admins — the users who may administer
/// users ([`Capability::AdministerUsers`]); on PostgreSQL their rows are
/// locked until the transaction ends, so two admins demoting each other at
/// once cannot both pass the last-admin check.
fn lock_active_admins(conn: &mut DbConn) -> Result<Vec<i64>, DbError> {
    let query = users::table
        .filter(users::role.eq_any(roles_with(Capability::AdministerUsers)))
        .filter(users::disabled_at.is_null())
        .select(users::id);
    #[cfg(feature = "postgres")]
    if let super::multi::DbConnection::Pg(pg) = conn {
        return Ok(query.for_update().load(pg)?);
    }
    Ok(query.load(conn)?)
}

/// Changes a user's name, role or disabled state as `patch` says (admins),
/// in one transaction: the last active admin cannot be demoted or disabled
/// ([`DbError::LastAdmin`]); a role change or disabling ends every session
/// of the user; each change is audited.
pub fn update(
    conn: &mut DbConn,
    id: i64,
    patch: &UpdateUser,
    actor: &Actor,
) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        let admins = lock_active_admins(conn)?;
        let row = users::table
            .find(id)
            .select(AdminRow::as_select())
            .first::<AdminRow>(conn)?;
        let old_role = row.role()?;
        let new_role = patch.role.unwrap_or(old_role);
        let was_disabled = row.disabled_at.is_some();
        let disable = patch.disabled.unwrap_or(was_disabled);
        let administers = |role: Role| role.may(Capability::AdministerUsers);
        let is_active_admin = administers(old_role) && !was_disabled;
        if is_active_admin
            && (!administers(new_role) || disable)
            && !admins.iter().any(|&a| a != id)
        {
            return Err(DbError::LastAdmin(format!(
                "{} is the last active admin; make someone else an admin first.",
                row.name
            )));
        }
        let now = chrono::Utc::now().naive_utc();
        let label = row.email.clone();
        let target = |e: Event| e.target(AuditTarget::User, Some(id), label.clone());

        if let Some(name) = patch.name.as_deref().map(str::trim) {
            if name != row.name {
                diesel::update(users::table.find(id))
                    .set(users::name.eq(name))
                    .execute(conn)?;
                audit::record(
                    conn,
                    actor,
                    target(Event::new(
                        AuditKind::UserChanged,
                        format!("Renamed {} to {name}.", row.name),
                    ))
                    .changes(
                        audit::change("name", Some(&row.name), Some(&name.to_owned()))
                            .into_iter()
                            .collect(),
                    ),
                )?;
            }
        }
        let mut end_sessions = false;
        if new_role != old_role {
            diesel::update(users::table.find(id))
                .set(users::role.eq(new_role.as_str()))
                .execute(conn)?;
            end_sessions = true;
            audit::record(
                conn,
                actor,
                target(Event::new(
                    AuditKind::RoleChanged,
                    format!(
                        "Changed the role of {} from {old_role} to {new_role}.",
                        row.name
                    ),
                ))
                .changes(
                    audit::change("role", Some(&old_role), Some(&new_role))
                        .into_iter()
                        .collect(),
                ),
            )?;
        }
        if disable != was_disabled {
            diesel::update(users::table.find(id))
                .set(users::disabled_at.eq(disable.then_some(now)))
                .execute(conn)?;
            let (kind, verb) = if disable {
                end_sessions = true;
                (AuditKind::UserDisabled, "Disabled")
            } else {
                (AuditKind::UserEnabled, "Enabled")
            };
            audit::record(
                conn,
                actor,
                target(Event::new(kind, format!("{verb} {}.", row.name))).changes(
                    audit::change("disabled", Some(&was_disabled), Some(&disable))
                        .into_iter()
                        .collect(),
                ),
            )?;
        }
        if end_sessions {
            sessions::delete_for_user(conn, id)?;
        }
        Ok(())
    })
}

/// Replaces user `id`'s password hash, ends every session of the user and
/// records `kind` (`password_changed` or `password_reset`); call inside
/// [`write_tx`] when the caller writes more (a fresh session).
pub fn set_password(
    conn: &mut DbConn,
    id: i64,
    password_hash: &str,
    kind: AuditKind,
    actor: &Actor,
) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        let (name, email): (String, String) = users::table
            .find(id)
            .select((users::name, users::email))
            .first(conn)?;
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::password_changed_at.eq(Some(chrono::Utc::now().naive_utc())),
            ))
            .execute(conn)?;
        let ended = sessions::delete_for_user(conn, id)?;
        let summary = match kind {
            AuditKind::PasswordReset => {
                format!("Reset the password of {name}; {ended} session(s) ended.")
            }
            _ => format!("{name} changed their password; {ended} session(s) ended."),
        };
        audit::record(
            conn,
            actor,
            Event::new(kind, summary).target(AuditTarget::User, Some(id), email),
        )?;
        Ok(())
    })
}
