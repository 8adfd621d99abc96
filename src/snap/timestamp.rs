//! `X-TIMESTAMP` parsing.
//!
//! The value is kept as the client sent it: the signature covers the raw
//! header string, so the parsed instant is used only for the freshness check.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use std::fmt;
use std::str::FromStr;

/// How strictly `X-TIMESTAMP` is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimestampMode {
    /// Any RFC 3339 / ISO-8601 date-time with an offset or `Z`, with or
    /// without fractional seconds (`2024-03-01T08:27:49.024Z`,
    /// `2024-03-01T15:27:49+07:00`, `2024-03-01T15:27:49+0700`). What real
    /// clients and most providers accept.
    #[default]
    Lenient,
    /// Only `yyyy-MM-ddTHH:mm:ss±hh:mm`, the 25 characters Finpay documents.
    Strict,
}

impl TimestampMode {
    /// The name `--timestamp-mode` takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Lenient => "lenient",
            Self::Strict => "strict",
        }
    }
}

impl FromStr for TimestampMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lenient" => Ok(Self::Lenient),
            "strict" => Ok(Self::Strict),
            other => Err(format!(
                "unknown timestamp mode {other:?} (lenient, strict)"
            )),
        }
    }
}

/// Why an `X-TIMESTAMP` value was not accepted; the text goes to the
/// developer (journal, log, `--explain`), never into `responseMessage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError(pub String);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const STRICT_FORM: &str = "yyyy-MM-ddTHH:mm:ss±hh:mm";

/// Parses an `X-TIMESTAMP` value under `mode`.
pub fn parse_timestamp(
    raw: &str,
    mode: TimestampMode,
) -> Result<DateTime<FixedOffset>, TimestampError> {
    let err = |why: String| TimestampError(format!("X-TIMESTAMP {raw:?}: {why}"));
    let b = raw.as_bytes();
    if mode == TimestampMode::Strict && b.len() != 25 {
        return Err(err(format!(
            "strict mode expects exactly {STRICT_FORM} (25 characters), got {} characters",
            b.len()
        )));
    }
    if b.len() < 19 {
        return Err(err(format!(
            "too short for a date-time with offset such as {STRICT_FORM}"
        )));
    }
    let fields = Fields::read(b, mode).map_err(err)?;
    fields.instant(mode).map_err(|why| err(why.into()))
}

/// The parts of a timestamp, as written.
struct Fields {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    offset_seconds: i32,
}

/// `len` ASCII digits at `from`, as a number.
fn digits(b: &[u8], from: usize, len: usize) -> Option<u32> {
    let s = b.get(from..from + len)?;
    if !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
}

fn separator(b: &[u8], at: usize, allowed: &[u8]) -> bool {
    b.get(at).is_some_and(|c| allowed.contains(c))
}

impl Fields {
    /// `yyyy-MM-ddTHH:mm:ss`, then the fraction, then the offset.
    fn read(b: &[u8], mode: TimestampMode) -> Result<Self, String> {
        let d = |from, len| digits(b, from, len);
        let (Some(year), Some(month), Some(day)) = (d(0, 4), d(5, 2), d(8, 2)) else {
            return Err("the date must be yyyy-MM-dd".into());
        };
        if !separator(b, 4, b"-") || !separator(b, 7, b"-") {
            return Err("the date must be yyyy-MM-dd".into());
        }
        let date_time_sep: &[u8] = match mode {
            TimestampMode::Strict => b"T",
            TimestampMode::Lenient => b"Tt",
        };
        if !separator(b, 10, date_time_sep) {
            return Err("date and time must be separated by 'T'".into());
        }
        let (Some(hour), Some(minute), Some(second)) = (d(11, 2), d(14, 2), d(17, 2)) else {
            return Err("the time must be HH:mm:ss".into());
        };
        if !separator(b, 13, b":") || !separator(b, 16, b":") {
            return Err("the time must be HH:mm:ss".into());
        }
        let (nanos, at) = fraction(b, 19, mode)?;
        let offset_seconds = offset(b, at, mode)?;
        Ok(Self {
            year,
            month,
            day,
            hour,
            minute,
            second,
            nanos,
            offset_seconds,
        })
    }

