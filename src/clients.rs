//! The client registry: `X-CLIENT-KEY` → registered public key (and the
//! client secret, kept for the symmetric signature of transactional APIs).

use crate::fixtures::FixtureError;
use crate::snap::keys::{ClientPublicKey, KeyError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a client entry cannot be registered.
#[derive(Debug, thiserror::Error)]
pub enum InvalidClient {
    /// `clientKey` is empty.
    #[error("clientKey is empty")]
    EmptyClientKey,
    /// `clientKey` cannot travel in a header as it is.
    #[error("clientKey {0:?} must be printable ASCII without spaces (it travels in the X-CLIENT-KEY header)")]
    ClientKeyNotPrintable(String),
    /// A public key given inline must be a PEM (an embedding test passes
    /// the key itself, never a file name).
    #[error("the public key must be a PEM (-----BEGIN PUBLIC KEY-----...)")]
    PemRequired,
    /// The key file named by `publicKey` exists but cannot be read.
    #[error("public key file {path}: {source}")]
    KeyFileUnreadable {
        /// The file's path.
        path: String,
        /// Why it cannot be read.
        source: std::io::Error,
    },
    /// No key file of that name in any of the places looked in.
    #[error("public key file {name:?} not found (looked for {}); a relative publicKey resolves against the clients file's directory, then --keys-dir (SNAP_MOCK_KEYS_DIR)", tried.join(", then "))]
    KeyFileNotFound {
        /// `publicKey` as written.
        name: String,
        /// The paths tried, in order.
        tried: Vec<String>,
    },
    /// The bundled fixture names a key that is not bundled.
    #[error("public key {0:?} is not one of the bundled keys")]
    NotBundled(String),
    /// An extra claim would replace one the server sets.
    #[error("claims: {0:?} is set by the server (iss, aud, jti, iat, nbf, exp, sub, scopes); give another name, or scopes in \"scopes\"")]
    ReservedClaim(String),
    /// A scope is empty.
    #[error("scopes: an empty scope; leave \"scopes\" out for the default [\"request\"]")]
    EmptyScope,
    /// The key is not an RSA public key the server can verify with.
    #[error("public key ({origin}): {error}")]
    PublicKey {
        /// Where it came from: a path, `inline`, `bundled <name>`.
        origin: String,
        /// What is wrong with it.
        error: KeyError,
    },
}

/// One registered client.
#[derive(Debug)]
pub struct Client {
    pub client_key: String,
    pub name: Option<String>,
    pub public_key: ClientPublicKey,
    /// Where the key came from (a path, or `inline`), for listings and errors.
    pub public_key_source: String,
    pub client_secret: Option<String>,
    /// The `X-PARTNER-ID` this client sends when it is not its client key.
    pub partner_id: Option<String>,
    pub enabled: bool,
    pub auth_codes: std::collections::BTreeMap<String, String>,
    /// Where this client's notifications go (`notificationUrl`).
    pub notification_url: Option<String>,
    /// Full URLs per kind, over `notification_url` (`notificationUrls`).
    pub notification_urls: NotificationUrls,
    /// The `scopes` of this client's B2B tokens (`["request"]` by default).
    pub scopes: Vec<String>,
    /// Claims added to every token issued to this client.
    pub claims: serde_json::Map<String, serde_json::Value>,
}

/// The claims every token carries, set by the server: a client's extra
/// `claims` may not name them.
pub const RESERVED_CLAIMS: [&str; 8] = ["iss", "aud", "jti", "iat", "nbf", "exp", "sub", "scopes"];

/// A notification URL per kind of transaction, each used as it is.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationUrls {
    /// VA payment notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_account: Option<String>,
    /// QRIS MPM notify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qris: Option<String>,
    /// Direct debit (finish) notify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_debit: Option<String>,
}

