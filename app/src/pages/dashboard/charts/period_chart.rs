//! One builder for every per-period chart: a [`PeriodChart`]'s columns
//! drawn as stacked bars or lines, with hover, table and CSV.

use std::sync::Arc;

use crate::charts::card::{Area, ChartSpec, CsvFn, DrawFn, Hit, HitMap, HoverFn, TableFn};
use crate::charts::kpi::{csv, draw_lines, draw_stacked, Line, Stack};
use crate::charts::PALETTE;
use crate::format;
use crate::i18n::*;
use kizuna_shared::api::PeriodKpis;
use kizuna_shared::domain::Currency;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use plotters::style::RGBColor;

/// How a per-period chart draws its drawn columns.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Stacked bars, bottom-up in column order.
    Stacked,
    /// Lines with gaps where a value is undefined.
    Lines,
}

/// How a value reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Show {
    Count,
    Pct,
    Score,
    Money,
    Days,
}

impl Show {
    #[expect(clippy::cast_possible_truncation, reason = "display of amounts")]
    fn text(self, v: f64, currency: Currency, locale: Locale) -> String {
        match self {
            Show::Count => format::count(v.round().max(0.0) as u64, locale),
            Show::Pct => format::percent(v, locale),
            Show::Score => format::score(v, locale),
            Show::Money => format::money(v.round() as i64, currency, locale),
            Show::Days => td_string!(
                locale,
                days_value,
                n = format::score(v, locale).trim_start_matches('+').to_owned()
            )
            .to_string(),
        }
    }

    /// The unit a CSV header names for raw values.
    fn csv_unit(self, currency: Currency) -> String {
        match self {
            Show::Pct => " (%)".to_owned(),
            Show::Money => format!(" ({currency}, minor units)"),
            Show::Days => " (days)".to_owned(),
            Show::Count | Show::Score => String::new(),
        }
    }
}

/// One column of a per-period chart: every column is in the hover text,
/// the table and the CSV; those with a colour are drawn.
#[derive(Clone)]
pub struct Col {
    name: fn(Locale) -> String,
    colour: Option<RGBColor>,
    show: Show,
    values: Vec<Option<f64>>,
}

impl Col {
    /// A column named `name`, drawn in `colour` (or only listed, without),
    /// whose values read as `show` says.
    pub fn new(
        name: fn(Locale) -> String,
        colour: Option<RGBColor>,
        show: Show,
        values: Vec<Option<f64>>,
    ) -> Self {
        Col {
            name,
            colour,
            show,
            values,
        }
    }
}

/// One value of every period (`None` where `f` has none).
pub fn per_period(
    periods: &[PeriodKpis],
    f: &dyn Fn(&PeriodKpis) -> Option<f64>,
) -> Vec<Option<f64>> {
    periods.iter().map(f).collect()
}

/// The colour of "not scored" and "started, not completed".
pub const GREY: RGBColor = RGBColor(160, 168, 178);

/// A chart of one value (or several) per period of the series.
pub struct PeriodChart {
    pub id: &'static str,
    pub title: fn(Locale) -> String,
    pub style: Style,
    pub axis: Show,
    pub cols: Vec<Col>,
}

/// The periods' names in a language.
pub type Names = Arc<dyn Fn(Locale) -> Vec<String> + Send + Sync>;

/// A chart card's spec for a [`PeriodChart`]: drawn with the one stacked
/// bar drawer or the one line drawer; hover shows every column's exact
/// value of the period under the pointer.
pub fn period_chart(
    i18n: I18nContext<Locale>,
    names: Names,
    currency: Currency,
    c: PeriodChart,
) -> ChartSpec {
    let cols = Arc::new(c.cols);
    let title = c.title;
    ChartSpec {
        id: c.id,
        title: Signal::derive(move || title(i18n.get_locale())),
        height: 280,
        draw: draw(i18n, cols.clone(), names.clone(), currency, c.style, c.axis),
        hover: hover(i18n, cols.clone(), names.clone(), currency),
        table: table(i18n, cols.clone(), names.clone(), currency),
        csv: csv_of(i18n, cols, names, currency),
    }
}

