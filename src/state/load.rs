//! Reading the fixtures and the signing key a server starts from (and
//! reloads), and the start-up report of what came from where.

use super::start_error::SigningKeyError;
use crate::clients::{ClientRegistry, ClientsError};
use crate::config::{
    Config, Source, DEFAULT_ENDPOINTS_FILE, DEFAULT_LOCAL_CLIENTS_FILE, DEFAULT_SCENARIOS_FILE,
};
use crate::embedded;
use crate::endpoints::{self, Answers, Endpoint, InvalidEndpoint, ServedEndpoint};
use crate::fixtures::{FixtureError, Located};
use crate::scenarios::{InvalidScenario, ScenarioSet};
use crate::tokens::TokenIssuer;
use std::path::Path;
use std::sync::Arc;

/// The text of a fixture source.
pub(super) fn read(source: &Source, bundled: &'static str, cap: u64) -> std::io::Result<String> {
    match source {
        Source::Bundled => Ok(bundled.to_owned()),
        Source::Inline(text) => Ok(text.clone()),
        Source::File(path) => crate::fixtures::read_file(path, cap),
    }
}

/// An error with the fixture it came from.
pub(super) fn located<E: std::error::Error>(source: &Source, error: E) -> Located<E> {
    let origin = match source {
        Source::File(path) => path.display().to_string(),
        Source::Bundled => "bundled".into(),
        Source::Inline(_) => "inline".into(),
    };
    Located { origin, error }
}

/// A list fixture's text, or why it cannot be read.
pub(super) fn read_fixture<E: std::error::Error>(
    source: &Source,
    bundled: &'static str,
    what: &'static str,
    cap: u64,
) -> Result<String, Located<FixtureError<E>>> {
    read(source, bundled, cap).map_err(|e| located(source, FixtureError::Read { what, source: e }))
}

