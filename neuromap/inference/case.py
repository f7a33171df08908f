"""Read a case (the reported findings) into validated, atlas-resolved findings.

A case is a plain dict (or a :class:`Case`)::

    {"side": "left" | "right" | "bilateral",
     "sensory": [{"regions": ["first dorsal web space", "hallux"], "modality": "numbness"},
                 {"drawing": {"view": "dorsal", "polygon": [[x, y], ...]}, "modality": "pain"},
                 {"regions": ["medial malleolus"], "state": "normal"}],
     "motor": [{"name": "great toe extension", "grade": 4}, {"name": "hip abduction", "grade": "normal"}],
     "reflexes": {"achilles": "absent", "patellar": "normal"},
     "other": ["saddle anaesthesia"]}

Every name resolves through the atlas. Anything invalid raises :class:`InvalidCaseError` (or
:class:`UnknownNameError`) naming the field, e.g. ``sensory[0].regions[1]``, and the closest
valid values. Nothing is dropped silently.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from neuromap.atlas import Atlas, normalize_name
from neuromap.errors import InvalidCaseError, LimitExceededError, UnknownNameError, check_option, suggest
from neuromap.weights import (
    DRAWING_FULL_COVER,
    DRAWING_MIN_SEVERITY,
    DRAWING_OUTSIDE_NOTE,
    MRC_SEVERITY,
    REFLEX_SEVERITY,
    SHARE_LOG_COEFFICIENT,
    WEAK_SEVERITY,
)

__all__ = ["Case", "Finding", "Limits", "parse_case"]

SIDES = ("left", "right", "bilateral")
CASE_KEYS = ("side", "sensory", "motor", "reflexes", "other", "dermatome_map", "id", "notes")
#: Length of the free-text ``notes`` of a case and ``note`` of a finding (``maxLength`` in the case schema).
MAX_NOTE_LENGTH = 10_000

#: Sensory modalities and their accepted synonyms (folded with :func:`normalize_name`).
MODALITIES = {
    "pain": ("pain", "ache", "aching", "sore", "soreness", "painful", "shooting pain", "stabbing"),
    "numbness": ("numbness", "numb", "anesthesia", "hypoesthesia", "hypesthesia", "reduced sensation",
                 "sensory loss", "loss of sensation", "hypoalgesia", "analgesia", "decreased sensation"),
    "tingling": ("tingling", "paresthesia", "paresthesiae", "pins and needles", "paraesthesia", "prickling"),
    "burning": ("burning", "burning pain", "dysesthesia"),
    "hypersensitivity": ("hypersensitivity", "hyperesthesia", "allodynia", "hyperalgesia", "sensitive"),
}
_MODALITY_INDEX = {normalize_name(s): m for m, syns in MODALITIES.items() for s in syns}
#: modalities as callers wrote them (before folding), filled as they are read
_MODALITY_RAW: dict[str, str] = {}

REFLEX_GRADES = ("normal", "reduced", "absent", "brisk")
_REFLEX_SYNONYMS = {"diminished": "reduced", "decreased": "reduced", "hypoactive": "reduced", "depressed": "reduced",
                    "weak": "reduced", "1": "reduced", "1+": "reduced", "0": "absent", "lost": "absent",
                    "2": "normal", "2+": "normal", "present": "normal", "brisk": "brisk", "increased": "brisk",
                    "hyperactive": "brisk", "exaggerated": "brisk", "3": "brisk", "3+": "brisk", "4": "brisk",
                    "4+": "brisk"}
MOTOR_WORDS = ("weak", "normal")
STATES = ("abnormal", "normal")


@dataclass(frozen=True)
class Limits:
    """Size limits for one case; exceeding one raises :class:`LimitExceededError`.

    Examples
    --------
    >>> Limits().max_findings
    200
    """

    max_findings: int = 200
    max_regions_per_finding: int = 64
    max_vertices: int = 10_000
    max_points: int = 100_000
    max_text_length: int = 200


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Finding:
    """One examined finding, resolved to one atlas target on one side.

    Attributes
    ----------
    field : str
        Where it came from in the case (``"sensory[0].regions[1]"``).
    kind : str
        The target kind: region, movement, muscle, reflex or sign.
    target : str
        The atlas id of the target.
    side : str
        ``"left"`` or ``"right"`` (a bilateral finding becomes two findings).
    abnormal : bool
        False for an examined normal finding.
    modality : str or None
        Sensory modality, or ``"weakness"``, a reflex grade, ``"sign"``.
    severity : float
        In (0, 1]: how marked the abnormality is (MRC grade, absent vs reduced reflex,
        fraction of a region a drawing covers).
    text : str
        The name as the caller wrote it.
    """

    field: str
    kind: str
    target: str
    side: str
    abnormal: bool
    modality: str | None
    severity: float
    text: str
    share: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of the finding."""
        return {"field": self.field, "kind": self.kind, "target": self.target, "side": self.side,
                "abnormal": self.abnormal, "modality": self.modality, "severity": round(self.severity, 4),
                "text": self.text}


