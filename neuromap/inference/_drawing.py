"""A drawn finding: its shape checked, and the regions it covers on the template.

A drawing is a polygon, several polygons, a GeoJSON geometry or points in one view of the
template; :func:`drawing_regions` checks its shape and overlays it on each side's template.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from neuromap.atlas import Atlas
from neuromap.errors import InvalidCaseError, LimitExceededError, NeuromapError
from neuromap.geometry.drawing import read_drawing
from neuromap.inference._fields import choice, got, keys, list_of, number, string
from neuromap.weights import DRAWING_FULL_COVER, DRAWING_MIN_SEVERITY, DRAWING_OUTSIDE_NOTE

__all__ = ["check_drawing", "check_geojson", "check_points", "check_ring", "drawing_regions", "overlays_of"]

#: The overlays of the drawings of the cases being read: (id of the drawing, view, side) -> result.
_OVERLAYS: ContextVar[dict[tuple[int, str, str], Any] | None] = ContextVar("neuromap_overlays", default=None)


def check_drawing(drawing: Any, field: str, atlas: Atlas, limits: Any) -> tuple[str, Any, Any]:
    """A drawing's shape checked: its view, and its points (or None) and geometry (or None)."""
    pts: Any = None
    keys(drawing, field, ("view", "polygon", "polygons", "geojson", "points"), required=("view",))
    view = choice(string(drawing["view"], field + ".view"), atlas.template.views, field + ".view")
    shapes = [k for k in ("polygon", "polygons", "geojson", "points") if k in drawing]
    if len(shapes) != 1:
        raise InvalidCaseError(field, "give exactly one of 'polygon', 'polygons', 'geojson' or 'points'",
                               ["polygon", "points"])
    if "points" in drawing:
        pts = check_points(drawing["points"], field + ".points", 1, limits.max_points,
                           f"more than {limits.max_points} points")
        geom: Any = None
    elif "polygons" in drawing:
        rings = list_of(drawing["polygons"], field + ".polygons", limits.max_vertices)
        if not rings:
            raise InvalidCaseError(field + ".polygons", "the list is empty")
        for k, ring in enumerate(rings):
            check_ring(ring, f"{field}.polygons[{k}]", limits)
        geom = {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]}
    elif "geojson" in drawing:
        geom = check_geojson(drawing["geojson"], field + ".geojson")
    else:
        geom = check_ring(drawing["polygon"], field + ".polygon", limits)
    return view, pts, geom


def drawing_regions(drawing: Any, checked: Any, field: str, sides: tuple[str, ...], atlas: Atlas,
                    limits: Any) -> list[tuple[str, float, str, str | None]]:
    """Regions a drawing covers: (region, severity from coverage, side, note).

    *checked* is the drawing as :func:`check_drawing` returned it (view, points, geometry). An
    overlay computed beforehand for the whole batch (:func:`overlays_of`) is used when there is one.
    """
    view, pts, geom = checked
    ready = _OVERLAYS.get() or {}
    out: list[tuple[str, float, str, str | None]] = []
    for s in sides:
        if geom is None:
            ids = atlas.template.region_ids_at(pts, view, side=s)
            outside = sum(1 for r in ids if r is None)
            if outside == len(ids):
                raise InvalidCaseError(field + ".points",
                                       f"every point lies outside the {view} outline of the {s} foot")
            note = f"{field}: {outside} of {len(ids)} points lie outside the foot outline" if outside else None
            for r in dict.fromkeys(r for r in ids if r is not None):
                out.append((r, 1.0, s, note))
                note = None
            continue
        try:
            res = ready.get((id(drawing), view, s))
            if res is None:
                res = atlas.template.overlay(geom, view, side=s, max_vertices=limits.max_vertices)
        except InvalidCaseError as exc:
            cls = LimitExceededError if isinstance(exc, LimitExceededError) else InvalidCaseError
            raise cls(field, exc.problem, exc.suggestions) from None
        note = None
        if res.outside_fraction > DRAWING_OUTSIDE_NOTE:
            note = f"{field}: {res.outside_fraction:.0%} of the drawing lies outside the foot outline"
        for ov in res:
            # a region the drawing barely grazes is weak evidence: severity grows with the
            # covered fraction of the region and is full from half the region on
            severity = max(DRAWING_MIN_SEVERITY, min(1.0, ov.fraction_of_region / DRAWING_FULL_COVER))
            out.append((ov.region, severity, s, note))
            note = None
    return out


