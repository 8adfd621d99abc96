//! The HTTP edges of the lifecycle: the body in (capped, timed) and the
//! rendered answer out. Every handler, SNAP route or not, uses these two.

use crate::render::Rendered;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// Reads a request body of at most `cap` bytes within `timeout`. A body
/// announced larger than the cap is refused before a byte is read, and one
/// that trickles in slower than the timeout is cut off: the head timeout
/// (`--request-timeout-ms`) guards the body too. `Err` says why, in words.
pub async fn read_body(
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
