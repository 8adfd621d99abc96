//! `POST /introspect`: RFC 7662-style token introspection, for test doubles
//! of resource servers that need to know whether a token from this mock is
//! valid and what it says.

use super::{read_body, respond};
use crate::render::render_with;
use crate::snap::response_code::{ResponseCode, SERVICE_GENERAL};
use crate::state::{Introspection, State};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

#[derive(serde::Deserialize)]
struct TokenParam {
    token: String,
}

/// Takes `token` as a form field (RFC 7662) or a JSON member.
pub async fn introspect(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> HttpResponse {
    let body = match read_body(
        &req,
        payload,
        16 * 1024,
        state.config.client_request_timeout,
    )
    .await
    {
        Ok(b) => b,
        Err(e) => return bad_request(&e.to_string()),
    };
    let Some(token) = token_param(&req, &body) else {
        return bad_request("send token=<access token> (form) or {\"token\": \"...\"} (JSON)");
    };
    let token = token.strip_prefix("Bearer ").unwrap_or(&token);
    let introspected = match state.introspect_token(token, state.clock.now()).await {
        Ok(claims) => Ok(claims),
        Err(Introspection::Inactive(why)) => Err(why),
        Err(Introspection::Store(e)) => {
            let error = crate::lifecycle::store_failure(SERVICE_GENERAL, e);
            return respond(crate::render::render_error(
                state.config.profile,
                &error,
                state.config.explain,
            ));
        }
    };
    let fields = match introspected {
        Ok(claims) => active(&claims),
        Err(reason) => json!({ "active": false, "reason": reason.to_string() }),
    };
    let extra = match fields {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    respond(render_with(
        ResponseCode::new(200, SERVICE_GENERAL, 0),
        "Successful",
        &extra,
    ))
}

/// `token`, from a form body (RFC 7662) or a JSON one.
fn token_param(req: &HttpRequest, body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let is_json = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let param = if is_json {
        serde_json::from_str::<TokenParam>(&text).ok()
    } else {
        web::Query::<TokenParam>::from_query(&text)
            .ok()
            .map(|q| q.into_inner())
    };
    param.map(|p| p.token)
}

/// RFC 7662's members for an active token, and the client's extra claims
/// (RFC 7662 §2.2 allows more; they never replace these).
fn active(c: &crate::tokens::AccessTokenClaims) -> Value {
    let mut members = json!({
        "active": true,
        "client_id": c.aud,
        "aud": c.aud,
        "scope": c.scopes.join(" "),
        "token_type": "Bearer",
        "exp": c.exp,
        "iat": c.iat,
        "nbf": c.nbf,
        "sub": c.sub,
        "jti": c.jti,
        "iss": c.iss,
    });
    if let Value::Object(m) = &mut members {
        for (name, value) in &c.extra {
            m.entry(name.clone()).or_insert_with(|| value.clone());
        }
    }
    members
}

fn bad_request(detail: &str) -> HttpResponse {
    let mut extra = Map::new();
    extra.insert("error".into(), detail.into());
    respond(render_with(
        ResponseCode::new(400, SERVICE_GENERAL, 0),
        "Bad Request",
        &extra,
    ))
}
