#!/usr/bin/env bash
# The README's "A payment from start to finish" curl lines, as written there,
# against a running server: SNAP (the command), U (its base URL).
# Run by .ci/run's README step; each answer is checked.
set -euo pipefail
SNAP=${SNAP:-./target/debug/snap-mock}
U=${U:-http://127.0.0.1:8080}
expect() { grep -q "$1" || { echo "expected $1"; exit 1; }; }

# --- README lines start ---
TOKEN=$(eval "$($SNAP sign --private-key keys/demo-client.private.pem --client-key demo-client \
  --url $U/pg/snap/oauth/v1.0/access-token/b2b --format curl)" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["accessToken"])')
BODY='{"partnerServiceId":"   12345","customerNo":"000000777","virtualAccountNo":"   12345000000777","virtualAccountName":"Jane Doe","trxId":"INV-777","totalAmount":{"value":"150000.00","currency":"IDR"}}'
eval "$($SNAP sign --mode symmetric --client-secret demo-client-secret --access-token "$TOKEN" \
  --client-key demo-client --url $U/v1.0/transfer-va/create-va --body "$BODY" --format curl)" | expect '"2002700"'
curl -sS -X POST $U/__admin/transactions/INV-777/pay -H 'Content-Type: application/json' | expect '"00"'
eval "$($SNAP sign --mode symmetric --client-secret demo-client-secret --access-token "$TOKEN" \
  --client-key demo-client --url $U/v1.0/transfer-va/status \
  --body '{"virtualAccountNo":"   12345000000777"}' --format curl)" | expect '"latestTransactionStatus":"00"'
curl -sS $U/notification-key.pem | expect 'BEGIN PUBLIC KEY'
# --- README lines end ---
echo "the README's payment lines: created, paid, status 00, key served"
