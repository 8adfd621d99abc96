//! One struct for everything the server can be told. The CLI (flags and
//! their `SNAP_MOCK_*` environment twins) fills it; tests and embedders
//! build it directly.

mod error;
#[cfg(feature = "redis")]
mod store;
mod validate;

pub use error::ConfigError;
#[cfg(feature = "redis")]
pub use store::{shown, RedisConfig};

use crate::clock::Clock;
use crate::provider::{Provider, TokenFormat};
use crate::snap::{
    BodyHashRule, ContentTypeRule, ParseRules, Profile, SigningRules, TimestampMode,
};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

/// The default retry schedule of notifications, in seconds: the delays
/// after each failed attempt (Durianpay's published schedule: 2, 5, 10, 90
/// and 210 minutes).
pub const DEFAULT_NOTIFICATION_RETRIES: [i64; 5] = [120, 300, 600, 5400, 12600];

/// The token paths of the default provider preset (Finpay): its documented
/// URL path and the path in the OpenAPI block of the same page.
pub const DEFAULT_TOKEN_PATHS: [&str; 2] = [
    "/pg/snap/oauth/v1.0/access-token/b2b",
    "/oauth/v1.0/access-token/b2b",
];

/// Where the CLI looks for its files by default. A file that is not at its
/// default path (the binary started outside the repository) is replaced by
/// the bundled one compiled in; a path given explicitly must exist.
#[cfg(feature = "cli")]
pub const DEFAULT_CLIENTS_FILE: &str = "fixtures/clients.json";
/// The user's own clients, read on top of the clients fixture when present:
/// where `keygen --register` and `register` write, never compiled in (and
/// git-ignored), so registering a client cannot break the crate's build.
pub const DEFAULT_LOCAL_CLIENTS_FILE: &str = "fixtures/clients.local.json";
#[cfg(feature = "cli")]
pub const DEFAULT_SIGNING_KEY_FILE: &str = "keys/signing-key.pem";
pub const DEFAULT_SCENARIOS_FILE: &str = "fixtures/scenarios.json";
pub const DEFAULT_ENDPOINTS_FILE: &str = "fixtures/endpoints.json";

/// Where a fixture or key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The demo data compiled into the crate (`fixtures/`, `keys/`): works
    /// from any directory.
    Bundled,
    /// A file; a relative path resolves against the working directory.
    File(PathBuf),
    /// The content itself: JSON for a fixture, a PEM for a key.
    Inline(String),
}

impl Source {
    /// Where it came from, for messages.
    pub fn describe(&self) -> String {
        match self {
            Self::Bundled => "bundled".into(),
            Self::File(p) => p.display().to_string(),
            Self::Inline(_) => "inline".into(),
        }
    }

    /// True when this is the CLI's default file `default` and no file is
    /// there: a mounted fixtures directory with only `clients.json` is a
    /// complete configuration. A path given explicitly must exist.
    pub(crate) fn is_absent_default(&self, default: &str) -> bool {
        matches!(self, Self::File(p) if p == std::path::Path::new(default) && !p.exists())
    }
}

/// The most HTTP worker threads `--workers` accepts.
pub const MAX_WORKERS: usize = 256;

