//! Locale-aware formatting through the browser's `Intl` (no bundled ICU data),
//! and the small bits of document state the i18n layer needs. Every number,
//! date, month, period and timestamp the UI shows goes through here (the
//! tidy test `xtask/tests/tidy_app.rs` refuses dates formatted elsewhere).

use crate::i18n::Locale;
use chrono::{DateTime, NaiveDate, Utc};
use kizuna_shared::api::{PeriodKind, PeriodSpan};
use kizuna_shared::domain::Currency;
use kizuna_shared::metrics::Month;
use wasm_bindgen::{JsCast, JsValue};

/// The `lang` attribute the server wrote into `<html>`.
pub fn html_lang() -> Option<String> {
    web_sys::window()?
        .document()?
        .document_element()?
        .get_attribute("lang")
}

/// The UI locale for a BCP 47 tag (`ja-JP` → Japanese).
pub fn locale_from_tag(tag: &str) -> Option<Locale> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    match primary.as_str() {
        "ja" => Some(Locale::ja),
        "en" => Some(Locale::en),
        _ => None,
    }
}

/// The BCP 47 tag used for `Intl` formatting in a locale.
pub fn intl_tag(locale: Locale) -> &'static str {
    match locale {
        Locale::en => "en-US",
        Locale::ja => "ja-JP",
    }
}

/// Remembers the chosen language in the `kizuna_lang` cookie, so the server
/// serves the next page load with the right `<html lang>`.
pub fn remember_language(locale: Locale) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(html_document) = document.dyn_into::<web_sys::HtmlDocument>() {
        let value = format!(
            "kizuna_lang={}; path=/; max-age=31536000; samesite=lax",
            match locale {
                Locale::en => "en",
                Locale::ja => "ja",
            }
        );
        // Failing to store a preference is harmless: the page keeps working.
        let _ = html_document.set_cookie(&value);
    }
}

/// Formats minor units of `currency` as money for `locale`
/// (`520000 JPY` in Japanese → `￥520,000`; `7985 USD` in English → `$79.85`).
pub fn money(amount_minor: i64, currency: Currency, locale: Locale) -> String {
    let digits = currency.minor_digits();
    // Display only: the amount is exact in minor units everywhere else.
    #[expect(clippy::cast_precision_loss, reason = "display of an MRR figure")]
    let major = amount_minor as f64 / 10_f64.powi(digits as i32);
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &value);
    };
    set("style", JsValue::from_str("currency"));
    set("currency", JsValue::from_str(currency.as_str()));
    set(
        "maximumFractionDigits",
        JsValue::from_f64(f64::from(digits)),
    );
    let locales = js_sys::Array::of1(&JsValue::from_str(intl_tag(locale)));
    let format = js_sys::Intl::NumberFormat::new(&locales, &options).format();
    format
        .call1(&JsValue::NULL, &JsValue::from_f64(major))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| kizuna_shared::domain::format_major(amount_minor, currency))
}

/// Formats a count with the locale's digit grouping.
pub fn count(n: u64, locale: Locale) -> String {
    let locales = js_sys::Array::of1(&JsValue::from_str(intl_tag(locale)));
    let format = js_sys::Intl::NumberFormat::new(&locales, &js_sys::Object::new()).format();
    #[expect(clippy::cast_precision_loss, reason = "display of a count")]
    let value = JsValue::from_f64(n as f64);
    format
        .call1(&JsValue::NULL, &value)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| n.to_string())
}

/// A number without a pointless `.0`.
pub fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}").trim_end_matches('0').to_owned()
    }
}

/// Formats a calendar date the way the locale writes it
/// (`2025-04-01` in English, `2025/04/01` in Japanese).
pub fn date(d: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::en => d.format("%Y-%m-%d").to_string(),
        Locale::ja => d.format("%Y/%m/%d").to_string(),
    }
}

