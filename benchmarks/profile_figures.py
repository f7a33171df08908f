"""Profile the figures of benchmarks/run.py: where the time goes, with file:line.

Usage::

    python benchmarks/profile_figures.py [load|cli|localize|drawing|batch|figure|figure-first|import|all] [--top N]

Prints, for each profiled figure, the functions with the most own time (tottime) and the most
cumulative time restricted to neuromap code, as ``file:line(function)``.  ``import`` runs
``python -X importtime`` on the CLI's imports and lists the slowest modules (self time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (the benchmark module: cases and floors)

SHORT = re.compile(r".*/(site-packages|lib/python3\.\d+)/")
PKG = re.compile(r"^.*?/(?=neuromap/)")


def short(path: str) -> str:
    """Paths relative to the package root (neuromap/..., shapely/..., json/...)."""
    return PKG.sub("", SHORT.sub("", path))


def report(prof: cProfile.Profile | pstats.Stats, title: str, top: int, calls: int = 1) -> None:
    st = prof if isinstance(prof, pstats.Stats) else pstats.Stats(prof)
    total = st.total_tt
    print(f"\n## {title}  (profiled total {total * 1e3 / calls:.2f} ms per call, {calls} calls)")
    rows = [(tt, ct, nc, f"{short(f)}:{ln}({fn})") for (f, ln, fn), (cc, nc, tt, ct, _) in st.stats.items()]
    print("  own time (tottime):")
    for tt, _ct, nc, name in sorted(rows, reverse=True)[:top]:
        print(f"    {tt / total:6.1%}  {tt * 1e3 / calls:8.3f} ms  {nc / calls:8.0f} calls  {name}")
    print("  cumulative, neuromap code:")
    mine = [r for r in rows if "neuromap/" in r[3] and "benchmarks" not in r[3]]
    for _tt, ct, nc, name in sorted(mine, key=lambda r: -r[1])[:top]:
        print(f"    {ct / total:6.1%}  {ct * 1e3 / calls:8.3f} ms  {nc / calls:8.0f} calls  {name}")


def prof_load(top: int) -> None:
    out = "/tmp/neuromap-load.prof"
    code = ("import cProfile, neuromap, neuromap.atlas\n"
            f"p = cProfile.Profile(); p.enable(); neuromap.load_atlas(); p.disable(); p.dump_stats({out!r})")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(HERE.parent))
    report(pstats.Stats(out), "first load_atlas() in a fresh process", top)


def prof_cli(top: int) -> None:
    case = Path("/tmp/neuromap-profile-case.json")
    case.write_text(json.dumps(run.NAMED_CASE))
    out = "/tmp/neuromap-cli.prof"
    code = ("import cProfile, io, contextlib, neuromap.cli\n"
            "p = cProfile.Profile(); buf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n"
            f"    p.enable(); neuromap.cli.main(['localize', {str(case)!r}, '--json']); p.disable()\n"
            f"p.dump_stats({out!r})")
    subprocess.run([sys.executable, "-c", code], check=True, env=run.child_env(), cwd="/tmp")
    report(pstats.Stats(out), "CLI: neuromap.cli.main(['localize', case, '--json']) after `import neuromap.cli` "
           "(lazy imports + load_atlas + first localize + output)", top)
    code = ("import cProfile, neuromap, neuromap.inference, neuromap.atlas\n"
            "a = neuromap.load_atlas()\n"
            f"p = cProfile.Profile(); p.enable(); neuromap.localize({run.NAMED_CASE!r}).to_dict(); p.disable()\n"
            f"p.dump_stats({out!r})")
    subprocess.run([sys.executable, "-c", code], check=True, env=run.child_env(), cwd="/tmp")
    report(pstats.Stats(out), "first localize(case).to_dict() in a process (cold tables)", top)


def _loop(fn, n: int, title: str, top: int, warm: int = 50) -> None:
    for _ in range(warm):
        fn()
    p = cProfile.Profile()
    p.enable()
    for _ in range(n):
        fn()
    p.disable()
    report(p, title, top, n)


def prof_localize(top: int) -> None:
    import neuromap

    neuromap.load_atlas()
    _loop(lambda: neuromap.localize(run.NAMED_CASE), 1000, "localize(named case)", top)
    _loop(lambda: neuromap.localize(run.NAMED_CASE).to_dict(), 1000, "localize(named case).to_dict()", top)
    pool = run.named_cases(162)
    it = iter(range(10**9))
    _loop(lambda: neuromap.localize(pool[next(it) % 162]).to_dict(), 1000,
          "localize(varied named cases).to_dict()", top, warm=162)


def prof_drawing(top: int) -> None:
    import neuromap

    atlas = neuromap.load_atlas()
    ax, ay = atlas.template.anchor("first_web_space", side="right")
    ring = run.ellipse(ax, ay - 5, 16, 24, 24, 0.3)
    case = {"side": "right", "sensory": [{"drawing": {"view": "dorsal", "polygon": ring}, "modality": "pain"}]}
    _loop(lambda: neuromap.localize(case), 1000, "localize(case with a drawing)", top)


def prof_batch(top: int) -> None:
    import neuromap
    import neuromap.io as nio

    atlas = neuromap.load_atlas()
    cases = run.named_cases(2000)
    p = cProfile.Profile()
    p.enable()
    nio.localize_many(cases, workers=1)
    p.disable()
    report(p, "localize_many(2000 named cases, workers=1)", top, 2000)
    dc = [c for c, *_ in run.drawing_cases(atlas, 1000)]
    p = cProfile.Profile()
    p.enable()
    nio.localize_many(dc, workers=1)
    p.disable()
    report(p, "localize_many(1000 drawings, workers=1)", top, 1000)


def _draw_times(fig, n_figs: int, acc: dict[str, list[float]]) -> None:
    """Wrap the draw of every artist of *fig* (axes children and figure children) to time it."""
    import time

    def wrap(art, name: str) -> None:
        orig = art.draw

        def draw(renderer, *a, **k):
            t0 = time.perf_counter_ns()
            orig(renderer, *a, **k)
            acc.setdefault(name, []).append((time.perf_counter_ns() - t0) / 1e6 / n_figs)

        art.draw = draw

    for ax in fig.axes:
        for c in ax.get_children():
            if type(c).__name__ == "Text" and not c.get_text():
                continue
            kind = type(c).__name__ + ("(hatched)" if getattr(c, "get_hatch", lambda: None)() else "")
            wrap(c, f"axes {kind}")
    for c in fig.get_children():
        if c not in fig.axes:
            wrap(c, f"figure {type(c).__name__}")


def prof_figure(top: int) -> None:
    import neuromap
    from neuromap.plotting import plot_dermatomes

    atlas = neuromap.load_atlas()
    _loop(lambda: plot_dermatomes(atlas).savefig(io.BytesIO(), format="png"), 5,
          "plot_dermatomes(atlas).savefig(png), steady", top, warm=1)
    spec = run.figure_spec(plot_dermatomes(atlas))
    _loop(lambda: run.bare_figure(spec), 5, "floor: bare PolyCollection + labels figure", top, warm=1)
    # where savefig's time goes, by artist (no profiler: wall time of each artist's draw)
    n = 5
    acc: dict[str, list[float]] = {}
    for _ in range(n):
        d = plot_dermatomes(atlas)
        _draw_times(d.figure, n, acc)
        d.savefig(io.BytesIO(), format="png")
    print(f"\n## savefig of plot_dermatomes(atlas) by artist (wall ms per figure, {n} figures, not profiled)")
    for name, v in sorted(acc.items(), key=lambda kv: -sum(kv[1])):
        print(f"    {sum(v):8.2f} ms  {len(v) // n:3d} draws  {name}")
    _figure_stages(atlas, spec)
    _figure_parts(atlas, spec)


def _figure_stages(atlas, spec: dict, n: int = 9) -> None:
    """CPU time of build / draw / PNG encoding, and the PNG's size, ours and the floor's, interleaved."""
    import statistics
    import time

    import matplotlib.image as mimage

    from neuromap.plotting import plot_dermatomes

    pt = time.process_time_ns
    rows: dict[str, dict[str, list[float]]] = {"neuromap": {}, "floor": {}}
    for i in range(n + 1):
        for who in ("neuromap", "floor"):
            t0 = pt()
            d = plot_dermatomes(atlas) if who == "neuromap" else None
            fig = d.figure if d is not None else run.build_bare_figure(spec)
            t1 = pt()
            fig.canvas.draw()
            t2 = pt()
            buf = io.BytesIO()
            mimage.imsave(buf, fig.canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi)
            t3 = pt()
            if i:  # the first round warms up
                for k, v in (("build", t1 - t0), ("draw", t2 - t1), ("encode", t3 - t2), ("kB", len(buf.getvalue()))):
                    rows[who].setdefault(k, []).append(v / 1e6 if k != "kB" else v / 1e3)
    print(f"\n## stages, CPU ms (process time) per figure, median of {n}, interleaved")
    print("    " + " | ".join(f"{k:>8s}" for k in ("", "build", "draw", "encode", "PNG kB")))
    for who, r in rows.items():
        cells = (f"{statistics.median(r[k]):8.1f}" for k in ("build", "draw", "encode", "kB"))
        print(f"    {who:>8s} | " + " | ".join(cells))


def _figure_parts(atlas, spec: dict, n: int = 9) -> None:
    """What each feature costs: plot + savefig with it removed after plotting, CPU ms, interleaved."""
    import statistics
    import time

    from matplotlib.lines import Line2D

    from neuromap.plotting import plot_dermatomes

    def strip(d, what: str) -> None:
        if what == "hatches":  # stripes (hatched collections) and the dots (lines of markers)
            for ax in d.axes.values():
                for c in [c for c in ax.get_children()
                          if getattr(c, "get_hatch", lambda: None)() or isinstance(c, Line2D)]:
                    c.remove()
        elif what == "legend" and d.legend is not None:
            d.legend.remove()
        elif what == "title":
            d.title.remove()
        elif what == "footnote" and d.footnote is not None:
            d.footnote.remove()
        elif what == "outlines":
            for ax in d.axes.values():
                ax.collections[-1].remove()
        elif what == "labels":
            for t in d.labels.values():
                t.remove()
        elif what == "all text":  # labels, view titles, title, footnote, legend
            for w in ("legend", "title", "footnote", "labels"):
                strip(d, w)
            for ax in d.axes.values():
                ax.set_title("")

    parts = ("full", "hatches", "legend", "title", "footnote", "outlines", "labels", "all text")
    pt = time.process_time_ns
    res: dict[str, list[float]] = {p: [] for p in (*parts, "floor", "floor without text")}
    no_text = {**spec, "views": {k: {**v, "labels": []} for k, v in spec["views"].items()}}
    for i in range(n + 1):
        for what in res:
            t0 = pt()
            if what == "floor":
                run.bare_figure(spec)
            elif what == "floor without text":
                fig = run.build_bare_figure(no_text)
                for ax in fig.axes:
                    ax.set_title("")
                fig.savefig(io.BytesIO(), format="png")
            else:
                d = plot_dermatomes(atlas)
                strip(d, what)
                d.savefig(io.BytesIO(), format="png")
            if i:
                res[what].append((pt() - t0) / 1e6)
    full, floor = statistics.median(res["full"]), statistics.median(res["floor"])
    print(f"\n## what each part costs: plot_dermatomes + savefig without it, CPU ms, median of {n}, interleaved")
    print(f"    full {full:7.1f} ms ({full / floor:.2f}x the floor, {floor:.1f} ms)")
    for what in parts[1:]:
        m = statistics.median(res[what])
        print(f"    {full - m:7.1f} ms  {what} (without: {m:.1f} ms, {m / floor:.2f}x)")
    bare = statistics.median(res["floor without text"])
    print(f"    without any text: neuromap {statistics.median(res['all text']):.1f} ms, the floor (no labels, no "
          f"view titles) {bare:.1f} ms")


_FIRST = """
import io, json, sys, time
pc = time.perf_counter_ns
t = [pc()]
if sys.argv[1] == "neuromap":
    from neuromap.plotting import plot_dermatomes
    t.append(pc())
    d = plot_dermatomes()
    t.append(pc())
    d.savefig(io.BytesIO(), format="png")
