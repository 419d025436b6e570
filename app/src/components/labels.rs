//! Translated labels of the shared enums.

use crate::i18n::*;
use kizuna_shared::domain::{AccountStatus, ExpansionPotential, Role, Tier};
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
