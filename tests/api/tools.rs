//! The integrator tools end to end: keygen → register → sign → token, the
//! offline verifier, the health check, and the server's signature diagnosis
//! as seen in the journal.

use crate::helpers::*;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_snap-mock");

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn keygen_register_sign_and_token_get_2007300_from_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let clients = dir.path().join("clients.json");
    std::fs::write(&clients, "{\n  \"clients\": []\n}\n").unwrap();
    let (code, out, err) = run(&[
        "keygen",
        "--client-key",
        "acme-123",
        "--out",
        keys.to_str().unwrap(),
        "--keys-dir",
        keys.to_str().unwrap(),
        "--register",
        "--clients",
        clients.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("\"clientKey\": \"acme-123\"") && out.contains("registered"),
        "{out}"
    );
    let private = keys.join("acme-123.private.pem");
    let private_pem = std::fs::read_to_string(&private).unwrap();
    assert!(private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(std::fs::read_to_string(keys.join("acme-123.public.pem"))
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let server = start_with(|c| {
        c.clients = snap_mock::Source::File(clients.clone());
        c.keys_dir = keys.clone();
    });
    // sign → the printed headers get a token.
    let (code, out, _) = run(&[
        "sign",
        "--private-key",
        private.to_str().unwrap(),
        "--client-key",
        "acme-123",
    ]);
    assert_eq!(code, 0);
    let headers: Vec<(String, String)> = out
        .lines()
        .filter_map(|l| {
            l.split_once(": ")
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
        })
        .collect();
    assert_eq!(headers.len(), 3, "{out}");
    let mut headers = headers;
    headers.push(("Content-Type".into(), "application/json".into()));
    post_with(&server.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );

    // token → exit 0 with the decoded claims.
    let (code, out, err) = run(&[
        "token",
        "--url",
        &server.token_url(),
        "--private-key",
        private.to_str().unwrap(),
        "--client-key",
        "acme-123",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("\"responseCode\": \"2007300\"") && out.contains("\"aud\": \"acme-123\""),
        "{out}"
    );

    // Keygen never overwrites.
    let (code, _, err) = run(&[
        "keygen",
        "--client-key",
        "acme-123",
        "--out",
        keys.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn sign_prints_a_curl_command_that_works_and_json() {
    let server = start();
    let (code, out, _) = run(&[
        "sign",
        "--private-key",
        "keys/demo-client.private.pem",
        "--client-key",
        DEMO_CLIENT,
        "--format",
        "curl",
        "--url",
        &server.token_url(),
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("curl "), "{out}");
    let curl = Command::new("sh")
        .arg("-c")
        .arg(&out)
        .output()
        .expect("sh and curl run");
    let body: serde_json::Value = serde_json::from_slice(&curl.stdout).expect("curl got JSON");
    assert_eq!(body["responseCode"], "2007300", "{body}");

    let (code, out, _) = run(&[
        "sign",
        "--private-key",
        "keys/other-client.private.pem",
        "--client-key",
        PKCS1_CLIENT,
        "--timestamp",
        "2024-03-01T15:27:49+07:00",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["stringToSign"],
        format!("{PKCS1_CLIENT}|2024-03-01T15:27:49+07:00")
    );
    assert_eq!(
        json["X-SIGNATURE"],
        sign(PKCS1_PRIVATE_KEY, PKCS1_CLIENT, "2024-03-01T15:27:49+07:00")
    );
}

#[test]
fn sign_accepts_a_pkcs1_private_key() {
    let dir = tempfile::tempdir().unwrap();
    let pkcs1 = dir.path().join("pkcs1.pem");
    let status = Command::new("openssl")
        .args([
            "rsa",
            "-in",
            "keys/demo-client.private.pem",
            "-traditional",
            "-out",
        ])
        .arg(&pkcs1)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(std::fs::read_to_string(&pkcs1)
        .unwrap()
        .starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let (code, out, _) = run(&[
        "sign",
        "--private-key",
        pkcs1.to_str().unwrap(),
        "--client-key",
        DEMO_CLIENT,
        "--timestamp",
        "2024-03-01T15:27:49+07:00",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["X-SIGNATURE"],
        sign(DEMO_PRIVATE_KEY, DEMO_CLIENT, "2024-03-01T15:27:49+07:00")
    );
}

#[test]
fn token_exits_1_on_an_error_answer_and_2_without_an_answer() {
    let server = start();
    let (code, out, _) = run(&[
        "token",
        "--url",
        &server.token_url(),
        "--private-key",
        "keys/demo-client.private.pem",
        "--client-key",
        "mock-5007300",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("5007300"), "{out}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (code, _, err) = run(&[
        "token",
        "--url",
        &format!("http://{closed}/pg/snap/oauth/v1.0/access-token/b2b"),
        "--private-key",
        "keys/demo-client.private.pem",
        "--client-key",
        DEMO_CLIENT,
        "--timeout",
        "2",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn verify_says_valid_or_names_the_mistake() {
    let ts = "2024-03-01T15:27:49+07:00";
    let good = sign(DEMO_PRIVATE_KEY, DEMO_CLIENT, ts);
    let args = |sig: &str, ts: &str| {
        run(&[
            "verify",
            "--public-key",
            "keys/demo-client.public.pem",
            "--client-key",
            DEMO_CLIENT,
            "--timestamp",
            ts,
            "--signature",
            sig,
        ])
    };
    let (code, out, _) = args(&good, ts);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("valid"), "{out}");

    let (code, out, _) = args(&good, "2024-03-01T08:27:49Z");
    assert_eq!(code, 1);
    assert!(
        out.contains("same instant written differently") && out.contains(ts),
        "{out}"
    );

    let (code, out, _) = args(&sign(PKCS1_PRIVATE_KEY, DEMO_CLIENT, ts), ts);
    assert_eq!(code, 1);
    assert!(out.contains("check the key pair"), "{out}");
}

#[test]
fn the_server_diagnoses_wrong_signers_in_the_journal_and_with_explain() {
    let server = start_with(|c| c.explain = true);
    let ts = now_timestamp();
    let utc = chrono::DateTime::parse_from_rfc3339(&ts)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let good = sign(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts);
    let raw = base64_decode(&good);
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let cases: Vec<(String, &str)> = vec![
        (hex, "is hex"),
        (good.replace('+', "-").replace('/', "_"), "URL-safe"),
        (
            sign(DEMO_PRIVATE_KEY, DEMO_CLIENT, &utc),
            "same instant written differently",
        ),
        (
            sign(DEMO_PRIVATE_KEY, PKCS1_CLIENT, &ts),
            "another client key",
        ),
        (
            sign(PKCS1_PRIVATE_KEY, DEMO_CLIENT, &ts),
            "private key of client \"demo-client-pkcs1\"",
        ),
    ];
    for (signature, expected) in cases {
        if expected == "URL-safe" && !signature.contains(['-', '_']) {
            continue;
        }
        let headers = with_header(
            signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts),
            "X-SIGNATURE",
            Some(&signature),
        );
        let answer = post_with(&server.token_url(), &headers, BODY);
        answer.expect(401, "4017300", "Unauthorized. Invalid Signature");
        let diagnosis = answer.json()["diagnosis"].as_str().unwrap().to_owned();
        assert!(diagnosis.contains(expected), "{expected}: {diagnosis}");
        let journal = admin(&server, "GET", "/requests?limit=1", None).json();
        let reason = journal["requests"][0]["reason"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(reason.contains(expected), "{expected}: {reason}");
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn healthcheck_exits_0_for_a_live_server_and_1_otherwise() {
    let server = start();
    let (code, _, err) = run(&["healthcheck", "--url", &format!("{}/health", server.uri())]);
    assert_eq!(code, 0, "{err}");
    let port = server.address().port().to_string();
    let out = Command::new(BIN)
        .arg("healthcheck")
        .env("SNAP_MOCK_PORT", &port)
        .output()
        .unwrap();
    assert!(out.status.success());
    drop(server);
    let (code, _, err) = run(&["healthcheck", "--port", &port, "--timeout-ms", "500"]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn every_subcommand_has_help() {
    for (sub, expected) in [
        ("keygen", "--register"),
        ("register", "--public-key"),
        ("sign", "--format"),
        ("token", "Exit status"),
        ("verify", "--signature"),
        ("healthcheck", "--timeout-ms"),
        ("serve", "--profile"),
    ] {
        let (code, out, _) = run(&[sub, "--help"]);
        assert_eq!(code, 0, "{sub}");
        assert!(
            out.contains(expected),
            "{sub} --help lacks {expected}: {out}"
        );
    }
    let (_, out, _) = run(&["--help"]);
    for sub in [
        "keygen",
        "register",
        "sign",
        "token",
        "verify",
        "healthcheck",
        "serve",
    ] {
        assert!(out.contains(sub), "--help lists {sub}");
    }
}

#[test]
fn keygen_register_creates_a_missing_fixture_and_never_half_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = dir.path().join("my-fixtures");
    let clients = mounted.join("clients.json");
    // The fixture does not exist yet: it is created, with the new client
    // and a generated secret; the keys go next to it.
    let (code, out, err) = run(&[
        "keygen",
        "--client-key",
        "shop-1",
        "--out",
        mounted.to_str().unwrap(),
        "--register",
        "--clients",
        clients.to_str().unwrap(),
        "--client-secret",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&clients).unwrap()).unwrap();
    let entry = &fixture["clients"][0];
    assert_eq!(entry["clientKey"], "shop-1");
    // Named relative to the fixture: the directory can be mounted as it is.
    assert_eq!(entry["publicKey"], "shop-1.public.pem");
    let secret = entry["clientSecret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "{secret}");
    assert!(
        out.contains(secret),
        "the generated secret is printed: {out}"
    );

    // A server on that directory alone (keys dir elsewhere) accepts it.
    let server = start_with(|c| {
        c.clients = snap_mock::Source::File(clients.clone());
        c.keys_dir = dir.path().join("nowhere");
    });
    let private = std::fs::read_to_string(mounted.join("shop-1.private.pem")).unwrap();
    let headers = signed_headers(&private, "shop-1", &now_timestamp());
    post_with(&server.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );

    // A failing registration (the client exists) writes no key files.
    let before = std::fs::read_to_string(&clients).unwrap();
    let (code, _, err) = run(&[
        "keygen",
        "--client-key",
        "shop-1",
        "--out",
        dir.path().join("other").to_str().unwrap(),
        "--register",
        "--clients",
        clients.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("already registered"), "{err}");
    assert!(!dir.path().join("other").join("shop-1.private.pem").exists());
    assert_eq!(std::fs::read_to_string(&clients).unwrap(), before);
}

#[test]
fn register_adds_an_existing_public_key_with_a_given_secret() {
    let dir = tempfile::tempdir().unwrap();
    let clients = dir.path().join("clients.json");
    std::fs::write(&clients, "{\n  \"clients\": []\n}\n").unwrap();
    let key = dir.path().join("partner.pem");
    std::fs::copy("keys/other-client.public.pem", &key).unwrap();
    let (code, out, err) = run(&[
        "register",
        "--client-key",
        "partner-42",
        "--public-key",
        key.to_str().unwrap(),
        "--client-secret",
        "s3cret",
        "--clients",
        clients.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&clients).unwrap()).unwrap();
    assert_eq!(fixture["clients"][0]["publicKey"], "partner.pem");
    assert_eq!(fixture["clients"][0]["clientSecret"], "s3cret");
    let server = start_with(|c| c.clients = snap_mock::Source::File(clients.clone()));
    let headers = signed_headers(PKCS1_PRIVATE_KEY, "partner-42", &now_timestamp());
    post_with(&server.token_url(), &headers, BODY).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );

    // Not a public key: refused, the fixture untouched.
    let before = std::fs::read_to_string(&clients).unwrap();
    let (code, _, err) = run(&[
        "register",
        "--client-key",
        "partner-43",
        "--public-key",
        "keys/demo-client.private.pem",
        "--clients",
        clients.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("demo-client.private.pem"), "{err}");
    assert_eq!(std::fs::read_to_string(&clients).unwrap(), before);
}

#[test]
fn generated_keys_stay_out_of_commits_and_the_published_test_keys_do_not() {
    let ignored = |path: &str| {
        Command::new("git")
            .args(["check-ignore", "-q", path])
            .status()
            .map(|s| s.code())
    };
    match ignored("keys/someone.private.pem") {
        Ok(Some(0)) => {}
        Ok(Some(128)) | Err(_) => {
            eprintln!("!!! SKIPPED: not a git checkout (or no git): .gitignore not checked");
            return;
        }
        other => panic!("keys/someone.private.pem is not ignored: {other:?}"),
    }
    assert_eq!(ignored("dist/linux-amd64/snap-mock").unwrap(), Some(0));
    for published in [
        "keys/demo-client.private.pem",
        "keys/demo-client.public.pem",
        "keys/signing-key.pem",
    ] {
        assert_eq!(
            ignored(published).unwrap(),
            Some(1),
            "{published} is ignored"
        );
    }
}

/// `sign --mode symmetric`: the HMAC-SHA512 of a transactional call, which
/// the server accepts; `verify --mode symmetric` says valid, or names the
/// mistake and exits 1.
#[test]
fn sign_and_verify_do_the_symmetric_signature_of_transactional_calls() {
    let server = start();
    let token = request_token(&server.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!("{}/v1.0/qr/qr-mpm-generate?x=1", server.uri());
    let body = r#"{ "partnerReferenceNo": "2020102900000000000001", "amount": {"value": "10000.00", "currency": "IDR"} }"#;
    let (code, out, err) = run(&[
        "sign",
        "--mode",
        "symmetric",
        "--client-secret",
        "demo-client-secret",
        "--access-token",
        &token,
        "--client-key",
        DEMO_CLIENT,
        "--url",
        &url,
        "--body",
        body,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let signed: serde_json::Value = serde_json::from_str(&out).unwrap();
    let headers: Vec<(String, String)> = signed
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| *k != "stringToSign")
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .chain([("Content-Type".to_owned(), "application/json".to_owned())])
        .collect();
    assert_eq!(signed["Authorization"], format!("Bearer {token}"));
    post_with(&url, &headers, body).expect(200, "2004700", "Successful");

    let ts = signed["X-TIMESTAMP"].as_str().unwrap();
    let signature = signed["X-SIGNATURE"].as_str().unwrap();
    let verify = |secret: &str| {
        run(&[
            "verify",
            "--mode",
            "symmetric",
            "--client-secret",
            secret,
            "--access-token",
            &token,
            "--url",
            &url,
            "--body",
            body,
            "--timestamp",
            ts,
            "--signature",
            signature,
            "--client-key",
            DEMO_CLIENT,
        ])
    };
    let (code, out, _) = verify("demo-client-secret");
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("valid: an HMAC-SHA512"), "{out}");
    let (code, out, _) = verify("another-secret");
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("invalid: "), "{out}");
    // Without the secret the mode cannot work, and says what to give.
    let (code, _, err) = run(&[
        "sign",
        "--mode",
        "symmetric",
        "--client-key",
        DEMO_CLIENT,
        "--url",
        &url,
    ]);
    assert_eq!(code, 2, "{err}");
}

/// `token` reaches the server's own `--tls` with `--cacert` (the file
/// `--tls-cert-out` writes) or `SSL_CERT_FILE`, and refuses it without.
#[test]
fn token_trusts_the_server_certificate_given_by_cacert_or_ssl_cert_file() {
    let server = start_with(|c| c.tls = Some(snap_mock::Tls::Generated));
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, server.tls_certificate_pem().unwrap()).unwrap();
    let url = server.token_url();
    let args = [
        "token",
        "--url",
        &url,
        "--private-key",
        "keys/demo-client.private.pem",
        "--client-key",
        DEMO_CLIENT,
    ];
    let (code, out, err) = run(&[&args[..], &["--cacert", ca.to_str().unwrap()]].concat());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2007300"), "{out}");
    let out = Command::new(BIN)
        .args(args)
        .env("SSL_CERT_FILE", &ca)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // The public roots do not know the generated CA: no answer, exit 2.
    let out = Command::new(BIN)
        .args(args)
        .env_remove("SSL_CERT_FILE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
