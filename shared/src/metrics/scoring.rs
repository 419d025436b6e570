//! Batch scoring of a columnar data set with a precompiled model.
//!
//! [`Scorer::new`] validates a [`HealthModel`] and compiles every curve into a
//! flat list of knots. [`Scorer::score_into`] then scores all accounts of a
//! [`SignalTable`] into caller-owned buffers: re-scoring after a weight or
//! cut-off edit (a slider in the browser) allocates nothing once the buffers
//! have grown to the data set's size. Work is done measure-major over blocks
//! of accounts held in fixed-size stack buffers, so the inner loops are plain
//! element-wise array loops the compiler vectorises.
//!
//! An account whose kept weights sum to zero (every measure skipped) has no
//! score: `NaN` in the score buffer, `None` in the band buffer.

use super::model::{
    check_weight, Band, Bands, Curve, HealthModel, Measure, MissingPolicy, ModelError,
};
use crate::domain::Currency;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Errors about the shape of input data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    /// Two inputs that must have one entry per account differ in length.
    #[error("{what}: expected {expected} values (one per account), got {got}")]
    LengthMismatch {
        /// Which input.
        what: &'static str,
        /// Number of accounts.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A signal column was added twice.
    #[error("signal `{0}` already has a column")]
    DuplicateColumn(String),
}

/// One signal column: a value per account, `NaN` where the value is missing.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Double precision values.
    F64(Vec<f64>),
    /// Single precision values (half the memory; scored in f64).
    F32(Vec<f32>),
}

impl Column {
    /// Number of values.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Column::F64(v) => v.len(),
            Column::F32(v) => v.len(),
        }
    }

    /// Whether the column is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of account `i` (`None` when missing or out of range).
    #[must_use]
    pub fn get(&self, i: usize) -> Option<f64> {
        let v = match self {
            Column::F64(v) => *v.get(i)?,
            Column::F32(v) => f64::from(*v.get(i)?),
        };
        (!v.is_nan()).then_some(v)
    }
}

impl From<Vec<f64>> for Column {
    fn from(v: Vec<f64>) -> Self {
        Column::F64(v)
    }
}

impl From<Vec<f32>> for Column {
    fn from(v: Vec<f32>) -> Self {
        Column::F32(v)
    }
}

/// A columnar data set: `len` accounts, one [`Column`] per signal key.
///
/// A signal with no column is missing for every account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignalTable {
    len: usize,
    columns: BTreeMap<String, Column>,
}

impl SignalTable {
    /// An empty table for `len` accounts.
    #[must_use]
    pub fn new(len: usize) -> Self {
        Self {
            len,
            columns: BTreeMap::new(),
        }
    }

    /// Adds a column; it must have `len` values and a new key.
    pub fn add(
        &mut self,
        signal: impl Into<String>,
        column: impl Into<Column>,
    ) -> Result<(), DataError> {
        let (signal, column) = (signal.into(), column.into());
        if self.columns.contains_key(&signal) {
            return Err(DataError::DuplicateColumn(signal));
        }
        self.replace(signal, column).map(|_| ())
    }

    /// Adds or replaces a column (it must have `len` values); returns the old one.
    pub fn replace(
        &mut self,
        signal: impl Into<String>,
        column: impl Into<Column>,
    ) -> Result<Option<Column>, DataError> {
        let column = column.into();
        if column.len() != self.len {
            return Err(DataError::LengthMismatch {
                what: "signal column",
                expected: self.len,
                got: column.len(),
            });
        }
        Ok(self.columns.insert(signal.into(), column))
    }

    /// Builder form of [`add`](Self::add).
    pub fn with(
        mut self,
        signal: impl Into<String>,
        column: impl Into<Column>,
    ) -> Result<Self, DataError> {
        self.add(signal, column)?;
        Ok(self)
    }

    /// Builds a table from per-account records of `(signal, value)` pairs;
    /// a signal absent from a record is missing (`NaN`) for that account.
    pub fn from_records<R, K>(records: impl IntoIterator<Item = R>) -> Self
    where
        R: IntoIterator<Item = (K, f64)>,
        K: AsRef<str>,
    {
        let records: Vec<Vec<(K, f64)>> = records
            .into_iter()
            .map(|r| r.into_iter().collect())
            .collect();
        let n = records.len();
        let mut columns: BTreeMap<String, Column> = BTreeMap::new();
        for (i, rec) in records.iter().enumerate() {
            for (k, v) in rec {
                let col = columns
                    .entry(k.as_ref().to_owned())
                    .or_insert_with(|| Column::F64(vec![f64::NAN; n]));
                if let Column::F64(c) = col {
                    c[i] = *v;
                }
            }
        }
        Self { len: n, columns }
    }

