//! The embedding API a Rust test uses: a client that takes tokens and
//! signs service calls under every preset, verification over the journal
//! (`received`, `expect`), per-client scopes and claims.

use crate::helpers::*;
use serde_json::{json, Value};
use snap_mock::{ClientEntry, Config, MockError, RequestPattern};

fn create_va(n: u32) -> Value {
    json!({
        "partnerServiceId": "   12345", "customerNo": format!("{n:09}"),
        "virtualAccountNo": format!("   12345{n:09}"), "virtualAccountName": "Jane",
        "trxId": format!("EMB-{n}"), "totalAmount": {"value": "10000.00", "currency": "IDR"}
    })
}

/// The client signs as each preset checks (symmetric or asymmetric, under
/// its base path): a stateful create-va succeeds, and a repeated
/// X-EXTERNAL-ID is refused as such.
#[test]
fn the_client_signs_service_calls_as_every_preset_checks_them() {
    for provider in snap_mock::PROVIDERS {
        let server = start_with(|c| *c = c.clone().with_provider(provider));
        let client = server.demo_client().unwrap();
        let token = client.request_token().unwrap();
        assert_eq!(token.status, 200, "{}: {}", provider.name, token.body);
        let answer = client
            .post(
                &provider.service_path("/v1.0/transfer-va/create-va"),
                &create_va(1),
            )
            .unwrap();
        assert_eq!(
            answer.response_code(),
            Some("2002700"),
            "{}: {} {}",
            provider.name,
            answer.status,
            answer.body
        );
        let first = client
            .send(
                "POST",
                &provider.service_path("/v1.0/transfer-va/status"),
                &json!({"trxId": "EMB-1"}),
                "same-id",
            )
            .unwrap();
        let again = client
            .send(
                "POST",
                &provider.service_path("/v1.0/transfer-va/status"),
                &json!({"trxId": "EMB-1"}),
                "same-id",
            )
            .unwrap();
        assert_ne!(first.status, 409, "{}: {}", provider.name, first.body);
        assert_eq!(again.status, 409, "{}: {}", provider.name, again.body);
    }
}

