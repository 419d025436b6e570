//! Names for ids: the users, accounts and contacts that survey answers,
//! links, tasks and sheets refer to, looked up in batches (one query per
//! 1,000 ids) after a page of rows is loaded, instead of joining the users
//! table several times under aliases.

use std::collections::BTreeMap;

use diesel::prelude::*;
use kizuna_shared::api::{AccountRef, ContactRef, UserSummary};
use kizuna_shared::domain::{Currency, Language, Tier};

use super::schema::{accounts, contacts, users};
use super::users::UserRow;
use super::{DbConn, DbError};

/// Ids per `IN (…)` list: far below SQLite's and PostgreSQL's limits.
const CHUNK: usize = 1_000;

/// An account as the survey and sheet modules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    /// Id, name and tier.
    pub account: AccountRef,
    /// Owner user id.
    pub owner_id: Option<i64>,
    /// The customer's language (stated, or the currency's default).
    pub language: Language,
    /// `active` or `churned`.
    pub status: String,
}

fn unique(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The users with these ids (missing ids are left out).
pub fn users(
    conn: &mut DbConn,
    ids: impl IntoIterator<Item = i64>,
) -> Result<BTreeMap<i64, UserSummary>, DbError> {
    let mut out = BTreeMap::new();
    for chunk in unique(ids).chunks(CHUNK) {
        let rows: Vec<UserRow> = users::table
            .filter(users::id.eq_any(chunk))
            .select(UserRow::as_select())
            .load(conn)?;
        for row in rows {
            out.insert(row.id, row.into_summary()?);
        }
    }
    Ok(out)
}

/// The accounts with these ids (missing ids are left out).
pub fn accounts(
    conn: &mut DbConn,
    ids: impl IntoIterator<Item = i64>,
) -> Result<BTreeMap<i64, AccountInfo>, DbError> {
    type Row = (
        i64,
        String,
        i64,
        String,
        Option<i64>,
        Option<String>,
        String,
    );
    let mut out = BTreeMap::new();
    for chunk in unique(ids).chunks(CHUNK) {
        let rows: Vec<Row> = accounts::table
            .filter(accounts::id.eq_any(chunk))
            .select((
                accounts::id,
                accounts::name,
                accounts::mrr_minor,
                accounts::currency,
                accounts::owner_id,
                accounts::language,
                accounts::status,
            ))
            .load(conn)?;
        for (id, name, mrr, currency, owner_id, language, status) in rows {
            let corrupt = |e: kizuna_shared::domain::ParseEnumError| {
                DbError::Corrupt(format!("account {id}: {e}"))
            };
            let currency: Currency = currency.parse().map_err(corrupt)?;
            let language = match language {
                Some(l) => l.parse().map_err(corrupt)?,
                None => Language::default_for(currency),
            };
            out.insert(
                id,
                AccountInfo {
                    account: AccountRef {
                        id,
                        name,
                        tier: Tier::of(mrr, currency),
                    },
                    owner_id,
                    language,
                    status,
                },
            );
        }
    }
    Ok(out)
}

/// The contacts with these ids, with their account id (missing ids are
/// left out).
pub fn contacts(
    conn: &mut DbConn,
    ids: impl IntoIterator<Item = i64>,
) -> Result<BTreeMap<i64, (ContactRef, i64)>, DbError> {
    let mut out = BTreeMap::new();
    for chunk in unique(ids).chunks(CHUNK) {
        let rows: Vec<(i64, String, i64)> = contacts::table
            .filter(contacts::id.eq_any(chunk))
            .select((contacts::id, contacts::name, contacts::account_id))
            .load(conn)?;
        for (id, name, account_id) in rows {
            out.insert(id, (ContactRef { id, name }, account_id));
        }
    }
    Ok(out)
}

/// The condition "account is in this tier" (by current MRR and currency)
/// on `accounts` columns, as a plain (unboxed) expression so it also works
/// inside subqueries (`account_id IN (SELECT id FROM accounts WHERE …)`),
/// where a boxed expression's fixed query source does not fit.
macro_rules! tier_condition {
    ($tier:expr) => {{
        use kizuna_shared::domain::Currency;
        const _: () = assert!(
            Currency::ALL.len() == 3,
            "tier_condition! names every currency"
        );
        let tier: kizuna_shared::domain::Tier = $tier;
        let range = |c: Currency| {
            let (from, to) = tier.mrr_range(c);
            (c.as_str(), from, to.unwrap_or(i64::MAX))
        };
        let in_range = |c: Currency| {
            let (name, from, to) = range(c);
            $crate::db::schema::accounts::currency
                .eq(name)
                .and($crate::db::schema::accounts::mrr_minor.ge(from))
                .and($crate::db::schema::accounts::mrr_minor.lt(to))
        };
        in_range(Currency::Jpy)
            .or(in_range(Currency::Usd))
            .or(in_range(Currency::Eur))
    }};
}
pub(crate) use tier_condition;
