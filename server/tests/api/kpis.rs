//! `GET /api/v1/kpis` and `/api/v1/kpis/series` against a small data set
//! worked out by hand, its filters and edge cases, and the cache following
//! the data.
//!
//! The data set (JPY unless said, month 2025-03 = start snapshot February,
//! end snapshot March):
//!
//! | account | owner | segment | plan | Jan | Feb | Mar |
//! |---|---|---|---|---|---|---|
//! | A | csm1 | SaaS | Growth | | core 100,000 | core 120,000 (expansion, upsell) |
//! | B | csm1 | Retail | Starter | | core 50,000 | core 30,000 (contraction) |
//! | C | csm2 | SaaS | Growth | | core 80,000 | — (churn) |
//! | D | csm2 | SaaS | Enterprise | | core 500,000 | core 500,000 + api 50,000 (expansion, cross-sell) |
//! | E | csm1 | Retail | Starter | core 40,000 | — | core 40,000 (reactivation) |
//! | F | csm2 | SaaS | Starter | | | core 60,000 (new) |
//! | G (USD) | csm1 | SaaS | Growth | | core 10,000 ¢ | core 10,000 ¢ |
//!
//! March, JPY: start 730,000 (A B C D, 4 customers); new 60,000 (F);
//! reactivation 40,000 (E); expansion 20,000 + 50,000; contraction 20,000;
//! churn 80,000 (1 customer); end 800,000. NRR = 700/730, GRR = 630/730,
//! logo churn 25 %, retention 75 %, upsell 1/4 (A), cross-sell 1/4 (D),
//! ARPA 182,500, LTV = 182,500 × 0.8 ÷ (1 − 630/730) = 1,065,800.
//! February (the previous period): start 40,000 (E), churned; new 730,000.

use kizuna_server::db;
use kizuna_server::db::accounts::NewAccount;
use kizuna_server::db::revenue::NewMrr;
use kizuna_shared::api::{KpiResponse, KpiSeriesResponse};
use kizuna_shared::domain::{Currency, Role};
use kizuna_shared::metrics::kpi::RevenueMovements;
use serde_json::Value;

use crate::helpers::{account, assert_problem, spawn_app, TestApp};

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").unwrap()
}

/// The owners' ids (csm1, csm2).
struct Fixture {
    csm1: i64,
    csm2: i64,
}

/// Name, owner, segment, plan, current MRR, currency, (month, product, amount).
type Row<'a> = (
    &'a str,
    i64,
    &'a str,
    &'a str,
    i64,
    Currency,
    &'a [(&'a str, &'a str, i64)],
);

/// Loads the data set of the module documentation.
fn load(app: &TestApp) -> Fixture {
    let csm1 = app.create_user("csm1@kpi.test", "CSM One", Role::Csm);
    let csm2 = app.create_user("csm2@kpi.test", "CSM Two", Role::Csm);
    let accounts: [Row; 7] = [
        (
            "A",
            csm1,
            "SaaS",
            "Growth",
            120_000,
            Currency::Jpy,
            &[("2025-02", "core", 100_000), ("2025-03", "core", 120_000)],
        ),
        (
            "B",
            csm1,
            "Retail",
            "Starter",
            30_000,
            Currency::Jpy,
            &[("2025-02", "core", 50_000), ("2025-03", "core", 30_000)],
        ),
        (
            "C",
            csm2,
            "SaaS",
            "Growth",
            80_000,
            Currency::Jpy,
            &[("2025-02", "core", 80_000)],
        ),
        (
            "D",
            csm2,
            "SaaS",
            "Enterprise",
            550_000,
            Currency::Jpy,
            &[
                ("2025-02", "core", 500_000),
                ("2025-03", "core", 500_000),
                ("2025-03", "api", 50_000),
            ],
        ),
        (
            "E",
            csm1,
            "Retail",
            "Starter",
            40_000,
            Currency::Jpy,
            &[("2025-01", "core", 40_000), ("2025-03", "core", 40_000)],
        ),
        (
            "F",
            csm2,
            "SaaS",
            "Starter",
            60_000,
            Currency::Jpy,
            &[("2025-03", "core", 60_000)],
        ),
        (
            "G",
            csm1,
            "SaaS",
            "Growth",
            10_000,
            Currency::Usd,
            &[("2025-02", "core", 10_000), ("2025-03", "core", 10_000)],
        ),
    ];
    let mut conn = app.pool.get().unwrap();
    for (name, owner, segment, plan, mrr, currency, rows) in accounts {
        let id = app.insert_account(&NewAccount {
            external_id: Some(format!("KPI-{name}")),
            owner_id: Some(owner),
            industry: Some(segment.into()),
            plan: Some(plan.into()),
            currency: currency.as_str().into(),
            ..account(name, mrr)
        });
        let mrr: Vec<NewMrr> = rows
            .iter()
            .map(|(month, product, amount)| NewMrr {
                account_id: id,
                month: date(month),
                product: (*product).into(),
                amount_minor: *amount,
                currency: currency.as_str().into(),
            })
            .collect();
        db::revenue::insert_many(&mut conn, &mrr).unwrap();
    }
    Fixture { csm1, csm2 }
}

async fn kpis(app: &TestApp, query: &str) -> KpiResponse {
    let response = app.get(&format!("/api/v1/kpis?{query}")).await;
    assert_eq!(response.status(), 200, "{query}");
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.unwrap()
}

fn jpy(r: &KpiResponse) -> &RevenueMovements {
    r.current.revenue_of(Currency::Jpy).expect("a JPY entry")
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
}