#[derive(Clone, Debug)]
/// Everything a server is started with. [`Config::default`] is the
/// binary's defaults with the fixtures compiled in; [`Config::for_tests`]
/// binds a free port on 127.0.0.1.
pub struct Config {
    /// Address to bind; 127.0.0.1 by default (0.0.0.0 in the container).
    pub host: IpAddr,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// The clients fixture.
    pub clients: Source,
    /// More clients read on top of `clients` (a client of the same key
    /// replaces the fixture's): the user's own, `--local-clients`. `None`,
    /// or a default file that is absent, adds none.
    pub local_clients: Option<Source>,
    /// Where relative `publicKey` paths in a clients file (or inline
    /// fixture) point; the bundled fixture uses the bundled keys.
    pub keys_dir: PathBuf,
    /// The RS256 signing key (PKCS#8 or PKCS#1 PEM).
    pub signing_key: Source,
    /// The provider preset: its token paths, and (through
    /// [`Config::with_provider`]) the defaults of `profile`,
    /// `parse_rules.accept_legacy_grant_type` and `token_format`.
    pub provider: &'static Provider,
    /// Wording of messages and typing of the success body (`--profile`).
    pub profile: &'static Profile,
    /// Extra B2B token paths, served besides the provider's; each that ends
    /// in `/access-token/b2b` brings its B2B2C twin (`.../b2b2c`).
    pub extra_token_paths: Vec<String>,
    /// Extra B2B2C token paths, served besides the provider's.
    pub extra_b2b2c_token_paths: Vec<String>,
    /// The syntactic choices the spec leaves open: timestamp form,
    /// `Content-Type` rule, legacy `grantType` spellings.
    pub parse_rules: ParseRules,
    /// Which body forms service signatures may hash (`--body-hash`; the
    /// preset's form by default).
    pub body_hash: BodyHashRule,
    /// Most connections in a TLS handshake at once, per worker
    /// (`--max-tls-handshakes`; at most half the open files limit over the
    /// workers); at the cap the connection silent longest is closed to make
    /// room for a new one.
    pub max_tls_handshakes: usize,
    /// How long a TLS handshake may take before the connection is closed
    /// (`--tls-handshake-timeout-ms`).
    pub tls_handshake_timeout: Duration,
    /// The longest `X-EXTERNAL-ID` accepted (`--external-id-max-chars`;
    /// the preset's, the standard's 36, by default).
    pub external_id_max_chars: usize,
    /// The base path every SNAP path is served under and signed paths
    /// leave out (`--base-path`; the preset's by default). Empty for none.
    pub base_path: String,
    /// JWTs, or opaque tokens validated through the token store.
    pub token_format: TokenFormat,
    /// Most opaque access tokens held (`token_format` opaque); past it the
    /// oldest is dropped.
    pub max_access_tokens: usize,
    /// Allowed distance between `X-TIMESTAMP` and the server clock;
    /// `Duration::ZERO` turns the check off.
    pub timestamp_window: Duration,
    /// Lifetime of issued access tokens (`--token-lifetime`, `expiresIn`).
    pub token_lifetime: Duration,
    /// The `iss` claim; `None` leaves it out.
    pub issuer: Option<String>,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Largest fixture file read (clients, scenarios, endpoints, signing
    /// key), at start and on every reload.
    pub max_fixture_bytes: u64,
    /// Most request headers accepted (the HTTP layer caps it at 96).
    pub max_headers: usize,
    /// Most bytes of request headers accepted (names, values and
    /// separators; the HTTP layer caps the head at 32 KiB).
    pub max_header_bytes: usize,
    /// HTTP worker threads; `None` uses one per available core.
    pub workers: Option<usize>,
    /// Add a `diagnosis` field to error bodies (local debugging only: real
    /// providers never explain).
    pub explain: bool,
    /// A client must send its request head within this time (slowloris guard).
    pub client_request_timeout: Duration,
    /// Idle keep-alive connections are closed after this long.
    pub keep_alive: Duration,
    /// On stop, requests in flight get this long to finish.
    pub shutdown_timeout: Duration,
    /// The scenarios fixture; `None` starts with no scenarios.
    pub scenarios: Option<Source>,
    /// Transactional endpoints to protect; `None` serves none.
    pub endpoints: Option<Source>,
    /// Keep the bundled scenarios and endpoints in force under the
    /// scenarios and endpoints files given ([`Source::File`]): an entry of
    /// the file with the same name (scenario) or method and path (endpoint)
    /// replaces the bundled one. The binary's default (`--no-bundled` turns
    /// it off, and with it the fallback to the bundled files); off here, so
    /// that a file given to the library is all there is.
    pub bundled_underneath: bool,
    /// Whether the admin API (`/__admin/...`) is served (`--admin`).
    pub admin: AdminMode,
    /// Where the admin API is mounted.
    pub admin_prefix: String,
    /// When set, the admin API requires `Authorization: Bearer <token>`.
    pub admin_token: Option<String>,
    /// Host names (the `Host` header, without the port) the admin API
    /// answers besides IP addresses, `localhost` and `*.localhost`: a
    /// container's or a Service's name. `*` allows any (no protection
    /// against DNS rebinding).
    pub admin_allowed_hosts: Vec<String>,
    /// Most `X-EXTERNAL-ID`s remembered per WIB day; past it, calls with a
    /// new id get `500xx01` saying so (never a silent pass).
    pub max_external_ids: usize,
    /// Most unused B2B2C refresh tokens held; past it the oldest is dropped.
    pub max_refresh_tokens: usize,
    /// Transactional calls: accept any `X-PARTNER-ID`. By default it must be
    /// the token's client key or that client's registered `partnerId`.
    pub any_partner_id: bool,
    /// Transactional calls: accept a B2B2C customer token in
    /// `Authorization`, where the standard wants a B2B token.
    pub accept_customer_token: bool,
    /// Journal entries kept (newest first); 0 disables the journal.
    pub journal_capacity: usize,
    /// Request bodies longer than this are cut in the journal.
    pub journal_body_limit: usize,
    /// Keep bearer and refresh tokens whole in the journal and the log
    /// (debugging); by default they are shown as a prefix and a fingerprint.
    pub journal_secrets_verbatim: bool,
    /// Transactions with state kept at most (`--max-transactions`); the
    /// oldest makes room.
    pub max_transactions: usize,
    /// The provider's key that signs notifications to merchants
    /// (`--notification-key`); its public key is served at
    /// `/notification-key.pem`. Bundled: `keys/provider.private.pem`.
    pub notification_key: Source,
    /// Delays between notification attempts (`--notification-retries`).
    pub notification_retries: Vec<chrono::Duration>,
    /// Notifications kept, pending or not (`--max-notifications`); past it
    /// the oldest is dropped, and journaled if it was still pending.
    pub max_notifications: usize,
    /// How notifications reach the merchant (`--notification-auth`); by
    /// default the preset's.
    pub notification_auth: crate::provider::NotificationAuth,
    /// The server's clock; keep a clone to move time forward in tests.
    pub clock: Clock,
    /// Serve HTTPS instead of HTTP.
    #[cfg(feature = "tls")]
    pub tls: Option<crate::tls::Tls>,
    /// Where the state replicas share lives: `None` keeps it in this
    /// process (the default, and the fast path).
    #[cfg(feature = "redis")]
    pub store: Option<RedisConfig>,
}

/// Whether the admin API is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AdminMode {
    /// On when bound to a loopback address or protected by a token; off
    /// when reachable from other hosts without a token.
    #[default]
    Auto,
    /// Always on.
    On,
    /// Always off: admin paths answer `4040000` saying how to turn it on.
    Off,
}

