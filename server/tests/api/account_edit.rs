//! Creating, editing and deleting accounts; their revenue history, signals
//! and contacts.

use chrono::NaiveDate;
use kizuna_server::db;
use kizuna_server::db::revenue::NewMrr;
use kizuna_server::db::signals::NewSignalValue;
use kizuna_shared::api::{
    Account, AccountDetail, Contact, DataChangeKind, MrrEntry, Page, SignalDefinition, SignalValue,
};
use kizuna_shared::domain::Role;
use serde_json::{json, Value};

use crate::helpers::{account, assert_problem, spawn_app, TestApp};

fn new_account_body() -> Value {
    json!({
        "name": "株式会社サクラテクノロジー",
        "external_id": "CRM-900",
        "domain": "sakura-tech.co.jp",
        "industry": "SaaS",
        "plan": "Growth",
        "mrr_minor": 120000,
        "currency": "JPY",
        "contract_start": "2025-04-01",
        "renewal_date": "2026-04-01",
        "status": "active",
        "flag_well_known": true,
        "expansion_potential": "upsell"
    })
}

/// `PUT /api/v1/accounts/{id}` with a JSON body.
pub(crate) async fn put(app: &TestApp, id: i64, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/accounts/{id}")))
        .json(body)
        .send()
        .await
        .unwrap()
}

fn with_version(body: &Value, version: i64) -> Value {
    let mut body = body.clone();
    body["version"] = json!(version);
    body
}

#[tokio::test]
async fn a_manager_creates_an_account_and_reads_it_back() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let response = app.post_json("/api/v1/accounts", &new_account_body()).await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Account = response.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/accounts/{}", created.id));
    assert_eq!(created.version, 1);
    assert_eq!(created.domain.as_deref(), Some("sakura-tech.co.jp"));
    let detail: AccountDetail = app.get(&location).await.json().await.unwrap();
    assert_eq!(detail.account.name, "株式会社サクラテクノロジー");
    assert!(detail.account.flag_well_known);
    assert!(detail.mrr_history.is_empty());
}

#[tokio::test]
async fn invalid_accounts_are_rejected_field_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let mut body = new_account_body();
    body["name"] = json!("  ");
    body["mrr_minor"] = json!(-5);
    body["renewal_date"] = json!("2024-01-01");
    body["status"] = json!("churned");
    let problem = assert_problem(
        app.post_json("/api/v1/accounts", &body).await,
        400,
        "validation_failed",
    )
    .await;
    let mut fields: Vec<String> = problem.errors.into_iter().map(|e| e.field).collect();
    fields.sort();
    assert_eq!(fields, ["churn_date", "mrr_minor", "name", "renewal_date"]);

    let mut body = new_account_body();
    body["owner_id"] = json!(999);
    let problem = assert_problem(
        app.post_json("/api/v1/accounts", &body).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "owner_id");
    let mut conn = app.pool.get().unwrap();
    assert_eq!(db::accounts::count(&mut conn).unwrap(), 0);
}

#[tokio::test]
async fn a_taken_external_id_is_a_field_error() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let mut existing = account("Existing KK", 1000);
    existing.external_id = Some("CRM-900".into());
    app.insert_account(&existing);
    let mut body = new_account_body();
    body["external_id"] = json!("crm-900");
    let problem = assert_problem(
        app.post_json("/api/v1/accounts", &body).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "external_id");
    assert!(problem.errors[0].message.contains("Existing KK"));
}

#[tokio::test]
async fn an_update_bumps_the_version_and_a_stale_update_gets_409_and_changes_nothing() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let created: Account = app
        .post_json("/api/v1/accounts", &new_account_body())
        .await
        .json()
        .await
        .unwrap();
    let mut body = with_version(&new_account_body(), created.version);
    body["plan"] = json!("Enterprise");
    let response = put(&app, created.id, &body).await;
    assert_eq!(response.status(), 200);
    let updated: Account = response.json().await.unwrap();
    assert_eq!(updated.version, created.version + 1);
    assert_eq!(updated.plan.as_deref(), Some("Enterprise"));

    // A second edit made from the first version is stale.
    let mut stale = with_version(&new_account_body(), created.version);
    stale["plan"] = json!("Starter");
    let problem = assert_problem(put(&app, created.id, &stale).await, 409, "stale_version").await;
    assert!(problem.detail.unwrap().contains("reload"));
    let detail: AccountDetail = app
        .get(&format!("/api/v1/accounts/{}", created.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail.account.plan.as_deref(), Some("Enterprise"));
    assert_eq!(detail.account.version, updated.version);
}

