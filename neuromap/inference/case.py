"""Read a case (the reported findings) into validated, atlas-resolved findings.

A case is a plain dict (or a :class:`Case`)::

    {"side": "left" | "right" | "bilateral",
     "sensory": [{"regions": ["first dorsal web space", "hallux"], "modality": "numbness"},
                 {"drawing": {"view": "dorsal", "polygon": [[x, y], ...]}, "modality": "pain"},
                 {"regions": ["medial malleolus"], "state": "normal"}],
     "motor": [{"name": "great toe extension", "grade": 4}, {"name": "EHL", "grade": "4-/5"}],
     "reflexes": {"achilles": "absent", "knee jerk": "2+"},
     "other": ["saddle anaesthesia"],
     "electrodiagnosis": [{"study": "snap", "nerve": "sural", "result": "normal"},
                          {"study": "needle_emg", "muscle": "L5 paraspinal", "result": "denervation"}]}

The ``electrodiagnosis`` results are read by :mod:`neuromap.inference.edx`.

Names are read as people write them (:meth:`neuromap.atlas.Atlas.match`: articles, plurals,
word order, a side word, a misspelling). The structure of a case is checked strictly: a wrong
type, an unknown key or a size over the limits raises :class:`InvalidCaseError` (or
:class:`LimitExceededError`) naming the field. A finding whose name or grade cannot be read
is, by default, set aside in :attr:`ParsedCase.not_understood` with the closest names, and the
rest of the case is read; with ``strict=True`` it raises (:class:`UnknownNameError`,
:class:`InvalidCaseError`). Either way nothing is dropped silently, and a red-flag word in a
finding that was not understood still reaches the red-flag screen.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from neuromap.atlas import Atlas, normalize_name
from neuromap.errors import (
    InvalidCaseError,
    InvalidTypeError,
    LimitExceededError,
    UnknownNameError,
)
from neuromap.inference._drawing import check_drawing, drawing_regions
from neuromap.inference._fields import choice, free_text, got, keys, list_of, name_text, number, string
from neuromap.inference._names import match_name
from neuromap.inference.edx import UnknownStudyWord, check_entry, read_entry
from neuromap.inference.mentions import red_flag_mentions
from neuromap.weights import (
    MRC_FIVE_MINUS_SEVERITY,
    MRC_SEVERITY,
    REFLEX_SEVERITY,
    SENSORY_DEFAULT_WEIGHT,
    SENSORY_WEIGHTS,
    SHARE_LOG_COEFFICIENT,
    WEAK_SEVERITY,
)

__all__ = ["Case", "Finding", "Limits", "NotUnderstood", "ParsedCase", "parse_case"]

SIDES = ("left", "right", "bilateral")
CASE_KEYS = ("side", "sensory", "motor", "reflexes", "other", "dermatome_map", "id", "notes", "history",
             "electrodiagnosis")
#: Length of the free-text ``notes`` of a case and ``note`` of a finding (``maxLength`` in the case schema).
MAX_NOTE_LENGTH = 10_000
#: Sensory modalities (their words are the ``grammar.modalities`` of ``data/vocabulary.json``).
MODALITIES = ("pain", "numbness", "tingling", "burning", "hypersensitivity")
#: Modalities that are symptoms (what the patient feels), kept apart from the sensory examination:
#: a painful heel whose sensation is examined normal is two findings, each scored by its own rule.
SYMPTOMS = ("pain", "tingling", "burning")
REFLEX_GRADES = ("normal", "reduced", "absent", "brisk")
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
    share : float
        The share of its entry's evidence the finding carries (an entry naming many regions
        spreads its weight; ``docs/method.md`` §1).
    span : int
        How many regions the name or drawing it came from stands for (1 for a region, more
        for a group): the more specific of two contradicting findings wins.
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
    span: int = 1

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
    electrodiagnosis: Sequence[Mapping[str, Any]] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """The case as the plain dict :func:`neuromap.localize` accepts."""
        d: dict[str, Any] = {"side": self.side, "sensory": list(self.sensory), "motor": list(self.motor),
                             "reflexes": dict(self.reflexes), "other": list(self.other)}
        if self.electrodiagnosis:
            d["electrodiagnosis"] = [dict(e) for e in self.electrodiagnosis]
        for key in ("id", "notes", "dermatome_map"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        return d


@dataclass(frozen=True)
class NotUnderstood:
    """A finding that could not be read: where it is, what it says, why, and the closest names.

    Examples
    --------
    >>> NotUnderstood("motor[0].name", "tib antt", "not a muscle", ("tibialis anterior",)).to_dict()["field"]
    'motor[0].name'
    """

    field: str
    text: str
    problem: str
    suggestions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict."""
        return {"field": self.field, "text": self.text, "problem": self.problem,
                "suggestions": list(self.suggestions)}


