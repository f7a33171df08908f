"""Label placement: labels at their anchors, nudged, shrunk or dropped so that none collides."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from neuromap.plotting._style import RegionStyle, text_color

LABEL_SIZE = 8.0
MIN_LABEL_SIZE = 6.0
#: The positions a label tries, in steps of about half its font size from its anchor, in order.
NUDGES = np.array([(0, 0), (0, 1), (0, -1), (1, 0), (-1, 0), (0, 2), (0, -2), (1, 1), (-1, 1), (1, -1),
                   (-1, -1), (2, 0), (-2, 0)], dtype=float)
_NUDGE_BOX = np.concatenate([NUDGES, NUDGES], axis=1)  # (dx, dy, dx, dy): moves (x0, y0, x1, y1)
_PAD_PX = 1.5  # between labels

Affine = Callable[[np.ndarray], np.ndarray]


@dataclass
class Label:
    """A label to place: its key, Axes, text, anchor (data coordinates) and what it must stay inside."""

    key: Any
    ax: Axes
    text: str
    xy: tuple[float, float]
    priority: float
    outline: Any  # prepared shapely polygon (data coords of ax), or None
    color: str = "black"
    size: float = LABEL_SIZE
    weight: str = "bold"
    halo: bool = False


def wrap(text: str, width: int) -> str:
    """*text* wrapped to lines of at most *width* characters."""
    return "\n".join(textwrap.wrap(text, width)) if text else ""


def text_width_in(text: str, size: float, *, bold: bool = False) -> float:
    """The width of one line of *text* at *size* points, in inches (DejaVu Sans, a generous estimate).

    For reserving room before a figure exists; labels placed in a figure are measured with the
    renderer instead.
    """
    per_char = (0.66 if bold else 0.6) * size / 72.0
    return max((len(line) for line in text.splitlines()), default=0) * per_char


def renderer(fig: Figure) -> Any:
    """The renderer that measures text for *fig*.

    The canvas's own (an Agg canvas, as every figure made here has); for a canvas without
    one (a bare :class:`~matplotlib.figure.Figure`, a vector backend) an Agg renderer of the
    figure's size and dpi, which measures text as saving to PNG does.
    """
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        return get()
    from matplotlib.backends.backend_agg import RendererAgg

    w, h = fig.bbox.size
    return RendererAgg(w, h, fig.dpi)


def label_outline(template: Any, view: str, side: str) -> Any:
    """The outline of a view, shrunk by 0.8 mm and prepared: labels stay inside it."""
    poly = template.outline(view, side=side).buffer(-0.8)
    shapely.prepare(poly)
    return poly


def region_labels(ax: Axes, template: Any, side: str, styles: Mapping[str, RegionStyle], outline: Any, *,
                  size: float = LABEL_SIZE, key: Callable[[str], Any] | None = None) -> list[Label]:
    """The labels of the styled regions of one view, at their anchors, larger regions first to place."""
    return [Label(r if key is None else key(r), ax, s.label, template.anchor(r, side=side), template.polygon(r).area,
                  outline, color=text_color(s.face), size=size)
            for r, s in styles.items() if s.label]


def label_offset(template: Any, view: str, side: str, xy: tuple[float, float]) -> tuple[float, float]:
    """A point 11 mm from *xy*, toward the inside of the view, for a marker's label."""
    x, y = xy
    c = template.outline(view, side=side).centroid
    d = np.array([c.x - x, c.y - y])
    n = float(np.hypot(*d)) or 1.0
    return (x + 11 * d[0] / n, y + 11 * d[1] / n)


def affine_pair(ax: Axes) -> tuple[Affine, Affine]:
    """Data -> pixels and back for *ax* (linear scales, as every view here), as functions of (..., 2) arrays.

    ``transData`` of linear axes is affine: its matrix, taken once, maps points with one numpy
    product instead of a walk of the transform tree per call.
    """
    m = ax.transData.get_affine().get_matrix()
    mi = np.linalg.inv(m)
    a, b = m[:2, :2].T.copy(), m[:2, 2].copy()
    ai, bi = mi[:2, :2].T.copy(), mi[:2, 2].copy()
    return (lambda xy: xy @ a + b), (lambda xy: xy @ ai + bi)


def _variants(item: Label) -> list[tuple[str, float]]:
    """The (text, size) a label tries in turn: as given, smaller, and stacked at a "/" if it has one."""
    variants = [(item.text, item.size), (item.text, max(MIN_LABEL_SIZE, item.size * 0.8))]
    if "/" in item.text:
        stacked = item.text.replace("/", "/\n")
        variants += [(stacked, max(MIN_LABEL_SIZE, item.size * 0.8)), (stacked, MIN_LABEL_SIZE)]
    return list(dict.fromkeys(variants))


