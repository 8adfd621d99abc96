//! The one shape every list fixture has:
//! `{"$schema": ..., "$comment": ..., "<key>": [...]}`,
//! each entry typed by serde, errors naming the entry (`scenario #2 "x"`).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::io::{self, Read};
use std::path::Path;

/// The default of `--max-fixture-bytes`: 16 MiB, far above any real
/// fixture, far below what would hurt.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A key file named by a fixture (a PEM is a few KiB).
pub const MAX_KEY_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a fixture or key file as text. It is opened without blocking and
/// must be a regular file (after links): a FIFO, a device or a directory
/// is refused at once instead of hanging the reader, and so is a file
/// larger than `cap` (also one that grows past it while read). Errors keep
/// their kind (`NotFound` stays `NotFound`) and say what is wrong.
pub fn read_file(path: &Path, cap: u64) -> io::Result<String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, a device or a directory); fixtures and keys must be plain files",
        ));
    }
    if meta.len() > cap {
        return Err(too_large(meta.len(), cap));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64, cap));
    }
    String::from_utf8(bytes)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text: {e}")))
}

fn too_large(len: u64, cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{len} bytes or more, larger than the {cap}-byte limit (--max-fixture-bytes)"),
    )
}

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
