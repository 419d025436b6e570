//! The import as a Japanese team and an attacker would use it: Excel's
//! Shift_JIS with Japanese headers and no currency column, the file's
//! currency, limits on size, one import at a time, amounts past the cap,
//! spreadsheet formulas in exported cells, and capped report lists.

use diesel::prelude::*;
use kizuna_server::db;
use kizuna_shared::api::{
    Account, DataChange, Page, MAX_IMPORT_COLUMNS, MAX_IMPORT_ROWS, MAX_PREVIEW_CHANGES,
    MAX_REPORTED_ERRORS,
};
use kizuna_shared::domain::Role;

use crate::helpers::{account, assert_problem, spawn_app, TestApp};
use crate::imports::{import, report};

/// A sheet as Japanese Excel saves it: Shift_JIS, CRLF, Japanese headers
/// with units in brackets, full-width digits, no currency column, the CSM
/// by name.
fn japanese_sheet() -> Vec<u8> {
    let text = "顧客コード,会社名,月額(円),契約開始日,次回更新日,担当CSM,業種\r\n\
                JP-1,株式会社ミナト,\"１２０,０００\",2025/4/1,2026/3/31,佐藤 花子,製造\r\n\
                JP-2,合同会社ソラ,\"￥80,000\",2025年5月1日,,sato@example.com,小売\r\n";
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[tokio::test]
async fn a_japanese_excel_sheet_without_currency_imports_with_the_files_currency() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let sato = app.create_user("sato@example.com", "佐藤 花子", Role::Csm);

    // Without a currency the dry run still reads the headers and suggests
    // the mapping (what the wizard shows), and says to pick a currency.
    let r = report(
        import(&app, "kind=accounts&dry_run=true", japanese_sheet()).await,
        200,
    )
    .await;
    assert_eq!(r.encoding, "Shift_JIS");
    assert_eq!(r.headers[0], "顧客コード");
    assert_eq!(r.headers.len(), 7);
    assert_eq!(r.mapping["external_id"], "顧客コード");
    assert_eq!(r.mapping["name"], "会社名");
    assert_eq!(r.mapping["mrr"], "月額(円)");
    assert_eq!(r.mapping["owner_email"], "担当CSM");
    assert_eq!(r.mapping["renewal_date"], "次回更新日");
    assert_eq!(r.errors.len(), 1);
    assert_eq!(
        (r.errors[0].column.as_deref(), r.errors[0].code.as_str()),
        (Some("currency"), "missing_column")
    );
    assert!(r.errors[0].message.contains("choose the currency"));

    let r = report(
        import(
            &app,
            "kind=accounts&currency=JPY&file_name=顧客.csv",
            japanese_sheet(),
        )
        .await,
        200,
    )
    .await;
    assert!(r.applied, "{r:?}");
    assert_eq!(r.created, 2);
    let page: Page<Account> = app.get("/api/v1/accounts").await.json().await.unwrap();
    let minato = page
        .items
        .iter()
        .find(|a| a.name == "株式会社ミナト")
        .unwrap();
    assert_eq!(
        (minato.mrr_minor, minato.currency.as_str()),
        (120_000, "JPY")
    );
    assert_eq!(minato.owner.as_ref().map(|o| o.id), Some(sato));
    assert_eq!(minato.industry.as_deref(), Some("製造"));
}

#[tokio::test]
async fn a_currency_cell_wins_over_the_files_currency() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let file = "external_id,name,mrr,currency\nC-1,Yen KK,\"1,000\",\nC-2,Dollar Inc,10.50,USD\n";
    let r = report(import(&app, "kind=accounts&currency=JPY", file).await, 200).await;
    assert_eq!(r.created, 2, "{r:?}");
    let page: Page<Account> = app.get("/api/v1/accounts").await.json().await.unwrap();
    let got: Vec<(&str, i64, &str)> = page
        .items
        .iter()
        .map(|a| (a.name.as_str(), a.mrr_minor, a.currency.as_str()))
        .collect();
    assert_eq!(got, [("Dollar Inc", 1050, "USD"), ("Yen KK", 1000, "JPY")]);

    // Without the file's currency, the empty cell says what to do.
    let r = report(import(&app, "kind=accounts&dry_run=true", file).await, 200).await;
    assert_eq!(r.errors.len(), 1);
    assert_eq!(
        (r.errors[0].row, r.errors[0].code.as_str()),
        (2, "missing_value")
    );
    assert!(r.errors[0].message.contains("currency of the whole file"));
    // An unknown currency is a bad parameter.
    assert_problem(
        import(&app, "kind=accounts&currency=XYZ", file).await,
        400,
        "bad_request",
    )
    .await;
}

