//! The dashboard's charts: MRR movement waterfall, trend lines (NRR/GRR,
//! logo churn) and the cohort retention heatmap. Like the MRR chart, each
//! is generic over [`DrawingBackend`] (canvas in the page, SVG in tests),
//! returns where it drew so the page can map the pointer back to a value,
//! and has a CSV form of its data. Every number drawn comes from the KPI
//! API (computed by `kizuna_shared`); these functions only lay it out.

use kizuna_shared::metrics::kpi::RevenueMovements;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{PlotArea, PALETTE};

/// Colours of the waterfall (Okabe–Ito, colour-blind safe): totals,
/// increases, decreases.
pub const TOTAL: RGBColor = RGBColor(0, 114, 178);
/// Increase colour (bluish green).
pub const UP: RGBColor = RGBColor(0, 158, 115);
/// Decrease colour (vermillion).
pub const DOWN: RGBColor = RGBColor(213, 94, 0);

const AXIS_TEXT: RGBColor = RGBColor(85, 96, 112);
const GRID: RGBColor = RGBColor(213, 219, 227);

/// What a waterfall bar is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// A level (start or end MRR), drawn from zero.
    Total,
    /// An increase, drawn up from the running level.
    Up,
    /// A decrease, drawn down from the running level.
    Down,
}

/// One bar of the waterfall.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Its label (start, new, …) in the user's language.
    pub label: String,
    /// The amount, minor units (never negative).
    pub value: i64,
    /// Level, increase or decrease.
    pub kind: StepKind,
}

/// The seven steps of a period: start, new, reactivation, expansion,
/// contraction, churn, end. `labels` are their names in that order.
pub fn waterfall_steps(m: &RevenueMovements, labels: [String; 7]) -> Vec<Step> {
    let values = [
        (m.start_mrr, StepKind::Total),
        (m.new, StepKind::Up),
        (m.reactivation, StepKind::Up),
        (m.expansion, StepKind::Up),
        (m.contraction, StepKind::Down),
        (m.churn, StepKind::Down),
        (m.end_mrr, StepKind::Total),
    ];
    labels
        .into_iter()
        .zip(values)
        .map(|(label, (value, kind))| Step { label, value, kind })
        .collect()
}

/// The `[low, high]` of each bar in drawing order.
pub fn waterfall_spans(steps: &[Step]) -> Vec<(i64, i64)> {
    let mut level = 0_i64;
    steps
        .iter()
        .map(|s| match s.kind {
            StepKind::Total => {
                level = s.value;
                (0, s.value)
            }
            StepKind::Up => {
                let span = (level, level + s.value);
                level += s.value;
                span
            }
            StepKind::Down => {
                let span = (level - s.value, level);
                level -= s.value;
                span
            }
        })
        .collect()
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    reason = "a few dozen bars"
)]
fn count_i32(n: usize) -> i32 {
    n as i32
}

fn label_font() -> TextStyle<'static> {
    ("sans-serif", 12).into_font().color(&AXIS_TEXT)
}

/// Draws the waterfall; `money` formats amounts for the axis and the value
/// above each bar.
pub fn draw_waterfall<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    steps: &[Step],
    money: &dyn Fn(i64) -> String,
    highlight: Option<usize>,
) -> Result<PlotArea, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let spans = waterfall_spans(steps);
    let top = spans.iter().map(|s| s.1).max().unwrap_or(0);
    let top = (top + top / 8).max(1);
    let n = count_i32(steps.len());
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(96)
        .build_cartesian_2d((0..(n - 1).max(0)).into_segmented(), 0_i64..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(steps.len().max(1))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| steps.get(i))
                .map(|s| s.label.clone())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        })
        .y_labels(5)
        .y_label_formatter(&|v| money(*v))
        .label_style(label_font())
        .draw()?;
    for (i, (step, (low, high))) in steps.iter().zip(&spans).enumerate() {
        let x = count_i32(i);
        let colour = match step.kind {
            StepKind::Total => TOTAL,
            StepKind::Up => UP,
            StepKind::Down => DOWN,
        };
        let style = if highlight.is_none() || highlight == Some(i) {
            colour.filled()
        } else {
            colour.mix(0.45).filled()
        };
        let mut bar = Rectangle::new(
            [
                (SegmentValue::Exact(x), *low),
                (SegmentValue::Exact(x + 1), *high),
            ],
            style,
        );
        bar.set_margin(0, 0, 6, 6);
        chart.draw_series([bar])?;
        chart.draw_series([Text::new(
            money(step.value),
            (SegmentValue::CenterOf(x), *high + top / 40),
            label_font().pos(Pos::new(HPos::Center, VPos::Bottom)),
        )])?;
    }
    let (x_range, _) = chart.plotting_area().get_pixel_range();
    root.present()?;
    Ok(PlotArea {
        left: x_range.start,
        right: x_range.end,
        months: steps.len(),
    })
}

