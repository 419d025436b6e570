//! The coverage policy a manager edits: tier thresholds per currency,
//! contact cadences per tier, lifecycle windows, risk-trigger parameters,
//! band actions, effort per task and each CSM's weekly capacity. The
//! defaults are the product's (`../shared/product.md`, "Coverage rules and
//! playbooks"); [`CoveragePolicy::validate`] is the one check the form, the
//! preview and the server run.

use crate::domain::{Currency, Tier};
use garde::Validate;
use serde::{Deserialize, Serialize};

string_enum!(
    /// How a CSM was in touch with a customer.
    TouchKind, "touch kind", {
        /// A phone or video call.
        Call => "call",
        /// A meeting (on site or online, with an agenda).
        Meeting => "meeting",
        /// An e-mail exchange.
        Email => "email",
        /// A note: something learnt without contact (satisfies no cadence).
        Note => "note",
    }
);

impl TouchKind {
    /// Whether a touch of this kind satisfies a cadence of `cadence`: the
    /// same kind, or a meeting for a call (a meeting is at least a call).
    /// A note satisfies none.
    pub const fn satisfies(self, cadence: TouchKind) -> bool {
        matches!(
            (self, cadence),
            (TouchKind::Call, TouchKind::Call)
                | (TouchKind::Meeting, TouchKind::Call | TouchKind::Meeting)
                | (TouchKind::Email, TouchKind::Email)
        )
    }
}

string_enum!(
    /// The rule that made a task: a risk trigger, a band action or a due
    /// touch of the tier's cadence.
    Rule, "coverage rule", {
        /// No login for N days (`days_since_login`).
        NoLogin => "no_login",
        /// Setup below X % after Y days, with no support tickets lately.
        SetupStalled => "setup_stalled",
        /// The champion changed within Z days.
        ChampionChanged => "champion_changed",
        /// The score fell into the red band of the published model (the
        /// transition, not the state).
        FellIntoRed => "fell_into_red",
        /// The latest survey answer is a detractor's, not followed up yet.
        Detractor => "detractor",
        /// Red band: priority outreach.
        RedOutreach => "red_outreach",
        /// Green band with expansion potential: an expansion proposal.
        ExpansionProposal => "expansion_proposal",
        /// Yellow band: a periodic update at the tier's cadence.
        PeriodicUpdate => "periodic_update",
        /// The tier's call cadence is due.
        CallDue => "call_due",
        /// The tier's meeting cadence is due.
        MeetingDue => "meeting_due",
        /// The tier's e-mail cadence is due.
        EmailDue => "email_due",
    }
);

impl Rule {
    /// The cadence rule of a touch kind (`None` for notes).
    pub const fn cadence_of(kind: TouchKind) -> Option<Rule> {
        match kind {
            TouchKind::Call => Some(Rule::CallDue),
            TouchKind::Meeting => Some(Rule::MeetingDue),
            TouchKind::Email => Some(Rule::EmailDue),
            TouchKind::Note => None,
        }
    }

    /// Minutes of work a task of this rule takes by default.
    pub const fn default_effort_minutes(self) -> u32 {
        match self {
            Rule::NoLogin | Rule::ChampionChanged | Rule::Detractor => 30,
            Rule::SetupStalled => 45,
            Rule::FellIntoRed | Rule::RedOutreach => 60,
            Rule::ExpansionProposal => 90,
            Rule::PeriodicUpdate | Rule::EmailDue => 15,
            Rule::CallDue => 30,
            Rule::MeetingDue => 60,
        }
    }
}

/// Tier thresholds of one currency, in minor units of MRR a month: high
/// touch from `high_from`, low touch from `low_from`, tech touch below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[garde(allow_unvalidated)]
pub struct TierThresholds {
    /// The currency these amounts are in.
    pub currency: Currency,
    /// High touch from this MRR (minor units, inclusive).
    #[garde(range(min = 1))]
    pub high_from: i64,
    /// Low touch from this MRR (minor units, inclusive); below: tech touch.
    #[garde(range(min = 1))]
    pub low_from: i64,
}

impl TierThresholds {
    /// The product's default thresholds of `currency`
    /// ([`Currency::tier_thresholds`], the one home of those figures).
    pub const fn default_of(currency: Currency) -> Self {
        let (high_from, low_from) = currency.tier_thresholds();
        TierThresholds {
            currency,
            high_from,
            low_from,
        }
    }

