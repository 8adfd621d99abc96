//! The request of one case, built without HTTP: method, URL, headers and
//! body, with a line saying what was sent. Every signature here is made
//! with the client-side signing the `sign` tool uses.

use super::case::{Call, Fault};
use super::{NotifyKind, ProbeConfig};
use crate::signing::{hmac_signature, ClientKeyPair};
use crate::snap::body_hash::BodyHash;
use crate::snap::symmetric::{lower_hex, minify_body};
use crate::snap::timestamp::format_snap_timestamp;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// One request, ready to send.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Outgoing {
    /// Always `POST` for the calls the probe makes.
    pub method: &'static str,
    /// Absolute URL.
    pub url: String,
    /// In the order sent.
    pub headers: Vec<(String, String)>,
    /// Exactly the bytes sent.
    pub body: String,
}

impl Outgoing {
    /// The value of a header sent, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a case's request is built from besides the configuration.
pub(super) struct Inputs<'a> {
    pub now: DateTime<Utc>,
    /// The token of the happy path (service calls).
    pub token: Option<&'a str>,
    /// A token the merchant issued to the other client.
    pub other_token: Option<&'a str>,
    pub external_id: String,
    /// The happy inquiry's `inquiryRequestId`: a payment that follows an
    /// inquiry carries it as `paymentRequestId`.
    pub inquiry_request_id: &'a str,
}

/// The keys a run signs with: the bank's, and one nobody registered.
pub(super) struct Keys<'a> {
    pub bank: &'a ClientKeyPair,
    pub stranger: &'a ClientKeyPair,
}

/// Why a case cannot be built under this configuration.
pub(super) type NotApplicable = String;

pub(super) fn build(
    config: &ProbeConfig,
    keys: &Keys<'_>,
    call: Call,
    fault: Fault,
    inputs: &Inputs<'_>,
) -> Result<Outgoing, NotApplicable> {
    match call {
        Call::Token => Ok(token_request(config, keys, fault, inputs)),
        Call::Inquiry | Call::Payment => service_call(config, call, fault, inputs),
        Call::Notify => notification(config, keys, fault, inputs),
    }
}

/// The timestamp a fault asks for, in the form the standard gives
/// (`yyyy-MM-ddTHH:mm:ss+07:00`) unless the fault is the form.
fn timestamp(fault: Fault, now: DateTime<Utc>) -> String {
    match fault {
        Fault::TimestampStale => format_snap_timestamp(&(now - Duration::minutes(10))),
        Fault::TimestampFuture => format_snap_timestamp(&(now + Duration::minutes(10))),
        Fault::TimestampForm => (now + Duration::hours(7))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        _ => format_snap_timestamp(&now),
    }
}

fn without(headers: Vec<(&str, String)>, fault: Fault) -> Vec<(String, String)> {
    headers
        .into_iter()
        .filter(|(name, _)| !matches!(fault, Fault::HeaderMissing(missing) if missing == *name))
        .map(|(n, v)| (n.to_owned(), v))
        .collect()
}

fn token_request(
    config: &ProbeConfig,
    keys: &Keys<'_>,
    fault: Fault,
    inputs: &Inputs<'_>,
) -> Outgoing {
    let timestamp = timestamp(fault, inputs.now);
    let client_key = match fault {
        Fault::ClientKeyUnknown => format!("probe-unknown-{}", &inputs.external_id[..8]),
        _ => config.client_key.clone(),
    };
    let signed = match fault {
        // Another request's: a second earlier.
        Fault::SignatureOfOtherString => format!(
            "{client_key}|{}",
            format_snap_timestamp(&(inputs.now - Duration::seconds(1)))
        ),
        _ => format!("{client_key}|{timestamp}"),
    };
    let key = match fault {
        Fault::SignatureByOtherKey => keys.stranger,
        _ => keys.bank,
    };
    let signature = key.sign(&signed).unwrap_or_default();
    let body = match fault {
        Fault::GrantType(Some(grant)) => json!({"grantType": grant, "additionalInfo": {}}),
        Fault::GrantType(None) => json!({"additionalInfo": {}}),
        _ => json!({"grantType": "client_credentials", "additionalInfo": {}}),
    };
    Outgoing {
        method: "POST",
        url: config.url(&config.token_path),
        headers: without(
            vec![
                ("Content-Type", "application/json".to_owned()),
                ("X-TIMESTAMP", timestamp),
                ("X-CLIENT-KEY", client_key),
                ("X-SIGNATURE", signature),
            ],
            fault,
        ),
        body: body.to_string(),
    }
}

