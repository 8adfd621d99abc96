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

from paylabs import config as paylabs_config
from paylabs.client import PaylabsClient
from paylabs.config import Environment

from merchant import Endpoint, http

url, root = os.environ["SNAP_MOCK_URL"], os.environ["SNAP_MOCK_ROOT"]
paylabs_config.SNAP_URLS[Environment.SANDBOX] = url + "/api/v1.0"
# client.py copied SNAP_URLS by name at import: point that copy too.
import paylabs.client as paylabs_client  # noqa: E402

paylabs_client.SNAP_URLS[Environment.SANDBOX] = url + "/api/v1.0"

with open(os.path.join(root, "keys", "demo-client.private.pem")) as f:
    private_key = f.read()

receiver = Endpoint("2002500")
with open(os.path.join(root, "keys", "demo-client.public.pem")) as f:
    status, answer = http("POST", url + "/__admin/clients", json.dumps({
        "clientKey": "paylabs-merchant", "publicKey": f.read(), "notificationUrl": receiver.url + "/merchant"}))
assert status == 201, answer
_, notification_key = http("GET", url + "/notification-key.pem")

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

    status, answer = http("POST", url + "/__admin/transactions/PAYLABS-ORDER-1/pay")
    assert status == 200, answer
    path, headers, body = receiver.first()
    assert path == "/merchant/transfer-va/payment", path
    assert client.snap_va.verify_callback_signature(headers, body), (headers, body)
    tampered = body.replace("10000.00", "10099.00")
    assert tampered != body and not client.snap_va.verify_callback_signature(headers, tampered)
    print("paylabs verify_callback_signature: accepted the payment notification, refused it tampered")
receiver.stop()