impl std::str::FromStr for AdminMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Self::Auto),
            "on" | "true" => Ok(Self::On),
            "off" | "false" => Ok(Self::Off),
            other => Err(format!("unknown admin mode {other:?} (auto, on, off)")),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8080,
            clients: Source::Bundled,
            local_clients: None,
            keys_dir: PathBuf::from("keys"),
            signing_key: Source::Bundled,
            provider: &crate::provider::FINPAY,
            profile: &crate::snap::profile::FINPAY,
            extra_token_paths: Vec::new(),
            extra_b2b2c_token_paths: Vec::new(),
            token_format: TokenFormat::Jwt,
            max_access_tokens: 100_000,
            parse_rules: ParseRules {
                timestamp_mode: TimestampMode::Lenient,
                content_type: ContentTypeRule::Lenient,
                accept_legacy_grant_type: false,
            },
            body_hash: BodyHashRule::Only(crate::snap::BodyHash::Minified),
            base_path: String::new(),
            external_id_max_chars: 36,
            max_tls_handshakes: 16_384,
            tls_handshake_timeout: Duration::from_secs(1),
            timestamp_window: Duration::from_secs(300),
            token_lifetime: Duration::from_secs(900),
            issuer: Some("snap-mock".into()),
            max_body_bytes: 64 * 1024,
            max_fixture_bytes: crate::fixtures::DEFAULT_MAX_FILE_BYTES,
            max_headers: 64,
            max_header_bytes: 16 * 1024,
            workers: None,
            explain: false,
            client_request_timeout: Duration::from_secs(5),
            keep_alive: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(1),
            scenarios: Some(Source::Bundled),
            endpoints: Some(Source::Bundled),
            bundled_underneath: false,
            admin: AdminMode::Auto,
            admin_prefix: "/__admin".into(),
            admin_token: None,
            admin_allowed_hosts: Vec::new(),
            max_external_ids: 1_000_000,
            max_refresh_tokens: 100_000,
            any_partner_id: false,
            accept_customer_token: false,
            journal_capacity: 1000,
            journal_body_limit: 4096,
            journal_secrets_verbatim: false,
            max_transactions: 100_000,
            notification_key: Source::Bundled,
            notification_retries: DEFAULT_NOTIFICATION_RETRIES
                .iter()
                .map(|s| chrono::Duration::seconds(*s))
                .collect(),
            max_notifications: 10_000,
            notification_auth: crate::provider::NotificationAuth::Asymmetric,
            clock: Clock::default(),
            #[cfg(feature = "tls")]
            tls: None,
            #[cfg(feature = "redis")]
            store: None,
        }
    }
}

impl Config {
    /// A server on a free port of 127.0.0.1 with one worker and the bundled
    /// fixtures and keys: what tests want, from any directory.
    pub fn for_tests() -> Self {
        Self {
            port: 0,
            workers: Some(1),
            ..Self::default()
        }
    }

