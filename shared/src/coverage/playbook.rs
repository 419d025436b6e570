//! Playbooks: for each tier × lifecycle phase, the actions a team takes —
//! what, who, when (days from the phase's start) and how long. The shipped
//! defaults are the seed article's three touch models ("対応内容を洗い出し":
//! high, low and tech touch through onboarding, adoption and renewal).

use crate::api::Texts;
use crate::domain::{ResponsibleRole, SheetPhase, Tier};
use garde::Validate;
use serde::{Deserialize, Serialize};

/// Longest action title, in characters per language.
pub const MAX_ACTION_TITLE_CHARS: usize = 200;

/// The most actions one cell holds.
pub const MAX_ACTIONS_PER_CELL: usize = 30;

/// One action of a playbook cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlaybookAction {
    /// What to do, in English and/or Japanese.
    #[garde(custom(action_title))]
    pub title: Texts,
    /// Who does it.
    #[garde(skip)]
    pub role: ResponsibleRole,
    /// Days from the phase's start (0 to 730).
    #[garde(range(max = 730))]
    pub offset_days: u32,
    /// Minutes of work (1 to 480).
    #[garde(range(min = 1, max = 480))]
    pub effort_minutes: u32,
}

fn action_title(value: &Texts, _ctx: &()) -> garde::Result {
    value.check(MAX_ACTION_TITLE_CHARS, true)
}

/// The actions of one tier in one phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Playbook {
    /// The tier.
    #[garde(skip)]
    pub tier: Tier,
    /// The phase.
    #[garde(skip)]
    pub phase: SheetPhase,
    /// Its actions, in order.
    #[garde(length(max = MAX_ACTIONS_PER_CELL), dive)]
    pub actions: Vec<PlaybookAction>,
}

impl Playbook {
    /// Minutes of all its actions.
    pub fn effort_minutes(&self) -> u32 {
        self.actions.iter().map(|a| a.effort_minutes).sum()
    }
}

fn act(en: &str, ja: &str, role: ResponsibleRole, offset_days: u32, effort: u32) -> PlaybookAction {
    PlaybookAction {
        title: Texts::new(en, ja),
        role,
        offset_days,
        effort_minutes: effort,
    }
}

/// The nine shipped playbooks (tiers high, low, tech × onboarding,
/// adoption, renewal), from the seed's example.
pub fn default_playbooks() -> Vec<Playbook> {
    use ResponsibleRole::{CsOps, Csm, Manager};
    use SheetPhase::{Adoption, Onboarding, Renewal};
    let cell = |tier, phase, actions| Playbook {
        tier,
        phase,
        actions,
    };
    let support = || {
        act(
            "Answer support enquiries",
            "問い合わせサポート",
            CsOps,
            0,
            15,
        )
    };
    let user_group = || {
        act(
            "Invite to the user group",
            "ユーザー会への招待",
            Manager,
            30,
            15,
        )
    };
    let call_by_score = || {
        act(
            "Call according to the health score",
            "ヘルススコアに応じた電話連絡",
            Csm,
            0,
            30,
        )
    };
    let setup_guide = |effort| {
        act(
            "Send the initial setup guide",
            "初期設定手順書の配布",
            CsOps,
            0,
            effort,
        )
    };
    vec![
        cell(
            Tier::High,
            Onboarding,
            vec![
                act("Set the customer's goals", "ゴールの設定", Csm, 0, 60),
                act("Design the business process", "業務設計", Csm, 7, 90),
                act("Hold an operation training", "操作説明会", Csm, 14, 90),
                act(
                    "On-site meetings (three in all)",
                    "訪問MTG（合計3回）",
                    Csm,
                    21,
                    180,
                ),
            ],
        ),
        cell(
            Tier::High,
            Adoption,
            vec![
                act(
                    "Review usage every month",
                    "月1回の利用状況確認",
                    Csm,
                    0,
                    30,
                ),
                call_by_score(),
                act("Visit every three months", "3カ月に1回の訪問", Csm, 90, 120),
                support(),
                user_group(),
            ],
        ),
        cell(
            Tier::High,
            Renewal,
            vec![
                act("Hold a review meeting", "振り返りMTG", Csm, 0, 60),
                act(
                    "Hand over an impact report",
                    "効果レポートの提出",
                    Csm,
                    14,
                    120,
                ),
            ],
        ),
        cell(
            Tier::Low,
            Onboarding,
            vec![
                setup_guide(10),
                act("Group operation training", "集合操作説明会", Csm, 7, 60),
                act("One online meeting", "オンラインMTG（1回）", Csm, 14, 45),
            ],
        ),
        cell(
            Tier::Low,
            Adoption,
            vec![call_by_score(), support(), user_group()],
        ),
        cell(
            Tier::Low,
            Renewal,
            vec![act("Review call", "振り返り電話MTG", Csm, 0, 30)],
        ),
        cell(Tier::Tech, Onboarding, vec![setup_guide(5)]),
        cell(Tier::Tech, Adoption, vec![support()]),
        cell(
            Tier::Tech,
            Renewal,
            vec![act(
                "Send the renewal confirmation e-mail",
                "更新確認メール",
                CsOps,
                0,
                5,
            )],
        ),
    ]
}

