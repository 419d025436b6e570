//! Browser tests of the locale formatting, which goes through `Intl` and so
//! only means something inside a real browser.
#![cfg(target_arch = "wasm32")]

use chrono::NaiveDate;
use kizuna_app::format::{count, date, locale_from_tag, money};
use kizuna_app::i18n::Locale;
use kizuna_shared::domain::Currency;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn yen_in_japanese_has_the_fullwidth_sign_and_no_decimals() {
    assert_eq!(money(520_000, Currency::Jpy, Locale::ja), "￥520,000");
}

#[wasm_bindgen_test]
fn dollars_in_english_show_cents() {
    assert_eq!(money(7_985, Currency::Usd, Locale::en), "$79.85");
    assert_eq!(money(-5, Currency::Usd, Locale::en), "-$0.05");
}

#[wasm_bindgen_test]
fn yen_in_english_still_has_no_decimals() {
    assert_eq!(money(1_234_567, Currency::Jpy, Locale::en), "¥1,234,567");
}

#[wasm_bindgen_test]
fn counts_are_grouped_per_locale() {
    assert_eq!(count(10_000, Locale::en), "10,000");
    assert_eq!(count(10_000, Locale::ja), "10,000");
}

#[wasm_bindgen_test]
fn dates_follow_the_locale() {
    let d = NaiveDate::from_ymd_opt(2025, 4, 1).expect("valid date");
    assert_eq!(date(d, Locale::en), "2025-04-01");
    assert_eq!(date(d, Locale::ja), "2025/04/01");
}

#[wasm_bindgen_test]
fn language_tags_map_to_ui_locales() {
    assert_eq!(locale_from_tag("ja-JP"), Some(Locale::ja));
    assert_eq!(locale_from_tag("en"), Some(Locale::en));
    assert_eq!(locale_from_tag("fr-FR"), None);
}
