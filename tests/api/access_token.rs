//! Every outcome of the B2B access-token endpoint, over real HTTP against a
//! server started in-process on a free port (one server per test).

use crate::helpers::*;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use snap_mock::internals::AccessTokenClaims;
use std::time::Duration;

fn valid_headers() -> Vec<(String, String)> {
    signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp())
}

#[test]
fn a_correctly_signed_request_gets_a_finpay_shaped_token() {
    let server = start();
    let answer = request_token(&server.token_url());
    answer.expect(200, "2007300", "Request has been processed successfully");
    let body = answer.json();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "responseMessage",
            "responseCode",
            "accessToken",
            "tokenType",
            "expiresIn"
        ]
    );
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(body["expiresIn"], 900);
    assert!(body["accessToken"].as_str().unwrap().starts_with("eyJ"));
    assert_eq!(answer.header("X-CLIENT-KEY"), Some(DEMO_CLIENT));
    let ts = answer
        .header("X-TIMESTAMP")
        .expect("X-TIMESTAMP response header");
    assert_eq!(ts.len(), 25, "{ts}");
    assert!(ts.ends_with("+07:00"), "{ts}");
}

#[test]
fn both_finpay_paths_serve_tokens_and_extra_paths_can_be_added() {
    let server = start_with(|c| {
        c.extra_token_paths = vec![
            "/v1.0/access-token/b2b".into(),
            "/snap/v1.0/access-token/b2b".into(),
        ]
    });
    for path in [
        FINPAY_PATH,
        OPENAPI_PATH,
        "/v1.0/access-token/b2b",
        "/snap/v1.0/access-token/b2b",
    ] {
        request_token(&format!("{}{path}", server.uri())).expect(
            200,
            "2007300",
            "Request has been processed successfully",
        );
    }
    send(
        "POST",
        &format!("{}/openapi/v1.0/access-token/b2b", server.uri()),
        &[],
        Some(b"{}"),
    )
    .expect(404, "4040000", "Not Found");
}

#[test]
fn the_snap_bi_profile_answers_as_the_standard_does() {
    let server = start_with(|c| c.profile = "snap-bi".parse().unwrap());
    let answer = request_token(&server.token_url());
    answer.expect(200, "2007300", "Successful");
    let body = answer.json();
    assert_eq!(body["expiresIn"], "900");
    assert_eq!(body["additionalInfo"], serde_json::json!({}));
    let bad = post_with(
        &server.token_url(),
        &with_header(
            valid_headers(),
            "X-SIGNATURE",
            Some(&sign(PKCS1_PRIVATE_KEY, DEMO_CLIENT, "x")),
        ),
        BODY,
    );
    bad.expect(401, "4017300", "Unauthorized. [Signature]");
}

#[test]
fn the_token_lifetime_is_configurable() {
    let server = start_with(|c| c.token_lifetime = Duration::from_secs(60));
    let answer = request_token(&server.token_url());
    assert_eq!(answer.json()["expiresIn"], 60);
}

#[test]
fn the_token_is_an_rs256_jwt_that_verifies_against_the_jwks_endpoint() {
    let server = start();
    let token = request_token(&server.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let jwks_answer = get(&format!("{}/.well-known/jwks.json", server.uri()));
    jwks_answer.expect(200, "2000000", "Successful");
    let jwks: JwkSet = serde_json::from_str(&jwks_answer.text).unwrap();
    let header = decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("kid in the JWT header");
    let jwk = jwks.find(&kid).expect("the JWKS holds the token's kid");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[DEMO_CLIENT]);
    validation.set_issuer(&["snap-mock"]);
    let claims =
        decode::<AccessTokenClaims>(&token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .unwrap()
            .claims;
    assert_eq!(claims.aud, DEMO_CLIENT);
    assert_eq!(claims.sub, "");
    assert_eq!(claims.scopes, ["request"]);
    assert_eq!(claims.exp - claims.iat, 900);
    assert_eq!(claims.nbf, claims.iat);
    assert_eq!(claims.jti.len(), 80);
    let now = chrono::Utc::now().timestamp();
    assert!(
        (claims.iat - now).abs() < 60,
        "iat {} vs now {now}",
        claims.iat
    );
}

#[test]
fn a_4096_bit_signing_key_works_and_the_issuer_is_configurable() {
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("signing-4096.pem");
    let status = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:4096",
            "-out",
        ])
        .arg(&key_path)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success());
    let server = start_with(|c| {
        c.signing_key = snap_mock::Source::File(key_path.clone());
        c.issuer = Some("https://mock.example".into());
    });
    let token = request_token(&server.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let jwks: JwkSet =
        serde_json::from_str(&get(&format!("{}/.well-known/jwks.json", server.uri())).text)
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[DEMO_CLIENT]);
    validation.set_issuer(&["https://mock.example"]);
    let key = DecodingKey::from_jwk(&jwks.keys[0]).unwrap();
    decode::<AccessTokenClaims>(&token, &key, &validation).expect("4096-bit token verifies");
    let signature_part = token.rsplit('.').next().unwrap();
    assert_eq!(
        signature_part.len(),
        683,
        "a 4096-bit signature is 512 bytes"
    );
}

