//! Error simulation: every shipped scenario over real HTTP, `times`,
//! selectors, phases, and runtime changes through the admin API.

use crate::helpers::*;
use std::time::{Duration, Instant};

#[test]
fn every_shipped_code_scenario_answers_by_client_key_and_by_selector() {
    let server = start();
    let cases = [
        (
            "mock-4017300-signature",
            "unauthorized-signature",
            401,
            "4017300",
            "Unauthorized. Invalid Signature",
        ),
        (
            "mock-4017300-client",
            "unauthorized-unknown-client",
            401,
            "4017300",
            "Unauthorized. Unknown Client",
        ),
        (
            "mock-4017300-timestamp",
            "unauthorized-timestamp",
            401,
            "4017300",
            "Unauthorized. Invalid Timestamp",
        ),
        ("mock-4097300", "conflict", 409, "4097300", "Conflict"),
        (
            "mock-4297300",
            "too-many-requests",
            429,
            "4297300",
            "Too Many Requests",
        ),
        (
            "mock-5007300",
            "general-error",
            500,
            "5007300",
            "General Error",
        ),
        (
            "mock-5007301",
            "internal-server-error",
            500,
            "5007301",
            "Internal Server Error",
        ),
        (
            "mock-5007302",
            "external-server-error",
            500,
            "5007302",
            "External Server Error",
        ),
    ];
    for (client_key, name, status, code, message) in cases {
        // By client key: no registration and no valid signature needed.
        let headers = with_header(
            signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp()),
            "X-CLIENT-KEY",
            Some(client_key),
        );
        post_with(&server.token_url(), &headers, BODY).expect(status, code, message);
        // By selector, on a request that would otherwise succeed.
        request_with_scenario(&server, DEMO_CLIENT, Some(name)).expect(status, code, message);
    }
}

#[test]
fn too_many_requests_carries_retry_after() {
    let server = start();
    let answer = request_with_scenario(&server, DEMO_CLIENT, Some("too-many-requests"));
    answer.expect(429, "4297300", "Too Many Requests");
    assert_eq!(answer.header("Retry-After"), Some("1"));
}

