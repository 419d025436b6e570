//! One account on one day: its tier, its lifecycle phase and the rules
//! that fire for it, each with the numbers that fired it.
//!
//! Every rule names the **episode** it belongs to (`Due::since`: the day
//! the condition began — the last login, the champion change, the band
//! change, the touch that fell due). The server keeps at most one task per
//! account, rule and episode, so a task done while the condition lasts is
//! not made again the next day, and a new episode (a new login gap, the
//! next cadence cycle) makes a new one.

use super::policy::{CoveragePolicy, PhaseWindows, Rule, TouchKind};
use crate::domain::{Currency, ExpansionPotential, SheetPhase as Phase, Tier};
use crate::metrics::model::Band;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// The lifecycle phase on `day` of an account with these dates (the
/// phases sheet templates are written for): onboarding for the first
/// `onboarding_days` days from the contract start (the start day is day 0),
/// renewal from `renewal_days` days before the renewal date (and after it,
/// until the date moves), adoption otherwise. Onboarding wins over renewal
/// for a contract shorter than both windows. Without a contract start there
/// is no onboarding; without a renewal date no renewal.
pub fn phase_of(
    windows: &PhaseWindows,
    contract_start: Option<NaiveDate>,
    renewal_date: Option<NaiveDate>,
    day: NaiveDate,
) -> Phase {
    let onboarding = contract_start
        .is_some_and(|start| start <= day && day < add_days(start, windows.onboarding_days));
    let renewal =
        renewal_date.is_some_and(|renewal| day >= sub_days(renewal, windows.renewal_days));
    if onboarding {
        Phase::Onboarding
    } else if renewal {
        Phase::Renewal
    } else {
        Phase::Adoption
    }
}

/// Days ahead a cadence touch becomes a task: a touch due within the coming
/// week is on this week's list.
pub const CADENCE_LOOKAHEAD_DAYS: u32 = 7;

/// Days a CSM has for a follow-up of a detractor's answer, as the
/// follow-ups of answers always had.
pub const DETRACTOR_DUE_DAYS: u32 = 3;

/// Days given for each rule's task, from the day it fires (cadence tasks
/// are due on the day the touch is due).
pub const fn due_days(rule: Rule) -> u32 {
    match rule {
        Rule::Detractor => DETRACTOR_DUE_DAYS,
        Rule::FellIntoRed => 2,
        Rule::NoLogin | Rule::SetupStalled | Rule::ChampionChanged | Rule::RedOutreach => 7,
        Rule::ExpansionProposal => 14,
        Rule::PeriodicUpdate | Rule::CallDue | Rule::MeetingDue | Rule::EmailDue => 0,
    }
}

/// The last touch of each kind that satisfies cadences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LastTouches {
    /// The last call.
    pub call: Option<NaiveDate>,
    /// The last meeting.
    pub meeting: Option<NaiveDate>,
    /// The last e-mail.
    pub email: Option<NaiveDate>,
}

impl LastTouches {
    /// The last touch that satisfies a cadence of `kind`.
    pub fn satisfying(&self, kind: TouchKind) -> Option<NaiveDate> {
        [
            (TouchKind::Call, self.call),
            (TouchKind::Meeting, self.meeting),
            (TouchKind::Email, self.email),
        ]
        .into_iter()
        .filter(|(k, _)| k.satisfies(kind))
        .filter_map(|(_, d)| d)
        .max()
    }

    /// The last touch of any kind.
    pub fn any(&self) -> Option<NaiveDate> {
        self.call.max(self.meeting).max(self.email)
    }

    /// Records a touch of `kind` on `day`.
    pub fn record(&mut self, kind: TouchKind, day: NaiveDate) {
        let slot = match kind {
            TouchKind::Call => &mut self.call,
            TouchKind::Meeting => &mut self.meeting,
            TouchKind::Email => &mut self.email,
            TouchKind::Note => return,
        };
        *slot = (*slot).max(Some(day));
    }
}

/// The latest survey answer of an account when it was a detractor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DetractorAnswer {
    /// The day it was given.
    pub answered_on: NaiveDate,
    /// Its score (0–6 NPS, 1–2 CSAT).
    pub score: u8,
}

