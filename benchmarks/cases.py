"""Random named-region cases for the benchmarks (``run.py`` and ``bench_registries.py`` draw the same kind)."""

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
