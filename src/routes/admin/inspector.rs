//! The inspector page: one self-contained HTML document (one `<style>`,
//! one `<script>`, no external assets, no inline handlers), behind the
//! same guard as the rest of the admin API. It reads everything through
//! the admin JSON API.

use super::guard::{cookie_value, COOKIE, COOKIE_MAX_AGE_SECS};
use super::Answer;
use crate::state::State;
use actix_web::{web, HttpResponse};
use std::sync::OnceLock;

const INSPECTOR: &str = include_str!("inspector.html");

/// The text between `open` and `close` in the page.
fn element_text(open: &str, close: &str) -> &'static str {
    INSPECTOR
        .split_once(open)
        .and_then(|(_, rest)| rest.split_once(close))
        .map_or("", |(text, _)| text)
}

/// `'sha256-...'` of a text, as a Content-Security-Policy source.
fn csp_hash(text: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page's policy: its own script and style by hash (no
/// `'unsafe-inline'`), calls to its own origin only, and no framing.
pub fn content_security_policy() -> &'static str {
    static POLICY: OnceLock<String> = OnceLock::new();
    POLICY.get_or_init(|| {
        format!(
            "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; img-src data:; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            csp_hash(element_text("<script>", "</script>")),
            csp_hash(element_text("<style>", "</style>")),
        )
    })
}

pub async fn page(state: web::Data<State>) -> Answer {
    let mut page = HttpResponse::Ok();
    if let Some(token) = &state.config.admin_token {
        let secure = if serves_tls(&state) { "; Secure" } else { "" };
        page.insert_header((
            actix_web::http::header::SET_COOKIE,
            format!(
                "{COOKIE}={}; Path={}; Max-Age={COOKIE_MAX_AGE_SECS}; HttpOnly; SameSite=Strict{secure}",
                cookie_value(token, state.clock.now().timestamp()),
                state.config.admin_prefix
            ),
        ));
    }
    Ok(page
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", content_security_policy()))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header(("Cache-Control", "no-store"))
        .body(INSPECTOR))
}

#[cfg(feature = "tls")]
fn serves_tls(state: &State) -> bool {
    state.config.tls.is_some()
}

#[cfg(not(feature = "tls"))]
fn serves_tls(_state: &State) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_hashes_the_pages_one_script_and_one_style() {
        assert_eq!(INSPECTOR.matches("<script").count(), 1);
        assert_eq!(INSPECTOR.matches("<style").count(), 1);
        let policy = content_security_policy();
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        let script = element_text("<script>", "</script>");
        assert!(script.len() > 1000);
        assert!(policy.contains(&csp_hash(script)), "{policy}");
        assert!(policy.contains(&csp_hash(element_text("<style>", "</style>"))));
    }
}
