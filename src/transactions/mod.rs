//! Transactions with state: a virtual account a merchant creates, the
//! customer pays (or it expires), and a status query reports. Pure: the
//! request bodies become typed values or a [`TransactionFailure`], actions
//! move a [`Transaction`] from one state to the next, answers are rendered
//! here; the store keeps them and the routes carry them over HTTP.

use crate::snap::error::TransactionFailure;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod answers;
mod calls;
mod parse;

pub use calls::Call;

pub use parse::{parse_changes, parse_create, parse_debit, parse_qris, parse_refund, parse_target};

/// What kind of transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A virtual account (`/v1.0/transfer-va/...`).
    VirtualAccount,
    /// A direct debit payment (`/v1.0/debit/...`).
    DirectDebit,
    /// A QRIS MPM payment (`/v1.0/qr/...`).
    Qris,
}

impl Kind {
    /// The name filters and the journal use.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::VirtualAccount => "virtual-account",
            Self::DirectDebit => "direct-debit",
            Self::Qris => "qris",
        }
    }
}

/// `latestTransactionStatus`, as status queries and notifications give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// `00`: paid.
    Success,
    /// `03`: open, waiting for the customer.
    Pending,
    /// `04`: refunded, wholly or in part (`refundedAmount`).
    Refunded,
    /// `05`: deleted or cancelled by the merchant.
    Cancelled,
    /// `06`: failed (the customer's payment failed, or the VA expired).
    Failed,
}

impl Status {
    /// The two-digit code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Success => "00",
            Self::Pending => "03",
            Self::Refunded => "04",
            Self::Cancelled => "05",
            Self::Failed => "06",
        }
    }

    /// `transactionStatusDesc`.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Success => "Success",
            Self::Pending => "Pending",
            Self::Refunded => "Refunded",
            Self::Cancelled => "Cancelled",
            Self::Failed => "Failed",
        }
    }

    /// Whether the customer may still pay.
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Pending)
    }
}

/// An amount as SNAP writes it: `{"value": "10000.00", "currency": "IDR"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// Two decimals, digits only.
    pub value: String,
    /// ISO 4217.
    pub currency: String,
}

impl Money {
    /// The value in hundredths, when it is written as the standard says.
    pub fn cents(&self) -> Option<u64> {
        let (units, cents) = self.value.split_once('.')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(units) || cents.len() != 2 || !digits(cents) || units.len() > 16 {
            return None;
        }
        Some(units.parse::<u64>().ok()? * 100 + cents.parse::<u64>().ok()?)
    }

    /// `cents` hundredths in `currency`, written as the standard says.
    pub fn of_cents(cents: u64, currency: &str) -> Self {
        Self {
            value: format!("{}.{:02}", cents / 100, cents % 100),
            currency: currency.to_owned(),
        }
    }

    fn from_value(value: &Value, member: &'static str) -> Result<Self, TransactionFailure> {
        let money: Self = serde_json::from_value(value.clone())
            .map_err(|_| TransactionFailure::FieldFormat(member))?;
        money
            .cents()
            .ok_or(TransactionFailure::FieldFormat(member))?;
        if money.currency.len() != 3 || !money.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(TransactionFailure::FieldFormat(member));
        }
        Ok(money)
    }
}

/// One transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// Assigned by the mock (the provider's `referenceNo`).
    pub reference_no: String,
    /// The client that created it.
    pub client_key: String,
    /// The client's own reference (`trxId` of a VA, `partnerReferenceNo`
    /// of a debit).
    pub partner_reference_no: String,
    /// The bill, or the amount to debit.
    pub total_amount: Money,
    /// What the customer paid, once paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub paid_amount: Option<Money>,
    /// What was refunded so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub refunded_amount: Option<Money>,
    /// Where it is.
    pub status: Status,
    /// Why it failed or was closed, when it was (`expired`, `deleted`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub status_reason: Option<String>,
    /// `expiredDate` / `validUpTo`; it expires by itself then, on the
    /// server's clock.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default)]
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// When it was created (server clock).
    pub created_at: DateTime<Utc>,
    /// When its state last changed.
    pub updated_at: DateTime<Utc>,
    /// `additionalInfo` as the client sent it.
    #[serde(default)]
    pub additional_info: Value,
    /// What only its kind has.
    #[serde(flatten)]
    pub details: Details,
}

