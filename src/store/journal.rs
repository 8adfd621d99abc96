//! The journal kept in this process: a newest-first ring of entries,
//! bounded by `--journal-size`.

use super::{JournalStore, StoreFuture};
use crate::journal::{JournalEntry, JournalStats};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Newest-first ring of entries. Recording takes a short lock and never
/// waits on anything else; with capacity 0 nothing is kept.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    body_limit: usize,
    entries: Mutex<VecDeque<Arc<JournalEntry>>>,
    next_seq: AtomicU64,
    recorded: AtomicU64,
    dropped: AtomicU64,
}

impl Journal {
    pub fn new(capacity: usize, body_limit: usize) -> Self {
        Self {
            capacity,
            body_limit,
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            next_seq: AtomicU64::new(1),
            recorded: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<JournalEntry>>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Journal {
    pub fn record(&self, mut entry: JournalEntry) {
        self.recorded.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.entries();
        // Taken under the lock so that the ring stays ordered by `seq`.
        entry.seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        entries.push_front(Arc::new(entry));
        if entries.len() > self.capacity {
            entries.pop_back();
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn count_unrecorded(&self) {
        self.recorded.fetch_add(1, Ordering::Relaxed);
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    pub fn list(
        &self,
        before: Option<u64>,
        limit: usize,
        keep: &dyn Fn(&JournalEntry) -> bool,
    ) -> Vec<Arc<JournalEntry>> {
        let entries = self.entries();
        // Newest first: skip what is at or after the cursor without testing
        // the filter on it.
        let start = before.map_or(0, |b| entries.partition_point(|e| e.seq >= b));
        entries
            .range(start..)
            .filter(|e| keep(e))
            .take(limit)
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.entries().clear();
        self.recorded.store(0, Ordering::Relaxed);
        self.dropped.store(0, Ordering::Relaxed);
    }

    pub fn stats(&self) -> JournalStats {
        JournalStats {
            capacity: self.capacity,
            held: self.entries().len(),
            recorded: self.recorded.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
        }
    }
}

impl JournalStore for Journal {
    fn enabled(&self) -> bool {
        self.capacity > 0
    }

    fn body_limit(&self) -> usize {
        self.body_limit
    }

    fn record(&self, entry: JournalEntry) -> StoreFuture<'_, ()> {
        Journal::record(self, entry);
        StoreFuture::ready(())
    }

    fn count_unrecorded(&self) -> StoreFuture<'_, ()> {
        Journal::count_unrecorded(self);
        StoreFuture::ready(())
    }

    fn list<'a>(
        &'a self,
        before: Option<u64>,
        limit: usize,
        keep: &'a (dyn Fn(&JournalEntry) -> bool + Sync),
    ) -> StoreFuture<'a, Vec<Arc<JournalEntry>>> {
        StoreFuture::ready(Journal::list(self, before, limit, keep))
    }

    fn clear(&self) -> StoreFuture<'_, ()> {
        Journal::clear(self);
        StoreFuture::ready(())
    }

    fn stats(&self) -> StoreFuture<'_, JournalStats> {
        StoreFuture::ready(Journal::stats(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::JournalOutcome;
    use crate::snap::step::Step;
    use chrono::Utc;

    fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            id: path.into(),
            seq: 0,
            time: Utc::now(),
            method: "POST".into(),
            path: path.into(),
            query: None,
            target_truncated: false,
            headers: vec![],
            body: String::new(),
            body_bytes: 0,
            body_truncated: false,
            client_key: None,
            outcome: JournalOutcome {
                status: Some(200),
                response_code: Some("2007300".into()),
                response_message: None,
                fault: None,
            },
            decided_by: Step::Issued,
            reason: None,
            string_to_sign: None,
            scenario: None,
            issued_token: None,
            duration_micros: 1,
            direction: Default::default(),
            answer_body: None,
        }
    }

    #[test]
    fn it_keeps_the_newest_entries_and_counts_what_it_drops() {
        let j = Journal::new(2, 100);
        for p in ["a", "b", "c"] {
            j.record(entry(p));
        }
        let listed = j.list(None, 10, &|_| true);
        let paths: Vec<&str> = listed.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["c", "b"]);
        let s = j.stats();
        assert_eq!((s.held, s.recorded, s.dropped), (2, 3, 1));
        assert_eq!(s.recorded, s.held as u64 + s.dropped);
    }

    #[test]
    fn capacity_zero_keeps_nothing_but_counts_everything() {
        let j = Journal::new(0, 100);
        assert!(!j.enabled());
        j.count_unrecorded();
        assert!(j.list(None, 10, &|_| true).is_empty());
        let s = j.stats();
        assert_eq!((s.held, s.recorded, s.dropped), (0, 1, 1));
    }

    #[test]
    fn a_cursor_pages_through_older_entries_and_survives_a_clear() {
        let j = Journal::new(10, 100);
        for p in ["a", "b", "c", "d", "e"] {
            j.record(entry(p));
        }
        let paths = |v: Vec<Arc<JournalEntry>>| -> Vec<String> {
            v.iter().map(|e| e.path.clone()).collect()
        };
        let first = j.list(None, 2, &|_| true);
        assert_eq!(paths(first.clone()), ["e", "d"]);
        let cursor = first[1].seq;
        assert_eq!(paths(j.list(Some(cursor), 2, &|_| true)), ["c", "b"]);
        // The filter applies after the cursor, not instead of it.
        let not_b = |e: &JournalEntry| e.path != "b";
        assert_eq!(paths(j.list(Some(cursor), 2, &not_b)), ["c", "a"]);
        assert!(j.list(Some(1), 10, &|_| true).is_empty());
        j.clear();
        j.record(entry("f"));
        assert!(j.list(None, 1, &|_| true)[0].seq > first[0].seq);
    }
}
