//! The HTTP API contract: request and response bodies of `/api/v1`, shared by
//! the server (which derives OpenAPI schemas from them with the `openapi`
//! feature) and the browser app. Validation rules live here, with garde, so a
//! form and its handler reject exactly the same input.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use garde::Validate;
use serde::{Deserialize, Serialize};

use crate::domain::{AccountStatus, Currency, ExpansionPotential, Language, Role, Tier};

mod admin;
mod customer;
mod health_score;
mod kpi;
mod problem;
mod sheets;
mod surveys;
mod values;
pub use admin::*;
pub use customer::*;
pub use health_score::*;
pub use kpi::*;
pub use problem::*;
pub mod scoring_data;
pub use sheets::*;
pub use surveys::*;
pub use values::*;

/// Media type of error responses (RFC 9457).
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Header every state-changing request must carry (cross-site request guard,
/// on top of SameSite cookies and the Origin check).
pub const CSRF_HEADER: &str = "x-kizuna-csrf";

/// Largest page size any list endpoint accepts.
pub const MAX_PER_PAGE: u32 = 500;

/// Default page size of list endpoints.
pub const DEFAULT_PER_PAGE: u32 = 50;

/// The envelope of every list endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match over all pages.
    pub total: u64,
    /// The 1-based page number.
    pub page: u32,
    /// The page size.
    pub per_page: u32,
}

impl<T> Page<T> {
    /// A list short enough to answer whole (an account's contacts, the
    /// signal definitions): every item on page 1.
    pub fn whole(items: Vec<T>) -> Page<T> {
        let n = items.len();
        Page {
            total: u64::try_from(n).unwrap_or(u64::MAX),
            page: 1,
            per_page: u32::try_from(n.max(1)).unwrap_or(u32::MAX),
            items,
        }
    }

    /// Number of pages (at least 1, so an empty list still has page 1).
    pub fn page_count(&self) -> u32 {
        if self.per_page == 0 {
            return 1;
        }
        let pages = self.total.div_ceil(u64::from(self.per_page)).max(1);
        u32::try_from(pages).unwrap_or(u32::MAX)
    }
}

/// `POST /api/v1/session`: sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The user's e-mail address.
    #[garde(skip)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, min_length = 1, max_length = 254)
    )]
    pub email: Email,
    /// The password.
    #[garde(length(chars, min = 1, max = 1024))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024))]
    pub password: String,
}

/// The signed-in user (`GET /api/v1/session`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionUser {
    /// User id.
    pub id: i64,
    /// E-mail address (login name).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
}

impl SessionUser {
    /// The user as the asking party of the role rules
    /// (`crate::domain::access`).
    pub const fn principal(&self) -> crate::domain::Principal {
        crate::domain::Principal::new(self.id, self.role)
    }
}

/// A user as listed for pickers and filters (e.g. account owners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    /// User id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Role.
    pub role: Role,
}

/// `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Liveness {
    /// `ok` when the database answers.
    pub status: String,
    /// Server version.
    pub version: String,
}

/// A customer account as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Account {
    /// Account id.
    pub id: i64,
    /// Company name.
    pub name: String,
    /// Id in the CRM (unique when present).
    pub external_id: Option<String>,
    /// Company web domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Plan name.
    pub plan: Option<String>,
    /// Current MRR in minor units of `currency`.
    pub mrr_minor: i64,
    /// Currency of the MRR.
    pub currency: Currency,
    /// Coverage tier derived from MRR.
    pub tier: Tier,
    /// Contract start date.
    pub contract_start: Option<NaiveDate>,
    /// Next renewal date.
    pub renewal_date: Option<NaiveDate>,
    /// Owner CSM.
    pub owner: Option<UserSummary>,
    /// Active or churned.
    pub status: AccountStatus,
    /// When the account churned.
    pub churn_date: Option<NaiveDate>,
    /// Why the account churned.
    pub churn_reason: Option<String>,
    /// A well-known brand.
    pub flag_well_known: bool,
    /// Gives much product feedback.
    pub flag_feedback: bool,
    /// Influences other customers.
    pub flag_influencer: bool,
    /// Expected expansion.
    pub expansion_potential: ExpansionPotential,
    /// Name of the champion contact.
    pub champion_name: Option<String>,
    /// When the champion last changed.
    pub champion_changed_on: Option<NaiveDate>,
    /// Row version for optimistic concurrency.
    pub version: i64,
    /// The customer's stated language (`null`: not stated; see
    /// [`Language::default_for`]).
    #[serde(default)]
    pub language: Option<Language>,
    /// Whether the account has monthly MRR history, so `mrr_minor` (and
    /// `currency`) come from the latest month of it: an edit may not change
    /// them (the form shows them read-only) and an accounts import ignores
    /// its MRR cell. Import monthly MRR to change them.
    #[serde(default)]
    pub mrr_from_history: bool,
    /// The latest value of each usage signal (by key), where the list or
    /// detail endpoint filled them in.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub signals: BTreeMap<String, f64>,
    /// Health score in the latest snapshot of the published model (`None`:
    /// not scored, or no data for any measure). Filled in by the list.
    #[serde(default)]
    pub score: Option<f64>,
    /// Its band.
    #[serde(default)]
    pub band: Option<crate::metrics::Band>,
}