/// A month as the locale writes it (`Apr 2025`, `2025年4月`).
pub fn month(m: Month, locale: Locale) -> String {
    match locale {
        Locale::en => m.first_day().format("%b %Y").to_string(),
        Locale::ja => format!("{}年{}月", m.year(), m.month()),
    }
}

/// The month of a date as the locale writes it ([`month`]).
pub fn month_of(d: NaiveDate, locale: Locale) -> String {
    month(Month::of(d), locale)
}

/// A period as the locale writes it: a month, a quarter (`Q2 2025`,
/// `2025年 第2四半期`), a year, or a range of months.
pub fn period(p: PeriodSpan, kind: PeriodKind, locale: Locale) -> String {
    let (first, last) = (p.first_month, p.last_month);
    let quarter = (first.month() - 1) / 3 + 1;
    match (kind, locale) {
        _ if p.months != kind.months() => {
            format!("{} – {}", month(first, locale), month(last, locale))
        }
        (PeriodKind::Month, _) => month(first, locale),
        (PeriodKind::Quarter, Locale::en) => format!("Q{quarter} {}", first.year()),
        (PeriodKind::Quarter, Locale::ja) => format!("{}年 第{quarter}四半期", first.year()),
        (PeriodKind::Year, Locale::en) => first.year().to_string(),
        (PeriodKind::Year, Locale::ja) => format!("{}年", first.year()),
    }
}

/// Formats `value` with `Intl.NumberFormat` and `options` for `locale`.
fn intl(locale: Locale, options: &[(&str, JsValue)], value: f64) -> Option<String> {
    let object = js_sys::Object::new();
    for (key, v) in options {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), v);
    }
    let locales = js_sys::Array::of1(&JsValue::from_str(intl_tag(locale)));
    js_sys::Intl::NumberFormat::new(&locales, &object)
        .format()
        .call1(&JsValue::NULL, &JsValue::from_f64(value))
        .ok()
        .and_then(|v| v.as_string())
}

/// A percentage with one decimal (`95.9` → `95.9%`).
pub fn percent(value: f64, locale: Locale) -> String {
    let one = JsValue::from_f64(1.0);
    intl(
        locale,
        &[
            ("style", JsValue::from_str("percent")),
            ("minimumFractionDigits", one.clone()),
            ("maximumFractionDigits", one),
        ],
        value / 100.0,
    )
    .unwrap_or_else(|| format!("{value:.1}%"))
}

/// A signed number with one decimal (`+12.5`, `−3.0`, `0.0`): an NPS, or a
/// change in points or days.
pub fn score(value: f64, locale: Locale) -> String {
    let one = JsValue::from_f64(1.0);
    intl(
        locale,
        &[
            ("signDisplay", JsValue::from_str("exceptZero")),
            ("minimumFractionDigits", one.clone()),
            ("maximumFractionDigits", one),
        ],
        value,
    )
    .unwrap_or_else(|| format!("{value:+.1}"))
}

/// A change in percentage points, always signed (`+2.3 pt`, `−1.0ポイント`).
pub fn points(delta: f64, locale: Locale) -> String {
    let number = score(delta, locale);
    match locale {
        Locale::en => format!("{number} pt"),
        Locale::ja => format!("{number}ポイント"),
    }
}

/// Money with its sign always shown (`+¥20,000`), for changes.
pub fn signed_money(amount_minor: i64, currency: Currency, locale: Locale) -> String {
    let text = money(amount_minor.abs(), currency, locale);
    match amount_minor.signum() {
        1 => format!("+{text}"),
        -1 => format!("−{text}"),
        _ => text,
    }
}

/// Money in the locale's compact notation for chart axes (`¥730K`,
/// `￥73万`).
pub fn money_short(amount_minor: i64, currency: Currency, locale: Locale) -> String {
    #[expect(clippy::cast_precision_loss, reason = "display of an axis label")]
    let major = amount_minor as f64 / 10_f64.powi(currency.minor_digits() as i32);
    intl(
        locale,
        &[
            ("style", JsValue::from_str("currency")),
            ("currency", JsValue::from_str(currency.as_str())),
            ("notation", JsValue::from_str("compact")),
            ("maximumFractionDigits", JsValue::from_f64(1.0)),
        ],
        major,
    )
    .unwrap_or_else(|| money(amount_minor, currency, locale))
}

