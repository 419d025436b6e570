//! The public survey endpoints: the answer page at `/s/{token}` and its
//! JSON API. No session; single use (even under concurrent submissions);
//! clear pages for unknown, expired, revoked, closed and answered links;
//! score range and unknown fields checked; rate-limited per address; the
//! whole page weighs far less than the staff app.

use kizuna_shared::api::{Page, PublicSurvey, SurveyResponse, Task, CSRF_HEADER};
use kizuna_shared::domain::{AnswerChannel, Language, Role};
use serde_json::json;

use crate::helpers::{assert_problem, bare_client, spawn_app, spawn_app_configured, TestApp};
use crate::surveys::{create_survey, issue, owned_account, sign_in, User};

/// An app, a manager, an NPS survey and `n` open links for one account.
async fn links(n: usize) -> (TestApp, User, i64, i64, Vec<String>) {
    let app = spawn_app().await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let survey = create_survey(&manager, "nps", "Relationship NPS").await;
    let account = owned_account(&app, "Sakura KK", 100_000, manager.id);
    let tokens = issue(&manager, survey.id, &vec![account; n])
        .await
        .into_iter()
        .map(|l| l.path.trim_start_matches("/s/").to_owned())
        .collect();
    (app, manager, survey.id, account, tokens)
}

/// `POST /api/public/surveys/{token}` without any session.
async fn answer(app: &TestApp, token: &str, body: serde_json::Value) -> reqwest::Response {
    bare_client()
        .post(app.url(&format!("/api/public/surveys/{token}")))
        .header(CSRF_HEADER, "1")
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = bare_client().get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_link_takes_one_answer_and_the_second_submission_gets_409() {
    let (app, manager, survey, _, tokens) = links(1).await;
    let token = &tokens[0];
    let first = answer(
        &app,
        token,
        json!({ "score": 9, "comment": "Great onboarding" }),
    )
    .await;
    assert_eq!(first.status(), 201);
    let second = answer(&app, token, json!({ "score": 0 })).await;
    assert_problem(second, 409, "already_answered").await;
    let question = bare_client()
        .get(app.url(&format!("/api/public/surveys/{token}")))
        .send()
        .await
        .unwrap();
    assert_problem(question, 409, "already_answered").await;
    let (status, html) = page(&app, &format!("/s/{token}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Already answered") || html.contains("回答済み"),
        "{html}"
    );
    assert!(!html.contains("<form"), "{html}");
    let answers: Page<SurveyResponse> = manager
        .json(&format!("/api/v1/surveys/{survey}/responses"))
        .await;
    assert_eq!(answers.total, 1);
    let stored = &answers.items[0];
    assert_eq!((stored.score, stored.channel), (9, AnswerChannel::Link));
    assert!(stored.entered_by.is_none());
    assert_eq!(stored.comment.as_deref(), Some("Great onboarding"));
}

#[tokio::test]
async fn concurrent_submissions_of_one_link_store_exactly_one_answer() {
    let (app, _, _, _, tokens) = links(12).await;
    for token in &tokens {
        let (a, b, c) = tokio::join!(
            answer(&app, token, json!({ "score": 10 })),
            answer(&app, token, json!({ "score": 1 })),
            answer(&app, token, json!({ "score": 5 })),
        );
        let mut statuses = [
            a.status().as_u16(),
            b.status().as_u16(),
            c.status().as_u16(),
        ];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409, 409], "{token}");
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM survey_responses"), 12);
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT link_id) AS n FROM survey_responses"),
        12
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM survey_links WHERE used_at IS NULL"),
        0
    );
}

#[tokio::test]
async fn unknown_and_malformed_tokens_get_a_clear_404_never_a_server_error() {
    let app = spawn_app().await;
    for token in [
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "short",
        "not%20a%20token",
        &"x".repeat(300),
        "..%2F..%2Fetc",
    ] {
        let (status, html) = page(&app, &format!("/s/{token}")).await;
        assert_eq!(status, 404, "{token}");
        assert!(html.contains("Link not found") || html.contains("リンクが見つかりません"));
        let api = bare_client()
            .get(app.url(&format!("/api/public/surveys/{token}")))
            .send()
            .await
            .unwrap();
        assert_problem(api, 404, "not_found").await;
        assert_problem(
            answer(&app, token, json!({ "score": 5 })).await,
            404,
            "not_found",
        )
        .await;
    }
    // The page of an unknown link speaks the browser's language.
    let ja = bare_client()
        .get(app.url("/s/nope"))
        .header("accept-language", "ja,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        ja.contains("lang=\"ja\"") && ja.contains("リンクが見つかりません"),
        "{ja}"
    );
}

