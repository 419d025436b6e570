//! The rules of who may own and edit what, the current-MRR invariant and
//! external ids compared by one normal form: through the form (HTTP), the
//! owners list, the import and the duplicates page.

use chrono::NaiveDate;
use diesel::prelude::*;
use kizuna_server::db;
use kizuna_server::db::revenue::NewMrr;
use kizuna_shared::api::{
    Account, AccountDetail, DuplicateGroup, DuplicateReason, ImportReport, Page, UserSummary,
};
use kizuna_shared::domain::Role;
use serde_json::{json, Value};

use crate::account_edit::put;
use crate::helpers::{account, assert_problem, spawn_app, TestApp};

async fn detail(app: &TestApp, id: i64) -> AccountDetail {
    app.get(&format!("/api/v1/accounts/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// The edit body of the stored account (as the form pre-fills it).
async fn edit_body(app: &TestApp, id: i64) -> Value {
    let a = detail(app, id).await.account;
    let mut body =
        serde_json::to_value(kizuna_shared::api::AccountInput::from_account(&a)).unwrap();
    body["version"] = json!(a.version);
    body
}

/// Imports `body` and returns the report, whatever the status.
async fn import(app: &TestApp, query: &str, body: &str) -> ImportReport {
    crate::imports::import(app, query, body)
        .await
        .json()
        .await
        .unwrap()
}

fn month(m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, 1).unwrap()
}

/// Gives account `id` two months of MRR history (latest month: 130,000).
fn add_history(app: &TestApp, id: i64) {
    let mut conn = app.pool.get().unwrap();
    let row = |m, product: &str, amount| NewMrr {
        account_id: id,
        month: month(m),
        product: product.into(),
        amount_minor: amount,
        currency: "JPY".into(),
    };
    db::revenue::insert_many(
        &mut conn,
        &[
            row(1, "core", 100_000),
            row(2, "core", 100_000),
            row(2, "analytics", 30_000),
        ],
    )
    .unwrap();
    diesel::update(db::schema::accounts::table.find(id))
        .set(db::schema::accounts::mrr_minor.eq(130_000_i64))
        .execute(&mut conn)
        .unwrap();
}

#[tokio::test]
async fn a_csm_may_not_change_mrr_currency_status_churn_date_or_external_id_of_their_account() {
    let app = spawn_app().await;
    let csm = app.login_as(Role::Csm).await;
    let mut mine = account("Mine KK", 50_000);
    mine.owner_id = Some(csm.id);
    mine.external_id = Some("CRM-5".into());
    let mine = app.insert_account(&mine);
    let stored = edit_body(&app, mine).await;

    let cases: [(&str, Value); 6] = [
        ("mrr_minor", json!({ "mrr_minor": 60_000 })),
        ("currency", json!({ "currency": "USD" })),
        (
            "status",
            json!({ "status": "churned", "churn_date": "2025-09-30" }),
        ),
        (
            "churn_date",
            json!({ "status": "churned", "churn_date": "2025-09-30" }),
        ),
        ("external_id", json!({ "external_id": "CRM-6" })),
        ("owner_id", json!({ "owner_id": null })),
    ];
    for (field, change) in cases {
        let mut body = stored.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let problem = assert_problem(put(&app, mine, &body).await, 400, "validation_failed").await;
        assert!(
            problem.errors.iter().any(|e| e.field == field),
            "{field}: {problem:?}"
        );
    }
    assert_eq!(
        detail(&app, mine).await.account.version,
        1,
        "nothing changed"
    );

    // The relationship fields are theirs to keep up to date.
    let mut body = stored.clone();
    body["plan"] = json!("Enterprise");
    body["champion_name"] = json!("佐藤 花子");
    body["champion_changed_on"] = json!("2025-06-01");
    body["flag_feedback"] = json!(true);
    body["expansion_potential"] = json!("upsell");
    let response = put(&app, mine, &body).await;
    assert_eq!(response.status(), 200);
    let a: Account = response.json().await.unwrap();
    assert_eq!(
        (a.plan.as_deref(), a.champion_name.as_deref(), a.mrr_minor),
        (Some("Enterprise"), Some("佐藤 花子"), 50_000)
    );
}

#[tokio::test]
async fn a_manager_changes_the_fields_a_csm_may_not() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let csm = app.create_user("csm@example.com", "Csm", Role::Csm);
    let mut a = account("Theirs KK", 50_000);
    a.owner_id = Some(csm);
    let id = app.insert_account(&a);
    let mut body = edit_body(&app, id).await;
    body["mrr_minor"] = json!(70_000);
    body["status"] = json!("churned");
    body["churn_date"] = json!("2025-09-30");
    body["external_id"] = json!("CRM-77");
    let response = put(&app, id, &body).await;
    assert_eq!(response.status(), 200);
    let a: Account = response.json().await.unwrap();
    assert_eq!(
        (a.mrr_minor, a.external_id.as_deref()),
        (70_000, Some("CRM-77"))
    );
}

#[tokio::test]
async fn an_edit_may_not_change_mrr_that_comes_from_the_revenue_history() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let with_history = app.insert_account(&account("History KK", 130_000));
    add_history(&app, with_history);
    let without = app.insert_account(&account("Typed KK", 40_000));

    let d = detail(&app, with_history).await;
    assert!(d.account.mrr_from_history);
    assert!(!detail(&app, without).await.account.mrr_from_history);
    let page: Page<Account> = app.get("/api/v1/accounts").await.json().await.unwrap();
    let flags: Vec<(String, bool)> = page
        .items
        .iter()
        .map(|a| (a.name.clone(), a.mrr_from_history))
        .collect();
    assert_eq!(
        flags,
        [("History KK".into(), true), ("Typed KK".into(), false)]
    );

    let stored = edit_body(&app, with_history).await;
    let mut body = stored.clone();
    body["mrr_minor"] = json!(999_999);
    let problem = assert_problem(
        put(&app, with_history, &body).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors.len(), 1);
    assert_eq!(problem.errors[0].field, "mrr_minor");
    assert_eq!(
        problem.errors[0].message,
        "MRR comes from the revenue history; import monthly MRR to change it"
    );
    let mut body = stored.clone();
    body["currency"] = json!("USD");
    let problem = assert_problem(
        put(&app, with_history, &body).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "currency");
    assert_eq!(detail(&app, with_history).await.account.mrr_minor, 130_000);

    // Other fields of the same account, and the MRR of an account without
    // history, are edited as before.
    let mut body = stored;
    body["plan"] = json!("Enterprise");
    assert_eq!(put(&app, with_history, &body).await.status(), 200);
    let mut body = edit_body(&app, without).await;
    body["mrr_minor"] = json!(45_000);
    assert_eq!(put(&app, without, &body).await.status(), 200);
}

