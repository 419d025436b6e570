//! Back-test of a score against churn outcomes: ROC AUC (with its standard
//! error and a verdict on whether the data can support it), ROC curve, churn
//! rate per band, the lift of the red band and the red band's precision and
//! recall.
//!
//! A *good* health score gives churned accounts **lower** scores, so the AUC
//! here is the probability that a randomly chosen churned account has a lower
//! score than a randomly chosen retained one, ties counting one half (the
//! Mann–Whitney statistic; equal to the ROC AUC of the negated score). It is
//! computed exactly in `O(n log n)`: both classes are sorted (as
//! order-preserving integer keys of the scores) and merged once, and the pair
//! counts are accumulated as integers (doubled, so that ties count exactly
//! one half) before one final division.
//!
//! # Ties
//! Scores within [`TIE_TOLERANCE`] (1e-9 points) of each other are ties:
//! two exact implementations of one model may add the same weighted points
//! in another order and differ in the last bits (`0.1 + 0.2` is not `0.3`),
//! and the AUC must not depend on that. In ascending order, a score `b`
//! ties with the score `a` just below it when `b ≤ a + 1e-9`; ties chain,
//! so a *tie group* is a run of scores without a gap wider than 1e-9
//! (real scores lie far apart: points are given to a few decimals). The
//! AUC counts the pairs inside a group as ties, and the ROC curve has one
//! point per group (threshold: its highest score), so the area under the
//! ROC curve is the AUC. Churn per band follows the bands the scorer
//! assigns ([`Bands`], exact cut-offs), as everywhere else.
//!
//! Accounts without a score (`NaN`) are left out of every figure and counted
//! in [`BacktestReport::unscored`].
//!
//! # When is an AUC meaningful?
//! With few churned (or few retained) accounts the AUC swings widely from
//! one sample to the next: by the Hanley–McNeil formula its standard error
//! at AUC 0.75 is about 0.09 with 10 churned accounts (a 95 % interval of
//! ±0.18) and 0.29 with one. Kizuna's rule: the AUC is *meaningful* when
//! both classes have at least [`MIN_CLASS_FOR_AUC`] (10) scored accounts;
//! otherwise [`BacktestReport::auc_verdict`] says which class is too small
//! and the UI shows that sentence instead of the number. The number itself
//! stays in [`BacktestReport::auc`] whenever both classes are present (the
//! server's checks compare it with the stored scores).
//!
//! [`Backtester`] keeps its sort buffers between runs, so the workbench
//! re-runs the whole back-test on every slider move without allocating.

use super::model::{Band, Bands};
use super::table::DataError;
use serde::{Deserialize, Serialize};

/// Fewest churned and fewest retained scored accounts for a meaningful AUC
/// (see the module docs).
pub const MIN_CLASS_FOR_AUC: usize = 10;

/// Scores closer than this (points) are ties in the AUC and the ROC curve
/// (see the module docs).
pub const TIE_TOLERANCE: f64 = 1e-9;

/// Whether the data supports an AUC (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AucVerdict {
    /// Both classes are large enough: show the AUC.
    Meaningful,
    /// Fewer churned accounts than `needed` (checked first).
    TooFewChurned {
        /// Scored accounts that churned.
        churned: usize,
        /// The minimum.
        needed: usize,
    },
    /// Fewer retained accounts than `needed`.
    TooFewRetained {
        /// Scored accounts that did not churn.
        retained: usize,
        /// The minimum.
        needed: usize,
    },
}

impl AucVerdict {
    /// The verdict for `churned` and `retained` scored accounts with a
    /// minimum of `needed` per class.
    #[must_use]
    pub fn of(churned: usize, retained: usize, needed: usize) -> Self {
        if churned < needed {
            AucVerdict::TooFewChurned { churned, needed }
        } else if retained < needed {
            AucVerdict::TooFewRetained { retained, needed }
        } else {
            AucVerdict::Meaningful
        }
    }

    /// Whether the AUC may be shown.
    #[must_use]
    pub fn is_meaningful(&self) -> bool {
        matches!(self, AucVerdict::Meaningful)
    }
}

impl Default for AucVerdict {
    fn default() -> Self {
        AucVerdict::TooFewChurned {
            churned: 0,
            needed: MIN_CLASS_FOR_AUC,
        }
    }
}

