"""snap-mock in a Python test suite: testcontainers + pytest.

    pip install -r requirements.txt
    SNAP_MOCK_IMAGE=snap-mock:latest pytest test_snap_mock.py

The container shares the host's network (Linux; on Docker Desktop publish
the port instead) and listens on a free port chosen here.
"""
import base64
import os
import socket
from datetime import datetime, timedelta, timezone

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from testcontainers.core.container import DockerContainer
from testcontainers.core.wait_strategies import LogMessageWaitStrategy

IMAGE = os.environ.get("SNAP_MOCK_IMAGE", "snap-mock:latest")
TOKEN_PATH = "/pg/snap/oauth/v1.0/access-token/b2b"
# The bundled demo client's key (TEST KEY ONLY; keys/demo-client.private.pem).
DEMO_KEY = os.path.join(os.path.dirname(__file__), "..", "..", "keys", "demo-client.private.pem")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def snap_mock():
    port = free_port()
    container = (
        DockerContainer(IMAGE)
        .with_env("SNAP_MOCK_PORT", str(port))
        .with_kwargs(network_mode="host")
        .waiting_for(LogMessageWaitStrategy("snap-mock listening on"))
    )
    with container:
        yield f"http://127.0.0.1:{port}"


def signed_headers(client_key="demo-client"):
    """X-TIMESTAMP, X-CLIENT-KEY and X-SIGNATURE = SHA256withRSA(client_key|timestamp)."""
    timestamp = datetime.now(timezone(timedelta(hours=7))).isoformat(timespec="seconds")
    with open(DEMO_KEY, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    signature = key.sign(f"{client_key}|{timestamp}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return {
        "Content-Type": "application/json",
        "X-TIMESTAMP": timestamp,
        "X-CLIENT-KEY": client_key,
        "X-SIGNATURE": base64.b64encode(signature).decode(),
    }


def test_a_signed_request_gets_a_token(snap_mock):
    answer = requests.post(snap_mock + TOKEN_PATH, headers=signed_headers(),
                           json={"grantType": "client_credentials", "additionalInfo": {}}, timeout=10)
    assert answer.status_code == 200
    body = answer.json()
    assert body["responseCode"] == "2007300"
    assert body["tokenType"] == "Bearer" and body["accessToken"].count(".") == 2


def test_a_scenario_makes_the_provider_fail_on_demand(snap_mock):
    headers = {**signed_headers(), "X-Mock-Scenario": "internal-server-error"}
    answer = requests.post(snap_mock + TOKEN_PATH, headers=headers,
                           json={"grantType": "client_credentials"}, timeout=10)
    assert answer.status_code == 500
    assert answer.json()["responseCode"] == "5007301"
