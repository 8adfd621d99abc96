//! What every worker shares: the configuration, the token issuer, the
//! transactional endpoints, the clock and the stores; and loading all of
//! it from the configured sources.

use crate::clients::ClientsError;
use crate::clock::Clock;
use crate::config::Config;
use crate::endpoints::ServedEndpoint;
use crate::fixtures::{FixtureError, Located};
use crate::provider::TokenFormat;
use crate::scenarios::InvalidScenario;
use crate::snap::error::{Failure, SnapError};
use crate::snap::response_code::ServiceCode;
use crate::store::store_failure;
use crate::store::{StoreError, Stores};
use crate::tokens::{AccessTokenClaims, IssuedToken, TokenError, TokenIssuer, TokenRejection};
use chrono::{DateTime, Utc};

mod load;
mod notifications;
mod start_error;

pub use start_error::{SigningKeyError, StartError};

use load::{
    load_clients, load_endpoints, load_scenarios, load_signing_key, startup_report,
    startup_warnings,
};

/// Why [`State::introspect_token`] found no active token.
#[derive(Debug, thiserror::Error)]
pub enum Introspection {
    /// The token is not active here, and why.
    #[error(transparent)]
    Inactive(#[from] TokenRejection),
    /// The token store could not be asked: no answer about the token.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a fixture was not reloaded (what was in force stays).
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The scenarios fixture cannot be read or is invalid.
    #[error(transparent)]
    Scenarios(#[from] Located<FixtureError<InvalidScenario>>),
    /// The clients fixture or a key it names cannot be read or parsed.
    #[error(transparent)]
    Clients(#[from] Located<ClientsError>),
    /// The shared store failed while the reload was recorded.
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct State {
    pub config: Config,
    pub tokens: TokenIssuer,
    /// Every service endpoint served, canned and stateful: computed once
    /// at load for the routes, `/health`, `/openapi.json` and the start-up
    /// line.
    pub served: Vec<ServedEndpoint>,
    pub clock: Clock,
    pub stores: Stores,
    /// What was loaded from where, for the start-up output.
    pub loaded: Vec<String>,
    /// What the operator should know (a default fixture missing), logged
    /// as warnings once the server listens.
    pub warnings: Vec<String>,
    /// Notifications to merchants, pending and past.
    pub outbox: crate::outbound::notify::Outbox,
    /// The provider's key that signs notifications.
    pub notifier: crate::signing::ClientKeyPair,
    /// Its public key (SPKI PEM), served at `/notification-key.pem`.
    pub notification_public_pem: String,
    /// Notification URLs set at runtime, over the clients fixture's.
    pub notification_urls: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl State {
    /// Issues an access token in the configured format. An opaque token's
    /// claims are the JWT's, kept in the token store instead of the token.
    pub async fn issue_token(
        &self,
        client: &crate::clients::Client,
        subject: Option<&str>,
        scopes: &[&str],
        now: DateTime<Utc>,
        service: ServiceCode,
    ) -> Result<IssuedToken, SnapError> {
        let internal = |e: TokenError| SnapError::new(service, Failure::Internal, e.to_string());
        let mut issued = self
            .tokens
            .issue_with(&client.client_key, subject, scopes, &client.claims, now)
            .map_err(internal)?;
        if self.config.token_format == TokenFormat::Opaque {
            issued.access_token = self.tokens.random_hex(32).map_err(internal)?;
            self.stores
                .access_tokens
                .insert(&issued.access_token, issued.claims.clone(), now)
                .await
                .map_err(|e| store_failure(service, e))?;
        }
        Ok(issued)
    }

    /// The claims of a token this server issued and that is valid `now`, in
    /// either format (a JWT has dots; an opaque token is looked up).
    pub async fn introspect_token(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessTokenClaims, Introspection> {
        if token.contains('.') {
            return Ok(self.tokens.introspect(token, now)?);
        }
        let claims = self
            .stores
            .access_tokens
            .get(token)
            .await?
            .ok_or(TokenRejection::UnknownOpaque)?;
        claims.valid_at(now)?;
        Ok(claims)
    }

    /// Loads fixtures and keys: everything that can fail before binding.
    pub fn load(config: Config) -> Result<Self, StartError> {
        config.validate()?;
        let clients = load_clients(&config).map_err(StartError::Clients)?;
        let tokens = load_signing_key(&config).map_err(StartError::SigningKey)?;
        let scenarios = load_scenarios(&config).map_err(StartError::Scenarios)?;
        let endpoints = load_endpoints(&config).map_err(StartError::Endpoints)?;
        let (notifier, notification_public_pem) =
            load::load_notification_key(&config).map_err(StartError::NotificationKey)?;
        let served = crate::endpoints::served(&config, &endpoints);
        let loaded = startup_report(&config, clients.len(), &scenarios, &served);
        let warnings = startup_warnings(&config);
        #[cfg(feature = "redis")]
        let stores = match &config.store {
            Some(redis) => crate::store::redis::stores(clients, scenarios, &config, redis)
                .map_err(StartError::Store)?,
            None => Stores::in_memory(clients, scenarios, &config),
        };
        #[cfg(not(feature = "redis"))]
        let stores = Stores::in_memory(clients, scenarios, &config);
        let config_max_notifications = config.max_notifications;
        Ok(Self {
            loaded,
            warnings,
            clock: config.clock.clone(),
            config,
            tokens,
            served,
            stores,
            outbox: crate::outbound::notify::Outbox::new(config_max_notifications),
            notifier,
            notification_public_pem,
            notification_urls: Default::default(),
        })
    }

    /// Re-reads the scenarios fixture: how many the file holds (the
    /// bundled ones under it not counted). On failure the scenarios in
    /// force stay as they were and the error says why.
    pub async fn reload_scenarios(&self) -> Result<usize, ReloadError> {
        let set = load_scenarios(&self.config)?;
        let n = set.len() - set.bundled_count();
        for name in set.file_names() {
            self.stores.counters.refill(name).await?;
        }
        self.stores.scenarios.reload(set);
        Ok(n)
    }

    /// Re-reads the clients fixture and its key files. On failure the
    /// clients in force stay as they were.
    pub fn reload_clients(&self) -> Result<usize, ReloadError> {
        let registry = load_clients(&self.config)?;
        let n = registry.len();
        self.stores.clients.reload(registry);
        Ok(n)
    }

    /// Scenarios and clients back to the fixtures as loaded (runtime
    /// additions and removals dropped, `times` refilled) and the journal
    /// cleared: a clean slate between tests (on every replica sharing the
    /// store).
    pub async fn reset(&self) -> Result<(), StoreError> {
        self.stores.clients.reset().await?;
        self.stores.scenarios.reset().await?;
        self.stores.counters.refill_all().await?;
        self.stores.transactions.clear().await?;
        self.outbox.clear();
        self.stores.journal.clear().await
    }
}
