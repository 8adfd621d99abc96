//! Builds the actix application from a [`Config`] and runs it, in-process
//! ([`MockServer`]) or as the binary's foreground server.

use crate::clients::{Client, ClientEntry, InvalidClient};
use crate::config::Config;
use crate::journal::JournalEntry;
use crate::routes;
use crate::scenarios::{InvalidScenario, Scenario, ScenarioSpec, ScenariosFull};
pub use crate::state::StartError;
use crate::state::State;
use crate::store::{block_on, StoreError};

mod app;
#[cfg(feature = "outbound")]
mod client;
#[cfg(feature = "tls")]
mod https;
mod payments;
mod verify;

#[cfg(feature = "outbound")]
pub use client::{SnapAnswer, SnapClient};

use actix_web::dev::{Server, ServerHandle};
use actix_web::{web, HttpServer};
use std::fmt;
use std::net::{SocketAddr, TcpListener};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
pub use verify::{Mismatch, RequestPattern, Times};

/// A bound, configured server that has not started serving yet.
pub struct Bound {
    pub state: Arc<State>,
    pub address: SocketAddr,
    listener: TcpListener,
    /// The certificate clients should trust, when serving HTTPS.
    pub tls_trust_pem: Option<String>,
    #[cfg(feature = "tls")]
    tls: Option<rustls::ServerConfig>,
}

impl Bound {
    pub fn new(config: Config) -> Result<Self, StartError> {
        #[cfg(feature = "tls")]
        let tls = match &config.tls {
            Some(t) => Some(t.load().map_err(StartError::Tls)?),
            None => None,
        };
        let state = Arc::new(State::load(config)?);
        let addr = SocketAddr::new(state.config.host, state.config.port);
        let listener = TcpListener::bind(addr).map_err(|e| {
            let hint = match e.kind() {
                std::io::ErrorKind::AddrInUse => {
                    "; another process holds this port: choose another with --port (SNAP_MOCK_PORT), or 0 for a free one"
                }
                std::io::ErrorKind::PermissionDenied => {
                    "; ports below 1024 need privileges: choose a higher one with --port (SNAP_MOCK_PORT)"
                }
                _ => "",
            };
            StartError::Bind(format!("{addr}: {e}{hint}"))
        })?;
        let address = listener
            .local_addr()
            .map_err(|e| StartError::Bind(format!("{addr}: {e}")))?;
        #[cfg(feature = "tls")]
        let (tls_trust_pem, tls) = match tls {
            Some(m) => (Some(m.trust_pem), Some(m.server_config)),
            None => (None, None),
        };
        #[cfg(not(feature = "tls"))]
        let tls_trust_pem = None;
        Ok(Self {
            state,
            address,
            listener,
            tls_trust_pem,
            #[cfg(feature = "tls")]
            tls,
        })
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        if self.tls_trust_pem.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// The actix server future; must be polled inside an actix/tokio
    /// runtime. Signals are left to the caller.
    pub fn into_server(self) -> Result<Server, StartError> {
        let state = self.state.clone();
        deliver_notifications(std::sync::Arc::downgrade(&state));
        let config = &self.state.config;
        let workers = config
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
        let data = web::Data::from(state);
        let bind_error = |e: std::io::Error| StartError::Bind(format!("{}: {e}", self.address));
        #[cfg(feature = "tls")]
        if let Some(tls) = self.tls {
            // Served without HttpServer: its TLS acceptor has no way to
            // shed idle connections at the handshake cap (https.rs).
            let builder = Server::build()
                .workers(workers)
                .disable_signals()
                .shutdown_timeout(config.shutdown_timeout.as_secs().max(1));
            let settings = https::Settings::new(config, workers);
            return Ok(https::listen(builder, self.listener, tls, data, settings)
                .map_err(bind_error)?
                .run());
        }
        let server = HttpServer::new(move || app::app(data.clone()))
            .on_connect(routes::remember_socket)
            .workers(workers)
            .disable_signals()
            .client_request_timeout(config.client_request_timeout)
            .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
            .keep_alive(config.keep_alive)
            .shutdown_timeout(config.shutdown_timeout.as_secs().max(1))
            .listen(self.listener)
            .map_err(bind_error)?
            .run();
        Ok(server)
    }
}

/// How long a connection may take to close after its response (actix's
/// default, written out because HTTP and HTTPS set it in two places).
const CLIENT_DISCONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(1);

/// The notification worker: a few times a second, expires VAs past their
/// date and delivers the notifications due on the server's clock. It ends
/// with the state (the server and every handle to it dropped); an attempt
/// in flight then lasts at most its 5 s timeout.
fn deliver_notifications(state: std::sync::Weak<crate::state::State>) {
    let spawned = std::thread::Builder::new()
        .name("snap-mock-notifications".into())
        .spawn(move || loop {
            std::thread::sleep(std::time::Duration::from_millis(50));
            match state.upgrade() {
                Some(state) => state.deliver_due(),
                None => return,
            }
        });
    if let Err(e) = spawned {
        log::error!("notifications will not be delivered: cannot start their worker: {e}");
    }
}

/// A server running on its own thread, for tests and embedders.
///
/// Works from any context (plain `#[test]`, tokio, actix): it owns its
/// runtime. Dropping it stops the server.
pub struct MockServer {
    address: SocketAddr,
    token_paths: Vec<String>,
    handle: ServerHandle,
    thread: Option<JoinHandle<()>>,
    state: Arc<State>,
    scheme: &'static str,
    tls_trust_pem: Option<String>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("address", &self.address)
            .finish()
    }
}

