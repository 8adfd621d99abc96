//! Why the server could not start: the file or setting and the problem.

use crate::clients::ClientsError;
use crate::config::ConfigError;
use crate::endpoints::InvalidEndpoint;
use crate::fixtures::{FixtureError, Located};
use crate::scenarios::InvalidScenario;
use crate::snap::keys::KeyError;

/// Why the server could not start. The message names the file and the
/// problem; the binary prints it and exits non-zero.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A setting is invalid or settings contradict each other.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The clients fixture or a key it names cannot be read or parsed.
    #[error("clients fixture: {0}")]
    Clients(Located<ClientsError>),
    /// The token signing key cannot be read or parsed.
    #[error("signing key: {0}")]
    SigningKey(Located<SigningKeyError>),
    /// The notification key (`--notification-key`) cannot be read or
    /// is not an RSA private key.
    #[error("notification key: {0}")]
    NotificationKey(Located<KeyError>),
    /// The scenarios fixture cannot be read or is invalid.
    #[error("scenarios fixture: {0}")]
    Scenarios(Located<FixtureError<InvalidScenario>>),
    /// The endpoints fixture cannot be read or is invalid.
    #[error("endpoints fixture: {0}")]
    Endpoints(Located<FixtureError<InvalidEndpoint>>),
    /// The shared store (`--store`) cannot be set up.
    #[error("configuration: {0}")]
    Store(crate::store::StoreError),
    /// The TLS certificate or key cannot be loaded or generated.
    #[cfg(feature = "tls")]
    #[error("TLS: {0}")]
    Tls(crate::tls::TlsError),
    /// The address cannot be bound (in use, no permission), or the server's
    /// threads cannot start.
    #[error("cannot listen: {0}")]
    Bind(String),
}

/// Why the signing key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    /// The file cannot be read.
    #[error("cannot read the signing key: {0}; give its path with --signing-key (SNAP_MOCK_SIGNING_KEY), or leave the flag out for the bundled test key")]
    Read(std::io::Error),
    /// Not an RSA private key fit for RS256.
    #[error("{0}")]
    Key(KeyError),
}
