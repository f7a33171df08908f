"""Explain ranked options: what each hypothesis explains, leaves out and contradicts, and why.

Each explained finding gets a reason ("in the L5 dermatome", "in the territory of the deep
fibular nerve") and the atlas path behind it (root -> plexus -> nerve -> branch -> target, or
the dermatome edge) with that path's sources. :func:`next_examination` proposes the untested
examinations that would best separate the leaders.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from neuromap.atlas import Atlas
from neuromap.atlas.electro import electrodiagnosis
from neuromap.inference.candidates import Candidate
from neuromap.inference.case import ParsedCase
from neuromap.inference.rank import site_decided
from neuromap.inference.result import Hypothesis
from neuromap.inference.scoring import SIDE_NAMES, Scores, ScoringTable
from neuromap.inference.studies import STUDY_KINDS, study_reason
from neuromap.inference.terms import candidate_rate
from neuromap.weights import (
    EXAM_MIN_SPLIT,
    EXAM_SPREAD,
    EXAM_WEIGHTS,
    KAPPA,
    MAX_NEXT_EXAMINATIONS,
    PARTLY_BELOW,
    PREDICTED_ABNORMAL,
)

__all__ = ["heading", "hypotheses", "next_examination"]

_TARGET_WORDS = {"region": "skin region", "movement": "movement", "muscle": "muscle", "reflex": "reflex",
                 "sign": "sign", "snap": "SNAP", "cmap": "motor response", "emg": "needle EMG result",
                 "paraspinal": "paraspinal EMG result", "h_reflex": "H reflex", "f_wave": "F wave",
                 "block": "conduction block"}


def hypotheses(scores: Scores | None, ks: Sequence[int], atlas: Atlas, map_id: str,
               events: tuple[str, ...] = ()) -> tuple[Hypothesis, ...]:
    """The :class:`~neuromap.inference.result.Hypothesis` of each option in *ks*, in order.

    *events* are the context events of the case's history (they raise some base rates).
    """
    if scores is None:
        return ()
    # the part of each finding's entry that is the same for every hypothesis
    refs = [{"finding": f.field, "text": f.text, "kind": f.kind, "target": f.target, "side": f.side}
            for f in scores.findings]
    return tuple(_hypothesis(scores, k, atlas, map_id, refs, events) for k in ks)


def _hypothesis(scores: Scores, k: int, atlas: Atlas, map_id: str, refs: Sequence[Mapping[str, Any]],
                events: tuple[str, ...]) -> Hypothesis:
    e = scores.evaluation(k)
    c = e.candidate
    explains: list[dict[str, Any]] = []
    unexplained: list[dict[str, Any]] = []
    contradicts: list[dict[str, Any]] = []
    paths: list[dict[str, Any]] = []
    sources = dict.fromkeys(_candidate_sources(atlas, c))
    for f, p, ref in zip(scores.findings, e.p, refs, strict=True):
        if f.abnormal and p > 0:
            x = _explained(atlas, c, f.kind, f.target, f.text, map_id, p)
            explains.append({**ref, "strength": x.strength, "why": x.why})
            if x.path:
                # the path is the cached tuple (not a list): the entry stays untracked by the garbage collector
                paths.append({"finding": f.field, "target": f.target, "path": x.path})
                sources.update(x.sources)
        elif f.abnormal:
            unexplained.append({**ref, "why": _why_not(c.label, f.kind, f.side, e.side)})
        elif p >= PREDICTED_ABNORMAL:
            contradicts.append({**ref, "strength": round(p, 3),
                                "why": f"examined normal, but a lesion here predicts it involved (weight {p:.2f})"})
    return Hypothesis(
        **heading(scores, k, atlas), explains=tuple(explains), unexplained=tuple(unexplained),
        contradicts=tuple(contradicts), paths=tuple(paths), sources=tuple(sources),
        prior=_prior(e, atlas, events), territory=c.territory)


def heading(scores: Scores, k: int, atlas: Atlas) -> dict[str, Any]:
    """What names option *k* as a hypothesis: its kind, id, label, levels, nerve and site, side and score.

    The part of a :class:`~neuromap.inference.result.Hypothesis` a ranking-only result
    (:class:`~neuromap.inference.ranking.Ranking`) keeps.
    """
    v = scores.lists
    c = scores.table.candidates[v.rows[k]]
    site, tied = site_decided(scores, k)
    label, site_label, multi_site = c.label, None, False
    if c.nerve is not None:
        nerve_label, site_labels = _nerve_names(atlas, c.nerve)
        multi_site = len(site_labels) > 1
        if site is not None and multi_site:
            site_label = site_labels[site]
        if c.kind == "nerve":
            label = nerve_label + (f" {site_label}" if site_label else "")
    return {"kind": c.kind, "id": c.id, "label": label, "levels": c.levels, "nerve": c.nerve,
            "site": site if multi_site else None, "site_label": site_label, "candidate_sites": tied,
            "side": SIDE_NAMES[v.side_codes[k]], "score": round(v.score[k], 4)}


@functools.lru_cache(maxsize=1024)
def _nerve_names(atlas: Atlas, nerve: str) -> tuple[str, dict[str, str]]:
    """A nerve's label and the label of each of its lesion sites (cached: the atlas is immutable)."""
    node = atlas.node(nerve)
    return node["label"], {s["id"]: s["label"] for s in node["sites"]}


