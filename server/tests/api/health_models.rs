//! Issue 10 server side: a team's own signals, health models (drafts,
//! publishing with snapshots, conflicts, comparison), the binary scoring
//! data and an account's score.

use chrono::{Days, NaiveDate, Utc};
use kizuna_server::db;
use kizuna_server::db::accounts::NewAccount;
use kizuna_server::db::signals::NewSignalValue;
use kizuna_shared::api::scoring_data::decode;
use kizuna_shared::api::{
    AccountScore, HealthModelVersion, ModelComparison, ModelStatus, Page, PublishReport,
    SignalDefinition, SignalKind,
};
use kizuna_shared::domain::Role;
use kizuna_shared::metrics::{backtest, Bands, HealthModel, Scorer};
use serde_json::{json, Value};

use crate::helpers::{account, assert_problem, spawn_app, TestApp, PASSWORD};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).unwrap()
}

fn put_values(app: &TestApp, rows: &[(i64, &str, NaiveDate, f64)]) {
    let mut conn = app.pool.get().unwrap();
    let rows: Vec<NewSignalValue> = rows
        .iter()
        .map(|&(account_id, key, observed_on, value)| NewSignalValue {
            account_id,
            signal_key: key.to_owned(),
            observed_on,
            value,
        })
        .collect();
    db::signals::insert_many(&mut conn, &rows).unwrap();
}

