//! What a policy would do, before it is saved: accounts per tier × phase,
//! the tasks it would create per rule and per CSM, and each CSM's expected
//! weekly load against their capacity. The browser runs this over data
//! fetched once (as the workbench scores), the server runs the same
//! function when the policy is saved, so the preview equals what saving
//! creates.

use super::evaluate::{evaluate, AccountFacts};
use super::policy::{CoveragePolicy, Rule};
use crate::domain::{SheetPhase, Tier};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Days of the week a load is counted over: tasks due within it (or
/// overdue) are this week's work.
pub const WEEK_DAYS: u64 = 7;

/// One CSM's expected week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Load {
    /// Tasks the policy gives them in all.
    pub tasks: u32,
    /// Of those, due this week or overdue.
    pub this_week: u32,
    /// Minutes of this week's tasks.
    pub minutes: u32,
    /// Their weekly capacity in minutes.
    pub capacity_minutes: u32,
}

impl Load {
    /// Whether this week's work exceeds the capacity.
    pub const fn overloaded(&self) -> bool {
        self.minutes > self.capacity_minutes
    }
}

/// The preview of a policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    /// Accounts per tier (high, low, tech) and phase (onboarding,
    /// adoption, renewal): `accounts[tier][phase]`.
    pub accounts: [[u32; 3]; 3],
    /// Tasks per rule, in [`Rule::ALL`] order.
    pub tasks_by_rule: Vec<(Rule, u32)>,
    /// The load of each owner (`None`: accounts without an owner, the
    /// managers' queue), by user id.
    pub loads: BTreeMap<Option<i64>, Load>,
}

/// An account for the preview: its owner and its facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Covered {
    /// The account's owner (`None`: the managers' queue).
    pub owner_id: Option<i64>,
    /// What the rules read.
    pub facts: AccountFacts,
}

/// Index of a tier in [`Preview::accounts`].
pub const fn tier_index(tier: Tier) -> usize {
    match tier {
        Tier::High => 0,
        Tier::Low => 1,
        Tier::Tech => 2,
    }
}

/// Index of a phase in [`Preview::accounts`].
pub const fn phase_index(phase: SheetPhase) -> usize {
    match phase {
        SheetPhase::Onboarding => 0,
        SheetPhase::Adoption => 1,
        SheetPhase::Renewal => 2,
    }
}

/// The preview of `policy` over `accounts` (customers on `day`); `owners`
/// are the CSMs to show even when the policy gives them nothing.
pub fn preview(
    policy: &CoveragePolicy,
    accounts: &[Covered],
    owners: &[i64],
    day: NaiveDate,
) -> Preview {
    let mut out = Preview::default();
    let mut by_rule = [0_u32; Rule::ALL.len()];
    for id in owners {
        out.loads.insert(
            Some(*id),
            Load {
                capacity_minutes: policy.capacity_minutes(*id),
                ..Load::default()
            },
        );
    }
    let week_end = day
        .checked_add_days(Days::new(WEEK_DAYS - 1))
        .unwrap_or(NaiveDate::MAX);
    for account in accounts {
        let a = evaluate(policy, &account.facts, day);
        out.accounts[tier_index(a.tier)][phase_index(a.phase)] += 1;
        if a.due.is_empty() {
            continue;
        }
        let load = out.loads.entry(account.owner_id).or_insert_with(|| Load {
            capacity_minutes: account.owner_id.map_or(0, |id| policy.capacity_minutes(id)),
            ..Load::default()
        });
        for due in &a.due {
            by_rule[rule_index(due.rule)] += 1;
            load.tasks += 1;
            if due.due_on <= week_end {
                load.this_week += 1;
                load.minutes += policy.effort_minutes(due.rule);
            }
        }
    }
    out.tasks_by_rule = Rule::ALL.iter().copied().zip(by_rule).collect();
    out
}

/// Accounts past their cadence, per tier (high, low, tech): `(past,
/// accounts)` where `past` counts the accounts with a cadence touch due
/// before `day` and not done.
pub fn past_cadence(
    policy: &CoveragePolicy,
    accounts: &[AccountFacts],
    day: NaiveDate,
) -> [(u32, u32); 3] {
    let mut out = [(0, 0); 3];
    for facts in accounts {
        let a = evaluate(policy, facts, day);
        let slot = &mut out[tier_index(a.tier)];
        slot.1 += 1;
        let past = a.due.iter().any(|d| {
            matches!(d.rule, Rule::CallDue | Rule::MeetingDue | Rule::EmailDue) && d.due_on < day
        });
        slot.0 += u32::from(past);
    }
    out
}

