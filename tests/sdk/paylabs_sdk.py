"""paylabs-sdk against `snap-mock --provider paylabs` (tests/sdk/run.sh).

Create-VA exactly as the SDK sends it: SHA256withRSA without a token, the
partner named by X-PARTNER-ID, no CHANNEL-ID, sent to `.../api/v1.0/...`
and signed without that prefix. Only the SNAP base URL's host is changed
(`https://sit-pay.paylabs.co.id/api/v1.0` becomes
`http://127.0.0.1:PORT/api/v1.0`).
"""
import os

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

with PaylabsClient(merchant_id="demo-client", private_key=private_key, environment=Environment.SANDBOX) as client:
    answer = client.snap_va.create_va(
        partner_service_id="010001",
        virtual_account_name="Snap Mock Customer",
        amount="10000",
        payment_type="BCAVA",
        customer_no="00000000000000000001",
    )
    assert answer["responseCode"] == "2002700", answer
    assert answer["virtualAccountData"]["virtualAccountNo"], answer
    print("paylabs create-va:", answer["responseCode"], answer["virtualAccountData"]["virtualAccountNo"].strip())
