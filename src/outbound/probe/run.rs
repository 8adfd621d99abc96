//! Running the cases in order against the merchant, keeping what the
//! next ones need (the token, whether the VA is paid), within the bounds
//! of the configuration.

use super::case::{Call, Case, Fault, Needs};
use super::cases::CASES;
use super::judge::{answer_of, is_success, judge};
use super::report::{Answer, CaseResult, Exchange, Report, Verdict};
use super::request::{build, Inputs, Keys, Outgoing};
use super::ProbeConfig;
use crate::signing::ClientKeyPair;
use chrono::Utc;
use serde_json::Value;
use std::io::Read;
use std::time::{Duration, Instant};

/// The longest body the probe keeps of an answer.
const MAX_ANSWER: u64 = 64 * 1024;

/// A probe, ready to run: its configuration checked and its keys parsed.
pub struct Probe {
    config: ProbeConfig,
    bank: ClientKeyPair,
    stranger: ClientKeyPair,
    other_key: Option<ClientKeyPair>,
    agent: ureq::Agent,
}

/// A token the merchant issued.
#[derive(Clone)]
struct Issued {
    token: String,
    at: Instant,
    expires_in: Option<u64>,
}

/// What the cases run so far left behind.
#[derive(Default)]
struct RunState {
    /// The token the service calls use, taken again when it is about to
    /// expire, as a bank does.
    token: Option<Issued>,
    /// The first token the merchant issued, kept for
    /// `inquiry-expired-token`.
    first_token: Option<Issued>,
    /// `Some(Err(why))` once tried and failed.
    other_token: Option<Result<String, String>>,
    /// The case whose payment the merchant accepted.
    paid_by: Option<&'static str>,
    requests: usize,
    exchanges: Vec<Exchange>,
}

