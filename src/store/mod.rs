//! Everything the server remembers between requests, behind one trait per
//! kind of state. Each operation the protocol needs is one call that an
//! implementation makes atomic (check-and-record, take-once,
//! decrement-if-positive), never a read followed by a write, so that a
//! networked store shared by replicas offers the same semantics.
//!
//! Operations that a shared store must make on its server return a
//! [`StoreFuture`]; the in-process stores ([`memory`], the default) answer
//! it at once, without an allocation or a task switch, so the fast path is
//! the same as a plain call. Clients and scenarios are read synchronously
//! from a local view that [`Backend::refresh`] brings up to date once per
//! request: lookups stay plain reads in the checks and the diagnosis.

mod journal;
pub mod memory;
mod transactions;
pub use transactions::{MemoryTransactions, TransactionStore};
#[cfg(feature = "redis")]
pub mod redis;

use crate::clients::{Client, ClientRegistry};
use crate::journal::{JournalEntry, JournalStats};
use crate::scenarios::{Scenario, ScenarioSet, ScenariosFull};
use crate::tokens::AccessTokenClaims;
use chrono::{DateTime, NaiveDate, Utc};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A shared store could not do an operation: unreachable, too slow, or it
/// answered with an error. The text says which store and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

pub type StoreResult<T> = Result<T, StoreError>;

/// The answer of a store operation: ready now (in memory), or pending on
/// a shared store's server.
pub struct StoreFuture<'a, T>(Inner<'a, T>);

enum Inner<'a, T> {
    Ready(Option<StoreResult<T>>),
    // Only a shared store's answers are pending (feature `redis`).
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    Pending(Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>),
}

impl<'a, T> StoreFuture<'a, T> {
    /// An answer known now.
    pub fn ready(value: T) -> Self {
        Self(Inner::Ready(Some(Ok(value))))
    }

    /// A failure known now.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub fn failed(error: StoreError) -> Self {
        Self(Inner::Ready(Some(Err(error))))
    }

    /// An answer that needs a round trip.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub fn pending(future: impl Future<Output = StoreResult<T>> + Send + 'a) -> Self {
        Self(Inner::Pending(Box::pin(future)))
    }
}

impl<T: Unpin> Future for StoreFuture<'_, T> {
    type Output = StoreResult<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            Inner::Ready(value) => Poll::Ready(
                value
                    .take()
                    .unwrap_or_else(|| Err(StoreError("store answer polled twice".into()))),
            ),
            Inner::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

/// Runs a store operation to completion on the calling thread, for the
/// synchronous API of [`MockServer`](crate::MockServer) and the tools. A
/// shared store's futures run on the store's own runtime, so parking this
/// thread cannot starve them.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// Where shared state lives, and how it is doing.
pub trait Backend: Send + Sync {
    /// Catches up with what other replicas changed (clients and scenarios
    /// registered at runtime). On failure the local view stays as it was.
    fn refresh(&self) -> StoreFuture<'_, ()>;
    /// What `/health` reports.
    fn status(&self) -> BackendStatus;
}

/// The store as `/health` reports it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendStatus {
    /// `memory` or `redis`.
    pub kind: &'static str,
    /// Where (a Redis URL without its password).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// False while the last operation on the shared store failed.
    pub reachable: bool,
    /// Why the last operation failed, while it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Shared state kept in this process: nothing to catch up with.
pub struct InProcess;

impl Backend for InProcess {
    fn refresh(&self) -> StoreFuture<'_, ()> {
        StoreFuture::ready(())
    }
    fn status(&self) -> BackendStatus {
        BackendStatus {
            kind: "memory",
            url: None,
            reachable: true,
            error: None,
        }
    }
}

/// Registered clients: the fixture's, plus those registered at runtime.
pub trait ClientStore: Send + Sync {
    fn get(&self, client_key: &str) -> Option<Arc<Client>>;
    /// Every client, sorted by client key.
    fn all(&self) -> Vec<Arc<Client>>;
    /// At most `n` clients, in no particular order, in O(n).
    fn some(&self, n: usize) -> Vec<Arc<Client>>;
    fn len(&self) -> usize;
    /// Adds or replaces a client; true when it replaced one.
    fn register(&self, client: Client) -> StoreFuture<'_, bool>;
    /// True when a client was removed.
    fn remove<'a>(&'a self, client_key: &'a str) -> StoreFuture<'a, bool>;
    /// Replaces the fixture's clients with those of a reloaded fixture;
    /// clients registered or removed at runtime stay so.
    fn reload(&self, clients: ClientRegistry);
    /// Drops every runtime registration and removal.
    fn reset(&self) -> StoreFuture<'_, ()>;
}

/// The scenarios in force.
pub trait ScenarioStore: Send + Sync {
    /// The scenarios as they are now; later changes do not affect it.
    fn snapshot(&self) -> Arc<ScenarioSet>;
    /// Adds a scenario ahead of all others, replacing one of the same name;
    /// refused when `MAX_SCENARIOS` are in force already.
    fn add(&self, scenario: Scenario) -> StoreFuture<'_, Result<(), ScenariosFull>>;
    fn remove<'a>(&'a self, name: &'a str) -> StoreFuture<'a, bool>;
    /// Replaces the fixture's scenarios with those of a reloaded fixture;
    /// scenarios added or removed at runtime stay so.
    fn reload(&self, set: ScenarioSet);
    /// Back to the fixture as loaded.
    fn reset(&self) -> StoreFuture<'_, ()>;
}

