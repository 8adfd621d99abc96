//! RSA key material as clients and providers actually hand it over.
//!
//! PEMs arrive with CRLF line ends, odd wrapping, stray indentation, or no
//! armour at all (provider portals often show bare base64). Reading the
//! armour ourselves and handing DER to the `rsa` crate accepts all of these.

use aws_lc_rs::signature::RsaKeyPair;
use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use rsa::RsaPublicKey;
use sha2::{Digest, Sha256};
use std::fmt;

/// Why key material could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// A PEM block's label (`PUBLIC KEY`, `RSA PUBLIC KEY`, ...) and its DER.
/// Text without armour is read as bare base64 DER with no label.
fn pem_to_der(text: &str) -> Result<(Option<String>, Vec<u8>), KeyError> {
    let text = text.trim().trim_start_matches('\u{feff}');
    if text.is_empty() {
        return Err(KeyError("the key is empty".into()));
    }
    let (label, body) = match text.find("-----BEGIN ") {
        Some(start) => {
            let rest = &text[start + "-----BEGIN ".len()..];
            let label_end = rest
                .find("-----")
                .ok_or_else(|| KeyError("unterminated PEM header line".into()))?;
            let label = rest[..label_end].trim().to_string();
            let body = &rest[label_end + 5..];
            let end_marker = format!("-----END {label}-----");
            let end = body
                .find(&end_marker)
                .ok_or_else(|| KeyError(format!("missing PEM footer {end_marker:?}")))?;
            let body = &body[..end];
            if body.contains("Proc-Type:") || body.contains("DEK-Info:") {
                return Err(KeyError(
                    "the key is encrypted; snap-mock needs an unencrypted key".into(),
                ));
            }
            (Some(label), body)
        }
        None => (None, text),
    };
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD
        .decode(b64.as_bytes())
        .or_else(|_| STANDARD_NO_PAD.decode(b64.trim_end_matches('=').as_bytes()))
        .map_err(|e| KeyError(format!("the PEM body is not base64 ({e})")))?;
    Ok((label, der))
}

/// Reads an RSA public key: SPKI (`BEGIN PUBLIC KEY`), PKCS#1
/// (`BEGIN RSA PUBLIC KEY`), or either as bare base64 DER.
pub fn parse_public_key(text: &str) -> Result<RsaPublicKey, KeyError> {
    let (label, der) = pem_to_der(text)?;
    let spki = || RsaPublicKey::from_public_key_der(&der);
    let pkcs1 = || RsaPublicKey::from_pkcs1_der(&der);
    match label.as_deref() {
        Some("PUBLIC KEY") => spki().map_err(|e| KeyError(format!("not an RSA SubjectPublicKeyInfo: {e}"))),
        Some("RSA PUBLIC KEY") => pkcs1().map_err(|e| KeyError(format!("not a PKCS#1 RSAPublicKey: {e}"))),
        None => spki()
            .or_else(|_| pkcs1())
            .map_err(|_| KeyError("not an RSA public key (tried SPKI and PKCS#1 DER)".into())),
        Some(l) if l.contains("PRIVATE KEY") => Err(KeyError(format!(
            "this is a private key ({l}); register the client's PUBLIC key, never its private key"
        ))),
        Some("CERTIFICATE") => Err(KeyError(
            "this is an X.509 certificate; extract its public key with `openssl x509 -pubkey -noout`".into(),
        )),
        Some(l) => Err(KeyError(format!(
            "unexpected PEM label {l:?}; expected PUBLIC KEY or RSA PUBLIC KEY"
        ))),
    }
}

/// Reads an RSA private key: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1
/// (`BEGIN RSA PRIVATE KEY`), or either as bare base64 DER. Private keys
/// go straight to aws-lc-rs: every private-key operation (signing,
/// generation) happens there, none in the `rsa` crate (RUSTSEC-2023-0071).
pub fn parse_private_key(text: &str) -> Result<RsaKeyPair, KeyError> {
    let (label, der) = pem_to_der(text)?;
    let pkcs8 = || RsaKeyPair::from_pkcs8(&der);
    let pkcs1 = || RsaKeyPair::from_der(&der);
    match label.as_deref() {
        Some("PRIVATE KEY") => {
            pkcs8().map_err(|e| KeyError(format!("not a usable RSA PKCS#8 private key: {e}")))
        }
        Some("RSA PRIVATE KEY") => {
            pkcs1().map_err(|e| KeyError(format!("not a usable PKCS#1 RSA private key: {e}")))
        }
        Some("ENCRYPTED PRIVATE KEY") => Err(KeyError(
            "the key is encrypted; decrypt it with `openssl pkey -in KEY -out PLAIN`".into(),
        )),
        None => pkcs8()
            .or_else(|_| pkcs1())
            .map_err(|_| KeyError("not an RSA private key (tried PKCS#8 and PKCS#1 DER)".into())),
        Some(l) if l.contains("PUBLIC KEY") => Err(KeyError(format!(
            "this is a public key ({l}); a private key is needed here"
        ))),
        Some(l) => Err(KeyError(format!(
            "unexpected PEM label {l:?}; expected PRIVATE KEY or RSA PRIVATE KEY"
        ))),
    }
}

