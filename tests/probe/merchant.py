"""A reference merchant SNAP server, written from the standard (SNAP
Standar Teknis Keamanan; the digest in SNAP-AUTH.md), not from snap-mock's
Rust code: a B2B token endpoint (SHA256withRSA, the bank's public key), VA
inquiry (service 24) and payment (25) with bearer + HMAC-SHA512, and a
notification endpoint (SHA256withRSA, no token).

Each check can be removed with --without NAME, to make the variants the
probe must catch: the probe passes on this server and names exactly the
missing check on each variant.

    python3 merchant.py --bank-public-key bank.pem --client bank-1:secret-1 \
        --va '   12345000000001' --amount 10000.00 [--without hmac ...]

Prints "listening on <port>" once it accepts connections.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

CHECKS = [
    "token-signature",   # RSA signature of the token request
    "timestamp-window",  # X-TIMESTAMP within 5 minutes of now
    "timestamp-form",    # X-TIMESTAMP is ISO 8601 with a zone
    "grant-type",        # grantType present and client_credentials
    "token-expiry",      # bearer tokens expire
    "client-binding",    # the token belongs to X-PARTNER-ID
    "hmac",              # HMAC-SHA512 of service calls
    "minify",            # the body hash is over the minified body
    "query-in-signature",  # the signed URL includes the query
    "replay",            # X-EXTERNAL-ID unique per partner per day
    "amount",            # a closed bill is paid with its amount only
    "paid",              # a paid bill is neither shown as open nor paid again
    "notify-signature",  # RSA signature of notifications
]

ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
WINDOW = datetime.timedelta(minutes=5)


def minify(body: bytes) -> bytes:
    """The standard's minify: whitespace outside JSON strings removed."""
    out = bytearray()
    in_string = escaped = False
    for b in body:
        if in_string:
            out.append(b)
            if escaped:
                escaped = False
            elif b == 0x5C:
                escaped = True
            elif b == 0x22:
                in_string = False
        elif b == 0x22:
            in_string = True
            out.append(b)
        elif b not in b" \t\r\n":
            out.append(b)
    return bytes(out)


class Refusal(Exception):
    def __init__(self, status, case, message):
        super().__init__(message)
        self.status, self.case, self.message = status, case, message


