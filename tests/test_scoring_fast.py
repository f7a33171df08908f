"""The one-pass split, weights and scores of a case agree with the step-by-step path."""

from __future__ import annotations

import importlib

import pytest

import neuromap
from neuromap.inference.case import parse_case
from neuromap.inference.scoring import finding_weight, is_scored, scoring_table

localize_module = importlib.import_module("neuromap.inference.localize")

CASES = [
    {"side": "left", "sensory": [{"regions": ["dorsum of foot"], "modality": "numbness"},
                                 {"regions": ["medial malleolus"], "state": "normal"}],
     "motor": [{"name": "ankle dorsiflexion", "grade": 4}, {"name": "hip abduction", "grade": "normal"}],
     "reflexes": {"achilles": "normal", "patellar": "normal"}},
    {"side": "bilateral", "sensory": [{"regions": ["hallux", "heel"], "modality": "pain"}],
     "reflexes": {"achilles": "brisk", "patellar": {"left": "absent"}}, "other": ["saddle anaesthesia"]},
    {"side": "right", "reflexes": {"achilles": "brisk"}},
]


@pytest.mark.parametrize("case", CASES)
def test_evaluate_case_matches_evaluate(case: dict) -> None:
    atlas = neuromap.load_atlas()
    table = scoring_table(atlas, atlas.check_map(None))
    findings = parse_case(case, atlas).findings
    scored, not_scored, scores = table.evaluate_case(findings, atlas)
    assert scored == [f for f in findings if is_scored(f, atlas)]
    assert not_scored == [f for f in findings if not is_scored(f, atlas)]
    if not scored:
        assert scores is None
        return
    assert scores is not None
    ref = table.evaluate(scored, [finding_weight(f, atlas) for f in scored])
    for name in ("rows", "side_codes", "score", "fit", "evidence_fit", "position", "order", "group_keys"):
        assert getattr(scores, name) == getattr(ref, name), name
    group = table.group
    assert scores.group_keys == [group[r] * 3 + c for r, c in zip(scores.rows, scores.side_codes, strict=True)]


def test_pattern_fits_cached_as_computed() -> None:
    atlas = neuromap.load_atlas()
    case = CASES[0]
    first = localize_module._pattern(parse_case(case, atlas), atlas)
    second = localize_module._pattern(parse_case(case, atlas), atlas)  # from the per-atlas cache
    assert first == second
    assert first["dermatomes"] is not second["dermatomes"]  # each result owns its lists
    regions = frozenset(f.target for f in parse_case(case, atlas).findings if f.abnormal and f.kind == "region")
    assert localize_module._fitting(regions, atlas) == (tuple(first["dermatomes"]), tuple(first["nerves"]))


FLAG_CASES = [
    {"side": "left", "reflexes": {"patellar": "brisk", "achilles": "brisk"}, "other": ["babinski"],
     "motor": [{"name": "hip flexion", "grade": 4}]},
    {"side": "bilateral", "sensory": [{"regions": ["heel"], "modality": "numbness"}],
     "motor": [{"name": "ankle dorsiflexion", "grade": 3}], "other": ["saddle anaesthesia", "urinary retention"],
     "reflexes": {"achilles": "absent"}},
    CASES[0],
]


def _umn_reference(parsed, atlas) -> list[str]:
    signs = [f.text for f in parsed.findings
             if f.abnormal and ((f.kind == "reflex" and f.modality == "brisk")
                                or (f.kind == "sign" and atlas._signs[f.target].get("warning") == "umn"))]
    return [localize_module._umn_message(signs)[0]] if signs else []


@pytest.mark.parametrize("case", FLAG_CASES)
def test_flags_one_pass(case: dict) -> None:
    atlas = neuromap.load_atlas()
    parsed = parse_case(case, atlas)
    red_flags, umn = localize_module._flags(parsed, atlas)
    assert umn == _umn_reference(parsed, atlas)
    assert red_flags == localize_module._red_flags(parsed, atlas)
    assert bool(umn) == (case is FLAG_CASES[0])
    assert bool(red_flags) == (case is FLAG_CASES[1])
