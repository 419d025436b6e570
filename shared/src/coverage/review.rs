//! The PDCA review of a rule: did the accounts it touched churn less than
//! comparable accounts it did not touch?
//!
//! "Comparable" means the same tier and band at the time. The untouched
//! accounts' churn is **standardised** to the touched accounts' mix of
//! strata (each stratum's untouched churn rate weighted by its share of the
//! touched accounts), so a rule that mostly touches red accounts is not
//! judged against a population of mostly green ones. Touched accounts in a
//! stratum with no untouched account have no comparison and are counted
//! apart (`unmatched`). The margin is the half-width of a 95 % interval of
//! the difference (normal approximation: the touched rate's variance plus
//! the standardised rate's, Σ w²·p(1−p)/n over the strata).

use super::policy::Rule;
use crate::domain::Tier;
use crate::metrics::kpi::onboarding::median;
use crate::metrics::model::Band;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

string_enum!(
    /// How a coverage task ended (or that it has not).
    TaskOutcome, "task outcome", {
        /// Still open (or snoozed).
        Open => "open",
        /// Done by someone.
        Done => "done",
        /// Dismissed by someone, with a note.
        Dismissed => "dismissed",
        /// Closed by the data: the condition cleared before anyone acted.
        ResolvedByData => "resolved_by_data",
    }
);

/// A coverage task as the review reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskRecord {
    /// The rule that made it.
    pub rule: Rule,
    /// The day it was made.
    pub created_on: NaiveDate,
    /// Its due date.
    pub due_on: NaiveDate,
    /// How it ended.
    pub outcome: TaskOutcome,
    /// The day it ended (`None` while open).
    pub closed_on: Option<NaiveDate>,
}

/// What one rule's tasks did in a period.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleActivity {
    /// Tasks created in the period.
    pub created: u32,
    /// Of those, done.
    pub done: u32,
    /// Of those, dismissed.
    pub dismissed: u32,
    /// Of those, resolved by the data.
    pub resolved_by_data: u32,
    /// Of those, still open.
    pub open: u32,
    /// Median days from creation to done, over the done ones.
    pub median_days_to_done: Option<f64>,
}

/// Each rule's activity over the tasks created from `from` to `to`
/// (inclusive), in [`Rule::ALL`] order; rules without tasks are listed with
/// zeros.
pub fn activity(tasks: &[TaskRecord], from: NaiveDate, to: NaiveDate) -> Vec<(Rule, RuleActivity)> {
    Rule::ALL
        .iter()
        .map(|rule| {
            let mut a = RuleActivity::default();
            let mut days = Vec::new();
            for t in tasks
                .iter()
                .filter(|t| t.rule == *rule && (from..=to).contains(&t.created_on))
            {
                a.created += 1;
                match t.outcome {
                    TaskOutcome::Open => a.open += 1,
                    TaskOutcome::Done => {
                        a.done += 1;
                        if let Some(closed) = t.closed_on {
                            days.push((closed - t.created_on).num_days());
                        }
                    }
                    TaskOutcome::Dismissed => a.dismissed += 1,
                    TaskOutcome::ResolvedByData => a.resolved_by_data += 1,
                }
            }
            a.median_days_to_done = median(&mut days);
            (*rule, a)
        })
        .collect()
}

/// Tasks done on time: of the tasks done in a period, those done on or
/// before their due date.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OnTime {
    /// Tasks done in the period.
    pub done: u32,
    /// Of those, done on or before their due date.
    pub on_time: u32,
    /// `on_time ÷ done × 100` (`None` when nothing was done).
    pub pct: Option<f64>,
}

/// The on-time share of the tasks done from `from` to `to` (inclusive).
pub fn on_time(tasks: &[TaskRecord], from: NaiveDate, to: NaiveDate) -> OnTime {
    let mut out = OnTime::default();
    for t in tasks {
        let (TaskOutcome::Done, Some(closed)) = (t.outcome, t.closed_on) else {
            continue;
        };
        if (from..=to).contains(&closed) {
            out.done += 1;
            out.on_time += u32::from(closed <= t.due_on);
        }
    }
    out.pct = (out.done > 0).then(|| f64::from(out.on_time) / f64::from(out.done) * 100.0);
    out
}

/// z for a two-sided 95 % interval.
pub const Z_95: f64 = 1.96;

/// An account in the review: its stratum when the rule ran and whether it
/// churned within the horizon (90 or 180 days) after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Tier at the time.
    pub tier: Tier,
    /// Band at the time (`None`: not scored).
    pub band: Option<Band>,
    /// Whether it churned within the horizon.
    pub churned: bool,
}

