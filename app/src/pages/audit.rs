//! The audit log (`/audit`): admins read every event, managers data events
//! only (the shared `AuditCategory::visible_to` decides; the server answers
//! 403 to a manager asking for security events, so the filters never offer
//! them). Filters — user, event kind (grouped by category), period — and
//! the page live in the URL query, so a view can be bookmarked; the CSV
//! export link carries the same filters. Times are shown in the user's
//! time zone; the period's days are the user's days too.

use crate::components::form::{ErrorAlert, FormErrors};
use crate::components::labels::{audit_category_label, audit_kind_label};
use crate::components::pager::{list_url, page_param, PagePosition, Pager};
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use garde::Validate;
use kizuna_shared::api::{
    AuditCategory, AuditEntry, AuditKind, AuditQuery, AuditTarget, Page, UserQuery, UserSummary,
    MAX_PER_PAGE,
};
use kizuna_shared::domain::Capability;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

const PER_PAGE: u32 = 50;

/// The event filter: everything, one category, or one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum EventFilter {
    #[default]
    All,
    Category(AuditCategory),
    Kind(AuditKind),
}

impl EventFilter {
    /// The `<select>` value (`category:data`, `kind:sign_in`, or empty).
    fn value(self) -> String {
        match self {
            EventFilter::All => String::new(),
            EventFilter::Category(c) => format!("category:{c}"),
            EventFilter::Kind(k) => format!("kind:{k}"),
        }
    }

    fn parse(value: &str) -> Self {
        match value.split_once(':') {
            Some(("category", c)) => c.parse().map_or(EventFilter::All, EventFilter::Category),
            Some(("kind", k)) => k.parse().map_or(EventFilter::All, EventFilter::Kind),
            _ => EventFilter::All,
        }
    }
}

/// The filters and page as they appear in the URL
/// (`?user=3&kind=sign_in&from=2026-03-01&to=2026-03-31&page=2`).
#[derive(Debug, Clone, PartialEq, Default)]
struct AuditState {
    user: Option<i64>,
    event: EventFilter,
    /// First day of the period (the user's day), inclusive.
    from: Option<NaiveDate>,
    /// Last day of the period, inclusive.
    to: Option<NaiveDate>,
    page: u32,
}

impl AuditState {
    fn from_query(q: &ParamsMap) -> Self {
        let event = match (q.get("kind"), q.get("category")) {
            (Some(k), _) => k.parse().map_or(EventFilter::All, EventFilter::Kind),
            (None, Some(c)) => c.parse().map_or(EventFilter::All, EventFilter::Category),
            (None, None) => EventFilter::All,
        };
        AuditState {
            user: q.get("user").and_then(|s| s.parse().ok()),
            event,
            from: q.get("from").and_then(|s| s.parse().ok()),
            to: q.get("to").and_then(|s| s.parse().ok()),
            page: page_param(q),
        }
    }

    fn to_url(&self) -> String {
        let mut parts = Vec::new();
        if let Some(user) = self.user {
            parts.push(format!("user={user}"));
        }
        match self.event {
            EventFilter::All => {}
            EventFilter::Category(c) => parts.push(format!("category={c}")),
            EventFilter::Kind(k) => parts.push(format!("kind={k}")),
        }
        if let Some(from) = self.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("to={to}"));
        }
        list_url("/audit", parts, self.page)
    }

    /// The API query: the period's days become instants at the user's
    /// local midnight (`to` is the day after the last day, exclusive).
    fn api_query(&self) -> AuditQuery {
        let (kind, category) = match self.event {
            EventFilter::All => (None, None),
            EventFilter::Category(c) => (None, Some(c)),
            EventFilter::Kind(k) => (Some(k), None),
        };
        AuditQuery {
            page: Some(self.page),
            per_page: Some(PER_PAGE),
            user: self.user,
            kind,
            category,
            from: self.from.and_then(local_midnight),
            to: self
                .to
                .and_then(|d| d.checked_add_days(Days::new(1)))
                .and_then(local_midnight),
        }
    }
}

/// The instant the user's day `date` starts (in the browser's time zone).
fn local_midnight(date: NaiveDate) -> Option<DateTime<Utc>> {
    let day = js_sys::Date::new_with_year_month_day(
        u32::try_from(date.year()).ok()?,
        i32::try_from(date.month0()).ok()?,
        i32::try_from(date.day()).ok()?,
    );
    // Epoch milliseconds of a real date are whole numbers well inside i64.
    #[expect(clippy::cast_possible_truncation, reason = "epoch milliseconds")]
    DateTime::from_timestamp_millis(day.get_time() as i64)
}

/// The filter form's words for a wrong field (only the period can be).
fn field_message(i18n: I18nContext<Locale>, _field: &str) -> String {
    t_string!(i18n, error_period).to_string()
}

/// The audit log page.
#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let visible = move || {
        session
            .role()
            .map(AuditCategory::visible_to)
            .unwrap_or_default()
    };
    view! {
        <Show
            when=move || !visible().is_empty()
            fallback=move || view! { <p class="alert alert-error" role="alert">{tr!(i18n, forbidden)}</p> }
        >
            <AuditLog visible=visible() is_admin=session.may(Capability::AdministerUsers) />
        </Show>
    }
}