@dataclass(frozen=True)
class ParsedCase:
    """A validated case: its side, its findings, notes for the result and what was not understood.

    Attributes
    ----------
    side : str
        The case's side.
    findings : tuple of Finding
        The findings read.
    notes : tuple of str
        How the case was read where it matters (merged reports, corrected spellings, a
        general report narrowed by a specific one), for the result's warnings.
    drawings : tuple of dict
        The drawings, for figures.
    not_understood : tuple of NotUnderstood
        The findings that could not be read (never with ``strict=True``).
    red_flag_mentions : tuple of (str, str, str)
        (sign id, field, text) of every red-flag sign named in the text of a finding that was
        not understood.
    """

    side: str
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    drawings: tuple[Mapping[str, Any], ...]
    not_understood: tuple[NotUnderstood, ...] = ()
    red_flag_mentions: tuple[tuple[str, str, str], ...] = ()


class _UnknownWord(InvalidCaseError):
    """A grade, modality or state word that is not read (not understood unless strict)."""


def _finding_sides(case_side: str, own: Any, field: str) -> tuple[str, ...]:
    side = case_side if own is None else choice(own, SIDES, field)
    return ("left", "right") if side == "bilateral" else (side,)


def _word_side(named: str | None, sides: tuple[str, ...], field: str, text: str) -> tuple[str, ...]:
    """The sides a side word in a name gives ('left heel' -> left), or the entry's sides.

    A side word picks a side of a bilateral entry; one naming a side the entry is not on
    contradicts it and is not read.
    """
    if named is None:
        return sides
    named_sides = ("left", "right") if named == "bilateral" else (named,)
    if not set(named_sides) <= set(sides):
        raise _UnknownWord(field, f"{text!r} names the {named} side but this finding is on the "
                           f"{' and '.join(sides)} side; set the finding's 'side' or the case 'side'")
    return named_sides


