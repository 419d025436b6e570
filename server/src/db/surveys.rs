//! Queries on `surveys`, `survey_links` and `survey_responses`: survey
//! settings, answers recorded by CSMs (channel `call`) or given through a
//! personal link (channel `link`), the filtered answer list, its summary and
//! CSV export, issuing and revoking links, and the public answer flow.
//!
//! **Single use.** A link's token is stored only as its SHA-256. Answering
//! sets `used_at` with `UPDATE … WHERE used_at IS NULL AND revoked_at IS NULL
//! AND expires_at > now` inside the write transaction that inserts the
//! answer; when that changes no row the answer is refused, so two
//! concurrent submissions of one link store exactly one answer (and
//! `survey_responses.link_id` is unique besides).

use std::collections::BTreeMap;

use base64::Engine;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use kizuna_shared::api::ProblemCode;
use kizuna_shared::api::{
    ChannelStats, FieldError, IssueLinks, IssuedLink, LinkQuery, MonthStats, Page, PublicAnswer,
    PublicSurvey, RecordAnswer, ResponseQuery, ScoreStats, Survey, SurveyInput, SurveyLink,
    SurveyQuery, SurveyResponse, SurveyState, SurveySummary, Texts, TierStats, UpdateSurvey,
    DEFAULT_LINK_DAYS,
};
use kizuna_shared::domain::{
    can_work_account, AnswerChannel, Language, LinkStatus, ScoreGroup, SurveyKind, Tier, UserId,
};
use kizuna_shared::metrics::Month;
use rand::TryRngCore;
use sha2::{Digest, Sha256};

use super::audit::{self, Actor, Event};
use super::events;
use super::schema::{accounts, survey_links, survey_responses, surveys};
use super::tasks::{self, FollowUp};
use super::{refs, write_tx, DbBackend, DbConn, DbError};
use kizuna_shared::api::{AuditKind, AuditTarget, ChangeKind};

