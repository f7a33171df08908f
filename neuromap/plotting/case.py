"""The figure of a case: the reported areas against the territory of each leading hypothesis.

Reported abnormal regions and drawings are outlined in black and hatched by modality
(:data:`MODALITY_HATCH`); regions examined normal are outlined with a dotted line. A hypothesis
shades its territory (:attr:`Hypothesis.territory <neuromap.inference.result.Hypothesis>`) in its
own colour; the opacity grows with its score (relative to the best) and with how strongly the
territory involves each region. Red flags are written in red at the top; the footnote names the
dermatome layer. Scores rank hypotheses; they are not probabilities. neuromap is decision
support, not a diagnosis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import shapely
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from neuromap.errors import check_option
from neuromap.geometry import SIDES
from neuromap.plotting._draw import draw_drawing, draw_rings, draw_view, region_rings
from neuromap.plotting._labels import Label, label_outline, place_labels, text_width_in, wrap
from neuromap.plotting._layout import (
    LAYOUTS,
    VIEW_TITLE_IN,
    Block,
    Frame,
    block_box,
    check_fig,
    frame_insets,
    layout_views,
    make_frame,
    resolve_atlas,
    unclip,
    view_title,
)
from neuromap.plotting._legend import frame_legend, patch_handle
from neuromap.plotting._select import choose_layout, pick_hypotheses
from neuromap.plotting._style import BLANK, HYPOTHESIS_COLORS, MODALITY_HATCH, RegionStyle, blend
from neuromap.plotting.displays import CaseDisplay, RegionPatch

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas
    from neuromap.inference.result import Hypothesis, Localization

__all__ = ["plot_localization"]

_SAFETY = "neuromap is decision support, not a diagnosis."
_MODALITIES = ("numbness", "tingling", "pain", "burning", "hypersensitivity", "abnormal")


@dataclass
class _Case:
    """What the views of a case figure show: the hypotheses with their colours and territories, the findings."""

    hypotheses: tuple[Hypothesis, ...]
    colors: dict[str, str]
    territories: dict[str, Mapping[str, float]]
    best: float  # the best score (1 if none is positive): shades are relative to it
    abnormal: dict[tuple[str, str], str | None]  # (side, region) -> modality
    normal: set[tuple[str, str]]
    drawings: tuple[Mapping[str, Any], ...]
    sides: tuple[str, ...]
    ranks: dict[str, int]  # hypothesis id -> its rank in the result (1 = best)
    modalities: set[str] = field(default_factory=set)

    def hypothesis(self, hid: str | None) -> Hypothesis | None:
        return next((h for h in self.hypotheses if h.id == hid), None)

    def shade(self, h: Hypothesis) -> float:
        """The opacity of a hypothesis's territory: it grows with its score, relative to the best."""
        return 0.25 + 0.6 * max(0.0, h.score) / self.best


@dataclass
class _Drawn:
    patches: dict[Any, RegionPatch] = field(default_factory=dict)
    symptoms: dict[Any, Any] = field(default_factory=dict)
    territories: dict[str, list[PolyCollection]] = field(default_factory=dict)


def territory_regions(atlas: Atlas, h: Hypothesis, dermatome_map: str) -> Mapping[str, float]:
    """Region id -> how strongly a lesion at the hypothesis's site involves it.

    The territory the hypothesis carries; for one built without it, the territory of its root
    levels in *dermatome_map* or of its nerve at its site, from the atlas.
    """
    if h.territory is not None:
        return h.territory.regions
    if h.kind in ("root", "roots", "cauda_equina"):
        acc: dict[str, float] = {}
        for lv in h.levels:
            for r, w in atlas.regions_for(lv, dermatome_map=dermatome_map).items():
                acc[r] = max(acc.get(r, 0.0), w)
        return acc
    if h.nerve:
        return atlas.nerve_territory(h.nerve, h.site).regions
    return {}


