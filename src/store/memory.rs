//! The in-process stores: the default, and the fast path.

//!
//! Each store's operations are inherent, synchronous methods (the Redis
//! backend keeps its local view of clients and scenarios in these too);
//! the trait implementations answer with them at once.

use super::{
    AccessTokenStore, ClientStore, ExternalIdStore, IdCheck, RefreshGrant, RefreshTokenStore,
    ScenarioCounters, ScenarioStore, StoreFuture,
};
use crate::clients::{Client, ClientRegistry};
use crate::scenarios::{Scenario, ScenarioSet};
use crate::tokens::AccessTokenClaims;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

// A poisoned lock only means a panic elsewhere while it was held; the data
// behind it is still consistent (every update below is a single call).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}
fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

/// The fixture's clients, with the runtime registrations and removals
/// layered over them so that a reload of the fixture keeps them.
pub struct Clients(RwLock<Layers>);

/// The first 128 bits of SHA-256 over `parts`: a fixed 16 bytes per key
/// however long the key, with collisions out of reach for a test server.
fn digest128(parts: &[&[u8]]) -> u128 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    let d = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&d[..16]);
    u128::from_le_bytes(first)
}

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
    pub fn replace_runtime(&self, changes: Vec<Result<Client, String>>) {
        let mut layers = write(&self.0);
        layers.added.clear();
        layers.removed.clear();
        for change in changes {
            match change {
                Ok(client) => {
                    layers.removed.remove(&client.client_key);
                    layers
                        .added
                        .insert(client.client_key.clone(), Arc::new(client));
                }
                Err(key) => {
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

/// Copy-on-write: a request takes a snapshot (an `Arc` clone) and never
/// holds a lock while it matches; admin changes build a new set.
pub struct Scenarios(RwLock<Arc<ScenarioSet>>);

impl Scenarios {
    pub fn new(set: ScenarioSet) -> Self {
        Self(RwLock::new(Arc::new(set)))
    }

    fn update<R>(&self, change: impl FnOnce(&mut ScenarioSet) -> R) -> R {
        let mut current = write(&self.0);
        let mut next = ScenarioSet::clone(&current);
        let result = change(&mut next);
        *current = Arc::new(next);
        result
    }

    pub fn snapshot(&self) -> Arc<ScenarioSet> {
        read(&self.0).clone()
    }

    pub fn add(&self, scenario: Scenario) -> Result<(), String> {
        self.update(|s| {
            if s.len() >= super::MAX_SCENARIOS && s.get(scenario.name()).is_none() {
                return Err(format!(
                    "{} scenarios are in force, the most there can be; remove some first",
                    super::MAX_SCENARIOS
                ));
            }
            s.add(scenario);
            Ok(())
        })
    }

    pub fn remove(&self, name: &str) -> bool {
        self.update(|s| s.remove(name))
    }

    pub fn reset(&self) {
        self.update(ScenarioSet::reset)
    }

    /// Replaces every runtime change at once with `changes` (a scenario
    /// added, or the name of one removed) applied to the fixture.
    #[cfg_attr(not(feature = "redis"), allow(dead_code))]
    pub fn replace_runtime(&self, changes: Vec<Result<Arc<Scenario>, String>>) {
        self.update(|s| {
            s.reset();
            for change in changes {
                match change {
                    Ok(scenario) => s.add_shared(scenario),
                    Err(name) => {
                        s.remove(&name);
                    }
                }
            }
        })
    }
}

impl ScenarioStore for Scenarios {
    fn snapshot(&self) -> Arc<ScenarioSet> {
        Scenarios::snapshot(self)
    }
    fn add(&self, scenario: Scenario) -> StoreFuture<'_, Result<(), String>> {
        StoreFuture::ready(Scenarios::add(self, scenario))
    }
    fn remove<'a>(&'a self, name: &'a str) -> StoreFuture<'a, bool> {
        StoreFuture::ready(Scenarios::remove(self, name))
    }
    fn reload(&self, set: ScenarioSet) {
        let mut current = write(&self.0);
        *current = Arc::new(set.keeping_runtime_changes_of(&current));
    }
    fn reset(&self) -> StoreFuture<'_, ()> {
        Scenarios::reset(self);
        StoreFuture::ready(())
    }
}

/// Uses per scenario name.
#[derive(Default)]
pub struct Counters(Mutex<HashMap<String, u32>>);

impl Counters {
    pub fn take(&self, name: &str, times: u32) -> bool {
        let mut used = lock(&self.0);
        let n = used.entry(name.to_owned()).or_insert(0);
        if *n < times {
            *n += 1;
            true
        } else {
            false
        }
    }
    pub fn remaining(&self, name: &str, times: u32) -> u32 {
        times.saturating_sub(lock(&self.0).get(name).copied().unwrap_or(0))
    }
    pub fn refill(&self, name: &str) {
        lock(&self.0).remove(name);
    }
    pub fn refill_all(&self) {
        lock(&self.0).clear();
    }
}

impl ScenarioCounters for Counters {
    fn take<'a>(&'a self, name: &'a str, times: u32) -> StoreFuture<'a, bool> {
        StoreFuture::ready(Counters::take(self, name, times))
    }
    fn remaining<'a>(&'a self, name: &'a str, times: u32) -> StoreFuture<'a, u32> {
        StoreFuture::ready(Counters::remaining(self, name, times))
    }
    fn refill<'a>(&'a self, name: &'a str) -> StoreFuture<'a, ()> {
        Counters::refill(self, name);
        StoreFuture::ready(())
    }
    fn refill_all(&self) -> StoreFuture<'_, ()> {
        Counters::refill_all(self);
        StoreFuture::ready(())
    }
}

/// `X-EXTERNAL-ID`s used, bucketed by WIB day. Only the two most recent
/// days are kept (a request dated earlier than both is checked against an
/// empty day): every operation is O(1), and a new day frees the oldest
/// bucket at once. Each (partner, id) is kept as a 128-bit digest, 16 bytes
/// however long the partner id, so memory per id is fixed.
pub struct ExternalIds {
    max_per_day: usize,
    days: Mutex<Vec<(NaiveDate, HashSet<u128>)>>,
}

impl ExternalIds {
    pub fn new(max_per_day: usize) -> Self {
        Self {
            max_per_day,
            days: Mutex::new(Vec::with_capacity(3)),
        }
    }

    fn digest(partner: &str, external_id: &str) -> u128 {
        let len = (partner.len() as u64).to_le_bytes();
        digest128(&[&len, partner.as_bytes(), external_id.as_bytes()])
    }

    pub fn check_and_record(&self, partner: &str, external_id: &str, day: NaiveDate) -> IdCheck {
        let key = Self::digest(partner, external_id);
        let mut days = lock(&self.days);
        let at = match days.iter().position(|(d, _)| *d == day) {
            Some(at) => at,
            None => {
                days.push((day, HashSet::new()));
                days.sort_by_key(|(d, _)| std::cmp::Reverse(*d));
                days.truncate(2);
                match days.iter().position(|(d, _)| *d == day) {
                    Some(at) => at,
                    // Older than both kept days: nothing to compare with.
                    None => return IdCheck::Fresh,
                }
            }
        };
        let seen = &mut days[at].1;
        if seen.contains(&key) {
            IdCheck::Used
        } else if seen.len() >= self.max_per_day {
            IdCheck::Full {
                max: self.max_per_day,
            }
        } else {
            seen.insert(key);
            IdCheck::Fresh
        }
    }

    pub fn release(&self, partner: &str, external_id: &str, day: NaiveDate) {
        let key = Self::digest(partner, external_id);
        if let Some((_, seen)) = lock(&self.days).iter_mut().find(|(d, _)| *d == day) {
            seen.remove(&key);
        }
    }
}

impl ExternalIdStore for ExternalIds {
    fn check_and_record<'a>(
        &'a self,
        partner: &'a str,
        external_id: &'a str,
        day: NaiveDate,
    ) -> StoreFuture<'a, IdCheck> {
        StoreFuture::ready(ExternalIds::check_and_record(
            self,
            partner,
            external_id,
            day,
        ))
    }

    fn release<'a>(
        &'a self,
        partner: &'a str,
        external_id: &'a str,
        day: NaiveDate,
    ) -> StoreFuture<'a, ()> {
        ExternalIds::release(self, partner, external_id, day);
        StoreFuture::ready(())
    }
}

