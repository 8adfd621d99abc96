//! Property tests: arbitrary header sets and bodies through the whole
//! pipeline over real HTTP, and arbitrary input into every parser. Bounded
//! (PROPTEST_CASES overrides the default 256 cases per property).

use crate::helpers::*;
use proptest::prelude::*;
use snap_mock::internals::{
    diagnose_asymmetric, parse_private_key, parse_public_key, parse_timestamp, AccessTokenRequest,
    ClientPublicKey, RawTokenRequest,
};
use snap_mock::MockServer;
use snap_mock::{ParseRules, ResponseCode, TimestampMode};
use std::sync::OnceLock;

fn server() -> &'static MockServer {
    static SERVER: OnceLock<MockServer> = OnceLock::new();
    // No scenarios: every answer must come from the validation pipeline.
    SERVER.get_or_init(|| start_with(|c| c.scenarios = None))
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("X-TIMESTAMP".to_string()),
        Just("X-CLIENT-KEY".to_string()),
        Just("X-SIGNATURE".to_string()),
        Just("Content-Type".to_string()),
        Just("x-timestamp".to_string()),
        Just("Authorization".to_string()),
        "X-[A-Za-z-]{1,20}",
    ]
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("demo-client".to_string()),
        Just("application/json".to_string()),
        Just("2024-03-01T15:27:49+07:00".to_string()),
        Just(now_timestamp()),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:?[0-9]{2})?",
        "[A-Za-z0-9+/]{0,400}={0,2}",
        "[!-~][ -~]{0,60}[!-~]",
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        "[ -~]{0,200}".prop_map(String::into_bytes),
        (
            prop_oneof![
                Just("grantType".to_string()),
                Just("granttype".to_string()),
                Just("grant_type".to_string()),
                "[a-zA-Z]{1,12}"
            ],
            prop_oneof![
                Just("\"client_credentials\"".to_string()),
                Just("null".to_string()),
                Just("\"\"".to_string()),
                "-?[0-9]{1,20}",
                "\"[ -!#-\\[\\]-~]{0,40}\"",
                Just("[1,2]".to_string()),
                Just("{\"a\":{}}".to_string()),
            ],
            prop_oneof![
                Just(String::new()),
                Just(",\"additionalInfo\":{}".to_string()),
                Just(",\"additionalInfo\":\"\"".to_string())
            ],
        )
            .prop_map(|(k, v, extra)| format!("{{\"{k}\":{v}{extra}}}").into_bytes()),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(FINPAY_PATH.to_string()),
        1 => Just(OPENAPI_PATH.to_string()),
        1 => "/[a-zA-Z0-9._~-]{0,30}(/[a-zA-Z0-9._~-]{0,30}){0,3}",
    ]
}

fn method() -> impl Strategy<Value = &'static str> {
    prop_oneof![8 => Just("POST"), 1 => Just("GET"), 1 => Just("PUT"), 1 => Just("DELETE"), 1 => Just("PATCH")]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_request_gets_a_snap_json_4xx_and_the_server_stays_up(
        method in method(),
        path in path(),
        headers in proptest::collection::vec((header_name(), header_value()), 0..10),
        body in body(),
    ) {
        let url = format!("{}{path}", server().uri());
        let h: Vec<(&str, &str)> = headers.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let with_body = method != "GET";
        let answer = send(method, &url, &h, with_body.then_some(body.as_slice()));
        prop_assert!((400..500).contains(&answer.status), "status {} for {answer:?}", answer.status);
        answer.assert_snap_shaped();
    }

    #[test]
    fn the_timestamp_parser_never_panics(raw in "\\PC{0,40}") {
        let _ = parse_timestamp(&raw, TimestampMode::Lenient);
        let _ = parse_timestamp(&raw, TimestampMode::Strict);
    }

    #[test]
    fn the_response_code_parser_never_panics(raw in "\\PC{0,10}") {
        if let Ok(code) = raw.parse::<ResponseCode>() {
            prop_assert_eq!(code.to_string(), raw);
        }
    }

    #[test]
    fn the_request_parser_never_panics(
        ts in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        key in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        sig in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        ct in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
        body in body(),
    ) {
        let raw = RawTokenRequest {
            x_timestamp: ts.as_deref(),
            x_client_key: key.as_deref(),
            x_signature: sig.as_deref(),
            content_type: ct.as_deref(),
            body: &body,
        };
        let _ = AccessTokenRequest::parse(&raw, &ParseRules::default());
    }

    #[test]
    fn the_diagnosis_never_panics(signature in proptest::collection::vec(any::<u8>(), 0..400), ts in "\\PC{0,30}") {
        static KEY: OnceLock<ClientPublicKey> = OnceLock::new();
        let key = KEY.get_or_init(|| ClientPublicKey::from_pem(include_str!("../../keys/demo-client.public.pem")).unwrap());
        let text = diagnose_asymmetric(key, "demo-client", &ts, &signature, &[]);
        prop_assert!(!text.is_empty());
    }

    #[test]
    fn key_parsing_never_panics(text in "\\PC{0,200}") {
        let _ = parse_public_key(&text);
        let _ = parse_private_key(&format!("-----BEGIN PRIVATE KEY-----\n{text}\n-----END PRIVATE KEY-----"));
    }
}
