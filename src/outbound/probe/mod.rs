//! `snap-mock probe`: snap-mock plays the bank against a merchant's own
//! SNAP server. It takes a B2B token from the merchant's token endpoint
//! (RSA-signed with the bank's key), calls VA inquiry and payment with the
//! HMAC-SHA512 signature, and then sends each negative case: an otherwise
//! valid request with one thing wrong, and the SNAP code the standard
//! expects. With a notification URL it also sends a genuine signed
//! notification and forged ones.
//!
//! ```no_run
//! use snap_mock::probe::{Probe, ProbeConfig};
//!
//! let mut config = ProbeConfig::new("http://127.0.0.1:9000");
//! config.client_key = "bank-client".into();
//! config.client_secret = "the secret the merchant gave the bank".into();
//! config.virtual_account = "   12345000000001".into();
//! config.amount = "10000.00".into();
//! let report = Probe::new(config).unwrap().run();
//! println!("{}", report.table());
//! assert!(report.passed(), "{}", report.table());
//! ```
//!
//! The cases are data ([`CASES`]): a new case is one entry.

mod case;
mod cases;
mod judge;
mod report;
mod request;
mod run;

pub use case::{Call, Case, Fault, Needs};
pub use cases::{by_name, CASES};
pub use report::{Answer, CaseResult, Exchange, Report, Verdict};
pub use request::Outgoing;
pub use run::Probe;

use crate::snap::body_hash::BodyHash;
use std::time::Duration;

/// The bundled bank key pair (PEM; published, test-only): the default
/// `--private-key`. Install [`DEMO_BANK_PUBLIC_KEY`] on the merchant.
pub const DEMO_BANK_PRIVATE_KEY: &str = crate::embedded::PROVIDER_PRIVATE_KEY;
/// The public half of [`DEMO_BANK_PRIVATE_KEY`] (SPKI PEM).
pub const DEMO_BANK_PUBLIC_KEY: &str = crate::embedded::PROVIDER_PUBLIC_KEY;

/// Which notification `--notify` sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyKind {
    /// VA payment notification (service 25, `/v1.0/transfer-va/payment`).
    #[default]
    Va,
    /// QRIS MPM notify (service 52, `/v1.0/qr/qr-mpm-notify`).
    Qris,
    /// Direct debit notify (service 56, `/v1.0/debit/notify`).
    Debit,
}

impl NotifyKind {
    /// The SNAP service code of the merchant's answers.
    pub const fn service(self) -> u8 {
        match self {
            Self::Va => 25,
            Self::Qris => 52,
            Self::Debit => 56,
        }
    }

    /// The kind a notification URL's path names, VA payment otherwise.
    pub fn of_url(url: &str) -> Self {
        let path = path_and_query(url);
        if path.contains("qr-mpm-notify") {
            Self::Qris
        } else if path.contains("/debit/") {
            Self::Debit
        } else {
            Self::Va
        }
    }
}

impl std::str::FromStr for NotifyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "va" => Ok(Self::Va),
            "qris" => Ok(Self::Qris),
            "debit" => Ok(Self::Debit),
            _ => Err(format!(
                "unknown notification kind {s:?} (one of: va, qris, debit)"
            )),
        }
    }
}