#[test]
fn a_client_registered_with_a_pkcs1_public_key_gets_a_token() {
    let server = start();
    let headers = signed_headers(PKCS1_PRIVATE_KEY, PKCS1_CLIENT, &now_timestamp());
    post_with(&server.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
}

#[test]
fn each_missing_mandatory_header_is_named() {
    let server = start();
    for header in ["X-TIMESTAMP", "X-CLIENT-KEY", "X-SIGNATURE"] {
        let answer = post_with(
            &server.token_url(),
            &with_header(valid_headers(), header, None),
            BODY,
        );
        answer.expect(400, "4007302", &format!("Invalid Mandatory Field {header}"));
        let empty = post_with(
            &server.token_url(),
            &with_header(valid_headers(), header, Some("")),
            BODY,
        );
        empty.expect(400, "4007302", &format!("Invalid Mandatory Field {header}"));
    }
}

#[test]
fn an_unparseable_timestamp_is_an_invalid_field_format() {
    let server = start();
    for ts in [
        "2024-03-01 15:27:49",
        "yesterday",
        "2024-03-01T15:27:49",
        "2024-02-30T10:00:00+07:00",
    ] {
        let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, ts);
        post_with(&server.token_url(), &headers, BODY).expect(
            400,
            "4007301",
            "Invalid Field Format X-TIMESTAMP",
        );
    }
}

#[test]
fn lenient_mode_accepts_milliseconds_and_zulu_and_strict_mode_does_not() {
    let now = chrono::Utc::now();
    let zulu_millis = now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    let lenient = start();
    let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &zulu_millis);
    post_with(&lenient.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );

    let strict = start_with(|c| c.parse_rules.timestamp_mode = snap_mock::TimestampMode::Strict);
    post_with(&strict.token_url(), &headers, BODY).expect(
        400,
        "4007301",
        "Invalid Field Format X-TIMESTAMP",
    );
    request_token(&strict.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
}

#[test]
fn bodies_that_are_not_a_json_object_are_bad_requests() {
    let server = start();
    let bodies: [&[u8]; 6] = [
        b"",
        b"grantType=client_credentials",
        b"[]",
        b"\"client_credentials\"",
        b"{\"grantType\":",
        b"{\"grantType\":\"client_credentials\",\"x\":\"\xff\xfe\"}",
    ];
    for body in bodies {
        let headers = valid_headers();
        let h: Vec<(&str, &str)> = headers
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        send("POST", &server.token_url(), &h, Some(body)).expect(400, "4007300", "Bad Request");
    }
}

