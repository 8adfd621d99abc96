//! `POST .../v1.0/access-token/b2b`: from raw request parts to a typed
//! request, or to the first rule it breaks.

use super::error::{Failure, SnapError};
use super::field::Field;
use super::response_code::ServiceCode;
use super::response_code::SERVICE_ACCESS_TOKEN_B2B as SERVICE;
use super::response_code::SERVICE_ACCESS_TOKEN_B2B2C as SERVICE_B2B2C;
use super::signature::string_to_sign;
use super::timestamp::TimestampMode;
mod body;

use body::{check_grant_type, find_grant_type, json_type, parse_body};
use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};
use std::str::FromStr;

/// The grant the B2B token endpoint accepts.
pub const CLIENT_CREDENTIALS: &str = "client_credentials";
/// `grantType` is String(1..18) in every provider's table.
pub const GRANT_TYPE_MAX_LEN: usize = 18;
/// Spellings that predate v1.0.2 of the standard or come from OAuth habits.
pub const LEGACY_GRANT_TYPE_FIELDS: [&str; 2] = ["granttype", "grant_type"];

/// The request as it came off the wire, with no HTTP types: header values
/// as raw bytes (they need not be UTF-8) and the body bytes.
#[derive(Debug, Default, Clone, Copy)]
pub struct RawTokenRequest<'a> {
    /// `X-TIMESTAMP`, if sent.
    pub x_timestamp: Option<&'a [u8]>,
    /// `X-CLIENT-KEY`, if sent.
    pub x_client_key: Option<&'a [u8]>,
    /// `X-SIGNATURE`, if sent.
    pub x_signature: Option<&'a [u8]>,
    /// `Content-Type`, if sent.
    pub content_type: Option<&'a [u8]>,
    /// The body bytes as received.
    pub body: &'a [u8],
}

/// What to do with the `Content-Type` header; Finpay's pages disagree on
/// whether it is mandatory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ContentTypeRule {
    /// Absent is fine; present must be `application/json`.
    #[default]
    Lenient,
    /// Must be present and `application/json`.
    Strict,
    /// Not looked at.
    Ignore,
}

impl ContentTypeRule {
    /// The name `--content-type` takes.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Lenient => "lenient",
            Self::Strict => "strict",
            Self::Ignore => "ignore",
        }
    }
}

impl FromStr for ContentTypeRule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "lenient" => Ok(Self::Lenient),
            "strict" => Ok(Self::Strict),
            "ignore" => Ok(Self::Ignore),
            other => Err(format!(
                "unknown content-type rule {other:?} (lenient, strict, ignore)"
            )),
        }
    }
}

/// The choices the spec leaves open, made explicit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParseRules {
    /// Which `X-TIMESTAMP` forms are accepted (`--timestamp-mode`).
    pub timestamp_mode: TimestampMode,
    /// Whether `Content-Type` is required (`--content-type`).
    pub content_type: ContentTypeRule,
    /// Accept `granttype` / `grant_type` when `grantType` is absent.
    pub accept_legacy_grant_type: bool,
}

/// A syntactically valid access-token request. Authentication (client,
/// signature, freshness) is checked by the caller, which has the registry.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessTokenRequest<'a> {
    /// `X-CLIENT-KEY`, as sent.
    pub client_key: &'a str,
    /// `X-TIMESTAMP`, as sent: the signature covers these exact characters.
    pub timestamp: &'a str,
    /// The instant `timestamp` denotes, for the freshness window.
    pub timestamp_instant: DateTime<FixedOffset>,
    /// `X-SIGNATURE`, as sent (decoded by the verifier).
    pub signature: &'a [u8],
    /// The body field that carried the grant (`grantType` unless a legacy
    /// spelling was accepted).
    pub grant_type_field: &'static str,
    /// `additionalInfo`, whatever its type; never a reason to reject.
    pub additional_info: Option<Value>,
    /// What the client asks for.
    pub grant: Grant,
}

/// The grant of a token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// B2B: `client_credentials`.
    ClientCredentials,
    /// B2B2C: `AUTHORIZATION_CODE` with this `authCode`.
    AuthorizationCode(String),
    /// B2B2C: `REFRESH_TOKEN` with this `refreshToken`.
    RefreshToken(String),
}

