#!/usr/bin/env python3
"""Adversarial benchmark: bounded in time and count, 127.0.0.1 only.

    python3 benches/adversarial.py [--skip-build] [--baseline OTHER_BINARY] [--part PART]

1. X-EXTERNAL-ID store: throughput of transactional calls with new ids
   (wrk, 5 s), then 200,000 distinct 16-character ids, then throughput
   again (5 s); RSS before and after.
2. Bad-signature latency: a token request signed with a key no client has,
   wrk -c1 for 5 s, with 1 registered client and with 5,000 (their public
   keys drawn from 32 distinct ones, so the diagnosis tries other clients'
   keys and finds none that fits: its worst case).

3. Journal reads: 1,000 requests with 52 KB bodies journaled whole
   (--journal-body-limit 65536), then 16 concurrent reads of
   GET /__admin/requests?limit=1000: the largest answer, peak RSS (VmHWM)
   and RSS after.

4. TLS under idle connections: 1,500 TCP connections that never send a
   byte, each re-opened as soon as the server closes it, while a client
   makes valid token requests one after another for 10 s, each on a new
   connection (the TLS handshake included); p50 and answers, over HTTPS
   (--tls) and over plain HTTP under the same attack, and the HTTPS p50
   with no attack. Two clients: this script's (Python, OpenSSL 3.0, whose
   own client handshake costs about 1.3 ms of CPU) and benches/tls_cycle.rs
   (rustls, `cargo bench --bench tls_cycle`), whose ratio is the server's.
   `--part tls-cap`: the same with the handshake cap reached
   (--max-tls-handshakes 256 --workers 2, rustls client only), where
   silent connections are shed to make room.

5. Fixture files that hang or eat memory (round three, items 1 and 6): the
   clients fixture replaced by a FIFO, then two reloads through the admin
   API: how each reload ends, whether /health still answers, how long
   SIGTERM takes; then a 1 GiB file in its place and a reload: peak RSS.

6. The admin API driven from elsewhere (item 4): a scenario posted as
   text/plain, one with a foreign Origin, and a journal read with
   Host: evil.example; the status each gets.

7. Refresh tokens past the bound (item 5): 14,000 rotations while an older
   refresh token sits unused, --max-refresh-tokens 1000; RSS before and
   after, without the journal (whose entries would hide the queue).

8. Journal target and the diagnosis budget (items 7 and 3): RSS before and
   after 1,000 unauthenticated 404 requests with 64 KB queries; p50 of a
   token request with a 512-byte X-SIGNATURE for a 2048-bit client while 8
   other clients have 4096-bit keys, against a wrong 256-byte one (wrk -c1,
   5 s each).

With --baseline, the same is measured for another build (for example the
commit before the fixes) in the same run. Needs cargo, wrk, openssl.
"""
import argparse, base64, hashlib, hmac, json, os, re, selectors, socket, ssl, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402  (same directory: server start, wrk, /proc readings)

ROOT = load.ROOT
QRIS = "/v1.0/qr/qr-mpm-generate"
SECRET = "demo-client-secret"


def post(port, path, headers, body):
    head = "".join("%s: %s\r\n" % kv for kv in headers.items())
    req = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n%s"
           % (path, head, len(body), body)).encode()
    data = load.exchange(port, req)
    return json.loads(data.split(b"\r\n\r\n", 1)[1] or b"{}")


def wrk_script(port, path, script, seconds, env, conns=8):
    out = subprocess.run(["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--latency", "-s", script,
                          "http://127.0.0.1:%d%s" % (port, path)],
                         check=True, capture_output=True, text=True, env={**os.environ, **env}).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    m = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)", out, re.M)
    p50 = float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
    if p50 == 0 and re.search(r"timeout \d+", out):
        p50 = float("inf")  # every request hit wrk's 2 s timeout: no latency was recorded
    return {"requests": total, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "p50": p50}


def qris_only_endpoints():
    """An endpoints fixture every build can read (older builds refuse the
    provider fields of today's bundled one): the QRIS endpoint alone."""
    bundled = json.load(open(os.path.join(ROOT, "fixtures", "endpoints.json")))
    qris = [e for e in bundled["endpoints"] if e["path"] == QRIS]
    f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump({"endpoints": [{k: v for k, v in e.items() if k not in ("provider", "signature")} for e in qris]}, f)
    f.close()
    return f.name


