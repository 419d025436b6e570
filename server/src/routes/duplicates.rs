//! `/api/v1/duplicates`: likely duplicate accounts and merging them.

use actix_web::{get, post, web};
use garde::Validate;
use kizuna_shared::api::{DuplicateGroup, MergeReport, MergeRequest, Page, Problem};
use kizuna_shared::domain::Capability;

use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;
use crate::routes::body::Body;

/// Groups of accounts that are likely the same customer: the same external
/// id, the same name once case, width and legal forms are ignored, or the
/// same company domain.
#[utoipa::path(
    tag = "duplicates",
    responses(
        (status = 200, description = "Likely duplicates (at most 500 groups)", body = Page<DuplicateGroup>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/duplicates")]
pub async fn list_duplicates(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
) -> Result<web::Json<Page<DuplicateGroup>>, ApiError> {
    Ok(web::Json(Page::whole(
        blocking(&pool, db::duplicates::find).await?,
    )))
}

/// Keeps one account and folds the other into it (managers and admins):
/// MRR, signals and contacts move, the other account is deleted, and the
/// merge is recorded in the history. Stale versions get 409.
#[utoipa::path(
    tag = "duplicates",
    request_body = MergeRequest,
    responses(
        (status = 200, description = "What moved", body = MergeReport),
        (status = 400, description = "Invalid request (same account twice, different currencies)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only managers and admins merge accounts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "An account does not exist", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An account changed since it was read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/duplicates/merge")]
pub async fn merge_accounts(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    body: Body<MergeRequest>,
) -> Result<web::Json<MergeReport>, ApiError> {
    let actor = user.actor();
    user.require(Capability::ManageAccounts)?;
    let request = body.into_inner();
    request.validate()?;
    let (keep, merge) = (request.keep_id, request.merge_id);
    let report = blocking(&pool, move |conn| {
        db::duplicates::merge(conn, &request, &actor)
    })
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => {
            ApiError::NotFound(format!("Account {keep} or {merge} does not exist."))
        }
        other => other,
    })?;
    Ok(web::Json(report))
}
