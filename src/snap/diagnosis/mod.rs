//! Why a SNAP signature failed, in words a developer can act on.
//!
//! Providers answer every signature mistake with the same `Unauthorized`.
//! Here the failure path opens the signature with the public key (one
//! modular exponentiation) and reads what is inside: the padding says
//! PKCS#1 v1.5 or PSS, the DigestInfo says which hash, and the hash can be
//! matched against plausible wrong strings-to-sign. None of this runs for
//! a signature that verifies.

mod encoding;
mod open;
mod signed;
use encoding::decode;
use open::*;
pub use signed::ServiceSigning;
use signed::*;

use super::keys::ClientPublicKey;
use super::timestamp::{parse_timestamp, TimestampMode};
use chrono::{DateTime, FixedOffset};
use rsa::traits::PublicKeyParts;
use rsa::BigUint;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// The diagnosis of a token request signature that did not verify under
/// `key`.
///
/// `others` are the other registered clients (key and public key), to tell
/// "signed with another client's key" apart from "wrong key pair".
pub fn diagnose_asymmetric(
    key: &ClientPublicKey,
    client_key: &str,
    timestamp: &str,
    signature: &[u8],
    others: &[(&str, &ClientPublicKey)],
) -> String {
    diagnose(
        key,
        &TokenSigning {
            client_key,
            timestamp,
        },
        client_key,
        signature,
        others,
    )
}

/// The diagnosis of an asymmetric service signature (no token) that did
/// not verify under the key of `client_key` (the partner).
pub fn diagnose_service_signature(
    key: &ClientPublicKey,
    call: &ServiceSigning<'_>,
    client_key: &str,
    signature: &[u8],
    others: &[(&str, &ClientPublicKey)],
) -> String {
    diagnose(key, call, client_key, signature, others)
}

fn diagnose(
    key: &ClientPublicKey,
    signed: &dyn Signed,
    client_key: &str,
    signature: &[u8],
    others: &[(&str, &ClientPublicKey)],
) -> String {
    let expected_len = key.signature_len();
    let (bytes, encoding_note) = decode(signature, expected_len);
    let Some(bytes) = bytes else {
        return encoding_note.unwrap_or_default();
    };
    let mut notes: Vec<String> = encoding_note.into_iter().collect();
    let expected = signed.expected();

    if bytes.len() != expected_len {
        notes.push(wrong_length(key, client_key, &bytes, &expected, others));
        return notes.join("; ");
    }
    notes.push(verdict(key, signed, client_key, &bytes, &expected, others));
    notes.join("; ")
}

/// A signature whose length is not the registered key's: an HMAC, or
/// another client's key (found among `others` when one opens it).
fn wrong_length(
    key: &ClientPublicKey,
    client_key: &str,
    bytes: &[u8],
    expected: &str,
    others: &[(&str, &ClientPublicKey)],
) -> String {
    if bytes.len() == 64 {
        return format!(
            "the signature is 64 bytes: an HMAC-SHA512 (the symmetric signature, with the client secret)? This call is verified asymmetrically: SHA256withRSA with the private key of {client_key:?} over {expected:?}"
        );
    }
    let mut msg = format!(
        "the signature is {} bytes ({} bits) but the registered key of {client_key:?} is {} bits",
        bytes.len(),
        bytes.len() * 8,
        key.bits()
    );
    if let Some((other, _)) = signed_by_another(key, bytes, expected, others) {
        msg.push_str(&format!(
            "; it was made with the private key of client {other:?}"
        ));
    } else {
        msg.push_str("; was it signed with a different key?");
    }
    msg
}

