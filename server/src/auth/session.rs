//! Sessions: a random 256-bit token per sign-in, kept by the browser in a
//! signed cookie and by the server as its SHA-256 in `sessions` (see
//! `db::sessions`). The cookie is signed with the session key (actix-web's
//! cookie `Key`), so replacing the key also invalidates every cookie; the
//! server-side row is what lets sign-out, password and role changes and
//! disabling a user end a session on every instance.
//!
//! The key comes from `KIZUNA_SESSION_KEY`, else from a key file outside the
//! database (`--session-key-file`), else it is generated once and stored in
//! the database's `server_secrets` (anyone who can read the database can
//! then forge cookie signatures — but not tokens, which only exist hashed).

use std::path::{Path, PathBuf};

use actix_web::cookie::{time, Cookie, CookieJar, Key, SameSite};
use actix_web::HttpRequest;
use anyhow::Context;
use base64::Engine;
use kizuna_shared::api::{AuditKind, AuditTarget};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::audit::{self, Actor, Event};
use crate::db::sessions::Lifetime;
use crate::db::{self, DbConn, DbPool};

/// Name of the session cookie. The `__Host-` prefix makes browsers refuse
/// it unless it is `Secure`, has `Path=/` and no `Domain`, so no sibling
/// subdomain can plant or overwrite it.
pub const SESSION_COOKIE: &str = "__Host-kizuna_session";

/// Name of the session cookie when plain HTTP on a non-loopback address was
/// explicitly allowed (`--allow-insecure-http`): browsers refuse `Secure`
/// (and so `__Host-`) cookies there.
pub const INSECURE_SESSION_COOKIE: &str = "kizuna_session";

/// Name of the stored key in `server_secrets`.
const KEY_SECRET: &str = "session_key";

/// Bytes of a session token (256 bits).
const TOKEN_BYTES: usize = 32;

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

/// A new random key, hex-encoded (64 bytes from the OS-seeded CSPRNG).
pub fn generate_key() -> String {
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Where the session key comes from.
#[derive(Debug, Clone, Default)]
pub struct KeySource {
    /// `KIZUNA_SESSION_KEY` / `--session-key`.
    pub value: Option<String>,
    /// `KIZUNA_SESSION_KEY_FILE` / `--session-key-file`.
    pub file: Option<PathBuf>,
}

/// The signing key: the configured value, else the key file, else the one
/// stored in (or newly generated into) the database.
pub fn load_key(source: &KeySource, pool: &DbPool) -> anyhow::Result<Key> {
    if let Some(text) = source.value.as_deref().filter(|t| !t.trim().is_empty()) {
        return decode_key(text).context("KIZUNA_SESSION_KEY");
    }
    if let Some(path) = &source.file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the session key file {}", path.display()))?;
        return decode_key(&text)
            .with_context(|| format!("the session key file {}", path.display()));
    }
    let mut conn = pool.get().context("getting a database connection")?;
    let stored = db::secrets::get_or_create(&mut conn, KEY_SECRET, generate_key)
        .context("loading the session key")?;
    decode_key(&stored).context("stored session key")
}

/// Where `rotate_key` put the new key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotatedInto {
    /// The key file.
    File(PathBuf),
    /// The database.
    Database,
}

/// Replaces the session key (in the key file when one is given, else in the
/// database), ends every session and records it in the audit log. Returns
/// where the key went and how many sessions ended.
pub fn rotate_key(
    conn: &mut DbConn,
    key_file: Option<&Path>,
) -> anyhow::Result<(RotatedInto, usize)> {
    let key = generate_key();
    let into = match key_file {
        Some(path) => {
            write_key_file(path, &key)?;
            RotatedInto::File(path.to_owned())
        }
        None => RotatedInto::Database,
    };
    let ended = db::write_tx(conn, |conn| {
        if into == RotatedInto::Database {
            db::secrets::set(conn, KEY_SECRET, &key)?;
        }
        let ended = db::sessions::delete_all(conn)?;
        audit::record(
            conn,
            &Actor::command_line("kizuna rotate-session-key"),
            Event::new(
                AuditKind::SessionKeyRotated,
                format!(
                    "Replaced the session key ({}); {ended} session(s) ended.",
                    match &into {
                        RotatedInto::File(_) => "key file",
                        RotatedInto::Database => "stored in the database",
                    }
                ),
            )
            .target(AuditTarget::SessionKey, None, "session key"),
        )?;
        Ok::<_, db::DbError>(ended)
    })?;
    Ok((into, ended))
}

