//! Helpers shared by the black-box tests: a server per test on a free port
//! of 127.0.0.1, real HTTP, and a client that signs like a SNAP client.

use serde_json::Value;
use snap_mock::{snap_timestamp, ClientKeyPair, Config, MockServer};
use std::collections::HashMap;
use std::time::Duration;

pub const DEMO_CLIENT: &str = "demo-client";
pub const PKCS1_CLIENT: &str = "demo-client-pkcs1";
pub const DEMO_PRIVATE_KEY: &str = include_str!("../../keys/demo-client.private.pem");
pub const PKCS1_PRIVATE_KEY: &str = include_str!("../../keys/other-client.private.pem");
pub const FINPAY_PATH: &str = "/pg/snap/oauth/v1.0/access-token/b2b";
pub const OPENAPI_PATH: &str = "/oauth/v1.0/access-token/b2b";
pub const BODY: &str = r#"{"grantType":"client_credentials","additionalInfo":{}}"#;

pub fn start() -> MockServer {
    start_with(|_| {})
}

pub fn start_with(change: impl FnOnce(&mut Config)) -> MockServer {
    let mut config = Config::for_tests();
    change(&mut config);
    MockServer::start(config).expect("snap-mock should start")
}

/// The current time in Finpay's form, as a well-behaved client sends it.
pub fn now_timestamp() -> String {
    snap_timestamp(chrono::Utc::now())
}

/// `X-SIGNATURE` for `client_key|timestamp` under a PEM private key.
pub fn sign(private_key_pem: &str, client_key: &str, timestamp: &str) -> String {
    ClientKeyPair::from_pem(private_key_pem)
        .expect("test private key parses")
        .sign_token_request(client_key, timestamp)
        .expect("signing works")
}

