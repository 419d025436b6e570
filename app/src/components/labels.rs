//! Translated labels of the shared enums.

use crate::i18n::*;
use kizuna_shared::api::{AuditCategory, AuditKind, SignalDefinition, SignalKind, SurveyState};
use kizuna_shared::domain::{
    AccountStatus, AnswerChannel, ExpansionPotential, Language, LinkStatus, ResponsibleRole, Role,
    ScoreGroup, SheetKind, SheetPhase, SurveyKind, TaskKind, TaskStatus, Tier,
};
use kizuna_shared::metrics::Band;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The translated name of a role.
pub fn role_label(i18n: I18nContext<Locale>, role: Role) -> String {
    let locale = i18n.get_locale();
    match role {
        Role::Admin => td_string!(locale, role_admin).to_string(),
        Role::Manager => td_string!(locale, role_manager).to_string(),
        Role::Csm => td_string!(locale, role_csm).to_string(),
        Role::Executive => td_string!(locale, role_executive).to_string(),
    }
}

/// The translated name of an account status.
pub fn status_label(i18n: I18nContext<Locale>, status: AccountStatus) -> String {
    let locale = i18n.get_locale();
    match status {
        AccountStatus::Active => td_string!(locale, status_active).to_string(),
        AccountStatus::Churned => td_string!(locale, status_churned).to_string(),
    }
}

/// The translated name of a coverage tier.
pub fn tier_label(i18n: I18nContext<Locale>, tier: Tier) -> String {
    let locale = i18n.get_locale();
    match tier {
        Tier::High => td_string!(locale, tier_high).to_string(),
        Tier::Low => td_string!(locale, tier_low).to_string(),
        Tier::Tech => td_string!(locale, tier_tech).to_string(),
    }
}

/// The translated name of an expansion potential.
pub fn expansion_label(i18n: I18nContext<Locale>, value: ExpansionPotential) -> String {
    let locale = i18n.get_locale();
    match value {
        ExpansionPotential::None => td_string!(locale, expansion_none).to_string(),
        ExpansionPotential::TrialGrowth => td_string!(locale, expansion_trial_growth).to_string(),
        ExpansionPotential::Upsell => td_string!(locale, expansion_upsell).to_string(),
        ExpansionPotential::CrossSell => td_string!(locale, expansion_cross_sell).to_string(),
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
        SurveyCreated => survey_created,
        SurveyChanged => survey_changed,
        SurveyAnswerRecorded => survey_answer_recorded,
        SurveyLinksIssued => survey_links_issued,
        SurveyLinkRevoked => survey_link_revoked,
        SurveyAnswersExported => survey_answers_exported,
        TemplateCreated => template_created,
        TemplateChanged => template_changed,
        SheetStarted => sheet_started,
        SheetCompleted => sheet_completed,
        SheetReopened => sheet_reopened,
        SheetDeleted => sheet_deleted,
        TaskDone => task_done,
        TaskReopened => task_reopened,
        ScoringDataRead => scoring_data_read,
    )
}

