"""snap-mock probe against merchants nobody here wrote in Rust:

1. the reference merchant (merchant.py, from the standard): every case
   passes; the JUnit file is read by junitparser (a real JUnit consumer)
   and agrees with the JSON report; the journal has every exchange;
2. each variant of it with one check removed: exactly the expected cases
   fail, by name, and the run exits 1;
3. a merchant built with the `snapapi` package from PyPI: the happy path
   passes, and every case's verdict is printed and compared with the
   verdicts recorded below (its gaps are documented, not hidden).

Run by tests/probe/run.sh, which makes the venv; SNAP_MOCK_BIN names the
binary (default target/debug/snap-mock).
"""

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import junitparser

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("SNAP_MOCK_BIN", str(ROOT / "target/debug/snap-mock"))
HERE = Path(__file__).resolve().parent
VA = "   12345000000001"
AMOUNT = "10000.00"

# The variants: one check removed each, and exactly the cases that must fail.
VARIANTS = {
    "token-signature": {"token-signature-of-other-string", "token-signature-by-other-key"},
    "timestamp-window": {"token-stale-timestamp", "token-future-timestamp",
                         "inquiry-stale-timestamp", "notify-stale-timestamp"},
    "grant-type": {"token-grant-type-wrong", "token-grant-type-missing"},
    "token-expiry": {"inquiry-expired-token"},
    "client-binding": {"inquiry-token-of-other-client"},
    "hmac": {"inquiry-other-secret", "inquiry-body-not-minified", "inquiry-query-not-signed"},
    "minify": {"inquiry-body-not-minified"},
    "query-in-signature": {"inquiry-query-not-signed"},
    "replay": {"inquiry-replayed-external-id", "notify-replayed-external-id"},
    "amount": {"payment-wrong-amount"},
    "paid": {"inquiry-paid-va", "payment-paid-va"},
    "notify-signature": {"notify-signature-by-other-key", "notify-body-changed"},
}
# Removed checks that leave an advisory case as a warning, not a failure.
VARIANT_WARNINGS = {"timestamp-form": {"token-timestamp-form"}}

# snapapi 0.1.9 (the merchant in snapapi_merchant.py), as this probe finds it.
SNAPAPI_FAILS = {
    "token-stale-timestamp",     # no X-TIMESTAMP window on the token request
    "token-future-timestamp",
    "token-grant-type-missing",  # grantType optional in its Oauth2Request model
    "inquiry-query-not-signed",  # it signs a fixed path, never the query
    "inquiry-stale-timestamp",   # no window on service calls either
}
SNAPAPI_WARNS = {
    "token-timestamp-form",      # any datetime.fromisoformat() form is taken
    "token-no-content-type",     # answers 4007301 Invalid Field Format [] instead of ...02
}


def start(argv):
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"{argv[1]} did not start: {line}{process.stderr.read()}")
    return process, int(line.split()[-1])


def reference(port_args=(), without=()):
    argv = [sys.executable, str(HERE / "merchant.py"), "--bank-public-key",
            str(ROOT / "keys/provider.public.pem"), "--client", "bank-1:secret-1",
            "--client", "bank-2:secret-2", "--va", VA, "--amount", AMOUNT, "--token-ttl", "3"]
    for check in without:
        argv += ["--without", check]
    return start(argv)


