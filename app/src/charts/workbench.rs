//! The health-score workbench's charts: the score histogram coloured by
//! band, the back-test's ROC curve, and a measure's curve drawn over the
//! distribution of its signal's values. Like the other charts they are
//! generic over [`DrawingBackend`] (canvas in the page, SVG in tests) and
//! only lay out numbers computed by `kizuna_shared::metrics`.

use kizuna_shared::metrics::{Curve, RocPoint};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Band colours (Okabe–Ito, colour-blind safe): red, yellow, green. The
/// legend's `.band-red` … classes in style/main.css use the same colours.
pub const BAND_COLOURS: [RGBColor; 3] = [
    RGBColor(213, 94, 0),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
];

const AXIS_TEXT: RGBColor = RGBColor(85, 96, 112);
const GRID: RGBColor = RGBColor(213, 219, 227);
const LINE: RGBColor = RGBColor(0, 114, 178);

fn label_style() -> TextStyle<'static> {
    ("sans-serif", 12).into_font().color(&AXIS_TEXT)
}

/// Draws the score histogram: `bins[i]` holds the red, yellow and green
/// accounts of bin `i` (scores 0–100 split evenly), stacked in that order,
/// with the two cut-offs as vertical lines.
pub fn draw_histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bins: &[[u32; 3]],
    cuts: (f64, f64),
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let top = bins
        .iter()
        .map(|b| b.iter().map(|&c| u64::from(c)).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    #[expect(clippy::cast_precision_loss, reason = "account counts")]
    let top = top as f64 * 1.1;
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(48)
        .build_cartesian_2d(0.0_f64..100.0, 0.0_f64..top)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(11)
        .y_labels(5)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(label_style())
        .draw()?;
    #[expect(clippy::cast_precision_loss, reason = "at most 256 bins")]
    let width = 100.0 / bins.len().max(1) as f64;
    for (i, bin) in bins.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "at most 256 bins")]
        let x0 = i as f64 * width;
        let mut base = 0.0;
        for (band, &count) in bin.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let h = f64::from(count);
            let mut bar = Rectangle::new(
                [(x0, base), (x0 + width, base + h)],
                BAND_COLOURS[band].filled(),
            );
            bar.set_margin(0, 0, 1, 1);
            chart.draw_series([bar])?;
            base += h;
        }
    }
    for cut in [cuts.0, cuts.1] {
        chart.draw_series([PathElement::new(
            vec![(cut, 0.0), (cut, top)],
            BLACK.stroke_width(1),
        )])?;
    }
    root.present()
}

/// Draws the ROC curve (false positive rate across, true positive rate up)
/// with the diagonal of a score that predicts nothing.
pub fn draw_roc<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    roc: &[RocPoint],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .x_label_area_size(24)
        .y_label_area_size(36)
        .build_cartesian_2d(0.0_f64..1.0, 0.0_f64..1.0)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| format!("{v:.1}"))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .label_style(label_style())
        .draw()?;
    chart.draw_series([PathElement::new(
        vec![(0.0, 0.0), (1.0, 1.0)],
        GRID.stroke_width(1),
    )])?;
    chart.draw_series([PathElement::new(
        roc.iter().map(|p| (p.fpr, p.tpr)).collect::<Vec<_>>(),
        LINE.stroke_width(2),
    )])?;
    root.present()
}

/// A signal's value distribution: `counts` over `bins` equal bins from `lo`
/// to `hi`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Distribution {
    /// Lowest value.
    pub lo: f64,
    /// Highest value.
    pub hi: f64,
    /// Accounts per bin.
    pub counts: Vec<u32>,
    /// Accounts without a value.
    pub missing: usize,
}

impl Distribution {
    /// The distribution of `values` (NaN = missing) over `bins` bins.
    pub fn of(values: &[f64], bins: usize) -> Self {
        let (lo, hi) = values
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let missing = values.iter().filter(|v| !v.is_finite()).count();
        if lo > hi || bins == 0 {
            return Distribution {
                lo: 0.0,
                hi: 0.0,
                counts: Vec::new(),
                missing,
            };
        }
        let mut counts = vec![0_u32; bins];
        let span = hi - lo;
        for &v in values.iter().filter(|v| v.is_finite()) {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "the bin index is in 0..bins"
            )]
            let i = if span > 0.0 {
                (((v - lo) / span) * bins as f64).floor() as usize
            } else {
                0
            };
            counts[i.min(bins - 1)] += 1;
        }
        Distribution {
            lo,
            hi,
            counts,
            missing,
        }
    }
}

