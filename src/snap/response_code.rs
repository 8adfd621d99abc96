//! SNAP response codes: `HTTP status (3) + service code (2) + case (2)`.

use std::fmt;
use std::str::FromStr;

/// The two-digit SNAP service code, e.g. `73` for the B2B access token:
/// the middle two digits of every `responseCode` of that service.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct ServiceCode(pub u8);

/// A number, as in the JSON schema; a fixture that writes it as a string
/// (`"11"`, as it reads inside a `responseCode`) is told so in those
/// words, not in serde's ("expected u8").
impl<'de> serde::Deserialize<'de> for ServiceCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ServiceCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a SNAP service code: a number from 0 to 99, such as 11")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<ServiceCode, E> {
                u8::try_from(n)
                    .map(ServiceCode)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ServiceCode, E> {
                Err(E::custom(format_args!(
                    "the service code is the string {s:?}; write it as a number, without quotes (such as 11)"
                )))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl fmt::Display for ServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// Service code of `POST .../v1.0/access-token/b2b`.
pub const SERVICE_ACCESS_TOKEN_B2B: ServiceCode = ServiceCode(73);
/// Service code of `POST .../v1.0/access-token/b2b2c`.
pub const SERVICE_ACCESS_TOKEN_B2B2C: ServiceCode = ServiceCode(74);
/// Service code used for answers that belong to no SNAP service
/// (unknown path, health, admin). SNAP reserves `00` for general codes.
pub const SERVICE_GENERAL: ServiceCode = ServiceCode(0);

/// A seven-digit SNAP `responseCode`, e.g. `4017300`.
///
/// The HTTP status of a response always equals the first three digits; the
/// type makes that impossible to get wrong because the status is derived.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ResponseCode {
    http_status: u16,
    service: ServiceCode,
    case: u8,
}

impl ResponseCode {
    /// Builds a code. `http_status` must be a 3-digit status, `service` and
    /// `case` at most 99; anything else is a programming error caught by
    /// [`ResponseCode::try_new`] for data that comes from outside.
    pub const fn new(http_status: u16, service: ServiceCode, case: u8) -> Self {
        Self {
            http_status,
            service,
            case,
        }
    }

    /// Checked constructor for codes built from configuration or fixtures.
    pub fn try_new(
        http_status: u16,
        service: ServiceCode,
        case: u8,
    ) -> Result<Self, ResponseCodeError> {
        if !(200..=599).contains(&http_status) {
            return Err(ResponseCodeError::HttpStatus(http_status));
        }
        if service.0 > 99 || case > 99 {
            return Err(ResponseCodeError::Format);
        }
        Ok(Self::new(http_status, service, case))
    }

    /// The HTTP status (the first three digits).
    pub fn http_status(self) -> u16 {
        self.http_status
    }

    /// The service code (the middle two digits).
    pub fn service(self) -> ServiceCode {
        self.service
    }

    /// The case (the last two digits).
    pub fn case(self) -> u8 {
        self.case
    }

    /// True for a 2xx status.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.http_status)
    }

    /// The same status and case under another service, e.g. the token
    /// endpoint's `4017300` as a transactional service's `4014700`.
    pub fn for_service(self, service: ServiceCode) -> Self {
        Self { service, ..self }
    }

    /// The message the BI standard attaches to this status and case, if the
    /// standard's table has one. Messages do not depend on the service code.
    pub fn standard_message(self) -> Option<&'static str> {
        standard_message(self.http_status, self.case)
    }
}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:03}{:02}{:02}",
            self.http_status, self.service.0, self.case
        )
    }
}

/// Why a string is not a usable response code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseCodeError {
    /// Not exactly seven ASCII digits.
    Format,
    /// The first three digits are not an HTTP status a server can send.
    HttpStatus(u16),
}

impl fmt::Display for ResponseCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format => write!(f, "a SNAP response code is exactly 7 digits, e.g. 4017300"),
            Self::HttpStatus(s) => write!(
                f,
                "the first three digits ({s}) must be an HTTP status between 200 and 599"
            ),
        }
    }
}

impl std::error::Error for ResponseCodeError {}

