"""The display objects the plot functions return: what they drew, by region, view or node."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

from neuromap.plotting._display import Display

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Mapping

    from neuromap.inference.result import Hypothesis

__all__ = ["AtlasDisplay", "CaseDisplay", "ChartDisplay", "PathDisplay", "RegionPatch"]


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


class AtlasDisplay(Display):
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
    agreement : mapping
        Region -> ``(k, n)``: *k* of the *n* compared area layers give it the same roots (map
        comparisons only; empty otherwise).
    """

    dropped_labels: tuple[Any, ...]
    colors: Mapping[str, str]
    title: Text
    footnote: Text | None
    dermatome_maps: tuple[str, ...]
    disagreements: tuple[str, ...]
    agreement: Mapping[str, tuple[int, int]]


class CaseDisplay(Display):
    """What :func:`plot_localization` drew.

    Attributes
    ----------
    figure, axes, patches, legend, labels
        As for :class:`AtlasDisplay`; ``axes`` are keyed by ``(hypothesis id, side, view)``,
        ``patches`` by ``(hypothesis id, side, region)`` and ``labels`` by ``("rank", hypothesis id)``.
    hypotheses : tuple of Hypothesis
        The hypotheses shown, best first.
    annotations : mapping
        Hypothesis id -> the Text naming it above its row.
    territory_patches : mapping
        Hypothesis id -> the collections shading and outlining its territory (two per view
        that shows some of it).
    symptom_patches : mapping
        ``(hypothesis id, side, region)`` -> the hatched overlay of a reported region.
    red_flag_texts : tuple of matplotlib.text.Text
        The red-flag statements (red, at the top).
    footnote : matplotlib.text.Text
        Names the dermatome map and states that this is decision support, not a diagnosis.
    layout : str
        The layout drawn (``foot``, ``limb`` or ``saddle``), as chosen from the findings or given.
    """

    hypotheses: tuple[Hypothesis, ...]
    layout: str
    annotations: Mapping[str, Text]
    territory_patches: Mapping[str, tuple[PolyCollection, ...]]
    symptom_patches: Mapping[Any, Any]
    red_flag_texts: tuple[Text, ...]
    footnote: Text
    title: Text
    dropped_labels: tuple[Any, ...]


class PathDisplay(Display):
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
        The node ids from the source to the (first) target.
    paths : tuple of tuple of str
        One path per target, in the order given.
    relations : tuple of str
        The relation of each arrow along ``path``.
    title : matplotlib.text.Text
        The title.
    """

    path: tuple[str, ...]
    paths: tuple[tuple[str, ...], ...]
    relations: tuple[str, ...]
    title: Text


class ChartDisplay(Display):
    """What :func:`plot_evidence_matrix` and :func:`plot_myotomes` drew: a grid of cells.

    Attributes
    ----------
    figure, axes, legend
        As for :class:`AtlasDisplay` (``axes`` has the single key ``"matrix"`` or ``"myotomes"``).
    patches : mapping
        ``(row, column)`` -> the cell (a :class:`~matplotlib.patches.Rectangle`).
    labels : mapping
        ``(row, column)`` -> the mark written in the cell (evidence matrix).
    rows, columns : tuple of str
        The row keys (finding fields, or movement/muscle ids) and the column keys (hypothesis
        ids, or roots), top to bottom and left to right.
    row_labels : tuple of str
        The text of each row's label.
    status : mapping
        ``(finding field, hypothesis id)`` -> ``explained``, ``unexplained``, ``contradicted`` or
        ``neutral`` (evidence matrix; empty otherwise).
    weights : mapping
        ``(row, root)`` -> the root's weight (myotome chart).
    key_cells : tuple
        The ISNCSCI key cells (myotome chart).
    disputed : tuple
        The hatched cells, where sources disagree (myotome chart).
    title : matplotlib.text.Text
        The title.
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    row_labels: tuple[str, ...]
    status: Mapping[tuple[str, str], str]
    weights: Mapping[tuple[str, str], float]
    key_cells: tuple[tuple[str, str], ...]
    disputed: tuple[tuple[str, str], ...]
    title: Text
