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

/// The connection, its runtime, and how the last operation went.
struct Conn {
    /// Shut down without blocking when the stores go (possibly inside
    /// another runtime, where a blocking drop would panic).
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    handle: tokio::runtime::Handle,
    manager: ConnectionManager,
    url: String,
    prefix: String,
    timeout: Duration,
    /// Set while the store fails: why, and when it was last asked.
    failing: Mutex<Option<Failing>>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(rt) = lock(&self.runtime).take() {
            rt.shutdown_background();
        }
    }
}

/// Why the store fails, and when it was last asked.
struct Failing {
    why: String,
    asked: std::time::Instant,
}

/// How often a failing store is asked again; requests in between get its
/// failure at once.
const PROBE_EVERY: Duration = Duration::from_millis(200);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Conn {
    fn open(config: &RedisConfig) -> Result<Arc<Self>, String> {
        let url = shown(&config.url);
        let client = redis::Client::open(config.url.as_str())
            .map_err(|e| format!("--store {url}: not a Redis URL: {e}"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("snap-mock-redis")
            .enable_all()
            .build()
            .map_err(|e| format!("--store {url}: cannot start its runtime: {e}"))?;
        let manager_config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.timeout))
            .set_response_timeout(Some(config.timeout))
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_secs(1))
            .set_number_of_retries(2);
        // Lazy: the server starts while Redis is still coming up (or down),
        // reports it, and connects once it answers.
        let manager = {
            let _inside = runtime.enter();
            ConnectionManager::new_lazy_with_config(client, manager_config)
                .map_err(|e| format!("--store {url}: {e}"))?
        };
        Ok(Arc::new(Self {
            handle: runtime.handle().clone(),
            runtime: Mutex::new(Some(runtime)),
            manager,
            url,
            prefix: config.prefix.clone(),
            timeout: config.timeout,
            failing: Mutex::new(None),
        }))
    }

    fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    /// Runs `op` on the store's runtime within the timeout; the error names
    /// the store, what was being done, and why. A read (`retry`) is tried
    /// once more after a dropped connection, which the connection manager
    /// replaces meanwhile: the first read after a Redis restart then finds
    /// the new connection instead of failing. A write is not: it may have
    /// been applied before the connection dropped.
    fn call<'a, T, Fut>(
        &'a self,
        what: &'static str,
        retry: bool,
        op: impl Fn(ConnectionManager) -> Fut + Send + 'static,
    ) -> StoreFuture<'a, T>
    where
        T: Send + 'static,
        Fut: Future<Output = redis::RedisResult<T>> + Send + 'static,
    {
        // While the store fails, one request at a time asks it again (every
        // PROBE_EVERY); the others get the failure at once instead of each
        // waiting for the timeout or the reconnection.
        if let Some(f) = lock(&self.failing).as_mut() {
            if f.asked.elapsed() < PROBE_EVERY {
                return StoreFuture::failed(self.error(what, &f.why));
            }
            f.asked = std::time::Instant::now();
        }
        let manager = self.manager.clone();
        let timeout = self.timeout;
        let task = self.handle.spawn(async move {
            match tokio::time::timeout(timeout, op(manager.clone())).await {
                Ok(Err(e)) if retry && (e.is_connection_dropped() || e.is_io_error()) => {
                    tokio::time::timeout(timeout, op(manager)).await
                }
                first => first,
            }
        });
        StoreFuture::pending(async move {
            let outcome = match task.await {
                Ok(Ok(Ok(value))) => Ok(value),
                Ok(Ok(Err(e))) if !e.is_timeout() => Err(e.to_string()),
                Ok(Ok(Err(_))) | Ok(Err(_)) => Err(format!(
                    "no answer within {} ms (--store-timeout-ms)",
                    timeout.as_millis()
                )),
                Err(e) => Err(format!("the store's task failed: {e}")),
            };
            let mut failing = lock(&self.failing);
            match outcome {
                Ok(value) => {
                    if let Some(was) = failing.take() {
                        log::info!("store {} answers again (it failed: {})", self.url, was.why);
                    }
                    Ok(value)
                }
                Err(why) => {
                    if failing.is_none() {
                        log::error!("store {} failed ({what}): {why}", self.url);
                    }
                    let error = self.error(what, &why);
                    *failing = Some(Failing {
                        why,
                        asked: std::time::Instant::now(),
                    });
                    Err(error)
                }
            }
        })
    }

    fn error(&self, what: &str, why: &str) -> StoreError {
        StoreError(format!(
            "the shared store {} failed ({what}): {why}; snap-mock reconnects by itself",
            self.url
        ))
    }

    /// A script run with `keys` and `args`, that changes something.
    fn script<'a, T>(
        &'a self,
        what: &'static str,
        script: &Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        self.run_script(what, false, script, keys, args)
    }

    /// A script that only reads.
    fn read_script<'a, T>(
        &'a self,
        what: &'static str,
        script: &Script,
        keys: Vec<String>,
    ) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        self.run_script(what, true, script, keys, Vec::new())
    }

    fn run_script<'a, T>(
        &'a self,
        what: &'static str,
        read: bool,
        script: &Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        let script = script.clone();
        self.call(what, read, move |mut conn| {
            // Owned: a read may run twice.
            let (script, keys, args) = (script.clone(), keys.clone(), args.clone());
            async move {
                let mut invocation = script.prepare_invoke();
                for k in keys {
                    invocation.key(k);
                }
                for a in args {
                    invocation.arg(a);
                }
                invocation.invoke_async(&mut conn).await
            }
        })
    }

    /// A command that only reads.
    fn read<'a, T>(&'a self, what: &'static str, cmd: redis::Cmd) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        self.call(what, true, move |mut conn| {
            let cmd = cmd.clone();
            async move { cmd.query_async(&mut conn).await }
        })
    }

    /// A command that changes something.
    fn command<'a, T>(&'a self, what: &'static str, cmd: redis::Cmd) -> StoreFuture<'a, T>
    where
        T: redis::FromRedisValue + Send + 'static,
    {
        self.call(what, false, move |mut conn| {
            let cmd = cmd.clone();
            async move { cmd.query_async(&mut conn).await }
        })
    }
}

