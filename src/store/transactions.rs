//! Transactions with state, in this process: bounded, indexed by every
//! identifier a call may name, one lock a call so that each protocol step
//! (create unless taken, apply an action) is atomic.

use super::StoreFuture;
use crate::snap::error::TransactionFailure;
use crate::transactions::{Action, Transaction};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

/// The transactions of every client.
pub trait TransactionStore: Send + Sync {
    /// Adds `transaction` unless the client used its reference already or
    /// its VA number is open in another transaction (atomic). When the
    /// store is full, the oldest transaction makes room.
    fn create(&self, transaction: Transaction) -> StoreFuture<'_, Result<(), TransactionFailure>>;
    /// The transaction `id` names: its `referenceNo`, its VA number
    /// (spaces trimmed; the newest with it) or the client's reference.
    /// `client` limits the search to one client's transactions.
    fn find<'a>(
        &'a self,
        client: Option<&'a str>,
        id: &'a str,
    ) -> StoreFuture<'a, Option<Transaction>>;
    /// Applies `action` to the transaction `id` names (atomic): the new
    /// transaction, or why the action is refused.
    fn apply<'a>(
        &'a self,
        client: Option<&'a str>,
        id: &'a str,
        action: &'a Action,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, Result<Transaction, TransactionFailure>>;
    /// Expires every open transaction past its `expiredDate` at `now`;
    /// the ones it expired.
    fn expire_due(&self, now: DateTime<Utc>) -> StoreFuture<'_, Vec<Transaction>>;
    /// Newest first: at most `limit` that `keep` accepts, older than the
    /// position `before`; each with its position (the paging cursor).
    fn list<'a>(
        &'a self,
        before: Option<u64>,
        limit: usize,
        keep: &'a (dyn Fn(&Transaction) -> bool + Sync),
    ) -> StoreFuture<'a, Vec<(u64, Transaction)>>;
    /// Forgets every transaction (`POST /__admin/reset`).
    fn clear(&self) -> StoreFuture<'_, ()>;
}

#[derive(Default)]
struct Inner {
    /// By position (creation order): the transactions.
    by_seq: BTreeMap<u64, Transaction>,
    by_reference: HashMap<String, u64>,
    /// Trimmed VA number → the newest transaction with it.
    by_va: HashMap<String, u64>,
    by_client_reference: HashMap<(String, String), u64>,
    next_seq: u64,
}

impl Inner {
    fn locate(&self, client: Option<&str>, id: &str) -> Option<u64> {
        let id = id.trim();
        let own = |seq: &u64| {
            client.is_none_or(|c| self.by_seq.get(seq).is_some_and(|t| t.client_key == c))
        };
        self.by_reference
            .get(id)
            .filter(|s| own(s))
            .or_else(|| self.by_va.get(id).filter(|s| own(s)))
            .or_else(|| match client {
                Some(c) => self.by_client_reference.get(&(c.to_owned(), id.to_owned())),
                None => self
                    .by_client_reference
                    .iter()
                    .find(|((_, reference), _)| reference == id)
                    .map(|(_, seq)| seq),
            })
            .copied()
    }

    fn remove_oldest(&mut self) {
        let Some((_, oldest)) = self.by_seq.pop_first() else {
            return;
        };
        self.by_reference.remove(&oldest.reference_no);
        if let Some(va) = oldest.virtual_account_no().map(|v| v.trim().to_owned()) {
            if self
                .by_va
                .get(&va)
                .is_some_and(|s| !self.by_seq.contains_key(s))
            {
                self.by_va.remove(&va);
            }
        }
        self.by_client_reference
            .remove(&(oldest.client_key, oldest.partner_reference_no));
    }
}

/// In this process.
pub struct MemoryTransactions {
    inner: Mutex<Inner>,
    capacity: usize,
}

