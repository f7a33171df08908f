"""Tests of neuromap.geometry and of the foot template data/foot.geojson."""

from __future__ import annotations

import copy
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from neuromap.errors import AtlasDataError, InvalidCaseError, LimitExceededError
from neuromap.geometry import ALL_VIEWS, SIDES, VIEWS, FootTemplate, load_drawing_geojson
from neuromap.geometry._raster import RASTER_MIN_POINTS, classify_exact

REPO = Path(__file__).parents[1]
FOOT_GEOJSON = REPO / "data" / "foot.geojson"
TILING_TOLERANCE_MM2 = 0.1  # stated in foot.geojson: neuromap.tiling_tolerance


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    """Return the parsed data/foot.geojson."""
    return json.loads(FOOT_GEOJSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def foot(raw: dict[str, Any]) -> FootTemplate:
    """Return the template built from data/foot.geojson."""
    return FootTemplate.from_geojson(raw)


@pytest.fixture(scope="module")
def region_spec() -> dict[str, list[str]]:
    """Return the region ids of each view, from data/regions.json."""
    data = json.loads((REPO / "data" / "regions.json").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for r in data["regions"]:
        out.setdefault(r["view"], []).append(r["id"])
    return out


# ----------------------------------------------------------------------------- the data
def test_metadata(raw: dict[str, Any]) -> None:
    """Check metadata."""
    meta = raw["neuromap"]
    assert meta["format"] == 2
    assert meta["template_side"] == "right"
    assert meta["units"] == "mm"
    assert meta["grid_size"] == 0.01
    assert meta["coordinates_per_mm"] == 100  # integer hundredths of a millimetre
    assert meta["tiling_tolerance"] == TILING_TOLERANCE_MM2
    assert set(meta["frame"]) >= set(VIEWS)


def test_coordinates_on_grid(raw: dict[str, Any]) -> None:
    """Every coordinate and anchor is an integer number of grid steps (0.01 mm)."""
    for f in raw["features"]:
        coords = f["geometry"]["coordinates"]
        rings = [coords] if f["geometry"]["type"] == "LineString" else coords
        for ring in rings:
            assert all(type(v) is int for p in ring for v in p), f["properties"]
        assert all(type(v) is int for v in f["properties"].get("anchor", [])), f["properties"]


def test_integer_coordinates_read_as_the_decimal_millimetres(raw: dict[str, Any], foot: FootTemplate) -> None:
    """A format 2 file reads to the same template, bit for bit, as its format 1 (decimal mm) form."""
    mm = copy.deepcopy(raw)
    mm["neuromap"]["format"] = 1
    del mm["neuromap"]["coordinates_per_mm"]

    def decimal(v: int) -> float:
        return float(f"{v / 100:.2f}")  # the two-decimal text the format 1 file had, parsed

    for f in mm["features"]:
        if f["geometry"]["type"] == "LineString":  # a landmark
            f["geometry"]["coordinates"] = [[decimal(x), decimal(y)] for x, y in f["geometry"]["coordinates"]]
            continue
        f["geometry"]["coordinates"] = [[[decimal(x), decimal(y)] for x, y in ring]
                                        for ring in f["geometry"]["coordinates"]]
        if "anchor" in f["properties"]:
            f["properties"]["anchor"] = [decimal(v) for v in f["properties"]["anchor"]]
    _same_template(FootTemplate.from_geojson(mm), foot)
    assert FootTemplate.from_geojson(mm).metadata == foot.metadata
    assert foot.metadata["format"] == 1 and "coordinates_per_mm" not in foot.metadata


@pytest.mark.parametrize("view", VIEWS)
def test_region_ids_match_regions_json(
    foot: FootTemplate, region_spec: dict[str, list[str]], view: str
) -> None:
    """Check region ids match regions json."""
    assert set(foot.regions(view)) == set(region_spec[view])
    assert list(foot.regions(view)) == sorted(region_spec[view])
    for r in region_spec[view]:
        assert foot.view_of(r) == view


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("view", VIEWS)
def test_regions_tile_outline(foot: FootTemplate, view: str, side: str) -> None:
    """Check regions tile outline."""
    polys = [foot.polygon(r, side=side) for r in foot.regions(view)]
    for r, p in zip(foot.regions(view), polys, strict=True):
        assert isinstance(p, Polygon), r
        assert p.is_valid and not p.is_empty, r
        assert len(p.interiors) == 0, r
        assert p.exterior.is_ccw, r
    assert shapely.coverage_is_valid(polys)
    # pairwise: shared borders only, no overlapping area
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(
        np.asarray(polys)[left[pairs]], np.asarray(polys)[right[pairs]]))
    assert np.all(overlap < 1e-9)
    outline = foot.outline(view, side=side)
    union = shapely.coverage_union_all(polys)
    assert union.symmetric_difference(outline).area < TILING_TOLERANCE_MM2
    assert sum(p.area for p in polys) == pytest.approx(outline.area, abs=TILING_TOLERANCE_MM2)


@pytest.mark.parametrize("view", VIEWS)
def test_anchor_inside_region(foot: FootTemplate, view: str) -> None:
    """Check anchor inside region."""
    for side in SIDES:
        for r in foot.regions(view):
            assert foot.polygon(r, side=side).contains(Point(foot.anchor(r, side=side))), r


def test_vertex_budget(foot: FootTemplate) -> None:
    """Outlines are drawn with enough vertices for their curves, and no more than that.

    The builder samples the splines every ~2.5 mm, then drops the vertices within 0.02 mm of
    the chord of their neighbours (tools/foot/build_foot.py SIMPLIFY_MM).
    """
    for view in foot.views:
        outline = foot.outline(view)
        n = shapely.get_num_coordinates(outline)
        assert 100 < n < 400, (view, n)
        # no vertex is redundant: each lies off the chord of its neighbours by more than the
        # simplification tolerance (else the builder would have dropped it)
        assert shapely.get_num_coordinates(outline.simplify(0.005)) > 0.9 * n, (view, n)


def test_reference_dimensions(foot: FootTemplate) -> None:
    """Check reference dimensions."""
    _, ymin, _, ymax = foot.bounds("dorsal")
    assert ymin == pytest.approx(0.0, abs=0.5)
    assert ymax == pytest.approx(265.0, abs=1.0)
    ball = shapely.intersection(foot.outline("dorsal"), box(-100, 175, 100, 185))
    assert 90 < ball.bounds[2] - ball.bounds[0] < 110
    heel = shapely.intersection(foot.outline("plantar"), box(-100, 30, 100, 31))
    assert 55 < heel.bounds[2] - heel.bounds[0] < 75
    for view in ("medial", "lateral"):
        assert foot.bounds(view)[1] == pytest.approx(0.0, abs=1e-9)
        span = foot.bounds(view)[2] - foot.bounds(view)[0]
        assert span == pytest.approx(265.0, abs=1.0)
    assert foot.bounds("medial")[2] == pytest.approx(0.0, abs=1e-9)  # heel at x = 0
    assert foot.bounds("lateral")[0] == pytest.approx(0.0, abs=1e-9)


# ----------------------------------------------------------------------------- anatomy
def test_toes_dorsal(foot: FootTemplate) -> None:
    """Check toes dorsal."""
    toes = ["hallux_dorsal", "second_toe_dorsal", "third_toe_dorsal", "fourth_toe_dorsal",
            "little_toe_dorsal"]
    cx = [foot.polygon(t).centroid.x for t in toes]
    assert cx == sorted(cx)  # medial (-x) to lateral (+x) on the right foot
    tips = [foot.polygon(t).bounds[3] for t in toes]
    assert tips[0] >= tips[1] - 1 and tips[1] > tips[2] > tips[3] > tips[4]
    lengths = [foot.polygon(t).bounds[3] - foot.polygon(t).bounds[1] for t in toes]
    assert lengths[0] > lengths[4]
    assert foot.polygon("hallux_dorsal").area == max(foot.polygon(t).area for t in toes)
    # five separate toes: neighbours meet at one point (the cleft) and the outline is
    # notched there, well below both tips
    edge = foot.outline("dorsal").exterior
    for a, b in itertools.pairwise(toes):
        pa, pb = foot.polygon(a), foot.polygon(b)
        assert shapely.get_dimensions(pa.intersection(pb)) <= 0, (a, b)
        between = shapely.intersection(edge, box(pa.centroid.x, 150, pb.centroid.x, 400))
        cleft = between.bounds[1]
        assert cleft < min(pa.bounds[3], pb.bounds[3]) - 20, (a, b)
        assert cleft > 190, (a, b)


def test_first_web_space(foot: FootTemplate) -> None:
    """Check first web space."""
    web = foot.polygon("first_web_space")
    hx = foot.polygon("hallux_dorsal").centroid.x
    sx = foot.polygon("second_toe_dorsal").centroid.x
    assert hx < web.centroid.x < sx
    assert web.touches(foot.polygon("hallux_dorsal"))
    assert web.touches(foot.polygon("second_toe_dorsal"))
    assert foot.region_ids_at([web.centroid.coords[0]], "dorsal") == ["first_web_space"]


def test_third_mtp_key_point_in_intermediate_dorsum(foot: FootTemplate) -> None:
    """Check third mtp key point in intermediate dorsum."""
    third = foot.polygon("third_toe_dorsal")
    x = third.centroid.x
    base = third.bounds[1]
    assert foot.region_ids_at([[x, base - 20]], "dorsal") == ["intermediate_dorsum"]


def test_plantar_fourth_ray(foot: FootTemplate) -> None:
    """Check plantar fourth ray."""
    # plantar x is medial-positive: the ball_medial lies medial (+x) of ball_lateral
    assert foot.polygon("ball_medial").centroid.x > foot.polygon("ball_lateral").centroid.x
    assert foot.polygon("medial_sole").centroid.x > foot.polygon("lateral_sole").centroid.x
    # the medial | lateral plantar border runs up the 4th ray and on along the fourth toe's axis
    assert foot.polygon("fourth_toe_plantar_medial").touches(foot.polygon("ball_medial"))
    assert foot.polygon("fourth_toe_plantar_lateral").touches(foot.polygon("ball_lateral"))
    assert foot.polygon("fourth_toe_plantar_medial").intersection(foot.polygon("ball_lateral")).length == 0
    assert foot.polygon("plantar_heel").centroid.y < foot.polygon("medial_sole").centroid.y
    hallux = foot.polygon("hallux_plantar_lateral").centroid.x
    little = foot.polygon("little_toe_plantar_medial").centroid.x
    assert hallux > little


TOES = ("hallux", "second_toe", "third_toe", "fourth_toe", "little_toe")


@pytest.mark.parametrize("toe", TOES)
def test_plantar_toe_halves(foot: FootTemplate, toe: str) -> None:
    """Each toe's plantar skin is two halves side by side (medial at +x), sharing the toe's long axis."""
    medial, lateral = foot.polygon(f"{toe}_plantar_medial"), foot.polygon(f"{toe}_plantar_lateral")
    assert medial.centroid.x > lateral.centroid.x
    shared = medial.intersection(lateral)
    assert shared.length > 0.6 * (max(medial.bounds[3], lateral.bounds[3]) - min(medial.bounds[1], lateral.bounds[1]))
    assert 0.6 < medial.area / lateral.area < 1.6


def test_facing_halves_meet_only_at_the_toe_cleft(foot: FootTemplate) -> None:
    """The halves an interdigital nerve supplies face each other across one cleft, on the two toes it separates."""
    for a, b in itertools.pairwise(TOES):
        facing = foot.polygon(f"{a}_plantar_lateral").intersection(foot.polygon(f"{b}_plantar_medial"))
        assert not facing.is_empty and facing.length < 1e-6, (a, b)  # a single cleft point
        assert foot.polygon(f"{a}_plantar_medial").distance(foot.polygon(f"{b}_plantar_medial")) > 1.0, (a, b)


def test_medial_arch_lifts_off_the_ground(foot: FootTemplate) -> None:
    """Check medial arch lifts off the ground."""
    outline = foot.outline("medial")
    heel_back = foot.bounds("medial")[2]
    ground = box(-1000, -1, 1000, 0.0)
    contact = shapely.intersection(outline.boundary, ground)
    xs = shapely.get_coordinates(contact)[:, 0]
    # the sole touches the ground under the heel and under the ball, not in between
    assert xs.max() > heel_back - 40 and xs.min() < -170
    gap = box(-150, -1, -70, 0.5)
    assert not outline.intersects(gap)
    arch = shapely.intersection(outline, box(-130, -1, -90, 400))
    assert arch.bounds[1] > 10  # the arch is at least 10 mm high


def test_malleoli(foot: FootTemplate) -> None:
    """Check malleoli."""
    med = foot.polygon("medial_malleolus").centroid
    lat = foot.polygon("lateral_malleolus").centroid
    # same heel-origin frame: distance in front of the heel (medial toes at -x)
    assert lat.y < med.y
    assert lat.x < -med.x
    # the anterolateral ankle lies in front of the lateral malleolus
    assert foot.polygon("anterolateral_ankle").centroid.x > lat.x


def test_side_view_layout(foot: FootTemplate) -> None:
    """Check side view layout."""
    p = foot.polygon
    assert p("posterior_heel_medial").centroid.x > p("medial_heel").centroid.x
    assert p("posterior_heel_lateral").centroid.x < p("lateral_heel").centroid.x
    assert p("medial_forefoot").centroid.x < p("medial_arch").centroid.x
    assert p("medial_border").centroid.y > p("medial_arch").centroid.y
    assert p("dorsolateral_foot").centroid.y > p("lateral_border").centroid.y
    assert p("lateral_border").bounds[2] > 200  # reaches the little toe


# ----------------------------------------------------------------------------- points
def test_classify_points_basic(foot: FootTemplate) -> None:
    """Check classify points basic."""
    ids = foot.regions("plantar")
    got = foot.classify_points([[0.0, 30.0], [500.0, 0.0], [0, -1e9], [1e300, 5]], "plantar")
    assert got.dtype.kind == "i"
    assert got.tolist() == [ids.index("plantar_heel"), -1, -1, -1]
    assert foot.classify_points(np.zeros((0, 2)), "dorsal").shape == (0,)
    assert foot.region_ids_at([[0.0, 30.0], [500.0, 0.0]], "plantar") == ["plantar_heel", None]


def test_classify_points_every_anchor(foot: FootTemplate) -> None:
    """Check classify points every anchor."""
    for view in VIEWS:
        for side in SIDES:
            ids = foot.regions(view)
            anchors = [foot.anchor(r, side=side) for r in ids]
            assert foot.classify_points(anchors, view, side=side).tolist() == list(
                range(len(ids)))


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("view", ALL_VIEWS)
def test_label_raster_agrees_with_exact(foot: FootTemplate, view: str, side: str) -> None:
    """The label raster (kept: ~15x faster for many points) answers what the exact test answers,
    also for the vertices of every border and points on the cell grid."""
    polys = [foot.polygon(r, side=side) for r in foot.regions(view)]
    xmin, ymin, xmax, ymax = foot.bounds(view, side=side)
    rng = np.random.default_rng(len(view) + len(side))
    pts = np.column_stack([rng.uniform(xmin - 5, xmax + 5, 20_000), rng.uniform(ymin - 5, ymax + 5, 20_000)])
    pts = np.concatenate([pts, np.round(pts * 4) / 4, shapely.get_coordinates(polys)])
    x, y = pts[:, 0], pts[:, 1]
    exact = classify_exact(polys, x, y)
    assert len(pts) >= RASTER_MIN_POINTS  # classify_points takes the raster
    np.testing.assert_array_equal(foot.classify_points(pts, view, side=side), exact)
    np.testing.assert_array_equal(foot.classify_points(pts[:100], view, side=side), exact[:100])


def test_border_rule(foot: FootTemplate) -> None:
    """Check border rule."""
    ids = foot.regions("dorsal")
    web, hallux = foot.polygon("first_web_space"), foot.polygon("hallux_dorsal")
    shared = shapely.intersection(web.boundary, hallux.boundary)
    pt = shapely.get_coordinates(shared)[0]
    got = foot.classify_points([pt], "dorsal")[0]
    assert ids[got] == min("first_web_space", "hallux_dorsal")  # first in region order
    # a vertex of the outline is inside
    v = shapely.get_coordinates(foot.outline("dorsal"))[5]
    assert foot.classify_points([v], "dorsal")[0] >= 0


@pytest.mark.parametrize(
    "bad",
    [[[1.0, 2.0, 3.0]], [[np.nan, 1.0]], [[np.inf, 1.0]], "abc", [[1, 2], [3]], [1.0, 2.0], [[10**400, 0]]],
)
def test_classify_points_invalid(foot: FootTemplate, bad: Any) -> None:
    """Check classify points invalid."""
    with pytest.raises(InvalidCaseError, match="'points'") as e:
        foot.classify_points(bad, "dorsal")
    assert "\n" not in str(e.value)


def test_unknown_view_side_region(foot: FootTemplate) -> None:
    """Check unknown view side region."""
    with pytest.raises(InvalidCaseError, match="'view'") as e:
        foot.classify_points([[0, 0]], "dorsl")
    assert e.value.suggestions == ("dorsal",)
    with pytest.raises(InvalidCaseError, match="'side'"):
        foot.outline("dorsal", side="both")
    with pytest.raises(InvalidCaseError, match="'region'"):
        foot.polygon("halux_dorsal")


def test_mirror(foot: FootTemplate) -> None:
    """Check mirror."""
    for r in foot.regions():
        right, left = foot.polygon(r), foot.polygon(r, side="left")
        flipped = shapely.transform(right, lambda c: c * [-1, 1])
        assert left.equals(flipped), r
        assert left.exterior.is_ccw
        ax, ay = foot.anchor(r)
        assert foot.anchor(r, side="left") == (-ax, ay)
    assert foot.polygon("hallux_dorsal", side="left").centroid.x > 0  # medial is +x on the left


def test_immutability(foot: FootTemplate) -> None:
    """Check immutability."""
    with pytest.raises(AttributeError):
        foot.extra = 1  # type: ignore[attr-defined]
    ras = foot._raster("dorsal", "right")
    with pytest.raises(ValueError):
        ras.labels[0] = 3
    assert foot.polygon("hallux_dorsal") is foot.polygon("hallux_dorsal")  # cached


# ----------------------------------------------------------------------------- drawings
def test_overlay_region_itself(foot: FootTemplate) -> None:
    """Check overlay region itself."""
    for side in SIDES:
        for view in VIEWS:
            for r in foot.regions(view):
                res = foot.overlay(foot.polygon(r, side=side), view, side=side)
                assert res.regions == (r,)
                assert res[0].fraction_of_region == pytest.approx(1.0, abs=1e-9)
                assert res[0].fraction_of_drawing == pytest.approx(1.0, abs=1e-9)
                assert res.outside_fraction == pytest.approx(0.0, abs=1e-9)


def test_overlay_fractions(foot: FootTemplate) -> None:
    """Check overlay fractions."""
    drawing = Point(-15.0, 190.0).buffer(25.0)
    res = foot.overlay(drawing, "dorsal")
    assert {"first_web_space", "hallux_dorsal", "medial_dorsum"} <= set(res.regions)
    assert list(res.regions) == sorted(res.regions)
    total = sum(o.fraction_of_drawing for o in res) + res.outside_fraction
    assert total == pytest.approx(1.0, abs=1e-12)
    inside = drawing.intersection(foot.outline("dorsal")).area
    assert sum(o.area_mm2 for o in res) == pytest.approx(inside, rel=1e-9)
    assert res.inside_area_mm2 == pytest.approx(inside, rel=1e-9)
    assert res.outside_area_mm2 == pytest.approx(drawing.area - inside, rel=1e-6)
    for o in res:
        region = foot.polygon(o.region)
        assert o.fraction_of_region == pytest.approx(o.area_mm2 / region.area)
        assert o.area_mm2 == pytest.approx(region.intersection(drawing).area, rel=1e-9)


def test_overlay_input_forms(foot: FootTemplate) -> None:
    """Check overlay input forms."""
    ring = [[-30.0, 100.0], [20.0, 100.0], [20.0, 130.0], [-30.0, 130.0]]
    a = foot.overlay(ring, "dorsal")
    b = foot.overlay(ring + [ring[0]], "dorsal")
    c = foot.overlay(np.asarray(ring), "dorsal")
    d = foot.overlay({"type": "Polygon", "coordinates": [ring + [ring[0]]]}, "dorsal")
    e = foot.overlay({"type": "Feature", "properties": {},
                      "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]}}, "dorsal")
    assert {"intermediate_dorsum", "medial_dorsum"} <= set(a.regions)
    for other in (b, c, d, e):
        assert other.regions == a.regions
        assert [o.area_mm2 for o in other] == pytest.approx([o.area_mm2 for o in a])
    assert load_drawing_geojson({"type": "Polygon", "coordinates": [ring]}).area == 1500


def test_overlay_mirrored(foot: FootTemplate) -> None:
    """Check overlay mirrored."""
    ring = np.array([[-30.0, 100.0], [20.0, 100.0], [20.0, 130.0], [-30.0, 130.0]])
    right = foot.overlay(ring, "dorsal")
    left = foot.overlay(ring * [-1, 1], "dorsal", side="left")
    assert right.regions == left.regions
    assert [o.area_mm2 for o in right] == pytest.approx([o.area_mm2 for o in left])


def test_overlay_partly_outside(foot: FootTemplate) -> None:
    """Check overlay partly outside."""
    res = foot.overlay(box(-100, 20, 0, 40), "plantar")
    assert res.regions == ("plantar_heel",)
    assert 0.5 < res.outside_fraction < 0.8


@pytest.mark.parametrize(
    ("drawing", "words"),
    [
        (Polygon(), "empty"),
        ([], "empty"),
        ({"type": "Polygon", "coordinates": []}, "empty"),
        ([[0, 0], [1, 1]], "fewer than 3"),
        ([[0, 0], [1, 1], [0, 0], [1, 1]], "fewer than 3"),
        ([[0, 0], [np.nan, 1], [1, 0]], "non-finite"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, float("inf")], [1, 0], [0, 0]]]},
         "non-finite"),
        ([[0, 150], [10, 160], [10, 150], [0, 160]], "intersects itself"),
        ([[0, 150], [5, 155], [10, 160]], "no area"),
        ([[900, 900], [910, 900], [910, 910]], "entirely outside"),
        (Point(0, 0), "not a Polygon"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "not a Polygon"),
        (42, "not a polygon"),
        ([["a", "b"], [1, 2], [3, 4]], "not a list"),
        ([[0, 0], [1, 0], [10**400, 1]], "non-finite"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 10**400], [0, 0]]]}, "non-finite"),
    ],
)
def test_bad_drawings(foot: FootTemplate, drawing: Any, words: str) -> None:
    """Check bad drawings."""
    with pytest.raises(InvalidCaseError, match="'drawing'") as e:
        foot.overlay(drawing, "dorsal")
    msg = str(e.value)
    assert words in msg
    assert "\n" not in msg
    assert not isinstance(e.value, shapely.errors.ShapelyError)


