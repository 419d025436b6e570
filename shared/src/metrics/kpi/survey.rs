//! NPS (with counts and a 95 % margin of error) and CSAT.

use super::pct;
use crate::metrics::period::Period;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::domain::SurveyKind;

/// One survey answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(deserialize = "A: Deserialize<'de>"))]
pub struct SurveyAnswer<A = String> {
    /// Answering account, when known (needed only to cut by group).
    #[serde(default)]
    pub account: Option<A>,
    /// NPS or CSAT.
    pub kind: SurveyKind,
    /// The score (0–10 for NPS, 1–5 for CSAT; others are ignored).
    pub score: u8,
    /// Date of the answer.
    pub answered_on: NaiveDate,
}

/// Net promoter score with its counts.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Nps {
    /// Valid answers (0–10).
    pub responses: usize,
    /// Answers 9–10.
    pub promoters: usize,
    /// Answers 7–8.
    pub passives: usize,
    /// Answers 0–6.
    pub detractors: usize,
    /// `(promoters − detractors) ÷ responses × 100` (`None` without answers).
    pub nps: Option<f64>,
    /// 95 % margin of error of the NPS, in points:
    /// `1.96 × 100 × √(((P + D)/N − ((P − D)/N)²) / N)`.
    pub moe95: Option<f64>,
}

/// NPS of 0–10 scores (scores above 10 are ignored).
#[must_use]
pub fn nps(scores: impl IntoIterator<Item = u8>) -> Nps {
    let mut r = Nps::default();
    for s in scores {
        match s {
            9..=10 => r.promoters += 1,
            7..=8 => r.passives += 1,
            0..=6 => r.detractors += 1,
            _ => continue,
        }
        r.responses += 1;
    }
    if r.responses > 0 {
        let n = r.responses as f64;
        let (p, d) = (r.promoters as f64, r.detractors as f64);
        r.nps = Some((p - d) / n * 100.0);
        let mean = (p - d) / n;
        let var = ((p + d) / n - mean * mean).max(0.0);
        r.moe95 = Some(1.96 * 100.0 * (var / n).sqrt());
    }
    r
}

/// CSAT with its counts and a 95 % margin of error.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Csat {
    /// Valid answers (1–5).
    pub responses: usize,
    /// Answers 4–5.
    pub satisfied: usize,
    /// Answers 3.
    #[serde(default)]
    pub neutral: usize,
    /// Answers 1–2.
    #[serde(default)]
    pub dissatisfied: usize,
    /// `satisfied ÷ responses × 100` (`None` without answers).
    pub pct: Option<f64>,
    /// 95 % margin of error of the CSAT, in points (normal approximation of
    /// a proportion): `1.96 × 100 × √(p (1 − p) / N)` with `p = satisfied ÷ N`.
    #[serde(default)]
    pub moe95: Option<f64>,
}

/// CSAT of 1–5 scores (other scores are ignored).
#[must_use]
pub fn csat(scores: impl IntoIterator<Item = u8>) -> Csat {
    let mut r = Csat::default();
    for s in scores {
        match s {
            4..=5 => r.satisfied += 1,
            3 => r.neutral += 1,
            1..=2 => r.dissatisfied += 1,
            _ => continue,
        }
        r.responses += 1;
    }
    r.pct = pct(r.satisfied, r.responses);
    if r.responses > 0 {
        let n = r.responses as f64;
        let p = r.satisfied as f64 / n;
        r.moe95 = Some(1.96 * 100.0 * (p * (1.0 - p) / n).max(0.0).sqrt());
    }
    r
}

/// Survey KPIs of a period (flat, as in the reference vectors).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyKpis {
    /// NPS answers in the period.
    pub nps_responses: usize,
    /// Promoters (9–10).
    pub promoters: usize,
    /// Passives (7–8).
    pub passives: usize,
    /// Detractors (0–6).
    pub detractors: usize,
    /// NPS (−100…100).
    pub nps: Option<f64>,
    /// 95 % margin of error of the NPS.
    pub nps_moe95: Option<f64>,
    /// CSAT answers in the period.
    pub csat_responses: usize,
    /// CSAT answers 4–5.
    pub csat_satisfied: usize,
    /// CSAT, %.
    pub csat_pct: Option<f64>,
    /// 95 % margin of error of the CSAT (percentage points).
    pub csat_moe95: Option<f64>,
}

/// NPS and CSAT of the answers dated in `period`.
#[must_use]
pub fn survey_kpis<'a, A: 'a>(
    answers: impl IntoIterator<Item = &'a SurveyAnswer<A>>,
    period: Period,
) -> SurveyKpis {
    let (mut n, mut c) = (Vec::new(), Vec::new());
    for a in answers {
        if period.contains(a.answered_on) {
            match a.kind {
                SurveyKind::Nps => n.push(a.score),
                SurveyKind::Csat => c.push(a.score),
            }
        }
    }
    let n = nps(n);
    let c = csat(c);
    SurveyKpis {
        nps_responses: n.responses,
        promoters: n.promoters,
        passives: n.passives,
        detractors: n.detractors,
        nps: n.nps,
        nps_moe95: n.moe95,
        csat_responses: c.responses,
        csat_satisfied: c.satisfied,
        csat_pct: c.pct,
        csat_moe95: c.moe95,
    }
}
