//! `/__admin`: scenarios, clients and the request journal at runtime.
//! Every answer is SNAP-shaped JSON with service code 00.

use super::{read_body, respond};
use crate::clients::{Client, ClientEntry};
use crate::journal::JournalEntry;
use crate::render::render_with;
use crate::scenarios::{Scenario, ScenarioSpec};
use crate::snap::response_code::{ResponseCode, SERVICE_GENERAL};
use crate::state::State;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

/// Largest admin request body (a scenario or a PEM is far smaller).
const MAX_ADMIN_BODY: usize = 256 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig, prefix: &str) {
    cfg.service(
        web::scope(prefix)
            .route("/scenarios", web::get().to(list_scenarios))
            .route("/scenarios", web::post().to(add_scenario))
            .route("/scenarios/reset", web::post().to(reset_scenarios))
            .route("/scenarios/reload", web::post().to(reload_scenarios))
            .route("/{kind}/{name}", web::delete().to(remove))
            .route("/clients", web::get().to(list_clients))
            .route("/clients", web::post().to(add_client))
            .route("/clients/reload", web::post().to(reload_clients))
            .route("/requests", web::get().to(list_requests))
            .route("/requests", web::delete().to(clear_requests))
            .route("/reset", web::post().to(reset_all))
            .route("/verify", web::post().to(verify_signature))
            .route("/ui", web::get().to(inspector_page))
            .default_service(web::to(unknown)),
    );
}

fn ok(status: u16, fields: Value) -> HttpResponse {
    let extra = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let code = ResponseCode::new(status, SERVICE_GENERAL, 0);
    respond(render_with(
        code,
        code.standard_message().unwrap_or("Successful"),
        &extra,
    ))
}

fn error(status: u16, case: u8, message: &str, detail: impl Into<String>) -> HttpResponse {
    let mut extra = Map::new();
    extra.insert("error".into(), Value::from(detail.into()));
    respond(render_with(
        ResponseCode::new(status, SERVICE_GENERAL, case),
        message,
        &extra,
    ))
}

/// The answer to send when the admin token is required and missing or
/// wrong; `None` lets the request through.
fn denied(req: &HttpRequest, state: &State) -> Option<HttpResponse> {
    let expected = state.config.admin_token.as_ref()?;
    let presented = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(presented_token)
        .unwrap_or_default();
    let by_cookie = req
        .headers()
        .get_all(actix_web::http::header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(name, value)| {
            name == INSPECTOR_COOKIE
                && constant_time_eq(value.as_bytes(), inspector_cookie(expected).as_bytes())
        });
    (!by_cookie && !constant_time_eq(presented.as_bytes(), expected.as_bytes())).then(|| {
        let mut answer = error(
            401,
            0,
            "Unauthorized",
            "the admin API needs Authorization: Bearer <admin token> (--admin-token), or Basic with the token as the password (a browser asks for it)",
        );
        // Lets a browser ask for the token when the inspector page opens.
        answer.headers_mut().insert(
            actix_web::http::header::WWW_AUTHENTICATE,
            actix_web::http::header::HeaderValue::from_static(
                "Basic realm=\"snap-mock admin (password: the admin token)\", charset=\"UTF-8\"",
            ),
        );
        answer
    })
}

/// The cookie the inspector page's own requests carry: a browser sends the
/// token it was asked for (Basic) only with the page itself, not with the
/// page's `fetch` calls. Its value is the token's SHA-256, so the token
/// itself is not stored in the browser.
const INSPECTOR_COOKIE: &str = "snap_mock_admin";

