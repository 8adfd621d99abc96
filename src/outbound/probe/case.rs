//! What a probe case is: the endpoint it calls, the one thing it gets
//! wrong, what must hold before it is sent, and the answers that pass. The
//! cases themselves are the table in `cases.rs`.

/// Which of the merchant's endpoints a case calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Call {
    /// `POST .../v1.0/access-token/b2b` (service 73), RSA-signed.
    Token,
    /// `POST .../v1.0/transfer-va/inquiry` (service 24), bearer + HMAC.
    Inquiry,
    /// `POST .../v1.0/transfer-va/payment` (service 25), bearer + HMAC.
    Payment,
    /// The merchant's notification URL (`--notify`), RSA-signed, no token.
    Notify,
}

impl Call {
    /// The SNAP service code of the call's answers (a notification's
    /// depends on its kind, see [`super::NotifyKind`]).
    pub const fn service(self) -> u8 {
        match self {
            Self::Token => 73,
            Self::Inquiry => 24,
            Self::Payment => 25,
            Self::Notify => 25,
        }
    }

    /// The name in reports and JUnit class names.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Inquiry => "inquiry",
            Self::Payment => "payment",
            Self::Notify => "notify",
        }
    }
}

/// The one thing a case gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Nothing: the happy path.
    None,
    /// The header is left out (its SNAP spelling).
    HeaderMissing(&'static str),
    /// `X-SIGNATURE` is a valid signature of another string to sign.
    SignatureOfOtherString,
    /// `X-SIGNATURE` made with an RSA key the merchant never saw.
    SignatureByOtherKey,
    /// `X-CLIENT-KEY` the merchant never issued (signature made for it).
    ClientKeyUnknown,
    /// `X-TIMESTAMP` ten minutes in the past (signed as sent).
    TimestampStale,
    /// `X-TIMESTAMP` ten minutes ahead (signed as sent).
    TimestampFuture,
    /// `X-TIMESTAMP` not ISO 8601 (`yyyy-MM-dd HH:mm:ss`, signed as sent).
    TimestampForm,
    /// `grantType` with this value, or absent.
    GrantType(Option<&'static str>),
    /// No `Authorization` header at all.
    TokenMissing,
    /// A bearer token the merchant never issued (HMAC made with it).
    TokenMadeUp,
    /// The token the merchant issued at the start, used after it expired.
    TokenExpired,
    /// A token the merchant issued to another client.
    TokenOfOtherClient,
    /// HMAC made with another client secret.
    SecretOther,
    /// The body is sent pretty-printed and its hash taken as sent, not
    /// minified.
    BodyNotMinified,
    /// The URL carries `?probe=1`; the signature covers the path only.
    QueryNotSigned,
    /// An `X-EXTERNAL-ID` already used today (the first use is sent first).
    ExternalIdReplayed,
    /// A virtual account the merchant does not know.
    VaUnknown,
    /// `paidAmount` one rupiah above the bill.
    AmountWrong,
    /// A notification whose body was changed after it was signed.
    BodyChangedAfterSigning,
}

impl Fault {
    /// What was sent, in words, for the report.
    pub fn describe(self, call: Call) -> String {
        let what = match call {
            Call::Token => "token request",
            Call::Inquiry => "inquiry",
            Call::Payment => "payment",
            Call::Notify => "notification",
        };
        match self {
            Self::None => format!("a valid {what}"),
            Self::HeaderMissing(name) => format!("no {name} header"),
            Self::SignatureOfOtherString => "X-SIGNATURE of another timestamp".into(),
            Self::SignatureByOtherKey => "X-SIGNATURE by an unknown RSA key".into(),
            Self::ClientKeyUnknown => "an X-CLIENT-KEY never issued".into(),
            Self::TimestampStale => "X-TIMESTAMP 10 minutes old".into(),
            Self::TimestampFuture => "X-TIMESTAMP 10 minutes ahead".into(),
            Self::TimestampForm => "X-TIMESTAMP as yyyy-MM-dd HH:mm:ss".into(),
            Self::GrantType(Some(grant)) => format!("grantType {grant:?}"),
            Self::GrantType(None) => "no grantType".into(),
            Self::TokenMissing => "no Authorization header".into(),
            Self::TokenMadeUp => "a made-up bearer token".into(),
            Self::TokenExpired => "the first token, after it expired".into(),
            Self::TokenOfOtherClient => "another client's token".into(),
            Self::SecretOther => "HMAC with another secret".into(),
            Self::BodyNotMinified => "pretty body, hash taken as sent".into(),
            Self::QueryNotSigned => "?probe=1 added, path signed".into(),
            Self::ExternalIdReplayed => format!("a second {what}, same X-EXTERNAL-ID"),
            Self::VaUnknown => "a VA the merchant does not know".into(),
            Self::AmountWrong => "paidAmount 1 rupiah over the bill".into(),
            Self::BodyChangedAfterSigning => "amount changed after signing".into(),
        }
    }
}

/// What the merchant's state must be for the case to mean anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Nothing.
    Nothing,
    /// The token of the happy path.
    Token,
    /// The token of the happy path, and a VA not yet paid.
    UnpaidVa,
    /// A VA already paid (by the happy payment, or by a case the merchant
    /// should have refused).
    PaidVa,
    /// `--other-client-key` and its secret.
    OtherClient,
    /// `--notify`.
    NotifyUrl,
}

/// One case.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// Unique, kebab-case: what `--only` and `--skip` take.
    pub name: &'static str,
    /// The endpoint called.
    pub call: Call,
    /// The one thing wrong.
    pub fault: Fault,
    /// The answers that pass, as (HTTP status, case) of the call's service:
    /// the first is the standard's; any other is one the standard also
    /// allows (said in `note`).
    pub expect: &'static [(u16, u8)],
    /// Where the standard leaves a choice, which and why.
    pub note: &'static str,
    /// What must hold before the case is sent.
    pub needs: Needs,
    /// A failed required case fails the run; an advisory one is a warning.
    pub required: bool,
    /// Why it matters, for the report.
    pub why: &'static str,
}
