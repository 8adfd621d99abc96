use super::respond;
use crate::render::render_with;
use crate::snap::response_code::{ResponseCode, SERVICE_GENERAL};
use crate::state::State;
use actix_web::{web, HttpResponse};
use serde_json::{Map, Value};

const OK: ResponseCode = ResponseCode::new(200, SERVICE_GENERAL, 0);

/// How long `/health` waits for the shared store: well inside a probe's
/// usual one-second timeout, whatever `--store-timeout-ms` says.
const HEALTH_STORE_WAIT: std::time::Duration = std::time::Duration::from_millis(300);

/// `GET /health`: up, and what is loaded.
pub async fn health(state: web::Data<State>) -> HttpResponse {
    // A round trip to a shared store, so that its status is current; the
    // answer stays 200 while the store is down, because requests that need
    // no shared state are still served (and a probe that failed here would
    // take every replica out at once).
    let checked =
        actix_web::rt::time::timeout(HEALTH_STORE_WAIT, state.stores.backend.refresh()).await;
    let mut store = state.stores.backend.status();
    if checked.is_err() {
        store.reachable = false;
        store.error = Some(format!(
            "no answer within {} ms to the health check",
            HEALTH_STORE_WAIT.as_millis()
        ));
    }
    let clients = state.stores.clients.len();
    let mut extra = Map::new();
    extra.insert(
        "status".into(),
        if store.reachable { "UP" } else { "DEGRADED" }.into(),
    );
    extra.insert(
        "store".into(),
        serde_json::to_value(&store).unwrap_or(Value::Null),
    );
    extra.insert("version".into(), env!("CARGO_PKG_VERSION").into());
    extra.insert("provider".into(), state.config.provider.name.into());
    extra.insert("profile".into(), state.config.profile.name.into());
    extra.insert(
        "tokenFormat".into(),
        state.config.token_format.as_str().into(),
    );
    extra.insert("clients".into(), clients.into());
    extra.insert(
        "tokenPaths".into(),
        state.config.served_token_paths().into(),
    );
    extra.insert(
        "b2b2cTokenPaths".into(),
        state.config.served_token_paths_b2b2c().into(),
    );
    respond(render_with(OK, "Successful", &extra))
}

/// `GET /.well-known/jwks.json`: the token signing key as a JWK Set. The
/// SNAP code and message ride along as extra members, which JWKS readers
/// ignore (RFC 7517 §5).
pub async fn jwks(state: web::Data<State>) -> HttpResponse {
    let keys = serde_json::to_value(state.tokens.jwks().keys).unwrap_or(Value::Null);
    let mut extra = Map::new();
    extra.insert("keys".into(), keys);
    respond(render_with(OK, "Successful", &extra))
}

/// `GET /openapi.json`: the OpenAPI document of this server, as kept in the
/// repository. The one answer that is not SNAP-shaped: an OpenAPI document
/// may not carry extra root members.
pub async fn openapi(_: web::Data<State>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(include_str!("../../openapi.json"))
}