class Merchant:
    def __init__(self, args):
        self.without = set(args.without)
        with open(args.bank_public_key, "rb") as f:
            self.bank_key = serialization.load_pem_public_key(f.read())
        self.clients = dict(c.split(":", 1) for c in args.client)
        self.bill = {"va": args.va, "amount": args.amount, "paid": False}
        self.token_ttl = args.token_ttl
        self.tokens = {}  # token -> (client, expires at)
        self.external_ids = {}  # (partner, date, id) -> body hash
        self.notifications = []
        self.prefix = args.prefix.rstrip("/")
        self.notify_path = args.notify_path
        self.lock = threading.Lock()

    def checking(self, name):
        return name not in self.without

    # ---- pieces shared by every endpoint ---------------------------------

    def timestamp(self, headers, service):
        value = headers.get("X-TIMESTAMP")
        if self.checking("timestamp-form") and not ISO_8601.match(value):
            raise Refusal(400, f"{service}01", "Invalid Field Format [X-TIMESTAMP]")
        try:
            at = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if at.tzinfo is None:
                at = at.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
        except ValueError:
            raise Refusal(400, f"{service}01", "Invalid Field Format [X-TIMESTAMP]")
        return at

    def fresh(self, at, service):
        now = datetime.datetime.now(datetime.timezone.utc)
        if self.checking("timestamp-window") and abs(now - at) > WINDOW:
            raise Refusal(401, f"{service}00", "Unauthorized. [X-TIMESTAMP]")

    def mandatory(self, headers, names, service):
        for name in names:
            if not headers.get(name):
                raise Refusal(400, f"{service}02", f"Invalid Mandatory Field [{name}]")

    def rsa_valid(self, message, signature):
        try:
            self.bank_key.verify(base64.b64decode(signature), message.encode(),
                                 padding.PKCS1v15(), hashes.SHA256())
            return True
        except (InvalidSignature, ValueError):
            return False

    def body_hash(self, body):
        hashed = minify(body) if self.checking("minify") else body
        return hashlib.sha256(hashed).hexdigest()

    def unused_external_id(self, partner, external_id, body, service, idempotent=False):
        if not self.checking("replay"):
            return
        key = (partner, datetime.date.today().isoformat(), external_id)
        digest = hashlib.sha256(minify(body)).hexdigest()
        with self.lock:
            seen = self.external_ids.get(key)
            if seen is None:
                self.external_ids[key] = digest
                return
        # A notification retried with the same body is acknowledged again.
        if idempotent and seen == digest:
            return
        raise Refusal(409, f"{service}00", "Conflict")

    # ---- endpoints -------------------------------------------------------

    def token(self, headers, body):
        service = "73"
        content_type = headers.get("Content-Type") or ""
        self.mandatory(headers, ["X-TIMESTAMP", "X-CLIENT-KEY", "X-SIGNATURE"], service)
        if not content_type.startswith("application/json"):
            raise Refusal(400, f"{service}02", "Invalid Mandatory Field [Content-Type]")
        at = self.timestamp(headers, service)
        client = headers["X-CLIENT-KEY"]
        if client not in self.clients:
            raise Refusal(401, f"{service}00", "Unauthorized. [Unknown client]")
        if self.checking("token-signature") and not self.rsa_valid(
                f"{client}|{headers['X-TIMESTAMP']}", headers["X-SIGNATURE"]):
            raise Refusal(401, f"{service}00", "Unauthorized. [Signature]")
        self.fresh(at, service)
        try:
            request = json.loads(body)
        except ValueError:
            raise Refusal(400, f"{service}00", "Bad Request")
        grant = request.get("grantType") if isinstance(request, dict) else None
        if self.checking("grant-type"):
            if grant is None or grant == "":
                raise Refusal(400, f"{service}02", "Invalid Mandatory Field [grantType]")
            if grant != "client_credentials":
                raise Refusal(400, f"{service}01", "Invalid Field Format [grantType]")
        token = secrets.token_hex(32)
        with self.lock:
            self.tokens[token] = (client, time.monotonic() + self.token_ttl)
        return {"responseCode": "2007300", "responseMessage": "Successful",
                "accessToken": token, "tokenType": "Bearer",
                "expiresIn": str(self.token_ttl), "additionalInfo": {}}

    def service_call(self, service, target, headers, body):
        authorization = headers.get("Authorization") or ""
        if not authorization:
            raise Refusal(401, f"{service}03", "Token Not Found (B2B)")
        self.mandatory(headers, ["X-TIMESTAMP", "X-SIGNATURE", "X-PARTNER-ID",
                                 "X-EXTERNAL-ID", "CHANNEL-ID"], service)
        at = self.timestamp(headers, service)
        scheme, _, token = authorization.partition(" ")
        with self.lock:
            issued = self.tokens.get(token) if scheme.lower() == "bearer" else None
        if issued is None:
            raise Refusal(401, f"{service}01", "Invalid Token (B2B)")
        client, expires_at = issued
        if self.checking("token-expiry") and time.monotonic() > expires_at:
            raise Refusal(401, f"{service}01", "Invalid Token (B2B)")
        partner = headers["X-PARTNER-ID"]
        if self.checking("client-binding") and client != partner:
            raise Refusal(401, f"{service}01", "Invalid Token (B2B)")
        secret = self.clients.get(partner)
        if secret is None:
            raise Refusal(401, f"{service}00", "Unauthorized. [Unknown partner]")
        signed_url = target if self.checking("query-in-signature") else target.split("?", 1)[0]
        string_to_sign = ":".join(["POST", signed_url, token, self.body_hash(body),
                                   headers["X-TIMESTAMP"]])
        expected = base64.b64encode(hmac.new(secret.encode(), string_to_sign.encode(),
                                             hashlib.sha512).digest()).decode()
        if self.checking("hmac") and not hmac.compare_digest(expected, headers["X-SIGNATURE"]):
            raise Refusal(401, f"{service}00", "Unauthorized. [Signature]")
        self.fresh(at, service)
        self.unused_external_id(partner, headers["X-EXTERNAL-ID"], body, service)
        try:
            request = json.loads(body)
        except ValueError:
            raise Refusal(400, f"{service}00", "Bad Request")
        return self.bill_action(service, request)

    def bill_action(self, service, request):
        with self.lock:
            if request.get("virtualAccountNo") != self.bill["va"]:
                raise Refusal(404, f"{service}12", "Invalid Bill/Virtual Account [Not Found]")
            if self.bill["paid"] and self.checking("paid"):
                raise Refusal(404, f"{service}14", "Paid Bill")
            amount = {"value": self.bill["amount"], "currency": "IDR"}
            data = {key: request.get(key) for key in
                    ("partnerServiceId", "customerNo", "virtualAccountNo")}
            data["virtualAccountName"] = "Reference Customer"
            if service == "24":
                data.update(inquiryRequestId=request.get("inquiryRequestId"), totalAmount=amount)
                return {"responseCode": "2002400", "responseMessage": "Successful",
                        "virtualAccountData": data}
            paid = request.get("paidAmount") or {}
            if self.checking("amount") and paid.get("value") != self.bill["amount"]:
                raise Refusal(404, f"{service}13", "Invalid Amount")
            self.bill["paid"] = True
            data.update(paymentRequestId=request.get("paymentRequestId"), paidAmount=paid)
            return {"responseCode": "2002500", "responseMessage": "Successful",
                    "virtualAccountData": data}

    def notification(self, target, headers, body):
        service = "25"
        self.mandatory(headers, ["X-TIMESTAMP", "X-SIGNATURE", "X-PARTNER-ID",
                                 "X-EXTERNAL-ID"], service)
        at = self.timestamp(headers, service)
        string_to_sign = f"POST:{target}:{self.body_hash(body)}:{headers['X-TIMESTAMP']}"
        if self.checking("notify-signature") and not self.rsa_valid(
                string_to_sign, headers["X-SIGNATURE"]):
            raise Refusal(401, f"{service}00", "Unauthorized. [Signature]")
        self.fresh(at, service)
        self.unused_external_id(headers["X-PARTNER-ID"], headers["X-EXTERNAL-ID"], body,
                                service, idempotent=True)
        with self.lock:
            self.notifications.append(json.loads(body))
        return {"responseCode": "2002500", "responseMessage": "Successful"}


