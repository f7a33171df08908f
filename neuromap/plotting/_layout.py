"""Where the views go: packing views in millimetres, the figure frame, the limb layout and its inset."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from neuromap.errors import InvalidArgumentError, InvalidTypeError, check_option
from neuromap.geometry import FOOT_VIEWS, LIMB_VIEWS, VIEWS

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

#: The layouts of the figures: ``"foot"`` (the foot's views), ``"limb"`` (the lower limb with
#: the foot as an enlarged, framed inset) and ``"saddle"`` (the saddle beside the sole and the
#: back of the foot, for findings of the lowest sacral roots).
LAYOUTS: tuple[str, ...] = ("foot", "limb", "saddle")
#: The views the ``"limb"`` layout draws by default: the limb from the front and from behind at
#: one scale, the saddle small beside them, and the foot's dorsal and plantar views as an inset.
LIMB_LAYOUT_VIEWS: tuple[str, ...] = ("anterior", "posterior", "saddle", "dorsal", "plantar")
#: The views the ``"saddle"`` layout draws by default: the saddle (S2-S5 and the coccygeal
#: segments) with the foot's plantar and dorsal views beside it (S1 and the roots above).
SADDLE_LAYOUT_VIEWS: tuple[str, ...] = ("saddle", "plantar", "dorsal")

#: Millimetres of template per inch of figure at the default scale.
MM_PER_INCH = 60.0
#: Millimetres of template per inch of an atlas figure in the limb layout.
LIMB_MM_PER_INCH = 115.0
GAP_MM = 22.0  # between views
TITLE_MM = 16.0  # above each view, for its title
FOOT_ZOOM = 1.6  # the foot inset, relative to the limb's scale
SADDLE_ZOOM = 1.25  # the saddle view, relative to the limb's scale
INSET_PAD_MM = 10.0  # inside the inset frame, at the limb's scale
INSET_HEAD_MM = 50.0  # above the inset's views, for their titles and the inset caption
INSET_HEAD_IN = 0.42  # the same in inches, as drawn (text does not scale with the layout)
MARGIN_IN = 0.15  # left and right of the views
VIEW_TITLE_IN = 0.24  # above each row of views, for the views' titles (9 pt and their pad)
BLOCK_TITLE_IN = 0.3  # above that, for the title of a block (a hypothesis, a layer)
ROW_GAP_IN = 0.08  # between rows of blocks

Box = tuple[float, float, float, float]  # (x, y, width, height)


def resolve_atlas(atlas: Atlas | None) -> Atlas:
    """*atlas*, or the bundled atlas if None."""
    if atlas is None:
        from neuromap.atlas import load_atlas

        return load_atlas()
    return atlas


def check_views(views: str | Iterable[str], available: Sequence[str]) -> tuple[str, ...]:
    """The views asked for, checked against *available*, without repeats."""
    out = (views,) if isinstance(views, str) else tuple(views)
    if not out:
        raise InvalidArgumentError("views", "give at least one view")
    for v in out:
        check_option("views", v, available)
    return tuple(dict.fromkeys(out))


def layout_views(template: Any, layout: str, views: str | Sequence[str] | None) -> tuple[str, ...]:
    """The views to draw: *views* if given, else those of the layout (checked against the template)."""
    check_option("layout", layout, LAYOUTS)
    if views is None:
        views = {"foot": VIEWS, "limb": LIMB_LAYOUT_VIEWS, "saddle": SADDLE_LAYOUT_VIEWS}[layout]
    return check_views(views, template.views)


def check_fig(fig: Any) -> None:
    """Refuse a *fig* that is not a matplotlib Figure (an Axes, a pyplot module, a size)."""
    if fig is not None and not isinstance(fig, Figure):
        hint = " (this figure has several panels: pass fig=ax.figure or no fig)" if isinstance(fig, Axes) else ""
        raise InvalidTypeError("fig", f"expected a matplotlib Figure, but got a {type(fig).__name__}{hint}")


def check_ax(ax: Any) -> None:
    """Refuse an *ax* that is not a matplotlib Axes."""
    if ax is not None and not isinstance(ax, Axes):
        raise InvalidTypeError("ax", f"expected a matplotlib Axes, but got a {type(ax).__name__}")


def surface_word(views: Sequence[str]) -> str:
    """'foot' when only foot views are drawn, 'saddle and foot' with the saddle beside them, else 'lower limb'."""
    if all(v in VIEWS for v in views):
        return "foot"
    if all(v in VIEWS or v == "saddle" for v in views):
        return "saddle and foot" if any(v in VIEWS for v in views) else "saddle"
    return "lower limb"


@dataclass(frozen=True)
class Block:
    """A group of views of one foot, laid out together (one map column or one side row)."""

    key: Any  # None, a map id or a hypothesis id
    side: str
    views: tuple[str, ...]
    title: str | None = None
    row: int = 0
    col: int = 0


def pack(template: Any, views: Sequence[str], side: str, mode: str) -> tuple[dict[str, Box], float, float]:
    """Place views in mm, returning ``({view: (x, y, w, h)}, width, height)``.

    ``row``: tall views side by side, wide views stacked at the right; ``column``: tall views
    side by side on top, wide views stacked below; ``limb``: see :func:`pack_limb`.
    """
    if mode == "limb":
        return pack_limb(template, views, side)
    sizes = {}
    for v in views:
        x0, y0, x1, y1 = template.bounds(v, side=side)
        sizes[v] = (x1 - x0, y1 - y0)
    tall = [v for v in views if sizes[v][1] >= sizes[v][0]]
    wide = [v for v in views if sizes[v][1] < sizes[v][0]]
    if mode == "row":
        return _pack_row(sizes, tall, wide)
    return _pack_column(sizes, tall, wide)


def _pack_row(sizes: Mapping[str, tuple[float, float]], tall: Sequence[str],
              wide: Sequence[str]) -> tuple[dict[str, Box], float, float]:
    """Tall views side by side, then the wide ones in columns of two, vertically centred."""
    pos: dict[str, Box] = {}
    x = 0.0
    height = 0.0
    for v in tall:
        w, h = sizes[v]
        pos[v] = (x, 0.0, w, h)
        x += w + GAP_MM
        height = max(height, h)
    col_w = 0.0
    for i in range(0, len(wide), 2):
        pair = wide[i:i + 2]
        y = 0.0
        for v in reversed(pair):  # first of the pair on top
            w, h = sizes[v]
            pos[v] = (x, y, w, h)
            y += h + TITLE_MM + 4
            col_w = max(col_w, w)
        height = max(height, y - TITLE_MM - 4)
        x += col_w + GAP_MM
    width = x - GAP_MM
    for v in tall:  # vertically centre the tall views against the wide column
        px, _, w, h = pos[v]
        pos[v] = (px, (height - h) / 2, w, h)
    return pos, width, height


def _pack_column(sizes: Mapping[str, tuple[float, float]], tall: Sequence[str],
                 wide: Sequence[str]) -> tuple[dict[str, Box], float, float]:
    """Tall views side by side on top, the wide ones stacked below, centred."""
    pos: dict[str, Box] = {}
    x = 0.0
    top_h = 0.0
    for v in tall:
        w, h = sizes[v]
        pos[v] = (x, 0.0, w, h)
        x += w + GAP_MM * 0.6
        top_h = max(top_h, h)
    width = max(x - GAP_MM * 0.6, max((sizes[v][0] for v in wide), default=0.0))
    y = 0.0
    below = []
    for v in wide:
        below.append((v, y))
        y += sizes[v][1] + TITLE_MM + 4
    wide_h = y - (TITLE_MM + 4) if wide else 0.0
    height = top_h + (wide_h + TITLE_MM + 4 if wide else 0.0)
    for v in tall:
        px, _, w, h = pos[v]
        pos[v] = (px + (width - (x - GAP_MM * 0.6)) / 2, height - h, w, h)
    for v, yy in below:
        w, h = sizes[v]
        pos[v] = ((width - w) / 2, wide_h - yy - h, w, h)
    return pos, width, height


def pack_limb(template: Any, views: Sequence[str], side: str) -> tuple[dict[str, Box], float, float]:
    """The limb layout in mm at the limb's scale: ``({view: (x, y, w, h)}, width, height)``.

    The anterior and posterior views side by side, aligned on height above the ground (the knees
    level); at their right a column with the saddle (top, :data:`SADDLE_ZOOM`) and the foot's
    views packed as in the foot layout, enlarged :data:`FOOT_ZOOM` times, at the bottom (level
    with the ankle cut of the limb) with room for the inset frame around them.
    """
    big = [v for v in views if v in LIMB_VIEWS and v != "saddle"]
    saddle = [v for v in views if v == "saddle"]
    foot = [v for v in views if v in FOOT_VIEWS]
    pos: dict[str, Box] = {}
    x = 0.0
    limb_h = 0.0
    if big:
        b = {v: template.bounds(v, side=side) for v in big}
        ground = min(bb[1] for bb in b.values())
        limb_h = max(bb[3] for bb in b.values()) - ground
        for v in big:
            x0, y0, x1, y1 = b[v]
            pos[v] = (x, y0 - ground, x1 - x0, y1 - y0)
            x += x1 - x0 + GAP_MM
    col_x = x
    sw = sh = 0.0
    if saddle:
        x0, y0, x1, y1 = template.bounds("saddle", side=side)
        sw, sh = (x1 - x0) * SADDLE_ZOOM, (y1 - y0) * SADDLE_ZOOM
    inset_w = inset_h = 0.0
    fpos: dict[str, Box] = {}
    if foot:
        fpos, fw, fh = pack(template, foot, side, "row")
        inset_w = fw * FOOT_ZOOM + 2 * INSET_PAD_MM
        inset_h = fh * FOOT_ZOOM + INSET_PAD_MM + INSET_HEAD_MM
    col_w = max(sw, inset_w)
    height = max(limb_h, sh + (TITLE_MM + 12 if saddle and foot else 0.0) + inset_h)
    if saddle:
        pos["saddle"] = (col_x, height - sh, sw, sh)
    for v, (fx, fy, w, h) in fpos.items():
        pos[v] = (col_x + INSET_PAD_MM + fx * FOOT_ZOOM, INSET_PAD_MM + fy * FOOT_ZOOM, w * FOOT_ZOOM, h * FOOT_ZOOM)
    width = col_x + col_w if col_w else col_x - GAP_MM
    return pos, width, height


@dataclass
class Frame:
    """The Axes of a figure's views, keyed as the figure keys them, with where each came from."""

    fig: Figure
    axes: dict[Any, Axes]
    sides: dict[Any, str]
    views: dict[Any, str]
    blocks: dict[Any, Block]
    right: float  # figure fraction where the space reserved at the right starts
    top: float  # figure fraction of the top of the views' area (titles go above)
    bottom: float
    scale: float = 0.0  # inches of figure per mm of the layout
    legend_top: float = 1.0  # figure fraction where the legend starts: below the first row's title band


