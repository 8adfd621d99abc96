"""deploy/snap-mock.yaml, checked beyond its schema: a real redis-server
started with the Redis Deployment's arguments, and as many snap-mock
processes as the Deployment has replicas, each with the Deployment's
environment (the Redis Service's name pointed at that redis-server), the
ConfigMap's fixtures and the Secret's signing key mounted where the manifest
mounts them (under a temporary directory). They must issue tokens, serve the
scenarios, and share their state: a request answered by one replica is in
the journal read from another, and an X-EXTERNAL-ID used on one is refused
by the others.

    python3 tests/deploy/check.py [SNAP_MOCK_BINARY]    # needs PyYAML, redis-server
"""
import base64
import datetime
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "snap-mock")

docs = {(d["kind"], d["metadata"]["name"]): d
        for d in yaml.safe_load_all(open(os.path.join(ROOT, "deploy", "snap-mock.yaml")))}
deployment = docs[("Deployment", "snap-mock")]
replicas = deployment["spec"]["replicas"]
container = deployment["spec"]["template"]["spec"]["containers"][0]
mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
config_map = docs[("ConfigMap", "snap-mock-fixtures")]
secret = docs[("Secret", "snap-mock-secrets")]
redis_container = docs[("Deployment", "snap-mock-redis")]["spec"]["template"]["spec"]["containers"][0]
redis_service = docs[("Service", "snap-mock-redis")]
assert replicas >= 2, "the point of the shared store is several replicas: %d" % replicas


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, data=None, headers=None, method=None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_for(url, process):
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                sys.exit("did not start with the manifest's configuration:\n" + process.stdout.read())
            time.sleep(0.05)
    sys.exit("no answer from " + url)


processes = []
with tempfile.TemporaryDirectory() as tmp:
    def local(path):
        return tmp + path  # /etc/snap-mock/... under the temporary directory
    for name, data in [("config", config_map["data"]), ("secrets", secret["stringData"])]:
        os.makedirs(local(mounts[name]), exist_ok=True)
        for file, text in data.items():
            with open(os.path.join(local(mounts[name]), file), "w") as f:
                f.write(text)
    # The image's own fixtures directory (endpoints.json) is the repository's.
    os.makedirs(local("/etc/snap-mock"), exist_ok=True)
    os.symlink(os.path.join(ROOT, "fixtures"), local("/etc/snap-mock/fixtures"))
    try:
        redis_port = free_port()
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1"]
                                 + redis_container["args"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        processes.append(redis)
        in_cluster = "%s:%d" % (redis_service["metadata"]["name"], redis_service["spec"]["ports"][0]["port"])
        env = {"PATH": os.environ["PATH"], "RUST_LOG": "warn"}
        for e in container["env"]:
            if "value" in e:
                value = e["value"]
                if value.startswith("/etc/"):
                    value = local(value)
                env[e["name"]] = value.replace(in_cluster, "127.0.0.1:%d" % redis_port)
            else:
                ref = e["valueFrom"]["secretKeyRef"]
                env[e["name"]] = secret["stringData"][ref["key"]]
        assert env.get("SNAP_MOCK_STORE", "").startswith("redis://127.0.0.1:"), \
            "the replicas must share the Redis Service: SNAP_MOCK_STORE=%r" % env.get("SNAP_MOCK_STORE")
        urls = []
        for _ in range(replicas):
            port = free_port()
            server = subprocess.Popen([BIN], env=dict(env, SNAP_MOCK_PORT=str(port)), cwd=local("/etc/snap-mock"),
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            processes.append(server)
            urls.append("http://127.0.0.1:%d" % port)
        probe = container["readinessProbe"]["httpGet"]["path"]
        for url, server in zip(urls, processes[1:]):
            wait_for(url + probe, server)
            status, health = call(url + probe)
            assert health["store"]["reachable"] is True, health

        token = subprocess.run([BIN, "token", "--url", urls[0] + "/pg/snap/oauth/v1.0/access-token/b2b",
                                "--private-key", os.path.join(ROOT, "keys", "demo-client.private.pem"),
                                "--client-key", "demo-client"], capture_output=True, text=True)
        assert token.returncode == 0, token.stdout + token.stderr
        admin = {"Authorization": "Bearer " + env["SNAP_MOCK_ADMIN_TOKEN"]}
        status, listing = call(urls[-1] + "/__admin/scenarios", headers=admin)
        assert "internal-server-error" in json.dumps(listing), listing
        status, journal = call(urls[-1] + "/__admin/requests?path=access-token", headers=admin)
        assert journal["requests"] and journal["requests"][0]["decidedBy"] == "issued", journal

        # One X-EXTERNAL-ID, one transactional call per replica: one 200.
        answer, _ = json.JSONDecoder().raw_decode(token.stdout[token.stdout.index("{"):])
        access = answer["accessToken"]
        body = b'{"partnerReferenceNo":"1","amount":{"value":"1.00","currency":"IDR"},"merchantId":"008830"}'
        codes = []
        for url in urls:
            ts = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).isoformat(timespec="seconds")
            digest = hashlib.sha256(body).hexdigest()
            sts = "POST:/v1.0/qr/qr-mpm-generate:%s:%s:%s" % (access, digest, ts)
            secret_text = json.loads(config_map["data"]["clients.json"])["clients"][0]["clientSecret"]
            signature = base64.b64encode(hmac.new(secret_text.encode(), sts.encode(), hashlib.sha512).digest()).decode()
            status, answer = call(url + "/v1.0/qr/qr-mpm-generate", data=body, method="POST", headers={
                "Authorization": "Bearer " + access, "X-TIMESTAMP": ts, "X-SIGNATURE": signature,
                "X-PARTNER-ID": "demo-client", "X-EXTERNAL-ID": "deploy-check-1", "CHANNEL-ID": "95221",
                "Content-Type": "application/json"})
            codes.append(answer["responseCode"])
        assert codes == ["2004700"] + ["4094700"] * (replicas - 1), codes
        print("deploy/snap-mock.yaml: %d replicas on one redis-server, started with the manifest's configuration, "
              "issue tokens, serve its scenarios and share their journal and X-EXTERNAL-IDs" % replicas)
    finally:
        for p in processes:
            p.terminate()
            p.wait()
