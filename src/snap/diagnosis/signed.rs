//! What a client signed instead of the string-to-sign: the strings a
//! common mistake produces, tried against the hash the signature holds.

use super::*;
use crate::snap::SigningRules;

/// Other ways a client may have written the same instant, each offered to
/// `check` until it returns true; gives the form and what differs.
///
/// When the header has no fraction, the signed string may have had
/// milliseconds the header dropped: all 1000 are tried. Each candidate is
/// assembled from pre-formatted parts, so the whole search stays in the
/// low milliseconds on the failure path.
pub(super) fn find_timestamp_form(
    raw: &str,
    mut check: impl FnMut(&str) -> bool,
) -> Option<(String, String)> {
    let t = parse_timestamp(raw, TimestampMode::Lenient).ok()?;
    let offsets = [
        (t.offset().local_minus_utc(), "the offset it was sent in"),
        (0, "UTC"),
        (7 * 3600, "+07:00 (WIB)"),
        (8 * 3600, "+08:00 (WITA)"),
        (9 * 3600, "+09:00 (WIT)"),
    ];
    let millis = if raw.contains('.') {
        let ms = t.timestamp_subsec_millis();
        ms..ms + 1
    } else {
        0..1000
    };
    let mut try_form = |s: &str, why: &dyn Fn() -> String| -> Option<(String, String)> {
        (s != raw && check(s)).then(|| (s.to_owned(), why()))
    };
    offsets.into_iter().find_map(|(secs, zone)| {
        let offset = FixedOffset::east_opt(secs)?;
        let forms = ZoneForms::new(&t.with_timezone(&offset), secs == 0, zone);
        forms
            .whole_seconds(&mut try_form)
            .or_else(|| forms.with_millis(millis.clone(), &mut try_form))
    })
}

/// The parts of one instant written in one zone, pre-formatted.
struct ZoneForms<'z> {
    zone: &'z str,
    /// `YYYY-MM-DDTHH:MM:SS`.
    base: String,
    /// `+0700`.
    tz_plain: String,
    /// `YYYY-MM-DD HH:MM:SS`.
    spaced: String,
    /// The offsets a SNAP timestamp may end with, and how to say so.
    tzs: Vec<(String, String)>,
}

type TryForm<'f> = dyn FnMut(&str, &dyn Fn() -> String) -> Option<(String, String)> + 'f;

impl<'z> ZoneForms<'z> {
    fn new(local: &DateTime<FixedOffset>, utc: bool, zone: &'z str) -> Self {
        let mut tzs = vec![(local.format("%:z").to_string(), format!("in {zone}"))];
        if utc {
            tzs.push(("Z".to_owned(), "with Z".to_owned()));
        }
        Self {
            zone,
            base: local.format("%Y-%m-%dT%H:%M:%S").to_string(),
            tz_plain: local.format("%z").to_string(),
            spaced: local.format("%Y-%m-%d %H:%M:%S").to_string(),
            tzs,
        }
    }

    /// Without a fraction: with each offset, then the looser forms.
    fn whole_seconds(&self, try_form: &mut TryForm<'_>) -> Option<(String, String)> {
        let (base, zone, tz_plain) = (&self.base, self.zone, &self.tz_plain);
        for (tz, where_) in &self.tzs {
            let found = try_form(&format!("{base}{tz}"), &|| {
                format!("without fractional seconds, {where_}")
            });
            if found.is_some() {
                return found;
            }
        }
        [
            (
                format!("{base}{tz_plain}"),
                format!("with offset {tz_plain} (no colon), in {zone}"),
            ),
            (base.clone(), format!("without any offset, in {zone}")),
            (
                self.spaced.clone(),
                format!("with a space and no offset, in {zone}"),
            ),
        ]
        .into_iter()
        .find_map(|(form, why)| try_form(&form, &|| why.clone()))
    }