#[tokio::test]
async fn an_accounts_import_ignores_mrr_that_comes_from_the_revenue_history_with_a_warning() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let mut a = account("History KK", 130_000);
    a.external_id = Some("H-1".into());
    let id = app.insert_account(&a);
    add_history(&app, id);
    let mut b = account("Typed KK", 40_000);
    b.external_id = Some("T-1".into());
    app.insert_account(&b);

    let file = "external_id,name,mrr,currency,plan\n\
                H-1,History KK,\"999,999\",JPY,Enterprise\n\
                T-1,Typed KK,\"45,000\",JPY,Growth\n\
                H-1x,New KK,1,JPY,\n";
    let r = import(&app, "kind=accounts", file).await;
    assert!(r.applied, "warnings do not block: {r:?}");
    assert_eq!((r.created, r.updated), (1, 2));
    assert_eq!(r.warning_count, 1);
    assert_eq!(
        (
            r.warnings[0].row,
            r.warnings[0].column.as_deref(),
            r.warnings[0].code.as_str()
        ),
        (2, Some("mrr"), "mrr_from_history")
    );
    assert!(
        r.warnings[0].message.contains("130000"),
        "{}",
        r.warnings[0].message
    );
    let h = detail(&app, id).await.account;
    assert_eq!(
        (h.mrr_minor, h.plan.as_deref()),
        (130_000, Some("Enterprise"))
    );
    let page: Page<Account> = app
        .get("/api/v1/accounts?q=T-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.items[0].mrr_minor, 45_000);

    // The same value is no news, and a different currency is ignored too.
    let same = "external_id,name,mrr,currency\nH-1,History KK,\"130,000\",JPY\n";
    let r = import(&app, "kind=accounts", same).await;
    assert_eq!((r.unchanged, r.warning_count), (1, 0), "{r:?}");
    let usd = "external_id,name,mrr,currency\nH-1,History KK,12.50,USD\n";
    let r = import(&app, "kind=accounts", usd).await;
    assert_eq!((r.unchanged, r.warning_count), (1, 1), "{r:?}");
    assert_eq!(r.warnings[0].column.as_deref(), Some("currency"));
    let h = detail(&app, id).await.account;
    assert_eq!((h.mrr_minor, h.currency.as_str()), (130_000, "JPY"));
}

