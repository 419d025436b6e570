//! Checking and applying an accounts file: one row per account, keyed by
//! external id. A row for a known external id updates that account; an
//! empty optional cell leaves the stored value as it is (so a file with only
//! some columns can fill them in without erasing the rest); an unknown id
//! creates an account.
//!
//! Each row goes through six steps, one function each: [`read_external_id`]
//! and [`seen_before`] read the row's key and refuse an id given twice,
//! [`read_row`] types every other cell, [`merge_row`] lays
//! the row over the stored account (keeping MRR and currency of accounts
//! whose MRR comes from their history, with a warning), [`validate`] applies
//! the account form's rules, and [`classify`] files it as a create, an update
//! or unchanged.

use kizuna_shared::api::ImportCode;
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use garde::Validate;
use kizuna_shared::api::{Email, ExternalId, FieldError, ImportAction};
use kizuna_shared::cells::{self, fold_width, parse_amount, parse_bool, parse_date};
use kizuna_shared::domain::{
    format_major, AccountStatus, Capability, Currency, ExpansionPotential, Role,
};

use super::{tick, Input, Outcome, Plan, Progress, RowCheck};
use crate::db::accounts::{self, AccountChanges, AccountRow};
use crate::db::{revenue, users, DbConn, DbError};

/// The checked accounts file.
pub(super) struct AccountsPlan {
    outcome: Outcome,
    creates: Vec<AccountChanges>,
    updates: Vec<(i64, AccountChanges, AccountChanges)>,
}

/// A user an `owner_email` cell can name.
struct Owner {
    id: i64,
    name: String,
    role: Role,
}

/// Users by e-mail address and by name: a Japanese sheet's 担当 column
/// often holds the CSM's name rather than their address.
struct Owners {
    by_email: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
    users: Vec<Owner>,
}

