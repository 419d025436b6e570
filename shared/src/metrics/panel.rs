//! Everything the health-score workbench recomputes when a manager moves a
//! slider, in one call: scores, bands and the score histogram (also split by
//! band, to colour it), accounts and MRR per band per currency, band
//! movements against the published model with the biggest movers, and the
//! back-test (AUC with its verdict, decimated ROC curve, churn per band, red
//! lift, red precision and recall).
//!
//! A [`Panel`] owns every output buffer and reuses it, so after the first
//! update a slider move allocates nothing but the scorer's per-run list of
//! resolved inputs (one small `Vec` of a few entries).
//!
//! ```
//! use kizuna_shared::domain::Currency;
//! use kizuna_shared::metrics::{
//!     Curve, HealthModel, Measure, Panel, PanelInputs, PanelOptions, Scorer, SignalTable,
//! };
//!
//! let table = SignalTable::new(3).with("logins", vec![0.0, 10.0, 30.0]).unwrap();
//! let model = HealthModel::new(vec![Measure::new(
//!     "logins",
//!     1.0,
//!     Curve::Linear(vec![(0.0, 0.0), (20.0, 100.0)]),
//! )]);
//! let (mrr, cur, churned) = ([100, 200, 300], [Currency::Jpy; 3], [true, false, false]);
//! let inputs = PanelInputs { table: &table, mrr_minor: &mrr, currencies: &cur, churned: &churned };
//! let mut panel = Panel::new(PanelOptions::default()).unwrap();
//! panel.set_baseline(&Scorer::new(&model).unwrap(), &inputs).unwrap();
//! let mut draft = Scorer::new(&model).unwrap();
//! draft.set_bands((60.0, 90.0).into()).unwrap();
//! let r = panel.update(&draft, &inputs).unwrap();
//! assert_eq!(r.counts.red, 2);
//! assert_eq!(r.movements.as_ref().unwrap().down, 1); // 50 points: yellow → red
//! ```

use super::backtest::{BacktestOptions, BacktestReport, Backtester, MIN_CLASS_FOR_AUC};
use super::model::Band;
use super::scoring::{BandCounts, BandMrr, Histogram, Scorer};
use super::table::{DataError, SignalTable};
use crate::api::{MoneyAccumulator, MoneySum};
use crate::domain::Currency;
use serde::{Deserialize, Serialize};

/// Settings of a [`Panel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelOptions {
    /// Histogram bins over scores 0–100 (1 to 256).
    pub bins: usize,
    /// ROC points to keep for the chart (at least 2).
    pub roc_points: usize,
    /// Longest list of movers (biggest score change first).
    pub max_movers: usize,
    /// Minimum churned and retained accounts for a meaningful AUC.
    pub min_class: usize,
}

impl Default for PanelOptions {
    /// 50 bins, 200 ROC points, 100 movers, [`MIN_CLASS_FOR_AUC`].
    fn default() -> Self {
        Self {
            bins: 50,
            roc_points: 200,
            max_movers: 100,
            min_class: MIN_CLASS_FOR_AUC,
        }
    }
}

/// Why a [`Panel`] cannot be built or updated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanelError {
    /// The inputs do not describe the same accounts.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A setting is out of range.
    #[error("invalid panel option: {0}")]
    Options(&'static str),
}

/// The per-account inputs of the panel, one entry per account of `table`.
#[derive(Debug, Clone, Copy)]
pub struct PanelInputs<'a> {
    /// Signal values (and lagged values for trends).
    pub table: &'a SignalTable,
    /// MRR in minor units of the account's currency.
    pub mrr_minor: &'a [i64],
    /// Currency of each account.
    pub currencies: &'a [Currency],
    /// Whether the account churned within the outcome window.
    pub churned: &'a [bool],
}

impl PanelInputs<'_> {
    /// Checks every column has one entry per account.
    pub fn check(&self) -> Result<(), DataError> {
        let n = self.table.len();
        for (what, got) in [
            ("MRR column", self.mrr_minor.len()),
            ("currency column", self.currencies.len()),
            ("churn outcomes", self.churned.len()),
        ] {
            if got != n {
                return Err(DataError::LengthMismatch {
                    what,
                    expected: n,
                    got,
                });
            }
        }
        Ok(())
    }
}

/// One account whose band differs from the published model's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mover {
    /// Account index (row of the data set).
    pub account: usize,
    /// Band under the published model (`None`: unscored).
    pub before: Option<Band>,
    /// Band under the draft.
    pub after: Option<Band>,
    /// Score under the published model.
    pub score_before: Option<f64>,
    /// Score under the draft.
    pub score_after: Option<f64>,
}

/// Band changes of the draft against the published model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Movements {
    /// `matrix[before][after]` over accounts scored by both, `0` red,
    /// `1` yellow, `2` green.
    pub matrix: [[usize; 3]; 3],
    /// Accounts moved to a better band.
    pub up: usize,
    /// Accounts moved to a worse band.
    pub down: usize,
    /// Accounts scored by the draft only.
    pub newly_scored: usize,
    /// Accounts scored by the published model only.
    pub newly_unscored: usize,
    /// All accounts whose band changed (`up + down + newly_scored +
    /// newly_unscored`).
    pub moved: usize,
    /// At most [`PanelOptions::max_movers`] of them: those gaining or losing
    /// a score first, then by the largest score change, then by account
    /// index.
    pub movers: Vec<Mover>,
}

