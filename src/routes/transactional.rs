//! Protected transactional endpoints from `fixtures/endpoints.json`.

use super::access_token::scenario_answer;
use super::faults::respond_with_fault;
use super::{journal_request, read_body, respond, Answer, Trace};
use crate::endpoints::Endpoint;
use crate::pipeline::{Outcome, RawTransactionalRequest, State};
use crate::render::{render_error, render_with};
use crate::scenarios::Phase;
use crate::snap::error::{Failure, SnapError};
use actix_web::{web, HttpRequest, HttpResponse};
use std::sync::Arc;
use std::time::Instant;

pub async fn transactional(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
    endpoint: web::Data<Arc<Endpoint>>,
) -> HttpResponse {
    let started = Instant::now();
    let service = endpoint.spec.service_code;
    let cap = state.config.max_body_bytes;
    let body = read_body(&req, payload, cap, state.config.client_request_timeout)
        .await
        .map_err(|e| SnapError::new(service, Failure::BadRequest, e));
    let body_bytes: &[u8] = body.as_deref().unwrap_or_default();
    let mut trace = Trace::default();
    let answer = match scenario_answer(&state, &req, Phase::Before, body_bytes, &mut trace).await {
        Ok(answer) => answer,
        Err(e) => {
            trace.decided_by = e.failure.check();
            trace.reason = Some(e.detail.clone());
            let e = SnapError { service, ..e };
            Some(Answer::Rendered(render_error(
                state.config.profile,
                &e,
                state.config.explain,
            )))
        }
    };
    let answer = match answer {
        Some(a) => a,
        None => {
            let header = |name: &str| req.headers().get(name).map(|v| v.as_bytes());
            let relative_url = req
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .unwrap_or(req.path());
            let verdict = match &body {
                Ok(body) => {
                    let raw = RawTransactionalRequest {
                        method: req.method().as_str(),
                        relative_url,
                        authorization: header("authorization"),
                        x_timestamp: header("x-timestamp"),
                        x_signature: header("x-signature"),
                        x_partner_id: header("x-partner-id"),
                        x_external_id: header("x-external-id"),
                        channel_id: header("channel-id"),
                        body,
                    };
                    state.transactional(service, &raw, chrono::Utc::now(), &state.external_ids)
                }
                Err(e) => crate::pipeline::Verdict::rejected(e.clone()),
            };
            trace.client_key = verdict.client_key.clone();
            trace.string_to_sign = verdict.string_to_sign.clone();
            trace.decided_by = verdict.outcome.check();
            match &verdict.outcome {
                Outcome::Rejected(e) => {
                    trace.reason = Some(e.detail.clone());
                    Answer::Rendered(render_error(state.config.profile, e, state.config.explain))
                }
                _ => {
                    let after = scenario_answer(&state, &req, Phase::After, body_bytes, &mut trace)
                        .await
                        .unwrap_or_default();
                    after.unwrap_or_else(|| {
                        Answer::Rendered(render_with(
                            endpoint.success_code,
                            &endpoint.success_message,
                            &endpoint.spec.response,
                        ))
                    })
                }
            }
        }
    };
    journal_request(&state, &req, body_bytes, &answer, &trace, started);
    match answer {
        Answer::Rendered(r) => respond(r),
        Answer::Fault(f) => respond_with_fault(&req, f),
    }
}
