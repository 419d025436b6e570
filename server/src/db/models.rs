//! Health models (`health_models`) and score snapshots (`health_scores`):
//! drafts, publishing with an optimistic version check, the daily snapshot.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use kizuna_shared::api::ProblemCode;
use kizuna_shared::api::{
    AuditKind, AuditTarget, ChangeKind, FieldError, HealthModelVersion, ModelStatus,
    NewHealthModel, PublishModel, PublishReport, ScorePoint, UpdateHealthModel,
};
use kizuna_shared::domain::AccountStatus;
use kizuna_shared::metrics::{Band, HealthModel, Scorer};

use super::audit::{self, Actor, Event};
use super::schema::{health_models, health_scores, signal_definitions};
use super::scoring::{self, Scope};
use super::{DbConn, DbError};

/// A `health_models` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = health_models)]
struct ModelRow {
    id: i64,
    name: String,
    status: String,
    version: i64,
    published_version: Option<i64>,
    based_on: Option<i64>,
    model: String,
    note: String,
    author_name: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    published_at: Option<NaiveDateTime>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t, Utc)
}

impl ModelRow {
    fn into_api(self, current: Option<i64>) -> Result<HealthModelVersion, DbError> {
        let model: HealthModel = serde_json::from_str(&self.model)
            .map_err(|e| DbError::Corrupt(format!("health model {}: {e}", self.id)))?;
        let status: ModelStatus = self
            .status
            .parse()
            .map_err(|e| DbError::Corrupt(format!("health model {}: {e}", self.id)))?;
        Ok(HealthModelVersion {
            id: self.id,
            name: self.name,
            status,
            version: self.version,
            published_version: self.published_version,
            based_on: self.based_on,
            current: current == Some(self.id),
            model,
            note: self.note,
            author: self.author_name,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
            published_at: self.published_at.map(utc),
        })
    }
}

/// Id of the published model that scores accounts now (the highest
/// published version).
fn current_id(conn: &mut DbConn) -> Result<Option<i64>, DbError> {
    Ok(health_models::table
        .filter(health_models::published_version.is_not_null())
        .order_by(health_models::published_version.desc())
        .select(health_models::id)
        .first::<i64>(conn)
        .optional()?)
}

/// The published model that scores accounts now.
pub fn published(conn: &mut DbConn) -> Result<Option<HealthModelVersion>, DbError> {
    match current_id(conn)? {
        Some(id) => get(conn, id).map(Some),
        None => Ok(None),
    }
}

/// One model.
pub fn get(conn: &mut DbConn, id: i64) -> Result<HealthModelVersion, DbError> {
    let current = current_id(conn)?;
    health_models::table
        .find(id)
        .select(ModelRow::as_select())
        .first::<ModelRow>(conn)?
        .into_api(current)
}

/// Every model: published versions newest first, then drafts by last edit.
pub fn list(conn: &mut DbConn) -> Result<Vec<HealthModelVersion>, DbError> {
    let current = current_id(conn)?;
    let mut rows = health_models::table
        .select(ModelRow::as_select())
        .load::<ModelRow>(conn)?;
    rows.sort_by(|a, b| {
        (
            b.published_version.is_some(),
            b.published_version,
            b.updated_at,
            b.id,
        )
            .cmp(&(
                a.published_version.is_some(),
                a.published_version,
                a.updated_at,
                a.id,
            ))
    });
    rows.into_iter().map(|r| r.into_api(current)).collect()
}

/// Checks a model with the shared rules, then that every signal it reads is
/// defined and not retired; a problem is a 400 on `model`.
pub fn check_model(conn: &mut DbConn, model: &HealthModel) -> Result<(), DbError> {
    let invalid = |message: String| {
        DbError::Invalid(vec![FieldError {
            field: "model".to_owned(),
            message,
        }])
    };
    model.validate().map_err(|e| invalid(e.to_string()))?;
    let defined: Vec<(String, bool)> = signal_definitions::table
        .select((
            signal_definitions::key,
            signal_definitions::retired_at.is_not_null(),
        ))
        .load(conn)?;
    for m in &model.measures {
        match defined.iter().find(|(k, _)| *k == m.signal) {
            None => return Err(invalid(format!("unknown signal `{}`", m.signal))),
            Some((_, true)) => return Err(invalid(format!("signal `{}` is retired", m.signal))),
            Some(_) => {}
        }
    }
    Ok(())
}

