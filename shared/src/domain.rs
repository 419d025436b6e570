//! Domain vocabulary shared by the server, the app and the metrics: roles
//! and who may do what with an account, account status, currencies and the
//! MRR coverage tiers.
//!
//! The role rules are written once here ([`can_manage_accounts`],
//! [`can_own_accounts`], [`can_edit_account`], [`editable_account_fields`])
//! and called by the server's routes, the owners list, the account form's
//! check, the CSV import and the app's session, so none of them can
//! disagree about who may do what.

/// Error returned when a string does not name a known enum value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`")]
pub struct ParseEnumError {
    /// What was being parsed (`role`, `status`, …).
    pub kind: &'static str,
    /// The rejected input.
    pub value: String,
}

string_enum!(
    /// What a signed-in user may do.
    Role, "role", {
        /// Users, roles, settings, backups.
        Admin => "admin",
        /// CS manager / CS Ops: imports data, tunes and publishes score models.
        Manager => "manager",
        /// Customer success manager: works their accounts.
        Csm => "csm",
        /// Reads dashboards.
        Executive => "executive",
    }
);

/// Whether `role` manages accounts as a whole: imports files, creates,
/// deletes and merges accounts, gives an account to another owner and
/// changes the commercial fields (MRR, currency, status and churn date,
/// external id). Managers and admins.
pub const fn can_manage_accounts(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Manager)
}

/// Whether `role` shapes the health score: defines and retires signals,
/// saves health model drafts and publishes them. Managers and admins; CSMs
/// and executives read the published model.
pub const fn can_manage_health(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Manager)
}

/// Whether `role` may change anything beyond their own session (signing
/// out, their own password): every role but executives, who read
/// dashboards and are refused every write (403).
pub const fn can_write(role: Role) -> bool {
    !matches!(role, Role::Executive)
}

/// Whether a user with `role` may own (be the CSM of) accounts: CSMs and
/// managers, the people who work accounts. Admins administer Kizuna and
/// executives read dashboards; neither is offered as an owner nor accepted
/// as a new one by the form or the import.
pub const fn can_own_accounts(role: Role) -> bool {
    matches!(role, Role::Csm | Role::Manager)
}

/// Whether the user `user_id` with `role` may change the account owned by
/// `owner_id` at all: managers and admins any account, a CSM the accounts
/// they own, executives none. Which fields they may change is
/// [`editable_account_fields`].
pub fn can_edit_account(role: Role, user_id: i64, owner_id: Option<i64>) -> bool {
    match role {
        Role::Admin | Role::Manager => true,
        Role::Csm => owner_id == Some(user_id),
        Role::Executive => false,
    }
}

string_enum!(
    /// An editable field of an account, named as in the API
    /// (`AccountInput`), for the rules of who may change what.
    AccountField, "account field", {
        /// Company name.
        Name => "name",
        /// CRM id.
        ExternalId => "external_id",
        /// Web domain.
        Domain => "domain",
        /// Industry.
        Industry => "industry",
        /// Plan.
        Plan => "plan",
        /// Current MRR.
        MrrMinor => "mrr_minor",
        /// Currency of the MRR.
        Currency => "currency",
        /// Contract start.
        ContractStart => "contract_start",
        /// Next renewal.
        RenewalDate => "renewal_date",
        /// Owner.
        OwnerId => "owner_id",
        /// Active or churned.
        Status => "status",
        /// Churn date.
        ChurnDate => "churn_date",
        /// Churn reason.
        ChurnReason => "churn_reason",
        /// Well-known brand.
        FlagWellKnown => "flag_well_known",
        /// Gives much feedback.
        FlagFeedback => "flag_feedback",
        /// Influences other customers.
        FlagInfluencer => "flag_influencer",
        /// Expected expansion.
        ExpansionPotential => "expansion_potential",
        /// Champion contact.
        ChampionName => "champion_name",
        /// When the champion last changed.
        ChampionChangedOn => "champion_changed_on",
    }
);