#[tokio::test]
async fn changing_an_accounts_currency_in_an_import_needs_the_mrr_in_the_new_currency() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let mut a = account("Dollar KK", 7_985);
    a.external_id = Some("D-1".into());
    a.currency = "USD".into();
    app.insert_account(&a);
    let r = import(
        &app,
        "kind=accounts&dry_run=true",
        "external_id,name,currency\nD-1,Dollar KK,JPY\n",
    )
    .await;
    assert_eq!(r.errors.len(), 1, "{r:?}");
    assert_eq!(
        (r.errors[0].column.as_deref(), r.errors[0].code.as_str()),
        (Some("mrr"), "missing_value")
    );
    let r = import(
        &app,
        "kind=accounts",
        "external_id,name,currency,mrr\nD-1,Dollar KK,JPY,\"12,000\"\n",
    )
    .await;
    assert!(r.applied, "{r:?}");
}

#[tokio::test]
async fn admins_and_executives_do_not_own_accounts_anywhere() {
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;
    let admin = app.create_user("admin@example.com", "Ada Admin", Role::Admin);
    let exec = app.create_user("exec@example.com", "Eve Exec", Role::Executive);
    let csm = app.create_user("csm@example.com", "Carl Csm", Role::Csm);

    let owners: Page<UserSummary> = app.get("/api/v1/owners").await.json().await.unwrap();
    let mut ids: Vec<i64> = owners.items.iter().map(|u| u.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, [manager.id, csm]);

    let new = |owner: i64| {
        json!({ "name": "Owned KK", "mrr_minor": 1, "currency": "JPY",
                "status": "active", "owner_id": owner })
    };
    for not_owner in [admin, exec] {
        let problem = assert_problem(
            app.post_json("/api/v1/accounts", &new(not_owner)).await,
            400,
            "validation_failed",
        )
        .await;
        assert_eq!(problem.errors[0].field, "owner_id");
        assert!(problem.errors[0].message.contains("cannot own accounts"));
    }
    for owner in [manager.id, csm] {
        assert_eq!(
            app.post_json("/api/v1/accounts", &new(owner))
                .await
                .status(),
            201
        );
    }

    let file = "external_id,name,currency,owner_email\n\
                O-1,Admin Owned KK,JPY,admin@example.com\n\
                O-2,Exec Owned KK,JPY,exec@example.com\n\
                O-3,Csm Owned KK,JPY,csm@example.com\n";
    let r = import(&app, "kind=accounts&dry_run=true", file).await;
    let errors: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.row, e.code.as_str())).collect();
    assert_eq!(errors, [(2, "invalid_value"), (3, "invalid_value")]);

    // An account an admin already owns (from before this rule) can still be
    // edited without handing it over first.
    let mut legacy = account("Legacy KK", 1);
    legacy.owner_id = Some(admin);
    let legacy = app.insert_account(&legacy);
    let mut body = edit_body(&app, legacy).await;
    body["plan"] = json!("Enterprise");
    assert_eq!(put(&app, legacy, &body).await.status(), 200);
}

#[tokio::test]
async fn an_owner_cell_may_name_the_user_instead_of_their_email() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let sato = app.create_user("sato@example.com", "佐藤 花子", Role::Csm);
    app.create_user("tanaka1@example.com", "田中", Role::Csm);
    app.create_user("tanaka2@example.com", "田中", Role::Csm);
    let file = "external_id,name,currency,担当\n\
                N-1,Named KK,JPY,佐藤　花子\n\
                N-2,Twice KK,JPY,田中\n\
                N-3,Nobody KK,JPY,鈴木\n";
    let r = import(&app, "kind=accounts&dry_run=true", file).await;
    let errors: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.row, e.code.as_str())).collect();
    assert_eq!(errors, [(3, "ambiguous_owner"), (4, "unknown_owner")]);
    let r = import(
        &app,
        "kind=accounts",
        "external_id,name,currency,担当\nN-1,Named KK,JPY,佐藤　花子\n",
    )
    .await;
    assert!(r.applied);
    let page: Page<Account> = app.get("/api/v1/accounts").await.json().await.unwrap();
    assert_eq!(page.items[0].owner.as_ref().map(|o| o.id), Some(sato));
}

