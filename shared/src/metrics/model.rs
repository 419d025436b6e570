//! The health score model: measures, scoring curves, weights, missing-data
//! policies and band cut-offs, with validation.
//!
//! The JSON shape is the one stored for published models:
//!
//! ```json
//! {"measures": [{"signal": "days_since_login", "weight": 40, "missing": "skip",
//!                "curve": {"kind": "linear", "points": [[0, 100], [30, 40], [60, 0]]}}],
//!  "cuts": [40, 70]}
//! ```
//!
//! A measure of a signal's trend adds
//! `"trend": {"days": 60, "kind": "relative"}` (see [`Trend`]); models
//! stored before trends existed read unchanged.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Maps a raw signal value to points.
///
/// Both kinds hold `(x, y)` pairs sorted by strictly increasing `x`; `y` may go
/// in any direction (a curve can reward high or low values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "points", rename_all = "snake_case")]
pub enum Curve {
    /// Piecewise-linear through the points; below the first `x` the first `y`,
    /// above the last `x` the last `y`.
    Linear(Vec<(f64, f64)>),
    /// Threshold steps: the `y` of the highest threshold `<=` the value; below
    /// the lowest threshold its `y`.
    Steps(Vec<(f64, f64)>),
}

impl Curve {
    /// The curve's points.
    #[must_use]
    pub fn points(&self) -> &[(f64, f64)] {
        match self {
            Curve::Linear(p) | Curve::Steps(p) => p,
        }
    }

    /// Points for a value (`None` for NaN or an empty curve). Reference
    /// implementation; the [`Scorer`](super::Scorer) uses a precompiled,
    /// branch-free form with the same result.
    #[must_use]
    pub fn eval(&self, value: f64) -> Option<f64> {
        if value.is_nan() {
            return None;
        }
        match self {
            Curve::Linear(pts) => {
                let (&(x0, y0), &(xn, yn)) = (pts.first()?, pts.last()?);
                if value <= x0 {
                    return Some(y0);
                }
                if value >= xn {
                    return Some(yn);
                }
                pts.windows(2).find_map(|w| {
                    let ((xa, ya), (xb, yb)) = (w[0], w[1]);
                    (value <= xb).then(|| ya + (yb - ya) / (xb - xa) * (value - xa))
                })
            }
            Curve::Steps(pts) => {
                let first = pts.first()?.1;
                Some(
                    pts.iter()
                        .take_while(|(t, _)| *t <= value)
                        .last()
                        .map_or(first, |p| p.1),
                )
            }
        }
    }
}

/// What to do when an account has no value for a measure's signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Drop the measure for that account (its weight too): the remaining
    /// weights are re-normalised.
    #[default]
    Skip,
    /// Keep the weight and score the measure 0 points.
    Zero,
}

/// Longest trend period a measure may use, in days (ten years).
pub const MAX_TREND_DAYS: u32 = 3650;

/// How a trend compares the value at the as-of date with the value `days`
/// earlier (see [`Trend::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrendKind {
    /// `now − then`, in the signal's unit (e.g. −12 active users).
    Absolute,
    /// `(now − then) ÷ |then| × 100`, in percent (e.g. −22 %); missing when
    /// `then` is 0.
    Relative,
}

/// A measure reads a signal's *trend* instead of its value: its change over
/// the `days` before the as-of date.
///
/// The data carries, per signal, the value as it stood at the as-of date and
/// the value as it stood `days` earlier (a *lagged* column of the
/// [`SignalTable`](super::SignalTable), see
/// [`SignalTable::add_lagged`](super::SignalTable::add_lagged)); the trend
/// is computed from the two while scoring and then goes through the
/// measure's curve like any value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Trend {
    /// Length of the period, in days (1 to [`MAX_TREND_DAYS`]).
    pub days: u32,
    /// Absolute or relative change.
    pub kind: TrendKind,
}

impl TrendKind {
    /// The change from `then` to `now`; `NaN` (missing) when either value is
    /// missing, and for [`TrendKind::Relative`] when `then` is 0 (a change
    /// from nothing has no percentage). The relative change divides by
    /// `|then|`, so a rise is positive even from a negative base
    /// (−10 → −5 is +50 %).
    #[must_use]
    #[inline(always)]
    pub fn of(self, now: f64, then: f64) -> f64 {
        match self {
            TrendKind::Absolute => now - then,
            TrendKind::Relative => {
                if then == 0.0 {
                    f64::NAN
                } else {
                    (now - then) / then.abs() * 100.0
                }
            }
        }
    }
}

impl Trend {
    /// The trend of one account from the value at the as-of date (`now`) and
    /// the value `days` earlier (`then`); see [`TrendKind::of`].
    #[must_use]
    #[inline]
    pub fn of(self, now: f64, then: f64) -> f64 {
        self.kind.of(now, then)
    }
}

