//! Secrets kept out of the journal and the log by default: bearer tokens
//! and refresh tokens become a short prefix and a fingerprint, enough to
//! tell two apart and to match one a test holds (`--journal-secrets
//! verbatim` keeps them whole, for debugging).

use sha2::{Digest, Sha256};

/// The secrets a request carries: the bearer token, and a refresh token
/// in the body.
pub fn secrets_in(authorization: Option<&str>, body: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    if let Some((scheme, token)) = authorization.and_then(|a| a.split_once(' ')) {
        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
            found.push(token.trim().to_owned());
        }
    }
    if let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(body) {
        if let Some(serde_json::Value::String(t)) = m.get("refreshToken") {
            if !t.is_empty() {
                found.push(t.clone());
            }
        }
    }
    found
}

/// An `Authorization` value as the journal shows it: a `Basic` credential
/// (a user and a password, base64) by its fingerprint alone, since any
/// prefix of it gives away part of the user and password; anything else
/// as it is (a bearer token is masked with the other secrets).
pub fn authorization_shown(value: &str) -> Option<String> {
    let (scheme, credential) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let digest = Sha256::digest(credential.trim().as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    Some(format!("{scheme} …[redacted sha256:{hex}]"))
}

/// How a secret is shown: its first 8 characters and a SHA-256 fingerprint.
pub fn masked(secret: &str) -> String {
    let prefix: String = secret.chars().take(8).collect();
    let digest = Sha256::digest(secret.as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}…[redacted sha256:{hex}]")
}

/// `text` with every occurrence of each secret masked.
pub fn redact(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .filter(|s| s.len() >= 8)
        .fold(text.to_owned(), |t, s| t.replace(s.as_str(), &masked(s)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_token_and_a_refresh_token_are_found_and_masked() {
        let secrets = secrets_in(
            Some("Bearer eyJhbGciOi.payload.signature"),
            br#"{"grantType":"REFRESH_TOKEN","refreshToken":"0123456789abcdef"}"#,
        );
        assert_eq!(
            secrets,
            ["eyJhbGciOi.payload.signature", "0123456789abcdef"]
        );
        let text = "POST:/x:eyJhbGciOi.payload.signature:hash:ts and 0123456789abcdef";
        let shown = redact(text, &secrets);
        assert!(!shown.contains("payload.signature"), "{shown}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(
            shown.starts_with("POST:/x:eyJhbGci…[redacted sha256:"),
            "{shown}"
        );
        assert_eq!(masked("0123456789abcdef"), masked("0123456789abcdef"));
        assert_ne!(masked("0123456789abcdef"), masked("0123456789abcdee"));
    }

    #[test]
    fn a_basic_credential_is_shown_by_its_fingerprint_alone() {
        let shown = authorization_shown("Basic YWRtaW46czNjcmV0").unwrap();
        assert!(shown.starts_with("Basic …[redacted sha256:"), "{shown}");
        assert!(!shown.contains("YWRt"), "{shown}");
        assert_eq!(authorization_shown("Bearer abc"), None);
        assert_eq!(
            authorization_shown("basic YQ==").map(|s| s.len() > 10),
            Some(true)
        );
    }

    #[test]
    fn nothing_is_found_where_there_is_nothing() {
        assert!(secrets_in(Some("Basic abc"), b"not json").is_empty());
        assert!(secrets_in(None, br#"{"refreshToken":""}"#).is_empty());
    }
}
