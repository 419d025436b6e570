//! Browser tests of the health pieces outside the workbench that are logic,
//! not markup: the breakdown's order (biggest drag first, skipped measures
//! last), the key suggested for an unknown column, and the import wizard's
//! reading of a signals file's layout and what a wide file still needs.
#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kizuna_app::components::signal_form::suggest_key;
use kizuna_app::import_file::Layout;
use kizuna_app::pages::account_detail::{by_drag, points_lost};
use kizuna_shared::api::ImportKind;
use kizuna_shared::metrics::{Contribution, Explanation};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn measure(signal: &str, points: Option<f64>, share: f64) -> Contribution {
    Contribution {
        signal: signal.into(),
        trend: None,
        value: points.map(|_| 1.0),
        points,
        weight: share * 100.0,
        share,
        contribution: points.map_or(0.0, |p| p * share),
    }
}

#[wasm_bindgen_test]
fn the_biggest_drag_comes_first_and_skipped_measures_last() {
    // Lost: a 0.5 × 60 = 30, b 0.3 × 100 = 30 (tie keeps model order),
    // c 0.2 × 10 = 2; d skipped.
    let e = Explanation {
        score: Some(0.5 * 40.0 + 0.2 * 90.0),
        band: None,
        measures: vec![
            measure("c", Some(90.0), 0.2),
            measure("d", None, 0.0),
            measure("a", Some(40.0), 0.5),
            measure("b", Some(0.0), 0.3),
        ],
    };
    let order: Vec<&str> = by_drag(&e).iter().map(|c| c.signal.as_str()).collect();
    assert_eq!(order, ["a", "b", "c", "d"]);
    assert_eq!(points_lost(&e.measures[2]), Some(30.0));
    assert_eq!(points_lost(&e.measures[1]), None);
}

#[wasm_bindgen_test]
fn a_column_header_suggests_a_valid_signal_key() {
    assert_eq!(suggest_key("Seats Used"), "seats_used");
    assert_eq!(suggest_key("seats_used"), "seats_used");
    assert_eq!(suggest_key(" 2024 NPS (score) "), "nps_score");
    assert_eq!(suggest_key("サポート満足度"), "");
    assert!(suggest_key(&"x".repeat(100)).len() <= 64);
}

#[wasm_bindgen_test]
fn a_signals_file_without_signal_and_value_columns_is_wide() {
    let map = |cols: &[&str]| -> BTreeMap<String, String> {
        cols.iter()
            .map(|c| ((*c).to_owned(), (*c).to_owned()))
            .collect()
    };
    let long = map(&["external_id", "signal", "date", "value"]);
    let wide = map(&["external_id", "date"]);
    assert_eq!(Layout::detect(ImportKind::Signals, &long), Layout::Long);
    assert_eq!(Layout::detect(ImportKind::Signals, &wide), Layout::Wide);
    assert_eq!(Layout::detect(ImportKind::Accounts, &wide), Layout::Long);
    // A wide file needs the account and a date: a column or one for the file.
    let no_date = map(&["external_id"]);
    assert_eq!(
        Layout::Wide.missing(ImportKind::Signals, &no_date, None, None),
        ["date"]
    );
    let day = NaiveDate::from_ymd_opt(2025, 6, 30);
    assert!(Layout::Wide
        .missing(ImportKind::Signals, &no_date, None, day)
        .is_empty());
    assert_eq!(
        Layout::Long.missing(ImportKind::Signals, &wide, None, day),
        ["signal", "value"]
    );
}
