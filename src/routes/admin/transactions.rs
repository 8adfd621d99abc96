//! Transactions and notifications at runtime: the customer's side
//! simulated (pay, fail, expire), the listing, and resending a
//! notification.

use super::{ok, AdminError, Answer};
use crate::lifecycle::{read_body, MAX_ADMIN_BODY};
use crate::state::State;
use crate::transactions::{Action, Money, Transaction};
use actix_web::{web, HttpRequest};
use serde_json::json;

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Filter {
    client_key: Option<String>,
    /// `virtual-account`.
    kind: Option<String>,
    /// The two-digit `latestTransactionStatus` (`00`, `03`, ...).
    status: Option<String>,
    limit: Option<usize>,
    before: Option<u64>,
}

/// `GET /transactions`: newest first, a page at a time, filtered.
pub async fn list(req: HttpRequest, state: web::Data<State>) -> Answer {
    let filter = web::Query::<Filter>::from_query(req.query_string())
        .map_err(|e| AdminError::BadRequest(format!("query: {e}")))?
        .into_inner();
    let limit = filter.limit.unwrap_or(100).clamp(1, 1000);
    let keep = |t: &Transaction| {
        filter
            .client_key
            .as_deref()
            .is_none_or(|c| t.client_key == c)
            && filter
                .kind
                .as_deref()
                .is_none_or(|k| t.kind().as_str() == k)
            && filter
                .status
                .as_deref()
                .is_none_or(|s| t.status.code() == s)
    };
    let page = state
        .stores
        .transactions
        .list(filter.before, limit + 1, &keep)
        .await?;
    let next = (page.len() > limit).then(|| page[limit - 1].0);
    let transactions: Vec<_> = page.iter().take(limit).map(|(_, t)| view(t)).collect();
    let mut fields = json!({ "transactions": transactions });
    if let Some(next) = next {
        fields["next"] = json!(next);
    }
    ok(200, fields)
}

fn view(t: &Transaction) -> serde_json::Value {
    let mut value = serde_json::to_value(t).unwrap_or_default();
    value["latestTransactionStatus"] = t.status.code().into();
    value["transactionStatusDesc"] = t.status.description().into();
    value
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PayBody {
    amount: Option<Money>,
}

/// `POST /transactions/{id}/{pay|fail|expire}`: `{id}` is the
/// `referenceNo`, the client's reference or the VA number (spaces
/// trimmed). The client's notification is queued.
pub async fn act(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    state: web::Data<State>,
) -> Answer {
    let (id, verb) = path.into_inner();
    let action = match verb.as_str() {
        "pay" => {
            let bytes = read_body(
                &req,
                payload,
                MAX_ADMIN_BODY,
                state.config.client_request_timeout,
            )
            .await
            .map_err(|e| AdminError::BadRequest(e.to_string()))?;
            let body: PayBody = if bytes.iter().all(u8::is_ascii_whitespace) {
                PayBody::default()
            } else {
                serde_json::from_slice(&bytes)
                    .map_err(|e| AdminError::BadRequest(format!("invalid JSON body: {e}")))?
            };
            Action::Pay(body.amount)
        }
        "fail" => Action::Fail,
        "expire" => Action::Expire,
        other => {
            return Err(AdminError::NotFound(format!(
                "no transaction action {other:?} (pay, fail, expire)"
            )))
        }
    };
    let now = state.clock.now();
    let outcome = state
        .stores
        .transactions
        .apply(None, &id, &action, now)
        .await?;
    match outcome {
        Ok(changed) => {
            state.notify(&changed, now);
            log::info!("admin: transaction {} {verb}", changed.reference_no);
            ok(200, json!({ "transaction": view(&changed) }))
        }
        Err(crate::snap::error::TransactionFailure::BillNotFound) => {
            Err(AdminError::NotFound(format!(
                "no transaction has the referenceNo, reference or VA number {:?}",
                id.trim()
            )))
        }
        Err(refused) => Err(AdminError::BadRequest(format!(
            "the transaction refuses to {verb}: {}",
            refused.message()
        ))),
    }
}

/// `GET /notifications`: newest first, with their delivery state.
pub async fn notifications(state: web::Data<State>) -> Answer {
    ok(200, json!({ "notifications": state.outbox.list() }))
}

/// `POST /notifications/{id}/resend`: another attempt now, same body and
/// `X-EXTERNAL-ID`.
pub async fn resend(path: web::Path<String>, state: web::Data<State>) -> Answer {
    let id = path.into_inner();
    match state.outbox.resend(&id, state.clock.now()) {
        Some(n) => ok(202, json!({ "notification": n })),
        None => Err(AdminError::NotFound(format!("no notification {id:?}"))),
    }
}
