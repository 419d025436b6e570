//! Translated labels of the shared enums.

use crate::i18n::*;
use kizuna_shared::api::{AuditCategory, AuditKind, SignalDefinition};
use kizuna_shared::domain::{AccountStatus, ExpansionPotential, Role, Tier};
use kizuna_shared::metrics::Band;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The translated name of a role.
pub fn role_label(i18n: I18nContext<Locale>, role: Role) -> String {
    match role {
        Role::Admin => t_string!(i18n, role_admin).to_string(),
        Role::Manager => t_string!(i18n, role_manager).to_string(),
        Role::Csm => t_string!(i18n, role_csm).to_string(),
        Role::Executive => t_string!(i18n, role_executive).to_string(),
    }
}

/// The translated name of an account status.
pub fn status_label(i18n: I18nContext<Locale>, status: AccountStatus) -> String {
    match status {
        AccountStatus::Active => t_string!(i18n, status_active).to_string(),
        AccountStatus::Churned => t_string!(i18n, status_churned).to_string(),
    }
}

/// The translated name of a coverage tier.
pub fn tier_label(i18n: I18nContext<Locale>, tier: Tier) -> String {
    match tier {
        Tier::High => t_string!(i18n, tier_high).to_string(),
        Tier::Low => t_string!(i18n, tier_low).to_string(),
        Tier::Tech => t_string!(i18n, tier_tech).to_string(),
    }
}

/// The translated name of an expansion potential.
pub fn expansion_label(i18n: I18nContext<Locale>, value: ExpansionPotential) -> String {
    match value {
        ExpansionPotential::None => t_string!(i18n, expansion_none).to_string(),
        ExpansionPotential::TrialGrowth => t_string!(i18n, expansion_trial_growth).to_string(),
        ExpansionPotential::Upsell => t_string!(i18n, expansion_upsell).to_string(),
        ExpansionPotential::CrossSell => t_string!(i18n, expansion_cross_sell).to_string(),
    }
}

/// The translated name of an audit event kind, from the `audit_kind` table
/// of the locale files (keyed by the kind's stable name, so a kind added to
/// the shared enum without a translation fails the build).
pub fn audit_kind_label(locale: Locale, kind: AuditKind) -> String {
    macro_rules! kinds {
        ($($variant:ident => $key:ident),* $(,)?) => {
            match kind {
                $(AuditKind::$variant => td_string!(locale, audit_kind.$key).to_string(),)*
            }
        };
    }
    kinds!(
        SignIn => sign_in,
        SignInFailed => sign_in_failed,
        SignInRefusedDisabled => sign_in_refused_disabled,
        SignOut => sign_out,
        UserCreated => user_created,
        UserChanged => user_changed,
        UserDisabled => user_disabled,
        UserEnabled => user_enabled,
        RoleChanged => role_changed,
        PasswordChanged => password_changed,
        PasswordReset => password_reset,
        SessionKeyRotated => session_key_rotated,
        AuditExported => audit_exported,
        AccountCreated => account_created,
        AccountEdited => account_edited,
        AccountDeleted => account_deleted,
        AccountsMerged => accounts_merged,
        ContactAdded => contact_added,
        ContactRemoved => contact_removed,
        ChampionChanged => champion_changed,
        ImportApplied => import_applied,
        ExportDownloaded => export_downloaded,
        SignalDefined => signal_defined,
        SignalChanged => signal_changed,
        ModelDraftSaved => model_draft_saved,
        ModelPublished => model_published,
    )
}

/// The translated name of an audit category (security or data events).
pub fn audit_category_label(i18n: I18nContext<Locale>, category: AuditCategory) -> String {
    match category {
        AuditCategory::Security => t_string!(i18n, audit_security_events).to_string(),
        AuditCategory::Data => t_string!(i18n, audit_data_events).to_string(),
    }
}

