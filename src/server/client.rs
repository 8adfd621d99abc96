//! A SNAP client of a running [`MockServer`], for the test that needs a
//! token or a signed service call without writing the signing itself:
//! the same headers and string-to-sign as the server checks, under its
//! preset (signature mode, base path). Feature `outbound` (ureq).

use super::{MockError, MockServer};
use crate::provider::ServiceSignature;
use crate::signing::{hmac_signature, snap_timestamp, ClientKeyPair};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Mutex;
use std::time::Duration;

/// A registered client talking to a [`MockServer`]: takes (and keeps) its
/// B2B token, signs service calls the way the server's preset checks them.
/// Its timestamps and the life of its token follow the server's
/// [`Clock`](crate::Clock): after `clock().advance(...)` it takes a new
/// token when the server would refuse the old one.
///
/// ```no_run
/// # let server = snap_mock::MockServer::start(snap_mock::Config::for_tests()).unwrap();
/// let client = server.demo_client()?;
/// let answer = client.post(
///     "/v1.0/transfer-va/create-va",
///     &serde_json::json!({"partnerServiceId": "   12345", "customerNo": "777",
///         "virtualAccountNo": "   12345777", "virtualAccountName": "Jane",
///         "trxId": "INV-1", "totalAmount": {"value": "10000.00", "currency": "IDR"}}),
/// )?;
/// assert_eq!(answer.response_code(), Some("2002700"));
/// # Ok::<(), snap_mock::MockError>(())
/// ```
pub struct SnapClient {
    base_url: String,
    base_path: String,
    token_url: String,
    client_key: String,
    partner_id: String,
    channel_id: String,
    key: ClientKeyPair,
    secret: Option<String>,
    signature: ServiceSignature,
    agent: ureq::Agent,
    clock: crate::clock::Clock,
    token: Mutex<Option<(String, DateTime<Utc>)>>,
}

/// An answer of the server: status and JSON body (`Null` when it was not
/// JSON, as after a transport fault scenario).
#[derive(Debug, Clone)]
pub struct SnapAnswer {
    /// HTTP status.
    pub status: u16,
    /// The body, parsed.
    pub body: Value,
}

impl SnapAnswer {
    /// `responseCode`, when the body has one.
    pub fn response_code(&self) -> Option<&str> {
        self.body.get("responseCode").and_then(Value::as_str)
    }
}

impl MockServer {
    /// A client of this server: `client_key` must be registered with the
    /// public half of `private_key_pem`; `client_secret` signs symmetric
    /// service calls (the presets that use HMAC).
    pub fn client(
        &self,
        client_key: &str,
        private_key_pem: &str,
        client_secret: Option<&str>,
    ) -> Result<SnapClient, MockError> {
        let key = ClientKeyPair::from_pem(private_key_pem)
            .map_err(|e| MockError::Client(e.to_string()))?;
        #[allow(unused_mut)]
        let mut agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30));
        #[cfg(feature = "tls")]
        if let Some(pem) = self.tls_certificate_pem() {
            let tls = crate::tls::client_config_trusting(pem).map_err(MockError::Client)?;
            agent = agent.tls_config(std::sync::Arc::new(tls));
        }
        let config = &self.state.config;
        Ok(SnapClient {
            base_url: self.uri(),
            base_path: config.base_path.clone(),
            token_url: self.token_url(),
            client_key: client_key.to_owned(),
            partner_id: client_key.to_owned(),
            channel_id: "95221".to_owned(),
            key,
            secret: client_secret.map(str::to_owned),
            signature: config.provider.service_signature,
            agent: agent.build(),
            clock: self.clock().clone(),
            token: Mutex::new(None),
        })
    }

    /// The bundled `demo-client` (its key pair and `demo-client-secret`),
    /// registered in the bundled clients fixture.
    pub fn demo_client(&self) -> Result<SnapClient, MockError> {
        self.client(
            "demo-client",
            crate::embedded::DEMO_PRIVATE_KEY,
            Some("demo-client-secret"),
        )
    }
}

impl SnapClient {
    /// Another `X-PARTNER-ID` than the client key (a registered `partnerId`).
    pub fn with_partner_id(mut self, partner_id: &str) -> Self {
        self.partner_id = partner_id.to_owned();
        self
    }

    /// Another `CHANNEL-ID` than `95221`.
    pub fn with_channel_id(mut self, channel_id: &str) -> Self {
        self.channel_id = channel_id.to_owned();
        self
    }