/// One line of a trend chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Its name (legend).
    pub name: String,
    /// One value per period; `None` where undefined (drawn as a gap).
    pub values: Vec<Option<f64>>,
}

/// Draws `lines` over the periods named by `x_labels`, with a legend;
/// `y_text` formats the axis. Returns the plotting area (one slot per
/// period) for hover mapping.
pub fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x_labels: &[String],
    lines: &[Line],
    y_text: &dyn Fn(f64) -> String,
    highlight: Option<usize>,
) -> Result<PlotArea, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let n = x_labels.len();
    let values = || {
        lines
            .iter()
            .flat_map(|l| l.values.iter().flatten().copied())
    };
    let (mut lo, mut hi) = values().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if lo > hi {
        (lo, hi) = (0.0, 100.0);
    }
    let pad = ((hi - lo) * 0.15).max(1.0);
    let (lo, hi) = (
        (lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::MIN }),
        hi + pad,
    );
    // Every `every`-th period is named: as many as fit side by side (long
    // Japanese month names need more room than `Dec 2025`), at most 12.
    let widest = x_labels
        .iter()
        .filter_map(|l| root.estimate_text_size(l, &label_font()).ok())
        .map(|(w, _)| w)
        .max()
        .unwrap_or(0);
    let plot_width = root.dim_in_pixel().0.saturating_sub(56 + 16).max(1);
    let fit = usize::try_from(plot_width / (widest + 12))
        .unwrap_or(1)
        .clamp(1, 12);
    let every = n.div_ceil(fit).max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(30)
        .y_label_area_size(56)
        .build_cartesian_2d(
            (0..count_i32(n).saturating_sub(1).max(0)).into_segmented(),
            lo..hi,
        )?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(n.clamp(1, 12))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                .ok()
                .filter(|i| i % every == 0)
                .and_then(|i| x_labels.get(i).cloned())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        })
        .y_labels(6)
        .y_label_formatter(&|v| y_text(*v))
        .label_style(label_font())
        .draw()?;
    if let Some(h) = highlight.filter(|h| *h < n) {
        let x = count_i32(h);
        chart.draw_series([Rectangle::new(
            [
                (SegmentValue::Exact(x), lo),
                (SegmentValue::Exact(x + 1), hi),
            ],
            RGBColor(232, 239, 248).filled(),
        )])?;
    }
    for (k, line) in lines.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        // A gap where a value is undefined, never a line through it.
        let mut runs: Vec<Vec<(SegmentValue<i32>, f64)>> = vec![Vec::new()];
        for (i, v) in line.values.iter().enumerate() {
            match v {
                Some(v) => runs
                    .last_mut()
                    .map_or((), |r| r.push((SegmentValue::CenterOf(count_i32(i)), *v))),
                None => runs.push(Vec::new()),
            }
        }
        let style = colour.stroke_width(2 + u32::from(k == 0));
        for run in runs.iter().filter(|r| !r.is_empty()) {
            chart.draw_series([PathElement::new(run.clone(), style)])?;
        }
        // Markers differ in shape per line, so lines are told apart without colour.
        chart.draw_series(
            runs.iter()
                .flatten()
                .map(|p| -> DynElement<'static, DB, _> {
                    if k % 2 == 0 {
                        Circle::new(p.clone(), 4, colour.filled()).into_dyn()
                    } else {
                        TriangleMarker::new(p.clone(), 5, colour.filled()).into_dyn()
                    }
                }),
        )?;
    }
    let (x_range, y_range) = chart.plotting_area().get_pixel_range();
    // The legend, drawn here rather than by plotters' series labels: those
    // measure their text outside the backend (a styled `<span>` in the
    // page, which the CSP forbids), this measures through the backend.
    let (x0, y0) = (x_range.start + 10, y_range.start + 10);
    let mut widest = 0;
    for line in lines {
        let (w, _) = root.estimate_text_size(&line.name, &label_font())?;
        widest = widest.max(count_i32(w as usize));
    }
    let rows = count_i32(lines.len());
    root.draw(&Rectangle::new(
        [(x0 - 6, y0 - 6), (x0 + 28 + widest, y0 + 18 * rows - 6)],
        ShapeStyle::from(WHITE.mix(0.85)).filled(),
    ))?;
    root.draw(&Rectangle::new(
        [(x0 - 6, y0 - 6), (x0 + 28 + widest, y0 + 18 * rows - 6)],
        ShapeStyle::from(GRID),
    ))?;
    for (k, line) in lines.iter().enumerate() {
        let y = y0 + 18 * count_i32(k) + 3;
        legend_item(root, (x0, y), &line.name, PALETTE[k % PALETTE.len()], false)?;
    }
    root.present()?;
    Ok(PlotArea {
        left: x_range.start,
        right: x_range.end,
        months: n,
    })
}