    /// Number of accounts.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no account.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The column of a signal.
    #[must_use]
    pub fn column(&self, signal: &str) -> Option<&Column> {
        self.columns.get(signal)
    }

    /// The signal keys with a column.
    pub fn signals(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }
}

/// Accounts per band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandCounts {
    /// Red accounts.
    pub red: usize,
    /// Yellow accounts.
    pub yellow: usize,
    /// Green accounts.
    pub green: usize,
    /// Accounts without a score.
    pub unscored: usize,
}

impl BandCounts {
    /// Counts a band buffer.
    #[must_use]
    pub fn of(bands: &[Option<Band>]) -> Self {
        let mut c = [0usize; 4];
        for b in bands {
            c[b.map_or(3, Band::index)] += 1;
        }
        Self {
            red: c[0],
            yellow: c[1],
            green: c[2],
            unscored: c[3],
        }
    }

    /// The count of one band.
    #[must_use]
    pub fn get(&self, band: Band) -> usize {
        match band {
            Band::Red => self.red,
            Band::Yellow => self.yellow,
            Band::Green => self.green,
        }
    }

    /// All accounts, scored or not.
    #[must_use]
    pub fn total(&self) -> usize {
        self.red + self.yellow + self.green + self.unscored
    }
}

/// A fixed-range histogram of scores; reuse it with [`Histogram::fill`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Lower edge of the first bin.
    pub lo: f64,
    /// Upper edge of the last bin.
    pub hi: f64,
    /// Accounts per bin; bin `i` covers `[lo + i·w, lo + (i+1)·w)`, the last
    /// bin also `hi`; values outside the range go to the end bins.
    pub counts: Vec<u32>,
}

impl Histogram {
    /// `bins` equal bins over `[lo, hi]`; `None` when `bins` is 0 or the
    /// range is empty or not finite.
    #[must_use]
    pub fn new(bins: usize, lo: f64, hi: f64) -> Option<Self> {
        (bins > 0 && lo.is_finite() && hi.is_finite() && hi > lo).then(|| Self {
            lo,
            hi,
            counts: vec![0; bins],
        })
    }

    /// `bins` bins over the score range `[0, 100]`.
    #[must_use]
    pub fn percent(bins: usize) -> Option<Self> {
        Self::new(bins, 0.0, 100.0)
    }

    /// Width of a bin.
    #[must_use]
    pub fn bin_width(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len().max(1) as f64
    }

    /// The bin of a value (`None` for NaN or an empty histogram).
    #[must_use]
    #[inline]
    pub fn bin_of(&self, v: f64) -> Option<usize> {
        if v.is_nan() || self.counts.is_empty() {
            return None;
        }
        let n = self.counts.len();
        let t = (v - self.lo) * (n as f64 / (self.hi - self.lo));
        // `as` saturates: negative → 0, huge → usize::MAX.
        Some((t as usize).min(n - 1))
    }

    /// Resets the counts and counts `scores` (NaN skipped); returns how many
    /// were counted.
    pub fn fill(&mut self, scores: &[f64]) -> usize {
        self.counts.iter_mut().for_each(|c| *c = 0);
        let mut counted = 0;
        for &s in scores {
            if let Some(b) = self.bin_of(s) {
                self.counts[b] += 1;
                counted += 1;
            }
        }
        counted
    }
}

/// One term of a compiled curve.
///
/// Linear curves are evaluated as a telescoping sum over their segments,
/// `y0 + Σ s·(clamp(v, x, xn) − x)`, which needs no per-segment branch or
/// select; the slope is nudged by an ulp or two when that makes a full
/// segment add exactly its rise `y(xn) − y(x)`, so a value on a knot scores
/// that knot's `y` (exactly, for integer points). Steps are
/// `y0 + Σ (v >= x)·a` with `a` the rise at threshold `x`.
#[derive(Debug, Clone, Copy, Default)]
struct Term {
    x: f64,
    xn: f64,
    s: f64,
}

/// A slope `s` with `s·(x1 − x0) == y1 − y0` exactly when one is within two
/// ulps of the quotient; otherwise the quotient.
fn exact_slope(x0: f64, x1: f64, y0: f64, y1: f64) -> f64 {
    let (dx, rise) = (x1 - x0, y1 - y0);
    let s = rise / dx;
    if !s.is_finite() || s * dx == rise || s == 0.0 {
        return s;
    }
    let bits = s.to_bits();
    [1u64, 2]
        .iter()
        .flat_map(|&d| [bits.wrapping_add(d), bits.wrapping_sub(d)])
        .map(f64::from_bits)
        .find(|c| c.is_finite() && c * dx == rise)
        .unwrap_or(s)
}

