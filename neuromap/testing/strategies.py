"""Hypothesis strategies for neuromap inputs, public so that tools embedding neuromap can reuse them.

Examples
--------
>>> from hypothesis import given
>>> from neuromap.testing.strategies import cases
>>> @given(cases())
... def test_localize_never_crashes(case):
...     neuromap.localize(case)
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from neuromap.atlas import Atlas, load_atlas

__all__ = ["cases", "drawing_cases", "mirror_case", "points", "sides", "studies"]

MODALITIES = ("pain", "numbness", "tingling", "burning", "hypersensitivity")
GRADES: tuple[Any, ...] = (0, 1, 2, 3, 4, 5, "weak", "normal")
REFLEX_GRADES = ("normal", "reduced", "absent")


def sides() -> st.SearchStrategy[str]:
    """A case side."""
    return st.sampled_from(("left", "right", "bilateral"))


@st.composite
def cases(draw: st.DrawFn, atlas: Atlas | None = None, *, max_findings: int = 6,
          side: str | None = None) -> dict[str, Any]:
    """Valid cases built from the atlas vocabulary: region ids, movements, reflexes, each on a side.

    Every finding names a distinct target, so a case never reports a target both normal and
    abnormal.
    """
    atlas = atlas or load_atlas()
    case_side = side or draw(sides())
    regions = draw(st.lists(st.sampled_from(atlas.ids("region")), unique=True, max_size=max_findings))
    movements = draw(st.lists(st.sampled_from(atlas.ids("movement")), unique=True, max_size=max_findings))
    reflexes = draw(st.lists(st.sampled_from(atlas.ids("reflex")), unique=True, max_size=3))
    sensory = []
    for r in regions:
        if draw(st.booleans()):
            sensory.append({"regions": [r], "modality": draw(st.sampled_from(MODALITIES))})
        else:
            sensory.append({"regions": [r], "state": "normal"})
    motor = [{"name": m, "grade": draw(st.sampled_from(GRADES))} for m in movements]
    refl = {r: draw(st.sampled_from(REFLEX_GRADES)) for r in reflexes}
    if not (sensory or motor or refl):
        motor = [{"name": draw(st.sampled_from(atlas.ids("movement"))), "grade": 4}]
    return {"side": case_side, "sensory": sensory, "motor": motor, "reflexes": refl}


def mirror_case(case: dict[str, Any]) -> dict[str, Any]:
    """The same case on the other side (left <-> right)."""
    swap = {"left": "right", "right": "left", "bilateral": "bilateral"}
    out = dict(case)
    out["side"] = swap[case["side"]]
    out["sensory"] = [{**s, **({"side": swap[s["side"]]} if "side" in s else {})} for s in case.get("sensory", [])]
    out["motor"] = [{**m, **({"side": swap[m["side"]]} if "side" in m else {})} for m in case.get("motor", [])]
    refl = {}
    for k, v in case.get("reflexes", {}).items():
        refl[k] = {swap[s]: g for s, g in v.items()} if isinstance(v, dict) else v
    out["reflexes"] = refl
    if "electrodiagnosis" in case:
        out["electrodiagnosis"] = [{**e, **({"side": swap[e["side"]]} if "side" in e else {})}
                                   for e in case["electrodiagnosis"]]
    return out


@st.composite
def studies(draw: st.DrawFn, atlas: Atlas | None = None, *, max_size: int = 4) -> list[dict[str, Any]]:
    """Valid ``electrodiagnosis`` entries (issue 18), each a distinct study with a result.

    SNAPs, needle EMG of muscles and paraspinal levels, and the H reflex.

    Examples
    --------
    >>> from hypothesis import given
    >>> from neuromap.testing.strategies import cases, studies
    >>> @given(cases(side="left"), studies())
    ... def test_studies_never_crash(case, entries):
    ...     neuromap.localize({**case, "electrodiagnosis": entries})
    """
    from neuromap.atlas.electro import electrodiagnosis

    edx = electrodiagnosis(atlas or load_atlas())
    options = ([("snap", s.id.replace("_", " ")) for s in edx.studies("snap")]
               + [("needle_emg", s.label) for s in edx.studies("emg")]
               + [("needle_emg", s.label) for s in edx.studies("paraspinal")] + [("h_reflex", "")])
    chosen = draw(st.lists(st.sampled_from(options), unique=True, max_size=max_size))
    out = []
    for study, name in chosen:
        entry: dict[str, Any] = {"study": study, "result": draw(st.sampled_from(edx.results(study)))}
        if study == "snap":
            entry["nerve"] = name
        elif study == "needle_emg":
            entry["muscle"] = name
        out.append(entry)
    return out


def points(atlas: Atlas | None = None, view: str = "dorsal", *, side: str = "right",
           margin: float = 5.0) -> st.SearchStrategy[tuple[float, float]]:
    """Points in (and around) the bounding box of one view of the foot."""
    atlas = atlas or load_atlas()
    x0, y0, x1, y1 = atlas.template.bounds(view, side=side)
    return st.tuples(st.floats(x0 - margin, x1 + margin, allow_nan=False),
                     st.floats(y0 - margin, y1 + margin, allow_nan=False))


@st.composite
def drawing_cases(draw: st.DrawFn, atlas: Atlas | None = None) -> dict[str, Any]:
    """Cases with one drawn area: an ellipse around a region's anchor, in any view, on either side.

    Some ellipses reach past the outline (the result then warns); the drawing is always a valid
    polygon (24 vertices).
    """
    atlas = atlas or load_atlas()
    t = atlas.template
    view = draw(st.sampled_from(t.views))
    side = draw(st.sampled_from(("left", "right")))
    x, y = t.anchor(draw(st.sampled_from(t.regions(view))), side=side)
    rx, ry = draw(st.floats(4, 25)), draw(st.floats(4, 25))
    ring = [[round(x + rx * math.cos(2 * math.pi * i / 24), 3), round(y + ry * math.sin(2 * math.pi * i / 24), 3)]
            for i in range(24)]
    case: dict[str, Any] = {"side": side, "sensory": [{"drawing": {"view": view, "polygon": ring},
                                                       "modality": draw(st.sampled_from(MODALITIES))}]}
    if draw(st.booleans()):
        case["reflexes"] = {draw(st.sampled_from(atlas.ids("reflex"))): draw(st.sampled_from(REFLEX_GRADES))}
    return case
