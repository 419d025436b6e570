//! A chart card: a plotters chart on a canvas that fills the card's width,
//! the value under the pointer, PNG and CSV downloads, and the same data as
//! a table — the dashboard's charts and the account page's score trend.

use std::sync::Arc;

use crate::charts::kpi::Grid;
use crate::charts::PlotArea;
use crate::i18n::*;
use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use plotters::prelude::IntoDrawingArea;
use wasm_bindgen::JsCast;

/// What the pointer is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// A slot (period, month, snapshot) of a bar or line chart.
    Slot(usize),
    /// A cell (row, column) of the heatmap.
    Cell(usize, usize),
}

/// Where a chart drew, for mapping the pointer back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitMap {
    /// Slots side by side.
    Slots(PlotArea),
    /// Heatmap cells.
    Grid(Grid),
}

impl HitMap {
    fn at(&self, x: f64, y: f64) -> Option<Hit> {
        match self {
            HitMap::Slots(a) => a.month_at(x).map(Hit::Slot),
            HitMap::Grid(g) => g.cell_at(x, y).map(|(r, c)| Hit::Cell(r, c)),
        }
    }
}

type Backend = super::canvas::Canvas;
/// The drawing area of a chart card's canvas.
pub type Area = plotters::drawing::DrawingArea<Backend, plotters::coord::Shift>;

/// Draws a chart and says where, for hover mapping.
pub type DrawFn = Arc<dyn Fn(&Area, Option<Hit>) -> Option<HitMap> + Send + Sync>;

/// The header and rows of a chart's table.
pub type TableFn = Arc<dyn Fn() -> (Vec<String>, Vec<Vec<String>>) + Send + Sync>;

/// The text for what the pointer is over.
pub type HoverFn = Arc<dyn Fn(Hit) -> Option<String> + Send + Sync>;

/// The CSV download's text.
pub type CsvFn = Arc<dyn Fn() -> String + Send + Sync>;

/// Everything a chart card needs: how to draw, what the pointer shows, the
/// accessible table and the CSV.
#[derive(Clone)]
pub struct ChartSpec {
    /// Stable id: `data-testid="chart-{id}"` and the download names.
    pub id: &'static str,
    /// Title, in the user's language.
    pub title: Signal<String>,
    /// Canvas height in pixels (the width follows the card).
    pub height: u32,
    /// Draws the chart.
    pub draw: DrawFn,
    /// The text for what the pointer is over.
    pub hover: HoverFn,
    /// The accessible table.
    pub table: TableFn,
    /// The CSV download.
    pub csv: CsvFn,
}

/// A chart on a canvas that fills its card's width (redrawn when the window
/// resizes or the language changes), with the value under the pointer,
/// PNG and CSV downloads, and the same data as a table.
#[component]
pub fn ChartCard(spec: ChartSpec) -> impl IntoView {
    let i18n = use_i18n();
    let canvas = NodeRef::<Canvas>::new();
    let frame = NodeRef::<Div>::new();
    let hovered = RwSignal::new(None::<Hit>);
    let map = RwSignal::new(None::<HitMap>);
    let width = RwSignal::new(0_u32);
    let measure = move || {
        if let Some(el) = frame.get_untracked() {
            let w = u32::try_from(el.client_width()).unwrap_or(0);
            if w > 0 && w != width.get_untracked() {
                width.set(w);
            }
        }
    };
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    let draw = spec.draw.clone();
    let height = spec.height;
    Effect::new(move |_| {
        i18n.get_locale();
        let hit = hovered.get();
        if width.get() == 0 {
            measure();
        }
        let w = width.get();
        let Some(el) = canvas.get() else { return };
        if w == 0 {
            return;
        }
        el.set_width(w);
        el.set_height(height);
        let Some(backend) = super::canvas::Canvas::new(el) else {
            return;
        };
        let area = backend.into_drawing_area();
        map.set(draw(&area, hit));
    });
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let (Some(m), Some(el)) = (map.get_untracked(), canvas.get_untracked()) else {
            return;
        };
        let rect = el.get_bounding_client_rect();
        if rect.width() <= 0.0 || rect.height() <= 0.0 {
            return;
        }
        let x = (f64::from(ev.client_x()) - rect.left()) * f64::from(el.width()) / rect.width();
        let y = (f64::from(ev.client_y()) - rect.top()) * f64::from(el.height()) / rect.height();
        let hit = m.at(x, y);
        if hovered.get_untracked() != hit {
            hovered.set(hit);
        }
    };
    let hover = spec.hover.clone();
    let hover_text = move || hovered.get().and_then(|h| hover(h));
    let id = spec.id;
    let title = spec.title;
    let png = move |_| {
        if let Some(el) = canvas.get_untracked() {
            if let Ok(url) = el.to_data_url_with_type("image/png") {
                download(&url, &format!("kizuna-{id}.png"));
            }
        }
    };
    let csv_of = spec.csv.clone();
    let csv_click = move |_| {
        save_text(
            &csv_of(),
            "text/csv;charset=utf-8",
            &format!("kizuna-{id}.csv"),
        )
    };
    let table = spec.table.clone();
    view! {
        <section class="card chart-card" data-testid=format!("chart-{id}") aria-labelledby=format!("chart-{id}-title")>
            <div class="chart-head">
                <h2 id=format!("chart-{id}-title")>{move || title.get()}</h2>
                <div class="chart-actions">
                    <button type="button" class="button button-quiet" on:click=png data-testid="export-png"
                        aria-label=move || t_string!(i18n, export_png_label, chart = title.get()).to_string()>"PNG"</button>
                    <button type="button" class="button button-quiet" on:click=csv_click data-testid="export-csv"
                        aria-label=move || t_string!(i18n, export_csv_label, chart = title.get()).to_string()>"CSV"</button>
                </div>
            </div>
            <div class="chart-frame" node_ref=frame>
                <canvas node_ref=canvas role="img" aria-label=move || title.get()
                    on:mousemove=on_move on:mouseleave=move |_| hovered.set(None)></canvas>
            </div>
            <p class="chart-hover" aria-live="polite" data-testid="chart-hover">
                {move || hover_text().unwrap_or_else(|| t_string!(i18n, hover_hint).to_string())}
            </p>
            <details class="chart-table">
                <summary>{tr!(i18n, show_table)}</summary>
                {move || {
                    i18n.get_locale();
                    let (header, rows) = table();
                    view! {
                        <table class="data-table">
                            <thead><tr>{header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| {
                                    let mut cells = r.into_iter();
                                    let first = cells.next().unwrap_or_default();
                                    view! { <tr><th scope="row">{first}</th>{cells.map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                }}
            </details>
        </section>
    }
}

/// Makes the browser download `href` (a data or object URL) as `name`.
fn download(href: &str, name: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(a) = document.create_element("a") else {
        return;
    };
    let _ = a.set_attribute("href", href);
    let _ = a.set_attribute("download", name);
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
        if let Some(a) = a.dyn_ref::<web_sys::HtmlElement>() {
            a.click();
        }
        let _ = body.remove_child(&a);
    }
}

/// Downloads `text` as a file.
fn save_text(text: &str, mime: &str, name: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    if let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) {
        download(&url, name);
        let _ = web_sys::Url::revoke_object_url(&url);
    }
}
