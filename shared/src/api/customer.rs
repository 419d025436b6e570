//! Customer data in the API: account create/update bodies, the account detail
//! with its revenue history, signals and contacts, signal definitions, the
//! CSV import report and history, duplicates and merging.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

use super::{Account, Email, ExternalId, UserSummary};
use crate::domain::{AccountField, AccountStatus, Currency, ExpansionPotential, Language};

/// Largest CSV file the import accepts, in bytes (32 MiB: a 100,000-row
/// account file with every column is about 20 MB).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// Most data rows an import file may have (twice the largest customer base
/// we plan for; a bigger file is split).
pub const MAX_IMPORT_ROWS: usize = 200_000;

/// Most columns an import file may have (every kind has fewer than 20 of
/// ours; the rest are ignored, but a sheet with thousands of columns is not
/// a data file).
pub const MAX_IMPORT_COLUMNS: usize = 100;

/// How many row errors an import report lists in full (the total is always
/// counted).
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// How many planned changes an import preview lists in full.
pub const MAX_PREVIEW_CHANGES: usize = 200;

fn optional_text_len(value: &Option<String>, max: usize) -> garde::Result {
    match value {
        Some(v) if v.chars().count() > max => Err(garde::Error::new(format!(
            "must be at most {max} characters"
        ))),
        Some(v) if v.trim().is_empty() => Err(garde::Error::new(
            "must not be blank (leave it out instead)",
        )),
        _ => Ok(()),
    }
}

fn short_text(value: &Option<String>, _ctx: &()) -> garde::Result {
    optional_text_len(value, 200)
}

fn long_text(value: &Option<String>, _ctx: &()) -> garde::Result {
    optional_text_len(value, 1000)
}

fn name_not_blank(value: &str, _ctx: &()) -> garde::Result {
    if value.trim().is_empty() {
        Err(garde::Error::new("is required"))
    } else {
        Ok(())
    }
}

/// A garde rule: the date must not be before `earlier` (named `what` in
/// the message).
pub(super) fn on_or_after<'a>(
    earlier: &'a Option<NaiveDate>,
    what: &'static str,
) -> impl FnOnce(&Option<NaiveDate>, &()) -> garde::Result + 'a {
    move |later, _| match (earlier, later) {
        (Some(e), Some(l)) if l < e => Err(garde::Error::new(format!(
            "must not be before the {what} ({e})"
        ))),
        _ => Ok(()),
    }
}

fn churn_date_matches_status(
    status: &AccountStatus,
) -> impl FnOnce(&Option<NaiveDate>, &()) -> garde::Result + '_ {
    move |churn_date, _| match (status, churn_date) {
        (AccountStatus::Churned, None) => Err(garde::Error::new(
            "is required when the account has churned",
        )),
        (AccountStatus::Active, Some(_)) => Err(garde::Error::new(
            "must be empty while the account is active",
        )),
        _ => Ok(()),
    }
}

fn amount_within_cap(currency: &Currency) -> impl FnOnce(&i64, &()) -> garde::Result + '_ {
    move |amount, _| {
        if *amount < 0 {
            Err(garde::Error::new("must not be negative"))
        } else if *amount > currency.max_amount_minor() {
            Err(garde::Error::new(format!(
                "must be at most {} {currency}",
                crate::domain::MAX_AMOUNT_MAJOR
            )))
        } else {
            Ok(())
        }
    }
}

fn optional_domain(value: &Option<String>, _ctx: &()) -> garde::Result {
    match value {
        Some(v) if crate::cells::company_domain(v).is_none() => Err(garde::Error::new(
            "is not a company web domain (e.g. example.co.jp)",
        )),
        _ => Ok(()),
    }
}