impl Probe {
    /// Checks the configuration and parses the keys; every problem found
    /// is in the error, one a line.
    pub fn new(config: ProbeConfig) -> Result<Self, String> {
        let mut problems = config.problems();
        let bank = ClientKeyPair::from_pem(&config.private_key_pem)
            .map_err(|e| problems.push(format!("the bank's private key (--private-key): {}", e.0)))
            .ok();
        let other_key = match config
            .other_client
            .as_ref()
            .and_then(|o| o.private_key_pem.as_deref())
        {
            Some(pem) => ClientKeyPair::from_pem(pem)
                .map_err(|e| problems.push(format!("the other client's private key: {}", e.0)))
                .ok(),
            None => None,
        };
        // A key nobody registered anywhere, made for this run.
        let stranger = ClientKeyPair::generate(2048)
            .map_err(|e| problems.push(format!("generating a stranger's key: {}", e.0)))
            .ok();
        match (bank, stranger) {
            (Some(bank), Some(stranger)) if problems.is_empty() => Ok(Self {
                agent: ureq::AgentBuilder::new()
                    .timeout(config.timeout)
                    .redirects(0)
                    .build(),
                config,
                bank,
                stranger,
                other_key,
            }),
            _ => Err(problems.join("\n")),
        }
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &ProbeConfig {
        &self.config
    }

    /// Runs every selected case in order and reports. Never panics and
    /// never sends more than `max_requests`; a merchant that does not
    /// answer costs `timeout` a request.
    pub fn run(&self) -> Report {
        let started = Instant::now();
        let started_at = Utc::now().to_rfc3339();
        let mut state = RunState::default();
        let inquiry_request_id = uuid::Uuid::new_v4().simple().to_string();
        let mut cases = Vec::new();
        for case in CASES.iter().filter(|c| self.config.selects(c.name)) {
            cases.push(self.run_case(case, &mut state, &inquiry_request_id));
        }
        Report {
            target: self.config.base_url.clone(),
            started_at,
            duration_ms: started.elapsed().as_millis() as u64,
            requests: state.requests,
            cases,
            exchanges: state.exchanges,
        }
    }

    fn expected(&self, case: &Case) -> Vec<String> {
        let service = match case.call {
            Call::Notify => self.config.notify_kind.service(),
            call => call.service(),
        };
        case.expect
            .iter()
            .map(|(status, code)| format!("{status}{service:02}{code:02}"))
            .collect()
    }

    /// Why the case cannot run now, if it cannot.
    fn unmet(&self, case: &Case, state: &mut RunState) -> Option<String> {
        let token_missing = || "no token: the case `token` did not get one".to_owned();
        match case.needs {
            Needs::Nothing => None,
            Needs::Token | Needs::OtherClient | Needs::UnpaidVa | Needs::PaidVa
                if state.token.is_none() =>
            {
                Some(token_missing())
            }
            Needs::Token => None,
            Needs::UnpaidVa => state
                .paid_by
                .map(|by| format!("the VA was already paid, by the case `{by}`")),
            Needs::PaidVa => match state.paid_by {
                Some(_) => None,
                None => Some("the VA is not paid: no payment was accepted".into()),
            },
            Needs::OtherClient => self.other_token(state).err(),
            Needs::NotifyUrl => match self.config.notify_url {
                Some(_) => None,
                None => Some("no --notify URL".into()),
            },
        }
    }

    fn run_case(
        &self,
        case: &'static Case,
        state: &mut RunState,
        inquiry_request_id: &str,
    ) -> CaseResult {
        let mut sent = case.fault.describe(case.call);
        if case.needs == Needs::PaidVa {
            sent.push_str(" of the paid VA");
        }
        let mut result = CaseResult::new(case, self.expected(case), sent);
        if let Some(why) = self.unmet(case, state) {
            result.detail = format!("skipped: {why}");
            return result;
        }
        if case.fault == Fault::TokenExpired {
            if let Err(why) = self.wait_for_expiry(state) {
                result.detail = format!("skipped: {why}");
                return result;
            }
        }
        let needed = if case.fault == Fault::ExternalIdReplayed {
            2
        } else {
            1
        };
        if state.requests + needed > self.config.max_requests {
            result.detail = format!(
                "skipped: the bound of {} requests is reached",
                self.config.max_requests
            );
            return result;
        }
        let external_id = uuid::Uuid::new_v4().simple().to_string();
        if case.fault == Fault::ExternalIdReplayed {
            // The first use: a valid call under the same X-EXTERNAL-ID.
            match self.send_built(case, Fault::None, &external_id, state, inquiry_request_id) {
                Ok(Some(answer)) if is_success(&answer) => {}
                Ok(Some(answer)) => {
                    result.detail = format!(
                        "skipped: the first use of the X-EXTERNAL-ID was refused ({})",
                        answer.summary()
                    );
                    return result;
                }
                Ok(None) | Err(_) => {
                    result.detail =
                        "skipped: the first use of the X-EXTERNAL-ID got no answer".into();
                    return result;
                }
            }
        }
        match self.send_built(case, case.fault, &external_id, state, inquiry_request_id) {
            Err(not_applicable) => result.detail = format!("skipped: {not_applicable}"),
            Ok(None) => {
                result.verdict = Verdict::Error;
                result.detail = state
                    .exchanges
                    .last()
                    .and_then(|e| e.error.clone())
                    .unwrap_or_default();
            }
            Ok(Some(answer)) => {
                self.remember(case, &answer, state);
                (result.verdict, result.detail) = judge(&result.expected, &answer, case.required);
                result.got = Some(answer);
            }
        }
        result
    }

    /// Builds and sends; `Err` when the case does not apply here, `Ok(None)`
    /// when nothing came back.
    fn send_built(
        &self,
        case: &'static Case,
        fault: Fault,
        external_id: &str,
        state: &mut RunState,
        inquiry_request_id: &str,
    ) -> Result<Option<Answer>, String> {
        if matches!(case.call, Call::Inquiry | Call::Payment) && fault != Fault::TokenExpired {
            self.refresh_token(state);
        }
        let token = match fault {
            Fault::TokenExpired => state.first_token.as_ref(),
            _ => state.token.as_ref(),
        }
        .map(|t| t.token.clone());
        let other_token = match &state.other_token {
            Some(Ok(t)) => Some(t.clone()),
            _ => None,
        };
        let inputs = Inputs {
            now: Utc::now(),
            token: token.as_deref(),
            other_token: other_token.as_deref(),
            external_id: external_id.to_owned(),
            inquiry_request_id,
        };
        let keys = Keys {
            bank: &self.bank,
            stranger: &self.stranger,
        };
        let outgoing = build(&self.config, &keys, case.call, fault, &inputs)?;
        Ok(self.send(case.name, outgoing, state))
    }

    fn send(&self, case: &'static str, request: Outgoing, state: &mut RunState) -> Option<Answer> {
        if state.requests > 0 && !self.config.delay.is_zero() {
            std::thread::sleep(self.config.delay);
        }
        state.requests += 1;
        let at = Utc::now().to_rfc3339();
        let started = Instant::now();
        let mut call = self.agent.request(request.method, &request.url);
        for (name, value) in &request.headers {
            call = call.set(name, value);
        }
        let (answer, error) = match call.send_bytes(request.body.as_bytes()) {
            Ok(response) | Err(ureq::Error::Status(_, response)) => {
                let status = response.status();
                let mut raw = Vec::new();
                let read = response
                    .into_reader()
                    .take(MAX_ANSWER)
                    .read_to_end(&mut raw);
                match read {
                    Ok(_) => (Some(answer_of(status, &raw, started.elapsed())), None),
                    Err(e) => (None, Some(format!("reading the answer failed: {e}"))),
                }
            }
            Err(e) => (None, Some(format!("no answer: {e}"))),
        };
        state.exchanges.push(Exchange {
            case,
            at,
            request,
            answer: answer.clone(),
            error,
        });
        answer
    }

    /// What a successful answer changes for the cases after it.
    fn remember(&self, case: &'static Case, answer: &Answer, state: &mut RunState) {
        if !is_success(answer) {
            return;
        }
        match case.call {
            Call::Token if case.fault == Fault::None => {
                if let Some(issued) = issued(answer) {
                    state.first_token.get_or_insert_with(|| issued.clone());
                    state.token = Some(issued);
                }
            }
            Call::Payment if state.paid_by.is_none() => state.paid_by = Some(case.name),
            _ => {}
        }
    }

    /// Takes a new token when the current one has less than half its life
    /// (at most 5 s) left; a failed attempt leaves the old one.
    fn refresh_token(&self, state: &mut RunState) {
        let Some(current) = &state.token else { return };
        let Some(lifetime) = current.expires_in else {
            return;
        };
        let margin = Duration::from_secs(lifetime).min(Duration::from_secs(10)) / 2;
        let age = current.at.elapsed();
        if age + margin < Duration::from_secs(lifetime)
            || state.requests >= self.config.max_requests
        {
            return;
        }
        if let Ok(request) = self.token_request(&self.config, &self.bank) {
            if let Some(fresh) = self.send("token", request, state).as_ref().and_then(issued) {
                state.token = Some(fresh);
            }
        }
    }

    /// A valid token request of `config`'s client, signed with `key`.
    fn token_request(&self, config: &ProbeConfig, key: &ClientKeyPair) -> Result<Outgoing, String> {
        let keys = Keys {
            bank: key,
            stranger: &self.stranger,
        };
        let inputs = Inputs {
            now: Utc::now(),
            token: None,
            other_token: None,
            external_id: uuid::Uuid::new_v4().simple().to_string(),
            inquiry_request_id: "",
        };
        build(config, &keys, Call::Token, Fault::None, &inputs)
    }

    /// A token of the other client, taken once.
    fn other_token(&self, state: &mut RunState) -> Result<String, String> {
        if let Some(known) = &state.other_token {
            return known.clone();
        }
        let Some(other) = &self.config.other_client else {
            let why = "needs a second client of the merchant (--other-client-key)".to_owned();
            state.other_token = Some(Err(why.clone()));
            return Err(why);
        };
        if state.requests >= self.config.max_requests {
            return Err(format!(
                "the bound of {} requests is reached",
                self.config.max_requests
            ));
        }
        let mut config = self.config.clone();
        config.client_key = other.client_key.clone();
        let key = self.other_key.as_ref().unwrap_or(&self.bank);
        let outcome = match self.token_request(&config, key) {
            Ok(request) => match self.send("inquiry-token-of-other-client", request, state) {
                Some(answer) => issued(&answer)
                    .map(|i| i.token)
                    .ok_or_else(|| format!("the other client got no token ({})", answer.summary())),
                None => Err("the other client's token request got no answer".into()),
            },
            Err(why) => Err(why),
        };
        state.other_token = Some(outcome.clone());
        outcome
    }

    /// Sleeps until the happy path's token has expired, if that is within
    /// `expiry_wait`.
    fn wait_for_expiry(&self, state: &RunState) -> Result<(), String> {
        let issued = state.first_token.as_ref().ok_or("no token")?;
        let lifetime = issued
            .expires_in
            .ok_or("the token answer had no expiresIn")?;
        let expiry = issued.at + Duration::from_secs(lifetime) + Duration::from_secs(1);
        let wait = expiry.saturating_duration_since(Instant::now());
        if wait > self.config.expiry_wait {
            return Err(format!(
                "the merchant's tokens live {lifetime} s; waiting {} s is more than --expiry-wait {} s",
                wait.as_secs(),
                self.config.expiry_wait.as_secs()
            ));
        }
        std::thread::sleep(wait);
        Ok(())
    }
}

/// The token of a successful token answer.
fn issued(answer: &Answer) -> Option<Issued> {
    if !is_success(answer) {
        return None;
    }
    let body: Value = serde_json::from_str(&answer.body).ok()?;
    Some(Issued {
        token: body["accessToken"].as_str()?.to_owned(),
        at: Instant::now(),
        expires_in: match &body["expiresIn"] {
            Value::String(s) => s.trim().parse().ok(),
            v => v.as_u64(),
        },
    })
}
