"""The hostile-caller harness (tools/hostile.py), family by family.

The default suite runs every family small, and the threads, failed writes and tampered atlas
copies once; the full-size runs are slow (``pytest -m slow``). Each family was a reproducer of
issue #15 before its fix (the table before and after is in ``docs/reliability.md``).
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

pytest.importorskip("hypothesis")

_PATH = Path(__file__).resolve().parents[1] / "tools" / "hostile.py"
_SPEC = importlib.util.spec_from_file_location("hostile", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
hostile = importlib.util.module_from_spec(_SPEC)
sys.modules["hostile"] = hostile
_SPEC.loader.exec_module(hostile)

#: every family of generated and mutated inputs
FAMILIES = ("valid", "deep_nesting", "unterminated", "text_damage", "bad_bytes", "duplicate_key", "polygon_scalars",
            "odd_map", "drop_key", "rename_key", "odd_reflex", "odd_grade", "overlap", "odd_region", "huge_name",
            "wrong_type")


def run_family(ops: tuple[str, ...], n: int, seed: int = 0) -> hostile.Tally:
    tally = hostile.Tally()
    inputs = hostile.generate(n, seed, ops, n_drawn=10)
    hostile.run_direct(tally, inputs, math.inf)
    return tally


def bad(tally: hostile.Tally, *columns: str) -> dict[str, int]:
    return {c: tally.counts[c] for c in columns if tally.counts[c]}


# ----------------------------------------------------------------------------- default suite


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_is_read_right_or_refused_cleanly(family):
    tally = run_family((family,), 40)
    assert tally.counts["inputs tried"] >= 40
    assert not bad(tally, "crashes", "hangs", "silent drops"), tally.markdown()


def test_size_families_grow_linearly():
    tally = hostile.Tally()
    hostile.run_sizes(tally, scale=0.1)
    assert not bad(tally, "crashes", "hangs"), tally.markdown()


@pytest.mark.parametrize(("grade", "weak"), [
    ("0.", True), ("+4", True), ("(4)", True), ("4.", True), ("#0", True), ("４", True), ("-0", True), ("~2", True),
    ("2?", True), ("5-", True), ("4/5", True), ("5/5", False), ("normal", False), ("weak", True), (5, False),
    (0, True), ("five", None), (True, None), (7, None)])
def test_grade_oracle(grade, weak):
    assert hostile.expected_grade(grade) is weak


def test_oracle_sees_a_dropped_finding():
    case = {"side": "left", "motor": [{"name": "hip abduction", "grade": "4."}], "other": ["babinski"]}
    result = {"findings": [{"field": "motor[0]", "abnormal": False, "modality": None}], "not_scored": []}
    drops = hostile.silent_drops(case, result)
    assert any("motor[0]" in d and "read as normal" in d for d in drops)
    assert any(d.startswith("other[0]") for d in drops)


def test_table_has_the_columns_of_the_issue():
    table = hostile.Tally().markdown().splitlines()
    assert table[0] == "| " + " | ".join(hostile.COLUMNS) + " |"
    assert table[2].endswith("| 0/0 |")


# ----------------------------------------------------------------------------- full size (slow)

@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_family_full_size(family):
    tally = run_family((family,), 400, seed=1)
    assert not bad(tally, "crashes", "hangs", "silent drops"), tally.markdown()


@pytest.mark.slow
def test_size_families_full_size():
    tally = hostile.Tally()
    hostile.run_sizes(tally)
    assert not bad(tally, "crashes", "hangs"), tally.markdown()


@pytest.mark.slow
def test_threads_agree_with_serial():
    tally = hostile.Tally()
    hostile.run_threads(tally, hostile.base_cases(0, 10)[:30])
    assert not bad(tally, "thread divergences"), tally.markdown()


def test_failed_writes_leave_no_partial_files():
    tally = hostile.Tally()
    hostile.run_files(tally)
    assert not bad(tally, "partial files"), tally.markdown()


def test_tampered_atlas_copies_are_detected():
    tally = hostile.Tally()
    hostile.run_tampering(tally)
    assert tally.tamper_detected == tally.tamper_total, tally.markdown()
    assert not bad(tally, "crashes"), tally.markdown()


@pytest.mark.slow
def test_whole_table_is_clean():
    tally = hostile.run(n=1000, seed=0, cli_sample=10)
    assert not bad(tally, "crashes", "hangs", "silent drops", "thread divergences", "partial files"), tally.markdown()
    assert tally.tamper_detected == tally.tamper_total
