//! The checks a SNAP request goes through, each a small unit with no HTTP
//! types: plain values and the route's service code in, a value or the
//! [`SnapError`](crate::snap::SnapError) that answers the request out. The
//! service code goes in with the call and is never patched afterwards.
//!
//! A route is the order in which it calls these (see `routes::token` and
//! `routes::transactional`).

mod client;
mod service;
mod time;

pub use client::{
    asymmetric_signature, client, client_secret, partner, service_asymmetric_signature,
};
pub use service::{
    asymmetric_string_to_sign, b2b_token, bearer, external_id_format, external_id_unused,
    partner_id, symmetric_signature, symmetric_string_to_sign, token_claims, ServiceCall,
};
pub use time::{freshness, timestamp};
