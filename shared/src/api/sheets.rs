//! Onboarding sheets in the API: templates (checklists of items with phase,
//! due offset, responsible role and required flag), sheets started from
//! them for an account (customer onboarding) or a new team member
//! (enablement), ticking items, and the onboarding KPIs of a period.

use chrono::{DateTime, NaiveDate, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

use super::surveys::{AccountRef, Texts};
use super::{UserSummary, MAX_PER_PAGE};
use crate::domain::{ResponsibleRole, SheetKind, SheetPhase, Tier};
use crate::metrics::Month;

/// Longest item title or template name, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// Longest item or template description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;

/// Most items in a template.
pub const MAX_TEMPLATE_ITEMS: usize = 100;

/// Latest due offset of an item, in days from the sheet's start.
pub const MAX_DUE_OFFSET_DAYS: i32 = 730;

/// Longest note on a tick or untick, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;

fn title_text(value: &Texts, _ctx: &()) -> garde::Result {
    value.check(MAX_TITLE_CHARS, true)
}

fn description_text(value: &Texts, _ctx: &()) -> garde::Result {
    value.check(MAX_DESCRIPTION_CHARS, false)
}

fn items_rules(items: &[TemplateItemInput], _ctx: &()) -> garde::Result {
    if !items.iter().any(|i| i.required) {
        return Err(garde::Error::new(
            "need at least one required item (a sheet completes when its required items are done)",
        ));
    }
    Ok(())
}

/// An item of a template as a manager writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateItemInput {
    /// What to do.
    #[garde(custom(title_text))]
    pub title: Texts,
    /// How, and what "done" means.
    #[serde(default)]
    #[garde(custom(description_text))]
    pub description: Texts,
    /// Onboarding, adoption or renewal.
    #[garde(skip)]
    pub phase: SheetPhase,
    /// Due this many days after the sheet starts (0–730).
    #[garde(range(min = 0, max = MAX_DUE_OFFSET_DAYS))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 730))]
    pub due_offset_days: i32,
    /// Who does it.
    #[garde(skip)]
    pub role: ResponsibleRole,
    /// Whether the sheet needs it to complete.
    #[garde(skip)]
    pub required: bool,
}

/// `POST /api/v1/sheet-templates` (managers): a template; its items in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    /// Name.
    #[garde(custom(title_text))]
    pub name: Texts,
    /// What the template is for.
    #[serde(default)]
    #[garde(custom(description_text))]
    pub description: Texts,
    /// For customer accounts or for new team members.
    #[garde(skip)]
    pub kind: SheetKind,
    /// Started automatically for new accounts of this tier (customer
    /// templates only; one template per tier: setting it here takes it
    /// from the template that had it).
    #[serde(default)]
    #[garde(skip)]
    pub tier: Option<Tier>,
    /// The items, in order (1–100, at least one required).
    #[garde(length(min = 1, max = MAX_TEMPLATE_ITEMS), custom(items_rules), dive)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub items: Vec<TemplateItemInput>,
}

/// `PUT /api/v1/sheet-templates/{id}` (managers): the template's new
/// settings and items (the list replaces the old one: reorder, edit, add,
/// remove), whether it is archived, and the `version` it was read at.
/// Sheets already started keep the items they were started with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTemplate {
    /// The settings and items.
    #[garde(dive)]
    pub template: TemplateInput,
    /// Archived templates cannot be started and lose their tier.
    #[serde(default)]
    #[garde(skip)]
    pub archived: bool,
    /// The version the change was made from (409 when stale).
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
}

/// An item of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateItem {
    /// Item id.
    pub id: i64,
    /// 1-based position.
    pub position: i32,
    /// What to do.
    pub title: Texts,
    /// How, and what "done" means.
    pub description: Texts,
    /// Phase.
    pub phase: SheetPhase,
    /// Due this many days after the start.
    pub due_offset_days: i32,
    /// Who does it.
    pub role: ResponsibleRole,
    /// Needed for completion.
    pub required: bool,
}

/// A template with its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetTemplate {
    /// Template id.
    pub id: i64,
    /// Name.
    pub name: Texts,
    /// What it is for.
    pub description: Texts,
    /// Customer or teammate.
    pub kind: SheetKind,
    /// The tier whose new accounts get it automatically.
    pub tier: Option<Tier>,
    /// Shipped with Kizuna.
    pub builtin: bool,
    /// Archived templates cannot be started.
    pub archived: bool,
    /// The items in order.
    pub items: Vec<TemplateItem>,
    /// Sheets started from it.
    pub sheets: u64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Row version for optimistic concurrency.
    pub version: i64,
}

