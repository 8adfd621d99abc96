//! `keygen` and `register`: a key pair on disk and the client's entry in
//! a clients file, written without disturbing the rest of the file.

use super::*;

/// A freshly generated client key pair on disk.
#[derive(Debug)]
pub struct GeneratedClient {
    pub client_key: String,
    pub private_key_path: PathBuf,
    pub public_key_path: PathBuf,
    /// The `clients.json` entry for it.
    pub entry: Value,
}

/// The client secret of a registration: given, or generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    Given(String),
    Generate,
}

impl Secret {
    fn value(&self) -> String {
        match self {
            Self::Given(s) => s.clone(),
            Self::Generate => uuid::Uuid::new_v4().simple().to_string(),
        }
    }
}

/// Where a registration writes: the clients fixture and its keys directory.
#[derive(Debug, Clone, Copy)]
pub struct Fixture<'a> {
    pub clients: &'a Path,
    pub keys_dir: &'a Path,
}

fn check_client_key(client_key: &str) -> Result<(), String> {
    if client_key.is_empty() || !client_key.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(format!(
            "client key {client_key:?} must be printable ASCII without spaces"
        ));
    }
    Ok(())
}

/// Generates an RSA key pair for a new client: private key as PKCS#8 PEM,
/// public key as SPKI PEM, never overwriting existing files. With
/// `register`, also adds the client to that fixture (created if missing),
/// and nothing is written unless all of it succeeds.
pub fn keygen(
    client_key: &str,
    bits: usize,
    out_dir: &Path,
    keys_dir: &Path,
    register: Option<Fixture<'_>>,
    secret: Option<Secret>,
) -> Result<GeneratedClient, String> {
    if !matches!(bits, 2048 | 3072 | 4096) {
        return Err(format!("--bits must be 2048, 3072 or 4096, not {bits}"));
    }
    check_client_key(client_key)?;
    let (private_key_path, public_key_path) = new_key_paths(out_dir, client_key)?;
    let key = ClientKeyPair::generate(bits).map_err(|e| e.0)?;
    let private_pem = key.private_key_pem().map_err(|e| e.0)?;
    let public_pem = key.public_key_pem().map_err(|e| e.0)?;
    let clients_dir = register.map(|f| clients_dir(f.clients));
    let public_ref = key_reference(out_dir, &public_key_path, clients_dir.as_deref(), keys_dir);
    let mut entry = json!({ "clientKey": client_key, "publicKey": public_ref });
    if let Some(secret) = &secret {
        entry["clientSecret"] = secret.value().into();
    }
    // Everything that can fail before a byte is written: the updated
    // fixture is built and loaded with the new key held in memory.
    let prepared = match register {
        Some(fixture) => Some(prepare_registration(
            fixture,
            &entry,
            Some((&public_ref, &public_pem)),
        )?),
        None => None,
    };
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    write_new(&private_key_path, private_pem.as_bytes(), true)?;
    let written = write_new(&public_key_path, public_pem.as_bytes(), false).and_then(|()| {
        match (register, prepared) {
            (Some(fixture), Some(text)) => write_replacing(fixture.clients, &text),
            _ => Ok(()),
        }
    });
    if let Err(e) = written {
        // Leave nothing half-done behind.
        let _ = std::fs::remove_file(&private_key_path);
        let _ = std::fs::remove_file(&public_key_path);
        return Err(e);
    }
    Ok(GeneratedClient {
        client_key: client_key.to_owned(),
        private_key_path,
        public_key_path,
        entry,
    })
}

/// Where a new client's key pair goes, named after its client key (any
/// character a file name should not hold becomes `_`); refused if either
/// file exists.
fn new_key_paths(out_dir: &Path, client_key: &str) -> Result<(PathBuf, PathBuf), String> {
    let safe_name: String = client_key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let private_key_path = out_dir.join(format!("{safe_name}.private.pem"));
    let public_key_path = out_dir.join(format!("{safe_name}.public.pem"));
    for p in [&private_key_path, &public_key_path] {
        if p.exists() {
            return Err(format!(
                "{} already exists; not overwriting it",
                p.display()
            ));
        }
    }
    Ok((private_key_path, public_key_path))
}

