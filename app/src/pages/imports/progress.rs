//! The progress bar of a running import.

use crate::i18n::*;
use kizuna_shared::api::{ImportPhase, ImportProgress};
use leptos::prelude::*;

/// Progress of a running import: a determinate bar when the server reports
/// counts, an indeterminate one otherwise.
#[component]
pub fn ProgressBar(progress: RwSignal<Option<ImportProgress>>) -> impl IntoView {
    let i18n = use_i18n();
    let phase = move || {
        progress.get().map_or_else(
            || t_string!(i18n, phase_working).to_string(),
            |p| match p.phase {
                ImportPhase::Reading => t_string!(i18n, phase_reading).to_string(),
                ImportPhase::Checking => t_string!(i18n, phase_checking).to_string(),
                ImportPhase::Writing => t_string!(i18n, phase_writing).to_string(),
                ImportPhase::Done => t_string!(i18n, phase_done).to_string(),
            },
        )
    };
    view! {
        <div class="progress" data-testid="import-progress">
            <label for="import-progress-bar">{phase}</label>
            {move || match progress.get() {
                Some(p) if p.total > 0 => {
                    #[expect(clippy::cast_precision_loss, reason = "a progress bar")]
                    let (value, max) = (p.done as f64, p.total as f64);
                    view! { <progress id="import-progress-bar" max=max value=value></progress>
                        <span class="small muted">{format!("{} / {}", p.done, p.total)}</span> }.into_any()
                }
                _ => view! { <progress id="import-progress-bar"></progress> }.into_any(),
            }}
        </div>
    }
}