    /// With each of `millis` as a three-digit fraction, built in place.
    fn with_millis(
        &self,
        millis: std::ops::Range<u32>,
        try_form: &mut TryForm<'_>,
    ) -> Option<(String, String)> {
        let mut candidate = String::with_capacity(self.base.len() + 10);
        for ms in millis {
            for (tz, where_) in &self.tzs {
                candidate.clear();
                candidate.push_str(&self.base);
                candidate.push('.');
                candidate.push(char::from(b'0' + (ms / 100) as u8));
                candidate.push(char::from(b'0' + (ms / 10 % 10) as u8));
                candidate.push(char::from(b'0' + (ms % 10) as u8));
                candidate.push_str(tz);
                let found = try_form(&candidate, &|| format!("with milliseconds, {where_}"));
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }
}

/// The strings-to-sign of the common mistakes with a token request's
/// `client_key|timestamp`, each with what it is.
fn token_string_mistakes(client_key: &str, timestamp: &str) -> [(String, &'static str); 11] {
    let expected = format!("{client_key}|{timestamp}");
    [
        (
            format!("{expected}\n"),
            "a trailing newline (echo without -n?)",
        ),
        (format!("{expected}\r\n"), "a trailing CRLF"),
        (
            format!("{timestamp}|{client_key}"),
            "timestamp and client key swapped",
        ),
        (
            format!("{client_key}{timestamp}"),
            "no | between client key and timestamp",
        ),
        (format!("{client_key}:{timestamp}"), "':' instead of '|'"),
        (format!("{client_key},{timestamp}"), "',' instead of '|'"),
        (format!("{client_key} | {timestamp}"), "spaces around '|'"),
        (client_key.to_string(), "the client key alone"),
        (timestamp.to_string(), "the timestamp alone"),
        (
            format!("{}|{timestamp}", client_key.to_lowercase()),
            "the client key in lower case",
        ),
        (
            format!("{}|{timestamp}", client_key.to_uppercase()),
            "the client key in upper case",
        ),
    ]
}

/// Finds the string the client actually signed, given its hash.
pub(super) fn find_signed_string(
    hash: Hash,
    value: &[u8],
    client_key: &str,
    timestamp: &str,
    other_client_keys: &[&str],
) -> Option<String> {
    let matches = |s: &str| hash.digest(s.as_bytes()) == value;
    for (candidate, why) in token_string_mistakes(client_key, timestamp) {
        if matches(&candidate) {
            return Some(format!("{candidate:?}: {why}"));
        }
    }
    for other in other_client_keys {
        let candidate = format!("{other}|{timestamp}");
        if matches(&candidate) {
            return Some(format!(
                "{candidate:?}: another client key ({other:?}) in the string-to-sign"
            ));
        }
    }
    timestamp_written_differently(&format!("{client_key}|"), timestamp, matches)
}

/// The string-to-sign `prefix` + another form of the instant `timestamp`
/// (the timestamp ends every SNAP string-to-sign), when `matches` it.
pub(super) fn timestamp_written_differently(
    prefix: &str,
    timestamp: &str,
    matches: impl Fn(&str) -> bool,
) -> Option<String> {
    let mut buffer = String::new();
    let (form, why) = find_timestamp_form(timestamp, |form| {
        buffer.clear();
        buffer.push_str(prefix);
        buffer.push_str(form);
        matches(&buffer)
    })?;
    Some(format!(
        "{:?}: the same instant written differently ({why}); sign the X-TIMESTAMP header value byte for byte",
        format!("{prefix}{form}")
    ))
}

/// What the hash inside a signature was computed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SignedOver {
    /// Exactly the string-to-sign: the signature's trouble lies elsewhere
    /// (its encoding, or its algorithm).
    TheStringToSign,
    /// A recognised mistake, in words: what was signed and why it differs.
    Mistake(String),
}

impl SignedOver {
    /// Which string `value` (a digest under `hash`) was computed over, if
    /// the server can tell.
    pub(super) fn find(
        signed: &dyn Signed,
        hash: Hash,
        value: &[u8],
        others: &[&str],
    ) -> Option<Self> {
        if hash.digest(signed.expected().as_bytes()) == value {
            return Some(Self::TheStringToSign);
        }
        signed.find(hash, value, others).map(Self::Mistake)
    }

    pub(super) fn describe(&self, expected: &str) -> String {
        match self {
            Self::TheStringToSign => format!("the string-to-sign itself {expected:?}"),
            Self::Mistake(what) => what.clone(),
        }
    }
}

/// What an asymmetric signature was supposed to cover: the token
/// request's `X-CLIENT-KEY|X-TIMESTAMP`, or a service call's
/// `METHOD:url:hash(body):X-TIMESTAMP`. The diagnosis engine is the same.
pub(super) trait Signed {
    /// The string the server verified.
    fn expected(&self) -> String;
    /// Which mistake the client made, found from the hash inside its
    /// signature: a description, or `None`.
    fn find(&self, hash: Hash, value: &[u8], other_client_keys: &[&str]) -> Option<String>;
    /// How to sign, for "right key, different string".
    fn rule(&self) -> &'static str;
}

/// The token request's string-to-sign.
pub(super) struct TokenSigning<'a> {
    pub(super) client_key: &'a str,
    pub(super) timestamp: &'a str,
}

impl Signed for TokenSigning<'_> {
    fn expected(&self) -> String {
        format!("{}|{}", self.client_key, self.timestamp)
    }
    fn find(&self, hash: Hash, value: &[u8], others: &[&str]) -> Option<String> {
        find_signed_string(hash, value, self.client_key, self.timestamp, others)
    }
    fn rule(&self) -> &'static str {
        "sign exactly X-CLIENT-KEY + \"|\" + X-TIMESTAMP as sent"
    }
}

