"""Drawing: the regions of a view with their styles, hatches and dots, outlines, drawings and key points."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath

from neuromap.plotting._labels import Label, label_offset
from neuromap.plotting._style import EDGE, GRADE_HATCH, MODALITY_HATCH, OUTLINE, RegionStyle, root_color
from neuromap.plotting.displays import RegionPatch

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas
    from neuromap.plotting._layout import Frame

#: The dot pattern of :data:`GRADE_HATCH` ``"variable"``, drawn as markers: as matplotlib's
#: ``"..."`` hatch, rows of dots 1/18 inch apart, every other row shifted by half a step, dots
#: 1.7 pt across (a 0.8 pt dot under a 0.9 pt hatch line).
DOT_STEP_IN = 1.0 / 18.0
DOT_SIZE_PT = 1.7


def region_rings(template: Any, view: str, side: str) -> list[np.ndarray]:
    """The exterior ring of every region of a view, in the template's order, (n, 2) mm each."""
    return [shapely.get_coordinates(template.polygon(r, side=side).exterior) for r in template.regions(view)]


def draw_view(ax: Axes, template: Any, view: str, side: str, style: Callable[[str], RegionStyle], *,
              linewidths: float = 0.8, outline_zorder: float = 1.3,
              **kwargs: Any) -> tuple[dict[str, RegionStyle], dict[str, RegionPatch]]:
    """Draw the regions of one view, each as *style* says, and the view's outline.

    Every figure draws its regions here: one :class:`~matplotlib.collections.PolyCollection`
    for the faces (*kwargs* passed to it), the hatches laid over them (stripes as one compound
    path per pattern and colour, dots as markers), then the outline at *outline_zorder*.
    Returns the style and the :class:`RegionPatch` of every region, in the template's order.
    """
    styles = {r: style(r) for r in template.regions(view)}
    rings = region_rings(template, view, side)
    pc = PolyCollection(rings, facecolors=[s.face for s in styles.values()], edgecolors=EDGE,
                        linewidths=linewidths, zorder=1.0)
    ax.add_collection(pc, autolim=False)
    if kwargs:
        pc.set(**kwargs)
    groups: dict[tuple[str, str], list[np.ndarray]] = {}
    for ring, s in zip(rings, styles.values(), strict=True):
        if s.hatch:
            groups.setdefault(s.hatch, []).append(ring)
    for (hatch, color), group in groups.items():
        if hatch == GRADE_HATCH["variable"]:
            draw_dots(ax, group, color, zorder=1.1)
        else:
            draw_hatch(ax, group, hatch, color, zorder=1.1)
    draw_landmarks(ax, template, view, side, zorder=outline_zorder - 0.05)
    draw_outline(ax, template, view, side, zorder=outline_zorder)
    patches = {r: RegionPatch(r, view, pc, i, *(s.hatch or (None, None))) for i, (r, s) in enumerate(styles.items())}
    return styles, patches


def draw_hatch(ax: Axes, rings: Sequence[np.ndarray], hatch: str, color: str, *, zorder: float) -> PathCollection:
    """Hatch the regions bounded by *rings*: one compound path (Agg renders a hatch tile once per path)."""
    hc = PathCollection([compound(rings)], facecolors="none", edgecolors="none", linewidths=0.0, hatch=hatch,
                        zorder=zorder)
    hc.set_hatchcolor(color)
    hc.set_hatch_linewidth(0.9)
    ax.add_collection(hc, autolim=False)
    return hc


def draw_dots(ax: Axes, rings: Sequence[np.ndarray], color: str, *, zorder: float) -> Line2D:
    """Dot the regions bounded by *rings* in *color*: one :class:`~matplotlib.lines.Line2D` of markers.

    The dots sit on a lattice fixed to the view (1/18 inch, as matplotlib's ``"..."`` hatch),
    those inside the regions by at least a dot's radius kept; a region too small to hold one
    gets a dot at its representative point.
    """
    fig = ax.get_figure(root=True)
    fw, fh = fig.get_size_inches()  # type: ignore[union-attr]
    pos = ax.get_position(original=True)  # the box as laid out (without applying the aspect)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # inches per data unit: the aspect is equal and adjusts the data limits, so the tighter axis rules
    per = min(pos.width * fw / abs(x1 - x0), pos.height * fh / abs(y1 - y0))
    step = DOT_STEP_IN / per
    polys = np.array([shapely.Polygon(r) for r in rings], dtype=object)
    pts = np.concatenate(rings)
    (bx0, by0), (bx1, by1) = pts.min(axis=0), pts.max(axis=0)
    gy = np.arange(np.floor(by0 / step), np.ceil(by1 / step) + 1)[:, None]
    gx = np.arange(np.floor(bx0 / step) - 1, np.ceil(bx1 / step) + 1)[None, :]
    xs = ((gx + 0.5 * (gy % 2)) * step).ravel()
    ys = np.broadcast_to(gy * step, (gy.size, gx.size)).ravel()
    # dots whose centres are at least a dot's radius inside: none crosses the regions' edges
    area = shapely.buffer(shapely.multipolygons(polys), -DOT_SIZE_PT / 144.0 / per)
    shapely.prepare(area)
    keep = shapely.contains_xy(area, xs, ys)
    xs, ys = xs[keep], ys[keep]
    shapely.prepare(polys)
    empty = polys[~shapely.contains_xy(polys[:, None], xs[None, :], ys[None, :]).any(axis=1)]
    if len(empty):
        extra = shapely.get_coordinates(shapely.point_on_surface(empty))
        xs, ys = np.concatenate([xs, extra[:, 0]]), np.concatenate([ys, extra[:, 1]])
    line = Line2D(xs, ys, linestyle="none", marker="o", markersize=DOT_SIZE_PT, markeredgewidth=0.0,
                  markerfacecolor=color, zorder=zorder)
    ax.add_artist(line)
    return line


