//! The health-score API (issue 10): a team's own signal definitions and
//! versioned health models (drafts, publishing, comparison), an account's
//! score trend and breakdown.

use chrono::{DateTime, NaiveDate, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

use crate::metrics::{Band, BandComparison, Explanation, HealthModel};

string_enum!(
    /// What kind of value a signal holds.
    #[derive(Default)]
    SignalKind, "signal kind", {
        /// A number (days, %, tickets…).
        #[default]
        Number => "number",
        /// Yes (1) or no (0), e.g. "has tech support".
        YesNo => "yes_no",
    }
);

/// Longest signal key.
pub const MAX_SIGNAL_KEY: usize = 64;

/// A signal key: a lower-case ASCII letter, then letters, digits or `_`
/// (it is a CSV column header and a model's reference).
pub fn valid_signal_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some('a'..='z'))
        && key.len() <= MAX_SIGNAL_KEY
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn signal_key(value: &str, _ctx: &()) -> garde::Result {
    if valid_signal_key(value) {
        Ok(())
    } else {
        Err(garde::Error::new(format!(
            "must start with a lower-case letter and hold only a-z, 0-9 and _ (at most {MAX_SIGNAL_KEY})"
        )))
    }
}

fn not_blank(value: &str, _ctx: &()) -> garde::Result {
    if value.trim().is_empty() {
        Err(garde::Error::new("is required"))
    } else {
        Ok(())
    }
}

fn optional_not_blank(value: &Option<String>, _ctx: &()) -> garde::Result {
    match value {
        Some(v) if v.chars().count() > 200 => Err(garde::Error::new("at most 200 characters")),
        Some(v) if v.trim().is_empty() => Err(garde::Error::new("must not be blank")),
        _ => Ok(()),
    }
}

/// `POST /api/v1/signals`: define a signal. Only `key`, `label` and
/// `higher_is_better` are required (the fields of a [`super::SignalDefinition`]
/// are accepted as they are; `builtin` and `retired` are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSignal {
    /// Stable key (`seats_used`): a lower-case letter, then a-z, 0-9, `_`.
    #[garde(custom(signal_key))]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 64, pattern = r"^[a-z][a-z0-9_]*$")
    )]
    pub key: String,
    /// English label.
    #[garde(length(chars, max = 200), custom(not_blank))]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub label: String,
    /// Japanese label.
    #[serde(default)]
    #[garde(custom(optional_not_blank))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub label_ja: Option<String>,
    /// Unit (`days`, `%`, `seats`; empty for none).
    #[serde(default)]
    #[garde(length(chars, max = 50))]
    #[cfg_attr(feature = "openapi", schema(max_length = 50))]
    pub unit: String,
    /// What it measures.
    #[serde(default)]
    #[garde(length(chars, max = 1000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub description: String,
    /// Whether a higher value is healthier.
    #[garde(skip)]
    pub higher_is_better: bool,
    /// Number (default) or yes/no.
    #[serde(default)]
    #[garde(skip)]
    pub kind: SignalKind,
}

/// `PUT /api/v1/signals/{key}`: change a signal's definition (the key never
/// changes); `retired: true` retires it (its values are kept, new values
/// are refused), `false` brings it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignalUpdate {
    /// English label.
    #[garde(length(chars, max = 200), custom(not_blank))]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub label: String,
    /// Japanese label.
    #[serde(default)]
    #[garde(custom(optional_not_blank))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub label_ja: Option<String>,
    /// Unit.
    #[serde(default)]
    #[garde(length(chars, max = 50))]
    #[cfg_attr(feature = "openapi", schema(max_length = 50))]
    pub unit: String,
    /// What it measures.
    #[serde(default)]
    #[garde(length(chars, max = 1000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub description: String,
    /// Whether a higher value is healthier.
    #[garde(skip)]
    pub higher_is_better: bool,
    /// Number or yes/no (absent: unchanged).
    #[serde(default)]
    #[garde(skip)]
    pub kind: Option<SignalKind>,
    /// Retire (`true`) or bring back (`false`); absent: unchanged.
    #[serde(default)]
    #[garde(skip)]
    pub retired: Option<bool>,
}

