"""Foot surface geometry: the region template and point/drawing queries against it.

The template (``data/foot.geojson``) draws the skin of a reference adult RIGHT foot in four
views and cuts each view into the skin regions of ``regions.json``.  The regions of a view tile
its outline exactly (no gaps, no overlaps; shared borders are identical vertex for vertex).
The file stores every coordinate and anchor as an integer number of hundredths of a millimetre
(format 2, ``coordinates_per_mm`` 100), which loading divides back to millimetres.

Coordinate frame
----------------
Millimetres of a reference adult foot (265 mm from the back of the heel to the tip of the
hallux, ~100 mm wide at the ball, ~65 mm at the heel).  Each view is drawn as an observer sees
it, x to the observer's right and y up:

``dorsal``
    Seen from above, toes up the page.  x = 0 on the long axis of the foot (heel centre to
    second toe), +x lateral; y = 0 at the back of the heel (the leg is cut just above the
    malleoli).
``plantar``
    Seen from below, toes up.  x = 0 on the long axis, +x MEDIAL (how the right sole looks from
    below); y = 0 at the back of the heel.
``medial``
    Seen from the medial side, sole on the ground.  y = 0 at the ground, +y dorsal; x = 0 at
    the back of the heel, the toes toward -x.
``lateral``
    Seen from the lateral side, sole on the ground.  y = 0 at the ground; x = 0 at the back of
    the heel, the toes toward +x.

The LEFT foot is the mirror image of the right: x -> -x in every view.  Every query takes
``side`` (``"left"`` or ``"right"``) and interprets coordinates in that side's frame.

Border rule
-----------
A point exactly on the border shared by two regions belongs to the region that comes first in
:meth:`FootTemplate.regions` order; a point exactly on the outline belongs to the region whose
edge it lies on (the outline is closed).  Everything else is decided by strict containment.
"""

from __future__ import annotations

import copy
import itertools
import math
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from neuromap.errors import (
    AtlasDataError,
    InvalidCaseError,
    LimitExceededError,
    suggest,
)

__all__ = [
    "SIDES",
    "ALL_VIEWS",
    "FOOT_VIEWS",
    "LIMB_VIEWS",
    "VIEWS",
    "FootTemplate",
    "OverlayResult",
    "RegionOverlap",
    "load_drawing_geojson",
]

#: The four views of the foot (the default views of the figures).
FOOT_VIEWS: tuple[str, ...] = ("dorsal", "plantar", "medial", "lateral")
#: The views of the rest of the lower limb (issue 9): thigh/knee/leg front and back, saddle.
LIMB_VIEWS: tuple[str, ...] = ("anterior", "posterior", "saddle")
#: Every view a template may hold, in order.
ALL_VIEWS: tuple[str, ...] = FOOT_VIEWS + LIMB_VIEWS
#: The foot views; kept under this name for the figures and callers that mean "the foot".
VIEWS: tuple[str, ...] = FOOT_VIEWS
SIDES: tuple[str, ...] = ("left", "right")
#: The template file formats read: 1, coordinates and anchors in mm; 2, the same as numbers of
#: ``coordinates_per_mm`` steps (the builder writes integers: hundredths of a millimetre).
FORMATS = (1, 2)
FORMAT = 1  # the format of the in-memory template (mm), which :meth:`FootTemplate.to_geojson` writes
DEFAULT_MAX_VERTICES = 10_000
#: Side of a cell of the classification raster, mm.
CELL_MM = 0.25
#: Largest number of cells of one raster (a larger view gets coarser cells).
MAX_CELLS = 1_500_000


@dataclass(frozen=True)
class RegionOverlap:
    """How much of one region a drawing covers.

    Attributes
    ----------
    region : str
        The region id.
    area_mm2 : float
        Area of the intersection of the drawing with the region, mm².
    fraction_of_region : float
        ``area_mm2`` divided by the area of the region (0..1].
    fraction_of_drawing : float
        ``area_mm2`` divided by the area of the drawing (0..1].
    """

    region: str
    area_mm2: float
    fraction_of_region: float
    fraction_of_drawing: float


@dataclass(frozen=True)
class OverlayResult(Sequence[RegionOverlap]):
    """The result of :meth:`FootTemplate.overlay`: a read-only sequence of :class:`RegionOverlap`.

    It behaves like a tuple of the overlaps (``len``, indexing, iteration), sorted by region
    order, and also reports the part of the drawing that lies outside the foot outline.

    Attributes
    ----------
    overlaps : tuple of RegionOverlap
        One entry per region the drawing covers with positive area.
    drawing_area_mm2 : float
        Area of the whole drawing, mm².
    outside_area_mm2 : float
        Area of the drawing outside the outline of the view, mm².
    """

    overlaps: tuple[RegionOverlap, ...]
    drawing_area_mm2: float
    outside_area_mm2: float

    @property
    def inside_area_mm2(self) -> float:
        """Area of the drawing inside the outline (the sum of the overlaps), mm²."""
        return self.drawing_area_mm2 - self.outside_area_mm2

    @property
    def outside_fraction(self) -> float:
        """Fraction of the drawing's area outside the outline (0..1)."""
        return self.outside_area_mm2 / self.drawing_area_mm2

    @property
    def regions(self) -> tuple[str, ...]:
        """The ids of the covered regions, in region order."""
        return tuple(o.region for o in self.overlaps)

    def __len__(self) -> int:
        """Return the number of covered regions."""
        return len(self.overlaps)

    def __getitem__(self, index: Any) -> Any:
        """Return one overlap (or a tuple of them for a slice)."""
        return self.overlaps[index]

    def __iter__(self) -> Iterator[RegionOverlap]:
        """Iterate over the overlaps in region order."""
        return iter(self.overlaps)


@dataclass(frozen=True)
class _Raster:
    """Label raster of one view and side (see :meth:`FootTemplate.classify_points`)."""

    x0: float
    y0: float
    cell: float  # side of a cell, mm (CELL_MM, doubled for large views)
    nx: int
    ny: int
    flat_labels: np.ndarray  # (ny * nx,) int8: region index, -1 outside, -2 border cell
    flat_masks: np.ndarray  # (ny * nx,) int64: bit i set if region i's border touches the cell


