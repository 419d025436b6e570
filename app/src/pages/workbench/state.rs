//! The workbench's state: the draft model being edited (with undo/redo and
//! its copy in localStorage), the scoring data and the one [`Panel`] kept in
//! wasm memory, and the compact [`Summary`] the views render after every
//! `Panel::update`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use kizuna_shared::api::scoring_data::ScoringData;
use kizuna_shared::api::{HealthModelVersion, SignalDefinition};
use kizuna_shared::metrics::{
    fit_weights, BacktestReport, BandCounts, CurrencyBands, FitOptions, HealthModel, Mover, Panel,
    PanelOptions, Scorer, Trend,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::charts::workbench::Distribution;

/// Bins of a curve editor's value distribution.
const DIST_BINS: usize = 30;

/// Most undo steps kept.
const MAX_UNDO: usize = 200;

/// The draft as saved on the server (`None` until first saved).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SavedDraft {
    /// Draft id.
    pub id: i64,
    /// Its edit version.
    pub version: i64,
}

/// What localStorage keeps of a draft between reloads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDraft {
    /// The model as last edited.
    pub model: HealthModel,
    /// The server draft it belongs to, if saved.
    pub saved: Option<SavedDraft>,
}

/// One account whose band moved, ready to list.
#[derive(Debug, Clone, PartialEq)]
pub struct MoverRow {
    /// Account id (for the link).
    pub id: i64,
    /// Account name.
    pub name: String,
    /// The account's scores and bands before and after.
    pub mover: Mover,
}

/// What the views show after one `Panel::update` (small: no per-account
/// vectors except the listed movers).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Accounts per band.
    pub counts: BandCounts,
    /// Histogram bins split by band.
    pub histogram: Vec<[u32; 3]>,
    /// Accounts and MRR per band per currency.
    pub mrr: Vec<CurrencyBands>,
    /// Accounts moving up / down against the published model.
    pub up: usize,
    /// Accounts moving to a worse band.
    pub down: usize,
    /// Every account whose band changed.
    pub moved: usize,
    /// The biggest movers.
    pub movers: Vec<MoverRow>,
    /// The back-test.
    pub backtest: BacktestReport,
    /// Each measure's value distribution, in measure order.
    pub distributions: Vec<Distribution>,
    /// Milliseconds the update took (scoring through summary).
    pub millis: f64,
}

/// The suggested weights next to the current ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// Suggested weights, in measure order.
    pub weights: Vec<f64>,
    /// AUC of the current weights.
    pub current_auc: Option<f64>,
    /// AUC of the suggested weights.
    pub suggested_auc: Option<f64>,
}

/// What lives in wasm memory only: the data and the panel.
pub struct Core {
    data: Option<ScoringData>,
    panel: Panel,
    /// Distribution cache: (signal, trend) → distribution of the loaded data.
    dists: Vec<((String, Option<Trend>), Distribution)>,
    values: Vec<f64>,
}

impl Core {
    fn new() -> Self {
        Core {
            data: None,
            // The default options are valid; a failure would be a bug in them.
            panel: Panel::new(PanelOptions::default()).unwrap_or_else(|e| panic!("panel: {e}")),
            dists: Vec::new(),
            values: Vec::new(),
        }
    }
}

/// Everything the workbench's views share (`Copy`: signals and handles).
#[derive(Clone, Copy)]
pub struct Wb {
    /// Whether the user may edit and publish (`Capability::ManageHealth`).
    pub editable: bool,
    /// Signed-in user's id (localStorage key).
    pub user_id: i64,
    /// Signal definitions (labels, direction).
    pub signals: RwSignal<Vec<SignalDefinition>>,
    /// The published model the draft started from.
    pub published: RwSignal<Option<HealthModelVersion>>,
    /// Every model (history, compare).
    pub versions: RwSignal<Vec<HealthModelVersion>>,
    /// The draft being edited.
    pub model: RwSignal<HealthModel>,
    /// The server draft, once saved.
    pub saved: RwSignal<Option<SavedDraft>>,
    undo: RwSignal<Vec<HealthModel>>,
    redo: RwSignal<Vec<HealthModel>>,
    last_edit: StoredValue<Option<String>>,
    /// Back-test as-of date.
    pub as_of: RwSignal<NaiveDate>,
    /// Back-test outcome window in days.
    pub window_days: RwSignal<u32>,
    core: StoredValue<Core, LocalStorage>,
    /// Bumped whenever new data is in memory.
    pub data_gen: RwSignal<u64>,
    /// Whether data is being fetched.
    pub fetching: RwSignal<bool>,
    /// Accounts in the data.
    pub accounts: RwSignal<usize>,
    /// Milliseconds from the start of the last scoring-data fetch to its
    /// columns decoded in memory.
    pub load_ms: RwSignal<Option<f64>>,
    /// Scoring-data fetch failure.
    pub data_error: RwSignal<Option<ApiError>>,
    /// The last update's figures.
    pub summary: RwSignal<Option<Summary>>,
    /// Why the draft cannot be scored (invalid model), if so.
    pub model_error: RwSignal<Option<String>>,
    /// The last weight suggestion.
    pub suggestion: RwSignal<Option<Result<Suggestion, String>>>,
}

