//! Onboarding sheets through the API: the shipped templates, managers
//! editing templates (which never rewrites a started sheet), the automatic
//! sheet of a new account's tier (form and import), ticking and unticking
//! with history, completion and reopening, overdue items, the overview's
//! filters, who may do what, and the onboarding KPIs.

use chrono::{Datelike, Days, NaiveDate, Utc};
use kizuna_shared::api::ItemAction;
use kizuna_shared::api::{OnboardingSummary, Page, Sheet, SheetDetail, SheetTemplate};
use kizuna_shared::domain::{Role, SheetKind, Tier};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app};
use crate::surveys::{owned_account, sign_in, User};

pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

async fn templates(user: &User) -> Vec<SheetTemplate> {
    user.json::<Page<SheetTemplate>>("/api/v1/sheet-templates")
        .await
        .items
}

async fn template_for(user: &User, tier: Tier) -> SheetTemplate {
    templates(user)
        .await
        .into_iter()
        .find(|t| t.tier == Some(tier))
        .expect("a template for the tier")
}

async fn start(user: &User, body: Value) -> reqwest::Response {
    user.post("/api/v1/sheets", &body).await
}

pub async fn start_ok(
    user: &User,
    template: i64,
    account: i64,
    started_on: NaiveDate,
) -> SheetDetail {
    let response = start(
        user,
        json!({ "template_id": template, "account_id": account, "started_on": started_on }),
    )
    .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

pub async fn tick(user: &User, sheet: i64, item: i64, body: Value) -> reqwest::Response {
    user.put(&format!("/api/v1/sheets/{sheet}/items/{item}"), &body)
        .await
}

/// A small template: two required onboarding items and an optional one.
pub fn small_template(name: &str) -> Value {
    json!({
        "name": { "en": name, "ja": "テスト" },
        "kind": "customer",
        "items": [
            { "title": { "en": "Goal setting", "ja": "ゴールの設定" }, "phase": "onboarding",
              "due_offset_days": 7, "role": "csm", "required": true },
            { "title": { "en": "Operation training" }, "phase": "onboarding",
              "due_offset_days": 14, "role": "csm", "required": true },
            { "title": { "ja": "振り返りMTG" }, "phase": "renewal",
              "due_offset_days": 300, "role": "csm", "required": false },
        ],
    })
}

pub async fn create_template(manager: &User, body: &Value) -> SheetTemplate {
    let response = manager.post("/api/v1/sheet-templates", body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_shipped_templates_follow_the_three_touch_models_and_enablement() {
    let app = spawn_app().await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let all = templates(&csm).await;
    assert_eq!(all.len(), 4);
    let high = all.iter().find(|t| t.tier == Some(Tier::High)).unwrap();
    let titles: Vec<&str> = high
        .items
        .iter()
        .map(|i| i.title.ja.as_deref().unwrap())
        .collect();
    for expected in [
        "ゴールの設定",
        "業務設計",
        "操作説明会",
        "月1回の利用状況確認",
        "効果レポートの提出",
    ] {
        assert!(titles.contains(&expected), "{titles:?}");
    }
    assert_eq!(
        titles.iter().filter(|t| t.starts_with("訪問MTG")).count(),
        3
    );
    let low = all.iter().find(|t| t.tier == Some(Tier::Low)).unwrap();
    assert!(low
        .items
        .iter()
        .any(|i| i.title.ja.as_deref() == Some("集合操作説明会")));
    let tech = all.iter().find(|t| t.tier == Some(Tier::Tech)).unwrap();
    assert_eq!(tech.items.len(), 2);
    let teammate = all.iter().find(|t| t.kind == SheetKind::Teammate).unwrap();
    let review = teammate
        .items
        .iter()
        .find(|i| i.title.ja.as_deref() == Some("入社2ヶ月後の振り返りヒアリング"))
        .unwrap();
    assert_eq!(review.due_offset_days, 60);
    assert!(teammate.items.iter().all(|i| i.due_offset_days <= 90));
    // Every shipped template can complete: it has required items.
    assert!(all
        .iter()
        .all(|t| t.items.iter().any(|i| i.required) && t.builtin));
}

#[tokio::test]
async fn managers_write_templates_and_other_roles_cannot() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let response = csm
        .post("/api/v1/sheet-templates", &small_template("X"))
        .await;
    assert_problem(response, 403, "forbidden").await;
    let mut no_required = small_template("No required");
    for item in no_required["items"].as_array_mut().unwrap() {
        item["required"] = json!(false);
    }
    let problem = assert_problem(
        manager.post("/api/v1/sheet-templates", &no_required).await,
        400,
        "validation_failed",
    )
    .await;
    assert_eq!(problem.errors[0].field, "items");
    let mut teammate_tier = small_template("Teammate");
    teammate_tier["kind"] = json!("teammate");
    teammate_tier["tier"] = json!("high");
    assert_problem(
        manager
            .post("/api/v1/sheet-templates", &teammate_tier)
            .await,
        400,
        "validation_failed",
    )
    .await;
    let created = create_template(&manager, &small_template("Pilot onboarding")).await;
    assert_eq!(created.items.len(), 3);
    assert_eq!(created.items[2].title.ja.as_deref(), Some("振り返りMTG"));
    assert_eq!(
        created.items.iter().map(|i| i.position).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(app.audit_kinds().contains(&"template_created".to_owned()));
}

#[tokio::test]
async fn template_edits_reorder_and_archive_but_never_rewrite_a_started_sheet() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let template = create_template(&manager, &small_template("Pilot")).await;
    let a = owned_account(&app, "Sakura KK", 100_000, manager.id);
    let started = start_ok(&manager, template.id, a, today()).await;
    let before: Vec<_> = started
        .items
        .iter()
        .map(|i| (i.title.clone(), i.due_on))
        .collect();
    // Reorder (last first), retitle, drop one, change offsets.
    let mut edited = small_template("Pilot v2");
    let items = edited["items"].as_array_mut().unwrap();
    items.reverse();
    items[0]["required"] = json!(true);
    items[1]["title"] = json!({ "en": "Operation training (online)" });
    items[1]["due_offset_days"] = json!(30);
    items.pop();
    let path = format!("/api/v1/sheet-templates/{}", template.id);
    let body = json!({ "template": edited, "archived": false, "version": template.version });
    let updated: SheetTemplate = manager.put(&path, &body).await.json().await.unwrap();
    assert_eq!(updated.items.len(), 2);
    assert_eq!(updated.items[0].title.ja.as_deref(), Some("振り返りMTG"));
    assert_eq!(updated.name.en.as_deref(), Some("Pilot v2"));
    assert_problem(manager.put(&path, &body).await, 409, "stale_version").await;
    // The started sheet keeps its name, items, order and due dates.
    let after: SheetDetail = manager
        .json(&format!("/api/v1/sheets/{}", started.sheet.id))
        .await;
    assert_eq!(after.sheet.name.en.as_deref(), Some("Pilot"));
    let after: Vec<_> = after
        .items
        .iter()
        .map(|i| (i.title.clone(), i.due_on))
        .collect();
    assert_eq!(after, before);
    // A new sheet gets the new items.
    let b = owned_account(&app, "Fuji KK", 100_000, manager.id);
    let new_sheet = start_ok(&manager, template.id, b, today()).await;
    assert_eq!(new_sheet.items.len(), 2);
    // Archived templates cannot be started.
    let archive = json!({ "template": small_template("Pilot v2"), "archived": true, "version": updated.version });
    assert_eq!(manager.put(&path, &archive).await.status(), 200);
    let c = owned_account(&app, "Momo KK", 100_000, manager.id);
    let refused = start(
        &manager,
        json!({ "template_id": template.id, "account_id": c }),
    )
    .await;
    assert_problem(refused, 400, "validation_failed").await;
    assert!(!templates(&manager)
        .await
        .iter()
        .any(|t| t.id == template.id));
}

#[tokio::test]
async fn a_tier_default_moves_to_the_template_that_takes_it() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let shipped = template_for(&manager, Tier::High).await;
    let mut body = small_template("Enterprise onboarding");
    body["tier"] = json!("high");
    let created = create_template(&manager, &body).await;
    assert_eq!(created.tier, Some(Tier::High));
    let old: SheetTemplate = manager
        .json(&format!("/api/v1/sheet-templates/{}", shipped.id))
        .await;
    assert_eq!(old.tier, None);
}

#[tokio::test]
async fn a_new_account_gets_its_tiers_template_automatically() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let form = |name: &str, mrr: i64, start: NaiveDate| {
        json!({ "name": name, "mrr_minor": mrr, "currency": "JPY", "status": "active",
                "owner_id": csm.id, "contract_start": start })
    };
    let response = manager
        .post("/api/v1/accounts", &form("Big KK", 600_000, today()))
        .await;
    assert_eq!(response.status(), 201);
    let big: Value = response.json().await.unwrap();
    let sheets: Page<Sheet> = manager
        .json(&format!("/api/v1/sheets?account={}", big["id"]))
        .await;
    assert_eq!(sheets.total, 1);
    let sheet = &sheets.items[0];
    assert_eq!(sheet.name.en.as_deref(), Some("High touch onboarding"));
    assert_eq!(sheet.started_on, today());
    assert_eq!(sheet.owner.as_ref().map(|o| o.id), Some(csm.id));
    assert_eq!(sheet.progress.items, 9);
    // A customer whose contract started long ago is past onboarding.
    let old = manager
        .post(
            "/api/v1/accounts",
            &form(
                "Old KK",
                100_000,
                NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
            ),
        )
        .await;
    let old: Value = old.json().await.unwrap();
    let none: Page<Sheet> = manager
        .json(&format!("/api/v1/sheets?account={}", old["id"]))
        .await;
    assert_eq!(none.total, 0);
    // Imported accounts too, each with its tier's template.
    let start = today().format("%Y-%m-%d");
    let csv = format!(
        "external_id,name,mrr,currency,contract_start,status,churn_date\n\
         IMP-1,Import Low KK,100000,JPY,{start},active,\n\
         IMP-2,Import Tech KK,5000,JPY,{start},active,\n\
         IMP-3,Import Churned KK,5000,JPY,{start},churned,{start}\n"
    );
    let imported = manager
        .client
        .post(manager.url("/api/v1/imports?kind=accounts&file_name=new.csv"))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let status = imported.status();
    let report: Value = imported.json().await.unwrap();
    assert_eq!(status, 200, "{report}");
    let all: Page<Sheet> = manager.json("/api/v1/sheets?kind=customer").await;
    let mut names: Vec<String> = all
        .items
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s.account.as_ref().unwrap().name,
                s.name.en.as_deref().unwrap()
            )
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "Big KK High touch onboarding",
            "Import Low KK Low touch onboarding",
            "Import Tech KK Tech touch onboarding"
        ]
    );
}

