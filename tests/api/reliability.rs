//! Limits, faults and shutdown: slowloris, keep-alive, oversized heads,
//! graceful stop under load, admin exposure, reloads with broken files.

use crate::helpers::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

/// Reads until the server closes the connection; returns what it sent and
/// when it closed, or None when it stayed open past `limit`.
fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<(Vec<u8>, Duration)> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while started.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return Some((out, started.elapsed())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return Some((out, started.elapsed())),
        }
    }
    None
}

#[test]
fn a_client_that_sends_its_head_a_byte_at_a_time_is_cut_off_at_the_request_timeout() {
    let server = start_with(|c| c.client_request_timeout = Duration::from_millis(1000));
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(1)))
        .unwrap();
    let started = Instant::now();
    stream
        .write_all(b"POST /pg/snap/oauth/v1.0/access-token/b2b HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    // A byte every 100 ms, for as long as the server listens: the head
    // never completes, so only the request timeout can end this.
    let mut answer = Vec::new();
    let mut buf = [0u8; 512];
    eventually("the server to cut off the slow client", || {
        std::thread::sleep(Duration::from_millis(100));
        if stream.write_all(b"a").is_err() {
            return true;
        }
        match stream.read(&mut buf) {
            Ok(0) => true,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                false
            }
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        }
    });
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "cut off before the timeout: {:?}",
        started.elapsed()
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    // The server still serves everyone else.
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_keep_alive_time() {
    let server = start_with(|c| c.keep_alive = Duration::from_secs(1));
    let mut stream = TcpStream::connect(server.address()).unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (bytes, closed_after) =
        read_until_closed(&mut stream, Duration::from_secs(30)).expect("closed");
    assert!(String::from_utf8_lossy(&bytes).starts_with("HTTP/1.1 200"));
    assert!(
        closed_after >= Duration::from_millis(500),
        "closed after {closed_after:?}, before the keep-alive time"
    );
}

#[test]
fn oversized_or_too_many_headers_are_refused_and_the_server_stays_up() {
    let server = start();
    let many: String = (0..200).map(|i| format!("X-H{i}: v\r\n")).collect();
    let huge = format!("X-Big: {}\r\n", "a".repeat(128 * 1024));
    for extra in [many, huge] {
        let request =
            format!("POST {FINPAY_PATH} HTTP/1.1\r\nHost: x\r\n{extra}Content-Length: 0\r\n\r\n");
        match raw_exchange(server.address(), &request) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    text.is_empty() || text.starts_with("HTTP/1.1 4"),
                    "{}",
                    &text[..text.len().min(200)]
                );
            }
            // The server may refuse the head by closing while the client
            // is still writing it.
            Err(e) => assert!(
                matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::BrokenPipe
                        | std::io::ErrorKind::ConnectionAborted
                ),
                "{e}"
            ),
        }
    }
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
}

