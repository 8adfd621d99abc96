//! The demo fixtures and test keys, compiled in: a configuration that
//! names no file works from any directory, which is what an embedder's
//! tests need. The CLI reads the same files from disk by default.

use crate::clients::{ClientRegistry, ClientsError, InvalidClient};
#[cfg(test)]
use crate::snap::keys::KeyError;
#[cfg(test)]
use crate::tokens::TokenIssuer;

pub const CLIENTS: &str = include_str!("../fixtures/clients.json");
pub const SCENARIOS: &str = include_str!("../fixtures/scenarios.json");
pub const ENDPOINTS: &str = include_str!("../fixtures/endpoints.json");
pub const SIGNING_KEY: &str = include_str!("../keys/signing-key.pem");
pub const DEMO_PRIVATE_KEY: &str = include_str!("../keys/demo-client.private.pem");
/// The provider's own key pair: what snap-mock signs with when it plays
/// the provider toward a merchant (`probe`'s token requests and
/// notifications). Published, test-only, like every bundled key.
pub const PROVIDER_PRIVATE_KEY: &str = include_str!("../keys/provider.private.pem");
#[cfg(any(feature = "outbound", test))]
pub const PROVIDER_PUBLIC_KEY: &str = include_str!("../keys/provider.public.pem");
#[cfg(test)]
pub const OTHER_PRIVATE_KEY: &str = include_str!("../keys/other-client.private.pem");

/// The key files the bundled clients fixture names.
const KEY_FILES: [(&str, &str); 2] = [
    (
        "demo-client.public.pem",
        include_str!("../keys/demo-client.public.pem"),
    ),
    (
        "other-client.public.pem",
        include_str!("../keys/other-client.public.pem"),
    ),
];

/// Looks up a key file of the bundled fixture by name.
pub fn key_file(name: &str) -> Result<(String, String), InvalidClient> {
    KEY_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, pem)| ((*pem).to_owned(), format!("bundled {n}")))
        .ok_or_else(|| InvalidClient::NotBundled(name.to_owned()))
}

/// The bundled clients.
pub fn clients() -> Result<ClientRegistry, ClientsError> {
    ClientRegistry::from_json_with(CLIENTS, &key_file)
}

/// A token issuer with the bundled signing key.
#[cfg(test)]
pub fn token_issuer(issuer: Option<String>, lifetime_secs: u64) -> Result<TokenIssuer, KeyError> {
    TokenIssuer::from_pem(SIGNING_KEY, issuer, lifetime_secs)
}
