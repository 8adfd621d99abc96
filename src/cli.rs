//! The command line: `snap-mock [serve]` and the integrator tools.

use crate::config::{
    AdminMode, Config, Source, DEFAULT_CLIENTS_FILE, DEFAULT_ENDPOINTS_FILE,
    DEFAULT_SCENARIOS_FILE, DEFAULT_SIGNING_KEY_FILE,
};
use crate::server::Bound;
use crate::snap::{ContentTypeRule, ParseRules, Profile, TimestampMode};
use crate::tools;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "snap-mock",
    version,
    about = "A mock SNAP (Bank Indonesia Open API) access-token server for integration tests",
    long_about = "A mock SNAP (Bank Indonesia Open API) access-token server for integration tests.\n\n\
Serves POST .../v1.0/access-token/b2b exactly as Finpay and the BI standard do: it \
verifies the SHA256withRSA X-SIGNATURE against the registered client's public key, \
issues RS256 JWTs (keys at /.well-known/jwks.json), and answers every error with its \
SNAP responseCode. With no arguments it serves the bundled demo client on 127.0.0.1:8080.\n\n\
Every flag has an environment twin, SNAP_MOCK_<FLAG> (shown below). \
Log verbosity follows RUST_LOG (default: info).\n\n\
TEST KEYS ONLY: the keys in keys/ are public test keys; never use them in production.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the mock server (the default when no subcommand is given).
    Serve(Box<ServeArgs>),
    /// Generate a client key pair (PKCS#8 private, SPKI public) and print its clients.json entry.
    Keygen(KeygenArgs),
    /// Compute X-TIMESTAMP and X-SIGNATURE for a token request.
    Sign(SignArgs),
    /// Request a token from any SNAP server (this mock or a sandbox) and show the answer and claims.
    Token(TokenArgs),
    /// Check a signature offline and say what is wrong with it.
    Verify(VerifyArgs),
    /// Exit 0 when a snap-mock server answers GET /health (for container health checks).
    Healthcheck(HealthcheckArgs),
}

#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  snap-mock keygen --client-key my-client --register\n  \
# writes keys/my-client.private.pem and keys/my-client.public.pem, adds my-client to fixtures/clients.json"
)]
struct KeygenArgs {
    /// The client key (X-CLIENT-KEY) to generate for; default: a random UUID, as Finpay issues.
    #[arg(long)]
    client_key: Option<String>,
    /// RSA key size.
    #[arg(long, default_value_t = 2048, value_parser = parse_bits)]
    bits: usize,
    /// Directory to write the two PEM files into.
    #[arg(long, default_value = "keys", value_name = "DIR")]
    out: PathBuf,
    /// Also add the client to the clients fixture (other entries and formatting are kept).
    #[arg(long)]
    register: bool,
    #[command(flatten)]
    fixtures: ClientFixtureArgs,
}

/// Where the clients fixture and its key files are (`serve` and `keygen`).
#[derive(Args, Debug, Clone)]
struct ClientFixtureArgs {
    /// The clients fixture: client keys and their public keys (keygen --register edits it).
    #[arg(
        long,
        env = "SNAP_MOCK_CLIENTS",
        default_value = DEFAULT_CLIENTS_FILE,
        value_name = "FILE"
    )]
    clients: PathBuf,
    /// Directory that relative publicKey paths in the clients fixture point into.
    #[arg(
        long,
        env = "SNAP_MOCK_KEYS_DIR",
        default_value = "keys",
        value_name = "DIR"
    )]
    keys_dir: PathBuf,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum SignFormat {
    /// X-TIMESTAMP, X-CLIENT-KEY and X-SIGNATURE header lines.
    Headers,
    /// A ready-to-run curl command for --url.
    Curl,
    /// A JSON object with the headers and the string-to-sign.
    Json,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  snap-mock sign --private-key keys/demo-client.private.pem --client-key demo-client --format curl | sh"
)]
struct SignArgs {
    /// The client's RSA private key (PKCS#8 or PKCS#1 PEM).
    #[arg(long, value_name = "PEM")]
    private_key: PathBuf,
    /// X-CLIENT-KEY.
    #[arg(long)]
    client_key: String,
    /// X-TIMESTAMP to sign; default: now, as yyyy-MM-ddTHH:mm:ss+07:00.
    #[arg(long)]
    timestamp: Option<String>,
    /// Output form.
    #[arg(long, value_enum, default_value = "headers")]
    format: SignFormat,
    /// The token URL for --format curl.
    #[arg(
        long,
        default_value = "http://127.0.0.1:8080/pg/snap/oauth/v1.0/access-token/b2b"
    )]
    url: String,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Exit status: 0 when the answer is 2007300, 1 for any other answer, 2 when no answer came."
)]
struct TokenArgs {
    /// The token endpoint URL.
    #[arg(
        long,
        default_value = "http://127.0.0.1:8080/pg/snap/oauth/v1.0/access-token/b2b"
    )]
    url: String,
    /// The client's RSA private key (PKCS#8 or PKCS#1 PEM).
    #[arg(long, value_name = "PEM")]
    private_key: PathBuf,
    /// X-CLIENT-KEY.
    #[arg(long)]
    client_key: String,
    /// X-TIMESTAMP to sign; default: now.
    #[arg(long)]
    timestamp: Option<String>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Exit status: 0 when the signature is valid, 1 when it is not (the reason is printed)."
)]
struct VerifyArgs {
    /// The registered public key (SPKI or PKCS#1 PEM).
    #[arg(long, value_name = "PEM")]
    public_key: PathBuf,
    /// X-CLIENT-KEY as sent.
    #[arg(long)]
    client_key: String,
    /// X-TIMESTAMP as sent.
    #[arg(long)]
    timestamp: String,
    /// X-SIGNATURE as sent.
    #[arg(long)]
    signature: String,
}

