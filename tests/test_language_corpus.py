"""The held-out language corpora (``tests/language/``): their own integrity, and what they measure.

The corpora are written from real usage (guidelines, exam forms, patient leaflets, case reports),
not from neuromap's alias lists; ``tests/language/README.md`` says how. Two kinds of test live here:

- integrity, which runs now: counts, fields, registers, sources, no duplicates, and every expected
  id or region present in the atlas (the composite muscles in ``PENDING_MUSCLES`` excepted until
  they land);
- measures of the name resolver (``Atlas.match``) and the free-text reader
  (``neuromap.case_from_text``), skipped with a reason until those exist. A phrase resolved to a
  different entity or region set is a failure; a refusal only lowers recall.

Run ``pytest -s tests/test_language_corpus.py`` to see the recall and precision tables.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import neuromap

DIR = Path(__file__).parent / "language"

# Composite muscles another branch of issue #16 is adding; expected answers may name them already.
PENDING_MUSCLES = frozenset({"iliopsoas", "hamstrings", "fibulares", "triceps_surae"})

REGISTERS = ("clinician", "student", "patient", "abbreviation", "british", "typo")
ENTITY_KINDS = ("muscle", "movement", "reflex", "sign", "nerve", "root")
PHRASE_SIDES = (None, "left", "right", "bilateral")
MODALITIES = ("numbness", "tingling", "pain", "burning", "hypersensitivity")
STATES = ("abnormal", "normal")
REFLEX_GRADES = ("absent", "reduced", "normal", "brisk")
SECTIONS = ("sensory", "motor", "reflexes", "signs")

MIN_PHRASES, MIN_NEGATIVES, MIN_NOTES = 600, 50, 60
MIN_PER_REGISTER = 30

# Floors of the measures (issue #16; the lead confirms them when the resolver and reader land).
# Regression floors, set just under what the resolver and the reader measured when the corpora
# were first run against them (phrases 82 % overall, every register >= 72 %; notes 62 % recall,
# 80 % precision). The targets the corpus was written for are 0.85 / 0.8 / 0.9: not met yet, and
# the floors rise as the vocabulary grows (never by editing the corpus to fit).
PHRASE_RECALL_FLOOR = 0.8
PHRASE_REGISTER_FLOOR = 0.7
NOTE_RECALL_FLOOR = 0.6
NOTE_PRECISION_FLOOR = 0.78


# ------------------------------------------------------------------------------------- loading

@cache
def _load(name: str) -> list[dict[str, Any]]:
    with open(DIR / name, encoding="utf-8") as f:
        data = json.load(f)
    assert isinstance(data, list), f"{name}: expected a JSON list"
    return data


def phrases() -> list[dict[str, Any]]:
    return _load("phrases.json")


def negatives() -> list[dict[str, Any]]:
    return _load("negatives.json")


def notes() -> list[dict[str, Any]]:
    return _load("notes.json")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _known(atlas: neuromap.Atlas, kind: str) -> frozenset[str]:
    ids = frozenset(atlas.ids(kind))
    return ids | PENDING_MUSCLES if kind == "muscle" else ids


# ------------------------------------------------------------------------------------ integrity

def test_counts():
    assert len(phrases()) >= MIN_PHRASES
    assert len(negatives()) >= MIN_NEGATIVES
    assert len(notes()) >= MIN_NOTES


@pytest.mark.parametrize("name", ["phrases.json", "negatives.json", "notes.json"])
def test_no_duplicate_texts(name):
    counts = Counter(_norm(e["text"]) for e in _load(name))
    assert [t for t, n in counts.items() if n > 1] == []


def test_phrases_and_negatives_are_disjoint():
    assert {_norm(p["text"]) for p in phrases()} & {_norm(n["text"]) for n in negatives()} == set()


@pytest.mark.parametrize("name", ["phrases.json", "negatives.json", "notes.json"])
def test_every_entry_has_text_and_source(name):
    for e in _load(name):
        assert isinstance(e["text"], str) and e["text"] == e["text"].strip() and e["text"], e
        assert isinstance(e["source"], str) and len(e["source"]) > 10, e


def test_phrase_fields_and_registers():
    for p in phrases():
        assert set(p) == {"text", "expect", "side", "register", "source"}, p
        assert p["register"] in REGISTERS, p
        assert p["side"] in PHRASE_SIDES, p


def test_every_register_is_represented():
    counts = Counter(p["register"] for p in phrases())
    assert {r: n for r, n in counts.items() if n < MIN_PER_REGISTER} == {}
    assert set(counts) == set(REGISTERS)


def test_phrase_expectations_name_atlas_entities(atlas):
    regions = frozenset(atlas.ids("region"))
    for p in phrases():
        e = p["expect"]
        if e["kind"] == "region_set":
            assert set(e) <= {"kind", "regions", "accept"}, p
            sets = [e["regions"], *e.get("accept", [])]
            for s in sets:
                assert s and len(set(s)) == len(s) and set(s) <= regions, (p["text"], sorted(set(s) - regions))
            assert len({frozenset(s) for s in sets}) == len(sets), p  # alternatives differ
        else:
            assert set(e) == {"kind", "id"} and e["kind"] in ENTITY_KINDS, p
            assert e["id"] in _known(atlas, e["kind"]), (p["text"], e)


def test_pending_muscles_are_only_the_composites(atlas):
    # Every expected id missing from today's atlas is one of the composites being added, nothing else.
    missing = {p["expect"]["id"] for p in phrases()
               if p["expect"]["kind"] == "muscle" and p["expect"]["id"] not in atlas.ids("muscle")}
    missing |= {m["id"] for n in notes() for m in n["expect"]["motor"]
                if m["id"] not in atlas.ids("muscle") and m["id"] not in atlas.ids("movement")}
    assert missing <= PENDING_MUSCLES


def test_negative_fields():
    for n in negatives():
        assert set(n) == {"text", "why", "source"}, n
        assert isinstance(n["why"], str) and n["why"], n


def _check_side(value: Any, where: Any) -> None:
    assert value in PHRASE_SIDES, where


def test_note_fields_and_expected_findings(atlas):
    regions = frozenset(atlas.ids("region"))
    motor_ids = _known(atlas, "muscle") | frozenset(atlas.ids("movement"))
    for n in notes():
        assert set(n) <= {"text", "side", "register", "expect", "source", "global_normal"}, n
        assert n["register"] in REGISTERS, n
        _check_side(n["side"], n)
        assert set(n.get("global_normal", [])) <= set(SECTIONS), n
        exp = n["expect"]
        assert set(exp) == set(SECTIONS), n
        assert any(exp[s] for s in SECTIONS), n  # every note expects at least one finding
        for f in exp["sensory"]:
            assert set(f) <= {"regions", "modality", "state", "side", "optional"}, f
            assert f["regions"] and set(f["regions"]) <= regions, (n["text"], f)
            assert f["state"] in STATES, f
            assert (f["modality"] in MODALITIES) if f["state"] == "abnormal" else f["modality"] is None, f
            _check_side(f["side"], f)
        for f in exp["motor"]:
            assert set(f) <= {"id", "grade", "side", "optional"} and f["id"] in motor_ids, (n["text"], f)
            assert _grade_value(f["grade"]) is not None or f["grade"] == "weak", f
            _check_side(f["side"], f)
        for f in exp["reflexes"]:
            assert set(f) == {"id", "grade", "side"} and f["id"] in atlas.ids("reflex"), (n["text"], f)
            assert f["grade"] in REFLEX_GRADES, f
            _check_side(f["side"], f)
        for f in exp["signs"]:
            assert set(f) <= {"id", "present", "side", "optional"} and f["id"] in atlas.ids("sign"), (n["text"], f)
            assert isinstance(f["present"], bool), f
            _check_side(f["side"], f)


def test_note_registers_cover_the_styles():
    assert {n["register"] for n in notes()} >= {"clinician", "student", "patient", "abbreviation", "british"}


# ------------------------------------------------------------------------------ phrase measures

def _requires_match() -> None:
    if not hasattr(neuromap.Atlas, "match"):
        pytest.skip("Atlas.match (issue #16 resolver) does not exist yet; the lead removes this guard on merge")


def _match(atlas: neuromap.Atlas, text: str) -> Any:
    """The resolver's answer for one text; a NeuromapError (an ambiguous name) counts as a refusal."""
    try:
        return atlas.match(text)  # type: ignore[attr-defined]
    except neuromap.NeuromapError:
        return None


