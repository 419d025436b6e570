//! Creating (`/accounts/new`) and editing (`/accounts/:id/edit`) an account.
//! The form checks its input with the same `AccountInput::validate()` the
//! server runs, so both reject the same values; money is typed the way people
//! write it (`￥520,000`, `79.85`) and parsed by `cells::parse_amount`. Edits
//! send the version they were read at; a stale one gets a 409 and a message.
//!
//! Some fields are shown read-only, with a note saying why: the MRR and
//! currency of an account whose MRR comes from its revenue history
//! (`Account::mrr_from_history`), and, for a CSM on their own account, the
//! fields only managers change (`domain::editable_account_fields`, asked
//! through `Session::editable_fields`). The form sends the stored value of
//! every read-only field, so it never asks for a change the server refuses.

use crate::components::form::{read_optional, ErrorAlert, FormAlert, FormErrors, TextField};
use crate::components::labels::expansion_label;
use crate::components::route_params::account_from_route;
use crate::i18n::*;
use crate::session::use_session;
use garde::Validate;
use kizuna_shared::api::{Account, AccountInput, ExternalId, FieldError, UpdateAccount};
use kizuna_shared::cells;
use kizuna_shared::domain::{AccountField, AccountStatus, Currency, ExpansionPotential, Language};
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

/// `540000` → `540,000`, `1234.50` → `1,234.50`: an amount the way the
/// label's example writes it (`cells::parse_amount` reads it back).
pub fn group_thousands(amount: &str) -> String {
    let (whole, fraction) = amount
        .split_once('.')
        .map_or((amount, None), |(w, f)| (w, Some(f)));
    let digits: Vec<char> = whole.chars().collect();
    let mut out = String::with_capacity(amount.len() + digits.len() / 3);
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && c.is_ascii_digit() && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(*c);
    }
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    out
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
            mrr: group_thousands(&kizuna_shared::domain::format_major(
                a.mrr_minor,
                a.currency,
            )),
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
        let external_id = read_optional(
            "external_id",
            &self.external_id,
            ExternalId::parse,
            &mut errors,
        );
        let input = AccountInput {
            name: self.name.trim().to_owned(),
            external_id,
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

/// Why a field of the form is read-only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// MRR and currency of an account whose MRR comes from its revenue
    /// history: only an MRR import changes them.
    History,
    /// A field this user may not change (`domain::editable_account_fields`).
    Managers,
}

impl Lock {
    /// The id of the note on the form that explains this lock.
    const fn note_id(self) -> &'static str {
        match self {
            Lock::History => "f-history-note",
            Lock::Managers => "f-managers-note",
        }
    }
}

/// Whether `field` is read-only, and why: the revenue history first (it
/// binds managers too), then the user's rights (`editable` is what
/// `Session::editable_fields` answered for this account).
pub fn lock_of(field: AccountField, from_history: bool, editable: &[AccountField]) -> Option<Lock> {
    if from_history && matches!(field, AccountField::MrrMinor | AccountField::Currency) {
        Some(Lock::History)
    } else if editable.contains(&field) {
        None
    } else {
        Some(Lock::Managers)
    }
}

/// Puts the stored value of `field` back into `input` (a read-only field is
/// sent as it was read, so the form never asks for a refused change).
pub fn keep_stored(input: &mut AccountInput, stored: &AccountInput, field: AccountField) {
    match field {
        AccountField::Name => input.name = stored.name.clone(),
        AccountField::ExternalId => input.external_id = stored.external_id.clone(),
        AccountField::Domain => input.domain = stored.domain.clone(),
        AccountField::Industry => input.industry = stored.industry.clone(),
        AccountField::Plan => input.plan = stored.plan.clone(),
        AccountField::MrrMinor => input.mrr_minor = stored.mrr_minor,
        AccountField::Currency => input.currency = stored.currency,
        AccountField::ContractStart => input.contract_start = stored.contract_start,
        AccountField::RenewalDate => input.renewal_date = stored.renewal_date,
        AccountField::OwnerId => input.owner_id = stored.owner_id,
        AccountField::Status => input.status = stored.status,
        AccountField::ChurnDate => input.churn_date = stored.churn_date,
        AccountField::ChurnReason => input.churn_reason = stored.churn_reason.clone(),
        AccountField::FlagWellKnown => input.flag_well_known = stored.flag_well_known,
        AccountField::FlagFeedback => input.flag_feedback = stored.flag_feedback,
        AccountField::FlagInfluencer => input.flag_influencer = stored.flag_influencer,
        AccountField::ExpansionPotential => input.expansion_potential = stored.expansion_potential,
        AccountField::ChampionName => input.champion_name = stored.champion_name.clone(),
        AccountField::ChampionChangedOn => input.champion_changed_on = stored.champion_changed_on,
        AccountField::Language => input.language = stored.language,
    }
}

