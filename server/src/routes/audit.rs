//! `/api/v1/audit`: the audit log, filtered and paged, and as a CSV
//! download. Admins see every event; managers see data events only (asking
//! them for security events is a 403, and without a category filter they
//! get data events); CSMs and executives get 403.

use actix_web::{get, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{
    AuditCategory, AuditEntry, AuditKind, AuditQuery, AuditTarget, Page, Problem,
};

use crate::auth::CurrentUser;
use crate::db::audit::{self, Event};
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;

/// The categories the user may read under `q`: 403 when the role sees no
/// audit events or asks for a category (or kind) it may not see.
fn visible(user: &CurrentUser, q: &AuditQuery) -> Result<&'static [AuditCategory], ApiError> {
    let visible = AuditCategory::visible_to(user.0.role);
    if visible.is_empty() {
        return Err(ApiError::Forbidden);
    }
    let asked = q.category.or(q.kind.map(AuditKind::category));
    if asked.is_some_and(|c| !visible.contains(&c)) {
        return Err(ApiError::Forbidden);
    }
    Ok(visible)
}

/// Audit log entries, newest first, filtered by user, kind, category and
/// period (`from` inclusive, `to` exclusive, RFC 3339).
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "One page of entries", body = Page<AuditEntry>),
        (status = 400, description = "Bad query parameters (e.g. `to` before `from`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "CSMs and executives; managers asking for security events", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let visible = visible(&user, &query)?;
    Ok(web::Json(
        blocking(&pool, move |conn| db::audit::list(conn, &query, visible)).await?,
    ))
}

/// The entries matching the same filters (paging ignored) as a CSV file:
/// UTF-8 with BOM, cells that a spreadsheet would run as a formula
/// neutralised. The download itself is audited (`audit_exported`).
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "CSV file (UTF-8 with BOM)", body = String, content_type = "text/csv"),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "CSMs and executives; managers asking for security events", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit/export")]
pub async fn export_audit(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let visible = visible(&user, &query)?;
    let actor = user.actor();
    let csv = blocking(&pool, move |conn| {
        db::write_tx(conn, |conn| {
            let entries = db::audit::all(conn, &query, visible)?;
            audit::record(
                conn,
                &actor,
                Event::new(
                    AuditKind::AuditExported,
                    format!("Downloaded {} audit log entries as CSV.", entries.len()),
                )
                .target(AuditTarget::Export, None, "audit log"),
            )?;
            crate::import::export::audit_csv(&entries)
        })
    })
    .await?;
    Ok(crate::routes::csv_download("kizuna-audit", csv))
}