#[test]
fn a_client_with_a_key_the_server_does_not_know_gets_the_refusal_not_a_token() {
    let server = start();
    let client = server
        .client(DEMO_CLIENT, PKCS1_PRIVATE_KEY, Some("demo-client-secret"))
        .unwrap();
    let answer = client.request_token().unwrap();
    assert_eq!(
        (answer.status, answer.response_code()),
        (401, Some("4017300"))
    );
    match client.access_token() {
        Err(MockError::Client(why)) => assert!(why.contains("4017300"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn received_lists_matching_requests_oldest_first_and_expect_counts_them() {
    let server = start();
    let client = server.demo_client().unwrap();
    client
        .post("/v1.0/transfer-va/create-va", &create_va(2))
        .unwrap();
    client
        .post("/v1.0/transfer-va/create-va", &create_va(2))
        .unwrap(); // a duplicate: 409
    let create = RequestPattern::post("/v1.0/transfer-va/create-va").client_key(DEMO_CLIENT);
    let received = server.received(&create).unwrap();
    assert_eq!(received.len(), 2);
    assert!(received[0].seq < received[1].seq, "oldest first");
    assert_eq!(
        received[0].outcome.response_code.as_deref(),
        Some("2002700")
    );
    server.expect(&create, 2);
    server.expect(&create.clone().accepted(true), 1);
    server.expect(&create.clone().status(409), 1..);
    server.expect(&RequestPattern::any().path_prefix("/pg/snap/oauth"), 1);
    server.expect(&RequestPattern::any().body_contains("EMB-2"), ..=2);
    server.expect(&RequestPattern::any().header("channel-id", "95221"), 2);
    server.expect(
        &create.clone().response_code("2002700").client_key("other"),
        0,
    );

    let mismatch = server.check(&create, 3).unwrap_err().to_string();
    assert!(
        mismatch.starts_with("expected exactly 3 request(s) matching POST /v1.0/transfer-va/create-va, from demo-client, received 2; the journal holds 3"),
        "{mismatch}"
    );
    assert!(
        mismatch.contains("* POST /v1.0/transfer-va/create-va from demo-client -> 409"),
        "{mismatch}"
    );
    assert!(
        mismatch.contains(
            "  POST /pg/snap/oauth/v1.0/access-token/b2b from demo-client -> 200 2007300"
        ),
        "{mismatch}"
    );
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        server.expect(&create, 0..2);
    }))
    .unwrap_err();
    let text = panicked.downcast_ref::<String>().unwrap();
    assert!(text.starts_with("expected 0 to 1 request(s)"), "{text}");
}

/// Scopes and extra claims per client: in the JWT, in an opaque token's
/// introspection, from the fixture as from the API; the server's own
/// claims cannot be replaced.
#[test]
fn a_client_s_scopes_and_claims_are_in_its_tokens() {
    for format in [snap_mock::TokenFormat::Jwt, snap_mock::TokenFormat::Opaque] {
        let server = start_with(|c| c.token_format = format);
        server
            .register(
                ClientEntry::new(
                    "merchant-1",
                    include_str!("../../keys/demo-client.public.pem"),
                )
                .client_secret("s")
                .scopes(["request", "va:write"])
                .claim("merchantId", "M-1")
                .claim("tier", json!({"level": 2})),
            )
            .unwrap();
        let client = server
            .client("merchant-1", DEMO_PRIVATE_KEY, Some("s"))
            .unwrap();
        let token = client.access_token().unwrap();
        let claims = match format {
            snap_mock::TokenFormat::Jwt => decode_jwt_unverified(&token).unwrap().1,
            snap_mock::TokenFormat::Opaque => {
                let answer = send(
                    "POST",
                    &format!("{}/introspect", server.uri()),
                    &[("Content-Type", "application/json")],
                    Some(json!({"token": token}).to_string().as_bytes()),
                );
                let body = answer.json();
                assert_eq!(body["scope"], "request va:write");
                body
            }
        };
        assert_eq!(claims["merchantId"], "M-1", "{format:?}: {claims}");
        assert_eq!(claims["tier"]["level"], 2, "{format:?}");
        assert_eq!(claims["aud"], "merchant-1");
        if format == snap_mock::TokenFormat::Jwt {
            assert_eq!(claims["scopes"], json!(["request", "va:write"]));
        }
        // The demo client's tokens are unchanged.
        let demo = server.demo_client().unwrap().access_token().unwrap();
        if format == snap_mock::TokenFormat::Jwt {
            let demo = decode_jwt_unverified(&demo).unwrap().1;
            assert_eq!(demo["scopes"], json!(["request"]));
            assert!(demo.get("merchantId").is_none());
        }
    }

    let server = start();
    for reserved in ["aud", "exp", "scopes", "sub"] {
        let refused = server.register(
            ClientEntry::new(
                "merchant-2",
                include_str!("../../keys/demo-client.public.pem"),
            )
            .claim(reserved, "x"),
        );
        match refused {
            Err(MockError::InvalidClient { reason, .. }) => {
                assert!(
                    reason
                        .to_string()
                        .contains(&format!("{reserved:?} is set by the server")),
                    "{reason}"
                )
            }
            other => panic!("{reserved}: {other:?}"),
        }
    }
    // From a clients fixture, and through the admin API.
    let pem = include_str!("../../keys/demo-client.public.pem");
    let fixture = json!({"clients": [{"clientKey": "fx", "publicKey": pem,
        "scopes": ["balance"], "claims": {"merchantId": "FX"}}]});
    let server = start_with(|c| c.clients = snap_mock::Source::Inline(fixture.to_string()));
    let claims = decode_jwt_unverified(
        &server
            .client("fx", DEMO_PRIVATE_KEY, None)
            .unwrap()
            .access_token()
            .unwrap(),
    )
    .unwrap()
    .1;
    assert_eq!(
        (claims["scopes"].clone(), claims["merchantId"].clone()),
        (json!(["balance"]), json!("FX"))
    );
    let added = admin(
        &server,
        "POST",
        "/clients",
        Some(&json!({"clientKey": "api", "publicKey": pem, "claims": {"iss": "me"}}).to_string()),
    );
    assert_eq!(added.status, 400, "{}", added.text);
    assert!(
        added.text.contains("\\\"iss\\\" is set by the server"),
        "{}",
        added.text
    );
}

#[test]
fn config_for_tests_has_a_token_path_the_client_uses() {
    let server = snap_mock::MockServer::start(Config::for_tests()).unwrap();
    assert_eq!(server.token_path(), FINPAY_PATH);
    assert_eq!(server.token_url(), format!("{}{FINPAY_PATH}", server.uri()));
}