#[tokio::test]
async fn every_kpi_of_a_hand_worked_month_is_exact() {
    let app = spawn_app().await;
    load(&app);
    app.login_as(Role::Executive).await;
    let r = kpis(&app, "period=month&to=2025-03").await;
    assert_eq!(r.current.period.first_month.to_string(), "2025-03");
    assert_eq!(r.current.period.months, 1);
    assert_eq!(r.previous.period.first_month.to_string(), "2025-02");
    let m = jpy(&r);
    assert_eq!(
        (
            m.start_mrr,
            m.new,
            m.reactivation,
            m.expansion,
            m.contraction,
            m.churn,
            m.end_mrr
        ),
        (730_000, 60_000, 40_000, 70_000, 20_000, 80_000, 800_000)
    );
    assert_eq!(
        (
            m.customers_at_start,
            m.churned_customers,
            m.upsell_customers,
            m.cross_sell_customers
        ),
        (4, 1, 1, 1)
    );
    assert!(close(m.nrr_pct, 700.0 / 730.0 * 100.0), "{:?}", m.nrr_pct);
    assert!(close(m.grr_pct, 630.0 / 730.0 * 100.0), "{:?}", m.grr_pct);
    assert!(close(m.logo_churn_pct, 25.0));
    assert!(close(m.retention_pct, 75.0));
    assert!(close(m.upsell_pct, 25.0));
    assert!(close(m.cross_sell_pct, 25.0));
    assert!(close(m.arpa, 182_500.0));
    assert!(close(m.ltv, 1_065_800.0), "{:?}", m.ltv);

    // The previous month: E churned, the others were new.
    let p = r.previous.revenue_of(Currency::Jpy).unwrap();
    assert_eq!(
        (p.start_mrr, p.churn, p.new, p.end_mrr),
        (40_000, 40_000, 730_000, 730_000)
    );
    assert!(close(p.nrr_pct, 0.0) && close(p.logo_churn_pct, 100.0));

    // Dollars are reported apart, never added to yen.
    let usd = r.current.revenue_of(Currency::Usd).unwrap();
    assert_eq!(
        (usd.start_mrr, usd.end_mrr, usd.customers_at_start),
        (10_000, 10_000, 1)
    );
    assert!(close(usd.nrr_pct, 100.0));
    assert_eq!(usd.ltv, None, "no churn: LTV is undefined, not infinite");

    assert_eq!(r.basis.accounts, 7);
    assert_eq!(r.basis.last_data_month.unwrap().to_string(), "2025-03");
    assert!((r.basis.gross_margin - 0.8).abs() < 1e-12);
    // Surveys, onboarding and health are sources of this server; without
    // answers or sheets they count zero and have no ratio (never made-up
    // numbers).
    assert_eq!(r.basis.sources, ["surveys", "onboarding", "health"]);
    let surveys = r.current.surveys.expect("survey KPIs");
    assert_eq!(
        (surveys.nps_responses, surveys.nps, surveys.csat_pct),
        (0, None, None)
    );
    let onboarding = r.current.onboarding.expect("onboarding KPIs");
    assert_eq!(
        (
            onboarding.sheets_started,
            onboarding.onboarding_completion_pct
        ),
        (0, None)
    );
}

