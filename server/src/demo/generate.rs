//! The account simulator: one account's whole story over the demo window.
//!
//! Every account has a hidden health trajectory (a per-account base level
//! plus a random walk with drift). Churn is more likely for low-health
//! accounts, and most churners' health declines over the months before they
//! leave; a few healthy accounts churn anyway (budget cuts) and many unhealthy
//! ones stay. The six usage signals are noisy readings of that health, so a
//! back-test finds a real but imperfect signal. MRR moves (upsell, downgrade,
//! cross-sell, churn, reactivation) also lean on health.
//!
//! Each account draws from its own ChaCha stream (seed, account number), so
//! an account's data does not depend on how the run is chunked, and the
//! whole run is reproducible from seed and `as_of`.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime};
use kizuna_shared::domain::{AccountStatus, Currency, ExpansionPotential, Tier};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::names::{self, pick};
use crate::db::accounts::NewAccount;

/// Product lines: the core plan first, then the add-ons.
pub const PRODUCTS: [&str; 4] = ["core", "analytics", "api", "premium_support"];

/// The six built-in signals, in the order of [`Observation::values`].
pub const SIGNALS: [&str; 6] = [
    "days_since_login",
    "active_user_ratio",
    "setup_progress",
    "support_tickets_30d",
    "feature_adoption",
    "csm_sentiment",
];

/// Signals are read monthly over this many latest months, quarterly before.
pub const MONTHLY_SIGNAL_MONTHS: u32 = 12;

/// What the whole run shares.
#[derive(Debug, Clone)]
pub struct Context {
    /// Random seed.
    pub seed: u64,
    /// "Today".
    pub as_of: NaiveDate,
    /// Months of history, ending with the month of `as_of`.
    pub months: u32,
    /// CSM user ids.
    pub owners: Vec<i64>,
    /// The CSM with the largest share.
    pub favoured: Option<i64>,
    /// Creation time of the rows.
    pub now: NaiveDateTime,
}

impl Context {
    /// First day of the first month of the window.
    pub fn first_month(&self) -> NaiveDate {
        first_of(self.as_of)
            .checked_sub_months(Months::new(self.months.saturating_sub(1)))
            .unwrap_or(self.as_of)
    }

    fn month(&self, index: u32) -> NaiveDate {
        self.first_month()
            .checked_add_months(Months::new(index))
            .unwrap_or(self.as_of)
    }

    fn index_of(&self, date: NaiveDate) -> i64 {
        let f = self.first_month();
        i64::from(date.year() - f.year()) * 12 + i64::from(date.month0()) - i64::from(f.month0())
    }
}

/// What an account duplicates (a deliberate duplicate for the duplicates page).
#[derive(Debug, Clone, Copy)]
pub enum Duplicate {
    /// Same company name written differently, own domain missing.
    Name(usize),
    /// Same domain, name typed from the web site.
    Domain(usize),
}

/// One month's signal readings.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Date of the readings.
    pub on: NaiveDate,
    /// Values in the order of [`SIGNALS`].
    pub values: [f64; 6],
}

/// A contact to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactSpec {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Title.
    pub title: &'static str,
    /// Phone.
    pub phone: String,
    /// The champion.
    pub is_champion: bool,
}

/// Everything generated for one account.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The account row.
    pub account: NewAccount,
    /// MRR rows: month, product index into [`PRODUCTS`], amount.
    pub mrr: Vec<(NaiveDate, u8, i64)>,
    /// Monthly signal readings, oldest first.
    pub signals: Vec<Observation>,
    /// Contacts (the champion first when there is one).
    pub contacts: Vec<ContactSpec>,
    /// Whether the account churned and came back (a gap in its history).
    pub reactivated: bool,
}

/// First day of the month of `date`.
pub fn first_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn last_of(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(month)
}