fn inspector_cookie(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The admin token in an `Authorization` value: `Bearer <token>`, or
/// `Basic base64(<any user>:<token>)` (what a browser sends).
fn presented_token(authorization: &str) -> Option<String> {
    if let Some(token) = authorization.strip_prefix("Bearer ") {
        return Some(token.to_owned());
    }
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(authorization.strip_prefix("Basic ")?.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    text.split_once(':')
        .map(|(_, password)| password.to_owned())
}

/// Compares without an early exit, so the time taken does not reveal how
/// much of the token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0
}

async fn json_body<T: DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    state: &State,
) -> Result<T, Box<HttpResponse>> {
    let bytes = read_body(
        req,
        payload,
        MAX_ADMIN_BODY,
        state.config.client_request_timeout,
    )
    .await
    .map_err(|e| {
        Box::new(error(
            400,
            0,
            "Bad Request",
            format!("{e}; admin bodies are limited to {MAX_ADMIN_BODY} bytes"),
        ))
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Box::new(error(
            400,
            0,
            "Bad Request",
            format!("invalid JSON body: {e}"),
        ))
    })
}

/// Refuses an unauthorized request, then catches up with what other
/// replicas changed, so that listings and changes start from the shared
/// state.
macro_rules! authorized {
    ($req:expr, $state:expr) => {
        if let Some(denied) = denied(&$req, &$state) {
            return denied;
        }
        if let Err(e) = $state.stores.backend.refresh().await {
            log::warn!("{e}; the admin API goes on with what it last saw");
        }
    };
}

/// The value of a store operation, or the `500` answer saying the shared
/// store failed.
macro_rules! stored {
    ($op:expr) => {
        match $op.await {
            Ok(v) => v,
            Err(e) => return unavailable(e),
        }
    };
}

/// The shared store (`--store redis://`) failed: `500 5000002`, with why.
fn unavailable(e: crate::store::StoreError) -> HttpResponse {
    error(500, 2, "External Server Error", e.0)
}

/// The authorized request's JSON body, or the answer that refuses it.
macro_rules! authorized_json {
    ($req:expr, $payload:expr, $state:expr) => {{
        authorized!($req, $state);
        match json_body(&$req, $payload, &$state).await {
            Ok(v) => v,
            Err(e) => return *e,
        }
    }};
}

fn scenario_json(scenario: &Scenario, source: &str, remaining: Option<u32>) -> Value {
    let mut v = serde_json::to_value(&scenario.spec).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("source".into(), source.into());
        m.insert("remaining".into(), json!(remaining));
    }
    v
}

async fn list_scenarios(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    let set = state.stores.scenarios.snapshot();
    let mut list = Vec::with_capacity(set.len());
    for (s, src) in set.listing() {
        let remaining = stored!(crate::store::scenario_remaining(
            s,
            state.stores.counters.as_ref()
        ));
        list.push(scenario_json(s, src, remaining));
    }
    ok(200, json!({ "scenarios": list }))
}

