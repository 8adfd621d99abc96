"""A payment from start to finish, as a merchant's Python test would run it
against snap-mock: a client registered with a notificationUrl, a B2B token,
a virtual account created over SNAP (HMAC-SHA512), the customer's payment
(admin API), the signed notification received and verified with the public
key from /notification-key.pem (cryptography, not snap-mock's code), a
tampered copy refused, and the status query saying paid. Then a refused
delivery retried with the same body and X-EXTERNAL-ID.

Run by tests/probe/run.sh (its venv has cryptography); SNAP_MOCK_BIN names
the binary.
"""

import base64
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("SNAP_MOCK_BIN", str(ROOT / "target/debug/snap-mock"))
os.environ.setdefault("PYTHON", __import__("sys").executable)
CLIENT, SECRET = "py-merchant", "py-secret"
PRIVATE = serialization.load_pem_private_key(
    (ROOT / "keys/demo-client.private.pem").read_bytes(), password=None)
PUBLIC_PEM = (ROOT / "keys/demo-client.public.pem").read_text()


def http(method, url, body=None, headers=None):
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def timestamp():
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).isoformat(timespec="seconds")


def minify(body):
    return json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False)


class Merchant(BaseHTTPRequestHandler):
    """The merchant's notification endpoint: keeps what it gets, answers
    with the next of `answers`."""
    answers = []
    got = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Merchant.got.append((self.path, dict(self.headers), body.decode()))
        status, answer = Merchant.answers.pop(0) if len(Merchant.answers) > 1 else Merchant.answers[0]
        raw = answer.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def verified(key, path, headers, body):
    digest = hashlib.sha256(minify(body).encode()).hexdigest()
    message = f"POST:{path}:{digest}:{headers['X-TIMESTAMP']}".encode()
    try:
        key.verify(base64.b64decode(headers["X-SIGNATURE"]), message, padding.PKCS1v15(), hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def wait_for(what, condition, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def bearer_token_mode():
    """--provider bca: the notification is a bearer-token call. snap-mock
    takes a token from the merchant's own token endpoint (signed with the
    provider's key), then sends the VA payment with the HMAC keyed by the
    client's secret. The merchant is the reference merchant of
    tests/probe/merchant.py, written from the standard, holding the
    provider's public key."""
    va, amount = "   12345000000900", "5000.00"
    merchant = subprocess.Popen(
        [os.environ.get("PYTHON", "python3"), str(ROOT / "tests/probe/merchant.py"), "--bank-public-key",
         str(ROOT / "keys/provider.public.pem"), "--client", "demo-client:demo-client-secret",
         "--va", va, "--amount", amount, "--prefix", "/openapi"],
        stdout=subprocess.PIPE, text=True)
    server = subprocess.Popen([BIN, "--provider", "bca", "--port", "0", "--notification-retries", ""],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        port = merchant.stdout.readline().split()[-1]
        line = server.stdout.readline()
        base = line.split("listening on ")[1].split()[0]
        status, answer = http("POST", f"{base}/__admin/clients", json.dumps({
            "clientKey": "demo-client", "publicKey": PUBLIC_PEM, "clientSecret": "demo-client-secret",
            "notificationUrl": f"http://127.0.0.1:{port}/openapi"}), {"Content-Type": "application/json"})
        assert status == 201, answer
        ts = timestamp()
        sig = base64.b64encode(PRIVATE.sign(f"demo-client|{ts}".encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
        status, answer = http("POST", f"{base}/openapi/v1.0/access-token/b2b", '{"grantType":"client_credentials"}',
                              {"Content-Type": "application/json", "X-TIMESTAMP": ts,
                               "X-CLIENT-KEY": "demo-client", "X-SIGNATURE": sig})
        assert status == 200, answer
        token = json.loads(answer)["accessToken"]
        path = "/v1.0/transfer-va/create-va"
        body = json.dumps({"partnerServiceId": "   12345", "customerNo": "000000900", "virtualAccountNo": va,
                           "virtualAccountName": "Jane", "trxId": "BCA-900",
                           "totalAmount": {"value": amount, "currency": "IDR"}}, separators=(",", ":"))
        ts = timestamp()
        digest = hashlib.sha256(body.encode()).hexdigest()
        hsig = base64.b64encode(hmac.new(b"demo-client-secret", f"POST:{path}:{token}:{digest}:{ts}".encode(),
                                         hashlib.sha512).digest()).decode()
        status, answer = http("POST", base + path, body, {
            "Content-Type": "application/json", "Authorization": f"Bearer {token}", "X-TIMESTAMP": ts,
            "X-SIGNATURE": hsig, "X-PARTNER-ID": "demo-client", "X-EXTERNAL-ID": uuid.uuid4().hex,
            "CHANNEL-ID": "95221"})
        assert status == 200, answer
        status, answer = http("POST", f"{base}/__admin/transactions/BCA-900/pay", "", {"Content-Type": "application/json"})
        assert status == 200, answer

        def states():
            return [n["state"] for n in json.loads(http("GET", f"{base}/__admin/notifications")[1])["notifications"]]
        wait_for("the bearer-token notification", lambda: states() and states()[0] != "pending")
        _, journal = http("GET", f"{base}/__admin/requests?limit=5")
        sent = [e for e in json.loads(journal)["requests"] if e.get("direction") == "outbound"]
        assert states() == ["delivered"], (states(), sent)
        assert sent[0]["outcome"]["responseCode"] == "2002500", sent[0]
        assert any(k == "Authorization" for k, _ in sent[0]["headers"]), sent[0]["headers"]
        print("bearer-token mode: the reference merchant issued a token to snap-mock and accepted its "
              "HMAC-signed VA payment notification (2002500)")
    finally:
        for p in (server, merchant):
            p.terminate()
            p.wait(timeout=10)


def main():
    bearer_token_mode()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Merchant)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hooks = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
    server = subprocess.Popen([BIN, "--port", "0", "--notification-retries", "1s"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()
        assert "listening on http://" in line, line
        base = line.split("listening on ")[1].split()[0]
        run(base, hooks)
    finally:
        server.terminate()
        server.wait(timeout=10)
        receiver.shutdown()


def run(base, hooks):
    Merchant.answers = [(200, '{"responseCode":"2002500","responseMessage":"Successful"}')]
    status, _ = http("POST", f"{base}/__admin/clients", json.dumps({
        "clientKey": CLIENT, "publicKey": PUBLIC_PEM, "clientSecret": SECRET,
        "notificationUrl": hooks}), {"Content-Type": "application/json"})
    assert status == 201, status

    # The B2B token, signed as the standard says.
    ts = timestamp()
    signature = base64.b64encode(PRIVATE.sign(f"{CLIENT}|{ts}".encode(), padding.PKCS1v15(), hashes.SHA256())).decode()
    status, answer = http("POST", f"{base}/pg/snap/oauth/v1.0/access-token/b2b",
                          '{"grantType":"client_credentials"}',
                          {"Content-Type": "application/json", "X-TIMESTAMP": ts,
                           "X-CLIENT-KEY": CLIENT, "X-SIGNATURE": signature})
    assert status == 200, answer
    token = json.loads(answer)["accessToken"]

    def call(path, body):
        ts = timestamp()
        digest = hashlib.sha256(minify(body).encode()).hexdigest()
        string_to_sign = f"POST:{path}:{token}:{digest}:{ts}"
        sig = base64.b64encode(hmac.new(SECRET.encode(), string_to_sign.encode(), hashlib.sha512).digest()).decode()
        return http("POST", base + path, body, {
            "Content-Type": "application/json", "Authorization": f"Bearer {token}",
            "X-TIMESTAMP": ts, "X-SIGNATURE": sig, "X-PARTNER-ID": CLIENT,
            "X-EXTERNAL-ID": uuid.uuid4().hex, "CHANNEL-ID": "95221"})

    va = "   12345000000777"
    status, answer = call("/v1.0/transfer-va/create-va", json.dumps({
        "partnerServiceId": "   12345", "customerNo": "000000777", "virtualAccountNo": va,
        "virtualAccountName": "Jane Doe", "trxId": "INV-777",
        "totalAmount": {"value": "150000.00", "currency": "IDR"},
        "expiredDate": "2099-01-01T00:00:00+07:00"}, indent=2))
    assert status == 200, answer
    reference = json.loads(answer)["virtualAccountData"]["referenceNo"]

    status, answer = http("POST", f"{base}/__admin/transactions/INV-777/pay", "", {"Content-Type": "application/json"})
    assert status == 200, answer
    wait_for("the notification", lambda: len(Merchant.got) == 1)
    path, headers, body = Merchant.got[0]
    _, pem = http("GET", f"{base}/notification-key.pem")
    key = serialization.load_pem_public_key(pem.encode())
    assert path == "/hooks/v1.0/transfer-va/payment", path
    assert verified(key, path, headers, body), "the genuine notification verifies"
    tampered = body.replace("150000.00", "150001.00")
    assert tampered != body and not verified(key, path, headers, tampered), "a tampered copy does not"
    notice = json.loads(body)
    assert notice["referenceNo"] == reference and notice["latestTransactionStatus"] == "00", notice
    print(f"notification verified with cryptography; tampered copy refused; referenceNo {reference}")

    status, answer = call("/v1.0/transfer-va/status", json.dumps({"virtualAccountNo": va}))
    assert status == 200 and json.loads(answer)["virtualAccountData"]["latestTransactionStatus"] == "00", answer

    # A refused delivery is retried (--notification-retries 1s) with the same
    # body and X-EXTERNAL-ID, and a fresh signature.
    Merchant.answers = [(503, "busy"), (200, '{"responseCode":"2002500"}')]
    status, answer = call("/v1.0/transfer-va/create-va", json.dumps({
        "partnerServiceId": "   12345", "customerNo": "000000778", "virtualAccountNo": "   12345000000778",
        "virtualAccountName": "John Doe", "trxId": "INV-778",
        "totalAmount": {"value": "1000.00", "currency": "IDR"}}))
    assert status == 200, answer
    http("POST", f"{base}/__admin/transactions/INV-778/pay", "", {"Content-Type": "application/json"})
    wait_for("the retry", lambda: len(Merchant.got) == 3)
    (_, first, body1), (_, second, body2) = Merchant.got[1], Merchant.got[2]
    assert body1 == body2 and first["X-EXTERNAL-ID"] == second["X-EXTERNAL-ID"]
    assert verified(key, "/hooks/v1.0/transfer-va/payment", second, body2)
    _, listing = http("GET", f"{base}/__admin/notifications")
    states = [n["state"] for n in json.loads(listing)["notifications"]]
    wait_for("delivered", lambda: "pending" not in [n["state"] for n in json.loads(http("GET", f"{base}/__admin/notifications")[1])["notifications"]])
    print(f"refused delivery retried with the same body and X-EXTERNAL-ID; states {states}")
    print("payment flow: OK")


if __name__ == "__main__":
    main()
