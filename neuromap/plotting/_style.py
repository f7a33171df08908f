"""Palettes, colours and hatches, and how a region of each figure is styled."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from matplotlib import colors as mcolors

from neuromap.datasets import ROOT_IDS
from neuromap.geometry import FOOT_VIEWS, VIEWS

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

#: The Okabe-Ito colour-blind-safe palette (black last; it is never used as a fill).
OKABE_ITO: tuple[str, ...] = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                              "#000000")
#: Paul Tol's colour-blind-safe "muted" palette (plus its pale grey), for more than seven categories.
TOL_MUTED: tuple[str, ...] = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677",
                              "#882255", "#AA4499", "#DDDDDD")
#: The colour of each spinal root, fixed so that a root looks the same in every figure. The
#: foot's roots take the most distinct Okabe-Ito colours: L4 orange, L5 sky blue, S1 bluish
#: green; S2 reddish purple, L3 yellow.
ROOT_COLORS: Mapping[str, str] = MappingProxyType({
    "L1": "#882255", "L2": "#0072B2", "L3": "#F0E442", "L4": "#E69F00", "L5": "#56B4E9",
    "S1": "#009E73", "S2": "#CC79A7", "S3": "#D55E00", "S4": "#999999", "S5": "#BBBBBB",
})
#: Fill of a region that the chosen layer leaves without a root.
UNASSIGNED_COLOR = "#EBEBEB"
#: Hatch of each grade of a multi-root region: ``overlap`` = the map draws the region at the
#: border of the roots; ``variable`` = the map leaves it blank or unresolved. Figures draw the
#: ``variable`` pattern as dots (markers, the same pattern as matplotlib's ``"..."`` hatch).
GRADE_HATCH: Mapping[str, str] = MappingProxyType({"overlap": "////", "variable": "..."})
#: Hatch of each sensory modality in case figures.
MODALITY_HATCH: Mapping[str, str] = MappingProxyType({
    "numbness": "\\\\\\", "tingling": "...", "pain": "xxx", "burning": "+++", "hypersensitivity": "ooo",
})
#: The colours of a case figure's hypotheses, best first.
HYPOTHESIS_COLORS: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
#: The box colour of each kind of node in a pathway figure. A root's box takes the root's own
#: colour (:data:`ROOT_COLORS`); the other kinds take colours no root has (Paul Tol's muted
#: sand and rose, pale tints and greys), so a box never reads as a root it is not.
KIND_COLORS: Mapping[str, str] = MappingProxyType({
    "plexus": "#D9CCE6", "nerve": "#F7F3E3", "region": "#E0E0E0", "muscle": "#DDCC77",
    "movement": "#DDCC77", "reflex": "#CC6677",
})
#: Outlines (of a view, of legend keys) and the edges between regions.
OUTLINE = "#303030"
EDGE = "white"
#: The face of a region outside every territory drawn in a case figure.
BLANK = "#F5F5F5"
#: The colour of each state of an evidence-matrix cell (Okabe-Ito blue, orange, vermilion).
EVIDENCE_COLORS: Mapping[str, str] = MappingProxyType({
    "explained": "#0072B2", "unexplained": "#E69F00", "contradicted": "#D55E00",
})


@dataclass(frozen=True)
class RegionStyle:
    """How one region is drawn: its face, an optional hatch and its label.

    Attributes
    ----------
    face : str
        The face colour.
    hatch : tuple of (str, str) or None
        ``(pattern, colour)`` laid over the face, if any.
    label : str
        The text written at the region's label anchor ("" for none).
    """

    face: str
    hatch: tuple[str, str] | None = None
    label: str = ""


def text_color(face: Any) -> str:
    """Black or white, whichever reads better on *face*."""
    r, g, b, _ = mcolors.to_rgba(face)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.45 else "white"


def palette(n: int) -> tuple[str, ...]:
    """The palette for *n* categories: Okabe-Ito up to seven, Paul Tol's muted up to ten.

    Beyond ten, the muted colours are followed by their pale tints (the grey excepted), so
    that up to 19 categories keep distinct colours and the first ten keep theirs.

    Examples
    --------
    >>> len(palette(5)), len(palette(10)), len(palette(14))
    (7, 10, 19)
    >>> palette(14)[:10] == palette(10)
    True
    """
    if n <= 7:
        return OKABE_ITO[:7]
    if n <= len(TOL_MUTED):
        return TOL_MUTED
    return TOL_MUTED + tuple(mcolors.to_hex(blend(c, 0.45)).upper() for c in TOL_MUTED[:-1])


def root_color(root: str) -> str:
    """The fixed colour of a root (:data:`ROOT_COLORS`), grey for an unknown one."""
    return ROOT_COLORS.get(root, "#777777")


def blend(color: str, alpha: float) -> tuple[float, float, float, float]:
    """*color* at opacity *alpha* over white, as an opaque RGBA (so overlaps never mix colours)."""
    r, g, b, _ = mcolors.to_rgba(color)
    a = min(1.0, max(0.0, alpha))
    return (1 - a + a * r, 1 - a + a * g, 1 - a + a * b, 1.0)


def dermatome_style(grades: Mapping[str, str]) -> RegionStyle:
    """The style of a region given its roots and their grades in one layer.

    The face takes the root of highest grade (the most cranial on a tie); a second root is
    laid over it as a hatch in its own colour: stripes where the map draws a border between
    the roots (``overlap``), dots where it leaves the area unresolved (``variable``; the label
    ends in ``?``).
    """
    if not grades:
        return RegionStyle(UNASSIGNED_COLOR)
    rank = {"primary": 0, "overlap": 1, "variable": 2}
    roots = sorted(grades, key=lambda r: (rank.get(grades[r], 3), ROOT_IDS.index(r) if r in ROOT_IDS else 99))
    face = root_color(roots[0])
    if len(roots) == 1:
        return RegionStyle(face, label=roots[0])
    grade = "variable" if "variable" in grades.values() else "overlap"
    label = "/".join(r for r in ROOT_IDS if r in grades) + ("?" if grade == "variable" else "")
    return RegionStyle(face, (GRADE_HATCH[grade], root_color(roots[1])), label)


def grades_shown(styles: Iterable[RegionStyle]) -> set[str]:
    """The grades (``overlap``, ``variable``) whose hatch some of *styles* carries."""
    patterns = {s.hatch[0] for s in styles if s.hatch}
    return {grade for grade, pattern in GRADE_HATCH.items() if pattern in patterns}


def primary_suppliers(atlas: Atlas, region: str) -> list[str]:
    """The primary nerves of a region, most specific (longest chain from the roots) first."""
    out = [u for u in atlas.predecessors(region)
           if atlas.edge(u, region)["relation"] == "supplies" and atlas.edge(u, region).get("role") == "primary"]
    return sorted(out, key=lambda n: len(atlas.chain(n)), reverse=True)


def nerve_colors(atlas: Atlas, nerves: Sequence[str], views: Sequence[str]) -> dict[str, str]:
    """Nerve id -> colour.

    On the foot's views alone, the palette over the drawn nerves; with any limb view, the
    nerves of the foot keep the colours of the default foot figure and the limb's other nerves
    take the Okabe-Ito colours, then their pale tints.
    """
    if all(v in FOOT_VIEWS for v in views):
        colors = palette(len(nerves))
        return {n: colors[i % len(colors)] for i, n in enumerate(nerves)}
    t = atlas.template
    foot_sup = {r: primary_suppliers(atlas, r) for v in VIEWS for r in t.regions(v)}
    foot = [n for n in atlas.ids("nerve") if any(n in s for s in foot_sup.values())]
    base = nerve_colors(atlas, foot, VIEWS)
    spare = [c for c in OKABE_ITO[:7] if c not in base.values()]
    spare += [mcolors.to_hex(blend(c, 0.45)).upper() for c in spare]
    extra = [n for n in nerves if n not in base]
    return {n: base[n] if n in base else spare[extra.index(n) % len(spare)] for n in nerves}


#: Ordinal words of nerve labels, written as a number after the initials ('Third common plantar
#: digital nerve' -> 'CPD3'), so that numbered branches do not share their initials.
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5"}


def abbreviate(label: str, taken: set[str]) -> str:
    """A short name for a nerve label (initials, or its first letters), unique among *taken* (updated).

    Examples
    --------
    >>> taken = set()
    >>> abbreviate("Deep fibular nerve", taken), abbreviate("Third common plantar digital nerve", taken)
    ('DF', 'CPD3')
    """
    words = [w for w in label.replace("-", " ").split()
             if w.lower() not in ("nerve", "of", "the") and not w.startswith("(")]
    number = "".join(_ORDINALS[w.lower()] for w in words if w.lower() in _ORDINALS)
    words = [w for w in words if w.lower() not in _ORDINALS] or words
    cand = "".join(w[0] for w in words).upper() if len(words) > 1 else words[0][:3].capitalize()
    cand += number
    base, i = cand, 2
    while cand in taken:
        cand = f"{base}{i}"
        i += 1
    taken.add(cand)
    return cand
