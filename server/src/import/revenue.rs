//! Checking and applying a monthly MRR file: one row per account, month and
//! product line, upserted by that key. After writing, each touched account's
//! current MRR becomes the total of its latest month of history.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;
use kizuna_shared::api::ImportAction;
use kizuna_shared::cells::{normalize_external_id, parse_amount, parse_month};
use kizuna_shared::domain::Currency;

use super::read::{Columns, Table};
use super::{tick, Outcome, Plan, Problems, Progress};
use crate::db::revenue::{self, NewMrr};
use crate::db::schema::{account_mrr, accounts};
use crate::db::{DbConn, DbError};

/// An account as the MRR and signal files refer to it.
pub(super) struct KnownAccount {
    pub(super) id: i64,
    pub(super) name: String,
    pub(super) currency: String,
    pub(super) mrr_minor: i64,
}

/// Every account with an external id, by normalised id.
pub(super) fn known_accounts(conn: &mut DbConn) -> Result<HashMap<String, KnownAccount>, DbError> {
    let rows: Vec<(i64, Option<String>, String, String, i64)> = accounts::table
        .filter(accounts::external_id.is_not_null())
        .select((
            accounts::id,
            accounts::external_id,
            accounts::name,
            accounts::currency,
            accounts::mrr_minor,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, ext, name, currency, mrr_minor)| {
            Some((
                normalize_external_id(ext.as_deref()?),
                KnownAccount {
                    id,
                    name,
                    currency,
                    mrr_minor,
                },
            ))
        })
        .collect())
}

/// Reports a missing required cell.
pub(super) fn missing(problems: &mut Problems, row: u64, column: &str) {
    problems.push(
        row,
        Some(column),
        "missing_value",
        format!("“{column}” is required and empty."),
    );
}

/// Reports an external id that no account has.
pub(super) fn unknown_account(problems: &mut Problems, row: u64, ext: &str) {
    problems.push(
        row,
        Some("external_id"),
        "unknown_account",
        format!("No account has the external id {ext}; import the accounts file first."),
    );
}

/// The account a row's `external_id` cell names, reporting an empty cell or
/// an id no account has.
pub(super) fn account_of<'a>(
    problems: &mut Problems,
    row: u64,
    cell: Option<&str>,
    known: &'a HashMap<String, KnownAccount>,
) -> Option<&'a KnownAccount> {
    let Some(ext) = cell else {
        missing(problems, row, "external_id");
        return None;
    };
    let found = known.get(&normalize_external_id(ext));
    if found.is_none() {
        unknown_account(problems, row, ext);
    }
    found
}

/// Parses a required cell, reporting an empty cell or a parse error.
pub(super) fn required<T>(
    problems: &mut Problems,
    row: u64,
    column: &str,
    cell: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, kizuna_shared::cells::CellError>,
) -> Option<T> {
    let Some(text) = cell else {
        missing(problems, row, column);
        return None;
    };
    parse(text)
        .map_err(|e| problems.push(row, Some(column), e.code(), format!("“{column}”: {e}.")))
        .ok()
}

/// Reports a row whose cell count differs from the header's.
pub(super) fn check_width(problems: &mut Problems, table: &Table, row: &super::read::Row) -> bool {
    if row.cells.len() == table.headers.len() {
        return true;
    }
    problems.push(
        row.number,
        None,
        "bad_row",
        format!(
            "The row has {} cells but the header has {}; check for a stray separator or quote.",
            row.cells.len(),
            table.headers.len()
        ),
    );
    false
}

struct Parsed {
    row: u64,
    account: i64,
    month: NaiveDate,
    product: String,
    amount: i64,
    currency: String,
    key: String,
    name: String,
}

/// The checked MRR file.
pub(super) struct MrrPlan {
    outcome: Outcome,
    inserts: Vec<NewMrr>,
    updates: Vec<(i64, i64)>,
    /// Accounts whose current MRR changes: id → new MRR.
    current: Vec<(i64, i64)>,
}

