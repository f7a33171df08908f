"""Interactive views of a case: a standalone HTML page and a Jupyter widget.

:func:`to_html` writes a result (or a case) as one self-contained HTML page: the foot, limb and
saddle views as SVG, one element per region with its id, the region's name, nerves and roots
per dermatome layer on hover, and the ranking with each hypothesis's explanations, red flags
first. It needs nothing beyond neuromap itself: no server, no network.

:class:`CaseWidget` is a Jupyter widget (needs the ``widgets`` extra, ``anywidget``): click or
paint the regions of the foot and limb, set strength grades and reflexes, and the ranking,
pattern, red flags and next examination follow live. It is imported on first use, so importing
this package does not import anywidget.

The SVG is built from the template's polygons here; this package does not use matplotlib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neuromap.interactive._summary import summarize
from neuromap.interactive._svg import region_info, views_svg
from neuromap.interactive.page import to_html

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.interactive.widget import CaseWidget

__all__ = ["CaseWidget", "region_info", "summarize", "to_html", "views_svg"]


def __getattr__(name: str) -> Any:
    # The widget needs anywidget (the `widgets` extra): loaded on first use only.
    if name == "CaseWidget":
        from neuromap.interactive.widget import CaseWidget

        return CaseWidget
    raise AttributeError(f"module 'neuromap.interactive' has no attribute {name!r}")
