//! The HTTP edges of the lifecycle: the body in (capped, timed) and the
//! rendered answer out. Every handler, SNAP route or not, uses these two.

use crate::render::Rendered;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use std::time::Duration;

/// Largest admin request body (a scenario or a PEM is far smaller), and so
/// the largest body any route takes.
pub const MAX_ADMIN_BODY: usize = 256 * 1024;

/// Why a request body was not read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// Announced (by Content-Length) or found larger than the cap.
    #[error("the body is larger than the {cap}-byte cap{}", announced.map(|n| format!(" (Content-Length {n})")).unwrap_or_default())]
    TooLarge {
        /// The cap in bytes.
        cap: usize,
        /// The Content-Length, when that is how it was known.
        announced: Option<u64>,
    },
    /// The connection failed or the framing was broken.
    #[error("the body could not be read: {0}")]
    Unreadable(actix_web::Error),
    /// It trickled in slower than the timeout.
    #[error("the body did not arrive within {} ms (--request-timeout-ms)", .0.as_millis())]
    Timeout(Duration),
}

/// The body length a request announces (`Content-Length`), if readable.
pub fn announced_length(headers: &actix_web::http::header::HeaderMap) -> Option<u64> {
    headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// Reads a request body of at most `cap` bytes within `timeout`. A body
/// announced larger than the cap is refused before a byte is read, and one
/// that trickles in slower than the timeout is cut off: the head timeout
/// (`--request-timeout-ms`) guards the body too.
pub async fn read_body(
    req: &HttpRequest,
    payload: web::Payload,
    cap: usize,
    timeout: Duration,
) -> Result<bytes::Bytes, BodyError> {
    let announced = announced_length(req.headers());
    if announced.is_some_and(|n| n > cap as u64) {
        return Err(BodyError::TooLarge { cap, announced });
    }
    match actix_web::rt::time::timeout(timeout, payload.to_bytes_limited(cap)).await {
        Ok(Ok(Ok(body))) => Ok(body),
        Ok(Ok(Err(e))) => Err(BodyError::Unreadable(e)),
        Ok(Err(_)) => Err(BodyError::TooLarge {
            cap,
            announced: None,
        }),
        Err(_) => Err(BodyError::Timeout(timeout)),
    }
}

/// Turns a rendered answer into an HTTP response.
pub fn respond(rendered: Rendered) -> HttpResponse {
    let status =
        StatusCode::from_u16(rendered.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for (name, value) in rendered.headers {
        response.insert_header((name.as_str(), value));
    }
    // HTTP forbids a body on these (RFC 9110 §15.3.5, §15.4.5): a scenario
    // forcing one gets its status and headers, and no body to break framing.
    if matches!(status, StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED) {
        return response.finish();
    }
    response.content_type("application/json");
    response.body(rendered.body)
}
