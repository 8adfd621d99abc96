//! Transactions with state: virtual accounts (`/v1.0/transfer-va/...`)
//! and direct debit (`/v1.0/debit/...`). After the same checks as every
//! service call (`transactional::authenticate`), the call acts on the
//! client's transactions and answers from them. A change of state queues
//! the client's notification.

use super::transactional::{authenticate, release_external_id};
use crate::lifecycle::{store_failure, Record, Request, Route};
use crate::provider::ServiceSignature;
use crate::render::{render_with, Rendered};
use crate::snap::error::{Failure, TransactionFailure};
use crate::snap::response_code::{ResponseCode, ServiceCode};
use crate::snap::timestamp::format_snap_timestamp;
use crate::snap::SnapError;
use crate::state::State;
use crate::transactions::{
    parse_changes, parse_create, parse_debit, parse_qris, parse_refund, parse_target, Action, Call,
    Details, Kind, Transaction,
};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// One stateful route.
pub struct StatefulRoute {
    /// What it does.
    pub call: Call,
    /// How its callers sign (the preset's).
    pub signature: ServiceSignature,
}

impl Route for StatefulRoute {
    fn service(&self) -> ServiceCode {
        ServiceCode(self.call.service())
    }

    async fn declined(&self, state: &State, record: &Record) {
        release_external_id(state, record).await;
    }

    async fn handle(
        &self,
        state: &State,
        request: &Request<'_>,
        now: DateTime<Utc>,
        record: &mut Record,
    ) -> Result<Rendered, SnapError> {
        let service = self.service();
        let caller = authenticate(state, request, now, record, service, self.signature).await?;
        let body = match serde_json::from_slice::<Value>(request.body) {
            Ok(Value::Object(body)) => body,
            _ => {
                return Err(SnapError::new(
                    service,
                    Failure::BadRequest,
                    "the body is not a JSON object",
                ))
            }
        };
        let answer = Acting {
            state,
            client: &caller.client_key,
            service,
            now,
        }
        .act(self.call, &body, record)
        .await?;
        Ok(render_with(
            ResponseCode::new(200, service, 0),
            "Successful",
            &answer,
        ))
    }
}

/// One call's action on the client's transactions.
struct Acting<'a> {
    state: &'a State,
    client: &'a str,
    service: ServiceCode,
    now: DateTime<Utc>,
}

impl Acting<'_> {
    fn refused(&self, failure: TransactionFailure) -> SnapError {
        SnapError::new(
            self.service,
            Failure::Transaction(failure),
            format!("{}: {}", failure.message(), explain(failure)),
        )
    }

    async fn act(
        &self,
        call: Call,
        body: &Map<String, Value>,
        record: &mut Record,
    ) -> Result<Map<String, Value>, SnapError> {
        let failed = |f| self.refused(f);
        match call {
            Call::VaCreate | Call::DebitPay | Call::QrisGenerate => {
                let reference = self.state.reference_no();
                let created = match call {
                    Call::VaCreate => parse_create(
                        body,
                        self.client,
                        reference,
                        self.now,
                        self.state.config.provider.assigns_virtual_accounts,
                    ),
                    Call::DebitPay => parse_debit(body, self.client, reference, self.now),
                    _ => parse_qris(body, self.client, reference, self.now),
                }
                .map_err(failed)?;
                self.create(created.clone()).await?;
                let made = format!(
                    "{} created, referenceNo {}",
                    created.kind().as_str(),
                    created.reference_no
                );
                // A note the checks left (the body-hash form --body-hash
                // any accepted) stays in front.
                record.reason = Some(match record.reason.take() {
                    Some(note) => format!("{note}; {made}"),
                    None => made,
                });
                Ok(match call {
                    Call::VaCreate => va_answer(&created),
                    _ => payment_answer(&created),
                })
            }
            Call::VaInquiry | Call::VaStatus | Call::DebitStatus | Call::QrisQuery => {
                let found = self.find(body, call).await?;
                Ok(match call {
                    Call::VaInquiry => va_answer(&found),
                    _ => found.status_answer(),
                })
            }
            Call::VaUpdate => {
                let changes = parse_changes(body).map_err(failed)?;
                let changed = self.apply(body, call, Action::Update(changes)).await?;
                Ok(va_answer(&changed))
            }
            Call::VaDelete => Ok(va_answer(&self.apply(body, call, Action::Delete).await?)),
            Call::DebitCancel | Call::QrisCancel => {
                let changed = self.apply(body, call, Action::Cancel).await?;
                let mut answer = changed.original_references();
                answer.insert("cancelTime".into(), format_snap_timestamp(&self.now).into());
                Ok(answer)
            }
            Call::DebitRefund | Call::QrisRefund => {
                let amount = parse_refund(body).map_err(failed)?;
                let changed = self
                    .apply(body, call, Action::Refund(amount.clone()))
                    .await?;
                let mut answer = changed.original_references();
                answer.insert("refundNo".into(), self.state.reference_no().into());
                if let Some(partner_refund) = body.get("partnerRefundNo") {
                    answer.insert("partnerRefundNo".into(), partner_refund.clone());
                }
                answer.insert("refundAmount".into(), json!(amount));
                answer.insert("refundTime".into(), format_snap_timestamp(&self.now).into());
                Ok(answer)
            }
        }
    }

    async fn create(&self, transaction: Transaction) -> Result<(), SnapError> {
        self.state
            .stores
            .transactions
            .create(transaction)
            .await
            .map_err(|e| store_failure(self.service, e))?
            .map_err(|f| self.refused(f))
    }

    /// The client's transaction of the call's kind that the body names.
    async fn find(&self, body: &Map<String, Value>, call: Call) -> Result<Transaction, SnapError> {
        let id = parse_target(body).map_err(|f| self.refused(f))?;
        // A status query asks about a transaction; the other VA calls
        // about a bill.
        let missing = match (call, call.kind()) {
            (Call::VaStatus, _) => TransactionFailure::TransactionNotFound,
            (_, Kind::VirtualAccount) => TransactionFailure::BillNotFound,
            _ => TransactionFailure::TransactionNotFound,
        };
        self.state
            .stores
            .transactions
            .find(Some(self.client), &id)
            .await
            .map_err(|e| store_failure(self.service, e))?
            // A debit's reference named in a QRIS call is not a QR.
            .filter(|t| t.kind() == call.kind())
            .ok_or_else(|| self.refused(missing))
    }

    /// Applies `action` to the transaction the body names (found first,
    /// of the call's kind, then changed by its `referenceNo`); a change of
    /// state (not an update) queues the notification.
    async fn apply(
        &self,
        body: &Map<String, Value>,
        call: Call,
        action: Action,
    ) -> Result<Transaction, SnapError> {
        let found = self.find(body, call).await?;
        let changed = self
            .state
            .stores
            .transactions
            .apply(Some(self.client), &found.reference_no, &action, self.now)
            .await
            .map_err(|e| store_failure(self.service, e))?
            .map_err(|f| self.refused(f))?;
        if !matches!(action, Action::Update(_)) {
            self.state.notify(&changed, self.now);
        }
        Ok(changed)
    }
}

