//! The in-process stores: the default, and the fast path.
//!
//! Each store's operations are inherent, synchronous methods (the Redis
//! backend keeps its local view of clients and scenarios in these too);
//! the trait implementations answer with them at once.

mod clients;
mod ids;
mod scenarios;
mod tokens;

pub use clients::*;
pub use ids::*;
pub use scenarios::*;
pub use tokens::*;

/// One shared runtime change as another replica wrote it: a record set (or
/// replaced), or the name of one removed.
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub enum RuntimeChange<T> {
    /// Added or replaced.
    Set(T),
    /// Removed: the client key or scenario name.
    Removed(String),
}

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
        let entry = |key: &str| crate::clients::ClientEntry::new(key, pem.clone());
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
