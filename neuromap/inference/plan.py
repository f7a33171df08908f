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
from collections.abc import Mapping, Sequence
from itertools import combinations
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from neuromap.atlas import Atlas
from neuromap.atlas.electro import Study, electrodiagnosis
from neuromap.inference.candidates import Candidate
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
    option_rows = scores.lists.rows
    by_name = {n: option_rows[k] for n, k in zip(names, ks, strict=True)}
    if len(by_name) < 2:
        return []
    names = list(by_name)
    rows = list(by_name.values())
    plan = _proposable(atlas, scores.table)
    weight = plan.weight
    symptomatic = sorted({j for f in parsed.findings if f.kind == "region" and f.abnormal
                          for j in plan.snaps_of.get(f.target, ())})
    if symptomatic:
        weight = weight.copy()
        weight[symptomatic] *= STUDY_SYMPTOMATIC_SNAP
    v = plan.p[rows]                                                       # (leaders, studies)
    value = weight * (np.abs(v[0] - v[1]) + EXAM_SPREAD * (v.max(axis=0) - v.min(axis=0)))
    first, second = _pairs(len(names))
    strength = weight * np.abs(v[first] - v[second])                      # (pairs, studies)
    expected = v >= PREDICTED_ABNORMAL
    # a study separates two hypotheses when they expect different results, by enough
    separates = (strength >= STUDY_MIN_SPLIT) & (expected[first] != expected[second])
    # ... and is never proposed when the case reports it on every side it has
    sides = {f.side for f in parsed.findings}
    done: dict[int, set[str]] = {}
    for f in parsed.findings:
        j = plan.by_key.get((f.kind, f.target))
        if j is not None:
            done.setdefault(j, set()).add(f.side)
    reported = [j for j, on in done.items() if sides <= on]
    if reported:
        separates[:, reported] = False
    # the plan draws on the studies that separate some pair, best first: by value, then kind and id
    order = np.lexsort((plan.name_rank, -value.round(9)))
    cols = order[separates.any(axis=0)[order]]
    if not len(cols):
        return []
    separates, strength = separates[:, cols], strength[:, cols]
    count, total = separates.sum(axis=0), strength.sum(axis=0).round(9)   # over every pair
    chosen = _cover(separates, strength, count, total)
    # corroborate: the study of each kind not yet in the plan that separates the most pairs, most strongly
    kind = [plan.kinds[j] for j in cols.tolist()]
    kinds = {kind[i] for i in chosen}
    for i in np.lexsort((-total, -count)).tolist():
        if len(chosen) >= MIN_NEXT_STUDIES:
            break
        if kind[i] not in kinds:
            chosen.append(i)
            kinds.add(kind[i])
    chosen = sorted(chosen[:max(MAX_NEXT_STUDIES, len(chosen))])  # best first; the cover is never cut
    js = cols[chosen]
    cands = [scores.table.candidates[r] for r in rows]
    return [_proposal(atlas, plan.studies[j], x, names, cands, ps)
            for j, x, ps in zip(js.tolist(), value[js].tolist(), v[:, js].T.tolist(), strict=True)]


def _cover(separates: np.ndarray, strength: np.ndarray, count: np.ndarray, total: np.ndarray) -> list[int]:
    """The fewest studies that separate every pair some study separates (greedy).

    *separates* and *strength* are ``(pairs, studies)``, the studies best first, at least one of
    which separates a pair; *count* and *total* are their sums over every pair (*total* rounded).
    Each step takes the study that separates the most pairs still apart, then the one that
    separates them most strongly, then the first (the sort is stable).
    """
    apart = np.flatnonzero(separates.any(axis=1))       # the pairs still apart
    chosen: list[int] = []
    while True:
        if len(apart) < len(separates):                  # the sums over the pairs still apart
            count, total = separates[apart].sum(axis=0), strength[apart].sum(axis=0).round(9)
        best = int(np.lexsort((-total, -count))[0])
        chosen.append(best)
        apart = apart[~separates[apart, best]]
        if not len(apart):
            return chosen


