//! Criterion benchmarks of the metrics hot paths on 100,000 synthetic
//! accounts × 8 measures: scoring (+ bands + 50-bin histogram), AUC, the
//! back-test, the workbench's whole per-slider-move update, the weight fit,
//! and the scoring-data encoding (whose raw and brotli sizes are printed
//! first). Run with `cargo bench -p kizuna-shared --bench metrics`.

// Criterion does not build for wasm32; there the bench is an empty binary
// (the browser figures come from `tests/wasm_bench.rs`).
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
#[path = "support/synth.rs"]
#[allow(dead_code)]
mod synth;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use criterion::{criterion_group, Criterion};
    use kizuna_shared::api::scoring_data::{decode, encode};
    use kizuna_shared::metrics::{
        auc, fit_weights, BacktestOptions, BacktestReport, Backtester, FitOptions, Histogram,
        Panel, PanelOptions, Scorer,
    };
    use std::hint::black_box;
    use std::io::Write;

    use super::synth;

    const N: usize = 100_000;

    fn brotli(bytes: &[u8], quality: u32) -> usize {
        let mut out = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, quality, 22);
            w.write_all(bytes).expect("in memory");
        }
        out.len()
    }

    /// Sizes of the scoring data at 100,000 accounts, against the same
    /// accounts as JSON objects.
    fn report_sizes() {
        let data = synth::scoring_data(N, 42);
        let bytes = encode(&data);
        let a = data.accounts();
        let t = data.signals();
        let json: Vec<serde_json::Value> = (0..data.len())
            .map(|i| {
                let mut o = serde_json::json!({
                    "id": a.ids()[i], "name": a.name(i),
                    "owner_id": a.owner(i).map(|o| o.id),
                    "tier": a.tiers()[i], "mrr_minor": a.mrr_minor()[i],
                    "currency": a.currencies()[i], "churned": a.churned()[i],
                });
                for (k, c) in t.columns() {
                    o[k] = c.get(i).into();
                }
                for (k, d, c) in t.lagged_columns() {
                    o[format!("{k}@{d}")] = c.get(i).into();
                }
                o
            })
            .collect();
        let json = serde_json::to_vec(&json).expect("json");
        let signals = t.columns().count() + t.lagged_columns().count();
        println!(
            "scoring data, {N} accounts x {signals} signal columns: binary {} B raw, {} B brotli q3 (the server's Compress), {} B brotli q11; the same as JSON objects {} B raw, {} B brotli q3",
            bytes.len(),
            brotli(&bytes, 3),
            brotli(&bytes, 11),
            json.len(),
            brotli(&json, 3),
        );
    }

    fn benches(c: &mut Criterion) {
        report_sizes();
        let table = synth::table(N, 42);
        let scorer = Scorer::new(&synth::model()).expect("valid model");
        let mut scores = Vec::new();
        let mut bands = Vec::new();
        let mut hist = Histogram::percent(50).expect("50 bins");

        c.bench_function("score+bands+hist50 100k x 8", |b| {
            b.iter(|| {
                black_box(scorer.score_with_histogram_into(
                    black_box(&table),
                    &mut scores,
                    &mut bands,
                    &mut hist,
                ))
            })
        });

        let table32 = synth::table_f32(N, 42);
        let (mut s32, mut b32) = (Vec::new(), Vec::new());
        c.bench_function("score+bands+hist50 100k x 8 (f32 columns)", |b| {
            b.iter(|| {
                black_box(scorer.score_with_histogram_into(
                    black_box(&table32),
                    &mut s32,
                    &mut b32,
                    &mut hist,
                ))
            })
        });

        // Scored here too: the benches above may be filtered out.
        let (scores, _) = scorer.score(&table);
        let churned = synth::churned(&scores, 7);
        c.bench_function("auc 100k", |b| {
            b.iter(|| black_box(auc(black_box(&scores), black_box(&churned))))
        });

        let mut bt = Backtester::new();
        let mut report = BacktestReport::default();
        let opts = BacktestOptions {
            roc_points: Some(200),
            ..BacktestOptions::default()
        };
        c.bench_function("backtest 100k (reused buffers, 200 ROC points)", |b| {
            b.iter(|| {
                bt.run_into(
                    black_box(&scores),
                    &churned,
                    scorer.bands(),
                    &opts,
                    &mut report,
                )
            })
        });

        let data = synth::scoring_data(N, 42);
        let inputs = data.panel_inputs();
        for (label, model) in [
            ("8 measures", synth::model()),
            ("10 measures, 2 trends", synth::trend_model()),
        ] {
            let published = Scorer::new(&model).expect("valid model");
            let mut draft = published.clone();
            let mut panel = Panel::new(PanelOptions::default()).expect("options");
            panel.set_baseline(&published, &inputs).expect("baseline");
            let w0 = draft.weights()[0];
            let mut i = 0usize;
            c.bench_function(&format!("panel update 100k x {label}"), |b| {
                b.iter(|| {
                    i += 1;
                    let w = w0 * (0.5 + (i % 40) as f64 / 40.0);
                    draft.set_weight(0, w).expect("weight");
                    black_box(panel.update(&draft, &inputs).expect("update").counts)
                })
            });
        }

        let bytes = encode(&data);
        c.bench_function("scoring-data encode 100k", |b| {
            b.iter(|| black_box(encode(black_box(&data))))
        });
        c.bench_function("scoring-data decode 100k", |b| {
            b.iter(|| black_box(decode(black_box(&bytes)).expect("decodes")))
        });

        let mut g = c.benchmark_group("fit");
        g.sample_size(10);
        g.bench_function("fit_weights 100k x 8", |b| {
            b.iter(|| {
                black_box(fit_weights(
                    &scorer,
                    black_box(&table),
                    &churned,
                    &FitOptions::default(),
                ))
            })
        });
        g.finish();
    }

    criterion_group!(metrics, benches);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::metrics);
