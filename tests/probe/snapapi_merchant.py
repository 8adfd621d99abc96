"""A merchant built with `snapapi` (PyPI, a FastAPI toolkit for the
merchant side of SNAP VA inquiry and payment), set up as its README and
its demo application (app/demo in its repository) show: SNAPAPI, routes
with SNAPRoute, SNAPCrypto holding the bank's public key, SNAPCache
(memory) for X-EXTERNAL-ID, its models and exceptions. Only the billing
is ours, as the package leaves it to the merchant's backend: one closed
bill that is paid once.

    python3 snapapi_merchant.py --port 0 --bank-public-key bank.pem \
        --client-id bank-1 --client-secret secret-1 --va '   12345000000001' --amount 10000.00
"""

import argparse
import asyncio
import socket

import uvicorn
from asyncer import asyncify
from fastapi import APIRouter, Body, Depends, Header, Request
from typing_extensions import Annotated

from snapapi import SNAPAPI, SNAPLog, SNAPRoute, tools
from snapapi.cache import SNAPCache
from snapapi.codes import (SERVICE_CODE_OAUTH2, SERVICE_CODE_VIRTUAL_ACCOUNT_INQUIRY,
                           SERVICE_CODE_VIRTUAL_ACCOUNT_PAYMENT)
from snapapi.exceptions import BillPaid, InvalidAmount, TransactionConflict, VirtualAccountNotFound
from snapapi.model.oauth2 import Oauth2HeaderRequest, Oauth2Request, Oauth2Response
from snapapi.model.virtual_account.inquiry import (InquiryHeader, InquiryRequest,
                                                   InquiryResponseBill, InquiryResponseData)
from snapapi.model.virtual_account.payment import (PaymentAmount, PaymentHeader, PaymentRequest,
                                                   PaymentResponseBill, PaymentResponseData)
from snapapi.security.crypto import SNAPCrypto
from snapapi.security.oauth2 import Oauth2ClientCredentials

NAMESPACE = "demo"


async def logger(log):
    return None


def route_class(service_code):
    class Route(SNAPRoute):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.namespace = NAMESPACE
            self.service_code = service_code
            self.logger = SNAPLog(namespace=NAMESPACE, service_code=service_code, backend=logger)
    return Route


def build_app(args):
    with open(args.bank_public_key, "rb") as f:
        public_cert = f.read()
    crypto = SNAPCrypto(client_id=args.client_id, client_secret=args.client_secret,
                        public_cert=public_cert, token_passphrase="probe-token-passphrase")
    cache = SNAPCache(NAMESPACE, backend="memory", timeout=9)
    bill = {"va": args.va.strip(), "amount": args.amount, "paid": False}

    app = SNAPAPI(title="snapapi merchant for snap-mock probe", version="0.1.9", docs_url=None)

    auth = APIRouter(route_class=route_class(SERVICE_CODE_OAUTH2))

    @auth.post("/snap/v1.0/access-token/b2b", response_model=Oauth2Response)
    async def access_token_b2b(headers: Annotated[Oauth2HeaderRequest, Header()],
                               body: Oauth2Request, request: Request) -> Oauth2Response:
        access_token = await asyncify(crypto.create_access_token)(
            request_headers=dict(headers), expires_in=args.token_ttl)
        return Oauth2Response(accessToken=access_token, expiresIn=str(args.token_ttl))

    oauth2_scheme = Oauth2ClientCredentials(tokenUrl="/snap/v1.0/access-token/b2b")

    async def verify_token(access_token: Annotated[str, Depends(oauth2_scheme)]) -> str:
        await asyncify(crypto.verify_access_token)(access_token)
        return access_token

    async def unused(external_id):
        try:
            await cache.add(key=external_id, ttl=await tools.count_second_left())
        except ValueError:
            raise TransactionConflict()

    def find(account):
        if account != bill["va"]:
            raise VirtualAccountNotFound()
        if bill["paid"]:
            raise BillPaid()
        return {"value": bill["amount"], "currency": "IDR"}

    inquiry_router = APIRouter(route_class=route_class(SERVICE_CODE_VIRTUAL_ACCOUNT_INQUIRY))

    @inquiry_router.post("/snap/v1.0/transfer-va/inquiry", response_model=InquiryResponseData,
                         response_model_exclude_none=True)
    async def inquiry(access_token: Annotated[str, Depends(verify_token)],
                      headers: Annotated[InquiryHeader, Header()],
                      body: Annotated[InquiryRequest, Body()],
                      request: Request) -> InquiryResponseData:
        request_headers = headers.model_dump()
        await asyncify(crypto.verify_signature_transactional)(
            path="/snap/v1.0/transfer-va/inquiry", http_method="POST",
            access_token=access_token, request_headers=request_headers,
            request_body=await request.json())
        await unused(request_headers["x_external_id"])
        total = find(body.virtualAccountNo.strip())
        return InquiryResponseData(virtualAccountData=InquiryResponseBill(
            partnerServiceId=body.partnerServiceId, customerNo=body.customerNo,
            virtualAccountNo=body.virtualAccountNo, virtualAccountName="Probe Customer",
            inquiryRequestId=body.inquiryRequestId, totalAmount=total))

    payment_router = APIRouter(route_class=route_class(SERVICE_CODE_VIRTUAL_ACCOUNT_PAYMENT))

    @payment_router.post("/snap/v1.0/transfer-va/payment", response_model=PaymentResponseData,
                         response_model_exclude_none=True)
    async def payment(access_token: Annotated[str, Depends(verify_token)],
                      headers: Annotated[PaymentHeader, Header()],
                      body: Annotated[PaymentRequest, Body()],
                      request: Request) -> PaymentResponseData:
        request_headers = headers.model_dump()
        await asyncify(crypto.verify_signature_transactional)(
            path="/snap/v1.0/transfer-va/payment", http_method="POST",
            access_token=access_token, request_headers=request_headers,
            request_body=await request.json())
        await unused(request_headers["x_external_id"])
        total = find(body.virtualAccountNo.strip())
        if float(body.paidAmount.value) != float(total["value"]):
            raise InvalidAmount()
        bill["paid"] = True
        return PaymentResponseData(virtualAccountData=PaymentResponseBill(
            partnerServiceId=body.partnerServiceId, customerNo=body.customerNo,
            virtualAccountNo=body.virtualAccountNo, virtualAccountName="Probe Customer",
            paymentRequestId=body.paymentRequestId,
            paidAmount=PaymentAmount(value=body.paidAmount.value,
                                     currency=body.paidAmount.currency)))

    app.include_router(auth)
    app.include_router(inquiry_router)
    app.include_router(payment_router)
    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bank-public-key", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--va", required=True)
    parser.add_argument("--amount", required=True)
    parser.add_argument("--token-ttl", type=int, default=899)
    args = parser.parse_args()
    sock = socket.socket()
    sock.bind(("127.0.0.1", args.port))
    # Listening before the app is up: connections wait in the backlog.
    sock.listen(128)
    print(f"listening on {sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(build_app(args), log_level="warning")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))


if __name__ == "__main__":
    main()
