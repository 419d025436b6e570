//! Queries on `tasks`: the follow-up task a negative survey answer creates
//! (in the answer's transaction), the task list with its filters, and
//! marking a task done. The coverage-rules issue adds its own kinds.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kizuna_shared::api::{Page, Task, TaskQuery};
use kizuna_shared::domain::{can_change_task, SurveyKind, TaskKind, TaskStatus, UserId};

use super::audit::{self, Actor, Event};
use super::schema::tasks;
use super::{refs, DbBackend, DbConn, DbError};
use kizuna_shared::api::{AuditKind, AuditTarget};

/// Days a survey follow-up is due after the answer arrives.
pub const FOLLOW_UP_DAYS: u64 = 3;

/// The `source_type` of a task created by a survey answer.
pub const SOURCE_SURVEY_RESPONSE: &str = "survey_response";

#[derive(Debug, Insertable)]
#[diesel(table_name = tasks)]
struct NewTask {
    account_id: Option<i64>,
    owner_id: Option<i64>,
    kind: String,
    reason: String,
    due_on: NaiveDate,
    status: String,
    source_type: Option<String>,
    source_id: Option<i64>,
    created_at: NaiveDateTime,
}

/// What a negative answer's follow-up task says.
#[derive(Debug, Clone)]
pub struct FollowUp<'a> {
    /// The answer.
    pub response_id: i64,
    /// The account; its current owner gets the task.
    pub account_id: i64,
    /// The owner to give the task to.
    pub owner_id: Option<i64>,
    /// NPS or CSAT.
    pub kind: SurveyKind,
    /// The score.
    pub score: u8,
    /// The survey's name.
    pub survey_name: &'a str,
    /// The answer's comment.
    pub comment: Option<&'a str>,
}

