#!/usr/bin/env python3
"""Soak test of snap-mock, bounded: one command, 127.0.0.1 only.

    python3 benches/soak.py [--duration 60] [--connections 64] [--skip-build]

Runs the release server with its default journal and drives it with wrk
(64 connections) mixing valid, badly signed, malformed, scenario (4297300)
and unknown-path requests. Reports requests answered, statuses, unexpected
5xx (must be 0), RSS at start, middle and end (must stay flat), and the
journal's accounting (held + dropped = recorded, recorded >= answered).
"""
import argparse, json, os, re, subprocess, sys, threading, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import ROOT, exchange, raw_request, rss_kib, signed, start_server  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=int, default=60)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "--quiet"], check=True, cwd=ROOT)
    s = signed()
    server, port = start_server(s)
    try:
        urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/__admin/requests" % port, method="DELETE")).read()
        rss = {"start": rss_kib(server.pid, "VmRSS")}
        mid = threading.Timer(args.duration / 2, lambda: rss.__setitem__("middle", rss_kib(server.pid, "VmRSS")))
        mid.start()
        env = {**os.environ, "SNAP_TS": s["X-TIMESTAMP"], "SNAP_CLIENT_KEY": s["X-CLIENT-KEY"], "SNAP_SIG": s["X-SIGNATURE"]}
        out = subprocess.run(["wrk", "-t1", "-c%d" % args.connections, "-d%ds" % args.duration, "--timeout", "5s",
                              "-s", os.path.join(ROOT, "benches", "soak.lua"), "http://127.0.0.1:%d" % port],
                             check=True, capture_output=True, text=True, env=env).stdout
        time.sleep(0.5)
        rss["end"] = rss_kib(server.pid, "VmRSS")
        journal = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/__admin/requests?limit=1" % port).read())
        alive = exchange(port, raw_request(s)).startswith(b"HTTP/1.1 200")
    finally:
        server.terminate()
        server.wait()
    answered = int(re.search(r"(\d+) requests in", out).group(1))
    statuses = dict(kv.split("=") for kv in re.search(r"STATUSES (.*)", out).group(1).split())
    errors = re.search(r"Socket errors: (.*)", out)
    print("## snap-mock soak test (%s, %d s, %d connections)" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), args.duration, args.connections))
    print()
    print("| figure | value |")
    print("|---|---|")
    print("| requests answered | %d (%.0f/s) |" % (answered, answered / args.duration))
    print("| statuses | %s |" % ", ".join("%s: %s" % (k, v) for k, v in statuses.items()))
    print("| unexpected 5xx | %s |" % statuses["5xx"])
    print("| socket errors | %s |" % (errors.group(1) if errors else "none"))
    print("| RSS start / middle / end | %.1f / %.1f / %.1f MiB |" % (rss["start"] / 1024, rss.get("middle", 0) / 1024, rss["end"] / 1024))
    print("| journal recorded | %d (held %d + dropped %d = %d) |" % (journal["recorded"], journal["held"], journal["dropped"], journal["held"] + journal["dropped"]))
    print("| recorded - answered (in flight when wrk stopped) | %d |" % (journal["recorded"] - answered))
    print("| server answers a valid request afterwards | %s |" % ("yes" if alive else "NO"))
    ok = (statuses["5xx"] == "0" and journal["held"] + journal["dropped"] == journal["recorded"]
          and 0 <= journal["recorded"] - answered <= args.connections and alive)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
