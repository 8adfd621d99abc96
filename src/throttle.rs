//! Warnings that a client can cause once per request (a full store, a
//! dropped token, a store outage) are logged once per interval with a count
//! of the ones held back, so that 20,000 such requests write a few lines,
//! not 20,000.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// One warning site: when it last logged, and how many it held back since.
pub struct Throttle {
    interval: Duration,
    start: std::sync::OnceLock<Instant>,
    /// Milliseconds after `start` of the last line logged, plus one (0:
    /// never logged).
    last_millis: AtomicU64,
    held_back: AtomicU64,
}

impl Throttle {
    /// A site that logs at most one line per `interval`.
    pub const fn new(interval: Duration) -> Self {
        Self {
            interval,
            start: std::sync::OnceLock::new(),
            last_millis: AtomicU64::new(0),
            held_back: AtomicU64::new(0),
        }
    }

    /// Logs `message()` at WARN unless a line was logged within the
    /// interval; the next line says how many were held back meanwhile.
    /// True when it logged.
    pub fn warn(&self, message: impl FnOnce() -> String) -> bool {
        let start = *self.start.get_or_init(Instant::now);
        let now = u64::try_from(start.elapsed().as_millis())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let last = self.last_millis.load(Ordering::Relaxed);
        let interval = u64::try_from(self.interval.as_millis()).unwrap_or(u64::MAX);
        let due = last == 0 || now.saturating_sub(last) >= interval;
        if !due
            || self
                .last_millis
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            self.held_back.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        let held = self.held_back.swap(0, Ordering::Relaxed);
        if held > 0 {
            log::warn!(
                "{} ({held} more like it in the last {} s, not logged)",
                message(),
                self.interval.as_secs()
            );
        } else {
            log::warn!("{}", message());
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_interval_and_the_rest_counted() {
        let site = Throttle::new(Duration::from_millis(200));
        assert!(site.warn(|| "first".into()));
        let logged = (0..1000).filter(|_| site.warn(|| "again".into())).count();
        assert_eq!(logged, 0);
        assert_eq!(site.held_back.load(Ordering::Relaxed), 1000);
        std::thread::sleep(Duration::from_millis(250));
        assert!(site.warn(|| "later".into()));
        assert_eq!(site.held_back.load(Ordering::Relaxed), 0);
    }
}
