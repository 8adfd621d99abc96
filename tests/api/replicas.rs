//! Three `snap-mock` processes sharing one real `redis-server`
//! (`--store redis://...`), as replicas behind a load balancer would: each
//! protocol guarantee holds across them, and a Redis outage is answered
//! clearly and recovered from.
//!
//! They need `redis-server` (Debian: `apt-get install redis-server`), which
//! `.ci/run` installs, so a plain `cargo test` lists them as ignored. Run
//! them with `cargo test --test api replicas:: -- --ignored`.

use crate::helpers::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::Duration;

const QRIS: &str = "/v1.0/qr/qr-mpm-generate";
const QRIS_BODY: &str = r#"{"partnerReferenceNo":"2020102900000000000001","amount":{"value":"12345678.00","currency":"IDR"},"merchantId":"008830"}"#;
const SECRET: &str = "demo-client-secret";
const B2B2C: &str = "/pg/snap/oauth/v1.0/access-token/b2b2c";

/// A `redis-server` of the test's own, on a free port of 127.0.0.1, with
/// nothing saved to disk; stopped on drop.
struct Redis {
    port: u16,
    child: Option<Child>,
}

impl Redis {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut redis = Self { port, child: None };
        redis.resume();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts it (again) on its port and waits until it answers PING.
    fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "redis-server did not start ({e}); install it (apt-get install redis-server)"
                )
            });
        self.child = Some(child);
        eventually("redis-server to answer PING", || self.ping());
    }

    fn ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }

    /// Makes it stall every client for `ms`: what a slow Redis looks like.
    fn pause(&self, ms: u32) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("redis answers");
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        s.write_all(format!("CLIENT PAUSE {ms} ALL\r\n").as_bytes())
            .unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"+OK\r\n");
    }

    /// Kills it: what a crashed or unreachable Redis looks like.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Three replicas on `redis`, each on its own port.
fn replicas(redis: &Redis, extra: &[&str]) -> Vec<Running> {
    (0..3)
        .map(|_| {
            spawn_binary(|cmd| {
                cmd.args(["--port", "0", "--store", &redis.url()])
                    .args(["--store-timeout-ms", "500"])
                    .args(extra);
            })
        })
        .collect()
}

fn token_from(uri: &str) -> String {
    let answer = request_token(&format!("{uri}{FINPAY_PATH}"));
    answer.expect(200, "2007300", "Request has been processed successfully");
    answer.json()["accessToken"].as_str().unwrap().to_owned()
}

/// A QRIS generate whose partnerReferenceNo is the external id, so that
/// each new id is a new transaction (generate has state).
fn qris_call(uri: &str, token: &str, external_id: &str) -> Answer {
    let body = QRIS_BODY.replace("2020102900000000000001", external_id);
    let headers = service_headers(token, SECRET, QRIS, &body, external_id);
    post_with(&format!("{uri}{QRIS}"), &headers, &body)
}

fn admin_at(uri: &str, method: &str, path: &str, body: Option<&str>) -> Answer {
    send(
        method,
        &format!("{uri}/__admin{path}"),
        &[("Content-Type", "application/json")],
        body.map(str::as_bytes),
    )
}

