"""The registries figures of issue #19 (``python benchmarks/run.py --only registries``).

Rows, each a ratio to a floor measured in the same run:

* distinct named-region cases with motor and reflex findings, ranking-only
  (``localize_many(lines, explain=False, top=5)``, default workers) against ``json.loads`` of
  the same JSONL lines (one process): budget <= 4x;
* the same cases with full explanations (``explain=True``), CPU per case in one process,
  against the 706 us of issue #19: budget <= 706 / 3 us;
* 1e4 distinct drawings, ranking-only, against the serial GEOS overlay of the same drawings
  divided by the cores: budget <= 1.5x;
* resident memory of a 2e5-case ranking-only run streamed from a generator (chunk-bounded),
  over the loaded atlas: budget <= 1 GB;
* Dask on two local worker processes against one process on the same cases: budget >= 1.6x.

With ``NEUROMAP_BENCH_BEFORE=/path/to/an/older/tree`` the engine rows are also measured with
that tree's neuromap (a child process with ``PYTHONPATH`` pointing at it) for a before column.
"""

from __future__ import annotations

import gc
import json
import marshal
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
PY = sys.executable
TARGET_EXPLAIN_US = 706 / 3


def registry_lines(n: int, seed: int = 11) -> list[str]:
    """n distinct JSONL cases: 1-4 named regions in one or two entries, 0-3 graded movements, 0-2
    reflexes, a side, and a record id (so that no two lines are equal)."""
    return list(iter_registry(n, seed))


def iter_registry(n: int, seed: int = 11):
    from cases import named_case, vocabulary

    import neuromap

    rnd = random.Random(seed)
    vocab = vocabulary(neuromap.load_atlas())
    for i in range(n):
        yield json.dumps({"id": f"r{i}", **named_case(rnd, *vocab)})


