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
//! ```
//! use snap_mock::{Config, MockServer};
//! use std::io::{Read, Write};
//!
//! // Bundled test fixtures, a free port on 127.0.0.1.
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
