#!/usr/bin/env bash
# The providers' official client SDKs against `snap-mock --provider X`, with
# no other flag than the port: each SDK's first calls must succeed as they
# would against the provider. Installs pinned SDK versions into a scratch
# directory (Python venvs, an npm prefix); needs python3 (with venv),
# python3.12 or later for bnipython, node >= 18 with npm, and a built
# snap-mock (SNAP_MOCK_BIN, default target/debug/snap-mock).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SNAP_MOCK_BIN:-$root/target/debug/snap-mock}
work=${SNAP_MOCK_SDK_DIR:-$(mktemp -d)}
mkdir -p "$work"

# The first interpreter that runs and is 3.12 or later (a pyenv shim may
# exist for a version that is not selected).
py312=
for candidate in python3.12 python3.13 python3 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3; do
  if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
    py312=$candidate; break
  fi
done
[ -n "$py312" ] || { echo "bnipython needs Python >= 3.12 and none was found"; exit 1; }

# Pinned: a new SDK release that changes what it sends should fail here on
# purpose, not silently change what this test proves.
if [ ! -x "$work/py/bin/python" ]; then
  python3 -m venv "$work/py"
  # doku-python-library imports xmltodict, pycryptodome and flask without
  # declaring them.
  "$work/py/bin/pip" install -q doku-python-library==1.1.72 xmltodict==1.0.4 \
    pycryptodome==3.23.0 flask==3.1.3 dana-python==2.2.2
fi
if [ ! -x "$work/py312/bin/python" ]; then
  "$py312" -m venv "$work/py312"
  # bnipython calls OpenSSL.crypto.sign, removed in pyOpenSSL 24.3.
  "$work/py312/bin/pip" install -q bnipython==0.8.9 'pyOpenSSL==24.2.1'
fi
if [ ! -x "$work/py2/bin/python" ]; then
  python3 -m venv "$work/py2"
  # Both pin pycryptodome 3.21.0 (doku's venv has 3.23.0); paylabs-sdk
  # imports typing_extensions without declaring it.
  "$work/py2/bin/pip" install -q python-nicepay==1.1.1 paylabs-sdk==1.0.3 typing_extensions==4.12.2 \
    cryptography==44.0.0
fi
if [ ! -d "$work/node/node_modules/midtrans-client" ]; then
  mkdir -p "$work/node"
  (cd "$work/node" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund midtrans-client@1.4.3)
fi

server_pid=
stop() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap stop EXIT
url=
serve() { # serve PROVIDER [EXTRA FLAG...]: starts the server with --provider (and the extra flags); sets url
  local provider=$1 port scheme=http
  shift
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  case " $* " in *" --tls "*) scheme=https ;; esac
  # exec: $! is then the server itself, and `stop` stops the server, not a subshell.
  (cd "$root" && RUST_LOG=info exec "$bin" --provider "$provider" --port "$port" "$@" >"$work/server-$provider.log" 2>&1) &
  server_pid=$!
  url="$scheme://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -fsS --cacert "$work/ca.pem" "$url/health" >/dev/null 2>&1 && return 0
    [ "$scheme" = http ] && curl -fsS "$url/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "snap-mock --provider $provider $* did not start:"; cat "$work/server-$provider.log"; exit 1
}
run() { # run PROVIDER "EXTRA FLAGS" COMMAND...: the SDK's test against its preset
  local provider=$1 extra=$2; shift 2
  echo "-- $provider: snap-mock --provider $provider $extra"
  # shellcheck disable=SC2086
  serve "$provider" $extra
  if ! SNAP_MOCK_URL=$url SNAP_MOCK_ROOT=$root "$@"; then
    echo "!!! the $provider SDK failed; the server's log:"; cat "$work/server-$provider.log"; exit 1
  fi
  stop
}

cd "$root/tests/sdk"
run doku "" "$work/py/bin/python" doku_sdk.py
run dana "" "$work/py/bin/python" dana_sdk.py
# The other direction: DANA's webhook verifier on snap-mock's notifications.
run snap-bi "" "$work/py/bin/python" dana_webhook.py
run bni "" "$work/py312/bin/python" bni_sdk.py
run midtrans "" env NODE_PATH="$work/node/node_modules" node --test midtrans_sdk.test.js
# python-nicepay writes the local wall clock with a literal +07:00: right
# only on a WIB clock (see nicepay_sdk.py).
run nicepay "" env TZ=WIB-7 "$work/py2/bin/python" nicepay_sdk.py
run paylabs "" "$work/py2/bin/python" paylabs_sdk.py
# Not an SDK: a client written here from the standard with Python's
# cryptography and hmac, signing the bytes it sends in each encoding.
run snap-bi "" env SNAP_MOCK_MODE=symmetric "$work/py2/bin/python" python_bytes.py
run dana "" env SNAP_MOCK_MODE=asymmetric "$work/py2/bin/python" python_bytes.py
# Over HTTPS: the SDK (requests) verifies the server against the generated
# CA the server writes out, and nothing else.
rm -f "$work/ca.pem"
run doku "--tls --tls-cert-out $work/ca.pem" env REQUESTS_CA_BUNDLE="$work/ca.pem" "$work/py/bin/python" doku_sdk.py
echo "all six SDKs passed against their presets, doku-python-library over HTTPS, dana-python's webhook verifier on a notification, and a Python client signing its own bytes in both modes"