/// Maps a store value through a fallible conversion.
async fn then<T: Unpin, U>(
    future: StoreFuture<'_, T>,
    f: impl FnOnce(T) -> StoreResult<U>,
) -> StoreResult<U> {
    f(future.await?)
}

fn parse<T: DeserializeOwned>(what: &str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| {
        StoreError(format!(
            "the shared store holds a {what} this build cannot read: {e}"
        ))
    })
}

struct Scripts {
    append: Script,
    reset: Script,
    view: Script,
    take_use: Script,
    check_id: Script,
    put_token: Script,
    take_token: Script,
    record: Script,
    stats: Script,
}

impl Scripts {
    fn new() -> Self {
        Self {
            // KEYS: gen, hash. ARGV: field, value. The value is stored after
            // the generation it was written in (scenarios apply in order).
            // KEYS: gen, hash, epoch. ARGV: field, value, a new epoch.
            append: Script::new(
                "redis.call('SET', KEYS[3], ARGV[3], 'NX')
                 local g = redis.call('INCR', KEYS[1])
                 redis.call('HSET', KEYS[2], ARGV[1], g .. ' ' .. ARGV[2])
                 return g",
            ),
            // KEYS: gen, hash, epoch. ARGV: a new epoch.
            reset: Script::new(
                "redis.call('SET', KEYS[3], ARGV[1], 'NX')
                 redis.call('DEL', KEYS[2])
                 return redis.call('INCR', KEYS[1])",
            ),
            // KEYS: gen, epoch, clients, scenarios. One consistent view.
            view: Script::new(
                "return {redis.call('GET', KEYS[1]) or '0',
                         redis.call('GET', KEYS[2]) or '',
                         redis.call('HGETALL', KEYS[3]),
                         redis.call('HGETALL', KEYS[4])}",
            ),
            // KEYS: counters. ARGV: name, times.
            take_use: Script::new(
                "local used = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
                 if used < tonumber(ARGV[2]) then
                   redis.call('HINCRBY', KEYS[1], ARGV[1], 1) return 1
                 end
                 return 0",
            ),
            // KEYS: the day's ids. ARGV: partner+id, max, expiry (unix s).
            check_id: Script::new(
                "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 1 end
                 if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[2]) then return 2 end
                 redis.call('HSET', KEYS[1], ARGV[1], '1')
                 redis.call('EXPIREAT', KEYS[1], ARGV[3])
                 return 0",
            ),
            // KEYS: token, index. ARGV: value, ttl ms, max, order.
            put_token: Script::new(
                "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
                 redis.call('ZADD', KEYS[2], ARGV[4], KEYS[1])
                 local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
                 if over > 0 then
                   local old = redis.call('ZPOPMIN', KEYS[2], over)
                   for i = 1, #old, 2 do redis.call('DEL', old[i]) end
                 end
                 return math.max(over, 0)",
            ),
            // KEYS: token, index.
            take_token: Script::new(
                "local v = redis.call('GET', KEYS[1])
                 if v then redis.call('DEL', KEYS[1]) redis.call('ZREM', KEYS[2], KEYS[1]) end
                 return v",
            ),
            // KEYS: stream, seq, stats. ARGV: capacity, entry.
            record: Script::new(
                "local seq = redis.call('INCR', KEYS[2])
                 local held = redis.call('XLEN', KEYS[1])
                 redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], seq .. '-0', 'e', ARGV[2])
                 redis.call('HINCRBY', KEYS[3], 'recorded', 1)
                 if held >= tonumber(ARGV[1]) then redis.call('HINCRBY', KEYS[3], 'dropped', 1) end
                 return seq",
            ),
            // KEYS: stream, stats.
            stats: Script::new(
                "return {redis.call('XLEN', KEYS[1]),
                         tonumber(redis.call('HGET', KEYS[2], 'recorded') or '0'),
                         tonumber(redis.call('HGET', KEYS[2], 'dropped') or '0')}",
            ),
        }
    }
}