def compound(rings: Sequence[np.ndarray]) -> MplPath:
    """One path of several closed rings (drawn, filled and hatched as one)."""
    return MplPath.make_compound_path(*(MplPath(np.asarray(r, dtype=float), closed=True) for r in rings))


def draw_landmarks(ax: Axes, template: Any, view: str, side: str, *, zorder: float) -> LineCollection | None:
    """The view's landmarks (malleoli, toes, patella, calf, anus) as fine lines over the regions."""
    marks = template.landmarks(view, side=side) if hasattr(template, "landmarks") else {}
    if not marks:
        return None
    lc = LineCollection([shapely.get_coordinates(line) for line in marks.values()], colors=OUTLINE,
                        linewidths=0.75, alpha=0.7, zorder=zorder, capstyle="round")
    ax.add_collection(lc, autolim=False)
    return lc


def draw_outline(ax: Axes, template: Any, view: str, side: str, *, zorder: float) -> PolyCollection:
    """The outline of a view."""
    ring = shapely.get_coordinates(template.outline(view, side=side).exterior)
    oc = PolyCollection([ring], facecolors="none", edgecolors=OUTLINE, linewidths=1.3, zorder=zorder)
    ax.add_collection(oc, autolim=False)
    return oc


def draw_rings(ax: Axes, rings: Sequence[np.ndarray], *, zorder: float, hatch: str | None = None,
               hatch_color: str | None = None, hatch_linewidth: float | None = None, **kwargs: Any) -> PolyCollection:
    """Unfilled rings (an overlay on regions): edge style in *kwargs*, an optional hatch."""
    pc = PolyCollection(rings, facecolors="none", hatch=hatch, zorder=zorder, **kwargs)
    if hatch_color is not None:
        pc.set_hatchcolor(hatch_color)
    if hatch_linewidth is not None:
        pc.set_hatch_linewidth(hatch_linewidth)
    ax.add_collection(pc, autolim=False)
    return pc


def draw_drawing(ax: Axes, drawing: Mapping[str, Any]) -> None:
    """A pain drawing of a case: its polygons dashed and hatched by modality, or its points as crosses."""
    hatch = MODALITY_HATCH.get(drawing.get("modality") or "", "///")
    rings: list[Any] = []
    if "polygon" in drawing:
        rings = [drawing["polygon"]]
    elif "polygons" in drawing:
        rings = list(drawing["polygons"])
    elif "geojson" in drawing:
        from neuromap.geometry import load_drawing_geojson

        g = load_drawing_geojson(drawing["geojson"])
        rings = [shapely.get_coordinates(p.exterior) for p in getattr(g, "geoms", [g])]
    elif "points" in drawing:
        pts = np.asarray(drawing["points"], dtype=float)
        ax.plot(pts[:, 0], pts[:, 1], linestyle="none", marker="x", color="black", markersize=6, zorder=4)
        return
    if rings:
        draw_rings(ax, [np.asarray(r, dtype=float) for r in rings], zorder=3.2, hatch=hatch, hatch_color="#222222",
                   edgecolors="black", linewidths=1.3, linestyles="--")


def draw_key_points(atlas: Atlas, frame: Frame, side: str, outlines: Mapping[Any, Any],
                    keys: Sequence[Any] | None = None) -> list[Label]:
    """Draw the ISNCSCI key points on the views of *keys* (every view of the frame by default).

    Returns their labels (the root, beside the marker), to place with the other labels.
    """
    t = atlas.template
    keys = list(frame.axes) if keys is None else keys
    items = []
    for kp in atlas.data.dermatomes.get("key_points", []):
        region = kp["region"]
        view = t.view_of(region)
        for key in keys:
            if frame.views[key] != view:
                continue
            ax = frame.axes[key]
            x, y = t.anchor(region, side=side)
            ax.plot([x], [y], marker="o", markersize=9, markerfacecolor=root_color(kp["root"]),
                    markeredgecolor=OUTLINE, markeredgewidth=1.0, zorder=4, linestyle="none")
            lx, ly = label_offset(t, view, side, (x, y))
            items.append(Label(region, ax, kp["root"], (lx, ly), 10.0 ** 6, outlines[key], halo=True))
    return items
