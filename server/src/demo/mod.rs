//! Demo data: users for every role and realistic customer accounts from a
//! deterministic generator (same seed and date → same data): monthly MRR per
//! product line, monthly usage signals driven by a hidden health trajectory,
//! contacts with a champion, and a handful of deliberate duplicates.
//!
//! `generate` simulates one account; this module loads a whole run in one
//! transaction, chunk by chunk, so that 100,000 accounts with two years of
//! history (millions of signal rows) never sit in memory at once.

mod generate;
mod names;

use chrono::{NaiveDate, NaiveDateTime};
use kizuna_shared::api::Email;
use kizuna_shared::domain::Role;

pub use generate::{
    duplicate_count, duplicates, first_of, generate, next_anniversary, Context, Duplicate,
    Generated, Observation, PRODUCTS, SIGNALS,
};

use crate::auth::password;
use crate::db::accounts::NewAccount;
use crate::db::contacts::NewContact;
use crate::db::revenue::NewMrr;
use crate::db::signals::NewSignalValue;
use crate::db::users::NewUser;
use crate::db::{self, DbConn, DbError};

/// E-mail domain of the demo users.
pub const DEMO_DOMAIN: &str = "demo.kizuna";

/// Months of history by default.
pub const DEFAULT_MONTHS: u32 = 24;

/// Accounts simulated and inserted per step: large enough for big multi-row
/// inserts, small enough that a step's signal rows stay a few MB.
const CHUNK: usize = 2_000;

/// The demo users: e-mail, display name, role. The first four are the
/// sign-in users of each role; `csm@demo.kizuna` owns a large share of accounts.
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("admin@demo.kizuna", "渡辺 健二", Role::Admin),
    ("manager@demo.kizuna", "Emily Carter", Role::Manager),
    ("csm@demo.kizuna", "佐藤 美咲", Role::Csm),
    ("exec@demo.kizuna", "Robert Chen", Role::Executive),
    ("daisuke.takahashi@demo.kizuna", "高橋 大輔", Role::Csm),
    ("sarah.johnson@demo.kizuna", "Sarah Johnson", Role::Csm),
    ("hina.tanaka@demo.kizuna", "田中 陽菜", Role::Csm),
    ("michael.brown@demo.kizuna", "Michael Brown", Role::Csm),
    ("shota.ito@demo.kizuna", "伊藤 翔太", Role::Csm),
    ("olivia.wilson@demo.kizuna", "Olivia Wilson", Role::Csm),
];

/// The CSM who gets the largest share of accounts.
pub const FAVOURED_CSM: &str = "csm@demo.kizuna";

/// What to seed.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Number of accounts to add (deliberate duplicates included).
    pub accounts: usize,
    /// Months of MRR and signal history, ending with the month of `as_of`.
    pub months: u32,
    /// Random seed.
    pub seed: u64,
    /// Password of every demo user; generated when `None`.
    pub password: Option<String>,
    /// "Today" for the generated dates.
    pub as_of: NaiveDate,
}

/// What seeding did.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// E-mails of the users created (existing ones are kept as they are).
    pub users_created: Vec<String>,
    /// The demo users' password (only meaningful when users were created).
    pub password: String,
    /// Whether the password was generated (and must be shown to the operator).
    pub password_generated: bool,
    /// Accounts inserted.
    pub accounts_created: usize,
    /// MRR rows inserted.
    pub mrr_rows: usize,
    /// Signal values inserted.
    pub signal_rows: usize,
    /// Contacts inserted.
    pub contacts_created: usize,
}

