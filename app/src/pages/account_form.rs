//! Creating (`/accounts/new`) and editing (`/accounts/:id/edit`) an account.
//! The form checks its input with the same `AccountInput::validate()` the
//! server runs, so both reject the same values; money is typed the way people
//! write it (`￥520,000`, `79.85`) and parsed by `cells::parse_amount`. Edits
//! send the version they were read at; a stale one gets a 409 and a message.

use crate::components::form::{Conflict, ErrorAlert, FormAlert, FormErrors, TextField};
use crate::components::labels::expansion_label;
use crate::i18n::*;
use crate::pages::account_detail::account_from_route;
use crate::session::use_session;
use garde::Validate;
use kizuna_shared::api::{Account, AccountInput, FieldError, UpdateAccount};
use kizuna_shared::cells;
use kizuna_shared::domain::{AccountStatus, Currency, ExpansionPotential, Language};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// The form's text state; everything a person types is kept as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountDraft {
    /// Company name.
    pub name: String,
    /// CRM id.
    pub external_id: String,
    /// Web domain.
    pub domain: String,
    /// Industry.
    pub industry: String,
    /// Plan.
    pub plan: String,
    /// MRR in major units as typed.
    pub mrr: String,
    /// Currency code.
    pub currency: Currency,
    /// `YYYY-MM-DD` (date inputs) or empty.
    pub contract_start: String,
    /// Renewal date.
    pub renewal_date: String,
    /// Owner id or empty.
    pub owner_id: String,
    /// Status.
    pub status: AccountStatus,
    /// Churn date.
    pub churn_date: String,
    /// Churn reason.
    pub churn_reason: String,
    /// Flags.
    pub flag_well_known: bool,
    /// Gives much feedback.
    pub flag_feedback: bool,
    /// Influences other customers.
    pub flag_influencer: bool,
    /// Expansion potential.
    pub expansion_potential: ExpansionPotential,
    /// Champion's name.
    pub champion_name: String,
    /// Champion change date.
    pub champion_changed_on: String,
    /// The customer's language (survey pages).
    pub language: Option<Language>,
}

impl Default for AccountDraft {
    fn default() -> Self {
        AccountDraft {
            name: String::new(),
            external_id: String::new(),
            domain: String::new(),
            industry: String::new(),
            plan: String::new(),
            mrr: String::new(),
            currency: Currency::Jpy,
            contract_start: String::new(),
            renewal_date: String::new(),
            owner_id: String::new(),
            status: AccountStatus::Active,
            churn_date: String::new(),
            churn_reason: String::new(),
            flag_well_known: false,
            flag_feedback: false,
            flag_influencer: false,
            expansion_potential: ExpansionPotential::None,
            champion_name: String::new(),
            champion_changed_on: String::new(),
            language: None,
        }
    }
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

impl AccountDraft {
    /// A draft showing an existing account.
    pub fn from_account(a: &Account) -> Self {
        let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        AccountDraft {
            name: a.name.clone(),
            external_id: a.external_id.clone().unwrap_or_default(),
            domain: a.domain.clone().unwrap_or_default(),
            industry: a.industry.clone().unwrap_or_default(),
            plan: a.plan.clone().unwrap_or_default(),
            mrr: kizuna_shared::domain::format_major(a.mrr_minor, a.currency),
            currency: a.currency,
            contract_start: d(a.contract_start),
            renewal_date: d(a.renewal_date),
            owner_id: a
                .owner
                .as_ref()
                .map(|o| o.id.to_string())
                .unwrap_or_default(),
            status: a.status,
            churn_date: d(a.churn_date),
            churn_reason: a.churn_reason.clone().unwrap_or_default(),
            flag_well_known: a.flag_well_known,
            flag_feedback: a.flag_feedback,
            flag_influencer: a.flag_influencer,
            expansion_potential: a.expansion_potential,
            champion_name: a.champion_name.clone().unwrap_or_default(),
            champion_changed_on: d(a.champion_changed_on),
            language: a.language,
        }
    }

