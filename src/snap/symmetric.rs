//! The symmetric signature of transactional SNAP calls:
//!
//! ```text
//! stringToSign = METHOD ":" relativeUrlWithQuery ":" accessToken ":"
//!                lowercase(hex(sha256(minified body))) ":" X-TIMESTAMP
//! X-SIGNATURE  = base64(HMAC-SHA512(clientSecret, stringToSign))
//! ```

use super::body_hash::SigningRules;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// The body a client signed: the bytes as received with the JSON
/// whitespace outside strings (space, tab, CR, LF) removed, and nothing
/// else changed. A string's escapes (`\u00e9`, `\/`), a number's spelling
/// (`1.10`, `1E2`, `-0`, 23 digits) and key order stay exactly as sent, so
/// a client that minifies the bytes it sends, in any language, signs the
/// same bytes the server hashes. A body that is not JSON is hashed as sent.
pub fn minify_body(body: &[u8]) -> Vec<u8> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Vec::new();
    }
    if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err() {
        return body.to_vec();
    }
    strip_json_whitespace(body)
}

/// Whitespace outside strings removed, byte for byte. The input is valid
/// JSON, so a quote outside a string opens one and an unescaped quote
/// inside closes it.
fn strip_json_whitespace(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            out.push(b);
        }
    }
    out
}

/// `url` with its leading path segments dropped one at a time, each with
/// the prefix it dropped: what a client signs when the provider (or the
/// client) strips a mount prefix such as `/api/v1.0` or `/nicepay` before
/// signing. The query stays.
pub fn shorter_paths(url: &str) -> Vec<(String, String)> {
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (url, String::new()),
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    (1..segments.len())
        .map(|k| {
            (
                format!("/{}{query}", segments[k..].join("/")),
                format!("/{}", segments[..k].join("/")),
            )
        })
        .collect()
}

/// The body with every whitespace byte removed, inside strings too: what a
/// naive minifier (a regex over the whole text) hashes.
pub fn all_whitespace_removed(body: &[u8]) -> Vec<u8> {
    body.iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .collect()
}

/// The body as serde_json writes it back after parsing (escapes and
/// numbers normalised): not what SNAP hashes, but what a client that
/// re-serialises before hashing signs, for the diagnosis.
#[cfg(test)]
pub fn reserialised_body(body: &[u8]) -> Option<Vec<u8>> {
    let value = serde_json::from_slice::<serde_json::Value>(body).ok()?;
    serde_json::to_vec(&value).ok()
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

/// What a client that failed the symmetric signature most likely did,
/// under the standard's rules.
#[cfg(test)]
pub fn diagnose_symmetric(
    secret: &[u8],
    method: &str,
    relative_url: &str,
    access_token: &str,
    body: &[u8],
    timestamp: &str,
    signature: &[u8],
) -> String {
    diagnose_symmetric_with(
        SigningRules::default(),
        secret,
        method,
        relative_url,
        access_token,
        body,
        timestamp,
        signature,
    )
}

/// [`diagnose_symmetric`] under a provider's rules (body form, mount).
#[allow(clippy::too_many_arguments)] // the parts of the string, as the check has them
pub fn diagnose_symmetric_with(
    rules: SigningRules<'_>,
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
        &rules.body_hash.bytes(body),
        timestamp,
    );
    // Hex digits are base64 characters too, and 128 of them decode: an
    // HMAC-SHA512 in hex is told apart by its length (base64: 88).
    if signature.len() == 128 && signature.iter().all(u8::is_ascii_hexdigit) {
        return format!(
            "X-SIGNATURE is hex; SNAP wants base64 of the HMAC-SHA512; string-to-sign {expected:?}"
        );
    }
    if STANDARD.decode(signature).is_err() {
        return format!("X-SIGNATURE is not standard base64; string-to-sign {expected:?}");
    }
    let candidates = symmetric_mistakes(rules, method, relative_url, access_token, body, timestamp);
    for (candidate, why) in &candidates {
        if verify_symmetric(secret, candidate, signature) {
            return format!("{why}; the server's string-to-sign is {expected:?}");
        }
    }
    format!("does not verify with the client secret over {expected:?}; check the secret, the relative URL (path and query as sent) and the timestamp")
}

