#!/usr/bin/env python3
"""Load benchmark of snap-mock: one command, bounded in time, 127.0.0.1 only.

    python3 benches/load.py [--duration 10] [--skip-build] [--baseline OTHER_BINARY]

Builds the release binary, measures `openssl speed rsa2048` in the same run
(the RSA limit), start-up to first token, idle and peak RSS, and drives the
token endpoint with wrk at 1, 8, 32 and 64 connections with a correctly
signed request (signed once; the run stays inside the ±300 s freshness
window). Server CPU per token is the server process's user+sys time over a
load run divided by the tokens it issued. Prints a Markdown table.
With --baseline, a second server runs another build (for example the
previous commit's, built in a git worktree) and every token load run is made
against both, alternately, in the same run: tokens/s and CPU per token are
printed with their ratio to the baseline.
Needs: cargo, wrk, openssl (Debian: apt-get install wrk openssl).
"""
import argparse, json, os, re, socket, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "snap-mock")
PATH = "/pg/snap/oauth/v1.0/access-token/b2b"
BODY = '{"grantType":"client_credentials","additionalInfo":{}}'
CLK = os.sysconf("SC_CLK_TCK")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, **kw).stdout


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def openssl_rsa2048():
    out = sh(["openssl", "speed", "-seconds", "3", "rsa2048"], env={**os.environ})
    line = [l for l in out.splitlines() if l.startswith("rsa 2048") or l.startswith("rsa  2048")][-1]
    nums = re.findall(r"([\d.]+)s", line)
    return float(nums[0]) * 1e6, float(nums[1]) * 1e6  # µs per sign, per verify


def signed():
    return json.loads(sh([BIN, "sign", "--private-key", "keys/demo-client.private.pem",
                          "--client-key", "demo-client", "--format", "json"]))


def raw_request(s, client_key=None):
    return ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "X-TIMESTAMP: %s\r\nX-CLIENT-KEY: %s\r\nX-SIGNATURE: %s\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n%s" % (PATH, s["X-TIMESTAMP"], client_key or s["X-CLIENT-KEY"],
                                              s["X-SIGNATURE"], len(BODY), BODY)).encode()


def read_to_close(c):
    """Everything the peer sends until it closes, then closes too."""
    data = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    c.close()
    return data


def exchange(port, request):
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.sendall(request)
    return read_to_close(c)