impl NotificationUrls {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A client entry of `clients.json`.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientEntry {
    /// The `X-CLIENT-KEY` it sends (printable ASCII, no spaces).
    pub client_key: String,
    /// A PEM (SPKI or PKCS#1), or a path to one. Relative paths are resolved
    /// against the keys directory.
    pub public_key: String,
    /// A name for listings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A note for people; read by no code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The secret of the symmetric (HMAC-SHA512) signature of its service
    /// calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The `X-PARTNER-ID` of transactional calls, when the provider gave
    /// the client one that differs from its client key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// A disabled client is refused as unknown (`401xx00`).
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// B2B2C: authorization codes this client may exchange, each mapped to
    /// the customer id that becomes the token's `sub`.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub auth_codes: std::collections::BTreeMap<String, String>,
    /// Where the server sends this client's signed notifications when one
    /// of its transactions changes state: a base URL (the kind's SNAP path
    /// is appended, `/v1.0/transfer-va/payment` for a VA) or a full URL
    /// naming a `/v1.0/` path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_url: Option<String>,
    /// A full URL per kind (`virtualAccount`, `qris`, `directDebit`), used
    /// as it is, over `notificationUrl`.
    #[serde(default, skip_serializing_if = "NotificationUrls::is_empty")]
    pub notification_urls: NotificationUrls,
    /// The `scopes` claim of this client's B2B tokens, for a resource
    /// server that checks them; `["request"]` when absent (B2B2C tokens
    /// keep `["customer"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Extra claims in every token issued to this client (JWT payload, or
    /// an opaque token's introspection), e.g. `{"merchantId": "M-1"}`. The
    /// server's own claims (iss, aud, jti, iat, nbf, exp, sub, scopes) cannot
    /// be replaced.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub claims: serde_json::Map<String, serde_json::Value>,
}

fn enabled_by_default() -> bool {
    true
}

impl ClientEntry {
    /// A client with its key and public key (a PEM, or the name of a key
    /// file), enabled, nothing else set: the builder methods add the rest.
    pub fn new(client_key: impl Into<String>, public_key: impl Into<String>) -> Self {
        Self {
            client_key: client_key.into(),
            public_key: public_key.into(),
            name: None,
            description: None,
            client_secret: None,
            partner_id: None,
            enabled: true,
            auth_codes: Default::default(),
            notification_url: None,
            notification_urls: Default::default(),
            scopes: None,
            claims: Default::default(),
        }
    }

    /// The secret of the symmetric (HMAC-SHA512) service signature.
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The `scopes` claim of its B2B tokens (instead of `["request"]`).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// One more claim in its tokens (not one of the server's own).
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Its `X-PARTNER-ID`, when not its client key.
    pub fn partner_id(mut self, partner_id: impl Into<String>) -> Self {
        self.partner_id = Some(partner_id.into());
        self
    }

    /// Where its notifications go (a base URL or a full `/v1.0/` URL).
    pub fn notification_url(mut self, url: impl Into<String>) -> Self {
        self.notification_url = Some(url.into());
        self
    }

