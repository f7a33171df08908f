"""Broken data files raise AtlasDataError naming the file and the entry; the manifest matches the files."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

import neuromap
import neuromap.io
from neuromap.atlas import Atlas
from neuromap.datasets import ATLAS_FILES, bundled_data_dir, read_atlas_data, validate_file

DATA = bundled_data_dir()
MANIFEST = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    d = tmp_path / "atlas"
    shutil.copytree(DATA, d)
    return d


def _edit(d: Path, name: str, fn) -> None:
    path = d / name
    obj = json.loads(path.read_text(encoding="utf-8"))
    fn(obj)
    path.write_text(json.dumps(obj), encoding="utf-8")


def _load(d: Path) -> Atlas:
    return Atlas(read_atlas_data(d))


def test_user_atlas_loads_through_the_same_checks(data_copy):
    atlas = neuromap.load_atlas(data_copy)
    assert atlas is not neuromap.load_atlas()
    assert atlas.summary()["regions"] == 64


CORRUPTIONS = [
    ("nerves.json", lambda o: o["nerves"][0].pop("label"), "nerves.json", "missing required key 'label'"),
    ("nerves.json", lambda o: o["nerves"][1].update(parent="nowhere"), "saphenous", "unknown nerve or plexus"),
    ("nerves.json", lambda o: o["nerves"][1]["root_values"][0].update(roots=["L9"]), "saphenous", "unknown root"),
    ("nerves.json", lambda o: o["nerves"][1]["root_values"][0].update(roots=["S3"]), "saphenous",
     "does not carry"),
    ("nerves.json", lambda o: o["nerves"][1].update(sources=["no_such_source"]), "saphenous", "not in sources.json"),
    ("nerves.json", lambda o: o["nerves"][1].update(origin="knee"), "saphenous", "is not a site of femoral"),
    ("nerves.json", lambda o: o["nerves"].append(dict(o["nerves"][0])), "femoral", "duplicate id"),
    ("nerves.json", lambda o: o["nerves"][0].update(extra=1), "femoral", "unknown key 'extra'"),
    ("muscles.json", lambda o: o["muscles"][0].update(movements=["flying"]), "psoas_major", "unknown movement"),
    ("regions.json", lambda o: o["regions"][0].update(view="side"), "hallux_dorsal", "unknown view"),
    ("regions.json", lambda o: o["regions"][0].update(nerves=[]), "hallux_dorsal", "at least one supplying nerve"),
    ("dermatomes.json", lambda o: o["assignments"].pop(0), "hallux_dorsal", "gives this region no root"),
    ("dermatomes.json", lambda o: o.update(default="nobody_1900"), "default", "is not one of the maps"),
    # the schema's findings, worded as one clause naming the entry
    ("nerves.json", lambda o: o["nerves"][2].update(label=None), "nerves[2]", "expected a string, got NoneType"),
    ("nerves.json", lambda o: o["nerves"][2].update(label="  "), "nerves[2]", "expected a non-empty string"),
    ("nerves.json", lambda o: o["nerves"][2].update(id="Sciatic"), "nerves[2]", "id 'Sciatic' is not snake_case"),
    ("nerves.json", lambda o: o["nerves"][2].update(function="both"), "nerves[2]",
     "must be motor, sensory or mixed, got 'both'"),
    ("nerves.json", lambda o: o["nerves"][2]["sites"].clear(), "nerves[2]", "expected at least one lesion site"),
    ("nerves.json", lambda o: o["nerves"][2].update(aliases=None), "nerves[2]", "expected a list, got NoneType"),
    ("nerves.json", lambda o: o["nerves"][2].update(aliases=["ok", 3]), "nerves[2]", "expected a string, got int"),
    ("regions.json", lambda o: o["regions"][2].update(sources=None), "regions[2]", "expected a list, got NoneType"),
    ("muscles.json", lambda o: o["movements"][0].update(sources=[]), "movements[0]", "at least one source key"),
    ("dermatomes.json", lambda o: o["assignments"][3].update(map="nobody_1900"), "assignments[3]", "unknown map"),
    ("dermatomes.json", lambda o: o["assignments"][3].update(region="elbow"), "assignments[3]", "unknown region"),
    ("dermatomes.json", lambda o: o["assignments"][3].update(roots={"L9": "primary"}), "assignments[3]",
     "unknown root 'L9'"),
    ("dermatomes.json", lambda o: o["assignments"][3].update(roots={"L5": "sometimes"}), "assignments[3]",
     "unknown grade 'sometimes'"),
    ("dermatomes.json", lambda o: o["assignments"][3].update(roots={}), "assignments[3]", "at least one root"),
    ("dermatomes.json", lambda o: o["assignments"][3].update(roots=["L5"]), "assignments[3]", "expected an object"),
    ("dermatomes.json", lambda o: o["assignments"][3].update(sources=["nope"]), "assignments[3]",
     "'nope' is not in sources.json"),
    ("dermatomes.json", lambda o: o["assignments"][3].update(sources=[]), "assignments[3]", "at least one source"),
    ("dermatomes.json", lambda o: o["assignments"][3].update(extra=1), "assignments[3]", "unknown key 'extra'"),
    ("dermatomes.json", lambda o: o["assignments"][3].pop("map"), "assignments[3]", "missing required key 'map'"),
    ("groups.json", lambda o: o["groups"][0]["regions"].append("elbow"), "hallux", "unknown region 'elbow'"),
    ("sources.json", lambda o: o["sources"]["lee_2008"].update(tier="T9"), "lee_2008", "tier"),
    ("nerves.json", lambda o: o["nerves"][1]["root_values"][0].update(major=["S1"]), "nerves[1] (saphenous)"
     ".root_values[0].major", "major root 'S1' is not among the roots"),
    ("nerves.json", lambda o: o["nerves"][1]["root_values"][0].update(sources=["nope"]), "saphenous",
     "'nope' is not in sources.json"),
    ("nerves.json", lambda o: o["nerves"][1]["root_values"][0].update(extra=1), "root_values[0]",
     "unknown key 'extra'"),
    ("nerves.json", lambda o: o["nerves"][1].update(root_values=[]), "saphenous", "at least one root-value entry"),
    ("muscles.json", lambda o: o["muscles"][0]["root_values"][0].update(roots=[]), "psoas_major",
     "expected at least one root"),
    ("reflexes.json", lambda o: o["reflexes"][0]["root_values"][0].update(roots="L4"), "reflexes[0]",
     "expected a list, got str"),
    ("regions.json", lambda o: o["regions"][0]["nerves"][0].update(role="sometimes"), "hallux_dorsal",
     "must be primary or variant"),
    ("regions.json", lambda o: o["regions"][0]["nerves"][0].update(sources=["nope"]), "regions[0] (hallux_dorsal)"
     ".nerves[0].sources", "'nope' is not in sources.json"),
    ("regions.json", lambda o: o["regions"][0]["nerves"][0].pop("role"), "hallux_dorsal",
     "missing required key 'role'"),
    ("regions.json", lambda o: o["regions"][0]["nerves"].append("deep_fibular"), "regions[0] (hallux_dorsal).nerves",
     "expected an object, got str"),
    ("sources.json", lambda o: o["sources"]["lee_2008"].update(verified="yes"), "sources.lee_2008.verified",
     "expected true or false, got str"),
    ("patterns.json", lambda o: o["polyneuropathy"]["regions"].update(hallux_dorsal=2), "polyneuropathy.regions",
     "must be a number in (0, 1]"),
    # references no schema can check (issue 15: a typo in an id was silently ignored)
    ("patterns.json", lambda o: o["polyneuropathy"]["regions"].update(hallux_dorsl=1), "polyneuropathy.regions",
     "unknown region 'hallux_dorsl'"),
    ("patterns.json", lambda o: o["polyneuropathy"]["reflexes"].update(knee_jerk=1), "polyneuropathy.reflexes",
     "unknown reflex 'knee_jerk'"),
    ("signs.json", lambda o: o["signs"][0]["points_to"].update(nerves=[{"nerve": "peroneal"}]),
     "signs[0] (saddle_anaesthesia).points_to.nerves[0]", "unknown nerve 'peroneal'"),
    ("signs.json", lambda o: o["signs"][0]["points_to"].update(nerves=[{"nerve": "tibial", "site": "knee"}]),
     "points_to.nerves[0]", "'knee' is not a site of tibial"),
    ("signs.json", lambda o: o["signs"][0]["points_to"].update(kinds=["cauda equina"]), "signs[0]",
     "unknown lesion kind 'cauda equina'"),
    ("dermatomes.json", lambda o: o["disagreements"][0]["maps"].update(keegan_1948="L4"), "disagreements[0].maps",
     "unknown map 'keegan_1948'"),
    # the root-level shares of the prior sum to at most 1, and leave something for a level they do not list
    ("priors.json", lambda o: o["root_levels"]["shares"].update(L4=0.5), "root_levels.shares", "sum to 1.373"),
    ("priors.json", lambda o: (o["root_levels"]["shares"].pop("S5"), o["root_levels"]["shares"].update(S4=0.002)),
     "root_levels.shares", "below 1 while a level is unlisted"),
]


@pytest.mark.parametrize("name,corrupt,entry,problem", CORRUPTIONS)
def test_corrupted_file_names_file_and_entry(data_copy, name, corrupt, entry, problem):
    _edit(data_copy, name, corrupt)
    with pytest.raises(neuromap.AtlasDataError) as info:
        _load(data_copy)
    msg = str(info.value)
    assert info.value.file.endswith(name) or name in msg
    assert entry in msg and problem in msg
    assert "\n" not in msg


def test_invalid_json_names_line(data_copy):
    (data_copy / "roots.json").write_text('{"roots": [', encoding="utf-8")
    with pytest.raises(neuromap.AtlasDataError, match=r"roots.json: line 1 column"):
        _load(data_copy)


def test_missing_file(data_copy):
    (data_copy / "signs.json").unlink()
    with pytest.raises(neuromap.AtlasDataError, match="signs.json.*missing"):
        _load(data_copy)


def test_cycle_is_rejected(data_copy):
    def make_cycle(o):
        femoral = next(n for n in o["nerves"] if n["id"] == "femoral")
        femoral["parent"] = "saphenous"
        femoral.pop("origin", None)
        femoral["origin"] = "adductor_canal"
    _edit(data_copy, "nerves.json", make_cycle)
    with pytest.raises(neuromap.AtlasDataError, match="cycle"):
        _load(data_copy)


def test_geometry_must_match_regions(data_copy):
    def drop_feature(o):
        o["features"] = [f for f in o["features"] if f.get("properties", {}).get("region") != "plantar_heel"]
    _edit(data_copy, "foot.geojson", drop_feature)
    with pytest.raises(neuromap.AtlasDataError) as info:
        _load(data_copy)
    assert "foot.geojson" in str(info.value)


def test_data_file_is_never_executed(data_copy):
    _edit(data_copy, "roots.json", lambda o: o["roots"][0].update(label="__import__('os').system('false')"))
    atlas = _load(data_copy)
    assert atlas.graph.nodes["L1"]["label"].startswith("__import__")


def test_manifest_lists_every_file():
    assert sorted(MANIFEST["files"]) == sorted(ATLAS_FILES)


@pytest.mark.parametrize("name", ATLAS_FILES)
def test_bundled_file_matches_its_schema(name):
    from jsonschema import Draft202012Validator

    entry = MANIFEST["files"][name]
    schema = json.loads((DATA / entry["schema"]).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert hashlib.sha256((DATA / entry["schema"]).read_bytes()).hexdigest() == entry["schema_sha256"]
    validate_file(name, json.loads((DATA / name).read_bytes()))


def test_bundled_content_passes_every_check(data_copy):
    # rewritten, no file matches its hash: the schemas and the reference checks all run
    for name in ATLAS_FILES:
        _edit(data_copy, name, lambda o: None)
    data = read_atlas_data(data_copy)
    assert not data.verified
    assert data.status == "modified"  # a file changed since the manifest was written
    assert replace(data, directory=DATA, verified=True, status="bundled") == read_atlas_data()


def test_bundled_atlas_is_verified_by_its_hashes(data_copy):
    assert read_atlas_data().verified
    assert read_atlas_data(data_copy).verified  # an unchanged copy matches the manifest too
    _edit(data_copy, "roots.json", lambda o: o["roots"][0].update(label="First lumbar root"))
    data = read_atlas_data(data_copy)
    assert not data.verified and data.roots[0]["label"] == "First lumbar root"
    assert not neuromap.load_atlas(data_copy).data.verified


_NO_JSONSCHEMA = """
import sys
import neuromap
neuromap.load_atlas()
print("jsonschema" in sys.modules, "referencing" in sys.modules)
"""


def test_bundled_load_does_not_import_jsonschema():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _NO_JSONSCHEMA], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize("name", sorted(MANIFEST["files"]))
def test_manifest_entry_matches_file(name):
    entry = MANIFEST["files"][name]
    raw = (DATA / name).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == entry["sha256"], "run tools/update_manifest.py"
    assert entry["bytes"] == len(raw)
    assert entry["licence"] == "BSD-3-Clause"
    assert len(entry["description"]) > 40 and entry["variability"]
    sources = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))["sources"]
    assert all(s in sources for s in entry["sources"])


def test_unhashable_reference_is_an_unknown_name(data_copy):
    _edit(data_copy, "nerves.json", lambda o: o["nerves"][1].update(parent=["femoral"]))
    with pytest.raises(neuromap.AtlasDataError, match=r"saphenous\)\.parent: expected a string, got list"):
        _load(data_copy)


def test_graph_build_error_names_duplicate_id(data_copy):
    _edit(data_copy, "muscles.json", lambda o: o["movements"][0].update(id="femoral"))
    with pytest.raises(neuromap.AtlasDataError, match="muscles.json: femoral.*already used by a nerve"):
        _load(data_copy)


def test_a_file_that_is_not_a_regular_file_is_missing(data_copy):
    import os

    (data_copy / "signs.json").unlink()
    (data_copy / "signs.json").mkdir()
    with pytest.raises(neuromap.AtlasDataError, match="signs.json.*missing"):
        _load(data_copy)
    if hasattr(os, "mkfifo"):  # a FIFO is refused without blocking on it
        (data_copy / "signs.json").rmdir()
        os.mkfifo(data_copy / "signs.json")
        with pytest.raises(neuromap.AtlasDataError, match="signs.json.*missing"):
            _load(data_copy)


def test_empty_file_is_invalid_json(data_copy):
    (data_copy / "patterns.json").write_bytes(b"")
    with pytest.raises(neuromap.AtlasDataError, match=r"patterns.json: line 1 column 1.*invalid JSON"):
        _load(data_copy)


def test_not_utf8(data_copy):
    (data_copy / "patterns.json").write_bytes(b'{"a": "\xff"}')
    with pytest.raises(neuromap.AtlasDataError, match=r"patterns.json.*not UTF-8"):
        _load(data_copy)


def test_a_template_that_does_not_tile_is_refused_unless_it_is_the_bundled_one(data_copy):
    """The bundled template is trusted by its hash (its tiling is proved when it is built); a
    user-supplied one is checked: two regions of one view drawn over each other do not load."""
    assert neuromap.load_atlas().data.verified

    def overlap(fc):
        dorsal = [f for f in fc["features"] if f["properties"].get("view") == "dorsal" and "region" in f["properties"]]
        dorsal[1]["geometry"] = dorsal[0]["geometry"]

    _edit(data_copy, "foot.geojson", overlap)
    with pytest.raises(neuromap.AtlasDataError, match="foot.geojson"):
        neuromap.load_atlas(data_copy)


# ----------------------------------------------------------------------------- issue 15
SADDLE = {"side": "bilateral", "other": ["saddle anaesthesia"]}


def _without_saddle_red_flag(o):
    o["signs"][next(i for i, s in enumerate(o["signs"]) if s["id"] == "saddle_anaesthesia")].pop("red_flag")


def test_a_changed_atlas_says_so_in_its_repr_and_in_every_result(data_copy):
    """Deleting saddle anaesthesia's red flag from a copy of signs.json loads, as *modified*."""
    bundled = neuromap.load_atlas()
    assert bundled.status == "bundled" and "(" not in repr(bundled).split("|")[0]
    assert neuromap.localize(SADDLE).to_dict()["atlas_status"] == "bundled"
    _edit(data_copy, "signs.json", _without_saddle_red_flag)
    atlas = neuromap.load_atlas(data_copy)
    assert atlas.status == "modified" and repr(atlas).startswith(f"<Atlas {bundled.version} (modified) | ")
    result = neuromap.localize(SADDLE, atlas=atlas)
    assert not result.red_flags  # what the change did, and every result says it came from a modified atlas
    assert result.to_dict()["atlas_status"] == "modified" and "modified atlas" in repr(result)
    assert neuromap.io.localize_json(SADDLE, atlas=atlas)["atlas_status"] == "modified"
    assert [o["atlas_status"] for o in neuromap.io.localize_many([SADDLE] * 2, atlas=atlas, workers=1)] == [
        "modified", "modified"]