/// The stores of one replica, on a shared Redis.
pub fn stores(
    clients: ClientRegistry,
    scenarios: ScenarioSet,
    config: &crate::config::Config,
    redis: &RedisConfig,
) -> Result<Stores, String> {
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
    })
}

#[derive(Clone)]
struct Shared {
    conn: Arc<Conn>,
    scripts: Arc<Scripts>,
}

/// Runtime clients and scenarios: written to Redis, read from the local
/// view that [`Backend::refresh`] keeps up with the generation counter.
struct Registry {
    conn: Arc<Conn>,
    scripts: Arc<Scripts>,
    clients: memory::Clients,
    scenarios: memory::Scenarios,
    /// The version the local view was built from. An async lock: one
    /// request rebuilds, the others wait for it instead of rebuilding too.
    seen: tokio::sync::Mutex<Version>,
    keys_dir: PathBuf,
}

/// A Redis hash's fields and values.
type Fields = Vec<(String, String)>;

/// A runtime change as kept in Redis: the value, or a removal.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Change<T> {
    Set(T),
    Removed,
}

/// Which state of the runtime changes a view shows: the generation
/// counter, and the epoch, a random id the first writer after Redis lost
/// its data sets, so that a counter counting again from zero after a Redis
/// restart never passes for one already seen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Version {
    gen: u64,
    epoch: String,
}

/// The two hashes of runtime changes.
#[derive(Clone, Copy)]
enum Runtime {
    Clients,
    Scenarios,
}

impl Registry {
    fn keys(&self) -> [String; 4] {
        [
            self.conn.key("gen"),
            self.conn.key("epoch"),
            self.conn.key("clients"),
            self.conn.key("scenarios"),
        ]
    }

    /// The generation counter, the hash of `which`, and the epoch.
    fn keys_of(&self, which: Runtime) -> Vec<String> {
        let [gen, epoch, clients, scenarios] = self.keys();
        match which {
            Runtime::Clients => vec![gen, clients, epoch],
            Runtime::Scenarios => vec![gen, scenarios, epoch],
        }
    }

    async fn write<T: Serialize>(
        &self,
        which: Runtime,
        field: &str,
        change: &Change<T>,
    ) -> StoreResult<()> {
        let value = serde_json::to_string(change).map_err(|e| StoreError(e.to_string()))?;
        let _: u64 = self
            .conn
            .script(
                "recording a runtime change",
                &self.scripts.append,
                self.keys_of(which),
                vec![field.to_owned(), value, new_epoch()],
            )
            .await?;
        self.catch_up().await
    }

    async fn reset(&self, which: Runtime) -> StoreResult<()> {
        let _: u64 = self
            .conn
            .script(
                "a reset",
                &self.scripts.reset,
                self.keys_of(which),
                vec![new_epoch()],
            )
            .await?;
        self.catch_up().await
    }