/// The editable fields of an account: the body of `POST /api/v1/accounts`
/// and, with `version`, of `PUT /api/v1/accounts/{id}`. Money is in minor
/// units; the form converts what people type with
/// [`crate::cells::parse_amount`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    /// Company name.
    #[garde(length(chars, max = 200), custom(name_not_blank))]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// Id in the CRM; unique among accounts once case, width and spaces
    /// are ignored (see [`super::ExternalId`]).
    #[serde(default)]
    #[garde(skip)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, max_length = 200, pattern = r"\S")
    )]
    pub external_id: Option<ExternalId>,
    /// Company web domain (`example.co.jp`), used to spot duplicates.
    #[serde(default)]
    #[garde(custom(optional_domain))]
    pub domain: Option<String>,
    /// Industry.
    #[serde(default)]
    #[garde(custom(short_text))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub industry: Option<String>,
    /// Plan name.
    #[serde(default)]
    #[garde(custom(short_text))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub plan: Option<String>,
    /// Current MRR in minor units of `currency`, at most one trillion major
    /// units ([`crate::domain::MAX_AMOUNT_MAJOR`]). Read-only while the
    /// account has MRR history (`Account::mrr_from_history`).
    #[garde(custom(amount_within_cap(&self.currency)))]
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 0, maximum = 1_000_000_000_000_i64)
    )]
    pub mrr_minor: i64,
    /// Currency of the MRR.
    #[garde(skip)]
    pub currency: Currency,
    /// Contract start.
    #[serde(default)]
    #[garde(skip)]
    pub contract_start: Option<NaiveDate>,
    /// Next renewal.
    #[serde(default)]
    #[garde(custom(on_or_after(&self.contract_start, "contract start")))]
    pub renewal_date: Option<NaiveDate>,
    /// Owner (a user id).
    #[serde(default)]
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub owner_id: Option<i64>,
    /// Active or churned.
    #[garde(skip)]
    pub status: AccountStatus,
    /// Churn date: required when churned, empty when active.
    #[serde(default)]
    #[garde(
        custom(churn_date_matches_status(&self.status)),
        custom(on_or_after(&self.contract_start, "contract start"))
    )]
    pub churn_date: Option<NaiveDate>,
    /// Churn reason.
    #[serde(default)]
    #[garde(custom(long_text))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000, pattern = r"\S"))]
    pub churn_reason: Option<String>,
    /// A well-known brand.
    #[serde(default)]
    #[garde(skip)]
    pub flag_well_known: bool,
    /// Gives much feedback.
    #[serde(default)]
    #[garde(skip)]
    pub flag_feedback: bool,
    /// Influences other customers.
    #[serde(default)]
    #[garde(skip)]
    pub flag_influencer: bool,
    /// Expected expansion.
    #[serde(default = "no_expansion")]
    #[garde(skip)]
    pub expansion_potential: ExpansionPotential,
    /// Champion contact's name.
    #[serde(default)]
    #[garde(custom(short_text))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub champion_name: Option<String>,
    /// When the champion last changed.
    #[serde(default)]
    #[garde(skip)]
    pub champion_changed_on: Option<NaiveDate>,
    /// The customer's language (survey pages); none: Japanese for yen
    /// accounts, English otherwise.
    #[serde(default)]
    #[garde(skip)]
    pub language: Option<Language>,
}

fn no_expansion() -> ExpansionPotential {
    ExpansionPotential::None
}

impl AccountInput {
    /// The editable fields of an existing account (for pre-filling a form).
    pub fn from_account(a: &Account) -> Self {
        AccountInput {
            name: a.name.clone(),
            external_id: a
                .external_id
                .as_deref()
                .and_then(|id| ExternalId::parse(id).ok()),
            domain: a.domain.clone(),
            industry: a.industry.clone(),
            plan: a.plan.clone(),
            mrr_minor: a.mrr_minor,
            currency: a.currency,
            contract_start: a.contract_start,
            renewal_date: a.renewal_date,
            owner_id: a.owner.as_ref().map(|o| o.id),
            status: a.status,
            churn_date: a.churn_date,
            churn_reason: a.churn_reason.clone(),
            flag_well_known: a.flag_well_known,
            flag_feedback: a.flag_feedback,
            flag_influencer: a.flag_influencer,
            expansion_potential: a.expansion_potential,
            champion_name: a.champion_name.clone(),
            champion_changed_on: a.champion_changed_on,
            language: a.language,
        }
    }

