//! `/api/v1/signals`: what each usage signal means.

use actix_web::{get, web};
use kizuna_shared::api::{Problem, SignalDefinition};

use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;

/// Every signal definition: the six built-in signals first, then custom ones.
#[utoipa::path(
    tag = "signals",
    responses(
        (status = 200, description = "Signal definitions", body = Vec<SignalDefinition>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signals")]
pub async fn list_signals(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<web::Json<Vec<SignalDefinition>>, ApiError> {
    Ok(web::Json(blocking(&pool, db::signals::definitions).await?))
}