/// The translated message for a field the shared rules rejected.
fn field_message(i18n: I18nContext<Locale>, field: &str) -> String {
    let locale = i18n.get_locale();
    match field {
        "name" => td_string!(locale, error_required_text).to_string(),
        "mrr_minor" => td_string!(locale, error_amount).to_string(),
        "domain" => td_string!(locale, error_domain).to_string(),
        "renewal_date" => td_string!(locale, error_after_start).to_string(),
        "churn_date" => td_string!(locale, error_churn_date).to_string(),
        "contract_start" | "champion_changed_on" => td_string!(locale, error_date).to_string(),
        "owner_id" => td_string!(locale, error_owner).to_string(),
        _ => td_string!(locale, error_text).to_string(),
    }
}

/// `/accounts/new`.
#[component]
pub fn NewAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <p class="breadcrumb"><a href="/accounts">"← " {tr!(i18n, back_to_accounts)}</a></p>
        <Show when=move || session.can_manage()
            fallback=move || view! { <p class="alert alert-error" role="alert">{tr!(i18n, forbidden)}</p> }>
            <h1>{tr!(i18n, new_account)}</h1>
            <AccountForm account=None />
        </Show>
    }
}

/// `/accounts/:id/edit`.
#[component]
pub fn EditAccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let account = account_from_route();
    let body = move || {
        account.get().map(|r| match r {
            Ok(Some(d)) => {
                let a = d.account;
                let owner_id = a.owner.as_ref().map(|o| o.id);
                view! {
                    <p class="breadcrumb"><a href=format!("/accounts/{}", a.id)>"← " {a.name.clone()}</a></p>
                    <h1>{tr!(i18n, edit_account)} ": " {a.name.clone()}</h1>
                    <Show when=move || session.can_edit(owner_id)
                        fallback=move || view! { <p class="alert alert-error" role="alert">{tr!(i18n, forbidden)}</p> }>
                        <AccountForm account=Some(a.clone()) />
                    </Show>
                }
                .into_any()
            }
            Ok(None) => view! { <p class="alert alert-error" role="alert">{tr!(i18n, account_not_found)}</p> }.into_any(),
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
        })
    };
    view! {
        {move || body().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
    }
}

