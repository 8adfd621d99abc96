//! The journal as a capped stream whose ids are the entries' `seq`.

use super::*;

/// The journal as a capped stream whose ids are the entries' `seq`.
pub(super) struct Journal {
    pub(super) shared: Shared,
    pub(super) capacity: usize,
    pub(super) body_limit: usize,
}

/// Entries read per round trip while a filtered listing fills its page.
pub(super) const JOURNAL_BATCH: usize = 200;

impl Journal {
    pub(super) fn keys(&self) -> [String; 3] {
        let conn = &self.shared.conn;
        [
            conn.key("journal"),
            conn.key("journal:seq"),
            conn.key("journal:stats"),
        ]
    }

    pub(super) async fn page(
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

impl crate::store::JournalStore for Journal {
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
