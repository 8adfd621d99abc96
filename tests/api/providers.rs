//! Provider presets (`--provider`), token paths of any shape, and opaque
//! tokens. The SDKs themselves run in `tests/sdk/run.sh` (from `.ci/run`).

use crate::helpers::*;
use snap_mock::{Provider, TokenFormat, PROVIDERS};

fn preset(name: &str) -> snap_mock::MockServer {
    let p: &'static Provider = name.parse().unwrap();
    start_with(|c| *c = c.clone().with_provider(p))
}

fn b2b2c(url: &str) -> Answer {
    let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    post_with(
        url,
        &headers,
        r#"{"grantType":"AUTHORIZATION_CODE","authCode":"demo-auth-code"}"#,
    )
}

#[test]
fn every_preset_serves_its_own_token_paths_and_not_finpays() {
    for p in PROVIDERS {
        let server = preset(p.name);
        let base = p.base_path;
        for path in p.b2b_token_paths {
            let answer = request_token(&format!("{}{base}{path}", server.uri()));
            assert_eq!(
                answer.code(),
                "2007300",
                "{} {path}: {}",
                p.name,
                answer.text
            );
            let token = answer.json()["accessToken"].as_str().unwrap().to_owned();
            match p.token_format {
                TokenFormat::Jwt => assert!(decode_jwt_unverified(&token).is_some()),
                TokenFormat::Opaque => assert!(token.len() <= 512 && !token.contains('.')),
            }
        }
        for path in p.b2b2c_token_paths {
            let answer = b2b2c(&format!("{}{base}{path}", server.uri()));
            assert_eq!(
                answer.code(),
                "2007400",
                "{} {path}: {}",
                p.name,
                answer.text
            );
        }
        if p.name != "finpay" {
            let finpay = request_token(&format!("{}{FINPAY_PATH}", server.uri()));
            assert_eq!(finpay.status, 404, "{} serves Finpay's path", p.name);
        }
    }
}

#[test]
fn each_preset_answers_in_its_dialect() {
    let doku = request_token(&preset("doku").token_url()).json();
    assert_eq!(doku["responseMessage"], "Successful");
    assert!(doku["expiresIn"].is_u64(), "{doku}");
    assert!(doku.get("additionalInfo").is_none(), "{doku}");

    let standard = request_token(&preset("snap-bi").token_url()).json();
    assert_eq!(standard["expiresIn"], "900");

    // Midtrans' SDK sends the legacy `grant_type`.
    let midtrans = preset("midtrans");
    let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    post_with(
        &midtrans.token_url(),
        &headers,
        r#"{"grant_type":"client_credentials"}"#,
    )
    .expect(200, "2007300", "Successful");
    // Finpay's default refuses it.
    post_with(
        &start().token_url(),
        &headers,
        r#"{"grant_type":"client_credentials"}"#,
    )
    .expect(400, "4007302", "Invalid Mandatory Field grantType");

    let bca = preset("bca");
    let answer = post_with(
        &bca.token_url(),
        &with_header(
            signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp()),
            "X-TIMESTAMP",
            Some("nope"),
        ),
        BODY,
    );
    answer.expect(400, "4007301", "Invalid field format [X-TIMESTAMP]");
}

#[test]
fn provider_endpoints_are_served_only_under_their_preset() {
    let path = "/snap-service/v1/balance-inquiry";
    let finpay = start();
    assert_eq!(
        send("POST", &format!("{}{path}", finpay.uri()), &[], Some(b"{}")).status,
        404
    );
    let bni = preset("bni");
    // Served: without a token it is refused by the endpoint, not routed away.
    send("POST", &format!("{}{path}", bni.uri()), &[], Some(b"{}")).expect(
        401,
        "4011103",
        "Token Not Found (B2B)",
    );
}

#[test]
fn token_paths_of_any_shape_can_be_added() {
    let server = start_with(|c| {
        c.extra_token_paths = vec!["/api/v1.0/access-token/b2b".into()];
        c.extra_b2b2c_token_paths = vec!["/v1.0/apply-token.htm".into()];
    });
    request_token(&format!("{}/api/v1.0/access-token/b2b", server.uri())).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    // The B2B2C twin of a /b2b path, and a path of another shape.
    for path in ["/api/v1.0/access-token/b2b2c", "/v1.0/apply-token.htm"] {
        let answer = b2b2c(&format!("{}{path}", server.uri()));
        assert_eq!(answer.code(), "2007400", "{path}: {}", answer.text);
    }
    let clash = snap_mock::MockServer::start(snap_mock::Config {
        extra_token_paths: vec!["/x/token".into()],
        extra_b2b2c_token_paths: vec!["/x/token".into()],
        ..snap_mock::Config::for_tests()
    });
    let Err(e) = clash else {
        panic!("a path cannot be both B2B and B2B2C")
    };
    let message = e.to_string();
    assert!(message.contains("/x/token"), "{message}");
}

