//! The wizard's third step: which header feeds which of our columns (as
//! the server suggested, changeable), a signals file's layout and date, the
//! currency of a file without a currency column, and what is still missing.

use crate::components::labels::{delimiter_label, encoding_label, import_column_label};
use crate::i18n::*;
use crate::import_file::Layout;
use kizuna_shared::api::ImportKind;
use kizuna_shared::domain::Currency;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::wizard::{Step, Wizard};

/// The column mapping and the choices a file may need (the step's `<li>`).
pub fn mapping_step(i18n: I18nContext<Locale>, w: Wizard) -> impl IntoView {
    let Wizard {
        kind,
        read,
        mapping,
        running,
        layout,
        headers,
        ..
    } = w;
    let send = move |step: Step| w.send(step);
    let reset_results = move || w.reset_results();
    let needs_currency = move || w.needs_currency();
    let missing = move || w.missing();
    let has_file = move || w.has_file();

    let mapping_rows = move || {
        let k = kind.get();
        let locale = i18n.get_locale();
        let hs = headers.get();
        layout
            .get()
            .columns(k)
            .into_iter()
            .map(|(column, required)| {
                let id = format!("map-{column}");
                let options = hs
                    .iter()
                    .map(|h| {
                        let h2 = h.clone();
                        view! { <option value=h.clone() selected=move || mapping.with(|m| m.get(column) == Some(&h2))>{h.clone()}</option> }
                    })
                    .collect_view();
                view! {
                    <tr>
                        <th scope="row">
                            <label for=id.clone()>{import_column_label(locale, column)}</label>
                            {required.then(|| view! { " " <span class="small muted">{tr!(i18n, required)}</span> })}
                            <code class="small muted block">{column}</code>
                        </th>
                        <td>
                            <select id=id data-column=column on:change=move |ev| {
                                let v = event_target_value(&ev);
                                mapping.update(|m| {
                                    if v.is_empty() { m.remove(column); } else { m.insert(column.to_owned(), v); }
                                });
                                reset_results();
                            }>
                                <option value="" selected=move || mapping.with(|m| !m.contains_key(column))>{tr!(i18n, not_in_file)}</option>
                                {options}
                            </select>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    let detected = move || {
        read.with(|r| match r {
            Some(Ok(report)) => {
                let encoding = encoding_label(i18n, &report.encoding);
                let delimiter = delimiter_label(i18n, &report.delimiter);
                Some(view! {
                    <p class="small muted" data-testid="detected-format">
                        {t!(i18n, detected_format, encoding = encoding.clone(), delimiter = delimiter.clone())}
                    </p>
                })
            }
            _ => None,
        })
    };

    view! {
            <li class="card section">
                <h2>{tr!(i18n, step_mapping)}</h2>
                {detected}
                <div class="table-wrap">
                    <table class="data-table mapping-table" data-testid="mapping">
                        <thead><tr><th scope="col">{tr!(i18n, our_column)}</th><th scope="col">{tr!(i18n, file_header)}</th></tr></thead>
                        <tbody>{mapping_rows}</tbody>
                    </table>
                </div>
                {layout_choice_view(i18n, w)}
                {currency_choice_view(i18n, w)}
                {move || {
                    let mut m = missing();
                    let locale = i18n.get_locale();
                    // A missing currency is asked for by the currency
                    // choice, not as a header to pick.
                    let currency = needs_currency() && m.contains(&"currency");
                    m.retain(|c| !(currency && *c == "currency"));
                    let columns = (!m.is_empty()).then(|| {
                        let names = m.iter().map(|c| import_column_label(locale, c)).collect::<Vec<_>>().join(t_string!(i18n, list_separator));
                        view! { <p class="alert alert-error" role="alert">{t!(i18n, mapping_missing, columns = names.clone())}</p> }
                    });
                    let currency = currency.then(|| view! {
                        <p class="alert alert-error" role="alert">{tr!(i18n, file_currency_missing)}</p>
                    });
                    (columns, currency)
                }}
                <button class="button button-primary" type="button" data-testid="preview-import"
                    disabled=move || running.get() || !has_file() || !missing().is_empty()
                    on:click=move |_| send(Step::Preview)>
                    {tr!(i18n, check_file)}
                </button>
            </li>
    }
}

/// The currency of a file without a currency column.
fn currency_choice_view(i18n: I18nContext<Locale>, w: Wizard) -> impl IntoView {
    let Wizard { file_currency, .. } = w;
    let reset_results = move || w.reset_results();
    let needs_currency = move || w.needs_currency();
    let currency_choice = move || {
        needs_currency().then(|| {
            let unset = move || file_currency.with(Option::is_none);
            view! {
                <div class="field file-currency">
                    <label for="file-currency">{tr!(i18n, file_currency)}</label>
                    <select id="file-currency" data-testid="file-currency"
                        aria-describedby="file-currency-hint"
                        aria-invalid=move || if unset() { "true" } else { "false" }
                        on:change=move |ev| {
                            file_currency.set(event_target_value(&ev).parse().ok());
                            reset_results();
                        }>
                        <option value="" selected=unset>{tr!(i18n, choose_currency)}</option>
                        {Currency::ALL.iter().map(|c| {
                            let c = *c;
                            view! { <option value=c.as_str() selected=move || file_currency.get() == Some(c)>{c.as_str()}</option> }
                        }).collect_view()}
                    </select>
                    <p id="file-currency-hint" class="small muted">{tr!(i18n, file_currency_hint)}</p>
                </div>
            }
        })
    };
    currency_choice
}

/// A signals file: long (one row per value) or wide (one column per
/// signal), as the server read it; a wide file takes its date from a
/// column or one date for the whole file.
fn layout_choice_view(i18n: I18nContext<Locale>, w: Wizard) -> impl IntoView {
    let Wizard {
        kind,
        layout,
        file_date,
        ..
    } = w;
    let reset_results = move || w.reset_results();
    let layout_choice = move || {
        (kind.get() == ImportKind::Signals).then(|| {
            let choose = move |l: Layout| {
                layout.set(l);
                reset_results();
            };
            view! {
                <fieldset class="field layout-choice" data-testid="signals-layout">
                    <legend>{tr!(i18n, signals.layout)}</legend>
                    {[(Layout::Long, "long"), (Layout::Wide, "wide")].into_iter().map(|(l, name)| view! {
                        <label class="check">
                            <input type="radio" name="signals-layout" value=name data-testid=format!("layout-{name}")
                                prop:checked=move || layout.get() == l
                                on:change=move |_| choose(l) />
                            {move || match l {
                                Layout::Long => t_string!(i18n, signals.layout_long),
                                Layout::Wide => t_string!(i18n, signals.layout_wide),
                            }}
                        </label>
                    }).collect_view()}
                </fieldset>
                <Show when=move || layout.get() == Layout::Wide>
                    <div class="field">
                        <label for="file-date">{tr!(i18n, signals.file_date)}</label>
                        <input id="file-date" type="date" data-testid="file-date"
                            aria-describedby="file-date-hint"
                            prop:value=move || file_date.get().map(|d| d.to_string()).unwrap_or_default()
                            on:change=move |ev| {
                                file_date.set(event_target_value(&ev).parse().ok());
                                reset_results();
                            } />
                        <p id="file-date-hint" class="small muted">{tr!(i18n, signals.file_date_hint)}</p>
                    </div>
                </Show>
            }
        })
    };
    layout_choice
}
