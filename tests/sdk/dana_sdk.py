"""dana-python against `snap-mock --provider dana` (tests/sdk/run.sh).

An apply-token (B2B2C) with the demo auth code, then a query payment signed
asymmetrically without a token, exactly as the SDK sends them: only the
host is changed.
"""
import os

os.environ.setdefault("DANA_ENV", "SANDBOX")
os.environ["X_DEBUG"] = "false"

from dana.utils.snap_configuration import SnapConfiguration, AuthSettings, Env  # noqa: E402
from dana.api_client import ApiClient  # noqa: E402
from dana.widget.v1 import WidgetApi  # noqa: E402
from dana.widget.v1.models import ApplyTokenAuthorizationCodeRequest  # noqa: E402
from dana.payment_gateway.v1 import PaymentGatewayApi  # noqa: E402
from dana.payment_gateway.v1.models import QueryPaymentRequest  # noqa: E402

url, root = os.environ["SNAP_MOCK_URL"], os.environ["SNAP_MOCK_ROOT"]
configuration = SnapConfiguration(
    api_key=AuthSettings(
        PRIVATE_KEY_PATH=os.path.join(root, "keys", "demo-client.private.pem"),
        ORIGIN="http://localhost",
        X_PARTNER_ID="demo-client",
        ENV=Env.SANDBOX,
        DANA_ENV=Env.SANDBOX,
    )
)
configuration.host = url

with ApiClient(configuration) as client:
    token = WidgetApi(client).apply_token(
        ApplyTokenAuthorizationCodeRequest(grant_type="AUTHORIZATION_CODE", auth_code="demo-auth-code")
    )
    assert token.response_code == "2007400", token
    assert 0 < len(token.access_token) <= 512, token.access_token
    print("dana apply_token:", token.response_code, "accessToken of", len(token.access_token), "characters")

    status = PaymentGatewayApi(client).query_payment(
        QueryPaymentRequest(
            original_partner_reference_no="2020102900000000000001",
            service_code="54",
            merchant_id="216620010016033632482",
        )
    )
    assert status.response_code == "2005500", status
    assert status.latest_transaction_status == "00", status
    print("dana query_payment:", status.response_code, status.transaction_status_desc)
