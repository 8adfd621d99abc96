//! The symmetric signature of transactional SNAP calls:
//!
//! ```text
//! stringToSign = METHOD ":" relativeUrlWithQuery ":" accessToken ":"
//!                lowercase(hex(sha256(minified body))) ":" X-TIMESTAMP
//! X-SIGNATURE  = base64(HMAC-SHA512(clientSecret, stringToSign))
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// The body with insignificant whitespace removed and key order kept; a
/// body that is not JSON is hashed as sent.
pub fn minify_body(body: &[u8]) -> Vec<u8> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Vec::new();
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => serde_json::to_vec(&v).unwrap_or_else(|_| body.to_vec()),
        Err(_) => body.to_vec(),
    }
}

pub fn lower_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `METHOD:url:token:hex(sha256(body)):timestamp` with `body` already
/// minified.
pub fn string_to_sign(
    method: &str,
    relative_url: &str,
    access_token: &str,
    minified_body: &[u8],
    timestamp: &str,
) -> String {
    format!(
        "{}:{relative_url}:{access_token}:{}:{timestamp}",
        method.to_ascii_uppercase(),
        lower_hex(&Sha256::digest(minified_body))
    )
}

pub fn hmac_sha512_base64(secret: &[u8], string_to_sign: &str) -> String {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha512>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(string_to_sign.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Constant-time check of `signature` (base64) over `string_to_sign`.
pub fn verify_symmetric(secret: &[u8], string_to_sign: &str, signature: &[u8]) -> bool {
    let Ok(sig) = STANDARD.decode(signature) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha512>::new_from_slice(secret) else {
        return false;
    };
    mac.update(string_to_sign.as_bytes());
    mac.verify_slice(&sig).is_ok()
}

/// What a client that failed the symmetric signature most likely did.
pub fn diagnose_symmetric(
    secret: &[u8],
    method: &str,
    relative_url: &str,
    access_token: &str,
    body: &[u8],
    timestamp: &str,
    signature: &[u8],
) -> String {
    let expected = string_to_sign(
        method,
        relative_url,
        access_token,
        &minify_body(body),
        timestamp,
    );
    let sig_text = String::from_utf8_lossy(signature);
    if STANDARD.decode(signature).is_err() {
        if sig_text.len() == 128 && sig_text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return format!("X-SIGNATURE is hex; SNAP wants base64 of the HMAC-SHA512; string-to-sign {expected:?}");
        }
        return format!("X-SIGNATURE is not standard base64; string-to-sign {expected:?}");
    }
    let matches = |sts: &str| verify_symmetric(secret, sts, signature);
    let body_hash = |b: &[u8]| lower_hex(&Sha256::digest(b));
    let with_hash = |hash: &str| {
        format!(
            "{}:{relative_url}:{access_token}:{hash}:{timestamp}",
            method.to_ascii_uppercase()
        )
    };
    let path_only = relative_url.split('?').next().unwrap_or(relative_url);
    let mut candidates: Vec<(String, &str)> = vec![
        (
            with_hash(&body_hash(body)),
            "the body was hashed as sent, not minified",
        ),
        (
            with_hash(&body_hash(&minify_body(body)).to_uppercase()),
            "the body hash is upper-case hex; SNAP uses lower-case",
        ),
        (
            format!(
                "{}:{path_only}:{access_token}:{}:{timestamp}",
                method.to_ascii_uppercase(),
                body_hash(&minify_body(body))
            ),
            "the query string was left out of the URL",
        ),
        (
            format!(
                "{}:{relative_url}:Bearer {access_token}:{}:{timestamp}",
                method.to_ascii_uppercase(),
                body_hash(&minify_body(body))
            ),
            "the token was signed with its \"Bearer \" prefix",
        ),
        (
            format!(
                "{}:{relative_url}:{access_token}:{}:{timestamp}",
                method.to_ascii_lowercase(),
                body_hash(&minify_body(body))
            ),
            "the HTTP method is lower case",
        ),
    ];
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        let sorted = sort_keys(v);
        if let Ok(bytes) = serde_json::to_vec(&sorted) {
            candidates.push((with_hash(&body_hash(&bytes)), "the body's keys were reordered (sorted) before hashing; hash the body exactly as sent, minified"));
        }
    }
    for (candidate, why) in &candidates {
        if matches(candidate) {
            return format!("{why}; the server's string-to-sign is {expected:?}");
        }
    }
    format!("does not verify with the client secret over {expected:?}; check the secret, the relative URL (path and query as sent) and the timestamp")
}

pub(crate) fn sort_keys(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut entries: Vec<_> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect(),
            )
        }
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.into_iter().map(sort_keys).collect())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_midtrans_hmac_vector_verifies() {
        let sts = "POST:/v1.0/qr/qr-mpm-generate:myaccesstoken:01463f60dbb6ca538581579dd95b31c8ba9fc6600eca750e4d8460ca4e402111:2024-03-05T10:37:16.196Z";
        let expected = "wmzT7yjg1SxxCsxNsFgCR9SYXiZGGbceF6fV8xe97sAMHxZ+7OEBMIBmvb6Sj6GcksGp3iv77DiomgSbcST3XQ==";
        assert_eq!(hmac_sha512_base64(b"myclientsecret", sts), expected);
        assert!(verify_symmetric(
            b"myclientsecret",
            sts,
            expected.as_bytes()
        ));
        assert!(!verify_symmetric(
            b"otherclientsecret",
            sts,
            expected.as_bytes()
        ));
    }

    #[test]
    fn an_empty_body_hashes_the_empty_string() {
        let sts = string_to_sign("get", "/v1.0/x?a=1", "tok", &minify_body(b""), "T");
        assert_eq!(sts, "GET:/v1.0/x?a=1:tok:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:T");
    }

    #[test]
    fn minifying_keeps_key_order_and_drops_whitespace() {
        assert_eq!(
            minify_body(b"{ \"b\": 1,\n \"a\": [1, 2] }"),
            b"{\"b\":1,\"a\":[1,2]}".to_vec()
        );
    }

    #[test]
    fn the_diagnosis_names_common_mistakes() {
        let body = b"{ \"b\": 1, \"a\": 2 }";
        let case = |sts: String| {
            let sig = hmac_sha512_base64(b"s", &sts);
            diagnose_symmetric(
                b"s",
                "POST",
                "/v1.0/x?q=1",
                "tok",
                body,
                "T",
                sig.as_bytes(),
            )
        };
        let h = |b: &[u8]| lower_hex(&Sha256::digest(b));
        assert!(case(format!("POST:/v1.0/x?q=1:tok:{}:T", h(body))).contains("not minified"));
        assert!(case(format!(
            "POST:/v1.0/x?q=1:tok:{}:T",
            h(b"{\"b\":1,\"a\":2}").to_uppercase()
        ))
        .contains("upper-case"));
        assert!(
            case(format!("POST:/v1.0/x:tok:{}:T", h(b"{\"b\":1,\"a\":2}")))
                .contains("query string")
        );
        assert!(case(format!(
            "POST:/v1.0/x?q=1:tok:{}:T",
            h(b"{\"a\":2,\"b\":1}")
        ))
        .contains("reordered"));
        assert!(case("nonsense".into()).contains("check the secret"));
    }
}
