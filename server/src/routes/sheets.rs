//! `/api/v1/sheet-templates` and `/api/v1/sheets`: onboarding templates
//! (managers write them), sheets started from them for an account or a new
//! team member, ticking items, and the onboarding KPIs.
//!
//! Everyone signed in reads. Managers and admins write templates, start
//! and delete any sheet and tick any item; a CSM starts and ticks the
//! customer sheets of the accounts they own; a new member and their guide
//! tick their teammate sheet.

use actix_web::http::header;
use actix_web::{delete, get, post, put, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{
    OnboardingKpiQuery, OnboardingSummary, Page, Problem, Sheet, SheetDetail, SheetQuery,
    SheetTemplate, StartSheet, TemplateInput, TemplateQuery, TickItem, UpdateTemplate,
};
use kizuna_shared::domain::Capability;

use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;
use crate::routes::body::Body;

fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn no_template(id: i64) -> impl Fn(ApiError) -> ApiError {
    move |e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("There is no template {id}.")),
        other => other,
    }
}

fn no_sheet(id: i64) -> impl Fn(ApiError) -> ApiError {
    move |e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("There is no sheet {id}.")),
        other => other,
    }
}

/// Templates: customer ones, then teammate ones (archived ones only when
/// asked).
#[utoipa::path(
    tag = "sheets",
    params(TemplateQuery),
    responses((status = 200, description = "The templates with their items, in one page", body = Page<SheetTemplate>))
)]
#[get("/sheet-templates")]
pub async fn list_templates(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<TemplateQuery>,
) -> Result<web::Json<Page<SheetTemplate>>, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let templates = blocking(&pool, move |conn| db::templates::list(conn, &query)).await?;
    // Templates are few: every one in a single page.
    Ok(web::Json(Page::whole(templates)))
}

/// Creates a template (managers and admins).
#[utoipa::path(
    tag = "sheets",
    request_body = TemplateInput,
    responses(
        (status = 201, description = "The new template", body = SheetTemplate),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only managers and admins write templates (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sheet-templates")]
pub async fn create_template(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    body: Body<TemplateInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ManageTemplates)?;
    let actor = user.actor();
    let input = body.into_inner();
    input.validate()?;
    let template = blocking(&pool, move |conn| {
        db::templates::create(conn, &input, &actor, now())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/sheet-templates/{}", template.id),
        ))
        .json(template))
}

/// One template with its items.
#[utoipa::path(
    tag = "sheets",
    params(("id" = i64, Path, description = "Template id")),
    responses(
        (status = 200, description = "The template", body = SheetTemplate),
        (status = 404, description = "No such template", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sheet-templates/{id}")]
pub async fn get_template(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<web::Json<SheetTemplate>, ApiError> {
    let id = id.into_inner();
    let template = blocking(&pool, move |conn| db::templates::get(conn, id))
        .await
        .map_err(no_template(id))?;
    Ok(web::Json(template))
}

/// Replaces a template's settings and items (reorder, edit, add, remove)
/// or archives it (managers and admins); 409 when it changed since it was
/// read. Sheets already started keep their own copies of the items.
#[utoipa::path(
    tag = "sheets",
    params(("id" = i64, Path, description = "Template id")),
    request_body = UpdateTemplate,
    responses(
        (status = 200, description = "The template after the change", body = SheetTemplate),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only managers and admins write templates (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The template changed since it was read", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/sheet-templates/{id}")]
pub async fn update_template(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: Body<UpdateTemplate>,
) -> Result<web::Json<SheetTemplate>, ApiError> {
    user.require(Capability::ManageTemplates)?;
    let actor = user.actor();
    let id = id.into_inner();
    let update = body.into_inner();
    update.validate()?;
    let template = blocking(&pool, move |conn| {
        db::templates::update(conn, id, &update, &actor, now())
    })
    .await
    .map_err(no_template(id))?;
    Ok(web::Json(template))
}

/// Sheets matching the filters: in progress first, then completed.
#[utoipa::path(
    tag = "sheets",
    params(SheetQuery),
    responses((status = 200, description = "One page of sheets", body = Page<Sheet>))
)]
#[get("/sheets")]
pub async fn list_sheets(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<SheetQuery>,
) -> Result<web::Json<Page<Sheet>>, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let page = blocking(&pool, move |conn| {
        db::sheets::list(conn, &query, now().date())
    })
    .await?;
    Ok(web::Json(page))
}

