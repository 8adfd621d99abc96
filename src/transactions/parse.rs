//! Request bodies parsed into typed values, or the member that is wrong.

use super::{Details, Money, Status, Transaction, VaChanges};
use crate::snap::error::TransactionFailure;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{json, Map, Value};

/// An EMVCo merchant-presented QR payload for `amount` and `reference`,
/// with its CRC-16/CCITT-FALSE (tag 63), the shape QRIS uses.
pub fn qr_content(amount: &Money, reference: &str) -> String {
    let tlv = |tag: &str, value: &str| format!("{tag}{:02}{value}", value.len());
    let merchant = tlv("00", "ID.CO.QRIS.WWW") + &tlv("01", "936009140000000001");
    let reference: String = reference.chars().take(25).collect();
    let payload = [
        tlv("00", "01"),
        tlv("01", "12"),
        tlv("26", &merchant),
        tlv("52", "5812"),
        tlv("53", "360"),
        tlv("54", &amount.value),
        tlv("58", "ID"),
        tlv("59", "SNAP MOCK"),
        tlv("60", "JAKARTA"),
        tlv("62", &tlv("01", &reference)),
        "6304".to_owned(),
    ]
    .concat();
    let mut crc: u16 = 0xFFFF;
    for byte in payload.bytes() {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    format!("{payload}{crc:04X}")
}

fn text(
    body: &Map<String, Value>,
    member: &'static str,
    max: usize,
) -> Result<String, TransactionFailure> {
    match body.get(member) {
        None | Some(Value::Null) => Err(TransactionFailure::MandatoryField(member)),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(TransactionFailure::MandatoryField(member))
        }
        Some(Value::String(s)) if s.chars().count() <= max => Ok(s.clone()),
        Some(_) => Err(TransactionFailure::FieldFormat(member)),
    }
}

fn optional_text(
    body: &Map<String, Value>,
    member: &'static str,
    max: usize,
) -> Result<Option<String>, TransactionFailure> {
    match body.get(member) {
        None | Some(Value::Null) => Ok(None),
        _ => text(body, member, max).map(Some),
    }
}

fn expiry(
    body: &Map<String, Value>,
    member: &'static str,
) -> Result<Option<DateTime<FixedOffset>>, TransactionFailure> {
    optional_text(body, member, 35)?
        .map(|s| {
            DateTime::parse_from_rfc3339(&s).map_err(|_| TransactionFailure::FieldFormat(member))
        })
        .transpose()
}

/// A `create-va` body, parsed (service 27). The client gives the VA
/// number, as the standard has it, unless `provider_assigns` names the
/// `additionalInfo` member of a provider that assigns numbers itself
/// (NICEPAY's `tXidVA`): then a body that leaves `partnerServiceId`,
/// `customerNo` and `virtualAccountNo` all empty or absent gets a number
/// made from the reference number, and the answer's `additionalInfo` names
/// the transaction by that member.
pub fn parse_create(
    body: &Map<String, Value>,
    client_key: &str,
    reference_no: String,
    now: DateTime<Utc>,
    provider_assigns: Option<&str>,
) -> Result<Transaction, TransactionFailure> {
    let members = [
        ("partnerServiceId", 8),
        ("customerNo", 20),
        ("virtualAccountNo", 28),
    ];
    // Left empty: what the standard's parse refuses as a missing field.
    let assigned = provider_assigns.is_some()
        && members.iter().all(|&(member, max)| {
            matches!(
                text(body, member, max),
                Err(TransactionFailure::MandatoryField(_))
            )
        });
    let (partner_service_id, customer_no, virtual_account_no) = if assigned {
        // 16 digits, as NICEPAY's numbers are: a fixed prefix and the
        // reference number's last 12.
        let tail = reference_no
            .get(reference_no.len().saturating_sub(12)..)
            .unwrap_or(&reference_no);
        let number = format!("8625{tail}");
        (String::new(), number.clone(), number)
    } else {
        let [psid, customer, va] = members.map(|(member, max)| text(body, member, max));
        (psid?, customer?, va?)
    };
    if virtual_account_no.trim() != format!("{partner_service_id}{customer_no}").trim() {
        return Err(TransactionFailure::FieldFormat("virtualAccountNo"));
    }
    let trx_type = optional_text(body, "virtualAccountTrxType", 1)?.unwrap_or_else(|| "C".into());
    if !matches!(
        trx_type.as_str(),
        "C" | "O" | "I" | "V" | "M" | "L" | "N" | "X"
    ) {
        return Err(TransactionFailure::FieldFormat("virtualAccountTrxType"));
    }
    let fields = Fields {
        reference: "trxId",
        amount: "totalAmount",
        expiry: "expiredDate",
    };
    let mut created = pending(body, client_key, reference_no, now, fields, |_, _| {
        Ok(Details::VirtualAccount {
            virtual_account_name: text(body, "virtualAccountName", 255)?,
            trx_type,
            partner_service_id,
            customer_no,
            virtual_account_no,
        })
    })?;
    if let Some(member) = provider_assigns {
        if created.additional_info.is_null() {
            created.additional_info = json!({});
        }
        if let Value::Object(info) = &mut created.additional_info {
            info.insert(member.into(), created.reference_no.clone().into());
        }
    }
    Ok(created)
}

