//! Reading the merchant's answers and judging them against what a case
//! expects: the code, and the HTTP status the standard ties to it.

use super::report::{Answer, Verdict};
use serde_json::Value;
use std::time::Duration;

/// An answer as the report keeps it: status, `responseCode` and
/// `responseMessage` when the body is SNAP JSON, the body as text.
pub(super) fn answer_of(status: u16, raw: &[u8], latency: Duration) -> Answer {
    let body = String::from_utf8_lossy(raw).into_owned();
    let json: Value = serde_json::from_slice(raw).unwrap_or_default();
    let text = |name: &str| json[name].as_str().map(str::to_owned);
    Answer {
        status,
        response_code: text("responseCode"),
        response_message: text("responseMessage"),
        body,
        latency_ms: latency.as_millis() as u64,
    }
}

/// A 2xx whose `responseCode` is a success code.
pub(super) fn is_success(answer: &Answer) -> bool {
    (200..300).contains(&answer.status)
        && answer
            .response_code
            .as_deref()
            .is_some_and(|c| c.starts_with('2') && c.len() == 7)
}

/// Pass when the `responseCode` is one expected and the HTTP status is its
/// first three digits, as the standard fixes.
pub(super) fn judge(expected: &[String], answer: &Answer, required: bool) -> (Verdict, String) {
    let missed = if required {
        Verdict::Fail
    } else {
        Verdict::Warn
    };
    let Some(code) = answer.response_code.as_deref() else {
        return (
            missed,
            format!(
                "expected {}, got HTTP {} with no responseCode",
                expected.join(" or "),
                answer.status
            ),
        );
    };
    if !expected.iter().any(|e| e == code) {
        return (
            missed,
            format!(
                "expected {}, got {}",
                expected.join(" or "),
                answer.summary()
            ),
        );
    }
    if code.get(..3) != Some(answer.status.to_string().as_str()) {
        return (
            missed,
            format!("responseCode {code} is right, but the HTTP status is {} (the standard: the code's first three digits)", answer.status),
        );
    }
    let detail = if expected.first().is_some_and(|first| first != code) {
        format!("{code}, an answer the standard also allows")
    } else {
        String::new()
    };
    (Verdict::Pass, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, code: Option<&str>) -> Answer {
        Answer {
            status,
            response_code: code.map(str::to_owned),
            response_message: None,
            body: String::new(),
            latency_ms: 0,
        }
    }

    #[test]
    fn a_case_passes_on_an_expected_code_with_its_status() {
        let expected = vec!["4012400".to_owned(), "4002401".to_owned()];
        assert_eq!(
            judge(&expected, &answer(401, Some("4012400")), true).0,
            Verdict::Pass
        );
        let (verdict, detail) = judge(&expected, &answer(400, Some("4002401")), true);
        assert_eq!(verdict, Verdict::Pass);
        assert!(detail.contains("also allows"), "{detail}");
        let (verdict, detail) = judge(&expected, &answer(200, Some("4012400")), true);
        assert_eq!(verdict, Verdict::Fail);
        assert!(detail.contains("HTTP status is 200"), "{detail}");
        assert_eq!(
            judge(&expected, &answer(200, Some("2002400")), true).0,
            Verdict::Fail
        );
        assert_eq!(
            judge(&expected, &answer(200, Some("2002400")), false).0,
            Verdict::Warn
        );
        let (verdict, detail) = judge(&expected, &answer(500, None), true);
        assert_eq!(verdict, Verdict::Fail);
        assert!(detail.contains("no responseCode"), "{detail}");
    }

    #[test]
    fn success_is_a_2xx_with_a_success_code() {
        assert!(is_success(&answer(200, Some("2002500"))));
        assert!(!is_success(&answer(200, Some("4042514"))));
        assert!(!is_success(&answer(200, None)));
        assert!(!is_success(&answer(409, Some("2002500"))));
        assert!(!is_success(&answer(200, Some("200"))));
    }

    #[test]
    fn an_answer_keeps_its_code_and_message() {
        let a = answer_of(
            401,
            br#"{"responseCode":"4012400","responseMessage":"Unauthorized. [Signature]"}"#,
            Duration::from_millis(3),
        );
        assert_eq!(a.summary(), "401 4012400 Unauthorized. [Signature]");
        assert_eq!(
            answer_of(502, b"<html>", Duration::ZERO).summary(),
            "502 (no responseCode)"
        );
    }
}
