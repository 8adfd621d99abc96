use crate::snap::error::{Failure, SnapError, UnauthorizedReason};
use crate::snap::response_code::ServiceCode;
use crate::snap::timestamp::format_snap_timestamp;
#[cfg(test)]
use crate::snap::timestamp::TimestampMode;
use chrono::{DateTime, FixedOffset, Utc};
use std::time::Duration;

pub use crate::snap::timestamp::x_timestamp as timestamp;

/// `X-TIMESTAMP` within `window` of the server clock (`401xx00`
/// otherwise); a zero window turns the check off.
pub fn freshness(
    raw: &str,
    instant: DateTime<FixedOffset>,
    now: DateTime<Utc>,
    window: Duration,
    service: ServiceCode,
) -> Result<(), SnapError> {
    if window.is_zero() {
        return Ok(());
    }
    let skew_secs = now.signed_duration_since(instant).num_milliseconds() as f64 / 1000.0;
    if skew_secs.abs() <= window.as_secs_f64() {
        return Ok(());
    }
    let direction = if skew_secs > 0.0 {
        "behind"
    } else {
        "ahead of"
    };
    Err(SnapError::new(
        service,
        Failure::Unauthorized(UnauthorizedReason::InvalidTimestamp),
        format!(
            "X-TIMESTAMP {raw:?} is {:.0} s {direction} the server clock ({}); the window is ±{} s (--timestamp-window)",
            skew_secs.abs(),
            format_snap_timestamp(&now),
            window.as_secs()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(300);

    fn at(raw: &str) -> DateTime<FixedOffset> {
        timestamp(raw, TimestampMode::Lenient, crate::snap::ServiceCode(73)).unwrap()
    }

    #[test]
    fn an_unparseable_timestamp_is_a_format_error_of_the_service() {
        let e = timestamp(
            "yesterday",
            TimestampMode::Lenient,
            crate::snap::ServiceCode(47),
        )
        .unwrap_err();
        assert_eq!(e.response_code().to_string(), "4004701");
        assert!(e.detail.contains("yesterday"), "{}", e.detail);
    }

    #[test]
    fn a_timestamp_inside_the_window_is_fresh() {
        let raw = "2026-11-25T12:00:00+07:00";
        let now = at(raw).with_timezone(&Utc) + chrono::Duration::seconds(300);
        assert_eq!(
            freshness(raw, at(raw), now, WINDOW, crate::snap::ServiceCode(73)),
            Ok(())
        );
    }

    #[test]
    fn a_stale_timestamp_says_how_far_behind_and_the_window() {
        let raw = "2026-11-25T12:00:00+07:00";
        let now = at(raw).with_timezone(&Utc) + chrono::Duration::seconds(301);
        let e = freshness(raw, at(raw), now, WINDOW, crate::snap::ServiceCode(47)).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4014700");
        assert!(e.detail.contains("301 s behind"), "{}", e.detail);
        assert!(e.detail.contains("±300 s"), "{}", e.detail);
    }

    #[test]
    fn a_timestamp_from_the_future_is_ahead_of_the_clock() {
        let raw = "2026-11-25T12:00:00Z";
        let now = at(raw).with_timezone(&Utc) - chrono::Duration::seconds(600);
        let e = freshness(raw, at(raw), now, WINDOW, crate::snap::ServiceCode(73)).unwrap_err();
        assert!(e.detail.contains("600 s ahead of"), "{}", e.detail);
    }

    #[test]
    fn a_zero_window_turns_the_check_off() {
        let raw = "2000-01-01T00:00:00Z";
        assert_eq!(
            freshness(
                raw,
                at(raw),
                Utc::now(),
                Duration::ZERO,
                crate::snap::ServiceCode(73)
            ),
            Ok(())
        );
    }
}