/// What a token map holds: something with an expiry.
pub trait Expires {
    fn expires_at(&self) -> DateTime<Utc>;
}

impl Expires for RefreshGrant {
    fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }
}

impl Expires for AccessTokenClaims {
    fn expires_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.exp, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

/// Tokens by digest, with their issue order. Every token of one map lives
/// equally long, so issue order is expiry order: expired tokens are pruned
/// from the front on each insert (O(1) amortised), and at the bound the
/// oldest is dropped (and a warning logged naming the flag).
pub struct TokenMap<T> {
    max: usize,
    /// What is held and the flag that bounds it, for the warning.
    what: &'static str,
    inner: Mutex<(HashMap<u128, T>, std::collections::VecDeque<u128>)>,
}

/// B2B2C refresh tokens (`--max-refresh-tokens`).
pub type RefreshTokens = TokenMap<RefreshGrant>;
/// Opaque access tokens (`--max-access-tokens`).
pub type AccessTokens = TokenMap<AccessTokenClaims>;

impl<T: Expires> TokenMap<T> {
    pub fn new(max: usize, what: &'static str) -> Self {
        Self {
            max,
            what,
            inner: Mutex::new(Default::default()),
        }
    }

    fn digest(token: &str) -> u128 {
        digest128(&[token.as_bytes()])
    }

