//! Queries on `sheet_templates` and `sheet_template_items`: the checklist
//! templates managers write (items with phase, due offset, responsible role
//! and required flag, in order), the tier defaults new accounts get, and
//! archiving. Editing a template replaces its item list; sheets already
//! started keep the copies they were started with (see `db::sheets`).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kizuna_shared::api::ProblemCode;
use kizuna_shared::api::{
    FieldError, SheetTemplate, TemplateInput, TemplateItem, TemplateQuery, Texts, UpdateTemplate,
};
use kizuna_shared::domain::{SheetKind, Tier};

use super::audit::{self, Actor, Event};
use super::schema::{sheet_template_items, sheet_templates, sheets};
use super::{write_tx, DbBackend, DbConn, DbError};
use kizuna_shared::api::{AuditKind, AuditTarget};
use kizuna_shared::domain::Language;

/// A template row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sheet_templates)]
pub struct TemplateRow {
    /// Template id.
    pub id: i64,
    kind: String,
    name_en: Option<String>,
    name_ja: Option<String>,
    description_en: Option<String>,
    description_ja: Option<String>,
    tier: Option<String>,
    /// Archived.
    pub archived: bool,
    builtin: bool,
    version: i64,
    updated_at: NaiveDateTime,
}

impl TemplateRow {
    fn corrupt(&self, e: kizuna_shared::domain::ParseEnumError) -> DbError {
        DbError::Corrupt(format!("template {}: {e}", self.id))
    }

    /// Customer or teammate.
    pub fn kind(&self) -> Result<SheetKind, DbError> {
        self.kind.parse().map_err(|e| self.corrupt(e))
    }

    /// The name in both languages.
    pub fn name(&self) -> Texts {
        Texts {
            en: self.name_en.clone(),
            ja: self.name_ja.clone(),
        }
    }
}

/// An item row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sheet_template_items)]
pub struct ItemRow {
    /// Item id.
    pub id: i64,
    /// Template id.
    pub template_id: i64,
    /// 1-based position.
    pub position: i32,
    /// Title in English.
    pub title_en: Option<String>,
    /// Title in Japanese.
    pub title_ja: Option<String>,
    /// Description in English.
    pub description_en: Option<String>,
    /// Description in Japanese.
    pub description_ja: Option<String>,
    /// Phase name.
    pub phase: String,
    /// Days after the start.
    pub due_offset_days: i32,
    /// Responsible role name.
    pub role: String,
    /// Needed for completion.
    pub required: bool,
}

impl ItemRow {
    fn into_api(self) -> Result<TemplateItem, DbError> {
        let corrupt = |e: kizuna_shared::domain::ParseEnumError| {
            DbError::Corrupt(format!("template item {}: {e}", self.id))
        };
        Ok(TemplateItem {
            id: self.id,
            position: self.position,
            phase: self.phase.parse().map_err(corrupt)?,
            role: self.role.parse().map_err(corrupt)?,
            title: Texts {
                en: self.title_en,
                ja: self.title_ja,
            },
            description: Texts {
                en: self.description_en,
                ja: self.description_ja,
            },
            due_offset_days: self.due_offset_days,
            required: self.required,
        })
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sheet_template_items)]
struct NewItem {
    template_id: i64,
    position: i32,
    title_en: Option<String>,
    title_ja: Option<String>,
    description_en: Option<String>,
    description_ja: Option<String>,
    phase: String,
    due_offset_days: i32,
    role: String,
    required: bool,
}

#[derive(Debug, AsChangeset, Insertable)]
#[diesel(table_name = sheet_templates, treat_none_as_null = true)]
struct TemplateChanges {
    kind: String,
    name_en: Option<String>,
    name_ja: Option<String>,
    description_en: Option<String>,
    description_ja: Option<String>,
    tier: Option<String>,
}

/// The items of these templates, in order, by template.
pub fn items_of(
    conn: &mut DbConn,
    template_ids: &[i64],
) -> Result<BTreeMap<i64, Vec<ItemRow>>, DbError> {
    let rows: Vec<ItemRow> = sheet_template_items::table
        .filter(sheet_template_items::template_id.eq_any(template_ids))
        .order_by((
            sheet_template_items::template_id.asc(),
            sheet_template_items::position.asc(),
        ))
        .select(ItemRow::as_select())
        .load(conn)?;
    let mut out: BTreeMap<i64, Vec<ItemRow>> = BTreeMap::new();
    for row in rows {
        out.entry(row.template_id).or_default().push(row);
    }
    Ok(out)
}