def test_drawing_vertex_limit(foot: FootTemplate) -> None:
    """Check drawing vertex limit."""
    circle = Point(0, 150).buffer(10, quad_segs=100)
    with pytest.raises(LimitExceededError, match="'drawing'"):
        foot.overlay(circle, "dorsal", max_vertices=100)
    ring = shapely.get_coordinates(circle).tolist()
    with pytest.raises(LimitExceededError, match="more than the limit of 100"):
        foot.overlay(ring, "dorsal", max_vertices=100)
    assert foot.overlay(circle, "dorsal", max_vertices=1000)


# ----------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("side", SIDES)
def test_geojson_round_trip(foot: FootTemplate, side: str) -> None:
    """Check geojson round trip."""
    fc = json.loads(json.dumps(foot.to_geojson(side=side)))
    assert fc["neuromap"]["template_side"] == side
    again = FootTemplate.from_geojson(fc)
    assert again.regions() == foot.regions()
    for r in foot.regions():
        assert again.polygon(r).equals_exact(foot.polygon(r), 1e-9), r
        assert again.anchor(r) == pytest.approx(foot.anchor(r))
    one = foot.to_geojson("medial")
    assert {f["properties"].get("view", f["properties"].get("outline"))
            for f in one["features"]} == {"medial"}


