"""A localization as one self-contained HTML page: the figure as SVG, hover for each region, the ranking."""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from neuromap.geometry import FOOT_VIEWS, LIMB_VIEWS
from neuromap.interactive._summary import check_count, region_classes, summarize
from neuromap.interactive._svg import region_info, views_svg

if TYPE_CHECKING:  # pragma: no cover
    from neuromap.atlas import Atlas
    from neuromap.inference import Localization

__all__ = ["to_html"]

_LEGEND = ('<div class="nm-legend"><span class="nm-numb">numb</span><span class="nm-tingling">tingling</span>'
           '<span class="nm-pain">pain</span><span class="nm-normal">examined normal</span>'
           '<span class="nm-territory">territory of the top hypothesis</span></div>')


def asset(name: str) -> str:
    """The text of one of the package's page assets (CSS or JavaScript)."""
    return resources.files("neuromap.interactive").joinpath(f"_assets/{name}").read_text(encoding="utf-8")


def script_json(data: Any) -> str:
    """*data* as JSON that can sit inside a ``<script>`` element (no ``</`` can close it)."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


def _as_result(result_or_case: Any, atlas: Atlas | None, dermatome_map: str | None) -> Localization:
    from neuromap.inference import Localization, localize

    if isinstance(result_or_case, Localization):
        return result_or_case
    return localize(result_or_case, atlas=atlas, dermatome_map=dermatome_map)


def _list(items: list[str], cls: str, empty: str = "") -> str:
    if not items:
        return f'<p class="{cls}">{html.escape(empty)}</p>' if empty else ""
    return f'<ul class="{cls}">' + "".join(f"<li>{html.escape(x)}</li>" for x in items) + "</ul>"


def _ranking(hypotheses: list[dict[str, Any]]) -> str:
    rows = []
    for h in hypotheses:
        cells = [str(h["rank"]), html.escape(h["label"]), f"{h['score']:.2f}",
                 _list(h["explains"], "nm-expl"), _list(h["unexplained"], "nm-unexpl"),
                 _list(h["contradicts"], "nm-contra")]
        attrs = f'data-hypothesis="{html.escape(h["id"])}" data-regions="{" ".join(h["regions"])}"'
        rows.append(f"<tr {attrs}>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{t}</th>" for t in ("#", "hypothesis", "score", "explains", "leaves unexplained",
                                             "contradicts"))
    return (f'<table class="nm-ranking" id="nm-ranking"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def to_html(result_or_case: Any, *, atlas: Atlas | None = None, dermatome_map: str | None = None,
            title: str | None = None, max_hypotheses: int = 10) -> str:
    """A localization as a standalone HTML page: figure, region details on hover, ranking.

    The page needs no server and no network: its CSS, JavaScript and data are inline. The
    figure is SVG, one ``<path>`` per skin region with ``id`` and ``data-region`` equal to the
    region id, in the four foot views and the limb and saddle views. Hovering a region shows
    its name, the nerves that supply it and the roots each dermatome layer gives it; hovering
    a row of the ranking outlines that hypothesis's territory. Red flags come first.

    Parameters
    ----------
    result_or_case : Localization or dict or Case
        A result of :func:`neuromap.localize`, or a case to localize first.
    atlas : Atlas, optional
        The atlas to draw and to localize a case with (default: the bundled one).
    dermatome_map : str, optional
        The dermatome layer to localize a case with (ignored for a result).
    title : str, optional
        The page's title (default: "neuromap: " and the top hypothesis).
    max_hypotheses : int, optional
        How many hypotheses the ranking table lists.

    Returns
    -------
    str
        The page, an HTML5 document.

    Raises
    ------
    InvalidCaseError, UnknownNameError
        A case that cannot be localized (the message names the field).
    InvalidArgumentError
        A *max_hypotheses* that is not a whole number of at least 1.

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.interactive import to_html
    >>> page = to_html({"side": "left", "sensory": [{"regions": ["first web space"]}]})
    >>> page.startswith("<!DOCTYPE html>"), 'data-region="first_web_space"' in page
    (True, True)
    """
    from neuromap.atlas import load_atlas

    check_count("max_hypotheses", max_hypotheses)
    atlas = atlas if atlas is not None else load_atlas()
    result = _as_result(result_or_case, atlas, dermatome_map)
    summary = summarize(result, max_hypotheses=max_hypotheses, atlas=atlas)
    top = result.top
    title = title if title is not None else "neuromap: " + (top.label if top else "no finding could be scored")
    data = {"regions": region_info(atlas), "summary": summary, "case_side": result.case_side}
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{asset('common.css')}{asset('page.css')}</style></head>"
            f"<body>{_body(result, summary, atlas, title)}"
            f'<script type="application/json" id="nm-data">{script_json(data)}</script>'
            f"<script>{asset('common.js')}{asset('page.js')}</script></body></html>\n")


def _figure(result: Localization, atlas: Atlas) -> str:
    """The views of each side of the case (both for a bilateral case; ids on the first only)."""
    sides = ("right", "left") if result.case_side == "bilateral" else (result.case_side,)
    out = []
    for side in sides:
        classes = region_classes(result, side)
        heading = f"<h3>{side.capitalize()} side</h3>" if len(sides) > 1 else ""
        rows = "".join(
            f'<div class="nm-views {cls}">{views_svg(atlas, views, side=side, ids=side == sides[0], classes=classes)}'
            "</div>" for cls, views in (("nm-foot", FOOT_VIEWS), ("nm-limb", LIMB_VIEWS)))
        out.append(f'<div class="nm-side" data-side="{side}">{heading}{rows}</div>')
    return f'<div id="nm-figure">{"".join(out)}</div>'


def _body(result: Localization, summary: dict[str, Any], atlas: Atlas, title: str) -> str:
    from neuromap.inference.result import DISCLAIMER

    pattern = summary["pattern"]
    pattern_text = pattern["kind"].replace("_", " ") + (f" ({pattern['which']})" if pattern["which"] else "")
    if pattern["message"]:
        pattern_text += f" - {pattern['message']}"
    flags = "".join(f"<p>{html.escape(m)}</p>" for m in summary["red_flags"])
    return (
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="nm-disclaimer">{html.escape(DISCLAIMER)}</p>'
        f'<section class="nm-red-flags" id="nm-red-flags">{flags}</section>'
        f"<h2>Findings on the {html.escape(result.case_side)} side</h2>{_LEGEND}{_figure(result, atlas)}"
        '<p><b>Region</b> (hover the figure):</p><div class="nm-info" id="nm-region-info"></div>'
        f'<h2>Pattern</h2><p id="nm-pattern">{html.escape(pattern_text)}</p>'
        f"<h2>Ranking</h2>{_ranking(summary['hypotheses'])}"
        f"<h2>Warnings</h2>{_list(summary['warnings'], 'nm-warnings', 'None.')}"
        "<h2>Next examination</h2>"
        f"{_list(summary['next_examination'], 'nm-next', 'Nothing left to separate the leaders.')}"
        f'<p class="nm-disclaimer">neuromap {html.escape(result.neuromap_version)}, atlas '
        f"{html.escape(result.atlas_version)} ({html.escape(result.atlas_status)}).</p>"
        '<div class="nm-info nm-tooltip" id="nm-tooltip" role="tooltip"></div>'
    )
