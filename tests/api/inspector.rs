//! The inspector page (`/__admin/ui`) in a real browser: headless Chromium
//! driven over WebDriver (Debian's `chromium` and `chromium-driver`, which
//! `.ci/run` installs). A small WebDriver client over ureq keeps the test
//! free of a browser-automation dependency.

use crate::helpers::*;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const IGNORE: &str = "needs chromium and chromium-driver (.ci/run installs them)";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Browser {
    driver: Child,
    base: String,
    session: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    fn start() -> Self {
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{driver_bin}: {e}; {IGNORE}"));
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let answer: Value = ureq::post(&format!("{base}/session"))
            .send_json(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                             "--disable-dev-shm-usage", "--window-size=1280,1100"]
                }
            }}}))
            .expect("a browser session")
            .into_json()
            .unwrap();
        let session = answer["value"]["sessionId"].as_str().unwrap().to_owned();
        Self {
            driver,
            base,
            session,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let request = ureq::request(method, &url);
        let result = match body {
            Some(b) => request.send_json(b),
            None => request.call(),
        };
        match result {
            Ok(r) => r.into_json::<Value>().unwrap()["value"].take(),
            Err(ureq::Error::Status(_, r)) => {
                panic!("webdriver {path}: {}", r.into_string().unwrap())
            }
            Err(e) => panic!("webdriver {path}: {e}"),
        }
    }

    fn open(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    fn element(&self, css: &str) -> String {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        found[ELEMENT].as_str().unwrap().to_owned()
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// The text of the first element matching `css` once `ok` holds for
    /// it (the page fetches and polls: wait, never sleep a fixed time).
    fn text_when(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        let script = format!(
            "const e = document.querySelector({}); return e ? e.textContent : null;",
            serde_json::to_string(css).unwrap()
        );
        loop {
            let text = self.script(&script).as_str().unwrap_or_default().to_owned();
            if ok(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never satisfied the condition; last text: {text:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, file: &std::path::Path) {
        use base64::Engine;
        let png = self.call("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, bytes).unwrap();
    }
}

/// Where CI keeps the screenshot (an artifact file).
fn screenshot_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("artifacts")
        .join(name)
}

#[test]
#[ignore = "needs chromium and chromium-driver (.ci/run installs them)"]
fn a_rejected_request_appears_with_its_diagnosis_and_the_signature_form_answers() {
    let server = start();
    // A request signed with another client's key: refused, with a diagnosis.
    let ts = now_timestamp();
    let wrong = signed_headers(PKCS1_PRIVATE_KEY, DEMO_CLIENT, &ts);
    post_with(&server.token_url(), &wrong, BODY).expect(
        401,
        "4017300",
        "Unauthorized. Invalid Signature",
    );
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );

    let browser = Browser::start();
    browser.open(&format!("{}/__admin/ui", server.uri()));
    browser.text_when("#requests-table tbody", |t| t.contains("4017300"));
    browser.text_when("#state-server", |t| t.contains("finpay"));
    browser.text_when("#clients-table", |t| t.contains("demo-client-pkcs1"));

    // Open the refused one: its diagnosis and string-to-sign.
    browser.script(
        "for (const tr of document.querySelectorAll('#requests-table tbody tr')) \
           if (tr.textContent.includes('4017300')) { tr.querySelector('button').click(); break; }",
    );
    let reason = browser.text_when("#d-reason", |t| t.len() > 2);
    assert!(
        reason.contains("made with the private key of client \"demo-client-pkcs1\""),
        "{reason}"
    );
    let sts = browser.text_when("#d-sts", |t| !t.is_empty());
    assert_eq!(sts, format!("demo-client|{ts}"));
    // The issued token's claims, for the accepted one.
    browser.script(
        "for (const tr of document.querySelectorAll('#requests-table tbody tr')) \
           if (tr.textContent.includes('2007300')) { tr.querySelector('button').click(); break; }",
    );
    let token = browser.text_when("#d-token", |t| t.contains("\"aud\""));
    assert!(
        token.contains("\"alg\": \"RS256\"") && token.contains("demo-client"),
        "{token}"
    );

    // Filters: only the rejected ones.
    browser.script("document.getElementById('filter-outcome').value = 'rejected';");
    browser.click("#filters button[type=submit]");
    browser.text_when("#requests-table tbody", |t| {
        t.contains("4017300") && !t.contains("2007300")
    });

    // The signature form: a good signature, then a bad one.
    let good = signed_headers(DEMO_PRIVATE_KEY, DEMO_CLIENT, &ts);
    let value =
        |h: &[(String, String)], name: &str| h.iter().find(|(k, _)| k == name).unwrap().1.clone();
    browser.type_into("#check-client", DEMO_CLIENT);
    browser.type_into("#check-timestamp", &ts);
    browser.type_into("#check-signature", &value(&good, "X-SIGNATURE"));
    browser.click("#check-form button[type=submit]");
    let verdict = browser.text_when("#check-verdict", |t| !t.is_empty());
    assert!(verdict.starts_with("valid"), "{verdict}");
    browser.type_into("#check-signature", &value(&wrong, "X-SIGNATURE"));
    browser.click("#check-form button[type=submit]");
    let verdict = browser.text_when("#check-verdict", |t| t.starts_with("refused"));
    assert!(verdict.contains("4017300"), "{verdict}");
    let why = browser.text_when("#check-diagnosis", |t| !t.is_empty());
    assert!(why.contains("demo-client-pkcs1"), "{why}");

    // Back to every request, one opened, for the screenshot.
    browser.script("document.getElementById('filter-outcome').value = '';");
    browser.click("#filters button[type=submit]");
    browser.text_when("#requests-table tbody", |t| t.contains("2007300"));
    browser.script(
        "for (const tr of document.querySelectorAll('#requests-table tbody tr')) \
           if (tr.textContent.includes('4017300')) { tr.querySelector('button').click(); break; } \
         window.scrollTo(0, 0);",
    );
    browser.text_when("#d-reason", |t| t.contains("demo-client-pkcs1"));
    let shot = screenshot_path("inspector.png");
    browser.screenshot(&shot);
    println!("screenshot: {}", shot.display());
    if std::env::var_os("SNAP_MOCK_WRITE_SCREENSHOT").is_some() {
        std::fs::copy(&shot, "docs/inspector.png").unwrap();
    }
}

#[test]
#[ignore = "needs chromium and chromium-driver (.ci/run installs them)"]
fn with_an_admin_token_the_page_asks_for_it_and_works_once_given() {
    let server = start_with(|c| c.admin_token = Some("s3cret-token".into()));
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
    // Without the token: 401, with the challenge that makes a browser ask.
    let page = get(&format!("{}/__admin/ui", server.uri()));
    assert_eq!(page.status, 401);
    assert!(page
        .header("www-authenticate")
        .is_some_and(|h| h.starts_with("Basic ")));

    // A browser given the token (as a user types it into the prompt).
    let browser = Browser::start();
    let with_token = server
        .uri()
        .replace("http://", "http://admin:s3cret-token@");
    browser.open(&format!("{with_token}/__admin/ui"));
    browser.text_when("#requests-table tbody", |t| t.contains("2007300"));
    browser.text_when("#clients-table", |t| t.contains("demo-client"));
}

/// Serves `page` as HTML to every request on a new port of 127.0.0.1 (the
/// attacker's site); returns its origin. The thread ends with the process.
fn serve_page(page: String) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten().take(50) {
            let mut stream = stream;
            let mut head = [0u8; 4096];
            let _ = stream.read(&mut head);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    origin
}

#[test]
#[ignore = "needs chromium and chromium-driver (.ci/run installs them)"]
fn a_page_on_another_origin_cannot_add_a_scenario_by_fetch_or_form() {
    let server = start();
    let admin_base = server.uri();
    let localhost_base = admin_base.replace("127.0.0.1", "localhost");
    // What an attacker's page does: no-cors fetches with a text/plain body
    // (a "simple" request: no preflight) to 127.0.0.1 and to localhost,
    // then a text/plain form posted to the admin API.
    let page = format!(
        r#"<!doctype html><title>attacker</title>
<form id="f" method="POST" enctype="text/plain" action="{admin_base}/__admin/scenarios">
<input name='{{"name":"evil-form","respond":{{"responseCode":"5007300"}},"description":"' value='"}}'></form>
<script>
const body = (name) => JSON.stringify({{name, respond: {{responseCode: "5007300"}}}});
Promise.allSettled([
  fetch("{admin_base}/__admin/scenarios", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}}, body: body("evil-fetch")}}),
  fetch("{localhost_base}/__admin/scenarios", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}}, body: body("evil-localhost")}}),
  fetch("{admin_base}/__admin/reset", {{method: "POST", mode: "no-cors"}}),
]).then(() => {{ document.title = "fetched"; document.getElementById("f").submit(); }});
</script>"#
    );
    let attacker = serve_page(page);
    let browser = Browser::start();
    browser.open(&format!("{attacker}/"));
    // The form's answer replaces the page: the admin API's refusal.
    let deadline = Instant::now() + Duration::from_secs(15);
    let answer = loop {
        let shown = browser.script("return location.href + ' ' + document.body.innerText;");
        let shown = shown.as_str().unwrap_or_default().to_owned();
        if shown.contains("/__admin/scenarios") {
            break shown;
        }
        assert!(Instant::now() < deadline, "the form never posted: {shown}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(answer.contains("4030001"), "{answer}");
    let names: Vec<String> = admin(&server, "GET", "/scenarios", None).json()["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(!names.iter().any(|n| n.starts_with("evil")), "{names:?}");
    // The bundled scenarios are still there: /reset did not run either
    // (it would be harmless, but it is a change a page cannot make).
    assert!(names.iter().any(|n| n == "timeout"), "{names:?}");
    // And a token request still gets a token.
    request_token(&server.token_url()).expect(
        200,
        "2007300",
        "Request has been processed successfully",
    );
}

#[test]
#[ignore = "needs chromium and chromium-driver (.ci/run installs them)"]
fn the_page_lists_transactions_and_its_buttons_pay_them() {
    let server = start();
    let token = request_token(&server.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = "/v1.0/transfer-va/create-va";
    let body = r#"{"partnerServiceId":"   12345","customerNo":"000000777","virtualAccountNo":"   12345000000777","virtualAccountName":"Jane","trxId":"UI-1","totalAmount":{"value":"777.00","currency":"IDR"}}"#;
    let headers = service_headers(&token, "demo-client-secret", path, body, "ui-ext-1");
    post_with(&format!("{}{path}", server.uri()), &headers, body).expect(
        200,
        "2002700",
        "Successful",
    );

    let browser = Browser::start();
    browser.open(&format!("{}/__admin/ui", server.uri()));
    let row = browser.text_when("#transactions-table tbody", |t| t.contains("UI-1"));
    assert!(
        row.contains("03 Pending") && row.contains("777.00 IDR") && row.contains("12345000000777"),
        "{row}"
    );
    browser.click("#transactions-table tbody button[data-verb=pay]");
    let result = browser.text_when("#transactions-result", |t| t.contains("now"));
    assert!(result.contains("is now 00 Success"), "{result}");
    browser.text_when("#transactions-table tbody", |t| t.contains("00 Success"));
    assert_eq!(
        server.transaction("UI-1").unwrap().unwrap().status,
        snap_mock::Status::Success
    );
}

/// A link opens one request whatever page the list shows; the served
/// endpoints (canned and stateful) are listed; and in a narrow window no
/// header or one-word cell breaks inside a word ("signatur e").
#[test]
#[ignore = "needs chromium and chromium-driver (.ci/run installs them)"]
fn a_link_opens_one_request_endpoints_are_listed_and_words_never_break() {
    let server = start();
    let ts = now_timestamp();
    let wrong = signed_headers(PKCS1_PRIVATE_KEY, DEMO_CLIENT, &ts);
    post_with(&server.token_url(), &wrong, BODY).expect(
        401,
        "4017300",
        "Unauthorized. Invalid Signature",
    );
    let refused = server.requests().unwrap()[0].seq;
    for _ in 0..3 {
        request_token(&server.token_url()).expect(
            200,
            "2007300",
            "Request has been processed successfully",
        );
    }

    let browser = Browser::start();
    browser.call(
        "POST",
        "/window/rect",
        Some(json!({"width": 640, "height": 1000})),
    );
    browser.open(&format!("{}/__admin/ui#request-{refused}", server.uri()));
    let reason = browser.text_when("#d-reason", |t| t.len() > 2);
    assert!(reason.contains("demo-client-pkcs1"), "{reason}");
    let request = browser.text_when("#d-request", |t| !t.is_empty());
    assert!(request.starts_with("POST /"), "{request}");
    let href = browser.script("return document.getElementById('d-link').getAttribute('href');");
    assert_eq!(href, format!("#request-{refused}"));
    // Every row links to its request.
    let links = browser.script(
        "return [...document.querySelectorAll('#requests-table tbody a.permalink')].map(a => a.getAttribute('href'));",
    );
    assert_eq!(links.as_array().unwrap().len(), 4, "{links}");
    // A request no longer held says so.
    browser.open(&format!("{}/__admin/ui#request-999999", server.uri()));
    let empty = browser.text_when("#detail-empty", |t| t.contains("999999"));
    assert!(empty.contains("not in the journal"), "{empty}");

    let endpoints = browser.text_when("#endpoints-table tbody", |t| t.contains("create-va"));
    assert!(
        endpoints.contains("/v1.0/transfer-va/create-va")
            && endpoints.contains("stateful")
            && endpoints.contains("/v1.0/transfer-va/inquiry")
            && endpoints.contains("canned"),
        "{endpoints}"
    );
    browser.text_when("#requests-table tbody", |t| t.contains("4017300"));
    // A word broken inside wraps onto two lines within one word: find any
    // word of a header or a cell without code whose text spans two lines
    // (a line may end after a hyphen or a slash: "demo-" / "client" is
    // not a broken word).
    let broken = browser.script(
        r#"const broken = [];
           for (const cell of document.querySelectorAll('th, td')) {
             if (cell.querySelector('code, pre, button, input, textarea')) continue;
             const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
             for (let node = walker.nextNode(); node; node = walker.nextNode()) {
               const re = /[^\s\-\/]+/g; let m;
               while ((m = re.exec(node.data))) {
                 const range = document.createRange();
                 range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
                 const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                 if (tops.size > 1) broken.push(m[0]);
               }
             }
           }
           return broken;"#,
    );
    assert_eq!(broken, json!([]), "words broken inside: {broken}");
}
