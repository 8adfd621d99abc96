//! RS256 access tokens and the JWKS that verifies them.
//!
//! `jsonwebtoken::encode` re-parses the private key on every call (about
//! 650 µs per token with its aws-lc backend against about 245 µs with a
//! parsed key; BENCHMARKS.md). So the signing key is parsed once into an
//! aws-lc-rs `RsaKeyPair` and the compact JWS is assembled here; the JWT
//! header is constant and encoded once. `jsonwebtoken` still provides the
//! JWK types and all token *decoding* (introspection, tests).

use crate::snap::keys::{parse_private_key, KeyError};
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::{KeyPair, RsaKeyPair, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
    RSAKeyParameters, RSAKeyType, ThumbprintHash,
};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The claims of an issued access token, shaped like Finpay's sample
/// (Laravel Passport): `aud` is the client key, `sub` is empty, `scopes`
/// is `["request"]`. Times are whole seconds, which every JWT library reads
/// (Finpay's fractional seconds trip some of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessTokenClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// Issuer (`--issuer`), if configured.
    pub iss: Option<String>,
    /// Audience: the client the token was issued to.
    pub aud: String,
    /// Unique token id (80 hex characters).
    pub jti: String,
    /// Issued at (Unix seconds, server clock).
    pub iat: i64,
    /// Not before: equal to `iat`.
    pub nbf: i64,
    /// Expiry: `iat` plus the token lifetime.
    pub exp: i64,
    /// Subject: the B2B2C customer; empty for a B2B token.
    pub sub: String,
    /// Scopes: `request` (B2B, or the client's `scopes`) or `customer`
    /// (B2B2C).
    pub scopes: Vec<String>,
    /// The client's extra `claims`, beside the ones above.
    #[serde(flatten, default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl AccessTokenClaims {
    /// A B2B2C token: issued for a customer (an `authCode`), not the client.
    pub fn is_customer_token(&self) -> bool {
        self.scopes.iter().any(|s| s == "customer")
    }
}

/// A token and what the response says about it.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
    pub claims: AccessTokenClaims,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError(pub String);

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TokenError {}

/// Why a bearer token is not active here; the message is what `401xx01` and
/// `/introspect` say.
#[derive(Debug, thiserror::Error)]
pub enum TokenRejection {
    /// Neither a JWT this server could read nor anything else.
    #[error("not a JWT: {0}")]
    NotAJwt(#[source] jsonwebtoken::errors::Error),
    /// RFC 7515 §4.1.11: `crit` names extensions this server does not know.
    #[error("the header has crit: extensions this server does not understand")]
    CriticalExtension,
    /// Signed with another algorithm than this server's RS256.
    #[error("alg is {0:?}, tokens here are RS256")]
    Algorithm(Algorithm),
    /// `kid` names another key than this server's.
    #[error("kid does not name this server's signing key")]
    UnknownKid,
    /// The signature or a claim (`iss`, a claim's type) does not hold.
    #[error("signature or claims rejected: {0}")]
    Rejected(#[source] jsonwebtoken::errors::Error),
    /// `exp` has passed.
    #[error("expired {secs_ago} s ago")]
    Expired {
        /// Seconds since `exp`.
        secs_ago: i64,
    },
    /// `nbf` is still ahead.
    #[error("not valid yet (nbf is in the future)")]
    NotYetValid,
    /// An opaque token this server never issued, or has dropped.
    #[error("not a JWT, and not an opaque token this server issued (or it was dropped as the oldest past --max-access-tokens)")]
    UnknownOpaque,
}

/// Signs access tokens with the server's key.
pub struct TokenIssuer {
    key_pair: RsaKeyPair,
    /// For introspection: tokens are checked with `jsonwebtoken`, as a
    /// client's own verifier would.
    decoding_key: DecodingKey,
    rng: SystemRandom,
    /// `base64url({"typ":"JWT","alg":"RS256","kid":...})`, computed once.
    header_b64: String,
    jwk: Jwk,
    issuer: Option<String>,
    lifetime_secs: u64,
}

impl fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("kid", &self.kid())
            .field("issuer", &self.issuer)
            .field("lifetime_secs", &self.lifetime_secs)
            .finish_non_exhaustive()
    }
}