/// What only one kind of transaction has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Details {
    /// A virtual account.
    #[serde(rename_all = "camelCase")]
    VirtualAccount {
        /// 8 characters, left-padded with spaces.
        partner_service_id: String,
        /// The customer number.
        customer_no: String,
        /// `partnerServiceId` + `customerNo`.
        virtual_account_no: String,
        /// The name shown to the customer.
        virtual_account_name: String,
        /// `C` closed (exactly the bill), `O` open (any amount), ...
        trx_type: String,
    },
    /// A direct debit payment.
    #[serde(rename_all = "camelCase")]
    DirectDebit {
        /// `merchantId`, when the client sent one.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[serde(default)]
        merchant_id: Option<String>,
    },
    /// A QRIS MPM payment: the QR the customer scans.
    #[serde(rename_all = "camelCase")]
    Qris {
        /// `merchantId`, when the client sent one.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[serde(default)]
        merchant_id: Option<String>,
        /// `terminalId`, when the client sent one.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[serde(default)]
        terminal_id: Option<String>,
        /// The QR's EMVCo payload.
        qr_content: String,
    },
}

/// What moves a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The customer pays: the bill, or this amount (an open VA).
    Pay(Option<Money>),
    /// The customer's payment fails.
    Fail,
    /// The VA expires (by its `expiredDate`, or on demand).
    Expire,
    /// The merchant deletes the VA.
    Delete,
    /// The merchant cancels a debit not yet paid.
    Cancel,
    /// The merchant refunds this amount of a paid debit.
    Refund(Money),
    /// The merchant changes name, amount or expiry of an open VA.
    Update(VaChanges),
}

/// What `update-va` may change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VaChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new bill.
    pub total_amount: Option<Money>,
    /// A new expiry.
    pub expires_at: Option<DateTime<FixedOffset>>,
}

impl Transaction {
    /// Its kind.
    pub fn kind(&self) -> Kind {
        match self.details {
            Details::VirtualAccount { .. } => Kind::VirtualAccount,
            Details::DirectDebit { .. } => Kind::DirectDebit,
            Details::Qris { .. } => Kind::Qris,
        }
    }

    /// Its VA number, for a virtual account.
    pub fn virtual_account_no(&self) -> Option<&str> {
        match &self.details {
            Details::VirtualAccount {
                virtual_account_no, ..
            } => Some(virtual_account_no),
            Details::DirectDebit { .. } | Details::Qris { .. } => None,
        }
    }

    /// Whether it is past its `expiredDate` at `now` while still open.
    pub fn is_due_to_expire(&self, now: DateTime<Utc>) -> bool {
        self.status.is_open() && self.expires_at.is_some_and(|at| at <= now)
    }

    /// The transaction after `action` at `now`, or why the action is refused.
    pub fn apply(&self, action: &Action, now: DateTime<Utc>) -> Result<Self, TransactionFailure> {
        if self.is_due_to_expire(now)
            && !matches!(action, Action::Expire | Action::Delete | Action::Cancel)
        {
            return Err(self.expired());
        }
        let mut next = self.clone();
        next.updated_at = now;
        match action {
            Action::Pay(amount) => {
                self.open()?;
                let paid = amount.clone().unwrap_or_else(|| self.total_amount.clone());
                let open_amount = matches!(&self.details, Details::VirtualAccount { trx_type, .. } if trx_type == "O");
                if paid.cents().is_none()
                    || paid.currency != self.total_amount.currency
                    || (!open_amount && paid.cents() != self.total_amount.cents())
                {
                    return Err(TransactionFailure::InvalidAmount);
                }
                next.paid_amount = Some(paid);
                next.status = Status::Success;
            }
            Action::Fail => {
                self.open()?;
                next.status = Status::Failed;
                next.status_reason = Some("payment failed".into());
            }
            Action::Expire => {
                self.open()?;
                next.status = Status::Failed;
                next.status_reason = Some("expired".into());
            }
            Action::Delete | Action::Cancel => {
                if matches!(self.status, Status::Success | Status::Refunded) {
                    return Err(match self.details {
                        Details::VirtualAccount { .. } => TransactionFailure::PaidBill,
                        Details::DirectDebit { .. } | Details::Qris { .. } => {
                            TransactionFailure::InvalidStatus
                        }
                    });
                }
                next.status = Status::Cancelled;
                let why = if *action == Action::Delete {
                    "deleted"
                } else {
                    "cancelled"
                };
                next.status_reason = Some(why.into());
            }
            Action::Refund(amount) => {
                if !matches!(self.status, Status::Success | Status::Refunded) {
                    return Err(TransactionFailure::InvalidStatus);
                }
                let paid = self
                    .paid_amount
                    .as_ref()
                    .and_then(Money::cents)
                    .unwrap_or(0);
                let before = self
                    .refunded_amount
                    .as_ref()
                    .and_then(Money::cents)
                    .unwrap_or(0);
                let asked = amount
                    .cents()
                    .ok_or(TransactionFailure::FieldFormat("refundAmount"))?;
                if asked == 0
                    || before + asked > paid
                    || amount.currency != self.total_amount.currency
                {
                    return Err(TransactionFailure::InvalidAmount);
                }
                next.refunded_amount = Some(Money::of_cents(before + asked, &amount.currency));
                next.status = Status::Refunded;
            }
            Action::Update(changes) => {
                self.open()?;
                if let (
                    Some(name),
                    Details::VirtualAccount {
                        virtual_account_name,
                        ..
                    },
                ) = (&changes.name, &mut next.details)
                {
                    *virtual_account_name = name.clone();
                }
                if let Some(amount) = &changes.total_amount {
                    next.total_amount = amount.clone();
                }
                if let Some(at) = changes.expires_at {
                    next.expires_at = Some(at);
                }
            }
        }
        Ok(next)
    }