#[tokio::test]
async fn a_csm_edits_their_own_account_but_not_another_and_cannot_reassign_it() {
    let app = spawn_app().await;
    let csm = app.login_as(Role::Csm).await;
    let other = app.create_user("other@example.com", "Other", Role::Csm);
    let mut mine = account("Mine KK", 1000);
    mine.owner_id = Some(csm.id);
    let mine = app.insert_account(&mine);
    let mut theirs = account("Theirs KK", 1000);
    theirs.owner_id = Some(other);
    let theirs = app.insert_account(&theirs);

    // A CSM changes the relationship fields; MRR, currency, status, churn
    // date and external id stay as stored (see `account_rules`).
    let mut body = with_version(&new_account_body(), 1);
    body["owner_id"] = json!(csm.id);
    body["external_id"] = Value::Null;
    body["mrr_minor"] = json!(1000);
    assert_eq!(put(&app, mine, &body).await.status(), 200);

    let mut body_theirs = body.clone();
    body_theirs["owner_id"] = json!(other);
    assert_problem(put(&app, theirs, &body_theirs).await, 403, "forbidden").await;
    let mut conn = app.pool.get().unwrap();
    assert_eq!(
        db::accounts::find(&mut conn, theirs).unwrap().name,
        "Theirs KK"
    );

    let mut reassign = with_version(&new_account_body(), 2);
    reassign["owner_id"] = json!(other);
    reassign["external_id"] = Value::Null;
    reassign["mrr_minor"] = json!(1000);
    let problem = assert_problem(put(&app, mine, &reassign).await, 400, "validation_failed").await;
    assert_eq!(problem.errors[0].field, "owner_id");

    assert_problem(
        app.post_json("/api/v1/accounts", &new_account_body()).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn executives_cannot_change_accounts() {
    let app = spawn_app().await;
    app.login_as(Role::Executive).await;
    let id = app.insert_account(&account("Read Only KK", 1000));
    assert_problem(
        put(&app, id, &with_version(&new_account_body(), 1)).await,
        403,
        "forbidden",
    )
    .await;
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/accounts/{id}?version=1")))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn deleting_needs_the_current_version_and_removes_the_account() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let id = app.insert_account(&account("Gone KK", 1000));
    let delete = |version: i64| {
        app.client
            .delete(app.url(&format!("/api/v1/accounts/{id}?version={version}")))
            .send()
    };
    assert_problem(delete(7).await.unwrap(), 409, "stale_version").await;
    assert_eq!(delete(1).await.unwrap().status(), 204);
    assert_problem(delete(1).await.unwrap(), 404, "not_found").await;
    let mut conn = app.pool.get().unwrap();
    let history = db::history::list(&mut conn, &Default::default()).unwrap();
    assert_eq!(history.items[0].kind, DataChangeKind::Delete);
    assert!(history.items[0].detail.contains("Gone KK"));
}

#[tokio::test]
async fn the_account_detail_has_mrr_history_latest_signals_and_contacts() {
    let app = spawn_app().await;
    let csm = app.login_as(Role::Csm).await;
    let mut row = account("Signals KK", 150_000);
    row.owner_id = Some(csm.id);
    let id = app.insert_account(&row);
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    {
        let mut conn = app.pool.get().unwrap();
        db::revenue::insert_many(
            &mut conn,
            &[
                NewMrr {
                    account_id: id,
                    month: day(2, 1),
                    product: "core".into(),
                    amount_minor: 100_000,
                    currency: "JPY".into(),
                },
                NewMrr {
                    account_id: id,
                    month: day(1, 1),
                    product: "core".into(),
                    amount_minor: 100_000,
                    currency: "JPY".into(),
                },
                NewMrr {
                    account_id: id,
                    month: day(2, 1),
                    product: "analytics".into(),
                    amount_minor: 50_000,
                    currency: "JPY".into(),
                },
            ],
        )
        .unwrap();
        let value = |key: &str, date, value| NewSignalValue {
            account_id: id,
            signal_key: key.into(),
            observed_on: date,
            value,
        };
        db::signals::insert_many(
            &mut conn,
            &[
                value("days_since_login", day(1, 31), 3.0),
                value("days_since_login", day(2, 28), 12.0),
                value("csm_sentiment", day(1, 31), 4.0),
            ],
        )
        .unwrap();
    }
    let detail: AccountDetail = app
        .get(&format!("/api/v1/accounts/{id}"))
        .await
        .json()
        .await
        .unwrap();
    let months: Vec<(NaiveDate, &str)> = detail
        .mrr_history
        .iter()
        .map(|e| (e.month, e.product.as_str()))
        .collect();
    assert_eq!(
        months,
        [
            (day(1, 1), "core"),
            (day(2, 1), "analytics"),
            (day(2, 1), "core")
        ]
    );
    assert_eq!(
        detail.latest_signals,
        [
            SignalValue {
                key: "csm_sentiment".into(),
                observed_on: day(1, 31),
                value: 4.0
            },
            SignalValue {
                key: "days_since_login".into(),
                observed_on: day(2, 28),
                value: 12.0
            },
        ]
    );
    assert_eq!(detail.account.signals["days_since_login"], 12.0);

    let mrr: Vec<MrrEntry> = app
        .get(&format!("/api/v1/accounts/{id}/mrr"))
        .await
        .json::<Page<MrrEntry>>()
        .await
        .unwrap()
        .items;
    assert_eq!(mrr.len(), 3);
    let history: Vec<SignalValue> = app
        .get(&format!(
            "/api/v1/accounts/{id}/signals?key=days_since_login&from=2025-02-01"
        ))
        .await
        .json::<Page<SignalValue>>()
        .await
        .unwrap()
        .items;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].value, 12.0);

    // The list shows the latest signals too.
    let page: Page<Account> = app.get("/api/v1/accounts").await.json().await.unwrap();
    assert_eq!(page.items[0].signals["days_since_login"], 12.0);

    // Contacts: the owning CSM adds a champion; the account follows.
    let response = app
        .post_json(
            &format!("/api/v1/accounts/{id}/contacts"),
            &json!({"name": "佐藤 花子", "email": "Hanako@Signals.co.jp", "title": "部長", "is_champion": true}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let champion: Contact = response.json().await.unwrap();
    assert_eq!(champion.email.as_deref(), Some("hanako@signals.co.jp"));
    app.post_json(
        &format!("/api/v1/accounts/{id}/contacts"),
        &json!({"name": "Ken", "is_champion": false}),
    )
    .await;
    let detail: AccountDetail = app
        .get(&format!("/api/v1/accounts/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail.contacts.len(), 2);
    assert!(detail.contacts[0].is_champion);
    assert_eq!(detail.account.champion_name.as_deref(), Some("佐藤 花子"));
    assert!(detail.account.champion_changed_on.is_some());

    let bad = app
        .post_json(
            &format!("/api/v1/accounts/{id}/contacts"),
            &json!({"name": "", "email": "nope"}),
        )
        .await;
    assert_problem(bad, 400, "validation_failed").await;
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/accounts/{id}/contacts/{}", champion.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let contacts: Vec<Contact> = app
        .get(&format!("/api/v1/accounts/{id}/contacts"))
        .await
        .json::<Page<Contact>>()
        .await
        .unwrap()
        .items;
    assert_eq!(contacts.len(), 1);
}

#[tokio::test]
async fn sub_resources_of_a_missing_account_are_404() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    for path in [
        "/api/v1/accounts/77/mrr",
        "/api/v1/accounts/77/signals",
        "/api/v1/accounts/77/contacts",
    ] {
        assert_problem(app.get(path).await, 404, "not_found").await;
    }
}

#[tokio::test]
async fn the_six_standard_signals_are_defined() {
    let app = spawn_app().await;
    app.login_as(Role::Csm).await;
    let defs: Vec<SignalDefinition> = app
        .get("/api/v1/signals")
        .await
        .json::<Page<SignalDefinition>>()
        .await
        .unwrap()
        .items;
    let keys: Vec<&str> = defs.iter().map(|d| d.key.as_str()).collect();
    for key in [
        "days_since_login",
        "active_user_ratio",
        "setup_progress",
        "support_tickets_30d",
        "feature_adoption",
        "csm_sentiment",
    ] {
        assert!(keys.contains(&key), "{key}");
    }
    let login = defs.iter().find(|d| d.key == "days_since_login").unwrap();
    assert!(!login.higher_is_better);
}
