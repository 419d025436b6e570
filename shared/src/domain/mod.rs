//! Domain vocabulary shared by the server, the app and the metrics: roles
//! and who may do what ([`access`]), account fields and status, currencies
//! and the MRR coverage tiers, survey and sheet vocabulary.

mod access;
pub use access::*;

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
        /// The customer's language (survey pages).
        Language => "language",
    }
);

impl AccountField {
    /// Whether only account managers ([`Capability::ManageAccounts`]) may change
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

string_enum!(
    /// Lifecycle status of a customer account.
    AccountStatus, "status", {
        /// A paying customer.
        Active => "active",
        /// A customer that has left (see churn date and reason).
        Churned => "churned",
    }
);

/// What an account records about when it is a customer: its contract start,
/// its churn date and whether its status is churned.
///
/// [`is_customer_on`](Self::is_customer_on) is the one rule of "a customer
/// on a day", used by the health KPIs (customers at a period's end) and by
/// the server's reads of the current score; the server's SQL for the
/// scoring population (`db::scoring::Scope`) states the same rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Tenure {
    /// Contract start (`None`: not recorded, a customer from the start of
    /// the data).
    pub contract_start: Option<chrono::NaiveDate>,
    /// Churn date (`None`: not churned, or churned without a date).
    pub churn_date: Option<chrono::NaiveDate>,
    /// Whether the status is churned.
    pub churned: bool,
}

impl Tenure {
    /// Whether the account is a customer on `day`: its contract started on
    /// or before it (or has no date) and it had not churned on or before
    /// it. A churned account without a churn date cannot be placed in time
    /// and is a customer on no day.
    #[must_use]
    pub fn is_customer_on(&self, day: chrono::NaiveDate) -> bool {
        self.contract_start.is_none_or(|s| s <= day)
            && self.churn_date.is_none_or(|c| c > day)
            && !(self.churned && self.churn_date.is_none())
    }
}

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
/// so sums of a few amounts stay far from `i64` overflow; larger sums (a
/// KPI over 100,000 accounts) follow `api::MoneySum`'s policy: exact, and
/// an error when the total does not fit.
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

string_enum!(
    /// Kind of survey question.
    SurveyKind, "survey kind", {
        /// Net promoter question, 0–10.
        Nps => "nps",
        /// Satisfaction question, 1–5.
        Csat => "csat",
    }
);

impl SurveyKind {
    /// The lowest and highest valid score (`0–10` for NPS, `1–5` for CSAT).
    pub const fn score_range(self) -> (u8, u8) {
        match self {
            SurveyKind::Nps => (0, 10),
            SurveyKind::Csat => (1, 5),
        }
    }

    /// Whether `score` is a valid answer to a question of this kind.
    pub const fn accepts(self, score: u8) -> bool {
        let (min, max) = self.score_range();
        score >= min && score <= max
    }
}

string_enum!(
    /// Where a score falls: NPS promoters (9–10), passives (7–8) and
    /// detractors (0–6); CSAT satisfied (4–5), neutral (3) and dissatisfied
    /// (1–2). A negative answer asks for a follow-up.
    ScoreGroup, "score group", {
        /// NPS 9–10, CSAT 4–5.
        Positive => "positive",
        /// NPS 7–8, CSAT 3.
        Neutral => "neutral",
        /// NPS 0–6, CSAT 1–2.
        Negative => "negative",
    }
);

impl ScoreGroup {
    /// The group of a valid score (`None` when `score` is out of range).
    pub const fn of(kind: SurveyKind, score: u8) -> Option<ScoreGroup> {
        if !kind.accepts(score) {
            return None;
        }
        let (low, high) = match kind {
            SurveyKind::Nps => (6, 9),
            SurveyKind::Csat => (2, 4),
        };
        Some(if score <= low {
            ScoreGroup::Negative
        } else if score >= high {
            ScoreGroup::Positive
        } else {
            ScoreGroup::Neutral
        })
    }

    /// The scores `[min, max]` of this group for `kind`.
    pub const fn range(self, kind: SurveyKind) -> (u8, u8) {
        match (kind, self) {
            (SurveyKind::Nps, ScoreGroup::Negative) => (0, 6),
            (SurveyKind::Nps, ScoreGroup::Neutral) => (7, 8),
            (SurveyKind::Nps, ScoreGroup::Positive) => (9, 10),
            (SurveyKind::Csat, ScoreGroup::Negative) => (1, 2),
            (SurveyKind::Csat, ScoreGroup::Neutral) => (3, 3),
            (SurveyKind::Csat, ScoreGroup::Positive) => (4, 5),
        }
    }
}

string_enum!(
    /// How a survey answer reached Kizuna.
    AnswerChannel, "channel", {
        /// Heard on a call and entered by a CSM (a proxy answer).
        Call => "call",
        /// Given by the customer through a personal link.
        Link => "link",
    }
);

