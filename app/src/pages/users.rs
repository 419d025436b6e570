//! User administration (admins only): the server-paged list of users with
//! their role, state and last sign-in (page and search in the URL query); a
//! dialog per user to change the role, disable or enable them (confirmed)
//! and reset their password (the generated password is shown once, with a
//! copy button); and a form to add a user. Refusals — the last active admin
//! (409 `last_admin`), disabling oneself (400) — read as sentences through
//! `components::form`.

use crate::components::form::{read_field, ErrorAlert, FormAlert, FormErrors, TextField};
use crate::components::labels::{role_label, RoleSelect};
use crate::components::pager::{list_url, page_param, PagePosition, Pager};
use crate::format;
use crate::i18n::*;
use crate::session::use_session;
use kizuna_shared::api::{CreateUser, Email, UpdateUser, UserAccount, UserQuery};
use kizuna_shared::domain::{Capability, Role};
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::params::ParamsMap;
use leptos_router::NavigateOptions;

const PER_PAGE: u32 = 50;

/// The new-user form's words for a field the shared rules rejected.
fn field_message(i18n: I18nContext<Locale>, field: &str) -> String {
    let locale = i18n.get_locale();
    match field {
        "email" => td_string!(locale, error_email).to_string(),
        "name" => td_string!(locale, error_name_required).to_string(),
        _ => td_string!(locale, error_password_short).to_string(),
    }
}

/// The manage dialog's words for a field the server refused (only
/// `disabled` can be: nobody may disable themselves).
fn manage_message(i18n: I18nContext<Locale>, _field: &str) -> String {
    t_string!(i18n, cannot_disable_self).to_string()
}

/// The list state as it appears in the URL (`?q=…&page=…`).
#[derive(Debug, Clone, PartialEq, Default)]
struct ListState {
    q: String,
    page: u32,
}

impl ListState {
    fn from_query(q: &ParamsMap) -> Self {
        ListState {
            q: q.get("q").unwrap_or_default(),
            page: page_param(q),
        }
    }

    fn to_url(&self) -> String {
        let q = self.q.trim();
        let parts = if q.is_empty() {
            Vec::new()
        } else {
            vec![format!("q={}", crate::api::encode(q))]
        };
        list_url("/users", parts, self.page)
    }

    fn api_query(&self) -> UserQuery {
        let q = self.q.trim();
        UserQuery {
            page: Some(self.page),
            per_page: Some(PER_PAGE),
            q: (!q.is_empty()).then(|| q.to_owned()),
            ..Default::default()
        }
    }
}

