//! Demo data: users for every role and realistic customer accounts from a
//! deterministic generator (same seed and date → same data). Later issues
//! extend it with monthly MRR history and usage signals.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime};
use diesel::Connection;
use kizuna_shared::domain::{AccountStatus, Currency, ExpansionPotential, Role, Tier};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::auth::password;
use crate::db::accounts::NewAccount;
use crate::db::users::NewUser;
use crate::db::{self, DbConn, DbError};

/// E-mail domain of the demo users.
pub const DEMO_DOMAIN: &str = "demo.kizuna";

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
    /// Number of accounts to add.
    pub accounts: usize,
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
}

/// Creates the missing demo users and adds `options.accounts` accounts, in one transaction.
pub fn seed(conn: &mut DbConn, options: &DemoOptions) -> Result<DemoReport, DbError> {
    let (password, password_generated) = match &options.password {
        Some(p) => (p.clone(), false),
        None => (password::random_password(20), true),
    };
    conn.transaction(|conn| {
        let mut users_created = Vec::new();
        for (email, name, role) in DEMO_USERS {
            if db::users::id_by_email(conn, email)?.is_some() {
                continue;
            }
            let password_hash =
                password::hash(&password).map_err(|e| DbError::Corrupt(e.to_string()))?;
            db::users::insert(
                conn,
                &NewUser {
                    email: (*email).to_owned(),
                    name: (*name).to_owned(),
                    role: *role,
                    password_hash,
                },
            )?;
            users_created.push((*email).to_owned());
        }
        let owners = db::users::ids_with_role(conn, Role::Csm)?;
        let favoured = db::users::id_by_email(conn, FAVOURED_CSM)?;
        let start = usize::try_from(db::accounts::count(conn)?).unwrap_or(0);
        let now = chrono::Utc::now().naive_utc();
        let rows = generate_accounts(
            options.seed,
            start,
            options.accounts,
            &owners,
            favoured,
            options.as_of,
            now,
        );
        let accounts_created = db::accounts::insert_many(conn, &rows)?;
        Ok(DemoReport {
            users_created,
            password: password.clone(),
            password_generated,
            accounts_created,
        })
    })
}

