"""The study plan: the electrodiagnostic studies that would best separate the leading hypotheses (issue 18).

The electrodiagnostic sibling of :func:`~neuromap.inference.explain.next_examination`, planned
the way an electromyographer plans a study: every study target of the atlas (SNAPs, needle
EMG of each muscle, the paraspinal levels, the H reflex, motor studies, F waves) is a column
of the scoring table, so each leader's predicted involvement of it is already known. A study
*separates* two leaders when they expect different results (abnormal from an involvement of
:data:`~neuromap.weights.PREDICTED_ABNORMAL`, normal below it) and its weight
(:data:`~neuromap.weights.STUDY_WEIGHTS`) times the difference they predict reaches
:data:`~neuromap.weights.STUDY_MIN_SPLIT`. The plan is the
smallest set that separates every pair of leaders that some study separates (greedy: the study
that separates the most pairs still apart, then the most valuable), completed with the best
study of each other kind up to :data:`~neuromap.weights.MIN_NEXT_STUDIES` so that a second study
corroborates the first; a study already reported on every side of the case is never proposed.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from typing import Any

import numpy as np

from neuromap.atlas import Atlas
from neuromap.atlas.electro import Study, electrodiagnosis
from neuromap.inference.case import ParsedCase
from neuromap.inference.scoring import Scores
from neuromap.inference.studies import study_reason
from neuromap.weights import (
    EXAM_SPREAD,
    MAX_NEXT_STUDIES,
    MIN_NEXT_STUDIES,
    PREDICTED_ABNORMAL,
    STUDY_MIN_SPLIT,
    STUDY_SYMPTOMATIC_SNAP,
    STUDY_WEIGHTS,
)

__all__ = ["next_studies"]

#: How each study kind is requested in a case (its ``study`` word) and what an abnormal result is.
_REQUEST = {"snap": ("snap", "reduced or absent"), "emg": ("needle_emg", "denervation"),
            "paraspinal": ("needle_emg", "denervation"), "h_reflex": ("h_reflex", "absent or delayed")}


def next_studies(scores: Scores, ks: Sequence[int], names: Sequence[str], parsed: ParsedCase,
                 atlas: Atlas) -> list[dict[str, Any]]:
    """The studies that best separate the leaders, best first (see the module docstring).

    Parameters
    ----------
    scores : Scores
        The case's scores.
    ks : sequence of int
        The leaders' options, best first (at least two to separate).
    names : sequence of str
        The name of each leader, as the result says it.
    parsed : ParsedCase
        The case (what was already studied, on which sides).
    atlas : Atlas

    Returns
    -------
    list of dict
        Each with ``study`` (the case's study word), ``kind``, ``id``, ``label``, ``request``
        (the entry to fill in with the result), ``value``, each leader's predicted involvement
        (``predictions``) and expected result (``expected``), ``why`` and ``sources``.

    Examples
    --------
    >>> import neuromap
    >>> result = neuromap.localize({"side": "left", "motor": [
    ...     {"name": "ankle dorsiflexion", "grade": 3}, {"name": "great toe extension", "grade": 3}],
    ...     "sensory": [{"regions": ["first dorsal web space"], "modality": "numbness"}]})
    >>> [s["id"] for s in result.next_studies][:3]  # doctest: +SKIP
    ['tibialis_posterior', 'superficial_fibular', 'L5']
    """
    by_name = {n: int(scores.rows[k]) for n, k in zip(names, ks, strict=True)}
    if len(by_name) < 2:
        return []
    names = list(by_name)
    rows = np.array(list(by_name.values()), dtype=np.intp)
    table = scores.table
    edx = electrodiagnosis(atlas)
    reported = {(f.kind, f.target, f.side) for f in parsed.findings}
    sides = {f.side for f in parsed.findings}
    groups = {c["id"] for c in atlas.data.composites}  # a needle samples one muscle, not a group
    studies = [s for s in edx.studies() if s.kind in STUDY_WEIGHTS and s.id not in groups
               and not all((s.kind, s.id, side) in reported for side in sides)]
    if not studies:
        return []
    cols = np.array([table.columns[(s.kind, s.id)] for s in studies], dtype=np.intp)
    numb = {f.target for f in parsed.findings if f.kind == "region" and f.abnormal}
    weight = np.array([STUDY_WEIGHTS[s.kind] * (STUDY_SYMPTOMATIC_SNAP if _symptomatic(atlas, s, numb) else 1.0)
                       for s in studies])
    v = table.p[rows[:, None], cols]                                       # (leaders, studies)
    value = weight * (np.abs(v[0] - v[1]) + EXAM_SPREAD * (v.max(axis=0) - v.min(axis=0)))
    pairs = list(combinations(range(len(names)), 2))
    strength = {pair: weight * np.abs(v[pair[0]] - v[pair[1]]) for pair in pairs}
    expected = v >= PREDICTED_ABNORMAL
    # a study separates two hypotheses when they expect different results, by enough
    splits = {pair: set(np.flatnonzero((strength[pair] >= STUDY_MIN_SPLIT)
                                       & (expected[pair[0]] != expected[pair[1]])).tolist()) for pair in pairs}
    order = sorted(range(len(studies)), key=lambda j: (-round(float(value[j]), 9), studies[j].kind, studies[j].id))
    chosen = _cover(splits, strength, order)
    separating = set().union(*splits.values())
    # corroborate: the study of each kind not yet in the plan that separates the most pairs, most strongly
    reach = {j: (sum(j in js for js in splits.values()), round(sum(float(x[j]) for x in strength.values()), 9))
             for j in separating}
    for j in sorted(separating, key=lambda j: (-reach[j][0], -reach[j][1], order.index(j))):
        if len(chosen) >= MIN_NEXT_STUDIES:
            break
        if j not in chosen and studies[j].kind not in {studies[c].kind for c in chosen}:
            chosen.append(j)
    chosen = sorted(chosen[:max(MAX_NEXT_STUDIES, len(chosen))], key=order.index)  # the cover is never cut
    return [_proposal(atlas, scores, studies[j], float(value[j]), names, rows, v[:, j].tolist()) for j in chosen]


def _symptomatic(atlas: Atlas, study: Study, regions: set[str]) -> bool:
    """Whether a SNAP's nerve supplies (weight 0.5 or more) a skin region the case reports abnormal."""
    if study.kind != "snap" or not regions:
        return False
    territory = atlas.nerve_territory(str(study.nerve)).regions
    return any(territory.get(r, 0.0) >= PREDICTED_ABNORMAL for r in regions)


def _cover(splits: dict[tuple[int, int], set[int]], strength: dict[tuple[int, int], np.ndarray],
           order: list[int]) -> list[int]:
    """The fewest studies that separate every pair some study separates (greedy).

    Each step takes the study that separates the most pairs still apart, then the one that
    separates them most strongly, then the most valuable.
    """
    apart = {pair for pair, js in splits.items() if js}
    chosen: list[int] = []
    rank = {j: i for i, j in enumerate(order)}
    while apart:
        best = max(order, key=lambda j: (sum(j in splits[p] for p in apart),
                                         round(sum(float(strength[p][j]) for p in apart), 9), -rank[j]))
        chosen.append(best)
        apart = {p for p in apart if best not in splits[p]}
    return chosen


def _proposal(atlas: Atlas, scores: Scores, study: Study, value: float, names: list[str], rows: np.ndarray,
              ps: list[float]) -> dict[str, Any]:
    word, abnormal = _REQUEST[study.kind]
    request: dict[str, Any] = {"study": word}
    if study.kind in ("emg", "paraspinal"):
        request["muscle"] = study.label
    elif study.kind == "snap":
        request["nerve"] = study.label.replace(" SNAP", "")
    label = {"emg": f"Needle EMG: {study.label}", "paraspinal": f"Needle EMG: {study.label}s"}.get(study.kind,
                                                                                                  study.label)
    cands = [scores.table.candidates[r] for r in rows.tolist()]
    hi = [(n, c, p) for n, c, p in zip(names, cands, ps, strict=True) if p >= PREDICTED_ABNORMAL]
    lo = [(n, c, p) for n, c, p in zip(names, cands, ps, strict=True) if p < PREDICTED_ABNORMAL]
    parts = []
    if hi:
        parts.append(f"{abnormal} under {', '.join(n for n, _, _ in hi)} "
                     f"({study_reason(atlas, hi[0][1], study.kind, study.id, hi[0][2])})")
    if lo:
        parts.append(f"normal under {', '.join(n for n, _, _ in lo)}"
                     + (f" ({study_reason(atlas, lo[0][1], study.kind, study.id, lo[0][2])})"
                        if study.kind == "snap" and lo[0][1].kind in ("root", "roots", "cauda_equina") else ""))
    return {"study": word, "kind": study.kind, "id": study.id, "label": label, "request": request,
            "value": round(value, 3), "predictions": {n: round(p, 3) for n, p in zip(names, ps, strict=True)},
            "expected": {n: abnormal if p >= PREDICTED_ABNORMAL else "normal" for n, p in zip(names, ps, strict=True)},
            "why": "; ".join(parts), "sources": list(study.sources)}