#[derive(Debug, Clone)]
struct CompiledMeasure {
    signal: String,
    weight: f64,
    missing: MissingPolicy,
    /// Points below the first knot.
    y0: f64,
    /// Linear (segments) or steps (thresholds with rises in `s`).
    linear: bool,
    terms: Vec<Term>,
    /// `weight × y0`.
    wy0: f64,
    /// The terms of the curve scaled by the weight (what the batch kernel
    /// evaluates: weighted points, exact on knots for integer data).
    wterms: Vec<Term>,
    /// The source curve (to recompile on a weight change).
    curve: Curve,
}

/// Compiles a curve whose `y` values are multiplied by `scale`.
fn compile(curve: &Curve, scale: f64) -> (f64, Vec<Term>) {
    let pts = curve.points();
    let y0 = pts.first().map_or(0.0, |p| p.1 * scale);
    let terms = match curve {
        Curve::Linear(p) => p
            .windows(2)
            .map(|w| Term {
                x: w[0].0,
                xn: w[1].0,
                s: exact_slope(w[0].0, w[1].0, w[0].1 * scale, w[1].1 * scale),
            })
            .collect(),
        Curve::Steps(p) => p
            .windows(2)
            .map(|w| Term {
                x: w[1].0,
                xn: w[1].0,
                s: w[1].1 * scale - w[0].1 * scale,
            })
            .collect(),
    };
    (y0, terms)
}

impl CompiledMeasure {
    fn new(m: &Measure) -> Self {
        let (y0, terms) = compile(&m.curve, 1.0);
        let (wy0, wterms) = compile(&m.curve, m.weight);
        Self {
            signal: m.signal.clone(),
            weight: m.weight,
            missing: m.missing,
            y0,
            linear: matches!(m.curve, Curve::Linear(_)),
            terms,
            wy0,
            wterms,
            curve: m.curve.clone(),
        }
    }

    fn set_weight(&mut self, weight: f64) {
        self.weight = weight;
        let (wy0, wterms) = compile(&self.curve, weight);
        self.wy0 = wy0;
        self.wterms = wterms;
    }
}

/// `min(max(v, lo), hi)` written so that it compiles to `maxpd`/`minpd`.
#[inline(always)]
fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    let c = if v > lo { v } else { lo };
    if c < hi {
        c
    } else {
        hi
    }
}

impl CompiledMeasure {
    /// Points of one value (`None` when missing); same arithmetic as the batch path.
    #[inline]
    fn points(&self, v: f64) -> Option<f64> {
        if v.is_nan() {
            return None;
        }
        let mut p = self.y0;
        for t in &self.terms {
            p += if self.linear {
                t.s * (clamp(v, t.x, t.xn) - t.x)
            } else if v >= t.x {
                t.s
            } else {
                0.0
            };
        }
        Some(p)
    }

    fn missing_weight(&self) -> f64 {
        match self.missing {
            MissingPolicy::Skip => 0.0,
            MissingPolicy::Zero => self.weight,
        }
    }
}

/// Accounts per block of the batch kernel (the two f64 accumulators of a
/// block stay in L1).
const BLOCK: usize = 1024;

/// Histograms up to this many bins are counted in four interleaved
/// stack sub-histograms.
const SUB_BINS: usize = 256;

/// 2^52: adding it to a float in [0, 2^51) leaves its rounded integer value
/// in the low mantissa bits.
const TWO_52: f64 = 4_503_599_627_370_496.0;

/// One term of a curve sum (see [`Term`]).
#[inline(always)]
fn term<const LINEAR: bool>(v: f64, t: &Term) -> f64 {
    if LINEAR {
        t.s * (clamp(v, t.x, t.xn) - t.x)
    } else if v >= t.x {
        t.s
    } else {
        0.0
    }
}

/// Fixed-size batch kernel: `K` (≤ 4) terms, linear or steps, `SKIP` =
/// missing values drop the weight (else the weight was pre-added for every
/// account). The term sum is unrolled by hand (`K` is a constant, so the
/// dead branches vanish) because size-optimised builds (the app's wasm is
/// `opt-level = "z"`) do not unroll loops.
#[inline(always)]
fn kernel<T: Copy + Into<f64>, const K: usize, const LINEAR: bool, const SKIP: bool>(
    m: &CompiledMeasure,
    vals: &[T],
    wp: &mut [f64],
    sw: &mut [f64],
) {
    let mut t = [Term::default(); 4];
    t[..K].copy_from_slice(&m.wterms[..K]);
    let (w, y0) = (m.weight, m.wy0);
    // Plain indexed loop over equal-length slices: no iterator adapters for
    // the size-optimised build to leave un-inlined, no bounds checks.
    let n = vals.len().min(wp.len()).min(sw.len());
    let (vals, wp, sw) = (&vals[..n], &mut wp[..n], &mut sw[..n]);
    let mut i = 0;
    while i < n {
        let v: f64 = vals[i].into();
        let mut p = y0;
        if K > 0 {
            p += term::<LINEAR>(v, &t[0]);
        }
        if K > 1 {
            p += term::<LINEAR>(v, &t[1]);
        }
        if K > 2 {
            p += term::<LINEAR>(v, &t[2]);
        }
        if K > 3 {
            p += term::<LINEAR>(v, &t[3]);
        }
        let present = !v.is_nan();
        wp[i] += if present { p } else { 0.0 };
        if SKIP {
            sw[i] += if present { w } else { 0.0 };
        }
        i += 1;
    }
}

