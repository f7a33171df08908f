"""Fuzz localize_json and the command line: only NeuromapError subclasses ever come out, quickly.

The number of examples per test is ``NEUROMAP_FUZZ_EXAMPLES`` (default 300; the CLI tests run a
sixth of it). Runs are derandomized, so a failure reproduces.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import neuromap  # noqa: E402
from neuromap.cli import main  # noqa: E402
from neuromap.errors import NeuromapError  # noqa: E402
from neuromap.io import check_case, load_schema, localize_json  # noqa: E402

N = int(os.environ.get("NEUROMAP_FUZZ_EXAMPLES", "300"))
N_CLI = max(10, N // 6)
TIME_BOUND = 2.0
COUNTS: dict[str, int] = {}
SETTINGS = {"deadline": None, "derandomize": True, "database": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                     HealthCheck.function_scoped_fixture]}

jsonschema = pytest.importorskip("jsonschema")
CASE_VALIDATOR = jsonschema.Draft202012Validator(load_schema("case"))
ATLAS = neuromap.load_atlas()
NAMES = {k: ATLAS.names(k)[:: max(1, len(ATLAS.names(k)) // 25)] for k in ("region", "group", "movement", "muscle",
                                                                            "reflex", "sign")}
WORDS = ["left", "right", "bilateral", "Left", "middle", "", " ", "normal", "abnormal", "weak", "absent", "reduced",
         "brisk", "2+", "4+", "numbness", "pins and needles", "pain", "dorsal", "plantar", "lateral", "medial",
         "right heel", "left hallux", "thumb", "x" * 201, "\ud800", "0", "5", "NaN"]
KEYS = ["side", "sensory", "motor", "reflexes", "other", "regions", "drawing", "modality", "state", "name", "grade",
        "view", "polygon", "polygons", "geojson", "points", "type", "coordinates", "geometry", "id", "notes",
        "dermatome_map", "note", "left", "right", "sensroy"]


def _count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request: pytest.FixtureRequest) -> Any:
    yield
    line = f"fuzz examples (NEUROMAP_FUZZ_EXAMPLES={N}): " + ", ".join(f"{k}={v}" for k, v in sorted(COUNTS.items()))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print("\n" + line)
    else:  # pragma: no cover
        print(line)


def _call(value: Any) -> None:
    start = time.perf_counter()
    try:
        out = localize_json(value)
    except NeuromapError as exc:
        msg = str(exc)
        assert msg and "\n" not in msg.strip(), repr(msg)
    else:
        json.dumps(out, allow_nan=False)
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_BOUND, f"took {elapsed:.2f}s"


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(WORDS), st.text(max_size=20))
json_like = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=6),
    st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=6)), max_leaves=40)


@settings(max_examples=N, **SETTINGS)
@given(json_like)
def test_fuzz_json_like_values(value: Any) -> None:
    _count("json_like")
    _call(value)
    try:
        text = json.dumps(value)
    except (ValueError, UnicodeEncodeError):  # pragma: no cover
        return
    _call(text)


@settings(max_examples=N, **SETTINGS)
@given(st.binary(max_size=300))
def test_fuzz_bytes(data: bytes) -> None:
    _count("bytes")
    _call(data)


@settings(max_examples=N, **SETTINGS)
@given(st.text(alphabet='{}[]",:0123456789.eE-+ tfnrulaNIiy\\side', max_size=200))
def test_fuzz_json_shaped_text(text: str) -> None:
    _count("json_text")
    _call(text)


# ------------------------------------------------------------------------------ near-valid cases
def _maybe_extra(d: dict[str, Any], draw: Any) -> dict[str, Any]:
    if draw(st.integers(0, 9)) == 0:
        d[draw(st.sampled_from(KEYS))] = draw(scalars)
    return d


@st.composite
def point(draw: Any) -> list[Any]:
    coord = st.one_of(st.floats(-150, 150, allow_nan=False), st.integers(-150, 150),
                      st.sampled_from([float("nan"), 1e300, -0.0]))
    return [draw(coord), draw(coord)]


@st.composite
def sensory(draw: Any) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if draw(st.booleans()):
        item["regions"] = draw(st.lists(st.one_of(st.sampled_from(NAMES["region"] + NAMES["group"]),
                                                  st.sampled_from(WORDS)), min_size=0, max_size=5))
    else:
        view = draw(st.sampled_from(["dorsal", "plantar", "medial", "lateral", "Dorsal", "front"]))
        shape = draw(st.sampled_from(["polygon", "polygons", "points", "geojson"]))
        ring = draw(st.lists(point(), min_size=0, max_size=12))
        value: Any = {"polygon": ring, "polygons": [ring, ring[::-1]], "points": ring,
                      "geojson": {"type": draw(st.sampled_from(["Polygon", "MultiPolygon", "Feature", "Point"])),
                                  "coordinates": [ring]}}[shape]
        item["drawing"] = {"view": view, shape: value}
    for key, options in (("modality", ["numbness", "tingling", "pain", "burning", "itch"]),
                         ("state", ["normal", "abnormal", "gone"]), ("side", ["left", "right", "bilateral", "up"])):
        if draw(st.booleans()):
            item[key] = draw(st.sampled_from(options))
    return _maybe_extra(item, draw)


@st.composite
def motor(draw: Any) -> dict[str, Any]:
    item = {"name": draw(st.sampled_from(NAMES["movement"] + NAMES["muscle"] + ["hip abductoin"])),
            "grade": draw(st.one_of(st.integers(-1, 6), st.sampled_from(["weak", "normal", "4+", "3-", "strong"]),
                                    st.floats(0, 5)))}
    if draw(st.booleans()):
        item["side"] = draw(st.sampled_from(["left", "right", "bilateral"]))
    return _maybe_extra(item, draw)


grades = st.sampled_from(["absent", "reduced", "normal", "brisk", "2+", "0", "lost", "wobbly"])


@st.composite
def near_valid_case(draw: Any) -> dict[str, Any]:
    case: dict[str, Any] = {"side": draw(st.sampled_from(["left", "right", "bilateral", "Left", "both"]))}
    if draw(st.booleans()):
        case["sensory"] = draw(st.lists(sensory(), max_size=3))
    if draw(st.booleans()):
        case["motor"] = draw(st.lists(motor(), max_size=4))
    if draw(st.booleans()):
        case["reflexes"] = draw(st.dictionaries(st.sampled_from(NAMES["reflex"]), st.one_of(
            grades, st.fixed_dictionaries({}, optional={"left": grades, "right": grades})), max_size=3))
    if draw(st.booleans()):
        case["other"] = draw(st.lists(st.one_of(st.sampled_from(NAMES["sign"]), st.fixed_dictionaries(
            {"name": st.sampled_from(NAMES["sign"])}, optional={"side": st.sampled_from(["left", "right"]),
                                                                "state": st.sampled_from(["normal", "abnormal"])})),
            max_size=3))
    if draw(st.integers(0, 5)) == 0:
        case["dermatome_map"] = draw(st.sampled_from([*ATLAS.dermatome_maps, "lee2008", "nope"]))
    return _maybe_extra(case, draw)


@settings(max_examples=N, **SETTINGS)
@given(near_valid_case())
def test_fuzz_near_valid_cases(case: dict[str, Any]) -> None:
    _count("near_valid")
    _call(case)


@settings(max_examples=N, **SETTINGS)
@given(st.one_of(near_valid_case(), json_like))
def test_nothing_the_schema_refuses_is_accepted(case: Any) -> None:
    _count("schema_agreement")
    try:
        check_case(case)
    except NeuromapError:
        return
    assert CASE_VALIDATOR.is_valid(case), case


# ------------------------------------------------------------------------------ the command line
def _run_cli(argv: list[str], stdin: bytes, monkeypatch: pytest.MonkeyPatch,
             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    start = time.perf_counter()
    code = main(argv)
    elapsed = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert elapsed < TIME_BOUND, f"took {elapsed:.2f}s"
    assert "Traceback" not in err
    assert code in (0, 2), (code, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
    elif "--batch" not in argv:
        assert out


@settings(max_examples=N_CLI, **SETTINGS)
@given(data=st.one_of(st.binary(max_size=200), json_like.map(lambda v: json.dumps(v).encode()),
                 near_valid_case().map(lambda v: json.dumps(v).encode())))
def test_fuzz_cli_stdin(data: bytes, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _count("cli_stdin")
    _run_cli(["localize", "-", "--json"], data, monkeypatch, capsys)


@settings(max_examples=N_CLI, **SETTINGS)
@given(lines=st.lists(st.one_of(st.binary(max_size=60).filter(lambda b: b"\n" not in b),
                          near_valid_case().map(lambda v: json.dumps(v).encode())), max_size=4))
def test_fuzz_cli_batch(lines: list[bytes], monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> None:
    _count("cli_batch")
    _run_cli(["localize", "--batch", "-", "--workers", "1"], b"\n".join(lines), monkeypatch, capsys)


@settings(max_examples=N_CLI, **SETTINGS)
@given(argv=st.lists(st.one_of(st.sampled_from(["localize", "regions", "--side", "--region", "--weak", "--reflex",
                                           "--json", "--map", "-", "--modality", "--sign", "=", "achilles=",
                                           "--normal-motor", "--normal-region", "lee_2008", "left"]),
                          st.sampled_from(WORDS[:20])), max_size=8))
def test_fuzz_cli_arguments(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    _count("cli_args")
    if argv[:1] != ["localize"]:
        argv = ["localize", *argv]
    _run_cli(argv, b'{"side": "left", "other": ["clonus"]}', monkeypatch, capsys)
