//! The root component: i18n, the session, and the routes — the sign-in
//! page on its own, every other page inside the signed-in shell.

use crate::i18n::*;
use crate::pages;
use crate::shell::Shell;
use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

/// The root component: i18n, session and routes.
#[component]
pub fn App() -> impl IntoView {
    leptos_meta::provide_meta_context();
    // The server writes the chosen language into `<html lang>` (from the
    // `kizuna_lang` cookie or Accept-Language); read it before the i18n
    // provider starts managing the attribute.
    let initial_locale = crate::format::html_lang();
    crate::session::provide_session();
    crate::session::provide_session_end();
    view! {
        <I18nContextProvider>
            <InitialLocale lang=initial_locale />
            <Router>
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/login") view=pages::login::LoginPage />
                    <ParentRoute path=path!("") view=Shell>
                        <Route path=path!("") view=|| view! { <Redirect path="/accounts" /> } />
                        <Route path=path!("dashboard") view=pages::dashboard::DashboardPage />
                        <Route path=path!("accounts") view=pages::accounts::AccountsPage />
                        <Route path=path!("accounts/new") view=pages::account_form::NewAccountPage />
                        <Route path=path!("accounts/:id") view=pages::account_detail::AccountDetailPage />
                        <Route path=path!("accounts/:id/edit") view=pages::account_form::EditAccountPage />
                        <Route path=path!("imports") view=pages::imports::ImportHistoryPage />
                        <Route path=path!("imports/new") view=pages::imports::ImportWizardPage />
                        <Route path=path!("signals") view=pages::signals::SignalsPage />
                        <Route path=path!("duplicates") view=pages::duplicates::DuplicatesPage />
                        <Route path=path!("workbench") view=pages::workbench::WorkbenchPage />
                        <Route path=path!("users") view=pages::users::UsersPage />
                        <Route path=path!("surveys") view=pages::surveys::SurveysPage />
                        <Route path=path!("surveys/new") view=pages::surveys::NewSurveyPage />
                        <Route path=path!("surveys/record") view=pages::record_answer::RecordAnswerPage />
                        <Route path=path!("surveys/:id") view=pages::survey::SurveyPage />
                        <Route path=path!("surveys/:id/edit") view=pages::surveys::EditSurveyPage />
                        <Route path=path!("sheets") view=pages::sheets::SheetsPage />
                        <Route path=path!("sheets/:id") view=pages::sheet::SheetPage />
                        <Route path=path!("sheet-templates") view=pages::templates::TemplatesPage />
                        <Route path=path!("sheet-templates/new") view=pages::templates::TemplateEditorPage />
                        <Route path=path!("sheet-templates/:id") view=pages::templates::TemplateEditorPage />
                        <Route path=path!("tasks") view=pages::tasks::TasksPage />
                        <Route path=path!("audit") view=pages::audit::AuditPage />
                        <Route path=path!("account/password") view=pages::password::PasswordPage />
                    </ParentRoute>
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

/// Applies the language the page was served with, once, at start-up.
#[component]
fn InitialLocale(lang: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let Some(locale) = lang.as_deref().and_then(crate::format::locale_from_tag) else {
        return;
    };
    // The provider's own first effect sets the locale from the browser's
    // languages; this effect is created after it, so it runs after it and
    // wins. It reads no signal, so it runs once.
    Effect::new(move |_| {
        if i18n.get_locale_untracked() != locale {
            i18n.set_locale(locale);
        }
    });
}