/// Why, for the journal and `--explain`.
fn explain(failure: TransactionFailure) -> &'static str {
    match failure {
        TransactionFailure::DuplicateReference => {
            "this client created a transaction with this reference already"
        }
        TransactionFailure::VirtualAccountInUse => "another transaction holds this VA number open",
        TransactionFailure::BillNotFound | TransactionFailure::TransactionNotFound => {
            "no transaction of this client has that virtualAccountNo, trxId or reference"
        }
        TransactionFailure::PaidBill => "the VA is paid; it takes no further change",
        TransactionFailure::BillExpired => "the VA is past its expiredDate (server clock)",
        TransactionFailure::TransactionExpired => "the debit is past its validUpTo (server clock)",
        TransactionFailure::InvalidStatus => {
            "its status does not allow this (cancel: not paid yet; refund: paid)"
        }
        TransactionFailure::InvalidAmount => {
            "not the bill's amount, or a refund above what is left of the paid amount"
        }
        TransactionFailure::FieldFormat(_) | TransactionFailure::MandatoryField(_) => {
            "see the README's section \"A payment from start to finish\""
        }
    }
}

fn va_answer(transaction: &Transaction) -> Map<String, Value> {
    let mut answer = Map::new();
    answer.insert(
        "virtualAccountData".into(),
        Value::Object(transaction.virtual_account_data()),
    );
    answer
}

/// The answer of a debit payment (54) or a QRIS generate (47): the
/// references, the amount, and the QR to scan.
fn payment_answer(transaction: &Transaction) -> Map<String, Value> {
    let mut answer = Map::new();
    answer.insert(
        "referenceNo".into(),
        transaction.reference_no.clone().into(),
    );
    answer.insert(
        "partnerReferenceNo".into(),
        transaction.partner_reference_no.clone().into(),
    );
    answer.insert("amount".into(), json!(transaction.total_amount));
    if let Details::Qris {
        qr_content,
        terminal_id,
        ..
    } = &transaction.details
    {
        answer.insert("qrContent".into(), qr_content.clone().into());
        answer.insert("merchantName".into(), "SNAP MOCK".into());
        answer.insert("storeId".into(), "ID2020000000001".into());
        answer.insert(
            "terminalId".into(),
            terminal_id.clone().unwrap_or_else(|| "A01".into()).into(),
        );
    }
    answer.insert("additionalInfo".into(), transaction.additional_info.clone());
    answer
}