def parse_case(case: Any, atlas: Atlas, *, limits: Limits = DEFAULT_LIMITS, strict: bool = False) -> ParsedCase:
    """Validate a case and resolve every finding against the atlas.

    Parameters
    ----------
    case : dict or Case
        The findings (see the module docstring for the format).
    atlas : Atlas
        The atlas whose names the case uses.
    limits : Limits, optional
        Size limits.
    strict : bool, default False
        Raise on a finding that cannot be read (an unknown name, grade or modality word)
        instead of setting it aside in :attr:`ParsedCase.not_understood`; nothing is guessed
        either (misspellings are not corrected).

    Returns
    -------
    ParsedCase

    Raises
    ------
    InvalidCaseError
        Any invalid structure (and, if *strict*, any unreadable value); the message names the
        field and the closest valid values. This is the one check of a case, whatever its
        source: everything the published case schema (``neuromap/schemas/case.schema.json``)
        refuses is refused here.
    LimitExceededError
        More findings, list items, regions, vertices or points than *limits* allow, or a
        name or text too long.
    UnknownNameError
        If *strict*: a name the atlas does not know.

    Examples
    --------
    >>> import neuromap
    >>> from neuromap.inference.case import parse_case
    >>> p = parse_case({"side": "left", "reflexes": {"ankle jerk": "absent", "tib ant jerk": "0"}},
    ...                neuromap.load_atlas())
    >>> p.findings[0].target, p.findings[0].modality
    ('achilles', 'absent')
    >>> p.not_understood[0].field
    'reflexes.tib ant jerk'
    """
    if not isinstance(limits, Limits):
        raise InvalidTypeError("limits", f"expected a neuromap.Limits, got a {type(limits).__name__}")
    if isinstance(case, Case):
        case = case.to_dict()
    keys(case, "case", CASE_KEYS, required=("side",))
    side = choice(string(case["side"], "side"), SIDES, "side")
    _record_fields(case, limits)
    read = _Reader(atlas, limits, side, strict)
    for i, item in enumerate(_entries(case, "sensory", limits)):
        read.sensory(item, f"sensory[{i}]")
    for i, item in enumerate(_entries(case, "motor", limits)):
        read.motor(item, f"motor[{i}]")
    reflexes = case.get("reflexes", {})
    if not isinstance(reflexes, Mapping):
        raise InvalidCaseError("reflexes", f"expected an object, got {got(reflexes)}")
    if len(reflexes) > limits.max_findings:
        raise LimitExceededError("reflexes", f"more than {limits.max_findings} entries")
    for name, grade in reflexes.items():
        read.reflex(name, grade, f"reflexes.{name}")
    for i, item in enumerate(_entries(case, "other", limits)):
        read.sign(item, f"other[{i}]")
    for i, item in enumerate(_entries(case, "electrodiagnosis", limits)):
        read.study(item, f"electrodiagnosis[{i}]")
    return read.finish()


def _entries(case: Mapping[str, Any], key: str, limits: Limits) -> list[Any]:
    """The list of entries under *key* of a case (empty when absent)."""
    return list_of(case.get(key, ()), key, limits.max_findings)