/// Adds one measure's `weight × points` (and, under `skip`, its weight where
/// present) for a block of accounts, dispatching on the curve's shape so the
/// common small curves get a fully unrolled, vectorised loop.
// Always inlined so that it is compiled with the caller's target features
// (the AVX2 build of `Scorer::run`).
#[inline(always)]
fn accumulate<T: Copy + Into<f64>>(
    m: &CompiledMeasure,
    vals: &[T],
    wp: &mut [f64],
    sw: &mut [f64],
) {
    macro_rules! dispatch {
        ($skip:literal) => {
            match (m.linear, m.terms.len()) {
                (_, 0) => kernel::<T, 0, true, $skip>(m, vals, wp, sw),
                (true, 1) => kernel::<T, 1, true, $skip>(m, vals, wp, sw),
                (true, 2) => kernel::<T, 2, true, $skip>(m, vals, wp, sw),
                (true, 3) => kernel::<T, 3, true, $skip>(m, vals, wp, sw),
                (true, 4) => kernel::<T, 4, true, $skip>(m, vals, wp, sw),
                (false, 1) => kernel::<T, 1, false, $skip>(m, vals, wp, sw),
                (false, 2) => kernel::<T, 2, false, $skip>(m, vals, wp, sw),
                (false, 3) => kernel::<T, 3, false, $skip>(m, vals, wp, sw),
                (false, 4) => kernel::<T, 4, false, $skip>(m, vals, wp, sw),
                _ => {
                    // Long curves: same arithmetic, not unrolled.
                    let w = m.weight;
                    for ((&v, acc_p), acc_w) in vals.iter().zip(wp.iter_mut()).zip(sw.iter_mut()) {
                        if let Some(p) = m.points(v.into()) {
                            *acc_p += w * p;
                            if $skip {
                                *acc_w += w;
                            }
                        }
                    }
                }
            }
        };
    }
    match m.missing {
        MissingPolicy::Skip => dispatch!(true),
        MissingPolicy::Zero => dispatch!(false),
    }
}

/// A validated, precompiled model ready to score data sets.
#[derive(Debug, Clone)]
pub struct Scorer {
    measures: Vec<CompiledMeasure>,
    bands: Bands,
}

/// The "why" of one measure in one account's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Signal key.
    pub signal: String,
    /// The raw value (`None` when missing).
    pub value: Option<f64>,
    /// Points from the curve (`0` for a missing value under `zero`, `None`
    /// when skipped).
    pub points: Option<f64>,
    /// The measure's weight.
    pub weight: f64,
    /// Share of the account's total kept weight (0–1; 0 when skipped).
    pub share: f64,
    /// Points added to the score: `share × points` (the contributions sum to
    /// the score).
    pub contribution: f64,
}

/// Score, band and per-measure contributions of one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The score (`None` when no measure is kept).
    pub score: Option<f64>,
    /// The band.
    pub band: Option<Band>,
    /// One entry per measure, in model order.
    pub measures: Vec<Contribution>,
}

impl Scorer {
    /// Validates and compiles a model.
    pub fn new(model: &HealthModel) -> Result<Self, ModelError> {
        model.validate()?;
        let measures = model.measures.iter().map(CompiledMeasure::new).collect();
        Ok(Self {
            measures,
            bands: model.cuts,
        })
    }

    /// The band cut-offs.
    #[must_use]
    pub fn bands(&self) -> Bands {
        self.bands
    }

    /// Changes the cut-offs.
    pub fn set_bands(&mut self, bands: Bands) -> Result<(), ModelError> {
        bands.validate()?;
        self.bands = bands;
        Ok(())
    }

    /// Number of measures.
    #[must_use]
    pub fn len(&self) -> usize {
        self.measures.len()
    }

