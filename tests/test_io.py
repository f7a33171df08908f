"""Tests of neuromap.io: safe JSON reading, the schemas, localize_json/localize_many, export."""

from __future__ import annotations

import json
import math
import os
import threading
from pathlib import Path
from typing import Any

import pytest

import neuromap
from neuromap.atlas import normalize_name
from neuromap.errors import InvalidArgumentError, InvalidCaseError, LimitExceededError, NeuromapError, UnknownNameError
from neuromap.inference import Limits
from neuromap.io import (
    JsonLimits,
    check_case,
    error_object,
    export_atlas,
    load_schema,
    localize_iter,
    localize_json,
    localize_many,
    parse_json,
    usable_cores,
    vocabulary,
)

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).parent / "cases"
GOOD = {"side": "left",
        "sensory": [{"regions": ["first web space"], "modality": "numbness"},
                    {"regions": ["medial malleolus"], "state": "normal"}],
        "motor": [{"name": "great toe extension", "grade": 4}, {"name": "hip abduction", "grade": "normal"}],
        "reflexes": {"achilles": "normal", "patellar": "normal"}}


def _suite_cases(valid: bool) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.json")):
        if path.name == "known_failures.json":
            continue
        for c in json.loads(path.read_text(encoding="utf-8")).get("cases", []):
            is_error = any("error" in e for e in c.get("expect", []))
            if is_error != valid:
                out.append((c["id"], c["case"]))
    return out


@pytest.fixture(scope="module")
def output_validator() -> Any:
    return jsonschema.Draft202012Validator(load_schema("localization"))


@pytest.fixture(scope="module")
def case_validator() -> Any:
    return jsonschema.Draft202012Validator(load_schema("case"))


# ------------------------------------------------------------------------------ bad input classes
def _deep(n: int) -> str:
    return '{"side": "left", "other": ' + "[" * n + "]" * n + "}"


def _points(n: int) -> dict[str, Any]:
    return {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "points": [[0.0, 0.0]] * n}}]}


def _ring(n: int) -> list[list[float]]:
    return [[30 * math.cos(2 * math.pi * k / n), 100 + 30 * math.sin(2 * math.pi * k / n)] for k in range(n)]


