"""The shared base of the display objects the plot functions return."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text


class Display:
    """What a plot function drew, read-only after creation.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure.
    axes : mapping
        Key -> Axes.
    patches : mapping
        Key -> what stands for that key in the figure.
    legend : matplotlib.legend.Legend or None
        The legend.
    labels : mapping, optional
        Key -> label Text.
    **extra
        Further attributes of the display.
    """

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
