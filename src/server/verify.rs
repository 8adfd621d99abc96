//! Verification over the journal, as wiremock's `expect(n)` and
//! `received_requests` do it: which requests reached the server, and an
//! assertion that reads well when it fails.

use super::{MockError, MockServer};
use crate::journal::{Direction, JournalEntry};
use std::fmt;
use std::ops::{Bound, RangeBounds};

/// Which journal entries a verification counts: every condition set must
/// hold (none set: every request received).
///
/// ```no_run
/// # let server = snap_mock::MockServer::start(snap_mock::Config::for_tests()).unwrap();
/// use snap_mock::RequestPattern;
/// let create = RequestPattern::post("/v1.0/transfer-va/create-va").client_key("demo-client");
/// server.expect(&create.clone().response_code("2002700"), 1);
/// assert_eq!(server.received(&create).unwrap().len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestPattern {
    method: Option<String>,
    path: Option<String>,
    path_prefix: Option<String>,
    client_key: Option<String>,
    response_code: Option<String>,
    status: Option<u16>,
    accepted: Option<bool>,
    headers: Vec<(String, String)>,
    body_contains: Option<String>,
    scenario: Option<String>,
}

impl RequestPattern {
    /// Every request received.
    pub fn any() -> Self {
        Self::default()
    }

    /// `POST` to exactly this path (as sent, under any base path).
    pub fn post(path: impl Into<String>) -> Self {
        Self::any().method("POST").path(path)
    }

    /// This method (any case).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into().to_ascii_uppercase());
        self
    }

    /// Exactly this path, without the query.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// A path that starts with this.
    pub fn path_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Sent by this client (its `X-CLIENT-KEY`, or its token's).
    pub fn client_key(mut self, client_key: impl Into<String>) -> Self {
        self.client_key = Some(client_key.into());
        self
    }

    /// Answered with this `responseCode`.
    pub fn response_code(mut self, code: impl Into<String>) -> Self {
        self.response_code = Some(code.into());
        self
    }

    /// Answered with this HTTP status.
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Answered 2xx (`true`) or anything else, a fault included (`false`).
    pub fn accepted(mut self, accepted: bool) -> Self {
        self.accepted = Some(accepted);
        self
    }

    /// With this header (name in any case) and value, as journaled: a
    /// credential's value is redacted there unless
    /// [`Config::journal_secrets_verbatim`](crate::Config).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A body (as journaled, cut at the journal's body limit) containing
    /// this text.
    pub fn body_contains(mut self, text: impl Into<String>) -> Self {
        self.body_contains = Some(text.into());
        self
    }

    /// Answered (or delayed) by this scenario.
    pub fn scenario(mut self, name: impl Into<String>) -> Self {
        self.scenario = Some(name.into());
        self
    }

    /// Whether a request the server received matches (entries of requests
    /// snap-mock sent, notifications and probes, never do).
    pub fn matches(&self, entry: &JournalEntry) -> bool {
        let status = entry.outcome.status;
        entry.direction == Direction::Inbound
            && self.method.as_ref().is_none_or(|m| *m == entry.method)
            && self.path.as_ref().is_none_or(|p| *p == entry.path)
            && (self.path_prefix.as_ref()).is_none_or(|p| entry.path.starts_with(p.as_str()))
            && (self.client_key.as_ref()).is_none_or(|c| entry.client_key.as_ref() == Some(c))
            && (self.response_code.as_ref())
                .is_none_or(|c| entry.outcome.response_code.as_ref() == Some(c))
            && self.status.is_none_or(|s| status == Some(s))
            && (self.accepted).is_none_or(|a| a == status.is_some_and(|s| (200..300).contains(&s)))
            && self.headers.iter().all(|(name, value)| {
                (entry.headers.iter()).any(|(n, v)| n.eq_ignore_ascii_case(name) && v == value)
            })
            && (self.body_contains.as_ref()).is_none_or(|t| entry.body.contains(t.as_str()))
            && (self.scenario.as_ref()).is_none_or(|s| entry.scenario.as_ref() == Some(s))
    }
}