/// Writes a key file readable by its owner only.
fn write_key_file(path: &Path, key: &str) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, format!("{key}\n"))
        .with_context(|| format!("writing {}", tmp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("restricting {}", tmp.display()))?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// A new session token (base64url, for the cookie) and its SHA-256 (hex,
/// for the database).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; TOKEN_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The session cookie's settings and key.
#[derive(Clone)]
pub struct SessionCookies {
    key: Key,
    secure: bool,
    lifetime: Lifetime,
}

impl std::fmt::Debug for SessionCookies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCookies")
            .field("secure", &self.secure)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl SessionCookies {
    /// Cookies signed with `key`; `secure` selects `__Host-kizuna_session`
    /// with `Secure` (the default) or the plain-HTTP fallback.
    pub fn new(key: Key, secure: bool, lifetime: Lifetime) -> Self {
        SessionCookies {
            key,
            secure,
            lifetime,
        }
    }

    /// The cookie name in use.
    pub fn name(&self) -> &'static str {
        if self.secure {
            SESSION_COOKIE
        } else {
            INSECURE_SESSION_COOKIE
        }
    }

    /// How long sessions live.
    pub fn lifetime(&self) -> Lifetime {
        self.lifetime
    }

    fn base(&self, value: String) -> Cookie<'static> {
        let mut cookie = Cookie::new(self.name(), value);
        cookie.set_http_only(true);
        cookie.set_secure(self.secure);
        cookie.set_same_site(SameSite::Lax);
        cookie.set_path("/");
        cookie
    }

    /// The `Set-Cookie` for a new session: the token signed with the key,
    /// kept by the browser until the session's absolute end.
    pub fn issue(&self, token: &str) -> Cookie<'static> {
        let mut cookie = self.base(token.to_owned());
        cookie.set_max_age(time::Duration::seconds(
            self.lifetime.absolute.num_seconds(),
        ));
        let mut jar = CookieJar::new();
        jar.signed_mut(&self.key).add(cookie.clone());
        jar.get(self.name()).cloned().unwrap_or(cookie)
    }

    /// The `Set-Cookie` that makes the browser forget the session cookie.
    pub fn removal(&self) -> Cookie<'static> {
        let mut cookie = self.base(String::new());
        cookie.make_removal();
        cookie
    }

    /// The token of the request's session cookie, if it carries one with a
    /// valid signature.
    pub fn token(&self, req: &HttpRequest) -> Option<String> {
        let raw = req.cookie(self.name())?;
        let mut jar = CookieJar::new();
        jar.add_original(raw);
        let token = jar.signed(&self.key).get(self.name())?.value().to_owned();
        Some(token)
    }
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
        assert!(decode_key(&generate_key()).is_ok());
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_their_hash() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_a, hash_token(&a));
        assert_eq!(hash_a.len(), 64);
        assert!(!hash_a.contains(&a));
    }

    #[test]
    fn issued_cookies_are_host_prefixed_secure_and_signed() {
        let cookies = SessionCookies::new(Key::generate(), true, Lifetime::default());
        let cookie = cookies.issue("token").to_string();
        assert!(cookie.starts_with("__Host-kizuna_session="), "{cookie}");
        for attribute in [
            "HttpOnly",
            "Secure",
            "SameSite=Lax",
            "Path=/",
            "Max-Age=604800",
        ] {
            assert!(cookie.contains(attribute), "{attribute} in {cookie}");
        }
        assert!(!cookie.contains("Domain"));
        assert!(
            !cookie.starts_with("__Host-kizuna_session=token;"),
            "the value is signed: {cookie}"
        );
    }

    #[test]
    fn only_a_cookie_signed_with_the_key_yields_its_token() {
        use actix_web::test::TestRequest;
        let key = Key::generate();
        let cookies = SessionCookies::new(key.clone(), true, Lifetime::default());
        let issued = cookies.issue("the-token");
        let req = TestRequest::default()
            .cookie(issued.clone())
            .to_http_request();
        assert_eq!(cookies.token(&req).as_deref(), Some("the-token"));
        let forged = Cookie::new(SESSION_COOKIE, "the-token");
        let req = TestRequest::default().cookie(forged).to_http_request();
        assert_eq!(cookies.token(&req), None);
        let rotated = SessionCookies::new(Key::generate(), true, Lifetime::default());
        let req = TestRequest::default().cookie(issued).to_http_request();
        assert_eq!(rotated.token(&req), None);
    }
}