/// Issue 12's NPS, CSAT and onboarding numbers on the data set above, with
/// answers and sheets worked out by hand (all in March 2025 unless said):
///
/// | account | NPS | CSAT | sheet |
/// |---|---|---|---|
/// | A (csm1, contract start 2025-03-01) | 10 | 5 | started 03-05, completed 03-20 |
/// | B (csm1) | 9 | | |
/// | C (csm2) | 7 | | |
/// | D (csm2) | 3 | 4 | |
/// | E (csm1) | 10 in February | | |
/// | F (csm2) | 0 | 2 | started 03-10, open |
///
/// March: 2 promoters, 1 passive, 2 detractors → NPS 0 (margin of error
/// 1.96 × √((0.4 + 0.4 − 0²) / 5) × 100 = 78.40); CSAT 2 of 3 satisfied =
/// 66.67 % (margin of error 53.34); 2 sheets started, 1 completed = 50 %;
/// time to value of A = 19
/// days. February: NPS 100 from one answer. csm1 only: NPS 100 (A, B),
/// CSAT 100 %, 1 of 1 sheet complete.
#[tokio::test]
async fn nps_csat_and_onboarding_of_a_hand_worked_month_follow_filters_and_new_answers() {
    use crate::sheets::{create_template, small_template, start_ok, tick};
    use crate::surveys::{create_survey, execute, sign_in};
    let app = spawn_app().await;
    let fx = load(&app);
    execute(
        &app,
        "UPDATE accounts SET contract_start = '2025-03-01' WHERE name = 'A'",
    );
    let id_of = |name: &str| -> i64 {
        use diesel::prelude::*;
        use kizuna_server::db::schema::accounts;
        let mut conn = app.pool.get().unwrap();
        accounts::table
            .filter(accounts::name.eq(name))
            .select(accounts::id)
            .first(&mut conn)
            .unwrap()
    };
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let nps = create_survey(&manager, "nps", "Relationship NPS").await;
    let csat = create_survey(&manager, "csat", "Support CSAT").await;
    let answer = |survey: i64, name: &str, score: u8, day: &str| {
        let body =
            serde_json::json!({ "account_id": id_of(name), "score": score, "answered_on": day });
        let manager = &manager;
        async move {
            let r = manager
                .post(&format!("/api/v1/surveys/{survey}/responses"), &body)
                .await;
            assert_eq!(r.status(), 201);
        }
    };
    for (name, score) in [("A", 10), ("B", 9), ("C", 7), ("D", 3), ("F", 0)] {
        answer(nps.id, name, score, "2025-03-15").await;
    }
    answer(nps.id, "E", 10, "2025-02-10").await;
    for (name, score) in [("A", 5), ("D", 4), ("F", 2)] {
        answer(csat.id, name, score, "2025-03-16").await;
    }
    let template = create_template(&manager, &small_template("KPI onboarding")).await;
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let a = start_ok(&manager, template.id, id_of("A"), day("2025-03-05")).await;
    start_ok(&manager, template.id, id_of("F"), day("2025-03-10")).await;
    for (item, done_on) in [(a.items[0].id, "2025-03-12"), (a.items[1].id, "2025-03-20")] {
        let r = tick(
            &manager,
            a.sheet.id,
            item,
            serde_json::json!({ "done": true, "done_on": done_on }),
        )
        .await;
        assert_eq!(r.status(), 200);
    }

    app.login_as(Role::Executive).await;
    let r = kpis(&app, "period=month&to=2025-03").await;
    let s = r.current.surveys.expect("survey KPIs");
    assert_eq!(
        (s.nps_responses, s.promoters, s.passives, s.detractors),
        (5, 2, 1, 2)
    );
    assert!(close(s.nps, 0.0), "{:?}", s.nps);
    assert!(
        close(s.nps_moe95, 1.96 * (0.8_f64 / 5.0).sqrt() * 100.0),
        "{:?}",
        s.nps_moe95
    );
    assert_eq!((s.csat_responses, s.csat_satisfied), (3, 2));
    assert!(close(s.csat_pct, 200.0 / 3.0), "{:?}", s.csat_pct);
    // 1.96 × √(⅔ × ⅓ ÷ 3) × 100 = 53.34 points.
    assert!(
        close(s.csat_moe95, 1.96 * (2.0 / 9.0 / 3.0_f64).sqrt() * 100.0),
        "{:?}",
        s.csat_moe95
    );
    let o = r.current.onboarding.expect("onboarding KPIs");
    assert_eq!(
        (o.sheets_started, o.sheets_completed, o.ttv_completions),
        (2, 1, 1)
    );
    assert!(close(o.onboarding_completion_pct, 50.0));
    assert!(close(o.ttv_median_days, 19.0), "{:?}", o.ttv_median_days);
    let p = r.previous.surveys.expect("February");
    assert_eq!((p.nps_responses, p.promoters), (1, 1));
    assert!(close(p.nps, 100.0));
    assert_eq!(
        r.previous.onboarding.unwrap().onboarding_completion_pct,
        None
    );

    // csm1's accounts only (A, B, E, G).
    let mine = kpis(&app, &format!("period=month&to=2025-03&owner={}", fx.csm1)).await;
    let s = mine.current.surveys.unwrap();
    assert_eq!((s.nps_responses, s.promoters), (2, 2));
    assert!(close(s.nps, 100.0) && close(s.csat_pct, 100.0));
    let o = mine.current.onboarding.unwrap();
    assert_eq!((o.sheets_started, o.sheets_completed), (1, 1));
    let theirs = kpis(&app, &format!("period=month&to=2025-03&owner={}", fx.csm2)).await;
    assert_eq!(theirs.current.surveys.unwrap().nps_responses, 3);

    // A new answer moves the data version and the NPS at once (no stale
    // cache): C's 10 makes 3 promoters, 1 passive... of 6 → 16.67.
    let before = r.basis.data_version;
    answer(nps.id, "C", 10, "2025-03-28").await;
    let after = kpis(&app, "period=month&to=2025-03").await;
    assert!(after.basis.data_version > before);
    let s = after.current.surveys.unwrap();
    assert_eq!((s.nps_responses, s.promoters), (6, 3));
    assert!(close(s.nps, 100.0 / 6.0), "{:?}", s.nps);
    // The revenue numbers were kept, not lost, by the answer-only refresh.
    assert_eq!(jpy(&after).end_mrr, 800_000);
}

#[tokio::test]
async fn a_quarter_and_the_default_period_cover_whole_months() {
    let app = spawn_app().await;
    load(&app);
    app.login_as(Role::Manager).await;
    // Default: the latest month with data.
    let latest = kpis(&app, "").await;
    assert_eq!(latest.current.period.first_month.to_string(), "2025-03");
    assert_eq!(jpy(&latest).end_mrr, 800_000);
    // Q1 2025: start snapshot December 2024 (nothing), end March.
    let q = kpis(&app, "period=quarter&from=2025-02&to=2025-02").await;
    assert_eq!(q.current.period.first_month.to_string(), "2025-01");
    assert_eq!(q.current.period.last_month.to_string(), "2025-03");
    assert_eq!(q.previous.period.first_month.to_string(), "2024-10");
    let m = jpy(&q);
    assert_eq!(
        (m.start_mrr, m.customers_at_start, m.new, m.end_mrr),
        (0, 0, 800_000, 800_000)
    );
    assert_eq!((m.nrr_pct, m.logo_churn_pct), (None, None));
    // A two-month range as one period: start January (E 40,000).
    let two = kpis(&app, "from=2025-02&to=2025-03").await;
    assert_eq!(two.current.period.months, 2);
    let m = jpy(&two);
    assert_eq!((m.start_mrr, m.expansion, m.end_mrr), (40_000, 0, 800_000));
}

#[tokio::test]
async fn filters_narrow_to_segment_tier_owner_and_plan() {
    let app = spawn_app().await;
    let fx = load(&app);
    app.login_as(Role::Csm).await;
    let owner = kpis(&app, &format!("to=2025-03&owner={}", fx.csm1)).await;
    let m = jpy(&owner);
    // A, B, E (and G in dollars).
    assert_eq!(
        (
            m.start_mrr,
            m.expansion,
            m.contraction,
            m.reactivation,
            m.end_mrr
        ),
        (150_000, 20_000, 20_000, 40_000, 190_000)
    );
    assert_eq!(owner.basis.accounts, 4);
    let other = kpis(&app, &format!("to=2025-03&owner={}", fx.csm2)).await;
    assert_eq!(jpy(&other).churn, 80_000);
    assert_eq!(other.current.revenue_of(Currency::Usd).unwrap().end_mrr, 0);

    let retail = kpis(&app, "to=2025-03&segment=Retail").await;
    let m = jpy(&retail);
    assert_eq!(
        (m.start_mrr, m.contraction, m.reactivation, m.end_mrr),
        (50_000, 20_000, 40_000, 70_000)
    );

    // Tier of the current MRR: D alone is high touch (550,000).
    let high = kpis(&app, "to=2025-03&tier=high").await;
    let m = jpy(&high);
    assert_eq!(
        (m.start_mrr, m.expansion, m.end_mrr),
        (500_000, 50_000, 550_000)
    );
    assert!(close(m.nrr_pct, 110.0));

    let enterprise = kpis(&app, "to=2025-03&plan=Enterprise&segment=SaaS").await;
    assert_eq!(jpy(&enterprise).cross_sell_customers, 1);
    assert_eq!(enterprise.basis.accounts, 1);
}