class _Reader:
    """Reads the entries of one case into findings, one section at a time.

    Every finding goes through :meth:`add`, which settles two reports of one target; every
    name and grade is read through :meth:`attempt`, which sets an unreadable one aside
    (unless strict).
    """

    def __init__(self, atlas: Atlas, limits: Limits, side: str, strict: bool) -> None:
        self.atlas = atlas
        self.grammar = atlas.grammar
        self.limits = limits
        self.side = side
        self.strict = strict
        #: the sides of a finding that names none of its own
        self.case_sides = ("left", "right") if side == "bilateral" else (side,)
        self.findings: list[Finding] = []
        self.notes: list[str] = []
        self.drawings: list[Mapping[str, Any]] = []
        self.unread: list[NotUnderstood] = []
        self._at: dict[tuple[str, str, str, str], int] = {}
        self._contradicted: set[tuple[str, str, str, str]] = set()
        self._narrowed: dict[tuple[str, str], list[str]] = {}
        self._repeats: dict[str, dict[str, None]] = {}

    # -- the two gates -----------------------------------------------------------------------
    def attempt(self, field: str, text: Any, read: Callable[[], None]) -> None:
        """Run *read*; an unreadable name or word is set aside as not understood (raised if strict)."""
        try:
            read()
        except LimitExceededError:
            raise
        except (UnknownNameError, _UnknownWord, UnknownStudyWord) as exc:
            if self.strict and isinstance(exc, (_UnknownWord, UnknownStudyWord)):
                raise InvalidCaseError(exc.field, exc.problem, exc.suggestions) from None
            if self.strict:
                raise
            where = getattr(exc, "field", None) or field
            self.unread.append(NotUnderstood(where, str(text), _problem(exc), tuple(exc.suggestions)))

    def add(self, f: Finding) -> None:
        """Add one finding, settling a second report of the same target and side.

        A skin region's examination and its symptoms are kept apart (a painful heel examined
        normal is two findings). Reported abnormal and normal, the more specific report wins
        (a numb dorsum with a normal first web space is the dorsum without the web space);
        two equally specific reports contradict each other and are both set aside (raised if
        strict). Reported twice, a region is scored once as the stronger report and the
        warnings say which was kept; a movement, muscle, reflex or sign reported twice is
        refused if strict, else scored once.
        """
        key = (f.kind, f.target, f.side, _class(f))
        if key in self._contradicted:
            self._set_aside(f, "contradicts another report of the same place")
            return
        at = self._at.get(key)
        if at is None:
            self._at[key] = len(self.findings)
            self.findings.append(f)
            if len(self.findings) > self.limits.max_findings:
                raise LimitExceededError("case", f"more than {self.limits.max_findings} findings")
            return
        prev = self.findings[at]
        if prev.abnormal != f.abnormal:
            self._settle(prev, f, at, key)
            return
        same_entry = _entry(prev.field) == _entry(f.field)
        if f.kind != "region" or (same_entry and normalize_name(prev.text) == normalize_name(f.text)):
            if self.strict:
                raise InvalidCaseError(f.field, f"duplicate finding: {f.text!r} ({f.side}) is already reported at "
                                       f"{prev.field}")
            self._repeats.setdefault(_entry(f.field), {})[f.text] = None
            return
        kept = f if _evidence(f) > _evidence(prev) else prev
        self.findings[at] = kept
        if not same_entry or prev.modality != f.modality:
            dropped = prev if kept is f else f
            self.notes.append(
                f"{_entry(prev.field)} and {_entry(f.field)} both report the {f.target.replace('_', ' ')} "
                f"({f.side}): scored once, as {kept.modality or 'normal'} from {_entry(kept.field)} (the stronger "
                f"report; {_entry(dropped.field)} gave {dropped.modality or 'normal'}).")

    def _settle(self, prev: Finding, f: Finding, at: int, key: tuple[str, str, str, str]) -> None:
        """A target reported abnormal and normal: the more specific report wins, else both are set aside."""
        if f.kind == "region" and f.span != prev.span:
            specific, general = (f, prev) if f.span < prev.span else (prev, f)
            self.findings[at] = specific
            self._narrowed.setdefault((_entry(general.field), _entry(specific.field)), []).append(f.target)
            return
        if self.strict:
            raise InvalidCaseError(
                f.field, f"{f.text!r} ({f.side}) is reported both abnormal and normal (see {prev.field})")
        del self.findings[at]
        self._at = {k: i - (i > at) for k, i in self._at.items() if i != at}
        self._contradicted.add(key)
        for g in (prev, f):
            self._set_aside(g, "is reported both abnormal and normal")

    def _set_aside(self, f: Finding, problem: str) -> None:
        self.unread.append(NotUnderstood(f.field, f"{f.text} ({f.side})", problem))

    def finish(self) -> ParsedCase:
        """The parsed case, with a note for each general report a specific one narrowed."""
        if not self.findings and not self.unread:
            raise InvalidCaseError("case", "the case has no findings: give at least one of 'sensory', 'motor', "
                                   "'reflexes' or 'other' (an examined normal finding counts)")
        for (general, specific), regions in self._narrowed.items():
            names = ", ".join(dict.fromkeys(r.replace("_", " ") for r in regions))
            self.notes.append(f"{general} and {specific} disagree on the {names}: read as the more specific "
                              f"report, {specific} (the area of {general} without it).")
        for entry, texts in self._repeats.items():
            self.notes.append(f"{entry} reports {', '.join(map(repr, texts))} more than once: scored once.")
        mentions = tuple((sign, u.field, u.text) for u in self.unread
                         for sign in red_flag_mentions(u.text, self.atlas))
        if self.unread:
            self.notes.append(
                f"{len(self.unread)} finding(s) not understood and not scored: "
                + "; ".join(f"{u.field} ({u.text!r})" for u in self.unread[:5])
                + ("; ..." if len(self.unread) > 5 else "") + " (see not_understood). The ranking ignores them; "
                "the red-flag screen read their words.")
        return ParsedCase(self.side, tuple(self.findings), tuple(self.notes), tuple(self.drawings),
                          tuple(self.unread), mentions)

    # -- the sections --------------------------------------------------------------------
    def own_sides(self, item: Mapping[str, Any], base: str) -> tuple[str, ...]:
        """The sides of an entry: its own ``side``, or the case's."""
        if "side" not in item:
            return self.case_sides
        return _finding_sides(self.side, string(item["side"], base + ".side"), base + ".side")

    def corrected(self, match: Any, field: str) -> None:
        """Say in the warnings that a misspelt name was corrected."""
        if match.how == "corrected":
            self.notes.append(f"{field}: read {match.text!r} as {match.corrected!r} ({match.entity.label}; "
                              "spelling corrected).")

    def sensory(self, item: Any, base: str) -> None:
        """A sensory entry: named regions or a drawing, with a modality and a state."""
        keys(item, base, ("regions", "drawing", "modality", "state", "side", "note"))
        if ("regions" in item) == ("drawing" in item):
            raise InvalidCaseError(base, "give either 'regions' or 'drawing'", ["regions", "drawing"])
        if "note" in item:
            free_text(item["note"], base + ".note", MAX_NOTE_LENGTH)
        sides = self.own_sides(item, base)
        checked = None
        names: list[str] = []
        if "regions" in item:
            names = self.region_list(item["regions"], base + ".regions")
        else:
            checked = check_drawing(item["drawing"], base + ".drawing", self.atlas, self.limits)
        for key in ("state", "modality"):
            if key in item and not string(item[key], f"{base}.{key}").strip():
                raise InvalidCaseError(f"{base}.{key}", "the text is empty")
        words: dict[str, Any] = {}

        def read_words() -> None:
            state = string(item.get("state", "abnormal"), base + ".state")
            words["abnormal"] = _word(state, STATES, base + ".state", normalize_name) == "abnormal"
            words["modality"] = None
            if "modality" in item:
                raw = string(item["modality"], base + ".modality")
                found = self.grammar.modality(raw)
                words["modality"] = found if found is not None else _word(raw, MODALITIES, base + ".modality",
                                                                          normalize_name)
            elif words["abnormal"]:
                words["modality"] = "numbness"

        texts = item.get("regions", "drawing")
        self.attempt(base, f"{item.get('modality', '')} {item.get('state', '')} {texts}".strip(), read_words)
        if not words:
            return
        abnormal, modality = words["abnormal"], words["modality"]
        if "regions" in item:
            named = self.named_regions(names, base + ".regions", sides)
            shares = _shares([n[2] for n in named], [self.unit(n[1]) for n in named])
            for (fld, reg, s, text, span), share in zip(named, shares, strict=True):
                self.add(Finding(fld, "region", reg, s, abnormal, modality, 1.0, text, share, span))
            return
        fld = base + ".drawing"
        drawn = drawing_regions(item["drawing"], checked, fld, sides, self.atlas, self.limits)
        self.notes.extend(note for *_, note in drawn if note)
        span = len({d[0] for d in drawn})
        for (reg, severity, s, _), share in zip(drawn, _shares([d[2] for d in drawn], [self.unit(d[0]) for d in drawn]),
                                                strict=True):
            self.add(Finding(fld, "region", reg, s, abnormal, modality, severity, f"drawing ({reg})", share, span))
        self.drawings.append({"field": fld, **dict(item["drawing"]), "sides": list(sides),
                              "modality": modality, "abnormal": abnormal})

    def unit(self, region: str) -> str:
        """What a region counts as in its entry's shares: the whole it is a part of, else itself."""
        return self.atlas.node(region).get("part_of") or region

    def region_list(self, names: Any, field: str) -> list[str]:
        """A list of region names, its shape and sizes checked."""
        names = list_of(names, field)
        if not names:
            raise InvalidCaseError(field, "the list is empty")
        if len(names) > self.limits.max_regions_per_finding:
            raise LimitExceededError(field, f"more than {self.limits.max_regions_per_finding} regions")
        return [name_text(name, f"{field}[{j}]", self.limits.max_text_length) for j, name in enumerate(names)]

    def named_regions(self, names: list[str], field: str,
                      sides: tuple[str, ...]) -> list[tuple[str, str, str, str, int]]:
        """The (field, region, side, name, span) of every region a checked name list (:meth:`region_list`) covers."""
        out: list[tuple[str, str, str, str, int]] = []
        for j, text in enumerate(names):
            fld = f"{field}[{j}]"

            def read(fld: str = fld, text: str = text) -> None:
                match = match_name(self.atlas, text, ("region", "group"), fuzzy=not self.strict, field=fld)
                if match is None:
                    rest = self.grammar.split_side(normalize_name(text))[1]
                    if self.atlas.is_off_foot(rest):
                        raise UnknownNameError(text, "region", (), field=fld, reason="is not on the lower limb "
                                               "surface: neuromap's surface covers the foot, the leg, the thigh, "
                                               "the buttock and the saddle")
                    raise self.atlas.unknown(text, ("region", "group"), field=fld)
                self.corrected(match, fld)
                regions = self.atlas.regions_of(match.entity.id)
                named_sides = _word_side(match.side, sides, fld, text)
                out.extend((fld, reg, s, text, len(regions)) for reg in regions for s in named_sides)

            self.attempt(fld, text, read)
        return out

    def motor(self, item: Any, base: str) -> None:
        """A motor entry: a movement or a muscle with an MRC grade (or 'weak', 'normal')."""
        keys(item, base, ("name", "grade", "side", "note"), required=("name", "grade"))
        if "note" in item:
            free_text(item["note"], base + ".note", MAX_NOTE_LENGTH)
        text = name_text(item["name"], base + ".name", self.limits.max_text_length)
        sides = self.own_sides(item, base)

        def read() -> None:
            match = match_name(self.atlas, text, ("movement", "muscle"), fuzzy=not self.strict, field=base + ".name")
            if match is None:
                raise self.atlas.unknown(text, ("movement", "muscle"), field=base + ".name")
            abnormal, severity = _motor_grade(item["grade"], base + ".grade", self.limits, self.atlas)
            self.corrected(match, base + ".name")
            entity = match.entity
            for s in _word_side(match.side, sides, base + ".name", text):
                self.add(Finding(base, entity.kind, entity.id, s, abnormal, "weakness" if abnormal else None,
                                 severity, text, 1.0))

        self.attempt(base, f"{text} {item['grade']}", read)

    def reflex(self, name: Any, grade: Any, base: str) -> None:
        """A reflex and its grade, for the case's sides or per side."""
        # the grade's shape first: a reflex name is looked up only for a grade of the right form
        if isinstance(grade, str):  # one grade for the case's sides
            free_text(grade, base, self.limits.max_text_length, limit=True, empty=False)
        else:
            _reflex_sides(grade, base, self.limits)
        text = name_text(name, base, self.limits.max_text_length)

        def read() -> None:
            match = match_name(self.atlas, text, "reflex", fuzzy=not self.strict, field=base)
            if match is None:
                raise self.atlas.unknown(text, "reflex", field=base)
            if isinstance(grade, str):
                per_side = [(s, grade, base) for s in _word_side(match.side, self.case_sides, base, text)]
            else:
                per_side = _reflex_sides(grade, base, self.limits)
            graded = [(s, _reflex_grade(g, fld, self.atlas), fld) for s, g, fld in per_side]
            self.corrected(match, base)
            for s, word, fld in graded:
                self.add(Finding(fld, "reflex", match.entity.id, s, word != "normal", word, REFLEX_SEVERITY[word],
                                 text, 1.0))

        self.attempt(base, f"{text}: {grade if isinstance(grade, str) else dict(grade)}", read)

    def sign(self, item: Any, fld: str) -> None:
        """Another sign, by name or as ``{"name", "side", "state"}``."""
        own = None
        state = "abnormal"
        if isinstance(item, Mapping):
            keys(item, fld, ("name", "side", "state"), required=("name",))
            own = string(item["side"], fld + ".side") if "side" in item else None
            state = string(item.get("state", "abnormal"), fld + ".state")
            item = item["name"]
        elif not isinstance(item, str):
            raise InvalidCaseError(fld, f"expected a string or an object, got {got(item)}")
        text = name_text(item, fld, self.limits.max_text_length)
        sides = _finding_sides(self.side, own, fld + ".side")

        def read() -> None:
            present = _word(state, STATES, fld + ".state", normalize_name) == "abnormal"
            match = match_name(self.atlas, text, "sign", fuzzy=not self.strict, field=fld)
            if match is None:
                raise self.atlas.unknown(text, "sign", field=fld)
            self.corrected(match, fld)
            for s in _word_side(match.side, sides, fld, text):
                self.add(Finding(fld, "sign", match.entity.id, s, present, "sign", 1.0, text, 1.0))

        self.attempt(fld, text, read)


    def study(self, item: Any, base: str) -> None:
        """An electrodiagnostic result (:mod:`neuromap.inference.edx`): one finding per side."""
        entry = check_entry(item, base, self.limits.max_text_length)
        sides = self.own_sides(entry, base)

        def read() -> None:
            for r in read_entry(entry, base, self.atlas, sides, strict=self.strict):
                self.add(Finding(r.field, r.kind, r.target, r.side, r.abnormal, r.modality, r.severity, r.text, 1.0))

        self.attempt(base, " ".join(str(entry[k]) for k in ("study", "nerve", "muscle", "result") if k in entry), read)