#[derive(Args, Debug)]
struct HealthcheckArgs {
    /// The health URL; default: http://127.0.0.1:$SNAP_MOCK_PORT/health.
    #[arg(long)]
    url: Option<String>,
    /// The port when --url is not given.
    #[arg(long, env = "SNAP_MOCK_PORT", default_value_t = 8080)]
    port: u16,
    /// Milliseconds to wait for the answer.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(
        long,
        env = "SNAP_MOCK_HOST",
        default_value = "127.0.0.1",
        value_name = "ADDR"
    )]
    host: IpAddr,
    /// Port to listen on; 0 picks a free port (printed at start-up).
    #[arg(long, short, env = "SNAP_MOCK_PORT", default_value_t = 8080)]
    port: u16,
    #[command(flatten)]
    fixtures: ClientFixtureArgs,
    /// RSA private key (PKCS#8 or PKCS#1 PEM, 2048-8192 bits) that signs issued tokens.
    #[arg(
        long,
        env = "SNAP_MOCK_SIGNING_KEY",
        default_value = DEFAULT_SIGNING_KEY_FILE,
        value_name = "FILE"
    )]
    signing_key: PathBuf,
    /// Provider dialect: finpay (seed page), snap-bi (BI standard), bca (bracketed messages).
    #[arg(long, env = "SNAP_MOCK_PROFILE", default_value = "finpay", value_parser = parse_profile)]
    profile: &'static Profile,
    /// Extra token path to serve besides the two Finpay paths; repeat it, or
    /// comma-separate in the environment variable (e.g. /v1.0/access-token/b2b).
    #[arg(
        long = "token-path",
        env = "SNAP_MOCK_TOKEN_PATHS",
        value_delimiter = ',',
        value_name = "PATH"
    )]
    token_paths: Vec<String>,
    /// X-TIMESTAMP parsing: lenient (any RFC 3339 with offset or Z, optional
    /// fraction) or strict (exactly yyyy-MM-ddTHH:mm:ss±hh:mm).
    #[arg(long, env = "SNAP_MOCK_TIMESTAMP_MODE", default_value = "lenient", value_parser = parse_timestamp_mode)]
    timestamp_mode: TimestampMode,
    /// Allowed distance in seconds between X-TIMESTAMP and the server clock; 0 turns the check off.
    #[arg(
        long,
        env = "SNAP_MOCK_TIMESTAMP_WINDOW",
        default_value_t = 300,
        value_name = "SECONDS"
    )]
    timestamp_window: u64,
    /// Token lifetime in seconds (expiresIn, and exp - iat in the JWT).
    #[arg(
        long,
        env = "SNAP_MOCK_TOKEN_TTL",
        default_value_t = 900,
        value_name = "SECONDS"
    )]
    token_ttl: u64,
    /// The iss claim of issued tokens; an empty value leaves the claim out.
    #[arg(long, env = "SNAP_MOCK_ISSUER", default_value = "snap-mock")]
    issuer: String,
    /// Content-Type rule: lenient (absent or application/json), strict (must be
    /// application/json), ignore.
    #[arg(long, env = "SNAP_MOCK_CONTENT_TYPE", default_value = "lenient", value_parser = parse_content_type_rule)]
    content_type: ContentTypeRule,
    /// Accept the legacy body fields granttype and grant_type in place of grantType.
    #[arg(long, env = "SNAP_MOCK_ACCEPT_LEGACY_GRANT_TYPE")]
    accept_legacy_grant_type: bool,
    /// Largest request body accepted, in bytes; larger bodies get 4007300.
    #[arg(
        long,
        env = "SNAP_MOCK_MAX_BODY_BYTES",
        default_value_t = 65536,
        value_name = "BYTES"
    )]
    max_body_bytes: usize,
    /// Most request headers accepted; more get 431 (the HTTP layer stops at 96).
    #[arg(
        long,
        env = "SNAP_MOCK_MAX_HEADERS",
        default_value_t = 64,
        value_name = "N"
    )]
    max_headers: usize,
    /// Most bytes of request headers accepted; more get 431 (the HTTP layer stops at 32 KiB).
    #[arg(
        long,
        env = "SNAP_MOCK_MAX_HEADER_BYTES",
        default_value_t = 16384,
        value_name = "BYTES"
    )]
    max_header_bytes: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "SNAP_MOCK_WORKERS")]
    workers: Option<usize>,
    /// Add a "diagnosis" field to error bodies saying exactly why a request
    /// was rejected. For local debugging: real providers never do this.
    #[arg(long, env = "SNAP_MOCK_EXPLAIN")]
    explain: bool,
    /// Milliseconds a client has to send its request head (slowloris guard).
    #[arg(
        long,
        env = "SNAP_MOCK_REQUEST_TIMEOUT_MS",
        default_value_t = 5000,
        value_name = "MS"
    )]
    request_timeout_ms: u64,
    /// Seconds an idle keep-alive connection stays open.
    #[arg(
        long,
        env = "SNAP_MOCK_KEEP_ALIVE",
        default_value_t = 5,
        value_name = "SECONDS"
    )]
    keep_alive: u64,
    /// Seconds requests in flight get to finish after SIGTERM/SIGINT.
    #[arg(
        long,
        env = "SNAP_MOCK_SHUTDOWN_TIMEOUT",
        default_value_t = 1,
        value_name = "SECONDS"
    )]
    shutdown_timeout: u64,
    /// The scenarios fixture (forced codes, delays, faults); an empty value loads none.
    #[arg(
        long,
        env = "SNAP_MOCK_SCENARIOS",
        default_value = DEFAULT_SCENARIOS_FILE,
        value_name = "FILE",
        value_parser = path_or_empty
    )]
    scenarios: PathBuf,
    /// Transactional endpoints protected by the token and the symmetric
    /// signature; an empty value serves none.
    #[arg(
        long,
        env = "SNAP_MOCK_ENDPOINTS",
        default_value = DEFAULT_ENDPOINTS_FILE,
        value_name = "FILE",
        value_parser = path_or_empty
    )]
    endpoints: PathBuf,
    /// Admin API: auto (on for a loopback address or with --admin-token, off
    /// otherwise), on, off.
    #[arg(long, env = "SNAP_MOCK_ADMIN", default_value = "auto", value_parser = parse_admin_mode)]
    admin: AdminMode,
    /// Turn the admin API off (same as --admin off).
    #[arg(long, env = "SNAP_MOCK_NO_ADMIN")]
    no_admin: bool,
    /// Require "Authorization: Bearer <TOKEN>" on the admin API.
    #[arg(
        long,
        env = "SNAP_MOCK_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    admin_token: Option<String>,
    /// Path prefix of the admin API.
    #[arg(
        long,
        env = "SNAP_MOCK_ADMIN_PREFIX",
        default_value = "/__admin",
        value_name = "PATH"
    )]
    admin_prefix: String,
    /// Requests kept in the journal (GET /__admin/requests); 0 disables it.
    #[arg(
        long,
        env = "SNAP_MOCK_JOURNAL_SIZE",
        default_value_t = 1000,
        value_name = "N"
    )]
    journal_size: usize,
    /// Request bodies longer than this are cut in the journal.
    #[arg(
        long,
        env = "SNAP_MOCK_JOURNAL_BODY_LIMIT",
        default_value_t = 4096,
        value_name = "BYTES"
    )]
    journal_body_limit: usize,
}

