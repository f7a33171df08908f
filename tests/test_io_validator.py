"""The compiled case check of neuromap.io against the reference checks it stands in for.

``load_case`` and ``check_case`` first run a check compiled from the case schema (and, for
JSON text, a plain parse); only when that does not accept the case do they run the reference
path (``parse_json``/``_check_tree`` and the ``_Validator`` interpreter), which raises the
error. These tests hold the two to the same answers: on hundreds of valid cases and thousands
of invalid mutations of them, ``load_case``/``check_case`` accept exactly what the reference
accepts (the same value) and raise exactly its error (class, field and message), and the
compiled check alone accepts a plain-JSON case exactly when the reference does.
"""

from __future__ import annotations

import collections
import copy
import importlib.util
import json
import math
import types
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from neuromap.atlas import load_atlas
from neuromap.inference import Limits
from neuromap.io import (
    DEFAULT_JSON_LIMITS,
    JsonLimits,
    _case_schema,
    _check_tree,
    _compiled_check,
    _plain_json,
    _Validator,
    check_case,
    load_case,
    parse_json,
)
from neuromap.testing.strategies import cases as case_strategy

ROOT = Path(__file__).resolve().parents[1]

#: the default limits, and small ones that the mutations below reach (every x-limit, depth, numbers)
SMALL = JsonLimits(max_depth=6, max_number_length=8, max_abs_number=500.0,
                   case=Limits(max_findings=3, max_regions_per_finding=2, max_vertices=5, max_points=4,
                               max_text_length=12))
LIMITS = (DEFAULT_JSON_LIMITS, SMALL)


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("neuromap_bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _suite() -> list[dict[str, Any]]:
    out = []
    for path in sorted((ROOT / "tests" / "cases").glob("*.json")):
        out += [c["case"] for c in json.loads(path.read_text(encoding="utf-8")).get("cases", []) if "case" in c]
    return out


RING = [[0.0, 0.0], [10.0, 0.0], [10, 10], [0.5, 10.0]]
HAND = [
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": RING}, "state": "normal",
                                  "side": "right", "note": "n"}]},
    {"side": "left", "sensory": [{"drawing": {"view": "plantar", "polygons": [RING, RING[:3]]}}]},
    {"side": "left", "sensory": [{"drawing": {"view": "medial", "points": [[1, 2], [3.5, -4.0]]}}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "geojson": {
        "type": "Feature", "geometry": {"type": "Polygon", "coordinates": [RING]}, "properties": {"a": [1, {}]}}}}]},
    {"side": "left", "sensory": [{"drawing": {"view": "dorsal", "geojson": {
        "type": "MultiPolygon", "coordinates": [[RING], [RING]], "extra": None}}}]},
    {"side": "bilateral", "reflexes": {"achilles": {"left": "absent", "right": "2+"}, "patellar": {"left": "1+"}},
     "other": ["babinski", {"name": "clonus", "side": "left", "state": "normal"}]},
    {"side": "right", "motor": [{"name": "hip abduction", "grade": 4.0}, {"name": "ankle dorsiflexion",
                                                                          "grade": "4-", "side": "left",
                                                                          "note": "x"}],
     "dermatome_map": "lee_2008", "id": "case-1", "notes": "free text"},
    {"side": "left", "sensory": [], "motor": [], "reflexes": {}, "other": []},
    {"side": ""},
]


def _seeds() -> list[dict[str, Any]]:
    bench = _bench()
    atlas = load_atlas()
    seeds: list[dict[str, Any]] = []
    seeds += bench.named_cases(162)[::4]
    seeds += bench.distinct_named_cases(atlas, 60)
    seeds += [c for c, *_ in bench.drawing_cases(atlas, 40)]
    seeds += _suite()
    seeds += HAND
    return seeds


SEEDS = _seeds()
#: the seeds mutated one change at a time: every hand-made case, and a few of each other kind
MUTATED = [*HAND, *SEEDS[:4], *SEEDS[41:45], *SEEDS[101:105], *SEEDS[-len(HAND) - len(_suite()):][::12]]


class _View(Mapping[str, Any]):
    """A Mapping that is not a dict (the reference accepts it; the compiled check leaves it to the reference)."""

    def __init__(self, d: Mapping[str, Any]) -> None:
        self._d = dict(d)

    def __getitem__(self, k: str) -> Any:
        return self._d[k]

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)


class _Float(float):
    pass


NASTY: list[Any] = [None, True, False, 0, 1, -1, 5, 6, 4.5, 3.0, -0.0, 499.0, 501, 1e9, 1e10, -1e10, 2 ** 70,
                    math.nan, math.inf, -math.inf, "", "x", "left", "x" * 13, "x" * 201, "x" * 10_001, [], [1],
                    ["a"], [[0, 0]], [0, 0], [[0.0, 0.0]] * 3, {}, {"side": "left"}, {"regions": ["heel"]},
                    {"drawing": {"view": "dorsal", "points": [[0, 0]]}}, (1, 2), {1: "a"}, _Float(1.0),
                    object(), b"bytes", [[[[[[[[1]]]]]]]]]
