//! Everything the server remembers between requests, behind one trait per
//! kind of state. Each operation the protocol needs is one call that an
//! implementation makes atomic (check-and-record, take-once,
//! decrement-if-positive), never a read followed by a write, so that a
//! networked store shared by replicas can offer the same semantics.
//! [`memory`] holds the default, in-process implementations.

pub mod memory;

use crate::clients::{Client, ClientRegistry};
use crate::journal::{JournalEntry, JournalStats};
use crate::scenarios::{Scenario, ScenarioSet};
use crate::tokens::AccessTokenClaims;
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

/// Registered clients: the fixture's, plus those registered at runtime.
pub trait ClientStore: Send + Sync {
    fn get(&self, client_key: &str) -> Option<Arc<Client>>;
    /// Every client, sorted by client key.
    fn all(&self) -> Vec<Arc<Client>>;
    /// At most `n` clients, in no particular order, in O(n).
    fn some(&self, n: usize) -> Vec<Arc<Client>>;
    fn len(&self) -> usize;
    /// Adds or replaces a client; true when it replaced one.
    fn register(&self, client: Client) -> bool;
    /// True when a client was removed.
    fn remove(&self, client_key: &str) -> bool;
    /// Replaces the fixture's clients with those of a reloaded fixture;
    /// clients registered or removed at runtime stay so.
    fn reload(&self, clients: ClientRegistry);
    /// Drops every runtime registration and removal.
    fn reset(&self);
}

/// The scenarios in force.
pub trait ScenarioStore: Send + Sync {
    /// The scenarios as they are now; later changes do not affect it.
    fn snapshot(&self) -> Arc<ScenarioSet>;
    /// Adds a scenario ahead of all others, replacing one of the same name;
    /// refused when `MAX_SCENARIOS` are in force already.
    fn add(&self, scenario: Scenario) -> Result<(), String>;
    fn remove(&self, name: &str) -> bool;
    /// Replaces the fixture's scenarios with those of a reloaded fixture;
    /// scenarios added or removed at runtime stay so.
    fn reload(&self, set: ScenarioSet);
    /// Back to the fixture as loaded.
    fn reset(&self);
}

/// Most scenarios in force at once (fixture and runtime together).
pub const MAX_SCENARIOS: usize = 1000;

/// How many of its `times` each scenario has used.
pub trait ScenarioCounters: Send + Sync {
    /// Uses one of `times` for the scenario `name`: true while uses were
    /// left (decrement-if-positive, atomic).
    fn take(&self, name: &str, times: u32) -> bool;
    /// Uses left of `times`.
    fn remaining(&self, name: &str, times: u32) -> u32;
    /// Refills one scenario (it was added again or replaced).
    fn refill(&self, name: &str);
    /// Refills every scenario.
    fn refill_all(&self);
}

/// What [`ExternalIdStore::check_and_record`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdCheck {
    /// Not used by the partner that day; now recorded.
    Fresh,
    /// Already used by the partner that day.
    Used,
    /// The store holds its maximum of ids for that day; nothing recorded.
    Full { max: usize },
}

/// `X-EXTERNAL-ID`s used per partner per WIB day.
pub trait ExternalIdStore: Send + Sync {
    /// Records the id for `partner` on `day` unless the partner already
    /// used it that day (check-and-record, atomic).
    fn check_and_record(&self, partner: &str, external_id: &str, day: NaiveDate) -> IdCheck;
    /// Forgets a recorded id: the call that used it was answered with a
    /// failure after all (a scenario), so the client's retry may reuse it.
    fn release(&self, partner: &str, external_id: &str, day: NaiveDate);
}

/// A B2B2C refresh token's grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshGrant {
    pub client_key: String,
    pub customer: String,
    pub expires_at: DateTime<Utc>,
}

/// B2B2C refresh tokens issued and not yet used.
pub trait RefreshTokenStore: Send + Sync {
    fn insert(&self, token: String, grant: RefreshGrant, now: DateTime<Utc>);
    /// Takes the token out: a refresh token is used once (take-once, atomic).
    fn take(&self, token: &str) -> Option<RefreshGrant>;
}

/// Opaque access tokens issued (`--token-format opaque`): the token itself
/// says nothing, so validating one means finding it here.
pub trait AccessTokenStore: Send + Sync {
    fn insert(&self, token: &str, claims: AccessTokenClaims, now: DateTime<Utc>);
    /// The token's claims, expired or not (the caller checks `exp`).
    fn get(&self, token: &str) -> Option<AccessTokenClaims>;
}

/// The request journal.
pub trait JournalStore: Send + Sync {
    /// False when nothing is kept: the entry need not be built.
    fn enabled(&self) -> bool;
    /// Longest body text an entry keeps.
    fn body_limit(&self) -> usize;
    fn record(&self, entry: JournalEntry);
    /// Counts a request that was not recorded because the journal is off.
    fn count_unrecorded(&self);
    /// Entries newest first that satisfy `keep`, at most `limit`, only those
    /// older than `before` (a `seq`) when given.
    fn list(
        &self,
        before: Option<u64>,
        limit: usize,
        keep: &dyn Fn(&JournalEntry) -> bool,
    ) -> Vec<Arc<JournalEntry>>;
    fn clear(&self);
    fn stats(&self) -> JournalStats;
}

/// One of each store.
#[derive(Clone)]
pub struct Stores {
    pub clients: Arc<dyn ClientStore>,
    pub scenarios: Arc<dyn ScenarioStore>,
    pub counters: Arc<dyn ScenarioCounters>,
    pub external_ids: Arc<dyn ExternalIdStore>,
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    pub access_tokens: Arc<dyn AccessTokenStore>,
    pub journal: Arc<dyn JournalStore>,
}

impl Stores {
    /// In-process stores holding the loaded fixtures.
    pub fn in_memory(
        clients: ClientRegistry,
        scenarios: ScenarioSet,
        config: &crate::config::Config,
    ) -> Self {
        Self {
            clients: Arc::new(memory::Clients::new(clients)),
            scenarios: Arc::new(memory::Scenarios::new(scenarios)),
            counters: Arc::new(memory::Counters::default()),
            external_ids: Arc::new(memory::ExternalIds::new(config.max_external_ids)),
            refresh_tokens: Arc::new(memory::RefreshTokens::new(
                config.max_refresh_tokens,
                "unused B2B2C refresh tokens (--max-refresh-tokens)",
            )),
            access_tokens: Arc::new(memory::AccessTokens::new(
                config.max_access_tokens,
                "opaque access tokens (--max-access-tokens)",
            )),
            journal: Arc::new(crate::journal::Journal::new(
                config.journal_capacity,
                config.journal_body_limit,
            )),
        }
    }
}
