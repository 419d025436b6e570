//! CSV import (preview, apply, encodings, mapping, errors), history,
//! progress and export.

use kizuna_server::db;
use kizuna_shared::api::{
    Account, AccountDetail, DataChange, DataChangeKind, ImportAction, ImportProgress, ImportReport,
    Page, MAX_IMPORT_BYTES,
};
use kizuna_shared::domain::Role;

use crate::helpers::{assert_problem, spawn_app, TestApp};

const HEADER: &str = "external_id,name,mrr,currency,contract_start,renewal_date,owner_email,status,churn_date,industry";

/// `POST /api/v1/imports?{query}` with `body` as the CSV file.
pub(crate) async fn import(
    app: &TestApp,
    query: &str,
    body: impl Into<Vec<u8>>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/imports?{query}")))
        .header("content-type", "text/csv")
        .body(body.into())
        .send()
        .await
        .unwrap()
}

/// The import report of `response`, which must have `status`.
pub(crate) async fn report(response: reqwest::Response, status: u16) -> ImportReport {
    assert_eq!(response.status().as_u16(), status, "status");
    response.json().await.unwrap()
}

fn accounts_file(rows: &[&str]) -> String {
    let mut text = String::from(HEADER);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text
}

fn account_count(app: &TestApp) -> i64 {
    let mut conn = app.pool.get().unwrap();
    db::accounts::count(&mut conn).unwrap()
}

/// A manager, a CSM owner (csm1@example.com) and the accounts CRM-1, CRM-2.
async fn app_with_accounts() -> TestApp {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    app.create_user("csm1@example.com", "Csm One", Role::Csm);
    let file = accounts_file(&[
        "CRM-1,株式会社サクラ,\"￥520,000\",JPY,2025/4/1,2026/4/1,csm1@example.com,active,,SaaS",
        "CRM-2,Northwind Inc.,79.85,USD,2025-01-15,,,active,,",
    ]);
    let r = report(
        import(&app, "kind=accounts&file_name=first.csv", file).await,
        200,
    )
    .await;
    assert!(r.applied, "{r:?}");
    app
}

#[tokio::test]
async fn a_preview_lists_each_problem_by_row_and_column_and_writes_nothing() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    app.create_user("csm1@example.com", "Csm One", Role::Csm);
    let file = accounts_file(&[
        "CRM-1,Good KK,100,JPY,2025-04-01,,csm1@example.com,active,,",
        "CRM-2,Bad date KK,100,JPY,2025-13-01,,,active,,",
        "CRM-3,Negative KK,-5,JPY,,,,active,,",
        "CRM-4,Currency KK,100,XYZ,,,,active,,",
        "CRM-5,Owner KK,100,JPY,,,nobody@example.com,active,,",
        "CRM-1,Twice KK,100,JPY,,,,active,,",
        "CRM-6,Churned KK,100,JPY,,,,churned,,",
        ",No id KK,100,JPY,,,,active,,",
    ]);
    let r = report(import(&app, "kind=accounts&dry_run=true", file).await, 200).await;
    assert!(r.dry_run && !r.applied);
    let got: Vec<(u64, Option<&str>, &str)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_deref(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, Some("contract_start"), "bad_date"),
            (4, Some("mrr"), "negative_amount"),
            (5, Some("currency"), "unknown_currency"),
            (6, Some("owner_email"), "unknown_owner"),
            (7, Some("external_id"), "duplicate_key"),
            (8, Some("churn_date"), "invalid_value"),
            (9, Some("external_id"), "missing_value"),
        ]
    );
    assert!(
        r.errors[4].message.contains("row 2"),
        "{}",
        r.errors[4].message
    );
    assert!(r.errors.iter().all(|e| !e.message.is_empty()));
    assert_eq!(r.error_count, 7);
    assert_eq!(r.created, 1);
    assert_eq!(r.changes[0].action, ImportAction::Create);
    assert_eq!(account_count(&app), 0);
}