/// The strings a client that made a common mistake signed, each with the
/// mistake in words.
fn symmetric_mistakes(
    rules: SigningRules<'_>,
    method: &str,
    relative_url: &str,
    access_token: &str,
    body: &[u8],
    timestamp: &str,
) -> Vec<(String, String)> {
    let minified = minify_body(body);
    // The expected form's hash; the other form is the first mistake tried.
    let minified_hash = rules.body_hash.hash(body);
    let other = rules.body_hash.other();
    let upper = method.to_ascii_uppercase();
    let with_hash =
        |hash: &str| format!("{upper}:{relative_url}:{access_token}:{hash}:{timestamp}");
    let path_only = relative_url.split('?').next().unwrap_or(relative_url);
    let mut candidates: Vec<(String, String)> = vec![
        (with_hash(&other.hash(body)), other.mistake().into()),
        (
            with_hash(&minified_hash.to_uppercase()),
            "the body hash is upper-case hex; SNAP uses lower-case".into(),
        ),
        (
            format!("{upper}:{path_only}:{access_token}:{minified_hash}:{timestamp}"),
            "the query string was left out of the URL".into(),
        ),
        (
            format!("{upper}:{relative_url}:Bearer {access_token}:{minified_hash}:{timestamp}"),
            "the token was signed with its \"Bearer \" prefix".into(),
        ),
        (
            format!(
                "{}:{relative_url}:{access_token}:{minified_hash}:{timestamp}",
                method.to_ascii_lowercase()
            ),
            "the HTTP method is lower case".into(),
        ),
    ];
    if !rules.mount.is_empty() {
        candidates.push((
            format!(
                "{upper}:{}{relative_url}:{access_token}:{minified_hash}:{timestamp}",
                rules.mount
            ),
            mounted_path_signed(rules.mount),
        ));
    }
    for (shorter, dropped) in shorter_paths(relative_url) {
        candidates.push((
            format!("{upper}:{shorter}:{access_token}:{minified_hash}:{timestamp}"),
            format!("the signed path leaves out {dropped}, the start of the path the request was sent to; sign the path exactly as sent"),
        ));
    }
    for (hash, why) in body_hash_mistakes(body, &minified) {
        candidates.push((with_hash(&hash), why.into()));
    }
    candidates
}

/// Bodies larger than this are not parsed by the diagnosis: parsing costs
/// grow with the body's shape (a 60 KB array of zeros is 30,000 values),
/// and an anonymous client must not pick the server's slow path.
pub(crate) const DIAGNOSIS_PARSE_BUDGET: usize = 16 * 1024;

/// The body hashes of the common ways to get the body wrong before hashing
/// it (other than the other form), each with what it is. The body is
/// parsed once, and only within [`DIAGNOSIS_PARSE_BUDGET`].
pub(crate) fn body_hash_mistakes(body: &[u8], minified: &[u8]) -> Vec<(String, &'static str)> {
    let hash = |bytes: &[u8]| lower_hex(&Sha256::digest(bytes));
    let mut out = Vec::new();
    let stripped = all_whitespace_removed(body);
    if stripped != minified {
        out.push((hash(&stripped), "whitespace inside the body's strings was removed too before hashing; remove only the whitespace outside strings"));
    }
    if body.len() > DIAGNOSIS_PARSE_BUDGET {
        return out;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return out;
    };
    if let Some(bytes) = serde_json::to_vec(&value).ok().filter(|b| b != minified) {
        out.push((hash(&bytes), "the body was parsed and written back before hashing (escapes or numbers changed); hash the bytes you send, with only the whitespace outside strings removed"));
    }
    if let Ok(bytes) = serde_json::to_vec(&sort_keys(value)) {
        out.push((hash(&bytes), "the body's keys were reordered (sorted) before hashing; hash the body exactly as sent, minified"));
    }
    out
}

