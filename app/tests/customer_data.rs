//! Browser tests of the customer-data logic that is not just markup: the
//! MRR chart's data preparation, drawing and mouse → month mapping, the
//! import wizard's rules (required columns, a currency for the whole file,
//! column names in the user's language, templates), and the account form's
//! conversion of typed text into the API body.
#![cfg(target_arch = "wasm32")]

use chrono::NaiveDate;
use kizuna_app::charts::{draw_mrr, MrrSeries, PlotArea};
use kizuna_app::components::labels::import_column_label;
use kizuna_app::format::trim_number;
use kizuna_app::i18n::Locale;
use kizuna_app::import_file::{missing_required, needs_file_currency, template_csv};
use kizuna_app::pages::account_detail::{mailto_href, sparkline};
use kizuna_app::pages::account_form::AccountDraft;
use kizuna_shared::api::{ImportKind, MrrEntry};
use kizuna_shared::domain::{AccountStatus, Currency};
use plotters::prelude::*;
use std::collections::BTreeMap;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn entry(month: (i32, u32), product: &str, amount: i64) -> MrrEntry {
    MrrEntry {
        month: NaiveDate::from_ymd_opt(month.0, month.1, 1).unwrap(),
        product: product.into(),
        amount_minor: amount,
        currency: Currency::Jpy,
    }
}

#[wasm_bindgen_test]
fn mrr_entries_are_grouped_by_month_with_core_first() {
    let s = MrrSeries::from_entries(&[
        entry((2025, 5), "addon", 20_000),
        entry((2025, 4), "core", 500_000),
        entry((2025, 5), "core", 520_000),
    ]);
    assert_eq!(s.months.len(), 2);
    assert_eq!(s.products, ["core", "addon"]);
    assert_eq!(s.amounts, [vec![500_000, 0], vec![520_000, 20_000]]);
    assert_eq!(s.total(1), 540_000);
    assert_eq!(s.max_total(), 540_000);
    assert_eq!(s.currency, Some(Currency::Jpy));
}

#[wasm_bindgen_test]
fn entries_in_another_currency_are_not_added_in() {
    let mut usd = entry((2025, 4), "core", 100);
    usd.currency = Currency::Usd;
    let s = MrrSeries::from_entries(&[entry((2025, 4), "core", 500_000), usd]);
    assert_eq!(s.amounts, [vec![500_000]]);
}

#[wasm_bindgen_test]
fn the_mouse_maps_back_to_the_month_under_it() {
    let area = PlotArea {
        left: 100,
        right: 700,
        months: 12,
    };
    assert_eq!(area.month_at(99.0), None);
    assert_eq!(area.month_at(100.0), Some(0));
    assert_eq!(area.month_at(149.9), Some(0));
    assert_eq!(area.month_at(150.0), Some(1));
    assert_eq!(area.month_at(699.0), Some(11));
    assert_eq!(area.month_at(700.0), None);
    let empty = PlotArea { months: 0, ..area };
    assert_eq!(empty.month_at(300.0), None);
}

#[wasm_bindgen_test]
fn the_chart_draws_one_bar_part_per_product_and_month() {
    let s = MrrSeries::from_entries(&[
        entry((2025, 4), "core", 500_000),
        entry((2025, 5), "core", 520_000),
        entry((2025, 5), "addon", 20_000),
    ]);
    let mut svg = String::new();
    let area = {
        let root = SVGBackend::with_string(&mut svg, (600, 300)).into_drawing_area();
        draw_mrr(
            &root,
            &s,
            &|m| m.format("%Y-%m").to_string(),
            &|v| v.to_string(),
            None,
        )
        .unwrap()
    };
    assert_eq!(area.months, 2);
    assert!(area.left > 0 && area.right <= 600 && area.left < area.right);
    assert!(svg.contains("2025-05"), "month labels are drawn");
    // Three filled bar parts in the product colours.
    let filled = svg.matches("fill=\"#0072B2\"").count() + svg.matches("fill=\"#E69F00\"").count();
    assert_eq!(filled, 3, "{svg}");
}

fn mapping(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(ours, theirs)| ((*ours).to_owned(), (*theirs).to_owned()))
        .collect()
}

#[wasm_bindgen_test]
fn a_file_without_a_currency_column_needs_one_currency_named() {
    let japanese = mapping(&[
        ("external_id", "外部ID"),
        ("name", "会社名"),
        ("mrr", "月額(円)"),
    ]);
    assert!(needs_file_currency(ImportKind::Accounts, &japanese));
    assert!(needs_file_currency(ImportKind::Mrr, &japanese));
    // Signals have no currency at all.
    assert!(!needs_file_currency(ImportKind::Signals, &japanese));
    let with_currency = mapping(&[("external_id", "id"), ("name", "n"), ("currency", "通貨")]);
    assert!(!needs_file_currency(ImportKind::Accounts, &with_currency));
}