#[tokio::test]
async fn an_empty_period_and_an_empty_segment_answer_zero_counts_and_null() {
    let app = spawn_app().await;
    load(&app);
    app.login_as(Role::Executive).await;
    for query in [
        "to=2020-01",
        "to=2025-03&segment=Mining",
        "to=2025-03&owner=999999",
    ] {
        let raw: Value = app
            .get(&format!("/api/v1/kpis?{query}"))
            .await
            .json()
            .await
            .unwrap();
        let revenue = raw["current"]["revenue"].as_array().unwrap();
        assert_eq!(revenue.len(), 2, "JPY and USD listed: {query}");
        for r in revenue {
            assert_eq!(r["start_mrr"], 0, "{query}");
            assert_eq!(r["end_mrr"], 0);
            assert_eq!(r["customers_at_start"], 0);
            for ratio in [
                "nrr_pct",
                "grr_pct",
                "logo_churn_pct",
                "retention_pct",
                "arpa",
                "ltv",
            ] {
                assert!(r[ratio].is_null(), "{ratio} of {query}: {}", r[ratio]);
            }
        }
    }
    let nobody = kpis(&app, "to=2025-03&segment=Mining").await;
    assert_eq!(nobody.basis.accounts, 0);

    // A database without any data answers too.
    let empty = spawn_app().await;
    empty.login_as(Role::Executive).await;
    let r = kpis(&empty, "").await;
    assert_eq!(r.current.revenue.len(), 1);
    assert_eq!(r.current.revenue[0].movements, RevenueMovements::default());
    assert_eq!(r.basis.accounts, 0);
    assert_eq!(r.basis.last_data_month, None);
}

#[tokio::test]
async fn bad_kpi_queries_are_refused_with_a_problem() {
    let app = spawn_app().await;
    assert_problem(app.get("/api/v1/kpis").await, 401, "unauthenticated").await;
    assert_problem(app.get("/api/v1/kpis/series").await, 401, "unauthenticated").await;
    app.login_as(Role::Executive).await;
    for query in [
        "from=2025-06&to=2025-01",
        "from=2000-01&to=2025-01",
        "to=2025-13",
        "to=March",
        "period=week",
        "owner=0",
        "segment=",
        "colour=red",
    ] {
        let problem = assert_problem(
            app.get(&format!("/api/v1/kpis?{query}")).await,
            400,
            if query.starts_with("owner") || query.starts_with("segment") {
                "validation_failed"
            } else {
                "bad_request"
            },
        )
        .await;
        assert!(problem.detail.is_some(), "{query}");
    }
    let long = "x".repeat(201);
    assert_problem(
        app.get(&format!("/api/v1/kpis/series?plan={long}")).await,
        400,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/kpis/series?period=month&from=2000-01&to=2019-12")
            .await,
        400,
        "bad_request",
    )
    .await;
}

#[tokio::test]
async fn a_quarter_or_year_in_progress_is_measured_to_date_not_as_churn() {
    let app = spawn_app().await;
    load(&app);
    app.login_as(Role::Executive).await;
    // The data ends in March 2025: the year 2025 is in progress. Its
    // months after March have no MRR yet; they must not read as churn.
    let year = kpis(&app, "period=year").await;
    assert_eq!(year.current.period.first_month.to_string(), "2025-01");
    assert_eq!(year.current.period.last_month.to_string(), "2025-03");
    assert_eq!(year.current.period.months, 3);
    let m = jpy(&year);
    assert_eq!((m.end_mrr, m.churn), (800_000, 0), "{m:?}");
    assert_ne!(m.logo_churn_pct, Some(100.0));
    // Compared with the three months before it.
    assert_eq!(year.previous.period.first_month.to_string(), "2024-10");
    assert_eq!(year.previous.period.months, 3);
    // The series' last period is measured to date the same way, and equals
    // the single-period answer; a period wholly after the data stays empty.
    let s: KpiSeriesResponse = app
        .get("/api/v1/kpis/series?period=year&from=2025-01&to=2026-12")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s.periods.len(), 2);
    assert_eq!(s.periods[0], year.current);
    assert_eq!(s.periods[1].period.months, 12);
    assert_eq!(s.periods[1].revenue_of(Currency::Jpy).unwrap().end_mrr, 0);
}

