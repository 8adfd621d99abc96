//! The body of a token request: one JSON object, each member once, and
//! its `grantType` (under the legacy spellings when a preset allows them).

use super::{
    bad_request, invalid_format, ParseRules, CLIENT_CREDENTIALS, GRANT_TYPE_MAX_LEN,
    LEGACY_GRANT_TYPE_FIELDS,
};
use crate::snap::error::{Failure, SnapError};
use crate::snap::field::Field;
use crate::snap::response_code::ServiceCode;
use serde_json::{Map, Value};

pub(super) fn parse_body(
    body: &[u8],
    service: ServiceCode,
) -> Result<Map<String, Value>, SnapError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad_request(
            service,
            r#"the body is empty; send {"grantType":"client_credentials"}"#,
        ));
    }
    let text = std::str::from_utf8(body).map_err(|e| {
        bad_request(
            service,
            format!(
                "the body is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => match repeated_member(text) {
            // serde_json keeps the last of repeated members; a provider's
            // parser may keep the first: refuse rather than guess.
            Some(name) => Err(bad_request(
                service,
                format!("the body has the member {name:?} more than once"),
            )),
            None => Ok(map),
        },
        Ok(other) => Err(bad_request(
            service,
            format!(
                "the body is JSON but not an object (it is {})",
                json_type(&other)
            ),
        )),
        Err(e) => Err(bad_request(
            service,
            format!("the body is not valid JSON: {e}"),
        )),
    }
}

pub(super) fn find_grant_type<'b>(
    body: &'b Map<String, Value>,
    rules: &ParseRules,
    service: ServiceCode,
) -> Result<(&'static str, &'b Value), SnapError> {
    if let Some(v) = body.get("grantType") {
        return Ok(("grantType", v));
    }
    let legacy = LEGACY_GRANT_TYPE_FIELDS
        .iter()
        .find_map(|name| body.get(*name).map(|v| (*name, v)));
    match legacy {
        Some((name, v)) if rules.accept_legacy_grant_type => Ok((name, v)),
        Some((name, _)) => Err(SnapError::new(
            service,
            Failure::InvalidMandatoryField(Field::GrantType),
            format!(
                "the body has {name:?} but not \"grantType\"; SNAP v1.0.2 spells it grantType \
                 (start snap-mock with --accept-legacy-grant-type to emulate providers that accept it)"
            ),
        )),
        None => Err(SnapError::new(
            service,
            Failure::InvalidMandatoryField(Field::GrantType),
            "the body has no grantType",
        )),
    }
}

pub(super) fn check_grant_type(
    field: &'static str,
    value: &Value,
    service: ServiceCode,
) -> Result<(), SnapError> {
    let text = match value {
        Value::Null => {
            return Err(SnapError::new(
                service,
                Failure::InvalidMandatoryField(Field::GrantType),
                format!("{field} is null"),
            ))
        }
        Value::String(s) => s,
        other => {
            return Err(invalid_format(
                service,
                Field::GrantType,
                format!("{field} must be a string, got {}", json_type(other)),
            ))
        }
    };
    if text.is_empty() {
        return Err(SnapError::new(
            service,
            Failure::InvalidMandatoryField(Field::GrantType),
            format!("{field} is empty"),
        ));
    }
    let chars = text.chars().count();
    if chars > GRANT_TYPE_MAX_LEN {
        return Err(invalid_format(
            service,
            Field::GrantType,
            format!("{field} is {chars} characters long; the maximum is {GRANT_TYPE_MAX_LEN}"),
        ));
    }
    if text != CLIENT_CREDENTIALS {
        return Err(invalid_format(
            service,
            Field::GrantType,
            format!(
                "{field} is {text:?}; the B2B token endpoint accepts only \"{CLIENT_CREDENTIALS}\""
            ),
        ));
    }
    Ok(())
}

/// The first top-level member name that occurs twice in a JSON object.
fn repeated_member(text: &str) -> Option<String> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Names;
    impl<'de> Visitor<'de> for Names {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut seen = std::collections::HashSet::new();
            let mut repeated = None;
            while let Some(name) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                if !seen.insert(name.clone()) && repeated.is_none() {
                    repeated = Some(name);
                }
            }
            Ok(repeated)
        }
    }
    serde_json::Deserializer::from_str(text)
        .deserialize_map(Names)
        .ok()
        .flatten()
}

pub(super) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
