"""The terms of the score that are not findings: prevalence priors and the pattern read.

Both are per candidate and added to the evidence sum of the score (``docs/method.md`` §3):

* the **prior**: ``PRIOR_WEIGHT * ln(rate / largest rate)``, where the rate is the cited base
  rate of the candidate's kind and site (``data/priors.json``): a lesion as common as the
  commonest (an L5 radiculopathy) pays nothing, a rare one pays in proportion to how many times
  rarer it is, in orders of magnitude;
* the **pattern support**: ``PATTERN_WEIGHT`` for the candidates the read of the findings points
  to (a stocking: a polyneuropathy; one dermatome: that root; one nerve territory: that nerve;
  saddle and sphincter findings: the cauda equina, with ``SADDLE_SPHINCTER_WEIGHT``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from neuromap.atlas import Atlas
from neuromap.datasets import ROOT_IDS
from neuromap.inference.candidates import Candidate
from neuromap.weights import HISTORY_FACTOR, PATTERN_WEIGHT, PRIOR_WEIGHT, PRIORS, SADDLE_SPHINCTER_WEIGHT

__all__ = ["PRIORS", "candidate_rate", "pattern_support", "prior_terms"]


def candidate_rate(c: Candidate, priors: Mapping[str, Any],
                   events: Sequence[str] = ()) -> tuple[float, tuple[str, ...]]:
    """The base rate of a candidate (new cases per 100,000 person-years) and its sources.

    Each context event of the case's history that raises the candidate (``priors["history"]``:
    its kind, its nerve (at a site) or its plexus) multiplies the rate by its cited factor, or by
    :data:`~neuromap.weights.HISTORY_FACTOR` where the source gives none.

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.inference.candidates import candidates
    >>> atlas = neuromap.load_atlas()
    >>> l5 = next(c for c in candidates(atlas, atlas.default_dermatome_map) if c.id == "L5")
    >>> round(candidate_rate(l5, atlas.data.priors)[0], 1)
    209.0
    """
    rate, sources = _base_rate(c, priors)
    for event in priors.get("history", ()):
        if event["id"] in events:
            for r in event["raises"]:
                kind = "root" if c.kind == "roots" else c.kind   # a root kind raises its ranges too
                plexus = c.id if c.kind == "plexus" else ""
                if (r.get("kind") in (None, kind) and r.get("nerve") in (None, c.nerve)
                        and r.get("site") in (None, c.site) and r.get("plexus") in (None, plexus)):
                    rate *= r.get("factor", HISTORY_FACTOR)
                    sources = (*sources, *event["sources"])
                    break
    return rate, tuple(dict.fromkeys(sources))


def _base_rate(c: Candidate, priors: Mapping[str, Any]) -> tuple[float, tuple[str, ...]]:
    kinds = priors["kinds"]
    if c.kind in ("root", "roots"):
        levels = priors["root_levels"]
        share = max(_level_share(levels["shares"], r) for r in c.levels)
        return kinds["root"]["rate"] * share, (*kinds["root"]["sources"], *levels["sources"])
    if c.kind == "polyneuropathy" and c.site in priors.get("polyneuropathy_forms", {}):
        entry = priors["polyneuropathy_forms"][c.site]
        return entry["rate"], tuple(entry["sources"])
    if c.kind == "nerve":
        for entry in priors["nerves"]:
            if entry["nerve"] == c.nerve and entry.get("site", c.site) == c.site:
                return entry["rate"], tuple(entry["sources"])
        return kinds["nerve"]["rate"], tuple(kinds["nerve"]["sources"])
    entry = kinds[c.kind]
    return entry["rate"], tuple(entry["sources"])


def _level_share(shares: Mapping[str, float], root: str) -> float:
    """A root level's share of the root rate: its own, or an even part of what the listed levels leave."""
    if root in shares:
        return shares[root]
    unlisted = [r for r in ROOT_IDS if r not in shares]
    return max(1.0 - sum(shares.values()), 0.0) / len(unlisted)


@functools.lru_cache(maxsize=64)
def prior_terms(atlas: Atlas, cands: tuple[Candidate, ...], events: tuple[str, ...] = ()) -> tuple[
        np.ndarray, tuple[float, ...], tuple[tuple[str, ...], ...]]:
    """Per candidate: the prior term (evidence units, at most 0), the rate and its sources (cached).

    The term is relative to the largest base rate without history, so a history event can lift
    a candidate above the commonest lesion (its term is then positive).
    """
    rates = [candidate_rate(c, atlas.data.priors, events) for c in cands]
    top = max(candidate_rate(c, atlas.data.priors)[0] for c in cands)
    term = np.array([PRIOR_WEIGHT * math.log(r / top) for r, _ in rates])
    term.flags.writeable = False
    return term, tuple(r for r, _ in rates), tuple(s for _, s in rates)


def pattern_support(cands: Sequence[Candidate], sensory: Mapping[str, Any], saddle_sphincter: bool) -> np.ndarray:
    """Per candidate: the support the read of the findings gives it (evidence units).

    Parameters
    ----------
    cands : sequence of Candidate
    sensory : dict
        The pattern read (:func:`neuromap.inference.flags.pattern`).
    saddle_sphincter : bool
        Whether the case has both a saddle sensory finding and a sphincter finding.
    """
    kind = sensory["kind"]
    index = _support_index(tuple(cands))
    out = np.zeros(len(index.every))
    if kind == "stocking":
        out[index.polyneuropathy] = PATTERN_WEIGHT
    if kind in ("dermatomal", "dermatomal_or_single_nerve"):
        roots = set(sensory.get("dermatomes", ()))
        if len(roots) == 1:
            out[index.root.get(roots.pop(), [])] = PATTERN_WEIGHT
    if kind in ("single_nerve", "dermatomal_or_single_nerve"):
        for n in set(sensory.get("nerves", ())):
            out[index.nerve.get(n, [])] = PATTERN_WEIGHT
    if saddle_sphincter:
        out[index.cauda_equina] = SADDLE_SPHINCTER_WEIGHT
    return out


class _SupportIndex(NamedTuple):
    """Where the candidates the pattern read may support sit in a candidate tuple."""

    every: range
    polyneuropathy: list[int]
    cauda_equina: list[int]
    root: dict[str, list[int]]     #: a single root's id -> its rows
    nerve: dict[str, list[int]]    #: a nerve -> the rows of its sites (nerve kind only)


@functools.lru_cache(maxsize=16)
def _support_index(cands: tuple[Candidate, ...]) -> _SupportIndex:
    root: dict[str, list[int]] = {}
    nerve: dict[str, list[int]] = {}
    for i, c in enumerate(cands):
        if c.kind == "root":
            root.setdefault(c.id, []).append(i)
        elif c.kind == "nerve" and c.nerve is not None:
            nerve.setdefault(c.nerve, []).append(i)
    return _SupportIndex(range(len(cands)), [i for i, c in enumerate(cands) if c.kind == "polyneuropathy"],
                         [i for i, c in enumerate(cands) if c.kind == "cauda_equina"], root, nerve)
