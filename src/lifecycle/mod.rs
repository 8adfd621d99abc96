//! The one lifecycle of every SNAP route:
//!
//! ```text
//! read body → scenarios (before) → the route's checks and action
//!           → scenarios (after) → render → journal → respond or fault
//! ```
//!
//! A route supplies its service code, its checks and its action
//! ([`Route`]); everything else happens here, once. Answers made before any
//! route is reached (404, 405, 431) go through [`answer_error`], so they are
//! rendered and journaled the same way.

pub mod drain;
mod faults;
mod http;
mod journal;

pub use faults::remember_socket;
use faults::respond_with_fault;
pub use http::{read_body, respond, MAX_ADMIN_BODY};
use journal::journal;

use crate::render::{render_error, render_with, Rendered};
use crate::scenarios::{Action, Fault, MatchContext, Phase, ScenarioSet, SELECTOR_HEADER};
use crate::snap::error::{Failure, SnapError};
use crate::snap::response_code::ServiceCode;
use crate::snap::step::Step;
use crate::snap::Field;
use crate::state::State;
use crate::store::UsedExternalId;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use std::time::Instant;

/// What the journal and the log say about a request besides its answer:
/// filled in as the lifecycle and the route's checks go.
#[derive(Debug, Clone)]
pub struct Record {
    /// The client, once known (`X-CLIENT-KEY`, or the bearer token's).
    pub client_key: Option<String>,
    /// The step that decided the answer.
    pub step: Step,
    /// Why, in words, for rejections.
    pub reason: Option<String>,
    /// The exact string a signature was verified over.
    pub string_to_sign: Option<String>,
    /// The scenario that answered or delayed the request.
    pub scenario: Option<String>,
    /// The `X-EXTERNAL-ID` this call used up, for [`Route::declined`].
    pub external_id: Option<UsedExternalId>,
    /// The token issued: its format, decoded header and claims (never the
    /// token itself).
    pub issued: Option<serde_json::Value>,
}

impl Record {
    fn new(client_key: Option<&str>) -> Self {
        Self {
            client_key: client_key.map(str::to_owned),
            step: Step::Internal,
            reason: None,
            string_to_sign: None,
            scenario: None,
            external_id: None,
            issued: None,
        }
    }

    fn rejected(&mut self, error: &SnapError) {
        self.step = error.failure.step();
        self.reason = Some(error.detail.clone());
    }
}

/// A request as a route sees it: no HTTP types.
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// Path and query as sent, less the base path (`--base-path`): what a
    /// client of the provider signs.
    pub relative_url: &'a str,
    pub body: &'a [u8],
    headers: &'a actix_web::http::header::HeaderMap,
}

impl<'a> Request<'a> {
    /// A header's raw value (they need not be UTF-8).
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers.get(name).map(|v| v.as_bytes())
    }

    /// A header's value when it is text.
    pub fn header_text(&self, name: &str) -> Option<&'a str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One SNAP route: its service code, and its checks and action.
pub trait Route: Send + Sync + 'static {
    fn service(&self) -> ServiceCode;
    /// The step a success is journaled as.
    fn success(&self) -> Step {
        Step::Accepted
    }
    /// The client the request names before any check, for the journal and
    /// for scenarios' `clientKey`: its `X-CLIENT-KEY` (every SNAP route's;
    /// a symmetric service call's client is known from its token later).
    fn client_key<'r>(&self, request: &Request<'r>) -> Option<&'r str> {
        request.header_text(Field::ClientKey.name())
    }
    /// The grant the body asks for, for scenarios' `grantType` (asked for
    /// only when a loaded scenario matches on it).
    fn grant_type(&self, _request: &Request<'_>) -> Option<String> {
        None
    }
    /// A scenario failed this call after its checks passed: give back what
    /// the checks used up, so that the client's retry is not refused for
    /// it. The answer stands whatever happens here.
    fn declined(&self, _state: &State, _record: &Record) -> impl std::future::Future<Output = ()> {
        async {}
    }
    /// Runs the route's checks in order, then its action. The first failed
    /// check answers. `record` takes what the developer will need to see
    /// why (client, string-to-sign).
    fn handle(
        &self,
        state: &State,
        request: &Request<'_>,
        now: DateTime<Utc>,
        record: &mut Record,
    ) -> impl std::future::Future<Output = Result<Rendered, SnapError>>;
}

