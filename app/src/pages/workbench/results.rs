//! The live results of the draft (histogram coloured by band, accounts and
//! MRR per band per currency, movers against the published model) and the
//! back-test panel (as-of date and outcome window, AUC or why there is
//! none, ROC curve, churn per band, red lift, precision and recall, and
//! suggested weights).

use chrono::NaiveDate;
use kizuna_shared::metrics::{AucVerdict, BacktestReport, Band, BandCounts};
use leptos::html::Canvas;
use leptos::prelude::*;
use leptos_router::components::A;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};

use super::state::{Summary, Wb};
use crate::charts::canvas::Canvas as Backend;
use crate::charts::workbench::{draw_histogram, draw_roc};
use crate::components::form::ErrorAlert;
use crate::components::labels::band_label;
use crate::format;
use crate::i18n::*;

/// Sizes `canvas` and hands its drawing area to `draw`.
pub fn paint(
    canvas: web_sys::HtmlCanvasElement,
    width: u32,
    height: u32,
    draw: impl FnOnce(&DrawingArea<Backend, Shift>),
) {
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
    if let Some(backend) = Backend::new(canvas) {
        draw(&backend.into_drawing_area());
    }
}

fn counts_of(s: &Option<Summary>) -> BandCounts {
    s.as_ref().map(|s| s.counts).unwrap_or_default()
}

/// Histogram, counts and MRR per band, movers.
#[component]
pub fn Results() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        let cuts = wb.model.with(|m| (m.cuts.red, m.cuts.green));
        wb.summary.with(|s| {
            if let Some(s) = s {
                paint(el, 560, 220, |area| {
                    let _ = draw_histogram(area, &s.histogram, cuts);
                });
            }
        });
    });
    let count = move |band: Band| {
        let n = wb.summary.with(|s| counts_of(s).get(band));
        format::count(n as u64, i18n.get_locale())
    };
    let unscored = move || {
        let n = wb.summary.with(|s| counts_of(s).unscored);
        format::count(n as u64, i18n.get_locale())
    };
    view! {
        <section class="card" aria-labelledby="wb-results-title" data-testid="wb-results">
            <h2 id="wb-results-title">{tr!(i18n, workbench.results)}</h2>
            {move || wb.model_error.get().map(|e| view! {
                <p class="alert alert-error" role="alert" data-testid="model-error">
                    {tr!(i18n, workbench.model_invalid)}" "{e}
                </p>
            })}
            {move || wb.data_error.get().map(|e| view! { <ErrorAlert error=e /> })}
            <p class="muted small" aria-live="polite" data-testid="wb-load"
                data-accounts=move || wb.accounts.get().to_string()
                data-ms=move || wb.load_ms.get().map(|ms| format!("{ms:.1}"))>
                {move || {
                    let n = format::count(wb.accounts.get() as u64, i18n.get_locale());
                    if wb.fetching.get() {
                        t_string!(i18n, workbench.fetching).to_string()
                    } else {
                        t_string!(i18n, workbench.accounts_scored, n = n).to_string()
                    }
                }}
                " "
                <span data-testid="wb-update" data-ms=move || wb.summary.with(|s| s.as_ref().map(|s| format!("{:.2}", s.millis)))>
                    {move || wb.summary.with(|s| s.as_ref().map(|s| {
                        let ms = format!("{:.1}", s.millis);
                        t_string!(i18n, workbench.update_ms, ms = ms).to_string()
                    }))}
                </span>
            </p>
            <canvas node_ref=canvas class="wb-histogram" role="img" data-testid="wb-histogram"
                aria-label=tr!(i18n, workbench.histogram)></canvas>
            <table class="data-table band-table" data-testid="band-counts">
                <thead><tr>
                    <th scope="col">{tr!(i18n, workbench.band)}</th>
                    <th scope="col">{tr!(i18n, workbench.accounts)}</th>
                </tr></thead>
                <tbody>
                    {Band::ALL.into_iter().map(|b| view! {
                        <tr data-band=b.as_str()>
                            <th scope="row"><span class=format!("band-dot band-{}", b.as_str())></span>{move || band_label(i18n.get_locale(), b)}</th>
                            <td class="num" data-testid=format!("count-{}", b.as_str())>{move || count(b)}</td>
                        </tr>
                    }).collect_view()}
                    <tr>
                        <th scope="row">{tr!(i18n, workbench.unscored)}</th>
                        <td class="num">{unscored}</td>
                    </tr>
                </tbody>
            </table>
            <MrrTable />
            <Movers />
        </section>
    }
}

