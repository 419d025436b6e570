//! `/api/v1/health-models` (drafts, publishing, comparison),
//! `/api/v1/scoring-data` (the workbench's data, binary) and
//! `/api/v1/accounts/{id}/score` (trend and breakdown).

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::scoring_data::{
    encode, AccountRow, Accounts, ScoringData, ScoringDataQuery,
};
use kizuna_shared::api::{
    AccountScore, CompareQuery, HealthModelVersion, ModelComparison, NewHealthModel, Page, Problem,
    PublishModel, PublishReport, UpdateHealthModel, WeightPair,
};
use kizuna_shared::domain::{Capability, Tier};
use kizuna_shared::metrics::{compare_bands, Explanation, HealthModel, Scorer};

use crate::auth::CurrentUser;
use crate::db::scoring::{self as data, Scope};
use crate::db::{self, DbError, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;
use crate::routes::body::Body;
use crate::scoring_cache::{ScoringDataCache, ScoringKey};

/// Media type of `GET /api/v1/scoring-data`.
pub const SCORING_DATA_TYPE: &str = "application/vnd.kizuna.scoring-data";

fn not_found(id: i64) -> impl Fn(ApiError) -> ApiError {
    move |e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("There is no health model {id}.")),
        other => other,
    }
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Every health model: published versions newest first (the current one
/// marked), then drafts.
#[utoipa::path(
    tag = "health-models",
    responses(
        (status = 200, description = "Models and versions", body = Page<HealthModelVersion>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health-models")]
pub async fn list_models(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<web::Json<Page<HealthModelVersion>>, ApiError> {
    let items = blocking(&pool, db::models::list).await?;
    Ok(web::Json(Page::whole(items)))
}

/// Saves a new draft (managers and admins), based on the published model.
#[utoipa::path(
    tag = "health-models",
    request_body = NewHealthModel,
    responses(
        (status = 201, description = "The draft", body = HealthModelVersion),
        (status = 400, description = "Invalid model (all weights zero, cut-offs out of order, unknown or retired signal…), named in `errors`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a manager or admin, or CSRF check failed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/health-models")]
pub async fn create_model(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    body: Body<NewHealthModel>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ManageHealth)?;
    let body = body.into_inner();
    body.validate()?;
    let actor = user.actor();
    let draft = blocking(&pool, move |conn| {
        db::models::create_draft(conn, &body, &actor)
    })
    .await?;
    Ok(HttpResponse::Created().json(draft))
}

/// Weights side by side and the band movements from `a` to `b` over
/// today's customers.
#[utoipa::path(
    tag = "health-models",
    params(CompareQuery),
    responses(
        (status = 200, description = "The comparison", body = ModelComparison),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such model", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health-models/compare")]
pub async fn compare_models(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<CompareQuery>,
) -> Result<web::Json<ModelComparison>, ApiError> {
    let q = query.into_inner();
    q.validate()?;
    let as_of = today();
    let (a, b) = (q.a, q.b);
    let comparison = blocking(&pool, move |conn| {
        let a = db::models::get(conn, a)?;
        let b = db::models::get(conn, b)?;
        let sa = scorer(&a.model)?;
        let sb = scorer(&b.model)?;
        let members = data::population(conn, Scope::CustomersOn(as_of), as_of, None)?;
        let mut lags = lags_of(&sa);
        lags.extend(lags_of(&sb));
        lags.sort_unstable();
        lags.dedup();
        let table = data::table_on(conn, &members, as_of, &lags)?;
        let (_, before) = sa.score(&table);
        let (_, after) = sb.score(&table);
        let bands = compare_bands(&before, &after)
            .map_err(|e| DbError::Corrupt(format!("comparison: {e}")))?;
        Ok(ModelComparison {
            weights: weight_pairs(&a.model, &b.model),
            a,
            b,
            bands,
            as_of,
        })
    })
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("There is no such health model.".to_owned()),
        other => other,
    })?;
    Ok(web::Json(comparison))
}

fn scorer(model: &HealthModel) -> Result<Scorer, DbError> {
    Scorer::new(model).map_err(|e| DbError::Corrupt(format!("stored model: {e}")))
}

