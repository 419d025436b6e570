//! `GET /api/v1/accounts/export`: the filtered account list as a CSV file
//! that Excel opens correctly (UTF-8 with BOM) and that imports back
//! unchanged (the columns are the accounts import's, plus the tier and the
//! latest value of every signal).

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use garde::Validate;
use kizuna_shared::api::{AccountQuery, ImportKind, Problem};
use kizuna_shared::domain::{format_major, Currency, Tier};

use crate::auth::CurrentUser;
use crate::db::{self, DbError, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Formats a signal value without a trailing `.0`.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

/// Builds the CSV: header row, then one row per account.
fn build_csv(conn: &mut db::DbConn, query: &AccountQuery) -> Result<Vec<u8>, DbError> {
    let rows = db::accounts::export_rows(conn, query)?;
    let signal_keys: Vec<String> = db::signals::definitions(conn)?
        .into_iter()
        .map(|d| d.key)
        .collect();
    let mut latest = std::collections::BTreeMap::new();
    let ids: Vec<i64> = rows.iter().map(|(r, _)| r.id).collect();
    for chunk in ids.chunks(2_000) {
        latest.append(&mut db::signals::latest_for(conn, chunk)?);
    }
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let corrupt = |e: csv::Error| DbError::Corrupt(format!("writing CSV: {e}"));
        let mut header: Vec<&str> = ImportKind::Accounts
            .columns()
            .iter()
            .map(|(c, _)| *c)
            .collect();
        header.push("tier");
        header.extend(signal_keys.iter().map(String::as_str));
        writer.write_record(&header).map_err(corrupt)?;
        for (row, owner) in rows {
            let currency: Currency = row
                .currency
                .parse()
                .map_err(|e| DbError::Corrupt(format!("account {}: {e}", row.id)))?;
            let signals = latest.remove(&row.id).unwrap_or_default();
            let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
            let mut record = vec![
                row.external_id.clone().unwrap_or_default(),
                row.name.clone(),
                row.domain.clone().unwrap_or_default(),
                row.industry.clone().unwrap_or_default(),
                row.plan.clone().unwrap_or_default(),
                format_major(row.mrr_minor, currency),
                currency.as_str().to_owned(),
                date(row.contract_start),
                date(row.renewal_date),
                owner.map(|o| o.email).unwrap_or_default(),
                row.status.clone(),
                date(row.churn_date),
                row.churn_reason.clone().unwrap_or_default(),
                flag(row.flag_well_known),
                flag(row.flag_feedback),
                flag(row.flag_influencer),
                row.expansion_potential.clone(),
                row.champion_name.clone().unwrap_or_default(),
                date(row.champion_changed_on),
                Tier::of(row.mrr_minor, currency).as_str().to_owned(),
            ];
            for key in &signal_keys {
                record.push(
                    signals
                        .iter()
                        .find(|s| &s.key == key)
                        .map(|s| number(s.value))
                        .unwrap_or_default(),
                );
            }
            writer.write_record(&record).map_err(corrupt)?;
        }
        writer
            .flush()
            .map_err(|e| DbError::Corrupt(format!("writing CSV: {e}")))?;
    }
    Ok(out)
}

/// The accounts matching the list's filters (`q`, `status`, `owner`, `tier`,
/// in its sort order; paging is ignored) as a CSV download.
#[utoipa::path(
    tag = "accounts",
    params(AccountQuery),
    responses(
        (status = 200, description = "CSV file (UTF-8 with BOM)", body = String, content_type = "text/csv"),
        (status = 400, description = "Bad query parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/accounts/export")]
pub async fn export_accounts(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<AccountQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let csv = blocking(&pool, move |conn| build_csv(conn, &query)).await?;
    let file = format!(
        "kizuna-accounts-{}.csv",
        chrono::Utc::now().date_naive().format("%Y-%m-%d")
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(csv))
}
