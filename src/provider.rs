//! Provider presets (`--provider NAME`): the token paths, wording and
//! field types, grant-type spellings, token format and service-signature
//! mode that one provider's SDK expects, so that a user switches all of
//! them with one name. Individual settings still override a preset.
//!
//! Every fact here has its source in [`Provider::sources`], printed in the
//! README's provider table (a test keeps the two in step).

use crate::snap::profile::{self, Profile};
use crate::snap::{BodyHash, Field};
use std::fmt;
use std::str::FromStr;

/// What an access token looks like on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TokenFormat {
    /// An RS256 JWT, verifiable against `/.well-known/jwks.json`.
    #[default]
    Jwt,
    /// 64 random hex characters, meaningful only to this server: validated
    /// through its token store, and by `/introspect`. For clients that cap
    /// the token's length (DANA's SDK: 512 characters).
    Opaque,
}

impl TokenFormat {
    /// The name `--token-format` takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Jwt => "jwt",
            Self::Opaque => "opaque",
        }
    }
}

impl FromStr for TokenFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "jwt" => Ok(Self::Jwt),
            "opaque" => Ok(Self::Opaque),
            _ => Err(format!("unknown token format {s:?} (one of: jwt, opaque)")),
        }
    }
}

/// How a transactional call proves who sends it.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceSignature {
    /// `Authorization: Bearer <B2B token>` and
    /// `X-SIGNATURE = HMAC-SHA512(clientSecret, METHOD:url:token:hash:ts)`.
    #[default]
    Symmetric,
    /// No token: `X-SIGNATURE = SHA256withRSA(private key,
    /// METHOD:url:hash:ts)`, the partner named by `X-PARTNER-ID`.
    Asymmetric,
}

impl ServiceSignature {
    /// The name endpoint fixtures use (`signature`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Symmetric => "symmetric",
            Self::Asymmetric => "asymmetric",
        }
    }
}

/// How notifications reach the merchant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum NotificationAuth {
    /// No token: `X-SIGNATURE` = SHA256withRSA with the provider's key over
    /// `POST:path:hash:timestamp` (the usual way).
    #[default]
    Asymmetric,
    /// The provider first takes a B2B token from the merchant's own
    /// `/v1.0/access-token/b2b` (signed with its RSA key), then calls with
    /// `Authorization: Bearer` and the HMAC-SHA512 signature keyed with the
    /// client's secret: the inbound VA model of `spec/SNAP-AUTH.md`.
    BearerToken,
}

impl NotificationAuth {
    /// The name `--notification-auth` takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Asymmetric => "asymmetric",
            Self::BearerToken => "bearer-token",
        }
    }
}

impl FromStr for NotificationAuth {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "asymmetric" => Ok(Self::Asymmetric),
            "bearer-token" => Ok(Self::BearerToken),
            _ => Err(format!(
                "unknown notification auth {s:?} (one of: asymmetric, bearer-token)"
            )),
        }
    }
}

/// One provider's preset.
#[derive(Debug, PartialEq, Eq)]
pub struct Provider {
    /// The name `--provider` takes.
    pub name: &'static str,
    /// Wording of messages and typing of the success body.
    pub profile: &'static Profile,
    /// B2B token paths served.
    pub b2b_token_paths: &'static [&'static str],
    /// B2B2C token paths served.
    pub b2b2c_token_paths: &'static [&'static str],
    /// `granttype` / `grant_type` accepted for `grantType`.
    pub accept_legacy_grant_type: bool,
    /// What issued access tokens look like (`--token-format`).
    pub token_format: TokenFormat,
    /// The signature of the bundled endpoints that do not name one.
    pub service_signature: ServiceSignature,
    /// The body bytes its service signatures hash.
    pub body_hash: BodyHash,
    /// Where it mounts its SNAP API (`/nicepay`): every SNAP path is served
    /// under it, and signed paths leave it out. Empty for none.
    pub base_path: &'static str,
    /// What its service paths begin with below the base path, in place of
    /// the standard's `/v1.0` (`/v1.0/transfer-va/create-va`): NICEPAY's
    /// SDK calls `/api/v1.0/...`, Paylabs' signs `/transfer-va/...` alone.
    /// The stateful calls are served there.
    pub service_root: &'static str,
    /// When it assigns virtual account numbers itself, the `additionalInfo`
    /// member its create-va answer names its own transaction id with
    /// (NICEPAY: a create-va may leave `partnerServiceId`, `customerNo` and
    /// `virtualAccountNo` empty; the answer carries the number and
    /// `tXidVA`). `None`: the client gives the number, as the standard has it.
    pub assigns_virtual_accounts: Option<&'static str>,
    /// Signs its notifications over their service path
    /// (`/transfer-va/payment`) whatever the merchant's URL, as Paylabs'
    /// SDK verifies them; otherwise over the URL's own path, the standard's.
    pub signs_notifications_over_service_path: bool,
    /// Mandatory headers of the standard it leaves optional on service
    /// calls (Paylabs' SDK sends no `CHANNEL-ID`).
    pub optional_headers: &'static [Field],
    /// The longest `X-EXTERNAL-ID` it takes (the standard's String(36)
    /// unless its SDK is known to send longer ones).
    pub external_id_max_chars: usize,
    /// How its notifications reach the merchant.
    pub notification_auth: NotificationAuth,
    /// What the preset changes and where each fact comes from (Markdown,
    /// for the README table).
    pub sources: &'static str,
}