/// What a signature of the right length is, opened under the registered
/// key: the right key over another string, another hash or padding, or
/// noise (another key: one of `others`, or an unknown one).
fn verdict(
    key: &ClientPublicKey,
    signed: &dyn Signed,
    client_key: &str,
    bytes: &[u8],
    expected: &str,
    others: &[(&str, &ClientPublicKey)],
) -> String {
    let other_keys: Vec<&str> = others.iter().map(|(k, _)| *k).collect();
    match open(key, bytes) {
        Opened::Pkcs1(Hash::Sha256, h) => match SignedOver::find(signed, Hash::Sha256, &h, &other_keys) {
            Some(SignedOver::TheStringToSign) => {
                "the signature verifies once its encoding is fixed".to_string()
            }
            Some(SignedOver::Mistake(what)) => {
                format!("signed with the right key and algorithm, but over {what}")
            }
            None => format!(
                "signed with the right key (SHA256withRSA), but over a different string than {expected:?}; {}",
                signed.rule()
            ),
        },
        Opened::Pkcs1(hash, h) => {
            let over = SignedOver::find(signed, hash, &h, &other_keys)
                .map(|w| format!(" (over {})", w.describe(expected)))
                .unwrap_or_default();
            format!(
                "signed with {} (SHA{}withRSA){over}; SNAP uses SHA-256 (SHA256withRSA)",
                hash.name(),
                hash.name().trim_start_matches("SHA-")
            )
        }
        Opened::Pkcs1Raw(h) => {
            let over = if Sha256::digest(expected).as_slice() == h.as_slice() {
                " of the right SHA-256 hash"
            } else {
                ""
            };
            format!(
                "the signature holds a bare hash{over} without the DigestInfo (NONEwithRSA / raw RSA); sign with SHA256withRSA so the algorithm identifier is included"
            )
        }
        Opened::Pss => {
            let digest = Sha256::digest(expected);
            let verifies = key
                .rsa()
                .verify(rsa::Pss::new::<Sha256>(), &digest, bytes)
                .is_ok();
            let what = if verifies {
                "signed with RSASSA-PSS (SHA-256)"
            } else {
                "the signature looks like RSASSA-PSS"
            };
            format!("{what}; SNAP uses RSASSA-PKCS1-v1_5 (SHA256withRSA)")
        }
        Opened::Noise => another_key(key, client_key, bytes, expected, others),
    }
}

/// The most modulus bits of other clients' keys one diagnosis verifies
/// with: eight 2048-bit keys. Larger keys cost more each, so fewer are
/// tried, and a client cannot make the server do more work per bad
/// request by choosing a signature length that many large keys share.
pub const DIAGNOSIS_BITS_BUDGET: usize = 8 * 2048;

/// The other client whose key verifies `bytes` as SHA256withRSA over
/// `expected`, among `others` of the signature's length (not the registered
/// key itself), within [`DIAGNOSIS_BITS_BUDGET`]. One aws-lc-rs
/// verification per key tried: a public-key operation, never a raw RSA
/// opening.
fn signed_by_another<'a>(
    key: &ClientPublicKey,
    bytes: &[u8],
    expected: &str,
    others: &[(&'a str, &'a ClientPublicKey)],
) -> Option<(&'a str, &'a ClientPublicKey)> {
    let mut spent = 0usize;
    others
        .iter()
        .filter(|(_, k)| k.fingerprint() != key.fingerprint() && k.signature_len() == bytes.len())
        .take_while(|(_, k)| {
            spent += k.bits();
            spent <= DIAGNOSIS_BITS_BUDGET
        })
        .find(|(_, k)| k.verify_pkcs1_sha256(expected.as_bytes(), bytes))
        .copied()
}