fn lags_of(scorer: &Scorer) -> Vec<u32> {
    let mut lags: Vec<u32> = scorer.trends().flatten().map(|t| t.days).collect();
    lags.sort_unstable();
    lags.dedup();
    lags
}

/// Each measure of either model with its share of the model's weight.
fn weight_pairs(a: &HealthModel, b: &HealthModel) -> Vec<WeightPair> {
    let share = |m: &HealthModel, signal: &str, trend| {
        let total: f64 = m.measures.iter().map(|x| x.weight).sum();
        m.measures
            .iter()
            .find(|x| x.signal == signal && x.trend == trend)
            .map(|x| if total > 0.0 { x.weight / total } else { 0.0 })
    };
    let mut keys: Vec<_> = a
        .measures
        .iter()
        .chain(&b.measures)
        .map(|m| (m.signal.clone(), m.trend))
        .collect();
    keys.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.cmp(&y.1)));
    keys.dedup();
    keys.into_iter()
        .map(|(signal, trend)| WeightPair {
            a: share(a, &signal, trend),
            b: share(b, &signal, trend),
            trend: trend.map(|t| t.to_string()),
            signal,
        })
        .collect()
}

/// One model.
#[utoipa::path(
    tag = "health-models",
    params(("id" = i64, Path, description = "Model id")),
    responses(
        (status = 200, description = "The model", body = HealthModelVersion),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such model", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health-models/{id}")]