/// Registers an existing public key (SPKI or PKCS#1 PEM file) for a new
/// client in the fixture (created if missing). The entry names the key
/// file relative to the fixture's directory or the keys directory when it
/// lies in one, else by absolute path.
pub fn register_public_key(
    fixture: Fixture<'_>,
    client_key: &str,
    public_key_file: &Path,
    secret: Option<Secret>,
) -> Result<Value, String> {
    check_client_key(client_key)?;
    let pem = std::fs::read_to_string(public_key_file)
        .map_err(|e| format!("{}: {e}", public_key_file.display()))?;
    ClientPublicKey::from_rsa(
        parse_public_key(&pem).map_err(|e| format!("{}: {}", public_key_file.display(), e.0))?,
    )
    .map_err(|e| format!("{}: {}", public_key_file.display(), e.0))?;
    let dir = public_key_file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let public_ref = key_reference(
        dir,
        public_key_file,
        Some(&clients_dir(fixture.clients)),
        fixture.keys_dir,
    );
    let mut entry = json!({ "clientKey": client_key, "publicKey": public_ref });
    if let Some(secret) = &secret {
        entry["clientSecret"] = secret.value().into();
    }
    let text = prepare_registration(fixture, &entry, Some((&public_ref, &pem)))?;
    write_replacing(fixture.clients, &text)?;
    Ok(entry)
}

