//! What a SNAP client computes, for tests that play the client: key pairs,
//! strings-to-sign, signatures and timestamps. Private-key work is done by
//! aws-lc-rs.

use crate::snap::keys::{parse_private_key, to_pem, KeyError};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};

/// A client's RSA key pair.
pub struct ClientKeyPair {
    key: RsaKeyPair,
}

impl std::fmt::Debug for ClientKeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKeyPair")
            .field("bits", &(self.key.public_modulus_len() * 8))
            .finish_non_exhaustive()
    }
}

impl ClientKeyPair {
    /// A new key pair of 2048, 3072 or 4096 bits.
    pub fn generate(bits: usize) -> Result<Self, KeyError> {
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            other => {
                return Err(KeyError(format!(
                    "key size must be 2048, 3072 or 4096 bits, not {other}"
                )))
            }
        };
        let key =
            RsaKeyPair::generate(size).map_err(|_| KeyError("RSA key generation failed".into()))?;
        Ok(Self { key })
    }

    /// Reads a private key PEM (PKCS#8 or PKCS#1).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        Ok(Self {
            key: parse_private_key(pem)?,
        })
    }

    /// The private key as a PKCS#8 PEM (`BEGIN PRIVATE KEY`).
    pub fn private_key_pem(&self) -> Result<String, KeyError> {
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&self.key)
            .map_err(|_| KeyError("cannot encode the private key".into()))?;
        Ok(to_pem("PRIVATE KEY", der.as_ref()))
    }

    /// The public key as an SPKI PEM (`BEGIN PUBLIC KEY`): what the server
    /// registers.
    pub fn public_key_pem(&self) -> Result<String, KeyError> {
        let der = AsDer::<aws_lc_rs::encoding::PublicKeyX509Der>::as_der(self.key.public_key())
            .map_err(|_| KeyError("cannot encode the public key".into()))?;
        Ok(to_pem("PUBLIC KEY", der.as_ref()))
    }

    /// `base64(SHA256withRSA(string_to_sign))`, PKCS#1 v1.5, standard
    /// alphabet with padding: an `X-SIGNATURE`.
    pub fn sign(&self, string_to_sign: &str) -> Result<String, KeyError> {
        let mut signature = vec![0u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                string_to_sign.as_bytes(),
                &mut signature,
            )
            .map_err(|_| KeyError("RSA signing failed".into()))?;
        Ok(STANDARD.encode(signature))
    }

    /// The `X-SIGNATURE` of a token request: `sign(client_key|timestamp)`.
    pub fn sign_token_request(
        &self,
        client_key: &str,
        timestamp: &str,
    ) -> Result<String, KeyError> {
        self.sign(&token_string_to_sign(client_key, timestamp))
    }
}

/// The token request's string-to-sign: `X-CLIENT-KEY|X-TIMESTAMP`.
pub fn token_string_to_sign(client_key: &str, timestamp: &str) -> String {
    crate::snap::signature::string_to_sign(client_key, timestamp)
}

/// The string-to-sign of a service call with the symmetric signature:
/// `METHOD:url:token:hex(sha256(minified body)):timestamp`.
pub fn service_string_to_sign(
    method: &str,
    relative_url: &str,
    access_token: &str,
    body: &[u8],
    timestamp: &str,
) -> String {
    use crate::snap::symmetric;
    symmetric::string_to_sign(
        method,
        relative_url,
        access_token,
        &symmetric::minify_body(body),
        timestamp,
    )
}

/// The string-to-sign of a service call (and of a notification) with the
/// asymmetric signature: `METHOD:url:lowercase(hex(sha256(minified
/// body))):timestamp`, signed with SHA256withRSA.
pub fn asymmetric_service_string_to_sign(
    method: &str,
    relative_url: &str,
    body: &[u8],
    timestamp: &str,
) -> String {
    format!(
        "{}:{relative_url}:{}:{timestamp}",
        method.to_ascii_uppercase(),
        crate::snap::BodyHash::Minified.hash(body)
    )
}

/// `base64(HMAC-SHA512(client_secret, string_to_sign))`: the symmetric
/// `X-SIGNATURE`.
pub fn hmac_signature(client_secret: &str, string_to_sign: &str) -> String {
    crate::snap::symmetric::hmac_sha512_base64(client_secret.as_bytes(), string_to_sign)
}

/// An `X-TIMESTAMP` for `at` in Jakarta time, `yyyy-MM-ddTHH:mm:ss+07:00`
/// (the form Finpay documents).
pub fn snap_timestamp(at: DateTime<Utc>) -> String {
    crate::snap::timestamp::format_snap_timestamp(&at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snap::keys::ClientPublicKey;
    use crate::snap::signature::verify_asymmetric;

    #[test]
    fn a_generated_pair_signs_what_its_public_pem_verifies() {
        let pair = ClientKeyPair::generate(2048).unwrap();
        let public = ClientPublicKey::from_pem(&pair.public_key_pem().unwrap()).unwrap();
        let sts = token_string_to_sign("c", "2026-11-25T12:00:00+07:00");
        let signature = pair.sign(&sts).unwrap();
        assert_eq!(
            verify_asymmetric(&public, &sts, signature.as_bytes()),
            Ok(())
        );
        assert!(verify_asymmetric(&public, "c|other", signature.as_bytes()).is_err());
        let again = ClientKeyPair::from_pem(&pair.private_key_pem().unwrap()).unwrap();
        assert_eq!(
            again.sign(&sts).unwrap(),
            signature,
            "PKCS#1 v1.5 is deterministic"
        );
    }

    #[test]
    fn the_published_midtrans_vector_has_the_documented_string_to_sign() {
        assert_eq!(
            token_string_to_sign("G1234325-SNAP", "2024-03-01T08:27:49.024Z"),
            "G1234325-SNAP|2024-03-01T08:27:49.024Z"
        );
    }

    #[test]
    fn odd_key_sizes_are_refused() {
        assert!(ClientKeyPair::generate(1024)
            .unwrap_err()
            .0
            .contains("2048"));
    }
}