def _read_name(atlas: neuromap.Atlas, name: str, kinds: tuple[str, ...]) -> Any:
    """A name of one of ``kinds`` in a produced case: through the resolver when it exists, else the
    atlas's lookup. None when it names nothing of those kinds."""
    if hasattr(atlas, "match"):
        try:
            m = atlas.match(name, kind=kinds)  # type: ignore[attr-defined]
        except (TypeError, neuromap.NeuromapError):
            m = _match(atlas, name)
        return m if m is not None and m.entity.kind in kinds else None
    try:
        return SimpleNamespace(entity=atlas.resolve(name, kinds), side=None, corrected=None)
    except neuromap.NeuromapError:
        return None


def _verdict(atlas: neuromap.Atlas, phrase: dict[str, Any]) -> tuple[str, str]:
    """('right' | 'wrong' | 'sideless' | 'refused', what was read) for one phrase."""
    m = _match(atlas, phrase["text"])
    if m is None:
        return "refused", "-"
    entity, side = m.entity, getattr(m, "side", None)
    got = f"{entity.kind}:{entity.id} side={side} corrected={getattr(m, 'corrected', None)}"
    exp = phrase["expect"]
    if exp["kind"] == "region_set":
        ok = entity.kind in ("region", "group") and (
            sorted(atlas.regions_of(entity.id)) in [sorted(s) for s in [exp["regions"], *exp.get("accept", [])]])
    else:
        ok = (entity.kind, entity.id) == (exp["kind"], exp["id"])
    want = phrase["side"]
    if not ok:
        return "wrong", got
    if want in ("left", "right") and side != want:
        # the other side is a wrong reading; no side at all only loses the laterality (not recalled)
        return ("sideless" if side is None else "wrong"), got
    if want is None and side in ("left", "right"):
        return "wrong", got  # a side the phrase does not carry is invented
    if want == "bilateral" and side in ("left", "right"):
        return "wrong", got
    return "right", got


