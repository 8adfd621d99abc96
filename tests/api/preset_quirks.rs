//! Provider quirks as preset data: a base path the signed path leaves out
//! (NICEPAY's `/nicepay`, Paylabs' `/api/v1.0`), the body hashed as sent
//! (NICEPAY), `CHANNEL-ID` optional (Paylabs); `--body-hash any` accepting
//! either form and saying which. Signatures computed here from the
//! standard, not with the server's code.

use crate::helpers::*;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};
use snap_mock::{BodyHash, BodyHashRule, MockServer, Provider};

const CREATE_VA: &str = "/api/v1.0/transfer-va/create-va";
/// As Python's `json.dumps` writes it: spaces after `:` and `,`.
const BODY: &str = r#"{"partnerServiceId": "", "virtualAccountName": "TESTING DEV", "trxId": "NICEPAY123", "totalAmount": {"value": "10000.00", "currency": "IDR"}}"#;

fn preset(name: &str, change: impl FnOnce(&mut snap_mock::Config)) -> MockServer {
    let provider: &'static Provider = name.parse().unwrap();
    start_with(|c| {
        *c = c.clone().with_provider(provider);
        change(c);
    })
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn hmac_b64(secret: &str, data: &str) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whitespace outside strings removed (the bodies here have no escapes).
fn minified(body: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    for c in body.chars() {
        if c == '"' {
            in_string = !in_string;
        }
        if in_string || !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

/// BODY with its own `trxId` (a create-VA's reference is unique per client).
fn nicepay_body(id: &str) -> String {
    BODY.replace("NICEPAY123", id)
}

/// A NICEPAY create-VA of [`nicepay_body`]`(id)`: the token from
/// `/nicepay/...`, the HMAC over `signed_path` with the body's bytes as
/// sent, or `minified`.
fn nicepay_call(server: &MockServer, signed_path: &str, minify: bool, id: &str) -> Answer {
    let body = nicepay_body(id);
    let hashed = if minify {
        minified(&body)
    } else {
        body.clone()
    };
    let token = request_token(&format!("{}/nicepay/v1.0/access-token/b2b", server.uri()));
    assert_eq!(token.status, 200, "{}", token.text);
    let token = token.json()["accessToken"].as_str().unwrap().to_owned();
    let ts = now_timestamp();
    let sts = format!(
        "POST:{signed_path}:{token}:{}:{ts}",
        hex_sha256(hashed.as_bytes())
    );
    let headers: Vec<(String, String)> = vec![
        ("Authorization".into(), format!("Bearer {token}")),
        ("X-TIMESTAMP".into(), ts),
        ("X-SIGNATURE".into(), hmac_b64("demo-client-secret", &sts)),
        ("X-PARTNER-ID".into(), DEMO_CLIENT.into()),
        ("X-EXTERNAL-ID".into(), id.into()),
        ("CHANNEL-ID".into(), "demo-client01".into()),
        ("Content-Type".into(), "Application/JSON".into()),
    ];
    post_with(
        &format!("{}/nicepay{CREATE_VA}", server.uri()),
        &headers,
        &body,
    )
}

fn last_reason(server: &MockServer) -> String {
    server.requests().unwrap()[0]
        .reason
        .clone()
        .unwrap_or_default()
}

#[test]
fn nicepay_serves_under_its_base_path_and_hashes_the_body_as_sent() {
    let server = preset("nicepay", |_| {});
    // Only under /nicepay.
    assert_eq!(
        request_token(&format!("{}/v1.0/access-token/b2b", server.uri())).status,
        404
    );
    let created = nicepay_call(&server, CREATE_VA, false, "np-1");
    created.expect(200, "2002700", "Successful");
    // NICEPAY assigns the number the request left empty, and names its
    // transaction by tXidVA.
    let data = &created.json()["virtualAccountData"];
    let number = data["virtualAccountNo"].as_str().unwrap();
    assert!(
        number.len() == 16 && number.bytes().all(|b| b.is_ascii_digit()),
        "{data}"
    );
    assert_eq!(data["additionalInfo"]["tXidVA"], data["referenceNo"]);

    // The standard's minified hash is the mistake here, and named.
    nicepay_call(&server, CREATE_VA, true, "np-2").expect(
        401,
        "4012700",
        "Unauthorized. [Signature]",
    );
    let why = last_reason(&server);
    assert!(
        why.contains("minified before hashing") && why.contains("as-sent"),
        "{why}"
    );

    // One prefix too many: the mount signed along.
    nicepay_call(&server, &format!("/nicepay{CREATE_VA}"), false, "np-3").expect(
        401,
        "4012700",
        "Unauthorized. [Signature]",
    );
    let why = last_reason(&server);
    assert!(
        why.contains("starts with /nicepay") && why.contains("--base-path"),
        "{why}"
    );
}

#[test]
fn body_hash_any_accepts_either_form_and_the_journal_says_which() {
    let server = preset("nicepay", |c| c.body_hash = BodyHashRule::Any);
    nicepay_call(&server, CREATE_VA, false, "any-1").expect(200, "2002700", "Successful");
    assert!(!last_reason(&server).contains("body-hash"));
    nicepay_call(&server, CREATE_VA, true, "any-2").expect(200, "2002700", "Successful");
    let entry = &server.requests().unwrap()[0];
    let why = entry.reason.clone().unwrap_or_default();
    assert!(
        why.contains("--body-hash any") && why.contains("minified"),
        "{why}"
    );
    let signed = entry.string_to_sign.clone().unwrap_or_default();
    assert!(
        signed.contains(&hex_sha256(minified(&nicepay_body("any-2")).as_bytes())),
        "the journal keeps the string that verified: {signed}"
    );

    // And the strict rule of another preset refuses the other form.
    let strict = preset("nicepay", |c| {
        c.body_hash = BodyHashRule::Only(BodyHash::Minified)
    });
    nicepay_call(&strict, CREATE_VA, false, "strict-1").expect(
        401,
        "4012700",
        "Unauthorized. [Signature]",
    );
    assert!(last_reason(&strict).contains("hashed as sent, not minified"));
}

/// A standard create-VA body, as paylabs-sdk's `create_va` builds it.
const PAYLABS_BODY: &str = r#"{"partnerServiceId": "  010001", "customerNo": "00000000000000000001", "virtualAccountName": "Snap Mock Customer", "trxId": "PL-1", "totalAmount": {"value": "10000.00", "currency": "IDR"}, "virtualAccountNo": "  01000100000000000000000001", "additionalInfo": {"paymentType": "BCAVA"}}"#;

/// A Paylabs create-VA signed with openssl over `signed_path`.
fn paylabs_call(server: &MockServer, signed_path: &str, channel_id: bool, id: &str) -> Answer {
    paylabs_post(
        server,
        "/transfer-va/create-va",
        signed_path,
        PAYLABS_BODY,
        channel_id,
        id,
    )
}

/// A Paylabs call to `/api/v1.0{path}`, signed over `signed_path`.
fn paylabs_post(
    server: &MockServer,
    path: &str,
    signed_path: &str,
    body: &str,
    channel_id: bool,
    id: &str,
) -> Answer {
    let ts = now_timestamp();
    let sts = format!(
        "POST:{signed_path}:{}:{ts}",
        hex_sha256(minified(body).as_bytes())
    );
    let signature = snap_mock::ClientKeyPair::from_pem(DEMO_PRIVATE_KEY)
        .unwrap()
        .sign(&sts)
        .unwrap();
    let mut headers: Vec<(String, String)> = vec![
        ("X-TIMESTAMP".into(), ts),
        ("X-SIGNATURE".into(), signature),
        ("X-PARTNER-ID".into(), DEMO_CLIENT.into()),
        ("X-EXTERNAL-ID".into(), id.into()),
        (
            "Content-Type".into(),
            "application/json;charset=utf-8".into(),
        ),
    ];
    if channel_id {
        headers.push(("CHANNEL-ID".into(), "95221".into()));
    }
    post_with(&format!("{}/api/v1.0{path}", server.uri()), &headers, body)
}

#[test]
fn paylabs_signs_below_its_base_path_without_a_token_or_channel_id() {
    let server = preset("paylabs", |_| {});
    paylabs_call(&server, "/transfer-va/create-va", false, "pl-1").expect(
        200,
        "2002700",
        "Successful",
    );
    paylabs_call(&server, "/api/v1.0/transfer-va/create-va", false, "pl-2").expect(
        401,
        "4012700",
        "Unauthorized. [Signature]",
    );
    assert!(last_reason(&server).contains("starts with /api/v1.0"));
    // The VA is the server's (a stateful create, not a canned answer): its
    // status at the path Paylabs' SDK calls.
    let status = paylabs_post(
        &server,
        "/transfer-va/status",
        "/transfer-va/status",
        r#"{"partnerServiceId":"  010001","customerNo":"00000000000000000001","virtualAccountNo":"  01000100000000000000000001"}"#,
        false,
        "pl-4",
    );
    status.expect(200, "2002600", "Successful");
    assert_eq!(
        status.json()["virtualAccountData"]["virtualAccountNo"],
        "  01000100000000000000000001"
    );

    // CHANNEL-ID is optional by the preset's data only: DANA, also
    // asymmetric without a token, still requires it (400xx02 before the
    // signature is looked at).
    let dana = preset("dana", |_| {});
    let headers: Vec<(String, String)> = vec![
        ("X-TIMESTAMP".into(), now_timestamp()),
        ("X-SIGNATURE".into(), "c2ln".into()),
        ("X-PARTNER-ID".into(), DEMO_CLIENT.into()),
        ("X-EXTERNAL-ID".into(), "pl-3".into()),
        ("Content-Type".into(), "application/json".into()),
    ];
    let answer = post_with(
        &format!("{}/payment-gateway/v1.0/debit/status.htm", dana.uri()),
        &headers,
        "{}",
    );
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (400, "4005502"),
        "{}",
        answer.text
    );
    assert!(answer.message().contains("CHANNEL-ID"), "{}", answer.text);
}