#[tokio::test]
async fn an_expired_link_shows_an_expired_page_and_refuses_answers() {
    let (app, _, _, _, tokens) = links(1).await;
    let token = &tokens[0];
    crate::surveys::execute(
        &app,
        "UPDATE survey_links SET expires_at = '2020-01-01 00:00:00'",
    );
    let (status, html) = page(&app, &format!("/s/{token}")).await;
    assert_eq!(status, 410);
    assert!(html.contains("有効期限が切れています"), "{html}");
    assert_problem(
        answer(&app, token, json!({ "score": 8 })).await,
        410,
        "link_expired",
    )
    .await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM survey_responses"), 0);
}

#[tokio::test]
async fn revoked_links_and_closed_surveys_refuse_answers_with_410() {
    let (app, manager, survey, _, tokens) = links(2).await;
    let revoked_id = app.count("SELECT MIN(id) AS n FROM survey_links");
    assert_eq!(
        manager
            .delete(&format!("/api/v1/surveys/{survey}/links/{revoked_id}"))
            .await
            .status(),
        204
    );
    assert_problem(
        answer(&app, &tokens[0], json!({ "score": 8 })).await,
        410,
        "link_revoked",
    )
    .await;
    let body = json!({
        "survey": { "kind": "nps", "name": "Relationship NPS", "question": { "en": "Q" } },
        "archived": true, "version": 1,
    });
    assert_eq!(
        manager
            .put(&format!("/api/v1/surveys/{survey}"), &body)
            .await
            .status(),
        200
    );
    assert_problem(
        answer(&app, &tokens[1], json!({ "score": 8 })).await,
        410,
        "survey_closed",
    )
    .await;
    let (status, html) = page(&app, &format!("/s/{}", tokens[1])).await;
    assert_eq!(status, 410);
    assert!(html.contains("終了しました"), "{html}");
}