    fn instant(&self, mode: TimestampMode) -> Result<DateTime<FixedOffset>, &'static str> {
        let date = NaiveDate::from_ymd_opt(self.year as i32, self.month, self.day)
            .ok_or("no such calendar date")?;
        let (hour, minute, second, nanos) = (self.hour, self.minute, self.second, self.nanos);
        // RFC 3339 allows a leap second (:60) in the last minute of an hour;
        // chrono writes it as second 59 with a nanosecond count past 10^9.
        let leap = second == 60 && minute == 59 && mode == TimestampMode::Lenient;
        let time = if leap {
            NaiveTime::from_hms_nano_opt(hour, minute, 59, 1_000_000_000 + nanos)
        } else {
            NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).filter(|_| second < 60)
        }
        .ok_or("no such time of day")?;
        let offset =
            FixedOffset::east_opt(self.offset_seconds).ok_or("the offset is out of range")?;
        offset
            .from_local_datetime(&date.and_time(time))
            .single()
            .ok_or("not a single instant")
    }
}

/// Fractional seconds at `at` (lenient mode only): the nanoseconds and
/// where the offset starts.
fn fraction(b: &[u8], at: usize, mode: TimestampMode) -> Result<(u32, usize), String> {
    if b.get(at) != Some(&b'.') {
        return Ok((0, at));
    }
    if mode == TimestampMode::Strict {
        return Err(format!(
            "strict mode does not allow fractional seconds ({STRICT_FORM})"
        ));
    }
    let start = at + 1;
    let len = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    if len == 0 || len > 9 {
        return Err("fractional seconds need 1 to 9 digits".into());
    }
    let frac = digits(b, start, len).unwrap_or(0);
    Ok((frac * 10u32.pow(9 - len as u32), start + len))
}

/// The UTC offset that ends the timestamp, in seconds east.
fn offset(b: &[u8], at: usize, mode: TimestampMode) -> Result<i32, String> {
    match &b[at..] {
        [b'Z' | b'z'] if mode == TimestampMode::Lenient => Ok(0),
        [b'Z' | b'z'] => Err(format!(
            "strict mode expects a numeric offset such as +07:00, not Z ({STRICT_FORM})"
        )),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [_, _, b':', _, _] => (digits(b, at + 1, 2), digits(b, at + 4, 2)),
                [_, _, _, _] if mode == TimestampMode::Lenient => {
                    (digits(b, at + 1, 2), digits(b, at + 3, 2))
                }
                _ => return Err("the offset must be ±hh:mm".into()),
            };
            let (Some(h), Some(m)) = (h, m) else {
                return Err("the offset must be ±hh:mm".into());
            };
            if h > 23 || m > 59 {
                return Err("the offset is out of range".into());
            }
            let secs = (h * 3600 + m * 60) as i32;
            Ok(if *sign == b'-' { -secs } else { secs })
        }
        [] => Err("no UTC offset: add Z or ±hh:mm so the instant is unambiguous".into()),
        _ => Err("unexpected characters after the time".into()),
    }
}

/// `X-TIMESTAMP` in the accepted form, as the SNAP answer to a request
/// (`400xx01 Invalid Field Format X-TIMESTAMP` otherwise).
pub fn x_timestamp(
    raw: &str,
    mode: TimestampMode,
    service: super::ServiceCode,
) -> Result<DateTime<FixedOffset>, super::SnapError> {
    parse_timestamp(raw, mode).map_err(|e| {
        super::SnapError::new(
            service,
            super::error::Failure::InvalidFieldFormat(super::Field::Timestamp),
            e.0,
        )
    })
}

