//! The server's notion of "now", injectable so that tests (and embedders'
//! tests) can let time pass without sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The system clock plus an adjustable offset. Clones share the offset, so
/// a test that keeps a clone of [`Config::clock`](crate::Config) can move
/// the running server's time forward:
///
/// ```
/// let clock = snap_mock::Clock::default();
/// let before = clock.now();
/// clock.advance(std::time::Duration::from_secs(901));
/// assert!(clock.now() - before >= chrono::Duration::seconds(901));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Now, as the server sees it.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the server's time forward (tokens expire, freshness windows
    /// close, a new WIB day starts).
    pub fn advance(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// Moves the server's time back (a client clock ahead of the server's).
    pub fn rewind(&self, by: std::time::Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_sub(ms, Ordering::Relaxed);
    }

    /// Back to the system clock.
    pub fn reset(&self) {
        self.offset_ms.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_offset() {
        let a = Clock::default();
        let b = a.clone();
        a.advance(std::time::Duration::from_secs(3600));
        let ahead = b.now() - Utc::now();
        assert!(ahead >= Duration::seconds(3599), "{ahead}");
        b.reset();
        assert!(a.now() - Utc::now() < Duration::seconds(60));
    }
}