    /// Records the removal of the client or scenario `name`, if the shared
    /// state has it: false when it has not.
    async fn remove_present(&self, which: Runtime, name: &str) -> StoreResult<bool> {
        self.catch_up().await?;
        let present = match which {
            Runtime::Clients => self.clients.get(name).is_some(),
            Runtime::Scenarios => self.scenarios.snapshot().get(name).is_some(),
        };
        if present {
            self.write::<()>(which, name, &Change::Removed).await?;
        }
        Ok(present)
    }

    /// Rebuilds the local view when another replica (or this one) changed
    /// the runtime clients or scenarios.
    async fn catch_up(&self) -> StoreResult<()> {
        let [gen_key, epoch_key, clients_key, scenarios_key] = self.keys();
        let (gen, epoch): (Option<u64>, Option<String>) = self
            .conn
            .read(
                "reading the generation",
                redis::Cmd::mget(&[&gen_key, &epoch_key]),
            )
            .await?;
        let current = Version {
            gen: gen.unwrap_or(0),
            epoch: epoch.unwrap_or_default(),
        };
        let mut seen = self.seen.lock().await;
        if current == *seen {
            return Ok(());
        }
        let (gen, epoch, clients, scenarios): (u64, String, Fields, Fields) = self
            .conn
            .read_script(
                "reading runtime clients and scenarios",
                &self.scripts.view,
                vec![gen_key, epoch_key, clients_key, scenarios_key],
            )
            .await?;
        let mut client_changes = Vec::with_capacity(clients.len());
        for (key, value) in clients {
            let (_, json) = value.split_once(' ').unwrap_or(("0", &value));
            match parse::<Change<ClientEntry>>("client", json)? {
                Change::Set(entry) => match Client::from_entry(entry, &self.keys_dir) {
                    Ok(client) => client_changes.push(Ok(client)),
                    Err(e) => log::warn!("shared client {key:?} skipped: {e}"),
                },
                Change::Removed => client_changes.push(Err(key)),
            }
        }
        let mut scenario_changes = Vec::with_capacity(scenarios.len());
        for (name, value) in scenarios {
            let (order, json) = value.split_once(' ').unwrap_or(("0", &value));
            let order: u64 = order.parse().unwrap_or(0);
            let change = match parse::<Change<ScenarioSpec>>("scenario", json)? {
                Change::Set(spec) => match Scenario::new(spec) {
                    Ok(s) => Ok(Arc::new(s)),
                    Err(e) => {
                        log::warn!("shared scenario {name:?} skipped: {e}");
                        continue;
                    }
                },
                Change::Removed => Err(name),
            };
            scenario_changes.push((order, change));
        }
        scenario_changes.sort_by_key(|(order, _)| *order);
        self.clients.replace_runtime(client_changes);
        self.scenarios
            .replace_runtime(scenario_changes.into_iter().map(|(_, c)| c).collect());
        *seen = Version { gen, epoch };
        Ok(())
    }
}

impl Backend for Registry {
    fn refresh(&self) -> StoreFuture<'_, ()> {
        StoreFuture::pending(self.catch_up())
    }

    fn status(&self) -> BackendStatus {
        let error = lock(&self.conn.failing).as_ref().map(|f| f.why.clone());
        BackendStatus {
            kind: "redis",
            url: Some(self.conn.url.clone()),
            reachable: error.is_none(),
            error,
        }
    }
}

fn new_epoch() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The form a client is shared in: its entry, with the key as a PEM.
fn entry_of(client: &Client) -> StoreResult<ClientEntry> {
    use rsa::pkcs8::EncodePublicKey;
    let pem = client
        .public_key
        .rsa()
        .to_public_key_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(|e| StoreError(format!("client {:?}: {e}", client.client_key)))?;
    Ok(ClientEntry {
        client_key: client.client_key.clone(),
        public_key: pem,
        name: client.name.clone(),
        description: None,
        client_secret: client.client_secret.clone(),
        partner_id: client.partner_id.clone(),
        enabled: client.enabled,
        auth_codes: client.auth_codes.clone(),
    })
}