/// One legend entry at `(x, y)` (its vertical centre): a line or a square
/// swatch in `colour`, then the name, measured through the backend (see
/// `draw_lines`). Returns the width used.
fn legend_item<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    name: &str,
    colour: RGBColor,
    square: bool,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    if square {
        root.draw(&Rectangle::new(
            [(x, y - 6), (x + 12, y + 6)],
            colour.filled(),
        ))?;
    } else {
        root.draw(&PathElement::new(
            vec![(x, y), (x + 16, y)],
            colour.stroke_width(3),
        ))?;
    }
    root.draw(&Text::new(
        name.to_owned(),
        (x + 22, y),
        label_font().pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    let (w, _) = root.estimate_text_size(name, &label_font())?;
    Ok(22 + count_i32(w as usize))
}

/// One part of a stacked bar chart: its name (legend), colour and one
/// value per period (stacked bottom-up in the order given).
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    /// Its name.
    pub name: String,
    /// Its colour.
    pub colour: RGBColor,
    /// One value per period (negative values are drawn as 0).
    pub values: Vec<f64>,
}

/// Draws `stacks` as stacked bars over the periods named by `x_labels`,
/// with a legend row above the plot (wrapped to the width, so long
/// Japanese names never overlap the bars); `y_text` formats the axis.
/// One drawer for every stacked chart of the dashboard (NPS answers,
/// health bands, onboarding sheets). Returns the plotting area (one slot
/// per period) for hover mapping.
pub fn draw_stacked<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    x_labels: &[String],
    stacks: &[Stack],
    y_text: &dyn Fn(f64) -> String,
    highlight: Option<usize>,
) -> Result<PlotArea, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let n = x_labels.len();
    let total = |i: usize| -> f64 {
        stacks
            .iter()
            .filter_map(|s| s.values.get(i))
            .map(|v| v.max(0.0))
            .sum()
    };
    let top = (0..n).map(total).fold(0.0_f64, f64::max);
    let top = if top > 0.0 { top * 1.1 } else { 1.0 };
    // The legend's rows: as many entries per row as fit.
    let (width, _) = root.dim_in_pixel();
    let avail = count_i32(width as usize).saturating_sub(24).max(1);
    let mut places: Vec<(i32, i32)> = Vec::with_capacity(stacks.len());
    let (mut x, mut row) = (0_i32, 0_i32);
    for s in stacks {
        let (w, _) = root.estimate_text_size(&s.name, &label_font())?;
        let w = 22 + count_i32(w as usize) + 16;
        if x > 0 && x + w > avail {
            (x, row) = (0, row + 1);
        }
        places.push((x, row));
        x += w;
    }
    let legend_height = 18 * (row + 1) + 6;
    let widest = x_labels
        .iter()
        .filter_map(|l| root.estimate_text_size(l, &label_font()).ok())
        .map(|(w, _)| w)
        .max()
        .unwrap_or(0);
    let plot_width = width.saturating_sub(64 + 16).max(1);
    let fit = usize::try_from(plot_width / (widest + 12))
        .unwrap_or(1)
        .clamp(1, 12);
    let every = n.div_ceil(fit).max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .margin_top(8 + legend_height)
        .x_label_area_size(30)
        .y_label_area_size(64)
        .build_cartesian_2d(
            (0..count_i32(n).saturating_sub(1).max(0)).into_segmented(),
            0.0..top,
        )?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(n.clamp(1, 12))
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                .ok()
                .filter(|i| i % every == 0)
                .and_then(|i| x_labels.get(i).cloned())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        })
        .y_labels(5)
        .y_label_formatter(&|v| y_text(*v))
        .label_style(label_font())
        .draw()?;
    for i in 0..n {
        let x = count_i32(i);
        let mut base = 0.0;
        for s in stacks {
            let v = s.values.get(i).copied().unwrap_or(0.0).max(0.0);
            if v <= 0.0 {
                continue;
            }
            let style = if highlight.is_none() || highlight == Some(i) {
                s.colour.filled()
            } else {
                s.colour.mix(0.45).filled()
            };
            let corners = [
                (SegmentValue::Exact(x), base),
                (SegmentValue::Exact(x + 1), base + v),
            ];
            let mut bar = Rectangle::new(corners.clone(), style);
            bar.set_margin(0, 0, 4, 4);
            // A white outline keeps the parts apart without relying on colour.
            let mut outline = Rectangle::new(corners, WHITE.stroke_width(1));
            outline.set_margin(0, 0, 4, 4);
            chart.draw_series([bar, outline])?;
            base += v;
        }
    }
    let (x_range, _) = chart.plotting_area().get_pixel_range();
    for (s, (lx, row)) in stacks.iter().zip(places) {
        legend_item(root, (16 + lx, 8 + 9 + 18 * row), &s.name, s.colour, true)?;
    }
    root.present()?;
    Ok(PlotArea {
        left: x_range.start,
        right: x_range.end,
        months: n,
    })
}

