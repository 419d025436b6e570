//! The history of imports, merges and edits (`/imports`).

use crate::components::form::ErrorAlert;
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{DataChangeKind, DataChangeQuery};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The name of a data change's kind.
fn change_kind_label(i18n: I18nContext<Locale>, k: DataChangeKind) -> String {
    let locale = i18n.get_locale();
    match k {
        DataChangeKind::Accounts => td_string!(locale, import_kind_accounts).to_string(),
        DataChangeKind::Mrr => td_string!(locale, import_kind_mrr).to_string(),
        DataChangeKind::Signals => td_string!(locale, import_kind_signals).to_string(),
        DataChangeKind::Merge => td_string!(locale, change_merge).to_string(),
        DataChangeKind::Create => td_string!(locale, change_create).to_string(),
        DataChangeKind::Update => td_string!(locale, change_update).to_string(),
        DataChangeKind::Delete => td_string!(locale, change_delete).to_string(),
    }
}

/// The import and data-change history (`/imports`).
#[component]
pub fn ImportHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let page = RwSignal::new(1_u32);
    let history = LocalResource::new(move || {
        let p = page.get();
        let query = DataChangeQuery {
            page: Some(p),
            per_page: Some(50),
        };
        async move { crate::api::data_changes(&query).await }
    });
    let body = move || {
        history.get().map(|r| match r {
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
            Ok(p) if p.items.is_empty() => view! {
                <div class="empty-state"><p class="empty-title">{tr!(i18n, no_history)}</p></div>
            }.into_any(),
            Ok(p) => {
                let locale = i18n.get_locale();
                let pages = p.page_count();
                let current = p.page;
                let rows = p.items.into_iter().map(|c| {
                    let n = move |v: u64| format::count(v, locale);
                    let when = format::datetime(c.at, locale);
                    let imported = matches!(c.kind, DataChangeKind::Accounts | DataChangeKind::Mrr | DataChangeKind::Signals);
                    let sentence = (!imported).then_some(c.detail);
                    let account = c.account_id.map(|id| view! { <a href=format!("/accounts/{id}")>{tr!(i18n, view_account)}</a> });
                    view! {
                        <tr>
                            <td class="nowrap">{when}</td>
                            <td>{c.user.map(|u| u.name).unwrap_or_default()}</td>
                            <td>{change_kind_label(i18n, c.kind)}</td>
                            <td>{c.file_name.unwrap_or_default()}</td>
                            <td class="num">{n(c.rows)}</td>
                            <td class="num">{n(c.created)}</td>
                            <td class="num">{n(c.updated)}</td>
                            <td class="num">{n(c.unchanged)}</td>
                            // An import's entry is all in the columns; an
                            // edit's or merge's sentence (names as they
                            // were) is stored as the server wrote it, in
                            // English (see ARCHITECTURE.md).
                            <td>{sentence.map(|d| view! { <span lang="en">{d}</span> " " })} {account}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="history-table">
                            <thead><tr>
                                <th scope="col">{tr!(i18n, col_when)}</th>
                                <th scope="col">{tr!(i18n, col_who)}</th>
                                <th scope="col">{tr!(i18n, col_kind)}</th>
                                <th scope="col">{tr!(i18n, col_file)}</th>
                                <th scope="col" class="num">{tr!(i18n, count_rows)}</th>
                                <th scope="col" class="num">{tr!(i18n, count_created)}</th>
                                <th scope="col" class="num">{tr!(i18n, count_updated)}</th>
                                <th scope="col" class="num">{tr!(i18n, count_unchanged)}</th>
                                <th scope="col">{tr!(i18n, col_detail)}</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <nav class="pager" aria-label=move || t_string!(i18n, page_of, page = current, pages = pages).to_string()>
                        <span class="pager-page">{t!(i18n, page_of, page = current, pages = pages)}</span>
                        <div class="pager-buttons">
                            <button type="button" class="button" disabled={current <= 1} on:click=move |_| page.set(current - 1)>{tr!(i18n, previous_page)}</button>
                            <button type="button" class="button" disabled={current >= pages} on:click=move |_| page.set(current + 1)>{tr!(i18n, next_page)}</button>
                        </div>
                    </nav>
                }.into_any()
            }
        })
    };
    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, history_title)}</h1>
                <p class="lead">{tr!(i18n, history_lead)}</p>
            </div>
            <Show when=move || session.can_manage()>
                <a class="button button-primary" href="/imports/new">{tr!(i18n, nav_import)}</a>
            </Show>
        </div>
        <section class="card" aria-live="polite">
            {move || body().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </section>
    }
}
