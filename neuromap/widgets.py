"""Jupyter widgets: :class:`CaseWidget` (needs the ``widgets`` extra, ``anywidget``).

``neuromap.widgets.CaseWidget`` is :class:`neuromap.interactive.CaseWidget`; see
:mod:`neuromap.interactive` for the HTML page that needs no extra.
"""

from neuromap.interactive.widget import CaseWidget

__all__ = ["CaseWidget"]