fn clients_dir(clients: &Path) -> PathBuf {
    clients
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// How a clients fixture names a key file in `dir`: by file name when `dir`
/// is where relative names resolve (the fixture's directory, then the keys
/// directory), else by absolute path.
fn key_reference(dir: &Path, file: &Path, clients_dir: Option<&Path>, keys_dir: &Path) -> String {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if clients_dir.is_some_and(|c| same_dir(dir, c)) || same_dir(dir, keys_dir) {
        return name;
    }
    std::path::absolute(file)
        .unwrap_or_else(|_| file.to_path_buf())
        .display()
        .to_string()
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn write_new(path: &Path, data: &[u8], private: bool) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(data)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Replaces `path` with `text` in one step (a file beside it, then a
/// rename): a reader never sees half a fixture, and a failure leaves the
/// old one.
fn write_replacing(path: &Path, text: &str) -> Result<(), String> {
    let dir = clients_dir(path);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "clients.json".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("{}: {e}", path.display())
    })
}

/// A new clients fixture: what `register` creates when there is none.
const NEW_CLIENTS_FILE: &str = "{\n  \"clients\": []\n}\n";

/// Adds `entry` to the clients fixture at `path`, inserting it as text at
/// the end of the `clients` array so the rest of the file (other entries,
/// comments, formatting) stays as it was; creates the file when it does
/// not exist. Nothing is written unless the result loads.
#[cfg(test)]
fn register_client(path: &Path, keys_dir: &Path, entry: &Value) -> Result<(), String> {
    let fixture = Fixture {
        clients: path,
        keys_dir,
    };
    let text = prepare_registration(fixture, entry, None)?;
    write_replacing(path, &text)
}

/// The fixture's new text with `entry` added, loaded once to be sure;
/// `pending` is a key file not written yet (its reference and PEM).
fn prepare_registration(
    fixture: Fixture<'_>,
    entry: &Value,
    pending: Option<(&str, &str)>,
) -> Result<String, String> {
    let path = fixture.clients;
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => NEW_CLIENTS_FILE.to_owned(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let client_key = entry["clientKey"].as_str().unwrap_or_default();
    let current = ClientRegistry::from_file_json(&text, path, fixture.keys_dir)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if current.get(client_key).is_some() {
        return Err(format!(
            "{}: client {client_key:?} is already registered",
            path.display()
        ));
    }
    let (open, close) = clients_array_span(&text)
        .ok_or_else(|| format!("{}: no \"clients\" array found", path.display()))?;
    let inner = &text[open + 1..close];
    let entry_text = serde_json::to_string_pretty(entry)
        .map_err(|e| e.to_string())?
        .replace('\n', "\n    ");
    let mut updated = String::with_capacity(text.len() + entry_text.len() + 16);
    if inner.trim().is_empty() {
        updated.push_str(&text[..=open]);
        updated.push_str("\n    ");
        updated.push_str(&entry_text);
        updated.push_str("\n  ");
        updated.push_str(&text[close..]);
    } else {
        let last = open + 1 + inner.trim_end().len();
        updated.push_str(&text[..last]);
        updated.push_str(",\n    ");
        updated.push_str(&entry_text);
        updated.push_str(&text[last..]);
    }
    let own_dir = clients_dir(path);
    let resolve = |name: &str| match pending {
        Some((reference, pem)) if reference == name => Ok((pem.to_owned(), reference.to_owned())),
        _ => crate::clients::read_key_file_in(&[&own_dir, fixture.keys_dir], name),
    };
    ClientRegistry::from_json_with(&updated, &resolve).map_err(|e| {
        format!(
            "the updated fixture would not load ({e}); {} left unchanged",
            path.display()
        )
    })?;
    Ok(updated)
}

/// Byte offsets of the `[` and `]` of the top-level `"clients"` array.
fn clients_array_span(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    let mut key_at_depth1: Option<(usize, usize)> = None;
    let mut open = None;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if depth == 1 {
                    key_at_depth1 = Some((start + 1, i));
                }
            }
            b'[' | b'{' => {
                if bytes[i] == b'['
                    && depth == 1
                    && open.is_none()
                    && key_at_depth1.is_some_and(|(s, e)| &text[s..e] == "clients")
                {
                    open = Some((i, depth));
                }
                depth += 1;
            }
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if let Some((o, d)) = open {
                    if bytes[i] == b']' && depth == d {
                        return Some((o, i));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clients_array_is_found_past_strings_that_mention_it() {
        let text = r#"{"$comment": "the \"clients\" [array] lists...", "clients": [ {"a": [1]} ], "x": []}"#;
        let (open, close) = clients_array_span(text).unwrap();
        assert_eq!(&text[open..=close], r#"[ {"a": [1]} ]"#);
    }

    #[test]
    fn registering_keeps_the_rest_of_the_file_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("keys");
        let path = dir.path().join("clients.json");
        let original = "{\n  \"clients\": [\n    {\"clientKey\": \"a\", \"publicKey\": \"demo-client.public.pem\"}\n  ],\n  \"$comment\": \"keep [me] as I am\"\n}\n";
        std::fs::write(&path, original).unwrap();
        let entry = json!({"clientKey": "b", "publicKey": "other-client.public.pem"});
        register_client(&path, &keys, &entry).unwrap();
        let updated = std::fs::read_to_string(&path).unwrap();
        assert!(updated.starts_with("{\n  \"clients\": [\n    {\"clientKey\": \"a\", \"publicKey\": \"demo-client.public.pem\"},\n    {"), "{updated}");
        assert!(
            updated.ends_with("\n  ],\n  \"$comment\": \"keep [me] as I am\"\n}\n"),
            "{updated}"
        );
        let reg = ClientRegistry::from_json(&updated, &keys).unwrap();
        assert!(reg.get("a").is_some() && reg.get("b").is_some());
        let again = register_client(&path, &keys, &entry).unwrap_err();
        assert!(again.contains("already registered"), "{again}");
    }

    #[test]
    fn registering_into_an_empty_array_works() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("keys");
        let path = dir.path().join("clients.json");
        std::fs::write(&path, "{\"clients\": []}").unwrap();
        register_client(
            &path,
            &keys,
            &json!({"clientKey": "b", "publicKey": "other-client.public.pem"}),
        )
        .unwrap();
        let reg =
            ClientRegistry::from_json(&std::fs::read_to_string(&path).unwrap(), &keys).unwrap();
        assert_eq!(reg.len(), 1);
    }

    #[test]
    fn a_registration_that_would_break_the_fixture_leaves_it_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("keys");
        let path = dir.path().join("clients.json");
        std::fs::write(&path, "{\"clients\": []}").unwrap();
        let e = register_client(
            &path,
            &keys,
            &json!({"clientKey": "b", "publicKey": "missing.pem"}),
        )
        .unwrap_err();
        assert!(e.contains("left unchanged"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"clients\": []}");
    }
}
