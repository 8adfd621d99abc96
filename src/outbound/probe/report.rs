//! What a run found, as a table for people, JSON for scripts and JUnit
//! XML for CI.

use super::case::{Call, Case};
use super::request::Outgoing;
use serde::Serialize;
use std::fmt::Write;

/// The outcome of one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The merchant answered as the standard expects.
    Pass,
    /// A required case got another answer: the run fails.
    Fail,
    /// An advisory case got another answer: reported, the run still passes.
    Warn,
    /// Not sent; `detail` says why.
    Skip,
    /// No answer (refused, timed out, not HTTP): the run fails.
    Error,
}

impl Verdict {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "FAIL",
            Self::Warn => "warn",
            Self::Skip => "skip",
            Self::Error => "ERROR",
        }
    }
}

/// The merchant's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// The body's `responseCode`, when it has one.
    pub response_code: Option<String>,
    /// The body's `responseMessage`, when it has one.
    pub response_message: Option<String>,
    /// The body as received (cut at 64 KiB).
    pub body: String,
    /// From the first byte sent to the whole body received.
    pub latency_ms: u64,
}

impl Answer {
    /// `401 4012400 Unauthorized. [Signature]`.
    pub fn summary(&self) -> String {
        match (&self.response_code, &self.response_message) {
            (Some(code), Some(message)) => format!("{} {code} {message}", self.status),
            (Some(code), None) => format!("{} {code}", self.status),
            _ => format!("{} (no responseCode)", self.status),
        }
    }
}

/// One request the probe sent, and what came back.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    /// The case it belongs to.
    pub case: &'static str,
    /// RFC 3339.
    pub at: String,
    /// Exactly what was sent.
    pub request: Outgoing,
    /// What came back, if anything.
    pub answer: Option<Answer>,
    /// Why nothing came back.
    pub error: Option<String>,
}

/// One case's result.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseResult {
    /// The case's name.
    pub name: &'static str,
    /// The endpoint called.
    pub call: Call,
    /// Whether a failure fails the run.
    pub required: bool,
    /// The outcome.
    pub verdict: Verdict,
    /// What was sent, in words.
    pub sent: String,
    /// The `responseCode`s that pass, the standard's first.
    pub expected: Vec<String>,
    /// Where the standard allows several answers, which and why.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub note: &'static str,
    /// The merchant's answer.
    pub got: Option<Answer>,
    /// Why this verdict: the mismatch, the skip reason, the transport error.
    pub detail: String,
    /// Why the case matters.
    pub why: &'static str,
}

impl CaseResult {
    pub(super) fn new(case: &Case, expected: Vec<String>, sent: String) -> Self {
        Self {
            name: case.name,
            call: case.call,
            required: case.required,
            verdict: Verdict::Skip,
            sent,
            expected,
            note: case.note,
            got: None,
            detail: String::new(),
            why: case.why,
        }
    }
}

/// A whole run.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The merchant's base URL.
    pub target: String,
    /// RFC 3339.
    pub started_at: String,
    /// Whole run, waits included.
    pub duration_ms: u64,
    /// Requests sent (never more than the configured bound).
    pub requests: usize,
    /// Every case, in the order run.
    pub cases: Vec<CaseResult>,
    /// Every request and answer, in order.
    pub exchanges: Vec<Exchange>,
}

/// Escapes for XML text and attributes.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

