"""A hostile caller: throw broken, odd and pathological inputs at neuromap and tabulate what comes back.

Issue #15's closing note carries the table this prints, run before and after the fixes::

    python tools/hostile.py [--n N] [--seed S] [--seconds T] [--json out.json]

Columns
-------
inputs tried
    Every run: each generated case through each route (``neuromap.localize`` on the dict,
    ``neuromap.io.localize_json`` on the text, ``localize_many`` with ``workers=1`` and
    ``workers=2``, a sample through the ``neuromap`` command), plus the runs of the size,
    thread, file-writing and tampered-atlas families.
clean errors
    A :class:`~neuromap.errors.NeuromapError` with a one-line message of at most 300
    characters (the command: exit 2, one stderr line, no traceback; a batch: an error object
    of a neuromap type).
crashes
    Any other exception, a message of several lines or one echoing a huge input, a batch
    error object marked "internal error", a command exiting 1 or printing a traceback.
hangs
    A run over the per-input cap (2 s), or a family of inputs whose time grows faster than
    linearly (time at size 2N over time at size N > 3).
silent drops
    An accepted case where a finding is neither scored (``findings``) nor reported as not
    scored (``not_scored``), or is read as its opposite (a grade below 5 read as normal
    strength, a normal finding read as abnormal, a modality lost to an overlapping report).
thread divergences
    Results that differ from the serial run when the same cases run in 8 threads at once.
partial files
    ``neuromap render/atlas/export -o PATH`` whose write fails: a changed file at PATH, a new
    file left behind, or an exit code other than 2 / a message of several lines.
tampering detected
    Copies of the atlas data with one fact changed, detected / total: an ``AtlasDataError``,
    or a loaded atlas that says it is not the bundled one (``atlas.data.verified`` False, a
    modified/unverified marker in ``repr(atlas)`` or a result's ``to_dict()``).

The run is deterministic for a given ``--seed`` and ``--n`` (unless ``--seconds`` cuts it).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import neuromap
from neuromap.errors import NeuromapError
from neuromap.inference.case import MODALITIES
from neuromap.io import localize_json, localize_many

REPO = Path(__file__).resolve().parents[1]
COLUMNS = ("inputs tried", "clean errors", "crashes", "hangs", "silent drops", "thread divergences",
           "partial files", "tampering detected")
MAX_MESSAGE = 300
CAP_SECONDS = 2.0
GROWTH_LIMIT = 3.0
def _subclasses(cls: type) -> Iterator[type]:
    yield cls
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


ERROR_TYPES = {c.__name__ for c in _subclasses(NeuromapError)}
_GRAMMAR = neuromap.load_atlas().grammar
MODALITY_OF = {" ".join(s.lower().split()): m for s, m in _GRAMMAR.modalities.items()}

ODD_GRADES = ("0.", "+4", "(4)", "4.", "#0", "４", "-0", "~2", "2?", "5-", "4/5", "5/5", "4+", "3-", " 4 ", "4 ",
              "05", "4.0", "4.5", "5.0", "1e0", "0x4", "IV", "four", "Normal", "WEAK", "5+", "", " ")
ODD_REFLEXES = ("0.", "absent?", "1+?", "2+/4", "+", "-", "0/4", "Absent", "nil", "trace", "2++", "brisk!")
ODD_REGIONS = ("left-heel", "l.heel", "right/heel", "heel\n", "he\nel", "heel\r\nsole", "Heel", " heel ", "HEEL",
               "heel\x00", "heel\u200b", "ｈｅｅｌ", "left heel", "right heel", "heel (left)", "heel, sole", "heel;",
               "the heel", "heels", "")
ODD_MAPS: tuple[Any, ...] = ([], {}, "", 5, None, True, "LEE_2008", " lee_2008", "lee", ["lee_2008"],
                             {"id": "lee_2008"}, "lee_2008\n", "keegan_garrett_1948")
WEIRD: tuple[Any, ...] = ("4", "left", "", [], {}, True, False, None, 10**400, 1e308, -1e308, float("nan"),
                          float("inf"), 2**63, -0.0, 4.5, -1, [[]], [None], {"": None}, "\n", "x" * 300)


# ----------------------------------------------------------------------------- results


@dataclass
class Tally:
    """The counts of the table and a few examples for each non-zero column."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS[:-1], 0))
    tamper_detected: int = 0
    tamper_total: int = 0
    examples: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, column: str, signature: str | None = None, example: str | None = None,
            route: str | None = None) -> None:
        self.counts[column] += 1
        if signature is not None:
            slot = self.examples.setdefault(column, {}).setdefault(
                signature, {"count": 0, "example": example, "routes": []})
            slot["count"] += 1
            if route is not None and route not in slot["routes"]:
                slot["routes"].append(route)

    def tried(self, n: int = 1) -> None:
        self.counts["inputs tried"] += n

    def row(self) -> list[str]:
        return [str(self.counts[c]) for c in COLUMNS[:-1]] + [f"{self.tamper_detected}/{self.tamper_total}"]

    def markdown(self) -> str:
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---:|" * len(COLUMNS), "| " + " | ".join(self.row()) + " |"]
        for column, sigs in self.examples.items():
            lines.append(f"\n**{column}** ({sum(s['count'] for s in sigs.values())} in {len(sigs)} kinds)\n")
            for sig, slot in sorted(sigs.items(), key=lambda kv: -kv[1]["count"]):
                routes = f" [{', '.join(slot['routes'])}]" if slot.get("routes") else ""
                example = f": `{slot['example']}`" if slot["example"] else ""
                lines.append(f"- {slot['count']} x {sig}{routes}{example}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"columns": dict(zip(COLUMNS, self.row(), strict=True)), "counts": self.counts,
                "tampering": {"detected": self.tamper_detected, "total": self.tamper_total},
                "examples": self.examples, "timings": self.timings}


