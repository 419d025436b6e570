//! The single-page app: static files from the dist directory, `index.html`
//! for client-side routes (with `<html lang>` set per request), and the
//! Content-Security-Policy that admits exactly the inline scripts of
//! `index.html`.

use std::path::{Path, PathBuf};

use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use anyhow::Context;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Name of the cookie holding the UI language (`en` or `ja`).
pub const LANG_COOKIE: &str = "kizuna_lang";

/// The built app, loaded once at startup.
#[derive(Debug, Clone)]
pub struct Spa {
    /// The dist directory.
    pub dir: PathBuf,
    /// `index.html` with `lang="en"`.
    index_en: String,
    /// `index.html` with `lang="ja"`.
    index_ja: String,
    /// `'sha256-…'` sources of the inline scripts.
    pub script_hashes: Vec<String>,
}

impl Spa {
    /// Loads `index.html` from `dir`; `Ok(None)` when it does not exist.
    pub fn load(dir: &Path) -> anyhow::Result<Option<Spa>> {
        let index = dir.join("index.html");
        if !index.is_file() {
            return Ok(None);
        }
        let html = std::fs::read_to_string(&index)
            .with_context(|| format!("reading {}", index.display()))?;
        Ok(Some(Spa {
            dir: dir.to_owned(),
            index_en: set_html_lang(&html, "en"),
            index_ja: set_html_lang(&html, "ja"),
            script_hashes: inline_script_hashes(&html),
        }))
    }

    /// `index.html` in the language the request asks for.
    fn index_for(&self, req: &HttpRequest) -> &str {
        match preferred_lang(req) {
            "ja" => &self.index_ja,
            _ => &self.index_en,
        }
    }
}

/// The Content-Security-Policy, admitting the given inline script hashes.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push(' ');
        script_src.push_str(hash);
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// `'sha256-…'` of the exact text of every `<script>` without `src`.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut pos = 0;
    while let Some(start) = lower[pos..].find("<script").map(|i| i + pos) {
        let Some(tag_end) = lower[start..].find('>').map(|i| i + start) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| i + tag_end) else {
            break;
        };
        let tag = &lower[start..tag_end];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attr| attr.starts_with("src="));
        let body = &html[tag_end + 1..close];
        if !has_src && !body.is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push(format!("'sha256-{b64}'"));
        }
        pos = close;
    }
    hashes
}

/// Sets (or replaces) the `lang` attribute of the `<html>` tag.
pub fn set_html_lang(html: &str, lang: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let Some(start) = lower.match_indices("<html").map(|(i, _)| i).find(|&i| {
        matches!(
            lower.as_bytes().get(i + 5),
            Some(b'>' | b' ' | b'\n' | b'\t' | b'\r')
        )
    }) else {
        return html.to_owned();
    };
    let Some(end) = lower[start..].find('>').map(|i| i + start) else {
        return html.to_owned();
    };
    let tag = &html[start + 5..end];
    let mut attrs = String::new();
    let mut rest = tag;
    // Copy every attribute except an existing `lang="…"`.
    while let Some(i) = rest.to_ascii_lowercase().find("lang=") {
        let preceded_ok = i == 0 || rest.as_bytes()[i - 1].is_ascii_whitespace();
        let after = &rest[i + 5..];
        let value_len = match after.chars().next() {
            Some(q @ ('"' | '\'')) => after[1..].find(q).map_or(after.len(), |j| j + 2),
            _ => after
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(after.len()),
        };
        if preceded_ok {
            attrs.push_str(rest[..i].trim_end());
            rest = &after[value_len..];
        } else {
            attrs.push_str(&rest[..i + 5]);
            rest = after;
        }
    }
    attrs.push_str(rest);
    format!(
        "{}<html lang=\"{lang}\"{}{}{}",
        &html[..start],
        if attrs.trim().is_empty() { "" } else { " " },
        attrs.trim(),
        &html[end..]
    )
}

/// `ja` or `en`: the `kizuna_lang` cookie, else the first of the two in
/// `Accept-Language` by preference, else `en`.
pub fn preferred_lang(req: &HttpRequest) -> &'static str {
    if let Some(cookie) = req.cookie(LANG_COOKIE) {
        match cookie.value() {
            "ja" => return "ja",
            "en" => return "en",
            _ => {}
        }
    }
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or("en", lang_from_accept_language)
}

/// Picks `ja` or `en` from an `Accept-Language` value by quality.
pub fn lang_from_accept_language(value: &str) -> &'static str {
    let mut best: Option<(f32, &'static str)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag.split('-').next().unwrap_or_default();
        let lang = match primary {
            "ja" => "ja",
            "en" => "en",
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, lang));
        }
    }
    best.map_or("en", |(_, lang)| lang)
}

/// `GET /` and client-side routes: `index.html`.
pub async fn index(
    req: HttpRequest,
    spa: Option<web::Data<Spa>>,
) -> Result<HttpResponse, ApiError> {
    let spa = spa.ok_or(ApiError::SpaNotBuilt)?;
    Ok(index_response(&req, &spa))
}

fn index_response(req: &HttpRequest, spa: &Spa) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::VARY, "Cookie, Accept-Language"))
        .body(spa.index_for(req).to_owned())
}

/// What the static file service answers for paths that are not files: a
/// problem for `/api/…` and for missing files with an extension, otherwise
/// `index.html` so the client-side router can take over.
pub async fn fallback(req: ServiceRequest) -> Result<ServiceResponse, actix_web::Error> {
    let (req, _) = req.into_parts();
    let response = match fallback_response(&req) {
        Ok(response) => response,
        Err(err) => actix_web::ResponseError::error_response(&err),
    };
    Ok(ServiceResponse::new(req, response))
}

fn fallback_response(req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if path == "/api" || path.starts_with("/api/") {
        return Err(ApiError::NotFound(format!("No API resource at {path}.")));
    }
    let spa = req
        .app_data::<web::Data<Spa>>()
        .ok_or(ApiError::SpaNotBuilt)?;
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return Err(ApiError::NotFound(format!("No file at {path}.")));
    }
    if !matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    ) {
        return Err(ApiError::NotFound(format!("No resource at {path}.")));
    }
    Ok(index_response(req, spa))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let html = r#"<html><head><script src="/a.js"></script><script type="module">import init from '/x.js';init();</script></head></html>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 1);
        let digest = Sha256::digest(b"import init from '/x.js';init();");
        let expected = base64::engine::general_purpose::STANDARD.encode(digest);
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
    }

    #[test]
    fn the_html_lang_attribute_is_set_or_replaced() {
        assert_eq!(
            set_html_lang("<html><body>", "ja"),
            "<html lang=\"ja\"><body>"
        );
        assert_eq!(
            set_html_lang("<!DOCTYPE html>\n<html lang=\"en\" class=\"x\">", "ja"),
            "<!DOCTYPE html>\n<html lang=\"ja\" class=\"x\">"
        );
        assert_eq!(set_html_lang("no html tag", "ja"), "no html tag");
    }

    #[test]
    fn accept_language_prefers_the_higher_quality_of_ja_and_en() {
        assert_eq!(lang_from_accept_language("ja,en;q=0.8"), "ja");
        assert_eq!(lang_from_accept_language("ja-JP;q=0.5,en-US"), "en");
        assert_eq!(lang_from_accept_language("fr,ja;q=0.7"), "ja");
        assert_eq!(lang_from_accept_language("fr"), "en");
    }

    #[test]
    fn the_policy_lists_the_script_hashes() {
        let csp = content_security_policy(&["'sha256-abc'".into()]);
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc';"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
