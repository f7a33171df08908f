"""Rank scored options into hypotheses: one per lesion site and side, the leaders, a nerve's site.

Works on :class:`~neuromap.inference.scoring.Scores`: an *option* is a candidate on one side
(or both); a *hypothesis* is the best option of one candidate group on one side (the sites
of one nerve form one group, and the best site stands for the nerve).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neuromap.inference.scoring import SIDE_NAMES, Scores
from neuromap.weights import (
    LEADER_MARGIN,
    LEADER_MIN_RATIO,
    LEADER_RATIO,
    SITE_MARGIN,
    TIE,
)

__all__ = ["KIND_GROUPS", "best_of_kind", "cut", "leader_options", "names", "ranked_options", "site_decided"]


def ranked_options(scores: Scores, max_hypotheses: int) -> list[int]:
    """The best option per hypothesis (best site per nerve, each side once), best first.

    Hypotheses stay in score order (the public contract). Only listed options count (those
    that explain an abnormal finding, see :attr:`Scores.listed`). Enough are returned to fill
    ``max_hypotheses`` and one more, and to keep the tie at that point whole.
    """
    score = scores.score
    out: list[int] = []
    for k in _hypothesis_options(scores).tolist():
        if len(out) > max_hypotheses and abs(score[k] - score[out[-1]]) >= TIE:
            break
        out.append(k)
    return out


def _hypothesis_options(scores: Scores) -> np.ndarray:
    """Every hypothesis's best option (the first of each (group, side) among the listed), best first."""
    listed = scores.listed
    keys = scores.table.group[scores.rows[listed]] * 3 + scores.side_codes[listed]
    _, first = np.unique(keys, return_index=True)
    return listed[np.sort(first)]


def cut(ranked: Sequence[int], scores: Scores, max_hypotheses: int) -> list[int]:
    """The first *max_hypotheses* of *ranked*, never cutting through a tie.

    The order inside a tie is only a convention, so a tie at the cut is kept whole.
    """
    score = scores.score
    n = min(max_hypotheses, len(ranked))
    while 0 < n < len(ranked) and abs(score[ranked[n]] - score[ranked[n - 1]]) < TIE:
        n += 1
    return list(ranked[:n])


def leader_options(scores: Scores, ks: Sequence[int]) -> list[int]:
    """The top option of *ks* and those among the next three the findings do not separate from it.

    A hypothesis is a leader when its score is within :data:`~neuromap.weights.LEADER_RATIO`
    of the top score, or when the findings alone do not separate it (its evidence fit is
    within :data:`~neuromap.weights.LEADER_MARGIN` of the top's: parsimony and size break
    ties in the ranking, but they are not findings) and its score is at least
    :data:`~neuromap.weights.LEADER_MIN_RATIO` of the top's.
    """
    if not ks:
        return []
    score, evidence_fit = scores.score, scores.evidence_fit
    top = ks[0]
    return [top, *(k for k in ks[1:4]
                   if score[k] >= LEADER_RATIO * score[top]
                   or (evidence_fit[k] >= evidence_fit[top] - LEADER_MARGIN
                       and score[k] >= LEADER_MIN_RATIO * score[top]))]


def site_decided(scores: Scores, k: int) -> tuple[str | None, tuple[str, ...]]:
    """The site of nerve option *k* if the findings decide it, else None and the tied sites.

    The sites of the nerve on the same side that explain an abnormal finding compete; a site
    is decided when its evidence fit beats every other's by :data:`~neuromap.weights.SITE_MARGIN`.
    """
    table, v = scores.table, scores.lists
    c = table.candidates[v.rows[k]]
    if c.kind != "nerve" or c.nerve is None:
        return None, ()
    code = v.side_codes[k]
    same = [j for j in (v.position[r * 3 + code] for r in table.nerve_rows[c.nerve]) if j >= 0]
    if len(same) > 1:
        same = [j for j in same if v.is_listed[j]]
    if len(same) <= 1:
        return c.site, ()
    fits = [v.evidence_fit[j] for j in same]
    tied = tuple(table.candidates[v.rows[j]].site or "" for j, fit in zip(same, fits, strict=True)
                 if fit >= max(fits) - SITE_MARGIN)
    if tied == (c.site,):
        return c.site, ()
    return None, tied


def names(scores: Scores, ks: Sequence[int]) -> list[str]:
    """How a result names options *ks* together: each id, with its side when they lie on more than one side."""
    v = scores.lists
    ids = [scores.table.candidates[v.rows[k]].id for k in ks]
    sides = [SIDE_NAMES[v.side_codes[k]] for k in ks]
    if len(set(sides)) > 1:
        return [f"{i} ({s})" for i, s in zip(ids, sides, strict=True)]
    return ids


#: The kinds of hypothesis a differential names the best of: a root (one root or contiguous
#: roots), a nerve, a plexus, the cauda equina, a polyneuropathy.
KIND_GROUPS = {"root": "root", "roots": "root", "nerve": "nerve", "plexus": "plexus", "cauda_equina": "cauda_equina",
               "polyneuropathy": "polyneuropathy"}


def best_of_kind(scores: Scores) -> list[tuple[int, int]]:
    """The best hypothesis of each kind that explains an abnormal finding: (option, rank), by rank.

    The rank is the hypothesis's place in the full ranking (1 for the top), the order of
    :func:`ranked_options` without its cut: a root alternative ranked 9th of a nerve-led list is
    named with its rank, and the list itself stays in score order. None when the case has no
    abnormal finding or no hypothesis explains one.
    """
    abnormal = np.array([f.abnormal for f in scores.findings])
    if not abnormal.any():
        return []
    best = _hypothesis_options(scores)
    explains = np.flatnonzero((scores.p[best][:, abnormal] > 0).any(axis=1))
    cands = scores.table.candidates
    out: list[tuple[int, int]] = []
    seen: set[str] = set()
    for i in explains.tolist():
        group = KIND_GROUPS[cands[scores.rows[best[i]]].kind]
        if group not in seen:
            seen.add(group)
            out.append((int(best[i]), i + 1))
    return out

