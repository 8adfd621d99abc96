//! What every worker shares: the configuration, the token issuer, the
//! transactional endpoints, the clock and the stores; and loading all of
//! it from the configured sources.

use crate::clients::ClientRegistry;
use crate::clock::Clock;
use crate::config::{Config, Source, StartError, DEFAULT_ENDPOINTS_FILE, DEFAULT_SCENARIOS_FILE};
use crate::embedded;
use crate::endpoints::{self, Endpoint};
use crate::provider::TokenFormat;
use crate::scenarios::ScenarioSet;
use crate::snap::error::{Failure, SnapError};
use crate::snap::response_code::ServiceCode;
use crate::store::store_failure;
use crate::store::{StoreError, Stores};
use crate::tokens::{AccessTokenClaims, IssuedToken, TokenError, TokenIssuer};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;

pub struct State {
    pub config: Config,
    pub tokens: TokenIssuer,
    pub endpoints: Vec<Arc<Endpoint>>,
    pub clock: Clock,
    pub stores: Stores,
    /// What was loaded from where, for the start-up output.
    pub loaded: Vec<String>,
    /// What the operator should know (a default fixture missing), logged
    /// as warnings once the server listens.
    pub warnings: Vec<String>,
}

/// The text of a fixture source, with the name errors use for it.
fn read(source: &Source, bundled: &'static str, what: &str, cap: u64) -> Result<String, String> {
    match source {
        Source::Bundled => Ok(bundled.to_owned()),
        Source::Inline(text) => Ok(text.clone()),
        Source::File(path) => crate::fixtures::read_file(path, cap)
            .map_err(|e| format!("{}: cannot read the {what}: {e}", path.display())),
    }
}

/// Prefixes a parse error with the file it came from.
fn located(source: &Source, e: String) -> String {
    match source {
        Source::File(path) => format!("{}: {e}", path.display()),
        Source::Bundled => format!("bundled: {e}"),
        Source::Inline(_) => format!("inline: {e}"),
    }
}

/// True when `source` is the CLI's default file for an optional fixture
/// and no file is there: a mounted fixtures directory with only
/// `clients.json` is a complete configuration. A path given explicitly
/// must exist.
fn absent_default(source: &Source, default: &str) -> bool {
    matches!(source, Source::File(p) if p == Path::new(default) && !p.exists())
}

/// The warning for an optional default fixture that is not there: visible,
/// because a mounted fixtures directory without it silently lost the demo
/// scenarios or endpoints.
fn missing_default(source: Option<&Source>, default: &str) -> Option<String> {
    source.filter(|s| absent_default(s, default)).map(|_| {
        format!(
            "{default} not found (working directory {}): starting without it; give its path, or an empty value to mean none on purpose",
            std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|_| "?".into())
        )
    })
}

/// One item of the start-up report: `what` from where, with a count.
fn report(what: &str, source: Option<&Source>, default: &str, count: String) -> String {
    match source {
        None => format!("{what}: none"),
        Some(s) if absent_default(s, default) => format!("{what}: none ({default} not found)"),
        Some(s) => format!("{what}: {} ({count})", s.describe()),
    }
}

/// Where shared state lives, for the start-up report.
fn store_line(config: &Config) -> String {
    #[cfg(feature = "redis")]
    if let Some(redis) = &config.store {
        return format!(
            "store: {} (keys under {}:, shared by every replica given this URL and prefix)",
            crate::store::redis::shown(&redis.url),
            redis.prefix
        );
    }
    let _ = config;
    "store: memory (this process)".into()
}

pub fn load_clients(config: &Config) -> Result<ClientRegistry, String> {
    let source = &config.clients;
    let text = read(
        source,
        embedded::CLIENTS,
        "clients fixture",
        config.max_fixture_bytes,
    )?;
    if *source == Source::Bundled {
        return embedded::clients();
    }
    match source {
        Source::File(path) => ClientRegistry::from_file_json(&text, path, &config.keys_dir),
        _ => ClientRegistry::from_json(&text, &config.keys_dir),
    }
    .map_err(|e| located(source, e))
}

pub fn load_scenarios(config: &Config) -> Result<ScenarioSet, String> {
    match &config.scenarios {
        None => Ok(ScenarioSet::default()),
        Some(s) if absent_default(s, DEFAULT_SCENARIOS_FILE) => Ok(ScenarioSet::default()),
        Some(s) => ScenarioSet::from_json(&read(
            s,
            embedded::SCENARIOS,
            "scenarios fixture",
            config.max_fixture_bytes,
        )?)
        .map_err(|e| located(s, e)),
    }
}

