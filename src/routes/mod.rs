//! Thin HTTP handlers: take bytes and headers off the request, hand them to
//! the protocol layer, send back what [`crate::render`] produced.

mod access_token;
mod health;

use crate::pipeline::State;
use crate::render::{render_error, Rendered};
use crate::snap::error::{Failure, SnapError};
use crate::snap::response_code::{ServiceCode, SERVICE_ACCESS_TOKEN_B2B, SERVICE_GENERAL};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// Registers every route on an app whose data is `State`.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<State>) {
    for path in state.config.token_paths() {
        cfg.service(
            web::resource(path)
                .route(web::post().to(access_token::access_token))
                .default_service(web::to(method_not_allowed::<SERVICE_ACCESS_TOKEN_B2B>)),
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
    cfg.app_data(state);
}

/// Turns a rendered answer into an HTTP response.
pub(crate) fn respond(rendered: Rendered) -> HttpResponse {
    let status =
        StatusCode::from_u16(rendered.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    response.content_type("application/json");
    for (name, value) in rendered.headers {
        response.insert_header((name, value));
    }
    response.body(rendered.body)
}

fn general_error(
    state: &State,
    req: &HttpRequest,
    service: ServiceCode,
    failure: Failure,
    detail: String,
) -> HttpResponse {
    let error = SnapError::new(service, failure, detail);
    let rendered = render_error(state.config.profile, &error, state.config.explain);
    log::info!(
        "{} {} -> {} check={} {}",
        req.method(),
        req.path(),
        rendered.code,
        error.failure.check(),
        error.detail
    );
    respond(rendered)
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
