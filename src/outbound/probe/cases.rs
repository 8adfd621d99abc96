//! The probe's cases, as data: each one an otherwise valid request with
//! one thing wrong, the answer the standard expects, and why a merchant
//! should care. A new case is one entry in [`CASES`] (and, for a new kind
//! of mistake, one arm in the request builder).

use super::case::{Call, Case, Fault, Needs};

/// Shorthand for the table below.
const fn case(
    name: &'static str,
    call: Call,
    fault: Fault,
    expect: &'static [(u16, u8)],
    needs: Needs,
    why: &'static str,
) -> Case {
    Case {
        name,
        call,
        fault,
        expect,
        note: "",
        needs,
        required: true,
        why,
    }
}

const fn noted(mut c: Case, note: &'static str) -> Case {
    c.note = note;
    c
}

const fn advisory(mut c: Case) -> Case {
    c.required = false;
    c
}

use Call::{Inquiry, Notify, Payment, Token};
use Fault as F;

const OK: &[(u16, u8)] = &[(200, 0)];
const UNAUTHORIZED: &[(u16, u8)] = &[(401, 0)];
const UNAUTHORIZED_OR_FORMAT: &[(u16, u8)] = &[(401, 0), (400, 1)];
const FORMAT: &[(u16, u8)] = &[(400, 1)];
const MANDATORY: &[(u16, u8)] = &[(400, 2)];
const MANDATORY_OR_UNAUTHORIZED: &[(u16, u8)] = &[(400, 2), (401, 0)];
const INVALID_TOKEN: &[(u16, u8)] = &[(401, 1)];
const TOKEN_NOT_FOUND: &[(u16, u8)] = &[(401, 3), (401, 1)];
const CONFLICT: &[(u16, u8)] = &[(409, 0)];

const MISSING_SIGNATURE: &str =
    "400xx02 Invalid Mandatory Field [X-SIGNATURE] is the standard's; 401xx00 is also seen";

const WINDOW: &str = "the standard fixes no window; ±5 minutes is usual, and 10 minutes is \
                      outside every window seen. 400xx01 (Invalid Field Format) is also seen";

