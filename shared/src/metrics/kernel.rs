//! The batch scoring kernel behind [`Scorer`](super::Scorer): compiled
//! curves, per-block accumulation of weighted points, scores, bands and
//! histogram bins.
//!
//! Work is done measure-major over blocks of [`BLOCK`] accounts held in
//! fixed-size stack buffers, so the inner loops are plain element-wise array
//! loops. There are two implementations of every loop:
//!
//! - the *portable* one, plain Rust that compilers vectorise where they can
//!   (SSE2/AVX2 natively, `simd128` in wasm when the final link optimises
//!   at `opt-level = 3`);
//! - on `wasm32` built with `simd128` (`.cargo/config.toml`), an explicit
//!   `core::arch::wasm32` one, two accounts per `f64x2`, which does not
//!   depend on the optimiser. The app needs it: with fat LTO, LLVM leaves
//!   loop vectorisation to the link-time pass, which runs at the app's
//!   `opt-level = "z"` and does not vectorise, so the portable loops stay
//!   scalar there whatever `kizuna-shared`'s own opt-level (BENCHMARKS.md).
//!
//! f32 columns (and trends) are first widened (computed) into an f64 block,
//! so there is one kernel per curve shape.
//!
//! Both perform the same IEEE operations in the same order on every account
//! (no fused multiply-add, the same select semantics for clamps and
//! comparisons), so their results are bit-identical; tests compare them
//! (`Scorer::score_with_histogram_into_portable`).

use super::model::{Curve, Measure, MissingPolicy, Trend, TrendKind};
use super::table::{Column, SignalTable};

/// One term of a compiled curve.
///
/// Linear curves are evaluated as a telescoping sum over their segments,
/// `y0 + Σ s·(clamp(v, x, xn) − x)`, which needs no per-segment branch or
/// select; the slope is nudged by an ulp or two when that makes a full
/// segment add exactly its rise `y(xn) − y(x)`, so a value on a knot scores
/// that knot's `y` (exactly, for integer points). Steps are
/// `y0 + Σ (v >= x)·a` with `a` the rise at threshold `x`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Term {
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

/// Compiles a curve whose `y` values are multiplied by `scale` into `terms`
/// (cleared first, its capacity reused); returns the points below the first
/// knot.
fn compile(curve: &Curve, scale: f64, terms: &mut Vec<Term>) -> f64 {
    let pts = curve.points();
    terms.clear();
    match curve {
        Curve::Linear(p) => terms.extend(p.windows(2).map(|w| Term {
            x: w[0].0,
            xn: w[1].0,
            s: exact_slope(w[0].0, w[1].0, w[0].1 * scale, w[1].1 * scale),
        })),
        Curve::Steps(p) => terms.extend(p.windows(2).map(|w| Term {
            x: w[1].0,
            xn: w[1].0,
            s: w[1].1 * scale - w[0].1 * scale,
        })),
    }
    pts.first().map_or(0.0, |p| p.1 * scale)
}

/// A measure compiled for the kernel.
#[derive(Debug, Clone)]
pub(crate) struct CompiledMeasure {
    pub(crate) signal: String,
    pub(crate) trend: Option<Trend>,
    pub(crate) weight: f64,
    pub(crate) missing: MissingPolicy,
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
    pub(crate) curve: Curve,
}