/// Starts a template for an account (customer templates: managers, admins
/// and the account's CSM) or for a new team member (teammate templates:
/// managers and admins). The template's items are copied into the sheet.
#[utoipa::path(
    tag = "sheets",
    request_body = StartSheet,
    responses(
        (status = 201, description = "The new sheet", body = SheetDetail),
        (status = 400, description = "Invalid fields (unknown or archived template, missing account or member)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not start this sheet (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The template is already running for this account or member", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sheets")]
pub async fn start_sheet(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    body: Body<StartSheet>,
) -> Result<HttpResponse, ApiError> {
    let actor = user.actor();
    user.require(Capability::WorkAccounts)?;
    let request = body.into_inner();
    request.validate()?;
    let detail = blocking(&pool, move |conn| {
        db::sheets::start(conn, &request, &actor, now())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/sheets/{}", detail.sheet.id),
        ))
        .json(detail))
}

/// Onboarding completion rate (customer sheets started in the period and
/// completed by today) and time to value (median days from contract start
/// to completion of the sheets completed in the period), computed by
/// `kizuna_shared::metrics`.
#[utoipa::path(
    tag = "sheets",
    params(OnboardingKpiQuery),
    responses((status = 200, description = "The onboarding KPIs of the period", body = OnboardingSummary))
)]
#[get("/sheets/kpis")]
pub async fn sheet_kpis(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<OnboardingKpiQuery>,
) -> Result<web::Json<OnboardingSummary>, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let summary = blocking(&pool, move |conn| {
        db::sheets::kpis(conn, &query, now().date())
    })
    .await?;
    Ok(web::Json(summary))
}

/// One sheet with its items and their history.
#[utoipa::path(
    tag = "sheets",
    params(("id" = i64, Path, description = "Sheet id")),
    responses(
        (status = 200, description = "The sheet", body = SheetDetail),
        (status = 404, description = "No such sheet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sheets/{id}")]
pub async fn get_sheet(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<web::Json<SheetDetail>, ApiError> {
    let id = id.into_inner();
    let detail = blocking(&pool, move |conn| {
        db::sheets::detail(conn, id, now().date())
    })
    .await
    .map_err(no_sheet(id))?;
    Ok(web::Json(detail))
}

/// Deletes a sheet started by mistake, with its items and history
/// (managers and admins).
#[utoipa::path(
    tag = "sheets",
    params(("id" = i64, Path, description = "Sheet id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only managers and admins delete sheets (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such sheet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sheets/{id}")]
pub async fn delete_sheet(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    user.require(Capability::ManageAccounts)?;
    let actor = user.actor();
    let id = id.into_inner();
    blocking(&pool, move |conn| db::sheets::delete(conn, id, &actor))
        .await
        .map_err(no_sheet(id))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ticks an item (who and when are recorded, with an optional note and the
/// day it was done) or unticks it (the reason is kept in the item's
/// history). The sheet completes when its last required item is ticked and
/// reopens when a required item is unticked.
#[utoipa::path(
    tag = "sheets",
    params(
        ("id" = i64, Path, description = "Sheet id"),
        ("item_id" = i64, Path, description = "Item id"),
    ),
    request_body = TickItem,
    responses(
        (status = 200, description = "The sheet after the change", body = SheetDetail),
        (status = 400, description = "Invalid fields (an untick without a reason, a day in the future or before the start)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not tick this sheet (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such sheet or item", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/sheets/{id}/items/{item_id}")]
pub async fn tick_item(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    path: web::Path<(i64, i64)>,
    body: Body<TickItem>,
) -> Result<web::Json<SheetDetail>, ApiError> {
    let actor = user.actor();
    let (id, item_id) = path.into_inner();
    let request = body.into_inner();
    request.validate()?;
    let not_found = move |e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("Sheet {id} has no item {item_id}.")),
        other => other,
    };
    let detail = blocking(&pool, move |conn| {
        db::sheets::tick(conn, id, item_id, &request, &actor, now())
    })
    .await
    .map_err(not_found)?;
    Ok(web::Json(detail))
}
