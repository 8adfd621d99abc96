"""The merchant's side for the SDK tests that receive snap-mock's
notifications (dana_webhook.py, paylabs_sdk.py): an endpoint on 127.0.0.1
that keeps every POST and acknowledges it, and a small HTTP client for the
server's admin API and SNAP paths. Standard library only: each SDK's venv
imports it from this directory.
"""
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Endpoint:
    """Started on a free port; `got` holds (path, headers, body) per POST,
    each answered 200 with `{"responseCode": ack, ...}`."""

    def __init__(self, ack):
        got = self.got = []
        raw = json.dumps({"responseCode": ack, "responseMessage": "Successful"}).encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                got.append((self.path, dict(self.headers.items()), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def first(self, seconds=10):
        """The first POST received, waiting up to `seconds` for it."""
        deadline = time.monotonic() + seconds
        while not self.got and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.got, "no notification arrived"
        return self.got[0]

    def stop(self):
        self.server.shutdown()


def http(method, url, body="", headers=None):
    """(status, text) of one request with a JSON body; an HTTP error status
    is an answer, not an exception."""
    request = urllib.request.Request(url, data=body.encode(), method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