/// Draws a measure's curve (points 0–100 up) over the grey distribution of
/// its signal's values; the x range covers both the values and the curve's
/// points.
pub fn draw_curve<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    curve: &Curve,
    dist: &Distribution,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let pts = curve.points();
    let (mut lo, mut hi) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.0), hi.max(p.0))
        });
    if !dist.counts.is_empty() {
        lo = lo.min(dist.lo);
        hi = hi.max(dist.hi);
    }
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let mut chart = ChartBuilder::on(root)
        .margin(4)
        .x_label_area_size(18)
        .y_label_area_size(28)
        .build_cartesian_2d(lo..hi, 0.0_f64..105.0)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(5)
        .y_labels(3)
        .x_label_formatter(&|v| short_number(*v))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 10).into_font().color(&AXIS_TEXT))
        .draw()?;
    let most = dist.counts.iter().copied().max().unwrap_or(0).max(1);
    #[expect(clippy::cast_precision_loss, reason = "bin counts")]
    let width = (dist.hi - dist.lo) / dist.counts.len().max(1) as f64;
    for (i, &c) in dist.counts.iter().enumerate() {
        #[expect(clippy::cast_precision_loss, reason = "bin counts")]
        let x0 = dist.lo + i as f64 * width;
        let h = f64::from(c) / f64::from(most) * 100.0;
        let w = if width > 0.0 { width } else { (hi - lo) / 50.0 };
        chart.draw_series([Rectangle::new(
            [(x0, 0.0), (x0 + w, h)],
            RGBColor(200, 206, 214).filled(),
        )])?;
    }
    let line: Vec<(f64, f64)> = match curve {
        Curve::Linear(p) => {
            let mut v = Vec::with_capacity(p.len() + 2);
            if let Some(first) = p.first() {
                v.push((lo, first.1));
            }
            v.extend(p.iter().copied());
            if let Some(last) = p.last() {
                v.push((hi, last.1));
            }
            v
        }
        Curve::Steps(p) => {
            let mut v = Vec::with_capacity(p.len() * 2 + 2);
            if let Some(first) = p.first() {
                v.push((lo, first.1));
            }
            for (i, &(x, y)) in p.iter().enumerate() {
                if i > 0 {
                    v.push((x, p[i - 1].1));
                }
                v.push((x, y));
            }
            if let Some(last) = p.last() {
                v.push((hi, last.1));
            }
            v
        }
    };
    chart.draw_series([PathElement::new(line, LINE.stroke_width(2))])?;
    chart.draw_series(
        pts.iter()
            .map(|&(x, y)| Circle::new((x, y), 3, LINE.filled())),
    )?;
    root.present()
}

/// An axis number in few characters (`1.2k`, `35`, `0.5`).
fn short_number(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_distribution_counts_every_value_once_and_the_missing_apart() {
        let d = Distribution::of(&[0.0, 1.0, 2.0, 3.0, 4.0, f64::NAN], 2);
        assert_eq!(d.counts, vec![2, 3]);
        assert_eq!(d.missing, 1);
        assert_eq!((d.lo, d.hi), (0.0, 4.0));
        let flat = Distribution::of(&[5.0, 5.0], 4);
        assert_eq!(flat.counts, vec![2, 0, 0, 0]);
        assert!(Distribution::of(&[f64::NAN], 4).counts.is_empty());
    }

    fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>)) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (300, 160)).into_drawing_area();
            draw(&root);
        }
        out
    }

    #[test]
    fn the_histogram_draws_one_bar_per_band_and_bin_in_the_band_colours() {
        let out = svg(|root| {
            draw_histogram(root, &[[2, 0, 0], [0, 1, 3]], (40.0, 70.0)).unwrap();
        });
        // Red in bin 0; yellow and green stacked in bin 1.
        assert!(out.contains("#D55E00"));
        assert!(out.contains("#E69F00"));
        assert!(out.contains("#009E73"));
    }

    #[test]
    fn roc_and_curve_charts_draw_their_lines() {
        let roc = [
            RocPoint {
                threshold: None,
                fpr: 0.0,
                tpr: 0.0,
            },
            RocPoint {
                threshold: Some(50.0),
                fpr: 0.2,
                tpr: 0.7,
            },
            RocPoint {
                threshold: Some(100.0),
                fpr: 1.0,
                tpr: 1.0,
            },
        ];
        let out = svg(|root| draw_roc(root, &roc).unwrap());
        assert!(out.contains("#0072B2"));
        let curve = Curve::Steps(vec![(0.0, 0.0), (10.0, 100.0)]);
        let dist = Distribution::of(&[1.0, 2.0, 12.0], 4);
        let out = svg(|root| draw_curve(root, &curve, &dist).unwrap());
        assert!(out.contains("<circle"));
        assert_eq!(short_number(12_500.0), "12k");
    }
}
