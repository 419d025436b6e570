//! The draft's measures: per measure its weight (slider and number), missing
//! data policy and curve (points or steps, with a preview over the signal's
//! value distribution); adding a signal's value or trend; the band
//! cut-offs. Read-only users see the same model as a table.

use kizuna_shared::api::SignalDefinition;
use kizuna_shared::metrics::{Curve, Measure, MissingPolicy, Trend, TrendKind, MAX_TREND_DAYS};
use leptos::html::Canvas;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::state::Wb;
use crate::charts::workbench::draw_curve;
use crate::components::labels::{missing_policy_label, trend_label};
use crate::format;
use crate::i18n::*;

/// The signal's label in the user's language (its key when unknown).
pub fn signal_label(i18n: I18nContext<Locale>, signals: &[SignalDefinition], key: &str) -> String {
    let ja = i18n.get_locale() == Locale::ja;
    signals
        .iter()
        .find(|s| s.key == key)
        .map(|s| match (&s.label_ja, ja) {
            (Some(l), true) => l.clone(),
            _ => s.label.clone(),
        })
        .unwrap_or_else(|| key.to_owned())
}

/// A measure's name: the signal, and its trend when it reads one.
pub fn measure_label(
    i18n: I18nContext<Locale>,
    signals: &[SignalDefinition],
    signal: &str,
    trend: Option<Trend>,
) -> String {
    let name = signal_label(i18n, signals, signal);
    match trend {
        Some(t) => format!("{name} — {}", trend_label(i18n, t)),
        None => name,
    }
}

/// Parses a number typed into an input (`None` when it is not one).
fn number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The measures and cut-offs, editable or read-only.
#[component]
pub fn MeasuresEditor() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let count = Memo::new(move |_| wb.model.with(|m| m.measures.len()));
    let total = Memo::new(move |_| {
        wb.model
            .with(|m| m.measures.iter().map(|m| m.weight).sum::<f64>())
    });
    view! {
        <section class="card" aria-labelledby="wb-measures-title">
            <h2 id="wb-measures-title">{tr!(i18n, workbench.measures)}</h2>
            {move || if wb.editable {
                (0..count.get()).map(|i| view! { <MeasureCard index=i total=total /> }).collect_view().into_any()
            } else {
                view! { <ReadOnlyMeasures total=total /> }.into_any()
            }}
            <Show when=move || wb.editable>
                <AddMeasure />
            </Show>
            <BandCuts />
        </section>
    }
}

/// The published model's measures as a table (CSMs, executives).
#[component]
fn ReadOnlyMeasures(total: Memo<f64>) -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    view! {
        <table class="data-table" data-testid="wb-readonly-measures">
            <thead><tr>
                <th scope="col">{tr!(i18n, workbench.measure)}</th>
                <th scope="col">{tr!(i18n, workbench.weight)}</th>
                <th scope="col">{tr!(i18n, workbench.missing)}</th>
                <th scope="col">{tr!(i18n, workbench.curve)}</th>
            </tr></thead>
            <tbody>
                {move || {
                    let locale = i18n.get_locale();
                    let signals = wb.signals.get();
                    let t = total.get();
                    wb.model.with(|m| m.measures.iter().map(|m| {
                        let share = if t > 0.0 { m.weight / t * 100.0 } else { 0.0 };
                        let points = m.curve.points().iter()
                            .map(|(x, y)| format!("{x}→{y}"))
                            .collect::<Vec<_>>().join(", ");
                        view! { <tr>
                            <th scope="row">{measure_label(i18n, &signals, &m.signal, m.trend)}</th>
                            <td class="num">{format::percent(share, locale)}</td>
                            <td>{missing_policy_label(i18n, m.missing)}</td>
                            <td>{points}</td>
                        </tr> }
                    }).collect_view())
                }}
            </tbody>
        </table>
    }
}

