//! Where replicas keep their shared state (`--store redis://...`).

use std::time::Duration;

/// Where the shared state lives (`--store redis://...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisConfig {
    /// `redis://[user:password@]host[:port][/db]` (no TLS to Redis: the
    /// client is built without it).
    pub url: String,
    /// Prefix of every key, so that several mocks can share one server.
    pub prefix: String,
    /// Longest wait for one operation (and for a connection).
    pub timeout: Duration,
}

impl RedisConfig {
    /// A store at `url`, with the default prefix (`snap-mock`) and timeout (1 s).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            prefix: "snap-mock".into(),
            timeout: Duration::from_millis(1000),
        }
    }
}

/// The URL without its password, for messages and `/health`.
pub fn shown(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