impl MockServer {
    /// Loads fixtures and keys, binds, and starts serving; returns once the
    /// server accepts connections.
    pub fn start(config: Config) -> Result<Self, StartError> {
        let bound = Bound::new(config)?;
        for warning in &bound.state.warnings {
            log::warn!("{warning}");
        }
        let address = bound.address;
        let scheme = bound.scheme();
        let tls_trust_pem = bound.tls_trust_pem.clone();
        let state = bound.state.clone();
        let token_paths = state.config.served_token_paths();
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("snap-mock-{}", address.port()))
            .spawn(move || {
                let system = actix_web::rt::System::new();
                system.block_on(async move {
                    match bound.into_server() {
                        Ok(server) => {
                            let _ = tx.send(Ok(server.handle()));
                            if let Err(e) = server.await {
                                log::error!("snap-mock server stopped with an error: {e}");
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                        }
                    }
                });
            })
            .map_err(|e| StartError::Bind(format!("cannot spawn the server thread: {e}")))?;
        let handle = rx
            .recv()
            .map_err(|_| StartError::Bind("the server thread exited during start-up".into()))??;
        Ok(Self {
            address,
            token_paths,
            handle,
            thread: Some(thread),
            state,
            scheme,
            tls_trust_pem,
        })
    }

    /// What was loaded from where (the fixtures, the signing key), as the
    /// binary prints it at start.
    pub fn loaded(&self) -> &[String] {
        &self.state.loaded
    }

    /// With `tls`: the PEM certificate a client should trust (the
    /// generated CA, or the given chain).
    pub fn tls_certificate_pem(&self) -> Option<&str> {
        self.tls_trust_pem.as_deref()
    }

    /// The bound address (127.0.0.1 and the chosen port by default).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT` (`https://` with `tls`), no trailing slash.
    pub fn uri(&self) -> String {
        format!("{}://{}", self.scheme, self.address)
    }

    /// The URL of the first B2B token path of the provider preset
    /// (`http://127.0.0.1:PORT/pg/snap/oauth/v1.0/access-token/b2b` for
    /// Finpay, the default).
    pub fn token_url(&self) -> String {
        format!("{}{}", self.uri(), self.token_path())
    }

    /// The first B2B token path of the provider preset, e.g.
    /// `/v1.0/access-token/b2b` under `--provider snap-bi`.
    pub fn token_path(&self) -> &str {
        &self.token_paths[0]
    }