/// A PEM block with 64-character lines.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}

/// `SHA256:<base64>` of the key's SubjectPublicKeyInfo DER, the form
/// `openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64`
/// prints (without padding).
pub fn fingerprint(key: &RsaPublicKey) -> String {
    let der = key
        .to_public_key_der()
        .map(|d| d.as_bytes().to_vec())
        .unwrap_or_default();
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(der)))
}

/// A client's registered public key, parsed once at load time.
pub struct ClientPublicKey {
    rsa: RsaPublicKey,
    /// aws-lc-rs keeps the parsed key: verification on the hot path is one
    /// modular exponentiation with no per-request parsing. `None` for keys
    /// below 2048 bits, which aws-lc-rs refuses; those verify through `rsa`.
    fast: Option<ParsedPublicKey>,
    fingerprint: String,
}

impl fmt::Debug for ClientPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientPublicKey")
            .field("bits", &self.bits())
            .field("fingerprint", &self.fingerprint)
            .finish()
    }
}

impl ClientPublicKey {
    /// Parses a public key in any form clients register (SPKI or PKCS#1 PEM).
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        Self::from_rsa(parse_public_key(text)?)
    }

    /// Wraps a parsed key, ready for verification (fails only when the key
    /// cannot be re-encoded).
    pub fn from_rsa(rsa: RsaPublicKey) -> Result<Self, KeyError> {
        let pkcs1 = rsa::pkcs1::EncodeRsaPublicKey::to_pkcs1_der(&rsa)
            .map_err(|e| KeyError(format!("cannot encode the key: {e}")))?;
        let fast = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pkcs1.as_bytes()).ok();
        let fingerprint = fingerprint(&rsa);
        Ok(Self {
            rsa,
            fast,
            fingerprint,
        })
    }

    /// The key as the `rsa` crate's type.
    pub fn rsa(&self) -> &RsaPublicKey {
        &self.rsa
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.rsa.size() * 8
    }

    /// Length in bytes of a signature under this key.
    pub fn signature_len(&self) -> usize {
        self.rsa.size()
    }

    /// `SHA256:` and the unpadded base64 of the SHA-256 of the key's DER
    /// (SPKI), as messages and the journal show it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn verify_pkcs1_sha256(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.fast {
            Some(key) => key.verify_sig(message, signature).is_ok(),
            None => {
                let digest = Sha256::digest(message);
                self.rsa
                    .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
                    .is_ok()
            }
        }
    }

    /// The key as a JWK-style modulus and exponent (big-endian bytes).
    pub fn n_e(&self) -> (Vec<u8>, Vec<u8>) {
        (self.rsa.n().to_bytes_be(), self.rsa.e().to_bytes_be())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIDTRANS_SPKI: &str = include_str!("../../tests/data/midtrans-public.pem");

    #[test]
    fn an_spki_pem_loads() {
        let key = parse_public_key(MIDTRANS_SPKI).unwrap();
        assert_eq!(key.size() * 8, 2048);
    }

    #[test]
    fn crlf_and_odd_wrapping_and_indentation_are_tolerated() {
        let body: String = MIDTRANS_SPKI
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let rewrapped = format!(
            "  -----BEGIN PUBLIC KEY-----\r\n{}\r\n{}\r\n   -----END PUBLIC KEY-----\r\n",
            &body[..100],
            &body[100..]
        );
        assert_eq!(
            parse_public_key(&rewrapped).unwrap(),
            parse_public_key(MIDTRANS_SPKI).unwrap()
        );
        assert_eq!(
            parse_public_key(&body).unwrap(),
            parse_public_key(MIDTRANS_SPKI).unwrap()
        );
    }

    #[test]
    fn a_pkcs1_public_key_loads_and_equals_its_spki_twin() {
        let key = parse_public_key(MIDTRANS_SPKI).unwrap();
        let pkcs1 = rsa::pkcs1::EncodeRsaPublicKey::to_pkcs1_pem(&key, Default::default()).unwrap();
        assert!(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
        assert_eq!(parse_public_key(&pkcs1).unwrap(), key);
    }

    #[test]
    fn a_private_key_given_as_public_is_refused_with_a_warning() {
        let e = parse_public_key("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
            .unwrap_err();
        assert!(e.0.contains("PUBLIC key"), "{e}");
    }

    #[test]
    fn broken_pems_say_what_is_wrong() {
        assert!(parse_public_key("").unwrap_err().0.contains("empty"));
        assert!(parse_public_key("-----BEGIN PUBLIC KEY-----\nAAAA")
            .unwrap_err()
            .0
            .contains("footer"));
        assert!(
            parse_public_key("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----")
                .unwrap_err()
                .0
                .contains("base64")
        );
        assert!(
            parse_public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
                .unwrap_err()
                .0
                .contains("SubjectPublicKeyInfo")
        );
    }

    #[test]
    fn the_fingerprint_is_sha256_of_the_spki_der() {
        let key = parse_public_key(MIDTRANS_SPKI).unwrap();
        let fp = fingerprint(&key);
        assert!(fp.starts_with("SHA256:"));
        assert_eq!(fp.len(), "SHA256:".len() + 43);
    }
}
