//! Weight suggestion: non-negative, L2-regularised logistic regression of
//! churn on the measures' points.
//!
//! # Model
//! For account `i` and measure `j` let `x_ij` be the measure's points ÷ 100
//! under the current curves. A missing value is `0` under the `zero` policy
//! and the mean of the measure's present points under `skip` (a neutral
//! value, since a skipped measure does not move the score). The churn
//! probability is modelled as
//!
//! `P(churn_i) = σ(b − Σ_j β_j · x_ij)`, with `β_j ≥ 0`
//!
//! (more points → less churn, as for the score), and the fitted objective is
//!
//! `L(b, β) = (1/n) Σ_i [ln(1 + e^{z_i}) − y_i z_i] + (λ/2) Σ_j β_j²`.
//!
//! # Algorithm (deterministic)
//! Projected Newton: at each outer iteration the gradient and Hessian of `L`
//! are computed exactly (one pass over the data, `O(n k²)`), the quadratic
//! model is minimised under `β + d ≥ 0` by cyclic coordinate descent on the
//! small `(k+1)×(k+1)` system, and a backtracking (Armijo) line search on the
//! true objective keeps every step a descent step. It stops when the
//! objective improves by less than `tol` (relative) or the step vanishes.
//! Every loop runs in a fixed order, so the same input always gives the same
//! output, natively and in wasm.
//!
//! The suggested weights are `β` normalised to sum to [`FitOptions::total`];
//! the report gives the AUC of the current and of the suggested model on the
//! same data.

use super::backtest::auc;
use super::model::{ModelError, Trend};
use super::scoring::{DataError, Scorer, SignalTable};
use serde::{Deserialize, Serialize};

/// Settings of [`fit_weights`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    /// L2 penalty `λ` on the coefficients (not the intercept).
    pub l2: f64,
    /// Maximum outer (Newton) iterations.
    pub max_iter: usize,
    /// Relative objective improvement below which the fit stops.
    pub tol: f64,
    /// The suggested weights sum to this (default 100).
    pub total: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            l2: 1e-3,
            max_iter: 50,
            tol: 1e-10,
            total: 100.0,
        }
    }
}

