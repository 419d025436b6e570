//! HTTP handlers. Each one parses and validates its input (shared DTOs),
//! authorises, calls a `db` function in the blocking pool and maps errors.

pub mod accounts;
pub mod audit;
pub mod body;
pub mod duplicates;
pub mod events;
pub mod export;
pub mod imports;
pub mod kpis;
pub mod liveness;
pub mod models;
pub mod public;
pub mod session;
pub mod sheets;
pub mod signals;
pub mod surveys;
pub mod tasks;
pub mod users;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::{DbConn, DbError, DbPool};
use crate::error::ApiError;

/// Registers every `/api/v1` route (inside the `/api/v1` scope).
pub fn configure_v1(cfg: &mut ServiceConfig) {
    cfg.service(session::login)
        .service(session::current)
        .service(session::logout)
        .service(session::change_password)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::update_user)
        .service(users::reset_password)
        .service(audit::list_audit)
        .service(audit::export_audit)
        .service(users::list_owners)
        .service(accounts::list_accounts)
        // Before `/accounts/{id}`, which would take "export" for an id.
        .service(export::export_accounts)
        .service(accounts::create_account)
        .service(accounts::get_account)
        .service(accounts::update_account)
        .service(accounts::delete_account)
        .service(accounts::account_mrr)
        .service(accounts::account_signals)
        .service(accounts::list_contacts)
        .service(accounts::create_contact)
        .service(accounts::delete_contact)
        .service(models::account_score)
        .service(signals::list_signals)
        .service(signals::create_signal)
        .service(signals::update_signal)
        .service(models::list_models)
        .service(models::create_model)
        // Before `/health-models/{id}`.
        .service(models::compare_models)
        .service(models::get_model)
        .service(models::update_model)
        .service(models::publish_model)
        .service(models::get_scoring_data)
        .service(duplicates::list_duplicates)
        .service(duplicates::merge_accounts)
        .service(imports::create_import)
        .service(imports::import_progress)
        .service(imports::list_imports)
        .service(surveys::list_surveys)
        .service(surveys::create_survey)
        .service(surveys::get_survey)
        .service(surveys::update_survey)
        .service(surveys::list_responses)
        .service(surveys::record_response)
        .service(surveys::export_responses)
        .service(surveys::survey_summary)
        .service(surveys::list_links)
        .service(surveys::issue_links)
        .service(surveys::revoke_link)
        .service(tasks::list_tasks)
        .service(tasks::update_task)
        .service(sheets::list_templates)
        .service(sheets::create_template)
        .service(sheets::get_template)
        .service(sheets::update_template)
        .service(sheets::list_sheets)
        .service(sheets::start_sheet)
        // Before `/sheets/{id}`, which would take "kpis" for an id.
        .service(sheets::sheet_kpis)
        .service(sheets::get_sheet)
        .service(sheets::delete_sheet)
        .service(sheets::tick_item)
        .service(kpis::get_kpis)
        .service(kpis::get_kpi_series)
        .service(events::event_stream);
}

/// Registers the public survey API (inside the `/api/public` scope).
pub fn configure_public(cfg: &mut ServiceConfig) {
    cfg.service(public::public_question)
        .service(public::public_answer);
}

/// Runs `f` with a pooled connection on the blocking thread pool, so diesel
/// never blocks the async workers.
pub async fn blocking<T, F>(pool: &web::Data<DbPool>, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let result = web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?;
    Ok(result?)
}

