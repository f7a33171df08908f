"""data/vocabulary.json and the names issue 16 added to the atlas data (groups, cauda equina signs).

The vocabulary file is checked here as data: every term names an existing entity of its kind,
cites sources that exist, adds a name rather than repeating one, and never gives one name to two
entities of one kind; the outside names name nothing in the atlas (the standard codes are checked in test_xrefs.py).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

import neuromap
from neuromap.atlas import ENTITY_KINDS, normalize_name
from neuromap.datasets import bundled_data_dir, read_atlas_data

VOCAB = json.loads((bundled_data_dir() / "vocabulary.json").read_text(encoding="utf-8"))
GROUPS = json.loads((bundled_data_dir() / "groups.json").read_text(encoding="utf-8"))["groups"]
SIGNS = json.loads((bundled_data_dir() / "signs.json").read_text(encoding="utf-8"))["signs"]
TERMS = VOCAB["terms"]

#: The groups and signs issue 16 added (the strips clinicians name; the NICE CKS / GIRFT red flags).
NEW_GROUPS = ("medial_leg", "anteromedial_leg", "lateral_leg", "anterolateral_leg", "lateral_calf", "posterior_calf",
              "infrapatellar_region")
NEW_SIGNS = ("urinary_hesitancy", "reduced_bladder_sensation", "reduced_anal_sensation")
#: Muscle groups another change creates with their own aliases: no terms of ours may name them.
RESERVED = ("iliopsoas", "hamstrings", "fibulares", "triceps_surae")


@pytest.fixture(scope="module")
def atlas():
    return neuromap.load_atlas()


@pytest.fixture(scope="module")
def names_by_entity(atlas):
    """(kind, id) -> the folded names the entity has in its own data file."""
    out: dict[tuple[str, str], set[str]] = {}
    for kind in ENTITY_KINDS:
        for ident in atlas.ids(kind):
            entity = atlas.resolve(ident, kind)
            names = {ident, entity.label, *entity.attrs.get("aliases", ())}
            out[(kind, ident)] = {normalize_name(n) for n in names}
    return out


def _term_id(term):
    return f"{term['text']!r} ({term['kind']} {term['id']})"


def test_every_term_names_an_existing_entity_of_its_kind(atlas):
    bad = [_term_id(t) for t in TERMS if t["id"] not in atlas.ids(t["kind"])]
    assert not bad


def test_every_source_key_resolves():
    sources = read_atlas_data().sources
    cited = [k for t in (*TERMS, *VOCAB["outside"]) for k in t["sources"]]
    cited += [k for g in GROUPS if g["id"] in NEW_GROUPS for k in g["sources"]]
    cited += [k for s in SIGNS if s["id"] in NEW_SIGNS for k in s["sources"]]
    assert cited and not sorted(set(cited) - set(sources))


def test_no_text_names_two_entities_of_one_kind(names_by_entity):
    owner: dict[tuple[str, str], str] = {}
    for (kind, ident), names in names_by_entity.items():
        for name in names:
            owner[(kind, name)] = ident
    clashes = []
    for t in TERMS:
        key = (t["kind"], normalize_name(t["text"]))
        got = owner.setdefault(key, t["id"])
        if got != t["id"]:
            clashes.append(f"{_term_id(t)} also names {got!r}")
    assert not clashes


def test_no_term_repeats_a_name_of_its_entity(names_by_entity):
    repeats = [_term_id(t) for t in TERMS if normalize_name(t["text"]) in names_by_entity[(t["kind"], t["id"])]]
    assert not repeats
    folded = Counter((t["kind"], t["id"], normalize_name(t["text"])) for t in TERMS)
    assert not [k for k, n in folded.items() if n > 1]


def test_terms_leave_the_reserved_muscle_groups_alone():
    assert not [_term_id(t) for t in TERMS if t["id"] in RESERVED]


def test_outside_names_name_nothing_in_the_atlas(atlas):
    inside = {normalize_name(n) for n in atlas.names()}
    outside = [normalize_name(o["text"]) for o in VOCAB["outside"]]
    assert len(outside) == len(set(outside))
    assert not sorted(set(outside) & inside)
    assert {"thumb", "ulnar nerve", "c6", "biceps brachii"} <= set(outside)


@pytest.mark.parametrize("group", NEW_GROUPS)
def test_new_groups_cite_sources_and_name_existing_regions(atlas, group):
    entry = next(g for g in GROUPS if g["id"] == group)
    assert entry["sources"] and entry["regions"]
    assert set(entry["regions"]) <= set(atlas.ids("region"))
    assert atlas.resolve(entry["label"], "group").id == group


@pytest.mark.parametrize("sign", NEW_SIGNS)
def test_new_signs_are_cauda_equina_red_flags(atlas, sign):
    attrs = atlas.sign(sign)
    assert attrs["red_flag"] == "cauda_equina"
    assert "cauda_equina" in attrs["points_to"]["kinds"] and attrs["points_to"]["roots"]
    # every new red flag has the words patients use for it, not only the guideline's
    assert {t["usage"] for t in TERMS if t["id"] == sign} >= {"patient", "clinician"}


@pytest.mark.parametrize("sign", NEW_SIGNS)
def test_a_new_red_flag_alone_raises_the_cauda_equina_flag(atlas, sign):
    result = neuromap.localize({"side": "bilateral", "other": [atlas.sign(sign)["label"]]})
    assert [f["id"] for f in result.red_flags] == ["cauda_equina"]


def test_lateral_and_medial_leg_strips_do_not_overlap(atlas):
    regions = {g["id"]: set(g["regions"]) for g in GROUPS}
    assert not regions["medial_leg"] & regions["lateral_leg"]
    assert regions["anteromedial_leg"] < regions["medial_leg"] and regions["anterolateral_leg"] < regions["lateral_leg"]
    assert regions["lateral_calf"] < regions["lateral_leg"] and regions["posterior_calf"] < regions["calf"]