impl fmt::Display for RequestPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        match (&self.method, &self.path, &self.path_prefix) {
            (m, Some(p), _) => parts.push(format!("{} {p}", m.as_deref().unwrap_or("any"))),
            (m, None, Some(p)) => parts.push(format!("{} {p}*", m.as_deref().unwrap_or("any"))),
            (Some(m), None, None) => parts.push(m.clone()),
            (None, None, None) => parts.push("any request".into()),
        }
        if let Some(c) = &self.client_key {
            parts.push(format!("from {c}"));
        }
        if let Some(c) = &self.response_code {
            parts.push(format!("answered {c}"));
        }
        if let Some(s) = self.status {
            parts.push(format!("status {s}"));
        }
        if let Some(a) = self.accepted {
            parts.push(if a { "accepted" } else { "refused" }.into());
        }
        for (n, v) in &self.headers {
            parts.push(format!("{n}: {v}"));
        }
        if let Some(t) = &self.body_contains {
            parts.push(format!("body containing {t:?}"));
        }
        if let Some(s) = &self.scenario {
            parts.push(format!("by scenario {s}"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// How many matching requests [`MockServer::expect`] wants: a number
/// (`1`), or a range (`1..`, `..=3`, `2..=4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Times(Bound<usize>, Bound<usize>);

impl Times {
    fn contains(&self, n: usize) -> bool {
        (self.0, self.1).contains(&n)
    }
}

impl fmt::Display for Times {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Bound::Included(a), Bound::Included(b)) if a == b => write!(f, "exactly {a}"),
            (Bound::Included(a), Bound::Unbounded) => write!(f, "at least {a}"),
            (Bound::Unbounded, Bound::Included(b)) => write!(f, "at most {b}"),
            (Bound::Unbounded, Bound::Excluded(b)) => write!(f, "fewer than {b}"),
            (Bound::Included(a), Bound::Included(b)) => write!(f, "{a} to {b}"),
            (Bound::Included(a), Bound::Excluded(b)) => write!(f, "{a} to {}", b.saturating_sub(1)),
            _ => write!(f, "any number"),
        }
    }
}

impl From<usize> for Times {
    fn from(n: usize) -> Self {
        Self(Bound::Included(n), Bound::Included(n))
    }
}

macro_rules! times_from_range {
    ($($range:ty),*) => {$(
        impl From<$range> for Times {
            fn from(r: $range) -> Self {
                Self(r.start_bound().cloned(), r.end_bound().cloned())
            }
        }
    )*};
}
times_from_range!(
    std::ops::Range<usize>,
    std::ops::RangeInclusive<usize>,
    std::ops::RangeFrom<usize>,
    std::ops::RangeTo<usize>,
    std::ops::RangeToInclusive<usize>,
    std::ops::RangeFull
);

impl MockServer {
    /// The requests received that match `pattern`, oldest first. The
    /// journal keeps the newest [`Config::journal_capacity`](crate::Config)
    /// (1,000 by default): a test that makes more should
    /// [`reset`](MockServer::reset) between its parts.
    pub fn received(&self, pattern: &RequestPattern) -> Result<Vec<JournalEntry>, MockError> {
        let mut entries: Vec<JournalEntry> = self
            .requests()?
            .into_iter()
            .filter(|e| pattern.matches(e))
            .collect();
        entries.reverse();
        Ok(entries)
    }

    /// Panics unless the number of requests matching `pattern` is `times`
    /// (a number or a range), saying what was expected and listing what
    /// was received, for a test's failure output.
    ///
    /// ```no_run
    /// # let server = snap_mock::MockServer::start(snap_mock::Config::for_tests()).unwrap();
    /// use snap_mock::RequestPattern;
    /// server.expect(&RequestPattern::any().accepted(false), 0); // nothing refused
    /// server.expect(&RequestPattern::post("/v1.0/debit/status"), 1..=3);
    /// ```
    #[track_caller]
    pub fn expect(&self, pattern: &RequestPattern, times: impl Into<Times>) {
        if let Err(mismatch) = self.check(pattern, times) {
            panic!("{mismatch}");
        }
    }

    /// [`MockServer::expect`] as a `Result`: the mismatch says what was
    /// expected and lists what was received.
    pub fn check(&self, pattern: &RequestPattern, times: impl Into<Times>) -> Result<(), Mismatch> {
        let times = times.into();
        let all = match self.requests() {
            Ok(all) => all,
            Err(e) => {
                return Err(Mismatch {
                    text: format!("cannot read the journal: {e}"),
                })
            }
        };
        let matched = all.iter().filter(|e| pattern.matches(e)).count();
        if times.contains(matched) {
            return Ok(());
        }
        let mut text = format!(
            "expected {times} request(s) matching {pattern}, received {matched}; the journal holds {} (oldest first):",
            all.len()
        );
        for entry in all.iter().rev() {
            let outcome = &entry.outcome;
            text.push_str(&format!(
                "\n  {} {} {} from {} -> {} {} (decided by {})",
                if pattern.matches(entry) { "*" } else { " " },
                entry.method,
                entry.path,
                entry.client_key.as_deref().unwrap_or("?"),
                outcome.status.map_or("-".into(), |s| s.to_string()),
                outcome
                    .response_code
                    .as_deref()
                    .or(outcome.fault.as_deref())
                    .unwrap_or(""),
                entry.decided_by,
            ));
        }
        Err(Mismatch { text })
    }
}