impl MemoryTransactions {
    /// At most `capacity` transactions (`--max-transactions`).
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl TransactionStore for MemoryTransactions {
    fn create(&self, transaction: Transaction) -> StoreFuture<'_, Result<(), TransactionFailure>> {
        let mut inner = self.lock();
        let key = (
            transaction.client_key.clone(),
            transaction.partner_reference_no.clone(),
        );
        if inner.by_client_reference.contains_key(&key) {
            return StoreFuture::ready(Err(TransactionFailure::DuplicateReference));
        }
        let va = transaction
            .virtual_account_no()
            .map(|v| v.trim().to_owned());
        let open_va = va
            .as_ref()
            .and_then(|va| inner.by_va.get(va))
            .and_then(|s| inner.by_seq.get(s))
            .is_some_and(|t| t.status.is_open());
        if open_va {
            return StoreFuture::ready(Err(TransactionFailure::VirtualAccountInUse));
        }
        if self.capacity == 0 {
            return StoreFuture::ready(Ok(()));
        }
        while inner.by_seq.len() >= self.capacity {
            inner.remove_oldest();
        }
        inner.next_seq += 1;
        let seq = inner.next_seq;
        inner
            .by_reference
            .insert(transaction.reference_no.clone(), seq);
        if let Some(va) = va {
            inner.by_va.insert(va, seq);
        }
        inner.by_client_reference.insert(key, seq);
        inner.by_seq.insert(seq, transaction);
        StoreFuture::ready(Ok(()))
    }