def test_build_script_reproduces_file(tmp_path: Path) -> None:
    """Check build script reproduces file."""
    out = tmp_path / "foot.geojson"
    subprocess.run([sys.executable, str(REPO / "tools" / "foot" / "build_foot.py"), "-o",
                    str(out)], check=True, capture_output=True)
    assert out.read_bytes() == FOOT_GEOJSON.read_bytes()


# ----------------------------------------------------------------------------- bad data
def _broken(raw: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    """Return a deep copy of raw with feature index updated."""
    data = copy.deepcopy(raw)
    data["features"][index].update(changes)
    return data


def _index(raw: dict[str, Any], region: str) -> int:
    """Return the index of a region feature."""
    return next(i for i, f in enumerate(raw["features"])
                if f["properties"].get("region") == region)


def test_bad_template_data(raw: dict[str, Any]) -> None:
    """Check bad template data."""
    i = _index(raw, "plantar_heel")
    heel = raw["features"][i]
    cases: list[tuple[dict[str, Any], str]] = [
        ({**raw, "neuromap": {**raw["neuromap"], "format": 3}}, "format"),
        ({**raw, "neuromap": {**raw["neuromap"], "format": True}}, "format"),
        ({**raw, "neuromap": {**raw["neuromap"], "format": 1}}, "coordinates_per_mm"),
        ({**raw, "neuromap": {k: v for k, v in raw["neuromap"].items() if k != "coordinates_per_mm"}},
         "coordinates_per_mm"),
        ({**raw, "neuromap": {**raw["neuromap"], "coordinates_per_mm": 0}}, "coordinates_per_mm"),
        ({**raw, "neuromap": {**raw["neuromap"], "coordinates_per_mm": 0.01}}, "coordinates_per_mm"),
        (_broken(raw, i, geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 0],
                                                                        [0, 10**400],
                                                                        [0, 0]]]}),
         "non-finite"),
        (_broken(raw, i, properties={**heel["properties"], "anchor": [10**400, 0]}), "finite numbers"),
        ({**raw, "type": "Feature"}, "FeatureCollection"),
        (_broken(raw, i, properties={**heel["properties"], "view": "top"}), "unknown view"),
        (_broken(raw, i, geometry={"type": "Point", "coordinates": [0, 0]}), "Polygon"),
        (_broken(raw, i, geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 0],
                                                                        [0, float("nan")],
                                                                        [0, 0]]]}),
         "non-finite"),
        (_broken(raw, i, geometry={"type": "Polygon",
                                   "coordinates": [[[0, 0], [9, 9], [9, 0], [0, 9], [0, 0]]]}),
         "invalid polygon"),
        (_broken(raw, i, properties={**heel["properties"], "region": "medial_sole"}),
         "duplicate region id"),
        (_broken(raw, i, geometry=shapely.geometry.mapping(
            shapely.Polygon(heel["geometry"]["coordinates"][0]).buffer(-1))), "tile"),
        (_broken(raw, i, geometry=shapely.geometry.mapping(
            shapely.Polygon(heel["geometry"]["coordinates"][0]).buffer(2))), "overlap"),
    ]
    for data, words in cases:
        with pytest.raises(AtlasDataError) as e:
            FootTemplate.from_geojson(data, file="foot.geojson")
        assert words in str(e.value), (words, str(e.value))
        assert str(e.value).startswith("foot.geojson: ")
    with pytest.raises(AtlasDataError, match=r"features\[\d+\] \(\w+\): has more than 50 vert"):
        FootTemplate.from_geojson(raw, max_vertices=50)


