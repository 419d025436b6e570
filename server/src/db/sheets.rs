//! Queries on `sheets`, `sheet_items` and `sheet_item_events`: starting a
//! template for an account or a team member (the template's name and items
//! are copied, so later template edits never rewrite a started sheet), the
//! automatic sheet of a new account's tier, ticking and unticking items
//! with their history, completion, the overview with its filters, and the
//! onboarding KPIs.
//!
//! **Completion.** A sheet completes when every required item is done; its
//! completion date is the latest `done_on` of its required items, set once
//! when the last of them is ticked. Unticking a required item of a
//! completed sheet reopens it and clears the date (a reopened sheet is not
//! complete, so the onboarding KPIs must not count it); the item's history
//! keeps the earlier ticks, and completing it again sets the new date.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kizuna_shared::api::ProblemCode;
use kizuna_shared::api::{
    FieldError, ItemAction, ItemEvent, OnboardingKpiQuery, OnboardingSummary, Page, Sheet,
    SheetDetail, SheetItem, SheetProgress, SheetQuery, SheetStatus, StartSheet, Texts, TickItem,
};
use kizuna_shared::domain::{
    can_start_sheet, can_tick_sheet, Capability, SheetKind, SheetParties, Tier, UserId,
};
use kizuna_shared::metrics::kpi::{onboarding_kpis, OnboardingSheet};
use kizuna_shared::metrics::Period;

use super::audit::{self, Actor, Event};
use super::events;
use super::schema::{accounts, sheet_item_events, sheet_items, sheets};
use super::templates::{self, ItemRow, TemplateRow};
use super::{refs, write_tx, DbBackend, DbConn, DbError};
use kizuna_shared::api::{AuditKind, AuditTarget, ChangeKind};
use kizuna_shared::domain::Language;

/// A new account gets its tier's sheet automatically when its contract
/// started at most this many days ago (or starts later, or has no date):
/// the onboarding phase. Older customers imported into Kizuna are past
/// onboarding and get none.
pub const AUTO_START_WINDOW_DAYS: u64 = 60;

fn invalid(field: &str, message: impl Into<String>) -> DbError {
    DbError::Invalid(vec![FieldError {
        field: field.into(),
        message: message.into(),
    }])
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sheets)]
struct NewSheet {
    template_id: Option<i64>,
    kind: String,
    name_en: Option<String>,
    name_ja: Option<String>,
    account_id: Option<i64>,
    member_id: Option<i64>,
    owner_id: Option<i64>,
    started_on: NaiveDate,
    created_by: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sheet_items)]
struct NewItem {
    sheet_id: i64,
    position: i32,
    title_en: Option<String>,
    title_ja: Option<String>,
    description_en: Option<String>,
    description_ja: Option<String>,
    phase: String,
    due_on: NaiveDate,
    role: String,
    required: bool,
}

impl NewItem {
    /// A copy of a template item for sheet `sheet_id` started on `start`.
    fn copy(sheet_id: i64, start: NaiveDate, item: &ItemRow) -> Self {
        let offset = u64::try_from(item.due_offset_days).unwrap_or(0);
        NewItem {
            sheet_id,
            position: item.position,
            title_en: item.title_en.clone(),
            title_ja: item.title_ja.clone(),
            description_en: item.description_en.clone(),
            description_ja: item.description_ja.clone(),
            phase: item.phase.clone(),
            due_on: start
                .checked_add_days(chrono::Days::new(offset))
                .unwrap_or(start),
            role: item.role.clone(),
            required: item.required,
        }
    }
}

/// The latest day that is "today" somewhere: the browser sends the user's
/// local date, which in Japan is a day ahead of UTC for nine hours a day.
pub fn latest_today(utc_today: NaiveDate) -> NaiveDate {
    utc_today
        .checked_add_days(chrono::Days::new(1))
        .unwrap_or(utc_today)
}

/// Rows per multi-row `INSERT` (10 columns: far below SQLite's 32,766
/// bound variables).
const INSERT_BATCH: usize = 2_000;

