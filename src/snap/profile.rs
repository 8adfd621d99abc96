//! Provider dialects: the same protocol, worded and typed per provider.
//!
//! Every success and error body is produced here, so a message or a field
//! type changes in one place.

use super::error::{Failure, UnauthorizedReason};
use super::response_code::ResponseCode;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// How `expiresIn` is typed in the success body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiresIn {
    /// `"expiresIn": 900` (Finpay's sample, despite its String(1..5) table).
    Number,
    /// `"expiresIn": "900"` (the BI standard).
    String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wording {
    /// `Unauthorized. Invalid Signature` (Finpay's observed answers).
    Finpay,
    /// `Unauthorized. [Signature]`, `Invalid Field Format X-TIMESTAMP` (BI).
    Standard,
    /// `Unauthorized. [Signature]`, `Invalid field format [X-TIMESTAMP]`.
    Bca,
}

/// A provider dialect.
#[derive(Debug, PartialEq, Eq)]
pub struct Profile {
    /// The name `--profile` takes.
    pub name: &'static str,
    /// One line on whose dialect this is.
    pub description: &'static str,
    /// `responseMessage` of a successful token request.
    pub success_message: &'static str,
    /// `tokenType` of the token answer (`Bearer`).
    pub token_type: &'static str,
    /// Whether `expiresIn` is a JSON number or a string.
    pub expires_in: ExpiresIn,
    /// Whether the success body carries `"additionalInfo": {}`.
    pub additional_info: bool,
    wording: Wording,
}

pub static FINPAY: Profile = Profile {
    name: "finpay",
    description: "Finpay/Finnet: the seed page's sample response, byte for byte in shape",
    success_message: "Request has been processed successfully",
    token_type: "Bearer",
    expires_in: ExpiresIn::Number,
    additional_info: false,
    wording: Wording::Finpay,
};

pub static SNAP_BI: Profile = Profile {
    name: "snap-bi",
    description: "the BI SNAP standard: \"Successful\", expiresIn as a string, additionalInfo {}",
    success_message: "Successful",
    token_type: "Bearer",
    expires_in: ExpiresIn::String,
    additional_info: true,
    wording: Wording::Standard,
};

pub static BCA: Profile = Profile {
    name: "bca",
    description:
        "BCA-style: standard success body, bracketed messages (Invalid field format [X-TIMESTAMP])",
    success_message: "Successful",
    token_type: "Bearer",
    expires_in: ExpiresIn::String,
    additional_info: true,
    wording: Wording::Bca,
};

pub static DOKU: Profile = Profile {
    name: "doku",
    description: "DOKU: standard wording, expiresIn a number and no additionalInfo (its SDK's response model refuses keys it does not know)",
    success_message: "Successful",
    token_type: "Bearer",
    expires_in: ExpiresIn::Number,
    additional_info: false,
    wording: Wording::Standard,
};

/// Every built-in profile, the default first.
pub static PROFILES: [&Profile; 4] = [&FINPAY, &SNAP_BI, &BCA, &DOKU];

impl Default for &'static Profile {
    fn default() -> Self {
        &FINPAY
    }
}

impl FromStr for &'static Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PROFILES
            .iter()
            .copied()
            .find(|p| p.name == s)
            .ok_or_else(|| {
                let names: Vec<_> = PROFILES.iter().map(|p| p.name).collect();
                format!("unknown profile {s:?} (one of: {})", names.join(", "))
            })
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl Profile {
    /// The `responseMessage` for a failure.
    pub fn message(&self, failure: &Failure) -> Cow<'static, str> {
        use UnauthorizedReason::*;
        use Wording::*;
        match (failure, self.wording) {
            (Failure::BadRequest | Failure::UnknownScenario, _) => "Bad Request".into(),
            (Failure::InvalidFieldFormat(f), Bca) => format!("Invalid field format [{f}]").into(),
            (Failure::InvalidFieldFormat(f), _) => format!("Invalid Field Format {f}").into(),
            (Failure::InvalidMandatoryField(f), Bca) => {
                format!("Invalid mandatory field [{f}]").into()
            }
            (Failure::InvalidMandatoryField(f), _) => format!("Invalid Mandatory Field {f}").into(),
            (Failure::Unauthorized(InvalidSignature), Finpay) => {
                "Unauthorized. Invalid Signature".into()
            }
            (Failure::Unauthorized(UnknownClient), Finpay) => "Unauthorized. Unknown Client".into(),
            (Failure::Unauthorized(InvalidTimestamp), Finpay) => {
                "Unauthorized. Invalid Timestamp".into()
            }
            (Failure::Unauthorized(InvalidAuthCode), Finpay) => {
                "Unauthorized. Invalid Auth Code".into()
            }
            (Failure::Unauthorized(InvalidAuthCode), _) => "Unauthorized. [Auth code]".into(),
            (Failure::InvalidCustomerToken, _) => "Invalid Customer Token".into(),
            (Failure::Unauthorized(InvalidSignature), _) => "Unauthorized. [Signature]".into(),
            (Failure::Unauthorized(UnknownClient), _) => "Unauthorized. [Unknown client]".into(),
            (Failure::Unauthorized(InvalidTimestamp), _) => "Unauthorized. [Timestamp]".into(),
            (Failure::InvalidToken, _) => "Invalid Token (B2B)".into(),
            (Failure::TokenNotFound, _) => "Token Not Found (B2B)".into(),
            (Failure::Conflict, _) => "Conflict".into(),
            (Failure::NotFound, _) => "Not Found".into(),
            (Failure::MethodNotAllowed, _) => "Requested Function Is Not Supported".into(),
            (Failure::HeaderFieldsTooLarge, _) => "Request Header Fields Too Large".into(),
            (Failure::AdminOff, _) => {
                "Not Found: the admin API is off; start snap-mock with --admin on or --admin-token <token>".into()
            }
            (Failure::Internal, _) => "Internal Server Error".into(),
            (Failure::StoreUnavailable, _) => "External Server Error".into(),
            (Failure::Transaction(t), _) => t.message().into(),
        }
    }

    /// The success body of the B2B access token.
    pub fn access_token_body(
        &self,
        code: ResponseCode,
        access_token: &str,
        expires_in: u64,
    ) -> Value {
        let mut body = Map::new();
        let expires = match self.expires_in {
            ExpiresIn::Number => Value::from(expires_in),
            ExpiresIn::String => Value::from(expires_in.to_string()),
        };
        // Finpay's sample lists responseMessage first; mirror it so a
        // byte-level comparison with the seed page holds.
        if self.wording == Wording::Finpay {
            body.insert("responseMessage".into(), self.success_message.into());
            body.insert("responseCode".into(), code.to_string().into());
        } else {
            body.insert("responseCode".into(), code.to_string().into());
            body.insert("responseMessage".into(), self.success_message.into());
        }
        body.insert("accessToken".into(), access_token.into());
        body.insert("tokenType".into(), self.token_type.into());
        body.insert("expiresIn".into(), expires);
        if self.additional_info {
            body.insert("additionalInfo".into(), Value::Object(Map::new()));
        }
        Value::Object(body)
    }
}

