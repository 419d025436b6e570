//! A progress bar with its count in words.

use leptos::prelude::*;

/// A progress bar with its count in words (never the bar alone).
#[component]
pub fn Progress(done: u32, total: u32, label: String) -> impl IntoView {
    view! {
        <span class="progress-line">
            <progress max=total.max(1) value=done aria-label=label.clone()></progress>
            <span class="small">{format!("{done}/{total}")}</span>
        </span>
    }
}
