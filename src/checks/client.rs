use crate::clients::Client;
use crate::snap::diagnosis::{diagnose_asymmetric, diagnose_service_signature, ServiceSigning};
use crate::snap::error::{Failure, SnapError, UnauthorizedReason};
use crate::snap::keys::ClientPublicKey;
use crate::snap::response_code::ServiceCode;
use crate::snap::signature::verify_asymmetric;
use crate::store::ClientStore;
use std::sync::Arc;

fn unauthorized(service: ServiceCode, reason: UnauthorizedReason, detail: String) -> SnapError {
    SnapError::new(service, Failure::Unauthorized(reason), detail)
}

/// The enabled client with this key (`401xx00` otherwise: a disabled
/// client is answered as if unknown).
pub fn client(
    clients: &dyn ClientStore,
    client_key: &str,
    service: ServiceCode,
) -> Result<Arc<Client>, SnapError> {
    let unknown = |detail| unauthorized(service, UnauthorizedReason::UnknownClient, detail);
    let client = clients.get(client_key).ok_or_else(|| {
        unknown(format!(
            "no client is registered with X-CLIENT-KEY {client_key:?} ({} registered)",
            clients.len()
        ))
    })?;
    if !client.enabled {
        return Err(unknown(format!(
            "client {client_key:?} is registered but disabled"
        )));
    }
    Ok(client)
}

/// The enabled client a call without a token names in `X-PARTNER-ID`: by
/// client key, else by registered `partnerId` (`401xx00` otherwise).
pub fn partner(
    clients: &dyn ClientStore,
    partner_id: &str,
    service: ServiceCode,
) -> Result<Arc<Client>, SnapError> {
    if clients.get(partner_id).is_none() {
        // A partner id that is not a client key: find the client that
        // registered it (a scan, on this path only).
        if let Some(c) = clients
            .all()
            .into_iter()
            .find(|c| c.partner_id.as_deref() == Some(partner_id))
        {
            return client(clients, &c.client_key, service);
        }
        return Err(unauthorized(
            service,
            UnauthorizedReason::UnknownClient,
            format!(
                "no client is registered with client key or partnerId {partner_id:?} (X-PARTNER-ID; {} registered)",
                clients.len()
            ),
        ));
    }
    client(clients, partner_id, service)
}

/// `X-SIGNATURE` of a call without a token: SHA256withRSA over
/// `string_to_sign` (`METHOD:url:hash:timestamp`) under the partner's
/// registered key (`401xx00` otherwise, with the diagnosis).
pub fn service_asymmetric_signature(
    client: &Client,
    call: &ServiceSigning<'_>,
    string_to_sign: &str,
    signature: &[u8],
    others: impl FnOnce(usize) -> Vec<Arc<Client>>,
    service: ServiceCode,
) -> Result<(), SnapError> {
    rsa_signature(
        client,
        string_to_sign,
        signature,
        others,
        service,
        |others| {
            diagnose_service_signature(
                &client.public_key,
                call,
                &client.client_key,
                signature,
                others,
            )
        },
    )
}

/// The client's secret for the symmetric signature (`401xx00` when the
/// client has none: no symmetric signature could ever verify).
pub fn client_secret(client: &Client, service: ServiceCode) -> Result<&str, SnapError> {
    client.client_secret.as_deref().ok_or_else(|| {
        unauthorized(
            service,
            UnauthorizedReason::InvalidSignature,
            format!(
                "client {:?} has no clientSecret in the clients fixture, so no symmetric signature can verify",
                client.client_key
            ),
        )
    })
}

/// How many other clients' keys the diagnosis of a bad signature tries
/// ("signed with another client's key"): a fixed cost per bad request,
/// however many clients are registered.
pub const DIAGNOSED_OTHER_CLIENTS: usize = 8;

/// `X-SIGNATURE` is SHA256withRSA over `string_to_sign` under the client's
/// registered key (`401xx00` otherwise, with the diagnosis of what the
/// client most likely did). `others(n)` gives up to `n` other registered
/// clients, asked for only on failure.
pub fn asymmetric_signature(
    client: &Client,
    timestamp: &str,
    string_to_sign: &str,
    signature: &[u8],
    others: impl FnOnce(usize) -> Vec<Arc<Client>>,
    service: ServiceCode,
) -> Result<(), SnapError> {
    rsa_signature(
        client,
        string_to_sign,
        signature,
        others,
        service,
        |others| {
            diagnose_asymmetric(
                &client.public_key,
                &client.client_key,
                timestamp,
                signature,
                others,
            )
        },
    )
}