fn parse_admin_mode(s: &str) -> Result<AdminMode, String> {
    s.parse()
}

/// A path, where an empty value means "none".
fn path_or_empty(s: &str) -> Result<PathBuf, String> {
    Ok(PathBuf::from(s))
}

fn parse_bits(s: &str) -> Result<usize, String> {
    match s {
        "2048" | "3072" | "4096" => s.parse().map_err(|_| unreachable_bits()),
        _ => Err(unreachable_bits()),
    }
}

fn unreachable_bits() -> String {
    "2048, 3072 or 4096".into()
}

fn parse_profile(s: &str) -> Result<&'static Profile, String> {
    s.parse()
}

fn parse_timestamp_mode(s: &str) -> Result<TimestampMode, String> {
    s.parse()
}

fn parse_content_type_rule(s: &str) -> Result<ContentTypeRule, String> {
    s.parse()
}

impl ServeArgs {
    pub fn into_config(self) -> Config {
        Config {
            host: self.host,
            port: self.port,
            clients: Source::File(self.fixtures.clients),
            keys_dir: self.fixtures.keys_dir,
            signing_key: Source::File(self.signing_key),
            profile: self.profile,
            extra_token_paths: self
                .token_paths
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect(),
            timestamp_window: Duration::from_secs(self.timestamp_window),
            token_lifetime: Duration::from_secs(self.token_ttl),
            issuer: Some(self.issuer).filter(|s| !s.is_empty()),
            max_body_bytes: self.max_body_bytes,
            max_headers: self.max_headers,
            max_header_bytes: self.max_header_bytes,
            workers: self.workers,
            explain: self.explain,
            client_request_timeout: Duration::from_millis(self.request_timeout_ms),
            keep_alive: Duration::from_secs(self.keep_alive),
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout),
            scenarios: Some(self.scenarios)
                .filter(|p| !p.as_os_str().is_empty())
                .map(Source::File),
            endpoints: Some(self.endpoints)
                .filter(|p| !p.as_os_str().is_empty())
                .map(Source::File),
            clock: Default::default(),
            admin: if self.no_admin {
                AdminMode::Off
            } else {
                self.admin
            },
            admin_token: self.admin_token.filter(|t| !t.is_empty()),
            admin_prefix: self.admin_prefix,
            journal_capacity: self.journal_size,
            journal_body_limit: self.journal_body_limit,
            parse_rules: ParseRules {
                timestamp_mode: self.timestamp_mode,
                content_type: self.content_type,
                accept_legacy_grant_type: self.accept_legacy_grant_type,
            },
        }
    }
}