@functools.lru_cache(maxsize=4096)
def _rate(atlas: Atlas, c: Candidate, events: tuple[str, ...]) -> tuple[float, tuple[str, ...]]:
    """The base rate of a candidate under a history's events, and its sources (cached: both are immutable)."""
    return candidate_rate(c, atlas.data.priors, events)


def _prior(e: Any, atlas: Atlas, events: tuple[str, ...]) -> dict[str, Any]:
    """How much of a hypothesis's score is prior: its base rate, and its score without the prior term."""
    rate, sources = _rate(atlas, e.candidate, events)
    without = min(math.exp(KAPPA * (e.fit - e.prior_fit - 1.0)), 1.0)
    return {"rate": round(rate, 4), "unit": atlas.data.priors["unit"], "fit_term": round(e.prior_fit, 4),
            "score_without_prior": round(without, 4), "sources": sources}


@functools.lru_cache(maxsize=4096)
def _candidate_sources(atlas: Atlas, c: Candidate) -> tuple[str, ...]:
    """The sources of a candidate's territory that the atlas knows (cached: both are immutable)."""
    known = atlas.data.sources
    return tuple(s for s in dict.fromkeys(c.sources) if s in known)


class _Explained(NamedTuple):
    """How a candidate explains one target: what :func:`_explained` returns."""

    strength: float                     #: the involvement, rounded
    why: str                            #: the reason, a short clause
    path: tuple[str, ...] | None        #: the atlas path from the lesion site down to the target
    sources: dict[str, None]            #: the known sources of the path's edges, in order, without repeats


@functools.lru_cache(maxsize=8192)  # a few MB at most
def _explained(atlas: Atlas, c: Candidate, kind: str, target: str, text: str, map_id: str, p: float
               ) -> _Explained:
    """How strongly and why candidate *c* explains a target, the atlas path behind it and its sources.

    Cached: the atlas and its candidates are immutable, and cases explain the same targets
    again and again. The sources come as a dict (ordered, without repeats) to update others with.
    """
    suffix = " (partly)" if p < PARTLY_BELOW else ""
    path = None
    if kind in STUDY_KINDS:
        why = study_reason(atlas, c, kind, target, p)
        muscle = electrodiagnosis(atlas).study(kind, target).muscle
        if kind in ("emg", "cmap", "f_wave") and muscle is not None:
            path = _path(atlas, c.kind, str(c.nerve) if c.kind == "nerve" else c.id, c.levels, "muscle", muscle, map_id)
    elif kind == "sign":
        why = f"{text} points to this lesion"
    elif c.kind in ("root", "roots", "cauda_equina"):
        if kind == "region":
            roots = [r for r in c.levels if atlas.root_territory(r, map_id).regions.get(target)]
            why = f"in the {'/'.join(roots) or c.id} dermatome{suffix}"
        else:
            reach = [r for r in c.levels if atlas.root_territory(r).get(kind, target) > 0]
            why = f"{'/'.join(reach) or c.id} supplies it{suffix}"
        path = _path(atlas, c.kind, c.id, c.levels, kind, target, map_id)
    elif c.kind == "nerve":
        why = f"in the territory of the {atlas.node(str(c.nerve))['label'].lower()}{suffix}"
        path = _path(atlas, c.kind, str(c.nerve), c.levels, kind, target, map_id)
    elif c.kind == "polyneuropathy":
        why = f"involved early in a length-dependent neuropathy{suffix}"
    else:
        why = f"supplied through the {c.label.replace(' lesion', '').lower()}{suffix}"
        path = _path(atlas, c.kind, c.id, c.levels, kind, target, map_id)
    known = atlas.data.sources
    sources = {s: None for u, v in zip(path or (), (path or ())[1:], strict=False)
               for s in atlas.edge(u, v)["sources"] if s in known}
    return _Explained(round(p, 3), why, path, sources)


def _path(atlas: Atlas, kind: str, ident: str, levels: tuple[str, ...], tkind: str, target: str,
          map_id: str) -> tuple[str, ...] | None:
    """The atlas path behind one explained finding: from the lesion site down to the target."""
    if kind == "nerve":
        p = atlas.path(ident, target, dermatome_map=map_id)
        return tuple(p) if p else None
    if kind == "plexus":
        for v in atlas.successors(ident):
            p = atlas.path(v, target, dermatome_map=map_id) if atlas.node(v)["kind"] == "nerve" else None
            if p:
                return (ident, *p)
        p = atlas.path(ident, target, dermatome_map=map_id)
        return tuple(p) if p else None
    for r in sorted(levels, key=lambda r: -atlas.root_territory(r, map_id).get(tkind, target)):
        p = atlas.path(r, target, dermatome_map=map_id)
        if p:
            return tuple(p)
    return None