impl FromStr for ResponseCode {
    type Err = ResponseCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 7 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ResponseCodeError::Format);
        }
        // All seven bytes are ASCII digits, so these slices and parses hold.
        let num =
            |r: std::ops::Range<usize>| s[r].parse::<u16>().map_err(|_| ResponseCodeError::Format);
        let http_status = num(0..3)?;
        let service = ServiceCode(num(3..5)? as u8);
        let case = num(5..7)? as u8;
        Self::try_new(http_status, service, case)
    }
}

/// The BI SNAP response-code table (Standar Teknis dan Keamanan, v1.0.2):
/// the message for each HTTP status and case, independent of the service.
pub const STANDARD_MESSAGES: &[(u16, u8, &str)] = &[
    (200, 0, "Successful"),
    (202, 0, "Request In Progress"),
    (400, 0, "Bad Request"),
    (400, 1, "Invalid Field Format"),
    (400, 2, "Invalid Mandatory Field"),
    (401, 0, "Unauthorized"),
    (401, 1, "Invalid Token (B2B)"),
    (401, 2, "Invalid Customer Token"),
    (401, 3, "Token Not Found (B2B)"),
    (401, 4, "Customer Token Not Found"),
    (403, 0, "Transaction Expired"),
    (403, 1, "Feature Not Allowed"),
    (403, 2, "Exceeds Transaction Amount Limit"),
    (403, 3, "Suspected Fraud"),
    (403, 4, "Activity Count Limit Exceeded"),
    (403, 5, "Do Not Honor"),
    (403, 6, "Feature Not Allowed At This Time"),
    (403, 7, "Card Blocked"),
    (403, 8, "Card Expired"),
    (403, 9, "Dormant Account"),
    (403, 10, "Need To Set Token Limit"),
    (403, 11, "OTP Blocked"),
    (403, 12, "OTP Lifetime Expired"),
    (403, 13, "OTP Sent To Cardholder"),
    (403, 14, "Insufficient Funds"),
    (403, 15, "Transaction Not Permitted"),
    (403, 16, "Suspend Transaction"),
    (403, 17, "Token Limit Exceeded"),
    (403, 18, "Inactive Card/Account/Customer"),
    (403, 19, "Merchant Blacklisted"),
    (403, 20, "Merchant Limit Exceed"),
    (403, 21, "Set Limit Not Allowed"),
    (403, 22, "Token Limit Invalid"),
    (403, 23, "Account Limit Exceed"),
    (404, 0, "Invalid Transaction Status"),
    (404, 1, "Transaction Not Found"),
    (404, 2, "Invalid Routing"),
    (404, 3, "Bank Not Supported By Switch"),
    (404, 4, "Transaction Cancelled"),
    (
        404,
        5,
        "Merchant Is Not Registered For Card Registration Services",
    ),
    (404, 6, "Need To Request OTP"),
    (404, 7, "Journey Not Found"),
    (404, 8, "Invalid Merchant"),
    (404, 9, "No Issuer"),
    (404, 10, "Invalid API Transition"),
    (404, 11, "Invalid Card/Account/Customer/Virtual Account"),
    (404, 12, "Invalid Bill/Virtual Account"),
    (404, 13, "Invalid Amount"),
    (404, 14, "Paid Bill"),
    (404, 15, "Invalid OTP"),
    (404, 16, "Partner Not Found"),
    (404, 17, "Invalid Terminal"),
    (404, 18, "Inconsistent Request"),
    (404, 19, "Invalid Bill/Virtual Account"),
    (405, 0, "Requested Function Is Not Supported"),
    (405, 1, "Requested Operation Is Not Allowed"),
    (409, 0, "Conflict"),
    (409, 1, "Duplicate partnerReferenceNo"),
    (429, 0, "Too Many Requests"),
    (500, 0, "General Error"),
    (500, 1, "Internal Server Error"),
    (500, 2, "External Server Error"),
    (504, 0, "Timeout"),
];

