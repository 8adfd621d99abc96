//! The request journal: paged listing with filters, clear, and the reset
//! of everything between tests.

use super::{json_body, ok, AdminError, Answer};
use crate::journal::{body_text, Direction, JournalEntry, JournalOutcome};
use crate::snap::step::Step;
use crate::state::State;
use actix_web::{web, HttpRequest};
use serde_json::{json, Value};

/// Entries per journal page unless `limit` says otherwise, and the most a
/// page holds whatever `limit` says.
const PAGE_ENTRIES: usize = 100;
const MAX_PAGE_ENTRIES: usize = 1000;
/// A page stops growing past this many bytes of entries (it always holds at
/// least one), so that a journal of large bodies is read in pieces and a
/// burst of concurrent readers cannot hold the whole journal twice over.
pub const PAGE_BYTES: usize = 1024 * 1024;

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RequestFilter {
    client_key: Option<String>,
    response_code: Option<String>,
    /// Entries whose path contains this.
    path: Option<String>,
    /// `accepted` (status below 400), `rejected` (400 and up) or `fault`.
    outcome: Option<Outcome>,
    /// Entries per page: digits only, at least 1 (more than 1000 counts
    /// as 1000). Kept as text so that `+5` or `0x5` is refused, not read.
    limit: Option<String>,
    /// Only entries older than this `seq` (the `next` of the previous page).
    before: Option<String>,
}

/// A whole number written as digits alone, at least `min`.
fn count(name: &str, text: Option<&str>, min: u64) -> Result<Option<u64>, AdminError> {
    let Some(text) = text else {
        return Ok(None);
    };
    text.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| text.parse::<u64>().ok())
        .flatten()
        .filter(|n| *n >= min)
        .map(Some)
        .ok_or_else(|| {
            AdminError::BadRequest(format!(
                "query: {name} is {text:?}; it takes a whole number of at least {min}, in digits"
            ))
        })
}

#[derive(serde::Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Accepted,
    Rejected,
    Fault,
}

impl Outcome {
    fn covers(self, e: &JournalEntry) -> bool {
        match (self, e.outcome.status) {
            (Self::Fault, status) => status.is_none(),
            (Self::Accepted, Some(s)) => s < 400,
            (Self::Rejected, Some(s)) => s >= 400,
            _ => false,
        }
    }
}

pub async fn list_requests(req: HttpRequest, state: web::Data<State>) -> Answer {
    let filter = match web::Query::<RequestFilter>::from_query(req.query_string()) {
        Ok(q) => q.into_inner(),
        Err(e) => return Err(AdminError::BadRequest(format!("query: {e}"))),
    };
    let limit = count("limit", filter.limit.as_deref(), 1)?
        .map_or(PAGE_ENTRIES, |n| usize::try_from(n).unwrap_or(usize::MAX))
        .min(MAX_PAGE_ENTRIES);
    let before = count("before", filter.before.as_deref(), 0)?;
    let keep = |e: &JournalEntry| {
        filter
            .client_key
            .as_deref()
            .is_none_or(|k| e.client_key.as_deref() == Some(k))
            && filter
                .response_code
                .as_deref()
                .is_none_or(|c| e.outcome.response_code.as_deref() == Some(c))
            && filter.path.as_deref().is_none_or(|p| e.path.contains(p))
            && filter.outcome.is_none_or(|o| o.covers(e))
    };
    let journal = &state.stores.journal;
    // One more than asked tells whether another page follows.
    let candidates = journal.list(before, limit.saturating_add(1), &keep).await?;
    let mut page = Vec::with_capacity(candidates.len().min(limit));
    let mut bytes = 0;
    let mut taken: usize = 0;
    for entry in candidates.iter().take(limit) {
        let value = serde_json::to_value(&**entry).unwrap_or(Value::Null);
        let size = serde_json::to_vec(&value).map_or(0, |v| v.len());
        if taken > 0 && bytes + size > PAGE_BYTES {
            break;
        }
        bytes += size;
        taken += 1;
        page.push(value);
    }
    let next = match taken.checked_sub(1) {
        Some(last) if candidates.len() > taken => candidates.get(last).map(|e| e.seq),
        _ => None,
    };
    let stats = journal.stats().await?;
    let mut fields = json!({
        "capacity": stats.capacity,
        "held": stats.held,
        "recorded": stats.recorded,
        "dropped": stats.dropped,
        "limit": limit,
        "requests": page,
    });
    if let (Some(next), Value::Object(m)) = (next, &mut fields) {
        m.insert("next".into(), json!(next));
    }
    ok(200, fields)
}

