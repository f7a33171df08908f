"""The foot template: the skin regions of each view, with point and drawing queries."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon

from neuromap.errors import InvalidCaseError, suggest
from neuromap.geometry._frame import ALL_VIEWS, DEFAULT_MAX_VERTICES, check_side, mirror
from neuromap.geometry._geojson import read_template
from neuromap.geometry._overlay import overlay_rows
from neuromap.geometry._raster import RASTER_MIN_POINTS, LabelRaster, classify_exact
from neuromap.geometry.drawing import read_drawing, read_points

__all__ = ["FootTemplate", "OverlayResult", "RegionOverlap"]


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

    Examples
    --------
    >>> from neuromap import load_atlas
    >>> foot = load_atlas().template
    >>> res = foot.overlay([[-60, 100], [20, 100], [20, 130], [-60, 130]], "dorsal")
    >>> res.regions
    ('intermediate_dorsum', 'lateral_dorsum', 'medial_dorsum')
    >>> res[0].region, round(res[0].fraction_of_region, 3)
    ('intermediate_dorsum', 0.186)
    >>> res.drawing_area_mm2, round(res.outside_fraction, 3)
    (2400.0, 0.257)
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


class FootTemplate:
    """The foot template: region polygons per view, with point and drawing queries.

    The template holds the right foot in mm (see :mod:`neuromap.geometry` for the frame of each
    view); every query takes ``side`` and mirrors for the left foot. Build it with
    :meth:`from_geojson`, or take the bundled one from :func:`neuromap.load_atlas`. The object
    is immutable; the left foot's geometry and the classification rasters are computed when
    first needed and cached.

    Parameters
    ----------
    regions : mapping
        View -> region id -> polygon (exterior counter-clockwise), in region order.
    outlines : mapping
        View -> outline polygon (the union of the view's regions).
    anchors : mapping
        Region id -> label anchor ``(x, y)``.
    meta : mapping
        The ``"neuromap"`` member of the template file, as held (see :attr:`metadata`).

    Examples
    --------
    >>> from neuromap import load_atlas
    >>> foot = load_atlas().template
    >>> foot
    FootTemplate(dorsal=10, plantar=15, medial=6, lateral=6, anterior=12, posterior=10, saddle=5)
    >>> foot.region_ids_at([[-12.0, 195.0]], "dorsal")
    ['first_web_space']
    """

    __slots__ = ("_anchors", "_cache", "_landmarks", "_meta", "_outlines", "_polys", "_regions", "_view_of")

    _meta: Mapping[str, Any]
    _regions: dict[str, tuple[str, ...]]
    _view_of: dict[str, str]
    _polys: dict[str, Polygon]
    _outlines: dict[str, Polygon]
    _anchors: dict[str, tuple[float, float]]
    _landmarks: dict[str, dict[str, LineString]]
    _cache: dict[tuple[str, ...], Any]

    def __init__(
        self,
        regions: Mapping[str, Mapping[str, Polygon]],
        outlines: Mapping[str, Polygon],
        anchors: Mapping[str, tuple[float, float]],
        meta: Mapping[str, Any],
        landmarks: Mapping[str, Mapping[str, LineString]] | None = None,
    ) -> None:
        self._meta = copy.deepcopy(dict(meta))
        self._landmarks = {v: dict(m) for v, m in (landmarks or {}).items()}
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
        check: bool = True,
    ) -> FootTemplate:
        """Build a template from its GeoJSON FeatureCollection, checking it.

        Parameters
        ----------
        data : mapping
            The parsed GeoJSON: a FeatureCollection with a ``"neuromap"`` member and one
            Polygon feature per region (``properties.region`` and ``.view``, optionally
            ``.anchor``, the point where the region's label is written); outline features
            (``properties.outline``) are optional and, when present, checked. Format 1 gives
            coordinates and anchors in mm; format 2 gives them as multiples of
            ``1 / coordinates_per_mm`` mm (a positive integer; the bundled file stores integer
            hundredths of a millimetre), which are divided by it on load.
        file : str
            File name used in error messages.
        max_vertices : int
            Maximum number of vertices of one feature.
        check : bool
            Prove the geometry with GEOS (the default, for a template you made): every region a
            valid polygon with positive area, every anchor inside its region, and the regions
            of each view tiling its outline (``shapely.coverage_is_valid``: no overlaps,
            shared borders identical on both sides; no gaps, one connected outline; the union
            within ``tiling_tolerance`` mm² of an outline feature). ``False`` trusts the
            geometry and checks only the structure of the file: the bundled template, which
            ``tools/foot/build_foot.py`` checked when it wrote it and whose hash is verified
            when it is loaded.

        Returns
        -------
        FootTemplate
            The template, stored as the right foot (a ``template_side: "left"`` file is
            mirrored on load).

        Raises
        ------
        AtlasDataError
            The data is malformed: wrong format, unknown view, a feature that is not a
            Polygon with finite coordinates, a duplicate region id; and with ``check``, an
            invalid or empty polygon, an anchor outside its region, overlapping regions, or
            regions that do not tile the view outline.

        Examples
        --------
        >>> def square(x):
        ...     return [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]
        >>> def region(rid, x):
        ...     return {"type": "Feature", "properties": {"region": rid, "view": "dorsal"},
        ...             "geometry": {"type": "Polygon", "coordinates": square(x)}}
        >>> data = {"type": "FeatureCollection", "neuromap": {"format": 1},
        ...         "features": [region("a", 0), region("b", 1)]}
        >>> foot = FootTemplate.from_geojson(data)
        >>> foot.regions(), foot.outline("dorsal").area
        (('a', 'b'), 2.0)

        Regions that overlap do not tile the view:

        >>> data["features"][1] = region("b", 0.5)
        >>> FootTemplate.from_geojson(data)
        Traceback (most recent call last):
        ...
        neuromap.errors.AtlasDataError: foot.geojson: view dorsal: regions overlap ... (regions a, b)
        """
        parts = read_template(data, file=file, max_vertices=max_vertices, check=check)
        return cls(parts.regions, parts.outlines, parts.anchors, parts.meta, parts.landmarks)

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

        Raises
        ------
        InvalidCaseError
            Field ``'view'``: not a view of the template (the closest are suggested).

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> foot.regions("medial")
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

        Raises
        ------
        InvalidCaseError
            Field ``'region'``: not a region of the template (the closest are suggested).

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> foot.view_of("first_web_space")
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

        Raises
        ------
        InvalidCaseError
            Field ``'region'``: not a region of the template (the closest are suggested).
            Field ``'side'``: not ``"left"`` or ``"right"``.

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> round(foot.polygon("plantar_heel").area)
        4611
        """
        self._check_region(region)
        return self._side(side).polys[region]

    def landmarks(self, view: str, *, side: str = "right") -> dict[str, LineString]:
        """Return the landmarks drawn over a view: name -> line (artwork, part of no region).

        The malleoli, the toes behind the silhouette, the patella, the calf, the anus: fine
        lines the figures draw over the regions. A template without them returns ``{}``.

        Parameters
        ----------
        view : str
            A view name.
        side : {"right", "left"}
            Which side (the left is the mirror image).

        Returns
        -------
        dict of str to shapely.LineString
            The landmarks of the view, by name.

        Examples
        --------
        >>> import neuromap
        >>> t = neuromap.load_atlas().template
        >>> "medial_malleolus" in t.landmarks("medial")
        True
        >>> t.landmarks("medial", side="left")["medial_malleolus"].bounds[0] > 0
        True
        """
        self.outline(view, side=side)  # checks the view and the side
        marks = self._landmarks.get(view, {})
        if side == "right":
            return dict(marks)
        return {k: shapely.transform(line, lambda xy: xy * np.array([-1.0, 1.0])) for k, line in marks.items()}

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

        Raises
        ------
        InvalidCaseError
            Field ``'view'``: not a view of the template (the closest are suggested).
            Field ``'side'``: not ``"left"`` or ``"right"``.

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> foot.outline("dorsal").bounds
        (-46.02, 0.0, 54.25, 265.0)
        """
        self._check_view(view)
        return self._side(side).outlines[view]

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

        Raises
        ------
        InvalidCaseError
            Field ``'region'``: not a region of the template (the closest are suggested).
            Field ``'side'``: not ``"left"`` or ``"right"``.

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> foot.anchor("plantar_heel")
        (-0.77, 43.42)
        """
        self._check_region(region)
        check_side(side)
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

        Raises
        ------
        InvalidCaseError
            Field ``'view'``: not a view of the template (the closest are suggested).
            Field ``'side'``: not ``"left"`` or ``"right"``.

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> foot.bounds("medial")
        (-265.04, 0.0, 0.0, 130.0)
        """
        b = self.outline(view, side=side).bounds
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    # ------------------------------------------------------------------ point queries
    def classify_points(self, xy: Any, view: str, *, side: str = "right") -> np.ndarray:
        """Return the region index of each point (vectorized).

        A point on a border shared by two regions goes to the first of them in
        :meth:`regions` order; a point on the outline is inside.

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
            Field ``'points'``: ``xy`` is not an (n, 2) array of finite numbers; or an unknown
            view or side (fields ``'view'``, ``'side'``).

        Notes
        -----
        Each point is tested against the regions in order (``shapely.intersects_xy``). From
        10,000 points on, a label raster of the view (0.25 mm cells, built on first use and
        cached) answers the points whose cell lies in one region, and only those in cells a
        border crosses are tested: ~40 million points per second instead of ~3.

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> foot.classify_points([[0.0, 35.0], [500.0, 0.0]], "plantar")
        array([10, -1])
        """
        pts = read_points(xy)
        self._check_view(view)
        check_side(side)
        polys = self._side(side).view_polys[view]
        x, y = pts[:, 0], pts[:, 1]
        if len(pts) < RASTER_MIN_POINTS:
            return classify_exact(polys, x, y)
        return self._raster(view, side).classify(polys, x, y)

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

        Raises
        ------
        InvalidCaseError
            As :meth:`classify_points`.

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> foot.region_ids_at([[-12.0, 195.0]], "dorsal", side="right")
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
            Field ``'drawing'``: the drawing is empty, has fewer than 3 points, has
            non-finite coordinates, intersects itself, has no area, or lies entirely outside
            the foot outline; or an unknown view or side (fields ``'view'``, ``'side'``).
        LimitExceededError
            The drawing has more than ``max_vertices`` vertices.

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> res = foot.overlay([[-20, 180], [-5, 180], [-5, 200], [-20, 200]], "dorsal")
        >>> res.regions
        ('first_web_space', 'hallux_dorsal', 'medial_dorsum')
        """
        self._check_view(view)
        check_side(side)
        geom = read_drawing(drawing, max_vertices)
        geo = self._side(side)
        polys, region_areas, ids = geo.view_polys[view], geo.areas[view], self._regions[view]
        total = float(geom.area)
        covered = shapely.covers(polys, geom)
        if covered.any():
            # a drawing inside one region covers exactly its own area there (not the area of
            # the overlay, which may differ in the last bits), and nothing elsewhere
            areas = np.where(np.arange(len(polys)) == np.argmax(covered), total, 0.0)
        else:
            areas = shapely.area(shapely.intersection(polys, geom))
        overlaps = tuple(RegionOverlap(ids[i], a, a / region_areas[i], a / total)
                         for i, a in enumerate(areas.tolist()) if a > 0.0)
        if not overlaps:
            raise InvalidCaseError(
                "drawing", f"lies entirely outside the foot outline of the {view} view "
                f"(bounds {_fmt_bounds(self.bounds(view, side=side))})"
            )
        inside = sum(o.area_mm2 for o in overlaps)
        return OverlayResult(overlaps, total, max(total - inside, 0.0))

    def overlay_many(self, drawings: Sequence[Any], view: str, *, side: str = "right") -> list[OverlayResult | None]:
        """:meth:`overlay` for many valid drawings of one view and side, in vectorized GEOS calls.

        Each result is what :meth:`overlay` returns for that drawing, or None where
        :meth:`overlay` would refuse the drawing for lying entirely outside the outline.

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> from neuromap.geometry.drawing import read_drawing
        >>> foot = load_atlas().template
        >>> ring = read_drawing([[-20, 180], [-5, 180], [-5, 200], [-20, 200]])
        >>> foot.overlay_many([ring], "dorsal")[0] == foot.overlay(ring, "dorsal")
        True
        """
        self._check_view(view)
        check_side(side)
        geo = self._side(side)
        ids, region_areas = self._regions[view], geo.areas[view]
        return [None if row is None else OverlayResult(
            tuple(RegionOverlap(ids[i], a, a / region_areas[i], a / row[1]) for i, a in row[0]), row[1],
            max(row[1] - sum(a for _, a in row[0]), 0.0)) for row in overlay_rows(drawings, geo.view_polys[view])]

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

        Raises
        ------
        InvalidCaseError
            Field ``'view'``: not a view of the template (the closest are suggested).
            Field ``'side'``: not ``"left"`` or ``"right"``.

        Examples
        --------
        >>> from neuromap import load_atlas
        >>> foot = load_atlas().template
        >>> fc = foot.to_geojson("plantar", side="left")
        >>> fc["neuromap"]["template_side"]
        'left'
        """
        check_side(side)
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

    def _side(self, side: str) -> _SideGeometry:
        """The geometry of one side (mirrored for the left foot), prepared; cached."""
        check_side(side)
        key = ("side", side)
        got = self._cache.get(key)
        if got is None:
            if side == "right":
                polys, outlines = dict(self._polys), dict(self._outlines)
            else:
                polys = {r: mirror(p) for r, p in self._polys.items()}
                outlines = {v: mirror(p) for v, p in self._outlines.items()}
            view_polys = {v: np.array([polys[r] for r in rs], dtype=object)
                          for v, rs in self._regions.items()}
            for arr in view_polys.values():
                shapely.prepare(arr)
                arr.flags.writeable = False
            areas = {v: shapely.area(arr).tolist() for v, arr in view_polys.items()}
            got = self._cache[key] = _SideGeometry(polys, outlines, view_polys, areas)
        return got

    def _raster(self, view: str, side: str) -> LabelRaster:
        key = ("raster", view, side)
        ras = self._cache.get(key)
        if ras is None:
            ras = self._cache[key] = LabelRaster.build(self._side(side).view_polys[view],
                                                       self.outline(view, side=side))
        return ras


@dataclass(frozen=True)
class _SideGeometry:
    """The geometry of one side, as :meth:`FootTemplate._side` caches it."""

    polys: dict[str, Polygon]  # region id -> polygon
    outlines: dict[str, Polygon]  # view -> outline
    view_polys: dict[str, np.ndarray]  # view -> its regions' polygons, prepared, in region order
    areas: dict[str, list[float]]  # view -> the areas of its regions, mm²


def _fmt_bounds(b: tuple[float, float, float, float]) -> str:
    return f"x {b[0]:.0f}..{b[2]:.0f}, y {b[1]:.0f}..{b[3]:.0f} mm"


def _lists(obj: Any) -> Any:
    """Turn the tuples of ``shapely.geometry.mapping`` into lists (plain JSON shape)."""
    if isinstance(obj, dict):
        return {k: _lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_lists(v) for v in obj]
    return obj
