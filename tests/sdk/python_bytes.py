"""Signing the bytes it sends, with Python's `cryptography` and `hmac`
(tests/sdk/run.sh): nothing of snap-mock's code, only the standard.

The client writes each body the way a JSON library of its language does
(Python's `\\u00e9`, PHP's `\\/`, `1.10`, `1E2`, `-0`, a 23-digit integer,
`1.2345678901234567e-300`), sends those bytes, and hashes the same bytes
with only the whitespace outside strings removed. Every body must verify:
  - symmetric (HMAC-SHA512 with a B2B token): `--provider snap-bi`, VA inquiry;
  - asymmetric (SHA256withRSA, no token): `--provider dana`, query payment.
SNAP_MOCK_MODE picks which one this run checks.
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import urllib.request
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

url, root, mode = os.environ["SNAP_MOCK_URL"], os.environ["SNAP_MOCK_ROOT"], os.environ["SNAP_MOCK_MODE"]
with open(os.path.join(root, "keys", "demo-client.private.pem"), "rb") as f:
    key = serialization.load_pem_private_key(f.read(), password=None)
CLIENT, SECRET = "demo-client", b"demo-client-secret"

BODIES = [
    '{\n  "merchantId": "Jos\\u00e9",\n  "amount": {"value": "10000.00", "currency": "IDR"}\n}',
    '{"partnerReferenceNo": "2020\\/10\\/29", "note": "a b  c"}',
    '{ "n": 1.10, "e": 1E2, "z": -0 }',
    '{"big": 12345678901234567890123, "tiny": 1.2345678901234567e-300}',
    '{"nested": [ {"a": "x\\"y"}, [1, 2] ], "t": true, "f": null}',
]


def minified(text):
    """Whitespace outside strings removed; everything else as written."""
    out, in_string, escaped = [], False, False
    for c in text:
        if in_string:
            out.append(c)
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif c not in " \t\r\n":
            out.append(c)
    return "".join(out)


def now():
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).isoformat(timespec="seconds")


def post(path, headers, body):
    request = urllib.request.Request(url + path, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def rsa_sign(text):
    signature = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def body_hash(body):
    return hashlib.sha256(minified(body).encode()).hexdigest()


if mode == "symmetric":
    ts = now()
    status, answer = post(
        "/v1.0/access-token/b2b",
        {"Content-Type": "application/json", "X-TIMESTAMP": ts, "X-CLIENT-KEY": CLIENT,
         "X-SIGNATURE": rsa_sign(f"{CLIENT}|{ts}")},
        '{"grantType": "client_credentials"}',
    )
    assert status == 200, answer
    token = answer["accessToken"]
    # A canned endpoint: these bodies are about bytes, not transactions.
    path = "/v1.0/transfer-va/inquiry"
    for body in BODIES:
        ts = now()
        text = f"POST:{path}:{token}:{body_hash(body)}:{ts}"
        signature = base64.b64encode(hmac.new(SECRET, text.encode(), hashlib.sha512).digest()).decode()
        status, answer = post(path, {
            "Content-Type": "application/json", "Authorization": f"Bearer {token}", "X-TIMESTAMP": ts,
            "X-SIGNATURE": signature, "X-PARTNER-ID": CLIENT, "X-EXTERNAL-ID": uuid.uuid4().hex,
            "CHANNEL-ID": "95221"}, body)
        assert (status, answer["responseCode"]) == (200, "2002400"), (body, answer)
        print("symmetric, verified:", minified(body))
else:
    path = "/payment-gateway/v1.0/debit/status.htm"
    for body in BODIES:
        ts = now()
        text = f"POST:{path}:{body_hash(body)}:{ts}"
        status, answer = post(path, {
            "Content-Type": "application/json", "X-TIMESTAMP": ts, "X-SIGNATURE": rsa_sign(text),
            "X-PARTNER-ID": CLIENT, "X-EXTERNAL-ID": uuid.uuid4().hex, "CHANNEL-ID": "95221"}, body)
        assert (status, answer["responseCode"]) == (200, "2005500"), (body, answer)
        print("asymmetric, verified:", minified(body))
    # And a body hashed after a parse and re-serialisation is refused.
    body, ts = BODIES[0], now()
    rewritten = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False)
    text = f"POST:{path}:{hashlib.sha256(rewritten.encode()).hexdigest()}:{ts}"
    status, answer = post(path, {
        "Content-Type": "application/json", "X-TIMESTAMP": ts, "X-SIGNATURE": rsa_sign(text),
        "X-PARTNER-ID": CLIENT, "X-EXTERNAL-ID": uuid.uuid4().hex, "CHANNEL-ID": "95221"}, body)
    assert (status, answer["responseCode"]) == (401, "4015500"), answer
    print("asymmetric, a re-serialised body is refused:", answer["responseCode"])
