//! The demo data generator, end to end.

use chrono::NaiveDate;
use kizuna_server::db;
use kizuna_server::demo::{self, DemoOptions};
use kizuna_shared::api::{Account, Page};
use kizuna_shared::domain::Role;

use crate::helpers::spawn_app;

fn options(seed: u64) -> DemoOptions {
    DemoOptions {
        accounts: 300,
        months: 24,
        seed,
        password: Some("demo password 123".into()),
        as_of: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
    }
}

#[tokio::test]
async fn the_demo_generator_is_deterministic_for_a_seed() {
    let as_of = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
    let now = as_of.and_hms_opt(9, 0, 0).unwrap();
    let a = demo::generate_accounts(42, 0, 200, &[1, 2, 3], Some(1), as_of, now);
    let b = demo::generate_accounts(42, 0, 200, &[1, 2, 3], Some(1), as_of, now);
    let c = demo::generate_accounts(7, 0, 200, &[1, 2, 3], Some(1), as_of, now);
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[tokio::test]
async fn seeded_demo_users_can_sign_in_and_see_the_accounts() {
    let app = spawn_app().await;
    let report = {
        let mut conn = app.pool.get().unwrap();
        demo::seed(&mut conn, &options(42)).unwrap()
    };
    assert_eq!(report.accounts_created, 300);
    assert_eq!(report.users_created.len(), demo::DEMO_USERS.len());
    assert!(!report.password_generated);

    let login = app.login("csm@demo.kizuna", "demo password 123").await;
    assert_eq!(login.status(), 200);
    let csm: kizuna_shared::api::SessionUser = login.json().await.unwrap();
    assert_eq!(csm.role, Role::Csm);
    let mine: Page<Account> = app
        .get(&format!("/api/v1/accounts?owner={}", csm.id))
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.total > 60, "csm@demo.kizuna owns {}", mine.total);

    // Seeding again keeps the users and adds accounts with fresh external ids.
    let mut conn = app.pool.get().unwrap();
    let again = demo::seed(&mut conn, &options(42)).unwrap();
    assert!(again.users_created.is_empty());
    assert_eq!(db::accounts::count(&mut conn).unwrap(), 600);
}

#[tokio::test]
async fn demo_on_a_fresh_database_has_history_for_every_account() {
    use diesel::prelude::*;
    use kizuna_server::db::schema::{account_mrr, accounts, contacts, signal_values};

    let app = spawn_app().await;
    let mut conn = app.pool.get().unwrap();
    let report = demo::seed(&mut conn, &options(7)).unwrap();
    assert_eq!(report.accounts_created, 300);
    assert!(report.mrr_rows > 300 * 8, "{} MRR rows", report.mrr_rows);
    assert!(
        report.signal_rows > 300 * 6 * 8,
        "{} signals",
        report.signal_rows
    );

    let rows: Vec<(i64, String, i64, String, Option<String>)> = accounts::table
        .select((
            accounts::id,
            accounts::currency,
            accounts::mrr_minor,
            accounts::status,
            accounts::domain,
        ))
        .load(&mut conn)
        .unwrap();
    let with_mrr = account_mrr::table
        .select(account_mrr::account_id)
        .distinct()
        .load::<i64>(&mut conn)
        .unwrap()
        .len();
    let with_signals = signal_values::table
        .select(signal_values::account_id)
        .distinct()
        .load::<i64>(&mut conn)
        .unwrap()
        .len();
    assert_eq!(with_mrr, 300);
    assert_eq!(with_signals, 300);
    let jpy = rows.iter().filter(|r| r.1 == "JPY").count();
    assert!((120..240).contains(&jpy), "{jpy} JPY accounts");
    assert!(rows.iter().any(|r| r.3 == "churned"));

    // accounts.mrr_minor is the latest month's total.
    for (id, _, mrr, _, _) in rows.iter().take(50) {
        let history = db::revenue::history(&mut conn, *id).unwrap();
        let last = history.last().unwrap().month;
        let total: i64 = history
            .iter()
            .filter(|e| e.month == last)
            .map(|e| e.amount_minor)
            .sum();
        assert_eq!(total, *mrr);
    }
    // At most one champion per account (the index enforces it), and
    // everyone with a champion name has one.
    let champions: i64 = contacts::table
        .filter(contacts::is_champion.eq(true))
        .count()
        .get_result(&mut conn)
        .unwrap();
    let named: i64 = accounts::table
        .filter(accounts::champion_name.is_not_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(champions, named);
}
