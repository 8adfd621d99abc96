//! A bounded record of received requests and the server's verdicts, newest
//! first, for `GET /__admin/requests`.

use crate::snap::step::Step;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the server answered.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalOutcome {
    /// HTTP status; absent for transport faults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// `responseCode` of the answer, when it had one.
    pub response_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// `responseMessage` of the answer, when it had one.
    pub response_message: Option<String>,
    /// The transport fault, when a scenario injected one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub fault: Option<std::borrow::Cow<'static, str>>,
}

/// Which way a journaled request went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Received by this server (every SNAP and admin route).
    #[default]
    Inbound,
    /// Sent by snap-mock to another server (`snap-mock probe --inspector`):
    /// `path` is the absolute URL, `outcome` the other server's answer.
    Outbound,
}

impl Direction {
    fn is_inbound(&self) -> bool {
        *self == Self::Inbound
    }
}

/// One received (or, `direction: outbound`, sent) request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// A unique id of the entry.
    pub id: String,
    /// Position in the journal, increasing (never reused, not even after a
    /// clear): the cursor of `GET /__admin/requests?before=`.
    #[serde(default)]
    pub seq: u64,
    /// When the request arrived (server clock).
    pub time: DateTime<Utc>,
    /// HTTP method.
    pub method: String,
    /// Path, without the query (cut at `--journal-body-limit`, like the
    /// body; `targetTruncated` says so).
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    /// Query string, if any (cut with the path to `--journal-body-limit`).
    pub query: Option<String>,
    /// True when the path or the query was cut.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub target_truncated: bool,
    /// Request headers in arrival order; credentials (a bearer token, a
    /// Basic password) redacted unless
    /// [`Config::journal_secrets_verbatim`](crate::Config).
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy for non-UTF-8), cut at the journal's limit.
    pub body: String,
    /// Size of the body as received.
    pub body_bytes: usize,
    /// True when `body` was cut at `--journal-body-limit`.
    pub body_truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    /// The client, once known (`X-CLIENT-KEY`, or the bearer token's).
    pub client_key: Option<String>,
    /// What the server answered.
    pub outcome: JournalOutcome,
    /// The lifecycle step that decided (README: "decidedBy").
    pub decided_by: Step,
    /// Why, in words, for rejections.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub reason: Option<String>,
    /// The string the signature was verified over, byte for byte, except
    /// for the access token inside a symmetric one: shown as its first 8
    /// characters and a fingerprint, like the `Authorization` header,
    /// unless [`Config::journal_secrets_verbatim`](crate::Config) (the
    /// `--journal-secrets-verbatim` flag) keeps it whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub string_to_sign: Option<String>,
    /// The scenario that answered (or delayed) the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub scenario: Option<String>,
    /// For an issued token: `format`, the decoded `header` (JWT) and
    /// `claims`; the token itself is not kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub issued_token: Option<serde_json::Value>,
    /// Time from arrival to answer, in microseconds.
    pub duration_micros: u64,
    /// `outbound` for a request snap-mock sent; absent for one received.
    #[serde(default, skip_serializing_if = "Direction::is_inbound")]
    pub direction: Direction,
    /// The body the other server answered (outbound entries), cut at the
    /// journal's limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub answer_body: Option<String>,
}

/// Counters for the journal listing.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalStats {
    pub capacity: usize,
    pub held: usize,
    /// Every request offered to the journal since start (or the last clear).
    pub recorded: u64,
    /// Entries evicted because the journal was full (or disabled).
    pub dropped: u64,
}

/// The body as journal text: lossy UTF-8, cut at `limit` on a character
/// boundary; true when it was cut.
pub fn body_text(body: &[u8], limit: usize) -> (String, bool) {
    let cut = body.len() > limit;
    let slice = &body[..body.len().min(limit)];
    let mut text = String::from_utf8_lossy(slice).into_owned();
    if cut {
        // A multi-byte character split by the cut shows as U+FFFD.
        while text.ends_with('\u{fffd}') && !slice.ends_with("\u{fffd}".as_bytes()) {
            text.pop();
        }
    }
    (text, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_cut_at_the_limit_on_a_character_boundary() {
        assert_eq!(body_text(b"abc", 4), ("abc".into(), false));
        assert_eq!(body_text("abcdé".as_bytes(), 4), ("abcd".into(), true));
        assert_eq!(body_text("abcé".as_bytes(), 4), ("abc".into(), true));
    }
}
