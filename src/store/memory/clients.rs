//! Clients: the fixture's, with runtime registrations and removals layered
//! over them.

use super::*;

/// The fixture's clients, with the runtime registrations and removals
/// layered over them so that a reload of the fixture keeps them.
pub struct Clients(RwLock<Layers>);

#[derive(Default)]
struct Layers {
    file: ClientRegistry,
    added: HashMap<String, Arc<Client>>,
    removed: HashSet<String>,
}

impl Layers {
    fn get(&self, key: &str) -> Option<Arc<Client>> {
        if let Some(c) = self.added.get(key) {
            return Some(c.clone());
        }
        if self.removed.contains(key) {
            return None;
        }
        self.file.get(key).cloned()
    }

    fn visible_file(&self) -> impl Iterator<Item = &Arc<Client>> {
        self.file.values().filter(|c| {
            !self.added.contains_key(&c.client_key) && !self.removed.contains(&c.client_key)
        })
    }
}

impl Clients {
    pub fn new(clients: ClientRegistry) -> Self {
        Self(RwLock::new(Layers {
            file: clients,
            ..Layers::default()
        }))
    }

    pub fn register(&self, client: Client) -> bool {
        let mut layers = write(&self.0);
        let key = client.client_key.clone();
        let replaced = layers.get(&key).is_some();
        layers.removed.remove(&key);
        layers.added.insert(key, Arc::new(client));
        replaced
    }

    pub fn remove(&self, client_key: &str) -> bool {
        let mut layers = write(&self.0);
        let present = layers.get(client_key).is_some();
        layers.added.remove(client_key);
        if layers.file.get(client_key).is_some() {
            layers.removed.insert(client_key.to_owned());
        }
        present
    }

    pub fn reset(&self) {
        let mut layers = write(&self.0);
        layers.added.clear();
        layers.removed.clear();
    }

    /// Replaces every runtime change at once with `changes` applied to the
    /// fixture, so that no request sees a half-applied state.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub fn replace_runtime(&self, changes: Vec<RuntimeChange<Client>>) {
        let mut layers = write(&self.0);
        layers.added.clear();
        layers.removed.clear();
        for change in changes {
            match change {
                RuntimeChange::Set(client) => {
                    layers.removed.remove(&client.client_key);
                    layers
                        .added
                        .insert(client.client_key.clone(), Arc::new(client));
                }
                RuntimeChange::Removed(key) => {
                    layers.added.remove(&key);
                    if layers.file.get(&key).is_some() {
                        layers.removed.insert(key);
                    }
                }
            }
        }
    }
}

impl ClientStore for Clients {
    fn get(&self, client_key: &str) -> Option<Arc<Client>> {
        read(&self.0).get(client_key)
    }
    fn all(&self) -> Vec<Arc<Client>> {
        let layers = read(&self.0);
        let mut all: Vec<_> = layers
            .visible_file()
            .chain(layers.added.values())
            .cloned()
            .collect();
        all.sort_by(|a, b| a.client_key.cmp(&b.client_key));
        all
    }
    fn some(&self, n: usize) -> Vec<Arc<Client>> {
        let layers = read(&self.0);
        layers
            .added
            .values()
            .chain(layers.visible_file())
            .take(n)
            .cloned()
            .collect()
    }
    fn len(&self) -> usize {
        let layers = read(&self.0);
        layers.visible_file().count() + layers.added.len()
    }
    fn register(&self, client: Client) -> StoreFuture<'_, bool> {
        StoreFuture::ready(Clients::register(self, client))
    }
    fn remove<'a>(&'a self, client_key: &'a str) -> StoreFuture<'a, bool> {
        StoreFuture::ready(Clients::remove(self, client_key))
    }
    fn reload(&self, clients: ClientRegistry) {
        write(&self.0).file = clients;
    }
    fn reset(&self) -> StoreFuture<'_, ()> {
        Clients::reset(self);
        StoreFuture::ready(())
    }
}