/// Accounts and MRR per band in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyBands {
    /// The currency.
    pub currency: Currency,
    /// MRR (minor units) and accounts per band.
    pub bands: BandMrr,
}

/// What a [`Panel`] update produces (all buffers reused between updates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PanelResult {
    /// Score per account (`NaN`: unscored).
    pub scores: Vec<f64>,
    /// Band per account.
    pub bands: Vec<Option<Band>>,
    /// Accounts per band.
    pub counts: BandCounts,
    /// Score histogram over 0–100.
    pub histogram: Histogram,
    /// The same bins split by band, `[red, yellow, green]` per bin: a bin a
    /// cut-off falls into is drawn in two colours.
    pub histogram_bands: Vec<[u32; 3]>,
    /// Accounts and MRR per band, per currency present in the data, in
    /// [`Currency::ALL`] order; amounts of different currencies are never
    /// added.
    pub mrr: Vec<CurrencyBands>,
    /// Movements against the baseline (`None` without one).
    pub movements: Option<Movements>,
    /// The back-test of the scores against the churn outcomes.
    pub backtest: BacktestReport,
}

/// The published model's scores and bands, the reference for movements.
#[derive(Debug, Clone, Default)]
struct Baseline {
    scores: Vec<f64>,
    bands: Vec<Option<Band>>,
}

/// The workbench's live computation (see the module docs).
#[derive(Debug, Clone)]
pub struct Panel {
    opts: PanelOptions,
    backtest_opts: BacktestOptions,
    result: PanelResult,
    baseline: Option<Baseline>,
    backtester: Backtester,
    moved: Vec<u32>,
    movements: Movements,
}

impl Panel {
    /// A panel with empty buffers.
    pub fn new(opts: PanelOptions) -> Result<Self, PanelError> {
        if !(1..=256).contains(&opts.bins) {
            return Err(PanelError::Options("bins must be 1 to 256"));
        }
        if opts.roc_points < 2 {
            return Err(PanelError::Options("roc_points must be at least 2"));
        }
        if opts.min_class == 0 {
            return Err(PanelError::Options("min_class must be at least 1"));
        }
        let histogram = Histogram::percent(opts.bins).ok_or(PanelError::Options("bins"))?;
        Ok(Self {
            opts,
            backtest_opts: BacktestOptions {
                roc_points: Some(opts.roc_points),
                min_class: opts.min_class,
            },
            result: PanelResult {
                scores: Vec::new(),
                bands: Vec::new(),
                counts: BandCounts::default(),
                histogram_bands: vec![[0; 3]; opts.bins],
                histogram,
                mrr: Vec::with_capacity(Currency::ALL.len()),
                movements: None,
                backtest: BacktestReport::default(),
            },
            baseline: None,
            backtester: Backtester::new(),
            moved: Vec::new(),
            movements: Movements::default(),
        })
    }

    /// The settings.
    #[must_use]
    pub fn options(&self) -> PanelOptions {
        self.opts
    }

    /// Scores the data with the published model once; every later update
    /// reports its band movements against these bands.
    pub fn set_baseline(
        &mut self,
        published: &Scorer,
        inputs: &PanelInputs<'_>,
    ) -> Result<(), PanelError> {
        inputs.check()?;
        let b = self.baseline.get_or_insert_with(Baseline::default);
        published.score_into(inputs.table, &mut b.scores, &mut b.bands);
        Ok(())
    }

    /// Forgets the baseline (no published model yet): no movements.
    pub fn clear_baseline(&mut self) {
        self.baseline = None;
    }

    /// The baseline's scores and bands, if set.
    #[must_use]
    pub fn baseline(&self) -> Option<(&[f64], &[Option<Band>])> {
        self.baseline
            .as_ref()
            .map(|b| (b.scores.as_slice(), b.bands.as_slice()))
    }

    /// The last result.
    #[must_use]
    pub fn result(&self) -> &PanelResult {
        &self.result
    }

    /// Re-scores the data with `scorer` and recomputes every figure.
    pub fn update(
        &mut self,
        scorer: &Scorer,
        inputs: &PanelInputs<'_>,
    ) -> Result<&PanelResult, PanelError> {
        inputs.check()?;
        let n = inputs.table.len();
        if let Some(b) = &self.baseline {
            if b.bands.len() != n {
                return Err(DataError::LengthMismatch {
                    what: "baseline (set it again after loading new data)",
                    expected: n,
                    got: b.bands.len(),
                }
                .into());
            }
        }
        let r = &mut self.result;
        r.counts = scorer.score_with_histogram_into(
            inputs.table,
            &mut r.scores,
            &mut r.bands,
            &mut r.histogram,
        );
        band_totals(r, inputs)?;
        match &self.baseline {
            Some(b) => {
                movements_into(
                    &b.scores,
                    &b.bands,
                    &r.scores,
                    &r.bands,
                    self.opts.max_movers,
                    &mut self.moved,
                    &mut self.movements,
                );
                // Hand the buffer over without allocating: the previous
                // result's movements become the next scratch.
                let prev = r.movements.take().unwrap_or_default();
                r.movements = Some(std::mem::replace(&mut self.movements, prev));
            }
            None => r.movements = None,
        }
        self.backtester.run_into(
            &r.scores,
            inputs.churned,
            scorer.bands(),
            &self.backtest_opts,
            &mut r.backtest,
        )?;
        Ok(&self.result)
    }
}