    fn put(&self, token: &str, value: T, now: DateTime<Utc>) {
        let mut guard = lock(&self.inner);
        let (live, order) = &mut *guard;
        // Taken tokens leave their digest in `order`; skip those too.
        while let Some(front) = order.front() {
            match live.get(front) {
                Some(g) if g.expires_at() > now && live.len() < self.max => break,
                Some(_) if live.len() >= self.max => {
                    static DROPPED: crate::throttle::Throttle =
                        crate::throttle::Throttle::new(std::time::Duration::from_secs(10));
                    DROPPED
                        .warn(|| format!("{} {} held; dropping the oldest", self.max, self.what));
                    live.remove(front);
                }
                Some(_) => {
                    live.remove(front);
                }
                None => {}
            }
            order.pop_front();
        }
        let key = Self::digest(token);
        live.insert(key, value);
        order.push_back(key);
        // Behind a live oldest token the digests of taken ones pile up (a
        // refresh token rotated while an older one sits unused): drop them
        // once they outnumber the live ones, so the queue stays within
        // twice the bound whatever the usage. Each pass halves it at
        // least, so the cost is amortised O(1) per insert.
        if order.len() > 2 * live.len() + 64 {
            order.retain(|k| live.contains_key(k));
        }
    }
}

impl<T: Expires + Clone> TokenMap<T> {
    #[cfg(test)]
    pub fn insert(&self, token: &str, value: T, now: DateTime<Utc>) {
        self.put(token, value, now);
    }

    /// Takes the token out (a refresh token is used once).
    pub fn take(&self, token: &str) -> Option<T> {
        lock(&self.inner).0.remove(&Self::digest(token))
    }

    pub fn get(&self, token: &str) -> Option<T> {
        lock(&self.inner).0.get(&Self::digest(token)).cloned()
    }
}

impl RefreshTokenStore for RefreshTokens {
    fn insert(
        &self,
        token: String,
        grant: RefreshGrant,
        now: DateTime<Utc>,
    ) -> StoreFuture<'_, ()> {
        self.put(&token, grant, now);
        StoreFuture::ready(())
    }

