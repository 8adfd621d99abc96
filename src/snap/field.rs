//! The headers and body members a SNAP failure can name, as a type: the
//! message spells a field's name (`Invalid Mandatory Field X-TIMESTAMP`)
//! and the journal's `decidedBy` is the step that checks it, so both come
//! from the variant, never from matching a string.

use super::error::{Failure, SnapError};
use super::response_code::ServiceCode;
use super::step::Step;
use std::fmt;

/// A header or body member named by `400xx01 Invalid Field Format {field}`
/// or `400xx02 Invalid Mandatory Field {field}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// Header `X-TIMESTAMP`.
    Timestamp,
    /// Header `X-CLIENT-KEY` (token requests).
    ClientKey,
    /// Header `X-SIGNATURE`.
    Signature,
    /// Header `X-PARTNER-ID` (service calls).
    PartnerId,
    /// Header `X-EXTERNAL-ID` (service calls).
    ExternalId,
    /// Header `CHANNEL-ID` (service calls).
    ChannelId,
    /// Header `Content-Type`.
    ContentType,
    /// Body member `grantType`.
    GrantType,
    /// Body member `authCode` (B2B2C).
    AuthCode,
    /// Body member `refreshToken` (B2B2C).
    RefreshToken,
}

impl Field {
    /// The name as SNAP spells it: a header name or a body member.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Timestamp => "X-TIMESTAMP",
            Self::ClientKey => "X-CLIENT-KEY",
            Self::Signature => "X-SIGNATURE",
            Self::PartnerId => "X-PARTNER-ID",
            Self::ExternalId => "X-EXTERNAL-ID",
            Self::ChannelId => "CHANNEL-ID",
            Self::ContentType => "Content-Type",
            Self::GrantType => "grantType",
            Self::AuthCode => "authCode",
            Self::RefreshToken => "refreshToken",
        }
    }

    /// The lifecycle step that decides a request refused for this field.
    pub const fn step(self) -> Step {
        match self {
            Self::Timestamp => Step::Timestamp,
            Self::ContentType => Step::ContentType,
            Self::GrantType => Step::GrantType,
            Self::ClientKey
            | Self::Signature
            | Self::PartnerId
            | Self::ExternalId
            | Self::ChannelId
            | Self::AuthCode
            | Self::RefreshToken => Step::Headers,
        }
    }

    /// A mandatory header: present and not blank (`400xx02` otherwise).
    pub fn mandatory(self, value: Option<&[u8]>, service: ServiceCode) -> Result<&[u8], SnapError> {
        let fail = |why: &str| {
            SnapError::new(
                service,
                Failure::InvalidMandatoryField(self),
                format!("header {self} is {why}"),
            )
        };
        match value {
            Some(v) if !v.iter().all(u8::is_ascii_whitespace) => Ok(v),
            Some(_) => Err(fail("present but empty")),
            None => Err(fail("missing")),
        }
    }

    /// A mandatory header that must be text (`400xx01` when it is not UTF-8).
    pub fn mandatory_text(
        self,
        value: Option<&[u8]>,
        service: ServiceCode,
    ) -> Result<&str, SnapError> {
        std::str::from_utf8(self.mandatory(value, service)?).map_err(|_| {
            SnapError::new(
                service,
                Failure::InvalidFieldFormat(self),
                format!("header {self} is not UTF-8 text"),
            )
        })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snap::response_code::ServiceCode;

    #[test]
    fn a_missing_header_is_a_mandatory_field_error_in_the_given_service() {
        let e = Field::PartnerId
            .mandatory(None, ServiceCode(47))
            .unwrap_err();
        assert_eq!(e.response_code().to_string(), "4004702");
        assert_eq!(e.failure, Failure::InvalidMandatoryField(Field::PartnerId));
        assert_eq!(e.detail, "header X-PARTNER-ID is missing");
    }

    #[test]
    fn a_blank_header_is_present_but_empty() {
        let e = Field::Timestamp
            .mandatory(Some(b" \t"), ServiceCode(73))
            .unwrap_err();
        assert_eq!(e.response_code().to_string(), "4007302");
        assert_eq!(e.detail, "header X-TIMESTAMP is present but empty");
    }

    #[test]
    fn text_headers_must_be_utf8() {
        assert_eq!(
            Field::ChannelId.mandatory_text(Some(b"abc"), ServiceCode(47)),
            Ok("abc")
        );
        let e = Field::ChannelId
            .mandatory_text(Some(b"\xff"), ServiceCode(47))
            .unwrap_err();
        assert_eq!(e.response_code().to_string(), "4004701");
    }

    #[test]
    fn each_field_is_decided_by_the_step_that_checks_it() {
        let step = |f: Field| Failure::InvalidFieldFormat(f).step();
        assert_eq!(step(Field::GrantType), Step::GrantType);
        assert_eq!(step(Field::ContentType), Step::ContentType);
        assert_eq!(step(Field::Timestamp), Step::Timestamp);
        assert_eq!(step(Field::ExternalId), Step::Headers);
        assert_eq!(
            Failure::InvalidMandatoryField(Field::GrantType).step(),
            Step::GrantType
        );
    }
}
