//! The token routes: `POST {prefix}/v1.0/access-token/b2b` (service 73) and
//! its `/b2b2c` twin (service 74).

use crate::checks;
use crate::clients::Client;
use crate::lifecycle::{store_failure, Record, Request, Route};
use crate::render::{render_customer_token, render_token, Rendered};
use crate::snap::access_token::Grant;
use crate::snap::error::{Failure, SnapError, UnauthorizedReason};
use crate::snap::response_code::{
    ServiceCode, SERVICE_ACCESS_TOKEN_B2B, SERVICE_ACCESS_TOKEN_B2B2C,
};
use crate::snap::step::Step;
use crate::snap::{AccessTokenRequest, Field, ParseRules, RawTokenRequest};
use crate::state::State;
use crate::store::RefreshGrant;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// How long a B2B2C refresh token lives.
pub const REFRESH_TOKEN_LIFETIME_DAYS: i64 = 30;

/// What both token routes check, in the README's order: the request's
/// form (headers, timestamp, content type, body, grant), the client, the
/// signature over `X-CLIENT-KEY|X-TIMESTAMP`, then freshness.
fn authenticate<'r>(
    state: &State,
    request: &Request<'r>,
    now: DateTime<Utc>,
    record: &mut Record,
    parse: fn(&RawTokenRequest<'r>, &ParseRules) -> Result<AccessTokenRequest<'r>, SnapError>,
    service: ServiceCode,
) -> Result<(AccessTokenRequest<'r>, Arc<Client>), SnapError> {
    let raw = RawTokenRequest {
        x_timestamp: request.header("x-timestamp"),
        x_client_key: request.header("x-client-key"),
        x_signature: request.header("x-signature"),
        content_type: request.header("content-type"),
        body: request.body,
    };
    let parsed = parse(&raw, &state.config.parse_rules)?;
    let clients = state.stores.clients.as_ref();
    let client = checks::client(clients, parsed.client_key, service)?;
    let string_to_sign = record.string_to_sign.insert(parsed.string_to_sign());
    checks::asymmetric_signature(
        &client,
        parsed.timestamp,
        string_to_sign,
        parsed.signature,
        |n| clients.some(n),
        service,
    )?;
    checks::freshness(
        parsed.timestamp,
        parsed.timestamp_instant,
        now,
        state.config.timestamp_window,
        service,
    )?;
    Ok((parsed, client))
}

fn internal(service: ServiceCode, e: impl std::fmt::Display) -> SnapError {
    SnapError::new(service, Failure::Internal, e.to_string())
}

/// A token route: the B2B access token (`client_credentials`), or the
/// B2B2C (customer) access token for an `authCode` from the client's
/// `authCodes` or a refresh token this server issued to the same client
/// (used once: refreshing rotates it).
pub enum TokenRoute {
    B2b,
    B2b2c,
}

impl TokenRoute {
    /// The customer the grant stands for.
    async fn customer(
        state: &State,
        client: &Client,
        grant: &Grant,
        now: DateTime<Utc>,
        service: ServiceCode,
    ) -> Result<String, SnapError> {
        let invalid_token =
            |detail: String| SnapError::new(service, Failure::InvalidCustomerToken, detail);
        match grant {
            Grant::AuthorizationCode(code) => client.auth_codes.get(code).cloned().ok_or_else(|| {
                SnapError::new(
                    service,
                    Failure::Unauthorized(UnauthorizedReason::InvalidAuthCode),
                    format!(
                        "authCode {code:?} is not in the authCodes of client {:?} (clients fixture)",
                        client.client_key
                    ),
                )
            }),
            Grant::RefreshToken(token) => match state
                .stores
                .refresh_tokens
                .take(token)
                .await
                .map_err(|e| store_failure(service, e))?
            {
                Some(g) if g.client_key != client.client_key => Err(invalid_token(format!(
                    "the refresh token was issued to client {:?}",
                    g.client_key
                ))),
                Some(g) if g.expires_at <= now => Err(invalid_token("the refresh token expired".into())),
                Some(g) => Ok(g.customer),
                None => Err(invalid_token(
                    "the refresh token was not issued by this server, was already used (refreshing rotates it), or was dropped as the oldest past --max-refresh-tokens".into(),
                )),
            },
            Grant::ClientCredentials => Err(SnapError::new(
                service,
                Failure::InvalidFieldFormat(crate::snap::Field::GrantType),
                "client_credentials belongs to the B2B endpoint",
            )),
        }
    }
}

