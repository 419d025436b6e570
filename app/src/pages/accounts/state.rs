//! The accounts list's state as its URL holds it, and the sort remembered
//! in localStorage.

use crate::components::pager::page_param;
use kizuna_shared::api::{AccountQuery, AccountSort, SortDir};
use kizuna_shared::domain::{AccountStatus, Tier};
use kizuna_shared::metrics::Band;
use leptos_router::params::ParamsMap;

/// Goes to the list view of a state (rewrites the URL).
pub type SetState = std::sync::Arc<dyn Fn(ListState) + Send + Sync>;

/// The list state as it appears in the URL.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListState {
    pub q: String,
    pub status: Option<AccountStatus>,
    pub owner: Option<i64>,
    pub tier: Option<Tier>,
    pub band: Option<Band>,
    pub sort: AccountSort,
    pub dir: SortDir,
    pub page: u32,
}

impl ListState {
    /// Reads the state from the URL; unknown values fall back to defaults.
    pub fn from_query(q: &ParamsMap) -> Self {
        ListState {
            q: q.get("q").unwrap_or_default(),
            status: q.get("status").and_then(|s| s.parse().ok()),
            owner: q.get("owner").and_then(|s| s.parse().ok()),
            tier: q.get("tier").and_then(|s| s.parse().ok()),
            band: q.get("band").and_then(|s| parse_band(&s)),
            sort: q
                .get("sort")
                .and_then(|s| s.parse().ok())
                .unwrap_or_default(),
            dir: q
                .get("dir")
                .and_then(|s| s.parse().ok())
                .unwrap_or_default(),
            page: page_param(q),
        }
    }

    /// The query string (without `?`) of this state; defaults are left out.
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.trim().is_empty() {
            parts.push(format!("q={}", crate::api::encode(self.q.trim())));
        }
        if let Some(status) = self.status {
            parts.push(format!("status={status}"));
        }
        if let Some(owner) = self.owner {
            parts.push(format!("owner={owner}"));
        }
        if let Some(tier) = self.tier {
            parts.push(format!("tier={tier}"));
        }
        if let Some(band) = self.band {
            parts.push(format!("band={}", band.as_str()));
        }
        // The sort is always written: a URL without one means "the sort
        // used last", so the default must be explicit too.
        parts.push(format!("sort={}", self.sort.as_str()));
        if self.dir != SortDir::default() {
            parts.push(format!("dir={}", self.dir.as_str()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        parts.join("&")
    }

    /// The API query of this state (one page of [`PER_PAGE`] rows).
    pub fn api_query(&self) -> AccountQuery {
        let q = self.q.trim();
        AccountQuery {
            page: Some(self.page),
            per_page: Some(PER_PAGE),
            sort: Some(self.sort),
            dir: Some(self.dir),
            q: (!q.is_empty()).then(|| q.to_owned()),
            status: self.status,
            owner: self.owner,
            tier: self.tier,
            band: self.band,
        }
    }
}

/// A band's name in the URL (`red`, `yellow`, `green`).
pub fn parse_band(value: &str) -> Option<Band> {
    Band::ALL.into_iter().find(|b| b.as_str() == value)
}

const PER_PAGE: u32 = 50;

/// localStorage key of the last sort (`column:dir`).
pub const SORT_KEY: &str = "kizuna.accounts.sort";

pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Parses a saved sort (`mrr:desc`).
pub fn parse_saved_sort(saved: &str) -> Option<(AccountSort, SortDir)> {
    let (column, dir) = saved.split_once(':')?;
    Some((column.parse().ok()?, dir.parse().ok()?))
}

pub fn save_sort(sort: AccountSort, dir: SortDir) {
    if let Some(s) = storage() {
        // Not being able to remember a sort is harmless.
        let _ = s.set_item(SORT_KEY, &format!("{}:{}", sort.as_str(), dir.as_str()));
    }
}