/// A signature that opens to noise under the registered key: made with
/// another client's key (one SHA256withRSA verification per other key,
/// aws-lc-rs, ~25 µs, not a raw RSA opening, ~300 µs with `rsa`: the common
/// mistake, at a cost the caller bounds by bounding `others`), or an
/// unknown one. A key equal to the registered one cannot explain anything.
fn another_key(
    key: &ClientPublicKey,
    client_key: &str,
    bytes: &[u8],
    expected: &str,
    others: &[(&str, &ClientPublicKey)],
) -> String {
    match signed_by_another(key, bytes, expected, others) {
        Some((other, k)) => format!(
            "made with the private key of client {other:?} ({}), not the key registered for {client_key:?}",
            k.fingerprint()
        ),
        None => format!(
            "does not verify under the registered key ({}); check the key pair: the private key that signs must belong to the public key registered for {client_key:?}",
            key.fingerprint()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snap::SigningRules;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
    use base64::Engine;
    // The mistakes diagnosed here (SHA-1, PSS, raw RSA, ...) cannot be made
    // with aws-lc-rs, which signs only correctly; so these tests forge them
    // with the `rsa` crate, over the published test keys. Test code only.
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::{Pkcs1v15Sign, RsaPrivateKey};

    fn parse_private_key(pem: &str) -> Result<RsaPrivateKey, rsa::pkcs8::Error> {
        RsaPrivateKey::from_pkcs8_pem(pem)
    }

    const CK: &str = "demo-client";
    const TS: &str = "2024-03-01T15:27:49+07:00";

    fn keys() -> (
        RsaPrivateKey,
        ClientPublicKey,
        RsaPrivateKey,
        ClientPublicKey,
    ) {
        let a = parse_private_key(include_str!("../../../keys/demo-client.private.pem")).unwrap();
        let b = parse_private_key(include_str!("../../../keys/other-client.private.pem")).unwrap();
        let pa = ClientPublicKey::from_rsa(a.to_public_key()).unwrap();
        let pb = ClientPublicKey::from_rsa(b.to_public_key()).unwrap();
        (a, pa, b, pb)
    }

    fn pkcs1<D: Digest + rsa::pkcs8::AssociatedOid>(key: &RsaPrivateKey, msg: &str) -> Vec<u8> {
        key.sign(Pkcs1v15Sign::new::<D>(), &D::digest(msg.as_bytes()))
            .unwrap()
    }

    fn diagnose(sig: &[u8]) -> String {
        let (_, pa, _, pb) = keys();
        diagnose_asymmetric(&pa, CK, TS, sig, &[("other-client", &pb)])
    }

    fn b64(bytes: &[u8]) -> Vec<u8> {
        STANDARD.encode(bytes).into_bytes()
    }

    #[test]
    fn hex_and_url_safe_and_unpadded_encodings_are_named() {
        let (a, ..) = keys();
        let sig = pkcs1::<Sha256>(&a, &format!("{CK}|{TS}"));
        let hex: String = sig.iter().map(|b| format!("{b:02x}")).collect();
        assert!(diagnose(hex.as_bytes()).contains("is hex"));
        let url = URL_SAFE.encode(&sig);
        if url.contains(['-', '_']) {
            assert!(diagnose(url.as_bytes()).contains("URL-safe"));
        }
        let unpadded = STANDARD_NO_PAD.encode(&sig);
        assert!(
            diagnose(unpadded.as_bytes()).contains("padding"),
            "{}",
            diagnose(unpadded.as_bytes())
        );
        assert!(diagnose(b"!!!").contains("neither base64 nor hex"));
    }

    /// A signature whose RSA opening under the demo key is exactly `em`
    /// (a raw private-key operation): blocks no signer would make, to
    /// test what the opening accepts.
    fn forged(em: &[u8]) -> Vec<u8> {
        let (a, ..) = keys();
        let c = rsa::BigUint::from_bytes_be(em);
        let s = rsa::hazmat::rsa_decrypt::<rand::rngs::ThreadRng>(None, &a, &c).unwrap();
        let mut sig = s.to_bytes_be();
        while sig.len() < em.len() {
            sig.insert(0, 0);
        }
        sig
    }

    /// `00 first ff*padding 00 DigestInfo(SHA-256) hash`, then filler up
    /// to the key size (with `padding` None: as much padding as fits, a
    /// block correct but for `first`).
    fn pkcs1_block(first: u8, padding: Option<usize>) -> Vec<u8> {
        let (_, pa, ..) = keys();
        let k = pa.signature_len();
        let digest = Sha256::digest(format!("{CK}|{TS}").as_bytes());
        let info = DIGEST_INFOS
            .iter()
            .find(|(h, _)| *h == Hash::Sha256)
            .unwrap()
            .1;
        let tail_len = 1 + info.len() + digest.len();
        let mut em = vec![0u8, first];
        em.extend(std::iter::repeat_n(
            0xff,
            padding.unwrap_or(k - 2 - tail_len),
        ));
        em.push(0);
        em.extend_from_slice(info);
        em.extend_from_slice(&digest);
        em.resize(k, 0x5a);
        em
    }

    #[test]
    fn only_a_well_formed_pkcs1_block_is_read_as_one() {
        // The real thing, built by hand: block type 1, all padding, the hash.
        let good = pkcs1_block(1, None);
        assert!(diagnose(&b64(&forged(&good))).contains("verifies once its encoding is fixed"));
        // Block type 2, or fewer than 8 padding bytes: noise, not PKCS#1.
        for em in [pkcs1_block(2, None), pkcs1_block(1, Some(4))] {
            let d = diagnose(&b64(&forged(&em)));
            assert!(
                d.contains("does not verify under the registered key"),
                "{d}"
            );
        }
    }

    #[test]
    fn a_block_that_only_ends_like_pss_is_not_called_pss() {
        let (_, pa, ..) = keys();
        let mut em = vec![0x5au8; pa.signature_len()];
        em[0] = 0;
        *em.last_mut().unwrap() = 0xbc;
        let d = diagnose(&b64(&forged(&em)));
        assert!(!d.contains("PSS"), "{d}");
        assert!(
            d.contains("does not verify under the registered key"),
            "{d}"
        );
    }

    #[test]
    fn a_service_call_signed_over_another_string_states_the_service_rule() {
        let (a, pa, ..) = keys();
        let call = ServiceSigning {
            method: "POST",
            relative_url: "/v1.0/debit/status",
            body: b"{}",
            timestamp: TS,
            bearer: None,
            rules: SigningRules::default(),
        };
        let sig = pkcs1::<Sha256>(&a, "POST:/elsewhere:0:0");
        let d = diagnose_service_signature(&pa, &call, CK, &b64(&sig), &[]);
        assert!(
            d.contains("but over a different string")
                && d.contains("sign exactly METHOD + \":\" + path and query as sent"),
            "{d}"
        );
    }

    #[test]
    fn a_service_call_signed_without_its_mount_prefix_or_with_squeezed_strings_is_named() {
        let (a, pa, ..) = keys();
        let body = br#"{"partnerServiceId": "  088899", "virtualAccountName": "Jane Doe"}"#;
        let call = ServiceSigning {
            method: "POST",
            relative_url: "/api/v1.0/transfer-va/create-va",
            body,
            timestamp: TS,
            bearer: None,
            rules: SigningRules::default(),
        };
        let hash = |b: &[u8]| crate::snap::symmetric::lower_hex(&Sha256::digest(b));
        let minified = crate::snap::symmetric::minify_body(body);
        let sig = pkcs1::<Sha256>(
            &a,
            &format!("POST:/transfer-va/create-va:{}:{TS}", hash(&minified)),
        );
        let d = diagnose_service_signature(&pa, &call, CK, &b64(&sig), &[]);
        assert!(d.contains("leaves out /api/v1.0"), "{d}");
        let squeezed = br#"{"partnerServiceId":"088899","virtualAccountName":"JaneDoe"}"#;
        let sig = pkcs1::<Sha256>(
            &a,
            &format!(
                "POST:/api/v1.0/transfer-va/create-va:{}:{TS}",
                hash(squeezed)
            ),
        );
        let d = diagnose_service_signature(&pa, &call, CK, &b64(&sig), &[]);
        assert!(d.contains("inside the body's strings"), "{d}");
    }

    #[test]
    fn the_same_instant_in_wita_or_wit_is_found_and_named() {
        let (a, ..) = keys();
        for (written, zone) in [
            ("2024-03-01T16:27:49+08:00", "WITA"),
            ("2024-03-01T17:27:49+09:00", "WIT)"),
        ] {
            let sig = pkcs1::<Sha256>(&a, &format!("{CK}|{written}"));
            let d = diagnose(&b64(&sig));
            assert!(d.contains(written) && d.contains(zone), "{zone}: {d}");
        }
    }

    #[test]
    fn the_right_key_over_another_string_states_the_rule() {
        let (a, ..) = keys();
        let sig = pkcs1::<Sha256>(&a, "something else entirely");
        let d = diagnose(&b64(&sig));
        assert!(
            d.contains("signed with the right key (SHA256withRSA), but over a different string")
                && d.contains("sign exactly X-CLIENT-KEY + \"|\" + X-TIMESTAMP as sent"),
            "{d}"
        );
    }

    #[test]
    fn sha1_over_the_exact_string_is_named_with_what_it_covered() {
        let (a, ..) = keys();
        let sig = pkcs1::<sha1::Sha1>(&a, &format!("{CK}|{TS}"));
        let d = diagnose(&b64(&sig));
        assert!(
            d.contains("SHA1withRSA")
                && d.contains(&format!("(over the string-to-sign itself \"{CK}|{TS}\")")),
            "{d}"
        );
    }

    #[test]
    fn base64_wrapped_in_lines_is_named_and_then_read() {
        let (a, ..) = keys();
        let sig = STANDARD.encode(pkcs1::<Sha256>(&a, &format!("{CK}|{TS}")));
        let wrapped: Vec<String> = sig
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let d = diagnose(wrapped.join("\n").as_bytes());
        assert!(
            d.contains("broken into lines") && d.contains("verifies once its encoding is fixed"),
            "{d}"
        );
    }

    #[test]
    fn another_clients_larger_key_is_named_within_the_work_budget_and_not_past_it() {
        let (_, pa, ..) = keys();
        let big = |n: usize| -> Vec<(crate::signing::ClientKeyPair, ClientPublicKey)> {
            (0..n)
                .map(|_| {
                    let pair = crate::signing::ClientKeyPair::generate(4096).unwrap();
                    let public =
                        ClientPublicKey::from_pem(&pair.public_key_pem().unwrap()).unwrap();
                    (pair, public)
                })
                .collect()
        };
        let keys = big(5);
        let sts = format!("{CK}|{TS}");
        let signer = &keys[4];
        let sig = signer.0.sign(&sts).unwrap();
        // The signer among the first four 4096-bit keys: named.
        let first: Vec<(&str, &ClientPublicKey)> =
            vec![("big-0", &keys[0].1), ("big-signer", &signer.1)];
        let d = diagnose_asymmetric(&pa, CK, TS, sig.as_bytes(), &first);
        assert!(d.contains("4096 bits") || d.contains("512 bytes"), "{d}");
        assert!(
            d.contains("made with the private key of client \"big-signer\""),
            "{d}"
        );
        // Behind four other 4096-bit keys, the budget (8 × 2048 bits) is
        // spent before it is reached: not tried, not named.
        let mut crowded: Vec<(&str, &ClientPublicKey)> =
            keys[..4].iter().map(|(_, k)| ("big", k)).collect();
        crowded.push(("big-signer", &signer.1));
        let d = diagnose_asymmetric(&pa, CK, TS, sig.as_bytes(), &crowded);
        assert!(!d.contains("big-signer"), "{d}");
        assert!(d.contains("was it signed with a different key?"), "{d}");
    }

    #[test]
    fn a_signature_of_the_wrong_length_is_named() {
        assert!(diagnose(&b64(&[1u8; 128])).contains("128 bytes (1024 bits)"));
    }

    #[test]
    fn the_same_instant_written_differently_is_found() {
        let (a, ..) = keys();
        let sig = pkcs1::<Sha256>(&a, &format!("{CK}|2024-03-01T08:27:49Z"));
        let d = diagnose(&b64(&sig));
        assert!(
            d.contains("2024-03-01T08:27:49Z") && d.contains("same instant"),
            "{d}"
        );
        let sig = pkcs1::<Sha256>(&a, &format!("{CK}|2024-03-01T15:27:49.123+07:00"));
        let d = diagnose(&b64(&sig));
        assert!(
            d.contains(".123+07:00") && d.contains("milliseconds"),
            "{d}"
        );
    }

    #[test]
    fn another_client_key_in_the_string_is_found() {
        let (a, ..) = keys();
        let sig = pkcs1::<Sha256>(&a, &format!("other-client|{TS}"));
        let d = diagnose(&b64(&sig));
        assert!(d.contains("another client key (\"other-client\")"), "{d}");
    }

    #[test]
    fn a_trailing_newline_is_found() {
        let (a, ..) = keys();
        let sig = pkcs1::<Sha256>(&a, &format!("{CK}|{TS}\n"));
        assert!(diagnose(&b64(&sig)).contains("trailing newline"));
    }

    #[test]
    fn another_clients_private_key_is_named() {
        let (_, _, b, _) = keys();
        let sig = pkcs1::<Sha256>(&b, &format!("{CK}|{TS}"));
        let d = diagnose(&b64(&sig));
        assert!(d.contains("private key of client \"other-client\""), "{d}");
    }

    #[test]
    fn sha1_and_sha512_are_named() {
        let (a, ..) = keys();
        let d = diagnose(&b64(&pkcs1::<sha1::Sha1>(&a, &format!("{CK}|{TS}"))));
        assert!(d.contains("SHA-1") && d.contains("SHA1withRSA"), "{d}");
        let d = diagnose(&b64(&pkcs1::<Sha512>(&a, &format!("{CK}|{TS}"))));
        assert!(d.contains("SHA-512"), "{d}");
    }

    #[test]
    fn pss_is_named() {
        let (a, ..) = keys();
        let digest = Sha256::digest(format!("{CK}|{TS}"));
        let sig = a
            .sign_with_rng(&mut rand::thread_rng(), rsa::Pss::new::<Sha256>(), &digest)
            .unwrap();
        let d = diagnose(&b64(&sig));
        assert!(d.contains("RSASSA-PSS (SHA-256)"), "{d}");
    }

    #[test]
    fn an_unrelated_key_is_a_key_pair_problem() {
        // A fixed stranger: with a random one, one run in tens of thousands
        // opens to a block that passes for PSS by chance (it was one in 256
        // when only the trailer byte was checked, and failed a CI run).
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(16);
        let stranger = RsaPrivateKey::new(&mut rng, 2048).unwrap();
        let sig = pkcs1::<Sha256>(&stranger, &format!("{CK}|{TS}"));
        let d = diagnose(&b64(&sig));
        assert!(
            d.contains("does not verify under the registered key")
                && d.contains("check the key pair"),
            "{d}"
        );
    }
}
