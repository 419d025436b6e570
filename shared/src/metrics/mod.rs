//! Health scoring, back-test, weight fitting and the CS KPIs.
//!
//! Everything here is pure computation over plain inputs (no I/O), so the
//! browser and the server compute every number with the same code; the exact
//! definitions are in `shared/testdata/kpi-definitions.md`.
//!
//! - [`model`]: [`HealthModel`] (measures, curves, weights, cut-offs) and its
//!   validation.
//! - [`scoring`]: [`SignalTable`] (columnar data) and [`Scorer`] (batch scoring
//!   into caller buffers, bands, histograms, MRR per band, model comparison,
//!   per-account explanation).
//! - [`backtest`](mod@backtest): ROC AUC, ROC curve, churn per band and red lift.
//! - [`fit`](mod@fit): non-negative logistic weight suggestion.
//! - [`kpi`]: revenue movements, NRR/GRR, churn, NPS, CSAT, onboarding, at-risk
//!   MRR, per [`Period`] and per group.

pub mod backtest;
pub mod fit;
pub mod kpi;
pub mod model;
pub mod period;
pub mod scoring;

pub use backtest::{auc, backtest, roc_curve, BacktestReport, BandOutcome, BandOutcomes, RocPoint};
pub use fit::{fit_weights, FitError, FitOptions, WeightSuggestion};
pub use model::{Band, Bands, Curve, HealthModel, Measure, MissingPolicy, ModelError};
pub use period::{Month, Period, PeriodError};
pub use scoring::{
    compare_bands, compare_models, mrr_by_band, BandComparison, BandCounts, BandMrr, Column,
    Contribution, Currencies, DataError, Explanation, Histogram, ScoreSummary, Scorer, SignalTable,
};
