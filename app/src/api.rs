//! The one API layer: a typed function per `/api/v1` endpoint the app calls.
//! Pages never build API URLs or pick HTTP verbs; they call these functions
//! with `kizuna_shared::api` types and get those types back.
//!
//! Everything goes through [`send`]: it adds the CSRF header the server
//! requires on every write, and when the server answers 401 to a call made
//! with a session (the session ended elsewhere: signed out in another tab,
//! revoked, expired), it tells the handler registered with
//! [`on_session_ended`], so the app can return to the sign-in page once,
//! here, instead of in every page.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder, Response};
use kizuna_shared::api::{
    Account, AccountDetail, AccountInput, AccountQuery, AccountScore, AuditEntry, AuditQuery,
    ChangePassword, Contact, ContactInput, CreateUser, DataChange, DataChangeQuery, DuplicateGroup,
    ImportKind, ImportProgress, ImportReport, IssueLinks, IssuedLink, KpiQuery, KpiResponse,
    KpiSeriesResponse, LinkQuery, LoginRequest, MergeReport, MergeRequest, NewSignal,
    OnboardingKpiQuery, OnboardingSummary, Page, PasswordReset, Problem, ProblemCode, RecordAnswer,
    ResponseQuery, SessionUser, Sheet, SheetDetail, SheetQuery, SheetTemplate, SignalDefinition,
    SignalUpdate, SignalValue, StartSheet, Survey, SurveyInput, SurveyLink, SurveyQuery,
    SurveyResponse, SurveySummary, Task, TaskQuery, TemplateInput, TemplateQuery, TickItem,
    UpdateAccount, UpdateSurvey, UpdateTask, UpdateTemplate, UpdateUser, UserAccount, UserQuery,
    UserSummary, CSRF_HEADER,
};
use kizuna_shared::domain::Currency;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why an API call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The server answered with an error (a problem body).
    Problem(Problem),
    /// The request did not reach the server or its answer was unreadable.
    Network(String),
}

impl ApiError {
    /// The problem's stable code, when the server answered.
    pub fn code(&self) -> Option<ProblemCode> {
        match self {
            ApiError::Problem(p) => Some(p.code),
            ApiError::Network(_) => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Problem(p) => Some(p.status),
            ApiError::Network(_) => None,
        }
    }

    /// A one-line description for an error banner.
    pub fn detail(&self) -> String {
        match self {
            ApiError::Problem(p) => p.detail.clone().unwrap_or_else(|| p.title.clone()),
            ApiError::Network(message) => message.clone(),
        }
    }
}

fn network(err: gloo_net::Error) -> ApiError {
    ApiError::Network(err.to_string())
}

const BASE: &str = "/api/v1";

