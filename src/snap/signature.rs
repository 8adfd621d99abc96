//! The asymmetric SNAP signature of the access-token request.
//!
//! `X-SIGNATURE = base64(RSASSA-PKCS1-v1_5(SHA-256, clientPrivateKey,
//! X-CLIENT-KEY + "|" + X-TIMESTAMP))`, over the header values byte for byte.

use super::keys::ClientPublicKey;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::fmt;

/// `X-CLIENT-KEY + "|" + X-TIMESTAMP`, the raw header strings unchanged.
pub fn string_to_sign(client_key: &str, timestamp: &str) -> String {
    let mut s = String::with_capacity(client_key.len() + 1 + timestamp.len());
    s.push_str(client_key);
    s.push('|');
    s.push_str(timestamp);
    s
}

/// Why an `X-SIGNATURE` did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// Not standard base64 with padding.
    NotBase64,
    /// Decodes, but has the wrong length for the key.
    WrongLength { got: usize, expected: usize },
    /// Right shape, but not a valid signature of the string-to-sign.
    Mismatch,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotBase64 => f.write_str("X-SIGNATURE is not standard base64 (A-Z a-z 0-9 + / with = padding)"),
            Self::WrongLength { got, expected } => write!(
                f,
                "X-SIGNATURE decodes to {got} bytes; a signature under this {}-bit key has {expected}",
                expected * 8
            ),
            Self::Mismatch => f.write_str("X-SIGNATURE is not a SHA256withRSA (PKCS#1 v1.5) signature of the string-to-sign under the registered public key"),
        }
    }
}

impl std::error::Error for SignatureError {}

/// Verifies `signature_b64` over `string_to_sign` under `key`.
pub fn verify_asymmetric(
    key: &ClientPublicKey,
    string_to_sign: &str,
    signature_b64: &[u8],
) -> Result<(), SignatureError> {
    let signature = STANDARD
        .decode(signature_b64)
        .map_err(|_| SignatureError::NotBase64)?;
    if signature.len() != key.signature_len() {
        return Err(SignatureError::WrongLength {
            got: signature.len(),
            expected: key.signature_len(),
        });
    }
    if key.verify_pkcs1_sha256(string_to_sign.as_bytes(), &signature) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIDTRANS_SPKI: &str = include_str!("../../tests/data/midtrans-public.pem");
    const MIDTRANS_SIGNATURE: &str = "WzW49tYIgKIBmBi/gVBHGLAkhEaZlXM11zcZxAiyHji6TLPjPbwLu3Z45it25AIeG0XDItcdTSkds47zFEMh6IP0PXPIP1+Ey4RmX/o2fuYRF/xBHvfvKnMmANMTS1axsXBSW3EHqYpbVrkCcqNnB3u+wu63us9WIhRZaWgxgQ2PJLaiVHIwgu9u7jxkWX7Bg4rerZH3RKdQfIJAAJsSN13efR7VdSAyzU7QaKjgislxrLqmesYNJkbD03XLjHdo6YWuzAVV7xdZRpLiGkIAkW7luXTBZYBO+4oENZAPQYzrLeN1qRY1Sr7BgLONCA2QA26BB6SYW4R7qofS9+RyOQ==";

    fn midtrans_key() -> ClientPublicKey {
        ClientPublicKey::from_pem(MIDTRANS_SPKI).unwrap()
    }

    #[test]
    fn the_string_to_sign_is_client_key_pipe_timestamp() {
        assert_eq!(
            string_to_sign("G1234325-SNAP", "2024-03-01T08:27:49.024Z"),
            "G1234325-SNAP|2024-03-01T08:27:49.024Z"
        );
    }

    #[test]
    fn the_published_midtrans_vector_verifies() {
        let sts = string_to_sign("G1234325-SNAP", "2024-03-01T08:27:49.024Z");
        assert_eq!(
            verify_asymmetric(&midtrans_key(), &sts, MIDTRANS_SIGNATURE.as_bytes()),
            Ok(())
        );
    }

    #[test]
    fn the_same_instant_written_differently_does_not_verify() {
        let sts = string_to_sign("G1234325-SNAP", "2024-03-01T15:27:49.024+07:00");
        assert_eq!(
            verify_asymmetric(&midtrans_key(), &sts, MIDTRANS_SIGNATURE.as_bytes()),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_signature_over_another_client_key_does_not_verify() {
        let sts = string_to_sign("G1234326-SNAP", "2024-03-01T08:27:49.024Z");
        assert_eq!(
            verify_asymmetric(&midtrans_key(), &sts, MIDTRANS_SIGNATURE.as_bytes()),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn non_base64_and_short_signatures_are_told_apart() {
        let sts = string_to_sign("G1234325-SNAP", "2024-03-01T08:27:49.024Z");
        let key = midtrans_key();
        assert_eq!(
            verify_asymmetric(&key, &sts, b"not base64!"),
            Err(SignatureError::NotBase64)
        );
        let url_safe = MIDTRANS_SIGNATURE.replace('/', "_").replace('+', "-");
        assert_eq!(
            verify_asymmetric(&key, &sts, url_safe.as_bytes()),
            Err(SignatureError::NotBase64)
        );
        assert_eq!(
            verify_asymmetric(&key, &sts, b"AAAA"),
            Err(SignatureError::WrongLength {
                got: 3,
                expected: 256
            })
        );
    }

    #[test]
    fn each_signature_error_says_what_is_wrong() {
        assert!(SignatureError::NotBase64
            .to_string()
            .contains("not standard base64"));
        let wrong = SignatureError::WrongLength {
            got: 128,
            expected: 256,
        };
        assert_eq!(
            wrong.to_string(),
            "X-SIGNATURE decodes to 128 bytes; a signature under this 2048-bit key has 256"
        );
        assert!(SignatureError::Mismatch
            .to_string()
            .contains("SHA256withRSA"));
    }
}
