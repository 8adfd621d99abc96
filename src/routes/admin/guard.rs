//! Who may call the admin API, decided once for every admin route.
//!
//! In order: the `Host` must be one the server is known by (a web page on
//! an attacker's name that resolves to 127.0.0.1, DNS rebinding, is
//! refused); a call that changes anything must come from no web page or
//! from the server's own origin (`Origin`, `Sec-Fetch-Site`), and a `POST`
//! must say `Content-Type: application/json` (a page on another origin
//! cannot send that without a CORS preflight, which is never granted); then
//! the admin token, when one is set. Every refusal is a SNAP-shaped answer
//! that says why.

use super::AdminError;
use crate::state::State;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;
use std::net::IpAddr;
use std::sync::OnceLock;

/// The guard, as actix middleware.
pub async fn admit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<State>>().cloned() else {
        return Err(AdminError::Forbidden("the admin API has no state".into()).into());
    };
    let headers = req.headers();
    host_allowed(headers, &state.config.admin_allowed_hosts)?;
    if changes_something(req.method()) {
        same_origin(headers)?;
    }
    if req.method() == Method::POST {
        json_content_type(headers)?;
    }
    authorized(headers, &state)?;
    // Listings and changes start from what the other replicas changed.
    if let Err(e) = state.stores.backend.refresh().await {
        log::warn!("{e}; the admin API goes on with what it last saw");
    }
    next.call(req).await
}

fn changes_something(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The `Host` header names the server by an IP address, `localhost` (or a
/// name under `.localhost`), or a name given with `--admin-allowed-host`.
/// A name an attacker controls never resolves to those from a browser's
/// point of view without being one of them.
fn host_allowed(headers: &HeaderMap, allowed: &[String]) -> Result<(), AdminError> {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        // HTTP/1.0 without Host: no browser sends that.
        return Ok(());
    };
    let name = host_name(host);
    let known = name.parse::<IpAddr>().is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || name.to_ascii_lowercase().ends_with(".localhost")
        || allowed
            .iter()
            .any(|a| a == "*" || a.trim().eq_ignore_ascii_case(name));
    if known {
        return Ok(());
    }
    Err(AdminError::Forbidden(format!(
        "the admin API does not answer to Host {host:?} (a web page on another name could reach it through DNS rebinding); \
         add the name with --admin-allowed-host {name} (SNAP_MOCK_ADMIN_ALLOWED_HOST), or call it by IP address or localhost"
    )))
}

/// `example.com:8080` → `example.com`; `[::1]:8080` → `::1`.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// A changing call comes from no web page, or from the server's own
/// origin (the inspector page). Browsers send `Sec-Fetch-Site` and
/// `Origin` on such calls; other clients (curl, SDKs, tests) send neither.
fn same_origin(headers: &HeaderMap) -> Result<(), AdminError> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return Err(AdminError::Forbidden(format!(
                "a web page on another origin (Sec-Fetch-Site: {site}) cannot change the admin API's state; call it from a test, a script or the inspector page"
            )));
        }
    }
    if let Some(origin) = text("origin") {
        let origin_host = origin
            .split_once("://")
            .map_or(origin, |(_, rest)| rest)
            .trim_end_matches('/');
        let host = text("host").unwrap_or_default();
        if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
            return Err(AdminError::Forbidden(format!(
                "Origin {origin:?} is not this server ({host}); the admin API does not take changes from other origins"
            )));
        }
    }
    Ok(())
}

/// `POST` bodies are JSON, announced as such.
fn json_content_type(headers: &HeaderMap) -> Result<(), AdminError> {
    let value = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let mime = value
        .as_deref()
        .map(|v| v.split(';').next().unwrap_or_default().trim());
    if mime.is_some_and(|m| m.eq_ignore_ascii_case("application/json")) {
        return Ok(());
    }
    Err(AdminError::Forbidden(format!(
        "admin POST requests must send Content-Type: application/json (got {}); a web form cannot, which is the point",
        value.as_deref().map_or("none".into(), |v| format!("{v:?}"))
    )))
}

/// The admin token, when one is set: `Authorization: Bearer <token>`,
/// `Basic` with user `admin` (or none) and the token as the password, or
/// the inspector page's cookie.
fn authorized(headers: &HeaderMap, state: &State) -> Result<(), AdminError> {
    let Some(expected) = state.config.admin_token.as_deref() else {
        return Ok(());
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(presented_token)
        .unwrap_or_default();
    if constant_time_eq(presented.as_bytes(), expected.as_bytes()) {
        return Ok(());
    }
    let now = state.clock.now().timestamp();
    let by_cookie = headers
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| name == COOKIE && cookie_valid(value, expected, now));
    if by_cookie {
        return Ok(());
    }
    Err(AdminError::Unauthorized)
}

/// The admin token in an `Authorization` value: `Bearer <token>`, or
/// `Basic base64(admin:<token>)` (what a browser sends; an empty user is
/// taken too).
fn presented_token(authorization: &str) -> Option<String> {
    if let Some(token) = authorization.strip_prefix("Bearer ") {
        return Some(token.to_owned());
    }
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(authorization.strip_prefix("Basic ")?.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    match text.split_once(':') {
        Some(("admin" | "", password)) => Some(password.to_owned()),
        _ => None,
    }
}

/// Compares without an early exit, so the time taken does not reveal how
/// much of the token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0
}

/// The cookie the inspector page's own calls carry: a browser sends the
/// Basic credentials it was asked for with the page, not always with the
/// page's `fetch` calls.
pub const COOKIE: &str = "snap_mock_admin";

