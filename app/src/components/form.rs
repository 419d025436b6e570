//! The one home for what a form shows when something is wrong: fields the
//! shared rules (or a 400 problem from the server) reject are marked inline,
//! in the user's language; every other failure — a stale version (409), a
//! missing right (403), the network — is one banner above the form.
//!
//! Every form page (sign-in, account form, contacts, users) and every
//! action that can fail (delete, merge, import) uses [`FormErrors`] and
//! [`problem_message`], so a 409 or a field error reads the same everywhere:
//! each problem code has one sentence, whichever form meets it.

use crate::api::ApiError;
use crate::format;
use crate::i18n::*;
use garde::Validate;
use kizuna_shared::api::{FieldError, ProblemCode, MAX_IMPORT_COLUMNS, MAX_IMPORT_ROWS};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// The banner text for a failed call, in the user's language, chosen by
/// matching the problem's stable code exhaustively (a new code in
/// `kizuna_shared::api::ProblemCode` does not compile until it has its
/// sentence here); the server's English `detail` is never shown.
pub fn problem_message(i18n: I18nContext<Locale>, err: &ApiError) -> String {
    use ProblemCode as P;
    let locale = i18n.get_locale();
    let Some(code) = err.code() else {
        return td_string!(locale, network_error).to_string();
    };
    match code {
        P::StaleVersion => td_string!(locale, problem.stale_version).to_string(),
        P::EmailTaken => td_string!(locale, email_taken).to_string(),
        P::ModelPublished => td_string!(locale, workbench.conflict).to_string(),
        P::ModelImmutable => td_string!(locale, problem.model_immutable).to_string(),
        P::SignalKeyTaken => td_string!(locale, signals.key_taken).to_string(),
        P::SignalInUse => td_string!(locale, signals.in_model).to_string(),
        P::SheetRunning => td_string!(locale, problem.sheet_running).to_string(),
        P::SurveyNotOpen => td_string!(locale, problem.survey_not_open).to_string(),
        P::LinkAnswered => td_string!(locale, problem.link_answered).to_string(),
        P::Duplicate => td_string!(locale, problem.duplicate).to_string(),
        P::ReferenceGone => td_string!(locale, problem.reference_gone).to_string(),
        P::ImportRunning => td_string!(locale, import_running).to_string(),
        P::LastAdmin => td_string!(locale, last_admin).to_string(),
        P::AlreadyAnswered => td_string!(locale, problem.already_answered).to_string(),
        P::LinkExpired => td_string!(locale, problem.link_expired).to_string(),
        P::LinkRevoked => td_string!(locale, problem.link_revoked).to_string(),
        P::SurveyClosed => td_string!(locale, problem.survey_closed).to_string(),
        P::AmountOverflow => td_string!(locale, problem.amount_overflow).to_string(),
        P::InvalidCredentials => td_string!(locale, invalid_credentials).to_string(),
        P::Unauthenticated => td_string!(locale, session_ended).to_string(),
        P::Forbidden => td_string!(locale, problem_forbidden).to_string(),
        P::CsrfRejected => td_string!(locale, problem_csrf).to_string(),
        P::NotFound => td_string!(locale, problem_not_found).to_string(),
        P::RateLimited => td_string!(locale, rate_limited).to_string(),
        // Only import files are large enough to meet the body limit.
        P::PayloadTooLarge => td_string!(locale, import_too_big).to_string(),
        P::TooManyRows => {
            let max = format::count(MAX_IMPORT_ROWS as u64, locale);
            td_string!(locale, import_too_many_rows, max = max).to_string()
        }
        P::TooManyColumns => {
            let max = format::count(MAX_IMPORT_COLUMNS as u64, locale);
            td_string!(locale, import_too_many_columns, max = max).to_string()
        }
        P::UnsupportedMediaType => td_string!(locale, import_bad_type).to_string(),
        P::BadRequest | P::ValidationFailed | P::MethodNotAllowed => {
            td_string!(locale, problem_bad_request).to_string()
        }
        P::SpaNotBuilt | P::Internal => td_string!(locale, problem_internal).to_string(),
    }
}

/// [`problem_message`] for the import's upload: its 400s are about the file
/// (encoding, broken CSV, an empty body), not an unreadable request.
pub fn import_problem(i18n: I18nContext<Locale>, err: &ApiError) -> String {
    match err.code() {
        Some(ProblemCode::BadRequest) => t_string!(i18n, import_unreadable).to_string(),
        _ => problem_message(i18n, err),
    }
}

/// A value a form reads itself before sending (an e-mail address, an
/// external id: the shared types that only hold valid values): `Some` when
/// `text` reads, otherwise `field` is added to `wrong` with the reason.
pub fn read_field<T, E: std::fmt::Display>(
    field: &str,
    read: Result<T, E>,
    wrong: &mut Vec<FieldError>,
) -> Option<T> {
    read.map_err(|e| {
        wrong.push(FieldError {
            field: field.to_owned(),
            message: e.to_string(),
        })
    })
    .ok()
}

