//! A virtual account that moves: created by the client over SNAP, paid by
//! the customer (the admin API), a signed notification delivered to the
//! merchant (a receiver in this test) and retried on the server's clock
//! when refused, the status query saying "paid".

use crate::helpers::*;
use snap_mock::internals::{verify_asymmetric, ClientPublicKey};
use snap_mock::{Config, MockServer, Provider, Step};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

const SECRET: &str = "demo-client-secret";
const CREATE: &str = "/v1.0/transfer-va/create-va";
const STATUS: &str = "/v1.0/transfer-va/status";

/// One request the receiver got.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) path: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> &str {
        &self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap()
            .1
    }
}

/// A merchant's notification endpoint: answers each request with the next
/// of `answers` (the last one again once they run out) and keeps what it got.
pub(crate) struct Receiver {
    pub(crate) url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub(crate) fn start(answers: &[(u16, &str)]) -> Self {
        Self::start_holding(answers, std::time::Duration::ZERO)
    }

    /// Keeps each request `hold` before answering it (got() has it at once):
    /// an attempt still in flight while the test goes on.
    pub(crate) fn start_holding(answers: &[(u16, &str)], hold: std::time::Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let answers: Vec<(u16, String)> =
            answers.iter().map(|(s, b)| (*s, b.to_string())).collect();
        let kept = got.clone();
        std::thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split(' ').nth(1).unwrap_or("").to_owned();
                let mut headers = Vec::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap();
                    headers.push((k.trim().to_owned(), v.trim().to_owned()));
                }
                let length: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                kept.lock().unwrap().push(Received {
                    path,
                    headers,
                    body: String::from_utf8(body).unwrap(),
                });
                std::thread::sleep(hold);
                let (status, answer) = &answers[n.min(answers.len() - 1)];
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Self { url, got }
    }

    pub(crate) fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

pub(crate) const ACK: &str = r#"{"responseCode":"2002500","responseMessage":"Successful"}"#;