/// How long the inspector's cookie lasts (8 hours); the browser asks for
/// the token again after that.
pub const COOKIE_MAX_AGE_SECS: i64 = 8 * 3600;

/// A random key made once per process: a cookie is worth nothing to
/// another process, and nothing after a restart.
fn process_secret() -> &'static [u8; 32] {
    static SECRET: OnceLock<[u8; 32]> = OnceLock::new();
    SECRET.get_or_init(|| {
        let mut key = [0u8; 32];
        if aws_lc_rs::rand::fill(&mut key).is_err() {
            // No randomness: a key no cookie can match, so the cookie path
            // is closed and the token itself still works.
            log::warn!("the inspector cookie is disabled: the system random generator failed");
            return [0; 32];
        }
        key
    })
}

fn cookie_mac(expires: i64, token: &str) -> String {
    use hmac::{Hmac, Mac};
    let secret = process_secret();
    if secret == &[0; 32] {
        return String::new();
    }
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(format!("snap-mock inspector {expires} {token}").as_bytes());
    crate::snap::symmetric::lower_hex(&mac.finalize().into_bytes())
}

/// `{expires}.{hmac}`: an HMAC of this process's secret over the expiry
/// and the admin token (a new token voids every cookie), never the token
/// or a hash of it alone.
pub fn cookie_value(token: &str, now: i64) -> String {
    let expires = now.saturating_add(COOKIE_MAX_AGE_SECS);
    format!("{expires}.{}", cookie_mac(expires, token))
}

fn cookie_valid(value: &str, token: &str, now: i64) -> bool {
    let Some((expires, mac)) = value.split_once('.') else {
        return false;
    };
    let Ok(expires) = expires.parse::<i64>() else {
        return false;
    };
    let expected = cookie_mac(expires, token);
    now < expires && !expected.is_empty() && constant_time_eq(mac.as_bytes(), expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    #[test]
    fn token_comparison_is_exact() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"secret"));
        assert!(!constant_time_eq(b"secret", b""));
    }

    #[test]
    fn hosts_are_ip_addresses_localhost_or_allowed_names() {
        let ok = |host: &str, allowed: &[&str]| {
            let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
            host_allowed(&headers(&[("host", host)]), &allowed).is_ok()
        };
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "[::1]:8080",
            "10.1.2.3",
            "app.localhost:1",
        ] {
            assert!(ok(host, &[]), "{host}");
        }
        assert!(!ok("evil.example", &[]));
        assert!(!ok("evil.example:8080", &[]));
        assert!(!ok("localhost.evil.example", &[]));
        assert!(ok("snap-mock:8080", &["snap-mock"]));
        assert!(!ok("snap-mock2:8080", &["snap-mock"]));
        assert!(ok("anything", &["*"]));
    }

    #[test]
    fn changes_from_another_origin_are_refused_and_from_none_allowed() {
        let from = |pairs: &[(&str, &str)]| same_origin(&headers(pairs)).is_ok();
        assert!(from(&[("host", "127.0.0.1:8080")]));
        assert!(from(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin")
        ]));
        assert!(!from(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:9090")
        ]));
        assert!(!from(&[
            ("host", "127.0.0.1:8080"),
            ("sec-fetch-site", "same-site")
        ]));
        assert!(!from(&[
            ("host", "127.0.0.1:8080"),
            ("sec-fetch-site", "cross-site")
        ]));
        assert!(!from(&[("host", "127.0.0.1:8080"), ("origin", "null")]));
    }

    #[test]
    fn posts_must_announce_json() {
        let ct = |v: Option<&str>| {
            let pairs: Vec<(&str, &str)> = v.map(|v| ("content-type", v)).into_iter().collect();
            json_content_type(&headers(&pairs)).is_ok()
        };
        assert!(ct(Some("application/json")));
        assert!(ct(Some("Application/JSON; charset=utf-8")));
        assert!(!ct(Some("text/plain")));
        assert!(!ct(Some("application/x-www-form-urlencoded")));
        assert!(!ct(None));
    }

    #[test]
    fn basic_takes_the_admin_user_or_none() {
        use base64::Engine;
        let basic = |s: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s)
            )
        };
        assert_eq!(presented_token(&basic("admin:t0k")).as_deref(), Some("t0k"));
        assert_eq!(presented_token(&basic(":t0k")).as_deref(), Some("t0k"));
        assert_eq!(presented_token(&basic("mallory:t0k")), None);
        assert_eq!(presented_token("Bearer t0k").as_deref(), Some("t0k"));
    }

    #[test]
    fn a_cookie_is_an_hmac_that_expires_and_dies_with_the_token() {
        let now = 1_800_000_000;
        let value = cookie_value("t0k", now);
        assert!(!value.contains("t0k"));
        assert!(cookie_valid(&value, "t0k", now));
        assert!(cookie_valid(&value, "t0k", now + COOKIE_MAX_AGE_SECS - 1));
        assert!(!cookie_valid(&value, "t0k", now + COOKIE_MAX_AGE_SECS));
        assert!(!cookie_valid(&value, "other", now));
        let (expires, mac) = value.split_once('.').unwrap();
        let later = format!("{}.{mac}", expires.parse::<i64>().unwrap() + 3600);
        assert!(!cookie_valid(&later, "t0k", now), "the expiry is signed");
        // The old form, the token's plain SHA-256, is no credential.
        use sha2::Digest;
        let sha = crate::snap::symmetric::lower_hex(&sha2::Sha256::digest(b"t0k"));
        assert!(!cookie_valid(&sha, "t0k", now));
    }
}