/// One request snap-mock sent to another server, as `snap-mock probe
/// --inspector` posts it.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Sent {
    method: String,
    /// Absolute URL.
    url: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: String,
    /// The other server's answer; absent when none came.
    status: Option<u16>,
    response_code: Option<String>,
    response_message: Option<String>,
    answer_body: Option<String>,
    client_key: Option<String>,
    /// The verdict, in words.
    reason: Option<String>,
    #[serde(default)]
    duration_micros: u64,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SentBatch {
    entries: Vec<Sent>,
}

/// The most entries one call records: a probe run sends at most a few
/// hundred requests.
const MAX_SENT_ENTRIES: usize = 1000;

/// `POST /requests/outbound`: records requests snap-mock sent elsewhere
/// (a probe run), oldest first, so that the inspector shows them beside
/// the ones it received. Bearer tokens are masked as in every entry.
pub async fn record_outbound(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Answer {
    let batch: SentBatch = json_body(&req, payload, &state).await?;
    if batch.entries.len() > MAX_SENT_ENTRIES {
        return Err(AdminError::BadRequest(format!(
            "{} entries; one call records at most {MAX_SENT_ENTRIES}",
            batch.entries.len()
        )));
    }
    let journal = &state.stores.journal;
    let limit = journal.body_limit();
    let cut = |text: &str| body_text(text.as_bytes(), limit);
    let count = batch.entries.len();
    for sent in batch.entries {
        let authorization = sent
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.as_str());
        let secrets = if state.config.journal_secrets_verbatim {
            Vec::new()
        } else {
            crate::redact::secrets_in(authorization, sent.body.as_bytes())
        };
        let hide = |text: &str| crate::redact::redact(text, &secrets);
        let (body, body_truncated) = cut(&sent.body);
        let (path, target_truncated) = cut(&sent.url);
        journal
            .record(JournalEntry {
                id: uuid::Uuid::new_v4().to_string(),
                seq: 0,
                time: state.clock.now(),
                method: sent.method.chars().take(16).collect(),
                path,
                query: None,
                target_truncated,
                headers: sent
                    .headers
                    .iter()
                    .take(100)
                    .map(|(n, v)| (n.chars().take(256).collect(), hide(&cut(v).0)))
                    .collect(),
                body: hide(&body),
                body_bytes: sent.body.len(),
                body_truncated,
                client_key: sent.client_key,
                outcome: JournalOutcome {
                    status: sent.status,
                    response_code: sent.response_code.map(|c| cut(&c).0),
                    response_message: sent.response_message.map(|m| cut(&m).0),
                    fault: None,
                },
                decided_by: Step::Sent,
                reason: sent.reason.map(|r| cut(&r).0),
                string_to_sign: None,
                scenario: None,
                issued_token: None,
                duration_micros: sent.duration_micros,
                direction: Direction::Outbound,
                answer_body: sent.answer_body.map(|b| hide(&cut(&b).0)),
            })
            .await?;
    }
    ok(201, json!({ "recorded": count }))
}

pub async fn clear_requests(state: web::Data<State>) -> Answer {
    state.stores.journal.clear().await?;
    ok(200, json!({ "cleared": true }))
}

pub async fn reset_all(state: web::Data<State>) -> Answer {
    state.reset().await?;
    ok(200, json!({ "reset": true }))
}