/// The verification both asymmetric signatures share; on failure, up to
/// [`DIAGNOSED_OTHER_CLIENTS`] other clients go to `diagnose`.
fn rsa_signature(
    client: &Client,
    string_to_sign: &str,
    signature: &[u8],
    others: impl FnOnce(usize) -> Vec<Arc<Client>>,
    service: ServiceCode,
    diagnose: impl FnOnce(&[(&str, &ClientPublicKey)]) -> String,
) -> Result<(), SnapError> {
    if verify_asymmetric(&client.public_key, string_to_sign, signature).is_ok() {
        return Ok(());
    }
    let others: Vec<Arc<Client>> = others(DIAGNOSED_OTHER_CLIENTS + 1)
        .into_iter()
        .filter(|c| c.client_key != client.client_key)
        .take(DIAGNOSED_OTHER_CLIENTS)
        .collect();
    let others: Vec<_> = others
        .iter()
        .map(|c| (c.client_key.as_str(), &c.public_key))
        .collect();
    let diagnosis = diagnose(&others);
    Err(unauthorized(
        service,
        UnauthorizedReason::InvalidSignature,
        format!(
            "{diagnosis}; string-to-sign {string_to_sign:?}; key of {:?} {}",
            client.client_key,
            client.public_key.fingerprint()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::ClientKeyPair;
    use crate::snap::signature::string_to_sign;
    use crate::store::memory::Clients;

    fn store() -> Clients {
        Clients::new(crate::embedded::clients().unwrap())
    }

    #[test]
    fn an_unknown_client_is_unauthorized_in_the_given_service() {
        let e = client(&store(), "nobody", crate::snap::ServiceCode(47)).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4014700");
        assert!(e.detail.contains("\"nobody\""), "{}", e.detail);
    }

    #[test]
    fn a_disabled_client_is_answered_as_unknown() {
        let e = client(&store(), "disabled-client", crate::snap::ServiceCode(73)).unwrap_err();
        assert_eq!(
            e.failure,
            Failure::Unauthorized(UnauthorizedReason::UnknownClient)
        );
        assert!(e.detail.contains("disabled"), "{}", e.detail);
    }

    #[test]
    fn a_client_without_a_secret_cannot_sign_symmetrically() {
        let c = client(&store(), "mock-flaky", crate::snap::ServiceCode(47)).unwrap();
        let e = client_secret(&c, crate::snap::ServiceCode(47)).unwrap_err();
        assert!(e.detail.contains("no clientSecret"), "{}", e.detail);
        let demo = client(&store(), "demo-client", crate::snap::ServiceCode(47)).unwrap();
        assert_eq!(
            client_secret(&demo, crate::snap::ServiceCode(47)),
            Ok("demo-client-secret")
        );
    }

    #[test]
    fn a_good_signature_verifies_and_another_clients_key_is_named() {
        let clients = store();
        let demo = client(&clients, "demo-client", crate::snap::ServiceCode(73)).unwrap();
        let ts = "2026-11-25T12:00:00+07:00";
        let sts = string_to_sign("demo-client", ts);
        let own = ClientKeyPair::from_pem(crate::embedded::DEMO_PRIVATE_KEY).unwrap();
        let good = own.sign(&sts).unwrap();
        assert_eq!(
            asymmetric_signature(
                &demo,
                ts,
                &sts,
                good.as_bytes(),
                |n| clients.some(n),
                crate::snap::ServiceCode(73)
            ),
            Ok(())
        );

        let other = ClientKeyPair::from_pem(crate::embedded::OTHER_PRIVATE_KEY).unwrap();
        let wrong = other.sign(&sts).unwrap();
        let e = asymmetric_signature(
            &demo,
            ts,
            &sts,
            wrong.as_bytes(),
            |n| clients.some(n),
            crate::snap::ServiceCode(73),
        )
        .unwrap_err();
        assert_eq!(e.response_code().to_string(), "4017300");
        assert!(e.detail.contains("demo-client-pkcs1"), "{}", e.detail);
        assert!(e.detail.contains(&sts), "{}", e.detail);
    }

    #[test]
    fn a_bad_signature_is_diagnosed_against_exactly_the_bounded_number_of_other_clients() {
        let clients = store();
        let demo = client(&clients, "demo-client", crate::snap::ServiceCode(73)).unwrap();
        let other = client(&clients, "demo-client-pkcs1", crate::snap::ServiceCode(73)).unwrap();
        let asked = std::cell::Cell::new(0);
        // The client itself comes first, as a store may list it: it is
        // never one of the "others".
        let others = |n: usize| {
            asked.set(n);
            let mut list = vec![demo.clone()];
            list.extend(std::iter::repeat_n(
                other.clone(),
                3 * DIAGNOSED_OTHER_CLIENTS,
            ));
            list.truncate(n);
            list
        };
        let seen = std::cell::RefCell::new(Vec::new());
        let e = rsa_signature(
            &demo,
            "sts",
            b"bad",
            others,
            crate::snap::ServiceCode(73),
            |given| {
                seen.borrow_mut()
                    .extend(given.iter().map(|(key, _)| key.to_string()));
                "diagnosed".into()
            },
        )
        .unwrap_err();
        assert_eq!(asked.get(), DIAGNOSED_OTHER_CLIENTS + 1);
        let seen = seen.into_inner();
        assert_eq!(seen.len(), DIAGNOSED_OTHER_CLIENTS, "{seen:?}");
        assert!(seen.iter().all(|k| k == "demo-client-pkcs1"), "{seen:?}");
        assert!(
            e.detail.starts_with("diagnosed; string-to-sign \"sts\""),
            "{}",
            e.detail
        );
    }
}
