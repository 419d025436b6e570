//! Back-test of a score against churn outcomes: ROC AUC, ROC curve, churn
//! rate per band and the lift of the red band.
//!
//! A *good* health score gives churned accounts **lower** scores, so the AUC
//! here is the probability that a randomly chosen churned account has a lower
//! score than a randomly chosen retained one, ties counting one half (the
//! Mann–Whitney statistic; equal to the ROC AUC of the negated score). It is
//! computed exactly in `O(n log n)`: both classes are sorted and merged, and
//! the pair counts are accumulated as integers (doubled, so that ties count
//! exactly one half) before one final division.
//!
//! Accounts without a score (`NaN`) are left out of every figure and counted
//! in [`BacktestReport::unscored`].

use super::model::{Band, Bands};
use super::scoring::DataError;
use serde::{Deserialize, Serialize};

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

/// Result of [`backtest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    /// Scored accounts.
    pub accounts: usize,
    /// Scored accounts that churned.
    pub churned: usize,
    /// Accounts left out for lack of a score.
    pub unscored: usize,
    /// ROC AUC (`None` when only one class is present).
    pub auc: Option<f64>,
    /// Churn per band.
    pub bands: BandOutcomes,
    /// `churned ÷ accounts × 100` (`None` without accounts).
    pub base_churn_pct: Option<f64>,
    /// Red band churn rate ÷ base churn rate (`None` when either is
    /// undefined or the base rate is 0).
    pub red_lift: Option<f64>,
    /// The ROC curve from `(0, 0)` to `(1, 1)` (empty with one class).
    pub roc: Vec<RocPoint>,
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

/// Sorted order keys of the churned and retained scores (NaN left out).
fn split_sorted(scores: &[f64], churned: &[bool]) -> (Vec<u64>, Vec<u64>) {
    let mut pos = Vec::new();
    let mut neg = Vec::with_capacity(scores.len());
    for (&s, &c) in scores.iter().zip(churned) {
        if s.is_nan() {
            continue;
        }
        // `+ 0.0` turns -0.0 into 0.0 so that the two tie.
        let k = key(s + 0.0);
        if c {
            pos.push(k);
        } else {
            neg.push(k);
        }
    }
    radix_sort(&mut pos);
    radix_sort(&mut neg);
    (pos, neg)
}

/// LSD radix sort of u64 keys, 16 bits a pass (skipping passes where every
/// key has the same digit).
fn radix_sort(v: &mut Vec<u64>) {
    if v.len() < 256 {
        v.sort_unstable();
        return;
    }
    let mut buf = vec![0u64; v.len()];
    let mut counts = vec![0usize; 1 << 16];
    for pass in 0..4 {
        let shift = pass * 16;
        counts.iter_mut().for_each(|c| *c = 0);
        for &k in v.iter() {
            counts[((k >> shift) & 0xFFFF) as usize] += 1;
        }
        if counts.contains(&v.len()) {
            continue;
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let t = *c;
            *c = sum;
            sum += t;
        }
        for &k in v.iter() {
            let d = ((k >> shift) & 0xFFFF) as usize;
            buf[counts[d]] = k;
            counts[d] += 1;
        }
        std::mem::swap(v, &mut buf);
    }
}

/// Twice the number of (churned, retained) pairs where the churned account
/// scores lower, ties counting one (i.e. one half, doubled).
fn doubled_u(pos: &[u64], neg: &[u64]) -> u128 {
    let (mut lt, mut le) = (0usize, 0usize);
    let mut total: u128 = 0;
    for &c in pos {
        while lt < neg.len() && neg[lt] < c {
            lt += 1;
        }
        if le < lt {
            le = lt;
        }
        while le < neg.len() && neg[le] == c {
            le += 1;
        }
        let eq = le - lt;
        let greater = neg.len() - le;
        total += 2 * greater as u128 + eq as u128;
    }
    total
}

/// ROC AUC of `scores` against `churned` (see the module docs); `None` when
/// only one class is present among the scored accounts or the lengths differ.
#[must_use]
pub fn auc(scores: &[f64], churned: &[bool]) -> Option<f64> {
    if scores.len() != churned.len() {
        return None;
    }
    let (pos, neg) = split_sorted(scores, churned);
    auc_sorted(&pos, &neg)
}

fn auc_sorted(pos: &[u64], neg: &[u64]) -> Option<f64> {
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    let pairs = 2 * pos.len() as u128 * neg.len() as u128;
    Some(doubled_u(pos, neg) as f64 / pairs as f64)
}

fn roc_sorted(pos: &[u64], neg: &[u64]) -> Vec<RocPoint> {
    if pos.is_empty() || neg.is_empty() {
        return Vec::new();
    }
    let (np, nn) = (pos.len() as f64, neg.len() as f64);
    let mut out = vec![RocPoint {
        threshold: None,
        fpr: 0.0,
        tpr: 0.0,
    }];
    let (mut i, mut j) = (0, 0);
    while i < pos.len() || j < neg.len() {
        let t = match (pos.get(i), neg.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        while i < pos.len() && pos[i] == t {
            i += 1;
        }
        while j < neg.len() && neg[j] == t {
            j += 1;
        }
        out.push(RocPoint {
            threshold: Some(unkey(t)),
            fpr: j as f64 / nn,
            tpr: i as f64 / np,
        });
    }
    out
}

/// ROC curve of `scores` against `churned` (empty when only one class is
/// present or the lengths differ).
#[must_use]
pub fn roc_curve(scores: &[f64], churned: &[bool]) -> Vec<RocPoint> {
    if scores.len() != churned.len() {
        return Vec::new();
    }
    let (pos, neg) = split_sorted(scores, churned);
    roc_sorted(&pos, &neg)
}

fn pct(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * 100.0)
}

/// Back-tests scores taken at an as-of date against whether each account
/// churned within the outcome window, with the band cut-offs `bands`.
pub fn backtest(
    scores: &[f64],
    churned: &[bool],
    bands: Bands,
) -> Result<BacktestReport, DataError> {
    if scores.len() != churned.len() {
        return Err(DataError::LengthMismatch {
            what: "churn outcomes",
            expected: scores.len(),
            got: churned.len(),
        });
    }
    let mut per = [(0usize, 0usize); 3];
    let mut unscored = 0;
    for (&s, &c) in scores.iter().zip(churned) {
        match bands.band_of(s) {
            Some(b) => {
                per[b.index()].0 += 1;
                per[b.index()].1 += usize::from(c);
            }
            None => unscored += 1,
        }
    }
    let outcome = |(accounts, churned): (usize, usize)| BandOutcome {
        accounts,
        churned,
        churn_pct: pct(churned, accounts),
    };
    let outcomes = BandOutcomes {
        red: outcome(per[0]),
        yellow: outcome(per[1]),
        green: outcome(per[2]),
    };
    let accounts = per.iter().map(|p| p.0).sum();
    let n_churned = per.iter().map(|p| p.1).sum();
    let base = pct(n_churned, accounts);
    let red_lift = match (outcomes.red.churn_pct, base) {
        (Some(r), Some(b)) if b > 0.0 => Some(r / b),
        _ => None,
    };
    let (pos, neg) = split_sorted(scores, churned);
    Ok(BacktestReport {
        accounts,
        churned: n_churned,
        unscored,
        auc: auc_sorted(&pos, &neg),
        bands: outcomes,
        base_churn_pct: base,
        red_lift,
        roc: roc_sorted(&pos, &neg),
    })
}