/// The translated name of an audit category (security or data events).
pub fn audit_category_label(i18n: I18nContext<Locale>, category: AuditCategory) -> String {
    let locale = i18n.get_locale();
    match category {
        AuditCategory::Security => td_string!(locale, audit_security_events).to_string(),
        AuditCategory::Data => td_string!(locale, audit_data_events).to_string(),
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
            <label for=id>{tr!(i18n, field_role)}</label>
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

/// The translated name of a survey kind.
pub fn survey_kind_label(i18n: I18nContext<Locale>, kind: SurveyKind) -> String {
    let locale = i18n.get_locale();
    match kind {
        SurveyKind::Nps => td_string!(locale, kind_nps).to_string(),
        SurveyKind::Csat => td_string!(locale, kind_csat).to_string(),
    }
}

/// The translated name of a score group: promoters/passives/detractors for
/// NPS, satisfied/neutral/dissatisfied for CSAT.
pub fn group_label(i18n: I18nContext<Locale>, kind: SurveyKind, group: ScoreGroup) -> String {
    let locale = i18n.get_locale();
    match (kind, group) {
        (SurveyKind::Nps, ScoreGroup::Positive) => td_string!(locale, group_promoters).to_string(),
        (SurveyKind::Nps, ScoreGroup::Neutral) => td_string!(locale, group_passives).to_string(),
        (SurveyKind::Nps, ScoreGroup::Negative) => td_string!(locale, group_detractors).to_string(),
        (SurveyKind::Csat, ScoreGroup::Positive) => td_string!(locale, group_satisfied).to_string(),
        (SurveyKind::Csat, ScoreGroup::Neutral) => td_string!(locale, group_neutral).to_string(),
        (SurveyKind::Csat, ScoreGroup::Negative) => {
            td_string!(locale, group_dissatisfied).to_string()
        }
    }
}

/// The translated name of an answer channel.
pub fn channel_label(i18n: I18nContext<Locale>, channel: AnswerChannel) -> String {
    let locale = i18n.get_locale();
    match channel {
        AnswerChannel::Call => td_string!(locale, channel_call).to_string(),
        AnswerChannel::Link => td_string!(locale, channel_link).to_string(),
    }
}

/// The translated name of a link status.
pub fn link_status_label(i18n: I18nContext<Locale>, status: LinkStatus) -> String {
    let locale = i18n.get_locale();
    match status {
        LinkStatus::Open => td_string!(locale, link_open).to_string(),
        LinkStatus::Answered => td_string!(locale, link_answered).to_string(),
        LinkStatus::Expired => td_string!(locale, link_expired).to_string(),
        LinkStatus::Revoked => td_string!(locale, link_revoked).to_string(),
    }
}

/// The translated name of a survey's state.
pub fn survey_state_label(i18n: I18nContext<Locale>, state: SurveyState) -> String {
    let locale = i18n.get_locale();
    match state {
        SurveyState::Scheduled => td_string!(locale, state_scheduled).to_string(),
        SurveyState::Open => td_string!(locale, state_open).to_string(),
        SurveyState::Closed => td_string!(locale, state_closed).to_string(),
        SurveyState::Archived => td_string!(locale, state_archived).to_string(),
    }
}

/// The translated name of a language.
pub fn language_label(i18n: I18nContext<Locale>, language: Language) -> String {
    let locale = i18n.get_locale();
    match language {
        Language::En => td_string!(locale, language_en).to_string(),
        Language::Ja => td_string!(locale, language_ja).to_string(),
    }
}

/// The translated name of a sheet phase (導入期・活用期・更新期).
pub fn phase_label(i18n: I18nContext<Locale>, phase: SheetPhase) -> String {
    let locale = i18n.get_locale();
    match phase {
        SheetPhase::Onboarding => td_string!(locale, phase_onboarding).to_string(),
        SheetPhase::Adoption => td_string!(locale, phase_adoption).to_string(),
        SheetPhase::Renewal => td_string!(locale, phase_renewal).to_string(),
    }
}

/// The translated name of a responsible role.
pub fn responsible_label(i18n: I18nContext<Locale>, role: ResponsibleRole) -> String {
    let locale = i18n.get_locale();
    match role {
        ResponsibleRole::Csm => td_string!(locale, resp_csm).to_string(),
        ResponsibleRole::Manager => td_string!(locale, resp_manager).to_string(),
        ResponsibleRole::CsOps => td_string!(locale, resp_cs_ops).to_string(),
        ResponsibleRole::Mentor => td_string!(locale, resp_mentor).to_string(),
        ResponsibleRole::Customer => td_string!(locale, resp_customer).to_string(),
        ResponsibleRole::NewMember => td_string!(locale, resp_new_member).to_string(),
    }
}

/// The translated name of a sheet kind.
pub fn sheet_kind_label(i18n: I18nContext<Locale>, kind: SheetKind) -> String {
    let locale = i18n.get_locale();
    match kind {
        SheetKind::Customer => td_string!(locale, sheet_customer).to_string(),
        SheetKind::Teammate => td_string!(locale, sheet_teammate).to_string(),
    }
}

/// The translated name of a task kind.
pub fn task_kind_label(i18n: I18nContext<Locale>, kind: TaskKind) -> String {
    match kind {
        TaskKind::SurveyFollowUp => t_string!(i18n, task_survey_follow_up).to_string(),
    }
}

/// The translated name of a task status.
pub fn task_status_label(i18n: I18nContext<Locale>, status: TaskStatus) -> String {
    let locale = i18n.get_locale();
    match status {
        TaskStatus::Open => td_string!(locale, task_open).to_string(),
        TaskStatus::Done => td_string!(locale, task_done).to_string(),
    }
}

/// A score with its group: a shape and text beside the colour.
#[component]
pub fn ScoreBadge(kind: SurveyKind, score: u8) -> impl IntoView {
    let i18n = use_i18n();
    let group = ScoreGroup::of(kind, score).unwrap_or(ScoreGroup::Neutral);
    let (class, icon) = match group {
        ScoreGroup::Positive => ("pill pill-positive", "▲"),
        ScoreGroup::Neutral => ("pill pill-neutral", "●"),
        ScoreGroup::Negative => ("pill pill-negative", "▼"),
    };
    view! {
        <span class=class data-group=group.as_str()>
            <span aria-hidden="true">{icon}</span>
            " " <strong>{score}</strong> " "
            <span class="pill-note">{move || group_label(i18n, kind, group)}</span>
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
    let locale = i18n.get_locale();
    match delimiter {
        "comma" => td_string!(locale, delimiter_comma).to_string(),
        "tab" => td_string!(locale, delimiter_tab).to_string(),
        other => other.to_owned(),
    }
}

/// What a measure does without a value.
pub fn missing_policy_label(
    i18n: I18nContext<Locale>,
    policy: kizuna_shared::metrics::MissingPolicy,
) -> String {
    let locale = i18n.get_locale();
    use kizuna_shared::metrics::MissingPolicy;
    match policy {
        MissingPolicy::Skip => td_string!(locale, workbench.missing_skip).to_string(),
        MissingPolicy::Zero => td_string!(locale, workbench.missing_zero).to_string(),
    }
}

/// A trend measure's period and kind ("60-day change", "60-day change %").
pub fn trend_label(i18n: I18nContext<Locale>, trend: kizuna_shared::metrics::Trend) -> String {
    let locale = i18n.get_locale();
    use kizuna_shared::metrics::TrendKind;
    let days = trend.days;
    match trend.kind {
        TrendKind::Absolute => {
            td_string!(locale, workbench.trend_absolute, days = days).to_string()
        }
        TrendKind::Relative => {
            td_string!(locale, workbench.trend_relative, days = days).to_string()
        }
    }
}

/// The translated name of a signal kind.
pub fn signal_kind_label(i18n: I18nContext<Locale>, kind: SignalKind) -> String {
    let locale = i18n.get_locale();
    match kind {
        SignalKind::Number => td_string!(locale, signals.kind_number).to_string(),
        SignalKind::YesNo => td_string!(locale, signals.kind_yes_no).to_string(),
    }
}