BAD: list[tuple[str, Any, type[Exception], str]] = [
    # non-finite numbers
    ("nan literal", '{"side": "left", "motor": [{"name": "hip abduction", "grade": NaN}]}',
     InvalidCaseError, "motor[0].grade"),
    ("infinity literal in a point",
     '{"side": "left", "sensory": [{"drawing": {"view": "dorsal", "points": [[-Infinity, 1]]}}]}',
     InvalidCaseError, "sensory[0].drawing.points[0][0]"),
    ("overflow to inf", '{"side": "left", "motor": [{"name": "hip abduction", "grade": 1e999}]}',
     InvalidCaseError, "motor[0].grade"),
    ("nan in a dict", {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": [[0, 0], [1, float("nan")],
                                                                                             [1, 1]]}}]},
     InvalidCaseError, "sensory[0].drawing.polygon[1][1]"),
    # wrong types
    ("side not a string", {"side": 3, "other": ["clonus"]}, InvalidCaseError, "side"),
    ("sensory not a list", {"side": "left", "sensory": "heel"}, InvalidCaseError, "sensory"),
    ("region not a string", {"side": "left", "sensory": [{"regions": ["heel", 7]}]}, InvalidCaseError,
     "sensory[0].regions[1]"),
    ("grade a boolean", {"side": "left", "motor": [{"name": "hip abduction", "grade": True}]}, InvalidCaseError,
     "motor[0].grade"),
    ("grade out of range", {"side": "left", "motor": [{"name": "hip abduction", "grade": 6}]}, InvalidCaseError,
     "motor[0].grade"),
    ("reflexes a list", {"side": "left", "reflexes": ["achilles"]}, InvalidCaseError, "reflexes"),
    ("reflex grade a number", {"side": "left", "reflexes": {"achilles": 0}}, InvalidCaseError, "reflexes.achilles"),
    ("case a list", "[1, 2]", InvalidCaseError, "case"),
    ("case not JSON at all", 42, InvalidCaseError, "case"),
    ("a set in a dict", {"side": "left", "other": {"clonus"}}, InvalidCaseError, "other"),
    ("non-string key", {"side": "left", 1: "x"}, InvalidCaseError, "case"),
    # unknown keys
    ("unknown top key", {"side": "left", "sensroy": [{"regions": ["heel"]}]}, InvalidCaseError, "sensroy"),
    ("unknown sensory key", {"side": "left", "sensory": [{"region": ["heel"]}]}, InvalidCaseError,
     "sensory[0].region"),
    ("unknown motor key", {"side": "left", "motor": [{"name": "hip abduction", "grad": 4}]}, InvalidCaseError,
     "motor[0].grad"),
    ("unknown reflex side", {"side": "left", "reflexes": {"achilles": {"lfet": "absent"}}}, InvalidCaseError,
     "reflexes.achilles.lfet"),
    # names
    ("unknown region", {"side": "left", "sensory": [{"regions": ["heel", "frist webbed space"]}]}, UnknownNameError,
     "sensory[0].regions[1]"),
    ("region off the foot", {"side": "left", "sensory": [{"regions": ["thumb"]}]}, UnknownNameError,
     "sensory[0].regions[0]"),
    ("unknown movement", {"side": "left", "motor": [{"name": "great toe extensoin", "grade": 4}]}, UnknownNameError,
     "motor[0].name"),
    ("unknown side value", {"side": "middle", "other": ["clonus"]}, InvalidCaseError, "side"),
    # duplicate and conflicting findings, contradictory sides
    ("duplicate region", {"side": "left", "sensory": [{"regions": ["heel", "heel"]}]}, InvalidCaseError,
     "sensory[0].regions[1]"),
    ("duplicate motor", {"side": "left", "motor": [{"name": "hip abduction", "grade": 4},
                                                    {"name": "hip abduction", "grade": 4}]}, InvalidCaseError,
     "motor[1]"),
    ("region normal and abnormal", {"side": "left", "sensory": [{"regions": ["heel"]},
                                                                 {"regions": ["heel"], "state": "normal"}]},
     InvalidCaseError, "sensory[1].regions[0]"),
    ("right heel on a left case", {"side": "left", "sensory": [{"regions": ["right heel"]}]}, InvalidCaseError,
     "sensory[0].regions[0]"),
    # empty
    ("empty object", "{}", InvalidCaseError, "side"),
    ("no findings", {"side": "left"}, InvalidCaseError, "case"),
    ("empty text", "  \n", InvalidCaseError, "case"),
    ("empty regions", {"side": "left", "sensory": [{"regions": []}]}, InvalidCaseError, "sensory[0].regions"),
    ("neither regions nor drawing", {"side": "left", "sensory": [{"modality": "pain"}]}, InvalidCaseError,
     "sensory[0]"),
    # too many
    ("too many findings", {"side": "left", "motor": [{"name": "hip abduction", "grade": 4}] * 201},
     LimitExceededError, "motor"),
    ("too many regions", {"side": "left", "sensory": [{"regions": ["heel"] * 65}]}, LimitExceededError,
     "sensory[0].regions"),
    ("too many vertices", {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": _ring(10_001)}}]},
     LimitExceededError, "sensory[0].drawing.polygon"),
    ("too many points", _points(100_001), LimitExceededError, "sensory[0].drawing.points"),
    ("name too long", {"side": "left", "other": ["x" * 201]}, LimitExceededError, "other[0]"),
    # too deep, too big, bad bytes, duplicate keys, numbers too large
    ("too deep text", _deep(40), LimitExceededError, "case"),
    ("too deep dict", {"side": "left", "other": json.loads(_deep(40))["other"]}, LimitExceededError,
     "other" + "[0]" * 31),
    ("too many bytes", json.dumps({**GOOD, "notes": "x" * 4_000_000}), LimitExceededError, "case"),
    ("invalid utf-8", b'{"side": "left", "other": ["clon\xffus"]}', InvalidCaseError, "case"),
    ("invalid json", '{"side": "left",}', InvalidCaseError, "case"),
    ("duplicate top key", '{"side": "left", "side": "right", "other": ["clonus"]}', InvalidCaseError, "side"),
    ("duplicate nested key", '{"side": "left", "motor": [{"name": "hip abduction", "grade": 4, "grade": 5}]}',
     InvalidCaseError, "motor[0].grade"),
    ("number literal too long", '{"side": "left", "motor": [{"name": "hip abduction", "grade": ' + "4" * 60 + "}]}",
     LimitExceededError, "motor[0].grade"),
    ("number too large", {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "points": [[1e12, 0]]}}]},
     LimitExceededError, "sensory[0].drawing.points[0][0]"),
]


