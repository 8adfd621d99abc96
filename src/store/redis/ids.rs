//! Scenario `times` and `X-EXTERNAL-ID`s: counted and recorded on Redis.

use super::*;

pub(super) struct Counters(pub(super) Shared);

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

pub(super) struct ExternalIds {
    pub(super) shared: Shared,
    pub(super) max_per_day: usize,
}

impl ExternalIds {
    pub(super) fn key(&self, day: NaiveDate) -> String {
        self.shared.conn.key(&format!("external-ids:{day}"))
    }
}

/// The partner and the id as one field; the length keeps their boundary.
pub(super) fn id_field(partner: &str, external_id: &str) -> String {
    format!("{}:{partner}{external_id}", partner.len())
}

/// When a day's ids may go: the end of that WIB day, or a day from now
/// when a test clock put that in the past (the key holds the day, so the
/// expiry only frees memory).
pub(super) fn end_of_wib_day(day: NaiveDate) -> i64 {
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
