//! The one error type of the protocol layer.

use super::field::Field;
use super::response_code::{ResponseCode, ServiceCode};
use super::step::Step;
use std::fmt;

/// What went wrong, in SNAP terms. Each variant knows its response code;
/// the active [`Profile`](super::profile::Profile) words the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// `400xx00 Bad Request`: the body is empty, not UTF-8, not JSON, not a
    /// JSON object, or larger than the cap.
    BadRequest,
    /// `400xx01 Invalid Field Format {field}`.
    InvalidFieldFormat(Field),
    /// `400xx02 Invalid Mandatory Field {field}`.
    InvalidMandatoryField(Field),
    /// `401xx00 Unauthorized. [reason]`.
    Unauthorized(UnauthorizedReason),
    /// `401xx01 Invalid Token (B2B)`: the bearer token is not one this
    /// server issued, or it expired.
    InvalidToken,
    /// `401xx02 Invalid Customer Token`: a B2B2C refresh token that this
    /// server did not issue to this client, or that expired or was used.
    InvalidCustomerToken,
    /// `401xx03 Token Not Found (B2B)`: no `Authorization: Bearer` header.
    TokenNotFound,
    /// `409xx00 Conflict`: `X-EXTERNAL-ID` reused by the partner today.
    Conflict,
    /// `404xx00`: no endpoint at this path (not a SNAP case; service `00`).
    NotFound,
    /// `400xx00 Bad Request`: `X-Mock-Scenario` names no loaded scenario
    /// (the mock's own header; the answer lists the names).
    UnknownScenario,
    /// `4040000` under the admin prefix while the admin API is off: the
    /// answer says so, and how to turn it on.
    AdminOff,
    /// `405xx00 Requested Function Is Not Supported`: wrong HTTP method.
    MethodNotAllowed,
    /// `431xx00 Request Header Fields Too Large`: more or larger headers
    /// than `--max-headers` / `--max-header-bytes` allow.
    HeaderFieldsTooLarge,
    /// `500xx01 Internal Server Error`: the mock itself failed (e.g. the
    /// system random generator); never caused by the request.
    Internal,
    /// `500xx02 External Server Error`: the shared store the replicas keep
    /// their state in (`--store redis://`) is unreachable or too slow. The
    /// answer says so in its `error` field.
    StoreUnavailable,
    /// A stateful transaction refused the call (its body, or its state).
    Transaction(TransactionFailure),
}

/// Why a stateful transaction (a virtual account) refused a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionFailure {
    /// `400xx01 Invalid Field Format {member}` of the body.
    FieldFormat(&'static str),
    /// `400xx02 Invalid Mandatory Field {member}` of the body.
    MandatoryField(&'static str),
    /// `404xx01 Transaction Not Found`: no transaction has that reference.
    TransactionNotFound,
    /// `404xx00 Invalid Transaction Status`: not in a state that allows
    /// it (cancel a paid debit, refund an unpaid one).
    InvalidStatus,
    /// `403xx00 Transaction Expired`: past its `validUpTo`.
    TransactionExpired,
    /// `404xx12 Invalid Bill/Virtual Account [Not Found]`.
    BillNotFound,
    /// `404xx13 Invalid Amount`: not the bill's amount.
    InvalidAmount,
    /// `404xx14 Paid Bill`: the bill is paid (or closed) already.
    PaidBill,
    /// `404xx19 Invalid Bill/Virtual Account [Expired]`.
    BillExpired,
    /// `409xx01 Duplicate partnerReferenceNo`: the client used the
    /// reference for another transaction.
    DuplicateReference,
    /// `409xx00 Conflict`: the VA number is open in another transaction.
    VirtualAccountInUse,
}

impl TransactionFailure {
    const fn status_and_case(self) -> (u16, u8) {
        match self {
            Self::FieldFormat(_) => (400, 1),
            Self::MandatoryField(_) => (400, 2),
            Self::TransactionNotFound => (404, 1),
            Self::InvalidStatus => (404, 0),
            Self::TransactionExpired => (403, 0),
            Self::BillNotFound => (404, 12),
            Self::InvalidAmount => (404, 13),
            Self::PaidBill => (404, 14),
            Self::BillExpired => (404, 19),
            Self::DuplicateReference => (409, 1),
            Self::VirtualAccountInUse => (409, 0),
        }
    }

    /// The standard's message.
    pub fn message(self) -> String {
        match self {
            Self::FieldFormat(member) => format!("Invalid Field Format {member}"),
            Self::MandatoryField(member) => format!("Invalid Mandatory Field {member}"),
            Self::TransactionNotFound => "Transaction Not Found".into(),
            Self::InvalidStatus => "Invalid Transaction Status".into(),
            Self::TransactionExpired => "Transaction Expired".into(),
            Self::BillNotFound => "Invalid Bill/Virtual Account [Not Found]".into(),
            Self::InvalidAmount => "Invalid Amount".into(),
            Self::PaidBill => "Paid Bill".into(),
            Self::BillExpired => "Invalid Bill/Virtual Account [Expired]".into(),
            Self::DuplicateReference => "Duplicate partnerReferenceNo".into(),
            Self::VirtualAccountInUse => "Conflict".into(),
        }
    }
}

/// Why a request was `Unauthorized`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnauthorizedReason {
    /// `X-CLIENT-KEY` (or the partner) names no enabled client.
    UnknownClient,
    /// `X-SIGNATURE` does not verify.
    InvalidSignature,
    /// `X-TIMESTAMP` is outside the window around the server clock.
    InvalidTimestamp,
    /// B2B2C: the `authCode` is not one the client may exchange.
    InvalidAuthCode,
}