    fn take<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<RefreshGrant>> {
        StoreFuture::ready(TokenMap::take(self, token))
    }
}

impl AccessTokenStore for AccessTokens {
    fn insert<'a>(
        &'a self,
        token: &'a str,
        claims: AccessTokenClaims,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, ()> {
        self.put(token, claims, now);
        StoreFuture::ready(())
    }

    fn get<'a>(&'a self, token: &'a str) -> StoreFuture<'a, Option<AccessTokenClaims>> {
        StoreFuture::ready(TokenMap::get(self, token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_external_id_is_used_once_per_partner_per_day() {
        let ids = ExternalIds::new(100);
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let next = day.succ_opt().unwrap();
        assert_eq!(ids.check_and_record("p", "1", day), IdCheck::Fresh);
        assert_eq!(ids.check_and_record("p", "1", day), IdCheck::Used);
        assert_eq!(
            ids.check_and_record("q", "1", day),
            IdCheck::Fresh,
            "another partner"
        );
        assert_eq!(
            ids.check_and_record("p", "1", next),
            IdCheck::Fresh,
            "the next day"
        );
        // The two most recent days are kept; yesterday is still known.
        assert_eq!(ids.check_and_record("p", "1", day), IdCheck::Used);
        // The partner/id boundary is part of the key.
        assert_eq!(ids.check_and_record("p1", "", day), IdCheck::Fresh);
        assert_eq!(ids.check_and_record("p", "1", day), IdCheck::Used);
    }

    #[test]
    fn a_released_id_can_be_used_again() {
        let ids = ExternalIds::new(100);
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(ids.check_and_record("p", "1", day), IdCheck::Fresh);
        ids.release("p", "1", day);
        assert_eq!(ids.check_and_record("p", "1", day), IdCheck::Fresh);
    }

    #[test]
    fn a_full_day_says_so_and_records_nothing_and_a_new_day_frees_it() {
        let ids = ExternalIds::new(2);
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(ids.check_and_record("p", "1", day), IdCheck::Fresh);
        assert_eq!(ids.check_and_record("p", "2", day), IdCheck::Fresh);
        assert_eq!(
            ids.check_and_record("p", "3", day),
            IdCheck::Full { max: 2 }
        );
        assert_eq!(ids.check_and_record("p", "1", day), IdCheck::Used);
        let next = day.succ_opt().unwrap();
        assert_eq!(ids.check_and_record("p", "3", next), IdCheck::Fresh);
        let after = next.succ_opt().unwrap();
        assert_eq!(ids.check_and_record("p", "4", after), IdCheck::Fresh);
        assert_eq!(lock(&ids.days).len(), 2, "the oldest day was dropped");
    }

    #[test]
    fn a_refresh_token_is_taken_once() {
        let tokens = RefreshTokens::new(10, "refresh tokens");
        let now = Utc::now();
        let grant = RefreshGrant {
            client_key: "c".into(),
            customer: "u".into(),
            expires_at: now,
        };
        tokens.insert("t", grant.clone(), now);
        assert_eq!(tokens.take("t"), Some(grant));
        assert_eq!(tokens.take("t"), None);
    }

    #[test]
    fn expired_refresh_tokens_are_pruned_and_the_bound_drops_the_oldest() {
        let tokens = RefreshTokens::new(2, "refresh tokens");
        let now = Utc::now();
        let grant = |expires_at| RefreshGrant {
            client_key: "c".into(),
            customer: "u".into(),
            expires_at,
        };
        tokens.insert("old", grant(now), now);
        tokens.insert("a", grant(now + chrono::Duration::days(30)), now);
        // "old" has expired by the next insert and goes first.
        let later = now + chrono::Duration::seconds(1);
        tokens.insert("b", grant(later + chrono::Duration::days(30)), later);
        assert_eq!(tokens.take("old"), None);
        // At the bound of 2, a third live token drops the oldest ("a").
        tokens.insert("c", grant(later + chrono::Duration::days(30)), later);
        assert_eq!(tokens.take("a"), None);
        assert!(tokens.take("b").is_some());
        assert!(tokens.take("c").is_some());
        assert_eq!(lock(&tokens.inner).0.len(), 0);
    }

    #[test]
    fn counters_decrement_only_while_positive_and_refill() {
        let c = Counters::default();
        assert!(c.take("s", 2));
        assert_eq!(c.remaining("s", 2), 1);
        assert!(c.take("s", 2));
        assert!(!c.take("s", 2));
        assert_eq!(c.remaining("s", 2), 0);
        c.refill("s");
        assert_eq!(c.remaining("s", 2), 2);
        assert!(c.take("s", 2));
        c.refill_all();
        assert_eq!(c.remaining("s", 2), 2);
    }

    #[test]
    fn counters_are_exact_under_concurrency() {
        let c = Arc::new(Counters::default());
        let taken: usize = (0..8)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || (0..100).filter(|_| c.take("s", 37)).count())
            })
            .map(|h| h.join().unwrap())
            .sum();
        assert_eq!(taken, 37);
    }