/// `partnerServiceId` is the VA's first 8 characters (spaces kept), the
/// customer number the rest: the standard's `virtualAccountNo`.
fn va_parts(va: &str) -> (&str, &str) {
    let split = va.char_indices().nth(8).map_or(va.len(), |(i, _)| i);
    va.split_at(split)
}

/// A VA of the same shape the merchant cannot know: its customer number's
/// digits replaced.
fn unknown_va(va: &str) -> String {
    let (service_id, customer) = va_parts(va);
    let filler = if customer.chars().all(|c| c == '9') {
        '8'
    } else {
        '9'
    };
    format!(
        "{service_id}{}",
        customer.chars().map(|_| filler).collect::<String>()
    )
}

/// `value` plus one rupiah, keeping two decimals.
fn one_rupiah_more(value: &str) -> String {
    let cents: i64 = value.replace('.', "").parse().unwrap_or(0);
    let more = cents + 100;
    format!("{}.{:02}", more / 100, more % 100)
}

fn service_body(config: &ProbeConfig, call: Call, fault: Fault, inputs: &Inputs<'_>) -> Value {
    let va = match fault {
        Fault::VaUnknown => unknown_va(&config.virtual_account),
        _ => config.virtual_account.clone(),
    };
    let (service_id, customer) = va_parts(&va);
    let amount = |value: String| json!({"value": value, "currency": config.currency});
    let trx_time = format_snap_timestamp(&inputs.now);
    match call {
        Call::Payment => {
            let paid = match fault {
                Fault::AmountWrong => one_rupiah_more(&config.amount),
                _ => config.amount.clone(),
            };
            json!({
                "partnerServiceId": service_id,
                "customerNo": customer,
                "virtualAccountNo": va,
                "virtualAccountName": "Probe Customer",
                "paymentRequestId": inputs.inquiry_request_id,
                "channelCode": 6011,
                "hashedSourceAccountNo": "",
                "sourceBankCode": "014",
                "paidAmount": amount(paid),
                "totalAmount": amount(config.amount.clone()),
                "trxDateTime": trx_time,
                "referenceNo": &inputs.external_id[..12],
                "flagAdvise": "N",
                "additionalInfo": {}
            })
        }
        _ => json!({
            "partnerServiceId": service_id,
            "customerNo": customer,
            "virtualAccountNo": va,
            "trxDateInit": trx_time,
            "channelCode": 6011,
            "sourceBankCode": "014",
            "inquiryRequestId": match fault {
                Fault::None => inputs.inquiry_request_id.to_owned(),
                _ => uuid::Uuid::new_v4().simple().to_string(),
            },
            "additionalInfo": {}
        }),
    }
}

/// The bytes whose SHA-256 the signature covers, under the dialect.
fn hashed(config: &ProbeConfig, body: &str) -> String {
    let bytes = match config.body_hash {
        BodyHash::Minified => minify_body(body.as_bytes()),
        BodyHash::AsSent => body.as_bytes().to_vec(),
    };
    lower_hex(&Sha256::digest(bytes))
}