def external_ids(binary, fill=200_000):
    s = load.signed()
    endpoints = qris_only_endpoints()
    server, port = load.start_server(s, binary, ["--endpoints", endpoints])
    os.unlink(endpoints)
    try:
        token = post(port, load.PATH, {"Content-Type": "application/json", "X-TIMESTAMP": s["X-TIMESTAMP"],
                                       "X-CLIENT-KEY": s["X-CLIENT-KEY"], "X-SIGNATURE": s["X-SIGNATURE"]},
                     load.BODY)["accessToken"]
        ts = s["X-TIMESTAMP"]
        sts = "POST:%s:%s:%s:%s" % (QRIS, token, hashlib.sha256(b"{}").hexdigest(), ts)
        sig = base64.b64encode(hmac.new(SECRET.encode(), sts.encode(), hashlib.sha512).digest()).decode()
        env = {"SNAP_TOKEN": token, "SNAP_TS": ts, "SNAP_SIG": sig}
        script = os.path.join(ROOT, "benches", "external_ids.lua")
        rss0 = load.rss_kib(server.pid, "VmRSS")
        before = wrk_script(port, QRIS, script, 5, {**env, "SNAP_ID_PREFIX": "b"})
        filled, rounds = before["requests"], 0
        while filled < fill and rounds < 30:  # bounded: at most 30 × 5 s
            r = wrk_script(port, QRIS, script, 5, {**env, "SNAP_ID_PREFIX": "f%d" % rounds})
            filled += r["requests"] - r["non2xx"]
            rounds += 1
        after = wrk_script(port, QRIS, script, 5, {**env, "SNAP_ID_PREFIX": "z"})
        rss1 = load.rss_kib(server.pid, "VmRSS")
        return {"before": before, "after": after, "ids": filled + after["requests"], "rss0": rss0, "rss1": rss1}
    finally:
        server.terminate()
        server.wait()


_POOL = []


def public_keys(n, bits):
    """n distinct RSA public keys (SPKI PEM) of `bits` bits."""
    keys = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(n):
            path = os.path.join(d, "k%d.pem" % i)
            subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:%d" % bits,
                            "-out", path], check=True, capture_output=True)
            keys.append(subprocess.run(["openssl", "pkey", "-in", path, "-pubout"], check=True,
                                       capture_output=True, text=True).stdout)
    return keys


def key_pool(n=32):
    """n distinct RSA-2048 public keys (generated once per run)."""
    if not _POOL:
        _POOL.extend(public_keys(n, 2048))
    return _POOL