/// Creates the follow-up task of a negative answer (call inside the
/// answer's transaction) and returns its id. The reason names the score,
/// the survey and the start of the comment; it is not translated because
/// it quotes the customer.
pub fn create_follow_up(
    conn: &mut DbConn,
    follow_up: &FollowUp<'_>,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    let (_, max) = follow_up.kind.score_range();
    let mut reason = format!(
        "{} {}/{max} — {}",
        follow_up.kind.as_str().to_uppercase(),
        follow_up.score,
        follow_up.survey_name
    );
    if let Some(comment) = follow_up.comment.map(str::trim).filter(|c| !c.is_empty()) {
        let mut excerpt: String = comment.chars().take(200).collect();
        if excerpt.chars().count() < comment.chars().count() {
            excerpt.push('…');
        }
        reason.push_str(&format!(": “{excerpt}”"));
    }
    let row = NewTask {
        account_id: Some(follow_up.account_id),
        owner_id: follow_up.owner_id,
        kind: TaskKind::SurveyFollowUp.as_str().to_owned(),
        reason,
        due_on: now.date() + chrono::Days::new(FOLLOW_UP_DAYS),
        status: TaskStatus::Open.as_str().to_owned(),
        source_type: Some(SOURCE_SURVEY_RESPONSE.to_owned()),
        source_id: Some(follow_up.response_id),
        created_at: now,
    };
    Ok(diesel::insert_into(tasks::table)
        .values(&row)
        .returning(tasks::id)
        .get_result(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tasks)]
struct TaskRow {
    id: i64,
    account_id: Option<i64>,
    owner_id: Option<i64>,
    kind: String,
    reason: String,
    due_on: NaiveDate,
    status: String,
    source_type: Option<String>,
    source_id: Option<i64>,
    created_at: NaiveDateTime,
    done_at: Option<NaiveDateTime>,
    done_by: Option<i64>,
}

fn to_tasks(conn: &mut DbConn, rows: Vec<TaskRow>) -> Result<Vec<Task>, DbError> {
    let accounts = refs::accounts(conn, rows.iter().filter_map(|r| r.account_id))?;
    let users = refs::users(
        conn,
        rows.iter().flat_map(|r| [r.owner_id, r.done_by]).flatten(),
    )?;
    rows.into_iter()
        .map(|r| {
            let corrupt = |e: kizuna_shared::domain::ParseEnumError| {
                DbError::Corrupt(format!("task {}: {e}", r.id))
            };
            let account = r.account_id.and_then(|id| accounts.get(&id));
            Ok(Task {
                id: r.id,
                kind: r.kind.parse().map_err(corrupt)?,
                status: r.status.parse().map_err(corrupt)?,
                reason: r.reason,
                due_on: r.due_on,
                account: account.map(|a| a.account.clone()),
                owner: r.owner_id.and_then(|id| users.get(&id)).cloned(),
                account_owner_id: account.and_then(|a| a.owner_id),
                response_id: r
                    .source_id
                    .filter(|_| r.source_type.as_deref() == Some(SOURCE_SURVEY_RESPONSE)),
                created_at: r.created_at.and_utc(),
                done_at: r.done_at.map(|t| t.and_utc()),
                done_by: r.done_by.and_then(|id| users.get(&id)).cloned(),
            })
        })
        .collect()
}

/// One page of tasks matching `q`: open ones first by due date, then done
/// ones, most recently done first.
pub fn list(conn: &mut DbConn, q: &TaskQuery) -> Result<Page<Task>, DbError> {
    let paging = super::paging::Paging::new(q.page, q.per_page);
    let filtered = || {
        let mut query = tasks::table.into_boxed::<DbBackend>();
        if let Some(owner) = q.owner {
            query = query.filter(tasks::owner_id.eq(owner));
        }
        if let Some(account) = q.account {
            query = query.filter(tasks::account_id.eq(account));
        }
        if let Some(status) = q.status {
            query = query.filter(tasks::status.eq(status.as_str()));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows: Vec<TaskRow> = filtered()
        // 'open' sorts before 'done' descending, so open tasks come first.
        .order_by((
            tasks::status.desc(),
            tasks::due_on.asc(),
            tasks::done_at.desc(),
            tasks::id.desc(),
        ))
        .limit(paging.limit())
        .offset(paging.offset())
        .select(TaskRow::as_select())
        .load(conn)?;
    Ok(paging.envelope(to_tasks(conn, rows)?, total))
}

/// Marks task `id` done (recording who and when) or open again, if the
/// actor may change it (`domain::can_change_task`, checked in the write
/// transaction against the task's and its account's current owners).
pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: TaskStatus,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Task, DbError> {
    super::write_tx(conn, |conn| {
        let (current, reason, owner, account): (String, String, Option<i64>, Option<i64>) =
            tasks::table
                .find(id)
                .select((
                    tasks::status,
                    tasks::reason,
                    tasks::owner_id,
                    tasks::account_id,
                ))
                .first(conn)?;
        let account_owner = match account {
            Some(a) => refs::accounts(conn, [a])?
                .remove(&a)
                .and_then(|a| a.owner_id),
            None => None,
        };
        super::authorize(actor, |who| {
            can_change_task(who, owner.map(UserId), account_owner.map(UserId))
        })?;
        if current != status.as_str() {
            let (done_at, done_by, kind) = match status {
                TaskStatus::Done => (Some(now), actor.user_id, AuditKind::TaskDone),
                TaskStatus::Open => (None, None, AuditKind::TaskReopened),
            };
            audit::record(
                conn,
                actor,
                Event::new(
                    kind,
                    format!("Task {id} is now {}: {reason}", status.as_str()),
                )
                .target(AuditTarget::Task, Some(id), &reason),
            )?;
            diesel::update(tasks::table.find(id))
                .set((
                    tasks::status.eq(status.as_str()),
                    tasks::done_at.eq(done_at),
                    tasks::done_by.eq(done_by),
                ))
                .execute(conn)?;
        }
        let row: TaskRow = tasks::table
            .find(id)
            .select(TaskRow::as_select())
            .first(conn)?;
        to_tasks(conn, vec![row])?.pop().ok_or(DbError::NotFound)
    })
}

/// The follow-up task of each of these survey answers.
pub fn for_responses(
    conn: &mut DbConn,
    response_ids: &[i64],
) -> Result<std::collections::BTreeMap<i64, i64>, DbError> {
    let mut out = std::collections::BTreeMap::new();
    for chunk in response_ids.chunks(1_000) {
        let rows: Vec<(Option<i64>, i64)> = tasks::table
            .filter(tasks::source_type.eq(SOURCE_SURVEY_RESPONSE))
            .filter(tasks::source_id.eq_any(chunk))
            .select((tasks::source_id, tasks::id))
            .load(conn)?;
        out.extend(rows.into_iter().filter_map(|(s, t)| Some((s?, t))));
    }
    Ok(out)
}