/// The last change of an account's band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandChange {
    /// The band before.
    pub from: Band,
    /// The first day of the current band.
    pub on: NaiveDate,
}

/// What the rules read about one account (a customer on the day).
#[derive(Debug, Clone, PartialEq)]
pub struct AccountFacts {
    /// Monthly recurring revenue in minor units of `currency`.
    pub mrr_minor: i64,
    /// Its currency.
    pub currency: Currency,
    /// Contract start.
    pub contract_start: Option<NaiveDate>,
    /// Renewal date.
    pub renewal_date: Option<NaiveDate>,
    /// How many importance flags it has (well known, feedback, influencer).
    pub importance: u8,
    /// Expansion potential.
    pub expansion: ExpansionPotential,
    /// Its band under the published model on the day (`None`: not scored).
    pub band: Option<Band>,
    /// How the current band began, when an earlier score had another band
    /// (`None`: the band is the account's first, or not scored).
    pub band_change: Option<BandChange>,
    /// The `days_since_login` signal's latest value.
    pub days_since_login: Option<f64>,
    /// The `setup_progress` signal's latest value, in percent.
    pub setup_progress: Option<f64>,
    /// The `support_tickets_30d` signal's latest value (`None`: no reading,
    /// taken as no tickets).
    pub support_tickets_30d: Option<f64>,
    /// When the champion last changed.
    pub champion_changed_on: Option<NaiveDate>,
    /// The last touches.
    pub touches: LastTouches,
    /// The latest answer, when it was a detractor's.
    pub detractor: Option<DetractorAnswer>,
}

impl Default for AccountFacts {
    /// A yen account with nothing known about it.
    fn default() -> Self {
        AccountFacts {
            mrr_minor: 0,
            currency: Currency::Jpy,
            contract_start: None,
            renewal_date: None,
            importance: 0,
            expansion: ExpansionPotential::None,
            band: None,
            band_change: None,
            days_since_login: None,
            setup_progress: None,
            support_tickets_30d: None,
            champion_changed_on: None,
            touches: LastTouches::default(),
            detractor: None,
        }
    }
}

/// Why a rule fired, with the numbers that fired it (the app words it in
/// the reader's language).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// No login for `days` days (rule: `limit`).
    NoLogin {
        /// Days since the last login.
        days: u32,
        /// The policy's limit.
        limit: u32,
    },
    /// Setup at `percent` % after `days` days (rule: below `limit` % after
    /// `after_days`), no support tickets in 30 days.
    SetupStalled {
        /// Setup progress in percent.
        percent: f64,
        /// Days since the contract start.
        days: u32,
        /// The policy's share.
        limit: f64,
        /// The policy's days.
        after_days: u32,
    },
    /// The champion changed on `on` (rule: within `within` days).
    ChampionChanged {
        /// The day of the change.
        on: NaiveDate,
        /// The policy's window.
        within: u32,
    },
    /// The score fell from `from` into red on `on`.
    FellIntoRed {
        /// The band before.
        from: Band,
        /// The first red day.
        on: NaiveDate,
    },
    /// A detractor's answer (`score`) on `on`, not followed by a touch.
    Detractor {
        /// The score given.
        score: u8,
        /// The day of the answer.
        on: NaiveDate,
    },
    /// Red band: priority outreach.
    RedOutreach,
    /// Green band with expansion potential.
    ExpansionProposal {
        /// The potential.
        potential: ExpansionPotential,
    },
    /// Yellow band: an update every `every_days` days; last touch `last`.
    PeriodicUpdate {
        /// The interval.
        every_days: u32,
        /// The last touch of any kind.
        last: Option<NaiveDate>,
    },
    /// The tier's cadence: a `kind` every `every_days` days; last `last`.
    TouchDue {
        /// The kind of touch due.
        kind: TouchKind,
        /// The cadence.
        every_days: u32,
        /// The last touch that satisfied it.
        last: Option<NaiveDate>,
    },
}

