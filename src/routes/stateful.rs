//! Virtual accounts with state (`/v1.0/transfer-va/...`): after the same
//! checks as every service call (`transactional::authenticate`), the
//! call acts on the client's transactions and answers from them. A state
//! change queues the client's notification.

use super::transactional::{authenticate, release_external_id};
use crate::lifecycle::{store_failure, Record, Request, Route};
use crate::provider::ServiceSignature;
use crate::render::{render_with, Rendered};
use crate::snap::error::{Failure, TransactionFailure};
use crate::snap::response_code::{ResponseCode, ServiceCode};
use crate::snap::{Field, SnapError};
use crate::state::State;
use crate::transactions::{parse_changes, parse_create, parse_target, Action, Transaction};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// What a VA call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaCall {
    /// `create-va` (27).
    Create,
    /// `update-va` (28).
    Update,
    /// `inquiry-va` (30).
    Inquiry,
    /// `delete-va` (31).
    Delete,
    /// `status` (26): the payment status.
    Status,
}

impl VaCall {
    /// Every call, with its path under the preset's base path.
    pub const ALL: [(VaCall, &'static str); 5] = [
        (VaCall::Create, "/v1.0/transfer-va/create-va"),
        (VaCall::Update, "/v1.0/transfer-va/update-va"),
        (VaCall::Inquiry, "/v1.0/transfer-va/inquiry-va"),
        (VaCall::Delete, "/v1.0/transfer-va/delete-va"),
        (VaCall::Status, "/v1.0/transfer-va/status"),
    ];

    const fn service(self) -> u8 {
        match self {
            Self::Create => 27,
            Self::Update => 28,
            Self::Inquiry => 30,
            Self::Delete => 31,
            Self::Status => 26,
        }
    }
}

/// One VA route.
pub struct VaRoute {
    /// What it does.
    pub call: VaCall,
    /// How its callers sign (the preset's).
    pub signature: ServiceSignature,
}

fn refused(
    service: ServiceCode,
    failure: TransactionFailure,
    detail: impl Into<String>,
) -> SnapError {
    SnapError::new(service, Failure::Transaction(failure), detail)
}

impl Route for VaRoute {
    fn service(&self) -> ServiceCode {
        ServiceCode(self.call.service())
    }

    fn client_key<'r>(&self, request: &Request<'r>) -> Option<&'r str> {
        request.header_text(Field::ClientKey.name())
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
        let client = caller.client_key.as_str();
        let failed = |f: TransactionFailure| {
            refused(service, f, format!("{}: {}", f.message(), self.explain(f)))
        };
        let transactions = &state.stores.transactions;
        let answer = match self.call {
            VaCall::Create => {
                let reference = state.reference_no();
                let created = parse_create(&body, client, reference, now).map_err(failed)?;
                transactions
                    .create(created.clone())
                    .await
                    .map_err(|e| store_failure(service, e))?
                    .map_err(failed)?;
                record.reason = Some(format!(
                    "virtual account {} created, referenceNo {}",
                    created.virtual_account_no.trim(),
                    created.reference_no
                ));
                va_answer(&created)
            }
            VaCall::Inquiry | VaCall::Status => {
                let id = parse_target(&body).map_err(failed)?;
                let found = transactions
                    .find(Some(client), &id)
                    .await
                    .map_err(|e| store_failure(service, e))?;
                let missing = if self.call == VaCall::Status {
                    TransactionFailure::TransactionNotFound
                } else {
                    TransactionFailure::BillNotFound
                };
                let found = found.ok_or_else(|| failed(missing))?;
                if self.call == VaCall::Status {
                    found.status_answer()
                } else {
                    va_answer(&found)
                }
            }
            VaCall::Update | VaCall::Delete => {
                let id = parse_target(&body).map_err(failed)?;
                let action = match self.call {
                    VaCall::Update => Action::Update(parse_changes(&body).map_err(failed)?),
                    _ => Action::Delete,
                };
                let changed = transactions
                    .apply(Some(client), &id, &action, now)
                    .await
                    .map_err(|e| store_failure(service, e))?
                    .map_err(failed)?;
                if self.call == VaCall::Delete {
                    state.notify(&changed, now);
                }
                va_answer(&changed)
            }
        };
        Ok(render_with(
            ResponseCode::new(200, service, 0),
            "Successful",
            &answer,
        ))
    }
}

impl VaRoute {
    /// Why, for the journal and `--explain`.
    fn explain(&self, failure: TransactionFailure) -> &'static str {
        match failure {
            TransactionFailure::DuplicateReference => {
                "this client created a transaction with this trxId already"
            }
            TransactionFailure::VirtualAccountInUse => {
                "another transaction holds this VA number open"
            }
            TransactionFailure::BillNotFound | TransactionFailure::TransactionNotFound => {
                "no transaction of this client has that virtualAccountNo, trxId or referenceNo"
            }
            TransactionFailure::PaidBill => "the VA is paid; it takes no further change",
            TransactionFailure::BillExpired => "the VA is past its expiredDate (server clock)",
            TransactionFailure::InvalidAmount => "not the bill's amount",
            TransactionFailure::FieldFormat(_) | TransactionFailure::MandatoryField(_) => {
                "see the README's virtual account body"
            }
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