pub use crate::store::store_failure;

/// What a request got.
enum Answer {
    Rendered(Rendered),
    Fault(Fault),
}

/// Serves one request on `route`.
/// Path and query as signed: without the base path the API is mounted
/// under, which the provider's clients leave out.
fn below_base<'a>(target: &'a str, base: &str) -> &'a str {
    match target.strip_prefix(base) {
        Some(rest) if !base.is_empty() && rest.starts_with('/') => rest,
        _ => target,
    }
}

pub async fn run<R: Route>(
    route: &R,
    req: HttpRequest,
    payload: web::Payload,
    state: &State,
) -> HttpResponse {
    let started = Instant::now();
    let service = route.service();
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
    let request = Request {
        method: req.method().as_str(),
        path: req.path(),
        relative_url: below_base(
            req.uri()
                .path_and_query()
                .map_or(req.path(), |pq| pq.as_str()),
            &state.config.base_path,
        ),
        body: body.as_deref().unwrap_or_default(),
        headers: req.headers(),
    };
    let mut record = Record::new(route.client_key(&request));
    // A failed catch-up keeps the last view of runtime clients and
    // scenarios: a request that needs nothing else shared still works.
    if let Err(e) = state.stores.backend.refresh().await {
        static STALE: crate::throttle::Throttle =
            crate::throttle::Throttle::new(std::time::Duration::from_secs(10));
        STALE.warn(|| format!("{e}; going on with the clients and scenarios last seen"));
    }
    let scenarios = state.stores.scenarios.snapshot();
    let answer = decide(route, state, &scenarios, &request, &body, &mut record).await;
    journal(state, &req, request.body, &answer, &record, started).await;
    match answer {
        Answer::Rendered(r) => respond(r),
        Answer::Fault(f) => respond_with_fault(&req, f),
    }
}

/// The answer to a request: a scenario before the checks, the route's
/// checks and action, then a scenario after them.
async fn decide<R: Route>(
    route: &R,
    state: &State,
    scenarios: &ScenarioSet,
    request: &Request<'_>,
    body: &Result<bytes::Bytes, SnapError>,
    record: &mut Record,
) -> Answer {
    let service = route.service();
    match consult(
        route,
        scenarios,
        state,
        request,
        Phase::Before,
        service,
        record,
    )
    .await
    {
        Err(e) => return reject(state, record, e),
        Ok(Some(answer)) => return answer,
        Ok(None) => {}
    }
    let handled = match body {
        Ok(_) => {
            route
                .handle(state, request, state.clock.now(), record)
                .await
        }
        Err(e) => Err(e.clone()),
    };
    let rendered = match handled {
        Err(e) => return reject(state, record, e),
        Ok(rendered) => rendered,
    };
    record.step = route.success();
    // An unknown selector was already answered before the checks.
    let after = consult(
        route,
        scenarios,
        state,
        request,
        Phase::After,
        service,
        record,
    )
    .await
    .unwrap_or_default();
    let Some(answer) = after else {
        return Answer::Rendered(rendered);
    };
    let failed = match &answer {
        Answer::Rendered(r) => !r.code.is_success(),
        Answer::Fault(_) => true,
    };
    if failed {
        route.declined(state, record).await;
    }
    answer
}

/// Answers with `error` outside any route (unknown path, wrong method,
/// oversized head), journaled like every other answer.
pub async fn answer_error(state: &State, req: &HttpRequest, error: SnapError) -> HttpResponse {
    let started = Instant::now();
    // No route: the client is whoever the token request header names.
    let client_key = req
        .headers()
        .get(Field::ClientKey.name())
        .and_then(|v| v.to_str().ok());
    let mut record = Record::new(client_key);
    let answer = reject(state, &mut record, error);
    journal(state, req, &[], &answer, &record, started).await;
    match answer {
        Answer::Rendered(r) => respond(r),
        Answer::Fault(f) => respond_with_fault(req, f),
    }
}

fn reject(state: &State, record: &mut Record, error: SnapError) -> Answer {
    record.rejected(&error);
    Answer::Rendered(render_error(
        state.config.profile,
        &error,
        state.config.explain,
    ))
}

