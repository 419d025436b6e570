//! User administration (admins only): the list of users and a form to add one.

use crate::api::ApiError;
use crate::components::labels::role_label;
use crate::i18n::*;
use crate::session::use_session;
use garde::Validate;
use kizuna_shared::api::{CreateUser, FieldError, Page, UserSummary};
use kizuna_shared::domain::Role;
use leptos::prelude::*;

/// The users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let is_admin = move || {
        session
            .user
            .with(|u| u.as_ref().is_some_and(|u| u.role == Role::Admin))
    };
    view! {
        <Show
            when=is_admin
            fallback=move || view! { <p class="alert alert-error" role="alert">{t!(i18n, forbidden)}</p> }
        >
            <UsersAdmin />
        </Show>
    }
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let users = LocalResource::new(|| async {
        crate::api::get::<Page<UserSummary>>("/api/v1/users").await
    });
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Csm);
    let password = RwSignal::new(String::new());
    let field_errors = RwSignal::new(Vec::<FieldError>::new());
    let outcome = RwSignal::new(None::<Result<UserSummary, ApiError>>);

    let create = Action::new_local(|request: &CreateUser| {
        let request = request.clone();
        async move { crate::api::post::<_, UserSummary>("/api/v1/users", &request).await }
    });
    Effect::new(move |_| {
        if let Some(result) = create.value().get() {
            match &result {
                Ok(_) => {
                    email.set(String::new());
                    name.set(String::new());
                    password.set(String::new());
                    users.refetch();
                }
                Err(ApiError::Problem(p)) => field_errors.set(p.errors.clone()),
                Err(ApiError::Network(_)) => {}
            }
            outcome.set(Some(result));
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = CreateUser {
            email: email.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        outcome.set(None);
        match request.validate() {
            Ok(()) => {
                field_errors.set(Vec::new());
                create.dispatch(request);
            }
            Err(report) => field_errors.set(FieldError::from_report(&report)),
        }
    };
    // The shared rules decide what is invalid; the message is the UI's own,
    // in the user's language.
    let error_for = move |field: &'static str| {
        move || {
            field_errors
                .with(|e| e.iter().any(|e| e.field == field))
                .then(|| match field {
                    "email" => t_string!(i18n, error_email).to_string(),
                    "name" => t_string!(i18n, error_name_required).to_string(),
                    _ => t_string!(i18n, error_password_short).to_string(),
                })
        }
    };

    let list = move || {
        users.get().map(|result| match result {
            Ok(page) => {
                let rows = page
                    .items
                    .into_iter()
                    .map(|u| {
                        view! {
                            <tr>
                                <th scope="row">{u.name}</th>
                                <td>{u.email}</td>
                                <td>{move || role_label(i18n, u.role)}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="users-table">
                            <thead>
                                <tr>
                                    <th scope="col">{t!(i18n, field_name)}</th>
                                    <th scope="col">{t!(i18n, col_email)}</th>
                                    <th scope="col">{t!(i18n, col_role)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
            Err(err) => view! {
                <p class="alert alert-error" role="alert">{t!(i18n, unexpected_error, detail = err.detail())}</p>
            }
            .into_any(),
        })
    };

    view! {
        <div class="page-head">
            <div>
                <h1>{t!(i18n, users_title)}</h1>
                <p class="lead">{t!(i18n, users_lead)}</p>
            </div>
        </div>
        <div class="detail-grid detail-grid-wide">
            <section class="card">
                {move || list().unwrap_or_else(|| view! { <p class="loading" role="status">{t!(i18n, loading)}</p> }.into_any())}
            </section>
            <section class="card" aria-labelledby="new-user-heading">
                <h2 id="new-user-heading">{t!(i18n, new_user)}</h2>
                <form class="form" on:submit=on_submit novalidate=true>
                    {move || outcome.get().map(|r| match r {
                        Ok(user) => view! {
                            <p class="alert alert-success" role="status">{t!(i18n, user_created, name = user.name.clone())}</p>
                        }.into_any(),
                        Err(err) if err.code() == Some("conflict") => view! {
                            <p class="alert alert-error" role="alert">{t!(i18n, email_taken)}</p>
                        }.into_any(),
                        Err(err) => view! {
                            <p class="alert alert-error" role="alert">{t!(i18n, unexpected_error, detail = err.detail())}</p>
                        }.into_any(),
                    })}
                    <div class="field">
                        <label for="user-name">{t!(i18n, field_name)}</label>
                        <input id="user-name" type="text" autocomplete="off" prop:value=name
                            on:input=move |ev| name.set(event_target_value(&ev)) />
                        <p class="field-error">{error_for("name")}</p>
                    </div>
                    <div class="field">
                        <label for="user-email">{t!(i18n, email)}</label>
                        <input id="user-email" type="email" autocomplete="off" prop:value=email
                            on:input=move |ev| email.set(event_target_value(&ev)) />
                        <p class="field-error">{error_for("email")}</p>
                    </div>
                    <div class="field">
                        <label for="user-role">{t!(i18n, field_role)}</label>
                        <select id="user-role"
                            on:change=move |ev| if let Ok(r) = event_target_value(&ev).parse() { role.set(r) }>
                            {Role::ALL.iter().map(|r| {
                                let r = *r;
                                view! { <option value=r.as_str() selected=move || role.get() == r>{move || role_label(i18n, r)}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="user-password">{t!(i18n, field_initial_password)}</label>
                        <input id="user-password" type="password" autocomplete="new-password" prop:value=password
                            on:input=move |ev| password.set(event_target_value(&ev)) />
                        <p class="field-error">{error_for("password")}</p>
                    </div>
                    <button class="button button-primary" type="submit" disabled=move || create.pending().get()>
                        {t!(i18n, create_user)}
                    </button>
                </form>
            </section>
        </div>
    }
}
