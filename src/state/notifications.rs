//! The state's side of notifications: queueing one when a transaction
//! changes state, and delivering what is due (called by the worker the
//! server starts), each attempt journaled as an outbound entry.

use super::State;
use crate::journal::{body_text, Direction, JournalEntry, JournalOutcome};
use crate::outbound::notify::{self, Notification};
#[cfg(feature = "outbound")]
use crate::provider::NotificationAuth;
use crate::snap::step::Step;
use crate::store::block_on;
use crate::transactions::{Kind, Transaction};
use chrono::{DateTime, Utc};

/// `POST url` with `headers` and `body`: the status (none when no answer
/// came), the body (cut at 64 KiB) or why nothing came, and the time taken.
#[cfg(feature = "outbound")]
fn post(url: &str, headers: &[(String, String)], body: &str) -> (Option<u16>, String, u64) {
    use std::io::Read;
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(5))
        .redirects(0)
        .build();
    let mut call = agent.post(url);
    for (name, value) in headers {
        call = call.set(name, value);
    }
    let started = std::time::Instant::now();
    let (status, text) = match call.send_bytes(body.as_bytes()) {
        Ok(r) | Err(ureq::Error::Status(_, r)) => {
            let status = r.status();
            let mut raw = Vec::new();
            let _ = r.into_reader().take(64 * 1024).read_to_end(&mut raw);
            (Some(status), String::from_utf8_lossy(&raw).into_owned())
        }
        Err(e) => (None, format!("no answer: {e}")),
    };
    (
        status,
        text,
        u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
    )
}

/// What came back from one attempt.
pub struct Attempt {
    /// HTTP status, when an answer came.
    pub status: Option<u16>,
    /// The body (cut), or why nothing came.
    pub body: String,
    /// Microseconds.
    pub micros: u64,
    /// The headers sent.
    pub headers: Vec<(String, String)>,
}

impl Attempt {
    #[cfg(feature = "outbound")]
    fn none(why: String) -> Self {
        Self {
            status: None,
            body: why,
            micros: 0,
            headers: Vec::new(),
        }
    }
}

impl State {
    /// Sends `client_key`'s notifications to `url` from now on, over its
    /// fixture's `notificationUrl` (`MockServer::set_notification_url`).
    pub fn set_notification_url(&self, client_key: &str, url: &str) {
        self.notification_urls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(client_key.to_owned(), url.to_owned());
    }

    /// A `referenceNo` for a new transaction: 16 digits.
    pub fn reference_no(&self) -> String {
        let n = uuid::Uuid::new_v4().as_u128() % 10u128.pow(16);
        format!("{n:016}")
    }

