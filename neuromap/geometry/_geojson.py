"""Reading a template FeatureCollection into region polygons, outlines and label anchors.

The format (``data/foot.geojson``, written by ``tools/foot/build_foot.py``): a FeatureCollection
with a ``"neuromap"`` member (``format`` 1, coordinates in mm, or 2, coordinates as integer
multiples of ``1 / coordinates_per_mm`` mm; ``template_side``; ``tiling_tolerance``) and one
Polygon feature per region (``properties.region``, ``.view``, optional ``.anchor``) plus an
optional outline feature per view (``properties.outline``). The template is held as the right
foot in mm: a left-foot file is mirrored on reading, and coordinates are divided back to mm.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.polygon import orient

from neuromap.errors import AtlasDataError
from neuromap.geometry._checks import check_anchor, check_polygon, check_tiling
from neuromap.geometry._frame import ALL_VIEWS, SIDES, mirror

#: The template file formats read: 1, coordinates and anchors in mm; 2, the same as numbers of
#: ``coordinates_per_mm`` steps (the builder writes integers: hundredths of a millimetre).
FORMATS = (1, 2)
#: The format of the template as held (mm), which :meth:`FootTemplate.to_geojson` writes.
FORMAT = 1


@dataclass
class TemplateParts:
    """What a template file holds, as the right foot in mm (see :func:`read_template`).

    Attributes
    ----------
    regions : dict
        View -> region id -> polygon (exterior counter-clockwise), ids sorted.
    outlines : dict
        View -> outline polygon (as the file draws it, or the union of the view's regions).
    anchors : dict
        Region id -> label anchor ``(x, y)``.
    meta : dict
        The ``"neuromap"`` member as held: ``format`` 1, ``template_side`` ``"right"``.
    landmarks : dict
        View -> landmark name -> LineString: artwork drawn over the regions (malleoli, toes,
        patella), optional, part of no region.
    """

    regions: dict[str, dict[str, Polygon]] = field(default_factory=dict)
    outlines: dict[str, Polygon] = field(default_factory=dict)
    anchors: dict[str, tuple[float, float]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    landmarks: dict[str, dict[str, LineString]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Header:
    meta: Mapping[str, Any]
    scale: int  # coordinates_per_mm (1 for a file in mm)
    left: bool  # a left-foot file, mirrored on reading
    tolerance: float
    features: list[Any]


def read_template(data: Any, *, file: str, max_vertices: int, check: bool) -> TemplateParts:
    """Read and check a template FeatureCollection.

    Parameters
    ----------
    data : mapping
        The parsed GeoJSON.
    file : str
        File name used in error messages.
    max_vertices : int
        Largest number of vertices of one feature.
    check : bool
        Also run the geometric checks (:mod:`neuromap.geometry._checks`): every polygon valid
        with positive area, every anchor in its region, the regions of each view tiling its
        outline. Without them the structure is still checked.

    Returns
    -------
    TemplateParts
        The template, as the right foot in mm.

    Raises
    ------
    AtlasDataError
        The first problem, in feature order, then view by view.

    Examples
    --------
    >>> sq = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
    >>> data = {"type": "FeatureCollection", "neuromap": {"format": 1},
    ...         "features": [{"type": "Feature",
    ...                       "properties": {"region": "a", "view": "dorsal"},
    ...                       "geometry": {"type": "Polygon", "coordinates": sq}}]}
    >>> parts = read_template(data, file="x.geojson", max_vertices=100, check=True)
    >>> parts.anchors, parts.outlines["dorsal"].area
    ({'a': (0.5, 0.5)}, 1.0)
    """
    head = _read_header(data, file)
    out = TemplateParts()
    for i, feat in enumerate(head.features):
        _read_feature(out, i, feat, head, file, max_vertices, check)
    for view in ALL_VIEWS:
        if view not in out.regions:
            if view in out.outlines:
                raise AtlasDataError(file, f"outline {view}", "view has no regions")
            continue
        ids, polys = list(out.regions[view]), list(out.regions[view].values())
        outline = out.outlines.get(view)
        union = check_tiling(polys, ids, outline, head.tolerance, file, view) if check else None
        if outline is None:
            if union is None:
                union = shapely.coverage_union_all(polys)
            out.outlines[view] = orient(union, 1.0)
        out.regions[view] = dict(sorted(out.regions[view].items()))
    out.meta = {k: v for k, v in head.meta.items() if k not in ("template_side", "coordinates_per_mm")}
    out.meta["format"] = FORMAT
    out.meta["template_side"] = "right"
    return out


def _read_header(data: Any, file: str) -> _Header:
    """Check the collection and its ``"neuromap"`` member."""
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise AtlasDataError(file, "type", "is not a GeoJSON FeatureCollection")
    meta = data.get("neuromap")
    fmt = meta.get("format") if isinstance(meta, Mapping) else None
    if not isinstance(meta, Mapping) or type(fmt) is not int or fmt not in FORMATS:
        raise AtlasDataError(file, "neuromap.format", "must be 1 (coordinates in mm) or 2 "
                             "(coordinates in steps of 1 / coordinates_per_mm mm)")
    scale = meta.get("coordinates_per_mm")
    if fmt == 2:
        if type(scale) is not int or scale < 1:
            raise AtlasDataError(file, "neuromap.coordinates_per_mm",
                                 "must be a positive integer (format 2)")
    elif scale is not None:
        raise AtlasDataError(file, "neuromap.coordinates_per_mm", "is only read in format 2")
    else:
        scale = 1
    side = meta.get("template_side", "right")
    if side not in SIDES:
        raise AtlasDataError(file, "neuromap.template_side", "must be 'left' or 'right'")
    tol = meta.get("tiling_tolerance", 0.1)
    if not isinstance(tol, (int, float)) or not math.isfinite(tol) or tol < 0:
        raise AtlasDataError(file, "neuromap.tiling_tolerance", "must be a finite number >= 0")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise AtlasDataError(file, "features", "must be a non-empty list")
    return _Header(meta, scale, side == "left", tol, features)


def _read_feature(out: TemplateParts, i: int, feat: Any, head: _Header, file: str,
                  max_vertices: int, check: bool) -> None:
    """Read feature ``i`` (a region or an outline) into ``out``."""
    props = feat.get("properties") if isinstance(feat, Mapping) else None
    if not isinstance(props, Mapping):
        raise AtlasDataError(file, f"features[{i}]", "has no properties object")
    if "landmark" in props:
        _read_landmark(out, i, feat, props, head, file, max_vertices)
        return
    rid: Any = props.get("region")
    oview: Any = props.get("outline")
    entry = f"features[{i}] ({rid or ('outline ' + str(oview))})"
    view = props.get("view") if rid is not None else oview
    if rid is not None and (not isinstance(rid, str) or not rid):
        raise AtlasDataError(file, entry, "region must be a non-empty string")
    if rid is None and oview is None:
        raise AtlasDataError(file, entry, "has neither 'region' nor 'outline'")
    if view not in ALL_VIEWS:
        raise AtlasDataError(file, entry, f"unknown view {view!r} (expected one of "
                             f"{', '.join(ALL_VIEWS)})")
    poly = _feature_polygon(feat.get("geometry"), file, entry, max_vertices, head.scale)
    if check:
        check_polygon(poly, file, entry)
    if head.left:
        poly = mirror(poly)
    if oview is not None:
        if oview in out.outlines:
            raise AtlasDataError(file, entry, f"duplicate outline of view {oview!r}")
        out.outlines[oview] = poly
        return
    if rid in out.anchors:
        raise AtlasDataError(file, entry, "duplicate region id")
    anchor = props.get("anchor")
    if anchor is None:
        pt = poly.point_on_surface()  # the polygon is already in the right foot's frame
        ax, ay = pt.x, pt.y
    elif (
        not isinstance(anchor, Sequence)
        or len(anchor) != 2
        or not all(isinstance(a, (int, float)) and _finite(a) for a in anchor)
    ):
        raise AtlasDataError(file, entry, "anchor must be [x, y] with finite numbers")
    else:
        ax, ay = float(anchor[0]) / head.scale, float(anchor[1]) / head.scale
        if head.left:
            ax = -ax
    if check:
        check_anchor(poly, ax, ay, file, entry)
    out.anchors[str(rid)] = (ax, ay)
    out.regions.setdefault(view, {})[str(rid)] = orient(poly, 1.0)


def _read_landmark(out: TemplateParts, i: int, feat: Mapping[str, Any], props: Mapping[str, Any], head: _Header,
                   file: str, max_vertices: int) -> None:
    """Read a landmark feature (a LineString drawn over a view) into ``out``."""
    name, view = props.get("landmark"), props.get("view")
    entry = f"features[{i}] (landmark {name})"
    if not isinstance(name, str) or not name:
        raise AtlasDataError(file, entry, "landmark must be a non-empty string")
    if view not in ALL_VIEWS:
        raise AtlasDataError(file, entry, f"unknown view {view!r} (expected one of {', '.join(ALL_VIEWS)})")
    geom = feat.get("geometry")
    coords = geom.get("coordinates") if isinstance(geom, Mapping) and geom.get("type") == "LineString" else None
    try:
        arr = np.asarray(coords, dtype=float) if isinstance(coords, Sequence) and not isinstance(coords, str) else None
    except (TypeError, ValueError, OverflowError):
        arr = None
    if arr is None or arr.ndim != 2 or arr.shape[1] != 2 or len(arr) < 2 or not np.isfinite(arr).all():
        raise AtlasDataError(file, entry, "geometry must be a GeoJSON LineString of at least 2 finite [x, y]")
    if len(arr) > max_vertices:
        raise AtlasDataError(file, entry, f"has more than {max_vertices} vertices")
    line = LineString(arr / head.scale * (np.array([-1.0, 1.0]) if head.left else 1.0))
    marks = out.landmarks.setdefault(str(view), {})
    if name in marks:
        raise AtlasDataError(file, entry, f"duplicate landmark of view {view!r}")
    marks[name] = line


def _finite(a: float) -> bool:
    """Whether a number is finite as a float (an integer too large for a float is not)."""
    try:
        return math.isfinite(a)
    except OverflowError:
        return False


def _feature_polygon(geom: Any, file: str, entry: str, max_vertices: int, scale: int) -> Polygon:
    """The Polygon of a feature, in mm (coordinates / ``scale``), its structure checked."""
    if not isinstance(geom, Mapping) or geom.get("type") != "Polygon":
        raise AtlasDataError(file, entry, "geometry must be a GeoJSON Polygon")
    rings = geom.get("coordinates")
    if not isinstance(rings, Sequence) or isinstance(rings, str):
        raise AtlasDataError(file, entry, "coordinates must be a list of rings")
    try:
        arrays = [np.asarray(r, dtype=float) for r in rings]
    except OverflowError:
        raise AtlasDataError(file, entry, "has non-finite coordinates (a number too large for "
                             "a float)") from None
    except (TypeError, ValueError):
        raise AtlasDataError(file, entry, "coordinates are not arrays of numbers") from None
    if not arrays or any(a.ndim != 2 or a.shape[1] != 2 or len(a) < 4 for a in arrays):
        raise AtlasDataError(file, entry, "each ring must be a list of at least 4 [x, y]")
    if sum(len(a) for a in arrays) > max_vertices:
        raise AtlasDataError(file, entry, f"has more than {max_vertices} vertices")
    if not all(np.isfinite(a).all() for a in arrays):
        raise AtlasDataError(file, entry, "has non-finite coordinates")
    if scale != 1:
        arrays = [a / scale for a in arrays]
    return Polygon(arrays[0], arrays[1:])