/// One measure's editor.
#[component]
fn MeasureCard(index: usize, total: Memo<f64>) -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let measure = Memo::new(move |_| wb.model.with(|m| m.measures.get(index).cloned()));
    let weight = move || measure.with(|m| m.as_ref().map_or(0.0, |m| m.weight));
    let weight_bad = RwSignal::new(false);
    let id = move |what: &str| format!("wb-m{index}-{what}");
    let set_weight = move |text: String, from_number: bool| match number(&text)
        .filter(|v| (0.0..=1000.0).contains(v))
    {
        Some(v) => {
            weight_bad.set(false);
            wb.edit(&format!("weight:{index}"), |m| {
                if let Some(me) = m.measures.get_mut(index) {
                    me.weight = v;
                }
            });
        }
        None if from_number => weight_bad.set(true),
        None => {}
    };
    let title = move || {
        let signals = wb.signals.get();
        measure.with(|m| {
            m.as_ref()
                .map(|m| measure_label(i18n, &signals, &m.signal, m.trend))
                .unwrap_or_default()
        })
    };
    let share = move || {
        let t = total.get();
        let share = if t > 0.0 { weight() / t * 100.0 } else { 0.0 };
        format::percent(share, i18n.get_locale())
    };
    let remove = move |_| {
        wb.end_step();
        wb.edit("remove", |m| {
            if index < m.measures.len() {
                m.measures.remove(index);
            }
        });
        wb.end_step();
    };
    let set_missing = move |ev| {
        let policy = if event_target_value(&ev) == "zero" {
            MissingPolicy::Zero
        } else {
            MissingPolicy::Skip
        };
        wb.end_step();
        wb.edit(&format!("missing:{index}"), |m| {
            if let Some(me) = m.measures.get_mut(index) {
                me.missing = policy;
            }
        });
    };
    let set_kind = move |ev| {
        let steps = event_target_value(&ev) == "steps";
        wb.end_step();
        wb.edit(&format!("kind:{index}"), |m| {
            if let Some(me) = m.measures.get_mut(index) {
                let pts = me.curve.points().to_vec();
                me.curve = if steps {
                    Curve::Steps(pts)
                } else {
                    Curve::Linear(pts)
                };
            }
        });
    };
    let kind = move || {
        measure.with(|m| match m.as_ref().map(|m| &m.curve) {
            Some(Curve::Steps(_)) => "steps",
            _ => "linear",
        })
    };
    let missing = move || {
        measure.with(|m| match m.as_ref().map(|m| m.missing) {
            Some(MissingPolicy::Zero) => "zero",
            _ => "skip",
        })
    };
    let testid = format!("measure-{index}");
    view! {
        <fieldset class="measure" data-testid=testid>
            <legend>{title}</legend>
            <div class="measure-row">
                <label for=id("weight")>{tr!(i18n, workbench.weight)}</label>
                <input type="range" id=id("weight") min="0" max="100" step="1" data-testid="weight-slider"
                    prop:value=move || weight().to_string()
                    on:input=move |ev| set_weight(event_target_value(&ev), false)
                    on:change=move |_| wb.end_step() />
                <label class="visually-hidden" for=id("weight-n")>{tr!(i18n, workbench.weight_number)}</label>
                <input type="number" id=id("weight-n") min="0" max="1000" step="any" class="num-input" data-testid="weight-number"
                    prop:value=move || weight().to_string()
                    aria-invalid=move || if weight_bad.get() { "true" } else { "false" }
                    aria-describedby=id("weight-err")
                    on:change=move |ev| { set_weight(event_target_value(&ev), true); wb.end_step(); } />
                <span class="muted" data-testid="weight-share">{share}</span>
            </div>
            <p class="field-error" id=id("weight-err")>
                {move || weight_bad.get().then_some(tr!(i18n, workbench.weight_invalid))}
            </p>
            <div class="measure-row">
                <label for=id("missing")>{tr!(i18n, workbench.missing)}</label>
                <select id=id("missing") on:change=set_missing prop:value=missing>
                    <option value="skip">{move || missing_policy_label(i18n, MissingPolicy::Skip)}</option>
                    <option value="zero">{move || missing_policy_label(i18n, MissingPolicy::Zero)}</option>
                </select>
                <label for=id("kind")>{tr!(i18n, workbench.curve)}</label>
                <select id=id("kind") on:change=set_kind prop:value=kind>
                    <option value="linear">{tr!(i18n, workbench.curve_linear)}</option>
                    <option value="steps">{tr!(i18n, workbench.curve_steps)}</option>
                </select>
                <button type="button" class="button button-quiet" on:click=remove
                    aria-label=move || t_string!(i18n, workbench.remove_measure_label, measure = title()).to_string()>
                    {tr!(i18n, workbench.remove)}
                </button>
            </div>
            <CurvePoints index=index measure=measure />
            <CurvePreview index=index measure=measure />
        </fieldset>
    }
}