    /// Always false (a valid model has at least one measure).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.measures.is_empty()
    }

    /// Signal keys, in measure order.
    pub fn signals(&self) -> impl Iterator<Item = &str> {
        self.measures.iter().map(|m| m.signal.as_str())
    }

    /// The model as currently tuned (weights and cut-offs included), e.g. to
    /// save or publish it after slider edits.
    #[must_use]
    pub fn to_model(&self) -> HealthModel {
        HealthModel {
            measures: self
                .measures
                .iter()
                .map(|m| Measure {
                    signal: m.signal.clone(),
                    weight: m.weight,
                    missing: m.missing,
                    curve: m.curve.clone(),
                })
                .collect(),
            cuts: self.bands,
        }
    }

    /// Current weights, in measure order.
    #[must_use]
    pub fn weights(&self) -> Vec<f64> {
        self.measures.iter().map(|m| m.weight).collect()
    }

    /// Changes one weight (validated; at least one weight must stay > 0).
    pub fn set_weight(&mut self, measure: usize, weight: f64) -> Result<(), ModelError> {
        let len = self.measures.len();
        let m = self
            .measures
            .get(measure)
            .ok_or(ModelError::NoSuchMeasure {
                index: measure,
                len,
            })?;
        check_weight(&m.signal, weight)?;
        let others_zero = self
            .measures
            .iter()
            .enumerate()
            .all(|(i, m)| i == measure || m.weight == 0.0);
        if weight == 0.0 && others_zero {
            return Err(ModelError::WeightsAllZero);
        }
        self.measures[measure].set_weight(weight);
        Ok(())
    }

    /// Replaces all weights at once (one per measure, validated).
    pub fn set_weights(&mut self, weights: &[f64]) -> Result<(), ModelError> {
        if weights.len() != self.measures.len() {
            return Err(ModelError::WeightCount {
                expected: self.measures.len(),
                got: weights.len(),
            });
        }
        for (m, &w) in self.measures.iter().zip(weights) {
            check_weight(&m.signal, w)?;
        }
        if weights.iter().all(|&w| w == 0.0) {
            return Err(ModelError::WeightsAllZero);
        }
        for (m, &w) in self.measures.iter_mut().zip(weights) {
            m.set_weight(w);
        }
        Ok(())
    }

    /// Signals of the model with no column in `table` (missing for every
    /// account), for a warning in the UI.
    #[must_use]
    pub fn absent_signals<'a>(&'a self, table: &SignalTable) -> Vec<&'a str> {
        self.signals()
            .filter(|s| table.column(s).is_none())
            .collect()
    }

    /// Scores every account of `table` into `scores` and `bands` (resized to
    /// the table's length, reusing their capacity) and returns the band
    /// counts. Unscored accounts get `NaN` / `None`.
    pub fn score_into(
        &self,
        table: &SignalTable,
        scores: &mut Vec<f64>,
        bands: &mut Vec<Option<Band>>,
    ) -> BandCounts {
        self.run(table, scores, bands, None)
    }

    /// [`score_into`](Self::score_into) that also refills `histogram` in the
    /// same pass.
    pub fn score_with_histogram_into(
        &self,
        table: &SignalTable,
        scores: &mut Vec<f64>,
        bands: &mut Vec<Option<Band>>,
        histogram: &mut Histogram,
    ) -> BandCounts {
        self.run(table, scores, bands, Some(histogram))
    }

    /// Convenience: scores into new buffers.
    #[must_use]
    pub fn score(&self, table: &SignalTable) -> (Vec<f64>, Vec<Option<Band>>) {
        let (mut s, mut b) = (Vec::new(), Vec::new());
        self.score_into(table, &mut s, &mut b);
        (s, b)
    }

    /// Scores with the widest vector unit the CPU offers. On x86-64 builds
    /// for the baseline (SSE2) the same body is compiled a second time with
    /// AVX2 enabled and chosen at run time when the CPU has it: the
    /// arithmetic is the same (no fused multiply-add), so the results are
    /// bit-identical, only twice as many lanes run at once.
    #[cfg_attr(
        all(target_arch = "x86_64", not(target_feature = "avx2")),
        expect(unsafe_code, reason = "calls the AVX2 build after detecting AVX2")
    )]
    fn run(
        &self,
        table: &SignalTable,
        scores: &mut Vec<f64>,
        bands: &mut Vec<Option<Band>>,
        histogram: Option<&mut Histogram>,
    ) -> BandCounts {
        #[cfg(all(target_arch = "x86_64", not(target_feature = "avx2")))]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: `run_avx2` only needs AVX2, which the CPU was just
            // found to support.
            return unsafe { self.run_avx2(table, scores, bands, histogram) };
        }
        self.run_portable(table, scores, bands, histogram)
    }

    /// [`Self::run_portable`] compiled with AVX2 enabled.
    #[cfg(all(target_arch = "x86_64", not(target_feature = "avx2")))]
    #[target_feature(enable = "avx2")]
    fn run_avx2(
        &self,
        table: &SignalTable,
        scores: &mut Vec<f64>,
        bands: &mut Vec<Option<Band>>,
        histogram: Option<&mut Histogram>,
    ) -> BandCounts {
        self.run_portable(table, scores, bands, histogram)
    }

    #[inline(always)]
    fn run_portable(
        &self,
        table: &SignalTable,
        scores: &mut Vec<f64>,
        bands: &mut Vec<Option<Band>>,
        mut histogram: Option<&mut Histogram>,
    ) -> BandCounts {
        let n = table.len();
        scores.clear();
        scores.resize(n, f64::NAN);
        bands.clear();
        bands.resize(n, None);
        if let Some(h) = histogram.as_deref_mut() {
            h.counts.iter_mut().for_each(|c| *c = 0);
        }
        let columns: Vec<Option<&Column>> = self
            .measures
            .iter()
            .map(|m| table.column(&m.signal))
            .collect();
        let mut counts = [0usize; 3];
        let mut wp = [0.0f64; BLOCK];
        let mut sw = [0.0f64; BLOCK];
        let mut bins = [0u32; BLOCK];
        let mut sub = [[0u32; SUB_BINS]; 4];
        let (red, green) = (self.bands.red, self.bands.green);
        // Weights that count for every account (policy `zero`).
        let base_w: f64 = self.measures.iter().map(|m| m.missing_weight()).sum();
        let mut start = 0;
        while start < n {
            let len = BLOCK.min(n - start);
            let (wp, sw) = (&mut wp[..len], &mut sw[..len]);
            wp.fill(0.0);
            sw.fill(base_w);
            for (m, col) in self.measures.iter().zip(&columns) {
                match col {
                    // Missing everywhere: adds nothing beyond `base_w`.
                    None => {}
                    Some(Column::F64(v)) => accumulate(m, &v[start..start + len], wp, sw),
                    Some(Column::F32(v)) => accumulate(m, &v[start..start + len], wp, sw),
                }
            }
            let out_s = &mut scores[start..start + len];
            let out_b = &mut bands[start..start + len];
            let mut i = 0;
            while i < len {
                let (p, w) = (wp[i], sw[i]);
                let s = if w > 0.0 { p / w } else { f64::NAN };
                out_s[i] = s;
                // Branch-free band code: NaN → 3 (unscored).
                let code = if s.is_nan() {
                    3u8
                } else {
                    u8::from(s >= red) + u8::from(s >= green)
                };
                out_b[i] = match code {
                    0 => Some(Band::Red),
                    1 => Some(Band::Yellow),
                    2 => Some(Band::Green),
                    _ => None,
                };
                i += 1;
            }
            for (c, band) in counts.iter_mut().zip(Band::ALL) {
                *c += out_b.iter().filter(|b| **b == Some(band)).count();
            }
            if let Some(h) = histogram.as_deref_mut() {
                let nb = h.counts.len();
                if nb <= SUB_BINS {
                    let top = nb.saturating_sub(1) as f64;
                    let scale = nb as f64 / (h.hi - h.lo);
                    let lo = h.lo;
                    // Bin indices in a vectorisable pass (NaN → `nb`,
                    // skipped): floor(t) without a scalar saturating
                    // float→int conversion, as adding 2^52 rounds to an
                    // integer held in the mantissa's low bits.
                    let idx = &mut bins[..len];
                    let mut i = 0;
                    while i < len {
                        let s = out_s[i];
                        let t = clamp((s - lo) * scale, 0.0, top);
                        let r = (t + TWO_52) - TWO_52;
                        let f = if r > t { r - 1.0 } else { r };
                        let bin = (f + TWO_52).to_bits() as u32;
                        idx[i] = if s.is_nan() { nb as u32 } else { bin };
                        i += 1;
                    }
                    // Four interleaved sub-histograms: consecutive accounts
                    // in the same bin do not wait on each other's store.
                    let mut quads = idx.chunks_exact(4);
                    for q in quads.by_ref() {
                        for (lane, &b) in q.iter().enumerate() {
                            if let Some(c) = sub[lane].get_mut(b as usize) {
                                *c += 1;
                            }
                        }
                    }
                    for &b in quads.remainder() {
                        if let Some(c) = sub[0].get_mut(b as usize) {
                            *c += 1;
                        }
                    }
                } else {
                    for &s in out_s.iter() {
                        if let Some(b) = h.bin_of(s) {
                            h.counts[b] += 1;
                        }
                    }
                }
            }
            start += len;
        }
        if let Some(h) = histogram {
            let nb = h.counts.len();
            if nb <= SUB_BINS {
                for (bin, c) in h.counts.iter_mut().enumerate() {
                    *c = sub[0][bin] + sub[1][bin] + sub[2][bin] + sub[3][bin];
                }
            }
        }
        BandCounts {
            red: counts[0],
            yellow: counts[1],
            green: counts[2],
            unscored: n - counts[0] - counts[1] - counts[2],
        }
    }

    /// Whether measure `measure` scores a missing value 0 (policy `zero`);
    /// false for `skip` or an out-of-range index.
    #[must_use]
    pub fn zero_on_missing(&self, measure: usize) -> bool {
        self.measures
            .get(measure)
            .is_some_and(|m| m.missing == MissingPolicy::Zero)
    }

    /// Points of measure `measure` for every account of `table` into `out`
    /// (`NaN` where the value is missing, whatever the policy); false (and
    /// `out` emptied) when the index is out of range.
    pub fn points_into(&self, table: &SignalTable, measure: usize, out: &mut Vec<f64>) -> bool {
        out.clear();
        let Some(m) = self.measures.get(measure) else {
            return false;
        };
        match table.column(&m.signal) {
            None => out.resize(table.len(), f64::NAN),
            Some(c) => out.extend((0..table.len()).map(|i| {
                c.get(i)
                    .map_or(f64::NAN, |v| m.points(v).unwrap_or(f64::NAN))
            })),
        }
        true
    }

    /// Score of one account given a lookup of its signal values (`None` or
    /// `NaN` = missing); `None` when no measure is kept.
    #[must_use]
    pub fn score_one(&self, mut value: impl FnMut(&str) -> Option<f64>) -> Option<f64> {
        let (mut wp, mut sw) = (0.0, 0.0);
        for m in &self.measures {
            match value(&m.signal).and_then(|v| m.points(v)) {
                Some(p) => {
                    wp += m.weight * p;
                    sw += m.weight;
                }
                None => sw += m.missing_weight(),
            }
        }
        (sw > 0.0).then(|| wp / sw)
    }

    /// Per-measure contributions to the score of account `account` (`None`
    /// when the index is out of range).
    #[must_use]
    pub fn explain(&self, table: &SignalTable, account: usize) -> Option<Explanation> {
        if account >= table.len() {
            return None;
        }
        let values: Vec<Option<f64>> = self
            .measures
            .iter()
            .map(|m| table.column(&m.signal).and_then(|c| c.get(account)))
            .collect();
        let points: Vec<Option<f64>> = self
            .measures
            .iter()
            .zip(&values)
            .map(|(m, v)| match v.and_then(|v| m.points(v)) {
                Some(p) => Some(p),
                None => (m.missing == MissingPolicy::Zero).then_some(0.0),
            })
            .collect();
        let total_w: f64 = self
            .measures
            .iter()
            .zip(&points)
            .filter(|(_, p)| p.is_some())
            .map(|(m, _)| m.weight)
            .sum();
        let score = self.score_one(|s| {
            self.measures
                .iter()
                .position(|m| m.signal == s)
                .and_then(|i| values[i])
        });
        let measures = self
            .measures
            .iter()
            .zip(values.iter().zip(&points))
            .map(|(m, (&value, &points))| {
                let share = match points {
                    Some(_) if total_w > 0.0 => m.weight / total_w,
                    _ => 0.0,
                };
                Contribution {
                    signal: m.signal.clone(),
                    value,
                    points,
                    weight: m.weight,
                    share,
                    contribution: share * points.unwrap_or(0.0),
                }
            })
            .collect();
        Some(Explanation {
            score,
            band: score.and_then(|s| self.bands.band_of(s)),
            measures,
        })
    }
}