fn author_name(conn: &mut DbConn, actor: &Actor) -> Result<String, DbError> {
    use super::schema::users;
    Ok(match actor.user_id {
        Some(id) => users::table
            .find(id)
            .select(users::name)
            .first::<String>(conn)
            .optional()?
            .unwrap_or_default(),
        None => actor.label.clone().unwrap_or_default(),
    })
}

fn model_json(model: &HealthModel) -> Result<String, DbError> {
    serde_json::to_string(model).map_err(|e| DbError::Corrupt(format!("health model: {e}")))
}

/// Saves a new draft based on the published model.
pub fn create_draft(
    conn: &mut DbConn,
    input: &NewHealthModel,
    actor: &Actor,
) -> Result<HealthModelVersion, DbError> {
    super::write_tx(conn, |conn| {
        check_model(conn, &input.model)?;
        let now = Utc::now().naive_utc();
        let based_on = current_id(conn)?;
        let author = author_name(conn, actor)?;
        let id = diesel::insert_into(health_models::table)
            .values((
                health_models::name.eq(input.name.trim()),
                health_models::status.eq(ModelStatus::Draft.as_str()),
                health_models::version.eq(1),
                health_models::based_on.eq(based_on),
                health_models::model.eq(model_json(&input.model)?),
                health_models::note.eq(input.note.trim()),
                health_models::author_id.eq(actor.user_id),
                health_models::author_name.eq(author),
                health_models::created_at.eq(now),
                health_models::updated_at.eq(now),
            ))
            .returning(health_models::id)
            .get_result::<i64>(conn)?;
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::ModelDraftSaved,
                format!("Created the health model draft “{}”.", input.name.trim()),
            )
            .target(AuditTarget::HealthModel, Some(id), input.name.trim()),
        )?;
        get(conn, id)
    })
}

/// Why a draft cannot be changed: 404, already published, or a stale version.
fn refuse_change(conn: &mut DbConn, id: i64, version: i64) -> DbError {
    match get(conn, id) {
        Err(e) => e,
        Ok(m) if m.status == ModelStatus::Published => DbError::Conflict(ProblemCode::ModelImmutable, format!(
            "Model {id} is published as version {}; published versions do not change — save a new draft.",
            m.published_version.unwrap_or_default()
        )),
        Ok(m) => DbError::Conflict(ProblemCode::StaleVersion, format!(
            "The draft was changed by someone else (version {} now, you sent {version}); reload it.",
            m.version
        )),
    }
}

/// Replaces a draft at the version read (409 when stale or published).
pub fn update_draft(
    conn: &mut DbConn,
    id: i64,
    input: &UpdateHealthModel,
    actor: &Actor,
) -> Result<HealthModelVersion, DbError> {
    super::write_tx(conn, |conn| {
        check_model(conn, &input.model)?;
        let n = diesel::update(
            health_models::table
                .find(id)
                .filter(health_models::status.eq(ModelStatus::Draft.as_str()))
                .filter(health_models::version.eq(input.version)),
        )
        .set((
            health_models::name.eq(input.name.trim()),
            health_models::model.eq(model_json(&input.model)?),
            health_models::note.eq(input.note.trim()),
            health_models::version.eq(health_models::version + 1),
            health_models::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(refuse_change(conn, id, input.version));
        }
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::ModelDraftSaved,
                format!("Saved the health model draft “{}”.", input.name.trim()),
            )
            .target(AuditTarget::HealthModel, Some(id), input.name.trim()),
        )?;
        get(conn, id)
    })
}

