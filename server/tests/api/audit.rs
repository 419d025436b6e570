//! The audit log: what is recorded, who sees what, filters, the CSV
//! export, and that entries can be neither changed nor deleted.

use kizuna_shared::api::{Account, AuditCategory, AuditEntry, AuditKind, Contact, Page};
use kizuna_shared::domain::Role;
use serde_json::json;

use crate::helpers::{account, assert_problem, spawn_app, TestApp};

async fn entries(app: &TestApp, query: &str) -> Page<AuditEntry> {
    let response = app.get(&format!("/api/v1/audit{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn account_body(name: &str, mrr: i64) -> serde_json::Value {
    json!({
        "name": name, "external_id": "CRM-7", "industry": "SaaS", "mrr_minor": mrr,
        "currency": "JPY", "status": "active", "expansion_potential": "none"
    })
}

#[tokio::test]
async fn data_changes_are_recorded_with_who_where_and_the_changed_fields() {
    let app = spawn_app().await;
    let manager = app.login_as(Role::Manager).await;
    let created: Account = app
        .post_json("/api/v1/accounts", &account_body("Sakura", 100_000))
        .await
        .json()
        .await
        .unwrap();
    let mut edit = account_body("Sakura Tech", 250_000);
    edit["industry"] = json!(null);
    edit["version"] = json!(created.version);
    let response = app
        .client
        .put(app.url(&format!("/api/v1/accounts/{}", created.id)))
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let contact: Contact = app
        .post_json(
            &format!("/api/v1/accounts/{}/contacts", created.id),
            &json!({ "name": "Hina", "is_champion": true }),
        )
        .await
        .json()
        .await
        .unwrap();
    let response = app
        .client
        .delete(app.url(&format!(
            "/api/v1/accounts/{}/contacts/{}",
            created.id, contact.id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.get("/api/v1/accounts/export?q=Sakura").await.status(),
        200
    );
    let other = app.insert_account(&account("Sakura KK", 1));
    let merge = app
        .post_json(
            "/api/v1/duplicates/merge",
            &json!({ "keep_id": created.id, "merge_id": other, "keep_version": 3, "merge_version": 1 }),
        )
        .await;
    assert_eq!(merge.status(), 200, "{}", merge.text().await.unwrap());
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/accounts/{}?version=4", created.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let import = app
        .client
        .post(app.url("/api/v1/imports?kind=accounts&file_name=crm.csv"))
        .header("content-type", "text/csv")
        .body("external_id,name,currency\nCRM-9,Momo,JPY\n")
        .send()
        .await
        .unwrap();
    assert_eq!(import.status(), 200);

    let page = entries(&app, "?category=data&per_page=50").await;
    let kinds: Vec<AuditKind> = page.items.iter().rev().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            AuditKind::AccountCreated,
            AuditKind::AccountEdited,
            AuditKind::ChampionChanged,
            AuditKind::ContactAdded,
            AuditKind::ContactRemoved,
            AuditKind::ExportDownloaded,
            AuditKind::AccountsMerged,
            AuditKind::AccountDeleted,
            AuditKind::ImportApplied,
        ]
    );
    for e in &page.items {
        assert_eq!(e.actor_id, Some(manager.id));
        assert_eq!(e.actor_name.as_deref(), Some("Test manager"));
        assert_eq!(e.actor_email.as_deref(), Some("manager@test.kizuna"));
        assert_eq!(e.client_addr.as_deref(), Some("127.0.0.1"));
        assert_eq!(e.category, AuditCategory::Data);
    }
    let edited = page
        .items
        .iter()
        .find(|e| e.kind == AuditKind::AccountEdited)
        .unwrap();
    let changes: Vec<_> = edited
        .changes
        .iter()
        .map(|c| (c.field.as_str(), c.old.as_deref(), c.new.as_deref()))
        .collect();
    assert_eq!(
        changes,
        [
            ("name", Some("Sakura"), Some("Sakura Tech")),
            ("industry", Some("SaaS"), None),
            ("mrr_minor", Some("100000"), Some("250000")),
        ]
    );
    assert_eq!(edited.target_id, Some(created.id));
    let champion = page
        .items
        .iter()
        .find(|e| e.kind == AuditKind::ChampionChanged)
        .unwrap();
    assert_eq!(champion.changes[0].new.as_deref(), Some("Hina"));
    let import = page
        .items
        .iter()
        .find(|e| e.kind == AuditKind::ImportApplied)
        .unwrap();
    assert_eq!(import.target_label.as_deref(), Some("crm.csv"));
    assert!(page.items[0].at <= chrono::Utc::now());
}

#[tokio::test]
async fn managers_see_data_events_only_and_csms_and_executives_nothing() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    app.post_json("/api/v1/accounts", &account_body("Sakura", 1))
        .await;
    let all = entries(&app, "").await;
    assert!(all
        .items
        .iter()
        .any(|e| e.category == AuditCategory::Security));

    app.login_as(Role::Manager).await;
    let page = entries(&app, "").await;
    assert!(!page.items.is_empty());
    assert!(page.items.iter().all(|e| e.category == AuditCategory::Data));
    for query in [
        "?category=security",
        "?kind=sign_in",
        "/export?category=security",
    ] {
        assert_problem(
            app.get(&format!("/api/v1/audit{query}")).await,
            403,
            "forbidden",
        )
        .await;
    }
    for role in [Role::Csm, Role::Executive] {
        app.login_as(role).await;
        assert_problem(app.get("/api/v1/audit").await, 403, "forbidden").await;
        assert_problem(app.get("/api/v1/audit/export").await, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn the_log_filters_by_user_kind_category_and_period_and_pages() {
    let app = spawn_app().await;
    let admin = app.login_as(Role::Admin).await;
    app.create_user("c@example.com", "C", Role::Csm);
    let csm_cookie = app.session_for("c@example.com").await;
    assert_eq!(app.login("c@example.com", "wrong").await.status(), 401);
    let by_admin = entries(&app, &format!("?user={}", admin.id)).await;
    assert!(by_admin.items.iter().all(|e| e.actor_id == Some(admin.id)));
    let failures = entries(&app, "?kind=sign_in_failed").await;
    assert_eq!(failures.total, 1);
    assert_eq!(failures.items[0].actor_id, None);
    assert_eq!(
        failures.items[0].target_label.as_deref(),
        Some("c@example.com")
    );
    let sign_ins = entries(&app, "?kind=sign_in&per_page=1&page=2").await;
    assert_eq!((sign_ins.total, sign_ins.items.len()), (2, 1));
    let future = entries(&app, "?from=2999-01-01T00:00:00Z").await;
    assert_eq!(future.total, 0);
    let past = entries(&app, "?to=2000-01-01T00:00:00Z").await;
    assert_eq!(past.total, 0);
    let now = entries(&app, "?from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z").await;
    assert_eq!(now.total, entries(&app, "").await.total);
    assert_problem(
        app.get("/api/v1/audit?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z")
            .await,
        400,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/audit?kind=coffee").await,
        400,
        "bad_request",
    )
    .await;
    assert_eq!(
        app.get_with_cookie("/api/v1/audit", &csm_cookie)
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn the_csv_export_has_a_bom_neutralised_formulas_and_is_itself_audited() {
    let app = spawn_app().await;
    app.login_as(Role::Admin).await;
    app.post_json(
        "/api/v1/accounts",
        &account_body("=HYPERLINK(\"http://evil\")", 1),
    )
    .await;
    let response = app.get("/api/v1/audit/export?category=data").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("kizuna-audit-"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[3], "kind");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][3], "account_created");
    assert_eq!(&rows[0][10], "'=HYPERLINK(\"http://evil\")");
    assert!(!text.contains(",=HYPERLINK"));
    assert_eq!(app.audit_kinds().last().unwrap(), "audit_exported");
}

#[tokio::test]
async fn entries_outlive_their_user_and_cannot_be_changed_or_deleted() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    let csm = app.login_as(Role::Csm).await;
    {
        let mut conn = app.pool.get().unwrap();
        diesel::delete(kizuna_server::db::schema::users::table.find(csm.id))
            .execute(&mut conn)
            .unwrap();
    }
    app.login_as(Role::Admin).await;
    let page = entries(&app, "?kind=sign_in").await;
    let old = page
        .items
        .iter()
        .find(|e| e.actor_name.as_deref() == Some("Test csm"))
        .unwrap();
    assert_eq!(old.actor_id, None);
    assert_eq!(old.actor_email.as_deref(), Some("csm@test.kizuna"));

    // The database refuses what the code never does.
    let total = entries(&app, "").await.total;
    let mut conn = app.pool.get().unwrap();
    for sql in [
        "DELETE FROM audit_log",
        "UPDATE audit_log SET summary = 'nothing happened'",
        "UPDATE audit_log SET actor_id = NULL, kind = 'sign_out'",
    ] {
        let result = diesel::sql_query(sql).execute(&mut conn);
        assert!(result.is_err(), "{sql} succeeded");
    }
    drop(conn);
    assert_eq!(entries(&app, "").await.total, total);
}