# ----------------------------------------------------------------------------- exact tiling
def _square(x: float, y: float, s: float = 1.0) -> list[list[float]]:
    return [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]


def _collection(regions: dict[str, list[list[float]]], outline: list[list[float]] | None,
                side: str = "right", view: str = "dorsal") -> dict[str, Any]:
    feats: list[dict[str, Any]] = [
        {"type": "Feature", "properties": {"region": r, "view": view},
         "geometry": {"type": "Polygon", "coordinates": [ring]}} for r, ring in regions.items()]
    if outline is not None:
        feats.append({"type": "Feature", "properties": {"outline": view},
                      "geometry": {"type": "Polygon", "coordinates": [outline]}})
    return {"type": "FeatureCollection", "neuromap": {"format": 1, "template_side": side},
            "features": feats}


#: four unit squares tiling [0, 2] x [0, 2], and the outline with every boundary vertex
GRID = {"a": _square(0, 0), "b": _square(1, 0), "c": _square(0, 1), "d": _square(1, 1)}
GRID_OUTLINE = [[0, 0], [1, 0], [2, 0], [2, 1], [2, 2], [1, 2], [0, 2], [0, 1], [0, 0]]


def _same_template(x: FootTemplate, y: FootTemplate) -> None:
    assert x.regions() == y.regions() and x.views == y.views
    for r in x.regions():
        assert shapely.to_wkb(x._polys[r]) == shapely.to_wkb(y._polys[r]), r
        assert x._anchors[r] == y._anchors[r], r
    assert list(x._outlines) == list(y._outlines)
    for v in x.views:
        assert shapely.to_wkb(x._outlines[v]) == shapely.to_wkb(y._outlines[v]), v