pub(super) fn check(
    conn: &mut DbConn,
    table: &Table,
    cols: &Columns,
    progress: Progress<'_>,
) -> Result<MrrPlan, DbError> {
    let known = known_accounts(conn)?;
    let mut outcome = Outcome::default();
    let mut parsed = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<(i64, NaiveDate, String), u64> = HashMap::new();
    let total = table.rows.len();
    for (i, row) in table.rows.iter().enumerate() {
        tick(progress, "checking", i, total);
        let n = row.number;
        let p = &mut outcome.problems;
        let before = p.count;
        check_width(p, table, row);
        let cell = |c: &str| cols.cell(row, c);
        let account = account_of(p, n, cell("external_id"), &known);
        let month = required(p, n, "month", cell("month"), parse_month);
        let product = match cell("product") {
            None => {
                missing(p, n, "product");
                None
            }
            Some(t) if t.chars().count() > 100 => {
                p.push(
                    n,
                    Some("product"),
                    "invalid_value",
                    "“product” must be at most 100 characters.".into(),
                );
                None
            }
            Some(t) => Some(t.to_owned()),
        };
        let currency = match cell("currency") {
            None => {
                missing(p, n, "currency");
                None
            }
            Some(t) => match t.to_uppercase().parse::<Currency>() {
                Ok(c) => Some(c),
                Err(_) => {
                    p.push(
                        n,
                        Some("currency"),
                        "unknown_currency",
                        format!("“{t}” is not a currency Kizuna handles (JPY, USD, EUR)."),
                    );
                    None
                }
            },
        };
        if let (Some(a), Some(c)) = (account, currency) {
            if a.currency != c.as_str() {
                p.push(
                    n,
                    Some("currency"),
                    "currency_mismatch",
                    format!(
                        "“{}” bills in {}, not {}; amounts in different currencies are never mixed.",
                        a.name,
                        a.currency,
                        c.as_str()
                    ),
                );
            }
        }
        let amount = match (cell("mrr"), currency) {
            (None, _) => {
                missing(p, n, "mrr");
                None
            }
            (Some(t), Some(c)) => parse_amount(t, c)
                .map_err(|e| p.push(n, Some("mrr"), e.code(), format!("“mrr”: {e}.")))
                .ok(),
            (Some(_), None) => None,
        };
        if p.count > before {
            continue;
        }
        let (Some(account), Some(month), Some(product), Some(amount), Some(currency)) =
            (account, month, product, amount, currency)
        else {
            continue;
        };
        let dup_key = (account.id, month, product.clone());
        if let Some(first) = seen.get(&dup_key) {
            p.push(
                n,
                Some("product"),
                "duplicate_key",
                format!(
                    "Row {first} already gives {} for {} and {product}.",
                    account.name,
                    month.format("%Y-%m")
                ),
            );
            continue;
        }
        seen.insert(dup_key, n);
        let key = format!(
            "{} {} {product}",
            cell("external_id").unwrap_or_default(),
            month.format("%Y-%m")
        );
        parsed.push(Parsed {
            row: n,
            account: account.id,
            month,
            product,
            amount,
            currency: currency.as_str().to_owned(),
            key,
            name: account.name.clone(),
        });
    }

    // Existing rows of the accounts in the file, read in chunks.
    let touched: Vec<i64> = parsed
        .iter()
        .map(|p| p.account)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut stored: HashMap<(i64, NaiveDate, String), (i64, i64)> = HashMap::new();
    let mut months: HashMap<i64, BTreeMap<NaiveDate, i64>> = HashMap::new();
    for chunk in touched.chunks(5_000) {
        let rows: Vec<(i64, i64, NaiveDate, String, i64)> = account_mrr::table
            .filter(account_mrr::account_id.eq_any(chunk))
            .select((
                account_mrr::id,
                account_mrr::account_id,
                account_mrr::month,
                account_mrr::product,
                account_mrr::amount_minor,
            ))
            .load(conn)?;
        for (id, account, month, product, amount) in rows {
            *months.entry(account).or_default().entry(month).or_default() += amount;
            stored.insert((account, month, product), (id, amount));
        }
    }

    let mut plan = MrrPlan {
        outcome,
        inserts: Vec::new(),
        updates: Vec::new(),
        current: Vec::new(),
    };
    let mut changed_accounts: HashSet<i64> = HashSet::new();
    for p in parsed {
        let month_total = months
            .entry(p.account)
            .or_default()
            .entry(p.month)
            .or_default();
        match stored.get(&(p.account, p.month, p.product.clone())) {
            Some((_, amount)) if *amount == p.amount => {
                plan.outcome
                    .change(p.row, ImportAction::Unchanged, p.key, Some(p.name));
            }
            Some((id, amount)) => {
                *month_total += p.amount - amount;
                plan.updates.push((*id, p.amount));
                changed_accounts.insert(p.account);
                plan.outcome
                    .change(p.row, ImportAction::Update, p.key, Some(p.name));
            }
            None => {
                *month_total += p.amount;
                plan.inserts.push(NewMrr {
                    account_id: p.account,
                    month: p.month,
                    product: p.product,
                    amount_minor: p.amount,
                    currency: p.currency,
                });
                changed_accounts.insert(p.account);
                plan.outcome
                    .change(p.row, ImportAction::Create, p.key, Some(p.name));
            }
        }
    }
    let current_mrr: HashMap<i64, i64> = known.values().map(|a| (a.id, a.mrr_minor)).collect();
    for account in changed_accounts {
        let latest = months
            .get(&account)
            .and_then(|m| m.values().next_back().copied());
        if let Some(total) = latest {
            if current_mrr.get(&account) != Some(&total) {
                plan.current.push((account, total));
            }
        }
    }
    plan.current.sort_unstable();
    Ok(plan)
}

impl Plan for MrrPlan {
    fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    fn apply(&self, conn: &mut DbConn, progress: Progress<'_>) -> Result<(), DbError> {
        let total = self.inserts.len() + self.updates.len();
        progress("writing", 0, u64::try_from(total).unwrap_or(0));
        revenue::insert_many(conn, &self.inserts)?;
        for (i, (id, amount)) in self.updates.iter().enumerate() {
            tick(progress, "writing", self.inserts.len() + i, total);
            diesel::update(account_mrr::table.find(*id))
                .set(account_mrr::amount_minor.eq(*amount))
                .execute(conn)?;
        }
        let now = chrono::Utc::now().naive_utc();
        for (id, mrr) in &self.current {
            diesel::update(accounts::table.find(*id))
                .set((
                    accounts::mrr_minor.eq(*mrr),
                    accounts::version.eq(accounts::version + 1),
                    accounts::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    }
}
