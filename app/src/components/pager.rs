//! The pager under a server-paged list: "21–40 of 132" and previous/next
//! buttons. The list page keeps the page number in its URL query and gives
//! the pager a callback that goes to another page ([`page_in_url`]).

use crate::format;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

/// The page number of a URL query (`page=3`); 1 when absent or not a
/// page number.
pub fn page_param(query: &ParamsMap) -> u32 {
    query
        .get("page")
        .and_then(|s| s.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
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

/// The address of a list view: `path`, then the query `parts` (already
/// encoded) and the page when it is not the first.
pub fn list_url(path: &str, mut parts: Vec<String>, page: u32) -> String {
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

/// Where a list is: the page shown, its size, how many rows it holds and
/// how many match over all pages (the fields of `api::Page`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagePosition {
    /// The 1-based page number.
    pub page: u32,
    /// The page size.
    pub per_page: u32,
    /// Rows on this page.
    pub shown: usize,
    /// Rows over all pages.
    pub total: u64,
    /// How many pages there are (at least one).
    pub pages: u32,
}

impl PagePosition {
    /// The position of an API page.
    pub fn of<T>(page: &kizuna_shared::api::Page<T>) -> Self {
        PagePosition {
            page: page.page,
            per_page: page.per_page,
            shown: page.items.len(),
            total: page.total,
            pages: page.page_count(),
        }
    }

    /// The 1-based numbers of the first and last row shown.
    pub fn range(&self) -> (u64, u64) {
        let from = u64::from(self.page.saturating_sub(1)) * u64::from(self.per_page) + 1;
        (from, from + (self.shown as u64).saturating_sub(1))
    }
}

/// The pager of one list page; `go` is called with the page to show.
#[component]
pub fn Pager(
    at: PagePosition,
    #[prop(into)] go: Callback<u32>,
    /// `data-testid` of the "21–40 of 132" line.
    count_testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let pages = at.pages;
    let current = at.page;
    let (from, to) = at.range();
    let counts = move || {
        let locale = i18n.get_locale();
        (
            format::count(from, locale),
            format::count(to, locale),
            format::count(at.total, locale),
        )
    };
    view! {
        <nav class="pager" aria-label=move || t_string!(i18n, page_of, page = current, pages = pages).to_string()>
            <p class="pager-status" data-testid=count_testid>
                {move || {
                    let (from, to, total) = counts();
                    t_string!(i18n, showing, from = from, to = to, total = total).to_string()
                }}
            </p>
            <div class="pager-buttons">
                <button type="button" class="button" disabled={current <= 1} on:click=move |_| go.run(current - 1)>
                    {tr!(i18n, previous_page)}
                </button>
                <span class="pager-page">{t!(i18n, page_of, page = current, pages = pages)}</span>
                <button type="button" class="button" disabled={current >= pages} on:click=move |_| go.run(current + 1)>
                    {tr!(i18n, next_page)}
                </button>
            </div>
        </nav>
    }
}
