//! The one priority function: from the rule, raised by the account's
//! importance flags and expansion potential, then ordered by MRR.
//!
//! MRR in different currencies is never compared as money; an account's
//! size is its MRR as a share of its currency's high-touch threshold, so a
//! ¥1,000,000 and a $10,000 customer (both twice their threshold) weigh the
//! same.

use super::policy::{Rule, TierThresholds};
use crate::domain::ExpansionPotential;
use serde::{Deserialize, Serialize};

/// A task's priority: `points` first, then `size`. Larger is more urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Priority {
    /// The rule's points plus the account's raises.
    pub points: u32,
    /// MRR in thousandths of the currency's high-touch threshold (capped at
    /// 1,000,000, a thousand times the threshold).
    pub size: u32,
}

string_enum!(
    /// A priority in words, for lists and filters.
    PriorityLevel, "priority level", {
        /// 60 points or more: a detractor or a fall into red.
        Urgent => "urgent",
        /// 40 to 59.
        High => "high",
        /// 25 to 39.
        Normal => "normal",
        /// Below 25.
        Low => "low",
    }
);

/// The points of a rule before any raise.
pub const fn rule_points(rule: Rule) -> u32 {
    match rule {
        Rule::Detractor | Rule::FellIntoRed => 60,
        Rule::RedOutreach => 50,
        Rule::NoLogin | Rule::SetupStalled | Rule::ChampionChanged => 40,
        Rule::CallDue | Rule::MeetingDue => 30,
        Rule::EmailDue | Rule::ExpansionProposal => 20,
        Rule::PeriodicUpdate => 10,
    }
}

/// Points added per importance flag (well known, feedback, influencer).
pub const IMPORTANCE_POINTS: u32 = 5;

/// Points added for an expansion potential.
pub const fn expansion_points(potential: ExpansionPotential) -> u32 {
    match potential {
        ExpansionPotential::None => 0,
        ExpansionPotential::TrialGrowth => 3,
        ExpansionPotential::Upsell | ExpansionPotential::CrossSell => 5,
    }
}

/// The priority of a task of `rule` for an account with `importance` flags
/// (at most 3 count), `expansion` potential and `mrr_minor` in the currency
/// of `thresholds`.
pub fn priority(
    rule: Rule,
    importance: u8,
    expansion: ExpansionPotential,
    mrr_minor: i64,
    thresholds: &TierThresholds,
) -> Priority {
    let points = rule_points(rule)
        + IMPORTANCE_POINTS * u32::from(importance.min(3))
        + expansion_points(expansion);
    let high = i128::from(thresholds.high_from.max(1));
    let size = (i128::from(mrr_minor.max(0)) * 1000 / high).min(1_000_000);
    Priority {
        points,
        size: u32::try_from(size).unwrap_or(1_000_000),
    }
}

impl Priority {
    /// The priority in words.
    pub const fn level(self) -> PriorityLevel {
        match self.points {
            60.. => PriorityLevel::Urgent,
            40..=59 => PriorityLevel::High,
            25..=39 => PriorityLevel::Normal,
            _ => PriorityLevel::Low,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    fn yen() -> TierThresholds {
        TierThresholds {
            currency: Currency::Jpy,
            high_from: 500_000,
            low_from: 70_000,
        }
    }

    fn dollars() -> TierThresholds {
        TierThresholds {
            currency: Currency::Usd,
            high_from: 500_000, // $5,000.00
            low_from: 70_000,
        }
    }

    #[test]
    fn points_come_from_the_rule_raised_by_flags_and_potential() {
        let none = ExpansionPotential::None;
        // A cadence call for a plain account: 30 points.
        let p = priority(Rule::CallDue, 0, none, 100_000, &yen());
        assert_eq!(p.points, 30);
        assert_eq!(p.level(), PriorityLevel::Normal);
        // Two flags (+10) and upsell potential (+5): 45, high.
        let p = priority(
            Rule::CallDue,
            2,
            ExpansionPotential::Upsell,
            100_000,
            &yen(),
        );
        assert_eq!(p.points, 45);
        assert_eq!(p.level(), PriorityLevel::High);
        // Flags count at most three: 10 + 15 + 3 = 28.
        let p = priority(
            Rule::PeriodicUpdate,
            9,
            ExpansionPotential::TrialGrowth,
            0,
            &yen(),
        );
        assert_eq!(p.points, 28);
        // A detractor is urgent whatever the account.
        assert_eq!(
            priority(Rule::Detractor, 0, none, 0, &yen()).level(),
            PriorityLevel::Urgent
        );
        assert_eq!(
            priority(Rule::PeriodicUpdate, 0, none, 0, &yen()).level(),
            PriorityLevel::Low
        );
    }

    #[test]
    fn mrr_orders_equal_points_as_a_share_of_each_currencys_threshold() {
        let none = ExpansionPotential::None;
        // ¥1,000,000 is 2× ¥500,000; $10,000.00 is 2× $5,000.00.
        let big_yen = priority(Rule::NoLogin, 0, none, 1_000_000, &yen());
        let big_usd = priority(Rule::NoLogin, 0, none, 1_000_000, &dollars());
        assert_eq!(big_yen.size, 2000);
        assert_eq!(big_yen, big_usd);
        // ¥250,000 is half the threshold: 500.
        let small = priority(Rule::NoLogin, 0, none, 250_000, &yen());
        assert_eq!(small.size, 500);
        assert!(big_yen > small);
        // Points decide before size: a one-flag plain account outranks a
        // flagless giant.
        let flagged = priority(Rule::NoLogin, 1, none, 1, &yen());
        let giant = priority(Rule::NoLogin, 0, none, i64::MAX, &yen());
        assert_eq!(giant.size, 1_000_000);
        assert!(flagged > giant);
        // A negative MRR (a credit) is size 0.
        assert_eq!(priority(Rule::NoLogin, 0, none, -5, &yen()).size, 0);
    }
}