/// Entry point of the `snap-mock` binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Serve(args)) => serve(*args),
        Some(Command::Keygen(args)) => keygen(args),
        Some(Command::Sign(args)) => sign(args),
        Some(Command::Token(args)) => token(args),
        Some(Command::Verify(args)) => verify(args),
        Some(Command::Healthcheck(args)) => healthcheck(args),
        None => serve(cli.serve),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("snap-mock: {message}");
    ExitCode::from(2)
}

fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn keygen(args: KeygenArgs) -> ExitCode {
    let client_key = args
        .client_key
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let generated = match tools::keygen(&client_key, args.bits, &args.out, &args.fixtures.keys_dir)
    {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    println!("client key:  {}", generated.client_key);
    println!(
        "private key: {} (PKCS#8; TEST USE ONLY, keep it out of version control if it matters)",
        generated.private_key_path.display()
    );
    println!(
        "public key:  {} (SPKI)",
        generated.public_key_path.display()
    );
    let entry = serde_json::to_string_pretty(&generated.entry).unwrap_or_default();
    if args.register {
        if let Err(e) = tools::register_client(
            &args.fixtures.clients,
            &args.fixtures.keys_dir,
            &generated.entry,
        ) {
            return fail(e);
        }
        println!(
            "registered in {}; restart snap-mock or send it SIGHUP to load it:",
            args.fixtures.clients.display()
        );
    } else {
        println!(
            "add this to the \"clients\" array of {} (or rerun with --register):",
            args.fixtures.clients.display()
        );
    }
    println!("{entry}");
    ExitCode::SUCCESS
}

/// Reads a private key file and signs `client_key|timestamp` (`sign`, `token`).
fn sign_with_key_file(
    private_key: &std::path::Path,
    client_key: &str,
    timestamp: Option<&str>,
) -> Result<tools::SignedHeaders, String> {
    read(private_key).and_then(|pem| tools::sign_request(&pem, client_key, timestamp))
}

fn sign(args: SignArgs) -> ExitCode {
    let signed = match sign_with_key_file(
        &args.private_key,
        &args.client_key,
        args.timestamp.as_deref(),
    ) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match args.format {
        SignFormat::Headers => print!("{}", signed.as_headers()),
        SignFormat::Curl => print!("{}", signed.as_curl(&args.url)),
        SignFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&signed.as_json()).unwrap_or_default()
        ),
    }
    ExitCode::SUCCESS
}