else:
    import matplotlib.pyplot  # noqa: F401
    sys.path.insert(0, sys.argv[3])
    import run
    t.append(pc())
    spec = json.loads(open(sys.argv[2]).read())
    t.append(pc())
    run.bare_figure(spec)
t.append(pc())
print(json.dumps([(b - a) / 1e6 for a, b in zip(t, t[1:])] + [(t[-1] - t[0]) / 1e6]))
"""


def prof_figure_first(top: int) -> None:
    """Stages of the first figure in fresh processes, then a profile of the first plot and savefig."""
    import statistics

    import neuromap
    from neuromap.plotting import plot_dermatomes

    spec_file = Path("/tmp/neuromap-profile-figure-spec.json")
    spec_file.write_text(json.dumps(run.figure_spec(plot_dermatomes(neuromap.load_atlas()))))
    rows: dict[str, list[list[float]]] = {"neuromap": [], "floor": []}
    for i in range(7):
        for who in (("neuromap", "floor") if i % 2 == 0 else ("floor", "neuromap")):
            proc = subprocess.run([sys.executable, "-c", _FIRST, who, str(spec_file), str(HERE)], capture_output=True,
                                  text=True, check=True, env=run.child_env(), cwd="/tmp")
            rows[who].append(json.loads(proc.stdout.splitlines()[-1]))
    print("\n## first figure in a fresh process, median of 7 (ms)")
    print("    neuromap: import plotting | plot_dermatomes() (reads the layers) | savefig | total")
    print("    floor:    import pyplot   | read the spec                        | bare figure | total")
    for who, rs in rows.items():
        print(f"    {who:9s} " + " | ".join(f"{statistics.median(c):7.0f}" for c in zip(*rs, strict=True)))
    out = "/tmp/neuromap-figure-first.prof"
    code = ("import cProfile, io\nfrom neuromap.plotting import plot_dermatomes\n"
            "p = cProfile.Profile(); p.enable(); plot_dermatomes().savefig(io.BytesIO(), format='png'); p.disable()\n"
            f"p.dump_stats({out!r})")
    subprocess.run([sys.executable, "-c", code], check=True, env=run.child_env(), cwd="/tmp")
    report(pstats.Stats(out), "first plot_dermatomes().savefig(png) in a fresh process (after the imports)", top)


def prof_import(top: int) -> None:
    for title, code in (("neuromap localize --json (CLI imports)",
                         "import neuromap.cli, neuromap.io, neuromap.inference, neuromap.atlas"),
                        ("floor: import shapely, networkx", "import shapely, networkx"),
                        ("first figure: import neuromap.plotting", "import neuromap.plotting"),
                        ("floor: import matplotlib.pyplot", "import matplotlib.pyplot")):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                              env=run.child_env(), cwd=str(HERE.parent))
        rows = []
        for line in proc.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
            if m:
                rows.append((int(m.group(1)), int(m.group(2)), len(m.group(3)), m.group(4)))
        top_level = sum(c for s, c, d, n in rows if d == 1)
        print(f"\n## -X importtime: {title}  (total {top_level / 1e3:.0f} ms)")
        print("  self time, slowest modules:")
        for s, c, _d, n in sorted(rows, reverse=True)[:top]:
            print(f"    {s / 1e3:7.1f} ms self {c / 1e3:7.1f} ms cumulative  {n}")
        print("  cumulative, top-level imports:")
        for _s, c, d, n in sorted([r for r in rows if r[2] <= 3], key=lambda r: -r[1])[:top]:
            print(f"    {c / 1e3:7.1f} ms  {'  ' * (d - 1)}{n}")


PROFILES = {"load": prof_load, "cli": prof_cli, "localize": prof_localize, "drawing": prof_drawing, "batch": prof_batch,
            "figure": prof_figure, "figure-first": prof_figure_first, "import": prof_import}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="*", default=["all"], choices=[*PROFILES, "all"])
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    what = list(PROFILES) if "all" in args.what else args.what
    os.environ.setdefault("MPLBACKEND", "Agg")
    print(f"# load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for w in what:
        PROFILES[w](args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