#: the keys a case, a sensory and a motor entry may have (the fast check of a plain dict)
_CASE_KEY_SET = frozenset(CASE_KEYS)
_SENSORY_KEYS = frozenset(("regions", "drawing", "modality", "state", "side", "note"))
_MOTOR_KEYS = frozenset(("name", "grade", "side", "note"))


@dataclass(frozen=True)
class Case:
    """A case as a typed object; ``Case(**d)`` accepts the same keys as the dict form.

    Examples
    --------
    >>> Case(side="left", motor=[{"name": "hip abduction", "grade": 4}]).to_dict()["side"]
    'left'
    """

    side: str
    sensory: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    motor: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    reflexes: Mapping[str, Any] = field(default_factory=dict)
    other: Sequence[Any] = field(default_factory=tuple)
    id: str | None = None
    notes: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The case as the plain dict :func:`neuromap.localize` accepts."""
        d: dict[str, Any] = {"side": self.side, "sensory": list(self.sensory), "motor": list(self.motor),
                             "reflexes": dict(self.reflexes), "other": list(self.other)}
        if self.id is not None:
            d["id"] = self.id
        if self.notes is not None:
            d["notes"] = self.notes
        return d


@dataclass(frozen=True)
class ParsedCase:
    """A validated case: its side and its findings, plus notes for the result (drawings)."""

    side: str
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    drawings: tuple[Mapping[str, Any], ...]



def _choice(value: Any, allowed: Sequence[str], field: str) -> str:
    return check_option(field, value, allowed, fold=normalize_name, error=InvalidCaseError)


def _got(value: Any) -> str:
    """A value as a message names it: a JSON scalar as written, an object or a list by kind."""
    if value is None or isinstance(value, (str, int, float)):
        return json.dumps(value)[:60]
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


def _string(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidCaseError(field, f"expected a string, got {_got(value)}")
    return value


def _free_text(value: Any, field: str, max_length: int, *, limit: bool = False, empty: bool = True) -> str:
    """A string of at most *max_length* characters (longer: LimitExceededError if *limit*)."""
    text = _string(value, field)
    if not empty and not text:
        raise InvalidCaseError(field, "the text is empty")
    if len(text) > max_length:
        raise (LimitExceededError if limit else InvalidCaseError)(
            field, f"the text is longer than {max_length} characters")
    return text


def _text(value: Any, field: str, limits: Limits) -> str:
    _string(value, field)
    if not value.strip():
        raise InvalidCaseError(field, "the name is empty")
    if len(value) > limits.max_text_length:
        raise LimitExceededError(field, f"the name is longer than {limits.max_text_length} characters")
    return value


def _list(value: Any, field: str, max_items: int | None = None) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise InvalidCaseError(field, f"expected a list, got {_got(value)}")
    if max_items is not None and len(value) > max_items:
        raise LimitExceededError(field, f"more than {max_items} items")
    return list(value)


def _keys(d: Any, field: str, allowed: Sequence[str], required: Sequence[str] = ()) -> Mapping[str, Any]:
    if type(d) is not dict and not isinstance(d, Mapping):
        raise InvalidCaseError(field, f"expected an object, got {_got(d)}")
    for k in d:
        if k not in allowed:
            where = f"{field}.{k}" if field != "case" else str(k)
            close = suggest(str(k), allowed) or suggest(str(k), allowed, n=len(allowed), cutoff=0.0)
            raise InvalidCaseError(where, f"unknown key {k!r}; allowed keys are {', '.join(map(repr, allowed))}",
                                   close[:3])
    for k in required:
        if k not in d:
            raise InvalidCaseError(f"{field}.{k}" if field != "case" else k, "this key is required")
    return d


def _split_side_word(text: str) -> tuple[str | None, str]:
    words = normalize_name(text).split()
    if len(words) > 1 and words[0] in ("left", "right"):
        return words[0], text.split(None, 1)[1]
    if len(words) > 1 and words[0] in ("l", "r", "lt", "rt"):
        return ("left" if words[0].startswith("l") else "right"), text.split(None, 1)[1]
    return None, text


def _word_sides(word_side: str, own_sides: tuple[str, ...], field: str, text: str, rest: str) -> tuple[str, ...]:
    """The side a region name's side word ('left heel') names, if the finding is on that side."""
    if word_side not in own_sides:
        raise InvalidCaseError(
            field, f"{text!r} names the {word_side} foot but this finding is on the "
            f"{' and '.join(own_sides)} side; set the finding's 'side' or the case 'side'", [rest])
    return (word_side,)