#[test]
fn sigterm_under_load_answers_every_accepted_request_then_exits_zero() {
    let mut server = spawn_binary(|cmd| {
        cmd.args(["--port", "0", "--shutdown-timeout", "5"]);
    });
    let uri = server.uri.clone();
    // Every demo-client request takes 800 ms, then gets its token.
    send(
        "POST",
        &format!("{uri}/__admin/scenarios"),
        &[("Content-Type", "application/json")],
        Some(br#"{"name":"slow","match":{"clientKey":"demo-client"},"delayMs":800,"times":1000}"#),
    )
    .expect(201, "2010000", "Successful");
    let url = format!("{uri}{FINPAY_PATH}");
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || request_token(&url).status)
        })
        .collect();
    // Every request has reached the server (and is held for 800 ms) once
    // the scenario has counted 16 uses: no guess at how long that takes.
    eventually("the 16 requests to reach the server", || {
        let listing = get(&format!("{uri}/__admin/scenarios")).json();
        listing["scenarios"]
            .as_array()
            .and_then(|list| list.iter().find(|s| s["name"] == "slow"))
            .is_some_and(|s| s["remaining"] == 1000 - 16)
    });
    assert!(Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let statuses: Vec<u16> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(
        statuses,
        vec![200; 16],
        "every in-flight request is answered"
    );
    let mut status = None;
    eventually("the server to exit after SIGTERM", || {
        status = server.child.try_wait().unwrap();
        status.is_some()
    });
    let status = status.unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn the_admin_api_is_off_by_default_on_a_non_loopback_address_unless_protected() {
    let open = start_with(|c| c.host = "0.0.0.0".parse().unwrap());
    let url = |s: &snap_mock::MockServer| {
        format!("http://127.0.0.1:{}/__admin/requests", s.address().port())
    };
    let answer = get(&url(&open));
    answer.expect(
        404,
        "4040000",
        "Not Found: the admin API is off; start snap-mock with --admin on or --admin-token <token>",
    );
    assert!(
        answer.json()["error"]
            .as_str()
            .unwrap()
            .contains("non-loopback address (0.0.0.0)"),
        "{}",
        answer.text
    );
    // The token endpoint is served as usual.
    request_token(&format!(
        "http://127.0.0.1:{}{FINPAY_PATH}",
        open.address().port()
    ))
    .expect(200, "2007300", "Request has been processed successfully");
    let protected = start_with(|c| {
        c.host = "0.0.0.0".parse().unwrap();
        c.admin_token = Some("tok".into());
    });
    get(&url(&protected)).expect(401, "4010000", "Unauthorized");
    send(
        "GET",
        &url(&protected),
        &[("Authorization", "Bearer tok")],
        None,
    )
    .expect(200, "2000000", "Successful");
    let forced = start_with(|c| {
        c.host = "0.0.0.0".parse().unwrap();
        c.admin = snap_mock::AdminMode::On;
    });
    get(&url(&forced)).expect(200, "2000000", "Successful");
}

#[test]
fn a_key_file_that_disappears_keeps_the_client_and_a_reload_says_why() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("keys/demo-client.public.pem", dir.path().join("demo.pem")).unwrap();
    let clients = dir.path().join("clients.json");
    std::fs::write(
        &clients,
        r#"{"clients":[{"clientKey":"demo-client","publicKey":"demo.pem"}]}"#,
    )
    .unwrap();
    let server = start_with(|c| {
        c.clients = snap_mock::Source::File(clients.clone());
        c.keys_dir = dir.path().to_path_buf();
    });
    std::fs::remove_file(dir.path().join("demo.pem")).unwrap();
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    let answer = admin(&server, "POST", "/clients/reload", None);
    answer.expect(400, "4000000", "Bad Request");
    let error = answer.json()["error"].as_str().unwrap().to_owned();
    assert!(
        error.contains("demo.pem") && error.contains("previous clients stay"),
        "{error}"
    );
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    // Fixed again, the reload takes.
    std::fs::copy("keys/demo-client.public.pem", dir.path().join("demo.pem")).unwrap();
    admin(&server, "POST", "/clients/reload", None).expect(200, "2000000", "Successful");
}

#[test]
fn admin_uploads_are_size_limited() {
    let server = start();
    let big = format!(
        r#"{{"name":"x","delayMs":1,"description":"{}"}}"#,
        "a".repeat(300 * 1024)
    );
    let answer = admin(&server, "POST", "/scenarios", Some(&big));
    answer.expect(400, "4000000", "Bad Request");
    assert!(answer.json()["error"].as_str().unwrap().contains("limited"));
}