impl Provider {
    /// The standard's service path (`/v1.0/transfer-va/create-va`) as this
    /// provider serves and signs it below its base path.
    pub fn service_path(&self, standard: &str) -> String {
        let rest = standard.strip_prefix("/v1.0").unwrap_or(standard);
        format!("{}{rest}", self.service_root)
    }
}

pub static FINPAY: Provider = Provider {
    name: "finpay",
    profile: &profile::FINPAY,
    b2b_token_paths: &[
        "/pg/snap/oauth/v1.0/access-token/b2b",
        "/oauth/v1.0/access-token/b2b",
    ],
    b2b2c_token_paths: &[
        "/pg/snap/oauth/v1.0/access-token/b2b2c",
        "/oauth/v1.0/access-token/b2b2c",
    ],
    accept_legacy_grant_type: false,
    token_format: TokenFormat::Jwt,
    service_signature: ServiceSignature::Symmetric,
    body_hash: BodyHash::Minified,
    base_path: "",
    service_root: "/v1.0",
    assigns_virtual_accounts: None,
    signs_notifications_over_service_path: false,
    optional_headers: &[],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::Asymmetric,
    sources: "the default. Paths, sample answer (`expiresIn` a number, \"Request has been processed successfully\") and messages: Finpay's reference page (`spec/finpay-access-token-b2b.md`) and its OpenAPI",
};

pub static SNAP_BI: Provider = Provider {
    name: "snap-bi",
    profile: &profile::SNAP_BI,
    b2b_token_paths: &["/v1.0/access-token/b2b"],
    b2b2c_token_paths: &["/v1.0/access-token/b2b2c"],
    accept_legacy_grant_type: false,
    token_format: TokenFormat::Jwt,
    service_signature: ServiceSignature::Symmetric,
    body_hash: BodyHash::Minified,
    base_path: "",
    service_root: "/v1.0",
    assigns_virtual_accounts: None,
    signs_notifications_over_service_path: false,
    optional_headers: &[],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::Asymmetric,
    sources: "the standard: `/v1.0/access-token/b2b`, \"Successful\", `expiresIn` a string, `additionalInfo {}`, `Unauthorized. [Signature]`: Bank Indonesia's SNAP technical standard (ASPI), as digested in `spec/SNAP-AUTH.md`",
};

pub static BCA: Provider = Provider {
    name: "bca",
    profile: &profile::BCA,
    b2b_token_paths: &["/openapi/v1.0/access-token/b2b"],
    b2b2c_token_paths: &["/openapi/v1.0/access-token/b2b2c"],
    accept_legacy_grant_type: false,
    token_format: TokenFormat::Jwt,
    service_signature: ServiceSignature::Symmetric,
    body_hash: BodyHash::Minified,
    base_path: "",
    service_root: "/v1.0",
    assigns_virtual_accounts: None,
    signs_notifications_over_service_path: false,
    optional_headers: &[],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::BearerToken,
    sources: "`/openapi/v1.0/...`, bracketed messages (`Invalid field format [X-TIMESTAMP]`): BCA's developer documentation (developer.bca.co.id), as digested in `spec/SNAP-AUTH.md`; notifications as a bearer-token call (the bank takes a token from the merchant's own token endpoint first): the inbound VA model there",
};

pub static BRI: Provider = Provider {
    name: "bri",
    profile: &profile::SNAP_BI,
    b2b_token_paths: &["/snap/v1.0/access-token/b2b"],
    b2b2c_token_paths: &["/snap/v1.0/access-token/b2b2c"],
    accept_legacy_grant_type: false,
    token_format: TokenFormat::Jwt,
    service_signature: ServiceSignature::Symmetric,
    body_hash: BodyHash::Minified,
    base_path: "",
    service_root: "/v1.0",
    assigns_virtual_accounts: None,
    signs_notifications_over_service_path: false,
    optional_headers: &[],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::Asymmetric,
    sources: "`/snap/v1.0/...`, timestamps with milliseconds and `+07:00` (accepted: timestamps are lenient by default): BRI's API portal (developers.bri.co.id), as digested in `spec/SNAP-AUTH.md`",
};