/// Standard error of an AUC `a` from `n1` churned and `n2` retained
/// accounts (Hanley & McNeil, 1982).
#[must_use]
pub fn auc_standard_error(a: f64, n1: usize, n2: usize) -> Option<f64> {
    if n1 == 0 || n2 == 0 || !(0.0..=1.0).contains(&a) {
        return None;
    }
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let q1 = a / (2.0 - a);
    let q2 = 2.0 * a * a / (1.0 + a);
    let var =
        (a * (1.0 - a) + (n1f - 1.0) * (q1 - a * a) + (n2f - 1.0) * (q2 - a * a)) / (n1f * n2f);
    Some(var.max(0.0).sqrt())
}

/// A point of the ROC curve: flagging accounts with score `<= threshold` as
/// at risk catches `tpr` of the churned and `fpr` of the retained accounts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RocPoint {
    /// Score threshold (`None` for the starting point, nothing flagged).
    pub threshold: Option<f64>,
    /// False positive rate (retained accounts flagged), 0–1.
    pub fpr: f64,
    /// True positive rate (churned accounts flagged), 0–1.
    pub tpr: f64,
}

/// Outcomes of the accounts in one band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BandOutcome {
    /// Scored accounts in the band.
    pub accounts: usize,
    /// Of which churned.
    pub churned: usize,
    /// `churned ÷ accounts × 100` (`None` for an empty band).
    pub churn_pct: Option<f64>,
}

/// Outcomes per band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BandOutcomes {
    /// Red band.
    pub red: BandOutcome,
    /// Yellow band.
    pub yellow: BandOutcome,
    /// Green band.
    pub green: BandOutcome,
}

impl BandOutcomes {
    /// The outcome of one band.
    #[must_use]
    pub fn get(&self, band: Band) -> &BandOutcome {
        match band {
            Band::Red => &self.red,
            Band::Yellow => &self.yellow,
            Band::Green => &self.green,
        }
    }
}

/// Result of [`backtest`] / [`Backtester::run_into`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    /// Scored accounts.
    pub accounts: usize,
    /// Scored accounts that churned.
    pub churned: usize,
    /// Accounts left out for lack of a score.
    pub unscored: usize,
    /// ROC AUC (`None` when only one class is present); show it only when
    /// [`auc_verdict`](Self::auc_verdict) is meaningful.
    pub auc: Option<f64>,
    /// Standard error of the AUC (Hanley–McNeil).
    pub auc_se: Option<f64>,
    /// Whether the classes are large enough for the AUC to mean something.
    pub auc_verdict: AucVerdict,
    /// Churn per band.
    pub bands: BandOutcomes,
    /// `churned ÷ accounts × 100` (`None` without accounts).
    pub base_churn_pct: Option<f64>,
    /// Red band churn rate ÷ base churn rate (`None` when either is
    /// undefined or the base rate is 0).
    pub red_lift: Option<f64>,
    /// Precision of the red band: of the accounts flagged red, the share
    /// that churned, × 100 (`None` with an empty red band).
    pub red_precision_pct: Option<f64>,
    /// Recall of the red band: of the accounts that churned, the share that
    /// were red, × 100 (`None` when none churned).
    pub red_recall_pct: Option<f64>,
    /// The ROC curve from `(0, 0)` to `(1, 1)` (empty with one class); every
    /// distinct score from [`backtest`], at most about
    /// [`BacktestOptions::roc_points`] points from a [`Backtester`] set to
    /// decimate.
    pub roc: Vec<RocPoint>,
}

/// Settings of a [`Backtester`] run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacktestOptions {
    /// Keep at most about this many ROC points (evenly spaced along the
    /// curve, first and last always kept; `None` = every distinct score).
    pub roc_points: Option<usize>,
    /// Minimum accounts per class for a meaningful AUC.
    pub min_class: usize,
}

impl Default for BacktestOptions {
    fn default() -> Self {
        Self {
            roc_points: None,
            min_class: MIN_CLASS_FOR_AUC,
        }
    }
}

/// Order-preserving map of an f64 to a u64 (`-0.0` must be normalised first).
#[inline]
fn key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