#[tokio::test]
async fn the_series_has_one_entry_per_period_and_the_cohorts() {
    let app = spawn_app().await;
    load(&app);
    app.login_as(Role::Executive).await;
    let response = app
        .get("/api/v1/kpis/series?period=month&from=2025-01&to=2025-03")
        .await;
    assert_eq!(response.status(), 200);
    let s: KpiSeriesResponse = response.json().await.unwrap();
    let months: Vec<String> = s
        .periods
        .iter()
        .map(|p| p.period.first_month.to_string())
        .collect();
    assert_eq!(months, ["2025-01", "2025-02", "2025-03"]);
    // Each entry equals the single-period answer.
    let march = kpis(&app, "to=2025-03").await;
    assert_eq!(s.periods[2], march.current);
    assert_eq!(s.periods[1], march.previous);
    assert_eq!(s.segments, ["Retail", "SaaS"]);
    assert_eq!(s.plans, ["Enterprise", "Growth", "Starter"]);
    // Cohorts: E started in January (back in March); A B C D G in
    // February (C gone in March); F in March.
    let starts: Vec<(String, usize)> = s
        .cohorts
        .iter()
        .map(|c| (c.start.to_string(), c.accounts))
        .collect();
    assert_eq!(
        starts,
        [
            ("2025-01".into(), 1),
            ("2025-02".into(), 5),
            ("2025-03".into(), 1)
        ]
    );
    assert_eq!(s.cohorts[0].retained, [1, 0, 1]);
    assert_eq!(s.cohorts[1].retained, [5, 4]);
    assert_eq!(s.cohorts[1].retained_pct[1], Some(80.0));
    assert_eq!(s.cohorts[1].mrr[&Currency::Jpy], [730_000, 700_000]);

    // Quarters of 2024–2025: eight periods.
    let q: KpiSeriesResponse = app
        .get("/api/v1/kpis/series?period=quarter&from=2024-01&to=2025-12")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(q.periods.len(), 8);
    assert_eq!(q.periods[4].revenue_of(Currency::Jpy).unwrap().new, 800_000);
}

#[tokio::test]
async fn an_import_changes_the_kpis_at_once() {
    let app = spawn_app().await;
    load(&app);
    app.login_as(Role::Manager).await;
    let before = kpis(&app, "to=2025-03").await;
    assert_eq!(jpy(&before).end_mrr, 800_000);
    // B grows back to 50,000 in March: contraction 0, end 820,000.
    let file = "external_id,month,product,mrr,currency\nKPI-B,2025-03,core,50000,JPY\n";
    let response = app
        .client
        .post(app.url("/api/v1/imports?kind=mrr&file_name=fix.csv"))
        .header("content-type", "text/csv")
        .body(file)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let after = kpis(&app, "to=2025-03").await;
    assert!(after.basis.data_version > before.basis.data_version);
    assert_eq!((jpy(&after).contraction, jpy(&after).end_mrr), (0, 820_000));
}