/// The words for a signed path that kept the base path the provider
/// leaves out ("one prefix too many").
pub(crate) fn mounted_path_signed(mount: &str) -> String {
    format!("the signed path starts with {mount}, where this provider mounts its API; it leaves that prefix out of the signed path (--base-path {mount}): sign the path from after it")
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
    fn minifying_changes_nothing_inside_strings_or_numbers() {
        // Python's json.dumps (\u00e9), PHP's json_encode (\/), and number
        // spellings serde_json would rewrite.
        let sent = br#"{ "name": "Jos\u00e9 \/ A\"B\\", "gap": "a  b c",
            "n": [1.10, 1E2, -0, 12345678901234567890123, 1.2345678901234567e-300] }"#;
        let expected = br#"{"name":"Jos\u00e9 \/ A\"B\\","gap":"a  b c","n":[1.10,1E2,-0,12345678901234567890123,1.2345678901234567e-300]}"#;
        assert_eq!(
            String::from_utf8_lossy(&minify_body(sent)),
            String::from_utf8_lossy(expected)
        );
        // serde_json would have written these differently: that is the
        // form a client that re-serialises signs, not the canonical one.
        assert_ne!(reserialised_body(sent).unwrap(), expected.to_vec());
    }

    #[test]
    fn a_body_that_is_not_json_is_hashed_as_sent() {
        assert_eq!(minify_body(b"a = 1 & b = 2"), b"a = 1 & b = 2".to_vec());
        assert_eq!(minify_body(b"{\"a\": 1"), b"{\"a\": 1".to_vec());
        assert_eq!(minify_body(b" \n "), Vec::<u8>::new());
    }

    #[test]
    fn a_signed_path_with_the_mount_prefix_is_named_under_a_base_path() {
        let rules = SigningRules {
            mount: "/nicepay",
            ..SigningRules::default()
        };
        let body = br#"{"a": 1}"#;
        let hash = lower_hex(&Sha256::digest(minify_body(body)));
        let signed = format!("POST:/nicepay/api/v1.0/x:tok:{hash}:T");
        let sig = hmac_sha512_base64(b"s", &signed);
        let why = diagnose_symmetric_with(
            rules,
            b"s",
            "POST",
            "/api/v1.0/x",
            "tok",
            body,
            "T",
            sig.as_bytes(),
        );
        assert!(
            why.contains("starts with /nicepay") && why.contains("--base-path /nicepay"),
            "{why}"
        );
        // Without a base path there is no such candidate.
        let why = diagnose_symmetric(
            b"s",
            "POST",
            "/api/v1.0/x",
            "tok",
            body,
            "T",
            sig.as_bytes(),
        );
        assert!(!why.contains("starts with /nicepay"), "{why}");
    }

    #[test]
    fn a_body_past_the_parse_budget_is_not_parsed_by_the_diagnosis() {
        let small = br#"{ "b": 1, "a": [0, 0] }"#;
        let minified = minify_body(small);
        let whys: Vec<&str> = body_hash_mistakes(small, &minified)
            .into_iter()
            .map(|(_, why)| why)
            .collect();
        assert!(whys.iter().any(|w| w.contains("reordered")), "{whys:?}");
        // The same shape past the budget: 30,000 values, never parsed.
        let zeros = vec!["0"; DIAGNOSIS_PARSE_BUDGET];
        let big = format!("{{ \"b\": 1, \"a\": [{}] }}", zeros.join(", "));
        assert!(big.len() > DIAGNOSIS_PARSE_BUDGET);
        let whys: Vec<&str> = body_hash_mistakes(big.as_bytes(), &minify_body(big.as_bytes()))
            .into_iter()
            .map(|(_, why)| why)
            .collect();
        assert!(
            whys.iter()
                .all(|w| !w.contains("reordered") && !w.contains("written back")),
            "{whys:?}"
        );
    }

    #[test]
    fn the_other_body_form_is_named_in_either_direction() {
        let body = b"{ \"a\": 1 }";
        let as_sent = lower_hex(&Sha256::digest(body));
        let minified = lower_hex(&Sha256::digest(minify_body(body)));
        let standard = SigningRules::default();
        let nicepay = SigningRules {
            body_hash: crate::snap::BodyHash::AsSent,
            mount: "",
        };
        let sig = hmac_sha512_base64(b"s", &format!("POST:/x:tok:{as_sent}:T"));
        let why = diagnose_symmetric_with(
            standard,
            b"s",
            "POST",
            "/x",
            "tok",
            body,
            "T",
            sig.as_bytes(),
        );
        assert!(why.contains("hashed as sent, not minified"), "{why}");
        let sig = hmac_sha512_base64(b"s", &format!("POST:/x:tok:{minified}:T"));
        let why = diagnose_symmetric_with(
            nicepay,
            b"s",
            "POST",
            "/x",
            "tok",
            body,
            "T",
            sig.as_bytes(),
        );
        assert!(
            why.contains("minified before hashing") && why.contains("as-sent"),
            "{why}"
        );
        assert!(
            why.contains(&as_sent),
            "the expected string hashes the body as sent: {why}"
        );
    }

    #[test]
    fn a_signed_path_without_the_mount_prefix_is_named() {
        assert_eq!(
            shorter_paths("/api/v1.0/transfer-va/create-va?x=1"),
            [
                (
                    "/v1.0/transfer-va/create-va?x=1".to_owned(),
                    "/api".to_owned()
                ),
                (
                    "/transfer-va/create-va?x=1".to_owned(),
                    "/api/v1.0".to_owned()
                ),
                (
                    "/create-va?x=1".to_owned(),
                    "/api/v1.0/transfer-va".to_owned()
                ),
            ]
        );
        let body = br#"{"a": "b c"}"#;
        let sts = format!(
            "POST:/transfer-va/create-va:tok:{}:T",
            lower_hex(&Sha256::digest(minify_body(body)))
        );
        let sig = hmac_sha512_base64(b"s", &sts);
        let why = diagnose_symmetric(
            b"s",
            "POST",
            "/api/v1.0/transfer-va/create-va",
            "tok",
            body,
            "T",
            sig.as_bytes(),
        );
        assert!(why.contains("leaves out /api/v1.0"), "{why}");
    }

    #[test]
    fn whitespace_removed_inside_strings_is_named() {
        let body = br#"{"name": "Jane Doe", "city": "South Jakarta"}"#;
        let sts = format!(
            "POST:/v1.0/x:tok:{}:T",
            lower_hex(&Sha256::digest(
                br#"{"name":"JaneDoe","city":"SouthJakarta"}"#
            ))
        );
        let sig = hmac_sha512_base64(b"s", &sts);
        let why = diagnose_symmetric(b"s", "POST", "/v1.0/x", "tok", body, "T", sig.as_bytes());
        assert!(why.contains("inside the body's strings"), "{why}");
    }

    #[test]
    fn a_reserialised_body_hash_is_named_by_the_diagnosis() {
        let body = br#"{"city": "Jakarta \/ Selatan", "amount": 10000.00}"#;
        let rewritten = reserialised_body(body).unwrap();
        let sts = format!(
            "POST:/v1.0/x:tok:{}:T",
            lower_hex(&Sha256::digest(&rewritten))
        );
        let sig = hmac_sha512_base64(b"s", &sts);
        let why = diagnose_symmetric(b"s", "POST", "/v1.0/x", "tok", body, "T", sig.as_bytes());
        assert!(why.contains("parsed and written back"), "{why}");
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

    mod property {
        use super::super::*;
        use proptest::prelude::*;

        /// One JSON value written two ways: compact, and with arbitrary
        /// whitespace between tokens, in the encodings real clients use.
        #[derive(Debug, Clone)]
        struct Written {
            compact: String,
            spaced: String,
        }

        fn ws() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![Just(' '), Just('\t'), Just('\n'), Just('\r')],
                0..3,
            )
            .prop_map(|v| v.into_iter().collect())
        }

        fn scalar() -> impl Strategy<Value = String> {
            prop_oneof![
                // Strings: plain, with spaces inside, \u escapes, \/ escapes.
                "[a-z é]{0,8}".prop_map(|s| format!("\"{s}\"")),
                "[a-z]{0,4}".prop_map(|s| format!("\"{s}\\u00e9 \\/ \\\"x\\\\\"")),
                // Numbers as written, never normalised.
                prop_oneof![
                    Just("1.10".to_owned()),
                    Just("1E2".to_owned()),
                    Just("-0".to_owned()),
                    Just("12345678901234567890123".to_owned()),
                    Just("1.2345678901234567e-300".to_owned()),
                    any::<i64>().prop_map(|n| n.to_string()),
                ],
                Just("true".to_owned()),
                Just("null".to_owned()),
            ]
        }

        fn written() -> impl Strategy<Value = Written> {
            let leaf = (scalar(), ws(), ws()).prop_map(|(v, a, b)| Written {
                compact: v.clone(),
                spaced: format!("{a}{v}{b}"),
            });
            leaf.prop_recursive(3, 24, 4, |inner| {
                prop_oneof![
                    (proptest::collection::vec((inner.clone(), ws()), 0..4), ws()).prop_map(
                        |(items, end)| {
                            let compact = items
                                .iter()
                                .map(|(w, _)| w.compact.clone())
                                .collect::<Vec<_>>()
                                .join(",");
                            let spaced = items
                                .iter()
                                .map(|(w, s)| format!("{}{s}", w.spaced))
                                .collect::<Vec<_>>()
                                .join(",");
                            Written {
                                compact: format!("[{compact}]"),
                                spaced: format!("[{spaced}{end}]"),
                            }
                        }
                    ),
                    (
                        proptest::collection::vec(("[a-z]{1,3}", ws(), inner), 0..4),
                        ws()
                    )
                        .prop_map(|(members, end)| {
                            let mut seen = std::collections::HashSet::new();
                            let members: Vec<_> = members
                                .into_iter()
                                .filter(|(k, _, _)| seen.insert(k.clone()))
                                .collect();
                            let compact = members
                                .iter()
                                .map(|(k, _, w)| format!("\"{k}\":{}", w.compact))
                                .collect::<Vec<_>>()
                                .join(",");
                            let spaced = members
                                .iter()
                                .map(|(k, s, w)| format!("\"{k}\"{s}:{}", w.spaced))
                                .collect::<Vec<_>>()
                                .join(",");
                            Written {
                                compact: format!("{{{compact}}}"),
                                spaced: format!("{{{spaced}{end}}}"),
                            }
                        }),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

            #[test]
            fn a_client_that_signs_its_own_minified_bytes_verifies(w in written(), pad in ws()) {
                let sent = format!("{pad}{}{pad}", w.spaced);
                prop_assume!(serde_json::from_str::<serde::de::IgnoredAny>(&sent).is_ok());
                // The server's canonical form is the client's compact bytes.
                let minified = String::from_utf8_lossy(&minify_body(sent.as_bytes())).into_owned();
                prop_assert_eq!(minified, w.compact.clone());
                // Symmetric: HMAC over the client's own bytes verifies.
                let client_sts = string_to_sign("POST", "/v1.0/x", "tok", w.compact.as_bytes(), "T");
                let signature = hmac_sha512_base64(b"secret", &client_sts);
                let server_sts = string_to_sign("POST", "/v1.0/x", "tok", &minify_body(sent.as_bytes()), "T");
                prop_assert!(verify_symmetric(b"secret", &server_sts, signature.as_bytes()));
            }
        }
    }

    #[test]
    fn a_hex_hmac_is_named_and_other_text_is_not_base64() {
        let sts = string_to_sign("POST", "/x", "tok", b"", "T");
        let mut mac = Hmac::<Sha512>::new_from_slice(b"s").unwrap();
        mac.update(sts.as_bytes());
        let hex = lower_hex(&mac.finalize().into_bytes());
        assert_eq!(hex.len(), 128);
        let why = diagnose_symmetric(b"s", "POST", "/x", "tok", b"", "T", hex.as_bytes());
        assert!(why.contains("is hex"), "{why}");
        // 128 characters that are not all hex, and hex of another length.
        let not_hex = format!("{}!", &hex[..127]);
        let why = diagnose_symmetric(b"s", "POST", "/x", "tok", b"", "T", not_hex.as_bytes());
        assert!(
            why.contains("not standard base64") && !why.contains("is hex"),
            "{why}"
        );
        let short = &hex[..126];
        let why = diagnose_symmetric(b"s", "POST", "/x", "tok", b"", "T", short.as_bytes());
        assert!(!why.contains("is hex"), "{why}");
    }
}
