//! Queries on `accounts`: the filtered, sorted, paged list and single look-ups.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kizuna_shared::api::{Account, AccountQuery, AccountSort, Page, SortDir};
use kizuna_shared::domain::{Currency, Tier};

use super::schema::{accounts, users};
use super::users::UserRow;
use super::{DbBackend, DbConn, DbError};

/// An account row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    /// Account id.
    pub id: i64,
    /// Company name.
    pub name: String,
    /// CRM id.
    pub external_id: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Plan.
    pub plan: Option<String>,
    /// MRR in minor units.
    pub mrr_minor: i64,
    /// ISO currency code.
    pub currency: String,
    /// Contract start.
    pub contract_start: Option<NaiveDate>,
    /// Next renewal.
    pub renewal_date: Option<NaiveDate>,
    /// Owner user id.
    pub owner_id: Option<i64>,
    /// `active` or `churned`.
    pub status: String,
    /// Churn date.
    pub churn_date: Option<NaiveDate>,
    /// Churn reason.
    pub churn_reason: Option<String>,
    /// Well-known brand.
    pub flag_well_known: bool,
    /// Gives much feedback.
    pub flag_feedback: bool,
    /// Influences other customers.
    pub flag_influencer: bool,
    /// Expansion potential name.
    pub expansion_potential: String,
    /// Champion contact.
    pub champion_name: Option<String>,
    /// When the champion last changed.
    pub champion_changed_on: Option<NaiveDate>,
    /// Row version.
    pub version: i64,
    /// Company web domain.
    pub domain: Option<String>,
}

impl AccountRow {
    /// Converts the row (and its owner, if joined) into the API type.
    pub fn into_account(self, owner: Option<UserRow>) -> Result<Account, DbError> {
        let corrupt = |e: kizuna_shared::domain::ParseEnumError| {
            DbError::Corrupt(format!("account {}: {e}", self.id))
        };
        let currency: Currency = self.currency.parse().map_err(corrupt)?;
        let status = self.status.parse().map_err(corrupt)?;
        let expansion_potential = self.expansion_potential.parse().map_err(corrupt)?;
        Ok(Account {
            id: self.id,
            tier: Tier::of(self.mrr_minor, currency),
            name: self.name,
            external_id: self.external_id,
            industry: self.industry,
            plan: self.plan,
            mrr_minor: self.mrr_minor,
            currency,
            contract_start: self.contract_start,
            renewal_date: self.renewal_date,
            owner: owner.map(UserRow::into_summary).transpose()?,
            status,
            churn_date: self.churn_date,
            churn_reason: self.churn_reason,
            flag_well_known: self.flag_well_known,
            flag_feedback: self.flag_feedback,
            flag_influencer: self.flag_influencer,
            expansion_potential,
            champion_name: self.champion_name,
            champion_changed_on: self.champion_changed_on,
            version: self.version,
            domain: self.domain,
            signals: Default::default(),
        })
    }
}

/// An account to insert (enums already as their stored names).
#[derive(Debug, Clone, PartialEq, Eq, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount {
    /// Company name.
    pub name: String,
    /// CRM id.
    pub external_id: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Plan.
    pub plan: Option<String>,
    /// MRR in minor units.
    pub mrr_minor: i64,
    /// ISO currency code (`Currency::as_str`).
    pub currency: String,
    /// Contract start.
    pub contract_start: Option<NaiveDate>,
    /// Next renewal.
    pub renewal_date: Option<NaiveDate>,
    /// Owner user id.
    pub owner_id: Option<i64>,
    /// `AccountStatus::as_str`.
    pub status: String,
    /// Churn date.
    pub churn_date: Option<NaiveDate>,
    /// Churn reason.
    pub churn_reason: Option<String>,
    /// Well-known brand.
    pub flag_well_known: bool,
    /// Gives much feedback.
    pub flag_feedback: bool,
    /// Influences other customers.
    pub flag_influencer: bool,
    /// `ExpansionPotential::as_str`.
    pub expansion_potential: String,
    /// Champion contact.
    pub champion_name: Option<String>,
    /// When the champion last changed.
    pub champion_changed_on: Option<NaiveDate>,
    /// Creation time (UTC).
    pub created_at: NaiveDateTime,
    /// Last change (UTC).
    pub updated_at: NaiveDateTime,
    /// Company web domain.
    pub domain: Option<String>,
}

/// Rows per multi-row `INSERT`; 22 columns × 500 rows stays far below
/// SQLite's limit of bound variables.
const INSERT_BATCH: usize = 500;

