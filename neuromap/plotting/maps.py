"""Figures of the atlas: dermatomes, cutaneous nerve territories, dermatome layers compared."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from matplotlib import colors as mcolors
from matplotlib.figure import Figure
from matplotlib.text import Text

from neuromap.datasets import ROOT_IDS
from neuromap.errors import InvalidArgumentError, check_option
from neuromap.geometry import SIDES
from neuromap.plotting._draw import draw_key_points, draw_view
from neuromap.plotting._labels import (
    LABEL_SIZE,
    Label,
    label_outline,
    place_labels,
    region_labels,
    text_width_in,
    wrap,
)
from neuromap.plotting._layout import (
    LIMB_MM_PER_INCH,
    MM_PER_INCH,
    Block,
    Frame,
    block_box,
    check_fig,
    frame_insets,
    layout_views,
    make_frame,
    resolve_atlas,
    surface_word,
    unclip,
    view_title,
)
from neuromap.plotting._legend import frame_legend, hatch_handle, marker_handle, patch_handle
from neuromap.plotting._style import (
    GRADE_HATCH,
    UNASSIGNED_COLOR,
    RegionStyle,
    abbreviate,
    blend,
    dermatome_style,
    grades_shown,
    nerve_colors,
    primary_suppliers,
    root_color,
)
from neuromap.plotting.displays import AtlasDisplay, RegionPatch

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["plot_dermatomes", "plot_map_comparison", "plot_nerve_territories"]


@dataclass
class _Drawn:
    """What :func:`_draw_views` drew: patches and styles by region key, labels to place, label outlines by view key."""

    patches: dict[Any, RegionPatch]
    styles: dict[Any, RegionStyle]
    labels: list[Label]
    outlines: dict[Any, Any]


def _frame(atlas: Atlas, blocks: Sequence[Block], layout: str, fig: Figure | None, *, mode: str, right_in: float,
           mm_per_inch: float, title: str, bottom_in: float = 0.4,
           key: Callable[[Block, str], Any] | None = None) -> Frame:
    """The frame of an atlas figure, wide enough for its *title*; in the limb layout, the foot's views as an inset."""
    check_fig(fig)
    limb = layout == "limb"
    frame = make_frame(atlas.template, blocks, mode="limb" if limb else mode, fig=fig, right_in=right_in, top_in=0.45,
                       bottom_in=bottom_in, mm_per_inch=mm_per_inch, key=key,
                       min_width_in=text_width_in(title, 12, bold=True) + 0.3)
    if limb:
        frame_insets(frame, atlas.template)
    return frame


def _draw_views(frame: Frame, template: Any, style: Callable[[Any, str], RegionStyle], *, labels: bool,
                label_size: float = LABEL_SIZE, region_key: Callable[[Any, str], Any] = lambda key, r: r,
                title: Callable[[str], str] = lambda view: f"{view.capitalize()} view", title_size: float = 9,
                title_pad: float = 3, **kwargs: Any) -> _Drawn:
    """Draw every view of the frame, each region as ``style(view key, region)`` says, with its title."""
    drawn = _Drawn({}, {}, [], {})
    for key, ax in frame.axes.items():
        view, side = frame.views[key], frame.sides[key]
        drawn.outlines[key] = label_outline(template, view, side)
        styles, patches = draw_view(ax, template, view, side, partial(style, key), **kwargs)
        if labels:
            drawn.labels += region_labels(ax, template, side, styles, drawn.outlines[key], size=label_size,
                                          key=partial(region_key, key))
        drawn.patches.update({region_key(key, r): p for r, p in patches.items()})
        drawn.styles.update({region_key(key, r): s for r, s in styles.items()})
        view_title(ax, title(view), fontsize=title_size, pad=title_pad)
    return drawn


def _finish(frame: Frame, items: Sequence[Label], layout: str) -> tuple[dict[Any, Text], tuple[Any, ...]]:
    """Place the labels (after letting the outlines cut at the midline, limb and saddle, draw in full)."""
    if layout != "foot":
        unclip(frame)
    return place_labels(frame.fig, items)


def _figure_text(fig: Figure, text: str, y_in: float, *, top: bool, **kwargs: Any) -> Text:
    """A line of text at the left of the figure, *y_in* inches from its top (or bottom)."""
    fh = fig.get_size_inches()[1]
    y = 1 - y_in / fh if top else y_in / fh
    return fig.text(0.012, y, text, ha="left", va="top" if top else "bottom", **kwargs)