thread_local! {
    /// What to do when a call made with a session answers 401.
    static SESSION_ENDED: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Registers what happens when the server says the session has ended (a
/// 401 to any call but signing in and the session probe). The app sets this
/// once, at start-up.
pub fn on_session_ended(handler: impl Fn() + 'static) {
    SESSION_ENDED.with(|h| *h.borrow_mut() = Some(Rc::new(handler)));
}

fn session_ended() {
    // Cloned out first: the handler may cause another call that reaches here.
    let handler = SESSION_ENDED.with(|h| h.borrow().clone());
    if let Some(handler) = handler {
        handler();
    }
}

/// What a request sends as its body.
enum Body<'a> {
    None,
    Json(&'a dyn erased::Json),
    /// A file sent as it is on disk (a Shift_JIS file reaches the server
    /// byte for byte).
    Csv(&'a web_sys::Blob),
}

/// Whether a 401 answer means "the session ended" (every call made with a
/// session) or is the call's own answer (signing in, the session probe).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    Session,
    Own,
}

/// `serde_json` behind a trait object, so [`send`] is not generic over the
/// body type (one copy of it in the wasm, not one per body type).
mod erased {
    pub trait Json {
        fn to_json(&self) -> Result<String, serde_json::Error>;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Result<String, serde_json::Error> {
            serde_json::to_string(self)
        }
    }
}

/// Sends one request: the only place that talks to the network.
async fn send(
    method: Method,
    path: &str,
    query: &[(String, String)],
    body: Body<'_>,
    auth: Auth,
) -> Result<Response, ApiError> {
    let is_write = method != Method::GET;
    let mut builder = RequestBuilder::new(&format!("{BASE}{path}"))
        .method(method)
        .query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if is_write {
        builder = builder.header(CSRF_HEADER, "1");
    }
    let request = match body {
        Body::None => builder.build(),
        Body::Json(value) => {
            let text = value
                .to_json()
                .map_err(|e| ApiError::Network(e.to_string()))?;
            builder
                .header("Content-Type", "application/json")
                .body(text)
        }
        Body::Csv(file) => builder
            .header("Content-Type", "text/csv")
            .body(wasm_bindgen::JsValue::from(file.clone())),
    }
    .map_err(network)?;
    let response = request.send().await.map_err(network)?;
    if response.status() == 401 && auth == Auth::Session {
        session_ended();
    }
    Ok(response)
}

async fn problem_of(resp: Response) -> ApiError {
    let status = resp.status();
    match resp.json::<Problem>().await {
        Ok(problem) => ApiError::Problem(problem),
        Err(_) => ApiError::Problem(Problem {
            type_: "about:blank".into(),
            title: resp.status_text(),
            status,
            code: ProblemCode::of_status(status),
            detail: None,
            errors: Vec::new(),
        }),
    }
}

/// Decodes a JSON answer, or the problem of an error answer.
async fn json<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        resp.json::<T>().await.map_err(network)
    } else {
        Err(problem_of(resp).await)
    }
}

/// Accepts an answer without a body.
async fn empty(resp: Response) -> Result<(), ApiError> {
    if resp.ok() {
        Ok(())
    } else {
        Err(problem_of(resp).await)
    }
}

async fn read<T: DeserializeOwned>(path: &str, query: &[(String, String)]) -> Result<T, ApiError> {
    json(send(Method::GET, path, query, Body::None, Auth::Session).await?).await
}

async fn write<B: Serialize, T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    json(send(method, path, &[], Body::Json(body), Auth::Session).await?).await
}

async fn delete(path: &str, query: &[(String, String)]) -> Result<(), ApiError> {
    empty(send(Method::DELETE, path, query, Body::None, Auth::Session).await?).await
}

/// `GET path` of a list the server answers whole (one page holding every
/// item, as every `/api/v1` list is enveloped): its items.
async fn whole<T: DeserializeOwned>(path: &str) -> Result<Vec<T>, ApiError> {
    read::<Page<T>>(path, &[]).await.map(|page| page.items)
}