@pytest.mark.parametrize("side", SIDES)
def test_landmarks_are_artwork_inside_the_outline(foot: FootTemplate, raw: dict[str, Any], side: str) -> None:
    """The landmarks (issue #20: malleoli, toes, knee, calf, saddle) lie inside their view and cut no region."""
    expected = {"medial": {"medial_malleolus", "hallux_nail"}, "lateral": {"lateral_malleolus", "fourth_toe"},
                "anterior": {"patella"}, "posterior": {"knee_crease", "gastrocnemius_1"}, "saddle": {"anus"}}
    for view, names in expected.items():
        marks = foot.landmarks(view, side=side)
        assert names <= set(marks), view
        outline = foot.outline(view, side=side)
        for name, line in marks.items():
            assert outline.contains(line), (view, name)
    # mirrored for the left side
    right = foot.landmarks("lateral")["lateral_malleolus"]
    left = foot.landmarks("lateral", side="left")["lateral_malleolus"]
    assert left.bounds == pytest.approx((-right.bounds[2], right.bounds[1], -right.bounds[0], right.bounds[3]))
    # without them, the same regions, anchors and outlines: they are no part of the tiling
    bare = copy.deepcopy(raw)
    bare["features"] = [f for f in bare["features"] if "landmark" not in f["properties"]]
    _same_template(FootTemplate.from_geojson(bare), foot)
    assert FootTemplate.from_geojson(bare).landmarks("medial") == {}


