//! The one place an outcome becomes a status, headers and a SNAP body.

use crate::snap::error::Failure;
use crate::snap::profile::error_body;
use crate::snap::timestamp::format_snap_timestamp;
use crate::snap::{Profile, ResponseCode, ServiceCode, SnapError};
use crate::tokens::IssuedToken;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// A response, ready for any HTTP layer.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub code: ResponseCode,
    pub message: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Rendered {
    pub fn status(&self) -> u16 {
        self.code.http_status()
    }

    fn json(code: ResponseCode, message: String, body: &Value) -> Self {
        Self {
            code,
            message,
            headers: Vec::new(),
            // Serialising a `Value` cannot fail: its keys are strings.
            body: serde_json::to_vec(body).unwrap_or_default(),
        }
    }
}

/// The standard's response headers of the token endpoints.
fn token_headers(r: &mut Rendered, client_key: &str, now: DateTime<Utc>) {
    r.headers
        .push(("X-TIMESTAMP".into(), format_snap_timestamp(&now)));
    r.headers
        .push(("X-CLIENT-KEY".into(), client_key.to_owned()));
}

/// A B2B access token through the profile.
pub fn render_token(
    profile: &Profile,
    service: ServiceCode,
    token: &IssuedToken,
    now: DateTime<Utc>,
) -> Rendered {
    let code = ResponseCode::new(200, service, 0);
    let body = profile.access_token_body(code, &token.access_token, token.expires_in);
    let mut r = Rendered::json(code, profile.success_message.to_owned(), &body);
    token_headers(&mut r, &token.claims.aud, now);
    r
}

/// A B2B2C (customer) access token with its refresh token.
pub fn render_customer_token(
    profile: &Profile,
    service: ServiceCode,
    token: &IssuedToken,
    refresh_token: &str,
    refresh_expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Rendered {
    let code = ResponseCode::new(200, service, 0);
    let access_expiry = now + chrono::Duration::seconds(token.expires_in as i64);
    let body = profile.customer_token_body(
        code,
        &token.access_token,
        &format_snap_timestamp(&access_expiry),
        refresh_token,
        &format_snap_timestamp(&refresh_expires_at),
    );
    let mut r = Rendered::json(code, profile.success_message.to_owned(), &body);
    token_headers(&mut r, &token.claims.aud, now);
    r
}

/// Renders a rejection; under `explain` the body adds a `diagnosis`.
pub fn render_error(profile: &Profile, error: &SnapError, explain: bool) -> Rendered {
    let code = error.response_code();
    let message = profile.message(&error.failure).into_owned();
    let mut extra = Map::new();
    if explain {
        extra.insert("diagnosis".into(), Value::from(error.detail.as_str()));
    }
    // A limit or a part the operator set up, not a provider behaviour: say
    // which, so that the developer looks there and not at the request.
    if matches!(
        error.failure,
        Failure::HeaderFieldsTooLarge
            | Failure::AdminOff
            | Failure::StoreUnavailable
            | Failure::UnknownScenario
    ) {
        extra.insert("error".into(), Value::from(error.detail.as_str()));
    }
    let body = error_body(code, &message, Some(&extra));
    Rendered::json(code, message, &body)
}

/// Renders a body with a given code, message and extra fields (health,
/// JWKS, forced answers).
pub fn render_with(code: ResponseCode, message: &str, extra: &Map<String, Value>) -> Rendered {
    let body = error_body(code, message, Some(extra));
    Rendered::json(code, message.to_owned(), &body)
}
