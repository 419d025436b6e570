//! Surveys in the API: NPS and CSAT surveys, answers (recorded by a CSM on a
//! call, or given by the customer through a personal link), the links
//! themselves, the public answer page's contract, the score summary, and
//! the follow-up tasks a negative answer creates.

use chrono::{DateTime, NaiveDate, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

use super::{UserSummary, MAX_PER_PAGE};
use crate::domain::{
    AnswerChannel, Language, LinkStatus, ScoreGroup, SurveyKind, TaskKind, TaskStatus, Tier,
};
use crate::metrics::kpi::{Csat, Nps};
use crate::metrics::Month;

/// Longest survey question or follow-up question, in characters.
pub const MAX_QUESTION_CHARS: usize = 500;

/// Longest answer comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;

/// Most links issued by one request.
pub const MAX_LINKS_PER_REQUEST: usize = 500;

/// Longest lifetime of a personal link, in days.
pub const MAX_LINK_DAYS: u16 = 90;

/// Lifetime of a personal link when the request names none, in days.
pub const DEFAULT_LINK_DAYS: u16 = 14;

/// A text in English and Japanese; either may be missing. Customer-facing
/// and shared texts (survey questions, sheet items) are written in both
/// languages where the team can, and shown in the reader's language, else
/// in the other one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Texts {
    /// English.
    #[serde(default)]
    pub en: Option<String>,
    /// Japanese.
    #[serde(default)]
    pub ja: Option<String>,
}

impl Texts {
    /// Both texts.
    pub fn new(en: impl Into<String>, ja: impl Into<String>) -> Self {
        Texts {
            en: Some(en.into()),
            ja: Some(ja.into()),
        }
    }

    /// The text in `lang`, else in the other language (`None` when neither
    /// is written).
    pub fn get(&self, lang: Language) -> Option<&str> {
        let pick = |l: Language| match l {
            Language::En => self.en.as_deref(),
            Language::Ja => self.ja.as_deref(),
        };
        pick(lang).or_else(|| pick(lang.other()))
    }

    /// [`get`](Self::get), or the empty string.
    pub fn show(&self, lang: Language) -> &str {
        self.get(lang).unwrap_or_default()
    }

    /// Whether neither text is written.
    pub fn is_empty(&self) -> bool {
        self.en.is_none() && self.ja.is_none()
    }

    /// The same texts trimmed, blank ones removed.
    pub fn trimmed(&self) -> Texts {
        let clean = |t: &Option<String>| {
            t.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        Texts {
            en: clean(&self.en),
            ja: clean(&self.ja),
        }
    }

    /// Checks each text's length (at most `max` characters, not blank) and,
    /// when `required`, that at least one is written.
    pub fn check(&self, max: usize, required: bool) -> garde::Result {
        for text in [&self.en, &self.ja].into_iter().flatten() {
            if text.trim().is_empty() {
                return Err(garde::Error::new(
                    "must not be blank (leave the language out instead)",
                ));
            }
            if text.chars().count() > max {
                return Err(garde::Error::new(format!(
                    "must be at most {max} characters"
                )));
            }
        }
        if required && self.is_empty() {
            return Err(garde::Error::new(
                "is required in English or Japanese (or both)",
            ));
        }
        Ok(())
    }
}

fn question_text(value: &Texts, _ctx: &()) -> garde::Result {
    value.check(MAX_QUESTION_CHARS, true)
}

fn optional_question_text(value: &Texts, _ctx: &()) -> garde::Result {
    value.check(MAX_QUESTION_CHARS, false)
}

fn not_blank(value: &str, _ctx: &()) -> garde::Result {
    if value.trim().is_empty() {
        Err(garde::Error::new("is required"))
    } else {
        Ok(())
    }
}

fn optional_comment(value: &Option<String>, _ctx: &()) -> garde::Result {
    match value {
        Some(v) if v.chars().count() > MAX_COMMENT_CHARS => Err(garde::Error::new(format!(
            "must be at most {MAX_COMMENT_CHARS} characters"
        ))),
        _ => Ok(()),
    }
}

/// `POST /api/v1/surveys` (managers): a survey's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveyInput {
    /// NPS (0–10) or CSAT (1–5). Cannot change once the survey has answers.
    #[garde(skip)]
    pub kind: SurveyKind,
    /// Name staff see (e.g. "Relationship NPS 2026 H1").
    #[garde(length(chars, max = 120), custom(not_blank))]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 120, pattern = r"\S")
    )]
    pub name: String,
    /// The question, in English and/or Japanese ("How likely are you to
    /// recommend … to a friend or colleague?").
    #[garde(custom(question_text))]
    pub question: Texts,
    /// The optional follow-up question ("Why?") above the comment box.
    #[serde(default)]
    #[garde(custom(optional_question_text))]
    pub follow_up: Texts,
    /// First day answers are taken (none: from now on).
    #[serde(default)]
    #[garde(skip)]
    pub opens_on: Option<NaiveDate>,
    /// Last day answers are taken (none: no end).
    #[serde(default)]
    #[garde(custom(super::on_or_after(&self.opens_on, "opening date")))]
    pub closes_on: Option<NaiveDate>,
}

