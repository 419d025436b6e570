//! Queries on `accounts`: the filtered, sorted, paged list, single look-ups,
//! and creating, editing and deleting accounts with the rules the shared
//! validation cannot check (references, external-id uniqueness by key, who
//! may change which field, the current-MRR invariant).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kizuna_shared::api::ProblemCode;
use kizuna_shared::api::{
    Account, AccountDetail, AccountInput, AccountQuery, AccountSort, DataChangeKind, ExternalId,
    FieldError, Page, SortDir,
};
use kizuna_shared::domain::{
    can_edit_account, editable_account_fields, AccountField, AccountStatus, Capability, Currency,
    Tier, UserId,
};

use super::audit::{self, Actor, AsAuditText, Event};
use super::history::{self, NewDataChange};
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
    /// The customer's language (`en`, `ja`).
    pub language: Option<String>,
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
        let language = self
            .language
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(corrupt)?;
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
            language,
            mrr_from_history: false,
            signals: Default::default(),
            score: None,
            band: None,
        })
    }
}

/// Sets `mrr_from_history` on `accounts` (one query; see
/// [`super::revenue::with_history`]).
pub fn mark_mrr_from_history(conn: &mut DbConn, accounts: &mut [Account]) -> Result<(), DbError> {
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let with = super::revenue::with_history(conn, &ids)?;
    for account in accounts {
        account.mrr_from_history = with.contains(&account.id);
    }
    Ok(())
}

