"""A real Ray cluster on loopback addresses for the tests and the benchmark: `ray start` nodes in
a private temp folder, stopped by process id (never `ray stop`, which stops every Ray on the host)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from summarizer import ray_reaper

HEAD_IP, WORKER_IP = "127.0.0.2", "127.0.0.3"
# Every port a node opens, so that two clusters (or a developer's own Ray) never collide.
NODE_PORTS = ("--node-manager-port", "--object-manager-port", "--dashboard-agent-listen-port",
              "--dashboard-agent-grpc-port", "--metrics-export-port", "--runtime-env-agent-port")


def ray_env(**extra: str) -> dict[str, str]:
    """The environment for Ray processes and drivers: no token auth (local test clusters only)."""
    return {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0", **extra}


def free_ports(ip: str, count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind((ip, 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process (read from /proc)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        table[int(entry.name)] = (ppid, cmdline)
    return table


def marked(marker: str) -> list[int]:
    """Every live process whose environment holds ``marker`` (``NAME=VALUE``): all that a process
    started with it in its environment started in turn, whatever process group or parent they
    have now (the reaper's own test, summarizer.ray_reaper.marked)."""
    return ray_reaper.marked(marker.encode())


def descendants(root: int, table: dict[int, tuple[int, str]] | None = None) -> list[int]:
    table = table or processes()
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _) in table.items() if ppid == parent]
        found += children
        frontier += children
    return found


def kill(pids, sig=signal.SIGKILL) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


class Cluster:
    """A head node and worker nodes started with `ray start`, each with its own CPUs."""

    def __init__(self, cpus_per_node: int = 1, workers: int = 1):
        self.env = ray_env()
        self.env.pop("RAY_ADDRESS", None)
        # The workers must get the package from the driver (runtime_env), not from this path.
        self.env.pop("PYTHONPATH", None)
        self.cpus, self.ips = cpus_per_node, [HEAD_IP] + [f"127.0.0.{3 + i}" for i in range(workers)]
        self._fresh()

    def _fresh(self) -> None:
        """A new temp folder and head port (for the first start and for each retry)."""
        self.temp = tempfile.mkdtemp(prefix="kbr", dir="/tmp")  # short: Ray's socket paths
        self.port = free_ports(HEAD_IP, 1)[0]
        self.address = f"{HEAD_IP}:{self.port}"
        self.started: list[str] = []

    def start_node(self, ip: str) -> None:
        ports = free_ports(ip, len(NODE_PORTS) + 1)
        low = ports[-1] % 20000 + 30000
        while any(low <= port <= low + 200 for port in ports):  # Ray refuses a component port in the range
            low += 250
        command = ["ray", "start", "--node-ip-address", ip, f"--num-cpus={self.cpus}", "--num-gpus=0",
                   "--disable-usage-stats", f"--temp-dir={self.temp}",
                   f"--min-worker-port={low}", f"--max-worker-port={low + 200}"]
        command += [f"{flag}={port}" for flag, port in zip(NODE_PORTS, ports)]
        if ip == HEAD_IP:
            command += ["--head", f"--port={self.port}", "--include-dashboard=false"]
        else:
            command += [f"--address={self.address}"]
        result = subprocess.run(command, env=self.env, cwd=self.temp, capture_output=True, text=True, timeout=180)
        if result.returncode:
            raise RuntimeError(f"ray start failed on {ip}: {result.stdout[-1000:]} {result.stderr[-2000:]}")
        self.started.append(ip)

    def __enter__(self) -> "Cluster":
        # A port picked as free can be taken by another process before Ray binds it (a busy
        # machine): a failed start is cleaned up and tried again on new ports, at most three times.
        for attempt in range(3):
            try:
                for ip in self.ips:
                    self.start_node(ip)
                self.wait_for_nodes(len(self.ips))
                return self
            except RuntimeError:
                self.stop()
                if attempt == 2:
                    raise
                self._fresh()
            except BaseException:
                self.stop()
                raise

    def wait_for_nodes(self, count: int, timeout: float = 120) -> None:
        code = ("import ray, sys; ray.init(address=sys.argv[1], _node_ip_address=sys.argv[2], "
                "logging_level='ERROR'); print(sum(n['Alive'] for n in ray.nodes()))")
        deadline = time.monotonic() + timeout
        while True:
            result = subprocess.run([sys.executable, "-c", code, self.address, HEAD_IP], env=self.env,
                                    capture_output=True, text=True, timeout=120, cwd=self.temp)
            if result.stdout.strip() == str(count):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"cluster not up: {result.stdout} {result.stderr[-2000:]}")
            time.sleep(1)

    def pids(self) -> list[int]:
        """Every process of this cluster: those naming its temp folder, and their descendants."""
        table = processes()
        roots = [pid for pid, (_, cmd) in table.items() if self.temp in cmd and pid != os.getpid()]
        return sorted(set(roots + [d for r in roots for d in descendants(r, table)]))

    def node_pids(self, ip: str) -> list[int]:
        """The processes of one node: its raylet and everything under it, and its other daemons."""
        table = processes()
        roots = [pid for pid, (_, cmd) in table.items() if self.temp in cmd and f"={ip}" in cmd]
        roots += [pid for pid, (_, cmd) in table.items() if self.temp in cmd and f" {ip} " in cmd]
        return sorted(set(roots + [d for r in roots for d in descendants(r, table)]))

    def workers(self, name: str = "ray::MapWorker") -> list[int]:
        table = processes()
        return [pid for pid in self.pids() if table.get(pid, (0, ""))[1].startswith(name)]

    def stop(self) -> None:
        pids = self.pids()
        kill(pids, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
            time.sleep(0.2)
        kill(self.pids())
        shutil.rmtree(self.temp, ignore_errors=True)

    def __exit__(self, *exc) -> None:
        self.stop()
