"""Figures of the atlas and of a localization: dermatomes, nerve territories, cases, pathways.

Every function takes its subject first and keyword-only options after, draws into a new
figure (or the ``fig``/``ax`` it is given) and returns a small display object holding what it
drew: ``.figure``, ``.axes`` (view -> Axes), ``.patches`` (region id -> :class:`RegionPatch`),
``.legend``, ``.labels``, ``.savefig()``; displays show themselves in Jupyter.

Manners
-------
* Nothing here calls ``plt.show()``, selects a backend or changes ``rcParams``. New figures are
  standalone :class:`matplotlib.figure.Figure` objects with an Agg canvas, not registered with
  pyplot, so loops do not accumulate open figures; pass ``fig=plt.figure()`` for a
  pyplot-managed one (``plt.show()`` then works as usual).
* Each view is one :class:`~matplotlib.collections.PolyCollection` (one draw call for all of
  its regions); :class:`RegionPatch` is a handle on one region of it (face colour, path,
  hatch) rather than a separate artist, which keeps a four-view figure cheap to draw.
* Colours are colour-blind safe. Roots have a fixed colour (:data:`ROOT_COLORS`), the same in
  every figure; other categories use the Okabe-Ito palette (:data:`OKABE_ITO`) and, beyond seven
  categories, Paul Tol's "muted" palette (:data:`TOL_MUTED`).
* Region labels sit at the template's label anchors. A collision pass measures each label with
  the renderer and, largest region first, keeps it in place, nudges it, shrinks it, or drops it
  (listed in ``display.dropped_labels``); a label never overlaps another or leaves the foot.

The layout is fixed (no ``tight_layout``/constrained layout), so label placement measured at
creation holds when the figure is saved at any dpi.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerPatch
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from neuromap.datasets import ROOT_IDS
from neuromap.geometry import FOOT_VIEWS, LIMB_VIEWS, SIDES, VIEWS

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas
    from neuromap.inference.result import Hypothesis, Localization

__all__ = [
    "LAYOUTS",
    "LIMB_LAYOUT_VIEWS",
    "OKABE_ITO",
    "ROOT_COLORS",
    "TOL_MUTED",
    "AtlasDisplay",
    "CaseDisplay",
    "PathDisplay",
    "RegionPatch",
    "plot_dermatomes",
    "plot_localization",
    "plot_map_comparison",
    "plot_nerve_territories",
    "plot_pathway",
]

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
#: border of the roots; ``variable`` = the map leaves it blank or unresolved. Atlas figures
#: draw the ``variable`` dots as markers (the same dot pattern, see :func:`_draw_dots`).
GRADE_HATCH: Mapping[str, str] = MappingProxyType({"overlap": "////", "variable": "..."})
#: Hatch of each sensory modality in case figures.
MODALITY_HATCH: Mapping[str, str] = MappingProxyType({
    "numbness": "\\\\\\", "tingling": "...", "pain": "xxx", "burning": "+++", "hypersensitivity": "ooo",
})
_HYPOTHESIS_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
_KIND_COLORS = {"root": "#56B4E9", "plexus": "#CC79A7", "nerve": "#F0E442", "region": "#E0E0E0",
                "muscle": "#E69F00", "movement": "#E69F00", "reflex": "#009E73"}
_OUTLINE = "#303030"
_EDGE = "white"
_SAFETY = "neuromap is decision support, not a diagnosis."

#: Millimetres of template per inch of figure at the default scale.
_MM_PER_INCH = 60.0
_GAP_MM = 22.0  # between views
_TITLE_MM = 16.0  # above each view, for its title
_LABEL_SIZE = 8.0
_MIN_LABEL_SIZE = 6.0

#: The layouts of the figures: ``"foot"`` (the foot's views, the default) and ``"limb"`` (the
#: lower limb with the foot as an enlarged, framed inset).
LAYOUTS: tuple[str, ...] = ("foot", "limb")
#: The views the ``"limb"`` layout draws by default: the limb from the front and from behind at
#: one scale, the saddle small beside them, and the foot's dorsal and plantar views as an inset.
LIMB_LAYOUT_VIEWS: tuple[str, ...] = ("anterior", "posterior", "saddle", "dorsal", "plantar")
_FOOT_ZOOM = 1.6  # the foot inset, relative to the limb's scale
_SADDLE_ZOOM = 1.25  # the saddle view, relative to the limb's scale
_INSET_PAD_MM = 10.0  # inside the inset frame, at the limb's scale
_INSET_HEAD_MM = 50.0  # above the inset's views, for their titles and the inset caption
_INSET_HEAD_IN = 0.42  # the same in inches, as drawn (text does not scale with the layout)
_LIMB_MM_PER_INCH = 115.0  # atlas figures in the limb layout


# ---------------------------------------------------------------------------- displays
class RegionPatch:
    """A handle on one region drawn in a view's :class:`~matplotlib.collections.PolyCollection`.

    It answers like a patch (``get_facecolor``, ``set_facecolor``, ``get_path``, ``get_hatch``)
    but is not a separate artist: all regions of a view are drawn by one collection, which is
    much faster than one patch each. Changing the face colour changes the figure.

    Attributes
    ----------
    region : str
        The region id.
    view : str
        The view the region is drawn in.
    collection : matplotlib.collections.PolyCollection
        The collection that draws it.
    index : int
        Its index in the collection.
    hatch : str or None
        The hatch pattern laid over it (overlap/variable grades, modalities), if any.
    hatch_color : str or None
        The colour of that hatch.
    """

    __slots__ = ("collection", "hatch", "hatch_color", "index", "region", "view")

    def __init__(self, region: str, view: str, collection: PolyCollection, index: int,
                 hatch: str | None = None, hatch_color: str | None = None) -> None:
        self.region = region
        self.view = view
        self.collection = collection
        self.index = index
        self.hatch = hatch
        self.hatch_color = hatch_color

    @property
    def axes(self) -> Axes | None:
        """The Axes the region is drawn in."""
        ax = self.collection.axes
        return ax if isinstance(ax, Axes) else None

    def get_facecolor(self) -> tuple[float, float, float, float]:
        """Return the face colour as an RGBA tuple."""
        fc = np.asarray(self.collection.get_facecolor(), dtype=float).reshape(-1, 4)
        r, g, b, a = fc[self.index if len(fc) > 1 else 0]
        return (float(r), float(g), float(b), float(a))

    def set_facecolor(self, color: Any) -> None:
        """Set the face colour (any matplotlib colour)."""
        fc = np.asarray(self.collection.get_facecolor(), dtype=float).reshape(-1, 4)
        if len(fc) != len(self.collection.get_paths()):
            fc = np.resize(fc, (len(self.collection.get_paths()), 4))
        fc[self.index] = mcolors.to_rgba(color)
        self.collection.set_facecolor([tuple(row) for row in fc.tolist()])

    def get_edgecolor(self) -> tuple[float, float, float, float]:
        """Return the edge colour as an RGBA tuple."""
        ec = np.asarray(self.collection.get_edgecolor(), dtype=float).reshape(-1, 4)
        r, g, b, a = ec[self.index if len(ec) > 1 else 0]
        return (float(r), float(g), float(b), float(a))

    def get_hatch(self) -> str | None:
        """Return the hatch pattern laid over the region, or None."""
        return self.hatch

    def get_path(self) -> MplPath:
        """Return the outline as a matplotlib Path in data coordinates (mm)."""
        return self.collection.get_paths()[self.index]

    def get_xy(self) -> np.ndarray:
        """Return the outline vertices, shape (n, 2), mm."""
        return np.asarray(self.get_path().vertices)

    def __repr__(self) -> str:
        return f"<RegionPatch {self.region!r} ({self.view}) fc={mcolors.to_hex(self.get_facecolor())}>"


class _Display:
    """Base of the display objects: what a plot function drew, read-only after creation."""

    _frozen = False
    figure: Figure
    axes: Mapping[Any, Axes]
    patches: Mapping[Any, Any]
    legend: Legend | None
    labels: Mapping[Any, Text]

    def __init__(self, figure: Figure, axes: Mapping[Any, Axes], patches: Mapping[Any, Any],
                 legend: Legend | None, labels: Mapping[Any, Text] | None = None, **extra: Any) -> None:
        self.figure = figure
        self.axes = MappingProxyType(dict(axes))
        self.patches = MappingProxyType(dict(patches))
        self.legend = legend
        self.labels = MappingProxyType(dict(labels or {}))
        for k, v in extra.items():
            setattr(self, k, v)
        self._frozen = True

    def __setattr__(self, name: str, value: Any) -> None:
        if self._frozen:
            raise AttributeError(f"{type(self).__name__} is read-only; change the artists it holds instead")
        object.__setattr__(self, name, value)

    @property
    def ax(self) -> Axes:
        """The first (or only) Axes."""
        return next(iter(self.axes.values()))

    def savefig(self, fname: str | Path | Any, **kwargs: Any) -> None:
        """Save the figure; the format follows the extension (``.png``, ``.svg``, ``.pdf``).

        Parameters
        ----------
        fname : str, Path or file-like
            Where to write.
        **kwargs
            Passed to :meth:`matplotlib.figure.Figure.savefig` (``dpi``, ``format``, ...).
        """
        self.figure.savefig(fname, **kwargs)

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png")
        return buf.getvalue()

    def __repr__(self) -> str:
        keys = ", ".join(str(k) for k in self.axes)
        return f"<{type(self).__name__} | {len(self.patches)} patches in {keys}>"


class AtlasDisplay(_Display):
    """What :func:`plot_dermatomes`, :func:`plot_nerve_territories` and :func:`plot_map_comparison` drew.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure.
    axes : mapping
        View -> Axes (``(map, view)`` -> Axes for map comparisons).
    patches : mapping
        Region id -> :class:`RegionPatch` (``(map, region)`` -> RegionPatch for comparisons).
    legend : matplotlib.legend.Legend or None
        The legend.
    labels : mapping
        Region id (or ``(map, region)``) -> the label Text kept by the collision pass.
    dropped_labels : tuple
        Keys of labels that did not fit in their region and were left out.
    colors : mapping
        Category (root, nerve id) -> the colour it was drawn in.
    title : matplotlib.text.Text
        The figure title.
    footnote : matplotlib.text.Text or None
        The footnote (sources, caveats).
    dermatome_maps : tuple of str
        The dermatome layers drawn (empty for nerve territories).
    disagreements : tuple of str
        Regions where the compared layers differ (map comparisons only).
    """

    dropped_labels: tuple[Any, ...]
    colors: Mapping[str, str]
    title: Text
    footnote: Text | None
    dermatome_maps: tuple[str, ...]
    disagreements: tuple[str, ...]


class CaseDisplay(_Display):
    """What :func:`plot_localization` drew.

    Attributes
    ----------
    figure, axes, patches, legend, labels
        As for :class:`AtlasDisplay` (keys are ``(side, view)`` / ``(side, region)`` when both
        feet are drawn).
    hypotheses : tuple of Hypothesis
        The hypotheses shown, best first.
    annotations : mapping
        Hypothesis id -> the Text naming it on the foot.
    territory_patches : mapping
        Hypothesis id -> the collections shading its territory (one per view drawn).
    symptom_patches : mapping
        Region id (or ``(side, region)``) -> the hatched overlay of a reported region.
    red_flag_texts : tuple of matplotlib.text.Text
        The red-flag statements (red, at the top).
    footnote : matplotlib.text.Text
        Names the dermatome map and states that this is decision support, not a diagnosis.
    """

    hypotheses: tuple[Hypothesis, ...]
    annotations: Mapping[str, Text]
    territory_patches: Mapping[str, tuple[PolyCollection, ...]]
    symptom_patches: Mapping[Any, Any]
    red_flag_texts: tuple[Text, ...]
    footnote: Text
    title: Text
    dropped_labels: tuple[Any, ...]


class PathDisplay(_Display):
    """What :func:`plot_pathway` drew.

    Attributes
    ----------
    figure, axes, legend
        As for :class:`AtlasDisplay` (``axes`` has the single key ``"path"``).
    patches : mapping
        Node id -> the box (a :class:`~matplotlib.patches.FancyBboxPatch`) around its label.
    labels : mapping
        Node id -> its label Text.
    path : tuple of str
        The node ids, source first.
    relations : tuple of str
        The relation of each arrow.
    """

    path: tuple[str, ...]
    relations: tuple[str, ...]


# ---------------------------------------------------------------------------- checks
def _check_option(name: str, value: Any, allowed: Sequence[str]) -> None:
    if value not in allowed:
        quoted = [repr(a) for a in allowed]
        allowed_text = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
        raise ValueError(f"Invalid value for {name!r}: allowed values are {allowed_text}, but got {value!r}.")


def _check_views(views: str | Iterable[str], available: Sequence[str]) -> tuple[str, ...]:
    out = (views,) if isinstance(views, str) else tuple(views)
    if not out:
        raise ValueError("Invalid value for 'views': give at least one view.")
    for v in out:
        _check_option("views", v, available)
    return tuple(dict.fromkeys(out))


def _atlas(atlas: Atlas | None) -> Atlas:
    if atlas is None:
        from neuromap.atlas import load_atlas

        return load_atlas()
    return atlas


# ---------------------------------------------------------------------------- colours
def _text_color(face: Any) -> str:
    r, g, b, _ = mcolors.to_rgba(face)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.45 else "white"


def _palette(n: int) -> tuple[str, ...]:
    if n <= 7:
        return OKABE_ITO[:7]
    return TOL_MUTED


def _root_color(root: str) -> str:
    return ROOT_COLORS.get(root, "#777777")


# ---------------------------------------------------------------------------- layout
@dataclass(frozen=True)
class _Block:
    """A group of views of one foot, laid out together (one map column or one side row)."""

    key: Any  # None, a map id or a side
    side: str
    views: tuple[str, ...]
    title: str | None = None
    row: int = 0
    col: int = 0


def _pack(template: Any, views: Sequence[str], side: str, mode: str) -> tuple[dict[str, tuple[float, ...]],
                                                                              float, float]:
    """Place views in mm, returning ``({view: (x, y, w, h)}, width, height)``.

    ``row``: tall views side by side, wide views stacked at the right; ``column``: tall views
    side by side on top, wide views stacked below; ``limb``: see :func:`_pack_limb`.
    """
    if mode == "limb":
        return _pack_limb(template, views, side)
    sizes = {}
    for v in views:
        x0, y0, x1, y1 = template.bounds(v, side=side)
        sizes[v] = (x1 - x0, y1 - y0)
    tall = [v for v in views if sizes[v][1] >= sizes[v][0]]
    wide = [v for v in views if sizes[v][1] < sizes[v][0]]
    pos: dict[str, tuple[float, ...]] = {}
    if mode == "row":
        x = 0.0
        height = 0.0
        for v in tall:
            w, h = sizes[v]
            pos[v] = (x, 0.0, w, h)
            x += w + _GAP_MM
            height = max(height, h)
        col_w = 0.0
        for i in range(0, len(wide), 2):
            pair = wide[i:i + 2]
            y = 0.0
            for v in reversed(pair):  # first of the pair on top
                w, h = sizes[v]
                pos[v] = (x, y, w, h)
                y += h + _TITLE_MM + 4
                col_w = max(col_w, w)
            height = max(height, y - _TITLE_MM - 4)
            x += col_w + _GAP_MM
        width = x - _GAP_MM
        # vertically centre the tall views against the wide column
        for v in tall:
            px, _, w, h = pos[v]
            pos[v] = (px, (height - h) / 2, w, h)
        return pos, width, height
    # column mode
    x = 0.0
    top_h = 0.0
    for v in tall:
        w, h = sizes[v]
        pos[v] = (x, 0.0, w, h)
        x += w + _GAP_MM * 0.6
        top_h = max(top_h, h)
    width = max(x - _GAP_MM * 0.6, max((sizes[v][0] for v in wide), default=0.0))
    y = 0.0
    below = []
    for v in wide:
        below.append((v, y))
        y += sizes[v][1] + _TITLE_MM + 4
    wide_h = y - (_TITLE_MM + 4) if wide else 0.0
    height = top_h + (wide_h + _TITLE_MM + 4 if wide else 0.0)
    for v in tall:
        px, _, w, h = pos[v]
        pos[v] = (px + (width - (x - _GAP_MM * 0.6)) / 2, height - h, w, h)
    for v, yy in below:
        w, h = sizes[v]
        pos[v] = ((width - w) / 2, wide_h - yy - h, w, h)
    return pos, width, height


def _pack_limb(template: Any, views: Sequence[str], side: str) -> tuple[dict[str, tuple[float, ...]], float, float]:
    """The limb layout in mm at the limb's scale: ``({view: (x, y, w, h)}, width, height)``.

    The anterior and posterior views side by side, aligned on height above the ground (the knees
    level); at their right a column with the saddle (top, :data:`_SADDLE_ZOOM`) and the foot's
    views packed as in the foot layout, enlarged :data:`_FOOT_ZOOM` times, at the bottom (level
    with the ankle cut of the limb) with room for the inset frame around them.
    """
    big = [v for v in views if v in LIMB_VIEWS and v != "saddle"]
    saddle = [v for v in views if v == "saddle"]
    foot = [v for v in views if v in FOOT_VIEWS]
    pos: dict[str, tuple[float, ...]] = {}
    x = 0.0
    limb_h = 0.0
    if big:
        b = {v: template.bounds(v, side=side) for v in big}
        ground = min(bb[1] for bb in b.values())
        limb_h = max(bb[3] for bb in b.values()) - ground
        for v in big:
            x0, y0, x1, y1 = b[v]
            pos[v] = (x, y0 - ground, x1 - x0, y1 - y0)
            x += x1 - x0 + _GAP_MM
    col_x = x
    sw = sh = 0.0
    if saddle:
        x0, y0, x1, y1 = template.bounds("saddle", side=side)
        sw, sh = (x1 - x0) * _SADDLE_ZOOM, (y1 - y0) * _SADDLE_ZOOM
    inset_w = inset_h = 0.0
    fpos: dict[str, tuple[float, ...]] = {}
    if foot:
        fpos, fw, fh = _pack(template, foot, side, "row")
        inset_w = fw * _FOOT_ZOOM + 2 * _INSET_PAD_MM
        inset_h = fh * _FOOT_ZOOM + _INSET_PAD_MM + _INSET_HEAD_MM
    col_w = max(sw, inset_w)
    height = max(limb_h, sh + (_TITLE_MM + 12 if saddle and foot else 0.0) + inset_h)
    if saddle:
        pos["saddle"] = (col_x, height - sh, sw, sh)
    for v, (fx, fy, w, h) in fpos.items():
        pos[v] = (col_x + _INSET_PAD_MM + fx * _FOOT_ZOOM, _INSET_PAD_MM + fy * _FOOT_ZOOM,
                  w * _FOOT_ZOOM, h * _FOOT_ZOOM)
    width = col_x + col_w if col_w else col_x - _GAP_MM
    return pos, width, height


@dataclass
class _Frame:
    fig: Figure
    axes: dict[Any, Axes]
    sides: dict[Any, str]
    views: dict[Any, str]
    blocks: dict[Any, Any]
    right: float  # figure fraction where the space reserved at the right starts
    top: float  # figure fraction of the top of the views' area (titles go above)
    bottom: float
    scale: float = 0.0  # inches of figure per mm of the layout


def _make_frame(template: Any, blocks: Sequence[_Block], *, mode: str, fig: Figure | None,
                right_in: float, top_in: float, bottom_in: float, mm_per_inch: float = _MM_PER_INCH,
                key: Any = None) -> _Frame:
    """Create the Axes of every block's views, blocks on a grid (``row``, ``col``), one scale for all.

    *key* maps ``(block, view)`` to the key of the Axes (the view by default).
    """
    packs = [_pack(template, b.views, b.side, mode) for b in blocks]
    block_title_mm = _TITLE_MM * 1.3 if any(b.title for b in blocks) else 0.0
    ncol = max(b.col for b in blocks) + 1
    nrow = max(b.row for b in blocks) + 1
    col_w = [max((p[1] for b, p in zip(blocks, packs, strict=True) if b.col == c), default=0.0) for c in range(ncol)]
    row_h = [max((p[2] for b, p in zip(blocks, packs, strict=True) if b.row == r), default=0.0)
             + _TITLE_MM + block_title_mm for r in range(nrow)]
    gap_c, gap_r = _GAP_MM * 1.3, 6.0
    total_w = sum(col_w) + gap_c * (ncol - 1)
    total_h = sum(row_h) + gap_r * (nrow - 1)
    margin_in = 0.15
    nat_w = total_w / mm_per_inch + 2 * margin_in + right_in
    nat_h = total_h / mm_per_inch + top_in + bottom_in
    if fig is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = Figure(figsize=(nat_w, nat_h), dpi=100)
        FigureCanvasAgg(fig)
        scale = 1.0 / mm_per_inch
    else:
        fw0, fh0 = fig.get_size_inches()
        scale = min((fw0 - 2 * margin_in - right_in) / total_w, (fh0 - top_in - bottom_in) / total_h)
        if scale <= 0:
            raise ValueError("Invalid value for 'fig': the figure is too small for this layout.")
    fw, fh = (float(v) for v in fig.get_size_inches())
    x_in0 = margin_in + ((fw - 2 * margin_in - right_in) - total_w * scale) / 2
    y_in_top = fh - top_in
    axes: dict[Any, Axes] = {}
    sides: dict[Any, str] = {}
    views: dict[Any, str] = {}
    bl: dict[Any, Any] = {}
    for b, (pos, w, h) in zip(blocks, packs, strict=True):
        bx = x_in0 + (sum(col_w[:b.col]) + gap_c * b.col + (col_w[b.col] - w) / 2) * scale
        by_top = y_in_top - (sum(row_h[:b.row]) + gap_r * b.row + block_title_mm + _TITLE_MM) * scale
        row_inner = row_h[b.row] - _TITLE_MM - block_title_mm
        by_top -= (row_inner - h) / 2 * scale
        for v in b.views:
            px, py, pw, ph = pos[v]
            left = bx + px * scale
            bottom = by_top - h * scale + py * scale
            ax = fig.add_axes((left / fw, bottom / fh, pw * scale / fw, ph * scale / fh), frameon=False)
            x0, y0, x1, y1 = template.bounds(v, side=b.side)
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            ax.set_aspect("equal", adjustable="datalim")
            ax.set_axis_off()  # no ticks, tick labels or spines to lay out and draw
            k = v if key is None else key(b, v)
            axes[k] = ax
            sides[k] = b.side
            views[k] = v
            bl[k] = b
    right = 1 - (right_in + margin_in * 0.5) / fw
    return _Frame(fig, axes, sides, views, bl, right, 1 - top_in / fh, bottom_in / fh, scale)


def _block_box(frame: _Frame, block: _Block) -> tuple[float, float, float, float]:
    """Figure-fraction (x0, y0, x1, y1) of a block's axes."""
    pos = [ax.get_position() for k, ax in frame.axes.items() if frame.blocks[k] is block]
    return (min(p.x0 for p in pos), min(p.y0 for p in pos), max(p.x1 for p in pos), max(p.y1 for p in pos))


