//! The one place an outcome becomes a status, headers and a SNAP body.

use crate::pipeline::Outcome;
use crate::snap::profile::error_body;
use crate::snap::timestamp::format_snap_timestamp;
use crate::snap::{Profile, ResponseCode, SnapError};
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

/// Renders a pipeline outcome through the profile.
pub fn render_outcome(
    profile: &Profile,
    outcome: &Outcome,
    client_key: Option<&str>,
    explain: bool,
    now: DateTime<Utc>,
) -> Rendered {
    match outcome {
        Outcome::Token { token, .. } => {
            let code = outcome.response_code();
            let body = profile.access_token_body(code, &token.access_token, token.expires_in);
            let mut r = Rendered::json(code, profile.success_message.to_owned(), &body);
            // The standard's response headers for the token endpoint.
            r.headers
                .push(("X-TIMESTAMP".into(), format_snap_timestamp(&now)));
            if let Some(k) = client_key {
                r.headers.push(("X-CLIENT-KEY".into(), k.to_owned()));
            }
            r
        }
        Outcome::CustomerToken {
            token,
            refresh_token,
            refresh_expires_at,
        } => {
            let code = outcome.response_code();
            let access_expiry = now + chrono::Duration::seconds(token.expires_in as i64);
            let body = profile.customer_token_body(
                code,
                &token.access_token,
                &format_snap_timestamp(&access_expiry),
                refresh_token,
                &format_snap_timestamp(refresh_expires_at),
            );
            let mut r = Rendered::json(code, profile.success_message.to_owned(), &body);
            r.headers
                .push(("X-TIMESTAMP".into(), format_snap_timestamp(&now)));
            if let Some(k) = client_key {
                r.headers.push(("X-CLIENT-KEY".into(), k.to_owned()));
            }
            r
        }
        Outcome::Accepted { .. } => {
            let code = outcome.response_code();
            render_with(
                code,
                code.standard_message().unwrap_or("Successful"),
                &Map::new(),
            )
        }
        Outcome::Rejected(error) => render_error(profile, error, explain),
    }
}

/// Renders a rejection; under `explain` the body adds a `diagnosis`.
pub fn render_error(profile: &Profile, error: &SnapError, explain: bool) -> Rendered {
    let code = error.response_code();
    let message = profile.message(&error.failure).into_owned();
    let extra = explain.then(|| {
        let mut m = Map::new();
        m.insert("diagnosis".into(), Value::from(error.detail.as_str()));
        m
    });
    let body = error_body(code, &message, extra.as_ref());
    Rendered::json(code, message, &body)
}

/// Renders a body with a given code, message and extra fields (health,
/// JWKS, forced answers).
pub fn render_with(code: ResponseCode, message: &str, extra: &Map<String, Value>) -> Rendered {
    let body = error_body(code, message, Some(extra));
    Rendered::json(code, message.to_owned(), &body)
}