fn invalid(field: &str, message: impl Into<String>) -> DbError {
    DbError::Invalid(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

fn total(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

// ---------------------------------------------------------------- surveys

/// A survey row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = surveys)]
pub struct SurveyRow {
    /// Survey id.
    pub id: i64,
    kind: String,
    /// Name staff see.
    pub name: String,
    question_en: Option<String>,
    question_ja: Option<String>,
    follow_up_en: Option<String>,
    follow_up_ja: Option<String>,
    /// First day answers are taken.
    pub opens_on: Option<NaiveDate>,
    /// Last day answers are taken.
    pub closes_on: Option<NaiveDate>,
    /// Archived.
    pub archived: bool,
    created_by: Option<i64>,
    version: i64,
    created_at: NaiveDateTime,
}

impl SurveyRow {
    /// NPS or CSAT.
    pub fn kind(&self) -> Result<SurveyKind, DbError> {
        self.kind
            .parse()
            .map_err(|e| DbError::Corrupt(format!("survey {}: {e}", self.id)))
    }

    /// The question texts.
    pub fn question(&self) -> Texts {
        Texts {
            en: self.question_en.clone(),
            ja: self.question_ja.clone(),
        }
    }

    /// The follow-up texts.
    pub fn follow_up(&self) -> Texts {
        Texts {
            en: self.follow_up_en.clone(),
            ja: self.follow_up_ja.clone(),
        }
    }

    /// Where the survey stands on `today`.
    pub fn state(&self, today: NaiveDate) -> SurveyState {
        SurveyState::on(today, self.opens_on, self.closes_on, self.archived)
    }

    /// Whether an answer dated `day` falls inside the survey's dates.
    fn takes_answers_on(&self, day: NaiveDate) -> bool {
        !self.archived
            && self.opens_on.is_none_or(|o| day >= o)
            && self.closes_on.is_none_or(|c| day <= c)
    }
}

#[derive(Debug, AsChangeset, Insertable)]
#[diesel(table_name = surveys, treat_none_as_null = true)]
struct SurveyChanges {
    kind: String,
    name: String,
    question_en: Option<String>,
    question_ja: Option<String>,
    follow_up_en: Option<String>,
    follow_up_ja: Option<String>,
    opens_on: Option<NaiveDate>,
    closes_on: Option<NaiveDate>,
}

impl SurveyChanges {
    fn from_input(input: &SurveyInput) -> Self {
        let question = input.question.trimmed();
        let follow_up = input.follow_up.trimmed();
        SurveyChanges {
            kind: input.kind.as_str().to_owned(),
            name: input.name.trim().to_owned(),
            question_en: question.en,
            question_ja: question.ja,
            follow_up_en: follow_up.en,
            follow_up_ja: follow_up.ja,
            opens_on: input.opens_on,
            closes_on: input.closes_on,
        }
    }
}

/// Finds survey `id` (not found when it does not exist).
pub fn find_row(conn: &mut DbConn, id: i64) -> Result<SurveyRow, DbError> {
    Ok(surveys::table
        .find(id)
        .select(SurveyRow::as_select())
        .first(conn)?)
}

fn to_surveys(
    conn: &mut DbConn,
    rows: Vec<SurveyRow>,
    now: NaiveDateTime,
) -> Result<Vec<Survey>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let responses: BTreeMap<i64, i64> = survey_responses::table
        .filter(survey_responses::survey_id.eq_any(&ids))
        .group_by(survey_responses::survey_id)
        .select((survey_responses::survey_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let open_links: BTreeMap<i64, i64> = survey_links::table
        .filter(survey_links::survey_id.eq_any(&ids))
        .filter(survey_links::used_at.is_null())
        .filter(survey_links::revoked_at.is_null())
        .filter(survey_links::expires_at.gt(now))
        .group_by(survey_links::survey_id)
        .select((survey_links::survey_id, diesel::dsl::count_star()))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .collect();
    let users = refs::users(conn, rows.iter().filter_map(|r| r.created_by))?;
    let today = now.date();
    rows.into_iter()
        .map(|r| {
            Ok(Survey {
                id: r.id,
                kind: r.kind()?,
                name: r.name.clone(),
                question: r.question(),
                follow_up: r.follow_up(),
                opens_on: r.opens_on,
                closes_on: r.closes_on,
                archived: r.archived,
                state: r.state(today),
                responses: total(responses.get(&r.id).copied().unwrap_or(0)),
                open_links: total(open_links.get(&r.id).copied().unwrap_or(0)),
                created_by: r.created_by.and_then(|id| users.get(&id)).cloned(),
                created_at: r.created_at.and_utc(),
                version: r.version,
            })
        })
        .collect()
}

/// One page of surveys, newest first.
pub fn list(
    conn: &mut DbConn,
    q: &SurveyQuery,
    now: NaiveDateTime,
) -> Result<Page<Survey>, DbError> {
    let paging = super::paging::Paging::new(q.page, q.per_page);
    let filtered = || {
        let mut query = surveys::table.into_boxed::<DbBackend>();
        if !q.archived.unwrap_or(false) {
            query = query.filter(surveys::archived.eq(false));
        }
        if let Some(kind) = q.kind {
            query = query.filter(surveys::kind.eq(kind.as_str()));
        }
        query
    };
    let count: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order_by((surveys::created_at.desc(), surveys::id.desc()))
        .limit(paging.limit())
        .offset(paging.offset())
        .select(SurveyRow::as_select())
        .load(conn)?;
    Ok(paging.envelope(to_surveys(conn, rows, now)?, count))
}

/// Survey `id` with its counts.
pub fn get(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> Result<Survey, DbError> {
    let row = find_row(conn, id)?;
    to_surveys(conn, vec![row], now)?
        .pop()
        .ok_or(DbError::NotFound)
}

/// Creates a survey.
pub fn create(
    conn: &mut DbConn,
    input: &SurveyInput,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Survey, DbError> {
    let id = write_tx(conn, |conn| {
        let changes = SurveyChanges::from_input(input);
        let id = diesel::insert_into(surveys::table)
            .values((
                &changes,
                surveys::created_by.eq(actor.user_id),
                surveys::created_at.eq(now),
                surveys::updated_at.eq(now),
            ))
            .returning(surveys::id)
            .get_result::<i64>(conn)?;
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::SurveyCreated,
                format!(
                    "Created the {} survey “{}”.",
                    input.kind.as_str().to_uppercase(),
                    changes.name
                ),
            )
            .target(AuditTarget::Survey, Some(id), &changes.name),
        )?;
        Ok::<_, DbError>(id)
    })?;
    get(conn, id, now)
}

/// Changes survey `id` if it is still at `update.version`. Its kind cannot
/// change once it has answers (their scores would mean something else).
pub fn update(
    conn: &mut DbConn,
    id: i64,
    update: &UpdateSurvey,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Survey, DbError> {
    write_tx(conn, |conn| {
        let current = find_row(conn, id)?;
        if current.version != update.version {
            return Err(DbError::Conflict(ProblemCode::StaleVersion, format!(
                "The survey was changed by someone else (your version {}, now {}); reload it and apply your change again.",
                update.version, current.version
            )));
        }
        if current.kind()? != update.survey.kind {
            let answers: i64 = survey_responses::table
                .filter(survey_responses::survey_id.eq(id))
                .count()
                .get_result(conn)?;
            if answers > 0 {
                return Err(invalid(
                    "survey.kind",
                    format!("cannot change: the survey has {answers} answers"),
                ));
            }
        }
        let changed = diesel::update(
            surveys::table
                .filter(surveys::id.eq(id))
                .filter(surveys::version.eq(update.version)),
        )
        .set((
            SurveyChanges::from_input(&update.survey),
            surveys::archived.eq(update.archived),
            surveys::version.eq(surveys::version + 1),
            surveys::updated_at.eq(now),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(DbError::Conflict(
                ProblemCode::StaleVersion,
                "The survey was changed by someone else; reload it and apply your change again."
                    .into(),
            ));
        }
        let name = update.survey.name.trim();
        let (old_q, new_q) = (current.question(), update.survey.question.trimmed());
        let changes = [
            audit::change(
                "kind",
                Some(&current.kind),
                Some(&update.survey.kind.as_str().to_owned()),
            ),
            audit::change("name", Some(&current.name.as_str()), Some(&name)),
            audit::change("question_en", old_q.en.as_ref(), new_q.en.as_ref()),
            audit::change("question_ja", old_q.ja.as_ref(), new_q.ja.as_ref()),
            audit::change(
                "opens_on",
                current.opens_on.as_ref(),
                update.survey.opens_on.as_ref(),
            ),
            audit::change(
                "closes_on",
                current.closes_on.as_ref(),
                update.survey.closes_on.as_ref(),
            ),
            audit::change("archived", Some(&current.archived), Some(&update.archived)),
        ];
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::SurveyChanged,
                format!("Changed the survey “{name}”."),
            )
            .target(AuditTarget::Survey, Some(id), name)
            .changes(changes.into_iter().flatten().collect()),
        )?;
        Ok(())
    })?;
    get(conn, id, now)
}

// -------------------------------------------------------------- responses

#[derive(Debug, Insertable)]
#[diesel(table_name = survey_responses)]
struct NewResponse {
    survey_id: i64,
    account_id: i64,
    contact_id: Option<i64>,
    link_id: Option<i64>,
    channel: String,
    entered_by: Option<i64>,
    score: i32,
    comment: Option<String>,
    answered_on: NaiveDate,
    created_at: NaiveDateTime,
}

/// Inserts an answer and, when it is negative (NPS 0–6, CSAT 1–2), the
/// follow-up task for the account's owner, and records the change event
/// that moves the KPI data version and wakes live dashboards; returns the
/// answer's id. Call inside the answer's write transaction.
fn insert_answer(
    conn: &mut DbConn,
    survey: &SurveyRow,
    kind: SurveyKind,
    row: &NewResponse,
    owner_id: Option<i64>,
) -> Result<i64, DbError> {
    let id: i64 = diesel::insert_into(survey_responses::table)
        .values(row)
        .returning(survey_responses::id)
        .get_result(conn)?;
    let score = u8::try_from(row.score).unwrap_or_default();
    if ScoreGroup::of(kind, score) == Some(ScoreGroup::Negative) {
        tasks::create_follow_up(
            conn,
            &FollowUp {
                response_id: id,
                account_id: row.account_id,
                owner_id,
                kind,
                score,
                survey_name: &survey.name,
                comment: row.comment.as_deref(),
            },
            row.created_at,
        )?;
    }
    events::record(conn, ChangeKind::SurveyAnswer, Some(row.account_id))?;
    Ok(id)
}

/// Records an answer heard on a call (channel `call`, `entered_by` the
/// CSM). The caller has checked the CSM may act for the account.
pub fn record_call(
    conn: &mut DbConn,
    survey_id: i64,
    input: &RecordAnswer,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<SurveyResponse, DbError> {
    let id = write_tx(conn, |conn| {
        let survey = find_row(conn, survey_id)?;
        let kind = survey.kind()?;
        let answered_on = input.answered_on.unwrap_or(now.date());
        let mut errors = Vec::new();
        let mut error = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        if !kind.accepts(input.score) {
            let (min, max) = kind.score_range();
            error(
                "score",
                format!(
                    "must be {min}–{max} for a {} survey",
                    kind.as_str().to_uppercase()
                ),
            );
        }
        if answered_on > super::sheets::latest_today(now.date()) {
            error("answered_on", "must not be in the future".into());
        } else if !survey.takes_answers_on(answered_on) {
            error(
                "answered_on",
                "the survey is archived or does not take answers on this day".into(),
            );
        }
        let account = refs::accounts(conn, [input.account_id])?.remove(&input.account_id);
        match &account {
            None => error(
                "account_id",
                format!("there is no account {}", input.account_id),
            ),
            // Only an existing account can be someone else's.
            Some(a) => {
                super::authorize(actor, |who| can_work_account(who, a.owner_id.map(UserId)))?
            }
        }
        if let Some(contact_id) = input.contact_id {
            let contact = refs::contacts(conn, [contact_id])?.remove(&contact_id);
            if contact.is_none_or(|(_, account)| account != input.account_id) {
                error(
                    "contact_id",
                    format!("the account has no contact {contact_id}"),
                );
            }
        }
        if !errors.is_empty() {
            return Err(DbError::Invalid(errors));
        }
        let Some(account) = account else {
            return Err(DbError::NotFound);
        };
        let id = insert_answer(
            conn,
            &survey,
            kind,
            &NewResponse {
                survey_id,
                account_id: input.account_id,
                contact_id: input.contact_id,
                link_id: None,
                channel: AnswerChannel::Call.as_str().to_owned(),
                entered_by: actor.user_id,
                score: i32::from(input.score),
                comment: clean(input.comment.as_deref()),
                answered_on,
                created_at: now,
            },
            account.owner_id,
        )?;
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::SurveyAnswerRecorded,
                format!(
                    "Recorded {} {} heard on a call for “{}” (survey “{}”).",
                    kind.as_str().to_uppercase(),
                    input.score,
                    account.account.name,
                    survey.name
                ),
            )
            .target(
                AuditTarget::Account,
                Some(input.account_id),
                &account.account.name,
            ),
        )?;
        Ok(id)
    })?;
    let row = survey_responses::table
        .find(id)
        .select(ResponseRow::as_select())
        .first(conn)?;
    to_responses(conn, vec![row])?
        .pop()
        .ok_or(DbError::NotFound)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = survey_responses)]
struct ResponseRow {
    id: i64,
    survey_id: i64,
    account_id: i64,
    contact_id: Option<i64>,
    channel: String,
    entered_by: Option<i64>,
    score: i32,
    comment: Option<String>,
    answered_on: NaiveDate,
    created_at: NaiveDateTime,
}

fn to_responses(conn: &mut DbConn, rows: Vec<ResponseRow>) -> Result<Vec<SurveyResponse>, DbError> {
    let kinds: BTreeMap<i64, String> = surveys::table
        .filter(surveys::id.eq_any(rows.iter().map(|r| r.survey_id).collect::<Vec<_>>()))
        .select((surveys::id, surveys::kind))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let accounts = refs::accounts(conn, rows.iter().map(|r| r.account_id))?;
    let contacts = refs::contacts(conn, rows.iter().filter_map(|r| r.contact_id))?;
    let users = refs::users(
        conn,
        rows.iter()
            .filter_map(|r| r.entered_by)
            .chain(accounts.values().filter_map(|a| a.owner_id)),
    )?;
    let tasks = tasks::for_responses(conn, &rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
    rows.into_iter()
        .map(|r| {
            let corrupt = |what: &str| DbError::Corrupt(format!("response {}: {what}", r.id));
            let kind: SurveyKind = kinds
                .get(&r.survey_id)
                .and_then(|k| k.parse().ok())
                .ok_or_else(|| corrupt("survey kind"))?;
            let score = u8::try_from(r.score).map_err(|_| corrupt("score"))?;
            let account = accounts
                .get(&r.account_id)
                .ok_or_else(|| corrupt("account"))?;
            Ok(SurveyResponse {
                id: r.id,
                survey_id: r.survey_id,
                kind,
                score,
                group: ScoreGroup::of(kind, score).ok_or_else(|| corrupt("score range"))?,
                comment: r.comment,
                channel: r.channel.parse().map_err(|_| corrupt("channel"))?,
                account: account.account.clone(),
                owner: account.owner_id.and_then(|id| users.get(&id)).cloned(),
                contact: r
                    .contact_id
                    .and_then(|id| contacts.get(&id))
                    .map(|(c, _)| c.clone()),
                entered_by: r.entered_by.and_then(|id| users.get(&id)).cloned(),
                answered_on: r.answered_on,
                recorded_at: r.created_at.and_utc(),
                task_id: tasks.get(&r.id).copied(),
            })
        })
        .collect()
}

/// The answers of survey `survey_id` (of `kind`) matching `q`'s filters, as
/// a boxed query. A macro because the count, the page and the summary
/// select differently typed columns from the same filters.
macro_rules! filtered_responses {
    ($survey_id:expr, $kind:expr, $q:expr) => {{
        let q: &ResponseQuery = $q;
        let kind: SurveyKind = $kind;
        let mut query = survey_responses::table
            .filter(survey_responses::survey_id.eq($survey_id))
            .into_boxed::<DbBackend>();
        if let Some(from) = q.from {
            query = query.filter(survey_responses::answered_on.ge(from));
        }
        if let Some(to) = q.to {
            query = query.filter(survey_responses::answered_on.le(to));
        }
        if let Some(group) = q.group {
            let (min, max) = group.range(kind);
            query = query.filter(
                survey_responses::score
                    .ge(i32::from(min))
                    .and(survey_responses::score.le(i32::from(max))),
            );
        }
        if let Some(channel) = q.channel {
            query = query.filter(survey_responses::channel.eq(channel.as_str()));
        }
        if let Some(account) = q.account {
            query = query.filter(survey_responses::account_id.eq(account));
        }
        if let Some(owner) = q.owner {
            query = query.filter(
                survey_responses::account_id.eq_any(
                    accounts::table
                        .filter(accounts::owner_id.eq(owner))
                        .select(accounts::id),
                ),
            );
        }
        if let Some(tier) = q.tier {
            query = query.filter(
                survey_responses::account_id.eq_any(
                    accounts::table
                        .filter(refs::tier_condition!(tier))
                        .select(accounts::id),
                ),
            );
        }
        query
    }};
}

/// One page of survey `survey_id`'s answers matching `q`, newest first.
pub fn list_responses(
    conn: &mut DbConn,
    survey_id: i64,
    q: &ResponseQuery,
) -> Result<Page<SurveyResponse>, DbError> {
    let kind = find_row(conn, survey_id)?.kind()?;
    let paging = super::paging::Paging::new(q.page, q.per_page);
    let count: i64 = filtered_responses!(survey_id, kind, q)
        .count()
        .get_result(conn)?;
    let rows = filtered_responses!(survey_id, kind, q)
        .order_by((
            survey_responses::answered_on.desc(),
            survey_responses::id.desc(),
        ))
        .limit(paging.limit())
        .offset(paging.offset())
        .select(ResponseRow::as_select())
        .load(conn)?;
    Ok(paging.envelope(to_responses(conn, rows)?, count))
}

/// NPS or CSAT of survey `survey_id`'s answers matching `q` (paging
/// ignored), overall and per month, tier and channel, computed by
/// `kizuna_shared::metrics` through [`ScoreStats::of`].
pub fn summary(
    conn: &mut DbConn,
    survey_id: i64,
    q: &ResponseQuery,
) -> Result<SurveySummary, DbError> {
    let kind = find_row(conn, survey_id)?.kind()?;
    let rows: Vec<(i32, NaiveDate, String, i64)> = filtered_responses!(survey_id, kind, q)
        .select((
            survey_responses::score,
            survey_responses::answered_on,
            survey_responses::channel,
            survey_responses::account_id,
        ))
        .load(conn)?;
    let tiers: BTreeMap<i64, Tier> = refs::accounts(conn, rows.iter().map(|r| r.3))?
        .into_iter()
        .map(|(id, a)| (id, a.account.tier))
        .collect();
    let score = |s: i32| u8::try_from(s).unwrap_or(u8::MAX);
    let mut by_month: BTreeMap<Month, Vec<u8>> = BTreeMap::new();
    let mut by_tier: BTreeMap<Tier, Vec<u8>> = BTreeMap::new();
    let mut by_channel: BTreeMap<AnswerChannel, Vec<u8>> = BTreeMap::new();
    for (s, on, channel, account) in &rows {
        by_month.entry(Month::of(*on)).or_default().push(score(*s));
        if let Some(tier) = tiers.get(account) {
            by_tier.entry(*tier).or_default().push(score(*s));
        }
        if let Ok(channel) = channel.parse::<AnswerChannel>() {
            by_channel.entry(channel).or_default().push(score(*s));
        }
    }
    Ok(SurveySummary {
        kind,
        overall: ScoreStats::of(kind, rows.iter().map(|r| score(r.0))),
        by_month: by_month
            .into_iter()
            .map(|(month, s)| MonthStats {
                month,
                stats: ScoreStats::of(kind, s),
            })
            .collect(),
        by_tier: by_tier
            .into_iter()
            .map(|(tier, s)| TierStats {
                tier,
                stats: ScoreStats::of(kind, s),
            })
            .collect(),
        by_channel: by_channel
            .into_iter()
            .map(|(channel, s)| ChannelStats {
                channel,
                stats: ScoreStats::of(kind, s),
            })
            .collect(),
    })
}

/// Survey `survey_id`'s answers matching `q` (paging ignored, newest
/// first) for a CSV export, which is audited here
/// (`survey_answers_exported`); the file is written by
/// `import::export::responses_csv`.
pub fn export_responses(
    conn: &mut DbConn,
    survey_id: i64,
    q: &ResponseQuery,
    actor: &Actor,
) -> Result<Vec<SurveyResponse>, DbError> {
    let survey = find_row(conn, survey_id)?;
    let kind = survey.kind()?;
    let rows = filtered_responses!(survey_id, kind, q)
        .order_by((
            survey_responses::answered_on.desc(),
            survey_responses::id.desc(),
        ))
        .select(ResponseRow::as_select())
        .load(conn)?;
    let mut responses = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(1_000) {
        responses.extend(to_responses(conn, chunk.to_vec())?);
    }
    audit::record(
        conn,
        actor,
        Event::new(
            AuditKind::SurveyAnswersExported,
            format!(
                "Exported {} answer(s) of the survey “{}” as CSV.",
                rows.len(),
                survey.name
            ),
        )
        .target(AuditTarget::Survey, Some(survey_id), &survey.name),
    )?;
    Ok(responses)
}

// ------------------------------------------------------------------ links

/// A new token: 256 bits from the operating system's CSPRNG, URL-safe
/// base64 without padding (43 characters).
pub fn new_token() -> Result<String, DbError> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| DbError::Corrupt(format!("the OS random source failed: {e}")))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token: its SHA-256 in hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Insertable)]
#[diesel(table_name = survey_links)]
struct NewLink {
    survey_id: i64,
    account_id: i64,
    contact_id: Option<i64>,
    token_hash: String,
    language: String,
    expires_at: NaiveDateTime,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = survey_links)]
