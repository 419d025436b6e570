//! The UI's texts: the i18n module leptos_i18n generates from
//! `app/locales/{en,ja}.json` at build time (`app/build.rs`), re-exported
//! here (`Locale`, `use_i18n`, `t!`, `t_string!`, `td_string!`, …), and
//! [`tr!`] / [`tr_signal!`] for texts without values.

// The generated code is one `pub mod i18n { … }`, re-exported whole below
// so every module keeps writing `use crate::i18n::*`.
#![expect(
    clippy::module_inception,
    reason = "the generated module is named i18n"
)]

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub use self::i18n::*;

use leptos::prelude::Signal;

/// `t!` for a text without interpolations: the same reactive text, but one
/// closure type for every key instead of one per call site, so the wasm holds
/// one copy of Leptos' render code for all of them (about 600 call sites;
/// BENCHMARKS.md, "SPA bundle"). Texts with values keep `t!`.
macro_rules! tr {
    ($i18n:expr, $($key:tt)+) => {
        $crate::i18n::text($i18n, |i18n| $crate::i18n::t_string!(i18n, $($key)+))
    };
}

/// [`tr!`] as a `Signal<String>` (labels passed to components), again one
/// closure type for every key.
macro_rules! tr_signal {
    ($i18n:expr, $($key:tt)+) => {
        $crate::i18n::text_signal($i18n, |i18n| $crate::i18n::t_string!(i18n, $($key)+))
    };
}

/// The view of a translated text for [`tr!`]: a reactive `&'static str`
/// (it follows the locale), always of this one closure type.
pub fn text(
    i18n: leptos_i18n::I18nContext<Locale>,
    key: fn(leptos_i18n::I18nContext<Locale>) -> &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    move || key(i18n)
}

/// The `Signal<String>` of a translated text for [`tr_signal!`].
pub fn text_signal(
    i18n: leptos_i18n::I18nContext<Locale>,
    key: fn(leptos_i18n::I18nContext<Locale>) -> &'static str,
) -> Signal<String> {
    Signal::derive(move || key(i18n).to_string())
}
