"""The cases the benchmarks draw: random named-region cases and drawings (run.py, bench_registries.py, ...)."""

from __future__ import annotations

import random
from typing import Any

GRADES = (0, 1, 2, 3, 4, "normal")


def vocabulary(atlas: Any) -> tuple[list[str], list[str], list[str]]:
    """The regions, movements and reflexes cases are drawn from."""
    return list(atlas.template.regions(view=None)), list(atlas.ids("movement")), list(atlas.ids("reflex"))


def named_case(rnd: random.Random, regions: list[str], movements: list[str], reflexes: list[str]) -> dict:
    """One case: 1-4 named regions in one or two sensory entries (no region in both), 0-3 graded
    movements, 0-2 reflexes, a side."""
    picked = rnd.sample(regions, rnd.randint(1, 4))
    cut = rnd.randint(1, len(picked))
    return {
        "side": rnd.choice(("left", "right")),
        "sensory": [{"regions": part, "modality": rnd.choice(("numbness", "tingling", "pain", "burning"))}
                    for part in (picked[:cut], picked[cut:]) if part],
        "motor": [{"name": m, "grade": rnd.choice(GRADES)} for m in rnd.sample(movements, rnd.randint(0, 3))],
        "reflexes": {r: rnd.choice(("normal", "reduced", "absent")) for r in rnd.sample(reflexes, rnd.randint(0, 2))},
    }


def ellipse(cx: float, cy: float, rx: float, ry: float, k: int = 24, rot: float = 0.0) -> list[list[float]]:
    import math

    c, s = math.cos(rot), math.sin(rot)
    pts = []
    for i in range(k):
        a = 2 * math.pi * i / k
        x, y = rx * math.cos(a), ry * math.sin(a)
        pts.append([round(cx + c * x - s * y, 3), round(cy + s * x + c * y, 3)])
    return pts


def view_polys(atlas, view: str, side: str):
    """Fresh (unshared, unprepared) copies of the region polygons of a view, as a numpy object array."""
    import numpy as np
    import shapely

    t = atlas.template
    return np.array([shapely.from_wkb(shapely.to_wkb(t.polygon(r, side=side))) for r in t.regions(view)],
                    dtype=object)


def drawing_cases(atlas, n: int, seed: int = 7) -> list[tuple[dict, str, str, list]]:
    """n distinct drawings (24-gon ellipses around random region anchors): (case, view, side, ring)."""
    import random

    rnd = random.Random(seed)
    t = atlas.template
    anchors = {(v, s): [t.anchor(r, side=s) for r in t.regions(v)] for v in t.views for s in ("left", "right")}
    out = []
    for i in range(n):
        v = t.views[i % len(t.views)]
        s = "left" if (i // len(t.views)) % 2 else "right"
        ax, ay = rnd.choice(anchors[(v, s)])
        ring = ellipse(ax + rnd.uniform(-4, 4), ay + rnd.uniform(-4, 4), rnd.uniform(6, 22), rnd.uniform(6, 22),
                       24, rnd.uniform(0, 3.14))
        case = {"side": s, "sensory": [{"drawing": {"view": v, "polygon": ring}, "modality": "pain"}]}
        out.append((case, v, s, ring))
    return out