/// The query parameters of a query type, as the server's `serde` reads
/// them: `None` fields are left out, enums by their serde names, numbers
/// and booleans as written.
pub fn query_pairs<Q: Serialize>(query: &Q) -> Vec<(String, String)> {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(query) else {
        return Vec::new();
    };
    fields
        .into_iter()
        .filter_map(|(key, value)| {
            let text = match value {
                serde_json::Value::Null => return None,
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            Some((key, text))
        })
        .collect()
}

/// Percent-encodes a query-string value.
pub fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

// ---- session -------------------------------------------------------------

/// `GET /session`: who is signed in. `204 No Content` (and, from older
/// servers, 401) means nobody: `Ok(None)`.
pub async fn current_session() -> Result<Option<SessionUser>, ApiError> {
    let resp = send(Method::GET, "/session", &[], Body::None, Auth::Own).await?;
    match resp.status() {
        204 | 401 => Ok(None),
        _ => json(resp).await.map(Some),
    }
}

/// `POST /session`: signs in (401 `invalid_credentials` for a wrong
/// e-mail or password).
pub async fn sign_in(request: &LoginRequest) -> Result<SessionUser, ApiError> {
    let resp = send(
        Method::POST,
        "/session",
        &[],
        Body::Json(request),
        Auth::Own,
    )
    .await?;
    json(resp).await
}

/// `DELETE /session`: signs out.
pub async fn sign_out() -> Result<(), ApiError> {
    empty(send(Method::DELETE, "/session", &[], Body::None, Auth::Own).await?).await
}

/// `PUT /session/password`: changes the signed-in user's own password (400
/// with `current_password` or `new_password` marked when refused). The
/// server ends every session of the user and gives this browser a fresh
/// one, so the current tab stays signed in.
pub async fn change_password(request: &ChangePassword) -> Result<(), ApiError> {
    empty(
        send(
            Method::PUT,
            "/session/password",
            &[],
            Body::Json(request),
            Auth::Session,
        )
        .await?,
    )
    .await
}

// ---- accounts ------------------------------------------------------------

/// `GET /accounts`: one page of the filtered, sorted list.
pub async fn accounts(query: &AccountQuery) -> Result<Page<Account>, ApiError> {
    read("/accounts", &query_pairs(query)).await
}

/// The address of `GET /accounts/export` for these filters and sort (all
/// pages): a link the browser downloads itself.
pub fn accounts_export_url(query: &AccountQuery) -> String {
    let query = AccountQuery {
        page: None,
        per_page: None,
        ..query.clone()
    };
    with_query(&format!("{BASE}/accounts/export"), &query_pairs(&query))
}

fn with_query(path: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return path.to_owned();
    }
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{path}?{query}")
}

/// `GET /accounts/{id}`: the account with its MRR history, latest signals
/// and contacts.
pub async fn account(id: i64) -> Result<AccountDetail, ApiError> {
    read(&format!("/accounts/{id}"), &[]).await
}

/// `POST /accounts`.
pub async fn create_account(input: &AccountInput) -> Result<Account, ApiError> {
    write(Method::POST, "/accounts", input).await
}

/// `PUT /accounts/{id}` (409 when `version` is stale).
pub async fn update_account(id: i64, update: &UpdateAccount) -> Result<Account, ApiError> {
    write(Method::PUT, &format!("/accounts/{id}"), update).await
}

/// `DELETE /accounts/{id}?version=` (409 when `version` is stale).
pub async fn delete_account(id: i64, version: i64) -> Result<(), ApiError> {
    delete(
        &format!("/accounts/{id}"),
        &[("version".to_owned(), version.to_string())],
    )
    .await
}

/// `GET /accounts/{id}/signals`: every dated signal value of the account.
pub async fn account_signals(id: i64) -> Result<Vec<SignalValue>, ApiError> {
    whole(&format!("/accounts/{id}/signals")).await
}

/// `POST /accounts/{id}/contacts`.
pub async fn add_contact(account_id: i64, input: &ContactInput) -> Result<Contact, ApiError> {
    write(
        Method::POST,
        &format!("/accounts/{account_id}/contacts"),
        input,
    )
    .await
}

/// `DELETE /accounts/{id}/contacts/{contact_id}`.
pub async fn remove_contact(account_id: i64, contact_id: i64) -> Result<(), ApiError> {
    delete(
        &format!("/accounts/{account_id}/contacts/{contact_id}"),
        &[],
    )
    .await
}

/// `GET /signals`: the signal definitions (labels and units).
pub async fn signal_definitions() -> Result<Vec<SignalDefinition>, ApiError> {
    whole("/signals").await
}

/// `POST /signals` (managers and admins): defines a signal (400 with the
/// fields marked, 409 when the key is taken).
pub async fn create_signal(signal: &NewSignal) -> Result<SignalDefinition, ApiError> {
    write(Method::POST, "/signals", signal).await
}