def _grade_handles(grades: set[str], texts: dict[str, str]) -> list[Any]:
    """The hatched legend keys of the grades drawn, overlap first, with their texts."""
    return [hatch_handle(GRADE_HATCH[g], texts[g]) for g in ("overlap", "variable") if g in grades]


# ---------------------------------------------------------------------------- dermatomes
def plot_dermatomes(atlas: Atlas | None = None, *, dermatome_map: str | None = None, side: str = "right",
                    views: str | Sequence[str] | None = None, fig: Figure | None = None, title: str | None = None,
                    legend: bool = True, labels: bool = True, layout: str = "foot", **kwargs: Any) -> AtlasDisplay:
    """Draw one dermatome layer on the foot: each region in the colour of its root.

    Parameters
    ----------
    atlas : Atlas, optional
        The atlas; the bundled one by default.
    dermatome_map : str, optional
        The layer (an id of ``atlas.dermatome_maps`` or its label); the default layer if None.
    side : {"right", "left"}
        Which foot. The left foot is the mirror image of the right.
    views : str or sequence of str, optional
        The views to draw, of ``"dorsal"``, ``"plantar"``, ``"medial"``, ``"lateral"`` (the foot)
        and ``"anterior"``, ``"posterior"``, ``"saddle"`` (the limb); the layout's views if None
        (the four foot views; :data:`LIMB_LAYOUT_VIEWS` for ``layout="limb"``).
    fig : matplotlib.figure.Figure, optional
        Draw into this (empty) figure, scaled to fit; a new standalone figure if None.
    title : str, optional
        The figure title; by default it names the side and the layer.
    legend : bool
        Whether to draw the legend of roots and grades.
    labels : bool
        Whether to write the root(s) of each region at its label anchor.
    layout : {"foot", "limb"}
        ``"foot"``: the foot's views. ``"limb"``: the lower limb from the front and from behind at
        one scale, the saddle small beside them and the foot's views as an enlarged, framed inset
        near the foot end of the limb.
    **kwargs
        Passed to the :class:`~matplotlib.collections.PolyCollection` of each view's regions
        (e.g. ``alpha``, ``linewidths``).

    Returns
    -------
    AtlasDisplay
        ``patches[region].get_facecolor()`` is the colour of the region's first root.

    Raises
    ------
    InvalidArgumentError
        An unknown side, view or layout, or a *fig* too small for the layout (a ValueError).
    UnknownNameError
        An unknown layer.

    Notes
    -----
    Root colours are fixed (:data:`ROOT_COLORS`): L4 orange, L5 sky blue, S1 bluish green. A
    region a layer gives to two or more roots has the face of its first root (highest grade,
    then most cranial) and a hatch in the next root's colour: stripes where the map draws the
    region at the border of the roots (``overlap``), dots where the map leaves it blank or
    unresolved (``variable``; its label ends in ``?``). Layers are never blended.

    A ``points`` layer (ISNCSCI key sensory points) has no areas: its key points are drawn
    as markers on their regions and every region stays grey.

    Dermatome maps disagree on the foot (see ``dermatomes.json`` "disagreements" and
    :func:`plot_map_comparison`); the footnote names the layer and its confidence.

    Examples
    --------
    >>> import io
    >>> import neuromap
    >>> from neuromap.plotting import plot_dermatomes
    >>> display = plot_dermatomes(neuromap.load_atlas(), side="left")
    >>> display.patches["first_web_space"].get_facecolor()
    (0.337..., 0.705..., 0.913..., 1.0)
    >>> display.labels["first_web_space"].get_text()
    'L5'
    >>> display.savefig(io.BytesIO(), format="png", dpi=150)

    The lower limb, with the foot as an inset:

    >>> limb = plot_dermatomes(layout="limb")
    >>> sorted(limb.axes)
    ['anterior', 'dorsal', 'plantar', 'posterior', 'saddle']
    >>> limb.patches["anterior_knee"].view
    'anterior'

    Into a pyplot figure, with a title of your own:

    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(figsize=(8, 5))
    >>> display = plot_dermatomes(fig=fig, title="Dermatomes of the right foot")
    >>> display.title.get_text()
    'Dermatomes of the right foot'
    >>> plt.close(fig)
    """
    check_option("side", side, SIDES)
    src = resolve_atlas(atlas)
    t = src.template
    vs = layout_views(t, layout, views)
    m = src.check_map(dermatome_map)
    info = src.dermatome_map_info(m)
    points = info["kind"] == "points"
    grades = {r: {} if points else src.dermatome_grades(r, m) for v in vs for r in t.regions(v)}
    text = f"Dermatomes of the {side} {surface_word(vs)} — {info['label']}" if title is None else title
    frame = _frame(src, [Block(None, side, vs)], layout, fig, mode="row", right_in=1.9 if legend else 0.1, title=text,
                   mm_per_inch=LIMB_MM_PER_INCH if layout == "limb" else MM_PER_INCH)
    drawn = _draw_views(frame, t, lambda key, r: dermatome_style(grades[r]), labels=labels, **kwargs)
    roots_used = {root for g in grades.values() for root in g}
    if points:
        drawn.labels += draw_key_points(src, frame, side, drawn.outlines)
        roots_used.update(kp["root"] for kp in src.data.dermatomes.get("key_points", []))
    kept, dropped = _finish(frame, drawn.labels, layout)
    title_text = _figure_text(frame.fig, text, 0.12, top=True, fontsize=12, fontweight="bold")
    colors = {r: root_color(r) for r in ROOT_IDS if r in roots_used}
    leg = _dermatome_legend(frame, colors, drawn, points=points) if legend else None
    note = (f"Layer: {info['label']} ({info['kind']}; encoding confidence {info.get('confidence', 'n/a')}). "
            f"Maps disagree on the {surface_word(vs)}; compare layers with plot_map_comparison.")
    lines = wrap(note, int(frame.fig.get_size_inches()[0] / text_width_in("x", 7)) - 2)
    foot = _figure_text(frame.fig, lines, 0.18 if "\n" not in lines else 0.06, top=False, fontsize=7, color="#444444")
    return AtlasDisplay(frame.fig, frame.axes, drawn.patches, leg, kept, dropped_labels=dropped, colors=colors,
                        title=title_text, footnote=foot, dermatome_maps=(m,), disagreements=(), agreement={})