/// Why [`MockServer::check`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    text: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Mismatch {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(
        method: &str,
        path: &str,
        client: Option<&str>,
        status: u16,
        code: &str,
    ) -> JournalEntry {
        serde_json::from_value(json!({
            "id": "e", "seq": 1, "time": "2026-11-30T03:00:00Z", "method": method, "path": path,
            "headers": [["Content-Type", "application/json"], ["CHANNEL-ID", "95221"]],
            "body": r#"{"trxId":"INV-1"}"#, "bodyBytes": 17, "bodyTruncated": false,
            "clientKey": client, "outcome": {"status": status, "responseCode": code},
            "decidedBy": "accepted", "scenario": "slow", "durationMicros": 1
        }))
        .unwrap()
    }

    #[test]
    fn every_condition_must_hold() {
        let e = entry("POST", "/v1.0/x", Some("c"), 200, "2002700");
        assert!(RequestPattern::any().matches(&e));
        assert!(RequestPattern::post("/v1.0/x").matches(&e));
        assert!(!RequestPattern::post("/v1.0/y").matches(&e));
        assert!(!RequestPattern::any().method("get").matches(&e));
        assert!(RequestPattern::any().method("post").matches(&e));
        assert!(RequestPattern::any().path_prefix("/v1.0/").matches(&e));
        assert!(!RequestPattern::any().path_prefix("/v2").matches(&e));
        assert!(RequestPattern::any().client_key("c").matches(&e));
        assert!(!RequestPattern::any().client_key("d").matches(&e));
        assert!(RequestPattern::any().response_code("2002700").matches(&e));
        assert!(!RequestPattern::any().response_code("4012700").matches(&e));
        assert!(RequestPattern::any().status(200).matches(&e));
        assert!(!RequestPattern::any().status(201).matches(&e));
        assert!(RequestPattern::any().accepted(true).matches(&e));
        assert!(!RequestPattern::any().accepted(false).matches(&e));
        assert!(RequestPattern::any()
            .header("channel-id", "95221")
            .matches(&e));
        assert!(!RequestPattern::any().header("channel-id", "1").matches(&e));
        assert!(!RequestPattern::any().header("x-other", "95221").matches(&e));
        assert!(RequestPattern::any().body_contains("INV-1").matches(&e));
        assert!(!RequestPattern::any().body_contains("INV-2").matches(&e));
        assert!(RequestPattern::any().scenario("slow").matches(&e));
        assert!(!RequestPattern::any().scenario("fast").matches(&e));
        let refused = entry("POST", "/v1.0/x", None, 401, "4012700");
        assert!(RequestPattern::any().accepted(false).matches(&refused));
        assert!(!RequestPattern::any().client_key("c").matches(&refused));
        let boundary = entry("POST", "/v1.0/x", None, 300, "3000000");
        assert!(!RequestPattern::any().accepted(true).matches(&boundary));
        let mut sent = e.clone();
        sent.direction = Direction::Outbound;
        assert!(!RequestPattern::any().matches(&sent));
    }

    #[test]
    fn times_say_what_they_count() {
        let cases: [(Times, &str, &[usize], &[usize]); 6] = [
            (2.into(), "exactly 2", &[2], &[1, 3]),
            ((1..).into(), "at least 1", &[1, 9], &[0]),
            ((..=3).into(), "at most 3", &[0, 3], &[4]),
            ((..3).into(), "fewer than 3", &[2], &[3]),
            ((2..=4).into(), "2 to 4", &[2, 4], &[1, 5]),
            ((2..4).into(), "2 to 3", &[2, 3], &[1, 4]),
        ];
        for (times, text, inside, outside) in cases {
            assert_eq!(times.to_string(), text);
            assert!(inside.iter().all(|n| times.contains(*n)), "{text}");
            assert!(!outside.iter().any(|n| times.contains(*n)), "{text}");
        }
        assert_eq!(Times::from(..).to_string(), "any number");
    }

    #[test]
    fn a_pattern_reads_as_what_it_matches() {
        let p = RequestPattern::post("/v1.0/x")
            .client_key("c")
            .response_code("2002700")
            .status(200)
            .accepted(true)
            .header("A", "b")
            .body_contains("t")
            .scenario("s");
        assert_eq!(
            p.to_string(),
            "POST /v1.0/x, from c, answered 2002700, status 200, accepted, A: b, body containing \"t\", by scenario s"
        );
        assert_eq!(RequestPattern::any().to_string(), "any request");
        assert_eq!(
            RequestPattern::any().path_prefix("/v").to_string(),
            "any /v*"
        );
        assert_eq!(RequestPattern::any().method("get").to_string(), "GET");
        assert_eq!(
            RequestPattern::any().accepted(false).to_string(),
            "any request, refused"
        );
    }
}
