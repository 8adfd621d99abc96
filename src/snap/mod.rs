//! The SNAP protocol, with no HTTP types: response codes, timestamps, the
//! access-token request, signatures, keys and provider dialects. Everything
//! here is unit-tested directly; the HTTP layer only moves bytes in and out.

pub mod access_token;
pub mod body_hash;
pub mod diagnosis;
pub mod error;
pub mod field;
pub mod keys;
pub mod profile;
pub mod response_code;
pub mod signature;
pub mod step;
pub mod symmetric;
pub mod timestamp;

pub use access_token::{AccessTokenRequest, ContentTypeRule, ParseRules, RawTokenRequest};
pub use body_hash::{BodyHash, BodyHashRule, SigningRules};
pub use error::SnapError;
pub use field::Field;
pub use profile::Profile;
pub use response_code::{ResponseCode, ServiceCode};
pub use timestamp::TimestampMode;