/// The form of a new account (`account` is `None`) or of a stored one.
#[component]
fn AccountForm(account: Option<Account>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let id = account.as_ref().map(|a| a.id);
    let version = account.as_ref().map(|a| a.version);
    let owner_id = account
        .as_ref()
        .and_then(|a| a.owner.as_ref().map(|o| o.id));
    let from_history = account.as_ref().is_some_and(|a| a.mrr_from_history);
    let stored = account.as_ref().map(AccountInput::from_account);
    let draft = RwSignal::new(
        account
            .as_ref()
            .map_or_else(AccountDraft::default, AccountDraft::from_account),
    );
    // What this user may change here, asked of the shared rule.
    let editable = Memo::new(move |_| session.editable_fields(owner_id));
    let lock = move |field: AccountField| editable.with(|e| lock_of(field, from_history, e));
    let locked = move |field: AccountField| Signal::derive(move || lock(field).is_some());
    // The notes a read-only field points at (`aria-describedby`).
    let note = move |field: AccountField| Signal::derive(move || lock(field).map(Lock::note_id));
    let described = move |field: AccountField, error_id: &'static str| {
        move || match lock(field) {
            Some(l) => format!("{} {error_id}", l.note_id()),
            None => error_id.to_owned(),
        }
    };
    // A 400 on a read-only field (the account changed since it was read)
    // says why the field cannot change; other fields keep their sentences.
    let errors = FormErrors::with_messages(Callback::new(move |field: String| {
        match field.parse().ok().and_then(lock) {
            Some(Lock::History) => t_string!(i18n, error_mrr_from_history).to_string(),
            Some(Lock::Managers) => t_string!(i18n, error_managers_only).to_string(),
            None => field_message(i18n, &field),
        }
    }));
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
            Ok(mut input) => {
                if let Some(stored) = &stored {
                    for field in AccountField::ALL {
                        if lock(*field).is_some() {
                            keep_stored(&mut input, stored, *field);
                        }
                    }
                }
                errors.clear();
                save.dispatch(input);
            }
            Err(wrong) => errors.set_fields(wrong),
        }
    };
    // One text input bound to one draft field.
    let text = move |field: AccountField,
                     id: &'static str,
                     label: Signal<String>,
                     kind: &'static str,
                     get: fn(&AccountDraft) -> String,
                     set: fn(&mut AccountDraft, String)| {
        view! {
            <TextField errors field=field.as_str() id label kind
                readonly=locked(field) note=note(field)
                value=Signal::derive(move || draft.with(get))
                set=move |v| draft.update(|d| set(d, v)) />
        }
    };
    let any_locked = move |by: Lock| AccountField::ALL.iter().any(|f| lock(*f) == Some(by));
    macro_rules! label {
        ($key:ident) => {
            tr_signal!(i18n, $key)
        };
    }
    view! {
        <form class="form card account-form" on:submit=on_submit novalidate=true data-testid="account-form">
            <FormAlert errors=errors summary=true />
            <Show when=move || any_locked(Lock::Managers)>
                <p class="alert alert-note" id=Lock::Managers.note_id() data-testid="managers-note">{tr!(i18n, managers_only_note)}</p>
            </Show>
            <fieldset>
                <legend>{tr!(i18n, section_profile)}</legend>
                <div class="form-grid">
                    {text(AccountField::Name, "f-name", label!(col_name), "text", |d| d.name.clone(), |d, v| d.name = v)}
                    {text(AccountField::ExternalId, "f-external-id", label!(col_external_id), "text", |d| d.external_id.clone(), |d, v| d.external_id = v)}
                    {text(AccountField::Domain, "f-domain", label!(col_domain), "text", |d| d.domain.clone(), |d, v| d.domain = v)}
                    {text(AccountField::Industry, "f-industry", label!(col_industry), "text", |d| d.industry.clone(), |d, v| d.industry = v)}
                    {text(AccountField::Plan, "f-plan", label!(col_plan), "text", |d| d.plan.clone(), |d, v| d.plan = v)}
                    <div class="field">
                        <label for="f-owner">{tr!(i18n, col_owner)}</label>
                        <select id="f-owner" aria-invalid=errors.invalid("owner_id") aria-describedby=described(AccountField::OwnerId, "f-owner-error") disabled=locked(AccountField::OwnerId) on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.owner_id = v); }>
                            <option value="">{tr!(i18n, unassigned)}</option>
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
                <legend>{tr!(i18n, section_contract)}</legend>
                <Show when=move || any_locked(Lock::History)>
                    <p class="alert alert-note" id=Lock::History.note_id() data-testid="mrr-history-note">{tr!(i18n, mrr_history_note)}</p>
                </Show>
                <div class="form-grid">
                    {text(AccountField::MrrMinor, "f-mrr", label!(field_mrr_major), "text", |d| d.mrr.clone(), |d, v| d.mrr = v)}
                    <div class="field">
                        <label for="f-currency">{tr!(i18n, field_currency)}</label>
                        <select id="f-currency" aria-invalid=errors.invalid("currency") aria-describedby=described(AccountField::Currency, "f-currency-error") disabled=locked(AccountField::Currency) on:change=move |ev| if let Ok(c) = event_target_value(&ev).parse() { draft.update(|d| d.currency = c) }>
                            {Currency::ALL.iter().map(|c| {
                                let c = *c;
                                view! { <option value=c.as_str() selected=move || draft.with(|d| d.currency == c)>{c.as_str()}</option> }
                            }).collect_view()}
                        </select>
                        {errors.under("currency", "f-currency-error")}
                    </div>
                    {text(AccountField::ContractStart, "f-contract-start", label!(col_contract_start), "date", |d| d.contract_start.clone(), |d, v| d.contract_start = v)}
                    {text(AccountField::RenewalDate, "f-renewal", label!(col_renewal), "date", |d| d.renewal_date.clone(), |d, v| d.renewal_date = v)}
                    <div class="field">
                        <label for="f-status">{tr!(i18n, col_status)}</label>
                        <select id="f-status" aria-invalid=errors.invalid("status") aria-describedby=described(AccountField::Status, "f-status-error") disabled=locked(AccountField::Status) on:change=move |ev| if let Ok(s) = event_target_value(&ev).parse() { draft.update(|d| d.status = s) }>
                            <option value="active" selected=move || draft.with(|d| d.status == AccountStatus::Active)>{tr!(i18n, status_active)}</option>
                            <option value="churned" selected=move || draft.with(|d| d.status == AccountStatus::Churned)>{tr!(i18n, status_churned)}</option>
                        </select>
                        {errors.under("status", "f-status-error")}
                    </div>
                    {text(AccountField::ChurnDate, "f-churn-date", label!(field_churn_date), "date", |d| d.churn_date.clone(), |d, v| d.churn_date = v)}
                    {text(AccountField::ChurnReason, "f-churn-reason", label!(field_churn_reason), "text", |d| d.churn_reason.clone(), |d, v| d.churn_reason = v)}
                </div>
            </fieldset>
            <fieldset>
                <legend>{tr!(i18n, section_relationship)}</legend>
                <div class="form-grid">
                    {text(AccountField::ChampionName, "f-champion", label!(field_champion), "text", |d| d.champion_name.clone(), |d, v| d.champion_name = v)}
                    {text(AccountField::ChampionChangedOn, "f-champion-changed", label!(field_champion_changed), "date", |d| d.champion_changed_on.clone(), |d, v| d.champion_changed_on = v)}
                    <div class="field">
                        <label for="f-expansion">{tr!(i18n, field_expansion)}</label>
                        <select id="f-expansion" disabled=locked(AccountField::ExpansionPotential) on:change=move |ev| if let Ok(x) = event_target_value(&ev).parse() { draft.update(|d| d.expansion_potential = x) }>
                            {ExpansionPotential::ALL.iter().map(|x| {
                                let x = *x;
                                view! { <option value=x.as_str() selected=move || draft.with(|d| d.expansion_potential == x)>{move || expansion_label(i18n, x)}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-language">{tr!(i18n, field_customer_language)}</label>
                        <select id="f-language" on:change=move |ev| { let v = event_target_value(&ev).parse().ok(); draft.update(|d| d.language = v); }>
                            <option value="" selected=move || draft.with(|d| d.language.is_none())>{tr!(i18n, language_default)}</option>
                            {Language::ALL.iter().map(|l| {
                                let l = *l;
                                view! { <option value=l.as_str() selected=move || draft.with(|d| d.language == Some(l))>{move || crate::components::labels::language_label(i18n, l)}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="checks" role="group" aria-label=tr!(i18n, field_flags)>
                    <label class="check"><input type="checkbox" disabled=locked(AccountField::FlagWellKnown) prop:checked=move || draft.with(|d| d.flag_well_known)
                        on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.flag_well_known = v); } />{tr!(i18n, flag_well_known)}</label>
                    <label class="check"><input type="checkbox" disabled=locked(AccountField::FlagFeedback) prop:checked=move || draft.with(|d| d.flag_feedback)
                        on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.flag_feedback = v); } />{tr!(i18n, flag_feedback)}</label>
                    <label class="check"><input type="checkbox" disabled=locked(AccountField::FlagInfluencer) prop:checked=move || draft.with(|d| d.flag_influencer)
                        on:change=move |ev| { let v = event_target_checked(&ev); draft.update(|d| d.flag_influencer = v); } />{tr!(i18n, flag_influencer)}</label>
                </div>
            </fieldset>
            <div class="form-actions">
                <button class="button button-primary" type="submit" disabled=move || save.pending().get() data-testid="save-account">
                    {tr!(i18n, save)}
                </button>
                <a class="button" href=id.map_or_else(|| "/accounts".to_owned(), |id| format!("/accounts/{id}"))>{tr!(i18n, cancel)}</a>
            </div>
        </form>
    }
}