string_enum!(
    /// Whether a health model is still being edited.
    ModelStatus, "model status", {
        /// Being edited; not used for scores.
        Draft => "draft",
        /// Published: a numbered version; the latest one scores accounts.
        Published => "published",
    }
);

/// A health model: a draft or a published version (`/api/v1/health-models`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthModelVersion {
    /// Model id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Draft or published.
    pub status: ModelStatus,
    /// Edit version: send it back with an update or publish (409 when stale).
    pub version: i64,
    /// Version number once published (1, 2, …).
    pub published_version: Option<i64>,
    /// The published model this draft started from.
    pub based_on: Option<i64>,
    /// Whether this is the published model that scores accounts now.
    pub current: bool,
    /// The model: measures, curves, weights, cut-offs.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub model: HealthModel,
    /// Note (why it changed).
    pub note: String,
    /// Who wrote it.
    pub author: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last edited.
    pub updated_at: DateTime<Utc>,
    /// Published.
    pub published_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/health-models`: a new draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewHealthModel {
    /// Name.
    #[garde(length(chars, max = 200), custom(not_blank))]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// The model (checked: measures, curves in order, weights not all zero,
    /// cut-offs in order, every signal defined).
    #[garde(skip)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub model: HealthModel,
    /// Note.
    #[serde(default)]
    #[garde(length(chars, max = 1000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub note: String,
}

/// `PUT /api/v1/health-models/{id}`: replace a draft, at the version read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateHealthModel {
    /// Name.
    #[garde(length(chars, max = 200), custom(not_blank))]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// The model.
    #[garde(skip)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub model: HealthModel,
    /// Note.
    #[serde(default)]
    #[garde(length(chars, max = 1000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub note: String,
    /// The edit version read.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
}

/// `POST /api/v1/health-models/{id}/publish`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishModel {
    /// The draft's edit version read (409 when stale).
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub version: i64,
    /// Note for the version history (replaces the draft's when not blank).
    #[serde(default)]
    #[garde(length(chars, max = 1000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub note: String,
}

/// What a publish did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishReport {
    /// The published model.
    pub model: HealthModelVersion,
    /// Date of the snapshot written.
    pub scored_on: NaiveDate,
    /// Accounts in the snapshot.
    pub accounts: u64,
    /// Of them, accounts with a score.
    pub scored: u64,
}

/// Query of `GET /api/v1/health-models/compare`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    /// One model id.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub a: i64,
    /// The other model id.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub b: i64,
}

/// One measure's weight in two models (`None`: not in that model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeightPair {
    /// Signal key.
    pub signal: String,
    /// The trend read (`"60d relative"`…); `None` for the value.
    pub trend: Option<String>,
    /// Weight in model `a`, as a share of its total (0–1).
    pub a: Option<f64>,
    /// Weight in model `b`, as a share of its total.
    pub b: Option<f64>,
}

/// `GET /api/v1/health-models/compare`: weights side by side and how the
/// accounts' bands move from `a` to `b` on today's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelComparison {
    /// Model `a`.
    pub a: HealthModelVersion,
    /// Model `b`.
    pub b: HealthModelVersion,
    /// Every measure of either model.
    pub weights: Vec<WeightPair>,
    /// Band movements of the current accounts, scored as of `as_of`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub bands: BandComparison,
    /// Date of the data scored.
    pub as_of: NaiveDate,
}

/// One point of an account's score trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorePoint {
    /// Snapshot date.
    pub scored_on: NaiveDate,
    /// Score (`None`: no data).
    pub score: Option<f64>,
    /// Band.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub band: Option<Band>,
    /// Published version that scored it.
    pub model_version: Option<i64>,
}

/// `GET /api/v1/accounts/{id}/score`: the score trend from the snapshots and
/// today's per-measure breakdown under the published model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountScore {
    /// The published model version used for the breakdown.
    pub model_version: i64,
    /// Score, band and one contribution per measure.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub breakdown: Explanation,
    /// Snapshots, oldest first.
    pub trend: Vec<ScorePoint>,
}