    /// The fields whose values differ between `self` and `other`, in
    /// declaration order (text compared as stored: trimmed, blank = none).
    pub fn changed_fields(&self, other: &AccountInput) -> Vec<AccountField> {
        fn text(t: &Option<String>) -> Option<&str> {
            t.as_deref().map(str::trim).filter(|t| !t.is_empty())
        }
        AccountField::ALL
            .iter()
            .copied()
            .filter(|field| match field {
                AccountField::Name => self.name.trim() != other.name.trim(),
                AccountField::ExternalId => {
                    self.external_id.as_ref().map(ExternalId::as_str)
                        != other.external_id.as_ref().map(ExternalId::as_str)
                }
                AccountField::Domain => text(&self.domain) != text(&other.domain),
                AccountField::Industry => text(&self.industry) != text(&other.industry),
                AccountField::Plan => text(&self.plan) != text(&other.plan),
                AccountField::MrrMinor => self.mrr_minor != other.mrr_minor,
                AccountField::Currency => self.currency != other.currency,
                AccountField::ContractStart => self.contract_start != other.contract_start,
                AccountField::RenewalDate => self.renewal_date != other.renewal_date,
                AccountField::OwnerId => self.owner_id != other.owner_id,
                AccountField::Status => self.status != other.status,
                AccountField::ChurnDate => self.churn_date != other.churn_date,
                AccountField::ChurnReason => text(&self.churn_reason) != text(&other.churn_reason),
                AccountField::FlagWellKnown => self.flag_well_known != other.flag_well_known,
                AccountField::FlagFeedback => self.flag_feedback != other.flag_feedback,
                AccountField::FlagInfluencer => self.flag_influencer != other.flag_influencer,
                AccountField::ExpansionPotential => {
                    self.expansion_potential != other.expansion_potential
                }
                AccountField::ChampionName => {
                    text(&self.champion_name) != text(&other.champion_name)
                }
                AccountField::ChampionChangedOn => {
                    self.champion_changed_on != other.champion_changed_on
                }
                AccountField::Language => self.language != other.language,
            })
            .collect()
    }

    /// The fields changed from `stored` that `editable` does not allow,
    /// as field errors (empty when the change is allowed). The server
    /// refuses an edit with these; the form uses the same rule.
    pub fn forbidden_changes(
        &self,
        stored: &AccountInput,
        editable: &[AccountField],
    ) -> Vec<super::FieldError> {
        self.changed_fields(stored)
            .into_iter()
            .filter(|f| !editable.contains(f))
            .map(|f| super::FieldError {
                field: f.as_str().to_owned(),
                message: if f == AccountField::OwnerId {
                    "only managers can give an account to another owner".to_owned()
                } else {
                    "only managers and admins can change this".to_owned()
                },
            })
            .collect()
    }
}

/// `PUT /api/v1/accounts/{id}`: the new fields and the version they were
/// read at. A stale version gets `409 conflict` and changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
pub struct UpdateAccount {
    /// The version of the account the change was made from.
    #[garde(range(min = 1))]
    pub version: i64,
    /// The new field values.
    #[serde(flatten)]
    #[garde(dive)]
    pub account: AccountInput,
}

/// Written by hand: the derived schema is an `allOf` of `AccountInput`
/// (which allows no other properties) and `{version}`, which no body can
/// satisfy. This is `AccountInput`'s object with `version` added.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for UpdateAccount {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
        use utoipa::openapi::RefOr;
        let mut schema = <AccountInput as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            let version = ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(1))
                .description(Some("The version of the account the change was made from."))
                .build();
            object.properties.insert("version".into(), version.into());
            object.required.push("version".into());
            object.description =
                Some("The new field values and the version they were read at.".into());
        }
        schema
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for UpdateAccount {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        <AccountInput as utoipa::ToSchema>::schemas(schemas);
    }
}

/// One month of revenue from one product line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MrrEntry {
    /// First day of the month.
    pub month: NaiveDate,
    /// Product line (`core`, an add-on, another product).
    pub product: String,
    /// MRR in minor units.
    pub amount_minor: i64,
    /// Currency.
    pub currency: Currency,
}

