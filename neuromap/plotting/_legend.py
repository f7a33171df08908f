"""Legends: keys drawn as the figure draws what they stand for (patches, hatches, dots, markers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerPatch
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from neuromap.plotting._draw import DOT_SIZE_PT, DOT_STEP_IN
from neuromap.plotting._layout import Frame
from neuromap.plotting._style import GRADE_HATCH, OUTLINE


def patch_handle(color: Any, label: str, **kwargs: Any) -> Patch:
    """A filled key with the outline of the views (*kwargs* override its edge)."""
    return Patch(**{"facecolor": color, "edgecolor": OUTLINE, "linewidth": 0.6, "label": label, **kwargs})


def marker_handle(color: str, label: str) -> Line2D:
    """A round marker key (ISNCSCI key points)."""
    return Line2D([], [], marker="o", linestyle="none", markersize=8, markerfacecolor=color,
                  markeredgecolor=OUTLINE, label=label)


def hatch_handle(hatch: str, label: str, *, face: str = "white") -> Patch:
    """A hatched key (grades of a multi-root region, two primary nerves)."""
    h = Patch(facecolor=face, edgecolor=OUTLINE, linewidth=0.6, hatch=hatch, label=label)
    h.set_hatchcolor("#555555")
    return h


class HandlerDots(HandlerPatch):
    """A dotted legend key: the patch without its hatch, and the dots of the figure's ``variable`` regions on it."""

    def create_artists(self, legend: Any, orig_handle: Any, xdescent: float, ydescent: float, width: float,
                       height: float, fontsize: float, trans: Any) -> list[Any]:
        """The key's rectangle and its dots, on the lattice of :func:`~neuromap.plotting._draw.draw_dots`."""
        rect = Rectangle((-xdescent, -ydescent), width, height)
        self.update_prop(rect, orig_handle, legend)
        rect.set_hatch(None)  # type: ignore[arg-type]  # None (no hatch) is accepted; the stub says str
        rect.set_transform(trans)
        # the lattice in points (the units of the handle box), centred in the key and a dot's
        # radius (and the edge) inside it
        step = DOT_STEP_IN * 72.0
        r = DOT_SIZE_PT / 2 + 0.6
        nx, ny = (int((size - 2 * r) // step) + 1 for size in (width, height))
        gx, gy = np.meshgrid(np.arange(nx), np.arange(ny))
        xs = ((gx + 0.5 * (gy % 2)) * step + (width - (nx - 1) * step) / 2).ravel()
        ys = (gy * step + (height - (ny - 1) * step) / 2).ravel()
        keep = xs <= width - r
        dots = Line2D(xs[keep] - xdescent, ys[keep] - ydescent, linestyle="none", marker="o",
                      markersize=DOT_SIZE_PT, markeredgewidth=0.0, markerfacecolor=orig_handle.get_hatchcolor(),
                      transform=trans)
        return [rect, dots]


def frame_legend(frame: Frame, handles: Sequence[Any], title: str, *, dots: bool = False) -> Legend:
    """The legend at the right of the views; with *dots*, dotted keys drawn as the map draws them (markers)."""
    dotted = {h: HandlerDots() for h in handles if isinstance(h, Patch) and h.get_hatch() == GRADE_HATCH["variable"]}
    return frame.fig.legend(handles=list(handles), loc="upper left", bbox_to_anchor=(frame.right, frame.legend_top),
                            fontsize=7.5, title=title, title_fontsize=8.5, frameon=False, handlelength=1.6,
                            handleheight=1.2, labelspacing=0.55, alignment="left",
                            handler_map=dotted if dots else None)
