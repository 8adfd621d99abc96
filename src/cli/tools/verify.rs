//! `verify`: a signature checked offline against a public key, with the
//! server's own diagnosis.

use super::*;

/// Offline check of a signature, with the server's diagnosis on failure.
pub fn verify_offline(
    public_key_pem: &str,
    client_key: &str,
    timestamp: &str,
    signature: &str,
) -> Result<String, String> {
    let sts = string_to_sign(client_key, timestamp);
    offline_verdict(public_key_pem, &sts, signature, |key| {
        crate::snap::diagnosis::diagnose_asymmetric(
            key,
            client_key,
            timestamp,
            signature.as_bytes(),
            &[],
        )
    })
}

/// Offline check of an asymmetric service signature (no token), with the
/// server's diagnosis on failure.
pub fn verify_service_offline(
    public_key_pem: &str,
    partner_id: &str,
    method: &str,
    url: &str,
    body: &str,
    timestamp: &str,
    signature: &str,
) -> Result<String, String> {
    let target = super::sign::SignedTarget::of(method, url)?;
    let sts = crate::checks::asymmetric_string_to_sign(&target.call(body), timestamp);
    offline_verdict(public_key_pem, &sts, signature, |key| {
        crate::snap::diagnosis::diagnose_service_signature(
            key,
            &crate::snap::diagnosis::ServiceSigning {
                method: &target.method,
                relative_url: &target.relative_url,
                body: body.as_bytes(),
                timestamp,
                bearer: None,
                rules: Default::default(),
            },
            partner_id,
            signature.as_bytes(),
            &[],
        )
    })
}

/// `valid: ...` when `signature` verifies over `sts` under the PEM's key,
/// else `invalid: <diagnose(key)>; ...`.
fn offline_verdict(
    public_key_pem: &str,
    sts: &str,
    signature: &str,
    diagnose: impl FnOnce(&ClientPublicKey) -> String,
) -> Result<String, String> {
    let key = ClientPublicKey::from_rsa(parse_public_key(public_key_pem).map_err(|e| e.0)?)
        .map_err(|e| e.0)?;
    match verify_asymmetric(&key, sts, signature.as_bytes()) {
        Ok(()) => Ok(format!(
            "valid: a SHA256withRSA (PKCS#1 v1.5) signature of {sts:?} under {}",
            key.fingerprint()
        )),
        Err(_) => Err(format!(
            "invalid: {}; string-to-sign {sts:?}; key {}",
            diagnose(&key),
            key.fingerprint()
        )),
    }
}

/// Checks a symmetric (HMAC-SHA512) service signature offline: `valid: ...`
/// or `invalid: <the diagnosis>`.
pub fn verify_symmetric_offline(
    client_secret: &str,
    access_token: &str,
    method: &str,
    url: &str,
    body: &str,
    timestamp: &str,
    signature: &str,
) -> Result<String, String> {
    let target = super::sign::SignedTarget::of(method, url)?;
    let sts = crate::checks::symmetric_string_to_sign(&target.call(body), access_token, timestamp);
    if crate::snap::symmetric::verify_symmetric(
        client_secret.as_bytes(),
        &sts,
        signature.as_bytes(),
    ) {
        return Ok(format!(
            "valid: an HMAC-SHA512 of {sts:?} under the client secret"
        ));
    }
    Err(format!(
        "invalid: {}",
        crate::snap::symmetric::diagnose_symmetric_with(
            Default::default(),
            client_secret.as_bytes(),
            &target.method,
            &target.relative_url,
            access_token,
            body.as_bytes(),
            timestamp,
            signature.as_bytes(),
        )
    ))
}
