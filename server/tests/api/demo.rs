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
