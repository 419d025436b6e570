//! The OpenAPI document: the routes register their own paths through
//! utoipa-actix-web; this adds the title, tags, shared schemas, the session
//! cookie security scheme, and the problem answers every operation of a kind
//! can give (so a route added later documents them without repeating them).

use kizuna_shared::api::{
    AccountSort, ChangeEvent, ChangeKind, FieldError, PeriodKind, Problem, SortDir, StreamReady,
};
use kizuna_shared::domain::Tier;
use kizuna_shared::metrics::Band;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{Content, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::auth::session::SESSION_COOKIE;

/// The static part of the document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kizuna API",
        description = "Customer-success operations. Errors are `application/problem+json` with a stable `code`. \
                       Every POST, PUT, PATCH and DELETE needs the `x-kizuna-csrf` header and, when the browser sends `Origin`, \
                       must come from the server's public origin. The session cookie is `__Host-kizuna_session` \
                       (`kizuna_session` only when plain HTTP on a non-loopback address was explicitly allowed)."
    ),
    paths(crate::routes::liveness::liveness),
    // Query parameter enums are referenced by `$ref` but not collected from
    // `IntoParams` types, so they are listed here.
    components(schemas(Problem, FieldError, AccountSort, SortDir, Band, PeriodKind, Tier, ChangeEvent, ChangeKind, StreamReady)),
    modifiers(&SessionCookie),
    tags(
        (name = "health", description = "Liveness"),
        (name = "session", description = "Signing in and out, changing one's own password"),
        (name = "users", description = "User administration (admins) and account owners"),
        (name = "accounts", description = "Customer accounts, their revenue history, signals and contacts"),
        (name = "signals", description = "Usage signal definitions: built-in and the team's own"),
        (name = "health-models", description = "Health score models (drafts, published versions, comparison) and the workbench's scoring data"),
        (name = "duplicates", description = "Likely duplicate accounts and merging them"),
        (name = "imports", description = "CSV imports with preview, their progress and the data-change history"),
        (name = "surveys", description = "NPS/CSAT surveys, answers (proxy and direct), their summary and export, personal links"),
        (name = "tasks", description = "Follow-up tasks (a negative survey answer creates one)"),
        (name = "sheets", description = "Onboarding sheet templates, sheets for accounts and new team members, ticking items, onboarding KPIs"),
        (name = "public", description = "The public survey answer API behind the page at /s/{token}: no session, rate-limited per client address"),
        (name = "kpis", description = "Customer-success KPIs per period, filter and currency, and their series for charts"),
        (name = "events", description = "Live change events (Server-Sent Events) for dashboards"),
        (name = "audit", description = "The append-only audit log: security events (admins) and data events (admins and managers)"),
    )
)]
pub struct ApiDoc;

/// Declares the session cookie as the API's security scheme.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
        );
    }
}

/// Finishes the document once every route has registered its operations
/// (`split_for_parts`): a `modifiers(…)` entry on [`ApiDoc`] would run before
/// the routes exist and document nothing.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    CommonProblems.modify(doc);
}

/// Adds the problem answers the server's shared machinery gives, to every
/// operation that can get them and does not document them itself:
/// 400 (malformed path, query or body: the extractors' error handlers),
/// 401 (no session: every `/api/v1` operation but signing in),
/// 413 (body over the limit) and 415 (body of the wrong media type) for
/// operations with a request body.
struct CommonProblems;

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let signed_in = path.starts_with("/api/v1/");
            for op in operations(item) {
                let open = op.security.as_ref().is_some_and(|s| s.is_empty())
                    || op.operation_id.as_deref() == Some("login");
                let has_input = op.request_body.is_some()
                    || op.parameters.as_ref().is_some_and(|p| !p.is_empty());
                if has_input {
                    add_problem(op, "400", "Malformed path, query or body");
                }
                if signed_in && !open {
                    add_problem(op, "401", "Not signed in");
                }
                if op.request_body.is_some() {
                    add_problem(op, "413", "The request body is too large");
                    add_problem(op, "415", "The request body has the wrong media type");
                }
            }
        }
    }
}

/// Every operation of a path item.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.options.as_mut(),
        item.head.as_mut(),
        item.patch.as_mut(),
        item.trace.as_mut(),
    ]
    .into_iter()
    .flatten()
}

/// Documents `status` as a problem answer unless the operation already does.
fn add_problem(op: &mut Operation, status: &str, description: &str) {
    if op.responses.responses.contains_key(status) {
        return;
    }
    let response = ResponseBuilder::new()
        .description(description)
        .content(
            kizuna_shared::api::PROBLEM_CONTENT_TYPE,
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build();
    op.responses
        .responses
        .insert(status.to_owned(), response.into());
}