def _dermatome_legend(frame: Frame, colors: dict[str, str], drawn: _Drawn, *, points: bool) -> Any:
    """Roots (or key points), the grades drawn, and the grey of regions left without a root."""
    if points:
        handles: list[Any] = [marker_handle(c, f"{r} key point") for r, c in colors.items()]
        handles.append(patch_handle(UNASSIGNED_COLOR, "no area in this layer"))
    else:
        handles = [patch_handle(c, r) for r, c in colors.items()]
    handles += _grade_handles(grades_shown(drawn.styles.values()), {
        "overlap": "overlap: border of two roots\n(stripes: second root)",
        "variable": "variable / unresolved\n(dots: second root; label ?)"})
    faces = {mcolors.to_hex(p.get_facecolor()).upper() for p in drawn.patches.values()}
    if not points and UNASSIGNED_COLOR in faces:
        handles.append(patch_handle(UNASSIGNED_COLOR, "no root in this layer"))
    return frame_legend(frame, handles, "Root" if not points else "ISNCSCI", dots=True)


# ---------------------------------------------------------------------------- nerve territories
def plot_nerve_territories(atlas: Atlas | None = None, *, side: str = "right",
                           views: str | Sequence[str] | None = None, fig: Figure | None = None,
                           title: str | None = None, legend: bool = True, labels: bool = True, layout: str = "foot",
                           **kwargs: Any) -> AtlasDisplay:
    """Draw the cutaneous nerve territories of the foot: each region in the colour of its nerve.

    Parameters
    ----------
    atlas : Atlas, optional
        The atlas; the bundled one by default.
    side : {"right", "left"}
        Which foot.
    views : str or sequence of str, optional
        The views to draw; the layout's views if None.
    fig : matplotlib.figure.Figure, optional
        Draw into this (empty) figure; a new standalone figure if None.
    title : str, optional
        The figure title; by default it names the side and the surface drawn.
    legend : bool
        Whether to draw the legend of nerves (abbreviation — name).
    labels : bool
        Whether to write the nerve's abbreviation in each region.
    layout : {"foot", "limb"}
        ``"foot"``: the foot's views. ``"limb"``: the lower limb from the front and from behind at
        one scale, the saddle small beside them and the foot's views as an enlarged, framed inset
        near the foot end of the limb.
    **kwargs
        Passed to each view's region :class:`~matplotlib.collections.PolyCollection`.

    Returns
    -------
    AtlasDisplay
        ``colors`` maps each nerve id to its colour.

    Raises
    ------
    InvalidArgumentError
        An unknown side, view or layout, or a *fig* too small for the layout (a ValueError).

    Notes
    -----
    A region takes the colour of its most specific primary nerve (the terminal cutaneous
    branch, e.g. the medial dorsal cutaneous nerve rather than the superficial fibular). A
    region with two primary nerves is striped in the second one's colour; documented variant
    suppliers (``regions.json``) are not drawn. Colours follow the atlas's nerve order, so a
    nerve keeps its colour between figures of one atlas; in the limb layout the foot's nerves
    keep the colours of the foot figure and the limb's other nerves take the Okabe-Ito colours,
    then their pale tints (the abbreviations tell them apart).

    Examples
    --------
    >>> from neuromap.plotting import plot_nerve_territories
    >>> display = plot_nerve_territories(side="right")
    >>> display.colors["deep_fibular"]
    '#...'
    >>> display.labels["first_web_space"].get_text()
    'DF'
    >>> limb = plot_nerve_territories(layout="limb", labels=False)
    >>> limb.colors["deep_fibular"] == display.colors["deep_fibular"]
    True
    """
    atlas = resolve_atlas(atlas)
    check_option("side", side, SIDES)
    t = atlas.template
    vs = layout_views(t, layout, views)
    limb = layout == "limb"
    # the nerves of the drawn views only, so that the foot figure keeps its colours
    suppliers = {r: primary_suppliers(atlas, r) for v in vs for r in t.regions(v)}
    nerves = [n for n in atlas.ids("nerve") if any(n in s for s in suppliers.values())]
    colors = nerve_colors(atlas, nerves, vs)
    taken: set[str] = set()
    abbr = {n: abbreviate(atlas.node(n)["label"], taken) for n in nerves}

    def style(key: Any, region: str) -> RegionStyle:
        s = suppliers[region]
        if not s:
            return RegionStyle(UNASSIGNED_COLOR)
        hatch = (GRADE_HATCH["overlap"], colors[s[1]]) if len(s) > 1 else None
        return RegionStyle(colors[s[0]], hatch, "/".join(abbr[x] for x in s[:2]))

    text = f"Cutaneous nerve territories of the {side} {surface_word(vs)}" if title is None else title
    frame = _frame(atlas, [Block(None, side, vs)], layout, fig, mode="row",
                   right_in=(3.3 if limb else 2.6) if legend else 0.1,
                   mm_per_inch=LIMB_MM_PER_INCH if limb else MM_PER_INCH, title=text)
    drawn = _draw_views(frame, t, style, labels=labels, label_size=7.0, **kwargs)
    kept, dropped = _finish(frame, drawn.labels, layout)
    title_text = _figure_text(frame.fig, text, 0.12, top=True, fontsize=12, fontweight="bold")
    leg = None
    if legend:
        handles = [patch_handle(c, f"{abbr[n]}  {atlas.node(n)['label']}") for n, c in colors.items()]
        if any(s.hatch for s in drawn.styles.values()):
            handles.append(hatch_handle(GRADE_HATCH["overlap"], "two primary nerves\n(stripes: second nerve)"))
        leg = frame_legend(frame, handles, "Nerve (most specific branch)")
    foot = _figure_text(frame.fig, "Primary suppliers from regions.json; documented variants not drawn.", 0.18,
                        top=False, fontsize=7, color="#444444")
    return AtlasDisplay(frame.fig, frame.axes, drawn.patches, leg, kept, dropped_labels=dropped, colors=colors,
                        title=title_text, footnote=foot, dermatome_maps=(), disagreements=(), agreement={})


