//! `POST /__admin/verify`: what the server would answer to a signature,
//! and why, through the same checks and diagnosis as a request.

use super::{json_body, ok, AdminError, Answer};
use crate::snap::response_code::{ResponseCode, SERVICE_GENERAL};
use crate::state::State;
use actix_web::{web, HttpRequest};
use serde_json::json;

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
pub async fn verify_signature(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> Answer {
    let v: VerifyRequest = json_body(&req, payload, &state).await?;
    let now = state.clock.now();
    let mut string_to_sign = String::new();
    let verdict = match v.kind.as_deref().unwrap_or("token") {
        "token" => verify_token_signature(&state, &v, now, &mut string_to_sign),
        "service" => verify_service_signature(&state, &v, now, &mut string_to_sign),
        other => {
            return Err(AdminError::BadRequest(format!(
                "kind {other:?}: token or service"
            )))
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
        rules: state.config.signing_rules(),
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
                rules: call.rules,
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
