//! `/api/v1/signals`: what each usage signal means; managers and admins
//! define, change and retire signals (a retired one keeps its history).

use actix_web::{get, post, put, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{NewSignal, Page, Problem, SignalDefinition, SignalUpdate};
use kizuna_shared::domain::Capability;

use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;
use crate::routes::body::Body;

/// Every signal definition (retired ones included, marked): the built-in
/// signals first, then the team's own.
#[utoipa::path(
    tag = "signals",
    responses(
        (status = 200, description = "Signal definitions", body = Page<SignalDefinition>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signals")]
pub async fn list_signals(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<web::Json<Page<SignalDefinition>>, ApiError> {
    Ok(web::Json(Page::whole(
        blocking(&pool, db::signals::definitions).await?,
    )))
}

/// Defines a signal (managers and admins). The body of a
/// `SignalDefinition` works as it is; `label_ja` and `kind` are optional.
#[utoipa::path(
    tag = "signals",
    request_body = NewSignal,
    responses(
        (status = 201, description = "The new signal", body = SignalDefinition),
        (status = 400, description = "Invalid fields (key format, blank label)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a manager or admin, or CSRF check failed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signals")]
pub async fn create_signal(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    body: Body<NewSignal>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ManageHealth)?;
    let body = body.into_inner();
    body.validate()?;
    let actor = user.actor();
    let created = blocking(&pool, move |conn| db::signals::create(conn, &body, &actor)).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Changes a signal's definition (managers and admins); `retired: true`
/// retires it (values kept, new values refused, not offered for models).
#[utoipa::path(
    tag = "signals",
    params(("key" = String, Path, description = "Signal key")),
    request_body = SignalUpdate,
    responses(
        (status = 200, description = "The signal after the change", body = SignalDefinition),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a manager or admin, or CSRF check failed", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such signal", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Retiring a signal the published model reads", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/signals/{key}")]
pub async fn update_signal(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    key: web::Path<String>,
    body: Body<SignalUpdate>,
) -> Result<web::Json<SignalDefinition>, ApiError> {
    user.require(Capability::ManageHealth)?;
    let body = body.into_inner();
    body.validate()?;
    let key = key.into_inner();
    let actor = user.actor();
    let updated = blocking(&pool, move |conn| {
        db::signals::update(conn, &key, &body, &actor)
    })
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("There is no such signal.".to_owned()),
        other => other,
    })?;
    Ok(web::Json(updated))
}