impl Wb {
    /// A fresh state (no model loaded yet).
    pub fn new(editable: bool, user_id: i64, today: NaiveDate) -> Self {
        Wb {
            editable,
            user_id,
            signals: RwSignal::new(Vec::new()),
            published: RwSignal::new(None),
            versions: RwSignal::new(Vec::new()),
            model: RwSignal::new(HealthModel {
                measures: Vec::new(),
                cuts: Default::default(),
            }),
            saved: RwSignal::new(None),
            undo: RwSignal::new(Vec::new()),
            redo: RwSignal::new(Vec::new()),
            last_edit: StoredValue::new(None),
            as_of: RwSignal::new(today - chrono::Days::new(90)),
            window_days: RwSignal::new(90),
            core: StoredValue::new_local(Core::new()),
            data_gen: RwSignal::new(0),
            fetching: RwSignal::new(false),
            accounts: RwSignal::new(0),
            load_ms: RwSignal::new(None),
            data_error: RwSignal::new(None),
            summary: RwSignal::new(None),
            model_error: RwSignal::new(None),
            suggestion: RwSignal::new(None),
        }
    }

    /// The localStorage key of this user's draft on `base` (a published
    /// model id).
    pub fn storage_key(&self, base: i64) -> String {
        format!("kizuna.workbench.{}.{base}", self.user_id)
    }

    /// Changes the draft. Consecutive edits of the same control (`key`, e.g.
    /// `weight:2` while a slider is dragged) are one undo step.
    pub fn edit(&self, key: &str, change: impl FnOnce(&mut HealthModel)) {
        if !self.editable {
            return;
        }
        let same = self
            .last_edit
            .with_value(|last| last.as_deref() == Some(key));
        if !same {
            let before = self.model.get_untracked();
            self.undo.update(|u| {
                u.push(before);
                if u.len() > MAX_UNDO {
                    u.remove(0);
                }
            });
            self.redo.set(Vec::new());
            self.last_edit.set_value(Some(key.to_owned()));
        }
        self.model.update(change);
    }

    /// Ends the current undo step (the next edit starts a new one).
    pub fn end_step(&self) {
        self.last_edit.set_value(None);
    }

    /// Whether there is something to undo / redo (tracked).
    pub fn can_undo(&self) -> bool {
        self.editable && self.undo.with(|u| !u.is_empty())
    }

    /// Whether there is something to redo (tracked).
    pub fn can_redo(&self) -> bool {
        self.editable && self.redo.with(|r| !r.is_empty())
    }

    /// Undoes the last edit step.
    pub fn undo(&self) {
        let Some(previous) = self.undo.try_update(Vec::pop).flatten() else {
            return;
        };
        let current = self.model.get_untracked();
        self.redo.update(|r| r.push(current));
        self.last_edit.set_value(None);
        self.model.set(previous);
    }

    /// Redoes the last undone step.
    pub fn redo(&self) {
        let Some(next) = self.redo.try_update(Vec::pop).flatten() else {
            return;
        };
        let current = self.model.get_untracked();
        self.undo.update(|u| u.push(current));
        self.last_edit.set_value(None);
        self.model.set(next);
    }

    /// Starts over from `model` (loading, reloading): no undo history.
    pub fn reset(&self, model: HealthModel) {
        self.undo.set(Vec::new());
        self.redo.set(Vec::new());
        self.last_edit.set_value(None);
        self.model.set(model);
    }