#[tokio::test]
async fn a_missing_required_column_is_reported_on_the_header_row() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let r = report(
        import(
            &app,
            "kind=accounts&dry_run=true",
            "external_id,name\nCRM-1,A\n",
        )
        .await,
        200,
    )
    .await;
    assert_eq!(r.errors.len(), 1);
    assert_eq!(
        (
            r.errors[0].row,
            r.errors[0].column.as_deref(),
            r.errors[0].code.as_str()
        ),
        (1, Some("currency"), "missing_column")
    );
}

#[tokio::test]
async fn a_file_with_one_bad_row_applies_nothing() {
    let app = app_with_accounts().await;
    let file = accounts_file(&[
        "CRM-1,株式会社サクラ,\"600,000\",JPY,2025/4/1,2026/4/1,,active,,SaaS",
        "CRM-9,New KK,100,JPY,,,,active,,",
        "CRM-10,Broken KK,abc,JPY,,,,active,,",
    ]);
    let r = report(import(&app, "kind=accounts", file).await, 422).await;
    assert!(!r.applied);
    assert_eq!(r.error_count, 1);
    assert_eq!(r.errors[0].code.as_str(), "bad_amount");
    assert_eq!(account_count(&app), 2);
    let page: Page<Account> = app
        .get("/api/v1/accounts?q=CRM-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page.items[0].mrr_minor, 520_000,
        "the update was not applied"
    );
}

#[tokio::test]
async fn re_importing_the_same_file_changes_nothing() {
    let app = app_with_accounts().await;
    let before: Page<Account> = app.get("/api/v1/accounts").await.json().await.unwrap();
    let file = accounts_file(&[
        "CRM-1,株式会社サクラ,\"￥520,000\",JPY,2025/4/1,2026/4/1,csm1@example.com,active,,SaaS",
        "CRM-2,Northwind Inc.,79.85,USD,2025-01-15,,,active,,",
    ]);
    let r = report(
        import(&app, "kind=accounts&file_name=again.csv", file).await,
        200,
    )
    .await;
    assert!(r.applied);
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 2));
    let after: Page<Account> = app.get("/api/v1/accounts").await.json().await.unwrap();
    assert_eq!(before.items, after.items, "versions and values unchanged");
    let sakura = &after
        .items
        .iter()
        .find(|a| a.external_id.as_deref() == Some("CRM-1"))
        .unwrap();
    assert_eq!(sakura.mrr_minor, 520_000);
    assert_eq!(sakura.owner.as_ref().unwrap().email, "csm1@example.com");
    let northwind = after
        .items
        .iter()
        .find(|a| a.external_id.as_deref() == Some("CRM-2"))
        .unwrap();
    assert_eq!(northwind.mrr_minor, 7_985);
}

#[tokio::test]
async fn an_update_changes_only_the_given_cells() {
    let app = app_with_accounts().await;
    let file = "external_id,name,currency,plan\ncrm-1,株式会社サクラ,JPY,Enterprise\n";
    let r = report(import(&app, "kind=accounts", file).await, 200).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 0));
    let page: Page<Account> = app
        .get("/api/v1/accounts?q=CRM-1")
        .await
        .json()
        .await
        .unwrap();
    let a = &page.items[0];
    assert_eq!(a.plan.as_deref(), Some("Enterprise"));
    assert_eq!(
        a.industry.as_deref(),
        Some("SaaS"),
        "empty cells keep stored values"
    );
    assert_eq!(a.version, 2);
}

#[tokio::test]
async fn shift_jis_files_from_japanese_excel_are_read() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let text = "外部ID,会社名,金額,通貨,契約開始日\r\nJP-1,株式会社ミナト,\"１２０,０００\",JPY,2025年4月1日\r\n";
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    let r = report(import(&app, "kind=accounts", bytes.into_owned()).await, 200).await;
    assert_eq!(r.encoding, "Shift_JIS");
    assert_eq!(r.created, 1, "{r:?}");
    let page: Page<Account> = app.get("/api/v1/accounts").await.json().await.unwrap();
    assert_eq!(page.items[0].name, "株式会社ミナト");
    assert_eq!(page.items[0].mrr_minor, 120_000);
}

