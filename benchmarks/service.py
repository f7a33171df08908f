"""The HTTP service's figures (issue #21): latency at a steady rate and throughput at saturation.

Usage::

    python benchmarks/service.py [--quick] [--json out.json]

Starts ``neuromap serve --workers 2`` on a free loopback port and sends ``POST /localize`` with
the named case of ``benchmarks/run.py`` (``NAMED_CASE``) from a client in this process (asyncio,
keep-alive connections, raw HTTP/1.1 so that the client costs little of the two cores it shares
with the workers):

* **open loop**: requests sent at a steady ``--rate`` (200/s) for ``--seconds`` (30), each at its
  scheduled time whether or not earlier answers have come back; the latency of a request runs
  from its scheduled time to the last byte of its answer (client included, no coordinated
  omission). Budget: p99 <= 25 ms.
* **saturation**: ``--clients`` (50) connections each sending its next request as soon as the
  previous answer is in, for ``--saturation-seconds`` (30) in all: requests/s and p99.
* **floor**: the same number of worker processes calling :func:`neuromap.io.localize_json` on
  the same JSON text in a loop for as long: calls/s. Budget: saturation >= half the floor.
  Saturation and floor alternate in ``--rounds`` (6) rounds in ABBA order, so that a change
  in the load of the (shared) machine falls on both.

Every answer is checked (status 200, and the first one equal to ``localize_json``'s result).
This is not a test and pytest does not collect it (see ``benchmarks/conftest.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import NAMED_CASE, p99  # noqa: E402

BODY = json.dumps(NAMED_CASE).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "neuromap", "serve", "--port", str(port), "--workers", str(workers)]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=tempfile.gettempdir())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        if log.read_text().count("Application startup complete") >= workers:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                    if r.status == 200:
                        return proc
            except OSError:
                pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def request(port: int) -> bytes:
    return (b"POST /localize HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (port, len(BODY), BODY))


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


#: Seconds a connection may stay idle in the pool: under the server's keep-alive (5 s), after
#: which it closes the connection.
IDLE_SECONDS = 3.0


class Connections:
    """Keep-alive connections to the server, the most recently used first; a connection idle for
    :data:`IDLE_SECONDS` is closed rather than reused (the server may be closing it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []

    async def get(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        now = time.perf_counter()
        while self.idle and now - self.idle[0][2] > IDLE_SECONDS:  # the oldest first
            self.idle.pop(0)[1].close()
        if self.idle:
            reader, writer, _ = self.idle.pop()
            return reader, writer
        return await asyncio.open_connection("127.0.0.1", self.port)

    def put(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        self.idle.append((*conn, time.perf_counter()))

    def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()


async def one(conns: Connections, payload: bytes, start: float, out: list[float], bad: list[int]) -> None:
    conn = await conns.get()
    conn[1].write(payload)
    status, _ = await read_response(conn[0])
    out.append(time.perf_counter() - start)
    if status != 200:
        bad.append(status)
    conns.put(conn)


async def open_loop(port: int, rate: float, seconds: float) -> dict:
    conns = Connections(port)
    payload = request(port)
    for _ in range(8):  # warm connections
        await one(conns, payload, time.perf_counter(), [], [])
    latencies: list[float] = []
    bad: list[int] = []
    tasks = []
    n = int(rate * seconds)
    t0 = time.perf_counter() + 0.05
    for i in range(n):
        at = t0 + i / rate
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(conns, payload, at, latencies, bad)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    conns.close()
    lat = sorted(latencies)
    return {"requests": n, "sent_per_s": round(n / elapsed, 1), "non_200": len(bad),
            "p50_ms": round(lat[len(lat) // 2] * 1000, 2), "p99_ms": round(p99(lat) * 1000, 2),
            "max_ms": round(lat[-1] * 1000, 2)}


async def closed_loop(port: int, clients: int, seconds: float) -> dict:
    payload = request(port)
    latencies: list[float] = []
    bad: list[int] = []

    async def client(deadline: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (start := time.perf_counter()) < deadline:
            writer.write(payload)
            status, _ = await read_response(reader)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                bad.append(status)
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(client(t0 + seconds) for _ in range(clients)))
    return {"requests": len(latencies), "non_200": len(bad), "latencies": latencies}


def _floor_worker(seconds: float, barrier, queue) -> None:
    from neuromap.io import localize_json

    for _ in range(20):
        localize_json(BODY)
    barrier.wait()  # the workers loop at the same time, as the service's do
    n = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        localize_json(BODY)
        n += 1
    queue.put(n)


def floor(workers: int, seconds: float) -> int:
    """Calls of localize_json made by *workers* fresh processes looping for *seconds* together."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    barrier = ctx.Barrier(workers)
    procs = [ctx.Process(target=_floor_worker, args=(seconds, barrier, queue)) for _ in range(workers)]
    for p in procs:
        p.start()
    total = sum(queue.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    return total


def saturation_and_floor(port: int, clients: int, workers: int, seconds: float, rounds: int) -> tuple[dict, dict]:
    """The saturation and the floor in alternating rounds (ABBA), so that a change of the machine's load
    during the run falls on both."""
    step = seconds / rounds
    latencies: list[float] = []
    served = calls = bad = 0
    for i in range(rounds):
        order = ("service", "floor") if i % 2 == 0 else ("floor", "service")
        for what in order:
            if what == "service":
                r = asyncio.run(closed_loop(port, clients, step))
                served += r["requests"]
                bad += r["non_200"]
                latencies += r["latencies"]
            else:
                calls += floor(workers, step)
    lat = sorted(latencies)
    saturated = {"clients": clients, "rounds": rounds, "requests": served, "req_per_s": round(served / seconds, 1),
                 "non_200": bad, "p50_ms": round(lat[len(lat) // 2] * 1000, 2), "p99_ms": round(p99(lat) * 1000, 2)}
    return saturated, {"workers": workers, "calls": calls, "calls_per_s": round(calls / seconds, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rate", type=float, default=200.0)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--saturation-seconds", type=float, default=30.0)
    ap.add_argument("--rounds", type=int, default=6, help="saturation and floor alternate in this many rounds")
    ap.add_argument("--quick", action="store_true", help="5 s per figure (a check that it runs, not a figure)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args(argv)
    if args.quick:
        args.seconds, args.saturation_seconds, args.rounds = 5.0, 6.0, 2
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    from neuromap.io import localize_json

    expected = localize_json(BODY)
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="neuromap-bench-serve-", suffix=".log")[1])
    proc = start_server(port, args.workers, log)
    try:
        with urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/localize", data=BODY)) as r:
            assert json.loads(r.read()) == expected, "the service's answer differs from localize_json's"
        steady = asyncio.run(open_loop(port, args.rate, args.seconds))
        saturated, direct = saturation_and_floor(port, args.clients, args.workers, args.saturation_seconds,
                                                 args.rounds)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        log.unlink(missing_ok=True)
    ratio = saturated["req_per_s"] / direct["calls_per_s"]
    out = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "open_loop": steady, "saturation": saturated, "floor_localize_json": direct,
        "saturation_over_floor": round(ratio, 3),
        "budgets": {"open_loop_p99_le_25ms": steady["p99_ms"] <= 25.0, "saturation_ge_half_floor": ratio >= 0.5},
    }
    print(f"open loop   {steady['sent_per_s']:7.1f} req/s sent: p50 {steady['p50_ms']:.2f} ms, "
          f"p99 {steady['p99_ms']:.2f} ms, max {steady['max_ms']:.2f} ms (budget p99 <= 25 ms), "
          f"{steady['non_200']} not 200")
    print(f"saturation  {saturated['req_per_s']:7.1f} req/s with {args.clients} clients ({args.rounds} rounds): "
          f"p50 {saturated['p50_ms']:.2f} ms, p99 {saturated['p99_ms']:.2f} ms, {saturated['non_200']} not 200")
    print(f"floor       {direct['calls_per_s']:7.1f} localize_json calls/s in {args.workers} processes; "
          f"saturation / floor = {ratio:.2f} (budget >= 0.5)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0 if all(out["budgets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
