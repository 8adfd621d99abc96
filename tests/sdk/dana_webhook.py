"""DANA's official SDK (dana-python) verifies snap-mock's notifications.

A debit payment is created over SNAP against the server (SNAP_MOCK_URL,
started by run.sh), paid through the admin API, and its finish notify
(`/v1.0/debit/notify`) received here. dana-python's WebhookParser, given
the public key snap-mock serves at /notification-key.pem, must accept the
notification and parse it into a FinishNotifyRequest, and must refuse the
same notification with its amount changed.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import uuid
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

# Not the sandbox: the parser then uses the key it is given, not DANA's own.
os.environ["DANA_ENV"] = "production"
from dana.webhook import WebhookParser  # noqa: E402
from merchant import Endpoint, http  # noqa: E402

BASE = os.environ["SNAP_MOCK_URL"]
ROOT = Path(os.environ["SNAP_MOCK_ROOT"])
CLIENT, SECRET = "dana-merchant", "dana-secret"


def now():
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).isoformat(timespec="seconds")


def main():
    receiver = Endpoint("2005600")
    status, answer = http("POST", f"{BASE}/__admin/clients", json.dumps({
        "clientKey": CLIENT, "publicKey": (ROOT / "keys/demo-client.public.pem").read_text(),
        "clientSecret": SECRET,
        "notificationUrl": f"{receiver.url}/dana"}))
    assert status == 201, answer

    key = serialization.load_pem_private_key((ROOT / "keys/demo-client.private.pem").read_bytes(), None)
    ts = now()
    signature = base64.b64encode(key.sign(f"{CLIENT}|{ts}".encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    status, answer = http("POST", f"{BASE}/v1.0/access-token/b2b", '{"grantType":"client_credentials"}',
                          {"X-TIMESTAMP": ts, "X-CLIENT-KEY": CLIENT, "X-SIGNATURE": signature})
    assert status == 200, answer
    token = json.loads(answer)["accessToken"]

    path = "/v1.0/debit/payment-host-to-host"
    body = json.dumps({"partnerReferenceNo": "DANA-ORDER-1", "merchantId": "216620000000000000000",
                       "amount": {"value": "12500.00", "currency": "IDR"}}, separators=(",", ":"))
    ts = now()
    digest = hashlib.sha256(body.encode()).hexdigest()
    sig = base64.b64encode(hmac.new(SECRET.encode(), f"POST:{path}:{token}:{digest}:{ts}".encode(),
                                    hashlib.sha512).digest()).decode()
    status, answer = http("POST", BASE + path, body, {
        "Authorization": f"Bearer {token}", "X-TIMESTAMP": ts, "X-SIGNATURE": sig,
        "X-PARTNER-ID": CLIENT, "X-EXTERNAL-ID": uuid.uuid4().hex, "CHANNEL-ID": "95221"})
    assert status == 200, answer

    status, answer = http("POST", f"{BASE}/__admin/transactions/DANA-ORDER-1/pay")
    assert status == 200, answer
    path, headers, body = receiver.first()
    assert path == "/dana/v1.0/debit/notify", path

    _, pem = http("GET", f"{BASE}/notification-key.pem")
    parser = WebhookParser(public_key=pem)
    notice = parser.parse_webhook(http_method="POST", relative_path_url=path, headers=headers, body=body)
    assert notice.original_partner_reference_no == "DANA-ORDER-1", notice
    assert notice.latest_transaction_status == "00" and notice.amount.value == "12500.00", notice
    print(f"dana-python's WebhookParser accepted the finish notify: {notice.original_reference_no}, "
          f"status {notice.latest_transaction_status}, {notice.amount.value} {notice.amount.currency}")

    tampered = body.replace("12500.00", "12599.00")
    assert tampered != body
    try:
        parser.parse_webhook(http_method="POST", relative_path_url=path, headers=headers, body=tampered)
    except ValueError as refused:
        print(f"and refused it with the amount changed: {refused}")
    else:
        raise SystemExit("dana-python accepted a tampered notification")
    receiver.stop()


if __name__ == "__main__":
    main()
