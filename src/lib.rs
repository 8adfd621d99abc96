//! # snap-mock
//!
//! A mock of the SNAP (Standar Nasional Open API Pembayaran, Bank Indonesia)
//! access-token endpoints, for integration tests of code that talks to
//! Finpay, BCA, BRI, DOKU, Midtrans and the other SNAP providers.
//!
//! It verifies request signatures for real against registered client
//! public keys, issues RS256 JWTs that tests can verify against its JWKS,
//! and answers every SNAP error with the provider's code and message.
//!
//! ## In-process, like `wiremock::MockServer`
//!
//! ```
//! use snap_mock::{Config, MockServer};
//! use std::io::{Read, Write};
//!
//! // The bundled demo client, scenarios and keys; a free port on 127.0.0.1.
//! let server = MockServer::start(Config::for_tests()).expect("snap-mock starts");
//! assert!(server.token_url().ends_with("/pg/snap/oauth/v1.0/access-token/b2b"));
//!
//! // Point the client under test at `server.token_url()`; here, a raw health check.
//! let mut conn = std::net::TcpStream::connect(server.address()).unwrap();
//! conn.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
//! let mut answer = String::new();
//! conn.read_to_string(&mut answer).unwrap();
//! assert!(answer.starts_with("HTTP/1.1 200"));
//! assert!(answer.contains(r#""responseCode":"2000000""#));
//!
//! server.stop();
//! ```
//!
//! [`MockServer::start`] is synchronous and owns its runtime, so it works the
//! same from a plain `#[test]`, `#[tokio::test]` or `#[actix_web::test]`.
//! Dropping the server stops it. [`Config::default`] names no file: the demo
//! fixtures and keys are compiled in, so it works from any directory.
//!
//! ## Your own client, a scenario, and the journal
//!
//! ```
//! use snap_mock::{snap_timestamp, ClientKeyPair, Config, MockServer, Step};
//! use std::io::{Read, Write};
//!
//! let server = MockServer::start(Config::for_tests()).unwrap();
//! let keys = ClientKeyPair::generate(2048).unwrap();
//! server
//!     .register_client("my-client", &keys.public_key_pem().unwrap(), Some("my-secret"))
//!     .unwrap();
//! // The next token request of my-client is refused with 429.
//! server
//!     .add_scenario_json(
//!         r#"{"name": "rate-limited", "match": {"clientKey": "my-client"},
//!             "respond": {"responseCode": "4297300"}, "times": 1}"#,
//!     )
//!     .unwrap();
//!
//! // The code under test signs and sends its token request; here, by hand.
//! let timestamp = snap_timestamp(server.clock().now());
//! let signature = keys.sign_token_request("my-client", &timestamp).unwrap();
//! let body = r#"{"grantType":"client_credentials"}"#;
//! let request = format!(
//!     "POST {} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n\
//!      X-TIMESTAMP: {timestamp}\r\nX-CLIENT-KEY: my-client\r\nX-SIGNATURE: {signature}\r\n\
//!      Content-Length: {}\r\n\r\n{body}",
//!     server.token_path(),
//!     body.len()
//! );
//! let mut conn = std::net::TcpStream::connect(server.address()).unwrap();
//! conn.write_all(request.as_bytes()).unwrap();
//! let mut answer = String::new();
//! conn.read_to_string(&mut answer).unwrap();
//! assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
//!
//! // What did the server see, and why did it answer as it did?
//! let journal = server.requests().unwrap();
//! assert_eq!(journal[0].client_key.as_deref(), Some("my-client"));
//! assert_eq!(journal[0].outcome.response_code.as_deref(), Some("4297300"));
//! assert_eq!(journal[0].decided_by, Step::Scenario);
//! assert_eq!(journal[0].scenario.as_deref(), Some("rate-limited"));
//! server.reset().unwrap(); // scenarios back to the fixture, journal cleared
//! assert!(server.requests().unwrap().is_empty());
//! ```
//!
//! ## Features
//!
//! `cli` (default): the `snap-mock` binary, its integrator tools (`keygen`,
//! `sign`, `token`, `verify`, `healthcheck`) with their HTTP client, and
//! logging to stdout. `default-features = false` gives the server alone.
//!
//! `probe` (in `cli`): [`probe`], snap-mock playing the bank against a
//! merchant's own SNAP server (`snap-mock probe`): token, VA inquiry and
//! payment, notifications, and every negative case with the code the
//! standard expects.
//!
//! `redis` (in `cli`): [`Config::store`] with a [`RedisConfig`] keeps every
//! piece of shared state (`X-EXTERNAL-ID`s, refresh and opaque tokens,
//! scenario counts, runtime clients and scenarios, the journal) on one
//! Redis server, so that several servers behave as one.