def test_a_malformed_landmark_is_refused(raw: dict[str, Any]) -> None:
    bad = copy.deepcopy(raw)
    mark = next(f for f in bad["features"] if "landmark" in f["properties"])
    mark["geometry"] = {"type": "Point", "coordinates": [0, 0]}
    with pytest.raises(AtlasDataError, match="LineString"):
        FootTemplate.from_geojson(bad)


@pytest.mark.parametrize("side", SIDES)
def test_unchecked_reading_builds_the_checked_template(foot: FootTemplate, raw: dict[str, Any], side: str) -> None:
    """check=False (the bundled template, verified by its hash) builds what check=True builds."""
    fc = raw if side == "right" else json.loads(json.dumps(foot.to_geojson(side=side)))
    checked = FootTemplate.from_geojson(fc, check=True)
    _same_template(FootTemplate.from_geojson(fc, check=False), checked)
    if side == "right":
        _same_template(checked, foot)


def test_tiling_of_a_small_grid() -> None:
    """Both with and without an outline feature, a vertex-exact tiling is read, checked or not."""
    for outline in (GRID_OUTLINE, None):
        data = _collection(GRID, outline)
        t = FootTemplate.from_geojson(data)
        assert t.outline("dorsal").area == pytest.approx(4.0)
        assert t.regions("dorsal") == ("a", "b", "c", "d")
        _same_template(FootTemplate.from_geojson(data, check=False), t)