impl CompiledMeasure {
    pub(crate) fn new(m: &Measure) -> Self {
        let (mut terms, mut wterms) = (Vec::new(), Vec::new());
        let y0 = compile(&m.curve, 1.0, &mut terms);
        let wy0 = compile(&m.curve, m.weight, &mut wterms);
        Self {
            signal: m.signal.clone(),
            trend: m.trend,
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

    /// Changes the weight, recompiling the weighted terms in place (a
    /// slider move allocates nothing).
    pub(crate) fn set_weight(&mut self, weight: f64) {
        self.weight = weight;
        self.wy0 = compile(&self.curve, weight, &mut self.wterms);
    }

    /// Points of one value (`None` when missing); same arithmetic as the
    /// batch path.
    #[inline]
    pub(crate) fn points(&self, v: f64) -> Option<f64> {
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

    /// The weight an account keeps when its value is missing.
    pub(crate) fn missing_weight(&self) -> f64 {
        match self.missing {
            MissingPolicy::Skip => 0.0,
            MissingPolicy::Zero => self.weight,
        }
    }

    /// Where this measure's values come from in `table`.
    pub(crate) fn input<'a>(&self, table: &'a SignalTable) -> Input<'a> {
        let Some(now) = table.column(&self.signal) else {
            return Input::Absent;
        };
        match self.trend {
            None => Input::Value(now),
            Some(trend) => match table.lagged(&self.signal, trend.days) {
                Some(then) => Input::Trend { now, then, trend },
                None => Input::Absent,
            },
        }
    }
}

/// The values a measure reads, resolved once per scoring run.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Input<'a> {
    /// No column: missing for every account.
    Absent,
    /// The signal's value at the as-of date.
    Value(&'a Column),
    /// The signal's trend from its value and a lagged value.
    Trend {
        now: &'a Column,
        then: &'a Column,
        trend: Trend,
    },
}

impl Input<'_> {
    /// The value of account `i` (`None` when missing).
    pub(crate) fn get(&self, i: usize) -> Option<f64> {
        match self {
            Input::Absent => None,
            Input::Value(c) => c.get(i),
            Input::Trend { now, then, trend } => {
                let v = trend.of(now.get(i)?, then.get(i)?);
                (!v.is_nan()).then_some(v)
            }
        }
    }

    /// Whether there is no data at all.
    pub(crate) fn is_absent(&self) -> bool {
        matches!(self, Input::Absent)
    }
}

/// `min(max(v, lo), hi)` written so that it compiles to `maxpd`/`minpd`
/// (and matches `f64x2.pmax`/`f64x2.pmin` exactly, NaN included: a NaN `v`
/// gives `lo`).
#[inline(always)]
fn clamp(v: f64, lo: f64, hi: f64) -> f64 {
    let c = if v > lo { v } else { lo };
    if c < hi {
        c
    } else {
        hi
    }
}

/// Accounts per block of the batch kernel (the two f64 accumulators of a
/// block stay in L1).
pub(crate) const BLOCK: usize = 1024;

