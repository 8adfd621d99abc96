//! The layer rule of ARCHITECTURE.md, checked on the source: every
//! `crate::` path in non-test code points at a module of a lower layer (or
//! its own), and no two modules of the crate import each other. A new
//! import that crosses a layer fails here with the file, the line and the
//! two layers, so the rule holds without anyone remembering it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. A module may import modules of its own layer or below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "ground",
        &["clock", "redact", "fixtures", "tls", "throttle"],
    ),
    ("protocol", &["snap"]),
    ("keys and tokens", &["signing", "tokens"]),
    (
        "records",
        &[
            "clients",
            "scenarios",
            "journal",
            "endpoints",
            "config",
            "provider",
            "embedded",
            "transactions",
            "schemas",
        ],
    ),
    ("stores", &["store"]),
    // A client of other servers (the probe): signs with `signing` and
    // `snap`, reads presets; no server state.
    ("outbound", &["outbound"]),
    ("checks", &["checks"]),
    ("state", &["state"]),
    ("lifecycle", &["lifecycle", "render"]),
    ("routes", &["routes"]),
    ("server", &["server"]),
    ("tools and entry points", &["cli", "lib", "main"]),
];

fn layer_of(module: &str) -> Option<(usize, &'static str)> {
    LAYERS
        .iter()
        .enumerate()
        .find(|(_, (_, modules))| modules.contains(&module))
        .map(|(rank, (name, _))| (rank, *name))
}

/// `src/store/redis.rs` → `store`; `src/lib.rs` → `lib`.
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    let first = first.to_str().unwrap();
    first.strip_suffix(".rs").unwrap_or(first).to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The lines of non-test code, numbered from 1, with comments removed: an
/// item under `#[cfg(test)]` is skipped to its closing brace at the same
/// indentation (the code is rustfmt-formatted), or to its `;`.
fn code_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut skipping: Option<usize> = None;
    let mut after_cfg_test: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if let Some(depth) = skipping {
            if indent == depth && trimmed.starts_with('}') {
                skipping = None;
            }
            continue;
        }
        if let Some(depth) = after_cfg_test.take() {
            if trimmed.ends_with(';') {
                continue;
            }
            if !trimmed.ends_with('}') {
                skipping = Some(depth);
            }
            continue;
        }
        if trimmed == "#[cfg(test)]" {
            after_cfg_test = Some(indent);
            continue;
        }
        let code = match trimmed.find("//") {
            Some(at) => &trimmed[..at],
            None => trimmed,
        };
        out.push((index + 1, code.to_string()));
    }
    out
}

/// The first segment of every `crate::` path on a line.
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `snap_mock_crate::`, not ours
        }
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or_default();
            for part in inner.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        found.push(name);
    }
    found
}

struct Import {
    from: String,
    to: String,
    at: String,
}

fn imports() -> Vec<Import> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let from = module_of(&src, &file);
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in code_lines(&text) {
            for name in crate_paths(&line) {
                // A name that is no module is an item re-exported at the
                // root (`crate::MockServer`): the entry-point layer.
                let to = if layer_of(&name).is_some() {
                    name
                } else {
                    "lib".to_string()
                };
                if to != from {
                    out.push(Import {
                        from: from.clone(),
                        to,
                        at: format!(
                            "src/{}:{number}",
                            file.strip_prefix(&src).unwrap().display()
                        ),
                    });
                }
            }
        }
    }
    out
}

#[test]
fn every_module_of_the_crate_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let unplaced: BTreeSet<String> = files
        .iter()
        .map(|f| module_of(&src, f))
        .filter(|m| layer_of(m).is_none())
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules with no layer in tests/api/layers.rs (and ARCHITECTURE.md): {unplaced:?}"
    );
}

#[test]
fn every_import_points_down_or_sideways() {
    let mut upward = Vec::new();
    for import in imports() {
        let (from_rank, from_layer) = layer_of(&import.from).unwrap();
        let (to_rank, to_layer) = layer_of(&import.to).unwrap();
        if to_rank > from_rank {
            upward.push(format!(
                "{}: {} ({from_layer}) imports {} ({to_layer})",
                import.at, import.from, import.to
            ));
        }
    }
    assert!(
        upward.is_empty(),
        "imports that point up a layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_two_modules_import_each_other() {
    let mut edges: BTreeMap<(String, String), String> = BTreeMap::new();
    for import in imports() {
        edges.entry((import.from, import.to)).or_insert(import.at);
    }
    let mut cycles = Vec::new();
    for ((from, to), at) in &edges {
        if from < to {
            if let Some(back) = edges.get(&(to.clone(), from.clone())) {
                cycles.push(format!("{from} ↔ {to} ({at}; {back})"));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "modules that import each other:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_checker_sees_imports_and_skips_tests_and_comments() {
    let text = "use crate::store::X;\n// crate::routes in a comment\nuse crate::{snap, tokens::Y};\n\
                #[cfg(test)]\nmod tests {\n    use crate::server;\n}\nfn f() { crate::state::g() }\n";
    let lines = code_lines(text);
    let names: Vec<String> = lines.iter().flat_map(|(_, l)| crate_paths(l)).collect();
    assert_eq!(names, ["store", "snap", "tokens", "state"]);
}
