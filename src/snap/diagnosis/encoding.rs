//! How an `X-SIGNATURE` text decodes, and the encoding mistakes that tell.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;

/// How the `X-SIGNATURE` text decodes, and what was odd about it.
pub(super) fn decode(signature: &[u8], expected_len: usize) -> (Option<Vec<u8>>, Option<String>) {
    let text = String::from_utf8_lossy(signature);
    let trimmed = text.trim();
    // Hex digits are also base64 characters, so hex is tried first.
    if let Some(bytes) = hex_decode(trimmed).filter(|b| b.len() == expected_len) {
        return (
            Some(bytes),
            Some(
                "X-SIGNATURE is hex; SNAP wants the raw signature bytes in standard base64".into(),
            ),
        );
    }
    if let Ok(bytes) = STANDARD.decode(trimmed) {
        if trimmed.len() != text.len() {
            return (
                Some(bytes),
                Some("X-SIGNATURE has surrounding whitespace".into()),
            );
        }
        // base64 of a hex string: the signature was hex-encoded, then base64'd.
        if bytes.len() == expected_len * 2 && bytes.iter().all(u8::is_ascii_hexdigit) {
            let hex = String::from_utf8_lossy(&bytes).into_owned();
            return (
                hex_decode(&hex),
                Some("X-SIGNATURE is base64 of a hex string; encode the raw signature bytes with base64 once".into()),
            );
        }
        return (Some(bytes), None);
    }
    if let Ok(bytes) = URL_SAFE
        .decode(trimmed)
        .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed))
    {
        return (
            Some(bytes),
            Some("X-SIGNATURE is URL-safe base64 (- and _); SNAP uses the standard alphabet (+ and /) with = padding".into()),
        );
    }
    if let Ok(bytes) = STANDARD_NO_PAD.decode(trimmed.trim_end_matches('=')) {
        return (
            Some(bytes),
            Some("X-SIGNATURE lacks its = padding; SNAP uses padded standard base64".into()),
        );
    }
    // `openssl base64` without -A wraps at 64 characters; a header folded
    // on its way may carry spaces instead.
    if trimmed.chars().any(char::is_whitespace) {
        let joined: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(bytes) = STANDARD.decode(&joined) {
            return (
                Some(bytes),
                Some("X-SIGNATURE is base64 broken into lines or with spaces inside (`openssl base64` without -A wraps at 64 characters); send it on one line".into()),
            );
        }
    }
    (None, Some("X-SIGNATURE is neither base64 nor hex".into()))
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrounding_whitespace_and_base64_of_hex_are_named() {
        let raw: Vec<u8> = (0..=255u8).collect();
        let b64 = STANDARD.encode(&raw);
        let (bytes, odd) = decode(b64.as_bytes(), 256);
        assert_eq!((bytes.as_deref(), odd), (Some(&raw[..]), None));

        let padded = format!(" {b64}\n");
        let (bytes, odd) = decode(padded.as_bytes(), 256);
        assert_eq!(bytes.as_deref(), Some(&raw[..]));
        assert!(odd.unwrap().contains("surrounding whitespace"));

        let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let b64_of_hex = STANDARD.encode(hex.as_bytes());
        let (bytes, odd) = decode(b64_of_hex.as_bytes(), 256);
        assert_eq!(bytes.as_deref(), Some(&raw[..]));
        assert!(odd.unwrap().contains("base64 of a hex string"));
        // The same hex text at another key size is only base64.
        let (bytes, odd) = decode(b64_of_hex.as_bytes(), 128);
        assert_eq!((bytes.map(|b| b.len()), odd), (Some(512), None));
    }
}
