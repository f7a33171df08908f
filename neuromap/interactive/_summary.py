"""A localization as the plain data the page and the widget show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from neuromap.errors import InvalidArgumentError, NeuromapError

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas
    from neuromap.inference import Localization

__all__ = ["MODALITY_CLASSES", "check_count", "region_classes", "summarize"]

#: Sensory modality of a finding -> the CSS class its region is drawn with (a modality not
#: listed, such as hypersensitivity or burning, is drawn as pain).
MODALITY_CLASSES = {"numbness": "nm-numb", "tingling": "nm-tingling", "pain": "nm-pain"}

#: A region counts as part of a hypothesis's territory (outlined) from this weight on.
TERRITORY_MIN_WEIGHT = 0.5


def check_count(name: str, value: Any) -> int:
    """Return *value* if it is a whole number of at least 1, else raise a one-line error naming *name*."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(name, f"expected a whole number of at least 1, got {value!r}")
    return value


def _finding_text(item: Mapping[str, Any], atlas: Atlas | None) -> str:
    text = str(item["text"])
    if atlas is not None and text == item.get("target"):
        # a finding given by its id (as the widget writes them) reads better by its label
        try:
            text = atlas[text].label
        except NeuromapError:
            pass
    why = item.get("why")
    return f"{text}: {why}" if why else text


def region_classes(result: Localization, side: str) -> dict[str, str]:
    """Region id -> the CSS classes of its element: the findings on *side*, the top territory.

    An abnormal finding wins over a normal one on the same region; the first abnormal modality
    reported for a region is the one drawn.
    """
    out: dict[str, str] = {}
    for f in result.findings:
        if f.kind != "region" or f.side != side:
            continue
        cls = MODALITY_CLASSES.get(f.modality or "", "nm-pain") if f.abnormal else "nm-normal"
        if f.target not in out or out[f.target] == "nm-normal":
            out[f.target] = cls
    top = result.top
    if top is not None and top.territory is not None:
        for rid, weight in top.territory.regions.items():
            if weight >= TERRITORY_MIN_WEIGHT:
                out[rid] = f"{out.get(rid, '')} nm-territory".strip()
    return out


def summarize(result: Localization, *, max_hypotheses: int = 10, atlas: Atlas | None = None) -> dict[str, Any]:
    """The parts of a result a reader looks at, as JSON-safe data, red flags first.

    Parameters
    ----------
    result : Localization
        A result of :func:`neuromap.localize`.
    max_hypotheses : int, optional
        How many hypotheses to keep, best first.
    atlas : Atlas, optional
        Names findings given by their ids with their labels.

    Returns
    -------
    dict
        ``red_flags`` and ``warnings`` (messages), ``pattern`` (its kind and message),
        ``hypotheses`` (rank, id, label, side, score, the regions of its territory and the
        texts of the findings it explains, leaves unexplained and contradicts) and
        ``next_examination`` (label and why).

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.interactive import summarize
    >>> result = neuromap.localize({"side": "right", "other": ["saddle anaesthesia"]})
    >>> summary = summarize(result, max_hypotheses=3)
    >>> summary["red_flags"][0][:36], len(summary["hypotheses"])
    ('Possible cauda equina syndrome: sadd', 3)
    """
    check_count("max_hypotheses", max_hypotheses)
    hyps = []
    for rank, h in enumerate(result.hypotheses[:max_hypotheses], 1):
        weights = h.territory.regions if h.territory is not None else {}
        regions = sorted(r for r, w in weights.items() if w >= TERRITORY_MIN_WEIGHT)
        hyps.append({
            "rank": rank, "id": h.id, "label": h.label + (f" at {h.site_label}" if h.site_label else ""),
            "side": h.side, "score": round(h.score, 3), "regions": regions,
            "explains": [_finding_text(x, atlas) for x in h.explains],
            "unexplained": [_finding_text(x, atlas) for x in h.unexplained],
            "contradicts": [_finding_text(x, atlas) for x in h.contradicts],
        })
    pattern = result.pattern
    kinds = ", ".join([*pattern.get("dermatomes", ()), *pattern.get("nerves", ())])
    return {
        "red_flags": [str(r["message"]) for r in result.red_flags],
        "warnings": list(result.warnings),
        "pattern": {"kind": str(pattern.get("kind", "")), "which": kinds, "message": pattern.get("message") or ""},
        "hypotheses": hyps,
        "separable": result.separable,
        "next_examination": [f"{x['label']} ({x['kind']}): {x['why']}" for x in result.next_examination],
    }