/// `PUT /signals/{key}` (managers and admins): changes a signal's labels,
/// unit, kind, direction or description; `retired` retires it or brings it
/// back (409 when the published model reads it).
pub async fn update_signal(key: &str, update: &SignalUpdate) -> Result<SignalDefinition, ApiError> {
    write(Method::PUT, &format!("/signals/{}", encode(key)), update).await
}

/// Retires a signal (`retired: true`; its history is kept) or brings it
/// back, leaving the rest of its definition as it is.
pub async fn set_signal_retired(
    signal: &SignalDefinition,
    retired: bool,
) -> Result<SignalDefinition, ApiError> {
    let update = SignalUpdate {
        label: signal.label.clone(),
        label_ja: signal.label_ja.clone(),
        unit: signal.unit.clone(),
        description: signal.description.clone(),
        higher_is_better: signal.higher_is_better,
        kind: None,
        retired: Some(retired),
    };
    update_signal(&signal.key, &update).await
}

/// `GET /accounts/{id}/score`: the account's score trend (snapshots) and
/// today's per-measure breakdown under the published model (404 when there
/// is no such account or no published model).
pub async fn account_score(id: i64) -> Result<AccountScore, ApiError> {
    read(&format!("/accounts/{id}/score"), &[]).await
}

// ---- KPIs and live events -------------------------------------------------

/// `GET /kpis`: every KPI of the query's range and the period before it.
pub async fn kpis(query: &KpiQuery) -> Result<KpiResponse, ApiError> {
    read("/kpis", &query_pairs(query)).await
}

/// `GET /kpis/series`: the KPIs of each period of the range, for charts.
pub async fn kpi_series(query: &KpiQuery) -> Result<KpiSeriesResponse, ApiError> {
    read("/kpis/series", &query_pairs(query)).await
}

/// The address of `GET /events` (Server-Sent Events): the browser's
/// `EventSource` opens it itself (with the session cookie).
pub fn events_url() -> String {
    format!("{BASE}/events")
}

// ---- users ---------------------------------------------------------------

/// `GET /owners`: the people an account may be assigned to.
pub async fn owners() -> Result<Page<UserSummary>, ApiError> {
    read("/owners", &[]).await
}

/// `GET /users` (admins): one page of users with their state.
pub async fn users(query: &UserQuery) -> Result<Page<UserAccount>, ApiError> {
    read("/users", &query_pairs(query)).await
}

/// `POST /users` (admins; 409 when the e-mail is taken).
pub async fn create_user(request: &CreateUser) -> Result<UserAccount, ApiError> {
    write(Method::POST, "/users", request).await
}

/// `PATCH /users/{id}` (admins): role, disabled state or name. 409
/// `last_admin` when it would leave no active admin; 400 on disabling
/// oneself.
pub async fn update_user(id: i64, patch: &UpdateUser) -> Result<UserAccount, ApiError> {
    write(Method::PATCH, &format!("/users/{id}"), patch).await
}

/// `POST /users/{id}/password-reset` (admins): a generated password, shown
/// once; the user's sessions end.
pub async fn reset_password(id: i64) -> Result<PasswordReset, ApiError> {
    json(
        send(
            Method::POST,
            &format!("/users/{id}/password-reset"),
            &[],
            Body::None,
            Auth::Session,
        )
        .await?,
    )
    .await
}

// ---- audit ---------------------------------------------------------------

/// `GET /audit`: one page of audit entries (admins all, managers data
/// events; 403 for a manager asking for security events).
pub async fn audit(query: &AuditQuery) -> Result<Page<AuditEntry>, ApiError> {
    read("/audit", &query_pairs(query)).await
}

/// The address of `GET /audit/export` for these filters (all pages): a
/// link the browser downloads itself.
pub fn audit_export_url(query: &AuditQuery) -> String {
    let query = AuditQuery {
        page: None,
        per_page: None,
        ..query.clone()
    };
    with_query(&format!("{BASE}/audit/export"), &query_pairs(&query))
}