/// Whether `playbooks` hold every tier × phase exactly once.
pub fn covers_every_cell(playbooks: &[Playbook]) -> bool {
    playbooks.len() == Tier::ALL.len() * SheetPhase::ALL.len()
        && Tier::ALL.iter().all(|tier| {
            SheetPhase::ALL.iter().all(|phase| {
                playbooks
                    .iter()
                    .filter(|p| p.tier == *tier && p.phase == *phase)
                    .count()
                    == 1
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_fill_the_matrix_with_the_seeds_touch_models() {
        let all = default_playbooks();
        assert!(covers_every_cell(&all));
        for p in &all {
            assert!(p.validate().is_ok(), "{:?} {:?}", p.tier, p.phase);
            assert!(!p.actions.is_empty());
        }
        let cell = |tier, phase| {
            all.iter()
                .find(|p| p.tier == tier && p.phase == phase)
                .unwrap()
        };
        // High touch onboarding: goals, process design, training, three
        // visits — 60 + 90 + 90 + 180 minutes.
        let high = cell(Tier::High, SheetPhase::Onboarding);
        assert_eq!(high.actions.len(), 4);
        assert_eq!(high.effort_minutes(), 420);
        assert_eq!(high.actions[0].title.ja.as_deref(), Some("ゴールの設定"));
        // Tech touch never asks a CSM for anything.
        for phase in SheetPhase::ALL {
            let tech = cell(Tier::Tech, *phase);
            assert!(tech.actions.iter().all(|a| a.role != ResponsibleRole::Csm));
        }
        // Touch effort falls with the tier in every phase.
        for phase in SheetPhase::ALL {
            let e = |t| cell(t, *phase).effort_minutes();
            assert!(e(Tier::High) > e(Tier::Low) && e(Tier::Low) > e(Tier::Tech));
        }
    }

    #[test]
    fn a_matrix_missing_or_repeating_a_cell_is_not_whole() {
        let mut all = default_playbooks();
        let last = all.pop().unwrap();
        assert!(!covers_every_cell(&all));
        all.push(all[0].clone());
        assert!(!covers_every_cell(&all));
        all.pop();
        all.push(last);
        assert!(covers_every_cell(&all));
    }

    #[test]
    fn an_action_without_a_title_or_with_no_effort_is_refused() {
        let mut p = default_playbooks().remove(0);
        p.actions[0].title = Texts::default();
        assert!(p.validate().is_err());
        let mut p = default_playbooks().remove(0);
        p.actions[0].effort_minutes = 0;
        assert!(p.validate().is_err());
    }
}