/// Where a heatmap's cells were drawn, for mapping the pointer to a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    /// Left edge of the cells.
    pub left: i32,
    /// Right edge (exclusive).
    pub right: i32,
    /// Top edge of the cells.
    pub top: i32,
    /// Bottom edge (exclusive).
    pub bottom: i32,
    /// Columns.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
}

impl Grid {
    /// The `(row, column)` under pixel `(x, y)`, if any.
    pub fn cell_at(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let col = PlotArea {
            left: self.left,
            right: self.right,
            months: self.cols,
        }
        .month_at(x)?;
        let row = PlotArea {
            left: self.top,
            right: self.bottom,
            months: self.rows,
        }
        .month_at(y)?;
        Some((row, col))
    }
}

/// The fill of a retention percentage: light (0 %) to dark blue (100 %),
/// a single-hue scale that reads the same without colour vision.
pub fn heat(pct: f64) -> RGBColor {
    let t = (pct / 100.0).clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "0–255 by construction"
        )]
        let v = (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        v
    };
    RGBColor(mix(239, 8), mix(243, 48), mix(255, 107))
}

/// Draws a heatmap: one row per cohort (`row_labels`), one column per
/// month since the start (`col_label(k)`), cells in percent (`None`: not
/// reached yet, left blank).
pub fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    row_labels: &[String],
    col_label: &dyn Fn(usize) -> String,
    cells: &[Vec<Option<f64>>],
    highlight: Option<(usize, usize)>,
) -> Result<Grid, DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let rows = row_labels.len();
    let cols = cells.iter().map(Vec::len).max().unwrap_or(0);
    let (w, h) = root.dim_in_pixel();
    let (left, top) = (80_i32, 24_i32);
    let right = i32::try_from(w).unwrap_or(0) - 8;
    let bottom = i32::try_from(h).unwrap_or(0) - 8;
    if rows == 0 || cols == 0 || right <= left || bottom <= top {
        root.present()?;
        return Ok(Grid {
            left,
            right: left,
            top,
            bottom: top,
            cols,
            rows,
        });
    }
    let cw = f64::from(right - left) / cols as f64;
    let rh = f64::from(bottom - top) / rows as f64;
    #[expect(clippy::cast_possible_truncation, reason = "pixel positions")]
    let px = |v: f64| v.round() as i32;
    let font = label_font();
    let every = cols.div_ceil(12).max(1);
    for k in (0..cols).step_by(every) {
        let x = px(f64::from(left) + (k as f64 + 0.5) * cw);
        root.draw(&Text::new(
            col_label(k),
            (x, top - 6),
            font.pos(Pos::new(HPos::Center, VPos::Bottom)),
        ))?;
    }
    for (r, row) in cells.iter().enumerate() {
        let y0 = px(f64::from(top) + r as f64 * rh);
        let y1 = px(f64::from(top) + (r + 1) as f64 * rh);
        root.draw(&Text::new(
            row_labels[r].clone(),
            (left - 6, (y0 + y1) / 2),
            font.pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        for (c, v) in row.iter().enumerate() {
            let Some(v) = v else { continue };
            let x0 = px(f64::from(left) + c as f64 * cw);
            let x1 = px(f64::from(left) + (c + 1) as f64 * cw);
            let fill = heat(*v);
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
            let outline = if highlight == Some((r, c)) {
                RGBColor(240, 165, 0).stroke_width(3)
            } else {
                WHITE.stroke_width(1)
            };
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], outline))?;
            if cw >= 30.0 && rh >= 14.0 {
                let ink = if *v >= 55.0 {
                    WHITE
                } else {
                    RGBColor(27, 35, 48)
                };
                root.draw(&Text::new(
                    format!("{v:.0}"),
                    ((x0 + x1) / 2, (y0 + y1) / 2),
                    ("sans-serif", 11)
                        .into_font()
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))?;
            }
        }
    }
    root.present()?;
    Ok(Grid {
        left,
        right,
        top,
        bottom,
        cols,
        rows,
    })
}