def plot_localization(result: Localization, *, top: int | None = None,
                      hypotheses: str | Sequence[str] | None = None, side: str | None = None,
                      views: str | Sequence[str] | None = None, fig: Figure | None = None,
                      title: str | None = None, atlas: Atlas | None = None, labels: bool = True,
                      layout: str = "auto") -> CaseDisplay:
    """Draw a case: the reported areas against the territory of each leading hypothesis.

    One row per hypothesis (best first), each showing the views of the body where the findings
    are, with the reported areas hatched by modality and that hypothesis's territory shaded in
    its colour.

    Parameters
    ----------
    result : Localization
        What :func:`neuromap.localize` returned.
    top : int, optional
        How many hypotheses to draw at most, one row each (3 by default). The best one comes
        first; each next row goes to the leader (of the first ``2 * top``) whose territory differs
        most from those already drawn, and a leader whose territory is a near-copy of a drawn
        one gets no row, so the rows show the alternatives rather than three versions of one.
    hypotheses : str or sequence of str, optional
        The hypotheses to draw instead (ids as in the result, e.g. ``["L5", "common_fibular"]``),
        in rank order; not with *top*.
    side : {"right", "left"}, optional
        Which foot to draw; the case's side by default, both feet (side by side) for a
        bilateral case.
    views : str or sequence of str, optional
        The views to draw; the layout's views if None.
    fig : matplotlib.figure.Figure, optional
        Draw into this (empty) figure; a new standalone figure if None.
    title : str, optional
        The figure title; by default it names the case's side and the leading hypothesis.
    atlas : Atlas, optional
        The atlas the result was computed with; the bundled one by default.
    labels : bool
        Whether to write each hypothesis's rank in the region of its territory it involves most.
    layout : {"auto", "foot", "limb", "saddle"}
        ``"foot"``: each row shows the foot's views. ``"limb"``: each row shows the lower limb
        (anterior, posterior, saddle) with the foot as a framed inset. ``"saddle"``: the saddle
        and the back of the limb. ``"auto"`` (the default) chooses from the regions the case
        reports: the foot for findings on the foot alone, the saddle for the saddle alone, the
        limb otherwise (and for a case with no reported region, so that the whole territory of
        each hypothesis shows).

    Returns
    -------
    CaseDisplay
        ``axes`` is keyed by ``(hypothesis id, side, view)`` and ``patches`` by
        ``(hypothesis id, side, region)``; ``annotations`` maps each hypothesis id to the row
        title naming it; ``red_flag_texts`` and ``footnote`` hold the statements.

    Raises
    ------
    InvalidArgumentError
        An unknown side, view, layout or hypothesis, ``top`` < 1, both *top* and *hypotheses*,
        or a *fig* too small for the layout (a ValueError).
    InvalidTypeError
        A *fig* that is not a matplotlib Figure (also a TypeError).

    Examples
    --------
    >>> import neuromap
    >>> result = neuromap.localize({"side": "right",
    ...     "sensory": [{"regions": ["first web space"], "modality": "numbness"}],
    ...     "motor": [{"name": "great toe extension", "grade": 4}]})
    >>> display = result.plot(hypotheses=["L5", "common_fibular"])
    >>> list(display.annotations)
    ['L5', 'common_fibular']
    >>> sorted({region for _, _, region in display.symptom_patches})
    ['first_web_space']
    >>> display.layout
    'foot'

    A thigh case is drawn on the lower limb, a saddle case on the saddle:

    >>> thigh = neuromap.localize({"side": "left",
    ...     "sensory": [{"regions": ["anterior thigh"], "modality": "numbness"}],
    ...     "motor": [{"name": "knee extension", "grade": 4}]})
    >>> thigh.plot(top=2).layout
    'limb'
    >>> ces = neuromap.localize({"side": "bilateral", "sensory": [
    ...     {"regions": ["perianal"], "modality": "numbness"}]})
    >>> display = ces.plot(top=1)
    >>> display.layout
    'saddle'
    >>> "cauda equina" in display.red_flag_texts[0].get_text().lower()
    True
    """
    atlas = resolve_atlas(atlas)
    t = atlas.template
    check_fig(fig)
    if check_option("layout", layout, ("auto", *LAYOUTS)) == "auto":
        layout = choose_layout(atlas, result)
    vs = layout_views(t, layout, views)
    limb = layout == "limb"
    sides = (check_option("side", side, SIDES),) if side is not None else (
        (result.case_side,) if result.case_side in SIDES else ("left", "right"))
    m = result.dermatome_map.get("id") or atlas.default_dermatome_map
    hyps = pick_hypotheses(result, top, hypotheses, lambda h: territory_regions(atlas, h, m))
    case = _read_case(atlas, result, hyps, sides, m)
    flag_lines, blocks, frame = _case_frame(t, result, case, sides, vs, limb, fig, title)
    if limb:
        frame_insets(frame, t)
    drawn = _Drawn(territories={h.id: [] for h in case.hypotheses})
    for key, ax in frame.axes.items():
        _draw_case_view(ax, t, key, case, drawn)
    if layout != "foot":
        unclip(frame)
    kept, dropped = place_labels(frame.fig, _rank_labels(frame, t, case) if labels else [])
    annotations = _row_titles(frame, blocks, case)
    texts = _header(frame.fig, result, case, flag_lines, layout, title)
    leg = _case_legend(frame, case)
    fg, foot = frame.fig, _footnote(frame.fig, result, m)
    return CaseDisplay(fg, frame.axes, drawn.patches, leg, kept, hypotheses=case.hypotheses,
                       annotations=MappingProxyType(annotations),
                       territory_patches=MappingProxyType({k: tuple(v) for k, v in drawn.territories.items()}),
                       symptom_patches=MappingProxyType(drawn.symptoms), red_flag_texts=texts[1:], footnote=foot,
                       title=texts[0], dropped_labels=dropped, layout=layout)


