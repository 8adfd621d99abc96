"""bnipython against `snap-mock --provider bni` (tests/sdk/run.sh).

A token, then a balance inquiry (bearer token + HMAC-SHA512), exactly as
the SDK sends them: only the base URL is changed. bnipython needs Python
3.12 or later and pyOpenSSL older than 24.3 (it calls OpenSSL.crypto.sign).
"""
import os

from bnipython import BNIClient, SnapBI

url, root = os.environ["SNAP_MOCK_URL"], os.environ["SNAP_MOCK_ROOT"]
client = BNIClient({
    "env": "dev",
    "appName": "snap-mock",
    "clientId": "demo-client",             # X-CLIENT-KEY of the token request
    "clientSecret": "unused-by-snap",
    "apiKey": "demo-client",               # X-PARTNER-ID of service calls
    "apiSecret": "demo-client-secret",     # the HMAC-SHA512 key: the client's clientSecret
})
client.getBaseUrl = lambda: url
snap = SnapBI(client, {
    "privateKeyPath": os.path.join(root, "keys", "demo-client.private.pem"),
    "channelId": "95221",
    "ipAddress": "127.0.0.1",
    "latitude": "-6.2",
    "longitude": "106.8",
})

token = snap.getTokenSnapBI()
assert token, "no accessToken"
print("bni token: accessToken of", len(token), "characters")

balance = snap.balanceInquiry({
    "partnerReferenceNo": "2020102900000000000001",
    "accountNo": "0115476117",
})
assert balance["responseCode"] == "2001100", balance
print("bni balanceInquiry:", balance["responseCode"], balance["accountInfos"][0]["availableBalance"])