impl ClientStore for Registry {
    fn get(&self, client_key: &str) -> Option<Arc<Client>> {
        self.clients.get(client_key)
    }
    fn all(&self) -> Vec<Arc<Client>> {
        self.clients.all()
    }
    fn some(&self, n: usize) -> Vec<Arc<Client>> {
        self.clients.some(n)
    }
    fn len(&self) -> usize {
        ClientStore::len(&self.clients)
    }
    fn register(&self, client: Client) -> StoreFuture<'_, bool> {
        StoreFuture::pending(async move {
            self.catch_up().await?;
            let replaced = self.clients.get(&client.client_key).is_some();
            let entry = entry_of(&client)?;
            self.write(Runtime::Clients, &client.client_key, &Change::Set(entry))
                .await?;
            Ok(replaced)
        })
    }
    fn remove<'a>(&'a self, client_key: &'a str) -> StoreFuture<'a, bool> {
        StoreFuture::pending(self.remove_present(Runtime::Clients, client_key))
    }
    fn reload(&self, clients: ClientRegistry) {
        ClientStore::reload(&self.clients, clients);
    }
    fn reset(&self) -> StoreFuture<'_, ()> {
        StoreFuture::pending(Registry::reset(self, Runtime::Clients))
    }
}

impl ScenarioStore for Registry {
    fn snapshot(&self) -> Arc<ScenarioSet> {
        self.scenarios.snapshot()
    }
    fn add(&self, scenario: Scenario) -> StoreFuture<'_, Result<(), String>> {
        StoreFuture::pending(async move {
            self.catch_up().await?;
            let current = self.scenarios.snapshot();
            if current.len() >= super::MAX_SCENARIOS && current.get(scenario.name()).is_none() {
                return Ok(Err(format!(
                    "{} scenarios are in force, the most there can be; remove some first",
                    super::MAX_SCENARIOS
                )));
            }
            self.write(
                Runtime::Scenarios,
                scenario.name(),
                &Change::Set(&scenario.spec),
            )
            .await?;
            Ok(Ok(()))
        })
    }
    fn remove<'a>(&'a self, name: &'a str) -> StoreFuture<'a, bool> {
        StoreFuture::pending(self.remove_present(Runtime::Scenarios, name))
    }
    fn reload(&self, set: ScenarioSet) {
        ScenarioStore::reload(&self.scenarios, set);
    }
    fn reset(&self) -> StoreFuture<'_, ()> {
        StoreFuture::pending(Registry::reset(self, Runtime::Scenarios))
    }
}

struct Counters(Shared);

impl ScenarioCounters for Counters {
    fn take<'a>(&'a self, name: &'a str, times: u32) -> StoreFuture<'a, bool> {
        let key = self.0.conn.key("counters");
        let taken = self.0.conn.script::<u8>(
            "counting a scenario's use",
            &self.0.scripts.take_use,
            vec![key],
            vec![name.to_owned(), times.to_string()],
        );
        StoreFuture::pending(then(taken, |t| Ok(t == 1)))
    }
    fn remaining<'a>(&'a self, name: &'a str, times: u32) -> StoreFuture<'a, u32> {
        let used = self.0.conn.read::<Option<u32>>(
            "reading a scenario's uses",
            redis::Cmd::hget(self.0.conn.key("counters"), name),
        );
        StoreFuture::pending(then(
            used,
            move |u| Ok(times.saturating_sub(u.unwrap_or(0))),
        ))
    }
    fn refill<'a>(&'a self, name: &'a str) -> StoreFuture<'a, ()> {
        let cmd = redis::Cmd::hdel(self.0.conn.key("counters"), name);
        let done = self.0.conn.command::<i64>("refilling a scenario", cmd);
        StoreFuture::pending(then(done, |_| Ok(())))
    }
    fn refill_all(&self) -> StoreFuture<'_, ()> {
        let cmd = redis::Cmd::del(self.0.conn.key("counters"));
        let done = self.0.conn.command::<i64>("refilling the scenarios", cmd);
        StoreFuture::pending(then(done, |_| Ok(())))
    }
}

struct ExternalIds {
    shared: Shared,
    max_per_day: usize,
}

impl ExternalIds {
    fn key(&self, day: NaiveDate) -> String {
        self.shared.conn.key(&format!("external-ids:{day}"))
    }
}

/// The partner and the id as one field; the length keeps their boundary.
fn id_field(partner: &str, external_id: &str) -> String {
    format!("{}:{partner}{external_id}", partner.len())
}

/// When a day's ids may go: the end of that WIB day, or a day from now
/// when a test clock put that in the past (the key holds the day, so the
/// expiry only frees memory).
fn end_of_wib_day(day: NaiveDate) -> i64 {
    let end = day
        .succ_opt()
        .and_then(|next| next.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp() - 7 * 3600)
        .unwrap_or(i64::MAX);
    let now = Utc::now().timestamp();
    if end > now {
        end
    } else {
        now + 86_400
    }
}

