//! The rules a scenario must keep, in the order the README lists them, and
//! what breaking each one is called.

use super::{Action, Respond, Scenario, ScenarioSpec, MAX_NAME_CHARS};
use crate::snap::response_code::{ResponseCode, ResponseCodeError};
use std::time::Duration;

/// The longest `delayMs`: 10 minutes.
const MAX_DELAY: Duration = Duration::from_secs(600);

/// Why a scenario cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidScenario {
    /// `name` is empty or only spaces.
    #[error("name is empty")]
    EmptyName,
    /// `name` is longer than 100 characters.
    #[error("name is {0} characters long; at most {MAX_NAME_CHARS}")]
    NameTooLong(usize),
    /// Both `respond` and `fault`.
    #[error("give either respond or fault, not both")]
    RespondAndFault,
    /// None of `respond`, `fault`, `delayMs`.
    #[error("give respond, fault or delayMs")]
    NoAction,
    /// `respond.responseCode` is not a SNAP response code.
    #[error("responseCode {given:?}: {error}")]
    ResponseCode {
        /// The code as written.
        given: String,
        /// What is wrong with it.
        error: ResponseCodeError,
    },
    /// A code outside the SNAP table, without a message to send with it.
    #[error("responseCode {0} is not in the SNAP code table; give a responseMessage for it")]
    MessageNeeded(ResponseCode),
    /// A response header that HTTP cannot carry.
    #[error("response header {name:?}: {value:?} is not a valid HTTP header")]
    Header {
        /// The header's name as written.
        name: String,
        /// Its value as written.
        value: String,
    },
    /// `delayMs` above the cap.
    #[error("delayMs is capped at 600000 (10 minutes)")]
    DelayTooLong,
}

/// A scenario refused because the store already holds the most there can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} scenarios are in force, the most there can be; remove some first",
    super::MAX_SCENARIOS
)]
pub struct ScenariosFull;

impl Scenario {
    /// Validates a spec: a usable name, one action, a known code or an
    /// explicit message, valid headers, a bounded delay.
    pub fn new(spec: ScenarioSpec) -> Result<Self, InvalidScenario> {
        check_name(&spec.name)?;
        let action = match (&spec.respond, spec.fault) {
            (Some(_), Some(_)) => return Err(InvalidScenario::RespondAndFault),
            (Some(r), None) => respond(r)?,
            (None, Some(f)) => Action::Fault(f),
            (None, None) if spec.delay_ms.is_some() => Action::DelayOnly,
            (None, None) => return Err(InvalidScenario::NoAction),
        };
        let delay = Duration::from_millis(spec.delay_ms.unwrap_or(0));
        if delay > MAX_DELAY {
            return Err(InvalidScenario::DelayTooLong);
        }
        Ok(Self {
            spec,
            action,
            delay,
        })
    }
}

fn check_name(name: &str) -> Result<(), InvalidScenario> {
    if name.trim().is_empty() {
        return Err(InvalidScenario::EmptyName);
    }
    let chars = name.chars().count();
    if chars > MAX_NAME_CHARS {
        return Err(InvalidScenario::NameTooLong(chars));
    }
    Ok(())
}

/// The answer a `respond` block describes: its code, the message (the
/// table's when none is given) and headers HTTP can carry.
fn respond(r: &Respond) -> Result<Action, InvalidScenario> {
    let code: ResponseCode =
        r.response_code
            .parse()
            .map_err(|error| InvalidScenario::ResponseCode {
                given: r.response_code.clone(),
                error,
            })?;
    let message = match (&r.response_message, code.standard_message()) {
        (Some(m), _) => m.clone(),
        (None, Some(m)) => m.to_owned(),
        (None, None) => return Err(InvalidScenario::MessageNeeded(code)),
    };
    for (name, value) in &r.headers {
        let valid_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
        if !valid_name || value.bytes().any(|b| b.is_ascii_control()) {
            return Err(InvalidScenario::Header {
                name: name.clone(),
                value: value.clone(),
            });
        }
    }
    Ok(Action::Respond {
        code,
        message,
        body: r.body.clone(),
        headers: r
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}
