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

use super::kernel::{self, CompiledMeasure, Input, BLOCK, SUB_BINS};
use super::model::{
    check_weight, Band, Bands, HealthModel, Measure, MissingPolicy, ModelError, Trend,
};
use crate::api::MoneySum;
use crate::domain::Currency;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use super::table::{Column, DataError, SignalTable};

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

/// Models with up to this many measures are scored without any allocation.
const STACK_MEASURES: usize = 32;

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
    /// The trend the measure reads (`None`: the signal's value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    /// The raw value, or the trend for a trend measure (`None` when missing).
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

    /// Signal keys, in measure order (a signal read as a value and as a
    /// trend appears twice; see [`trends`](Self::trends)).
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
                    trend: m.trend,
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
    /// account), for a warning in the UI; a trend measure whose lagged
    /// column is absent is listed too (once per measure, model order).
    #[must_use]
    pub fn absent_signals<'a>(&'a self, table: &SignalTable) -> Vec<&'a str> {
        self.measures
            .iter()
            .filter(|m| m.input(table).is_absent())
            .map(|m| m.signal.as_str())
            .collect()
    }

    /// Indices of the measures with no data in `table` (see
    /// [`absent_signals`](Self::absent_signals)).
    #[must_use]
    pub fn absent_measures(&self, table: &SignalTable) -> Vec<usize> {
        (0..self.measures.len())
            .filter(|&i| self.measures[i].input(table).is_absent())
            .collect()
    }

    /// The trend each measure reads (`None`: the value), in measure order.
    pub fn trends(&self) -> impl Iterator<Item = Option<Trend>> + '_ {
        self.measures.iter().map(|m| m.trend)
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

    /// [`score_with_histogram_into`](Self::score_with_histogram_into)
    /// through the portable kernel only (no run-time AVX2 dispatch, no
    /// explicit `simd128` code). The results are bit-identical to the fast
    /// path; tests use it to prove that.
    #[doc(hidden)]
    pub fn score_with_histogram_into_portable(
        &self,
        table: &SignalTable,
        scores: &mut Vec<f64>,
        bands: &mut Vec<Option<Band>>,
        histogram: &mut Histogram,
    ) -> BandCounts {
        self.run_portable::<false>(table, scores, bands, Some(histogram))
    }

    /// Scores with the widest vector unit available. On x86-64 builds for
    /// the baseline (SSE2) the same body is compiled a second time with AVX2
    /// enabled and chosen at run time when the CPU has it; on wasm32 built
    /// with `simd128` the explicit `f64x2` kernels run. The arithmetic is the
    /// same everywhere (no fused multiply-add), so the results are
    /// bit-identical, only more lanes run at once.
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
        self.run_portable::<true>(table, scores, bands, histogram)
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
        self.run_portable::<true>(table, scores, bands, histogram)
    }

    /// The scoring pass; `SIMD` selects the explicit `simd128` kernels where
    /// the build has them (wasm32 with `simd128`), and is ignored elsewhere.
    #[inline(always)]
    fn run_portable<const SIMD: bool>(
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
        // The inputs are resolved once, outside the block loop, on the stack
        // for up to `STACK_MEASURES` measures: a re-score allocates nothing.
        let mut on_stack = [Input::Absent; STACK_MEASURES];
        let on_heap: Vec<Input<'_>>;
        let inputs: &[Input<'_>] = if self.measures.len() <= STACK_MEASURES {
            for (slot, m) in on_stack.iter_mut().zip(&self.measures) {
                *slot = m.input(table);
            }
            &on_stack[..self.measures.len()]
        } else {
            on_heap = self.measures.iter().map(|m| m.input(table)).collect();
            &on_heap
        };
        let mut counts = [0usize; 4];
        let mut wp = [0.0f64; BLOCK];
        let mut sw = [0.0f64; BLOCK];
        let mut tv = [0.0f64; BLOCK];
        let mut codes = [0u8; BLOCK];
        let mut bins = [0u32; BLOCK];
        let mut sub = [[0u32; SUB_BINS]; 4];
        let (red, green) = (self.bands.red, self.bands.green);
        // Weights that count for every account (policy `zero`).
        let base_w: f64 = self
            .measures
            .iter()
            .map(CompiledMeasure::missing_weight)
            .sum();
        let mut start = 0;
        while start < n {
            let len = BLOCK.min(n - start);
            let end = start + len;
            let (wp, sw) = (&mut wp[..len], &mut sw[..len]);
            wp.fill(0.0);
            sw.fill(base_w);
            for (m, input) in self.measures.iter().zip(inputs) {
                match *input {
                    // Missing everywhere: adds nothing beyond `base_w`.
                    Input::Absent => {}
                    Input::Value(Column::F64(v)) => {
                        kernel::accumulate::<SIMD>(m, &v[start..end], wp, sw);
                    }
                    Input::Value(Column::F32(v)) => {
                        let tv = &mut tv[..len];
                        kernel::widen(&v[start..end], tv);
                        kernel::accumulate::<SIMD>(m, tv, wp, sw);
                    }
                    Input::Trend { now, then, trend } => {
                        let tv = &mut tv[..len];
                        kernel::trend_block(now, then, trend, start, tv);
                        kernel::accumulate::<SIMD>(m, tv, wp, sw);
                    }
                }
            }
            let out_s = &mut scores[start..end];
            let codes = &mut codes[..len];
            kernel::finish_block::<SIMD>(wp, sw, red, green, out_s, codes);
            for (b, &c) in bands[start..end].iter_mut().zip(codes.iter()) {
                *b = match c {
                    0 => Some(Band::Red),
                    1 => Some(Band::Yellow),
                    2 => Some(Band::Green),
                    _ => None,
                };
                counts[usize::from(c.min(3))] += 1;
            }
            if let Some(h) = histogram.as_deref_mut() {
                let nb = h.counts.len();
                if nb <= SUB_BINS {
                    let scale = nb as f64 / (h.hi - h.lo);
                    let idx = &mut bins[..len];
                    kernel::bin_block::<SIMD>(out_s, h.lo, scale, nb, idx);
                    kernel::count_bins(idx, &mut sub);
                } else {
                    for &s in out_s.iter() {
                        if let Some(b) = h.bin_of(s) {
                            h.counts[b] += 1;
                        }
                    }
                }
            }
            start = end;
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
            unscored: counts[3],
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
        let input = m.input(table);
        out.extend(
            (0..table.len()).map(|i| input.get(i).and_then(|v| m.points(v)).unwrap_or(f64::NAN)),
        );
        true
    }

    /// The value measure `measure` reads for every account of `table` (the
    /// signal's value, or its trend for a trend measure) into `out`, `NaN`
    /// where missing: what the workbench draws behind a curve editor. False
    /// (and `out` emptied) when the index is out of range.
    pub fn values_into(&self, table: &SignalTable, measure: usize, out: &mut Vec<f64>) -> bool {
        out.clear();
        let Some(m) = self.measures.get(measure) else {
            return false;
        };
        let input = m.input(table);
        out.extend((0..table.len()).map(|i| input.get(i).unwrap_or(f64::NAN)));
        true
    }

    /// Score of one account given a lookup of its signal values:
    /// `value(signal, days)` is the value of `signal` as it stood `days`
    /// before the as-of date (`days` is 0 for the as-of value, a trend's
    /// period for its earlier value); `None` or `NaN` = missing. `None` when
    /// no measure is kept.
    #[must_use]
    pub fn score_one(&self, mut value: impl FnMut(&str, u32) -> Option<f64>) -> Option<f64> {
        let (mut wp, mut sw) = (0.0, 0.0);
        for m in &self.measures {
            match one_value(m, &mut value).and_then(|v| m.points(v)) {
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
            .map(|m| m.input(table).get(account))
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
        // Same sum as `score_one`: a missing value under `zero` keeps its
        // weight with 0 points.
        let wp: f64 = self
            .measures
            .iter()
            .zip(&points)
            .filter_map(|(m, p)| p.map(|p| m.weight * p))
            .sum();
        let score = (total_w > 0.0).then(|| wp / total_w);
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
                    trend: m.trend,
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

/// The value a measure reads for one account through a `(signal, days)`
/// lookup (see [`Scorer::score_one`]).
fn one_value(m: &CompiledMeasure, value: &mut impl FnMut(&str, u32) -> Option<f64>) -> Option<f64> {
    let now = value(&m.signal, 0).filter(|v| !v.is_nan())?;
    match m.trend {
        None => Some(now),
        Some(t) => {
            let then = value(&m.signal, t.days).filter(|v| !v.is_nan())?;
            let v = t.of(now, then);
            (!v.is_nan()).then_some(v)
        }
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
/// added). Sums are exact ([`MoneySum`]); one beyond `i64` is
/// [`DataError::Money`].
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
    // Red, yellow, green, unscored.
    let mut sums: BTreeMap<Currency, ([MoneySum; 4], BandCounts)> = BTreeMap::new();
    for (i, (b, &m)) in bands.iter().zip(mrr_minor).enumerate() {
        let cur = match currencies {
            Currencies::Single(c) => c,
            Currencies::PerAccount(c) => c[i],
        };
        let (mrr, counts) = sums.entry(cur).or_default();
        let count = match b {
            Some(Band::Red) => &mut counts.red,
            Some(Band::Yellow) => &mut counts.yellow,
            Some(Band::Green) => &mut counts.green,
            None => &mut counts.unscored,
        };
        mrr[b.map_or(3, Band::index)] += m;
        *count += 1;
    }
    sums.into_iter()
        .map(|(c, ([r, y, g, u], accounts))| {
            Ok((
                c,
                BandMrr {
                    red: r.total(c)?,
                    yellow: y.total(c)?,
                    green: g.total(c)?,
                    unscored: u.total(c)?,
                    accounts,
                },
            ))
        })
        .collect()
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
