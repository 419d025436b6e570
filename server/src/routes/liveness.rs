//! `GET /api/health`: liveness and database check.

use actix_web::{web, HttpResponse};
use kizuna_shared::api::Liveness;

use crate::db::{self, DbPool};

/// Answers `ok` when the database answers, `503` with `unavailable` otherwise.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "health",
    responses(
        (status = 200, description = "The server and its database are up", body = Liveness),
        (status = 503, description = "The database does not answer", body = Liveness),
    )
)]
pub async fn liveness(pool: web::Data<DbPool>) -> HttpResponse {
    let pool = pool.clone();
    let db_ok = web::block(move || {
        pool.get()
            .ok()
            .is_some_and(|mut conn| db::ping(&mut conn).is_ok())
    })
    .await
    .unwrap_or(false);
    let body = Liveness {
        status: if db_ok { "ok" } else { "unavailable" }.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    if db_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