def _class(f: Finding) -> str:
    """Which of a region's two reports a finding is: a symptom or the sensory examination."""
    return "symptom" if f.kind == "region" and f.abnormal and f.modality in SYMPTOMS else "exam"


def _problem(exc: Exception) -> str:
    """The reason of an error, without the field it names and without its suggestions."""
    text = str(exc)
    if text.startswith("Invalid value for "):
        text = text.split(": ", 1)[-1]
    return text.split(" Did you mean ", 1)[0]


def _word(value: str, allowed: Sequence[str], field: str, fold: Callable[[str], str]) -> str:
    """One of *allowed*, as written (folded); else an unread word."""
    if not value.strip():
        raise InvalidCaseError(field, "the text is empty")
    folded = fold(value)
    for a in allowed:
        if fold(a) == folded:
            return a
    try:
        return choice(value, allowed, field)
    except InvalidCaseError as exc:
        raise _UnknownWord(field, exc.problem, exc.suggestions) from None


#: An MRC grade written as text: a digit 0-5, an optional '+' (1-4) or '-' (1-5) and an optional '/5'
_MRC_TEXT = re.compile(r"\s*(?:([1-4])\s*([+-])|([0-5]))\s*(?:/\s*5)?\s*|\s*(5)\s*(-)\s*(?:/\s*5)?\s*")
#: what the message says a grade may be
_MRC_FORMS = ("a whole number from 0 to 5, a string such as '4', '4+', '4-', '5-' or '4/5', "
              "or a word such as 'trace', 'weak' or 'normal'")


