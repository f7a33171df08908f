"""The lower-limb surface (issue 9): thigh, knee, leg, buttock and saddle views."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

import neuromap
from neuromap.geometry import ALL_VIEWS, FOOT_VIEWS, LIMB_VIEWS, SIDES

ATLAS = neuromap.load_atlas()
T = ATLAS.template
DATA = Path(__file__).resolve().parents[1] / "data"
LIMB_REGIONS = [r for v in LIMB_VIEWS for r in T.regions(v)]


def test_views_and_counts():
    assert T.views == ALL_VIEWS
    assert {v: len(T.regions(v)) for v in LIMB_VIEWS} == {"anterior": 12, "posterior": 10, "saddle": 5}
    assert 20 <= len(LIMB_REGIONS) <= 30


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("view", LIMB_VIEWS)
def test_regions_tile_the_outline_exactly(view, side):
    polys = [T.polygon(r, side=side) for r in T.regions(view)]
    assert all(p.is_valid and p.geom_type == "Polygon" for p in polys)
    assert shapely.coverage_is_valid(polys)
    union = shapely.coverage_union_all(polys)
    assert union.symmetric_difference(T.outline(view, side=side)).area < 0.1


@pytest.mark.parametrize("view", LIMB_VIEWS)
def test_left_is_the_mirror_of_the_right(view):
    for r in T.regions(view):
        right = T.polygon(r, side="right")
        left = T.polygon(r, side="left")
        mirrored = shapely.transform(right, lambda c: c * np.array([-1.0, 1.0]))
        assert left.symmetric_difference(mirrored).area < 1e-6


@pytest.mark.parametrize("view", LIMB_VIEWS)
def test_anchor_points_classify_to_their_region(view):
    for side in SIDES:
        rs = T.regions(view)
        pts = [T.anchor(r, side=side) for r in rs]
        assert T.region_ids_at(pts, view, side=side) == list(rs)


def test_frames_join_the_foot():
    # the leg cut of the limb views is at y = 130 mm, where the medial and lateral foot views end
    for view in ("anterior", "posterior"):
        assert T.bounds(view)[1] == pytest.approx(130.0)
    assert T.bounds("medial")[3] == pytest.approx(130.0)
    # the ankle at the cut is as wide as the dorsal view's leg cut (58 mm)
    cut = T.outline("anterior").intersection(shapely.LineString([(-300, 130.01), (300, 130.01)]))
    assert cut.length == pytest.approx(58.0, abs=0.5)
    # the right limb lies at -x seen from the front and at +x seen from behind
    assert T.bounds("anterior")[2] < 0 < T.bounds("posterior")[0] + 1e-9
    assert T.bounds("saddle")[2] == pytest.approx(0.0)


def test_every_new_region_is_in_the_graph_with_a_primary_nerve_and_roots():
    g = ATLAS.graph
    layers = [m["id"] for m in ATLAS.data.dermatomes["maps"] if m["kind"] == "areas"]
    for r in LIMB_REGIONS:
        assert r in g and g.nodes[r]["view"] in LIMB_VIEWS
        reg = next(x for x in ATLAS.data.regions if x["id"] == r)
        assert any(s["role"] == "primary" for s in reg["nerves"])
        for m in layers:
            assert any(a["map"] == m and a["region"] == r for a in ATLAS.data.dermatomes["assignments"]), (m, r)


def test_isncsci_key_points_of_the_limb():
    kp = {k["root"]: k["region"] for k in ATLAS.data.dermatomes["key_points"]}
    assert kp["L1"] == "femoral_triangle" and kp["L2"] == "anterior_thigh_proximal"
    assert kp["L3"] == "medial_knee" and kp["S2"] == "popliteal_fossa"
    assert kp["S3"] == "ischial_tuberosity" and kp["S4"] == kp["S5"] == "perianal"


def test_nerve_territories_and_dermatomes_are_unions_of_regions():
    regions = set(ATLAS.ids("region"))
    for n in ("lateral_femoral_cutaneous", "anterior_femoral_cutaneous", "obturator", "saphenous",
              "posterior_femoral_cutaneous", "pudendal", "genitofemoral", "ilioinguinal"):
        terr = ATLAS.nerve_territory(n).regions
        assert terr and set(terr) <= regions
    for root in ("L1", "L2", "L3", "S2", "S3", "S4", "S5"):
        assert set(ATLAS.regions_for(root)) & set(LIMB_REGIONS), root


def test_polyneuropathy_stocking_rises_to_mid_calf():
    w = json.loads((DATA / "patterns.json").read_text())["polyneuropathy"]["regions"]
    assert w["medial_leg_distal"] == 0.4 and w["medial_leg_proximal"] == 0.15
    assert not {"lateral_thigh", "posterior_thigh", "anterior_thigh_proximal", "perianal"} & set(w)


@pytest.mark.parametrize("name", ["thigh", "front of the thigh", "outer thigh", "inner thigh", "back of the thigh",
                                  "shin", "calf", "knee", "buttock", "saddle area", "groin", "lower leg", "leg",
                                  "kneecap", "perineum"])
def test_everyday_names_resolve(name):
    assert ATLAS.regions_of(name)


def test_not_on_foot_keeps_only_what_is_off_the_surface():
    off = set(ATLAS.data.not_on_foot)
    assert not off & {"thigh", "knee", "calf", "shin", "buttock", "groin", "leg", "lower leg", "perineum"}
    assert {"hand", "hip", "genitals"} <= off


def test_drawing_on_the_thigh_localizes():
    poly = shapely.Polygon([(-160, 700), (-140, 700), (-140, 800), (-160, 800)])
    res = neuromap.localize({"side": "right", "sensory": [
        {"drawing": {"view": "anterior", "polygon": list(poly.exterior.coords)}, "modality": "numbness"}]})
    assert res.hypotheses[0].id == "lateral_femoral_cutaneous"


def test_foot_views_unchanged():
    # the plantar toes are halves since issue 17 (five toes, ten regions); nothing else changed
    assert [len(T.regions(v)) for v in FOOT_VIEWS] == [10, 15, 6, 6]
