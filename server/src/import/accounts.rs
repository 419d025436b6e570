//! Checking and applying an accounts file: one row per account, keyed by
//! external id. A row for a known external id updates that account; an
//! empty optional cell leaves the stored value as it is (so a file with only
//! some columns can fill them in without erasing the rest); an unknown id
//! creates an account.

use std::collections::HashMap;

use garde::Validate;
use kizuna_shared::api::{AccountInput, FieldError, ImportAction};
use kizuna_shared::cells::{self, normalize_external_id, parse_amount, parse_bool, parse_date};
use kizuna_shared::domain::{AccountStatus, Currency, ExpansionPotential, Role};

use super::read::{Columns, Table};
use super::{tick, Outcome, Plan, Progress};
use crate::db::accounts::{self, AccountChanges};
use crate::db::{users, DbConn, DbError};

/// The checked accounts file.
pub(super) struct AccountsPlan {
    outcome: Outcome,
    creates: Vec<AccountChanges>,
    updates: Vec<(i64, AccountChanges, AccountChanges)>,
}

/// Our column for a field of [`AccountInput`] (for shared validation errors).
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

fn input_of(c: &AccountChanges) -> Option<AccountInput> {
    Some(AccountInput {
        name: c.name.clone(),
        external_id: c.external_id.clone(),
        domain: c.domain.clone(),
        industry: c.industry.clone(),
        plan: c.plan.clone(),
        mrr_minor: c.mrr_minor,
        currency: c.currency.parse().ok()?,
        contract_start: c.contract_start,
        renewal_date: c.renewal_date,
        owner_id: c.owner_id,
        status: c.status.parse().ok()?,
        churn_date: c.churn_date,
        churn_reason: c.churn_reason.clone(),
        flag_well_known: c.flag_well_known,
        flag_feedback: c.flag_feedback,
        flag_influencer: c.flag_influencer,
        expansion_potential: c.expansion_potential.parse().ok()?,
        champion_name: c.champion_name.clone(),
        champion_changed_on: c.champion_changed_on,
        // Validation only: an import never sets the language.
        language: None,
    })
}

