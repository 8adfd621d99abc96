//! The in-process stores: the default, and the fast path.

use super::{
    ClientStore, ExternalIdStore, RefreshGrant, RefreshTokenStore, ScenarioCounters, ScenarioStore,
};
use crate::clients::{Client, ClientRegistry};
use crate::scenarios::{Scenario, ScenarioSet};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
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

pub struct Clients(RwLock<ClientRegistry>);

impl Clients {
    pub fn new(clients: ClientRegistry) -> Self {
        Self(RwLock::new(clients))
    }
}

impl ClientStore for Clients {
    fn get(&self, client_key: &str) -> Option<Arc<Client>> {
        read(&self.0).get(client_key).cloned()
    }
    fn all(&self) -> Vec<Arc<Client>> {
        read(&self.0).sorted()
    }
    fn len(&self) -> usize {
        read(&self.0).len()
    }
    fn register(&self, client: Client) -> bool {
        write(&self.0).insert(client).is_some()
    }
    fn remove(&self, client_key: &str) -> bool {
        write(&self.0).remove(client_key).is_some()
    }
    fn replace_all(&self, clients: ClientRegistry) {
        *write(&self.0) = clients;
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
}

impl ScenarioStore for Scenarios {
    fn snapshot(&self) -> Arc<ScenarioSet> {
        read(&self.0).clone()
    }
    fn add(&self, scenario: Scenario) {
        self.update(|s| s.add(scenario))
    }
    fn remove(&self, name: &str) -> bool {
        self.update(|s| s.remove(name))
    }
    fn replace_all(&self, set: ScenarioSet) {
        *write(&self.0) = Arc::new(set);
    }
    fn reset(&self) {
        self.update(ScenarioSet::reset)
    }
}

/// Uses per scenario name.
#[derive(Default)]
pub struct Counters(Mutex<HashMap<String, u32>>);

impl ScenarioCounters for Counters {
    fn take(&self, name: &str, times: u32) -> bool {
        let mut used = lock(&self.0);
        let n = used.entry(name.to_owned()).or_insert(0);
        if *n < times {
            *n += 1;
            true
        } else {
            false
        }
    }
    fn remaining(&self, name: &str, times: u32) -> u32 {
        times.saturating_sub(lock(&self.0).get(name).copied().unwrap_or(0))
    }
    fn refill(&self, name: &str) {
        lock(&self.0).remove(name);
    }
    fn refill_all(&self) {
        lock(&self.0).clear();
    }
}

/// `X-EXTERNAL-ID`s seen, per partner, with the day each was used.
#[derive(Default)]
pub struct ExternalIds(Mutex<HashMap<(String, String), NaiveDate>>);

impl ExternalIdStore for ExternalIds {
    fn check_and_record(&self, partner: &str, external_id: &str, day: NaiveDate) -> bool {
        let mut seen = lock(&self.0);
        if seen.len() > 100_000 {
            seen.retain(|_, d| *d == day);
        }
        let key = (partner.to_owned(), external_id.to_owned());
        match seen.get(&key) {
            Some(d) if *d == day => false,
            _ => {
                seen.insert(key, day);
                true
            }
        }
    }
}

#[derive(Default)]
pub struct RefreshTokens(Mutex<HashMap<String, RefreshGrant>>);

impl RefreshTokenStore for RefreshTokens {
    fn insert(&self, token: String, grant: RefreshGrant, now: DateTime<Utc>) {
        let mut live = lock(&self.0);
        if live.len() > 100_000 {
            live.retain(|_, g| g.expires_at > now);
        }
        live.insert(token, grant);
    }
    fn take(&self, token: &str) -> Option<RefreshGrant> {
        lock(&self.0).remove(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_external_id_is_used_once_per_partner_per_day() {
        let ids = ExternalIds::default();
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let next = day.succ_opt().unwrap();
        assert!(ids.check_and_record("p", "1", day));
        assert!(!ids.check_and_record("p", "1", day));
        assert!(ids.check_and_record("q", "1", day), "another partner");
        assert!(ids.check_and_record("p", "1", next), "the next day");
    }

    #[test]
    fn a_refresh_token_is_taken_once() {
        let tokens = RefreshTokens::default();
        let now = Utc::now();
        let grant = RefreshGrant {
            client_key: "c".into(),
            customer: "u".into(),
            expires_at: now,
        };
        tokens.insert("t".into(), grant.clone(), now);
        assert_eq!(tokens.take("t"), Some(grant));
        assert_eq!(tokens.take("t"), None);
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
    fn a_scenario_snapshot_does_not_see_later_changes() {
        let store = Scenarios::new(ScenarioSet::default());
        let before = store.snapshot();
        let spec = serde_json::from_str(r#"{"name":"x","delayMs":1}"#).unwrap();
        store.add(Scenario::new(spec).unwrap());
        assert_eq!(before.len(), 0);
        assert_eq!(store.snapshot().len(), 1);
        assert!(store.remove("x"));
        assert_eq!(store.snapshot().len(), 0);
    }
}
