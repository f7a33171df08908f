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

import functools
from collections.abc import Sequence
from itertools import combinations
from typing import Any, NamedTuple

import numpy as np

from neuromap.atlas import Atlas
from neuromap.atlas.electro import Study, electrodiagnosis
from neuromap.inference.case import ParsedCase
from neuromap.inference.scoring import Scores, ScoringTable
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
    plan = _proposable(atlas, table)
    sides = {f.side for f in parsed.findings}
    done: dict[tuple[str, str], set[str]] = {}
    for f in parsed.findings:
        done.setdefault((f.kind, f.target), set()).add(f.side)
    keep = [j for j, key in enumerate(plan.keys) if not sides <= done.get(key, set())]
    if not keep:
        return []
    studies = [plan.studies[j] for j in keep]
    cols = plan.cols[keep]
    numb = {f.target for f in parsed.findings if f.kind == "region" and f.abnormal}
    symptomatic = np.array([bool(numb & skin) for skin in plan.skin])[keep] if numb else np.zeros(len(keep), bool)
    weight = plan.weight[keep] * np.where(symptomatic, STUDY_SYMPTOMATIC_SNAP, 1.0)
    v = table.p[rows[:, None], cols]                                       # (leaders, studies)
    value = weight * (np.abs(v[0] - v[1]) + EXAM_SPREAD * (v.max(axis=0) - v.min(axis=0)))
    first, second = (np.array(x, dtype=np.intp) for x in zip(*combinations(range(len(names)), 2), strict=True))
    strength = weight * np.abs(v[first] - v[second])                      # (pairs, studies)
    expected = v >= PREDICTED_ABNORMAL
    # a study separates two hypotheses when they expect different results, by enough
    separates = (strength >= STUDY_MIN_SPLIT) & (expected[first] != expected[second])
    kinds = [s.kind for s in studies]
    order = np.lexsort((plan.name_rank[keep], -np.round(value, 9)))    # by value, then kind and id
    rank = np.empty(len(studies), dtype=np.intp)
    rank[order] = np.arange(len(studies))
    chosen = _cover(separates, strength, rank)
    # corroborate: the study of each kind not yet in the plan that separates the most pairs, most strongly
    separating = np.flatnonzero(separates.any(axis=0))
    count, total = separates.sum(axis=0), np.round(strength.sum(axis=0), 9)
    for j in separating[np.lexsort((rank[separating], -total[separating], -count[separating]))].tolist():
        if len(chosen) >= MIN_NEXT_STUDIES:
            break
        if j not in chosen and kinds[j] not in {kinds[c] for c in chosen}:
            chosen.append(j)
    chosen = sorted(chosen[:max(MAX_NEXT_STUDIES, len(chosen))], key=lambda j: rank[j])  # the cover is never cut
    return [_proposal(atlas, scores, studies[j], float(value[j]), names, rows, v[:, j].tolist()) for j in chosen]


def _cover(separates: np.ndarray, strength: np.ndarray, rank: np.ndarray) -> list[int]:
    """The fewest studies that separate every pair some study separates (greedy).

    *separates* and *strength* are ``(pairs, studies)``; *rank* orders the studies by value.
    Each step takes the study that separates the most pairs still apart, then the one that
    separates them most strongly, then the most valuable.
    """
    apart = separates.any(axis=1)
    chosen: list[int] = []
    while apart.any():
        count = separates[apart].sum(axis=0)
        total = np.round(strength[apart].sum(axis=0), 9)
        best = int(np.lexsort((rank, -total, -count))[0])
        chosen.append(best)
        apart &= ~separates[:, best]
    return chosen


class _Proposable(NamedTuple):
    """The studies a plan may propose, with what every case reads of them (see :func:`_proposable`)."""

    studies: tuple[Study, ...]
    keys: tuple[tuple[str, str], ...]      #: (kind, id), as a reported finding names it
    cols: np.ndarray                       #: the scoring table's column of each
    weight: np.ndarray                     #: STUDY_WEIGHTS of its kind
    skin: tuple[frozenset[str], ...]       #: for a SNAP, the regions its nerve supplies (0.5 or more); else empty
    name_rank: np.ndarray                  #: the order of (kind, id), which breaks ties of value


@functools.lru_cache(maxsize=16)
def _proposable(atlas: Atlas, table: ScoringTable) -> _Proposable:
    """The studies a plan may propose (cached per atlas and table).

    A needle samples one muscle, never a group (composite), and only the kinds with a weight in
    :data:`~neuromap.weights.STUDY_WEIGHTS` are proposed. A SNAP of a nerve that supplies skin the
    case reports abnormal (weight :data:`~neuromap.weights.PREDICTED_ABNORMAL` or more) is the
    symptomatic one.
    """
    groups = {c["id"] for c in atlas.data.composites}
    studies = tuple(s for s in electrodiagnosis(atlas).studies() if s.kind in STUDY_WEIGHTS and s.id not in groups)
    keys = tuple((s.kind, s.id) for s in studies)
    cols = np.array([table.columns[k] for k in keys], dtype=np.intp)
    weight = np.array([STUDY_WEIGHTS[s.kind] for s in studies])
    skin = tuple(frozenset(r for r, w in atlas.nerve_territory(str(s.nerve)).regions.items() if w >= PREDICTED_ABNORMAL)
                 if s.kind == "snap" else frozenset() for s in studies)
    name_rank = np.empty(len(studies), dtype=np.intp)
    name_rank[sorted(range(len(studies)), key=lambda j: keys[j])] = np.arange(len(studies))
    for a in (cols, weight, name_rank):
        a.flags.writeable = False
    return _Proposable(studies, keys, cols, weight, skin, name_rank)


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
