"""Integrity of the frozen validation set in validation/*.json (issue #17).

These tests check the set's form only: every case has its citation, source address, a known lesion kind whose ids
exist in the atlas, and a ``case`` that is valid under neuromap/schemas/case.schema.json. They set no accuracy
threshold: the validation set measures the engine (tools/validate.py) and is never used to tune it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import neuromap
from neuromap.io import load_schema

VALIDATION_DIR = Path(__file__).resolve().parents[1] / "validation"
FILES = sorted(VALIDATION_DIR.glob("*.json"))
REQUIRED = ("id", "citation", "pmid", "pmcid", "doi", "url", "confirmed_by", "lesion", "reported", "case")
KINDS = ("root", "nerve", "plexus", "cauda_equina", "polyneuropathy")
SIDES = ("left", "right", "bilateral")
ID_PATTERN = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
OPTIONAL_IDS = {
    "pmid": re.compile(r"^\d{1,9}$"),
    "pmcid": re.compile(r"^PMC\d+$"),
    "doi": re.compile(r"^10\.\d{4,9}/\S+$"),
}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _cases() -> list[tuple[str, dict[str, Any]]]:
    return [(path.name, case) for path in FILES for case in _load(path).get("cases", [])]


CASES = _cases()


def test_the_set_exists_and_each_file_has_a_description_and_cases():
    assert FILES, "validation/ holds no *.json file"
    for path in FILES:
        doc = _load(path)
        assert set(doc) == {"description", "cases"}, f"{path.name}: top-level keys {sorted(doc)}"
        assert isinstance(doc["description"], str) and doc["description"].strip(), path.name
        assert isinstance(doc["cases"], list) and doc["cases"], f"{path.name}: no cases"


def test_case_ids_are_unique_across_files():
    ids = [case.get("id") for _, case in CASES]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"duplicate case ids: {duplicates}"


@pytest.mark.parametrize(("file", "case"), CASES, ids=[f"{f}:{c.get('id')}" for f, c in CASES])
def test_case_is_cited_and_sourced(file: str, case: dict[str, Any]):
    missing = [key for key in REQUIRED if key not in case]
    assert not missing, f"missing keys {missing}"
    assert ID_PATTERN.match(case["id"]), f"id {case['id']!r} is not lower_snake"
    citation = case["citation"]
    assert isinstance(citation, str) and len(citation) > 30, "citation too short to be complete"
    assert re.search(r"\b(19|20)\d{2}\b", citation), "citation names no year"
    assert re.match(r"^https?://\S+$", case["url"]), f"url {case['url']!r}"
    for key, pattern in OPTIONAL_IDS.items():
        value = case[key]
        assert value is None or (isinstance(value, str) and pattern.match(value)), f"{key} {value!r}"
    confirmed = case["confirmed_by"]
    assert isinstance(confirmed, list) and confirmed, "confirmed_by is empty"
    assert all(isinstance(c, str) and c.strip() for c in confirmed), "confirmed_by holds a non-string"
    assert isinstance(case["reported"], str) and len(case["reported"]) > 20, "reported findings missing"


@pytest.mark.parametrize(("file", "case"), CASES, ids=[f"{f}:{c.get('id')}" for f, c in CASES])
def test_lesion_names_atlas_entities(file: str, case: dict[str, Any]):
    atlas = neuromap.load_atlas()
    lesion = case["lesion"]
    assert set(lesion) == {"kind", "id", "levels", "site", "side"}, f"lesion keys {sorted(lesion)}"
    kind, lesion_id, levels, site = lesion["kind"], lesion["id"], lesion["levels"], lesion["site"]
    assert kind in KINDS, f"unknown lesion kind {kind!r}"
    assert lesion["side"] in SIDES, f"lesion side {lesion['side']!r}"
    roots = set(atlas.ids("root"))
    assert isinstance(levels, list) and set(levels) <= roots, f"levels {levels} are not all roots"
    assert len(levels) == len(set(levels)), f"repeated level in {levels}"
    if kind == "root":
        assert lesion_id in roots and lesion_id in levels, f"root {lesion_id!r} missing from the atlas or from levels"
    elif kind == "nerve":
        assert lesion_id in atlas.ids("nerve"), f"unknown nerve {lesion_id!r}"
        assert site is None or site in atlas.sites(lesion_id), f"{lesion_id} has no site {site!r}"
    elif kind == "plexus":
        assert lesion_id in atlas.ids("plexus"), f"unknown plexus {lesion_id!r}"
    else:  # cauda_equina, polyneuropathy: the atlas describes them as patterns
        assert lesion_id == kind and kind in atlas.data.patterns, f"{kind} lesion with id {lesion_id!r}"
    if kind != "nerve":
        assert site is None, f"a {kind} lesion has no nerve site ({site!r})"


# Electrodiagnostic findings of a case (issue #18's format). Until the case schema knows the `electrodiagnosis` key,
# a case is validated with that key removed and the key's shape is checked here.
_RESULTS = {
    "snap": ["normal", "reduced", "absent"],
    "cmap": ["normal", "reduced", "absent"],
    "needle_emg": ["normal", "denervation", "chronic_reinnervation", "both"],
    "h_reflex": ["normal", "delayed", "absent"],
    "f_wave": ["normal", "delayed", "absent"],
}
_NAME = {"type": "string", "minLength": 1, "maxLength": 200}


def _study(study: str, required: list[str], optional: list[str]) -> dict[str, Any]:
    props: dict[str, Any] = {"study": {"const": study}, "result": {"enum": _RESULTS[study]}}
    props.update({key: _NAME for key in required + optional})
    props["side"] = {"enum": list(SIDES)}
    return {
        "type": "object",
        "required": ["study", "result", *required],
        "properties": props,
        "additionalProperties": False,
    }


EDX_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {
        "oneOf": [
            _study("snap", ["nerve"], []),
            _study("cmap", ["nerve"], ["recording", "conduction_block_at"]),
            _study("needle_emg", ["muscle"], []),
            _study("h_reflex", [], ["nerve"]),
            _study("f_wave", ["nerve"], []),
        ]
    },
}
EDX_FILE = "electrodiagnosis_confirmed.json"


def _case_schema_knows_edx() -> bool:
    return "electrodiagnosis" in load_schema("case").get("properties", {})


@pytest.mark.parametrize(("file", "case"), CASES, ids=[f"{f}:{c.get('id')}" for f, c in CASES])
def test_case_is_valid_under_the_case_schema(file: str, case: dict[str, Any]):
    body = dict(case["case"])
    if not _case_schema_knows_edx():
        body.pop("electrodiagnosis", None)
    jsonschema.validate(body, load_schema("case"))


@pytest.mark.parametrize(("file", "case"), CASES, ids=[f"{f}:{c.get('id')}" for f, c in CASES])
def test_electrodiagnosis_has_the_shape_of_issue_18(file: str, case: dict[str, Any]):
    edx = case["case"].get("electrodiagnosis")
    if file == EDX_FILE:
        assert edx, "a case of the electrodiagnosis-confirmed file lists no electrodiagnostic finding"
        assert "electrodiagnosis" in case["confirmed_by"], "confirmed_by does not name electrodiagnosis"
    if edx is not None:
        jsonschema.validate(edx, EDX_SCHEMA)


def test_the_electrodiagnosis_shape_check_refuses_a_malformed_finding():
    bad = [{"study": "snap", "nerve": "sural", "result": "denervation"}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, EDX_SCHEMA)
    jsonschema.validate([{"study": "needle_emg", "muscle": "L5 paraspinal", "result": "denervation"}], EDX_SCHEMA)
