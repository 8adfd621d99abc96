//! The HTTP surface: which path and method reach which SNAP route (served
//! by [`crate::lifecycle`]), and the plain handlers besides them (admin,
//! health, JWKS, introspection, OpenAPI).

mod admin;
mod health;
mod introspect;
mod stateful;
mod token;
mod transactional;

pub use crate::lifecycle::{read_body, remember_socket, respond};

use crate::lifecycle::{self, Route};
use crate::snap::error::{Failure, SnapError};
use crate::snap::response_code::{ServiceCode, SERVICE_GENERAL};
use crate::state::State;
use actix_web::{web, HttpRequest, HttpResponse};
use std::sync::Arc;

/// Serves `route` at `path` for `method`; any other method gets `405`.
fn snap_route<R: Route>(
    cfg: &mut web::ServiceConfig,
    path: &str,
    method: actix_web::http::Method,
    route: Arc<R>,
) {
    let service = route.service();
    cfg.service(
        web::resource(path)
            .route(web::method(method).to(
                move |req: HttpRequest, payload: web::Payload, state: web::Data<State>| {
                    let route = route.clone();
                    async move { lifecycle::run(route.as_ref(), req, payload, &state).await }
                },
            ))
            .default_service(web::to(
                move |req: HttpRequest, state: web::Data<State>| async move {
                    method_not_allowed(&state, &req, service).await
                },
            )),
    );
}

/// Serves a non-SNAP resource (`GET` only; other methods get `405`).
fn plain_get<F, R>(cfg: &mut web::ServiceConfig, path: &str, handler: F)
where
    F: actix_web::Handler<(web::Data<State>,), Output = R>,
    R: actix_web::Responder + 'static,
{
    cfg.service(
        web::resource(path)
            .route(web::get().to(handler))
            .default_service(web::to(
                |req: HttpRequest, state: web::Data<State>| async move {
                    method_not_allowed(&state, &req, SERVICE_GENERAL).await
                },
            )),
    );
}

/// Registers every route on an app whose data is `State`.
pub fn configure(cfg: &mut web::ServiceConfig, state: web::Data<State>) {
    use actix_web::http::Method;
    for path in state.config.served_token_paths() {
        snap_route(cfg, &path, Method::POST, Arc::new(token::TokenRoute::B2b));
    }
    for path in state.config.served_token_paths_b2b2c() {
        snap_route(cfg, &path, Method::POST, Arc::new(token::TokenRoute::B2b2c));
    }
    plain_get(cfg, "/health", health::health);
    plain_get(cfg, "/.well-known/jwks.json", health::jwks);
    // Canned endpoints from the fixture, then the transactions with state
    // (a fixture's path wins over a stateful one).
    for served in &state.served {
        let method = Method::from_bytes(served.method.as_bytes()).unwrap_or(Method::POST);
        match &served.answers {
            crate::endpoints::Answers::Canned(endpoint) => {
                let route = Arc::new(transactional::Transactional(endpoint.clone()));
                snap_route(cfg, &served.path, method, route);
            }
            crate::endpoints::Answers::Stateful(call) => {
                let route = stateful::StatefulRoute {
                    call: *call,
                    signature: served.signature,
                };
                snap_route(cfg, &served.path, method, Arc::new(route));
            }
        }
    }
    plain_get(cfg, "/notification-key.pem", health::notification_key);
    cfg.service(
        web::resource("/introspect")
            .route(web::post().to(introspect::introspect))
            .default_service(web::to(
                |req: HttpRequest, state: web::Data<State>| async move {
                    method_not_allowed(&state, &req, SERVICE_GENERAL).await
                },
            )),
    );
    plain_get(cfg, "/openapi.json", health::openapi);
    if state.config.admin_enabled() {
        admin::configure(cfg, &state.config.admin_prefix);
    }
    cfg.app_data(state);
}

/// The failure of a request whose head exceeds the configured limits
/// (`--max-headers`, `--max-header-bytes`): `431` as SNAP JSON through
/// [`lifecycle::answer_error`]. The HTTP layer's own hard limits (96
/// headers, 32 KiB) sit above these.
pub fn oversized_head(state: &State, req: &HttpRequest) -> Option<SnapError> {
    let (max_headers, max_header_bytes) = (state.config.max_headers, state.config.max_header_bytes);
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
    Some(SnapError::new(
        SERVICE_GENERAL,
        Failure::HeaderFieldsTooLarge,
        detail,
    ))
}

/// Any path the server does not serve.
pub async fn not_found(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    let prefix = &state.config.admin_prefix;
    let under_admin = req
        .path()
        .strip_prefix(prefix.as_str())
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if under_admin && !state.config.admin_enabled() {
        let why = match state.config.admin {
            crate::config::AdminMode::Off => {
                "it was turned off (--admin off / --no-admin)".to_owned()
            }
            _ => format!(
                "--admin auto turns it off on a non-loopback address ({}) without an admin token",
                state.config.host
            ),
        };
        let detail = format!(
            "the admin API is off: {why}; turn it on with --admin-token <token> (SNAP_MOCK_ADMIN_TOKEN, recommended) or --admin on (SNAP_MOCK_ADMIN=on)"
        );
        let error = SnapError::new(SERVICE_GENERAL, Failure::AdminOff, detail);
        return lifecycle::answer_error(&state, &req, error).await;
    }
    let detail = format!(
        "no endpoint at {} {}; token paths: {}",
        req.method(),
        req.path(),
        state.config.served_token_paths().join(", ")
    );
    let error = SnapError::new(SERVICE_GENERAL, Failure::NotFound, detail);
    lifecycle::answer_error(&state, &req, error).await
}

/// A served path asked with the wrong method.
async fn method_not_allowed(
    state: &State,
    req: &HttpRequest,
    service: ServiceCode,
) -> HttpResponse {
    let detail = format!("{} is not supported on {}", req.method(), req.path());
    let error = SnapError::new(service, Failure::MethodNotAllowed, detail);
    lifecycle::answer_error(state, req, error).await
}