/// An HTTP answer, whatever its status.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("answer is not JSON ({e}): {:?}", self.text))
    }

    pub fn code(&self) -> String {
        self.json()["responseCode"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn message(&self) -> String {
        self.json()["responseMessage"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Every SNAP answer: JSON, `application/json`, and a responseCode
    /// whose first three digits are the HTTP status.
    pub fn assert_snap_shaped(&self) {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "content type of {self:?}"
        );
        let code = self.code();
        assert_eq!(code.len(), 7, "responseCode in {self:?}");
        assert_eq!(
            &code[..3],
            self.status.to_string(),
            "status vs code in {self:?}"
        );
        assert!(!self.message().is_empty(), "responseMessage in {self:?}");
    }

    /// Asserts status, code and message in one go.
    pub fn expect(&self, status: u16, code: &str, message: &str) {
        self.assert_snap_shaped();
        assert_eq!(
            (self.status, self.code().as_str(), self.message().as_str()),
            (status, code, message),
            "full answer: {}",
            self.text
        );
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(10))
        .build()
}

/// Sends a request through `agent` (e.g. one that trusts a test CA).
pub fn send_with(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &str,
) -> Result<Answer, String> {
    let mut request = agent.request(method, url);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    match request.send_string(body) {
        Ok(r) => Ok(answer(Ok(r))),
        Err(ureq::Error::Status(code, r)) => Ok(answer(Err(ureq::Error::Status(code, r)))),
        Err(e) => Err(e.to_string()),
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Answer {
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .filter_map(|n| {
            response
                .header(&n)
                .map(|v| (n.to_ascii_lowercase(), v.to_owned()))
        })
        .collect();
    let text = response.into_string().expect("body is text");
    Answer {
        status,
        headers,
        text,
    }
}

/// Sends a request with exactly these headers and body.
pub fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Answer {
    let mut request = agent().request(method, url);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    answer(match body {
        Some(b) => request.send_bytes(b),
        None => request.call(),
    })
}

pub fn get(url: &str) -> Answer {
    send("GET", url, &[], None)
}

/// A correctly signed token request from `client_key`.
pub fn signed_headers(
    private_key: &str,
    client_key: &str,
    timestamp: &str,
) -> Vec<(String, String)> {
    vec![
        ("X-TIMESTAMP".into(), timestamp.into()),
        ("X-CLIENT-KEY".into(), client_key.into()),
        (
            "X-SIGNATURE".into(),
            sign(private_key, client_key, timestamp),
        ),
        ("Content-Type".into(), "application/json".into()),
    ]
}

/// Headers of a `POST` to a transactional endpoint, signed symmetrically
/// (HMAC-SHA512 under `secret`) for the bearer `token`, with the demo client
/// as partner and a fresh timestamp.
pub fn service_headers(
    token: &str,
    secret: &str,
    path: &str,
    body: &str,
    external_id: &str,
) -> Vec<(String, String)> {
    let ts = now_timestamp();
    let sts = snap_mock::service_string_to_sign("POST", path, token, body.as_bytes(), &ts);
    vec![
        ("Authorization".into(), format!("Bearer {token}")),
        ("X-TIMESTAMP".into(), ts),
        (
            "X-SIGNATURE".into(),
            snap_mock::hmac_signature(secret, &sts),
        ),
        ("X-PARTNER-ID".into(), DEMO_CLIENT.into()),
        ("X-EXTERNAL-ID".into(), external_id.into()),
        ("CHANNEL-ID".into(), "95221".into()),
        ("Content-Type".into(), "application/json".into()),
    ]
}

pub fn post_with(url: &str, headers: &[(String, String)], body: &str) -> Answer {
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    send("POST", url, &h, Some(body.as_bytes()))
}

/// The happy path: the demo client asks for a token.
pub fn request_token(url: &str) -> Answer {
    let headers = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &now_timestamp());
    post_with(url, &headers, BODY)
}

/// Replaces (or with `None` removes) one header in a list.
pub fn with_header(
    mut headers: Vec<(String, String)>,
    name: &str,
    value: Option<&str>,
) -> Vec<(String, String)> {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    if let Some(v) = value {
        headers.push((name.to_owned(), v.to_owned()));
    }
    headers
}

/// Sends `request` over a fresh TCP connection and reads until the server
/// closes it: the bytes, or the error the socket gave.
pub fn raw_exchange(addr: std::net::SocketAddr, request: &str) -> Result<Vec<u8>, std::io::Error> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(request.as_bytes())?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

/// A token request as raw HTTP/1.1 text with `Connection: close`.
pub fn raw_token_request(path: &str, client_key: &str, extra_headers: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         X-TIMESTAMP: {}\r\nX-CLIENT-KEY: {client_key}\r\nX-SIGNATURE: AAAA\r\n{extra_headers}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
        now_timestamp(),
        BODY.len()
    )
}

/// Admin API call; `body` is JSON text.
pub fn admin(server: &MockServer, method: &str, path: &str, body: Option<&str>) -> Answer {
    let url = format!("{}/__admin{path}", server.uri());
    send(
        method,
        &url,
        &[("Content-Type", "application/json")],
        body.map(str::as_bytes),
    )
}

/// A token request from `client_key` with a scenario selector, correctly
/// signed with the demo key.
pub fn request_with_scenario(
    server: &MockServer,
    client_key: &str,
    scenario: Option<&str>,
) -> Answer {
    let mut headers = signed_headers(DEMO_PRIVATE_KEY, client_key, &now_timestamp());
    if let Some(name) = scenario {
        headers.push(("X-Mock-Scenario".into(), name.into()));
    }
    post_with(&server.token_url(), &headers, BODY)
}

/// A `snap-mock` process started by a test; killed on drop.
pub struct Running {
    pub child: std::process::Child,
    /// `http://127.0.0.1:PORT`, from the start-up line.
    pub uri: String,
    pub first_line: String,
    /// The later lines of its stdout (its log), as they come.
    lines: std::sync::mpsc::Receiver<String>,
}

impl Running {
    /// Every log line that arrives within `wait` of the last one.
    pub fn lines_for(&self, wait: Duration) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(wait) {
            out.push(line);
        }
        out
    }

    /// Waits (with a generous deadline) for a stdout line containing `needle`.
    pub fn expect_line(&self, needle: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("no line containing {needle:?} within 30 s"),
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the `snap-mock` binary (`RUST_LOG=warn`, stdout piped), after
/// `configure` adds arguments, environment or a working directory, and reads
/// the bound address from its first stdout line.
pub fn spawn_binary(configure: impl FnOnce(&mut std::process::Command)) -> Running {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_snap-mock"));
    cmd.env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    configure(&mut cmd);
    let mut child = cmd.spawn().expect("binary starts");
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    stdout.read_line(&mut line).expect("first line");
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in stdout.lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let uri = line
        .split_whitespace()
        .find(|w| w.starts_with("http://") || w.starts_with("https://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_owned();
    Running {
        child,
        uri,
        first_line: line,
        lines,
    }
}

/// Header and claims of a JWT, without checking its signature.
pub fn decode_jwt_unverified(token: &str) -> Option<(Value, Value)> {
    use base64::Engine;
    let mut parts = token.split('.');
    let mut part = || -> Option<Value> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts.next()?)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    };
    Some((part()?, part()?))
}

/// Polls `condition` every 20 ms until it holds, or panics after a
/// generous deadline (the machines are shared and slow at times).
pub fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
