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

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from neuromap.atlas import Atlas, normalize_name
from neuromap.errors import (
    QUOTE_LIMIT,
    InvalidCaseError,
    InvalidTypeError,
    LimitExceededError,
    UnknownNameError,
    check_option,
    quote,
    suggest,
)
from neuromap.weights import (
    DRAWING_FULL_COVER,
    DRAWING_MIN_SEVERITY,
    DRAWING_OUTSIDE_NOTE,
    MRC_FIVE_MINUS_SEVERITY,
    MRC_SEVERITY,
    REFLEX_SEVERITY,
    SENSORY_DEFAULT_WEIGHT,
    SENSORY_WEIGHTS,
    SHARE_LOG_COEFFICIENT,
    WEAK_SEVERITY,
)

__all__ = ["Case", "Finding", "Limits", "parse_case"]

SIDES = ("left", "right", "bilateral")
CASE_KEYS = ("side", "sensory", "motor", "reflexes", "other", "dermatome_map", "id", "notes", "history")
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
    dermatome_map: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The case as the plain dict :func:`neuromap.localize` accepts."""
        d: dict[str, Any] = {"side": self.side, "sensory": list(self.sensory), "motor": list(self.motor),
                             "reflexes": dict(self.reflexes), "other": list(self.other)}
        for key in ("id", "notes", "dermatome_map"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
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
            key = str(k)[:QUOTE_LIMIT]
            close = suggest(key, allowed) or suggest(key, allowed, n=len(allowed), cutoff=0.0)
            raise InvalidCaseError(
                where, f"unknown key {quote(str(k))}; allowed keys are {', '.join(map(repr, allowed))}", close[:3])
    for k in required:
        if k not in d:
            raise InvalidCaseError(f"{field}.{k}" if field != "case" else k, "this key is required")
    return d


#: words that name a side at the start of a region name ('left heel', 'R lateral foot')
_SIDE_WORDS = {"left": "left", "l": "left", "lt": "left", "right": "right", "r": "right", "rt": "right"}
_FIRST_WORD = re.compile(r"\s*([0-9A-Za-z]+)[^0-9A-Za-z]+(.*)", re.DOTALL)


def _split_side_word(text: str) -> tuple[str | None, str]:
    """The side a region name starts with ('left heel', 'L heel', 'right/heel'), and the rest of the name."""
    words = normalize_name(text).split()
    if len(words) < 2 or words[0] not in _SIDE_WORDS:
        return None, text
    m = _FIRST_WORD.match(text)
    rest = m.group(2).strip() if m is not None and normalize_name(m.group(1)) == words[0] else ""
    return _SIDE_WORDS[words[0]], rest or " ".join(words[1:])


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
    if not isinstance(limits, Limits):
        raise InvalidTypeError("limits", f"expected a neuromap.Limits, got a {type(limits).__name__}")
    if isinstance(case, Case):
        case = case.to_dict()
    _keys(case, "case", CASE_KEYS, required=("side",))
    side = _choice(_string(case["side"], "side"), SIDES, "side")
    _record_fields(case, limits)
    read = _Reader(atlas, limits, side)
    for i, item in enumerate(_entries(case, "sensory", limits)):
        read.sensory(item, f"sensory[{i}]")
    for i, item in enumerate(_entries(case, "motor", limits)):
        read.motor(item, f"motor[{i}]")
    reflexes = case.get("reflexes", {})
    if not isinstance(reflexes, Mapping):
        raise InvalidCaseError("reflexes", f"expected an object, got {_got(reflexes)}")
    if len(reflexes) > limits.max_findings:
        raise LimitExceededError("reflexes", f"more than {limits.max_findings} entries")
    for name, grade in reflexes.items():
        read.reflex(name, grade, f"reflexes.{name}")
    for i, item in enumerate(_entries(case, "other", limits)):
        read.sign(item, f"other[{i}]")
    if not read.findings:
        raise InvalidCaseError("case", "the case has no findings: give at least one of 'sensory', 'motor', "
                               "'reflexes' or 'other' (an examined normal finding counts)")
    return ParsedCase(side, tuple(read.findings), tuple(read.notes), tuple(read.drawings))


def _entries(case: Mapping[str, Any], key: str, limits: Limits) -> list[Any]:
    """The list of entries under *key* of a case (empty when absent)."""
    return _list(case.get(key, ()), key, limits.max_findings)


class _Reader:
    """Reads the entries of one case into findings, one section at a time.

    Every finding goes through :meth:`add`, which refuses a finding reported both abnormal and
    normal, a duplicate, and more findings than the limits allow.
    """

    def __init__(self, atlas: Atlas, limits: Limits, side: str) -> None:
        self.atlas = atlas
        self.limits = limits
        self.side = side
        #: the sides of a finding that names none of its own
        self.case_sides = ("left", "right") if side == "bilateral" else (side,)
        self.findings: list[Finding] = []
        self.notes: list[str] = []
        self.drawings: list[Mapping[str, Any]] = []
        self._seen: dict[tuple[str, str, str], tuple[bool, str]] = {}

    def add(self, f: Finding) -> None:
        """Add one finding.

        A finding reported both abnormal and normal, and a movement, muscle, reflex or sign
        reported twice, are refused. A skin region reached twice (through two names, two
        entries or two drawings) is scored once, as the stronger report (the larger evidence
        weight: modality, severity, share); when the two reports differ in their entry or
        modality the result's warnings say which was kept, so nothing is lost silently.
        """
        key = (f.kind, f.target, f.side)
        if key not in self._seen:
            self._seen[key] = (f.abnormal, f.field)
            self.findings.append(f)
            if len(self.findings) > self.limits.max_findings:
                raise LimitExceededError("case", f"more than {self.limits.max_findings} findings")
            return
        prev_abnormal, prev_field = self._seen[key]
        if prev_abnormal != f.abnormal:
            raise InvalidCaseError(
                f.field, f"{f.text!r} ({f.side}) is reported both abnormal and normal (see {prev_field})")
        prev = next(old for old in self.findings if (old.kind, old.target, old.side) == key)
        same_entry = _entry(prev.field) == _entry(f.field)
        if f.kind != "region" or (same_entry and normalize_name(prev.text) == normalize_name(f.text)):
            raise InvalidCaseError(f.field, f"duplicate finding: {f.text!r} ({f.side}) is already reported at "
                                   f"{prev_field}")
        kept = f if _evidence(f) > _evidence(prev) else prev
        if kept is f:
            self.findings[self.findings.index(prev)] = f
        if not same_entry or prev.modality != f.modality:
            dropped = prev if kept is f else f
            self.notes.append(
                f"{_entry(prev.field)} and {_entry(f.field)} both report the {f.target.replace('_', ' ')} "
                f"({f.side}): scored once, as {kept.modality or 'normal'} from {_entry(kept.field)} (the stronger "
                f"report; {_entry(dropped.field)} gave {dropped.modality or 'normal'}).")

    def own_sides(self, item: Mapping[str, Any], base: str) -> tuple[str, ...]:
        """The sides of an entry: its own ``side``, or the case's."""
        if "side" not in item:
            return self.case_sides
        return _finding_sides(self.side, _string(item["side"], base + ".side"), base + ".side")

    def sensory(self, item: Any, base: str) -> None:
        """A sensory entry: named regions or a drawing, with a modality and a state."""
        _keys(item, base, ("regions", "drawing", "modality", "state", "side", "note"))
        if ("regions" in item) == ("drawing" in item):
            raise InvalidCaseError(base, "give either 'regions' or 'drawing'", ["regions", "drawing"])
        state = item.get("state", "abnormal")
        abnormal = _choice(_string(state, base + ".state"), STATES, base + ".state") == "abnormal"
        if "note" in item:
            _free_text(item["note"], base + ".note", MAX_NOTE_LENGTH)
        modality: str | None = None
        if "modality" in item:
            raw = _string(item["modality"], base + ".modality")
            if normalize_name(raw) not in _MODALITY_INDEX:
                _choice(raw, tuple(MODALITIES), base + ".modality")
            modality = _MODALITY_INDEX[normalize_name(raw)]
        elif abnormal:
            modality = "numbness"
        sides = self.own_sides(item, base)
        if "regions" in item:
            named = self.named_regions(item["regions"], base + ".regions", sides)
            for (fld, reg, s, text), share in zip(named, _shares([n[2] for n in named]), strict=True):
                self.add(Finding(fld, "region", reg, s, abnormal, modality, 1.0, text, share))
            return
        fld = base + ".drawing"
        drawn = _drawing_regions(item["drawing"], fld, sides, self.atlas, self.limits)
        self.notes.extend(note for *_, note in drawn if note)
        for (reg, severity, s, _), share in zip(drawn, _shares([d[2] for d in drawn]), strict=True):
            self.add(Finding(fld, "region", reg, s, abnormal, modality, severity, f"drawing ({reg})", share))
        self.drawings.append({"field": fld, **dict(item["drawing"]), "sides": list(sides),
                              "modality": modality, "abnormal": abnormal})

    def named_regions(self, names: Any, field: str, sides: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
        """The (field, region, side, name) of every region a list of names covers."""
        names = _list(names, field)
        if not names:
            raise InvalidCaseError(field, "the list is empty")
        if len(names) > self.limits.max_regions_per_finding:
            raise LimitExceededError(field, f"more than {self.limits.max_regions_per_finding} regions")
        out = []
        for j, name in enumerate(names):
            fld = f"{field}[{j}]"
            text = _text(name, fld, self.limits)
            word_side, rest = _split_side_word(text)
            named_sides = sides if word_side is None else _word_sides(word_side, sides, fld, text, rest)
            if self.atlas.is_off_foot(rest):
                raise UnknownNameError(rest, "region", (), field=fld,
                                       reason="is not on the foot: neuromap's surface covers the foot and ankle")
            out += [(fld, reg, s, text) for reg in self.atlas.regions_of(rest, field=fld) for s in named_sides]
        return out

    def motor(self, item: Any, base: str) -> None:
        """A motor entry: a movement or a muscle with an MRC grade (or 'weak', 'normal')."""
        _keys(item, base, ("name", "grade", "side", "note"), required=("name", "grade"))
        if "note" in item:
            _free_text(item["note"], base + ".note", MAX_NOTE_LENGTH)
        text = _text(item["name"], base + ".name", self.limits)
        entity = self.atlas.resolve(text, ("movement", "muscle"), field=base + ".name")
        abnormal, severity = _motor_grade(item["grade"], base + ".grade", self.limits)
        for s in self.own_sides(item, base):
            self.add(Finding(base, entity.kind, entity.id, s, abnormal, "weakness" if abnormal else None, severity,
                             text, 1.0))

    def reflex(self, name: Any, grade: Any, base: str) -> None:
        """A reflex and its grade, for the case's sides or per side."""
        # the grade's shape first: a reflex name is looked up only for a grade of the right form
        if isinstance(grade, str):  # one grade for the case's sides
            _free_text(grade, base, self.limits.max_text_length, limit=True)
            per_side = [(s, grade, base) for s in self.case_sides]
        else:
            per_side = _reflex_sides(grade, base, self.limits)
        text = _text(name, base, self.limits)
        reflex_id = self.atlas.resolve(text, "reflex", field=base).id
        for s, given, fld in per_side:
            word = _reflex_grade(given, fld)
            self.add(Finding(fld, "reflex", reflex_id, s, word != "normal", word, REFLEX_SEVERITY[word], text, 1.0))

    def sign(self, item: Any, fld: str) -> None:
        """Another sign, by name or as ``{"name", "side", "state"}``."""
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
        text = _text(item, fld, self.limits)
        entity = self.atlas.resolve(text, "sign", field=fld)
        for s in _finding_sides(self.side, own, fld + ".side"):
            self.add(Finding(fld, "sign", entity.id, s, present, "sign", 1.0, text, 1.0))


#: An MRC grade written as text: a digit 0-5, an optional '+' (1-4) or '-' (1-5) and an optional '/5'
_MRC_TEXT = re.compile(r"\s*(?:([1-4])\s*([+-])|([0-5]))\s*(?:/\s*5)?\s*|\s*(5)\s*(-)\s*(?:/\s*5)?\s*")
#: what the message says a grade may be
_MRC_FORMS = ("a whole number from 0 to 5, a string such as '4', '4+', '4-', '5-' or '4/5', "
              "or 'weak' or 'normal'")


def _entry(field: str) -> str:
    """The case entry a finding's field belongs to (``sensory[1]`` of ``sensory[1].regions[0]``)."""
    return field.split(".", 1)[0]


def _evidence(f: Finding) -> float:
    """The evidence weight of an abnormal sensory finding (as scoring weighs it), to keep the stronger of two."""
    return SENSORY_WEIGHTS.get(f.modality or "numbness", SENSORY_DEFAULT_WEIGHT) * f.severity * f.share


def _motor_grade(grade: Any, field: str, limits: Limits) -> tuple[bool, float]:
    """Whether an MRC grade is abnormal, and its severity.

    The accepted forms (``mrc_aids_2010``): a whole number 0-5; a string of one digit 0-5 with
    an optional ``+`` (grades 1-4) or ``-`` (grades 1-5) and an optional ``/5``; or the words
    'weak' and 'normal'. A grade is abnormal exactly when it is below 5 (``5-`` is abnormal,
    mildly). Anything else is refused: a grade is never guessed from a string it does not match.
    """
    if isinstance(grade, (int, float)) and not isinstance(grade, bool):
        g = _number(grade, field)
        if g != int(g) or not 0 <= g <= 5:
            raise InvalidCaseError(field, f"MRC grades are whole numbers from 0 to 5, but got {grade!r}",
                                   ["0", "1", "2", "3", "4", "5"])
        return g < 5, MRC_SEVERITY[int(g)]
    if not isinstance(grade, str):
        raise InvalidCaseError(field, f"expected an MRC grade ({_MRC_FORMS}), but got {_got(grade)}")
    _free_text(grade, field, limits.max_text_length, limit=True)
    match = _MRC_TEXT.fullmatch(grade)
    if match is not None:
        signed, _, plain, five_minus, _ = match.groups()
        if five_minus is not None:  # 5-: the mildest abnormal grade
            return True, MRC_FIVE_MINUS_SEVERITY
        g = int(signed or plain)
        return g < 5, MRC_SEVERITY[g]
    word = grade.strip().lower()
    if word in MOTOR_WORDS:
        return word == "weak", WEAK_SEVERITY if word == "weak" else 1.0
    raise InvalidCaseError(field, f"expected an MRC grade ({_MRC_FORMS}), but got {_got(grade)}",
                           suggest(word, MOTOR_WORDS) if word else [])


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
