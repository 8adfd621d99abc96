//! The command line: `snap-mock [serve]` and the integrator tools.

mod commands;
mod pay;
mod probe;
mod serve;

use crate::config::{DEFAULT_CLIENTS_FILE, DEFAULT_LOCAL_CLIENTS_FILE};
mod tools;
use clap::{Args, Parser, Subcommand};
use commands::{healthcheck, keygen, register, sign, token, verify};
use serve::{serve, ServeArgs};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Register a public key you already have for a new client in the clients fixture.
    Register(RegisterArgs),
    /// Compute X-TIMESTAMP and X-SIGNATURE for a token request.
    Sign(SignArgs),
    /// Request a token from any SNAP server (this mock or a sandbox) and show the answer and claims.
    Token(TokenArgs),
    /// Check a signature offline and say what is wrong with it.
    Verify(VerifyArgs),
    /// Exit 0 when a snap-mock server answers GET /health (for container health checks).
    Healthcheck(HealthcheckArgs),
    /// Play the bank against a merchant's own SNAP server: token, VA inquiry
    /// and payment, then every negative case with the code the standard expects.
    Probe(Box<probe::ProbeArgs>),
    /// The customer pays (or fails, or lets expire) a transaction on a
    /// running snap-mock, through its admin API.
    Pay(pay::PayArgs),
    /// Print the public key (SPKI PEM) merchants verify notifications with;
    /// the server also serves it at GET /notification-key.pem.
    NotificationKey(pay::NotificationKeyArgs),
}

#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  snap-mock keygen --client-key my-client --register\n  \
# writes keys/my-client.private.pem and keys/my-client.public.pem, adds my-client to fixtures/clients.local.json"
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
    /// Also add the client to the clients fixture (created if missing; other
    /// entries and formatting are kept). Nothing is written unless both the
    /// keys and the registration succeed.
    #[arg(long)]
    register: bool,
    /// The client secret of the symmetric (HMAC-SHA512) signature of
    /// transactional calls; without a value, one is generated and printed.
    #[arg(long, value_name = "SECRET", num_args = 0..=1, default_missing_value = "")]
    client_secret: Option<String>,
    #[command(flatten)]
    fixtures: RegisterFixtureArgs,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  snap-mock register --client-key partner-42 --public-key ~/keys/partner-42.pub.pem --client-secret\n  \
# adds partner-42 to fixtures/clients.local.json with a generated client secret"
)]
struct RegisterArgs {
    /// The client key (X-CLIENT-KEY) to register.
    #[arg(long)]
    client_key: String,
    /// The client's public key (SPKI or PKCS#1 PEM file).
    #[arg(long, value_name = "PEM")]
    public_key: PathBuf,
    /// The client secret of the symmetric (HMAC-SHA512) signature of
    /// transactional calls; without a value, one is generated and printed.
    #[arg(long, value_name = "SECRET", num_args = 0..=1, default_missing_value = "")]
    client_secret: Option<String>,
    #[command(flatten)]
    fixtures: RegisterFixtureArgs,
}

fn secret_choice(arg: Option<String>) -> Option<tools::Secret> {
    arg.map(|s| {
        if s.is_empty() {
            tools::Secret::Generate
        } else {
            tools::Secret::Given(s)
        }
    })
}

/// Where the clients fixture and its key files are (`serve`).
#[derive(Args, Debug, Clone)]
struct ClientFixtureArgs {
    /// The clients fixture: client keys and their public keys. At its
    /// default path and absent (started outside the repository): the
    /// bundled one.
    #[arg(
        long,
        env = "SNAP_MOCK_CLIENTS",
        default_value = DEFAULT_CLIENTS_FILE,
        value_name = "FILE"
    )]
    clients: PathBuf,
    /// Your own clients, read on top of --clients (the same client key
    /// replaces the fixture's): where keygen --register and register write.
    /// Not compiled in; skipped when absent at its default path; an empty
    /// value means none.
    #[arg(
        long,
        env = "SNAP_MOCK_LOCAL_CLIENTS",
        default_value = DEFAULT_LOCAL_CLIENTS_FILE,
        value_name = "FILE"
    )]
    local_clients: PathBuf,
    /// Directory that relative publicKey paths in the clients fixture point into.
    #[arg(
        long,
        env = "SNAP_MOCK_KEYS_DIR",
        default_value = "keys",
        value_name = "DIR"
    )]
    keys_dir: PathBuf,
}

