//! The session cookie: a signed cookie (no server-side store) whose key comes
//! from `KIZUNA_SESSION_KEY` or is generated once and kept in the database.

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{time, Key, SameSite};
use anyhow::Context;
use base64::Engine;
use rand::RngCore;

use crate::db::{self, DbPool};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "kizuna_session";

/// How long a session lasts without signing in again.
const SESSION_DAYS: i64 = 7;

/// Decodes a key given as hex or base64 (standard or URL-safe); it must have
/// at least 64 bytes.
pub fn decode_key(text: &str) -> anyhow::Result<Key> {
    let text = text.trim();
    let bytes = hex::decode(text)
        .ok()
        .or_else(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
        .or_else(|| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(text)
                .ok()
        })
        .context("the session key must be hex or base64")?;
    Key::try_from(bytes.as_slice())
        .map_err(|_| anyhow::anyhow!("the session key must have at least 64 bytes"))
}

/// The signing key: from the configuration, else from (or newly into) the database.
pub fn load_key(configured: Option<&str>, pool: &DbPool) -> anyhow::Result<Key> {
    if let Some(text) = configured.filter(|t| !t.trim().is_empty()) {
        return decode_key(text).context("KIZUNA_SESSION_KEY");
    }
    let mut conn = pool.get().context("getting a database connection")?;
    let stored = db::secrets::get_or_create(&mut conn, "session_key", || {
        let mut bytes = [0u8; 64];
        rand::rng().fill_bytes(&mut bytes);
        hex::encode(bytes)
    })
    .context("loading the session key")?;
    decode_key(&stored).context("stored session key")
}

/// The session middleware with Kizuna's cookie settings.
pub fn middleware(key: Key, secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(SESSION_COOKIE.to_owned())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(secure)
        .cookie_path("/".to_owned())
        .cookie_content_security(CookieContentSecurity::Signed)
        .session_lifecycle(
            PersistentSession::default().session_ttl(time::Duration::days(SESSION_DAYS)),
        )
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_decode_from_hex_and_base64_but_must_be_long_enough() {
        let bytes = [7u8; 64];
        assert!(decode_key(&hex::encode(bytes)).is_ok());
        assert!(decode_key(&base64::engine::general_purpose::STANDARD.encode(bytes)).is_ok());
        assert!(decode_key(&hex::encode([7u8; 32])).is_err());
        assert!(decode_key("not a key!").is_err());
    }
}
