//! The OpenAPI document: the routes register their own paths through
//! utoipa-actix-web; this adds the title, tags, shared schemas and the
//! session cookie security scheme.

use kizuna_shared::api::{FieldError, Problem};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::auth::session::SESSION_COOKIE;

/// The static part of the document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kizuna API",
        description = "Customer-success operations. Errors are `application/problem+json` with a stable `code`. \
                       Every POST, PUT, PATCH and DELETE needs the `x-kizuna-csrf` header and, when the browser sends `Origin`, \
                       must come from the server's public origin. The session cookie is `__Host-kizuna_session` \
                       (`kizuna_session` only when plain HTTP on a non-loopback address was explicitly allowed)."
    ),
    paths(crate::routes::health::health),
    components(schemas(Problem, FieldError)),
    modifiers(&SessionCookie),
    tags(
        (name = "health", description = "Liveness"),
        (name = "session", description = "Signing in and out, changing one's own password"),
        (name = "users", description = "User administration (admins) and account owners"),
        (name = "accounts", description = "Customer accounts, their revenue history, signals and contacts"),
        (name = "signals", description = "Usage signal definitions"),
        (name = "duplicates", description = "Likely duplicate accounts and merging them"),
        (name = "imports", description = "CSV imports with preview, their progress and the data-change history"),
        (name = "audit", description = "The append-only audit log: security events (admins) and data events (admins and managers)"),
    )
)]
pub struct ApiDoc;

/// Declares the session cookie as the API's security scheme.
struct SessionCookie;

impl Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
        );
    }
}