/// What a usage signal means (`GET /api/v1/signals`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignalDefinition {
    /// Stable key used in CSV files and score models.
    pub key: String,
    /// Display label.
    pub label: String,
    /// Unit (`days`, `%`, `tickets`, `1-5`).
    pub unit: String,
    /// What it measures.
    pub description: String,
    /// Whether a higher value is healthier.
    pub higher_is_better: bool,
    /// One of the six standard signals.
    pub builtin: bool,
    /// Japanese label (the UI falls back to `label`).
    #[serde(default)]
    pub label_ja: Option<String>,
    /// Number or yes/no.
    #[serde(default)]
    pub kind: super::SignalKind,
    /// Retired: values kept, no new ones accepted, not offered for models.
    #[serde(default)]
    pub retired: bool,
}

/// One dated value of one signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignalValue {
    /// Signal key.
    pub key: String,
    /// Date of the observation.
    pub observed_on: NaiveDate,
    /// The value.
    pub value: f64,
}

/// Query of `GET /api/v1/accounts/{id}/signals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct SignalHistoryQuery {
    /// Only this signal.
    #[garde(length(chars, min = 1, max = 100))]
    #[cfg_attr(feature = "openapi", param(min_length = 1, max_length = 100))]
    pub key: Option<String>,
    /// Observations on or after this date.
    #[garde(skip)]
    pub from: Option<NaiveDate>,
    /// Observations on or before this date.
    #[garde(skip)]
    pub to: Option<NaiveDate>,
}

/// A person at the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    /// Contact id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// The account's champion (at most one per account).
    pub is_champion: bool,
}

/// `POST /api/v1/accounts/{id}/contacts`: add a contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// Name.
    #[garde(length(chars, max = 200), custom(name_not_blank))]
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub name: String,
    /// E-mail address.
    #[serde(default)]
    #[garde(skip)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = Option<String>, min_length = 1, max_length = 254)
    )]
    pub email: Option<Email>,
    /// Job title.
    #[serde(default)]
    #[garde(custom(short_text))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub title: Option<String>,
    /// Phone number.
    #[serde(default)]
    #[garde(custom(short_text))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200, pattern = r"\S"))]
    pub phone: Option<String>,
    /// Make this contact the champion (the previous one stops being it, and
    /// the account's champion name and change date are updated).
    #[serde(default)]
    #[garde(skip)]
    pub is_champion: bool,
}

/// `GET /api/v1/accounts/{id}`: the account with its revenue history, the
/// latest value of each signal and its contacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountDetail {
    /// The account.
    #[serde(flatten)]
    pub account: Account,
    /// Monthly MRR per product, oldest first.
    pub mrr_history: Vec<MrrEntry>,
    /// The latest value of each signal the account has, with its date.
    pub latest_signals: Vec<SignalValue>,
    /// People at the customer, the champion first.
    pub contacts: Vec<Contact>,
}

string_enum!(
    /// Which kind of rows a CSV import holds.
    ImportKind, "import kind", {
        /// One row per account, keyed by `external_id`.
        Accounts => "accounts",
        /// One row per account, month and product.
        Mrr => "mrr",
        /// One row per account, signal and date.
        Signals => "signals",
    }
);

impl ImportKind {
    /// The columns of this kind of file: `(name, required)`, in the order
    /// the export and the templates write them. `currency` is required
    /// unless the import names the file's currency (`currency=JPY`).
    pub fn columns(self) -> &'static [(&'static str, bool)] {
        match self {
            ImportKind::Accounts => &[
                ("external_id", true),
                ("name", true),
                ("domain", false),
                ("industry", false),
                ("plan", false),
                ("mrr", false),
                ("currency", true),
                ("contract_start", false),
                ("renewal_date", false),
                ("owner_email", false),
                ("status", false),
                ("churn_date", false),
                ("churn_reason", false),
                ("well_known", false),
                ("feedback", false),
                ("influencer", false),
                ("expansion_potential", false),
                ("champion_name", false),
                ("champion_changed_on", false),
            ],
            ImportKind::Mrr => &[
                ("external_id", true),
                ("month", true),
                ("product", true),
                ("mrr", true),
                ("currency", true),
            ],
            ImportKind::Signals => &[
                ("external_id", true),
                ("signal", true),
                ("date", true),
                ("value", true),
            ],
        }
    }
}