/// A rule that fires for an account on a day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Due {
    /// The rule.
    pub rule: Rule,
    /// The first day of the condition's episode (see the module).
    pub since: NaiveDate,
    /// When the task is due.
    pub due_on: NaiveDate,
    /// Why, with the numbers.
    pub reason: Reason,
}

/// An account's coverage on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Its tier under the policy.
    pub tier: Tier,
    /// Its lifecycle phase.
    pub phase: Phase,
    /// The rules that fire, in [`Rule::ALL`] order.
    pub due: Vec<Due>,
}

/// Days of a period of yellow updates for a tier without cadences.
pub const TECH_TOUCH_UPDATE_DAYS: u32 = 90;

/// The tier, phase and firing rules of an account (a customer on `day`)
/// under `policy`.
pub fn evaluate(policy: &CoveragePolicy, facts: &AccountFacts, day: NaiveDate) -> Assessment {
    let tier = policy.tier_of(facts.mrr_minor, facts.currency);
    let phase = phase_of(
        &policy.windows,
        facts.contract_start,
        facts.renewal_date,
        day,
    );
    let mut due = Vec::new();
    let mut fire = |rule: Rule, since: NaiveDate, reason: Reason| {
        due.push(Due {
            rule,
            since,
            due_on: add_days(day, due_days(rule)),
            reason,
        });
    };
    let triggers = &policy.triggers;

    if let (Some(limit), Some(days)) = (triggers.no_login_days, facts.days_since_login) {
        let days = whole_days(days);
        if days >= limit {
            let reason = Reason::NoLogin { days, limit };
            fire(Rule::NoLogin, sub_days(day, days), reason);
        }
    }
    if let (Some(rule), Some(start), Some(percent)) = (
        triggers.setup_stalled,
        facts.contract_start,
        facts.setup_progress,
    ) {
        let days = days_between(start, day);
        let quiet = facts.support_tickets_30d.unwrap_or(0.0) <= 0.0;
        if days >= i64::from(rule.after_days) && percent < rule.below_percent && quiet {
            let reason = Reason::SetupStalled {
                percent,
                days: u32::try_from(days).unwrap_or(u32::MAX),
                limit: rule.below_percent,
                after_days: rule.after_days,
            };
            fire(Rule::SetupStalled, add_days(start, rule.after_days), reason);
        }
    }
    if let (Some(within), Some(on)) = (triggers.champion_changed_days, facts.champion_changed_on) {
        let ago = days_between(on, day);
        if (0..=i64::from(within)).contains(&ago) {
            fire(
                Rule::ChampionChanged,
                on,
                Reason::ChampionChanged { on, within },
            );
        }
    }
    let red = facts.band == Some(Band::Red);
    let fell = triggers.fell_into_red && red && facts.band_change.is_some();
    if let (true, Some(change)) = (fell, facts.band_change) {
        let reason = Reason::FellIntoRed {
            from: change.from,
            on: change.on,
        };
        fire(Rule::FellIntoRed, change.on, reason);
    }
    if let (true, Some(answer)) = (triggers.detractor, facts.detractor) {
        let followed = facts.touches.any().is_some_and(|t| t >= answer.answered_on);
        if !followed {
            due.push(Due {
                rule: Rule::Detractor,
                since: answer.answered_on,
                due_on: add_days(answer.answered_on, DETRACTOR_DUE_DAYS),
                reason: Reason::Detractor {
                    score: answer.score,
                    on: answer.answered_on,
                },
            });
        }
    }
    let episode = facts
        .band_change
        .map(|c| c.on)
        .or(facts.contract_start)
        .unwrap_or(NaiveDate::MIN);
    let actions = &policy.band_actions;
    // A fall into red already asks for outreach; the band action covers red
    // accounts the transition rule does not.
    if actions.red_outreach && red && !fell {
        due.push(Due {
            rule: Rule::RedOutreach,
            since: episode,
            due_on: add_days(day, due_days(Rule::RedOutreach)),
            reason: Reason::RedOutreach,
        });
    }
    if actions.green_expansion
        && facts.band == Some(Band::Green)
        && facts.expansion != ExpansionPotential::None
    {
        due.push(Due {
            rule: Rule::ExpansionProposal,
            since: episode,
            due_on: add_days(day, due_days(Rule::ExpansionProposal)),
            reason: Reason::ExpansionProposal {
                potential: facts.expansion,
            },
        });
    }
    if actions.yellow_update && facts.band == Some(Band::Yellow) {
        let every_days = policy
            .cadences_of(tier)
            .map(|c| c.every_days)
            .min()
            .unwrap_or(TECH_TOUCH_UPDATE_DAYS);
        let last = facts.touches.any();
        if let Some(due_on) = cadence_due(last, facts.contract_start, every_days, day) {
            due.push(Due {
                rule: Rule::PeriodicUpdate,
                since: due_on,
                due_on,
                reason: Reason::PeriodicUpdate { every_days, last },
            });
        }
    }
    for cadence in policy.cadences_of(tier) {
        let Some(rule) = Rule::cadence_of(cadence.kind) else {
            continue;
        };
        let last = facts.touches.satisfying(cadence.kind);
        if let Some(due_on) = cadence_due(last, facts.contract_start, cadence.every_days, day) {
            due.push(Due {
                rule,
                since: due_on,
                due_on,
                reason: Reason::TouchDue {
                    kind: cadence.kind,
                    every_days: cadence.every_days,
                    last,
                },
            });
        }
    }
    due.sort_by_key(|d| Rule::ALL.iter().position(|r| *r == d.rule));
    Assessment { tier, phase, due }
}