# ---------------------------------------------------------------------------- map comparison
def plot_map_comparison(atlas: Atlas | None = None, *, maps: Sequence[str] | None = None, side: str = "right",
                        views: str | Sequence[str] | None = None, fig: Figure | None = None, title: str | None = None,
                        legend: bool = True, labels: bool = True, layout: str = "foot") -> AtlasDisplay:
    """Draw two or more dermatome layers side by side, and how many of them agree on each region.

    The layers take one column each (lettered A, B, ...); a last column shades each region by how
    many layers give it the same roots (white: all of them; darker: fewer) and writes ``k/n``
    where they differ. Under the figure, each region where they differ lists the roots each
    layer gives it.

    Parameters
    ----------
    atlas : Atlas, optional
        The atlas; the bundled one by default.
    maps : sequence of str, optional
        The layers, one column each; every ``areas`` layer by default. A ``points`` layer may be
        included (drawn as key points) but takes no part in the comparison.
    side : {"right", "left"}
        Which foot.
    views : str or sequence of str, optional
        The views drawn in each column; the layout's views if None.
    fig : matplotlib.figure.Figure, optional
        Draw into this (empty) figure; a new standalone figure if None.
    title : str, optional
        The figure title; by default it names the side and the surface drawn.
    legend : bool
        Whether to draw the legend.
    labels : bool
        Whether to write the roots in each region.
    layout : {"foot", "limb", "saddle"}
        ``"foot"``: the foot's views. ``"limb"``: the lower limb from the front and from behind at
        one scale, the saddle small beside them and the foot's views as an enlarged, framed inset
        near the foot end of the limb. ``"saddle"``: the saddle, the sole and the dorsum.

    Returns
    -------
    AtlasDisplay
        ``axes`` and ``patches`` are keyed by ``(map, view)`` and ``(map, region)``, the
        agreement column's by ``("agreement", view)`` and ``("agreement", region)``;
        ``disagreements`` lists the regions where the area layers assign different sets of
        roots, and ``agreement`` maps each region drawn to ``(k, n)``: *k* of the *n* area layers
        give it the same roots (the largest such group).

    Raises
    ------
    InvalidArgumentError
        Fewer than two layers, an unknown side, view or layout, or a *fig* too small for the
        layout (a ValueError).
    UnknownNameError
        An unknown layer.

    Notes
    -----
    Colours and hatches are those of :func:`plot_dermatomes`. The documented reasons for each
    disagreement are in ``dermatomes.json`` ("disagreements").

    Examples
    --------
    >>> from neuromap.plotting import plot_map_comparison
    >>> display = plot_map_comparison(maps=["lee_2008", "keegan_garrett_1948"])
    >>> "medial_border" in display.disagreements
    True
    >>> display.agreement["medial_border"]
    (1, 2)
    >>> sorted({m for m, view in display.axes})
    ['agreement', 'keegan_garrett_1948', 'lee_2008']
    >>> limb = plot_map_comparison(maps=["lee_2008", "foerster_1933"], layout="limb", labels=False)
    >>> limb.title.get_text()
    'Dermatome layers compared — right lower limb'
    """
    atlas = resolve_atlas(atlas)
    check_option("side", side, SIDES)
    t = atlas.template
    vs = layout_views(t, layout, views)
    ms = _comparison_maps(atlas, maps)
    infos = {m: atlas.dermatome_map_info(m) for m in ms}
    area_maps = [m for m in ms if infos[m]["kind"] == "areas"]
    grades = {(m, r): atlas.dermatome_grades(r, m) for m in area_maps for r in t.regions()}
    agree = {r: _agreement([grades[(m, r)] for m in area_maps]) for r in t.regions() if t.view_of(r) in vs}
    differ = tuple(r for r, (k, n) in agree.items() if k < n)
    letters = {m: chr(ord("A") + i) for i, m in enumerate(ms)}
    blocks = [Block(m, side, vs, title=wrap(f"{letters[m]}. {infos[m]['label']}", 34), col=i)
              for i, m in enumerate(ms)]
    blocks.append(Block(_AGREEMENT, side, vs, title=wrap("How many layers agree", 34), col=len(ms)))
    text = f"Dermatome layers compared — {side} {surface_word(vs)}" if title is None else title
    frame = _frame(atlas, blocks, layout, fig, mode="column", right_in=1.9 if legend else 0.1, bottom_in=1.1,
                   mm_per_inch=160.0 if layout == "limb" else 105.0, key=lambda b, v: (b.key, v), title=text)
    n_area = len(area_maps)

    def style(key: Any, r: str) -> RegionStyle:
        if key[0] != _AGREEMENT:
            return dermatome_style(grades.get((key[0], r), {}))
        k, n = agree.get(r, (n_area, n_area))
        return RegionStyle(_agreement_color(k, n), label=f"{k}/{n}" if k < n else "")

    drawn = _draw_views(frame, t, style, labels=labels, label_size=6.5, region_key=lambda key, r: (key[0], r),
                        title=str.capitalize, title_size=7, title_pad=2)
    fg = frame.fig
    fw, fh = fg.get_size_inches()
    for b in blocks:
        x0, _, x1, y1 = block_box(frame, b)
        fg.text((x0 + x1) / 2, y1 + 0.2 / fh, b.title or "", ha="center", va="bottom", fontsize=8.5, fontweight="bold")
    roots_used = {root for (m, r), g in grades.items() if t.view_of(r) in vs for root in g}
    for m in ms:
        if infos[m]["kind"] == "points":
            keys = [k for k in frame.axes if k[0] == m]
            drawn.labels += draw_key_points(atlas, frame, side, drawn.outlines, keys)
            roots_used.update(kp["root"] for kp in atlas.data.dermatomes.get("key_points", []))
    kept, dropped = _finish(frame, drawn.labels, layout)
    title_text = _figure_text(fg, text, 0.1, top=True, fontsize=12, fontweight="bold")
    colors = {r: root_color(r) for r in ROOT_IDS if r in roots_used}
    leg = _comparison_legend(frame, colors, drawn, agree, n_area) if legend else None
    foot = _figure_text(fg, _disagreement_listing(atlas, differ, grades, area_maps, letters, int(fw * 16)), 0.08,
                        top=False, fontsize=6.5, color="#222222")
    return AtlasDisplay(fg, frame.axes, drawn.patches, leg, kept, dropped_labels=dropped, colors=colors,
                        title=title_text, footnote=foot, dermatome_maps=tuple(ms), disagreements=differ,
                        agreement=agree)