fn service_call(
    config: &ProbeConfig,
    call: Call,
    fault: Fault,
    inputs: &Inputs<'_>,
) -> Result<Outgoing, NotApplicable> {
    let path = match call {
        Call::Payment => &config.payment_path,
        _ => &config.inquiry_path,
    };
    let value = service_body(config, call, fault, inputs);
    let body = match fault {
        Fault::BodyNotMinified if config.body_hash == BodyHash::AsSent => {
            return Err("the provider's dialect hashes the body as sent".into())
        }
        Fault::BodyNotMinified => serde_json::to_string_pretty(&value).unwrap_or_default(),
        _ => value.to_string(),
    };
    let body_hash = match fault {
        Fault::BodyNotMinified => lower_hex(&Sha256::digest(body.as_bytes())),
        _ => hashed(config, &body),
    };
    let token = match fault {
        Fault::TokenMadeUp => "probe-made-up-token-0123456789abcdef".to_owned(),
        Fault::TokenOfOtherClient => inputs.other_token.unwrap_or_default().to_owned(),
        _ => inputs.token.unwrap_or_default().to_owned(),
    };
    let timestamp = timestamp(fault, inputs.now);
    let secret = match fault {
        Fault::SecretOther => "probe-not-the-client-secret",
        _ => config.client_secret.as_str(),
    };
    let sts = format!("POST:{path}:{token}:{body_hash}:{timestamp}");
    let url = match fault {
        Fault::QueryNotSigned => config.url(&format!("{path}?probe=1")),
        _ => config.url(path),
    };
    let mut headers = vec![("Content-Type", "application/json".to_owned())];
    if fault != Fault::TokenMissing {
        headers.push(("Authorization", format!("Bearer {token}")));
    }
    headers.extend([
        ("X-TIMESTAMP", timestamp),
        ("X-SIGNATURE", hmac_signature(secret, &sts)),
        ("X-PARTNER-ID", config.partner_id().to_owned()),
        ("X-EXTERNAL-ID", inputs.external_id.clone()),
    ]);
    if let Some(channel) = &config.channel_id {
        headers.push(("CHANNEL-ID", channel.clone()));
    } else if matches!(fault, Fault::HeaderMissing("CHANNEL-ID")) {
        return Err("the provider's dialect sends no CHANNEL-ID".into());
    }
    Ok(Outgoing {
        method: "POST",
        url,
        headers: without(headers, fault),
        body,
    })
}

fn notification_body(config: &ProbeConfig, inputs: &Inputs<'_>, amount: &str) -> Value {
    let money = json!({"value": amount, "currency": config.currency});
    let reference = &inputs.external_id[..12];
    match config.notify_kind {
        NotifyKind::Va => {
            let (service_id, customer) = va_parts(&config.notify_va);
            json!({
                "partnerServiceId": service_id,
                "customerNo": customer,
                "virtualAccountNo": config.notify_va,
                "virtualAccountName": "Probe Customer",
                "paymentRequestId": inputs.external_id,
                "paidAmount": money,
                "trxDateTime": format_snap_timestamp(&inputs.now),
                "referenceNo": reference,
                "additionalInfo": {}
            })
        }
        NotifyKind::Qris | NotifyKind::Debit => json!({
            "originalReferenceNo": reference,
            "originalPartnerReferenceNo": format!("probe-{reference}"),
            "latestTransactionStatus": "00",
            "transactionStatusDesc": "Success",
            "amount": money,
            "finishedTime": format_snap_timestamp(&inputs.now),
            "additionalInfo": {}
        }),
    }
}

