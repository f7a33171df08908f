"""The one case validator against the published case schema, and the JSON layer's limits.

neuromap checks a case once, in :func:`neuromap.inference.case.parse_case` (behind ``load_case``,
``localize_json`` and ``neuromap.localize``); the case format is published as
``neuromap/schemas/case.schema.json``. ``jsonschema`` holds the two together here, on valid
cases and on mutations of them (one change at a time):

- a case the schema accepts and whose names resolve is accepted;
- a case the schema refuses is refused with an :class:`InvalidCaseError`, as a dict and as
  JSON text alike;
- a case the schema accepts but neuromap refuses is refused for a reason the schema does not
  express: a name or a value the atlas does not know, a duplicate or contradictory finding, a
  drawing off the foot, a limit of the JSON layer.

The schema's ``x-limit`` bounds follow the limits in force: the tests run under the default
limits and under small ones, against a copy of the schema with those bounds.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuromap.atlas import load_atlas
from neuromap.errors import InvalidCaseError, LimitExceededError, NeuromapError, UnknownNameError
from neuromap.inference import Limits
from neuromap.io import DEFAULT_JSON_LIMITS, JsonLimits, load_case, load_schema
from neuromap.testing.strategies import cases as case_strategy

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"deadline": None, "derandomize": True, "database": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}

#: small limits that the mutations below reach (every x-limit, the depth, the numbers)
SMALL = JsonLimits(max_depth=6, max_number_length=8, max_abs_number=500.0,
                   case=Limits(max_findings=3, max_regions_per_finding=2, max_vertices=5, max_points=4,
                               max_text_length=12))
LIMITS = (DEFAULT_JSON_LIMITS, SMALL)


def _schema(lim: JsonLimits) -> Any:
    """A validator of the case schema with its x-limit bounds set from *lim*."""
    schema = load_schema("case")
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "x-limit" in node:
                for key in ("maxItems", "maxLength", "maxProperties"):
                    if key in node:
                        node[key] = getattr(lim.case, node["x-limit"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return jsonschema.Draft202012Validator(schema)


VALIDATORS = {id(lim): _schema(lim) for lim in LIMITS}


def _ring(cx: float, cy: float, r: float = 4.0) -> list[list[float]]:
    return [[round(cx + dx * r, 3), round(cy + dy * r, 3)]
            for dx, dy in ((1, 0), (0.7, 0.7), (0, 1), (-0.7, 0.7), (-1, 0), (-0.7, -0.7), (0, -1), (0.7, -0.7))]


ATLAS = load_atlas()
WEB = ATLAS.template.anchor("first_web_space", side="left")
RING = _ring(*WEB)
HAND: list[dict[str, Any]] = [
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": RING}, "state": "normal",
                                  "side": "left", "note": "n"}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygons": [RING, _ring(WEB[0], WEB[1] - 20)]}}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "points": [list(WEB), [WEB[0] + 1, WEB[1]]]}}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "geojson": {
        "type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[*RING, RING[0]]]},
        "properties": {"a": [1, {}]}}}}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "geojson": {
        "type": "MultiPolygon", "coordinates": [[[*RING, RING[0]]]], "extra": None}}}]},
    {"side": "bilateral", "reflexes": {"achilles": {"left": "absent", "right": "2+"}, "patellar": {"left": "1+"}},
     "other": ["babinski", {"name": "clonus", "side": "left", "state": "normal"}]},
    {"side": "right", "motor": [{"name": "hip abduction", "grade": 4.0},
                                {"name": "ankle dorsiflexion", "grade": "4-", "side": "left", "note": "x"}],
     "dermatome_map": "lee_2008", "id": "case-1", "notes": "free text"},
    {"side": "left", "sensory": [{"regions": ["first web space", "heel"], "modality": "pins and needles"}],
     "motor": [], "reflexes": {"ankle jerk": "reduced"}, "other": []},
]


def _suite() -> list[dict[str, Any]]:
    out = []
    for path in sorted((ROOT / "tests" / "cases").glob("*.json")):
        if path.name == "known_failures.json":
            continue
        for c in json.loads(path.read_text(encoding="utf-8")).get("cases", []):
            if not any("error" in e for e in c.get("expect", [])):
                out.append(c["case"])
    return out


SUITE = _suite()
SEEDS = HAND + SUITE[::4]

# ------------------------------------------------------------------------------ mutations
NASTY: list[Any] = [None, True, False, 0, 1, -1, 5, 6, 4.5, 3.0, -0.0, 499.0, 501, 1e9, 1e10, -1e10, 2 ** 70,
                    "", " ", "x", "left", "x" * 13, "x" * 201, "x" * 10_001, [], [1], ["a"], [[0, 0]], [0, 0],
                    [[0.0, 0.0]] * 3, {}, {"side": "left"}, {"regions": ["heel"]},
                    {"drawing": {"view": "dorsal", "points": [[0, 0]]}}, [[[[[[[[1]]]]]]]]]
KEYS = ["regions", "drawing", "modality", "state", "side", "note", "name", "grade", "view", "polygon",
        "polygons", "points", "geojson", "type", "coordinates", "geometry", "left", "right", "sensory", "motor",
        "notes", "id", "dermatome_map"]


def _paths(v: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(v, dict):
        for k in v:
            yield from _paths(v[k], (*path, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            if i < 2 or i == len(v) - 1:  # the first two and the last of a long list (a ring's points)
                yield from _paths(x, (*path, i))


def _get(v: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        v = v[p]
    return v


def _set(case: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    out = copy.deepcopy(case)
    _get(out, path[:-1])[path[-1]] = new
    return out


def _changes(case: dict[str, Any], path: tuple[Any, ...]) -> Iterator[Any]:
    """Variants of *case*, each one change at *path*: other values, a key missing or misspelt, keys added."""
    node = _get(case, path)
    parent = _get(case, path[:-1]) if path else None
    for v in NASTY:
        yield _set(case, path, v)
    if path and isinstance(parent, dict):
        yield _set(case, path[:-1], {k: x for k, x in parent.items() if k != path[-1]})
        k0 = str(path[-1])
        for t in (k0 + "s", k0[:-1], k0.upper(), " " + k0):
            yield _set(case, path[:-1], {(t if k == path[-1] else k): x for k, x in parent.items()})
    if path and isinstance(parent, list):
        yield _set(case, path[:-1], [x for i, x in enumerate(parent) if i != path[-1]])
    if isinstance(node, dict):
        pool = (NASTY[2], NASTY[5], NASTY[22], NASTY[24], NASTY[30], NASTY[31], NASTY[32], RING, ["heel"], "x")
        for i, k in enumerate(KEYS):
            yield _set(case, path, {**node, k: pool[(i + len(path)) % len(pool)]})
        for k, v in (("regions", ["heel"]), ("drawing", {"view": "dorsal", "polygon": RING})):
            yield _set(case, path, {**node, k: v})
    elif isinstance(node, list):
        yield _set(case, path, node * 3)
        yield _set(case, path, node * 70)
        yield _set(case, path, [node])
    elif isinstance(node, str):
        yield _set(case, path, node * 20)
        yield _set(case, path, [node])


# ------------------------------------------------------------------------------ the comparison
#: what the schema cannot say: names and values the atlas resolves, findings that repeat or
#: contradict each other, drawings that miss the foot, and the limits of the JSON layer
UNSAID = ("allowed values are", "duplicate finding", "both abnormal and normal", "names the left foot",
          "names the right foot", "has no findings", "give exactly one of 'polygon'", "the name is empty",
          "lies outside", "lies entirely outside", "is empty", "fewer than 3 distinct points", "has no area",
          "intersects itself", "is not a valid polygon", "is not a Polygon", "without a geometry", "has no rings",
          "not a list of [x, y]", "non-finite coordinates")


def _outcome(case: Any, lim: JsonLimits) -> NeuromapError | None:
    try:
        load_case(case, limits=lim)
    except NeuromapError as exc:
        return exc
    return None


def _compare(case: Any, lim: JsonLimits, seed: Any = None) -> bool:
    """Assert that neuromap and the schema agree on *case* (see the module docstring); return whether it is valid.

    *case* is *seed* changed once. When *seed* is itself outside the schema (under small limits),
    a change may add a name that does not resolve: the case is then refused, but perhaps for
    that name first.
    """
    in_schema = VALIDATORS[id(lim)].is_valid(case)
    text_exc = _outcome(json.dumps(case), lim)
    exc = _outcome(case, lim) if isinstance(case, dict) else text_exc
    assert type(text_exc) is type(exc), (case, exc, text_exc)
    if not isinstance(exc, LimitExceededError):  # the JSON layer: text has literals and a whole depth
        assert str(text_exc) == str(exc)
    if not in_schema:
        names_resolve = seed is None or VALIDATORS[id(lim)].is_valid(seed)
        assert isinstance(exc, InvalidCaseError if names_resolve else NeuromapError), (
            f"the schema refuses {case!r:.300}; neuromap: {exc!r}")
        assert "\n" not in str(exc)
    elif exc is not None and not isinstance(exc, (UnknownNameError, LimitExceededError)):
        assert any(w in str(exc) for w in UNSAID), f"the schema accepts {case!r:.300}; neuromap: {exc}"
    return in_schema and exc is None


def test_seeds_are_valid() -> None:
    for case in SEEDS:
        for lim in (DEFAULT_JSON_LIMITS,):
            assert VALIDATORS[id(lim)].is_valid(case), case
            assert _compare(case, lim), case


@settings(max_examples=100, **SETTINGS)
@given(case=case_strategy(ATLAS))
def test_generated_cases_are_accepted(case: dict[str, Any]) -> None:
    assert _compare(case, DEFAULT_JSON_LIMITS)
    _compare(case, SMALL)


@settings(max_examples=300, **SETTINGS)
@given(data=st.data())
def test_mutated_cases_agree(data: st.DataObject) -> None:
    seed: Any = data.draw(st.sampled_from(SEEDS))
    path = data.draw(st.sampled_from(list(_paths(seed))))
    case = data.draw(st.sampled_from(list(_changes(seed, path))))
    for lim in LIMITS:
        _compare(case, lim, seed)


@pytest.mark.parametrize("lim", LIMITS, ids=["default", "small"])
@pytest.mark.parametrize("seed", range(len(HAND)))
def test_every_change_of_a_hand_case_agrees(lim: JsonLimits, seed: int) -> None:
    n = refused = 0
    for path in _paths(HAND[seed]):
        for case in _changes(HAND[seed], path):
            n += 1
            refused += not _compare(case, lim, HAND[seed])
    assert refused > n // 4


@pytest.mark.slow
@pytest.mark.parametrize("lim", LIMITS, ids=["default", "small"])
def test_every_change_of_the_suite_agrees(lim: JsonLimits) -> None:
    for seed in SUITE:
        for path in _paths(seed):
            for case in _changes(seed, path):
                _compare(case, lim, seed)


# ------------------------------------------------------------------------------ the JSON layer
GOOD = '{"side": "left", "motor": [{"name": "hip abduction", "grade": %s}]}'
TEXTS: list[tuple[str, type[Exception] | None, str]] = [
    (GOOD % "4", None, ""),
    (GOOD % "4.0", None, ""),
    (GOOD % "4e0", None, ""),
    (GOOD % '"4+"', None, ""),
    (GOOD % "NaN", InvalidCaseError, "motor[0].grade"),
    (GOOD % "Infinity", InvalidCaseError, "motor[0].grade"),
    (GOOD % "-Infinity", InvalidCaseError, "motor[0].grade"),
    (GOOD % "1e400", InvalidCaseError, "motor[0].grade"),
    (GOOD % ("1" * 40), LimitExceededError, "motor[0].grade"),  # 40 characters: allowed, but larger than 1e9
    (GOOD % ("1" * 41), LimitExceededError, "motor[0].grade"),
    (GOOD % ("1" * 5000), LimitExceededError, "motor[0].grade"),
    (GOOD % ("0." + "1" * 39), LimitExceededError, "motor[0].grade"),
    (GOOD % "true", InvalidCaseError, "motor[0].grade"),
    ('{"side": "left", "side": "right"}', InvalidCaseError, "side"),
    ('{"side": "left", "other": [{"name": "a", "name": "b"}]}', InvalidCaseError, "other[0].name"),
    ('{"side": "left"', InvalidCaseError, "case"),
    ("", InvalidCaseError, "case"),
    ("   ", InvalidCaseError, "case"),
    ('{"side": "left", "other": ["clonus"]} x', InvalidCaseError, "case"),
    ("\ufeff" + '{"side": "left", "other": ["clonus"]}', None, ""),
    ("[]", InvalidCaseError, "case"),
    ("5", InvalidCaseError, "case"),
    ('{"side": "left", "other": ' + "[" * 40 + "]" * 40 + "}", LimitExceededError, "case"),
    ('{"side": "left", "other": ' + "[" * 5000 + "]" * 5000 + "}", LimitExceededError, "case"),
    ('{"side": "left", "other": ["clonus"], "notes": "' + "[{" * 50 + '"}', None, ""),  # brackets in a string
    ('{"side": "left", "other": ["clonus"], "notes": "\\"[[[[' + "[" * 50 + '"}', None, ""),
]


@pytest.mark.parametrize(("text", "error", "field"), TEXTS, ids=range(len(TEXTS)))
def test_json_text_limits(text: str, error: type[Exception] | None, field: str) -> None:
    for data in (text, text.encode("utf-8"), bytearray(text.encode("utf-8")), memoryview(text.encode("utf-8"))):
        exc = _outcome(data, DEFAULT_JSON_LIMITS)
        assert (exc is None) if error is None else (type(exc) is error), (text[:80], exc)
        if exc is not None:
            assert exc.field == field  # type: ignore[attr-defined]
            assert "\n" not in str(exc)


def test_depth_is_said_of_the_whole_text() -> None:
    exc = _outcome("[" * 200 + "]" * 200, DEFAULT_JSON_LIMITS)
    assert isinstance(exc, LimitExceededError)
    assert "nested 200 levels deep, more than the limit of 32" in str(exc)
    exc = _outcome('{"side": "left", "other": ' + "[" * 5000 + "]" * 5000 + "}", DEFAULT_JSON_LIMITS)
    assert "nested more than 32 levels deep" in str(exc)


def test_bytes_that_are_not_utf8() -> None:
    for data in (b"\xff{}", b'{"side": "l\xc3"}', '{"side": "\ud800"}'.encode("utf-8", "surrogatepass")):
        exc = _outcome(data, DEFAULT_JSON_LIMITS)
        assert isinstance(exc, InvalidCaseError) and exc.field == "case" and "UTF-8" in str(exc)


def test_other_limits() -> None:
    case = HAND[-1]
    text = json.dumps(case)
    assert _outcome(text, JsonLimits(max_bytes=len(text))) is None
    assert isinstance(_outcome(text, JsonLimits(max_bytes=len(text) - 1)), LimitExceededError)
    assert isinstance(_outcome(text, JsonLimits(max_depth=3)), LimitExceededError)
    assert _outcome(text, JsonLimits(max_depth=4)) is None
    assert isinstance(_outcome(GOOD % "4", JsonLimits(max_abs_number=3)), LimitExceededError)
    assert isinstance(_outcome(GOOD % "4", JsonLimits(max_number_length=0)), LimitExceededError)
    assert isinstance(_outcome(case, Limits(max_findings=1)), LimitExceededError)  # type: ignore[arg-type]
    assert isinstance(_outcome(case, JsonLimits(case=Limits(max_text_length=4))), LimitExceededError)
