"""The geometric checks of a template read with ``check=True``: GEOS validity and coverage.

Each raises :class:`~neuromap.errors.AtlasDataError` naming the file and the feature or view.
The bundled template passes them when ``tools/foot/build_foot.py`` writes it, and its hash is
verified when it is loaded, so it is read without them.
"""

from __future__ import annotations

from collections.abc import Sequence

import shapely
from shapely.geometry import Polygon

from neuromap.errors import AtlasDataError


def check_polygon(poly: Polygon, file: str, entry: str) -> None:
    """Raise unless a feature's polygon is valid and has a positive area.

    Parameters
    ----------
    poly : shapely.Polygon
        The polygon.
    file, entry : str
        The file and the feature, for the message.

    Raises
    ------
    AtlasDataError
        The polygon is invalid (the GEOS reason is given) or empty.

    Examples
    --------
    >>> check_polygon(Polygon([(0, 0), (9, 9), (9, 0), (0, 9)]), "foot.geojson", "features[0]")
    Traceback (most recent call last):
    ...
    neuromap.errors.AtlasDataError: foot.geojson: features[0]: invalid polygon: Self-intersection[4.5 4.5]
    """
    if not poly.is_valid:
        raise AtlasDataError(file, entry, f"invalid polygon: {shapely.is_valid_reason(poly)}")
    if poly.is_empty or not poly.area > 0:
        raise AtlasDataError(file, entry, "polygon is empty")


def check_anchor(poly: Polygon, x: float, y: float, file: str, entry: str) -> None:
    """Raise unless a region's label anchor lies in (or on the border of) the region.

    Parameters
    ----------
    poly : shapely.Polygon
        The region.
    x, y : float
        The anchor, in the polygon's frame.
    file, entry : str
        The file and the feature, for the message.

    Raises
    ------
    AtlasDataError
        The anchor lies outside the region.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> check_anchor(box(0, 0, 1, 1), 0.5, 0.5, "foot.geojson", "features[0]")
    """
    if not shapely.intersects_xy(poly, x, y):
        raise AtlasDataError(file, entry, "anchor lies outside the region")


def check_tiling(polys: Sequence[Polygon], ids: Sequence[str], outline: Polygon | None,
                 tolerance: float, file: str, view: str) -> Polygon:
    """Check that the regions of a view tile one outline, and return their union.

    Parameters
    ----------
    polys : sequence of shapely.Polygon
        The regions of the view (valid polygons).
    ids : sequence of str
        Their ids, for the message.
    outline : shapely.Polygon or None
        The outline the file gives for the view, if any.
    tolerance : float
        Largest area (mm²) of the symmetric difference of the union and ``outline``.
    file, view : str
        The file and the view, for the message.

    Returns
    -------
    shapely.Polygon
        The union of the regions.

    Raises
    ------
    AtlasDataError
        The regions overlap or their shared borders differ (``shapely.coverage_is_valid``:
        T-junctions, a border drawn differently on its two sides), their union has holes or is
        not connected, or it differs from ``outline`` by more than ``tolerance``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> check_tiling([box(0, 0, 1, 1), box(1, 0, 2, 1)], ["a", "b"], None, 0.1,
    ...              "foot.geojson", "dorsal").area
    2.0
    >>> check_tiling([box(0, 0, 1, 1), box(0.5, 0, 2, 1)], ["a", "b"], None, 0.1,
    ...              "foot.geojson", "dorsal")
    Traceback (most recent call last):
    ...
    neuromap.errors.AtlasDataError: foot.geojson: view dorsal: regions overlap ... (regions a, b)
    """
    entry = f"view {view}"
    if not shapely.coverage_is_valid(polys):
        bad = [r for r, e in zip(ids, shapely.coverage_invalid_edges(polys), strict=True)
               if not e.is_empty]
        raise AtlasDataError(file, entry, "regions overlap or their shared borders do not match"
                             + (f" (regions {', '.join(bad)})" if bad else ""))
    union = shapely.coverage_union_all(polys)
    if union.geom_type != "Polygon" or len(union.interiors):
        where = ""
        if union.geom_type == "Polygon":
            hole = Polygon(union.interiors[0]).point_on_surface()
            where = f" (a gap at {hole.x:.2f}, {hole.y:.2f})"
        raise AtlasDataError(file, entry, "regions do not tile one connected outline without "
                             "gaps" + where)
    if outline is not None:
        diff = union.symmetric_difference(outline)
        if diff.area > tolerance:
            at = diff.point_on_surface()
            raise AtlasDataError(file, entry, f"regions do not tile the outline (symmetric "
                                 f"difference {diff.area:.4g} mm2 > {tolerance}, around "
                                 f"{at.x:.2f}, {at.y:.2f})")
    return union