class _Proposable(NamedTuple):
    """The studies a plan may propose, with what every case reads of them (see :func:`_proposable`)."""

    studies: tuple[Study, ...]
    by_key: Mapping[tuple[str, str], int]  #: each study's place, by (kind, id) as a reported finding names it
    kinds: tuple[str, ...]                 #: the kind of each
    p: np.ndarray                          #: ``(candidates, studies)``: the scoring table's involvement of each
    weight: np.ndarray                     #: STUDY_WEIGHTS of its kind
    snaps_of: Mapping[str, tuple[int, ...]]  #: region -> the SNAPs of the nerves that supply it (0.5 or more)
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
    keys = [(s.kind, s.id) for s in studies]
    p = table.p[:, [table.columns[k] for k in keys]]
    weight = np.array([STUDY_WEIGHTS[s.kind] for s in studies])
    snaps_of: dict[str, list[int]] = {}
    for j, s in enumerate(studies):
        if s.kind == "snap":
            for r, w in atlas.nerve_territory(str(s.nerve)).regions.items():
                if w >= PREDICTED_ABNORMAL:
                    snaps_of.setdefault(r, []).append(j)
    name_rank = np.empty(len(studies), dtype=np.intp)
    name_rank[sorted(range(len(studies)), key=keys.__getitem__)] = np.arange(len(studies))
    for a in (p, weight, name_rank):
        a.flags.writeable = False
    return _Proposable(studies, MappingProxyType({k: j for j, k in enumerate(keys)}), tuple(s.kind for s in studies),
                       p, weight, MappingProxyType({r: tuple(js) for r, js in snaps_of.items()}), name_rank)


@functools.lru_cache(maxsize=8)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of *n* leaders, as the first and the second of each (read-only)."""
    first, second = (np.array(x, dtype=np.intp) for x in zip(*combinations(range(n), 2), strict=True))
    first.flags.writeable = second.flags.writeable = False
    return first, second


def _proposal(atlas: Atlas, study: Study, value: float, names: list[str], cands: list[Candidate],
              ps: list[float]) -> dict[str, Any]:
    """One proposed study: what to request, what each leader (*names*, *cands*) predicts of it (*ps*), and why."""
    word, abnormal = _REQUEST[study.kind]
    request: dict[str, Any] = {"study": word}
    label = study.label
    if study.kind in ("emg", "paraspinal"):
        request["muscle"] = study.label
        label = f"Needle EMG: {study.label}s" if study.kind == "paraspinal" else f"Needle EMG: {study.label}"
    elif study.kind == "snap":
        request["nerve"] = study.label.replace(" SNAP", "")
    high = [p >= PREDICTED_ABNORMAL for p in ps]
    hi = [i for i, h in enumerate(high) if h]
    lo = [i for i, h in enumerate(high) if not h]
    parts = []
    if hi:
        parts.append(f"{abnormal} under {', '.join(names[i] for i in hi)} "
                     f"({study_reason(atlas, cands[hi[0]], study.kind, study.id, ps[hi[0]])})")
    if lo:
        parts.append(f"normal under {', '.join(names[i] for i in lo)}"
                     + (f" ({study_reason(atlas, cands[lo[0]], study.kind, study.id, ps[lo[0]])})"
                        if study.kind == "snap" and cands[lo[0]].kind in ("root", "roots", "cauda_equina") else ""))
    return {"study": word, "kind": study.kind, "id": study.id, "label": label, "request": request,
            "value": round(value, 3), "predictions": {n: round(p, 3) for n, p in zip(names, ps, strict=True)},
            "expected": {n: abnormal if h else "normal" for n, h in zip(names, high, strict=True)},
            "why": "; ".join(parts), "sources": list(study.sources)}