fn load_endpoints(config: &Config) -> Result<Vec<Arc<Endpoint>>, String> {
    match &config.endpoints {
        None => Ok(Vec::new()),
        Some(s) if absent_default(s, DEFAULT_ENDPOINTS_FILE) => Ok(Vec::new()),
        Some(s) => endpoints::from_json(
            &read(
                s,
                embedded::ENDPOINTS,
                "endpoints fixture",
                config.max_fixture_bytes,
            )?,
            config.provider,
        )
        .map_err(|e| located(s, e)),
    }
}

fn load_signing_key(config: &Config) -> Result<TokenIssuer, String> {
    let source = &config.signing_key;
    let text = read(
        source,
        embedded::SIGNING_KEY,
        "signing key",
        config.max_fixture_bytes,
    )?;
    TokenIssuer::from_pem(
        &text,
        config.issuer.clone(),
        config.token_lifetime.as_secs(),
    )
    .map_err(|e| located(source, e.0))
}

impl State {
    /// Issues an access token in the configured format. An opaque token's
    /// claims are the JWT's, kept in the token store instead of the token.
    pub async fn issue_token(
        &self,
        client_key: &str,
        subject: Option<&str>,
        scopes: &[&str],
        now: DateTime<Utc>,
        service: ServiceCode,
    ) -> Result<IssuedToken, SnapError> {
        let internal = |e: TokenError| SnapError::new(service, Failure::Internal, e.to_string());
        let mut issued = self
            .tokens
            .issue_for(client_key, subject, scopes, now)
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
    /// either format (a JWT has dots; an opaque token is looked up). The
    /// outer error: the token store could not be asked.
    pub async fn introspect_token(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<AccessTokenClaims, String>, StoreError> {
        if token.contains('.') {
            return Ok(self.tokens.introspect(token, now));
        }
        let Some(claims) = self.stores.access_tokens.get(token).await? else {
            return Ok(Err("not a JWT, and not an opaque token this server issued (or it was dropped as the oldest past --max-access-tokens)".to_string()));
        };
        Ok(claims.valid_at(now).map(|()| claims))
    }

    /// Loads fixtures and keys: everything that can fail before binding.
    pub fn load(config: Config) -> Result<Self, StartError> {
        config.validate().map_err(StartError::Config)?;
        let clients = load_clients(&config).map_err(StartError::Clients)?;
        let tokens = load_signing_key(&config).map_err(StartError::SigningKey)?;
        let scenarios = load_scenarios(&config).map_err(StartError::Scenarios)?;
        let endpoints = load_endpoints(&config).map_err(StartError::Endpoints)?;
        let key_dirs = match &config.clients {
            Source::File(p) => format!(
                "; key files from {}, then {}",
                p.parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
                    .display(),
                config.keys_dir.display()
            ),
            _ => String::new(),
        };
        let loaded = vec![
            format!(
                "{}{key_dirs}",
                report(
                    "clients",
                    Some(&config.clients),
                    "",
                    format!("{}", clients.len())
                )
            ),
            report(
                "scenarios",
                config.scenarios.as_ref(),
                DEFAULT_SCENARIOS_FILE,
                format!("{}", scenarios.len()),
            ),
            report(
                "endpoints",
                config.endpoints.as_ref(),
                DEFAULT_ENDPOINTS_FILE,
                format!("{} served", endpoints.len()),
            ),
            format!("signing key: {}", config.signing_key.describe()),
            store_line(&config),
        ];
        let warnings = [
            missing_default(config.scenarios.as_ref(), DEFAULT_SCENARIOS_FILE),
            missing_default(config.endpoints.as_ref(), DEFAULT_ENDPOINTS_FILE),
        ]
        .into_iter()
        .flatten()
        .collect();
        #[cfg(feature = "redis")]
        let stores = match &config.store {
            Some(redis) => crate::store::redis::stores(clients, scenarios, &config, redis)
                .map_err(StartError::Config)?,
            None => Stores::in_memory(clients, scenarios, &config),
        };
        #[cfg(not(feature = "redis"))]
        let stores = Stores::in_memory(clients, scenarios, &config);
        Ok(Self {
            loaded,
            warnings,
            clock: config.clock.clone(),
            config,
            tokens,
            endpoints,
            stores,
        })
    }

    /// Re-reads the scenarios fixture. On failure the scenarios in force
    /// stay as they were and the error says why.
    pub async fn reload_scenarios(&self) -> Result<usize, String> {
        let set = load_scenarios(&self.config)?;
        let n = set.len();
        for name in set.file_names() {
            self.stores
                .counters
                .refill(name)
                .await
                .map_err(|e| e.to_string())?;
        }
        self.stores.scenarios.reload(set);
        Ok(n)
    }

    /// Re-reads the clients fixture and its key files. On failure the
    /// clients in force stay as they were.
    pub fn reload_clients(&self) -> Result<usize, String> {
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
        self.stores.journal.clear().await
    }
}