    /// The tier of `mrr_minor` (in this currency): the boundaries belong to
    /// the higher tier.
    pub const fn tier_of(&self, mrr_minor: i64) -> Tier {
        if mrr_minor >= self.high_from {
            Tier::High
        } else if mrr_minor >= self.low_from {
            Tier::Low
        } else {
            Tier::Tech
        }
    }

    /// The `[from, to)` MRR range of `tier` (`to` is `None` for high touch).
    pub const fn range(&self, tier: Tier) -> (i64, Option<i64>) {
        match tier {
            Tier::High => (self.high_from, None),
            Tier::Low => (self.low_from, Some(self.high_from)),
            Tier::Tech => (0, Some(self.low_from)),
        }
    }
}

/// One contact cadence: a touch of `kind` every `every_days` days for the
/// accounts of `tier`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[garde(allow_unvalidated)]
pub struct Cadence {
    /// The tier it applies to.
    pub tier: Tier,
    /// The kind of touch due (not a note).
    #[garde(custom(not_a_note))]
    pub kind: TouchKind,
    /// Days between touches (7 to 365).
    #[garde(range(min = 7, max = 365))]
    pub every_days: u32,
}

fn not_a_note(kind: &TouchKind, _ctx: &()) -> garde::Result {
    if *kind == TouchKind::Note {
        return Err(garde::Error::new("a note satisfies no cadence"));
    }
    Ok(())
}

/// The lifecycle windows: onboarding is the first `onboarding_days` after
/// the contract start, renewal the `renewal_days` before the renewal date,
/// adoption in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhaseWindows {
    /// Days of onboarding after the contract start (1 to 365).
    #[garde(range(min = 1, max = 365))]
    pub onboarding_days: u32,
    /// Days of renewal before the renewal date (1 to 365).
    #[garde(range(min = 1, max = 365))]
    pub renewal_days: u32,
}

/// The risk triggers and their parameters; `None` (or `false`) turns a
/// trigger off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Triggers {
    /// No login for at least this many days (the `days_since_login` signal).
    #[garde(inner(range(min = 1, max = 365)))]
    pub no_login_days: Option<u32>,
    /// Setup progress below a share after some days, with no support
    /// tickets in a window.
    #[garde(dive)]
    pub setup_stalled: Option<SetupStalled>,
    /// The champion changed within this many days.
    #[garde(inner(range(min = 1, max = 365)))]
    pub champion_changed_days: Option<u32>,
    /// A task when the score falls into the red band.
    #[garde(skip)]
    pub fell_into_red: bool,
    /// A task when the latest answer is a detractor's.
    #[garde(skip)]
    pub detractor: bool,
}

/// "Setup progress below `below_percent` % after `after_days` days with no
/// support tickets in 30 days" (the `support_tickets_30d` signal's window).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetupStalled {
    /// The share of setup done below which the trigger fires (1 to 100).
    #[garde(range(min = 1.0, max = 100.0))]
    pub below_percent: f64,
    /// Days after the contract start before it may fire (1 to 365).
    #[garde(range(min = 1, max = 365))]
    pub after_days: u32,
}

/// What each health band asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[garde(allow_unvalidated)]
pub struct BandActions {
    /// Red → priority outreach.
    pub red_outreach: bool,
    /// Green with expansion potential → an expansion proposal.
    pub green_expansion: bool,
    /// Yellow → a periodic update at the tier's cadence.
    pub yellow_update: bool,
}

/// Minutes of work per task of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[garde(allow_unvalidated)]
pub struct Effort {
    /// The rule.
    pub rule: Rule,
    /// Minutes (1 to 480).
    #[garde(range(min = 1, max = 480))]
    pub minutes: u32,
}

/// One CSM's weekly capacity for coverage work, in hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// The user.
    #[garde(range(min = 1))]
    pub user_id: i64,
    /// Hours a week (0 to 60).
    #[garde(range(max = 60))]
    pub hours: u32,
}

/// The most CSMs given their own capacity.
pub const MAX_CAPACITIES: usize = 1_000;