impl Failure {
    /// Status and case of this failure; the service is the endpoint's.
    pub fn response_code(&self, service: ServiceCode) -> ResponseCode {
        let (status, case) = match self {
            Self::BadRequest | Self::UnknownScenario => (400, 0),
            Self::InvalidFieldFormat(_) => (400, 1),
            Self::InvalidMandatoryField(_) => (400, 2),
            Self::Unauthorized(_) => (401, 0),
            Self::InvalidToken => (401, 1),
            Self::InvalidCustomerToken => (401, 2),
            Self::TokenNotFound => (401, 3),
            Self::Conflict => (409, 0),
            Self::NotFound | Self::AdminOff => (404, 0),
            Self::MethodNotAllowed => (405, 0),
            Self::HeaderFieldsTooLarge => (431, 0),
            Self::Internal => (500, 1),
            Self::StoreUnavailable => (500, 2),
            Self::Transaction(t) => t.status_and_case(),
        };
        ResponseCode::new(status, service, case)
    }

    /// The lifecycle step that produced this failure, as the journal and
    /// the log name it.
    pub fn step(&self) -> Step {
        match self {
            Self::BadRequest => Step::Body,
            Self::UnknownScenario => Step::Scenario,
            Self::InvalidFieldFormat(f) | Self::InvalidMandatoryField(f) => f.step(),
            Self::Unauthorized(UnauthorizedReason::UnknownClient) => Step::Client,
            Self::Unauthorized(UnauthorizedReason::InvalidSignature) => Step::Signature,
            Self::Unauthorized(UnauthorizedReason::InvalidTimestamp) => Step::Freshness,
            Self::InvalidToken | Self::TokenNotFound | Self::InvalidCustomerToken => Step::Token,
            Self::Unauthorized(UnauthorizedReason::InvalidAuthCode) => Step::AuthCode,
            Self::Conflict => Step::ExternalId,
            Self::NotFound | Self::AdminOff => Step::Route,
            Self::MethodNotAllowed => Step::Method,
            Self::HeaderFieldsTooLarge => Step::HeaderLimits,
            Self::Internal => Step::Internal,
            Self::StoreUnavailable => Step::Store,
            Self::Transaction(
                TransactionFailure::FieldFormat(_) | TransactionFailure::MandatoryField(_),
            ) => Step::Body,
            Self::Transaction(_) => Step::Transaction,
        }
    }
}

/// A rejected request: the SNAP failure, the service it happened in, and a
/// precise explanation for the developer (never sent unless `--explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapError {
    /// The service of the endpoint that refused (the middle digits of the code).
    pub service: ServiceCode,
    /// What went wrong, which decides the status, case and message.
    pub failure: Failure,
    /// Why, in words, for the developer: the journal's `reason`, and the
    /// answer's `error` field under `--explain`.
    pub detail: String,
}

impl SnapError {
    /// A refusal in `service`.
    pub fn new(service: ServiceCode, failure: Failure, detail: impl Into<String>) -> Self {
        Self {
            service,
            failure,
            detail: detail.into(),
        }
    }

    /// The seven-digit code the answer carries.
    pub fn response_code(&self) -> ResponseCode {
        self.failure.response_code(self.service)
    }
}

impl fmt::Display for SnapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.response_code(),
            self.failure.step(),
            self.detail
        )
    }
}

impl std::error::Error for SnapError {}