/// Query of `GET /api/v1/sheet-templates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct TemplateQuery {
    /// Include archived templates (default: no).
    #[garde(skip)]
    pub archived: Option<bool>,
    /// Only customer or only teammate templates.
    #[garde(skip)]
    pub kind: Option<SheetKind>,
}

/// `POST /api/v1/sheets`: start a template for an account (customer
/// templates) or a team member (teammate templates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StartSheet {
    /// The template.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub template_id: i64,
    /// The account (customer templates).
    #[serde(default)]
    #[garde(inner(range(min = 1)))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub account_id: Option<i64>,
    /// The new team member (teammate templates).
    #[serde(default)]
    #[garde(inner(range(min = 1)))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub member_id: Option<i64>,
    /// Who guides a new team member (their mentor or manager; teammate
    /// sheets only; customer sheets belong to the account's owner).
    #[serde(default)]
    #[garde(inner(range(min = 1)))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub owner_id: Option<i64>,
    /// The first day (default: today); items are due this many days later.
    #[serde(default)]
    #[garde(skip)]
    pub started_on: Option<NaiveDate>,
}

/// How far a sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetProgress {
    /// Items.
    pub items: u32,
    /// Items done.
    pub done: u32,
    /// Required items.
    pub required: u32,
    /// Required items done.
    pub required_done: u32,
    /// Items not done past their due date.
    pub overdue: u32,
}

/// A sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sheet {
    /// Sheet id.
    pub id: i64,
    /// The template it was started from (if it still exists).
    pub template_id: Option<i64>,
    /// The template's name when the sheet started.
    pub name: Texts,
    /// Customer or teammate.
    pub kind: SheetKind,
    /// The account (customer sheets).
    pub account: Option<AccountRef>,
    /// The new team member (teammate sheets).
    pub member: Option<UserSummary>,
    /// Who is responsible: the account's owner, or the member's guide.
    pub owner: Option<UserSummary>,
    /// First day.
    pub started_on: NaiveDate,
    /// The day the last required item was done (cleared if the sheet is
    /// reopened by unticking a required item).
    pub completed_on: Option<NaiveDate>,
    /// Counts of items.
    pub progress: SheetProgress,
    /// Earliest due date of the items not done.
    pub next_due_on: Option<NaiveDate>,
}

string_enum!(
    /// What happened to an item.
    ItemAction, "item action", {
        /// Ticked.
        Done => "done",
        /// Unticked (with the reason).
        Undone => "undone",
    }
);

/// One tick or untick of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemEvent {
    /// Ticked or unticked.
    pub action: ItemAction,
    /// The note (a tick) or the reason (an untick).
    pub note: Option<String>,
    /// The day the item was done (ticks).
    pub done_on: Option<NaiveDate>,
    /// Who.
    pub user: Option<UserSummary>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An item of a sheet (copied from the template when the sheet started).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetItem {
    /// Item id.
    pub id: i64,
    /// 1-based position.
    pub position: i32,
    /// What to do.
    pub title: Texts,
    /// How.
    pub description: Texts,
    /// Phase.
    pub phase: SheetPhase,
    /// Due date.
    pub due_on: NaiveDate,
    /// Who does it.
    pub role: ResponsibleRole,
    /// Needed for completion.
    pub required: bool,
    /// The day it was done (`null`: not done).
    pub done_on: Option<NaiveDate>,
    /// Who ticked it.
    pub done_by: Option<UserSummary>,
    /// The note of the tick.
    pub note: Option<String>,
    /// Not done and past its due date.
    pub overdue: bool,
    /// Every tick and untick, oldest first.
    pub events: Vec<ItemEvent>,
}

/// `GET /api/v1/sheets/{id}`: a sheet with its items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SheetDetail {
    /// The sheet.
    pub sheet: Sheet,
    /// Its items in order.
    pub items: Vec<SheetItem>,
}

string_enum!(
    /// Whether a sheet is complete.
    SheetStatus, "sheet status", {
        /// Required items remain.
        InProgress => "in_progress",
        /// Every required item is done.
        Completed => "completed",
    }
);

