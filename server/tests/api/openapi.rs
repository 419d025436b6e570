//! The OpenAPI document.

use crate::helpers::spawn_app;
use kizuna_shared::domain::Role;

#[tokio::test]
async fn the_openapi_document_lists_every_api_path_with_problem_responses() {
    let app = spawn_app().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/api/health", "get"),
        ("/api/v1/session", "post"),
        ("/api/v1/session", "get"),
        ("/api/v1/session", "delete"),
        ("/api/v1/users", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/owners", "get"),
        ("/api/v1/accounts", "get"),
        ("/api/v1/accounts", "post"),
        ("/api/v1/accounts/{id}", "get"),
        ("/api/v1/accounts/{id}", "put"),
        ("/api/v1/accounts/{id}", "delete"),
        ("/api/v1/accounts/{id}/mrr", "get"),
        ("/api/v1/accounts/{id}/signals", "get"),
        ("/api/v1/accounts/{id}/contacts", "get"),
        ("/api/v1/accounts/{id}/contacts", "post"),
        ("/api/v1/accounts/{id}/contacts/{contact_id}", "delete"),
        ("/api/v1/signals", "get"),
        ("/api/v1/duplicates", "get"),
        ("/api/v1/duplicates/merge", "post"),
        ("/api/v1/accounts/export", "get"),
        ("/api/v1/imports", "post"),
        ("/api/v1/imports", "get"),
        ("/api/v1/imports/progress/{token}", "get"),
        ("/api/v1/kpis", "get"),
        ("/api/v1/kpis/series", "get"),
        ("/api/v1/events", "get"),
        ("/api/v1/session/password", "put"),
        ("/api/v1/users/{id}", "patch"),
        ("/api/v1/users/{id}/password-reset", "post"),
        ("/api/v1/audit", "get"),
        ("/api/v1/audit/export", "get"),
        ("/api/v1/signals", "post"),
        ("/api/v1/signals/{key}", "put"),
        ("/api/v1/health-models", "get"),
        ("/api/v1/health-models", "post"),
        ("/api/v1/health-models/{id}", "get"),
        ("/api/v1/health-models/{id}", "put"),
        ("/api/v1/health-models/{id}/publish", "post"),
        ("/api/v1/health-models/compare", "get"),
        ("/api/v1/scoring-data", "get"),
        ("/api/v1/accounts/{id}/score", "get"),
        ("/api/v1/surveys", "get"),
        ("/api/v1/surveys", "post"),
        ("/api/v1/surveys/{id}", "get"),
        ("/api/v1/surveys/{id}", "put"),
        ("/api/v1/surveys/{id}/responses", "get"),
        ("/api/v1/surveys/{id}/responses", "post"),
        ("/api/v1/surveys/{id}/responses/export", "get"),
        ("/api/v1/surveys/{id}/summary", "get"),
        ("/api/v1/surveys/{id}/links", "get"),
        ("/api/v1/surveys/{id}/links", "post"),
        ("/api/v1/surveys/{id}/links/{link_id}", "delete"),
        ("/api/v1/tasks", "get"),
        ("/api/v1/tasks/{id}", "patch"),
        ("/api/v1/sheet-templates", "get"),
        ("/api/v1/sheet-templates", "post"),
        ("/api/v1/sheet-templates/{id}", "get"),
        ("/api/v1/sheet-templates/{id}", "put"),
        ("/api/v1/sheets", "get"),
        ("/api/v1/sheets", "post"),
        ("/api/v1/sheets/kpis", "get"),
        ("/api/v1/sheets/{id}", "get"),
        ("/api/v1/sheets/{id}", "delete"),
        ("/api/v1/sheets/{id}/items/{item_id}", "put"),
        ("/api/public/surveys/{token}", "get"),
        ("/api/public/surveys/{token}", "post"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing from {:?}",
            paths.keys().collect::<Vec<_>>()
        );
    }
    let v1_paths = paths.keys().filter(|p| p.starts_with("/api/v1/")).count();
    assert_eq!(v1_paths, 45);
    let unauthorised = &doc["paths"]["/api/v1/accounts"]["get"]["responses"]["401"];
    assert!(unauthorised["content"]["application/problem+json"].is_object());
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "Problem",
        "Account",
        "LoginRequest",
        "SessionUser",
        "UserSummary",
        "AccountInput",
        "UpdateAccount",
        "AccountDetail",
        "MergeRequest",
        "ImportReport",
        "DataChange",
        "KpiResponse",
        "KpiSeriesResponse",
        "ChangeEvent",
        "StreamReady",
        "UserAccount",
        "UpdateUser",
        "ChangePassword",
        "PasswordReset",
        "AuditEntry",
        "AuditKind",
        "AuditCategory",
    ] {
        assert!(schemas.contains_key(schema), "{schema}");
    }
    // The import documents both media types it accepts and the 415.
    let import = &doc["paths"]["/api/v1/imports"]["post"];
    let body = import["requestBody"]["content"].as_object().unwrap();
    assert!(body.contains_key("text/csv") && body.contains_key("text/tab-separated-values"));
    assert!(import["responses"]["415"].is_object());
    let login = &doc["paths"]["/api/v1/session"]["post"]["responses"]["429"];
    assert!(login["headers"]["Retry-After"].is_object());
    // The public survey API needs no session: no security, no 401.
    for method in ["get", "post"] {
        let op = &doc["paths"]["/api/public/surveys/{token}"][method];
        assert_eq!(op["security"], serde_json::json!([{}]), "{method}");
        assert!(op["responses"]["401"].is_null(), "{method}");
        assert!(op["responses"]["429"]["headers"]["Retry-After"].is_object());
        assert!(op["responses"]["410"].is_object());
    }
    for schema in [
        "Survey",
        "SurveyResponse",
        "SurveySummary",
        "IssuedLink",
        "PublicAnswer",
        "Task",
        "SheetTemplate",
        "SheetDetail",
    ] {
        assert!(schemas.contains_key(schema), "{schema}");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["session_cookie"]["name"],
        "__Host-kizuna_session"
    );
}