#[test]
fn a_body_over_the_cap_is_a_bad_request() {
    let server = start_with(|c| c.max_body_bytes = 1024);
    let padding = "x".repeat(2000);
    let body =
        format!(r#"{{"grantType":"client_credentials","additionalInfo":{{"pad":"{padding}"}}}}"#);
    post_with(&server.token_url(), &valid_headers(), &body).expect(400, "4007300", "Bad Request");
    // The same body fits under the default 64 KiB cap.
    let roomy = start();
    post_with(&roomy.token_url(), &valid_headers(), &body).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
}

#[test]
fn grant_type_missing_or_empty_is_a_mandatory_field() {
    let server = start();
    for body in [
        r#"{}"#,
        r#"{"grantType":""}"#,
        r#"{"grantType":null}"#,
        r#"{"additionalInfo":{}}"#,
    ] {
        post_with(&server.token_url(), &valid_headers(), body).expect(
            400,
            "4007302",
            "Invalid Mandatory Field grantType",
        );
    }
}

#[test]
fn grant_type_not_a_string_too_long_or_wrong_is_an_invalid_format() {
    let server = start();
    for body in [
        r#"{"grantType":18}"#,
        r#"{"grantType":{"type":"client_credentials"}}"#,
        r#"{"grantType":"client_credentials_x"}"#,
        r#"{"grantType":"password"}"#,
    ] {
        post_with(&server.token_url(), &valid_headers(), body).expect(
            400,
            "4007301",
            "Invalid Field Format grantType",
        );
    }
}

#[test]
fn additional_info_never_causes_a_rejection() {
    let server = start();
    for body in [
        r#"{"grantType":"client_credentials"}"#,
        r#"{"grantType":"client_credentials","additionalInfo":""}"#,
        r#"{"grantType":"client_credentials","additionalInfo":null}"#,
        r#"{"grantType":"client_credentials","additionalInfo":42}"#,
        r#"{"grantType":"client_credentials","additionalInfo":["a"]}"#,
        r#"{"grantType":"client_credentials","additionalInfo":{"deviceId":"x","channel":"mobile"}}"#,
    ] {
        post_with(&server.token_url(), &valid_headers(), body).expect(
            200,
            "2007300",
            "Request has been processed successfully",
        );
    }
}

#[test]
fn legacy_grant_type_fields_are_rejected_by_default_and_accepted_on_request() {
    let strict = start();
    let lenient = start_with(|c| c.parse_rules.accept_legacy_grant_type = true);
    for body in [
        r#"{"granttype":"client_credentials"}"#,
        r#"{"grant_type":"client_credentials"}"#,
    ] {
        post_with(&strict.token_url(), &valid_headers(), body).expect(
            400,
            "4007302",
            "Invalid Mandatory Field grantType",
        );
        post_with(&lenient.token_url(), &valid_headers(), body).expect(
            200,
            "2007300",
            "Request has been processed successfully",
        );
    }
}

#[test]
fn a_non_json_content_type_is_an_invalid_field_format() {
    let server = start();
    let headers = with_header(
        valid_headers(),
        "Content-Type",
        Some("application/x-www-form-urlencoded"),
    );
    post_with(&server.token_url(), &headers, BODY).expect(
        400,
        "4007301",
        "Invalid Field Format Content-Type",
    );
    let no_type = with_header(valid_headers(), "Content-Type", None);
    let h: Vec<(&str, &str)> = no_type
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    send("POST", &server.token_url(), &h, Some(BODY.as_bytes())).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
}

#[test]
fn an_unknown_or_disabled_client_is_unauthorized() {
    let server = start();
    for client in ["no-such-client", "disabled-client"] {
        let headers = signed_headers(DEMO_PRIVATE_KEY, client, &now_timestamp());
        post_with(&server.token_url(), &headers, BODY).expect(
            401,
            "4017300",
            "Unauthorized. Unknown Client",
        );
    }
}

#[test]
fn a_signature_that_is_not_base64_is_unauthorized() {
    let server = start();
    let good = sign(DEMO_PRIVATE_KEY, DEMO_CLIENT, "x");
    for signature in [
        "not base64 at all",
        "!!!!",
        &good.replace('+', "-").replace('/', "_"),
        "c2lnbmF0dXJl",
    ] {
        let headers = with_header(valid_headers(), "X-SIGNATURE", Some(signature));
        post_with(&server.token_url(), &headers, BODY).expect(
            401,
            "4017300",
            "Unauthorized. Invalid Signature",
        );
    }
}

#[test]
fn a_signature_by_the_wrong_key_or_over_the_wrong_string_is_unauthorized() {
    let server = start();
    let ts = now_timestamp();
    let cases = [
        sign(PKCS1_PRIVATE_KEY, DEMO_CLIENT, &ts),
        sign(DEMO_PRIVATE_KEY, PKCS1_CLIENT, &ts),
        sign(DEMO_PRIVATE_KEY, DEMO_CLIENT, &format!("{ts} ")),
    ];
    for signature in cases {
        let headers = with_header(
            signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts),
            "X-SIGNATURE",
            Some(&signature),
        );
        post_with(&server.token_url(), &headers, BODY).expect(
            401,
            "4017300",
            "Unauthorized. Invalid Signature",
        );
    }
}

