"""python-nicepay against `snap-mock --provider nicepay` (tests/sdk/run.sh).

A B2B token, create-VA, then its status, exactly as the SDK sends them: only the base
URL's host is changed (`https://dev.nicepay.co.id/nicepay` becomes
`http://127.0.0.1:PORT/nicepay`). The SDK signs the path without `/nicepay`
and hashes the body as sent (`json.dumps` with its spaces): the preset's
base path and body-hash form.

The SDK writes the machine's wall clock followed by a literal `+07:00`, so
its timestamps are right only where the clock is WIB: run.sh sets
`TZ=WIB-7` (a POSIX zone string, no tzdata needed). On a UTC machine the
server refuses the token request and its diagnosis names the cause (README,
"Decisions").
"""
import os
import sys
import time
import types

try:  # the SDK imports a constant from tkinter, which headless Pythons lack
    import tkinter.messagebox  # noqa: F401
except ImportError:
    stub = types.ModuleType("tkinter.messagebox")
    stub.RETRY = "retry"
    sys.modules.setdefault("tkinter", types.ModuleType("tkinter"))
    sys.modules["tkinter.messagebox"] = stub

from python_nicepay.constants.constantsGeneral import ConstantsGeneral  # noqa: E402
from python_nicepay.constants.constantsEndpoint import ConstantsEndpoints  # noqa: E402
from python_nicepay.data.builder import builderEnvironment  # noqa: E402
from python_nicepay.data.builder.snap import builderAccessToken, builderVirtualAccount  # noqa: E402
from python_nicepay.service import snapService  # noqa: E402
from python_nicepay.service.snapService import SnapService  # noqa: E402

url, root = os.environ["SNAP_MOCK_URL"], os.environ["SNAP_MOCK_ROOT"]
with open(os.path.join(root, "keys", "demo-client.private.pem")) as f:
    # The SDK takes the key as base64 of its DER: the PEM without its armour.
    der_b64 = "".join(line for line in f.read().splitlines() if not line.startswith("-----"))
ConstantsGeneral.setSnapConfiguration("demo-client", "demo-client-secret", der_b64)
ConstantsGeneral._SANDBOX_BASE_URL = url + "/nicepay"
environment = builderEnvironment.BuildEnvironment().isCloud(False).isProduction(False).build()

token_body = builderAccessToken.BuildAccessToken().setGrantType("client_credentials").setAdditionalInfo("").build()
token = SnapService.serviceOAUTH(token_body.jsonAccessToken(), environment)
assert token and token.count(".") == 2, token
print("nicepay access token: a JWT of", len(token), "characters")

create_va = (
    builderVirtualAccount.BuildCreateVA()
    .setPartnerServiceId("")
    .setCustomerNo("")
    .setVirtualAccountNo("")
    .setVirtualAccountName("TESTING DEV")
    .setTrxId("NICEPAY123")
    .setTotalAmount({"value": "10000.00", "currency": "IDR"})
    .setAdditionalInfo({"bankCd": "BMRI", "goodsNm": "Merchant Goods 1", "dbProcessUrl": "http://127.0.0.1/notify"})
    .build()
)
SnapService.serviceTransaction(token_body.jsonAccessToken(), create_va.jsonVACreate(), ConstantsEndpoints.createVA(), environment)
answer = snapService.receiveResponse
assert answer["responseCode"] == "2002700", answer
created = answer["virtualAccountData"]
# NICEPAY assigns the number (the request left it empty) and names the
# transaction by tXidVA.
assert created["virtualAccountNo"].strip(), answer
assert created["additionalInfo"]["tXidVA"], answer
print("nicepay create-va:", answer["responseCode"], created["virtualAccountNo"])

# The VA is the server's: the SDK's status inquiry finds it, unpaid. The
# SDK's X-EXTERNAL-ID is "ordNo" and the time to the second, so a second
# call within the same second is a reused id (409): wait for the next one.
time.sleep(1.1)
inquiry = (
    builderVirtualAccount.BuildInquiryVA()
    .setPartnerServiceId("")
    .setCustomerNo("")
    .setVirtualAccountNo(created["virtualAccountNo"])
    .setInquiryRequestId("INQ-1")
    .setAdditionalInfo({"totalAmount": {"value": "10000.00", "currency": "IDR"}, "trxId": "NICEPAY123",
                        "tXidVA": created["additionalInfo"]["tXidVA"]})
    .build()
)
SnapService.serviceTransaction(token_body.jsonAccessToken(), inquiry.jsonVAInquiry(), ConstantsEndpoints.inquiryVA(), environment)
status = snapService.receiveResponse
assert status["responseCode"] == "2002600", status
assert status["virtualAccountData"]["virtualAccountNo"] == created["virtualAccountNo"], status
print("nicepay status:", status["responseCode"], status["virtualAccountData"].get("latestTransactionStatus"))