/// Everything a probe run needs. [`ProbeConfig::new`] gives the standard's
/// paths, the bundled bank key and polite bounds; set the credentials the
/// merchant issued and a VA it knows.
#[derive(Clone, Debug)]
pub struct ProbeConfig {
    /// The merchant's base URL (`http://127.0.0.1:9000`); paths are
    /// appended to it.
    pub base_url: String,
    /// `X-CLIENT-KEY` of the token request: the bank's client id at the
    /// merchant.
    pub client_key: String,
    /// The HMAC key of service calls.
    pub client_secret: String,
    /// `X-PARTNER-ID` of service calls and notifications; the client key
    /// when `None`.
    pub partner_id: Option<String>,
    /// The bank's RSA private key (PEM, PKCS#8 or PKCS#1).
    pub private_key_pem: String,
    /// A second client the merchant knows, for "a token of another
    /// client": its client key, secret and private key (the bank's when
    /// `None`).
    pub other_client: Option<OtherClient>,
    /// A VA the merchant knows and has not been paid: `partnerServiceId`
    /// (8 characters, spaces kept) then the customer number.
    pub virtual_account: String,
    /// Its bill, with two decimals (`10000.00`).
    pub amount: String,
    /// ISO 4217 currency of `amount`.
    pub currency: String,
    /// `CHANNEL-ID`, or `None` for a dialect that sends none.
    pub channel_id: Option<String>,
    /// Paths on the merchant.
    pub token_path: String,
    /// VA inquiry (service 24).
    pub inquiry_path: String,
    /// VA payment (service 25).
    pub payment_path: String,
    /// What the service signatures hash (the provider's dialect).
    pub body_hash: BodyHash,
    /// The merchant's notification URL: enables the `notify` cases.
    pub notify_url: Option<String>,
    /// The notification sent there.
    pub notify_kind: NotifyKind,
    /// The VA a VA payment notification names (use another one than
    /// `virtual_account` when the merchant books both).
    pub notify_va: String,
    /// Per request.
    pub timeout: Duration,
    /// Between two requests, to be polite to a shared UAT.
    pub delay: Duration,
    /// No run sends more.
    pub max_requests: usize,
    /// How long the probe may wait for the merchant's token to expire
    /// (`inquiry-expired-token` is skipped when its tokens live longer).
    pub expiry_wait: Duration,
    /// Case names to run (`*` at the end matches a prefix); all when empty.
    pub only: Vec<String>,
    /// Case names not to run (same patterns).
    pub skip: Vec<String>,
}

/// A second client of the merchant.
#[derive(Clone, Debug)]
pub struct OtherClient {
    /// Its `X-CLIENT-KEY`.
    pub client_key: String,
    /// Its secret (unused by the case, kept for symmetry with the flags).
    pub client_secret: String,
    /// Its private key; the bank's when `None`.
    pub private_key_pem: Option<String>,
}

/// The standard's paths, under a prefix (`/snap`, or a preset's base path).
pub fn standard_paths(prefix: &str) -> [String; 3] {
    let prefix = prefix.trim_end_matches('/');
    [
        format!("{prefix}/v1.0/access-token/b2b"),
        format!("{prefix}/v1.0/transfer-va/inquiry"),
        format!("{prefix}/v1.0/transfer-va/payment"),
    ]
}

impl ProbeConfig {
    /// Defaults around `base_url`: the standard's paths under the URL's
    /// own path, the bundled bank key, `95221` as CHANNEL-ID, 10 s a
    /// request, at most 200 requests.
    pub fn new(base_url: &str) -> Self {
        let base_url = base_url.trim_end_matches('/').to_owned();
        let prefix = path_and_query(&base_url);
        let [token_path, inquiry_path, payment_path] =
            standard_paths(if prefix == "/" { "" } else { &prefix });
        let origin = origin(&base_url);
        Self {
            base_url: origin,
            client_key: String::new(),
            client_secret: String::new(),
            partner_id: None,
            private_key_pem: DEMO_BANK_PRIVATE_KEY.to_owned(),
            other_client: None,
            virtual_account: String::new(),
            amount: String::new(),
            currency: "IDR".into(),
            channel_id: Some("95221".into()),
            token_path,
            inquiry_path,
            payment_path,
            body_hash: BodyHash::Minified,
            notify_url: None,
            notify_kind: NotifyKind::Va,
            notify_va: String::new(),
            timeout: Duration::from_secs(10),
            delay: Duration::ZERO,
            max_requests: 200,
            expiry_wait: Duration::from_secs(30),
            only: Vec::new(),
            skip: Vec::new(),
        }
    }

    /// `X-PARTNER-ID`.
    pub fn partner_id(&self) -> &str {
        self.partner_id.as_deref().unwrap_or(&self.client_key)
    }