string_enum!(
    /// A language of the product and of customer-facing texts.
    Language, "language", {
        /// English.
        En => "en",
        /// Japanese.
        Ja => "ja",
    }
);

impl Language {
    /// The language of an account without a stated one: Japanese for yen
    /// accounts, English otherwise.
    pub const fn default_for(currency: Currency) -> Language {
        match currency {
            Currency::Jpy => Language::Ja,
            Currency::Usd | Currency::Eur => Language::En,
        }
    }

    /// The other language.
    pub const fn other(self) -> Language {
        match self {
            Language::En => Language::Ja,
            Language::Ja => Language::En,
        }
    }
}

string_enum!(
    /// Where a personal survey link stands.
    LinkStatus, "link status", {
        /// Can be answered.
        Open => "open",
        /// Answered (single use: it cannot be answered again).
        Answered => "answered",
        /// Past its expiry, unanswered.
        Expired => "expired",
        /// Withdrawn by staff, unanswered.
        Revoked => "revoked",
    }
);

string_enum!(
    /// Whether a task still needs doing.
    TaskStatus, "task status", {
        /// To do.
        Open => "open",
        /// Done.
        Done => "done",
    }
);

string_enum!(
    /// Why a task exists. Coverage rules add their own kinds.
    TaskKind, "task kind", {
        /// Follow up a negative survey answer (NPS 0–6, CSAT 1–2).
        SurveyFollowUp => "survey_follow_up",
    }
);

string_enum!(
    /// Whom an onboarding sheet is for.
    SheetKind, "sheet kind", {
        /// A customer account (customer onboarding).
        Customer => "customer",
        /// A new team member (enablement).
        Teammate => "teammate",
    }
);

string_enum!(
    /// Lifecycle phase of a sheet item.
    SheetPhase, "phase", {
        /// Onboarding (導入期): getting the customer live.
        Onboarding => "onboarding",
        /// Adoption (活用期): regular use.
        Adoption => "adoption",
        /// Renewal (更新期): the run-up to renewal.
        Renewal => "renewal",
    }
);

string_enum!(
    /// Who is responsible for a sheet item.
    ResponsibleRole, "responsible role", {
        /// The account's CSM.
        Csm => "csm",
        /// The CS manager.
        Manager => "manager",
        /// CS Ops.
        CsOps => "cs_ops",
        /// The new member's mentor.
        Mentor => "mentor",
        /// The customer.
        Customer => "customer",
        /// The new team member.
        NewMember => "new_member",
    }
);

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
    fn a_customer_from_the_contract_start_until_the_day_before_the_churn() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let t = Tenure {
            contract_start: Some(d("2025-02-01")),
            churn_date: Some(d("2025-05-15")),
            churned: true,
        };
        assert!(!t.is_customer_on(d("2025-01-31")));
        assert!(t.is_customer_on(d("2025-02-01")));
        assert!(t.is_customer_on(d("2025-05-14")));
        assert!(!t.is_customer_on(d("2025-05-15")), "churned on the day");
        // No dates: always; churned without a date: never.
        assert!(Tenure::default().is_customer_on(d("1999-01-01")));
        let undated = Tenure {
            churned: true,
            ..Tenure::default()
        };
        assert!(!undated.is_customer_on(d("1999-01-01")));
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

    #[test]
    fn score_groups_follow_the_nps_and_csat_rules() {
        let nps: Vec<_> = (0..=10)
            .map(|s| ScoreGroup::of(SurveyKind::Nps, s))
            .collect();
        assert_eq!(nps[6], Some(ScoreGroup::Negative));
        assert_eq!(nps[7], Some(ScoreGroup::Neutral));
        assert_eq!(nps[8], Some(ScoreGroup::Neutral));
        assert_eq!(nps[9], Some(ScoreGroup::Positive));
        assert_eq!(ScoreGroup::of(SurveyKind::Nps, 11), None);
        assert_eq!(ScoreGroup::of(SurveyKind::Csat, 0), None);
        assert_eq!(
            ScoreGroup::of(SurveyKind::Csat, 2),
            Some(ScoreGroup::Negative)
        );
        assert_eq!(
            ScoreGroup::of(SurveyKind::Csat, 3),
            Some(ScoreGroup::Neutral)
        );
        assert_eq!(
            ScoreGroup::of(SurveyKind::Csat, 4),
            Some(ScoreGroup::Positive)
        );
        // Every valid score lies in the range of its own group.
        for kind in SurveyKind::ALL {
            let (min, max) = kind.score_range();
            for s in min..=max {
                let (lo, hi) = ScoreGroup::of(*kind, s).unwrap().range(*kind);
                assert!((lo..=hi).contains(&s), "{kind} {s}");
            }
        }
    }
}
