"""Property-based tests of neuromap.geometry (hypothesis)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from neuromap.errors import InvalidCaseError
from neuromap.geometry import SIDES, VIEWS, FootTemplate
from neuromap.geometry._raster import LabelRaster, classify_exact
from neuromap.geometry.drawing import read_drawing

FOOT_GEOJSON = Path(__file__).parents[2] / "data" / "foot.geojson"
BORDER_EPS = 1e-6  # points closer than this to a region border are not compared


@cache
def foot() -> FootTemplate:
    """Return the template built from data/foot.geojson (built once)."""
    return FootTemplate.from_geojson(json.loads(FOOT_GEOJSON.read_text(encoding="utf-8")))


@cache
def borders(view: str, side: str) -> shapely.Geometry:
    """Return the union of the region borders of a view, prepared."""
    lines = shapely.union_all([foot().polygon(r, side=side).boundary
                               for r in foot().regions(view)])
    shapely.prepare(lines)
    return lines


@st.composite
def points_in_view(draw: st.DrawFn, view: str, side: str, n: int = 40) -> np.ndarray:
    """Draw ``n`` points in (a margin around) the bounding box of a view.

    Half of the draws are snapped to the quarter-millimetre grid of the label raster so that
    points on cell edges are exercised.
    """
    xmin, ymin, xmax, ymax = foot().bounds(view, side=side)
    xs = draw(st.lists(st.floats(xmin - 5, xmax + 5), min_size=n, max_size=n))
    ys = draw(st.lists(st.floats(ymin - 5, ymax + 5), min_size=n, max_size=n))
    pts = np.column_stack([xs, ys])
    if draw(st.booleans()):
        pts = np.round(pts * 4) / 4
    return pts


views = st.sampled_from(VIEWS)
sides = st.sampled_from(SIDES)


@settings(max_examples=60, deadline=None)
@given(st.data(), views)
def test_left_is_mirror_of_right(data: st.DataObject, view: str) -> None:
    """A point on the left foot lies in the region of the mirrored point on the right foot."""
    pts = data.draw(points_in_view(view, "left"))
    left = foot().classify_points(pts, view, side="left")
    right = foot().classify_points(pts * np.array([-1.0, 1.0]), view, side="right")
    np.testing.assert_array_equal(left, right)


@settings(max_examples=60, deadline=None)
@given(st.data(), views, sides)
def test_vectorized_matches_shapely(data: st.DataObject, view: str, side: str) -> None:
    """classify_points agrees with polygon.contains(Point) away from the borders."""
    pts = data.draw(points_in_view(view, side))
    far = shapely.distance(borders(view, side), shapely.points(pts)) > BORDER_EPS
    assume(far.any())
    pts = pts[far]
    got = foot().classify_points(pts, view, side=side)
    ids = foot().regions(view)
    for (x, y), k in zip(pts, got, strict=True):
        hits = [i for i, r in enumerate(ids)
                if foot().polygon(r, side=side).contains(Point(x, y))]
        assert len(hits) <= 1
        assert k == (hits[0] if hits else -1), (view, side, x, y)


@settings(max_examples=60, deadline=None)
@given(views, sides, st.floats(0, 1), st.floats(0, 1), st.floats(1, 60),
       st.integers(3, 12), st.floats(0, 3.1))
def test_overlay_accounts_for_the_whole_drawing(
    view: str, side: str, u: float, v: float, radius: float, n: int, turn: float
) -> None:
    """Fractions of the drawing (regions + outside) sum to 1; areas sum to the inside area."""
    xmin, ymin, xmax, ymax = foot().bounds(view, side=side)
    cx, cy = xmin + u * (xmax - xmin), ymin + v * (ymax - ymin)
    ang = turn + np.linspace(0, 2 * np.pi, n, endpoint=False)
    ring = np.column_stack([cx + radius * np.cos(ang), cy + 0.7 * radius * np.sin(ang)])
    drawing = shapely.Polygon(ring)
    outline = foot().outline(view, side=side)
    inside = drawing.intersection(outline).area
    assume(inside > 1e-6 * drawing.area)
    res = foot().overlay(ring.tolist(), view, side=side)
    assert sum(o.fraction_of_drawing for o in res) + res.outside_fraction == pytest.approx(
        1.0, abs=1e-9)
    assert sum(o.area_mm2 for o in res) == pytest.approx(inside, rel=1e-7, abs=1e-9)
    assert list(res.regions) == sorted(res.regions)
    for o in res:
        assert 0 < o.fraction_of_region <= 1 + 1e-12
        region = foot().polygon(o.region, side=side)
        assert o.area_mm2 == pytest.approx(region.intersection(drawing).area, rel=1e-7,
                                           abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(views, sides, st.data())
def test_region_drawn_as_itself(view: str, side: str, data: st.DataObject) -> None:
    """A drawing equal to one region covers exactly that region."""
    region = data.draw(st.sampled_from(foot().regions(view)))
    res = foot().overlay(foot().polygon(region, side=side), view, side=side)
    assert res.regions == (region,)
    assert res[0].fraction_of_region == pytest.approx(1.0, abs=1e-9)
    assert res.outside_area_mm2 == pytest.approx(0.0, abs=1e-9)


coordinate = st.one_of(st.floats(-300, 300, allow_nan=False), st.integers(-300, 300))
odd_value = st.sampled_from([float("nan"), float("inf"), True, "1", None, [1.0], 1 + 0j])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(coordinate, min_size=2, max_size=2), min_size=3, max_size=40), st.booleans(),
       st.data())
def test_list_ring_reads_as_its_array(ring: list, close: bool, data: st.DataObject) -> None:
    """A drawing given as a list of [x, y] reads to the polygon of its coordinate array, or to an
    InvalidCaseError on the field 'drawing'; an odd value anywhere is an InvalidCaseError too,
    never another exception."""
    if close:
        ring = [*ring, list(ring[0])]
    try:
        got = read_drawing(ring)
    except InvalidCaseError as e:
        assert e.field == "drawing"
    else:
        want = shapely.polygons(np.asarray(ring, dtype=float))
        np.testing.assert_array_equal(shapely.get_coordinates(got), shapely.get_coordinates(want))
    i = data.draw(st.integers(0, len(ring) - 1))
    odd = [list(p) for p in ring]
    if data.draw(st.booleans()):
        odd[i][data.draw(st.integers(0, 1))] = data.draw(odd_value)
    else:
        odd[i] = odd[i][:1] if data.draw(st.booleans()) else [*odd[i], 0.0]
    try:
        read_drawing(odd)
    except InvalidCaseError as e:
        assert e.field == "drawing"


@cache
def raster(view: str, side: str) -> tuple[list[shapely.Polygon], LabelRaster]:
    """Return the regions of a view and their label raster (built once)."""
    polys = [foot().polygon(r, side=side) for r in foot().regions(view)]
    return polys, LabelRaster.build(polys, foot().outline(view, side=side))


@settings(max_examples=60, deadline=None)
@given(st.data(), views, sides)
def test_label_raster_agrees_with_exact(data: st.DataObject, view: str, side: str) -> None:
    """The label raster answers what the exact test answers, at any point: also on the cell grid
    and on the region borders (the vertices, and points on the edges between them)."""
    polys, ras = raster(view, side)
    pts = data.draw(points_in_view(view, side))
    border = shapely.get_coordinates(polys[data.draw(st.integers(0, len(polys) - 1))])
    j = data.draw(st.lists(st.integers(0, len(border) - 2), min_size=1, max_size=20))
    t = data.draw(st.floats(0, 1))
    on_edges = border[j] + t * (border[[k + 1 for k in j]] - border[j])
    pts = np.concatenate([pts, border[j], on_edges])
    x, y = pts[:, 0], pts[:, 1]
    np.testing.assert_array_equal(ras.classify(polys, x, y), classify_exact(polys, x, y))
