#!/usr/bin/env python3
"""Fails when a process that .ci/run started is still running.

.ci/run exports SNAP_MOCK_CI_RUN=<id> before it starts anything, and every
process it starts, directly or through a script, a test or cargo, inherits
it. A process that carries the mark and is not this script or one of its
ancestors (the .ci/run shell itself) was left behind. A server started
with a scrubbed environment loses the mark, so the names of the servers the
tests start are also checked against the list taken at the start
(--before FILE, written by --snapshot FILE).
"""
import os, sys

SERVERS = {"snap-mock", "redis-server", "chromedriver", "chromium", "dockerd", "containerd"}


def processes():
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # gone, or a kernel thread
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        yield int(pid), ppid, comm, cmd, env


def main():
    if sys.argv[1:2] == ["--snapshot"]:
        with open(sys.argv[2], "w") as f:
            for pid, _, comm, _, _ in processes():
                if comm in SERVERS:
                    f.write(f"{pid}\n")
        return 0
    mark = os.environ.get("SNAP_MOCK_CI_RUN", "").encode()
    before = set()
    if sys.argv[1:2] == ["--before"]:
        before = {int(line) for line in open(sys.argv[2]) if line.strip()}
    table = {pid: (ppid, comm, cmd, env) for pid, ppid, comm, cmd, env in processes()}
    ancestors, pid = set(), os.getpid()
    while pid in table and pid not in ancestors:
        ancestors.add(pid)
        pid = table[pid][0]
    left = []
    for pid, (ppid, comm, cmd, env) in sorted(table.items()):
        if pid in ancestors:
            continue
        marked = bool(mark) and b"SNAP_MOCK_CI_RUN=" + mark in env
        if marked or (comm in SERVERS and pid not in before):
            left.append(f"  pid {pid} ({comm}): {cmd[:200]}")
    if left:
        print(f"{len(left)} process(es) started by this run are still running:")
        print("\n".join(left))
        return 1
    print("no process started by this run is still running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