@functools.lru_cache(maxsize=4096)
def _why_not(label: str, kind: str, finding_side: str, side: str) -> str:
    """Why a hypothesis (its label and side) leaves a finding (its kind and side) unexplained (cached)."""
    if side not in ("bilateral", finding_side):
        return f"on the {finding_side} side; this hypothesis is a {side} lesion"
    if kind in STUDY_KINDS:
        return f"a lesion of the {label.lower()} does not predict this {_TARGET_WORDS[kind]} abnormal"
    return f"this {_TARGET_WORDS[kind]} lies outside the territory of the {label.lower()}"


def next_examination(scores: Scores, ks: Sequence[int], names: Sequence[str], parsed: ParsedCase,
                     atlas: Atlas) -> list[dict[str, Any]]:
    """Untested examinations that best separate the leaders, best first.

    An examination (a reflex, a movement, a skin region; :data:`~neuromap.weights.EXAM_WEIGHTS`)
    is worth its weight times how differently the top two leaders predict it, plus a little
    of the spread over all leaders; targets examined on every side of the case are skipped.

    Parameters
    ----------
    scores : Scores
        The case's scores (their table gives every leader's involvement of every target).
    ks : sequence of int
        The leaders' options, best first (at least two to separate).
    names : sequence of str
        The name of each leader (:func:`~neuromap.inference.rank.name`), as the result says it.
    parsed : ParsedCase
        The case (what was examined, on which sides).
    atlas : Atlas

    Returns
    -------
    list of dict
        At most :data:`~neuromap.weights.MAX_NEXT_EXAMINATIONS` proposals, each with ``kind``,
        ``id``, ``label``, ``value``, each leader's predicted involvement (``predictions``)
        and ``why``.
    """
    # one row per leader name (a name given twice keeps its last leader, as a dict would)
    by_name = {n: int(scores.rows[k]) for n, k in zip(names, ks, strict=True)}
    if len(by_name) < 2:
        return []
    names = list(by_name)
    exam = _exam_targets(scores.table, atlas)
    v = exam.p[list(by_name.values())]                           # (leaders, targets)
    top_two = np.abs(v[0] - v[1])
    value = exam.weight * (top_two + EXAM_SPREAD * (v.max(axis=0) - v.min(axis=0)))
    proposable = exam.weight * top_two >= EXAM_MIN_SPLIT
    # the targets examined on every side of the case are not proposed again
    examined: dict[tuple[str, str], set[str]] = {}
    for f in parsed.findings:
        examined.setdefault((f.kind, f.target), set()).add(f.side)
    sides = {f.side for f in parsed.findings}
    proposable[[exam.where[kt] for kt, on in examined.items() if on >= sides and kt in exam.where]] = False
    split = np.flatnonzero(proposable)
    if len(split) > MAX_NEXT_EXAMINATIONS:
        # only the best few are proposed: keep those that can be among them before sorting exactly
        # (rounding to 9 places never lifts a value 1e-8 below the cut above it)
        cut = np.partition(value[split], len(split) - MAX_NEXT_EXAMINATIONS)[len(split) - MAX_NEXT_EXAMINATIONS]
        split = split[value[split] >= cut - 1e-8]
    targets = exam.targets
    found = [(val, *targets[j], ps)
             for j, val, ps in zip(split.tolist(), value[split].tolist(), v[:, split].T.tolist(), strict=True)]
    found.sort(key=lambda o: (-round(o[0], 9), o[1], o[2]))
    out = []
    for val, kind, target, ps in found[:MAX_NEXT_EXAMINATIONS]:
        hi = [n for n, p in zip(names, ps, strict=True) if p >= PREDICTED_ABNORMAL]
        lo = [n for n, p in zip(names, ps, strict=True) if p < PREDICTED_ABNORMAL]
        out.append({"kind": kind, "id": target, "label": atlas.node(target)["label"], "value": round(val, 3),
                    "predictions": {n: round(p, 3) for n, p in zip(names, ps, strict=True)},
                    "why": (f"expected abnormal under {', '.join(hi) or 'none'}; "
                            f"normal under {', '.join(lo) or 'none'}")})
    return out



class _Exams(NamedTuple):
    """Every examination :func:`next_examination` may propose, in order, with its column and weight."""

    targets: tuple[tuple[str, str], ...]   #: (kind, target)
    where: dict[tuple[str, str], int]      #: (kind, target) -> its place in ``targets``
    weight: np.ndarray                     #: its weight (:data:`~neuromap.weights.EXAM_WEIGHTS`)
    p: np.ndarray                          #: (candidates, examinations): each candidate's involvement


@functools.lru_cache(maxsize=32)
def _exam_targets(table: ScoringTable, atlas: Atlas) -> _Exams:
    """The examinations of an atlas, as columns of its scoring table (cached per table)."""
    found = [(kind, t, w) for kind, w in EXAM_WEIGHTS for t in atlas.ids(kind)]
    targets = tuple((kind, t) for kind, t, _ in found)
    p = table.p[:, np.array([table.columns[kt] for kt in targets], dtype=np.intp)]
    p.flags.writeable = False
    return _Exams(targets, {kt: i for i, kt in enumerate(targets)}, np.array([w for *_, w in found]), p)
