//! The admin API and the request journal, over real HTTP.

use crate::helpers::*;
use serde_json::Value;
use std::process::Command;

fn requests(server: &snap_mock::MockServer, query: &str) -> Value {
    let answer = admin(server, "GET", &format!("/requests{query}"), None);
    answer.expect(200, "2000000", "Successful");
    answer.json()
}

#[test]
fn the_journal_records_a_success_a_signature_failure_and_a_scenario_newest_first() {
    let server = start();
    request_token(&server.token_url());
    let ts = now_timestamp();
    let bad = with_header(
        signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts),
        "X-SIGNATURE",
        Some(&sign(PKCS1_PRIVATE_KEY, DEMO_CLIENT, &ts)),
    );
    post_with(&server.token_url(), &bad, BODY);
    request_with_scenario(&server, DEMO_CLIENT, Some("general-error"));

    let journal = requests(&server, "");
    let entries = journal["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(journal["recorded"], 3);
    assert_eq!(journal["dropped"], 0);

    let scenario = &entries[0];
    assert_eq!(scenario["scenario"], "general-error");
    assert_eq!(scenario["outcome"]["responseCode"], "5007300");
    assert_eq!(scenario["decidedBy"], "scenario");

    let failure = &entries[1];
    assert_eq!(failure["outcome"]["status"], 401);
    assert_eq!(failure["outcome"]["responseCode"], "4017300");
    assert_eq!(
        failure["outcome"]["responseMessage"],
        "Unauthorized. Invalid Signature"
    );
    assert_eq!(failure["decidedBy"], "signature");
    assert_eq!(failure["stringToSign"], format!("{DEMO_CLIENT}|{ts}"));
    assert_eq!(failure["clientKey"], DEMO_CLIENT);
    assert!(
        failure["reason"].as_str().unwrap().contains("SHA256:"),
        "{failure}"
    );
    assert_eq!(failure["method"], "POST");
    assert_eq!(failure["path"], FINPAY_PATH);
    assert_eq!(failure["body"], BODY);
    let headers = failure["headers"].as_array().unwrap();
    assert!(
        headers
            .iter()
            .any(|h| h[0] == "x-timestamp" && h[1] == ts.as_str()),
        "{headers:?}"
    );

    let success = &entries[2];
    assert_eq!(success["outcome"]["responseCode"], "2007300");
    assert_eq!(success["decidedBy"], "issued");
    assert!(success["time"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn the_journal_filters_by_client_key_and_code_and_clears() {
    let server = start();
    request_token(&server.token_url());
    request_with_scenario(&server, "mock-5007300", None);
    request_with_scenario(&server, "mock-5007300", None);
    assert_eq!(
        requests(&server, "?clientKey=mock-5007300")["requests"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        requests(&server, "?responseCode=2007300")["requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        requests(&server, "?limit=1")["requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    admin(&server, "DELETE", "/requests", None).expect(200, "2000000", "Successful");
    let cleared = requests(&server, "");
    assert_eq!(cleared["requests"].as_array().unwrap().len(), 0);
    assert_eq!(cleared["recorded"], 0);
}

#[test]
fn the_journal_is_bounded_and_counts_what_it_dropped() {
    let server = start_with(|c| c.journal_capacity = 2);
    for _ in 0..5 {
        request_with_scenario(&server, "mock-4097300", None);
    }
    let j = requests(&server, "");
    assert_eq!(j["requests"].as_array().unwrap().len(), 2);
    assert_eq!(
        (j["recorded"].as_u64(), j["dropped"].as_u64()),
        (Some(5), Some(3))
    );
    let off = start_with(|c| c.journal_capacity = 0);
    request_token(&off.token_url());
    let j = requests(&off, "");
    assert_eq!(j["requests"].as_array().unwrap().len(), 0);
    assert_eq!(
        (j["recorded"].as_u64(), j["dropped"].as_u64()),
        (Some(1), Some(1))
    );
}

#[test]
fn long_bodies_are_cut_in_the_journal() {
    let server = start_with(|c| c.journal_body_limit = 10);
    request_token(&server.token_url());
    let entry = &requests(&server, "")["requests"][0];
    assert_eq!(entry["body"], &BODY[..10]);
    assert_eq!(entry["bodyTruncated"], true);
    assert_eq!(entry["bodyBytes"], BODY.len());
}

#[test]
fn scenarios_are_added_listed_and_removed_at_runtime() {
    let server = start();
    let listed = admin(&server, "GET", "/scenarios", None).json();
    let names: Vec<&str> = listed["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"general-error") && names.contains(&"timeout"),
        "{names:?}"
    );

    admin(
        &server,
        "POST",
        "/scenarios",
        Some(r#"{"name":"demo-down","match":{"clientKey":"demo-client"},"respond":{"responseCode":"5007300"},"times":1}"#),
    )
    .expect(201, "2010000", "Successful");
    let first = &admin(&server, "GET", "/scenarios", None).json()["scenarios"][0];
    assert_eq!(
        (
            first["name"].as_str(),
            first["source"].as_str(),
            first["remaining"].as_u64()
        ),
        (Some("demo-down"), Some("runtime"), Some(1))
    );
    request_token(&server.token_url()).expect(500, "5007300", "General Error");
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );

    admin(
        &server,
        "POST",
        "/scenarios",
        Some(
            r#"{"name":"demo-down","match":{"clientKey":"demo-client"},"respond":{"responseCode":"4297300"}}"#,
        ),
    );
    request_token(&server.token_url()).expect(429, "4297300", "Too Many Requests");
    admin(&server, "DELETE", "/scenarios/demo-down", None).expect(200, "2000000", "Successful");
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    admin(&server, "DELETE", "/scenarios/demo-down", None).expect(404, "4040000", "Not Found");
}

#[test]
fn invalid_runtime_scenarios_are_refused_with_the_reason() {
    let server = start();
    for (body, expected) in [
        (
            r#"{"name":"x","respond":{"responseCode":"4187300"}}"#,
            "not in the SNAP code table",
        ),
        (r#"{"name":"x","fault":"explode"}"#, "unknown variant"),
        (r#"not json"#, "invalid JSON"),
    ] {
        let answer = admin(&server, "POST", "/scenarios", Some(body));
        answer.expect(400, "4000000", "Bad Request");
        assert!(
            answer.json()["error"].as_str().unwrap().contains(expected),
            "{}",
            answer.text
        );
    }
}

#[test]
fn reset_restores_the_file_scenarios_and_drops_runtime_ones() {
    let server = start();
    admin(&server, "DELETE", "/scenarios/general-error", None).expect(200, "2000000", "Successful");
    admin(
        &server,
        "POST",
        "/scenarios",
        Some(r#"{"name":"extra","delayMs":1}"#),
    );
    admin(&server, "POST", "/scenarios/reset", None).expect(200, "2000000", "Successful");
    let names: Vec<String> = admin(&server, "GET", "/scenarios", None).json()["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"general-error".to_owned()));
    assert!(!names.contains(&"extra".to_owned()));
}

#[test]
fn reload_reads_the_file_again_and_a_broken_file_keeps_the_previous_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenarios.json");
    std::fs::write(&file, r#"{"scenarios":[{"name":"one","match":{"clientKey":"x"},"respond":{"responseCode":"5007300"}}]}"#).unwrap();
    let server = start_with(|c| c.scenarios = Some(snap_mock::Source::File(file.clone())));
    std::fs::write(&file, r#"{"scenarios":[{"name":"two","match":{"clientKey":"x"},"respond":{"responseCode":"5007301"}}]}"#).unwrap();
    admin(&server, "POST", "/scenarios/reload", None).expect(200, "2000000", "Successful");
    request_with_scenario(&server, "x", None).expect(500, "5007301", "Internal Server Error");

    std::fs::write(
        &file,
        r#"{"scenarios":[{"name":"three","respond":{"responseCode":"9"}}]}"#,
    )
    .unwrap();
    let answer = admin(&server, "POST", "/scenarios/reload", None);
    answer.expect(400, "4000000", "Bad Request");
    let error = answer.json()["error"].as_str().unwrap().to_owned();
    assert!(
        error.contains("scenarios.json") && error.contains("scenario #1 \"three\""),
        "{error}"
    );
    request_with_scenario(&server, "x", None).expect(500, "5007301", "Internal Server Error");
}

#[test]
fn clients_are_registered_listed_and_removed_at_runtime() {
    let server = start();
    let pem = std::fs::read_to_string("keys/other-client.public.pem").unwrap();
    let body = serde_json::json!({"clientKey": "runtime-client", "publicKey": pem, "name": "added by a test"});
    let answer = admin(&server, "POST", "/clients", Some(&body.to_string()));
    answer.expect(201, "2010000", "Successful");
    assert!(answer.json()["publicKeyFingerprint"]
        .as_str()
        .unwrap()
        .starts_with("SHA256:"));

    let headers = signed_headers(PKCS1_PRIVATE_KEY, "runtime-client", &now_timestamp());
    post_with(&server.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );

    let clients = admin(&server, "GET", "/clients", None).json();
    let keys: Vec<&str> = clients["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["clientKey"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"runtime-client") && keys.contains(&DEMO_CLIENT),
        "{keys:?}"
    );

    admin(&server, "DELETE", "/clients/runtime-client", None).expect(200, "2000000", "Successful");
    let headers = signed_headers(PKCS1_PRIVATE_KEY, "runtime-client", &now_timestamp());
    post_with(&server.token_url(), &headers, BODY).expect(
        401,
        "4017300",
        "Unauthorized. Unknown Client",
    );
}

#[test]
fn registering_a_client_by_path_or_with_a_broken_key_is_refused() {
    let server = start();
    for (body, expected) in [
        (
            r#"{"clientKey":"c","publicKey":"/etc/passwd"}"#,
            "not a path",
        ),
        (
            r#"{"clientKey":"c","publicKey":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}"#,
            "public key",
        ),
        (
            r#"{"clientKey":"has space","publicKey":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}"#,
            "printable ASCII",
        ),
    ] {
        let answer = admin(&server, "POST", "/clients", Some(body));
        answer.expect(400, "4000000", "Bad Request");
        assert!(
            answer.json()["error"].as_str().unwrap().contains(expected),
            "{}",
            answer.text
        );
    }
}

#[test]
fn the_admin_api_can_be_turned_off() {
    let server = start_with(|c| c.admin = snap_mock::AdminMode::Off);
    const OFF: &str =
        "Not Found: the admin API is off; start snap-mock with --admin on or --admin-token <token>";
    admin(&server, "GET", "/requests", None).expect(404, "4040000", OFF);
    let answer = admin(&server, "POST", "/scenarios", Some("{}"));
    answer.expect(404, "4040000", OFF);
    assert!(
        answer.json()["error"]
            .as_str()
            .unwrap()
            .contains("turned off (--admin off / --no-admin)"),
        "{}",
        answer.text
    );
    // Elsewhere a 404 stays a plain one.
    get(&format!("{}/__adminx", server.uri())).expect(404, "4040000", "Not Found");
}

#[test]
fn with_a_token_the_admin_api_needs_it() {
    let server = start_with(|c| c.admin_token = Some("s3cret".into()));
    admin(&server, "GET", "/requests", None).expect(401, "4010000", "Unauthorized");
    let url = format!("{}/__admin/requests", server.uri());
    send("GET", &url, &[("Authorization", "Bearer wrong")], None).expect(
        401,
        "4010000",
        "Unauthorized",
    );
    send("GET", &url, &[("Authorization", "Bearer s3cret")], None).expect(
        200,
        "2000000",
        "Successful",
    );
}

#[test]
fn the_admin_prefix_is_configurable() {
    let server = start_with(|c| c.admin_prefix = "/_mock".into());
    get(&format!("{}/_mock/scenarios", server.uri())).expect(200, "2000000", "Successful");
    get(&format!("{}/__admin/scenarios", server.uri())).expect(404, "4040000", "Not Found");
    get(&format!("{}/_mock/nope", server.uri())).expect(404, "4040000", "Not Found");
}

#[test]
fn a_bad_scenarios_file_stops_start_up_naming_the_file_and_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenarios.json");
    std::fs::write(
        &file,
        r#"{"scenarios":[{"name":"ok","delayMs":1},{"name":"broken","fault":"meltdown"}]}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_snap-mock"))
        .args(["--port", "0", "--scenarios"])
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(file.to_str().unwrap()) && stderr.contains("scenario #2 \"broken\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("meltdown") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn sighup_reloads_the_scenarios_and_keeps_them_when_the_file_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenarios.json");
    std::fs::write(&file, r#"{"scenarios":[]}"#).unwrap();
    let server = spawn_binary(|cmd| {
        cmd.args(["--port", "0", "--scenarios"]).arg(&file);
    });
    let uri = server.uri.clone();
    let url = format!("{uri}{FINPAY_PATH}");
    let hup = |pid: u32| {
        assert!(Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .unwrap()
            .success())
    };
    let status = || {
        let headers = signed_headers(DEMO_PRIVATE_KEY, "hup-client", &now_timestamp());
        post_with(&url, &headers, BODY).status
    };
    assert_eq!(status(), 401);
    std::fs::write(&file, r#"{"scenarios":[{"name":"n","match":{"clientKey":"hup-client"},"respond":{"responseCode":"4097300"}}]}"#).unwrap();
    hup(server.child.id());
    eventually("SIGHUP to load the new scenario", || status() == 409);
    std::fs::write(&file, "{ broken").unwrap();
    hup(server.child.id());
    // The reload ran (and failed) before this line is logged.
    let line = server.expect_line("scenarios not reloaded");
    assert!(line.contains("scenarios.json"), "{line}");
    assert_eq!(
        status(),
        409,
        "a broken file must leave the previous scenarios in force"
    );
}

#[test]
fn answers_made_outside_any_route_are_journaled_too() {
    let server = start_with(|c| c.max_headers = 8);
    get(&format!("{}/nowhere", server.uri())).expect(404, "4040000", "Not Found");
    send("GET", &server.token_url(), &[], None).expect(
        405,
        "4057300",
        "Requested Function Is Not Supported",
    );
    let crowded: Vec<(String, String)> = (0..10)
        .map(|i| (format!("X-H{i}"), "v".to_string()))
        .collect();
    post_with(&server.token_url(), &crowded, BODY).expect(
        431,
        "4310000",
        "Request Header Fields Too Large",
    );
    let entries = server.requests().unwrap();
    let seen: Vec<(&str, Option<&str>, snap_mock::Step)> = entries
        .iter()
        .map(|e| {
            (
                e.path.as_str(),
                e.outcome.response_code.as_deref(),
                e.decided_by,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (FINPAY_PATH, Some("4310000"), snap_mock::Step::HeaderLimits),
            (FINPAY_PATH, Some("4057300"), snap_mock::Step::Method),
            ("/nowhere", Some("4040000"), snap_mock::Step::Route),
        ]
    );
    // The admin listing names the steps as the README does.
    let listed = requests(&server, "?limit=3");
    let names: Vec<&str> = listed["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["decidedBy"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["header-limits", "method", "route"]);
}

#[test]
fn an_embedder_registers_a_client_adds_and_removes_a_scenario_and_resets() {
    let server = start();
    let keys = snap_mock::ClientKeyPair::generate(2048).unwrap();
    server
        .register_client("embedded", &keys.public_key_pem().unwrap(), None)
        .unwrap();
    let refused = server
        .register_client("bad", "not a pem", None)
        .unwrap_err();
    assert!(
        matches!(&refused, snap_mock::MockError::InvalidClient { client_key, reason }
            if client_key == "bad" && matches!(reason, snap_mock::InvalidClient::PemRequired)),
        "{refused:?}"
    );
    assert!(matches!(
        server.add_scenario_json(r#"{"name":"x"}"#),
        Err(snap_mock::MockError::InvalidScenario(_))
    ));
    let ts = now_timestamp();
    let headers = signed_headers(&keys.private_key_pem().unwrap(), "embedded", &ts);
    post_with(&server.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    server
        .add_scenario_json(
            r#"{"name":"e","match":{"clientKey":"embedded"},"respond":{"responseCode":"5047300"},"times":1}"#,
        )
        .unwrap();
    assert!(server.add_scenario_json(r#"{"name":"x"}"#).is_err());
    post_with(&server.token_url(), &headers, BODY).expect(504, "5047300", "Timeout");
    post_with(&server.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    assert_eq!(server.requests().unwrap().len(), 3);
    assert!(server.token_url().ends_with(server.token_path()));
    assert_eq!(server.token_path(), "/pg/snap/oauth/v1.0/access-token/b2b");
    assert!(server.remove_scenario("e").unwrap());
    assert!(!server.remove_scenario("e").unwrap());
    assert!(server.remove_client("embedded").unwrap());
    assert!(!server.remove_client("embedded").unwrap());
    post_with(&server.token_url(), &headers, BODY).expect(
        401,
        "4017300",
        "Unauthorized. Unknown Client",
    );
    server.reset().unwrap();
    assert!(server.requests().unwrap().is_empty());
}

#[test]
fn scenarios_are_capped_in_number_and_name_length() {
    let server = start_with(|c| c.scenarios = None);
    for i in 0..1000 {
        server
            .add_scenario_json(&format!(r#"{{"name":"s{i}","delayMs":1}}"#))
            .unwrap();
    }
    let answer = admin(
        &server,
        "POST",
        "/scenarios",
        Some(r#"{"name":"one-more","delayMs":1}"#),
    );
    answer.expect(400, "4000000", "Bad Request");
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("1000 scenarios"));
    // Replacing one in force is still fine.
    admin(
        &server,
        "POST",
        "/scenarios",
        Some(r#"{"name":"s1","delayMs":2}"#),
    )
    .expect(201, "2010000", "Successful");
    let long = format!(r#"{{"name":"{}","delayMs":1}}"#, "n".repeat(101));
    admin(&server, "POST", "/scenarios", Some(&long)).expect(400, "4000000", "Bad Request");
    // An unknown selector's message stays short however many are loaded.
    let answer = request_with_scenario(&server, DEMO_CLIENT, Some("nope"));
    answer.expect(400, "4007300", "Bad Request");
    let reason = server.requests().unwrap()[0].reason.clone().unwrap();
    assert!(
        reason.contains("and 990 more") && reason.len() < 400,
        "{reason}"
    );
}

#[test]
fn runtime_changes_survive_a_reload_of_the_files_and_reset_drops_them() {
    let dir = tempfile::tempdir().unwrap();
    let clients = dir.path().join("clients.json");
    std::fs::write(
        &clients,
        r#"{"clients":[{"clientKey":"demo-client","publicKey":"demo-client.public.pem"}]}"#,
    )
    .unwrap();
    let scenarios = dir.path().join("scenarios.json");
    std::fs::write(
        &scenarios,
        r#"{"scenarios":[{"name":"file-one","delayMs":1}]}"#,
    )
    .unwrap();
    let server = start_with(|c| {
        c.clients = snap_mock::Source::File(clients.clone());
        c.keys_dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/keys"));
        c.scenarios = Some(snap_mock::Source::File(scenarios.clone()));
    });
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/keys/demo-client.public.pem"
    ))
    .unwrap();
    let entry = serde_json::json!({"clientKey": "runtime-client", "publicKey": pem});
    admin(&server, "POST", "/clients", Some(&entry.to_string())).expect(
        201,
        "2010000",
        "Successful",
    );
    admin(
        &server,
        "POST",
        "/scenarios",
        Some(r#"{"name":"runtime-one","delayMs":1}"#),
    )
    .expect(201, "2010000", "Successful");
    admin(&server, "DELETE", "/scenarios/file-one", None).expect(200, "2000000", "Successful");

    admin(&server, "POST", "/clients/reload", None).expect(200, "2000000", "Successful");
    admin(&server, "POST", "/scenarios/reload", None).expect(200, "2000000", "Successful");
    let token_for = |client: &str| {
        let headers = signed_headers(DEMO_PRIVATE_KEY, client, &now_timestamp());
        post_with(&server.token_url(), &headers, BODY).code()
    };
    assert_eq!(
        token_for("runtime-client"),
        "2007300",
        "a registration survives a reload"
    );
    let names = |server: &snap_mock::MockServer| -> Vec<String> {
        admin(server, "GET", "/scenarios", None).json()["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&server),
        ["runtime-one"],
        "an addition and a removal survive"
    );

    admin(&server, "POST", "/reset", None).expect(200, "2000000", "Successful");
    assert_eq!(token_for("runtime-client"), "4017300");
    assert_eq!(token_for(DEMO_CLIENT), "2007300");
    assert_eq!(names(&server), ["file-one"]);
}

#[test]
fn the_journal_is_read_a_page_at_a_time_by_count_and_by_bytes() {
    // 12 bodies of 200 KB: the whole journal is ~2.4 MB, a page at most ~1 MiB.
    let server = start_with(|c| {
        c.max_body_bytes = 256 * 1024;
        c.journal_body_limit = 256 * 1024;
    });
    let body = format!("{{\"grantType\":\"{}\"}}", "x".repeat(200 * 1024));
    for _ in 0..12 {
        send("POST", &server.token_url(), &[], Some(body.as_bytes()));
    }
    let mut seen = Vec::new();
    let mut query = String::new();
    let mut pages = 0;
    loop {
        let answer = admin(&server, "GET", &format!("/requests{query}"), None);
        answer.expect(200, "2000000", "Successful");
        assert!(
            answer.text.len() < 1024 * 1024 + 256 * 1024,
            "a page of {} bytes",
            answer.text.len()
        );
        let page = answer.json();
        let entries = page["requests"].as_array().unwrap();
        assert!(!entries.is_empty());
        seen.extend(entries.iter().map(|e| e["seq"].as_u64().unwrap()));
        pages += 1;
        match page.get("next") {
            Some(next) => query = format!("?before={next}"),
            None => break,
        }
    }
    assert!(pages >= 3, "{pages} pages");
    assert_eq!(seen.len(), 12, "every entry exactly once: {seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first: {seen:?}"
    );

    // By count: the default page is 100 entries, `limit` is capped at 1000.
    let small = start_with(|c| c.journal_capacity = 1500);
    for _ in 0..1100 {
        send("GET", &format!("{}/nowhere", small.uri()), &[], None);
    }
    let page = requests(&small, "");
    assert_eq!(page["requests"].as_array().unwrap().len(), 100);
    assert_eq!(page["limit"], 100);
    let page = requests(&small, "?limit=5000");
    assert_eq!(page["requests"].as_array().unwrap().len(), 1000);
    assert_eq!(page["limit"], 1000);
    let last = page["requests"][999]["seq"].as_u64().unwrap();
    assert_eq!(page["next"].as_u64(), Some(last));
    let rest = requests(&small, &format!("?limit=5000&before={last}"));
    assert_eq!(rest["requests"].as_array().unwrap().len(), 100);
    assert!(rest.get("next").is_none());
    // A misspelt parameter is named, not ignored.
    let answer = admin(&small, "GET", "/requests?clientkey=x", None);
    assert_eq!(answer.status, 400);
    assert!(answer.text.contains("clientkey"), "{}", answer.text);
    // A count is digits alone, and a page holds at least one entry.
    for bad in [
        "limit=%2B5",
        "limit=0",
        "limit=-1",
        "limit=5x",
        "limit=",
        "before=%2B3",
        "before=x",
    ] {
        let answer = admin(&small, "GET", &format!("/requests?{bad}"), None);
        assert_eq!(answer.status, 400, "{bad}: {}", answer.text);
        assert!(
            answer.text.contains("whole number"),
            "{bad}: {}",
            answer.text
        );
    }
}

#[test]
fn the_verify_endpoint_answers_as_a_request_would() {
    let server = start();
    let ts = now_timestamp();
    let verify = |body: serde_json::Value| {
        let answer = admin(&server, "POST", "/verify", Some(&body.to_string()));
        answer.expect(200, "2000000", "Successful");
        answer.json()
    };
    let good = sign(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts);
    let v =
        verify(serde_json::json!({"clientKey": DEMO_CLIENT, "timestamp": ts, "signature": good}));
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["stringToSign"], format!("{DEMO_CLIENT}|{ts}"));
    let bad = sign(PKCS1_PRIVATE_KEY, DEMO_CLIENT, &ts);
    let v =
        verify(serde_json::json!({"clientKey": DEMO_CLIENT, "timestamp": ts, "signature": bad}));
    assert_eq!(v["valid"], false);
    assert_eq!(v["wouldAnswer"]["responseCode"], "4017300");
    assert_eq!(v["wouldAnswer"]["decidedBy"], "signature");
    assert!(
        v["diagnosis"]
            .as_str()
            .unwrap()
            .contains("demo-client-pkcs1"),
        "{v}"
    );

    // A service call: symmetric with a token, asymmetric without.
    let sts = snap_mock::service_string_to_sign("POST", "/x?y=1", "tok", b"{}", &ts);
    let hmac = snap_mock::hmac_signature("demo-client-secret", &sts);
    let v = verify(
        serde_json::json!({"kind": "service", "clientKey": DEMO_CLIENT, "timestamp": ts,
        "signature": hmac, "method": "POST", "path": "/x?y=1", "body": "{}", "token": "tok"}),
    );
    assert_eq!(v["valid"], true, "{v}");
    let without_query = snap_mock::hmac_signature(
        "demo-client-secret",
        &snap_mock::service_string_to_sign("POST", "/x", "tok", b"{}", &ts),
    );
    let v = verify(
        serde_json::json!({"kind": "service", "clientKey": DEMO_CLIENT, "timestamp": ts,
        "signature": without_query, "method": "POST", "path": "/x?y=1", "body": "{}", "token": "tok"}),
    );
    assert_eq!(v["valid"], false);
    assert!(
        v["diagnosis"].as_str().unwrap().contains("query string"),
        "{v}"
    );
    let v = verify(
        serde_json::json!({"kind": "service", "clientKey": DEMO_CLIENT, "timestamp": ts,
        "signature": hmac, "method": "POST", "path": "/x?y=1", "body": "{}"}),
    );
    assert_eq!(v["valid"], false);
    assert!(
        v["diagnosis"].as_str().unwrap().contains("HMAC-SHA512"),
        "{v}"
    );

    let answer = admin(&server, "POST", "/verify", Some(r#"{"clientKey": "x"}"#));
    assert_eq!(answer.status, 400, "{}", answer.text);
}

#[test]
fn the_admin_token_is_accepted_as_basic_and_the_inspector_sets_a_cookie_for_its_own_calls() {
    let server = start_with(|c| c.admin_token = Some("s3cret".into()));
    let url = |p: &str| format!("{}/__admin{p}", server.uri());
    use base64::Engine;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("admin:s3cret")
    );
    let wrong = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("admin:nope")
    );
    let other_user = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("mallory:s3cret")
    );
    send(
        "GET",
        &url("/requests"),
        &[("Authorization", &other_user)],
        None,
    )
    .expect(401, "4010000", "Unauthorized");
    send("GET", &url("/requests"), &[("Authorization", &wrong)], None).expect(
        401,
        "4010000",
        "Unauthorized",
    );
    let page = send("GET", &url("/ui"), &[("Authorization", &basic)], None);
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(page.text.contains("<title>snap-mock inspector</title>"));
    assert!(page
        .header("content-security-policy")
        .is_some_and(|c| c.contains("default-src 'none'")));
    let cookie = page.header("set-cookie").unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Max-Age=28800")
            && !cookie.contains("Secure")
            && !cookie.contains("s3cret"),
        "{cookie}"
    );
    // Not the token's plain SHA-256 (a replayable credential) any more.
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(b"s3cret")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!cookie.contains(&sha), "{cookie}");
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert!(page
        .header("content-security-policy")
        .is_some_and(|c| c.contains("frame-ancestors 'none'") && !c.contains("unsafe-inline")));
    let pair = cookie.split(';').next().unwrap();
    send("GET", &url("/requests"), &[("Cookie", pair)], None).expect(200, "2000000", "Successful");
    send(
        "GET",
        &url("/requests"),
        &[("Cookie", "snap_mock_admin=forged")],
        None,
    )
    .expect(401, "4010000", "Unauthorized");
    // The cookie expires with the server's clock.
    server
        .clock()
        .advance(std::time::Duration::from_secs(8 * 3600));
    send("GET", &url("/requests"), &[("Cookie", pair)], None).expect(
        401,
        "4010000",
        "Unauthorized",
    );
}

/// An admin call as raw HTTP, every header as given (Host included).
fn raw_admin(
    server: &snap_mock::MockServer,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> (u16, String) {
    let mut request = format!("{method} /__admin{path} HTTP/1.1\r\nConnection: close\r\n");
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    let answer = raw_exchange(server.address(), &request).unwrap();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

const EVIL_SCENARIO: &str = r#"{"name":"evil","respond":{"responseCode":"5007300"}}"#;

fn scenario_names(server: &snap_mock::MockServer) -> Vec<String> {
    admin(server, "GET", "/scenarios", None).json()["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_web_page_cannot_change_the_admin_state_by_form_or_no_cors_fetch() {
    let server = start();
    let host = format!("Host: {}", server.address());
    let own_origin = format!("Origin: http://{}", server.address());
    // What a browser sends for a text/plain form or a no-cors fetch from a
    // page on another port of 127.0.0.1, or on localhost.
    for attempt in [
        vec![
            host.as_str(),
            "Content-Type: text/plain",
            "Origin: http://127.0.0.1:1",
            "Sec-Fetch-Site: same-site",
        ],
        vec![
            host.as_str(),
            "Content-Type: application/x-www-form-urlencoded",
            "Origin: http://localhost:9",
        ],
        vec![
            host.as_str(),
            "Content-Type: application/json",
            "Origin: http://localhost:9",
        ],
        vec![
            host.as_str(),
            "Content-Type: application/json",
            "Sec-Fetch-Site: cross-site",
        ],
        vec![
            host.as_str(),
            "Content-Type: application/json",
            "Origin: null",
        ],
        vec![host.as_str(), "Content-Type: text/plain"],
        vec![host.as_str()],
    ] {
        let (status, text) = raw_admin(&server, "POST", "/scenarios", &attempt, EVIL_SCENARIO);
        assert_eq!(status, 403, "{attempt:?}: {text}");
        assert!(text.contains(r#""responseCode":"4030001""#), "{text}");
        assert!(
            text.contains("Origin")
                || text.contains("Content-Type")
                || text.contains("Sec-Fetch-Site"),
            "{text}"
        );
    }
    let (status, _) = raw_admin(
        &server,
        "POST",
        "/reset",
        &[&host, "Content-Type: text/plain"],
        "",
    );
    assert_eq!(status, 403);
    let (status, _) = raw_admin(
        &server,
        "DELETE",
        "/requests",
        &[&host, "Sec-Fetch-Site: cross-site"],
        "",
    );
    assert_eq!(status, 403);
    assert!(!scenario_names(&server).contains(&"evil".to_owned()));
    // The inspector page's own calls, and plain clients, still work.
    let (status, text) = raw_admin(
        &server,
        "POST",
        "/scenarios",
        &[
            &host,
            "Content-Type: application/json",
            &own_origin,
            "Sec-Fetch-Site: same-origin",
        ],
        EVIL_SCENARIO,
    );
    assert_eq!(status, 201, "{text}");
    assert!(scenario_names(&server).contains(&"evil".to_owned()));
}

#[test]
fn a_host_name_the_server_does_not_know_gets_403_unless_allowed() {
    let server = start();
    for path in ["/requests", "/ui", "/scenarios"] {
        let (status, text) = raw_admin(&server, "GET", path, &["Host: evil.example"], "");
        assert_eq!(status, 403, "{path}: {text}");
        assert!(text.contains("--admin-allowed-host evil.example"), "{text}");
    }
    let (status, _) = raw_admin(
        &server,
        "POST",
        "/scenarios",
        &["Host: evil.example:8080", "Content-Type: application/json"],
        EVIL_SCENARIO,
    );
    assert_eq!(status, 403);
    for host in [
        "Host: localhost:8080",
        "Host: 127.0.0.1",
        "Host: [::1]:80",
        "Host: 172.17.0.2:8080",
    ] {
        let (status, text) = raw_admin(&server, "GET", "/requests", &[host], "");
        assert_eq!(status, 200, "{host}: {text}");
    }
    let allowed = start_with(|c| c.admin_allowed_hosts = vec!["snap-mock".into()]);
    let (status, text) = raw_admin(&allowed, "GET", "/requests", &["Host: snap-mock:8080"], "");
    assert_eq!(status, 200, "{text}");
    let (status, _) = raw_admin(&allowed, "GET", "/requests", &["Host: evil.example"], "");
    assert_eq!(status, 403);
    // SNAP routes are not the admin API: any Host reaches them.
    let (status, _) = {
        let answer = raw_exchange(
            server.address(),
            "GET /health HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let text = String::from_utf8_lossy(&answer).into_owned();
        (text.starts_with("HTTP/1.1 200"), text)
    };
    assert!(status);
}

#[test]
fn the_journal_cuts_a_long_request_target_and_hides_basic_credentials() {
    let server = start_with(|c| c.journal_body_limit = 100);
    let query = "q=".to_owned() + &"x".repeat(60_000);
    send(
        "GET",
        &format!("{}/nowhere/{}?{query}", server.uri(), "p".repeat(300)),
        &[("Authorization", "Basic YWRtaW46czNjcmV0LXBhc3N3b3Jk")],
        None,
    )
    .expect(404, "4040000", "Not Found");
    let entry = &admin(&server, "GET", "/requests?limit=1", None).json()["requests"][0];
    let path = entry["path"].as_str().unwrap();
    assert!(
        path.starts_with("/nowhere/ppp") && path.len() <= 100,
        "{path}"
    );
    assert!(
        entry["query"].is_null() || entry["query"].as_str().unwrap().len() <= 100,
        "{entry}"
    );
    assert_eq!(entry["targetTruncated"], true);
    let authorization = entry["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "authorization")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        authorization.starts_with("Basic …[redacted sha256:"),
        "{authorization}"
    );
    assert!(!authorization.contains("YWRt"), "{authorization}");
    // A short target is kept whole and says nothing.
    get(&format!("{}/short?a=1", server.uri()));
    let entry = &admin(&server, "GET", "/requests?limit=1", None).json()["requests"][0];
    assert_eq!(entry["path"], "/short");
    assert_eq!(entry["query"], "a=1");
    assert!(entry.get("targetTruncated").is_none(), "{entry}");
}