/// The users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let is_admin = move || session.may(Capability::AdministerUsers);
    view! {
        <Show
            when=is_admin
            fallback=move || view! { <p class="alert alert-error" role="alert">{tr!(i18n, forbidden)}</p> }
        >
            <UsersAdmin />
        </Show>
    }
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let state = Memo::new(move |_| query.with(ListState::from_query));
    let users = LocalResource::new(move || {
        let query = state.get().api_query();
        async move { crate::api::users(&query).await }
    });
    let set_state = move |next: ListState| {
        navigate(
            &next.to_url(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let set_search = set_state.clone();
    let go_to_page = Callback::new(move |page: u32| {
        set_state(ListState {
            page,
            ..state.get_untracked()
        });
    });

    // The user the manage dialog is open for.
    let managed = RwSignal::new(None::<UserAccount>);
    let dialog = NodeRef::<Dialog>::new();
    let open = move |user: UserAccount| {
        managed.set(Some(user));
        if let Some(d) = dialog.get_untracked() {
            let _ = d.show_modal();
        }
    };
    let me = move || session.user.with(|u| u.as_ref().map(|u| u.id));

    let list = move || {
        users.get().map(|result| match result {
            Err(error) => view! { <ErrorAlert error /> }.into_any(),
            Ok(page) if page.items.is_empty() => view! {
                <div class="empty-state" data-testid="users-empty">
                    <p class="empty-title">{tr!(i18n, no_users)}</p>
                </div>
            }
            .into_any(),
            Ok(page) => {
                let at = PagePosition::of(&page);
                let me = me();
                let rows = page
                    .items
                    .into_iter()
                    .map(|u| user_row(i18n, u.clone(), me == Some(u.id), open))
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="data-table" data-testid="users-table">
                            <thead>
                                <tr>
                                    <th scope="col">{tr!(i18n, field_name)}</th>
                                    <th scope="col">{tr!(i18n, col_email)}</th>
                                    <th scope="col">{tr!(i18n, col_role)}</th>
                                    <th scope="col">{tr!(i18n, col_status)}</th>
                                    <th scope="col">{tr!(i18n, col_last_sign_in)}</th>
                                    <th scope="col"><span class="visually-hidden">{tr!(i18n, actions)}</span></th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <Pager at go=go_to_page count_testid="users-count" />
                }
                .into_any()
            }
        })
    };

    view! {
        <div class="page-head">
            <div>
                <h1>{tr!(i18n, users_title)}</h1>
                <p class="lead">{tr!(i18n, users_lead)}</p>
            </div>
        </div>
        <form class="filters" role="search" on:submit=|ev| ev.prevent_default()>
            <div class="field field-grow">
                <label for="user-search">{tr!(i18n, search)}</label>
                <input
                    id="user-search"
                    type="search"
                    placeholder=tr!(i18n, user_search_placeholder)
                    prop:value=move || state.get().q
                    on:input=move |ev| set_search(ListState { q: event_target_value(&ev), page: 1 })
                />
            </div>
        </form>
        <section class="card" aria-live="polite" aria-busy=move || users.get().is_none().to_string()>
            {move || list().unwrap_or_else(|| view! { <p class="loading" role="status">{tr!(i18n, loading)}</p> }.into_any())}
        </section>
        <NewUserForm on_created=Callback::new(move |()| users.refetch()) />
        <dialog node_ref=dialog class="dialog dialog-wide" aria-labelledby="manage-user-title"
            data-testid="manage-user"
            on:close=move |_| managed.set(None)>
            {move || managed.get().map(|user| {
                let is_self = me() == Some(user.id);
                view! {
                    <ManageUser user is_self
                        on_changed=Callback::new(move |()| users.refetch())
                        on_close=Callback::new(move |()| if let Some(d) = dialog.get_untracked() { d.close() }) />
                }
            })}
        </dialog>
    }
}

fn user_row(
    i18n: I18nContext<Locale>,
    u: UserAccount,
    is_self: bool,
    open: impl Fn(UserAccount) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let UserAccount {
        name,
        email,
        role,
        disabled,
        last_sign_in_at,
        ..
    } = u.clone();
    let hidden_name = name.clone();
    let email_attr = email.clone();
    view! {
        <tr data-email=email_attr class:row-disabled=disabled>
            <th scope="row">
                {name}
                {is_self.then(|| view! { " " <span class="pill pill-you">{tr!(i18n, you)}</span> })}
            </th>
            <td>{email}</td>
            <td class="nowrap">{move || role_label(i18n, role)}</td>
            <td><UserStatePill disabled /></td>
            <td class="nowrap">
                {move || match last_sign_in_at {
                    Some(at) => format::datetime(at, i18n.get_locale()),
                    None => t_string!(i18n, never_signed_in).to_string(),
                }}
            </td>
            <td class="cell-actions">
                <button type="button" class="button button-small" on:click=move |_| open(u.clone())>
                    {tr!(i18n, manage_user)}
                    <span class="visually-hidden">" " {hidden_name}</span>
                </button>
            </td>
        </tr>
    }
}

/// "Active" or "Disabled": text plus a shape, never colour alone.
#[component]
fn UserStatePill(disabled: bool) -> impl IntoView {
    let i18n = use_i18n();
    if disabled {
        view! { <span class="pill pill-churned"><span aria-hidden="true">"✕"</span> " " {tr!(i18n, user_disabled)}</span> }.into_any()
    } else {
        view! { <span class="pill pill-active"><span aria-hidden="true">"●"</span> " " {tr!(i18n, user_active)}</span> }.into_any()
    }
}

/// What the manage dialog asks to confirm before sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Confirm {
    Disable,
    Enable,
    Reset,
}

/// What the last change did, for the note at the top of the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Done {
    Role(Role),
    Disabled,
    Enabled,
}