const JP_KATAKANA: &[&str] = &[
    "ミナト",
    "サクラ",
    "アオイ",
    "ヒカリ",
    "ツバサ",
    "カエデ",
    "ミドリ",
    "ホシノ",
    "ソラ",
    "ハヤテ",
    "アサヒ",
    "コハク",
    "ナギサ",
    "スバル",
    "イロハ",
    "ユイ",
    "カナタ",
    "リンク",
    "ネクスト",
    "フロンティア",
];
const JP_KATAKANA_SUFFIX: &[&str] = &[
    "ロジスティクス",
    "テクノロジー",
    "システムズ",
    "ソリューションズ",
    "フーズ",
    "メディカル",
    "ネットワークス",
    "エンジニアリング",
    "デザイン",
    "ラボ",
    "マーケティング",
    "パートナーズ",
];
const JP_KANJI: &[&str] = &[
    "山田",
    "青葉",
    "東海",
    "北斗",
    "大和",
    "富士",
    "瑞穂",
    "三河",
    "浪速",
    "八雲",
    "白鷺",
    "若葉",
    "千代田",
    "丸の内",
    "桜井",
    "松風",
];
const JP_KANJI_SUFFIX: &[&str] = &[
    "商事",
    "工業",
    "製作所",
    "電機",
    "物産",
    "化学",
    "食品",
    "建設",
    "物流",
    "出版",
    "精機",
    "薬品",
];
const EN_FIRST: &[&str] = &[
    "Northwind",
    "Blue Harbor",
    "Summit",
    "Cedar",
    "Pioneer",
    "Brightline",
    "Redwood",
    "Silverleaf",
    "Ironclad",
    "Maple",
    "Granite",
    "Lumen",
    "Vertex",
    "Atlas",
    "Horizon",
    "Evergreen",
    "Crescent",
    "Falcon",
    "Beacon",
    "Keystone",
    "Harborview",
    "Clearwater",
];
const EN_SECOND: &[&str] = &[
    "Analytics",
    "Labs",
    "Systems",
    "Logistics",
    "Health",
    "Foods",
    "Robotics",
    "Media",
    "Learning",
    "Capital",
    "Software",
    "Networks",
    "Dynamics",
    "Retail",
    "Energy",
];
const EN_SUFFIX: &[&str] = &["Inc.", "LLC", "Co.", "Corp.", "Ltd."];
const INDUSTRIES: &[&str] = &[
    "SaaS",
    "Manufacturing",
    "Retail",
    "Finance",
    "Healthcare",
    "Logistics",
    "Education",
    "Media",
    "Real Estate",
    "Hospitality",
];
const JP_SURNAMES: &[&str] = &[
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山口",
];
const JP_GIVEN: &[&str] = &[
    "翔",
    "陽菜",
    "蓮",
    "結衣",
    "大翔",
    "美月",
    "湊",
    "さくら",
    "健太",
    "彩",
    "直樹",
    "真由美",
];
const EN_GIVEN: &[&str] = &[
    "James", "Mary", "David", "Jennifer", "Daniel", "Linda", "Chris", "Susan", "Kevin", "Laura",
    "Brian", "Emma",
];
const EN_SURNAMES: &[&str] = &[
    "Smith", "Miller", "Davis", "Garcia", "Wilson", "Anderson", "Taylor", "Thomas", "Moore",
    "Martin", "Lee", "Walker",
];
const JP_CHURN_REASONS: &[&str] = &[
    "予算削減",
    "競合製品へ移行",
    "利用が定着しなかった",
    "担当者の退職",
    "事業縮小",
];
const EN_CHURN_REASONS: &[&str] = &[
    "Budget cuts",
    "Moved to a competitor",
    "Low adoption",
    "Champion left the company",
    "Acquired by another company",
];

fn pick<'a>(rng: &mut ChaCha8Rng, items: &[&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

fn japanese_company(rng: &mut ChaCha8Rng) -> String {
    let core = if rng.random_bool(0.6) {
        format!(
            "{}{}",
            pick(rng, JP_KATAKANA),
            pick(rng, JP_KATAKANA_SUFFIX)
        )
    } else {
        format!("{}{}", pick(rng, JP_KANJI), pick(rng, JP_KANJI_SUFFIX))
    };
    match rng.random_range(0..10) {
        0..=5 => format!("株式会社{core}"),
        6..=8 => format!("{core}株式会社"),
        _ => format!("合同会社{core}"),
    }
}

fn english_company(rng: &mut ChaCha8Rng) -> String {
    format!(
        "{} {} {}",
        pick(rng, EN_FIRST),
        pick(rng, EN_SECOND),
        pick(rng, EN_SUFFIX)
    )
}

fn person(rng: &mut ChaCha8Rng, japanese: bool) -> String {
    if japanese {
        format!("{} {}", pick(rng, JP_SURNAMES), pick(rng, JP_GIVEN))
    } else {
        format!("{} {}", pick(rng, EN_GIVEN), pick(rng, EN_SURNAMES))
    }
}

/// An MRR in minor units inside `tier` for `currency`, in round amounts.
fn mrr_in(rng: &mut ChaCha8Rng, tier: Tier, currency: Currency) -> i64 {
    let (from, to) = tier.mrr_range(currency);
    let to = to.unwrap_or(from * 6);
    let from = from.max(10_000);
    // Round yen to ¥1,000 and cents to whole dollars.
    let step = if currency == Currency::Jpy {
        1_000
    } else {
        100
    };
    let steps = ((to - from) / step).max(1);
    from + rng.random_range(0..steps) * step
}

