//! One account's page: profile, contract and relationship.

use crate::components::labels::{expansion_label, tier_label, StatusPill};
use crate::format;
use crate::i18n::*;
use kizuna_shared::api::Account;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_params_map;

/// The account detail page (`/accounts/:id`).
#[component]
pub fn AccountDetailPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()));
    let account = LocalResource::new(move || {
        let id = id();
        async move {
            match id {
                Some(id) => crate::api::get::<Account>(&format!("/api/v1/accounts/{id}"))
                    .await
                    .map(Some),
                None => Ok(None),
            }
        }
    });

    let body = move || {
        account.get().map(|result| match result {
            Ok(Some(a)) => account_view(i18n, a).into_any(),
            Ok(None) => not_found(i18n).into_any(),
            Err(err) if err.status() == Some(404) || err.status() == Some(400) => {
                not_found(i18n).into_any()
            }
            Err(err) => view! {
                <p class="alert alert-error" role="alert">
                    {t!(i18n, unexpected_error, detail = err.detail())}
                </p>
            }
            .into_any(),
        })
    };

    view! {
        <p class="breadcrumb">
            <a href="/accounts">"← " {t!(i18n, back_to_accounts)}</a>
        </p>
        {move || body().unwrap_or_else(|| view! {
            <p class="loading" role="status">{t!(i18n, loading)}</p>
        }.into_any())}
    }
}

fn not_found(i18n: I18nContext<Locale>) -> impl IntoView {
    view! {
        <div class="empty-state">
            <h1>{t!(i18n, not_found_title)}</h1>
            <p>{t!(i18n, account_not_found)}</p>
        </div>
    }
}

fn account_view(i18n: I18nContext<Locale>, a: Account) -> impl IntoView {
    let dash = move || t_string!(i18n, not_set).to_string();
    let text = move |v: Option<String>| v.unwrap_or_else(dash);
    let account = a.clone();
    let date = move |d: Option<chrono::NaiveDate>| {
        let locale = i18n.get_locale();
        d.map(|d| format::date(d, locale)).unwrap_or_else(dash)
    };
    let flags = move || {
        let mut names = Vec::new();
        if account.flag_well_known {
            names.push(t_string!(i18n, flag_well_known).to_string());
        }
        if account.flag_feedback {
            names.push(t_string!(i18n, flag_feedback).to_string());
        }
        if account.flag_influencer {
            names.push(t_string!(i18n, flag_influencer).to_string());
        }
        if names.is_empty() {
            t_string!(i18n, no_flags).to_string()
        } else {
            names.join(" · ")
        }
    };
    let mrr = a.mrr_minor;
    let currency = a.currency;
    let tier = a.tier;
    let expansion = a.expansion_potential;
    let owner = a.owner.clone();
    let (industry, plan, external_id) = (a.industry.clone(), a.plan.clone(), a.external_id.clone());
    let (contract_start, renewal, churn_date) = (a.contract_start, a.renewal_date, a.churn_date);
    let churn_reason = a.churn_reason.clone();
    let champion = a.champion_name.clone();
    let champion_changed = a.champion_changed_on;
    let churned = a.churn_date.is_some() || a.churn_reason.is_some();
    view! {
        <div class="page-head">
            <div>
                <h1 data-testid="account-name">{a.name.clone()}</h1>
                <p class="lead">
                    <StatusPill status=a.status />
                    " "
                    <span class="muted">{move || tier_label(i18n, tier)}</span>
                </p>
            </div>
            <div class="kpi">
                <span class="kpi-label">{t!(i18n, col_mrr)}</span>
                <span class="kpi-value" data-testid="account-mrr">
                    {move || format::money(mrr, currency, i18n.get_locale())}
                </span>
            </div>
        </div>
        <div class="detail-grid">
            <section class="card" aria-labelledby="profile-heading">
                <h2 id="profile-heading">{t!(i18n, section_profile)}</h2>
                <dl class="facts">
                    <dt>{t!(i18n, col_external_id)}</dt><dd>{text(external_id)}</dd>
                    <dt>{t!(i18n, col_industry)}</dt><dd>{text(industry)}</dd>
                    <dt>{t!(i18n, col_plan)}</dt><dd>{text(plan)}</dd>
                    <dt>{t!(i18n, col_owner)}</dt>
                    <dd>{match owner {
                        Some(o) => view! { <span>{o.name}</span> " " <span class="muted small">{o.email}</span> }.into_any(),
                        None => view! { <span>{t!(i18n, unassigned)}</span> }.into_any(),
                    }}</dd>
                </dl>
            </section>
            <section class="card" aria-labelledby="contract-heading">
                <h2 id="contract-heading">{t!(i18n, section_contract)}</h2>
                <dl class="facts">
                    <dt>{t!(i18n, col_contract_start)}</dt><dd>{move || date(contract_start)}</dd>
                    <dt>{t!(i18n, col_renewal)}</dt><dd>{move || date(renewal)}</dd>
                    <Show when=move || churned>
                        <dt>{t!(i18n, field_churn_date)}</dt><dd>{move || date(churn_date)}</dd>
                        <dt>{t!(i18n, field_churn_reason)}</dt><dd>{text(churn_reason.clone())}</dd>
                    </Show>
                </dl>
            </section>
            <section class="card" aria-labelledby="relationship-heading">
                <h2 id="relationship-heading">{t!(i18n, section_relationship)}</h2>
                <dl class="facts">
                    <dt>{t!(i18n, field_champion)}</dt><dd>{text(champion)}</dd>
                    <dt>{t!(i18n, field_champion_changed)}</dt><dd>{move || date(champion_changed)}</dd>
                    <dt>{t!(i18n, field_flags)}</dt><dd>{flags}</dd>
                    <dt>{t!(i18n, field_expansion)}</dt><dd>{move || expansion_label(i18n, expansion)}</dd>
                </dl>
            </section>
        </div>
    }
}