pub static BNI: Provider = Provider {
    name: "bni",
    profile: &profile::SNAP_BI,
    b2b_token_paths: &["/snap/v1/access-token/b2b"],
    b2b2c_token_paths: &["/snap/v1/access-token/b2b2c"],
    accept_legacy_grant_type: false,
    token_format: TokenFormat::Jwt,
    service_signature: ServiceSignature::Symmetric,
    body_hash: BodyHash::Minified,
    base_path: "",
    service_root: "/v1.0",
    assigns_virtual_accounts: None,
    signs_notifications_over_service_path: false,
    optional_headers: &[],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::Asymmetric,
    sources: "`/snap/v1/access-token/b2b` (note `v1`), balance inquiry `POST /snap-service/v1/balance-inquiry` signed with HMAC-SHA512: the code of `bnipython` (PyPI; `bnipython/lib/api/snapBI.py`)",
};

pub static DOKU: Provider = Provider {
    name: "doku",
    profile: &profile::DOKU,
    b2b_token_paths: &["/authorization/v1/access-token/b2b"],
    b2b2c_token_paths: &["/authorization/v1/access-token/b2b2c"],
    accept_legacy_grant_type: false,
    token_format: TokenFormat::Jwt,
    service_signature: ServiceSignature::Symmetric,
    body_hash: BodyHash::Minified,
    base_path: "",
    service_root: "/v1.0",
    assigns_virtual_accounts: None,
    signs_notifications_over_service_path: false,
    optional_headers: &[],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::Asymmetric,
    sources: "`/authorization/v1/access-token/b2b`, UTC `...Z` timestamps, `expiresIn` a number and no keys its response model does not know, create VA at `/virtual-accounts/bi-snap-va/v1.1/transfer-va/create-va`: the code of `doku-python-library` (PyPI; `doku_python_library/src/commons/config.py`, `.../model/token/token_b2b_response.py`, `.../model/va/create_va_response.py`)",
};

pub static MIDTRANS: Provider = Provider {
    name: "midtrans",
    profile: &profile::SNAP_BI,
    b2b_token_paths: &["/v1.0/access-token/b2b"],
    b2b2c_token_paths: &["/v1.0/access-token/b2b2c"],
    accept_legacy_grant_type: true,
    token_format: TokenFormat::Jwt,
    service_signature: ServiceSignature::Symmetric,
    body_hash: BodyHash::Minified,
    base_path: "",
    service_root: "/v1.0",
    assigns_virtual_accounts: None,
    signs_notifications_over_service_path: false,
    optional_headers: &[],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::Asymmetric,
    sources: "`/v1.0/access-token/b2b`, body field `grant_type` (legacy spelling), `...sssZ` timestamps: the code of `midtrans-client` (npm; `lib/snapBi/snapBi.js`); the HMAC test vector in `spec/SNAP-AUTH.md` is Midtrans' own",
};

pub static DANA: Provider = Provider {
    name: "dana",
    profile: &profile::SNAP_BI,
    b2b_token_paths: &["/v1.0/access-token/b2b.htm"],
    b2b2c_token_paths: &["/v1.0/access-token/b2b2c.htm"],
    accept_legacy_grant_type: false,
    token_format: TokenFormat::Opaque,
    service_signature: ServiceSignature::Asymmetric,
    body_hash: BodyHash::Minified,
    base_path: "",
    service_root: "/v1.0",
    assigns_virtual_accounts: None,
    signs_notifications_over_service_path: false,
    optional_headers: &[],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::Asymmetric,
    sources: "no B2B token in the SDK; B2B2C at `/v1.0/access-token/b2b2c.htm`; `accessToken` at most 512 characters (so opaque tokens); every service call signed SHA256withRSA without a token, e.g. `POST /payment-gateway/v1.0/debit/status.htm`: the code of `dana-python` (PyPI; `dana/utils/snap_header.py`, `dana/payment_gateway/v1/...`)",
};

pub static NICEPAY: Provider = Provider {
    name: "nicepay",
    profile: &profile::SNAP_BI,
    b2b_token_paths: &["/v1.0/access-token/b2b"],
    b2b2c_token_paths: &["/v1.0/access-token/b2b2c"],
    accept_legacy_grant_type: false,
    token_format: TokenFormat::Jwt,
    service_signature: ServiceSignature::Symmetric,
    body_hash: BodyHash::AsSent,
    base_path: "/nicepay",
    service_root: "/api/v1.0",
    assigns_virtual_accounts: Some("tXidVA"),
    signs_notifications_over_service_path: false,
    optional_headers: &[],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::Asymmetric,
    sources: "everything under `/nicepay` (the base URL `https://dev.nicepay.co.id/nicepay`), left out of the signed path (`POST:/api/v1.0/transfer-va/create-va:...`); the body hash over the body as sent (`json.dumps` with its spaces); token at `/v1.0/access-token/b2b`: the code of `python-nicepay` (PyPI; `constants/constantsGeneral.py`, `constants/constantsEndpoint.py`, `data/builder/snap/dataGenerator.py`)",
};