fn days_before(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

/// The first yearly anniversary of `start` strictly after `after`.
fn next_anniversary(start: NaiveDate, after: NaiveDate) -> NaiveDate {
    let mut years = u32::try_from((after.year() - start.year()).max(0)).unwrap_or(0);
    loop {
        match start.checked_add_months(Months::new(12 * years)) {
            Some(date) if date > after => return date,
            Some(_) => years += 1,
            None => return after,
        }
    }
}

/// Generates `count` accounts deterministically from `seed` (external ids
/// continue from `start`). Owners are drawn from `owners`, with `favoured`
/// getting about a quarter of all accounts on top of its fair share.
pub fn generate_accounts(
    seed: u64,
    start: usize,
    count: usize,
    owners: &[i64],
    favoured: Option<i64>,
    as_of: NaiveDate,
    now: NaiveDateTime,
) -> Vec<NewAccount> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let japanese = rng.random_bool(0.6);
            let currency = if japanese {
                Currency::Jpy
            } else {
                Currency::Usd
            };
            let name = if japanese {
                japanese_company(&mut rng)
            } else {
                english_company(&mut rng)
            };
            let tier = match rng.random_range(0..100) {
                0..=49 => Tier::Tech,
                50..=84 => Tier::Low,
                _ => Tier::High,
            };
            let mrr_minor = mrr_in(&mut rng, tier, currency);
            let plan = match (tier, rng.random_range(0..10)) {
                (Tier::Tech, 0..=7) | (Tier::Low, 0) => "Starter",
                (Tier::High, 0..=7) | (Tier::Low, 8..=9) => "Enterprise",
                _ => "Growth",
            };
            let contract_start = days_before(as_of, rng.random_range(0..1095));
            let churned = rng.random_bool(0.12);
            let (status, churn_date, churn_reason, renewal_date) = if churned {
                let span = u64::try_from((as_of - contract_start).num_days().max(1)).unwrap_or(1);
                let churn_date = days_before(as_of, rng.random_range(0..span));
                let reasons = if japanese {
                    JP_CHURN_REASONS
                } else {
                    EN_CHURN_REASONS
                };
                (
                    AccountStatus::Churned,
                    Some(churn_date),
                    Some(pick(&mut rng, reasons).to_owned()),
                    None,
                )
            } else {
                (
                    AccountStatus::Active,
                    None,
                    None,
                    Some(next_anniversary(contract_start, as_of)),
                )
            };
            let owner_id = match favoured {
                Some(id) if rng.random_bool(0.25) => Some(id),
                _ => owners.choose(&mut rng).copied(),
            };
            let expansion_potential = if churned {
                ExpansionPotential::None
            } else {
                match rng.random_range(0..100) {
                    0..=59 => ExpansionPotential::None,
                    60..=69 => ExpansionPotential::TrialGrowth,
                    70..=87 => ExpansionPotential::Upsell,
                    _ => ExpansionPotential::CrossSell,
                }
            };
            let champion_name = rng.random_bool(0.85).then(|| person(&mut rng, japanese));
            let champion_changed_on = match (&champion_name, rng.random_range(0..100)) {
                (Some(_), 0..=14) => Some(days_before(as_of, rng.random_range(0..90))),
                (Some(_), 15..=39) => {
                    let span =
                        u64::try_from((as_of - contract_start).num_days().max(1)).unwrap_or(1);
                    Some(days_before(as_of, rng.random_range(0..span)))
                }
                _ => None,
            };
            NewAccount {
                name,
                external_id: Some(format!("CRM-{:06}", start + i + 1)),
                industry: Some(pick(&mut rng, INDUSTRIES).to_owned()),
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
                champion_name,
                champion_changed_on,
                created_at: now,
                updated_at: now,
                domain: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn sample(seed: u64, n: usize) -> Vec<NewAccount> {
        let as_of = date(2026, 5, 1);
        let now = as_of.and_hms_opt(0, 0, 0).unwrap();
        generate_accounts(seed, 0, n, &[1, 2, 3, 4, 5, 6, 7], Some(3), as_of, now)
    }

    #[test]
    fn the_same_seed_generates_the_same_accounts() {
        assert_eq!(sample(42, 300), sample(42, 300));
        assert_ne!(sample(42, 300), sample(43, 300));
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
        }
        assert!(accounts.iter().any(|a| a.name.starts_with("株式会社")));
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
