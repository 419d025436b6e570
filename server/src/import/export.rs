//! The CSV exports — accounts, a survey's answers, the audit log — all
//! written by [`CsvFile`]: files Excel opens correctly (UTF-8 with BOM),
//! safely (every cell through the formula guard), and, for accounts, that
//! import back unchanged (the columns are the accounts import's, plus the
//! tier, the health score and band, and the latest value of every signal;
//! the import removes the guard).

use kizuna_shared::api::{AccountQuery, AuditEntry, ImportKind, SurveyResponse};
use kizuna_shared::domain::{format_major, Currency, Tier};

use crate::csv_file::CsvFile;
use crate::db::{self, DbConn, DbError};

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

/// The accounts matching `query`'s filters in its order (paging ignored)
/// as a CSV file: UTF-8 with BOM, the accounts import's columns, the tier,
/// the health score and band of the latest snapshot, and the latest value
/// of every signal.
pub fn accounts_csv(conn: &mut DbConn, query: &AccountQuery) -> Result<Vec<u8>, DbError> {
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
    let scores = db::models::latest_scores(conn, &ids, chrono::Utc::now().date_naive())?;
    let mut header: Vec<&str> = ImportKind::Accounts
        .columns()
        .iter()
        .map(|(c, _)| *c)
        .collect();
    header.extend(["tier", "health_score", "health_band"]);
    header.extend(signal_keys.iter().map(String::as_str));
    let mut file = CsvFile::new(header)?;
    for (row, owner) in rows {
        let currency: Currency = row
            .currency
            .parse()
            .map_err(|e| DbError::Corrupt(format!("account {}: {e}", row.id)))?;
        let signals = latest.remove(&row.id).unwrap_or_default();
        let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        let mut record = vec![
            text(&row.external_id),
            row.name.clone(),
            text(&row.domain),
            text(&row.industry),
            text(&row.plan),
            format_major(row.mrr_minor, currency),
            currency.as_str().to_owned(),
            date(row.contract_start),
            date(row.renewal_date),
            text(&owner.map(|o| o.email)),
            row.status.clone(),
            date(row.churn_date),
            text(&row.churn_reason),
            flag(row.flag_well_known),
            flag(row.flag_feedback),
            flag(row.flag_influencer),
            row.expansion_potential.clone(),
            text(&row.champion_name),
            date(row.champion_changed_on),
            Tier::of(row.mrr_minor, currency).as_str().to_owned(),
        ];
        let (score, band) = scores.get(&row.id).copied().unwrap_or((None, None));
        record.push(score.map(number).unwrap_or_default());
        record.push(band.map(|b| b.as_str().to_owned()).unwrap_or_default());
        for key in &signal_keys {
            record.push(
                signals
                    .iter()
                    .find(|s| &s.key == key)
                    .map(|s| number(s.value))
                    .unwrap_or_default(),
            );
        }
        file.row(&record)?;
    }
    file.finish()
}

/// A survey's answers (newest first) as a CSV file.
pub fn responses_csv(responses: &[SurveyResponse]) -> Result<Vec<u8>, DbError> {
    let mut file = CsvFile::new([
        "answered_on",
        "account_id",
        "account",
        "tier",
        "owner",
        "contact",
        "kind",
        "score",
        "group",
        "channel",
        "entered_by",
        "comment",
        "recorded_at",
    ])?;
    for r in responses {
        file.row([
            r.answered_on.to_string(),
            r.account.id.to_string(),
            r.account.name.clone(),
            r.account.tier.as_str().to_owned(),
            r.owner
                .as_ref()
                .map(|o| o.email.clone())
                .unwrap_or_default(),
            r.contact
                .as_ref()
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            r.kind.as_str().to_owned(),
            r.score.to_string(),
            r.group.as_str().to_owned(),
            r.channel.as_str().to_owned(),
            r.entered_by
                .as_ref()
                .map(|u| u.email.clone())
                .unwrap_or_default(),
            r.comment.clone().unwrap_or_default(),
            r.recorded_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ])?;
    }
    file.finish()
}

/// Audit log entries as a CSV file.
pub fn audit_csv(entries: &[AuditEntry]) -> Result<Vec<u8>, DbError> {
    let mut file = CsvFile::new([
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
    ])?;
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
        file.row([
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
        ])?;
    }
    file.finish()
}
