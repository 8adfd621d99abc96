"""deploy/snap-mock.yaml, checked beyond its schema: the server started with
the Deployment's environment, the ConfigMap's fixtures and the Secret's
signing key (mounted where the manifest mounts them, here under a temporary
directory) issues a token to the demo client and answers a scenario.

    python3 tests/deploy/check.py [SNAP_MOCK_BINARY]    # needs PyYAML
"""
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

docs = {d["kind"]: d for d in yaml.safe_load_all(open(os.path.join(ROOT, "deploy", "snap-mock.yaml")))}
container = docs["Deployment"]["spec"]["template"]["spec"]["containers"][0]
mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}

with tempfile.TemporaryDirectory() as tmp:
    def local(path):
        return tmp + path  # /etc/snap-mock/... under the temporary directory
    for name, data in [("config", docs["ConfigMap"]["data"]), ("secrets", docs["Secret"]["stringData"])]:
        os.makedirs(local(mounts[name]), exist_ok=True)
        for file, text in data.items():
            with open(os.path.join(local(mounts[name]), file), "w") as f:
                f.write(text)
    # The image's own fixtures directory (endpoints.json) is the repository's.
    os.makedirs(local("/etc/snap-mock"), exist_ok=True)
    os.symlink(os.path.join(ROOT, "fixtures"), local("/etc/snap-mock/fixtures"))
    env = {"PATH": os.environ["PATH"], "RUST_LOG": "warn"}
    for e in container["env"]:
        if "value" in e:
            env[e["name"]] = local(e["value"]) if e["value"].startswith("/etc/") else e["value"]
        else:
            ref = e["valueFrom"]["secretKeyRef"]
            env[e["name"]] = docs["Secret"]["stringData"][ref["key"]]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env["SNAP_MOCK_PORT"] = str(port)
    server = subprocess.Popen([BIN], env=env, cwd=local("/etc/snap-mock"),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = "http://127.0.0.1:%d" % port
        probe = container["readinessProbe"]["httpGet"]["path"]
        for _ in range(100):
            try:
                urllib.request.urlopen(url + probe, timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None:
                    sys.exit("the server did not start with the manifest's configuration:\n" + server.stdout.read())
                time.sleep(0.1)
        token = subprocess.run([BIN, "token", "--url", url + "/pg/snap/oauth/v1.0/access-token/b2b",
                                "--private-key", os.path.join(ROOT, "keys", "demo-client.private.pem"),
                                "--client-key", "demo-client"], capture_output=True, text=True)
        assert token.returncode == 0, token.stdout + token.stderr
        request = urllib.request.Request(url + "/__admin/scenarios",
                                         headers={"Authorization": "Bearer " + env["SNAP_MOCK_ADMIN_TOKEN"]})
        names = urllib.request.urlopen(request, timeout=5).read().decode()
        assert "internal-server-error" in names, names
        print("deploy/snap-mock.yaml: the server started with its configuration issues tokens and serves its scenarios")
    finally:
        server.terminate()
        server.wait()
