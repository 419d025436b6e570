//! Likely duplicates and merging them.

use chrono::NaiveDate;
use kizuna_server::db;
use kizuna_server::db::contacts::NewContact;
use kizuna_server::db::revenue::NewMrr;
use kizuna_server::db::signals::NewSignalValue;
use kizuna_shared::api::{DataChangeKind, DuplicateGroup, DuplicateReason, MergeReport, Page};
use kizuna_shared::domain::Role;
use serde_json::json;

use crate::helpers::{account, assert_problem, spawn_app, TestApp};

fn month(m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, 1).unwrap()
}

/// Two records of the same customer with MRR, signals and contacts each.
fn seed_pair(app: &TestApp) -> (i64, i64) {
    let mut keep = account("株式会社サクラテクノロジー", 100_000);
    keep.external_id = Some("CRM-1".into());
    let keep = app.insert_account(&keep);
    let mut other = account("サクラテクノロジー（株）", 100_000);
    other.external_id = Some("CRM-2".into());
    other.flag_well_known = true;
    other.domain = Some("sakura-tech.co.jp".into());
    let other = app.insert_account(&other);
    let mut conn = app.pool.get().unwrap();
    let mrr = |account_id, m, product: &str, amount| NewMrr {
        account_id,
        month: month(m),
        product: product.into(),
        amount_minor: amount,
        currency: "JPY".into(),
    };
    db::revenue::insert_many(
        &mut conn,
        &[
            mrr(keep, 1, "core", 100_000),
            mrr(keep, 2, "core", 100_000),
            // The same month and product on both: recorded twice.
            mrr(other, 2, "core", 100_000),
            mrr(other, 2, "analytics", 30_000),
            mrr(other, 3, "core", 100_000),
            mrr(other, 3, "analytics", 30_000),
        ],
    )
    .unwrap();
    let signal = |account_id, key: &str, m, value| NewSignalValue {
        account_id,
        signal_key: key.into(),
        observed_on: month(m),
        value,
    };
    db::signals::insert_many(
        &mut conn,
        &[
            signal(keep, "days_since_login", 1, 2.0),
            signal(other, "days_since_login", 1, 9.0),
            signal(other, "days_since_login", 2, 4.0),
            signal(other, "csm_sentiment", 2, 5.0),
        ],
    )
    .unwrap();
    let now = chrono::Utc::now().naive_utc();
    let contact = |account_id, name: &str, champion| NewContact {
        account_id,
        name: name.into(),
        email: Some(format!("{}@sakura-tech.co.jp", name.to_lowercase())),
        title: None,
        phone: None,
        is_champion: champion,
        created_at: now,
    };
    db::contacts::insert_many(
        &mut conn,
        &[
            contact(keep, "Aoi", true),
            contact(other, "Ren", true),
            contact(other, "Yui", false),
        ],
    )
    .unwrap();
    (keep, other)
}

#[tokio::test]
async fn accounts_with_the_same_normalised_name_or_domain_are_listed_once() {
    let app = spawn_app().await;
    app.login_as(Role::Csm).await;
    let (keep, other) = seed_pair(&app);
    let mut a = account("Northwind Analytics Inc.", 1);
    a.domain = Some("northwind.com".into());
    let a = app.insert_account(&a);
    let mut b = account("Blue Harbor Labs", 1);
    b.domain = Some("www.northwind.com".into());
    let b = app.insert_account(&b);
    app.insert_account(&account("Unrelated Foods", 1));
    let groups: Vec<DuplicateGroup> = app
        .get("/api/v1/duplicates")
        .await
        .json::<Page<DuplicateGroup>>()
        .await
        .unwrap()
        .items;
    let sets: Vec<(DuplicateReason, Vec<i64>)> = groups
        .iter()
        .map(|g| (g.reason, g.accounts.iter().map(|a| a.id).collect()))
        .collect();
    // Sakura matches by name (and by contact e-mail domain, listed once).
    assert_eq!(
        sets,
        [
            (DuplicateReason::Name, vec![keep, other]),
            (DuplicateReason::Domain, vec![a, b]),
        ]
    );
    assert_eq!(groups[1].key, "northwind.com");
}

