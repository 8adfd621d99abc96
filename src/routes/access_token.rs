use super::respond;
use crate::pipeline::{State, Verdict};
use crate::render::render_outcome;
use crate::snap::error::{Failure, SnapError};
use crate::snap::response_code::SERVICE_ACCESS_TOKEN_B2B;
use crate::snap::RawTokenRequest;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use std::time::Instant;

/// `POST {prefix}/v1.0/access-token/b2b`.
pub async fn access_token(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> HttpResponse {
    let started = Instant::now();
    let now = Utc::now();
    let cap = state.config.max_body_bytes;
    let verdict = match payload.to_bytes_limited(cap).await {
        Ok(Ok(body)) => {
            let header = |name: &str| req.headers().get(name).map(|v| v.as_bytes());
            let raw = RawTokenRequest {
                x_timestamp: header("x-timestamp"),
                x_client_key: header("x-client-key"),
                x_signature: header("x-signature"),
                content_type: header("content-type"),
                body: &body,
            };
            state.access_token(&raw, now)
        }
        Ok(Err(e)) => Verdict::rejected(bad_request(format!("the body could not be read: {e}"))),
        Err(_) => Verdict::rejected(bad_request(format!(
            "the body is larger than the {cap}-byte cap (--max-body-bytes)"
        ))),
    };
    let rendered = render_outcome(
        state.config.profile,
        &verdict.outcome,
        verdict.client_key.as_deref(),
        state.config.explain,
        now,
    );
    let detail = match &verdict.outcome {
        crate::pipeline::Outcome::Rejected(e) => e.detail.as_str(),
        crate::pipeline::Outcome::Token { .. } => "",
    };
    log::info!(
        "{} {} client={} -> {} check={} in {:.1?} {}",
        req.method(),
        req.path(),
        verdict.client_key.as_deref().unwrap_or("-"),
        rendered.code,
        verdict.outcome.check(),
        started.elapsed(),
        detail
    );
    respond(rendered)
}

fn bad_request(detail: String) -> SnapError {
    SnapError::new(SERVICE_ACCESS_TOKEN_B2B, Failure::BadRequest, detail)
}