@pytest.mark.parametrize(("label", "case", "error", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_field(label: str, case: Any, error: type[Exception], field: str) -> None:
    with pytest.raises(NeuromapError) as info:
        localize_json(case, strict=True)
    exc = info.value
    assert type(exc) is error, f"{label}: {type(exc).__name__}: {exc}"
    assert exc.field == field, f"{label}: {exc}"  # type: ignore[attr-defined]
    msg = str(exc)
    assert "\n" not in msg.strip() and repr(field) in msg


def test_unknown_keys_suggest_the_closest_key() -> None:
    for case, best in [({"side": "left", "sensroy": []}, "sensory"),
                       ({"side": "left", "sensory": [{"regoins": ["heel"]}]}, "regions"),
                       ({"side": "left", "motor": [{"name": "hip abduction", "grde": 4}]}, "grade"),
                       ({"side": "left", "other": [{"nmae": "clonus"}]}, "name"),
                       ({"side": "left", "zzzz": 1}, None)]:
        with pytest.raises(InvalidCaseError) as info:
            localize_json(case)
        assert info.value.suggestions, info.value
        if best:
            assert info.value.suggestions[0] == best
            assert f"Did you mean {best!r}" in str(info.value)


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(UnknownNameError) as info:
        localize_json({"side": "left", "sensory": [{"regions": ["frist webbed space"]}]}, strict=True)
    assert "first web space" in [normalize_name(s) for s in info.value.suggestions]
    out = localize_json({"side": "left", "sensory": [{"regions": ["frist webbed space"]}]})
    assert "first web space" in [normalize_name(s) for s in out["not_understood"][0]["suggestions"]]


def test_limits_are_configurable() -> None:
    case = {"side": "left", "sensory": [{"regions": ["heel", "hallux", "little toe"]}]}
    localize_json(case)
    with pytest.raises(LimitExceededError) as info:
        localize_json(case, limits=Limits(max_regions_per_finding=2))
    assert info.value.field == "sensory[0].regions"
    with pytest.raises(LimitExceededError):
        localize_json(json.dumps(case), limits=JsonLimits(max_bytes=40))
    with pytest.raises(LimitExceededError):
        localize_json(json.dumps(case), limits=JsonLimits(max_depth=2))
    # a bilateral case doubles its findings: the engine's max_findings still applies
    bilateral = {"side": "bilateral", "motor": [{"name": "hip abduction", "grade": 4},
                                                {"name": "ankle dorsiflexion", "grade": 4}]}
    with pytest.raises(LimitExceededError):
        localize_json(bilateral, limits=Limits(max_findings=3))
    # raising a limit above the schema's default lets larger cases through
    many = {"side": "left", "sensory": [{"regions": ["heel"] * 65}]}
    with pytest.raises(InvalidCaseError, match="duplicate"):
        localize_json(many, limits=Limits(max_regions_per_finding=100), strict=True)
    out = localize_json(many, limits=Limits(max_regions_per_finding=100))  # read once, and said so
    assert [f["target"] for f in out["findings"]] == ["plantar_heel", "medial_heel", "lateral_heel",
                                                      "posterior_heel_medial", "posterior_heel_lateral"][:len(
                                                          out["findings"])]
    assert [w for w in out["warnings"] if "more than once" in w] == ["sensory[0] reports 'heel' more than once: "
                                                                     "scored once."]


def test_bytes_str_and_dict_agree() -> None:
    text = json.dumps(GOOD)
    a = localize_json(text)
    assert a == localize_json(text.encode("utf-8")) == localize_json(GOOD)
    assert a == localize_json("\ufeff" + text) == localize_json(b"\xef\xbb\xbf" + text.encode())


# ------------------------------------------------------------------------------ outputs and schemas
def test_schemas_are_valid_and_versioned() -> None:
    for name in ("case", "localization"):
        schema = load_schema(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"].endswith("2020-12/schema")
        # 1.2 both: grade words are vocabulary (issue #16), results carry not_understood
        assert schema["version"] == {"case": "1.3", "localization": "1.5"}[name]
        assert schema["$id"].endswith(f":{name}:{schema['version']}")
    from neuromap.inference.result import OUTPUT_SCHEMA_VERSION

    assert load_schema("localization")["properties"]["schema_version"]["const"] == OUTPUT_SCHEMA_VERSION
    with pytest.raises(UnknownNameError):
        load_schema("cases")


def _walk(schema: Any, path: str = "") -> Any:
    if isinstance(schema, dict):
        yield path, schema
        for k, v in schema.items():
            if k in ("properties", "$defs"):
                for name, sub in v.items():
                    yield from _walk(sub, f"{path}/{k}/{name}")
            elif k in ("items", "additionalProperties", "propertyNames", "not"):
                yield from _walk(v, f"{path}/{k}")
            elif k in ("anyOf", "oneOf"):
                for i, sub in enumerate(v):
                    yield from _walk(sub, f"{path}/{k}/{i}")


def test_schemas_describe_every_field() -> None:
    for name in ("case", "localization"):
        for path, sub in _walk(load_schema(name)):
            parts = path.split("/")
            if len(parts) >= 2 and parts[-2] in ("properties", "$defs"):
                assert "description" in sub or "$ref" in sub, (name, path)


def test_schema_limits_match_the_default_limits() -> None:
    from neuromap.inference.case import MAX_NOTE_LENGTH

    defaults = Limits()
    notes = []
    for path, sub in _walk(load_schema("case")):
        if "x-limit" in sub:
            bound = sub.get("maxItems", sub.get("maxLength", sub.get("maxProperties")))
            assert bound == getattr(defaults, sub["x-limit"]), path
        elif "maxLength" in sub:
            notes.append(path)
            assert sub["maxLength"] == MAX_NOTE_LENGTH, path
    assert notes == ["/properties/notes", "/$defs/note"]


@pytest.mark.parametrize(("ident", "case"), _suite_cases(valid=True), ids=[c[0] for c in _suite_cases(True)])
def test_suite_case_output_matches_the_schema(ident: str, case: dict[str, Any], output_validator: Any,
                                              case_validator: Any) -> None:
    case_validator.validate(case)
    out = localize_json(case)
    output_validator.validate(out)
    assert out == neuromap.localize(case).to_dict()
    assert out["schema_version"] == "1.5" and out["neuromap_version"] == neuromap.__version__
    assert out["atlas_version"] == neuromap.load_atlas().version
    json.dumps(out, allow_nan=False)


@pytest.mark.parametrize(("ident", "case"), _suite_cases(valid=False), ids=[c[0] for c in _suite_cases(False)])
def test_suite_invalid_cases_raise_neuromap_errors(ident: str, case: dict[str, Any]) -> None:
    with pytest.raises(NeuromapError) as info:
        localize_json(case, strict=True)
    assert "\n" not in str(info.value).strip()
    # by default, a finding that cannot be read is set aside and named, never silently dropped
    try:
        out = localize_json(case)
    except NeuromapError as exc:
        assert str(exc) == str(info.value)
    else:  # set aside and named, or a misspelling corrected and said so
        assert (out["not_understood"] and any("not understood" in w for w in out["warnings"])) or any(
            "spelling corrected" in w for w in out["warnings"])


def test_what_the_schema_refuses_is_refused(case_validator: Any) -> None:
    """A few cases the schema refuses: check_case refuses each with an InvalidCaseError (see test_io_validator)."""
    samples = [{}, {"side": 1}, {"side": "left", "x": 1},
               {"side": "left", "sensory": [{"regions": ["heel"], "drawing": {"view": "dorsal"}}]},
               {"side": "left", "sensory": [{}]}, {"side": "left", "motor": [{"name": "hip abduction", "grade": 4.5}]},
               {"side": "left", "motor": [{"name": "hip abduction", "grade": -1}]},
               {"side": "left", "reflexes": {"achilles": {}}}, {"side": "left", "reflexes": {"": "absent"}},
               {"side": "left", "other": [{"name": "clonus", "state": 1}, "babinski"]},
               {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "geojson": {"coordinates": []}}}]},
               {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "points": [[1, 2, 3]]}}]},
               {"side": "left", "other": ["clonus"], "dermatome_map": 5}]
    case_validator.validate(GOOD)
    check_case(GOOD)
    for s in samples:
        assert not case_validator.is_valid(s), s
        with pytest.raises(InvalidCaseError):
            check_case(s)


