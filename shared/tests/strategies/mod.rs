//! Proptest strategies shared by the property tests (`props.rs`,
//! `props_workbench.rs`).

use kizuna_shared::metrics::Curve;
use proptest::prelude::*;

/// A curve with 1–6 points, strictly increasing x, y in 0–100.
pub fn curve() -> impl Strategy<Value = Curve> + Clone {
    (
        prop::collection::vec((0.1f64..50.0, 0.0f64..=100.0), 1..=6),
        -50.0f64..50.0,
        any::<bool>(),
    )
        .prop_map(|(steps, x0, linear)| {
            let mut x = x0;
            let pts = steps
                .into_iter()
                .map(|(dx, y)| {
                    x += dx;
                    (x, y.round())
                })
                .collect();
            if linear {
                Curve::Linear(pts)
            } else {
                Curve::Steps(pts)
            }
        })
}