def _view_title(ax: Axes, text: str) -> Text:
    # y given: the title sits where matplotlib would put it (nothing is drawn above a view), and
    # drawing skips the automatic placement, which lays out (creates) the y axis's ticks
    return ax.set_title(text, fontsize=9, color="#333333", pad=3, y=1.0)


def _layout_views(template: Any, layout: str, views: str | Sequence[str] | None) -> tuple[str, ...]:
    """The views to draw: *views* if given, else those of the layout (checked against the template)."""
    _check_option("layout", layout, LAYOUTS)
    if views is None:
        views = VIEWS if layout == "foot" else LIMB_LAYOUT_VIEWS
    return _check_views(views, template.views)


def _frame_insets(frame: _Frame, template: Any) -> list[Any]:
    """Frame the foot views of each limb-layout block as an inset, tied to the ankle of the limb.

    Returns the frames (:class:`~matplotlib.patches.FancyBboxPatch`, figure coordinates).
    """
    from matplotlib.patches import ConnectionPatch, FancyBboxPatch

    fig = frame.fig
    fw, fh = (float(v) for v in fig.get_size_inches())
    out = []
    for block in dict.fromkeys(frame.blocks.values()):
        keys = [k for k, b in frame.blocks.items() if b is block]
        foot = [k for k in keys if frame.views[k] in FOOT_VIEWS]
        limb = [k for k in keys if frame.views[k] in ("anterior", "posterior")]
        if not foot or not limb:
            continue
        pos = [frame.axes[k].get_position() for k in foot]
        pad = _INSET_PAD_MM * frame.scale * 0.6
        x0, y0 = min(q.x0 for q in pos) - pad / fw, min(q.y0 for q in pos) - pad / fh
        x1 = max(q.x1 for q in pos) + pad / fw
        y1 = max(q.y1 for q in pos) + _INSET_HEAD_IN / fh
        box = FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0,rounding_size=0.006",
                             transform=fig.transFigure, facecolor="#FAFAFA", edgecolor="#555555",
                             linewidth=1.0, zorder=-1)
        fig.add_artist(box)
        fig.text(x0 + 0.06 / fw, y1 - 0.05 / fh, f"Foot (enlarged ×{_FOOT_ZOOM:g})", ha="left", va="top",
                 fontsize=8, fontweight="bold", color="#333333")
        # a dashed leader from the ankle cut of the limb view nearest the inset to the frame
        k = max(limb, key=lambda q: frame.axes[q].get_position().x1)
        ax = frame.axes[k]
        outline = template.outline(frame.views[k], side=frame.sides[k])
        bx0, by0, bx1, _ = outline.bounds
        cut = outline.intersection(shapely.box(bx0, by0, bx1, by0 + 12.0)).bounds
        ends = [(cut[0], by0 + 6.0), (cut[2], by0 + 6.0)]
        ankle = max(ends, key=lambda e: float(ax.transData.transform(e)[0]))
        con = ConnectionPatch(xyA=ankle, coordsA=ax.transData, xyB=(x0, y0 + 0.3 * (y1 - y0)),
                              coordsB=fig.transFigure, linestyle=(0, (3, 2)), color="#555555", linewidth=0.9)
        fig.add_artist(con)
        out.append(box)
    return out


