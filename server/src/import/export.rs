//! The CSV export of accounts: a file Excel opens correctly (UTF-8 with BOM),
//! safely (text people typed that a spreadsheet would run as a formula is
//! guarded, see `cells::neutralize_formula`), and that imports back
//! unchanged (the columns are the accounts import's, plus the tier and the
//! latest value of every signal; the import removes the guard).

use kizuna_shared::api::{AccountQuery, ImportKind};
use kizuna_shared::cells::neutralize_formula;
use kizuna_shared::domain::{format_major, Currency, Tier};

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
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let corrupt = |e: csv::Error| DbError::Corrupt(format!("writing CSV: {e}"));
        let mut header: Vec<&str> = ImportKind::Accounts
            .columns()
            .iter()
            .map(|(c, _)| *c)
            .collect();
        header.extend(["tier", "health_score", "health_band"]);
        header.extend(signal_keys.iter().map(String::as_str));
        writer
            .write_record(header.iter().map(|h| neutralize_formula(h).into_owned()))
            .map_err(corrupt)?;
        for (row, owner) in rows {
            let currency: Currency = row
                .currency
                .parse()
                .map_err(|e| DbError::Corrupt(format!("account {}: {e}", row.id)))?;
            let signals = latest.remove(&row.id).unwrap_or_default();
            let flag = |b: bool| if b { "true" } else { "false" }.to_owned();
            // Text people typed is guarded against formula injection;
            // numbers, dates and names of our enums are written by Kizuna.
            let text = |t: &Option<String>| {
                neutralize_formula(t.as_deref().unwrap_or_default()).into_owned()
            };
            let mut record = vec![
                text(&row.external_id),
                neutralize_formula(&row.name).into_owned(),
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
            writer.write_record(&record).map_err(corrupt)?;
        }
        writer
            .flush()
            .map_err(|e| DbError::Corrupt(format!("writing CSV: {e}")))?;
    }
    Ok(out)
}