    /// The API body, or the fields that are wrong. Cells that cannot be read
    /// (an amount, a date) are reported under the API's field name.
    pub fn to_input(&self) -> Result<AccountInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut date = |field: &str, s: &str| match opt(s) {
            None => None,
            Some(s) => match cells::parse_date(&s) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(FieldError {
                        field: field.to_owned(),
                        message: e.to_string(),
                    });
                    None
                }
            },
        };
        let contract_start = date("contract_start", &self.contract_start);
        let renewal_date = date("renewal_date", &self.renewal_date);
        let churn_date = date("churn_date", &self.churn_date);
        let champion_changed_on = date("champion_changed_on", &self.champion_changed_on);
        let mrr_minor = match opt(&self.mrr) {
            None => 0,
            Some(s) => cells::parse_amount(&s, self.currency).unwrap_or_else(|e| {
                errors.push(FieldError {
                    field: "mrr_minor".into(),
                    message: e.to_string(),
                });
                0
            }),
        };
        let input = AccountInput {
            name: self.name.trim().to_owned(),
            external_id: opt(&self.external_id),
            domain: opt(&self.domain),
            industry: opt(&self.industry),
            plan: opt(&self.plan),
            mrr_minor,
            currency: self.currency,
            contract_start,
            renewal_date,
            owner_id: self.owner_id.parse().ok(),
            status: self.status,
            churn_date,
            churn_reason: opt(&self.churn_reason),
            flag_well_known: self.flag_well_known,
            flag_feedback: self.flag_feedback,
            flag_influencer: self.flag_influencer,
            expansion_potential: self.expansion_potential,
            champion_name: opt(&self.champion_name),
            champion_changed_on,
            language: self.language,
        };
        if let Err(report) = input.validate() {
            for e in FieldError::from_report(&report) {
                if !errors.iter().any(|x| x.field == e.field) {
                    errors.push(e);
                }
            }
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }
}

/// The translated message for a field the shared rules rejected.
fn field_message(i18n: I18nContext<Locale>, field: &str) -> String {
    match field {
        "name" => t_string!(i18n, error_required_text).to_string(),
        "mrr_minor" => t_string!(i18n, error_amount).to_string(),
        "domain" => t_string!(i18n, error_domain).to_string(),
        "renewal_date" => t_string!(i18n, error_after_start).to_string(),
        "churn_date" => t_string!(i18n, error_churn_date).to_string(),
        "contract_start" | "champion_changed_on" => t_string!(i18n, error_date).to_string(),
        "owner_id" => t_string!(i18n, error_owner).to_string(),
        _ => t_string!(i18n, error_text).to_string(),
    }
}

/// `/accounts/new`.
#[component]
pub fn NewAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <p class="breadcrumb"><a href="/accounts">"← " {t!(i18n, back_to_accounts)}</a></p>
        <Show when=move || session.can_manage()
            fallback=move || view! { <p class="alert alert-error" role="alert">{t!(i18n, forbidden)}</p> }>
            <h1>{t!(i18n, new_account)}</h1>
            <AccountForm initial=AccountDraft::default() id=None version=None />
        </Show>
    }
}

/// `/accounts/:id/edit`.
#[component]
pub fn EditAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = account_from_route();
    let body = move || {
        account.get().map(|r| match r {
            Ok(Some(d)) => {
                let a = d.account;
                view! {
                    <p class="breadcrumb"><a href=format!("/accounts/{}", a.id)>"← " {a.name.clone()}</a></p>
                    <h1>{t!(i18n, edit_account)} ": " {a.name.clone()}</h1>
                    <AccountForm initial=AccountDraft::from_account(&a) id=Some(a.id) version=Some(a.version) />
                }
                .into_any()
            }
            Ok(None) => view! { <p class="alert alert-error" role="alert">{t!(i18n, account_not_found)}</p> }.into_any(),
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
        })
    };
    view! {
        {move || body().unwrap_or_else(|| view! { <p class="loading" role="status">{t!(i18n, loading)}</p> }.into_any())}
    }
}

