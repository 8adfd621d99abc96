//! A setting that is invalid on its own or contradicts another.

use super::MAX_WORKERS;

/// A setting that is invalid on its own or contradicts another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An extra token path is not an absolute path.
    #[error("token path {0:?} must be an absolute path like /v1.0/access-token/b2b")]
    TokenPath(String),
    /// The base path is not empty and not `/segment...` without a trailing
    /// `/`.
    #[error("base path {0:?} must be empty or look like /nicepay (a leading /, no trailing /, no query)")]
    BasePath(String),
    /// The admin prefix is not one path segment or more.
    #[error("admin prefix {0:?} must look like /__admin")]
    AdminPrefix(String),
    /// A path is both a B2B and a B2B2C token path.
    #[error("token path {0} is given both as a B2B and as a B2B2C token path")]
    TokenPathTwice(String),
    /// A token path would be shadowed by the admin API.
    #[error("a token path lies under the admin prefix {0}")]
    TokenPathUnderAdmin(String),
    /// `--admin-token ""`: it would leave the admin API open.
    #[error("the admin token is empty (--admin-token / SNAP_MOCK_ADMIN_TOKEN); an empty token would leave the admin API open: give one, or leave it unset")]
    EmptyAdminToken,
    /// A store bound of 0.
    #[error("max external ids, max refresh tokens and max access tokens must be at least 1")]
    ZeroStoreLimit,
    /// `--max-body-bytes 0`.
    #[error("max body bytes must be at least 1")]
    ZeroBodyLimit,
    /// `--workers` of 0 or above 256 (each worker is a thread
    /// spawned after the socket is bound: a number the machine cannot start
    /// would fail only after the listening line).
    #[error("workers is {0}; 1 to {MAX_WORKERS} (--workers, SNAP_MOCK_WORKERS)")]
    Workers(usize),
    /// A token lifetime `expiresIn` cannot carry.
    #[error("token lifetime must be 1 to 99999 seconds (expiresIn is String(1..5) on the wire), got {0}")]
    TokenLifetime(u64),
}