/// Formats a UTC instant in the user's time zone (the browser's, as `Intl`
/// resolves it): a team in Tokyo reads `2025/04/01 00:30 JST` for
/// `2025-03-31T15:30:00Z`. Every timestamp the UI shows goes through this.
pub fn datetime(at: DateTime<Utc>, locale: Locale) -> String {
    datetime_in(at, locale, None)
}

/// [`datetime`] in the IANA time zone `zone` (`Asia/Tokyo`), or the user's
/// when `None`. The date is written the way [`date`] writes it, then the
/// 24-hour time and the zone's short name in the locale's words.
pub fn datetime_in(at: DateTime<Utc>, locale: Locale, zone: Option<&str>) -> String {
    let options = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &JsValue::from_str(value));
    };
    set("year", "numeric");
    set("month", "2-digit");
    set("day", "2-digit");
    set("hour", "2-digit");
    set("minute", "2-digit");
    set("hourCycle", "h23");
    set("timeZoneName", "short");
    if let Some(zone) = zone {
        set("timeZone", zone);
    }
    let locales = js_sys::Array::of1(&JsValue::from_str(intl_tag(locale)));
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
    // Milliseconds since the epoch fit an f64 exactly for any real date.
    #[expect(clippy::cast_precision_loss, reason = "epoch milliseconds")]
    let instant = js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64));
    let parts = format.format_to_parts(&instant);
    let part = |wanted: &str| {
        parts.iter().find_map(|p| {
            let kind = js_sys::Reflect::get(&p, &JsValue::from_str("type")).ok()?;
            if kind.as_string()? != wanted {
                return None;
            }
            js_sys::Reflect::get(&p, &JsValue::from_str("value"))
                .ok()?
                .as_string()
        })
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute)) = (
        part("year"),
        part("month"),
        part("day"),
        part("hour"),
        part("minute"),
    ) else {
        return at.format("%Y-%m-%d %H:%M UTC").to_string();
    };
    let separator = match locale {
        Locale::en => '-',
        Locale::ja => '/',
    };
    let zone_name = part("timeZoneName").unwrap_or_default();
    format!("{year}{separator}{month}{separator}{day} {hour}:{minute} {zone_name}")
        .trim_end()
        .to_owned()
}

/// A UTC instant in the browser's local time as `2025-04-01 09:30`, the
/// same in both languages and without the zone's name: the form a sheet
/// item's history shows (every other timestamp goes through [`datetime`]).
pub fn local_minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn periods_read_naturally_in_both_languages() {
        let q = PeriodSpan {
            first_month: m("2025-04"),
            last_month: m("2025-06"),
            months: 3,
        };
        assert_eq!(period(q, PeriodKind::Quarter, Locale::en), "Q2 2025");
        assert_eq!(
            period(q, PeriodKind::Quarter, Locale::ja),
            "2025年 第2四半期"
        );
        assert_eq!(
            period(q, PeriodKind::Month, Locale::ja),
            "2025年4月 – 2025年6月"
        );
        let y = PeriodSpan {
            first_month: m("2025-01"),
            last_month: m("2025-12"),
            months: 12,
        };
        assert_eq!(period(y, PeriodKind::Year, Locale::ja), "2025年");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn months_read_naturally_in_both_languages() {
        assert_eq!(month(m("2025-04"), Locale::en), "Apr 2025");
        assert_eq!(month(m("2025-04"), Locale::ja), "2025年4月");
        let day = NaiveDate::from_ymd_opt(2025, 11, 30).unwrap();
        assert_eq!(month_of(day, Locale::ja), "2025年11月");
    }
}