fn bad_request(service: ServiceCode, detail: impl Into<String>) -> SnapError {
    SnapError::new(service, Failure::BadRequest, detail)
}

fn invalid_format(service: ServiceCode, field: Field, detail: impl Into<String>) -> SnapError {
    SnapError::new(service, Failure::InvalidFieldFormat(field), detail)
}

impl<'a> AccessTokenRequest<'a> {
    /// Applies the syntactic rules in the order the README documents:
    /// mandatory headers, X-TIMESTAMP format, X-CLIENT-KEY format,
    /// Content-Type, body, grantType.
    pub fn parse(raw: &RawTokenRequest<'a>, rules: &ParseRules) -> Result<Self, SnapError> {
        let (mut request, body) = Self::parse_common(raw, rules, SERVICE)?;
        let (grant_type_field, grant_type) = find_grant_type(&body, rules, SERVICE)?;
        check_grant_type(grant_type_field, grant_type, SERVICE)?;
        request.grant_type_field = grant_type_field;
        Ok(request)
    }

    /// The B2B2C token request (`.../access-token/b2b2c`, service 74): the
    /// same headers and signature, and a grant of `AUTHORIZATION_CODE` with
    /// `authCode` or `REFRESH_TOKEN` with `refreshToken`.
    pub fn parse_b2b2c(raw: &RawTokenRequest<'a>, rules: &ParseRules) -> Result<Self, SnapError> {
        let (mut request, body) = Self::parse_common(raw, rules, SERVICE_B2B2C)?;
        let err = |failure, detail: String| SnapError::new(SERVICE_B2B2C, failure, detail);
        let text_field = |field: Field| -> Result<String, SnapError> {
            let name = field.name();
            match body.get(name) {
                None | Some(Value::Null) => Err(err(
                    Failure::InvalidMandatoryField(field),
                    format!("the body has no {name}"),
                )),
                Some(Value::String(s)) if s.is_empty() => Err(err(
                    Failure::InvalidMandatoryField(field),
                    format!("{name} is empty"),
                )),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err(err(
                    Failure::InvalidFieldFormat(field),
                    format!("{name} must be a string, got {}", json_type(other)),
                )),
            }
        };
        let grant_type = text_field(Field::GrantType)?;
        request.grant = if grant_type.eq_ignore_ascii_case("AUTHORIZATION_CODE") {
            Grant::AuthorizationCode(text_field(Field::AuthCode)?)
        } else if grant_type.eq_ignore_ascii_case("REFRESH_TOKEN") {
            Grant::RefreshToken(text_field(Field::RefreshToken)?)
        } else {
            return Err(err(
                Failure::InvalidFieldFormat(Field::GrantType),
                format!("grantType is {grant_type:?}; the B2B2C endpoint takes AUTHORIZATION_CODE or REFRESH_TOKEN"),
            ));
        };
        Ok(request)
    }

    /// Headers, timestamp, content type and body: what both token requests
    /// share.
    fn parse_common(
        raw: &RawTokenRequest<'a>,
        rules: &ParseRules,
        service: ServiceCode,
    ) -> Result<(Self, Map<String, Value>), SnapError> {
        let timestamp = Field::Timestamp.mandatory(raw.x_timestamp, service)?;
        let client_key = Field::ClientKey.mandatory(raw.x_client_key, service)?;
        let signature = Field::Signature.mandatory(raw.x_signature, service)?;

        let timestamp = std::str::from_utf8(timestamp).map_err(|_| {
            invalid_format(service, Field::Timestamp, "X-TIMESTAMP is not UTF-8 text")
        })?;
        let timestamp_instant =
            super::timestamp::x_timestamp(timestamp, rules.timestamp_mode, service)?;

        let client_key = std::str::from_utf8(client_key)
            .ok()
            .filter(|k| k.bytes().all(|b| (0x20..0x7f).contains(&b)))
            .ok_or_else(|| {
                invalid_format(
                    service,
                    Field::ClientKey,
                    "X-CLIENT-KEY must be printable ASCII (a client id such as a UUID)",
                )
            })?;

        check_content_type(raw.content_type, rules.content_type, service)?;

        let body = parse_body(raw.body, service)?;
        let request = Self {
            client_key,
            timestamp,
            timestamp_instant,
            signature,
            grant_type_field: "grantType",
            additional_info: body.get("additionalInfo").cloned(),
            grant: Grant::ClientCredentials,
        };
        Ok((request, body))
    }