/// The warning for an optional default fixture that is not there: visible,
/// because a mounted fixtures directory without it silently lost the demo
/// scenarios or endpoints.
fn missing_default(source: Option<&Source>, default: &str) -> Option<String> {
    source.filter(|s| s.is_absent_default(default)).map(|_| {
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
        Some(s) if s.is_absent_default(default) => format!("{what}: none ({default} not found)"),
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

pub(super) fn load_clients(config: &Config) -> Result<ClientRegistry, Located<ClientsError>> {
    let mut registry = read_clients(&config.clients, "clients fixture", config)?;
    match &config.local_clients {
        Some(s) if !s.is_absent_default(DEFAULT_LOCAL_CLIENTS_FILE) => {
            registry.extend(read_clients(s, "local clients file", config)?);
        }
        _ => {}
    }
    Ok(registry)
}

fn read_clients(
    source: &Source,
    what: &'static str,
    config: &Config,
) -> Result<ClientRegistry, Located<ClientsError>> {
    let text = read_fixture(source, embedded::CLIENTS, what, config.max_fixture_bytes)?;
    match source {
        Source::Bundled => embedded::clients(),
        Source::File(path) => ClientRegistry::from_file_json(&text, path, &config.keys_dir),
        Source::Inline(_) => ClientRegistry::from_json(&text, &config.keys_dir),
    }
    .map_err(|e| located(source, e))
}

pub(super) fn load_scenarios(
    config: &Config,
) -> Result<ScenarioSet, Located<FixtureError<InvalidScenario>>> {
    let source = match &config.scenarios {
        None => return Ok(ScenarioSet::default()),
        Some(s) if s.is_absent_default(DEFAULT_SCENARIOS_FILE) => return Ok(ScenarioSet::default()),
        Some(s) => s,
    };
    let text = read_fixture(
        source,
        embedded::SCENARIOS,
        "scenarios fixture",
        config.max_fixture_bytes,
    )?;
    let set = ScenarioSet::from_json(&text).map_err(|e| located(source, e))?;
    if !layered(config, source) {
        return Ok(set);
    }
    let bundled =
        ScenarioSet::from_json(embedded::SCENARIOS).map_err(|e| located(&Source::Bundled, e))?;
    Ok(set.over(bundled))
}

/// Whether the bundled entries stay in force under this fixture.
fn layered(config: &Config, source: &Source) -> bool {
    config.bundled_underneath && matches!(source, Source::File(_))
}

pub(super) fn load_endpoints(
    config: &Config,
) -> Result<Vec<Arc<Endpoint>>, Located<FixtureError<InvalidEndpoint>>> {
    let source = match &config.endpoints {
        None => return Ok(Vec::new()),
        Some(s) if s.is_absent_default(DEFAULT_ENDPOINTS_FILE) => return Ok(Vec::new()),
        Some(s) => s,
    };
    let text = read_fixture(
        source,
        embedded::ENDPOINTS,
        "endpoints fixture",
        config.max_fixture_bytes,
    )?;
    let mut list = endpoints::from_json(&text, config.provider).map_err(|e| located(source, e))?;
    if !layered(config, source) {
        return Ok(list);
    }
    let bundled = endpoints::from_json(embedded::ENDPOINTS, config.provider)
        .map_err(|e| located(&Source::Bundled, e))?;
    for endpoint in bundled {
        let replaced = list
            .iter()
            .any(|e| e.method == endpoint.method && e.spec.path == endpoint.spec.path);
        if !replaced {
            let mut endpoint = Arc::unwrap_or_clone(endpoint);
            endpoint.bundled = true;
            list.push(Arc::new(endpoint));
        }
    }
    Ok(list)
}

pub(super) fn load_signing_key(config: &Config) -> Result<TokenIssuer, Located<SigningKeyError>> {
    let source = &config.signing_key;
    let text = read(source, embedded::SIGNING_KEY, config.max_fixture_bytes)
        .map_err(|e| located(source, SigningKeyError::Read(e)))?;
    TokenIssuer::from_pem(
        &text,
        config.issuer.clone(),
        config.token_lifetime.as_secs(),
    )
    .map_err(|e| located(source, SigningKeyError::Key(e)))
}

/// The key that signs notifications, and its public key as SPKI PEM.
pub(super) fn load_notification_key(
    config: &Config,
) -> Result<(crate::signing::ClientKeyPair, String), Located<crate::snap::keys::KeyError>> {
    use crate::snap::keys::KeyError;
    let source = &config.notification_key;
    let text = read(source, embedded::PROVIDER_PRIVATE_KEY, config.max_fixture_bytes)
        .map_err(|e| located(source, KeyError(format!("cannot read it: {e}; give its path with --notification-key, or leave the flag out for the bundled test key"))))?;
    let pair = crate::signing::ClientKeyPair::from_pem(&text).map_err(|e| located(source, e))?;
    let public = pair.public_key_pem().map_err(|e| located(source, e))?;
    Ok((pair, public))
}

/// What was loaded from where, one line each, for the start-up output.
pub(super) fn startup_report(
    config: &Config,
    clients: usize,
    scenarios: &ScenarioSet,
    served: &[ServedEndpoint],
) -> Vec<String> {
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
    let canned: Vec<&Endpoint> = served
        .iter()
        .filter_map(|e| match &e.answers {
            Answers::Canned(endpoint) => Some(endpoint.as_ref()),
            Answers::Stateful(_) => None,
        })
        .collect();
    let bundled_endpoints = canned.iter().filter(|e| e.bundled).count();
    let stateful = served.len() - canned.len();
    vec![
        format!(
            "{}{key_dirs}",
            report("clients", Some(&config.clients), "", format!("{}", clients))
        ),
        report(
            "scenarios",
            config.scenarios.as_ref(),
            DEFAULT_SCENARIOS_FILE,
            layers(config, scenarios.len(), scenarios.bundled_count(), ""),
        ),
        format!(
            "{}; transactions with state: {stateful} endpoints",
            report(
                "endpoints",
                config.endpoints.as_ref(),
                DEFAULT_ENDPOINTS_FILE,
                layers(config, canned.len(), bundled_endpoints, " canned"),
            )
        ),
        report(
            "local clients",
            config.local_clients.as_ref(),
            DEFAULT_LOCAL_CLIENTS_FILE,
            "on top of the fixture".into(),
        ),
        format!("signing key: {}", config.signing_key.describe()),
        store_line(config),
    ]
}

/// The count of a fixture that may have the bundled one under it: `3`,
/// or `3 + 15 bundled; --no-bundled for the file's alone` (`unit` after
/// the first number: ` canned`).
fn layers(config: &Config, total: usize, bundled: usize, unit: &str) -> String {
    match (config.bundled_underneath, bundled) {
        (true, n) if n > 0 => format!(
            "{}{unit} + {n} bundled; --no-bundled for the file's alone",
            total - n
        ),
        _ => format!("{total}{unit}"),
    }
}

/// What the operator should know before the first request (an optional
/// default fixture that is not there).
pub(super) fn startup_warnings(config: &Config) -> Vec<String> {
    [
        missing_default(config.scenarios.as_ref(), DEFAULT_SCENARIOS_FILE),
        missing_default(config.endpoints.as_ref(), DEFAULT_ENDPOINTS_FILE),
    ]
    .into_iter()
    .flatten()
    .collect()
}