    /// The server's clock: [`Clock::advance`](crate::Clock::advance) lets
    /// time pass (tokens expire, timestamps go stale) without sleeping.
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.state.clock
    }

    /// Registers (or replaces) a client: its key, its public key PEM (SPKI
    /// or PKCS#1), and the secret of the symmetric signature of service
    /// calls, if it makes any. [`MockServer::register`] sets the rest
    /// (scopes, claims, partner id, notification URL).
    pub fn register_client(
        &self,
        client_key: &str,
        public_key_pem: &str,
        client_secret: Option<&str>,
    ) -> Result<(), MockError> {
        let mut entry = ClientEntry::new(client_key, public_key_pem);
        entry.client_secret = client_secret.map(str::to_owned);
        self.register(entry)
    }

    /// Registers (or replaces) a client described in full:
    ///
    /// ```no_run
    /// # let server = snap_mock::MockServer::start(snap_mock::Config::for_tests()).unwrap();
    /// # let pem = "";
    /// use snap_mock::ClientEntry;
    /// server.register(
    ///     ClientEntry::new("merchant-1", pem)
    ///         .client_secret("s3cret")
    ///         .scopes(["request", "va"])
    ///         .claim("merchantId", "M-1"),
    /// )?;
    /// # Ok::<(), snap_mock::MockError>(())
    /// ```
    ///
    /// The public key must be a PEM here (no key files).
    pub fn register(&self, entry: ClientEntry) -> Result<(), MockError> {
        let client_key = entry.client_key.clone();
        let invalid = |reason: InvalidClient| MockError::InvalidClient {
            client_key: client_key.clone(),
            reason,
        };
        if !entry.public_key.contains("-----BEGIN") {
            return Err(invalid(InvalidClient::PemRequired));
        }
        let client = Client::from_entry(entry, std::path::Path::new("")).map_err(invalid)?;
        block_on(self.state.stores.clients.register(client))?;
        Ok(())
    }

    /// Unregisters a client; false when there was none with that key.
    pub fn remove_client(&self, client_key: &str) -> Result<bool, MockError> {
        Ok(block_on(self.state.stores.clients.remove(client_key))?)
    }

    /// Adds a scenario ahead of all others (one of the same name is
    /// replaced, its `times` refilled).
    pub fn add_scenario(&self, spec: ScenarioSpec) -> Result<(), MockError> {
        let scenario = Scenario::new(spec)?;
        block_on(self.state.stores.counters.refill(scenario.name()))?;
        Ok(block_on(self.state.stores.scenarios.add(scenario))??)
    }

    /// Adds a scenario written as JSON, as in the scenarios fixture.
    pub fn add_scenario_json(&self, json: &str) -> Result<(), MockError> {
        let spec = serde_json::from_str(json).map_err(MockError::NotAScenario)?;
        self.add_scenario(spec)
    }

    /// Removes a scenario; false when there was none with that name.
    pub fn remove_scenario(&self, name: &str) -> Result<bool, MockError> {
        Ok(block_on(self.state.stores.scenarios.remove(name))?)
    }

    /// The request journal, newest first. Credentials in it are redacted
    /// unless [`Config::journal_secrets_verbatim`] is set: a bearer or
    /// refresh token (in `Authorization`, in the body, inside a symmetric
    /// `stringToSign`) is shown as its first 8 characters and a SHA-256
    /// fingerprint, a Basic credential as its fingerprint alone.
    pub fn requests(&self) -> Result<Vec<JournalEntry>, MockError> {
        let entries = block_on(self.state.stores.journal.list(None, usize::MAX, &|_| true))?;
        Ok(entries.iter().map(|e| JournalEntry::clone(e)).collect())
    }

    /// Scenarios back to the fixture as loaded (`times` refilled) and the
    /// journal cleared, as `POST /__admin/reset` does.
    pub fn reset(&self) -> Result<(), MockError> {
        Ok(block_on(self.state.reset())?)
    }

    /// Stops gracefully: requests in flight are answered first.
    pub fn stop(mut self) {
        self.shutdown(true);
    }

    fn shutdown(&mut self, graceful: bool) {
        if let Some(thread) = self.thread.take() {
            let handle = self.handle.clone();
            // `ServerHandle::stop` is a future; any executor can drive it.
            let _ = std::thread::spawn(move || {
                actix_web::rt::System::new().block_on(handle.stop(graceful));
            })
            .join();
            let _ = thread.join();
        }
    }
}

/// Why a [`MockServer`] call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The client cannot be registered: its public key is not a PEM RSA
    /// key the server can verify with.
    #[error("client {client_key:?}: {reason}")]
    InvalidClient {
        /// The client key given.
        client_key: String,
        /// What is wrong with it.
        reason: InvalidClient,
    },
    /// The scenario breaks a scenario rule (both `respond` and `fault`, an
    /// unknown response code, ...).
    #[error("invalid scenario: {0}")]
    InvalidScenario(#[from] InvalidScenario),
    /// The text given as a scenario is not one in JSON.
    #[error("invalid scenario: not a scenario: {0}")]
    NotAScenario(serde_json::Error),
    /// [`MAX_SCENARIOS`](crate::MAX_SCENARIOS) are in force already.
    #[error(transparent)]
    ScenariosFull(#[from] ScenariosFull),
    /// The shared store (`Config::store`) failed or did not answer in time.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No transaction or client has that id.
    #[error("not found: {0}")]
    NotFound(String),
    /// The transaction refuses the action (paid, expired, wrong amount).
    #[error("{}", .0.message())]
    Refused(crate::snap::error::TransactionFailure),
    /// A [`SnapClient`](crate::SnapClient) could not make its call (no
    /// answer, a key that cannot sign, no token in the answer).
    #[error("client: {0}")]
    Client(String),
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shutdown(false);
    }
}
