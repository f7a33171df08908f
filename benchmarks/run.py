"""neuromap performance figures, each measured against its floor in the same run.

Usage::

    python benchmarks/run.py [--quick] [--json out.json] [--only NAME[,NAME...]]

Every figure is printed next to the building block it is compared with (its "floor"),
measured in the same run so that machine load cancels out of the ratio:

* start-up figures run fresh interpreters (``subprocess``), neuromap and floor runs
  interleaved (ABBA order) and the median of >= 15 runs each is taken;
* in-process figures use ``time.perf_counter_ns`` loops after a warm-up;
* memory uses ``/proc/self/statm`` (resident set) and ``tracemalloc`` in fresh interpreters.

The budgets are the figures a user feels (issue #14): ``import neuromap`` <= 1.2x
``import shapely, networkx``; the first ``load_atlas()`` <= 20 ms; ``localize(case).to_dict()``
and ``localize_json`` p99 <= 1 ms; the command-line process <= 1.3x; 1e6 points >= 20 M/s and
>= 5x prepared ``contains_xy``; the first figure <= 1.2x and the steady figure <= 1.5x a bare
PolyCollection + labels figure; memory <= 50 MB. Rows marked ``[info]`` have no budget (the
microsecond budgets of the ranking and of drawings were withdrawn; batches of distinct cases
and drawings belong to the registries issue).

This is not a test and pytest does not collect it (see ``benchmarks/conftest.py``).
The module imports only the standard library at top level: it is also the child script
(``--child NAME``) of the fresh-process measurements.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cases import drawing_cases, ellipse, view_polys  # stdlib only at top level too

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
pc = time.perf_counter_ns

#: the named-region case of the brief: motor and reflex findings, one normal region
NAMED_CASE = {
    "side": "left",
    "sensory": [{"regions": ["dorsum of foot"], "modality": "numbness"},
                {"regions": ["medial malleolus"], "state": "normal"}],
    "motor": [{"name": "ankle dorsiflexion", "grade": 4}, {"name": "hip abduction", "grade": "normal"}],
    "reflexes": {"achilles": "normal", "patellar": "normal"},
}
FLOOR_IMPORT = "import shapely, networkx"


# ----------------------------------------------------------------------------- helpers
#: Fresh interpreters run with bytecode cached, as after ``pip install`` (which compiles every
#: module).  An environment with PYTHONDONTWRITEBYTECODE=1 and an editable install would
#: otherwise recompile neuromap's ~25 modules in every process (~90 ms on the reference
#: machine) while the floor's dependencies load from their installed .pyc files.  The cache
#: goes to a separate tree (PYTHONPYCACHEPREFIX) so the source tree is not touched.
#: ``--as-is`` keeps the environment unchanged.
AS_IS = False
PYCACHE = Path(tempfile.gettempdir()) / "neuromap-bench-pycache"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"  # same (headless) backend for neuromap and floor runs
    if not AS_IS:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def run_child(args: list[str], *, parse: bool = True) -> tuple[int, dict | None]:
    """Run a fresh interpreter; return (wall ns, the JSON its last stdout line holds)."""
    t0 = pc()
    proc = subprocess.run(args, capture_output=True, text=True, env=child_env(), cwd=tempfile.gettempdir())
    wall = pc() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1]) if parse else None
    return wall, out


def self_child(name: str, *extra: str) -> list[str]:
    return [PY, str(Path(__file__).resolve()), "--child", name, *extra]


def interleave(a, b, n: int, warm: int = 1) -> tuple[list[float], list[float]]:
    """Call a() and b() n times each in ABBA order (after `warm` discarded calls of each)."""
    for _ in range(warm):
        a()
        b()
    ra: list[float] = []
    rb: list[float] = []
    for i in range(n):
        if i % 2 == 0:
            ra.append(a())
            rb.append(b())
        else:
            rb.append(b())
            ra.append(a())
    return ra, rb


def sample(fn, n: int, warm: int) -> list[int]:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(n):
        t0 = pc()
        fn()
        out.append(pc() - t0)
    return out


def med(xs) -> float:
    return float(statistics.median(xs))


def p99(xs) -> float:
    s = sorted(xs)
    return float(s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))])


def named_cases(n: int) -> list[dict]:
    """n named-region cases cycling through 162 distinct variants of NAMED_CASE."""
    import itertools

    variants = []
    for side, grade, mod, ach, pat in itertools.product(
            ("left", "right"), (3, 4, "normal"), ("numbness", "tingling", "pain"),
            ("normal", "reduced", "absent"), ("normal", "reduced", "absent")):
        variants.append({
            "side": side,
            "sensory": [{"regions": ["dorsum of foot"], "modality": mod},
                        {"regions": ["medial malleolus"], "state": "normal"}],
            "motor": [{"name": "ankle dorsiflexion", "grade": grade}, {"name": "hip abduction", "grade": "normal"}],
            "reflexes": {"achilles": ach, "patellar": pat},
        })
    return [variants[i % len(variants)] for i in range(n)]


def distinct_named_cases(atlas, n: int, seed: int = 11) -> list[dict]:
    """n named-region cases that are all different (no two equal): regions, modalities, grades,
    reflexes and sides drawn at random from the atlas's vocabulary."""
    import random

    from cases import named_case, vocabulary

    rnd = random.Random(seed)
    vocab = vocabulary(atlas)
    seen: set[str] = set()
    out: list[dict] = []
    while len(out) < n:
        case = named_case(rnd, *vocab)
        key = json.dumps(case, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(case)
    return out


def cpu_seconds() -> float:
    import resource

    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def statm_rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ----------------------------------------------------------------------------- the bare figure (floor)
def figure_spec(display) -> dict:
    """What plot_dermatomes drew, as plain data: the floor redraws it without neuromap."""
    import shapely
    from matplotlib.colors import to_hex

    import neuromap

    t = neuromap.load_atlas().template
    fig = display.figure
    views = {}
    by_ax = {id(ax): k for k, ax in display.axes.items()}
    for key in display.axes:
        regions = t.regions(key)
        views[key] = {
            "polys": [shapely.get_coordinates(t.polygon(r).exterior).round(3).tolist() for r in regions],
            "faces": [to_hex(display.patches[r].get_facecolor()) for r in regions],
            "labels": [],
        }
    for _, txt in display.labels.items():
        x, y = txt.get_position()
        views[by_ax[id(txt.axes)]]["labels"].append([float(x), float(y), txt.get_text(), float(txt.get_fontsize())])
    return {"figsize": [float(v) for v in fig.get_size_inches()], "dpi": float(fig.dpi), "views": views}


def bare_figure(spec: dict) -> bytes:
    """One PolyCollection per view plus text labels, same polygons, size and dpi; PNG bytes."""
    import io

    buf = io.BytesIO()
    build_bare_figure(spec).savefig(buf, format="png")
    return buf.getvalue()


def build_bare_figure(spec: dict):
    """The floor's figure (see :func:`bare_figure`), built and not yet drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure

    fig = Figure(figsize=spec["figsize"], dpi=spec["dpi"])
    FigureCanvasAgg(fig)
    n = len(spec["views"])
    for i, (view, v) in enumerate(spec["views"].items()):
        ax = fig.add_subplot(1, n, i + 1)
        ax.set_axis_off()
        ax.add_collection(PolyCollection(v["polys"], facecolors=v["faces"], edgecolors="white", linewidths=0.8))
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.set_title(view, fontsize=9)
        for x, y, text, size in v["labels"]:
            ax.text(x, y, text, ha="center", va="center", fontsize=size)
    return fig


# ----------------------------------------------------------------------------- children (fresh interpreters)
def child(name: str, argv: list[str]) -> None:
    if name == "load":
        import neuromap
        import neuromap.atlas  # noqa: F401  (the modules load_atlas needs, so the timer sees the call only)

        t0 = pc()
        a = neuromap.load_atlas()
        t1 = pc()
        b = neuromap.load_atlas()
        t2 = pc()
        assert a is b, "load_atlas() did not return the cached atlas"
        print(json.dumps({"first_ns": t1 - t0, "again_ns": t2 - t1, "cached": a is b}))
    elif name == "load_floor":
        import shapely

        d = Path(argv[0])
        t0 = pc()
        for p in sorted(d.glob("*.json")):
            json.loads(p.read_bytes())
        g = shapely.from_geojson(d.joinpath("foot.geojson").read_bytes())
        t1 = pc()
        assert len(g.geoms) > 0
        print(json.dumps({"ns": t1 - t0}))
    elif name == "mpl_check":
        import traceback

        culprit: dict[str, str] = {}

        class Hook:
            def find_spec(self, fullname, path, target=None):
                if fullname == "matplotlib" and not culprit:
                    frames = [f for f in traceback.extract_stack() if "neuromap" in f.filename
                              and "benchmarks" not in f.filename]
                    culprit["at"] = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
                return None

        sys.meta_path.insert(0, Hook())
        seen: list[str] = []

        def check(stage: str) -> None:
            if "matplotlib" in sys.modules and not seen:
                seen.append(stage)

        import neuromap

        check("import neuromap")
        neuromap.load_atlas()
        check("load_atlas()")
        r = neuromap.localize(NAMED_CASE)
        check("localize(case)")
        r.to_dict()
        check("localize(case).to_dict()")
        from neuromap.io import localize_json

        localize_json(NAMED_CASE)
        check("localize_json(case)")
        print(json.dumps({"first_stage": seen[0] if seen else None, "culprit": culprit.get("at")}))
    elif name == "fig_first":
        import io

        t0 = pc()
        from neuromap.plotting import plot_dermatomes

        buf = io.BytesIO()
        plot_dermatomes().savefig(buf, format="png")
        t1 = pc()
        print(json.dumps({"ns": t1 - t0, "bytes": len(buf.getvalue())}))
    elif name == "fig_first_floor":
        t0 = pc()
        import matplotlib.pyplot  # noqa: F401

        spec = json.loads(Path(argv[0]).read_text())
        png = bare_figure(spec)
        t1 = pc()
        print(json.dumps({"ns": t1 - t0, "bytes": len(png)}))
    elif name in ("mem_rss", "mem_trace"):
        import gc

        import numpy  # noqa: F401
        import shapely  # noqa: F401

        gc.collect()
        if name == "mem_trace":
            import tracemalloc

            tracemalloc.start()
        rss0 = statm_rss()
        import neuromap

        atlas = neuromap.load_atlas()
        gc.collect()
        rss_atlas = statm_rss()
        neuromap.localize(NAMED_CASE).to_dict()
        gc.collect()
        rss1 = statm_rss()
        traced1 = tracemalloc.get_traced_memory() if name == "mem_trace" else (0, 0)
        # everything lazy warmed: both sides, every view raster, a drawing, every dermatome layer
        import numpy as np

        t = atlas.template
        for s in ("left", "right"):
            for v in t.views:
                x0, y0, x1, y1 = t.bounds(v, side=s)
                t.classify_points(np.array([[x0, y0], [x1, y1]]), v, side=s)
        for case, *_ in drawing_cases(atlas, 8):
            neuromap.localize(case).to_dict()
        for m in atlas.dermatome_maps:
            neuromap.localize(NAMED_CASE, dermatome_map=m).to_dict()
        gc.collect()
        rss2 = statm_rss()
        traced2 = tracemalloc.get_traced_memory() if name == "mem_trace" else (0, 0)
        print(json.dumps({"rss0": rss0, "rss_atlas": rss_atlas, "rss1": rss1, "rss2": rss2,
                          "traced1": traced1[0], "traced_peak1": traced1[1], "traced2": traced2[0]}))
    else:
        raise SystemExit(f"unknown child {name!r}")


# ----------------------------------------------------------------------------- the figures
class Bench:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.rows: list[dict] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="neuromap-bench-"))
        self.nproc = len(os.sched_getaffinity(0))

    def row(self, figure: str, nm: float, unit: str, *, floor: float | None = None, ratio: float | None = None,
            budget: str = "", ok: bool | None = None, p99_: float | None = None, note: str = "",
            key: str = "") -> None:
        r = {"key": key, "figure": figure, "neuromap_median": nm, "neuromap_p99": p99_, "floor_median": floor,
             "unit": unit, "ratio": ratio, "budget": budget, "pass": ok, "note": note}
        self.rows.append(r)
        print_row(r)

    def runs(self, full: int) -> int:
        return 5 if self.quick else full

    # 1. import
    def imports(self) -> None:
        n = self.runs(15)
        nm, fl = interleave(lambda: run_child([PY, "-c", "import neuromap"], parse=False)[0],
                            lambda: run_child([PY, "-c", FLOOR_IMPORT], parse=False)[0], n, warm=2)
        r = med(nm) / med(fl)
        self.row("python -c 'import neuromap'", med(nm) / 1e6, "ms", floor=med(fl) / 1e6, ratio=r,
                 budget="<= 1.2x import shapely, networkx", ok=r <= 1.2, note=f"{n} runs each, whole process",
                 key="import")
        _, out = run_child(self_child("mpl_check"))
        ok = out["first_stage"] is None
        self.row("no matplotlib on import/load_atlas/localize", 0.0 if ok else 1.0, "-", budget="never imported",
                 ok=ok, key="no_matplotlib",
                 note="clean (also after to_dict and localize_json)" if ok else
                 f"matplotlib imported by {out['first_stage']} (first import at {out['culprit']})")

    # 2. load_atlas
    def load(self) -> None:
        import neuromap
        from neuromap.datasets import bundled_data_dir

        n = self.runs(15)
        data = str(bundled_data_dir())
        again: list[float] = []

        def a() -> float:
            out = run_child(self_child("load"))[1]
            again.append(out["again_ns"])
            return out["first_ns"]

        nm, fl = interleave(a, lambda: run_child(self_child("load_floor", data))[1]["ns"], n, warm=1)
        self.row("first load_atlas() in a fresh process", med(nm) / 1e6, "ms", floor=med(fl) / 1e6,
                 ratio=med(nm) / med(fl), budget="<= 20 ms", ok=med(nm) / 1e6 <= 20, key="load_atlas",
                 note=f"{n} runs; imports done before the timer; floor = json.loads of data/*.json + "
                      f"shapely.from_geojson(foot.geojson); repeat call {med(again) / 1e3:.1f} us, same object")
        assert neuromap.load_atlas() is neuromap.load_atlas()

    # 3. localize named case
    def localize_named(self) -> None:
        import neuromap
        from neuromap.io import localize_json

        neuromap.load_atlas()
        n = 300 if self.quick else 3000
        alone = sample(lambda: neuromap.localize(NAMED_CASE), n, warm=50)
        full = sample(lambda: neuromap.localize(NAMED_CASE).to_dict(), n, warm=50)
        js = sample(lambda: localize_json(NAMED_CASE), n, warm=50)
        pool = named_cases(162)
        it = iter(range(10**9))
        varied = sample(lambda: neuromap.localize(pool[next(it) % 162]).to_dict(), n // 2, warm=162)
        # the output's own floor: the fastest way CPython builds the same object tree (marshal)
        import marshal

        out = neuromap.localize(NAMED_CASE).to_dict()
        blob = marshal.dumps(out)
        built = sample(lambda: marshal.loads(blob), n, warm=50)
        size = len(json.dumps(out))
        n_hyp = len(out["hypotheses"])
        self.row("localize(case)  [info: ranking, no explanations]", med(alone) / 1e3, "us", p99_=p99(alone) / 1e3,
                 key="localize_named",
                 note=f"{n} calls, warm; parse + score + rank + red flags/pattern/next exam; explanations not built")
        self.row("localize(case).to_dict()  [+ explanations, dict]", med(full) / 1e3, "us", p99_=p99(full) / 1e3,
                 floor=med(built) / 1e3, ratio=med(full) / med(built), budget="p99 <= 1000 us",
                 ok=p99(full) / 1e3 <= 1000, key="localize_named_to_dict",
                 note=f"{n} calls, warm; the above + .hypotheses (explanations, paths) + to_dict; the output: "
                      f"{n_hyp} hypotheses, {size:,} bytes as JSON; floor = marshal.loads of that output (building "
                      "the same dicts and lists in C, nothing computed)")
        self.row("localize_json(case)", med(js) / 1e3, "us", p99_=p99(js) / 1e3, budget="p99 <= 1000 us",
                 ok=p99(js) / 1e3 <= 1000, key="localize_json",
                 note="JSON limits + case check + localize + to_dict (what the CLI and localize_many run per case)")
        self.row("localize(varied).to_dict()  [info: 162 variants cycled]", med(varied) / 1e3, "us",
                 p99_=p99(varied) / 1e3, key="localize_varied",
                 note="sides, grades, modalities and reflex grades varied: per-case caches help less")

    # 4. localize with a drawing
    def localize_drawing(self) -> None:
        import shapely
        from shapely.geometry import Polygon

        import neuromap

        atlas = neuromap.load_atlas()
        t = atlas.template
        ax, ay = t.anchor("first_web_space", side="right")
        ring = ellipse(ax, ay - 5, 16, 24, 24, 0.3)
        case = {"side": "right", "sensory": [{"drawing": {"view": "dorsal", "polygon": ring}, "modality": "pain"}]}
        polys = view_polys(atlas, "dorsal", "right")
        geom = Polygon(ring)
        covered = int((shapely.area(shapely.intersection(geom, polys)) > 0).sum())
        n = 200 if self.quick else 2000

        def floor() -> None:
            shapely.area(shapely.intersection(geom, polys))

        nm = sample(lambda: neuromap.localize(case), n, warm=30)
        fl = sample(floor, n, warm=30)
        # the same overlay with the drawing built from its coordinates, as a case gives it
        built = sample(lambda: shapely.area(shapely.intersection(shapely.polygons(ring), polys)), n, warm=30)
        ov = sample(lambda: t.overlay(ring, "dorsal", side="right"), n, warm=30)
        full = sample(lambda: neuromap.localize(case).to_dict(), n // 2, warm=10)
        r = med(nm) / med(fl)
        self.row("localize(case with a drawing)  [info]", med(nm) / 1e3, "us", p99_=p99(nm) / 1e3,
                 floor=med(fl) / 1e3, ratio=r, key="localize_drawing",
                 note=f"24-vertex drawing over {covered} of {len(polys)} dorsal regions; floor = "
                      "shapely.area(shapely.intersection(drawing, polys)), drawing prebuilt")
        self.row("shapely.polygons(ring) + the floor  [info]", med(built) / 1e3, "us", floor=med(fl) / 1e3,
                 ratio=med(built) / med(fl), key="overlay_built",
                 note="the floor with the drawing built from its coordinates (what a case holds) each call")
        self.row("template.overlay(ring)  [info]", med(ov) / 1e3, "us", floor=med(fl) / 1e3,
                 ratio=med(ov) / med(fl), key="overlay", note="neuromap's overlay alone (parse + validate + overlay)")
        self.row("localize(drawing).to_dict()  [info]", med(full) / 1e3, "us", p99_=p99(full) / 1e3,
                 floor=med(fl) / 1e3, ratio=med(full) / med(fl), key="localize_drawing_to_dict")

    # 5. CLI
    def cli(self) -> None:
        exe = Path(PY).parent / "neuromap"
        cmd = [str(exe)] if exe.exists() else [PY, "-m", "neuromap"]
        case_file = self.tmp / "case.json"
        case_file.write_text(json.dumps(NAMED_CASE))
        args = [*cmd, "localize", str(case_file), "--json"]
        proc = subprocess.run(args, capture_output=True, text=True, env=child_env())
        if proc.returncode != 0:
            self.row("neuromap localize case.json --json", float("nan"), "ms", ok=False, key="cli",
                     note=f"CLI failed: {proc.stderr.strip()[-300:]}")
            return
        json.loads(proc.stdout)
        n = self.runs(15)
        nm, fl = interleave(lambda: run_child(args, parse=False)[0],
                            lambda: run_child([PY, "-c", FLOOR_IMPORT], parse=False)[0], n, warm=2)
        r = med(nm) / med(fl)
        self.row("neuromap localize case.json --json", med(nm) / 1e6, "ms", floor=med(fl) / 1e6, ratio=r,
                 budget="<= 1.3x import shapely, networkx", ok=r <= 1.3, key="cli",
                 note=f"{n} runs each, whole process, via {' '.join(Path(c).name for c in cmd)}")

    # 6. points
    def points(self) -> None:
        import numpy as np
        import shapely

        import neuromap

        atlas = neuromap.load_atlas()
        t = atlas.template
        view, side = "dorsal", "left"
        x0, y0, x1, y1 = t.bounds(view, side=side)
        rng = np.random.default_rng(1)
        n = 1_000_000
        xy = np.column_stack([rng.uniform(x0 - 5, x1 + 5, n), rng.uniform(y0 - 5, y1 + 5, n)])
        x, y = xy[:, 0].copy(), xy[:, 1].copy()
        polys = list(view_polys(atlas, view, side))
        shapely.prepare(polys)
        reps = 3 if self.quick else 9

        def floor() -> None:
            for p in polys:
                shapely.contains_xy(p, x, y)

        got = t.classify_points(xy, view, side=side)  # builds the raster
        nm, fl = interleave(lambda: _timed(lambda: t.classify_points(xy, view, side=side)), lambda: _timed(floor),
                            reps, warm=1)
        ref = np.full(n, -1)
        for i, p in enumerate(polys):
            ref[(ref < 0) & shapely.contains_xy(p, x, y)] = i
        agree = float((ref == got).mean())
        mps = n / (med(nm) / 1e9) / 1e6
        ratio = med(nm) / med(fl)
        self.row("classify_points, 1e6 points", mps, "Mpt/s", floor=n / (med(fl) / 1e9) / 1e6, ratio=ratio,
                 budget=">= 20 Mpt/s and >= 5x prepared contains_xy (ratio <= 0.2)", ok=mps >= 20 and ratio <= 0.2,
                 key="points",
                 note=f"{view} view, {side} foot, {len(polys)} regions, uniform in bbox+5mm ({(ref >= 0).mean():.0%} "
                      f"inside); {reps} reps; median {med(nm) / 1e6:.1f} ms vs floor {med(fl) / 1e6:.1f} ms; "
                      f"agrees with floor on {agree:.6%} of points")

    # 7. batch
    def batch(self) -> None:
        import neuromap
        import neuromap.io as nio

        atlas = neuromap.load_atlas()
        have = hasattr(nio, "localize_many")
        ncores = self.nproc

        cpu_per: list[float] = []

        def run_many(cases: list, workers: int | None = None) -> tuple[float, float, list]:
            c0, t0 = cpu_seconds(), pc()
            if have:
                out = nio.localize_many(cases, workers=workers)
            else:  # pragma: no cover - fallback while localize_many is being written
                from concurrent.futures import ProcessPoolExecutor

                with ProcessPoolExecutor(workers or ncores) as ex:
                    out = list(ex.map(nio.localize_json, cases, chunksize=256))
            wall = (pc() - t0) / 1e9
            cpu = cpu_seconds() - c0
            cpu_per.append(cpu / len(cases))
            return wall, cpu / wall, out

        # pool start-up (workers importing neuromap and loading the atlas), removed before extrapolating
        startup, _, _ = run_many(named_cases(2 * ncores), workers=ncores)
        cap = 4.0 if self.quick else 20.0  # seconds of wall allowed per batch figure

        def sized(make, N: int, first: int, budget: float = 0.0) -> tuple[int, float, float, list, str]:
            """Run `first` cases, then larger slices while they fit in `cap` seconds; run all N as
            soon as the latest slice's linear extrapolation fits in `cap` (or in four times the
            budget: with duplicates the rest costs less than a slice predicts); else extrapolate
            from the largest slice run."""
            cases = make(N)
            n, (wall, cores, out) = first, run_many(cases[:first])
            while n < N:
                rate = max(wall - startup, 1e-9) / n
                if startup + rate * N <= max(cap, 4 * budget):
                    n, (wall, cores, out) = N, run_many(cases)
                    break
                fit = int((cap - startup) / rate) // 1000 * 1000
                if fit < 2 * n:
                    break
                n, (wall, cores, out) = fit, run_many(cases[:fit])
            est = wall if n == N else startup + (wall - startup) * N / n
            how = "" if n == N else f"EXTRAPOLATED from {n} cases ({wall:.1f} s, pool start-up {startup:.2f} s); "
            return n, est, cores, out, how

        # 7a. 1e5 named-region cases
        N = 100_000
        pool = named_cases(162)
        it = iter(range(10**9))
        per = med(sample(lambda: nio.localize_json(pool[next(it) % 162]), 324, warm=162)) / 1e9
        n, est, cores, out, how = sized(named_cases, N, 1000 if self.quick else 2000, budget=5.0)
        errors = sum(1 for o in out if "error" in o)
        self.row("localize_many, 1e5 named-region cases  [info]", est, "s", key="batch_named",
                 note=how + f"{cores:.2f} cores busy (CPU s / wall s), {cpu_per[-1] * 1e6:.0f} us CPU per case "
                 f"(serial localize_json of the same cases: {per * 1e6:.0f} us); {errors} errors; 162 distinct "
                 "cases cycled"
                 + ("" if have else "; localize_many absent: ProcessPoolExecutor.map of localize_json"))

        # 7a'. the same batch as distinct dict objects (deep copies) and as JSON text lines:
        # duplicates are found by content, not by identity
        import copy

        variants = named_cases(162)
        for label, make, key in (
                ("deep copies", lambda k: [copy.deepcopy(variants[i % 162]) for i in range(k)], "batch_named_copies"),
                ("JSON text", lambda k: [json.dumps(variants[i % 162]) for i in range(k)], "batch_named_text")):
            n, est, cores, out, how = sized(make, N, 1000 if self.quick else 2000, budget=5.0)
            self.row(f"localize_many, 1e5 named-region cases as {label}  [info]", est, "s", key=key,
                     note=how + f"{cores:.2f} cores busy; {sum(1 for o in out if 'error' in o)} errors")

        # 7a''. cases that are all different: no duplicate to share, the engine's own throughput
        k = 300 if self.quick else 1500
        distinct = distinct_named_cases(atlas, k)
        wall, cores, out = run_many(distinct)
        per = (wall - startup) / k
        self.row("localize_many, all-distinct named-region cases  [info]", per * 1e6, "us", key="batch_distinct",
                 note=f"{k} cases, none equal to another (random regions, modalities, grades, reflexes): "
                      f"{per * 1e6:.0f} us wall per case on {ncores} workers ({cores:.2f} cores busy), "
                      f"{cpu_per[-1] * 1e6:.0f} us CPU per case; 1e5 such cases would take ~{per * 1e5:.0f} s; "
                      f"{sum(1 for o in out if 'error' in o)} errors")

        # 7b. 1e4 drawings
        import shapely
        from shapely.geometry import Polygon

        N = 10_000
        dc = drawing_cases(atlas, N)
        pv = {(v, s): view_polys(atlas, v, s) for v in atlas.template.views for s in ("left", "right")}
        geoms = [Polygon(ring) for *_, ring in dc]
        t0 = pc()
        for (_, v, s, _), g in zip(dc, geoms, strict=True):
            shapely.area(shapely.intersection(g, pv[(v, s)]))
        floor_per = (pc() - t0) / 1e9 / N
        n, est, cores, out, how = sized(lambda k: [c for c, *_ in dc[:k]], N, 500 if self.quick else 1000)
        errors = sum(1 for o in out if "error" in o)
        floor = N * floor_per / ncores
        r = est / floor
        self.row("localize_many, 1e4 drawings  [info]", est, "s", floor=floor, ratio=r, key="batch_drawings",
                 note=how + f"floor = serial shapely overlay of the same drawings ({floor_per * 1e6:.0f} us each) "
                 f"/ {ncores}; "
                 + f"{cores:.2f} cores busy, {cpu_per[-1] * 1e6:.0f} us CPU per drawing; {errors} errors")

    # 8. plotting
    def plotting(self) -> None:
        import io

        import neuromap
        from neuromap.plotting import plot_dermatomes

        atlas = neuromap.load_atlas()
        spec = figure_spec(plot_dermatomes(atlas))
        spec_file = self.tmp / "figure_spec.json"
        spec_file.write_text(json.dumps(spec))

        def nm_fig() -> float:
            t0 = pc()
            plot_dermatomes(atlas).savefig(io.BytesIO(), format="png")
            return pc() - t0

        reps = 3 if self.quick else 10
        nm, fl = interleave(nm_fig, lambda: _timed(lambda: bare_figure(spec)), reps, warm=1)
        r = med(nm) / med(fl)
        self.row("plot_dermatomes(atlas).savefig(png), steady", med(nm) / 1e6, "ms", floor=med(fl) / 1e6, ratio=r,
                 budget="<= 1.5x bare PolyCollection+labels figure", ok=r <= 1.5,
                 key="figure_steady",
                 note=f"{reps} figures each, {spec['figsize'][0]:.1f}x{spec['figsize'][1]:.1f} in at "
                      f"{spec['dpi']:.0f} dpi, "
                      f"{sum(len(v['labels']) for v in spec['views'].values())} labels")
        n = self.runs(15)
        nm, fl = interleave(lambda: run_child(self_child("fig_first"))[1]["ns"],
                            lambda: run_child(self_child("fig_first_floor", str(spec_file)))[1]["ns"], n, warm=1)
        r = med(nm) / med(fl)
        self.row("first figure in a fresh process", med(nm) / 1e6, "ms", floor=med(fl) / 1e6, ratio=r,
                 budget="<= 1.2x import pyplot + bare figure", ok=r <= 1.2, key="figure_first",
                 note=f"{n} runs each; timed inside the child from the first import to the PNG bytes "
                      "(neuromap: import + load_atlas + plot + savefig)")

    # 9. memory
    # 7c. registries (issue #19): benchmarks/bench_registries.py
    def registries(self) -> None:
        from bench_registries import run_registries

        run_registries(self)

    def memory(self) -> None:
        _, m = run_child(self_child("mem_rss"))
        _, tr = run_child(self_child("mem_trace"))
        mb = 1024 * 1024
        d1 = (m["rss1"] - m["rss0"]) / mb
        self.row("RSS: atlas + indexes + scoring table", d1, "MB", budget="<= 50 MB over numpy+shapely", ok=d1 <= 50,
                 key="memory",
                 note=f"after import neuromap, load_atlas, one localize().to_dict(); atlas alone "
                      f"{(m['rss_atlas'] - m['rss0']) / mb:.1f} MB; everything warmed (rasters, both sides, all "
                      f"layers) {(m['rss2'] - m['rss0']) / mb:.1f} MB; tracemalloc: {tr['traced1'] / mb:.1f} MB live "
                      f"(peak {tr['traced_peak1'] / mb:.1f} MB), warmed {tr['traced2'] / mb:.1f} MB")


def _timed(fn) -> int:
    t0 = pc()
    fn()
    return pc() - t0


# ----------------------------------------------------------------------------- output
COLS = ("figure", "neuromap median", "p99", "floor median", "ratio", "budget", "result")


def fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if v != v:
        return "n/a"
    if unit == "-":
        return "-"
    return f"{v:,.3g} {unit}" if abs(v) < 100 else f"{v:,.0f} {unit}"


def print_row(r: dict) -> None:
    unit = r["unit"]
    floor_unit = unit
    res = "-" if r["pass"] is None else ("PASS" if r["pass"] else "FAIL")
    cells = [r["figure"], fmt(r["neuromap_median"], unit), fmt(r["neuromap_p99"], unit),
             fmt(r["floor_median"], floor_unit), "-" if r["ratio"] is None else f"{r['ratio']:.2f}x", r["budget"], res]
    print(" | ".join(cells), flush=True)
    if r["note"]:
        print(f"    {r['note']}", flush=True)


def markdown(rows: list[dict]) -> str:
    out = ["| " + " | ".join(COLS) + " |", "|" + "---|" * len(COLS)]
    for r in rows:
        res = "-" if r["pass"] is None else ("**PASS**" if r["pass"] else "**FAIL**")
        out.append("| " + " | ".join([r["figure"], fmt(r["neuromap_median"], r["unit"]),
                                      fmt(r["neuromap_p99"], r["unit"]), fmt(r["floor_median"], r["unit"]),
                                      "-" if r["ratio"] is None else f"{r['ratio']:.2f}x", r["budget"], res]) + " |")
    return "\n".join(out)


def machine() -> dict:
    import matplotlib
    import networkx
    import numpy
    import shapely

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import neuromap

    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu, "python": platform.python_version(),
            "numpy": numpy.__version__, "shapely": shapely.__version__,
            "geos": ".".join(map(str, shapely.geos_version)), "networkx": networkx.__version__,
            "matplotlib": matplotlib.__version__, "neuromap": neuromap.__version__,
            "platform": platform.platform()}


FIGURES = ("imports", "load", "localize_named", "localize_drawing", "cli", "points", "batch", "registries", "plotting",
           "memory")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    ap.add_argument("--json", metavar="OUT", help="also write the rows, machine and load average as JSON")
    ap.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    ap.add_argument("--only", help=f"comma-separated subset of {','.join(FIGURES)}")
    ap.add_argument("--as-is", action="store_true",
                    help="fresh interpreters inherit the environment as is (default: bytecode cached, see AS_IS)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = ap.parse_known_args(argv)
    if args.child:
        child(args.child, rest)
        return 0
    global AS_IS
    AS_IS = args.as_is
    only = args.only.split(",") if args.only else list(FIGURES)
    bad = set(only) - set(FIGURES)
    if bad:
        ap.error(f"unknown figure(s) {sorted(bad)}; choose from {', '.join(FIGURES)}")
    load0 = os.getloadavg()
    info = machine()
    t_start = time.time()
    print(f"# neuromap {info['neuromap']} | {info['nproc']} cores, {info['cpu']} | Python {info['python']}, "
          f"numpy {info['numpy']}, shapely {info['shapely']} (GEOS {info['geos']}), networkx {info['networkx']}, "
          f"matplotlib {info['matplotlib']}")
    print(f"# load average at start: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}"
          + ("  (--quick)" if args.quick else "")
          + ("  (--as-is: environment unchanged)" if AS_IS else
             f"  (fresh interpreters: bytecode cached in {PYCACHE})"))
    print(" | ".join(COLS))
    b = Bench(args.quick)
    for name in FIGURES:
        if name in only:
            try:
                getattr(b, name)()
            except Exception as exc:  # noqa: BLE001 - one broken figure must not hide the others
                b.row(name, float("nan"), "-", ok=False, key=name, note=f"ERROR {type(exc).__name__}: {exc}"[:500])
    load1 = os.getloadavg()
    elapsed = time.time() - t_start
    print(f"# load average at end: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; took {elapsed:.0f} s")
    judged = [r for r in b.rows if r["pass"] is not None]
    print(f"# {sum(r['pass'] for r in judged)}/{len(judged)} budgets met")
    if args.markdown:
        print(markdown(b.rows))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "quick": args.quick, "load_start": load0,
                                               "load_end": load1, "seconds": elapsed,
                                               "when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "rows": b.rows},
                                              indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