/// [`read_field`] of an optional text: blank is `None` and never wrong.
pub fn read_optional<T, E: std::fmt::Display>(
    field: &str,
    text: &str,
    read: fn(&str) -> Result<T, E>,
    wrong: &mut Vec<FieldError>,
) -> Option<T> {
    let text = text.trim();
    if text.is_empty() {
        None
    } else {
        read_field(field, read(text), wrong)
    }
}

/// A form's error state: the fields that are wrong and the failure shown in
/// the banner. `Copy`, so closures in the view can each hold it.
#[derive(Clone, Copy)]
pub struct FormErrors {
    i18n: I18nContext<Locale>,
    fields: RwSignal<Vec<FieldError>>,
    failure: RwSignal<Option<ApiError>>,
    /// The form's own words for a wrong field (given the whole error, so
    /// one field can be worded by the rule it broke).
    message: Callback<FieldError, String>,
}

impl FormErrors {
    /// A form's error state; `message` gives the translated sentence for a
    /// wrong field.
    pub fn new(message: fn(I18nContext<Locale>, &str) -> String) -> Self {
        let i18n = use_i18n();
        Self::with_message(Callback::new(move |error: FieldError| {
            message(i18n, &error.field)
        }))
    }

    /// A form's error state whose field sentences depend on the form's own
    /// state (e.g. why a read-only field of this account may not change).
    pub fn with_messages(message: Callback<String, String>) -> Self {
        Self::with_message(Callback::new(move |error: FieldError| {
            message.run(error.field)
        }))
    }

    /// Like [`FormErrors::new`], but `message` sees the whole error (the
    /// field and the rule's or the server's message), for fields that can
    /// be wrong in more than one way.
    pub fn by_error(message: fn(I18nContext<Locale>, &FieldError) -> String) -> Self {
        let i18n = use_i18n();
        Self::with_message(Callback::new(move |error: FieldError| {
            message(i18n, &error)
        }))
    }

    fn with_message(message: Callback<FieldError, String>) -> Self {
        FormErrors {
            i18n: use_i18n(),
            fields: RwSignal::new(Vec::new()),
            failure: RwSignal::new(None),
            message,
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
        self.validate_with(input, Vec::new())
    }

    /// Like [`FormErrors::validate`], also marking the fields the form's own
    /// reading found wrong (`wrong`), so every wrong field shows at once.
    pub fn validate_with<T: Validate<Context = ()>>(
        &self,
        input: &T,
        mut wrong: Vec<FieldError>,
    ) -> bool {
        self.failure.set(None);
        if let Err(report) = input.validate() {
            for e in FieldError::from_report(&report) {
                if !wrong.iter().any(|w| w.field == e.field) {
                    wrong.push(e);
                }
            }
        }
        let ok = wrong.is_empty();
        self.fields.set(wrong);
        ok
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
            errors.fields.with(|all| {
                let error = all.iter().find(|e| e.field == field)?;
                Some(errors.message.run(error.clone()))
            })
        }
    }

    /// The message for `field` or anything inside it (`items[2]` covers
    /// `items[2].title`), when it is wrong (tracked): for fields named at
    /// run time, such as the rows of a list.
    pub fn message_of(&self, field: &str) -> Option<String> {
        let inside = format!("{field}.");
        self.fields.with(|all| {
            let error = all
                .iter()
                .find(|e| e.field == field || e.field.starts_with(&inside))?;
            Some(self.message.run(error.clone()))
        })
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
            let text = problem_message(i18n, &err);
            Some(
                view! { <p class="alert alert-error" role="alert" data-testid="form-failure">{text}</p> }
                    .into_any(),
            )
        } else if summary && errors.fields.with(|f| !f.is_empty()) {
            Some(
                view! { <p class="alert alert-error" role="alert">{tr!(i18n, form_has_errors)}</p> }
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
pub fn ErrorAlert(
    error: ApiError,
    /// The failure of an import file's upload ([`import_problem`]).
    #[prop(optional)]
    import_file: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let message = if import_file {
        import_problem
    } else {
        problem_message
    };
    view! {
        <p class="alert alert-error" role="alert" data-testid="error-alert">
            {move || message(i18n, &error)}
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
    /// Shown but not changeable (`readonly`); `note` should say why.
    #[prop(optional, into)]
    readonly: Signal<bool>,
    /// The id of a note elsewhere on the form that describes this field
    /// (e.g. why it is read-only), added to `aria-describedby`.
    #[prop(optional, into)]
    note: Signal<Option<&'static str>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = {
        let error_id = error_id.clone();
        move || match note.get() {
            Some(note) => format!("{note} {error_id}"),
            None => error_id.clone(),
        }
    };
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            <input id=id name=field type=kind autocomplete=autocomplete required=required
                readonly=move || readonly.get()
                prop:value=move || value.get()
                aria-invalid=errors.invalid(field) aria-describedby=described
                on:input=move |ev| set.run(event_target_value(&ev)) />
            {errors.under(field, error_id)}
        </div>
    }
}