/// Accounts and MRR per band per currency, and the histogram per band, in
/// one pass over the accounts. MRR sums are exact ([`MoneySum`]; in `i64`
/// when no sum of these amounts can leave it); one beyond `i64` is
/// [`DataError::Money`].
fn band_totals(r: &mut PanelResult, inputs: &PanelInputs<'_>) -> Result<(), DataError> {
    let amounts = inputs.mrr_minor;
    let max = amounts.iter().fold(0, |a: u64, m| a.max(m.unsigned_abs()));
    if MoneySum::fits_i64(amounts.len(), max) {
        band_totals_in::<i64>(r, inputs)
    } else {
        band_totals_in::<MoneySum>(r, inputs)
    }
}

fn band_totals_in<A: MoneyAccumulator>(
    r: &mut PanelResult,
    inputs: &PanelInputs<'_>,
) -> Result<(), DataError> {
    const NC: usize = Currency::ALL.len();
    let mut mrr = [[A::ZERO; 4]; NC];
    let mut count = [[0usize; 4]; NC];
    let hb = &mut r.histogram_bands;
    hb.iter_mut().for_each(|b| *b = [0; 3]);
    let h = &r.histogram;
    for (((&s, b), &m), &c) in r
        .scores
        .iter()
        .zip(&r.bands)
        .zip(inputs.mrr_minor)
        .zip(inputs.currencies)
    {
        let (ci, bi) = (c as usize, b.map_or(3, Band::index));
        mrr[ci][bi] += m;
        count[ci][bi] += 1;
        if let (Some(band), Some(bin)) = (b, h.bin_of(s)) {
            hb[bin][band.index()] += 1;
        }
    }
    r.mrr.clear();
    for (ci, &currency) in Currency::ALL.iter().enumerate() {
        let (m, k) = (mrr[ci], count[ci]);
        if k.iter().sum::<usize>() == 0 {
            continue;
        }
        r.mrr.push(CurrencyBands {
            currency,
            bands: BandMrr {
                red: m[0].total(currency)?,
                yellow: m[1].total(currency)?,
                green: m[2].total(currency)?,
                unscored: m[3].total(currency)?,
                accounts: BandCounts {
                    red: k[0],
                    yellow: k[1],
                    green: k[2],
                    unscored: k[3],
                },
            },
        });
    }
    Ok(())
}

/// How far an account moved, for ordering movers: gaining or losing a score
/// ranks above any change of score.
fn change(before: f64, after: f64) -> f64 {
    if before.is_nan() || after.is_nan() {
        f64::INFINITY
    } else {
        (after - before).abs()
    }
}

/// Band movements of `after` against `before` into `out`; `moved` is
/// scratch for the indices of every moved account.
fn movements_into(
    before_s: &[f64],
    before_b: &[Option<Band>],
    after_s: &[f64],
    after_b: &[Option<Band>],
    cap: usize,
    moved: &mut Vec<u32>,
    out: &mut Movements,
) {
    out.matrix = [[0; 3]; 3];
    out.up = 0;
    out.down = 0;
    out.newly_scored = 0;
    out.newly_unscored = 0;
    moved.clear();
    for (i, (b, a)) in before_b.iter().zip(after_b).enumerate() {
        match (b, a) {
            (Some(b), Some(a)) => {
                out.matrix[b.index()][a.index()] += 1;
                if a == b {
                    continue;
                }
                if a > b {
                    out.up += 1;
                } else {
                    out.down += 1;
                }
            }
            (None, None) => continue,
            (None, Some(_)) => out.newly_scored += 1,
            (Some(_), None) => out.newly_unscored += 1,
        }
        // Data sets are far below 4 billion accounts.
        moved.push(i as u32);
    }
    out.moved = moved.len();
    let order = |x: &u32, y: &u32| {
        let (x, y) = (*x as usize, *y as usize);
        change(before_s[y], after_s[y])
            .total_cmp(&change(before_s[x], after_s[x]))
            .then(x.cmp(&y))
    };
    if moved.len() > cap {
        if cap > 0 {
            moved.select_nth_unstable_by(cap - 1, order);
        }
        moved.truncate(cap);
    }
    moved.sort_unstable_by(order);
    out.movers.clear();
    out.movers.extend(moved.iter().map(|&i| {
        let i = i as usize;
        let score = |s: f64| (!s.is_nan()).then_some(s);
        Mover {
            account: i,
            before: before_b[i],
            after: after_b[i],
            score_before: score(before_s[i]),
            score_after: score(after_s[i]),
        }
    }));
}
