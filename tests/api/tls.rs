//! HTTPS (`--tls`): clients that verify the server's certificate against
//! the one the server says to trust, and nothing else (no "insecure"
//! switch anywhere).

use crate::helpers::*;
use snap_mock::{MockServer, Tls};
use std::process::Command;
use std::sync::Arc;

/// A client that trusts exactly the certificates in `pem`.
fn trusting(pem: &str) -> ureq::Agent {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    ureq::AgentBuilder::new()
        .tls_config(Arc::new(config))
        .timeout(std::time::Duration::from_secs(10))
        .build()
}

fn token_over(agent: &ureq::Agent, url: &str) -> Result<Answer, String> {
    let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    send_with(agent, "POST", url, &headers, BODY)
}

#[test]
fn a_generated_certificate_is_verified_by_a_client_that_trusts_only_its_ca() {
    let server = start_with(|c| c.tls = Some(Tls::Generated));
    assert!(
        server.uri().starts_with("https://127.0.0.1:"),
        "{}",
        server.uri()
    );
    let ca = server
        .tls_certificate_pem()
        .expect("a certificate to trust");
    token_over(&trusting(ca), &server.token_url())
        .unwrap()
        .expect(200, "2007300", "Request has been processed successfully");
    // By name too: the certificate covers localhost.
    let by_name = server.token_url().replace("127.0.0.1", "localhost");
    token_over(&trusting(ca), &by_name).unwrap().expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );

    // Verification is real: the public roots do not know this CA, and
    // another server's CA does not fit either.
    let public_roots = ureq::AgentBuilder::new().build();
    let e = token_over(&public_roots, &server.token_url())
        .err()
        .unwrap();
    assert!(e.to_lowercase().contains("certificate"), "{e}");
    let other = start_with(|c| c.tls = Some(Tls::Generated));
    let e = token_over(
        &trusting(other.tls_certificate_pem().unwrap()),
        &server.token_url(),
    )
    .err()
    .unwrap();
    assert!(e.to_lowercase().contains("certificate"), "{e}");
}

#[test]
fn a_given_certificate_and_key_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(status.status.success(), "{status:?}");
    let server = start_with(|c| {
        c.tls = Some(Tls::Files {
            certificate: cert.clone(),
            key: key.clone(),
        })
    });
    let pem = std::fs::read_to_string(&cert).unwrap();
    assert_eq!(server.tls_certificate_pem(), Some(pem.as_str()));
    token_over(&trusting(&pem), &server.token_url())
        .unwrap()
        .expect(200, "2007300", "Request has been processed successfully");

    // A key that does not belong to the certificate is a start-up error.
    let other_key = dir.path().join("other.pem");
    let _ = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&other_key)
        .output()
        .unwrap();
    let e = snap_mock::MockServer::start(snap_mock::Config {
        tls: Some(Tls::Files {
            certificate: cert.clone(),
            key: other_key,
        }),
        ..snap_mock::Config::for_tests()
    })
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(e.starts_with("TLS:"), "{e}");
}

#[test]
fn the_binary_writes_the_certificate_to_trust_and_curl_verifies_against_it() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let server = spawn_binary(|cmd| {
        cmd.args(["--port", "0", "--tls", "--tls-cert-out"])
            .arg(&ca);
    });
    assert!(
        server
            .first_line
            .contains("listening on https://127.0.0.1:"),
        "{}",
        server.first_line
    );
    let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    let mut curl = Command::new("curl");
    curl.args(["-sS", "--cacert"]).arg(&ca);
    for (k, v) in &headers {
        curl.args(["-H", &format!("{k}: {v}")]);
    }
    let out = curl
        .args(["-d", BODY, &format!("{}{FINPAY_PATH}", server.uri)])
        .output()
        .expect("curl runs (apt-get install curl)");
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(
        body.contains("\"responseCode\":\"2007300\""),
        "{body} {out:?}"
    );

    // The image's health check, under the same environment as the server.
    let port = server.uri.rsplit(':').next().unwrap().to_owned();
    let check = Command::new(env!("CARGO_BIN_EXE_snap-mock"))
        .args(["healthcheck", "--port", &port])
        .env("SNAP_MOCK_TLS", "true")
        .env("SNAP_MOCK_TLS_CERT_OUT", &ca)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    // Plain HTTP to an HTTPS port is not an answer.
    let plain = Command::new(env!("CARGO_BIN_EXE_snap-mock"))
        .args(["healthcheck", "--port", &port])
        .env_remove("SNAP_MOCK_TLS")
        .output()
        .unwrap();
    assert!(!plain.status.success());
}