/// The coverage policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CoveragePolicy {
    /// Tier thresholds, one entry per currency (every currency once).
    #[garde(custom(every_currency_once), dive)]
    pub thresholds: Vec<TierThresholds>,
    /// Contact cadences (at most one per tier and kind).
    #[garde(length(max = 9), custom(one_cadence_per_tier_and_kind), dive)]
    pub cadences: Vec<Cadence>,
    /// Lifecycle windows.
    #[garde(dive)]
    pub windows: PhaseWindows,
    /// Risk triggers.
    #[garde(dive)]
    pub triggers: Triggers,
    /// Band actions.
    #[garde(dive)]
    pub band_actions: BandActions,
    /// Minutes per task, by rule (rules not listed take their default).
    #[garde(length(max = 11), dive)]
    pub effort: Vec<Effort>,
    /// Weekly hours of a CSM not listed in `capacities`.
    #[garde(range(max = 60))]
    pub default_capacity_hours: u32,
    /// CSMs with their own weekly hours.
    #[garde(length(max = MAX_CAPACITIES), dive)]
    pub capacities: Vec<Capacity>,
}

fn every_currency_once(thresholds: &[TierThresholds], _ctx: &()) -> garde::Result {
    for currency in Currency::ALL {
        let n = thresholds
            .iter()
            .filter(|t| t.currency == *currency)
            .count();
        if n != 1 {
            return Err(garde::Error::new(format!(
                "give the thresholds of {currency} exactly once"
            )));
        }
    }
    if let Some(t) = thresholds.iter().find(|t| t.low_from >= t.high_from) {
        return Err(garde::Error::new(format!(
            "the low-touch threshold of {} must be below its high-touch threshold",
            t.currency
        )));
    }
    if let Some(t) = thresholds
        .iter()
        .find(|t| t.high_from > t.currency.max_amount_minor())
    {
        return Err(garde::Error::new(format!(
            "the high-touch threshold of {} is above the largest amount accepted",
            t.currency
        )));
    }
    Ok(())
}

fn one_cadence_per_tier_and_kind(cadences: &[Cadence], _ctx: &()) -> garde::Result {
    for (i, a) in cadences.iter().enumerate() {
        if cadences[..i]
            .iter()
            .any(|b| b.tier == a.tier && b.kind == a.kind)
        {
            return Err(garde::Error::new(format!(
                "the {} cadence of {} touch is given twice",
                a.kind, a.tier
            )));
        }
    }
    Ok(())
}

impl Default for CoveragePolicy {
    /// The product's defaults: ¥500,000 / ¥70,000 a month (and $5,000 /
    /// $700, €5,000 / €700); high touch a call a month and a meeting every
    /// two months, low touch a meeting a quarter, tech touch none;
    /// onboarding 60 days, renewal 90 days; every trigger on (no login for
    /// 30 days, setup below 50 % after 30 days with no tickets in 30 days,
    /// champion changed within 30 days); every band action on; 8 hours a
    /// week of coverage work per CSM.
    fn default() -> Self {
        CoveragePolicy {
            thresholds: Currency::ALL
                .iter()
                .map(|c| TierThresholds::default_of(*c))
                .collect(),
            cadences: vec![
                Cadence {
                    tier: Tier::High,
                    kind: TouchKind::Call,
                    every_days: 30,
                },
                Cadence {
                    tier: Tier::High,
                    kind: TouchKind::Meeting,
                    every_days: 60,
                },
                Cadence {
                    tier: Tier::Low,
                    kind: TouchKind::Meeting,
                    every_days: 90,
                },
            ],
            windows: PhaseWindows {
                onboarding_days: 60,
                renewal_days: 90,
            },
            triggers: Triggers {
                no_login_days: Some(30),
                setup_stalled: Some(SetupStalled {
                    below_percent: 50.0,
                    after_days: 30,
                }),
                champion_changed_days: Some(30),
                fell_into_red: true,
                detractor: true,
            },
            band_actions: BandActions {
                red_outreach: true,
                green_expansion: true,
                yellow_update: true,
            },
            effort: Vec::new(),
            default_capacity_hours: 8,
            capacities: Vec::new(),
        }
    }
}