def _comparison_maps(atlas: Atlas, maps: Sequence[str] | None) -> list[str]:
    """The layers compared: every ``areas`` layer by default; at least two."""
    if maps is None:
        ms = [m for m in atlas.dermatome_maps if atlas.dermatome_map_info(m)["kind"] == "areas"]
    else:
        ms = list(dict.fromkeys(atlas.check_map(m, field="maps") for m in maps))
    if len(ms) < 2:
        raise InvalidArgumentError("maps", f"give at least two dermatome layers, but got {ms!r}")
    return ms


def _comparison_legend(frame: Any, colors: dict[str, Any], drawn: Any, agree: dict[str, tuple[int, int]],
                       n_area: int) -> Any:
    """The map comparison's legend: the roots, the grades shown and the agreement levels present."""
    handles = [patch_handle(c, r) for r, c in colors.items()]
    handles += _grade_handles(grades_shown(drawn.styles.values()),
                              {"overlap": "overlap (stripes)", "variable": "variable (dots, ?)"})
    handles += [patch_handle(_agreement_color(k, n_area), f"{k} of {n_area} layers agree")
                for k in range(n_area, 0, -1) if k == n_area or any(a[0] == k for a in agree.values())]
    return frame_legend(frame, handles, "Root; agreement", dots=True)


