"""What a case figure shows: the layout its findings call for, and the hypotheses it draws."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from neuromap.errors import InvalidArgumentError, InvalidTypeError, check_option
from neuromap.geometry import FOOT_VIEWS

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas
    from neuromap.inference.result import Hypothesis, Localization

#: How many of the leaders the default selection looks at for each row drawn (``top=3``: the
#: first six), so that a row never goes to a hypothesis far down the ranking.
POOL_PER_ROW = 2
#: Two territories this close (weighted Jaccard distance over the regions, 0 = the same
#: regions at the same weights) are near-copies: the default selection draws only the
#: better-ranked one, since a second row would show the same picture.
NEAR_COPY = 0.2


def reported_views(atlas: Atlas, result: Localization) -> set[str]:
    """The views of the regions a case reports (abnormal or examined normal) and of its drawings."""
    t = atlas.template
    views = {t.view_of(f.target) for f in result.findings if f.kind == "region" and f.target in t.regions()}
    views.update(str(d["view"]) for d in result.drawings if d.get("view"))
    return views


def choose_layout(atlas: Atlas, result: Localization) -> str:
    """The layout a case's findings call for: ``foot``, ``limb`` or ``saddle``.

    The regions reported decide: only the foot's views -> ``foot``; only the saddle ->
    ``saddle``; any region of the thigh, knee, leg or buttock, or the saddle with the foot ->
    ``limb``. A case without a reported region (weakness and reflexes only) -> ``limb``, where
    the whole territory of each hypothesis shows.
    """
    views = reported_views(atlas, result)
    if views and views <= set(FOOT_VIEWS):
        return "foot"
    if views == {"saddle"}:
        return "saddle"
    return "limb"


def _distance(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Weighted Jaccard distance of two territories (region -> weight): 0 the same, 1 disjoint."""
    keys = set(a) | set(b)
    top = sum(min(a.get(k, 0.0), b.get(k, 0.0)) for k in keys)
    bottom = sum(max(a.get(k, 0.0), b.get(k, 0.0)) for k in keys)
    return 1.0 - top / bottom if bottom > 0 else 0.0


def pick_hypotheses(result: Localization, top: int | None, hypotheses: Sequence[str] | str | None,
                    territory: Callable[[Hypothesis], Mapping[str, float]]) -> tuple[Hypothesis, ...]:
    """The hypotheses to draw, in rank order.

    *hypotheses* names them (ids as in the result, case and ``-``/space forgiven). Otherwise the
    best one and then, from the first ``POOL_PER_ROW * top`` leaders, the one whose territory
    differs most from those already chosen, until *top* are chosen or the rest are near-copies
    (:data:`NEAR_COPY`) of a chosen one.
    """
    hyps = result.hypotheses
    if hypotheses is not None:
        if top is not None:
            raise InvalidArgumentError("top", "give either 'top' or 'hypotheses', not both")
        names = (hypotheses,) if isinstance(hypotheses, str) else tuple(hypotheses)
        if not names:
            raise InvalidArgumentError("hypotheses", "name at least one hypothesis")
        ids = [h.id for h in hyps]
        for name in names:
            if not isinstance(name, str):
                raise InvalidTypeError("hypotheses", f"expected hypothesis ids (str), but got a {type(name).__name__}")
        wanted = {check_option("hypotheses", n, ids, fold=lambda s: s.lower().replace(" ", "_").replace("-", "_"))
                  for n in names}
        return tuple(h for h in hyps if h.id in wanted and h is result[h.id])
    n = 3 if top is None else top
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidArgumentError("top", f"must be an integer >= 1, but got {n!r}")
    pool = list(hyps[:POOL_PER_ROW * n])
    if not pool:
        return ()
    terr = {id(h): territory(h) for h in pool}
    chosen = [pool.pop(0)]
    while pool and len(chosen) < n:
        gaps = [min(_distance(terr[id(h)], terr[id(c)]) for c in chosen) for h in pool]
        best = max(range(len(pool)), key=lambda i: (gaps[i], -i))
        if gaps[best] < NEAR_COPY:
            break
        chosen.append(pool.pop(best))
    order = {id(h): i for i, h in enumerate(hyps)}
    return tuple(sorted(chosen, key=lambda h: order[id(h)]))