/// A name in comparable form: width folded, lower case, without spaces
/// (`佐藤 花子` and `佐藤　花子` are one name).
fn name_key(name: &str) -> String {
    fold_width(name)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

impl Owners {
    fn load(conn: &mut DbConn) -> Result<Self, DbError> {
        let mut owners = Owners {
            by_email: HashMap::new(),
            by_name: HashMap::new(),
            users: Vec::new(),
        };
        for (i, u) in users::list_all(conn)?.into_iter().enumerate() {
            // Stored as `Email::parse` normalised it, which `find` looks up.
            owners.by_email.insert(u.email.clone(), i);
            owners.by_name.entry(name_key(&u.name)).or_default().push(i);
            owners.users.push(Owner {
                id: u.id,
                name: u.name,
                role: u.role,
            });
        }
        Ok(owners)
    }

    /// The user an `owner_email` cell names: an e-mail address, or a name
    /// exactly one user has.
    fn find(&self, cell: &str) -> Result<&Owner, (ImportCode, String)> {
        let index = match Email::parse(cell) {
            Ok(email) => self.by_email.get(email.as_str()).copied(),
            Err(_) => match self.by_name.get(&name_key(cell)).map(Vec::as_slice) {
                Some([one]) => Some(*one),
                Some([_, _, ..]) => {
                    return Err((
                        ImportCode::AmbiguousOwner,
                        format!(
                        "Several Kizuna users are named {cell}; give the owner's e-mail address."
                    ),
                    ))
                }
                _ => None,
            },
        };
        index.map(|i| &self.users[i]).ok_or_else(|| {
            (
                ImportCode::UnknownOwner,
                format!("No Kizuna user has the e-mail address or name {cell}."),
            )
        })
    }
}

/// What rows are checked against.
struct Lookups {
    owners: Owners,
    /// Stored accounts by external id key.
    existing: HashMap<String, AccountRow>,
    /// Stored accounts whose MRR comes from their history.
    from_history: HashSet<i64>,
}

impl Lookups {
    fn load(conn: &mut DbConn) -> Result<Self, DbError> {
        let existing = accounts::by_external_id_key(conn)?;
        let ids: Vec<i64> = existing.values().map(|r| r.id).collect();
        Ok(Lookups {
            owners: Owners::load(conn)?,
            from_history: revenue::with_history(conn, &ids)?,
            existing,
        })
    }
}

/// The cells of one row, typed. Optional cells are `None` when empty.
struct RowValues<'a> {
    external_id: ExternalId,
    name: &'a str,
    currency: Currency,
    mrr: Option<i64>,
    domain: Option<String>,
    industry: Option<&'a str>,
    plan: Option<&'a str>,
    churn_reason: Option<&'a str>,
    champion_name: Option<&'a str>,
    contract_start: Option<NaiveDate>,
    renewal_date: Option<NaiveDate>,
    churn_date: Option<NaiveDate>,
    champion_changed_on: Option<NaiveDate>,
    owner: Option<(i64, &'a str, Role)>,
    status: Option<AccountStatus>,
    expansion: Option<ExpansionPotential>,
    well_known: Option<bool>,
    feedback: Option<bool>,
    influencer: Option<bool>,
}

/// Reads an enum cell (`active`, `Upsell`) case-insensitively; `None` when
/// empty or unknown (reported, naming the allowed values).
fn enum_cell<T: std::str::FromStr>(
    check: &mut RowCheck<'_, '_>,
    column: &str,
    what: &str,
    allowed: &str,
) -> Option<T> {
    let text = check.cell(column)?;
    let parsed = text.to_lowercase().parse::<T>().ok();
    if parsed.is_none() {
        check.problem(
            Some(column),
            ImportCode::InvalidValue,
            format!("“{text}” is not {what} (use {allowed})."),
        );
    }
    parsed
}

/// Step 1: the row's external id (reported when empty or invalid).
fn read_external_id(check: &mut RowCheck<'_, '_>) -> Option<ExternalId> {
    let Some(text) = check.cell("external_id") else {
        check.missing("external_id");
        return None;
    };
    ExternalId::parse(text)
        .map_err(|e| {
            check.problem(
                Some("external_id"),
                ImportCode::InvalidValue,
                format!("“external_id” {e}."),
            )
        })
        .ok()
}

/// Step 3: every other cell of the row, typed; `None` (with the problems
/// reported) when the row has any problem, this step's or an earlier one's.
fn read_row<'a>(
    check: &mut RowCheck<'a, '_>,
    lookups: &'a Lookups,
    default_currency: Option<Currency>,
    external_id: Option<ExternalId>,
) -> Option<RowValues<'a>> {
    let name = check.cell("name");
    if name.is_none() {
        check.missing("name");
    }
    let currency = check.currency(default_currency);
    let mrr = match currency {
        Some(c) => check.optional("mrr", |t| parse_amount(t, c)),
        None => None,
    };
    let contract_start = check.optional("contract_start", parse_date);
    let renewal_date = check.optional("renewal_date", parse_date);
    let churn_date = check.optional("churn_date", parse_date);
    let champion_changed_on = check.optional("champion_changed_on", parse_date);
    let owner = check
        .cell("owner_email")
        .and_then(|cell| match lookups.owners.find(cell) {
            Ok(o) => Some((o.id, o.name.as_str(), o.role)),
            Err((code, message)) => {
                check.problem(Some("owner_email"), code, message);
                None
            }
        });
    let status = enum_cell(&mut *check, "status", "a status", "active or churned");
    let expansion = enum_cell(
        &mut *check,
        "expansion_potential",
        "an expansion potential",
        "none, trial_growth, upsell or cross_sell",
    );
    let well_known = check.optional("well_known", parse_bool);
    let feedback = check.optional("feedback", parse_bool);
    let influencer = check.optional("influencer", parse_bool);
    let domain = check
        .cell("domain")
        .and_then(|t| match cells::company_domain(t) {
            Some(d) => Some(d),
            None => {
                check.problem(
                    Some("domain"),
                    ImportCode::InvalidValue,
                    format!("“{t}” is not a company web domain (e.g. example.co.jp)."),
                );
                None
            }
        });
    if check.has_problems() {
        return None;
    }
    Some(RowValues {
        external_id: external_id?,
        name: name?,
        currency: currency?,
        mrr,
        domain,
        industry: check.cell("industry"),
        plan: check.cell("plan"),
        churn_reason: check.cell("churn_reason"),
        champion_name: check.cell("champion_name"),
        contract_start,
        renewal_date,
        churn_date,
        champion_changed_on,
        owner,
        status,
        expansion,
        well_known,
        feedback,
        influencer,
    })
}

/// Step 2: whether the row's id was given on an earlier row (reported).
/// Checked even when other cells of the row have problems, so a file's
/// every duplicate shows in one preview.
fn seen_before(check: &mut RowCheck<'_, '_>, seen: &mut HashMap<String, u64>, key: &str) -> bool {
    match seen.get(key) {
        Some(first) => {
            check.problem(
                Some("external_id"),
                ImportCode::DuplicateKey,
                format!(
                    "The external id {key} is also on row {first}; each account may appear once."
                ),
            );
            true
        }
        None => {
            seen.insert(key.to_owned(), check.n);
            false
        }
    }
}

