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
