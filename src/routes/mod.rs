//! Thin HTTP handlers: take bytes and headers off the request, hand them to
//! the protocol layer, send back what [`crate::render`] produced.

mod access_token;
mod admin;
mod faults;
mod health;
mod introspect;
mod transactional;

pub use faults::remember_socket;

use crate::journal::{JournalEntry, JournalOutcome};
use crate::pipeline::State;
use crate::render::{render_error, Rendered};
use crate::scenarios::Fault;
use crate::snap::error::{Failure, SnapError};
use crate::snap::response_code::{ServiceCode, SERVICE_ACCESS_TOKEN_B2B, SERVICE_GENERAL};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use std::time::Instant;

/// Registers every route on an app whose data is `State`.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<State>) {
    for path in state.config.token_paths() {
        cfg.service(
            web::resource(path)
                .route(web::post().to(access_token::access_token))
                .default_service(web::to(method_not_allowed::<SERVICE_ACCESS_TOKEN_B2B>)),
        );
    }
    for path in state.config.token_paths_b2b2c() {
        cfg.service(
            web::resource(path)
                .route(web::post().to(access_token::access_token_b2b2c))
                .default_service(web::to(
                    method_not_allowed::<{ crate::snap::response_code::SERVICE_ACCESS_TOKEN_B2B2C }>,
                )),
        );
    }
    cfg.service(
        web::resource("/health")
            .route(web::get().to(health::health))
            .default_service(web::to(method_not_allowed::<SERVICE_GENERAL>)),
    );
    cfg.service(
        web::resource("/.well-known/jwks.json")
            .route(web::get().to(health::jwks))
            .default_service(web::to(method_not_allowed::<SERVICE_GENERAL>)),
    );
    for endpoint in &state.endpoints {
        let method = actix_web::http::Method::from_bytes(endpoint.method.as_bytes())
            .unwrap_or(actix_web::http::Method::POST);
        let service = endpoint.spec.service_code;
        cfg.service(
            web::resource(endpoint.spec.path.as_str())
                .app_data(web::Data::new(endpoint.clone()))
                .route(web::method(method).to(transactional::transactional))
                .default_service(web::to(
                    move |req: HttpRequest, state: web::Data<State>| async move {
                        let detail = format!("{} is not supported on {}", req.method(), req.path());
                        general_error(&state, &req, service, Failure::MethodNotAllowed, detail)
                    },
                )),
        );
    }
    cfg.service(
        web::resource("/introspect")
            .route(web::post().to(introspect::introspect))
            .default_service(web::to(method_not_allowed::<SERVICE_GENERAL>)),
    );
    cfg.service(
        web::resource("/openapi.json")
            .route(web::get().to(health::openapi))
            .default_service(web::to(method_not_allowed::<SERVICE_GENERAL>)),
    );
    if state.config.admin_enabled() {
        admin::configure(cfg, &state.config.admin_prefix);
    }
    cfg.app_data(state);
}

/// Reads a request body of at most `cap` bytes within `timeout`. A body
/// announced larger than the cap is refused before a byte is read, and one
/// that trickles in slower than the timeout is cut off: the head timeout
/// (`--request-timeout-ms`) guards the body too. `Err` says why, in words.
pub(crate) async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    cap: usize,
    timeout: std::time::Duration,
) -> Result<bytes::Bytes, String> {
    let announced = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > cap as u64) {
        return Err(format!(
            "the body is larger than the {cap}-byte cap (Content-Length {})",
            announced.unwrap_or_default()
        ));
    }
    match actix_web::rt::time::timeout(timeout, payload.to_bytes_limited(cap)).await {
        Ok(Ok(Ok(body))) => Ok(body),
        Ok(Ok(Err(e))) => Err(format!("the body could not be read: {e}")),
        Ok(Err(_)) => Err(format!("the body is larger than the {cap}-byte cap")),
        Err(_) => Err(format!(
            "the body did not arrive within {} ms (--request-timeout-ms)",
            timeout.as_millis()
        )),
    }
}

/// The answer to a request whose head exceeds the configured limits
/// (`--max-headers`, `--max-header-bytes`): `431` as SNAP JSON. The HTTP
/// layer's own hard limits (96 headers, 32 KiB) sit above these.
pub fn oversized_head(
    req: &actix_web::dev::ServiceRequest,
    max_headers: usize,
    max_header_bytes: usize,
) -> Option<HttpResponse> {
    let count = req.headers().len();
    let bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if count <= max_headers && bytes <= max_header_bytes {
        return None;
    }
    let detail = format!(
        "the request has {count} headers, {bytes} bytes; the limits are {max_headers} and {max_header_bytes} (--max-headers, --max-header-bytes)"
    );
    log::info!(
        "{} {} -> 4310000 decided_by=headers reason: {detail}",
        req.method(),
        req.path()
    );
    let mut extra = serde_json::Map::new();
    extra.insert("error".into(), detail.into());
    Some(respond(crate::render::render_with(
        crate::snap::ResponseCode::new(431, SERVICE_GENERAL, 0),
        "Request Header Fields Too Large",
        &extra,
    )))
}