#[tokio::test]
async fn an_account_edit_moves_its_revenue_between_owners_and_a_delete_removes_it() {
    let app = spawn_app().await;
    let fx = load(&app);
    app.login_as(Role::Manager).await;
    let of = |owner: i64| format!("to=2025-03&owner={owner}");
    assert_eq!(jpy(&kpis(&app, &of(fx.csm2)).await).end_mrr, 610_000);
    // A (csm1, 120,000 in March) goes to csm2: only A is read again.
    let page: Value = app
        .get("/api/v1/accounts?q=KPI-A")
        .await
        .json()
        .await
        .unwrap();
    let a = &page["items"][0];
    let mut body = a.clone();
    body["owner_id"] = fx.csm2.into();
    let body = serde_json::json!({
        "name": body["name"], "external_id": body["external_id"], "industry": body["industry"],
        "plan": body["plan"], "mrr_minor": body["mrr_minor"], "currency": body["currency"],
        "status": body["status"], "expansion_potential": body["expansion_potential"],
        "contract_start": body["contract_start"], "renewal_date": body["renewal_date"],
        "owner_id": fx.csm2, "version": body["version"],
    });
    let id = a["id"].as_i64().unwrap();
    let r = app
        .client
        .put(app.url(&format!("/api/v1/accounts/{id}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    assert_eq!(jpy(&kpis(&app, &of(fx.csm2)).await).end_mrr, 730_000);
    assert_eq!(jpy(&kpis(&app, &of(fx.csm1)).await).end_mrr, 70_000);
    // Deleting it takes its revenue out of every answer.
    let version = body["version"].as_i64().unwrap() + 1;
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/accounts/{id}?version={version}")))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let all = kpis(&app, "to=2025-03").await;
    assert_eq!((jpy(&all).start_mrr, jpy(&all).end_mrr), (630_000, 680_000));
    assert_eq!(all.basis.accounts, 6);
}

/// The health KPIs of the data set above, from score snapshots written by
/// hand (`health_scores`, model 1):
///
/// | day | A | B | C | D | E | F | G (USD) |
/// |---|---|---|---|---|---|---|---|
/// | 2025-02-03 | red | red | red | red | | | |
/// | 2025-02-10 | green | red | yellow | | | | |
/// | 2025-03-20 | red | green | red | yellow | no data | | red |
/// | 2025-04-05 | green | green | green | green | green | green | green |
///
/// March stands at 2025-03-20 (3 red, 1 yellow, 1 green; E and F not
/// scored). March MRR: A 120,000 red, B 30,000 green, C 0 (churned) red,
/// D 550,000 yellow, E 40,000 + F 60,000 not scored, G $100.00 red: JPY
/// at-risk 120,000 of 800,000 = 15 %, USD 10,000 of 10,000 = 100 %.
/// February stands at 2025-02-10 (the last of the month, not 02-03): B
/// red 50,000 of 730,000. January has no snapshot: all 7 not scored.
fn load_snapshots(app: &TestApp) {
    use crate::surveys::execute;
    let rows = [
        (
            "2025-02-03",
            [
                Some("red"),
                Some("red"),
                Some("red"),
                Some("red"),
                None,
                None,
                None,
            ],
        ),
        (
            "2025-02-10",
            [
                Some("green"),
                Some("red"),
                Some("yellow"),
                None,
                None,
                None,
                None,
            ],
        ),
        (
            "2025-03-20",
            [
                Some("red"),
                Some("green"),
                Some("red"),
                Some("yellow"),
                Some(""),
                None,
                Some("red"),
            ],
        ),
        ("2025-04-05", [Some("green"); 7]),
    ];
    for (day, bands) in rows {
        for (name, band) in ["A", "B", "C", "D", "E", "F", "G"].iter().zip(bands) {
            let Some(band) = band else { continue };
            let (score, band) = if band.is_empty() {
                ("NULL".to_owned(), "NULL".to_owned())
            } else {
                ("50".to_owned(), format!("'{band}'"))
            };
            execute(
                app,
                &format!(
                    "INSERT INTO health_scores (account_id, scored_on, model_id, score, band) \
                     SELECT id, '{day}', (SELECT id FROM health_models WHERE published_version = 1), {score}, {band} \
                     FROM accounts WHERE name = '{name}'"
                ),
            );
        }
    }
}

/// (red, yellow, green, scored, not scored) of a period.
fn band_counts(p: &kizuna_shared::api::PeriodKpis) -> (usize, usize, usize, usize, usize) {
    let h = p.health.as_ref().expect("health KPIs");
    (h.red, h.yellow, h.green, h.scored, h.not_scored)
}

/// (red, yellow, green, not scored, at risk) MRR of one currency.
fn band_mrr(p: &kizuna_shared::api::PeriodKpis, c: Currency) -> (i64, i64, i64, i64, i64) {
    let m = p
        .health
        .as_ref()
        .and_then(|h| h.mrr_of(c))
        .expect("currency");
    (m.red, m.yellow, m.green, m.not_scored, m.at_risk)
}

#[tokio::test]
async fn health_bands_and_at_risk_mrr_of_hand_worked_snapshots_follow_periods_and_filters() {
    let app = spawn_app().await;
    let fx = load(&app);
    load_snapshots(&app);
    app.login_as(Role::Executive).await;
    let r = kpis(&app, "to=2025-03").await;
    assert!(r.basis.sources.contains(&"health".to_owned()));
    let h = r.current.health.as_ref().unwrap();
    assert_eq!(h.scored_on, Some("2025-03-20".parse().unwrap()));
    assert_eq!(band_counts(&r.current), (3, 1, 1, 5, 2));
    assert_eq!(
        band_mrr(&r.current, Currency::Jpy),
        (120_000, 550_000, 30_000, 100_000, 120_000)
    );
    assert!(close(h.mrr_of(Currency::Jpy).unwrap().at_risk_pct, 15.0));
    assert_eq!(
        band_mrr(&r.current, Currency::Usd),
        (10_000, 0, 0, 0, 10_000)
    );
    assert!(close(h.mrr_of(Currency::Usd).unwrap().at_risk_pct, 100.0));
    // The previous period: the last February snapshot.
    let prev = r.previous.health.as_ref().unwrap();
    assert_eq!(prev.scored_on, Some("2025-02-10".parse().unwrap()));
    assert_eq!(band_counts(&r.previous), (1, 1, 1, 3, 4));
    assert_eq!(
        band_mrr(&r.previous, Currency::Jpy),
        (50_000, 80_000, 100_000, 500_000, 50_000)
    );
    assert_eq!(band_mrr(&r.previous, Currency::Usd), (0, 0, 0, 10_000, 0));

    // Before any snapshot: nobody is scored.
    let jan = kpis(&app, "to=2025-01").await;
    assert_eq!(jan.current.health.as_ref().unwrap().scored_on, None);
    assert_eq!(band_counts(&jan.current), (0, 0, 0, 0, 7));
    assert_eq!(band_mrr(&jan.current, Currency::Jpy), (0, 0, 0, 40_000, 0));

    // Filters: Retail is B (green) and E (not scored).
    let retail = kpis(&app, "to=2025-03&segment=Retail").await;
    assert_eq!(band_counts(&retail.current), (0, 0, 1, 1, 1));
    assert_eq!(
        band_mrr(&retail.current, Currency::Jpy),
        (0, 0, 30_000, 40_000, 0)
    );
    let usd = retail
        .current
        .health
        .as_ref()
        .unwrap()
        .mrr_of(Currency::Usd)
        .unwrap();
    assert_eq!((usd.at_risk, usd.at_risk_pct), (0, None));
    // csm2 owns C (red but churned: no MRR at risk), D and F.
    let csm2 = kpis(&app, &format!("to=2025-03&owner={}", fx.csm2)).await;
    assert_eq!(band_counts(&csm2.current), (1, 1, 0, 2, 1));
    assert_eq!(
        band_mrr(&csm2.current, Currency::Jpy),
        (0, 550_000, 0, 60_000, 0)
    );
    let csm1 = kpis(&app, &format!("to=2025-03&owner={}", fx.csm1)).await;
    assert_eq!(band_counts(&csm1.current), (2, 0, 1, 3, 1));

    // The series: one entry per month, each from its own snapshot; a
    // quarter stands at its last month's.
    let series: KpiSeriesResponse = app
        .get("/api/v1/kpis/series?from=2025-01&to=2025-04")
        .await
        .json()
        .await
        .unwrap();
    let reds: Vec<usize> = series
        .periods
        .iter()
        .map(|p| p.health.as_ref().unwrap().red)
        .collect();
    assert_eq!(reds, [0, 1, 3, 0]);
    assert_eq!(band_counts(&series.periods[3]), (0, 0, 7, 7, 0));
    let q1 = kpis(&app, "period=quarter&to=2025-03").await;
    assert_eq!(band_counts(&q1.current), (3, 1, 1, 5, 2));

    // A daily snapshot (here of 2025-03-25, with the published default
    // model) is a change like a publish: March now stands at it.
    assert!(kizuna_server::snapshots::run_once(
        &app.pool,
        "2025-03-25".parse().unwrap()
    ));
    let later = kpis(&app, "to=2025-03").await;
    assert!(later.basis.data_version > r.basis.data_version);
    let h = later.current.health.as_ref().unwrap();
    assert_eq!(h.scored_on, Some("2025-03-25".parse().unwrap()));
    assert_eq!(h.scored + h.not_scored, 7);
}

/// The data set and snapshots above, with C churned on 2025-02-15 and D
/// on 2025-04-20 (after its last snapshot, of 2025-04-05, which like the
/// others still has a band for both: snapshots written before the rule
/// scored churned accounts too). The health KPIs count the customers at
/// each period's end only: January all 7; February not C (its yellow and
/// ¥80,000 leave the February figures); March not C (3 red → 2); April
/// neither C nor D (7 green → 5). A daily snapshot does not score C, and
/// neither C nor D shows a current band in the accounts list or on its
/// score page, whose trend keeps their history.
#[tokio::test]
async fn health_kpis_count_the_customers_at_each_period_end_and_snapshots_skip_churned_accounts() {
    use crate::surveys::execute;
    let app = spawn_app().await;
    let fx = load(&app);
    load_snapshots(&app);
    for (name, on) in [("C", "2025-02-15"), ("D", "2025-04-20")] {
        execute(
            &app,
            &format!(
                "UPDATE accounts SET status = 'churned', churn_date = '{on}' WHERE name = '{name}'"
            ),
        );
    }
    app.login_as(Role::Executive).await;

    let r = kpis(&app, "to=2025-03").await;
    assert_eq!(band_counts(&r.current), (2, 1, 1, 4, 2));
    assert_eq!(
        band_mrr(&r.current, Currency::Jpy),
        (120_000, 550_000, 30_000, 100_000, 120_000)
    );
    // February: A green, B red; D, E, F not scored; C left on the 15th.
    assert_eq!(band_counts(&r.previous), (1, 0, 1, 2, 4));
    assert_eq!(
        band_mrr(&r.previous, Currency::Jpy),
        (50_000, 0, 100_000, 500_000, 50_000)
    );
    let series: KpiSeriesResponse = app
        .get("/api/v1/kpis/series?from=2025-01&to=2025-04")
        .await
        .json()
        .await
        .unwrap();
    let counts: Vec<_> = series.periods.iter().map(band_counts).collect();
    assert_eq!(
        counts,
        [
            (0, 0, 0, 0, 7),
            (1, 0, 1, 2, 4),
            (2, 1, 1, 4, 2),
            (0, 0, 5, 5, 0)
        ]
    );
    // csm2 owns C, D and F: in March D (yellow) and F (not scored) only.
    let csm2 = kpis(&app, &format!("to=2025-03&owner={}", fx.csm2)).await;
    assert_eq!(band_counts(&csm2.current), (0, 1, 0, 1, 1));

    // A daily snapshot of 2025-03-25 scores the six others, not C.
    assert!(kizuna_server::snapshots::run_once(
        &app.pool,
        "2025-03-25".parse().unwrap()
    ));
    let rows = |name: &str| {
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM health_scores h JOIN accounts a ON a.id = h.account_id \
             WHERE h.scored_on = '2025-03-25' AND a.name = '{name}'"
        ))
    };
    assert_eq!(rows("C"), 0, "churned before the snapshot's day");
    assert_eq!(rows("D"), 1, "churns after it");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM health_scores WHERE scored_on = '2025-03-25'"),
        6
    );
    let march = kpis(&app, "to=2025-03").await;
    let h = march.current.health.as_ref().unwrap();
    assert_eq!(h.scored_on, Some("2025-03-25".parse().unwrap()));
    assert_eq!(h.scored + h.not_scored, 6);

    // Today's snapshot (written at start, or here) scores neither C nor D.
    // Give its rows 50 points, green, and C a row too, as if today's had
    // been written before its churn was recorded: still, neither C nor D
    // has a current band, the five others have.
    let today = chrono::Utc::now().date_naive();
    kizuna_server::snapshots::run_once(&app.pool, today);
    let today_rows = |name: &str| {
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM health_scores h JOIN accounts a ON a.id = h.account_id \
             WHERE h.scored_on = '{today}' AND a.name = '{name}'"
        ))
    };
    assert_eq!(
        (today_rows("C"), today_rows("D"), today_rows("A")),
        (0, 0, 1)
    );
    execute(
        &app,
        &format!("UPDATE health_scores SET score = 50, band = 'green' WHERE scored_on = '{today}'"),
    );
    execute(
        &app,
        &format!(
            "INSERT INTO health_scores (account_id, scored_on, model_id, score, band) \
             SELECT id, '{today}', (SELECT id FROM health_models WHERE published_version = 1), 50, 'green' \
             FROM accounts WHERE name = 'C'"
        ),
    );
    let text = app
        .get("/api/v1/accounts?sort=score&dir=desc&per_page=50")
        .await
        .text()
        .await
        .unwrap();
    let page: kizuna_shared::api::Page<kizuna_shared::api::Account> =
        serde_json::from_str(&text).expect(&text);
    let (scored, unscored) = page.items.split_at(5);
    let mut names: Vec<&str> = scored.iter().map(|a| a.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["A", "B", "E", "F", "G"], "{text}");
    assert!(scored.iter().all(|a| a.band.is_some()), "{text}");
    assert_eq!(
        unscored
            .iter()
            .map(|a| (a.name.as_str(), a.score, a.band))
            .collect::<Vec<_>>(),
        [("D", None, None), ("C", None, None)],
        "the churned sort as unscored, last"
    );
    let green = app
        .get("/api/v1/accounts?band=green&per_page=50")
        .await
        .json::<kizuna_shared::api::Page<kizuna_shared::api::Account>>()
        .await
        .unwrap();
    assert_eq!(green.total, 5);
    assert!(green.items.iter().all(|a| a.name != "C" && a.name != "D"));
    for name in ["C", "D"] {
        let id = page.items.iter().find(|a| a.name == name).unwrap().id;
        let score: kizuna_shared::api::AccountScore = app
            .get(&format!("/api/v1/accounts/{id}/score"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (score.breakdown.score, score.breakdown.band),
            (None, None),
            "{name}"
        );
        assert!(score.breakdown.measures.is_empty(), "{name}");
        let april = score
            .trend
            .iter()
            .find(|p| p.scored_on == "2025-04-05".parse().unwrap())
            .unwrap();
        assert_eq!(
            april.band,
            Some(kizuna_shared::metrics::Band::Green),
            "{name}: the history stays"
        );
    }
    let csv = app
        .get("/api/v1/accounts/export?sort=name")
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (n, b) = (
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == "name")
            .unwrap(),
        header.iter().position(|h| *h == "health_band").unwrap(),
    );
    let bands: Vec<(String, String)> = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[n].to_owned(), cells[b].to_owned())
        })
        .collect();
    assert!(
        bands.contains(&("C".to_owned(), String::new())),
        "{bands:?}"
    );
    assert!(
        bands.contains(&("A".to_owned(), "green".to_owned())),
        "{bands:?}"
    );
}