impl CoveragePolicy {
    /// The thresholds of `currency` (the defaults' if the policy lacks
    /// them, which validation refuses).
    pub fn thresholds_of(&self, currency: Currency) -> TierThresholds {
        self.thresholds
            .iter()
            .copied()
            .find(|t| t.currency == currency)
            .unwrap_or(TierThresholds::default_of(currency))
    }

    /// The tier of an MRR in minor units of `currency`.
    pub fn tier_of(&self, mrr_minor: i64, currency: Currency) -> Tier {
        self.thresholds_of(currency).tier_of(mrr_minor)
    }

    /// The cadences of `tier`.
    pub fn cadences_of(&self, tier: Tier) -> impl Iterator<Item = &Cadence> + '_ {
        self.cadences.iter().filter(move |c| c.tier == tier)
    }

    /// Minutes a task of `rule` takes.
    pub fn effort_minutes(&self, rule: Rule) -> u32 {
        self.effort
            .iter()
            .find(|e| e.rule == rule)
            .map_or(rule.default_effort_minutes(), |e| e.minutes)
    }

    /// Weekly capacity of `user_id` in minutes.
    pub fn capacity_minutes(&self, user_id: i64) -> u32 {
        let hours = self
            .capacities
            .iter()
            .find(|c| c.user_id == user_id)
            .map_or(self.default_capacity_hours, |c| c.hours);
        hours * 60
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_the_products() {
        let p = CoveragePolicy::default();
        assert!(p.validate().is_ok());
        assert_eq!(p.tier_of(500_000, Currency::Jpy), Tier::High);
        assert_eq!(p.tier_of(499_999, Currency::Jpy), Tier::Low);
        assert_eq!(p.tier_of(70_000, Currency::Jpy), Tier::Low);
        assert_eq!(p.tier_of(69_999, Currency::Jpy), Tier::Tech);
        // $5,000.00 and $700.00 a month.
        assert_eq!(p.tier_of(500_000, Currency::Usd), Tier::High);
        assert_eq!(p.tier_of(69_999, Currency::Usd), Tier::Tech);
        assert_eq!(p.cadences_of(Tier::High).count(), 2);
        assert_eq!(p.cadences_of(Tier::Tech).count(), 0);
        assert_eq!(p.capacity_minutes(42), 480);
        assert_eq!(p.effort_minutes(Rule::MeetingDue), 60);
    }

    #[test]
    fn a_policy_with_a_currency_missing_twice_or_crossed_thresholds_is_refused() {
        let mut p = CoveragePolicy::default();
        p.thresholds.pop();
        assert!(p.validate().is_err());
        let mut p = CoveragePolicy::default();
        p.thresholds.push(p.thresholds[0]);
        assert!(p.validate().is_err());
        let mut p = CoveragePolicy::default();
        p.thresholds[0].low_from = p.thresholds[0].high_from;
        assert!(p.validate().is_err());
        let mut p = CoveragePolicy::default();
        p.cadences.push(p.cadences[0]);
        assert!(p.validate().is_err());
        let mut p = CoveragePolicy::default();
        p.cadences[0].kind = TouchKind::Note;
        assert!(p.validate().is_err());
        let mut p = CoveragePolicy::default();
        p.cadences[0].every_days = 3;
        assert!(p.validate().is_err());
    }

    #[test]
    fn a_meeting_counts_as_a_call_and_a_note_as_nothing() {
        assert!(TouchKind::Meeting.satisfies(TouchKind::Call));
        assert!(!TouchKind::Call.satisfies(TouchKind::Meeting));
        assert!(!TouchKind::Note.satisfies(TouchKind::Call));
        assert!(!TouchKind::Email.satisfies(TouchKind::Call));
        assert!(TouchKind::Email.satisfies(TouchKind::Email));
    }

    #[test]
    fn a_capacity_and_an_effort_of_the_policy_override_the_defaults() {
        let mut p = CoveragePolicy::default();
        p.capacities.push(Capacity {
            user_id: 7,
            hours: 12,
        });
        p.effort.push(Effort {
            rule: Rule::CallDue,
            minutes: 20,
        });
        assert_eq!(p.capacity_minutes(7), 720);
        assert_eq!(p.capacity_minutes(8), 480);
        assert_eq!(p.effort_minutes(Rule::CallDue), 20);
        assert_eq!(p.effort_minutes(Rule::NoLogin), 30);
    }
}