def _check_side(side: str) -> None:
    if side not in SIDES:
        raise InvalidCaseError("side", f"{side!r} is not 'left' or 'right'", ())


def _mirror(geom: Any) -> Any:
    """Mirror a geometry across x = 0 and restore counter-clockwise exterior rings."""
    flipped = shapely.transform(geom, lambda c: c * np.array([-1.0, 1.0]))
    return orient(flipped, 1.0) if isinstance(flipped, Polygon) else flipped


class FootTemplate:
    """The foot template: region polygons per view, with point and drawing queries.

    Build it with :meth:`from_geojson`.  The object is immutable; mirrored (left-foot)
    geometry and the classification rasters are computed lazily and cached.

    Examples
    --------
    >>> import json
    >>> from pathlib import Path
    >>> path = Path(__file__).parents[1] / "data" / "foot.geojson"  # doctest: +SKIP
    >>> foot = FootTemplate.from_geojson(json.loads(path.read_text()))  # doctest: +SKIP
    >>> foot.region_ids_at([[-12.0, 195.0]], "dorsal")  # doctest: +SKIP
    ['first_web_space']
    """

    __slots__ = ("_anchors", "_cache", "_meta", "_outlines", "_polys", "_regions", "_view_of")

    _meta: Mapping[str, Any]
    _regions: dict[str, tuple[str, ...]]
    _view_of: dict[str, str]
    _polys: dict[str, Polygon]
    _outlines: dict[str, Polygon]
    _anchors: dict[str, tuple[float, float]]
    _cache: dict[tuple[str, ...], Any]

    def __init__(
        self,
        regions: Mapping[str, Mapping[str, Polygon]],
        outlines: Mapping[str, Polygon],
        anchors: Mapping[str, tuple[float, float]],
        meta: Mapping[str, Any],
    ) -> None:
        self._meta = copy.deepcopy(dict(meta))
        self._regions = {v: tuple(regions[v]) for v in ALL_VIEWS if v in regions}
        self._view_of = {r: v for v, rs in self._regions.items() for r in rs}
        self._polys = {r: p for v in self._regions for r, p in regions[v].items()}
        self._outlines = dict(outlines)
        self._anchors = dict(anchors)
        self._cache = {}

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_geojson(
        cls,
        data: Mapping[str, Any],
        *,
        file: str = "foot.geojson",
        max_vertices: int = DEFAULT_MAX_VERTICES,
    ) -> FootTemplate:
        """Build and validate a template from its GeoJSON FeatureCollection.

        Parameters
        ----------
        data : mapping
            The parsed GeoJSON: a FeatureCollection with a ``"neuromap"`` member and one
            Polygon feature per region (``properties.region`` and ``.view``); outline features
            (``properties.outline``) are optional and, when present, checked. Format 1 gives
            coordinates and anchors in mm; format 2 gives them as multiples of
            ``1 / coordinates_per_mm`` mm (a positive integer; the bundled file stores integer
            hundredths of a millimetre), which are divided by it on load.
        file : str
            File name used in error messages.
        max_vertices : int
            Maximum number of vertices of one feature.

        Returns
        -------
        FootTemplate
            The template, stored as the right foot (a ``template_side: "left"`` file is
            mirrored on load).

        Raises
        ------
        AtlasDataError
            The data is malformed: wrong format, unknown view, a feature that is not a valid
            non-empty Polygon with finite coordinates, a duplicate region id, overlapping
            regions, or regions that do not tile the view outline.

        Examples
        --------
        >>> sq = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
        >>> data = {"type": "FeatureCollection", "neuromap": {"format": 1},
        ...         "features": [{"type": "Feature",
        ...                       "properties": {"region": "a", "view": "dorsal"},
        ...                       "geometry": {"type": "Polygon", "coordinates": sq}}]}
        >>> FootTemplate.from_geojson(data).regions()
        ('a',)
        """
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

        # the exact tiling proof on the canonical (vertex-snapped) form; anything it cannot prove
        # goes through the reference checks below, which raise the precise error (or accept a
        # file whose outline matches only within the tolerance)
        built = _template_fast(features, side == "left", max_vertices, scale)
        if built is None:
            built = _template_checked(features, side, tol, file, max_vertices, scale)
        regions, outlines, anchors = built
        # the metadata of the template as held: the right foot, in mm (format 1)
        meta_out = {k: v for k, v in meta.items() if k not in ("template_side", "coordinates_per_mm")}
        meta_out["format"] = FORMAT
        meta_out["template_side"] = "right"
        return cls({v: dict(sorted(regions[v].items())) for v in regions}, outlines, anchors,
                   meta_out)

    # ------------------------------------------------------------------ lookups
    @property
    def views(self) -> tuple[str, ...]:
        """The views present in the template, in :data:`ALL_VIEWS` order."""
        return tuple(self._regions)

    @property
    def metadata(self) -> dict[str, Any]:
        """A (deep) copy of the ``"neuromap"`` member of the template file, as the template holds it.

        That is the right foot in mm: ``template_side`` is ``"right"`` and ``format`` 1 (a
        format 2 file's ``coordinates_per_mm`` is dropped, its coordinates having been divided).
        """
        return copy.deepcopy(dict(self._meta))

    def regions(self, view: str | None = None) -> tuple[str, ...]:
        """Return the region ids of one view (or of all views), in stable order.

        Parameters
        ----------
        view : str or None
            A view name; ``None`` for every region (views in :data:`ALL_VIEWS` order, then ids
            sorted).

        Returns
        -------
        tuple of str
            Region ids; the index of an id is what :meth:`classify_points` returns.

        Examples
        --------
        >>> foot.regions("medial")  # doctest: +SKIP
        ('medial_arch', 'medial_border', 'medial_forefoot', 'medial_heel', 'medial_malleolus',
         'posterior_heel_medial')
        """
        if view is None:
            return tuple(r for rs in self._regions.values() for r in rs)
        return self._regions[self._check_view(view)]

    def view_of(self, region: str) -> str:
        """Return the view a region is drawn in.

        Parameters
        ----------
        region : str
            A region id.

        Returns
        -------
        str
            The view name.

        Examples
        --------
        >>> foot.view_of("first_web_space")  # doctest: +SKIP
        'dorsal'
        """
        return self._view_of[self._check_region(region)]

    def polygon(self, region: str, *, side: str = "right") -> Polygon:
        """Return the polygon of a region (counter-clockwise exterior).

        Parameters
        ----------
        region : str
            A region id.
        side : {"right", "left"}
            Which foot; the left foot is mirrored (x -> -x).

        Returns
        -------
        shapely.Polygon
            The region polygon in that side's frame.

        Examples
        --------
        >>> round(foot.polygon("plantar_heel").area)  # doctest: +SKIP
        4611
        """
        self._check_region(region)
        return self._side(side)["polys"][region]

    def outline(self, view: str, *, side: str = "right") -> Polygon:
        """Return the outline of a view: the union of its regions.

        Parameters
        ----------
        view : str
            A view name.
        side : {"right", "left"}
            Which foot.

        Returns
        -------
        shapely.Polygon
            The outline polygon.

        Examples
        --------
        >>> foot.outline("dorsal").bounds  # doctest: +SKIP
        (-46.02, 0.0, 54.25, 265.0)
        """
        self._check_view(view)
        return self._side(side)["outlines"][view]

    def anchor(self, region: str, *, side: str = "right") -> tuple[float, float]:
        """Return the label anchor of a region: a point well inside it for writing its label.

        Parameters
        ----------
        region : str
            A region id.
        side : {"right", "left"}
            Which foot.

        Returns
        -------
        tuple of float
            ``(x, y)``.

        Examples
        --------
        >>> foot.anchor("plantar_heel")  # doctest: +SKIP
        (-0.77, 43.42)
        """
        self._check_region(region)
        _check_side(side)
        x, y = self._anchors[region]
        return (-x if side == "left" else x, y)

    def bounds(self, view: str, *, side: str = "right") -> tuple[float, float, float, float]:
        """Return ``(xmin, ymin, xmax, ymax)`` of a view's outline.

        Parameters
        ----------
        view : str
            A view name.
        side : {"right", "left"}
            Which foot.

        Returns
        -------
        tuple of float
            The bounding box, mm.

        Examples
        --------
        >>> foot.bounds("medial")  # doctest: +SKIP
        (-265.04, 0.0, 0.0, 130.0)
        """
        b = self.outline(view, side=side).bounds
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    # ------------------------------------------------------------------ point queries
    def classify_points(self, xy: Any, view: str, *, side: str = "right") -> np.ndarray:
        """Return the region index of each point (vectorized).

        A label raster of :data:`CELL_MM` cells is built once per view and side (lazily,
        cached).  Points in cells that no region border crosses get the cell's region
        directly; points in border cells are tested exactly (``shapely.intersects_xy``
        against only the regions whose border touches the cell).  A point on a border
        shared by two regions goes to the first of them in :meth:`regions` order; a point
        on the outline is inside.

        Parameters
        ----------
        xy : array_like, shape (n, 2)
            Points in the frame of ``view`` and ``side``, mm.
        view : str
            A view name.
        side : {"right", "left"}
            Which foot.

        Returns
        -------
        numpy.ndarray of int, shape (n,)
            Index into ``self.regions(view)``, or -1 for points outside the outline.

        Raises
        ------
        InvalidCaseError
            ``xy`` is not an (n, 2) array of finite numbers (field ``'points'``).

        Examples
        --------
        >>> foot.classify_points([[0.0, 35.0], [500.0, 0.0]], "plantar")  # doctest: +SKIP
        array([ 7, -1])
        """
        pts = _as_points(xy)
        self._check_view(view)
        _check_side(side)
        ras = self._raster(view, side)
        if not len(pts):
            return np.full(0, -1, dtype=np.intp)
        x, y = pts[:, 0], pts[:, 1]
        # Cell indices.  Clipping to the raster first is exact: the first and last row and
        # column of the raster lie wholly outside the outline (or are border cells, which are
        # tested exactly), and truncation equals floor for the non-negative clipped values.
        fx = np.subtract(x, ras.x0)
        fx *= 1.0 / ras.cell
        np.clip(fx, 0.0, ras.nx - 1, out=fx)
        fy = np.subtract(y, ras.y0)
        fy *= 1.0 / ras.cell
        np.clip(fy, 0.0, ras.ny - 1, out=fy)
        flat = fy.astype(np.intp)
        flat *= ras.nx
        flat += fx.astype(np.intp)
        out = np.take(ras.flat_labels, flat).astype(np.intp)
        bidx = np.flatnonzero(out == -2)
        if len(bidx):
            masks = np.take(ras.flat_masks, flat[bidx])
            res = np.full(len(bidx), -1, dtype=np.intp)
            polys = self._side(side)["view_polys"][view]
            bx, by = x[bidx], y[bidx]
            for i, poly in enumerate(polys):
                sel = np.flatnonzero(((masks >> i) & 1).astype(bool) & (res < 0))
                if len(sel):
                    hit = shapely.intersects_xy(poly, bx[sel], by[sel])
                    res[sel[hit]] = i
            out[bidx] = res
        return out

    def region_ids_at(self, xy: Any, view: str, *, side: str = "right") -> list[str | None]:
        """Return the region id at each point, ``None`` outside the outline.

        Parameters
        ----------
        xy : array_like, shape (n, 2)
            Points, mm.
        view : str
            A view name.
        side : {"right", "left"}
            Which foot.

        Returns
        -------
        list of str or None
            One entry per point.

        Examples
        --------
        >>> foot.region_ids_at([[-12.0, 195.0]], "dorsal", side="right")  # doctest: +SKIP
        ['first_web_space']
        """
        ids = self.regions(view)
        return [ids[i] if i >= 0 else None for i in self.classify_points(xy, view, side=side)]

    # ------------------------------------------------------------------ drawings
    def overlay(
        self,
        drawing: Any,
        view: str,
        *,
        side: str = "right",
        max_vertices: int = DEFAULT_MAX_VERTICES,
    ) -> OverlayResult:
        """Intersect a drawing (an area the patient marked) with the regions of a view.

        Parameters
        ----------
        drawing : shapely Polygon or MultiPolygon, GeoJSON-like mapping, or sequence
            The drawn area in the frame of ``view`` and ``side``: a shapely polygon, a GeoJSON
            Polygon/MultiPolygon geometry or Feature, or a ring given as a list of ``[x, y]``
            (closing it is optional).
        view : str
            A view name.
        side : {"right", "left"}
            Which foot.
        max_vertices : int
            Maximum number of vertices of the drawing.

        Returns
        -------
        OverlayResult
            A sequence of :class:`RegionOverlap`, one per region the drawing covers with
            positive area, in :meth:`regions` order; ``outside_area_mm2`` and
            ``outside_fraction`` report the part of the drawing outside the outline.

        Raises
        ------
        InvalidCaseError
            (field ``'drawing'``) the drawing is empty, has fewer than 3 points, has
            non-finite coordinates, intersects itself, has no area, or lies entirely outside
            the foot outline.
        LimitExceededError
            The drawing has more than ``max_vertices`` vertices.

        Examples
        --------
        >>> res = foot.overlay([[-20, 180], [-5, 180], [-5, 200], [-20, 200]], "dorsal")
        ... # doctest: +SKIP
        >>> res.regions  # doctest: +SKIP
        ('first_web_space', 'hallux_dorsal', 'medial_dorsum')
        """
        self._check_view(view)
        _check_side(side)
        geom = _parse_drawing(drawing, max_vertices)
        data = self._side(side)
        region_area: list[float] = data["areas"][view]
        ids = self._regions[view]
        # bounding-box candidates, in region order (a view has a few dozen regions at most: a
        # plain scan of the cached boxes is cheaper than an STR-tree query)
        xmin, ymin, xmax, ymax = shapely.bounds(geom).tolist()
        cand = [i for i, (a, b, c, d) in enumerate(data["bounds"][view])
                if a <= xmax and c >= xmin and b <= ymax and d >= ymin]
        total = float(geom.area)
        overlaps: list[RegionOverlap] = []
        inside = 0.0
        if cand:
            areas = _intersection_areas(data["arrays"][view][cand], geom, total)
            for i, a in zip(cand, areas.tolist(), strict=True):
                if a > 0.0:
                    overlaps.append(RegionOverlap(ids[i], a, a / region_area[i], a / total))
                    inside += a
        if not overlaps:
            raise InvalidCaseError(
                "drawing", f"lies entirely outside the foot outline of the {view} view "
                f"(bounds {_fmt_bounds(self.bounds(view, side=side))})"
            )
        outside = max(total - inside, 0.0)
        return OverlayResult(tuple(overlaps), total, outside)

    # ------------------------------------------------------------------ export
    def to_geojson(self, view: str | None = None, *, side: str = "right") -> dict[str, Any]:
        """Return the template (or one view of it) as a GeoJSON FeatureCollection.

        Parameters
        ----------
        view : str or None
            One view, or ``None`` for all.
        side : {"right", "left"}
            Which foot; the collection's ``neuromap.template_side`` says which.

        Returns
        -------
        dict
            A FeatureCollection that :meth:`from_geojson` reads back to an equal template.

        Examples
        --------
        >>> fc = foot.to_geojson("plantar", side="left")  # doctest: +SKIP
        >>> fc["neuromap"]["template_side"]  # doctest: +SKIP
        'left'
        """
        _check_side(side)
        views = self.views if view is None else (self._check_view(view),)
        feats: list[dict[str, Any]] = []
        for v in views:
            for r in self._regions[v]:
                feats.append({
                    "type": "Feature",
                    "properties": {"region": r, "view": v,
                                   "anchor": list(self.anchor(r, side=side))},
                    "geometry": shapely.geometry.mapping(self.polygon(r, side=side)),
                })
            feats.append({
                "type": "Feature",
                "properties": {"outline": v},
                "geometry": shapely.geometry.mapping(self.outline(v, side=side)),
            })
        meta = self.metadata
        meta["template_side"] = side
        return {"type": "FeatureCollection", "neuromap": meta, "features": _lists(feats)}

    # ------------------------------------------------------------------ internals
    def __repr__(self) -> str:
        """Return ``FootTemplate(view=count, ...)``."""
        counts = ", ".join(f"{v}={len(rs)}" for v, rs in self._regions.items())
        return f"FootTemplate({counts})"

    def _check_view(self, view: str) -> str:
        if view not in self._regions:
            raise InvalidCaseError("view", f"{view!r} is not a view of the foot template",
                                   suggest(str(view), self._regions))
        return view

    def _check_region(self, region: str) -> str:
        if region not in self._view_of:
            raise InvalidCaseError("region", f"{region!r} is not a region of the foot template",
                                   suggest(str(region), self._view_of))
        return region

    def _side(self, side: str) -> dict[str, Any]:
        """Geometry of one side (mirrored for the left foot), prepared, with areas and bounds; cached."""
        _check_side(side)
        key = ("side", side)
        got = self._cache.get(key)
        if got is None:
            if side == "right":
                polys = dict(self._polys)
                outlines = dict(self._outlines)
            else:
                polys = {r: _mirror(p) for r, p in self._polys.items()}
                outlines = {v: _mirror(p) for v, p in self._outlines.items()}
            view_polys = {v: [polys[r] for r in rs] for v, rs in self._regions.items()}
            for ps in view_polys.values():
                for p in ps:
                    shapely.prepare(p)
            # object arrays of the *prepared* polygons, for the vectorized predicates
            arrays = {v: np.array(ps, dtype=object) for v, ps in view_polys.items()}
            for a in arrays.values():
                a.flags.writeable = False
            # region areas (what polygon.area gives), for the fractions of overlay()
            areas = {v: shapely.area(a).tolist() for v, a in arrays.items()}
            # region bounding boxes (xmin, ymin, xmax, ymax), for the candidates of overlay()
            bounds = {v: [tuple(b) for b in shapely.bounds(a).tolist()] for v, a in arrays.items()}
            got = {"polys": polys, "outlines": outlines, "view_polys": view_polys,
                   "arrays": arrays, "areas": areas, "bounds": bounds}
            self._cache[key] = got
        return got

    def _raster(self, view: str, side: str) -> _Raster:
        key = ("raster", view, side)
        ras = self._cache.get(key)
        if ras is None:
            ras = _build_raster(self._side(side)["view_polys"][view],
                                self.outline(view, side=side))
            self._cache[key] = ras
        return ras


