//! "This week": a CSM's open tasks due this week or overdue, grouped by
//! the rule that made them, the most urgent group first and the most
//! urgent task first within it.

use super::policy::Rule;
use super::preview::WEEK_DAYS;
use super::priority::Priority;
use chrono::{Days, NaiveDate};

/// An open task as the list orders it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkItem {
    /// The task.
    pub id: i64,
    /// Its rule.
    pub rule: Rule,
    /// Its priority.
    pub priority: Priority,
    /// Its due date.
    pub due_on: NaiveDate,
}

/// The tasks of `items` due on or before the week's last day (`day` + 6),
/// grouped by rule. Groups come in the order of their most urgent task;
/// within a group, higher priority first, then the earlier due date, then
/// the task id (so the order never depends on the input's).
pub fn this_week(items: &[WorkItem], day: NaiveDate) -> Vec<(Rule, Vec<WorkItem>)> {
    let last = day
        .checked_add_days(Days::new(WEEK_DAYS - 1))
        .unwrap_or(NaiveDate::MAX);
    let mut groups: Vec<(Rule, Vec<WorkItem>)> = Vec::new();
    for item in items.iter().filter(|i| i.due_on <= last) {
        match groups.iter_mut().find(|(rule, _)| *rule == item.rule) {
            Some((_, list)) => list.push(*item),
            None => groups.push((item.rule, vec![*item])),
        }
    }
    for (_, list) in &mut groups {
        list.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then(a.due_on.cmp(&b.due_on))
                .then(a.id.cmp(&b.id))
        });
    }
    // Each list is sorted: its first item is its most urgent.
    groups.sort_by(|(ra, a), (rb, b)| {
        let (a, b) = (a[0], b[0]);
        b.priority
            .cmp(&a.priority)
            .then(a.due_on.cmp(&b.due_on))
            .then(ra.cmp(rb))
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, rule: Rule, points: u32, size: u32, due: &str) -> WorkItem {
        WorkItem {
            id,
            rule,
            priority: Priority { points, size },
            due_on: due.parse().unwrap(),
        }
    }

    #[test]
    fn groups_by_rule_most_urgent_first_and_leaves_later_weeks_out() {
        let day: NaiveDate = "2026-12-07".parse().unwrap();
        let items = [
            item(1, Rule::CallDue, 30, 1200, "2026-12-10"),
            item(2, Rule::NoLogin, 40, 100, "2026-12-13"),
            item(3, Rule::CallDue, 35, 500, "2026-12-08"),
            // Overdue counts; next week does not.
            item(4, Rule::NoLogin, 40, 100, "2026-11-30"),
            item(5, Rule::Detractor, 60, 10, "2026-12-14"),
            item(6, Rule::CallDue, 30, 1200, "2026-12-09"),
        ];
        let week = this_week(&items, day);
        let ids: Vec<(Rule, Vec<i64>)> = week
            .iter()
            .map(|(r, l)| (*r, l.iter().map(|i| i.id).collect()))
            .collect();
        assert_eq!(
            ids,
            [
                // 40 points, equal sizes: the overdue one first.
                (Rule::NoLogin, vec![4, 2]),
                // 35 beats 30; of the two 30s, the earlier due date.
                (Rule::CallDue, vec![3, 6, 1]),
            ]
        );
        assert!(this_week(&[], day).is_empty());
    }
}