_AGREEMENT = "agreement"  # the key of the comparison's last column


def _agreement(sets: Sequence[Mapping[str, str]]) -> tuple[int, int]:
    """``(k, n)``: how many of the *n* layers give a region the same roots as the largest group of them."""
    counts: dict[tuple[str, ...], int] = {}
    for g in sets:
        key = tuple(sorted(g))
        counts[key] = counts.get(key, 0) + 1
    return (max(counts.values(), default=0), len(sets))


def _agreement_color(k: int, n: int) -> str:
    """White where every layer agrees, darker as fewer agree (Paul Tol's wine, #882255)."""
    if n <= 1 or k >= n:
        return "#FFFFFF"
    return mcolors.to_hex(blend("#882255", 0.2 + 0.7 * (n - k) / (n - 1)))


def _disagreement_listing(atlas: Atlas, differ: Sequence[str], grades: Mapping[tuple[str, str], Mapping[str, str]],
                          maps: Sequence[str], letters: Mapping[str, str], width: int) -> str:
    """Where the layers differ, the roots each layer gives: ``Medial border: A L4, B L4/L5, ...``."""
    if not differ:
        return "The layers agree on every region drawn."
    parts = []
    for r in differ:
        roots = ", ".join(f"{letters[m]} {'/'.join(x for x in ROOT_IDS if x in grades[(m, r)]) or '–'}" for m in maps)
        parts.append(f"{atlas.node(r)['label']}: {roots}")
    return wrap(f"The layers disagree on {len(differ)} region(s). " + "; ".join(parts) + ".", width)