#[component]
fn AccountForm(initial: AccountDraft, id: Option<i64>, version: Option<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let draft = RwSignal::new(initial);
    let errors = FormErrors::new(field_message, Conflict::Changed);
    let owners = LocalResource::new(crate::api::owners);
    let save = Action::new_local(move |input: &AccountInput| {
        let input = input.clone();
        async move {
            match (id, version) {
                (Some(id), Some(version)) => {
                    crate::api::update_account(
                        id,
                        &UpdateAccount {
                            version,
                            account: input,
                        },
                    )
                    .await
                }
                _ => crate::api::create_account(&input).await,
            }
        }
    });
    Effect::new(move |_| {
        if let Some(a) = save.value().get().and_then(|r| errors.take(r)) {
            navigate(&format!("/accounts/{}", a.id), NavigateOptions::default());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match draft.with_untracked(AccountDraft::to_input) {
            Ok(input) => {
                errors.clear();
                save.dispatch(input);
            }
            Err(wrong) => errors.set_fields(wrong),
        }
    };
    // One text input bound to one draft field.
    let text = move |field: &'static str,
                     id: &'static str,
                     label: Signal<String>,
                     kind: &'static str,
                     get: fn(&AccountDraft) -> String,
                     set: fn(&mut AccountDraft, String)| {
        view! {
            <TextField errors field id label kind
                value=Signal::derive(move || draft.with(get))
                set=move |v| draft.update(|d| set(d, v)) />
        }
    };
    macro_rules! label {
        ($key:ident) => {
            Signal::derive(move || t_string!(i18n, $key).to_string())
        };
    }
    view! {
        <form class="form card account-form" on:submit=on_submit novalidate=true data-testid="account-form">
            <FormAlert errors=errors summary=true />
            <fieldset>
                <legend>{t!(i18n, section_profile)}</legend>
                <div class="form-grid">
                    {text("name", "f-name", label!(col_name), "text", |d| d.name.clone(), |d, v| d.name = v)}
                    {text("external_id", "f-external-id", label!(col_external_id), "text", |d| d.external_id.clone(), |d, v| d.external_id = v)}
                    {text("domain", "f-domain", label!(col_domain), "text", |d| d.domain.clone(), |d, v| d.domain = v)}
                    {text("industry", "f-industry", label!(col_industry), "text", |d| d.industry.clone(), |d, v| d.industry = v)}
                    {text("plan", "f-plan", label!(col_plan), "text", |d| d.plan.clone(), |d, v| d.plan = v)}
                    <div class="field">
                        <label for="f-owner">{t!(i18n, col_owner)}</label>
                        <select id="f-owner" aria-invalid=errors.invalid("owner_id") aria-describedby="f-owner-error" on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.owner_id = v); }>
                            <option value="">{t!(i18n, unassigned)}</option>
                            {move || owners.get().and_then(Result::ok).map(|page| {
                                page.items.into_iter().map(|u| {
                                    let value = u.id.to_string();
                                    let v2 = value.clone();
                                    view! { <option value=value selected=move || draft.with(|d| d.owner_id == v2)>{u.name}</option> }
                                }).collect_view()
                            })}
                        </select>
                        {errors.under("owner_id", "f-owner-error")}
                    </div>
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, section_contract)}</legend>
                <div class="form-grid">
                    {text("mrr_minor", "f-mrr", label!(field_mrr_major), "text", |d| d.mrr.clone(), |d, v| d.mrr = v)}
                    <div class="field">
                        <label for="f-currency">{t!(i18n, field_currency)}</label>
                        <select id="f-currency" on:change=move |ev| if let Ok(c) = event_target_value(&ev).parse() { draft.update(|d| d.currency = c) }>
                            {Currency::ALL.iter().map(|c| {
                                let c = *c;
                                view! { <option value=c.as_str() selected=move || draft.with(|d| d.currency == c)>{c.as_str()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    {text("contract_start", "f-contract-start", label!(col_contract_start), "date", |d| d.contract_start.clone(), |d, v| d.contract_start = v)}
                    {text("renewal_date", "f-renewal", label!(col_renewal), "date", |d| d.renewal_date.clone(), |d, v| d.renewal_date = v)}
                    <div class="field">
                        <label for="f-status">{t!(i18n, col_status)}</label>
                        <select id="f-status" on:change=move |ev| if let Ok(s) = event_target_value(&ev).parse() { draft.update(|d| d.status = s) }>
                            <option value="active" selected=move || draft.with(|d| d.status == AccountStatus::Active)>{t!(i18n, status_active)}</option>
                            <option value="churned" selected=move || draft.with(|d| d.status == AccountStatus::Churned)>{t!(i18n, status_churned)}</option>
                        </select>
                    </div>
                    {text("churn_date", "f-churn-date", label!(field_churn_date), "date", |d| d.churn_date.clone(), |d, v| d.churn_date = v)}
                    {text("churn_reason", "f-churn-reason", label!(field_churn_reason), "text", |d| d.churn_reason.clone(), |d, v| d.churn_reason = v)}
                </div>
            </fieldset>
            <fieldset>
                <legend>{t!(i18n, section_relationship)}</legend>
                <div class="form-grid">
                    {text("champion_name", "f-champion", label!(field_champion), "text", |d| d.champion_name.clone(), |d, v| d.champion_name = v)}
                    {text("champion_changed_on", "f-champion-changed", label!(field_champion_changed), "date", |d| d.champion_changed_on.clone(), |d, v| d.champion_changed_on = v)}
                    <div class="field">
                        <label for="f-expansion">{t!(i18n, field_expansion)}</label>
                        <select id="f-expansion" on:change=move |ev| if let Ok(x) = event_target_value(&ev).parse() { draft.update(|d| d.expansion_potential = x) }>
                            {ExpansionPotential::ALL.iter().map(|x| {
                                let x = *x;
                                view! { <option value=x.as_str() selected=move || draft.with(|d| d.expansion_potential == x)>{move || expansion_label(i18n, x)}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-language">{t!(i18n, field_customer_language)}</label>
                        <select id="f-language" on:change=move |ev| { let v = event_target_value(&ev).parse().ok(); draft.update(|d| d.language = v); }>
                            <option value="" selected=move || draft.with(|d| d.language.is_none())>{t!(i18n, language_default)}</option>
                            {Language::ALL.iter().map(|l| {
                                let l = *l;
                                view! { <option value=l.as_str() selected=move || draft.with(|d| d.language == Some(l))>{move || crate::components::labels::language_label(i18n, l)}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="checks" role="group" aria-label=move || t_string!(i18n, field_flags).to_string()>
                    <label class="check"><input type="checkbox" prop:checked=move || draft.with(|d| d.flag_well_known)
                        on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.flag_well_known = v); } />{t!(i18n, flag_well_known)}</label>
                    <label class="check"><input type="checkbox" prop:checked=move || draft.with(|d| d.flag_feedback)
                        on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.flag_feedback = v); } />{t!(i18n, flag_feedback)}</label>
                    <label class="check"><input type="checkbox" prop:checked=move || draft.with(|d| d.flag_influencer)
                        on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.flag_influencer = v); } />{t!(i18n, flag_influencer)}</label>
                </div>
            </fieldset>
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled=move || save.pending().get() data-testid="save-account">
                    {t!(i18n, save)}
                </button>
                <a class="button" href=id.map_or_else(|| "/accounts".to_owned(), |id| format!("/accounts/{id}"))>{t!(i18n, cancel)}</a>
            </div>
        </form>
    }
}