def short(value: Any, limit: int = 160) -> str:
    """A one-line, bounded rendering of an input, for an example."""
    text = value if isinstance(value, str) else (value.decode("utf-8", "replace") if isinstance(value, bytes)
                                                 else json.dumps(value, ensure_ascii=False, default=repr))
    text = text.encode("unicode_escape").decode("ascii") if ("\n" in text or "\r" in text) else text
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} chars)"


def clean_message(message: str) -> bool:
    """One line, and short: a message echoing a 1 MB input is not clean."""
    return "\n" not in message.strip() and "\r" not in message and len(message) <= MAX_MESSAGE


def judge_error(tally: Tally, route: str, label: str, exc: BaseException, payload: Any) -> None:
    """Count an exception raised by a route as a clean error or a crash."""
    message = str(exc)
    if isinstance(exc, NeuromapError) and clean_message(message):
        tally.add("clean errors")
        return
    why = "not one line" if isinstance(exc, NeuromapError) and "\n" in message.strip() else (
        f"message over {MAX_MESSAGE} chars" if isinstance(exc, NeuromapError) else type(exc).__name__)
    tally.add("crashes", f"{label}: {why}", f"{short(payload, 120)} -> {short(message, 120)}", route)


# ----------------------------------------------------------------------------- oracles


def expected_grade(grade: Any) -> bool | None:
    """Whether an MRC grade means weakness (True), normal strength (False), or cannot be told (None)."""
    if isinstance(grade, bool) or grade is None:
        return None
    if isinstance(grade, (int, float)):
        return grade < 5 if math.isfinite(grade) and 0 <= grade <= 5 else None
    if not isinstance(grade, str):
        return None
    s = unicodedata.normalize("NFKC", grade).strip().lower()
    if s in ("normal", "5/5"):
        return False
    if s == "weak":
        return True
    digits = re.search(r"\d", s)
    if not digits:
        return None
    d = int(digits.group())
    if d < 5:
        return True
    return ("-" in s[digits.end():]) if d == 5 else None


def expected_reflex(grade: Any) -> bool | None:
    """Whether a reflex grade is abnormal (True), normal (False), or cannot be told (None)."""
    if not isinstance(grade, str):
        return None
    s = re.sub(r"[^a-z0-9+]", "", unicodedata.normalize("NFKC", grade).lower())
    if s in ("normal", "2", "2+", "present"):
        return False
    if s in ("absent", "0", "reduced", "1", "1+", "brisk", "3", "3+", "4", "4+", "diminished", "lost"):
        return True
    return None


def silent_drops(case: Any, result: dict[str, Any]) -> list[str]:
    """The findings of an accepted case that the result neither scores, nor reports, nor reads right."""
    if not isinstance(case, dict) or "findings" not in result:
        return []
    rows = list(result.get("findings", [])) + list(result.get("not_scored", []))
    by_field: dict[str, list[dict[str, Any]]] = {}
    for f in rows:
        by_field.setdefault(f["field"], []).append(f)
    warnings = json.dumps(result.get("warnings", []))
    unread = [u["field"] for u in result.get("not_understood", [])]

    def reported(prefix: str) -> bool:
        """Set aside as not understood (the entry, or a part of it), or read once with a warning."""
        if any(w.startswith(f"{prefix} reports ") and "more than once" in w for w in result.get("warnings", [])):
            return True
        return any(u == prefix or u.startswith((prefix + ".", prefix + "[")) or prefix.startswith(u + ".")
                   for u in unread)

    out: list[str] = []
    for i, item in enumerate(case.get("sensory") or []):
        if not isinstance(item, dict):
            continue
        abnormal = item.get("state", "abnormal") != "normal"
        modality = MODALITY_OF.get(" ".join(str(item.get("modality", "numbness")).lower().split()))
        if "drawing" in item:
            if not by_field.get(f"sensory[{i}].drawing") and f"sensory[{i}]" not in warnings:
                out.append(f"sensory[{i}].drawing: neither scored nor reported")
            continue
        for j, _ in enumerate(item.get("regions") or []):
            fld = f"sensory[{i}].regions[{j}]"
            got = by_field.get(fld)
            if not got and (reported(fld) or "more specific report, sensory[" in warnings):
                continue
            if not got:
                # merged into another entry's report of the same region by the documented rule:
                # the warnings name this entry and the modality it gave
                merged = any(f"sensory[{i}]" in w and "both report" in w and (modality or "") in w
                             for w in result.get("warnings", []))
                if merged:
                    continue
                if abnormal and not any(f["abnormal"] and f["modality"] == modality for f in rows):
                    out.append(f"{fld}: {modality} vanished (an overlapping report kept another modality)")
                elif not abnormal and not any(not f["abnormal"] for f in rows):
                    out.append(f"{fld}: normal report vanished")
                continue
            if any(f["abnormal"] != abnormal for f in got):
                out.append(f"{fld}: state {item.get('state', 'abnormal')!r} read as its opposite")
    for i, item in enumerate(case.get("motor") or []):
        if not isinstance(item, dict):
            continue
        got = by_field.get(f"motor[{i}]")
        if not got and reported(f"motor[{i}]"):
            continue
        if not got:
            out.append(f"motor[{i}]: neither scored nor reported")
            continue
        want = expected_grade(item.get("grade"))
        if want is not None and any(f["abnormal"] != want for f in got):
            out.append(f"motor[{i}]: grade {item.get('grade')!r} read as {'weak' if not want else 'normal'}")
    reflexes = case.get("reflexes") or {}
    for name, grade in reflexes.items() if isinstance(reflexes, dict) else ():
        got = [f for fld, fs in by_field.items() if fld == f"reflexes.{name}" or fld.startswith(f"reflexes.{name}.")
               for f in fs]
        if not got and reported(f"reflexes.{name}"):
            continue
        if not got:
            out.append(f"reflexes.{name}: neither scored nor reported")
            continue
        want = expected_reflex(grade) if isinstance(grade, str) else None
        if want is not None and any(f["abnormal"] != want for f in got):
            out.append(f"reflexes.{name}: {grade!r} read as {'abnormal' if not want else 'normal'}")
    for i, _ in enumerate(case.get("other") or []):
        if not by_field.get(f"other[{i}]") and not reported(f"other[{i}]"):
            out.append(f"other[{i}]: neither scored nor reported")
    return out


