"""Reading what a patient or examiner marks on the template: drawn areas and points.

A drawing is read into a validated shapely ``Polygon`` or ``MultiPolygon`` (:func:`read_drawing`),
points into an ``(n, 2)`` array (:func:`read_points`). Each problem is an
:class:`~neuromap.errors.InvalidCaseError` on the field ``'drawing'`` or ``'points'`` that says
what to fix; too many vertices is a :class:`~neuromap.errors.LimitExceededError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from neuromap.errors import InvalidCaseError, LimitExceededError
from neuromap.geometry._frame import DEFAULT_MAX_VERTICES

__all__ = ["load_drawing_geojson", "read_drawing", "read_points"]


def load_drawing_geojson(data: Mapping[str, Any]) -> Polygon | MultiPolygon:
    """Read a drawing given as a GeoJSON Polygon/MultiPolygon geometry or Feature.

    The result is validated like :meth:`FootTemplate.overlay` validates a drawing.

    Parameters
    ----------
    data : mapping
        A GeoJSON geometry (``Polygon`` or ``MultiPolygon``) or a Feature holding one.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        The drawing.

    Raises
    ------
    InvalidCaseError
        Field ``'drawing'``: not such a GeoJSON object, or an invalid drawing.
    LimitExceededError
        The drawing has more than 10,000 vertices.

    See Also
    --------
    read_drawing : The same, for every form of drawing and with a vertex limit of your choice.

    Examples
    --------
    >>> g = load_drawing_geojson({"type": "Polygon",
    ...                           "coordinates": [[[0, 0], [4, 0], [4, 3], [0, 0]]]})
    >>> g.area
    6.0
    """
    return read_drawing(data)


def read_drawing(drawing: Any, max_vertices: int = DEFAULT_MAX_VERTICES) -> Polygon | MultiPolygon:
    """Read a drawn area into a validated shapely polygon.

    Parameters
    ----------
    drawing : shapely Polygon or MultiPolygon, GeoJSON-like mapping, or sequence
        A shapely polygon, a GeoJSON Polygon/MultiPolygon geometry or a Feature holding one, or
        one ring given as a list (or array) of ``[x, y]`` (closing it is optional).
    max_vertices : int
        Largest number of vertices accepted.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        A valid polygon with positive area and finite coordinates.

    Raises
    ------
    InvalidCaseError
        Field ``'drawing'``: not one of those forms, empty, fewer than 3 distinct points,
        non-finite coordinates, a ring that crosses itself, or no area.
    LimitExceededError
        More than ``max_vertices`` vertices.

    Examples
    --------
    >>> read_drawing([[0, 0], [4, 0], [4, 3]]).area
    6.0
    >>> read_drawing([[0, 0], [4, 3], [4, 0], [0, 3]])
    Traceback (most recent call last):
    ...
    neuromap.errors.InvalidCaseError: Invalid value for 'drawing': intersects itself ... without crossing lines.
    """
    geom = _build(drawing, max_vertices)
    if not geom.is_valid:
        if _collinear(geom):
            raise InvalidCaseError("drawing", "has no area (its points lie on one line)")
        reason = shapely.is_valid_reason(geom)
        if "Self-intersection" in reason:
            problem = f"intersects itself ({reason}); redraw it without crossing lines"
        else:
            problem = f"is not a valid polygon ({reason})"
        raise InvalidCaseError("drawing", problem)
    if not geom.area > 0:
        few = any(len(np.unique(shapely.get_coordinates(g), axis=0)) < 3
                  for g in shapely.get_parts(geom))
        raise InvalidCaseError("drawing", "has fewer than 3 distinct points" if few
                               else "has no area (its points lie on one line)")
    return geom


def read_points(xy: Any) -> np.ndarray:
    """Read points into an ``(n, 2)`` float array.

    Parameters
    ----------
    xy : array_like, shape (n, 2)
        The points; an empty sequence is zero points.

    Returns
    -------
    numpy.ndarray, shape (n, 2)
        The points as floats.

    Raises
    ------
    InvalidCaseError
        Field ``'points'``: not an array of ``[x, y]`` numbers, or a non-finite coordinate.

    Examples
    --------
    >>> read_points([[1, 2], [3, 4]])
    array([[1., 2.],
           [3., 4.]])
    >>> read_points([]).shape
    (0, 2)
    """
    try:
        pts = np.asarray(xy, dtype=float)
    except OverflowError:  # an integer too large for a float
        raise InvalidCaseError("points", "has a non-finite coordinate (a number too large for "
                               "a float)") from None
    except (TypeError, ValueError):
        raise InvalidCaseError("points", "must be an array of [x, y] numbers") from None
    if pts.ndim != 2 or pts.shape[1] != 2:
        if pts.size == 0:
            return np.zeros((0, 2))
        raise InvalidCaseError("points", f"must have shape (n, 2), got {pts.shape}")
    if not np.isfinite(pts).all():
        bad = int(np.flatnonzero(~np.isfinite(pts).all(axis=1))[0])
        raise InvalidCaseError("points", f"point {bad} has a non-finite coordinate")
    return pts


def _build(drawing: Any, max_vertices: int) -> Polygon | MultiPolygon:
    """Build the (not yet validated) polygon of any accepted form, with the precise errors."""
    if isinstance(drawing, shapely.Geometry):
        if drawing.is_empty:
            raise InvalidCaseError("drawing", "is empty")
        if not isinstance(drawing, (Polygon, MultiPolygon)):
            raise InvalidCaseError("drawing", f"is a {drawing.geom_type}, not a Polygon or "
                                   "MultiPolygon")
        _check_vertex_count(shapely.get_num_coordinates(drawing), max_vertices)
        if not np.isfinite(shapely.get_coordinates(drawing)).all():
            raise InvalidCaseError("drawing", "has non-finite coordinates")
        return drawing
    if isinstance(drawing, Mapping):
        return _from_geojson(drawing, max_vertices)
    if isinstance(drawing, (Sequence, np.ndarray)) and not isinstance(drawing, str):
        _check_vertex_count(len(drawing), max_vertices)
        return shapely.polygons(_ring(drawing, "ring"))
    raise InvalidCaseError("drawing", f"a {type(drawing).__name__} is not a polygon, "
                           "a GeoJSON geometry or a list of [x, y]")


def _from_geojson(data: Mapping[str, Any], max_vertices: int) -> Polygon | MultiPolygon:
    """Build the polygon of a GeoJSON Polygon, MultiPolygon or Feature, ring by ring checked."""
    kind = data.get("type")
    if kind == "Feature":
        geom = data.get("geometry")
        if not isinstance(geom, Mapping):
            raise InvalidCaseError("drawing", "is a GeoJSON Feature without a geometry")
        return _from_geojson(geom, max_vertices)
    coords = data.get("coordinates")
    if kind in ("Polygon", "MultiPolygon") and (
        coords is None or (isinstance(coords, Sequence) and len(coords) == 0)
    ):
        raise InvalidCaseError("drawing", "is empty")
    if kind not in ("Polygon", "MultiPolygon"):
        raise InvalidCaseError("drawing", f"GeoJSON type {kind!r} is not a Polygon, "
                               "MultiPolygon or Feature")
    polys = [coords] if kind == "Polygon" else coords
    if not isinstance(polys, Sequence) or not polys:
        raise InvalidCaseError("drawing", "is empty")
    n = 0
    parts = []
    for j, rings in enumerate(polys):
        if not isinstance(rings, Sequence) or not rings:
            raise InvalidCaseError("drawing", f"polygon {j} has no rings")
        arrays = [_ring(r, f"ring {k} of polygon {j}") for k, r in enumerate(rings)]
        n += sum(len(a) for a in arrays)
        _check_vertex_count(n, max_vertices)
        parts.append(Polygon(arrays[0], arrays[1:]))
    return parts[0] if kind == "Polygon" else MultiPolygon(parts)


def _ring(coords: Any, what: str) -> np.ndarray:
    """The ``(n, 2)`` array of one ring, checked (``what`` names it in the errors)."""
    try:
        arr = np.asarray(coords, dtype=float)
    except OverflowError:  # an integer too large for a float
        raise InvalidCaseError("drawing", f"{what} has non-finite coordinates") from None
    except (TypeError, ValueError):
        raise InvalidCaseError("drawing", f"{what} is not a list of [x, y] numbers") from None
    if arr.size == 0:
        raise InvalidCaseError("drawing", "is empty")
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InvalidCaseError("drawing", f"{what} is not a list of [x, y] pairs")
    if not np.isfinite(arr).all():
        raise InvalidCaseError("drawing", f"{what} has non-finite coordinates")
    if len(arr) < 3 or (len(arr) < 8 and len({(float(x), float(y)) for x, y in arr}) < 3):
        raise InvalidCaseError("drawing", f"{what} has fewer than 3 distinct points")
    return arr


def _check_vertex_count(n: int, max_vertices: int) -> None:
    if n > max_vertices:
        raise LimitExceededError("drawing", f"has {n} vertices, more than the limit of "
                                 f"{max_vertices}")


def _collinear(geom: Polygon | MultiPolygon) -> bool:
    """Whether all the vertices of ``geom`` lie on one straight line."""
    d = shapely.get_coordinates(geom)
    d = d - d[0]
    far = d[int(np.argmax(np.hypot(d[:, 0], d[:, 1])))]
    scale = float(np.hypot(*far))
    if scale == 0.0:
        return True
    cross = d[:, 0] * far[1] - d[:, 1] * far[0]
    return bool(np.abs(cross).max() <= 1e-9 * scale * scale)
