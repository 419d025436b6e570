//! Onboarding sheets as more than one page shows them: the sheets table,
//! the form that starts a template for an account or a new team member, and
//! an account's sheets (its page's section).

use crate::clock::today;
use crate::components::account_picker::AccountPicker;
use crate::components::form::ErrorAlert;
use crate::components::form::{FormAlert, FormErrors};
use crate::components::labels::{sheet_kind_label, tier_label};
use crate::components::progress::Progress;
use crate::components::texts::show;
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{Account, FieldError, Sheet, SheetQuery, StartSheet, TemplateQuery};
use kizuna_shared::domain::{Capability, SheetKind};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

/// One table row per sheet.
fn sheet_rows(i18n: I18nContext<Locale>, sheets: Vec<Sheet>) -> impl IntoView {
    let locale = i18n.get_locale();
    sheets
        .into_iter()
        .map(|s| {
            let subject = match (&s.account, &s.member) {
                (Some(a), _) => view! { <a href=format!("/accounts/{}", a.id)>{a.name.clone()}</a> }.into_any(),
                (_, Some(m)) => view! { <span>{m.name.clone()}</span> }.into_any(),
                _ => view! { <span></span> }.into_any(),
            };
            let p = s.progress;
            let label = t_string!(i18n, required_done_of, done = p.required_done, total = p.required).to_string();
            let status = match s.completed_on {
                Some(d) => view! {
                    <span class="pill pill-active"><span aria-hidden="true">"✓"</span> " " {t!(i18n, completed_on, date = format::date(d, locale))}</span>
                }.into_any(),
                None if p.overdue > 0 => view! {
                    <span class="pill pill-overdue"><span aria-hidden="true">"⚠"</span> " " {t!(i18n, n_overdue, n = p.overdue)}</span>
                }.into_any(),
                None => view! { <span class="pill pill-neutral">{tr!(i18n, in_progress)}</span> }.into_any(),
            };
            view! {
                <tr>
                    <th scope="row"><a href=format!("/sheets/{}", s.id)>{show(&s.name, locale)}</a>
                        <span class="muted small block">{sheet_kind_label(i18n, s.kind)}</span></th>
                    <td>{subject}{s.account.as_ref().map(|a| view! { <span class="muted small block">{tier_label(i18n, a.tier)}</span> })}</td>
                    <td>{s.owner.map(|o| o.name).unwrap_or_else(|| t_string!(i18n, unassigned).to_string())}</td>
                    <td class="nowrap">{format::date(s.started_on, locale)}</td>
                    <td><Progress done=p.required_done total=p.required label=label /></td>
                    <td class="nowrap">{s.next_due_on.map(|d| format::date(d, locale)).unwrap_or_default()}</td>
                    <td>{status}</td>
                </tr>
            }
        })
        .collect_view()
}

/// The sheets as a table: name, for whom, owner, start, required items
/// done, next due date.
pub fn sheet_table(i18n: I18nContext<Locale>, sheets: Vec<Sheet>) -> impl IntoView {
    view! {
        <div class="table-wrap"><table class="data-table" data-testid="sheets-table">
            <thead><tr>
                <th scope="col">{tr!(i18n, col_sheet)}</th>
                <th scope="col">{tr!(i18n, col_for)}</th>
                <th scope="col">{tr!(i18n, col_owner)}</th>
                <th scope="col">{tr!(i18n, col_started)}</th>
                <th scope="col">{tr!(i18n, col_required_done)}</th>
                <th scope="col">{tr!(i18n, col_next_due)}</th>
                <th scope="col">{tr!(i18n, col_status)}</th>
            </tr></thead>
            <tbody>{sheet_rows(i18n, sheets)}</tbody>
        </table></div>
    }
}