    /// A B2B2C authorization code and the customer it stands for.
    pub fn auth_code(mut self, code: impl Into<String>, customer: impl Into<String>) -> Self {
        self.auth_codes.insert(code.into(), customer.into());
        self
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientsFile {
    #[serde(rename = "$comment", default)]
    _comment: Option<serde_json::Value>,
    /// Where editors find the file's JSON Schema.
    #[serde(rename = "$schema", default)]
    _schema: Option<serde_json::Value>,
    clients: Vec<ClientEntry>,
}

impl Client {
    /// Builds a client from an entry, reading its key file (relative to
    /// `keys_dir`) if it names one.
    pub fn from_entry(entry: ClientEntry, keys_dir: &Path) -> Result<Self, InvalidClient> {
        Self::from_entry_with(entry, &|name| read_key_file(keys_dir, name))
    }

    /// Builds a client from an entry; `key_file` turns a `publicKey` that is
    /// not a PEM into the PEM and a description of where it came from.
    pub fn from_entry_with(
        entry: ClientEntry,
        key_file: &KeyFiles<'_>,
    ) -> Result<Self, InvalidClient> {
        if entry.client_key.is_empty() {
            return Err(InvalidClient::EmptyClientKey);
        }
        if !entry.client_key.bytes().all(|b| (0x21..0x7f).contains(&b)) {
            return Err(InvalidClient::ClientKeyNotPrintable(entry.client_key));
        }
        let (pem, source) = if entry.public_key.contains("-----BEGIN") {
            (entry.public_key.clone(), "inline".to_string())
        } else {
            key_file(&entry.public_key)?
        };
        let public_key = match ClientPublicKey::from_pem(&pem) {
            Ok(key) => key,
            Err(error) => {
                return Err(InvalidClient::PublicKey {
                    origin: source,
                    error,
                })
            }
        };
        if let Some(reserved) = entry
            .claims
            .keys()
            .find(|k| RESERVED_CLAIMS.contains(&k.as_str()))
        {
            return Err(InvalidClient::ReservedClaim(reserved.clone()));
        }
        let scopes = entry.scopes.unwrap_or_else(|| vec!["request".to_owned()]);
        if scopes.iter().any(|s| s.trim().is_empty()) {
            return Err(InvalidClient::EmptyScope);
        }
        Ok(Self {
            scopes,
            claims: entry.claims,
            client_key: entry.client_key,
            name: entry.name,
            public_key,
            public_key_source: source,
            client_secret: entry.client_secret,
            partner_id: entry.partner_id,
            enabled: entry.enabled,
            auth_codes: entry.auth_codes,
            notification_url: entry.notification_url,
            notification_urls: entry.notification_urls,
        })
    }
}

/// Resolves a `publicKey` that names a key file: its PEM and its source.
pub type KeyFiles<'a> = dyn Fn(&str) -> Result<(String, String), InvalidClient> + 'a;

fn read_key_file(keys_dir: &Path, name: &str) -> Result<(String, String), InvalidClient> {
    read_key_file_in(&[keys_dir], name)
}

/// Reads a key file named in a clients fixture: an absolute path as is, a
/// relative one from the first of `dirs` that has it.
pub(crate) fn read_key_file_in(
    dirs: &[&Path],
    name: &str,
) -> Result<(String, String), InvalidClient> {
    let p = Path::new(name);
    let candidates: Vec<PathBuf> = if p.is_absolute() {
        vec![p.to_path_buf()]
    } else {
        dirs.iter().map(|d| d.join(p)).collect()
    };
    for path in &candidates {
        match crate::fixtures::read_file(path, crate::fixtures::MAX_KEY_FILE_BYTES) {
            Ok(pem) => return Ok((pem, path.display().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(InvalidClient::KeyFileUnreadable {
                    path: path.display().to_string(),
                    source,
                })
            }
        }
    }
    Err(InvalidClient::KeyFileNotFound {
        name: name.to_owned(),
        tried: candidates.iter().map(|c| c.display().to_string()).collect(),
    })
}

/// Why a clients fixture cannot be used.
pub type ClientsError = FixtureError<InvalidClient>;

/// All registered clients, looked up by client key.
#[derive(Debug, Default, Clone)]
pub struct ClientRegistry {
    by_key: HashMap<String, Arc<Client>>,
}

impl ClientRegistry {
    /// Parses the text of a clients fixture; key paths resolve against
    /// `keys_dir`.
    pub fn from_json(text: &str, keys_dir: &Path) -> Result<Self, ClientsError> {
        Self::from_json_with(text, &|name| read_key_file(keys_dir, name))
    }

    /// Parses a clients fixture read from `file`: relative key paths
    /// resolve against the file's own directory first, then `keys_dir`, so
    /// that a mounted directory holding `clients.json` and its keys works
    /// as it is.
    pub fn from_file_json(text: &str, file: &Path, keys_dir: &Path) -> Result<Self, ClientsError> {
        let own_dir = file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Self::from_json_with(text, &|name| read_key_file_in(&[own_dir, keys_dir], name))
    }

    /// Parses the text of a clients fixture, with key files from `key_file`.
    pub fn from_json_with(text: &str, key_file: &KeyFiles<'_>) -> Result<Self, ClientsError> {
        let shape = |detail: String| FixtureError::Shape {
            kind: "client",
            detail,
            expected: r#"{"clients": [{"clientKey": ..., "publicKey": ...}]}"#.into(),
        };
        // serde's words for a file that is not an object ("invalid length
        // 2, expected struct ClientsFile") name a Rust type, not the file.
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            let kind = match value {
                serde_json::Value::Object(_) => None,
                serde_json::Value::Array(_) => Some("an array"),
                serde_json::Value::String(_) => Some("a string"),
                serde_json::Value::Number(_) => Some("a number"),
                serde_json::Value::Bool(_) => Some("a boolean"),
                serde_json::Value::Null => Some("null"),
            };
            if let Some(kind) = kind {
                return Err(shape(format!("the file is {kind}, not an object")));
            }
        }
        let parsed: ClientsFile = serde_json::from_str(text).map_err(|e| shape(e.to_string()))?;
        let mut registry = Self::default();
        for (i, entry) in parsed.clients.into_iter().enumerate() {
            let label = format!("client #{} {:?}", i + 1, entry.client_key);
            if registry.by_key.contains_key(&entry.client_key) {
                return Err(FixtureError::duplicate(&label, "clientKey"));
            }
            let client = Client::from_entry_with(entry, key_file)
                .map_err(|e| FixtureError::invalid(&label, e))?;
            registry.insert(client);
        }
        Ok(registry)
    }

    pub fn get(&self, client_key: &str) -> Option<&Arc<Client>> {
        self.by_key.get(client_key)
    }

    /// Adds or replaces a client; returns the one it replaced.
    pub fn insert(&mut self, client: Client) -> Option<Arc<Client>> {
        self.by_key
            .insert(client.client_key.clone(), Arc::new(client))
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// Every client, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &Arc<Client>> {
        self.by_key.values()
    }

    /// Adds every client of `other`, replacing those of the same key.
    pub fn extend(&mut self, other: ClientRegistry) {
        self.by_key.extend(other.by_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::EntryError;

    const PEM: &str = include_str!("../tests/data/midtrans-public.pem");

    fn json(entries: &str) -> String {
        format!(r#"{{"clients": [{entries}]}}"#)
    }

    #[test]
    fn inline_pems_and_optional_fields_load() {
        let pem = serde_json::to_string(PEM).unwrap();
        let text = json(&format!(
            r#"{{"clientKey":"G1234325-SNAP","publicKey":{pem},"name":"Midtrans sample","clientSecret":"s3cret"}}"#
        ));
        let reg = ClientRegistry::from_json(&text, Path::new(".")).unwrap();
        let c = reg.get("G1234325-SNAP").unwrap();
        assert_eq!(c.name.as_deref(), Some("Midtrans sample"));
        assert_eq!(c.client_secret.as_deref(), Some("s3cret"));
        assert!(c.enabled);
        assert_eq!(c.public_key_source, "inline");
    }

    #[test]
    fn key_paths_resolve_against_the_keys_directory() {
        let text = json(r#"{"clientKey":"m","publicKey":"midtrans-public.pem","enabled":false}"#);
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        let reg = ClientRegistry::from_json(&text, &dir).unwrap();
        assert!(!reg.get("m").unwrap().enabled);
    }

    #[test]
    fn errors_name_the_client_and_the_problem() {
        let e = ClientRegistry::from_json(
            &json(r#"{"clientKey":"a","publicKey":"nope.pem"}"#),
            Path::new("/nonexistent"),
        )
        .unwrap_err();
        assert!(
            matches!(&e, FixtureError::Entry { problem: EntryError::Invalid(InvalidClient::KeyFileNotFound { tried, .. }), .. } if tried == &["/nonexistent/nope.pem"]),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(
            e.contains("client #1 \"a\"") && e.contains("/nonexistent/nope.pem"),
            "{e}"
        );

        let e = ClientRegistry::from_json(
            &json(r#"{"clientKey":"a","publicKey":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}"#),
            Path::new("."),
        )
        .unwrap_err();
        assert!(
            matches!(&e, FixtureError::Entry { problem: EntryError::Invalid(InvalidClient::PublicKey { origin, .. }), .. } if origin == "inline"),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(
            e.contains("client #1 \"a\"") && e.contains("public key (inline)"),
            "{e}"
        );

        let e = ClientRegistry::from_json(
            &json(r#"{"clientKey":"a","publickey":"x"}"#),
            Path::new("."),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("publickey"), "{e}");

        let e = ClientRegistry::from_json("[]", Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected"), "{e}");
    }

    #[test]
    fn a_client_key_registered_twice_is_an_error() {
        let pem = serde_json::to_string(PEM).unwrap();
        let one = format!(r#"{{"clientKey":"a","publicKey":{pem}}}"#);
        let e =
            ClientRegistry::from_json(&json(&format!("{one},{one}")), Path::new(".")).unwrap_err();
        assert!(
            e.to_string()
                .contains("client #2 \"a\": clientKey is used twice"),
            "{e}"
        );
    }
}
