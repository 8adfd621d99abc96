//! Why the server could not start: the file or setting and the problem.

/// Why the server could not start. The message names the file and the
/// problem; the binary prints it and exits non-zero.
#[derive(Debug)]
pub enum StartError {
    /// A setting is invalid or settings contradict each other.
    Config(String),
    /// The clients fixture or a key it names cannot be read or parsed.
    Clients(String),
    /// The token signing key cannot be read or parsed.
    SigningKey(String),
    /// The scenarios fixture cannot be read or is invalid.
    Scenarios(String),
    /// The endpoints fixture cannot be read or is invalid.
    Endpoints(String),
    /// The TLS certificate or key cannot be loaded or generated.
    Tls(String),
    /// The address cannot be bound (in use, no permission).
    Bind(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Config(e) => write!(f, "configuration: {e}"),
            Self::Clients(e) => write!(f, "clients fixture: {e}"),
            Self::SigningKey(e) => write!(f, "signing key: {e}"),
            Self::Scenarios(e) => write!(f, "scenarios fixture: {e}"),
            Self::Endpoints(e) => write!(f, "endpoints fixture: {e}"),
            Self::Tls(e) => write!(f, "TLS: {e}"),
            Self::Bind(e) => write!(f, "cannot listen: {e}"),
        }
    }
}

impl std::error::Error for StartError {}