    /// Queues the notification of `transaction`'s new state for its
    /// client, when the client has a `notificationUrl`.
    pub fn notify(&self, transaction: &Transaction, now: DateTime<Utc>) {
        let set_at_runtime = self
            .notification_urls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&transaction.client_key)
            .cloned();
        let client = self.stores.clients.get(&transaction.client_key);
        let per_kind = client.as_ref().and_then(|c| {
            let urls = &c.notification_urls;
            match transaction.kind() {
                Kind::VirtualAccount => urls.virtual_account.clone(),
                Kind::Qris => urls.qris.clone(),
                Kind::DirectDebit => urls.direct_debit.clone(),
            }
        });
        // Where the provider's merchants serve it: NICEPAY's
        // `/api/v1.0/transfer-va/payment`, Paylabs' `/transfer-va/payment`.
        let path = self
            .config
            .provider
            .service_path(transaction.notification_path());
        let url = match (set_at_runtime, per_kind) {
            (Some(base), _) => notify::url_for(&base, &path),
            (None, Some(full)) => full,
            (None, None) => match client.as_ref().and_then(|c| c.notification_url.clone()) {
                Some(base) => notify::url_for(&base, &path),
                None => return,
            },
        };
        let signed_path = if self.config.provider.signs_notifications_over_service_path {
            path
        } else {
            crate::outbound::path_and_query(&url)
        };
        let notification = Notification {
            id: uuid::Uuid::new_v4().simple().to_string(),
            reference_no: transaction.reference_no.clone(),
            client_key: transaction.client_key.clone(),
            url,
            signed_path,
            body: transaction.notification_body(now).to_string(),
            external_id: uuid::Uuid::new_v4().simple().to_string(),
            attempts: 0,
            next_due: Some(now),
            state: "pending",
        };
        if let Some(dropped) = self.outbox.push(notification) {
            self.journal_attempt(
                &dropped,
                None,
                "dropped: the outbox is full (--max-notifications)",
                now,
            );
        }
    }

    /// Expires the VAs past their date and delivers every notification
    /// due now (server clock). Blocking: the server's worker thread calls
    /// it a few times a second.
    pub fn deliver_due(&self) {
        let now = self.clock.now();
        if let Ok(expired) = block_on(self.stores.transactions.expire_due(now)) {
            if !expired.is_empty() {
                // The client may have been registered through another
                // replica since this one last looked.
                let _ = block_on(self.stores.backend.refresh());
            }
            for transaction in &expired {
                self.notify(transaction, now);
            }
        }
        for notification in self.outbox.take_due(now) {
            let attempt = self.send(&notification, now);
            let ok = notify::delivered(attempt.status, &attempt.body);
            let after = self.clock.now();
            // The schedule counts from the attempt, not from its answer: a
            // test that moves the clock as soon as its receiver has the
            // request still gets the retry (a slow answer would otherwise
            // carry the next attempt past the clock's move).
            let finished =
                self.outbox
                    .finish(&notification.id, ok, now, &self.config.notification_retries);
            let verdict = match (ok, finished.as_ref().and_then(|n| n.next_due)) {
                (true, _) => "delivered".to_owned(),
                (false, Some(at)) => format!("not delivered; next attempt at {}", at.to_rfc3339()),
                (false, None) => "not delivered; the retry schedule is spent (given up)".to_owned(),
            };
            self.journal_attempt(&notification, Some(attempt), &verdict, after);
        }
    }

    #[cfg(feature = "outbound")]
    fn send(&self, notification: &Notification, now: DateTime<Utc>) -> Attempt {
        let client = self.stores.clients.get(&notification.client_key);
        let partner = client
            .as_ref()
            .and_then(|c| c.partner_id.clone())
            .unwrap_or_else(|| notification.client_key.clone());
        let headers = match self.config.notification_auth {
            NotificationAuth::Asymmetric => {
                notify::signed_headers(&self.notifier, notification, &partner, now)
            }
            NotificationAuth::BearerToken => {
                let secret = client.as_ref().and_then(|c| c.client_secret.clone());
                let token = self.merchant_token(notification, now);
                match (secret, token) {
                    (Some(secret), Ok(token)) => {
                        notify::bearer_headers(&secret, &token, notification, &partner, now)
                    }
                    (None, _) => return Attempt::none(format!(
                        "not sent: client {:?} has no clientSecret to sign a bearer-token notification with",
                        notification.client_key
                    )),
                    (_, Err(why)) => return Attempt::none(why),
                }
            }
        };
        let (status, body, micros) = post(&notification.url, &headers, &notification.body);
        Attempt {
            status,
            body,
            micros,
            headers,
        }
    }

    /// A B2B token from the merchant's own token endpoint, signed with the
    /// provider's key for the client's key (`--notification-auth
    /// bearer-token`).
    #[cfg(feature = "outbound")]
    fn merchant_token(
        &self,
        notification: &Notification,
        now: DateTime<Utc>,
    ) -> Result<String, String> {
        let url = notify::token_url(&notification.url);
        let timestamp = crate::snap::timestamp::format_snap_timestamp(&now);
        let signature = self
            .notifier
            .sign_token_request(&notification.client_key, &timestamp)
            .map_err(|e| e.0)?;
        let headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-TIMESTAMP".to_owned(), timestamp),
            ("X-CLIENT-KEY".to_owned(), notification.client_key.clone()),
            ("X-SIGNATURE".to_owned(), signature),
        ];
        let (status, body, _) = post(&url, &headers, r#"{"grantType":"client_credentials"}"#);
        serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["accessToken"].as_str().map(str::to_owned))
            .filter(|_| status.is_some_and(|s| (200..300).contains(&s)))
            .ok_or_else(|| {
                format!(
                    "not sent: the merchant's token endpoint {url} gave no token ({}: {})",
                    status.map_or("no answer".to_owned(), |s| s.to_string()),
                    body.chars().take(200).collect::<String>()
                )
            })
    }

    /// Without an HTTP client: the journal shows what would have been sent.
    #[cfg(not(feature = "outbound"))]
    fn send(&self, notification: &Notification, now: DateTime<Utc>) -> Attempt {
        Attempt {
            status: None,
            body: "not sent: snap-mock was built without the `outbound` feature".into(),
            micros: 0,
            headers: notify::signed_headers(
                &self.notifier,
                notification,
                &notification.client_key,
                now,
            ),
        }
    }

    fn journal_attempt(
        &self,
        n: &Notification,
        attempt: Option<Attempt>,
        verdict: &str,
        now: DateTime<Utc>,
    ) {
        let journal = &self.stores.journal;
        if !journal.enabled() {
            return;
        }
        let limit = journal.body_limit();
        let (body, body_truncated) = body_text(n.body.as_bytes(), limit);
        let code = |body: &str| {
            serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .map(|v| {
                    (
                        v["responseCode"].as_str().map(str::to_owned),
                        v["responseMessage"].as_str().map(str::to_owned),
                    )
                })
                .unwrap_or_default()
        };
        let (status, answer, micros, headers) = match attempt {
            Some(a) => (a.status, Some(a.body), a.micros, a.headers),
            None => (None, None, 0, Vec::new()),
        };
        let (response_code, response_message) = answer.as_deref().map(code).unwrap_or_default();
        let entry = JournalEntry {
            id: uuid::Uuid::new_v4().to_string(),
            seq: 0,
            time: now,
            method: "POST".into(),
            path: n.url.clone(),
            query: None,
            target_truncated: false,
            headers,
            body,
            body_bytes: n.body.len(),
            body_truncated,
            client_key: Some(n.client_key.clone()),
            outcome: JournalOutcome {
                status,
                response_code,
                response_message,
                fault: None,
            },
            decided_by: Step::Sent,
            reason: Some(format!(
                "notification {} of transaction {}, attempt {}: {verdict}",
                n.id, n.reference_no, n.attempts
            )),
            string_to_sign: None,
            scenario: None,
            issued_token: None,
            duration_micros: micros,
            direction: Direction::Outbound,
            answer_body: answer.map(|a| body_text(a.as_bytes(), limit).0),
        };
        if let Err(e) = block_on(journal.record(entry)) {
            log::warn!("the journal missed notification {}: {e}", n.id);
        }
    }
}