# ---------------------------------------------------------------------- helpers
def _intersection_areas(polys: np.ndarray, geom: Any, total: float) -> np.ndarray:
    """Areas of ``polys[i] & geom``: exact GEOS overlay of the (prepared) regions with the drawing.

    A drawing that one region covers is answered without an overlay (the other candidates
    only touch it).  The regions are not clipped to the drawing's bounding box first: for
    drawings of a few dozen vertices the clip costs more than it saves.
    """
    covered = shapely.covers(polys, geom)
    if covered.any():
        return np.where(covered & (np.cumsum(covered) == 1), total, 0.0)
    return shapely.area(shapely.intersection(polys, geom))


def _build_raster(polys: Sequence[Polygon], outline: Polygon) -> _Raster:
    """Label raster: region index of border-free cells, -2 for cells a border touches."""
    if len(polys) > 62:
        raise ValueError("at most 62 regions per view")  # bit masks are int64; labels int8
    xmin, ymin, xmax, ymax = outline.bounds
    # CELL_MM for the foot views; doubled until the raster has at most MAX_CELLS cells (the
    # limb views are ~1 m tall).  Exactness does not depend on the cell size: border cells
    # are always tested exactly.
    cell = CELL_MM
    while ((xmax - xmin) / cell + 4) * ((ymax - ymin) / cell + 4) > MAX_CELLS:
        cell *= 2.0
    x0 = math.floor(xmin / cell) * cell - cell
    y0 = math.floor(ymin / cell) * cell - cell
    nx = math.ceil((xmax - x0) / cell) + 2
    ny = math.ceil((ymax - y0) / cell) + 2
    # Region of every cell centre.
    cx = x0 + (np.arange(nx) + 0.5) * cell
    cy = y0 + (np.arange(ny) + 0.5) * cell
    gx, gy = np.meshgrid(cx, cy)
    labels = np.full((ny, nx), -1, dtype=np.int8)
    for i, p in enumerate(polys):
        labels[shapely.contains_xy(p, gx, gy)] = i
    # Cells crossed by region borders: walk each border in steps of a quarter cell and mark
    # the cells of both ends of every step (plus the two diagonal neighbours when a step
    # changes row and column), evaluated at a tiny offset both ways so that borders lying on
    # grid lines mark the cells on both sides.
    masks = np.zeros((ny, nx), dtype=np.int64)
    eps = 1e-7
    for i, p in enumerate(polys):
        dense = shapely.segmentize(p.exterior, cell / 4)
        c = shapely.get_coordinates(dense)
        bit = np.int64(1) << np.int64(i)
        for dx in (-eps, eps):
            for dy in (-eps, eps):
                fx = np.floor((c[:, 0] - x0) / cell + dx).astype(np.intp)
                fy = np.floor((c[:, 1] - y0) / cell + dy).astype(np.intp)
                masks[fy, fx] |= bit
                masks[fy[1:], fx[:-1]] |= bit
                masks[fy[:-1], fx[1:]] |= bit
    labels[masks != 0] = -2
    flat_labels, flat_masks = labels.ravel(), masks.ravel()
    flat_labels.flags.writeable = False
    flat_masks.flags.writeable = False
    return _Raster(x0, y0, cell, nx, ny, flat_labels, flat_masks)


