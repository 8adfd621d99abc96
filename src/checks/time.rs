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
            "X-TIMESTAMP {raw:?} is {:.0} s {direction} the server clock ({}); the window is ±{} s (--timestamp-window){}",
            skew_secs.abs(),
            format_snap_timestamp(&now),
            window.as_secs(),
            whole_hours(skew_secs, window)
        ),
    ))
}

/// A skew of a whole number of hours, give or take the window: the
/// client's clock is right but its zone is not (the wall-clock time of
/// one zone labelled with another's offset, e.g. UTC time written with a
/// literal `+07:00`, as one provider's SDK does on a UTC machine).
fn whole_hours(skew_secs: f64, window: Duration) -> String {
    let hours = (skew_secs / 3600.0).round();
    let off_by = (skew_secs - hours * 3600.0).abs();
    if hours == 0.0 || hours.abs() > 14.0 || off_by > window.as_secs_f64() {
        return String::new();
    }
    format!(
        "; that is {} h{}: the wall-clock time of another zone labelled with this offset? Write the time in the zone the offset names (WIB is +07:00), or in UTC with Z",
        hours.abs(),
        if off_by >= 1.0 { format!(" and {off_by:.0} s") } else { String::new() }
    )
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
    fn a_skew_of_whole_hours_is_named_as_a_zone_mistake() {
        let now: DateTime<Utc> = "2026-11-29T03:00:00Z".parse().unwrap();
        // UTC wall-clock time labelled +07:00: seven hours behind.
        let e = freshness(
            "2026-11-29T03:00:02+07:00",
            at("2026-11-29T03:00:02+07:00"),
            now,
            WINDOW,
            crate::snap::ServiceCode(73),
        )
        .unwrap_err();
        assert!(
            e.detail.contains("25198 s behind")
                && e.detail.contains("that is 7 h and 2 s")
                && e.detail.contains("another zone"),
            "{}",
            e.detail
        );
        // Ten minutes off is a clock problem, not a zone.
        let e = freshness(
            "2026-11-29T09:50:00+07:00",
            at("2026-11-29T09:50:00+07:00"),
            now,
            WINDOW,
            crate::snap::ServiceCode(73),
        )
        .unwrap_err();
        assert!(!e.detail.contains("another zone"), "{}", e.detail);
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
