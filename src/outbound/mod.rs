//! Traffic that starts here: snap-mock as a client of other servers,
//! playing the provider toward a merchant. It signs with the client-side
//! signing of `signing.rs` and the protocol of `snap/`, never with the
//! server's state.

pub mod notify;
#[cfg(feature = "outbound")]
pub mod probe;

/// The path and query of an absolute URL (`/` when it has none).
pub(crate) fn path_and_query(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/')
        .map_or("/".to_owned(), |i| rest[i..].to_owned())
}