/// `PUT /api/v1/surveys/{id}` (managers): new settings, whether the survey
/// is archived, and the `version` they were read at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateSurvey {
    /// The settings.
    #[garde(dive)]
    pub survey: SurveyInput,
    /// Archived surveys take no answers and are hidden from pickers.
    #[serde(default)]
    #[garde(skip)]
    pub archived: bool,
    /// The version the change was made from (409 when stale).
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
}

string_enum!(
    /// Where a survey stands on a given day.
    SurveyState, "survey state", {
        /// Opens later.
        Scheduled => "scheduled",
        /// Takes answers.
        Open => "open",
        /// Past its closing date.
        Closed => "closed",
        /// Archived by a manager.
        Archived => "archived",
    }
);

impl SurveyState {
    /// The state on `today` of a survey with these dates.
    pub fn on(
        today: NaiveDate,
        opens_on: Option<NaiveDate>,
        closes_on: Option<NaiveDate>,
        archived: bool,
    ) -> SurveyState {
        if archived {
            SurveyState::Archived
        } else if opens_on.is_some_and(|o| today < o) {
            SurveyState::Scheduled
        } else if closes_on.is_some_and(|c| today > c) {
            SurveyState::Closed
        } else {
            SurveyState::Open
        }
    }
}

/// A survey as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Survey {
    /// Survey id.
    pub id: i64,
    /// NPS or CSAT.
    pub kind: SurveyKind,
    /// Name staff see.
    pub name: String,
    /// The question.
    pub question: Texts,
    /// The follow-up question.
    pub follow_up: Texts,
    /// First day answers are taken.
    pub opens_on: Option<NaiveDate>,
    /// Last day answers are taken.
    pub closes_on: Option<NaiveDate>,
    /// Archived by a manager.
    pub archived: bool,
    /// Where the survey stands today (UTC).
    pub state: SurveyState,
    /// Answers so far.
    pub responses: u64,
    /// Links that can still be answered.
    pub open_links: u64,
    /// Who created it.
    pub created_by: Option<UserSummary>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Row version for optimistic concurrency.
    pub version: i64,
}

/// Query of `GET /api/v1/surveys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct SurveyQuery {
    /// 1-based page number (default 1).
    #[garde(range(min = 1, max = 1_000_000))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// Page size (default 50, at most 500).
    #[garde(range(min = 1, max = MAX_PER_PAGE))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub per_page: Option<u32>,
    /// Include archived surveys (default: no).
    #[garde(skip)]
    pub archived: Option<bool>,
    /// Only surveys of this kind.
    #[garde(skip)]
    pub kind: Option<SurveyKind>,
}

/// An account as other resources name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRef {
    /// Account id.
    pub id: i64,
    /// Company name.
    pub name: String,
    /// Coverage tier.
    pub tier: Tier,
}

/// A contact as other resources name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactRef {
    /// Contact id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// `POST /api/v1/surveys/{id}/responses`: an answer heard on a call, entered