/// The stored normal form of an external id (`None` for no id): the value
/// of `accounts.external_id_key`, unique across accounts.
pub fn external_id_key(external_id: Option<&str>) -> Option<String> {
    external_id
        .and_then(|text| ExternalId::parse(text).ok())
        .map(|id| id.key())
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

/// Rows per multi-row `INSERT`: 24 columns (with the external id key) ×
/// 1,350 rows = 32,400 bound variables, just below SQLite's default limit of
/// 32,766 (PostgreSQL allows 65,535).
const INSERT_BATCH: usize = 1_350;

/// Inserts accounts in batches, each with its external id key; call inside
/// a transaction for speed.
pub fn insert_many(conn: &mut DbConn, rows: &[NewAccount]) -> Result<usize, DbError> {
    let mut inserted = 0;
    for chunk in rows.chunks(INSERT_BATCH) {
        let keyed: Vec<_> = chunk
            .iter()
            .map(|row| {
                (
                    row,
                    accounts::external_id_key.eq(external_id_key(row.external_id.as_deref())),
                )
            })
            .collect();
        inserted += per_backend!(conn, |c| diesel::insert_into(accounts::table)
            .values(keyed)
            .execute(c))?;
    }
    Ok(inserted)
}

/// Inserts one account (with its external id key) and returns its id.
pub fn insert(conn: &mut DbConn, row: &NewAccount) -> Result<i64, DbError> {
    Ok(diesel::insert_into(accounts::table)
        .values((
            row,
            accounts::external_id_key.eq(external_id_key(row.external_id.as_deref())),
        ))
        .returning(accounts::id)
        .get_result(conn)?)
}

/// The changeable columns of an account, written as a whole by an edit or an
/// import (`None` clears a column).
#[derive(Debug, Clone, PartialEq, Eq, AsChangeset, Insertable)]
#[diesel(table_name = accounts, treat_none_as_null = true)]
pub struct AccountChanges {
    /// Company name.
    pub name: String,
    /// CRM id.
    pub external_id: Option<String>,
    /// Company web domain.
    pub domain: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Plan.
    pub plan: Option<String>,
    /// Current MRR in minor units.
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
    /// The customer's language (`en`, `ja`; none: by currency). Imports
    /// start from the stored row, so they keep it.
    pub language: Option<String>,
}

impl AccountChanges {
    /// The stored value of `field` as text (`None` when empty): what the
    /// audit log shows and what decides whether a field changed. One match
    /// over `AccountField`, so a new field cannot be left out of the diff,
    /// the patch or the audit entry.
    pub fn text(&self, field: AccountField) -> Option<String> {
        use AccountField as F;
        match field {
            F::Name => self.name.audit_text(),
            F::ExternalId => self.external_id.audit_text(),
            F::Domain => self.domain.audit_text(),
            F::Industry => self.industry.audit_text(),
            F::Plan => self.plan.audit_text(),
            F::MrrMinor => self.mrr_minor.audit_text(),
            F::Currency => self.currency.audit_text(),
            F::ContractStart => self.contract_start.audit_text(),
            F::RenewalDate => self.renewal_date.audit_text(),
            F::OwnerId => self.owner_id.audit_text(),
            F::Status => self.status.audit_text(),
            F::ChurnDate => self.churn_date.audit_text(),
            F::ChurnReason => self.churn_reason.audit_text(),
            F::FlagWellKnown => self.flag_well_known.audit_text(),
            F::FlagFeedback => self.flag_feedback.audit_text(),
            F::FlagInfluencer => self.flag_influencer.audit_text(),
            F::ExpansionPotential => self.expansion_potential.audit_text(),
            F::ChampionName => self.champion_name.audit_text(),
            F::ChampionChangedOn => self.champion_changed_on.audit_text(),
            F::Language => self.language.audit_text(),
        }
    }

    /// The fields whose stored values differ from `new`'s, in
    /// [`AccountField::ALL`] order.
    pub fn changed_fields(&self, new: &AccountChanges) -> Vec<AccountField> {
        AccountField::ALL
            .iter()
            .copied()
            .filter(|f| self.text(*f) != new.text(*f))
            .collect()
    }

    /// The editable fields of a stored row.
    pub fn from_row(r: &AccountRow) -> Self {
        AccountChanges {
            name: r.name.clone(),
            external_id: r.external_id.clone(),
            domain: r.domain.clone(),
            industry: r.industry.clone(),
            plan: r.plan.clone(),
            mrr_minor: r.mrr_minor,
            currency: r.currency.clone(),
            contract_start: r.contract_start,
            renewal_date: r.renewal_date,
            owner_id: r.owner_id,
            status: r.status.clone(),
            churn_date: r.churn_date,
            churn_reason: r.churn_reason.clone(),
            flag_well_known: r.flag_well_known,
            flag_feedback: r.flag_feedback,
            flag_influencer: r.flag_influencer,
            expansion_potential: r.expansion_potential.clone(),
            champion_name: r.champion_name.clone(),
            champion_changed_on: r.champion_changed_on,
            language: r.language.clone(),
        }
    }

    /// A new row with these fields, created at `now`.
    pub fn into_new(self, now: NaiveDateTime) -> NewAccount {
        NewAccount {
            name: self.name,
            external_id: self.external_id,
            industry: self.industry,
            plan: self.plan,
            mrr_minor: self.mrr_minor,
            currency: self.currency,
            contract_start: self.contract_start,
            renewal_date: self.renewal_date,
            owner_id: self.owner_id,
            status: self.status,
            churn_date: self.churn_date,
            churn_reason: self.churn_reason,
            flag_well_known: self.flag_well_known,
            flag_feedback: self.flag_feedback,
            flag_influencer: self.flag_influencer,
            expansion_potential: self.expansion_potential,
            champion_name: self.champion_name,
            champion_changed_on: self.champion_changed_on,
            created_at: now,
            updated_at: now,
            domain: self.domain,
        }
    }
}

/// The columns that differ between two versions of an account (`None` =
/// unchanged; for nullable columns `Some(None)` clears it). Writing only
/// these keeps SQLite from rewriting index entries of unchanged columns,
/// which is most of the cost of a large import that changes one field.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = accounts)]
struct AccountPatch {
    name: Option<String>,
    external_id: Option<Option<String>>,
    domain: Option<Option<String>>,
    industry: Option<Option<String>>,
    plan: Option<Option<String>>,
    mrr_minor: Option<i64>,
    currency: Option<String>,
    contract_start: Option<Option<NaiveDate>>,
    renewal_date: Option<Option<NaiveDate>>,
    owner_id: Option<Option<i64>>,
    status: Option<String>,
    churn_date: Option<Option<NaiveDate>>,
    churn_reason: Option<Option<String>>,
    flag_well_known: Option<bool>,
    flag_feedback: Option<bool>,
    flag_influencer: Option<bool>,
    expansion_potential: Option<String>,
    champion_name: Option<Option<String>>,
    champion_changed_on: Option<Option<NaiveDate>>,
    language: Option<Option<String>>,
    external_id_key: Option<Option<String>>,
}

impl AccountPatch {
    /// The columns of the fields [`AccountChanges::changed_fields`] finds
    /// between `old` and `new` (one match over `AccountField`).
    fn between(old: &AccountChanges, new: &AccountChanges) -> Self {
        use AccountField as F;
        let mut patch = AccountPatch::default();
        for field in old.changed_fields(new) {
            match field {
                F::Name => patch.name = Some(new.name.clone()),
                F::ExternalId => {
                    patch.external_id = Some(new.external_id.clone());
                    patch.external_id_key = Some(external_id_key(new.external_id.as_deref()));
                }
                F::Domain => patch.domain = Some(new.domain.clone()),
                F::Industry => patch.industry = Some(new.industry.clone()),
                F::Plan => patch.plan = Some(new.plan.clone()),
                F::MrrMinor => patch.mrr_minor = Some(new.mrr_minor),
                F::Currency => patch.currency = Some(new.currency.clone()),
                F::ContractStart => patch.contract_start = Some(new.contract_start),
                F::RenewalDate => patch.renewal_date = Some(new.renewal_date),
                F::OwnerId => patch.owner_id = Some(new.owner_id),
                F::Status => patch.status = Some(new.status.clone()),
                F::ChurnDate => patch.churn_date = Some(new.churn_date),
                F::ChurnReason => patch.churn_reason = Some(new.churn_reason.clone()),
                F::FlagWellKnown => patch.flag_well_known = Some(new.flag_well_known),
                F::FlagFeedback => patch.flag_feedback = Some(new.flag_feedback),
                F::FlagInfluencer => patch.flag_influencer = Some(new.flag_influencer),
                F::ExpansionPotential => {
                    patch.expansion_potential = Some(new.expansion_potential.clone());
                }
                F::ChampionName => patch.champion_name = Some(new.champion_name.clone()),
                F::ChampionChangedOn => patch.champion_changed_on = Some(new.champion_changed_on),
                F::Language => patch.language = Some(new.language.clone()),
            }
        }
        patch
    }
}

/// Changes account `id` from `old` to `new` (imports, inside their
/// transaction), writing only the columns that differ and bumping the
/// version; the caller has checked that something differs.
pub fn overwrite(
    conn: &mut DbConn,
    id: i64,
    old: &AccountChanges,
    new: &AccountChanges,
) -> Result<(), DbError> {
    diesel::update(accounts::table.find(id))
        .set((
            AccountPatch::between(old, new),
            accounts::version.eq(accounts::version + 1),
            accounts::updated_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every account that has an external id key, by that key (the accounts
/// import looks rows up here).
pub fn by_external_id_key(conn: &mut DbConn) -> Result<HashMap<String, AccountRow>, DbError> {
    let rows: Vec<(AccountRow, Option<String>)> = accounts::table
        .filter(accounts::external_id_key.is_not_null())
        .select((AccountRow::as_select(), accounts::external_id_key))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(row, key)| Some((key?, row)))
        .collect())
}

/// Gives every account that has an external id but no key its key (the
/// column added by migration `2026-03-01-000002_external_id_key`; runs after
/// every migration, and normally finds nothing). Accounts are taken oldest
/// first; an account whose key another account already holds keeps its id
/// text without a key, and the duplicates page lists the two for merging.
/// Returns those `(account, holder of the key)` pairs.
pub fn fill_external_id_keys(conn: &mut DbConn) -> Result<Vec<(i64, i64)>, DbError> {
    super::write_tx(conn, |conn| {
        let missing: Vec<(i64, Option<String>)> = accounts::table
            .filter(accounts::external_id_key.is_null())
            .filter(accounts::external_id.is_not_null())
            .order_by((accounts::created_at.asc(), accounts::id.asc()))
            .select((accounts::id, accounts::external_id))
            .load(conn)?;
        if missing.is_empty() {
            return Ok(Vec::new());
        }
        let held: Vec<(i64, Option<String>)> = accounts::table
            .filter(accounts::external_id_key.is_not_null())
            .select((accounts::id, accounts::external_id_key))
            .load(conn)?;
        let mut holders: HashMap<String, i64> = held
            .into_iter()
            .filter_map(|(id, key)| Some((key?, id)))
            .collect();
        let mut left_out = Vec::new();
        for (id, text) in missing {
            let Some(key) = external_id_key(text.as_deref()) else {
                continue;
            };
            if let Some(holder) = holders.get(&key) {
                tracing::warn!(
                    account = id,
                    holder,
                    key,
                    "two accounts share an external id; the newer is left without a key (merge them on the duplicates page)"
                );
                left_out.push((id, *holder));
                continue;
            }
            diesel::update(accounts::table.find(id))
                .set(accounts::external_id_key.eq(Some(&key)))
                .execute(conn)?;
            holders.insert(key, id);
        }
        Ok(left_out)
    })
}

/// Trims a text field; blank becomes `None`.
fn clean(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

impl AccountChanges {
    /// These fields as the API's editable fields (`None` when a stored enum
    /// name is unknown, which the schema's checks rule out).
    pub fn to_input(&self) -> Option<AccountInput> {
        Some(AccountInput {
            name: self.name.clone(),
            external_id: match &self.external_id {
                Some(id) => Some(ExternalId::parse(id).ok()?),
                None => None,
            },
            domain: self.domain.clone(),
            industry: self.industry.clone(),
            plan: self.plan.clone(),
            mrr_minor: self.mrr_minor,
            currency: self.currency.parse().ok()?,
            contract_start: self.contract_start,
            renewal_date: self.renewal_date,
            owner_id: self.owner_id,
            status: self.status.parse().ok()?,
            churn_date: self.churn_date,
            churn_reason: self.churn_reason.clone(),
            flag_well_known: self.flag_well_known,
            flag_feedback: self.flag_feedback,
            flag_influencer: self.flag_influencer,
            expansion_potential: self.expansion_potential.parse().ok()?,
            champion_name: self.champion_name.clone(),
            champion_changed_on: self.champion_changed_on,
            language: match &self.language {
                Some(l) => Some(l.parse().ok()?),
                None => None,
            },
        })
    }

    /// The fields of validated form input, trimmed.
    pub fn from_input(input: &AccountInput) -> Self {
        AccountChanges {
            name: input.name.trim().to_owned(),
            external_id: input.external_id.as_ref().map(|id| id.as_str().to_owned()),
            domain: clean(&input.domain).and_then(|d| kizuna_shared::cells::company_domain(&d)),
            industry: clean(&input.industry),
            plan: clean(&input.plan),
            mrr_minor: input.mrr_minor,
            currency: input.currency.as_str().to_owned(),
            contract_start: input.contract_start,
            renewal_date: input.renewal_date,
            owner_id: input.owner_id,
            status: input.status.as_str().to_owned(),
            churn_date: input.churn_date,
            churn_reason: clean(&input.churn_reason),
            flag_well_known: input.flag_well_known,
            flag_feedback: input.flag_feedback,
            flag_influencer: input.flag_influencer,
            expansion_potential: input.expansion_potential.as_str().to_owned(),
            champion_name: clean(&input.champion_name),
            champion_changed_on: input.champion_changed_on,
            language: input.language.map(|l| l.as_str().to_owned()),
        }
    }
}

/// The message of an owner who may not own accounts.
pub fn cannot_own_message(name: &str, role: kizuna_shared::domain::Role) -> String {
    format!("{name} is an {role} and cannot own accounts")
}

/// Checks what the shared validation cannot: a newly given owner is an
/// existing user who may own accounts ([`Capability::OwnAccounts`]; keeping the
/// current owner is not checked again), and the external id's key is not
/// another account's.
fn check_references(
    conn: &mut DbConn,
    changes: &AccountChanges,
    this_account: Option<(i64, Option<i64>)>,
) -> Result<(), DbError> {
    let mut errors = Vec::new();
    let current_owner = this_account.and_then(|(_, owner)| owner);
    if let Some(owner_id) = changes.owner_id.filter(|o| Some(*o) != current_owner) {
        match super::users::find_by_id(conn, owner_id)? {
            None => errors.push(FieldError {
                field: "owner_id".into(),
                message: format!("there is no user {owner_id}"),
            }),
            Some(user) if !user.role.may(Capability::OwnAccounts) => errors.push(FieldError {
                field: "owner_id".into(),
                message: cannot_own_message(&user.name, user.role),
            }),
            Some(_) => {}
        }
    }
    if let Some(key) = external_id_key(changes.external_id.as_deref()) {
        let mut taken = accounts::table
            .filter(accounts::external_id_key.eq(&key))
            .select((accounts::id, accounts::name))
            .into_boxed::<super::DbBackend>();
        if let Some((id, _)) = this_account {
            taken = taken.filter(accounts::id.ne(id));
        }
        let taken: Option<(i64, String)> = taken.first(conn).optional()?;
        if let Some((id, name)) = taken {
            errors.push(external_id_taken(&key, Some((id, &name))));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DbError::Invalid(errors))
    }
}

fn external_id_taken(key: &str, holder: Option<(i64, &str)>) -> FieldError {
    FieldError {
        field: "external_id".into(),
        message: match holder {
            Some((id, name)) => format!("{key} already belongs to “{name}” (#{id})"),
            None => format!("{key} already belongs to another account"),
        },
    }
}

/// A unique-index violation while writing an account: the only unique
/// columns are the external id and its key, so another account took the id
/// between the check and the write.
fn taken_in_a_race(changes: &AccountChanges) -> impl FnOnce(DbError) -> DbError + '_ {
    move |e| match e {
        DbError::Conflict(..) => DbError::Invalid(vec![external_id_taken(
            changes.external_id.as_deref().unwrap_or_default(),
            None,
        )]),
        other => other,
    }
}

/// Creates an account from validated input, records it in the history and
/// returns it.
pub fn create(conn: &mut DbConn, input: &AccountInput, actor: &Actor) -> Result<Account, DbError> {
    let changes = AccountChanges::from_input(input);
    let user_id = actor.user_id.unwrap_or_default();
    super::write_tx(conn, |conn| {
        check_references(conn, &changes, None)?;
        let now = chrono::Utc::now().naive_utc();
        let id: i64 = diesel::insert_into(accounts::table)
            .values((
                &changes,
                accounts::external_id_key.eq(external_id_key(changes.external_id.as_deref())),
                accounts::created_at.eq(now),
                accounts::updated_at.eq(now),
            ))
            .returning(accounts::id)
            .get_result(conn)
            .map_err(DbError::from)
            .map_err(taken_in_a_race(&changes))?;
        super::sheets::start_for_new_accounts(conn, id - 1, chrono::Utc::now().date_naive())?;
        let mut entry = NewDataChange::new(DataChangeKind::Create, user_id);
        entry.account_id = Some(id);
        entry.created = 1;
        entry.detail = format!("Created “{}”.", changes.name);
        history::record(conn, &entry)?;
        audit::record(
            conn,
            actor,
            Event::new(kizuna_shared::api::AuditKind::AccountCreated, entry.detail).target(
                kizuna_shared::api::AuditTarget::Account,
                Some(id),
                &changes.name,
            ),
        )?;
        find(conn, id)
    })
}

/// The field errors of an edit that changes the MRR or currency of an
/// account whose MRR comes from its revenue history (see
/// [`super::revenue::with_history`]).
fn mrr_from_history_errors(changed: &[AccountField]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if changed.contains(&AccountField::MrrMinor) {
        errors.push(FieldError {
            field: "mrr_minor".into(),
            message: "MRR comes from the revenue history; import monthly MRR to change it".into(),
        });
    }
    if changed.contains(&AccountField::Currency) {
        errors.push(FieldError {
            field: "currency".into(),
            message: "the currency comes from the revenue history; import monthly MRR to change it"
                .into(),
        });
    }
    errors
}

/// Replaces the editable fields of account `id` if it is still at
/// `version`; a stale version is a conflict and changes nothing. Refused:
/// an actor who may not edit the account as it is now (403); with field
/// errors, a change to a field the actor may not change
/// (`domain::editable_account_fields`) and a change of MRR or currency
/// while the account has MRR history.
pub fn update(
    conn: &mut DbConn,
    id: i64,
    version: i64,
    input: &AccountInput,
    actor: &Actor,
) -> Result<Account, DbError> {
    let changes = AccountChanges::from_input(input);
    super::write_tx(conn, |conn| {
        let stored = accounts::table
            .find(id)
            .select(AccountRow::as_select())
            .first(conn)
            .optional()?
            .ok_or(DbError::NotFound)?;
        let owner = stored.owner_id.map(UserId);
        super::authorize(actor, |who| can_edit_account(who, owner))?;
        if stored.version != version {
            return Err(stale_or_missing(conn, id, version)?);
        }
        let before = AccountChanges::from_row(&stored);
        let stored_input = before.to_input().ok_or_else(|| {
            DbError::Corrupt(format!(
                "account {id}: unknown status, currency or expansion"
            ))
        })?;
        let editable = actor
            .principal()
            .map(|who| editable_account_fields(who, owner))
            .unwrap_or_default();
        let mut errors = input.forbidden_changes(&stored_input, &editable);
        if errors.is_empty() && super::revenue::has_history(conn, id)? {
            errors = mrr_from_history_errors(&input.changed_fields(&stored_input));
        }
        if !errors.is_empty() {
            return Err(DbError::Invalid(errors));
        }
        check_references(conn, &changes, Some((id, stored.owner_id)))?;
        let now = chrono::Utc::now().naive_utc();
        let updated = diesel::update(
            accounts::table
                .filter(accounts::id.eq(id))
                .filter(accounts::version.eq(version)),
        )
        .set((
            &changes,
            accounts::external_id_key.eq(external_id_key(changes.external_id.as_deref())),
            accounts::version.eq(accounts::version + 1),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(DbError::from)
        .map_err(taken_in_a_race(&changes))?;
        if updated == 0 {
            return Err(stale_or_missing(conn, id, version)?);
        }
        let mut entry =
            NewDataChange::new(DataChangeKind::Update, actor.user_id.unwrap_or_default());
        entry.account_id = Some(id);
        entry.updated = 1;
        entry.detail = format!("Edited “{}”.", changes.name);
        history::record(conn, &entry)?;
        audit::record_account_edit(conn, actor, id, &stored, &changes)?;
        find(conn, id)
    })
}

/// The error for an update or delete that matched no row: not found, or a
/// conflict naming the current version.
fn stale_or_missing(conn: &mut DbConn, id: i64, version: i64) -> Result<DbError, DbError> {
    let current: Option<i64> = accounts::table
        .find(id)
        .select(accounts::version)
        .first(conn)
        .optional()?;
    Ok(match current {
        None => DbError::NotFound,
        Some(current) => DbError::Conflict(ProblemCode::StaleVersion, format!(
            "The account was changed by someone else (your version {version}, now {current}); reload it and apply your change again."
        )),
    })
}

/// Deletes account `id` (and, by cascade, its revenue, signals and
/// contacts) if it is still at `version`.
pub fn delete(conn: &mut DbConn, id: i64, version: i64, actor: &Actor) -> Result<(), DbError> {
    let user_id = actor.user_id.unwrap_or_default();
    super::write_tx(conn, |conn| {
        let name: Option<String> = accounts::table
            .find(id)
            .select(accounts::name)
            .first(conn)
            .optional()?;
        let deleted = diesel::delete(
            accounts::table
                .filter(accounts::id.eq(id))
                .filter(accounts::version.eq(version)),
        )
        .execute(conn)?;
        if deleted == 0 {
            return Err(stale_or_missing(conn, id, version)?);
        }
        let mut entry = NewDataChange::new(DataChangeKind::Delete, user_id);
        entry.account_id = Some(id);
        let name = name.unwrap_or_default();
        entry.detail = format!("Deleted “{name}”.");
        history::record(conn, &entry)?;
        audit::record(
            conn,
            actor,
            Event::new(kizuna_shared::api::AuditKind::AccountDeleted, entry.detail).target(
                kizuna_shared::api::AuditTarget::Account,
                Some(id),
                name,
            ),
        )?;
        Ok(())
    })
}

/// The owner of account `id` (`Ok(None)` when it has none); not found when
/// the account does not exist.
pub fn owner_of(conn: &mut DbConn, id: i64) -> Result<Option<i64>, DbError> {
    Ok(accounts::table
        .find(id)
        .select(accounts::owner_id)
        .first(conn)?)
}

/// Checks, inside the caller's write transaction, that `actor` may change
/// account `id` as it is now (`domain::can_edit_account`); not found when
/// the account does not exist. Returns its owner.
pub fn authorize_edit(conn: &mut DbConn, id: i64, actor: &Actor) -> Result<Option<i64>, DbError> {
    let owner = owner_of(conn, id)?;
    super::authorize(actor, |who| can_edit_account(who, owner.map(UserId)))?;
    Ok(owner)
}

/// The highest account id (0 without accounts).
pub fn max_id(conn: &mut DbConn) -> Result<i64, DbError> {
    let max: Option<i64> = accounts::table
        .select(diesel::dsl::max(accounts::id))
        .first(conn)?;
    Ok(max.unwrap_or(0))
}

/// The ids above `after`, ascending (rows inserted in one transaction get
/// increasing ids, so these are the ones just inserted).
pub fn ids_above(conn: &mut DbConn, after: i64) -> Result<Vec<i64>, DbError> {
    Ok(accounts::table
        .filter(accounts::id.gt(after))
        .order_by(accounts::id.asc())
        .select(accounts::id)
        .load(conn)?)
}

/// Whether account `id` exists.
pub fn exists(conn: &mut DbConn, id: i64) -> Result<bool, DbError> {
    Ok(diesel::select(diesel::dsl::exists(accounts::table.find(id))).get_result(conn)?)
}

/// The account with its MRR history, latest signals and contacts.
pub fn detail(conn: &mut DbConn, id: i64) -> Result<AccountDetail, DbError> {
    let mut account = find(conn, id)?;
    let latest_signals = super::signals::latest_for(conn, &[id])?
        .remove(&id)
        .unwrap_or_default();
    account.signals = latest_signals
        .iter()
        .map(|s| (s.key.clone(), s.value))
        .collect();
    Ok(AccountDetail {
        account,
        mrr_history: super::revenue::history(conn, id)?,
        latest_signals,
        contacts: super::contacts::of_account(conn, id)?,
    })
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
    let mut account = row.into_account(owner)?;
    account.mrr_from_history = super::revenue::has_history(conn, id)?;
    Ok(account)
}

diesel::define_sql_function! {
    /// SQL `lower()`.
    fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// Escapes `%`, `_` and `\` so user text matches literally in `LIKE`.
pub(crate) fn like_pattern(q: &str) -> String {
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
        if let Some(band) = q.band {
            // The latest snapshot's band (no user text in the SQL: the band
            // name is bound), of accounts not churned by today: the
            // current band, as `models::latest_scores` reads it.
            let today = chrono::Utc::now().date_naive();
            query = query
                .filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "accounts.id IN (SELECT account_id FROM health_scores WHERE band = ",
                    )
                    .bind::<diesel::sql_types::Text, _>(band.as_str())
                    .sql(" AND scored_on = (SELECT MAX(scored_on) FROM health_scores))"),
                )
                .filter(
                    accounts::churn_date
                        .is_null()
                        .or(accounts::churn_date.gt(today)),
                )
                .filter(
                    accounts::status
                        .ne(AccountStatus::Churned.as_str())
                        .or(accounts::churn_date.is_not_null()),
                );
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

/// An account's current score as an SQL expression of type `$st` over the
/// outer `accounts` row, followed by the constant text `$tail`: its score
/// in the latest snapshot, NULL when it had churned on or before `$today`
/// (the rule of `models::latest_scores`). Only the date is bound.
macro_rules! current_score_sql {
    ($today:expr, $st:ty, $tail:expr) => {
        diesel::dsl::sql::<$st>(
            "(SELECT score FROM health_scores WHERE health_scores.account_id = accounts.id \
             AND scored_on = (SELECT MAX(scored_on) FROM health_scores) \
             AND (accounts.churn_date IS NULL OR accounts.churn_date > ",
        )
        .bind::<diesel::sql_types::Date, _>($today)
        .sql(concat!(
            ") AND (accounts.status <> 'churned' OR accounts.churn_date IS NOT NULL))",
            $tail
        ))
    };
}

/// Orders a `filtered!` query as `q` asks (see `list`).
macro_rules! sorted {
    ($query:expr, $q:expr) => {{
        let q: &AccountQuery = $q;
        let mut query = $query;
        let desc = q.dir.unwrap_or_default() == SortDir::Desc;
        let today = chrono::Utc::now().date_naive();
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
            (AccountSort::Score, false) => query
                .order_by(current_score_sql!(
                    today,
                    diesel::sql_types::Bool,
                    " IS NULL"
                ))
                .then_order_by(
                    current_score_sql!(
                        today,
                        diesel::sql_types::Nullable<diesel::sql_types::Double>,
                        ""
                    )
                    .asc(),
                ),
            (AccountSort::Score, true) => query
                .order_by(current_score_sql!(
                    today,
                    diesel::sql_types::Bool,
                    " IS NULL"
                ))
                .then_order_by(
                    current_score_sql!(
                        today,
                        diesel::sql_types::Nullable<diesel::sql_types::Double>,
                        ""
                    )
                    .desc(),
                ),
        };
        // The id tiebreak makes paging stable when many rows share a sort value.
        query = if desc {
            query.then_order_by(accounts::id.desc())
        } else {
            query.then_order_by(accounts::id.asc())
        };
        query
    }};
}

/// Every account matching the filters of `q` in its sort order (paging is
/// ignored), with owners: the rows of the CSV export.
pub fn export_rows(
    conn: &mut DbConn,
    q: &AccountQuery,
) -> Result<Vec<(AccountRow, Option<UserRow>)>, DbError> {
    Ok(sorted!(filtered!(q), q)
        .select((AccountRow::as_select(), Option::<UserRow>::as_select()))
        .load::<(AccountRow, Option<UserRow>)>(conn)?)
}

/// One page of accounts matching `q`, with the total over all pages.
/// Runs exactly two queries: the count and the page.
pub fn list(conn: &mut DbConn, q: &AccountQuery) -> Result<Page<Account>, DbError> {
    let paging = super::paging::Paging::new(q.page, q.per_page);
    let total: i64 = filtered!(q).count().get_result(conn)?;

    let query = sorted!(filtered!(q), q);
    let rows = query
        .select((AccountRow::as_select(), Option::<UserRow>::as_select()))
        .limit(paging.limit())
        .offset(paging.offset())
        .load::<(AccountRow, Option<UserRow>)>(conn)?;
    let mut items = rows
        .into_iter()
        .map(|(row, owner)| row.into_account(owner))
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<i64> = items.iter().map(|a| a.id).collect();
    mark_mrr_from_history(conn, &mut items)?;
    let mut latest = super::signals::latest_for(conn, &ids)?;
    let scores = super::models::latest_scores(conn, &ids, chrono::Utc::now().date_naive())?;
    for account in &mut items {
        if let Some(values) = latest.remove(&account.id) {
            account.signals = values.into_iter().map(|v| (v.key, v.value)).collect();
        }
        if let Some(&(score, band)) = scores.get(&account.id) {
            (account.score, account.band) = (score, band);
        }
    }
    Ok(paging.envelope(items, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
