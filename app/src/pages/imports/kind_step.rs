//! The wizard's first step: what the file holds (accounts, monthly MRR or
//! signals), with each kind's columns and a template to download.

use crate::components::labels::import_column_label;
use crate::i18n::*;
use crate::import_file::template_href;
use kizuna_shared::api::ImportKind;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::wizard::{Step, Wizard};

/// The name of an import kind.
fn kind_label(i18n: I18nContext<Locale>, kind: ImportKind) -> String {
    let locale = i18n.get_locale();
    match kind {
        ImportKind::Accounts => td_string!(locale, import_kind_accounts).to_string(),
        ImportKind::Mrr => td_string!(locale, import_kind_mrr).to_string(),
        ImportKind::Signals => td_string!(locale, import_kind_signals).to_string(),
    }
}

/// Choosing the kind; a change asks the server to read the file again.
pub fn kind_step(i18n: I18nContext<Locale>, w: Wizard) -> impl IntoView {
    let Wizard { kind, .. } = w;
    let send = move |step: Step| w.send(step);
    let kind_choice = move || {
        let locale = i18n.get_locale();
        ImportKind::ALL
            .iter()
            .map(|k| {
                let k = *k;
                let columns = k
                    .columns()
                    .iter()
                    .enumerate()
                    .map(|(i, (c, required))| {
                        view! {
                            {(i > 0).then(|| t_string!(i18n, list_separator))}
                            <span class="column-name" class:required=*required>{import_column_label(locale, c)}</span>
                        }
                    })
                    .collect_view();
                view! {
                    <label class="choice" class:choice-selected=move || kind.get() == k>
                        <input type="radio" name="import-kind" value=k.as_str()
                            prop:checked=move || kind.get() == k
                            on:change=move |_| {
                                kind.set(k);
                                // Which header feeds which column depends on
                                // the kind: ask the server again.
                                send(Step::Read);
                            } />
                        <span class="choice-title">{kind_label(i18n, k)}</span>
                        <span class="choice-columns small">{columns}</span>
                        <a class="small" href=template_href(k) download=format!("kizuna-{}-template.csv", k.as_str())>
                            {tr!(i18n, download_template)}
                        </a>
                    </label>
                }
            })
            .collect_view()
    };

    view! {
        <li class="card section">
            <h2>{tr!(i18n, step_kind)}</h2>
            <fieldset class="choices">
                <legend class="visually-hidden">{tr!(i18n, step_kind)}</legend>
                {kind_choice}
            </fieldset>
            <p class="small muted">{tr!(i18n, required_columns_note)}</p>
        </li>
    }
}