pub async fn get_model(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<web::Json<HealthModelVersion>, ApiError> {
    let id = id.into_inner();
    let model = blocking(&pool, move |conn| db::models::get(conn, id))
        .await
        .map_err(not_found(id))?;
    Ok(web::Json(model))
}

/// Replaces a draft at the edit version read (managers and admins).
#[utoipa::path(
    tag = "health-models",
    params(("id" = i64, Path, description = "Model id")),
    request_body = UpdateHealthModel,
    responses(
        (status = 200, description = "The draft after the change", body = HealthModelVersion),
        (status = 400, description = "Invalid model, named in `errors`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a manager or admin, or CSRF check failed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such model", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or the model is published", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/health-models/{id}")]
pub async fn update_model(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: Body<UpdateHealthModel>,
) -> Result<web::Json<HealthModelVersion>, ApiError> {
    user.require(Capability::ManageHealth)?;
    let body = body.into_inner();
    body.validate()?;
    let id = id.into_inner();
    let actor = user.actor();
    let model = blocking(&pool, move |conn| {
        db::models::update_draft(conn, id, &body, &actor)
    })
    .await
    .map_err(not_found(id))?;
    Ok(web::Json(model))
}

/// Publishes a draft as the next version (managers and admins) and stores
/// the score and band of every account not churned by today as today's
/// snapshot, in one transaction.
#[utoipa::path(
    tag = "health-models",
    params(("id" = i64, Path, description = "Model id")),
    request_body = PublishModel,
    responses(
        (status = 200, description = "The published version and its snapshot", body = PublishReport),
        (status = 400, description = "Invalid body, or the draft reads a signal retired since", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a manager or admin, or CSRF check failed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such model", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, already published, or another version was published since the draft started", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/health-models/{id}/publish")]
pub async fn publish_model(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: Body<PublishModel>,
) -> Result<web::Json<PublishReport>, ApiError> {
    user.require(Capability::ManageHealth)?;
    let body = body.into_inner();
    body.validate()?;
    let id = id.into_inner();
    let actor = user.actor();
    let report = blocking(&pool, move |conn| {
        db::models::publish(conn, id, &body, &actor, today())
    })
    .await
    .map_err(not_found(id))?;
    tracing::info!(by = user.0.id, model = id, "health model published");
    Ok(web::Json(report))
}

/// The workbench's data in the compact binary format of
/// `kizuna_shared::api::scoring_data` (decode with its `decode`): the
/// customers on `as_of`, their signal values as they stood that day (a later
/// reading is not visible; `lags` adds earlier values for trends), MRR,
/// currency, owner, tier, and whether each churned within `window_days`.
/// Every read is audited like an export (`scoring_data_read`): it hands out
/// every customer's name, owner and MRR.
#[utoipa::path(
    tag = "health-models",
    params(ScoringDataQuery),
    responses(
        (status = 200, description = "Scoring data (binary, compressed in transit)", content_type = "application/vnd.kizuna.scoring-data", body = Vec<u8>),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/scoring-data")]
pub async fn get_scoring_data(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<ScoringDataQuery>,
    cache: web::Data<ScoringDataCache>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    q.validate()?;
    let key = (q.as_of, q.window_days, q.lags());
    let actor = user.actor();
    let bytes = blocking(&pool, move |conn| {
        let bytes = cache.get_or_build(conn, key.clone(), |conn| scoring_data_body(conn, &key))?;
        db::write_tx(conn, |conn| {
            db::audit::record_scoring_data_read(conn, &actor, &q, bytes.len())
        })?;
        Ok(bytes)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, SCORING_DATA_TYPE))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

/// The encoded scoring data of a query (as-of date, window, lags), read
/// from the database.
///
/// Logs how long each part took (population with MRR, signal values,
/// encoding): a build happens once per query and data version, and its time
/// is what the first request after a change waits for.
pub fn scoring_data_body(
    conn: &mut db::DbConn,
    (as_of, window_days, lags): &ScoringKey,
) -> Result<Vec<u8>, DbError> {
    let (as_of, window_days) = (*as_of, *window_days);
    let start = std::time::Instant::now();
    let members = data::population(conn, Scope::CustomersOn(as_of), as_of, None)?;
    let population = start.elapsed();
    let table = data::table_on(conn, &members, as_of, lags)?;
    let signals = start.elapsed() - population;
    let churned = data::churned_within(&members, as_of, window_days);
    let mut accounts = Accounts::with_capacity(members.len());
    for (m, churned) in members.iter().zip(churned) {
        accounts.push(AccountRow {
            id: m.id,
            name: &m.name,
            owner: m.owner.as_ref().map(|(id, name)| (*id, name.as_str())),
            tier: Tier::of(m.mrr_minor, m.currency),
            mrr_minor: m.mrr_minor,
            currency: m.currency,
            churned,
        });
    }
    let data = ScoringData::new(as_of, window_days, accounts, table)
        .map_err(|e| DbError::Corrupt(format!("scoring data: {e}")))?;
    let body = encode(&data);
    tracing::info!(
        accounts = members.len(),
        bytes = body.len(),
        population_ms = population.as_millis(),
        signals_ms = signals.as_millis(),
        encode_ms = (start.elapsed() - population - signals).as_millis(),
        "scoring data built"
    );
    Ok(body)
}

/// An account's score trend (the snapshots) and today's per-measure
/// breakdown under the published model ("why is this account red?"); an
/// account churned on or before today has no current score (an empty
/// breakdown), only its trend.
#[utoipa::path(
    tag = "accounts",
    params(("id" = i64, Path, description = "Account id")),
    responses(
        (status = 200, description = "Trend and breakdown", body = AccountScore),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account, or no published model", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts/{id}/score")]
pub async fn account_score(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<web::Json<AccountScore>, ApiError> {
    let id = id.into_inner();
    let as_of = today();
    let score = blocking(&pool, move |conn| {
        let members = data::population(conn, Scope::All, as_of, Some(id))?;
        if members.is_empty() {
            return Err(DbError::NotFound);
        }
        let Some(current) = db::models::published(conn)? else {
            return Err(DbError::NotFound);
        };
        // An account that has left has no current score: its page shows
        // its history only (snapshots no longer score it either).
        let breakdown = if members[0].churned_by(as_of) {
            Explanation {
                score: None,
                band: None,
                measures: Vec::new(),
            }
        } else {
            let scorer = scorer(&current.model)?;
            let table = data::table_on(conn, &members, as_of, &lags_of(&scorer))?;
            scorer
                .explain(&table, 0)
                .ok_or_else(|| DbError::Corrupt("explanation".to_owned()))?
        };
        Ok(AccountScore {
            model_version: current.published_version.unwrap_or_default(),
            breakdown,
            trend: db::models::trend(conn, id)?,
        })
    })
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("There is no account {id}.")),
        other => other,
    })?;
    Ok(web::Json(score))
}
