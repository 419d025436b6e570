//! Building the application: state from the configuration, then the actix
//! `Server` with its middleware, the API, the OpenAPI document and the SPA.

use std::net::TcpListener;

use actix_files::Files;
use actix_identity::IdentityMiddleware;
use actix_web::cookie::Key;
use actix_web::dev::{fn_service, Server};
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::Context;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::auth::public_limit::PublicLimiter;
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::{csrf, password, session};
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::error::{json_error_handler, path_error_handler, query_error_handler};
use crate::openapi::ApiDoc;
use crate::routes;
use crate::spa::{self, Spa};

/// Largest accepted JSON request body.
pub const JSON_LIMIT: usize = 64 * 1024;

/// Everything the running application shares across workers.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// The built SPA, when the dist directory has an `index.html`.
    pub spa: Option<Spa>,
    /// Session cookie signing key.
    pub session_key: Key,
    /// Whether cookies are `Secure`.
    pub secure_cookie: bool,
    /// Login attempt limiter (shared by all workers).
    pub limiter: web::Data<LoginLimiter>,
    /// Progress of running imports (shared by all workers).
    pub imports: web::Data<crate::import::progress::ProgressRegistry>,
    /// Rate limit of the public survey page and API (shared by all workers).
    pub public_limiter: web::Data<PublicLimiter>,
    /// HTTP worker threads.
    pub workers: Option<usize>,
}

/// Opens the database, runs pending migrations, loads the session key and
/// the SPA's `index.html`.
pub fn build_state(config: &Config) -> anyhow::Result<AppState> {
    let pool = db::connect(&config.database_url)?;
    let applied = db::migrate(&pool)?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    let session_key = session::load_key(config.session_key.as_deref(), &pool)?;
    let spa = Spa::load(&config.dist_dir)?;
    match &spa {
        Some(spa) => {
            tracing::info!(dir = %spa.dir.display(), inline_scripts = spa.script_hashes.len(), "serving the web app")
        }
        None => {
            tracing::warn!(dir = %config.dist_dir.display(), "no index.html in the dist directory: serving the API only")
        }
    }
    // Computed now so the first unknown-e-mail login is not slower than the rest.
    password::dummy_hash();
    Ok(AppState {
        pool,
        spa,
        session_key,
        secure_cookie: config.secure_cookie,
        limiter: web::Data::new(LoginLimiter::default()),
        imports: web::Data::new(Default::default()),
        public_limiter: web::Data::new(PublicLimiter::new(config.public_survey_limit)),
        workers: config.workers,
    })
}

/// Starts serving on `listener`; the returned server runs when awaited or spawned.
pub fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let csp = spa::content_security_policy(
        state
            .spa
            .as_ref()
            .map(|s| s.script_hashes.as_slice())
            .unwrap_or_default(),
    );
    let workers = state.workers;
    let mut server = HttpServer::new(move || {
        let state = state.clone();
        let (app, api) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_LIMIT)
                    .error_handler(json_error_handler),
            )
            .app_data(web::PayloadConfig::new(JSON_LIMIT))
            .app_data(web::QueryConfig::default().error_handler(query_error_handler))
            .app_data(web::PathConfig::default().error_handler(path_error_handler))
            .app_data(web::Data::new(state.pool.clone()))
            .app_data(state.limiter.clone())
            .app_data(state.imports.clone())
            .app_data(state.public_limiter.clone())
            .service(
                utoipa_actix_web::scope("/api/v1")
                    .configure(routes::configure_v1)
                    .default_service(web::to(routes::api_not_found)),
            )
            .service(
                utoipa_actix_web::scope("/api/public")
                    .configure(routes::configure_public)
                    .default_service(web::to(routes::api_not_found)),
            )
            .split_for_parts();
        let openapi_json = web::Data::new(api.to_json().unwrap_or_else(|_| "{}".to_owned()));
        let known_routes = web::Data::new(routes::KnownRoutes::from_openapi(&api));

        let mut app = app
            .app_data(openapi_json)
            .app_data(known_routes)
            .service(
                web::scope("/api")
                    // Their own default answers 405 with `Allow`, as under /api/v1.
                    .service(
                        web::resource("/health")
                            .route(web::get().to(routes::health::health))
                            .default_service(web::to(routes::api_not_found)),
                    )
                    .route("/openapi.json", web::get().to(openapi_document))
                    .default_service(web::to(routes::api_not_found)),
            )
            // The public survey answer page (server-rendered, never the SPA).
            .route("/s/assets/{file}", web::get().to(routes::public::asset))
            .route("/s/{token}", web::get().to(routes::public::answer_page))
            .route("/", web::get().to(spa::index))
            .route("/index.html", web::get().to(spa::index));
        if let Some(built) = &state.spa {
            app = app.app_data(web::Data::new(built.clone())).service(
                Files::new("/", &built.dir)
                    .prefer_utf8(true)
                    .default_handler(fn_service(spa::fallback)),
            );
        }
        app.default_service(fn_service(spa::fallback))
            .wrap(from_fn(csrf::guard))
            .wrap(IdentityMiddleware::default())
            .wrap(session::middleware(
                state.session_key.clone(),
                state.secure_cookie,
            ))
            .wrap(security_headers(&csp))
            .wrap(Compress::default())
            .wrap(TracingLogger::default())
    });
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    Ok(server.listen(listener).context("listening")?.run())
}

/// Headers every response carries.
fn security_headers(csp: &str) -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", csp.to_owned()))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
}

/// `GET /api/openapi.json`.
async fn openapi_document(doc: web::Data<String>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.get_ref().clone())
}