/// The manage dialog's body for one user.
#[component]
fn ManageUser(
    /// The user as the list showed it when the dialog opened.
    user: UserAccount,
    is_self: bool,
    /// Called after a change (the list reloads).
    on_changed: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let errors = FormErrors::new(manage_message);
    let role = RwSignal::new(user.role);
    let confirm = RwSignal::new(None::<Confirm>);
    let busy = RwSignal::new(false);
    let done = RwSignal::new(None::<Done>);
    // The generated password: kept only while the dialog is open.
    let generated = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let id = user.id;
    let name = StoredValue::new(user.name.clone());
    // The user as the server last answered (kept here, so the dialog and
    // its notes stay while the list behind it reloads).
    let current = RwSignal::new(user.clone());
    let disabled = move || current.with(|u| u.disabled);

    let update = move |patch: UpdateUser, what: Done| {
        busy.set(true);
        done.set(None);
        generated.set(None);
        spawn_local(async move {
            let result = crate::api::update_user(id, &patch).await;
            busy.set(false);
            confirm.set(None);
            if let Some(updated) = errors.take(result) {
                current.set(updated);
                done.set(Some(what));
                on_changed.run(());
            }
        });
    };
    let change_role = move |_| {
        let new = role.get_untracked();
        update(
            UpdateUser {
                role: Some(new),
                ..Default::default()
            },
            Done::Role(new),
        );
    };
    let confirmed = move |_| match confirm.get_untracked() {
        Some(Confirm::Disable) => update(
            UpdateUser {
                disabled: Some(true),
                ..Default::default()
            },
            Done::Disabled,
        ),
        Some(Confirm::Enable) => update(
            UpdateUser {
                disabled: Some(false),
                ..Default::default()
            },
            Done::Enabled,
        ),
        Some(Confirm::Reset) => {
            busy.set(true);
            done.set(None);
            copied.set(false);
            spawn_local(async move {
                let result = crate::api::reset_password(id).await;
                busy.set(false);
                confirm.set(None);
                if let Some(reset) = errors.take(result) {
                    generated.set(Some(reset.password));
                }
            });
        }
        None => {}
    };
    let copy = move |_| {
        if let Some(password) = generated.get_untracked() {
            spawn_local(async move {
                copied.set(copy_text(&password).await);
            });
        }
    };

    let done_note = move || {
        done.get().map(|d| {
            let name = name.get_value();
            let text = match d {
                Done::Role(r) => {
                    let role = role_label(i18n, r);
                    t_string!(i18n, role_changed_notice, name = name, role = role).to_string()
                }
                Done::Disabled => t_string!(i18n, user_disabled_notice, name = name).to_string(),
                Done::Enabled => t_string!(i18n, user_enabled_notice, name = name).to_string(),
            };
            view! { <p class="alert alert-success" role="status" data-testid="manage-done"><span aria-hidden="true">"✓ "</span>{text}</p> }
        })
    };

    let confirm_panel = move || {
        confirm.get().map(|c| {
            let name = name.get_value();
            let (question, button) = match c {
                Confirm::Disable => (
                    t_string!(i18n, disable_confirm, name = name).to_string(),
                    t_string!(i18n, disable_user).to_string(),
                ),
                Confirm::Enable => (
                    t_string!(i18n, enable_confirm, name = name).to_string(),
                    t_string!(i18n, enable_user).to_string(),
                ),
                Confirm::Reset => (
                    t_string!(i18n, reset_confirm, name = name).to_string(),
                    t_string!(i18n, reset_password).to_string(),
                ),
            };
            let class = if c == Confirm::Enable {
                "button button-primary"
            } else {
                "button button-danger-solid"
            };
            view! {
                <div class="confirm" role="group" aria-labelledby="confirm-question" data-testid="confirm-panel">
                    <p id="confirm-question"><span aria-hidden="true">"⚠ "</span>{question}</p>
                    <div class="form-actions">
                        <button class=class type="button" on:click=confirmed disabled=move || busy.get() data-testid="confirm-action">
                            {button}
                        </button>
                        <button class="button" type="button" on:click=move |_| confirm.set(None)>{tr!(i18n, cancel)}</button>
                    </div>
                </div>
            }
        })
    };

    let generated_view = move || {
        generated.get().map(|password| {
            let name = name.get_value();
            view! {
                <div class="one-time" data-testid="generated">
                    <label for="generated-password">{t!(i18n, generated_password_for, name = name.clone())}</label>
                    <div class="copy-row">
                        <input id="generated-password" class="secret" type="text" readonly=true
                            autocomplete="off" spellcheck="false" prop:value=password />
                        <button class="button" type="button" on:click=copy data-testid="copy-password">
                            {move || if copied.get() {
                                t_string!(i18n, copied).to_string()
                            } else {
                                t_string!(i18n, copy).to_string()
                            }}
                        </button>
                    </div>
                    <p class="alert alert-info" role="status">
                        <strong>{tr!(i18n, shown_once)}</strong> " " {t!(i18n, shown_once_hint, name = name.clone())}
                    </p>
                </div>
            }
        })
    };

    view! {
        <h2 id="manage-user-title">{user.name.clone()}</h2>
        <p class="muted">{user.email.clone()}</p>
        {done_note}
        <FormAlert errors />
        <section class="manage-section" aria-labelledby="manage-role-heading">
            <h3 id="manage-role-heading">{tr!(i18n, col_role)}</h3>
            <div class="form-inline-row">
                <RoleSelect id="manage-role" role />
                <button class="button button-primary" type="button" on:click=change_role
                    disabled=move || busy.get() || current.with(|u| u.role == role.get())>
                    {tr!(i18n, change_role)}
                </button>
            </div>
            <p class="muted small">{tr!(i18n, change_role_hint)}</p>
        </section>
        <section class="manage-section" aria-labelledby="manage-access-heading">
            <h3 id="manage-access-heading">{tr!(i18n, access)}</h3>
            {move || if is_self {
                view! { <p class="muted small" data-testid="self-disable-note">{tr!(i18n, cannot_disable_self)}</p> }.into_any()
            } else if disabled() {
                view! {
                    <p class="small">{tr!(i18n, user_is_disabled)}</p>
                    <button class="button" type="button" disabled=move || busy.get()
                        on:click=move |_| { errors.clear(); confirm.set(Some(Confirm::Enable)) }>
                        {tr!(i18n, enable_user)}
                    </button>
                }.into_any()
            } else {
                view! {
                    <p class="muted small">{tr!(i18n, disable_hint)}</p>
                    <button class="button button-danger" type="button" disabled=move || busy.get()
                        on:click=move |_| { errors.clear(); confirm.set(Some(Confirm::Disable)) }>
                        {tr!(i18n, disable_user)}
                    </button>
                }.into_any()
            }}
            {errors.under("disabled", "manage-disabled-error")}
        </section>
        <section class="manage-section" aria-labelledby="manage-password-heading">
            <h3 id="manage-password-heading">{tr!(i18n, password)}</h3>
            {if is_self {
                view! {
                    <p class="muted small">
                        {tr!(i18n, reset_self_hint)} " "
                        <a href="/account/password">{tr!(i18n, change_password_title)}</a>
                    </p>
                }.into_any()
            } else {
                view! {
                    <p class="muted small">{tr!(i18n, reset_hint)}</p>
                    <button class="button" type="button" disabled=move || busy.get()
                        on:click=move |_| { errors.clear(); confirm.set(Some(Confirm::Reset)) }>
                        {tr!(i18n, reset_password)}
                    </button>
                }.into_any()
            }}
            {generated_view}
        </section>
        {confirm_panel}
        <div class="form-actions dialog-foot">
            <button class="button" type="button" on:click=move |_| on_close.run(())>{tr!(i18n, close)}</button>
        </div>
    }
}

