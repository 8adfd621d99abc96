use crate::clients::Client;
use crate::snap::error::{Failure, SnapError, UnauthorizedReason};
use crate::snap::response_code::ServiceCode;
use crate::snap::symmetric::{diagnose_symmetric_with, string_to_sign, verify_symmetric};
use crate::snap::SigningRules;
use crate::store::IdCheck;
use crate::tokens::{AccessTokenClaims, TokenRejection};
use chrono::NaiveDate;

/// What a service signature covers besides the headers.
#[derive(Debug, Clone, Copy)]
pub struct ServiceCall<'a> {
    pub method: &'a str,
    /// Path and query exactly as sent: what the client signed.
    pub relative_url: &'a str,
    pub body: &'a [u8],
    /// The body form hashed and the mount left out of the signed path.
    pub rules: SigningRules<'a>,
}

/// The token of `Authorization: Bearer <token>` (`401xx03` when there is
/// no such header, `401xx01` when it is not a bearer token).
pub fn bearer(authorization: Option<&[u8]>, service: ServiceCode) -> Result<&str, SnapError> {
    let authorization = authorization
        .filter(|v| !v.iter().all(u8::is_ascii_whitespace))
        .ok_or_else(|| {
            SnapError::new(
                service,
                Failure::TokenNotFound,
                "no Authorization: Bearer <access token> header",
            )
        })?;
    std::str::from_utf8(authorization)
        .ok()
        .and_then(|a| a.split_once(' '))
        .filter(|(scheme, token)| scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .map(|(_, token)| token.trim())
        .ok_or_else(|| {
            SnapError::new(
                service,
                Failure::InvalidToken,
                "Authorization must be \"Bearer <access token>\"",
            )
        })
}

/// The claims of a bearer token as the server found them, or `401xx01`
/// saying why it is not valid here.
pub fn token_claims(
    introspected: Result<AccessTokenClaims, TokenRejection>,
    service: ServiceCode,
) -> Result<AccessTokenClaims, SnapError> {
    introspected.map_err(|why| {
        SnapError::new(
            service,
            Failure::InvalidToken,
            format!("the bearer token is not valid here: {why}"),
        )
    })
}

/// A B2B token: a B2B2C customer token belongs in `Authorization-Customer`,
/// not in `Authorization` (`401xx01` unless `accept_customer_token`).
pub fn b2b_token(
    claims: &AccessTokenClaims,
    accept_customer_token: bool,
    service: ServiceCode,
) -> Result<(), SnapError> {
    if !claims.is_customer_token() || accept_customer_token {
        return Ok(());
    }
    Err(SnapError::new(
        service,
        Failure::InvalidToken,
        format!(
            "the bearer token is a B2B2C customer token (customer {:?}); Authorization needs the client's B2B access token (--accept-customer-token allows it)",
            claims.sub
        ),
    ))
}

/// `X-PARTNER-ID` names the token's client: its client key or its
/// registered `partnerId` (`401xx00` otherwise, unless `any`). Without this
/// a token of one client would pass under every partner id, and the same
/// `X-EXTERNAL-ID` again under each.
pub fn partner_id(
    partner: &str,
    client: &Client,
    any: bool,
    service: ServiceCode,
) -> Result<(), SnapError> {
    if any || partner == client.client_key || client.partner_id.as_deref() == Some(partner) {
        return Ok(());
    }
    let registered = match &client.partner_id {
        Some(id) => format!(
            "its client key {:?} or its partnerId {id:?}",
            client.client_key
        ),
        None => format!(
            "its client key {:?} (or a partnerId registered for it in clients.json)",
            client.client_key
        ),
    };
    Err(SnapError::new(
        service,
        Failure::Unauthorized(UnauthorizedReason::UnknownClient),
        format!(
            "X-PARTNER-ID {partner:?} is not the token's client: expected {registered} (--any-partner-id accepts any)"
        ),
    ))
}

/// `X-SIGNATURE` is `base64(HMAC-SHA512(secret, string_to_sign))`, where
/// `string_to_sign` is [`symmetric_string_to_sign`] of the other arguments
/// (`401xx00` otherwise, with the diagnosis).
pub fn symmetric_signature(
    secret: &str,
    string_to_sign: &str,
    call: &ServiceCall<'_>,
    access_token: &str,
    timestamp: &str,
    signature: &str,
    service: ServiceCode,
) -> Result<(), SnapError> {
    if verify_symmetric(secret.as_bytes(), string_to_sign, signature.as_bytes()) {
        return Ok(());
    }
    let diagnosis = diagnose_symmetric_with(
        call.rules,
        secret.as_bytes(),
        call.method,
        call.relative_url,
        access_token,
        call.body,
        timestamp,
        signature.as_bytes(),
    );
    Err(SnapError::new(
        service,
        Failure::Unauthorized(UnauthorizedReason::InvalidSignature),
        diagnosis,
    ))
}

/// The string the asymmetric service signature covers:
/// `METHOD:url:lowercase(hex(sha256(minified body))):timestamp`.
pub fn asymmetric_string_to_sign(call: &ServiceCall<'_>, timestamp: &str) -> String {
    format!(
        "{}:{}:{}:{timestamp}",
        call.method.to_ascii_uppercase(),
        call.relative_url,
        call.rules.body_hash.hash(call.body)
    )
}

/// The string the symmetric signature covers.
pub fn symmetric_string_to_sign(
    call: &ServiceCall<'_>,
    access_token: &str,
    timestamp: &str,
) -> String {
    string_to_sign(
        call.method,
        call.relative_url,
        access_token,
        &call.rules.body_hash.bytes(call.body),
        timestamp,
    )
}

/// The standard types `X-EXTERNAL-ID` as String(36).
pub const EXTERNAL_ID_MAX_CHARS: usize = 36;

/// `X-EXTERNAL-ID` of at most `max_chars` characters (the standard's 36
/// unless the preset or `--external-id-max-chars` says otherwise;
/// `400xx01` past it), checked before anything is stored.
pub fn external_id_format(
    external_id: &str,
    max_chars: usize,
    service: ServiceCode,
) -> Result<(), SnapError> {
    let chars = external_id.chars().count();
    if chars <= max_chars {
        return Ok(());
    }
    Err(SnapError::new(
        service,
        Failure::InvalidFieldFormat(crate::snap::Field::ExternalId),
        format!(
            "X-EXTERNAL-ID is {chars} characters long; at most {max_chars} here (the standard types it String({EXTERNAL_ID_MAX_CHARS}); --external-id-max-chars)"
        ),
    ))
}

/// `X-EXTERNAL-ID` not yet used by `partner` on `day` (`409xx00`
/// otherwise), from what the store's check-and-record found. A day whose
/// store is full is a `500xx01` that says so, never a silent pass.
pub fn external_id_unused(
    check: IdCheck,
    partner: &str,
    external_id: &str,
    day: NaiveDate,
    service: ServiceCode,
) -> Result<(), SnapError> {
    match check {
        IdCheck::Fresh => Ok(()),
        IdCheck::Used => Err(SnapError::new(
            service,
            Failure::Conflict,
            format!(
                "X-EXTERNAL-ID {external_id:?} was already used by partner {partner:?} today ({day})"
            ),
        )),
        IdCheck::Full { max } => {
            static FULL: crate::throttle::Throttle =
                crate::throttle::Throttle::new(std::time::Duration::from_secs(10));
            FULL.warn(|| format!(
                "the X-EXTERNAL-ID store holds its maximum of {max} ids for {day}; new ids that day get 500 (--max-external-ids)"
            ));
            Err(SnapError::new(
                service,
                Failure::Internal,
                format!(
                    "snap-mock holds its maximum of {max} X-EXTERNAL-IDs for {day} and cannot check a new one; raise --max-external-ids"
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snap::symmetric::hmac_sha512_base64;
    use crate::store::memory::ExternalIds;
    use crate::tokens::TokenIssuer;
    use chrono::Utc;

    fn bearer_token(
        authorization: Option<&[u8]>,
        introspect: impl FnOnce(&str) -> Result<AccessTokenClaims, TokenRejection>,
        service: ServiceCode,
    ) -> Result<(&str, AccessTokenClaims), SnapError> {
        let token = bearer(authorization, service)?;
        Ok((token, token_claims(introspect(token), service)?))
    }

    fn issuer() -> TokenIssuer {
        crate::embedded::token_issuer(Some("snap-mock".into()), 900).unwrap()
    }

    #[test]
    fn no_authorization_is_token_not_found() {
        let e = bearer_token(
            None,
            |t| issuer().introspect(t, Utc::now()),
            crate::snap::ServiceCode(47),
        )
        .unwrap_err();
        assert_eq!(e.response_code().to_string(), "4014703");
        let e = bearer_token(
            Some(b"  "),
            |t| issuer().introspect(t, Utc::now()),
            crate::snap::ServiceCode(47),
        )
        .unwrap_err();
        assert_eq!(e.failure, Failure::TokenNotFound);
    }

    #[test]
    fn a_malformed_foreign_or_expired_token_is_invalid() {
        let tokens = issuer();
        let now = Utc::now();
        for bad in [&b"Basic abc"[..], b"Bearer ", b"Bearer not-a-jwt"] {
            let e = bearer_token(
                Some(bad),
                |t| tokens.introspect(t, now),
                crate::snap::ServiceCode(47),
            )
            .unwrap_err();
            assert_eq!(e.response_code().to_string(), "4014701", "{bad:?}");
        }
        let issued = tokens.issue("demo-client", now).unwrap();
        let header = format!("Bearer {}", issued.access_token);
        let (token, claims) = bearer_token(
            Some(header.as_bytes()),
            |t| tokens.introspect(t, now),
            crate::snap::ServiceCode(47),
        )
        .unwrap();
        assert_eq!(
            (token, claims.aud.as_str()),
            (issued.access_token.as_str(), "demo-client")
        );
        let later = now + chrono::Duration::seconds(901);
        let e = bearer_token(
            Some(header.as_bytes()),
            |t| tokens.introspect(t, later),
            crate::snap::ServiceCode(47),
        )
        .unwrap_err();
        assert!(e.detail.contains("expired"), "{}", e.detail);
    }

    #[test]
    fn a_customer_token_is_not_a_b2b_token_unless_allowed() {
        let tokens = issuer();
        let now = Utc::now();
        let b2b = tokens.issue("demo-client", now).unwrap().claims;
        let customer = tokens
            .issue_for("demo-client", Some("customer-001"), &["customer"], now)
            .unwrap()
            .claims;
        assert!(b2b_token(&b2b, false, crate::snap::ServiceCode(47)).is_ok());
        let e = b2b_token(&customer, false, crate::snap::ServiceCode(47)).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4014701");
        assert!(e.detail.contains("customer-001"), "{}", e.detail);
        assert!(b2b_token(&customer, true, crate::snap::ServiceCode(47)).is_ok());
    }

    #[test]
    fn the_partner_id_is_the_token_client_or_its_registered_partner_id() {
        let clients = crate::embedded::clients().unwrap();
        let demo = clients.get("demo-client").unwrap();
        assert!(partner_id("demo-client", demo, false, crate::snap::ServiceCode(47)).is_ok());
        let e = partner_id("partner-001", demo, false, crate::snap::ServiceCode(47)).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4014700");
        assert!(
            e.detail.contains("\"partner-001\"") && e.detail.contains("\"demo-client\""),
            "{}",
            e.detail
        );
        assert!(partner_id("partner-001", demo, true, crate::snap::ServiceCode(47)).is_ok());
        let mut entry: crate::clients::ClientEntry = serde_json::from_value(serde_json::json!({
            "clientKey": "c", "publicKey": "demo-client.public.pem", "partnerId": "P-9"
        }))
        .unwrap();
        let with_id = Client::from_entry_with(entry.clone(), &crate::embedded::key_file).unwrap();
        assert!(partner_id("P-9", &with_id, false, crate::snap::ServiceCode(47)).is_ok());
        assert!(partner_id("c", &with_id, false, crate::snap::ServiceCode(47)).is_ok());
        let e =
            partner_id("demo-client", &with_id, false, crate::snap::ServiceCode(47)).unwrap_err();
        assert!(e.detail.contains("\"P-9\""), "{}", e.detail);
        entry.partner_id = None;
        let without = Client::from_entry_with(entry, &crate::embedded::key_file).unwrap();
        assert!(partner_id("P-9", &without, false, crate::snap::ServiceCode(47)).is_err());
    }

    #[test]
    fn a_signature_with_the_secret_verifies_and_a_wrong_secret_is_diagnosed() {
        let call = ServiceCall {
            method: "POST",
            relative_url: "/v1.0/qr/qr-mpm-generate",
            body: b"",
            rules: SigningRules::default(),
        };
        let ts = "2024-03-05T10:37:16.196Z";
        let sts = symmetric_string_to_sign(&call, "myaccesstoken", ts);
        let signature = hmac_sha512_base64(b"myclientsecret", &sts);
        assert_eq!(
            symmetric_signature(
                "myclientsecret",
                &sts,
                &call,
                "myaccesstoken",
                ts,
                &signature,
                crate::snap::ServiceCode(47)
            ),
            Ok(())
        );
        let e = symmetric_signature(
            "other",
            &sts,
            &call,
            "myaccesstoken",
            ts,
            &signature,
            crate::snap::ServiceCode(47),
        )
        .unwrap_err();
        assert_eq!(e.response_code().to_string(), "4014700");
        assert!(!e.detail.is_empty());
    }

    #[test]
    fn a_reused_external_id_is_a_conflict_naming_the_partner() {
        let ids = ExternalIds::new(1);
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            external_id_unused(
                ids.check_and_record("p", "42", day),
                "p",
                "42",
                day,
                crate::snap::ServiceCode(47)
            ),
            Ok(())
        );
        let e = external_id_unused(
            ids.check_and_record("p", "42", day),
            "p",
            "42",
            day,
            crate::snap::ServiceCode(47),
        )
        .unwrap_err();
        assert_eq!(e.response_code().to_string(), "4094700");
        assert!(
            e.detail.contains("\"p\"") && e.detail.contains("2026-11-25"),
            "{}",
            e.detail
        );
    }

    #[test]
    fn only_a_bearer_scheme_with_a_token_is_a_bearer_token() {
        let svc = crate::snap::ServiceCode(47);
        assert_eq!(bearer(Some(b"Bearer abc"), svc), Ok("abc"));
        assert_eq!(bearer(Some(b"bearer  abc "), svc), Ok("abc"));
        for refused in [
            &b"Basic abc"[..],
            b"Bearer ",
            b"Bearer    ",
            b"Token abc",
            b"abc",
        ] {
            let e = bearer(Some(refused), svc).unwrap_err();
            assert_eq!(e.failure, Failure::InvalidToken, "{refused:?}");
            assert!(e.detail.contains("must be \"Bearer"), "{}", e.detail);
        }
        assert_eq!(
            bearer(None, svc).unwrap_err().failure,
            Failure::TokenNotFound
        );
    }
}
