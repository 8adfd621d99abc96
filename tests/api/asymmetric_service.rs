//! Service calls signed asymmetrically, without a token (the standard's
//! second mode; DANA signs every call so): each check and each signing
//! mistake, with signatures made by `openssl` in the test.

use crate::helpers::*;
use sha2::{Digest, Sha256};
use snap_mock::Provider;
use std::io::Write;
use std::process::{Command, Stdio};

const STATUS: &str = "/payment-gateway/v1.0/debit/status.htm";
/// Pretty-printed on purpose: the server hashes it minified.
const BODY: &str = "{\n  \"originalPartnerReferenceNo\": \"2020102900000000000001\",\n  \"serviceCode\": \"54\",\n  \"merchantId\": \"216620010016033632482\"\n}";

fn dana() -> snap_mock::MockServer {
    let dana: &'static Provider = "dana".parse().unwrap();
    start_with(|c| *c = c.clone().with_provider(dana))
}

/// `base64(SHA256withRSA(key, data))`, computed by openssl.
fn openssl_sign(private_key_file: &str, data: &str) -> String {
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign", private_key_file])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("openssl runs (apt-get install openssl)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(data.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(out.stdout)
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn minified(body: &str) -> String {
    serde_json::to_string(&serde_json::from_str::<serde_json::Value>(body).unwrap()).unwrap()
}

/// The string the standard says to sign, computed here independently.
fn string_to_sign(method: &str, url: &str, body: &str, ts: &str) -> String {
    format!(
        "{method}:{url}:{}:{ts}",
        hex_sha256(minified(body).as_bytes())
    )
}

/// The headers of a call whose signature is `signature`.
fn headers(signature: &str, ts: &str, external_id: &str) -> Vec<(String, String)> {
    vec![
        ("X-TIMESTAMP".into(), ts.into()),
        ("X-SIGNATURE".into(), signature.into()),
        ("X-PARTNER-ID".into(), DEMO_CLIENT.into()),
        ("X-EXTERNAL-ID".into(), external_id.into()),
        ("CHANNEL-ID".into(), "95221".into()),
        ("ORIGIN".into(), "http://localhost".into()),
        ("Content-Type".into(), "application/json".into()),
    ]
}

fn signed_call(url_path: &str, external_id: &str) -> Vec<(String, String)> {
    let ts = now_timestamp();
    let sts = string_to_sign("POST", url_path, BODY, &ts);
    headers(
        &openssl_sign("keys/demo-client.private.pem", &sts),
        &ts,
        external_id,
    )
}

#[test]
fn a_call_signed_by_openssl_is_answered_and_its_external_id_is_used_once() {
    let server = dana();
    let url = format!("{}{STATUS}", server.uri());
    let answer = post_with(&url, &signed_call(STATUS, "sdk-0001"), BODY);
    answer.expect(200, "2005500", "Successful");
    assert_eq!(answer.json()["latestTransactionStatus"], "00");
    let entry = &server.requests().unwrap()[0];
    assert_eq!(entry.client_key.as_deref(), Some(DEMO_CLIENT));
    assert!(entry
        .string_to_sign
        .as_deref()
        .unwrap()
        .starts_with(&format!("POST:{STATUS}:")));

    post_with(&url, &signed_call(STATUS, "sdk-0001"), BODY).expect(409, "4095500", "Conflict");
    post_with(&url, &signed_call(STATUS, "sdk-0002"), BODY).expect(200, "2005500", "Successful");
}

#[test]
fn each_missing_header_and_each_malformed_one_is_named() {
    let server = dana();
    let url = format!("{}{STATUS}", server.uri());
    for (i, name) in [
        "X-TIMESTAMP",
        "X-SIGNATURE",
        "X-PARTNER-ID",
        "X-EXTERNAL-ID",
        "CHANNEL-ID",
    ]
    .iter()
    .enumerate()
    {
        let h = with_header(signed_call(STATUS, &format!("m-{i}")), name, None);
        post_with(&url, &h, BODY).expect(
            400,
            "4005502",
            &format!("Invalid Mandatory Field {name}"),
        );
    }
    let h = with_header(signed_call(STATUS, "m-9"), "X-TIMESTAMP", Some("yesterday"));
    post_with(&url, &h, BODY).expect(400, "4005501", "Invalid Field Format X-TIMESTAMP");
    let long = "x".repeat(37);
    post_with(&url, &signed_call(STATUS, &long), BODY).expect(
        400,
        "4005501",
        "Invalid Field Format X-EXTERNAL-ID",
    );
}

#[test]
fn the_partner_is_a_registered_client_by_key_or_by_partner_id() {
    let server = dana();
    let url = format!("{}{STATUS}", server.uri());
    let h = with_header(signed_call(STATUS, "p-1"), "X-PARTNER-ID", Some("nobody"));
    post_with(&url, &h, BODY).expect(401, "4015500", "Unauthorized. [Unknown client]");
    assert!(server.requests().unwrap()[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("\"nobody\""));

    // A partner id distinct from the client key, registered for the client.
    let clients = serde_json::json!({"clients": [{
        "clientKey": "dana-merchant", "partnerId": "2025011500000001",
        "publicKey": include_str!("../../keys/demo-client.public.pem")
    }]});
    let dana: &'static Provider = "dana".parse().unwrap();
    let server = start_with(|c| {
        *c = c.clone().with_provider(dana);
        c.clients = snap_mock::Source::Inline(clients.to_string());
    });
    let url = format!("{}{STATUS}", server.uri());
    let h = with_header(
        signed_call(STATUS, "p-2"),
        "X-PARTNER-ID",
        Some("2025011500000001"),
    );
    post_with(&url, &h, BODY).expect(200, "2005500", "Successful");
    assert_eq!(
        server.requests().unwrap()[0].client_key.as_deref(),
        Some("dana-merchant")
    );
}

/// Sends a call whose signature is made over `sts` with `key_file`, and
/// returns the journal's reason for refusing it.
fn refused(
    server: &snap_mock::MockServer,
    url_path: &str,
    sts: &str,
    key_file: &str,
    ts: &str,
    extra: Option<(&str, &str)>,
) -> String {
    let mut h = headers(&openssl_sign(key_file, sts), ts, "diag");
    if let Some((k, v)) = extra {
        h.push((k.into(), v.into()));
    }
    post_with(&format!("{}{url_path}", server.uri()), &h, BODY).expect(
        401,
        "4015500",
        "Unauthorized. [Signature]",
    );
    server.requests().unwrap()[0]
        .reason
        .clone()
        .unwrap_or_default()
}

#[test]
fn each_signing_mistake_is_diagnosed() {
    let server = dana();
    let ts = now_timestamp();
    let key = "keys/demo-client.private.pem";
    let hash = hex_sha256(minified(BODY).as_bytes());

    let raw = format!("POST:{STATUS}:{}:{ts}", hex_sha256(BODY.as_bytes()));
    let why = refused(&server, STATUS, &raw, key, &ts, None);
    assert!(why.contains("hashed as sent, not minified"), "{why}");

    let with_query = format!("{STATUS}?lang=id");
    let sts = format!("POST:{STATUS}:{hash}:{ts}");
    let why = refused(&server, &with_query, &sts, key, &ts, None);
    assert!(why.contains("query string was left out"), "{why}");

    let sts = format!("POST:{STATUS}:some-token:{hash}:{ts}");
    let why = refused(
        &server,
        STATUS,
        &sts,
        key,
        &ts,
        Some(("Authorization", "Bearer some-token")),
    );
    assert!(why.contains("access token was included"), "{why}");

    let sts = format!("post:{STATUS}:{hash}:{ts}");
    let why = refused(&server, STATUS, &sts, key, &ts, None);
    assert!(why.contains("method is lower case"), "{why}");

    let sts = format!("POST:{STATUS}:{}:{ts}", hash.to_uppercase());
    let why = refused(&server, STATUS, &sts, key, &ts, None);
    assert!(why.contains("upper-case hex"), "{why}");

    // The same instant in UTC with Z, while the header says +07:00.
    let utc = chrono::DateTime::parse_from_rfc3339(&ts)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let sts = format!("POST:{STATUS}:{hash}:{utc}");
    let why = refused(&server, STATUS, &sts, key, &ts, None);
    assert!(why.contains("same instant written differently"), "{why}");

    let sts = format!("POST:{STATUS}:{hash}:{ts}");
    let why = refused(
        &server,
        STATUS,
        &sts,
        "keys/other-client.private.pem",
        &ts,
        None,
    );
    assert!(
        why.contains("made with the private key of client \"demo-client-pkcs1\""),
        "{why}"
    );

    // The symmetric signature where the asymmetric one is wanted.
    let hmac = snap_mock::hmac_signature("demo-client-secret", &sts);
    let h = headers(&hmac, &ts, "diag");
    post_with(&format!("{}{STATUS}", server.uri()), &h, BODY).expect(
        401,
        "4015500",
        "Unauthorized. [Signature]",
    );
    let why = server.requests().unwrap()[0]
        .reason
        .clone()
        .unwrap_or_default();
    assert!(why.contains("HMAC-SHA512"), "{why}");
}

#[test]
fn a_stale_timestamp_is_refused_after_the_signature() {
    let server = dana();
    let old = chrono::Utc::now() - chrono::Duration::minutes(30);
    let ts = snap_mock::snap_timestamp(old);
    let sts = string_to_sign("POST", STATUS, BODY, &ts);
    let h = headers(
        &openssl_sign("keys/demo-client.private.pem", &sts),
        &ts,
        "stale",
    );
    post_with(&format!("{}{STATUS}", server.uri()), &h, BODY).expect(
        401,
        "4015500",
        "Unauthorized. [Timestamp]",
    );
}

#[test]
fn any_endpoint_can_be_asymmetric_under_any_provider() {
    let endpoints = serde_json::json!({"endpoints": [{
        "name": "status", "method": "POST", "path": "/v1.0/debit/status",
        "serviceCode": 55, "signature": "asymmetric"
    }]});
    let server =
        start_with(|c| c.endpoints = Some(snap_mock::Source::Inline(endpoints.to_string())));
    let path = "/v1.0/debit/status";
    let answer = post_with(
        &format!("{}{path}", server.uri()),
        &signed_call(path, "fin-1"),
        BODY,
    );
    answer.expect(200, "2005500", "Successful");
    // Finpay's wording on failure.
    let ts = now_timestamp();
    let h = headers(
        &openssl_sign(
            "keys/other-client.private.pem",
            &string_to_sign("POST", path, BODY, &ts),
        ),
        &ts,
        "fin-2",
    );
    post_with(&format!("{}{path}", server.uri()), &h, BODY).expect(
        401,
        "4015500",
        "Unauthorized. Invalid Signature",
    );
}

/// PHP's `json_encode` with `JSON_PRETTY_PRINT` (`\/`, 4 spaces), Python's
/// `json.dumps` (`\u00e9`), and numbers serde_json would write otherwise;
/// `COMPACT` is the same bytes with only the whitespace outside strings
/// removed, written here by hand.
const ENCODED: &str = "{\n    \"originalPartnerReferenceNo\": \"2020\\/10\\/29-01\",\n    \"merchantId\": \"Jos\\u00e9  Store\",\n    \"amount\": {\"value\": 1.10, \"big\": 12345678901234567890123, \"tiny\": 1E2, \"zero\": -0}\n}";
const COMPACT: &str = "{\"originalPartnerReferenceNo\":\"2020\\/10\\/29-01\",\"merchantId\":\"Jos\\u00e9  Store\",\"amount\":{\"value\":1.10,\"big\":12345678901234567890123,\"tiny\":1E2,\"zero\":-0}}";

#[test]
fn a_client_that_signs_the_bytes_it_sends_verifies_whatever_its_json_encoder() {
    let server = dana();
    let url = format!("{}{STATUS}", server.uri());
    let ts = now_timestamp();
    let sts = format!("POST:{STATUS}:{}:{ts}", hex_sha256(COMPACT.as_bytes()));
    let signature = openssl_sign("keys/demo-client.private.pem", &sts);
    post_with(&url, &headers(&signature, &ts, "enc-0001"), ENCODED).expect(
        200,
        "2005500",
        "Successful",
    );
    // Signing serde's rewriting of the body instead is the mistake, named.
    let rewritten = minified(ENCODED);
    assert_ne!(rewritten, COMPACT);
    let ts = now_timestamp();
    let sts = format!("POST:{STATUS}:{}:{ts}", hex_sha256(rewritten.as_bytes()));
    let signature = openssl_sign("keys/demo-client.private.pem", &sts);
    post_with(&url, &headers(&signature, &ts, "enc-0002"), ENCODED).expect(
        401,
        "4015500",
        "Unauthorized. [Signature]",
    );
    let why = server.requests().unwrap()[0]
        .reason
        .clone()
        .unwrap_or_default();
    assert!(why.contains("parsed and written back"), "{why}");
}
