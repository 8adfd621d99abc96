//! The access-token pipeline: parse, find the client, verify the signature,
//! check freshness, issue. No HTTP types: the route hands in raw parts and
//! renders whatever comes out.

use crate::clients::ClientRegistry;
use crate::config::Config;
use crate::journal::Journal;
use crate::scenarios::ScenarioSet;
use crate::snap::diagnosis::diagnose_asymmetric;
use crate::snap::error::{Failure, SnapError, UnauthorizedReason};
use crate::snap::response_code::{ResponseCode, ServiceCode, SERVICE_ACCESS_TOKEN_B2B};
use crate::snap::signature::verify_asymmetric;
use crate::snap::{AccessTokenRequest, ParseRules, RawTokenRequest};
use crate::tokens::{IssuedToken, TokenIssuer};
use chrono::{DateTime, Utc};
use std::sync::RwLock;

/// State shared by every worker.
pub struct State {
    pub config: Config,
    pub clients: RwLock<ClientRegistry>,
    pub tokens: TokenIssuer,
    pub scenarios: RwLock<ScenarioSet>,
    pub journal: Journal,
    pub endpoints: Vec<std::sync::Arc<crate::endpoints::Endpoint>>,
    pub external_ids: std::sync::Mutex<ExternalIds>,
    pub refresh_tokens: std::sync::Mutex<RefreshTokens>,
}

/// B2B2C refresh tokens issued and not yet used.
#[derive(Debug, Default)]
pub struct RefreshTokens {
    live: std::collections::HashMap<String, RefreshGrant>,
}

#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_key: String,
    pub customer: String,
    pub expires_at: DateTime<Utc>,
}

/// How long a B2B2C refresh token lives.
pub const REFRESH_TOKEN_LIFETIME_DAYS: i64 = 30;

impl RefreshTokens {
    /// Takes a refresh token out (it is single-use: refreshing rotates it).
    pub fn take(&mut self, token: &str) -> Option<RefreshGrant> {
        self.live.remove(token)
    }

    pub fn insert(&mut self, token: String, grant: RefreshGrant, now: DateTime<Utc>) {
        if self.live.len() > 100_000 {
            self.live.retain(|_, g| g.expires_at > now);
        }
        self.live.insert(token, grant);
    }
}

impl State {
    /// Re-reads the scenarios fixture. On failure the scenarios in force
    /// stay as they were and the error says why.
    pub fn reload_scenarios(&self) -> Result<usize, String> {
        let set = match &self.config.scenarios_file {
            Some(path) => ScenarioSet::load(path)?,
            None => ScenarioSet::default(),
        };
        let n = set.len();
        *self.scenarios.write().unwrap_or_else(|p| p.into_inner()) = set;
        Ok(n)
    }

    /// Re-reads the clients fixture and its key files. On failure the
    /// clients in force stay as they were (a key file that disappeared does
    /// not unregister anyone).
    pub fn reload_clients(&self) -> Result<usize, String> {
        let registry = ClientRegistry::load(&self.config.clients_file, &self.config.keys_dir)
            .map_err(|e| e.0)?;
        let n = registry.len();
        *self.clients.write().unwrap_or_else(|p| p.into_inner()) = registry;
        Ok(n)
    }
}

/// What the server decided.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A token was issued.
    Token {
        service: ServiceCode,
        token: IssuedToken,
    },
    /// A B2B2C (customer) token was issued with a refresh token.
    CustomerToken {
        token: IssuedToken,
        refresh_token: String,
        refresh_expires_at: DateTime<Utc>,
    },
    /// A transactional call passed every check.
    Accepted { service: ServiceCode },
    /// The request broke a rule.
    Rejected(SnapError),
}

impl Outcome {
    pub fn response_code(&self) -> ResponseCode {
        match self {
            Self::Token { service, .. } | Self::Accepted { service } => {
                ResponseCode::new(200, *service, 0)
            }
            Self::CustomerToken { .. } => ResponseCode::new(
                200,
                crate::snap::response_code::SERVICE_ACCESS_TOKEN_B2B2C,
                0,
            ),
            Self::Rejected(e) => e.response_code(),
        }
    }