fn rule_index(rule: Rule) -> usize {
    Rule::ALL.iter().position(|r| *r == rule).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::evaluate::LastTouches;
    use crate::domain::Currency;
    use crate::metrics::model::Band;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn account(owner: Option<i64>, mrr: i64, start: &str, login_days: f64) -> Covered {
        Covered {
            owner_id: owner,
            facts: AccountFacts {
                mrr_minor: mrr,
                currency: Currency::Jpy,
                contract_start: Some(d(start)),
                renewal_date: Some(d("2027-09-30")),
                band: Some(Band::Green),
                days_since_login: Some(login_days),
                setup_progress: Some(100.0),
                touches: LastTouches {
                    call: Some(d("2026-12-01")),
                    meeting: Some(d("2026-12-01")),
                    email: None,
                },
                ..AccountFacts::default()
            },
        }
    }

    #[test]
    fn counts_tiers_phases_rules_and_each_csms_week() {
        let day = d("2026-12-07");
        let accounts = [
            // CSM 1: a high-touch account in adoption, silent for 40 days
            // (no login: 30 minutes, due the 14th — next week).
            account(Some(1), 600_000, "2025-01-01", 40.0),
            // CSM 1: a low-touch account onboarding since 1 November, met
            // on 1 December: its quarterly meeting is due 1 March; nothing
            // fires.
            account(Some(1), 100_000, "2026-11-01", 1.0),
            // No owner: a tech-touch account silent for 31 days.
            account(None, 10_000, "2024-05-05", 31.0),
        ];
        let mut policy = CoveragePolicy::default();
        policy.capacities.push(crate::coverage::policy::Capacity {
            user_id: 2,
            hours: 4,
        });
        let p = preview(&policy, &accounts, &[1, 2], day);
        // High/adoption, low/onboarding, tech/adoption.
        assert_eq!(p.accounts, [[0, 1, 0], [1, 0, 0], [0, 1, 0]]);
        let no_login = p.tasks_by_rule.iter().find(|(r, _)| *r == Rule::NoLogin);
        assert_eq!(no_login, Some(&(Rule::NoLogin, 2)));
        let total: u32 = p.tasks_by_rule.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 2);
        // CSM 1: one task, due the 14th, outside the week of the 7th–13th.
        assert_eq!(
            p.loads[&Some(1)],
            Load {
                tasks: 1,
                this_week: 0,
                minutes: 0,
                capacity_minutes: 480
            }
        );
        // CSM 2 has nothing, and their own capacity.
        assert_eq!(p.loads[&Some(2)].capacity_minutes, 240);
        assert_eq!(p.loads[&Some(2)].tasks, 0);
        // The managers' queue has the unowned account's task.
        assert_eq!(p.loads[&None].tasks, 1);
    }

    #[test]
    fn past_cadence_counts_overdue_touches_per_tier_not_those_due_this_week() {
        let day = d("2026-12-07");
        let with_call = |mrr: i64, call: &str| {
            let mut a = account(Some(1), mrr, "2025-01-01", 1.0);
            a.facts.touches = LastTouches {
                call: Some(d(call)),
                // Due 19 December (high touch) or January (low touch).
                meeting: Some(d("2026-10-20")),
                email: None,
            };
            a.facts
        };
        let accounts = [
            // High touch, last call 1 November: due 1 December, past.
            with_call(600_000, "2026-11-01"),
            // High touch, last call 10 November: due 10 December, this week.
            with_call(600_000, "2026-11-10"),
            // Low touch: the quarterly meeting is not due; tech: none.
            with_call(100_000, "2026-01-01"),
            with_call(1_000, "2026-01-01"),
        ];
        let past = past_cadence(&CoveragePolicy::default(), &accounts, day);
        assert_eq!(past, [(1, 2), (0, 1), (0, 1)]);
    }

    #[test]
    fn a_csm_whose_week_exceeds_the_capacity_is_overloaded() {
        let day = d("2026-12-07");
        // Ten high-touch accounts whose monthly call fell due on the 5th
        // (last call 5 November): ten calls of 30 minutes this week.
        let accounts: Vec<Covered> = (0..10)
            .map(|_| {
                let mut a = account(Some(1), 800_000, "2025-01-01", 1.0);
                a.facts.touches = LastTouches {
                    call: Some(d("2026-11-05")),
                    meeting: Some(d("2026-11-05")),
                    email: None,
                };
                a
            })
            .collect();
        let mut policy = CoveragePolicy::default();
        let p = preview(&policy, &accounts, &[1], day);
        let load = p.loads[&Some(1)];
        assert_eq!((load.tasks, load.this_week, load.minutes), (10, 10, 300));
        assert!(!load.overloaded(), "300 of 480 minutes");
        policy.default_capacity_hours = 4;
        let p = preview(&policy, &accounts, &[1], day);
        assert!(p.loads[&Some(1)].overloaded(), "300 of 240 minutes");
        // Lowering the high-touch threshold above their MRR moves them to
        // low touch, whose quarterly meeting is not due: no load.
        policy.thresholds[0].high_from = 900_000;
        let p = preview(&policy, &accounts, &[1], day);
        assert_eq!(p.loads[&Some(1)].tasks, 0);
        assert_eq!(p.accounts[tier_index(Tier::Low)][1], 10);
    }
}
