//! The signed-in app shell: header with navigation, the user's name and role,
//! the language switch and sign-out; pages render into its `<main>`.
//! Visitors without a session are sent to the login page with `next` set to
//! where they were — also when the session ends under them (the API layer
//! reports a 401, see `session::provide_session_end`).

use crate::components::labels::role_label;
use crate::components::language_switch::LanguageSwitch;
use crate::i18n::*;
use crate::session::{login_path, use_session};
use kizuna_shared::api::AuditCategory;
use kizuna_shared::domain::Capability;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;

/// Layout of every signed-in page.
#[component]
pub fn Shell() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    move || {
        if !session.checked.get() {
            return view! { <p class="page-loading" role="status">{tr!(use_i18n(), loading)}</p> }
                .into_any();
        }
        if session.user.with(Option::is_none) {
            // The router's `search` comes without its `?`.
            let search = location.search.get_untracked();
            let search = search.trim_start_matches('?');
            let path = location.pathname.get_untracked();
            // Signing out navigates to the sign-in page and forgets the user
            // at once; this shell may see the user gone when the location
            // already says `/login`. Going back "there" after signing in
            // again would leave the user on the sign-in page.
            if path == "/login" {
                return view! { <Redirect path="/login" /> }.into_any();
            }
            let here = if search.is_empty() {
                path
            } else {
                format!("{path}?{search}")
            };
            return view! { <Redirect path=login_path(&here) /> }.into_any();
        }
        view! {
            <a class="skip-link" href="#main">{tr!(use_i18n(), skip_to_content)}</a>
            <Header />
            <main id="main" class="page" tabindex="-1">
                <Outlet />
            </main>
        }
        .into_any()
    }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let is_admin = move || session.may(Capability::AdministerUsers);
    // Admins read every audit event, managers data events (the shared rule).
    let reads_audit = move || {
        session
            .role()
            .is_some_and(|r| !AuditCategory::visible_to(r).is_empty())
    };
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Even if the server cannot be reached the local session ends.
            let _ = crate::api::sign_out().await;
            session.user.set(None);
            navigate("/login", NavigateOptions::default());
        });
    };
    view! {
        <header class="topbar">
            <a class="brand" href="/accounts">
                <span class="brand-mark" aria-hidden="true">"絆"</span>
                <span class="brand-name">{tr!(i18n, app_name)}</span>
            </a>
            <nav class="topnav" aria-label=tr!(i18n, nav_main)>
                <A href="/dashboard">{tr!(i18n, nav_dashboard)}</A>
                <A href="/accounts">{tr!(i18n, nav_accounts)}</A>
                <Show when=move || session.can_manage()>
                    <A href="/imports/new">{tr!(i18n, nav_import)}</A>
                </Show>
                <A href="/imports" exact=true>{tr!(i18n, nav_import_history)}</A>
                <A href="/signals">{tr!(i18n, signals.nav)}</A>
                <A href="/duplicates">{tr!(i18n, nav_duplicates)}</A>
                <A href="/workbench">{tr!(i18n, workbench.nav)}</A>
                <A href="/surveys">{tr!(i18n, nav_surveys)}</A>
                <A href="/sheets">{tr!(i18n, nav_sheets)}</A>
                <A href="/tasks">{tr!(i18n, nav_tasks)}</A>
                <Show when=is_admin>
                    <A href="/users">{tr!(i18n, nav_users)}</A>
                </Show>
                <Show when=reads_audit>
                    <A href="/audit">{tr!(i18n, nav_audit)}</A>
                </Show>
            </nav>
            <div class="topbar-end">
                <LanguageSwitch />
                <p class="whoami" data-testid="whoami">
                    <span class="visually-hidden">{tr!(i18n, signed_in_as)} " "</span>
                    <span class="whoami-name">{move || session.user.with(|u| u.as_ref().map(|u| u.name.clone()))}</span>
                    <span class="whoami-role">
                        {move || session.user.with(|u| u.as_ref().map(|u| role_label(i18n, u.role)))}
                        " · "
                        <a href="/account/password" class="whoami-link" data-testid="change-password-link">{tr!(i18n, change_password_title)}</a>
                    </span>
                </p>
                <button class="button button-quiet" type="button" on:click=sign_out>
                    {tr!(i18n, sign_out)}
                </button>
            </div>
        </header>
    }
}
