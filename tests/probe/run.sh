#!/usr/bin/env bash
# The provider -> merchant half from Python: snap-mock probe against
# merchants written outside this crate (the reference merchant from the
# standard, its variants, one built with the `snapapi` package from PyPI),
# and a payment's signed notification verified with `cryptography`. Pinned versions; a venv of
# its own. Run by .ci/run after `cargo test` built the binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=${SNAP_MOCK_PROBE_VENV:-/tmp/snap-mock-probe-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q cryptography==44.0.0 junitparser==5.0.3 \
  snapapi==0.1.9 fastapi==0.163.2 starlette==0.46.2 pydantic==2.14.4 uvicorn==0.54.0 \
  asyncer==0.0.18 aiocache==0.12.3 pycryptodome==4.4.0 PyJWT==2.15.1 ulid-py==1.1.0
test -x "${SNAP_MOCK_BIN:-target/debug/snap-mock}" || cargo build --locked -q
"$venv/bin/python" tests/probe/check.py
# A payment from start to finish, the notification verified with cryptography.
"$venv/bin/python" tests/payments/flow.py