/// A service call signed without a token (the standard's asymmetric
/// service signature): `METHOD:relativeUrl:lowercase(hex(sha256(minified
/// body))):X-TIMESTAMP`.
pub struct ServiceSigning<'a> {
    pub method: &'a str,
    /// Path and query as sent.
    pub relative_url: &'a str,
    pub body: &'a [u8],
    pub timestamp: &'a str,
    /// The bearer token the call carried anyway, if any: signing it along
    /// (the symmetric layout) is a mistake worth naming.
    pub bearer: Option<&'a str>,
    /// The provider's body form and mount.
    pub rules: SigningRules<'a>,
}

impl ServiceSigning<'_> {
    pub(super) fn with(&self, method: &str, url: &str, hash: &str, timestamp: &str) -> String {
        format!("{method}:{url}:{hash}:{timestamp}")
    }
    /// The body hash in the form the provider expects.
    pub(super) fn minified_hash(&self) -> String {
        self.rules.body_hash.hash(self.body)
    }

    /// The strings a client that made a common mistake signed, each with
    /// the mistake in words; `minified` is the expected body hash.
    fn mistakes(
        &self,
        method: &str,
        minified: &str,
        minified_body: &[u8],
    ) -> Vec<(String, String)> {
        let (ts, url) = (self.timestamp, self.relative_url);
        let expected = self.with(method, url, minified, ts);
        let other = self.rules.body_hash.other();
        let path_only = url.split('?').next().unwrap_or(url);
        let mut candidates: Vec<(String, String)> = vec![
            (
                self.with(method, url, &other.hash(self.body), ts),
                other.mistake().into(),
            ),
            (
                self.with(method, url, &minified.to_uppercase(), ts),
                "the body hash is upper-case hex; SNAP uses lower-case".into(),
            ),
            (
                self.with(method, path_only, minified, ts),
                "the query string was left out of the URL".into(),
            ),
            (
                self.with(&self.method.to_ascii_lowercase(), url, minified, ts),
                "the HTTP method is lower case".into(),
            ),
            (format!("{expected}\n"), "a trailing newline".into()),
        ];
        if let Some(token) = self.bearer {
            candidates.push((
                format!("{method}:{url}:{token}:{minified}:{ts}"),
                "the access token was included (the symmetric layout); without a token the string is METHOD:url:hash:timestamp".into(),
            ));
        }
        if !self.rules.mount.is_empty() {
            candidates.push((
                self.with(method, &format!("{}{url}", self.rules.mount), minified, ts),
                crate::snap::symmetric::mounted_path_signed(self.rules.mount),
            ));
        }
        for (shorter, dropped) in crate::snap::symmetric::shorter_paths(url) {
            candidates.push((
                self.with(method, &shorter, minified, ts),
                format!("the signed path leaves out {dropped}, the start of the path the request was sent to; sign the path exactly as sent"),
            ));
        }
        for (hash, why) in crate::snap::symmetric::body_hash_mistakes(self.body, minified_body) {
            candidates.push((self.with(method, url, &hash, ts), why.into()));
        }
        candidates
    }
}

impl Signed for ServiceSigning<'_> {
    fn expected(&self) -> String {
        let method = self.method.to_ascii_uppercase();
        self.with(
            &method,
            self.relative_url,
            &self.minified_hash(),
            self.timestamp,
        )
    }
    fn find(&self, hash: Hash, value: &[u8], _others: &[&str]) -> Option<String> {
        let matches = |s: &str| hash.digest(s.as_bytes()) == value;
        let method = self.method.to_ascii_uppercase();
        // The body is minified once here: it may be the largest input of
        // the whole failure path.
        let minified_body = crate::snap::symmetric::minify_body(self.body);
        // The expected form's hash; the other form is the first mistake tried.
        let minified = match self.rules.body_hash {
            crate::snap::BodyHash::Minified => {
                crate::snap::symmetric::lower_hex(&Sha256::digest(&minified_body))
            }
            form => form.hash(self.body),
        };
        for (candidate, why) in self.mistakes(&method, &minified, &minified_body) {
            if matches(&candidate) {
                return Some(format!("{candidate:?}: {why}"));
            }
        }
        let url = self.relative_url;
        timestamp_written_differently(
            &format!("{method}:{url}:{minified}:"),
            self.timestamp,
            matches,
        )
    }
    fn rule(&self) -> &'static str {
        "sign exactly METHOD + \":\" + path and query as sent + \":\" + lowercase(hex(sha256(minified body))) + \":\" + X-TIMESTAMP"
    }
}