    /// This config with a provider preset and the preset's defaults for
    /// the wording, grant-type spellings and token format. Set fields
    /// after it to override the preset, as the CLI's flags do.
    pub fn with_provider(mut self, provider: &'static Provider) -> Self {
        self.provider = provider;
        self.profile = provider.profile;
        self.parse_rules.accept_legacy_grant_type = provider.accept_legacy_grant_type;
        self.token_format = provider.token_format;
        self.body_hash = BodyHashRule::Only(provider.body_hash);
        self.base_path = provider.base_path.to_owned();
        self.external_id_max_chars = provider.external_id_max_chars;
        self.notification_auth = provider.notification_auth;
        self
    }

    /// Every B2B token path as served, under the base path.
    pub fn served_token_paths(&self) -> Vec<String> {
        self.token_paths()
            .iter()
            .map(|p| self.served_at(p))
            .collect()
    }

    /// Every B2B2C token path as served, under the base path.
    pub fn served_token_paths_b2b2c(&self) -> Vec<String> {
        self.token_paths_b2b2c()
            .iter()
            .map(|p| self.served_at(p))
            .collect()
    }

    /// Where `path` (a token or endpoint path) is served: under the base
    /// path.
    pub fn served_at(&self, path: &str) -> String {
        format!("{}{path}", self.base_path)
    }

    /// The signing rules of service calls under this config.
    pub fn signing_rules(&self) -> SigningRules<'_> {
        SigningRules {
            body_hash: match self.body_hash {
                BodyHashRule::Only(form) => form,
                BodyHashRule::Any => self.provider.body_hash,
            },
            mount: &self.base_path,
        }
    }

    /// Every B2B token path this config serves, the provider's first,
    /// without repeats.
    pub fn token_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self
            .provider
            .b2b_token_paths
            .iter()
            .map(|p| p.to_string())
            .collect();
        for p in &self.extra_token_paths {
            if !paths.contains(p) {
                paths.push(p.clone());
            }
        }
        paths
    }

    /// Whether the admin API is mounted, after applying [`AdminMode::Auto`].
    pub fn admin_enabled(&self) -> bool {
        match self.admin {
            AdminMode::On => true,
            AdminMode::Off => false,
            AdminMode::Auto => self.host.is_loopback() || self.admin_token.is_some(),
        }
    }

    /// Every B2B2C token path: the provider's, the twin of each extra B2B
    /// path that ends in `/access-token/b2b`, and the extra B2B2C paths.
    pub fn token_paths_b2b2c(&self) -> Vec<String> {
        let twins = self
            .extra_token_paths
            .iter()
            .filter(|p| p.ends_with("/access-token/b2b"))
            .map(|p| format!("{p}2c"));
        let mut paths: Vec<String> = Vec::new();
        for p in self
            .provider
            .b2b2c_token_paths
            .iter()
            .map(|p| p.to_string())
            .chain(twins)
            .chain(self.extra_b2b2c_token_paths.iter().cloned())
        {
            if !paths.contains(&p) {
                paths.push(p);
            }
        }
        paths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_path_is_empty_or_an_absolute_path_without_a_trailing_slash() {
        for ok in ["", "/nicepay", "/api/v1.0"] {
            let config = Config {
                base_path: ok.into(),
                ..Config::default()
            };
            assert_eq!(config.validate(), Ok(()), "{ok:?}");
        }
        for bad in ["nicepay", "/nicepay/", "/a?b", "/a b"] {
            let config = Config {
                base_path: bad.into(),
                ..Config::default()
            };
            assert_eq!(
                config.validate(),
                Err(ConfigError::BasePath(bad.into())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_preset_brings_its_base_path_and_body_hash_and_the_served_paths_follow() {
        let nicepay: &'static Provider = "nicepay".parse().unwrap();
        let config = Config::default().with_provider(nicepay);
        assert_eq!(config.base_path, "/nicepay");
        assert_eq!(
            config.body_hash,
            BodyHashRule::Only(crate::snap::BodyHash::AsSent)
        );
        assert_eq!(
            config.served_token_paths(),
            vec!["/nicepay/v1.0/access-token/b2b".to_string()]
        );
        assert_eq!(config.signing_rules().mount, "/nicepay");
        let any = Config {
            body_hash: BodyHashRule::Any,
            ..config
        };
        assert_eq!(
            any.signing_rules().body_hash,
            crate::snap::BodyHash::AsSent,
            "under any, the preset's form is the one expected"
        );
    }
}