async fn put_json(app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A one-measure model over `signal` (linear 0 → 0, 100 → 100).
fn model_over(signal: &str) -> Value {
    json!({ "measures": [{ "signal": signal, "weight": 1,
        "curve": { "kind": "linear", "points": [[0, 0], [100, 100]] } }], "cuts": [40, 70] })
}

async fn models(app: &TestApp) -> Vec<HealthModelVersion> {
    let page: Page<HealthModelVersion> =
        app.get("/api/v1/health-models").await.json().await.unwrap();
    page.items
}

async fn draft(app: &TestApp, model: Value) -> HealthModelVersion {
    let r = app
        .post_json(
            "/api/v1/health-models",
            &json!({ "name": "Draft", "model": model, "note": "try" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn sign_in_as(app: &TestApp, role: Role) {
    let email = format!("{}-{}@models.kizuna", role.as_str(), rand::random::<u32>());
    app.create_user(&email, "Someone", role);
    assert_eq!(app.login(&email, PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn a_manager_defines_changes_and_retires_a_signal_which_keeps_its_history() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let id = app.insert_account(&account("Signals KK", 10_000));
    // Today's SignalDefinition fields, as they are (builtin included).
    let r = app
        .post_json(
            "/api/v1/signals",
            &json!({ "key": "seats_used", "label": "Seats used", "unit": "seats",
                     "description": "Licensed seats in use.", "higher_is_better": true,
                     "builtin": false }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let created: SignalDefinition = r.json().await.unwrap();
    assert_eq!(
        (
            created.kind,
            created.retired,
            created.builtin,
            created.label_ja
        ),
        (SignalKind::Number, false, false, None)
    );
    let r = app
        .post_json(
            "/api/v1/signals",
            &json!({ "key": "has_tech_support", "label": "Has tech support", "label_ja": "テクニカルサポート契約",
                     "kind": "yes_no", "higher_is_better": true }),
        )
        .await;
    assert_eq!(r.status(), 201);
    // Taken key, bad key.
    let r = app
        .post_json(
            "/api/v1/signals",
            &json!({ "key": "seats_used", "label": "Again", "higher_is_better": true }),
        )
        .await;
    assert_problem(r, 409, "signal_key_taken").await;
    let r = app
        .post_json(
            "/api/v1/signals",
            &json!({ "key": "Seats Used", "label": "Bad", "higher_is_better": true }),
        )
        .await;
    let p = assert_problem(r, 400, "validation_failed").await;
    assert_eq!(p.errors[0].field, "key");

    put_values(&app, &[(id, "seats_used", days_ago(3), 12.0)]);
    let r = put_json(
        &app,
        "/api/v1/signals/seats_used",
        &json!({ "label": "Seats in use", "label_ja": "利用席数", "unit": "seats",
                 "higher_is_better": true, "retired": true }),
    )
    .await;
    assert_eq!(r.status(), 200);
    let retired: SignalDefinition = r.json().await.unwrap();
    assert!(retired.retired);
    assert_eq!(retired.label_ja.as_deref(), Some("利用席数"));
    // History kept; a model may not use it; an import may not add to it.
    let history: Vec<Value> = app
        .get(&format!("/api/v1/accounts/{id}/signals?key=seats_used"))
        .await
        .json::<Page<Value>>()
        .await
        .unwrap()
        .items;
    assert_eq!(history.len(), 1);
    let r = app
        .post_json(
            "/api/v1/health-models",
            &json!({ "name": "Uses retired", "model": model_over("seats_used") }),
        )
        .await;
    let p = assert_problem(r, 400, "validation_failed").await;
    assert!(p.errors[0].message.contains("retired"), "{p:?}");
    let r = put_json(
        &app,
        "/api/v1/signals/nope",
        &json!({ "label": "x", "higher_is_better": true }),
    )
    .await;
    assert_problem(r, 404, "not_found").await;
    // A signal the published model reads cannot be retired.
    let r = put_json(
        &app,
        "/api/v1/signals/days_since_login",
        &json!({ "label": "Days since last login", "unit": "days", "higher_is_better": false, "retired": true }),
    )
    .await;
    assert_problem(r, 409, "signal_in_use").await;
    let kinds = app.audit_kinds();
    assert!(kinds.contains(&"signal_defined".to_owned()), "{kinds:?}");
    assert!(kinds.contains(&"signal_changed".to_owned()), "{kinds:?}");

    // CSMs read but do not write.
    sign_in_as(&app, Role::Csm).await;
    let list: Vec<SignalDefinition> = app
        .get("/api/v1/signals")
        .await
        .json::<Page<SignalDefinition>>()
        .await
        .unwrap()
        .items;
    assert!(list.iter().any(|d| d.key == "seats_used" && d.retired));
    let r = app
        .post_json(
            "/api/v1/signals",
            &json!({ "key": "other", "label": "Other", "higher_is_better": true }),
        )
        .await;
    assert_problem(r, 403, "forbidden").await;
}

#[tokio::test]
async fn a_fresh_install_ships_a_default_model_published_as_version_1() {
    let app = spawn_app().await;
    app.login_as(Role::Csm).await;
    let list = models(&app).await;
    assert_eq!(list.len(), 1);
    let v1 = &list[0];
    assert_eq!(
        (v1.status, v1.published_version, v1.current),
        (ModelStatus::Published, Some(1), true)
    );
    assert_eq!(v1.model.measures.len(), 6);
    assert!(Scorer::new(&v1.model).is_ok());
}

#[tokio::test]
async fn an_invalid_model_is_a_400_naming_the_problem() {
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    let curve = json!({ "kind": "linear", "points": [[0, 0], [100, 100]] });
    for (model, says) in [
        (
            json!({ "measures": [{ "signal": "setup_progress", "weight": 0, "curve": curve }] }),
            "all weights are zero",
        ),
        (
            json!({ "measures": [{ "signal": "setup_progress", "weight": 1, "curve": curve }], "cuts": [70, 40] }),
            "cut-offs out of order",
        ),
        (
            json!({ "measures": [{ "signal": "no_such_signal", "weight": 1, "curve": curve }] }),
            "unknown signal `no_such_signal`",
        ),
    ] {
        let r = app
            .post_json(
                "/api/v1/health-models",
                &json!({ "name": "Bad", "model": model }),
            )
            .await;
        let p = assert_problem(r, 400, "validation_failed").await;
        assert_eq!(p.errors[0].field, "model");
        assert!(p.errors[0].message.contains(says), "{says}: {p:?}");
    }
    assert_eq!(models(&app).await.len(), 1, "nothing saved");
}

#[tokio::test]
async fn publishing_creates_a_version_and_a_snapshot_of_every_account_and_stale_publishes_conflict()
{
    let app = spawn_app().await;
    let ids: Vec<i64> = (0..5)
        .map(|i| app.insert_account(&account(&format!("Pub {i}"), 10_000)))
        .collect();
    for (i, &id) in ids.iter().enumerate().take(4) {
        put_values(
            &app,
            &[(id, "setup_progress", days_ago(1), 20.0 * i as f64 + 10.0)],
        );
    }
    app.login_as(Role::Manager).await;
    let a = draft(&app, model_over("setup_progress")).await;
    let b = draft(&app, model_over("feature_adoption")).await;
    assert_eq!(
        a.based_on,
        models(&app).await.iter().find(|m| m.current).map(|m| m.id)
    );

    // Editing with a stale version: 409; with the right one: version 2.
    let edit = json!({ "name": "Setup only", "model": model_over("setup_progress"), "note": "", "version": 1 });
    let r = put_json(&app, &format!("/api/v1/health-models/{}", a.id), &edit).await;
    assert_eq!(r.status(), 200);
    let r = put_json(&app, &format!("/api/v1/health-models/{}", a.id), &edit).await;
    assert_problem(r, 409, "stale_version").await;
    let mut huge = edit.clone();
    huge["version"] = json!(i64::MAX);
    let r = put_json(&app, &format!("/api/v1/health-models/{}", a.id), &huge).await;
    assert_problem(r, 409, "stale_version").await;

    // CSMs and executives may not publish.
    for role in [Role::Csm, Role::Executive] {
        let email = format!("{}@pub.kizuna", role.as_str());
        app.create_user(&email, "Reader", role);
        let cookie = app.session_for(&email).await;
        let r = crate::helpers::bare_client()
            .post(app.url(&format!("/api/v1/health-models/{}/publish", a.id)))
            .header("cookie", cookie)
            .header("x-kizuna-csrf", "1")
            .json(&json!({ "version": 2 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{role}");
    }

    // Stale version of the draft.
    let r = app
        .post_json(
            &format!("/api/v1/health-models/{}/publish", a.id),
            &json!({ "version": 1 }),
        )
        .await;
    assert_problem(r, 409, "stale_version").await;
    let r = app
        .post_json(
            &format!("/api/v1/health-models/{}/publish", a.id),
            &json!({ "version": 2, "note": "Setup matters most" }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let report: PublishReport = r.json().await.unwrap();
    assert_eq!(report.model.published_version, Some(2));
    assert_eq!(report.model.note, "Setup matters most");
    assert!(report.model.current);
    assert_eq!(
        (report.accounts, report.scored, report.scored_on),
        (5, 4, today())
    );
    let stored = app.count(&format!(
        "SELECT COUNT(*) AS n FROM health_scores WHERE model_id = {} AND scored_on = '{}'",
        a.id,
        today()
    ));
    assert_eq!(stored, 5, "one row per account");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM health_scores WHERE band = 'green'"),
        1,
        "70 points and up: the account at 70"
    );
    // The second manager's draft started from version 1: 409, nothing changes.
    let r = app
        .post_json(
            &format!("/api/v1/health-models/{}/publish", b.id),
            &json!({ "version": 1 }),
        )
        .await;
    let p = assert_problem(r, 409, "model_published").await;
    assert!(p.detail.unwrap_or_default().contains("Version 2"));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM health_scores WHERE model_id = {}",
            b.id
        )),
        0
    );
    // Publishing twice: 409.
    let r = app
        .post_json(
            &format!("/api/v1/health-models/{}/publish", a.id),
            &json!({ "version": 3 }),
        )
        .await;
    assert_problem(r, 409, "model_immutable").await;
    assert!(app.audit_kinds().contains(&"model_published".to_owned()));

    // The account's score: trend and breakdown.
    let score: AccountScore = app
        .get(&format!("/api/v1/accounts/{}/score", ids[3]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(score.model_version, 2);
    assert_eq!(score.breakdown.score, Some(70.0));
    assert_eq!(score.breakdown.measures[0].value, Some(70.0));
    assert_eq!(
        score.trend.last().map(|p| (p.scored_on, p.score)),
        Some((today(), Some(70.0)))
    );

    // Compare version 1 with 2.
    let v1 = models(&app)
        .await
        .into_iter()
        .find(|m| m.published_version == Some(1))
        .unwrap();
    let c: ModelComparison = app
        .get(&format!(
            "/api/v1/health-models/compare?a={}&b={}",
            v1.id, a.id
        ))
        .await
        .json()
        .await
        .unwrap();
    let setup = c
        .weights
        .iter()
        .find(|w| w.signal == "setup_progress")
        .unwrap();
    assert_eq!(setup.b, Some(1.0));
    assert!(setup.a.unwrap() < 1.0);
    assert_eq!(c.as_of, today());
    let r = app.get("/api/v1/health-models/compare?a=1&b=999").await;
    assert_problem(r, 404, "not_found").await;
}

#[tokio::test]
async fn the_daily_snapshot_runs_when_missing_and_only_once_a_day() {
    let app = spawn_app().await;
    let id = app.insert_account(&account("Daily KK", 10_000));
    put_values(&app, &[(id, "setup_progress", days_ago(2), 80.0)]);
    let date = days_ago(1);
    assert!(kizuna_server::snapshots::run_once(&app.pool, date));
    assert!(
        !kizuna_server::snapshots::run_once(&app.pool, date),
        "done already"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM health_scores WHERE scored_on = '{date}' AND account_id = {id}"
        )),
        1
    );
}

#[tokio::test]
async fn scoring_data_shows_values_as_of_a_past_date_and_the_label_follows_the_window() {
    let app = spawn_app().await;
    let churns_soon = app.insert_account(&NewAccount {
        status: "churned".into(),
        churn_date: Some(days_ago(50)),
        ..account("Churns 40 days after", 10_000)
    });
    let stays = app.insert_account(&account("Stays", 20_000));
    let gone_before = app.insert_account(&NewAccount {
        status: "churned".into(),
        churn_date: Some(days_ago(100)),
        ..account("Churned before", 10_000)
    });
    put_values(
        &app,
        &[
            (stays, "setup_progress", days_ago(120), 10.0),
            (stays, "setup_progress", days_ago(95), 30.0),
            // Later than the as-of date: not visible.
            (stays, "setup_progress", days_ago(60), 99.0),
            (churns_soon, "setup_progress", days_ago(91), 5.0),
        ],
    );
    app.login_as(Role::Csm).await;
    let as_of = days_ago(90);
    let fetch = |window: u32, lags: &'static str| {
        let path = format!("/api/v1/scoring-data?as_of={as_of}&window_days={window}{lags}");
        let app = &app;
        async move {
            let r = app.get(&path).await;
            assert_eq!(r.status(), 200);
            assert_eq!(
                r.headers()["content-type"],
                "application/vnd.kizuna.scoring-data"
            );
            decode(&r.bytes().await.unwrap()).unwrap()
        }
    };
    let data = fetch(30, "").await;
    assert_eq!(data.as_of(), as_of);
    let ids = data.accounts().ids().to_vec();
    assert_eq!(
        ids,
        vec![churns_soon, stays],
        "the churned-before account is no customer then"
    );
    assert!(!ids.contains(&gone_before));
    let setup = data.signals().column("setup_progress").unwrap();
    assert_eq!(
        setup.get(1),
        Some(30.0),
        "the reading of day -95, not the later one"
    );
    assert_eq!(setup.get(0), Some(5.0));
    assert_eq!(
        data.accounts().churned(),
        &[false, false],
        "churn 40 days later is outside 30"
    );
    let data = fetch(60, "&lags=30").await;
    assert_eq!(data.accounts().churned(), &[true, false], "inside 60 days");
    let lagged = data.signals().lagged("setup_progress", 30).unwrap();
    assert_eq!(
        lagged.get(1),
        Some(10.0),
        "as it stood 30 days before the as-of date"
    );
    assert!(lagged.get(0).is_none_or(f64::is_nan));
    let r = app
        .get(&format!("/api/v1/scoring-data?as_of={as_of}&window_days=0"))
        .await;
    assert_problem(r, 400, "validation_failed").await;
}

/// The scoring-data body is cached per query and data version: asking
/// again answers the same bytes, and a signal import (which records a
/// change event) makes the next answer carry the new reading, while a past
/// as-of date still does not see it.
#[tokio::test]
async fn the_cached_scoring_data_refreshes_after_a_signal_import_and_keeps_as_of_semantics() {
    use crate::imports::{import, report};
    let app = spawn_app().await;
    let a = app.insert_account(&NewAccount {
        external_id: Some("C-1".into()),
        ..account("Cached", 10_000)
    });
    put_values(&app, &[(a, "setup_progress", days_ago(40), 20.0)]);
    app.login_as(Role::Manager).await;
    let fetch = |as_of: chrono::NaiveDate| {
        let app = &app;
        async move {
            let r = app
                .get(&format!(
                    "/api/v1/scoring-data?as_of={as_of}&window_days=30"
                ))
                .await;
            assert_eq!(r.status(), 200);
            r.bytes().await.unwrap()
        }
    };
    let today = days_ago(0);
    let past = days_ago(20);
    let first = fetch(today).await;
    assert_eq!(fetch(today).await, first, "same data, same body");
    let setup = |bytes: &[u8]| {
        decode(bytes)
            .unwrap()
            .signals()
            .column("setup_progress")
            .and_then(|c| c.get(0))
    };
    assert_eq!(setup(&first), Some(20.0));
    assert_eq!(setup(&fetch(past).await), Some(20.0));
    let r = report(
        import(
            &app,
            &format!("kind=signals&date={}", days_ago(5)),
            "external_id,setup_progress\nC-1,75\n",
        )
        .await,
        200,
    )
    .await;
    assert!(r.applied, "{r:?}");
    assert_eq!(
        setup(&fetch(today).await),
        Some(75.0),
        "the import is visible at once, not hidden by the cached body"
    );
    assert_eq!(
        setup(&fetch(past).await),
        Some(20.0),
        "a reading after the as-of date stays invisible"
    );
}

#[tokio::test]
async fn the_backtest_auc_of_a_published_model_is_the_mann_whitney_auc_of_the_stored_scores() {
    let app = spawn_app().await;
    // 30 customers; a third give notice to churn within 90 days from today.
    let mut expected = Vec::new();
    for i in 0..30u32 {
        let churns = i % 3 == 0;
        let id = app.insert_account(&NewAccount {
            churn_date: churns.then(|| {
                today()
                    .checked_add_days(Days::new(20 + u64::from(i)))
                    .unwrap()
            }),
            ..account(&format!("AUC {i}"), 10_000 + i64::from(i))
        });
        // Overlapping but separating values, with ties.
        let value = if churns {
            f64::from(i % 7) * 10.0
        } else {
            f64::from(i % 9) * 10.0 + 15.0
        };
        put_values(&app, &[(id, "setup_progress", days_ago(5), value)]);
        expected.push((id, churns));
    }
    app.login_as(Role::Manager).await;
    let d = draft(&app, model_over("setup_progress")).await;
    let r = app
        .post_json(
            &format!("/api/v1/health-models/{}/publish", d.id),
            &json!({ "version": 1 }),
        )
        .await;
    assert_eq!(r.status(), 200);

    // The back-test the workbench runs: published model over the scoring data.
    let r = app
        .get(&format!(
            "/api/v1/scoring-data?as_of={}&window_days=90",
            today()
        ))
        .await;
    let data = decode(&r.bytes().await.unwrap()).unwrap();
    let published: HealthModel = models(&app)
        .await
        .into_iter()
        .find(|m| m.current)
        .unwrap()
        .model;
    let (scores, _) = Scorer::new(&published).unwrap().score(data.signals());
    let report = backtest(&scores, data.accounts().churned(), Bands::default()).unwrap();

    // Exact Mann–Whitney over the stored snapshot: P(churned < retained) + ½ P(tie).
    use diesel::prelude::*;
    use kizuna_server::db::schema::health_scores;
    let mut conn = app.pool.get().unwrap();
    let stored: Vec<(i64, Option<f64>)> = health_scores::table
        .filter(health_scores::model_id.eq(d.id))
        .select((health_scores::account_id, health_scores::score))
        .load(&mut conn)
        .unwrap();
    let score_of = |id| stored.iter().find(|(a, _)| *a == id).unwrap().1.unwrap();
    let churned: Vec<f64> = expected
        .iter()
        .filter(|e| e.1)
        .map(|e| score_of(e.0))
        .collect();
    let retained: Vec<f64> = expected
        .iter()
        .filter(|e| !e.1)
        .map(|e| score_of(e.0))
        .collect();
    let mut wins = 0.0;
    for c in &churned {
        for r in &retained {
            wins += if c < r {
                1.0
            } else if c == r {
                0.5
            } else {
                0.0
            };
        }
    }
    let mann_whitney = wins / (churned.len() * retained.len()) as f64;
    assert_eq!(report.churned, 10);
    assert_eq!(report.auc, Some(mann_whitney));
    assert!(mann_whitney > 0.5 && mann_whitney < 1.0, "{mann_whitney}");
}

#[tokio::test]
async fn a_custom_signal_is_imported_in_the_wide_layout_from_shift_jis_and_scored() {
    use crate::imports::{import, report};
    let app = spawn_app().await;
    let w1 = app.insert_account(&NewAccount {
        external_id: Some("W-1".into()),
        ..account("株式会社ワイド", 10_000)
    });
    let w2 = app.insert_account(&NewAccount {
        external_id: Some("W-2".into()),
        ..account("ベータ株式会社", 10_000)
    });
    app.login_as(Role::Manager).await;
    let r = app
        .post_json(
            "/api/v1/signals",
            &json!({ "key": "seats_used", "label": "Seats used", "label_ja": "利用席数",
                     "unit": "seats", "higher_is_better": true }),
        )
        .await;
    assert_eq!(r.status(), 201);
    // Japanese headers: the id, the name, the date; a built-in signal by
    // its key and one by its English label, the custom one by its Japanese
    // label, and a column no signal has. Blank cells are missing values.
    let text = "取引先ID,会社名,日付,Setup progress,feature_adoption,利用席数,満足度メモ\r\n\
                W-1,株式会社ワイド,2025/6/30,80,,12,良好\r\n\
                W-2,ベータ株式会社,2025/6/30,,45%,,\r\n";
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    let dry = report(
        import(
            &app,
            "kind=signals&dry_run=true",
            bytes.clone().into_owned(),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(dry.encoding, "Shift_JIS");
    assert_eq!(dry.unknown_columns, vec!["満足度メモ".to_owned()]);
    assert_eq!((dry.created, dry.error_count), (3, 0), "{dry:?}");
    let r = report(import(&app, "kind=signals", bytes.into_owned()).await, 200).await;
    assert_eq!((r.created, r.applied), (3, true));
    assert_eq!(r.unknown_columns, vec!["満足度メモ".to_owned()]);
    let stored = |account: i64, key: &str| {
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM signal_values WHERE account_id = {account} AND signal_key = '{key}'"
        ))
    };
    assert_eq!(
        (stored(w1, "setup_progress"), stored(w1, "seats_used")),
        (1, 1)
    );
    assert_eq!(
        stored(w1, "feature_adoption"),
        0,
        "blank: missing, not zero"
    );
    assert_eq!(
        (stored(w2, "setup_progress"), stored(w2, "seats_used")),
        (0, 0)
    );

    // One date for the whole file; a bad number is a row problem naming the signal.
    let r = report(
        import(
            &app,
            "kind=signals&date=2025-07-31",
            "external_id,seats_used\nW-1,14\nW-2,\n",
        )
        .await,
        200,
    )
    .await;
    assert_eq!((r.created, r.unknown_columns.len()), (1, 0));
    let r = report(
        import(
            &app,
            "kind=signals&date=2025-07-31",
            "external_id,seats_used\nW-2,lots\n",
        )
        .await,
        422,
    )
    .await;
    assert_eq!(r.errors[0].column.as_deref(), Some("seats_used"));
    // Without a date column or `date=`: the missing column is named.
    let r = report(
        import(&app, "kind=signals", "external_id,seats_used\nW-2,3\n").await,
        422,
    )
    .await;
    assert_eq!(r.errors[0].column.as_deref(), Some("date"));
    // The long layout still works.
    let r = report(
        import(
            &app,
            "kind=signals",
            "external_id,signal,date,value\nW-2,seats_used,2025-07-31,5\n",
        )
        .await,
        200,
    )
    .await;
    assert_eq!(r.created, 1);

    // Scored with a model that reads the custom signal.
    let d = draft(&app, model_over("seats_used")).await;
    let r = app
        .post_json(
            &format!("/api/v1/health-models/{}/publish", d.id),
            &json!({ "version": 1 }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let score: AccountScore = app
        .get(&format!("/api/v1/accounts/{w1}/score"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        score.breakdown.measures[0].value,
        Some(14.0),
        "the latest reading"
    );
    assert_eq!(score.breakdown.score, Some(14.0));
}

#[tokio::test]
async fn the_accounts_list_and_export_carry_the_published_score_and_band() {
    use kizuna_shared::api::Account;
    use kizuna_shared::metrics::Band;
    let app = spawn_app().await;
    let low = app.insert_account(&account("Low KK", 10_000));
    let high = app.insert_account(&account("High KK", 10_000));
    let none = app.insert_account(&account("Unscored KK", 10_000));
    put_values(
        &app,
        &[
            (low, "setup_progress", days_ago(1), 20.0),
            (high, "setup_progress", days_ago(1), 90.0),
        ],
    );
    app.login_as(Role::Manager).await;
    let d = draft(&app, model_over("setup_progress")).await;
    let r = app
        .post_json(
            &format!("/api/v1/health-models/{}/publish", d.id),
            &json!({ "version": 1 }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let list = |query: &'static str| {
        let app = &app;
        async move {
            let text = app
                .get(&format!("/api/v1/accounts?{query}"))
                .await
                .text()
                .await
                .unwrap();
            let page: Page<Account> = serde_json::from_str(&text).expect(&text);
            page.items
                .into_iter()
                .map(|a| (a.id, a.score, a.band))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list("sort=score&dir=desc").await,
        vec![
            (high, Some(90.0), Some(Band::Green)),
            (low, Some(20.0), Some(Band::Red)),
            (none, None, None)
        ],
        "unscored last"
    );
    assert_eq!(
        list("sort=score")
            .await
            .iter()
            .map(|a| a.0)
            .collect::<Vec<_>>(),
        vec![low, high, none]
    );
    assert_eq!(
        list("band=red").await,
        vec![(low, Some(20.0), Some(Band::Red))]
    );
    let r = app.get("/api/v1/accounts?band=purple").await;
    assert_problem(r, 400, "bad_request").await;
    let csv = app
        .get("/api/v1/accounts/export?sort=score&dir=desc")
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (s, b) = (
        header.iter().position(|h| *h == "health_score").unwrap(),
        header.iter().position(|h| *h == "health_band").unwrap(),
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!((first[s], first[b]), ("90", "green"));
}

/// The latest value per (account, signal) that scoring data reads when the
/// as-of date is on or after it (`signal_latest`, kept by triggers) and the
/// dated walk it takes for earlier dates agree with the history worked out
/// here — after a backdated import (older than the latest reading, so the
/// latest must not move), a newer one, a same-day correction (an update of
/// a stored reading) and a merge that moves readings between accounts.
#[tokio::test]
async fn latest_values_and_the_dated_walk_agree_after_backdated_imports_corrections_and_merges() {
    use crate::imports::{import, report};
    let app = spawn_app().await;
    let a = app.insert_account(&NewAccount {
        external_id: Some("L-1".into()),
        ..account("Latest A", 10_000)
    });
    let b = app.insert_account(&NewAccount {
        external_id: Some("L-2".into()),
        ..account("Latest B", 10_000)
    });
    let mut history: Vec<(i64, &str, u64, f64)> = vec![
        (a, "setup_progress", 60, 10.0),
        (a, "setup_progress", 30, 30.0),
        (a, "setup_progress", 10, 50.0),
        (b, "feature_adoption", 50, 5.0),
        (b, "setup_progress", 40, 44.0),
    ];
    put_values(
        &app,
        &history
            .iter()
            .map(|&(id, key, ago, v)| (id, key, days_ago(ago), v))
            .collect::<Vec<_>>(),
    );
    app.login_as(Role::Manager).await;
    let imported = |ago: u64, csv: &str| {
        let app = &app;
        let query = format!("kind=signals&date={}", days_ago(ago));
        let csv = csv.to_owned();
        async move {
            let r = report(import(app, &query, csv).await, 200).await;
            assert!(r.applied, "{r:?}");
        }
    };
    // Backdated: older than a's latest reading (day -10).
    imported(45, "external_id,setup_progress\nL-1,99\n").await;
    history.push((a, "setup_progress", 45, 99.0));
    // Newer than b's latest feature adoption.
    imported(20, "external_id,feature_adoption\nL-2,70\n").await;
    history.push((b, "feature_adoption", 20, 70.0));
    // A correction of a's latest reading on the same day.
    imported(10, "external_id,setup_progress\nL-1,55\n").await;
    history.retain(|&(id, key, ago, _)| !(id == a && key == "setup_progress" && ago == 10));
    history.push((a, "setup_progress", 10, 55.0));

    // The value of (account, key) on `ago` days back, from `history`.
    fn expected(history: &[(i64, &str, u64, f64)], id: i64, key: &str, ago: u64) -> Option<f64> {
        history
            .iter()
            .filter(|&&(i, k, when, _)| i == id && k == key && when >= ago)
            .min_by_key(|&&(_, _, when, _)| when)
            .map(|&(_, _, _, v)| v)
    }
    let check = |history: Vec<(i64, &'static str, u64, f64)>, accounts: Vec<i64>| {
        let app = &app;
        async move {
            for ago in [0, 5, 10, 15, 25, 35, 42, 47, 55, 70] {
                let as_of = days_ago(ago);
                let r = app
                    .get(&format!(
                        "/api/v1/scoring-data?as_of={as_of}&window_days=30"
                    ))
                    .await;
                assert_eq!(r.status(), 200);
                let data = decode(&r.bytes().await.unwrap()).unwrap();
                assert_eq!(data.accounts().ids(), accounts.as_slice());
                for key in ["setup_progress", "feature_adoption"] {
                    for (i, &id) in accounts.iter().enumerate() {
                        let got = data
                            .signals()
                            .column(key)
                            .and_then(|c| c.get(i))
                            .filter(|v| !v.is_nan());
                        assert_eq!(
                            got,
                            expected(&history, id, key, ago),
                            "{key} of account {id} as of {ago} days ago"
                        );
                    }
                }
            }
        }
    };
    check(history.clone(), vec![a, b]).await;

    // Merging b into a moves b's readings (a's own setup progress stays
    // where both have one on the same day; none here).
    let r = app
        .post_json(
            "/api/v1/duplicates/merge",
            &json!({"keep_id": a, "keep_version": 1, "merge_id": b, "merge_version": 1}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let merged: Vec<_> = history
        .iter()
        .map(|&(id, key, ago, v)| (if id == b { a } else { id }, key, ago, v))
        .collect();
    check(merged, vec![a]).await;
}

#[tokio::test]
async fn every_built_in_signal_has_a_japanese_label_on_a_fresh_install() {
    let app = spawn_app().await;
    app.login_as(Role::Csm).await;
    let r = app.get("/api/v1/signals").await;
    assert_eq!(r.status(), 200);
    let list: Vec<SignalDefinition> = r.json::<Page<SignalDefinition>>().await.unwrap().items;
    let builtin: Vec<_> = list.iter().filter(|s| s.builtin).collect();
    assert_eq!(builtin.len(), 6, "{list:?}");
    for s in builtin {
        let ja = s.label_ja.as_deref().unwrap_or_default();
        assert!(
            !ja.is_empty() && !ja.is_ascii(),
            "{} has no Japanese label: {ja:?}",
            s.key
        );
    }
}

/// The scoring-data cache is warmed with the workbench's default query when
/// the server starts, keeps its body across changes that cannot alter it
/// (a survey answer) and is rebuilt in the background after one that can
/// (an import), so the next request finds it ready. The probe's build
/// always fails: it succeeds only when the body is cached at the current
/// data version.
#[tokio::test]
async fn the_scoring_cache_is_warmed_at_start_and_rebuilt_after_an_import_but_not_an_answer() {
    use kizuna_server::db::DbError;
    use kizuna_shared::api::ChangeKind;
    let dir = tempfile::tempdir().unwrap();
    let config = kizuna_server::config::Config::new(crate::helpers::database_url(dir.path()));
    let state = kizuna_server::build_state(&config).unwrap();
    let cache = state.scoring.clone();
    let pool = state.pool.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    tokio::spawn(kizuna_server::run(listener, state).unwrap());
    let key = (days_ago(90), 90, Vec::new());
    let cached = |conn: &mut db::DbConn| {
        cache
            .get_or_build(conn, key.clone(), |_| Err(DbError::NotFound))
            .is_ok()
    };
    let mut conn = pool.get().unwrap();
    let ready = |conn: &mut db::DbConn| {
        (0..200).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(50));
            cached(conn)
        })
    };
    assert!(ready(&mut conn), "warmed at start");
    db::events::record(&mut conn, ChangeKind::SurveyAnswer, None).unwrap();
    assert!(cached(&mut conn), "an answer cannot change the body");
    db::events::record(&mut conn, ChangeKind::Import, None).unwrap();
    assert!(ready(&mut conn), "rebuilt after the import");
}