/// Query of `POST /api/v1/imports` (the file is the request body).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// What the file holds.
    #[garde(skip)]
    pub kind: ImportKind,
    /// Only check the file and report what would change; write nothing.
    #[serde(default)]
    #[garde(skip)]
    pub dry_run: bool,
    /// The file's name, for the history.
    #[garde(inner(length(chars, max = 255)))]
    #[cfg_attr(feature = "openapi", param(max_length = 255))]
    pub file_name: Option<String>,
    /// Column mapping as a JSON object `{"our column": "their header"}`,
    /// for files whose headers differ from ours.
    #[garde(inner(length(chars, max = 10_000)))]
    #[cfg_attr(feature = "openapi", param(max_length = 10_000))]
    pub mapping: Option<String>,
    /// A token chosen by the client to follow the progress of this request
    /// at `GET /api/v1/imports/progress/{token}`.
    #[garde(inner(length(chars, min = 8, max = 64)))]
    #[cfg_attr(feature = "openapi", param(min_length = 8, max_length = 64))]
    pub progress: Option<String>,
    /// The currency of the amounts of a file without a currency column
    /// (accounts and MRR files). A currency cell, where a row has one,
    /// wins for that row.
    #[serde(default)]
    #[garde(skip)]
    pub currency: Option<Currency>,
    /// Signals files in the wide layout (one row per account, one column
    /// per signal) without a date column: the date of every value.
    #[serde(default)]
    #[garde(skip)]
    pub date: Option<NaiveDate>,
}

string_enum!(
    /// What is wrong with (or worth knowing about) a row or column of an
    /// import file: the stable code of an [`ImportError`]. The server's
    /// checkers and the app's sentences (`components/import_messages.rs`)
    /// both match it exhaustively.
    ImportCode, "import code", {
        /// A required column is not in the file (or not mapped).
        MissingColumn => "missing_column",
        /// A required cell is blank.
        MissingValue => "missing_value",
        /// Not a date.
        BadDate => "bad_date",
        /// Not a month.
        BadMonth => "bad_month",
        /// Not an amount (or more decimals than the currency has).
        BadAmount => "bad_amount",
        /// More than the largest amount Kizuna takes.
        AmountTooLarge => "amount_too_large",
        /// A negative amount.
        NegativeAmount => "negative_amount",
        /// Not a number.
        BadNumber => "bad_number",
        /// Not yes or no.
        BadBoolean => "bad_boolean",
        /// A currency Kizuna does not handle.
        UnknownCurrency => "unknown_currency",
        /// No user with this e-mail address (or name).
        UnknownOwner => "unknown_owner",
        /// Several users with this name.
        AmbiguousOwner => "ambiguous_owner",
        /// The same record twice in the file.
        DuplicateKey => "duplicate_key",
        /// A signal no definition names.
        UnknownSignal => "unknown_signal",
        /// No account with this external id.
        UnknownAccount => "unknown_account",
        /// An amount in another currency than the account's.
        CurrencyMismatch => "currency_mismatch",
        /// A value the field does not accept (e.g. an owner who may not own
        /// accounts).
        InvalidValue => "invalid_value",
        /// The file is not UTF-8 or Shift_JIS text.
        BadEncoding => "bad_encoding",
        /// A row the CSV reader could not read.
        BadRow => "bad_row",
        /// A warning: the MRR of an account whose MRR comes from its revenue
        /// history was read but not used.
        MrrFromHistory => "mrr_from_history",
    }
);

/// One problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportError {
    /// Row number as a spreadsheet shows it (the header is row 1).
    pub row: u64,
    /// Our column name, when the problem is in one cell or column.
    pub column: Option<String>,
    /// Stable code (warnings: `mrr_from_history`; the others are errors).
    pub code: ImportCode,
    /// What is wrong, in plain words.
    pub message: String,
}

/// What an import would do (or did) to one row's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportAction {
    /// A new record.
    Create,
    /// An existing record changes.
    Update,
    /// The record exists with these values already.
    Unchanged,
}

/// One planned change listed in a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportChange {
    /// Row number (header = 1).
    pub row: u64,
    /// Create, update or unchanged.
    pub action: ImportAction,
    /// The record's key as people read it (`CRM-000123`, `CRM-000123 2025-04 core`).
    pub key: String,
    /// The account's name, when known.
    pub account_name: Option<String>,
}