def test_a_user_atlas_sealed_by_its_own_manifest_is_custom(data_copy):
    _edit(data_copy, "signs.json", _without_saddle_red_flag)
    manifest = json.loads((data_copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["atlas_version"] = "my-clinic-1"
    for name in ATLAS_FILES:
        manifest["files"][name]["sha256"] = hashlib.sha256((data_copy / name).read_bytes()).hexdigest()
    (data_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    atlas = neuromap.load_atlas(data_copy)
    assert atlas.status == "custom" and repr(atlas).startswith("<Atlas my-clinic-1 (custom) | ")
    assert neuromap.localize(SADDLE, atlas=atlas).to_dict()["atlas_status"] == "custom"


def _write(name, content):
    def write(d: Path) -> None:
        (d / name).write_bytes(content(d / name) if callable(content) else content)
    return write


def _edited(name, fn):
    return lambda d: _edit(d, name, fn)


DAMAGE = [
    ("label with a newline", _edited("nerves.json", lambda o: o["nerves"][2].update(label="Obturator\nnerve")),
     "nerves.json: nerves[2] (obturator).label: expected one line of printable text, got 'Obturator\\nnerve'"),
    ("alias with a line separator", _edited("nerves.json", lambda o: o["nerves"][2]["aliases"].append("a\u2028b")),
     "nerves.json: nerves[2] (obturator).aliases[0]: expected one line of printable text"),
    ("id with a trailing newline", _edited("nerves.json", lambda o: o["nerves"][2].update(id="obturator\n")),
     "nerves.json: nerves[2] ('obturator\\n').id: id 'obturator\\n' is not snake_case"),
    ("integer of 5000 digits", _write("roots.json", b'{"roots": [\n  ' + b"7" * 5000 + b"]}"),
     "roots.json: line 2 column 3: invalid JSON: a number of 5000 digits"),
    ("deleted manifest", lambda d: (d / "manifest.json").unlink(), "manifest.json: (file): missing from the atlas"),
    ("manifest without a version", _edited("manifest.json", lambda o: o.pop("atlas_version")),
     "manifest.json: atlas_version: expected one line of text"),
    ("Latin-1 file", _write("sources.json", lambda p: p.read_text(encoding="utf-8").encode("latin-1", "replace")),
     "sources.json: line "),
    ("UTF-16 file", _write("signs.json", lambda p: p.read_text(encoding="utf-8").encode("utf-16")),
     "signs.json: line 1 column 1: not UTF-8 text"),
    ("NaN", _edited("patterns.json", lambda o: o["polyneuropathy"]["regions"].update(hallux_dorsal=float("nan"))),
     "patterns.json: polyneuropathy.regions.hallux_dorsal: invalid JSON: NaN is not a number JSON allows"),
    ("Infinity", _edited("muscles.json", lambda o: o["muscles"][0].update(weight=float("-inf"))),
     "muscles.json: muscles[0] (psoas_major).weight: invalid JSON: -Infinity is not a number JSON allows"),
    ("nested too deeply", _write("groups.json", b"[" * 100_000 + b"]" * 100_000),
     "groups.json: (file): invalid JSON: nested too deeply"),
]


@pytest.mark.parametrize("what,damage,message", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_data_raises_one_line_atlas_data_error(data_copy, what, damage, message):
    damage(data_copy)
    with pytest.raises(neuromap.AtlasDataError) as info:
        neuromap.load_atlas(data_copy)
    msg = str(info.value)
    assert message in msg and "\n" not in msg and msg.startswith(info.value.file + ": ")


def test_a_copy_that_relabels_its_version_is_not_the_bundled_atlas(data_copy):
    """Found by tools/hostile.py: bundled data under another atlas_version loaded as 'bundled'."""
    _edit(data_copy, "manifest.json", lambda m: m.update(atlas_version="9.9.9"))
    atlas = neuromap.load_atlas(data_copy)
    assert atlas.status != "bundled" and not atlas.data.verified
    assert "9.9.9" in repr(atlas) and atlas.status in repr(atlas)