def _as_points(xy: Any) -> np.ndarray:
    try:
        pts = np.asarray(xy, dtype=float)
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


def _fmt_bounds(b: tuple[float, float, float, float]) -> str:
    return f"x {b[0]:.0f}..{b[2]:.0f}, y {b[1]:.0f}..{b[3]:.0f} mm"


def _lists(obj: Any) -> Any:
    """Turn the tuples of ``shapely.geometry.mapping`` into lists (plain JSON shape)."""
    if isinstance(obj, dict):
        return {k: _lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_lists(v) for v in obj]
    return obj


def _template_fast(
    features: list[Any], left: bool, max_vertices: int, scale: int = 1,
) -> tuple[dict[str, dict[str, Polygon]], dict[str, Polygon], dict[str, tuple[float, float]]] | None:
    """Build and validate the template in one vectorized pass, or return None.

    This proves what :func:`_template_checked` checks, for a file in the canonical form the
    builder writes (plain JSON lists, closed rings, shared borders identical vertex for
    vertex, an outline per view whose vertices are those of the regions' boundary): every
    feature is a valid Polygon with finite coordinates and positive area, ids are unique,
    anchors lie in their regions, and the regions of each view tile its outline exactly.

    The tiling proof works on directed edges. With every region oriented counter-clockwise
    (holes clockwise), the winding number of a region's boundary is its indicator function, so
    the sum of the regions' indicators is the winding number of the sum of their boundaries as
    a chain of edges, where an edge and its reverse cancel. If no directed edge occurs twice
    (two regions on the same side of one edge) and the edges left after cancelling are exactly
    the edges of the view's oriented outline (a valid polygon without holes), the sum of the
    indicators equals the outline's indicator: no gaps, no overlaps, nothing outside. A
    T-junction or a border drawn differently on its two sides leaves unpaired edges inside
    the outline and fails the comparison.

    Coordinates and anchors are divided by *scale* (``coordinates_per_mm`` of a format 2 file;
    1 for mm), as :func:`_template_checked` divides them.

    Returns None (never raises) when the data is not in that form or a check fails; the caller
    then runs the reference checks, which raise the precise error.
    """
    n = len(features)
    views: list[str] = []
    rids: list[str | None] = []
    given: list[Any] = []
    rings: list[Any] = []
    ring_count: list[int] = []
    region_ids: set[str] = set()
    outline_views: set[str] = set()
    for feat in features:
        if type(feat) is not dict:
            return None
        props = feat.get("properties")
        geom = feat.get("geometry")
        if type(props) is not dict or type(geom) is not dict or geom.get("type") != "Polygon":
            return None
        rid = props.get("region")
        oview = props.get("outline")
        if rid is not None:
            view = props.get("view")
            if oview is not None or type(rid) is not str or not rid or rid in region_ids:
                return None
            region_ids.add(rid)
            anchor = props.get("anchor")
            if anchor is not None:
                if (type(anchor) is not list or len(anchor) != 2
                        or not all(type(a) is float or type(a) is int for a in anchor)):
                    return None
        else:
            view = oview
            if oview is None or oview in outline_views:
                return None
            outline_views.add(oview)
            anchor = None
        if view not in ALL_VIEWS:
            return None
        coords = geom.get("coordinates")
        if type(coords) is not list or not coords:
            return None
        total = 0
        for ring in coords:
            if type(ring) is not list or len(ring) < 4:
                return None
            total += len(ring)
        if total > max_vertices:
            return None
        views.append(view)
        rids.append(rid)
        given.append(anchor)
        rings.extend(coords)
        ring_count.append(len(coords))
    if outline_views - {views[i] for i in range(n) if rids[i] is not None}:
        return None  # an outline of a view without regions

    # one flat conversion (faster than an array per ring); each point must be a list [x, y]
    points = [p for ring in rings for p in ring]
    if set(map(type, points)) != {list} or set(map(len, points)) != {2}:
        return None
    try:
        xy = np.fromiter(itertools.chain.from_iterable(points), dtype=float, count=2 * len(points))
    except (TypeError, ValueError, OverflowError):  # (an integer too large for a float)
        return None
    if not np.isfinite(xy).all():
        return None
    if scale != 1:
        xy /= scale
    xy = xy.reshape(-1, 2)
    ring_offsets = np.zeros(len(rings) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rings], out=ring_offsets[1:])
    if not (xy[ring_offsets[:-1]] == xy[ring_offsets[1:] - 1]).all():
        return None  # a ring that is not closed
    if left:
        xy[:, 0] = -xy[:, 0]
    geom_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(ring_count, out=geom_offsets[1:])
    raw = shapely.from_ragged_array(shapely.GeometryType.POLYGON, xy, (ring_offsets, geom_offsets))
    if not shapely.is_valid(raw).all() or not (shapely.area(raw) > 0).all():
        return None
    oriented = shapely.orient_polygons(raw)
    # a left file is mirrored (which orients every polygon); a right file's outlines are kept
    # as drawn, exactly as the reference construction stores them
    drawn = oriented if left else raw

    is_region = np.fromiter((r is not None for r in rids), dtype=bool, count=n)
    reg_index = np.flatnonzero(is_region)
    anchors: dict[str, tuple[float, float]] = {}
    ax = np.empty(len(reg_index))
    ay = np.empty(len(reg_index))
    missing = [k for k, j in enumerate(reg_index) if given[j] is None]
    if missing:
        # computed in the right foot's frame (the polygon is already mirrored)
        pts = shapely.get_coordinates(shapely.point_on_surface(drawn[reg_index[missing]]))
        ax[missing], ay[missing] = pts[:, 0], pts[:, 1]
    for k, j in enumerate(reg_index):
        a = given[j]
        if a is not None:
            try:
                x, y = float(a[0]) / scale, float(a[1]) / scale
            except OverflowError:
                return None
            ax[k], ay[k] = (-x if left else x), y
    if not np.isfinite(ax).all() or not np.isfinite(ay).all():
        return None
    if not shapely.intersects_xy(drawn[reg_index], ax, ay).all():
        return None

    # views with regions but no outline feature: the outline is the union of the regions
    view_index = {v: k for k, v in enumerate(ALL_VIEWS)}
    feat_view = np.fromiter((view_index[v] for v in views), dtype=np.int64, count=n)
    extra: list[Any] = []
    extra_view: list[int] = []
    unions: dict[str, Polygon] = {}
    for v in ALL_VIEWS:
        in_view = reg_index[feat_view[reg_index] == view_index[v]]
        if len(in_view) and v not in outline_views:
            union = shapely.coverage_union_all(oriented[in_view])
            if union.geom_type != "Polygon" or len(union.interiors) or not union.is_valid:
                return None
            unions[v] = orient(union, 1.0)
            extra.append(unions[v])
            extra_view.append(view_index[v])

    # every oriented ring's directed edges, keyed by (view, from vertex, to vertex); orienting
    # reverses rings in place, so the ring offsets are those of the input (shapely's ragged
    # array helpers would import numpy.ma, ~10 ms, through np.unique)
    oxy = shapely.get_coordinates(oriented)
    oring = ring_offsets
    geom_view = feat_view
    geom_outline = ~is_region
    ring_geom = np.repeat(np.arange(n), ring_count)
    if extra:
        ext = [shapely.get_coordinates(u) for u in extra]
        oxy = np.concatenate([oxy, *ext])
        oring = np.concatenate([ring_offsets, ring_offsets[-1] + np.cumsum([len(e) for e in ext])])
        geom_view = np.concatenate([feat_view, np.array(extra_view, dtype=np.int64)])
        geom_outline = np.concatenate([geom_outline, np.ones(len(extra), dtype=bool)])
        ring_geom = np.concatenate([ring_geom, np.arange(n, n + len(extra))])
    if len(oxy) != oring[-1]:
        return None
    if np.bincount(ring_geom[geom_outline[ring_geom]], minlength=1).max(initial=0) > 1:
        return None  # an outline with holes
    point_ring = np.repeat(np.arange(len(oring) - 1), np.diff(oring))
    # vertex ids: equal coordinates, equal id (+ 0.0 folds -0.0 into 0.0, as GEOS compares); the
    # coordinates are finite, so sorting them as x + iy (real part first) puts equal ones together
    cxy = (oxy + 0.0).view(np.complex128).ravel()
    order = np.argsort(cxy)
    scxy = cxy[order]
    vid = np.empty(len(oxy), dtype=np.int64)
    vid[order] = np.concatenate([[0], np.cumsum(scxy[1:] != scxy[:-1])])
    last = np.zeros(len(oxy), dtype=bool)
    last[oring[1:] - 1] = True
    start = np.flatnonzero(~last)
    a, b = vid[start], vid[start + 1]
    keep = a != b  # repeated vertices make zero-length edges, which bound nothing
    start, a, b = start[keep], a[keep], b[keep]
    edge_geom = ring_geom[point_ring[start]]
    nv = int(vid.max()) + 1
    base = geom_view[edge_geom] * nv
    key = (base + a) * nv + b
    rev = (base + b) * nv + a
    on_outline = geom_outline[edge_geom]
    region_keys = np.sort(key[~on_outline])
    if (region_keys[1:] == region_keys[:-1]).any():
        return None  # two regions on the same side of one edge: they overlap
    rrev = rev[~on_outline]
    pos = np.searchsorted(region_keys, rrev).clip(max=len(region_keys) - 1)
    unpaired = key[~on_outline][region_keys[pos] != rrev]
    outline_keys = np.sort(key[on_outline])
    if not np.array_equal(np.sort(unpaired), outline_keys):
        return None

    regions: dict[str, dict[str, Polygon]] = {}
    outlines: dict[str, Polygon] = {}
    for view, rid, poly, as_drawn in zip(views, rids, oriented, drawn, strict=True):
        if rid is None:
            outlines[view] = as_drawn
        else:
            regions.setdefault(view, {})[rid] = poly
    for rid, x, y in zip([rids[j] for j in reg_index], ax.tolist(), ay.tolist(), strict=True):
        anchors[str(rid)] = (x, y)
    for v, u in unions.items():
        outlines[v] = u
    return regions, outlines, anchors