def _case_frame(t: Any, result: Localization, case: Any, sides: tuple[str, ...], vs: tuple[str, ...], limb: bool,
                fig: Figure | None, title: str | None) -> tuple[list[str], list[Block], Frame]:
    """The red-flag lines, the row blocks and the frame of a case figure, sized to fit its titles."""
    flag_lines = [wrap("RED FLAG: " + str(r.get("message", r)), 80 if limb and len(sides) == 1 else 125)
                  for r in result.red_flags]
    blocks = _row_blocks(case, sides, vs)
    heads = [f"{b.title}  explains 99, unexplained 99, contradicts 99" for b in blocks if b.col == 0]
    wide = max([text_width_in(h, 9.5, bold=True) for h in heads] + [text_width_in(title or "", 12, bold=True)])
    frame = make_frame(t, blocks, mode="limb" if limb else "row", fig=fig, right_in=2.2, min_width_in=wide + 0.3,
                       top_in=0.45 + _flags_height(flag_lines) + (0.12 if limb else 0.0), bottom_in=0.5,
                       mm_per_inch=150.0 if limb else 100.0, key=lambda b, v: (b.key, b.side, v))
    return flag_lines, blocks, frame


def _footnote(fg: Figure, result: Localization, m: str) -> Text:
    """The footnote: the dermatome layer, and that scores are not probabilities."""
    fw, fh = fg.get_size_inches()
    note = (f"Dermatome map: {result.dermatome_map.get('label') or m}. Scores rank hypotheses; they are not "
            f"probabilities. {_SAFETY}")
    foot = fg.text(0.012, 0.1 / fh, wrap(note, int(fw * 15)), ha="left", va="bottom", fontsize=7.5, color="#333333")
    return foot


def _read_case(atlas: Atlas, result: Localization, hyps: tuple[Hypothesis, ...], sides: tuple[str, ...],
               dermatome_map: str) -> _Case:
    """The hypotheses to draw, their colours and territories, and the reported and normal regions."""
    abnormal: dict[tuple[str, str], str | None] = {}
    normal: set[tuple[str, str]] = set()
    for f in result.findings:
        if f.kind == "region" and not f.field.endswith(".drawing"):
            if f.abnormal:
                abnormal[(f.side, f.target)] = f.modality
            else:
                normal.add((f.side, f.target))
    return _Case(hyps, {h.id: HYPOTHESIS_COLORS[i % len(HYPOTHESIS_COLORS)] for i, h in enumerate(hyps)},
                 {h.id: territory_regions(atlas, h, dermatome_map) for h in hyps},
                 hyps[0].score if hyps and hyps[0].score > 0 else 1.0, abnormal, normal, result.drawings, sides,
                 {h.id: result.hypotheses.index(h) + 1 for h in hyps})