fn to_templates(conn: &mut DbConn, rows: Vec<TemplateRow>) -> Result<Vec<SheetTemplate>, DbError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut items = items_of(conn, &ids)?;
    let counts: BTreeMap<Option<i64>, i64> = sheets::table
        .filter(sheets::template_id.eq_any(&ids))
        .group_by(sheets::template_id)
        .select((sheets::template_id, diesel::dsl::count_star()))
        .load::<(Option<i64>, i64)>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|r| {
            let tier = r
                .tier
                .as_deref()
                .map(str::parse::<Tier>)
                .transpose()
                .map_err(|e| r.corrupt(e))?;
            Ok(SheetTemplate {
                id: r.id,
                kind: r.kind()?,
                name: r.name(),
                description: Texts {
                    en: r.description_en.clone(),
                    ja: r.description_ja.clone(),
                },
                tier,
                builtin: r.builtin,
                archived: r.archived,
                items: items
                    .remove(&r.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(ItemRow::into_api)
                    .collect::<Result<_, _>>()?,
                sheets: u64::try_from(counts.get(&Some(r.id)).copied().unwrap_or(0)).unwrap_or(0),
                updated_at: r.updated_at.and_utc(),
                version: r.version,
            })
        })
        .collect()
}

/// Templates matching `q`: customer ones first (by tier), then teammate
/// ones, each by name.
pub fn list(conn: &mut DbConn, q: &TemplateQuery) -> Result<Vec<SheetTemplate>, DbError> {
    let mut query = sheet_templates::table.into_boxed::<DbBackend>();
    if !q.archived.unwrap_or(false) {
        query = query.filter(sheet_templates::archived.eq(false));
    }
    if let Some(kind) = q.kind {
        query = query.filter(sheet_templates::kind.eq(kind.as_str()));
    }
    let rows = query
        .order_by((sheet_templates::kind.asc(), sheet_templates::id.asc()))
        .select(TemplateRow::as_select())
        .load(conn)?;
    to_templates(conn, rows)
}

/// Finds template `id` (not found when it does not exist).
pub fn find_row(conn: &mut DbConn, id: i64) -> Result<TemplateRow, DbError> {
    Ok(sheet_templates::table
        .find(id)
        .select(TemplateRow::as_select())
        .first(conn)?)
}

/// Template `id` with its items.
pub fn get(conn: &mut DbConn, id: i64) -> Result<SheetTemplate, DbError> {
    let row = find_row(conn, id)?;
    to_templates(conn, vec![row])?
        .pop()
        .ok_or(DbError::NotFound)
}

fn changes(input: &TemplateInput) -> Result<TemplateChanges, DbError> {
    if input.tier.is_some() && input.kind != SheetKind::Customer {
        return Err(DbError::Invalid(vec![FieldError {
            field: "tier".into(),
            message: "only customer templates start automatically for a tier".into(),
        }]));
    }
    let name = input.name.trimmed();
    let description = input.description.trimmed();
    Ok(TemplateChanges {
        kind: input.kind.as_str().to_owned(),
        name_en: name.en,
        name_ja: name.ja,
        description_en: description.en,
        description_ja: description.ja,
        tier: input.tier.map(|t| t.as_str().to_owned()),
    })
}

/// Takes `tier` from every other live template (one default per tier).
fn release_tier(conn: &mut DbConn, tier: Option<&str>, except: i64) -> Result<(), DbError> {
    if let Some(tier) = tier {
        diesel::update(
            sheet_templates::table
                .filter(sheet_templates::tier.eq(tier))
                .filter(sheet_templates::id.ne(except)),
        )
        .set(sheet_templates::tier.eq(None::<String>))
        .execute(conn)?;
    }
    Ok(())
}

