//! Opening a signature under a public key (the raw RSA operation) and
//! reading what the block holds: PKCS#1 v1.5 with which hash, a bare hash,
//! a PSS encoding, or noise.

use super::*;

/// The hash inside a PKCS#1 v1.5 signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    pub(super) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
            Self::Sha384 => Sha384::digest(data).to_vec(),
            Self::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

/// DER DigestInfo prefixes (RFC 8017 §9.2 note 1).
pub(super) const DIGEST_INFOS: [(Hash, &[u8]); 4] = [
    (
        Hash::Sha1,
        &[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ],
    ),
    (
        Hash::Sha256,
        &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
    ),
    (
        Hash::Sha384,
        &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
    ),
    (
        Hash::Sha512,
        &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    ),
];

/// What the signature block turned out to hold under a key.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Opened {
    /// PKCS#1 v1.5 with a DigestInfo for `Hash` and this hash value.
    Pkcs1(Hash, Vec<u8>),
    /// PKCS#1 v1.5 padding around a bare hash (NONEwithRSA over a digest).
    Pkcs1Raw(Vec<u8>),
    /// The PSS encoding: trailer 0xbc, and a data block that unmasks to
    /// zeros, 0x01 and a salt.
    Pss,
    /// No structure: not made with this key's private half.
    Noise,
}

pub(super) fn open(key: &ClientPublicKey, signature: &[u8]) -> Opened {
    let rsa = key.rsa();
    let s = BigUint::from_bytes_be(signature);
    if &s >= rsa.n() {
        return Opened::Noise;
    }
    let Ok(m) = rsa::hazmat::rsa_encrypt(rsa, &s) else {
        return Opened::Noise;
    };
    let k = rsa.size();
    let raw = m.to_bytes_be();
    if raw.len() > k {
        return Opened::Noise;
    }
    let mut em = vec![0u8; k - raw.len()];
    em.extend_from_slice(&raw);
    if em.len() > 11 && em[0] == 0 && em[1] == 1 {
        let ps_len = em[2..].iter().take_while(|b| **b == 0xff).count();
        let sep = 2 + ps_len;
        if ps_len >= 8 && em.get(sep) == Some(&0) {
            let t = &em[sep + 1..];
            for (hash, prefix) in DIGEST_INFOS {
                if let Some(h) = t.strip_prefix(prefix) {
                    return Opened::Pkcs1(hash, h.to_vec());
                }
            }
            return Opened::Pkcs1Raw(t.to_vec());
        }
    }
    // The trailer byte alone would match one random block in 256: the
    // unmasked data block must also have PSS's structure.
    let em_bits = rsa.n().bits() - 1;
    if em.last() == Some(&0xbc)
        && (pss_structure::<Sha256>(&em, em_bits)
            || pss_structure::<sha1::Sha1>(&em, em_bits)
            || pss_structure::<Sha512>(&em, em_bits))
    {
        return Opened::Pss;
    }
    Opened::Noise
}

/// True when `em` (ending in 0xbc) unmasks under MGF1 with `H` to a data
/// block of zeros, then 0x01, then the salt (RFC 8017 §9.1.2, steps 6-10):
/// the structure of a PSS encoding, whatever the message and salt length.
pub(super) fn pss_structure<H: Digest>(em: &[u8], em_bits: usize) -> bool {
    let h_len = <H as Digest>::output_size();
    let Some(db_len) = em.len().checked_sub(h_len + 1) else {
        return false;
    };
    if db_len == 0 {
        return false;
    }
    let (masked, rest) = em.split_at(db_len);
    let seed = &rest[..h_len];
    let mut db = Vec::with_capacity(db_len);
    let mut counter: u32 = 0;
    while db.len() < db_len {
        let mut hasher = H::new();
        hasher.update(seed);
        hasher.update(counter.to_be_bytes());
        for byte in hasher.finalize() {
            if db.len() < db_len {
                let i = db.len();
                db.push(masked[i] ^ byte);
            }
        }
        counter += 1;
    }
    let unused_bits = (8 * em.len()).saturating_sub(em_bits).min(8);
    db[0] &= 0xffu8.checked_shr(unused_bits as u32).unwrap_or(0);
    match db.iter().position(|b| *b != 0) {
        Some(i) => db[i] == 0x01,
        None => false,
    }
}