/// Inserts accounts in batches; call inside a transaction for speed.
pub fn insert_many(conn: &mut DbConn, rows: &[NewAccount]) -> Result<usize, DbError> {
    let mut inserted = 0;
    for chunk in rows.chunks(INSERT_BATCH) {
        inserted += per_backend!(conn, |c| diesel::insert_into(accounts::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(inserted)
}

/// Inserts one account and returns its id.
pub fn insert(conn: &mut DbConn, row: &NewAccount) -> Result<i64, DbError> {
    Ok(diesel::insert_into(accounts::table)
        .values(row)
        .returning(accounts::id)
        .get_result(conn)?)
}

/// How many accounts exist.
pub fn count(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(accounts::table.count().get_result(conn)?)
}

/// One account with its owner.
pub fn find(conn: &mut DbConn, id: i64) -> Result<Account, DbError> {
    let (row, owner) = accounts::table
        .left_join(users::table)
        .filter(accounts::id.eq(id))
        .select((AccountRow::as_select(), Option::<UserRow>::as_select()))
        .first::<(AccountRow, Option<UserRow>)>(conn)?;
    row.into_account(owner)
}

diesel::define_sql_function! {
    /// SQL `lower()`.
    fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// Escapes `%`, `_` and `\` so user text matches literally in `LIKE`.
fn like_pattern(q: &str) -> String {
    let mut pattern = String::with_capacity(q.len() + 2);
    pattern.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Starts a boxed `accounts LEFT JOIN users` query with the filters of `q`.
/// A macro rather than a function because the count and the page query need
/// the same filters on differently typed (selected) statements.
macro_rules! filtered {
    ($q:expr) => {{
        let q: &AccountQuery = $q;
        let mut query = accounts::table
            .left_join(users::table)
            .into_boxed::<DbBackend>();
        if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pattern = like_pattern(&text.to_lowercase());
            // lower() on both sides makes the match case-insensitive on
            // PostgreSQL too, where LIKE is case-sensitive.
            query = query.filter(
                lower(accounts::name.nullable())
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(accounts::external_id)
                        .like(pattern.clone())
                        .escape('\\'))
                    .or(lower(accounts::industry).like(pattern.clone()).escape('\\'))
                    .or(lower(accounts::plan).like(pattern).escape('\\')),
            );
        }
        if let Some(status) = q.status {
            query = query.filter(accounts::status.eq(status.as_str()));
        }
        if let Some(owner) = q.owner {
            query = query.filter(accounts::owner_id.eq(owner));
        }
        if let Some(tier) = q.tier {
            let range = |c: Currency| {
                let (from, to) = tier.mrr_range(c);
                (c.as_str(), from, to.unwrap_or(i64::MAX))
            };
            let (jpy, jpy_from, jpy_to) = range(Currency::Jpy);
            let (usd, usd_from, usd_to) = range(Currency::Usd);
            let (eur, eur_from, eur_to) = range(Currency::Eur);
            query = query.filter(
                (accounts::currency
                    .eq(jpy)
                    .and(accounts::mrr_minor.ge(jpy_from))
                    .and(accounts::mrr_minor.lt(jpy_to)))
                .or(accounts::currency
                    .eq(usd)
                    .and(accounts::mrr_minor.ge(usd_from))
                    .and(accounts::mrr_minor.lt(usd_to)))
                .or(accounts::currency
                    .eq(eur)
                    .and(accounts::mrr_minor.ge(eur_from))
                    .and(accounts::mrr_minor.lt(eur_to))),
            );
        }
        query
    }};
}

/// One page of accounts matching `q`, with the total over all pages.
/// Runs exactly two queries: the count and the page.
pub fn list(conn: &mut DbConn, q: &AccountQuery) -> Result<Page<Account>, DbError> {
    let page = q.page_or_default().max(1);
    let per_page = q.per_page_or_default().max(1);
    let total: i64 = filtered!(q).count().get_result(conn)?;

    let mut query = filtered!(q);
    let desc = q.dir.unwrap_or_default() == SortDir::Desc;
    // Rows without a value (no renewal date, no owner) come last in both
    // directions, the same on SQLite and PostgreSQL (whose defaults differ).
    query = match (q.sort.unwrap_or_default(), desc) {
        (AccountSort::Name, false) => query.order_by(accounts::name.asc()),
        (AccountSort::Name, true) => query.order_by(accounts::name.desc()),
        (AccountSort::Mrr, false) => query.order_by(accounts::mrr_minor.asc()),
        (AccountSort::Mrr, true) => query.order_by(accounts::mrr_minor.desc()),
        (AccountSort::RenewalDate, false) => query
            .order_by(accounts::renewal_date.is_null().asc())
            .then_order_by(accounts::renewal_date.asc()),
        (AccountSort::RenewalDate, true) => query
            .order_by(accounts::renewal_date.is_null().asc())
            .then_order_by(accounts::renewal_date.desc()),
        (AccountSort::ContractStart, false) => query
            .order_by(accounts::contract_start.is_null().asc())
            .then_order_by(accounts::contract_start.asc()),
        (AccountSort::ContractStart, true) => query
            .order_by(accounts::contract_start.is_null().asc())
            .then_order_by(accounts::contract_start.desc()),
        (AccountSort::Status, false) => query.order_by(accounts::status.asc()),
        (AccountSort::Status, true) => query.order_by(accounts::status.desc()),
        (AccountSort::Owner, false) => query
            .order_by(users::name.nullable().is_null().asc())
            .then_order_by(users::name.asc()),
        (AccountSort::Owner, true) => query
            .order_by(users::name.nullable().is_null().asc())
            .then_order_by(users::name.desc()),
    };
    // The id tiebreak makes paging stable when many rows share a sort value.
    query = if desc {
        query.then_order_by(accounts::id.desc())
    } else {
        query.then_order_by(accounts::id.asc())
    };
    let offset = i64::from(page - 1) * i64::from(per_page);
    let rows = query
        .select((AccountRow::as_select(), Option::<UserRow>::as_select()))
        .limit(i64::from(per_page))
        .offset(offset)
        .load::<(AccountRow, Option<UserRow>)>(conn)?;
    let items = rows
        .into_iter()
        .map(|(row, owner)| row.into_account(owner))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
        page,
        per_page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
