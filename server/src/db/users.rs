//! Queries on `users`.

use diesel::prelude::*;
use kizuna_shared::api::{SessionUser, UserSummary};
use kizuna_shared::domain::Role;

use super::schema::users;
use super::{DbConn, DbError};

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
    /// E-mail address; stored lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Normalises an e-mail address for storage and look-up.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Inserts a user; a duplicate e-mail is a [`DbError::Conflict`].
pub fn insert(conn: &mut DbConn, user: &NewUser) -> Result<UserSummary, DbError> {
    let values = (
        users::email.eq(normalize_email(&user.email)),
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
        DbError::Conflict(_) => {
            DbError::Conflict("A user with this e-mail address already exists.".into())
        }
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
    email: &str,
) -> Result<Option<(SessionUser, String)>, DbError> {
    let found = users::table
        .filter(users::email.eq(normalize_email(email)))
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

/// Users who can own accounts (`kizuna_shared::domain::can_own_accounts`),
/// by name.
pub fn list_owners(conn: &mut DbConn) -> Result<Vec<UserSummary>, DbError> {
    let roles: Vec<&str> = Role::ALL
        .iter()
        .filter(|r| kizuna_shared::domain::can_own_accounts(**r))
        .map(|r| r.as_str())
        .collect();
    users::table
        .filter(users::role.eq_any(roles))
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
pub fn id_by_email(conn: &mut DbConn, email: &str) -> Result<Option<i64>, DbError> {
    Ok(users::table
        .filter(users::email.eq(normalize_email(email)))
        .select(users::id)
        .first(conn)
        .optional()?)
}

/// How many users exist.
pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(conn)?)
}