@cache
def _phrase_verdicts() -> tuple[tuple[str, str], ...]:
    atlas = neuromap.load_atlas()
    return tuple(_verdict(atlas, p) for p in phrases())


def test_no_phrase_resolves_to_a_wrong_answer():
    _requires_match()
    wrong = [f"{p['text']!r}: expected {p['expect'].get('id') or p['expect']['regions']} side={p['side']}, got {got}"
             for p, (v, got) in zip(phrases(), _phrase_verdicts(), strict=True) if v == "wrong"]
    assert not wrong, f"{len(wrong)} wrong resolutions (a refusal would be better):\n" + "\n".join(wrong[:40])


def test_every_negative_is_refused(atlas):
    _requires_match()
    resolved = []
    for n in negatives():
        m = _match(atlas, n["text"])
        if m is not None:
            resolved.append(f"{n['text']!r} -> {m.entity.kind}:{m.entity.id} ({n['why']})")
    assert not resolved, "\n".join(resolved)


def test_phrase_recall_per_register():
    _requires_match()
    totals: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for p, (v, _) in zip(phrases(), _phrase_verdicts(), strict=True):
        for key in (p["register"], f"kind:{p['expect']['kind']}", "all"):
            totals[key] += 1
            right[key] += v == "right"
    recall = {k: right[k] / totals[k] for k in totals}
    print("\nphrase recall (right / all):")
    for k in sorted(totals):
        print(f"  {k:22s} {right[k]:4d}/{totals[k]:<4d} {recall[k]:.0%}")
    assert recall["all"] >= PHRASE_RECALL_FLOOR, f"recall {recall['all']:.3f} below {PHRASE_RECALL_FLOOR}"
    low = {k: round(r, 3) for k, r in recall.items() if not k.startswith("kind:") and r < PHRASE_REGISTER_FLOOR}
    assert not low, f"recall below {PHRASE_REGISTER_FLOOR}: {low}"


# -------------------------------------------------------------------------------- note measures

_MODALITY_WORDS = {"pins and needles": "tingling", "paraesthesia": "tingling", "paresthesia": "tingling",
                   "paraesthesiae": "tingling", "tingle": "tingling", "numb": "numbness", "anaesthesia": "numbness",
                   "reduced sensation": "numbness", "allodynia": "hypersensitivity",
                   "hyperaesthesia": "hypersensitivity", "hyperesthesia": "hypersensitivity", "burn": "burning",
                   "painful": "pain"}