#[tokio::test]
async fn ticking_records_who_and_when_and_unticking_keeps_the_reason() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let template = create_template(&manager, &small_template("Pilot")).await;
    let a = owned_account(&app, "Sakura KK", 100_000, csm.id);
    let sheet = start_ok(&csm, template.id, a, today() - Days::new(3)).await;
    let (id, goal) = (sheet.sheet.id, sheet.items[0].id);
    let ticked: SheetDetail = tick(
        &csm,
        id,
        goal,
        json!({ "done": true, "note": "Agreed 3 KPIs" }),
    )
    .await
    .json()
    .await
    .unwrap();
    let item = &ticked.items[0];
    assert_eq!(item.done_on, Some(today()));
    assert_eq!(item.done_by.as_ref().map(|u| u.id), Some(csm.id));
    assert_eq!(item.note.as_deref(), Some("Agreed 3 KPIs"));
    // Ticking again changes nothing and adds no event.
    let again: SheetDetail = tick(&csm, id, goal, json!({ "done": true }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again.items[0].events.len(), 1);
    let no_reason = tick(&csm, id, goal, json!({ "done": false })).await;
    let problem = assert_problem(no_reason, 400, "validation_failed").await;
    assert_eq!(problem.errors[0].field, "note");
    let unticked: SheetDetail = tick(
        &manager,
        id,
        goal,
        json!({ "done": false, "note": "The customer changed their goals" }),
    )
    .await
    .json()
    .await
    .unwrap();
    let item = &unticked.items[0];
    assert_eq!((item.done_on, item.note.as_deref()), (None, None));
    let history: Vec<_> = item
        .events
        .iter()
        .map(|e| (e.action, e.note.as_deref(), e.user.as_ref().map(|u| u.id)))
        .collect();
    assert_eq!(
        history,
        [
            (ItemAction::Done, Some("Agreed 3 KPIs"), Some(csm.id)),
            (
                ItemAction::Undone,
                Some("The customer changed their goals"),
                Some(manager.id)
            ),
        ]
    );
    // The day it was done: not in the future, not before the start.
    // Tomorrow (UTC) is still today in Japan; the day after is the future.
    for day in [today() + Days::new(2), today() - Days::new(4)] {
        let refused = tick(&csm, id, goal, json!({ "done": true, "done_on": day })).await;
        assert_problem(refused, 400, "validation_failed").await;
    }
    assert_problem(
        tick(&csm, id, 99_999, json!({ "done": true })).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        tick(&csm, 99_999, goal, json!({ "done": true })).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_sheet_completes_once_all_required_items_are_done_and_reopens_when_one_is_unticked() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let template = create_template(&manager, &small_template("Pilot")).await;
    let a = owned_account(&app, "Sakura KK", 100_000, manager.id);
    let sheet = start_ok(&manager, template.id, a, today() - Days::new(20)).await;
    let id = sheet.sheet.id;
    let (goal, training, optional) = (sheet.items[0].id, sheet.items[1].id, sheet.items[2].id);
    let first = today() - Days::new(10);
    let done: SheetDetail = tick(
        &manager,
        id,
        training,
        json!({ "done": true, "done_on": first }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(done.sheet.completed_on, None);
    assert_eq!(done.sheet.progress.required_done, 1);
    let complete: SheetDetail = tick(
        &manager,
        id,
        goal,
        json!({ "done": true, "done_on": today() - Days::new(2) }),
    )
    .await
    .json()
    .await
    .unwrap();
    // The completion date: the day the last required item was done.
    assert_eq!(complete.sheet.completed_on, Some(today() - Days::new(2)));
    // Optional items neither block nor move the date.
    let still: SheetDetail = tick(&manager, id, optional, json!({ "done": true }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still.sheet.completed_on, Some(today() - Days::new(2)));
    assert_eq!(still.sheet.progress.done, 3);
    // Unticking a required item reopens the sheet and clears the date.
    let reopened: SheetDetail = tick(
        &manager,
        id,
        training,
        json!({ "done": false, "note": "Redo with new staff" }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(reopened.sheet.completed_on, None);
    let completed_again: SheetDetail = tick(&manager, id, training, json!({ "done": true }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(completed_again.sheet.completed_on, Some(today()));
    let completed: Page<Sheet> = manager.json("/api/v1/sheets?status=completed").await;
    assert_eq!(completed.total, 1);
    let kinds = app.audit_kinds();
    assert_eq!(kinds.iter().filter(|k| *k == "sheet_completed").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "sheet_reopened").count(), 1);
}

#[tokio::test]
async fn overdue_items_are_flagged_and_the_overview_filters_by_owner_tier_and_overdue() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let template = create_template(&manager, &small_template("Pilot")).await;
    let high = owned_account(&app, "Big KK", 800_000, csm.id);
    let low = owned_account(&app, "Mid KK", 100_000, manager.id);
    // Started 10 days ago: the 7-day item is overdue, the 14-day one not yet.
    let late = start_ok(&manager, template.id, high, today() - Days::new(10)).await;
    assert!(late.items[0].overdue && !late.items[1].overdue);
    assert_eq!(late.sheet.progress.overdue, 1);
    assert_eq!(late.sheet.next_due_on, Some(today() - Days::new(3)));
    start_ok(&manager, template.id, low, today()).await;
    let total = |query: &'static str| {
        let manager = &manager;
        async move {
            manager
                .json::<Page<Sheet>>(&format!("/api/v1/sheets?{query}"))
                .await
                .total
        }
    };
    assert_eq!(total("").await, 2);
    assert_eq!(total("overdue=true").await, 1);
    assert_eq!(total("overdue=false").await, 1);
    assert_eq!(total("tier=high").await, 1);
    assert_eq!(total("tier=tech").await, 0);
    let mine: Page<Sheet> = manager
        .json(&format!("/api/v1/sheets?owner={}", csm.id))
        .await;
    assert_eq!(mine.items[0].account.as_ref().map(|a| a.id), Some(high));
    // Ticking the overdue item clears it.
    let fixed: SheetDetail = tick(
        &csm,
        late.sheet.id,
        late.items[0].id,
        json!({ "done": true }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(!fixed.items[0].overdue);
    assert_eq!(total("overdue=true").await, 0);
    assert_problem(
        manager.get("/api/v1/sheets?overdue=maybe").await,
        400,
        "bad_request",
    )
    .await;
}

#[tokio::test]
async fn only_the_accounts_csm_and_managers_start_and_tick_customer_sheets() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let csm = sign_in(&app, Role::Csm, "Chika").await;
    let other = sign_in(&app, Role::Csm, "Kenta").await;
    let exec = sign_in(&app, Role::Executive, "Eiji").await;
    let template = create_template(&manager, &small_template("Pilot")).await;
    let a = owned_account(&app, "Sakura KK", 100_000, csm.id);
    let body = json!({ "template_id": template.id, "account_id": a });
    assert_problem(start(&other, body.clone()).await, 403, "forbidden").await;
    assert_problem(start(&exec, body.clone()).await, 403, "forbidden").await;
    let sheet: SheetDetail = start(&csm, body.clone()).await.json().await.unwrap();
    // The same template cannot run twice for the account.
    assert_problem(start(&manager, body).await, 409, "sheet_running").await;
    let item = sheet.items[0].id;
    for user in [&other, &exec] {
        let refused = tick(user, sheet.sheet.id, item, json!({ "done": true })).await;
        assert_problem(refused, 403, "forbidden").await;
    }
    assert_eq!(
        tick(&manager, sheet.sheet.id, item, json!({ "done": true }))
            .await
            .status(),
        200
    );
    // Deleting is for managers.
    let path = format!("/api/v1/sheets/{}", sheet.sheet.id);
    assert_problem(csm.delete(&path).await, 403, "forbidden").await;
    assert_eq!(manager.delete(&path).await.status(), 204);
    assert_problem(manager.get(&path).await, 404, "not_found").await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM sheet_items"), 0);
}

#[tokio::test]
async fn a_teammate_sheet_names_a_user_and_the_member_and_guide_tick_it() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let newcomer = sign_in(&app, Role::Csm, "Nao").await;
    let mentor = sign_in(&app, Role::Csm, "Mei").await;
    let bystander = sign_in(&app, Role::Csm, "Kenta").await;
    let enablement = templates(&manager)
        .await
        .into_iter()
        .find(|t| t.kind == SheetKind::Teammate)
        .unwrap();
    // A CSM does not start enablement sheets; an account is not a member.
    let body =
        json!({ "template_id": enablement.id, "member_id": newcomer.id, "owner_id": mentor.id });
    assert_problem(start(&newcomer, body.clone()).await, 403, "forbidden").await;
    let wrong = json!({ "template_id": enablement.id, "account_id": owned_account(&app, "X", 1, manager.id) });
    assert_problem(start(&manager, wrong).await, 400, "validation_failed").await;
    let sheet: SheetDetail = start(&manager, body).await.json().await.unwrap();
    assert_eq!(sheet.sheet.kind, SheetKind::Teammate);
    assert_eq!(sheet.sheet.member.as_ref().map(|m| m.id), Some(newcomer.id));
    assert_eq!(sheet.sheet.owner.as_ref().map(|m| m.id), Some(mentor.id));
    assert!(sheet.sheet.account.is_none());
    let review = sheet
        .items
        .iter()
        .find(|i| i.title.en.as_deref() == Some("Two-month review interview"))
        .unwrap();
    assert_eq!(review.due_on, today() + Days::new(60));
    for user in [&newcomer, &mentor] {
        let item = sheet.items[usize::from(user.id == mentor.id)].id;
        assert_eq!(
            tick(user, sheet.sheet.id, item, json!({ "done": true }))
                .await
                .status(),
            200
        );
    }
    let refused = tick(
        &bystander,
        sheet.sheet.id,
        sheet.items[2].id,
        json!({ "done": true }),
    )
    .await;
    assert_problem(refused, 403, "forbidden").await;
    let theirs: Page<Sheet> = mentor
        .json(&format!("/api/v1/sheets?owner={}", mentor.id))
        .await;
    assert_eq!(theirs.total, 1);
    let member: Page<Sheet> = manager
        .json(&format!("/api/v1/sheets?member={}", newcomer.id))
        .await;
    assert_eq!(member.total, 1);
}

#[tokio::test]
async fn onboarding_completion_rate_and_time_to_value_come_from_the_sheet_dates() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let template = create_template(&manager, &small_template("Pilot")).await;
    let month_start = today().with_day0(0).unwrap_or(today());
    let mut sheets = Vec::new();
    for name in ["A KK", "B KK", "C KK"] {
        let a = owned_account(&app, name, 100_000, manager.id);
        sheets.push(start_ok(&manager, template.id, a, month_start).await);
    }
    // Contract starts of the accounts (helpers::account): 2024-04-01.
    for sheet in &sheets[..2] {
        for item in &sheet.items[..2] {
            let response = tick(
                &manager,
                sheet.sheet.id,
                item.id,
                json!({ "done": true, "done_on": month_start }),
            )
            .await;
            assert_eq!(response.status(), 200);
        }
    }
    let from = month_start.format("%Y-%m");
    let kpis: OnboardingSummary = manager
        .json(&format!("/api/v1/sheets/kpis?from={from}&months=1"))
        .await;
    assert_eq!((kpis.sheets_started, kpis.sheets_completed), (3, 2));
    let expected = kizuna_shared::metrics::kpi::onboarding_kpis(
        &sheets
            .iter()
            .enumerate()
            .map(|(i, s)| kizuna_shared::metrics::kpi::OnboardingSheet {
                account: i,
                started_on: s.sheet.started_on,
                completed_on: (i < 2).then_some(month_start),
            })
            .collect::<Vec<_>>(),
        |_| NaiveDate::from_ymd_opt(2024, 4, 1),
        kizuna_shared::metrics::Period::month(kizuna_shared::metrics::Month::of(month_start)),
        today(),
    );
    assert_eq!(kpis.completion_pct, expected.onboarding_completion_pct);
    assert_eq!(kpis.ttv_median_days, expected.ttv_median_days);
    assert_eq!(
        kpis.ttv_median_days,
        Some((month_start - NaiveDate::from_ymd_opt(2024, 4, 1).unwrap()).num_days() as f64)
    );
    assert_problem(
        manager
            .get("/api/v1/sheets/kpis?from=2026-13&months=1")
            .await,
        400,
        "bad_request",
    )
    .await;
    assert_problem(
        manager
            .get("/api/v1/sheets/kpis?from=2026-01&months=0")
            .await,
        400,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn merging_duplicates_moves_answers_tasks_links_and_sheets() {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let keep = owned_account(&app, "Sakura KK", 100_000, manager.id);
    let merge = owned_account(&app, "Sakura K.K.", 100_000, manager.id);
    let survey = crate::surveys::create_survey(&manager, "nps", "NPS").await;
    crate::surveys::record(&manager, survey.id, merge, 3, None).await;
    crate::surveys::issue(&manager, survey.id, &[merge]).await;
    let template = create_template(&manager, &small_template("Pilot")).await;
    start_ok(&manager, template.id, merge, today()).await;
    let response = manager
        .post(
            "/api/v1/duplicates/merge",
            &json!({ "keep_id": keep, "merge_id": merge, "keep_version": 1, "merge_version": 1 }),
        )
        .await;
    assert_eq!(response.status(), 200);
    for table in ["survey_responses", "survey_links", "tasks", "sheets"] {
        assert_eq!(
            app.count(&format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE account_id = {keep}"
            )),
            1,
            "{table}"
        );
    }
}