/// The fields every new transaction reads from its body, by the names its
/// call gives them.
struct Fields {
    /// The client's own reference.
    reference: &'static str,
    amount: &'static str,
    expiry: &'static str,
}

/// A new transaction, pending: the client's reference, the amount and the
/// expiry read from `fields`, `additionalInfo` kept, and the details of its
/// kind (given the amount and the reference number).
fn pending(
    body: &Map<String, Value>,
    client_key: &str,
    reference_no: String,
    now: DateTime<Utc>,
    fields: Fields,
    details: impl FnOnce(&Money, &str) -> Result<Details, TransactionFailure>,
) -> Result<Transaction, TransactionFailure> {
    let partner_reference_no = text(body, fields.reference, 64)?;
    let total_amount = Money::from_value(
        body.get(fields.amount)
            .ok_or(TransactionFailure::MandatoryField(fields.amount))?,
        fields.amount,
    )?;
    let expires_at = expiry(body, fields.expiry)?;
    let details = details(&total_amount, &reference_no)?;
    Ok(Transaction {
        reference_no,
        client_key: client_key.to_owned(),
        partner_reference_no,
        total_amount,
        paid_amount: None,
        refunded_amount: None,
        status: Status::Pending,
        status_reason: None,
        expires_at,
        created_at: now,
        updated_at: now,
        additional_info: body
            .get("additionalInfo")
            .cloned()
            .unwrap_or_else(|| json!({})),
        details,
    })
}

/// A debit `payment-host-to-host` body, parsed (service 54).
pub fn parse_debit(
    body: &Map<String, Value>,
    client_key: &str,
    reference_no: String,
    now: DateTime<Utc>,
) -> Result<Transaction, TransactionFailure> {
    let fields = Fields {
        reference: "partnerReferenceNo",
        amount: "amount",
        expiry: "validUpTo",
    };
    pending(body, client_key, reference_no, now, fields, |_, _| {
        Ok(Details::DirectDebit {
            merchant_id: optional_text(body, "merchantId", 64)?,
        })
    })
}

/// A `qr-mpm-generate` body, parsed (service 47).
pub fn parse_qris(
    body: &Map<String, Value>,
    client_key: &str,
    reference_no: String,
    now: DateTime<Utc>,
) -> Result<Transaction, TransactionFailure> {
    let fields = Fields {
        reference: "partnerReferenceNo",
        amount: "amount",
        expiry: "validityPeriod",
    };
    pending(
        body,
        client_key,
        reference_no,
        now,
        fields,
        |amount, reference_no| {
            Ok(Details::Qris {
                merchant_id: optional_text(body, "merchantId", 64)?,
                terminal_id: optional_text(body, "terminalId", 16)?,
                qr_content: qr_content(amount, reference_no),
            })
        },
    )
}

/// The `refundAmount` of a refund body (service 58).
pub fn parse_refund(body: &Map<String, Value>) -> Result<Money, TransactionFailure> {
    Money::from_value(
        body.get("refundAmount")
            .ok_or(TransactionFailure::MandatoryField("refundAmount"))?,
        "refundAmount",
    )
}

/// What names the transaction a call is about: `virtualAccountNo` (spaces
/// trimmed), else `trxId`, else a reference.
pub fn parse_target(body: &Map<String, Value>) -> Result<String, TransactionFailure> {
    for member in [
        "virtualAccountNo",
        "trxId",
        "originalReferenceNo",
        "originalPartnerReferenceNo",
        "referenceNo",
    ] {
        if let Some(id) = optional_text(body, member, 64)? {
            return Ok(id);
        }
    }
    Err(TransactionFailure::MandatoryField("virtualAccountNo"))
}

/// An `update-va` body (service 28).
pub fn parse_changes(body: &Map<String, Value>) -> Result<VaChanges, TransactionFailure> {
    Ok(VaChanges {
        name: optional_text(body, "virtualAccountName", 255)?,
        total_amount: body
            .get("totalAmount")
            .map(|v| Money::from_value(v, "totalAmount"))
            .transpose()?,
        expires_at: expiry(body, "expiredDate")?,
    })
}
