//! What a transaction answers: its data in VA answers, status queries,
//! and the body of its notification.

use super::{Details, Status, Transaction};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

impl Transaction {
    /// `virtualAccountData` of every VA answer (empty for another kind).
    pub fn virtual_account_data(&self) -> Map<String, Value> {
        let mut data = Map::new();
        let Details::VirtualAccount {
            partner_service_id,
            customer_no,
            virtual_account_no,
            virtual_account_name,
            trx_type,
        } = &self.details
        else {
            return data;
        };
        data.insert("partnerServiceId".into(), partner_service_id.clone().into());
        data.insert("customerNo".into(), customer_no.clone().into());
        data.insert("virtualAccountNo".into(), virtual_account_no.clone().into());
        data.insert(
            "virtualAccountName".into(),
            virtual_account_name.clone().into(),
        );
        data.insert("trxId".into(), self.partner_reference_no.clone().into());
        data.insert("totalAmount".into(), json!(self.total_amount));
        data.insert("virtualAccountTrxType".into(), trx_type.clone().into());
        if let Some(at) = self.expires_at {
            data.insert("expiredDate".into(), at.to_rfc3339().into());
        }
        data.insert("referenceNo".into(), self.reference_no.clone().into());
        data.insert("additionalInfo".into(), self.additional_info.clone());
        data
    }

    /// The answer of a status query: a VA's (service 26) in
    /// `virtualAccountData`, a debit's (55) at the top level; both with
    /// `latestTransactionStatus` and `transactionStatusDesc`.
    pub fn status_answer(&self) -> Map<String, Value> {
        let va = matches!(self.details, Details::VirtualAccount { .. });
        let mut data = if va {
            let mut data = self.virtual_account_data();
            let flag = if self.status == Status::Success {
                "00"
            } else {
                "01"
            };
            data.insert("paymentFlagStatus".into(), flag.into());
            data
        } else {
            let mut data = self.original_references();
            let origin = if matches!(self.details, Details::Qris { .. }) {
                "47"
            } else {
                "54"
            };
            data.insert("serviceCode".into(), origin.into());
            data.insert("amount".into(), json!(self.total_amount));
            data
        };
        if let Some(paid) = &self.paid_amount {
            data.insert("paidAmount".into(), json!(paid));
        }
        if let Some(refunded) = &self.refunded_amount {
            data.insert("refundedAmount".into(), json!(refunded));
        }
        data.insert("latestTransactionStatus".into(), self.status.code().into());
        data.insert(
            "transactionStatusDesc".into(),
            self.status.description().into(),
        );
        if !va {
            return data;
        }
        let mut answer = Map::new();
        answer.insert("virtualAccountData".into(), Value::Object(data));
        answer
    }

    /// `originalReferenceNo` and `originalPartnerReferenceNo`, the
    /// identifiers every later call about a debit echoes.
    pub fn original_references(&self) -> Map<String, Value> {
        let mut data = Map::new();
        data.insert(
            "originalReferenceNo".into(),
            self.reference_no.clone().into(),
        );
        data.insert(
            "originalPartnerReferenceNo".into(),
            self.partner_reference_no.clone().into(),
        );
        data
    }

    /// The SNAP path a notification of this kind is sent to.
    pub fn notification_path(&self) -> &'static str {
        match self.details {
            Details::VirtualAccount { .. } => "/v1.0/transfer-va/payment",
            Details::DirectDebit { .. } => "/v1.0/debit/notify",
            Details::Qris { .. } => "/v1.0/qr/qr-mpm-notify",
        }
    }

    /// The body of the notification sent when its state changes: a VA
    /// payment notification (`/v1.0/transfer-va/payment`), or a debit's
    /// finish notify (`/v1.0/debit/notify`, with the fields DANA's SDK
    /// requires).
    pub fn notification_body(&self, now: DateTime<Utc>) -> Value {
        let stamp = |at: &DateTime<Utc>| crate::snap::timestamp::format_snap_timestamp(at);
        match &self.details {
            Details::VirtualAccount {
                partner_service_id,
                customer_no,
                virtual_account_no,
                virtual_account_name,
                ..
            } => json!({
                "partnerServiceId": partner_service_id,
                "customerNo": customer_no,
                "virtualAccountNo": virtual_account_no,
                "virtualAccountName": virtual_account_name,
                "trxId": self.partner_reference_no,
                "paymentRequestId": self.reference_no,
                "referenceNo": self.reference_no,
                "paidAmount": self.paid_amount.as_ref().unwrap_or(&self.total_amount),
                "totalAmount": self.total_amount,
                "trxDateTime": stamp(&now),
                "latestTransactionStatus": self.status.code(),
                "transactionStatusDesc": self.status.description(),
                "additionalInfo": self.additional_info,
            }),
            Details::DirectDebit { merchant_id } => json!({
                "originalPartnerReferenceNo": self.partner_reference_no,
                "originalReferenceNo": self.reference_no,
                "merchantId": merchant_id.clone().unwrap_or_else(|| "snap-mock".into()),
                "amount": self.total_amount,
                "latestTransactionStatus": self.status.code(),
                "transactionStatusDesc": self.status.description(),
                "createdTime": stamp(&self.created_at),
                "finishedTime": stamp(&now),
                "additionalInfo": self.additional_info,
            }),
            Details::Qris {
                merchant_id,
                terminal_id,
                ..
            } => json!({
                "originalReferenceNo": self.reference_no,
                "originalPartnerReferenceNo": self.partner_reference_no,
                "latestTransactionStatus": self.status.code(),
                "transactionStatusDesc": self.status.description(),
                "amount": self.paid_amount.as_ref().unwrap_or(&self.total_amount),
                "merchantId": merchant_id,
                "terminalId": terminal_id,
                "paidTime": stamp(&now),
                "additionalInfo": self.additional_info,
            }),
        }
    }
}