    /// The lags the draft's trend measures need in the data.
    pub fn lags(model: &HealthModel) -> Vec<u32> {
        model
            .measures
            .iter()
            .filter_map(|m| m.trend.map(|t| t.days))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Puts new scoring data in memory and scores it once with the
    /// published model (the movements' reference).
    pub fn load_data(&self, data: ScoringData) {
        let published = self.published.get_untracked();
        let n = data.len();
        self.core.update_value(|c| {
            c.dists.clear();
            c.panel.clear_baseline();
            if let Some(p) = published.as_ref() {
                if let Ok(scorer) = Scorer::new(&p.model) {
                    // Only fails when the data's columns disagree in length,
                    // which the decoder has already ruled out.
                    let _ = c.panel.set_baseline(&scorer, &data.panel_inputs());
                }
            }
            c.data = Some(data);
        });
        self.accounts.set(n);
        self.data_gen.update(|g| *g += 1);
    }

    /// Re-scores the data with the draft: one `Panel::update`, then the
    /// summary the views render.
    pub fn recompute(&self, model: &HealthModel) {
        let started = now();
        let scorer = match Scorer::new(model) {
            Ok(s) => s,
            Err(e) => {
                self.model_error.set(Some(e.to_string()));
                return;
            }
        };
        let summary = self.core.try_update_value(|c| {
            let Core {
                data,
                panel,
                dists,
                values,
            } = c;
            let data = data.as_ref()?;
            let inputs = data.panel_inputs();
            let r = match panel.update(&scorer, &inputs) {
                Ok(r) => r,
                Err(e) => return Some(Err(e.to_string())),
            };
            let ids = data.accounts().ids();
            let (up, down, moved, movers) = match &r.movements {
                Some(m) => (
                    m.up,
                    m.down,
                    m.moved,
                    m.movers
                        .iter()
                        .map(|mv| MoverRow {
                            id: ids.get(mv.account).copied().unwrap_or_default(),
                            name: data.accounts().name(mv.account).to_owned(),
                            mover: *mv,
                        })
                        .collect(),
                ),
                None => (0, 0, 0, Vec::new()),
            };
            let mut summary = Summary {
                counts: r.counts,
                histogram: r.histogram_bands.clone(),
                mrr: r.mrr.clone(),
                up,
                down,
                moved,
                movers,
                backtest: r.backtest.clone(),
                distributions: Vec::with_capacity(model.measures.len()),
                millis: 0.0,
            };
            for (i, m) in model.measures.iter().enumerate() {
                let key = (m.signal.clone(), m.trend);
                let dist = match dists.iter().find(|(k, _)| *k == key) {
                    Some((_, d)) => d.clone(),
                    None => {
                        let d = if scorer.values_into(data.signals(), i, values) {
                            Distribution::of(values, DIST_BINS)
                        } else {
                            Distribution::default()
                        };
                        dists.push((key, d.clone()));
                        d
                    }
                };
                summary.distributions.push(dist);
            }
            Some(Ok(summary))
        });
        match summary.flatten() {
            Some(Ok(mut s)) => {
                s.millis = now() - started;
                self.model_error.set(None);
                self.summary.set(Some(s));
            }
            Some(Err(e)) => self.model_error.set(Some(e)),
            None => {}
        }
    }

    /// Fits weights to the loaded outcomes.
    pub fn suggest(&self) {
        let model = self.model.get_untracked();
        let result = match Scorer::new(&model) {
            Err(e) => Err(e.to_string()),
            Ok(scorer) => self
                .core
                .with_value(|c| {
                    let data = c.data.as_ref()?;
                    Some(
                        fit_weights(
                            &scorer,
                            data.signals(),
                            data.accounts().churned(),
                            &FitOptions::default(),
                        )
                        .map(|s| Suggestion {
                            weights: s.weights,
                            current_auc: s.current_auc,
                            suggested_auc: s.suggested_auc,
                        })
                        .map_err(|e| e.to_string()),
                    )
                })
                .unwrap_or_else(|| Err("no data".to_owned())),
        };
        self.suggestion.set(Some(result));
    }

    /// Applies suggested weights as one undoable step.
    pub fn apply_weights(&self, weights: &[f64]) {
        self.end_step();
        self.edit("suggested-weights", |m| {
            for (measure, w) in m.measures.iter_mut().zip(weights) {
                measure.weight = (w * 10.0).round() / 10.0;
            }
        });
        self.end_step();
    }
}

/// `performance.now()` in milliseconds (0 where there is none).
pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The draft kept in localStorage under `key`, if any and readable.
pub fn stored_draft(key: &str) -> Option<StoredDraft> {
    let text = storage()?.get_item(key).ok()??;
    serde_json::from_str(&text).ok()
}

/// Keeps the draft in localStorage (a full or blocked storage only loses
/// the copy: the draft is still on screen and can be saved).
pub fn store_draft(key: &str, draft: &StoredDraft) {
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(draft)) {
        let _ = s.set_item(key, &text);
    }
}

/// Forgets the stored draft (published, or reloaded from the server).
pub fn forget_draft(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

impl Wb {
    /// A sensible value range for a new measure's curve: the 5th to 95th
    /// percentile of the signal's values in the loaded data (trends: ±50).
    pub fn value_range(&self, signal: &str, trend: Option<Trend>) -> (f64, f64) {
        if trend.is_some() {
            return (-50.0, 50.0);
        }
        self.core
            .with_value(|c| {
                let column = c.data.as_ref()?.signals().column(signal)?;
                let mut v: Vec<f64> = (0..column.len())
                    .filter_map(|i| column.get(i))
                    .filter(|v| v.is_finite())
                    .collect();
                if v.is_empty() {
                    return None;
                }
                v.sort_unstable_by(f64::total_cmp);
                let at = |q: f64| {
                    #[expect(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        clippy::cast_precision_loss,
                        reason = "an index into v"
                    )]
                    let i = ((v.len() - 1) as f64 * q).round() as usize;
                    v[i]
                };
                let (lo, hi) = (at(0.05), at(0.95));
                Some(if hi > lo { (lo, hi) } else { (lo, lo + 1.0) })
            })
            .unwrap_or((0.0, 100.0))
    }
}