def test_unchecked_reading_trusts_the_geometry() -> None:
    """check=False skips the geometric checks, not the checks of the file's structure."""
    overlapping = _collection({**GRID, "b": _square(0.5, 0)}, None)
    with pytest.raises(AtlasDataError, match="overlap"):
        FootTemplate.from_geojson(overlapping)
    assert FootTemplate.from_geojson(overlapping, check=False).regions() == ("a", "b", "c", "d")
    bowtie = _collection({"a": [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]}, None)
    with pytest.raises(AtlasDataError, match="invalid polygon"):
        FootTemplate.from_geojson(bowtie)
    away = _collection(GRID, GRID_OUTLINE)
    away["features"][0]["properties"]["anchor"] = [5, 5]
    with pytest.raises(AtlasDataError, match="anchor lies outside the region"):
        FootTemplate.from_geojson(away)
    assert FootTemplate.from_geojson(away, check=False).anchor("a") == (5.0, 5.0)
    for broken, words in [
        (_collection(GRID, GRID_OUTLINE, view="top"), "unknown view"),
        (_collection({**GRID, "a": [[0, 0], [1, float("nan")], [0, 0], [0, 0]]}, None), "non-finite"),
        ({**_collection(GRID, None), "neuromap": {"format": 3}}, "format"),
    ]:
        with pytest.raises(AtlasDataError, match=words):
            FootTemplate.from_geojson(broken, check=False)


