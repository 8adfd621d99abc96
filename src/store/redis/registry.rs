//! Runtime clients and scenarios: written to Redis, read from a local
//! view rebuilt when the generation counter (or the epoch) moves.

use super::*;
use crate::scenarios::{ScenariosFull, MAX_SCENARIOS};
use crate::store::memory::RuntimeChange;

/// Runtime clients and scenarios: written to Redis, read from the local
/// view that [`Backend::refresh`] keeps up with the generation counter.
pub(super) struct Registry {
    pub(super) conn: Arc<Conn>,
    pub(super) scripts: Arc<Scripts>,
    pub(super) clients: memory::Clients,
    pub(super) scenarios: memory::Scenarios,
    /// The version the local view was built from. An async lock: one
    /// request rebuilds, the others wait for it instead of rebuilding too.
    pub(super) seen: tokio::sync::Mutex<Version>,
    pub(super) keys_dir: PathBuf,
}

/// A Redis hash's fields and values.
pub(super) type Fields = Vec<(String, String)>;

/// A runtime change as kept in Redis: the value, or a removal.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Change<T> {
    Set(T),
    Removed,
}

/// Which state of the runtime changes a view shows: the generation
/// counter, and the epoch, a random id the first writer after Redis lost
/// its data sets, so that a counter counting again from zero after a Redis
/// restart never passes for one already seen.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Version {
    pub(super) gen: u64,
    pub(super) epoch: String,
}

/// The two hashes of runtime changes.
#[derive(Clone, Copy)]
pub(super) enum Runtime {
    Clients,
    Scenarios,
}

impl Registry {
    pub(super) fn keys(&self) -> [String; 4] {
        [
            self.conn.key("gen"),
            self.conn.key("epoch"),
            self.conn.key("clients"),
            self.conn.key("scenarios"),
        ]
    }

    /// The generation counter, the hash of `which`, and the epoch.
    pub(super) fn keys_of(&self, which: Runtime) -> Vec<String> {
        let [gen, epoch, clients, scenarios] = self.keys();
        match which {
            Runtime::Clients => vec![gen, clients, epoch],
            Runtime::Scenarios => vec![gen, scenarios, epoch],
        }
    }

    pub(super) async fn write<T: Serialize>(
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

    pub(super) async fn reset(&self, which: Runtime) -> StoreResult<()> {
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
    pub(super) async fn remove_present(&self, which: Runtime, name: &str) -> StoreResult<bool> {
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
    pub(super) async fn catch_up(&self) -> StoreResult<()> {
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
        let client_changes = self.client_changes(clients)?;
        let scenario_changes = scenario_changes(scenarios)?;
        self.clients.replace_runtime(client_changes);
        self.scenarios.replace_runtime(scenario_changes);
        *seen = Version { gen, epoch };
        Ok(())
    }

    /// The shared clients as changes to the fixture; one whose key no
    /// longer loads here is skipped with a warning.
    fn client_changes(&self, clients: Fields) -> StoreResult<Vec<RuntimeChange<Client>>> {
        let mut changes = Vec::with_capacity(clients.len());
        for (key, value) in clients {
            let (_, json) = value.split_once(' ').unwrap_or(("0", &value));
            match parse::<Change<ClientEntry>>("client", json)? {
                Change::Set(entry) => match Client::from_entry(entry, &self.keys_dir) {
                    Ok(client) => changes.push(RuntimeChange::Set(client)),
                    Err(e) => log::warn!("shared client {key:?} skipped: {e}"),
                },
                Change::Removed => changes.push(RuntimeChange::Removed(key)),
            }
        }
        Ok(changes)
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

pub(super) fn new_epoch() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The form a client is shared in: its entry, with the key as a PEM.
pub(super) fn entry_of(client: &Client) -> StoreResult<ClientEntry> {
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
        notification_url: client.notification_url.clone(),
        notification_urls: client.notification_urls.clone(),
        scopes: Some(client.scopes.clone()),
        claims: client.claims.clone(),
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
    fn add(&self, scenario: Scenario) -> StoreFuture<'_, Result<(), ScenariosFull>> {
        StoreFuture::pending(async move {
            self.catch_up().await?;
            let current = self.scenarios.snapshot();
            if current.len() >= MAX_SCENARIOS && current.get(scenario.name()).is_none() {
                return Ok(Err(ScenariosFull));
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

/// The shared scenarios as changes, in the order they were made; one that
/// no longer validates is skipped with a warning.
fn scenario_changes(scenarios: Fields) -> StoreResult<Vec<RuntimeChange<Arc<Scenario>>>> {
    let mut changes = Vec::with_capacity(scenarios.len());
    for (name, value) in scenarios {
        let (order, json) = value.split_once(' ').unwrap_or(("0", &value));
        let order: u64 = order.parse().unwrap_or(0);
        let change = match parse::<Change<ScenarioSpec>>("scenario", json)? {
            Change::Set(spec) => match Scenario::new(spec) {
                Ok(s) => RuntimeChange::Set(Arc::new(s)),
                Err(e) => {
                    log::warn!("shared scenario {name:?} skipped: {e}");
                    continue;
                }
            },
            Change::Removed => RuntimeChange::Removed(name),
        };
        changes.push((order, change));
    }
    changes.sort_by_key(|(order, _)| *order);
    Ok(changes.into_iter().map(|(_, change)| change).collect())
}