impl AccountField {
    /// Whether only account managers ([`can_manage_accounts`]) may change
    /// this field: the commercial facts (MRR, currency, status and churn
    /// date, external id) and the owner. A CSM keeps the relationship
    /// fields of their own accounts up to date.
    pub const fn is_managed(self) -> bool {
        matches!(
            self,
            AccountField::ExternalId
                | AccountField::MrrMinor
                | AccountField::Currency
                | AccountField::OwnerId
                | AccountField::Status
                | AccountField::ChurnDate
        )
    }
}

/// The fields of an account a user with `role` may change; `is_owner` says
/// whether they own it. Managers and admins every field, a CSM the
/// relationship fields of their own accounts, everyone else none.
pub fn editable_account_fields(role: Role, is_owner: bool) -> Vec<AccountField> {
    AccountField::ALL
        .iter()
        .copied()
        .filter(|f| match role {
            Role::Admin | Role::Manager => true,
            Role::Csm => is_owner && !f.is_managed(),
            Role::Executive => false,
        })
        .collect()
}

string_enum!(
    /// Lifecycle status of a customer account.
    AccountStatus, "status", {
        /// A paying customer.
        Active => "active",
        /// A customer that has left (see churn date and reason).
        Churned => "churned",
    }
);

string_enum!(
    /// Where growth is expected for an account.
    ExpansionPotential, "expansion potential", {
        /// No particular expansion expected.
        None => "none",
        /// On a trial with growth expected.
        TrialGrowth => "trial_growth",
        /// More of a product the customer has is likely.
        Upsell => "upsell",
        /// A product the customer does not have yet is likely.
        CrossSell => "cross_sell",
    }
);

string_enum!(
    /// Coverage tier by MRR (see [`Tier::of`]).
    Tier, "tier", {
        /// High touch: monthly calls, a meeting every two months.
        High => "high",
        /// Low touch: quarterly meetings.
        Low => "low",
        /// Tech touch: no individual contact.
        Tech => "tech",
    }
);

string_enum!(
    /// ISO 4217 currencies Kizuna handles. Money is always integer minor units
    /// of one currency; amounts in different currencies are never added.
    Currency, "currency", {
        /// Japanese yen (no minor unit).
        #[serde(rename = "JPY")]
        Jpy => "JPY",
        /// US dollar (cents).
        #[serde(rename = "USD")]
        Usd => "USD",
        /// Euro (cents).
        #[serde(rename = "EUR")]
        Eur => "EUR",
    }
);

/// The largest amount Kizuna accepts, in major units (yen, dollars): one
/// trillion. The form, the CSV import and the MRR history all refuse more,
/// so sums of a few amounts stay far from `i64` overflow (and are checked
/// anyway, see `api::Money`).
pub const MAX_AMOUNT_MAJOR: i64 = 1_000_000_000_000;

impl Currency {
    /// [`MAX_AMOUNT_MAJOR`] in minor units of this currency.
    pub const fn max_amount_minor(self) -> i64 {
        MAX_AMOUNT_MAJOR * 10_i64.pow(self.minor_digits())
    }

    /// Number of decimal digits of the minor unit (0 for JPY, 2 for USD).
    pub const fn minor_digits(self) -> u32 {
        match self {
            Currency::Jpy => 0,
            Currency::Usd | Currency::Eur => 2,
        }
    }

    /// Tier thresholds in minor units: `(high_from, low_from)`. The yen
    /// figures are the product defaults (¥500,000 and ¥70,000 a month); the
    /// dollar and euro ones are the same order of magnitude in round numbers.
    pub const fn tier_thresholds(self) -> (i64, i64) {
        match self {
            Currency::Jpy => (500_000, 70_000),
            Currency::Usd | Currency::Eur => (500_000, 70_000),
        }
    }
}

impl Tier {
    /// The tier of a monthly recurring revenue in minor units of `currency`.
    pub fn of(mrr_minor: i64, currency: Currency) -> Tier {
        let (high, low) = currency.tier_thresholds();
        if mrr_minor >= high {
            Tier::High
        } else if mrr_minor >= low {
            Tier::Low
        } else {
            Tier::Tech
        }
    }