_REFLEX_WORDS = {"0": "absent", "lost": "absent", "1+": "reduced", "diminished": "reduced", "hypoactive": "reduced",
                 "depressed": "reduced", "decreased": "reduced", "2+": "normal", "present": "normal",
                 "3+": "brisk", "4+": "brisk", "hyperactive": "brisk", "increased": "brisk", "exaggerated": "brisk"}
_MRC = re.compile(r"\s*([0-5])\s*([+-])?\s*(?:/\s*5)?\s*")
SIDES = ("left", "right")


def _grade_value(grade: Any) -> float | None:
    """An MRC grade as a number (4- = 3.67, 4+ = 4.33, 5- = 4.67, normal = 5); None for 'weak' or unreadable."""
    if isinstance(grade, bool):
        return None
    if isinstance(grade, (int, float)):
        return float(grade)
    if not isinstance(grade, str):
        return None
    if grade.strip().lower() == "normal":
        return 5.0
    m = _MRC.fullmatch(grade)
    if m is None:
        return None
    return int(m.group(1)) + {"+": 1 / 3, "-": -1 / 3, None: 0.0}[m.group(2)]


def _grades_agree(expected: Any, got: Any) -> bool:
    g = _grade_value(got)
    if expected == "weak":
        return (g is not None and g < 5) or str(got).strip().lower() == "weak"
    e = _grade_value(expected)
    return e is not None and g is not None and abs(e - g) < 1e-6


def _sides(side: Any) -> tuple[str, ...]:
    """The sides a finding's side covers; () when the expectation names none (any side will do)."""
    if side in SIDES:
        return (side,)
    return SIDES if side == "bilateral" else ()


class _Read:
    """The findings of one case dict, each name resolved through the atlas."""

    def __init__(self, atlas: neuromap.Atlas, case: dict[str, Any]) -> None:
        self.atlas = atlas
        case_sides = _sides(case.get("side")) or SIDES
        self.sensory: list[dict[str, Any]] = []
        self.motor: list[dict[str, Any]] = []
        self.reflexes: list[dict[str, Any]] = []
        self.signs: list[dict[str, Any]] = []
        for f in case.get("sensory", []):
            if "regions" not in f:
                continue
            regions: set[str] = set()
            own_side = None
            for name in f["regions"]:
                got, side = self._regions(name)
                regions |= got
                own_side = own_side or side
            state = f.get("state", "abnormal")
            modality = _MODALITY_WORDS.get(str(f.get("modality", "numbness")).lower(), f.get("modality", "numbness"))
            self.sensory.append({"regions": regions, "state": state,
                                 "modality": modality if state == "abnormal" else None,
                                 "sides": _sides(f.get("side") or own_side) or case_sides})
        for f in case.get("motor", []):
            self.motor.append({"id": self._id(f["name"], "muscle", "movement"), "grade": f["grade"],
                               "sides": _sides(f.get("side")) or case_sides})
        for name, grade in case.get("reflexes", {}).items():
            per_side = grade.items() if isinstance(grade, dict) else [(s, grade) for s in case_sides]
            for side, g in per_side:
                word = str(g).strip().lower()
                self.reflexes.append({"id": self._id(name, "reflex"), "grade": _REFLEX_WORDS.get(word, word),
                                      "sides": (side,)})
        for f in case.get("other", []):
            f = f if isinstance(f, dict) else {"name": f}
            self.signs.append({"id": self._id(f["name"], "sign"), "present": f.get("state", "abnormal") != "normal",
                               "sides": _sides(f.get("side")) or case_sides})

    def _regions(self, name: str) -> tuple[set[str], str | None]:
        m = _read_name(self.atlas, name, ("region", "group"))
        if m is not None:
            return set(self.atlas.regions_of(m.entity.id)), getattr(m, "side", None)
        try:
            return set(self.atlas.regions_of(name)), None
        except neuromap.NeuromapError:
            return set(), None

    def _id(self, name: str, *kinds: str) -> str:
        m = _read_name(self.atlas, name, kinds)
        return m.entity.id if m is not None else f"?{name}"

    def same_motor(self, a: str, b: str) -> bool:
        """One motor id names the other: equal, or a muscle and a movement it performs."""
        if a == b:
            return True
        for muscle, movement in ((a, b), (b, a)):
            try:
                if movement in self.atlas.movements_for(muscle):
                    return True
            except neuromap.NeuromapError:
                continue
        return False