/// Publishes a draft as the next version and writes the day's snapshot of
/// every account, all in one transaction (the scores are computed just
/// before it, see below). 409 when the draft's version is
/// stale, it is published already, or another version was published since
/// the draft started (nothing is overwritten).
pub fn publish(
    conn: &mut DbConn,
    id: i64,
    input: &PublishModel,
    actor: &Actor,
    today: NaiveDate,
) -> Result<PublishReport, DbError> {
    // Scored before the write transaction: reading 100,000 accounts'
    // signals takes seconds, and holding SQLite's write lock that long
    // would time out other writers (sign-ins included). The transaction
    // checks the draft's version again, so these are the scores of the
    // model it publishes.
    let read = get(conn, id)?;
    if read.status == ModelStatus::Published || read.version != input.version {
        return Err(refuse_change(conn, id, input.version));
    }
    let snap = compute_snapshot(conn, &read.model, today)?;
    super::write_tx(conn, |conn| {
        let draft = get(conn, id)?;
        if draft.status == ModelStatus::Published || draft.version != input.version {
            return Err(refuse_change(conn, id, input.version));
        }
        let current = published(conn)?;
        if let Some(c) = &current {
            if draft.based_on != Some(c.id) {
                return Err(DbError::Conflict(ProblemCode::ModelPublished, format!(
                    "Version {} was published by {} after this draft was started; reload to see it before publishing.",
                    c.published_version.unwrap_or_default(),
                    c.author
                )));
            }
        }
        check_model(conn, &draft.model)?;
        let next = current
            .as_ref()
            .and_then(|c| c.published_version)
            .unwrap_or(0)
            + 1;
        let note = if input.note.trim().is_empty() {
            draft.note.clone()
        } else {
            input.note.trim().to_owned()
        };
        let now = Utc::now().naive_utc();
        let n = diesel::update(
            health_models::table
                .find(id)
                .filter(health_models::version.eq(input.version))
                .filter(health_models::status.eq(ModelStatus::Draft.as_str())),
        )
        .set((
            health_models::status.eq(ModelStatus::Published.as_str()),
            health_models::published_version.eq(next),
            health_models::note.eq(&note),
            health_models::version.eq(health_models::version + 1),
            health_models::updated_at.eq(now),
            health_models::published_at.eq(now),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(refuse_change(conn, id, input.version));
        }
        let (accounts, scored) = write_snapshot(conn, id, today, &snap)?;
        // Live pages (accounts list, dashboards, other workbenches) learn of
        // the new scores when this commits.
        super::events::record(conn, ChangeKind::ModelPublish, None)?;
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::ModelPublished,
                format!(
                    "Published “{}” as health model version {next} ({accounts} accounts scored on {today}).",
                    draft.name
                ),
            )
            .target(AuditTarget::HealthModel, Some(id), draft.name.clone()),
        )?;
        Ok(PublishReport {
            model: get(conn, id)?,
            scored_on: today,
            accounts,
            scored,
        })
    })
}

/// Rows per snapshot `INSERT` (5 columns × 5,000 rows stays below SQLite's
/// bound-variable limit).
const SNAPSHOT_BATCH: usize = 5_000;

/// Every account's score and band under a model on a date.
pub struct Snapshot {
    ids: Vec<i64>,
    scores: Vec<f64>,
    bands: Vec<Option<Band>>,
}

/// Scores with `model` every account not churned on or before `date`
/// (reads only): an account that had already left gets no row, so it has
/// no current band and the health KPIs never see a band for it after its
/// churn; its earlier rows stay as its trend.
fn compute_snapshot(
    conn: &mut DbConn,
    model: &HealthModel,
    date: NaiveDate,
) -> Result<Snapshot, DbError> {
    let scorer = Scorer::new(model).map_err(|e| DbError::Corrupt(format!("stored model: {e}")))?;
    let members = scoring::population(conn, Scope::NotChurnedOn(date), date, None)?;
    let lags: Vec<u32> = {
        let mut l: Vec<u32> = scorer.trends().flatten().map(|t| t.days).collect();
        l.sort_unstable();
        l.dedup();
        l
    };
    let table = scoring::table_on(conn, &members, date, &lags)?;
    let (scores, bands) = scorer.score(&table);
    Ok(Snapshot {
        ids: members.iter().map(|m| m.id).collect(),
        scores,
        bands,
    })
}

