//! The one shape every list fixture has:
//! `{"$schema": ..., "$comment": ..., "<key>": [...]}`,
//! each entry typed by serde, errors naming the entry (`scenario #2 "x"`).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Parses the entries under `key`; `kind` names one entry in errors. The
/// returned labels are for the caller's own checks (duplicates).
pub fn entries<T: DeserializeOwned>(
    text: &str,
    key: &str,
    kind: &str,
) -> Result<Vec<(String, T)>, String> {
    let expected = || format!("expected {{\"{key}\": [...]}}");
    let mut file: Map<String, Value> = serde_json::from_str(text)
        .map_err(|e| format!("not a valid {kind}s fixture ({e}); {}", expected()))?;
    if let Some(unknown) = file
        .keys()
        .find(|k| *k != key && *k != "$comment" && *k != "$schema")
    {
        return Err(format!(
            "not a valid {kind}s fixture (unknown field `{unknown}`); {}",
            expected()
        ));
    }
    let Some(Value::Array(list)) = file.remove(key) else {
        return Err(format!(
            "not a valid {kind}s fixture (missing field `{key}`); {}",
            expected()
        ));
    };
    list.into_iter()
        .enumerate()
        .map(|(i, value)| {
            let name = value.get("name").and_then(Value::as_str).unwrap_or("");
            let label = format!("{kind} #{} {name:?}", i + 1);
            let entry = serde_json::from_value(value).map_err(|e| format!("{label}: {e}"))?;
            Ok((label, entry))
        })
        .collect()
}