    /// `POST` to the token path, signed: the whole answer.
    pub fn request_token(&self) -> Result<SnapAnswer, MockError> {
        let timestamp = snap_timestamp(self.clock.now());
        let signature = self
            .key
            .sign_token_request(&self.client_key, &timestamp)
            .map_err(|e| MockError::Client(e.to_string()))?;
        let request = self
            .agent
            .post(&self.token_url)
            .set("Content-Type", "application/json")
            .set("X-TIMESTAMP", &timestamp)
            .set("X-CLIENT-KEY", &self.client_key)
            .set("X-SIGNATURE", &signature);
        answer(request.send_string(r#"{"grantType":"client_credentials"}"#))
    }

    /// A B2B access token: the one taken before while it has a minute left
    /// on the server's clock, else a new one. An answer without a token is
    /// an error naming it.
    pub fn access_token(&self) -> Result<String, MockError> {
        let mut held = self.token.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((token, until)) = held.as_ref() {
            if self.clock.now() < *until {
                return Ok(token.clone());
            }
        }
        let answer = self.request_token()?;
        let token = answer.body.get("accessToken").and_then(Value::as_str);
        let Some(token) = token else {
            return Err(MockError::Client(format!(
                "no access token: {} {}",
                answer.status, answer.body
            )));
        };
        let expires_in = answer.body.get("expiresIn").and_then(|v| match v {
            Value::String(s) => s.parse::<u64>().ok(),
            other => other.as_u64(),
        });
        let lifetime = expires_in.unwrap_or(900).saturating_sub(60);
        let lifetime = chrono::Duration::seconds(i64::try_from(lifetime).unwrap_or(0));
        *held = Some((token.to_owned(), self.clock.now() + lifetime));
        Ok(token.to_owned())
    }

    /// `POST` a service call to `path` (the standard path and any query,
    /// below the preset's base path: `/v1.0/transfer-va/create-va`), signed
    /// as the preset checks it, with a fresh `X-EXTERNAL-ID`.
    pub fn post(&self, path: &str, body: &Value) -> Result<SnapAnswer, MockError> {
        self.send(
            "POST",
            path,
            body,
            &uuid::Uuid::new_v4().simple().to_string(),
        )
    }

    /// [`SnapClient::post`] with any method and a given `X-EXTERNAL-ID`
    /// (to test a repeat).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: &Value,
        external_id: &str,
    ) -> Result<SnapAnswer, MockError> {
        let body = body.to_string();
        let timestamp = snap_timestamp(self.clock.now());
        let method = method.to_ascii_uppercase();
        let mut request = self
            .agent
            .request(
                &method,
                &format!("{}{}{path}", self.base_url, self.base_path),
            )
            .set("Content-Type", "application/json")
            .set("X-TIMESTAMP", &timestamp)
            .set("X-PARTNER-ID", &self.partner_id)
            .set("X-EXTERNAL-ID", external_id)
            .set("CHANNEL-ID", &self.channel_id);
        let signature = match self.signature {
            ServiceSignature::Symmetric => {
                let token = self.access_token()?;
                let secret = self.secret.as_deref().ok_or_else(|| {
                    MockError::Client(format!(
                        "client {:?}: this preset signs service calls with the client secret; give it to MockServer::client",
                        self.client_key
                    ))
                })?;
                request = request.set("Authorization", &format!("Bearer {token}"));
                let sts = crate::signing::service_string_to_sign(
                    &method,
                    path,
                    &token,
                    body.as_bytes(),
                    &timestamp,
                );
                hmac_signature(secret, &sts)
            }
            ServiceSignature::Asymmetric => {
                request = request.set("X-CLIENT-KEY", &self.client_key);
                let sts = crate::signing::asymmetric_service_string_to_sign(
                    &method,
                    path,
                    body.as_bytes(),
                    &timestamp,
                );
                self.key
                    .sign(&sts)
                    .map_err(|e| MockError::Client(e.to_string()))?
            }
        };
        answer(request.set("X-SIGNATURE", &signature).send_string(&body))
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> Result<SnapAnswer, MockError> {
    let response = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(MockError::Client(e.to_string())),
    };
    let status = response.status();
    let text = response
        .into_string()
        .map_err(|e| MockError::Client(e.to_string()))?;
    Ok(SnapAnswer {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    })
}