/// A labelled choice of role (the label is "Role"), bound to `role`.
#[component]
pub fn RoleSelect(
    /// The `<select>`'s id.
    id: &'static str,
    /// The chosen role.
    role: RwSignal<Role>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="field">
            <label for=id>{t!(i18n, field_role)}</label>
            <select id=id
                on:change=move |ev| if let Ok(r) = event_target_value(&ev).parse() { role.set(r) }>
                {Role::ALL.iter().map(|r| {
                    let r = *r;
                    view! { <option value=r.as_str() selected=move || role.get() == r>{move || role_label(i18n, r)}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A status pill: text plus a shape, never colour alone.
#[component]
pub fn StatusPill(status: AccountStatus) -> impl IntoView {
    let i18n = use_i18n();
    let class = match status {
        AccountStatus::Active => "pill pill-active",
        AccountStatus::Churned => "pill pill-churned",
    };
    let icon = match status {
        AccountStatus::Active => "●",
        AccountStatus::Churned => "✕",
    };
    view! {
        <span class=class>
            <span aria-hidden="true">{icon}</span>
            " "
            {move || status_label(i18n, status)}
        </span>
    }
}

/// A signal's label in the user's language (the English one when it has
/// no Japanese label).
pub fn signal_label(locale: Locale, signal: &SignalDefinition) -> String {
    match (locale, &signal.label_ja) {
        (Locale::ja, Some(ja)) => ja.clone(),
        _ => signal.label.clone(),
    }
}

/// The translated name of a health band.
pub fn band_label(locale: Locale, band: Band) -> String {
    match band {
        Band::Red => td_string!(locale, health.band_red).to_string(),
        Band::Yellow => td_string!(locale, health.band_yellow).to_string(),
        Band::Green => td_string!(locale, health.band_green).to_string(),
    }
}

/// A health band as a pill: colour, a distinct shape and the band's name,
/// so it does not rely on colour alone. (The cell around it carries
/// `data-band`, where a page promises one.)
#[component]
pub fn BandPill(band: Band) -> impl IntoView {
    let i18n = use_i18n();
    let class = format!("pill pill-band-{}", band.as_str());
    let icon = match band {
        Band::Red => "▼",
        Band::Yellow => "◆",
        Band::Green => "▲",
    };
    view! {
        <span class=class>
            <span aria-hidden="true">{icon}</span>
            " "
            {move || band_label(i18n.get_locale(), band)}
        </span>
    }
}

/// The name of one of our import columns (`external_id`, `mrr`, …) in the
/// user's language, from the `import_column` table of the locale files.
/// A key the table does not know is shown as it is.
pub fn import_column_label(locale: Locale, column: &str) -> String {
    macro_rules! columns {
        ($($key:ident),* $(,)?) => {
            match column {
                $(stringify!($key) => td_string!(locale, import_column.$key).to_string(),)*
                other => other.to_owned(),
            }
        };
    }
    columns!(
        external_id,
        name,
        domain,
        industry,
        plan,
        mrr,
        currency,
        contract_start,
        renewal_date,
        owner_email,
        status,
        churn_date,
        churn_reason,
        well_known,
        feedback,
        influencer,
        expansion_potential,
        champion_name,
        champion_changed_on,
        month,
        product,
        signal,
        date,
        value,
    )
}

/// The encoding the server detected (`UTF-8`, `UTF-8 with BOM`,
/// `Shift_JIS`) in the user's words.
pub fn encoding_label(i18n: I18nContext<Locale>, encoding: &str) -> String {
    match encoding {
        "UTF-8 with BOM" => t_string!(i18n, encoding_utf8_bom).to_string(),
        other => other.to_owned(),
    }
}

/// The separator the server detected (`comma`, `tab`) in the user's words.
pub fn delimiter_label(i18n: I18nContext<Locale>, delimiter: &str) -> String {
    match delimiter {
        "comma" => t_string!(i18n, delimiter_comma).to_string(),
        "tab" => t_string!(i18n, delimiter_tab).to_string(),
        other => other.to_owned(),
    }
}

/// What a measure does without a value.
pub fn missing_policy_label(
    i18n: I18nContext<Locale>,
    policy: kizuna_shared::metrics::MissingPolicy,
) -> String {
    use kizuna_shared::metrics::MissingPolicy;
    match policy {
        MissingPolicy::Skip => t_string!(i18n, workbench.missing_skip).to_string(),
        MissingPolicy::Zero => t_string!(i18n, workbench.missing_zero).to_string(),
    }
}

/// A trend measure's period and kind ("60-day change", "60-day change %").
pub fn trend_label(i18n: I18nContext<Locale>, trend: kizuna_shared::metrics::Trend) -> String {
    use kizuna_shared::metrics::TrendKind;
    let days = trend.days;
    match trend.kind {
        TrendKind::Absolute => t_string!(i18n, workbench.trend_absolute, days = days).to_string(),
        TrendKind::Relative => t_string!(i18n, workbench.trend_relative, days = days).to_string(),
    }
}
