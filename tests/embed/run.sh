#!/usr/bin/env bash
# The README's Rust examples, copied verbatim into a new crate outside this
# repository that depends on snap-mock by path with default-features =
# false and the test client (`outbound`), then `cargo test` there. Proves the library works away from the
# repository's working directory and without the cli feature.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/embedder/src" "$work/embedder/tests"
cat >"$work/embedder/Cargo.toml" <<TOML
[package]
name = "embedder"
version = "0.0.0"
edition = "2021"
publish = false

[dev-dependencies]
snap-mock = { path = "$repo", default-features = false, features = ["outbound"] }
serde_json = "1"
TOML
: >"$work/embedder/src/lib.rs"
# Each block follows a line `<!-- embed: FILE -->` in README.md.
python3 - "$repo/README.md" "$work/embedder" <<'PY'
import re, sys
readme, out = open(sys.argv[1]).read(), sys.argv[2]
blocks = re.findall(r"<!-- embed: (\S+) -->\n```rust\n(.*?)```", readme, re.S)
if len(blocks) < 2:
    sys.exit("expected at least two <!-- embed: --> Rust examples in the README, found %d" % len(blocks))
for name, code in blocks:
    open("%s/%s" % (out, name), "w").write(code)
    print("embedded example:", name)
PY
cd "$work/embedder"
# The embedder's own target directory: nothing is shared with this repository.
CARGO_TARGET_DIR="$work/target" AWS_LC_SYS_NO_JITTER_ENTROPY=1 cargo test 2>&1 | tail -n 20
test "${PIPESTATUS[0]}" -eq 0
