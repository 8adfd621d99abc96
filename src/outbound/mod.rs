//! Traffic that starts here: snap-mock as a client of other servers,
//! playing the provider toward a merchant. It signs with the client-side
//! signing of `signing.rs` and the protocol of `snap/`, never with the
//! server's state.

#[cfg(feature = "probe")]
pub mod probe;