/// Copies `text` to the clipboard; `false` when the browser refused (the
/// password is still selectable in its field).
async fn copy_text(text: &str) -> bool {
    use wasm_bindgen::{JsCast, JsValue};
    let Some(window) = web_sys::window() else {
        return false;
    };
    // Through `Reflect`: the Clipboard API needs no extra web-sys feature
    // this way, and an old browser without it simply reports `false`.
    let navigator = JsValue::from(window.navigator());
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")) else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText")) else {
        return false;
    };
    let Ok(write) = write.dyn_into::<js_sys::Function>() else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else {
        return false;
    };
    let Ok(promise) = promise.dyn_into::<js_sys::Promise>() else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// The form that adds a user.
#[component]
fn NewUserForm(on_created: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::FOR_NEW_USER);
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new(field_message);
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
                on_created.run(());
            }
            created.set(user.map(|u| u.name));
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut wrong = Vec::new();
        let email = read_field("email", Email::parse(&email.get_untracked()), &mut wrong)
            .unwrap_or_else(Email::example);
        let request = CreateUser {
            email,
            name: name.get_untracked().trim().to_owned(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        created.set(None);
        if errors.validate_with(&request, wrong) {
            create.dispatch(request);
        }
    };

    view! {
        <section class="card section card-form" aria-labelledby="new-user-heading">
            <h2 id="new-user-heading">{tr!(i18n, new_user)}</h2>
            <form class="form" on:submit=on_submit novalidate=true>
                {move || created.get().map(|name| view! {
                    <p class="alert alert-success" role="status">{t!(i18n, user_created, name = name.clone())}</p>
                })}
                <FormAlert errors=errors />
                <div class="form-grid">
                    <TextField errors field="name" id="user-name" autocomplete="off"
                        label=tr_signal!(i18n, field_name)
                        value=name set=move |v| name.set(v) />
                    <TextField errors field="email" id="user-email" kind="email" autocomplete="off"
                        label=tr_signal!(i18n, email)
                        value=email set=move |v| email.set(v) />
                    <RoleSelect id="user-role" role />
                    <TextField errors field="password" id="user-password" kind="password" autocomplete="new-password"
                        label=tr_signal!(i18n, field_initial_password)
                        value=password set=move |v| password.set(v) />
                </div>
                <div class="form-actions">
                    <button class="button button-primary" type="submit" disabled=move || create.pending().get()>
                        {tr!(i18n, create_user)}
                    </button>
                </div>
            </form>
        </section>
    }
}