/// The people the user filter offers: every user for admins; the account
/// owners (CSMs and managers) for managers, who may not list users.
async fn people(is_admin: bool) -> Vec<UserSummary> {
    if is_admin {
        let query = UserQuery {
            per_page: Some(MAX_PER_PAGE),
            ..Default::default()
        };
        crate::api::users(&query)
            .await
            .map(|page| {
                page.items
                    .into_iter()
                    .map(|u| UserSummary {
                        id: u.id,
                        name: u.name,
                        email: u.email,
                        role: u.role,
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        crate::api::owners()
            .await
            .map(|page| page.items)
            .unwrap_or_default()
    }
}

#[component]
fn AuditLog(visible: &'static [AuditCategory], is_admin: bool) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let navigate = use_navigate();
    let state = Memo::new(move |_| query.with(AuditState::from_query));
    let errors = FormErrors::new(field_message);
    // The period is checked with the shared rule before asking the server;
    // the effect marks the field, the memo only answers.
    let valid = Memo::new(move |_| state.get().api_query().validate().is_ok());
    Effect::new(move |_| {
        errors.validate(&state.get().api_query());
    });
    let entries = LocalResource::new(move || {
        let query = state.get().api_query();
        let valid = valid.get();
        async move {
            if valid {
                Some(crate::api::audit(&query).await)
            } else {
                None
            }
        }
    });
    let people = LocalResource::new(move || people(is_admin));

    let set_state = move |next: AuditState| {
        navigate(
            &next.to_url(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let update = {
        let set_state = set_state.clone();
        move |change: &dyn Fn(&mut AuditState)| {
            let mut next = state.get_untracked();
            change(&mut next);
            next.page = 1;
            set_state(next);
        }
    };
    let (update_user, update_event, update_from, update_to, clear) = (
        update.clone(),
        update.clone(),
        update.clone(),
        update.clone(),
        update,
    );
    let go_to_page = Callback::new(move |page: u32| {
        set_state(AuditState {
            page,
            ..state.get_untracked()
        });
    });

    let table = move || {
        entries.get().map(|result| match result {
            None => ().into_any(),
            Some(Err(error)) => view! { <ErrorAlert error /> }.into_any(),
            Some(Ok(page)) if page.items.is_empty() => view! {
                <div class="empty-state" data-testid="audit-empty">
                    <p class="empty-title">{tr!(i18n, no_audit_entries)}</p>
                </div>
            }
            .into_any(),
            Some(Ok(page)) => audit_table(i18n, page, go_to_page).into_any(),
        })
    };

    let event_options = move || {
        visible
            .iter()
            .map(|category| {
                let category = *category;
                let kinds = AuditKind::ALL
                    .iter()
                    .filter(|k| k.category() == category)
                    .map(|k| {
                        let k = *k;
                        view! {
                            <option value=EventFilter::Kind(k).value()
                                selected=move || state.get().event == EventFilter::Kind(k)>
                                {move || audit_kind_label(i18n.get_locale(), k)}
                            </option>
                        }
                    })
                    .collect_view();
                view! {
                    <optgroup label=move || audit_category_label(i18n, category)>
                        <option value=EventFilter::Category(category).value()
                            selected=move || state.get().event == EventFilter::Category(category)>
                            {move || t_string!(i18n, audit_all_of_category, category = audit_category_label(i18n, category)).to_string()}
                        </option>
                        {kinds}
                    </optgroup>
                }
            })
            .collect_view()
    };

    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, audit_title)}</h1>
                <p class="lead">
                    {move || if is_admin {
                        t_string!(i18n, audit_lead_admin).to_string()
                    } else {
                        t_string!(i18n, audit_lead_manager).to_string()
                    }}
                </p>
            </div>
            <div class="page-actions">
                <a class="button" data-testid="audit-export"
                    href=move || valid.get().then(|| crate::api::audit_export_url(&state.get().api_query()))
                    aria-disabled=move || (!valid.get()).then_some("true")
                    download="kizuna-audit.csv">
                    <span aria-hidden="true">"⤓ "</span>{tr!(i18n, export_csv)}
                </a>
            </div>
        </div>
        <form class="filters" role="search" aria-label=tr!(i18n, audit_filters) on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="audit-user">{tr!(i18n, audit_filter_user)}</label>
                <select id="audit-user"
                    on:change=move |ev| {
                        let value = event_target_value(&ev).parse().ok();
                        update_user(&|s: &mut AuditState| s.user = value);
                    }>
                    <option value="" selected=move || state.get().user.is_none()>{tr!(i18n, audit_all_users)}</option>
                    {move || people.get().map(|people| {
                        let selected = state.get_untracked().user;
                        // A user id from a bookmark that is not in the list
                        // still shows as chosen.
                        let unknown = selected.filter(|id| !people.iter().any(|p| p.id == *id));
                        view! {
                            {unknown.map(|id| view! { <option value=id.to_string() selected=true>{format!("#{id}")}</option> })}
                            {people.into_iter().map(|p| view! {
                                <option value=p.id.to_string() selected=selected == Some(p.id)>{p.name} " <" {p.email} ">"</option>
                            }).collect_view()}
                        }
                    })}
                </select>
            </div>
            <div class="field">
                <label for="audit-event">{tr!(i18n, audit_filter_event)}</label>
                <select id="audit-event"
                    on:change=move |ev| {
                        let value = EventFilter::parse(&event_target_value(&ev));
                        update_event(&|s: &mut AuditState| s.event = value);
                    }>
                    <option value="" selected=move || state.get().event == EventFilter::All>{tr!(i18n, audit_all_events)}</option>
                    {event_options}
                </select>
            </div>
            <div class="field">
                <label for="audit-from">{tr!(i18n, audit_from)}</label>
                <input id="audit-from" type="date"
                    prop:value=move || state.get().from.map(|d| d.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let value = event_target_value(&ev).parse().ok();
                        update_from(&|s: &mut AuditState| s.from = value);
                    } />
            </div>
            <div class="field">
                <label for="audit-to">{tr!(i18n, audit_to)}</label>
                <input id="audit-to" type="date"
                    aria-invalid=errors.invalid("to") aria-describedby="audit-to-error"
                    prop:value=move || state.get().to.map(|d| d.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let value = event_target_value(&ev).parse().ok();
                        update_to(&|s: &mut AuditState| s.to = value);
                    } />
                {errors.under("to", "audit-to-error")}
            </div>
            <button type="button" class="button button-quiet"
                on:click=move |_| clear(&|s: &mut AuditState| *s = AuditState::default())>
                {tr!(i18n, clear_filters)}
            </button>
        </form>
        <section class="card" aria-live="polite" aria-busy=move || entries.get().is_none().to_string()>
            {move || table().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </section>
    }
}

fn audit_table(
    i18n: I18nContext<Locale>,
    page: Page<AuditEntry>,
    go_to_page: Callback<u32>,
) -> impl IntoView {
    let at = PagePosition::of(&page);
    let rows = page
        .items
        .into_iter()
        .map(|e| audit_row(i18n, e))
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table audit-table" data-testid="audit-table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(i18n, col_when)}</th>
                        <th scope="col">{tr!(i18n, col_who)}</th>
                        <th scope="col">{tr!(i18n, col_client_addr)}</th>
                        <th scope="col">{tr!(i18n, col_event)}</th>
                        <th scope="col">{tr!(i18n, col_target)}</th>
                        <th scope="col">{tr!(i18n, col_summary)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager at go=go_to_page count_testid="audit-count" />
    }
}

fn audit_row(i18n: I18nContext<Locale>, e: AuditEntry) -> impl IntoView {
    let when = e.at;
    let kind = e.kind;
    let category_class = match e.category {
        AuditCategory::Security => "pill pill-security",
        AuditCategory::Data => "pill pill-data",
    };
    let who = match (e.actor_name, e.actor_email) {
        (Some(name), email) => view! {
            <span class="block">{name}</span>
            {email.map(|m| view! { <span class="muted small block">{m}</span> })}
        }
        .into_any(),
        (None, Some(email)) => view! { <span>{email}</span> }.into_any(),
        (None, None) => view! { <span class="muted">{tr!(i18n, audit_no_actor)}</span> }.into_any(),
    };
    let target = match (e.target_type, e.target_id, e.target_label) {
        (Some(AuditTarget::Account), Some(id), label) => {
            let text = label.unwrap_or_else(|| format!("#{id}"));
            view! { <a href=format!("/accounts/{id}")>{text}</a> }.into_any()
        }
        (_, _, Some(label)) => view! { <span>{label}</span> }.into_any(),
        (_, Some(id), None) => view! { <span>{format!("#{id}")}</span> }.into_any(),
        _ => view! { <span class="muted">{tr!(i18n, not_set)}</span> }.into_any(),
    };
    let changes = (!e.changes.is_empty()).then(|| {
        let items = e
            .changes
            .into_iter()
            .map(|c| {
                let empty = "∅".to_owned();
                view! {
                    <li><code>{c.field}</code> ": " {c.old.unwrap_or_else(|| empty.clone())} " → " {c.new.unwrap_or(empty)}</li>
                }
            })
            .collect_view();
        view! { <ul class="changes">{items}</ul> }
    });
    view! {
        <tr data-kind=kind.as_str()>
            <td class="nowrap">{move || format::datetime(when, i18n.get_locale())}</td>
            <td>{who}</td>
            <td class="nowrap"><code>{e.client_addr.unwrap_or_default()}</code></td>
            <td><span class=category_class>{move || audit_kind_label(i18n.get_locale(), kind)}</span></td>
            <td>{target}</td>
            // The server writes the summary (in English) when the event
            // happens; it is a record, not UI text.
            <td lang="en" class="cell-summary">{e.summary}{changes}</td>
        </tr>
    }
}