/// A new account's stored fields before a row is laid over them.
fn blank_account(values: &RowValues<'_>) -> AccountChanges {
    AccountChanges {
        name: String::new(),
        external_id: Some(values.external_id.as_str().to_owned()),
        domain: None,
        industry: None,
        plan: None,
        mrr_minor: 0,
        currency: values.currency.as_str().to_owned(),
        contract_start: None,
        renewal_date: None,
        owner_id: None,
        status: AccountStatus::Active.as_str().to_owned(),
        churn_date: None,
        churn_reason: None,
        flag_well_known: false,
        flag_feedback: false,
        flag_influencer: false,
        expansion_potential: ExpansionPotential::None.as_str().to_owned(),
        champion_name: None,
        champion_changed_on: None,
        language: None,
    }
}

/// The current-MRR invariant for one row of an account with MRR history:
/// its MRR and currency stay those of the history; a cell that says
/// otherwise is ignored with a warning. Returns whether the row's MRR and
/// currency may be used.
fn keep_history_mrr(
    check: &mut RowCheck<'_, '_>,
    warnings: &mut super::Problems,
    base: &AccountChanges,
    values: &RowValues<'_>,
) -> bool {
    let Ok(stored_currency) = base.currency.parse::<Currency>() else {
        return false;
    };
    if values.currency != stored_currency {
        warnings.push(
            check.n,
            Some("currency"),
            ImportCode::MrrFromHistory,
            format!(
                "“{}” has MRR history in {stored_currency}, so its currency and MRR come from that history; the file's {} is ignored. Import monthly MRR to change them.",
                base.name, values.currency
            ),
        );
    } else if let Some(mrr) = values.mrr.filter(|m| *m != base.mrr_minor) {
        warnings.push(
            check.n,
            Some("mrr"),
            ImportCode::MrrFromHistory,
            format!(
                "“{}” has MRR history, so its MRR is the latest month's total ({} {stored_currency}); the file's {} is ignored. Import monthly MRR to change it.",
                base.name,
                format_major(base.mrr_minor, stored_currency),
                format_major(mrr, stored_currency)
            ),
        );
    }
    false
}

/// Step 4: the row laid over the stored account (`base`): given cells
/// replace stored values, empty cells keep them. `None` (reported) when the
/// row cannot apply: a new owner who may not own accounts, or a currency
/// change without the MRR in the new currency.
fn merge_row(
    check: &mut RowCheck<'_, '_>,
    warnings: &mut super::Problems,
    base: &AccountChanges,
    stored: Option<&AccountRow>,
    from_history: bool,
    values: &RowValues<'_>,
) -> Option<AccountChanges> {
    let mut next = base.clone();
    next.name = values.name.to_owned();
    let use_mrr = if from_history {
        keep_history_mrr(check, warnings, base, values)
    } else {
        true
    };
    if use_mrr {
        if stored.is_some() && values.currency.as_str() != base.currency && values.mrr.is_none() {
            check.problem(
                Some("mrr"),
                ImportCode::MissingValue,
                format!(
                    "“mrr” is required when the currency changes (from {} to {}), so the amount is not read in the wrong currency.",
                    base.currency, values.currency
                ),
            );
            return None;
        }
        next.currency = values.currency.as_str().to_owned();
        if let Some(v) = values.mrr {
            next.mrr_minor = v;
        }
    }
    if let Some(v) = &values.domain {
        next.domain = Some(v.clone());
    }
    for (value, field) in [
        (values.industry, &mut next.industry),
        (values.plan, &mut next.plan),
        (values.churn_reason, &mut next.churn_reason),
        (values.champion_name, &mut next.champion_name),
    ] {
        if let Some(v) = value {
            *field = Some(v.to_owned());
        }
    }
    for (value, field) in [
        (values.contract_start, &mut next.contract_start),
        (values.renewal_date, &mut next.renewal_date),
        (values.champion_changed_on, &mut next.champion_changed_on),
    ] {
        if value.is_some() {
            *field = value;
        }
    }
    if let Some((id, name, role)) = values.owner {
        // Keeping the current owner is never refused; giving the account to
        // someone is, when their role may not own accounts (the form's rule).
        if Some(id) != base.owner_id && !role.may(Capability::OwnAccounts) {
            check.problem(
                Some("owner_email"),
                ImportCode::InvalidValue,
                format!("{}.", accounts::cannot_own_message(name, role)),
            );
            return None;
        }
        next.owner_id = Some(id);
    }
    if let Some(s) = values.status {
        next.status = s.as_str().to_owned();
        // Reactivating an account clears its churn fields unless the row
        // gives them (which validation then rejects).
        if s == AccountStatus::Active && values.churn_date.is_none() {
            next.churn_date = None;
            next.churn_reason = None;
        }
    }
    if values.churn_date.is_some() {
        next.churn_date = values.churn_date;
    }
    if let Some(e) = values.expansion {
        next.expansion_potential = e.as_str().to_owned();
    }
    for (value, field) in [
        (values.well_known, &mut next.flag_well_known),
        (values.feedback, &mut next.flag_feedback),
        (values.influencer, &mut next.flag_influencer),
    ] {
        if let Some(v) = value {
            *field = v;
        }
    }
    Some(next)
}

