//! The account list and single accounts.

use kizuna_shared::api::{Account, Page};
use kizuna_shared::domain::{AccountStatus, Currency, Role, Tier};

use crate::helpers::{account, assert_problem, spawn_app, TestApp};

/// Signs in as a CSM and inserts a small, varied set of accounts; returns
/// the ids of the two owners (Aiko, Ben).
async fn app_with_accounts() -> (TestApp, i64, i64) {
    let app = spawn_app().await;
    let aiko = app.create_user("aiko@example.com", "Aiko", Role::Csm);
    let ben = app.create_user("ben@example.com", "Ben", Role::Csm);
    let rows = [
        (
            "株式会社ミナトロジスティクス",
            600_000,
            "JPY",
            Some(aiko),
            "active",
            Some("CRM-1"),
        ),
        (
            "Northwind Analytics Inc.",
            80_000,
            "USD",
            Some(ben),
            "active",
            Some("CRM-2"),
        ),
        (
            "青葉商事株式会社",
            30_000,
            "JPY",
            Some(aiko),
            "churned",
            None,
        ),
        (
            "Summit Labs LLC",
            900_000,
            "USD",
            Some(ben),
            "active",
            Some("NORTH-7"),
        ),
        ("Cedar Foods Co.", 10_000, "USD", None, "churned", None),
        (
            "富士工業株式会社",
            120_000,
            "JPY",
            Some(aiko),
            "active",
            None,
        ),
        (
            "Atlas Media Corp.",
            70_000,
            "JPY",
            Some(ben),
            "active",
            None,
        ),
    ];
    for (name, mrr, currency, owner, status, external_id) in rows {
        let mut a = account(name, mrr);
        a.currency = currency.into();
        a.owner_id = owner;
        a.status = status.into();
        a.external_id = external_id.map(Into::into);
        app.insert_account(&a);
    }
    app.login_as(Role::Csm).await;
    (app, aiko, ben)
}

async fn list(app: &TestApp, query: &str) -> Page<Account> {
    let response = app.get(&format!("/api/v1/accounts?{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    response.json().await.unwrap()
}

fn names(page: &Page<Account>) -> Vec<&str> {
    page.items.iter().map(|a| a.name.as_str()).collect()
}

#[tokio::test]
async fn accounts_are_paged_with_the_total_over_all_pages() {
    let (app, _, _) = app_with_accounts().await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let p = list(&app, &format!("per_page=3&page={page}")).await;
        assert_eq!(p.total, 7);
        assert_eq!(p.per_page, 3);
        assert_eq!(p.page, page);
        assert_eq!(p.items.len(), if page == 3 { 1 } else { 3 });
        seen.extend(p.items.into_iter().map(|a| a.id));
    }
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 7);
    let past_the_end = list(&app, "per_page=3&page=4").await;
    assert!(past_the_end.items.is_empty());
    assert_eq!(list(&app, "").await.per_page, 50);
}

#[tokio::test]
async fn accounts_sort_by_name_and_mrr_in_both_directions() {
    let (app, _, _) = app_with_accounts().await;
    let asc = list(&app, "sort=name").await;
    let mut expected: Vec<&str> = names(&asc);
    expected.sort_unstable();
    assert_eq!(names(&asc), expected);
    let desc = list(&app, "sort=name&dir=desc").await;
    expected.reverse();
    assert_eq!(names(&desc), expected);

    let mrr_asc: Vec<i64> = list(&app, "sort=mrr&dir=asc")
        .await
        .items
        .iter()
        .map(|a| a.mrr_minor)
        .collect();
    assert_eq!(
        mrr_asc,
        [10_000, 30_000, 70_000, 80_000, 120_000, 600_000, 900_000]
    );
    let mrr_desc: Vec<i64> = list(&app, "sort=mrr&dir=desc")
        .await
        .items
        .iter()
        .map(|a| a.mrr_minor)
        .collect();
    assert_eq!(
        mrr_desc,
        [900_000, 600_000, 120_000, 80_000, 70_000, 30_000, 10_000]
    );
}