def startup_ms(s, runs=10):
    req = raw_request(s)
    times = []
    for _ in range(runs):
        port = free_port()
        t0 = time.perf_counter()
        p = subprocess.Popen([BIN, "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
        deadline = t0 + 5
        while time.perf_counter() < deadline:
            try:
                data = exchange(port, req)
            except OSError:
                time.sleep(0.0002)
                continue
            if not data.startswith(b"HTTP/1.1 200"):
                raise SystemExit("start-up probe got: %r" % data[:200])
            times.append((time.perf_counter() - t0) * 1000)
            break
        p.terminate()
        p.wait()
    return statistics.median(times), times


def fixtures_without_schema():
    """--clients and --scenarios files without the `$schema` member, which
    builds before the fixtures had JSON Schemas refuse."""
    import tempfile
    args = []
    for flag, name in (("--clients", "clients"), ("--scenarios", "scenarios")):
        data = json.load(open(os.path.join(ROOT, "fixtures", name + ".json")))
        data.pop("$schema", None)
        f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        json.dump(data, f)
        f.close()
        args += [flag, f.name]
    return args


def start_server(s, binary=None, extra=()):
    """The release server on a free port, answering; returns (process, port)."""
    port = free_port()
    server = subprocess.Popen([binary or BIN, "--port", str(port), *extra], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    for _ in range(200):
        try:
            exchange(port, raw_request(s))
            return server, port
        except OSError:
            time.sleep(0.01)
    server.terminate()
    raise SystemExit("the server did not answer within 2 s")


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def rss_kib(pid, key):
    for line in open("/proc/%d/status" % pid):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def wrk(port, conns, seconds, env, path=PATH, script=os.path.join(ROOT, "benches", "token.lua")):
    out = subprocess.run(["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--latency",
                          "-s", script, "http://127.0.0.1:%d%s" % (port, path)],
                         check=True, capture_output=True, text=True, env={**os.environ, **env}).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)

    def pct(p):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)" % p, out, re.M)
        v, unit = float(m.group(1)), m.group(2)
        return v * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
    return {"requests": total, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": pct(50), "p99": pct(99), "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "errors": errors.group(1) if errors else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--baseline", metavar="BINARY", help="another snap-mock build to compare with, same run")
    args = ap.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], check=True, cwd=ROOT)
    for tool in ("wrk", "openssl"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            raise SystemExit("%s is needed: apt-get install %s" % (tool, tool))

    sign_us, verify_us = openssl_rsa2048()
    rsa_limit = sign_us + verify_us
    s = signed()
    start_median, start_all = startup_ms(s)

    if args.baseline:
        compare(s, args.baseline, args.duration)
        return
    server, port = start_server(s)
    try:
        time.sleep(0.5)
        idle_rss = rss_kib(server.pid, "VmRSS")
        env = {"SNAP_TS": s["X-TIMESTAMP"], "SNAP_CLIENT_KEY": s["X-CLIENT-KEY"], "SNAP_SIG": s["X-SIGNATURE"]}
        rows = []
        total_cpu0 = cpu_seconds(server.pid)
        for conns in (1, 8, 32, 64):
            cpu0 = cpu_seconds(server.pid)
            r = wrk(port, conns, args.duration, env)
            cpu = cpu_seconds(server.pid) - cpu0
            if r["non2xx"] or r["errors"]:
                raise SystemExit("load run at %d connections had failures: %r" % (conns, r))
            r["cpu_us"] = cpu * 1e6 / r["requests"]
            rows.append((conns, r))
        total_cpu = cpu_seconds(server.pid) - total_cpu0
        canned = wrk(port, 32, args.duration, {**env, "SNAP_CLIENT_KEY": "mock-5007300"})
        peak_rss = rss_kib(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait()

    tokens = sum(r["requests"] for _, r in rows)
    overall_cpu = total_cpu * 1e6 / tokens
    print("## snap-mock load benchmark (%s, %d cores)" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count()))
    print()
    print("RSA limit (openssl speed rsa2048, same run): sign %.0f µs + verify %.0f µs = %.0f µs" % (sign_us, verify_us, rsa_limit))
    print()
    print("| connections | tokens/s | p50 ms | p99 ms | server CPU µs/token | ratio to RSA limit |")
    print("|---|---|---|---|---|---|")
    for conns, r in rows:
        print("| %d | %.0f | %.2f | %.2f | %.0f | %.2f |" % (conns, r["rps"], r["p50"], r["p99"], r["cpu_us"], r["cpu_us"] / rsa_limit))
    print()
    print("| figure | value | target |")
    print("|---|---|---|")
    print("| server CPU per token, whole load run (%d tokens) | %.0f µs = %.2f × RSA limit | ≤ 1.30 × |" % (tokens, overall_cpu, overall_cpu / rsa_limit))
    print("| start-up to first token (median of 10) | %.1f ms (runs: %s) | ≤ 20 ms |" % (start_median, " ".join("%.1f" % t for t in start_all)))
    print("| idle RSS | %.1f MiB | ≤ 15 MiB |" % (idle_rss / 1024))
    print("| peak RSS after 64 connections | %.1f MiB | ≤ 40 MiB |" % (peak_rss / 1024))
    print("| fixture answer without crypto (5007300, wrk -t1 -c32) | %.0f req/s, p50 %.2f ms, p99 %.2f ms | ≥ 30,000 req/s |" % (canned["rps"], canned["p50"], canned["p99"]))


def compare(s, baseline, seconds):
    """Token load on this build and on `baseline`, alternating, same run."""
    env = {"SNAP_TS": s["X-TIMESTAMP"], "SNAP_CLIENT_KEY": s["X-CLIENT-KEY"], "SNAP_SIG": s["X-SIGNATURE"]}
    # No endpoints fixture: the token endpoint is what is measured, and an
    # older build may refuse today's fixture (its provider fields).
    servers = {"baseline": start_server(s, baseline, ["--endpoints", ""] + fixtures_without_schema()),
               "this build": start_server(s, None, ["--endpoints", ""])}
    totals = {k: [0.0, 0] for k in servers}
    rows = []
    try:
        for i, conns in enumerate((1, 8, 32, 64)):
            row = {}
            # Alternate which build goes first, so neither always gets the warmer machine.
            order = list(servers.items())
            for name, (proc, port) in (order if i % 2 == 0 else order[::-1]):
                cpu0 = cpu_seconds(proc.pid)
                r = wrk(port, conns, seconds, env)
                cpu = cpu_seconds(proc.pid) - cpu0
                if r["non2xx"] or r["errors"]:
                    raise SystemExit("%s at %d connections had failures: %r" % (name, conns, r))
                r["cpu_us"] = cpu * 1e6 / r["requests"]
                totals[name][0] += cpu
                totals[name][1] += r["requests"]
                row[name] = r
            rows.append((conns, row))
        canned = {name: wrk(port, 32, seconds, {**env, "SNAP_CLIENT_KEY": "mock-5007300"})
                  for name, (_, port) in servers.items()}
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait()
    print("## snap-mock against a baseline build (%s, %d cores, %d s per run)" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.cpu_count(), seconds))
    print()
    print("| connections | baseline tokens/s | this build tokens/s | ratio | baseline CPU µs/token | this build CPU µs/token | ratio |")
    print("|---|---|---|---|---|---|---|")
    for conns, row in rows:
        b, n = row["baseline"], row["this build"]
        print("| %d | %.0f | %.0f | %.3f | %.0f | %.0f | %.3f |" % (conns, b["rps"], n["rps"], n["rps"] / b["rps"], b["cpu_us"], n["cpu_us"], n["cpu_us"] / b["cpu_us"]))
    cb = totals["baseline"][0] * 1e6 / totals["baseline"][1]
    cn = totals["this build"][0] * 1e6 / totals["this build"][1]
    print()
    print("Whole run: CPU per token %.0f µs (baseline) vs %.0f µs (this build), ratio %.3f; tokens %d vs %d." % (cb, cn, cn / cb, totals["baseline"][1], totals["this build"][1]))
    b, n = canned["baseline"], canned["this build"]
    print()
    print("Fixture answer without crypto (5007300, wrk -t1 -c32): %.0f req/s (baseline) vs %.0f req/s (this build), ratio %.3f." % (b["rps"], n["rps"], n["rps"] / b["rps"]))


if __name__ == "__main__":
    main()