#[tokio::test]
async fn a_score_out_of_range_or_unknown_fields_are_400_and_the_link_stays_open() {
    let (app, manager, _, account, tokens) = links(1).await;
    let token = &tokens[0];
    let out_of_range = answer(&app, token, json!({ "score": 11 })).await;
    let problem = assert_problem(out_of_range, 400, "validation_failed").await;
    assert_eq!(problem.errors[0].field, "score");
    // A value of the wrong type, or none, is a field error of `score`.
    for body in [json!({ "score": -1 }), json!({ "score": "9" }), json!({})] {
        let problem = assert_problem(
            answer(&app, token, body.clone()).await,
            400,
            "validation_failed",
        )
        .await;
        assert_eq!(problem.errors[0].field, "score", "{body}");
    }
    let extra = answer(&app, token, json!({ "score": 9, "account_id": 1 })).await;
    assert_problem(extra, 400, "bad_request").await;
    let long = answer(
        &app,
        token,
        json!({ "score": 9, "comment": "長".repeat(2001) }),
    )
    .await;
    assert_problem(long, 400, "validation_failed").await;
    // A CSAT survey takes 1–5 only.
    let csat = create_survey(&manager, "csat", "Support CSAT").await;
    let csat_token = issue(&manager, csat.id, &[account]).await[0].path[3..].to_owned();
    for score in [0, 6] {
        let problem = assert_problem(
            answer(&app, &csat_token, json!({ "score": score })).await,
            400,
            "validation_failed",
        )
        .await;
        assert!(problem.errors[0].message.contains("between 1 and 5"));
    }
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM survey_responses"), 0);
    assert_eq!(
        answer(&app, token, json!({ "score": 10 })).await.status(),
        201
    );
    assert_eq!(
        answer(&app, &csat_token, json!({ "score": 5 }))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn the_answer_needs_the_csrf_header_but_no_session() {
    let (app, _, _, _, tokens) = links(1).await;
    let without = bare_client()
        .post(app.url(&format!("/api/public/surveys/{}", tokens[0])))
        .json(&json!({ "score": 9 }))
        .send()
        .await
        .unwrap();
    assert_problem(without, 403, "csrf_rejected").await;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM survey_responses"), 0);
}

#[tokio::test]
async fn a_detractor_answer_through_a_link_creates_a_task_for_the_owner() {
    let (app, manager, _, account, tokens) = links(1).await;
    let response = answer(
        &app,
        &tokens[0],
        json!({ "score": 2, "comment": "Hard to use" }),
    )
    .await;
    assert_eq!(response.status(), 201);
    let tasks: Page<Task> = manager
        .json(&format!("/api/v1/tasks?account={account}"))
        .await;
    assert_eq!(tasks.total, 1);
    assert_eq!(
        tasks.items[0].owner.as_ref().map(|o| o.id),
        Some(manager.id)
    );
    assert!(tasks.items[0].reason.contains("Hard to use"));
}

#[tokio::test]
async fn the_page_shows_the_question_in_the_accounts_language_with_a_switch() {
    let (app, _, _, _, tokens) = links(1).await;
    let token = &tokens[0];
    let response = bare_client()
        .get(app.url(&format!("/s/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"ja\""), "{html}");
    assert!(html.contains("すすめる可能性"), "{html}");
    assert!(html.contains("その理由を教えてください"), "{html}");
    assert_eq!(html.matches("type=\"radio\"").count(), 11);
    assert!(
        !html.contains("<script>") && !html.contains("style="),
        "{html}"
    );
    assert!(html.contains(&format!("data-api=\"/api/public/surveys/{token}\"")));
    let (_, english) = page(&app, &format!("/s/{token}?lang=en")).await;
    assert!(english.contains("<html lang=\"en\"") && english.contains("recommend us"));
    let question: PublicSurvey = bare_client()
        .get(app.url(&format!("/api/public/surveys/{token}?lang=en")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(question.language, Language::En);
    assert_eq!((question.min_score, question.max_score), (0, 10));
    assert_eq!(question.follow_up.as_deref(), Some("Why?"));
    let bad_lang = bare_client()
        .get(app.url(&format!("/api/public/surveys/{token}?lang=fr")))
        .send()
        .await
        .unwrap();
    assert_problem(bad_lang, 400, "bad_request").await;
}

#[tokio::test]
async fn the_public_endpoints_are_rate_limited_per_address_with_retry_after() {
    let app = spawn_app_configured(true, |c| c.public_survey_limit = 3).await;
    let manager = sign_in(&app, Role::Manager, "Mana").await;
    let survey = create_survey(&manager, "nps", "NPS").await;
    let account = owned_account(&app, "Sakura KK", 100_000, manager.id);
    let token = issue(&manager, survey.id, &[account]).await[0].path[3..].to_owned();
    for _ in 0..3 {
        let response = bare_client()
            .get(app.url(&format!("/api/public/surveys/{token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let limited = answer(&app, &token, json!({ "score": 9 })).await;
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_problem(limited, 429, "rate_limited").await;
    let (status, _) = page(&app, &format!("/s/{token}")).await;
    assert_eq!(status, 429);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM survey_responses"), 0);
    // Staff routes are not affected.
    assert_eq!(manager.get("/api/v1/surveys").await.status(), 200);
}

#[tokio::test]
async fn the_page_with_its_stylesheet_and_script_weighs_under_150_kb_brotli() {
    let (app, _, _, _, tokens) = links(1).await;
    let html = bare_client()
        .get(app.url(&format!("/s/{}", tokens[0])))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let asset = |kind: &str| {
        let start = html.find(&format!("/s/assets/survey.{kind}?v=")).unwrap();
        let end = start + html[start..].find('"').unwrap();
        html[start..end].to_owned()
    };
    let mut total = 0;
    let mut compressed = 0;
    for path in [format!("/s/{}", tokens[0]), asset("css"), asset("js")] {
        // Fetched raw, as a browser would with brotli accepted, and
        // measured without decoding (reqwest here decodes nothing).
        let response = bare_client()
            .get(app.url(&path))
            .header("accept-encoding", "br")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let encoding = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.bytes().await.unwrap();
        // Compressed when the server found it worth it; either way these
        // are the bytes a phone downloads.
        if encoding.as_deref() == Some("br") {
            compressed += 1;
        }
        total += body.len();
    }
    eprintln!("public survey page: {total} bytes over the wire ({compressed} of 3 files brotli)");
    assert!(total <= 150 * 1024, "{total} bytes");
    // The page never loads the staff app.
    assert!(!html.contains("kizuna-app") && !html.contains(".wasm"));
}