#[tokio::test]
async fn an_undeclared_method_on_a_known_path_answers_405_with_allow() {
    let app = spawn_app().await;
    let events = &doc_events(&app).await;
    assert!(events["responses"]["200"]["content"]["text/event-stream"].is_object());
    for (method, path, allow) in [
        ("PATCH", "/api/v1/accounts", "GET, POST"),
        ("POST", "/api/v1/accounts/12", "GET, PUT, DELETE"),
        ("PUT", "/api/v1/session", "GET, POST, DELETE"),
        ("POST", "/api/health", "GET"),
        ("POST", "/api/v1/kpis", "GET"),
        ("DELETE", "/api/v1/events", "GET"),
    ] {
        let response = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok()),
            Some(allow),
            "{method} {path}"
        );
        crate::helpers::assert_problem(response, 405, "method_not_allowed").await;
    }
    // A path no route has is still 404.
    let response = app
        .client
        .patch(app.url("/api/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    crate::helpers::assert_problem(response, 404, "not_found").await;
}

/// The `GET /api/v1/events` operation of the document.
async fn doc_events(app: &crate::helpers::TestApp) -> serde_json::Value {
    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    doc["paths"]["/api/v1/events"]["get"].clone()
}

#[tokio::test]
async fn an_undeclared_method_on_a_literal_path_is_405_not_a_bad_id() {
    // `PUT /accounts/export` reaches the `PUT /accounts/{id}` route in
    // actix; the request was for the export resource, whose only method is
    // GET, so it must not read as a malformed account id (400).
    let app = spawn_app().await;
    app.login_as(Role::Manager).await;
    for method in ["PUT", "DELETE"] {
        let response = app
            .client
            .request(method.parse().unwrap(), app.url("/api/v1/accounts/export"))
            .header("x-kizuna-csrf", "1")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response
                .headers()
                .get("allow")
                .and_then(|v| v.to_str().ok()),
            Some("GET"),
            "{method}"
        );
        crate::helpers::assert_problem(response, 405, "method_not_allowed").await;
    }
    // A malformed id on the parameter route is still a 400.
    let response = app
        .client
        .put(app.url("/api/v1/accounts/x7"))
        .header("x-kizuna-csrf", "1")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    crate::helpers::assert_problem(response, 400, "bad_request").await;
}

#[tokio::test]
async fn every_operation_with_input_documents_400_and_every_signed_in_one_401() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let has_input = op.get("requestBody").is_some()
                || op["parameters"].as_array().is_some_and(|p| !p.is_empty());
            if has_input {
                assert!(responses.contains_key("400"), "{method} {path} lacks 400");
            }
            if path.starts_with("/api/v1/") && op["operationId"] != "login" {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
        }
    }
}

/// Tidy (ARCHITECTURE.md, invariants): every `/api/v1` list (a `GET`
/// answering several items) comes in the `{items, total, page, per_page}`
/// envelope, never as a bare JSON array, so every list can grow paging
/// without breaking clients.
#[tokio::test]
async fn every_v1_list_answers_the_page_envelope() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let resolve = |schema: &serde_json::Value| -> serde_json::Value {
        match schema["$ref"].as_str() {
            Some(r) => {
                let name = r.trim_start_matches("#/components/schemas/");
                doc["components"]["schemas"][name].clone()
            }
            None => schema.clone(),
        }
    };
    let mut bare = Vec::new();
    let mut envelopes = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            if method != "get" {
                continue;
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                let Some(schema) = response["content"]["application/json"]["schema"].as_object()
                else {
                    continue;
                };
                let schema = resolve(&serde_json::Value::Object(schema.clone()));
                if schema["type"] == "array" {
                    bare.push(format!("{method} {path} {status}"));
                }
                let props = &schema["properties"];
                if props["items"]["type"] == "array" && props.get("per_page").is_some() {
                    envelopes += 1;
                }
            }
        }
    }
    assert!(bare.is_empty(), "lists without the page envelope: {bare:?}");
    assert!(envelopes >= 15, "only {envelopes} paged lists found");
}
