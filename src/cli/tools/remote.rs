//! `token` and `healthcheck`: the tools that talk to a server.

use super::*;

/// The result of a reference token request.
#[derive(Debug)]
pub struct TokenResult {
    pub status: u16,
    pub body: Value,
    pub raw_body: String,
    /// The JWT's header and claims, decoded but not verified.
    pub claims: Option<(Value, Value)>,
}

impl TokenResult {
    pub fn succeeded(&self) -> bool {
        self.body["responseCode"] == "2007300"
    }
}

/// Performs a whole B2B token request against `url`.
pub fn request_token(
    url: &str,
    headers: &SignedHeaders,
    timeout: Duration,
    trust: Option<&str>,
) -> Result<TokenResult, String> {
    let mut builder = ureq::AgentBuilder::new().timeout(timeout);
    if let Some(pem) = trust {
        let config = crate::tls::client_config_trusting(pem)?;
        builder = builder.tls_config(std::sync::Arc::new(config));
    }
    let agent = builder.build();
    let result = agent
        .post(url)
        .set("Content-Type", "application/json")
        .set("X-TIMESTAMP", &headers.timestamp)
        .set("X-CLIENT-KEY", &headers.client_key)
        .set("X-SIGNATURE", &headers.signature)
        .send_string(TOKEN_BODY);
    let response = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(format!("request to {url} failed: {e}")),
    };
    let status = response.status();
    let raw_body = response
        .into_string()
        .map_err(|e| format!("reading the answer failed: {e}"))?;
    let body: Value = serde_json::from_str(&raw_body).unwrap_or(Value::Null);
    let claims = body["accessToken"].as_str().and_then(decode_jwt_unverified);
    Ok(TokenResult {
        status,
        body,
        raw_body,
        claims,
    })
}

/// Header and claims of a JWT, without checking its signature.
pub fn decode_jwt_unverified(token: &str) -> Option<(Value, Value)> {
    let mut parts = token.split('.');
    let mut part = || -> Option<Value> {
        let bytes = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        serde_json::from_slice(&bytes).ok()
    };
    Some((part()?, part()?))
}

/// `GET /health` with a short timeout: true when it answers 200.
/// With `trust` (a PEM certificate), an `https` URL is verified against
/// that certificate alone.
pub fn healthcheck(url: &str, timeout: Duration, trust: Option<&str>) -> Result<(), String> {
    let mut builder = ureq::AgentBuilder::new().timeout(timeout);
    if let Some(pem) = trust {
        let config = crate::tls::client_config_trusting(pem)?;
        builder = builder.tls_config(std::sync::Arc::new(config));
    }
    let agent = builder.build();
    match agent.get(url).call() {
        Ok(r) if r.status() == 200 => Ok(()),
        Ok(r) => Err(format!("{url} answered {}", r.status())),
        Err(e) => Err(format!("{url}: {e}")),
    }
}
