"""Every output over a fixed set of inputs stays what it was (tests/fixtures/equivalence.json.gz).

The fixture is written by ``tools/gen_equivalence.py``. A change that means to change outputs
regenerates it in the same commit and says why; any other difference is a regression.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_equivalence", REPO / "tools" / "gen_equivalence.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def outputs() -> tuple[dict[str, str], dict[str, str]]:
    expected = json.loads(gzip.decompress((REPO / "tests" / "fixtures" / "equivalence.json.gz").read_bytes()))
    return expected, _generator().outputs()


def test_same_inputs(outputs) -> None:
    expected, got = outputs
    assert sorted(got) == sorted(expected)


PREFIXES = ["named/", "distinct/", "drawing/", "points/", "suite/", "vocabulary/", "export/", "json/", "batch"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_outputs_unchanged(outputs, prefix: str) -> None:
    expected, got = outputs
    names = [k for k in expected if k.startswith(prefix)]
    assert names
    changed = [k for k in names if got.get(k) != expected[k]]
    assert not changed, f"{len(changed)} of {len(names)} outputs changed, first: {changed[:5]}"
