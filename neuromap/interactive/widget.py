"""A Jupyter widget to build a case on the foot and limb and watch its localization (anywidget)."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

try:
    import anywidget
    import traitlets
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("neuromap's CaseWidget needs anywidget: pip install 'neuromap[widgets]'") from exc

from neuromap.errors import InvalidTypeError, NeuromapError
from neuromap.geometry import FOOT_VIEWS, LIMB_VIEWS
from neuromap.interactive._summary import check_count, region_classes, summarize
from neuromap.interactive._svg import region_info, views_svg
from neuromap.interactive.page import asset

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas

__all__ = ["CaseWidget"]

#: The parts of a case that hold findings.
_FINDINGS = ("sensory", "motor", "reflexes", "other")


def _views(atlas: Atlas, side: str) -> str:
    drawn = "left" if side == "left" else "right"
    return (f'<div class="nm-views nm-foot">{views_svg(atlas, FOOT_VIEWS, side=drawn, ids=False)}</div>'
            f'<div class="nm-views nm-limb">{views_svg(atlas, LIMB_VIEWS, side=drawn, ids=False)}</div>')


class CaseWidget(anywidget.AnyWidget):
    """Paint a case on the foot and limb, set strength and reflexes, and watch the ranking follow.

    The widget shows the four foot views and the limb and saddle views. Click a region to mark
    it with the chosen modality (numb, tingling, pain or examined normal; click again to clear
    it), or drag to paint several; set MRC grades of movements and reflex grades from the
    controls. Each change updates :attr:`case`, and the widget localizes it again
    (:func:`neuromap.localize`): the red flags, the pattern read, the ranking with its
    explanations and the next examination follow live. Works in JupyterLab, Jupyter Notebook
    and VS Code notebooks (needs the ``widgets`` extra: ``pip install 'neuromap[widgets]'``).

    Parameters
    ----------
    case : dict, optional
        The case to start from (the format of :func:`neuromap.localize`); by default an empty
        case of the right side.
    atlas : Atlas, optional
        The atlas (default: the bundled one).
    dermatome_map : str, optional
        The dermatome layer for root hypotheses.
    max_hypotheses : int, optional
        How many hypotheses the ranking shows.

    Attributes
    ----------
    case : dict
        The case being built; set it to start from another case.
    result : dict
        The summary of its localization (red flags, pattern, hypotheses, next examination).
    error : str
        Why the case could not be localized, or "".

    Raises
    ------
    InvalidTypeError
        If *case* is not a dict.

    Examples
    --------
    >>> from neuromap.widgets import CaseWidget
    >>> w = CaseWidget({"side": "left", "sensory": [{"regions": ["first web space"]}],
    ...                 "motor": [{"name": "hip abduction", "grade": 4}]})
    >>> w.result["hypotheses"][0]["id"]
    'L5'
    >>> w.case = {**w.case, "reflexes": {"achilles": "absent"}}
    >>> [h["id"] for h in w.result["hypotheses"][:2]]
    ['L5', 'L5-S1']
    >>> w.to_json()[:16]
    '{"side": "left",'
    """

    _esm = traitlets.Unicode(asset("common.js") + asset("widget.js")).tag(sync=True)
    _css = traitlets.Unicode(asset("common.css") + asset("widget.css")).tag(sync=True)

    case = traitlets.Dict().tag(sync=True)
    result = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    classes = traitlets.Dict().tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)
    regions = traitlets.Dict().tag(sync=True)
    movements: traitlets.List[dict[str, str]] = traitlets.List().tag(sync=True)
    reflexes: traitlets.List[dict[str, str]] = traitlets.List().tag(sync=True)

    def __init__(self, case: Mapping[str, Any] | None = None, *, atlas: Atlas | None = None,
                 dermatome_map: str | None = None, max_hypotheses: int = 10, **kwargs: Any) -> None:
        from neuromap.atlas import load_atlas

        if case is not None and not isinstance(case, Mapping):
            raise InvalidTypeError("case", f"expected a dict (a case), got {type(case).__name__}")
        self._atlas = atlas if atlas is not None else load_atlas()
        self._dermatome_map = dermatome_map
        self._max_hypotheses = check_count("max_hypotheses", max_hypotheses)
        self._drawn_side = ""
        super().__init__(
            regions=region_info(self._atlas),
            movements=[{"id": m, "label": self._atlas[m].label} for m in self._atlas.ids("movement")],
            reflexes=[{"id": r, "label": self._atlas[r].label} for r in self._atlas.ids("reflex")],
            **kwargs)
        self.case = copy.deepcopy(dict(case)) if case is not None else {"side": "right"}

    @traitlets.observe("case")
    def _localize(self, change: Mapping[str, Any]) -> None:
        from neuromap.inference import localize

        case = change["new"]
        side = case["side"].strip().lower() if isinstance(case.get("side"), str) else "right"
        if side != self._drawn_side:
            self._drawn_side = side
            self.svg = _views(self._atlas, side)
        if not any(case.get(k) for k in _FINDINGS):
            # nothing examined yet: not an error, an empty start
            with self.hold_sync():
                self.error, self.classes, self.result = "", {}, {}
            return
        try:
            result = localize(case, atlas=self._atlas, dermatome_map=self._dermatome_map)
        except NeuromapError as exc:
            self.error = str(exc)
            return
        drawn = "left" if result.case_side == "left" else "right"
        with self.hold_sync():
            self.error = ""
            self.classes = region_classes(result, drawn)
            self.result = summarize(result, max_hypotheses=self._max_hypotheses, atlas=self._atlas)

    def to_json(self, **kwargs: Any) -> str:
        """The case as JSON text (``json.dumps`` keyword arguments pass through)."""
        return json.dumps(self.case, **kwargs)