/// The answer of `POST /api/v1/imports`: a preview (`dry_run`) or the
/// summary of an applied import. An import with errors applies nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Id in the import history (applied imports only).
    pub id: Option<i64>,
    /// What the file holds.
    pub kind: ImportKind,
    /// Whether this was only a preview.
    pub dry_run: bool,
    /// Whether the changes were written.
    pub applied: bool,
    /// The file name given.
    pub file_name: Option<String>,
    /// The encoding detected: `UTF-8`, `UTF-8 with BOM` or `Shift_JIS`.
    pub encoding: String,
    /// The separator detected: `comma` or `tab`.
    pub delimiter: String,
    /// The file's headers as found.
    pub headers: Vec<String>,
    /// Our column → the file's header it was read from.
    pub mapping: BTreeMap<String, String>,
    /// Data rows in the file.
    pub rows: u64,
    /// Records created (or that would be).
    pub created: u64,
    /// Records updated (or that would be).
    pub updated: u64,
    /// Rows whose record already has these values.
    pub unchanged: u64,
    /// Number of problems (all of them, even past the listed ones).
    pub error_count: u64,
    /// The problems, at most [`MAX_REPORTED_ERRORS`], in row order.
    pub errors: Vec<ImportError>,
    /// Number of warnings: cells that were read but not used (e.g. the MRR
    /// of an account whose MRR comes from its revenue history). Warnings
    /// do not stop an import.
    #[serde(default)]
    pub warning_count: u64,
    /// The warnings, at most [`MAX_REPORTED_ERRORS`], in row order.
    #[serde(default)]
    pub warnings: Vec<ImportError>,
    /// Headers of a wide signals file that match no signal (nor an account
    /// column): their values are not imported; define them as signals
    /// (their key or label) and import again.
    #[serde(default)]
    pub unknown_columns: Vec<String>,
    /// Planned changes (creates and updates first), at most [`MAX_PREVIEW_CHANGES`].
    pub changes: Vec<ImportChange>,
}

string_enum!(
    /// Where an import request is. A client that meets a phase it does not
    /// know fails to decode the progress instead of taking it for `done`.
    ImportPhase, "import phase", {
        /// Decoding and parsing the file.
        Reading => "reading",
        /// Checking every row against the database.
        Checking => "checking",
        /// Writing the changes.
        Writing => "writing",
        /// Finished (the answer is on its way).
        Done => "done",
    }
);

/// Progress of an import request (`GET /api/v1/imports/progress/{token}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportProgress {
    /// The phase.
    pub phase: ImportPhase,
    /// Rows handled so far in this phase.
    pub done: u64,
    /// Rows in the file (0 while still reading).
    pub total: u64,
}

string_enum!(
    /// What kind of change an entry of the data history records (the
    /// names are also what `data_changes.kind` stores).
    DataChangeKind, "data change kind", {
        /// Accounts CSV import.
        Accounts => "accounts",
        /// MRR CSV import.
        Mrr => "mrr",
        /// Signals CSV import.
        Signals => "signals",
        /// Two accounts merged.
        Merge => "merge",
        /// An account created by hand.
        Create => "create",
        /// An account edited by hand.
        Update => "update",
        /// An account deleted.
        Delete => "delete",
    }
);

impl From<ImportKind> for DataChangeKind {
    fn from(kind: ImportKind) -> Self {
        match kind {
            ImportKind::Accounts => DataChangeKind::Accounts,
            ImportKind::Mrr => DataChangeKind::Mrr,
            ImportKind::Signals => DataChangeKind::Signals,
        }
    }
}

/// One entry of the import and data-change history (`GET /api/v1/imports`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataChange {
    /// Entry id.
    pub id: i64,
    /// What happened.
    pub kind: DataChangeKind,
    /// Who did it.
    pub user: Option<UserSummary>,
    /// The file imported.
    pub file_name: Option<String>,
    /// Data rows in the file.
    pub rows: u64,
    /// Records created.
    pub created: u64,
    /// Records updated.
    pub updated: u64,
    /// Rows that changed nothing.
    pub unchanged: u64,
    /// The account concerned (edits, merges: the one kept).
    pub account_id: Option<i64>,
    /// A sentence describing the change (merges: which account went where).
    pub detail: String,
    /// When, in UTC (RFC 3339 with `Z`).
    pub at: DateTime<Utc>,
}

