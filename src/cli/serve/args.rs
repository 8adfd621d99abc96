//! The flags of `snap-mock [serve]` (each one's help is the README's
//! reference) and the [`Config`] they make.

use super::parsers::{
    boolish, parse_admin_mode, parse_base_path, parse_body_hash, parse_content_type_rule,
    parse_profile, parse_provider, parse_timestamp_mode, parse_token_format, path_or_empty,
};
use super::store_args::StoreArgs;
use super::tls_args::TlsArgs;
use crate::cli::ClientFixtureArgs;
use crate::config::{
    AdminMode, Config, Source, DEFAULT_CLIENTS_FILE, DEFAULT_ENDPOINTS_FILE,
    DEFAULT_SCENARIOS_FILE, DEFAULT_SIGNING_KEY_FILE,
};
use crate::provider::{Provider, TokenFormat};
use crate::snap::{BodyHashRule, ContentTypeRule, ParseRules, Profile, TimestampMode};
use clap::Args;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Provider preset (any case): finpay (the default), snap-bi, bca, bri,
    /// bni, doku, midtrans, dana, nicepay, paylabs. Sets the token paths,
    /// the base path, the wording (profile), grant-type spellings, token
    /// format, service signature and body-hash form its SDK expects
    /// (README: "Providers"); the flags below override it.
    #[arg(long, env = "SNAP_MOCK_PROVIDER", default_value = "finpay", value_parser = parse_provider)]
    provider: &'static Provider,
    /// Wording and body typing, overriding the provider's: finpay (seed page),
    /// snap-bi (BI standard), bca (bracketed messages), doku.
    #[arg(long, env = "SNAP_MOCK_PROFILE", value_parser = parse_profile)]
    profile: Option<&'static Profile>,
    /// Access tokens: jwt (RS256) or opaque (64 hex characters, validated
    /// through the server's store), overriding the provider's.
    #[arg(long, env = "SNAP_MOCK_TOKEN_FORMAT", value_parser = parse_token_format)]
    token_format: Option<TokenFormat>,
    #[command(flatten)]
    store: StoreArgs,
    /// Opaque access tokens held; past it the oldest is dropped.
    #[arg(
        long,
        env = "SNAP_MOCK_MAX_ACCESS_TOKENS",
        default_value_t = 100_000,
        value_name = "N"
    )]
    max_access_tokens: usize,
    /// Extra B2B2C token path besides the provider's (any shape, e.g.
    /// /v1.0/access-token/b2b2c.htm); repeat it, or comma-separate in the
    /// environment variable.
    #[arg(
        long = "b2b2c-token-path",
        env = "SNAP_MOCK_B2B2C_TOKEN_PATHS",
        value_delimiter = ',',
        value_name = "PATH"
    )]
    b2b2c_token_paths: Vec<String>,
    /// Extra B2B token path to serve besides the provider's (any shape); one
    /// that ends in /access-token/b2b brings its .../b2b2c twin. Repeat it,
    /// or comma-separate in the environment variable (e.g. /v1.0/access-token/b2b).
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
    #[arg(long, env = "SNAP_MOCK_ACCEPT_LEGACY_GRANT_TYPE", value_parser = boolish())]
    accept_legacy_grant_type: bool,
    /// What the body hash of a service signature covers: minified (the
    /// standard: whitespace outside strings removed), as-sent (the bytes as
    /// sent; nicepay), or any (either; the journal says which matched).
    /// Default: the provider's.
    #[arg(long, env = "SNAP_MOCK_BODY_HASH", value_parser = parse_body_hash)]
    body_hash: Option<BodyHashRule>,
    /// Serve every SNAP path (token and endpoints) under this prefix, left
    /// out of signed paths, e.g. /nicepay. Default: the provider's ("" for
    /// none).
    #[arg(long, env = "SNAP_MOCK_BASE_PATH", value_parser = parse_base_path)]
    base_path: Option<String>,
    /// The longest X-EXTERNAL-ID accepted (the standard types it
    /// String(36)); raise it for a client that sends longer ones (an SDK
    /// sending a UUID and epoch milliseconds: 50). Default: the provider's.
    #[arg(long, env = "SNAP_MOCK_EXTERNAL_ID_MAX_CHARS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    external_id_max_chars: Option<u16>,
    /// Transactional calls: accept any X-PARTNER-ID (by default it must be the
    /// token's client key or the client's registered partnerId).
    #[arg(long, env = "SNAP_MOCK_ANY_PARTNER_ID", value_parser = boolish())]
    any_partner_id: bool,
    /// Transactional calls: accept a B2B2C customer token in Authorization,
    /// where the standard wants a B2B token.
    #[arg(long, env = "SNAP_MOCK_ACCEPT_CUSTOMER_TOKEN", value_parser = boolish())]
    accept_customer_token: bool,
    /// Largest request body accepted, in bytes; larger bodies get 4007300.
    #[arg(
        long,
        env = "SNAP_MOCK_MAX_BODY_BYTES",
        default_value_t = 65536,
        value_name = "BYTES"
    )]
    max_body_bytes: usize,
    /// Largest fixture or key file read, at start and on reload; larger
    /// ones are refused with their size (the previous state stays).
    #[arg(
        long,
        env = "SNAP_MOCK_MAX_FIXTURE_BYTES",
        default_value_t = crate::fixtures::DEFAULT_MAX_FILE_BYTES,
        value_name = "BYTES"
    )]
    max_fixture_bytes: u64,
    /// Most request headers accepted; more get 431 (the HTTP layer stops at 96).
    #[arg(long, env = "SNAP_MOCK_MAX_HEADERS", default_value_t = 64)]
    max_headers: usize,
    /// Most bytes of request headers accepted; more get 431 (the HTTP layer stops at 32 KiB).
    #[arg(
        long,
        env = "SNAP_MOCK_MAX_HEADER_BYTES",
        default_value_t = 16384,
        value_name = "BYTES"
    )]
    max_header_bytes: usize,
    /// HTTP worker threads (default: one per core; at most 256).
    #[arg(long, env = "SNAP_MOCK_WORKERS")]
    workers: Option<usize>,
    /// Add a "diagnosis" field to error bodies saying exactly why a request
    /// was rejected. For local debugging: real providers never do this.
    #[arg(long, env = "SNAP_MOCK_EXPLAIN", value_parser = boolish())]
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
    /// The scenarios fixture (forced codes, delays, faults); an empty value
    /// loads none. It adds to the bundled demo scenarios (one of the same
    /// name replaces the bundled one) unless --no-bundled.
    #[arg(
        long,
        env = "SNAP_MOCK_SCENARIOS",
        default_value = DEFAULT_SCENARIOS_FILE,
        value_name = "FILE",
        value_parser = path_or_empty
    )]
    scenarios: PathBuf,
    /// Transactional endpoints protected by the token and the symmetric
    /// signature; an empty value serves none. They add to the bundled ones
    /// (the same method and path replaces the bundled one) unless
    /// --no-bundled.
    #[arg(
        long,
        env = "SNAP_MOCK_ENDPOINTS",
        default_value = DEFAULT_ENDPOINTS_FILE,
        value_name = "FILE",
        value_parser = path_or_empty
    )]
    endpoints: PathBuf,
    /// Use nothing compiled in for fixtures: no bundled scenarios or
    /// endpoints under the files given, and no bundled clients, scenarios
    /// or endpoints when a default file is absent (a mounted directory is
    /// then all there is).
    #[arg(long, env = "SNAP_MOCK_NO_BUNDLED", value_parser = boolish())]
    no_bundled: bool,
    /// Admin API: auto (on for a loopback address or with --admin-token, off
    /// otherwise), on, off.
    #[arg(long, env = "SNAP_MOCK_ADMIN", default_value = "auto", value_parser = parse_admin_mode)]
    admin: AdminMode,
    /// Turn the admin API off (same as --admin off).
    #[arg(long, env = "SNAP_MOCK_NO_ADMIN", value_parser = boolish())]
    no_admin: bool,
    /// Require "Authorization: Bearer TOKEN" on the admin API.
    #[arg(
        long,
        env = "SNAP_MOCK_ADMIN_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    admin_token: Option<String>,
    /// A host name the admin API answers to (repeat, or comma-separate in
    /// the variable), besides IP addresses, localhost and *.localhost: the
    /// name other containers or a Kubernetes Service reach it by. Any other
    /// Host header gets 403 (DNS rebinding). `*` allows any.
    #[arg(
        long = "admin-allowed-host",
        env = "SNAP_MOCK_ADMIN_ALLOWED_HOST",
        value_name = "HOST",
        value_delimiter = ','
    )]
    admin_allowed_hosts: Vec<String>,
    /// Path prefix of the admin API.
    #[arg(
        long,
        env = "SNAP_MOCK_ADMIN_PREFIX",
        default_value = "/__admin",
        value_name = "PATH"
    )]
    admin_prefix: String,
    /// Most X-EXTERNAL-IDs remembered per WIB day (16 bytes each); past it,
    /// calls with a new id get 500{svc}01 saying so.
    #[arg(long, env = "SNAP_MOCK_MAX_EXTERNAL_IDS", default_value_t = 1_000_000)]
    max_external_ids: usize,
    /// Most unused B2B2C refresh tokens held; past it the oldest is dropped.
    #[arg(long, env = "SNAP_MOCK_MAX_REFRESH_TOKENS", default_value_t = 100_000)]
    max_refresh_tokens: usize,
    /// Most transactions with state (virtual accounts) held; past it the
    /// oldest is dropped.
    #[arg(long, env = "SNAP_MOCK_MAX_TRANSACTIONS", default_value_t = 100_000)]
    max_transactions: usize,
    /// The provider's RSA private key that signs notifications to merchants
    /// (PEM); default: the bundled test key keys/provider.private.pem. Its
    /// public key is served at GET /notification-key.pem.
    #[arg(long, env = "SNAP_MOCK_NOTIFICATION_KEY", value_name = "FILE")]
    notification_key: Option<PathBuf>,
    /// Delays between attempts of a notification the merchant did not
    /// acknowledge (2xx with a success responseCode), on the server's clock;
    /// empty for no retry.
    #[arg(
        long,
        env = "SNAP_MOCK_NOTIFICATION_RETRIES",
        default_value = "2m,5m,10m,90m,210m",
        value_parser = parse_retries,
        value_name = "DELAYS"
    )]
    notification_retries: Retries,
    /// Notifications kept, pending or past; past it the oldest is dropped
    /// (journaled when it was still pending).
    #[arg(long, env = "SNAP_MOCK_MAX_NOTIFICATIONS", default_value_t = 10_000)]
    max_notifications: usize,
    /// How notifications reach the merchant, overriding the provider's:
    /// asymmetric (SHA256withRSA, no token; the default) or bearer-token
    /// (a B2B token from the merchant's own token endpoint first, then
    /// HMAC-SHA512 with the client's secret; bca).
    #[arg(long, env = "SNAP_MOCK_NOTIFICATION_AUTH", value_name = "MODE")]
    notification_auth: Option<crate::provider::NotificationAuth>,
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
    #[command(flatten)]
    pub(super) tls: TlsArgs,
    /// Reload the clients and scenarios fixtures (and the clients' key files)
    /// when they change, as SIGHUP does; a broken file keeps what is in force.
    #[arg(long, env = "SNAP_MOCK_WATCH", value_parser = boolish())]
    pub(super) watch: bool,
    /// Keep bearer and refresh tokens whole in the journal and the log (by
    /// default: the first 8 characters and a SHA-256 fingerprint).
    #[arg(long, env = "SNAP_MOCK_JOURNAL_SECRETS_VERBATIM", value_parser = boolish())]
    journal_secrets_verbatim: bool,
}