def cpu() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def child(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "engine":  # serial CPU per case: json.loads, full results, ranking-only (if the tree has it)
        import neuromap.io as nio

        n = int(argv[1])
        lines = registry_lines(n)
        nio.localize_many(lines[:200], workers=1)
        t0 = cpu()
        for line in lines:
            json.loads(line)
        loads = (cpu() - t0) / n
        t0 = cpu()
        full_results = nio.localize_many(lines, workers=1)
        full = (cpu() - t0) / n
        full_floor = output_floor(full_results)
        full_bytes = sum(len(json.dumps(r)) for r in full_results) / n
        del full_results  # the next row must not pay the collector's walks over this run's results
        gc.collect()
        ranking = None
        ranked: list = []
        try:
            t0 = cpu()
            ranked = nio.localize_many(lines, workers=1, explain=False, top=5)
            ranking = (cpu() - t0) / n
        except TypeError:  # an older tree: no ranking-only results
            pass
        print(json.dumps({"loads": loads, "full": full, "ranking": ranking, "full_floor": full_floor,
                          "ranking_floor": output_floor(ranked), "full_bytes": full_bytes}))
    elif kind == "memory":  # peak RSS of a streamed ranking-only run over the RSS after load_atlas
        import neuromap
        from neuromap.io import localize_iter

        n = int(argv[1])
        neuromap.load_atlas()
        neuromap.localize({"side": "left", "reflexes": {"achilles": "absent"}})
        base = status_kb(os.getpid(), "VmRSS")
        workers: dict[int, int] = {}
        t0 = time.perf_counter()
        count = 0
        for _ in localize_iter(iter_registry(n), explain=False, top=5):
            count += 1
            if count % 5000 == 0:  # the pool's workers: their peak so far
                for pid in children(os.getpid()):
                    workers[pid] = max(workers.get(pid, 0), status_kb(pid, "VmHWM"))
        wall = time.perf_counter() - t0
        peak = status_kb(os.getpid(), "VmHWM")
        print(json.dumps({"n": count, "base_kb": base, "peak_kb": peak, "worker_peaks_kb": sorted(workers.values()),
                          "wall": wall}))
    elif kind == "dask":  # the same frame ranked by one process, then by a LocalCluster of two processes
        import dask
        import dask.dataframe as dd
        import pandas as pd
        from distributed import Client, LocalCluster

        from neuromap.io import localize_table
        from neuromap.io.dask import localize_dataframe

        n = int(argv[1])
        frame = pd.DataFrame({"case": registry_lines(n)})
        localize_table(frame.head(200), workers=1)
        t0, c0 = time.perf_counter(), time.process_time()
        one = localize_table(frame, workers=1)
        t_one, c_one = time.perf_counter() - t0, time.process_time() - c0
        with dask.config.set({"dataframe.convert-string": False}), \
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
                Client(cl) as client:
            head = frame.head(200)
            client.run(lambda: len(localize_table(head, workers=1)))  # workers warmed as the one process was
            ddf = dd.from_pandas(frame, npartitions=8).persist()
            cpu0 = sum(client.run(time.process_time).values())
            t0 = time.perf_counter()
            two = localize_dataframe(ddf).compute()
            t_two = time.perf_counter() - t0
            busy = (sum(client.run(time.process_time).values()) - cpu0) / t_two
        same = one.reset_index(drop=True).equals(two.reset_index(drop=True).astype(one.dtypes.to_dict()))
        print(json.dumps({"one": t_one, "one_busy": c_one / t_one, "two": t_two, "two_busy": busy,
                          "same": bool(same)}))
    else:
        raise SystemExit(f"unknown child {kind!r}")


def output_floor(results: list) -> dict[str, float] | None:
    """What the results alone cost, per case (CPU s, best of 3): made again from bytes by
    :func:`marshal.loads` (the objects a result is, allocated at C speed: no engine can hand them
    over for less) and carried from a worker (``marshal.dumps`` there, ``marshal.loads`` here)."""
    if not results:
        return None
    packed = [marshal.dumps(r) for r in results]
    make = carry = float("inf")
    for _ in range(3):
        t0 = cpu()
        for b in packed:
            marshal.loads(b)
        make = min(make, cpu() - t0)
        t0 = cpu()
        for r in results:
            marshal.loads(marshal.dumps(r))
        carry = min(carry, cpu() - t0)
    return {"make": make / len(results), "carry": carry / len(results)}


def status_kb(pid: int, key: str) -> int:
    """A ``/proc/<pid>/status`` figure in kB (VmRSS now, VmHWM its peak since the process started)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """The child processes of *pid* (Linux)."""
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return out


def run_child(args: list[str], env: dict[str, str] | None = None) -> dict:
    proc = subprocess.run([PY, str(HERE), "--child", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_registries(bench) -> None:
    """The rows of the registries figure (``bench`` is run.py's Bench)."""
    import shapely
    from cases import drawing_cases, view_polys
    from shapely.geometry import Polygon

    import neuromap
    import neuromap.io as nio

    quick = bench.quick
    cores = bench.nproc
    before = os.environ.get("NEUROMAP_BENCH_BEFORE")

    # 1. engine, one process: json.loads, full results, ranking-only (and the older tree's)
    n_engine = 1000 if quick else 3000
    now = run_child(["engine", str(n_engine)])
    old = run_child(["engine", str(n_engine)], env={"PYTHONPATH": before}) if before else None
    bench.row("registries: full results (explain=True), distinct named cases, CPU per case", now["full"] * 1e6,
              "us", floor=706.0, ratio=now["full"] * 1e6 / 706.0, budget=f"<= {TARGET_EXPLAIN_US:.0f} us (3x faster "
              "than 706 us)", ok=now["full"] * 1e6 <= TARGET_EXPLAIN_US, key="reg_explain",
              note=f"{n_engine} distinct cases, one process; "
                   + (f"before (older tree, same run): {old['full'] * 1e6:.0f} us; " if old else "")
                   + f"ranking-only: {now['ranking'] * 1e6:.0f} us CPU per case; json.loads: "
                     f"{now['loads'] * 1e6:.1f} us per line")
    ff, rf = now.get("full_floor"), now.get("ranking_floor")
    if ff:  # context: what the output alone costs, beside the budgets above and below
        bench.row("registries: the full results alone, made again from bytes (marshal.loads), CPU per case",
                  ff["make"] * 1e6, "us", floor=TARGET_EXPLAIN_US, ratio=ff["make"] * 1e6 / TARGET_EXPLAIN_US,
                  key="reg_explain_floor",
                  note=f"a full result is {now['full_bytes'] / 1024:.1f} KB of JSON; allocating its objects at C speed "
                       f"takes this share of the {TARGET_EXPLAIN_US:.0f} us budget before any engine work; carried "
                       f"from a worker (dumps + loads): {ff['carry'] * 1e6:.0f} us")
    if rf:
        bench.row("registries: the ranking-only results alone, carried from a worker (marshal dumps + loads), "
                  "CPU per case", rf["carry"] * 1e6, "us", floor=now["loads"] * 1e6,
                  ratio=rf["carry"] / now["loads"], key="reg_ranking_floor",
                  note=f"against json.loads of the case line; made again from bytes alone: {rf['make'] * 1e6:.1f} us "
                       "(the parent's share of the carrying, serial however many workers)")

    # 2. ranking-only, default workers, against json.loads of the same lines
    n = 4000 if quick else 20000
    lines = registry_lines(n)
    t0 = time.perf_counter()
    for line in lines:
        json.loads(line)
    t_loads = time.perf_counter() - t0
    nio.localize_many(lines[:300], explain=False, workers=1)
    c0, t0 = cpu(), time.perf_counter()
    out = nio.localize_many(lines, explain=False, top=5)
    wall = time.perf_counter() - t0
    busy = (cpu() - c0) / wall
    errors = sum(1 for o in out if "error" in o)
    ratio = wall / t_loads
    bench.row(f"registries: ranking-only, {n} distinct named cases (localize_many)", wall / n * 1e6, "us",
              floor=t_loads / n * 1e6, ratio=ratio, budget="<= 4x json.loads", ok=ratio <= 4.0, key="reg_ranking",
              note=f"{n / wall:,.0f} cases/s on {cores} workers ({busy:.2f} cores busy, pool start-up included); "
                   f"floor: json.loads of the same JSONL lines, one process ({n / t_loads:,.0f} lines/s); "
                   f"{errors} errors")

    # 3. drawings, ranking-only, against the serial GEOS overlay / cores
    atlas = neuromap.load_atlas()
    nd = 2000 if quick else 10000
    dc = drawing_cases(atlas, nd)
    pv = {(v, s): view_polys(atlas, v, s) for v in atlas.template.views for s in ("left", "right")}
    geoms = [Polygon(ring) for *_, ring in dc]
    t0 = time.perf_counter()
    for (_, v, s, _), g in zip(dc, geoms, strict=True):
        shapely.area(shapely.intersection(g, pv[(v, s)]))
    floor = (time.perf_counter() - t0) / cores
    texts = [json.dumps(c) for c, *_ in dc]
    t0 = time.perf_counter()
    out = nio.localize_many(texts, explain=False, top=5)
    wall = time.perf_counter() - t0
    r = wall / floor
    bench.row(f"registries: ranking-only, {nd} distinct drawings", wall, "s", floor=floor, ratio=r,
              budget="<= 1.5x serial GEOS overlay / cores", ok=r <= 1.5, key="reg_drawings",
              note=f"{wall / nd * 1e6:.0f} us wall per drawing on {cores} workers; floor "
                   f"{floor * cores / nd * 1e6:.0f} us per drawing serial / {cores}; "
                   f"{sum(1 for o in out if 'error' in o)} errors")

    # 4. memory of a long run, streamed
    nm = 20000 if quick else 200000
    m = run_child(["memory", str(nm)])
    worst = max([m["peak_kb"], *m["worker_peaks_kb"]])
    over = (worst - m["base_kb"]) / 1024
    bench.row(f"registries: peak RSS of a {nm}-case ranking-only stream, over the loaded atlas", over, "MB",
              budget="<= 1 GB (chunk-bounded)", ok=over <= 1024, key="reg_memory",
              note=f"RSS after load_atlas {m['base_kb'] / 1024:.0f} MB; peak (VmHWM) of the main process "
                   f"{m['peak_kb'] / 1024:.0f} MB, of the workers "
                   f"{', '.join(f'{k / 1024:.0f}' for k in m['worker_peaks_kb'])} MB; {m['n'] / m['wall']:,.0f} "
                   "cases/s")

    # 5. Dask, two local worker processes against one process
    nk = 4000 if quick else 40000
    d = run_child(["dask", str(nk)])
    speed = d["one"] / d["two"]
    bench.row(f"registries: Dask LocalCluster 2 processes vs 1 process, {nk} cases", d["two"], "s", floor=d["one"],
              ratio=speed, budget=">= 1.6x", ok=speed >= 1.6, key="reg_dask",
              note=f"one process {d['one']:.1f} s ({nk / d['one']:,.0f} cases/s, {d['one_busy']:.2f} cores busy), "
                   f"two workers {d['two']:.1f} s ({d['two_busy']:.2f} cores busy: the CPU the two workers got); "
                   f"same table: {d['same']}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2:])