#[test]
fn opaque_tokens_are_short_validated_through_the_store_and_introspected() {
    let server = start_with(|c| {
        c.token_format = TokenFormat::Opaque;
        c.token_lifetime = std::time::Duration::from_secs(60);
    });
    let token = request_token(&server.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));

    // A transactional call with it.
    let path = "/v1.0/qr/qr-mpm-generate";
    let body = r#"{"partnerReferenceNo":"1","amount":{"value":"1.00","currency":"IDR"}}"#;
    let call = |token: &str, ext: &str| {
        let headers = service_headers(token, "demo-client-secret", path, body, ext);
        post_with(&format!("{}{path}", server.uri()), &headers, body)
    };
    call(&token, "o-1").expect(200, "2004700", "Successful");
    let forged = "0".repeat(64);
    call(&forged, "o-2").expect(401, "4014701", "Invalid Token (B2B)");

    let form = format!("token={token}");
    let intro = send(
        "POST",
        &format!("{}/introspect", server.uri()),
        &[],
        Some(form.as_bytes()),
    );
    assert_eq!(intro.json()["active"], true, "{}", intro.text);
    assert_eq!(intro.json()["client_id"], DEMO_CLIENT);

    server.clock().advance(std::time::Duration::from_secs(61));
    call(&token, "o-3").expect(401, "4014701", "Invalid Token (B2B)");
    assert!(server.requests().unwrap()[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("expired"));
}

#[test]
fn bca_bundles_balance_inquiry_and_bank_statement_with_the_fields_its_clients_read() {
    let bca = preset("bca");
    let token = request_token(&bca.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = r#"{"partnerReferenceNo": "2020102900000000000001", "accountNo": "1234567890"}"#;
    for (path, code, fields) in [
        (
            "/openapi/v1.0/balance-inquiry",
            "2001100",
            &["referenceNo", "accountNo", "name", "accountInfos"][..],
        ),
        (
            "/openapi/v1.0/bank-statement",
            "2001400",
            &[
                "referenceNo",
                "balance",
                "totalCreditEntries",
                "totalDebitEntries",
                "detailData",
            ][..],
        ),
    ] {
        let headers = service_headers(
            &token,
            "demo-client-secret",
            path,
            body,
            &format!("bca{code}"),
        );
        let answer = post_with(&format!("{}{path}", bca.uri()), &headers, body);
        answer.expect(200, code, "Successful");
        let json = answer.json();
        for field in fields {
            assert!(json.get(*field).is_some(), "{path} lacks {field}: {json}");
        }
    }
    // Not under another preset.
    let finpay = start();
    assert_eq!(
        send(
            "POST",
            &format!("{}/openapi/v1.0/balance-inquiry", finpay.uri()),
            &[],
            Some(b"{}")
        )
        .status,
        404
    );
}

/// The README's lines that point each SDK at the mock are the ones the SDK
/// tests run: a fragment of each is in both.
#[test]
fn the_readme_points_each_sdk_at_the_mock_as_its_test_does() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    for (file, fragment) in [
        ("tests/sdk/doku_sdk.py", "config._Development.BASE_URL = "),
        (
            "tests/sdk/midtrans_sdk.test.js",
            "SnapBiConfig.SNAP_BI_SANDBOX_BASE_URL = ",
        ),
        (
            "tests/sdk/midtrans_sdk.test.js",
            "SnapBiConfig.isProduction = false;",
        ),
        ("tests/sdk/bni_sdk.py", "client.getBaseUrl = lambda: "),
        ("tests/sdk/dana_sdk.py", "configuration.host = "),
        (
            "tests/sdk/nicepay_sdk.py",
            "ConstantsGeneral._SANDBOX_BASE_URL = ",
        ),
        ("tests/sdk/nicepay_sdk.py", "+ \"/nicepay\""),
        (
            "tests/sdk/paylabs_sdk.py",
            "SNAP_URLS[Environment.SANDBOX] = ",
        ),
        ("tests/sdk/paylabs_sdk.py", "+ \"/api/v1.0\""),
    ] {
        let test = std::fs::read_to_string(file).unwrap();
        assert!(test.contains(fragment), "{file} no longer has {fragment:?}");
        assert!(
            readme.contains(fragment),
            "the README lacks {fragment:?} ({file})"
        );
    }
}
