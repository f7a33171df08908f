"""Load the clinical case suite (tests/cases/*.json) and check one case's expectations.

Used by tests/test_cases.py and by the pass-rate summary printed at the end of a test run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import neuromap
from neuromap.atlas import normalize_name

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(p for p in CASES_DIR.glob("*.json") if p.name != "known_failures.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            cases.append({**case, "file": path.name})
    return cases


def _check_refusal(case: dict[str, Any], errors: list[dict[str, Any]]) -> list[str]:
    """An 'error' expectation: refused with strict=True naming the field; by default refused the same
    way, or read without the finding and the finding named in not_understood (or its spelling
    corrected, and said so)."""
    failures: list[str] = []
    field = errors[0]["error"]
    try:
        neuromap.localize(case["case"], dermatome_map=case.get("dermatome_map"), strict=True)
    except neuromap.NeuromapError as exc:
        if repr(field) not in str(exc) and f"'{field}'" not in str(exc):
            failures.append(f"error message does not name field {field!r}: {exc}")
        if "\n" in str(exc).strip():
            failures.append("error message is not one line")
    else:
        return [f"expected an error naming {field!r} with strict=True, got a result"]
    try:
        result = neuromap.localize(case["case"], dermatome_map=case.get("dermatome_map"))
    except neuromap.NeuromapError as exc:
        if repr(field) not in str(exc) and f"'{field}'" not in str(exc):
            failures.append(f"error message does not name field {field!r}: {exc}")
        return failures
    named = any(u.field.startswith(field) or field.startswith(u.field) for u in result.not_understood)
    corrected = any(w.startswith(field) and "spelling corrected" in w for w in result.warnings)
    if not (named or corrected):
        failures.append(f"{field!r} neither refused, nor in not_understood, nor corrected")
    return failures


def check_case(case: dict[str, Any]) -> list[str]:
    """Return the failed expectations of one case (empty when it passes)."""
    failures: list[str] = []
    expects = case["expect"]
    errors = [e for e in expects if "error" in e]
    if errors:
        return _check_refusal(case, errors)
    try:
        result = neuromap.localize(case["case"], dermatome_map=case.get("dermatome_map"))
    except neuromap.NeuromapError as exc:
        if not errors:
            return [f"raised {type(exc).__name__}: {exc}"]
        for e in errors:
            if repr(e["error"]) not in str(exc) and f"'{e['error']}'" not in str(exc):
                failures.append(f"error message does not name field {e['error']!r}: {exc}")
            if "\n" in str(exc).strip():
                failures.append("error message is not one line")
        return failures
    if errors:
        return [f"expected an error naming {errors[0]['error']!r}, got a result"]
    hyps = result.hypotheses
    ids = [h.id for h in hyps]
    top_score = hyps[0].score if hyps else None

    def rank(ident: str) -> int | None:
        return result.rank(ident)

    for e in expects:
        if "top" in e:
            tied = [h.id for h in hyps if top_score is not None and abs(h.score - top_score) < 1e-9]
            if e["top"] not in tied:
                failures.append(f"top: expected {e['top']}, got {ids[:3]}")
        elif "in_top" in e:
            r = rank(e["in_top"])
            if r is None or r > e["k"]:
                failures.append(f"in_top: {e['in_top']} at rank {r}, wanted <= {e['k']} ({ids[:e['k'] + 2]})")
        elif "not_top" in e:
            if ids and ids[0] == e["not_top"]:
                failures.append(f"not_top: {e['not_top']} is top")
        elif "ranks_above" in e:
            a, b = e["ranks_above"]
            ra, rb = rank(a), rank(b)
            if ra is None or (rb is not None and ra >= rb):
                failures.append(f"ranks_above: {a} at {ra}, {b} at {rb} ({ids[:6]})")
        elif "site" in e:
            nerve, site = e["site"]
            h = next((h for h in hyps if h.id == nerve), None)
            if h is None or h.site != site:
                failures.append(f"site: {nerve} site {getattr(h, 'site', None)}, wanted {site}")
        elif "red_flag" in e:
            if not any(r["id"] == e["red_flag"] for r in result.red_flags):
                failures.append(f"red_flag: none of {e['red_flag']}")
        elif "no_red_flag" in e:
            if result.red_flags:
                failures.append(f"no_red_flag: got {result.red_flags[0]['message'][:80]}")
        elif "warning_contains" in e:
            if not any(e["warning_contains"].lower() in w.lower() for w in result.warnings):
                failures.append(f"warning_contains: {e['warning_contains']!r} not in warnings")
        elif "pattern" in e:
            if result.pattern["kind"] != e["pattern"]:
                failures.append(f"pattern: {result.pattern['kind']}, wanted {e['pattern']}")
        elif "next_exam_includes" in e:
            want = normalize_name(e["next_exam_includes"])
            got = [x["id"] for x in result.next_examination]
            if not any(want in (normalize_name(x["id"]), normalize_name(x["label"])) for x in result.next_examination):
                failures.append(f"next_exam_includes: {e['next_exam_includes']} not in {got} (leaders {ids[:3]})")
        elif "next_studies_includes" in e:
            want = normalize_name(e["next_studies_includes"])
            got = [x["id"] for x in result.next_studies]
            if not any(want in (normalize_name(x["id"]), normalize_name(x["label"])) for x in result.next_studies):
                failures.append(f"next_studies_includes: {e['next_studies_includes']} not in {got} (top {ids[:3]})")
        else:
            failures.append(f"unknown expectation {e}")
    return failures