#[test]
fn a_connection_reset_fault_resets_a_tls_connection_too() {
    // Faults act on the socket under the TLS stream: found for TLS
    // connections as for plain ones (without it the fault only closes).
    let server = start_with(|c| c.tls = Some(Tls::Generated));
    let agent = trusting(server.tls_certificate_pem().unwrap());
    let headers = vec![
        ("X-CLIENT-KEY".to_owned(), "mock-fault-reset".to_owned()),
        ("Content-Type".to_owned(), "application/json".to_owned()),
    ];
    let Err(e) = send_with(&agent, "POST", &server.token_url(), &headers, BODY) else {
        panic!("an answer came; a reset was expected")
    };
    assert!(e.to_lowercase().contains("reset"), "{e}");
}

#[test]
fn under_tls_the_inspector_cookie_is_secure() {
    let server = start_with(|c| {
        c.tls = Some(Tls::Generated);
        c.admin_token = Some("s3cret".into());
    });
    let agent = trusting(server.tls_certificate_pem().unwrap());
    let auth = vec![("Authorization".to_owned(), "Bearer s3cret".to_owned())];
    let page = send_with(
        &agent,
        "GET",
        &format!("{}/__admin/ui", server.uri()),
        &auth,
        "",
    )
    .unwrap();
    assert_eq!(page.status, 200, "{}", page.text);
    let cookie = page.header("set-cookie").unwrap_or_default();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly") && cookie.contains("Max-Age="),
        "{cookie}"
    );
}

/// Connections that never start their handshake must not hold every
/// handshake slot: with actix's default (256 a worker) the valid client
/// waited in the backlog until idle ones timed out (here 20 s, so a wait
/// cannot pass for a slow answer).
#[test]
fn idle_connections_do_not_hold_valid_https_clients_back() {
    let server = start_with(|c| {
        c.tls = Some(Tls::Generated);
        c.workers = Some(1);
        c.tls_handshake_timeout = std::time::Duration::from_secs(20);
    });
    let idle = silent_connections(&server, 400);
    answered_within_ten_seconds(&server, "behind 400 idle connections");
    drop(idle);
}

/// `n` connections to `server` that never send a byte, once the server has
/// had time to accept them.
fn silent_connections(server: &MockServer, n: usize) -> Vec<std::net::TcpStream> {
    let silent = (0..n)
        .map(|_| std::net::TcpStream::connect(server.address()).unwrap())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(300));
    silent
}

/// A valid HTTPS token request is answered within the client's timeout,
/// 10 s: half the handshake deadline the tests give silent connections, so
/// a wait behind them cannot pass for a slow answer.
fn answered_within_ten_seconds(server: &MockServer, situation: &str) {
    let agent = trusting(server.tls_certificate_pem().unwrap());
    let started = std::time::Instant::now();
    let answer = token_over(&agent, &server.token_url());
    assert!(
        answer.is_ok(),
        "a valid HTTPS request {situation} got no answer in {:?}: {:?}",
        started.elapsed(),
        answer.err()
    );
    answer
        .unwrap()
        .expect(200, "2007300", "Request has been processed successfully");
}

/// At the handshake cap the connection silent longest makes room: with 50
/// slots, one connection that has begun its handshake and 200 that never
/// speak (deadline 20 s), a valid HTTPS client is answered at once, the
/// oldest silent connections are closed and the one that spoke is not.
/// actix's own acceptor stopped accepting at the cap instead, so the valid
/// client waited behind them for their deadline.
#[test]
fn at_the_handshake_cap_silent_connections_are_shed_first() {
    use std::io::{Read, Write};
    let server = start_with(|c| {
        c.tls = Some(Tls::Generated);
        c.workers = Some(1);
        c.max_tls_handshakes = 50;
        c.tls_handshake_timeout = std::time::Duration::from_secs(20);
    });
    // A TLS record header announcing a 512-byte ClientHello, and no more.
    let mut speaking = std::net::TcpStream::connect(server.address()).unwrap();
    speaking.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00]).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let silent = silent_connections(&server, 200);
    answered_within_ten_seconds(&server, "at the handshake cap");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let closed = |stream: &std::net::TcpStream| {
        stream.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        match (&*stream).read(&mut byte) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
        }
    };
    let shed: Vec<usize> = (0..silent.len()).filter(|&i| closed(&silent[i])).collect();
    // 201 waiting connections, then the valid client, in 50 slots: the 152
    // silent ones that came first make room.
    assert_eq!(shed, (0..152).collect::<Vec<_>>(), "the silent ones shed");
    assert!(!closed(&speaking), "a handshake begun keeps its slot");
}