def _row_blocks(case: _Case, sides: Sequence[str], views: tuple[str, ...]) -> list[Block]:
    """One row per hypothesis (one of reported areas only if there is none), one block per side."""
    rows: list[Hypothesis | None] = list(case.hypotheses) if case.hypotheses else [None]
    titles = [f"{case.ranks[h.id]}. {h.label} — score {h.score:.2f}" if h is not None
              else "No finding could be scored: reported areas only" for h in rows]
    return [Block(h.id if h else None, s, views, title=titles[i] if j == 0 else " ", row=i, col=j)
            for i, h in enumerate(rows) for j, s in enumerate(sides)]


def _flags_height(lines: Sequence[str]) -> float:
    """Inches taken by the red-flag lines at the top."""
    return sum(0.15 * (fl.count("\n") + 1) + 0.06 for fl in lines)


def _draw_case_view(ax: Axes, template: Any, key: tuple[Any, str, str], case: _Case, drawn: _Drawn) -> None:
    """One view of one row: the territory shaded and outlined, reported areas hatched, normal ones dotted."""
    hid, side, view = key
    h = case.hypothesis(hid)
    terr = case.territories[h.id] if h is not None else {}

    def style(region: str) -> RegionStyle:
        w = terr.get(region, 0.0)
        if h is None or w <= 0:
            return RegionStyle(BLANK)
        return RegionStyle(mcolors.to_hex(blend(case.colors[h.id], case.shade(h) * (0.35 + 0.65 * w))))

    styles, patches = draw_view(ax, template, view, side, style, linewidths=0.7, outline_zorder=3.5)
    drawn.patches.update({(hid, side, r): p for r, p in patches.items()})
    regions = list(styles)
    rings = region_rings(template, view, side)
    if h is not None:
        inside = [template.polygon(r, side=side) for r in regions if terr.get(r, 0.0) > 0]
        if inside:
            union = shapely.union_all(inside)
            edge = draw_rings(ax, [shapely.get_coordinates(p.exterior) for p in getattr(union, "geoms", [union])],
                              zorder=2.2, edgecolors=case.colors[h.id], linewidths=1.5)
            drawn.territories[h.id].extend((patches[regions[0]].collection, edge))
    by_mod: dict[str | None, list[int]] = {}
    for i, r in enumerate(regions):
        if (side, r) in case.abnormal:
            by_mod.setdefault(case.abnormal[(side, r)], []).append(i)
    for mod, idx in by_mod.items():
        sc = draw_rings(ax, [rings[i] for i in idx], zorder=3, hatch=MODALITY_HATCH.get(mod or "", "///"),
                        hatch_color="#1A1A1A", hatch_linewidth=0.7, edgecolors="black", linewidths=1.1)
        case.modalities.add(mod or "abnormal")
        drawn.symptoms.update({(hid, side, regions[i]): sc for i in idx})
    normal = [rings[i] for i, r in enumerate(regions) if (side, r) in case.normal]
    if normal:
        draw_rings(ax, normal, zorder=3, edgecolors="#444444", linewidths=1.0, linestyles=":")
    for d in case.drawings:
        if d.get("view") == view and side in d.get("sides", [side]):
            draw_drawing(ax, d)
            case.modalities.add(d.get("modality") or "abnormal")
    view_title(ax, view.capitalize() + (f" ({side})" if len(case.sides) > 1 else ""))