    #[test]
    fn runtime_clients_survive_a_reload_and_a_reset_drops_them() {
        let bundled = || crate::embedded::clients().unwrap();
        let clients = Clients::new(bundled());
        let file_count = clients.len();
        let demo = clients.get("demo-client").unwrap();
        let pem = crate::embedded::key_file("demo-client.public.pem")
            .unwrap()
            .0;
        let entry = |key: &str| crate::clients::ClientEntry {
            client_key: key.into(),
            public_key: pem.clone(),
            name: None,
            description: None,
            client_secret: None,
            enabled: true,
            partner_id: None,
            auth_codes: Default::default(),
        };
        let added = Client::from_entry(entry("runtime"), std::path::Path::new("")).unwrap();
        assert!(!clients.register(added));
        assert!(clients.remove("mock-flaky"));
        clients.reload(bundled());
        assert!(
            clients.get("runtime").is_some(),
            "a registration survives a reload"
        );
        assert!(
            clients.get("mock-flaky").is_none(),
            "a removal survives a reload"
        );
        assert_eq!(clients.len(), file_count);
        assert_eq!(clients.all().len(), file_count);
        clients.reset();
        assert!(clients.get("runtime").is_none());
        assert!(clients.get("mock-flaky").is_some());
        assert_eq!(
            clients.get("demo-client").unwrap().client_key,
            demo.client_key
        );
    }

    #[test]
    fn a_scenario_snapshot_does_not_see_later_changes() {
        let store = Scenarios::new(ScenarioSet::default());
        let before = store.snapshot();
        let spec = serde_json::from_str(r#"{"name":"x","delayMs":1}"#).unwrap();
        store.add(Scenario::new(spec).unwrap()).unwrap();
        assert_eq!(before.len(), 0);
        assert_eq!(store.snapshot().len(), 1);
        assert!(store.remove("x"));
        assert_eq!(store.snapshot().len(), 0);
    }

    #[test]
    fn rotating_refresh_tokens_behind_an_unused_older_one_stays_bounded() {
        let now = Utc::now();
        let grant = |n: usize| RefreshGrant {
            client_key: "c".into(),
            customer: format!("customer-{n}"),
            expires_at: now + chrono::Duration::hours(1),
        };
        let map = RefreshTokens::new(100, "refresh tokens (--max-refresh-tokens)");
        map.insert("unused-older-one", grant(0), now);
        let mut previous = "first".to_owned();
        map.insert(&previous, grant(1), now);
        for n in 0..20_000 {
            let next = format!("rotation-{n}");
            assert!(map.take(&previous).is_some());
            map.insert(&next, grant(n), now);
            previous = next;
        }
        let (held, queued) = {
            let guard = lock(&map.inner);
            (guard.0.len(), guard.1.len())
        };
        assert_eq!(held, 2);
        assert!(queued <= 2 * held + 65, "{queued}");
        assert!(map.get("unused-older-one").is_some());
    }
}