KEYS = ["regions", "drawing", "modality", "state", "side", "note", "name", "grade", "view", "polygon",
        "polygons", "points", "geojson", "type", "coordinates", "left", "right", "sensory", "motor", "notes"]


def _paths(v: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(v, Mapping):
        for k in v:
            yield from _paths(v[k], (*path, k))
    elif isinstance(v, (list, tuple)):
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


def _typos(k: str) -> list[str]:
    return [k + "s", k[:-1], k.upper(), k[1:] + k[0], " " + k]


def _mutations(case: dict[str, Any]) -> Iterator[Any]:
    """Invalid (and some valid) variants of *case*: one change at every place of its tree."""
    for n, path in enumerate(_paths(case)):
        node = _get(case, path)
        parent = _get(case, path[:-1]) if path else None
        for v in NASTY[n % 3::3]:  # a third of them at each place, in turn
            yield _set(case, path, v)
        if path and isinstance(parent, dict):
            yield _set(case, path[:-1], {k: x for k, x in parent.items() if k != path[-1]})  # a key missing
            for t in _typos(str(path[-1])):
                yield _set(case, path[:-1], {(t if k == path[-1] else k): x for k, x in parent.items()})
        if path and isinstance(parent, list):
            yield _set(case, path[:-1], [x for i, x in enumerate(parent) if i != path[-1]])
        if isinstance(node, dict):
            pool = (NASTY[2], NASTY[5], NASTY[22], NASTY[26], NASTY[33], NASTY[34], NASTY[35], RING, ["heel"], "x")
            for i, k in enumerate(KEYS):
                yield _set(case, path, {**node, k: pool[(i + len(path)) % len(pool)]})
            for k, v in (("regions", ["heel"]), ("drawing", {"view": "dorsal", "polygon": RING})):
                yield _set(case, path, {**node, k: v})  # both (or, replacing one, still one) of oneOf
            for bad in (1, None, 2.5, (1, 2), True):
                yield _set(case, path, {**node, bad: "x"})
            yield _set(case, path, _View(node))
            yield _set(case, path, collections.OrderedDict(node))
            yield _set(case, path, types.MappingProxyType(dict(node)))
        elif isinstance(node, list):
            yield _set(case, path, tuple(node))
            yield _set(case, path, node * 3)
            yield _set(case, path, node * 70)
            yield _set(case, path, [node])
            if node:
                yield _set(case, path, [*node, node[0]])
        elif isinstance(node, str):
            yield _set(case, path, node * 20)
            yield _set(case, path, [node])


# ------------------------------------------------------------------------------ the references
def _outcome(fn: Any, *args: Any, **kw: Any) -> tuple[Any, ...]:
    try:
        value = fn(*args, **kw)
    except Exception as exc:  # noqa: BLE001 - the outcome is the exception itself
        return ("raised", type(exc), str(exc), getattr(exc, "field", None))
    return ("ok", repr(value))


def _reference_dict(case: Any, lim: JsonLimits) -> Any:
    """load_case of a dict before the compiled check: _check_tree, then the interpreter."""
    _check_tree(case, lim)
    _Validator(_case_schema(), lim.case).validate(case, _case_schema(), "case")
    return case


def _reference_text(text: Any, lim: JsonLimits) -> Any:
    """load_case of JSON text before the compiled check: parse_json, then the interpreter."""
    value = parse_json(text, limits=lim)
    _Validator(_case_schema(), lim.case).validate(value, _case_schema(), "case")
    return value


def _text(case: Any) -> str | None:
    try:
        return json.dumps(case)
    except (TypeError, ValueError):
        return None


def _agree(case: Any, lim: JsonLimits) -> bool:
    """Assert that every fast path answers as its reference does; return whether the case is valid."""
    ref = _outcome(_reference_dict, case, lim)
    if isinstance(case, Mapping):
        assert _outcome(load_case, case, limits=lim) == ref
    assert _outcome(check_case, case, limits=lim) == (ref if ref[0] == "raised" else ("ok", "None"))
    fast = _compiled_check(lim)
    assert fast is not None
    if _plain_json(case):  # exact JSON types: the compiled check alone is exact
        assert fast(case) == (ref[0] == "ok"), (ref, case)
    elif fast(case):  # pragma: no cover - it must not accept what the reference rejects
        assert ref[0] == "ok"
    text = _text(case)
    if text is not None:
        ref_text = _outcome(_reference_text, text, lim)
        assert _outcome(load_case, text, limits=lim) == ref_text
        assert _outcome(load_case, text.encode("utf-8"), limits=lim) == ref_text
    return ref[0] == "ok"


# ------------------------------------------------------------------------------ tests
@pytest.mark.parametrize("lim", LIMITS, ids=["default", "small"])
def test_valid_cases_agree(lim: JsonLimits) -> None:
    valid = sum(_agree(c, lim) for c in SEEDS)
    assert valid > (len(SEEDS) * 9 // 10 if lim is DEFAULT_JSON_LIMITS else 10)


def test_generated_seeds_take_the_compiled_path() -> None:
    fast = _compiled_check(DEFAULT_JSON_LIMITS)
    assert fast is not None
    assert all(fast(c) for c in SEEDS[:-len(HAND) - len(_suite())] + HAND)


@pytest.mark.parametrize("lim", LIMITS, ids=["default", "small"])
@pytest.mark.parametrize("part", range(8))
def test_mutations_agree(lim: JsonLimits, part: int) -> None:
    seeds = MUTATED[part::8]
    n = invalid = 0
    for seed in seeds:
        for case in _mutations(seed):
            n += 1
            invalid += not _agree(case, lim)
    assert invalid > n // 4  # most mutations are rejected (the rest are variants still valid)


def test_text_specials_agree() -> None:
    """JSON text that only parse_json's hooks and scans catch: the compiled path leaves each to it."""
    good = '{"side": "left", "motor": [{"name": "hip abduction", "grade": %s}]}'
    texts = [good % g for g in ("4", "4.0", "NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" * 40, "1" * 41,
                                "1" * 5000, "0." + "1" * 39, "4e0", "-0", "true", "null", '"4+"')]
    texts += ['{"side": "left", "side": "right"}', '{"side": "left", "other": [{"name": "a", "name": "b"}]}',
              '{"side": "left"', "", "   ", "\ufeff" + '{"side": "left"}', '{"side": "left"} x', "[]", "5",
              '{"side": "left", "notes": "' + "1" * 60 + '"}', '{"side": "left", "other": ' + "[" * 40 + "]" * 40 + "}",
              '{"side": "left", "other": ' + "[" * 5000 + "]" * 5000 + "}", '{"side": "\\ud800"}',
              '{"side": "left", "notes": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}',
              '{"side": "left", "sensory": [{"drawing": {"view": "dorsal", "points": ' +
              json.dumps([[i, i] for i in range(50)]) + "}}]}"]
    for lim in (*LIMITS, JsonLimits(max_bytes=60), JsonLimits(max_depth=3), JsonLimits(max_number_length=2)):
        for t in texts:
            ref = _outcome(_reference_text, t, lim)
            assert _outcome(load_case, t, limits=lim) == ref, t
            assert _outcome(load_case, t.encode("utf-8", "surrogatepass"), limits=lim) == ref, t
        for b in (b"\xff{}", b'{"side": "l\xc3"}', bytearray(b'{"side": "left"}'), memoryview(b'{"side": "x"}')):
            assert _outcome(load_case, b, limits=lim) == _outcome(_reference_text, b, lim)


def test_other_limits_agree() -> None:
    """Limits given as Limits, odd limits, and limits the compiled check declines: the same answers."""
    case = SEEDS[0]
    for lim in (JsonLimits(max_depth=0), JsonLimits(max_depth=1), JsonLimits(max_depth=3), JsonLimits(max_abs_number=0),
                JsonLimits(max_abs_number=math.inf), JsonLimits(max_abs_number=-1.0),
                JsonLimits(case=Limits(max_text_length=0)), JsonLimits(case=Limits(max_findings=1))):
        for c in (case, *list(_mutations(case))[::7]):
            if isinstance(c, Mapping):
                assert _outcome(load_case, c, limits=lim) == _outcome(_reference_dict, c, lim)
    assert _outcome(load_case, case, limits=Limits(max_findings=1)) == _outcome(
        _reference_dict, case, JsonLimits(case=Limits(max_findings=1)))


JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.integers(), st.floats(),
                        st.sampled_from(["left", "right", "", "heel", "x" * 13, "normal", "4+"]), st.text(max_size=4))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=3), kids, max_size=4)),
    max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_changes_agree(data: st.DataObject) -> None:
    case: Any = copy.deepcopy(data.draw(st.sampled_from(SEEDS)))
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_paths(case))
        path = data.draw(st.sampled_from(paths))
        if isinstance(_get(case, path), dict) and data.draw(st.booleans()):
            node = _get(case, path)
            case = _set(case, path, {**node, data.draw(st.sampled_from(KEYS)): data.draw(JSON_VALUES)})
        else:
            case = _set(case, path, data.draw(JSON_VALUES))
    for lim in LIMITS:
        _agree(case, lim)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=case_strategy())
def test_generated_cases_agree(case: dict[str, Any]) -> None:
    assert _agree(case, DEFAULT_JSON_LIMITS)
    _agree(case, SMALL)