def test_schema_docs_are_up_to_date() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_schema_page", ROOT / "tools" / "gen_schema_page.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    doc = (ROOT / "docs" / "schemas.md").read_text(encoding="utf-8")
    assert doc == gen.render(), "docs/schemas.md is out of date; run: python tools/gen_schema_page.py"
    for field in ("sensory[].regions", "sensory[].drawing.points", "motor[].grade", "reflexes.*",
                  "hypotheses[].explains[].why", "red_flags[].message"):
        assert f"| `{field}` |" in doc


def test_parse_json_rejects_what_json_allows() -> None:
    assert parse_json('{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}
    for text, cls in [("[NaN]", InvalidCaseError), ("[Infinity]", InvalidCaseError),
                      ('{"a":1,"a":2}', InvalidCaseError),
                      ("[" * 100 + "]" * 100, LimitExceededError), ("[" + "1" * 5000 + "]", LimitExceededError)]:
        with pytest.raises(cls):
            parse_json(text)
    # brackets inside strings do not count toward the depth
    assert parse_json(json.dumps(["[" * 100])) == ["[" * 100]
    assert parse_json(json.dumps([r'\"[[[[' * 20])) == [r'\"[[[[' * 20]


def test_cyclic_dict_is_rejected() -> None:
    case: dict[str, Any] = {"side": "left", "other": []}
    case["other"].append(case)
    with pytest.raises(LimitExceededError):
        localize_json(case)


# ------------------------------------------------------------------------------ many, concurrency
CASES_FOR_MANY: list[Any] = [
    GOOD,
    '{"side": "right", "reflexes": {"achilles": "absent"}, "sensory": [{"regions": ["lateral border"]}]}',
    {"side": "middle", "other": ["clonus"]},
    b"\xff",
    {"side": "bilateral", "sensory": [{"regions": ["toes"], "modality": "tingling"}]},
]


def test_localize_many_keeps_order_and_reports_errors() -> None:
    out = localize_many(CASES_FOR_MANY)
    assert len(out) == len(CASES_FOR_MANY)
    assert out[0] == localize_json(GOOD)
    assert out[1]["hypotheses"][0]["id"] == "S1"
    assert out[2] == {"error": {"type": "InvalidCaseError", "field": "side", "message": out[2]["error"]["message"]}}
    assert "'middle'" in out[2]["error"]["message"]
    assert out[3]["error"]["type"] == "InvalidCaseError" and out[3]["error"]["field"] == "case"
    assert "hypotheses" in out[4]
    assert localize_many([]) == []


def test_localize_many_processes_match_serial() -> None:
    cases = CASES_FOR_MANY * 4
    assert localize_many(cases, workers=2) == localize_many(cases, workers=1)


def test_localize_many_as_text() -> None:
    """as_text=True: each result as compact JSON text, made once per distinct case, serial or in workers."""
    cases = CASES_FOR_MANY * 3
    expected = [json.dumps(r, separators=(",", ":")) for r in localize_many(cases, workers=1)]
    for workers in (1, 2):
        texts = localize_many(cases, workers=workers, as_text=True)
        assert texts == expected
        assert texts[0] is texts[len(CASES_FOR_MANY)]


def test_localize_many_leaves_the_garbage_collector_alone() -> None:
    import gc

    before = gc.isenabled(), gc.get_freeze_count()
    localize_many(CASES_FOR_MANY * 2, workers=2)
    localize_many(CASES_FOR_MANY, workers=1)
    assert (gc.isenabled(), gc.get_freeze_count()) == before


def _json_or_error(case: Any) -> dict[str, Any]:
    try:
        return localize_json(case)
    except NeuromapError as exc:
        return error_object(exc)


def test_localize_many_equals_localize_json_per_case() -> None:
    """Deduplicated, serial or in the pool: exactly localize_json's output per case, in order."""
    import copy

    from neuromap.inference import Case

    drawing = {"side": "left", "sensory": [{"drawing": {"view": "plantar", "polygon": _ring(40)}}]}
    distinct: list[Any] = [
        *CASES_FOR_MANY,
        drawing,
        {"side": "left"},                                                   # no findings: an error
        '{"side": "left", "motor": [{"name": "hip abduction", "grade": 4.5}]}',
        {"side": "left", "motor": [{"name": "hip abduction", "grade": 4}]},
        {"side": "left", "motor": [{"name": "hip abduction", "grade": 4.0}]},
        {"side": "left", "motor": [{"name": "hip abduction", "grade": True}]},  # a bool is not a grade
        {"reflexes": {"achilles": "absent", "patellar": "reduced"}, "side": "left"},
        {"side": "left", "reflexes": {"patellar": "reduced", "achilles": "absent"}},  # other finding order
        Case(side="left", reflexes={"achilles": "absent"}),
    ]
    # repeats as the same objects, as equal copies and as JSON text, shuffled
    cases = [*distinct, *(copy.deepcopy(c) for c in distinct if not isinstance(c, Case)), *distinct[::-1],
             json.dumps(GOOD), json.dumps(GOOD), b'{"side": "middle"}']
    expected = [_json_or_error(c) for c in cases]
    assert any("error" in e for e in expected) and any("hypotheses" in e for e in expected)
    for workers in (1, 2):
        out = localize_many(cases, workers=workers)
        assert out == expected
        # the same text: key order, float digits
        assert [json.dumps(o) for o in out] == [json.dumps(e) for e in expected]
    # identical cases share their result; cases that differ only in key order or type do not
    out = localize_many(cases, workers=1)
    n = len(distinct)
    assert cases[3 * n - 2] is GOOD and out[0] is out[3 * n - 2]  # GOOD again
    assert out[0] is out[n]  # GOOD and its deep copy
    grade = {json.dumps(c): i for i, c in enumerate(cases[:n]) if isinstance(c, dict)}
    assert out[grade[json.dumps(distinct[8])]] is not out[grade[json.dumps(distinct[9])]]


def test_only_equal_plain_json_cases_share_a_result() -> None:
    """Batch deduplication reads a case as JSON would: cases equal key for key, in the same order
    and with the same types, share one result; anything else is localized on its own."""
    import numpy as np

    base = {"side": "left", "motor": [{"name": "hip abduction", "grade": 4}]}
    same = json.loads(json.dumps(base))
    variants = [
        {"side": "left", "motor": [{"name": "hip abduction", "grade": 4.0}]},        # 4.0 is not 4
        {"motor": [{"name": "hip abduction", "grade": 4}], "side": "left"},          # another key order
        {"side": "left", "motor": ({"name": "hip abduction", "grade": 4},)},         # a tuple is not JSON
        {"side": "left", "motor": [{"name": "hip abduction", "grade": np.int64(4)}]},  # nor a numpy number
    ]
    out = localize_many([base, same, *variants, json.dumps(base), json.dumps(base).encode()], workers=1)
    assert out[0] is out[1]
    assert all(o is not out[0] for o in out[2:6])
    assert out[6] == out[7] == out[0]  # the same case as text and as bytes
    assert all(o["hypotheses"][0]["id"] == out[0]["hypotheses"][0]["id"] for o in out if "error" not in o)


def _distinct_cases(n: int) -> list[str]:
    """*n* different valid cases as JSON lines (two regions of the foot and thigh, a side, a modality)."""
    regions = [r["id"] for r in vocabulary("regions")][:40]
    cases = []
    for i in range(n):
        first, second = regions[i % len(regions)], regions[(i // len(regions) + 1 + i) % len(regions)]
        cases.append(json.dumps({"side": ("left", "right")[i % 2], "sensory": [
            {"regions": [first, second], "modality": ("numbness", "tingling", "pain")[(i // 80) % 3]}]}))
    return cases


def test_concurrent_batches_keep_their_own_settings() -> None:
    """Issue 15: batches running at once in threads, each with its own dermatome map and limits,
    give exactly what each gives alone (no state is shared between calls)."""
    cases = [*_distinct_cases(30), '{"side": "left", "sensory": [{"regions": ["heel", "toes", "arch"]}]}']
    maps = [m["id"] for m in vocabulary("maps")]
    settings = [(maps[i % len(maps)], Limits(max_regions_per_finding=2 + i % 2)) for i in range(8)]
    alone = [localize_many(cases, dermatome_map=m, limits=lim, workers=1) for m, lim in settings]
    assert len({json.dumps(a[:-1]) for a in alone}) > 2  # the maps differ
    assert "error" in alone[0][-1] and "error" not in alone[1][-1]  # the limits differ
    got: dict[int, list[Any]] = {}
    barrier = threading.Barrier(len(settings))

    def work(i: int) -> None:
        barrier.wait()
        for _ in range(3):
            got[i] = localize_many(cases, dermatome_map=settings[i][0], limits=settings[i][1], workers=1)
            assert got[i] == alone[i]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(settings))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == dict(enumerate(alone))
    # and two at once in worker processes
    pooled: dict[int, list[Any]] = {}
    threads = [threading.Thread(target=lambda i=i: pooled.__setitem__(
        i, localize_many(cases, dermatome_map=settings[i][0], limits=settings[i][1], workers=2))) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert pooled == {0: alone[0], 1: alone[1]}


@pytest.mark.parametrize("workers", [0, -1, 1.5, "2", True])
def test_workers_must_be_a_positive_whole_number(workers: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="workers"):
        localize_many(["{}"], workers=workers)


def test_workers_are_capped_at_the_usable_cores() -> None:
    import multiprocessing

    seen = 0
    for _ in localize_iter(_distinct_cases(40), workers=64, chunk_size=4):
        seen = max(seen, len(multiprocessing.active_children()))
    assert 1 <= seen <= usable_cores()


def test_iter_streams_in_order_and_a_dead_worker_fails_only_its_chunks() -> None:
    """localize_iter reads its input lazily; killing a worker process mid-batch turns the cases of
    the chunks it held into error objects and the rest of the batch still comes out, in order."""
    import multiprocessing
    import signal

    cases = _distinct_cases(240)
    expected = localize_many(cases, workers=1)
    read = 0

    def lines() -> Any:
        nonlocal read
        for c in cases:
            read += 1
            yield c

    out = []
    killed: set[int] = set()
    later: set[int] = set()
    for r in localize_iter(lines(), workers=2, chunk_size=16):
        if not out:
            assert read < len(cases)  # the first result came before the input was read
            for child in multiprocessing.active_children():
                os.kill(child.pid, signal.SIGKILL)
                killed.add(child.pid)
        else:
            later.update(c.pid for c in multiprocessing.active_children())
        out.append(r)
    assert killed and later - killed  # new workers took the rest
    assert len(out) == len(cases)
    # a chunk a worker held when it was killed fails (a worker killed while idle had none)
    failed = [i for i, r in enumerate(out) if r != expected[i]]
    assert all(out[i]["error"]["type"] == "BrokenProcessPool" for i in failed)
    assert len(failed) <= 2 * 16 and (not failed or failed[-1] < len(cases) - 16)


def test_threads_share_the_atlas_safely() -> None:
    atlas = neuromap.load_atlas()
    cases = [c for _, c in _suite_cases(valid=True)][:24]
    cases.append({"side": "left", "sensory": [{"drawing": {"view": "plantar", "polygon": _ring(40)}}]})
    cases.append(_points(500))
    expected = [neuromap.localize(c, atlas=atlas).to_dict() for c in cases]
    results: dict[int, list[dict[str, Any]]] = {}
    barrier = threading.Barrier(8)

    def run(k: int) -> None:
        barrier.wait()
        order = cases[k % len(cases):] + cases[:k % len(cases)]
        got = [neuromap.localize(c, atlas=atlas).to_dict() for c in order]
        results[k] = got[len(cases) - k % len(cases):] + got[:len(cases) - k % len(cases)]

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8
    for k, got in results.items():
        assert got == expected, f"thread {k} differs from the serial run"


# ------------------------------------------------------------------------------ vocabulary, export
def test_vocabulary() -> None:
    regions = vocabulary("regions")
    assert {e["kind"] for e in regions} == {"region", "group"}
    assert any(e["id"] == "first_web_space" for e in regions)
    assert any(e["id"] == "deep_fibular" for e in vocabulary("nerves"))
    assert any(e["id"] == "achilles" and "ankle jerk" in e["aliases"] for e in vocabulary("reflexes"))
    maps = vocabulary("maps")
    assert sum(m["default"] for m in maps) == 1
    for kind in ("movements", "muscles", "signs"):
        assert vocabulary(kind)
    with pytest.raises(UnknownNameError) as info:
        vocabulary("region")
    assert info.value.suggestions[0] == "regions"


def test_export_formats(tmp_path: Path) -> None:
    import networkx as nx

    atlas = neuromap.load_atlas()
    export_atlas("geojson", tmp_path / "foot.geojson")
    fc = json.loads((tmp_path / "foot.geojson").read_text())
    assert fc["type"] == "FeatureCollection"
    sides = {f["properties"]["side"] for f in fc["features"]}
    views = {f["properties"].get("view") or f["properties"].get("outline") for f in fc["features"]}
    assert sides == {"left", "right"} and views == set(atlas.template.views)
    n_regions = sum(len(atlas.template.regions(v)) for v in atlas.template.views)
    assert len(fc["features"]) == 2 * (n_regions + len(atlas.template.views))
    export_atlas("graphml", tmp_path / "atlas.graphml")
    g = nx.read_graphml(tmp_path / "atlas.graphml")
    assert g.number_of_nodes() == atlas.graph.number_of_nodes()
    export_atlas("node-link", tmp_path / "atlas.json")
    nl = json.loads((tmp_path / "atlas.json").read_text())
    assert len(nl["nodes"]) == atlas.graph.number_of_nodes()
    with pytest.raises(UnknownNameError) as info:
        export_atlas("geojsn", tmp_path / "x")
    assert info.value.suggestions[0] == "geojson"


@pytest.mark.parametrize("ring, field, words", [
    ([[0, 0], [10, 0], [10, True]], "sensory[0].drawing.polygon[2][1]", "expected a number"),
    ([[0, 0], [10, 0, 1], [10, 10]], "sensory[0].drawing.polygon[1]", "at most 2"),
    ([[0, 0], [10], [10, 10]], "sensory[0].drawing.polygon[1]", "at least 2"),
    ([[0, 0], "10,0", [10, 10]], "sensory[0].drawing.polygon[1]", "expected a list"),
    ([[0, 0], [10, "0"], [10, 10]], "sensory[0].drawing.polygon[1][1]", "expected a number"),
])
def test_drawing_points_are_checked_one_by_one(ring: list, field: str, words: str) -> None:
    """A bad point of a ring is named, down to the coordinate."""
    case = {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": ring}}]}
    with pytest.raises(InvalidCaseError) as exc:
        check_case(case)
    assert exc.value.field == field
    assert words in str(exc.value)


def test_drawing_points_accept_ints_and_floats() -> None:
    check_case({"side": "left", "sensory": [{"drawing": {"view": "dorsal",
                                                          "polygon": [[-20, 180], [-5.5, 180], [-5, 200.25]]}}]})