def handler_for(merchant):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, body):
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            path = self.path.split("?", 1)[0]
            prefix = merchant.prefix
            routes = {
                f"{prefix}/v1.0/access-token/b2b": lambda: merchant.token(self.headers, body),
                f"{prefix}/v1.0/transfer-va/inquiry":
                    lambda: merchant.service_call("24", self.path, self.headers, body),
                f"{prefix}/v1.0/transfer-va/payment":
                    lambda: merchant.service_call("25", self.path, self.headers, body),
                merchant.notify_path: lambda: merchant.notification(self.path, self.headers, body),
            }
            route = routes.get(path)
            if route is None:
                return self.answer(404, {"responseCode": "4040000", "responseMessage": "Not Found"})
            try:
                return self.answer(200, route())
            except Refusal as refusal:
                return self.answer(refusal.status, {
                    "responseCode": f"{refusal.status}{refusal.case}",
                    "responseMessage": refusal.message})

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bank-public-key", required=True)
    parser.add_argument("--client", action="append", required=True, help="KEY:SECRET")
    parser.add_argument("--va", required=True)
    parser.add_argument("--amount", required=True)
    parser.add_argument("--token-ttl", type=int, default=900)
    parser.add_argument("--prefix", default="")
    parser.add_argument("--notify-path", default="/hooks/v1.0/transfer-va/payment")
    parser.add_argument("--without", action="append", default=[], choices=CHECKS)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(Merchant(args)))
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
