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
    extra.insert("endpoints".into(), served_endpoints(&state).into());
    respond(render_with(OK, "Successful", &extra))
}

/// The service endpoints served (canned and stateful), as `/health`
/// lists them.
fn served_endpoints(state: &State) -> Vec<Value> {
    let all_bundled = matches!(state.config.endpoints, Some(crate::config::Source::Bundled));
    state
        .served
        .iter()
        .map(|e| {
            serde_json::json!({
                "method": e.method,
                "path": e.path,
                "serviceCode": e.service_code.to_string(),
                "signature": e.signature.as_str(),
                "answers": e.answers_label(),
                "bundled": matches!(&e.answers, crate::endpoints::Answers::Canned(c) if c.bundled || all_bundled),
                "summary": e.summary(),
            })
        })
        .collect()
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

/// The public key (SPKI PEM) of the key that signs notifications, for the
/// merchant to verify them with. A PEM, not JSON, as the name says (like
/// the inspector page, the one other answer that is not SNAP JSON).
pub async fn notification_key(state: web::Data<State>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/x-pem-file")
        .body(state.notification_public_pem.clone())
}

/// The repository's OpenAPI document: Finpay's token paths (the default
/// preset's) under the default admin prefix.
const OPENAPI: &str = include_str!("../../openapi.json");

/// The repository's document, parsed once for the process.
fn original_openapi() -> Option<&'static Value> {
    static PARSED: std::sync::OnceLock<Option<Value>> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| serde_json::from_str(OPENAPI).ok())
        .as_ref()
}

/// `GET /openapi.json`: the OpenAPI document of this server, with the token
/// paths this preset serves (under its base path) and the admin prefix in
/// use. The one answer that is not SNAP-shaped: an OpenAPI document may not
/// carry extra root members.
pub async fn openapi(state: web::Data<State>) -> HttpResponse {
    let served = served_openapi(&state.config, &state.served);
    // Unchanged (the default preset and prefix): the file byte for byte.
    let unchanged = served.as_ref() == original_openapi();
    let body = match served.and_then(|doc| serde_json::to_string(&doc).ok()) {
        Some(body) if !unchanged => body,
        _ => OPENAPI.to_owned(),
    };
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body)
}

/// The document with the repository's token paths replaced by the served
/// ones, the service endpoints served (canned and stateful), and the admin paths moved under the admin prefix (or left out when
/// the admin API is off).
fn served_openapi(
    config: &crate::config::Config,
    endpoints: &[crate::endpoints::ServedEndpoint],
) -> Option<Value> {
    let mut doc = original_openapi()?.clone();
    let paths = doc.get_mut("paths")?.as_object_mut()?;
    // The templates for paths the file does not have: the standard's.
    let b2b = paths.get("/oauth/v1.0/access-token/b2b")?.clone();
    let b2b2c = paths.get("/oauth/v1.0/access-token/b2b2c")?.clone();
    let mut documented = std::mem::take(paths);
    let mut served = Map::new();
    let mut token_paths = |list: Vec<String>, template: &Value, served: &mut Map<String, Value>| {
        for (n, path) in list.into_iter().enumerate() {
            // A path the file documents keeps its own item; another gets
            // the template with an operationId of its own.
            let item = documented.remove(&path).unwrap_or_else(|| {
                let mut item = template.clone();
                if let Some(post) = item.get_mut("post").and_then(Value::as_object_mut) {
                    let id = post
                        .get("operationId")
                        .and_then(Value::as_str)
                        .unwrap_or("token");
                    let id = format!("{id}{}", n + 1);
                    post.insert("operationId".into(), id.into());
                }
                item
            });
            served.insert(path, item);
        }
    };
    token_paths(config.served_token_paths(), &b2b, &mut served);
    token_paths(config.served_token_paths_b2b2c(), &b2b2c, &mut served);
    for (path, item) in documented {
        if path.contains("/access-token/") || item.get(SERVED_MARK).is_some() {
            continue;
        }
        match path.strip_prefix("/__admin") {
            Some(rest) if config.admin_enabled() => {
                served.insert(format!("{}{rest}", config.admin_prefix), item);
            }
            Some(_) => {}
            None => {
                served.insert(path, item);
            }
        }
    }
    for endpoint in endpoints {
        let method = endpoint.method.to_ascii_lowercase();
        let item = served
            .entry(endpoint.path.clone())
            .or_insert_with(|| serde_json::json!({ SERVED_MARK: true }));
        if let Some(item) = item.as_object_mut() {
            item.insert(method, service_operation(endpoint));
        }
    }
    *doc.get_mut("paths")? = Value::Object(served);
    Some(doc)
}

/// The extension member that marks a path item generated from the served
/// endpoints: dropped and made again for the config in force, so the
/// repository's document (the default preset's) never leaks its endpoints
/// into another preset's.
const SERVED_MARK: &str = "x-snap-mock-served-endpoint";

/// The OpenAPI operation of one service endpoint: its headers by
/// signature mode, any JSON object as body, and SNAP answers.
fn service_operation(endpoint: &crate::endpoints::ServedEndpoint) -> Value {
    use crate::provider::ServiceSignature;
    let header = |name: &str, description: &str| {
        serde_json::json!({
            "name": name, "in": "header", "required": true,
            "schema": { "type": "string" }, "description": description,
        })
    };
    let mut parameters = Vec::new();
    let signature = match endpoint.signature {
        ServiceSignature::Symmetric => {
            parameters.push(header(
                "Authorization",
                "Bearer and the B2B access token of the client.",
            ));
            "base64(HMAC-SHA512(clientSecret, METHOD:path?query:accessToken:lowercase(hex(SHA-256(minified body))):X-TIMESTAMP))"
        }
        ServiceSignature::Asymmetric => {
            "base64(SHA256withRSA(clientPrivateKey, METHOD:path?query:lowercase(hex(SHA-256(minified body))):X-TIMESTAMP))"
        }
    };
    parameters.push(header(
        "X-TIMESTAMP",
        "ISO-8601 date-time with offset; signed byte for byte.",
    ));
    parameters.push(header("X-SIGNATURE", signature));
    parameters.push(header(
        "X-PARTNER-ID",
        "The client key (or the partner id registered for it).",
    ));
    parameters.push(header(
        "X-EXTERNAL-ID",
        "Unique per client and day: a repeat gets 409.",
    ));
    parameters.push(header(
        "CHANNEL-ID",
        "The channel, as the provider gave it.",
    ));
    let answer = |description: &str| {
        serde_json::json!({
            "description": description,
            "content": { "application/json": { "schema": {
                "$ref": "#/components/schemas/SnapResponse"
            } } },
        })
    };
    serde_json::json!({
        // Unique because (method, path) is: `post_v1_0_transfer_va_create_va`.
        "operationId": format!("{}{}", endpoint.method, endpoint.path)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .collect::<String>(),
        "summary": format!("{} ({})", endpoint.summary(), endpoint.answers_label()),
        "description": format!(
            "SNAP service code {}: every responseCode of this endpoint is the HTTP status, {}, then the case.",
            endpoint.service_code, endpoint.service_code
        ),
        "tags": ["service"],
        "parameters": parameters,
        "requestBody": {
            "required": true,
            "content": { "application/json": { "schema": { "type": "object" } } },
        },
        "responses": {
            "200": answer("Successful: 200 and the service's code (canned: the fixture's body; stateful: the transaction)."),
            "default": answer("A SNAP error: the status, the service's code and its message."),
        },
    })
}