fn token(server: &MockServer) -> String {
    request_token(&server.token_url()).json()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn call(server: &MockServer, token: &str, path: &str, body: &str) -> Answer {
    let external_id = uuid::Uuid::new_v4().simple().to_string();
    post_with(
        &format!("{}{path}", server.uri()),
        &service_headers(token, SECRET, path, body, &external_id),
        body,
    )
}

fn create_body(trx: &str, va: &str, expires: &str) -> String {
    serde_json::json!({
        "partnerServiceId": "   12345",
        "customerNo": &va[8..],
        "virtualAccountNo": va,
        "virtualAccountName": "Jane Doe",
        "trxId": trx,
        "totalAmount": {"value": "150000.00", "currency": "IDR"},
        "virtualAccountTrxType": "C",
        "expiredDate": expires,
        "additionalInfo": {"note": "probe"}
    })
    .to_string()
}

/// A server under `provider` whose demo client's notifications go to
/// `receiver`, with a VA (`trx`, number `va`) created over SNAP at the
/// provider's path, and paid.
fn created_and_paid(
    provider: &'static Provider,
    receiver: &Receiver,
    trx: &str,
    va: &str,
) -> MockServer {
    let server = start_with(|c| *c = c.clone().with_provider(provider));
    server
        .set_notification_url("demo-client", &receiver.url)
        .unwrap();
    let body: serde_json::Value =
        serde_json::from_str(&create_body(trx, va, "2099-01-01T00:00:00+07:00")).unwrap();
    let created = server
        .demo_client()
        .unwrap()
        .post(&provider.service_path(CREATE), &body)
        .unwrap();
    assert_eq!(
        (
            created.status,
            created.response_code(),
            created.body["responseMessage"].as_str()
        ),
        (200, Some("2002700"), Some("Successful")),
        "{}: {}",
        provider.name,
        created.body
    );
    server.pay(trx, None).unwrap();
    server
}

fn verify_notification(server: &MockServer, got: &Received) {
    verify_notification_over(server, got, &got.path);
}

/// As [`verify_notification`], the signature over `signed_path`.
fn verify_notification_over(server: &MockServer, got: &Received, signed_path: &str) {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(got.body.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let string_to_sign = format!("POST:{signed_path}:{hex}:{}", got.header("X-TIMESTAMP"));
    // The key the merchant installs, fetched as a merchant would.
    let pem = get(&format!("{}/notification-key.pem", server.uri()));
    assert_eq!(pem.status, 200);
    assert_eq!(pem.text.clone(), server.notification_key_pem());
    let key = ClientPublicKey::from_pem(&pem.text.clone()).unwrap();
    assert_eq!(
        verify_asymmetric(&key, &string_to_sign, got.header("X-SIGNATURE").as_bytes()),
        Ok(())
    );
}

#[test]
fn a_va_is_created_paid_notified_and_reported_paid() {
    let receiver = Receiver::start(&[(200, ACK)]);
    let server = start();
    server
        .set_notification_url("demo-client", &receiver.url)
        .unwrap();
    let token = token(&server);
    let va = "   12345000000042";
    let created = call(
        &server,
        &token,
        CREATE,
        &create_body("INV-42", va, "2099-01-01T00:00:00+07:00"),
    );
    created.expect(200, "2002700", "Successful");
    let data = &created.json()["virtualAccountData"];
    assert_eq!(
        (data["virtualAccountNo"].as_str(), data["trxId"].as_str()),
        (Some(va), Some("INV-42"))
    );
    assert_eq!(data["totalAmount"]["value"], "150000.00");
    let reference = data["referenceNo"].as_str().unwrap().to_owned();
    assert_eq!(reference.len(), 16);

    let status_body = format!(
        r#"{{"partnerServiceId":"   12345","customerNo":"000000042","virtualAccountNo":"{va}"}}"#
    );
    let status = call(&server, &token, STATUS, &status_body);
    status.expect(200, "2002600", "Successful");
    assert_eq!(
        status.json()["virtualAccountData"]["latestTransactionStatus"],
        "03"
    );

    // The customer pays, by the VA number with its spaces.
    let paid = admin(
        &server,
        "POST",
        &format!("/transactions/{}/pay", va.replace(' ', "%20")),
        None,
    );
    assert_eq!(paid.status, 200, "{}", paid.text.clone());
    eventually("the notification arrives", || !receiver.got().is_empty());
    let got = receiver.got()[0].clone();
    assert_eq!(got.path, "/hooks/v1.0/transfer-va/payment");
    assert_eq!(got.header("X-PARTNER-ID"), "demo-client");
    assert_eq!(got.header("Content-Type"), "application/json");
    verify_notification(&server, &got);
    let body: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(
        (
            body["referenceNo"].as_str(),
            body["latestTransactionStatus"].as_str()
        ),
        (Some(reference.as_str()), Some("00"))
    );
    assert_eq!(body["paidAmount"]["value"], "150000.00");

    let status = call(&server, &token, STATUS, &status_body);
    assert_eq!(
        status.json()["virtualAccountData"]["latestTransactionStatus"],
        "00"
    );
    assert_eq!(
        status.json()["virtualAccountData"]["transactionStatusDesc"],
        "Success"
    );
    // Paid once: the second payment and a new VA under the same trxId are refused.
    let again = admin(
        &server,
        "POST",
        &format!("/transactions/{reference}/pay"),
        None,
    );
    assert_eq!(again.status, 400);
    assert!(
        again.text.clone().contains("Paid Bill"),
        "{}",
        again.text.clone()
    );
    call(
        &server,
        &token,
        CREATE,
        &create_body("INV-42", "   12345000000043", "2099-01-01T00:00:00+07:00"),
    )
    .expect(409, "4092701", "Duplicate partnerReferenceNo");
    // Every attempt is in the journal, outbound.
    eventually("the attempt is journaled", || {
        server
            .requests()
            .unwrap()
            .iter()
            .any(|e| e.decided_by == Step::Sent)
    });
    let sent = server
        .requests()
        .unwrap()
        .into_iter()
        .find(|e| e.decided_by == Step::Sent)
        .unwrap();
    assert_eq!(sent.outcome.response_code.as_deref(), Some("2002500"));
    assert!(
        sent.reason
            .as_deref()
            .unwrap()
            .ends_with("attempt 1: delivered"),
        "{:?}",
        sent.reason
    );
    assert_eq!(server.notifications()[0].state, "delivered");
}

#[test]
fn a_refused_notification_is_retried_on_the_clock_with_the_same_body_and_external_id() {
    let receiver = Receiver::start(&[
        (500, r#"{"responseCode":"5002500"}"#),
        (200, "not json"),
        (200, ACK),
    ]);
    let server = created_and_paid(
        <&Provider>::default(),
        &receiver,
        "INV-7",
        "   12345000000007",
    );
    eventually("the first attempt", || receiver.got().len() == 1);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        receiver.got().len(),
        1,
        "the retry waits for the schedule (2 minutes)"
    );
    server
        .clock()
        .advance(std::time::Duration::from_secs(2 * 60));
    eventually("the second attempt", || receiver.got().len() == 2);
    server
        .clock()
        .advance(std::time::Duration::from_secs(5 * 60));
    eventually("the third attempt", || receiver.got().len() == 3);
    let got = receiver.got();
    assert_eq!(got[0].body, got[2].body);
    assert_eq!(
        got[0].header("X-EXTERNAL-ID"),
        got[2].header("X-EXTERNAL-ID")
    );
    assert_ne!(
        got[0].header("X-TIMESTAMP"),
        got[2].header("X-TIMESTAMP"),
        "signed again"
    );
    verify_notification(&server, &got[2]);
    eventually("delivered", || {
        server.notifications()[0].state == "delivered"
    });
    let reasons: Vec<String> = server
        .requests()
        .unwrap()
        .into_iter()
        .filter(|e| e.decided_by == Step::Sent)
        .map(|e| e.reason.unwrap())
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[2].contains("attempt 1: not delivered; next attempt at"),
        "{reasons:?}"
    );
    assert!(reasons[0].ends_with("attempt 3: delivered"), "{reasons:?}");
    // On demand, once more: same body, same id.
    let id = server.notifications()[0].id.clone();
    assert_eq!(
        admin(
            &server,
            "POST",
            &format!("/notifications/{id}/resend"),
            None
        )
        .status,
        202
    );
    eventually("the resend", || receiver.got().len() == 4);
    assert_eq!(
        receiver.got()[3].header("X-EXTERNAL-ID"),
        got[0].header("X-EXTERNAL-ID")
    );
}

/// The retry schedule counts from the attempt, not from its answer: a test
/// that moves the clock as soon as its receiver has the request (while the
/// answer is still on its way back) gets the retry.
#[test]
fn the_clock_may_move_while_an_attempt_is_in_flight() {
    let receiver = Receiver::start_holding(
        &[(500, r#"{"responseCode":"5002500"}"#), (200, ACK)],
        std::time::Duration::from_millis(400),
    );
    let server = created_and_paid(
        <&Provider>::default(),
        &receiver,
        "INV-8",
        "   12345000000008",
    );
    eventually("the first attempt", || receiver.got().len() == 1);
    server
        .clock()
        .advance(std::time::Duration::from_secs(2 * 60));
    eventually("the retry", || receiver.got().len() == 2);
    eventually("delivered", || {
        server.notifications()[0].state == "delivered"
    });
}

/// NICEPAY's merchants take the payment notification at
/// `/api/v1.0/transfer-va/payment`, Paylabs' at `/transfer-va/payment`:
/// where each provider places its service paths. Paylabs signs it over
/// that path alone, whatever comes before it in the merchant's URL.
#[test]
fn a_providers_notification_goes_to_its_own_service_path() {
    for (name, expected, signed) in [
        (
            "nicepay",
            "/hooks/api/v1.0/transfer-va/payment",
            "/hooks/api/v1.0/transfer-va/payment",
        ),
        (
            "paylabs",
            "/hooks/transfer-va/payment",
            "/transfer-va/payment",
        ),
        (
            "snap-bi",
            "/hooks/v1.0/transfer-va/payment",
            "/hooks/v1.0/transfer-va/payment",
        ),
    ] {
        let receiver = Receiver::start(&[(200, ACK)]);
        let provider: &'static Provider = name.parse().unwrap();
        let server = created_and_paid(provider, &receiver, "INV-P", "   12345000000011");
        eventually("the notification", || receiver.got().len() == 1);
        let got = &receiver.got()[0];
        assert_eq!(got.path, expected, "{name}");
        verify_notification_over(&server, got, signed);
        assert_eq!(server.notifications()[0].signed_path, signed, "{name}");
    }
}

#[test]
fn a_va_expires_by_its_date_on_the_clock_and_then_refuses_payment() {
    let receiver = Receiver::start(&[(200, ACK)]);
    let server = start();
    server
        .set_notification_url("demo-client", &receiver.url)
        .unwrap();
    let token = token(&server);
    let expires = (server.clock().now() + chrono::Duration::hours(1))
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap());
    call(
        &server,
        &token,
        CREATE,
        &create_body("INV-9", "   12345000000009", &expires.to_rfc3339()),
    )
    .expect(200, "2002700", "Successful");
    server
        .clock()
        .advance(std::time::Duration::from_secs(61 * 60));
    eventually("the expiry's notification", || !receiver.got().is_empty());
    let body: serde_json::Value = serde_json::from_str(&receiver.got()[0].body).unwrap();
    assert_eq!(body["latestTransactionStatus"], "06");
    assert_eq!(
        server
            .transaction("INV-9")
            .unwrap()
            .unwrap()
            .status_reason
            .as_deref(),
        Some("expired")
    );
    let refused = server.pay("INV-9", None).unwrap_err();
    assert!(refused.to_string().contains("Expired"), "{refused}");
    // The token issued before the hour passed has expired with it.
    call(
        &server,
        &token,
        STATUS,
        r#"{"virtualAccountNo":"   12345000000009"}"#,
    )
    .expect(401, "4012601", "Invalid Token (B2B)");
}

#[test]
fn scenarios_still_answer_first_and_bad_bodies_name_their_member() {
    let server = start();
    let token = token(&server);
    call(
        &server,
        &token,
        CREATE,
        r#"{"partnerServiceId":"   12345"}"#,
    )
    .expect(400, "4002702", "Invalid Mandatory Field customerNo");
    call(
        &server,
        &token,
        STATUS,
        r#"{"virtualAccountNo":"   19999999999999"}"#,
    )
    .expect(404, "4042601", "Transaction Not Found");
    server
        .add_scenario_json(r#"{"name":"va-down","match":{"path":"/v1.0/transfer-va/create-va"},"respond":{"responseCode":"5042700"}}"#)
        .unwrap();
    call(
        &server,
        &token,
        CREATE,
        &create_body("INV-1", "   12345000000001", "2099-01-01T00:00:00+07:00"),
    )
    .expect(504, "5042700", "Timeout");
    assert!(
        server.transactions().unwrap().is_empty(),
        "a scenario's answer creates nothing"
    );
    let none = admin(&server, "POST", "/transactions/nope/pay", None);
    assert_eq!(none.status, 404);
    let list = admin(&server, "GET", "/transactions?status=03", None);
    assert_eq!(list.status, 200);
}

#[test]
fn a_config_with_no_room_keeps_no_transaction_but_answers() {
    let server = start_with(|c: &mut Config| c.max_transactions = 1);
    let token = token(&server);
    for i in 1..=3 {
        call(
            &server,
            &token,
            CREATE,
            &create_body(
                &format!("T{i}"),
                &format!("   1234500000000{i}"),
                "2099-01-01T00:00:00+07:00",
            ),
        )
        .expect(200, "2002700", "Successful");
    }
    let kept = server.transactions().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].partner_reference_no, "T3");
}

#[test]
fn the_pay_command_pays_through_the_admin_api_and_says_why_it_cannot() {
    let server = start();
    let token = token(&server);
    call(
        &server,
        &token,
        CREATE,
        &create_body("INV-CLI", "   12345000000099", "2099-01-01T00:00:00+07:00"),
    )
    .expect(200, "2002700", "Successful");
    let bin = env!("CARGO_BIN_EXE_snap-mock");
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .args(["pay", "--url", &server.uri()])
            .args(args)
            .output()
            .unwrap()
    };
    let wrong = run(&["   12345000000099", "--amount", "1.00"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("Invalid Amount"),
        "{:?}",
        wrong
    );
    let paid = run(&["   12345000000099"]);
    assert_eq!(paid.status.code(), Some(0), "{paid:?}");
    assert!(
        String::from_utf8_lossy(&paid.stdout).contains(": 00 Success (INV-CLI)"),
        "{paid:?}"
    );
    let again = run(&["INV-CLI", "--fail"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("Paid Bill"),
        "{again:?}"
    );
    let unknown = run(&["nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nobody = std::process::Command::new(bin)
        .args([
            "pay",
            "INV-CLI",
            "--url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    assert_eq!(nobody.status.code(), Some(2));
}

#[test]
fn a_debit_is_paid_notified_refunded_in_part_and_cancel_is_refused_once_paid() {
    let receiver = Receiver::start(&[(
        200,
        r#"{"responseCode":"2005600","responseMessage":"Successful"}"#,
    )]);
    let server = start();
    server
        .set_notification_url("demo-client", &receiver.url)
        .unwrap();
    let token = token(&server);
    let pay = r#"{"partnerReferenceNo":"ORD-5","amount":{"value":"50000.00","currency":"IDR"},"merchantId":"M-1","additionalInfo":{}}"#;
    let created = call(&server, &token, "/v1.0/debit/payment-host-to-host", pay);
    created.expect(200, "2005400", "Successful");
    let reference = created.json()["referenceNo"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["partnerReferenceNo"], "ORD-5");
    call(&server, &token, "/v1.0/debit/payment-host-to-host", pay).expect(
        409,
        "4095401",
        "Duplicate partnerReferenceNo",
    );
    let status = r#"{"originalPartnerReferenceNo":"ORD-5","serviceCode":"54"}"#;
    assert_eq!(
        call(&server, &token, "/v1.0/debit/status", status).json()["latestTransactionStatus"],
        "03"
    );

    server.pay(&reference, None).unwrap();
    eventually("the finish notify", || receiver.got().len() == 1);
    let got = receiver.got()[0].clone();
    assert_eq!(got.path, "/hooks/v1.0/debit/notify");
    verify_notification(&server, &got);
    let notice: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(
        (
            notice["originalReferenceNo"].as_str(),
            notice["merchantId"].as_str()
        ),
        (Some(reference.as_str()), Some("M-1"))
    );
    let answer = call(&server, &token, "/v1.0/debit/status", status);
    answer.expect(200, "2005500", "Successful");
    assert_eq!(answer.json()["latestTransactionStatus"], "00");

    call(
        &server,
        &token,
        "/v1.0/debit/cancel",
        r#"{"originalPartnerReferenceNo":"ORD-5","reason":"changed my mind"}"#,
    )
    .expect(404, "4045700", "Invalid Transaction Status");
    let refund = |value: &str, no: &str| {
        format!(
            r#"{{"originalPartnerReferenceNo":"ORD-5","partnerRefundNo":"{no}","refundAmount":{{"value":"{value}","currency":"IDR"}},"reason":"x"}}"#
        )
    };
    let first = call(
        &server,
        &token,
        "/v1.0/debit/refund",
        &refund("20000.00", "RF-1"),
    );
    first.expect(200, "2005800", "Successful");
    assert_eq!(
        (
            first.json()["partnerRefundNo"].as_str(),
            first.json()["refundAmount"]["value"].as_str()
        ),
        (Some("RF-1"), Some("20000.00"))
    );
    call(
        &server,
        &token,
        "/v1.0/debit/refund",
        &refund("30000.01", "RF-2"),
    )
    .expect(404, "4045813", "Invalid Amount");
    let after = call(&server, &token, "/v1.0/debit/status", status).json();
    assert_eq!(
        (
            after["latestTransactionStatus"].as_str(),
            after["refundedAmount"]["value"].as_str()
        ),
        (Some("04"), Some("20000.00"))
    );
    eventually("the refund's notification", || receiver.got().len() == 2);
    call(
        &server,
        &token,
        "/v1.0/debit/status",
        r#"{"originalPartnerReferenceNo":"nope"}"#,
    )
    .expect(404, "4045501", "Transaction Not Found");
    call(
        &server,
        &token,
        "/v1.0/debit/cancel",
        r#"{"originalPartnerReferenceNo":"nope"}"#,
    )
    .expect(404, "4045701", "Transaction Not Found");
}

#[test]
fn a_qris_is_generated_paid_notified_queried_and_refunded() {
    let receiver = Receiver::start(&[(
        200,
        r#"{"responseCode":"2005200","responseMessage":"Successful"}"#,
    )]);
    let server = start();
    server
        .set_notification_url("demo-client", &receiver.url)
        .unwrap();
    let token = token(&server);
    let generate = r#"{"partnerReferenceNo":"QR-1","amount":{"value":"25000.00","currency":"IDR"},"merchantId":"M-9","terminalId":"T-1","validityPeriod":"2099-01-01T00:00:00+07:00"}"#;
    let created = call(&server, &token, "/v1.0/qr/qr-mpm-generate", generate);
    created.expect(200, "2004700", "Successful");
    let qr = created.json()["qrContent"].as_str().unwrap().to_owned();
    assert!(
        qr.starts_with("000201") && qr.contains("540825000.00"),
        "{qr}"
    );
    let reference = created.json()["referenceNo"].as_str().unwrap().to_owned();
    let query = r#"{"originalPartnerReferenceNo":"QR-1","serviceCode":"47","merchantId":"M-9"}"#;
    let open = call(&server, &token, "/v1.0/qr/qr-mpm-query", query);
    open.expect(200, "2005100", "Successful");
    assert_eq!(
        (
            open.json()["latestTransactionStatus"].as_str(),
            open.json()["serviceCode"].as_str()
        ),
        (Some("03"), Some("47"))
    );

    server.pay("QR-1", None).unwrap();
    eventually("the QRIS notify", || receiver.got().len() == 1);
    let got = receiver.got()[0].clone();
    assert_eq!(got.path, "/hooks/v1.0/qr/qr-mpm-notify");
    verify_notification(&server, &got);
    let notice: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(
        (
            notice["originalReferenceNo"].as_str(),
            notice["latestTransactionStatus"].as_str()
        ),
        (Some(reference.as_str()), Some("00"))
    );
    assert_eq!(
        call(&server, &token, "/v1.0/qr/qr-mpm-query", query).json()["latestTransactionStatus"],
        "00"
    );

    call(
        &server,
        &token,
        "/v1.0/qr/qr-mpm-cancel",
        r#"{"originalPartnerReferenceNo":"QR-1","reason":"x"}"#,
    )
    .expect(404, "4047700", "Invalid Transaction Status");
    let refund = r#"{"originalPartnerReferenceNo":"QR-1","partnerRefundNo":"RF-1","refundAmount":{"value":"25000.00","currency":"IDR"},"reason":"x"}"#;
    call(&server, &token, "/v1.0/qr/qr-mpm-refund", refund).expect(200, "2007800", "Successful");
    call(
        &server,
        &token,
        "/v1.0/qr/qr-mpm-refund",
        &refund.replace("RF-1", "RF-2"),
    )
    .expect(404, "4047813", "Invalid Amount");
    assert_eq!(
        call(&server, &token, "/v1.0/qr/qr-mpm-query", query).json()["latestTransactionStatus"],
        "04"
    );

    // Another QR, never paid: cancelled.
    let second = generate.replace("QR-1", "QR-2");
    call(&server, &token, "/v1.0/qr/qr-mpm-generate", &second).expect(200, "2004700", "Successful");
    let cancelled = call(
        &server,
        &token,
        "/v1.0/qr/qr-mpm-cancel",
        r#"{"originalPartnerReferenceNo":"QR-2","reason":"x"}"#,
    );
    cancelled.expect(200, "2007700", "Successful");
    assert!(cancelled.json()["cancelTime"].is_string());
    assert!(
        server.pay("QR-2", None).is_err(),
        "a cancelled QR is not paid"
    );
    let kinds: Vec<_> = server
        .transactions()
        .unwrap()
        .iter()
        .map(|t| t.kind())
        .collect();
    assert_eq!(kinds, [snap_mock::Kind::Qris, snap_mock::Kind::Qris]);
}

#[test]
fn the_cli_prints_the_key_the_server_serves() {
    let server = start();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_snap-mock"))
        .arg("notification-key")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        server.notification_key_pem()
    );
    let served = get(&format!("{}/notification-key.pem", server.uri()));
    assert_eq!(
        served.headers.get("content-type").map(String::as_str),
        Some("application/x-pem-file")
    );
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_snap-mock"))
        .args(["notification-key", "--notification-key", "Cargo.toml"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_client_may_name_a_full_url_per_kind() {
    let receiver = Receiver::start(&[(200, ACK)]);
    let server = start();
    let pem = std::fs::read_to_string("keys/demo-client.public.pem").unwrap();
    let entry = serde_json::json!({"clientKey": "demo-client", "publicKey": pem, "clientSecret": SECRET,
        "notificationUrl": receiver.url, "notificationUrls": {"qris": format!("{}/custom/qris-hook?x=1", receiver.url)}});
    let added = admin(&server, "POST", "/clients", Some(&entry.to_string()));
    assert_eq!(added.status, 201, "{}", added.text);
    let typo = serde_json::json!({"clientKey": "x", "publicKey": pem, "notificationUrls": {"qr": "http://x"}});
    let refused = admin(&server, "POST", "/clients", Some(&typo.to_string()));
    assert_eq!(
        refused.status, 400,
        "an unknown kind is an error: {}",
        refused.text
    );
    let token = token(&server);
    call(
        &server,
        &token,
        "/v1.0/qr/qr-mpm-generate",
        r#"{"partnerReferenceNo":"K-1","amount":{"value":"1.00","currency":"IDR"}}"#,
    )
    .expect(200, "2004700", "Successful");
    call(
        &server,
        &token,
        "/v1.0/debit/payment-host-to-host",
        r#"{"partnerReferenceNo":"K-2","amount":{"value":"1.00","currency":"IDR"}}"#,
    )
    .expect(200, "2005400", "Successful");
    server.pay("K-1", None).unwrap();
    server.pay("K-2", None).unwrap();
    eventually("both notifications", || receiver.got().len() == 2);
    let mut paths: Vec<String> = receiver.got().into_iter().map(|r| r.path).collect();
    paths.sort();
    assert_eq!(
        paths,
        ["/hooks/custom/qris-hook?x=1", "/hooks/v1.0/debit/notify"]
    );
    verify_notification(
        &server,
        &receiver
            .got()
            .into_iter()
            .find(|r| r.path.contains("custom"))
            .unwrap(),
    );
}

#[test]
fn a_call_of_one_kind_does_not_reach_a_transaction_of_another() {
    let server = start();
    let token = token(&server);
    call(
        &server,
        &token,
        "/v1.0/debit/payment-host-to-host",
        r#"{"partnerReferenceNo":"X-1","amount":{"value":"1.00","currency":"IDR"}}"#,
    )
    .expect(200, "2005400", "Successful");
    call(
        &server,
        &token,
        "/v1.0/qr/qr-mpm-query",
        r#"{"originalPartnerReferenceNo":"X-1"}"#,
    )
    .expect(404, "4045101", "Transaction Not Found");
    call(
        &server,
        &token,
        "/v1.0/qr/qr-mpm-cancel",
        r#"{"originalPartnerReferenceNo":"X-1"}"#,
    )
    .expect(404, "4047701", "Transaction Not Found");
    call(
        &server,
        &token,
        "/v1.0/transfer-va/delete-va",
        r#"{"trxId":"X-1"}"#,
    )
    .expect(404, "4043112", "Invalid Bill/Virtual Account [Not Found]");
    assert_eq!(
        server.transaction("X-1").unwrap().unwrap().status,
        snap_mock::Status::Pending
    );
}
