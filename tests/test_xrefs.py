"""Standard codes of atlas entities (issue 21): data/xrefs.json, Atlas.xrefs and Atlas.resolve both ways, exports.

The codes are data with sources (UBERON 2026-04-01: its ids and labels, its FMA database
cross-references and its bridge to SNOMED CT; HL7 mCODE for the laterality qualifiers). Here they
are checked as data, looked up both ways through the public API, and followed into every export.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import neuromap
from neuromap import AtlasDataError, UnknownNameError
from neuromap.datasets import bundled_data_dir, read_atlas_data
from neuromap.io import export_atlas, vocabulary

DATA = bundled_data_dir()
XREFS = json.loads((DATA / "xrefs.json").read_text(encoding="utf-8"))
SOURCES = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))["sources"]
CODES = [(e["kind"], e["id"], c["system"], c["code"]) for e in XREFS["xrefs"] for c in e["codes"]]


@pytest.fixture(scope="module")
def atlas():
    return neuromap.load_atlas()


def test_every_code_is_well_formed_sourced_and_names_one_existing_entity(atlas):
    seen_entities, seen_codes = set(), set()
    for entry in XREFS["xrefs"]:
        assert entry["id"] in atlas.ids(entry["kind"]), entry
        assert (entry["kind"], entry["id"]) not in seen_entities
        seen_entities.add((entry["kind"], entry["id"]))
        for code in entry["codes"]:
            assert re.fullmatch(XREFS["systems"][code["system"]]["pattern"], code["code"]), code
            assert code["sources"] and all(k in SOURCES for k in code["sources"]), code
            assert (code["system"], code["code"]) not in seen_codes, code
            seen_codes.add((code["system"], code["code"]))
    # at most one UBERON id per entity, read from the UBERON release with its label
    for entry in XREFS["xrefs"]:
        uberon = [c for c in entry["codes"] if c["system"] == "UBERON"]
        assert len(uberon) <= 1 and all(c["sources"] == ["uberon_2026"] and c["label"] for c in uberon), entry


def test_the_52_uberon_ids_moved_from_the_vocabulary_are_kept(atlas):
    assert "xrefs" not in json.loads((DATA / "vocabulary.json").read_text(encoding="utf-8"))
    assert atlas.xrefs("tibialis_anterior")["UBERON"] == ["UBERON:0001385"]
    assert atlas.xrefs("common fibular nerve")["FMA"] == ["FMA:19039"]
    assert atlas.xrefs("perineum", "region")["UBERON"] == ["UBERON:0002356"]
    assert sum(1 for e in XREFS["xrefs"] if any(c["system"] == "UBERON" for c in e["codes"])) >= 52


@pytest.mark.parametrize(("kind", "ident", "system", "code"), CODES)
def test_every_code_resolves_back_to_its_entity(atlas, kind, ident, system, code):
    assert code in atlas.xrefs(ident, kind)[system]
    info = XREFS["systems"][system]
    curie = code if ":" in code else f"{info['curie']}:{code}"
    forms = [curie, f"{info['uri']}|{code}", f"{info['uri']}|{curie}"]
    if system == "SNOMED":
        forms.append(f"SCTID:{code}")
    for form in forms:
        entity = atlas.resolve(form)
        assert (entity.kind, entity.id) == (kind, ident), form
        assert atlas.resolve(form, kind).id == ident


def test_resolve_reads_obo_purls_and_lower_case_prefixes(atlas):
    assert atlas.resolve("http://purl.obolibrary.org/obo/UBERON_0001322").id == "sciatic"
    assert atlas.resolve("uberon:0001322").id == "sciatic"
    assert atlas.match("UBERON:0001322").how == "code"
    assert "UBERON:0001322" in atlas and "UBERON:0000001" not in atlas


def test_an_unknown_or_misplaced_code_says_so(atlas):
    with pytest.raises(UnknownNameError, match=r"'UBERON:0000001' is .*UBERON code no entity carries"):
        atlas.resolve("UBERON:0000001")
    with pytest.raises(UnknownNameError, match="SNOMED code no nerve carries"):
        atlas.resolve("http://snomed.info/sct|181696007", "nerve")  # tibialis anterior is a muscle
    assert atlas.match("SNOMED:181696007", "nerve") is None


def test_dicom_skin_codes_name_the_skin_regions(atlas):
    # DICOM PS3.16 CID 4029 (dermatology anatomic sites): what a dermatology or imaging system sends
    assert atlas.resolve("http://snomed.info/sct|699909001").id == "lateral_heel"
    assert atlas.resolve("SNOMED:84607009").id == "heel"
    assert atlas.resolve("FMA:38107").id == "hallux_plantar"
    assert atlas.regions_of("SNOMED:56459004") == atlas.regions_of("whole foot")


def test_emg_electrode_site_codes_name_nerves_and_muscles(atlas):
    # ISO/IEEE 11073 (MDC) codes of DICOM PS3.16 CID 3031/3032, as neurophysiology systems send them
    assert atlas.resolve("urn:iso:std:iso:11073:10101|458972").id == "deep_fibular"
    assert atlas.resolve("MDC:459628").id == "biceps_femoris_long_head"
    assert atlas.xrefs("lateral femoral cutaneous nerve") == {"MDC": ["458940"]}


def test_entities_without_a_code_have_none(atlas):
    assert atlas.xrefs("L5") == {}
    assert atlas.xrefs("achilles", "reflex") == {}


def test_laterality_qualifiers_come_from_the_hl7_value_set(atlas):
    assert {q["side"]: q["code"] for q in XREFS["qualifiers"]["laterality"]} == {
        "left": "7771000", "right": "24028007", "bilateral": "51440002"}
    assert atlas.codes.side_of("SNOMED", "24028007") == "right"
    assert atlas.codes.laterality("left") == ("SNOMED", "7771000")


def test_graph_nodes_carry_their_codes(atlas):
    assert dict(atlas.node("sciatic")["xrefs"]) == {"UBERON": ("UBERON:0001322",), "FMA": ("FMA:19034",),
                                                     "SNOMED": ("181050003",), "MDC": ("458964",)}
    assert "xrefs" not in atlas.node("L5")


def test_graphml_and_node_link_exports_carry_the_codes(atlas, tmp_path):
    import networkx as nx

    export_atlas("graphml", tmp_path / "atlas.graphml")
    g = nx.read_graphml(tmp_path / "atlas.graphml")
    assert json.loads(g.nodes["sciatic"]["xrefs"])["SNOMED"] == ["181050003"]
    export_atlas("node-link", tmp_path / "atlas.json")
    nodes = {n["id"]: n for n in json.loads((tmp_path / "atlas.json").read_text(encoding="utf-8"))["nodes"]}
    assert nodes["tibialis_anterior"]["xrefs"]["UBERON"] == ["UBERON:0001385"]


def test_geojson_export_carries_the_codes_of_regions(tmp_path):
    export_atlas("geojson", tmp_path / "foot.geojson")
    fc = json.loads((tmp_path / "foot.geojson").read_text(encoding="utf-8"))
    perineum = [f["properties"] for f in fc["features"] if f["properties"].get("region") == "perineum"]
    assert perineum and all(p["xrefs"]["UBERON"] == ["UBERON:0002356"] for p in perineum)
    plain = [f["properties"] for f in fc["features"] if f["properties"].get("region") == "first_web_space"]
    assert plain and all("xrefs" not in p for p in plain)


def test_vocabulary_lists_the_codes():
    muscles = {e["id"]: e for e in vocabulary("muscles")}
    assert muscles["soleus"]["xrefs"]["SNOMED"] == ["181702007"]
    regions = {e["id"]: e for e in vocabulary("regions")}
    assert regions["heel"]["xrefs"]["UBERON"] == ["UBERON:0015875"] and "xrefs" not in regions["medial_sole"]


def _copy_with(tmp_path: Path, edit) -> Path:
    d = tmp_path / "atlas"
    shutil.copytree(DATA, d)
    obj = json.loads((d / "xrefs.json").read_text(encoding="utf-8"))
    edit(obj)
    (d / "xrefs.json").write_text(json.dumps(obj), encoding="utf-8")
    return d


def test_a_code_of_the_wrong_form_is_refused(tmp_path):
    d = _copy_with(tmp_path, lambda o: o["xrefs"][0]["codes"][0].update(code="UBERON:12"))
    with pytest.raises(AtlasDataError, match=r"xrefs.json: xrefs\[0\] .*'UBERON:12' is not a UBERON code"):
        read_atlas_data(d)


def test_a_code_given_to_two_entities_is_refused(tmp_path):
    def edit(o):
        o["xrefs"][1]["codes"].append(dict(o["xrefs"][0]["codes"][0]))
    with pytest.raises(AtlasDataError, match="is already a code of"):
        read_atlas_data(_copy_with(tmp_path, edit))


def test_a_code_of_an_unknown_entity_or_source_is_refused(tmp_path):
    with pytest.raises(AtlasDataError, match="unknown muscle 'tibialis_magnus'"):
        read_atlas_data(_copy_with(tmp_path / "a", lambda o: o["xrefs"].append(
            {"kind": "muscle", "id": "tibialis_magnus",
             "codes": [{"system": "UBERON", "code": "UBERON:0000001", "sources": ["uberon_2026"]}]})))
    with pytest.raises(AtlasDataError, match="source key 'nowhere' is not in sources.json"):
        read_atlas_data(_copy_with(tmp_path / "b", lambda o: o["xrefs"][0]["codes"][0].update(sources=["nowhere"])))
