//! Queries on `contacts`: people at the customer, at most one champion each.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kizuna_shared::api::Contact;

use super::schema::contacts;
use super::{DbConn, DbError};

/// A contact to insert.
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = contacts)]
pub struct NewContact {
    /// The account.
    pub account_id: i64,
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// The champion.
    pub is_champion: bool,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
}

/// A stored contact.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = contacts)]
pub struct ContactRow {
    /// Contact id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Champion.
    pub is_champion: bool,
}

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: r.id,
            name: r.name,
            email: r.email,
            title: r.title,
            phone: r.phone,
            is_champion: r.is_champion,
        }
    }
}

/// Rows per multi-row `INSERT`.
const INSERT_BATCH: usize = 2_000;

/// Inserts contacts in batches; call inside a transaction for speed.
pub fn insert_many(conn: &mut DbConn, rows: &[NewContact]) -> Result<usize, DbError> {
    let mut inserted = 0;
    for chunk in rows.chunks(INSERT_BATCH) {
        inserted += per_backend!(conn, |c| diesel::insert_into(contacts::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(inserted)
}

/// An account's contacts, the champion first, then by name.
pub fn of_account(conn: &mut DbConn, account_id: i64) -> Result<Vec<Contact>, DbError> {
    Ok(contacts::table
        .filter(contacts::account_id.eq(account_id))
        .order_by((contacts::is_champion.desc(), contacts::name.asc()))
        .select(ContactRow::as_select())
        .load::<ContactRow>(conn)?
        .into_iter()
        .map(Contact::from)
        .collect())
}