def _unclip(frame: _Frame) -> None:
    """Let outlines on the edge of a view's bounds (the limb's midline cuts) draw in full."""
    for ax in frame.axes.values():
        for c in ax.collections:
            c.set_clip_on(False)


def _nerve_colors(atlas: Atlas, nerves: Sequence[str], views: Sequence[str]) -> dict[str, str]:
    """Nerve id -> colour.

    On the foot's views alone, the palette over the drawn nerves (as ever); with any limb view,
    the nerves of the foot keep the colours of the default foot figure and the limb's other
    nerves take the Okabe-Ito colours, then their pale tints.
    """
    if all(v in FOOT_VIEWS for v in views):
        palette = _palette(len(nerves))
        return {n: palette[i % len(palette)] for i, n in enumerate(nerves)}
    t = atlas.template
    foot_sup = {r: _primary_suppliers(atlas, r) for v in VIEWS for r in t.regions(v)}
    foot = [n for n in atlas.ids("nerve") if any(n in s for s in foot_sup.values())]
    base = _nerve_colors(atlas, foot, VIEWS)
    spare = [c for c in OKABE_ITO[:7] if c not in base.values()]
    spare += [mcolors.to_hex(_blend(c, 0.45)).upper() for c in spare]
    extra = [n for n in nerves if n not in base]
    return {n: base[n] if n in base else spare[extra.index(n) % len(spare)] for n in nerves}


# ---------------------------------------------------------------------------- drawing
def _region_paths(template: Any, view: str, side: str) -> list[np.ndarray]:
    return [shapely.get_coordinates(template.polygon(r, side=side).exterior) for r in template.regions(view)]


def _draw_regions(ax: Axes, template: Any, view: str, side: str, faces: Sequence[Any],
                  hatches: Mapping[str, tuple[str, str]], *, zorder: float = 1.0,
                  edge: str = _EDGE) -> tuple[PolyCollection, dict[str, RegionPatch]]:
    """One collection for the regions' fills, one per (hatch, colour) for overlays, and the outline."""
    regions = template.regions(view)
    verts = _region_paths(template, view, side)
    pc = PolyCollection(verts, facecolors=faces, edgecolors=edge, linewidths=0.8, zorder=zorder)
    ax.add_collection(pc, autolim=False)
    groups: dict[tuple[str, str], list[np.ndarray]] = {}
    for i, r in enumerate(regions):
        if r in hatches:
            groups.setdefault(hatches[r], []).append(verts[i])
    for (hatch, color), vs in groups.items():
        if hatch == GRADE_HATCH["variable"]:
            _draw_dots(ax, vs, color, zorder=zorder + 0.1)
            continue
        # one compound path per group: Agg renders the hatch tile once per path drawn
        hc = PathCollection([_compound(vs)], facecolors="none", edgecolors="none", linewidths=0.0, hatch=hatch,
                            zorder=zorder + 0.1)
        hc.set_hatchcolor(color)
        hc.set_hatch_linewidth(0.9)
        ax.add_collection(hc, autolim=False)
    _draw_outline(ax, template, view, side, zorder=zorder + 0.3)
    patches = {r: RegionPatch(r, view, pc, i, *hatches.get(r, (None, None))) for i, r in enumerate(regions)}
    return pc, patches


#: The dot pattern of :data:`GRADE_HATCH` ``"variable"``, drawn as markers: as matplotlib's
#: ``"..."`` hatch, rows of dots 1/18 inch apart, every other row shifted by half a step, dots
#: 1.7 pt across (a 0.8 pt dot under a 0.9 pt hatch line).
_DOT_STEP_IN = 1.0 / 18.0
_DOT_SIZE_PT = 1.7