/// Query of `GET /api/v1/imports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct DataChangeQuery {
    /// 1-based page number.
    #[garde(range(min = 1, max = 1_000_000))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// Page size (at most 500).
    #[garde(range(min = 1, max = super::MAX_PER_PAGE))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub per_page: Option<u32>,
}

/// Why accounts are listed as likely duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The same CRM id once case, width and spaces are ignored.
    ExternalId,
    /// The same company name once case, width and legal forms are ignored.
    Name,
    /// The same web domain or contact e-mail domain.
    Domain,
}

/// A set of accounts that are likely the same customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateGroup {
    /// Why they match.
    pub reason: DuplicateReason,
    /// The value they share (normalised name, domain or id).
    pub key: String,
    /// The accounts (two or more), oldest first.
    pub accounts: Vec<Account>,
}

/// `POST /api/v1/duplicates/merge`: keep one account and fold the other into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The account that stays.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub keep_id: i64,
    /// The version of the kept account the user saw.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub keep_version: i64,
    /// The account folded into it and then deleted.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub merge_id: i64,
    /// The version of the merged account the user saw.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub merge_version: i64,
}

/// What a merge moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeReport {
    /// The account kept, after the merge.
    pub account: Account,
    /// MRR rows moved (rows for a month and product the kept account already
    /// had are dropped: the same revenue recorded twice).
    pub mrr_moved: u64,
    /// Signal values moved (same rule as MRR).
    pub signals_moved: u64,
    /// Contacts moved.
    pub contacts_moved: u64,
    /// Id of the history entry.
    pub history_id: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> AccountInput {
        AccountInput {
            name: "株式会社サクラ".into(),
            external_id: ExternalId::parse("CRM-1").ok(),
            domain: None,
            industry: None,
            plan: None,
            mrr_minor: 100_000,
            currency: Currency::Jpy,
            contract_start: NaiveDate::from_ymd_opt(2025, 4, 1),
            renewal_date: NaiveDate::from_ymd_opt(2026, 4, 1),
            owner_id: None,
            status: AccountStatus::Active,
            churn_date: None,
            churn_reason: None,
            flag_well_known: false,
            flag_feedback: false,
            flag_influencer: false,
            expansion_potential: ExpansionPotential::None,
            champion_name: None,
            champion_changed_on: None,
            language: None,
        }
    }

    fn fields(a: &AccountInput) -> Vec<String> {
        match a.validate() {
            Ok(()) => vec![],
            Err(report) => super::super::FieldError::from_report(&report)
                .into_iter()
                .map(|e| e.field)
                .collect(),
        }
    }

    #[test]
    fn a_complete_account_is_valid() {
        assert!(fields(&input()).is_empty());
    }

    #[test]
    fn cross_field_rules_name_the_field() {
        let mut a = input();
        a.renewal_date = NaiveDate::from_ymd_opt(2025, 1, 1);
        assert_eq!(fields(&a), ["renewal_date"]);

        let mut a = input();
        a.status = AccountStatus::Churned;
        assert_eq!(fields(&a), ["churn_date"]);
        a.churn_date = NaiveDate::from_ymd_opt(2025, 6, 1);
        assert!(fields(&a).is_empty());

        let mut a = input();
        a.churn_date = NaiveDate::from_ymd_opt(2025, 6, 1);
        assert_eq!(fields(&a), ["churn_date"]);
    }

    #[test]
    fn blank_and_negative_values_are_rejected() {
        let mut a = input();
        a.name = "   ".into();
        a.mrr_minor = -1;
        a.industry = Some(" ".into());
        a.domain = Some("not a domain".into());
        let mut f = fields(&a);
        f.sort();
        assert_eq!(f, ["domain", "industry", "mrr_minor", "name"]);
    }

    #[test]
    fn mrr_is_capped_at_a_trillion_major_units_of_its_currency() {
        let mut a = input();
        a.mrr_minor = 1_000_000_000_000;
        assert!(fields(&a).is_empty());
        a.mrr_minor += 1;
        assert_eq!(fields(&a), ["mrr_minor"]);
        a.currency = Currency::Usd;
        assert!(fields(&a).is_empty(), "1e12 cents is 1e10 dollars");
        a.mrr_minor = 100_000_000_000_001;
        assert_eq!(fields(&a), ["mrr_minor"]);
    }

    #[test]
    fn external_ids_must_not_be_blank_or_hold_line_breaks() {
        // A body deserializes only with a valid id: the type is the check.
        let body = |id: &str| {
            let mut v = serde_json::to_value(input()).unwrap();
            v["external_id"] = serde_json::json!(id);
            serde_json::from_value::<AccountInput>(v)
        };
        for bad in [" \u{3000}", "CRM\n1"] {
            let err = body(bad).expect_err(bad).to_string();
            assert!(
                err.contains("must not") || err.contains("required"),
                "{err}"
            );
        }
        let ok = body(" ＣＲＭ－１ ").unwrap();
        assert_eq!(
            ok.external_id.as_ref().map(ExternalId::key),
            Some("CRM-1".to_owned())
        );
        assert!(fields(&ok).is_empty());
    }

    #[test]
    fn changed_fields_compare_as_stored_and_name_the_forbidden_ones() {
        use crate::domain::{editable_account_fields, Principal, Role, UserId};
        let stored = input();
        let mut edit = stored.clone();
        edit.plan = Some("  ".into());
        edit.name = " 株式会社サクラ ".into();
        assert!(
            edit.changed_fields(&stored).is_empty(),
            "blank = none, trimmed"
        );
        edit.plan = Some("Enterprise".into());
        edit.mrr_minor += 1;
        edit.status = AccountStatus::Churned;
        edit.churn_date = NaiveDate::from_ymd_opt(2025, 9, 1);
        edit.owner_id = Some(3);
        assert_eq!(
            edit.changed_fields(&stored),
            [
                AccountField::Plan,
                AccountField::MrrMinor,
                AccountField::OwnerId,
                AccountField::Status,
                AccountField::ChurnDate
            ]
        );
        let csm = editable_account_fields(Principal::new(1, Role::Csm), Some(UserId(1)));
        let refused: Vec<String> = edit
            .forbidden_changes(&stored, &csm)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(refused, ["mrr_minor", "owner_id", "status", "churn_date"]);
        let manager = editable_account_fields(Principal::new(1, Role::Manager), None);
        assert!(edit.forbidden_changes(&stored, &manager).is_empty());
    }

    #[test]
    fn history_timestamps_are_rfc3339_in_utc_with_z() {
        let change = DataChange {
            id: 1,
            kind: DataChangeKind::Accounts,
            user: None,
            file_name: None,
            rows: 0,
            created: 0,
            updated: 0,
            unchanged: 0,
            account_id: None,
            detail: String::new(),
            at: DateTime::from_timestamp(1_767_225_600, 0).unwrap(),
        };
        let json = serde_json::to_value(&change).unwrap();
        assert_eq!(json["at"], "2026-01-01T00:00:00Z");
        assert_eq!(json["kind"], "accounts");
    }

    #[test]
    fn an_unknown_import_phase_is_refused_not_taken_for_done() {
        let p: ImportProgress =
            serde_json::from_str(r#"{"phase":"writing","done":1,"total":2}"#).unwrap();
        assert_eq!(p.phase, ImportPhase::Writing);
        assert!(
            serde_json::from_str::<ImportProgress>(r#"{"phase":"paused","done":1,"total":2}"#)
                .is_err()
        );
        for phase in ImportPhase::ALL {
            assert_eq!(serde_json::to_value(phase).unwrap(), phase.as_str());
        }
        for kind in DataChangeKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        for kind in ImportKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }

    #[test]
    fn update_bodies_flatten_the_fields_next_to_the_version() {
        let body = UpdateAccount {
            version: 3,
            account: input(),
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["version"], 3);
        assert_eq!(json["name"], "株式会社サクラ");
        let back: UpdateAccount = serde_json::from_value(json).unwrap();
        assert_eq!(back, body);
    }
}
