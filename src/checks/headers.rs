use crate::snap::error::{Failure, SnapError};
use crate::snap::response_code::ServiceCode;

/// A mandatory header: present and not blank (`400xx02` otherwise).
pub fn mandatory<'a>(
    value: Option<&'a [u8]>,
    field: &'static str,
    service: ServiceCode,
) -> Result<&'a [u8], SnapError> {
    let fail = |why: &str| {
        SnapError::new(
            service,
            Failure::InvalidMandatoryField(field),
            format!("header {field} is {why}"),
        )
    };
    match value {
        Some(v) if !v.iter().all(u8::is_ascii_whitespace) => Ok(v),
        Some(_) => Err(fail("present but empty")),
        None => Err(fail("missing")),
    }
}

/// A mandatory header that must be text (`400xx01` when it is not UTF-8).
pub fn mandatory_text<'a>(
    value: Option<&'a [u8]>,
    field: &'static str,
    service: ServiceCode,
) -> Result<&'a str, SnapError> {
    std::str::from_utf8(mandatory(value, field, service)?).map_err(|_| {
        SnapError::new(
            service,
            Failure::InvalidFieldFormat(field),
            format!("header {field} is not UTF-8 text"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_header_is_a_mandatory_field_error_in_the_given_service() {
        let e = mandatory(None, "X-PARTNER-ID", 47).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4004702");
        assert_eq!(e.failure, Failure::InvalidMandatoryField("X-PARTNER-ID"));
        assert_eq!(e.detail, "header X-PARTNER-ID is missing");
    }

    #[test]
    fn a_blank_header_is_present_but_empty() {
        let e = mandatory(Some(b" \t"), "X-TIMESTAMP", 73).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4007302");
        assert_eq!(e.detail, "header X-TIMESTAMP is present but empty");
    }

    #[test]
    fn text_headers_must_be_utf8() {
        assert_eq!(mandatory_text(Some(b"abc"), "CHANNEL-ID", 47), Ok("abc"));
        let e = mandatory_text(Some(b"\xff"), "CHANNEL-ID", 47).unwrap_err();
        assert_eq!(e.response_code().to_string(), "4004701");
    }
}