// ---- imports -------------------------------------------------------------

/// The parameters of one `POST /imports` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRequest {
    /// What the file holds.
    pub kind: ImportKind,
    /// Check only, write nothing.
    pub dry_run: bool,
    /// The file's name, for the history.
    pub file_name: Option<String>,
    /// Our column → the file's header. `None` lets the server suggest one
    /// (the answer's `mapping`).
    #[serde(serialize_with = "mapping_as_json")]
    pub mapping: Option<BTreeMap<String, String>>,
    /// The currency of every row, for files without a currency column.
    pub currency: Option<Currency>,
    /// A token to follow the request's progress with [`import_progress`].
    pub progress: Option<String>,
    /// The date of every value of a wide signals file without a date
    /// column.
    pub date: Option<chrono::NaiveDate>,
}

/// The server takes the mapping as one JSON text parameter.
fn mapping_as_json<S: serde::Serializer>(
    mapping: &Option<BTreeMap<String, String>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match mapping {
        Some(m) if !m.is_empty() => {
            let text = serde_json::to_string(m).map_err(serde::ser::Error::custom)?;
            serializer.serialize_some(&text)
        }
        _ => serializer.serialize_none(),
    }
}

/// `POST /imports` with `file` as the body: the preview (`dry_run`) or the
/// applied import. A `422` carrying an [`ImportReport`] (the file has
/// errors, nothing applied) is an answer, so it is `Ok`.
pub async fn import_file(
    request: &ImportRequest,
    file: &web_sys::Blob,
) -> Result<ImportReport, ApiError> {
    let resp = send(
        Method::POST,
        "/imports",
        &query_pairs(request),
        Body::Csv(file),
        Auth::Session,
    )
    .await?;
    if resp.status() == 422 {
        let text = resp.text().await.map_err(network)?;
        if let Ok(report) = serde_json::from_str::<ImportReport>(&text) {
            return Ok(report);
        }
        return Err(match serde_json::from_str::<Problem>(&text) {
            Ok(p) => ApiError::Problem(p),
            Err(e) => ApiError::Network(e.to_string()),
        });
    }
    json(resp).await
}

/// `GET /imports/progress/{token}` (404 until the server has started, or
/// when another instance runs the import).
pub async fn import_progress(token: &str) -> Result<ImportProgress, ApiError> {
    read(&format!("/imports/progress/{}", encode(token)), &[]).await
}

/// `GET /imports`: one page of the import and data-change history.
pub async fn data_changes(query: &DataChangeQuery) -> Result<Page<DataChange>, ApiError> {
    read("/imports", &query_pairs(query)).await
}

// ---- duplicates ----------------------------------------------------------

/// `GET /duplicates`: groups of likely duplicate accounts.
pub async fn duplicates() -> Result<Vec<DuplicateGroup>, ApiError> {
    whole("/duplicates").await
}

/// `POST /duplicates/merge` (409 when either account changed meanwhile).
pub async fn merge(request: &MergeRequest) -> Result<MergeReport, ApiError> {
    write(Method::POST, "/duplicates/merge", request).await
}

// ---- health models and scoring data (workbench) ---------------------------

/// `GET /health-models`: published versions newest first (the current one
/// marked), then drafts.
pub async fn health_models() -> Result<Vec<kizuna_shared::api::HealthModelVersion>, ApiError> {
    whole("/health-models").await
}

/// `GET /health-models/{id}`.
pub async fn health_model(id: i64) -> Result<kizuna_shared::api::HealthModelVersion, ApiError> {
    read(&format!("/health-models/{id}"), &[]).await
}

/// `POST /health-models`: a new draft, based on the published model.
pub async fn create_health_model(
    input: &kizuna_shared::api::NewHealthModel,
) -> Result<kizuna_shared::api::HealthModelVersion, ApiError> {
    write(Method::POST, "/health-models", input).await
}

