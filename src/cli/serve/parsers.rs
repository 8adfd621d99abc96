//! Value parsers for the server's flags and environment variables.

use crate::config::AdminMode;
use crate::provider::{Provider, TokenFormat};
use crate::snap::{BodyHashRule, ContentTypeRule, Profile, TimestampMode};
use std::path::PathBuf;

pub(super) fn parse_admin_mode(s: &str) -> Result<AdminMode, String> {
    s.parse()
}

/// A path, where an empty value means "none".
pub(super) fn path_or_empty(s: &str) -> Result<PathBuf, String> {
    Ok(PathBuf::from(s))
}

pub(super) fn parse_provider(
    s: &str,
) -> Result<&'static Provider, crate::provider::UnknownProvider> {
    s.parse()
}

pub(super) fn parse_token_format(s: &str) -> Result<TokenFormat, String> {
    s.parse()
}

pub(super) fn parse_profile(s: &str) -> Result<&'static Profile, String> {
    s.parse()
}

pub(super) fn parse_timestamp_mode(s: &str) -> Result<TimestampMode, String> {
    s.parse()
}

pub(super) fn parse_content_type_rule(s: &str) -> Result<ContentTypeRule, String> {
    s.parse()
}

/// On/off switches from the environment: `1/0`, `true/false`, `yes/no`,
/// `on/off` in any case (clap's default takes only `true`/`false`).
pub(super) fn boolish() -> clap::builder::BoolishValueParser {
    clap::builder::BoolishValueParser::new()
}

pub(super) fn parse_body_hash(s: &str) -> Result<BodyHashRule, String> {
    s.parse()
}

/// A base path: empty, or `/segment...` without a trailing `/` (the
/// paths served under it start with their own `/`).
pub(super) fn parse_base_path(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() || s == "/" {
        return Ok(String::new());
    }
    if !s.starts_with('/') || s.ends_with('/') || s.contains(['{', '}', '?', '#', ' ']) {
        return Err(format!(
            "base path {s:?} must look like /nicepay (a leading /, no trailing /, no query)"
        ));
    }
    Ok(s.to_owned())
}

/// Parses `--notification-retries`: delays such as `2m,5m,10m,90m,210m`
/// (`s`, `m` or `h`); an empty list means no retry.
pub(super) fn parse_schedule(text: &str) -> Result<Vec<chrono::Duration>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (number, unit) = item.split_at(item.len() - 1);
            let n: i64 = number
                .parse()
                .ok()
                .filter(|n| *n >= 0 && *n <= 1_000_000)
                .ok_or_else(|| format!("{item:?} is not a delay like 90s, 2m or 1h"))?;
            match unit {
                "s" => Ok(chrono::Duration::seconds(n)),
                "m" => Ok(chrono::Duration::minutes(n)),
                "h" => Ok(chrono::Duration::hours(n)),
                _ => Err(format!("{item:?} is not a delay like 90s, 2m or 1h")),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_schedule_is_delays_with_units() {
        use chrono::Duration;
        let schedule = parse_schedule("2m, 90s,1h").unwrap();
        assert_eq!(
            schedule,
            [
                Duration::minutes(2),
                Duration::seconds(90),
                Duration::hours(1)
            ]
        );
        assert!(parse_schedule("2d").unwrap_err().contains("2d"));
        assert!(parse_schedule("m").is_err());
        assert!(parse_schedule("").unwrap().is_empty());
    }
}