#[tokio::test]
async fn an_mrr_file_may_name_its_currency_too() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let mut a = account("Monthly KK", 0);
    a.external_id = Some("M-1".into());
    app.insert_account(&a);
    let file =
        "顧客ID,年月,商品,月額（円）\nM-1,2025/4,core,\"50,000\"\nM-1,2025/5,core,\"55,000\"\n";
    let r = report(import(&app, "kind=mrr&currency=JPY", file).await, 200).await;
    assert_eq!(r.created, 2, "{r:?}");
    let page: Page<Account> = app.get("/api/v1/accounts").await.json().await.unwrap();
    assert_eq!(page.items[0].mrr_minor, 55_000);
    assert!(page.items[0].mrr_from_history);
}

#[tokio::test]
async fn amounts_over_a_trillion_are_refused_in_every_import() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let file = "external_id,name,mrr,currency\n\
                A-1,Cap KK,\"1,000,000,000,000\",JPY\n\
                A-2,Over KK,\"1,000,000,000,001\",JPY\n\
                A-3,Over Inc,1000000000000.01,USD\n";
    let r = report(import(&app, "kind=accounts&dry_run=true", file).await, 200).await;
    let got: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.row, e.code.as_str())).collect();
    assert_eq!(got, [(3, "amount_too_large"), (4, "amount_too_large")]);
    let mut a = account("Monthly KK", 0);
    a.external_id = Some("M-1".into());
    app.insert_account(&a);
    let mrr = "external_id,month,product,mrr,currency\nM-1,2025-04,core,1000000000001,JPY\n";
    let r = report(import(&app, "kind=mrr", mrr).await, 422).await;
    assert_eq!(r.errors[0].code.as_str(), "amount_too_large");
}

#[tokio::test]
async fn too_many_columns_is_a_400_and_too_many_rows_a_413_naming_the_limit() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let wide: Vec<String> = (0..=MAX_IMPORT_COLUMNS).map(|i| format!("c{i}")).collect();
    let problem = assert_problem(
        import(&app, "kind=accounts&dry_run=true", wide.join(",")).await,
        400,
        "too_many_columns",
    )
    .await;
    assert!(problem.detail.unwrap().contains("at most 100"));

    let mut long = String::from("external_id,name,currency\n");
    for i in 0..=MAX_IMPORT_ROWS {
        long.push_str(&format!("{i},a,JPY\n"));
    }
    let problem = assert_problem(
        import(&app, "kind=accounts&dry_run=true", long).await,
        413,
        "too_many_rows",
    )
    .await;
    assert!(problem.detail.unwrap().contains("200,000"));
    let mut conn = app.pool.get().unwrap();
    assert_eq!(db::accounts::count(&mut conn).unwrap(), 0);
}

/// Holds the import lock as another server instance would while applying.
fn hold_lock(app: &TestApp, minutes_ago: i64) {
    use db::schema::import_lock::dsl::*;
    let mut conn = app.pool.get().unwrap();
    diesel::insert_into(import_lock)
        .values((
            id.eq(1),
            holder.eq("another instance"),
            acquired_at
                .eq(chrono::Utc::now().naive_utc() - chrono::TimeDelta::minutes(minutes_ago)),
        ))
        .execute(&mut conn)
        .unwrap();
}

#[tokio::test]
async fn a_second_import_while_one_applies_gets_409_and_a_stale_lock_expires() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let file = "external_id,name,currency\nL-1,Locked KK,JPY\n";
    // Imports one after the other each take and give back the lock.
    report(import(&app, "kind=accounts", file).await, 200).await;
    report(import(&app, "kind=accounts", file).await, 200).await;

    hold_lock(&app, 1);
    let problem = assert_problem(
        import(
            &app,
            "kind=accounts",
            "external_id,name,currency\nL-2,Second KK,JPY\n",
        )
        .await,
        409,
        "import_running",
    )
    .await;
    assert_eq!(
        problem.detail.as_deref(),
        Some("An import is running; try again when it has finished.")
    );
    // Previews write nothing and are not held up.
    let r = report(import(&app, "kind=accounts&dry_run=true", file).await, 200).await;
    assert_eq!(r.unchanged, 1);
    let mut conn = app.pool.get().unwrap();
    assert_eq!(db::accounts::count(&mut conn).unwrap(), 1);

    // A lock left by a process that died long ago is taken over.
    {
        use db::schema::import_lock::dsl::*;
        diesel::delete(import_lock).execute(&mut conn).unwrap();
    }
    hold_lock(&app, 60);
    let r = report(
        import(
            &app,
            "kind=accounts",
            "external_id,name,currency\nL-2,Second KK,JPY\n",
        )
        .await,
        200,
    )
    .await;
    assert!(r.applied);
    let left: i64 = {
        use db::schema::import_lock::dsl::*;
        import_lock.count().get_result(&mut conn).unwrap()
    };
    assert_eq!(left, 0, "the lock is given back");
}

