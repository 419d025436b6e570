//! The sheets overview (`/sheets`): onboarding completion rate and time to
//! value of the quarter (computed on the server by `kizuna_shared::metrics`
//! from the sheets' dates), every sheet with its progress, overdue items and
//! next due date, filtered by owner, tier, overdue, kind and status, and
//! starting a template for an account or a new team member. The account
//! page shows its sheets with `components::sheets::AccountSheets`.

use crate::clock::today;
use crate::components::form::ErrorAlert;
use crate::components::labels::{sheet_kind_label, tier_label};
use crate::components::pager::page_in_url;
use crate::components::pager::{PagePosition, Pager};
use crate::components::sheets::{sheet_table, StartSheetForm};
use crate::i18n::*;
use kizuna_shared::api::{OnboardingKpiQuery, SheetQuery};
use kizuna_shared::domain::{SheetKind, Tier};
use kizuna_shared::metrics::{Month, Period};
use leptos::prelude::*;

/// The sheets overview.
#[component]
pub fn SheetsPage() -> impl IntoView {
    let i18n = use_i18n();
    let owner = RwSignal::new(String::new());
    let tier = RwSignal::new(String::new());
    let overdue = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let status = RwSignal::new("in_progress".to_owned());
    let (page, go_page) = page_in_url();
    let sheets = LocalResource::new(move || {
        let query = SheetQuery {
            page: Some(page.get()),
            per_page: Some(50),
            owner: owner.get().parse().ok(),
            tier: tier.get().parse().ok(),
            overdue: overdue.get().parse().ok(),
            kind: kind.get().parse().ok(),
            status: status.get().parse().ok(),
            ..SheetQuery::default()
        };
        async move { crate::api::sheets(&query).await }
    });
    let owners = LocalResource::new(crate::api::owners);
    let filter = move |id: &'static str,
                       label: String,
                       signal: RwSignal<String>,
                       options: Vec<(String, String)>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| { signal.set(event_target_value(&ev)); go_page.run(1); }>
                    <option value="">{tr!(i18n, all)}</option>
                    {options.into_iter().map(|(v, l)| {
                        let selected = signal.get_untracked() == v;
                        view! { <option value=v selected=selected>{l}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let body = move || {
        sheets.get().map(|r| match r {
            Err(err) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
            Ok(p) if p.items.is_empty() => {
                view! { <p class="empty-state">{tr!(i18n, no_sheets)}</p> }.into_any()
            }
            Ok(p) => {
                let at = PagePosition::of(&p);
                view! {
                    {sheet_table(i18n, p.items)}
                    <Pager at go=go_page count_testid="sheets-count" />
                }
                .into_any()
            }
        })
    };
    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, sheets_title)}</h1>
                <p class="lead">{tr!(i18n, sheets_lead)}</p>
            </div>
            <div class="page-actions">
                <a class="button" href="/sheet-templates">{tr!(i18n, templates_title)}</a>
            </div>
        </div>
        <OnboardingKpis />
        <form class="filters" on:submit=|ev| ev.prevent_default()>
            {move || {
                let options = owners.get().and_then(Result::ok).map(|p| p.items.into_iter().map(|u| (u.id.to_string(), u.name)).collect()).unwrap_or_default();
                filter("sheet-owner", t_string!(i18n, filter_owner).to_string(), owner, options)
            }}
            {filter("sheet-tier", t_string!(i18n, filter_tier).to_string(), tier,
                Tier::ALL.iter().map(|t| (t.as_str().to_owned(), tier_label(i18n, *t))).collect())}
            {filter("sheet-overdue", t_string!(i18n, filter_overdue).to_string(), overdue,
                vec![("true".into(), t_string!(i18n, with_overdue).to_string()), ("false".into(), t_string!(i18n, without_overdue).to_string())])}
            {filter("sheet-kind", t_string!(i18n, field_kind).to_string(), kind,
                SheetKind::ALL.iter().map(|k| (k.as_str().to_owned(), sheet_kind_label(i18n, *k))).collect())}
            {filter("sheet-status", t_string!(i18n, col_status).to_string(), status,
                vec![("in_progress".into(), t_string!(i18n, in_progress).to_string()), ("completed".into(), t_string!(i18n, completed).to_string())])}
        </form>
        <section class="card">
            {move || body().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </section>
        <StartSheetForm account=None />
    }
}

/// Completion rate and time to value of this quarter.
#[component]
fn OnboardingKpis() -> impl IntoView {
    let i18n = use_i18n();
    let quarter = Period::quarter_of(Month::of(today()));
    let kpis = LocalResource::new(move || async move {
        crate::api::sheet_kpis(&OnboardingKpiQuery {
            from: quarter.first_month(),
            months: 3,
            tier: None,
            owner: None,
        })
        .await
    });
    move || {
        kpis.get().and_then(Result::ok).map(|k| {
            let pct = k.completion_pct.map_or("—".to_owned(), |p| format!("{p:.0}%"));
            let ttv = k.ttv_median_days.map_or("—".to_owned(), |d| t_string!(i18n, n_days, n = format!("{d:.0}")).to_string());
            view! {
                <section class="card section" aria-labelledby="kpi-heading" data-testid="onboarding-kpis">
                    <h2 id="kpi-heading">{t!(i18n, kpis_this_quarter, from = k.from.to_string(), to = k.to.to_string())}</h2>
                    <dl class="counts">
                        <div><dt>{tr!(i18n, kpi_completion)}</dt><dd>{pct}</dd>
                            <dd class="dd-note small muted">{t!(i18n, completed_of_started, done = k.sheets_completed, total = k.sheets_started)}</dd></div>
                        <div><dt>{tr!(i18n, kpi_ttv)}</dt><dd>{ttv}</dd>
                            <dd class="dd-note small muted">{t!(i18n, n_completions, n = k.ttv_completions)}</dd></div>
                    </dl>
                </section>
            }
        })
    }
}