def _template_checked(
    features: list[Any], side: str, tol: float, file: str, max_vertices: int, scale: int = 1,
) -> tuple[dict[str, dict[str, Polygon]], dict[str, Polygon], dict[str, tuple[float, float]]]:
    """The reference construction: feature by feature, with GEOS coverage checks.

    Raises the first problem in feature order, naming the feature or the view. It accepts an
    outline that matches the union of the regions within *tol* mm². Coordinates and anchors
    are divided by *scale* (``coordinates_per_mm``; 1 for a file in mm).
    """
    regions: dict[str, dict[str, Polygon]] = {}
    outlines: dict[str, Polygon] = {}
    anchors: dict[str, tuple[float, float]] = {}
    for i, feat in enumerate(features):
        props = feat.get("properties") if isinstance(feat, Mapping) else None
        if not isinstance(props, Mapping):
            raise AtlasDataError(file, f"features[{i}]", "has no properties object")
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
        poly = _feature_polygon(feat.get("geometry"), file, entry, max_vertices, scale)
        if side == "left":
            poly = _mirror(poly)
        if oview is not None:
            if oview in outlines:
                raise AtlasDataError(file, entry, f"duplicate outline of view {oview!r}")
            outlines[oview] = poly
            continue
        if rid in anchors:
            raise AtlasDataError(file, entry, "duplicate region id")
        anchor = props.get("anchor")
        if anchor is None:
            # the polygon is already in the right foot's frame
            pt = poly.point_on_surface()
            ax, ay = pt.x, pt.y
        elif (
            not isinstance(anchor, Sequence)
            or len(anchor) != 2
            or not all(isinstance(a, (int, float)) and _finite(a) for a in anchor)
        ):
            raise AtlasDataError(file, entry, "anchor must be [x, y] with finite numbers")
        else:
            ax, ay = float(anchor[0]) / scale, float(anchor[1]) / scale
            if side == "left":
                ax = -ax
        if not poly.intersects(shapely.Point(ax, ay)):
            raise AtlasDataError(file, entry, "anchor lies outside the region")
        region_id = str(rid)
        anchors[region_id] = (ax, ay)
        regions.setdefault(view, {})[region_id] = orient(poly, 1.0)

    for view in ALL_VIEWS:
        if view not in regions:
            if view in outlines:
                raise AtlasDataError(file, f"outline {view}", "view has no regions")
            continue
        polys = list(regions[view].values())
        entry = f"view {view}"
        if not shapely.coverage_is_valid(polys):
            bad = [r for r, e in zip(regions[view], shapely.coverage_invalid_edges(polys), strict=True)
                   if not e.is_empty]
            raise AtlasDataError(file, entry, "regions overlap or their shared borders "
                                 "do not match" + (f" (regions {', '.join(bad)})" if bad else ""))
        union = shapely.coverage_union_all(polys)
        if union.geom_type != "Polygon" or len(union.interiors):
            where = ""
            if union.geom_type == "Polygon":
                hole = Polygon(union.interiors[0]).point_on_surface()
                where = f" (a gap at {hole.x:.2f}, {hole.y:.2f})"
            raise AtlasDataError(file, entry, "regions do not tile one connected outline "
                                 "without gaps" + where)
        if view in outlines:
            diff = union.symmetric_difference(outlines[view])
            err = diff.area
            if err > tol:
                at = diff.point_on_surface()
                raise AtlasDataError(file, entry, f"regions do not tile the outline "
                                     f"(symmetric difference {err:.4g} mm2 > {tol}, "
                                     f"around {at.x:.2f}, {at.y:.2f})")
        else:
            outlines[view] = orient(union, 1.0)
    return regions, outlines, anchors