def _draw_dots(ax: Axes, rings: Sequence[np.ndarray], color: str, *, zorder: float) -> Any:
    """Dot the regions bounded by *rings* in *color*: one :class:`~matplotlib.lines.Line2D` of markers.

    Agg draws a marker once and stamps it at every dot, which costs a fraction of a hatch fill
    (a hatch tile of a few hundred dots rendered, then filled across the region). The dots sit
    on a lattice fixed to the view (1/18 inch, as the hatch), those inside the regions (by at least
    a dot's radius) kept; a region too small to hold one gets a dot at its representative point.
    """
    fig = ax.get_figure(root=True)
    fw, fh = fig.get_size_inches()  # type: ignore[union-attr]
    pos = ax.get_position(original=True)  # the box as laid out (without applying the aspect)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # inches per data unit: the aspect is equal and adjusts the data limits, so the tighter axis rules
    per = min(pos.width * fw / abs(x1 - x0), pos.height * fh / abs(y1 - y0))
    step = _DOT_STEP_IN / per
    polys = np.array([shapely.Polygon(r) for r in rings], dtype=object)
    pts = np.concatenate(rings)
    (bx0, by0), (bx1, by1) = pts.min(axis=0), pts.max(axis=0)
    gy = np.arange(np.floor(by0 / step), np.ceil(by1 / step) + 1)[:, None]
    gx = np.arange(np.floor(bx0 / step) - 1, np.ceil(bx1 / step) + 1)[None, :]
    xs = ((gx + 0.5 * (gy % 2)) * step).ravel()
    ys = np.broadcast_to(gy * step, (gy.size, gx.size)).ravel()
    # dots whose centres are at least a dot's radius inside: none crosses the regions' edges
    area = shapely.buffer(shapely.multipolygons(polys), -_DOT_SIZE_PT / 144.0 / per)
    shapely.prepare(area)
    keep = shapely.contains_xy(area, xs, ys)
    xs, ys = xs[keep], ys[keep]
    shapely.prepare(polys)
    empty = polys[~shapely.contains_xy(polys[:, None], xs[None, :], ys[None, :]).any(axis=1)]
    if len(empty):
        extra = shapely.get_coordinates(shapely.point_on_surface(empty))
        xs, ys = np.concatenate([xs, extra[:, 0]]), np.concatenate([ys, extra[:, 1]])
    line = Line2D(xs, ys, linestyle="none", marker="o", markersize=_DOT_SIZE_PT, markeredgewidth=0.0,
                  markerfacecolor=color, zorder=zorder)
    ax.add_artist(line)
    return line


def _compound(rings: Sequence[np.ndarray]) -> MplPath:
    """One path of several closed rings (drawn, filled and hatched as one)."""
    return MplPath.make_compound_path(*(MplPath(np.asarray(r, dtype=float), closed=True) for r in rings))


def _draw_outline(ax: Axes, template: Any, view: str, side: str, *, zorder: float) -> None:
    ring = shapely.get_coordinates(template.outline(view, side=side).exterior)
    oc = PolyCollection([ring], facecolors="none", edgecolors=_OUTLINE, linewidths=1.3, zorder=zorder)
    ax.add_collection(oc, autolim=False)


# ---------------------------------------------------------------------------- labels
@dataclass
class _Label:
    key: Any
    ax: Axes
    text: str
    xy: tuple[float, float]
    priority: float
    outline: Any  # shapely polygon (data coords of ax)
    color: str = "black"
    size: float = _LABEL_SIZE
    weight: str = "bold"
    halo: bool = False


def _renderer(fig: Figure) -> Any:
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else fig._get_renderer()  # type: ignore[attr-defined]


#: The positions a label tries, in steps of about half its font size from its anchor, in order.
_NUDGES = np.array([(0, 0), (0, 1), (0, -1), (1, 0), (-1, 0), (0, 2), (0, -2), (1, 1), (-1, 1), (1, -1),
                    (-1, -1), (2, 0), (-2, 0)], dtype=float)
_NUDGE_BOX = np.concatenate([_NUDGES, _NUDGES], axis=1)  # (dx, dy, dx, dy): moves (x0, y0, x1, y1)