/// Where `keygen --register` and `register` write.
#[derive(Args, Debug, Clone)]
struct RegisterFixtureArgs {
    /// The clients file to register into (created if missing): by default
    /// your local clients file, which the server reads on top of the bundled
    /// fixture and which is never compiled in.
    #[arg(
        long,
        env = "SNAP_MOCK_LOCAL_CLIENTS",
        default_value = DEFAULT_LOCAL_CLIENTS_FILE,
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

/// What is signed.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum SignMode {
    /// A token request: X-CLIENT-KEY + "|" + X-TIMESTAMP.
    Token,
    /// A service call without a token (the asymmetric service signature):
    /// METHOD:path?query:hex(sha256(minified body)):X-TIMESTAMP, the path
    /// and query taken from --url; --client-key is sent as X-PARTNER-ID.
    Service,
    /// A transactional call with a B2B token (the symmetric signature, 8 of
    /// 10 presets): base64(HMAC-SHA512(--client-secret,
    /// METHOD:path?query:token:hex(sha256(minified body)):X-TIMESTAMP)),
    /// the token from --access-token; --client-key is sent as X-PARTNER-ID.
    Symmetric,
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
    after_help = "Examples:\n  snap-mock sign --private-key keys/demo-client.private.pem --client-key demo-client --format curl | sh\n  snap-mock sign --mode service --private-key keys/demo-client.private.pem --client-key demo-client \\\n    --url http://127.0.0.1:8080/payment-gateway/v1.0/debit/status.htm --body '{\"merchantId\":\"1\"}' --format curl"
)]
struct SignArgs {
    /// What to sign: a token request, or a service call without a token.
    #[arg(long, value_enum, default_value = "token")]
    mode: SignMode,
    /// Service mode: the HTTP method.
    #[arg(long, default_value = "POST")]
    method: String,
    /// Service mode: the request body (hashed minified, sent as given).
    #[arg(long, default_value = "")]
    body: String,
    /// The client's RSA private key (PKCS#8 or PKCS#1 PEM); token and
    /// service modes.
    #[arg(long, value_name = "PEM", required_unless_present = "client_secret")]
    private_key: Option<PathBuf>,
    /// Symmetric mode: the client secret the HMAC is keyed with.
    #[arg(long, value_name = "SECRET", requires = "access_token")]
    client_secret: Option<String>,
    /// Symmetric mode: the B2B access token the call carries (and signs).
    #[arg(long, value_name = "TOKEN")]
    access_token: Option<String>,
    /// X-CLIENT-KEY (X-PARTNER-ID in service and symmetric modes).
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
    /// For an https URL: trust the certificates in this PEM file (for
    /// snap-mock --tls, the file --tls-cert-out wrote); default: the file
    /// SSL_CERT_FILE names, else the public roots.
    #[arg(long, value_name = "PEM")]
    cacert: Option<PathBuf>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Exit status: 0 when the signature is valid, 1 when it is not (the reason is printed)."
)]
struct VerifyArgs {
    /// What was signed: a token request, or a service call without a token.
    #[arg(long, value_enum, default_value = "token")]
    mode: SignMode,
    /// Service mode: the HTTP method as sent.
    #[arg(long, default_value = "POST")]
    method: String,
    /// Service mode: the URL (or path and query) as sent.
    #[arg(long, default_value = "")]
    url: String,
    /// Service mode: the request body as sent.
    #[arg(long, default_value = "")]
    body: String,
    /// The registered public key (SPKI or PKCS#1 PEM); token and service
    /// modes.
    #[arg(long, value_name = "PEM", required_unless_present = "client_secret")]
    public_key: Option<PathBuf>,
    /// Symmetric mode: the client secret.
    #[arg(long, value_name = "SECRET", requires = "access_token")]
    client_secret: Option<String>,
    /// Symmetric mode: the access token the call carried.
    #[arg(long, value_name = "TOKEN")]
    access_token: Option<String>,
    /// X-CLIENT-KEY (token mode) or X-PARTNER-ID (service mode) as sent.
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
    /// HTTPS: the server serves TLS (the same switch as the server's).
    #[arg(long, env = "SNAP_MOCK_TLS")]
    tls: bool,
    /// HTTPS: the certificate to trust; default: the server's
    /// --tls-cert-out file, else its --tls-cert.
    #[arg(long, value_name = "PEM")]
    ca_cert: Option<PathBuf>,
}

/// A bad value that came from an environment variable, not the command
/// line: the message names the variable (clap's names the flag the user
/// never typed).
fn from_environment(error: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    use clap::CommandFactory;
    if !matches!(
        error.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        return None;
    }
    let ContextValue::String(arg) = error.get(ContextKind::InvalidArg)? else {
        return None;
    };
    let long = arg.split_whitespace().next()?.strip_prefix("--")?;
    let typed =
        std::env::args().any(|a| a == format!("--{long}") || a.starts_with(&format!("--{long}=")));
    if typed {
        return None;
    }
    let command = Cli::command();
    let subcommands = command.get_subcommands().flat_map(|c| c.get_arguments());
    let variable = command
        .get_arguments()
        .chain(subcommands)
        .find(|a| a.get_long() == Some(long))?
        .get_env()?
        .to_string_lossy()
        .into_owned();
    let value = std::env::var(&variable).ok()?;
    let why = error
        .render()
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_owned();
    Some(format!(
        "{variable}={value:?}: {why} (the variable is the environment twin of --{long}; fix or unset it)"
    ))
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

/// Entry point of the `snap-mock` binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match from_environment(&e) {
            Some(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
            None => e.exit(),
        },
    };
    match cli.command {
        Some(Command::Serve(args)) => serve(*args),
        Some(Command::Keygen(args)) => keygen(args),
        Some(Command::Register(args)) => register(args),
        Some(Command::Sign(args)) => sign(args),
        Some(Command::Token(args)) => token(args),
        Some(Command::Verify(args)) => verify(args),
        Some(Command::Healthcheck(args)) => healthcheck(args),
        Some(Command::Probe(args)) => probe::probe(*args),
        Some(Command::Pay(args)) => pay::pay(args),
        Some(Command::NotificationKey(args)) => pay::notification_key(args),
        None => serve(cli.serve),
    }
}