/// Currency of the MRR column: one for the whole data set or one per account.
#[derive(Debug, Clone, Copy)]
pub enum Currencies<'a> {
    /// Every account bills in this currency.
    Single(Currency),
    /// The currency of each account.
    PerAccount(&'a [Currency]),
}

/// MRR (minor units of one currency) and accounts per band.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandMrr {
    /// MRR of red accounts.
    pub red: i64,
    /// MRR of yellow accounts.
    pub yellow: i64,
    /// MRR of green accounts.
    pub green: i64,
    /// MRR of unscored accounts.
    pub unscored: i64,
    /// Accounts per band.
    pub accounts: BandCounts,
}

impl BandMrr {
    /// MRR of one band.
    #[must_use]
    pub fn get(&self, band: Band) -> i64 {
        match band {
            Band::Red => self.red,
            Band::Yellow => self.yellow,
            Band::Green => self.green,
        }
    }
}

/// MRR per band, per currency (amounts of different currencies are never
/// added). Sums saturate at `i64::MAX`.
pub fn mrr_by_band(
    bands: &[Option<Band>],
    mrr_minor: &[i64],
    currencies: Currencies<'_>,
) -> Result<BTreeMap<Currency, BandMrr>, DataError> {
    let n = bands.len();
    if mrr_minor.len() != n {
        return Err(DataError::LengthMismatch {
            what: "MRR column",
            expected: n,
            got: mrr_minor.len(),
        });
    }
    if let Currencies::PerAccount(c) = currencies {
        if c.len() != n {
            return Err(DataError::LengthMismatch {
                what: "currency column",
                expected: n,
                got: c.len(),
            });
        }
    }
    let mut out: BTreeMap<Currency, BandMrr> = BTreeMap::new();
    for (i, (b, &m)) in bands.iter().zip(mrr_minor).enumerate() {
        let cur = match currencies {
            Currencies::Single(c) => c,
            Currencies::PerAccount(c) => c[i],
        };
        let e = out.entry(cur).or_default();
        let (slot, count) = match b {
            Some(Band::Red) => (&mut e.red, &mut e.accounts.red),
            Some(Band::Yellow) => (&mut e.yellow, &mut e.accounts.yellow),
            Some(Band::Green) => (&mut e.green, &mut e.accounts.green),
            None => (&mut e.unscored, &mut e.accounts.unscored),
        };
        *slot = slot.saturating_add(m);
        *count += 1;
    }
    Ok(out)
}