#[tokio::test]
async fn publishing_a_model_refreshes_the_health_kpis_at_once() {
    let app = spawn_app().await;
    load(&app);
    app.login_as(Role::Manager).await;
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    // Read once, so the facts are cached at this version.
    let before = kpis(&app, &format!("to={month}")).await;
    assert_eq!(before.current.health.as_ref().unwrap().red, 0);
    let yesterday = chrono::Utc::now().date_naive() - chrono::Days::new(1);
    let mut values = Vec::new();
    {
        use diesel::prelude::*;
        use kizuna_server::db::schema::accounts;
        let mut conn = app.pool.get().unwrap();
        for (name, value) in [
            ("A", 10.0),
            ("B", 50.0),
            ("C", 90.0),
            ("D", 20.0),
            ("E", 60.0),
            ("F", 80.0),
            ("G", 30.0),
        ] {
            let id: i64 = accounts::table
                .filter(accounts::name.eq(name))
                .select(accounts::id)
                .first(&mut conn)
                .unwrap();
            values.push(kizuna_server::db::signals::NewSignalValue {
                account_id: id,
                signal_key: "setup_progress".into(),
                observed_on: yesterday,
                value,
            });
        }
        db::signals::insert_many(&mut conn, &values).unwrap();
    }
    let model = serde_json::json!({ "measures": [{ "signal": "setup_progress", "weight": 1,
        "curve": { "kind": "linear", "points": [[0, 0], [100, 100]] } }], "cuts": [40, 70] });
    let r = app
        .post_json(
            "/api/v1/health-models",
            &serde_json::json!({ "name": "Setup", "model": model, "note": "" }),
        )
        .await;
    assert_eq!(r.status(), 201);
    let draft: kizuna_shared::api::HealthModelVersion = r.json().await.unwrap();
    let r = app
        .post_json(
            &format!("/api/v1/health-models/{}/publish", draft.id),
            &serde_json::json!({ "version": draft.version }),
        )
        .await;
    assert_eq!(r.status(), 200);
    let after = kpis(&app, &format!("to={month}")).await;
    assert!(after.basis.data_version > before.basis.data_version);
    let h = after.current.health.as_ref().unwrap();
    assert_eq!(h.scored_on, Some(chrono::Utc::now().date_naive()));
    // A, D, G red; B, E yellow; C, F green.
    assert_eq!(band_counts(&after.current), (3, 2, 2, 7, 0));
}