#[test]
fn a_timestamp_outside_the_window_is_unauthorized_unless_the_window_is_off() {
    let stale = chrono::Utc::now() - chrono::Duration::minutes(6);
    let ahead = chrono::Utc::now() + chrono::Duration::minutes(6);
    let server = start();
    let no_window = start_with(|c| c.timestamp_window = Duration::ZERO);
    for at in [stale, ahead] {
        let ts = snap_mock::snap_timestamp(at);
        let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts);
        post_with(&server.token_url(), &headers, BODY).expect(
            401,
            "4017300",
            "Unauthorized. Invalid Timestamp",
        );
        post_with(&no_window.token_url(), &headers, BODY).expect(
            200,
            "2007300",
            "Request has been processed successfully",
        );
    }
    let narrow = start_with(|c| c.timestamp_window = Duration::from_secs(30));
    let ts = snap_mock::snap_timestamp(chrono::Utc::now() - chrono::Duration::seconds(90));
    let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts);
    post_with(&narrow.token_url(), &headers, BODY).expect(
        401,
        "4017300",
        "Unauthorized. Invalid Timestamp",
    );
}

const MIDTRANS_SIGNATURE: &str = "WzW49tYIgKIBmBi/gVBHGLAkhEaZlXM11zcZxAiyHji6TLPjPbwLu3Z45it25AIeG0XDItcdTSkds47zFEMh6IP0PXPIP1+Ey4RmX/o2fuYRF/xBHvfvKnMmANMTS1axsXBSW3EHqYpbVrkCcqNnB3u+wu63us9WIhRZaWgxgQ2PJLaiVHIwgu9u7jxkWX7Bg4rerZH3RKdQfIJAAJsSN13efR7VdSAyzU7QaKjgislxrLqmesYNJkbD03XLjHdo6YWuzAVV7xdZRpLiGkIAkW7luXTBZYBO+4oENZAPQYzrLeN1qRY1Sr7BgLONCA2QA26BB6SYW4R7qofS9+RyOQ==";

#[test]
fn the_published_midtrans_vector_verifies_and_its_reformatted_twin_fails() {
    let dir = tempfile::tempdir().unwrap();
    let clients = dir.path().join("clients.json");
    std::fs::write(
        &clients,
        r#"{"clients":[{"clientKey":"G1234325-SNAP","publicKey":"midtrans-public.pem"}]}"#,
    )
    .unwrap();
    let server = start_with(|c| {
        c.clients = snap_mock::Source::File(clients.clone());
        c.keys_dir = std::path::PathBuf::from("tests/data");
        c.timestamp_window = Duration::ZERO;
    });
    let headers = |ts: &str| {
        vec![
            ("X-TIMESTAMP".to_string(), ts.to_string()),
            ("X-CLIENT-KEY".to_string(), "G1234325-SNAP".to_string()),
            ("X-SIGNATURE".to_string(), MIDTRANS_SIGNATURE.to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
        ]
    };
    post_with(
        &server.token_url(),
        &headers("2024-03-01T08:27:49.024Z"),
        BODY,
    )
    .expect(200, "2007300", "Request has been processed successfully");
    post_with(
        &server.token_url(),
        &headers("2024-03-01T15:27:49.024+07:00"),
        BODY,
    )
    .expect(401, "4017300", "Unauthorized. Invalid Signature");
}

#[test]
fn explain_adds_a_diagnosis_with_the_string_to_sign() {
    let server = start_with(|c| c.explain = true);
    let ts = now_timestamp();
    let headers = with_header(
        signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts),
        "X-SIGNATURE",
        Some(&sign(PKCS1_PRIVATE_KEY, DEMO_CLIENT, &ts)),
    );
    let answer = post_with(&server.token_url(), &headers, BODY);
    answer.expect(401, "4017300", "Unauthorized. Invalid Signature");
    let diagnosis = answer.json()["diagnosis"].as_str().unwrap().to_owned();
    assert!(
        diagnosis.contains(&format!("{DEMO_CLIENT}|{ts}")),
        "{diagnosis}"
    );
    // Without --explain the body is exactly the provider's.
    let plain = start();
    let answer = post_with(&plain.token_url(), &headers, BODY);
    assert_eq!(
        answer.json().as_object().unwrap().len(),
        2,
        "{}",
        answer.text
    );
}