/// Formats an instant the way Finpay documents timestamps
/// (`yyyy-MM-ddTHH:mm:ss±hh:mm`), in Western Indonesian Time (+07:00).
pub fn format_snap_timestamp<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    at.with_timezone(&WIB)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Western Indonesian Time, the zone SNAP providers answer in.
pub const WIB: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("+07:00 is a valid offset"),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leap_second_is_accepted_in_lenient_mode_only() {
        let t = parse_timestamp("2016-12-31T23:59:60Z", TimestampMode::Lenient).unwrap();
        assert_eq!(
            t.timestamp(),
            1_483_228_799,
            "the instant of 23:59:59, plus the leap"
        );
        assert!(parse_timestamp("2016-12-31T23:58:60Z", TimestampMode::Lenient).is_err());
        assert!(parse_timestamp("2017-01-01T06:59:60+07:00", TimestampMode::Strict).is_err());
    }
    use TimestampMode::*;

    fn ok(raw: &str, mode: TimestampMode) -> DateTime<FixedOffset> {
        parse_timestamp(raw, mode).unwrap_or_else(|e| panic!("{raw:?} rejected: {e}"))
    }

    #[test]
    fn finpays_documented_form_is_accepted_in_both_modes() {
        for mode in [Lenient, Strict] {
            let t = ok("2024-03-01T15:27:49+07:00", mode);
            assert_eq!(t.timestamp(), 1_709_281_669);
            assert_eq!(t.offset().local_minus_utc(), 7 * 3600);
        }
    }

    #[test]
    fn lenient_mode_accepts_milliseconds_and_zulu() {
        let t = ok("2024-03-01T08:27:49.024Z", Lenient);
        assert_eq!(t.timestamp(), 1_709_281_669);
        assert_eq!(t.timestamp_subsec_millis(), 24);
        let t = ok("2024-03-01T15:27:49.024+07:00", Lenient);
        assert_eq!(t.timestamp_subsec_millis(), 24);
        ok("2024-03-01T15:27:49.123456789+07:00", Lenient);
        ok("2024-03-01T15:27:49+0700", Lenient);
        ok("2024-03-01T08:27:49z", Lenient);
        ok("2024-03-01T02:27:49-05:30", Lenient);
    }

    #[test]
    fn the_same_instant_written_differently_parses_to_the_same_time() {
        assert_eq!(
            ok("2024-03-01T08:27:49.024Z", Lenient),
            ok("2024-03-01T15:27:49.024+07:00", Lenient)
        );
    }

    #[test]
    fn strict_mode_rejects_everything_but_25_characters_with_offset() {
        for raw in [
            "2024-03-01T08:27:49.024Z",
            "2024-03-01T08:27:49Z",
            "2024-03-01T15:27:49.024+07:00",
            "2024-03-01T15:27:49+0700",
            "2024-03-01t15:27:49+07:00",
            "2024-03-01 15:27:49+07:00",
        ] {
            assert!(parse_timestamp(raw, Strict).is_err(), "{raw:?} accepted");
        }
    }

    #[test]
    fn a_timestamp_without_offset_is_rejected_with_a_reason() {
        let e = parse_timestamp("2024-03-01T15:27:49", Lenient).unwrap_err();
        assert!(e.0.contains("no UTC offset"), "{e}");
    }

    #[test]
    fn impossible_dates_and_times_are_rejected() {
        for raw in [
            "2024-02-30T15:27:49+07:00",
            "2024-13-01T15:27:49+07:00",
            "2024-03-01T24:00:00+07:00",
            "2024-03-01T15:60:49+07:00",
            "2024-03-01T15:27:60+07:00",
            "2024-03-01T15:27:49+24:00",
            "2024-03-01T15:27:49+07:60",
        ] {
            assert!(parse_timestamp(raw, Lenient).is_err(), "{raw:?} accepted");
        }
    }

    #[test]
    fn garbage_is_rejected_without_panicking() {
        for raw in [
            "",
            "now",
            "1709281669",
            "2024-03-01",
            "2024-03-01T15:27:49.+07:00",
            "2024-03-01T15:27:49.0123456789+07:00",
            "2024-03-01T15:27:49+07:00x",
            "2024-03-01T15:27:49+7:00",
            "２０２４-03-01T15:27:49+07:00",
            "2024-03-01T15:27:49\u{0}+07:00",
        ] {
            assert!(parse_timestamp(raw, Lenient).is_err(), "{raw:?} accepted");
        }
    }

    #[test]
    fn server_timestamps_use_finpays_form_in_wib() {
        let t = ok("2024-03-01T08:27:49.024Z", Lenient);
        assert_eq!(format_snap_timestamp(&t), "2024-03-01T15:27:49+07:00");
    }

    fn offset_of(raw: &str, mode: TimestampMode) -> Result<i32, TimestampError> {
        parse_timestamp(raw, mode).map(|t| t.offset().local_minus_utc())
    }

    #[test]
    fn zulu_is_utc_in_lenient_mode_and_refused_in_strict_mode() {
        for zulu in ["2024-03-01T08:27:49Z", "2024-03-01T08:27:49z"] {
            assert_eq!(offset_of(zulu, TimestampMode::Lenient), Ok(0), "{zulu}");
        }
        // Strict also wants 25 characters: a 25-character Zulu form.
        let e = parse_timestamp("2024-03-01T08:27:49.0000Z", TimestampMode::Strict).unwrap_err();
        assert!(e.0.contains("fractional") || e.0.contains("not Z"), "{e}");
        let e = offset("2024-03-01T08:27:49Z".as_bytes(), 19, TimestampMode::Strict).unwrap_err();
        assert!(e.contains("not Z"), "{e}");
    }

    #[test]
    fn offsets_have_their_sign_hours_and_minutes_in_range() {
        let lenient = TimestampMode::Lenient;
        assert_eq!(offset_of("2024-03-01T08:27:49+07:00", lenient), Ok(25_200));
        assert_eq!(offset_of("2024-03-01T08:27:49-05:30", lenient), Ok(-19_800));
        assert_eq!(offset_of("2024-03-01T08:27:49+0930", lenient), Ok(34_200));
        assert!(parse_timestamp("2024-03-01T08:27:49+0700", TimestampMode::Strict).is_err());
        assert_eq!(offset_of("2024-03-01T08:27:49+23:59", lenient), Ok(86_340));
        assert_eq!(offset_of("2024-03-01T08:27:49+00:00", lenient), Ok(0));
        for out_of_range in ["+24:00", "+07:60", "+23:60", "+24:59"] {
            let e = parse_timestamp(&format!("2024-03-01T08:27:49{out_of_range}"), lenient)
                .unwrap_err();
            assert!(e.0.contains("out of range"), "{out_of_range}: {e}");
        }
    }

    #[test]
    fn each_date_separator_is_checked_on_its_own() {
        for bad in [
            "2024/03-01T08:27:49Z",
            "2024-03/01T08:27:49Z",
            "2024-03-01T08.27:49Z",
            "2024-03-01T08:27.49Z",
        ] {
            assert!(
                parse_timestamp(bad, TimestampMode::Lenient).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_leap_second_keeps_its_fraction() {
        let t = parse_timestamp("2016-12-31T23:59:60.5Z", TimestampMode::Lenient).unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 1_500_000_000);
    }

    #[test]
    fn modes_are_named_and_parsed_by_the_same_names() {
        for mode in [TimestampMode::Lenient, TimestampMode::Strict] {
            assert_eq!(mode.as_str().parse::<TimestampMode>(), Ok(mode));
        }
        assert_eq!(TimestampMode::Strict.as_str(), "strict");
        assert!("loose".parse::<TimestampMode>().is_err());
    }
}