/// The curve's points as pairs of number inputs.
#[component]
fn CurvePoints(index: usize, measure: Memo<Option<Measure>>) -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let n = Memo::new(move |_| measure.with(|m| m.as_ref().map_or(0, |m| m.curve.points().len())));
    let set_point = move |p: usize, axis: usize, text: String| {
        let Some(v) = number(&text) else { return };
        let v = if axis == 1 { v.clamp(0.0, 100.0) } else { v };
        wb.edit(&format!("point:{index}:{p}:{axis}"), |m| {
            if let Some(me) = m.measures.get_mut(index) {
                let pts = match &mut me.curve {
                    Curve::Linear(p) | Curve::Steps(p) => p,
                };
                if let Some(pt) = pts.get_mut(p) {
                    if axis == 0 {
                        pt.0 = v;
                    } else {
                        pt.1 = v;
                    }
                }
            }
        });
    };
    let add = move |_| {
        wb.end_step();
        wb.edit("add-point", |m| {
            if let Some(me) = m.measures.get_mut(index) {
                let pts = match &mut me.curve {
                    Curve::Linear(p) | Curve::Steps(p) => p,
                };
                let next = pts
                    .last()
                    .map_or((0.0, 50.0), |&(x, y)| (x + x.abs().max(1.0), y));
                pts.push(next);
            }
        });
        wb.end_step();
    };
    let remove = move |p: usize| {
        wb.end_step();
        wb.edit("remove-point", |m| {
            if let Some(me) = m.measures.get_mut(index) {
                let pts = match &mut me.curve {
                    Curve::Linear(p) | Curve::Steps(p) => p,
                };
                if pts.len() > 1 && p < pts.len() {
                    pts.remove(p);
                }
            }
        });
        wb.end_step();
    };
    view! {
        <table class="points">
            <thead><tr>
                <th scope="col">{tr!(i18n, workbench.point_value)}</th>
                <th scope="col">{tr!(i18n, workbench.point_score)}</th>
                <th scope="col"><span class="visually-hidden">{tr!(i18n, workbench.remove)}</span></th>
            </tr></thead>
            <tbody>
                {move || (0..n.get()).map(|p| {
                    let get = move |axis: usize| measure.with(|m| m.as_ref()
                        .and_then(|m| m.curve.points().get(p).copied())
                        .map(|pt| if axis == 0 { pt.0 } else { pt.1 })
                        .unwrap_or_default()
                        .to_string());
                    let x_label = move || t_string!(i18n, workbench.point_value_label, n = p + 1).to_string();
                    let y_label = move || t_string!(i18n, workbench.point_score_label, n = p + 1).to_string();
                    view! { <tr>
                        <td><input type="number" step="any" class="num-input" aria-label=x_label
                            prop:value=move || get(0)
                            on:change=move |ev| { set_point(p, 0, event_target_value(&ev)); wb.end_step(); } /></td>
                        <td><input type="number" min="0" max="100" step="any" class="num-input" aria-label=y_label
                            prop:value=move || get(1)
                            on:change=move |ev| { set_point(p, 1, event_target_value(&ev)); wb.end_step(); } /></td>
                        <td><button type="button" class="button button-quiet" on:click=move |_| remove(p)
                            disabled=move || n.get() <= 1
                            aria-label=move || t_string!(i18n, workbench.remove_point_label, n = p + 1).to_string()>"×"</button></td>
                    </tr> }
                }).collect_view()}
            </tbody>
        </table>
        <button type="button" class="button button-quiet" on:click=add>{tr!(i18n, workbench.add_point)}</button>
    }
}

/// The curve drawn over the signal's value distribution.
#[component]
fn CurvePreview(index: usize, measure: Memo<Option<Measure>>) -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let canvas = NodeRef::<Canvas>::new();
    let dist = Memo::new(move |_| {
        wb.summary
            .with(|s| s.as_ref().and_then(|s| s.distributions.get(index).cloned()))
    });
    Effect::new(move |_| {
        let Some(el) = canvas.get() else { return };
        let d = dist.get().unwrap_or_default();
        measure.with(|m| {
            if let Some(m) = m {
                super::results::paint(el, 280, 120, |area| {
                    let _ = draw_curve(area, &m.curve, &d);
                });
            }
        });
    });
    let missing = move || {
        dist.with(|d| {
            d.as_ref().map(|d| {
                let n = format::count(d.missing as u64, i18n.get_locale());
                t_string!(i18n, workbench.missing_values, n = n).to_string()
            })
        })
    };
    view! {
        <canvas node_ref=canvas class="curve-preview" role="img"
            aria-label=tr!(i18n, workbench.curve_preview)></canvas>
        <p class="muted small">{missing}</p>
    }
}