/// MRR per band, one row per currency (amounts are never added across
/// currencies).
#[component]
fn MrrTable() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    view! {
        <table class="data-table" data-testid="band-mrr">
            <caption>{tr!(i18n, workbench.mrr_by_band)}</caption>
            <thead><tr>
                <th scope="col">{tr!(i18n, workbench.currency)}</th>
                {Band::ALL.into_iter().map(|b| view! { <th scope="col">{move || band_label(i18n.get_locale(), b)}</th> }).collect_view()}
            </tr></thead>
            <tbody>
                {move || {
                    let locale = i18n.get_locale();
                    wb.summary.with(|s| s.as_ref().map(|s| s.mrr.iter().map(|c| {
                        let cells = Band::ALL.map(|b| {
                            let n = c.bands.accounts.get(b) as u64;
                            format!("{} ({})", format::money(c.bands.get(b), c.currency, locale), format::count(n, locale))
                        });
                        view! { <tr>
                            <th scope="row">{c.currency.as_str()}</th>
                            {cells.into_iter().map(|t| view! { <td class="num">{t}</td> }).collect_view()}
                        </tr> }
                    }).collect_view()))
                }}
            </tbody>
        </table>
    }
}

/// Accounts changing band against the published model.
#[component]
fn Movers() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let band = move |b: Option<Band>| match b {
        Some(b) => band_label(i18n.get_locale(), b),
        None => t_string!(i18n, workbench.unscored).to_string(),
    };
    let score = move |s: Option<f64>| s.map_or_else(|| "—".to_owned(), |s| format!("{s:.1}"));
    view! {
        <section aria-labelledby="wb-movers-title" data-testid="wb-movers">
            <h3 id="wb-movers-title">{tr!(i18n, workbench.movers)}</h3>
            <p data-testid="movement">
                {move || {
                    let locale = i18n.get_locale();
                    let (up, down) = wb.summary.with(|s| s.as_ref().map_or((0, 0), |s| (s.up, s.down)));
                    t_string!(i18n, workbench.movement,
                        up = format::count(up as u64, locale),
                        down = format::count(down as u64, locale)).to_string()
                }}
            </p>
            <table class="data-table">
                <thead><tr>
                    <th scope="col">{tr!(i18n, workbench.account)}</th>
                    <th scope="col">{tr!(i18n, workbench.before)}</th>
                    <th scope="col">{tr!(i18n, workbench.after)}</th>
                </tr></thead>
                <tbody>
                    {move || wb.summary.with(|s| s.as_ref().map(|s| s.movers.iter().take(20).map(|m| {
                        let href = format!("/accounts/{}", m.id);
                        let name = m.name.clone();
                        let before = format!("{} {}", band(m.mover.before), score(m.mover.score_before));
                        let after = format!("{} {}", band(m.mover.after), score(m.mover.score_after));
                        view! { <tr>
                            <th scope="row"><A href=href>{name}</A></th>
                            <td>{before}</td>
                            <td>{after}</td>
                        </tr> }
                    }).collect_view()))}
                </tbody>
            </table>
        </section>
    }
}