/// Histograms up to this many bins are counted in four interleaved
/// stack sub-histograms.
pub(crate) const SUB_BINS: usize = 256;

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
fn kernel<const K: usize, const LINEAR: bool, const SKIP: bool>(
    m: &CompiledMeasure,
    vals: &[f64],
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
        let v = vals[i];
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

/// Widens a block of an f32 column into `out` (f32 columns are scored
/// through the f64 kernels: one kernel per curve shape instead of two keeps
/// the wasm smaller, and the widening pass costs little next to the curve).
#[inline(always)]
pub(crate) fn widen(vals: &[f32], out: &mut [f64]) {
    for (o, &v) in out.iter_mut().zip(vals) {
        *o = f64::from(v);
    }
}

/// Adds one measure's `weight × points` (and, under `skip`, its weight where
/// present) for a block of accounts, dispatching on the curve's shape so the
/// common small curves get a fully unrolled loop.
// Always inlined so that it is compiled with the caller's target features
// (the AVX2 build of `Scorer::run`).
#[inline(always)]
pub(crate) fn accumulate<const SIMD: bool>(
    m: &CompiledMeasure,
    vals: &[f64],
    wp: &mut [f64],
    sw: &mut [f64],
) {
    macro_rules! dispatch {
        ($k:ident, $skip:literal) => {
            match (m.linear, m.terms.len()) {
                (_, 0) => $k::<0, true, $skip>(m, vals, wp, sw),
                (true, 1) => $k::<1, true, $skip>(m, vals, wp, sw),
                (true, 2) => $k::<2, true, $skip>(m, vals, wp, sw),
                (true, 3) => $k::<3, true, $skip>(m, vals, wp, sw),
                (true, 4) => $k::<4, true, $skip>(m, vals, wp, sw),
                (false, 1) => $k::<1, false, $skip>(m, vals, wp, sw),
                (false, 2) => $k::<2, false, $skip>(m, vals, wp, sw),
                (false, 3) => $k::<3, false, $skip>(m, vals, wp, sw),
                (false, 4) => $k::<4, false, $skip>(m, vals, wp, sw),
                _ => {
                    // Long curves: same arithmetic, not unrolled.
                    let w = m.weight;
                    for ((&v, acc_p), acc_w) in vals.iter().zip(wp.iter_mut()).zip(sw.iter_mut()) {
                        if let Some(p) = m.points(v) {
                            // `points` is unweighted; the kernels evaluate
                            // pre-weighted terms. Long curves are rare and
                            // keep the reference arithmetic of `score_one`.
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
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if SIMD {
        use simd::kernel as k;
        match m.missing {
            MissingPolicy::Skip => dispatch!(k, true),
            MissingPolicy::Zero => dispatch!(k, false),
        }
        return;
    }
    match m.missing {
        MissingPolicy::Skip => dispatch!(kernel, true),
        MissingPolicy::Zero => dispatch!(kernel, false),
    }
}

/// Writes the trend of each account of `start..start + out.len()` into `out`.
#[inline(always)]
pub(crate) fn trend_block(
    now: &Column,
    then: &Column,
    trend: Trend,
    start: usize,
    out: &mut [f64],
) {
    fn go<A: Copy + Into<f64>, B: Copy + Into<f64>>(
        now: &[A],
        then: &[B],
        kind: TrendKind,
        out: &mut [f64],
    ) {
        let n = out.len().min(now.len()).min(then.len());
        let (now, then, out) = (&now[..n], &then[..n], &mut out[..n]);
        match kind {
            TrendKind::Absolute => {
                for i in 0..n {
                    out[i] = now[i].into() - then[i].into();
                }
            }
            TrendKind::Relative => {
                for i in 0..n {
                    out[i] = TrendKind::Relative.of(now[i].into(), then[i].into());
                }
            }
        }
    }
    let r = start..start + out.len();
    match (now, then) {
        (Column::F64(a), Column::F64(b)) => go(&a[r.clone()], &b[r], trend.kind, out),
        (Column::F64(a), Column::F32(b)) => go(&a[r.clone()], &b[r], trend.kind, out),
        (Column::F32(a), Column::F64(b)) => go(&a[r.clone()], &b[r], trend.kind, out),
        (Column::F32(a), Column::F32(b)) => go(&a[r.clone()], &b[r], trend.kind, out),
    }
}

/// Band code of a score: 0 red, 1 yellow, 2 green, 3 unscored (NaN).
#[inline(always)]
fn band_code(s: f64, red: f64, green: f64) -> u8 {
    if s.is_nan() {
        3
    } else {
        u8::from(s >= red) + u8::from(s >= green)
    }
}

/// Scores (`wp ÷ sw`, `NaN` where `sw` is 0) and band codes of a block.
#[inline(always)]
pub(crate) fn finish_block<const SIMD: bool>(
    wp: &[f64],
    sw: &[f64],
    red: f64,
    green: f64,
    scores: &mut [f64],
    codes: &mut [u8],
) {
    let n = wp.len().min(sw.len()).min(scores.len()).min(codes.len());
    let (wp, sw, scores, codes) = (&wp[..n], &sw[..n], &mut scores[..n], &mut codes[..n]);
    let mut i = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if SIMD {
        i = simd::finish(wp, sw, red, green, scores, codes);
    }
    while i < n {
        let (p, w) = (wp[i], sw[i]);
        let s = if w > 0.0 { p / w } else { f64::NAN };
        scores[i] = s;
        codes[i] = band_code(s, red, green);
        i += 1;
    }
}

/// Histogram bin of each score of a block (`nb` for NaN): `floor(t)` of
/// `t = clamp((s − lo)·scale, 0, nb − 1)`.
#[inline(always)]
pub(crate) fn bin_block<const SIMD: bool>(
    scores: &[f64],
    lo: f64,
    scale: f64,
    nb: usize,
    idx: &mut [u32],
) {
    let n = scores.len().min(idx.len());
    let (scores, idx) = (&scores[..n], &mut idx[..n]);
    let top = nb.saturating_sub(1) as f64;
    let mut i = 0;
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if SIMD {
        i = simd::bins(scores, lo, scale, top, nb as u32, idx);
    }
    while i < n {
        let s = scores[i];
        let t = clamp((s - lo) * scale, 0.0, top);
        // floor(t) without a scalar saturating float→int conversion, as
        // adding 2^52 rounds to an integer held in the mantissa's low bits.
        let r = (t + TWO_52) - TWO_52;
        let f = if r > t { r - 1.0 } else { r };
        let bin = (f + TWO_52).to_bits() as u32;
        idx[i] = if s.is_nan() { nb as u32 } else { bin };
        i += 1;
    }
}

/// Counts bin indices into four interleaved sub-histograms (indices `>=`
/// [`SUB_BINS`] or `nb` are skipped): consecutive accounts in the same bin do
/// not wait on each other's store.
#[inline(always)]
pub(crate) fn count_bins(idx: &[u32], sub: &mut [[u32; SUB_BINS]; 4]) {
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
}

/// The explicit `simd128` kernels: the scalar loops above, two accounts at
/// a time, operation for operation.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use super::{CompiledMeasure, Term};
    use core::arch::wasm32::*;

    /// `clamp` of the scalar path: `pmax(lo, v)` is `lo < v ? v : lo`
    /// (`lo` for NaN), `pmin(hi, c)` is `c < hi ? c : hi`.
    #[inline(always)]
    fn clamp(v: v128, lo: v128, hi: v128) -> v128 {
        f64x2_pmin(hi, f64x2_pmax(lo, v))
    }

    #[inline(always)]
    fn term<const LINEAR: bool>(v: v128, x: v128, xn: v128, s: v128) -> v128 {
        if LINEAR {
            f64x2_mul(s, f64x2_sub(clamp(v, x, xn), x))
        } else {
            // `v >= x ? s : 0.0` (false for NaN).
            v128_and(f64x2_ge(v, x), s)
        }
    }

    /// [`super::kernel`] on `f64x2` pairs; an odd last account goes
    /// through the same vector code with a missing value in the other lane
    /// (so the scalar kernels are not compiled into SIMD builds at all).
    #[inline(always)]
    pub(super) fn kernel<const K: usize, const LINEAR: bool, const SKIP: bool>(
        m: &CompiledMeasure,
        vals: &[f64],
        wp: &mut [f64],
        sw: &mut [f64],
    ) {
        let mut t = [Term::default(); 4];
        t[..K].copy_from_slice(&m.wterms[..K]);
        let x: [v128; 4] = core::array::from_fn(|k| f64x2_splat(t[k].x));
        let xn: [v128; 4] = core::array::from_fn(|k| f64x2_splat(t[k].xn));
        let s: [v128; 4] = core::array::from_fn(|k| f64x2_splat(t[k].s));
        let (w, y0) = (f64x2_splat(m.weight), f64x2_splat(m.wy0));
        // weighted points and kept weight of a pair
        let step = |v: v128, acc_p: v128, acc_w: v128| -> (v128, v128) {
            let mut p = y0;
            if K > 0 {
                p = f64x2_add(p, term::<LINEAR>(v, x[0], xn[0], s[0]));
            }
            if K > 1 {
                p = f64x2_add(p, term::<LINEAR>(v, x[1], xn[1], s[1]));
            }
            if K > 2 {
                p = f64x2_add(p, term::<LINEAR>(v, x[2], xn[2], s[2]));
            }
            if K > 3 {
                p = f64x2_add(p, term::<LINEAR>(v, x[3], xn[3], s[3]));
            }
            let present = f64x2_eq(v, v);
            let acc_p = f64x2_add(acc_p, v128_and(present, p));
            let acc_w = if SKIP {
                f64x2_add(acc_w, v128_and(present, w))
            } else {
                acc_w
            };
            (acc_p, acc_w)
        };
        let n = vals.len().min(wp.len()).min(sw.len());
        let (vals, wp, sw) = (&vals[..n], &mut wp[..n], &mut sw[..n]);
        let pairs = n / 2 * 2;
        let mut i = 0;
        while i < pairs {
            let (p, q) = step(
                f64x2(vals[i], vals[i + 1]),
                f64x2(wp[i], wp[i + 1]),
                f64x2(sw[i], sw[i + 1]),
            );
            wp[i] = f64x2_extract_lane::<0>(p);
            wp[i + 1] = f64x2_extract_lane::<1>(p);
            sw[i] = f64x2_extract_lane::<0>(q);
            sw[i + 1] = f64x2_extract_lane::<1>(q);
            i += 2;
        }
        if pairs < n {
            let (p, q) = step(
                f64x2(vals[i], f64::NAN),
                f64x2(wp[i], 0.0),
                f64x2(sw[i], 0.0),
            );
            wp[i] = f64x2_extract_lane::<0>(p);
            sw[i] = f64x2_extract_lane::<0>(q);
        }
    }

    /// [`super::finish_block`] on pairs; returns how many accounts it did.
    #[inline(always)]
    pub(super) fn finish(
        wp: &[f64],
        sw: &[f64],
        red: f64,
        green: f64,
        scores: &mut [f64],
        codes: &mut [u8],
    ) -> usize {
        let n = wp.len().min(sw.len()).min(scores.len()).min(codes.len());
        let pairs = n / 2 * 2;
        let (zero, nan) = (f64x2_splat(0.0), f64x2_splat(f64::NAN));
        let (red, green) = (f64x2_splat(red), f64x2_splat(green));
        let three = i64x2_splat(3);
        let mut i = 0;
        while i < pairs {
            let p = f64x2(wp[i], wp[i + 1]);
            let w = f64x2(sw[i], sw[i + 1]);
            let s = v128_bitselect(f64x2_div(p, w), nan, f64x2_gt(w, zero));
            scores[i] = f64x2_extract_lane::<0>(s);
            scores[i + 1] = f64x2_extract_lane::<1>(s);
            // Comparison masks are all-ones (−1) per lane: subtracting adds 1.
            let code = i64x2_sub(
                i64x2_sub(i64x2_splat(0), f64x2_ge(s, red)),
                f64x2_ge(s, green),
            );
            let code = v128_bitselect(code, three, f64x2_eq(s, s));
            codes[i] = i64x2_extract_lane::<0>(code) as u8;
            codes[i + 1] = i64x2_extract_lane::<1>(code) as u8;
            i += 2;
        }
        pairs
    }

    /// [`super::bin_block`] on pairs; returns how many accounts it did.
    #[inline(always)]
    pub(super) fn bins(
        scores: &[f64],
        lo: f64,
        scale: f64,
        top: f64,
        nb: u32,
        idx: &mut [u32],
    ) -> usize {
        let n = scores.len().min(idx.len());
        let pairs = n / 2 * 2;
        let (lo, scale) = (f64x2_splat(lo), f64x2_splat(scale));
        let (zero, top) = (f64x2_splat(0.0), f64x2_splat(top));
        let none = u32x4_splat(nb);
        let mut i = 0;
        while i < pairs {
            let s = f64x2(scores[i], scores[i + 1]);
            let t = clamp(f64x2_mul(f64x2_sub(s, lo), scale), zero, top);
            // t is in [0, nb − 1], so floor and truncation agree with the
            // scalar path's exact floor.
            let b = i32x4_trunc_sat_f64x2_zero(f64x2_floor(t));
            // Lanes 0 and 1 hold the two bins; NaN scores get `nb`.
            let nan = i32x4_shuffle::<0, 2, 0, 2>(f64x2_eq(s, s), f64x2_eq(s, s));
            let b = v128_bitselect(b, none, nan);
            idx[i] = u32x4_extract_lane::<0>(b);
            idx[i + 1] = u32x4_extract_lane::<1>(b);
            i += 2;
        }
        pairs
    }
}
