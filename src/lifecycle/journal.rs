//! What the log and the journal keep of a request: one log line, one
//! journal entry, secrets redacted and the client-chosen parts cut.

use super::{Answer, Record};
use crate::journal::{body_text, JournalEntry, JournalOutcome};
use crate::redact;
use crate::state::State;
use crate::throttle::Throttle;
use actix_web::http::header::AUTHORIZATION;
use actix_web::HttpRequest;
use std::time::{Duration, Instant};

/// Logs one line and records the journal entry for a request.
// Long on purpose: most of it is the entry's fields, one a line.
pub(super) async fn journal(
    state: &State,
    req: &HttpRequest,
    body: &[u8],
    answer: &Answer,
    record: &Record,
    started: Instant,
) {
    let elapsed = started.elapsed();
    let redactor = Redactor::new(state, req, body);
    let reason = record.reason.as_deref().map(|r| redactor.hide(r));
    let outcome = outcome_of(answer);
    let logged_path: String = req.path().chars().take(256).collect();
    log_line(
        req,
        &logged_path,
        record,
        &outcome,
        reason.as_deref(),
        elapsed,
    );
    let journal = &state.stores.journal;
    if !journal.enabled() {
        if let Err(e) = journal.count_unrecorded().await {
            static MISSED: Throttle = Throttle::new(Duration::from_secs(10));
            MISSED.warn(|| format!("the journal's count missed a request: {e}"));
        }
        return;
    }
    let limit = journal.body_limit();
    let (text, body_truncated) = body_text(body, limit);
    // The request target is the client's to choose, like the body: a
    // 64 KB query must not cost the journal 64 KB an entry.
    let (path, path_cut) = body_text(req.path().as_bytes(), limit);
    let (query, query_cut) = body_text(
        req.query_string().as_bytes(),
        limit.saturating_sub(path.len()),
    );
    let recorded = journal.record(JournalEntry {
        id: uuid::Uuid::new_v4().to_string(),
        seq: 0, // the journal numbers entries as it records them
        time: state.clock.now(),
        method: req.method().to_string(),
        path,
        query: Some(query).filter(|q| !q.is_empty()),
        target_truncated: path_cut || query_cut,
        headers: req
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), redactor.header(name, value.as_bytes())))
            .collect(),
        body: redactor.hide(&text),
        body_bytes: body.len(),
        body_truncated,
        client_key: record.client_key.clone(),
        outcome,
        decided_by: record.step,
        reason,
        string_to_sign: record.string_to_sign.as_deref().map(|s| redactor.hide(s)),
        scenario: record.scenario.clone(),
        issued_token: record.issued.clone(),
        duration_micros: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        direction: Default::default(),
        answer_body: None,
    });
    // The answer is decided and goes out either way; the log line above
    // holds what the journal could not.
    if let Err(e) = recorded.await {
        static MISSED: Throttle = Throttle::new(Duration::from_secs(10));
        MISSED.warn(|| format!("the journal missed {} {}: {e}", req.method(), logged_path));
    }
}

/// The request's secrets (its bearer token, a refresh token in its body),
/// masked wherever they appear, unless `--journal-secrets-verbatim`.
struct Redactor {
    secrets: Vec<String>,
    verbatim: bool,
}

impl Redactor {
    fn new(state: &State, req: &HttpRequest, body: &[u8]) -> Self {
        let verbatim = state.config.journal_secrets_verbatim;
        let secrets = if verbatim {
            Vec::new()
        } else {
            let authorization = req
                .headers()
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok());
            redact::secrets_in(authorization, body)
        };
        Self { secrets, verbatim }
    }

    fn hide(&self, text: &str) -> String {
        redact::redact(text, &self.secrets)
    }

    /// A header's value as journaled: a Basic credential by its
    /// fingerprint alone, the rest with the secrets masked.
    fn header(&self, name: &actix_web::http::header::HeaderName, value: &[u8]) -> String {
        let value = String::from_utf8_lossy(value);
        let basic = (name == AUTHORIZATION && !self.verbatim)
            .then(|| redact::authorization_shown(&value))
            .flatten();
        basic.unwrap_or_else(|| self.hide(&value))
    }
}

fn outcome_of(answer: &Answer) -> JournalOutcome {
    match answer {
        Answer::Rendered(r) => JournalOutcome {
            status: Some(r.status()),
            response_code: Some(r.code.to_string()),
            response_message: Some(r.message.clone()),
            fault: None,
        },
        Answer::Fault(f) => JournalOutcome {
            status: None,
            response_code: None,
            response_message: None,
            fault: Some(f.as_str().into()),
        },
    }
}

/// `POST /path client=... -> 4017300 decided_by=signature reason: ...`
fn log_line(
    req: &HttpRequest,
    path: &str,
    record: &Record,
    outcome: &JournalOutcome,
    reason: Option<&str>,
    elapsed: Duration,
) {
    let answered = outcome
        .response_code
        .clone()
        .unwrap_or_else(|| format!("fault {}", outcome.fault.as_deref().unwrap_or_default()));
    let scenario = record
        .scenario
        .as_deref()
        .map(|s| format!(" scenario={s}"))
        .unwrap_or_default();
    let reason = reason.map(|r| format!(" reason: {r}")).unwrap_or_default();
    log::info!(
        "{} {path} client={} -> {answered} decided_by={}{scenario}{reason} in {elapsed:.1?}",
        req.method(),
        record.client_key.as_deref().unwrap_or("-"),
        record.step,
    );
}