/// Consults the scenarios for `phase` and carries out the one that
/// applies. `Ok(None)`: no scenario answers, go on.
async fn consult<R: Route>(
    route: &R,
    scenarios: &ScenarioSet,
    state: &State,
    request: &Request<'_>,
    phase: Phase,
    service: ServiceCode,
    record: &mut Record,
) -> Result<Option<Answer>, SnapError> {
    let selector = request.header_text(SELECTOR_HEADER);
    if scenarios.is_empty() && selector.is_none() {
        return Ok(None);
    }
    // Reading the grant may cost a JSON parse; only pay it when a scenario asks.
    let grant_type = scenarios
        .needs_grant_type()
        .then(|| route.grant_type(request))
        .flatten();
    let lookup = |name: &str| request.header_text(name);
    let ctx = MatchContext {
        path: request.path,
        client_key: route.client_key(request),
        grant_type: grant_type.as_deref(),
        header: &lookup,
        selector,
    };
    let candidates = scenarios
        .candidates(phase, &ctx)
        .map_err(|e| SnapError::new(service, Failure::UnknownScenario, e.0))?;
    let chosen = crate::store::take_first(candidates, state.stores.counters.as_ref())
        .await
        .map_err(|e| store_failure(service, e))?;
    let Some(scenario) = chosen else {
        return Ok(None);
    };
    record.scenario = Some(scenario.name().to_owned());
    if !scenario.delay.is_zero() {
        actix_web::rt::time::sleep(scenario.delay).await;
    }
    let answer = match &scenario.action {
        Action::Respond {
            code,
            message,
            body,
            headers,
        } => {
            let mut rendered = render_with(*code, message, body);
            rendered.headers.extend(headers.iter().cloned());
            Answer::Rendered(rendered)
        }
        Action::Fault(fault) => Answer::Fault(*fault),
        Action::DelayOnly => return Ok(None),
    };
    record.step = Step::Scenario;
    Ok(Some(answer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};

    #[test]
    fn a_rejection_records_the_step_of_its_failure_and_why() {
        let mut record = Record::new(Some("demo-client"));
        assert_eq!(record.step, Step::Internal);
        let error = SnapError::new(
            ServiceCode(47),
            Failure::InvalidMandatoryField(Field::ExternalId),
            "header X-EXTERNAL-ID is missing",
        );
        record.rejected(&error);
        assert_eq!(record.step, Step::Headers);
        assert_eq!(
            record.reason.as_deref(),
            Some("header X-EXTERNAL-ID is missing")
        );
        assert_eq!(record.client_key.as_deref(), Some("demo-client"));
    }

    #[test]
    fn a_request_reads_headers_in_any_case_and_text_only_when_it_is_text() {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("x-timestamp"),
            HeaderValue::from_static("2026-11-29T10:00:00+07:00"),
        );
        headers.insert(
            HeaderName::from_static("x-partner-id"),
            HeaderValue::from_bytes(b"caf\xe9").unwrap(),
        );
        let request = Request {
            method: "POST",
            path: "/v1.0/x",
            relative_url: "/v1.0/x?a=1",
            body: b"{}",
            headers: &headers,
        };
        assert_eq!(
            request.header_text("X-TIMESTAMP"),
            Some("2026-11-29T10:00:00+07:00")
        );
        assert_eq!(request.header("X-PARTNER-ID"), Some(&b"caf\xe9"[..]));
        assert_eq!(request.header_text("X-PARTNER-ID"), None);
        assert_eq!(request.header("X-SIGNATURE"), None);
    }

    #[test]
    fn an_answer_without_a_body_by_http_rules_gets_none() {
        let code = crate::snap::ResponseCode::new(204, ServiceCode(73), 0);
        let rendered = render_with(code, "No Content", &serde_json::Map::new());
        let response = respond(rendered);
        assert_eq!(response.status().as_u16(), 204);
        assert!(matches!(
            actix_web::body::MessageBody::size(response.body()),
            actix_web::body::BodySize::None | actix_web::body::BodySize::Sized(0)
        ));
        let ok = respond(render_with(
            crate::snap::ResponseCode::new(200, ServiceCode(73), 0),
            "Successful",
            &serde_json::Map::new(),
        ));
        assert_eq!(
            ok.headers().get("content-type").unwrap(),
            "application/json"
        );
    }
}
