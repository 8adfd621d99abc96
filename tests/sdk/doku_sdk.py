"""doku-python-library against `snap-mock --provider doku` (tests/sdk/run.sh).

The SDK asks for a B2B token when it is constructed; the token must come
back as its response model expects (expiresIn a number, no unknown keys).
Only the sandbox base URL is changed.
"""
import os

from doku_python_library.src.commons import config
from doku_python_library.src.snap import DokuSNAP

url, root = os.environ["SNAP_MOCK_URL"], os.environ["SNAP_MOCK_ROOT"]
config._Development.BASE_URL = url
private_key = open(os.path.join(root, "keys", "demo-client.private.pem")).read()
public_key = open(os.path.join(root, "keys", "demo-client.public.pem")).read()

snap = DokuSNAP(
    private_key=private_key,
    client_id="demo-client",
    is_production=False,
    public_key=public_key,
    issuer="snap-mock",
    secret_key="demo-client-secret",
    merchant_public_key=public_key,
)
token = snap.token_b2b
assert token.response_code == "2007300", token.json()
assert token.access_token and isinstance(token.expires_in, int), token.json()
print("doku token:", token.response_code, "expiresIn", token.expires_in, "accessToken of", len(token.access_token), "characters")

# Its first transactional call: create a virtual account (bearer token +
# HMAC-SHA512 with the client secret, X-PARTNER-ID the client id).
from doku_python_library.src.model.va.create_va_request import CreateVARequest  # noqa: E402
from doku_python_library.src.model.va.total_amount import TotalAmount  # noqa: E402
from doku_python_library.src.model.va.additional_info import AdditionalInfo  # noqa: E402
from doku_python_library.src.model.va.virtual_account_config import VirtualAccountConfig  # noqa: E402

created = snap.create_va(CreateVARequest(
    partner_service_id="  888994",
    customer_no="00000000000000000001",
    virtual_account_no="  88899400000000000000000001",
    virtual_acc_name="Snap Mock Customer",
    virtual_acc_email="customer@example.com",
    virtual_acc_phone="6281234567890",
    trx_id="INV-0001",
    virtual_acc_trx_type="C",
    total_amount=TotalAmount(value="15000.00", currency="IDR"),
    additional_info=AdditionalInfo(channel="VIRTUAL_ACCOUNT_BANK_CIMB",
                                   virtual_account_config=VirtualAccountConfig(reusable_status=False)),
    expired_date="2030-01-01T00:00:00+07:00",
))
assert created.response_code == "2002700", created.json()
# Its VirtualAccountData model requires additionalInfo with these three.
from doku_python_library.src.model.va.additional_info_response import AdditionalInfoResponse  # noqa: E402

info = created.virtual_account_data["additionalInfo"]
AdditionalInfoResponse(info["channel"], info["howToPayPage"], info["howToPayApi"])
print("doku create_va:", created.response_code, created.response_message)