fn write_items(conn: &mut DbConn, template_id: i64, input: &TemplateInput) -> Result<(), DbError> {
    diesel::delete(
        sheet_template_items::table.filter(sheet_template_items::template_id.eq(template_id)),
    )
    .execute(conn)?;
    for (i, item) in input.items.iter().enumerate() {
        let title = item.title.trimmed();
        let description = item.description.trimmed();
        diesel::insert_into(sheet_template_items::table)
            .values(&NewItem {
                template_id,
                position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                title_en: title.en,
                title_ja: title.ja,
                description_en: description.en,
                description_ja: description.ja,
                phase: item.phase.as_str().to_owned(),
                due_offset_days: item.due_offset_days,
                role: item.role.as_str().to_owned(),
                required: item.required,
            })
            .execute(conn)?;
    }
    Ok(())
}

/// Creates a template with its items.
pub fn create(
    conn: &mut DbConn,
    input: &TemplateInput,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<SheetTemplate, DbError> {
    let changes = changes(input)?;
    let id = write_tx(conn, |conn| {
        // A placeholder id (-1) releases the tier from every template.
        release_tier(conn, changes.tier.as_deref(), -1)?;
        let id: i64 = diesel::insert_into(sheet_templates::table)
            .values((
                &changes,
                sheet_templates::created_at.eq(now),
                sheet_templates::updated_at.eq(now),
            ))
            .returning(sheet_templates::id)
            .get_result(conn)?;
        write_items(conn, id, input)?;
        let name = input.name.trimmed();
        let name = name.show(Language::En);
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::TemplateCreated,
                format!(
                    "Created the template “{name}” with {} items.",
                    input.items.len()
                ),
            )
            .target(AuditTarget::SheetTemplate, Some(id), name),
        )?;
        Ok::<_, DbError>(id)
    })?;
    get(conn, id)
}

/// Changes template `id` if it is still at `update.version`: settings,
/// the whole item list, archiving (an archived template loses its tier).
pub fn update(
    conn: &mut DbConn,
    id: i64,
    update: &UpdateTemplate,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<SheetTemplate, DbError> {
    let mut changes = changes(&update.template)?;
    if update.archived {
        changes.tier = None;
    }
    write_tx(conn, |conn| {
        let current = find_row(conn, id)?;
        if current.version != update.version {
            return Err(DbError::Conflict(ProblemCode::StaleVersion, format!(
                "The template was changed by someone else (your version {}, now {}); reload it and apply your change again.",
                update.version, current.version
            )));
        }
        release_tier(conn, changes.tier.as_deref(), id)?;
        diesel::update(
            sheet_templates::table
                .filter(sheet_templates::id.eq(id))
                .filter(sheet_templates::version.eq(update.version)),
        )
        .set((
            &changes,
            sheet_templates::archived.eq(update.archived),
            sheet_templates::version.eq(sheet_templates::version + 1),
            sheet_templates::updated_at.eq(now),
        ))
        .execute(conn)?;
        let before = items_of(conn, &[id])?.remove(&id).unwrap_or_default().len();
        write_items(conn, id, &update.template)?;
        let name = update.template.name.trimmed();
        let name = name.show(Language::En);
        let changes = [
            audit::change(
                "name",
                current.name().get(Language::En).as_ref(),
                Some(&name),
            ),
            audit::change("tier", current.tier.as_ref(), changes.tier.as_ref()),
            audit::change("archived", Some(&current.archived), Some(&update.archived)),
            audit::change("items", Some(&before), Some(&update.template.items.len())),
        ];
        audit::record(
            conn,
            actor,
            Event::new(
                AuditKind::TemplateChanged,
                format!("Changed the template “{name}”."),
            )
            .target(AuditTarget::SheetTemplate, Some(id), name)
            .changes(changes.into_iter().flatten().collect()),
        )
    })?;
    get(conn, id)
}

/// The live customer template of each tier, with its items.
pub fn tier_defaults(
    conn: &mut DbConn,
) -> Result<BTreeMap<Tier, (TemplateRow, Vec<ItemRow>)>, DbError> {
    let rows: Vec<TemplateRow> = sheet_templates::table
        .filter(sheet_templates::tier.is_not_null())
        .filter(sheet_templates::archived.eq(false))
        .select(TemplateRow::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut items = items_of(conn, &ids)?;
    let mut out = BTreeMap::new();
    for row in rows {
        if let Some(tier) = row.tier.as_deref().and_then(|t| t.parse::<Tier>().ok()) {
            let its = items.remove(&row.id).unwrap_or_default();
            out.insert(tier, (row, its));
        }
    }
    Ok(out)
}
