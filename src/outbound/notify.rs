//! Signed notifications to the merchant, and their outbox. When a
//! transaction changes state the server queues the notification; a worker
//! delivers what is due on the server's clock (so `Clock::advance` makes a
//! retry due at once in tests), retries on the schedule, and journals
//! every attempt. A retry keeps the body and the `X-EXTERNAL-ID` (merchants
//! must handle duplicates) and is signed again with a fresh timestamp.

use crate::signing::ClientKeyPair;
use crate::snap::timestamp::format_snap_timestamp;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

/// One notification, with its delivery state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// Unique; `POST /__admin/notifications/{id}/resend` takes it.
    pub id: String,
    /// The transaction it is about.
    pub reference_no: String,
    /// The client it goes to.
    pub client_key: String,
    /// Where.
    pub url: String,
    /// The path its signature covers: the URL's own path and query, or
    /// the provider's service path (Paylabs).
    pub signed_path: String,
    /// The body, minified, the same for every attempt.
    pub body: String,
    /// The same for every attempt.
    pub external_id: String,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due (server clock); `None` once delivered
    /// or given up.
    pub next_due: Option<DateTime<Utc>>,
    /// `pending`, `delivered`, `given-up` or `dropped`.
    pub state: &'static str,
}

/// The URL a notification goes to, from the client's `notificationUrl`
/// and the kind's SNAP path (`/v1.0/transfer-va/payment`,
/// `/v1.0/debit/notify`, as the provider places it): the URL itself when
/// it names a SNAP path already, or ends with this one.
pub fn url_for(notification_url: &str, path: &str) -> String {
    if notification_url.contains("/v1.0/") || notification_url.ends_with(path) {
        notification_url.to_owned()
    } else {
        format!("{}{path}", notification_url.trim_end_matches('/'))
    }
}

/// The headers of one attempt: `X-SIGNATURE` = base64 SHA256withRSA over
/// `POST:<signed path>:<hex sha256(minified body)>:<X-TIMESTAMP>`.
pub fn signed_headers(
    key: &ClientKeyPair,
    notification: &Notification,
    partner_id: &str,
    now: DateTime<Utc>,
) -> Vec<(String, String)> {
    let timestamp = format_snap_timestamp(&now);
    let string_to_sign = crate::signing::asymmetric_service_string_to_sign(
        "POST",
        &notification.signed_path,
        notification.body.as_bytes(),
        &timestamp,
    );
    let signature = key.sign(&string_to_sign).unwrap_or_default();
    vec![
        ("Content-Type".into(), "application/json".into()),
        ("X-TIMESTAMP".into(), timestamp),
        ("X-SIGNATURE".into(), signature),
        ("X-PARTNER-ID".into(), partner_id.to_owned()),
        ("X-EXTERNAL-ID".into(), notification.external_id.clone()),
        ("CHANNEL-ID".into(), "95221".into()),
    ]
}

#[cfg(feature = "outbound")]
/// The merchant's token endpoint, for a notification URL: its origin and
/// the path before `/v1.0/`, then `/v1.0/access-token/b2b`.
pub fn token_url(notification_url: &str) -> String {
    let path = crate::outbound::path_and_query(notification_url);
    let origin = &notification_url[..notification_url.len() - path.len()];
    let prefix = path.find("/v1.0/").map_or("", |i| &path[..i]);
    format!("{origin}{prefix}/v1.0/access-token/b2b")
}

#[cfg(feature = "outbound")]
/// The headers of an attempt as a bearer-token call: `Authorization:
/// Bearer <token>` and `X-SIGNATURE` = base64 HMAC-SHA512(client secret,
/// `POST:<signed path>:<token>:<hex sha256(minified body)>:<X-TIMESTAMP>`).
pub fn bearer_headers(
    client_secret: &str,
    token: &str,
    notification: &Notification,
    partner_id: &str,
    now: DateTime<Utc>,
) -> Vec<(String, String)> {
    let timestamp = format_snap_timestamp(&now);
    let string_to_sign = crate::signing::service_string_to_sign(
        "POST",
        &notification.signed_path,
        token,
        notification.body.as_bytes(),
        &timestamp,
    );
    vec![
        ("Content-Type".into(), "application/json".into()),
        ("Authorization".into(), format!("Bearer {token}")),
        ("X-TIMESTAMP".into(), timestamp),
        (
            "X-SIGNATURE".into(),
            crate::signing::hmac_signature(client_secret, &string_to_sign),
        ),
        ("X-PARTNER-ID".into(), partner_id.to_owned()),
        ("X-EXTERNAL-ID".into(), notification.external_id.clone()),
        ("CHANNEL-ID".into(), "95221".into()),
    ]
}

