//! The signed-in user's own password change (`/account/password`, for every
//! role): current password, new password twice. The shared garde rules mark
//! fields before sending (length counted in characters), the server's 400
//! after (a wrong current password, a new one equal to it). The server ends
//! every session of the user and gives this browser a fresh cookie, so this
//! tab stays signed in while other devices are signed out — the success
//! note says so.

use crate::components::form::{FormAlert, FormErrors, TextField};
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{ChangePassword, FieldError};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The form's words for a wrong field. A field can be wrong in two ways:
/// the shared length rule (garde's `length …` message, the same in the
/// browser and on the server) or the server's own check (a wrong current
/// password, a new password equal to it).
fn field_message(i18n: I18nContext<Locale>, error: &FieldError) -> String {
    let locale = i18n.get_locale();
    let length_rule = error.message.starts_with("length");
    match error.field.as_str() {
        "current_password" if length_rule => {
            td_string!(locale, error_current_password_required).to_string()
        }
        "current_password" => td_string!(locale, error_current_password_wrong).to_string(),
        "new_password" if length_rule => td_string!(locale, error_password_short).to_string(),
        "new_password" => td_string!(locale, error_password_same).to_string(),
        _ => td_string!(locale, error_password_mismatch).to_string(),
    }
}

/// The password change page.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = FormErrors::by_error(field_message);
    let changed = RwSignal::new(false);

    let change = Action::new_local(|request: &ChangePassword| {
        let request = request.clone();
        async move { crate::api::change_password(&request).await }
    });
    Effect::new(move |_| {
        if let Some(result) = change.value().get() {
            let ok = errors.take(result).is_some();
            if ok {
                current.set(String::new());
                new.set(String::new());
                confirm.set(String::new());
            }
            changed.set(ok);
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        changed.set(false);
        let request = ChangePassword {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        if !errors.validate(&request) {
            return;
        }
        if confirm.get_untracked() != request.new_password {
            errors.set_fields(vec![FieldError {
                field: "confirm_password".into(),
                message: "the two new passwords differ".into(),
            }]);
            return;
        }
        change.dispatch(request);
    };

    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, change_password_title)}</h1>
                <p class="lead">{tr!(i18n, change_password_lead)}</p>
            </div>
        </div>
        <section class="card card-form" aria-labelledby="password-heading">
            <h2 id="password-heading" class="visually-hidden">{tr!(i18n, change_password_title)}</h2>
            <form class="form" on:submit=on_submit novalidate=true>
                {move || changed.get().then(|| view! {
                    <p class="alert alert-success" role="status" data-testid="password-changed">
                        <span aria-hidden="true">"✓ "</span>{tr!(i18n, password_changed_notice)}
                    </p>
                })}
                <FormAlert errors />
                // A hidden user name field lets password managers file the
                // new password under the right account.
                <input type="email" name="username" autocomplete="username" hidden=true readonly=true
                    prop:value=move || session.user.with(|u| u.as_ref().map(|u| u.email.clone()).unwrap_or_default()) />
                <TextField errors field="current_password" id="current-password" kind="password"
                    autocomplete="current-password"
                    label=tr_signal!(i18n, field_current_password)
                    value=current set=move |v| current.set(v) />
                <TextField errors field="new_password" id="new-password" kind="password"
                    autocomplete="new-password"
                    label=tr_signal!(i18n, field_new_password)
                    value=new set=move |v| new.set(v) />
                <p class="muted small field-hint">{tr!(i18n, new_password_hint)}</p>
                <TextField errors field="confirm_password" id="confirm-password" kind="password"
                    autocomplete="new-password"
                    label=tr_signal!(i18n, field_confirm_password)
                    value=confirm set=move |v| confirm.set(v) />
                <div class="form-actions">
                    <button class="button button-primary" type="submit" disabled=move || change.pending().get()>
                        {tr!(i18n, change_password)}
                    </button>
                </div>
            </form>
        </section>
    }
}