/// Creates the missing demo users and adds `options.accounts` accounts with
/// their history, in one transaction.
pub fn seed(conn: &mut DbConn, options: &DemoOptions) -> Result<DemoReport, DbError> {
    let (password, password_generated) = match &options.password {
        Some(p) => (p.clone(), false),
        None => (password::random_password(20), true),
    };
    crate::db::write_tx(conn, |conn| {
        let mut users_created = Vec::new();
        for (email, name, role) in DEMO_USERS {
            let email = demo_email(email)?;
            if db::users::id_by_email(conn, &email)?.is_some() {
                continue;
            }
            let password_hash =
                password::hash(&password).map_err(|e| DbError::Corrupt(e.to_string()))?;
            db::users::insert(
                conn,
                &NewUser {
                    email: email.clone(),
                    name: (*name).to_owned(),
                    role: *role,
                    password_hash,
                },
            )?;
            users_created.push(email.to_string());
        }
        let ctx = Context {
            seed: options.seed,
            as_of: options.as_of,
            months: options.months.max(1),
            owners: db::users::ids_with_role(conn, Role::Csm)?,
            favoured: db::users::id_by_email(conn, &demo_email(FAVOURED_CSM)?)?,
            now: chrono::Utc::now().naive_utc(),
        };
        let start = usize::try_from(db::accounts::count(conn)?).unwrap_or(0);
        // A large page cache for the load only: millions of index entries
        // otherwise spill dirty pages to the WAL again and again inside the
        // one transaction. Restored to SQLite's default afterwards.
        // The date indexes are rebuilt once after the load (one sorted pass)
        // instead of being updated by millions of scattered inserts; DDL is
        // transactional in SQLite, so a failed load leaves them as they were.
        db::bulk::begin(conn)?;
        let loaded = load(conn, &ctx, start, options.accounts);
        let loaded = loaded.and_then(|l| db::bulk::end(conn).map(|()| l));
        let loaded = loaded?;
        // Running servers (and their KPI caches) learn of the new data.
        db::events::record(conn, kizuna_shared::api::ChangeKind::Import, None)?;
        Ok(DemoReport {
            users_created,
            password: password.clone(),
            password_generated,
            ..loaded
        })
    })
}

/// A demo user's address as an [`Email`] (the constants are valid).
fn demo_email(text: &str) -> Result<Email, DbError> {
    Email::parse(text).map_err(|e| DbError::Corrupt(format!("demo user {text}: {e}")))
}

/// Row buffers reused from chunk to chunk.
#[derive(Default)]
struct Buffers {
    /// Reused text of the history INSERT statements.
    sql: String,
    accounts: Vec<NewAccount>,
    mrr: Vec<NewMrr>,
    signals: Vec<NewSignalValue>,
    contacts: Vec<NewContact>,
}

/// Generates and inserts accounts `start..start + count` with their history.
fn load(
    conn: &mut DbConn,
    ctx: &Context,
    start: usize,
    count: usize,
) -> Result<DemoReport, DbError> {
    let mut report = DemoReport {
        users_created: Vec::new(),
        password: String::new(),
        password_generated: false,
        accounts_created: 0,
        mrr_rows: 0,
        signal_rows: 0,
        contacts_created: 0,
    };
    let mut buf = Buffers::default();
    let mut generated = generate_all(ctx, start, count).peekable();
    while generated.peek().is_some() {
        let chunk: Vec<Generated> = generated.by_ref().take(CHUNK).collect();
        buf.accounts.clear();
        buf.accounts.extend(chunk.iter().map(|g| g.account.clone()));
        // The ids come from the database; rows inserted in one transaction
        // get increasing ids, so the new ids are those above the old maximum.
        let before = db::accounts::max_id(conn)?;
        report.accounts_created += db::accounts::insert_many(conn, &buf.accounts)?;
        let ids = db::accounts::ids_above(conn, before)?;
        if ids.len() != chunk.len() {
            return Err(DbError::Corrupt(format!(
                "expected {} new account ids, found {}",
                chunk.len(),
                ids.len()
            )));
        }
        buf.mrr.clear();
        buf.signals.clear();
        buf.contacts.clear();
        for (g, &account_id) in chunk.iter().zip(&ids) {
            let currency = &g.account.currency;
            buf.mrr
                .extend(g.mrr.iter().map(|&(month, product, amount)| NewMrr {
                    account_id,
                    month,
                    product: PRODUCTS[usize::from(product)].to_owned(),
                    amount_minor: amount,
                    currency: currency.clone(),
                }));
            for o in &g.signals {
                buf.signals
                    .extend(
                        SIGNALS
                            .iter()
                            .zip(o.values)
                            .map(|(key, value)| NewSignalValue {
                                account_id,
                                signal_key: (*key).to_owned(),
                                observed_on: o.on,
                                value,
                            }),
                    );
            }
            buf.contacts.extend(g.contacts.iter().map(|c| NewContact {
                account_id,
                name: c.name.clone(),
                email: (!c.email.is_empty()).then(|| c.email.clone()),
                title: Some(c.title.to_owned()),
                phone: Some(c.phone.clone()),
                is_champion: c.is_champion,
                created_at: ctx.now,
            }));
        }
        report.mrr_rows += db::bulk::insert_mrr(conn, &buf.mrr, &PRODUCTS, &mut buf.sql)?;
        report.signal_rows += db::bulk::insert_signals(conn, &buf.signals, &SIGNALS, &mut buf.sql)?;
        report.contacts_created += db::contacts::insert_many(conn, &buf.contacts)?;
    }
    Ok(report)
}