#[wasm_bindgen_test]
fn a_currency_for_the_whole_file_stands_in_for_the_currency_column() {
    let japanese = mapping(&[("external_id", "外部ID"), ("name", "会社名")]);
    assert_eq!(
        missing_required(ImportKind::Accounts, &japanese, None),
        ["currency"]
    );
    assert!(missing_required(ImportKind::Accounts, &japanese, Some(Currency::Jpy)).is_empty());
    // It does not stand in for any other column.
    assert_eq!(
        missing_required(ImportKind::Mrr, &japanese, Some(Currency::Jpy)),
        ["month", "product", "mrr"]
    );
    assert_eq!(
        missing_required(ImportKind::Signals, &BTreeMap::new(), Some(Currency::Usd)),
        ["external_id", "signal", "date", "value"]
    );
}

#[wasm_bindgen_test]
fn every_import_column_has_a_name_in_both_languages() {
    for kind in ImportKind::ALL {
        for (column, _) in kind.columns() {
            let en = import_column_label(Locale::en, column);
            let ja = import_column_label(Locale::ja, column);
            assert_ne!(en, *column, "English name of {column}");
            assert_ne!(ja, *column, "Japanese name of {column}");
            assert_ne!(en, ja, "{column} is translated");
        }
    }
    assert_eq!(import_column_label(Locale::ja, "external_id"), "外部ID");
    assert_eq!(
        import_column_label(Locale::en, "owner_email"),
        "Owner's email"
    );
    // A column the table does not know shows as it is.
    assert_eq!(import_column_label(Locale::ja, "colour"), "colour");
}

#[wasm_bindgen_test]
fn templates_start_with_our_columns() {
    for kind in ImportKind::ALL {
        let t = template_csv(*kind);
        let header: Vec<&str> = t.lines().next().unwrap().split(',').collect();
        let ours: Vec<&str> = kind.columns().iter().map(|(c, _)| *c).collect();
        assert_eq!(header, ours);
        assert_eq!(t.lines().count(), 2);
    }
}

#[wasm_bindgen_test]
fn the_account_form_parses_money_and_reports_shared_rule_fields() {
    let draft = AccountDraft {
        name: "株式会社サクラ".into(),
        mrr: "￥520,000".into(),
        contract_start: "2025-04-01".into(),
        renewal_date: "2026-04-01".into(),
        ..AccountDraft::default()
    };
    let input = draft.to_input().unwrap();
    assert_eq!(input.mrr_minor, 520_000);

    let usd = AccountDraft {
        mrr: "79.85".into(),
        currency: Currency::Usd,
        ..draft.clone()
    };
    assert_eq!(usd.to_input().unwrap().mrr_minor, 7_985);

    let bad = AccountDraft {
        name: "  ".into(),
        mrr: "lots".into(),
        renewal_date: "2025-01-01".into(),
        status: AccountStatus::Churned,
        domain: "not a domain".into(),
        ..draft
    };
    let mut fields: Vec<String> = bad
        .to_input()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["churn_date", "domain", "mrr_minor", "name", "renewal_date"]
    );
}

#[wasm_bindgen_test]
fn every_import_problem_code_reads_in_both_languages() {
    use kizuna_app::components::import_messages::import_problem_message;
    use kizuna_shared::api::{ImportCode, ImportError};
    let problem = |code: ImportCode, column: &str| ImportError {
        row: 3,
        column: Some(column.into()),
        code,
        message: "the server's English sentence".into(),
    };
    for &code in ImportCode::ALL {
        for column in ["mrr", "currency", "status", "external_id"] {
            let e = problem(code, column);
            let en = import_problem_message(Locale::en, &e);
            let ja = import_problem_message(Locale::ja, &e);
            assert_ne!(en, ja, "{code} is translated");
            assert!(!en.contains("{{"), "{code}: {en}");
        }
    }
    let e = problem(ImportCode::BadAmount, "mrr");
    assert!(import_problem_message(Locale::ja, &e).contains("「MRR（月額）」"));
    let e = problem(ImportCode::MrrFromHistory, "mrr");
    assert_eq!(
        import_problem_message(Locale::en, &e),
        "This account's MRR comes from its revenue history, so the file's MRR is ignored. Import monthly MRR to change it."
    );
    // The server's English sentence is never what the user reads.
    let e = problem(ImportCode::BadRow, "mrr");
    assert_ne!(
        import_problem_message(Locale::en, &e),
        "the server's English sentence"
    );
}