/// Query of `GET /api/v1/sheets`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct SheetQuery {
    /// 1-based page number (default 1).
    #[garde(range(min = 1, max = 1_000_000))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// Page size (default 50, at most 500).
    #[garde(range(min = 1, max = MAX_PER_PAGE))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub per_page: Option<u32>,
    /// Only sheets this user is responsible for (account owner or guide).
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub owner: Option<i64>,
    /// Only customer sheets of accounts in this tier.
    #[garde(skip)]
    pub tier: Option<Tier>,
    /// Only sheets with (`true`) or without (`false`) overdue items.
    #[garde(skip)]
    pub overdue: Option<bool>,
    /// Only customer or only teammate sheets.
    #[garde(skip)]
    pub kind: Option<SheetKind>,
    /// Only sheets in progress or only completed ones.
    #[garde(skip)]
    pub status: Option<SheetStatus>,
    /// Only this account's sheets.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub account: Option<i64>,
    /// Only this team member's sheets.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub member: Option<i64>,
}

fn note_rules<'a>(done: &'a bool) -> impl FnOnce(&Option<String>, &()) -> garde::Result + 'a {
    move |note, _| {
        let text = note.as_deref().map(str::trim).unwrap_or_default();
        if !*done && text.is_empty() {
            return Err(garde::Error::new("a reason is required to untick an item"));
        }
        if text.chars().count() > MAX_NOTE_CHARS {
            return Err(garde::Error::new(format!(
                "must be at most {MAX_NOTE_CHARS} characters"
            )));
        }
        Ok(())
    }
}

/// `PUT /api/v1/sheets/{id}/items/{item_id}`: tick an item (optionally
/// with a note and the day it was done) or untick it (with the reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TickItem {
    /// Done or not.
    #[garde(skip)]
    pub done: bool,
    /// A note (ticking) or the reason (unticking; required).
    #[serde(default)]
    #[garde(custom(note_rules(&self.done)))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub note: Option<String>,
    /// The day it was done (default today; not before the sheet's start,
    /// not in the future).
    #[serde(default)]
    #[garde(skip)]
    pub done_on: Option<NaiveDate>,
}

/// Query of `GET /api/v1/sheets/kpis`: the period, as its first month and
/// length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct OnboardingKpiQuery {
    /// First month, `YYYY-MM`.
    #[garde(skip)]
    #[cfg_attr(
        feature = "openapi",
        param(value_type = String, pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")
    )]
    pub from: Month,
    /// Length in months (1 = month, 3 = quarter, 12 = year; at most 36).
    #[garde(range(min = 1, max = 36))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 36))]
    pub months: u32,
    /// Only accounts in this tier.
    #[serde(default)]
    #[garde(skip)]
    pub tier: Option<Tier>,
    /// Only accounts owned by this user.
    #[serde(default)]
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub owner: Option<i64>,
}

/// Onboarding completion rate and time to value of customer sheets,
/// computed by [`crate::metrics::kpi::onboarding_kpis`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnboardingSummary {
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period.
    pub to: NaiveDate,
    /// Sheets started in the period.
    pub sheets_started: u64,
    /// Of those, completed (by today).
    pub sheets_completed: u64,
    /// Completed ÷ started × 100.
    pub completion_pct: Option<f64>,
    /// Sheets completed in the period whose account has a contract start.
    pub ttv_completions: u64,
    /// Median days from contract start to completion.
    pub ttv_median_days: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(required: bool) -> TemplateItemInput {
        TemplateItemInput {
            title: Texts::new("Goal setting", "ゴールの設定"),
            description: Texts::default(),
            phase: SheetPhase::Onboarding,
            due_offset_days: 7,
            role: ResponsibleRole::Csm,
            required,
        }
    }

    #[test]
    fn a_template_needs_a_required_item() {
        let mut t = TemplateInput {
            name: Texts::new("High touch", "ハイタッチ"),
            description: Texts::default(),
            kind: SheetKind::Customer,
            tier: Some(Tier::High),
            items: vec![item(false)],
        };
        assert!(t.validate().is_err());
        t.items.push(item(true));
        assert!(t.validate().is_ok());
        t.items[1].due_offset_days = 731;
        assert!(t.validate().is_err());
    }

    #[test]
    fn unticking_needs_a_reason() {
        let untick = TickItem {
            done: false,
            note: Some("  ".into()),
            done_on: None,
        };
        assert!(untick.validate().is_err());
        let tick = TickItem {
            done: true,
            note: None,
            done_on: None,
        };
        assert!(tick.validate().is_ok());
    }
}
