//! User administration (admins only): the list of users and a form to add one.

use crate::components::form::{Conflict, ErrorAlert, FormAlert, FormErrors, TextField};
use crate::components::labels::role_label;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::CreateUser;
use kizuna_shared::domain::Role;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The new-user form's words for a field the shared rules rejected.
fn field_message(i18n: I18nContext<Locale>, field: &str) -> String {
    match field {
        "email" => t_string!(i18n, error_email).to_string(),
        "name" => t_string!(i18n, error_name_required).to_string(),
        _ => t_string!(i18n, error_password_short).to_string(),
    }
}

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
    let users = LocalResource::new(crate::api::users);
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Csm);
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new(field_message, Conflict::EmailTaken);
    // The name of the user created last, for the success note.
    let created = RwSignal::new(None::<String>);

    let create = Action::new_local(|request: &CreateUser| {
        let request = request.clone();
        async move { crate::api::create_user(&request).await }
    });
    Effect::new(move |_| {
        if let Some(result) = create.value().get() {
            let user = errors.take(result);
            if user.is_some() {
                email.set(String::new());
                name.set(String::new());
                password.set(String::new());
                users.refetch();
            }
            created.set(user.map(|u| u.name));
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
        created.set(None);
        if errors.validate(&request) {
            create.dispatch(request);
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
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
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
                    {move || created.get().map(|name| view! {
                        <p class="alert alert-success" role="status">{t!(i18n, user_created, name = name.clone())}</p>
                    })}
                    <FormAlert errors=errors />
                    <TextField errors field="name" id="user-name" autocomplete="off"
                        label=Signal::derive(move || t_string!(i18n, field_name).to_string())
                        value=name set=move |v| name.set(v) />
                    <TextField errors field="email" id="user-email" kind="email" autocomplete="off"
                        label=Signal::derive(move || t_string!(i18n, email).to_string())
                        value=email set=move |v| email.set(v) />
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
                    <TextField errors field="password" id="user-password" kind="password" autocomplete="new-password"
                        label=Signal::derive(move || t_string!(i18n, field_initial_password).to_string())
                        value=password set=move |v| password.set(v) />
                    <button class="button button-primary" type="submit" disabled=move || create.pending().get()>
                        {t!(i18n, create_user)}
                    </button>
                </form>
            </section>
        </div>
    }
}
