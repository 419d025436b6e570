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
use crate::db::{self, DbError, DbPool};
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
            entries_csv(&entries)
        })
    })
    .await?;
    Ok(crate::routes::csv_download("kizuna-audit", csv))
}

/// The CSV file of `entries` (UTF-8 with BOM).
fn entries_csv(entries: &[AuditEntry]) -> Result<Vec<u8>, DbError> {
    let corrupt = |e: csv::Error| DbError::Corrupt(format!("writing CSV: {e}"));
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer
            .write_record([
                "id",
                "at",
                "category",
                "kind",
                "actor_id",
                "actor_name",
                "actor_email",
                "client_addr",
                "target_type",
                "target_id",
                "target_label",
                "summary",
                "changes",
            ])
            .map_err(corrupt)?;
        for e in entries {
            let changes = e
                .changes
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} → {}",
                        c.field,
                        c.old.as_deref().unwrap_or("∅"),
                        c.new.as_deref().unwrap_or("∅")
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            let record = [
                e.id.to_string(),
                e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                e.category.as_str().to_owned(),
                e.kind.as_str().to_owned(),
                e.actor_id.map(|i| i.to_string()).unwrap_or_default(),
                opt(&e.actor_name),
                opt(&e.actor_email),
                opt(&e.client_addr),
                e.target_type
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                e.target_id.map(|i| i.to_string()).unwrap_or_default(),
                opt(&e.target_label),
                e.summary.clone(),
                changes,
            ];
            writer
                .write_record(
                    record
                        .iter()
                        .map(|c| kizuna_shared::cells::neutralize_formula(c).into_owned()),
                )
                .map_err(corrupt)?;
        }
        writer
            .flush()
            .map_err(|e| DbError::Corrupt(format!("writing CSV: {e}")))?;
    }
    Ok(out)
}
