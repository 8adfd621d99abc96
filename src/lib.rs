//! # snap-mock
//!
//! A mock of the SNAP (Standar Nasional Open API Pembayaran, Bank Indonesia)
//! B2B access-token endpoint, for integration tests of code that talks to
//! Finpay, BCA, BRI, DOKU, Midtrans and the other SNAP providers.
//!
//! It verifies the request signature for real against registered client
//! public keys, issues RS256 JWTs that tests can verify against its JWKS,
//! and answers every SNAP error with the provider's code and message.
//!
//! ## In-process, like `wiremock::MockServer`
//!
//! ```no_run
//! use snap_mock::{Config, MockServer};
//!
//! // Bundled test fixtures, a free port on 127.0.0.1.
//! let server = MockServer::start(Config::for_tests()).expect("snap-mock starts");
//! let token_url = server.token_url();
//! // ... point the client under test at `token_url` ...
//! server.stop();
//! ```
//!
//! [`MockServer::start`] is synchronous and owns its runtime, so it works the
//! same from a plain `#[test]`, `#[tokio::test]` or `#[actix_web::test]`.
//! Dropping the server stops it.

pub mod cli;
pub mod clients;
pub mod config;
pub mod endpoints;
pub mod journal;
pub mod pipeline;
pub mod render;
mod routes;
pub mod scenarios;
pub mod server;
pub mod snap;
pub mod tokens;
pub mod tools;

pub use config::{AdminMode, Config, DEFAULT_TOKEN_PATHS};
pub use server::{MockServer, StartError};
pub use snap::{ResponseCode, SnapError};