    /// `X-CLIENT-KEY + "|" + X-TIMESTAMP`, the string the signature covers.
    pub fn string_to_sign(&self) -> String {
        string_to_sign(self.client_key, self.timestamp)
    }
}

fn check_content_type(
    value: Option<&[u8]>,
    rule: ContentTypeRule,
    service: ServiceCode,
) -> Result<(), SnapError> {
    let is_json = |v: &[u8]| {
        let mime = v.split(|b| *b == b';').next().unwrap_or_default();
        mime.trim_ascii().eq_ignore_ascii_case(b"application/json")
    };
    match (rule, value) {
        (ContentTypeRule::Ignore, _) | (ContentTypeRule::Lenient, None) => Ok(()),
        (ContentTypeRule::Strict, None) => Err(SnapError::new(
            service,
            Failure::InvalidMandatoryField(Field::ContentType),
            "header Content-Type is missing (strict content-type rule); send application/json",
        )),
        (_, Some(v)) if is_json(v) => Ok(()),
        (_, Some(v)) => Err(invalid_format(
            service,
            Field::ContentType,
            format!(
                "Content-Type is {:?}; the token endpoint takes application/json",
                String::from_utf8_lossy(v)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_given_twice_is_a_bad_request() {
        let twice = br#"{"grantType":"password","grantType":"client_credentials"}"#;
        let e = parse_body(twice, crate::snap::ServiceCode(73)).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4007300");
        assert!(
            e.detail.contains("\"grantType\" more than once"),
            "{}",
            e.detail
        );
        assert!(parse_body(
            br#"{"grantType":"client_credentials","x":{"a":1,"a":2}}"#,
            crate::snap::ServiceCode(73)
        )
        .is_ok());
    }
    use crate::snap::error::Failure::*;

    const BODY: &[u8] = br#"{"grantType":"client_credentials","additionalInfo":{}}"#;

    fn raw(body: &'static [u8]) -> RawTokenRequest<'static> {
        RawTokenRequest {
            x_timestamp: Some(b"2024-03-01T15:27:49+07:00"),
            x_client_key: Some(b"demo-client"),
            x_signature: Some(b"c2ln"),
            content_type: Some(b"application/json"),
            body,
        }
    }

    fn failure(raw: RawTokenRequest<'_>, rules: ParseRules) -> Failure {
        AccessTokenRequest::parse(&raw, &rules)
            .expect_err("request should have been rejected")
            .failure
    }

    #[test]
    fn a_well_formed_request_parses_into_its_parts() {
        let raw = raw(BODY);
        let req = AccessTokenRequest::parse(&raw, &ParseRules::default()).unwrap();
        assert_eq!(req.client_key, "demo-client");
        assert_eq!(req.timestamp, "2024-03-01T15:27:49+07:00");
        assert_eq!(req.signature, b"c2ln");
        assert_eq!(req.grant_type_field, "grantType");
        assert_eq!(
            req.string_to_sign(),
            "demo-client|2024-03-01T15:27:49+07:00"
        );
    }

    #[test]
    fn each_missing_header_is_named_in_spec_order() {
        let rules = ParseRules::default();
        let mut r = raw(BODY);
        r.x_timestamp = None;
        r.x_client_key = None;
        assert_eq!(failure(r, rules), InvalidMandatoryField(Field::Timestamp));
        let mut r = raw(BODY);
        r.x_client_key = None;
        assert_eq!(failure(r, rules), InvalidMandatoryField(Field::ClientKey));
        let mut r = raw(BODY);
        r.x_signature = Some(b"  ");
        assert_eq!(
            failure(r, rules),
            InvalidMandatoryField(crate::snap::Field::Signature)
        );
    }

    #[test]
    fn a_missing_header_is_reported_before_a_bad_timestamp() {
        let mut r = raw(BODY);
        r.x_timestamp = Some(b"yesterday");
        r.x_signature = None;
        assert_eq!(
            failure(r, ParseRules::default()),
            InvalidMandatoryField(crate::snap::Field::Signature)
        );
    }

    #[test]
    fn an_unparseable_timestamp_is_an_invalid_field_format() {
        let mut r = raw(BODY);
        r.x_timestamp = Some(b"2024-03-01 15:27:49");
        assert_eq!(
            failure(r, ParseRules::default()),
            InvalidFieldFormat(Field::Timestamp)
        );
    }

    #[test]
    fn strict_mode_rejects_milliseconds() {
        let mut r = raw(BODY);
        r.x_timestamp = Some(b"2024-03-01T08:27:49.024Z");
        let strict = ParseRules {
            timestamp_mode: TimestampMode::Strict,
            ..Default::default()
        };
        assert_eq!(failure(r, strict), InvalidFieldFormat(Field::Timestamp));
        assert!(AccessTokenRequest::parse(&r, &ParseRules::default()).is_ok());
    }

    #[test]
    fn bodies_that_are_not_a_json_object_are_bad_requests() {
        for body in [
            &b""[..],
            b"   ",
            b"grantType=client_credentials",
            b"[\"client_credentials\"]",
            b"\"client_credentials\"",
            b"null",
            b"{\"grantType\":\"client_credentials\"",
            b"{\"grantType\":\"client_\xff\"}",
        ] {
            let r = RawTokenRequest { body, ..raw(BODY) };
            assert_eq!(failure(r, ParseRules::default()), BadRequest, "{body:?}");
        }
    }

    #[test]
    fn grant_type_missing_empty_or_null_is_a_mandatory_field() {
        for body in [
            &br#"{}"#[..],
            br#"{"grantType":""}"#,
            br#"{"grantType":null}"#,
        ] {
            let r = RawTokenRequest { body, ..raw(BODY) };
            assert_eq!(
                failure(r, ParseRules::default()),
                InvalidMandatoryField(Field::GrantType)
            );
        }
    }

    #[test]
    fn grant_type_of_the_wrong_type_length_or_value_is_an_invalid_format() {
        for body in [
            &br#"{"grantType":1}"#[..],
            br#"{"grantType":["client_credentials"]}"#,
            br#"{"grantType":"client_credentialsXX"}"#,
            br#"{"grantType":"authorization_code"}"#,
            br#"{"grantType":"CLIENT_CREDENTIALS"}"#,
        ] {
            let r = RawTokenRequest { body, ..raw(BODY) };
            assert_eq!(
                failure(r, ParseRules::default()),
                InvalidFieldFormat(Field::GrantType)
            );
        }
    }

    #[test]
    fn additional_info_of_any_type_is_accepted() {
        for body in [
            &br#"{"grantType":"client_credentials"}"#[..],
            br#"{"grantType":"client_credentials","additionalInfo":{}}"#,
            br#"{"grantType":"client_credentials","additionalInfo":""}"#,
            br#"{"grantType":"client_credentials","additionalInfo":null}"#,
            br#"{"grantType":"client_credentials","additionalInfo":[1,2]}"#,
            br#"{"grantType":"client_credentials","additionalInfo":{"a":{"b":1}}}"#,
        ] {
            let r = RawTokenRequest { body, ..raw(BODY) };
            assert!(
                AccessTokenRequest::parse(&r, &ParseRules::default()).is_ok(),
                "{body:?}"
            );
        }
    }

    #[test]
    fn legacy_grant_type_spellings_are_rejected_unless_allowed() {
        for body in [
            &br#"{"granttype":"client_credentials"}"#[..],
            br#"{"grant_type":"client_credentials"}"#,
        ] {
            let r = RawTokenRequest { body, ..raw(BODY) };
            let err = AccessTokenRequest::parse(&r, &ParseRules::default()).unwrap_err();
            assert_eq!(err.failure, InvalidMandatoryField(Field::GrantType));
            assert!(
                err.detail.contains("--accept-legacy-grant-type"),
                "{}",
                err.detail
            );
            let lenient = ParseRules {
                accept_legacy_grant_type: true,
                ..Default::default()
            };
            assert!(AccessTokenRequest::parse(&r, &lenient).is_ok());
        }
    }

    #[test]
    fn content_type_rules() {
        let lenient = ParseRules::default();
        let strict = ParseRules {
            content_type: ContentTypeRule::Strict,
            ..Default::default()
        };
        let ignore = ParseRules {
            content_type: ContentTypeRule::Ignore,
            ..Default::default()
        };
        let mut r = raw(BODY);
        r.content_type = Some(b"Application/JSON; charset=utf-8");
        assert!(AccessTokenRequest::parse(&r, &strict).is_ok());
        r.content_type = None;
        assert!(AccessTokenRequest::parse(&r, &lenient).is_ok());
        assert_eq!(
            failure(r, strict),
            InvalidMandatoryField(Field::ContentType)
        );
        r.content_type = Some(b"application/x-www-form-urlencoded");
        assert_eq!(failure(r, lenient), InvalidFieldFormat(Field::ContentType));
        assert!(AccessTokenRequest::parse(&r, &ignore).is_ok());
    }

    #[test]
    fn b2b2c_grants_need_their_code_or_token_and_answer_in_service_74() {
        let ok = |body: &'static [u8]| {
            AccessTokenRequest::parse_b2b2c(
                &RawTokenRequest { body, ..raw(BODY) },
                &ParseRules::default(),
            )
        };
        assert_eq!(
            ok(br#"{"grantType":"AUTHORIZATION_CODE","authCode":"abc"}"#)
                .unwrap()
                .grant,
            Grant::AuthorizationCode("abc".into())
        );
        assert_eq!(
            ok(br#"{"grantType":"REFRESH_TOKEN","refreshToken":"r"}"#)
                .unwrap()
                .grant,
            Grant::RefreshToken("r".into())
        );
        let e = ok(br#"{"grantType":"AUTHORIZATION_CODE"}"#).unwrap_err();
        assert_eq!(
            (e.failure.clone(), e.response_code().to_string()),
            (
                InvalidMandatoryField(Field::AuthCode),
                "4007402".to_string()
            )
        );
        let e = ok(br#"{"grantType":"client_credentials"}"#).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4007401");
        let mut r = raw(br#"{"grantType":"REFRESH_TOKEN","refreshToken":"r"}"#);
        r.x_signature = None;
        let e = AccessTokenRequest::parse_b2b2c(&r, &ParseRules::default()).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4007402");
    }

    #[test]
    fn a_client_key_with_control_characters_is_an_invalid_format() {
        let mut r = raw(BODY);
        r.x_client_key = Some(b"demo\x01client");
        assert_eq!(
            failure(r, ParseRules::default()),
            InvalidFieldFormat(Field::ClientKey)
        );
    }

    #[test]
    fn content_type_rules_are_named_and_parsed_by_the_same_names() {
        for rule in [
            ContentTypeRule::Lenient,
            ContentTypeRule::Strict,
            ContentTypeRule::Ignore,
        ] {
            assert_eq!(rule.as_str().parse::<ContentTypeRule>(), Ok(rule));
        }
        assert_eq!(ContentTypeRule::Strict.as_str(), "strict");
        let e = "loose".parse::<ContentTypeRule>().unwrap_err();
        assert!(e.contains("lenient, strict, ignore"), "{e}");
    }

    #[test]
    fn a_grant_type_too_long_and_one_of_the_wrong_type_say_which() {
        let detail = |body: &'static [u8]| {
            let raw = RawTokenRequest { body, ..raw(BODY) };
            AccessTokenRequest::parse(&raw, &ParseRules::default())
                .unwrap_err()
                .detail
        };
        let long = detail(br#"{"grantType":"client_credentialsXX"}"#);
        assert!(
            long.contains("20 characters long; the maximum is 18"),
            "{long}"
        );
        let exact = detail(br#"{"grantType":"client_credentialz"}"#);
        assert!(exact.contains("accepts only"), "{exact}");
        assert!(detail(br#"{"grantType":1}"#).contains("must be a string, got a number"));
        assert!(detail(br#"{"grantType":[]}"#).contains("must be a string, got an array"));
        assert!(detail(br#"{"grantType":{}}"#).contains("must be a string, got an object"));
        assert!(detail(br#"{"grantType":true}"#).contains("must be a string, got a boolean"));
    }

    #[test]
    fn an_empty_auth_code_is_a_missing_mandatory_field() {
        let raw = raw(br#"{"grantType":"AUTHORIZATION_CODE","authCode":""}"#);
        let e = AccessTokenRequest::parse_b2b2c(&raw, &ParseRules::default()).unwrap_err();
        assert_eq!(e.failure, Failure::InvalidMandatoryField(Field::AuthCode));
        assert_eq!(e.detail, "authCode is empty");
    }
}