/// Churned accounts of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    /// How many churned.
    pub churned: u32,
    /// Of how many.
    pub accounts: u32,
}

impl Rate {
    /// The share that churned (`None` for an empty group).
    pub fn share(self) -> Option<f64> {
        (self.accounts > 0).then(|| f64::from(self.churned) / f64::from(self.accounts))
    }

    fn add(&mut self, churned: bool) {
        self.accounts += 1;
        self.churned += u32::from(churned);
    }
}

/// A rule's accounts against comparable ones.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// The touched accounts that have comparable ones.
    pub touched: Rate,
    /// The untouched accounts in the same strata.
    pub comparable: Rate,
    /// Touched accounts in strata without any untouched account.
    pub unmatched: u32,
    /// The touched accounts' churn rate.
    pub touched_rate: Option<f64>,
    /// The untouched accounts' churn rate standardised to the touched mix.
    pub expected_rate: Option<f64>,
    /// `touched_rate − expected_rate` (negative: the rule's accounts churned
    /// less).
    pub difference: Option<f64>,
    /// Half-width of the 95 % interval of the difference.
    pub margin: Option<f64>,
}

type Stratum = (Tier, Option<Band>);

/// Compares the accounts a rule touched with those it did not.
pub fn compare(touched: &[Outcome], untouched: &[Outcome]) -> Comparison {
    let mut strata: BTreeMap<Stratum, (Rate, Rate)> = BTreeMap::new();
    for o in untouched {
        strata.entry((o.tier, o.band)).or_default().1.add(o.churned);
    }
    let mut out = Comparison::default();
    for o in touched {
        match strata.get_mut(&(o.tier, o.band)) {
            Some((t, _)) => t.add(o.churned),
            None => out.unmatched += 1,
        }
    }
    let matched: Vec<(Rate, Rate)> = strata
        .into_values()
        .filter(|(t, _)| t.accounts > 0)
        .collect();
    for (t, u) in &matched {
        out.touched.churned += t.churned;
        out.touched.accounts += t.accounts;
        out.comparable.churned += u.churned;
        out.comparable.accounts += u.accounts;
    }
    let Some(p_t) = out.touched.share() else {
        return out;
    };
    let n_t = f64::from(out.touched.accounts);
    let mut expected = 0.0;
    let mut variance = p_t * (1.0 - p_t) / n_t;
    for (t, u) in &matched {
        let w = f64::from(t.accounts) / n_t;
        // Matched strata have at least one untouched account.
        let p_u = u.share().unwrap_or(0.0);
        expected += w * p_u;
        variance += w * w * p_u * (1.0 - p_u) / f64::from(u.accounts);
    }
    out.touched_rate = Some(p_t);
    out.expected_rate = Some(expected);
    out.difference = Some(p_t - expected);
    out.margin = Some(Z_95 * variance.sqrt());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn task(
        rule: Rule,
        created: &str,
        due: &str,
        outcome: TaskOutcome,
        closed: Option<&str>,
    ) -> TaskRecord {
        TaskRecord {
            rule,
            created_on: d(created),
            due_on: d(due),
            outcome,
            closed_on: closed.map(d),
        }
    }

    #[test]
    fn activity_counts_each_rules_tasks_created_in_the_period() {
        use TaskOutcome as O;
        let tasks = [
            // No login: done after 2 and 6 days, one dismissed, one open,
            // one resolved by the data; one created before the period.
            task(
                Rule::NoLogin,
                "2026-11-02",
                "2026-11-09",
                O::Done,
                Some("2026-11-04"),
            ),
            task(
                Rule::NoLogin,
                "2026-11-10",
                "2026-11-17",
                O::Done,
                Some("2026-11-16"),
            ),
            task(
                Rule::NoLogin,
                "2026-11-11",
                "2026-11-18",
                O::Dismissed,
                Some("2026-11-12"),
            ),
            task(Rule::NoLogin, "2026-11-20", "2026-11-27", O::Open, None),
            task(
                Rule::NoLogin,
                "2026-11-21",
                "2026-11-28",
                O::ResolvedByData,
                Some("2026-11-22"),
            ),
            task(
                Rule::NoLogin,
                "2026-10-31",
                "2026-11-07",
                O::Done,
                Some("2026-11-01"),
            ),
            // A call: done after 3 days.
            task(
                Rule::CallDue,
                "2026-11-05",
                "2026-11-05",
                O::Done,
                Some("2026-11-08"),
            ),
        ];
        let a = activity(&tasks, d("2026-11-01"), d("2026-11-30"));
        assert_eq!(a.len(), Rule::ALL.len());
        let no_login = a.iter().find(|(r, _)| *r == Rule::NoLogin).unwrap().1;
        assert_eq!(
            no_login,
            RuleActivity {
                created: 5,
                done: 2,
                dismissed: 1,
                resolved_by_data: 1,
                open: 1,
                // (2 + 6) ÷ 2
                median_days_to_done: Some(4.0),
            }
        );
        let call = a.iter().find(|(r, _)| *r == Rule::CallDue).unwrap().1;
        assert_eq!((call.created, call.median_days_to_done), (1, Some(3.0)));
        let red = a.iter().find(|(r, _)| *r == Rule::FellIntoRed).unwrap().1;
        assert_eq!(red, RuleActivity::default());
        // On time: of the four done in November, the 4th (due 9th), the
        // 16th (due 17th) and the 8th (due 5th: late) and the 1st (due 7th).
        let t = on_time(&tasks, d("2026-11-01"), d("2026-11-30"));
        assert_eq!((t.done, t.on_time), (4, 3));
        assert_eq!(t.pct, Some(75.0));
        assert_eq!(on_time(&[], d("2026-11-01"), d("2026-11-30")).pct, None);
    }

    fn many(n: usize, tier: Tier, band: Option<Band>, churned: usize) -> Vec<Outcome> {
        (0..n)
            .map(|i| Outcome {
                tier,
                band,
                churned: i < churned,
            })
            .collect()
    }

    #[test]
    fn the_untouched_rate_is_standardised_to_the_touched_mix() {
        let red = Some(Band::Red);
        let yellow = Some(Band::Yellow);
        // Touched: 4 high/red (2 churned), 6 low/yellow (none), and 1
        // tech/green with nothing to compare with.
        let mut touched = many(4, Tier::High, red, 2);
        touched.extend(many(6, Tier::Low, yellow, 0));
        touched.extend(many(1, Tier::Tech, Some(Band::Green), 1));
        // Untouched: 10 high/red (6 churned: 0.6), 20 low/yellow (2: 0.1),
        // and 5 unscored tech accounts no touched account resembles.
        let mut untouched = many(10, Tier::High, red, 6);
        untouched.extend(many(20, Tier::Low, yellow, 2));
        untouched.extend(many(5, Tier::Tech, None, 5));
        let c = compare(&touched, &untouched);
        assert_eq!(c.unmatched, 1);
        assert_eq!(
            c.touched,
            Rate {
                churned: 2,
                accounts: 10
            }
        );
        assert_eq!(
            c.comparable,
            Rate {
                churned: 8,
                accounts: 30
            }
        );
        // p_t = 2/10 = 0.2; weights 0.4 and 0.6; expected = 0.4·0.6 +
        // 0.6·0.1 = 0.30; difference −0.10.
        let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-12;
        assert!(close(c.touched_rate, 0.2));
        assert!(close(c.expected_rate, 0.30));
        assert!(close(c.difference, -0.10));
        // Variance: 0.2·0.8/10 = 0.016; 0.4²·0.6·0.4/10 = 0.00384;
        // 0.6²·0.1·0.9/20 = 0.00162; total 0.02146; margin 1.96·√0.02146
        // ≈ 0.2871.
        assert!(close(c.margin, 1.96 * 0.02146_f64.sqrt()));
        assert!((c.margin.unwrap() - 0.2871).abs() < 1e-4);
    }

    #[test]
    fn without_touched_or_comparable_accounts_there_is_no_rate() {
        let c = compare(&[], &many(3, Tier::Low, None, 1));
        assert_eq!(c.touched_rate, None);
        assert_eq!(c.margin, None);
        let c = compare(&many(3, Tier::Low, None, 1), &[]);
        assert_eq!(c.unmatched, 3);
        assert_eq!(c.difference, None);
    }

    #[test]
    fn identical_groups_differ_by_nothing() {
        let group = many(8, Tier::High, Some(Band::Yellow), 2);
        let c = compare(&group, &group);
        assert!(c.difference.unwrap().abs() < 1e-15);
        // 2·(0.25·0.75/8) = 0.046875; 1.96·√0.046875 ≈ 0.4244.
        assert!((c.margin.unwrap() - 0.4244).abs() < 1e-4);
    }
}