/// Replaces `date`'s snapshot with `snap` (scored by model `model_id`);
/// returns (accounts, accounts with a score). Call inside a write
/// transaction. Accounts deleted since the scoring are left out.
fn write_snapshot(
    conn: &mut DbConn,
    model_id: i64,
    date: NaiveDate,
    snap: &Snapshot,
) -> Result<(u64, u64), DbError> {
    use super::schema::accounts;
    diesel::delete(health_scores::table.filter(health_scores::scored_on.eq(date))).execute(conn)?;
    let existing: std::collections::HashSet<i64> = accounts::table
        .select(accounts::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let mut scored = 0u64;
    let rows: Vec<_> = snap
        .ids
        .iter()
        .zip(snap.scores.iter().zip(&snap.bands))
        .filter(|(id, _)| existing.contains(id))
        .map(|(&id, (&s, b))| {
            let score = (!s.is_nan()).then_some(s);
            scored += u64::from(score.is_some());
            (
                health_scores::account_id.eq(id),
                health_scores::scored_on.eq(date),
                health_scores::model_id.eq(model_id),
                health_scores::score.eq(score),
                health_scores::band.eq(b.map(Band::as_str)),
            )
        })
        .collect();
    for chunk in rows.chunks(SNAPSHOT_BATCH) {
        per_backend!(conn, |c| diesel::insert_into(health_scores::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok((rows.len() as u64, scored))
}

/// Writes `date`'s snapshot with the published model unless one exists
/// (the daily snapshot; run at start and then once a day). Returns whether
/// it wrote one.
pub fn snapshot_if_missing(conn: &mut DbConn, date: NaiveDate) -> Result<bool, DbError> {
    let done = |conn: &mut DbConn| -> Result<bool, DbError> {
        Ok(health_scores::table
            .filter(health_scores::scored_on.eq(date))
            .count()
            .get_result::<i64>(conn)?
            > 0)
    };
    if done(conn)? {
        return Ok(false);
    }
    let Some(current) = published(conn)? else {
        return Ok(false);
    };
    // Scored outside the write transaction (see `publish`); written only
    // if nobody wrote the day meanwhile and the model is still current.
    let snap = compute_snapshot(conn, &current.model, date)?;
    super::write_tx(conn, |conn| {
        if done(conn)? || current_id(conn)? != Some(current.id) {
            return Ok(false);
        }
        write_snapshot(conn, current.id, date, &snap)?;
        // The day's bands move the dashboards' health KPIs like a publish.
        super::events::record(conn, ChangeKind::ModelPublish, None)?;
        Ok(true)
    })
}

/// An account's snapshots, oldest first.
pub fn trend(conn: &mut DbConn, account_id: i64) -> Result<Vec<ScorePoint>, DbError> {
    let rows = health_scores::table
        .inner_join(health_models::table)
        .filter(health_scores::account_id.eq(account_id))
        .order_by(health_scores::scored_on)
        .select((
            health_scores::scored_on,
            health_scores::score,
            health_scores::band,
            health_models::published_version,
        ))
        .load::<(NaiveDate, Option<f64>, Option<String>, Option<i64>)>(conn)?;
    Ok(rows
        .into_iter()
        .map(|(scored_on, score, band, model_version)| ScorePoint {
            scored_on,
            score,
            band: band.as_deref().and_then(parse_band),
            model_version,
        })
        .collect())
}

/// A band's stored name.
pub fn parse_band(s: &str) -> Option<Band> {
    Band::ALL.into_iter().find(|b| b.as_str() == s)
}

/// An account's score and band in a snapshot (`None`: no data).
pub type StoredScore = (Option<f64>, Option<Band>);

/// The score and band of each of `account_ids` in the latest snapshot: the
/// current score (accounts without a row are absent). An account churned
/// on or before `today` has no current score even when the latest snapshot
/// was written before its churn (`db::accounts` sorts and filters by the
/// same rule).
pub fn latest_scores(
    conn: &mut DbConn,
    account_ids: &[i64],
    today: NaiveDate,
) -> Result<std::collections::HashMap<i64, StoredScore>, DbError> {
    use super::schema::accounts;
    let mut out = std::collections::HashMap::new();
    let latest: Option<NaiveDate> = health_scores::table
        .select(diesel::dsl::max(health_scores::scored_on))
        .first(conn)?;
    let Some(latest) = latest else {
        return Ok(out);
    };
    for chunk in account_ids.chunks(2_000) {
        let rows = health_scores::table
            .inner_join(accounts::table)
            .filter(health_scores::scored_on.eq(latest))
            .filter(health_scores::account_id.eq_any(chunk))
            .filter(
                accounts::churn_date
                    .is_null()
                    .or(accounts::churn_date.gt(today)),
            )
            .filter(
                accounts::status
                    .ne(AccountStatus::Churned.as_str())
                    .or(accounts::churn_date.is_not_null()),
            )
            .select((
                health_scores::account_id,
                health_scores::score,
                health_scores::band,
            ))
            .load::<(i64, Option<f64>, Option<String>)>(conn)?;
        for (id, score, band) in rows {
            out.insert(id, (score, band.as_deref().and_then(parse_band)));
        }
    }
    Ok(out)
}
