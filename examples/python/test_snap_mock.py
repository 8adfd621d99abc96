"""snap-mock in a Python test suite: testcontainers + pytest.

    pip install -r requirements.txt
    SNAP_MOCK_IMAGE=snap-mock:latest pytest test_snap_mock.py

The container shares the host's network (Linux; on Docker Desktop publish
the port instead) and listens on a free port chosen here.
"""
import base64
import os
import socket
from datetime import datetime, timedelta, timezone

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import LogMessageWaitStrategy

IMAGE = os.environ.get("SNAP_MOCK_IMAGE", "snap-mock:latest")
TOKEN_PATH = "/pg/snap/oauth/v1.0/access-token/b2b"
ADMIN_TOKEN = "recipe-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
# The bundled demo client's key (TEST KEY ONLY; keys/demo-client.private.pem).
DEMO_KEY = os.path.join(os.path.dirname(__file__), "..", "..", "keys", "demo-client.private.pem")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def snap_mock():
    port = free_port()
    container = (
        DockerContainer(IMAGE)
        .with_env("SNAP_MOCK_PORT", str(port))
        # The admin API (the customer's side of a payment) answers on a
        # non-loopback address only with a token.
        .with_env("SNAP_MOCK_ADMIN_TOKEN", ADMIN_TOKEN)
        .with_kwargs(network_mode="host")
        .waiting_for(LogMessageWaitStrategy("snap-mock listening on"))
    )
    with container:
        yield f"http://127.0.0.1:{port}"


def signed_headers(client_key="demo-client"):
    """X-TIMESTAMP, X-CLIENT-KEY and X-SIGNATURE = SHA256withRSA(client_key|timestamp)."""
    timestamp = datetime.now(timezone(timedelta(hours=7))).isoformat(timespec="seconds")
    with open(DEMO_KEY, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    signature = key.sign(f"{client_key}|{timestamp}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return {
        "Content-Type": "application/json",
        "X-TIMESTAMP": timestamp,
        "X-CLIENT-KEY": client_key,
        "X-SIGNATURE": base64.b64encode(signature).decode(),
    }


def test_a_signed_request_gets_a_token(snap_mock):
    answer = requests.post(snap_mock + TOKEN_PATH, headers=signed_headers(),
                           json={"grantType": "client_credentials", "additionalInfo": {}}, timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["responseCode"] == "2007300"
    assert body["tokenType"] == "Bearer" and body["accessToken"].count(".") == 2


def test_a_scenario_makes_the_provider_fail_on_demand(snap_mock):
    headers = {**signed_headers(), "X-Mock-Scenario": "internal-server-error"}
    answer = requests.post(snap_mock + TOKEN_PATH, headers=headers,
                           json={"grantType": "client_credentials"}, timeout=10)
    assert answer.status_code == 500
    assert answer.json()["responseCode"] == "5007301"


def test_a_paid_virtual_account_is_notified_with_a_signature_the_merchant_verifies(snap_mock):
    """The merchant's side of a payment: its notification endpoint (a
    server in this test) receives the signed notification of a VA the
    customer paid, and verifies it with the key snap-mock serves."""
    import hashlib
    import hmac
    import json
    import threading
    import time
    import uuid
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received = []

    class Merchant(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, dict(self.headers), body))
            answer = b'{"responseCode":"2002500","responseMessage":"Successful"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    hooks = ThreadingHTTPServer(("127.0.0.1", 0), Merchant)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    try:
        # The demo client again, now with a notification URL.
        with open(DEMO_KEY.replace("private", "public")) as f:
            public_pem = f.read()
        requests.post(snap_mock + "/__admin/clients", timeout=10, headers=ADMIN, json={
            "clientKey": "demo-client", "publicKey": public_pem, "clientSecret": "demo-client-secret",
            "notificationUrl": f"http://127.0.0.1:{hooks.server_address[1]}/hooks"}).raise_for_status()
        token = requests.post(snap_mock + TOKEN_PATH, headers=signed_headers(), timeout=10,
                              json={"grantType": "client_credentials"}).json()["accessToken"]
        path, body = "/v1.0/transfer-va/create-va", json.dumps({
            "partnerServiceId": "   12345", "customerNo": "000000321", "virtualAccountNo": "   12345000000321",
            "virtualAccountName": "Jane Doe", "trxId": "INV-321",
            "totalAmount": {"value": "150000.00", "currency": "IDR"}}, separators=(",", ":"))
        timestamp = signed_headers()["X-TIMESTAMP"]
        string_to_sign = f"POST:{path}:{token}:{hashlib.sha256(body.encode()).hexdigest()}:{timestamp}"
        signature = base64.b64encode(hmac.new(b"demo-client-secret", string_to_sign.encode(), hashlib.sha512).digest())
        created = requests.post(snap_mock + path, data=body, timeout=10, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}", "X-TIMESTAMP": timestamp,
            "X-SIGNATURE": signature.decode(), "X-PARTNER-ID": "demo-client",
            "X-EXTERNAL-ID": uuid.uuid4().hex, "CHANNEL-ID": "95221"})
        assert created.json()["responseCode"] == "2002700", created.text

        # The customer pays; the notification follows.
        requests.post(snap_mock + "/__admin/transactions/INV-321/pay", timeout=10,
                      headers={**ADMIN, "Content-Type": "application/json"}).raise_for_status()
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
        path, headers, body = received[0]
        assert path == "/hooks/v1.0/transfer-va/payment"
        key = serialization.load_pem_public_key(requests.get(snap_mock + "/notification-key.pem", timeout=10).content)
        digest = hashlib.sha256(json.dumps(json.loads(body), separators=(",", ":")).encode()).hexdigest()
        key.verify(base64.b64decode(headers["X-SIGNATURE"]), f"POST:{path}:{digest}:{headers['X-TIMESTAMP']}".encode(),
                   padding.PKCS1v15(), hashes.SHA256())
        assert json.loads(body)["latestTransactionStatus"] == "00"
    finally:
        hooks.shutdown()
