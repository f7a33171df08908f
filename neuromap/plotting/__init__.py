"""Figures of the atlas and of a localization: dermatomes, nerve territories, cases, pathways.

Every function takes its subject first and keyword-only options after (``title=`` among them),
draws into a new figure (or the ``fig``/``ax`` it is given) and returns a small display object
holding what it drew: ``.figure``, ``.axes`` (view -> Axes), ``.patches`` (region id ->
:class:`RegionPatch`), ``.legend``, ``.labels``, ``.savefig()``; displays show themselves in
Jupyter.

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
  categories, Paul Tol's "muted" palette (:data:`TOL_MUTED`), followed by its pale tints beyond ten.
* Region labels sit at the template's label anchors. A collision pass measures each label with
  the renderer and, largest region first, keeps it in place, nudges it, shrinks it, or drops it
  (listed in ``display.dropped_labels``); a label never overlaps another or leaves the foot.

The layout is fixed (no ``tight_layout``/constrained layout), so label placement measured at
creation holds when the figure is saved at any dpi.

The package: :mod:`~neuromap.plotting.maps` (atlas figures), :mod:`~neuromap.plotting.case`
(:func:`plot_localization`), :mod:`~neuromap.plotting.pathway` (:func:`plot_pathway`),
:mod:`~neuromap.plotting.charts` (:func:`plot_evidence_matrix`, :func:`plot_myotomes`, :func:`plot_study_plan`) and
:mod:`~neuromap.plotting.displays` (what they return); the private modules hold the machinery
(``_style``: palettes and region styles, ``_layout``: views and frames, ``_draw``: regions,
hatches and outlines, ``_labels``: label placement, ``_legend``: legend keys).
"""

from neuromap.plotting._layout import LAYOUTS, LIMB_LAYOUT_VIEWS
from neuromap.plotting._style import (
    GRADE_HATCH,
    MODALITY_HATCH,
    OKABE_ITO,
    ROOT_COLORS,
    TOL_MUTED,
    UNASSIGNED_COLOR,
)
from neuromap.plotting.case import plot_localization
from neuromap.plotting.charts import plot_evidence_matrix, plot_myotomes, plot_study_plan
from neuromap.plotting.displays import AtlasDisplay, CaseDisplay, ChartDisplay, PathDisplay, RegionPatch
from neuromap.plotting.maps import plot_dermatomes, plot_map_comparison, plot_nerve_territories
from neuromap.plotting.pathway import plot_pathway

__all__ = [
    "GRADE_HATCH",
    "LAYOUTS",
    "LIMB_LAYOUT_VIEWS",
    "MODALITY_HATCH",
    "OKABE_ITO",
    "ROOT_COLORS",
    "TOL_MUTED",
    "UNASSIGNED_COLOR",
    "AtlasDisplay",
    "CaseDisplay",
    "ChartDisplay",
    "PathDisplay",
    "RegionPatch",
    "plot_dermatomes",
    "plot_evidence_matrix",
    "plot_localization",
    "plot_map_comparison",
    "plot_myotomes",
    "plot_nerve_territories",
    "plot_pathway",
    "plot_study_plan",
]