impl ExternalIdStore for ExternalIds {
    fn check_and_record<'a>(
        &'a self,
        partner: &'a str,
        external_id: &'a str,
        day: NaiveDate,
    ) -> StoreFuture<'a, IdCheck> {
        let max = self.max_per_day;
        let found = self.shared.conn.script::<u8>(
            "checking an X-EXTERNAL-ID",
            &self.shared.scripts.check_id,
            vec![self.key(day)],
            vec![
                id_field(partner, external_id),
                max.to_string(),
                end_of_wib_day(day).to_string(),
            ],
        );
        StoreFuture::pending(then(found, move |f| {
            Ok(match f {
                0 => IdCheck::Fresh,
                1 => IdCheck::Used,
                _ => IdCheck::Full { max },
            })
        }))
    }

    fn release<'a>(
        &'a self,
        partner: &'a str,
        external_id: &'a str,
        day: NaiveDate,
    ) -> StoreFuture<'a, ()> {
        let cmd = redis::Cmd::hdel(self.key(day), id_field(partner, external_id));
        let done = self
            .shared
            .conn
            .command::<i64>("releasing an X-EXTERNAL-ID", cmd);
        StoreFuture::pending(then(done, |_| Ok(())))
    }
}

/// Tokens under their SHA-256 (the token itself is not kept), with an
/// index in issue order that bounds how many are held.
struct Tokens<T> {
    shared: Shared,
    kind: &'static str,
    max: usize,
    _value: std::marker::PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned + memory::Expires + Send + Unpin + 'static> Tokens<T> {
    fn new(shared: Shared, kind: &'static str, max: usize) -> Self {
        Self {
            shared,
            kind,
            max,
            _value: std::marker::PhantomData,
        }
    }

    fn keys(&self, token: &str) -> Vec<String> {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(token.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        vec![
            self.shared.conn.key(&format!("{}-token:{hex}", self.kind)),
            self.shared.conn.key(&format!("{}-tokens", self.kind)),
        ]
    }

    fn put(&self, token: &str, value: &T, now: DateTime<Utc>) -> StoreFuture<'_, ()> {
        let json = match serde_json::to_string(value) {
            Ok(json) => json,
            Err(e) => return StoreFuture::pending(async move { Err(StoreError(e.to_string())) }),
        };
        // Kept an hour past its expiry on the server's clock (which tests
        // move): the caller tells an expired token from an unknown one.
        let ttl = (value.expires_at() - now).num_milliseconds().max(0) + 3_600_000;
        let dropped = self.shared.conn.script::<i64>(
            "keeping a token",
            &self.shared.scripts.put_token,
            self.keys(token),
            vec![
                json,
                ttl.to_string(),
                self.max.to_string(),
                now.timestamp_micros().to_string(),
            ],
        );
        let (max, kind) = (self.max, self.kind);
        StoreFuture::pending(then(dropped, move |n| {
            if n > 0 {
                log::warn!("{max} {kind} tokens held; dropped the oldest");
            }
            Ok(())
        }))
    }

    fn read(&self, token: &str, take: bool) -> StoreFuture<'_, Option<T>> {
        let found = if take {
            self.shared.conn.script::<Option<String>>(
                "taking a token",
                &self.shared.scripts.take_token,
                self.keys(token),
                vec![],
            )
        } else {
            let key = self.keys(token).swap_remove(0);
            self.shared
                .conn
                .read::<Option<String>>("reading a token", redis::Cmd::get(key))
        };
        StoreFuture::pending(then(found, |json| {
            json.map(|j| parse::<T>("token", &j)).transpose()
        }))
    }
}

impl RefreshTokenStore for Tokens<RefreshGrant> {
    fn insert(
        &self,
        token: String,
        grant: RefreshGrant,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.put(&token, &grant, now)
    }
    fn take<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<RefreshGrant>> {
        self.read(token, true)
    }
}

impl AccessTokenStore for Tokens<AccessTokenClaims> {
    fn insert<'a>(
        &'a self,
        token: &'a str,
        claims: AccessTokenClaims,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        self.put(token, &claims, now)
    }
    fn get<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<AccessTokenClaims>> {
        self.read(token, false)
    }
}

