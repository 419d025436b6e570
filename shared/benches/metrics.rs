//! Criterion benchmarks of the metrics hot paths on 100,000 synthetic
//! accounts × 8 measures: scoring (+ bands + 50-bin histogram), AUC and the
//! weight fit. Run with `cargo bench -p kizuna-shared --bench metrics`.

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
    use kizuna_shared::metrics::{auc, fit_weights, FitOptions, Histogram, Scorer};
    use std::hint::black_box;

    use super::synth;

    const N: usize = 100_000;

    fn benches(c: &mut Criterion) {
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

        let churned = synth::churned(&scores, 7);
        c.bench_function("auc 100k", |b| {
            b.iter(|| black_box(auc(black_box(&scores), black_box(&churned))))
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