/// Generates `count` accounts deterministically from `seed` (external ids
/// continue from `start`), without their history. Owners are drawn from
/// `owners`, with `favoured` getting about a quarter of all accounts on top
/// of its fair share.
pub fn generate_accounts(
    seed: u64,
    start: usize,
    count: usize,
    owners: &[i64],
    favoured: Option<i64>,
    as_of: NaiveDate,
    now: NaiveDateTime,
) -> Vec<NewAccount> {
    let ctx = Context {
        seed,
        as_of,
        months: DEFAULT_MONTHS,
        owners: owners.to_vec(),
        favoured,
        now,
    };
    generate_all(&ctx, start, count)
        .map(|g| g.account)
        .collect()
}

/// Every account of a run with its history, in external-id order.
pub fn generate_all(
    ctx: &Context,
    start: usize,
    count: usize,
) -> impl Iterator<Item = Generated> + '_ {
    let dups = duplicates(ctx.seed, start, count);
    (start..start + count).map(move |index| {
        let dup = dups.iter().find(|(i, _)| *i == index).map(|(_, d)| *d);
        generate(ctx, index, dup)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kizuna_shared::cells::{company_domain, normalize_company_name};
    use kizuna_shared::domain::{Currency, Tier};
    use kizuna_shared::metrics::backtest::auc;
    use std::collections::{BTreeMap, HashMap, HashSet};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn ctx(seed: u64, months: u32) -> Context {
        let as_of = date(2026, 5, 1);
        Context {
            seed,
            as_of,
            months,
            owners: vec![1, 2, 3, 4, 5, 6, 7],
            favoured: Some(3),
            now: as_of.and_hms_opt(0, 0, 0).unwrap(),
        }
    }

    fn sample(seed: u64, n: usize) -> Vec<NewAccount> {
        let as_of = date(2026, 5, 1);
        let now = as_of.and_hms_opt(0, 0, 0).unwrap();
        generate_accounts(seed, 0, n, &[1, 2, 3, 4, 5, 6, 7], Some(3), as_of, now)
    }

    #[test]
    fn the_same_seed_generates_the_same_accounts_and_history() {
        assert_eq!(sample(42, 300), sample(42, 300));
        assert_ne!(sample(42, 300), sample(43, 300));
        let c = ctx(5, 24);
        let a: Vec<Generated> = generate_all(&c, 0, 300).collect();
        let b: Vec<Generated> = generate_all(&c, 0, 300).collect();
        assert_eq!(a, b);
        // An account does not depend on which chunk it was generated in.
        let tail: Vec<Generated> = (250..300)
            .map(|i| {
                let dup = duplicates(5, 0, 300)
                    .into_iter()
                    .find(|(j, _)| *j == i)
                    .map(|(_, d)| d);
                generate(&c, i, dup)
            })
            .collect();
        assert_eq!(&a[250..], &tail[..]);
    }

    #[test]
    fn generated_accounts_have_a_realistic_mix() {
        let accounts = sample(7, 2000);
        let share = |f: &dyn Fn(&NewAccount) -> bool| {
            accounts.iter().filter(|a| f(a)).count() as f64 / accounts.len() as f64
        };
        let jpy = share(&|a| a.currency == "JPY");
        assert!((0.55..0.65).contains(&jpy), "JPY share {jpy}");
        let churned = share(&|a| a.status == "churned");
        assert!((0.08..0.16).contains(&churned), "churned share {churned}");
        let favoured = share(&|a| a.owner_id == Some(3));
        assert!(favoured > 0.3, "favoured CSM share {favoured}");
        for tier in Tier::ALL {
            let s = share(&|a| Tier::of(a.mrr_minor, a.currency.parse().unwrap()) == *tier);
            assert!(s > 0.1, "{tier} share {s}");
        }
        let as_of = date(2026, 5, 1);
        for a in &accounts {
            if a.status == "active" {
                assert!(a.renewal_date.unwrap() > as_of);
                assert!(a.churn_date.is_none());
            } else {
                assert!(a.churn_date.unwrap() <= as_of);
                assert!(a.churn_reason.is_some());
            }
            assert!(a.contract_start.unwrap() <= as_of);
            assert!(a.mrr_minor > 0);
        }
        assert!(accounts.iter().any(|a| a.name.starts_with("株式会社")));
    }

    #[test]
    fn history_is_consistent_with_the_account() {
        let c = ctx(11, 24);
        let first = c.first_month();
        let (mut new, mut reactivated, mut cross_sell, mut upsell, mut contraction) =
            (0, 0, 0, 0, 0);
        for g in generate_all(&c, 0, 3000) {
            let a = &g.account;
            let mut by_month: BTreeMap<NaiveDate, [i64; 4]> = BTreeMap::new();
            for &(month, p, amount) in &g.mrr {
                assert!(amount > 0 && month >= first && month <= c.as_of);
                by_month.entry(month).or_default()[usize::from(p)] = amount;
            }
            let (&last_month, last) = by_month.iter().next_back().unwrap();
            assert_eq!(a.mrr_minor, last.iter().sum::<i64>(), "{a:?}");
            let currency: Currency = a.currency.parse().unwrap();
            let _ = Tier::of(a.mrr_minor, currency);
            let start = a.contract_start.unwrap();
            assert!(*by_month.keys().next().unwrap() >= first_of(start).max(first));
            if first_of(start) > first {
                new += 1;
            }
            match a.churn_date {
                // Rows stop in the month of churn.
                Some(churned) => assert!(last_month < first_of(churned), "{a:?}"),
                None => assert_eq!(last_month, first_of(c.as_of)),
            }
            reactivated += usize::from(g.reactivated);
            let months: Vec<&[i64; 4]> = by_month.values().collect();
            for w in months.windows(2) {
                cross_sell += usize::from((1..4).any(|p| w[0][p] == 0 && w[1][p] > 0));
                upsell += usize::from((0..4).any(|p| w[0][p] > 0 && w[1][p] > w[0][p]));
                contraction += usize::from((0..4).any(|p| w[1][p] > 0 && w[1][p] < w[0][p]));
            }
            // Signals: one reading a live month over the last year (a quarter
            // before), within range, ending at as_of when active.
            let dates: Vec<NaiveDate> = g.signals.iter().map(|o| o.on).collect();
            assert!(dates.windows(2).all(|w| w[0] < w[1]));
            if a.status == "active" {
                assert_eq!(dates.last(), Some(&c.as_of));
            } else {
                assert!(dates.iter().all(|d| *d < a.churn_date.unwrap()));
            }
            for o in &g.signals {
                let [login, active, setup, tickets, adoption, sentiment] = o.values;
                assert!((0.0..=120.0).contains(&login));
                assert!((0.0..=100.0).contains(&active));
                assert!((0.0..=100.0).contains(&setup));
                assert!(tickets >= 0.0 && tickets.fract() == 0.0);
                assert!((0.0..=100.0).contains(&adoption));
                assert!((1.0..=5.0).contains(&sentiment) && sentiment.fract() == 0.0);
            }
            // Contacts: 1–4, exactly one champion when there is a champion name.
            assert!((1..=4).contains(&g.contacts.len()));
            let champions: Vec<_> = g.contacts.iter().filter(|c| c.is_champion).collect();
            match &a.champion_name {
                Some(name) => {
                    assert_eq!(champions.len(), 1);
                    assert_eq!(&champions[0].name, name);
                }
                None => {
                    assert!(champions.is_empty());
                    assert!(a.champion_changed_on.is_none());
                }
            }
            if let (Some(domain), Some(c)) = (&a.domain, g.contacts.first()) {
                assert!(c.email.ends_with(&format!("@{domain}")));
            }
        }
        assert!(new > 1000, "new business {new}");
        assert!(reactivated > 10, "reactivated {reactivated}");
        assert!(cross_sell > 300, "cross-sell {cross_sell}");
        assert!(upsell > 500, "upsell {upsell}");
        assert!(contraction > 200, "contraction {contraction}");
    }

    /// The latest reading of each signal on or before `on`.
    fn as_of(g: &Generated, on: NaiveDate) -> Option<[f64; 6]> {
        g.signals
            .iter()
            .rev()
            .find(|o| o.on <= on)
            .map(|o| o.values)
    }

    #[test]
    fn signals_predict_churn_well_but_not_perfectly() {
        for seed in [2024, 1, 77] {
            signals_predict_churn_for(seed);
        }
    }

    fn signals_predict_churn_for(seed: u64) {
        let c = ctx(seed, 24);
        let d = date(2025, 11, 1);
        let horizon = date(2026, 4, 30);
        let (mut rows, mut churned) = (Vec::new(), Vec::new());
        for g in generate_all(&c, 0, 5000) {
            let a = &g.account;
            if a.contract_start.unwrap() > d || a.churn_date.is_some_and(|x| x <= d) {
                continue;
            }
            let Some(values) = as_of(&g, d) else { continue };
            rows.push(values);
            churned.push(a.churn_date.is_some_and(|x| x > d && x <= horizon));
        }
        let positives = churned.iter().filter(|c| **c).count();
        assert!(positives > 100, "{positives} churners");
        // Each signal alone points the right way. `auc` reads a health
        // score (higher = healthier), so the sign makes higher = better.
        let direction = [-1.0, 1.0, 1.0, -1.0, 1.0, 1.0];
        let mut z = vec![0.0; rows.len()];
        for k in 0..6 {
            let col: Vec<f64> = rows.iter().map(|r| r[k]).collect();
            let n = col.len() as f64;
            let mean = col.iter().sum::<f64>() / n;
            let sd = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
            let risk: Vec<f64> = col.iter().map(|v| direction[k] * v).collect();
            let single = auc(&risk, &churned).unwrap();
            eprintln!("{}: AUC {single:.3}", SIGNALS[k]);
            assert!(
                (0.53..0.85).contains(&single),
                "{}: AUC {single}",
                SIGNALS[k]
            );
            for (zi, v) in z.iter_mut().zip(&col) {
                *zi += direction[k] * (v - mean) / sd / 6.0;
            }
        }
        let combined = auc(&z, &churned).unwrap();
        eprintln!(
            "combined AUC {combined:.3}, {positives} of {} churned",
            z.len()
        );
        assert!((0.70..=0.85).contains(&combined), "combined AUC {combined}");
    }

    #[test]
    fn deliberate_duplicates_are_detectable() {
        for n in [100, 600, 5000] {
            let accounts: Vec<NewAccount> = sample(7, n);
            let dups = duplicates(7, 0, n);
            assert_eq!(dups.len(), duplicate_count(n));
            assert!(dups.len() >= 2);
            let mut names: HashMap<String, usize> = HashMap::new();
            let mut domains: HashMap<String, usize> = HashMap::new();
            for a in &accounts {
                *names.entry(normalize_company_name(&a.name)).or_default() += 1;
                if let Some(d) = &a.domain {
                    *domains.entry(company_domain(d).unwrap()).or_default() += 1;
                }
            }
            for (i, dup) in &dups {
                let a = &accounts[*i];
                match dup {
                    Duplicate::Name(of) => {
                        assert_ne!(a.name, accounts[*of].name);
                        assert_eq!(names[&normalize_company_name(&a.name)], 2);
                    }
                    Duplicate::Domain(of) => {
                        assert_eq!(a.domain, accounts[*of].domain);
                        assert_eq!(
                            domains[a.domain.as_deref().unwrap()],
                            2,
                            "{n} {i} {of} {:?} {:?}",
                            a.domain,
                            accounts[*of].domain
                        );
                    }
                }
                let (Duplicate::Name(of) | Duplicate::Domain(of)) = dup;
                assert_ne!(a.external_id, accounts[*of].external_id);
            }
            let shared_domains = domains.values().filter(|&&c| c > 1).count();
            assert_eq!(shared_domains, dups.len() / 2, "n = {n}");
            if n <= 600 {
                // Small runs: only the deliberate duplicates share a name.
                let shared_names = names.values().filter(|&&c| c > 1).count();
                // (English domain duplicates also share the name.)
                assert!(
                    (dups.len().div_ceil(2)..=dups.len()).contains(&shared_names),
                    "n = {n}: {shared_names}"
                );
            }
        }
        let ids: HashSet<_> = sample(7, 600).into_iter().map(|a| a.external_id).collect();
        assert!(ids.contains(&Some("CRM-000001".to_owned())) && ids.len() == 600);
    }

    #[test]
    fn anniversaries_fall_after_the_reference_date() {
        assert_eq!(
            next_anniversary(date(2024, 3, 10), date(2026, 5, 1)),
            date(2027, 3, 10)
        );
        assert_eq!(
            next_anniversary(date(2025, 8, 1), date(2026, 5, 1)),
            date(2026, 8, 1)
        );
    }
}