/// Our column for a field of `AccountInput` (for shared validation errors).
fn column_of(field: &str) -> &str {
    match field {
        "mrr_minor" => "mrr",
        "owner_id" => "owner_email",
        "flag_well_known" => "well_known",
        "flag_feedback" => "feedback",
        "flag_influencer" => "influencer",
        other => other,
    }
}

/// Step 5: the account form's rules (`AccountInput`'s garde rules); whether
/// the account passes them (each failure reported).
fn validate(check: &mut RowCheck<'_, '_>, next: &AccountChanges) -> bool {
    let Some(input) = next.to_input() else {
        return true;
    };
    let Err(report) = input.validate() else {
        return true;
    };
    for FieldError { field, message } in FieldError::from_report(&report) {
        let column = column_of(&field);
        check.problem(
            Some(column),
            ImportCode::InvalidValue,
            format!("“{column}” {message}."),
        );
    }
    false
}

/// Step 6: files the checked row as a create, an update or unchanged.
fn classify(
    plan: &mut AccountsPlan,
    n: u64,
    key: String,
    stored: Option<&AccountRow>,
    base: AccountChanges,
    next: AccountChanges,
) {
    let action = match stored {
        None => ImportAction::Create,
        Some(_) if base == next => ImportAction::Unchanged,
        Some(_) => ImportAction::Update,
    };
    plan.outcome.change(n, action, || key, &next.name);
    match stored {
        None => plan.creates.push(next),
        Some(_) if action == ImportAction::Unchanged => {}
        Some(r) => plan.updates.push((r.id, base, next)),
    }
}

pub(super) fn check(conn: &mut DbConn, input: &Input<'_>) -> Result<AccountsPlan, DbError> {
    let lookups = Lookups::load(conn)?;
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut plan = AccountsPlan {
        outcome: Outcome::default(),
        creates: Vec::new(),
        updates: Vec::new(),
    };
    let total = input.table.row_count();
    for (i, row) in input.table.rows().enumerate() {
        tick(
            input.progress,
            kizuna_shared::api::ImportPhase::Checking,
            i,
            total,
        );
        let Outcome {
            problems, warnings, ..
        } = &mut plan.outcome;
        let mut check = RowCheck::new(input.table, row, input.cols, problems);
        let external_id = read_external_id(&mut check);
        if let Some(id) = &external_id {
            seen_before(&mut check, &mut seen, &id.key());
        }
        let Some(values) = read_row(&mut check, &lookups, input.currency, external_id) else {
            continue;
        };
        let key = values.external_id.key();
        let stored = lookups.existing.get(&key);
        let base = stored.map_or_else(|| blank_account(&values), AccountChanges::from_row);
        let from_history = stored.is_some_and(|r| lookups.from_history.contains(&r.id));
        let Some(next) = merge_row(&mut check, warnings, &base, stored, from_history, &values)
        else {
            continue;
        };
        if !validate(&mut check, &next) {
            continue;
        }
        let n = check.n;
        classify(&mut plan, n, key, stored, base, next);
    }
    Ok(plan)
}

impl Plan for AccountsPlan {
    fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    fn outcome_mut(&mut self) -> &mut Outcome {
        &mut self.outcome
    }

    fn apply(&self, conn: &mut DbConn, progress: Progress<'_>) -> Result<(), DbError> {
        use kizuna_shared::api::ImportPhase::Writing;
        let now = chrono::Utc::now().naive_utc();
        let total = self.creates.len() + self.updates.len();
        let rows: Vec<_> = self
            .creates
            .iter()
            .cloned()
            .map(|c| c.into_new(now))
            .collect();
        for (i, chunk) in rows.chunks(5_000).enumerate() {
            tick(progress, Writing, i * 5_000, total);
            accounts::insert_many(conn, chunk)?;
        }
        for (i, (id, old, new)) in self.updates.iter().enumerate() {
            tick(progress, Writing, self.creates.len() + i, total);
            accounts::overwrite(conn, *id, old, new)?;
        }
        Ok(())
    }
}
