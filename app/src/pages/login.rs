//! The login page: e-mail and password, with inline errors; a note when
//! the visitor got here because their session ended; and where to go next,
//! which is only ever a path on this site.

use crate::components::form::{read_field, FormAlert, FormErrors, TextField};
use crate::components::language_switch::LanguageSwitch;
use crate::i18n::*;
use crate::session::{use_session, use_session_ended};
use kizuna_shared::api::{Email, LoginRequest};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

/// Where the app goes after signing in when `next` is missing or refused.
pub const HOME: &str = "/accounts";

/// Where to go after signing in: `next` when it is a path on this site,
/// else [`HOME`]. Refused: anything not starting with a single `/`, `//`
/// and `/\` (other hosts, as browsers read them), control characters and
/// backslashes (the URL parser drops or rewrites them into `//`), checked
/// on the value and again after percent-decoding it; the browser's own URL
/// parser must resolve it to this origin; and the answer — the parsed path,
/// query and fragment, what is navigated to — must pass the same check
/// again: the parser normalises `/.//evil.example`, `/..//evil.example`
/// and `/%2e//evil.example` into the path `//evil.example`, another host.
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(same_origin_path)
        .unwrap_or_else(|| HOME.to_owned())
}

fn same_origin_path(next: &str) -> Option<String> {
    // Decode until nothing changes (a few rounds at most): `/%2F%2Fevil`
    // and `/%252F…` must not slip through as "a path".
    let mut decoded = next.to_owned();
    for _ in 0..4 {
        if !is_local_path(&decoded) {
            return None;
        }
        let once = js_sys::decode_uri_component(&decoded).ok()?.as_string()?;
        if once == decoded {
            break;
        }
        decoded = once;
    }
    if !is_local_path(&decoded) {
        return None;
    }
    const BASE: &str = "https://kizuna.invalid";
    let url = web_sys::Url::new_with_base(next, BASE).ok()?;
    if url.origin() != BASE {
        return None;
    }
    // Check what will really be navigated to, not only what was written.
    let target = format!("{}{}{}", url.pathname(), url.search(), url.hash());
    is_local_path(&target).then_some(target)
}

/// A path of this site as browsers read it: exactly one leading `/` (not
/// `//` or `/\`, which name another host), no control characters and no
/// backslashes.
fn is_local_path(p: &str) -> bool {
    p.starts_with('/') && !p.starts_with("//") && !p.chars().any(|c| c.is_control() || c == '\\')
}

fn field_message(i18n: I18nContext<Locale>, field: &str) -> String {
    let locale = i18n.get_locale();
    match field {
        "email" => td_string!(locale, error_email).to_string(),
        _ => td_string!(locale, error_password_required).to_string(),
    }
}

/// Sign-in form.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let ended = use_session_ended();
    let navigate = use_navigate();
    let query = use_query_map();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new(field_message);

    let login = Action::new_local(|request: &LoginRequest| {
        let request = request.clone();
        async move { crate::api::sign_in(&request).await }
    });

    // Signed in (just now, or already, e.g. a bookmark to /login): go on.
    Effect::new({
        let navigate = navigate.clone();
        move |_| {
            if session.checked.get() && session.user.with(Option::is_some) {
                let next = query.with_untracked(|q| safe_next(q.get("next").as_deref()));
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
        if let Some(user) = login.value().get().and_then(|r| errors.take(r)) {
            ended.set(false);
            session.user.set(Some(user));
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut wrong = Vec::new();
        let email = read_field("email", Email::parse(&email.get_untracked()), &mut wrong)
            .unwrap_or_else(Email::example);
        let request = LoginRequest {
            email,
            password: password.get_untracked(),
        };
        if errors.validate_with(&request, wrong) {
            login.dispatch(request);
        }
    };

    view! {
        <div class="login-layout">
            <main id="main" class="login-card">
                <div class="login-head">
                    <span class="brand-mark brand-mark-large" aria-hidden="true">"絆"</span>
                    <div>
                        <h1>{tr!(i18n, sign_in_title)}</h1>
                        <p class="lead">{tr!(i18n, sign_in_lead)}</p>
                    </div>
                </div>
                <form class="form" on:submit=on_submit novalidate=true>
                    <Show when=move || ended.get()>
                        <p class="alert alert-info" role="status" data-testid="session-ended">
                            {tr!(i18n, session_ended)}
                        </p>
                    </Show>
                    <FormAlert errors=errors />
                    <TextField errors field="email" id="email" kind="email" autocomplete="username" required=true
                        label=tr_signal!(i18n, email)
                        value=email set=move |v| email.set(v) />
                    <TextField errors field="password" id="password" kind="password" autocomplete="current-password" required=true
                        label=tr_signal!(i18n, password)
                        value=password set=move |v| password.set(v) />
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