#![warn(missing_docs)]

mod checks;
mod clients;
mod clock;
mod config;
mod embedded;
mod endpoints;
mod fixtures;
mod journal;
mod lifecycle;
mod outbound;
mod provider;
mod redact;
mod render;
mod routes;
mod scenarios;
#[cfg(test)]
mod schemas;
mod server;
mod signing;
mod snap;
mod state;
mod store;
mod throttle;
#[cfg(feature = "tls")]
mod tls;
mod tokens;
mod transactions;

#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;

#[cfg(feature = "outbound")]
pub use outbound::probe;

pub use clients::{ClientEntry, InvalidClient};
pub use clock::Clock;
pub use config::{AdminMode, Config, ConfigError, Source, DEFAULT_TOKEN_PATHS};
pub use endpoints::InvalidEndpoint;
pub use fixtures::{EntryError, FixtureError, Located};
pub use journal::{Direction, JournalEntry, JournalOutcome};
pub use outbound::notify::Notification;
pub use provider::{
    NotificationAuth, Provider, ServiceSignature, TokenFormat, UnknownProvider, PROVIDERS,
};
pub use scenarios::{
    Fault, InvalidScenario, Match, Phase, Respond, ScenarioSpec, ScenariosFull, MAX_SCENARIOS,
};
pub use server::{Mismatch, MockError, MockServer, RequestPattern, StartError, Times};
#[cfg(feature = "outbound")]
pub use server::{SnapAnswer, SnapClient};
pub use signing::{
    hmac_signature, service_string_to_sign, snap_timestamp, token_string_to_sign, ClientKeyPair,
};
pub use snap::error::{Failure, TransactionFailure, UnauthorizedReason};
pub use snap::keys::KeyError;
pub use snap::profile::ExpiresIn;
pub use snap::response_code::ResponseCodeError;
pub use snap::step::Step;
pub use snap::{
    BodyHash, BodyHashRule, ContentTypeRule, Field, ParseRules, Profile, ResponseCode, ServiceCode,
    SigningRules, SnapError, TimestampMode,
};
pub use state::SigningKeyError;
#[cfg(feature = "redis")]
pub use store::redis::RedisConfig;
pub use store::StoreError;
#[cfg(feature = "tls")]
pub use tls::{Tls, TlsError};
pub use tokens::TokenRejection;
pub use transactions::{Kind, Money, Status, Transaction};

/// The bundled demo client: its key, private key (a published test key,
/// never use it anywhere real) and client secret.
pub const DEMO_CLIENT_KEY: &str = "demo-client";
/// The private key of the bundled `demo-client` (PEM; published, test-only).
pub const DEMO_CLIENT_PRIVATE_KEY: &str = embedded::DEMO_PRIVATE_KEY;
/// The `clientSecret` of the bundled `demo-client`: the HMAC key of its
/// symmetric service signatures (test-only).
pub const DEMO_CLIENT_SECRET: &str = "demo-client-secret";

/// Internals for this crate's benchmarks and property tests. Not part of
/// the API: anything here may change in any release.
#[doc(hidden)]
pub mod internals {
    pub use crate::snap::diagnosis::diagnose_asymmetric;
    pub use crate::snap::keys::{parse_private_key, parse_public_key, ClientPublicKey};
    pub use crate::snap::signature::verify_asymmetric;
    pub use crate::snap::timestamp::parse_timestamp;
    pub use crate::snap::{AccessTokenRequest, RawTokenRequest};
    pub use crate::tokens::{AccessTokenClaims, TokenIssuer};
    pub const SIGNING_KEY: &str = crate::embedded::SIGNING_KEY;
}