/// by the CSM (recorded with channel `call` and the CSM as `entered_by`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordAnswer {
    /// The answering account.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub account_id: i64,
    /// The person who answered (one of the account's contacts).
    #[serde(default)]
    #[garde(inner(range(min = 1)))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub contact_id: Option<i64>,
    /// The score: 0–10 for NPS, 1–5 for CSAT.
    #[garde(range(max = 10))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10))]
    pub score: u8,
    /// What they said.
    #[serde(default)]
    #[garde(custom(optional_comment))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub comment: Option<String>,
    /// The day of the call (default: today); not in the future.
    #[serde(default)]
    #[garde(skip)]
    pub answered_on: Option<NaiveDate>,
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyResponse {
    /// Response id.
    pub id: i64,
    /// The survey.
    pub survey_id: i64,
    /// NPS or CSAT.
    pub kind: SurveyKind,
    /// The score.
    pub score: u8,
    /// Promoter/satisfied, passive/neutral or detractor/dissatisfied.
    pub group: ScoreGroup,
    /// What they said.
    pub comment: Option<String>,
    /// `call` (entered by a CSM) or `link` (given by the customer).
    pub channel: AnswerChannel,
    /// The account.
    pub account: AccountRef,
    /// The account's owner now.
    pub owner: Option<UserSummary>,
    /// The person who answered, when known.
    pub contact: Option<ContactRef>,
    /// The CSM who entered a proxy answer.
    pub entered_by: Option<UserSummary>,
    /// The day of the answer.
    pub answered_on: NaiveDate,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// The follow-up task the answer created, if any.
    pub task_id: Option<i64>,
}

/// Filters of `GET /api/v1/surveys/{id}/responses`, its CSV export and its
/// summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct ResponseQuery {
    /// 1-based page number (default 1; ignored by the export and summary).
    #[garde(range(min = 1, max = 1_000_000))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// Page size (default 50, at most 500).
    #[garde(range(min = 1, max = MAX_PER_PAGE))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub per_page: Option<u32>,
    /// Answers on or after this day.
    #[garde(skip)]
    pub from: Option<NaiveDate>,
    /// Answers on or before this day.
    #[garde(custom(super::on_or_after(&self.from, "`from` date")))]
    pub to: Option<NaiveDate>,
    /// Only accounts in this segment (coverage tier, by current MRR).
    #[garde(skip)]
    pub tier: Option<Tier>,
    /// Only accounts owned by this user.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub owner: Option<i64>,
    /// Only this score group.
    #[garde(skip)]
    pub group: Option<ScoreGroup>,
    /// Only answers through this channel.
    #[garde(skip)]
    pub channel: Option<AnswerChannel>,
    /// Only this account's answers.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub account: Option<i64>,
}

/// Score statistics of a set of answers of one kind: the three groups'
/// counts, the score (NPS −100…100, or CSAT % satisfied) and its 95 % margin
/// of error, computed by [`crate::metrics::kpi::nps`] or
/// [`crate::metrics::kpi::csat`].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreStats {
    /// Answers counted.
    pub responses: u64,
    /// Promoters (NPS 9–10) or satisfied (CSAT 4–5).
    pub positive: u64,
    /// Passives (NPS 7–8) or neutral (CSAT 3).
    pub neutral: u64,
    /// Detractors (NPS 0–6) or dissatisfied (CSAT 1–2).
    pub negative: u64,
    /// NPS, or CSAT in % (`null` without answers).
    pub score: Option<f64>,
    /// 95 % margin of error of `score`, in points.
    pub moe95: Option<f64>,
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl From<Nps> for ScoreStats {
    fn from(n: Nps) -> Self {
        ScoreStats {
            responses: count(n.responses),
            positive: count(n.promoters),
            neutral: count(n.passives),
            negative: count(n.detractors),
            score: n.nps,
            moe95: n.moe95,
        }
    }
}

impl From<Csat> for ScoreStats {
    fn from(c: Csat) -> Self {
        ScoreStats {
            responses: count(c.responses),
            positive: count(c.satisfied),
            neutral: count(c.neutral),
            negative: count(c.dissatisfied),
            score: c.pct,
            moe95: c.moe95,
        }
    }
}

impl ScoreStats {
    /// The statistics of `scores` for a survey of `kind`.
    pub fn of(kind: SurveyKind, scores: impl IntoIterator<Item = u8>) -> ScoreStats {
        match kind {
            SurveyKind::Nps => crate::metrics::kpi::nps(scores).into(),
            SurveyKind::Csat => crate::metrics::kpi::csat(scores).into(),
        }
    }
}