/// The bundled `delayMs` of a scenario, as the admin API lists it.
fn bundled_delay(server: &snap_mock::MockServer, name: &str) -> u64 {
    let listing = admin(server, "GET", "/scenarios", None).json();
    listing["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no bundled scenario {name}"))["delayMs"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_delay_holds_the_answer_back_at_least_that_long() {
    let server = start();
    server
        .add_scenario_json(
            r#"{"name":"slow-504","respond":{"responseCode":"5047300"},"delayMs":300}"#,
        )
        .unwrap();
    let started = Instant::now();
    let answer = request_with_scenario(&server, DEMO_CLIENT, Some("slow-504"));
    answer.expect(504, "5047300", "Timeout");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_timeout_scenario_answers_5047300_after_five_seconds() {
    let server = start();
    // Its delay is what it promises; waiting 5 s here would only prove
    // that sleeping works (a_delay_holds_the_answer_back_at_least_that_long).
    assert_eq!(bundled_delay(&server, "timeout"), 5000);
    // The bundled scenario itself, as listed, with only its delay shortened.
    let listing = admin(&server, "GET", "/scenarios", None).json();
    let mut bundled = listing["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "timeout")
        .unwrap()
        .clone();
    let fields = bundled.as_object_mut().unwrap();
    for listed_only in ["source", "remaining"] {
        fields.remove(listed_only);
    }
    fields.insert("delayMs".into(), 50.into());
    server.add_scenario_json(&bundled.to_string()).unwrap();
    let started = Instant::now();
    request_with_scenario(&server, DEMO_CLIENT, Some("timeout")).expect(504, "5047300", "Timeout");
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[test]
fn the_slow_token_scenario_delays_then_issues_a_token() {
    let server = start();
    assert_eq!(bundled_delay(&server, "slow-token"), 2000);
    server.remove_scenario("slow-token").unwrap();
    server
        .add_scenario_json(r#"{"name":"slow-token","delayMs":50}"#)
        .unwrap();
    let started = Instant::now();
    request_with_scenario(&server, DEMO_CLIENT, Some("slow-token")).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[test]
fn fail_twice_then_succeed_falls_through_after_two_requests() {
    let server = start();
    let statuses: Vec<u16> = (0..4)
        .map(|_| request_with_scenario(&server, "mock-flaky", None).status)
        .collect();
    assert_eq!(statuses, [500, 500, 200, 200]);
    // Reset refills the counter.
    admin(&server, "POST", "/scenarios/reset", None).expect(200, "2000000", "Successful");
    assert_eq!(
        request_with_scenario(&server, "mock-flaky", None).status,
        500
    );
}

#[test]
fn a_connection_reset_fault_resets_the_connection() {
    let server = start();
    let result = raw_exchange(
        server.address(),
        &raw_token_request(FINPAY_PATH, "mock-fault-reset", ""),
    );
    match result {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
        Ok(bytes) => panic!(
            "expected a reset, got {} bytes: {:?}",
            bytes.len(),
            String::from_utf8_lossy(&bytes)
        ),
    }
}

#[test]
fn an_empty_response_fault_closes_without_a_byte() {
    let server = start();
    let bytes = raw_exchange(
        server.address(),
        &raw_token_request(FINPAY_PATH, "mock-fault-empty", ""),
    )
    .expect("a clean close");
    assert!(bytes.is_empty(), "{:?}", String::from_utf8_lossy(&bytes));
}

fn split_response(bytes: &[u8]) -> (String, Vec<u8>) {
    let text = String::from_utf8_lossy(bytes);
    let end = text.find("\r\n\r\n").expect("a response head");
    (text[..end].to_owned(), bytes[end + 4..].to_vec())
}

fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("content-length")
}

#[test]
fn a_malformed_json_fault_sends_a_complete_answer_that_is_not_json() {
    let server = start();
    let bytes = raw_exchange(
        server.address(),
        &raw_token_request(FINPAY_PATH, "mock-fault-malformed", ""),
    )
    .expect("an answer");
    let (head, body) = split_response(&bytes);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(content_length(&head), body.len());
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
    assert!(body.starts_with(b"{\"responseCode\""));
}

#[test]
fn a_truncated_body_fault_sends_less_than_it_promises() {
    let server = start();
    let bytes = raw_exchange(
        server.address(),
        &raw_token_request(FINPAY_PATH, "mock-fault-truncated", ""),
    )
    .expect("a partial answer");
    let (head, body) = split_response(&bytes);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        !body.is_empty() && body.len() < content_length(&head),
        "{} of {}",
        body.len(),
        content_length(&head)
    );
}

#[test]
fn an_unknown_selector_is_a_loud_bad_request() {
    let server = start_with(|c| c.explain = true);
    let answer = request_with_scenario(&server, DEMO_CLIENT, Some("no-such-scenario"));
    answer.expect(400, "4007300", "Bad Request");
    let diagnosis = answer.json()["diagnosis"].as_str().unwrap().to_owned();
    assert!(
        diagnosis.contains("no-such-scenario") && diagnosis.contains("general-error"),
        "{diagnosis}"
    );
    // Without --explain too: the header is the mock's own, so the answer
    // says which names exist, and the journal says a scenario decided.
    let plain = start();
    let answer = request_with_scenario(&plain, DEMO_CLIENT, Some("no-such-scenario"));
    answer.expect(400, "4007300", "Bad Request");
    let error = answer.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        error.contains("no-such-scenario") && error.contains("general-error"),
        "{error}"
    );
    assert_eq!(
        plain.requests().unwrap()[0].decided_by,
        snap_mock::Step::Scenario
    );
}

#[test]
fn an_after_scenario_applies_only_to_requests_that_pass_validation() {
    let server = start();
    let mut bad = signed_headers(PKCS1_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    bad.push(("X-Mock-Scenario".into(), "rate-limited-after-auth".into()));
    post_with(&server.token_url(), &bad, BODY).expect(
        401,
        "4017300",
        "Unauthorized. Invalid Signature",
    );
    let answer = request_with_scenario(&server, DEMO_CLIENT, Some("rate-limited-after-auth"));
    answer.expect(429, "4297300", "Too Many Requests");
    assert_eq!(answer.header("Retry-After"), Some("2"));
}

#[test]
fn scenarios_match_on_headers_path_and_grant_type_together() {
    let server = start_with(|c| {
        c.scenarios = None;
        c.extra_token_paths = vec!["/v1.0/access-token/b2b".into()];
    });
    admin(
        &server,
        "POST",
        "/scenarios",
        Some(r#"{"name":"tenant-b-down","match":{"headers":{"X-Tenant":"b"},"path":"/v1.0/access-token/b2b","grantType":"client_credentials"},"respond":{"responseCode":"5007302","responseMessage":"Bank B offline","body":{"additionalInfo":{"bank":"B"}}}}"#),
    )
    .expect(201, "2010000", "Successful");
    let mut headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    headers.push(("X-Tenant".into(), "b".into()));
    let hit = post_with(
        &format!("{}/v1.0/access-token/b2b", server.uri()),
        &headers,
        BODY,
    );
    hit.expect(500, "5007302", "Bank B offline");
    assert_eq!(hit.json()["additionalInfo"]["bank"], "B");
    // Another path, or another header value: no match, a token.
    post_with(&server.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    let other = with_header(headers, "X-Tenant", Some("a"));
    post_with(
        &format!("{}/v1.0/access-token/b2b", server.uri()),
        &other,
        BODY,
    )
    .expect(200, "2007300", "Request has been processed successfully");
}

#[test]
fn a_forced_204_or_304_has_no_body_and_the_connection_stays_usable() {
    let server = start();
    for (name, code, status) in [
        ("no-content", "2047300", "204"),
        ("not-modified", "3047300", "304"),
    ] {
        server
            .add_scenario_json(&format!(
                r#"{{"name":"{name}","respond":{{"responseCode":"{code}","responseMessage":"x"}}}}"#
            ))
            .unwrap();
        // Two requests on one keep-alive connection: a stray body would be
        // read as the start of the second answer.
        let one = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        let forced = format!(
            "POST {FINPAY_PATH} HTTP/1.1\r\nHost: x\r\nX-Mock-Scenario: {name}\r\nContent-Length: 0\r\n\r\n"
        );
        let last = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        let bytes = raw_exchange(server.address(), &format!("{one}{forced}{last}")).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let answers: Vec<&str> = text.matches("HTTP/1.1 ").collect();
        assert_eq!(answers.len(), 3, "{text}");
        let forced_at = text
            .find(&format!("HTTP/1.1 {status}"))
            .unwrap_or_else(|| panic!("{text}"));
        let next_at = text[forced_at + 1..].find("HTTP/1.1 200").unwrap() + forced_at + 1;
        let forced_answer = &text[forced_at..next_at];
        assert!(
            forced_answer.ends_with("\r\n\r\n"),
            "a body after {status}: {forced_answer:?}"
        );
        assert!(!forced_answer.contains("responseCode"), "{forced_answer}");
    }
}
