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

/// Adds a contact to an account. A new champion replaces the previous one,
/// and the account's champion name and change date follow (a change of
/// champion is a risk signal, so the date matters).
pub fn create(
    conn: &mut DbConn,
    account_id: i64,
    input: &kizuna_shared::api::ContactInput,
    actor: &super::audit::Actor,
) -> Result<Contact, DbError> {
    use super::schema::accounts;
    let clean = |t: &Option<String>| {
        t.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    super::write_tx(conn, |conn| {
        // Locked (PostgreSQL) so two champion changes cannot interleave.
        if super::lock_accounts(conn, &[account_id])?.is_empty() {
            return Err(DbError::NotFound);
        }
        super::accounts::authorize_edit(conn, account_id, actor)?;
        let now = chrono::Utc::now().naive_utc();
        let name = input.name.trim().to_owned();
        if input.is_champion {
            diesel::update(contacts::table.filter(contacts::account_id.eq(account_id)))
                .set(contacts::is_champion.eq(false))
                .execute(conn)?;
            let previous: Option<String> = accounts::table
                .find(account_id)
                .select(accounts::champion_name)
                .first(conn)?;
            let changed = previous.as_deref() != Some(name.as_str());
            diesel::update(accounts::table.find(account_id))
                .set((
                    accounts::champion_name.eq(Some(name.clone())),
                    accounts::version.eq(accounts::version + 1),
                    accounts::updated_at.eq(now),
                ))
                .execute(conn)?;
            if changed {
                diesel::update(accounts::table.find(account_id))
                    .set(accounts::champion_changed_on.eq(Some(now.date())))
                    .execute(conn)?;
                super::audit::record_champion_change(conn, actor, account_id, previous, &name)?;
            }
        }
        let id: i64 = diesel::insert_into(contacts::table)
            .values(&NewContact {
                account_id,
                name: name.clone(),
                email: input.email.as_ref().map(|e| e.as_str().to_owned()),
                title: clean(&input.title),
                phone: clean(&input.phone),
                is_champion: input.is_champion,
                created_at: now,
            })
            .returning(contacts::id)
            .get_result(conn)?;
        super::audit::record_contact(conn, actor, account_id, id, &name, true)?;
        Ok(contacts::table
            .find(id)
            .select(ContactRow::as_select())
            .first::<ContactRow>(conn)?
            .into())
    })
}

/// Removes a contact of an account; a removed champion leaves the account
/// without a champion contact (its champion name stays as history).
pub fn delete(
    conn: &mut DbConn,
    account_id: i64,
    contact_id: i64,
    actor: &super::audit::Actor,
) -> Result<(), DbError> {
    super::write_tx(conn, |conn| {
        if super::lock_accounts(conn, &[account_id])?.is_empty() {
            return Err(DbError::NotFound);
        }
        super::accounts::authorize_edit(conn, account_id, actor)?;
        let deleted: Vec<String> = diesel::delete(
            contacts::table
                .filter(contacts::id.eq(contact_id))
                .filter(contacts::account_id.eq(account_id)),
        )
        .returning(contacts::name)
        .get_results(conn)?;
        match deleted.first() {
            None => Err(DbError::NotFound),
            Some(name) => {
                super::audit::record_contact(conn, actor, account_id, contact_id, name, false)?;
                Ok(())
            }
        }
    })
}