fn notification(
    config: &ProbeConfig,
    keys: &Keys<'_>,
    fault: Fault,
    inputs: &Inputs<'_>,
) -> Result<Outgoing, NotApplicable> {
    let url = config
        .notify_url
        .clone()
        .ok_or_else(|| "no --notify URL".to_owned())?;
    let path = super::path_and_query(&url);
    let signed_body = notification_body(config, inputs, &config.amount).to_string();
    let body = match fault {
        Fault::BodyChangedAfterSigning => {
            notification_body(config, inputs, &one_rupiah_more(&config.amount)).to_string()
        }
        // Another notification under an X-EXTERNAL-ID already used: a new
        // reference in the body, signed as it is.
        Fault::ExternalIdReplayed => {
            let mut value = notification_body(config, inputs, &config.amount);
            value["additionalInfo"] = json!({"probe": "second notification"});
            value.to_string()
        }
        _ => signed_body.clone(),
    };
    let signed = match fault {
        Fault::BodyChangedAfterSigning => signed_body,
        _ => body.clone(),
    };
    let timestamp = timestamp(fault, inputs.now);
    let sts = format!("POST:{path}:{}:{timestamp}", hashed(config, &signed));
    let key = match fault {
        Fault::SignatureByOtherKey => keys.stranger,
        _ => keys.bank,
    };
    let mut headers = vec![
        ("Content-Type", "application/json".to_owned()),
        ("X-TIMESTAMP", timestamp),
        ("X-SIGNATURE", key.sign(&sts).unwrap_or_default()),
        ("X-PARTNER-ID", config.partner_id().to_owned()),
        ("X-EXTERNAL-ID", inputs.external_id.clone()),
    ];
    if let Some(channel) = &config.channel_id {
        headers.push(("CHANNEL-ID", channel.clone()));
    }
    Ok(Outgoing {
        method: "POST",
        url,
        headers: without(headers, fault),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snap::keys::ClientPublicKey;
    use crate::snap::signature::verify_asymmetric;

    fn keys() -> Keys<'static> {
        use std::sync::OnceLock;
        static PAIRS: OnceLock<(ClientKeyPair, ClientKeyPair)> = OnceLock::new();
        let (bank, stranger) = PAIRS.get_or_init(|| {
            (
                ClientKeyPair::from_pem(crate::embedded::PROVIDER_PRIVATE_KEY).unwrap(),
                ClientKeyPair::from_pem(crate::embedded::DEMO_PRIVATE_KEY).unwrap(),
            )
        });
        Keys { bank, stranger }
    }

    fn inputs(now: DateTime<Utc>) -> Inputs<'static> {
        Inputs {
            now,
            token: Some("tok"),
            other_token: Some("other-tok"),
            external_id: "0123456789abcdef0123456789abcdef".into(),
            inquiry_request_id: "inq-1",
        }
    }

    fn config() -> ProbeConfig {
        let mut c = ProbeConfig::new("http://127.0.0.1:1/base");
        c.client_key = "bank".into();
        c.client_secret = "s3cret".into();
        c.virtual_account = "   12345000000001".into();
        c.amount = "10000.00".into();
        c
    }

    fn now() -> DateTime<Utc> {
        "2026-11-30T03:00:00Z".parse().unwrap()
    }

    fn bank_public() -> ClientPublicKey {
        ClientPublicKey::from_pem(crate::embedded::PROVIDER_PUBLIC_KEY).unwrap()
    }

    #[test]
    fn a_token_request_is_signed_over_client_key_and_timestamp_with_the_bank_key() {
        let r = build(&config(), &keys(), Call::Token, Fault::None, &inputs(now())).unwrap();
        assert_eq!(r.url, "http://127.0.0.1:1/base/v1.0/access-token/b2b");
        assert_eq!(r.header("X-TIMESTAMP"), Some("2026-11-30T10:00:00+07:00"));
        let sts = "bank|2026-11-30T10:00:00+07:00";
        let signature = r.header("x-signature").unwrap();
        assert_eq!(
            verify_asymmetric(&bank_public(), sts, signature.as_bytes()),
            Ok(())
        );
        assert_eq!(
            r.body,
            r#"{"grantType":"client_credentials","additionalInfo":{}}"#
        );

        let other = build(
            &config(),
            &keys(),
            Call::Token,
            Fault::SignatureByOtherKey,
            &inputs(now()),
        )
        .unwrap();
        assert!(verify_asymmetric(
            &bank_public(),
            sts,
            other.header("X-SIGNATURE").unwrap().as_bytes()
        )
        .is_err());
        let other = build(
            &config(),
            &keys(),
            Call::Token,
            Fault::SignatureOfOtherString,
            &inputs(now()),
        )
        .unwrap();
        assert!(verify_asymmetric(
            &bank_public(),
            sts,
            other.header("X-SIGNATURE").unwrap().as_bytes()
        )
        .is_err());
        let stale = build(
            &config(),
            &keys(),
            Call::Token,
            Fault::TimestampStale,
            &inputs(now()),
        )
        .unwrap();
        assert_eq!(
            stale.header("X-TIMESTAMP"),
            Some("2026-11-30T09:50:00+07:00")
        );
        assert_eq!(
            verify_asymmetric(
                &bank_public(),
                "bank|2026-11-30T09:50:00+07:00",
                stale.header("X-SIGNATURE").unwrap().as_bytes()
            ),
            Ok(()),
            "only the timestamp is wrong: the signature matches it"
        );
        let form = build(
            &config(),
            &keys(),
            Call::Token,
            Fault::TimestampForm,
            &inputs(now()),
        )
        .unwrap();
        assert_eq!(form.header("X-TIMESTAMP"), Some("2026-11-30 10:00:00"));
        let missing = build(
            &config(),
            &keys(),
            Call::Token,
            Fault::HeaderMissing("X-CLIENT-KEY"),
            &inputs(now()),
        )
        .unwrap();
        assert_eq!(
            (missing.header("X-CLIENT-KEY"), missing.headers.len()),
            (None, 3)
        );
        let grant = build(
            &config(),
            &keys(),
            Call::Token,
            Fault::GrantType(None),
            &inputs(now()),
        )
        .unwrap();
        assert!(!grant.body.contains("grantType"));
        let unknown = build(
            &config(),
            &keys(),
            Call::Token,
            Fault::ClientKeyUnknown,
            &inputs(now()),
        )
        .unwrap();
        assert_eq!(
            unknown.header("X-CLIENT-KEY"),
            Some("probe-unknown-01234567")
        );
    }

    fn hmac_of(r: &Outgoing, path: &str, token: &str, hashed_body: &[u8], secret: &str) -> String {
        let sts = format!(
            "POST:{path}:{token}:{}:{}",
            lower_hex(&Sha256::digest(hashed_body)),
            r.header("X-TIMESTAMP").unwrap()
        );
        hmac_signature(secret, &sts)
    }

    #[test]
    fn an_inquiry_is_signed_with_the_standard_hmac_and_carries_the_va_split_in_two() {
        let r = build(
            &config(),
            &keys(),
            Call::Inquiry,
            Fault::None,
            &inputs(now()),
        )
        .unwrap();
        let path = "/base/v1.0/transfer-va/inquiry";
        assert_eq!(r.url, format!("http://127.0.0.1:1{path}"));
        assert_eq!(r.header("Authorization"), Some("Bearer tok"));
        assert_eq!(
            r.header("X-SIGNATURE").unwrap(),
            hmac_of(&r, path, "tok", r.body.as_bytes(), "s3cret")
        );
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["partnerServiceId"], "   12345");
        assert_eq!(body["customerNo"], "000000001");
        assert_eq!(body["virtualAccountNo"], "   12345000000001");
        assert_eq!(body["inquiryRequestId"], "inq-1");
        assert_eq!(
            (r.header("X-PARTNER-ID"), r.header("CHANNEL-ID")),
            (Some("bank"), Some("95221"))
        );

        let pretty = build(
            &config(),
            &keys(),
            Call::Inquiry,
            Fault::BodyNotMinified,
            &inputs(now()),
        )
        .unwrap();
        assert!(pretty.body.contains('\n'));
        assert_eq!(
            pretty.header("X-SIGNATURE").unwrap(),
            hmac_of(&pretty, path, "tok", pretty.body.as_bytes(), "s3cret")
        );
        assert_ne!(
            pretty.header("X-SIGNATURE").unwrap(),
            hmac_of(
                &pretty,
                path,
                "tok",
                &minify_body(pretty.body.as_bytes()),
                "s3cret"
            )
        );

        let query = build(
            &config(),
            &keys(),
            Call::Inquiry,
            Fault::QueryNotSigned,
            &inputs(now()),
        )
        .unwrap();
        assert!(query.url.ends_with("/inquiry?probe=1"));
        assert_eq!(
            query.header("X-SIGNATURE").unwrap(),
            hmac_of(&query, path, "tok", query.body.as_bytes(), "s3cret")
        );

        let other = build(
            &config(),
            &keys(),
            Call::Inquiry,
            Fault::SecretOther,
            &inputs(now()),
        )
        .unwrap();
        assert_ne!(
            other.header("X-SIGNATURE").unwrap(),
            hmac_of(&other, path, "tok", other.body.as_bytes(), "s3cret")
        );
        let none = build(
            &config(),
            &keys(),
            Call::Inquiry,
            Fault::TokenMissing,
            &inputs(now()),
        )
        .unwrap();
        assert_eq!(none.header("Authorization"), None);
        let theirs = build(
            &config(),
            &keys(),
            Call::Inquiry,
            Fault::TokenOfOtherClient,
            &inputs(now()),
        )
        .unwrap();
        assert_eq!(theirs.header("Authorization"), Some("Bearer other-tok"));
        assert_eq!(
            theirs.header("X-SIGNATURE").unwrap(),
            hmac_of(&theirs, path, "other-tok", theirs.body.as_bytes(), "s3cret")
        );
        let unknown = build(
            &config(),
            &keys(),
            Call::Inquiry,
            Fault::VaUnknown,
            &inputs(now()),
        )
        .unwrap();
        assert!(
            unknown
                .body
                .contains(r#""virtualAccountNo":"   12345999999999""#),
            "{}",
            unknown.body
        );
    }

    #[test]
    fn a_payment_carries_the_inquiry_id_and_the_wrong_amount_is_one_rupiah_more() {
        let r = build(
            &config(),
            &keys(),
            Call::Payment,
            Fault::None,
            &inputs(now()),
        )
        .unwrap();
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["paymentRequestId"], "inq-1");
        assert_eq!(
            body["paidAmount"],
            json!({"value": "10000.00", "currency": "IDR"})
        );
        let wrong = build(
            &config(),
            &keys(),
            Call::Payment,
            Fault::AmountWrong,
            &inputs(now()),
        )
        .unwrap();
        let body: Value = serde_json::from_str(&wrong.body).unwrap();
        assert_eq!(body["paidAmount"]["value"], "10001.00");
        assert_eq!(one_rupiah_more("0.99"), "1.99");
        assert_eq!(unknown_va("   1234599"), "   1234588");
    }

    #[test]
    fn a_dialect_without_channel_id_or_hashing_as_sent_makes_some_cases_not_apply() {
        let mut c = config();
        c.channel_id = None;
        c.body_hash = BodyHash::AsSent;
        assert!(build(
            &c,
            &keys(),
            Call::Inquiry,
            Fault::HeaderMissing("CHANNEL-ID"),
            &inputs(now())
        )
        .is_err());
        assert!(build(
            &c,
            &keys(),
            Call::Inquiry,
            Fault::BodyNotMinified,
            &inputs(now())
        )
        .is_err());
        let r = build(&c, &keys(), Call::Inquiry, Fault::None, &inputs(now())).unwrap();
        assert_eq!(r.header("CHANNEL-ID"), None);
    }

    #[test]
    fn a_notification_is_signed_over_path_body_hash_and_timestamp() {
        let mut c = config();
        c.notify_url = Some("http://127.0.0.1:2/hooks/v1.0/transfer-va/payment?x=1".into());
        c.notify_va = c.virtual_account.clone();
        let r = build(&c, &keys(), Call::Notify, Fault::None, &inputs(now())).unwrap();
        let sts = |body: &str, ts: &str| {
            format!(
                "POST:/hooks/v1.0/transfer-va/payment?x=1:{}:{ts}",
                lower_hex(&Sha256::digest(minify_body(body.as_bytes())))
            )
        };
        let ts = r.header("X-TIMESTAMP").unwrap();
        assert_eq!(
            verify_asymmetric(
                &bank_public(),
                &sts(&r.body, ts),
                r.header("X-SIGNATURE").unwrap().as_bytes()
            ),
            Ok(())
        );
        assert_eq!(r.header("Authorization"), None);
        let changed = build(
            &c,
            &keys(),
            Call::Notify,
            Fault::BodyChangedAfterSigning,
            &inputs(now()),
        )
        .unwrap();
        assert_ne!(changed.body, r.body);
        assert_eq!(
            changed.header("X-SIGNATURE"),
            r.header("X-SIGNATURE"),
            "signed over the original body"
        );
        let again = build(
            &c,
            &keys(),
            Call::Notify,
            Fault::ExternalIdReplayed,
            &inputs(now()),
        )
        .unwrap();
        assert_ne!(again.body, r.body);
        assert_eq!(again.header("X-EXTERNAL-ID"), r.header("X-EXTERNAL-ID"));
        assert_eq!(
            verify_asymmetric(
                &bank_public(),
                &sts(&again.body, ts),
                again.header("X-SIGNATURE").unwrap().as_bytes()
            ),
            Ok(())
        );
        c.notify_url = None;
        assert!(build(&c, &keys(), Call::Notify, Fault::None, &inputs(now())).is_err());
    }
}