impl Report {
    /// How many cases ended with this verdict.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.cases.iter().filter(|c| c.verdict == verdict).count()
    }

    /// True when no case failed or went unanswered: what the exit code
    /// says. Warnings and skips do not fail a run.
    pub fn passed(&self) -> bool {
        self.count(Verdict::Fail) == 0 && self.count(Verdict::Error) == 0
    }

    /// The result of the case of that name.
    pub fn case(&self, name: &str) -> Option<&CaseResult> {
        self.cases.iter().find(|c| c.name == name)
    }

    /// The names of the cases with this verdict, in order.
    pub fn names(&self, verdict: Verdict) -> Vec<&'static str> {
        self.cases
            .iter()
            .filter(|c| c.verdict == verdict)
            .map(|c| c.name)
            .collect()
    }

    /// One line of counts.
    pub fn summary(&self) -> String {
        format!(
            "{} cases: {} passed, {} failed, {} errors, {} warnings, {} skipped; {} requests in {:.1} s",
            self.cases.len(),
            self.count(Verdict::Pass),
            self.count(Verdict::Fail),
            self.count(Verdict::Error),
            self.count(Verdict::Warn),
            self.count(Verdict::Skip),
            self.requests,
            self.duration_ms as f64 / 1000.0
        )
    }

    /// The table for people: one row a case; under every row that did not
    /// pass, why it matters and what exactly happened.
    pub fn table(&self) -> String {
        let width = |f: &dyn Fn(&CaseResult) -> usize| self.cases.iter().map(f).max().unwrap_or(0);
        let name_w = width(&|c| c.name.len()).max(4);
        let sent_w = width(&|c| c.sent.chars().count()).clamp(4, 44);
        let expected_w = width(&|c| c.expected.join(" or ").len()).max(8);
        let mut out = format!(
            "{:<6} {:<name_w$} {:<sent_w$} {:<expected_w$} GOT\n",
            "RESULT", "CASE", "SENT", "EXPECTED"
        );
        for c in &self.cases {
            let sent: String = c.sent.chars().take(sent_w).collect();
            let got = c
                .got
                .as_ref()
                .map_or_else(|| "-".to_owned(), Answer::summary);
            let _ = writeln!(
                out,
                "{:<6} {:<name_w$} {sent:<sent_w$} {:<expected_w$} {got}",
                c.verdict.label(),
                c.name,
                c.expected.join(" or "),
            );
            if c.verdict != Verdict::Pass {
                let _ = writeln!(out, "{:6} {}", "", c.detail);
                if matches!(c.verdict, Verdict::Fail | Verdict::Warn | Verdict::Error) {
                    let _ = writeln!(out, "{:6} why it matters: {}", "", c.why);
                }
            }
        }
        out.push_str(&self.summary());
        out.push('\n');
        out
    }

    /// JUnit XML: one `testsuite`, one `testcase` a case (class name
    /// `probe.<call>`); a failed required case is a `failure`, no answer an
    /// `error`, a skipped one `skipped`; a warning passes with its text in
    /// `system-out`.
    pub fn junit(&self) -> String {
        let seconds = |ms: u64| format!("{:.3}", ms as f64 / 1000.0);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"snap-mock probe\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
            self.cases.len(),
            self.count(Verdict::Fail),
            self.count(Verdict::Error),
            self.count(Verdict::Skip),
            seconds(self.duration_ms)
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"snap-mock probe {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
            xml(&self.target),
            self.cases.len(),
            self.count(Verdict::Fail),
            self.count(Verdict::Error),
            self.count(Verdict::Skip),
            seconds(self.duration_ms),
            xml(self.started_at.get(..19).unwrap_or(&self.started_at))
        );
        for c in &self.cases {
            let time = c.got.as_ref().map_or(0, |a| a.latency_ms);
            let _ = write!(
                out,
                "    <testcase classname=\"probe.{}\" name=\"{}\" time=\"{}\"",
                c.call.as_str(),
                xml(c.name),
                seconds(time)
            );
            let text = format!(
                "sent: {}\nexpected: {}\ngot: {}\nwhy it matters: {}",
                c.sent,
                c.expected.join(" or "),
                c.got
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), Answer::summary),
                c.why
            );
            match c.verdict {
                Verdict::Pass => out.push_str("/>\n"),
                Verdict::Fail => {
                    let _ = write!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"unexpected answer\">{}</failure>\n    </testcase>\n",
                        xml(&c.detail),
                        xml(&text)
                    );
                }
                Verdict::Error => {
                    let _ = write!(
                        out,
                        ">\n      <error message=\"{}\" type=\"no answer\">{}</error>\n    </testcase>\n",
                        xml(&c.detail),
                        xml(&text)
                    );
                }
                Verdict::Skip => {
                    let _ = write!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                        xml(&c.detail)
                    );
                }
                Verdict::Warn => {
                    let _ = write!(
                        out,
                        ">\n      <system-out>WARNING (advisory case): {}\n{}</system-out>\n    </testcase>\n",
                        xml(&c.detail),
                        xml(&text)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }

    /// Every exchange as `POST /__admin/requests/outbound` takes it, so
    /// that a running snap-mock's inspector shows the run (`--inspector`).
    pub fn outbound_entries(&self) -> serde_json::Value {
        let entries: Vec<serde_json::Value> = self
            .exchanges
            .iter()
            .map(|e| {
                let verdict = self.case(e.case).map_or_else(String::new, |c| {
                    let detail = if c.detail.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", c.detail)
                    };
                    format!(" ({}{detail})", c.verdict.label())
                });
                let client_key = e
                    .request
                    .header("X-CLIENT-KEY")
                    .or_else(|| e.request.header("X-PARTNER-ID"));
                serde_json::json!({
                    "method": e.request.method,
                    "url": e.request.url,
                    "headers": e.request.headers,
                    "body": e.request.body,
                    "status": e.answer.as_ref().map(|a| a.status),
                    "responseCode": e.answer.as_ref().and_then(|a| a.response_code.clone()),
                    "responseMessage": e.answer.as_ref().and_then(|a| a.response_message.clone()),
                    "answerBody": e.answer.as_ref().map(|a| a.body.clone()),
                    "clientKey": client_key,
                    "reason": format!("snap-mock probe, case {}{verdict}{}", e.case,
                        e.error.as_deref().map(|err| format!("; {err}")).unwrap_or_default()),
                    "durationMicros": e.answer.as_ref().map_or(0, |a| a.latency_ms * 1000),
                })
            })
            .collect();
        serde_json::json!({ "entries": entries })
    }

    /// The report as JSON (`--json`): the summary counts, every case, and
    /// every exchange.
    pub fn json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        value["passed"] = self.passed().into();
        value["summary"] = serde_json::json!({
            "pass": self.count(Verdict::Pass),
            "fail": self.count(Verdict::Fail),
            "error": self.count(Verdict::Error),
            "warn": self.count(Verdict::Warn),
            "skip": self.count(Verdict::Skip),
        });
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbound::probe::cases::by_name;

    fn report() -> Report {
        let mut pass = CaseResult::new(
            by_name("token").unwrap(),
            vec!["2007300".into()],
            "a valid token request".into(),
        );
        pass.verdict = Verdict::Pass;
        pass.got = Some(Answer {
            status: 200,
            response_code: Some("2007300".into()),
            response_message: Some("Successful".into()),
            body: "{}".into(),
            latency_ms: 12,
        });
        let mut fail = CaseResult::new(
            by_name("inquiry-other-secret").unwrap(),
            vec!["4012400".into()],
            "HMAC made with <another> secret".into(),
        );
        fail.verdict = Verdict::Fail;
        fail.detail = "expected 4012400, got 200 2002400 & more".into();
        let mut warn = CaseResult::new(
            by_name("token-timestamp-form").unwrap(),
            vec!["4007301".into()],
            "x".into(),
        );
        warn.verdict = Verdict::Warn;
        warn.detail = "accepted".into();
        let mut skip = CaseResult::new(
            by_name("notify").unwrap(),
            vec!["2002500".into()],
            "x".into(),
        );
        skip.detail = "no --notify URL".into();
        let mut error = CaseResult::new(
            by_name("payment").unwrap(),
            vec!["2002500".into()],
            "x".into(),
        );
        error.verdict = Verdict::Error;
        error.detail = "connection refused\u{1}".into();
        Report {
            target: "http://127.0.0.1:1".into(),
            started_at: "2026-11-30T01:02:03.456+00:00".into(),
            duration_ms: 1500,
            requests: 4,
            cases: vec![pass, fail, warn, skip, error],
            exchanges: Vec::new(),
        }
    }

    #[test]
    fn a_failure_or_an_error_fails_the_run_and_a_warning_or_a_skip_does_not() {
        let mut r = report();
        assert!(!r.passed());
        assert_eq!(r.names(Verdict::Fail), ["inquiry-other-secret"]);
        r.cases.retain(|c| !matches!(c.verdict, Verdict::Fail));
        assert!(!r.passed(), "the error still fails it");
        r.cases.retain(|c| !matches!(c.verdict, Verdict::Error));
        assert!(r.passed());
        assert_eq!(r.json()["summary"]["warn"], 1);
        assert_eq!(r.json()["passed"], true);
    }

    #[test]
    fn the_table_explains_every_row_that_did_not_pass() {
        let t = report().table();
        assert!(t.starts_with("RESULT CASE"), "{t}");
        assert!(t.contains("FAIL   inquiry-other-secret"), "{t}");
        assert!(
            t.contains("why it matters: a token alone, without the client secret, is enough"),
            "{t}"
        );
        assert!(t.contains("no --notify URL"), "{t}");
        assert!(
            t.contains(
                "5 cases: 1 passed, 1 failed, 1 errors, 1 warnings, 1 skipped; 4 requests in 1.5 s"
            ),
            "{t}"
        );
    }

    #[test]
    fn junit_counts_match_and_text_is_escaped() {
        let x = report().junit();
        assert!(x.contains(r#"<testsuites name="snap-mock probe" tests="5" failures="1" errors="1" skipped="1" time="1.500">"#), "{x}");
        assert!(
            x.contains(r#"<testcase classname="probe.token" name="token" time="0.012"/>"#),
            "{x}"
        );
        assert!(
            x.contains(r#"<failure message="expected 4012400, got 200 2002400 &amp; more""#),
            "{x}"
        );
        assert!(x.contains("HMAC made with &lt;another&gt; secret"), "{x}");
        assert!(x.contains("<skipped message=\"no --notify URL\"/>"), "{x}");
        assert!(
            x.contains("connection refused\u{FFFD}"),
            "control characters are not XML"
        );
        assert!(
            x.contains("<system-out>WARNING (advisory case): accepted"),
            "{x}"
        );
        assert!(x.contains("timestamp=\"2026-11-30T01:02:03\""), "{x}");
    }
}