/// `PUT /health-models/{id}`: replace a draft at the version read (409 when
/// stale).
pub async fn update_health_model(
    id: i64,
    input: &kizuna_shared::api::UpdateHealthModel,
) -> Result<kizuna_shared::api::HealthModelVersion, ApiError> {
    write(Method::PUT, &format!("/health-models/{id}"), input).await
}

/// `POST /health-models/{id}/publish` (409 when stale or when another
/// version was published since the draft started).
pub async fn publish_health_model(
    id: i64,
    input: &kizuna_shared::api::PublishModel,
) -> Result<kizuna_shared::api::PublishReport, ApiError> {
    write(Method::POST, &format!("/health-models/{id}/publish"), input).await
}

/// `GET /health-models/compare?a=&b=`: weights side by side and band
/// movements from `a` to `b`.
pub async fn compare_health_models(
    query: &kizuna_shared::api::CompareQuery,
) -> Result<kizuna_shared::api::ModelComparison, ApiError> {
    read("/health-models/compare", &query_pairs(query)).await
}

/// `GET /scoring-data`: the workbench's data, fetched as bytes and decoded
/// here with the shared decoder (columns in wasm memory, no per-account JS
/// objects).
pub async fn scoring_data(
    query: &kizuna_shared::api::scoring_data::ScoringDataQuery,
) -> Result<kizuna_shared::api::scoring_data::ScoringData, ApiError> {
    let resp = send(
        Method::GET,
        "/scoring-data",
        &query_pairs(query),
        Body::None,
        Auth::Session,
    )
    .await?;
    if !resp.ok() {
        return Err(problem_of(resp).await);
    }
    let bytes = resp.binary().await.map_err(network)?;
    kizuna_shared::api::scoring_data::decode(&bytes)
        .map_err(|e| ApiError::Network(format!("unreadable scoring data: {e}")))
}

/// `GET /accounts/{id}/contacts`: the account's contacts.
pub async fn account_contacts(account_id: i64) -> Result<Vec<Contact>, ApiError> {
    whole(&format!("/accounts/{account_id}/contacts")).await
}

// ---- surveys -------------------------------------------------------------

/// `GET /surveys`: one page of surveys.
pub async fn surveys(query: &SurveyQuery) -> Result<Page<Survey>, ApiError> {
    read("/surveys", &query_pairs(query)).await
}

/// `GET /surveys/{id}`.
pub async fn survey(id: i64) -> Result<Survey, ApiError> {
    read(&format!("/surveys/{id}"), &[]).await
}

/// `POST /surveys` (managers).
pub async fn create_survey(input: &SurveyInput) -> Result<Survey, ApiError> {
    write(Method::POST, "/surveys", input).await
}

/// `PUT /surveys/{id}` (managers; 409 when `version` is stale).
pub async fn update_survey(id: i64, update: &UpdateSurvey) -> Result<Survey, ApiError> {
    write(Method::PUT, &format!("/surveys/{id}"), update).await
}

/// `GET /surveys/{id}/responses`: one page of answers.
pub async fn survey_responses(
    id: i64,
    query: &ResponseQuery,
) -> Result<Page<SurveyResponse>, ApiError> {
    read(&format!("/surveys/{id}/responses"), &query_pairs(query)).await
}

/// The address of `GET /surveys/{id}/responses/export` for these filters
/// (all pages): a link the browser downloads itself.
pub fn survey_responses_export_url(id: i64, query: &ResponseQuery) -> String {
    let query = ResponseQuery {
        page: None,
        per_page: None,
        ..query.clone()
    };
    with_query(
        &format!("{BASE}/surveys/{id}/responses/export"),
        &query_pairs(&query),
    )
}

/// `POST /surveys/{id}/responses`: an answer heard on a call.
pub async fn record_answer(id: i64, answer: &RecordAnswer) -> Result<SurveyResponse, ApiError> {
    write(Method::POST, &format!("/surveys/{id}/responses"), answer).await
}