/// Every case, in the order they run. The order matters: forged requests
/// go to inquiry, which changes nothing, so a merchant that wrongly
/// accepts one is not left with a paid bill; the wrong amount is tried
/// before the real payment; the paid-bill cases follow it.
pub const CASES: &[Case] = &[
    // The happy path first: without a token nothing else means anything.
    case(
        "token",
        Token,
        F::None,
        OK,
        Needs::Nothing,
        "the bank cannot call the merchant at all without a token",
    ),
    case(
        "inquiry",
        Inquiry,
        F::None,
        OK,
        Needs::Token,
        "the customer sees their bill at the ATM or in the app",
    ),
    // The token request, one thing wrong each.
    noted(
        case(
            "token-no-signature",
            Token,
            F::HeaderMissing("X-SIGNATURE"),
            MANDATORY_OR_UNAUTHORIZED,
            Needs::Nothing,
            "a token for anyone who knows a client key",
        ),
        MISSING_SIGNATURE,
    ),
    case(
        "token-signature-of-other-string",
        Token,
        F::SignatureOfOtherString,
        UNAUTHORIZED,
        Needs::Nothing,
        "a signature made for one request opens another",
    ),
    case(
        "token-signature-by-other-key",
        Token,
        F::SignatureByOtherKey,
        UNAUTHORIZED,
        Needs::Nothing,
        "anyone with an RSA key gets a token",
    ),
    case(
        "token-unknown-client-key",
        Token,
        F::ClientKeyUnknown,
        UNAUTHORIZED,
        Needs::Nothing,
        "tokens for clients the merchant never registered",
    ),
    noted(
        case(
            "token-stale-timestamp",
            Token,
            F::TimestampStale,
            UNAUTHORIZED_OR_FORMAT,
            Needs::Nothing,
            "a captured token request can be replayed for ever",
        ),
        WINDOW,
    ),
    noted(
        case(
            "token-future-timestamp",
            Token,
            F::TimestampFuture,
            UNAUTHORIZED_OR_FORMAT,
            Needs::Nothing,
            "a request signed now stays usable later",
        ),
        WINDOW,
    ),
    advisory(case(
        "token-timestamp-form",
        Token,
        F::TimestampForm,
        FORMAT,
        Needs::Nothing,
        "the standard's X-TIMESTAMP is ISO 8601 with a zone; without one, \
        the merchant guesses the signer's time zone",
    )),
    case(
        "token-no-timestamp",
        Token,
        F::HeaderMissing("X-TIMESTAMP"),
        MANDATORY,
        Needs::Nothing,
        "the signature covers a timestamp the merchant never checks",
    ),
    case(
        "token-no-client-key",
        Token,
        F::HeaderMissing("X-CLIENT-KEY"),
        MANDATORY,
        Needs::Nothing,
        "the merchant cannot know whose key verifies the signature",
    ),
    advisory(case(
        "token-no-content-type",
        Token,
        F::HeaderMissing("Content-Type"),
        MANDATORY,
        Needs::Nothing,
        "the standard makes Content-Type mandatory; a lenient merchant \
        works with this bank and breaks with a stricter one",
    )),
    case(
        "token-grant-type-wrong",
        Token,
        F::GrantType(Some("password")),
        FORMAT,
        Needs::Nothing,
        "only client_credentials is defined for B2B tokens",
    ),
    case(
        "token-grant-type-missing",
        Token,
        F::GrantType(None),
        MANDATORY,
        Needs::Nothing,
        "grantType is mandatory",
    ),
    // Service calls, on inquiry: one thing wrong each.
    noted(
        case(
            "inquiry-no-token",
            Inquiry,
            F::TokenMissing,
            TOKEN_NOT_FOUND,
            Needs::Token,
            "the service answers without a token",
        ),
        "401xx03 Token Not Found (B2B) is the standard's; 401xx01 Invalid Token (B2B) is also seen",
    ),
    case(
        "inquiry-made-up-token",
        Inquiry,
        F::TokenMadeUp,
        INVALID_TOKEN,
        Needs::Token,
        "any string is taken as a token",
    ),
    case(
        "inquiry-token-of-other-client",
        Inquiry,
        F::TokenOfOtherClient,
        INVALID_TOKEN,
        Needs::OtherClient,
        "one partner's token works for another partner",
    ),
    case(
        "inquiry-other-secret",
        Inquiry,
        F::SecretOther,
        UNAUTHORIZED,
        Needs::Token,
        "a token alone, without the client secret, is enough",
    ),
    case(
        "inquiry-body-not-minified",
        Inquiry,
        F::BodyNotMinified,
        UNAUTHORIZED,
        Needs::Token,
        "the merchant hashes the bytes as sent: a bank that sends pretty-printed JSON \
        and signs it as the standard says is refused, and one that signs the raw bytes \
        is accepted",
    ),
    case(
        "inquiry-query-not-signed",
        Inquiry,
        F::QueryNotSigned,
        UNAUTHORIZED,
        Needs::Token,
        "the signature does not cover the whole URL, so a query can be added to a signed call",
    ),
    noted(
        case(
            "inquiry-stale-timestamp",
            Inquiry,
            F::TimestampStale,
            UNAUTHORIZED_OR_FORMAT,
            Needs::Token,
            "a captured call can be replayed with a new X-EXTERNAL-ID",
        ),
        WINDOW,
    ),
    case(
        "inquiry-no-timestamp",
        Inquiry,
        F::HeaderMissing("X-TIMESTAMP"),
        MANDATORY,
        Needs::Token,
        "the signature covers a timestamp the merchant never checks",
    ),
    noted(
        case(
            "inquiry-no-signature",
            Inquiry,
            F::HeaderMissing("X-SIGNATURE"),
            MANDATORY_OR_UNAUTHORIZED,
            Needs::Token,
            "a token alone is enough to call the service",
        ),
        MISSING_SIGNATURE,
    ),
    case(
        "inquiry-no-partner-id",
        Inquiry,
        F::HeaderMissing("X-PARTNER-ID"),
        MANDATORY,
        Needs::Token,
        "the merchant does not know which partner calls",
    ),
    case(
        "inquiry-no-external-id",
        Inquiry,
        F::HeaderMissing("X-EXTERNAL-ID"),
        MANDATORY,
        Needs::Token,
        "no replay protection is possible without it",
    ),
    case(
        "inquiry-no-channel-id",
        Inquiry,
        F::HeaderMissing("CHANNEL-ID"),
        MANDATORY,
        Needs::Token,
        "CHANNEL-ID is mandatory in the standard",
    ),
    case(
        "inquiry-replayed-external-id",
        Inquiry,
        F::ExternalIdReplayed,
        CONFLICT,
        Needs::Token,
        "the same call processed twice: a payment booked twice",
    ),
    noted(
        case(
            "inquiry-unknown-va",
            Inquiry,
            F::VaUnknown,
            &[(404, 12), (404, 11)],
            Needs::Token,
            "a bill is shown for an account that does not exist",
        ),
        "404xx12 Invalid Bill/Virtual Account is the usual answer; the standard's 404xx11 \
         Invalid Card/Account/Customer/Virtual Account also names the VA",
    ),
    // Payment: the wrong amount first, then the real payment, then the
    // cases that need a paid bill.
    case(
        "payment-wrong-amount",
        Payment,
        F::AmountWrong,
        &[(404, 13)],
        Needs::UnpaidVa,
        "a closed bill paid with another amount",
    ),
    case(
        "payment",
        Payment,
        F::None,
        OK,
        Needs::UnpaidVa,
        "the customer's money reaches the merchant",
    ),
    case(
        "inquiry-paid-va",
        Inquiry,
        F::None,
        &[(404, 14)],
        Needs::PaidVa,
        "a paid bill shown as open is paid again",
    ),
    case(
        "payment-paid-va",
        Payment,
        F::None,
        &[(404, 14)],
        Needs::PaidVa,
        "a bill paid twice: the customer pays twice",
    ),
    // Last: waits for the merchant's token to expire, when that is short.
    case(
        "inquiry-expired-token",
        Inquiry,
        F::TokenExpired,
        INVALID_TOKEN,
        Needs::Token,
        "tokens live for ever",
    ),
    // Notifications (--notify).
    case(
        "notify",
        Notify,
        F::None,
        OK,
        Needs::NotifyUrl,
        "the merchant never learns that a payment arrived",
    ),
    case(
        "notify-signature-by-other-key",
        Notify,
        F::SignatureByOtherKey,
        UNAUTHORIZED,
        Needs::NotifyUrl,
        "anyone can tell the merchant a bill was paid",
    ),
    case(
        "notify-body-changed",
        Notify,
        F::BodyChangedAfterSigning,
        UNAUTHORIZED,
        Needs::NotifyUrl,
        "a genuine notification's amount or status can be changed in transit",
    ),
    noted(
        case(
            "notify-stale-timestamp",
            Notify,
            F::TimestampStale,
            UNAUTHORIZED_OR_FORMAT,
            Needs::NotifyUrl,
            "a captured notification can be replayed later",
        ),
        WINDOW,
    ),
    noted(
        case(
            "notify-no-signature",
            Notify,
            F::HeaderMissing("X-SIGNATURE"),
            MANDATORY_OR_UNAUTHORIZED,
            Needs::NotifyUrl,
            "a notification without a signature is believed",
        ),
        MISSING_SIGNATURE,
    ),
    case(
        "notify-replayed-external-id",
        Notify,
        F::ExternalIdReplayed,
        CONFLICT,
        Needs::NotifyUrl,
        "another notification under a used X-EXTERNAL-ID is processed as new",
    ),
];