def _rank_labels(frame: Frame, template: Any, case: _Case) -> list[Label]:
    """Each hypothesis's rank, in the region its territory involves most (the largest on a tie)."""
    best: dict[str, tuple[float, float, Any, str]] = {}
    for key in frame.axes:
        hid, _, view = key
        if case.hypothesis(hid) is None:
            continue
        for r in template.regions(view):
            w = case.territories[hid].get(r, 0.0)
            if w > 0:
                cand = (w, template.polygon(r).area)
                if hid not in best or cand > best[hid][:2]:
                    best[hid] = (*cand, key, r)
    items = []
    for h in case.hypotheses:
        rank = case.ranks[h.id]
        if h.id in best:
            _, _, k, r = best[h.id]
            items.append(Label(("rank", h.id), frame.axes[k], str(rank), template.anchor(r, side=frame.sides[k]),
                               10.0 - rank, label_outline(template, frame.views[k], frame.sides[k]),
                               color="black", size=10.0, halo=True))
    return items


def _row_titles(frame: Frame, blocks: Sequence[Block], case: _Case) -> dict[str, Text]:
    """Above each row: the hypothesis (in its colour), then what it explains, leaves and contradicts."""
    fg = frame.fig
    fw, fh = fg.get_size_inches()
    annotations: dict[str, Text] = {}
    for b in blocks:
        if b.col != 0:
            continue
        x0, _, _, y1 = block_box(frame, b)
        top_y = max(ax.get_position().y1 for k, ax in frame.axes.items() if k[0] == b.key)
        y = max(y1, top_y) + (VIEW_TITLE_IN + 0.02) / fh
        txt = fg.text(x0, y, b.title or "", ha="left", va="bottom", fontsize=9.5, fontweight="bold",
                      color=case.colors.get(b.key, "#222222") if b.key else "#222222")
        h = case.hypothesis(b.key)
        if h is not None:
            annotations[h.id] = txt
            # placed from the title's extent when drawn, so it follows the title at any dpi
            fg.add_artist(Annotation(f"explains {len(h.explains)}, unexplained {len(h.unexplained)}, "
                                     f"contradicts {len(h.contradicts)}", xy=(1.0, 0.0), xycoords=txt,
                                     xytext=(6, 0), textcoords="offset points", ha="left", va="bottom",
                                     fontsize=8, color="#555555"))
    return annotations


def _header(fig: Figure, result: Localization, case: _Case, flag_lines: Sequence[str], layout: str,
            title: str | None) -> tuple[Text, ...]:
    """The title, then the red flags in red: ``(title, *red flags)``."""
    fh = fig.get_size_inches()[1]
    if title is None:
        one = result.case_side in SIDES
        words = {"limb": f"{result.case_side} lower limb" if one else "both lower limbs",
                 "saddle": f"saddle and {result.case_side} foot" if one else "saddle and both feet",
                 }.get(layout, f"{result.case_side} foot" if one else "both feet")
        hyps = case.hypotheses
        title = f"Case ({words}): " + (f"{hyps[0].label} leads" if hyps else "no scored finding")
    texts = [fig.text(0.012, 1 - 0.08 / fh, title, ha="left", va="top", fontsize=12, fontweight="bold")]
    y = 1 - 0.4 / fh
    for fl in flag_lines:
        texts.append(fig.text(0.012, y, fl, ha="left", va="top", fontsize=8.5, fontweight="bold", color="#C00000"))
        y -= (0.15 * (fl.count("\n") + 1) + 0.06) / fh
    return tuple(texts)


def _case_legend(frame: Frame, case: _Case) -> Any:
    """Each hypothesis's shade, the modalities reported, and the dotted outline of normal regions."""
    handles: list[Any] = [patch_handle(blend(case.colors[h.id], case.shade(h)),
                                       wrap(f"{case.ranks[h.id]}. {h.label}", 26),
                                       edgecolor=case.colors[h.id], linewidth=1.5)
                          for h in case.hypotheses]
    for mod in _MODALITIES:
        if mod in case.modalities:
            h2 = patch_handle("white", f"reported {mod}", edgecolor="black", linewidth=1.1,
                              hatch=MODALITY_HATCH.get(mod, "///"))
            h2.set_hatchcolor("#1A1A1A")
            handles.append(h2)
    if case.normal:
        handles.append(patch_handle("white", "examined normal", edgecolor="#444444", linestyle=":", linewidth=1.0))
    return frame_legend(frame, handles, "Territory (shade: score)") if handles else None