impl Route for TokenRoute {
    fn service(&self) -> ServiceCode {
        match self {
            Self::B2b => SERVICE_ACCESS_TOKEN_B2B,
            Self::B2b2c => SERVICE_ACCESS_TOKEN_B2B2C,
        }
    }

    fn success(&self) -> Step {
        Step::Issued
    }

    fn grant_type(&self, request: &Request<'_>) -> Option<String> {
        let body = serde_json::from_slice::<serde_json::Value>(request.body).ok()?;
        Some(body.get(Field::GrantType.name())?.as_str()?.to_owned())
    }

    async fn handle(
        &self,
        state: &State,
        request: &Request<'_>,
        now: DateTime<Utc>,
        record: &mut Record,
    ) -> Result<Rendered, SnapError> {
        let service = self.service();
        let profile = state.config.profile;
        let parse = match self {
            Self::B2b => AccessTokenRequest::parse,
            Self::B2b2c => AccessTokenRequest::parse_b2b2c,
        };
        let (parsed, client) = authenticate(state, request, now, record, parse, service)?;
        if let Self::B2b = self {
            let scopes: Vec<&str> = client.scopes.iter().map(String::as_str).collect();
            let token = state
                .issue_token(&client, None, &scopes, now, service)
                .await?;
            if state.stores.journal.enabled() {
                record.issued = Some(issued_summary(&token));
            }
            return Ok(render_token(profile, service, &token, now));
        }
        let customer = Self::customer(state, &client, &parsed.grant, now, service).await?;
        customer_token(state, &client, customer, now, record).await
    }
}

/// B2B2C: an access token for the customer, and a new refresh token (used
/// once, kept in the store).
async fn customer_token(
    state: &State,
    client: &Client,
    customer: String,
    now: DateTime<Utc>,
    record: &mut Record,
) -> Result<Rendered, SnapError> {
    let service = SERVICE_ACCESS_TOKEN_B2B2C;
    let token = state
        .issue_token(client, Some(&customer), &["customer"], now, service)
        .await?;
    if state.stores.journal.enabled() {
        record.issued = Some(issued_summary(&token));
    }
    let refresh_token = state
        .tokens
        .random_hex(32)
        .map_err(|e| internal(service, e))?;
    let expires_at = now + chrono::Duration::days(REFRESH_TOKEN_LIFETIME_DAYS);
    let grant = RefreshGrant {
        client_key: client.client_key.clone(),
        customer,
        expires_at,
    };
    state
        .stores
        .refresh_tokens
        .insert(refresh_token.clone(), grant, now)
        .await
        .map_err(|e| store_failure(service, e))?;
    Ok(render_customer_token(
        state.config.profile,
        service,
        &token,
        &refresh_token,
        expires_at,
        now,
    ))
}

/// What the journal keeps of an issued token: its format, the JWT header
/// and the claims, never the token itself.
fn issued_summary(token: &crate::tokens::IssuedToken) -> serde_json::Value {
    use base64::Engine;
    let header = token
        .access_token
        .split_once('.')
        .and_then(|(h, _)| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(h)
                .ok()
        })
        .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok());
    serde_json::json!({
        "format": if header.is_some() { "jwt" } else { "opaque" },
        "header": header,
        "claims": token.claims,
    })
}