def probe(port, *extra, prefix="", notify=True, other=True):
    argv = [BIN, "probe", f"http://127.0.0.1:{port}{prefix}", "--client-key", "bank-1",
            "--client-secret", "secret-1", "--va", VA, "--amount", AMOUNT, "--json",
            "--timeout-ms", "5000", *extra]
    if other:
        argv += ["--other-client-key", "bank-2", "--other-client-secret", "secret-2"]
    if notify:
        argv += ["--notify", f"http://127.0.0.1:{port}/hooks/v1.0/transfer-va/payment"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    try:
        report = json.loads(run.stdout)
    except ValueError:
        raise SystemExit(f"probe printed no JSON (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
    return run.returncode, report


def verdicts(report, verdict):
    return {c["name"] for c in report["cases"] if c["verdict"] == verdict}


def check_reference():
    merchant, port = reference()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            junit, journal = Path(tmp, "probe.xml"), Path(tmp, "journal.jsonl")
            code, report = probe(port, "--junit", str(junit), "--journal", str(journal))
            not_passed = [(c["name"], c["verdict"], c["detail"]) for c in report["cases"]
                          if c["verdict"] != "pass"]
            assert code == 0 and not not_passed, f"exit {code}: {not_passed}"
            assert report["passed"] is True and len(report["cases"]) >= 39, report["summary"]
            print(f"reference merchant: all {len(report['cases'])} cases pass "
                  f"({report['requests']} requests)")

            xml = junitparser.JUnitXml.fromfile(str(junit))
            cases = [case for suite in xml for case in suite]
            assert [c.name for c in cases] == [c["name"] for c in report["cases"]]
            assert all(c.is_passed for c in cases), [c.name for c in cases if not c.is_passed]
            assert xml.tests == len(cases) and xml.failures == 0 and xml.errors == 0
            print(f"junitparser read {len(cases)} testcases from the JUnit file, all passed")

            lines = journal.read_text().splitlines()
            assert len(lines) == report["requests"], (len(lines), report["requests"])
            first = json.loads(lines[0])
            assert first["case"] == "token" and first["answer"]["status"] == 200, first
            assert first["request"]["headers"][2][0] == "X-CLIENT-KEY", first["request"]
            print(f"journal: {len(lines)} exchanges, one a line")
    finally:
        merchant.kill()

    # A failing run: the JUnit file says which, and junitparser agrees.
    merchant, port = reference(without=["hmac"])
    try:
        with tempfile.TemporaryDirectory() as tmp:
            junit = Path(tmp, "probe.xml")
            code, report = probe(port, "--junit", str(junit))
            xml = junitparser.JUnitXml.fromfile(str(junit))
            failed = {c.name for suite in xml for c in suite
                      if any(isinstance(r, junitparser.Failure) for r in c.result)}
            assert code == 1 and failed == VARIANTS["hmac"], (code, failed)
            print(f"junitparser read the failures of a failing run: {sorted(failed)}")
    finally:
        merchant.kill()


def check_variant(check):
    merchant, port = reference(without=[check])
    try:
        code, report = probe(port)
    finally:
        merchant.kill()
    failed = verdicts(report, "fail") | verdicts(report, "error")
    expected = VARIANTS.get(check, set())
    warned = verdicts(report, "warn")
    problems = []
    if failed != expected:
        problems.append(f"failed {sorted(failed)}, expected {sorted(expected)}")
    if warned != VARIANT_WARNINGS.get(check, set()):
        problems.append(f"warned {sorted(warned)}")
    if code != (1 if expected else 0):
        problems.append(f"exit {code}")
    return check, sorted(failed | warned), problems, report


def check_variants():
    problems = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        for check, named, trouble, report in pool.map(
                check_variant, list(VARIANTS) + list(VARIANT_WARNINGS)):
            print(f"without {check:<20} the probe names: {', '.join(named)}")
            skipped = verdicts(report, "skip")
            if skipped - {"payment"}:
                trouble.append(f"skipped {sorted(skipped)}")
            problems += [f"without {check}: {p}" for p in trouble]
    assert not problems, "\n".join(problems)


def check_snapapi():
    python = sys.executable
    argv = [python, str(HERE / "snapapi_merchant.py"), "--bank-public-key",
            str(ROOT / "keys/provider.public.pem"), "--client-id", "bank-1",
            "--client-secret", "secret-1", "--va", VA, "--amount", AMOUNT, "--token-ttl", "3"]
    merchant, port = start(argv)
    try:
        code, report = probe(port, prefix="/snap", notify=False, other=False)
    finally:
        merchant.kill()
    print("snapapi 0.1.9, every case:")
    for c in report["cases"]:
        got = c["got"]["responseCode"] if c.get("got") else "-"
        print(f"  {c['verdict']:<5} {c['name']:<32} expected {'/'.join(c['expected']):<16} got {got}")
    for name in ("token", "inquiry", "payment"):
        assert report["cases"] and next(c for c in report["cases"] if c["name"] == name)["verdict"] == "pass", name
    failed, warned = verdicts(report, "fail") | verdicts(report, "error"), verdicts(report, "warn")
    assert failed == SNAPAPI_FAILS, f"snapapi now fails {sorted(failed)}, recorded {sorted(SNAPAPI_FAILS)}"
    assert warned == SNAPAPI_WARNS, f"snapapi now warns {sorted(warned)}, recorded {sorted(SNAPAPI_WARNS)}"
    assert code == 1
    print(f"snapapi: happy path passes; fails {len(failed)} cases as recorded, warns {len(warned)}")


if __name__ == "__main__":
    check_reference()
    check_variants()
    check_snapapi()
    print("probe checks: OK")
