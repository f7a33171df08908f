"""Measure neuromap on the frozen validation set and write ``docs/validation.md`` (issue 17).

The validation set is ``validation/*.json`` at the repository root, in the format of the
validation README: ``{"description": ..., "cases": [CASE, ...]}``, each CASE with its citation,
its confirmed ``lesion`` (kind, id, levels, site, side) and a neuromap ``case``. The set only
measures: weights are set on the case suite in ``tests/cases/``, never on it.

Every case is localized with both priors (``prior="clinical"`` and ``"uniform"``). A case
neuromap refuses (an invalid case, an unknown name) is counted as refused and listed with the
reason; it never stops the run. The page reports top-1 and top-3 accuracy overall and per lesion
kind, a confusion table of the leading hypothesis's kind against the confirmed kind, red-flag
recall (cauda equina cases flagged) and false alarms (other cases flagged), and the case
suite's pass rate beside them::

    python tools/validate.py                          # validation/ -> docs/validation.md
    python tools/validate.py --validation DIR --out PATH [--no-suite]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import neuromap  # noqa: E402

KINDS = ("root", "nerve", "plexus", "cauda_equina", "polyneuropathy")
PRIORS = ("clinical", "uniform")


def load_cases(directory: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Every case of ``directory/*.json``, with its file, and the problems of files that could not be read."""
    cases: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            items = data["cases"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{path.name}: {type(exc).__name__}: {exc}")
            continue
        for item in items:
            cases.append({**item, "file": path.name})
    return cases, problems


def kind_group(kind: str | None) -> str:
    """The kind of a hypothesis as the confusion table counts it (two or three roots are a root lesion)."""
    if kind is None:
        return "none"
    return "root" if kind == "roots" else kind


def matches(h: Any, lesion: Mapping[str, Any]) -> bool:
    """Whether hypothesis *h* names the confirmed lesion (its kind and id; the levels of a multi-root lesion)."""
    kind, ident = lesion.get("kind"), lesion.get("id")
    levels = list(lesion.get("levels") or [])
    if kind == "root":
        if h.kind == "root":
            return h.id == ident
        return h.kind == "roots" and len(levels) > 1 and set(h.levels) == set(levels)
    if kind == "nerve":
        return h.kind == "nerve" and (h.id == ident or h.nerve == ident)
    if kind == "plexus":
        return h.kind == "plexus" and h.id == ident
    return h.kind == kind


def evaluate(cases: Sequence[Mapping[str, Any]], prior: str) -> dict[str, Any]:
    """Localize every case under one prior and count what the page reports."""
    rows = []
    refused = []
    for c in cases:
        lesion = c.get("lesion") or {}
        try:
            result = neuromap.localize(c["case"], prior=prior)
        except (neuromap.NeuromapError, KeyError, TypeError) as exc:
            refused.append((c.get("id", "?"), f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"))
            continue
        hyps = result.hypotheses
        rank = next((i for i, h in enumerate(hyps, 1) if matches(h, lesion)), None)
        rows.append({"id": c.get("id", "?"), "kind": lesion.get("kind"), "rank": rank,
                     "top_kind": kind_group(hyps[0].kind) if hyps else "none",
                     "top": hyps[0].id if hyps else None,
                     "flagged": any(r["id"] == "cauda_equina" for r in result.red_flags)})
    return {"rows": rows, "refused": refused}


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f}%)" if d else "–"


def accuracy(rows: Iterable[Mapping[str, Any]], k: int) -> tuple[int, int]:
    rows = list(rows)
    return sum(1 for r in rows if r["rank"] is not None and r["rank"] <= k), len(rows)


def suite_pass_rate(prior: str) -> tuple[int, int]:
    """The case suite's pass rate (tests/cases) under one prior."""
    from tests.case_suite import check_case
    from tests.case_suite import load_cases as suite_cases

    plain = neuromap.localize

    def with_prior(*args: Any, **kwargs: Any) -> Any:
        return plain(*args, **{"prior": prior, **kwargs})

    neuromap.localize = with_prior  # type: ignore[assignment]
    try:
        cases = suite_cases()
        return sum(1 for c in cases if not check_case(c)), len(cases)
    finally:
        neuromap.localize = plain  # type: ignore[assignment]


def render(cases: Sequence[Mapping[str, Any]], problems: Sequence[str], results: Mapping[str, Mapping[str, Any]],
           suite: Mapping[str, tuple[int, int]] | None, source: str) -> str:
    """The Markdown page."""
    out = ["# Validation on published cases", "",
           "<!-- generated by tools/validate.py: do not edit by hand -->", "",
           f"Cases read from `{source}`: {len(cases)} in {len({c['file'] for c in cases})} file(s). The set "
           "measures; it is never used to set a weight (weights are set on the case suite, `tests/cases/`). "
           "A hypothesis is correct when it names the confirmed lesion: the root (or the same contiguous "
           "levels), the nerve (any site), the plexus, the cauda equina or a polyneuropathy.", ""]
    if not cases:
        out += ["No validation case was found: the accuracy rows stay empty until the frozen set is in "
                "`validation/` (then run `python tools/validate.py` again).", ""]
    if problems:
        out += ["Files that could not be read:", "", *(f"- {p}" for p in problems), ""]
    out += ["## Accuracy", "", "| | prior=\"clinical\" | prior=\"uniform\" |", "|---|---|---|"]

    def line(label: str, get: Callable[[Mapping[str, Any]], str]) -> None:
        out.append(f"| {label} | " + " | ".join(get(results[p]) for p in PRIORS) + " |")

    line("cases scored", lambda r: str(len(r["rows"])))
    line("cases refused", lambda r: str(len(r["refused"])))
    line("top-1", lambda r: _pct(*accuracy(r["rows"], 1)))
    line("top-3", lambda r: _pct(*accuracy(r["rows"], 3)))
    for kind in KINDS:
        line(f"top-1, {kind}", lambda r, kind=kind: _pct(*accuracy((x for x in r["rows"] if x["kind"] == kind), 1)))
        line(f"top-3, {kind}", lambda r, kind=kind: _pct(*accuracy((x for x in r["rows"] if x["kind"] == kind), 3)))

    def flags(r: Mapping[str, Any]) -> tuple[str, str]:
        ce = [x for x in r["rows"] if x["kind"] == "cauda_equina"]
        other = [x for x in r["rows"] if x["kind"] != "cauda_equina"]
        return (_pct(sum(x["flagged"] for x in ce), len(ce)), _pct(sum(x["flagged"] for x in other), len(other)))

    line("red-flag recall (cauda equina cases flagged)", lambda r: flags(r)[0])
    line("red-flag false alarms (other cases flagged)", lambda r: flags(r)[1])
    if suite is not None:
        line("case suite (`tests/cases/`) pass rate", lambda r: "")
        out[-1] = ("| case suite (`tests/cases/`) pass rate | "
                   + " | ".join(_pct(*suite[p]) for p in PRIORS) + " |")
    for prior in PRIORS:
        rows = results[prior]["rows"]
        out += ["", f"## Confusion table, prior=\"{prior}\"", "",
                "Rows: the confirmed lesion kind; columns: the kind of the leading hypothesis.", "",
                "| confirmed \\ leading | " + " | ".join((*KINDS, "none")) + " |",
                "|---|" + "---|" * (len(KINDS) + 1)]
        for kind in KINDS:
            counts = [sum(1 for x in rows if x["kind"] == kind and x["top_kind"] == col) for col in (*KINDS, "none")]
            out.append(f"| {kind} | " + " | ".join(map(str, counts)) + " |")
        if results[prior]["refused"]:
            out += ["", "Refused:", "", *(f"- `{i}`: {why}" for i, why in results[prior]["refused"])]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validation", type=Path, default=ROOT / "validation", help="directory of validation files")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "validation.md", help="the page to write")
    parser.add_argument("--no-suite", action="store_true", help="leave out the case suite's pass rate")
    args = parser.parse_args(argv)
    cases, problems = load_cases(args.validation) if args.validation.is_dir() else ([], [])
    results = {p: evaluate(cases, p) for p in PRIORS}
    suite = None if args.no_suite else {p: suite_pass_rate(p) for p in PRIORS}
    try:
        source = args.validation.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        source = args.validation.name
    args.out.write_text(render(cases, problems, results, suite, source), encoding="utf-8")
    for p in PRIORS:
        r = results[p]
        print(f"prior={p}: top-1 {_pct(*accuracy(r['rows'], 1))}, top-3 {_pct(*accuracy(r['rows'], 3))}, "
              f"refused {len(r['refused'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