#[tokio::test]
async fn external_ids_are_one_id_whatever_their_case_width_or_spaces() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let body = json!({ "name": "Wide KK", "external_id": "ＣＲＭ－００１", "mrr_minor": 1,
                       "currency": "JPY", "status": "active" });
    let created: Account = app
        .post_json("/api/v1/accounts", &body)
        .await
        .json()
        .await
        .unwrap();

    // The form's check, which compared lower-cased text, now compares keys.
    for taken in ["crm-001", " CRM-001 ", "ｃｒｍ－００１"] {
        let mut other = body.clone();
        other["name"] = json!("Other KK");
        other["external_id"] = json!(taken);
        let problem = assert_problem(
            app.post_json("/api/v1/accounts", &other).await,
            400,
            "validation_failed",
        )
        .await;
        assert_eq!(problem.errors[0].field, "external_id", "{taken}");
        assert!(problem.errors[0].message.contains("Wide KK"));
    }
    // Editing the account itself with another spelling of its id is fine.
    let mut own = edit_body(&app, created.id).await;
    own["external_id"] = json!("crm-001");
    assert_eq!(put(&app, created.id, &own).await.status(), 200);

    // The import finds it by the same key.
    let r = import(
        &app,
        "kind=accounts",
        "external_id,name,currency,plan\nCrm-001,Wide KK,JPY,Enterprise\n",
    )
    .await;
    assert_eq!((r.created, r.updated), (0, 1), "{r:?}");
    let mut conn = app.pool.get().unwrap();
    assert_eq!(db::accounts::count(&mut conn).unwrap(), 1);
}

#[tokio::test]
async fn accounts_that_shared_an_id_before_keys_existed_survive_the_migration_and_are_listed() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    // Two ids the old, case-sensitive unique constraint allowed side by
    // side, stored without keys as they were before the key migration.
    let mut older = account("Older KK", 1);
    older.external_id = Some("crm-7".into());
    let older = app.insert_account(&older);
    let mut newer = account("Newer KK", 1);
    newer.external_id = Some("CRM-7".into());
    let mut conn = app.pool.get().unwrap();
    {
        use db::schema::accounts::dsl::*;
        diesel::update(accounts)
            .set(external_id_key.eq(None::<String>))
            .execute(&mut conn)
            .unwrap();
    }
    drop(conn);
    let newer = app.insert_account(&newer);
    {
        let mut conn = app.pool.get().unwrap();
        use db::schema::accounts::dsl::*;
        diesel::update(accounts.find(newer))
            .set(external_id_key.eq(None::<String>))
            .execute(&mut conn)
            .unwrap();
    }

    // Running the migrations again fills the keys instead of failing.
    db::migrate(&app.pool).unwrap();
    let mut conn = app.pool.get().unwrap();
    let keys: Vec<(i64, Option<String>)> = {
        use db::schema::accounts::dsl::*;
        accounts
            .select((id, external_id_key))
            .order_by(id)
            .load(&mut conn)
            .unwrap()
    };
    assert_eq!(keys, [(older, Some("CRM-7".into())), (newer, None)]);

    let groups: Vec<DuplicateGroup> = app
        .get("/api/v1/duplicates")
        .await
        .json::<Page<DuplicateGroup>>()
        .await
        .unwrap()
        .items;
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(
        (groups[0].reason, groups[0].key.as_str()),
        (DuplicateReason::ExternalId, "CRM-7")
    );
    // The newer one cannot keep the id by an edit: it is the older one's.
    let body = edit_body(&app, newer).await;
    let problem = assert_problem(put(&app, newer, &body).await, 400, "validation_failed").await;
    assert_eq!(problem.errors[0].field, "external_id");
}

#[tokio::test]
async fn a_month_total_that_overflows_is_an_error_not_a_wrapped_number() {
    let app = spawn_app().await;
    let id = app.insert_account(&account("Huge KK", 1));
    let mut conn = app.pool.get().unwrap();
    let row = |product: &str| NewMrr {
        account_id: id,
        month: month(1),
        product: product.into(),
        amount_minor: i64::MAX / 2 + 1,
        currency: "JPY".into(),
    };
    db::revenue::insert_many(&mut conn, &[row("a"), row("b")]).unwrap();
    let total = db::revenue::latest_month_total(&mut conn, id);
    assert!(
        matches!(total, Err(db::DbError::Corrupt(ref m)) if m.contains("too large")),
        "{total:?}"
    );
}