struct LinkRow {
    id: i64,
    survey_id: i64,
    account_id: i64,
    contact_id: Option<i64>,
    language: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
}

fn link_status(
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> LinkStatus {
    if used_at.is_some() {
        LinkStatus::Answered
    } else if revoked_at.is_some() {
        LinkStatus::Revoked
    } else if expires_at <= now {
        LinkStatus::Expired
    } else {
        LinkStatus::Open
    }
}

fn to_links(
    conn: &mut DbConn,
    rows: Vec<LinkRow>,
    now: NaiveDateTime,
) -> Result<Vec<SurveyLink>, DbError> {
    let accounts = refs::accounts(conn, rows.iter().map(|r| r.account_id))?;
    let contacts = refs::contacts(conn, rows.iter().filter_map(|r| r.contact_id))?;
    let users = refs::users(conn, rows.iter().filter_map(|r| r.created_by))?;
    rows.into_iter()
        .map(|r| {
            let corrupt = |what: &str| DbError::Corrupt(format!("link {}: {what}", r.id));
            Ok(SurveyLink {
                id: r.id,
                survey_id: r.survey_id,
                account: accounts
                    .get(&r.account_id)
                    .ok_or_else(|| corrupt("account"))?
                    .account
                    .clone(),
                contact: r
                    .contact_id
                    .and_then(|id| contacts.get(&id))
                    .map(|(c, _)| c.clone()),
                language: r.language.parse().map_err(|_| corrupt("language"))?,
                status: link_status(r.used_at, r.revoked_at, r.expires_at, now),
                expires_at: r.expires_at.and_utc(),
                used_at: r.used_at.map(|t| t.and_utc()),
                created_at: r.created_at.and_utc(),
                created_by: r.created_by.and_then(|id| users.get(&id)).cloned(),
            })
        })
        .collect()
}

/// Checks the targets of a link request: every account exists and every
/// contact belongs to its account. Returns the accounts.
pub fn check_targets(
    conn: &mut DbConn,
    request: &IssueLinks,
) -> Result<BTreeMap<i64, refs::AccountInfo>, DbError> {
    let accounts = refs::accounts(conn, request.targets.iter().map(|t| t.account_id))?;
    let contacts = refs::contacts(conn, request.targets.iter().filter_map(|t| t.contact_id))?;
    let mut errors = Vec::new();
    for (i, t) in request.targets.iter().enumerate() {
        if !accounts.contains_key(&t.account_id) {
            errors.push(FieldError {
                field: format!("targets[{i}].account_id"),
                message: format!("there is no account {}", t.account_id),
            });
        }
        if let Some(contact_id) = t.contact_id {
            if contacts
                .get(&contact_id)
                .is_none_or(|(_, account)| *account != t.account_id)
            {
                errors.push(FieldError {
                    field: format!("targets[{i}].contact_id"),
                    message: format!("account {} has no contact {contact_id}", t.account_id),
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(accounts)
    } else {
        Err(DbError::Invalid(errors))
    }
}

/// Issues one link per target of `request` (the caller has checked the
/// targets and the user's right to them). Each token is returned once, in
/// the link's path; only its hash is stored.
pub fn issue_links(
    conn: &mut DbConn,
    survey_id: i64,
    request: &IssueLinks,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Vec<IssuedLink>, DbError> {
    let days = request.expires_in_days.unwrap_or(DEFAULT_LINK_DAYS);
    let expires_at = now + chrono::Duration::days(i64::from(days));
    let issued = write_tx(conn, |conn| {
        let survey = find_row(conn, survey_id)?;
        // Field errors first; then the ownership rule, for accounts that exist.
        let accounts = check_targets(conn, request)?;
        for account in accounts.values() {
            super::authorize(actor, |who| {
                can_work_account(who, account.owner_id.map(UserId))
            })?;
        }
        match survey.state(now.date()) {
            SurveyState::Archived | SurveyState::Closed => {
                return Err(DbError::Conflict(
                    ProblemCode::SurveyNotOpen,
                    format!(
                        "The survey “{}” is closed or archived; it takes no more answers.",
                        survey.name
                    ),
                ))
            }
            SurveyState::Scheduled | SurveyState::Open => {}
        }
        let mut issued = Vec::with_capacity(request.targets.len());
        for t in &request.targets {
            let language = match (request.language, accounts.get(&t.account_id)) {
                (Some(l), _) => l,
                (None, Some(a)) => a.language,
                (None, None) => Language::En,
            };
            let token = new_token()?;
            let id: i64 = diesel::insert_into(survey_links::table)
                .values(&NewLink {
                    survey_id,
                    account_id: t.account_id,
                    contact_id: t.contact_id,
                    token_hash: token_hash(&token),
                    language: language.as_str().to_owned(),
                    expires_at,
                    created_by: actor.user_id,
                    created_at: now,
                })
                .returning(survey_links::id)
                .get_result(conn)?;
            issued.push((id, format!("/s/{token}")));
        }
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::SurveyLinksIssued,
                format!(
                    "Issued {} personal link(s) for the survey “{}”, valid {days} days.",
                    issued.len(),
                    survey.name
                ),
            )
            .target(AuditTarget::Survey, Some(survey_id), &survey.name),
        )?;
        Ok(issued)
    })?;
    let ids: Vec<i64> = issued.iter().map(|(id, _)| *id).collect();
    let rows = survey_links::table
        .filter(survey_links::id.eq_any(&ids))
        .order_by(survey_links::id.asc())
        .select(LinkRow::as_select())
        .load(conn)?;
    let links = to_links(conn, rows, now)?;
    Ok(links
        .into_iter()
        .zip(issued)
        .map(|(link, (_, path))| IssuedLink { link, path })
        .collect())
}

/// One page of survey `survey_id`'s links, newest first.
pub fn list_links(
    conn: &mut DbConn,
    survey_id: i64,
    q: &LinkQuery,
    now: NaiveDateTime,
) -> Result<Page<SurveyLink>, DbError> {
    find_row(conn, survey_id)?;
    let paging = super::paging::Paging::new(q.page, q.per_page);
    let filtered = || {
        let mut query = survey_links::table
            .filter(survey_links::survey_id.eq(survey_id))
            .into_boxed::<DbBackend>();
        if let Some(account) = q.account {
            query = query.filter(survey_links::account_id.eq(account));
        }
        let unused = survey_links::used_at
            .is_null()
            .and(survey_links::revoked_at.is_null());
        query = match q.status {
            None => query,
            Some(LinkStatus::Answered) => query.filter(survey_links::used_at.is_not_null()),
            Some(LinkStatus::Revoked) => query.filter(
                survey_links::used_at
                    .is_null()
                    .and(survey_links::revoked_at.is_not_null()),
            ),
            Some(LinkStatus::Expired) => query.filter(unused.and(survey_links::expires_at.le(now))),
            Some(LinkStatus::Open) => query.filter(unused.and(survey_links::expires_at.gt(now))),
        };
        query
    };
    let count: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order_by((survey_links::created_at.desc(), survey_links::id.desc()))
        .limit(paging.limit())
        .offset(paging.offset())
        .select(LinkRow::as_select())
        .load(conn)?;
    Ok(paging.envelope(to_links(conn, rows, now)?, count))
}

/// Revokes an unanswered link (revoking twice is harmless); an answered
/// link is a conflict.
pub fn revoke_link(
    conn: &mut DbConn,
    survey_id: i64,
    link_id: i64,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        let (used, account): (Option<NaiveDateTime>, i64) = survey_links::table
            .filter(survey_links::id.eq(link_id))
            .filter(survey_links::survey_id.eq(survey_id))
            .select((survey_links::used_at, survey_links::account_id))
            .first(conn)?;
        let owner = refs::accounts(conn, [account])?
            .remove(&account)
            .and_then(|a| a.owner_id);
        super::authorize(actor, |who| can_work_account(who, owner.map(UserId)))?;
        if used.is_some() {
            return Err(DbError::Conflict(
                ProblemCode::LinkAnswered,
                "The link was already answered; an answer cannot be withdrawn.".into(),
            ));
        }
        let revoked = diesel::update(
            survey_links::table
                .filter(survey_links::id.eq(link_id))
                .filter(survey_links::revoked_at.is_null()),
        )
        .set(survey_links::revoked_at.eq(now))
        .execute(conn)?;
        if revoked > 0 {
            let name = find_row(conn, survey_id)?.name;
            audit::record(
                conn,
                actor,
                Event::new(
                    AuditKind::SurveyLinkRevoked,
                    format!("Withdrew personal link {link_id} of the survey “{name}”."),
                )
                .target(AuditTarget::Survey, Some(survey_id), &name),
            )?;
        }
        Ok(())
    })
}

// ----------------------------------------------------------------- public

/// Why a public link cannot be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No link has this token.
    Unknown,
    /// Past its expiry.
    Expired,
    /// Withdrawn by staff.
    Revoked,
    /// The survey is archived, closed or not open yet.
    Closed,
    /// Already answered.
    Answered,
    /// The score is outside the survey's range.
    BadScore {
        /// Lowest valid score.
        min: u8,
        /// Highest valid score.
        max: u8,
    },
}

/// What the public page needs of a link and its survey.
#[derive(Debug, Clone)]
pub struct PublicLink {
    link_id: i64,
    account_id: i64,
    contact_id: Option<i64>,
    language: Language,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
    survey: SurveyRow,
}

impl PublicLink {
    /// The page's language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// Whether the link can be answered now, and if not why.
    pub fn refusal(&self, now: NaiveDateTime) -> Option<Refusal> {
        match link_status(self.used_at, self.revoked_at, self.expires_at, now) {
            LinkStatus::Answered => Some(Refusal::Answered),
            LinkStatus::Revoked => Some(Refusal::Revoked),
            LinkStatus::Expired => Some(Refusal::Expired),
            LinkStatus::Open => {
                (self.survey.state(now.date()) != SurveyState::Open).then_some(Refusal::Closed)
            }
        }
    }

    /// The question in `language` (default: the link's).
    pub fn question(&self, language: Option<Language>) -> Result<PublicSurvey, DbError> {
        let language = language.unwrap_or(self.language);
        let kind = self.survey.kind()?;
        let (min_score, max_score) = kind.score_range();
        Ok(PublicSurvey {
            kind,
            language,
            question: self.survey.question().show(language).to_owned(),
            follow_up: self.survey.follow_up().get(language).map(str::to_owned),
            min_score,
            max_score,
            expires_at: self.expires_at.and_utc(),
        })
    }
}

/// The link with this token hash and its survey (`None` when unknown).
pub fn public_link(conn: &mut DbConn, hash: &str) -> Result<Option<PublicLink>, DbError> {
    let found: Option<(LinkRow, SurveyRow)> = survey_links::table
        .inner_join(surveys::table)
        .filter(survey_links::token_hash.eq(hash))
        .select((LinkRow::as_select(), SurveyRow::as_select()))
        .first(conn)
        .optional()?;
    found
        .map(|(link, survey)| {
            Ok(PublicLink {
                link_id: link.id,
                account_id: link.account_id,
                contact_id: link.contact_id,
                language: link
                    .language
                    .parse()
                    .map_err(|_| DbError::Corrupt(format!("link {}: language", link.id)))?,
                expires_at: link.expires_at,
                used_at: link.used_at,
                revoked_at: link.revoked_at,
                survey,
            })
        })
        .transpose()
}

/// Stores a customer's answer through the link with token hash `hash`, or
/// says why not. The link is marked used by a conditional update in the
/// same write transaction as the answer (and its follow-up task), so of
/// two concurrent submissions exactly one is stored.
pub fn public_answer(
    conn: &mut DbConn,
    hash: &str,
    answer: &PublicAnswer,
    now: NaiveDateTime,
) -> Result<Result<DateTime<Utc>, Refusal>, DbError> {
    let Some(link) = public_link(conn, hash)? else {
        return Ok(Err(Refusal::Unknown));
    };
    if let Some(refusal) = link.refusal(now) {
        return Ok(Err(refusal));
    }
    let kind = link.survey.kind()?;
    if !kind.accepts(answer.score) {
        let (min, max) = kind.score_range();
        return Ok(Err(Refusal::BadScore { min, max }));
    }
    write_tx(conn, |conn| {
        let claimed = diesel::update(
            survey_links::table
                .filter(survey_links::id.eq(link.link_id))
                .filter(survey_links::used_at.is_null())
                .filter(survey_links::revoked_at.is_null())
                .filter(survey_links::expires_at.gt(now)),
        )
        .set(survey_links::used_at.eq(now))
        .execute(conn)?;
        if claimed == 0 {
            // Answered, revoked or expired since the look-up.
            let refusal = public_link(conn, hash)?
                .and_then(|l| l.refusal(now))
                .unwrap_or(Refusal::Answered);
            return Ok(Err(refusal));
        }
        let owner_id: Option<i64> = accounts::table
            .find(link.account_id)
            .select(accounts::owner_id)
            .first(conn)?;
        insert_answer(
            conn,
            &link.survey,
            kind,
            &NewResponse {
                survey_id: link.survey.id,
                account_id: link.account_id,
                contact_id: link.contact_id,
                link_id: Some(link.link_id),
                channel: AnswerChannel::Link.as_str().to_owned(),
                entered_by: None,
                score: i32::from(answer.score),
                comment: clean(answer.comment.as_deref()),
                answered_on: now.date(),
                created_at: now,
            },
            owner_id,
        )?;
        Ok(Ok(now.and_utc()))
    })
}

/// Moves the survey links, answers, tasks and sheets of account `from` to
/// account `to` (merging duplicates; call inside the merge's transaction,
/// after the contacts have moved).
pub fn move_account_rows(conn: &mut DbConn, from: i64, to: i64) -> Result<(), DbError> {
    use super::schema::{sheets, tasks};
    diesel::update(survey_links::table.filter(survey_links::account_id.eq(from)))
        .set(survey_links::account_id.eq(to))
        .execute(conn)?;
    diesel::update(survey_responses::table.filter(survey_responses::account_id.eq(from)))
        .set(survey_responses::account_id.eq(to))
        .execute(conn)?;
    diesel::update(tasks::table.filter(tasks::account_id.eq(from)))
        .set(tasks::account_id.eq(to))
        .execute(conn)?;
    diesel::update(sheets::table.filter(sheets::account_id.eq(from)))
        .set(sheets::account_id.eq(to))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        let h = token_hash(&a);
        assert_eq!(h.len(), 64);
        assert_ne!(h, a);
        assert_eq!(h, token_hash(&a));
    }
}