impl Profile {
    /// The success body of the B2B2C access token.
    pub fn customer_token_body(
        &self,
        code: ResponseCode,
        access_token: &str,
        access_token_expiry: &str,
        refresh_token: &str,
        refresh_token_expiry: &str,
    ) -> Value {
        let mut body = Map::new();
        body.insert("responseCode".into(), code.to_string().into());
        body.insert("responseMessage".into(), self.success_message.into());
        body.insert("accessToken".into(), access_token.into());
        body.insert("tokenType".into(), self.token_type.into());
        body.insert("accessTokenExpiryTime".into(), access_token_expiry.into());
        body.insert("refreshToken".into(), refresh_token.into());
        body.insert("refreshTokenExpiryTime".into(), refresh_token_expiry.into());
        body.insert("additionalInfo".into(), Value::Object(Map::new()));
        Value::Object(body)
    }
}

/// An error or forced body: `responseCode`, `responseMessage`, then any
/// extra fields (from a scenario, or a `diagnosis` under `--explain`).
pub fn error_body(code: ResponseCode, message: &str, extra: Option<&Map<String, Value>>) -> Value {
    let mut body = Map::new();
    body.insert("responseCode".into(), code.to_string().into());
    body.insert("responseMessage".into(), message.into());
    if let Some(extra) = extra {
        for (k, v) in extra {
            if k != "responseCode" && k != "responseMessage" {
                body.insert(k.clone(), v.clone());
            }
        }
    }
    Value::Object(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snap::response_code::SERVICE_ACCESS_TOKEN_B2B as SVC;

    #[test]
    fn finpay_is_the_default_profile() {
        let p: &Profile = Default::default();
        assert_eq!(p.name, "finpay");
    }

    #[test]
    fn profiles_are_found_by_name_and_unknown_names_list_the_choices() {
        assert_eq!("snap-bi".parse::<&Profile>().unwrap().name, "snap-bi");
        let e = "midtrans".parse::<&Profile>().unwrap_err();
        assert!(e.contains("finpay, snap-bi, bca"), "{e}");
    }

    #[test]
    fn finpay_success_body_matches_the_seed_sample_shape() {
        let code = ResponseCode::new(200, SVC, 0);
        let body = FINPAY.access_token_body(code, "eyJ.x.y", 900);
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"responseMessage":"Request has been processed successfully","responseCode":"2007300","accessToken":"eyJ.x.y","tokenType":"Bearer","expiresIn":900}"#
        );
    }

    #[test]
    fn snap_bi_success_body_follows_the_standard() {
        let code = ResponseCode::new(200, SVC, 0);
        let body = SNAP_BI.access_token_body(code, "eyJ.x.y", 900);
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"eyJ.x.y","tokenType":"Bearer","expiresIn":"900","additionalInfo":{}}"#
        );
    }

    #[test]
    fn messages_name_the_field_in_each_wording() {
        let f = Failure::InvalidFieldFormat(crate::snap::Field::Timestamp);
        assert_eq!(FINPAY.message(&f), "Invalid Field Format X-TIMESTAMP");
        assert_eq!(SNAP_BI.message(&f), "Invalid Field Format X-TIMESTAMP");
        assert_eq!(BCA.message(&f), "Invalid field format [X-TIMESTAMP]");
        let m = Failure::InvalidMandatoryField(crate::snap::Field::GrantType);
        assert_eq!(FINPAY.message(&m), "Invalid Mandatory Field grantType");
        assert_eq!(BCA.message(&m), "Invalid mandatory field [grantType]");
    }

    #[test]
    fn finpay_words_a_bad_signature_as_its_server_does() {
        let f = Failure::Unauthorized(UnauthorizedReason::InvalidSignature);
        assert_eq!(FINPAY.message(&f), "Unauthorized. Invalid Signature");
        assert_eq!(SNAP_BI.message(&f), "Unauthorized. [Signature]");
    }

    #[test]
    fn error_bodies_put_code_and_message_first_and_keep_extra_fields() {
        let mut extra = Map::new();
        extra.insert("responseCode".into(), "0000000".into());
        extra.insert("retryAfter".into(), 5.into());
        let body = error_body(
            ResponseCode::new(429, SVC, 0),
            "Too Many Requests",
            Some(&extra),
        );
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"responseCode":"4297300","responseMessage":"Too Many Requests","retryAfter":5}"#
        );
    }
}