/// Score statistics of one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthStats {
    /// The month (`YYYY-MM`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^\d{4}-\d{2}$"))]
    pub month: Month,
    /// Its statistics.
    pub stats: ScoreStats,
}

/// Score statistics of one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierStats {
    /// The segment.
    pub tier: Tier,
    /// Its statistics.
    pub stats: ScoreStats,
}

/// Score statistics of one channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChannelStats {
    /// The channel.
    pub channel: AnswerChannel,
    /// Its statistics.
    pub stats: ScoreStats,
}

/// `GET /api/v1/surveys/{id}/summary`: NPS or CSAT of the answers matching
/// the filters, overall and per month, segment and channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveySummary {
    /// NPS or CSAT.
    pub kind: SurveyKind,
    /// All matching answers.
    pub overall: ScoreStats,
    /// Per month of the answer date, oldest first (months without answers
    /// left out).
    pub by_month: Vec<MonthStats>,
    /// Per segment (tier), high to tech.
    pub by_tier: Vec<TierStats>,
    /// Per channel: proxy answers (`call`) and direct ones (`link`).
    pub by_channel: Vec<ChannelStats>,
}

/// Who a link is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkTarget {
    /// The account.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub account_id: i64,
    /// The contact (one of the account's).
    #[serde(default)]
    #[garde(inner(range(min = 1)))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub contact_id: Option<i64>,
}

/// `POST /api/v1/surveys/{id}/links`: issue personal links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssueLinks {
    /// One link per target (1–500).
    #[garde(length(min = 1, max = MAX_LINKS_PER_REQUEST), dive)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub targets: Vec<LinkTarget>,
    /// Days until the links expire (1–90, default 14).
    #[serde(default)]
    #[garde(inner(range(min = 1, max = MAX_LINK_DAYS)))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub expires_in_days: Option<u16>,
    /// The page's language (default: each account's language).
    #[serde(default)]
    #[garde(skip)]
    pub language: Option<Language>,
}

/// A personal survey link (its token is never stored; see [`IssuedLink`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyLink {
    /// Link id.
    pub id: i64,
    /// The survey.
    pub survey_id: i64,
    /// The account.
    pub account: AccountRef,
    /// The contact.
    pub contact: Option<ContactRef>,
    /// The answer page's language.
    pub language: Language,
    /// Open, answered, expired or revoked.
    pub status: LinkStatus,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was answered.
    pub used_at: Option<DateTime<Utc>>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// Who issued it.
    pub created_by: Option<UserSummary>,
}

/// A newly issued link with its secret path, shown this once: only a hash
/// of the token is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedLink {
    /// The link.
    pub link: SurveyLink,
    /// `/s/<token>`: the answer page (prefix the server's origin).
    pub path: String,
}

/// Query of `GET /api/v1/surveys/{id}/links`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct LinkQuery {
    /// 1-based page number (default 1).
    #[garde(range(min = 1, max = 1_000_000))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// Page size (default 50, at most 500).
    #[garde(range(min = 1, max = MAX_PER_PAGE))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub per_page: Option<u32>,
    /// Only links in this state.
    #[garde(skip)]
    pub status: Option<LinkStatus>,
    /// Only this account's links.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub account: Option<i64>,
}

/// `GET /api/public/surveys/{token}`: what the answer page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicSurvey {
    /// NPS or CSAT.
    pub kind: SurveyKind,
    /// The language of the texts below.
    pub language: Language,
    /// The question.
    pub question: String,
    /// The follow-up question above the comment box.
    pub follow_up: Option<String>,
    /// Lowest score.
    pub min_score: u8,
    /// Highest score.
    pub max_score: u8,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// `POST /api/public/surveys/{token}`: the customer's answer. Unknown fields
/// are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublicAnswer {
    /// The score: 0–10 for NPS, 1–5 for CSAT.
    #[garde(range(max = 10))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10))]
    pub score: u8,
    /// Why (optional).
    #[serde(default)]
    #[garde(custom(optional_comment))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub comment: Option<String>,
}

