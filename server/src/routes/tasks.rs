//! `/api/v1/tasks`: follow-up tasks (a negative survey answer creates one
//! for the account's owner), listed with filters and marked done.
//!
//! Everyone signed in reads; managers and admins change any task, a CSM
//! the tasks they own or that belong to their accounts.

use actix_web::{get, patch, web};
use garde::Validate;
use kizuna_shared::api::{Page, Problem, Task, TaskQuery, UpdateTask};
use kizuna_shared::domain::Capability;

use crate::auth::CurrentUser;
use crate::db::{self, DbPool};
use crate::error::ApiError;
use crate::routes::blocking;
use crate::routes::body::Body;

/// Tasks matching the filters: open ones first by due date.
#[utoipa::path(
    tag = "tasks",
    params(TaskQuery),
    responses((status = 200, description = "One page of tasks", body = Page<Task>))
)]
#[get("/tasks")]
pub async fn list_tasks(
    _user: CurrentUser,
    pool: web::Data<DbPool>,
    query: web::Query<TaskQuery>,
) -> Result<web::Json<Page<Task>>, ApiError> {
    let query = query.into_inner();
    query.validate()?;
    let page = blocking(&pool, move |conn| db::tasks::list(conn, &query)).await?;
    Ok(web::Json(page))
}

/// Marks a task done (recording who and when) or open again.
#[utoipa::path(
    tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    request_body = UpdateTask,
    responses(
        (status = 200, description = "The task after the change", body = Task),
        (status = 403, description = "The role may not change this task (or the CSRF check failed)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such task", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/tasks/{id}")]
pub async fn update_task(
    user: CurrentUser,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
    body: Body<UpdateTask>,
) -> Result<web::Json<Task>, ApiError> {
    user.require(Capability::WorkAccounts)?;
    let actor = user.actor();
    let id = id.into_inner();
    let update = body.into_inner();
    update.validate()?;
    let now = chrono::Utc::now().naive_utc();
    let task = blocking(&pool, move |conn| {
        db::tasks::set_status(conn, id, update.status, &actor, now)
    })
    .await
    .map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound(format!("There is no task {id}.")),
        other => other,
    })?;
    Ok(web::Json(task))
}
