"""The clinical case suite: cited vignettes in tests/cases/*.json, each asserting a property of the ranking.

Cases the engine does not yet meet are listed, with the reason, in tests/cases/known_failures.json and run
as strict xfails: a known failure that starts passing fails the suite until it is removed from the list.
The pass rate is printed at the end of the test run.
"""

from __future__ import annotations

import json

import pytest

from tests.case_suite import CASES_DIR, check_case, load_cases

CASES = load_cases()
KNOWN = json.loads((CASES_DIR / "known_failures.json").read_text(encoding="utf-8"))["cases"]


def test_case_files_are_well_formed():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 60
    for c in CASES:
        assert c["source"]["citation"] and c["source"]["supports"], c["id"]
        assert c["expect"], c["id"]
    assert set(KNOWN) <= set(ids), "known_failures.json names a case that does not exist"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case):
    failures = check_case(case)
    if case["id"] in KNOWN:
        if not failures:
            pytest.fail(f"known failure now passes; remove it from known_failures.json ({KNOWN[case['id']]})")
        pytest.xfail(KNOWN[case["id"]])
    assert not failures, "; ".join(failures)
