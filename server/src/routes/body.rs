//! [`Body`]: the JSON request body of every `/api` write, deserialized into
//! its shared type with the failing field named.
//!
//! Bodies hold checked values (`Email`, `ExternalId`, enums, ranges in
//! their types), so a value that does not parse fails deserialization.
//! actix's `web::Json` would answer that with the parser's sentence and no
//! field; this extractor first reads the JSON (size limit, content type and
//! syntax stay `web::Json`'s, answered by `error::json_error_handler`), then
//! deserializes it through `serde_path_to_error`, so a bad value is a
//! `validation_failed` problem with the field's path (`email`,
//! `targets[0].account_id`) like every other field error.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use kizuna_shared::api::FieldError;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T> Body<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// The answer to a body that is JSON but not a `T`: a field error at the
/// path where it failed (which starts with a field name), or a bad request
/// when the body as a whole is wrong (not an object, an unknown field).
fn refuse(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let mut field = err.path().to_string();
    let mut message = err.inner().to_string();
    // serde reports a missing field at its parent: name the field itself.
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        field = match field.as_str() {
            "" | "." => missing.to_owned(),
            parent => format!("{parent}.{missing}"),
        };
        message = "is required".to_owned();
    }
    let named = field.chars().next().is_some_and(char::is_alphabetic);
    if !named || message.starts_with("unknown field") {
        ApiError::BadRequest(format!("Invalid JSON body: {message}"))
    } else {
        ApiError::Validation(vec![FieldError { field, message }])
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<serde_json::Value>::from_request(req, payload);
        Box::pin(async move {
            let value = json.await?.into_inner();
            serde_path_to_error::deserialize(value)
                .map(Body)
                .map_err(|e| refuse(e).into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kizuna_shared::api::LoginRequest;

    fn body<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, ApiError> {
        serde_path_to_error::deserialize(v).map_err(refuse)
    }

    #[test]
    fn a_bad_value_is_a_field_error_and_a_bad_shape_a_bad_request() {
        let err =
            body::<LoginRequest>(serde_json::json!({ "email": "x", "password": "p" })).unwrap_err();
        match err {
            ApiError::Validation(errors) => {
                assert_eq!(errors[0].field, "email");
                assert!(errors[0].message.contains("not a valid email"));
            }
            other => panic!("{other:?}"),
        }
        let err = body::<LoginRequest>(serde_json::json!(["a"])).unwrap_err();
        assert!(matches!(err, ApiError::BadRequest(_)), "{err:?}");
        let err = body::<LoginRequest>(serde_json::json!({ "password": "p" })).unwrap_err();
        assert!(
            matches!(&err, ApiError::Validation(e) if e[0].field == "email" && e[0].message == "is required"),
            "{err:?}"
        );
        let err =
            body::<kizuna_shared::api::ContactInput>(serde_json::json!({ "name": "A", "x": 1 }))
                .unwrap_err();
        assert!(matches!(err, ApiError::BadRequest(_)), "{err:?}");
    }
}
