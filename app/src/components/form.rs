//! The one home for what a form shows when something is wrong: fields the
//! shared rules (or a 400 problem from the server) reject are marked inline,
//! in the user's language; every other failure — a stale version (409), a
//! missing right (403), the network — is one banner above the form.
//!
//! Every form page (sign-in, account form, contacts, users) and every
//! action that can fail (delete, merge, import) uses [`FormErrors`] and
//! [`problem_message`], so a 409 or a field error reads the same everywhere.

use crate::api::ApiError;
use crate::i18n::*;
use garde::Validate;
use kizuna_shared::api::FieldError;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// What a 409 means for this form, so its banner says what to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Conflict {
    /// The record changed since it was read: reload and try again.
    #[default]
    Changed,
    /// The e-mail address belongs to another user.
    EmailTaken,
    /// Another import is running.
    ImportRunning,
}

/// The banner text for a failed call, in the user's language.
pub fn problem_message(i18n: I18nContext<Locale>, err: &ApiError, conflict: Conflict) -> String {
    match (err.status(), err.code()) {
        (None, _) => t_string!(i18n, network_error).to_string(),
        (Some(409), _) => match conflict {
            Conflict::Changed => t_string!(i18n, conflict_reload).to_string(),
            Conflict::EmailTaken => t_string!(i18n, email_taken).to_string(),
            Conflict::ImportRunning => t_string!(i18n, import_running).to_string(),
        },
        (_, Some("invalid_credentials")) => t_string!(i18n, invalid_credentials).to_string(),
        (Some(403), _) => t_string!(i18n, forbidden).to_string(),
        (Some(413), _) => t_string!(i18n, import_too_big).to_string(),
        (Some(429), _) => t_string!(i18n, rate_limited).to_string(),
        (Some(_), _) => {
            let detail = err.detail();
            t_string!(i18n, unexpected_error, detail = detail).to_string()
        }
    }
}

/// A form's error state: the fields that are wrong and the failure shown in
/// the banner. `Copy`, so closures in the view can each hold it.
#[derive(Clone, Copy)]
pub struct FormErrors {
    i18n: I18nContext<Locale>,
    fields: RwSignal<Vec<FieldError>>,
    failure: RwSignal<Option<ApiError>>,
    /// The form's own words for a wrong field (by API field name).
    message: fn(I18nContext<Locale>, &str) -> String,
    conflict: Conflict,
}

impl FormErrors {
    /// A form's error state; `message` gives the translated sentence for a
    /// wrong field, `conflict` what a 409 means here.
    pub fn new(message: fn(I18nContext<Locale>, &str) -> String, conflict: Conflict) -> Self {
        FormErrors {
            i18n: use_i18n(),
            fields: RwSignal::new(Vec::new()),
            failure: RwSignal::new(None),
            message,
            conflict,
        }
    }

    /// Forgets every error (a new attempt starts).
    pub fn clear(&self) {
        self.fields.set(Vec::new());
        self.failure.set(None);
    }

    /// Checks `input` with the shared rules the server also runs. `true`
    /// when it may be sent; otherwise the wrong fields are marked.
    pub fn validate<T: Validate<Context = ()>>(&self, input: &T) -> bool {
        self.failure.set(None);
        match input.validate() {
            Ok(()) => {
                self.fields.set(Vec::new());
                true
            }
            Err(report) => {
                self.fields.set(FieldError::from_report(&report));
                false
            }
        }
    }

    /// Marks these fields as wrong (a form's own parsing found them).
    pub fn set_fields(&self, errors: Vec<FieldError>) {
        self.failure.set(None);
        self.fields.set(errors);
    }

    /// Shows a failed call: the field errors of a 400 problem inline,
    /// anything else in the banner.
    pub fn fail(&self, err: ApiError) {
        match err {
            ApiError::Problem(p) if p.status == 400 && !p.errors.is_empty() => {
                self.failure.set(None);
                self.fields.set(p.errors);
            }
            other => {
                self.fields.set(Vec::new());
                self.failure.set(Some(other));
            }
        }
    }

