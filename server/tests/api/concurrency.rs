//! Concurrent writers on one SQLite file: immediate transactions make them
//! wait their turn instead of failing with `SQLITE_BUSY_SNAPSHOT` (a 500).

use kizuna_shared::domain::Role;
use serde_json::json;

use crate::helpers::{account, spawn_app_configured};

#[tokio::test]
async fn many_concurrent_contact_creations_and_account_edits_never_fail() {
    let app = spawn_app_configured(false, |c| c.workers = Some(4)).await;
    app.login_as(Role::Manager).await;
    let ids: Vec<i64> = (0..16)
        .map(|i| app.insert_account(&account(&format!("Account {i}"), 1_000)))
        .collect();
    let mut tasks = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        let client = app.client.clone();
        let contact_url = app.url(&format!("/api/v1/accounts/{}/contacts", ids[(i + 1) % 16]));
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(contact_url)
                .json(&json!({ "name": format!("Contact {i}"), "is_champion": i % 2 == 0 }))
                .send()
                .await
                .unwrap();
            (format!("contact {i}"), response.status().as_u16())
        }));
        let client = app.client.clone();
        let account_url = app.url(&format!("/api/v1/accounts/{id}"));
        tasks.push(tokio::spawn(async move {
            let detail: serde_json::Value = client
                .get(&account_url)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let version = detail
                .get("account")
                .unwrap_or(&detail)
                .get("version")
                .and_then(serde_json::Value::as_i64)
                .unwrap();
            let response = client
                .put(&account_url)
                .json(&json!({
                    "name": format!("Edited {i}"), "mrr_minor": 2_000 + i, "currency": "JPY",
                    "status": "active", "expansion_potential": "none",
                    "version": version,
                }))
                .send()
                .await
                .unwrap();
            (format!("edit {i}"), response.status().as_u16())
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|(_, s)| !matches!(s, 200 | 201 | 409))
        .collect();
    assert!(failed.is_empty(), "failed writes: {failed:?}");
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM contacts"), 16);
    // Each write and its audit entry went in together.
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM audit_log WHERE kind = 'contact_added'"),
        16
    );
}