/// The answer to a successful `POST /api/public/surveys/{token}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicAnswerReceipt {
    /// When the answer was recorded.
    pub answered_at: DateTime<Utc>,
}

/// A task: something someone must do for an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    /// Task id.
    pub id: i64,
    /// Why it exists.
    pub kind: TaskKind,
    /// Open or done.
    pub status: TaskStatus,
    /// The reason in one sentence (e.g. the detractor's score and comment).
    pub reason: String,
    /// Due date.
    pub due_on: NaiveDate,
    /// The account.
    pub account: Option<AccountRef>,
    /// Who must do it.
    pub owner: Option<UserSummary>,
    /// The account's owner now (who, beside the task's owner, may complete
    /// it: `domain::can_change_task`).
    pub account_owner_id: Option<i64>,
    /// The survey answer that created it.
    pub response_id: Option<i64>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
    /// Who marked it done.
    pub done_by: Option<UserSummary>,
}

/// Query of `GET /api/v1/tasks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// 1-based page number (default 1).
    #[garde(range(min = 1, max = 1_000_000))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// Page size (default 50, at most 500).
    #[garde(range(min = 1, max = MAX_PER_PAGE))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub per_page: Option<u32>,
    /// Only tasks of this user.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub owner: Option<i64>,
    /// Only tasks of this account.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub account: Option<i64>,
    /// Only open or only done tasks.
    #[garde(skip)]
    pub status: Option<TaskStatus>,
}

/// `PATCH /api/v1/tasks/{id}`: mark a task done (or open again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    /// The new status.
    #[garde(skip)]
    pub status: TaskStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_fall_back_to_the_other_language() {
        let only_ja = Texts {
            en: None,
            ja: Some("推奨度".into()),
        };
        assert_eq!(only_ja.get(Language::En), Some("推奨度"));
        assert_eq!(Texts::default().get(Language::Ja), None);
        assert!(Texts::default().check(10, true).is_err());
        assert!(Texts::default().check(10, false).is_ok());
        let blank = Texts {
            en: Some("  ".into()),
            ja: None,
        };
        assert!(blank.check(10, false).is_err());
        assert_eq!(blank.trimmed(), Texts::default());
        assert!(Texts::new("a".repeat(11), "b").check(10, true).is_err());
    }

    #[test]
    fn survey_dates_and_texts_are_checked() {
        let mut input = SurveyInput {
            kind: SurveyKind::Nps,
            name: "Q2 NPS".into(),
            question: Texts::new("How likely…?", "おすすめしますか？"),
            follow_up: Texts::default(),
            opens_on: NaiveDate::from_ymd_opt(2026, 4, 1),
            closes_on: NaiveDate::from_ymd_opt(2026, 3, 31),
        };
        let errors = super::super::FieldError::from_report(&input.validate().unwrap_err());
        assert_eq!(errors[0].field, "closes_on");
        input.closes_on = None;
        assert!(input.validate().is_ok());
        input.question = Texts::default();
        assert!(input.validate().is_err());
    }

    #[test]
    fn states_follow_the_dates() {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        let today = d("2026-04-10").unwrap();
        assert_eq!(
            SurveyState::on(today, d("2026-04-11"), None, false),
            SurveyState::Scheduled
        );
        assert_eq!(
            SurveyState::on(today, d("2026-04-10"), d("2026-04-10"), false),
            SurveyState::Open
        );
        assert_eq!(
            SurveyState::on(today, None, d("2026-04-09"), false),
            SurveyState::Closed
        );
        assert_eq!(
            SurveyState::on(today, None, None, true),
            SurveyState::Archived
        );
    }

    #[test]
    fn score_stats_come_from_the_shared_metrics() {
        let nps = ScoreStats::of(SurveyKind::Nps, [10, 9, 8, 6, 3]);
        assert_eq!(
            (nps.responses, nps.positive, nps.neutral, nps.negative),
            (5, 2, 1, 2)
        );
        assert_eq!(nps.score, Some(0.0));
        let csat = ScoreStats::of(SurveyKind::Csat, [5, 4, 3, 1]);
        assert_eq!((csat.positive, csat.neutral, csat.negative), (2, 1, 1));
        assert_eq!(csat.score, Some(50.0));
        assert!(csat.moe95.is_some());
    }
}