#[tokio::test]
async fn merging_moves_every_related_row_and_records_it() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let (keep, other) = seed_pair(&app);
    let response = app
        .post_json(
            "/api/v1/duplicates/merge",
            &json!({"keep_id": keep, "keep_version": 1, "merge_id": other, "merge_version": 1}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let report: MergeReport = response.json().await.unwrap();
    assert_eq!(
        report.mrr_moved, 3,
        "Feb core was already on the kept account"
    );
    assert_eq!(report.signals_moved, 2, "Jan login was already there");
    assert_eq!(report.contacts_moved, 2);
    let merged = &report.account;
    assert_eq!(merged.version, 2);
    assert_eq!(merged.external_id.as_deref(), Some("CRM-1"));
    assert_eq!(merged.domain.as_deref(), Some("sakura-tech.co.jp"));
    assert!(merged.flag_well_known);
    assert_eq!(merged.mrr_minor, 130_000, "latest month: core + analytics");

    let mut conn = app.pool.get().unwrap();
    assert!(!db::accounts::exists(&mut conn, other).unwrap());
    assert_eq!(db::revenue::history(&mut conn, keep).unwrap().len(), 5);
    let signals = db::signals::history(&mut conn, keep, &Default::default()).unwrap();
    assert_eq!(signals.len(), 3);
    let contacts = db::contacts::of_account(&mut conn, keep).unwrap();
    assert_eq!(contacts.len(), 3);
    assert_eq!(contacts.iter().filter(|c| c.is_champion).count(), 1);
    assert!(contacts[0].is_champion && contacts[0].name == "Aoi");
    let history = db::history::list(&mut conn, &Default::default()).unwrap();
    assert_eq!(history.items[0].kind, DataChangeKind::Merge);
    assert_eq!(history.items[0].id, report.history_id);
    assert!(history.items[0].detail.contains("CRM-2"));

    // The pair is no longer a duplicate.
    let groups: Vec<DuplicateGroup> = app
        .get("/api/v1/duplicates")
        .await
        .json::<Page<DuplicateGroup>>()
        .await
        .unwrap()
        .items;
    assert!(groups.is_empty(), "{groups:?}");
}

#[tokio::test]
async fn a_stale_or_invalid_merge_changes_nothing() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let (keep, other) = seed_pair(&app);
    let client = &app;
    let merge = |body: serde_json::Value| async move {
        client.post_json("/api/v1/duplicates/merge", &body).await
    };
    assert_problem(
        merge(json!({"keep_id": keep, "keep_version": 1, "merge_id": other, "merge_version": 9}))
            .await,
        409,
        "stale_version",
    )
    .await;
    assert_problem(
        merge(json!({"keep_id": keep, "keep_version": 1, "merge_id": keep, "merge_version": 1}))
            .await,
        400,
        "validation_failed",
    )
    .await;
    let mut usd = account("Sakura USD", 1);
    usd.currency = "USD".into();
    let usd = app.insert_account(&usd);
    assert_problem(
        merge(json!({"keep_id": keep, "keep_version": 1, "merge_id": usd, "merge_version": 1}))
            .await,
        400,
        "validation_failed",
    )
    .await;
    assert_problem(
        merge(json!({"keep_id": keep, "keep_version": 1, "merge_id": 999, "merge_version": 1}))
            .await,
        404,
        "not_found",
    )
    .await;
    let mut conn = app.pool.get().unwrap();
    assert!(db::accounts::exists(&mut conn, other).unwrap());
    assert_eq!(db::revenue::history(&mut conn, other).unwrap().len(), 4);
    assert_eq!(db::contacts::of_account(&mut conn, other).unwrap().len(), 2);
}

#[tokio::test]
async fn only_managers_and_admins_merge() {
    let app = spawn_app().await;
    app.login_as(Role::Csm).await;
    let (keep, other) = seed_pair(&app);
    let response = app
        .post_json(
            "/api/v1/duplicates/merge",
            &json!({"keep_id": keep, "keep_version": 1, "merge_id": other, "merge_version": 1}),
        )
        .await;
    assert_problem(response, 403, "forbidden").await;
}
