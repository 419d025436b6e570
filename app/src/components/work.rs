//! Pieces shared by the survey, sheet and task pages: texts in two
//! languages (shown in the reader's, entered side by side), an account
//! picker, the page number of a list in the URL and a progress bar (error
//! banners are `components::form`'s).

use crate::i18n::*;
use kizuna_shared::api::{Account, AccountQuery, Texts};
use kizuna_shared::domain::{AccountStatus, Language};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::components::pager::page_param;

/// The product language of a UI locale.
pub fn lang_of(locale: Locale) -> Language {
    match locale {
        Locale::en => Language::En,
        Locale::ja => Language::Ja,
    }
}

/// `texts` in the reader's language, else the other one.
pub fn show(texts: &Texts, locale: Locale) -> String {
    texts.show(lang_of(locale)).to_owned()
}

/// Today in the browser's time zone (the day people mean by "today").
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The message of the first field error for `field` (or any field starting
/// with it), if any.
pub fn field_error(errors: &[kizuna_shared::api::FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field || e.field.starts_with(&format!("{field}.")))
        .map(|e| e.message.clone())
}

/// An English and a Japanese input for one text.
#[component]
pub fn TextsField(
    /// Id prefix of the two inputs.
    id: String,
    /// The label above both.
    label: Signal<String>,
    /// The value.
    value: RwSignal<Texts>,
    /// A text area instead of a line.
    #[prop(optional)]
    multiline: bool,
    /// Read only.
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// The error to show under the inputs.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let set = move |lang: Language, text: String| {
        value.update(|v| {
            let slot = match lang {
                Language::En => &mut v.en,
                Language::Ja => &mut v.ja,
            };
            *slot = (!text.trim().is_empty()).then_some(text);
        })
    };
    let get = move |lang: Language| {
        value
            .with(|v| match lang {
                Language::En => v.en.clone(),
                Language::Ja => v.ja.clone(),
            })
            .unwrap_or_default()
    };
    let input = move |lang: Language| {
        let input_id = format!("{id}-{}", lang.as_str());
        let name = match lang {
            Language::En => t_string!(i18n, language_en).to_string(),
            Language::Ja => t_string!(i18n, language_ja).to_string(),
        };
        let control = if multiline {
            view! {
                <textarea id=input_id.clone() rows="2" lang=lang.as_str() disabled=move || disabled.get()
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    prop:value=move || get(lang)
                    on:input=move |ev| set(lang, event_target_value(&ev))></textarea>
            }
            .into_any()
        } else {
            view! {
                <input id=input_id.clone() type="text" lang=lang.as_str() disabled=move || disabled.get()
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    prop:value=move || get(lang)
                    on:input=move |ev| set(lang, event_target_value(&ev)) />
            }
            .into_any()
        };
        view! {
            <div class="field">
                <label for=input_id>{move || label.get()} " (" {name} ")"</label>
                {control}
            </div>
        }
    };
    view! {
        <div class="texts-field">
            {input(Language::En)}
            {input(Language::Ja)}
            <p class="field-error texts-error">{move || error.get()}</p>
        </div>
    }
}

/// Looks up accounts by name and calls `on_pick` with the chosen one.
/// `owner` limits the search to one owner's accounts (a CSM's own).
#[component]
pub fn AccountPicker(
    /// Id of the search input.
    id: &'static str,
    /// Called with the picked account.
    on_pick: Callback<Account>,
    /// Only this owner's accounts.
    #[prop(optional, into)]
    owner: Signal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let results = LocalResource::new(move || {
        let q = query.get();
        let owner = owner.get();
        async move {
            if q.trim().chars().count() < 1 {
                return Ok(Vec::new());
            }
            let query = AccountQuery {
                per_page: Some(8),
                status: Some(AccountStatus::Active),
                q: Some(q.trim().to_owned()),
                owner,
                ..AccountQuery::default()
            };
            crate::api::accounts(&query).await.map(|p| p.items)
        }
    });
    view! {
        <div class="field picker">
            <label for=id>{tr!(i18n, find_account)}</label>
            <input id=id type="search" autocomplete="off"
                placeholder=tr!(i18n, find_account_hint)
                prop:value=query on:input=move |ev| query.set(event_target_value(&ev)) />
            <ul class="picker-results" aria-live="polite">
                {move || results.get().and_then(Result::ok).map(|accounts| {
                    accounts.into_iter().map(|a| {
                        let name = a.name.clone();
                        let label = t_string!(i18n, pick_account, name = name.clone()).to_string();
                        view! {
                            <li>
                                <button type="button" class="button button-quiet" aria-label=label
                                    on:click=move |_| { on_pick.run(a.clone()); query.set(String::new()); }>
                                    "＋ " {name}
                                </button>
                            </li>
                        }
                    }).collect_view()
                })}
            </ul>
        </div>
    }
}

/// The page number of a list kept in the URL (`page=`, as the audit log
/// keeps it): the page of the current query and a callback that goes to
/// another page, keeping the other parameters (page 1 drops the parameter;
/// a filter change calls it with 1).
pub fn page_in_url() -> (Memo<u32>, Callback<u32>) {
    let query = use_query_map();
    let location = use_location();
    let navigate = StoredValue::new_local(use_navigate());
    let page = Memo::new(move |_| query.with(page_param));
    let go = Callback::new(move |n: u32| {
        let mut q = query.get_untracked();
        if n > 1 {
            q.insert("page", n.to_string());
        } else {
            q.remove("page");
        }
        let target = format!(
            "{}{}",
            location.pathname.get_untracked(),
            q.to_query_string()
        );
        navigate.with_value(|navigate| {
            navigate(
                &target,
                NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            )
        });
    });
    (page, go)
}

/// A progress bar with its count in words (never the bar alone).
#[component]
pub fn Progress(done: u32, total: u32, label: String) -> impl IntoView {
    view! {
        <span class="progress-line">
            <progress max=total.max(1) value=done aria-label=label.clone()></progress>
            <span class="small">{format!("{done}/{total}")}</span>
        </span>
    }
}