def bad_signature(binary, clients):
    """p50 latency of a wrongly signed token request with `clients` registered."""
    pem = open(os.path.join(ROOT, "keys", "demo-client.public.pem")).read()
    pool = key_pool()
    entries = [{"clientKey": "demo-client", "publicKey": pem}]
    entries += [{"clientKey": "client-%05d" % i, "publicKey": pool[i % len(pool)]} for i in range(clients - 1)]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"clients": entries}, f)
    port = load.free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--clients", f.name, "--scenarios", ""],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "RUST_LOG": "warn"})
    try:
        for _ in range(3000):  # up to 60 s: 5,000 keys are parsed at start-up
            try:
                load.exchange(port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("the server with %d clients exited at start-up" % clients)
                time.sleep(0.02)
        other = json.loads(load.sh([load.BIN, "sign", "--private-key", "keys/other-client.private.pem",
                                    "--client-key", "demo-client", "--format", "json"]))
        env = {"SNAP_TS": other["X-TIMESTAMP"], "SNAP_CLIENT_KEY": "demo-client", "SNAP_SIG": other["X-SIGNATURE"]}
        r = wrk_script(port, load.PATH, os.path.join(ROOT, "benches", "token.lua"), 5, env, conns=1)
        if r["requests"] == 0 or r["non2xx"] != r["requests"]:
            raise SystemExit("expected every bad-signature request to be refused: %r" % r)
        return r["p50"]
    finally:
        server.terminate()
        server.wait()
        os.unlink(f.name)


def journal_reads(binary, entries=1000, body_bytes=52_000, readers=16):
    """Largest journal answer and peak/after RSS under concurrent reads."""
    import threading
    server, port = started(binary, "--journal-body-limit", "65536", "--max-body-bytes", "65536",
                           "--scenarios", "", "--endpoints", "")
    try:
        body = json.dumps({"grantType": "client_credentials", "pad": "x" * body_bytes})
        for _ in range(entries):
            post(port, load.PATH, {"Content-Type": "application/json"}, body)
        sizes = []
        def read():
            data = load.exchange(port, b"GET /__admin/requests?limit=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            sizes.append(len(data))
        threads = [threading.Thread(target=read) for _ in range(readers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(0.5)
        return {"largest": max(sizes), "hwm": load.rss_kib(server.pid, "VmHWM"),
                "after": load.rss_kib(server.pid, "VmRSS")}
    finally:
        server.terminate()
        server.wait()


def idle_attack(port, idle, stop):
    """Keeps `idle` connections open that never send; one the server closes
    is opened again at once."""
    sel = selectors.DefaultSelector()

    def open_one():
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect_ex(("127.0.0.1", port))
            sel.register(c, selectors.EVENT_READ)
        except OSError:
            c.close()

    for _ in range(idle):
        open_one()
    while not stop.is_set():
        for key, _ in sel.select(timeout=0.1):
            c = key.fileobj
            try:
                data = c.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(c)
                c.close()
                open_one()
    for key in list(sel.get_map().values()):
        key.fileobj.close()


def timed_requests(port, request, ca, seconds):
    """Valid token requests one after another, each on a new connection;
    (p50 in ms, answered, failed)."""
    ctx = ssl.create_default_context(cafile=ca) if ca else None
    times, failed = [], 0
    end = time.time() + seconds
    while time.time() < end:
        t0 = time.perf_counter()
        try:
            c = socket.create_connection(("127.0.0.1", port), timeout=10)
            if ctx:
                c = ctx.wrap_socket(c, server_hostname="127.0.0.1")
            c.sendall(request)
            data = load.read_to_close(c)
            if b" 200 " not in data.split(b"\r\n", 1)[0]:
                failed += 1
                continue
            times.append((time.perf_counter() - t0) * 1000)
        except OSError:
            failed += 1
    times.sort()
    return (times[len(times) // 2] if times else float("inf")), len(times), failed


def rustls_cycle(port, tls, ca, seconds):
    """benches/tls_cycle.rs against the server: (p50 in ms, answered, failed)."""
    s = load.signed()
    env = {**os.environ, "SNAP_TS": s["X-TIMESTAMP"], "SNAP_CLIENT_KEY": s["X-CLIENT-KEY"],
           "SNAP_SIG": s["X-SIGNATURE"], "TLS_CYCLE_SECONDS": str(seconds),
           "TLS_CYCLE_URL": "%s://127.0.0.1:%d%s" % ("https" if tls else "http", port, load.PATH)}
    if ca:
        env["TLS_CYCLE_CA"] = ca
    out = subprocess.run(["cargo", "bench", "-q", "--bench", "tls_cycle"], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[-3]), int(out[-2]), int(out[-1])


def build_tls_cycle():
    """Compiles benches/tls_cycle.rs before any timing starts."""
    subprocess.run(["cargo", "bench", "-q", "--bench", "tls_cycle", "--no-run"], cwd=ROOT, check=True,
                   capture_output=True)


def tls_idle(binary, tls, idle, seconds=10, client="python", flags=()):
    s = load.signed()
    port = load.free_port()
    ca = tempfile.NamedTemporaryFile(suffix=".pem", delete=False).name if tls else None
    # No scenarios or endpoints: token requests need neither, and an older
    # build may refuse today's fixtures.
    extra = ["--scenarios", "", "--endpoints", "", *flags] + (["--tls", "--tls-cert-out", ca] if tls else [])
    server = subprocess.Popen([binary, "--port", str(port), *extra], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    try:
        request = load.raw_request(s)
        for _ in range(300):
            try:
                if timed_requests(port, request, ca, 0.001)[1]:
                    break
            except (OSError, ssl.SSLError):
                pass
            time.sleep(0.02)
        stop = threading.Event()
        attacker = threading.Thread(target=idle_attack, args=(port, idle, stop)) if idle else None
        if attacker:
            attacker.start()
            time.sleep(1)
        if client == "rustls":
            result = rustls_cycle(port, tls, ca, seconds)
        else:
            result = timed_requests(port, request, ca, seconds)
        stop.set()
        if attacker:
            attacker.join()
        return result
    finally:
        server.terminate()
        server.wait()


def started(binary, *args, cwd=ROOT):
    port = load.free_port()
    server = subprocess.Popen([binary, "--port", str(port), *args], cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    for _ in range(500):
        try:
            load.exchange(port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return server, port
        except OSError:
            time.sleep(0.02)
    server.kill()
    raise SystemExit("the server did not start")


def timed_exchange(port, request, timeout):
    """(seconds, status line) of one exchange, or (timeout, None)."""
    t0 = time.perf_counter()
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        c.settimeout(timeout)
        c.sendall(request)
        data = c.recv(4096)
        c.close()
        return time.perf_counter() - t0, data.split(b"\r\n", 1)[0].decode(errors="replace")
    except OSError:
        return time.perf_counter() - t0, None


RELOAD = (b"POST /__admin/clients/reload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          b"Content-Length: 0\r\nConnection: close\r\n\r\n")
HEALTH = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def fixture_files(binary):
    d = tempfile.mkdtemp()
    clients = os.path.join(d, "clients.json")
    key = os.path.join(ROOT, "keys", "demo-client.public.pem")
    json.dump({"clients": [{"clientKey": "demo-client", "publicKey": key}]}, open(clients, "w"))
    server, port = started(binary, "--clients", clients, "--scenarios", "", "--endpoints", "")
    out = {}
    try:
        os.unlink(clients)
        os.mkfifo(clients)
        first = timed_exchange(port, RELOAD, 3)
        timed_exchange(port, RELOAD, 3)
        out["fifo reload"] = "%s in %.0f ms" % (first[1] or "no answer", first[0] * 1000)
        health = timed_exchange(port, HEALTH, 2)
        out["/health after"] = "%s in %.0f ms" % (health[1] or "no answer", health[0] * 1000)
        t0 = time.perf_counter()
        server.terminate()
        try:
            server.wait(timeout=8)
            out["SIGTERM"] = "exit in %.1f s" % (time.perf_counter() - t0)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            out["SIGTERM"] = "no exit in 8 s (killed)"
        # A fresh server: a 1 GiB (sparse) file in place of the fixture.
        os.unlink(clients)
        json.dump({"clients": [{"clientKey": "demo-client", "publicKey": key}]}, open(clients, "w"))
        server, port = started(binary, "--clients", clients, "--scenarios", "", "--endpoints", "")
        os.unlink(clients)
        with open(clients, "wb") as f:
            f.truncate(1 << 30)
        reload = timed_exchange(port, RELOAD, 30)
        out["1 GiB reload"] = "%s in %.0f ms" % (reload[1] or "no answer", reload[0] * 1000)
        out["peak RSS"] = "%.0f MiB" % (load.rss_kib(server.pid, "VmHWM") / 1024)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)
    return out


def admin_from_elsewhere(binary):
    server, port = started(binary, "--scenarios", "", "--endpoints", "")
    scenario = '{"name":"injected","match":{},"respond":{"responseCode":"5007300"}}'
    def status(method, path, headers, body=""):
        head = "".join("%s: %s\r\n" % kv for kv in headers.items())
        req = ("%s %s HTTP/1.1\r\n%sContent-Length: %d\r\nConnection: close\r\n\r\n%s"
               % (method, path, head, len(body), body)).encode()
        return load.exchange(port, req).split(b"\r\n", 1)[0].split(b" ")[1].decode()
    try:
        return {
            "text/plain scenario": status("POST", "/__admin/scenarios",
                                          {"Host": "127.0.0.1", "Content-Type": "text/plain"}, scenario),
            "foreign Origin": status("POST", "/__admin/scenarios",
                                     {"Host": "127.0.0.1", "Content-Type": "application/json",
                                      "Origin": "http://127.0.0.1:9"}, scenario),
            "Host: evil.example": status("GET", "/__admin/requests", {"Host": "evil.example"}),
        }
    finally:
        server.terminate()
        server.wait()


def refresh_rotation(binary, rotations=14_000):
    s = load.signed()
    server, port = started(binary, "--max-refresh-tokens", "1000", "--journal-size", "0", "--scenarios", "",
                           "--endpoints", "")
    headers = {"Content-Type": "application/json", "X-TIMESTAMP": s["X-TIMESTAMP"],
               "X-CLIENT-KEY": s["X-CLIENT-KEY"], "X-SIGNATURE": s["X-SIGNATURE"]}
    path = "/pg/snap/oauth/v1.0/access-token/b2b2c"
    try:
        code = lambda c: post(port, path, headers, json.dumps({"grantType": "AUTHORIZATION_CODE", "authCode": c}))
        code("demo-auth-code")  # an older refresh token, never used
        token = code("demo-auth-code-2")["refreshToken"]
        rss0 = load.rss_kib(server.pid, "VmRSS")
        for _ in range(rotations):
            answer = post(port, path, headers, json.dumps({"grantType": "REFRESH_TOKEN", "refreshToken": token}))
            token = answer["refreshToken"]
        return rss0, load.rss_kib(server.pid, "VmRSS")
    finally:
        server.terminate()
        server.wait()


def journal_targets(binary, requests=1000, query_bytes=64_000):
    server, port = started(binary, "--scenarios", "", "--endpoints", "")
    try:
        rss0 = load.rss_kib(server.pid, "VmRSS")
        req = ("GET /nope?q=%s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % ("x" * query_bytes)).encode()
        for _ in range(requests):
            load.exchange(port, req)
        return rss0, load.rss_kib(server.pid, "VmRSS")
    finally:
        server.terminate()
        server.wait()


def oversized_signature(binary, big_clients=8):
    """(p50 of a 512-byte signature for a 2048-bit client with 8 clients on
    4096-bit keys, p50 of a wrong 256-byte one), in ms."""
    with tempfile.TemporaryDirectory() as d:
        # Eight distinct keys, as eight clients would have: one key shared
        # by all would be tried once (the slow path did not show).
        big_pubs = public_keys(big_clients, 4096)
        demo = open(os.path.join(ROOT, "keys", "demo-client.public.pem")).read()
        clients = os.path.join(d, "clients.json")
        entries = [{"clientKey": "demo-client", "publicKey": demo}]
        entries += [{"clientKey": "big-%d" % i, "publicKey": pub} for i, pub in enumerate(big_pubs)]
        json.dump({"clients": entries}, open(clients, "w"))
        server, port = started(binary, "--clients", clients, "--scenarios", "", "--endpoints", "")
        try:
            s = load.signed()
            other = json.loads(load.sh([load.BIN, "sign", "--private-key", "keys/other-client.private.pem",
                                        "--client-key", "demo-client", "--format", "json"]))
            wrong = {"SNAP_TS": other["X-TIMESTAMP"], "SNAP_CLIENT_KEY": "demo-client", "SNAP_SIG": other["X-SIGNATURE"]}
            long_sig = base64.b64encode(os.urandom(512)).decode()
            oversized = {"SNAP_TS": s["X-TIMESTAMP"], "SNAP_CLIENT_KEY": "demo-client", "SNAP_SIG": long_sig}
            script = os.path.join(ROOT, "benches", "token.lua")
            a = wrk_script(port, load.PATH, script, 5, oversized, conns=1)
            b = wrk_script(port, load.PATH, script, 5, wrong, conns=1)
            return a["p50"], b["p50"]
        finally:
            server.terminate()
            server.wait()


def hostile_files_table(builds):
    print()
    print("| build | FIFO fixture: reload | /health after two | SIGTERM | 1 GiB fixture: reload | peak RSS |")
    print("|---|---|---|---|---|---|")
    for name, binary in builds:
        f = fixture_files(binary)
        print("| %s | %s | %s | %s | %s | %s |" % (name, f["fifo reload"], f["/health after"], f["SIGTERM"],
                                                 f["1 GiB reload"], f["peak RSS"]))
        sys.stdout.flush()
    print()
    print("| build | scenario as text/plain | foreign Origin | Host: evil.example | RSS before → after 14,000 refresh rotations |")
    print("|---|---|---|---|---|")
    for name, binary in builds:
        a = admin_from_elsewhere(binary)
        r0, r1 = refresh_rotation(binary)
        print("| %s | %s | %s | %s | %.1f → %.1f MiB |" % (name, a["text/plain scenario"], a["foreign Origin"],
                                                          a["Host: evil.example"], r0 / 1024, r1 / 1024))
        sys.stdout.flush()
    print()
    print("| build | RSS before → after 1,000 404s with 64 KB queries | 512-byte signature, 8 clients on 4096-bit keys: p50 | a wrong 256-byte one: p50 | ratio |")
    print("|---|---|---|---|---|")
    for name, binary in builds:
        j0, j1 = journal_targets(binary)
        big, normal = oversized_signature(binary)
        print("| %s | %.1f → %.1f MiB | %.2f ms | %.2f ms | %.1f |" % (name, j0 / 1024, j1 / 1024, big, normal,
                                                                 big / normal if normal else float("inf")))
        sys.stdout.flush()


def tls_table(builds, idle=1500):
    build_tls_cycle()
    for client in ("rustls", "python"):
        print()
        print("%s client:" % {"rustls": "rustls (benches/tls_cycle.rs)", "python": "Python (OpenSSL 3.0)"}[client])
        print()
        print("| build | HTTPS p50, no attack | HTTPS p50 under %s idle (answers / failed in 10 s) | under attack / no attack | HTTP p50, no attack | HTTP p50 under the same (answers) | HTTPS / HTTP under attack |" % "{:,}".format(idle))
        print("|---|---|---|---|---|---|---|")
        for name, binary in builds:
            quiet = tls_idle(binary, True, 0, seconds=3, client=client)
            https = tls_idle(binary, True, idle, client=client)
            plain_quiet = tls_idle(binary, False, 0, seconds=3, client=client)
            http = tls_idle(binary, False, idle, client=client)
            print("| %s | %.1f ms | %.1f ms (%d / %d) | %.2f | %.1f ms | %.1f ms (%d) | %.1f |" % (
                name, quiet[0], https[0], https[1], https[2], https[0] / quiet[0], plain_quiet[0], http[0], http[1],
                https[0] / http[0]))
            sys.stdout.flush()


def tls_cap_table(builds, idle=1500, cap=256, workers=2):
    """Part 4 with the handshake cap reached: 1,500 idle connections against
    256 slots a worker (actix's own default) on 2 workers."""
    build_tls_cycle()
    flags = ["--max-tls-handshakes", str(cap), "--workers", str(workers)]
    print()
    print("At the handshake cap (`%s`), rustls client:" % " ".join(flags))
    print()
    print("| build | HTTPS p50, no attack | HTTPS p50 under %s idle (answers / failed in 10 s) | HTTP p50 under the same (answers) | HTTPS / HTTP under attack |" % "{:,}".format(idle))
    print("|---|---|---|---|---|")
    for name, binary in builds:
        quiet = tls_idle(binary, True, 0, seconds=3, client="rustls", flags=flags)
        https = tls_idle(binary, True, idle, client="rustls", flags=flags)
        http = tls_idle(binary, False, idle, client="rustls", flags=flags)
        print("| %s | %.1f ms | %.1f ms (%d / %d) | %.1f ms (%d) | %.1f |" % (
            name, quiet[0], https[0], https[1], https[2], http[0], http[1], https[0] / http[0]))
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--baseline", metavar="BINARY")
    ap.add_argument("--part", choices=["all", "ids-and-signatures", "journal", "tls", "tls-cap", "hostile"],
                    default="all")
    args = ap.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], check=True, cwd=ROOT)
    builds = [("this build", load.BIN)] + ([("baseline", args.baseline)] if args.baseline else [])
    print("## snap-mock adversarial benchmark (%s, %d cores)" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count()))
    print()
    if args.part in ("all", "ids-and-signatures"):
        ids_and_signatures(builds)
    if args.part in ("all", "journal"):
        journal_table(builds)
    if args.part in ("all", "tls"):
        tls_table(builds)
    if args.part in ("all", "tls-cap"):
        tls_cap_table(builds)
    if args.part in ("all", "hostile"):
        hostile_files_table(builds)


def ids_and_signatures(builds):
    print("| build | calls/s before | calls/s after %s ids | ratio | RSS before → after | bad signature p50, 1 client | 5,000 clients | ratio |" % "{:,}".format(200_000))
    print("|---|---|---|---|---|---|---|---|")
    for name, binary in builds:
        e = external_ids(binary)
        one, many = bad_signature(binary, 1), bad_signature(binary, 5000)
        print("| %s | %.0f | %.0f (%d ids) | %.2f | %.1f → %.1f MiB | %.2f ms | %.2f ms | %.2f |" % (
            name, e["before"]["rps"], e["after"]["rps"], e["ids"], e["after"]["rps"] / e["before"]["rps"],
            e["rss0"] / 1024, e["rss1"] / 1024, one, many, many / one))
        sys.stdout.flush()


def journal_table(builds):
    print()
    print("| build | largest journal answer | peak RSS (16 concurrent reads) | RSS after |")
    print("|---|---|---|---|")
    for name, binary in builds:
        j = journal_reads(binary)
        print("| %s | %.1f MB | %.1f MiB | %.1f MiB |" % (name, j["largest"] / 1e6, j["hwm"] / 1024, j["after"] / 1024))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
