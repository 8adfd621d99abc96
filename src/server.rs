//! Builds the actix application from a [`Config`] and runs it, in-process
//! ([`MockServer`]) or as the binary's foreground server.

use crate::clients::ClientRegistry;
use crate::config::{Config, DEFAULT_ENDPOINTS_FILE, DEFAULT_SCENARIOS_FILE};
use crate::journal::Journal;
use crate::pipeline::State;
use crate::routes;
use crate::scenarios::ScenarioSet;
use crate::tokens::TokenIssuer;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{web, App, HttpServer};
use std::fmt;
use std::net::{SocketAddr, TcpListener};
use std::sync::{mpsc, Arc, RwLock};
use std::thread::JoinHandle;

/// Why the server could not start. The message names the file and the
/// problem; the binary prints it and exits non-zero.
#[derive(Debug)]
pub enum StartError {
    Config(String),
    Clients(String),
    SigningKey(String),
    Scenarios(String),
    Endpoints(String),
    Bind(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(e) => write!(f, "configuration: {e}"),
            Self::Clients(e) => write!(f, "clients fixture: {e}"),
            Self::SigningKey(e) => write!(f, "signing key: {e}"),
            Self::Scenarios(e) => write!(f, "scenarios fixture: {e}"),
            Self::Endpoints(e) => write!(f, "endpoints fixture: {e}"),
            Self::Bind(e) => write!(f, "cannot listen: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

/// True when `path` is the default location of an optional fixture and no
/// file is there: a mounted fixtures directory with only `clients.json` is
/// a complete configuration. A path given explicitly must exist.
fn absent_default(path: &std::path::Path, default: &str) -> bool {
    let absent = path == std::path::Path::new(default) && !path.exists();
    if absent {
        log::info!("no {default}; starting without it");
    }
    absent
}

/// Loads fixtures and keys: everything that can fail before binding.
pub fn load_state(config: Config) -> Result<State, StartError> {
    config.validate().map_err(StartError::Config)?;
    let clients = ClientRegistry::load(&config.clients_file, &config.keys_dir)
        .map_err(|e| StartError::Clients(e.0))?;
    let tokens = TokenIssuer::from_pem_file(
        &config.signing_key,
        config.issuer.clone(),
        config.token_lifetime.as_secs(),
    )
    .map_err(|e| StartError::SigningKey(e.0))?;
    let scenarios = match &config.scenarios_file {
        Some(path) if absent_default(path, DEFAULT_SCENARIOS_FILE) => ScenarioSet::default(),
        Some(path) => ScenarioSet::load(path).map_err(StartError::Scenarios)?,
        None => ScenarioSet::default(),
    };
    let journal = Journal::new(config.journal_capacity, config.journal_body_limit);
    let endpoints = match &config.endpoints_file {
        Some(path) if absent_default(path, DEFAULT_ENDPOINTS_FILE) => Vec::new(),
        Some(path) => crate::endpoints::load(path).map_err(StartError::Endpoints)?,
        None => Vec::new(),
    };
    Ok(State {
        config,
        clients: RwLock::new(clients),
        tokens,
        scenarios: RwLock::new(scenarios),
        journal,
        endpoints,
        external_ids: Default::default(),
        refresh_tokens: Default::default(),
    })
}

/// A bound, configured server that has not started serving yet.
pub struct Bound {
    pub state: Arc<State>,
    pub address: SocketAddr,
    listener: TcpListener,
}

impl Bound {
    pub fn new(config: Config) -> Result<Self, StartError> {
        let state = Arc::new(load_state(config)?);
        let addr = SocketAddr::new(state.config.host, state.config.port);
        let listener =
            TcpListener::bind(addr).map_err(|e| StartError::Bind(format!("{addr}: {e}")))?;
        let address = listener
            .local_addr()
            .map_err(|e| StartError::Bind(format!("{addr}: {e}")))?;
        Ok(Self {
            state,
            address,
            listener,
        })
    }

    /// The actix server future; must be polled inside an actix/tokio
    /// runtime. Signals are left to the caller.
    pub fn into_server(self) -> Result<Server, StartError> {
        let state = self.state.clone();
        let config = &self.state.config;
        let workers = config
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
        let data = web::Data::from(state);
        let (max_headers, max_header_bytes) = (config.max_headers, config.max_header_bytes);
        let server = HttpServer::new(move || {
            App::new()
                .configure(|cfg| routes::configure(cfg, data.clone()))
                .default_service(web::to(routes::not_found))
                .wrap_fn(move |req, srv| {
                    use actix_web::dev::Service;
                    use futures_util::future::{Either, FutureExt};
                    match routes::oversized_head(&req, max_headers, max_header_bytes) {
                        Some(answer) => Either::Left(std::future::ready(Ok(req
                            .into_response(answer)
                            .map_into_right_body()))),
                        None => {
                            Either::Right(srv.call(req).map(|r| r.map(|r| r.map_into_left_body())))
                        }
                    }
                })
        })
        .on_connect(routes::remember_socket)
        .workers(workers)
        .disable_signals()
        .client_request_timeout(config.client_request_timeout)
        .client_disconnect_timeout(std::time::Duration::from_secs(1))
        .keep_alive(config.keep_alive)
        .shutdown_timeout(config.shutdown_timeout.as_secs().max(1))
        .listen(self.listener)
        .map_err(|e| StartError::Bind(format!("{}: {e}", self.address)))?
        .run();
        Ok(server)
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
        let address = bound.address;
        let state = bound.state.clone();
        let token_paths = state.config.token_paths();
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
        })
    }

    /// The bound address (127.0.0.1 and the chosen port by default).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The URL of the first token path (Finpay's).
    pub fn token_url(&self) -> String {
        format!("{}{}", self.uri(), self.token_paths[0])
    }

    /// The server's shared state (client registry, token issuer).
    pub fn state(&self) -> &State {
        &self.state
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

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shutdown(false);
    }
}