    /// The absolute URL of a path on the merchant.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Whether `--only` and `--skip` let this case run.
    pub fn selects(&self, name: &str) -> bool {
        let matches = |pattern: &String| match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == pattern,
        };
        (self.only.is_empty() || self.only.iter().any(matches)) && !self.skip.iter().any(matches)
    }

    /// What is missing or malformed, before anything is sent.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            out.push(format!(
                "{:?} is not an http:// or https:// URL",
                self.base_url
            ));
        }
        if self.client_key.is_empty() {
            out.push("no client key (--client-key): the bank's client id at the merchant".into());
        }
        if self.client_secret.is_empty() {
            out.push("no client secret (--client-secret): the HMAC key of service calls".into());
        }
        if self.virtual_account.chars().count() <= 8 {
            out.push(format!(
                "the VA {:?} (--va) must be partnerServiceId (8 characters, spaces kept) then the customer number",
                self.virtual_account
            ));
        }
        let amount_ok = self.amount.split_once('.').is_some_and(|(units, cents)| {
            !units.is_empty()
                && units.bytes().all(|b| b.is_ascii_digit())
                && cents.len() == 2
                && cents.bytes().all(|b| b.is_ascii_digit())
        });
        if !amount_ok {
            out.push(format!(
                "the amount {:?} (--amount) must have two decimals, like 10000.00",
                self.amount
            ));
        }
        for unknown in self.only.iter().chain(&self.skip) {
            let prefix = unknown.trim_end_matches('*');
            if !CASES.iter().any(|c| {
                c.name == unknown || (unknown.ends_with('*') && c.name.starts_with(prefix))
            }) {
                out.push(format!(
                    "no case is called {unknown:?} (snap-mock probe --list names them)"
                ));
            }
        }
        out
    }
}

/// `scheme://host:port` of a URL.
fn origin(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find('/').unwrap_or(rest.len());
            format!("{scheme}://{}", &rest[..end])
        }
        None => url.to_owned(),
    }
}

pub(crate) use super::path_and_query;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_with_a_path_prefixes_the_standard_paths() {
        let c = ProbeConfig::new("http://127.0.0.1:9/snap/");
        assert_eq!(c.base_url, "http://127.0.0.1:9");
        assert_eq!(c.token_path, "/snap/v1.0/access-token/b2b");
        assert_eq!(
            c.url(&c.payment_path),
            "http://127.0.0.1:9/snap/v1.0/transfer-va/payment"
        );
        let c = ProbeConfig::new("https://merchant.example");
        assert_eq!(c.inquiry_path, "/v1.0/transfer-va/inquiry");
    }

    #[test]
    fn only_and_skip_take_names_and_prefixes() {
        let mut c = ProbeConfig::new("http://x");
        assert!(c.selects("payment"));
        c.only = vec!["token*".into(), "payment".into()];
        assert!(
            c.selects("token-no-timestamp")
                && c.selects("payment")
                && !c.selects("payment-paid-va")
        );
        c.skip = vec!["token-no-timestamp".into()];
        assert!(!c.selects("token-no-timestamp") && c.selects("token"));
    }

    #[test]
    fn problems_name_the_flag_to_fix() {
        let mut c = ProbeConfig::new("ftp://x");
        c.amount = "10000".into();
        c.only = vec!["nope".into()];
        let problems = c.problems().join("\n");
        for flag in [
            "not an http",
            "--client-key",
            "--client-secret",
            "--va",
            "--amount",
            "\"nope\"",
        ] {
            assert!(problems.contains(flag), "{flag}: {problems}");
        }
        let mut c = ProbeConfig::new("http://x");
        c.client_key = "k".into();
        c.client_secret = "s".into();
        c.virtual_account = "   12345678".into();
        c.amount = "1.00".into();
        c.only = vec!["notify*".into()];
        assert_eq!(c.problems(), Vec::<String>::new());
    }

    #[test]
    fn the_notification_kind_follows_the_url() {
        assert_eq!(
            NotifyKind::of_url("http://m/v1.0/qr/qr-mpm-notify"),
            NotifyKind::Qris
        );
        assert_eq!(
            NotifyKind::of_url("http://m/v1.0/debit/notify"),
            NotifyKind::Debit
        );
        assert_eq!(NotifyKind::of_url("http://m/hooks/snap"), NotifyKind::Va);
        assert_eq!("qris".parse::<NotifyKind>(), Ok(NotifyKind::Qris));
        assert!("x".parse::<NotifyKind>().is_err());
    }
}
