//! Browser tests of the locale formatting, which goes through `Intl` and so
//! only means something inside a real browser.
#![cfg(target_arch = "wasm32")]

use chrono::{NaiveDate, TimeZone, Utc};
use kizuna_app::format::{count, date, datetime, datetime_in, locale_from_tag, money};
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

#[wasm_bindgen_test]
fn a_utc_instant_is_the_next_day_in_tokyo_when_it_should_be() {
    // 15:30 UTC on 31 March is half past midnight on 1 April in Tokyo.
    let at = Utc.with_ymd_and_hms(2025, 3, 31, 15, 30, 0).unwrap();
    assert_eq!(
        datetime_in(at, Locale::ja, Some("Asia/Tokyo")),
        "2025/04/01 00:30 JST"
    );
    assert_eq!(
        datetime_in(at, Locale::en, Some("Asia/Tokyo")),
        "2025-04-01 00:30 GMT+9"
    );
    assert_eq!(
        datetime_in(at, Locale::en, Some("UTC")),
        "2025-03-31 15:30 UTC"
    );
    // A minute before 15:00 UTC it is still the same day there.
    let before = Utc.with_ymd_and_hms(2025, 3, 31, 14, 59, 0).unwrap();
    assert_eq!(
        datetime_in(before, Locale::ja, Some("Asia/Tokyo")),
        "2025/03/31 23:59 JST"
    );
}

#[wasm_bindgen_test]
fn summer_time_is_followed() {
    let winter = Utc.with_ymd_and_hms(2025, 1, 15, 12, 0, 0).unwrap();
    let summer = Utc.with_ymd_and_hms(2025, 7, 15, 12, 0, 0).unwrap();
    let ny = Some("America/New_York");
    assert_eq!(datetime_in(winter, Locale::en, ny), "2025-01-15 07:00 EST");
    assert_eq!(datetime_in(summer, Locale::en, ny), "2025-07-15 08:00 EDT");
}

#[wasm_bindgen_test]
fn without_a_zone_the_browsers_own_is_used() {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    let zone = js_sys::Reflect::get(&options, &"timeZone".into())
        .unwrap()
        .as_string()
        .unwrap();
    let at = Utc.with_ymd_and_hms(2025, 3, 31, 15, 30, 0).unwrap();
    assert_eq!(
        datetime(at, Locale::ja),
        datetime_in(at, Locale::ja, Some(&zone))
    );
}