/// Band changes between two scorings of the same accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BandComparison {
    /// `matrix[from][to]`: accounts scored in both, by band before (row) and
    /// after (column), indices `0` red, `1` yellow, `2` green.
    pub matrix: [[usize; 3]; 3],
    /// Indices of the accounts whose band changed (including to or from
    /// unscored), ascending.
    pub moved: Vec<usize>,
    /// Accounts that moved to a better band.
    pub improved: usize,
    /// Accounts that moved to a worse band.
    pub worsened: usize,
    /// Accounts scored on one side only.
    pub scored_changed: usize,
}

impl BandComparison {
    /// Compares two band buffers of the same length into `self`, reusing the
    /// `moved` buffer.
    pub fn compare_into(
        &mut self,
        before: &[Option<Band>],
        after: &[Option<Band>],
    ) -> Result<(), DataError> {
        if before.len() != after.len() {
            return Err(DataError::LengthMismatch {
                what: "bands after",
                expected: before.len(),
                got: after.len(),
            });
        }
        self.matrix = [[0; 3]; 3];
        self.moved.clear();
        self.improved = 0;
        self.worsened = 0;
        self.scored_changed = 0;
        for (i, (b, a)) in before.iter().zip(after).enumerate() {
            match (b, a) {
                (Some(b), Some(a)) => {
                    self.matrix[b.index()][a.index()] += 1;
                    if a != b {
                        self.moved.push(i);
                        if a > b {
                            self.improved += 1;
                        } else {
                            self.worsened += 1;
                        }
                    }
                }
                (None, None) => {}
                _ => {
                    self.moved.push(i);
                    self.scored_changed += 1;
                }
            }
        }
        Ok(())
    }
}