impl TokenIssuer {
    /// The issuer of tokens signed with `text` (a PKCS#8 or PKCS#1 PEM RSA key).
    pub fn from_pem(
        text: &str,
        issuer: Option<String>,
        lifetime_secs: u64,
    ) -> Result<Self, KeyError> {
        let key_pair = parse_private_key(text)?;
        let bits = key_pair.public_modulus_len() * 8;
        if !(2048..=8192).contains(&bits) {
            return Err(KeyError(format!(
                "the signing key has {bits} bits; RS256 signing keys must have 2048 to 8192 bits"
            )));
        }
        let public = key_pair.public_key();

        let mut jwk = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::RS256),
                ..Default::default()
            },
            algorithm: AlgorithmParameters::RSA(RSAKeyParameters {
                key_type: RSAKeyType::RSA,
                n: URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
                e: URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
            }),
        };
        // RFC 7638 thumbprint: stable across restarts and unique per key.
        let kid = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| KeyError(format!("cannot compute the key id: {e}")))?;
        jwk.common.key_id = Some(kid.clone());
        let decoding_key = DecodingKey::from_jwk(&jwk)
            .map_err(|e| KeyError(format!("cannot build the verification key: {e}")))?;
        let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": kid});
        let header_b64 = URL_SAFE_NO_PAD.encode(header.to_string());
        Ok(Self {
            key_pair,
            decoding_key,
            rng: SystemRandom::new(),
            header_b64,
            jwk,
            issuer,
            lifetime_secs,
        })
    }

    /// The key id (`kid`) of the signing key in the JWKS.
    pub fn kid(&self) -> &str {
        self.jwk.common.key_id.as_deref().unwrap_or_default()
    }

    /// Lifetime of issued tokens in seconds (`expiresIn`).
    pub fn lifetime_secs(&self) -> u64 {
        self.lifetime_secs
    }

    /// Size of the signing key in bits.
    pub fn bits(&self) -> usize {
        self.key_pair.public_modulus_len() * 8
    }

    /// The signing key's public half as a JWK.
    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// A random opaque token (hex), e.g. a B2B2C refresh token.
    pub fn random_hex(&self, bytes: usize) -> Result<String, TokenError> {
        let mut buf = vec![0u8; bytes];
        self.rng
            .fill(&mut buf)
            .map_err(|_| TokenError("the system random generator failed".into()))?;
        Ok(hex(&buf))
    }

    /// The JWKS served at `/.well-known/jwks.json`: the signing key alone.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.jwk.clone()],
        }
    }

    /// Issues a token for `client_key`, valid from `now` for the lifetime.
    pub fn issue(&self, client_key: &str, now: DateTime<Utc>) -> Result<IssuedToken, TokenError> {
        self.issue_for(client_key, None, &["request"], now)
    }

    /// [`TokenIssuer::issue_with`] without extra claims.
    pub fn issue_for(
        &self,
        client_key: &str,
        subject: Option<&str>,
        scopes: &[&str],
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, TokenError> {
        self.issue_with(client_key, subject, scopes, &serde_json::Map::new(), now)
    }

    /// Issues a token with a subject (a B2B2C customer; `None` for a B2B
    /// token, whose `sub` claim is then empty), scopes and extra claims
    /// (which never replace the ones above: clients' are checked at
    /// registration).
    pub fn issue_with(
        &self,
        client_key: &str,
        subject: Option<&str>,
        scopes: &[&str],
        extra: &serde_json::Map<String, serde_json::Value>,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, TokenError> {
        let mut jti = [0u8; 40];
        self.rng
            .fill(&mut jti)
            .map_err(|_| TokenError("the system random generator failed".into()))?;
        let iat = now.timestamp();
        let claims = AccessTokenClaims {
            iss: self.issuer.clone(),
            aud: client_key.to_owned(),
            jti: hex(&jti),
            iat,
            nbf: iat,
            exp: iat.saturating_add(i64::try_from(self.lifetime_secs).unwrap_or(i64::MAX)),
            sub: subject.unwrap_or_default().to_owned(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            extra: extra.clone(),
        };
        let payload = serde_json::to_vec(&claims)
            .map_err(|e| TokenError(format!("cannot encode the claims: {e}")))?;
        let mut token = String::with_capacity(
            self.header_b64.len()
                + 2
                + payload.len() * 4 / 3
                + 4
                + self.key_pair.public_modulus_len() * 4 / 3
                + 4,
        );
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        let mut signature = vec![0u8; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(
                &RSA_PKCS1_SHA256,
                &self.rng,
                token.as_bytes(),
                &mut signature,
            )
            .map_err(|_| TokenError("RSA signing failed".into()))?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut token);
        Ok(IssuedToken {
            access_token: token,
            expires_in: self.lifetime_secs,
            claims,
        })
    }
}

impl TokenIssuer {
    /// Checks a token the way a resource server would: signed by this
    /// server's key (RS256, matching `kid`), `nbf` and `exp` around `now`,
    /// `iss` when configured. `Err` says why it is not active.
    pub fn introspect(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<AccessTokenClaims, TokenRejection> {
        let header = jsonwebtoken::decode_header(token).map_err(TokenRejection::NotAJwt)?;
        // RFC 7515 §4.1.11: a recipient must refuse a token whose `crit`
        // names extensions it does not understand; this server knows none.
        let raw_header = token
            .split('.')
            .next()
            .and_then(|h| URL_SAFE_NO_PAD.decode(h).ok())
            .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok());
        if raw_header.is_some_and(|h| h.get("crit").is_some()) {
            return Err(TokenRejection::CriticalExtension);
        }
        if header.alg != Algorithm::RS256 {
            return Err(TokenRejection::Algorithm(header.alg));
        }
        if header.kid.as_deref() != Some(self.kid()) {
            return Err(TokenRejection::UnknownKid);
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_aud = false;
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.required_spec_claims.clear();
        if let Some(iss) = &self.issuer {
            validation.set_issuer(&[iss]);
        }
        let claims =
            jsonwebtoken::decode::<AccessTokenClaims>(token, &self.decoding_key, &validation)
                .map_err(TokenRejection::Rejected)?
                .claims;
        claims.valid_at(now)?;
        Ok(claims)
    }
}

impl AccessTokenClaims {
    /// `Err` says why the token is not valid at `now`.
    pub fn valid_at(&self, now: DateTime<Utc>) -> Result<(), TokenRejection> {
        let now = now.timestamp();
        if now >= self.exp {
            return Err(TokenRejection::Expired {
                secs_ago: now - self.exp,
            });
        }
        if now < self.nbf {
            return Err(TokenRejection::NotYetValid);
        }
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{decode, decode_header};

    fn issuer() -> TokenIssuer {
        let pem = include_str!("../keys/signing-key.pem");
        TokenIssuer::from_pem(pem, Some("snap-mock".into()), 900).unwrap()
    }

    #[test]
    fn an_issued_token_verifies_against_the_jwks_with_jsonwebtoken() {
        let issuer = issuer();
        let now = Utc::now();
        let token = issuer.issue("demo-client", now).unwrap();
        let header = decode_header(&token.access_token).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some(issuer.kid()));
        let key = DecodingKey::from_jwk(&issuer.jwks().keys[0]).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&["demo-client"]);
        validation.set_issuer(&["snap-mock"]);
        let data = decode::<AccessTokenClaims>(&token.access_token, &key, &validation).unwrap();
        assert_eq!(data.claims, token.claims);
        assert_eq!(data.claims.exp - data.claims.iat, 900);
        assert_eq!(data.claims.nbf, data.claims.iat);
        assert_eq!(data.claims.sub, "");
        assert_eq!(data.claims.scopes, vec!["request"]);
        assert_eq!(data.claims.jti.len(), 80);
    }

    #[test]
    fn a_token_is_valid_from_its_nbf_to_just_before_its_exp() {
        let issuer = issuer();
        assert_eq!(issuer.lifetime_secs(), 900);
        let t0 = Utc::now();
        let claims = issuer.issue("c", t0).unwrap().claims;
        let at = |secs: i64| t0 + chrono::Duration::seconds(secs);
        for ok in [0, 1, 899] {
            assert!(claims.valid_at(at(ok)).is_ok(), "{ok}");
        }
        assert!(matches!(
            claims.valid_at(at(-1)),
            Err(TokenRejection::NotYetValid)
        ));
        assert!(matches!(
            claims.valid_at(at(900)),
            Err(TokenRejection::Expired { secs_ago: 0 })
        ));
        let e = claims.valid_at(at(1000)).unwrap_err();
        assert!(matches!(e, TokenRejection::Expired { secs_ago: 100 }));
        assert_eq!(e.to_string(), "expired 100 s ago");
    }

    #[test]
    fn the_issuer_reports_its_key_size_and_never_debug_prints_the_key() {
        let issuer = issuer();
        assert_eq!(issuer.bits(), 2048);
        let shown = format!("{issuer:?}");
        assert!(shown.starts_with("TokenIssuer {"), "{shown}");
        assert!(shown.contains(issuer.kid()), "{shown}");
        assert!(shown.contains("lifetime_secs: 900"), "{shown}");
        assert!(!shown.contains("PRIVATE"), "{shown}");
    }

    #[test]
    fn the_jwks_key_says_it_signs_with_rs256() {
        let issuer = issuer();
        let jwks = serde_json::to_value(issuer.jwks()).unwrap();
        let key = &jwks["keys"][0];
        assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1));
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["use"], "sig");
        assert_eq!(key["alg"], "RS256");
        assert_eq!(key["kid"], issuer.kid());
        assert!(key["n"].as_str().is_some_and(|n| n.len() > 300), "{key}");
        assert_eq!(key["e"], "AQAB");
    }

    #[test]
    fn every_token_has_a_fresh_jti() {
        let issuer = issuer();
        let now = Utc::now();
        let a = issuer.issue("c", now).unwrap();
        let b = issuer.issue("c", now).unwrap();
        assert_ne!(a.claims.jti, b.claims.jti);
        assert_ne!(a.access_token, b.access_token);
    }

    #[test]
    fn the_kid_is_the_rfc7638_thumbprint() {
        let issuer = issuer();
        assert_eq!(issuer.kid().len(), 43);
        assert_eq!(
            issuer.jwk().thumbprint(ThumbprintHash::SHA256).unwrap(),
            issuer.kid()
        );
    }

    #[test]
    fn a_public_key_is_not_a_signing_key() {
        let pem = include_str!("../keys/demo-client.public.pem");
        let e = TokenIssuer::from_pem(pem, None, 900).unwrap_err();
        assert!(e.0.contains("private key is needed"), "{e}");
    }

    #[test]
    fn introspection_accepts_a_fresh_token_and_says_why_others_are_not_active() {
        let issuer = issuer();
        let now = Utc::now();
        let token = issuer.issue("demo-client", now).unwrap();
        assert_eq!(
            issuer.introspect(&token.access_token, now).unwrap(),
            token.claims
        );
        let later = now + chrono::Duration::seconds(901);
        assert!(matches!(
            issuer.introspect(&token.access_token, later),
            Err(TokenRejection::Expired { secs_ago: 1 })
        ));
        let mut tampered = token.access_token.clone();
        tampered.pop();
        tampered.push(if token.access_token.ends_with('A') {
            'B'
        } else {
            'A'
        });
        assert!(issuer.introspect(&tampered, now).is_err());
        assert!(issuer
            .introspect("not-a-jwt", now)
            .unwrap_err()
            .to_string()
            .contains("not a JWT"));
        let other = TokenIssuer::from_pem(
            include_str!("../keys/demo-client.private.pem"),
            Some("snap-mock".into()),
            900,
        )
        .unwrap();
        let foreign = other.issue("demo-client", now).unwrap();
        assert!(matches!(
            issuer.introspect(&foreign.access_token, now),
            Err(TokenRejection::UnknownKid)
        ));
    }

    #[test]
    fn a_token_with_a_crit_header_is_not_active() {
        let issuer = issuer();
        let now = Utc::now();
        let token = issuer.issue("demo-client", now).unwrap().access_token;
        let mut parts = token.splitn(2, '.');
        let (_, rest) = (parts.next().unwrap(), parts.next().unwrap());
        let header = serde_json::json!({"typ":"JWT","alg":"RS256","kid":issuer.kid(),"crit":["exp-x"],"exp-x":1});
        let claims = rest.split('.').next().unwrap();
        let signing_input = format!("{}.{claims}", URL_SAFE_NO_PAD.encode(header.to_string()));
        // Correctly signed with the (published) signing key: only the crit
        // rule can refuse it.
        let key = crate::signing::ClientKeyPair::from_pem(include_str!("../keys/signing-key.pem"))
            .unwrap();
        let signature = base64::engine::general_purpose::STANDARD
            .decode(key.sign(&signing_input).unwrap())
            .unwrap();
        let forged = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature));
        let why = issuer.introspect(&forged, now).unwrap_err();
        assert!(matches!(why, TokenRejection::CriticalExtension), "{why}");
        assert!(issuer.introspect(&token, now).is_ok());
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