def _finite(a: float) -> bool:
    """Whether a number is finite as a float (an integer too large for a float is not)."""
    try:
        return math.isfinite(a)
    except OverflowError:
        return False


def _feature_polygon(geom: Any, file: str, entry: str, max_vertices: int, scale: int = 1) -> Polygon:
    """Parse and validate the Polygon geometry of a template feature (coordinates / *scale*, mm)."""
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
    poly = Polygon(arrays[0], arrays[1:])
    if not poly.is_valid:
        raise AtlasDataError(file, entry, f"invalid polygon: {shapely.is_valid_reason(poly)}")
    if poly.is_empty or not poly.area > 0:
        raise AtlasDataError(file, entry, "polygon is empty")
    return poly


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

    Examples
    --------
    >>> g = load_drawing_geojson({"type": "Polygon",
    ...                           "coordinates": [[[0, 0], [4, 0], [4, 3], [0, 0]]]})
    >>> g.area
    6.0
    """
    return _parse_drawing(data, DEFAULT_MAX_VERTICES)


def _ring_array(coords: Any, what: str) -> np.ndarray:
    try:
        arr = np.asarray(coords, dtype=float)
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


#: header of a little-endian WKB polygon with one ring: byte order, type 3, 1 ring, its point count
_WKB_RING = struct.Struct("<BIII")


def _ring_from_list(coords: list[Any]) -> Polygon | None:
    """The polygon of a ring given as a list of ``[x, y]`` numbers, or None to take the checked path.

    The common form of a drawing, read without numpy: the numbers go straight into the WKB
    of the polygon (closed if it is open), about three times faster than
    ``shapely.polygons(np.asarray(coords))``. Anything unusual (other shapes, non-numbers,
    non-finite values) returns None, and :func:`_ring_array` then raises the precise error.
    At least 8 points are required here, so the distinct-point check of :func:`_ring_array`
    (fewer than 3 distinct points among fewer than 8) never applies.
    """
    flat = list(itertools.chain.from_iterable(coords))
    n = len(coords)
    if len(flat) != 2 * n or not all(type(v) is float or type(v) is int for v in flat):
        return None  # bools, strings, nested lists, 3-D points: the checked path
    if not all(map(math.isfinite, flat)):
        return None
    if flat[0] != flat[-2] or flat[1] != flat[-1]:
        flat += flat[:2]
        n += 1
    return shapely.from_wkb(_WKB_RING.pack(1, 3, 1, n) + struct.pack(f"<{2 * n}d", *flat))


def _from_geojson_geometry(data: Mapping[str, Any], max_vertices: int) -> Any:
    kind = data.get("type")
    if kind == "Feature":
        geom = data.get("geometry")
        if not isinstance(geom, Mapping):
            raise InvalidCaseError("drawing", "is a GeoJSON Feature without a geometry")
        return _from_geojson_geometry(geom, max_vertices)
    coords = data.get("coordinates")
    if kind in ("Polygon", "MultiPolygon") and (
        coords is None or (isinstance(coords, Sequence) and len(coords) == 0)
    ):
        raise InvalidCaseError("drawing", "is empty")
    polys: Any
    if kind == "Polygon":
        polys = [coords]
    elif kind == "MultiPolygon":
        polys = coords
    else:
        raise InvalidCaseError("drawing", f"GeoJSON type {kind!r} is not a Polygon, "
                               "MultiPolygon or Feature")
    if not isinstance(polys, Sequence) or not polys:
        raise InvalidCaseError("drawing", "is empty")
    n = 0
    parts = []
    for j, rings in enumerate(polys):
        if not isinstance(rings, Sequence) or not rings:
            raise InvalidCaseError("drawing", f"polygon {j} has no rings")
        arrays = [_ring_array(r, f"ring {k} of polygon {j}") for k, r in enumerate(rings)]
        n += sum(len(a) for a in arrays)
        _check_vertex_count(n, max_vertices)
        parts.append(Polygon(arrays[0], arrays[1:]))
    return parts[0] if kind == "Polygon" else MultiPolygon(parts)


def _check_vertex_count(n: int, max_vertices: int) -> None:
    if n > max_vertices:
        raise LimitExceededError("drawing", f"has {n} vertices, more than the limit of "
                                 f"{max_vertices}")


def _collinear(geom: Any) -> bool:
    """Whether all the vertices of ``geom`` lie on one straight line."""
    d = shapely.get_coordinates(geom)
    d = d - d[0]
    far = d[int(np.argmax(np.hypot(d[:, 0], d[:, 1])))]
    scale = float(np.hypot(*far))
    if scale == 0.0:
        return True
    cross = d[:, 0] * far[1] - d[:, 1] * far[0]
    return bool(np.abs(cross).max() <= 1e-9 * scale * scale)


def _parse_drawing(drawing: Any, max_vertices: int) -> Polygon | MultiPolygon:
    """Turn any accepted drawing form into a validated shapely (Multi)Polygon."""
    # the common form first: a list of [x, y] (None when it needs the checked reading)
    geom = _ring_from_list(drawing) if type(drawing) is list and 8 <= len(drawing) <= max_vertices else None
    if geom is None:
        geom = _read_drawing(drawing, max_vertices)
    if not geom.is_valid:
        if _collinear(geom):
            raise InvalidCaseError("drawing", "has no area (its points lie on one line)")
        reason = shapely.is_valid_reason(geom)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
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


def _read_drawing(drawing: Any, max_vertices: int) -> Polygon | MultiPolygon:
    """Read any accepted drawing form into a (not yet validated) polygon, with the precise errors."""
    if isinstance(drawing, shapely.Geometry):
        if drawing.is_empty:
            raise InvalidCaseError("drawing", "is empty")
        if not isinstance(drawing, (Polygon, MultiPolygon)):
            raise InvalidCaseError("drawing", f"is a {drawing.geom_type}, not a Polygon or "
                                   "MultiPolygon")
        _check_vertex_count(shapely.get_num_coordinates(drawing), max_vertices)
        if not np.isfinite(shapely.get_coordinates(drawing)).all():
            raise InvalidCaseError("drawing", "has non-finite coordinates")
        geom = drawing
    elif isinstance(drawing, Mapping):
        geom = _from_geojson_geometry(drawing, max_vertices)
    elif isinstance(drawing, (Sequence, np.ndarray)) and not isinstance(drawing, str):
        if len(drawing) > max_vertices:
            _check_vertex_count(len(drawing), max_vertices)
        # what Polygon(ring) does (linearrings, then polygons without holes), minus its checks
        geom = shapely.polygons(_ring_array(drawing, "ring"))
    else:
        raise InvalidCaseError("drawing", f"a {type(drawing).__name__} is not a polygon, "
                               "a GeoJSON geometry or a list of [x, y]")
    return geom