#[tokio::test]
async fn exported_formulas_are_guarded_and_import_back_unchanged() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let mut a = account("=HYPERLINK(\"http://evil.example\",\"click\")", 1000);
    a.external_id = Some("+F-1".into());
    a.plan = Some("-1+2".into());
    a.industry = Some("@SUM(A1:A9)".into());
    a.champion_name = Some("'=quoted".into());
    app.insert_account(&a);
    let mut b = account("Plain KK", 2000);
    b.external_id = Some("F-2".into());
    app.insert_account(&b);

    let bytes = app
        .get("/api/v1/accounts/export")
        .await
        .bytes()
        .await
        .unwrap();
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let evil = rows.iter().find(|r| &r[0] == "'+F-1").expect("guarded id");
    assert_eq!(&evil[1], "'=HYPERLINK(\"http://evil.example\",\"click\")");
    assert_eq!(&evil[3], "'@SUM(A1:A9)");
    assert_eq!(&evil[4], "'-1+2");
    assert_eq!(&evil[17], "''=quoted");
    for record in &rows {
        for cell in record.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unguarded cell {cell:?}"
            );
        }
    }

    let r = report(import(&app, "kind=accounts", bytes.to_vec()).await, 200).await;
    assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 2), "{r:?}");
    let page: Page<Account> = app
        .get("/api/v1/accounts?q=F-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page.items[0].champion_name.as_deref(), Some("'=quoted"));
    assert_eq!(page.items[0].version, 1);
}

#[tokio::test]
async fn report_lists_are_capped_but_counted_in_full() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let mut good = String::from("external_id,name,currency\n");
    for i in 0..(MAX_PREVIEW_CHANGES + 50) {
        good.push_str(&format!("G-{i},Good {i},JPY\n"));
    }
    let r = report(import(&app, "kind=accounts&dry_run=true", good).await, 200).await;
    assert_eq!(r.created, (MAX_PREVIEW_CHANGES + 50) as u64);
    assert_eq!(r.changes.len(), MAX_PREVIEW_CHANGES);
    assert_eq!(r.changes[0].row, 2);

    let mut bad = String::from("external_id,name,currency\n");
    for i in 0..(MAX_REPORTED_ERRORS + 10) {
        bad.push_str(&format!("B-{i},,JPY\n"));
    }
    let r = report(import(&app, "kind=accounts&dry_run=true", bad).await, 200).await;
    assert_eq!(r.error_count, (MAX_REPORTED_ERRORS + 10) as u64);
    assert_eq!(r.errors.len(), MAX_REPORTED_ERRORS);
}

#[tokio::test]
async fn history_times_are_utc_with_a_z() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    report(
        import(
            &app,
            "kind=accounts",
            "external_id,name,currency\nZ-1,Zulu KK,JPY\n",
        )
        .await,
        200,
    )
    .await;
    let raw: serde_json::Value = app.get("/api/v1/imports").await.json().await.unwrap();
    let at = raw["items"][0]["at"].as_str().unwrap();
    assert!(at.ends_with('Z'), "{at}");
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    let page: Page<DataChange> = serde_json::from_value(raw).unwrap();
    let age = chrono::Utc::now() - page.items[0].at;
    assert!(age.num_seconds().abs() < 60, "{age}");
}

#[tokio::test]
async fn a_duplicate_id_is_reported_with_the_rows_other_problems() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let file = "external_id,name,currency,contract_start\n\
                D-1,First KK,JPY,2025-04-01\n\
                d-1,Second KK,JPY,2025-13-01\n";
    let r = report(import(&app, "kind=accounts&dry_run=true", file).await, 200).await;
    let mut got: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.row, e.code.as_str())).collect();
    got.sort_unstable();
    assert_eq!(got, [(3, "bad_date"), (3, "duplicate_key")]);
}
