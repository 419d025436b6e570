//! Health scoring, back-test, weight fitting and the CS KPIs.
//!
//! Everything here is pure computation over plain inputs (no I/O), so the
//! browser and the server compute every number with the same code; the exact
//! definitions are in `shared/testdata/kpi-definitions.md`.
//!
//! - [`model`]: [`HealthModel`] (measures, curves, weights, cut-offs) and its
//!   validation.
//! - [`table`]: [`SignalTable`], the columnar data (values at the as-of
//!   date and lagged values for trend measures).
//! - [`scoring`]: [`Scorer`] (batch scoring into caller buffers, bands,
//!   histograms, MRR per band, model comparison, per-account explanation);
//!   its kernels (portable and explicit wasm `simd128`) are in `kernel.rs`.
//! - [`backtest`](mod@backtest): ROC AUC with its standard error and
//!   verdict, ROC curve, churn per band, red lift, red precision and recall.
//! - [`panel`]: [`Panel`], everything the workbench recomputes on a slider
//!   move, without allocating.
//! - [`fit`](mod@fit): non-negative logistic weight suggestion.
//! - [`kpi`]: revenue movements, NRR/GRR, churn, NPS, CSAT, onboarding, at-risk
//!   MRR, per [`Period`] and per group.

pub mod backtest;
pub mod fit;
mod kernel;
pub mod kpi;
pub mod model;
pub mod panel;
pub mod period;
pub mod scoring;
pub mod table;

pub use backtest::{
    auc, auc_standard_error, backtest, roc_curve, AucVerdict, BacktestOptions, BacktestReport,
    Backtester, BandOutcome, BandOutcomes, RocPoint, MIN_CLASS_FOR_AUC, TIE_TOLERANCE,
};
pub use fit::{fit_weights, FitError, FitOptions, WeightSuggestion};
pub use model::{
    Band, Bands, Curve, HealthModel, Measure, MissingPolicy, ModelError, Trend, TrendKind,
    MAX_TREND_DAYS,
};
pub use panel::{
    CurrencyBands, Movements, Mover, Panel, PanelError, PanelInputs, PanelOptions, PanelResult,
};
pub use period::{Month, Period, PeriodError};
pub use scoring::{
    compare_bands, compare_models, mrr_by_band, BandComparison, BandCounts, BandMrr, Contribution,
    Currencies, Explanation, Histogram, ScoreSummary, Scorer,
};
pub use table::{Column, DataError, SignalTable};