def new_figure(width: float, height: float) -> Figure:
    """A standalone figure with an Agg canvas, not registered with pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def make_frame(template: Any, blocks: Sequence[Block], *, mode: str, fig: Figure | None, right_in: float,
               top_in: float, bottom_in: float, mm_per_inch: float = MM_PER_INCH,
               key: Callable[[Block, str], Any] | None = None, min_width_in: float = 0.0) -> Frame:
    """Create the Axes of every block's views, blocks on a grid (``row``, ``col``), one scale for all.

    A new figure takes its natural size at *mm_per_inch* (at least *min_width_in* wide, for a
    title); a given *fig* keeps its size and the layout is scaled to fit. *key* maps
    ``(block, view)`` to the key of the Axes (the view by default). Text does not scale with the
    layout, so the bands for the view titles (:data:`VIEW_TITLE_IN`) and the block titles
    (:data:`BLOCK_TITLE_IN`) are reserved in inches: no drawing runs into the next row's title.
    """
    packs = [pack(template, b.views, b.side, mode) for b in blocks]
    band = VIEW_TITLE_IN + (BLOCK_TITLE_IN if any(b.title for b in blocks) else 0.0)
    ncol = max(b.col for b in blocks) + 1
    nrow = max(b.row for b in blocks) + 1
    col_w = [max((p[1] for b, p in zip(blocks, packs, strict=True) if b.col == c), default=0.0) for c in range(ncol)]
    row_h = [max((p[2] for b, p in zip(blocks, packs, strict=True) if b.row == r), default=0.0) for r in range(nrow)]
    gap_c = GAP_MM * 1.3
    total_w = sum(col_w) + gap_c * (ncol - 1)
    total_h = sum(row_h)
    fixed_h = top_in + bottom_in + nrow * band + (nrow - 1) * ROW_GAP_IN
    if fig is None:
        width = max(total_w / mm_per_inch + 2 * MARGIN_IN + right_in, min_width_in)
        fig = new_figure(width, total_h / mm_per_inch + fixed_h)
        scale = 1.0 / mm_per_inch
    else:
        fw0, fh0 = fig.get_size_inches()
        scale = min((fw0 - 2 * MARGIN_IN - right_in) / total_w, (fh0 - fixed_h) / total_h)
        if scale <= 0:
            raise InvalidArgumentError("fig", "the figure is too small for this layout")
    fw, fh = (float(v) for v in fig.get_size_inches())
    x_in0 = MARGIN_IN + ((fw - 2 * MARGIN_IN - right_in) - total_w * scale) / 2
    y_in_top = fh - top_in
    frame = Frame(fig, {}, {}, {}, {}, 1 - (right_in + MARGIN_IN * 0.5) / fw, 1 - top_in / fh, bottom_in / fh, scale,
                  1 - (top_in + band - VIEW_TITLE_IN) / fh)
    for b, (pos, w, h) in zip(blocks, packs, strict=True):
        bx = x_in0 + (sum(col_w[:b.col]) + gap_c * b.col + (col_w[b.col] - w) / 2) * scale
        by_top = y_in_top - sum(row_h[:b.row]) * scale - b.row * (band + ROW_GAP_IN) - band
        by_top -= (row_h[b.row] - h) / 2 * scale
        for v in b.views:
            px, py, pw, ph = pos[v]
            box = (bx + px * scale, by_top - h * scale + py * scale, pw * scale, ph * scale)
            k = v if key is None else key(b, v)
            frame.axes[k] = _view_axes(fig, template, v, b.side, box)
            frame.sides[k] = b.side
            frame.views[k] = v
            frame.blocks[k] = b
    return frame


def _view_axes(fig: Figure, template: Any, view: str, side: str, box: Box) -> Axes:
    """The Axes of one view at *box* (inches), its limits the view's bounds, equal aspect, no axis artists."""
    fw, fh = (float(v) for v in fig.get_size_inches())
    left, bottom, w, h = box
    ax = fig.add_axes((left / fw, bottom / fh, w / fw, h / fh), frameon=False)
    x0, y0, x1, y1 = template.bounds(view, side=side)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_axis_off()  # no ticks, tick labels or spines to lay out and draw
    return ax