    /// The `[from, to)` MRR range of this tier in minor units of `currency`
    /// (`to` is `None` for the open-ended top tier).
    pub fn mrr_range(self, currency: Currency) -> (i64, Option<i64>) {
        let (high, low) = currency.tier_thresholds();
        match self {
            Tier::High => (high, None),
            Tier::Low => (low, Some(high)),
            Tier::Tech => (0, Some(low)),
        }
    }
}

/// Formats minor units as a plain decimal string in major units
/// (`123456, Usd` → `"1234.56"`), for CSV files and logs. The UI formats
/// money through the browser's `Intl` instead.
pub fn format_major(amount_minor: i64, currency: Currency) -> String {
    let digits = currency.minor_digits();
    if digits == 0 {
        return amount_minor.to_string();
    }
    let scale = 10_i64.pow(digits);
    let sign = if amount_minor < 0 { "-" } else { "" };
    let abs = amount_minor.unsigned_abs();
    let scale_u = scale.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale_u,
        abs % scale_u,
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
        }
        for c in Currency::ALL {
            assert_eq!(c.as_str().parse::<Currency>(), Ok(*c));
        }
        assert!("boss".parse::<Role>().is_err());
    }

    #[test]
    fn role_rules_as_a_table() {
        use Role::*;
        // role, may manage, may own, edits own account, edits another's.
        let table = [
            (Admin, true, false, true, true),
            (Manager, true, true, true, true),
            (Csm, false, true, true, false),
            (Executive, false, false, false, false),
        ];
        for (role, manage, own, edit_own, edit_other) in table {
            assert_eq!(can_manage_accounts(role), manage, "{role} manages");
            assert_eq!(can_own_accounts(role), own, "{role} owns");
            assert_eq!(can_edit_account(role, 7, Some(7)), edit_own, "{role} own");
            assert_eq!(
                can_edit_account(role, 7, Some(8)),
                edit_other,
                "{role} other"
            );
            assert_eq!(
                can_edit_account(role, 7, None),
                edit_other,
                "{role} no owner"
            );
        }
    }

    #[test]
    fn a_csm_edits_relationship_fields_of_their_own_accounts_only() {
        use AccountField::*;
        let csm = editable_account_fields(Role::Csm, true);
        for managed in [ExternalId, MrrMinor, Currency, OwnerId, Status, ChurnDate] {
            assert!(!csm.contains(&managed), "{managed}");
        }
        for free in [
            Name,
            Plan,
            ChampionName,
            ChampionChangedOn,
            FlagFeedback,
            ChurnReason,
        ] {
            assert!(csm.contains(&free), "{free}");
        }
        assert!(editable_account_fields(Role::Csm, false).is_empty());
        assert!(editable_account_fields(Role::Executive, true).is_empty());
        for role in [Role::Admin, Role::Manager] {
            assert_eq!(editable_account_fields(role, false), AccountField::ALL);
        }
    }

    #[test]
    fn the_amount_cap_is_a_trillion_major_units_in_every_currency() {
        assert_eq!(Currency::Jpy.max_amount_minor(), 1_000_000_000_000);
        assert_eq!(Currency::Usd.max_amount_minor(), 100_000_000_000_000);
    }

    #[test]
    fn tiers_follow_the_yen_thresholds() {
        assert_eq!(Tier::of(500_000, Currency::Jpy), Tier::High);
        assert_eq!(Tier::of(499_999, Currency::Jpy), Tier::Low);
        assert_eq!(Tier::of(70_000, Currency::Jpy), Tier::Low);
        assert_eq!(Tier::of(69_999, Currency::Jpy), Tier::Tech);
        assert_eq!(Tier::Low.mrr_range(Currency::Jpy), (70_000, Some(500_000)));
    }

    #[test]
    fn major_units_are_formatted_per_currency() {
        assert_eq!(format_major(520_000, Currency::Jpy), "520000");
        assert_eq!(format_major(7_985, Currency::Usd), "79.85");
        assert_eq!(format_major(-5, Currency::Usd), "-0.05");
    }
}