#[test]
fn unknown_paths_and_wrong_methods_get_snap_json() {
    let server = start();
    get(&format!("{}/nope", server.uri())).expect(404, "4040000", "Not Found");
    send("POST", &format!("{}/", server.uri()), &[], Some(b"x")).expect(
        404,
        "4040000",
        "Not Found",
    );
    for method in ["GET", "PUT", "DELETE", "PATCH"] {
        send(method, &server.token_url(), &[], None).expect(
            405,
            "4057300",
            "Requested Function Is Not Supported",
        );
    }
    send(
        "POST",
        &format!("{}/health", server.uri()),
        &[],
        Some(b"{}"),
    )
    .expect(405, "4050000", "Requested Function Is Not Supported");
}

#[test]
fn health_reports_up_with_what_is_loaded() {
    let server = start();
    let answer = get(&format!("{}/health", server.uri()));
    answer.expect(200, "2000000", "Successful");
    let body = answer.json();
    assert_eq!(body["status"], "UP");
    // As many as the bundled fixture has, whatever a user registered there.
    let bundled: serde_json::Value =
        serde_json::from_str(include_str!("../../fixtures/clients.json")).unwrap();
    assert_eq!(
        body["clients"],
        bundled["clients"].as_array().unwrap().len()
    );
    assert_eq!(body["profile"], "finpay");
    assert_eq!(body["tokenPaths"][0], FINPAY_PATH);
}

#[test]
fn servers_on_port_zero_get_distinct_ports_and_stop_cleanly() {
    let a = start();
    let b = start();
    assert_ne!(a.address().port(), b.address().port());
    assert_ne!(a.address().port(), 0);
    let addr = a.address();
    a.stop();
    assert!(
        std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err(),
        "the port is closed after stop()"
    );
    request_token(&b.token_url()).expect(200, "2007300", "Request has been processed successfully");
}

#[test]
fn inline_fixtures_and_an_in_memory_signing_key_need_no_files() {
    let signing = snap_mock::ClientKeyPair::generate(2048).unwrap();
    let public = snap_mock::ClientKeyPair::from_pem(DEMO_PRIVATE_KEY)
        .unwrap()
        .public_key_pem()
        .unwrap();
    let clients = serde_json::json!({"clients": [{"clientKey": "inline", "publicKey": public}]});
    let server = start_with(|c| {
        c.clients = snap_mock::Source::Inline(clients.to_string());
        c.signing_key = snap_mock::Source::Inline(signing.private_key_pem().unwrap());
        c.scenarios = None;
        c.endpoints = None;
    });
    let headers = signed_headers(DEMO_PRIVATE_KEY, "inline", &now_timestamp());
    let answer = post_with(&server.token_url(), &headers, BODY);
    answer.expect(200, "2007300", "Request has been processed successfully");
    // Signed by the in-memory key: its JWKS verifies it, the bundled one's would not.
    let jwks = get(&format!("{}/.well-known/jwks.json", server.uri())).json();
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwks["keys"][0].clone()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["inline"]);
    let token = answer.json()["accessToken"].as_str().unwrap().to_owned();
    jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation).unwrap();
    let bundled = start();
    let bundled_jwks = get(&format!("{}/.well-known/jwks.json", bundled.uri())).json();
    assert_ne!(bundled_jwks["keys"][0]["kid"], jwks["keys"][0]["kid"]);
}
