//! Building the application: state from the configuration, then the actix
//! `Server` with its middleware, the API, the OpenAPI document and the SPA.

use std::net::TcpListener;

use actix_files::Files;
use actix_web::cookie::Key;
use actix_web::dev::{fn_service, Server};
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::Context;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::auth::client::ClientAddrPolicy;
use crate::auth::csrf::{self, PublicOrigin};
use crate::auth::password::{self, PasswordWork};
use crate::auth::public_limit::PublicLimiter;
use crate::auth::rate_limit::LoginLimiter;
use crate::auth::session::{self, KeySource, SessionCookies};
use crate::config::Config;
use crate::db::sessions::Lifetime;
use crate::db::{self, DbPool};
use crate::error::{json_error_handler, path_error_handler, query_error_handler};
use crate::events::EventHub;
use crate::kpi::KpiService;
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
    /// How long sessions live.
    pub session_lifetime: Lifetime,
    /// The configured public origin (`None`: `http://<bound address>`).
    pub public_origin: Option<String>,
    /// Whether plain HTTP on a non-loopback origin was explicitly allowed.
    pub allow_insecure_http: bool,
    /// HSTS max-age for an https origin (0: no header).
    pub hsts_max_age: u64,
    /// How the client address is found.
    pub client_policy: web::Data<ClientAddrPolicy>,
    /// Sign-in limiter (shared by all workers).
    pub limiter: web::Data<LoginLimiter>,
    /// Argon2 work with bounded concurrency (shared by all workers).
    pub password_work: web::Data<PasswordWork>,
    /// Progress of running imports (shared by all workers).
    pub imports: web::Data<crate::import::progress::ProgressRegistry>,
    /// Rate limit of the public survey page and API (shared by all workers).
    pub public_limiter: web::Data<PublicLimiter>,
    /// HTTP worker threads.
    pub workers: Option<usize>,
    /// Change events of this instance (shared by all workers).
    pub events: web::Data<EventHub>,
    /// The KPI fact set and answer cache (shared by all workers).
    pub kpis: web::Data<KpiService>,
    /// Encoded scoring-data bodies per query and data version.
    pub scoring: web::Data<crate::scoring_cache::ScoringDataCache>,
}

/// Opens the database, runs pending migrations, loads the session key and
/// the SPA's `index.html`.
pub fn build_state(config: &Config) -> anyhow::Result<AppState> {
    let pool = db::connect_with(&config.database_url, config.pool)?;
    let applied = db::migrate(&pool)?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    let session_key = session::load_key(
        &KeySource {
            value: config.session_key.clone(),
            file: config.session_key_file.clone(),
        },
        &pool,
    )?;
    let client_policy = ClientAddrPolicy::new(
        config.trusted_proxy_header.as_deref(),
        &config.trusted_proxies,
    )?;
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
    let events = web::Data::from(EventHub::start(
        pool.clone(),
        &config.database_url,
        config.session_lifetime,
    )?);
    Ok(AppState {
        events,
        kpis: web::Data::new(KpiService::new(config.gross_margin)),
        scoring: web::Data::new(Default::default()),
        pool,
        spa,
        session_key,
        session_lifetime: config.session_lifetime,
        public_origin: config.public_origin.clone(),
        allow_insecure_http: config.allow_insecure_http,
        hsts_max_age: config.hsts_max_age,
        client_policy: web::Data::new(client_policy),
        limiter: web::Data::new(LoginLimiter::new(config.login_limits)),
        password_work: web::Data::new(PasswordWork::default()),
        imports: web::Data::new(Default::default()),
        public_limiter: web::Data::new(PublicLimiter::new(config.public_survey_limit)),
        workers: config.workers,
    })
}

/// The public origin and whether cookies can be `Secure` there: a plain-http
/// origin that browsers do not treat as secure (not localhost or loopback)
/// is refused unless explicitly allowed, and then loudly logged.
fn resolve_origin(state: &AppState, listener: &TcpListener) -> anyhow::Result<PublicOrigin> {
    let origin = match &state.public_origin {
        Some(text) => PublicOrigin::parse(text)?,
        None => PublicOrigin::of_bound(listener.local_addr().context("bound address")?)?,
    };
    if !origin.is_secure_context() {
        anyhow::ensure!(
            state.allow_insecure_http,
            "the public origin {} is plain HTTP on a non-loopback address: serve it behind \
             HTTPS and set --public-origin https://…, or pass --allow-insecure-http to accept \
             session cookies that travel unencrypted",
            origin.as_str()
        );
        tracing::warn!(
            origin = origin.as_str(),
            "INSECURE: serving plain HTTP on a non-loopback address (--allow-insecure-http); \
             session cookies are not Secure and travel unencrypted. Use HTTPS in production."
        );
    }
    Ok(origin)
}

/// Starts serving on `listener`; the returned server runs when awaited or spawned.
pub fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let origin = resolve_origin(&state, &listener)?;
    tracing::info!(origin = origin.as_str(), "public origin");
    let hsts = (origin.is_https() && state.hsts_max_age > 0)
        .then(|| format!("max-age={}", state.hsts_max_age));
    let cookies = web::Data::new(SessionCookies::new(
        state.session_key.clone(),
        origin.is_secure_context(),
        state.session_lifetime,
    ));
    let origin = web::Data::new(origin);
    let csp = spa::content_security_policy(
        state
            .spa
            .as_ref()
            .map(|s| s.script_hashes.as_slice())
            .unwrap_or_default(),
    );
    let workers = state.workers;
    crate::snapshots::spawn_daily(state.pool.clone());
    crate::scoring_cache::spawn_refresher(
        state.scoring.clone().into_inner(),
        state.pool.clone(),
        &state.events,
        crate::routes::models::scoring_data_body,
    )
    .context("starting the scoring data refresher")?;
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
            .app_data(state.password_work.clone())
            .app_data(state.client_policy.clone())
            .app_data(cookies.clone())
            .app_data(origin.clone())
            .app_data(state.imports.clone())
            .app_data(state.public_limiter.clone())
            .app_data(state.events.clone())
            .app_data(state.scoring.clone())
            .app_data(state.kpis.clone())
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
        let mut api = api;
        crate::openapi::complete(&mut api);
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
                            .route(web::get().to(routes::liveness::liveness))
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
            .wrap(from_fn(nudge_after_writes))
            .wrap(from_fn(crate::auth::read_only_executives))
            .wrap(from_fn(csrf::guard))
            .wrap(security_headers(&csp, hsts.as_deref()))
            .wrap(Compress::default())
            .wrap(TracingLogger::<crate::telemetry::RedactingSpans>::new())
    });
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    Ok(server.listen(listener).context("listening")?.run())
}

/// Headers every response carries.
fn security_headers(csp: &str, hsts: Option<&str>) -> DefaultHeaders {
    let headers = match hsts {
        Some(value) => DefaultHeaders::new().add(("Strict-Transport-Security", value.to_owned())),
        None => DefaultHeaders::new(),
    };
    headers
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

/// After a successful state-changing request, wakes this instance's event
/// watcher, so the change events the request recorded reach open
/// dashboards at once instead of at the next poll (handlers of later
/// features get this without doing anything).
async fn nudge_after_writes(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let write = !matches!(
        *req.method(),
        actix_web::http::Method::GET
            | actix_web::http::Method::HEAD
            | actix_web::http::Method::OPTIONS
    );
    let hub = req.app_data::<web::Data<EventHub>>().cloned();
    let response = next.call(req).await?;
    if write && response.status().is_success() {
        if let Some(hub) = hub {
            hub.nudge();
        }
    }
    Ok(response)
}