/// How many of its `times` each scenario has used.
pub trait ScenarioCounters: Send + Sync {
    /// Uses one of `times` for the scenario `name`: true while uses were
    /// left (decrement-if-positive, atomic).
    fn take<'a>(&'a self, name: &'a str, times: u32) -> StoreFuture<'a, bool>;
    /// Uses left of `times`.
    fn remaining<'a>(&'a self, name: &'a str, times: u32) -> StoreFuture<'a, u32>;
    /// Refills one scenario (it was added again or replaced).
    fn refill<'a>(&'a self, name: &'a str) -> StoreFuture<'a, ()>;
    /// Refills every scenario.
    fn refill_all(&self) -> StoreFuture<'_, ()>;
}

/// A shared store's failure as the request's answer: `500xx02`, saying
/// which store and why.
pub fn store_failure(service: crate::snap::ServiceCode, e: StoreError) -> crate::snap::SnapError {
    crate::snap::SnapError::new(service, crate::snap::error::Failure::StoreUnavailable, e.0)
}

/// Uses left of a scenario's `times`; `None` for a scenario without `times`.
pub async fn scenario_remaining(
    scenario: &Scenario,
    counters: &dyn ScenarioCounters,
) -> StoreResult<Option<u32>> {
    match scenario.spec.times {
        None => Ok(None),
        Some(times) => counters.remaining(scenario.name(), times).await.map(Some),
    }
}

/// The first of `candidates` (from [`ScenarioSet::candidates`]) with a use
/// left, that use taken: the scenario that answers.
pub async fn take_first<'s>(
    candidates: impl Iterator<Item = &'s Arc<Scenario>>,
    counters: &dyn ScenarioCounters,
) -> StoreResult<Option<Arc<Scenario>>> {
    for scenario in candidates {
        let taken = match scenario.spec.times {
            None => true,
            Some(times) => counters.take(scenario.name(), times).await?,
        };
        if taken {
            return Ok(Some(scenario.clone()));
        }
    }
    Ok(None)
}

/// An `X-EXTERNAL-ID` a call used up: which partner, which id, which WIB day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedExternalId {
    /// The partner (`X-PARTNER-ID`) the id is unique for.
    pub partner: String,
    /// The `X-EXTERNAL-ID` as sent.
    pub id: String,
    /// The WIB day it was used on; ids are unique per partner per day.
    pub day: NaiveDate,
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
    fn check_and_record<'a>(
        &'a self,
        partner: &'a str,
        external_id: &'a str,
        day: NaiveDate,
    ) -> StoreFuture<'a, IdCheck>;
    /// Forgets a recorded id: the call that used it was answered with a
    /// failure after all (a scenario), so the client's retry may reuse it.
    fn release<'a>(
        &'a self,
        partner: &'a str,
        external_id: &'a str,
        day: NaiveDate,
    ) -> StoreFuture<'a, ()>;
}

/// A B2B2C refresh token's grant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefreshGrant {
    pub client_key: String,
    pub customer: String,
    pub expires_at: DateTime<Utc>,
}

/// B2B2C refresh tokens issued and not yet used.
pub trait RefreshTokenStore: Send + Sync {
    fn insert(&self, token: String, grant: RefreshGrant, now: DateTime<Utc>)
        -> StoreFuture<'_, ()>;
    /// Takes the token out: a refresh token is used once (take-once, atomic).
    fn take<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<RefreshGrant>>;
}

/// Opaque access tokens issued (`--token-format opaque`): the token itself
/// says nothing, so validating one means finding it here.
pub trait AccessTokenStore: Send + Sync {
    fn insert<'a>(
        &'a self,
        token: &'a str,
        claims: AccessTokenClaims,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()>;
    /// The token's claims, expired or not (the caller checks `exp`).
    fn get<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<AccessTokenClaims>>;
}

/// The request journal.
pub trait JournalStore: Send + Sync {
    /// False when nothing is kept: the entry need not be built.
    fn enabled(&self) -> bool;
    /// Longest body text an entry keeps.
    fn body_limit(&self) -> usize;
    fn record(&self, entry: JournalEntry) -> StoreFuture<'_, ()>;
    /// Counts a request that was not recorded because the journal is off.
    fn count_unrecorded(&self) -> StoreFuture<'_, ()>;
    /// Entries newest first that satisfy `keep`, at most `limit`, only those
    /// older than `before` (a `seq`) when given.
    fn list<'a>(
        &'a self,
        before: Option<u64>,
        limit: usize,
        keep: &'a (dyn Fn(&JournalEntry) -> bool + Sync),
    ) -> StoreFuture<'a, Vec<Arc<JournalEntry>>>;
    fn clear(&self) -> StoreFuture<'_, ()>;
    fn stats(&self) -> StoreFuture<'_, JournalStats>;
}

/// One of each store.
#[derive(Clone)]
pub struct Stores {
    pub backend: Arc<dyn Backend>,
    pub clients: Arc<dyn ClientStore>,
    pub scenarios: Arc<dyn ScenarioStore>,
    pub counters: Arc<dyn ScenarioCounters>,
    pub external_ids: Arc<dyn ExternalIdStore>,
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    pub access_tokens: Arc<dyn AccessTokenStore>,
    pub journal: Arc<dyn JournalStore>,
    /// Transactions with state (VA, QRIS, direct debit), shared by the
    /// replicas with `--store redis://`.
    pub transactions: Arc<dyn TransactionStore>,
}

impl Stores {
    /// In-process stores holding the loaded fixtures.
    pub fn in_memory(
        clients: ClientRegistry,
        scenarios: ScenarioSet,
        config: &crate::config::Config,
    ) -> Self {
        Self {
            backend: Arc::new(InProcess),
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
            journal: Arc::new(journal::Journal::new(
                config.journal_capacity,
                config.journal_body_limit,
            )),
            transactions: Arc::new(MemoryTransactions::new(config.max_transactions)),
        }
    }
}
