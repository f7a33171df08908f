"""The foot, limb and saddle views as SVG, one element per region, and what each region is."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from neuromap.errors import InvalidArgumentError, check_option

if TYPE_CHECKING:  # pragma: no cover
    from shapely.geometry import Polygon

    from neuromap.atlas import Atlas

__all__ = ["region_info", "views_svg"]

#: Margin around each view, in millimetres of the template.
_PAD_MM = 4.0
#: Screen pixels per millimetre of the template, by view: the foot views share one scale; the
#: whole limb (a metre tall) is drawn smaller; the saddle, a small area, at the foot's scale.
_PX_PER_MM = {"anterior": 0.42, "posterior": 0.42}


def _ring(coords: Iterable[tuple[float, float]], top: float) -> str:
    # SVG's y grows downward; the template's y grows up: flip about the top of the view.
    pts = [f"{x:.1f},{top - y:.1f}" for x, y in coords]
    return "M" + "L".join(pts[:-1]) + "Z"


def _path_data(poly: Polygon, top: float) -> str:
    parts = [_ring(poly.exterior.coords, top)]
    parts.extend(_ring(hole.coords, top) for hole in poly.interiors)
    return "".join(parts)


def views_svg(atlas: Atlas, views: Iterable[str], *, side: str = "right", ids: bool = True,
              classes: Mapping[str, str] | None = None, scale_factor: float = 1.0) -> str:
    """The views of the template as SVG figures, one ``<path>`` per region.

    Parameters
    ----------
    atlas : Atlas
        The atlas whose template is drawn.
    views : iterable of str
        The views, in order (see :data:`neuromap.geometry.ALL_VIEWS`).
    side : {"right", "left"}
        The side drawn; the left side is the mirror image of the right.
    ids : bool
        Give each region element an ``id`` equal to its region id (a page shows each view once;
        a widget that may be displayed twice keeps ``data-region`` only).
    classes : mapping, optional
        Region id -> extra CSS classes of its element.
    scale_factor : float
        Size on screen relative to the default (one pixel per millimetre for the foot).

    Returns
    -------
    str
        One ``<figure class="nm-view">`` per view, each holding an ``<svg>`` whose
        ``<path class="nm-region" data-region="...">`` elements tile the view; each is a
        keyboard tab stop and carries the region's name as its ``<title>``.

    Raises
    ------
    InvalidArgumentError
        An unknown view or side.

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.interactive import views_svg
    >>> svg = views_svg(neuromap.load_atlas(), ["dorsal"])
    >>> svg.count('class="nm-region'), 'id="first_web_space"' in svg
    (10, True)
    """
    side = check_option("side", side, ("right", "left"))
    template = atlas.template
    classes = classes or {}
    out = []
    for view in views:
        view = check_option("view", view, template.views)
        minx, miny, maxx, maxy = template.bounds(view, side=side)
        top = maxy + _PAD_MM
        width, height = maxx - minx + 2 * _PAD_MM, maxy - miny + 2 * _PAD_MM
        label = html.escape(atlas.view_label(view))
        scale = scale_factor * _PX_PER_MM.get(view, 1.0)
        paths = []
        for rid in template.regions(view):
            d = _path_data(template.polygon(rid, side=side), top)
            cls = " ".join(["nm-region", *classes.get(rid, "").split()])
            ident = f' id="{rid}"' if ids else ""
            name = html.escape(atlas[rid].label)
            paths.append(f'<path{ident} class="{cls}" data-region="{rid}" tabindex="0" d="{d}">'
                         f"<title>{name}</title></path>")
        out.append(
            f'<figure class="nm-view" data-view="{view}"><figcaption>{label}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}" '
            f'width="{width * scale:.0f}" height="{height * scale:.0f}" '
            f'viewBox="{minx - _PAD_MM:.1f} 0 {width:.1f} {height:.1f}" data-view="{view}">'
            f'{"".join(paths)}</svg></figure>')
    return "".join(out)


def region_info(atlas: Atlas, views: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """What a reader needs to know about each region: its name, nerves and roots per layer.

    Parameters
    ----------
    atlas : Atlas
        The atlas.
    views : iterable of str, optional
        The views whose regions are described (default: all of them).

    Returns
    -------
    dict
        Region id -> ``label``, ``view`` (its label), ``nerves`` (the labels of the nerves that
        supply it, nearest first, then those they branch from) and ``roots``: one entry per
        dermatome layer, ``{"layer": label, "roots": ["L5 (primary)", ...]}``, default layer
        first (a layer that gives the region no root lists none).

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.interactive import region_info
    >>> info = region_info(neuromap.load_atlas(), ["dorsal"])["first_web_space"]
    >>> info["nerves"][0]
    'Deep fibular nerve'
    >>> info["roots"][0]
    {'layer': 'Lee, McPhee & Stringer (2008)', 'roots': ['L5 (primary)']}
    """
    template = atlas.template
    views = template.views if views is None else [check_option("view", v, template.views) for v in views]
    layers = [(m, str(atlas.dermatome_map_info(m).get("label", m))) for m in atlas.dermatome_maps]
    out: dict[str, dict[str, Any]] = {}
    for view in views:
        view_label = atlas.view_label(view)
        for rid in template.regions(view):
            roots = [{"layer": label, "roots": [f"{r} ({g})" for r, g in atlas.dermatome_grades(rid, m).items()]}
                     for m, label in layers]
            out[rid] = {"label": atlas[rid].label, "view": view_label,
                        "nerves": [atlas[n].label for n in atlas.nerves_for(rid)], "roots": roots}
    if not out:
        raise InvalidArgumentError("views", "give at least one view")
    return out