/// Adds a signal's value or trend as a measure.
#[component]
fn AddMeasure() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let signal = RwSignal::new(String::new());
    let read = RwSignal::new("value".to_owned());
    let days = RwSignal::new("60".to_owned());
    let problem = RwSignal::new(None::<String>);
    let add = move |_| {
        let key = signal.get_untracked();
        let Some(def) = wb
            .signals
            .with_untracked(|s| s.iter().find(|d| d.key == key).cloned())
        else {
            problem.set(Some(t_string!(i18n, workbench.pick_signal).to_string()));
            return;
        };
        let trend = match read.get_untracked().as_str() {
            "value" => None,
            kind => {
                let Some(d) = days
                    .get_untracked()
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|d| (1..=MAX_TREND_DAYS).contains(d))
                else {
                    problem.set(Some(
                        t_string!(i18n, workbench.trend_days_invalid, max = MAX_TREND_DAYS)
                            .to_string(),
                    ));
                    return;
                };
                Some(Trend {
                    days: d,
                    kind: if kind == "relative" {
                        TrendKind::Relative
                    } else {
                        TrendKind::Absolute
                    },
                })
            }
        };
        if wb.model.with_untracked(|m| {
            m.measures
                .iter()
                .any(|m| m.signal == def.key && m.trend == trend)
        }) {
            problem.set(Some(
                t_string!(i18n, workbench.already_measured).to_string(),
            ));
            return;
        }
        let (lo, hi) = wb.value_range(&def.key, trend);
        let (y0, y1) = if def.higher_is_better {
            (0.0, 100.0)
        } else {
            (100.0, 0.0)
        };
        let mut measure = Measure::new(
            def.key.clone(),
            10.0,
            Curve::Linear(vec![(lo, y0), (hi, y1)]),
        );
        measure.trend = trend;
        problem.set(None);
        wb.end_step();
        wb.edit("add-measure", |m| m.measures.push(measure));
        wb.end_step();
    };
    view! {
        <fieldset class="add-measure" data-testid="add-measure">
            <legend>{tr!(i18n, workbench.add_measure)}</legend>
            <label for="wb-add-signal">{tr!(i18n, workbench.signal)}</label>
            <select id="wb-add-signal" on:change=move |ev| signal.set(event_target_value(&ev)) prop:value=move || signal.get()>
                <option value="">{tr!(i18n, workbench.pick_signal)}</option>
                {move || {
                    let signals = wb.signals.get();
                    signals.iter().filter(|s| !s.retired).map(|s| {
                        let label = signal_label(i18n, &signals, &s.key);
                        view! { <option value=s.key.clone()>{label}</option> }
                    }).collect_view()
                }}
            </select>
            <label for="wb-add-read">{tr!(i18n, workbench.reads)}</label>
            <select id="wb-add-read" on:change=move |ev| read.set(event_target_value(&ev)) prop:value=move || read.get()>
                <option value="value">{tr!(i18n, workbench.reads_value)}</option>
                <option value="absolute">{tr!(i18n, workbench.reads_trend_absolute)}</option>
                <option value="relative">{tr!(i18n, workbench.reads_trend_relative)}</option>
            </select>
            <Show when=move || read.get() != "value">
                <label for="wb-add-days">{tr!(i18n, workbench.trend_days)}</label>
                <input type="number" id="wb-add-days" min="1" max=MAX_TREND_DAYS.to_string() class="num-input"
                    prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
            </Show>
            <button type="button" class="button" on:click=add data-testid="add-measure-button">{tr!(i18n, workbench.add)}</button>
            <p class="field-error" role="alert">{move || problem.get()}</p>
        </fieldset>
    }
}

/// The two band cut-offs.
#[component]
fn BandCuts() -> impl IntoView {
    let i18n = use_i18n();
    let wb = expect_context::<Wb>();
    let cut = move |green: bool| {
        wb.model
            .with(|m| if green { m.cuts.green } else { m.cuts.red })
    };
    let set = move |green: bool, text: String| {
        let Some(v) = number(&text).map(|v| v.clamp(0.0, 100.0)) else {
            return;
        };
        wb.edit(if green { "cut-green" } else { "cut-red" }, |m| {
            // Moving one cut past the other pushes the other along, so the
            // cut-offs stay in order.
            if green {
                m.cuts.green = v;
                m.cuts.red = m.cuts.red.min(v);
            } else {
                m.cuts.red = v;
                m.cuts.green = m.cuts.green.max(v);
            }
        });
    };
    let row = move |green: bool| {
        let name = if green { "green" } else { "red" };
        let id = format!("wb-cut-{name}");
        let label = move || {
            if green {
                t_string!(i18n, workbench.cut_green)
            } else {
                t_string!(i18n, workbench.cut_red)
            }
        };
        let input = wb.editable.then(|| {
            view! {
                <input type="range" id=id.clone() min="0" max="100" step="1" data-testid=format!("cut-{name}")
                    prop:value=move || cut(green).to_string()
                    on:input=move |ev| set(green, event_target_value(&ev))
                    on:change=move |_| wb.end_step() />
            }
        });
        view! {
            <div class="measure-row">
                <label for=id.clone()>{label}</label>
                {input}
                <output for=id>{move || format!("{:.0}", cut(green))}</output>
            </div>
        }
    };
    view! {
        <fieldset class="band-cuts">
            <legend>{tr!(i18n, workbench.cuts)}</legend>
            {row(false)}
            {row(true)}
        </fieldset>
    }
}