pub(super) fn check(
    conn: &mut DbConn,
    table: &Table,
    cols: &Columns,
    progress: Progress<'_>,
) -> Result<AccountsPlan, DbError> {
    let owners: HashMap<String, (i64, Role)> = users::list_all(conn)?
        .into_iter()
        .map(|u| (u.email.to_lowercase(), (u.id, u.role)))
        .collect();
    let existing: HashMap<String, accounts::AccountRow> = accounts::with_external_ids(conn)?
        .into_iter()
        .filter_map(|r| {
            let key = normalize_external_id(r.external_id.as_deref()?);
            Some((key, r))
        })
        .collect();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut plan = AccountsPlan {
        outcome: Outcome::default(),
        creates: Vec::new(),
        updates: Vec::new(),
    };
    let total = table.rows.len();
    for (i, row) in table.rows.iter().enumerate() {
        tick(progress, "checking", i, total);
        let n = row.number;
        let problems = &mut plan.outcome.problems;
        let before = problems_count(problems);
        let cell = |c: &str| cols.cell(row, c);
        let missing = |problems: &mut super::Problems, c: &str| {
            problems.push(
                n,
                Some(c),
                "missing_value",
                format!("“{c}” is required and empty."),
            );
        };

        if row.cells.len() != table.headers.len() {
            problems.push(
                n,
                None,
                "bad_row",
                format!(
                    "The row has {} cells but the header has {}; check for a stray separator or quote.",
                    row.cells.len(),
                    table.headers.len()
                ),
            );
        }
        let external_id = cell("external_id");
        if external_id.is_none() {
            missing(problems, "external_id");
        }
        let name = cell("name");
        if name.is_none() {
            missing(problems, "name");
        }
        let currency = match cell("currency") {
            None => {
                missing(problems, "currency");
                None
            }
            Some(text) => match text.to_uppercase().parse::<Currency>() {
                Ok(c) => Some(c),
                Err(_) => {
                    problems.push(
                        n,
                        Some("currency"),
                        "unknown_currency",
                        format!("“{text}” is not a currency Kizuna handles (JPY, USD, EUR)."),
                    );
                    None
                }
            },
        };
        let cell_error = |problems: &mut super::Problems, column: &str, e: cells::CellError| {
            problems.push(n, Some(column), e.code(), format!("“{column}”: {e}."));
        };
        let mrr = match (cell("mrr"), currency) {
            (Some(text), Some(c)) => match parse_amount(text, c) {
                Ok(v) => Some(v),
                Err(e) => {
                    cell_error(problems, "mrr", e);
                    None
                }
            },
            _ => None,
        };
        let date = |problems: &mut super::Problems, column: &str| {
            cell(column).and_then(|t| match parse_date(t) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(n, Some(column), e.code(), format!("“{column}”: {e}."));
                    None
                }
            })
        };
        let contract_start = date(problems, "contract_start");
        let renewal_date = date(problems, "renewal_date");
        let churn_date = date(problems, "churn_date");
        let champion_changed_on = date(problems, "champion_changed_on");
        let owner_id =
            cell("owner_email").and_then(|email| match owners.get(&email.to_lowercase()) {
                Some((_, Role::Executive)) => {
                    problems.push(
                        n,
                        Some("owner_email"),
                        "invalid_value",
                        format!("{email} is an executive and cannot own accounts."),
                    );
                    None
                }
                Some((id, _)) => Some(*id),
                None => {
                    problems.push(
                        n,
                        Some("owner_email"),
                        "unknown_owner",
                        format!("No Kizuna user has the e-mail address {email}."),
                    );
                    None
                }
            });
        let status = cell("status").and_then(|t| match t.to_lowercase().parse::<AccountStatus>() {
            Ok(s) => Some(s),
            Err(_) => {
                problems.push(
                    n,
                    Some("status"),
                    "invalid_value",
                    format!("“{t}” is not a status (use active or churned)."),
                );
                None
            }
        });
        let expansion = cell("expansion_potential").and_then(|t| {
            match t.to_lowercase().parse::<ExpansionPotential>() {
                Ok(e) => Some(e),
                Err(_) => {
                    problems.push(
                        n,
                        Some("expansion_potential"),
                        "invalid_value",
                        format!(
                            "“{t}” is not an expansion potential (use none, trial_growth, upsell or cross_sell)."
                        ),
                    );
                    None
                }
            }
        });
        let flag = |problems: &mut super::Problems, column: &str| {
            cell(column).and_then(|t| match parse_bool(t) {
                Ok(b) => Some(b),
                Err(e) => {
                    problems.push(n, Some(column), e.code(), format!("“{column}”: {e}."));
                    None
                }
            })
        };
        let well_known = flag(problems, "well_known");
        let feedback = flag(problems, "feedback");
        let influencer = flag(problems, "influencer");
        let domain = cell("domain").and_then(|t| match cells::company_domain(t) {
            Some(d) => Some(d),
            None => {
                problems.push(
                    n,
                    Some("domain"),
                    "invalid_value",
                    format!("“{t}” is not a company web domain (e.g. example.co.jp)."),
                );
                None
            }
        });
        let key = external_id.map(normalize_external_id);
        if let Some(key) = &key {
            if let Some(first) = seen.get(key) {
                problems.push(
                    n,
                    Some("external_id"),
                    "duplicate_key",
                    format!("The external id {key} is also on row {first}; each account may appear once."),
                );
            } else {
                seen.insert(key.clone(), n);
            }
        }
        if problems_count(problems) > before {
            continue;
        }
        let (Some(key), Some(external_id), Some(name), Some(currency)) =
            (key, external_id, name, currency)
        else {
            continue;
        };

        let stored = existing.get(&key);
        let base = match stored {
            Some(r) => AccountChanges::from_row(r),
            None => AccountChanges {
                name: String::new(),
                external_id: Some(external_id.to_owned()),
                domain: None,
                industry: None,
                plan: None,
                mrr_minor: 0,
                currency: currency.as_str().to_owned(),
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
            },
        };
        let mut next = base.clone();
        let text = |c: &str| cell(c).map(str::to_owned);
        next.name = name.to_owned();
        next.currency = currency.as_str().to_owned();
        if let Some(v) = mrr {
            next.mrr_minor = v;
        }
        if let Some(v) = domain {
            next.domain = Some(v);
        }
        for (column, field) in [
            ("industry", &mut next.industry),
            ("plan", &mut next.plan),
            ("churn_reason", &mut next.churn_reason),
            ("champion_name", &mut next.champion_name),
        ] {
            if let Some(v) = text(column) {
                *field = Some(v);
            }
        }
        for (value, field) in [
            (contract_start, &mut next.contract_start),
            (renewal_date, &mut next.renewal_date),
            (champion_changed_on, &mut next.champion_changed_on),
        ] {
            if value.is_some() {
                *field = value;
            }
        }
        if let Some(id) = owner_id {
            next.owner_id = Some(id);
        }
        if let Some(s) = status {
            next.status = s.as_str().to_owned();
            // Reactivating an account clears its churn fields unless the row
            // gives them (which validation then rejects).
            if s == AccountStatus::Active && churn_date.is_none() {
                next.churn_date = None;
                next.churn_reason = None;
            }
        }
        if churn_date.is_some() {
            next.churn_date = churn_date;
        }
        if let Some(e) = expansion {
            next.expansion_potential = e.as_str().to_owned();
        }
        for (value, field) in [
            (well_known, &mut next.flag_well_known),
            (feedback, &mut next.flag_feedback),
            (influencer, &mut next.flag_influencer),
        ] {
            if let Some(v) = value {
                *field = v;
            }
        }
        // The same rules as the account form.
        if let Some(input) = input_of(&next) {
            if let Err(report) = input.validate() {
                for FieldError { field, message } in FieldError::from_report(&report) {
                    let column = column_of(&field);
                    problems.push(
                        n,
                        Some(column),
                        "invalid_value",
                        format!("“{column}” {message}."),
                    );
                }
                continue;
            }
        }
        let display = Some(next.name.clone());
        match stored {
            None => {
                plan.outcome.change(n, ImportAction::Create, key, display);
                plan.creates.push(next);
            }
            Some(r) if base == next => {
                let _ = r;
                plan.outcome
                    .change(n, ImportAction::Unchanged, key, display);
            }
            Some(r) => {
                plan.outcome.change(n, ImportAction::Update, key, display);
                plan.updates.push((r.id, base, next));
            }
        }
    }
    Ok(plan)
}

fn problems_count(p: &super::Problems) -> u64 {
    p.count
}

impl Plan for AccountsPlan {
    fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    fn apply(&self, conn: &mut DbConn, progress: Progress<'_>) -> Result<(), DbError> {
        let now = chrono::Utc::now().naive_utc();
        let total = self.creates.len() + self.updates.len();
        let rows: Vec<_> = self
            .creates
            .iter()
            .cloned()
            .map(|c| c.into_new(now))
            .collect();
        for (i, chunk) in rows.chunks(5_000).enumerate() {
            tick(progress, "writing", i * 5_000, total);
            accounts::insert_many(conn, chunk)?;
        }
        for (i, (id, old, new)) in self.updates.iter().enumerate() {
            tick(progress, "writing", self.creates.len() + i, total);
            accounts::overwrite(conn, *id, old, new)?;
        }
        Ok(())
    }
}