/// The AUC as text, or why there is none.
fn auc_text(i18n: leptos_i18n::I18nContext<Locale>, r: &BacktestReport) -> String {
    match (r.auc_verdict, r.auc) {
        (AucVerdict::TooFewChurned { churned, needed }, _) => t_string!(
            i18n,
            workbench.too_few_churned,
            churned = churned,
            needed = needed
        )
        .to_string(),
        (AucVerdict::TooFewRetained { retained, needed }, _) => t_string!(
            i18n,
            workbench.too_few_retained,
            retained = retained,
            needed = needed
        )
        .to_string(),
        (AucVerdict::Meaningful, Some(a)) => format!("{a:.3}"),
        (AucVerdict::Meaningful, None) => "—".to_owned(),
    }
}

/// The back-test panel and suggested weights.
#[component]
pub fn Backtest() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        wb.summary.with(|s| {
            if let Some(s) = s {
                paint(el, 280, 240, |area| {
                    let _ = draw_roc(area, &s.backtest.roc);
                });
            }
        });
    });
    let date_bad = RwSignal::new(false);
    let window_bad = RwSignal::new(false);
    let set_date = move |ev| match event_target_value(&ev).parse::<NaiveDate>() {
        Ok(d) if d <= chrono::Local::now().date_naive() => {
            date_bad.set(false);
            wb.as_of.set(d);
            super::refetch(wb);
        }
        _ => date_bad.set(true),
    };
    let set_window = move |ev| match event_target_value(&ev).trim().parse::<u32>() {
        Ok(d) if (1..=730).contains(&d) => {
            window_bad.set(false);
            wb.window_days.set(d);
            super::refetch(wb);
        }
        _ => window_bad.set(true),
    };
    let report = move |f: fn(&BacktestReport) -> Option<f64>, pct: bool| {
        let locale = i18n.get_locale();
        wb.summary.with(|s| {
            s.as_ref().and_then(|s| f(&s.backtest)).map_or_else(
                || "—".to_owned(),
                |v| {
                    if pct {
                        format::percent(v, locale)
                    } else {
                        format!("{v:.2}×")
                    }
                },
            )
        })
    };
    let auc = move || {
        wb.summary
            .with(|s| s.as_ref().map(|s| auc_text(i18n, &s.backtest)))
            .unwrap_or_default()
    };
    view! {
        <section class="card" aria-labelledby="wb-backtest-title" data-testid="wb-backtest">
            <h2 id="wb-backtest-title">{tr!(i18n, workbench.backtest)}</h2>
            <div class="measure-row">
                <label for="wb-as-of">{tr!(i18n, workbench.as_of)}</label>
                <input type="date" id="wb-as-of" data-testid="as-of"
                    prop:value=move || wb.as_of.get().to_string()
                    aria-invalid=move || if date_bad.get() { "true" } else { "false" }
                    on:change=set_date />
                <label for="wb-window">{tr!(i18n, workbench.window_days)}</label>
                <input type="number" id="wb-window" min="1" max="730" class="num-input" data-testid="window-days"
                    prop:value=move || wb.window_days.get().to_string()
                    aria-invalid=move || if window_bad.get() { "true" } else { "false" }
                    on:change=set_window />
            </div>
            <p class="field-error" role="alert">
                {move || date_bad.get().then_some(tr!(i18n, workbench.as_of_invalid))}
                {move || window_bad.get().then_some(tr!(i18n, workbench.window_invalid))}
            </p>
            <dl class="kv">
                <dt>{tr!(i18n, workbench.auc)}</dt>
                <dd data-testid="auc">{auc}</dd>
                <dt>{tr!(i18n, workbench.red_lift)}</dt>
                <dd data-testid="red-lift">{move || report(|r| r.red_lift, false)}</dd>
                <dt>{tr!(i18n, workbench.precision)}</dt>
                <dd data-testid="precision">{move || report(|r| r.red_precision_pct, true)}</dd>
                <dt>{tr!(i18n, workbench.recall)}</dt>
                <dd data-testid="recall">{move || report(|r| r.red_recall_pct, true)}</dd>
            </dl>
            <canvas node_ref=canvas class="wb-roc" role="img" data-testid="wb-roc"
                aria-label=tr!(i18n, workbench.roc)></canvas>
            <table class="data-table" data-testid="churn-by-band">
                <caption>{tr!(i18n, workbench.churn_by_band)}</caption>
                <thead><tr>
                    <th scope="col">{tr!(i18n, workbench.band)}</th>
                    <th scope="col">{tr!(i18n, workbench.accounts)}</th>
                    <th scope="col">{tr!(i18n, workbench.churned)}</th>
                    <th scope="col">{tr!(i18n, workbench.churn_rate)}</th>
                </tr></thead>
                <tbody>
                    {Band::ALL.into_iter().map(|b| {
                        let cell = move |f: fn(&kizuna_shared::metrics::BandOutcome) -> String| {
                            wb.summary.with(|s| s.as_ref().map(|s| f(s.backtest.bands.get(b))).unwrap_or_default())
                        };
                        view! { <tr>
                            <th scope="row">{move || band_label(i18n.get_locale(), b)}</th>
                            <td class="num">{move || cell(|o| o.accounts.to_string())}</td>
                            <td class="num">{move || cell(|o| o.churned.to_string())}</td>
                            <td class="num">{move || {
                                let locale = i18n.get_locale();
                                wb.summary.with(|s| s.as_ref()
                                    .and_then(|s| s.backtest.bands.get(b).churn_pct)
                                    .map_or_else(|| "—".to_owned(), |p| format::percent(p, locale)))
                            }}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || wb.editable>
                <Suggest />
            </Show>
        </section>
    }
}

/// "Suggest weights": the fit's AUC beside the current one, applied on
/// request (one undo step).
#[component]
fn Suggest() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let auc = |a: Option<f64>| a.map_or_else(|| "—".to_owned(), |a| format!("{a:.3}"));
    view! {
        <div class="suggest" data-testid="suggest">
            <button type="button" class="button" on:click=move |_| wb.suggest() data-testid="suggest-button">
                {tr!(i18n, workbench.suggest)}
            </button>
            {move || wb.suggestion.get().map(|s| match s {
                Ok(s) => {
                    let weights = s.weights.clone();
                    let signals = wb.signals.get();
                    let rows = wb.model.with(|m| m.measures.iter().zip(&s.weights).map(|(m, w)| {
                        let name = super::measures::measure_label(i18n, &signals, &m.signal, m.trend);
                        (name, m.weight, *w)
                    }).collect::<Vec<_>>());
                    view! {
                        <dl class="kv">
                            <dt>{tr!(i18n, workbench.current_auc)}</dt>
                            <dd data-testid="current-auc">{auc(s.current_auc)}</dd>
                            <dt>{tr!(i18n, workbench.suggested_auc)}</dt>
                            <dd data-testid="suggested-auc">{auc(s.suggested_auc)}</dd>
                        </dl>
                        <table class="data-table">
                            <thead><tr>
                                <th scope="col">{tr!(i18n, workbench.measure)}</th>
                                <th scope="col">{tr!(i18n, workbench.current_weight)}</th>
                                <th scope="col">{tr!(i18n, workbench.suggested_weight)}</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|(name, cur, sug)| view! { <tr>
                                    <th scope="row">{name}</th>
                                    <td class="num">{format!("{cur:.1}")}</td>
                                    <td class="num">{format!("{sug:.1}")}</td>
                                </tr> }).collect_view()}
                            </tbody>
                        </table>
                        <button type="button" class="button" data-testid="apply-suggestion"
                            on:click=move |_| { wb.apply_weights(&weights); wb.suggestion.set(None); }>
                            {tr!(i18n, workbench.apply_suggestion)}
                        </button>
                    }.into_any()
                }
                Err(e) => view! {
                    <p class="alert alert-error" role="alert">{tr!(i18n, workbench.suggest_failed)}" "{e}</p>
                }.into_any(),
            })}
        </div>
    }
}
