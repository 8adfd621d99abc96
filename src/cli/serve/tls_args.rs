//! The HTTPS flags of `snap-mock [serve]`.

use super::parsers::boolish;
use clap::Args;
use std::path::PathBuf;

/// `--tls` and what goes with it.
#[derive(Args, Debug, Clone)]
pub struct TlsArgs {
    /// Serve HTTPS, with a certificate for localhost, 127.0.0.1 and ::1
    /// generated at start (signed by a CA of its own: trust it with
    /// --tls-cert-out), unless --tls-cert and --tls-key give one.
    #[arg(long, env = "SNAP_MOCK_TLS", value_parser = boolish())]
    tls: bool,
    /// HTTPS with this certificate chain (PEM, leaf first); implies --tls.
    #[arg(
        long,
        env = "SNAP_MOCK_TLS_CERT",
        value_name = "PEM",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(
        long,
        env = "SNAP_MOCK_TLS_KEY",
        value_name = "PEM",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,
    /// Write the certificate clients should trust (the generated CA, or the
    /// given chain) to this file at start.
    #[arg(long, env = "SNAP_MOCK_TLS_CERT_OUT", value_name = "FILE")]
    pub(in crate::cli::serve) tls_cert_out: Option<PathBuf>,
    /// Milliseconds a TLS handshake may take before the connection is
    /// closed (a local client takes a few).
    #[arg(
        long,
        env = "SNAP_MOCK_TLS_HANDSHAKE_TIMEOUT_MS",
        default_value_t = 1000,
        value_name = "MS",
        value_parser = clap::value_parser!(u64).range(1..=60_000)
    )]
    pub(super) tls_handshake_timeout_ms: u64,
    /// Most connections in a TLS handshake at once, per worker (lowered to
    /// half the open files limit over the workers). At the cap the
    /// connection that has sent nothing for longest is closed to make room
    /// (when all have spoken, the one in its handshake longest): a client
    /// that speaks is never queued behind idle connections.
    #[arg(
        long,
        env = "SNAP_MOCK_MAX_TLS_HANDSHAKES",
        default_value_t = 16_384,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000)
    )]
    pub(super) max_tls_handshakes: u32,
}

impl TlsArgs {
    /// The certificate to serve, if HTTPS is asked for.
    pub(super) fn source(self) -> Option<crate::tls::Tls> {
        match (self.tls_cert, self.tls_key) {
            (Some(certificate), Some(key)) => Some(crate::tls::Tls::Files { certificate, key }),
            _ if self.tls => Some(crate::tls::Tls::Generated),
            _ => None,
        }
    }
}
