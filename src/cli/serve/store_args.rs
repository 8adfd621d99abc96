//! The shared-state flags of `snap-mock [serve]`: where replicas keep
//! what they share.

use crate::store::redis::RedisConfig;
use clap::Args;
use std::time::Duration;

/// `--store` and what goes with it.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// Where the state replicas share lives: memory (this process, the
    /// default) or redis://[user:password@]host[:port][/db] (every replica
    /// given the same URL shares X-EXTERNAL-IDs, tokens, scenario counts,
    /// runtime clients and scenarios, and the journal; README: "Running it
    /// as a shared service").
    #[arg(
        long,
        env = "SNAP_MOCK_STORE",
        default_value = "memory",
        value_name = "memory|URL"
    )]
    store: String,
    /// Prefix of every Redis key: mocks that must not share state can
    /// share one Redis server under different prefixes.
    #[arg(long, env = "SNAP_MOCK_STORE_PREFIX", default_value = "snap-mock")]
    store_prefix: String,
    /// Longest wait for one Redis operation, and for a connection; past it
    /// the request gets 500xx02 saying so.
    #[arg(
        long,
        env = "SNAP_MOCK_STORE_TIMEOUT_MS",
        default_value_t = 1000,
        value_name = "MS"
    )]
    store_timeout_ms: u64,
}

impl StoreArgs {
    /// The Redis store asked for; `None` for this process's memory.
    pub(super) fn redis(self) -> Option<RedisConfig> {
        match self.store.as_str() {
            "" | "memory" => None,
            url => Some(RedisConfig {
                url: url.to_owned(),
                prefix: self.store_prefix,
                timeout: Duration::from_millis(self.store_timeout_ms.max(1)),
            }),
        }
    }
}