/// `GET /surveys/{id}/summary`: NPS or CSAT of the filtered answers.
pub async fn survey_summary(id: i64, query: &ResponseQuery) -> Result<SurveySummary, ApiError> {
    let query = ResponseQuery {
        page: None,
        per_page: None,
        ..query.clone()
    };
    read(&format!("/surveys/{id}/summary"), &query_pairs(&query)).await
}

/// `GET /surveys/{id}/links`: one page of personal links.
pub async fn survey_links(id: i64, query: &LinkQuery) -> Result<Page<SurveyLink>, ApiError> {
    read(&format!("/surveys/{id}/links"), &query_pairs(query)).await
}

/// `POST /surveys/{id}/links`: issues links (their paths are shown once).
pub async fn issue_links(id: i64, request: &IssueLinks) -> Result<Vec<IssuedLink>, ApiError> {
    write(Method::POST, &format!("/surveys/{id}/links"), request).await
}

/// `DELETE /surveys/{id}/links/{link_id}`: withdraws an unanswered link.
pub async fn revoke_link(id: i64, link_id: i64) -> Result<(), ApiError> {
    delete(&format!("/surveys/{id}/links/{link_id}"), &[]).await
}

// ---- tasks ---------------------------------------------------------------

/// `GET /tasks`: one page of follow-up tasks.
pub async fn tasks(query: &TaskQuery) -> Result<Page<Task>, ApiError> {
    read("/tasks", &query_pairs(query)).await
}

/// `PATCH /tasks/{id}`: marks a task done or open again.
pub async fn update_task(id: i64, update: &UpdateTask) -> Result<Task, ApiError> {
    write(Method::PATCH, &format!("/tasks/{id}"), update).await
}

// ---- onboarding sheets ---------------------------------------------------

/// `GET /sheet-templates`: every template (one page).
pub async fn sheet_templates(query: &TemplateQuery) -> Result<Page<SheetTemplate>, ApiError> {
    read("/sheet-templates", &query_pairs(query)).await
}

/// `GET /sheet-templates/{id}`.
pub async fn sheet_template(id: i64) -> Result<SheetTemplate, ApiError> {
    read(&format!("/sheet-templates/{id}"), &[]).await
}

/// `POST /sheet-templates` (managers).
pub async fn create_sheet_template(input: &TemplateInput) -> Result<SheetTemplate, ApiError> {
    write(Method::POST, "/sheet-templates", input).await
}

/// `PUT /sheet-templates/{id}` (managers; 409 when `version` is stale).
pub async fn update_sheet_template(
    id: i64,
    update: &UpdateTemplate,
) -> Result<SheetTemplate, ApiError> {
    write(Method::PUT, &format!("/sheet-templates/{id}"), update).await
}

/// `GET /sheets`: one page of sheets.
pub async fn sheets(query: &SheetQuery) -> Result<Page<Sheet>, ApiError> {
    read("/sheets", &query_pairs(query)).await
}

/// `GET /sheets/kpis`: onboarding completion and time to value.
pub async fn sheet_kpis(query: &OnboardingKpiQuery) -> Result<OnboardingSummary, ApiError> {
    read("/sheets/kpis", &query_pairs(query)).await
}

/// `GET /sheets/{id}`: a sheet with its items and their history.
pub async fn sheet(id: i64) -> Result<SheetDetail, ApiError> {
    read(&format!("/sheets/{id}"), &[]).await
}

/// `POST /sheets`: starts a sheet from a template.
pub async fn start_sheet(request: &StartSheet) -> Result<SheetDetail, ApiError> {
    write(Method::POST, "/sheets", request).await
}

/// `PUT /sheets/{id}/items/{item_id}`: ticks or unticks an item.
pub async fn tick_item(id: i64, item_id: i64, tick: &TickItem) -> Result<SheetDetail, ApiError> {
    write(Method::PUT, &format!("/sheets/{id}/items/{item_id}"), tick).await
}