/// One overflow policy for money sums: 92,233 US accounts paying the
/// largest amount Kizuna accepts (10¹² dollars = 10¹⁴ cents) each still
/// fit in 64-bit minor units (9.2233 × 10¹⁸); the 92,234th makes the
/// month's totals too large, and the KPI answers say so (422
/// `amount_overflow`) instead of a wrapped or saturated number.
#[tokio::test]
async fn kpi_totals_beyond_64_bits_are_an_amount_overflow_problem() {
    use crate::surveys::execute;
    let app = spawn_app().await;
    let cap = Currency::Usd.max_amount_minor();
    let add = |from: i64, to: i64| {
        execute(
            &app,
            &format!(
                "WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to}) \
                 INSERT INTO accounts (name, currency) SELECT 'Big ' || i, 'USD' FROM n"
            ),
        );
        execute(
            &app,
            &format!(
                "INSERT INTO account_mrr (account_id, month, product, amount_minor, currency) \
                 SELECT id, '2026-01-01', 'core', {cap}, 'USD' FROM accounts \
                 WHERE id NOT IN (SELECT account_id FROM account_mrr)"
            ),
        );
    };
    add(1, 92_233);
    app.login_as(Role::Executive).await;
    let r = kpis(&app, "to=2026-01").await;
    let usd = r.current.revenue_of(Currency::Usd).expect("USD");
    assert_eq!((usd.new, usd.end_mrr), (92_233 * cap, 92_233 * cap));
    assert_eq!(
        r.current
            .health
            .as_ref()
            .unwrap()
            .mrr_of(Currency::Usd)
            .unwrap()
            .not_scored,
        92_233 * cap
    );

    add(92_234, 92_234);
    // SQL of its own records no change: say there was an import.
    kizuna_server::db::events::record(
        &mut app.pool.get().unwrap(),
        kizuna_shared::api::ChangeKind::Import,
        None,
    )
    .unwrap();
    for path in [
        "/api/v1/kpis?to=2026-01",
        "/api/v1/kpis/series?from=2026-01&to=2026-01",
    ] {
        let p = assert_problem(app.get(path).await, 422, "amount_overflow").await;
        assert!(p.detail.unwrap_or_default().contains("USD"), "{path}");
    }
    // A period without that revenue still answers.
    let dec = kpis(&app, "to=2025-12").await;
    assert_eq!(dec.current.revenue_of(Currency::Usd).unwrap().end_mrr, 0);
}