async fn add_scenario(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> HttpResponse {
    let spec: ScenarioSpec = authorized_json!(req, payload, state);
    let scenario = match Scenario::new(spec) {
        Ok(s) => s,
        Err(e) => return error(400, 0, "Bad Request", format!("invalid scenario: {e}")),
    };
    // A failed add only refills a name that is not in force: harmless.
    stored!(state.stores.counters.refill(scenario.name()));
    let listed = scenario_json(&scenario, "runtime", scenario.spec.times);
    if let Err(e) = stored!(state.stores.scenarios.add(scenario)) {
        return error(400, 0, "Bad Request", e);
    }
    log::info!("admin: scenario {} added", listed["name"]);
    ok(201, json!({ "scenario": listed }))
}

/// `DELETE /scenarios/{name}` and `DELETE /clients/{clientKey}`.
async fn remove(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<State>,
) -> HttpResponse {
    authorized!(req, state);
    let (kind, name) = path.into_inner();
    let (removed, what) = match kind.as_str() {
        "scenarios" => (
            stored!(state.stores.scenarios.remove(&name)),
            "scenario named",
        ),
        "clients" => (stored!(state.stores.clients.remove(&name)), "client"),
        _ => return unknown(req, state).await,
    };
    if removed {
        ok(200, json!({ "removed": name }))
    } else {
        error(404, 0, "Not Found", format!("no {what} {name:?}"))
    }
}

async fn reset_scenarios(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    stored!(state.stores.scenarios.reset());
    stored!(state.stores.counters.refill_all());
    ok(
        200,
        json!({ "scenarios": state.stores.scenarios.snapshot().len() }),
    )
}

async fn reload_scenarios(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    match state.reload_scenarios().await {
        Ok(n) => ok(200, json!({ "scenarios": n })),
        Err(e) => error(
            400,
            0,
            "Bad Request",
            format!("reload failed, the previous scenarios stay in force: {e}"),
        ),
    }
}

async fn list_clients(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    let list: Vec<Value> = state
        .stores
        .clients
        .all()
        .iter()
        .map(|c| {
            json!({
                "clientKey": c.client_key,
                "name": c.name,
                "enabled": c.enabled,
                "publicKeySource": c.public_key_source,
                "publicKeyFingerprint": c.public_key.fingerprint(),
                "publicKeyBits": c.public_key.bits(),
                "hasClientSecret": c.client_secret.is_some(),
            })
        })
        .collect();
    ok(200, json!({ "clients": list }))
}

async fn add_client(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> HttpResponse {
    let entry: ClientEntry = authorized_json!(req, payload, state);
    // Only inline PEMs: a path would let the admin API read server files.
    if !entry.public_key.contains("-----BEGIN") {
        return error(
            400,
            0,
            "Bad Request",
            "publicKey must be the PEM itself (-----BEGIN PUBLIC KEY-----...), not a path",
        );
    }
    let client_key = entry.client_key.clone();
    let client = match Client::from_entry(entry, &state.config.keys_dir) {
        Ok(c) => c,
        Err(e) => return error(400, 0, "Bad Request", format!("client {client_key:?}: {e}")),
    };
    let fingerprint = client.public_key.fingerprint().to_owned();
    let replaced = stored!(state.stores.clients.register(client));
    log::info!("admin: client {client_key} registered ({fingerprint})");
    ok(
        201,
        json!({ "clientKey": client_key, "publicKeyFingerprint": fingerprint, "replaced": replaced }),
    )
}

async fn reload_clients(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    match state.reload_clients() {
        Ok(n) => ok(200, json!({ "clients": n })),
        Err(e) => error(
            400,
            0,
            "Bad Request",
            format!("reload failed, the previous clients stay registered: {e}"),
        ),
    }
}

/// Entries per journal page unless `limit` says otherwise, and the most a
/// page holds whatever `limit` says.
const PAGE_ENTRIES: usize = 100;
const MAX_PAGE_ENTRIES: usize = 1000;
/// A page stops growing past this many bytes of entries (it always holds at
/// least one), so that a journal of large bodies is read in pieces and a
/// burst of concurrent readers cannot hold the whole journal twice over.
pub const PAGE_BYTES: usize = 1024 * 1024;

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RequestFilter {
    client_key: Option<String>,
    response_code: Option<String>,
    /// Entries whose path contains this.
    path: Option<String>,
    /// `accepted` (status below 400), `rejected` (400 and up) or `fault`.
    outcome: Option<Outcome>,
    limit: Option<usize>,
    /// Only entries older than this `seq` (the `next` of the previous page).
    before: Option<u64>,
}

#[derive(serde::Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Accepted,
    Rejected,
    Fault,
}

impl Outcome {
    fn covers(self, e: &JournalEntry) -> bool {
        match (self, e.outcome.status) {
            (Self::Fault, status) => status.is_none(),
            (Self::Accepted, Some(s)) => s < 400,
            (Self::Rejected, Some(s)) => s >= 400,
            _ => false,
        }
    }
}

async fn list_requests(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    let filter = match web::Query::<RequestFilter>::from_query(req.query_string()) {
        Ok(q) => q.into_inner(),
        Err(e) => return error(400, 0, "Bad Request", format!("query: {e}")),
    };
    let limit = filter.limit.unwrap_or(PAGE_ENTRIES).min(MAX_PAGE_ENTRIES);
    let keep = |e: &JournalEntry| {
        filter
            .client_key
            .as_deref()
            .is_none_or(|k| e.client_key.as_deref() == Some(k))
            && filter
                .response_code
                .as_deref()
                .is_none_or(|c| e.outcome.response_code.as_deref() == Some(c))
            && filter.path.as_deref().is_none_or(|p| e.path.contains(p))
            && filter.outcome.is_none_or(|o| o.covers(e))
    };
    let journal = &state.stores.journal;
    // One more than asked tells whether another page follows.
    let candidates = stored!(journal.list(filter.before, limit.saturating_add(1), &keep));
    let mut page = Vec::with_capacity(candidates.len().min(limit));
    let mut bytes = 0;
    let mut taken: usize = 0;
    for entry in candidates.iter().take(limit) {
        let value = serde_json::to_value(&**entry).unwrap_or(Value::Null);
        let size = serde_json::to_vec(&value).map_or(0, |v| v.len());
        if taken > 0 && bytes + size > PAGE_BYTES {
            break;
        }
        bytes += size;
        taken += 1;
        page.push(value);
    }
    let next = match taken.checked_sub(1) {
        Some(last) if candidates.len() > taken => candidates.get(last).map(|e| e.seq),
        _ => None,
    };
    let stats = stored!(journal.stats());
    let mut fields = json!({
        "capacity": stats.capacity,
        "held": stats.held,
        "recorded": stats.recorded,
        "dropped": stats.dropped,
        "limit": limit,
        "requests": page,
    });
    if let (Some(next), Value::Object(m)) = (next, &mut fields) {
        m.insert("next".into(), json!(next));
    }
    ok(200, fields)
}

async fn clear_requests(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    stored!(state.stores.journal.clear());
    ok(200, json!({ "cleared": true }))
}

async fn reset_all(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    stored!(state.reset());
    ok(200, json!({ "reset": true }))
}

async fn unknown(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    error(
        404,
        0,
        "Not Found",
        format!("no admin endpoint {} {}", req.method(), req.path()),
    )
}

/// The inspector page: one self-contained HTML document (inline CSS and
/// script, no external assets), behind the same protection as the rest of
/// the admin API. It reads everything through the admin JSON API.
const INSPECTOR: &str = include_str!("inspector.html");

async fn inspector_page(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    authorized!(req, state);
    let mut page = HttpResponse::Ok();
    if let Some(token) = &state.config.admin_token {
        page.insert_header((
            actix_web::http::header::SET_COOKIE,
            format!(
                "{INSPECTOR_COOKIE}={}; Path={}; HttpOnly; SameSite=Strict",
                inspector_cookie(token),
                state.config.admin_prefix
            ),
        ));
    }
    page
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(INSPECTOR)
}

/// What the inspector's signature form sends.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VerifyRequest {
    /// X-CLIENT-KEY (token request) or X-PARTNER-ID (service call).
    client_key: String,
    timestamp: String,
    signature: String,
    /// `token` (the default) or `service`.
    #[serde(default)]
    kind: Option<String>,
    /// Service call: method, path and query, body; with `token`, the
    /// symmetric signature is checked, without it the asymmetric one.
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    token: Option<String>,
}