fn days_before(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

fn days_after(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

/// The first yearly anniversary of `start` strictly after `after`.
pub fn next_anniversary(start: NaiveDate, after: NaiveDate) -> NaiveDate {
    let mut years = u32::try_from((after.year() - start.year()).max(0)).unwrap_or(0);
    loop {
        match start.checked_add_months(Months::new(12 * years)) {
            Some(date) if date > after => return date,
            Some(_) => years += 1,
            None => return after,
        }
    }
}

/// A standard normal draw (Box–Muller; one draw per call is plenty here).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A Poisson draw (Knuth; λ stays small).
fn poisson(rng: &mut ChaCha8Rng, lambda: f64) -> f64 {
    let limit = (-lambda.min(30.0)).exp();
    let mut k = 0.0;
    let mut p: f64 = rng.random();
    while p > limit {
        k += 1.0;
        p *= rng.random::<f64>();
    }
    k
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn round_to(value: f64, step: i64) -> i64 {
    ((value / step as f64).round() as i64 * step).max(step)
}

/// The stream of account number `index` for `purpose`.
fn stream(seed: u64, index: usize, purpose: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((index as u64) << 2 | purpose);
    rng
}

/// Whether account number `index` is Japanese, and its company.
pub fn company_of(seed: u64, index: usize) -> names::Company {
    let mut rng = stream(seed, index, 1);
    let japanese = rng.random_bool(0.6);
    // The offset makes different seeds name accounts differently.
    let offset = (seed % 100_003) as usize;
    names::company(&mut rng, index, offset, japanese)
}

/// Generates account number `index` (global, 0-based: its external id is
/// `CRM-{index + 1}`).
pub fn generate(ctx: &Context, index: usize, duplicate: Option<Duplicate>) -> Generated {
    let mut rng = stream(ctx.seed, index, 0);
    let mut company = company_of(ctx.seed, index);
    match duplicate {
        Some(Duplicate::Name(of)) => {
            let original = company_of(ctx.seed, of);
            company = names::Company {
                name: names::name_variant(&original.name),
                ..original
            };
            // A CRM duplicate typed by hand often has no web site.
            company.domain.clear();
        }
        Some(Duplicate::Domain(of)) => {
            let original = company_of(ctx.seed, of);
            company = names::Company {
                name: original.latin.clone(),
                ..original
            };
        }
        None => {}
    }
    let japanese = company.japanese;
    let currency = if japanese {
        Currency::Jpy
    } else {
        Currency::Usd
    };
    let step = if japanese { 1_000 } else { 100 };
    let last = ctx.months.saturating_sub(1);

    // --- contract and churn timeline (month indices in the window) ---
    let contract_start = days_before(ctx.as_of, rng.random_range(0..1095));
    let start_m = ctx.index_of(contract_start).max(0) as u32;
    let base = normal(&mut rng);
    let drift = 0.03 * normal(&mut rng);
    // Health churn leans on the base level; budget cuts hit anyone.
    let health_churn = rng.random_bool(sigmoid(-2.4 - 1.0 * base));
    let budget_cut = rng.random_bool(0.035);
    let mut churn_m = None;
    if (health_churn || budget_cut) && start_m + 2 <= last {
        churn_m = Some(rng.random_range(start_m + 2..=last));
    }
    let declining = health_churn && rng.random_bool(0.8);
    let decline_depth = rng.random_range(1.4..2.6);
    let decline_months = rng.random_range(3..=8) as f64;
    let mut return_m = None;
    if let Some(c) = churn_m {
        if c + 3 <= last && rng.random_bool(0.15) {
            return_m = Some(rng.random_range(c + 2..=(c + 6).min(last)));
        }
    }
    let churned_for_good = churn_m.is_some() && return_m.is_none();

    // --- health, MRR and signals, month by month ---
    let tier0 = match rng.random_range(0..100) {
        0..=49 => Tier::Tech,
        50..=84 => Tier::Low,
        _ => Tier::High,
    };
    let (lo, hi) = tier0.mrr_range(currency);
    let hi = hi.unwrap_or(lo * 6);
    let lo = lo.max(10_000);
    let mut amounts = [0i64; 4];
    amounts[0] = round_to(rng.random_range(lo as f64..hi as f64) * 0.92, step);
    if rng.random_bool(0.25) {
        let p = rng.random_range(1..4);
        amounts[p] = round_to(amounts[0] as f64 * rng.random_range(0.1..0.3), step);
    }
    let plateau = (70.0 + 15.0 * base + 10.0 * normal(&mut rng)).clamp(15.0, 100.0);
    let seat_tickets = match tier0 {
        Tier::Tech => 0.4,
        Tier::Low => 1.0,
        Tier::High => 2.0,
    };
    let mut walk = 0.0;
    let mut mrr = Vec::with_capacity(ctx.months as usize * 2);
    let mut signals = Vec::with_capacity(ctx.months as usize);
    let mut health = base;
    let mut last_live_total = 0;
    for m in start_m..=last {
        walk += drift + 0.12 * normal(&mut rng);
        let to_churn = churn_m.map(|c| f64::from(c) - f64::from(m));
        let decline = match to_churn {
            Some(d) if declining && d > 0.0 && d <= decline_months => {
                decline_depth * (1.0 - (d - 1.0) / decline_months)
            }
            _ => 0.0,
        };
        health = base + walk - decline;
        let gone = match (churn_m, return_m) {
            (Some(c), Some(r)) => m >= c && m < r,
            (Some(c), None) => m >= c,
            _ => false,
        };
        if gone {
            continue;
        }
        if return_m == Some(m) {
            // A returning customer comes back on a smaller core plan.
            amounts = [
                round_to(amounts[0] as f64 * rng.random_range(0.6..1.0), step),
                0,
                0,
                0,
            ];
            walk += 0.5;
        } else if m > start_m {
            let h = sigmoid(health);
            if rng.random_bool(0.015 + 0.03 * h) {
                let held: Vec<usize> = (0..4).filter(|&p| amounts[p] > 0).collect();
                let p = held[rng.random_range(0..held.len())];
                amounts[p] = round_to(amounts[p] as f64 * rng.random_range(1.1..1.5), step);
            }
            if rng.random_bool(0.004 + 0.02 * (1.0 - h)) {
                let held: Vec<usize> = (0..4).filter(|&p| amounts[p] > 0).collect();
                let p = held[rng.random_range(0..held.len())];
                amounts[p] = round_to(amounts[p] as f64 * rng.random_range(0.5..0.9), step);
            }
            if rng.random_bool(0.006 + 0.02 * h) {
                let missing: Vec<usize> = (1..4).filter(|&p| amounts[p] == 0).collect();
                if !missing.is_empty() {
                    let p = missing[rng.random_range(0..missing.len())];
                    amounts[p] = round_to(amounts[0] as f64 * rng.random_range(0.1..0.3), step);
                }
            }
        }
        let month = ctx.month(m);
        for (p, &amount) in amounts.iter().enumerate() {
            if amount > 0 {
                mrr.push((month, p as u8, amount));
            }
        }
        last_live_total = amounts.iter().sum();
        // One reading per live month, at month end (at as_of for this month)
        // over the last year; before that one per quarter (quarter ends), which
        // is enough for back-tests at older dates and keeps a 100,000-account
        // load to about a third fewer signal rows.
        let on = if m == last { ctx.as_of } else { last_of(month) };
        let recent = last - m < MONTHLY_SIGNAL_MONTHS;
        if on < contract_start || (!recent && month.month() % 3 != 0) {
            continue;
        }
        let age = f64::from(m - start_m) + 1.0;
        let h = health;
        let login = (3.0 * (-0.9 * h + 0.6 * normal(&mut rng)).exp())
            .round()
            .min(120.0);
        let active =
            (100.0 * sigmoid(0.4 + 0.8 * h + 0.6 * normal(&mut rng)) * 10.0).round() / 10.0;
        let setup = (plateau * (1.0 - (-age / 2.0).exp())).round();
        let tickets = poisson(&mut rng, seat_tickets * (-0.5 * h).exp());
        let adoption = (100.0
            * sigmoid(-0.3 + 0.6 * h + 0.6 * normal(&mut rng))
            * (1.0 - (-age / 4.0).exp())
            * 10.0)
            .round()
            / 10.0;
        let sentiment = (3.2 + 0.8 * h + 0.75 * normal(&mut rng))
            .round()
            .clamp(1.0, 5.0);
        signals.push(Observation {
            on,
            values: [login, active, setup, tickets, adoption, sentiment],
        });
    }

    // --- the account row, consistent with the history ---
    let mrr_minor = last_live_total;
    let tier = Tier::of(mrr_minor, currency);
    let plan = match (tier, rng.random_range(0..10)) {
        (Tier::Tech, 0..=7) | (Tier::Low, 0) => "Starter",
        (Tier::High, 0..=7) | (Tier::Low, 8..=9) => "Enterprise",
        _ => "Growth",
    };
    let churn_date = churn_m.filter(|_| churned_for_good).map(|c| {
        let month = ctx.month(c);
        let end = last_of(month).min(ctx.as_of);
        let span = u64::try_from((end - month).num_days().max(0)).unwrap_or(0);
        days_after(month, rng.random_range(0..=span)).max(contract_start)
    });
    let (status, churn_reason, renewal_date) = if churned_for_good {
        let reasons = if japanese {
            names::JP_CHURN_REASONS
        } else {
            names::EN_CHURN_REASONS
        };
        // Budget cuts are the reason when health had nothing to do with it.
        let reason = if budget_cut && !health_churn {
            reasons[0]
        } else {
            pick(&mut rng, reasons)
        };
        (AccountStatus::Churned, Some(reason.to_owned()), None)
    } else {
        (
            AccountStatus::Active,
            None,
            Some(next_anniversary(contract_start, ctx.as_of)),
        )
    };
    let owner_id = match ctx.favoured {
        Some(id) if rng.random_bool(0.25) => Some(id),
        _ if ctx.owners.is_empty() => None,
        _ => Some(ctx.owners[rng.random_range(0..ctx.owners.len())]),
    };
    let expansion_potential = if churned_for_good {
        ExpansionPotential::None
    } else {
        // Healthy accounts are the ones worth an upsell or cross-sell talk.
        let r: f64 = rng.random();
        let good = sigmoid(1.5 * health - 0.5);
        if r < 0.08 {
            ExpansionPotential::TrialGrowth
        } else if r < 0.08 + 0.45 * good {
            if rng.random_bool(0.6) {
                ExpansionPotential::Upsell
            } else {
                ExpansionPotential::CrossSell
            }
        } else {
            ExpansionPotential::None
        }
    };

    // --- champion and contacts ---
    let end = churn_date.unwrap_or(ctx.as_of);
    let span = u64::try_from((end - contract_start).num_days().max(1)).unwrap_or(1);
    let champion = rng
        .random_bool(0.85)
        .then(|| names::person(&mut rng, japanese));
    let changed = match (&champion, churn_m) {
        // Champions leave before customers do.
        (Some(_), Some(_)) if health_churn && rng.random_bool(0.45) => {
            Some(days_before(end, rng.random_range(0..120.min(span))))
        }
        (Some(_), _) => match rng.random_range(0..100) {
            0..=11 => Some(days_before(end, rng.random_range(0..90.min(span)))),
            12..=35 => Some(days_before(end, rng.random_range(0..span))),
            _ => None,
        },
        _ => None,
    }
    .map(|d| d.max(contract_start));
    let mut contacts: Vec<ContactSpec> = Vec::with_capacity(4);
    let domain = company.domain.clone();
    let email = |local: &str| {
        if domain.is_empty() {
            String::new()
        } else {
            format!("{local}@{domain}")
        }
    };
    if let Some((name, local)) = &champion {
        contacts.push(ContactSpec {
            name: name.clone(),
            email: email(local),
            title: names::title(&mut rng, japanese),
            phone: names::phone(&mut rng, japanese),
            is_champion: true,
        });
    }
    let wanted = rng.random_range(1..=4);
    let mut tries = 0;
    while contacts.len() < wanted && tries < 8 {
        tries += 1;
        let (name, local) = names::person(&mut rng, japanese);
        if contacts.iter().any(|c| c.name == name) {
            continue;
        }
        contacts.push(ContactSpec {
            name,
            email: email(&local),
            title: names::title(&mut rng, japanese),
            phone: names::phone(&mut rng, japanese),
            is_champion: false,
        });
    }

    let account = NewAccount {
        name: company.name,
        external_id: Some(format!("CRM-{:06}", index + 1)),
        industry: Some(pick(&mut rng, names::INDUSTRIES).to_owned()),
        plan: Some(plan.to_owned()),
        mrr_minor,
        currency: currency.as_str().to_owned(),
        contract_start: Some(contract_start),
        renewal_date,
        owner_id,
        status: status.as_str().to_owned(),
        churn_date,
        churn_reason,
        flag_well_known: rng.random_bool(0.1),
        flag_feedback: rng.random_bool(0.1),
        flag_influencer: rng.random_bool(0.1),
        expansion_potential: expansion_potential.as_str().to_owned(),
        champion_name: champion.map(|(name, _)| name),
        champion_changed_on: changed,
        created_at: ctx.now,
        updated_at: ctx.now,
        domain: (!company.domain.is_empty()).then_some(company.domain),
    };
    Generated {
        account,
        mrr,
        signals,
        contacts,
        reactivated: return_m.is_some(),
    }
}

/// How many of `count` new accounts are deliberate duplicates: about 0.5 %,
/// at least 2 from 100 accounts on.
pub fn duplicate_count(count: usize) -> usize {
    if count < 100 {
        0
    } else {
        (count / 200).max(2)
    }
}

/// The duplicates among accounts `start..start + count`: the last few
/// accounts copy earlier ones of the same run, alternately by name and by
/// domain.
pub fn duplicates(seed: u64, start: usize, count: usize) -> Vec<(usize, Duplicate)> {
    let d = duplicate_count(count);
    let mut rng = stream(seed, usize::MAX >> 3, 3);
    (0..d)
        .map(|k| {
            let of = start + rng.random_range(0..count - d);
            let dup = if k % 2 == 0 {
                Duplicate::Name(of)
            } else {
                Duplicate::Domain(of)
            };
            (start + count - d + k, dup)
        })
        .collect()
}
