"""A real ``neuromap serve`` in a subprocess, for the service and docs tests.

Started on a free loopback port, waited for until every worker has started, stopped (SIGTERM,
then SIGKILL) at the end; its log goes to a file the tests read.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

START_SECONDS = 90  # two workers each import neuromap and load the atlas, on shared cores


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``neuromap serve --port <free> --workers N <args>`` as a context manager."""

    def __init__(self, *args: str, workers: int = 2) -> None:
        self.port = free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="neuromap-serve-", suffix=".log")[1])
        self.args = [sys.executable, "-m", "neuromap", "serve", "--port", str(self.port), "--workers",
                     str(workers), *args]
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         env=env, cwd=tempfile.gettempdir())
        try:
            self.wait_ready(START_SECONDS)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def wait_ready(self, seconds: float, started: int | None = None) -> None:
        """Until *started* workers (all of them by default) have started and the service answers /health."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, f"the server exited:\n{self.text()}"
            if self.text().count("Application startup complete") >= (started or self.workers):
                try:
                    if httpx.get(f"{self.url}/health", timeout=5).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        raise TimeoutError(f"the server did not start in {seconds} s:\n{self.text()}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                for pid in self.worker_pids():
                    os.kill(pid, signal.SIGKILL)
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.unlink(missing_ok=True)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def worker_pids(self) -> list[int]:
        """The live worker processes (children of the server that run uvicorn's spawned target)."""
        assert self.proc is not None
        pids = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[1]) == self.proc.pid and fields[0] != "Z" and b"spawn_main" in cmdline:
                pids.append(int(entry))
        return sorted(pids)

    def worker_of(self, client: socket.socket) -> int:
        """The worker process holding the server end of a client's connection."""
        client_port = client.getsockname()[1]
        inode = None
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            parts = line.split()
            local, remote = parts[1], parts[2]
            if int(local.split(":")[1], 16) == self.port and int(remote.split(":")[1], 16) == client_port:
                inode = parts[9]
        assert inode is not None, "the connection is not in /proc/net/tcp"
        for pid in self.worker_pids():
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                        return pid
                except OSError:
                    continue
        raise AssertionError("no worker holds the connection")
