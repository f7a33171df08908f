from __future__ import annotations

import pytest

import neuromap


@pytest.fixture(scope="session")
def atlas() -> neuromap.Atlas:
    return neuromap.load_atlas()


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace: dict) -> None:
    doctest_namespace["neuromap"] = neuromap


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    import sys

    module = sys.modules.get("tests.test_cases")
    CASE_RESULTS = getattr(module, "CASE_RESULTS", {})
    if CASE_RESULTS:
        passed = sum(CASE_RESULTS.values())
        total = len(CASE_RESULTS)
        terminalreporter.write_line(
            f"clinical case suite: {passed}/{total} cases meet every expectation ({passed / total:.0%})")