def judge_result(tally: Tally, route: str, label: str, case: Any, result: dict[str, Any]) -> None:
    """Count the silent drops of an accepted case (one per wrong finding)."""
    for drop in silent_drops(case, result):
        kind = re.sub(r"\[\d+\]", "[i]", drop.split(":")[0]) + ":" + re.sub(r"'[^']*'", "'...'", drop.split(":", 1)[1])
        kind = re.sub("|".join(MODALITIES), "<modality>", kind)
        tally.add("silent drops", f"{label}: {kind}", f"{short(case, 200)} -> {drop}", route)


# ----------------------------------------------------------------------------- inputs


def base_cases(seed: int, n_drawn: int = 120) -> list[dict[str, Any]]:
    """Valid cases: the clinical case suite, then cases drawn from the public hypothesis strategies."""
    out = []
    for path in sorted((REPO / "tests" / "cases").glob("*.json")):
        if path.name == "invalid.json":
            continue
        for entry in json.loads(path.read_text())["cases"]:
            if isinstance(entry, dict) and isinstance(entry.get("case"), dict):
                out.append(entry["case"])
    return out + drawn_cases(seed, n_drawn)


def drawn_cases(seed: int, n: int) -> list[dict[str, Any]]:
    """*n* cases drawn, reproducibly, from :func:`neuromap.testing.strategies.cases`."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    from neuromap.testing.strategies import cases

    drawn: list[dict[str, Any]] = []

    @hseed(seed)
    @settings(max_examples=n, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(cases())
    def collect(case: dict[str, Any]) -> None:
        drawn.append(case)

    collect()
    return drawn


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def _set(case: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = case
    for p in path[:-1]:
        parent = parent[p]
    parent[path[-1]] = value
    return case


def _get(case: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        case = case[p]
    return case


class Mutator:
    """The mutations: each takes a random source and a case copy and returns a label and a payload."""

    def __init__(self, atlas: neuromap.Atlas, ops: tuple[str, ...] | None = None) -> None:
        self.regions = list(atlas.names("region"))
        self.groups = [(g["label"], [atlas.node(r)["label"] for r in g["regions"]]) for g in atlas.data.groups]
        self.movements = list(atlas.names("movement"))
        self.ops: list[Callable[[random.Random, dict[str, Any]], tuple[str, Any]]] = [
            self.valid, self.drop_key, self.duplicate_key, self.rename_key, self.wrong_type, self.wrong_type,
            self.odd_grade, self.odd_grade, self.odd_reflex, self.odd_region, self.odd_map, self.polygon_scalars,
            self.deep_nesting, self.unterminated, self.overlap, self.overlap, self.huge_name, self.text_damage,
            self.bad_bytes]
        if ops is not None:
            self.ops = [getattr(self, op) for op in ops]

    def __call__(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        return rng.choice(self.ops)(rng, copy.deepcopy(case))

    def valid(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        return "valid", case

    def drop_key(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        paths = [p for p in _paths(case) if p and isinstance(_get(case, p[:-1]), dict)]
        if paths:
            p = rng.choice(paths)
            del _get(case, p[:-1])[p[-1]]
        return "drop key", case

    def duplicate_key(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        text = json.dumps(case)
        key = rng.choice(list(case) or ["side"])
        return "duplicate key", text[:-1] + f', "{key}": {json.dumps(case.get(key, "left"))}}}'

    def rename_key(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        paths = [p for p in _paths(case) if p and isinstance(_get(case, p[:-1]), dict)]
        if paths:
            p = rng.choice(paths)
            parent = _get(case, p[:-1])
            new = rng.choice([str(p[-1]).upper(), str(p[-1]) + "s", " " + str(p[-1]), str(p[-1])[:-1] or "x"])
            parent[new] = parent.pop(p[-1])
        return "rename key", case

    def wrong_type(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        p = rng.choice([p for p in _paths(case) if p])
        value = rng.choice(WEIRD)
        mode = rng.random()
        if mode < 0.3:
            case = _set(case, p, str(_get(case, p)))  # numbers as strings, lists as their repr
        elif mode < 0.4:
            old = _get(case, p)
            case = _set(case, p, dict(enumerate(old)) if isinstance(old, list) else [old])
        else:
            case = _set(case, p, value)
        return "wrong type", case

    def odd_grade(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        motor = case.setdefault("motor", []) if isinstance(case.get("motor"), list) else []
        case["motor"] = motor
        grade = rng.choice(ODD_GRADES)
        used = {m.get("name") for m in motor if isinstance(m, dict)}
        free = [m for m in self.movements if m not in used]
        if motor and rng.random() < 0.5:
            rng.choice(motor)["grade"] = grade
        elif free:
            motor.append({"name": rng.choice(free), "grade": grade})
        return f"odd grade {grade!r}", case

    def odd_reflex(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        grade = rng.choice(ODD_REFLEXES)
        case["reflexes"] = {**(case.get("reflexes") or {}), rng.choice(["achilles", "patellar"]): grade}
        return f"odd reflex grade {grade!r}", case

    def odd_region(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        name = rng.choice(ODD_REGIONS)
        case["sensory"] = [{"regions": [name], "modality": "numbness"}]
        return f"odd region {name!r}", case

    def odd_map(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        value = rng.choice(ODD_MAPS)
        case["dermatome_map"] = value
        return f"odd dermatome_map {value!r}", case

    def polygon_scalars(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        poly: list[Any] = [[40, 40], [80, 40], [80, 120], [40, 120]]
        poly.insert(rng.randrange(5), rng.choice([5, "x", None, [], [1], [1, 2, 3], [[1, 2]], True, 1e308]))
        case["sensory"] = [{"drawing": {"view": "dorsal", "polygon": poly}, "modality": "pain"}]
        return "polygon with a scalar among its points", case

    def deep_nesting(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        depth = rng.choice([33, 100, 1000, 100_000])
        key = rng.choice(["sensory", "motor", "other", "reflexes"])
        text = json.dumps({k: v for k, v in case.items() if k != key})
        return f"nesting depth {depth}", text[:-1] + f', "{key}": ' + "[" * depth + "]" * depth + "}"

    def unterminated(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        n = rng.choice([10, 1000, 100_000])
        return f"unterminated string of {n} escapes", '{"side": ' + '"' + '\\"' * n

    def overlap(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        group, members = rng.choice([g for g in self.groups if g[1]])
        mods = rng.sample(list(MODALITIES), 2)
        first, second = rng.sample([(group, mods[0]), (rng.choice(members), mods[1])], 2)
        case["sensory"] = [{"regions": [name], "modality": modality} for name, modality in (first, second)]
        return "one region reported twice with two modalities", case

    def huge_name(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        name = rng.choice(["heel", "x", "left ", "\n"]) * rng.choice([300, 250_000])
        where = rng.choice(["region", "motor", "reflex", "other", "side", "modality"])
        if where == "region":
            case["sensory"] = [{"regions": [name]}]
        elif where == "motor":
            case["motor"] = [{"name": name, "grade": 4}]
        elif where == "reflex":
            case["reflexes"] = {name: "absent"}
        elif where == "other":
            case["other"] = [name]
        else:
            case[where] = name
        return f"huge {where} name", case

    def text_damage(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        text = json.dumps(case)
        how = rng.choice(["truncate", "nan", "huge int", "bom", "trailing", "single quotes"])
        if how == "truncate":
            text = text[: rng.randrange(len(text))]
        elif how == "nan":
            text = text[:-1] + ', "id": NaN}' if rng.random() < 0.5 else text.replace("4", "Infinity", 1)
        elif how == "huge int":
            text = text[:-1] + f', "id": {"9" * rng.choice([41, 5000])}}}'
        elif how == "bom":
            text = "\ufeff" + text
        elif how == "trailing":
            text += rng.choice([",", "}", " x", "\x00"])
        else:
            text = text.replace('"', "'")
        return f"JSON text: {how}", text

    def bad_bytes(self, rng: random.Random, case: dict[str, Any]) -> tuple[str, Any]:
        data = json.dumps(case).encode()
        i = rng.randrange(len(data))
        return "invalid UTF-8", data[:i] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]) + data[i:]


def generate(n: int, seed: int, ops: tuple[str, ...] | None = None, n_drawn: int = 120) -> list[tuple[str, Any]]:
    """*n* (label, payload) inputs: a payload is a case dict, JSON text or bytes.

    *ops* restricts the mutations to some of :class:`Mutator`'s methods (a family).
    """
    rng = random.Random(seed)
    bases = base_cases(seed, n_drawn)
    mutate = Mutator(neuromap.load_atlas(), ops)
    return [mutate(rng, rng.choice(bases)) for _ in range(n)]


# ----------------------------------------------------------------------------- routes


def as_text(payload: Any) -> str | bytes | None:
    """The JSON text of a payload (dicts with values JSON cannot hold give None)."""
    if isinstance(payload, (str, bytes)):
        return payload
    try:
        return json.dumps(payload, allow_nan=True)
    except (ValueError, TypeError):
        return None


def as_case(payload: Any) -> Any:
    """The case a payload stands for, for the silent-drop oracle (None if it is no JSON)."""
    if isinstance(payload, dict):
        return payload
    try:
        return json.loads(payload)
    except (ValueError, TypeError, RecursionError):
        return None


def timed(tally: Tally, route: str, label: str, payload: Any, call: Callable[[], Any]) -> Any:
    """Run *call*; count a crash, a clean error or an over-cap run; return the result or None."""
    tally.tried()
    start = time.perf_counter()
    try:
        result = call()
    except Exception as exc:  # noqa: BLE001 - counting every exception is the point
        result, error = None, exc
    else:
        error = None
    elapsed = time.perf_counter() - start
    if elapsed > CAP_SECONDS:
        tally.add("hangs", f"{label}: over {CAP_SECONDS:g} s", f"{short(payload, 100)} ({elapsed:.1f} s)", route)
        return None
    if error is not None:
        judge_error(tally, route, label, error, payload)
    return result


def run_direct(tally: Tally, inputs: list[tuple[str, Any]], deadline: float) -> None:
    """The dict route (``neuromap.localize``) and the text route (``localize_json``)."""
    for label, payload in inputs:
        if time.monotonic() > deadline:
            break
        if isinstance(payload, dict):
            res = timed(tally, "localize", label, payload, lambda p=payload: neuromap.localize(p).to_dict())
            if res is not None:
                judge_result(tally, "localize", label, payload, res)
        text = as_text(payload)
        if text is not None:
            res = timed(tally, "localize_json", label, payload, lambda t=text: localize_json(t))
            if res is not None:
                judge_result(tally, "localize_json", label, as_case(payload), res)


def judge_batch_item(tally: Tally, route: str, label: str, payload: Any, out: dict[str, Any]) -> None:
    """Count one entry of a batch's output."""
    if "error" not in out:
        judge_result(tally, route, label, as_case(payload), out)
        return
    err = out["error"]
    if err.get("type") in ERROR_TYPES and clean_message(err.get("message", "")):
        tally.add("clean errors")
    else:
        why = err.get("type") if err.get("type") not in ERROR_TYPES else f"message over {MAX_MESSAGE} chars"
        tally.add("crashes", f"{label}: {why}", f"{short(payload, 120)} -> {short(err.get('message', ''), 120)}",
                  route)