/// What the merchant answered, and whether that counts as delivered: a
/// 2xx whose body's `responseCode` is a success code (`2...`).
pub fn delivered(status: Option<u16>, body: &str) -> bool {
    let Some(status) = status else { return false };
    let code = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["responseCode"].as_str().map(str::to_owned));
    (200..300).contains(&status) && code.is_some_and(|c| c.len() == 7 && c.starts_with('2'))
}

/// The notifications of this server: pending ones by due time, and the
/// last ones, delivered or not, for listing and resending. Bounded.
pub struct Outbox {
    inner: Mutex<Inner>,
    capacity: usize,
}

#[derive(Default)]
struct Inner {
    /// Every notification kept, in the order queued.
    all: BTreeMap<u64, Notification>,
    order: VecDeque<u64>,
    next: u64,
}

impl Outbox {
    /// At most `capacity` notifications kept (`--max-notifications`).
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a notification due now; when full, the oldest one kept makes
    /// room, and is returned if it was still pending (the caller journals
    /// that it was dropped).
    pub fn push(&self, notification: Notification) -> Option<Notification> {
        let mut inner = self.lock();
        let mut dropped = None;
        while inner.all.len() >= self.capacity {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some(mut n) = inner.all.remove(&oldest) {
                if n.state == "pending" {
                    n.state = "dropped";
                    n.next_due = None;
                    dropped = Some(n);
                }
            }
        }
        inner.next += 1;
        let seq = inner.next;
        inner.order.push_back(seq);
        inner.all.insert(seq, notification);
        dropped
    }

    /// The pending notifications due at `now`, oldest first, marked as
    /// being attempted (not due again until `finish` reschedules them).
    pub fn take_due(&self, now: DateTime<Utc>) -> Vec<Notification> {
        let mut inner = self.lock();
        let mut due = Vec::new();
        for n in inner.all.values_mut() {
            if n.state == "pending" && n.next_due.is_some_and(|at| at <= now) {
                n.next_due = None;
                n.attempts += 1;
                due.push(n.clone());
            }
        }
        due
    }

    /// Records the outcome of the attempt of `id` made at `attempted_at`:
    /// delivered, or due again the schedule's delay after that attempt, or
    /// given up once the schedule is spent.
    pub fn finish(
        &self,
        id: &str,
        ok: bool,
        attempted_at: DateTime<Utc>,
        schedule: &[Duration],
    ) -> Option<Notification> {
        let mut inner = self.lock();
        let n = inner.all.values_mut().find(|n| n.id == id)?;
        if ok {
            n.state = "delivered";
        } else {
            match schedule.get(n.attempts as usize - 1) {
                Some(delay) => n.next_due = Some(attempted_at + *delay),
                None => n.state = "given-up",
            }
        }
        Some(n.clone())
    }

    /// Queues a new attempt of `id` now, with the same body and
    /// `X-EXTERNAL-ID` (`POST /__admin/notifications/{id}/resend`).
    pub fn resend(&self, id: &str, now: DateTime<Utc>) -> Option<Notification> {
        let mut inner = self.lock();
        let n = inner.all.values_mut().find(|n| n.id == id)?;
        n.state = "pending";
        n.next_due = Some(now);
        Some(n.clone())
    }

    /// Newest first.
    pub fn list(&self) -> Vec<Notification> {
        self.lock().all.values().rev().cloned().collect()
    }