    /// The pipeline step that decided (`issued` for a success).
    pub fn check(&self) -> &'static str {
        match self {
            Self::Token { .. } | Self::CustomerToken { .. } => "issued",
            Self::Accepted { .. } => "accepted",
            Self::Rejected(e) => e.failure.check(),
        }
    }
}

/// The outcome with what the developer needs to see why.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub outcome: Outcome,
    /// `X-CLIENT-KEY` once it parsed.
    pub client_key: Option<String>,
    /// The exact string the server verified the signature over, once a
    /// signature was checked.
    pub string_to_sign: Option<String>,
}

impl Verdict {
    pub fn rejected(error: SnapError) -> Self {
        Self {
            outcome: Outcome::Rejected(error),
            client_key: None,
            string_to_sign: None,
        }
    }
}

const SERVICE: ServiceCode = SERVICE_ACCESS_TOKEN_B2B;

impl State {
    /// Runs the B2B access-token checks in their documented order.
    pub fn access_token(&self, raw: &RawTokenRequest<'_>, now: DateTime<Utc>) -> Verdict {
        let (request, mut verdict) =
            match self.parse_and_authenticate(SERVICE, raw, now, AccessTokenRequest::parse) {
                Ok(parsed) => parsed,
                Err(verdict) => return *verdict,
            };
        verdict.outcome = match self.tokens.issue(request.client_key, now) {
            Ok(token) => Outcome::Token {
                service: SERVICE,
                token,
            },
            Err(e) => Outcome::Rejected(internal_error(e.to_string())),
        };
        verdict
    }

    /// The steps both token endpoints share: parse (with `parse`), then
    /// client, signature and freshness in `service`. `Err` is the finished
    /// verdict of a rejected request; `Ok` carries the verdict so far.
    fn parse_and_authenticate<'r>(
        &self,
        service: ServiceCode,
        raw: &RawTokenRequest<'r>,
        now: DateTime<Utc>,
        parse: fn(&RawTokenRequest<'r>, &ParseRules) -> Result<AccessTokenRequest<'r>, SnapError>,
    ) -> Result<(AccessTokenRequest<'r>, Verdict), Box<Verdict>> {
        let request = parse(raw, &self.config.parse_rules).map_err(|e| {
            // Keep whatever client key was sent, for the log and journal.
            let mut verdict = Verdict::rejected(e);
            verdict.client_key = raw
                .x_client_key
                .map(|k| String::from_utf8_lossy(k).into_owned());
            Box::new(verdict)
        })?;
        let mut verdict = Verdict {
            outcome: Outcome::Rejected(SnapError::new(service, Failure::BadRequest, "")),
            client_key: Some(request.client_key.to_owned()),
            string_to_sign: None,
        };
        if let Err(e) = self.authenticate(service, &request, now, &mut verdict.string_to_sign) {
            verdict.outcome = Outcome::Rejected(e);
            return Err(Box::new(verdict));
        }
        Ok((request, verdict))
    }