/// When a touch every `every_days` days is next due, if that is within the
/// lookahead of `day`: `every_days` after the last touch, or after the
/// contract start for an account never touched (today for one without a
/// start date).
fn cadence_due(
    last: Option<NaiveDate>,
    contract_start: Option<NaiveDate>,
    every_days: u32,
    day: NaiveDate,
) -> Option<NaiveDate> {
    let due_on = match last.or(contract_start) {
        Some(from) => add_days(from, every_days),
        None => day,
    };
    (due_on <= add_days(day, CADENCE_LOOKAHEAD_DAYS)).then_some(due_on)
}

/// Whole days of a signal value (negative and NaN readings are 0).
fn whole_days(value: f64) -> u32 {
    if value.is_nan() || value <= 0.0 {
        0
    } else if value >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        // Truncation is the point: 34.9 days is 34 whole days.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let days = value.floor() as u32;
        days
    }
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

fn add_days(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_add_days(Days::new(u64::from(n)))
        .unwrap_or(NaiveDate::MAX)
}

fn sub_days(day: NaiveDate, n: u32) -> NaiveDate {
    day.checked_sub_days(Days::new(u64::from(n)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    const DAY: &str = "2026-12-07";

    /// A low-touch JPY customer in adoption, touched yesterday, scored
    /// yellow since long ago: nothing fires.
    fn quiet() -> AccountFacts {
        AccountFacts {
            mrr_minor: 100_000,
            currency: Currency::Jpy,
            contract_start: Some(d("2025-01-01")),
            renewal_date: Some(d("2027-06-30")),
            band: Some(Band::Green),
            days_since_login: Some(2.0),
            setup_progress: Some(100.0),
            touches: LastTouches {
                call: Some(d("2026-12-06")),
                meeting: Some(d("2026-12-06")),
                email: None,
            },
            ..AccountFacts::default()
        }
    }

    fn rules(facts: &AccountFacts) -> Vec<Rule> {
        evaluate(&CoveragePolicy::default(), facts, d(DAY))
            .due
            .iter()
            .map(|d| d.rule)
            .collect()
    }

    #[test]
    fn a_quiet_account_asks_for_nothing() {
        assert_eq!(rules(&quiet()), []);
    }

    #[test]
    fn phases_turn_at_exactly_the_window_edges() {
        let w = CoveragePolicy::default().windows;
        let start = Some(d("2026-01-01"));
        let renewal = Some(d("2026-12-31"));
        // Day 0 to day 59 of the contract are onboarding; day 60 is not.
        assert_eq!(
            phase_of(&w, start, renewal, d("2026-01-01")),
            Phase::Onboarding
        );
        assert_eq!(
            phase_of(&w, start, renewal, d("2026-03-01")),
            Phase::Onboarding
        );
        assert_eq!(
            phase_of(&w, start, renewal, d("2026-03-02")),
            Phase::Adoption
        );
        // 90 days before 31 December is 2 October.
        assert_eq!(
            phase_of(&w, start, renewal, d("2026-10-01")),
            Phase::Adoption
        );
        assert_eq!(
            phase_of(&w, start, renewal, d("2026-10-02")),
            Phase::Renewal
        );
        assert_eq!(
            phase_of(&w, start, renewal, d("2027-01-15")),
            Phase::Renewal
        );
        // No dates: adoption; a short contract: onboarding wins.
        assert_eq!(phase_of(&w, None, None, d("2026-05-05")), Phase::Adoption);
        let short = Some(d("2026-02-15"));
        assert_eq!(
            phase_of(&w, start, short, d("2026-01-20")),
            Phase::Onboarding
        );
    }

    #[test]
    fn no_login_fires_at_the_limit_with_the_days_and_the_last_login_as_episode() {
        let mut f = quiet();
        f.days_since_login = Some(29.9);
        assert_eq!(rules(&f), []);
        f.days_since_login = Some(34.2);
        let a = evaluate(&CoveragePolicy::default(), &f, d(DAY));
        assert_eq!(a.due.len(), 1);
        let due = a.due[0];
        assert_eq!(
            due.reason,
            Reason::NoLogin {
                days: 34,
                limit: 30
            }
        );
        // 34 days before 7 December: 3 November.
        assert_eq!(due.since, d("2026-11-03"));
        assert_eq!(due.due_on, d("2026-12-14"));
    }

    #[test]
    fn setup_stalls_only_after_the_days_below_the_share_and_without_tickets() {
        let mut f = quiet();
        f.contract_start = Some(d("2026-11-07")); // 30 days before
        f.setup_progress = Some(40.0);
        f.touches = LastTouches {
            meeting: Some(d("2026-12-06")),
            ..LastTouches::default()
        };
        let a = evaluate(&CoveragePolicy::default(), &f, d(DAY));
        assert_eq!(a.phase, Phase::Onboarding);
        assert_eq!(a.due[0].rule, Rule::SetupStalled);
        assert_eq!(
            a.due[0].reason,
            Reason::SetupStalled {
                percent: 40.0,
                days: 30,
                limit: 50.0,
                after_days: 30
            }
        );
        // One day younger, at the share, or with a ticket: nothing.
        let mut younger = f.clone();
        younger.contract_start = Some(d("2026-11-08"));
        assert!(!rules(&younger).contains(&Rule::SetupStalled));
        let mut at_share = f.clone();
        at_share.setup_progress = Some(50.0);
        assert!(!rules(&at_share).contains(&Rule::SetupStalled));
        let mut ticket = f;
        ticket.support_tickets_30d = Some(1.0);
        assert!(!rules(&ticket).contains(&Rule::SetupStalled));
    }

    #[test]
    fn a_champion_change_fires_within_its_window_only() {
        let mut f = quiet();
        f.champion_changed_on = Some(d("2026-11-07")); // 30 days ago
        assert_eq!(rules(&f), [Rule::ChampionChanged]);
        f.champion_changed_on = Some(d("2026-11-06"));
        assert_eq!(rules(&f), []);
        f.champion_changed_on = Some(d("2026-12-08")); // tomorrow: a typo
        assert_eq!(rules(&f), []);
    }

    #[test]
    fn a_fall_into_red_fires_on_the_transition_and_red_outreach_otherwise() {
        let mut f = quiet();
        f.band = Some(Band::Red);
        let change = BandChange {
            from: Band::Yellow,
            on: d("2026-12-05"),
        };
        f.band_change = Some(change);
        let a = evaluate(&CoveragePolicy::default(), &f, d(DAY));
        assert_eq!(a.due.len(), 1);
        assert_eq!(a.due[0].rule, Rule::FellIntoRed);
        assert_eq!(a.due[0].since, d("2026-12-05"));
        assert_eq!(
            a.due[0].reason,
            Reason::FellIntoRed {
                from: Band::Yellow,
                on: d("2026-12-05")
            }
        );
        // Red from its first score: no transition, the band action.
        f.band_change = None;
        assert_eq!(rules(&f), [Rule::RedOutreach]);
        // With the trigger off, a transition is an outreach too.
        let mut policy = CoveragePolicy::default();
        policy.triggers.fell_into_red = false;
        f.band_change = Some(change);
        let a = evaluate(&policy, &f, d(DAY));
        assert_eq!(a.due[0].rule, Rule::RedOutreach);
        assert_eq!(a.due[0].since, d("2026-12-05"));
    }

    #[test]
    fn a_detractor_answer_fires_until_a_touch_follows_it() {
        let mut f = quiet();
        f.detractor = Some(DetractorAnswer {
            answered_on: d("2026-12-06"),
            score: 4,
        });
        // The last touches were on the 6th too: the same day counts as
        // followed up (the call may have been where the answer was heard).
        assert_eq!(rules(&f), []);
        f.touches = LastTouches {
            call: Some(d("2026-12-01")),
            meeting: Some(d("2026-12-01")),
            email: None,
        };
        let a = evaluate(&CoveragePolicy::default(), &f, d(DAY));
        assert_eq!(a.due[0].rule, Rule::Detractor);
        assert_eq!(a.due[0].due_on, d("2026-12-09"));
        f.touches.record(TouchKind::Email, d("2026-12-07"));
        assert_eq!(rules(&f), []);
    }

    #[test]
    fn green_with_potential_asks_for_a_proposal_and_yellow_for_an_update() {
        let mut f = quiet();
        f.expansion = ExpansionPotential::Upsell;
        assert_eq!(rules(&f), [Rule::ExpansionProposal]);
        let mut y = quiet();
        y.band = Some(Band::Yellow);
        // Low touch updates every 90 days (its meeting cadence); touched
        // yesterday: not yet.
        assert_eq!(rules(&y), []);
        y.touches = LastTouches {
            email: Some(d("2026-09-10")),
            ..LastTouches::default()
        };
        // 90 days after 10 September is 9 December: within the week. The
        // meeting cadence is due from the same day (no meeting since).
        let a = evaluate(&CoveragePolicy::default(), &y, d(DAY));
        let got: Vec<_> = a.due.iter().map(|d| (d.rule, d.due_on)).collect();
        assert_eq!(
            got,
            [
                (Rule::PeriodicUpdate, d("2026-12-09")),
                (Rule::MeetingDue, d("2025-04-01"))
            ]
        );
    }

    #[test]
    fn cadences_fall_due_a_week_ahead_and_a_meeting_satisfies_a_call() {
        let mut f = quiet();
        f.mrr_minor = 500_000; // exactly the high-touch threshold
        f.touches = LastTouches {
            call: Some(d("2026-11-13")),
            meeting: Some(d("2026-10-20")),
            email: None,
        };
        let a = evaluate(&CoveragePolicy::default(), &f, d(DAY));
        assert_eq!(a.tier, Tier::High);
        // Call every 30 days: due 13 December, within 7 days of the 7th.
        // Meeting every 60 days: due 19 December, not yet.
        let got: Vec<_> = a.due.iter().map(|d| (d.rule, d.due_on)).collect();
        assert_eq!(got, [(Rule::CallDue, d("2026-12-13"))]);
        // A meeting on the 1st satisfies both.
        f.touches.record(TouchKind::Meeting, d("2026-12-01"));
        assert_eq!(rules(&f), []);
        // A note satisfies nothing.
        let mut never = quiet();
        never.mrr_minor = 600_000;
        never.touches = LastTouches::default();
        never.touches.record(TouchKind::Note, d("2026-12-06"));
        assert_eq!(rules(&never), [Rule::CallDue, Rule::MeetingDue]);
        // Tech touch has no cadence.
        let mut tech = never;
        tech.mrr_minor = 69_999;
        assert_eq!(rules(&tech), []);
    }
}