#[wasm_bindgen_test]
fn read_only_fields_are_sent_as_stored() {
    use kizuna_app::pages::account_form::{keep_stored, lock_of, Lock};
    use kizuna_shared::api::AccountInput;
    use kizuna_shared::domain::{editable_account_fields, AccountField, Principal, Role, UserId};
    let stored = AccountDraft {
        name: "株式会社サクラ".into(),
        external_id: "CRM-1".into(),
        mrr: "520,000".into(),
        ..AccountDraft::default()
    }
    .to_input()
    .unwrap();
    let csm = editable_account_fields(Principal::new(7, Role::Csm), Some(UserId(7)));
    // The CSM's draft changes everything it can type into.
    let mut input = AccountInput {
        plan: Some("Enterprise".into()),
        mrr_minor: 1,
        currency: Currency::Usd,
        external_id: Some(kizuna_shared::api::ExternalId::parse("CRM-2").unwrap()),
        status: AccountStatus::Churned,
        owner_id: Some(9),
        ..stored.clone()
    };
    for field in AccountField::ALL {
        if lock_of(*field, false, &csm).is_some() {
            keep_stored(&mut input, &stored, *field);
        }
    }
    assert!(input.forbidden_changes(&stored, &csm).is_empty());
    assert_eq!(input.changed_fields(&stored), [AccountField::Plan]);

    // MRR history binds managers too, and only MRR and currency.
    let all = editable_account_fields(Principal::new(7, Role::Manager), Some(UserId(8)));
    assert_eq!(
        lock_of(AccountField::MrrMinor, true, &all),
        Some(Lock::History)
    );
    assert_eq!(
        lock_of(AccountField::Currency, true, &csm),
        Some(Lock::History)
    );
    assert_eq!(lock_of(AccountField::Status, true, &all), None);
    assert_eq!(
        lock_of(AccountField::Status, false, &csm),
        Some(Lock::Managers)
    );
    assert_eq!(lock_of(AccountField::Plan, true, &csm), None);
}

#[wasm_bindgen_test]
fn a_stored_amount_is_shown_as_people_write_it_and_read_back() {
    use kizuna_app::pages::account_form::group_thousands;
    assert_eq!(group_thousands("540000"), "540,000");
    assert_eq!(group_thousands("1234.50"), "1,234.50");
    assert_eq!(group_thousands("999"), "999");
    assert_eq!(group_thousands("0.05"), "0.05");
    assert_eq!(group_thousands("1000000000000"), "1,000,000,000,000");
    let draft = AccountDraft {
        name: "Acme".into(),
        mrr: group_thousands("1234.50"),
        currency: Currency::Usd,
        ..AccountDraft::default()
    };
    assert_eq!(draft.to_input().unwrap().mrr_minor, 123_450);
}

#[wasm_bindgen_test]
fn a_saved_sort_is_read_back() {
    use kizuna_app::pages::accounts::parse_saved_sort;
    use kizuna_shared::api::{AccountSort, SortDir};
    assert_eq!(
        parse_saved_sort("mrr:desc"),
        Some((AccountSort::Mrr, SortDir::Desc))
    );
    assert_eq!(
        parse_saved_sort("renewal_date:asc"),
        Some((AccountSort::RenewalDate, SortDir::Asc))
    );
    assert_eq!(parse_saved_sort("mrr"), None);
    assert_eq!(parse_saved_sort("colour:asc"), None);
}

#[wasm_bindgen_test]
fn signal_helpers() {
    assert_eq!(trim_number(3.0), "3");
    assert_eq!(trim_number(79.5), "79.5");
    assert_eq!(sparkline(&[1.0, 5.0, 9.0]), "▁▅█");
    assert_eq!(sparkline(&[2.0, 2.0]), "▄▄");
}

#[wasm_bindgen_test]
fn a_contact_address_cannot_add_headers_or_recipients_to_its_mailto_link() {
    assert_eq!(mailto_href("ana@acme.example"), "mailto:ana@acme.example");
    assert_eq!(
        mailto_href("ana+cs@acme.example"),
        "mailto:ana%2Bcs@acme.example"
    );
    // `?`, `&`, `%`, `,` and `#` would start headers, add recipients or
    // decode into something else: each is percent-encoded.
    assert_eq!(
        mailto_href("x@evil.example?cc=all@acme.example&body=%0Ahi"),
        "mailto:x%40evil.example%3Fcc%3Dall@acme.example%26body%3D%250Ahi"
    );
    assert_eq!(
        mailto_href("a,b@acme.example#x"),
        "mailto:a%2Cb@acme.example%23x"
    );
}