    /// Forgets everything (`POST /__admin/reset`).
    pub fn clear(&self) {
        *self.lock() = Inner::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snap::keys::ClientPublicKey;
    use crate::snap::signature::verify_asymmetric;
    use crate::snap::symmetric::lower_hex;
    use sha2::{Digest, Sha256};

    fn notification(id: &str, now: DateTime<Utc>) -> Notification {
        Notification {
            id: id.into(),
            reference_no: "R".into(),
            client_key: "c".into(),
            url: "http://127.0.0.1:9/hook/v1.0/transfer-va/payment?x=1".into(),
            signed_path: "/hook/v1.0/transfer-va/payment?x=1".into(),
            body: r#"{"a": 1}"#.into(),
            external_id: "E1".into(),
            attempts: 0,
            next_due: Some(now),
            state: "pending",
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-30T03:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_reset_empties_the_outbox_and_it_fills_again_newest_first() {
        let outbox = Outbox::new(10);
        outbox.push(notification("a", now()));
        outbox.push(notification("b", now()));
        outbox.clear();
        assert!(outbox.list().is_empty());
        assert!(outbox.take_due(now()).is_empty());
        assert!(outbox.resend("a", now()).is_none());
        outbox.push(notification("c", now()));
        outbox.push(notification("d", now()));
        let ids: Vec<String> = outbox.list().into_iter().map(|n| n.id).collect();
        assert_eq!(ids, ["d", "c"]);
    }

    #[test]
    fn a_notification_is_signed_over_path_minified_body_hash_and_timestamp() {
        let key = ClientKeyPair::from_pem(crate::embedded::PROVIDER_PRIVATE_KEY).unwrap();
        let headers = signed_headers(&key, &notification("n", now()), "c", now());
        let get = |name: &str| headers.iter().find(|(n, _)| n == name).unwrap().1.clone();
        assert_eq!(get("X-TIMESTAMP"), "2026-11-30T10:00:00+07:00");
        let sts = format!(
            "POST:/hook/v1.0/transfer-va/payment?x=1:{}:2026-11-30T10:00:00+07:00",
            lower_hex(&Sha256::digest(br#"{"a":1}"#))
        );
        let public = ClientPublicKey::from_pem(crate::embedded::PROVIDER_PUBLIC_KEY).unwrap();
        assert_eq!(
            verify_asymmetric(&public, &sts, get("X-SIGNATURE").as_bytes()),
            Ok(())
        );
        assert_eq!(
            (get("X-EXTERNAL-ID"), get("X-PARTNER-ID")),
            ("E1".into(), "c".into())
        );
    }

    #[cfg(feature = "outbound")]
    #[test]
    fn a_bearer_token_call_signs_the_token_with_the_client_secret() {
        let n = notification("n", now());
        let headers = bearer_headers("s3cret", "tok", &n, "c", now());
        let get = |name: &str| headers.iter().find(|(k, _)| k == name).unwrap().1.clone();
        assert_eq!(get("Authorization"), "Bearer tok");
        let sts = format!(
            "POST:/hook/v1.0/transfer-va/payment?x=1:tok:{}:2026-11-30T10:00:00+07:00",
            lower_hex(&Sha256::digest(br#"{"a":1}"#))
        );
        assert_eq!(
            get("X-SIGNATURE"),
            crate::signing::hmac_signature("s3cret", &sts)
        );
        assert_eq!(
            token_url("http://127.0.0.1:9/openapi/v1.0/transfer-va/payment"),
            "http://127.0.0.1:9/openapi/v1.0/access-token/b2b"
        );
        assert_eq!(
            token_url("http://m:1/hooks"),
            "http://m:1/v1.0/access-token/b2b"
        );
    }

    #[test]
    fn delivered_means_a_2xx_with_a_success_code() {
        assert!(delivered(Some(200), r#"{"responseCode":"2002500"}"#));
        assert!(!delivered(Some(200), r#"{"responseCode":"4002500"}"#));
        assert!(!delivered(Some(200), "OK"));
        assert!(!delivered(Some(500), r#"{"responseCode":"2002500"}"#));
        assert!(!delivered(None, ""));
    }

    #[test]
    fn an_attempt_is_retried_until_the_schedule_is_spent() {
        let schedule = [Duration::minutes(2)];
        let outbox = Outbox::new(10);
        outbox.push(notification("n", now()));
        assert_eq!(outbox.take_due(now()).len(), 1);
        assert!(outbox.take_due(now()).is_empty(), "not due while attempted");
        let after = outbox.finish("n", false, now(), &schedule[..1]).unwrap();
        assert_eq!(after.next_due, Some(now() + Duration::minutes(2)));
        assert!(outbox.take_due(now() + Duration::seconds(119)).is_empty());
        let second = outbox.take_due(now() + Duration::minutes(2));
        assert_eq!((second.len(), second[0].attempts), (1, 2));
        assert_eq!(
            outbox
                .finish("n", false, now(), &schedule[..1])
                .unwrap()
                .state,
            "given-up"
        );
        assert_eq!(outbox.resend("n", now()).unwrap().state, "pending");
        assert_eq!(outbox.take_due(now())[0].body, r#"{"a": 1}"#);
        assert_eq!(
            outbox.finish("n", true, now(), &schedule).unwrap().state,
            "delivered"
        );
    }

    #[test]
    fn a_full_outbox_drops_the_oldest_and_says_so() {
        let outbox = Outbox::new(2);
        assert_eq!(outbox.push(notification("a", now())), None);
        assert_eq!(outbox.push(notification("b", now())), None);
        assert_eq!(outbox.push(notification("c", now())).unwrap().id, "a");
        let ids: Vec<String> = outbox.list().into_iter().map(|n| n.id).collect();
        assert_eq!(ids, ["c", "b"]);
        assert_eq!(
            url_for("http://m/hooks/", "/v1.0/debit/notify"),
            "http://m/hooks/v1.0/debit/notify"
        );
        assert_eq!(
            url_for("http://m/x/v1.0/transfer-va/payment", "/v1.0/debit/notify"),
            "http://m/x/v1.0/transfer-va/payment"
        );
        // Paylabs' paths carry no version.
        assert_eq!(
            url_for("http://m/hooks", "/transfer-va/payment"),
            "http://m/hooks/transfer-va/payment"
        );
        assert_eq!(
            url_for("http://m/cb/transfer-va/payment", "/transfer-va/payment"),
            "http://m/cb/transfer-va/payment"
        );
    }
}
