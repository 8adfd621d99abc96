//! The integrator tools behind `snap-mock keygen | sign | token | verify |
//! healthcheck`: plain functions the CLI wraps and the tests call.

use crate::clients::ClientRegistry;
use crate::signing::ClientKeyPair;
use crate::snap::keys::{parse_public_key, ClientPublicKey};
use crate::snap::signature::{string_to_sign, verify_asymmetric};
use crate::snap::timestamp::format_snap_timestamp;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

mod register;
mod remote;
mod sign;
mod verify;

pub use register::*;
pub use remote::*;
pub use sign::*;
pub use verify::*;
