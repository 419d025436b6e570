//! Charts drawn with plotters. The drawing functions are generic over
//! [`DrawingBackend`], so the page draws on a `<canvas>` while tests can draw
//! into an SVG string; data preparation and the mouse → month mapping are
//! plain functions, testable without any backend.

pub mod canvas;
pub mod card;
pub mod kpi;
pub mod workbench;

use chrono::NaiveDate;
use kizuna_shared::api::MrrEntry;
use kizuna_shared::domain::Currency;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Monthly MRR per product, laid out for a stacked bar chart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MrrSeries {
    /// Months, oldest first, each once.
    pub months: Vec<NaiveDate>,
    /// Product lines in order of first appearance (`core` first if present).
    pub products: Vec<String>,
    /// `amounts[month][product]` in minor units (0 when absent).
    pub amounts: Vec<Vec<i64>>,
    /// Currency of the amounts (the first entry's).
    pub currency: Option<Currency>,
}

impl MrrSeries {
    /// Groups history entries by month and product. Entries in another
    /// currency than the first are left out: adding yen to dollars would
    /// draw a meaningless bar (the table still lists them).
    pub fn from_entries(entries: &[MrrEntry]) -> Self {
        let currency = entries.first().map(|e| e.currency);
        let mut months: Vec<NaiveDate> = entries.iter().map(|e| e.month).collect();
        months.sort_unstable();
        months.dedup();
        let mut products: Vec<String> = Vec::new();
        for e in entries {
            if !products.contains(&e.product) {
                products.push(e.product.clone());
            }
        }
        // The main product at the bottom of each stack reads best.
        if let Some(i) = products.iter().position(|p| p == "core") {
            let core = products.remove(i);
            products.insert(0, core);
        }
        let mut amounts = vec![vec![0_i64; products.len()]; months.len()];
        for e in entries.iter().filter(|e| Some(e.currency) == currency) {
            let (Ok(m), Some(p)) = (
                months.binary_search(&e.month),
                products.iter().position(|p| *p == e.product),
            ) else {
                continue;
            };
            amounts[m][p] += e.amount_minor;
        }
        MrrSeries {
            months,
            products,
            amounts,
            currency,
        }
    }

    /// The month's total over all products.
    pub fn total(&self, month: usize) -> i64 {
        self.amounts.get(month).map_or(0, |a| a.iter().sum())
    }

    /// The largest monthly total (the y axis' top).
    pub fn max_total(&self) -> i64 {
        (0..self.months.len())
            .map(|m| self.total(m))
            .max()
            .unwrap_or(0)
    }
}

/// Colour-blind-safe palette (Okabe–Ito), one colour per product.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
];

// The HTML legend uses `.swatch-0` … `.swatch-5` in style/main.css, which
// must list the same colours in the same order.

/// Where the bars were drawn, in backend pixels, for mapping the mouse back
/// to a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotArea {
    /// Left edge of the plotting area.
    pub left: i32,
    /// Right edge (exclusive) of the plotting area.
    pub right: i32,
    /// Number of months (bars).
    pub months: usize,
}

impl PlotArea {
    /// The month under horizontal pixel `x`, if any.
    pub fn month_at(&self, x: f64) -> Option<usize> {
        let width = f64::from(self.right - self.left);
        if self.months == 0 || width <= 0.0 {
            return None;
        }
        let offset = x - f64::from(self.left);
        if offset < 0.0 || offset >= width {
            return None;
        }
        #[expect(clippy::cast_precision_loss, reason = "a handful of months")]
        let slot = offset / width * self.months as f64;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "slot is in 0..months"
        )]
        let index = slot.floor() as usize;
        Some(index.min(self.months - 1))
    }
}

/// Draws `series` as stacked bars per month on `root`. `month_label` and
/// `money` format the axes in the user's language. Returns the plotting area
/// for hover mapping.
pub fn draw_mrr<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &MrrSeries,
    month_label: &dyn Fn(NaiveDate) -> String,
    money: &dyn Fn(i64) -> String,
    highlight: Option<usize>,
) -> Result<PlotArea, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let n = series.months.len();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_possible_wrap,
        reason = "month count is small"
    )]
    let n_i32 = n as i32;
    // A discrete `0..k` range holds k + 1 values: `0..n - 1` gives one
    // segment per month. Headroom so the tallest bar does not touch the top.
    let top = (series.max_total() + series.max_total() / 10).max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(28)
        .y_label_area_size(90)
        .build_cartesian_2d((0..(n_i32 - 1).max(0)).into_segmented(), 0_i64..top)?;
    let label_every = n.div_ceil(12).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(213, 219, 227))
        .x_labels(n.clamp(1, 12))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                let i = usize::try_from(*i).unwrap_or(usize::MAX);
                if i % label_every == 0 {
                    series
                        .months
                        .get(i)
                        .map(|m| month_label(*m))
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            }
            SegmentValue::Last => String::new(),
        })
        .y_labels(5)
        .y_label_formatter(&|v| money(*v))
        .label_style(("sans-serif", 12).into_font().color(&RGBColor(85, 96, 112)))
        .draw()?;
    for (m, amounts) in series.amounts.iter().enumerate() {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_possible_wrap,
            reason = "month count is small"
        )]
        let x = m as i32;
        let mut base = 0_i64;
        for (p, amount) in amounts.iter().enumerate() {
            if *amount <= 0 {
                continue;
            }
            let colour = PALETTE[p % PALETTE.len()];
            let style = if highlight.is_none() || highlight == Some(m) {
                colour.filled()
            } else {
                colour.mix(0.45).filled()
            };
            let corners = [
                (SegmentValue::Exact(x), base),
                (SegmentValue::Exact(x + 1), base + amount),
            ];
            let mut bar = Rectangle::new(corners.clone(), style);
            bar.set_margin(0, 0, 3, 3);
            // A thin white outline keeps stacked parts apart even for
            // readers who cannot tell the colours apart.
            let mut outline = Rectangle::new(corners, WHITE.stroke_width(1));
            outline.set_margin(0, 0, 3, 3);
            chart.draw_series([bar, outline])?;
            base += amount;
        }
    }
    let (x_range, _) = chart.plotting_area().get_pixel_range();
    root.present()?;
    Ok(PlotArea {
        left: x_range.start,
        right: x_range.end,
        months: n,
    })
}
