//! Browser tests of where the app sends people and what it asks the server:
//! the sign-in page's `next` check (only paths on this site, however they
//! are encoded) and the query strings the API layer builds from the shared
//! query types.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use kizuna_app::api::{accounts_export_url, query_pairs, ImportRequest};
use kizuna_app::pages::login::{safe_next, HOME};
use kizuna_app::session::login_path;
use kizuna_shared::api::{AccountQuery, AccountSort, ImportKind, SortDir};
use kizuna_shared::domain::{AccountStatus, Currency};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn next_keeps_paths_on_this_site() {
    assert_eq!(safe_next(None), HOME);
    assert_eq!(safe_next(Some("/imports")), "/imports");
    assert_eq!(
        safe_next(Some("/accounts?q=%E6%A0%AA&sort=mrr#top")),
        "/accounts?q=%E6%A0%AA&sort=mrr#top"
    );
    assert_eq!(safe_next(Some("/accounts/42/edit")), "/accounts/42/edit");
}

#[wasm_bindgen_test]
fn next_refuses_other_sites_however_written() {
    for next in [
        "",
        "accounts",
        "//evil.example",
        "//evil.example/accounts",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "http:evil.example",
        "javascript:alert(1)",
        "data:text/html,hi",
        " /accounts",
        "/\t/evil.example",
        "/\n/evil.example",
        // Encoded: refused once decoded.
        "%2F%2Fevil.example",
        "/%2F/evil.example",
        "/%2f%2fevil.example",
        "/%5Cevil.example",
        "/%09/evil.example",
        "/%252F%252Fevil.example",
        "/%25252F%25252Fevil.example",
        // Undecodable.
        "/%E0%A4%A",
    ] {
        assert_eq!(safe_next(Some(next)), HOME, "{next:?}");
    }
}

#[wasm_bindgen_test]
fn next_refuses_paths_the_url_parser_normalises_into_another_host() {
    // Each passes the checks as written and once decoded, but the URL
    // parser resolves the dot segments into the path `//evil.example`.
    for next in [
        "/.//evil.example",
        "/..//evil.example",
        "/%2e//evil.example",
        "/%2E%2E//evil.example",
        "/./..//evil.example",
        "/accounts/..//evil.example",
        "/.//evil.example/accounts?q=1#top",
    ] {
        assert_eq!(safe_next(Some(next)), HOME, "{next:?}");
    }
    // Dot segments that stay on this site are resolved, not refused.
    assert_eq!(safe_next(Some("/accounts/./42")), "/accounts/42");
    assert_eq!(safe_next(Some("/imports/../accounts")), "/accounts");
}

#[wasm_bindgen_test]
fn the_sign_in_address_carries_the_page_to_return_to() {
    let here = "/accounts?q=a b&status=churned";
    let path = login_path(here);
    assert_eq!(
        path,
        "/login?next=%2Faccounts%3Fq%3Da%20b%26status%3Dchurned"
    );
    // The router decodes the parameter once; the result passes the check.
    let decoded = js_sys::decode_uri_component(path.trim_start_matches("/login?next="))
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(
        safe_next(Some(&decoded)),
        "/accounts?q=a%20b&status=churned"
    );
}

#[wasm_bindgen_test]
fn query_types_become_the_parameters_the_server_reads() {
    let query = AccountQuery {
        page: Some(3),
        per_page: Some(50),
        sort: Some(AccountSort::RenewalDate),
        dir: Some(SortDir::Desc),
        q: Some("株式会社 A&B".into()),
        status: Some(AccountStatus::Churned),
        ..AccountQuery::default()
    };
    let mut pairs = query_pairs(&query);
    pairs.sort();
    let expected: Vec<(String, String)> = [
        ("dir", "desc"),
        ("page", "3"),
        ("per_page", "50"),
        ("q", "株式会社 A&B"),
        ("sort", "renewal_date"),
        ("status", "churned"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(pairs, expected);

    // The export link holds the filters and sort, never the page.
    let url = accounts_export_url(&query);
    assert!(url.starts_with("/api/v1/accounts/export?"), "{url}");
    assert!(
        url.contains("q=%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE%20A%26B"),
        "{url}"
    );
    assert!(url.contains("sort=renewal_date") && url.contains("status=churned"));
    assert!(!url.contains("page"), "{url}");
    assert_eq!(
        accounts_export_url(&AccountQuery::default()),
        "/api/v1/accounts/export"
    );
}

#[wasm_bindgen_test]
fn an_import_request_sends_the_mapping_as_json_and_the_currency_only_when_chosen() {
    let read = ImportRequest {
        kind: ImportKind::Accounts,
        dry_run: true,
        file_name: Some("顧客.csv".into()),
        mapping: None,
        currency: None,
        progress: Some("00ff00ff".into()),
        date: None,
    };
    let mut pairs = query_pairs(&read);
    pairs.sort();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["dry_run", "file_name", "kind", "progress"]);
    assert!(pairs.contains(&("dry_run".into(), "true".into())));

    let mut mapping = BTreeMap::new();
    mapping.insert("name".to_owned(), "会社名".to_owned());
    let apply = ImportRequest {
        dry_run: false,
        mapping: Some(mapping),
        currency: Some(Currency::Jpy),
        ..read
    };
    let pairs = query_pairs(&apply);
    assert!(pairs.contains(&("mapping".into(), r#"{"name":"会社名"}"#.into())));
    assert!(pairs.contains(&("currency".into(), "JPY".into())));
    assert!(pairs.contains(&("dry_run".into(), "false".into())));
    // An empty mapping is no mapping.
    let empty = ImportRequest {
        mapping: Some(BTreeMap::new()),
        ..apply
    };
    assert!(!query_pairs(&empty).iter().any(|(k, _)| k == "mapping"));
    // A wide signals file's one date goes as `date=`.
    let wide = ImportRequest {
        kind: ImportKind::Signals,
        date: chrono::NaiveDate::from_ymd_opt(2025, 6, 30),
        ..empty
    };
    assert!(query_pairs(&wide).contains(&("date".into(), "2025-06-30".into())));
}