def _covered(regions: Iterable[str], side: str | None, pool: list[dict[str, Any]],
             key: Callable[[dict[str, Any]], bool]) -> bool:
    union: set[str] = set()
    for f in pool:
        if key(f) and (side is None or side in f["sides"]):
            union |= set(f["regions"])
    return set(regions) <= union


def _score_note(atlas: neuromap.Atlas, note: dict[str, Any], case: dict[str, Any]) -> dict[str, list[int]]:
    """Per section: [expected findings recalled, expected findings, produced findings correct, produced]."""
    read = _Read(atlas, case)
    exp = note["expect"]
    skip_normal = set(note.get("global_normal", []))
    score = {s: [0, 0, 0, 0] for s in SECTIONS}

    # sensory: a finding is found when the produced findings of the same modality and state cover its
    # regions on each of its sides; a produced finding is right when the expected ones cover it
    exp_sens = [dict(f, sides=_sides(f["side"])) for f in exp["sensory"]]
    for f in exp_sens:
        same = lambda g, f=f: (g["state"], g["modality"]) == (f["state"], f["modality"])  # noqa: E731
        hit = all(_covered(f["regions"], s, read.sensory, same) for s in (f["sides"] or (None,)))
        if not f.get("optional"):
            score["sensory"][0] += hit
            score["sensory"][1] += 1
    for g in read.sensory:
        if g["state"] == "normal" and "sensory" in skip_normal:
            continue
        same = lambda f, g=g: (g["state"], g["modality"]) == (f["state"], f["modality"])  # noqa: E731
        pool = [dict(f, sides=f["sides"] or SIDES) for f in exp_sens]
        score["sensory"][2] += all(_covered(g["regions"], s, pool, same) for s in g["sides"])
        score["sensory"][3] += 1

    def agree(section: str, e: dict[str, Any], g: dict[str, Any]) -> bool:
        want = _sides(e["side"])
        if want and not set(g["sides"]) <= set(want):  # a finding on a side the note does not name
            return False
        if section == "motor":
            return read.same_motor(e["id"], g["id"]) and _grades_agree(e["grade"], g["grade"])
        if section == "reflexes":
            return (e["id"], e["grade"]) == (g["id"], g["grade"])
        return (e["id"], e["present"]) == (g["id"], g["present"])

    def is_normal(section: str, g: dict[str, Any]) -> bool:
        if section == "motor":
            return _grade_value(g["grade"]) == 5.0
        return g["grade"] == "normal" if section == "reflexes" else not g["present"]

    for section, produced in (("motor", read.motor), ("reflexes", read.reflexes), ("signs", read.signs)):
        for e in exp[section]:
            if not e.get("optional"):
                # a bilateral expectation may come back as one finding per side
                want = _sides(e["side"])
                found = [g for g in produced if agree(section, e, g)]
                got_sides = {s for g in found for s in g["sides"]}
                score[section][0] += bool(found) and (not want or set(want) <= got_sides)
                score[section][1] += 1
        for g in produced:
            if section in skip_normal and is_normal(section, g):
                continue
            score[section][2] += any(agree(section, e, g) for e in exp[section])
            score[section][3] += 1
    return score


def test_notes_findings_recall_and_precision(atlas):
    if not hasattr(neuromap, "case_from_text"):
        pytest.skip("neuromap.case_from_text (issue #16 reader) does not exist yet; "
                    "the lead removes this guard on merge")
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    unread = 0
    needed_side = 0
    for n in notes():
        try:
            result = neuromap.case_from_text(n["text"], side=n.get("side"))  # type: ignore[attr-defined]
        except neuromap.InvalidArgumentError:  # the note names no side: the reader asks for one
            needed_side += 1
            result = neuromap.case_from_text(n["text"], side="left")  # type: ignore[attr-defined]
        unread += bool(result.unread)
        for section, s in _score_note(atlas, n, result.case).items():
            for key in (section, f"register:{n['register']}", "all"):
                totals[key] = [a + b for a, b in zip(totals[key], s, strict=True)]
    print(f"\nnotes: {len(notes())}, with unread text: {unread}, naming no side (read as left): {needed_side}")
    print(f"  {'':22s} {'recall':>14s} {'precision':>14s}")
    for k in sorted(totals):
        r0, r1, p0, p1 = totals[k]
        print(f"  {k:22s} {r0:5d}/{r1:<4d} {r0 / max(r1, 1):4.0%} {p0:5d}/{p1:<4d} {p0 / max(p1, 1):4.0%}")
    r0, r1, p0, p1 = totals["all"]
    assert r0 / r1 >= NOTE_RECALL_FLOOR, f"findings recall {r0}/{r1}"
    assert p1 and p0 / p1 >= NOTE_PRECISION_FLOOR, f"findings precision {p0}/{p1}"


