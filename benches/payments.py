#!/usr/bin/env python3
"""Payments: notification throughput against a local receiver, and the
memory of stored transactions (127.0.0.1 only, bounded in count).

    python3 benches/payments.py [--binary target/release/snap-mock] [--notifications 2000] [--transactions 100000]

1. Throughput. N virtual accounts are created over SNAP, then paid through
   the admin API as fast as one client can; the receiver (a threaded Python
   HTTP server) counts the signed notifications. Baseline, same run: the
   rate at which one client gets plain POSTs through to that same receiver,
   which bounds what any sender could reach. Reported: notifications/s and
   the ratio to the baseline.
2. Memory. T transactions are created with --max-transactions T (so none
   is evicted); the server's RSS (/proc) before and after gives bytes per
   transaction. Then T/10 more are created: RSS must stay about flat (the
   bound evicts the oldest).
"""
import argparse, base64, datetime, hashlib, hmac, json, os, socket, subprocess, threading, time, urllib.request, uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = os.path.join(ROOT, "keys", "demo-client.private.pem")
CLIENT, SECRET = "demo-client", "demo-client-secret"


class Receiver(BaseHTTPRequestHandler):
    count = 0
    lock = threading.Lock()
    last = 0.0

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with Receiver.lock:
            Receiver.count += 1
            Receiver.last = time.perf_counter()
        raw = b'{"responseCode":"2002500","responseMessage":"Successful"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def post(url, body="", headers=None):
    request = urllib.request.Request(url, data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wib_now():
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).isoformat(timespec="seconds")


def token(base):
    ts = wib_now()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=f"{CLIENT}|{ts}".encode(),
                         capture_output=True, check=True).stdout
    status, answer = post(f"{base}/pg/snap/oauth/v1.0/access-token/b2b", '{"grantType":"client_credentials"}',
                          {"X-TIMESTAMP": ts, "X-CLIENT-KEY": CLIENT, "X-SIGNATURE": base64.b64encode(sig).decode()})
    assert status == 200, answer
    return json.loads(answer)["accessToken"]


def create(base, tok, i):
    path = "/v1.0/transfer-va/create-va"
    customer = f"{i:012d}"
    body = json.dumps({"partnerServiceId": "   12345", "customerNo": customer,
                       "virtualAccountNo": "   12345" + customer, "virtualAccountName": "Bench",
                       "trxId": f"B-{i}", "totalAmount": {"value": "10000.00", "currency": "IDR"}},
                      separators=(",", ":"))
    ts = wib_now()
    digest = hashlib.sha256(body.encode()).hexdigest()
    sig = base64.b64encode(hmac.new(SECRET.encode(), f"POST:{path}:{tok}:{digest}:{ts}".encode(),
                                    hashlib.sha512).digest()).decode()
    status, answer = post(base + path, body, {"Authorization": f"Bearer {tok}", "X-TIMESTAMP": ts,
                                             "X-SIGNATURE": sig, "X-PARTNER-ID": CLIENT,
                                             "X-EXTERNAL-ID": uuid.uuid4().hex, "CHANNEL-ID": "95221"})
    assert status == 200, answer


def start(binary, *flags):
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--journal-size", "0", *flags], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "error"})
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/health", timeout=1)
            break
        except Exception:
            time.sleep(0.05)
    return server, base


def rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def create_many(base, first, count, workers=4):
    tok = token(base)
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda i: create(base, tok, i), range(first, first + count)))
    return time.perf_counter() - started


def throughput(binary, n):
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    hooks = f"http://127.0.0.1:{receiver.server_address[1]}/hooks"
    # Baseline: plain POSTs from one client to the same receiver.
    started = time.perf_counter()
    for _ in range(n):
        post(hooks, "{}")
    baseline = n / (time.perf_counter() - started)
    Receiver.count = 0

    server, base = start(binary, "--notification-retries", "")
    try:
        pem = open(os.path.join(ROOT, "keys/demo-client.public.pem")).read()
        post(f"{base}/__admin/clients", json.dumps({"clientKey": CLIENT, "publicKey": pem,
                                                   "clientSecret": SECRET, "notificationUrl": hooks}))
        create_many(base, 0, n)
        started = time.perf_counter()
        for i in range(n):
            status, answer = post(f"{base}/__admin/transactions/B-{i}/pay")
            assert status == 200, answer
        deadline = time.perf_counter() + 120
        while Receiver.count < n and time.perf_counter() < deadline:
            time.sleep(0.01)
        assert Receiver.count == n, f"{Receiver.count} of {n} notifications arrived"
        rate = n / (Receiver.last - started)
        print(f"notifications: {n} delivered in {Receiver.last - started:.2f} s: {rate:.0f}/s; "
              f"baseline (one client's plain POSTs to the receiver) {baseline:.0f}/s; ratio {rate / baseline:.2f}")
    finally:
        server.terminate(); server.wait()
        receiver.shutdown()


def memory(binary, t):
    server, base = start(binary, "--max-transactions", str(t))
    try:
        before = rss(server.pid)
        took = create_many(base, 0, t)
        after = rss(server.pid)
        create_many(base, t, t // 10)
        bounded = rss(server.pid)
        print(f"memory: RSS {before / 2**20:.1f} MiB at start; {after / 2**20:.1f} MiB with {t} transactions "
              f"({(after - before) / t:.0f} bytes each; created in {took:.0f} s); "
              f"{bounded / 2**20:.1f} MiB after {t // 10} more past the bound (ratio {bounded / after:.3f})")
    finally:
        server.terminate(); server.wait()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default=os.path.join(ROOT, "target/release/snap-mock"))
    p.add_argument("--notifications", type=int, default=2000)
    p.add_argument("--transactions", type=int, default=100000)
    a = p.parse_args()
    throughput(a.binary, a.notifications)
    memory(a.binary, a.transactions)