#[tokio::test]
async fn bom_and_tab_separated_files_are_read() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice("external_id,name,currency\nB-1,BOM KK,JPY\n".as_bytes());
    let r = report(import(&app, "kind=accounts", bom).await, 200).await;
    assert_eq!((r.encoding.as_str(), r.created), ("UTF-8 with BOM", 1));
    assert_eq!(r.headers[0], "external_id");
    let r = report(
        import(
            &app,
            "kind=accounts",
            "external_id\tname\tcurrency\nT-1\tTab KK\tUSD\n",
        )
        .await,
        200,
    )
    .await;
    assert_eq!((r.delimiter.as_str(), r.created), ("tab", 1));
}

#[tokio::test]
async fn a_column_mapping_reads_differently_named_headers() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let mapping = urlencode(r#"{"external_id":"Customer No","name":"Customer","currency":"Cur"}"#);
    let r = report(
        import(
            &app,
            &format!("kind=accounts&mapping={mapping}"),
            "Customer No,Customer,Cur\nM-1,Mapped KK,JPY\n",
        )
        .await,
        200,
    )
    .await;
    assert_eq!(r.created, 1, "{r:?}");
    assert_eq!(r.mapping["name"], "Customer");
    let bad = import(&app, "kind=accounts&mapping=%7Bnope", "a\n1\n").await;
    assert_problem(bad, 400, "bad_request").await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn mrr_rows_are_upserted_and_set_the_current_mrr() {
    let app = app_with_accounts().await;
    let file = "external_id,month,product,mrr,currency\n\
                CRM-1,2025/4,core,\"500,000\",JPY\n\
                CRM-1,2025-05-01,core,\"500,000\",JPY\n\
                CRM-1,2025-05,analytics,\"￥80,000\",JPY\n\
                CRM-2,2025-05,core,99.5,USD\n";
    let r = report(import(&app, "kind=mrr", file).await, 200).await;
    assert_eq!((r.created, r.updated, r.unchanged), (4, 0, 0), "{r:?}");
    let page: Page<Account> = app
        .get("/api/v1/accounts?q=CRM-1")
        .await
        .json()
        .await
        .unwrap();
    let detail: AccountDetail = app
        .get(&format!("/api/v1/accounts/{}", page.items[0].id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail.mrr_history.len(), 3);
    assert_eq!(detail.account.mrr_minor, 580_000, "latest month total");
    let again = report(import(&app, "kind=mrr", file).await, 200).await;
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 4));

    let bad = "external_id,month,product,mrr,currency\n\
               CRM-404,2025-05,core,1,JPY\n\
               CRM-1,2025-05,core,1,USD\n\
               CRM-1,May,core,1,JPY\n\
               CRM-1,2025-06,core,-1,JPY\n\
               CRM-1,2025-07,core,1,JPY\n\
               CRM-1,2025-07,core,2,JPY\n";
    let r = report(import(&app, "kind=mrr&dry_run=true", bad).await, 200).await;
    let codes: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.row, e.code.as_str())).collect();
    assert_eq!(
        codes,
        [
            (2, "unknown_account"),
            (3, "currency_mismatch"),
            (4, "bad_month"),
            (5, "negative_amount"),
            (7, "duplicate_key"),
        ]
    );
}