def _oracle_case(note: dict[str, Any]) -> dict[str, Any]:
    """The case a perfect reader would write for a note: every expected finding, each region on its own."""
    exp = note["expect"]
    case: dict[str, Any] = {"side": note["side"] or "bilateral", "sensory": [], "motor": [], "reflexes": {},
                            "other": []}

    def own(side: Any) -> dict[str, Any]:
        return {"side": side} if side else {}

    for f in exp["sensory"]:
        for region in f["regions"]:
            entry = {"regions": [region], "state": f["state"], **own(f["side"])}
            case["sensory"].append(dict(entry, modality=f["modality"]) if f["modality"] else entry)
    for f in exp["motor"]:
        case["motor"].append({"name": f["id"], "grade": f["grade"], **own(f["side"])})
    for f in exp["reflexes"]:
        sides = _sides(f["side"])
        case["reflexes"][f["id"]] = {s: f["grade"] for s in sides} if sides else f["grade"]
    for f in exp["signs"]:
        case["other"].append({"name": f["id"], "state": "abnormal" if f["present"] else "normal", **own(f["side"])})
    return case


def _notes_naming_atlas_ids(atlas: neuromap.Atlas) -> list[dict[str, Any]]:
    """The notes whose expected motor ids are all in today's atlas (not a pending composite muscle)."""
    ids = set(atlas.ids("muscle")) | set(atlas.ids("movement"))
    return [n for n in notes() if all(m["id"] in ids for m in n["expect"]["motor"])]


def test_note_scorer_gives_a_perfect_reader_full_marks(atlas):
    # The measure itself: a reader that writes exactly the expected findings (regions split one per
    # finding) scores 100 % recall and precision on every note.
    for n in _notes_naming_atlas_ids(atlas):
        for section, (r0, r1, p0, p1) in _score_note(atlas, n, _oracle_case(n)).items():
            assert (r0, p0) == (r1, p1), (n["text"], section, (r0, r1, p0, p1))


def test_note_scorer_counts_misreadings(atlas):
    # A reader that loses every finding recalls nothing; one that flips every state, grade and
    # presence is never right.
    for n in _notes_naming_atlas_ids(atlas):
        sens = n["expect"]["sensory"]
        if any(set(a["regions"]) & set(b["regions"]) for a in sens for b in sens if a["state"] != b["state"]):
            continue  # 'sole numb, heel normal': a flipped finding would meet the other one
        empty = _score_note(atlas, n, {"side": "bilateral"})
        assert all(s[0] == 0 and s[3] == 0 for s in empty.values()), n["text"]
        case = _oracle_case(n)
        for f in case["sensory"]:
            f["state"] = "normal" if f["state"] == "abnormal" else "abnormal"
            f["modality"] = "numbness" if f.get("modality") != "numbness" else "pain"
        for f in case["motor"]:
            f["grade"] = 5 if _grade_value(f["grade"]) != 5.0 else 2
        for name, grade in case["reflexes"].items():
            flip = {"absent": "brisk", "reduced": "brisk", "normal": "absent", "brisk": "absent"}
            case["reflexes"][name] = ({s: flip[g] for s, g in grade.items()} if isinstance(grade, dict)
                                      else flip[grade])
        for f in case["other"]:
            f["state"] = "normal" if f["state"] == "abnormal" else "abnormal"
        scored = _score_note(atlas, n, case)
        assert all(s[0] == 0 and s[2] == 0 for s in scored.values()), (n["text"], scored)