pub static PAYLABS: Provider = Provider {
    name: "paylabs",
    profile: &profile::SNAP_BI,
    b2b_token_paths: &["/access-token/b2b"],
    b2b2c_token_paths: &["/access-token/b2b2c"],
    accept_legacy_grant_type: false,
    token_format: TokenFormat::Jwt,
    service_signature: ServiceSignature::Asymmetric,
    body_hash: BodyHash::Minified,
    base_path: "/api/v1.0",
    service_root: "",
    assigns_virtual_accounts: None,
    signs_notifications_over_service_path: true,
    optional_headers: &[Field::ChannelId],
    external_id_max_chars: 36,
    notification_auth: NotificationAuth::Asymmetric,
    sources: "every service call signed SHA256withRSA without a token, the partner named by `X-PARTNER-ID`, no `CHANNEL-ID`; everything under `/api/v1.0`, left out of the signed path (`POST:/transfer-va/create-va:...`): the code of `paylabs-sdk` (PyPI; `paylabs/client.py`, `paylabs/config.py`, `paylabs/services/snap_va.py`). The SDK takes no token: the token paths are the standard's under the same base, an assumption",
};

/// Every preset, the default first. The `--provider` help, its accepted
/// values and the README table all come from this list.
pub static PROVIDERS: &[&Provider] = &[
    &FINPAY, &SNAP_BI, &BCA, &BRI, &BNI, &DOKU, &MIDTRANS, &DANA, &NICEPAY, &PAYLABS,
];

impl Default for &'static Provider {
    fn default() -> Self {
        &FINPAY
    }
}

/// A provider name that is not a preset's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider {0:?} (one of: {names})", names = PROVIDERS.iter().map(|p| p.name).collect::<Vec<_>>().join(", "))]
pub struct UnknownProvider(pub String);

impl FromStr for &'static Provider {
    type Err = UnknownProvider;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PROVIDERS
            .iter()
            .copied()
            .find(|p| p.name.eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_by_name_and_the_default_is_finpay() {
        assert!("".parse::<&Provider>().is_err());
        for &p in PROVIDERS {
            assert_eq!(p.name.parse::<&Provider>().unwrap(), p);
            assert!(!p.b2b_token_paths.is_empty() && !p.b2b2c_token_paths.is_empty());
        }
        assert_eq!(<&Provider>::default().name, "finpay");
        assert_eq!("DANA".parse::<&Provider>().unwrap().name, "dana");
        let e = "nope".parse::<&Provider>().unwrap_err().to_string();
        assert!(e.contains("dana") && e.contains("finpay"), "{e}");
    }

    #[test]
    fn a_service_path_takes_the_providers_root_in_place_of_the_standards() {
        let create = "/v1.0/transfer-va/create-va";
        assert_eq!(FINPAY.service_path(create), create);
        assert_eq!(
            NICEPAY.service_path(create),
            "/api/v1.0/transfer-va/create-va"
        );
        assert_eq!(PAYLABS.service_path(create), "/transfer-va/create-va");
        assert_eq!(PAYLABS.service_path("/other"), "/other");
    }

    #[test]
    fn the_readme_table_lists_every_preset_with_its_sources() {
        let readme = include_str!("../README.md");
        let start = readme
            .find("<!-- providers -->")
            .expect("README has a providers table");
        let end = readme[start..].find("<!-- /providers -->").expect("closed") + start;
        let table = &readme[start..end];
        for &p in PROVIDERS {
            let row = table
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` |", p.name)))
                .unwrap_or_else(|| panic!("no README row for {}", p.name));
            assert!(
                row.contains(p.sources),
                "README row of {} differs from its sources",
                p.name
            );
            for path in p.b2b_token_paths.iter().chain(p.b2b2c_token_paths) {
                assert!(row.contains(path), "README row of {} lacks {path}", p.name);
            }
            if !p.base_path.is_empty() {
                assert!(
                    row.contains(&format!("base path `{}`", p.base_path)),
                    "README row of {} lacks its base path",
                    p.name
                );
            }
            if p.body_hash == BodyHash::AsSent {
                assert!(
                    row.contains("--body-hash as-sent"),
                    "README row of {} lacks its body-hash form",
                    p.name
                );
            }
        }
    }
}