def _entry(field: str) -> str:
    """The case entry a finding's field belongs to (``sensory[1]`` of ``sensory[1].regions[0]``)."""
    return field.split(".", 1)[0]


def _evidence(f: Finding) -> float:
    """The evidence weight of an abnormal sensory finding (as scoring weighs it), to keep the stronger of two."""
    return SENSORY_WEIGHTS.get(f.modality or "numbness", SENSORY_DEFAULT_WEIGHT) * f.severity * f.share


def _motor_grade(grade: Any, field: str, limits: Limits, atlas: Atlas) -> tuple[bool, float]:
    """Whether an MRC grade is abnormal, and its severity.

    The accepted forms (``mrc_aids_2010``): a whole number 0-5; a string of one digit 0-5 with
    an optional ``+`` (grades 1-4) or ``-`` (grades 1-5) and an optional ``/5``; or a word of
    the vocabulary's ``motor_grades`` ('trace' is 1, 'weak', 'normal', 'full power'). A grade is
    abnormal exactly when it is below 5 (``5-`` is abnormal, mildly). Anything else is not
    read: a grade is never guessed from a string it does not match.
    """
    if isinstance(grade, (int, float)) and not isinstance(grade, bool):
        g = number(grade, field)
        if g != int(g) or not 0 <= g <= 5:
            raise InvalidCaseError(field, f"MRC grades are whole numbers from 0 to 5, but got {grade!r}",
                                   ["0", "1", "2", "3", "4", "5"])
        return g < 5, MRC_SEVERITY[int(g)]
    if not isinstance(grade, str):
        raise InvalidCaseError(field, f"expected an MRC grade ({_MRC_FORMS}), but got {got(grade)}")
    free_text(grade, field, limits.max_text_length, limit=True, empty=False)
    match = _MRC_TEXT.fullmatch(grade)
    if match is not None:
        signed, _, plain, five_minus, _ = match.groups()
        if five_minus is not None:  # 5-: the mildest abnormal grade
            return True, MRC_FIVE_MINUS_SEVERITY
        g = int(signed or plain)
        return g < 5, MRC_SEVERITY[g]
    word = atlas.grammar.motor_grade(grade)
    if word is None:
        raise _UnknownWord(field, f"expected an MRC grade ({_MRC_FORMS}), but got {got(grade)}",
                           [w for w in MOTOR_WORDS if grade.strip() and w.startswith(grade.strip().lower()[:1])])
    if word in MOTOR_WORDS:
        return word == "weak", WEAK_SEVERITY if word == "weak" else 1.0
    return True, MRC_SEVERITY[int(word)]


