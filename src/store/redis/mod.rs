//! Every store on one Redis server, for replicas behind a load balancer
//! (`--store redis://...`). Each protocol operation is one Lua script or
//! one command, so it is atomic on the Redis side: check-and-record of an
//! `X-EXTERNAL-ID`, take-once of a refresh token, decrement-if-positive of
//! a scenario's `times`.
//!
//! Runtime clients and scenarios live in two Redis hashes with a
//! generation counter; each replica keeps a local view (the in-memory
//! stores) and [`Backend::refresh`] rebuilds it when the counter moved, so
//! lookups in the checks stay plain reads. The journal is a capped stream.
//! Transactions are a hash of JSON with its indexes; a change of state is
//! compare-and-set, so it happens once whichever replicas race for it.
//!
//! Redis calls run on a runtime of their own (one thread): the store works
//! the same under actix's workers, a test's runtime, or none at all
//! ([`block_on`](super::block_on)). Every call is bounded by the store
//! timeout; a failure becomes a [`StoreError`] naming the store, and the
//! connection manager reconnects by itself.

use super::memory;
use super::{
    AccessTokenStore, Backend, BackendStatus, ClientStore, ExternalIdStore, IdCheck, RefreshGrant,
    RefreshTokenStore, ScenarioCounters, ScenarioStore, StoreError, StoreFuture, StoreResult,
    Stores,
};
use crate::clients::{Client, ClientEntry, ClientRegistry};
pub use crate::config::{shown, RedisConfig};
use crate::journal::{JournalEntry, JournalStats};
use crate::scenarios::{Scenario, ScenarioSet, ScenarioSpec};
use crate::tokens::AccessTokenClaims;
use chrono::{DateTime, NaiveDate, Utc};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
mod conn;
mod ids;
mod journal;
mod registry;
mod scripts;
mod tokens;
mod transactions;

use conn::*;
use ids::*;
use journal::*;
use registry::*;
use scripts::*;
use tokens::*;
use transactions::*;

/// The stores of one replica, on a shared Redis.
pub fn stores(
    clients: ClientRegistry,
    scenarios: ScenarioSet,
    config: &crate::config::Config,
    redis: &RedisConfig,
) -> Result<Stores, StoreError> {
    let conn = Conn::open(redis)?;
    let scripts = Arc::new(Scripts::new());
    let registry = Arc::new(Registry {
        conn: conn.clone(),
        scripts: scripts.clone(),
        clients: memory::Clients::new(clients),
        scenarios: memory::Scenarios::new(scenarios),
        seen: tokio::sync::Mutex::new(Version::default()),
        keys_dir: config.keys_dir.clone(),
    });
    let shared = Shared { conn, scripts };
    let shared_transactions = shared.clone();
    Ok(Stores {
        backend: registry.clone(),
        clients: registry.clone(),
        scenarios: registry,
        counters: Arc::new(Counters(shared.clone())),
        external_ids: Arc::new(ExternalIds {
            shared: shared.clone(),
            max_per_day: config.max_external_ids,
        }),
        refresh_tokens: Arc::new(Tokens::<RefreshGrant>::new(
            shared.clone(),
            "refresh",
            config.max_refresh_tokens,
        )),
        access_tokens: Arc::new(Tokens::<AccessTokenClaims>::new(
            shared.clone(),
            "access",
            config.max_access_tokens,
        )),
        journal: Arc::new(Journal {
            shared,
            capacity: config.journal_capacity,
            body_limit: config.journal_body_limit,
        }),
        transactions: Arc::new(Transactions {
            shared: shared_transactions,
            capacity: config.max_transactions,
        }),
    })
}

#[derive(Clone)]
struct Shared {
    conn: Arc<Conn>,
    scripts: Arc<Scripts>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_never_shows() {
        assert_eq!(
            shown("redis://user:secret@cache:6379/0"),
            "redis://***@cache:6379/0"
        );
        assert_eq!(shown("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }

    #[test]
    fn a_day_of_ids_expires_at_the_end_of_that_wib_day() {
        let far = NaiveDate::from_ymd_opt(2999, 1, 1).unwrap();
        // 2999-01-02 00:00 WIB is 2999-01-01 17:00 UTC.
        let expected = NaiveDate::from_ymd_opt(2999, 1, 1)
            .unwrap()
            .and_hms_opt(17, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(end_of_wib_day(far), expected);
        let past = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        assert!(end_of_wib_day(past) > Utc::now().timestamp());
    }

    #[test]
    fn the_partner_id_boundary_is_part_of_the_field() {
        assert_ne!(id_field("p1", ""), id_field("p", "1"));
    }
}
