use super::faults::respond_with_fault;
use super::{journal_request, read_body, respond, Answer, Trace};
use crate::pipeline::{Outcome, State, Verdict};
use crate::render::{render_outcome, render_with, Rendered};
use crate::scenarios::{Action, MatchContext, Phase, Scenario, SELECTOR_HEADER};
use crate::snap::error::{Failure, SnapError};
use crate::snap::response_code::SERVICE_ACCESS_TOKEN_B2B;
use crate::snap::RawTokenRequest;
use actix_web::{web, HttpRequest, HttpResponse};
use bytes::Bytes;
use chrono::Utc;
use std::sync::Arc;
use std::time::Instant;

/// `POST {prefix}/v1.0/access-token/b2b`: scenarios before validation, the
/// pipeline, scenarios after validation, then render, journal and log.
pub async fn access_token(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> HttpResponse {
    token_endpoint(req, payload, state, false).await
}

/// `POST {prefix}/v1.0/access-token/b2b2c`: the same, for customer tokens.
pub async fn access_token_b2b2c(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> HttpResponse {
    token_endpoint(req, payload, state, true).await
}

async fn token_endpoint(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
    b2b2c: bool,
) -> HttpResponse {
    let service = if b2b2c {
        crate::snap::response_code::SERVICE_ACCESS_TOKEN_B2B2C
    } else {
        SERVICE_ACCESS_TOKEN_B2B
    };
    let started = Instant::now();
    let cap = state.config.max_body_bytes;
    let body = read_body(&req, payload, cap, state.config.client_request_timeout)
        .await
        .map_err(|e| {
            SnapError::new(
                service,
                Failure::BadRequest,
                format!("{e} (--max-body-bytes {cap})"),
            )
        });
    let body_bytes: &[u8] = body.as_deref().unwrap_or_default();
    let mut trace = Trace {
        client_key: header(&req, "x-client-key").map(str::to_owned),
        ..Trace::default()
    };

    let answer = scenario_answer(&state, &req, Phase::Before, body_bytes, &mut trace)
        .await
        .unwrap_or_else(|e| Some(reject(&state, &mut trace, SnapError { service, ..e })));

    let now = Utc::now();
    let answer = match answer {
        Some(a) => a,
        None => {
            let verdict = match &body {
                Ok(body) if b2b2c => state.access_token_b2b2c(&raw_request(&req, body), now),
                Ok(body) => state.access_token(&raw_request(&req, body), now),
                Err(e) => Verdict::rejected(e.clone()),
            };
            trace.string_to_sign = verdict.string_to_sign.clone();
            if let Outcome::Rejected(e) = &verdict.outcome {
                trace.reason = Some(e.detail.clone());
            }
            trace.decided_by = verdict.outcome.check();
            let mut after = None;
            if matches!(
                verdict.outcome,
                Outcome::Token { .. } | Outcome::CustomerToken { .. }
            ) {
                // An unknown selector was already answered before validation.
                after = scenario_answer(&state, &req, Phase::After, body_bytes, &mut trace)
                    .await
                    .unwrap_or_default();
            }
            after.unwrap_or_else(|| {
                Answer::Rendered(render_outcome(
                    state.config.profile,
                    &verdict.outcome,
                    verdict.client_key.as_deref(),
                    state.config.explain,
                    now,
                ))
            })
        }
    };
    journal_request(&state, &req, body_bytes, &answer, &trace, started);
    match answer {
        Answer::Rendered(r) => respond(r),
        Answer::Fault(f) => respond_with_fault(&req, f),
    }
}

fn header<'r>(req: &'r HttpRequest, name: &str) -> Option<&'r str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

fn raw_request<'a>(req: &'a HttpRequest, body: &'a Bytes) -> RawTokenRequest<'a> {
    let header = |name: &str| req.headers().get(name).map(|v| v.as_bytes());
    RawTokenRequest {
        x_timestamp: header("x-timestamp"),
        x_client_key: header("x-client-key"),
        x_signature: header("x-signature"),
        content_type: header("content-type"),
        body,
    }
}

/// The scenario for this request and phase, if any.
fn select(
    state: &State,
    req: &HttpRequest,
    phase: Phase,
    body: &[u8],
) -> Result<Option<Arc<Scenario>>, SnapError> {
    let scenarios = state.scenarios.read().unwrap_or_else(|p| p.into_inner());
    let selector = header(req, SELECTOR_HEADER);
    if scenarios.is_empty() && selector.is_none() {
        return Ok(None);
    }
    // Reading grantType costs a JSON parse; only pay it when a scenario asks.
    let grant_type = if scenarios.needs_grant_type() {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| {
                v.get("grantType")
                    .and_then(|g| g.as_str())
                    .map(str::to_owned)
            })
    } else {
        None
    };
    let lookup = |name: &str| header(req, name);
    let ctx = MatchContext {
        path: req.path(),
        client_key: header(req, "x-client-key"),
        grant_type: grant_type.as_deref(),
        header: &lookup,
        selector,
    };
    scenarios.select(phase, &ctx).map_err(|e| bad_request(e.0))
}

/// Consults the scenarios for `phase` and carries out the one that applies,
/// noting it in `trace`. `Ok(None)`: no scenario answers, go on.
pub(super) async fn scenario_answer(
    state: &State,
    req: &HttpRequest,
    phase: Phase,
    body: &[u8],
    trace: &mut Trace,
) -> Result<Option<Answer>, SnapError> {
    let Some(scenario) = select(state, req, phase, body)? else {
        return Ok(None);
    };
    trace.scenario = Some(scenario.name().to_owned());
    let answer = apply(&scenario).await;
    if answer.is_some() {
        trace.decided_by = "scenario";
    }
    Ok(answer)
}

/// Waits the scenario's delay, then gives its answer (`None`: go on).
async fn apply(scenario: &Scenario) -> Option<Answer> {
    if !scenario.delay.is_zero() {
        actix_web::rt::time::sleep(scenario.delay).await;
    }
    match &scenario.action {
        Action::Respond {
            code,
            message,
            body,
            headers,
        } => {
            let mut rendered: Rendered = render_with(*code, message, body);
            rendered.headers.extend(headers.iter().cloned());
            Some(Answer::Rendered(rendered))
        }
        Action::Fault(fault) => Some(Answer::Fault(*fault)),
        Action::DelayOnly => None,
    }
}

fn reject(state: &State, trace: &mut Trace, error: SnapError) -> Answer {
    trace.decided_by = error.failure.check();
    trace.reason = Some(error.detail.clone());
    Answer::Rendered(crate::render::render_error(
        state.config.profile,
        &error,
        state.config.explain,
    ))
}

fn bad_request(detail: String) -> SnapError {
    SnapError::new(SERVICE_ACCESS_TOKEN_B2B, Failure::BadRequest, detail)
}