string_enum!(
    /// Columns the account list can be sorted by. `as_str`/`FromStr` give
    /// the names used in the query string and saved views, the same as serde.
    #[derive(Default)]
    AccountSort, "sort column", {
        /// Company name.
        #[default]
        Name => "name",
        /// MRR (within a currency; JPY and USD amounts are compared as numbers).
        Mrr => "mrr",
        /// Renewal date.
        RenewalDate => "renewal_date",
        /// Contract start.
        ContractStart => "contract_start",
        /// Status.
        Status => "status",
        /// Owner's name.
        Owner => "owner",
        /// Health score (latest snapshot; unscored accounts last).
        Score => "score",
    }
);

string_enum!(
    /// Sort direction (`asc`, `desc`).
    #[derive(Default)]
    SortDir, "sort direction", {
        /// Ascending.
        #[default]
        Asc => "asc",
        /// Descending.
        Desc => "desc",
    }
);

impl SortDir {
    /// The other direction.
    pub const fn reversed(self) -> Self {
        match self {
            SortDir::Asc => SortDir::Desc,
            SortDir::Desc => SortDir::Asc,
        }
    }
}

/// Query of `GET /api/v1/accounts`. Unknown parameters are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    /// 1-based page number (default 1).
    #[garde(range(min = 1, max = 1_000_000))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1_000_000))]
    pub page: Option<u32>,
    /// Page size (default 50, at most 500).
    #[garde(range(min = 1, max = MAX_PER_PAGE))]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub per_page: Option<u32>,
    /// Sort column.
    #[garde(skip)]
    pub sort: Option<AccountSort>,
    /// Sort direction.
    #[garde(skip)]
    pub dir: Option<SortDir>,
    /// Text search over name, external id, industry and plan.
    #[garde(length(chars, max = 200))]
    #[cfg_attr(feature = "openapi", param(max_length = 200))]
    pub q: Option<String>,
    /// Only accounts with this status.
    #[garde(skip)]
    pub status: Option<AccountStatus>,
    /// Only accounts owned by this user id.
    #[garde(range(min = 1))]
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub owner: Option<i64>,
    /// Only accounts in this MRR tier.
    #[garde(skip)]
    pub tier: Option<Tier>,
    /// Only accounts in this health band (latest snapshot).
    #[garde(skip)]
    pub band: Option<crate::metrics::Band>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_count_rounds_up_and_is_never_zero() {
        let page = |total| Page::<u8> {
            items: vec![],
            total,
            page: 1,
            per_page: 50,
        };
        assert_eq!(page(0).page_count(), 1);
        assert_eq!(page(50).page_count(), 1);
        assert_eq!(page(51).page_count(), 2);
    }

    #[test]
    fn login_request_rejects_a_malformed_email() {
        let body = |email: &str| {
            serde_json::from_value::<LoginRequest>(
                serde_json::json!({ "email": email, "password": "x" }),
            )
        };
        let err = body("not-an-email").expect_err("invalid email");
        assert!(
            err.to_string().contains("not a valid email address"),
            "{err}"
        );
        assert_eq!(
            body(" Taro@Sakura.JP ").unwrap().email.as_str(),
            "taro@sakura.jp"
        );
    }

    #[test]
    fn sort_names_are_the_same_for_serde_and_as_str() {
        for sort in AccountSort::ALL {
            let json = serde_json::to_value(sort).unwrap();
            assert_eq!(json, sort.as_str());
            assert_eq!(sort.as_str().parse::<AccountSort>(), Ok(*sort));
        }
        for dir in SortDir::ALL {
            assert_eq!(serde_json::to_value(dir).unwrap(), dir.as_str());
            assert_eq!(dir.as_str().parse::<SortDir>(), Ok(*dir));
            assert_eq!(dir.reversed().reversed(), *dir);
        }
        assert!("size".parse::<AccountSort>().is_err());
        assert!("up".parse::<SortDir>().is_err());
    }

    #[test]
    fn account_query_rejects_oversized_pages() {
        let q = AccountQuery {
            per_page: Some(MAX_PER_PAGE + 1),
            ..Default::default()
        };
        assert!(q.validate().is_err());
    }
}

/// `POST /api/v1/users` (admin only): create a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateUser {
    /// E-mail address (login name); unique.
    #[garde(skip)]
    #[cfg_attr(
        feature = "openapi",
        schema(value_type = String, min_length = 1, max_length = 254)
    )]
    pub email: Email,
    /// Display name.
    #[garde(length(chars, min = 1, max = 100))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub name: String,
    /// Role.
    #[garde(skip)]
    pub role: Role,
    /// Initial password (at least 12 characters, counted as characters, not bytes).
    #[garde(length(chars, min = MIN_PASSWORD_CHARS, max = 1024))]
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 1024))]
    pub password: String,
}