    fn expired(&self) -> TransactionFailure {
        match self.details {
            Details::VirtualAccount { .. } => TransactionFailure::BillExpired,
            Details::DirectDebit { .. } | Details::Qris { .. } => {
                TransactionFailure::TransactionExpired
            }
        }
    }

    fn open(&self) -> Result<(), TransactionFailure> {
        let va = matches!(self.details, Details::VirtualAccount { .. });
        match self.status {
            Status::Pending => Ok(()),
            Status::Success | Status::Refunded if va => Err(TransactionFailure::PaidBill),
            Status::Failed if self.status_reason.as_deref() == Some("expired") => {
                Err(self.expired())
            }
            _ if va => Err(TransactionFailure::BillNotFound),
            _ => Err(TransactionFailure::InvalidStatus),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};

    fn now() -> DateTime<Utc> {
        "2026-11-30T03:00:00Z".parse().unwrap()
    }

    fn body(extra: Value) -> Map<String, Value> {
        let mut b = json!({
            "partnerServiceId": "   12345",
            "customerNo": "000000001",
            "virtualAccountNo": "   12345000000001",
            "virtualAccountName": "Jane",
            "trxId": "INV-1",
            "totalAmount": {"value": "10000.00", "currency": "IDR"},
            "expiredDate": "2026-11-30T11:00:00+07:00"
        });
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b.as_object().unwrap().clone()
    }

    fn created() -> Transaction {
        parse_create(&body(json!({})), "c", "R1".into(), now(), None).unwrap()
    }

    #[test]
    fn a_create_body_becomes_a_pending_va_or_names_its_bad_member() {
        let t = created();
        assert_eq!(t.status, Status::Pending);
        assert!(matches!(&t.details, Details::VirtualAccount { trx_type, .. } if trx_type == "C"));
        assert_eq!(
            (t.kind(), t.virtual_account_no()),
            (Kind::VirtualAccount, Some("   12345000000001"))
        );
        assert_eq!(t.total_amount.cents(), Some(1_000_000));
        assert_eq!(
            t.expires_at.unwrap().to_rfc3339(),
            "2026-11-30T11:00:00+07:00"
        );
        let cases = [
            (
                json!({"trxId": null}),
                TransactionFailure::MandatoryField("trxId"),
            ),
            (
                json!({"customerNo": 5}),
                TransactionFailure::FieldFormat("customerNo"),
            ),
            (
                json!({"virtualAccountNo": "   12345000000002"}),
                TransactionFailure::FieldFormat("virtualAccountNo"),
            ),
            (
                json!({"totalAmount": {"value": "10000", "currency": "IDR"}}),
                TransactionFailure::FieldFormat("totalAmount"),
            ),
            (
                json!({"totalAmount": {"value": "1.00", "currency": "idr"}}),
                TransactionFailure::FieldFormat("totalAmount"),
            ),
            (
                json!({"expiredDate": "tomorrow"}),
                TransactionFailure::FieldFormat("expiredDate"),
            ),
            (
                json!({"virtualAccountTrxType": "Z"}),
                TransactionFailure::FieldFormat("virtualAccountTrxType"),
            ),
        ];
        for (extra, failure) in cases {
            assert_eq!(
                parse_create(&body(extra.clone()), "c", "R".into(), now(), None),
                Err(failure),
                "{extra}"
            );
        }
    }

    #[test]
    fn a_provider_that_assigns_numbers_fills_them_only_when_all_are_left_empty() {
        let empty = json!({"partnerServiceId": "", "customerNo": "", "virtualAccountNo": ""});
        let nicepay = Some("tXidVA");
        let assigned = parse_create(
            &body(empty.clone()),
            "c",
            "1234567890123456".into(),
            now(),
            nicepay,
        )
        .unwrap();
        match &assigned.details {
            Details::VirtualAccount {
                partner_service_id,
                customer_no,
                virtual_account_no,
                ..
            } => assert_eq!(
                (
                    partner_service_id.as_str(),
                    customer_no.as_str(),
                    virtual_account_no.as_str()
                ),
                ("", "8625567890123456", "8625567890123456")
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(assigned.additional_info["tXidVA"], "1234567890123456");
        // The standard's parse still asks for them; a body that gives them
        // keeps them (and is named by tXidVA all the same); one that gives
        // some is checked as the standard's.
        assert_eq!(
            parse_create(&body(empty), "c", "R".into(), now(), None),
            Err(TransactionFailure::MandatoryField("partnerServiceId"))
        );
        let given = parse_create(&body(json!({})), "c", "R".into(), now(), nicepay).unwrap();
        let standard = parse_create(&body(json!({})), "c", "R".into(), now(), None).unwrap();
        assert_eq!(given.details, standard.details);
        assert_eq!(given.additional_info, json!({"tXidVA": "R"}));
        assert_eq!(
            parse_create(
                &body(json!({"customerNo": "", "virtualAccountNo": ""})),
                "c",
                "R".into(),
                now(),
                nicepay
            ),
            Err(TransactionFailure::MandatoryField("customerNo"))
        );
    }

    #[test]
    fn a_closed_va_is_paid_once_with_its_amount() {
        let t = created();
        let wrong = Money {
            value: "9999.00".into(),
            currency: "IDR".into(),
        };
        assert_eq!(
            t.apply(&Action::Pay(Some(wrong)), now()),
            Err(TransactionFailure::InvalidAmount)
        );
        let paid = t.apply(&Action::Pay(None), now()).unwrap();
        assert_eq!(
            (paid.status, paid.paid_amount.as_ref()),
            (Status::Success, Some(&t.total_amount))
        );
        assert_eq!(
            paid.apply(&Action::Pay(None), now()),
            Err(TransactionFailure::PaidBill)
        );
        assert_eq!(
            paid.apply(&Action::Delete, now()),
            Err(TransactionFailure::PaidBill)
        );
        let answer = paid.status_answer();
        assert_eq!(
            answer["virtualAccountData"]["latestTransactionStatus"],
            "00"
        );
        assert_eq!(
            answer["virtualAccountData"]["paidAmount"]["value"],
            "10000.00"
        );
    }

    #[test]
    fn an_open_va_takes_any_amount_in_its_currency() {
        let open = parse_create(
            &body(json!({"virtualAccountTrxType": "O"})),
            "c",
            "R".into(),
            now(),
            None,
        )
        .unwrap();
        let some = Money {
            value: "1.50".into(),
            currency: "IDR".into(),
        };
        assert_eq!(
            open.apply(&Action::Pay(Some(some.clone())), now())
                .unwrap()
                .paid_amount,
            Some(some)
        );
        let usd = Money {
            value: "1.50".into(),
            currency: "USD".into(),
        };
        assert_eq!(
            open.apply(&Action::Pay(Some(usd)), now()),
            Err(TransactionFailure::InvalidAmount)
        );
    }

    #[test]
    fn a_va_expires_at_its_date_on_the_clock_and_then_refuses_payment() {
        let t = created();
        let later: DateTime<Utc> = "2026-11-30T04:00:01Z".parse().unwrap();
        assert!(!t.is_due_to_expire(now()) && t.is_due_to_expire(later));
        assert_eq!(
            t.apply(&Action::Pay(None), later),
            Err(TransactionFailure::BillExpired)
        );
        let expired = t.apply(&Action::Expire, later).unwrap();
        assert_eq!(
            (expired.status, expired.status_reason.as_deref()),
            (Status::Failed, Some("expired"))
        );
        assert_eq!(
            expired.apply(&Action::Pay(None), later),
            Err(TransactionFailure::BillExpired)
        );
        let failed = t.apply(&Action::Fail, now()).unwrap();
        assert_eq!(
            failed.apply(&Action::Pay(None), now()),
            Err(TransactionFailure::BillNotFound)
        );
    }

    #[test]
    fn an_update_changes_only_what_it_names() {
        let t = created();
        let changes = parse_changes(&body(json!({"virtualAccountName": "John"}))).unwrap();
        let updated = t
            .apply(
                &Action::Update(VaChanges {
                    total_amount: None,
                    expires_at: None,
                    ..changes
                }),
                now(),
            )
            .unwrap();
        assert_eq!(updated.total_amount, t.total_amount);
        assert_eq!(updated.virtual_account_data()["virtualAccountName"], "John");
        let deleted = t.apply(&Action::Delete, now()).unwrap();
        assert_eq!(deleted.status, Status::Cancelled);
        assert_eq!(parse_target(&body(json!({}))).unwrap(), "   12345000000001");
        assert_eq!(
            parse_target(&Map::new()),
            Err(TransactionFailure::MandatoryField("virtualAccountNo"))
        );
    }

    fn debit(extra: Value) -> Transaction {
        let mut b = json!({
            "partnerReferenceNo": "ORD-1",
            "amount": {"value": "50000.00", "currency": "IDR"},
            "merchantId": "M1",
            "validUpTo": "2026-11-30T11:00:00+07:00"
        });
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        parse_debit(b.as_object().unwrap(), "c", "D1".into(), now()).unwrap()
    }

    #[test]
    fn a_debit_is_paid_then_refunded_up_to_what_was_paid() {
        let d = debit(json!({}));
        assert_eq!(
            (d.kind(), d.virtual_account_no()),
            (Kind::DirectDebit, None)
        );
        let refund = |v: &str| {
            Action::Refund(Money {
                value: v.into(),
                currency: "IDR".into(),
            })
        };
        assert_eq!(
            d.apply(&refund("1.00"), now()),
            Err(TransactionFailure::InvalidStatus),
            "not paid yet"
        );
        let paid = d.apply(&Action::Pay(None), now()).unwrap();
        assert_eq!(
            paid.apply(&Action::Cancel, now()),
            Err(TransactionFailure::InvalidStatus),
            "paid: refund instead"
        );
        let part = paid.apply(&refund("20000.00"), now()).unwrap();
        assert_eq!(
            (part.status, part.refunded_amount.clone()),
            (Status::Refunded, Some(Money::of_cents(2_000_000, "IDR")))
        );
        assert_eq!(
            part.apply(&refund("30000.01"), now()),
            Err(TransactionFailure::InvalidAmount),
            "above what is left"
        );
        let all = part.apply(&refund("30000.00"), now()).unwrap();
        assert_eq!(all.refunded_amount.unwrap().value, "50000.00");
        let status = paid.status_answer();
        assert_eq!(
            (
                status["latestTransactionStatus"].as_str(),
                status["originalPartnerReferenceNo"].as_str()
            ),
            (Some("00"), Some("ORD-1"))
        );
        let notice = paid.notification_body(now());
        for member in [
            "originalPartnerReferenceNo",
            "originalReferenceNo",
            "merchantId",
            "amount",
            "latestTransactionStatus",
            "createdTime",
            "finishedTime",
        ] {
            assert!(!notice[member].is_null(), "{member}: {notice}");
        }
        assert_eq!(paid.notification_path(), "/v1.0/debit/notify");
    }

    #[test]
    fn a_debit_not_paid_is_cancelled_and_one_past_valid_up_to_expires() {
        let d = debit(json!({}));
        assert_eq!(
            d.apply(&Action::Cancel, now()).unwrap().status,
            Status::Cancelled
        );
        let later: DateTime<Utc> = "2026-11-30T04:00:01Z".parse().unwrap();
        assert_eq!(
            d.apply(&Action::Pay(None), later),
            Err(TransactionFailure::TransactionExpired)
        );
        let expired = d.apply(&Action::Expire, later).unwrap();
        assert_eq!(
            expired.apply(&Action::Pay(None), later),
            Err(TransactionFailure::TransactionExpired)
        );
        assert_eq!(
            parse_debit(
                json!({"amount": {"value": "1.00", "currency": "IDR"}})
                    .as_object()
                    .unwrap(),
                "c",
                "R".into(),
                now()
            ),
            Err(TransactionFailure::MandatoryField("partnerReferenceNo"))
        );
        assert_eq!(Money::of_cents(5, "IDR").value, "0.05");
    }
}