/// A CSV file download named `<prefix>-<today>.csv`, never cached.
pub fn csv_download(prefix: &str, body: Vec<u8>) -> HttpResponse {
    use actix_web::http::header;
    let file = format!(
        "{prefix}-{}.csv",
        chrono::Utc::now().date_naive().format("%Y-%m-%d")
    );
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// Any request under `/api` no handler took: 405 with `Allow` when the path
/// is one of the document's with another method, otherwise a 404 problem
/// (never `index.html`).
pub async fn api_not_found(
    req: HttpRequest,
    routes: Option<web::Data<KnownRoutes>>,
) -> Result<HttpResponse, ApiError> {
    let allowed = routes.map(|r| r.allowed(req.path())).unwrap_or_default();
    if let Some(response) = method_not_allowed(&req, &allowed) {
        return Ok(response);
    }
    Err(ApiError::NotFound(format!(
        "No API resource at {} {}.",
        req.method(),
        req.path()
    )))
}

/// 405 with `Allow` when `allowed` (the methods the document declares for
/// the request's path) is not empty and lacks the request's method.
pub fn method_not_allowed(req: &HttpRequest, allowed: &[&'static str]) -> Option<HttpResponse> {
    if allowed.is_empty() || allowed.contains(&req.method().as_str()) {
        return None;
    }
    let allow = allowed.join(", ");
    let mut response = ApiError::MethodNotAllowed(format!(
        "{} is not supported on {}; use {allow}.",
        req.method(),
        req.path()
    ))
    .error_response();
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Some(response)
}

/// The paths and methods of the OpenAPI document. Every `/api` route is in
/// the document (an invariant), so it is the one list that can tell an
/// unknown resource (404) from an undeclared method on a known one (405),
/// and routes added later are covered without another list to keep.
#[derive(Debug, Clone, Default)]
pub struct KnownRoutes(Vec<(Vec<Segment>, Vec<&'static str>)>);

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{name}`: any one non-empty segment.
    Parameter,
}

impl KnownRoutes {
    /// The templates and methods of `doc`'s paths.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template
                    .split('/')
                    .map(|s| {
                        if s.starts_with('{') && s.ends_with('}') {
                            Segment::Parameter
                        } else {
                            Segment::Literal(s.to_owned())
                        }
                    })
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("OPTIONS", item.options.is_some()),
                    ("TRACE", item.trace.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, declared)| declared.then_some(m))
                .collect();
                (segments, methods)
            })
            .collect();
        KnownRoutes(routes)
    }

    /// The methods of the template made only of literal segments that
    /// matches `path` (e.g. `/api/v1/accounts/export`), if there is one.
    /// actix routes `PUT /api/v1/accounts/export` to `PUT
    /// /api/v1/accounts/{id}`, whose path then fails to parse; the request
    /// was for the export resource, so the answer is its 405, not a 400.
    pub fn literal(&self, path: &str) -> Vec<&'static str> {
        self.methods(path, true)
    }

    /// The methods the document declares for `path`, in a fixed order
    /// (empty when no path template matches it).
    /// A path that is one of the document's literal paths is that resource
    /// alone, even where a parameter template would also match it.
    pub fn allowed(&self, path: &str) -> Vec<&'static str> {
        let literal = self.literal(path);
        if literal.is_empty() {
            self.methods(path, false)
        } else {
            literal
        }
    }

    /// The methods of the templates matching `path` (with `literal_only`,
    /// of the templates without parameters), in `Allow` order.
    fn methods(&self, path: &str, literal_only: bool) -> Vec<&'static str> {
        let parts: Vec<&str> = path.split('/').collect();
        let declared: Vec<&'static str> = self
            .0
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(s, p)| match s {
                        Segment::Literal(l) => l == p,
                        Segment::Parameter => !literal_only && !p.is_empty(),
                    })
            })
            .flat_map(|(_, methods)| methods.iter().copied())
            .collect();
        METHODS
            .into_iter()
            .filter(|m| declared.contains(m))
            .collect()
    }
}

/// HTTP methods an OpenAPI path item can declare, in the order `Allow` lists them.
const METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
];

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
    use utoipa::openapi::OpenApiBuilder;

    #[test]
    fn known_paths_list_their_methods_and_unknown_ones_none() {
        let op = || OperationBuilder::new().build();
        let doc = OpenApiBuilder::new()
            .paths(
                PathsBuilder::new()
                    .path("/api/v1/accounts", PathItem::new(HttpMethod::Get, op()))
                    .path("/api/v1/accounts", PathItem::new(HttpMethod::Post, op()))
                    .path(
                        "/api/v1/accounts/{id}",
                        PathItem::new(HttpMethod::Delete, op()),
                    )
                    .path(
                        "/api/v1/accounts/export",
                        PathItem::new(HttpMethod::Get, op()),
                    ),
            )
            .build();
        let routes = KnownRoutes::from_openapi(&doc);
        assert_eq!(routes.allowed("/api/v1/accounts"), ["GET", "POST"]);
        assert_eq!(routes.allowed("/api/v1/accounts/7"), ["DELETE"]);
        // A literal path is its own resource, not also the template's.
        assert_eq!(routes.allowed("/api/v1/accounts/export"), ["GET"]);
        assert!(routes.allowed("/api/v1/accounts/").is_empty());
        assert!(routes.allowed("/api/v1/nothing").is_empty());
        assert!(routes.allowed("/api/v1/accounts/7/x").is_empty());
        // Only templates without parameters count as the literal resource.
        assert_eq!(routes.literal("/api/v1/accounts/export"), ["GET"]);
        assert!(routes.literal("/api/v1/accounts/7").is_empty());
        assert_eq!(routes.literal("/api/v1/accounts"), ["GET", "POST"]);
    }
}
