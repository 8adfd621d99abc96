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

/// Why a list fixture (clients, scenarios, endpoints) cannot be used. `E`
/// is what can be wrong with one valid-JSON entry of that fixture.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError<E: std::error::Error + 'static> {
    /// The file cannot be read (missing, not a regular file, too large).
    #[error("cannot read the {what}: {source}")]
    Read {
        /// What the file was to be: "clients fixture", ...
        what: &'static str,
        /// Why it cannot be read.
        source: io::Error,
    },
    /// Not JSON, or not `{"<key>": [...]}`.
    #[error("not a valid {kind}s fixture ({detail}); expected {expected}")]
    Shape {
        /// One entry's name: "client", "scenario", "endpoint".
        kind: &'static str,
        /// What is wrong, as the JSON parser or this check saw it.
        detail: String,
        /// The shape a fixture has.
        expected: String,
    },
    /// One entry is wrong; `label` names it (`scenario #2 "x"`).
    #[error("{label}: {problem}")]
    Entry {
        /// The entry's number (from 1) and name.
        label: String,
        /// What is wrong with it.
        problem: EntryError<E>,
    },
}

/// What can be wrong with one entry of a list fixture.
#[derive(Debug, thiserror::Error)]
pub enum EntryError<E: std::error::Error + 'static> {
    /// Its members do not have the fixture's types.
    #[error("{0}")]
    Json(serde_json::Error),
    /// Another entry has the same identifier (`what` names it).
    #[error("{what} is used twice")]
    Duplicate {
        /// The identifier: "clientKey", "the name".
        what: &'static str,
    },
    /// The entry's values break the fixture's rules.
    #[error("{0}")]
    Invalid(E),
}

impl<E: std::error::Error + 'static> FixtureError<E> {
    /// An entry that breaks the fixture's rules.
    pub fn invalid(label: &str, problem: E) -> Self {
        Self::Entry {
            label: label.to_owned(),
            problem: EntryError::Invalid(problem),
        }
    }

    /// An entry whose identifier another entry has already.
    pub fn duplicate(label: &str, what: &'static str) -> Self {
        Self::Entry {
            label: label.to_owned(),
            problem: EntryError::Duplicate { what },
        }
    }
}

/// An error with where the text came from: a file's path, `bundled` or
/// `inline`.
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {error}")]
pub struct Located<E: std::error::Error + 'static> {
    /// The file's path, `bundled` or `inline`.
    pub origin: String,
    /// What is wrong.
    pub error: E,
}

/// Parses the entries under `key`; `kind` names one entry in errors. The
/// returned labels are for the caller's own checks (duplicates).
pub fn entries<T: DeserializeOwned, E: std::error::Error + 'static>(
    text: &str,
    key: &'static str,
    kind: &'static str,
) -> Result<Vec<(String, T)>, FixtureError<E>> {
    let shape = |detail: String| FixtureError::Shape {
        kind,
        detail,
        expected: format!("{{\"{key}\": [...]}}"),
    };
    let mut file: Map<String, Value> =
        serde_json::from_str(text).map_err(|e| shape(e.to_string()))?;
    if let Some(unknown) = file
        .keys()
        .find(|k| *k != key && *k != "$comment" && *k != "$schema")
    {
        return Err(shape(format!("unknown field `{unknown}`")));
    }
    let Some(Value::Array(list)) = file.remove(key) else {
        return Err(shape(format!("missing field `{key}`")));
    };
    list.into_iter()
        .enumerate()
        .map(|(i, value)| {
            let name = value.get("name").and_then(Value::as_str).unwrap_or("");
            let label = format!("{kind} #{} {name:?}", i + 1);
            match serde_json::from_value(value) {
                Ok(entry) => Ok((label, entry)),
                Err(e) => Err(FixtureError::Entry {
                    label,
                    problem: EntryError::Json(e),
                }),
            }
        })
        .collect()
}
