"""paylabs-sdk against `snap-mock --provider paylabs` (tests/sdk/run.sh).

Create-VA exactly as the SDK sends it: SHA256withRSA without a token, the
partner named by X-PARTNER-ID, no CHANNEL-ID, sent to `.../api/v1.0/...`
and signed without that prefix. Only the SNAP base URL's host is changed
(`https://sit-pay.paylabs.co.id/api/v1.0` becomes
`http://127.0.0.1:PORT/api/v1.0`).

Then the other direction: the VA is paid through the admin API, and the
payment notification snap-mock sends to a merchant endpoint here
(`/merchant/transfer-va/payment`) must pass the SDK's own
`snap_va.verify_callback_signature`, which signs over `/transfer-va/payment`
whatever the URL, and fail it with the amount changed.
"""
import json
import os
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from paylabs import config as paylabs_config
from paylabs.client import PaylabsClient
from paylabs.config import Environment

url, root = os.environ["SNAP_MOCK_URL"], os.environ["SNAP_MOCK_ROOT"]
paylabs_config.SNAP_URLS[Environment.SANDBOX] = url + "/api/v1.0"
# client.py copied SNAP_URLS by name at import: point that copy too.
import paylabs.client as paylabs_client  # noqa: E402

paylabs_client.SNAP_URLS[Environment.SANDBOX] = url + "/api/v1.0"

with open(os.path.join(root, "keys", "demo-client.private.pem")) as f:
    private_key = f.read()

GOT = []


class Merchant(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        GOT.append((self.path, {k: v for k, v in self.headers.items()}, body))
        raw = b'{"responseCode":"2002500","responseMessage":"Successful"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def admin(method, path, body=""):
    request = urllib.request.Request(url + path, data=body.encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, answer.read().decode()


receiver = ThreadingHTTPServer(("127.0.0.1", 0), Merchant)
threading.Thread(target=receiver.serve_forever, daemon=True).start()
with open(os.path.join(root, "keys", "demo-client.public.pem")) as f:
    status, _ = admin("POST", "/__admin/clients", json.dumps({
        "clientKey": "paylabs-merchant", "publicKey": f.read(),
        "notificationUrl": f"http://127.0.0.1:{receiver.server_address[1]}/merchant"}))
assert status == 201, status
_, notification_key = admin("GET", "/notification-key.pem")

with PaylabsClient(merchant_id="paylabs-merchant", private_key=private_key, public_key=notification_key,
                   environment=Environment.SANDBOX) as client:
    answer = client.snap_va.create_va(
        partner_service_id="010001",
        virtual_account_name="Snap Mock Customer",
        amount="10000",
        payment_type="BCAVA",
        customer_no="00000000000000000001",
        trx_id="PAYLABS-ORDER-1",
    )
    assert answer["responseCode"] == "2002700", answer
    assert answer["virtualAccountData"]["virtualAccountNo"], answer
    print("paylabs create-va:", answer["responseCode"], answer["virtualAccountData"]["virtualAccountNo"].strip())

    status, _ = admin("POST", "/__admin/transactions/PAYLABS-ORDER-1/pay")
    assert status == 200, status
    deadline = time.monotonic() + 10
    while not GOT and time.monotonic() < deadline:
        time.sleep(0.05)
    assert GOT, "no notification arrived"
    path, headers, body = GOT[0]
    assert path == "/merchant/transfer-va/payment", path
    assert client.snap_va.verify_callback_signature(headers, body), (headers, body)
    tampered = body.replace("10000.00", "10099.00")
    assert tampered != body and not client.snap_va.verify_callback_signature(headers, tampered)
    print("paylabs verify_callback_signature: accepted the payment notification, refused it tampered")
receiver.shutdown()
