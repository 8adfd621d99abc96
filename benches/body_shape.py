#!/usr/bin/env python3
"""The cost of an asymmetric service call by body shape (127.0.0.1 only,
bounded): 30 calls each to `--provider dana`'s query payment with a 1 KB
array, a 60 KB array of zeros (30,000 values) and a 60 KB string, validly
signed and with a bad signature; p50 of each, for one or more builds.

    python3 benches/body_shape.py target/release/snap-mock [OTHER_BUILD...]

Signs with openssl (outside the timing). The "60 KB string" body is sent
with a space after `:` and hashed as sent, so it is refused too: a second
bad-signature shape.
"""
import base64, hashlib, json, os, socket, subprocess, sys, time, uuid, datetime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY = os.path.join(ROOT, "keys", "demo-client.private.pem")


def sign(text):
    out = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=text.encode(), capture_output=True, check=True)
    return base64.b64encode(out.stdout).decode()


def measure(binary):
    s=socket.socket(); s.bind(("127.0.0.1",0)); port=s.getsockname()[1]; s.close()
    srv = subprocess.Popen([binary,"--provider","dana","--port",str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ,"RUST_LOG":"error"})
    time.sleep(0.5)
    path="/payment-gateway/v1.0/debit/status.htm"
    def call(body, good=True):
        ts = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).isoformat(timespec="seconds")
        h = hashlib.sha256(body.encode()).hexdigest() if good else "0"*64
        sig = sign(f"POST:{path}:{h}:{ts}")
        req = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-TIMESTAMP: {ts}\r\nX-SIGNATURE: {sig}\r\nX-PARTNER-ID: demo-client\r\nX-EXTERNAL-ID: {uuid.uuid4().hex}\r\nCHANNEL-ID: 1\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}").encode()
        c=socket.create_connection(("127.0.0.1",port)); t0=time.perf_counter(); c.sendall(req); d=b""
        while True:
            x=c.recv(65536)
            if not x: break
            d+=x
        t=time.perf_counter()-t0; c.close(); return t, d.split(b"\r\n",1)[0]
    for name, body in [("1 KB", "["+",".join(["0"]*500)+"]"), ("60 KB zeros array", "["+",".join(["0"]*30000)+"]"), ("60 KB string", json.dumps({"a":"x"*60000}))]:
        for good in (True, False):
            ts=[call(body, good) for _ in range(30)]
            lat=sorted(t for t,_ in ts)[15]*1000
            print(f"{name:20} {'valid' if good else 'bad sig':8} p50 {lat:.2f} ms  {ts[0][1]}")
    srv.terminate()


if __name__ == "__main__":
    for binary in sys.argv[1:]:
        print("##", binary)
        measure(binary)
