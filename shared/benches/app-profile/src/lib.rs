//! Size probe: one exported function that reaches everything the workbench
//! page will call in `kizuna-shared` (scoring-data decode, scorer with
//! trends, live panel, weight fit, explanation), so the size of this wasm
//! minus an empty one is what the workbench core adds to the app.

#[cfg(not(feature = "empty"))]
use kizuna_shared::api::scoring_data::decode;
#[cfg(not(feature = "empty"))]
use kizuna_shared::metrics::{fit_weights, FitOptions, HealthModel, Panel, PanelOptions, Scorer};
use wasm_bindgen::prelude::wasm_bindgen;

/// Decodes scoring data, scores it with a model given as JSON, updates a
/// panel against the same model, fits weights and explains account 0.
#[cfg(not(feature = "empty"))]
#[wasm_bindgen]
pub fn workbench_probe(bytes: &[u8], model_json: &str) -> String {
    let Ok(data) = decode(bytes) else {
        return "bad data".into();
    };
    let Ok(model) = serde_json::from_str::<HealthModel>(model_json) else {
        return "bad model".into();
    };
    let Ok(scorer) = Scorer::new(&model) else {
        return "invalid model".into();
    };
    let inputs = data.panel_inputs();
    let Ok(mut panel) = Panel::new(PanelOptions::default()) else {
        return "options".into();
    };
    if panel.set_baseline(&scorer, &inputs).is_err() {
        return "baseline".into();
    }
    let auc = panel
        .update(&scorer, &inputs)
        .map(|r| r.backtest.auc)
        .unwrap_or_default();
    let fit = fit_weights(
        &scorer,
        data.signals(),
        data.accounts().churned(),
        &FitOptions::default(),
    );
    let why = scorer.explain(data.signals(), 0);
    format!(
        "{auc:?} {:?} {:?}",
        fit.map(|f| f.weights),
        why.map(|e| e.score)
    )
}

/// The `empty` baseline: same signature, no call into the workbench code,
/// but the runtime any app has anyway (JSON parsing, formatting, vectors,
/// dates), so that the difference is what the workbench core adds.
#[cfg(feature = "empty")]
#[wasm_bindgen]
pub fn workbench_probe(bytes: &[u8], model_json: &str) -> String {
    let v: Result<serde_json::Value, _> = serde_json::from_str(model_json);
    let day = kizuna_shared::domain::Currency::ALL.len() as u32 + bytes.len() as u32 % 28;
    let date = chrono::NaiveDate::from_ymd_opt(2025, 1, day.max(1));
    let mut sorted: Vec<f64> = bytes.iter().map(|&b| f64::from(b)).collect();
    sorted.sort_by(f64::total_cmp);
    format!("{v:?} {date:?} {:?}", sorted.first())
}