/// The journal as a capped stream whose ids are the entries' `seq`.
struct Journal {
    shared: Shared,
    capacity: usize,
    body_limit: usize,
}

/// Entries read per round trip while a filtered listing fills its page.
const JOURNAL_BATCH: usize = 200;

impl Journal {
    fn keys(&self) -> [String; 3] {
        let conn = &self.shared.conn;
        [
            conn.key("journal"),
            conn.key("journal:seq"),
            conn.key("journal:stats"),
        ]
    }

    async fn page(
        &self,
        before: Option<u64>,
        limit: usize,
        keep: &(dyn Fn(&JournalEntry) -> bool + Sync),
    ) -> StoreResult<Vec<Arc<JournalEntry>>> {
        let [stream, _, _] = self.keys();
        let mut out = Vec::new();
        let mut end = before.map(|b| b.saturating_sub(1));
        while out.len() < limit {
            let top = match end {
                Some(0) => break,
                Some(seq) => format!("{seq}-0"),
                None => "+".to_owned(),
            };
            let mut cmd = redis::cmd("XREVRANGE");
            cmd.arg(&stream)
                .arg(top)
                .arg("-")
                .arg("COUNT")
                .arg(JOURNAL_BATCH);
            let batch: Vec<(String, Vec<String>)> =
                self.shared.conn.read("reading the journal", cmd).await?;
            let full = batch.len() == JOURNAL_BATCH;
            for (id, fields) in &batch {
                let seq: u64 = id
                    .split_once('-')
                    .and_then(|(s, _)| s.parse().ok())
                    .unwrap_or(0);
                end = Some(seq.saturating_sub(1));
                let Some(json) = fields.get(1) else { continue };
                let mut entry: JournalEntry = parse("journal entry", json)?;
                entry.seq = seq;
                if keep(&entry) {
                    out.push(Arc::new(entry));
                    if out.len() == limit {
                        break;
                    }
                }
            }
            if !full {
                break;
            }
        }
        Ok(out)
    }
}

impl super::JournalStore for Journal {
    fn enabled(&self) -> bool {
        self.capacity > 0
    }

    fn body_limit(&self) -> usize {
        self.body_limit
    }

    fn record(&self, entry: JournalEntry) -> StoreFuture<'_, ()> {
        let json = match serde_json::to_string(&entry) {
            Ok(json) => json,
            Err(e) => return StoreFuture::pending(async move { Err(StoreError(e.to_string())) }),
        };
        let recorded = self.shared.conn.script::<u64>(
            "recording a request",
            &self.shared.scripts.record,
            self.keys().to_vec(),
            vec![self.capacity.to_string(), json],
        );
        StoreFuture::pending(then(recorded, |_| Ok(())))
    }

    fn count_unrecorded(&self) -> StoreFuture<'_, ()> {
        let [_, _, stats] = self.keys();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hincr(&stats, "recorded", 1)
            .hincr(&stats, "dropped", 1);
        let done = self
            .shared
            .conn
            .call("counting a request", false, move |mut c| {
                let pipe = pipe.clone();
                async move { pipe.query_async::<(i64, i64)>(&mut c).await }
            });
        StoreFuture::pending(then(done, |_| Ok(())))
    }

    fn list<'a>(
        &'a self,
        before: Option<u64>,
        limit: usize,
        keep: &'a (dyn Fn(&JournalEntry) -> bool + Sync),
    ) -> StoreFuture<'a, Vec<Arc<JournalEntry>>> {
        StoreFuture::pending(self.page(before, limit, keep))
    }

    fn clear(&self) -> StoreFuture<'_, ()> {
        let [stream, _, stats] = self.keys();
        let cmd = redis::Cmd::del(&[stream, stats]);
        let done = self.shared.conn.command::<i64>("clearing the journal", cmd);
        StoreFuture::pending(then(done, |_| Ok(())))
    }

    fn stats(&self) -> StoreFuture<'_, JournalStats> {
        let [stream, _, stats] = self.keys();
        let read = self.shared.conn.read_script::<(u64, u64, u64)>(
            "reading the journal's counts",
            &self.shared.scripts.stats,
            vec![stream, stats],
        );
        let capacity = self.capacity;
        StoreFuture::pending(then(read, move |(held, recorded, dropped)| {
            Ok(JournalStats {
                capacity,
                held: held as usize,
                recorded,
                dropped,
            })
        }))
    }
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