/// Turns a rendered answer into an HTTP response.
pub(crate) fn respond(rendered: Rendered) -> HttpResponse {
    let status =
        StatusCode::from_u16(rendered.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    for (name, value) in rendered.headers {
        response.insert_header((name.as_str(), value));
    }
    response.body(rendered.body)
}

/// What a journalled request got.
pub(crate) enum Answer {
    Rendered(Rendered),
    Fault(Fault),
}

/// What the journal and the log say about a request besides the answer.
#[derive(Default)]
pub(crate) struct Trace {
    pub client_key: Option<String>,
    pub decided_by: &'static str,
    pub reason: Option<String>,
    pub string_to_sign: Option<String>,
    pub scenario: Option<String>,
}

/// Logs one line and records the journal entry for a request.
pub(crate) fn journal_request(
    state: &State,
    req: &HttpRequest,
    body: &[u8],
    answer: &Answer,
    trace: &Trace,
    started: Instant,
) {
    let elapsed = started.elapsed();
    let (outcome, shown) = match answer {
        Answer::Rendered(r) => (
            JournalOutcome {
                status: Some(r.status()),
                response_code: Some(r.code.to_string()),
                response_message: Some(r.message.clone()),
                fault: None,
            },
            r.code.to_string(),
        ),
        Answer::Fault(f) => (
            JournalOutcome {
                status: None,
                response_code: None,
                response_message: None,
                fault: Some(f.as_str()),
            },
            format!("fault {}", f.as_str()),
        ),
    };
    log::info!(
        "{} {} client={} -> {} decided_by={}{}{} in {:.1?}",
        req.method(),
        req.path(),
        trace.client_key.as_deref().unwrap_or("-"),
        shown,
        trace.decided_by,
        trace
            .scenario
            .as_deref()
            .map(|s| format!(" scenario={s}"))
            .unwrap_or_default(),
        trace
            .reason
            .as_deref()
            .map(|r| format!(" reason: {r}"))
            .unwrap_or_default(),
        elapsed
    );
    state.journal.record_with(|| {
        let (text, truncated) = state.journal.body_text(body);
        JournalEntry {
            id: uuid::Uuid::new_v4().to_string(),
            time: chrono::Utc::now(),
            method: req.method().to_string(),
            path: req.path().to_owned(),
            query: Some(req.query_string().to_owned()).filter(|q| !q.is_empty()),
            headers: req
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: text,
            body_bytes: body.len(),
            body_truncated: truncated,
            client_key: trace.client_key.clone(),
            outcome,
            decided_by: trace.decided_by,
            reason: trace.reason.clone(),
            string_to_sign: trace.string_to_sign.clone(),
            scenario: trace.scenario.clone(),
            duration_micros: u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        }
    });
}

fn general_error(
    state: &State,
    req: &HttpRequest,
    service: ServiceCode,
    failure: Failure,
    detail: String,
) -> HttpResponse {
    let started = Instant::now();
    let error = SnapError::new(service, failure, detail);
    let rendered = render_error(state.config.profile, &error, state.config.explain);
    let trace = Trace {
        client_key: req
            .headers()
            .get("x-client-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        decided_by: error.failure.check(),
        reason: Some(error.detail),
        ..Trace::default()
    };
    let answer = Answer::Rendered(rendered);
    journal_request(state, req, &[], &answer, &trace, started);
    match answer {
        Answer::Rendered(r) => respond(r),
        Answer::Fault(f) => faults::respond_with_fault(req, f),
    }
}

/// Any path the server does not serve.
pub async fn not_found(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    let detail = format!(
        "no endpoint at {} {}; token paths: {}",
        req.method(),
        req.path(),
        state.config.token_paths().join(", ")
    );
    general_error(&state, &req, SERVICE_GENERAL, Failure::NotFound, detail)
}

/// A served path asked with the wrong method.
async fn method_not_allowed<const SERVICE: ServiceCode>(
    req: HttpRequest,
    state: web::Data<State>,
) -> HttpResponse {
    let detail = format!("{} is not supported on {}", req.method(), req.path());
    general_error(&state, &req, SERVICE, Failure::MethodNotAllowed, detail)
}