#[tokio::test]
async fn signal_values_need_a_defined_signal() {
    let app = app_with_accounts().await;
    let file = "external_id,signal,date,value\n\
                CRM-1,days_since_login,2025/5/31,4\n\
                CRM-1,feature_adoption,2025-05-31,45%\n\
                CRM-1,mood,2025-05-31,3\n";
    let r = report(import(&app, "kind=signals", file).await, 422).await;
    assert_eq!(r.errors.len(), 1);
    assert_eq!(
        (
            r.errors[0].row,
            r.errors[0].column.as_deref(),
            r.errors[0].code.as_str()
        ),
        (4, Some("signal"), "unknown_signal")
    );
    let good = "external_id,signal,date,value\n\
                CRM-1,days_since_login,2025/5/31,4\n\
                CRM-1,feature_adoption,2025-05-31,45%\n";
    let r = report(import(&app, "kind=signals", good).await, 200).await;
    assert_eq!(r.created, 2);
    let page: Page<Account> = app
        .get("/api/v1/accounts?q=CRM-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.items[0].signals["feature_adoption"], 45.0);
}

#[tokio::test]
async fn empty_optional_cells_are_missing_values_not_errors() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let file = accounts_file(&["E-1,Empty KK,,JPY,,,,,,"]);
    let r = report(import(&app, "kind=accounts", file).await, 200).await;
    assert_eq!((r.created, r.error_count), (1, 0));
}

#[tokio::test]
async fn oversized_and_empty_files_are_refused_with_a_clear_message() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let big = vec![b'a'; MAX_IMPORT_BYTES + 1];
    let problem = assert_problem(
        import(&app, "kind=accounts", big).await,
        413,
        "payload_too_large",
    )
    .await;
    assert!(problem.detail.unwrap().contains("32 MiB"));
    assert_problem(import(&app, "kind=accounts", "").await, 400, "bad_request").await;
    assert_problem(
        import(&app, "kind=accounts", vec![0xFF_u8, 0xFE, 0xFF]).await,
        400,
        "bad_request",
    )
    .await;
    assert_problem(
        import(&app, "kind=contracts", "a\n").await,
        400,
        "bad_request",
    )
    .await;
    assert_eq!(account_count(&app), 0);
}

#[tokio::test]
async fn only_managers_and_admins_import() {
    for role in [Role::Csm, Role::Executive] {
        let app = spawn_app().await;
        app.login_as(role).await;
        let r = import(
            &app,
            "kind=accounts",
            "external_id,name,currency\nX,Y,JPY\n",
        )
        .await;
        assert_problem(r, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn imports_are_recorded_with_who_file_and_counts() {
    let app = app_with_accounts().await;
    let page: Page<DataChange> = app.get("/api/v1/imports").await.json().await.unwrap();
    let entry = &page.items[0];
    assert_eq!(entry.kind, DataChangeKind::Accounts);
    assert_eq!(entry.file_name.as_deref(), Some("first.csv"));
    assert_eq!((entry.rows, entry.created), (2, 2));
    assert_eq!(entry.user.as_ref().unwrap().role, Role::Manager);
}

#[tokio::test]
async fn progress_can_be_followed_by_token() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    assert_problem(
        app.get("/api/v1/imports/progress/abcdefgh").await,
        404,
        "not_found",
    )
    .await;
    let file = accounts_file(&["P-1,Progress KK,1,JPY,,,,,,"]);
    report(
        import(&app, "kind=accounts&progress=abcdefgh", file).await,
        200,
    )
    .await;
    let p: ImportProgress = app
        .get("/api/v1/imports/progress/abcdefgh")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((p.phase.as_str(), p.done, p.total), ("done", 1, 1));
}

#[tokio::test]
async fn the_export_has_a_bom_honours_filters_and_imports_back_unchanged() {
    let app = app_with_accounts().await;
    let signals = "external_id,signal,date,value\nCRM-1,days_since_login,2025-05-31,4\n";
    report(import(&app, "kind=signals", signals).await, 200).await;
    let response = app.get("/api/v1/accounts/export?q=crm-1").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("external_id,name,domain"));
    assert!(lines[0].contains("days_since_login"));
    assert!(lines[1].starts_with("CRM-1,株式会社サクラ"));
    assert!(lines[1].contains("520000") && lines[1].contains("csm1@example.com"));

    let all = app
        .get("/api/v1/accounts/export")
        .await
        .bytes()
        .await
        .unwrap();
    let r = report(import(&app, "kind=accounts", all.to_vec()).await, 200).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 2), "{r:?}");
}