@contextlib.contextmanager
def overlays_of(cases: Iterable[Any], atlas: Atlas, limits: Any) -> Iterator[None]:
    """Overlay every drawn area of a batch of cases at once, for :func:`drawing_regions` to use while they are read.

    The drawings of each view and side go to :meth:`FootTemplate.overlay_many
    <neuromap.geometry.FootTemplate.overlay_many>` together. A drawing whose shape does not
    read, or that lies outside the outline, is left out: reading its case overlays it again
    and raises the error with its field. The overlays are keyed by the drawing object, which
    the caller keeps alive until the block ends.
    """
    requests: dict[tuple[str, str], list[tuple[int, Any]]] = {}
    for case in cases:
        for drawing, sides in _drawings(case):
            try:
                view, spec = drawing["view"], _spec(drawing)
                if spec is None or view not in atlas.template.views:
                    continue
                geom = read_drawing(spec, limits.max_vertices)
            except (NeuromapError, TypeError, ValueError, KeyError):
                continue
            for s in sides:
                requests.setdefault((view, s), []).append((id(drawing), geom))
    ready: dict[tuple[int, str, str], Any] = {}
    for (view, s), items in requests.items():
        for (key, _), res in zip(items, atlas.template.overlay_many([g for _, g in items], view, side=s),
                                 strict=True):
            if res is not None:
                ready[(key, view, s)] = res
    token = _OVERLAYS.set(ready)
    try:
        yield
    finally:
        _OVERLAYS.reset(token)


def _drawings(case: Any) -> Iterator[tuple[Mapping[str, Any], tuple[str, ...]]]:
    """The drawings of a case (a dict) and the sides each is on, as far as the case says them."""
    entries = case.get("sensory") if isinstance(case, Mapping) else None
    if not isinstance(entries, list):
        return
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get("drawing"), Mapping):
            side = entry.get("side", case.get("side"))
            if side in ("left", "right", "bilateral"):
                yield entry["drawing"], ("left", "right") if side == "bilateral" else (side,)


def _spec(drawing: Mapping[str, Any]) -> Any:
    """The geometry of a drawing as :func:`check_drawing` hands it to the template (None for points)."""
    if "polygon" in drawing:
        return drawing["polygon"]
    if "polygons" in drawing and isinstance(drawing["polygons"], list):
        return {"type": "MultiPolygon", "coordinates": [[ring] for ring in drawing["polygons"]]}
    return drawing.get("geojson")


def _finite(v: Any) -> bool:
    return type(v) is float and math.isfinite(v) or type(v) is int and -1e308 < v < 1e308


def check_points(value: Any, field: str, min_items: int, max_items: int, too_many: str) -> list[Any]:
    """A list of *min_items* to *max_items* points ``[x, y]`` of finite numbers (the schema's ``point``)."""
    pts = list_of(value, field)
    if len(pts) < min_items:
        raise InvalidCaseError(field, "the list is empty" if min_items == 1 else
                               f"give at least {min_items} items, got {len(pts)}")
    if len(pts) > max_items:
        raise LimitExceededError(field, too_many)
    for j, p in enumerate(pts):
        if not isinstance(p, (list, tuple)):
            raise InvalidCaseError(f"{field}[{j}]", f"expected a list, got {got(p)}")
        if len(p) != 2:
            raise InvalidCaseError(f"{field}[{j}]", f"give at {'least' if len(p) < 2 else 'most'} 2 items, "
                                   f"got {len(p)}")
        if not (_finite(p[0]) and _finite(p[1])):  # else: the check that names the coordinate
            number(p[0], f"{field}[{j}][0]")
            number(p[1], f"{field}[{j}][1]")
    return pts


def check_ring(value: Any, field: str, limits: Any) -> list[Any]:
    """A polygon ring: at least 3 points, at most ``limits.max_vertices``."""
    return check_points(value, field, 3, limits.max_vertices, f"more than {limits.max_vertices} items")


def check_geojson(value: Any, field: str) -> Mapping[str, Any]:
    """The shape of a GeoJSON object (its geometry is read by the foot template)."""
    if not isinstance(value, Mapping):
        raise InvalidCaseError(field, f"expected an object, got {got(value)}")
    if "type" not in value:
        raise InvalidCaseError(field + ".type", "this key is required")
    string(value["type"], field + ".type")
    if "coordinates" in value:
        list_of(value["coordinates"], field + ".coordinates")
    if "geometry" in value and not isinstance(value["geometry"], Mapping):
        raise InvalidCaseError(field + ".geometry", f"expected an object, got {got(value['geometry'])}")
    return value