/// Starting a template: for an account (given, or picked) or, for
/// managers, a new team member with their guide.
#[component]
pub fn StartSheetForm(account: Option<(i64, String)>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let may_start = move || session.may(Capability::WorkAccounts);
    let templates = LocalResource::new(|| async {
        crate::api::sheet_templates(&TemplateQuery::default())
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    });
    let users = LocalResource::new(|| async {
        crate::api::owners()
            .await
            .map(|p| p.items)
            .unwrap_or_default()
    });
    let fixed = account.is_some();
    let template = RwSignal::new(None::<i64>);
    let chosen = RwSignal::new(account);
    let member = RwSignal::new(None::<i64>);
    let guide = RwSignal::new(None::<i64>);
    let start = RwSignal::new(today().to_string());
    let errors = FormErrors::new(start_field_message);
    let kind = move || {
        let id = template.get();
        templates
            .get()
            .and_then(|ts| ts.into_iter().find(|t| Some(t.id) == id).map(|t| t.kind))
    };
    let own = Signal::derive(move || {
        // Account managers pick any account; everyone else their own.
        (!session.can_manage())
            .then(|| session.user.with(|u| u.as_ref().map(|u| u.id)))
            .flatten()
    });
    let action = Action::new_local(move |request: &StartSheet| {
        let request = request.clone();
        async move { crate::api::start_sheet(&request).await }
    });
    Effect::new(move |_| match action.value().get() {
        Some(Ok(d)) => navigate(
            &format!("/sheets/{}", d.sheet.id),
            NavigateOptions::default(),
        ),
        Some(Err(err)) => errors.fail(err),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(template_id) = template.get_untracked() else {
            errors.set_fields(vec![FieldError {
                field: "template_id".into(),
                message: "required".into(),
            }]);
            return;
        };
        let teammate = kind() == Some(SheetKind::Teammate);
        errors.clear();
        action.dispatch(StartSheet {
            template_id,
            account_id: (!teammate)
                .then(|| chosen.get_untracked().map(|a| a.0))
                .flatten(),
            member_id: teammate.then(|| member.get_untracked()).flatten(),
            owner_id: teammate.then(|| guide.get_untracked()).flatten(),
            started_on: start.get_untracked().parse().ok(),
        });
    };
    let error = move |f: &'static str| errors.text(f);
    let user_select = move |id: &'static str, signal: RwSignal<Option<i64>>| {
        view! {
            <select id=id on:change=move |ev| signal.set(event_target_value(&ev).parse().ok())>
                <option value="">{tr!(i18n, choose)}</option>
                {move || users.get().unwrap_or_default().into_iter().map(|u| view! {
                    <option value=u.id.to_string()>{u.name}</option>
                }).collect_view()}
            </select>
        }
    };
    view! {
        <Show when=may_start>
            <section class="card section" aria-labelledby="start-heading">
                <h2 id="start-heading">{tr!(i18n, start_sheet)}</h2>
                <form class="form" on:submit=submit novalidate=true data-testid="start-sheet">
                    <FormAlert errors />
                    <div class="form-grid">
                        <div class="field">
                            <label for="start-template">{tr!(i18n, col_template)}</label>
                            <select id="start-template" on:change=move |ev| template.set(event_target_value(&ev).parse().ok())>
                                <option value="">{tr!(i18n, choose)}</option>
                                {move || {
                                    let locale = i18n.get_locale();
                                    let manage = session.can_manage();
                                    templates.get().unwrap_or_default().into_iter()
                                        .filter(|t| manage || (t.kind == SheetKind::Customer))
                                        .filter(|t| !fixed || t.kind == SheetKind::Customer)
                                        .map(|t| view! { <option value=t.id.to_string()>{show(&t.name, locale)}</option> })
                                        .collect_view()
                                }}
                            </select>
                            <p class="field-error">{error("template_id")}</p>
                        </div>
                        <div class="field">
                            <label for="start-on">{tr!(i18n, field_start_on)}</label>
                            <input id="start-on" type="date" prop:value=start on:input=move |ev| start.set(event_target_value(&ev)) />
                        </div>
                    </div>
                    {move || if kind() == Some(SheetKind::Teammate) {
                        view! {
                            <div class="form-grid">
                                <div class="field">
                                    <label for="start-member">{tr!(i18n, field_member)}</label>
                                    {user_select("start-member", member)}
                                    <p class="field-error">{error("member_id")}</p>
                                </div>
                                <div class="field">
                                    <label for="start-guide">{tr!(i18n, field_guide)}</label>
                                    {user_select("start-guide", guide)}
                                    <p class="field-error">{error("owner_id")}</p>
                                </div>
                            </div>
                        }.into_any()
                    } else {
                        match chosen.get() {
                            Some((_, name)) => view! {
                                <p class="chosen">{tr!(i18n, col_account)} ": " <strong>{name}</strong> " "
                                    {(!fixed).then(|| view! { <button type="button" class="button button-quiet" on:click=move |_| chosen.set(None)>{tr!(i18n, change)}</button> })}
                                </p>
                            }.into_any(),
                            None => view! {
                                <AccountPicker id="start-account" owner=own on_pick=Callback::new(move |a: Account| chosen.set(Some((a.id, a.name)))) />
                                <p class="field-error">{error("account_id")}</p>
                            }.into_any(),
                        }
                    }}
                    <div class="form-actions">
                        <button class="button button-primary" type="submit" disabled=move || action.pending().get()>{tr!(i18n, start_sheet)}</button>
                    </div>
                </form>
            </section>
        </Show>
    }
}

/// The sheets of one account, for its page.
#[component]
pub fn AccountSheets(account: i64, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let sheets = LocalResource::new(move || async move {
        crate::api::sheets(&SheetQuery {
            account: Some(account),
            ..SheetQuery::default()
        })
        .await
    });
    let show_start = RwSignal::new(false);
    view! {
        <section class="card section" aria-labelledby="account-sheets-heading" data-testid="account-sheets">
            <div class="section-head">
                <h2 id="account-sheets-heading">{tr!(i18n, onboarding_title)}</h2>
                <button type="button" class="button button-quiet" on:click=move |_| show_start.update(|s| *s = !*s)>{tr!(i18n, start_sheet)}</button>
            </div>
            {move || sheets.get().map(|r| match r {
                Err(err) => view! { <ErrorAlert error=err.clone() /> }.into_any(),
                Ok(p) if p.items.is_empty() => view! { <p class="empty-state">{tr!(i18n, no_account_sheets)}</p> }.into_any(),
                Ok(p) => sheet_table(i18n, p.items).into_any(),
            })}
            <Show when=move || show_start.get()>
                <StartSheetForm account=Some((account, name.clone())) />
            </Show>
        </section>
    }
}

/// The sentence under a wrong field of the start form.
fn start_field_message(i18n: I18nContext<Locale>, field: &str) -> String {
    let locale = i18n.get_locale();
    match field {
        "account_id" => td_string!(locale, error_sheet_account).to_string(),
        "member_id" => td_string!(locale, error_sheet_member).to_string(),
        "owner_id" => td_string!(locale, error_sheet_guide).to_string(),
        // The template (none chosen, or archived meanwhile).
        _ => td_string!(locale, error_sheet_template).to_string(),
    }
}