def _finding_sides(case_side: str, own: Any, field: str) -> tuple[str, ...]:
    side = case_side if own is None else _choice(own, SIDES, field)
    return ("left", "right") if side == "bilateral" else (side,)


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidCaseError(field, f"expected a number, got {_got(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int beyond any float
        number = math.inf
    if not math.isfinite(number):
        raise InvalidCaseError(field, f"expected a finite number, got {value!r:.30}")
    return number


def parse_case(case: Any, atlas: Atlas, *, limits: Limits = DEFAULT_LIMITS) -> ParsedCase:
    """Validate a case and resolve every finding against the atlas.

    Parameters
    ----------
    case : dict or Case
        The findings (see the module docstring for the format).
    atlas : Atlas
        The atlas whose names the case uses.
    limits : Limits, optional
        Size limits.

    Returns
    -------
    ParsedCase

    Raises
    ------
    InvalidCaseError
        Any invalid value; the message names the field and the closest valid values. This
        is the one check of a case, whatever its source: everything the published case
        schema (``neuromap/schemas/case.schema.json``) refuses is refused here.
    LimitExceededError
        More findings, list items, regions, vertices or points than *limits* allow, or a
        name or text too long.
    UnknownNameError
        A name the atlas does not know.

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.inference.case import parse_case
    >>> p = parse_case({"side": "left", "reflexes": {"ankle jerk": "absent"}}, neuromap.load_atlas())
    >>> p.findings[0].target, p.findings[0].modality
    ('achilles', 'absent')
    """
    if type(case) is not dict and isinstance(case, Case):
        case = case.to_dict()
    if type(case) is not dict or not _CASE_KEY_SET.issuperset(case) or "side" not in case:
        _keys(case, "case", CASE_KEYS, required=("side",))
    side = case["side"]
    if type(side) is not str or side not in SIDES:
        side = _choice(_string(side, "side"), SIDES, "side")
    _record_fields(case, limits)
    case_sides = ("left", "right") if side == "bilateral" else (side,)  # of a finding without its own side
    findings: list[Finding] = []
    notes: list[str] = []
    drawings: list[Mapping[str, Any]] = []
    seen: dict[tuple[str, str, str], tuple[bool, str]] = {}
    motor_names, reflex_names = _entity_names(atlas)

    def add(f: Finding) -> None:
        key = (f.kind, f.target, f.side)
        if key in seen:
            prev_abnormal, prev_field = seen[key]
            if prev_abnormal != f.abnormal:
                raise InvalidCaseError(
                    f.field, f"{f.text!r} ({f.side}) is reported both abnormal and normal (see {prev_field})")
            prev = next(old for old in findings if (old.kind, old.target, old.side) == key)
            if f.kind != "region" or normalize_name(prev.text) == normalize_name(f.text):
                raise InvalidCaseError(f.field, f"duplicate finding: {f.text!r} ({f.side}) is already reported at "
                                       f"{prev_field}")
            # one region reached through two names (e.g. 'toes' and 'hallux'): one finding, the
            # stronger of the two reports
            if f.severity * f.share > prev.severity * prev.share:
                findings[findings.index(prev)] = f
            return
        seen[key] = (f.abnormal, f.field)
        findings.append(f)
        if len(findings) > limits.max_findings:
            raise LimitExceededError("case", f"more than {limits.max_findings} findings")

    known = _region_names(atlas)
    # sensory
    entries = case.get("sensory", ())
    if type(entries) is not list or len(entries) > limits.max_findings:
        entries = _list(entries, "sensory", limits.max_findings)
    for i, item in enumerate(entries):
        base = f"sensory[{i}]"
        if type(item) is not dict or not _SENSORY_KEYS.issuperset(item):
            _keys(item, base, ("regions", "drawing", "modality", "state", "side", "note"))
        if ("regions" in item) == ("drawing" in item):
            raise InvalidCaseError(base, "give either 'regions' or 'drawing'", ["regions", "drawing"])
        state = item.get("state", "abnormal")
        abnormal = state == "abnormal" if type(state) is str and state in STATES else (
            _choice(_string(state, base + ".state"), STATES, base + ".state") == "abnormal")
        if "note" in item:
            _free_text(item["note"], base + ".note", MAX_NOTE_LENGTH)
        modality: str | None = None
        if "modality" in item:
            raw = item["modality"]
            modality = _MODALITY_RAW.get(raw) if type(raw) is str else None
            if modality is None:
                if normalize_name(_string(raw, base + ".modality")) not in _MODALITY_INDEX:
                    _choice(raw, tuple(MODALITIES), base + ".modality")
                modality = _MODALITY_INDEX[normalize_name(raw)]
                if len(_MODALITY_RAW) < 4096:
                    _MODALITY_RAW[raw] = modality
        elif abnormal:
            modality = "numbness"
        own = _string(item["side"], base + ".side") if "side" in item else None
        own_sides = case_sides if own is None else _finding_sides(side, own, base + ".side")
        if "regions" in item:
            names = item["regions"]
            if type(names) is not list:
                names = _list(names, base + ".regions")
            if not names:
                raise InvalidCaseError(base + ".regions", "the list is empty")
            if len(names) > limits.max_regions_per_finding:
                raise LimitExceededError(base + ".regions", f"more than {limits.max_regions_per_finding} regions")
            pending: list[tuple[str, str, str, str]] = []  # (field, region, side, text)
            for j, name in enumerate(names):
                fld = f"{base}.regions[{j}]"
                hit = known.get(name) if type(name) is str and len(name) <= limits.max_text_length else None
                if hit is not None:
                    # a name read before: its side word and regions (the atlas is immutable)
                    word_side, rest, regs = hit
                    sides = own_sides if word_side is None else _word_sides(word_side, own_sides, fld, name, rest)
                    for reg in regs:
                        for s in sides:
                            pending.append((fld, reg, s, name))
                    continue
                text = _text(name, fld, limits)
                word_side, rest = _split_side_word(text)
                sides = own_sides if word_side is None else _word_sides(word_side, own_sides, fld, text, rest)
                if atlas.is_off_foot(rest):
                    raise UnknownNameError(rest, "region", (), field=fld,
                                           reason="is not on the foot: neuromap's surface covers the foot and ankle")
                regs = atlas.regions_of(rest, field=fld)
                if len(known) < 65536:
                    known[text] = (word_side, rest, regs)
                for reg in regs:
                    for s in sides:
                        pending.append((fld, reg, s, text))
            if len(own_sides) == 1 and pending:  # every region on the one side: one share (as _shares)
                n_pending = len(pending)
                shares = [(1.0 + SHARE_LOG_COEFFICIENT * math.log(n_pending)) / n_pending] * n_pending
            else:
                shares = _shares([p[2] for p in pending])
            for (fld, reg, s, text), share in zip(pending, shares, strict=True):
                f = Finding(fld, "region", reg, s, abnormal, modality, 1.0, text, share)
                key = ("region", reg, s)
                if key in seen or len(findings) >= limits.max_findings:
                    add(f)  # a duplicate or the limit: add() decides
                else:
                    seen[key] = (abnormal, fld)  # what add() does for a new finding
                    findings.append(f)
        else:
            fld = base + ".drawing"
            drawn = _drawing_regions(item["drawing"], fld, own_sides, atlas, limits)
            shares = _shares([s for _, _, s, _ in drawn])
            notes.extend(note for *_, note in drawn if note)
            for (reg, sev, s, _), share in zip(drawn, shares, strict=True):
                add(Finding(fld, "region", reg, s, abnormal, modality, sev, f"drawing ({reg})", share))
            drawings.append({"field": fld, **dict(item["drawing"]), "sides": list(own_sides),
                             "modality": modality, "abnormal": abnormal})

    # motor
    entries = case.get("motor", ())
    if type(entries) is not list or len(entries) > limits.max_findings:
        entries = _list(entries, "motor", limits.max_findings)
    for i, item in enumerate(entries):
        base = f"motor[{i}]"
        if type(item) is not dict or not _MOTOR_KEYS.issuperset(item) or "name" not in item or "grade" not in item:
            _keys(item, base, ("name", "grade", "side", "note"), required=("name", "grade"))
        if "note" in item:
            _free_text(item["note"], base + ".note", MAX_NOTE_LENGTH)
        text = item["name"]
        motor = motor_names.get(text) if type(text) is str and len(text) <= limits.max_text_length else None
        if motor is None:
            text = _text(text, base + ".name", limits)
            entity = atlas.resolve(text, ("movement", "muscle"), field=base + ".name")
            motor = (entity.kind, entity.id)
            if len(motor_names) < 65536:
                motor_names[text] = motor
        motor_kind, motor_id = motor
        grade = item["grade"]
        if type(grade) is int and 0 <= grade <= 5:
            abnormal, severity = grade < 5, MRC_SEVERITY[grade]  # the common form, as below
        elif isinstance(grade, (int, float)) and not isinstance(grade, bool) or (
                isinstance(grade, str) and grade.strip().rstrip("+-") in {"0", "1", "2", "3", "4", "5"}):
            if isinstance(grade, str):
                grade = int(grade.strip().rstrip("+-"))
            g = _number(grade, base + ".grade")
            if g != int(g) or not 0 <= g <= 5:
                raise InvalidCaseError(base + ".grade", f"MRC grades are whole numbers from 0 to 5, but got {grade!r}",
                                       ["0", "1", "2", "3", "4", "5"])
            abnormal, severity = g < 5, MRC_SEVERITY[int(g)]
        else:
            if isinstance(grade, str):
                _free_text(grade, base + ".grade", limits.max_text_length, limit=True)
            word = _choice(grade, MOTOR_WORDS + ("0", "1", "2", "3", "4", "5"), base + ".grade")
            abnormal, severity = word == "weak", WEAK_SEVERITY if word == "weak" else 1.0
        own = _string(item["side"], base + ".side") if "side" in item else None
        for s in case_sides if own is None else _finding_sides(side, own, base + ".side"):
            f = Finding(base, motor_kind, motor_id, s, abnormal, "weakness" if abnormal else None, severity, text, 1.0)
            key = (motor_kind, motor_id, s)
            if key in seen or len(findings) >= limits.max_findings:
                add(f)  # a duplicate or the limit: add() decides
            else:
                seen[key] = (abnormal, base)  # what add() does for a new finding
                findings.append(f)

    # reflexes
    reflexes = case.get("reflexes", {})
    if type(reflexes) is not dict and not isinstance(reflexes, Mapping):
        raise InvalidCaseError("reflexes", f"expected an object, got {_got(reflexes)}")
    if len(reflexes) > limits.max_findings:
        raise LimitExceededError("reflexes", f"more than {limits.max_findings} entries")
    for name, grade in reflexes.items():
        base = f"reflexes.{name}"
        # the grade's shape first: a reflex name is looked up only for a grade of the right form
        if isinstance(grade, str):  # the common form: one grade for the case's sides
            per_side = None
            _free_text(grade, base, limits.max_text_length, limit=True)
        else:
            per_side = _reflex_sides(grade, base, limits)
        reflex_id = reflex_names.get(name) if type(name) is str and len(name) <= limits.max_text_length else None
        if reflex_id is None:
            text = _text(name, base, limits)
            reflex_id = atlas.resolve(text, "reflex", field=base).id
            if len(reflex_names) < 65536:
                reflex_names[text] = reflex_id
        else:
            text = name
        if per_side is None:
            word = _reflex_grade(grade, base)
            abnormal = word != "normal"
            for s in case_sides:
                key = ("reflex", reflex_id, s)
                f = Finding(base, "reflex", reflex_id, s, abnormal, word, REFLEX_SEVERITY[word], text, 1.0)
                if key in seen or len(findings) >= limits.max_findings:
                    add(f)  # a duplicate or the limit: add() decides
                else:
                    seen[key] = (abnormal, base)  # what add() does for a new finding
                    findings.append(f)
            continue
        for s, given, fld in per_side:
            word = _reflex_grade(given, fld)
            add(Finding(fld, "reflex", reflex_id, s, word != "normal", word, REFLEX_SEVERITY[word], text, 1.0))

    # other signs
    entries = case.get("other", ())
    if type(entries) is not list or len(entries) > limits.max_findings:
        entries = _list(entries, "other", limits.max_findings)
    for i, item in enumerate(entries):
        fld = f"other[{i}]"
        own = None
        if isinstance(item, Mapping):
            _keys(item, fld, ("name", "side", "state"), required=("name",))
            own = _string(item["side"], fld + ".side") if "side" in item else None
            present = _choice(_string(item.get("state", "abnormal"), fld + ".state"), STATES,
                              fld + ".state") == "abnormal"
            item = item["name"]
        elif isinstance(item, str):
            present = True
        else:
            raise InvalidCaseError(fld, f"expected a string or an object, got {_got(item)}")
        text = _text(item, fld, limits)
        entity = atlas.resolve(text, "sign", field=fld)
        for s in _finding_sides(side, own, fld + ".side"):
            add(Finding(fld, "sign", entity.id, s, present, "sign", 1.0, text, 1.0))

    if not findings:
        raise InvalidCaseError("case", "the case has no findings: give at least one of 'sensory', 'motor', "
                               "'reflexes' or 'other' (an examined normal finding counts)")
    return ParsedCase(side, tuple(findings), tuple(notes), tuple(drawings))


@functools.lru_cache(maxsize=8)
def _entity_names(atlas: Atlas) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Per atlas: motor names already read, as written -> (kind, id), and reflex names -> id.

    Only names that resolved are kept (a name's reading never depends on the case); bounded.
    """
    return {}, {}


@functools.lru_cache(maxsize=8)
def _region_names(atlas: Atlas) -> dict[str, tuple[str | None, str, tuple[str, ...]]]:
    """Per atlas: region names already read, as written -> (side word, the name without it, region ids).

    Only names that resolved are kept (a name's reading never depends on the case); bounded.
    """
    return {}


def _shares(sides: list[str]) -> list[float]:
    """The share of its entry's evidence each of an entry's regions carries, per side (``docs/method.md`` §1)."""
    per_side: dict[str, int] = {}
    for s in sides:
        per_side[s] = per_side.get(s, 0) + 1
    by_count = {n: (1.0 + SHARE_LOG_COEFFICIENT * math.log(n)) / n for n in per_side.values()}
    return [by_count[per_side[s]] for s in sides]


def _reflex_sides(grade: Any, field: str, limits: Limits) -> list[tuple[str, str, str]]:
    """The grades of a reflex given per side, their form checked: (side, grade, field) each."""
    if not isinstance(grade, Mapping):
        raise InvalidCaseError(field, f"expected a string or an object, got {_got(grade)}")
    _keys(grade, field, ("left", "right"))
    if not grade:
        raise InvalidCaseError(field, "give a grade for 'left' and/or 'right'")
    return [(s, _free_text(g, f"{field}.{s}", limits.max_text_length, limit=True), f"{field}.{s}")
            for s, g in grade.items()]


def _reflex_grade(g: str, field: str) -> str:
    key = g.strip().lower()
    if key in REFLEX_GRADES:
        return key
    if key in _REFLEX_SYNONYMS:
        return _REFLEX_SYNONYMS[key]
    return _choice(g, REFLEX_GRADES, field)


def _drawing_regions(drawing: Any, field: str, sides: tuple[str, ...], atlas: Atlas,
                     limits: Limits) -> list[tuple[str, float, str, str | None]]:
    """Regions a drawing covers: (region, severity from coverage, side, note)."""
    _keys(drawing, field, ("view", "polygon", "polygons", "geojson", "points"), required=("view",))
    view = _choice(_string(drawing["view"], field + ".view"), atlas.template.views, field + ".view")
    shapes = [k for k in ("polygon", "polygons", "geojson", "points") if k in drawing]
    if len(shapes) != 1:
        raise InvalidCaseError(field, "give exactly one of 'polygon', 'polygons', 'geojson' or 'points'",
                               ["polygon", "points"])
    if "points" in drawing:
        pts = _points(drawing["points"], field + ".points", 1, limits.max_points,
                      f"more than {limits.max_points} points")
        geom: Any = None
    elif "polygons" in drawing:
        rings = _list(drawing["polygons"], field + ".polygons", limits.max_vertices)
        if not rings:
            raise InvalidCaseError(field + ".polygons", "the list is empty")
        for k, ring in enumerate(rings):
            _ring(ring, f"{field}.polygons[{k}]", limits)
        geom = {"type": "MultiPolygon", "coordinates": [[ring] for ring in rings]}
    elif "geojson" in drawing:
        geom = _geojson(drawing["geojson"], field + ".geojson")
    else:
        geom = _ring(drawing["polygon"], field + ".polygon", limits)
    out: list[tuple[str, float, str, str | None]] = []
    for s in sides:
        if geom is None:
            ids = atlas.template.region_ids_at(pts, view, side=s)
            outside = sum(1 for r in ids if r is None)
            if outside == len(ids):
                raise InvalidCaseError(field + ".points",
                                       f"every point lies outside the {view} outline of the {s} foot")
            note = f"{field}: {outside} of {len(ids)} points lie outside the foot outline" if outside else None
            for r in dict.fromkeys(r for r in ids if r is not None):
                out.append((r, 1.0, s, note))
                note = None
            continue
        try:
            res = atlas.template.overlay(geom, view, side=s, max_vertices=limits.max_vertices)
        except InvalidCaseError as exc:
            cls = LimitExceededError if isinstance(exc, LimitExceededError) else InvalidCaseError
            raise cls(field, exc.problem, exc.suggestions) from None
        note = None
        if res.outside_fraction > DRAWING_OUTSIDE_NOTE:
            note = f"{field}: {res.outside_fraction:.0%} of the drawing lies outside the foot outline"
        for ov in res:
            # a region the drawing barely grazes is weak evidence: severity grows with the
            # covered fraction of the region and is full from half the region on
            severity = max(DRAWING_MIN_SEVERITY, min(1.0, ov.fraction_of_region / DRAWING_FULL_COVER))
            out.append((ov.region, severity, s, note))
            note = None
    return out


def _finite(v: Any) -> bool:
    return type(v) is float and math.isfinite(v) or type(v) is int and -1e308 < v < 1e308


def _points(value: Any, field: str, min_items: int, max_items: int, too_many: str) -> list[Any]:
    """A list of *min_items* to *max_items* points ``[x, y]`` of finite numbers (the schema's ``point``)."""
    pts = _list(value, field)
    if len(pts) < min_items:
        raise InvalidCaseError(field, "the list is empty" if min_items == 1 else
                               f"give at least {min_items} items, got {len(pts)}")
    if len(pts) > max_items:
        raise LimitExceededError(field, too_many)
    for j, p in enumerate(pts):
        if not isinstance(p, (list, tuple)):
            raise InvalidCaseError(f"{field}[{j}]", f"expected a list, got {_got(p)}")
        if len(p) != 2:
            raise InvalidCaseError(f"{field}[{j}]", f"give at {'least' if len(p) < 2 else 'most'} 2 items, "
                                   f"got {len(p)}")
        if not (_finite(p[0]) and _finite(p[1])):  # else: the check that names the coordinate
            _number(p[0], f"{field}[{j}][0]")
            _number(p[1], f"{field}[{j}][1]")
    return pts


def _ring(value: Any, field: str, limits: Limits) -> list[Any]:
    """A polygon ring: at least 3 points, at most ``limits.max_vertices``."""
    return _points(value, field, 3, limits.max_vertices, f"more than {limits.max_vertices} items")


def _geojson(value: Any, field: str) -> Mapping[str, Any]:
    """The shape of a GeoJSON object (its geometry is read by the foot template)."""
    if not isinstance(value, Mapping):
        raise InvalidCaseError(field, f"expected an object, got {_got(value)}")
    if "type" not in value:
        raise InvalidCaseError(field + ".type", "this key is required")
    _string(value["type"], field + ".type")
    if "coordinates" in value:
        _list(value["coordinates"], field + ".coordinates")
    if "geometry" in value and not isinstance(value["geometry"], Mapping):
        raise InvalidCaseError(field + ".geometry", f"expected an object, got {_got(value['geometry'])}")
    return value


def _record_fields(case: Mapping[str, Any], limits: Limits) -> None:
    """The keys of a case that the findings do not use: their types and lengths."""
    if "dermatome_map" in case:  # resolved by neuromap.localize
        _free_text(case["dermatome_map"], "dermatome_map", limits.max_text_length, limit=True, empty=False)
    if "id" in case:
        _free_text(case["id"], "id", limits.max_text_length, limit=True)
    if "notes" in case:
        _free_text(case["notes"], "notes", MAX_NOTE_LENGTH)