def run_batch(tally: Tally, inputs: list[tuple[str, Any]], workers: int) -> None:
    """The batch route: every text in one ``localize_many`` call."""
    items = [(label, payload, text) for label, payload in inputs if (text := as_text(payload)) is not None]
    route = f"localize_many(workers={workers})"
    start = time.perf_counter()
    try:
        outs = localize_many([t for *_, t in items], workers=workers)
    except Exception as exc:  # noqa: BLE001
        tally.tried(len(items))
        tally.add("crashes", f"{route}: the whole batch raised {type(exc).__name__}", short(str(exc), 160))
        return
    tally.timings[route] = round(time.perf_counter() - start, 2)
    for (label, payload, _), out in zip(items, outs, strict=True):
        tally.tried()
        judge_batch_item(tally, route, label, payload, out)


def neuromap_cli(*args: str, stdin: bytes | None = None, preexec: Callable[[], None] | None = None,
                 timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """Run the ``neuromap`` command in a subprocess."""
    env = {**os.environ, "NEUROMAP_DEBUG": ""}
    return subprocess.run([sys.executable, "-m", "neuromap", *args], input=stdin, capture_output=True,
                          timeout=timeout, env=env, preexec_fn=preexec, check=False)


def cli_clean(proc: subprocess.CompletedProcess[bytes]) -> str | None:
    """None if a failed command ended cleanly (exit 2, one short stderr line), else what was wrong."""
    err = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 2:
        return f"exit {proc.returncode}"
    if "Traceback" in err or err.count("\n") > 1 or len(err) > MAX_MESSAGE:
        return f"stderr of {err.count(chr(10))} lines, {len(err)} chars"
    return None


def run_cli(tally: Tally, inputs: list[tuple[str, Any]], sample: int, rng: random.Random) -> None:
    """A sample through ``neuromap localize FILE --json`` and through ``--batch -``."""
    picked = rng.sample(inputs, min(sample, len(inputs)))
    with tempfile.TemporaryDirectory() as tmp:
        for k, (label, payload) in enumerate(picked):
            text = as_text(payload)
            if text is None:
                continue
            path = Path(tmp) / f"case{k}.json"
            path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
            tally.tried()
            proc = neuromap_cli("localize", str(path), "--json")
            if proc.returncode == 0:
                judge_result(tally, "cli", label, as_case(payload), json.loads(proc.stdout))
            elif (why := cli_clean(proc)) is None:
                tally.add("clean errors")
            else:
                why = "stderr over one short line" if why.startswith("stderr") else why
                tally.add("crashes", f"{label}: {why}",
                          f"{short(payload, 100)} -> {short(proc.stderr.decode('utf-8', 'replace'), 160)}",
                          "neuromap localize FILE --json")
    lines = [t for _, p in picked if isinstance(t := as_text(p), str) and "\n" not in t]
    proc = neuromap_cli("localize", "--batch", "-", stdin="\n".join(lines).encode("utf-8", "surrogatepass"))
    tally.tried()
    why = None if proc.returncode in (0, 2) else f"exit {proc.returncode}"
    err = proc.stderr.decode("utf-8", "replace")
    if why or "Traceback" in err or err.count("\n") > 1:
        tally.add("crashes", f"cli --batch -: {why or 'stderr not one line'}", short(err, 200))
    else:
        tally.add("clean errors") if proc.returncode == 2 else None


# ----------------------------------------------------------------------------- size families


def _sized_families() -> dict[str, Callable[[int], str]]:
    """Input families with a size: each gives the JSON text of size *n* (all within the default limits)."""
    heel = "heel"

    def polygon(n: int) -> str:
        pts = [[60 + 30 * math.cos(2 * math.pi * k / n), 80 + 60 * math.sin(2 * math.pi * k / n)] for k in range(n)]
        return json.dumps({"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": pts}}]})

    def zigzag(n: int) -> str:
        pts = [[40 + 40 * (k % 2), 20 + 140 * k / n] for k in range(n)]
        return json.dumps({"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygon": pts}}]})

    def triangles(n: int) -> str:
        polys = [[[20 + k % 60, 20 + k // 60], [24 + k % 60, 20 + k // 60], [22 + k % 60, 24 + k // 60]]
                 for k in range(n)]
        return json.dumps({"side": "left", "sensory": [{"drawing": {"view": "dorsal", "polygons": polys}}]})

    def points(n: int) -> str:
        pts = [[20 + (k * 7) % 80, 20 + (k * 13) % 150] for k in range(n)]
        return json.dumps({"side": "left", "sensory": [{"drawing": {"view": "plantar", "points": pts}}]})

    regions = list(neuromap.load_atlas().ids("region"))
    return {
        "deep nesting": lambda n: '{"side": "left", "motor": ' + "[" * n + "]" * n + "}",
        "unterminated escapes": lambda n: '{"side": ' + '"' + '\\"' * n,
        "long region name": lambda n: json.dumps({"side": "left", "sensory": [{"regions": [heel * n]}]}),
        "long number": lambda n: '{"side": "left", "id": ' + "9" * n + "}",
        "whitespace": lambda n: " " * n + '{"side": "left", "other": ["babinski"]}',
        "many duplicate keys": lambda n: "{" + '"side": "left", ' * n + '"other": ["babinski"]}',
        "polygon vertices": polygon,
        "self-intersecting polygon": zigzag,
        "many small polygons": triangles,
        "many drawing points": points,
        "many sensory entries": lambda n: json.dumps({"side": "left", "sensory": [
            {"regions": [r], "modality": "pain"} for r in regions[:n]]}),
        "many names in one entry": lambda n: json.dumps({"side": "left", "sensory": [
            {"regions": regions[:n], "modality": "pain"}]}),
    }


SIZES = {"deep nesting": 50_000, "unterminated escapes": 200_000, "long region name": 100_000,
         "long number": 20_000, "whitespace": 500_000, "many duplicate keys": 20_000, "polygon vertices": 2_500,
         "self-intersecting polygon": 2_500, "many small polygons": 1_000, "many drawing points": 20_000,
         "many sensory entries": 25, "many names in one entry": 25}


def run_sizes(tally: Tally, scale: float = 1.0, families: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Each family at size N and 2N: a time ratio over :data:`GROWTH_LIMIT` is a hang."""
    out = {}
    for name, make in _sized_families().items():
        if families is not None and name not in families:
            continue
        n = max(2, int(SIZES[name] * scale))
        times = []
        for size in (n, 2 * n):
            text = make(size)
            best = math.inf
            for _ in range(3):
                tally.tried()
                start = time.perf_counter()
                try:
                    localize_json(text)
                except Exception as exc:  # noqa: BLE001
                    judge_error(tally, "localize_json", f"size family {name!r} at {size}", exc, text)
                best = min(best, time.perf_counter() - start)
            times.append(best)
        ratio = times[1] / max(times[0], 1e-4)
        out[name] = {"n": n, "t_n": round(times[0], 4), "t_2n": round(times[1], 4), "ratio": round(ratio, 2)}
        if (ratio > GROWTH_LIMIT and times[1] > 0.02) or times[1] > CAP_SECONDS:
            tally.add("hangs", f"size family {name!r}: x{ratio:.1f} from N={n} to 2N",
                      f"{times[0] * 1e3:.1f} ms -> {times[1] * 1e3:.1f} ms")
    return out


# ----------------------------------------------------------------------------- threads


def run_threads(tally: Tally, cases: list[dict[str, Any]], threads: int = 8) -> None:
    """The same cases in *threads* threads at once must give the serial results."""
    serial = [json.dumps(neuromap.localize(c).to_dict(), sort_keys=True) for c in cases]
    jobs = [i for _ in range(threads) for i in range(len(cases))]
    with ThreadPoolExecutor(threads) as ex:
        got = list(ex.map(lambda i: json.dumps(neuromap.localize(cases[i]).to_dict(), sort_keys=True), jobs))
    for i, g in zip(jobs, got, strict=True):
        tally.tried()
        if g != serial[i]:
            tally.add("thread divergences", "localize in 8 threads", short(cases[i], 120))
    maps = list(neuromap.load_atlas().dermatome_maps)
    texts = [json.dumps(c) for c in cases]
    expect = {m: [json.dumps(r, sort_keys=True) for r in localize_many(texts, dermatome_map=m, workers=1)]
              for m in maps}
    plan = [maps[t % len(maps)] for t in range(threads)]
    with ThreadPoolExecutor(threads) as ex:
        results = list(ex.map(lambda m: localize_many(texts, dermatome_map=m, workers=1), plan))
    for m, res in zip(plan, results, strict=True):
        for i, r in enumerate(res):
            tally.tried()
            if json.dumps(r, sort_keys=True) != expect[m][i]:
                used = r.get("dermatome_map")
                tally.add("thread divergences", "localize_many(workers=1), a different dermatome_map per thread",
                          f"asked {m!r}, result used {used!r}: {short(cases[i], 80)}")


# ----------------------------------------------------------------------------- files


def _fsize_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def run_files(tally: Tally) -> None:
    """``render``/``atlas``/``export -o PATH`` where the write fails: nothing changed, nothing left, exit 2."""
    case = {"side": "left", "sensory": [{"regions": ["heel"]}], "reflexes": {"achilles": "absent"}}
    commands = {"render": ("render", "{case}", "-o"), "atlas": ("atlas", "-o"),
                "export": ("export", "--format", "geojson", "-o")}
    exts = {"render": ".png", "atlas": ".svg", "export": ".geojson"}
    with tempfile.TemporaryDirectory() as tmp:
        case_path = Path(tmp) / "case.json"
        case_path.write_text(json.dumps(case))
        for cmd, argv in commands.items():
            for mode in ("directory as path", "missing directory", "read-only directory", "disk full, existing file",
                         "disk full, new file"):
                work = Path(tmp) / f"{cmd}-{mode.replace(' ', '_').replace(',', '')}"
                work.mkdir()
                target = work / f"out{exts[cmd]}"
                preexec = None
                if mode == "directory as path":
                    target.mkdir()
                elif mode == "missing directory":
                    target = work / "missing" / target.name
                elif mode == "read-only directory":
                    target.write_bytes(b"previous content\n")
                    work.chmod(0o555)
                    if os.access(work, os.W_OK):  # root ignores the mode: nothing to test
                        work.chmod(0o755)
                        continue
                else:
                    preexec = _fsize_limit
                    if mode == "disk full, existing file":
                        target.write_bytes(b"previous content\n")
                before = {p.name: (p.read_bytes() if p.is_file() else None) for p in work.iterdir()}
                args = [a.format(case=case_path) for a in argv]
                tally.tried()
                proc = neuromap_cli(*args, str(target), preexec=preexec)
                work.chmod(0o755)
                after = {p.name: (p.read_bytes() if p.is_file() else None) for p in work.iterdir()}
                problems = []
                if after != before:
                    changed = sorted(set(after) ^ set(before)) + sorted(k for k in before if after.get(k) != before[k])
                    problems.append("files changed or left: " + ", ".join(
                        f"{k} ({len(after[k] or b'')} bytes)" if k in after else f"{k} removed" for k in changed))
                if (why := cli_clean(proc)) is not None:
                    problems.append(why)
                if problems:
                    tally.add("partial files", f"neuromap {cmd} -o, {mode}",
                              "; ".join(problems) + " | " + short(proc.stderr.decode("utf-8", "replace"), 120))


# ----------------------------------------------------------------------------- tampering


def _edit_json(name: str, edit: Callable[[Any], None]) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        data = json.loads((d / name).read_text())
        edit(data)
        (d / name).write_text(json.dumps(data, indent=1))
    return apply


def _edit_text(name: str, edit: Callable[[str], str]) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        (d / name).write_text(edit((d / name).read_text()))
    return apply


def _first(items: list[dict[str, Any]], key: str, value: Any) -> dict[str, Any]:
    return next(i for i in items if i.get(key) == value)


def tamperings() -> dict[str, Callable[[Path], None]]:
    """Copies of the atlas data, each with one fact changed."""
    def no_red_flag(data: Any) -> None:
        _first(data["signs"], "id", "saddle_anaesthesia").pop("red_flag", None)

    def newline_label(data: Any) -> None:
        data["regions"][0]["label"] = "Hallux\n(dorsal)"

    def swap_root(data: Any) -> None:
        nerve = data["nerves"][0]
        nerve["roots"] = list(reversed(nerve.get("roots", []))) + ["S5"] if "roots" in nerve else nerve.get("roots")

    def version(data: Any) -> None:
        data["atlas_version"] = "9.9.9"

    return {
        "red_flag removed from saddle anaesthesia (signs.json)": _edit_json("signs.json", no_red_flag),
        "red_flag nulled by a duplicate key (signs.json)": _edit_text(
            "signs.json", lambda t: t.replace('"red_flag": "cauda_equina"',
                                              '"red_flag": "cauda_equina", "red_flag": null', 1)),
        "a label with a newline (regions.json)": _edit_json("regions.json", newline_label),
        "a 4,300-digit integer (foot.geojson)": _edit_text(
            "foot.geojson", lambda t: re.sub(r"(?<=\[)-?\d+(\.\d+)?", "1" * 4301, t, count=1)),
        "a 4,300-digit integer (patterns.json)": _edit_text(
            "patterns.json", lambda t: re.sub(r"(?<=: )\d+(\.\d+)?", "7" * 4301, t, count=1)),
        "a nerve's roots changed (nerves.json)": _edit_json("nerves.json", swap_root),
        "manifest deleted": lambda d: (d / "manifest.json").unlink(),
        "manifest version changed": _edit_json("manifest.json", version),
        "a file emptied (reflexes.json)": lambda d: (d / "reflexes.json").write_text(""),
        "a file truncated (dermatomes.json)": _edit_text("dermatomes.json", lambda t: t[: len(t) // 2]),
        "NaN in a coordinate (foot.geojson)": _edit_text(
            "foot.geojson", lambda t: re.sub(r"(?<=\[)-?\d+(\.\d+)?", "NaN", t, count=1)),
        "a source's year changed (sources.json)": _edit_text(
            "sources.json", lambda t: re.sub(r"(19|20)\d\d", "1066", t, count=1)),
    }


MARKERS = ("modified", "unverified", "tamper", "not verified", "not the bundled")


def run_tampering(tally: Tally) -> None:
    """Each tampered copy must raise AtlasDataError or load marked as not the bundled atlas."""
    from neuromap.datasets import bundled_data_dir

    case = {"side": "left", "other": ["saddle anaesthesia"], "reflexes": {"achilles": "absent"}}
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, tamper) in enumerate(tamperings().items()):
            copy_dir = Path(tmp) / f"atlas{k}"
            shutil.copytree(bundled_data_dir(), copy_dir)
            before = {p.name: p.read_bytes() for p in copy_dir.iterdir() if p.is_file()}
            tamper(copy_dir)
            if before == {p.name: p.read_bytes() for p in copy_dir.iterdir() if p.is_file()}:
                raise RuntimeError(f"tampering {name!r} changed nothing: fix the harness")
            tally.tried()
            tally.tamper_total += 1
            try:
                atlas = neuromap.load_atlas(copy_dir)
                shown = repr(atlas) + json.dumps(neuromap.localize(case, atlas=atlas).to_dict())
            except NeuromapError as exc:
                if clean_message(str(exc)):
                    tally.tamper_detected += 1
                else:
                    tally.add("crashes", f"load_atlas on a copy: {name}: message not clean", short(str(exc), 160))
                continue
            except Exception as exc:  # noqa: BLE001
                tally.add("crashes", f"load_atlas on a copy: {name}: {type(exc).__name__}", short(str(exc), 160))
                tally.examples.setdefault("tampering undetected", {})[name] = {"count": 1, "example": "crashed"}
                continue
            if atlas.data.verified is False or any(m in shown.lower() for m in MARKERS):
                tally.tamper_detected += 1
            else:
                tally.examples.setdefault("tampering undetected", {})[name] = {
                    "count": 1, "example": f"loads verified, repr {repr(atlas)[:60]}..."}


# ----------------------------------------------------------------------------- main


def run(n: int = 3000, seed: int = 0, seconds: float = 600.0, cli_sample: int = 30, scale: float = 1.0,
        parts: tuple[str, ...] = ("direct", "batch", "cli", "sizes", "threads", "files", "tamper")) -> Tally:
    """Run the harness and return the tally."""
    tally = Tally()
    t0 = time.monotonic()
    deadline = t0 + seconds
    inputs = generate(n, seed)
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("direct", lambda: run_direct(tally, inputs, deadline)),
        ("batch", lambda: (run_batch(tally, inputs, 1), run_batch(tally, inputs, 2))),
        ("cli", lambda: run_cli(tally, inputs, cli_sample, random.Random(seed))),
        ("sizes", lambda: tally.timings.update({f"size {k}": v for k, v in run_sizes(tally, scale).items()})),
        ("threads", lambda: run_threads(tally, base_cases(seed, 20)[:60])),
        ("files", lambda: run_files(tally)),
        ("tamper", lambda: run_tampering(tally)),
    ]
    for name, step in steps:
        if name not in parts or time.monotonic() > deadline:
            continue
        start = time.monotonic()
        step()
        tally.timings[name] = round(time.monotonic() - start, 2)
    tally.timings["total"] = round(time.monotonic() - t0, 2)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=3000, help="generated inputs (each through four routes)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=600.0, help="time cap of the generated runs")
    parser.add_argument("--cli-sample", type=int, default=30, help="inputs also run through the command")
    parser.add_argument("--json", metavar="PATH", help="also write the table and the examples as JSON")
    args = parser.parse_args(argv)
    tally = run(args.n, args.seed, args.seconds, args.cli_sample)
    print(tally.markdown())
    print(f"\n(run took {tally.timings['total']:.0f} s: " + ", ".join(
        f"{k} {v} s" for k, v in tally.timings.items() if isinstance(v, float) and k != "total") + ")")
    if args.json:
        Path(args.json).write_text(json.dumps(tally.to_json(), indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