def _shares(sides: list[str], units: list[str]) -> list[float]:
    """The share of its entry's evidence each of an entry's regions carries, per side (``docs/method.md`` §1).

    The regions are counted as *units*: the parts of one whole region (its ``part_of``) count
    as that one region, and share its share equally.
    """
    regions: dict[tuple[str, str], int] = {}             # regions per (side, unit)
    for key in zip(sides, units, strict=True):
        regions[key] = regions.get(key, 0) + 1
    per_side: dict[str, int] = {}                         # units per side
    for side, _ in regions:
        per_side[side] = per_side.get(side, 0) + 1
    return [_share_of_one(per_side[s]) / regions[s, u] for s, u in zip(sides, units, strict=True)]


@functools.lru_cache(maxsize=64)
def _share_of_one(n: int) -> float:
    """The share of one of *n* units named together: ``(1 + c log n) / n``, c = SHARE_LOG_COEFFICIENT."""
    return (1.0 + SHARE_LOG_COEFFICIENT * math.log(n)) / n


def _reflex_sides(grade: Any, field: str, limits: Limits) -> list[tuple[str, str, str]]:
    """The grades of a reflex given per side, their form checked: (side, grade, field) each."""
    if not isinstance(grade, Mapping):
        raise InvalidCaseError(field, f"expected a string or an object, got {got(grade)}")
    keys(grade, field, ("left", "right"))
    if not grade:
        raise InvalidCaseError(field, "give a grade for 'left' and/or 'right'")
    return [(s, free_text(g, f"{field}.{s}", limits.max_text_length, limit=True), f"{field}.{s}")
            for s, g in grade.items()]


def _reflex_grade(g: str, field: str, atlas: Atlas) -> str:
    """A reflex grade as written ('absent', '1+', 'hyperactive') -> one of :data:`REFLEX_GRADES`."""
    word = atlas.grammar.reflex_grade(g)
    if word is not None:
        return word
    return _word(g, REFLEX_GRADES, field, str.lower)


def _record_fields(case: Mapping[str, Any], limits: Limits) -> None:
    """The keys of a case that the findings do not use: their types and lengths."""
    if "dermatome_map" in case:  # resolved by neuromap.localize
        free_text(case["dermatome_map"], "dermatome_map", limits.max_text_length, limit=True, empty=False)
    if "id" in case:
        free_text(case["id"], "id", limits.max_text_length, limit=True)
    if "notes" in case:
        free_text(case["notes"], "notes", MAX_NOTE_LENGTH)
