//! Typed calls to the Kizuna JSON API (`/api/v1`) with gloo-net. Every
//! state-changing request carries the CSRF header the server requires.

use gloo_net::http::{Request, Response};
use kizuna_shared::api::{Problem, CSRF_HEADER};
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
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Problem(p) => Some(p.code.as_str()),
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

async fn problem_of(resp: Response) -> ApiError {
    let status = resp.status();
    match resp.json::<Problem>().await {
        Ok(problem) => ApiError::Problem(problem),
        Err(_) => ApiError::Problem(Problem {
            type_: "about:blank".into(),
            title: resp.status_text(),
            status,
            code: "http_error".into(),
            detail: None,
            errors: Vec::new(),
        }),
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    if resp.ok() {
        resp.json::<T>().await.map_err(network)
    } else {
        Err(problem_of(resp).await)
    }
}

/// `GET path` and decode the JSON answer.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let resp = Request::get(path).send().await.map_err(network)?;
    decode(resp).await
}

/// `POST path` with a JSON body and decode the JSON answer.
pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let resp = Request::post(path)
        .header(CSRF_HEADER, "1")
        .json(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    decode(resp).await
}

/// `DELETE path`, expecting no body back.
pub async fn delete(path: &str) -> Result<(), ApiError> {
    let resp = Request::delete(path)
        .header(CSRF_HEADER, "1")
        .send()
        .await
        .map_err(network)?;
    if resp.ok() {
        Ok(())
    } else {
        Err(problem_of(resp).await)
    }
}

/// Percent-encodes a query-string value.
pub fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

/// `PATCH path` with a JSON body and decode the JSON answer.
pub async fn patch<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let resp = Request::patch(path)
        .header(CSRF_HEADER, "1")
        .json(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    decode(resp).await
}

/// `PUT path` with a JSON body and decode the JSON answer.
pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    let resp = Request::put(path)
        .header(CSRF_HEADER, "1")
        .json(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    decode(resp).await
}

/// `POST path` with a file as the raw body (sent as the browser reads it, so
/// a Shift_JIS file reaches the server byte for byte).
///
/// A `422` whose body is an [`ImportReport`](kizuna_shared::api::ImportReport)
/// is a normal answer (the file has errors), so it is decoded as `Ok`.
pub async fn post_file<T: DeserializeOwned>(
    path: &str,
    file: &web_sys::Blob,
) -> Result<T, ApiError> {
    let resp = Request::post(path)
        .header(CSRF_HEADER, "1")
        .header("Content-Type", "text/csv")
        .body(wasm_bindgen::JsValue::from(file.clone()))
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    if resp.status() == 422 {
        let text = resp.text().await.map_err(network)?;
        if let Ok(report) = serde_json::from_str::<T>(&text) {
            return Ok(report);
        }
        return Err(match serde_json::from_str::<Problem>(&text) {
            Ok(p) => ApiError::Problem(p),
            Err(e) => ApiError::Network(e.to_string()),
        });
    }
    decode(resp).await
}