/// The case of that name.
pub fn by_name(name: &str) -> Option<&'static Case> {
    CASES.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_start_with_their_call() {
        let mut seen = std::collections::BTreeSet::new();
        for c in CASES {
            assert!(seen.insert(c.name), "{} twice", c.name);
            assert!(
                c.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                c.name
            );
            assert!(c.name.starts_with(c.call.as_str()), "{}", c.name);
            assert!(!c.expect.is_empty() && !c.why.is_empty(), "{}", c.name);
            assert_eq!(
                c.expect.len() > 1,
                !c.note.is_empty(),
                "{}: several answers need a note",
                c.name
            );
        }
        assert_eq!(by_name("payment").unwrap().fault, Fault::None);
        assert!(by_name("nope").is_none());
    }

    #[test]
    fn the_happy_path_runs_first_and_payment_before_the_paid_bill_cases() {
        let at = |n| CASES.iter().position(|c| c.name == n).unwrap();
        assert_eq!((at("token"), at("inquiry")), (0, 1));
        assert!(at("payment-wrong-amount") < at("payment"));
        assert!(at("payment") < at("inquiry-paid-va") && at("payment") < at("payment-paid-va"));
        // No forged request goes to payment: it would pay the bill.
        for c in CASES.iter().filter(|c| c.call == Call::Payment) {
            assert!(
                matches!(c.fault, Fault::None | Fault::AmountWrong),
                "{}",
                c.name
            );
        }
    }
}
