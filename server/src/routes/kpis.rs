//! `/api/v1/kpis` and `/api/v1/kpis/series`: every KPI of a period (with the
//! previous period) and the series for charts, for every signed-in role.
//! The numbers come from the KPI service (`crate::kpi`), which computes them
//! with `kizuna_shared::metrics::kpi` and caches them per data version.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{KpiQuery, KpiResponse, KpiSeriesResponse, Problem};

use crate::auth::CurrentUser;
use crate::db::DbPool;
use crate::error::ApiError;
use crate::kpi::{KpiError, KpiService};

impl From<KpiError> for ApiError {
    fn from(err: KpiError) -> Self {
        match err {
            KpiError::Invalid(message) => ApiError::BadRequest(message),
            KpiError::Overflow(e) => ApiError::AmountOverflow(format!(
                "{e}: a total of this answer does not fit in 64-bit minor units; narrow the filters."
            )),
            KpiError::Db(e) => e.into(),
            KpiError::Json(e) => ApiError::internal(e),
        }
    }
}

fn json(body: std::sync::Arc<Vec<u8>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        // Numbers change with every event: never reuse an old answer.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body.as_ref().clone())
}

async fn answer(
    pool: web::Data<DbPool>,
    service: web::Data<KpiService>,
    query: KpiQuery,
    series: bool,
) -> Result<HttpResponse, ApiError> {
    query.validate()?;
    let body = web::block(move || {
        if series {
            service.series(&pool, &query)
        } else {
            service.kpis(&pool, &query)
        }
    })
    .await??;
    Ok(json(body))
}

/// Every KPI of the range (as one period) and of the period of the same
/// length before it, for the accounts passing the filters, with the counts
/// behind each value. Revenue is reported per currency, never summed.
#[utoipa::path(
    tag = "kpis",
    params(KpiQuery),
    responses(
        (status = 200, description = "The KPIs of the period and of the previous one", body = KpiResponse),
        (status = 400, description = "Bad query parameters (unknown parameter, malformed month, `from` after `to`, range over 120 months)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A money total of the answer does not fit in 64-bit minor units (`amount_overflow`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/kpis")]
pub async fn get_kpis(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    service: web::Data<KpiService>,
    query: web::Query<KpiQuery>,
) -> Result<HttpResponse, ApiError> {
    answer(pool, service, query.into_inner(), false).await
}

/// The KPIs of each period of the range (for trend charts) and the monthly
/// cohorts starting in it (for the retention heatmap), with the segments
/// and plans present for the filters.
#[utoipa::path(
    tag = "kpis",
    params(KpiQuery),
    responses(
        (status = 200, description = "One entry per period, oldest first, and the cohorts", body = KpiSeriesResponse),
        (status = 400, description = "Bad query parameters (unknown parameter, malformed month, `from` after `to`, more than 120 periods)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A money total of the answer does not fit in 64-bit minor units (`amount_overflow`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/kpis/series")]
pub async fn get_kpi_series(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    service: web::Data<KpiService>,
    query: web::Query<KpiQuery>,
) -> Result<HttpResponse, ApiError> {
    answer(pool, service, query.into_inner(), true).await
}