def block_box(frame: Frame, block: Block) -> tuple[float, float, float, float]:
    """Figure-fraction (x0, y0, x1, y1) of a block's axes."""
    pos = [ax.get_position() for k, ax in frame.axes.items() if frame.blocks[k] is block]
    return (min(p.x0 for p in pos), min(p.y0 for p in pos), max(p.x1 for p in pos), max(p.y1 for p in pos))


def view_title(ax: Axes, text: str, *, fontsize: float = 9, pad: float = 3) -> Text:
    """The title of a view.

    ``y`` is given: the title sits where matplotlib would put it (nothing is drawn above a
    view), and drawing skips the automatic placement, which lays out (creates) the y axis's
    ticks.
    """
    return ax.set_title(text, fontsize=fontsize, color="#333333", pad=pad, y=1.0)


def frame_insets(frame: Frame, template: Any) -> list[Any]:
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
        pad = INSET_PAD_MM * frame.scale * 0.6
        x0, y0 = min(q.x0 for q in pos) - pad / fw, min(q.y0 for q in pos) - pad / fh
        x1 = max(q.x1 for q in pos) + pad / fw
        y1 = max(q.y1 for q in pos) + INSET_HEAD_IN / fh
        box = FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0,rounding_size=0.006",
                             transform=fig.transFigure, facecolor="#FAFAFA", edgecolor="#555555",
                             linewidth=1.0, zorder=-1)
        fig.add_artist(box)
        fig.text(x0 + 0.06 / fw, y1 - 0.05 / fh, f"Foot (enlarged ×{FOOT_ZOOM:g})", ha="left", va="top",
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


def unclip(frame: Frame) -> None:
    """Let outlines on the edge of a view's bounds (the limb's midline cuts) draw in full."""
    for ax in frame.axes.values():
        for c in ax.collections:
            c.set_clip_on(False)
