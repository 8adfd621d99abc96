//! The step of the request lifecycle that decided a request's answer, as
//! the journal and the log name it (`decidedBy`, `decided_by=`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Which step decided. The README's journal section lists exactly these
/// names (a test keeps the two in step).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// The body: unreadable, over the cap, empty, not a JSON object.
    Body,
    /// `Content-Type` missing (strict rule) or not JSON.
    ContentType,
    /// A mandatory header missing or malformed.
    Headers,
    /// `X-TIMESTAMP` not a date-time in the accepted form.
    Timestamp,
    /// `grantType` missing, mistyped or not the endpoint's grant.
    GrantType,
    /// No enabled client with that key.
    Client,
    /// `X-SIGNATURE` does not verify.
    Signature,
    /// `X-TIMESTAMP` outside the window around the server clock.
    Freshness,
    /// The bearer (or refresh) token is missing, invalid or expired.
    Token,
    /// B2B2C: the `authCode` is not the client's.
    AuthCode,
    /// `X-EXTERNAL-ID` already used by the partner today.
    ExternalId,
    /// Every check passed and a token was issued.
    Issued,
    /// Every check of a transactional endpoint passed.
    Accepted,
    /// A stateful transaction refused the call: unknown, paid, expired, a
    /// duplicate reference, a wrong amount.
    Transaction,
    /// A scenario answered.
    Scenario,
    /// No endpoint at that path.
    Route,
    /// The path exists, the method does not.
    Method,
    /// The request head exceeded `--max-headers` / `--max-header-bytes`.
    HeaderLimits,
    /// The mock itself failed (e.g. the system random generator).
    Internal,
    /// The shared store (`--store redis://`) did not answer.
    Store,
    /// Not an answer of this server: a request it sent to another one
    /// (`direction: outbound`), whose verdict is in `reason`.
    Sent,
}

impl Step {
    /// Every step, in the order the README documents them.
    pub const ALL: &'static [Step] = &[
        Step::Body,
        Step::ContentType,
        Step::Headers,
        Step::Timestamp,
        Step::GrantType,
        Step::Client,
        Step::Signature,
        Step::Freshness,
        Step::Token,
        Step::AuthCode,
        Step::ExternalId,
        Step::Issued,
        Step::Accepted,
        Step::Transaction,
        Step::Scenario,
        Step::Route,
        Step::Method,
        Step::HeaderLimits,
        Step::Internal,
        Step::Store,
        Step::Sent,
    ];

    /// The name the journal (`decidedBy`) and the log use.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Body => "body",
            Self::ContentType => "content-type",
            Self::Headers => "headers",
            Self::Timestamp => "timestamp",
            Self::GrantType => "grantType",
            Self::Client => "client",
            Self::Signature => "signature",
            Self::Freshness => "freshness",
            Self::Token => "token",
            Self::AuthCode => "authCode",
            Self::ExternalId => "external-id",
            Self::Issued => "issued",
            Self::Accepted => "accepted",
            Self::Transaction => "transaction",
            Self::Scenario => "scenario",
            Self::Route => "route",
            Self::Method => "method",
            Self::HeaderLimits => "header-limits",
            Self::Internal => "internal",
            Self::Store => "store",
            Self::Sent => "sent",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Step {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Step::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown step {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_exactly_the_steps() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("<!-- steps -->")
            .expect("README has a <!-- steps --> list");
        let end = readme[start..]
            .find("<!-- /steps -->")
            .expect("the steps list is closed")
            + start;
        let listed: Vec<&str> = readme[start..end]
            .lines()
            .filter_map(|l| l.trim().strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let names: Vec<&str> = Step::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(listed, names);
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = Step::ALL.iter().map(|s| s.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Step::ALL.len());
    }

    #[test]
    fn a_step_prints_as_its_name() {
        for step in Step::ALL {
            assert_eq!(step.to_string(), step.as_str());
            assert_eq!(
                serde_json::to_value(step).unwrap(),
                serde_json::Value::String(step.as_str().into())
            );
        }
    }
}