impl std::fmt::Display for Trend {
    /// `60-day change` / `60-day change %`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            TrendKind::Absolute => write!(f, "{}-day change", self.days),
            TrendKind::Relative => write!(f, "{}-day change %", self.days),
        }
    }
}

/// One measure of a model: a signal (or its trend), its curve, its weight
/// and its missing data policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// Key of the signal this measure reads. A model may read a signal once
    /// as a value and once per distinct trend.
    pub signal: String,
    /// When set, the measure scores the signal's change over a period
    /// instead of its value (absent in JSON = the value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    /// Non-negative weight; only ratios matter.
    pub weight: f64,
    /// Missing data policy (default `skip`).
    #[serde(default)]
    pub missing: MissingPolicy,
    /// Raw value → points.
    pub curve: Curve,
}

/// Health band of a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Band {
    /// Score below the red cut-off.
    Red = 0,
    /// Between the cut-offs.
    Yellow = 1,
    /// At or above the green cut-off.
    Green = 2,
}

impl Band {
    /// All bands, worst first.
    pub const ALL: [Band; 3] = [Band::Red, Band::Yellow, Band::Green];

    /// `0` red, `1` yellow, `2` green.
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Lower-case name (`"red"`…).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Band::Red => "red",
            Band::Yellow => "yellow",
            Band::Green => "green",
        }
    }
}

/// Band cut-offs, serialised as `[red, green]`: score `< red` → red,
/// `< green` → yellow, otherwise green.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "(f64, f64)", into = "(f64, f64)")]
pub struct Bands {
    /// Scores below this are red.
    pub red: f64,
    /// Scores at or above this are green.
    pub green: f64,
}

impl Default for Bands {
    /// The product defaults, 40 / 70.
    fn default() -> Self {
        Self {
            red: 40.0,
            green: 70.0,
        }
    }
}

impl From<(f64, f64)> for Bands {
    fn from((red, green): (f64, f64)) -> Self {
        Self { red, green }
    }
}

impl From<Bands> for (f64, f64) {
    fn from(b: Bands) -> Self {
        (b.red, b.green)
    }
}

impl Bands {
    /// Checks the cut-offs are finite and `red <= green`.
    pub fn validate(&self) -> Result<(), ModelError> {
        if !self.red.is_finite() || !self.green.is_finite() || self.red > self.green {
            return Err(ModelError::CutsOutOfOrder {
                red: self.red,
                green: self.green,
            });
        }
        Ok(())
    }

    /// The band of a score; `None` for NaN (an account with no score).
    #[must_use]
    #[inline]
    pub fn band_of(&self, score: f64) -> Option<Band> {
        if score.is_nan() {
            None
        } else if score < self.red {
            Some(Band::Red)
        } else if score < self.green {
            Some(Band::Yellow)
        } else {
            Some(Band::Green)
        }
    }
}

/// A health score model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthModel {
    /// The measures (each reads a distinct signal).
    pub measures: Vec<Measure>,
    /// Band cut-offs `[red, green]` (default `[40, 70]`).
    #[serde(default)]
    pub cuts: Bands,
}

/// What is wrong with a model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// The model has no measure.
    #[error("the model has no measures")]
    NoMeasures,
    /// A measure has an empty signal key.
    #[error("measure {index} has an empty signal key")]
    EmptySignal {
        /// Position of the measure.
        index: usize,
    },
    /// Two measures read the same signal (the same way: both its value, or
    /// both the same trend).
    #[error("signal `{signal}`{} is used by more than one measure", trend.map(|t| format!(" ({t})")).unwrap_or_default())]
    DuplicateSignal {
        /// The repeated signal key.
        signal: String,
        /// The repeated trend (`None`: the value is read twice).
        trend: Option<Trend>,
    },
    /// A trend period is 0 or longer than [`MAX_TREND_DAYS`].
    #[error("the trend of `{signal}` must cover 1 to {MAX_TREND_DAYS} days, got {days}")]
    InvalidTrendDays {
        /// Signal of the measure.
        signal: String,
        /// The rejected period.
        days: u32,
    },
    /// A curve has no points.
    #[error("the curve of `{signal}` has no points")]
    EmptyCurve {
        /// Signal of the measure.
        signal: String,
    },
    /// A curve point is NaN or infinite.
    #[error("point {index} of the curve of `{signal}` is not finite")]
    NonFinitePoint {
        /// Signal of the measure.
        signal: String,
        /// Position of the point.
        index: usize,
    },
    /// Curve x values are not strictly increasing.
    #[error("the curve of `{signal}` is not sorted: point {index} has x = {x}, not above the previous x = {previous}")]
    NonMonotonePoints {
        /// Signal of the measure.
        signal: String,
        /// Position of the offending point.
        index: usize,
        /// Its x.
        x: f64,
        /// The previous point's x.
        previous: f64,
    },
    /// A weight is negative, NaN or infinite.
    #[error("the weight of `{signal}` must be a finite number >= 0, got {weight}")]
    InvalidWeight {
        /// Signal of the measure.
        signal: String,
        /// The rejected weight.
        weight: f64,
    },
    /// Every weight is zero.
    #[error("all weights are zero")]
    WeightsAllZero,
    /// The cut-offs are not finite or `red > green`.
    #[error("band cut-offs out of order: red {red} must be <= green {green} (both finite)")]
    CutsOutOfOrder {
        /// Red cut-off.
        red: f64,
        /// Green cut-off.
        green: f64,
    },
    /// A measure index is out of range (weight edits on a [`Scorer`](super::Scorer)).
    #[error("no measure {index} (the model has {len})")]
    NoSuchMeasure {
        /// Requested index.
        index: usize,
        /// Number of measures.
        len: usize,
    },
    /// A weight slice does not have one weight per measure.
    #[error("expected {expected} weights, got {got}")]
    WeightCount {
        /// Number of measures.
        expected: usize,
        /// Number of weights given.
        got: usize,
    },
}