/// A CSV document (UTF-8 with a BOM, so spreadsheet programs read Japanese
/// labels correctly); fields with commas, quotes or line breaks are quoted.
/// Written by hand: the csv crate would add its weight to the browser
/// bundle for this one function, and the data here are our own labels and
/// numbers.
pub fn csv(header: &[String], rows: &[Vec<String>]) -> String {
    let field = |f: &String| {
        if f.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.clone()
        }
    };
    let line = |r: &[String]| r.iter().map(field).collect::<Vec<_>>().join(",");
    let mut out = String::from("\u{feff}");
    out.push_str(&line(header));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&line(r));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    //! Native `cargo test -p kizuna-app --lib` and, in the wasm phase of
    //! `cargo xtask test`, the same tests in headless Chromium.
    use super::*;
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    fn movements() -> RevenueMovements {
        RevenueMovements {
            start_mrr: 730_000,
            new: 60_000,
            reactivation: 40_000,
            expansion: 70_000,
            contraction: 20_000,
            churn: 80_000,
            end_mrr: 800_000,
            ..RevenueMovements::default()
        }
    }

    fn names() -> [String; 7] {
        ["start", "new", "react", "exp", "contr", "churn", "end"].map(String::from)
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn waterfall_bars_climb_and_fall_to_the_end_level() {
        let steps = waterfall_steps(&movements(), names());
        let spans = waterfall_spans(&steps);
        assert_eq!(
            spans,
            [
                (0, 730_000),
                (730_000, 790_000),
                (790_000, 830_000),
                (830_000, 900_000),
                (880_000, 900_000),
                (800_000, 880_000),
                (0, 800_000),
            ]
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_waterfall_draws_every_bar_and_its_value_in_svg() {
        let mut svg = String::new();
        let steps = waterfall_steps(&movements(), names());
        let area = {
            let root = SVGBackend::with_string(&mut svg, (700, 300)).into_drawing_area();
            draw_waterfall(&root, &steps, &|v| format!("¥{v}"), Some(5)).unwrap()
        };
        assert_eq!(area.months, 7);
        assert!(svg.contains("¥80000") && svg.contains("churn"));
        // The pointer over the sixth bar maps back to it.
        let slot = f64::from(area.right - area.left) / 7.0;
        let x = f64::from(area.left) + slot * 5.5;
        assert_eq!(area.month_at(x), Some(5));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn stacked_bars_draw_each_nonzero_part_with_a_legend_above_the_plot() {
        let mut svg = String::new();
        let stacks = [
            Stack {
                name: "推奨者".into(),
                colour: RGBColor(0, 158, 115),
                values: vec![2.0, 0.0, 3.0],
            },
            Stack {
                name: "批判者".into(),
                colour: RGBColor(213, 94, 0),
                values: vec![1.0, 0.0, -4.0],
            },
        ];
        let labels: Vec<String> = ["2025年1月", "2月", "3月"].map(String::from).to_vec();
        let area = {
            let root = SVGBackend::with_string(&mut svg, (320, 260)).into_drawing_area();
            draw_stacked(&root, &labels, &stacks, &|v| format!("{v:.0}"), None).unwrap()
        };
        assert_eq!(area.months, 3);
        assert!(svg.contains("推奨者") && svg.contains("批判者") && svg.contains("2025年1月"));
        // Green: two bars (January, March) + the legend swatch; vermillion:
        // January only (zero and negative parts are not drawn) + swatch.
        assert_eq!(svg.matches(r##"fill="#009E73""##).count(), 3);
        assert_eq!(svg.matches(r##"fill="#D55E00""##).count(), 2);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn lines_leave_gaps_for_undefined_values_and_label_japanese() {
        let mut svg = String::new();
        let lines = [
            Line {
                name: "NRR".into(),
                values: vec![Some(95.0), None, Some(101.0), Some(99.0)],
            },
            Line {
                name: "GRR（総収益維持率）".into(),
                values: vec![Some(90.0), None, Some(92.0), Some(93.0)],
            },
        ];
        let labels: Vec<String> = ["2025年1月", "2月", "3月", "4月"]
            .map(String::from)
            .to_vec();
        let area = {
            let root = SVGBackend::with_string(&mut svg, (600, 260)).into_drawing_area();
            draw_lines(&root, &labels, &lines, &|v| format!("{v:.0}%"), Some(2)).unwrap()
        };
        assert_eq!(area.months, 4);
        assert!(svg.contains("GRR（総収益維持率）") && svg.contains("2025年1月"));
        // Two runs per line (before and after the gap) plus its legend sample.
        assert_eq!(
            svg.matches(r##"polyline fill="none" opacity="1" stroke="#0072B2""##)
                .count(),
            3
        );
        assert_eq!(
            svg.matches(r##"polyline fill="none" opacity="1" stroke="#E69F00""##)
                .count(),
            3
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn heatmap_cells_map_back_from_the_pointer() {
        let mut svg = String::new();
        let cells = vec![
            vec![Some(100.0), Some(80.0), Some(60.0)],
            vec![Some(100.0), None, None],
        ];
        let labels = vec!["2025-01".to_owned(), "2025-02".to_owned()];
        let grid = {
            let root = SVGBackend::with_string(&mut svg, (400, 200)).into_drawing_area();
            draw_heatmap(&root, &labels, &|k| format!("+{k}"), &cells, Some((0, 1))).unwrap()
        };
        assert_eq!((grid.rows, grid.cols), (2, 3));
        let cw = f64::from(grid.right - grid.left) / 3.0;
        let rh = f64::from(grid.bottom - grid.top) / 2.0;
        let at = |r: f64, c: f64| {
            grid.cell_at(f64::from(grid.left) + cw * c, f64::from(grid.top) + rh * r)
        };
        assert_eq!(at(0.5, 1.5), Some((0, 1)));
        assert_eq!(at(1.5, 0.2), Some((1, 0)));
        assert_eq!(grid.cell_at(0.0, 0.0), None);
        let texts: Vec<&str> = svg
            .split("<text")
            .skip(1)
            .filter_map(|t| t.split('>').nth(1))
            .map(|t| t.split('<').next().unwrap_or("").trim())
            .collect();
        assert!(texts.contains(&"80") && texts.contains(&"+2"), "{texts:?}");
        assert_eq!(heat(0.0), RGBColor(239, 243, 255));
        assert_eq!(heat(100.0), RGBColor(8, 48, 107));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn csv_quotes_what_needs_quoting_and_starts_with_a_bom() {
        let out = csv(
            &["期間".into(), "value".into()],
            &[
                vec!["a,b".into(), "say \"hi\"".into()],
                vec!["2025-01".into(), "95.5".into()],
            ],
        );
        assert_eq!(
            out,
            "\u{feff}期間,value\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n2025-01,95.5\r\n"
        );
    }
}