class _Placer:
    """The state of one placement pass: the figure's box, the kept boxes and the measured extents.

    Each text variant (text, size, weight) is measured once per pass, at the first anchor it is
    tried at: moving a text does not change its size, so the candidate positions of every label
    showing that variant are that extent translated, and all of them are tested at once (figure,
    kept boxes, the outline at the corners); the first that passes is confirmed with the exact
    containment test of the box in the outline.
    """

    def __init__(self, fig: Figure, fixed: Sequence[Bbox], n: int) -> None:
        self.fig = fig
        self.renderer = renderer(fig)
        self.fig_box = fig.bbox.extents
        # kept boxes, grown by the pad: (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        self.placed = np.empty((len(fixed) + n, 4))
        self.n_placed = 0
        for b in fixed:
            self.keep(np.array([b.x0, b.y0, b.x1, b.y1]))
        # (text, size, weight) -> its extent less the anchor's pixel: labels share few texts
        self.extents: dict[tuple[str, float, str], np.ndarray] = {}
        self.transforms: dict[int, tuple[Affine, Affine]] = {}

    def keep(self, box: np.ndarray) -> None:
        self.placed[self.n_placed] = (box[0] - _PAD_PX, box[1] - _PAD_PX, box[2] + _PAD_PX, box[3] + _PAD_PX)
        self.n_placed += 1

    def place(self, item: Label) -> Text | None:
        """Draw *item* where it first fits, or remove it and return None."""
        t = item.ax.text(item.xy[0], item.xy[1], item.text, ha="center", va="center", fontsize=item.size,
                         fontweight=item.weight, color=item.color, zorder=5, clip_on=False)
        if item.halo:
            t.set_bbox({"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        tr = self.transforms.get(id(item.ax))
        if tr is None:
            tr = self.transforms[id(item.ax)] = affine_pair(item.ax)
        trans, inv = tr
        ax_px = trans(np.asarray(item.xy, dtype=float))
        for text, size in _variants(item):
            step = size * self.fig.dpi / 72 * 0.55
            box = self._extent(t, text, size, item.weight, ax_px)
            i = self._first_fit(box + _NUDGE_BOX * step, item.outline, inv)
            if i is not None:
                t.set_text(text)
                t.set_fontsize(size)
                x, y = inv(ax_px + NUDGES[i] * step)
                t.set_position((float(x), float(y)))
                self.keep(box + _NUDGE_BOX[i] * step)
                return t
        t.remove()
        return None

    def _extent(self, t: Text, text: str, size: float, weight: str, ax_px: np.ndarray) -> np.ndarray:
        """The pixel box of *t* showing *text* at *size*, centred at *ax_px*."""
        rel = self.extents.get((text, size, weight))
        if rel is None:
            t.set_text(text)
            t.set_fontsize(size)
            box = np.asarray(t.get_window_extent(self.renderer).extents)
            self.extents[(text, size, weight)] = box - np.tile(ax_px, 2)
            return box
        return np.tile(ax_px, 2) + rel

    def _first_fit(self, boxes: np.ndarray, outline: Any, inv: Affine) -> int | None:
        """Index of the first candidate box inside the figure and *outline*, overlapping no kept box."""
        fx0, fy0, fx1, fy1 = self.fig_box
        ok = (fx0 <= boxes[:, 0]) & (boxes[:, 2] <= fx1) & (fy0 <= boxes[:, 1]) & (boxes[:, 3] <= fy1)
        if self.n_placed:
            o = self.placed[:self.n_placed]
            ok &= ~((boxes[:, None, 0] < o[:, 2]) & (o[:, 0] < boxes[:, None, 2])
                    & (boxes[:, None, 1] < o[:, 3]) & (o[:, 1] < boxes[:, None, 3])).any(axis=1)
        if outline is None:
            hits = np.flatnonzero(ok)
            return int(hits[0]) if len(hits) else None
        if not ok.any():
            return None
        lo = inv(boxes[:, :2])
        hi = inv(boxes[:, 2:])
        # the four corners of every candidate, in one call
        cx = np.concatenate([lo[:, 0], hi[:, 0], hi[:, 0], lo[:, 0]])
        cy = np.concatenate([lo[:, 1], lo[:, 1], hi[:, 1], hi[:, 1]])
        ok &= shapely.contains_xy(outline, cx, cy).reshape(4, -1).all(axis=0)
        for i in np.flatnonzero(ok):
            # the corners are inside, but an edge of the box may still cross the outline
            if outline.contains(shapely.box(*np.minimum(lo[i], hi[i]), *np.maximum(lo[i], hi[i]))):
                return int(i)
        return None


def place_labels(fig: Figure, items: Iterable[Label], *, fixed: Sequence[Bbox] = ()) -> tuple[dict[Any, Text],
                                                                                             tuple[Any, ...]]:
    """Place labels at their anchors without collisions; nudge, shrink or drop those that do not fit.

    A label is kept only where its extent (measured with the renderer) overlaps no kept label
    and no box in *fixed*, lies inside the figure, and lies inside the outline of its view.
    Labels are placed highest priority first. Returns the kept Texts by key and the keys of
    the labels dropped.
    """
    items = list(items)
    for ax in {id(i.ax): i.ax for i in items}.values():
        ax.apply_aspect()
    placer = _Placer(fig, fixed, len(items))
    kept: dict[Any, Text] = {}
    dropped: list[Any] = []
    for item in sorted(items, key=lambda i: -i.priority):
        t = placer.place(item)
        if t is None:
            dropped.append(item.key)
        else:
            kept[item.key] = t
    return kept, tuple(dropped)