/// Why no weights could be suggested.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Input lengths disagree.
    #[error(transparent)]
    Data(#[from] DataError),
    /// No account, or only churned / only retained accounts.
    #[error("the outcomes need both churned and retained accounts")]
    SingleClass,
    /// Every fitted coefficient is zero: no measure predicts churn.
    #[error("no measure separates churned from retained accounts (all fitted weights are 0)")]
    NoSignal,
    /// Invalid options.
    #[error("invalid fit options: {0}")]
    Options(&'static str),
    /// The suggested weights were rejected (not expected).
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// Suggested weights with their back-test next to the current model's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightSuggestion {
    /// Signal keys, in measure order.
    pub signals: Vec<String>,
    /// The trend each measure reads (`None`: the value), in measure order.
    #[serde(default)]
    pub trends: Vec<Option<Trend>>,
    /// Suggested weights (sum [`FitOptions::total`]), in measure order.
    pub weights: Vec<f64>,
    /// The model's current weights.
    pub current_weights: Vec<f64>,
    /// Fitted coefficients `β` (per unit of points ÷ 100).
    pub coefficients: Vec<f64>,
    /// Fitted intercept `b`.
    pub intercept: f64,
    /// AUC of the current model's scores (`None` with one class scored).
    pub current_auc: Option<f64>,
    /// AUC of the model with the suggested weights.
    pub suggested_auc: Option<f64>,
    /// Final objective (mean log-loss + penalty).
    pub objective: f64,
    /// Outer iterations run.
    pub iterations: usize,
    /// Whether the stopping rule was met before `max_iter`.
    pub converged: bool,
}

/// Mean log-loss plus penalty at `(b, beta)`; `z` receives the linear predictors.
fn objective(x: &[f64], k: usize, y: &[bool], b: f64, beta: &[f64], l2: f64, z: &mut [f64]) -> f64 {
    let n = y.len();
    let mut loss = 0.0;
    for (i, zi) in z.iter_mut().enumerate() {
        let row = &x[i * k..(i + 1) * k];
        let mut t = b;
        for (xv, bv) in row.iter().zip(beta) {
            t -= bv * xv;
        }
        *zi = t;
        // ln(1 + e^t) − y t, computed stably.
        let softplus = t.max(0.0) + (-t.abs()).exp().ln_1p();
        loss += softplus - if y[i] { t } else { 0.0 };
    }
    loss / n as f64 + 0.5 * l2 * beta.iter().map(|v| v * v).sum::<f64>()
}

/// Fits non-negative weights of `scorer`'s measures to `churned` (one
/// outcome per account of `table`) and back-tests them against the current
/// weights. See the module docs for the model and the algorithm.
pub fn fit_weights(
    scorer: &Scorer,
    table: &SignalTable,
    churned: &[bool],
    opts: &FitOptions,
) -> Result<WeightSuggestion, FitError> {
    let n = table.len();
    if churned.len() != n {
        return Err(DataError::LengthMismatch {
            what: "churn outcomes",
            expected: n,
            got: churned.len(),
        }
        .into());
    }
    if !(opts.l2.is_finite() && opts.l2 >= 0.0) {
        return Err(FitError::Options("l2 must be a finite number >= 0"));
    }
    if !(opts.total.is_finite() && opts.total > 0.0) {
        return Err(FitError::Options("total must be a finite number > 0"));
    }
    let positives = churned.iter().filter(|&&c| c).count();
    if positives == 0 || positives == n {
        return Err(FitError::SingleClass);
    }
    let k = scorer.len();

    // Feature matrix, row-major n × k.
    let mut x = vec![0.0f64; n * k];
    let mut col = Vec::with_capacity(n);
    for j in 0..k {
        let zero_missing = scorer.zero_on_missing(j);
        scorer.points_into(table, j, &mut col);
        let (sum, cnt) = col
            .iter()
            .filter(|v| !v.is_nan())
            .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
        let fill = if zero_missing || cnt == 0 {
            0.0
        } else {
            sum / cnt as f64
        };
        for (i, &p) in col.iter().enumerate() {
            x[i * k + j] = if p.is_nan() { fill } else { p } / 100.0;
        }
    }

    // Start from the base rate with β = 0.
    let rate = positives as f64 / n as f64;
    let mut b = (rate / (1.0 - rate)).ln();
    let mut beta = vec![0.0f64; k];
    let mut z = vec![0.0f64; n];
    let l2 = opts.l2;
    let mut obj = objective(&x, k, churned, b, &beta, l2, &mut z);
    let d1 = k + 1;
    let mut g = vec![0.0f64; d1];
    let mut h = vec![0.0f64; d1 * d1];
    let mut d = vec![0.0f64; d1];
    let mut f = vec![0.0f64; d1];
    let mut trial_beta = vec![0.0f64; k];
    let mut trial_z = vec![0.0f64; n];
    let mut iterations = 0;
    let mut converged = false;
    let inv_n = 1.0 / n as f64;

    while iterations < opts.max_iter {
        iterations += 1;
        // Gradient and Hessian; parameter 0 is the intercept (feature 1),
        // parameter j+1 is β_j (feature −x_ij).
        g.iter_mut().for_each(|v| *v = 0.0);
        h.iter_mut().for_each(|v| *v = 0.0);
        for i in 0..n {
            let p = 1.0 / (1.0 + (-z[i]).exp());
            let r = p - if churned[i] { 1.0 } else { 0.0 };
            let w = p * (1.0 - p);
            f[0] = 1.0;
            for j in 0..k {
                f[j + 1] = -x[i * k + j];
            }
            for a in 0..d1 {
                g[a] += r * f[a];
                let wa = w * f[a];
                let row = &mut h[a * d1..a * d1 + a + 1];
                for (hv, fb) in row.iter_mut().zip(&f[..=a]) {
                    *hv += wa * fb;
                }
            }
        }
        for a in 0..d1 {
            g[a] *= inv_n;
            for c in 0..=a {
                h[a * d1 + c] *= inv_n;
                h[c * d1 + a] = h[a * d1 + c];
            }
        }
        for j in 0..k {
            g[j + 1] += l2 * beta[j];
            h[(j + 1) * d1 + j + 1] += l2;
        }
        for a in 0..d1 {
            h[a * d1 + a] += 1e-12;
        }

        // Minimise gᵀd + ½ dᵀHd subject to β + d ≥ 0 by coordinate descent.
        d.iter_mut().for_each(|v| *v = 0.0);
        for _sweep in 0..200 {
            let mut change: f64 = 0.0;
            for a in 0..d1 {
                let hd: f64 = (0..d1).map(|c| h[a * d1 + c] * d[c]).sum();
                let mut na = d[a] - (g[a] + hd) / h[a * d1 + a];
                if a > 0 && beta[a - 1] + na < 0.0 {
                    na = -beta[a - 1];
                }
                change = change.max((na - d[a]).abs());
                d[a] = na;
            }
            if change < 1e-13 {
                break;
            }
        }
        let slope: f64 = g.iter().zip(&d).map(|(a, c)| a * c).sum();
        if slope >= 0.0 || d.iter().all(|v| v.abs() < 1e-14) {
            converged = true;
            break;
        }

        // Backtracking line search (θ + t·d stays feasible for t ∈ [0, 1]).
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let tb = b + t * d[0];
            for j in 0..k {
                trial_beta[j] = (beta[j] + t * d[j + 1]).max(0.0);
            }
            let o = objective(&x, k, churned, tb, &trial_beta, l2, &mut trial_z);
            if o <= obj + 1e-4 * t * slope {
                accepted = Some((tb, o));
                break;
            }
            t *= 0.5;
        }
        let Some((tb, o)) = accepted else {
            converged = true;
            break;
        };
        let improvement = obj - o;
        b = tb;
        beta.copy_from_slice(&trial_beta);
        std::mem::swap(&mut z, &mut trial_z);
        obj = o;
        if improvement <= opts.tol * (1.0 + obj.abs()) {
            converged = true;
            break;
        }
    }

    let sum: f64 = beta.iter().sum();
    if sum.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(FitError::NoSignal);
    }
    let weights: Vec<f64> = beta.iter().map(|v| v / sum * opts.total).collect();

    let (cur_scores, _) = scorer.score(table);
    let mut suggested = scorer.clone();
    suggested.set_weights(&weights)?;
    let (new_scores, _) = suggested.score(table);
    Ok(WeightSuggestion {
        signals: scorer.signals().map(str::to_owned).collect(),
        trends: scorer.trends().collect(),
        current_weights: scorer.weights(),
        weights,
        coefficients: beta,
        intercept: b,
        current_auc: auc(&cur_scores, churned),
        suggested_auc: auc(&new_scores, churned),
        objective: obj,
        iterations,
        converged,
    })
}