/// Runs `n` copies of `f` at once (released together by a barrier), the
/// i-th against replica `i % 3`, and gives back their answers.
fn at_once(
    nodes: &[Running],
    n: usize,
    f: impl Fn(&str) -> Answer + Send + Sync + 'static,
) -> Vec<Answer> {
    let f = Arc::new(f);
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (f, barrier) = (f.clone(), barrier.clone());
            let uri = nodes[i % nodes.len()].uri.clone();
            std::thread::spawn(move || {
                barrier.wait();
                f(&uri)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn the_same_external_id_sent_to_three_replicas_at_once_is_accepted_once() {
    let redis = Redis::start();
    let nodes = replicas(&redis, &[]);
    // A JWT from one replica verifies on every one: the key is shared by
    // configuration.
    let token = token_from(&nodes[0].uri);
    let answers = at_once(&nodes, 12, move |uri| {
        qris_call(uri, &token, "same-id-0001")
    });
    let codes: Vec<String> = answers.iter().map(Answer::code).collect();
    assert_eq!(
        codes.iter().filter(|c| *c == "2004700").count(),
        1,
        "exactly one 200: {codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "4094700").count(),
        11,
        "the rest conflict: {codes:?}"
    );
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn times_five_under_concurrent_load_over_three_replicas_fires_exactly_five_times() {
    let redis = Redis::start();
    let nodes = replicas(&redis, &[]);
    // Added on one replica, in force on all three.
    admin_at(
        &nodes[1].uri,
        "POST",
        "/scenarios",
        Some(r#"{"name":"five","match":{"clientKey":"demo-client"},"times":5,"respond":{"responseCode":"5007300"}}"#),
    )
    .expect(201, "2010000", "Successful");
    let answers = at_once(&nodes, 30, |uri| {
        request_token(&format!("{uri}{FINPAY_PATH}"))
    });
    let codes: Vec<String> = answers.iter().map(Answer::code).collect();
    assert_eq!(
        codes.iter().filter(|c| *c == "5007300").count(),
        5,
        "the scenario fired exactly 5 times: {codes:?}"
    );
    assert_eq!(codes.iter().filter(|c| *c == "2007300").count(), 25);
    let listed = admin_at(&nodes[2].uri, "GET", "/scenarios", None).json();
    let five = listed["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "five")
        .cloned()
        .expect("the scenario is listed on another replica");
    assert_eq!(five["remaining"], 0);
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn a_client_registered_on_one_replica_gets_tokens_from_the_others() {
    let redis = Redis::start();
    let nodes = replicas(&redis, &[]);
    let public_key = include_str!("../../keys/other-client.public.pem");
    let body = serde_json::json!({ "clientKey": "runtime-client", "publicKey": public_key });
    admin_at(&nodes[0].uri, "POST", "/clients", Some(&body.to_string())).expect(
        201,
        "2010000",
        "Successful",
    );
    for node in &nodes[1..] {
        let headers = signed_headers(PKCS1_PRIVATE_KEY, "runtime-client", &now_timestamp());
        post_with(&format!("{}{FINPAY_PATH}", node.uri), &headers, BODY).expect(
            200,
            "2007300",
            "Request has been processed successfully",
        );
    }
    // Removed on the third, unknown on the second.
    admin_at(&nodes[2].uri, "DELETE", "/clients/runtime-client", None).expect(
        200,
        "2000000",
        "Successful",
    );
    let headers = signed_headers(PKCS1_PRIVATE_KEY, "runtime-client", &now_timestamp());
    let refused = post_with(&format!("{}{FINPAY_PATH}", nodes[1].uri), &headers, BODY);
    assert_eq!(refused.code(), "4017300", "{}", refused.text);
    // A reset on one replica is a reset for all.
    admin_at(&nodes[0].uri, "POST", "/clients", Some(&body.to_string())).expect(
        201,
        "2010000",
        "Successful",
    );
    admin_at(&nodes[1].uri, "POST", "/reset", None).expect(200, "2000000", "Successful");
    let headers = signed_headers(PKCS1_PRIVATE_KEY, "runtime-client", &now_timestamp());
    let after_reset = post_with(&format!("{}{FINPAY_PATH}", nodes[2].uri), &headers, BODY);
    assert_eq!(after_reset.code(), "4017300", "{}", after_reset.text);
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn a_refresh_token_used_on_one_replica_is_refused_on_another() {
    let redis = Redis::start();
    let nodes = replicas(&redis, &[]);
    let ask = |uri: &str, body: &str| {
        let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
        post_with(&format!("{uri}{B2B2C}"), &headers, body)
    };
    let first = ask(
        &nodes[0].uri,
        r#"{"grantType":"AUTHORIZATION_CODE","authCode":"demo-auth-code"}"#,
    );
    first.expect(200, "2007400", "Request has been processed successfully");
    let refresh = first.json()["refreshToken"].as_str().unwrap().to_owned();
    let body = format!(r#"{{"grantType":"REFRESH_TOKEN","refreshToken":"{refresh}"}}"#);
    ask(&nodes[1].uri, &body).expect(200, "2007400", "Request has been processed successfully");
    let again = ask(&nodes[2].uri, &body);
    assert_eq!(again.code(), "4017402", "{}", again.text);
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn opaque_tokens_issued_by_one_replica_are_valid_on_the_others() {
    let redis = Redis::start();
    let nodes = replicas(&redis, &["--token-format", "opaque"]);
    let token = token_from(&nodes[0].uri);
    assert_eq!(token.len(), 64, "opaque: {token}");
    qris_call(&nodes[1].uri, &token, "opaque-0001").expect(200, "2004700", "Successful");
    let form = format!("token={token}");
    let intro = send(
        "POST",
        &format!("{}/introspect", nodes[2].uri),
        &[],
        Some(form.as_bytes()),
    );
    assert_eq!(intro.json()["active"], true, "{}", intro.text);
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn the_journal_read_from_any_replica_holds_the_requests_of_all_three() {
    let redis = Redis::start();
    let nodes = replicas(&redis, &[]);
    for (i, node) in nodes.iter().enumerate() {
        let mut headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
        headers.push(("X-Replica-Mark".into(), format!("mark-{i}")));
        post_with(&format!("{}{FINPAY_PATH}", node.uri), &headers, BODY).expect(
            200,
            "2007300",
            "Request has been processed successfully",
        );
    }
    let marks = |uri: &str| -> Vec<String> {
        let page = admin_at(uri, "GET", "/requests", None).json();
        page["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| {
                e["headers"].as_array()?.iter().find_map(|h| {
                    (h[0] == "x-replica-mark").then(|| h[1].as_str().unwrap_or_default().to_owned())
                })
            })
            .collect()
    };
    for node in &nodes {
        // Newest first, whichever replica answered.
        assert_eq!(
            marks(&node.uri),
            ["mark-2", "mark-1", "mark-0"],
            "{}",
            node.uri
        );
    }
    let page = admin_at(&nodes[1].uri, "GET", "/requests?limit=1", None).json();
    assert_eq!(page["recorded"], 3, "{page}");
    let next = page["next"].as_u64().expect("a cursor to older entries");
    let older = admin_at(
        &nodes[2].uri,
        "GET",
        &format!("/requests?before={next}"),
        None,
    )
    .json();
    assert_eq!(older["requests"].as_array().unwrap().len(), 2, "{older}");
    admin_at(&nodes[0].uri, "DELETE", "/requests", None).expect(200, "2000000", "Successful");
    assert!(marks(&nodes[2].uri).is_empty(), "cleared for every replica");
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn the_shared_journal_is_capped_at_the_journal_size() {
    let redis = Redis::start();
    let nodes = replicas(&redis, &["--journal-size", "2"]);
    for node in &nodes {
        token_from(&node.uri);
    }
    let page = admin_at(&nodes[0].uri, "GET", "/requests", None).json();
    assert_eq!(page["requests"].as_array().unwrap().len(), 2, "{page}");
    assert_eq!(
        (&page["held"], &page["recorded"], &page["dropped"]),
        (&Value::from(2), &Value::from(3), &Value::from(1)),
        "{page}"
    );
}

fn health(uri: &str) -> Value {
    get(&format!("{uri}/health")).json()
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn redis_stopped_mid_run_gets_clear_errors_then_recovery_when_it_returns() {
    let mut redis = Redis::start();
    let mut nodes = replicas(&redis, &[]);
    let token = token_from(&nodes[0].uri);
    qris_call(&nodes[1].uri, &token, "before-0001").expect(200, "2004700", "Successful");
    assert_eq!(health(&nodes[2].uri)["store"]["reachable"], true);

    redis.stop();
    // A call that needs the shared store: a SNAP 5xx that says so.
    let down = qris_call(&nodes[1].uri, &token, "during-0001");
    down.assert_snap_shaped();
    assert_eq!(down.status, 500, "{}", down.text);
    assert_eq!(down.code(), "5004702", "{}", down.text);
    assert_eq!(down.message(), "External Server Error");
    let error = down.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(
        error.contains("shared store") && error.contains(&redis.url()),
        "{error}"
    );
    // /health says so.
    let h = health(&nodes[0].uri);
    assert_eq!(h["status"], "DEGRADED", "{h}");
    assert_eq!(h["store"]["reachable"], false, "{h}");
    assert!(
        h["store"]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{h}"
    );
    // A request that needs no shared state still works: a JWT is issued
    // from the key and the clients last seen.
    token_from(&nodes[2].uri);
    // The admin API answers, with the same 5xx.
    let listing = admin_at(&nodes[0].uri, "GET", "/requests", None);
    listing.assert_snap_shaped();
    assert_eq!(listing.code(), "5000002", "{}", listing.text);

    redis.resume();
    eventually("every replica to report the store reachable again", || {
        nodes
            .iter()
            .all(|n| health(&n.uri)["store"]["reachable"] == true)
    });
    assert_eq!(health(&nodes[0].uri)["status"], "UP");
    qris_call(&nodes[2].uri, &token, "after-0001").expect(200, "2004700", "Successful");
    // The id recorded after recovery is shared again.
    let dup = qris_call(&nodes[0].uri, &token, "after-0001");
    assert_eq!(dup.code(), "4094700", "{}", dup.text);
    // Nothing panicked: every replica is still running.
    for node in &mut nodes {
        assert!(node.child.try_wait().unwrap().is_none(), "a replica exited");
    }
}

/// Registers the published "other" key as `client_key` on `uri`.
fn register_at(uri: &str, client_key: &str) {
    let public_key = include_str!("../../keys/other-client.public.pem");
    let body = serde_json::json!({ "clientKey": client_key, "publicKey": public_key });
    admin_at(uri, "POST", "/clients", Some(&body.to_string())).expect(201, "2010000", "Successful");
}

fn token_as(uri: &str, client_key: &str) -> Answer {
    let headers = signed_headers(PKCS1_PRIVATE_KEY, client_key, &now_timestamp());
    post_with(&format!("{uri}{FINPAY_PATH}"), &headers, BODY)
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn a_restarted_redis_that_lost_its_data_is_not_taken_for_the_one_before() {
    let mut redis = Redis::start();
    let nodes = replicas(&redis, &[]);
    register_at(&nodes[0].uri, "before-restart");
    token_as(&nodes[1].uri, "before-restart").expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    // Redis comes back empty; the first replica registers another client,
    // which puts the change counter back where the second replica last saw
    // it. The second must still see the new client, and not the old one.
    redis.stop();
    redis.resume();
    eventually("the first replica to reach Redis again", || {
        health(&nodes[0].uri)["store"]["reachable"] == true
    });
    register_at(&nodes[0].uri, "after-restart");
    token_as(&nodes[1].uri, "after-restart").expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    let gone = token_as(&nodes[1].uri, "before-restart");
    assert_eq!(gone.code(), "4017300", "{}", gone.text);
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn a_slow_redis_gets_a_timeout_answer_within_the_store_timeout_then_recovery() {
    let redis = Redis::start();
    let nodes = replicas(&redis, &[]);
    let token = token_from(&nodes[0].uri);
    redis.pause(3000);
    let started = std::time::Instant::now();
    let slow = qris_call(&nodes[1].uri, &token, "slow-0001");
    let waited = started.elapsed();
    assert_eq!(slow.code(), "5004702", "{}", slow.text);
    let error = slow.json()["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.contains("no answer within 500 ms"), "{error}");
    // Bounded by the store timeout (500 ms per operation), not by the pause.
    assert!(waited < Duration::from_millis(2500), "{waited:?}");
    let h = health(&nodes[2].uri);
    assert_eq!(h["status"], "DEGRADED", "{h}");
    eventually("the pause to end and the store to answer", || {
        health(&nodes[1].uri)["store"]["reachable"] == true
    });
    qris_call(&nodes[1].uri, &token, "slow-0002").expect(200, "2004700", "Successful");
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn a_replica_started_while_redis_is_down_serves_and_connects_when_it_comes_up() {
    let mut redis = Redis::start();
    redis.stop();
    let node = spawn_binary(|cmd| {
        cmd.args(["--port", "0", "--store", &redis.url()])
            .args(["--store-timeout-ms", "300"]);
    });
    assert_eq!(health(&node.uri)["status"], "DEGRADED");
    token_from(&node.uri);
    redis.resume();
    eventually("the store to be reachable", || {
        health(&node.uri)["store"]["reachable"] == true
    });
    let token = token_from(&node.uri);
    qris_call(&node.uri, &token, "late-0001").expect(200, "2004700", "Successful");
}

#[test]
#[ignore = "needs redis-server: cargo test --test api replicas:: -- --ignored"]
fn in_process_servers_share_a_store_through_the_library_api() {
    let redis = Redis::start();
    let shared = |c: &mut snap_mock::Config| {
        c.store = Some(snap_mock::RedisConfig::new(redis.url()));
    };
    let one = start_with(shared);
    let two = start_with(shared);
    let public_key = include_str!("../../keys/other-client.public.pem");
    one.register_client("embedded", public_key, None).unwrap();
    let headers = signed_headers(PKCS1_PRIVATE_KEY, "embedded", &now_timestamp());
    post_with(&two.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    let seen: Vec<Option<String>> = one
        .requests()
        .unwrap()
        .into_iter()
        .map(|e| e.client_key)
        .collect();
    assert_eq!(
        seen,
        [Some("embedded".to_owned())],
        "the other server's request"
    );
    two.reset().unwrap();
    assert!(one.requests().unwrap().is_empty());
    assert!(
        !one.remove_client("embedded").unwrap(),
        "the reset removed it for both"
    );
}

#[test]
fn a_store_that_is_not_a_redis_url_is_a_start_up_error_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_snap-mock"))
        .args(["--port", "0", "--store", "mem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--store mem") && err.contains("Redis URL"),
        "{err}"
    );
}

/// A VA created through one replica is queried and paid through the others;
/// its expiry, raced by three replicas' workers, happens once and is
/// notified once.
#[test]
#[ignore = "needs redis-server; run by .ci/run (cargo test --test api replicas:: -- --ignored)"]
fn a_va_is_shared_by_the_replicas_and_each_change_is_notified_once() {
    use crate::payments::{Receiver, ACK};
    let redis = Redis::start();
    let nodes = replicas(&redis, &[]);
    let receiver = Receiver::start(&[(200, ACK)]);
    let pem = std::fs::read_to_string("keys/demo-client.public.pem").unwrap();
    let client = serde_json::json!({"clientKey": "rep-merchant", "publicKey": pem,
        "clientSecret": "rep-secret", "notificationUrl": receiver.url});
    let added = send(
        "POST",
        &format!("{}/__admin/clients", nodes[0].uri),
        &[("Content-Type", "application/json")],
        Some(client.to_string().as_bytes()),
    );
    assert_eq!(added.status, 201, "{}", added.text);
    let token_of = |uri: &str| {
        let headers = signed_headers(DEMO_PRIVATE_KEY, "rep-merchant", &now_timestamp());
        let answer = post_with(&format!("{uri}{FINPAY_PATH}"), &headers, BODY);
        answer.json()["accessToken"].as_str().unwrap().to_owned()
    };
    let call = |uri: &str, path: &str, body: &str| {
        let mut headers = service_headers(
            &token_of(uri),
            "rep-secret",
            path,
            body,
            &uuid::Uuid::new_v4().simple().to_string(),
        );
        for (name, value) in headers.iter_mut() {
            if name == "X-PARTNER-ID" {
                *value = "rep-merchant".into();
            }
        }
        post_with(&format!("{uri}{path}"), &headers, body)
    };
    let wib = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3))
        .with_timezone(&wib)
        .to_rfc3339();
    let create = |trx: &str, va: &str, expires: &str| {
        serde_json::json!({"partnerServiceId": "   12345", "customerNo": &va[8..], "virtualAccountNo": va,
            "virtualAccountName": "Jane", "trxId": trx, "expiredDate": expires,
            "totalAmount": {"value": "10.00", "currency": "IDR"}}).to_string()
    };
    let status = |uri: &str, va: &str| {
        call(
            uri,
            "/v1.0/transfer-va/status",
            &format!(r#"{{"virtualAccountNo":"{va}"}}"#),
        )
        .json()["virtualAccountData"]["latestTransactionStatus"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    call(
        &nodes[1].uri,
        "/v1.0/transfer-va/create-va",
        &create("R-1", "   12345000000001", &soon),
    )
    .expect(200, "2002700", "Successful");
    assert_eq!(status(&nodes[2].uri, "   12345000000001"), "03");
    call(
        &nodes[0].uri,
        "/v1.0/transfer-va/create-va",
        &create("R-1", "   12345000000002", "2099-01-01T00:00:00+07:00"),
    )
    .expect(409, "4092701", "Duplicate partnerReferenceNo");
    eventually("the expiry's notification", || receiver.got().len() == 1);
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        receiver.got().len(),
        1,
        "three replicas, one expiry, one notification"
    );
    assert_eq!(status(&nodes[0].uri, "   12345000000001"), "06");

    call(
        &nodes[0].uri,
        "/v1.0/transfer-va/create-va",
        &create("R-2", "   12345000000002", "2099-01-01T00:00:00+07:00"),
    )
    .expect(200, "2002700", "Successful");
    let paid = send(
        "POST",
        &format!("{}/__admin/transactions/R-2/pay", nodes[2].uri),
        &[("Content-Type", "application/json")],
        None,
    );
    assert_eq!(paid.status, 200, "{}", paid.text);
    eventually("the payment's notification", || receiver.got().len() == 2);
    assert_eq!(status(&nodes[1].uri, "   12345000000002"), "00");
    let again = send(
        "POST",
        &format!("{}/__admin/transactions/R-2/pay", nodes[1].uri),
        &[("Content-Type", "application/json")],
        None,
    );
    assert_eq!(
        again.status, 400,
        "paid once, on any replica: {}",
        again.text
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(receiver.got().len(), 2);

    // QRIS and direct debit the same way: created on one replica, paid on
    // another, queried on the third, notified once.
    let qris = r#"{"partnerReferenceNo":"Q-1","amount":{"value":"10.00","currency":"IDR"}}"#;
    call(&nodes[0].uri, "/v1.0/qr/qr-mpm-generate", qris).expect(200, "2004700", "Successful");
    let debit = r#"{"partnerReferenceNo":"D-1","amount":{"value":"10.00","currency":"IDR"}}"#;
    call(&nodes[1].uri, "/v1.0/debit/payment-host-to-host", debit).expect(
        200,
        "2005400",
        "Successful",
    );
    for (id, node) in [("Q-1", 1), ("D-1", 2)] {
        let paid = send(
            "POST",
            &format!("{}/__admin/transactions/{id}/pay", nodes[node].uri),
            &[("Content-Type", "application/json")],
            None,
        );
        assert_eq!(paid.status, 200, "{}", paid.text);
    }
    let query = call(
        &nodes[2].uri,
        "/v1.0/qr/qr-mpm-query",
        r#"{"originalPartnerReferenceNo":"Q-1"}"#,
    );
    assert_eq!(
        query.json()["latestTransactionStatus"],
        "00",
        "{}",
        query.text
    );
    let status = call(
        &nodes[0].uri,
        "/v1.0/debit/status",
        r#"{"originalPartnerReferenceNo":"D-1"}"#,
    );
    assert_eq!(
        status.json()["latestTransactionStatus"],
        "00",
        "{}",
        status.text
    );
    eventually("both notifications", || receiver.got().len() == 4);
    let paths: std::collections::BTreeSet<String> =
        receiver.got()[2..].iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths.into_iter().collect::<Vec<_>>(),
        ["/hooks/v1.0/debit/notify", "/hooks/v1.0/qr/qr-mpm-notify"]
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(receiver.got().len(), 4);
}