fn token(args: TokenArgs) -> ExitCode {
    let signed = match sign_with_key_file(
        &args.private_key,
        &args.client_key,
        args.timestamp.as_deref(),
    ) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    println!("POST {}", args.url);
    print!("{}", signed.as_headers());
    println!("string-to-sign: {}", signed.string_to_sign);
    let result = match tools::request_token(&args.url, &signed, Duration::from_secs(args.timeout)) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    println!("\nHTTP {}", result.status);
    match serde_json::to_string_pretty(&result.body) {
        Ok(pretty) if !result.body.is_null() => println!("{pretty}"),
        _ => println!("{}", result.raw_body),
    }
    if let Some((header, claims)) = &result.claims {
        println!("\ntoken header (not verified): {header}");
        println!(
            "token claims (not verified): {}",
            serde_json::to_string_pretty(claims).unwrap_or_default()
        );
    }
    if result.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn verify(args: VerifyArgs) -> ExitCode {
    let pem = match read(&args.public_key) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    match tools::verify_offline(&pem, &args.client_key, &args.timestamp, &args.signature) {
        Ok(verdict) => {
            println!("{verdict}");
            ExitCode::SUCCESS
        }
        Err(verdict) if verdict.starts_with("invalid") => {
            println!("{verdict}");
            ExitCode::from(1)
        }
        Err(e) => fail(e),
    }
}

fn healthcheck(args: HealthcheckArgs) -> ExitCode {
    let url = args
        .url
        .unwrap_or_else(|| format!("http://127.0.0.1:{}/health", args.port));
    match tools::healthcheck(&url, Duration::from_millis(args.timeout_ms)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("snap-mock healthcheck: {e}");
            ExitCode::from(1)
        }
    }
}

fn init_logging() {
    // Logs go to stdout so container runtimes collect them with the rest.
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .target(env_logger::Target::Stdout)
        .try_init();
}

fn serve(args: ServeArgs) -> ExitCode {
    init_logging();
    let bound = match Bound::new(args.into_config()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("snap-mock: {e}");
            return ExitCode::from(2);
        }
    };
    let config = &bound.state.config;
    let clients = bound.state.stores.clients.len();
    println!(
        "snap-mock listening on http://{} (profile {}, {} client{}); token paths: {}",
        bound.address,
        config.profile.name,
        clients,
        if clients == 1 { "" } else { "s" },
        config.token_paths().join(", ")
    );
    let _ = std::io::stdout().flush();

    let state = bound.state.clone();
    let result = actix_web::rt::System::new().block_on(async move {
        let server = bound.into_server()?;
        let handle = server.handle();
        #[cfg(unix)]
        actix_web::rt::spawn(reload_on_sighup(state));
        actix_web::rt::spawn(async move {
            wait_for_stop_signal().await;
            log::info!("stopping: answering requests in flight, then exiting");
            handle.stop(true).await;
        });
        server
            .await
            .map_err(|e| crate::server::StartError::Bind(e.to_string()))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("snap-mock: {e}");
            ExitCode::FAILURE
        }
    }
}

/// SIGHUP re-reads the scenarios and clients fixtures; a broken file is
/// reported and the previous state stays in force.
#[cfg(unix)]
async fn reload_on_sighup(state: std::sync::Arc<crate::state::State>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        log::warn!("cannot install the SIGHUP handler; reload through the admin API");
        return;
    };
    while hup.recv().await.is_some() {
        match state.reload_scenarios() {
            Ok(n) => log::info!("SIGHUP: reloaded {n} scenarios"),
            Err(e) => {
                log::error!("SIGHUP: scenarios not reloaded, previous ones stay in force: {e}")
            }
        }
        match state.reload_clients() {
            Ok(n) => log::info!("SIGHUP: reloaded {n} clients"),
            Err(e) => {
                log::error!("SIGHUP: clients not reloaded, previous ones stay registered: {e}")
            }
        }
    }
}

#[cfg(unix)]
async fn wait_for_stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        log::warn!("cannot install signal handlers; stop with SIGKILL");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
}

#[cfg(not(unix))]
async fn wait_for_stop_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
