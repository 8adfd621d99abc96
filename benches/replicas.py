#!/usr/bin/env python3
"""What a shared store costs, and what replicas give: one command, bounded in
time, 127.0.0.1 only.

    python3 benches/replicas.py [--duration 8] [--rounds 3] [--skip-build]

Three set-ups, measured in the same run, in alternating rounds (A B C A B C
...), each round driving the same total of 30 connections with wrk:

  A  one process, in-memory stores (the default; the baseline of the ratios)
  B  one process on a redis-server (--store redis://)
  C  three processes on that redis-server, 10 connections to each

and two kinds of request: a correctly signed B2B token request (RSA verify
and RS256 signing: CPU-bound), and a signed transactional call (QRIS generate)
with a new X-EXTERNAL-ID every time (one check-and-record in the store per
call). Every answer must be a 200: a non-2xx answer fails the run. Prints
the median requests/s and p99 of each set-up, with its ratio to A.

The redis-server, the servers and wrk share this machine's cores: on a
machine with few cores, three replicas share the CPU one process already
uses, so C measures the store's cost under replication, not the scaling that
replicas on separate machines give.
Needs: cargo, wrk, openssl, redis-server (Debian: apt-get install wrk openssl redis-server).
"""
import argparse, base64, hashlib, hmac, json, os, socket, statistics, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load  # noqa: E402  (the same helpers as the load benchmark)

ROOT = load.ROOT
QRIS = "/v1.0/qr/qr-mpm-generate"
SECRET = "demo-client-secret"
TOTAL_CONNECTIONS = 30


def start_redis():
    port = load.free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"PING\r\n")
                if c.recv(16).startswith(b"+PONG"):
                    return redis, port
        except OSError:
            time.sleep(0.02)
    redis.terminate()
    raise SystemExit("redis-server did not answer")


def drive(ports, path, script, seconds, env_for):
    """wrk against every port at once, TOTAL_CONNECTIONS shared out; the
    summed rate and the worst p99."""
    results = [None] * len(ports)

    def one(i, port):
        results[i] = load.wrk(port, TOTAL_CONNECTIONS // len(ports), seconds, env_for(i), path, script)
    threads = [threading.Thread(target=one, args=(i, p)) for i, p in enumerate(ports)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    bad = sum(r["non2xx"] for r in results)
    if bad:
        raise SystemExit("%d non-2xx answers on %s: the set-up is broken, not slow" % (bad, path))
    return {"rps": sum(r["rps"] for r in results), "p99": max(r["p99"] for r in results)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of A B C (default 3)")
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "--locked"], check=True, cwd=ROOT)
    s = load.signed()
    redis, redis_port = start_redis()
    store = ["--store", "redis://127.0.0.1:%d" % redis_port]
    setups = {}
    try:
        a = load.start_server(s)
        b = load.start_server(s, extra=store)
        c = [load.start_server(s, extra=store) for _ in range(3)]
        setups = {"A: 1 process, memory": [a], "B: 1 process, Redis": [b], "C: 3 processes, Redis": c}
        # One token serves every transactional call: a JWT verifies on each
        # server (same signing key), and the signature does not cover
        # X-EXTERNAL-ID.
        token = json.loads(subprocess.run(
            ["curl", "-s", "-X", "POST", "http://127.0.0.1:%d%s" % (a[1], load.PATH),
             "-H", "Content-Type: application/json", "-H", "X-TIMESTAMP: " + s["X-TIMESTAMP"],
             "-H", "X-CLIENT-KEY: " + s["X-CLIENT-KEY"], "-H", "X-SIGNATURE: " + s["X-SIGNATURE"],
             "-d", load.BODY], check=True, capture_output=True, text=True).stdout)["accessToken"]
        sts = "POST:%s:%s:%s:%s" % (QRIS, token, hashlib.sha256(b"{}").hexdigest(), s["X-TIMESTAMP"])
        sig = base64.b64encode(hmac.new(SECRET.encode(), sts.encode(), hashlib.sha512).digest()).decode()
        token_env = {"SNAP_TS": s["X-TIMESTAMP"], "SNAP_CLIENT_KEY": s["X-CLIENT-KEY"], "SNAP_SIG": s["X-SIGNATURE"]}
        call_env = {"SNAP_TOKEN": token, "SNAP_TS": s["X-TIMESTAMP"], "SNAP_SIG": sig}
        token_lua = os.path.join(ROOT, "benches", "token.lua")
        ids_lua = os.path.join(ROOT, "benches", "external_ids.lua")
        results = {name: {"token": [], "call": []} for name in setups}
        for r in range(args.rounds):
            for n, (name, servers) in enumerate(setups.items()):
                ports = [port for _, port in servers]
                results[name]["token"].append(drive(ports, load.PATH, token_lua, args.duration,
                                                    lambda i: token_env))
                results[name]["call"].append(drive(
                    ports, QRIS, ids_lua, args.duration,
                    lambda i, r=r, n=n: {**call_env, "SNAP_ID_PREFIX": "r%ds%dp%d-" % (r, n, i)}))
                print("round %d, %s: %.0f tokens/s, %.0f calls/s" % (
                    r + 1, name, results[name]["token"][-1]["rps"], results[name]["call"][-1]["rps"]),
                    file=sys.stderr)
    finally:
        for servers in setups.values():
            for server, _ in servers:
                server.terminate()
                server.wait()
        redis.terminate()
        redis.wait()
    med = {name: {kind: {"rps": statistics.median(x["rps"] for x in runs),
                         "p99": statistics.median(x["p99"] for x in runs)}
                  for kind, runs in kinds.items()} for name, kinds in results.items()}
    base = med["A: 1 process, memory"]
    print("Median of %d rounds of %d s, %d connections in all (wrk -t1 per server); ratio to A in the same run.\n"
          % (args.rounds, args.duration, TOTAL_CONNECTIONS))
    print("| set-up | tokens/s | ratio | p99 | transactional calls/s | ratio | p99 |")
    print("|---|---|---|---|---|---|---|")
    for name, m in med.items():
        print("| %s | %.0f | %.2f | %.1f ms | %.0f | %.2f | %.1f ms |" % (
            name, m["token"]["rps"], m["token"]["rps"] / base["token"]["rps"], m["token"]["p99"],
            m["call"]["rps"], m["call"]["rps"] / base["call"]["rps"], m["call"]["p99"]))
    print("\nMachine: %d cores; openssl speed rsa2048 sign+verify in this run: %.0f µs."
          % (os.cpu_count(), sum(load.openssl_rsa2048())))


if __name__ == "__main__":
    main()