impl ServeArgs {
    // Long on purpose: one line per flag, in the order of the struct.
    pub fn into_config(self) -> Config {
        let preset = Config::default().with_provider(self.provider);
        let bundled = !self.no_bundled;
        // A fixture falls back to the bundled one unless --no-bundled; the
        // signing key always may.
        let fixture = |path: PathBuf, default: &str| file_or_bundled(path, default, bundled);
        Config {
            host: self.host,
            port: self.port,
            clients: fixture(self.fixtures.clients, DEFAULT_CLIENTS_FILE),
            local_clients: Some(self.fixtures.local_clients)
                .filter(|p| !p.as_os_str().is_empty())
                .map(Source::File),
            keys_dir: self.fixtures.keys_dir,
            signing_key: file_or_bundled(self.signing_key, DEFAULT_SIGNING_KEY_FILE, true),
            provider: self.provider,
            profile: self.profile.unwrap_or(preset.profile),
            token_format: self.token_format.unwrap_or(preset.token_format),
            body_hash: self.body_hash.unwrap_or(preset.body_hash),
            base_path: self.base_path.unwrap_or(preset.base_path),
            external_id_max_chars: self
                .external_id_max_chars
                .map_or(preset.external_id_max_chars, usize::from),
            max_access_tokens: self.max_access_tokens,
            extra_b2b2c_token_paths: self
                .b2b2c_token_paths
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect(),
            extra_token_paths: self
                .token_paths
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect(),
            timestamp_window: Duration::from_secs(self.timestamp_window),
            token_lifetime: Duration::from_secs(self.token_ttl),
            issuer: Some(self.issuer).filter(|s| !s.is_empty()),
            max_body_bytes: self.max_body_bytes,
            max_fixture_bytes: self.max_fixture_bytes,
            max_headers: self.max_headers,
            max_header_bytes: self.max_header_bytes,
            workers: self.workers,
            explain: self.explain,
            client_request_timeout: Duration::from_millis(self.request_timeout_ms),
            tls_handshake_timeout: Duration::from_millis(self.tls.tls_handshake_timeout_ms),
            max_tls_handshakes: self.tls.max_tls_handshakes as usize,
            keep_alive: Duration::from_secs(self.keep_alive),
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout),
            scenarios: Some(self.scenarios)
                .filter(|p| !p.as_os_str().is_empty())
                .map(|p| fixture(p, DEFAULT_SCENARIOS_FILE)),
            endpoints: Some(self.endpoints)
                .filter(|p| !p.as_os_str().is_empty())
                .map(|p| fixture(p, DEFAULT_ENDPOINTS_FILE)),
            bundled_underneath: bundled,
            clock: Default::default(),
            admin: if self.no_admin {
                AdminMode::Off
            } else {
                self.admin
            },
            admin_token: self.admin_token,
            admin_allowed_hosts: self.admin_allowed_hosts,
            admin_prefix: self.admin_prefix,
            max_external_ids: self.max_external_ids,
            max_refresh_tokens: self.max_refresh_tokens,
            any_partner_id: self.any_partner_id,
            accept_customer_token: self.accept_customer_token,
            journal_capacity: self.journal_size,
            journal_body_limit: self.journal_body_limit,
            journal_secrets_verbatim: self.journal_secrets_verbatim,
            max_transactions: self.max_transactions,
            notification_key: self.notification_key.map_or(Source::Bundled, Source::File),
            notification_retries: self.notification_retries.0,
            max_notifications: self.max_notifications,
            notification_auth: self.notification_auth.unwrap_or(preset.notification_auth),
            store: self.store.redis(),
            tls: self.tls.source(),
            parse_rules: ParseRules {
                timestamp_mode: self.timestamp_mode,
                content_type: self.content_type,
                accept_legacy_grant_type: self.accept_legacy_grant_type
                    || preset.parse_rules.accept_legacy_grant_type,
            },
        }
    }
}

/// `--notification-retries`, one value holding every delay.
#[derive(Clone, Debug)]
pub struct Retries(Vec<chrono::Duration>);

fn parse_retries(text: &str) -> Result<Retries, String> {
    super::parsers::parse_schedule(text).map(Retries)
}

/// The file at `path`; the bundled one compiled in when `path` is the
/// default and nothing is there (the binary started outside the
/// repository), as the library does, unless `--no-bundled`. A path given
/// explicitly must exist.
fn file_or_bundled(path: PathBuf, default: &str, fallback: bool) -> Source {
    if fallback && path == std::path::Path::new(default) && !path.exists() {
        Source::Bundled
    } else {
        Source::File(path)
    }
}
