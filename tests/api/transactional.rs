//! A client's whole SNAP handshake: B2B token, then signed transactional
//! calls to the endpoints of fixtures/endpoints.json, and each way of
//! getting it wrong.

use crate::helpers::*;
use snap_mock::{hmac_signature, service_string_to_sign};

/// The body as the standard minifies it before hashing.
fn minify_body(body: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(body).unwrap()).unwrap()
}

const QRIS: &str = "/v1.0/qr/qr-mpm-generate";
const INQUIRY: &str = "/v1.0/transfer-va/inquiry";
const INQUIRY_BODY: &str = r#"{"partnerServiceId":"   12345","customerNo":"123456789012345678"}"#;
const SECRET: &str = "demo-client-secret";
const QRIS_BODY: &str = r#"{ "partnerReferenceNo": "2020102900000000000001", "amount": { "value": "12345678.00", "currency": "IDR" }, "merchantId": "008830" }"#;

fn token(server: &snap_mock::MockServer) -> String {
    request_token(&server.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn request_token_as(server: &snap_mock::MockServer, client: &str, private_key: &str) -> String {
    let headers = signed_headers(private_key, client, &now_timestamp());
    let answer = post_with(&server.token_url(), &headers, BODY);
    answer.expect(200, "2007300", "Request has been processed successfully");
    answer.json()["accessToken"].as_str().unwrap().to_owned()
}

/// Headers of a correctly signed transactional call.
fn signed(token: &str, path: &str, body: &str, external_id: &str) -> Vec<(String, String)> {
    service_headers(token, SECRET, path, body, external_id)
}

#[test]
fn token_then_signed_call_gets_the_canned_body_and_a_reused_external_id_conflicts() {
    let server = start();
    let token = token(&server);
    let url = format!("{}{QRIS}", server.uri());
    let answer = post_with(
        &url,
        &signed(&token, QRIS, QRIS_BODY, "ext-0001"),
        QRIS_BODY,
    );
    answer.expect(200, "2004700", "Successful");
    assert_eq!(answer.json()["merchantName"], "SNAP MOCK");
    assert!(answer.json()["qrContent"]
        .as_str()
        .unwrap()
        .starts_with("000201"));

    post_with(
        &url,
        &signed(&token, QRIS, QRIS_BODY, "ext-0001"),
        QRIS_BODY,
    )
    .expect(409, "4094700", "Conflict");
    // A new X-EXTERNAL-ID passes that check; the same partnerReferenceNo is
    // then a duplicate transaction (QRIS generate has state).
    post_with(
        &url,
        &signed(&token, QRIS, QRIS_BODY, "ext-0002"),
        QRIS_BODY,
    )
    .expect(409, "4094701", "Duplicate partnerReferenceNo");
    let other = QRIS_BODY.replace("2020102900000000000001", "2020102900000000000002");
    post_with(&url, &signed(&token, QRIS, &other, "ext-0004"), &other).expect(
        200,
        "2004700",
        "Successful",
    );

    // The second fixture endpoint, with its own service code and a query.
    let va = "/v1.0/transfer-va/inquiry?channel=mobile";
    let body = r#"{"partnerServiceId":"   12345","customerNo":"123456789012345678"}"#;
    let answer = post_with(
        &format!("{}{va}", server.uri()),
        &signed(&token, va, body, "ext-0003"),
        body,
    );
    answer.expect(200, "2002400", "Successful");
    assert_eq!(
        answer.json()["virtualAccountData"]["virtualAccountName"],
        "Snap Mock Customer"
    );
}

#[test]
fn each_token_mistake_has_its_code() {
    let server = start_with(|c| c.token_lifetime = std::time::Duration::from_secs(60));
    let token = token(&server);
    let url = format!("{}{QRIS}", server.uri());
    let headers = signed(&token, QRIS, QRIS_BODY, "ext-1");
    post_with(
        &url,
        &with_header(headers.clone(), "Authorization", None),
        QRIS_BODY,
    )
    .expect(401, "4014703", "Token Not Found (B2B)");
    post_with(
        &url,
        &with_header(headers.clone(), "Authorization", Some(&token)),
        QRIS_BODY,
    )
    .expect(401, "4014701", "Invalid Token (B2B)");
    post_with(
        &url,
        &with_header(headers.clone(), "Authorization", Some("Bearer not.a.token")),
        QRIS_BODY,
    )
    .expect(401, "4014701", "Invalid Token (B2B)");
    post_with(&url, &headers, QRIS_BODY).expect(200, "2004700", "Successful");
    // The same call once the token has expired (no sleep: the server's clock moves).
    server.clock().advance(std::time::Duration::from_secs(61));
    let headers = signed(&token, QRIS, QRIS_BODY, "ext-2");
    post_with(&url, &headers, QRIS_BODY).expect(401, "4014701", "Invalid Token (B2B)");
}

#[test]
fn each_missing_header_is_named_with_the_service_code() {
    let server = start();
    let token = token(&server);
    let url = format!("{}{QRIS}", server.uri());
    for (i, header) in [
        "X-TIMESTAMP",
        "X-SIGNATURE",
        "X-PARTNER-ID",
        "X-EXTERNAL-ID",
        "CHANNEL-ID",
    ]
    .iter()
    .enumerate()
    {
        let headers = with_header(
            signed(&token, QRIS, QRIS_BODY, &format!("ext-{i}")),
            header,
            None,
        );
        post_with(&url, &headers, QRIS_BODY).expect(
            400,
            "4004702",
            &format!("Invalid Mandatory Field {header}"),
        );
    }
}

#[test]
fn signature_mistakes_are_unauthorized_and_diagnosed() {
    let server = start_with(|c| c.explain = true);
    let token = token(&server);
    let url = format!("{}{QRIS}", server.uri());
    let ts = now_timestamp();
    let sha = |b: &[u8]| {
        <sha2::Sha256 as sha2::Digest>::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    let cases = [
        (
            format!("POST:{QRIS}:{token}:{}:{ts}", sha(QRIS_BODY.as_bytes())),
            "not minified",
        ),
        (
            format!(
                "POST:{QRIS}:{token}:{}:{ts}",
                sha(&minify_body(QRIS_BODY.as_bytes())).to_uppercase()
            ),
            "upper-case",
        ),
        (
            format!(
                "POST:{QRIS}:Bearer {token}:{}:{ts}",
                sha(&minify_body(QRIS_BODY.as_bytes()))
            ),
            "Bearer",
        ),
        (
            format!("POST:{QRIS}:{token}:{}:{ts}", sha(b"{}")),
            "check the secret",
        ),
    ];
    for (i, (sts, expected)) in cases.iter().enumerate() {
        let mut headers = signed(&token, QRIS, QRIS_BODY, &format!("sig-{i}"));
        headers = with_header(headers, "X-TIMESTAMP", Some(&ts));
        headers = with_header(headers, "X-SIGNATURE", Some(&hmac_signature(SECRET, sts)));
        let answer = post_with(&url, &headers, QRIS_BODY);
        answer.expect(401, "4014700", "Unauthorized. Invalid Signature");
        let diagnosis = answer.json()["diagnosis"].as_str().unwrap().to_owned();
        assert!(diagnosis.contains(expected), "{expected}: {diagnosis}");
    }
    // A rejected call does not use up its X-EXTERNAL-ID.
    post_with(&url, &signed(&token, QRIS, QRIS_BODY, "sig-0"), QRIS_BODY).expect(
        200,
        "2004700",
        "Successful",
    );
}

#[test]
fn transactional_calls_are_journalled_and_scenarios_apply() {
    let server = start();
    let token = token(&server);
    let url = format!("{}{QRIS}", server.uri());
    post_with(&url, &signed(&token, QRIS, QRIS_BODY, "j-1"), QRIS_BODY);
    let entry = &admin(&server, "GET", "/requests?limit=1", None).json()["requests"][0];
    assert_eq!(entry["path"], QRIS);
    assert_eq!(entry["decidedBy"], "accepted");
    assert_eq!(entry["clientKey"], DEMO_CLIENT);
    // The token is redacted by default: a prefix and a fingerprint.
    let shown = entry["stringToSign"].as_str().unwrap();
    assert!(
        shown.starts_with(&format!("POST:{QRIS}:{}…[redacted sha256:", &token[..8])),
        "{shown}"
    );
    assert!(
        !entry.to_string().contains(&token),
        "the token leaked: {entry}"
    );

    admin(
        &server,
        "POST",
        "/scenarios",
        Some(
            r#"{"name":"qris-down","match":{"path":"/v1.0/qr/qr-mpm-generate"},"respond":{"responseCode":"5004700"}}"#,
        ),
    );
    post_with(&url, &signed(&token, QRIS, QRIS_BODY, "j-2"), QRIS_BODY).expect(
        500,
        "5004700",
        "General Error",
    );
}

#[test]
fn an_external_id_over_36_characters_is_refused_before_it_is_stored() {
    let server = start();
    let token = token(&server);
    let url = format!("{}{QRIS}", server.uri());
    let long = "x".repeat(37);
    post_with(&url, &signed(&token, QRIS, QRIS_BODY, &long), QRIS_BODY).expect(
        400,
        "4004701",
        "Invalid Field Format X-EXTERNAL-ID",
    );
    let longest = "y".repeat(36);
    post_with(&url, &signed(&token, QRIS, QRIS_BODY, &longest), QRIS_BODY).expect(
        200,
        "2004700",
        "Successful",
    );
    // An SDK's uuid + "-" + epoch milliseconds: 50 characters, accepted
    // where the limit is raised, and only up to it.
    let sdk_id = format!("{}-{}", "0".repeat(36), 1_795_986_754_000u64);
    assert_eq!(sdk_id.len(), 50);
    let raised = start_with(|c| c.external_id_max_chars = 50);
    let token = self::token(&raised);
    let url = format!("{}{QRIS}", raised.uri());
    post_with(&url, &signed(&token, QRIS, QRIS_BODY, &sdk_id), QRIS_BODY).expect(
        200,
        "2004700",
        "Successful",
    );
    let answer = post_with(
        &url,
        &signed(&token, QRIS, QRIS_BODY, &"z".repeat(51)),
        QRIS_BODY,
    );
    answer.expect(400, "4004701", "Invalid Field Format X-EXTERNAL-ID");
    let why = raised.requests().unwrap()[0]
        .reason
        .clone()
        .unwrap_or_default();
    assert!(
        why.contains("at most 50") && why.contains("--external-id-max-chars"),
        "{why}"
    );
}

#[test]
fn a_call_failed_by_an_after_scenario_does_not_use_up_its_external_id() {
    // A canned endpoint: on a stateful one the work is done before an
    // `after` scenario answers (a provider that fails after booking).
    let server = start();
    server
        .add_scenario_json(
            r#"{"name":"flaky-inquiry","match":{"path":"/v1.0/transfer-va/inquiry"},"when":"after","respond":{"responseCode":"5002400","responseMessage":"General Error"},"times":1}"#,
        )
        .unwrap();
    server
        .add_scenario_json(
            r#"{"name":"reset-inquiry","match":{"path":"/v1.0/transfer-va/inquiry"},"when":"after","fault":"connection_reset","times":1}"#,
        )
        .unwrap();
    let token = token(&server);
    let url = format!("{}{INQUIRY}", server.uri());
    // The fault first (added last, it comes first), then the 500, then the retry gets through.
    let headers = signed(&token, INQUIRY, INQUIRY_BODY, "retry-me");
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let request = {
        let mut r = format!("POST {INQUIRY} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        for (k, v) in &h {
            r.push_str(&format!("{k}: {v}\r\n"));
        }
        r.push_str(&format!(
            "Content-Length: {}\r\n\r\n{INQUIRY_BODY}",
            INQUIRY_BODY.len()
        ));
        r
    };
    let faulted = raw_exchange(server.address(), &request);
    assert!(
        faulted.as_ref().map_or(true, |b| b.is_empty()),
        "{faulted:?}"
    );
    post_with(&url, &headers, INQUIRY_BODY).expect(500, "5002400", "General Error");
    post_with(&url, &headers, INQUIRY_BODY).expect(200, "2002400", "Successful");
    post_with(&url, &headers, INQUIRY_BODY).expect(409, "4092400", "Conflict");
}

#[test]
fn tokens_are_kept_whole_in_the_journal_only_when_asked() {
    let server = start_with(|c| c.journal_secrets_verbatim = true);
    let token = token(&server);
    let url = format!("{}{QRIS}", server.uri());
    post_with(&url, &signed(&token, QRIS, QRIS_BODY, "v-1"), QRIS_BODY);
    let entry = &admin(&server, "GET", "/requests?limit=1", None).json()["requests"][0];
    assert!(entry["stringToSign"]
        .as_str()
        .unwrap()
        .starts_with(&format!("POST:{QRIS}:{token}:")));
}

#[test]
fn the_partner_id_must_be_the_token_client_and_an_id_cannot_be_reused_under_another() {
    let server = start();
    let url = format!("{}{QRIS}", server.uri());
    // Client B's token (demo-client-pkcs1), signed with B's own secret.
    let b_token = request_token_as(&server, PKCS1_CLIENT, PKCS1_PRIVATE_KEY);
    let signed_by_b = |partner: &str, ext: &str| {
        let ts = now_timestamp();
        let sts = service_string_to_sign("POST", QRIS, &b_token, QRIS_BODY.as_bytes(), &ts);
        let mut h = signed(&b_token, QRIS, QRIS_BODY, ext);
        h = with_header(h, "X-TIMESTAMP", Some(&ts));
        h = with_header(
            h,
            "X-SIGNATURE",
            Some(&hmac_signature("demo-client-pkcs1-secret", &sts)),
        );
        with_header(h, "X-PARTNER-ID", Some(partner))
    };
    for other in [DEMO_CLIENT, "partner-001"] {
        let answer = post_with(&url, &signed_by_b(other, "ext-b-1"), QRIS_BODY);
        answer.expect(401, "4014700", "Unauthorized. Unknown Client");
    }
    post_with(&url, &signed_by_b(PKCS1_CLIENT, "ext-b-1"), QRIS_BODY).expect(
        200,
        "2004700",
        "Successful",
    );
    // The id is used: not again under another partner id either.
    post_with(&url, &signed_by_b("partner-001", "ext-b-1"), QRIS_BODY).expect(
        401,
        "4014700",
        "Unauthorized. Unknown Client",
    );
    let journal = server.requests().unwrap();
    assert!(
        journal[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("X-PARTNER-ID \"partner-001\""),
        "{:?}",
        journal[0].reason
    );

    // A registered partnerId is the client's too.
    let entry = serde_json::json!({"clients": [{
        "clientKey": PKCS1_CLIENT, "publicKey": include_str!("../../keys/other-client.public.pem"),
        "clientSecret": "demo-client-pkcs1-secret", "partnerId": "MERCHANT-77"
    }]});
    let with_id = start_with(|c| {
        c.clients = snap_mock::Source::Inline(entry.to_string());
    });
    let b_token = request_token_as(&with_id, PKCS1_CLIENT, PKCS1_PRIVATE_KEY);
    let ts = now_timestamp();
    let sts = service_string_to_sign("POST", QRIS, &b_token, QRIS_BODY.as_bytes(), &ts);
    let headers = with_header(
        with_header(
            with_header(
                signed(&b_token, QRIS, QRIS_BODY, "ext-m"),
                "X-TIMESTAMP",
                Some(&ts),
            ),
            "X-SIGNATURE",
            Some(&hmac_signature("demo-client-pkcs1-secret", &sts)),
        ),
        "X-PARTNER-ID",
        Some("MERCHANT-77"),
    );
    post_with(&format!("{}{QRIS}", with_id.uri()), &headers, QRIS_BODY).expect(
        200,
        "2004700",
        "Successful",
    );

    // --any-partner-id: the provider does not tie the two.
    let any = start_with(|c| c.any_partner_id = true);
    let token = token(&any);
    let headers = with_header(
        signed(&token, QRIS, QRIS_BODY, "ext-any"),
        "X-PARTNER-ID",
        Some("partner-001"),
    );
    post_with(&format!("{}{QRIS}", any.uri()), &headers, QRIS_BODY).expect(
        200,
        "2004700",
        "Successful",
    );
}

#[test]
fn a_b2b2c_customer_token_is_refused_where_a_b2b_token_is_required() {
    let customer_token = |server: &snap_mock::MockServer| {
        let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
        let answer = post_with(
            &format!("{}/pg/snap/oauth/v1.0/access-token/b2b2c", server.uri()),
            &headers,
            r#"{"grantType":"AUTHORIZATION_CODE","authCode":"demo-auth-code"}"#,
        );
        answer.json()["accessToken"].as_str().unwrap().to_owned()
    };
    let server = start();
    let token = customer_token(&server);
    let url = format!("{}{QRIS}", server.uri());
    post_with(&url, &signed(&token, QRIS, QRIS_BODY, "ext-c"), QRIS_BODY).expect(
        401,
        "4014701",
        "Invalid Token (B2B)",
    );
    let reason = server.requests().unwrap()[0]
        .reason
        .clone()
        .unwrap_or_default();
    assert!(reason.contains("customer token"), "{reason}");

    let lenient = start_with(|c| c.accept_customer_token = true);
    let token = customer_token(&lenient);
    post_with(
        &format!("{}{QRIS}", lenient.uri()),
        &signed(&token, QRIS, QRIS_BODY, "ext-c"),
        QRIS_BODY,
    )
    .expect(200, "2004700", "Successful");
}

#[test]
fn a_symmetric_signature_over_the_bytes_sent_verifies_with_php_and_python_escapes() {
    use sha2::Digest;
    let server = start();
    let token = token(&server);
    let url = format!("{}{QRIS}", server.uri());
    let sent = "{\n    \"partnerReferenceNo\": \"2020\\/10\\/29\",\n    \"merchantId\": \"Jos\\u00e9\",\n    \"amount\": {\"value\": \"10000.00\", \"n\": 1.10, \"currency\": \"IDR\"}\n}";
    let compact = "{\"partnerReferenceNo\":\"2020\\/10\\/29\",\"merchantId\":\"Jos\\u00e9\",\"amount\":{\"value\":\"10000.00\",\"n\":1.10,\"currency\":\"IDR\"}}";
    let hash: String = sha2::Sha256::digest(compact.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let ts = now_timestamp();
    let sts = format!("POST:{QRIS}:{token}:{hash}:{ts}");
    let mut headers = signed(&token, QRIS, sent, "php-0001");
    headers = with_header(headers, "X-TIMESTAMP", Some(&ts));
    headers = with_header(
        headers,
        "X-SIGNATURE",
        Some(&snap_mock::hmac_signature(SECRET, &sts)),
    );
    post_with(&url, &headers, sent).expect(200, "2004700", "Successful");
}