/// `POST /__admin/verify`: what the server would answer to these signature
/// headers, and why, with the same checks and diagnosis as a request.
async fn verify_signature(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> HttpResponse {
    authorized!(req, state);
    let v: VerifyRequest = match json_body(&req, payload, &state).await {
        Ok(v) => v,
        Err(answer) => return *answer,
    };
    let now = state.clock.now();
    let mut string_to_sign = String::new();
    let verdict = match v.kind.as_deref().unwrap_or("token") {
        "token" => verify_token_signature(&state, &v, now, &mut string_to_sign),
        "service" => verify_service_signature(&state, &v, now, &mut string_to_sign),
        other => {
            return error(
                400,
                0,
                "Bad Request",
                format!("kind {other:?}: token or service"),
            )
        }
    };
    let (valid, would_answer, why) = match verdict {
        Ok(code) => (true, json!({ "responseCode": code }), None),
        Err(e) => {
            let rendered = crate::render::render_error(state.config.profile, &e, false);
            (
                false,
                json!({
                    "status": rendered.status(),
                    "responseCode": rendered.code.to_string(),
                    "responseMessage": rendered.message,
                    "decidedBy": e.failure.step(),
                }),
                Some(e.detail),
            )
        }
    };
    ok(
        200,
        json!({
            "valid": valid,
            "stringToSign": string_to_sign,
            "wouldAnswer": would_answer,
            "diagnosis": why,
        }),
    )
}

fn verify_token_signature(
    state: &State,
    v: &VerifyRequest,
    now: chrono::DateTime<chrono::Utc>,
    string_to_sign: &mut String,
) -> Result<String, crate::snap::SnapError> {
    use crate::checks;
    use crate::snap::response_code::SERVICE_ACCESS_TOKEN_B2B as SVC;
    let instant = checks::timestamp(&v.timestamp, state.config.parse_rules.timestamp_mode, SVC)?;
    let clients = state.stores.clients.as_ref();
    let client = checks::client(clients, &v.client_key, SVC)?;
    *string_to_sign = crate::snap::signature::string_to_sign(&v.client_key, &v.timestamp);
    checks::asymmetric_signature(
        &client,
        &v.timestamp,
        string_to_sign,
        v.signature.as_bytes(),
        |n| clients.some(n),
        SVC,
    )?;
    checks::freshness(
        &v.timestamp,
        instant,
        now,
        state.config.timestamp_window,
        SVC,
    )?;
    Ok(ResponseCode::new(200, SVC, 0).to_string())
}

fn verify_service_signature(
    state: &State,
    v: &VerifyRequest,
    now: chrono::DateTime<chrono::Utc>,
    string_to_sign: &mut String,
) -> Result<String, crate::snap::SnapError> {
    use crate::checks;
    let svc = SERVICE_GENERAL;
    let method = v.method.as_deref().unwrap_or("POST").to_ascii_uppercase();
    let call = checks::ServiceCall {
        method: &method,
        relative_url: v.path.as_deref().unwrap_or("/"),
        body: v.body.as_deref().unwrap_or("").as_bytes(),
    };
    let instant = checks::timestamp(&v.timestamp, state.config.parse_rules.timestamp_mode, svc)?;
    let clients = state.stores.clients.as_ref();
    match v.token.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => {
            let client = checks::client(clients, &v.client_key, svc)?;
            let secret = checks::client_secret(&client, svc)?;
            *string_to_sign = checks::symmetric_string_to_sign(&call, token, &v.timestamp);
            checks::symmetric_signature(
                secret,
                string_to_sign,
                &call,
                token,
                &v.timestamp,
                &v.signature,
                svc,
            )?;
        }
        None => {
            let client = checks::partner(clients, &v.client_key, svc)?;
            *string_to_sign = checks::asymmetric_string_to_sign(&call, &v.timestamp);
            let signing = crate::snap::diagnosis::ServiceSigning {
                method: &method,
                relative_url: call.relative_url,
                body: call.body,
                timestamp: &v.timestamp,
                bearer: None,
            };
            checks::service_asymmetric_signature(
                &client,
                &signing,
                string_to_sign,
                v.signature.as_bytes(),
                |n| clients.some(n),
                svc,
            )?;
        }
    }
    checks::freshness(
        &v.timestamp,
        instant,
        now,
        state.config.timestamp_window,
        svc,
    )?;
    Ok(ResponseCode::new(200, svc, 0).to_string())
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn token_comparison_is_exact() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"", b"secret"));
        assert!(!constant_time_eq(b"secret", b""));
    }
}