/// Compares two band buffers (see [`BandComparison`]).
pub fn compare_bands(
    before: &[Option<Band>],
    after: &[Option<Band>],
) -> Result<BandComparison, DataError> {
    let mut c = BandComparison::default();
    c.compare_into(before, after)?;
    Ok(c)
}

/// Scores `table` with both models and compares the bands.
pub fn compare_models(
    before: &Scorer,
    after: &Scorer,
    table: &SignalTable,
) -> Result<BandComparison, DataError> {
    let (_, b) = before.score(table);
    let (_, a) = after.score(table);
    compare_bands(&b, &a)
}

/// Distribution summary of a scoring run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreSummary {
    /// Accounts per band.
    pub counts: BandCounts,
    /// Score histogram over `[0, 100]`.
    pub histogram: Histogram,
    /// Mean score of the scored accounts (`None` when none is scored).
    pub mean: Option<f64>,
}

impl ScoreSummary {
    /// Summarises scores and bands with a `bins`-bin histogram over `[0, 100]`
    /// (`None` when `bins` is 0).
    #[must_use]
    pub fn of(scores: &[f64], bands: &[Option<Band>], bins: usize) -> Option<Self> {
        let mut histogram = Histogram::percent(bins)?;
        histogram.fill(scores);
        let (sum, k) = scores
            .iter()
            .filter(|s| !s.is_nan())
            .fold((0.0, 0usize), |(s, k), &x| (s + x, k + 1));
        Some(Self {
            counts: BandCounts::of(bands),
            histogram,
            mean: (k > 0).then(|| sum / k as f64),
        })
    }
}
