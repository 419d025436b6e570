//! The login page: e-mail and password, with inline errors.

use crate::api::ApiError;
use crate::components::shell::LanguageSwitch;
use crate::i18n::*;
use crate::session::use_session;
use garde::Validate;
use kizuna_shared::api::{FieldError, LoginRequest, SessionUser};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// Where to go after signing in: the `next` query parameter when it is a
/// local path (never another site), else the accounts list.
fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") => path,
        _ => "/accounts".to_owned(),
    }
}

/// Sign-in form.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<ApiError>);

    let login = Action::new_local(|request: &LoginRequest| {
        let request = request.clone();
        async move { crate::api::post::<_, SessionUser>("/api/v1/session", &request).await }
    });

    // Already signed in (e.g. a bookmark to /login): go on.
    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if session.checked.get() && session.user.with(Option::is_some) {
                let next = safe_next(query.with_untracked(|q| q.get("next")));
                navigate(
                    &next,
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        }
    });

    Effect::new(move |_| {
        if let Some(result) = login.value().get() {
            match result {
                Ok(user) => {
                    form_error.set(None);
                    session.user.set(Some(user));
                }
                Err(err) => form_error.set(Some(err)),
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = LoginRequest {
            email: email.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
        };
        match request.validate() {
            Ok(()) => {
                field_errors.set(Vec::new());
                login.dispatch(request);
            }
            Err(report) => {
                form_error.set(None);
                field_errors.set(FieldError::from_report(&report));
            }
        }
    };

    // The shared rules decide what is invalid; the message is the UI's own,
    // in the user's language.
    let has_error =
        move |field: &'static str| field_errors.with(|e| e.iter().any(|e| e.field == field));
    let email_error = move || has_error("email").then(|| t_string!(i18n, error_email).to_string());
    let password_error =
        move || has_error("password").then(|| t_string!(i18n, error_password_required).to_string());

    let form_error_text = move || {
        form_error.get().map(|err| match err.code() {
            Some("invalid_credentials") => t_string!(i18n, invalid_credentials).to_string(),
            None => t_string!(i18n, network_error).to_string(),
            Some(_) => {
                let detail = err.detail();
                t_string!(i18n, unexpected_error, detail = detail).to_string()
            }
        })
    };

    view! {
        <div class="login-layout">
            <main id="main" class="login-card">
                <div class="login-head">
                    <span class="brand-mark brand-mark-large" aria-hidden="true">"絆"</span>
                    <div>
                        <h1>{t!(i18n, sign_in_title)}</h1>
                        <p class="lead">{t!(i18n, sign_in_lead)}</p>
                    </div>
                </div>
                <form class="form" on:submit=on_submit novalidate=true>
                    <Show when=move || form_error.with(Option::is_some)>
                        <p class="alert alert-error" role="alert" data-testid="login-error">
                            {form_error_text}
                        </p>
                    </Show>
                    <div class="field">
                        <label for="email">{t!(i18n, email)}</label>
                        <input
                            id="email"
                            name="email"
                            type="email"
                            autocomplete="username"
                            required=true
                            aria-invalid=move || email_error().is_some().to_string()
                            aria-describedby="email-error"
                            prop:value=email
                            on:input=move |ev| email.set(event_target_value(&ev))
                        />
                        <p id="email-error" class="field-error">{email_error}</p>
                    </div>
                    <div class="field">
                        <label for="password">{t!(i18n, password)}</label>
                        <input
                            id="password"
                            name="password"
                            type="password"
                            autocomplete="current-password"
                            required=true
                            aria-invalid=move || password_error().is_some().to_string()
                            aria-describedby="password-error"
                            prop:value=password
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                        <p id="password-error" class="field-error">{password_error}</p>
                    </div>
                    <button class="button button-primary" type="submit" disabled=move || login.pending().get()>
                        {move || if login.pending().get() {
                            t_string!(i18n, signing_in).to_string()
                        } else {
                            t_string!(i18n, sign_in).to_string()
                        }}
                    </button>
                </form>
                <div class="login-foot">
                    <LanguageSwitch />
                </div>
            </main>
        </div>
    }
}