    /// A call's answer: the value when it succeeded; a failure is shown and
    /// gives `None`.
    pub fn take<T>(&self, result: Result<T, ApiError>) -> Option<T> {
        match result {
            Ok(value) => {
                self.clear();
                Some(value)
            }
            Err(err) => {
                self.fail(err);
                None
            }
        }
    }

    /// Whether `field` is marked wrong (tracked).
    pub fn has(&self, field: &str) -> bool {
        self.fields.with(|e| e.iter().any(|e| e.field == field))
    }

    /// The `aria-invalid` value of `field`'s input.
    pub fn invalid(&self, field: &'static str) -> impl Fn() -> &'static str + Copy + 'static {
        let errors = *self;
        move || if errors.has(field) { "true" } else { "false" }
    }

    /// The message under `field`'s input, when it is wrong.
    pub fn text(&self, field: &'static str) -> impl Fn() -> Option<String> + Copy + 'static {
        let errors = *self;
        move || {
            errors
                .has(field)
                .then(|| (errors.message)(errors.i18n, field))
        }
    }

    /// The paragraph under an input (`id` is the one `aria-describedby`
    /// names).
    pub fn under(&self, field: &'static str, id: impl Into<String>) -> impl IntoView {
        view! { <p class="field-error" id=id.into()>{self.text(field)}</p> }
    }
}

/// The banner above a form: the failure (by [`problem_message`]), or, with
/// `summary`, a note that fields below need attention.
#[component]
pub fn FormAlert(
    errors: FormErrors,
    /// Also say "some fields need attention" when fields are marked (long
    /// forms, where the marked field may be out of sight).
    #[prop(optional)]
    summary: bool,
) -> impl IntoView {
    let i18n = errors.i18n;
    move || {
        if let Some(err) = errors.failure.get() {
            let text = problem_message(i18n, &err, errors.conflict);
            Some(
                view! { <p class="alert alert-error" role="alert" data-testid="form-failure">{text}</p> }
                    .into_any(),
            )
        } else if summary && errors.fields.with(|f| !f.is_empty()) {
            Some(
                view! { <p class="alert alert-error" role="alert">{t!(i18n, form_has_errors)}</p> }
                    .into_any(),
            )
        } else {
            None
        }
    }
}

/// A failure outside a form (a list that did not load, a delete or merge
/// that was refused), as one banner.
#[component]
pub fn ErrorAlert(error: ApiError, #[prop(optional)] conflict: Conflict) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="alert alert-error" role="alert" data-testid="error-alert">
            {move || problem_message(i18n, &error, conflict)}
        </p>
    }
}

/// One labelled text input of a form, with its `aria-invalid` state and the
/// message under it, both from `errors` for the API field `field`.
#[component]
pub fn TextField(
    errors: FormErrors,
    /// The API field name (how errors name it).
    field: &'static str,
    /// The input's id; the message under it is `{id}-error`.
    id: &'static str,
    /// The label, in the user's language.
    #[prop(into)]
    label: Signal<String>,
    /// The text shown.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the text as the user types (a `Callback`, not a generic
    /// closure: one copy of this component in the wasm, not one per field).
    #[prop(into)]
    set: Callback<String>,
    /// The input type (`text`, `email`, `password`, `date`, `tel`).
    #[prop(default = "text")]
    kind: &'static str,
    /// The `autocomplete` hint, when the browser should offer one.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// Whether the field must be filled (the shared rules still decide).
    #[prop(optional)]
    required: bool,
) -> impl IntoView {
    let described = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <input id=id name=field type=kind autocomplete=autocomplete required=required
                prop:value=move || value.get()
                aria-invalid=errors.invalid(field) aria-describedby=described.clone()
                on:input=move |ev| set.run(event_target_value(&ev)) />
            {errors.under(field, described)}
        </div>
    }
}