def _place_labels(fig: Figure, items: Sequence[_Label], *, fixed: Sequence[Bbox] = ()) -> tuple[dict[Any, Text],
                                                                                               tuple[Any, ...]]:
    """Place labels at their anchors without collisions; nudge, shrink or drop those that do not fit.

    A label is kept only where its extent (measured with the renderer) overlaps no kept label
    and no box in *fixed*, lies inside the figure, and lies inside the foot outline of its view.

    Each text variant (text, size, weight) is measured once per call, at the first anchor it is
    tried at: moving a text does not change its size, so the candidate positions of every label
    showing that variant are that extent translated, and all of them
    are tested at once (figure, kept boxes, the outline at the corners); the first that passes
    is confirmed with the exact containment test of the box in the outline.
    """
    renderer = _renderer(fig)
    for ax in {id(i.ax): i.ax for i in items}.values():
        ax.apply_aspect()
    fx0, fy0, fx1, fy1 = fig.bbox.extents
    pad = 1.5  # px between labels
    # kept boxes, grown by the pad: (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    placed = np.empty((len(fixed) + len(items), 4))
    n_placed = 0
    for b in fixed:
        placed[n_placed] = (b.x0 - pad, b.y0 - pad, b.x1 + pad, b.y1 + pad)
        n_placed += 1
    kept: dict[Any, Text] = {}
    dropped: list[Any] = []
    # (text, size, weight) -> its extent less the anchor's pixel: labels share few texts (L5/S1?),
    # and every label is a centred text with the same properties but these
    extents: dict[tuple[str, float, str], np.ndarray] = {}
    transforms: dict[int, tuple[Any, Any]] = {}
    for item in sorted(items, key=lambda i: -i.priority):
        t = item.ax.text(item.xy[0], item.xy[1], item.text, ha="center", va="center", fontsize=item.size,
                         fontweight=item.weight, color=item.color, zorder=5, clip_on=False)
        if item.halo:
            t.set_bbox({"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
        tr = transforms.get(id(item.ax))
        if tr is None:
            tr = transforms[id(item.ax)] = _affine_pair(item.ax)
        trans, inv = tr
        ax_px = trans(np.asarray(item.xy, dtype=float))
        at: np.ndarray | None = None
        variants = [(item.text, item.size), (item.text, max(_MIN_LABEL_SIZE, item.size * 0.8))]
        if "/" in item.text:
            stacked = item.text.replace("/", "/\n")
            variants += [(stacked, max(_MIN_LABEL_SIZE, item.size * 0.8)), (stacked, _MIN_LABEL_SIZE)]
        for text, size in dict.fromkeys(variants):
            step = size * fig.dpi / 72 * 0.55
            rel = extents.get((text, size, item.weight))
            if rel is None:
                t.set_text(text)
                t.set_fontsize(size)
                box = np.asarray(t.get_window_extent(renderer).extents)
                extents[(text, size, item.weight)] = box - np.tile(ax_px, 2)
            else:
                box = np.tile(ax_px, 2) + rel
            boxes = box + _NUDGE_BOX * step  # (13, 4)
            ok = (fx0 <= boxes[:, 0]) & (boxes[:, 2] <= fx1) & (fy0 <= boxes[:, 1]) & (boxes[:, 3] <= fy1)
            if n_placed:
                o = placed[:n_placed]
                ok &= ~((boxes[:, None, 0] < o[:, 2]) & (o[:, 0] < boxes[:, None, 2])
                        & (boxes[:, None, 1] < o[:, 3]) & (o[:, 1] < boxes[:, None, 3])).any(axis=1)
            if item.outline is not None and ok.any():
                lo = inv(boxes[:, :2])
                hi = inv(boxes[:, 2:])
                # the four corners of every candidate, in one call
                cx = np.concatenate([lo[:, 0], hi[:, 0], hi[:, 0], lo[:, 0]])
                cy = np.concatenate([lo[:, 1], lo[:, 1], hi[:, 1], hi[:, 1]])
                ok &= shapely.contains_xy(item.outline, cx, cy).reshape(4, -1).all(axis=0)
            for i in np.flatnonzero(ok):
                if item.outline is not None and not item.outline.contains(
                        shapely.box(*np.minimum(lo[i], hi[i]), *np.maximum(lo[i], hi[i]))):
                    continue  # the corners are inside but an edge of the box crosses the outline
                at = boxes[i]
                t.set_text(text)
                t.set_fontsize(size)
                x, y = inv(ax_px + _NUDGES[i] * step)
                t.set_position((float(x), float(y)))
                break
            if at is not None:
                break
        if at is None:
            t.remove()
            dropped.append(item.key)
            continue
        placed[n_placed] = (at[0] - pad, at[1] - pad, at[2] + pad, at[3] + pad)
        n_placed += 1
        kept[item.key] = t
    return kept, tuple(dropped)


def _affine_pair(ax: Axes) -> tuple[Any, Any]:
    """Data -> pixels and back for *ax*, as functions of (..., 2) arrays.

    On linear axes (all of ours) ``transData`` is affine: its matrix, taken once, maps points
    with one numpy product instead of a walk of the transform tree per call.
    """
    trans = ax.transData
    if ax.get_xscale() != "linear" or ax.get_yscale() != "linear":  # pragma: no cover - not drawn here
        inv = trans.inverted()
        return trans.transform, inv.transform
    m = trans.get_affine().get_matrix()
    mi = np.linalg.inv(m)
    a, b = m[:2, :2].T.copy(), m[:2, 2].copy()
    ai, bi = mi[:2, :2].T.copy(), mi[:2, 2].copy()
    return (lambda xy: xy @ a + b), (lambda xy: xy @ ai + bi)


def _outline_for_labels(template: Any, view: str, side: str) -> Any:
    poly = template.outline(view, side=side).buffer(-0.8)
    shapely.prepare(poly)
    return poly


# ---------------------------------------------------------------------------- dermatome data
def _grades(atlas: Atlas, region: str, dermatome_map: str) -> dict[str, str]:
    """Root -> grade (primary, overlap, variable) of one region in one layer, cranial first."""
    return atlas.dermatome_grades(region, dermatome_map)


def _dermatome_style(grades: Mapping[str, str]) -> tuple[str, tuple[str, str] | None, str, str]:
    """Face colour, (hatch, hatch colour) or None, label text and grade of one region.

    The face takes the root of highest grade (the most cranial on a tie); a second root is
    laid over it as a hatch in its own colour: stripes where the map draws a border between
    the roots (``overlap``), dots where it leaves the area unresolved (``variable``).
    """
    if not grades:
        return UNASSIGNED_COLOR, None, "", "none"
    rank = {"primary": 0, "overlap": 1, "variable": 2}
    roots = sorted(grades, key=lambda r: (rank.get(grades[r], 3), ROOT_IDS.index(r) if r in ROOT_IDS else 99))
    face = _root_color(roots[0])
    if len(roots) == 1:
        return face, None, roots[0], grades[roots[0]]
    second = roots[1]
    grade = "variable" if "variable" in grades.values() else "overlap"
    ordered = [r for r in ROOT_IDS if r in grades]
    label = "/".join(ordered) + ("?" if grade == "variable" else "")
    return face, (GRADE_HATCH[grade], _root_color(second)), label, grade


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if text else ""


# ---------------------------------------------------------------------------- plot_dermatomes
def plot_dermatomes(atlas: Atlas | None = None, *, dermatome_map: str | None = None, side: str = "right",
                    views: str | Sequence[str] | None = None, fig: Figure | None = None, legend: bool = True,
                    labels: bool = True, layout: str = "foot", **kwargs: Any) -> AtlasDisplay:
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
    ValueError
        An unknown side, view or layout. :class:`~neuromap.UnknownNameError` for an unknown layer.

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
    >>> import neuromap
    >>> from neuromap.plotting import plot_dermatomes
    >>> display = plot_dermatomes(neuromap.load_atlas(), side="left")  # doctest: +SKIP
    >>> display.patches["first_web_space"].get_facecolor()  # doctest: +SKIP
    (0.337..., 0.705..., 0.913..., 1.0)
    >>> display.savefig("dermatomes.png", dpi=150)  # doctest: +SKIP

    The lower limb, with the foot as an inset:

    >>> limb = plot_dermatomes(layout="limb")  # doctest: +SKIP
    >>> sorted(limb.axes)  # doctest: +SKIP
    ['anterior', 'dorsal', 'plantar', 'posterior', 'saddle']
    >>> limb.patches["anterior_knee"].view  # doctest: +SKIP
    'anterior'
    """
    _check_option("side", side, SIDES)
    src = _atlas(atlas)
    t = src.template
    vs = _layout_views(t, layout, views)
    m = src.check_map(dermatome_map)
    info = src.dermatome_map_info(m)
    points = info["kind"] == "points"
    limb = layout == "limb"
    frame = _make_frame(t, [_Block(None, side, vs)], mode="limb" if limb else "row", fig=fig,
                        right_in=1.9 if legend else 0.1, top_in=0.45, bottom_in=0.4,
                        mm_per_inch=_LIMB_MM_PER_INCH if limb else _MM_PER_INCH)
    if limb:
        _frame_insets(frame, t)
    patches: dict[Any, RegionPatch] = {}
    items: list[_Label] = []
    roots_used: set[str] = set()
    grades_used: set[str] = set()
    outlines = {k: _outline_for_labels(t, frame.views[k], side) for k in frame.axes}
    for key, ax in frame.axes.items():
        v = frame.views[key]
        faces, hatches = [], {}
        for r in t.regions(v):
            gr = {} if points else _grades(src, r, m)
            face, hatch, label, grade = _dermatome_style(gr)
            faces.append(face)
            roots_used.update(gr)
            if hatch:
                hatches[r] = hatch
                grades_used.add(grade)
            if labels and label:
                items.append(_Label(r, ax, label, t.anchor(r, side=side), t.polygon(r).area,
                                    outlines[key], color=_text_color(face)))
        pc, ps = _draw_regions(ax, t, v, side, faces, hatches)
        if kwargs:
            pc.set(**kwargs)
        patches.update(ps)
        _view_title(ax, _view_name(src, v))
    if points:
        kp_items = _draw_key_points(src, frame, side, outlines)
        items.extend(kp_items)
        roots_used.update(kp["root"] for kp in src.data.dermatomes.get("key_points", []))
    if limb:
        _unclip(frame)
    kept, dropped = _place_labels(frame.fig, items)
    title = frame.fig.text(0.012, 1 - 0.12 / frame.fig.get_size_inches()[1], f"Dermatomes of the {side} "
                           f"{_surface_word(vs)} — "
                           f"{info['label']}", ha="left", va="top", fontsize=12, fontweight="bold")
    colors = {r: _root_color(r) for r in ROOT_IDS if r in roots_used}
    leg = None
    if legend:
        handles = [Patch(facecolor=c, edgecolor=_OUTLINE, linewidth=0.6, label=r) for r, c in colors.items()]
        if points:
            handles = [_marker_handle(c, f"{r} key point") for r, c in colors.items()]
            handles.append(Patch(facecolor=UNASSIGNED_COLOR, edgecolor=_OUTLINE, linewidth=0.6,
                                 label="no area in this layer"))
        for grade in ("overlap", "variable"):
            if grade in grades_used:
                text = ("overlap: border of two roots\n(stripes: second root)" if grade == "overlap"
                        else "variable / unresolved\n(dots: second root; label ?)")
                handles.append(_hatch_handle(GRADE_HATCH[grade], text))
        if not points and any(f == UNASSIGNED_COLOR for f in _faces(patches)):
            handles.append(Patch(facecolor=UNASSIGNED_COLOR, edgecolor=_OUTLINE, linewidth=0.6,
                                 label="no root in this layer"))
        leg = _legend(frame, handles, "Root" if not points else "ISNCSCI", dots=True)
    note = (f"Layer: {info['label']} ({info['kind']}; encoding confidence {info.get('confidence', 'n/a')}). "
            f"Maps disagree on the {'foot' if not limb else 'limb'}; compare layers with plot_map_comparison.")
    foot = frame.fig.text(0.012, 0.18 / frame.fig.get_size_inches()[1], note, ha="left", va="bottom", fontsize=7,
                          color="#444444")
    return AtlasDisplay(frame.fig, frame.axes, patches, leg, kept, dropped_labels=dropped, colors=colors,
                        title=title, footnote=foot, dermatome_maps=(m,), disagreements=())


def _faces(patches: Mapping[Any, RegionPatch]) -> list[str]:
    return [mcolors.to_hex(p.get_facecolor()).upper() for p in patches.values()]


def _view_name(atlas: Atlas, view: str) -> str:
    del atlas
    return f"{view.capitalize()} view"


def _marker_handle(color: str, label: str) -> Any:
    return Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor=color,
                  markeredgecolor=_OUTLINE, label=label)


def _hatch_handle(hatch: str, label: str, *, face: str = "white") -> Patch:
    h = Patch(facecolor=face, edgecolor=_OUTLINE, linewidth=0.6, hatch=hatch, label=label)
    h.set_hatchcolor("#555555")
    return h


def _legend_handler_map(handles: Sequence[Any]) -> dict[Any, Any]:
    """Legend handlers of the handles whose hatch the map draws as dots: draw them as dots too."""
    dots = [h for h in handles if isinstance(h, Patch) and h.get_hatch() == GRADE_HATCH["variable"]]
    return {h: _HandlerDots() for h in dots}


class _HandlerDots(HandlerPatch):
    """A dotted legend key: the patch without its hatch, and the dots of :func:`_draw_dots` on it."""

    def create_artists(self, legend: Any, orig_handle: Any, xdescent: float, ydescent: float, width: float,
                       height: float, fontsize: float, trans: Any) -> list[Any]:
        rect = Rectangle((-xdescent, -ydescent), width, height)
        self.update_prop(rect, orig_handle, legend)
        rect.set_hatch(None)  # type: ignore[arg-type]  # None (no hatch) is accepted; the stub says str
        rect.set_transform(trans)
        # the lattice of _draw_dots in points (the units of the handle box), centred in the key and
        # a dot's radius (and the edge) inside it
        step = _DOT_STEP_IN * 72.0
        r = _DOT_SIZE_PT / 2 + 0.6
        nx, ny = (int((size - 2 * r) // step) + 1 for size in (width, height))
        gx, gy = np.meshgrid(np.arange(nx), np.arange(ny))
        xs = ((gx + 0.5 * (gy % 2)) * step + (width - (nx - 1) * step) / 2).ravel()
        ys = (gy * step + (height - (ny - 1) * step) / 2).ravel()
        keep = xs <= width - r
        dots = Line2D(xs[keep] - xdescent, ys[keep] - ydescent, linestyle="none", marker="o",
                      markersize=_DOT_SIZE_PT, markeredgewidth=0.0, markerfacecolor=orig_handle.get_hatchcolor(),
                      transform=trans)
        return [rect, dots]


def _surface_word(views: Sequence[str]) -> str:
    """'foot' when only foot views are drawn, else 'lower limb'."""
    return "foot" if all(v in VIEWS for v in views) else "lower limb"


def _legend(frame: _Frame, handles: Sequence[Any], title: str, *, y: float | None = None,
            dots: bool = False) -> Legend:
    """The legend at the right of the views; with *dots*, dotted keys drawn as the map draws them (markers)."""
    leg = frame.fig.legend(handles=list(handles), loc="upper left", bbox_to_anchor=(frame.right, y or frame.top),
                           fontsize=7.5, title=title, title_fontsize=8.5, frameon=False, handlelength=1.6,
                           handleheight=1.2, labelspacing=0.55, alignment="left",
                           handler_map=_legend_handler_map(handles) if dots else None)
    return leg


def _draw_key_points(atlas: Atlas, frame: _Frame, side: str, outlines: Mapping[Any, Any]) -> list[_Label]:
    t = atlas.template
    items = []
    for kp in atlas.data.dermatomes.get("key_points", []):
        region = kp["region"]
        view = t.view_of(region)
        for key, ax in frame.axes.items():
            if frame.views[key] != view:
                continue
            x, y = t.anchor(region, side=side)
            ax.plot([x], [y], marker="o", markersize=9, markerfacecolor=_root_color(kp["root"]),
                    markeredgecolor=_OUTLINE, markeredgewidth=1.0, zorder=4, linestyle="none")
            lx, ly = _label_offset(t, view, side, (x, y))
            items.append(_Label(region, ax, kp["root"], (lx, ly), 10.0 ** 6, outlines[key], halo=True))
    return items


def _label_offset(t: Any, view: str, side: str, xy: tuple[float, float]) -> tuple[float, float]:
    """A point 11 mm from *xy*, toward the inside of the view, for a marker's label."""
    x, y = xy
    c = t.outline(view, side=side).centroid
    d = np.array([c.x - x, c.y - y])
    n = float(np.hypot(*d)) or 1.0
    return (x + 11 * d[0] / n, y + 11 * d[1] / n)


# ---------------------------------------------------------------------------- nerve territories
def _primary_suppliers(atlas: Atlas, region: str) -> list[str]:
    out = [u for u in atlas.predecessors(region)
           if atlas.edge(u, region)["relation"] == "supplies" and atlas.edge(u, region).get("role") == "primary"]
    return sorted(out, key=lambda n: len(atlas.chain(n)), reverse=True)


def _abbrev(label: str, taken: set[str]) -> str:
    words = [w for w in label.replace("-", " ").split()
             if w.lower() not in ("nerve", "of", "the") and not w.startswith("(")]
    cand = "".join(w[0] for w in words).upper() if len(words) > 1 else words[0][:3].capitalize()
    base, i = cand, 2
    while cand in taken:
        cand = f"{base}{i}"
        i += 1
    taken.add(cand)
    return cand


def plot_nerve_territories(atlas: Atlas | None = None, *, side: str = "right",
                           views: str | Sequence[str] | None = None, fig: Figure | None = None,
                           legend: bool = True, labels: bool = True, layout: str = "foot",
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
    ValueError
        An unknown side or view.

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
    >>> display = plot_nerve_territories(side="right")  # doctest: +SKIP
    >>> display.colors["deep_fibular"]  # doctest: +SKIP
    '#...'
    >>> limb = plot_nerve_territories(layout="limb")  # doctest: +SKIP
    >>> limb.colors["deep_fibular"] == display.colors["deep_fibular"]  # doctest: +SKIP
    True
    """
    atlas = _atlas(atlas)
    _check_option("side", side, SIDES)
    t = atlas.template
    vs = _layout_views(t, layout, views)
    limb = layout == "limb"
    # the nerves of the drawn views only, so that the foot figure keeps its colours
    suppliers = {r: _primary_suppliers(atlas, r) for v in vs for r in t.regions(v)}
    nerves = [n for n in atlas.ids("nerve") if any(n in s for s in suppliers.values())]
    colors = _nerve_colors(atlas, nerves, vs)
    taken: set[str] = set()
    abbr = {n: _abbrev(atlas.node(n)["label"], taken) for n in nerves}
    frame = _make_frame(t, [_Block(None, side, vs)], mode="limb" if limb else "row", fig=fig,
                        right_in=(3.3 if limb else 2.6) if legend else 0.1, top_in=0.45, bottom_in=0.4,
                        mm_per_inch=_LIMB_MM_PER_INCH if limb else _MM_PER_INCH)
    if limb:
        _frame_insets(frame, t)
    patches: dict[Any, RegionPatch] = {}
    items: list[_Label] = []
    used: list[str] = []
    shared = False
    for key, ax in frame.axes.items():
        v = frame.views[key]
        outline = _outline_for_labels(t, v, side)
        faces, hatches = [], {}
        for r in t.regions(v):
            s = suppliers[r]
            face = colors[s[0]] if s else UNASSIGNED_COLOR
            faces.append(face)
            used.extend(x for x in s if x not in used)
            if len(s) > 1:
                hatches[r] = (GRADE_HATCH["overlap"], colors[s[1]])
                shared = True
            if labels and s:
                items.append(_Label(r, ax, "/".join(abbr[x] for x in s[:2]), t.anchor(r, side=side),
                                    t.polygon(r).area, outline, color=_text_color(face), size=7.0))
        pc, ps = _draw_regions(ax, t, v, side, faces, hatches)
        if kwargs:
            pc.set(**kwargs)
        patches.update(ps)
        _view_title(ax, _view_name(atlas, v))
    if limb:
        _unclip(frame)
    kept, dropped = _place_labels(frame.fig, items)
    fh = frame.fig.get_size_inches()[1]
    title = frame.fig.text(0.012, 1 - 0.12 / fh, f"Cutaneous nerve territories of the {side} {_surface_word(vs)}",
                           ha="left", va="top", fontsize=12, fontweight="bold")
    shown = {n: colors[n] for n in nerves if n in used}
    leg = None
    if legend:
        handles: list[Any] = [Patch(facecolor=c, edgecolor=_OUTLINE, linewidth=0.6,
                                    label=f"{abbr[n]}  {atlas.node(n)['label']}") for n, c in shown.items()]
        if shared:
            handles.append(_hatch_handle(GRADE_HATCH["overlap"], "two primary nerves\n(stripes: second nerve)"))
        leg = _legend(frame, handles, "Nerve (most specific branch)")
    foot = frame.fig.text(0.012, 0.18 / fh, "Primary suppliers from regions.json; documented variants not drawn.",
                          ha="left", va="bottom", fontsize=7, color="#444444")
    return AtlasDisplay(frame.fig, frame.axes, patches, leg, kept, dropped_labels=dropped, colors=shown,
                        title=title, footnote=foot, dermatome_maps=(), disagreements=())


# ---------------------------------------------------------------------------- map comparison
def _signature(grades: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(sorted(grades))


def plot_map_comparison(atlas: Atlas | None = None, *, maps: Sequence[str] | None = None, side: str = "right",
                        views: str | Sequence[str] | None = None, fig: Figure | None = None, legend: bool = True,
                        labels: bool = True, layout: str = "foot") -> AtlasDisplay:
    """Draw two or more dermatome layers side by side and mark the regions where they differ.

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
    legend : bool
        Whether to draw the legend.
    labels : bool
        Whether to write the roots in each region.
    layout : {"foot", "limb"}
        ``"foot"``: the foot's views. ``"limb"``: the lower limb from the front and from behind at
        one scale, the saddle small beside them and the foot's views as an enlarged, framed inset
        near the foot end of the limb.

    Returns
    -------
    AtlasDisplay
        ``axes`` and ``patches`` are keyed by ``(map, view)`` and ``(map, region)``;
        ``disagreements`` lists the regions where the area layers assign different sets of
        roots (outlined with a thick dashed line and listed under the figure).

    Raises
    ------
    ValueError
        Fewer than two layers, an unknown side or view.

    Notes
    -----
    Colours and hatches are those of :func:`plot_dermatomes`. The documented reasons for each
    disagreement are in ``dermatomes.json`` ("disagreements").

    Examples
    --------
    >>> from neuromap.plotting import plot_map_comparison
    >>> display = plot_map_comparison(maps=["lee_2008", "keegan_garrett_1948"])  # doctest: +SKIP
    >>> "hallux_dorsal" in display.disagreements  # doctest: +SKIP
    True
    >>> limb = plot_map_comparison(maps=["lee_2008", "foerster_1933"], layout="limb")  # doctest: +SKIP
    """
    atlas = _atlas(atlas)
    _check_option("side", side, SIDES)
    t = atlas.template
    vs = _layout_views(t, layout, views)
    limb = layout == "limb"
    if maps is None:
        ms = [m for m in atlas.dermatome_maps if atlas.dermatome_map_info(m)["kind"] == "areas"]
    else:
        ms = list(dict.fromkeys(atlas.check_map(m, field="maps") for m in maps))
    if len(ms) < 2:
        raise ValueError(f"Invalid value for 'maps': give at least two dermatome layers, but got {ms!r}.")
    infos = {m: atlas.dermatome_map_info(m) for m in ms}
    area_maps = [m for m in ms if infos[m]["kind"] == "areas"]
    grades = {(m, r): _grades(atlas, r, m) for m in area_maps for r in t.regions()}
    differ = tuple(r for r in t.regions() if any(v in vs for v in (t.view_of(r),))
                   and len({_signature(grades[(m, r)]) for m in area_maps}) > 1)
    blocks = [_Block(m, side, vs, title=_wrap(str(infos[m]["label"]), 34), col=i) for i, m in enumerate(ms)]
    frame = _make_frame(t, blocks, mode="limb" if limb else "column", fig=fig, right_in=1.9 if legend else 0.1,
                        top_in=0.45, bottom_in=0.8, mm_per_inch=160.0 if limb else 105.0,
                        key=lambda b, v: (b.key, v))
    if limb:
        _frame_insets(frame, t)
    fig_ = frame.fig
    fw, fh = fig_.get_size_inches()
    patches: dict[Any, RegionPatch] = {}
    items: list[_Label] = []
    roots_used: set[str] = set()
    grades_used: set[str] = set()
    outlines = {k: _outline_for_labels(t, frame.views[k], side) for k in frame.axes}
    for key, ax in frame.axes.items():
        m, v = key
        pts = infos[m]["kind"] == "points"
        faces, hatches = [], {}
        for r in t.regions(v):
            gr = {} if pts else grades[(m, r)]
            face, hatch, label, grade = _dermatome_style(gr)
            faces.append(face)
            roots_used.update(gr)
            if hatch:
                hatches[r] = hatch
                grades_used.add(grade)
            if labels and label:
                items.append(_Label((m, r), ax, label, t.anchor(r, side=side), t.polygon(r).area, outlines[key],
                                    color=_text_color(face), size=6.5))
        _, ps = _draw_regions(ax, t, v, side, faces, hatches)
        patches.update({(m, r): p for r, p in ps.items()})
        marked = [shapely.get_coordinates(t.polygon(r, side=side).exterior) for r in t.regions(v) if r in differ]
        if marked and not pts:
            dc = PolyCollection(marked, facecolors="none", edgecolors="black", linewidths=1.6,
                                linestyles=(0, (3, 1.5)), zorder=1.5)
            ax.add_collection(dc, autolim=False)
        ax.set_title(v.capitalize(), fontsize=7, color="#333333", pad=2, y=1.0)
    for b in blocks:
        x0, _, x1, y1 = _block_box(frame, b)
        fig_.text((x0 + x1) / 2, y1 + 0.2 / fh, b.title or "", ha="center", va="bottom", fontsize=8.5,
                  fontweight="bold")
    for m in ms:
        if infos[m]["kind"] == "points":
            sub = _Frame(fig_, {k: a for k, a in frame.axes.items() if k[0] == m}, {}, dict(frame.views), {},
                         frame.right, frame.top, frame.bottom)
            items.extend(_draw_key_points(atlas, sub, side, outlines))
            roots_used.update(kp["root"] for kp in atlas.data.dermatomes.get("key_points", []))
    if limb:
        _unclip(frame)
    kept, dropped = _place_labels(fig_, items)
    title = fig_.text(0.012, 1 - 0.1 / fh, f"Dermatome layers compared — {side} {_surface_word(vs)}", ha="left",
                      va="top", fontsize=12, fontweight="bold")
    colors = {r: _root_color(r) for r in ROOT_IDS if r in roots_used}
    leg = None
    if legend:
        handles: list[Any] = [Patch(facecolor=c, edgecolor=_OUTLINE, linewidth=0.6, label=r)
                              for r, c in colors.items()]
        for grade in ("overlap", "variable"):
            if grade in grades_used:
                handles.append(_hatch_handle(GRADE_HATCH[grade], "overlap (stripes)" if grade == "overlap"
                                             else "variable (dots, ?)"))
        handles.append(Patch(facecolor="white", edgecolor="black", linewidth=1.6, linestyle=(0, (3, 1.5)),
                             label="layers disagree"))
        leg = _legend(frame, handles, "Root", dots=True)
    names = ", ".join(str(atlas.node(r)["label"]) for r in differ) or "none"
    listing = _wrap(f"Layers disagree on {len(differ)} region(s): {names}.", int(fw * 15))
    foot = fig_.text(0.012, 0.1 / fh, listing, ha="left", va="bottom", fontsize=7, color="#222222")
    return AtlasDisplay(fig_, frame.axes, patches, leg, kept, dropped_labels=dropped, colors=colors, title=title,
                        footnote=foot, dermatome_maps=tuple(ms), disagreements=differ)


# ---------------------------------------------------------------------------- localization
def _territory(atlas: Atlas, h: Hypothesis, dermatome_map: str) -> Mapping[str, float]:
    from neuromap.inference.candidates import candidates

    for c in candidates(atlas, dermatome_map):
        if c.kind == h.kind and c.id == h.id and (c.site == h.site or h.site is None):
            return c.territory.regions
    if h.kind in ("root", "roots", "cauda_equina"):
        acc: dict[str, float] = {}
        for lv in h.levels:
            for r, w in atlas.regions_for(lv, dermatome_map=dermatome_map).items():
                acc[r] = max(acc.get(r, 0.0), w)
        return acc
    if h.nerve:
        return atlas.nerve_territory(h.nerve, h.site).regions
    return {}


def plot_localization(result: Localization, *, top: int = 3, side: str | None = None,
                      views: str | Sequence[str] | None = None, fig: Figure | None = None,
                      atlas: Atlas | None = None, labels: bool = True, layout: str = "foot") -> CaseDisplay:
    """Draw a case on the foot: the reported areas against the territory of each leading hypothesis.

    One row per hypothesis (best first), each showing the views of the foot with the reported
    areas hatched by modality and that hypothesis's territory shaded in its colour.

    Parameters
    ----------
    result : Localization
        What :func:`neuromap.localize` returned.
    top : int
        How many hypotheses to draw (best first), one row each.
    side : {"right", "left"}, optional
        Which foot to draw; the case's side by default, both feet (side by side) for a
        bilateral case.
    views : str or sequence of str, optional
        The views to draw; the layout's views if None.
    fig : matplotlib.figure.Figure, optional
        Draw into this (empty) figure; a new standalone figure if None.
    atlas : Atlas, optional
        The atlas the result was computed with; the bundled one by default.
    labels : bool
        Whether to write each hypothesis's rank in the region of its territory it involves most.
    layout : {"foot", "limb"}
        ``"foot"``: each row shows the foot's views. ``"limb"``: each row shows the lower limb
        (anterior, posterior, saddle) with the foot as a framed inset, for findings on the
        thigh, leg or saddle.

    Returns
    -------
    CaseDisplay
        ``axes`` is keyed by ``(hypothesis id, side, view)`` and ``patches`` by
        ``(hypothesis id, side, region)``; ``annotations`` maps each hypothesis id to the row
        title naming it; ``red_flag_texts`` and ``footnote`` hold the statements.

    Raises
    ------
    ValueError
        An unknown side, view or layout, or ``top`` < 1.

    Notes
    -----
    Reported abnormal regions and drawings are outlined in black and hatched by modality
    (:data:`MODALITY_HATCH`); regions examined normal are outlined with a dotted line. A
    hypothesis shades its territory in its own colour; the opacity grows with its score
    (relative to the best) and with how strongly the territory involves each region. Red flags
    are written in red at the top; the footnote names the dermatome layer. Scores rank
    hypotheses; they are not probabilities. neuromap is decision support, not a diagnosis.

    Examples
    --------
    >>> import neuromap
    >>> result = neuromap.localize({"side": "right",
    ...     "sensory": [{"regions": ["first web space"], "modality": "numbness"}],
    ...     "motor": [{"name": "great toe extension", "grade": 4}]})
    >>> display = result.plot(top=2)  # doctest: +SKIP
    >>> list(display.annotations)  # doctest: +SKIP
    ['deep_fibular', 'L5']

    A saddle case on the lower limb:

    >>> ces = neuromap.localize({"side": "both", "sensory": [
    ...     {"regions": ["perianal"], "modality": "numbness"}]})  # doctest: +SKIP
    >>> display = ces.plot(top=1, layout="limb")  # doctest: +SKIP
    """
    atlas = _atlas(atlas)
    t = atlas.template
    vs = _layout_views(t, layout, views)
    limb = layout == "limb"
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"Invalid value for 'top': must be an integer >= 1, but got {top!r}.")
    if side is not None:
        _check_option("side", side, SIDES)
        sides: tuple[str, ...] = (side,)
    else:
        sides = (result.case_side,) if result.case_side in SIDES else ("left", "right")
    m = result.dermatome_map.get("id") or atlas.default_dermatome_map
    hyps = tuple(result.hypotheses[:top])
    rows: list[Hypothesis | None] = list(hyps) if hyps else [None]
    flags = [str(r.get("message", r)) for r in result.red_flags]
    flag_lines = [_wrap("RED FLAG: " + f, 80 if limb and len(sides) == 1 else 125) for f in flags]
    flag_h = sum(0.15 * (fl.count("\n") + 1) + 0.06 for fl in flag_lines)
    best = hyps[0].score if hyps and hyps[0].score > 0 else 1.0
    hcolors = {h.id: _HYPOTHESIS_COLORS[i % len(_HYPOTHESIS_COLORS)] for i, h in enumerate(hyps)}
    titles: dict[str | None, str] = {}
    for rank, h in enumerate(rows, 1):
        if h is None:
            titles[None] = "No finding could be scored: reported areas only"
        else:
            titles[h.id] = f"{rank}. {h.label} — score {h.score:.2f}"
    blocks = [_Block(h.id if h else None, s, vs, title=(titles[h.id if h else None] if j == 0 else " "), row=i, col=j)
              for i, h in enumerate(rows) for j, s in enumerate(sides)]
    frame = _make_frame(t, blocks, mode="limb" if limb else "row", fig=fig, right_in=2.2,
                        top_in=0.45 + flag_h + (0.12 if limb else 0.0),
                        bottom_in=0.5, mm_per_inch=150.0 if limb else 100.0, key=lambda b, v: (b.key, b.side, v))
    if limb:
        _frame_insets(frame, t)
    fg = frame.fig
    fw, fh = fg.get_size_inches()
    territories = {h.id: _territory(atlas, h, m) for h in hyps}
    abnormal: dict[tuple[str, str], str | None] = {}
    normal: set[tuple[str, str]] = set()
    for f in result.findings:
        if f.kind == "region" and not f.field.endswith(".drawing"):
            if f.abnormal:
                abnormal[(f.side, f.target)] = f.modality
            else:
                normal.add((f.side, f.target))
    patches: dict[Any, RegionPatch] = {}
    symptom: dict[Any, Any] = {}
    terr_patches: dict[str, list[PolyCollection]] = {h.id: [] for h in hyps}
    modalities: set[str] = set()
    items: list[_Label] = []
    best_region: dict[Any, tuple[float, float, Any, str]] = {}
    for key, ax in frame.axes.items():
        hid, s, v = key
        h = next((x for x in hyps if x.id == hid), None)
        regions = t.regions(v)
        verts = _region_paths(t, v, s)
        terr = territories.get(hid, {}) if h is not None else {}
        faces = ["#F5F5F5"] * len(regions)
        if h is not None:
            base = 0.25 + 0.6 * max(0.0, h.score) / best
            for i, r in enumerate(regions):
                w = terr.get(r, 0.0)
                if w > 0:
                    faces[i] = mcolors.to_hex(_blend(hcolors[hid], base * (0.35 + 0.65 * w)))
                    cand = (w, t.polygon(r).area)
                    if hid not in best_region or cand > best_region[hid][:2]:
                        best_region[hid] = (*cand, key, r)
        pc = PolyCollection(verts, facecolors=faces, edgecolors="white", linewidths=0.7, zorder=1)
        ax.add_collection(pc, autolim=False)
        for i, r in enumerate(regions):
            patches[(hid, s, r)] = RegionPatch(r, v, pc, i)
        if h is not None:
            idx = [i for i, r in enumerate(regions) if terr.get(r, 0.0) > 0]
            if idx:
                union = shapely.union_all([t.polygon(regions[i], side=s) for i in idx])
                rings = [shapely.get_coordinates(p.exterior) for p in getattr(union, "geoms", [union])]
                ec = PolyCollection(rings, facecolors="none", edgecolors=hcolors[hid], linewidths=1.5, zorder=2.2)
                ax.add_collection(ec, autolim=False)
                terr_patches[hid].extend((pc, ec))
        by_mod: dict[str | None, list[int]] = {}
        for i, r in enumerate(regions):
            if (s, r) in abnormal:
                by_mod.setdefault(abnormal[(s, r)], []).append(i)
        for mod, idx in by_mod.items():
            sc = PolyCollection([verts[i] for i in idx], facecolors="none", edgecolors="black", linewidths=1.1,
                                hatch=MODALITY_HATCH.get(mod or "", "///"), zorder=3)
            sc.set_hatchcolor("#1A1A1A")
            sc.set_hatch_linewidth(0.7)
            ax.add_collection(sc, autolim=False)
            modalities.add(mod or "abnormal")
            for i in idx:
                symptom[(hid, s, regions[i])] = sc
        nidx = [i for i, r in enumerate(regions) if (s, r) in normal]
        if nidx:
            nc = PolyCollection([verts[i] for i in nidx], facecolors="none", edgecolors="#444444", linewidths=1.0,
                                linestyles=":", zorder=3)
            ax.add_collection(nc, autolim=False)
        for d in result.drawings:
            if d.get("view") != v or s not in d.get("sides", [s]):
                continue
            _draw_drawing(ax, d)
            modalities.add(d.get("modality") or "abnormal")
        _draw_outline(ax, t, v, s, zorder=3.5)
        _view_title(ax, v.capitalize() + (f" ({s})" if len(sides) > 1 else ""))
    if labels:
        for rank, h in enumerate(hyps, 1):
            if h.id in best_region:
                _, _, k, r = best_region[h.id]
                items.append(_Label(("rank", h.id), frame.axes[k], str(rank), t.anchor(r, side=frame.sides[k]),
                                    10.0 - rank, _outline_for_labels(t, frame.views[k], frame.sides[k]),
                                    color="black", size=10.0, halo=True))
    if limb:
        _unclip(frame)
    kept, dropped = _place_labels(fg, items)
    annotations: dict[str, Text] = {}
    for b in blocks:
        if b.col != 0:
            continue
        x0, _, _, y1 = _block_box(frame, b)
        row_keys = [k for k in frame.axes if k[0] == b.key]
        top_y = max(frame.axes[k].get_position().y1 for k in row_keys)
        txt = fg.text(x0, max(y1, top_y) + 0.22 / fh, b.title or "", ha="left", va="bottom", fontsize=9.5,
                      fontweight="bold", color=hcolors.get(b.key, "#222222") if b.key else "#222222")
        h = next((x for x in hyps if x.id == b.key), None)
        if h is not None:
            annotations[b.key] = txt
            x1 = txt.get_window_extent(_renderer(fg)).x1 / fg.bbox.width
            fg.text(x1 + 0.08 / fw, max(y1, top_y) + 0.22 / fh, f"explains {len(h.explains)}, unexplained "
                    f"{len(h.unexplained)}, contradicts {len(h.contradicts)}", ha="left", va="bottom", fontsize=8,
                    color="#555555")
    if limb:
        case_words = f"{result.case_side} lower limb" if result.case_side in SIDES else "both lower limbs"
    else:
        case_words = f"{result.case_side} foot" if result.case_side in SIDES else "both feet"
    title_txt = f"Case ({case_words}): " + (f"{hyps[0].label} leads" if hyps else "no scored finding")
    title = fg.text(0.012, 1 - 0.08 / fh, title_txt, ha="left", va="top", fontsize=12, fontweight="bold")
    red: list[Text] = []
    y = 1 - 0.4 / fh
    for fl in flag_lines:
        red.append(fg.text(0.012, y, fl, ha="left", va="top", fontsize=8.5, fontweight="bold", color="#C00000"))
        y -= (0.15 * (fl.count("\n") + 1) + 0.06) / fh
    handles: list[Any] = []
    for rank, h in enumerate(hyps, 1):
        handles.append(Patch(facecolor=_blend(hcolors[h.id], 0.25 + 0.6 * max(0.0, h.score) / best),
                             edgecolor=hcolors[h.id], linewidth=1.5, label=_wrap(f"{rank}. {h.label}", 26)))
    for mod in ("numbness", "tingling", "pain", "burning", "hypersensitivity", "abnormal"):
        if mod in modalities:
            h2 = Patch(facecolor="white", edgecolor="black", linewidth=1.1, hatch=MODALITY_HATCH.get(mod, "///"),
                       label=f"reported {mod}")
            h2.set_hatchcolor("#1A1A1A")
            handles.append(h2)
    if normal:
        handles.append(Patch(facecolor="white", edgecolor="#444444", linestyle=":", linewidth=1.0,
                             label="examined normal"))
    leg = _legend(frame, handles, "Territory (shade: score)") if handles else None
    label = result.dermatome_map.get("label") or m
    note = f"Dermatome map: {label}. Scores rank hypotheses; they are not probabilities. {_SAFETY}"
    foot = fg.text(0.012, 0.1 / fh, _wrap(note, int(fw * 15)), ha="left", va="bottom", fontsize=7.5,
                   color="#333333")
    return CaseDisplay(fg, frame.axes, patches, leg, kept, hypotheses=hyps, annotations=MappingProxyType(annotations),
                       territory_patches=MappingProxyType({k: tuple(v) for k, v in terr_patches.items()}),
                       symptom_patches=MappingProxyType(symptom), red_flag_texts=tuple(red), footnote=foot,
                       title=title, dropped_labels=dropped)


def _blend(color: str, alpha: float) -> tuple[float, float, float, float]:
    """*color* at opacity *alpha* over white, as an opaque RGBA (so overlaps never mix colours)."""
    r, g, b, _ = mcolors.to_rgba(color)
    a = min(1.0, max(0.0, alpha))
    return (1 - a + a * r, 1 - a + a * g, 1 - a + a * b, 1.0)


def _draw_drawing(ax: Axes, d: Mapping[str, Any]) -> None:
    hatch = MODALITY_HATCH.get(d.get("modality") or "", "///")
    rings: list[Any] = []
    if "polygon" in d:
        rings = [d["polygon"]]
    elif "polygons" in d:
        rings = list(d["polygons"])
    elif "geojson" in d:
        from neuromap.geometry import load_drawing_geojson

        g = load_drawing_geojson(d["geojson"])
        rings = [shapely.get_coordinates(p.exterior) for p in getattr(g, "geoms", [g])]
    elif "points" in d:
        pts = np.asarray(d["points"], dtype=float)
        ax.plot(pts[:, 0], pts[:, 1], linestyle="none", marker="x", color="black", markersize=6, zorder=4)
        return
    if rings:
        dc = PolyCollection([np.asarray(r, dtype=float) for r in rings], facecolors="none", edgecolors="black",
                            linewidths=1.3, linestyles="--", hatch=hatch, zorder=3.2)
        dc.set_hatchcolor("#222222")
        ax.add_collection(dc, autolim=False)


# ---------------------------------------------------------------------------- pathway
def plot_pathway(atlas: Atlas | None, source: str, target: str, *, ax: Axes | None = None,
                 dermatome_map: str | None = None) -> PathDisplay:
    """Draw the atlas path from a root (or nerve) to a region, muscle or reflex as a chain of boxes.

    Parameters
    ----------
    atlas : Atlas or None
        The atlas; the bundled one if None.
    source : str
        A root, plexus or nerve (any name the atlas resolves).
    target : str
        A region, muscle, movement or reflex.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; a new standalone figure if None.
    dermatome_map : str, optional
        The layer used when the only path is a dermatome edge.

    Returns
    -------
    PathDisplay
        Boxes by node id, the path and the relation of each arrow.

    Raises
    ------
    ValueError
        The source does not reach the target in the atlas. :class:`~neuromap.UnknownNameError`
        for a name the atlas does not know.

    Notes
    -----
    Labels and relations come from the graph (node ``label``, edge ``relation``), so the
    figure shows what :meth:`Atlas.path` uses, and nothing else.

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.plotting import plot_pathway
    >>> display = plot_pathway(neuromap.load_atlas(), "L5", "first_web_space")  # doctest: +SKIP
    >>> display.path  # doctest: +SKIP
    ('L5', 'lumbosacral_trunk', 'sacral_plexus', 'sciatic', 'common_fibular', 'deep_fibular', 'first_web_space')
    """
    atlas = _atlas(atlas)
    path = atlas.path(source, target, dermatome_map=dermatome_map)
    if not path:
        raise ValueError(f"Invalid value for 'target': {source!r} does not reach {target!r} in the atlas.")
    n = len(path)
    if ax is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = Figure(figsize=(max(4.0, 1.45 * n + 0.3), 1.9), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.01, 0.02, 0.98, 0.82), frameon=False)
    else:
        fig = ax.get_figure(root=True)  # type: ignore[assignment]
    ax.set_xlim(-0.55, n - 0.45)
    ax.set_ylim(-0.6, 0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    texts: dict[str, Text] = {}
    boxes: dict[str, Any] = {}
    for i, node in enumerate(path):
        attrs = atlas.node(node)
        kind = attrs["kind"]
        lab = _wrap(str(attrs["label"]), 14)
        txt = ax.text(i, 0, f"{lab}\n({kind})", ha="center", va="center", fontsize=7.5, zorder=3,
                      bbox={"boxstyle": "round,pad=0.35", "fc": _KIND_COLORS.get(kind, "#DDDDDD"),
                            "ec": _OUTLINE, "lw": 0.8})
        texts[node] = txt
        boxes[node] = txt.get_bbox_patch()
    relations = []
    for i, (u, v) in enumerate(zip(path, path[1:], strict=False)):
        rel = str(atlas.edge(u, v).get("relation", "")) if v in atlas.successors(u) else ""
        relations.append(rel)
        ax.annotate("", xy=(0, 0.5), xycoords=texts[v], xytext=(1, 0.5), textcoords=texts[u],
                    arrowprops={"arrowstyle": "-|>", "color": _OUTLINE, "lw": 1.0, "shrinkA": 2, "shrinkB": 2})
        ax.text(i + 0.5, 0.36, rel, ha="center", va="bottom", fontsize=7, style="italic", color="#444444")
    title = fig.text(0.01, 0.98, f"{atlas.node(path[0])['label']} → {atlas.node(path[-1])['label']}", ha="left",
                     va="top", fontsize=10, fontweight="bold")
    del title
    return PathDisplay(fig, {"path": ax}, boxes, None, texts, path=tuple(path), relations=tuple(relations))