#[tokio::test]
async fn accounts_sort_by_owner_name_with_the_owner_filled_in() {
    let (app, _, _) = app_with_accounts().await;
    let page = list(&app, "sort=owner&dir=desc").await;
    let owners: Vec<Option<&str>> = page
        .items
        .iter()
        .map(|a| a.owner.as_ref().map(|o| o.name.as_str()))
        .collect();
    assert_eq!(owners[..3], [Some("Ben"); 3]);
    assert_eq!(owners[3..6], [Some("Aiko"); 3]);
    assert_eq!(owners[6], None);
    // Rows with the same owner keep a stable id order (descending here).
    let ids: Vec<i64> = page.items[..3].iter().map(|a| a.id).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
}

#[tokio::test]
async fn accounts_filter_by_status_owner_and_tier() {
    let (app, aiko, _) = app_with_accounts().await;
    let churned = list(&app, "status=churned").await;
    assert_eq!(churned.total, 2);
    assert!(churned
        .items
        .iter()
        .all(|a| a.status == AccountStatus::Churned));

    let owned = list(&app, &format!("owner={aiko}")).await;
    assert_eq!(owned.total, 3);
    assert!(owned
        .items
        .iter()
        .all(|a| a.owner.as_ref().map(|o| o.id) == Some(aiko)));

    let high = list(&app, "tier=high&sort=mrr").await;
    assert_eq!(
        names(&high),
        ["株式会社ミナトロジスティクス", "Summit Labs LLC"]
    );
    assert!(high.items.iter().all(|a| a.tier == Tier::High));
    let low = list(&app, "tier=low&sort=mrr").await;
    assert_eq!(
        names(&low),
        [
            "Atlas Media Corp.",
            "Northwind Analytics Inc.",
            "富士工業株式会社"
        ]
    );
    assert!(low.items.iter().any(|a| a.currency == Currency::Usd));
    let tech = list(&app, "tier=tech").await;
    assert_eq!(tech.total, 2);

    let combined = list(&app, &format!("owner={aiko}&status=active&tier=low")).await;
    assert_eq!(names(&combined), ["富士工業株式会社"]);
}

#[tokio::test]
async fn accounts_search_is_case_insensitive_over_name_and_external_id() {
    let (app, _, _) = app_with_accounts().await;
    let found = list(&app, "q=NORTH&sort=name").await;
    assert_eq!(
        names(&found),
        ["Northwind Analytics Inc.", "Summit Labs LLC"]
    );
    let japanese = list(&app, "q=%E5%95%86%E4%BA%8B").await; // 商事
    assert_eq!(names(&japanese), ["青葉商事株式会社"]);
    let by_plan = list(&app, "q=growth").await;
    assert_eq!(by_plan.total, 7);
    let wildcard = list(&app, "q=%25").await;
    assert_eq!(
        wildcard.total, 0,
        "a % in the search text matches literally"
    );
}

#[tokio::test]
async fn bad_query_parameters_are_a_400_problem() {
    let (app, _, _) = app_with_accounts().await;
    for query in [
        "page=abc",
        "sort=bogus",
        "dir=up",
        "unknown=1",
        "status=paused",
        "tier=gold",
        "owner=x",
    ] {
        let response = app.get(&format!("/api/v1/accounts?{query}")).await;
        assert_problem(response, 400, "bad_request").await;
    }
    for query in ["per_page=501", "page=0", "per_page=0", "owner=0"] {
        let response = app.get(&format!("/api/v1/accounts?{query}")).await;
        let problem = assert_problem(response, 400, "validation_failed").await;
        assert_eq!(problem.errors.len(), 1, "{query}");
    }
}

#[tokio::test]
async fn a_single_account_is_found_by_id_and_an_unknown_one_is_a_404() {
    let (app, aiko, _) = app_with_accounts().await;
    let first = list(&app, "sort=mrr&dir=desc&per_page=2").await.items[1].clone();
    let response = app.get(&format!("/api/v1/accounts/{}", first.id)).await;
    assert_eq!(response.status(), 200);
    let account: Account = response.json().await.unwrap();
    assert_eq!(account, first);
    assert_eq!(account.owner.map(|o| o.id), Some(aiko));
    assert_eq!(account.tier, Tier::High);

    assert_problem(app.get("/api/v1/accounts/999999").await, 404, "not_found").await;
    assert_problem(app.get("/api/v1/accounts/abc").await, 400, "bad_request").await;
}