#[inline]
fn unkey(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Reusable buffers of the back-test: the churned and retained scores as
/// sortable keys. Keep one per data set and call
/// [`run_into`](Self::run_into) on every re-score.
#[derive(Debug, Clone, Default)]
pub struct Backtester {
    pos: Vec<u64>,
    neg: Vec<u64>,
}

impl Backtester {
    /// Empty buffers (they grow on first use).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Splits the scored accounts by outcome into sorted keys and counts
    /// `[accounts, churned]` per band of `bands` (`0` red, `1` yellow,
    /// `2` green) in the same pass.
    fn split_sorted(&mut self, scores: &[f64], churned: &[bool], bands: Bands) -> [[usize; 2]; 3] {
        let n = scores.len().min(churned.len());
        // Branch-free (churn is a coin flip to the branch predictor: 3×
        // slower with `push`): every key is written to both buffers and
        // only the matching one advances; the band is arithmetic.
        self.pos.resize(n, 0);
        self.neg.resize(n, 0);
        let (pos, neg) = (&mut self.pos[..n], &mut self.neg[..n]);
        let (mut np, mut nn) = (0, 0);
        let mut per = [[0usize; 2]; 3];
        for (&s, &c) in scores[..n].iter().zip(&churned[..n]) {
            if s.is_nan() {
                continue;
            }
            // `+ 0.0` turns -0.0 into 0.0 so that the two tie.
            let k = key(s + 0.0);
            pos[np] = k;
            neg[nn] = k;
            np += usize::from(c);
            nn += usize::from(!c);
            // Same as `Bands::band_of`: red below `red`, yellow below `green`.
            let band = usize::from(s >= bands.red) * (1 + usize::from(s >= bands.green));
            per[band][0] += 1;
            per[band][1] += usize::from(c);
        }
        self.pos.truncate(np);
        self.neg.truncate(nn);
        // The standard pattern-defeating quicksort is as fast here as an
        // LSD radix sort (measured natively and in Chromium: scores repeat
        // a lot), with no code of our own.
        self.pos.sort_unstable();
        self.neg.sort_unstable();
        per
    }

    /// Back-tests `scores` against `churned` with cut-offs `bands` into
    /// `out`, reusing its ROC buffer.
    pub fn run_into(
        &mut self,
        scores: &[f64],
        churned: &[bool],
        bands: Bands,
        opts: &BacktestOptions,
        out: &mut BacktestReport,
    ) -> Result<(), DataError> {
        if scores.len() != churned.len() {
            return Err(DataError::LengthMismatch {
                what: "churn outcomes",
                expected: scores.len(),
                got: churned.len(),
            });
        }
        let per = self.split_sorted(scores, churned, bands);
        let outcome = |[accounts, churned]: [usize; 2]| BandOutcome {
            accounts,
            churned,
            churn_pct: pct(churned, accounts),
        };
        let outcomes = BandOutcomes {
            red: outcome(per[0]),
            yellow: outcome(per[1]),
            green: outcome(per[2]),
        };
        let accounts: usize = per.iter().map(|p| p[0]).sum();
        let n_churned: usize = per.iter().map(|p| p[1]).sum();
        let base = pct(n_churned, accounts);
        let red_lift = match (outcomes.red.churn_pct, base) {
            (Some(r), Some(b)) if b > 0.0 => Some(r / b),
            _ => None,
        };
        let auc = sweep(&self.pos, &self.neg, opts.roc_points, Some(&mut out.roc));
        out.accounts = accounts;
        out.churned = n_churned;
        out.unscored = scores.len() - accounts;
        out.auc = auc;
        out.auc_se = auc.and_then(|a| auc_standard_error(a, self.pos.len(), self.neg.len()));
        out.auc_verdict = AucVerdict::of(self.pos.len(), self.neg.len(), opts.min_class);
        out.bands = outcomes;
        out.base_churn_pct = base;
        out.red_lift = red_lift;
        out.red_precision_pct = outcomes.red.churn_pct;
        out.red_recall_pct = pct(outcomes.red.churned, n_churned);
        Ok(())
    }
}

/// One merge of the sorted churned (`pos`) and retained (`neg`) keys over
/// the tie groups (see the module docs), lowest first: the exact AUC
/// (`None` with one class) and, when `roc` is given, the ROC curve into it
/// (cleared first) — every tie group, or with `max_points` only the points
/// at least `2 / max_points` apart along the curve (its L1 length is 2:
/// FPR and TPR each rise from 0 to 1), plus the first and the last.
///
/// The AUC is the Mann–Whitney count, accumulated as an integer: each tie
/// group with `dp` churned and `dn` retained accounts adds
/// `dp · (2·(retained above it) + dn)`, twice the pairs it wins plus its
/// ties counted once; one division at the end.
fn sweep(
    pos: &[u64],
    neg: &[u64],
    max_points: Option<usize>,
    mut roc: Option<&mut Vec<RocPoint>>,
) -> Option<f64> {
    if let Some(r) = roc.as_deref_mut() {
        r.clear();
    }
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let (np, nn) = (pos.len() as f64, neg.len() as f64);
    let step = max_points.map_or(0.0, |k| 2.0 / k.max(1) as f64);
    if let Some(r) = roc.as_deref_mut() {
        r.push(RocPoint {
            threshold: None,
            fpr: 0.0,
            tpr: 0.0,
        });
    }
    let (mut last_f, mut last_t) = (0.0, 0.0);
    let mut doubled: u128 = 0;
    // Closes a tie group: its churned (`dp`) and retained (`dn`) accounts,
    // the merge position after it (`i`, `j`) and its highest score.
    let mut close = |dp: usize, dn: usize, i: usize, j: usize, top: f64| {
        doubled += dp as u128 * (2 * (neg.len() - j) as u128 + dn as u128);
        let Some(r) = roc.as_deref_mut() else {
            return;
        };
        let (fpr, tpr) = (j as f64 / nn, i as f64 / np);
        let end = i == pos.len() && j == neg.len();
        if end || (fpr - last_f) + (tpr - last_t) >= step {
            r.push(RocPoint {
                threshold: Some(top),
                fpr,
                tpr,
            });
            (last_f, last_t) = (fpr, tpr);
        }
    };
    // The merge walks runs of equal keys; a run whose score is within the
    // tolerance of the previous run's joins its group (ties chain), else
    // the group closes. The test only decides where groups end, never how
    // far the merge moves, so it costs little. (`prev` starts as NaN: the
    // first run closes nothing.)
    let (mut i, mut j) = (0, 0);
    let (mut gi, mut gj) = (0, 0);
    let mut prev = f64::NAN;
    while i < pos.len() || j < neg.len() {
        let t = match (pos.get(i), neg.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let (i0, j0) = (i, j);
        while i < pos.len() && pos[i] == t {
            i += 1;
        }
        while j < neg.len() && neg[j] == t {
            j += 1;
        }
        let v = unkey(t);
        if v > prev + TIE_TOLERANCE {
            close(i0 - gi, j0 - gj, i0, j0, prev);
            (gi, gj) = (i0, j0);
        }
        prev = v;
    }
    close(i - gi, j - gj, i, j, prev);
    let pairs = 2 * pos.len() as u128 * neg.len() as u128;
    Some(doubled as f64 / pairs as f64)
}

/// ROC AUC of `scores` against `churned` (see the module docs); `None` when
/// only one class is present among the scored accounts or the lengths differ.
#[must_use]
pub fn auc(scores: &[f64], churned: &[bool]) -> Option<f64> {
    if scores.len() != churned.len() {
        return None;
    }
    let mut b = Backtester::new();
    b.split_sorted(scores, churned, Bands::default());
    sweep(&b.pos, &b.neg, None, None)
}

/// ROC curve of `scores` against `churned` (empty when only one class is
/// present or the lengths differ).
#[must_use]
pub fn roc_curve(scores: &[f64], churned: &[bool]) -> Vec<RocPoint> {
    let mut out = Vec::new();
    if scores.len() == churned.len() {
        let mut b = Backtester::new();
        b.split_sorted(scores, churned, Bands::default());
        sweep(&b.pos, &b.neg, None, Some(&mut out));
    }
    out
}

fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * 100.0)
}

/// Back-tests scores taken at an as-of date against whether each account
/// churned within the outcome window, with the band cut-offs `bands` (full
/// ROC curve, default [`MIN_CLASS_FOR_AUC`]).
pub fn backtest(
    scores: &[f64],
    churned: &[bool],
    bands: Bands,
) -> Result<BacktestReport, DataError> {
    let mut out = BacktestReport::default();
    Backtester::new().run_into(
        scores,
        churned,
        bands,
        &BacktestOptions::default(),
        &mut out,
    )?;
    Ok(out)
}