fn insert_items(conn: &mut DbConn, items: &[NewItem]) -> Result<(), DbError> {
    for chunk in items.chunks(INSERT_BATCH) {
        per_backend!(conn, |c| diesel::insert_into(sheet_items::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// The highest account id so far (0 without accounts): call before
/// creating accounts, then [`start_for_new_accounts`] after it.
pub fn last_account_id(conn: &mut DbConn) -> Result<i64, DbError> {
    Ok(accounts::table
        .select(diesel::dsl::max(accounts::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Starts the tier's sheet for every account with an id above `after_id`
/// that is active, has no sheet yet and whose contract started within the
/// last [`AUTO_START_WINDOW_DAYS`] days (or has no start or a later one);
/// the sheet starts on the contract start, else `today`. Call inside the
/// transaction that created the accounts (the account form, an import).
/// Returns how many sheets were started.
pub fn start_for_new_accounts(
    conn: &mut DbConn,
    after_id: i64,
    today: NaiveDate,
) -> Result<usize, DbError> {
    let defaults = templates::tier_defaults(conn)?;
    if defaults.is_empty() {
        return Ok(0);
    }
    let cutoff = today
        .checked_sub_days(chrono::Days::new(AUTO_START_WINDOW_DAYS))
        .unwrap_or(today);
    let candidates: Vec<(i64, i64, String, Option<NaiveDate>)> = accounts::table
        .filter(accounts::id.gt(after_id))
        .filter(accounts::status.eq("active"))
        .filter(
            accounts::contract_start
                .is_null()
                .or(accounts::contract_start.ge(cutoff)),
        )
        .filter(diesel::dsl::not(diesel::dsl::exists(
            sheets::table.filter(sheets::account_id.eq(accounts::id.nullable())),
        )))
        .select((
            accounts::id,
            accounts::mrr_minor,
            accounts::currency,
            accounts::contract_start,
        ))
        .load(conn)?;
    let now = chrono::Utc::now().naive_utc();
    let mut started = 0;
    for chunk in candidates.chunks(INSERT_BATCH) {
        let mut rows = Vec::with_capacity(chunk.len());
        for (id, mrr, currency, contract_start) in chunk {
            let Ok(currency) = currency.parse() else {
                continue;
            };
            let Some((template, _)) = defaults.get(&Tier::of(*mrr, currency)) else {
                continue;
            };
            let name = template.name();
            rows.push(NewSheet {
                template_id: Some(template.id),
                kind: SheetKind::Customer.as_str().to_owned(),
                name_en: name.en,
                name_ja: name.ja,
                account_id: Some(*id),
                member_id: None,
                owner_id: None,
                started_on: contract_start.unwrap_or(today),
                created_by: None,
                created_at: now,
                updated_at: now,
            });
        }
        per_backend!(conn, |c| diesel::insert_into(sheets::table)
            .values(&rows)
            .execute(c))?;
        // These accounts had no sheet, so each now has exactly one.
        let ids: Vec<Option<i64>> = rows.iter().map(|r| r.account_id).collect();
        let created: Vec<(i64, Option<i64>, NaiveDate)> = sheets::table
            .filter(sheets::account_id.eq_any(&ids))
            .select((sheets::id, sheets::template_id, sheets::started_on))
            .load(conn)?;
        let mut items = Vec::new();
        for (sheet_id, template_id, start) in created {
            let Some((_, template_items)) =
                defaults.values().find(|(t, _)| Some(t.id) == template_id)
            else {
                continue;
            };
            items.extend(
                template_items
                    .iter()
                    .map(|i| NewItem::copy(sheet_id, start, i)),
            );
        }
        insert_items(conn, &items)?;
        started += rows.len();
    }
    Ok(started)
}

/// Starts a template (the caller has checked the role). Customer templates
/// need an account, teammate templates a member; a template not yet
/// completed for the same account or member cannot be started twice.
pub fn start(
    conn: &mut DbConn,
    request: &StartSheet,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<SheetDetail, DbError> {
    let id = write_tx(conn, |conn| {
        let template: TemplateRow = match templates::find_row(conn, request.template_id) {
            Err(DbError::NotFound) => {
                return Err(invalid(
                    "template_id",
                    format!("there is no template {}", request.template_id),
                ))
            }
            other => other?,
        };
        if template.archived {
            return Err(invalid("template_id", "the template is archived"));
        }
        let kind = template.kind()?;
        match (kind, request.account_id, request.member_id) {
            (SheetKind::Customer, Some(account), None) => {
                if refs::accounts(conn, [account])?.is_empty() {
                    return Err(invalid(
                        "account_id",
                        format!("there is no account {account}"),
                    ));
                }
                if request.owner_id.is_some() {
                    return Err(invalid(
                        "owner_id",
                        "a customer sheet belongs to the account's owner",
                    ));
                }
            }
            (SheetKind::Teammate, None, Some(member)) => {
                let found = refs::users(conn, [member])?;
                if found.is_empty() {
                    return Err(invalid("member_id", format!("there is no user {member}")));
                }
                if let Some(owner) = request.owner_id {
                    match refs::users(conn, [owner])?.remove(&owner) {
                        None => {
                            return Err(invalid("owner_id", format!("there is no user {owner}")))
                        }
                        Some(u) if !u.role.may(Capability::Guide) => {
                            return Err(invalid(
                                "owner_id",
                                format!(
                                    "{} is an {} and cannot guide a new member",
                                    u.name, u.role
                                ),
                            ))
                        }
                        Some(_) => {}
                    }
                }
            }
            (SheetKind::Customer, _, _) => {
                return Err(invalid(
                    "account_id",
                    "a customer template is started for an account (and no member)",
                ))
            }
            (SheetKind::Teammate, _, _) => {
                return Err(invalid(
                    "member_id",
                    "a teammate template is started for a team member (and no account)",
                ))
            }
        }
        let account_owner = match request.account_id {
            Some(a) => refs::accounts(conn, [a])?
                .remove(&a)
                .and_then(|a| a.owner_id),
            None => None,
        };
        super::authorize(actor, |who| {
            can_start_sheet(who, kind, account_owner.map(UserId))
        })?;
        let mut running = sheets::table
            .filter(sheets::template_id.eq(template.id))
            .filter(sheets::completed_on.is_null())
            .into_boxed::<DbBackend>();
        running = match (request.account_id, request.member_id) {
            (Some(a), _) => running.filter(sheets::account_id.eq(a)),
            (_, Some(m)) => running.filter(sheets::member_id.eq(m)),
            _ => running,
        };
        let already: i64 = running.count().get_result(conn)?;
        if already > 0 {
            return Err(DbError::Conflict(
                ProblemCode::SheetRunning,
                "This template is already running for them; finish or remove that sheet first."
                    .into(),
            ));
        }
        let started_on = request.started_on.unwrap_or(now.date());
        let name = template.name();
        let id: i64 = diesel::insert_into(sheets::table)
            .values(&NewSheet {
                template_id: Some(template.id),
                kind: kind.as_str().to_owned(),
                name_en: name.en,
                name_ja: name.ja,
                account_id: request.account_id,
                member_id: request.member_id,
                owner_id: request.owner_id,
                started_on,
                created_by: actor.user_id,
                created_at: now,
                updated_at: now,
            })
            .returning(sheets::id)
            .get_result(conn)?;
        let items = templates::items_of(conn, &[template.id])?
            .remove(&template.id)
            .unwrap_or_default();
        let copies: Vec<NewItem> = items
            .iter()
            .map(|i| NewItem::copy(id, started_on, i))
            .collect();
        insert_items(conn, &copies)?;
        let whom = match (request.account_id, request.member_id) {
            (Some(a), _) => refs::accounts(conn, [a])?
                .remove(&a)
                .map(|a| a.account.name)
                .unwrap_or_default(),
            (_, Some(m)) => refs::users(conn, [m])?
                .remove(&m)
                .map(|u| u.name)
                .unwrap_or_default(),
            _ => String::new(),
        };
        let template_name = template.name();
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::SheetStarted,
                format!(
                    "Started “{}” for {whom} on {started_on}.",
                    template_name.show(Language::En)
                ),
            )
            .target(AuditTarget::Sheet, Some(id), &whom),
        )?;
        if request.account_id.is_some() {
            // Onboarding KPIs count the customer sheets started.
            events::record(conn, ChangeKind::SheetCompletion, request.account_id)?;
        }
        Ok(id)
    })?;
    detail(conn, id, now.date())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sheets)]
struct SheetRow {
    id: i64,
    template_id: Option<i64>,
    kind: String,
    name_en: Option<String>,
    name_ja: Option<String>,
    account_id: Option<i64>,
    member_id: Option<i64>,
    owner_id: Option<i64>,
    started_on: NaiveDate,
    completed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sheet_items)]
struct SheetItemRow {
    id: i64,
    sheet_id: i64,
    position: i32,
    title_en: Option<String>,
    title_ja: Option<String>,
    description_en: Option<String>,
    description_ja: Option<String>,
    phase: String,
    due_on: NaiveDate,
    role: String,
    required: bool,
    done_on: Option<NaiveDate>,
    done_by: Option<i64>,
    note: Option<String>,
}

impl SheetItemRow {
    fn overdue(&self, today: NaiveDate) -> bool {
        self.done_on.is_none() && self.due_on < today
    }
}

fn progress(items: &[SheetItemRow], today: NaiveDate) -> (SheetProgress, Option<NaiveDate>) {
    let count = |f: &dyn Fn(&SheetItemRow) -> bool| {
        u32::try_from(items.iter().filter(|i| f(i)).count()).unwrap_or(u32::MAX)
    };
    let progress = SheetProgress {
        items: count(&|_| true),
        done: count(&|i| i.done_on.is_some()),
        required: count(&|i| i.required),
        required_done: count(&|i| i.required && i.done_on.is_some()),
        overdue: count(&|i| i.overdue(today)),
    };
    let next_due = items
        .iter()
        .filter(|i| i.done_on.is_none())
        .map(|i| i.due_on)
        .min();
    (progress, next_due)
}

fn items_of(
    conn: &mut DbConn,
    sheet_ids: &[i64],
) -> Result<BTreeMap<i64, Vec<SheetItemRow>>, DbError> {
    let mut out: BTreeMap<i64, Vec<SheetItemRow>> = BTreeMap::new();
    for chunk in sheet_ids.chunks(1_000) {
        let rows: Vec<SheetItemRow> = sheet_items::table
            .filter(sheet_items::sheet_id.eq_any(chunk))
            .order_by((sheet_items::sheet_id.asc(), sheet_items::position.asc()))
            .select(SheetItemRow::as_select())
            .load(conn)?;
        for row in rows {
            out.entry(row.sheet_id).or_default().push(row);
        }
    }
    Ok(out)
}

fn to_sheets(
    conn: &mut DbConn,
    rows: Vec<SheetRow>,
    items: &BTreeMap<i64, Vec<SheetItemRow>>,
    today: NaiveDate,
) -> Result<Vec<Sheet>, DbError> {
    let accounts = refs::accounts(conn, rows.iter().filter_map(|r| r.account_id))?;
    let users = refs::users(
        conn,
        rows.iter()
            .flat_map(|r| [r.member_id, r.owner_id])
            .flatten()
            .chain(accounts.values().filter_map(|a| a.owner_id)),
    )?;
    rows.into_iter()
        .map(|r| {
            let kind: SheetKind = r
                .kind
                .parse()
                .map_err(|e| DbError::Corrupt(format!("sheet {}: {e}", r.id)))?;
            let account = r.account_id.and_then(|id| accounts.get(&id));
            let owner_id = match kind {
                SheetKind::Customer => account.and_then(|a| a.owner_id),
                SheetKind::Teammate => r.owner_id,
            };
            let (progress, next_due_on) =
                progress(items.get(&r.id).map_or(&[][..], Vec::as_slice), today);
            Ok(Sheet {
                id: r.id,
                template_id: r.template_id,
                name: Texts {
                    en: r.name_en,
                    ja: r.name_ja,
                },
                kind,
                account: account.map(|a| a.account.clone()),
                member: r.member_id.and_then(|id| users.get(&id)).cloned(),
                owner: owner_id.and_then(|id| users.get(&id)).cloned(),
                started_on: r.started_on,
                completed_on: r.completed_on,
                progress,
                next_due_on,
            })
        })
        .collect()
}

/// One page of sheets matching `q`: in progress first (most recently
/// started first), then completed ones.
pub fn list(conn: &mut DbConn, q: &SheetQuery, today: NaiveDate) -> Result<Page<Sheet>, DbError> {
    let paging = super::paging::Paging::new(q.page, q.per_page);
    let filtered = || {
        let mut query = sheets::table.into_boxed::<DbBackend>();
        if let Some(owner) = q.owner {
            query = query.filter(
                sheets::account_id
                    .eq_any(
                        accounts::table
                            .filter(accounts::owner_id.eq(owner))
                            .select(accounts::id.nullable()),
                    )
                    .or(sheets::owner_id.eq(owner)),
            );
        }
        if let Some(tier) = q.tier {
            query = query.filter(
                sheets::account_id.eq_any(
                    accounts::table
                        .filter(refs::tier_condition!(tier))
                        .select(accounts::id.nullable()),
                ),
            );
        }
        if let Some(overdue) = q.overdue {
            let late = diesel::dsl::exists(
                sheet_items::table
                    .filter(sheet_items::sheet_id.eq(sheets::id))
                    .filter(sheet_items::done_on.is_null())
                    .filter(sheet_items::due_on.lt(today)),
            );
            query = if overdue {
                query.filter(late)
            } else {
                query.filter(diesel::dsl::not(late))
            };
        }
        if let Some(kind) = q.kind {
            query = query.filter(sheets::kind.eq(kind.as_str()));
        }
        query = match q.status {
            None => query,
            Some(SheetStatus::InProgress) => query.filter(sheets::completed_on.is_null()),
            Some(SheetStatus::Completed) => query.filter(sheets::completed_on.is_not_null()),
        };
        if let Some(account) = q.account {
            query = query.filter(sheets::account_id.eq(account));
        }
        if let Some(member) = q.member {
            query = query.filter(sheets::member_id.eq(member));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows: Vec<SheetRow> = filtered()
        .order_by((
            sheets::completed_on.is_not_null().asc(),
            sheets::started_on.desc(),
            sheets::id.desc(),
        ))
        .limit(paging.limit())
        .offset(paging.offset())
        .select(SheetRow::as_select())
        .load(conn)?;
    let items = items_of(conn, &rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
    Ok(paging.envelope(to_sheets(conn, rows, &items, today)?, total))
}

/// Sheet `id` with its items and their history.
pub fn detail(conn: &mut DbConn, id: i64, today: NaiveDate) -> Result<SheetDetail, DbError> {
    let row: SheetRow = sheets::table
        .find(id)
        .select(SheetRow::as_select())
        .first(conn)?;
    let items = items_of(conn, &[id])?;
    let sheet = to_sheets(conn, vec![row], &items, today)?
        .pop()
        .ok_or(DbError::NotFound)?;
    let item_rows = items.get(&id).cloned().unwrap_or_default();
    let item_ids: Vec<i64> = item_rows.iter().map(|i| i.id).collect();
    type EventRow = (
        i64,
        String,
        Option<String>,
        Option<NaiveDate>,
        Option<i64>,
        NaiveDateTime,
    );
    let events: Vec<EventRow> = sheet_item_events::table
        .filter(sheet_item_events::item_id.eq_any(&item_ids))
        .order_by((sheet_item_events::at.asc(), sheet_item_events::id.asc()))
        .select((
            sheet_item_events::item_id,
            sheet_item_events::action,
            sheet_item_events::note,
            sheet_item_events::done_on,
            sheet_item_events::user_id,
            sheet_item_events::at,
        ))
        .load(conn)?;
    let users = refs::users(
        conn,
        item_rows
            .iter()
            .filter_map(|i| i.done_by)
            .chain(events.iter().filter_map(|e| e.4)),
    )?;
    let mut by_item: BTreeMap<i64, Vec<ItemEvent>> = BTreeMap::new();
    for (item_id, action, note, done_on, user_id, at) in events {
        let action: ItemAction = action
            .parse()
            .map_err(|e| DbError::Corrupt(format!("{e}")))?;
        by_item.entry(item_id).or_default().push(ItemEvent {
            action,
            note,
            done_on,
            user: user_id.and_then(|u| users.get(&u)).cloned(),
            at: at.and_utc(),
        });
    }
    let items = item_rows
        .into_iter()
        .map(|i| {
            let corrupt = |e: kizuna_shared::domain::ParseEnumError| {
                DbError::Corrupt(format!("sheet item {}: {e}", i.id))
            };
            Ok(SheetItem {
                id: i.id,
                position: i.position,
                overdue: i.overdue(today),
                phase: i.phase.parse().map_err(corrupt)?,
                role: i.role.parse().map_err(corrupt)?,
                title: Texts {
                    en: i.title_en,
                    ja: i.title_ja,
                },
                description: Texts {
                    en: i.description_en,
                    ja: i.description_ja,
                },
                due_on: i.due_on,
                required: i.required,
                done_on: i.done_on,
                done_by: i.done_by.and_then(|u| users.get(&u)).cloned(),
                note: i.note,
                events: by_item.remove(&i.id).unwrap_or_default(),
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok(SheetDetail { sheet, items })
}

/// Whom sheet `id` concerns, for `domain::can_tick_sheet`: its kind, the
/// account's owner, the member and the guide (not found when the sheet
/// does not exist).
fn parties(conn: &mut DbConn, id: i64) -> Result<SheetParties, DbError> {
    let (kind, account_id, member, guide): (String, Option<i64>, Option<i64>, Option<i64>) =
        sheets::table
            .find(id)
            .select((
                sheets::kind,
                sheets::account_id,
                sheets::member_id,
                sheets::owner_id,
            ))
            .first(conn)?;
    let account_owner = match account_id {
        Some(a) => accounts::table
            .find(a)
            .select(accounts::owner_id)
            .first::<Option<i64>>(conn)
            .optional()?
            .flatten(),
        None => None,
    };
    Ok(SheetParties {
        kind: kind
            .parse()
            .map_err(|e| DbError::Corrupt(format!("sheet {id}: {e}")))?,
        account_owner: account_owner.map(UserId),
        member: member.map(UserId),
        guide: guide.map(UserId),
    })
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sheet_item_events)]
struct NewEvent {
    item_id: i64,
    action: String,
    note: Option<String>,
    done_on: Option<NaiveDate>,
    user_id: Option<i64>,
    at: NaiveDateTime,
}

/// Ticks or unticks item `item_id` of sheet `sheet_id` (recording who,
/// when and the note or reason), then completes or reopens the sheet (see
/// the module's notes). Asking for the state the item already has changes
/// nothing.
pub fn tick(
    conn: &mut DbConn,
    sheet_id: i64,
    item_id: i64,
    request: &TickItem,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<SheetDetail, DbError> {
    let user_id = actor.user_id;
    let today = now.date();
    write_tx(conn, |conn| {
        let started_on: NaiveDate = sheets::table
            .find(sheet_id)
            .select(sheets::started_on)
            .first(conn)?;
        let sheet = parties(conn, sheet_id)?;
        super::authorize(actor, |who| can_tick_sheet(who, sheet))?;
        let exists: i64 = sheet_items::table
            .filter(sheet_items::id.eq(item_id))
            .filter(sheet_items::sheet_id.eq(sheet_id))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            return Err(DbError::NotFound);
        }
        let note = request
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        let changed = if request.done {
            let done_on = request.done_on.unwrap_or(today);
            if done_on > latest_today(today) {
                return Err(invalid("done_on", "must not be in the future"));
            }
            if done_on < started_on {
                return Err(invalid(
                    "done_on",
                    format!("must not be before the sheet started ({started_on})"),
                ));
            }
            diesel::update(
                sheet_items::table
                    .filter(sheet_items::id.eq(item_id))
                    .filter(sheet_items::done_on.is_null()),
            )
            .set((
                sheet_items::done_on.eq(done_on),
                sheet_items::done_at.eq(now),
                sheet_items::done_by.eq(user_id),
                sheet_items::note.eq(&note),
            ))
            .execute(conn)?
                > 0
        } else {
            diesel::update(
                sheet_items::table
                    .filter(sheet_items::id.eq(item_id))
                    .filter(sheet_items::done_on.is_not_null()),
            )
            .set((
                sheet_items::done_on.eq(None::<NaiveDate>),
                sheet_items::done_at.eq(None::<NaiveDateTime>),
                sheet_items::done_by.eq(None::<i64>),
                sheet_items::note.eq(None::<String>),
            ))
            .execute(conn)?
                > 0
        };
        if changed {
            diesel::insert_into(sheet_item_events::table)
                .values(&NewEvent {
                    item_id,
                    action: if request.done {
                        ItemAction::Done
                    } else {
                        ItemAction::Undone
                    }
                    .as_str()
                    .to_owned(),
                    done_on: request.done.then(|| request.done_on.unwrap_or(today)),
                    note,
                    user_id,
                    at: now,
                })
                .execute(conn)?;
            settle_completion(conn, sheet_id, actor, now)?;
        }
        Ok(())
    })?;
    detail(conn, sheet_id, today)
}

/// Sets or clears the sheet's completion date from its required items
/// (and records the completion or reopening in the audit log and as a
/// change event for the KPIs and live dashboards).
fn settle_completion(
    conn: &mut DbConn,
    sheet_id: i64,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let required: Vec<Option<NaiveDate>> = sheet_items::table
        .filter(sheet_items::sheet_id.eq(sheet_id))
        .filter(sheet_items::required.eq(true))
        .select(sheet_items::done_on)
        .load(conn)?;
    let complete = !required.is_empty() && required.iter().all(Option::is_some);
    let completed_on: Option<NaiveDate> = sheets::table
        .find(sheet_id)
        .select(sheets::completed_on)
        .first(conn)?;
    let target = match (complete, completed_on) {
        // Set once: further ticks of optional items keep the date.
        (true, Some(_)) => return Ok(()),
        (true, None) => required.into_iter().flatten().max(),
        (false, None) => return Ok(()),
        (false, Some(_)) => None,
    };
    diesel::update(sheets::table.find(sheet_id))
        .set((sheets::completed_on.eq(target), sheets::updated_at.eq(now)))
        .execute(conn)?;
    let account_id: Option<i64> = sheets::table
        .find(sheet_id)
        .select(sheets::account_id)
        .first(conn)?;
    events::record(conn, ChangeKind::SheetCompletion, account_id)?;
    let (kind, summary) = match target {
        Some(day) => (
            AuditKind::SheetCompleted,
            format!("Sheet {sheet_id} completed on {day}: every required item is done."),
        ),
        None => (
            AuditKind::SheetReopened,
            format!("Sheet {sheet_id} reopened: a required item was unticked."),
        ),
    };
    audit::record(
        conn,
        actor,
        Event::new(kind, summary).target(
            AuditTarget::Sheet,
            Some(sheet_id),
            format!("#{sheet_id}"),
        ),
    )?;
    Ok(())
}

/// Deletes sheet `id` with its items and history.
pub fn delete(conn: &mut DbConn, id: i64, actor: &Actor) -> Result<(), DbError> {
    write_tx(conn, |conn| {
        let (name_en, name_ja, account_id): (Option<String>, Option<String>, Option<i64>) =
            sheets::table
                .find(id)
                .select((sheets::name_en, sheets::name_ja, sheets::account_id))
                .first(conn)?;
        diesel::delete(sheets::table.find(id)).execute(conn)?;
        if account_id.is_some() {
            events::record(conn, ChangeKind::SheetCompletion, account_id)?;
        }
        let name = Texts {
            en: name_en,
            ja: name_ja,
        };
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::SheetDeleted,
                format!("Deleted sheet {id} (“{}”).", name.show(Language::En)),
            )
            .target(AuditTarget::Sheet, Some(id), format!("#{id}")),
        )?;
        Ok(())
    })
}

/// Onboarding completion rate and time to value of the customer sheets of
/// the period (accounts filtered by `q`), computed by
/// `kizuna_shared::metrics::kpi::onboarding_kpis` as of `today`.
pub fn kpis(
    conn: &mut DbConn,
    q: &OnboardingKpiQuery,
    today: NaiveDate,
) -> Result<OnboardingSummary, DbError> {
    let period = Period::new(q.from, q.months).map_err(|e| invalid("from", e.to_string()))?;
    let mut query = sheets::table
        .inner_join(accounts::table)
        .filter(sheets::kind.eq(SheetKind::Customer.as_str()))
        .into_boxed::<DbBackend>();
    if let Some(owner) = q.owner {
        query = query.filter(accounts::owner_id.eq(owner));
    }
    if let Some(tier) = q.tier {
        query = query.filter(refs::tier_condition!(tier));
    }
    let rows: Vec<(i64, NaiveDate, Option<NaiveDate>, Option<NaiveDate>)> = query
        .select((
            accounts::id,
            sheets::started_on,
            sheets::completed_on,
            accounts::contract_start,
        ))
        .load(conn)?;
    let starts: BTreeMap<i64, NaiveDate> = rows
        .iter()
        .filter_map(|(a, _, _, start)| Some((*a, (*start)?)))
        .collect();
    let sheets: Vec<OnboardingSheet<i64>> = rows
        .iter()
        .map(|(a, started_on, completed_on, _)| OnboardingSheet {
            account: *a,
            started_on: *started_on,
            completed_on: *completed_on,
        })
        .collect();
    let k = onboarding_kpis(&sheets, |a| starts.get(a).copied(), period, today);
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    Ok(OnboardingSummary {
        from: period.first_day(),
        to: period.last_day(),
        sheets_started: count(k.sheets_started),
        sheets_completed: count(k.sheets_completed),
        completion_pct: k.onboarding_completion_pct,
        ttv_completions: count(k.ttv_completions),
        ttv_median_days: k.ttv_median_days,
    })
}