    fn authenticate(
        &self,
        service: ServiceCode,
        request: &AccessTokenRequest<'_>,
        now: DateTime<Utc>,
        string_to_sign: &mut Option<String>,
    ) -> Result<(), SnapError> {
        let unauthorized =
            |reason, detail: String| SnapError::new(service, Failure::Unauthorized(reason), detail);
        // A poisoned lock only means a panic elsewhere while the registry
        // was held; the data is still a valid registry.
        let clients = self.clients.read().unwrap_or_else(|p| p.into_inner());
        let client = clients.get(request.client_key).ok_or_else(|| {
            unauthorized(
                UnauthorizedReason::UnknownClient,
                format!(
                    "no client is registered with X-CLIENT-KEY {:?} ({} registered)",
                    request.client_key,
                    clients.len()
                ),
            )
        })?;
        if !client.enabled {
            return Err(unauthorized(
                UnauthorizedReason::UnknownClient,
                format!("client {:?} is registered but disabled", request.client_key),
            ));
        }
        let sts = string_to_sign.insert(request.string_to_sign());
        if verify_asymmetric(&client.public_key, sts, request.signature).is_err() {
            // Only failures pay for the diagnosis.
            let others: Vec<_> = clients
                .sorted()
                .into_iter()
                .filter(|c| c.client_key != client.client_key)
                .collect();
            let others: Vec<_> = others
                .iter()
                .map(|c| (c.client_key.as_str(), &c.public_key))
                .collect();
            let diagnosis = diagnose_asymmetric(
                &client.public_key,
                request.client_key,
                request.timestamp,
                request.signature,
                &others,
            );
            return Err(unauthorized(
                UnauthorizedReason::InvalidSignature,
                format!(
                    "{diagnosis}; string-to-sign {sts:?}; key of {:?} {}",
                    client.client_key,
                    client.public_key.fingerprint()
                ),
            ));
        }
        drop(clients);

        let window = self.config.timestamp_window;
        if !window.is_zero() {
            let skew = now.signed_duration_since(request.timestamp_instant);
            let window_secs = window.as_secs_f64();
            let skew_secs = skew.num_milliseconds() as f64 / 1000.0;
            if skew_secs.abs() > window_secs {
                let direction = if skew_secs > 0.0 {
                    "behind"
                } else {
                    "ahead of"
                };
                return Err(unauthorized(
                    UnauthorizedReason::InvalidTimestamp,
                    format!(
                        "X-TIMESTAMP {:?} is {:.0} s {direction} the server clock ({}); the window is ±{} s (--timestamp-window)",
                        request.timestamp,
                        skew_secs.abs(),
                        crate::snap::timestamp::format_snap_timestamp(&now),
                        window.as_secs()
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl State {
    /// `POST .../v1.0/access-token/b2b2c`: the B2B checks (headers,
    /// client, signature, freshness), then the grant: an `authCode` from
    /// the client's `authCodes`, or a refresh token this server issued to
    /// the same client (used once: refreshing rotates it).
    pub fn access_token_b2b2c(&self, raw: &RawTokenRequest<'_>, now: DateTime<Utc>) -> Verdict {
        use crate::snap::access_token::Grant;
        use crate::snap::response_code::SERVICE_ACCESS_TOKEN_B2B2C as B2B2C;
        let (request, mut verdict) =
            match self.parse_and_authenticate(B2B2C, raw, now, AccessTokenRequest::parse_b2b2c) {
                Ok(parsed) => parsed,
                Err(verdict) => return *verdict,
            };
        let customer = match &request.grant {
            Grant::AuthorizationCode(code) => {
                let clients = self.clients.read().unwrap_or_else(|p| p.into_inner());
                let customer = clients
                    .get(request.client_key)
                    .and_then(|c| c.auth_codes.get(code).cloned());
                match customer {
                    Some(c) => c,
                    None => {
                        verdict.outcome = Outcome::Rejected(SnapError::new(
                            B2B2C,
                            Failure::Unauthorized(UnauthorizedReason::InvalidAuthCode),
                            format!(
                                "authCode {code:?} is not in the authCodes of client {:?} (clients fixture)",
                                request.client_key
                            ),
                        ));
                        return verdict;
                    }
                }
            }
            Grant::RefreshToken(token) => {
                let grant = self
                    .refresh_tokens
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .take(token);
                match grant {
                    Some(g) if g.client_key == request.client_key && g.expires_at > now => {
                        g.customer
                    }
                    Some(g) if g.client_key != request.client_key => {
                        verdict.outcome = Outcome::Rejected(SnapError::new(
                            B2B2C,
                            Failure::InvalidCustomerToken,
                            format!("the refresh token was issued to client {:?}", g.client_key),
                        ));
                        return verdict;
                    }
                    Some(_) => {
                        verdict.outcome = Outcome::Rejected(SnapError::new(
                            B2B2C,
                            Failure::InvalidCustomerToken,
                            "the refresh token expired",
                        ));
                        return verdict;
                    }
                    None => {
                        verdict.outcome = Outcome::Rejected(SnapError::new(
                            B2B2C,
                            Failure::InvalidCustomerToken,
                            "the refresh token was not issued by this server, or was already used (refreshing rotates it)",
                        ));
                        return verdict;
                    }
                }
            }
            Grant::ClientCredentials => {
                verdict.outcome = Outcome::Rejected(SnapError::new(
                    B2B2C,
                    Failure::InvalidFieldFormat("grantType"),
                    "client_credentials belongs to the B2B endpoint",
                ));
                return verdict;
            }
        };
        let issued = self
            .tokens
            .issue_for(request.client_key, &customer, &["customer"], now)
            .and_then(|token| Ok((token, self.tokens.random_hex(32)?)));
        verdict.outcome = match issued {
            Ok((token, refresh_token)) => {
                let refresh_expires_at = now + chrono::Duration::days(REFRESH_TOKEN_LIFETIME_DAYS);
                self.refresh_tokens
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(
                        refresh_token.clone(),
                        RefreshGrant {
                            client_key: request.client_key.to_owned(),
                            customer,
                            expires_at: refresh_expires_at,
                        },
                        now,
                    );
                Outcome::CustomerToken {
                    token,
                    refresh_token,
                    refresh_expires_at,
                }
            }
            Err(e) => Outcome::Rejected(SnapError::new(B2B2C, Failure::Internal, e.to_string())),
        };
        verdict
    }
}

/// `500xx01 Internal Server Error`: something in the mock itself failed.
pub fn internal_error(detail: String) -> SnapError {
    SnapError::new(SERVICE, Failure::Internal, detail)
}

/// A transactional call as it came off the wire.
#[derive(Debug, Default, Clone, Copy)]
pub struct RawTransactionalRequest<'a> {
    pub method: &'a str,
    /// Path and query exactly as sent: what the client signed.
    pub relative_url: &'a str,
    pub authorization: Option<&'a [u8]>,
    pub x_timestamp: Option<&'a [u8]>,
    pub x_signature: Option<&'a [u8]>,
    pub x_partner_id: Option<&'a [u8]>,
    pub x_external_id: Option<&'a [u8]>,
    pub channel_id: Option<&'a [u8]>,
    pub body: &'a [u8],
}

/// `X-EXTERNAL-ID`s seen today, per partner.
#[derive(Debug, Default)]
pub struct ExternalIds {
    seen: std::collections::HashMap<(String, String), chrono::NaiveDate>,
}

impl ExternalIds {
    /// Records the id; false when the partner already used it today.
    pub fn record(&mut self, partner: &str, external_id: &str, today: chrono::NaiveDate) -> bool {
        if self.seen.len() > 100_000 {
            self.seen.retain(|_, day| *day == today);
        }
        let key = (partner.to_owned(), external_id.to_owned());
        match self.seen.get(&key) {
            Some(day) if *day == today => false,
            _ => {
                self.seen.insert(key, today);
                true
            }
        }
    }
}

fn header_text<'a>(
    value: Option<&'a [u8]>,
    field: &'static str,
    service: ServiceCode,
) -> Result<&'a str, SnapError> {
    let v = value
        .filter(|v| !v.iter().all(u8::is_ascii_whitespace))
        .ok_or_else(|| {
            SnapError::new(
                service,
                Failure::InvalidMandatoryField(field),
                format!("header {field} is missing or empty"),
            )
        })?;
    std::str::from_utf8(v).map_err(|_| {
        SnapError::new(
            service,
            Failure::InvalidFieldFormat(field),
            format!("header {field} is not UTF-8 text"),
        )
    })
}

impl State {
    /// The checks of a protected transactional call, in order: bearer
    /// token present and valid, mandatory headers, timestamp, symmetric
    /// signature, freshness, X-EXTERNAL-ID unique per partner per day.
    pub fn transactional(
        &self,
        service: ServiceCode,
        raw: &RawTransactionalRequest<'_>,
        now: DateTime<Utc>,
        external_ids: &std::sync::Mutex<ExternalIds>,
    ) -> Verdict {
        let mut verdict = Verdict {
            outcome: Outcome::Rejected(SnapError::new(service, Failure::BadRequest, "")),
            client_key: None,
            string_to_sign: None,
        };
        verdict.outcome =
            match self.check_transactional(service, raw, now, external_ids, &mut verdict) {
                Ok(()) => Outcome::Accepted { service },
                Err(e) => Outcome::Rejected(e),
            };
        verdict
    }

    fn check_transactional(
        &self,
        service: ServiceCode,
        raw: &RawTransactionalRequest<'_>,
        now: DateTime<Utc>,
        external_ids: &std::sync::Mutex<ExternalIds>,
        verdict: &mut Verdict,
    ) -> Result<(), SnapError> {
        let fail = |failure, detail: String| SnapError::new(service, failure, detail);
        let authorization = raw
            .authorization
            .filter(|v| !v.iter().all(u8::is_ascii_whitespace))
            .ok_or_else(|| {
                fail(
                    Failure::TokenNotFound,
                    "no Authorization: Bearer <access token> header".into(),
                )
            })?;
        let authorization = String::from_utf8_lossy(authorization);
        let token = match authorization.split_once(' ') {
            Some((scheme, token))
                if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
            {
                token.trim()
            }
            _ => {
                return Err(fail(
                    Failure::InvalidToken,
                    "Authorization must be \"Bearer <access token>\"".into(),
                ))
            }
        };
        let claims = self.tokens.introspect(token, now).map_err(|why| {
            fail(
                Failure::InvalidToken,
                format!("the bearer token is not valid here: {why}"),
            )
        })?;
        verdict.client_key = Some(claims.aud.clone());

        let timestamp = header_text(raw.x_timestamp, "X-TIMESTAMP", service)?;
        let signature = header_text(raw.x_signature, "X-SIGNATURE", service)?;
        let partner = header_text(raw.x_partner_id, "X-PARTNER-ID", service)?;
        let external_id = header_text(raw.x_external_id, "X-EXTERNAL-ID", service)?;
        header_text(raw.channel_id, "CHANNEL-ID", service)?;
        let instant = crate::snap::timestamp::parse_timestamp(
            timestamp,
            self.config.parse_rules.timestamp_mode,
        )
        .map_err(|e| fail(Failure::InvalidFieldFormat("X-TIMESTAMP"), e.0))?;

        let secret = {
            let clients = self.clients.read().unwrap_or_else(|p| p.into_inner());
            let client = clients.get(&claims.aud).ok_or_else(|| {
                fail(
                    Failure::Unauthorized(UnauthorizedReason::UnknownClient),
                    format!(
                        "the token's client {:?} is no longer registered",
                        claims.aud
                    ),
                )
            })?;
            client.client_secret.clone().ok_or_else(|| {
                fail(
                    Failure::Unauthorized(UnauthorizedReason::InvalidSignature),
                    format!("client {:?} has no clientSecret in the clients fixture, so no symmetric signature can verify", claims.aud),
                )
            })?
        };
        use crate::snap::symmetric;
        let sts = verdict.string_to_sign.insert(symmetric::string_to_sign(
            raw.method,
            raw.relative_url,
            token,
            &symmetric::minify_body(raw.body),
            timestamp,
        ));
        if !symmetric::verify_symmetric(secret.as_bytes(), sts, signature.as_bytes()) {
            let diagnosis = symmetric::diagnose_symmetric(
                secret.as_bytes(),
                raw.method,
                raw.relative_url,
                token,
                raw.body,
                timestamp,
                signature.as_bytes(),
            );
            return Err(fail(
                Failure::Unauthorized(UnauthorizedReason::InvalidSignature),
                diagnosis,
            ));
        }
        let window = self.config.timestamp_window;
        if !window.is_zero() {
            let skew = now
                .signed_duration_since(instant)
                .num_seconds()
                .unsigned_abs();
            if skew > window.as_secs() {
                return Err(fail(
                    Failure::Unauthorized(UnauthorizedReason::InvalidTimestamp),
                    format!(
                        "X-TIMESTAMP is {skew} s away from the server clock; the window is ±{} s",
                        window.as_secs()
                    ),
                ));
            }
        }
        let today = now.with_timezone(&crate::snap::timestamp::WIB).date_naive();
        let fresh = external_ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .record(partner, external_id, today);
        if !fresh {
            return Err(fail(
                Failure::Conflict,
                format!("X-EXTERNAL-ID {external_id:?} was already used by partner {partner:?} today ({today})"),
            ));
        }
        Ok(())
    }
}