/// Checks one weight.
pub(crate) fn check_weight(signal: &str, weight: f64) -> Result<(), ModelError> {
    if weight.is_finite() && weight >= 0.0 {
        Ok(())
    } else {
        Err(ModelError::InvalidWeight {
            signal: signal.to_owned(),
            weight,
        })
    }
}

impl Measure {
    /// A measure of a signal's value with the `skip` missing policy.
    #[must_use]
    pub fn new(signal: impl Into<String>, weight: f64, curve: Curve) -> Self {
        Self {
            signal: signal.into(),
            trend: None,
            weight,
            missing: MissingPolicy::Skip,
            curve,
        }
    }

    /// The same measure reading the signal's trend.
    #[must_use]
    pub fn with_trend(mut self, trend: Trend) -> Self {
        self.trend = Some(trend);
        self
    }

    /// The same measure with another missing-data policy.
    #[must_use]
    pub fn with_missing(mut self, missing: MissingPolicy) -> Self {
        self.missing = missing;
        self
    }

    /// Checks the signal key, the weight and the curve of this measure
    /// (`index` is its position, for the error message).
    pub fn validate(&self, index: usize) -> Result<(), ModelError> {
        if self.signal.trim().is_empty() {
            return Err(ModelError::EmptySignal { index });
        }
        check_weight(&self.signal, self.weight)?;
        if let Some(t) = self.trend {
            if t.days == 0 || t.days > MAX_TREND_DAYS {
                return Err(ModelError::InvalidTrendDays {
                    signal: self.signal.clone(),
                    days: t.days,
                });
            }
        }
        let pts = self.curve.points();
        if pts.is_empty() {
            return Err(ModelError::EmptyCurve {
                signal: self.signal.clone(),
            });
        }
        for (i, &(x, y)) in pts.iter().enumerate() {
            if !x.is_finite() || !y.is_finite() {
                return Err(ModelError::NonFinitePoint {
                    signal: self.signal.clone(),
                    index: i,
                });
            }
            if i > 0 {
                let previous = pts[i - 1].0;
                if x <= previous {
                    return Err(ModelError::NonMonotonePoints {
                        signal: self.signal.clone(),
                        index: i,
                        x,
                        previous,
                    });
                }
            }
        }
        Ok(())
    }
}

impl HealthModel {
    /// A model with the default cut-offs.
    #[must_use]
    pub fn new(measures: Vec<Measure>) -> Self {
        Self {
            measures,
            cuts: Bands::default(),
        }
    }

    /// Checks the whole model; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.measures.is_empty() {
            return Err(ModelError::NoMeasures);
        }
        let mut seen = BTreeSet::new();
        for (i, m) in self.measures.iter().enumerate() {
            m.validate(i)?;
            if !seen.insert((m.signal.as_str(), m.trend)) {
                return Err(ModelError::DuplicateSignal {
                    signal: m.signal.clone(),
                    trend: m.trend,
                });
            }
        }
        if self.measures.iter().all(|m| m.weight == 0.0) {
            return Err(ModelError::WeightsAllZero);
        }
        self.cuts.validate()
    }

    /// The weights, in measure order.
    #[must_use]
    pub fn weights(&self) -> Vec<f64> {
        self.measures.iter().map(|m| m.weight).collect()
    }
}