@pytest.mark.parametrize("regions,outline,words", [
    pytest.param({**GRID, "a2": _square(0, 0)}, GRID_OUTLINE, "overlap", id="duplicate-region"),
    pytest.param({**GRID, "e": _square(0.25, 0.25, 0.5)}, GRID_OUTLINE, "overlap", id="region-inside-another"),
    pytest.param({**GRID, "b": _square(0.5, 0)}, None, "overlap", id="partial-overlap"),
    pytest.param({k: v for k, v in GRID.items() if k != "d"}, GRID_OUTLINE, "do not tile the outline",
                 id="gap-against-outline"),
    pytest.param({f"r{i}{j}": _square(i, j) for i in range(3) for j in range(3) if (i, j) != (1, 1)}, None,
                 "without gaps (a gap at 1.50, 1.50)", id="hole"),
    pytest.param({"a": _square(0, 0), "b": _square(3, 0)}, None, "without gaps", id="disconnected"),
    pytest.param({**GRID, "a": [[0, 0], [1, 0], [1, 0.5], [1, 1], [0, 1], [0, 0]]}, GRID_OUTLINE,
                 "shared borders do not match (regions a, b)", id="t-junction"),
    pytest.param({**GRID, "a": [[0, 0], [1, 0], [1.2, 0.5], [1, 1], [0, 1], [0, 0]]}, GRID_OUTLINE,
                 "overlap or their shared borders do not match", id="border-differs-from-neighbour"),
    pytest.param(GRID, [[0, 0], [2, 0], [2, 2.5], [0, 2.5], [0, 0]], "do not tile the outline",
                 id="outline-larger"),
])
def test_tiling_failures_are_rejected(regions: dict[str, Any], outline: Any, words: str) -> None:
    """Overlaps, gaps, T-junctions and borders that differ between neighbours are data errors."""
    data = _collection(regions, outline)
    with pytest.raises(AtlasDataError, match="view dorsal") as e:
        FootTemplate.from_geojson(data, file="foot.geojson", check=True)
    assert words in str(e.value)


def test_outline_within_tolerance_is_accepted() -> None:
    """An outline that is not vertex-exact but within the tiling tolerance is still accepted."""
    outline = [[0, 0], [2, 0], [2, 2], [1, 2.0001], [0, 2], [0, 0]]
    data = _collection(GRID, outline)
    assert FootTemplate.from_geojson(data).outline("dorsal").equals(Polygon(outline))
    data["neuromap"]["tiling_tolerance"] = 0.0
    with pytest.raises(AtlasDataError, match="do not tile the outline"):
        FootTemplate.from_geojson(data)


def test_left_template_without_anchors() -> None:
    """Anchors computed for a left-foot file lie in the (mirrored) regions."""
    shifted = {r: [[-(x + 1), y] for x, y in ring] for r, ring in GRID.items()}
    for outline in (None, [[-(x + 1), y] for x, y in GRID_OUTLINE]):
        t = FootTemplate.from_geojson(_collection(shifted, outline, side="left"))
        for r in t.regions():
            assert t.polygon(r).contains(Point(t.anchor(r))), r
            assert t.polygon(r, side="left").contains(Point(t.anchor(r, side="left"))), r
        assert t.polygon("a").bounds == (1.0, 0.0, 2.0, 1.0)
