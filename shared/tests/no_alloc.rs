//! A slider move allocates nothing: after the first updates have sized the
//! buffers, `Panel::update` (re-score, bands, histograms, MRR per currency,
//! movements, back-test) runs without a single heap allocation. Counted by a
//! wrapping global allocator, so this test is a binary of its own.
#![cfg(not(target_arch = "wasm32"))]
// The one `unsafe` here is the `GlobalAlloc` impl the counting needs; it
// forwards every call to the system allocator unchanged.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "../benches/support/synth.rs"]
#[allow(dead_code)]
mod synth;

use kizuna_shared::metrics::{Panel, PanelOptions, Scorer};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn slider_moves_allocate_nothing() {
    let data = synth::scoring_data(20_000, 5);
    let inputs = data.panel_inputs();
    for model in [synth::model(), synth::trend_model()] {
        let published = Scorer::new(&model).expect("valid");
        let mut draft = published.clone();
        let mut panel = Panel::new(PanelOptions::default()).expect("options");
        panel.set_baseline(&published, &inputs).expect("baseline");
        let w0 = draft.weights()[0];
        let mut moves = 0..;
        let mut slide = |draft: &mut Scorer, panel: &mut Panel| {
            let i = moves.next().unwrap_or(0);
            draft
                .set_bands(((30 + i % 20) as f64, 70.0).into())
                .expect("cut-offs");
            draft
                .set_weight(0, w0 * (0.2 + f64::from(i % 30) / 10.0))
                .expect("weight");
            panel.update(draft, &inputs).expect("update");
        };
        // Warm-up: buffers grow to their final size (the movers list
        // alternates between two buffers).
        for _ in 0..3 {
            slide(&mut draft, &mut panel);
        }
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        for _ in 0..20 {
            slide(&mut draft, &mut panel);
        }
        let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
        assert_eq!(during, 0, "{during} allocations in 20 slider moves");
        assert!(panel
            .result()
            .movements
            .as_ref()
            .is_some_and(|m| m.moved > 0));
    }
}
