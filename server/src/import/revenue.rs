//! Checking and applying a monthly MRR file: one row per account, month and
//! product line, upserted by that key. After writing, each touched account's
//! current MRR becomes the total of its latest month of history (a checked
//! sum: amounts of one currency only, no overflow).

use kizuna_shared::api::ImportCode;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use kizuna_shared::api::{ImportAction, ImportPhase, Money};
use kizuna_shared::cells::{parse_amount, parse_month};
use kizuna_shared::domain::Currency;

use super::{tick, Input, Outcome, Plan, Progress, RowCheck};
use crate::db::imports as queries;
use crate::db::revenue::{self, NewMrr};
use crate::db::{DbConn, DbError};

/// One checked row.
struct Parsed {
    row: u64,
    account: i64,
    month: NaiveDate,
    product: String,
    amount: Money,
    external_id: String,
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

/// Reads and checks every row; returns the rows that passed.
fn read_rows(
    input: &Input<'_>,
    known: &HashMap<String, queries::KnownAccount>,
    outcome: &mut Outcome,
) -> Vec<Parsed> {
    let mut parsed = Vec::with_capacity(input.table.row_count());
    let mut seen: HashMap<(i64, NaiveDate, String), u64> = HashMap::new();
    let total = input.table.row_count();
    for (i, row) in input.table.rows().enumerate() {
        tick(input.progress, ImportPhase::Checking, i, total);
        let mut check = RowCheck::new(input.table, row, input.cols, &mut outcome.problems);
        let account = check.account(known);
        let month = check.required("month", parse_month);
        let product = check.required_text("product", 100);
        let currency = check.currency(input.currency);
        if let (Some(a), Some(c)) = (account, currency) {
            if a.currency != c {
                check.problem(
                    Some("currency"),
                    ImportCode::CurrencyMismatch,
                    format!(
                        "“{}” bills in {}, not {c}; amounts in different currencies are never mixed.",
                        a.name, a.currency
                    ),
                );
            }
        }
        let amount = match currency {
            Some(c) => check
                .required("mrr", |t| parse_amount(t, c))
                .map(|minor| Money::new(minor, c)),
            None => {
                if check.cell("mrr").is_none() {
                    check.missing("mrr");
                }
                None
            }
        };
        if check.has_problems() {
            continue;
        }
        let (Some(account), Some(month), Some(product), Some(amount)) =
            (account, month, product, amount)
        else {
            continue;
        };
        let dup_key = (account.id, month, product.to_owned());
        if let Some(first) = seen.get(&dup_key) {
            check.problem(
                Some("product"),
                ImportCode::DuplicateKey,
                format!(
                    "Row {first} already gives {} for {} and {product}.",
                    account.name,
                    month.format("%Y-%m")
                ),
            );
            continue;
        }
        seen.insert(dup_key, check.n);
        parsed.push(Parsed {
            row: check.n,
            account: account.id,
            month,
            product: product.to_owned(),
            amount,
            external_id: check.cell("external_id").unwrap_or_default().to_owned(),
            name: account.name.clone(),
        });
    }
    parsed
}

pub(super) fn check(conn: &mut DbConn, input: &Input<'_>) -> Result<MrrPlan, DbError> {
    let known = queries::known_accounts(conn)?;
    let mut outcome = Outcome::default();
    let parsed = read_rows(input, &known, &mut outcome);

    // Existing rows of the accounts in the file, and each month's total.
    let currency_of: HashMap<i64, Currency> = known.values().map(|a| (a.id, a.currency)).collect();
    let touched: Vec<i64> = parsed
        .iter()
        .map(|p| p.account)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut stored: HashMap<(i64, NaiveDate, String), (i64, i64)> = HashMap::new();
    let mut months: HashMap<i64, BTreeMap<NaiveDate, Money>> = HashMap::new();
    for (id, account, month, product, amount) in queries::mrr_rows_of(conn, &touched)? {
        let currency = currency_of
            .get(&account)
            .copied()
            .ok_or_else(|| DbError::Corrupt(format!("MRR row {id} of an unknown account")))?;
        let total = months
            .entry(account)
            .or_default()
            .entry(month)
            .or_insert(Money::zero(currency));
        *total = revenue::sum_stored(
            &format!("MRR of account {account} in {month}"),
            currency,
            [*total, Money::new(amount, currency)],
        )?;
        stored.insert((account, month, product), (id, amount));
    }

    let mut plan = MrrPlan {
        outcome,
        inserts: Vec::new(),
        updates: Vec::new(),
        current: Vec::new(),
    };
    let mut changed_accounts: HashSet<i64> = HashSet::new();
    for p in parsed {
        let key = || {
            format!(
                "{} {} {}",
                p.external_id,
                p.month.format("%Y-%m"),
                p.product
            )
        };
        let total = months
            .entry(p.account)
            .or_default()
            .entry(p.month)
            .or_insert(Money::zero(p.amount.currency));
        let before = stored
            .get(&(p.account, p.month, p.product.clone()))
            .copied();
        let action = match before {
            Some((_, amount)) if amount == p.amount.amount_minor => ImportAction::Unchanged,
            Some(_) => ImportAction::Update,
            None => ImportAction::Create,
        };
        if action != ImportAction::Unchanged {
            let old = Money::new(before.map_or(0, |(_, a)| a), p.amount.currency);
            let next = total.checked_sub(old).and_then(|t| t.checked_add(p.amount));
            match next {
                Ok(next) => *total = next,
                Err(e) => {
                    plan.outcome.problems.push(
                        p.row,
                        Some("mrr"),
                        ImportCode::AmountTooLarge,
                        format!("“mrr”: {e} for {} in {}.", p.name, p.month.format("%Y-%m")),
                    );
                    continue;
                }
            }
            changed_accounts.insert(p.account);
        }
        plan.outcome.change(p.row, action, key, &p.name);
        match (action, before) {
            (ImportAction::Update, Some((id, _))) => {
                plan.updates.push((id, p.amount.amount_minor));
            }
            (ImportAction::Create, _) => plan.inserts.push(NewMrr {
                account_id: p.account,
                month: p.month,
                product: p.product,
                amount_minor: p.amount.amount_minor,
                currency: p.amount.currency.as_str().to_owned(),
            }),
            _ => {}
        }
    }
    let current_mrr: HashMap<i64, i64> = known.values().map(|a| (a.id, a.mrr_minor)).collect();
    for account in changed_accounts {
        let latest = months
            .get(&account)
            .and_then(|m| m.values().next_back().copied());
        if let Some(total) = latest {
            if current_mrr.get(&account) != Some(&total.amount_minor) {
                plan.current.push((account, total.amount_minor));
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

    fn outcome_mut(&mut self) -> &mut Outcome {
        &mut self.outcome
    }

    fn apply(&self, conn: &mut DbConn, progress: Progress<'_>) -> Result<(), DbError> {
        let total = self.inserts.len() + self.updates.len();
        progress(ImportPhase::Writing, 0, u64::try_from(total).unwrap_or(0));
        revenue::insert_many(conn, &self.inserts)?;
        let done = self.inserts.len();
        queries::set_mrr_amounts(conn, &self.updates, &|i| {
            tick(progress, ImportPhase::Writing, done + i, total);
        })?;
        queries::set_current_mrr(conn, &self.current)
    }
}