#[test]
fn a_body_announced_over_the_cap_is_refused_at_once_and_a_stalled_body_is_cut_off() {
    let server = start_with(|c| c.client_request_timeout = Duration::from_millis(1000));
    let ts = now_timestamp();
    let head = |length: usize| {
        format!(
            "POST {FINPAY_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-TIMESTAMP: {ts}\r\n\
             X-CLIENT-KEY: demo-client\r\nX-SIGNATURE: {}\r\nContent-Length: {length}\r\n\r\n{{",
            sign(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts)
        )
    };
    // An announced body over the cap is answered without waiting for it;
    // a stalled one is answered once the request timeout passes.
    for (length, at_least) in [
        (999_999_999, Duration::ZERO),
        (100, Duration::from_millis(1000)),
    ] {
        let mut stream = TcpStream::connect(server.address()).unwrap();
        let started = Instant::now();
        stream.write_all(head(length).as_bytes()).unwrap();
        // Time to the answer; the close may follow a little later.
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&bytes).contains("responseMessage")
            && started.elapsed() < Duration::from_secs(30)
        {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            started.elapsed() >= at_least,
            "{length}: answered after {:?}, before the timeout",
            started.elapsed()
        );
        if at_least.is_zero() {
            assert!(
                started.elapsed() < Duration::from_millis(900),
                "{length}: refused at once, not after {:?}",
                started.elapsed()
            );
        }
        assert!(text.starts_with("HTTP/1.1 400"), "{text}");
        assert!(text.contains(r#""responseCode":"4007300""#), "{text}");
    }
}

#[test]
fn header_limits_are_configurable_and_answer_snap_json() {
    let defaults = start();
    let many: Vec<(String, String)> = (0..70)
        .map(|i| (format!("X-H{i}"), "v".to_string()))
        .collect();
    let h: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let answer = send("POST", &defaults.token_url(), &h, Some(BODY.as_bytes()));
    answer.expect(431, "4310000", "Request Header Fields Too Large");
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("--max-headers"));

    let strict = start_with(|c| {
        c.max_headers = 8;
        c.max_header_bytes = 1000;
    });
    let signed = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    post_with(&strict.token_url(), &signed, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    let padded = with_header(signed.clone(), "X-Pad", Some(&"p".repeat(700)));
    post_with(&strict.token_url(), &padded, BODY).expect(
        431,
        "4310000",
        "Request Header Fields Too Large",
    );
    let mut crowded = signed;
    for i in 0..6 {
        crowded.push((format!("X-Extra-{i}"), "1".into()));
    }
    post_with(&strict.token_url(), &crowded, BODY).expect(
        431,
        "4310000",
        "Request Header Fields Too Large",
    );
}

#[test]
fn a_fixture_that_is_a_fifo_or_too_large_is_refused_at_once_and_the_old_state_stays() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("keys/demo-client.public.pem", dir.path().join("demo.pem")).unwrap();
    let clients = dir.path().join("clients.json");
    let good = r#"{"clients":[{"clientKey":"demo-client","publicKey":"demo.pem"}]}"#;
    std::fs::write(&clients, good).unwrap();
    let server = start_with(|c| {
        c.clients = snap_mock::Source::File(clients.clone());
        c.keys_dir = dir.path().to_path_buf();
        c.max_fixture_bytes = 4096;
    });
    // A FIFO nobody writes to: reading it would block a worker for good.
    std::fs::remove_file(&clients).unwrap();
    let made = Command::new("mkfifo").arg(&clients).status().unwrap();
    assert!(made.success());
    for _ in 0..3 {
        let started = Instant::now();
        let answer = admin(&server, "POST", "/clients/reload", None);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        answer.expect(400, "4000000", "Bad Request");
        let error = answer.json()["error"].as_str().unwrap().to_owned();
        assert!(
            error.contains("clients.json") && error.contains("not a regular file"),
            "{error}"
        );
    }
    get(&format!("{}/health", server.uri())).expect(200, "2000000", "Successful");
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    // A file over --max-fixture-bytes: refused with its size.
    std::fs::remove_file(&clients).unwrap();
    let padding = " ".repeat(5000);
    std::fs::write(&clients, format!("{good}{padding}")).unwrap();
    let answer = admin(&server, "POST", "/clients/reload", None);
    answer.expect(400, "4000000", "Bad Request");
    let error = answer.json()["error"].as_str().unwrap().to_owned();
    assert!(error.contains("4096-byte limit"), "{error}");
    // A link to a device is not a regular file either.
    std::fs::remove_file(&clients).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &clients).unwrap();
    let answer = admin(&server, "POST", "/clients/reload", None);
    assert!(answer.json()["error"]
        .as_str()
        .unwrap()
        .contains("not a regular file"));
    // Fixed again, the reload takes.
    std::fs::remove_file(&clients).unwrap();
    std::fs::write(&clients, good).unwrap();
    admin(&server, "POST", "/clients/reload", None).expect(200, "2000000", "Successful");
}

#[test]
fn the_binary_refuses_a_fifo_fixture_at_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scenarios.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_snap-mock"))
        .args(["--port", "0", "--scenarios"])
        .arg(&fifo)
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("scenarios.json") && stderr.contains("not a regular file"),
        "{stderr}"
    );
}

/// Sends `count` requests with `body_bytes` of body each, pipelined on one
/// connection, and counts the answers before the server closes it.
fn pipelined_answers(
    server: &snap_mock::MockServer,
    path: &str,
    count: usize,
    body_bytes: usize,
) -> usize {
    use std::io::{Read, Write};
    let body = format!(
        r#"{{"grantType":"client_credentials","pad":"{}"}}"#,
        "x".repeat(body_bytes)
    );
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let writer = {
        let mut stream = stream.try_clone().unwrap();
        let all = request.repeat(count);
        std::thread::spawn(move || {
            let _ = stream.write_all(all.as_bytes());
        })
    };
    let mut seen = Vec::new();
    let mut buf = [0u8; 65536];
    while seen.windows(9).filter(|w| w == b"HTTP/1.1 ").count() < count {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let _ = writer.join();
    seen.windows(9).filter(|w| w == b"HTTP/1.1 ").count()
}

/// Refusals that do not need the body (an unknown path, a wrong method, the
/// admin guard, introspection's bad request) used to leave it unread, and
/// actix closed the connection: of 20 pipelined 60 KB requests, 2 or 3 got
/// an answer. The rest of the body is now read after the answer.
#[test]
fn pipelined_requests_refused_without_their_body_are_all_answered() {
    let server = start_with(|c| c.admin_token = Some("secret".into()));
    for path in [
        "/nope",
        "/__admin/scenarios",
        "/introspect",
        "/health",
        FINPAY_PATH,
    ] {
        assert_eq!(
            pipelined_answers(&server, path, 20, 60_000),
            20,
            "pipelined to {path}"
        );
    }
    // Past the largest body any route takes (256 KiB) the server stops
    // draining; the first request is answered whatever follows.
    assert!(pipelined_answers(&server, "/nope", 3, 300_000) >= 1);
}
