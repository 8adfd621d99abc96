//! Which bytes of a request body a service signature hashes, and where the
//! signed path starts: the two things providers' SDKs disagree on.

use super::symmetric::{lower_hex, minify_body};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::str::FromStr;

/// The bytes of the body that go into `lowercase(hex(sha256(...)))`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BodyHash {
    /// The standard: the body as received with the whitespace outside
    /// strings removed, byte for byte.
    #[default]
    Minified,
    /// The body exactly as sent (NICEPAY's SDK hashes `json.dumps` output,
    /// spaces included, and sends those same bytes).
    AsSent,
}

impl BodyHash {
    /// The name flags and the README use.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Minified => "minified",
            Self::AsSent => "as-sent",
        }
    }

    /// The bytes this form hashes.
    pub fn bytes(self, body: &[u8]) -> Cow<'_, [u8]> {
        match self {
            Self::Minified => Cow::Owned(minify_body(body)),
            Self::AsSent => Cow::Borrowed(body),
        }
    }

    /// `lowercase(hex(sha256(bytes)))` of the body in this form.
    pub fn hash(self, body: &[u8]) -> String {
        lower_hex(&Sha256::digest(self.bytes(body)))
    }

    /// The other form.
    pub const fn other(self) -> Self {
        match self {
            Self::Minified => Self::AsSent,
            Self::AsSent => Self::Minified,
        }
    }

    /// What a client that used this form where `expected` was due did.
    pub const fn mistake(self) -> &'static str {
        match self {
            Self::AsSent => "the body was hashed as sent, not minified",
            Self::Minified => "the body was minified before hashing; this provider hashes the body exactly as sent (--body-hash as-sent)",
        }
    }
}

/// Which body forms a server accepts (`--body-hash`; the preset's form
/// by default, so that a client hashing the wrong form fails here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyHashRule {
    /// Only this form.
    Only(BodyHash),
    /// Either form, the provider's tried first; the journal says when the
    /// other one matched.
    Any,
}

impl BodyHashRule {
    /// The name `--body-hash` takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Only(form) => form.as_str(),
            Self::Any => "any",
        }
    }
}

impl FromStr for BodyHashRule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "minified" => Ok(Self::Only(BodyHash::Minified)),
            "as-sent" => Ok(Self::Only(BodyHash::AsSent)),
            "any" => Ok(Self::Any),
            _ => Err(format!(
                "unknown body hash {s:?} (one of: minified, as-sent, any)"
            )),
        }
    }
}

/// How a provider's service signature covers the request beyond the
/// standard string: the body form and the mount the signed path leaves out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigningRules<'a> {
    /// The body form expected.
    pub body_hash: BodyHash,
    /// The base path the API is mounted under (`/nicepay`), which the
    /// signed path leaves out; empty for none.
    pub mount: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_hashes_its_own_bytes() {
        let body = b"{ \"a\": \"x y\" }";
        assert_eq!(BodyHash::AsSent.bytes(body).as_ref(), body);
        assert_eq!(BodyHash::Minified.bytes(body).as_ref(), b"{\"a\":\"x y\"}");
        assert_ne!(BodyHash::AsSent.hash(body), BodyHash::Minified.hash(body));
        assert_eq!(BodyHash::AsSent.other(), BodyHash::Minified);
        assert_eq!(BodyHash::Minified.other(), BodyHash::AsSent);
    }

    #[test]
    fn rules_parse_by_their_names() {
        for rule in [
            BodyHashRule::Any,
            BodyHashRule::Only(BodyHash::Minified),
            BodyHashRule::Only(BodyHash::AsSent),
        ] {
            assert_eq!(rule.as_str().parse::<BodyHashRule>(), Ok(rule));
        }
        assert!("sorted".parse::<BodyHashRule>().is_err());
    }
}