fn standard_message(http_status: u16, case: u8) -> Option<&'static str> {
    STANDARD_MESSAGES
        .iter()
        .find(|(s, c, _)| *s == http_status && *c == case)
        .map(|(_, _, m)| *m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_code_is_a_number_and_a_string_one_is_told_so() {
        let parse =
            |json: &str| serde_json::from_str::<ServiceCode>(json).map_err(|e| e.to_string());
        assert_eq!(parse("11"), Ok(ServiceCode(11)));
        let string = parse(r#""11""#).unwrap_err();
        assert!(string.contains("write it as a number"), "{string}");
        for wrong in ["300", "-3", "1.5", "null"] {
            let error = parse(wrong).unwrap_err();
            assert!(error.contains("a number from 0 to 99"), "{wrong}: {error}");
        }
    }

    #[test]
    fn a_code_renders_as_seven_zero_padded_digits() {
        assert_eq!(
            ResponseCode::new(200, crate::snap::ServiceCode(73), 0).to_string(),
            "2007300"
        );
        assert_eq!(
            ResponseCode::new(401, crate::snap::ServiceCode(73), 0).to_string(),
            "4017300"
        );
        assert_eq!(
            ResponseCode::new(404, crate::snap::ServiceCode(0), 2).to_string(),
            "4040002"
        );
    }

    #[test]
    fn a_code_round_trips_through_its_string_form() {
        for s in [
            "2007300", "4007301", "4007302", "4017300", "5047300", "4091200",
        ] {
            let code: ResponseCode = s.parse().unwrap();
            assert_eq!(code.to_string(), s);
        }
    }

    #[test]
    fn the_http_status_is_the_first_three_digits() {
        let code: ResponseCode = "4297300".parse().unwrap();
        assert_eq!(code.http_status(), 429);
        assert_eq!(code.service(), crate::snap::ServiceCode(73));
        assert_eq!(code.case(), 0);
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for s in ["", "401730", "40173000", "40173a0", " 401730", "+401730"] {
            assert_eq!(
                s.parse::<ResponseCode>(),
                Err(ResponseCodeError::Format),
                "{s:?}"
            );
        }
        assert_eq!(
            "9997300".parse::<ResponseCode>(),
            Err(ResponseCodeError::HttpStatus(999))
        );
        assert_eq!(
            "1007300".parse::<ResponseCode>(),
            Err(ResponseCodeError::HttpStatus(100))
        );
    }

    #[test]
    fn standard_messages_follow_the_bi_table() {
        let msg = |s: &str| s.parse::<ResponseCode>().unwrap().standard_message();
        assert_eq!(msg("2007300"), Some("Successful"));
        assert_eq!(msg("4007300"), Some("Bad Request"));
        assert_eq!(msg("4007301"), Some("Invalid Field Format"));
        assert_eq!(msg("4007302"), Some("Invalid Mandatory Field"));
        assert_eq!(msg("4017300"), Some("Unauthorized"));
        assert_eq!(msg("4017301"), Some("Invalid Token (B2B)"));
        assert_eq!(msg("4017303"), Some("Token Not Found (B2B)"));
        assert_eq!(msg("4097300"), Some("Conflict"));
        assert_eq!(msg("4297300"), Some("Too Many Requests"));
        assert_eq!(msg("5007300"), Some("General Error"));
        assert_eq!(msg("5007301"), Some("Internal Server Error"));
        assert_eq!(msg("5007302"), Some("External Server Error"));
        assert_eq!(msg("5047300"), Some("Timeout"));
        assert_eq!(msg("4187300"), None);
    }

    #[test]
    fn the_table_has_no_duplicate_entries() {
        for (i, (s, c, _)) in STANDARD_MESSAGES.iter().enumerate() {
            assert!(
                !STANDARD_MESSAGES[i + 1..]
                    .iter()
                    .any(|(s2, c2, _)| s2 == s && c2 == c),
                "{s}xx{c:02} twice"
            );
        }
    }

    #[test]
    fn the_same_status_and_case_under_another_service() {
        let token = ResponseCode::new(401, SERVICE_ACCESS_TOKEN_B2B, 0);
        let moved = token.for_service(ServiceCode(47));
        assert_eq!(moved.to_string(), "4014700");
        assert_eq!(moved.service(), ServiceCode(47));
        assert_eq!((moved.http_status(), moved.case()), (401, 0));
    }
}