/// Column `col`'s value of period `i` as the user reads it.
fn cell(col: &Col, i: usize, currency: Currency, locale: Locale) -> Option<String> {
    col.values
        .get(i)
        .copied()
        .flatten()
        .map(|v| col.show.text(v, currency, locale))
}

/// Draws the drawn columns as stacked bars or lines.
fn draw(
    i18n: I18nContext<Locale>,
    cols: Arc<Vec<Col>>,
    names: Names,
    currency: Currency,
    style: Style,
    axis: Show,
) -> DrawFn {
    Arc::new(move |area: &Area, hit: Option<Hit>| {
        let locale = i18n.get_locale_untracked();
        let highlight = match hit {
            Some(Hit::Slot(i)) => Some(i),
            _ => None,
        };
        // Counts label whole numbers only (a 0–1 axis would read
        // "0, 1, 1" otherwise).
        let y_text = move |v: f64| {
            if axis == Show::Count && (v - v.round()).abs() > 1e-6 {
                String::new()
            } else {
                axis.text(v, currency, locale)
            }
        };
        let drawn = cols.iter().filter(|c| c.colour.is_some());
        let plotted = match style {
            Style::Stacked => {
                let stacks: Vec<Stack> = drawn
                    .map(|c| Stack {
                        name: (c.name)(locale),
                        colour: c.colour.unwrap_or(PALETTE[0]),
                        values: c.values.iter().map(|v| v.unwrap_or(0.0)).collect(),
                    })
                    .collect();
                draw_stacked(area, &names(locale), &stacks, &y_text, highlight)
            }
            Style::Lines => {
                let lines: Vec<Line> = drawn
                    .map(|c| Line {
                        name: (c.name)(locale),
                        values: c.values.clone(),
                    })
                    .collect();
                draw_lines(area, &names(locale), &lines, &y_text, highlight)
            }
        };
        plotted.ok().map(HitMap::Slots)
    })
}

/// "Period: name value · name value …" for the period under the pointer.
fn hover(
    i18n: I18nContext<Locale>,
    cols: Arc<Vec<Col>>,
    names: Names,
    currency: Currency,
) -> HoverFn {
    Arc::new(move |hit: Hit| {
        let Hit::Slot(i) = hit else { return None };
        let locale = i18n.get_locale_untracked();
        let label = names(locale).get(i)?.clone();
        let parts = cols
            .iter()
            .map(|c| {
                let v = cell(c, i, currency, locale)
                    .unwrap_or_else(|| t_string!(i18n, no_value).to_string());
                format!("{} {v}", (c.name)(locale))
            })
            .collect::<Vec<_>>()
            .join(" · ");
        Some(format!("{label}: {parts}"))
    })
}

/// The accessible table: one row per period, one column per column.
fn table(
    i18n: I18nContext<Locale>,
    cols: Arc<Vec<Col>>,
    names: Names,
    currency: Currency,
) -> TableFn {
    Arc::new(move || {
        let locale = i18n.get_locale_untracked();
        let mut header = vec![t_string!(i18n, col_period).to_string()];
        header.extend(cols.iter().map(|c| (c.name)(locale)));
        let rows = names(locale)
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut row = vec![p];
                row.extend(
                    cols.iter()
                        .map(|c| cell(c, i, currency, locale).unwrap_or_else(|| "—".to_owned())),
                );
                row
            })
            .collect();
        (header, rows)
    })
}

/// The CSV: raw values, units in the header.
fn csv_of(
    i18n: I18nContext<Locale>,
    cols: Arc<Vec<Col>>,
    names: Names,
    currency: Currency,
) -> CsvFn {
    Arc::new(move || {
        let locale = i18n.get_locale_untracked();
        let mut header = vec![t_string!(i18n, col_period).to_string()];
        header.extend(
            cols.iter()
                .map(|c| format!("{}{}", (c.name)(locale), c.show.csv_unit(currency))),
        );
        let rows = names(locale)
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let mut row = vec![p];
                row.extend(cols.iter().map(|c| {
                    c.values
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|v| v.to_string())
                        .unwrap_or_default()
                }));
                row
            })
            .collect::<Vec<_>>();
        csv(&header, &rows)
    })
}