    fn find<'a>(
        &'a self,
        client: Option<&'a str>,
        id: &'a str,
    ) -> StoreFuture<'a, Option<Transaction>> {
        let inner = self.lock();
        let found = inner
            .locate(client, id)
            .and_then(|s| inner.by_seq.get(&s).cloned());
        StoreFuture::ready(found)
    }

    fn apply<'a>(
        &'a self,
        client: Option<&'a str>,
        id: &'a str,
        action: &'a Action,
        now: DateTime<Utc>,
    ) -> StoreFuture<'a, Result<Transaction, TransactionFailure>> {
        let mut inner = self.lock();
        let Some(seq) = inner.locate(client, id) else {
            return StoreFuture::ready(Err(TransactionFailure::BillNotFound));
        };
        let Some(current) = inner.by_seq.get_mut(&seq) else {
            return StoreFuture::ready(Err(TransactionFailure::BillNotFound));
        };
        let outcome = current
            .apply(action, now)
            .inspect(|next| *current = next.clone());
        StoreFuture::ready(outcome)
    }

    fn expire_due(&self, now: DateTime<Utc>) -> StoreFuture<'_, Vec<Transaction>> {
        let mut inner = self.lock();
        let mut expired = Vec::new();
        for transaction in inner.by_seq.values_mut() {
            if transaction.is_due_to_expire(now) {
                if let Ok(next) = transaction.apply(&Action::Expire, now) {
                    *transaction = next.clone();
                    expired.push(next);
                }
            }
        }
        StoreFuture::ready(expired)
    }

    fn list<'a>(
        &'a self,
        before: Option<u64>,
        limit: usize,
        keep: &'a (dyn Fn(&Transaction) -> bool + Sync),
    ) -> StoreFuture<'a, Vec<(u64, Transaction)>> {
        let inner = self.lock();
        let page = inner
            .by_seq
            .range(..before.unwrap_or(u64::MAX))
            .rev()
            .filter(|(_, t)| keep(t))
            .take(limit)
            .map(|(s, t)| (*s, t.clone()))
            .collect();
        StoreFuture::ready(page)
    }

    fn clear(&self) -> StoreFuture<'_, ()> {
        let mut inner = self.lock();
        // Positions are never reused, not even after a clear (paging).
        let next_seq = inner.next_seq;
        *inner = Inner {
            next_seq,
            ..Inner::default()
        };
        StoreFuture::ready(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::block_on;
    use crate::transactions::{parse_create, Status};
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-11-30T03:00:00Z".parse().unwrap()
    }

    fn va(client: &str, reference: &str, trx: &str, va: &str) -> Transaction {
        let body = json!({
            "partnerServiceId": "   12345", "customerNo": &va[8..], "virtualAccountNo": va,
            "virtualAccountName": "Jane", "trxId": trx,
            "totalAmount": {"value": "10.00", "currency": "IDR"},
            "expiredDate": "2026-11-30T11:00:00+07:00"
        });
        parse_create(
            body.as_object().unwrap(),
            client,
            reference.into(),
            now(),
            None,
        )
        .unwrap()
    }

    #[test]
    fn a_reference_or_an_open_va_is_taken_once() {
        let store = MemoryTransactions::new(10);
        assert_eq!(
            block_on(store.create(va("a", "R1", "T1", "   12345000000001"))).unwrap(),
            Ok(())
        );
        assert_eq!(
            block_on(store.create(va("a", "R2", "T1", "   12345000000002"))).unwrap(),
            Err(TransactionFailure::DuplicateReference)
        );
        assert_eq!(
            block_on(store.create(va("b", "R3", "T1", "   12345000000003"))).unwrap(),
            Ok(()),
            "another client's reference"
        );
        assert_eq!(
            block_on(store.create(va("a", "R4", "T4", "   12345000000001"))).unwrap(),
            Err(TransactionFailure::VirtualAccountInUse)
        );
        let paid = block_on(store.apply(Some("a"), " 12345000000001 ", &Action::Pay(None), now()))
            .unwrap()
            .unwrap();
        assert_eq!(paid.status, Status::Success);
        assert_eq!(
            block_on(store.create(va("a", "R5", "T5", "   12345000000001"))).unwrap(),
            Ok(()),
            "a closed VA number is free again"
        );
        assert_eq!(
            block_on(store.find(Some("a"), "   12345000000001"))
                .unwrap()
                .unwrap()
                .reference_no,
            "R5"
        );
        assert_eq!(
            block_on(store.find(Some("b"), "R1")).unwrap(),
            None,
            "not b's"
        );
        assert_eq!(
            block_on(store.find(None, "T1"))
                .unwrap()
                .unwrap()
                .client_key
                .len(),
            1
        );
        assert_eq!(
            block_on(store.find(Some("a"), "T1"))
                .unwrap()
                .unwrap()
                .reference_no,
            "R1"
        );
        assert_eq!(
            block_on(store.apply(Some("a"), "nope", &Action::Pay(None), now())).unwrap(),
            Err(TransactionFailure::BillNotFound)
        );
    }

    #[test]
    fn the_store_is_bounded_and_pages_newest_first() {
        let store = MemoryTransactions::new(3);
        for i in 1..=5 {
            block_on(store.create(va(
                "a",
                &format!("R{i}"),
                &format!("T{i}"),
                &format!("   1234500000000{i}"),
            )))
            .unwrap()
            .unwrap();
        }
        let all = block_on(store.list(None, 10, &|_| true)).unwrap();
        let refs: Vec<&str> = all.iter().map(|(_, t)| t.reference_no.as_str()).collect();
        assert_eq!(refs, ["R5", "R4", "R3"]);
        assert_eq!(block_on(store.find(None, "R1")).unwrap(), None);
        let older = block_on(store.list(Some(all[0].0), 1, &|_| true)).unwrap();
        assert_eq!(older[0].1.reference_no, "R4");
        let later: DateTime<Utc> = "2026-11-30T05:00:00Z".parse().unwrap();
        assert_eq!(block_on(store.expire_due(later)).unwrap().len(), 3);
        assert_eq!(block_on(store.expire_due(later)).unwrap().len(), 0);
        block_on(store.clear()).unwrap();
        assert!(block_on(store.list(None, 10, &|_| true))
            .unwrap()
            .is_empty());
    }
}
